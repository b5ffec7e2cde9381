#include "frontend/pgwire/protocol.h"

#include <string>

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

}  // namespace omendb::pgwire::wire
