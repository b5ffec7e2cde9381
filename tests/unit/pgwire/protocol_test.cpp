#include "frontend/pgwire/protocol.h"

#include <gtest/gtest.h>

#include <string>

#include "common/error.h"
#include "common/sqlstate.h"

namespace omendb::pgwire::wire {
namespace {

TEST(PgwireProtocol, ReadyForQueryLayout) {
  std::string out;
  ready_for_query(out, 'T');
  EXPECT_EQ(out, std::string("Z\0\0\0\5T", 6));
}

TEST(PgwireProtocol, DataRowEncodesNullsAndLengths) {
  std::string out;
  std::string_view values[] = {"ab", "", "ignored"};
  bool nulls[] = {false, false, true};
  data_row(out, values, nulls, 3);
  std::string expected("D\0\0\0\x14\0\3\0\0\0\2ab\0\0\0\0\xff\xff\xff\xff", 21);
  EXPECT_EQ(out, expected);
  EXPECT_EQ(get_u32(out.data() + 1), out.size() - 1);
}

TEST(PgwireProtocol, ErrorResponseFields) {
  std::string out;
  error_response(out, {"ERROR", "42P01", "no such table", "d", "", 7});
  ASSERT_EQ(out[0], 'E');
  EXPECT_EQ(get_u32(out.data() + 1), out.size() - 1);
  std::string body = out.substr(5);
  EXPECT_EQ(body, std::string("SERROR\0VERROR\0C42P01\0Mno such table\0Dd\0P7\0\0", 43));
}

TEST(PgwireProtocol, RowDescriptionAndCommandComplete) {
  std::string out;
  row_description(out, {{"n", 23, 4}});
  ASSERT_EQ(out[0], 'T');
  EXPECT_EQ(get_u32(out.data() + 1), 4u + 2 + 2 + 18);
  EXPECT_EQ(get_i32(out.data() + 5 + 2 + 2 + 6), 23);  // type OID after name, table OID, attnum
  out.clear();
  command_complete(out, "SELECT 1");
  EXPECT_EQ(out, std::string("C\0\0\0\x0dSELECT 1\0", 14));
}

TEST(PgwireProtocol, CStringDropsEmbeddedNul) {
  std::string out;
  put_cstr(out, std::string_view("a\0b", 3));
  EXPECT_EQ(out, std::string("ab\0", 3));
}

// ---- decoding ----

std::string body(std::initializer_list<std::string> parts) {
  std::string out;
  for (const auto& p : parts) out += p;
  return out;
}
std::string i16(int16_t v) {
  std::string s;
  put_i16(s, v);
  return s;
}
std::string i32(int32_t v) {
  std::string s;
  put_i32(s, v);
  return s;
}
std::string cstr(std::string_view s) {
  return std::string(s) + '\0';
}

SqlState decode_error(void (*decode)(std::string_view), std::string_view b) {
  try {
    decode(b);
  } catch (const SqlError& e) {
    return e.state();
  }
  return SqlState::SuccessfulCompletion;
}

TEST(PgwireDecode, StartupPacket) {
  StartupPacket p = decode_startup(
      body({i32(kProtocolV3), cstr("user"), cstr("alice"), cstr("_pq_.x"), cstr("1"), cstr("")}));
  EXPECT_EQ(p.kind, StartupPacket::Kind::Startup);
  EXPECT_EQ(p.info.user, "alice");
  EXPECT_EQ(p.info.database, "alice");
  ASSERT_EQ(p.unrecognized.size(), 1u);
  EXPECT_EQ(p.unrecognized[0], "_pq_.x");
  EXPECT_EQ(decode_startup(body({i32(kCancelRequestCode), i32(7), i32(9)})).cancel_secret, 9);
  EXPECT_FALSE(decode_startup(body({i32(kCancelRequestCode), i32(7)})).cancel_valid);
  auto startup = [](std::string_view b) { (void)decode_startup(b); };
  EXPECT_EQ(decode_error(startup, body({i32(kSslRequestCode), "x"})), SqlState::ProtocolViolation);
  EXPECT_EQ(decode_error(startup, body({i32(2 << 16)})), SqlState::FeatureNotSupported);
  EXPECT_EQ(decode_error(startup, body({i32(kProtocolV3), cstr("user"), "alice"})),
            SqlState::ProtocolViolation);
  EXPECT_EQ(decode_error(startup, body({i32(kProtocolV3), cstr("")})),
            SqlState::InvalidAuthorizationSpecification);
  EXPECT_EQ(decode_error(startup, "ab"), SqlState::ProtocolViolation);
}

TEST(PgwireDecode, ExtendedMessages) {
  const std::string parse_body = body({cstr("s"), cstr("SELECT $1"), i16(1), i32(23)});
  ParseMessage p = decode_parse(parse_body);  // p.sql is a view into parse_body
  EXPECT_EQ(p.name, "s");
  EXPECT_EQ(p.sql, "SELECT $1");
  EXPECT_EQ(p.param_types, std::vector<uint32_t>{23});
  const std::string bind_body =
      body({cstr("p"), cstr("s"), i16(1), i16(1), i16(2), i32(2), "42", i32(-1), i16(0)});
  BindMessage b = decode_bind(bind_body);
  ASSERT_EQ(b.params.values.size(), 2u);
  EXPECT_EQ(*b.params.values[0], "42");
  EXPECT_FALSE(b.params.values[1].has_value());
  EXPECT_EQ(b.params.formats, (std::vector<int16_t>{1, 1}));
  EXPECT_EQ(decode_describe(body({"P", cstr("p")})).kind, 'P');
  EXPECT_EQ(decode_execute(body({cstr("p"), i32(5)})).max_rows, 5);
  EXPECT_EQ(decode_close(body({"S", cstr("s")})).name, "s");
  EXPECT_EQ(decode_query(cstr("SELECT 1")), "SELECT 1");
}

TEST(PgwireDecode, MalformedMessagesAreProtocolViolations) {
  auto parse = [](std::string_view b) { (void)decode_parse(b); };
  auto bind = [](std::string_view b) { (void)decode_bind(b); };
  auto describe = [](std::string_view b) { (void)decode_describe(b); };
  auto execute = [](std::string_view b) { (void)decode_execute(b); };
  auto query = [](std::string_view b) { (void)decode_query(b); };
  const SqlState v = SqlState::ProtocolViolation;
  EXPECT_EQ(decode_error(parse, body({cstr("s"), cstr("x"), i16(-1)})), v);
  EXPECT_EQ(decode_error(parse, body({cstr("s"), cstr("x"), i16(2), i32(23)})), v);  // truncated
  EXPECT_EQ(decode_error(parse, body({cstr("s"), cstr("x"), i16(0), "junk"})), v);
  EXPECT_EQ(decode_error(bind, body({cstr("p"), cstr("s"), i16(0), i16(1), i32(-2), i16(0)})), v);
  EXPECT_EQ(decode_error(bind, body({cstr("p"), cstr("s"), i16(0), i16(1), i32(100), "ab"})), v);
  EXPECT_EQ(decode_error(bind, body({cstr("p"), cstr("s"), i16(2), i16(0), i16(0), i16(1), i32(-1), i16(0)})),
            v);
  EXPECT_EQ(decode_error(bind, body({cstr("p"), cstr("s"), i16(1), i16(7), i16(0), i16(0)})), v);
  EXPECT_EQ(decode_error(describe, body({"X", cstr("s")})), v);
  EXPECT_EQ(decode_error(describe, ""), v);
  EXPECT_EQ(decode_error(execute, body({cstr("p"), "ab"})), v);
  EXPECT_EQ(decode_error(query, "SELECT 1"), v);
}

}  // namespace
}  // namespace omendb::pgwire::wire
