// libFuzzer target for the PostgreSQL wire-protocol decoder (src/frontend/pgwire/protocol.h). Built only
// with -DOMENDB_FUZZ=ON and clang; see tests/fuzz/README.md for how to run it.
//
// The input is a client's byte stream, split into messages exactly as the server's Connection::process()
// splits it (same length limits): first startup packets (SSLRequest and GSSENCRequest keep the
// connection in the startup phase, CancelRequest ends it, a StartupMessage moves to regular messages),
// then typed messages, each decoded by the function the server calls for its type. If the first byte is
// 'R' the stream starts in the regular phase (so seeds can hold one message without a startup packet).
//
// Decoding must either succeed with fields that lie inside the message, or throw SqlError with a valid
// SQLSTATE. Any other exception, an invalid SQLSTATE or a sanitizer finding aborts.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include "common/error.h"
#include "common/sqlstate.h"
#include "frontend/pgwire/protocol.h"
#include "frontend/pgwire/server.h"

using namespace omendb;
using namespace omendb::pgwire;

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "pgwire_fuzz: %s\n", what);
  std::abort();
}

void check_inside(std::string_view part, std::string_view body) {
  if (part.empty()) return;
  if (part.data() < body.data() || part.data() + part.size() > body.data() + body.size())
    fail("decoded field outside the message");
}

void check_sqlstate(const SqlError& e) {
  std::string_view code = sqlstate_code(e.state());
  if (code.size() != 5) fail("SQLSTATE is not 5 characters");
  for (char c : code) {
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) fail("SQLSTATE has an invalid character");
  }
  if (code == "XX000") fail("a decoding failure reported as an internal error");
  if (e.message().empty()) fail("error without a message");
}

// Decodes one regular message. Returns false when the server would close the connection.
bool regular_message(char type, std::string_view body) {
  switch (type) {
    case 'Q':
      check_inside(wire::decode_query(body), body);
      return true;
    case 'P': {
      wire::ParseMessage m = wire::decode_parse(body);
      check_inside(m.sql, body);
      if (m.param_types.size() > 32767) fail("too many parameter types");
      return true;
    }
    case 'B': {
      wire::BindMessage m = wire::decode_bind(body);
      if (m.params.values.size() != m.params.formats.size()) fail("Bind: values and formats differ in count");
      for (int16_t f : m.params.formats) {
        if (f != 0 && f != 1) fail("Bind: parameter format not 0/1");
      }
      for (int16_t f : m.result_formats) {
        if (f != 0 && f != 1) fail("Bind: result format not 0/1");
      }
      for (const auto& v : m.params.values) {
        if (v) check_inside(*v, body);
      }
      return true;
    }
    case 'D':
    case 'C': {
      wire::TargetMessage m = type == 'D' ? wire::decode_describe(body) : wire::decode_close(body);
      if (m.kind != 'S' && m.kind != 'P') fail("Describe/Close kind not S/P");
      if (m.name.find('\0') != std::string::npos) fail("name with a NUL");
      return true;
    }
    case 'E': {
      wire::ExecuteMessage m = wire::decode_execute(body);
      if (m.portal.find('\0') != std::string::npos) fail("portal name with a NUL");
      return true;
    }
    case 'S':  // Sync, Flush, CopyData/CopyDone/CopyFail, FunctionCall: no fields the server reads
    case 'H':
    case 'd':
    case 'c':
    case 'f':
    case 'F':
      return true;
    case 'X':  // Terminate
    default:   // unknown type: 08P01, connection closed
      return false;
  }
}

void run(std::string_view in) {
  bool startup = true;
  if (!in.empty() && in[0] == 'R') {
    startup = false;
    in.remove_prefix(1);
  }
  const size_t max_message_bytes = ServerOptions{}.max_message_bytes;
  while (true) {
    if (startup) {
      if (in.size() < 4) return;
      uint32_t len = wire::get_u32(in.data());
      if (len < 8 || len > wire::kMaxStartupPacket) return;  // 08P01, connection closed
      if (in.size() < len) return;
      std::string body(in.substr(4, len - 4));  // own copy: ASan sees reads past the packet
      in.remove_prefix(len);
      try {
        wire::StartupPacket p = wire::decode_startup(body);
        switch (p.kind) {
          case wire::StartupPacket::Kind::CancelRequest:
            return;
          case wire::StartupPacket::Kind::SslRequest:
          case wire::StartupPacket::Kind::GssEncRequest:
            break;
          case wire::StartupPacket::Kind::Startup:
            if (p.info.user.empty()) fail("startup accepted without a user");
            if (p.info.database.empty()) fail("startup accepted without a database");
            startup = false;
            break;
        }
      } catch (const SqlError& e) {
        check_sqlstate(e);
        return;  // FATAL: connection closed
      }
    } else {
      if (in.size() < 5) return;
      char type = in[0];
      uint32_t len = wire::get_u32(in.data() + 1);
      if (len < 4 || len > max_message_bytes) return;  // 08P01 / 54000, connection closed
      if (in.size() - 1 < len) return;
      std::string body(in.substr(5, len - 4));
      in.remove_prefix(size_t{len} + 1);
      try {
        if (!regular_message(type, body)) return;
      } catch (const SqlError& e) {
        check_sqlstate(e);  // ERROR; the server skips to Sync and goes on
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    run(std::string_view(reinterpret_cast<const char*>(data), size));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pgwire_fuzz: unexpected exception: %s\n", e.what());
    std::abort();
  }
  return 0;
}
