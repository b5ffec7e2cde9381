#include "frontend/pgwire/protocol.h"

#include <fmt/format.h>

#include <string>

#include "common/error.h"
#include "common/sqlstate.h"

namespace omendb::pgwire::wire {

namespace {

// Writes the type byte and a length placeholder; finish() patches the length (which counts itself
// and the body, not the type byte).
class Message {
 public:
  Message(std::string& out, char type) : out_(out), start_(out.size() + 1) {
    out_.push_back(type);
    put_i32(out_, 0);
  }
  ~Message() {
    auto len = static_cast<uint32_t>(out_.size() - start_);
    out_[start_] = static_cast<char>(len >> 24);
    out_[start_ + 1] = static_cast<char>(len >> 16);
    out_[start_ + 2] = static_cast<char>(len >> 8);
    out_[start_ + 3] = static_cast<char>(len);
  }
  Message(const Message&) = delete;
  Message& operator=(const Message&) = delete;

 private:
  std::string& out_;
  size_t start_;
};

void field(std::string& out, char code, std::string_view value) {
  if (value.empty()) return;
  out.push_back(code);
  put_cstr(out, value);
}

void error_like(std::string& out, char type, const ErrorFields& f) {
  Message m(out, type);
  field(out, 'S', f.severity);
  field(out, 'V', f.severity);
  field(out, 'C', f.sqlstate);
  // M is mandatory even when empty.
  out.push_back('M');
  put_cstr(out, f.message);
  field(out, 'D', f.detail);
  field(out, 'H', f.hint);
  if (f.position > 0) field(out, 'P', std::to_string(f.position));
  field(out, 'W', f.context);
  field(out, 's', f.schema);
  field(out, 't', f.table);
  field(out, 'c', f.column);
  field(out, 'n', f.constraint);
  field(out, 'R', f.routine);
  out.push_back('\0');
}

}  // namespace

void put_cstr(std::string& out, std::string_view s) {
  if (s.find('\0') == std::string_view::npos) {
    out.append(s);
  } else {
    for (char c : s)
      if (c != '\0') out.push_back(c);
  }
  out.push_back('\0');
}

void error_response(std::string& out, const ErrorFields& f) {
  error_like(out, 'E', f);
}
void notice_response(std::string& out, const ErrorFields& f) {
  error_like(out, 'N', f);
}

void authentication_ok(std::string& out) {
  Message m(out, 'R');
  put_i32(out, 0);
}

void parameter_status(std::string& out, std::string_view name, std::string_view value) {
  Message m(out, 'S');
  put_cstr(out, name);
  put_cstr(out, value);
}

void backend_key_data(std::string& out, int32_t pid, int32_t secret) {
  Message m(out, 'K');
  put_i32(out, pid);
  put_i32(out, secret);
}

void ready_for_query(std::string& out, char status) {
  Message m(out, 'Z');
  out.push_back(status);
}

void negotiate_protocol_version(std::string& out, int32_t newest_minor,
                                const std::vector<std::string>& unrecognized_options) {
  Message m(out, 'v');
  put_i32(out, newest_minor);
  put_i32(out, static_cast<int32_t>(unrecognized_options.size()));
  for (const auto& o : unrecognized_options) put_cstr(out, o);
}

void row_description(std::string& out, const std::vector<ResultColumn>& columns) {
  Message m(out, 'T');
  put_i16(out, static_cast<int16_t>(columns.size()));
  for (const auto& c : columns) {
    put_cstr(out, c.name);
    put_i32(out, 0);  // table OID
    put_i16(out, 0);  // column attribute number
    put_i32(out, static_cast<int32_t>(c.type_oid));
    put_i16(out, c.type_length);
    put_i32(out, c.type_modifier);
    put_i16(out, c.format);
  }
}

void data_row(std::string& out, const std::string_view* values, const bool* nulls, size_t count) {
  size_t body = 2;
  for (size_t i = 0; i < count; ++i) body += 4 + (nulls[i] ? 0 : values[i].size());
  out.reserve(out.size() + 5 + body);
  Message m(out, 'D');
  put_i16(out, static_cast<int16_t>(count));
  for (size_t i = 0; i < count; ++i) {
    if (nulls[i]) {
      put_i32(out, -1);
    } else {
      put_i32(out, static_cast<int32_t>(values[i].size()));
      out.append(values[i]);
    }
  }
}

void command_complete(std::string& out, std::string_view tag) {
  Message m(out, 'C');
  put_cstr(out, tag);
}

void empty_query_response(std::string& out) {
  Message m(out, 'I');
}

void parse_complete(std::string& out) {
  Message m(out, '1');
}
void bind_complete(std::string& out) {
  Message m(out, '2');
}
void close_complete(std::string& out) {
  Message m(out, '3');
}
void no_data(std::string& out) {
  Message m(out, 'n');
}
void portal_suspended(std::string& out) {
  Message m(out, 's');
}
void parameter_description(std::string& out, const std::vector<uint32_t>& types) {
  Message m(out, 't');
  put_i16(out, static_cast<int16_t>(types.size()));
  for (uint32_t t : types) put_i32(out, static_cast<int32_t>(t));
}

namespace {
void copy_response(std::string& out, char type, int8_t format, size_t columns) {
  Message m(out, type);
  out.push_back(static_cast<char>(format));
  put_i16(out, static_cast<int16_t>(columns));
  for (size_t i = 0; i < columns; ++i) put_i16(out, format);
}
}  // namespace

void copy_in_response(std::string& out, int8_t format, size_t columns) {
  copy_response(out, 'G', format, columns);
}
void copy_out_response(std::string& out, int8_t format, size_t columns) {
  copy_response(out, 'H', format, columns);
}
void copy_data(std::string& out, std::string_view data) {
  Message m(out, 'd');
  out.append(data);
}
void copy_done(std::string& out) {
  Message m(out, 'c');
}

// ---- decoding ----

namespace {

[[noreturn]] void violation(std::string message) {
  throw SqlError(SqlState::ProtocolViolation, std::move(message));
}

// Reads the fields of one message body; running past its end is a 08P01 error.
class MessageReader {
 public:
  explicit MessageReader(std::string_view body) : body_(body) {}
  std::string_view cstr() {
    size_t end = body_.find('\0', pos_);
    if (end == std::string_view::npos) violation("invalid string in message");
    std::string_view s = body_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return s;
  }
  int16_t i16() { return static_cast<int16_t>((u8() << 8) | u8()); }
  int32_t i32() {
    need(4);
    int32_t v = get_i32(body_.data() + pos_);
    pos_ += 4;
    return v;
  }
  std::string_view bytes(size_t n) {
    need(n);
    std::string_view s = body_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  char byte() { return static_cast<char>(u8()); }
  void end() const {
    if (pos_ != body_.size()) violation("invalid message format");
  }

 private:
  unsigned u8() {
    need(1);
    return static_cast<unsigned char>(body_[pos_++]);
  }
  void need(size_t n) const {
    if (body_.size() - pos_ < n) violation("insufficient data left in message");
  }
  std::string_view body_;
  size_t pos_ = 0;
};

std::vector<int16_t> read_format_codes(MessageReader& r) {
  int16_t n = r.i16();
  if (n < 0) violation("invalid message format");
  std::vector<int16_t> codes;
  for (int16_t i = 0; i < n; ++i) {
    int16_t code = r.i16();
    if (code != 0 && code != 1) violation(fmt::format("unsupported format code: {}", code));
    codes.push_back(code);
  }
  return codes;
}

TargetMessage decode_target(std::string_view body, std::string_view what) {
  MessageReader r(body);
  TargetMessage m;
  m.kind = r.byte();
  m.name = std::string(r.cstr());
  r.end();
  if (m.kind != 'S' && m.kind != 'P')
    violation(fmt::format("invalid {} message subtype {}", what, static_cast<int>(m.kind)));
  return m;
}

}  // namespace

StartupPacket decode_startup(std::string_view body) {
  if (body.size() < 4) violation("invalid length of startup packet");
  StartupPacket packet;
  int32_t code = get_i32(body.data());
  std::string_view rest = body.substr(4);
  if (code == kSslRequestCode || code == kGssEncRequestCode) {
    if (!rest.empty()) violation("invalid length of startup packet");
    packet.kind =
        code == kSslRequestCode ? StartupPacket::Kind::SslRequest : StartupPacket::Kind::GssEncRequest;
    return packet;
  }
  if (code == kCancelRequestCode) {
    packet.kind = StartupPacket::Kind::CancelRequest;
    if (rest.size() == 8) {
      packet.cancel_valid = true;
      packet.cancel_pid = get_i32(rest.data());
      packet.cancel_secret = get_i32(rest.data() + 4);
    }
    return packet;
  }
  int major = static_cast<int>(static_cast<uint32_t>(code) >> 16);
  packet.minor = code & 0xffff;
  if (major != 3) {
    throw SqlError(
        SqlState::FeatureNotSupported,
        fmt::format("unsupported frontend protocol {}.{}: server supports 3.0 to 3.0", major, packet.minor));
  }
  StartupInfo& info = packet.info;
  bool terminated = false;
  while (!rest.empty()) {
    size_t k = rest.find('\0');
    if (k == std::string_view::npos) break;
    std::string_view key = rest.substr(0, k);
    rest.remove_prefix(k + 1);
    if (key.empty()) {
      terminated = rest.empty();
      break;
    }
    size_t v = rest.find('\0');
    if (v == std::string_view::npos) break;
    std::string_view value = rest.substr(0, v);
    rest.remove_prefix(v + 1);
    if (key.starts_with("_pq_.")) {
      packet.unrecognized.emplace_back(key);
    } else {
      info.parameters[std::string(key)] = std::string(value);
    }
  }
  if (!terminated) violation("invalid startup packet layout: expected terminator as last byte");
  auto user = info.parameters.find("user");
  if (user == info.parameters.end() || user->second.empty()) {
    throw SqlError(SqlState::InvalidAuthorizationSpecification,
                   "no PostgreSQL user name specified in startup packet");
  }
  info.user = user->second;
  auto db = info.parameters.find("database");
  info.database = db != info.parameters.end() && !db->second.empty() ? db->second : info.user;
  return packet;
}

std::string_view decode_query(std::string_view body) {
  if (body.empty() || body.back() != '\0') violation("invalid string in message");
  return body.substr(0, body.find('\0'));
}

ParseMessage decode_parse(std::string_view body) {
  MessageReader r(body);
  ParseMessage m;
  m.name = std::string(r.cstr());
  m.sql = r.cstr();
  int16_t n = r.i16();
  if (n < 0) violation("invalid message format");
  for (int16_t i = 0; i < n; ++i) m.param_types.push_back(static_cast<uint32_t>(r.i32()));
  r.end();
  return m;
}

BindMessage decode_bind(std::string_view body) {
  MessageReader r(body);
  BindMessage m;
  m.portal = std::string(r.cstr());
  m.statement = std::string(r.cstr());
  std::vector<int16_t> formats = read_format_codes(r);
  int16_t n = r.i16();
  if (n < 0) violation("invalid message format");
  if (formats.size() > 1 && formats.size() != static_cast<size_t>(n))
    violation(fmt::format("bind message has {} parameter formats but {} parameters", formats.size(), n));
  for (int16_t i = 0; i < n; ++i) {
    int32_t len = r.i32();
    if (len < -1) violation("invalid message format");
    m.params.values.push_back(len == -1 ? std::nullopt
                                        : std::optional<std::string_view>(r.bytes(static_cast<size_t>(len))));
    m.params.formats.push_back(formats.empty() ? 0 : formats.size() == 1 ? formats[0] : formats[i]);
  }
  m.result_formats = read_format_codes(r);
  r.end();
  return m;
}

TargetMessage decode_describe(std::string_view body) {
  return decode_target(body, "DESCRIBE");
}

TargetMessage decode_close(std::string_view body) {
  return decode_target(body, "CLOSE");
}

ExecuteMessage decode_execute(std::string_view body) {
  MessageReader r(body);
  ExecuteMessage m;
  m.portal = std::string(r.cstr());
  m.max_rows = r.i32();
  r.end();
  return m;
}

}  // namespace omendb::pgwire::wire
