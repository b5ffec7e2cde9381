// Encoding of PostgreSQL v3 backend messages and decoding of frontend messages (internal to the pgwire
// stage, exposed for unit tests and tests/fuzz/pgwire_fuzz.cpp). Every encoding function appends one
// complete message (type byte, length, body) to `out`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "frontend/pgwire/server.h"

namespace omendb::pgwire::wire {

// Startup packet codes (the int32 after the length in the first packet).
constexpr int32_t kProtocolV3 = 3 << 16;
constexpr int32_t kCancelRequestCode = (1234 << 16) | 5678;
constexpr int32_t kSslRequestCode = (1234 << 16) | 5679;
constexpr int32_t kGssEncRequestCode = (1234 << 16) | 5680;
// A startup packet's length word (counting itself) must lie in [8, kMaxStartupPacket]; a regular
// message's (after the type byte) in [4, ServerOptions::max_message_bytes].
constexpr size_t kMaxStartupPacket = 10000;

inline uint32_t get_u32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) | (uint32_t{u[2]} << 8) | uint32_t{u[3]};
}
inline int32_t get_i32(const char* p) {
  return static_cast<int32_t>(get_u32(p));
}

inline void put_i16(std::string& out, int16_t v) {
  auto u = static_cast<uint16_t>(v);
  out.push_back(static_cast<char>(u >> 8));
  out.push_back(static_cast<char>(u));
}
inline void put_i32(std::string& out, int32_t v) {
  auto u = static_cast<uint32_t>(v);
  out.push_back(static_cast<char>(u >> 24));
  out.push_back(static_cast<char>(u >> 16));
  out.push_back(static_cast<char>(u >> 8));
  out.push_back(static_cast<char>(u));
}
// A NUL-terminated string; embedded NULs would corrupt the message, so they are dropped.
void put_cstr(std::string& out, std::string_view s);

struct ErrorFields {
  std::string_view severity;  // "ERROR", "FATAL", "NOTICE", "WARNING"
  std::string_view sqlstate;
  std::string_view message;
  std::string_view detail;
  std::string_view hint;
  int position = 0;               // 1-based, 0 = none
  std::string_view context = {};  // the W field (PostgreSQL's CONTEXT)
  std::string_view schema = {};   // s, t, c, n: schema_name, table_name, column_name, constraint_name
  std::string_view table = {};
  std::string_view constraint = {};
  std::string_view column = {};
  std::string_view routine = {};  // R
};

void error_response(std::string& out, const ErrorFields& f);
void notice_response(std::string& out, const ErrorFields& f);
void authentication_ok(std::string& out);
void parameter_status(std::string& out, std::string_view name, std::string_view value);
void backend_key_data(std::string& out, int32_t pid, int32_t secret);
void ready_for_query(std::string& out, char status);
void negotiate_protocol_version(std::string& out, int32_t newest_minor,
                                const std::vector<std::string>& unrecognized_options);
void row_description(std::string& out, const std::vector<ResultColumn>& columns);
void data_row(std::string& out, const std::string_view* values, const bool* nulls, size_t count);
void command_complete(std::string& out, std::string_view tag);
void empty_query_response(std::string& out);
// Extended query protocol.
void parse_complete(std::string& out);
void bind_complete(std::string& out);
void close_complete(std::string& out);
void no_data(std::string& out);
void portal_suspended(std::string& out);
void parameter_description(std::string& out, const std::vector<uint32_t>& types);
// COPY: CopyInResponse ('G') / CopyOutResponse ('H') with the overall format (0 text, 1 binary) and one
// format code per column; CopyData ('d'); CopyDone ('c').
void copy_in_response(std::string& out, int8_t format, size_t columns);
void copy_out_response(std::string& out, int8_t format, size_t columns);
void copy_data(std::string& out, std::string_view data);
void copy_done(std::string& out);

// ---- Decoding of frontend messages ----
// Each function takes a message body (after the length word, and after the type byte for regular
// messages), reads nothing outside it and throws SqlError on malformed input: 08P01 for a bad layout;
// decode_startup also 0A000 (protocol version) and 28000 (no user).

struct StartupPacket {
  enum class Kind { Startup, SslRequest, GssEncRequest, CancelRequest } kind = Kind::Startup;
  // CancelRequest: the key, when the packet has exactly one (else the request is ignored).
  bool cancel_valid = false;
  int32_t cancel_pid = 0;
  int32_t cancel_secret = 0;
  // Startup: the protocol minor version, the parameters (user and database filled in) and the
  // _pq_. options, which NegotiateProtocolVersion reports as unrecognized.
  int32_t minor = 0;
  StartupInfo info;
  std::vector<std::string> unrecognized;
};
StartupPacket decode_startup(std::string_view body);

std::string_view decode_query(std::string_view body);  // 'Q': the SQL text

struct ParseMessage {
  std::string name;
  std::string_view sql;
  std::vector<uint32_t> param_types;
};
ParseMessage decode_parse(std::string_view body);

struct BindMessage {
  std::string portal;
  std::string statement;
  BindParams params;  // views into the body
  std::vector<int16_t> result_formats;
};
BindMessage decode_bind(std::string_view body);

// Describe and Close: kind 'S' (statement) or 'P' (portal).
struct TargetMessage {
  char kind = 'S';
  std::string name;
};
TargetMessage decode_describe(std::string_view body);
TargetMessage decode_close(std::string_view body);

struct ExecuteMessage {
  std::string portal;
  int32_t max_rows = 0;
};
ExecuteMessage decode_execute(std::string_view body);

}  // namespace omendb::pgwire::wire
