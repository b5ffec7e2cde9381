#include "frontend/pgwire/protocol.h"

#include <gtest/gtest.h>

#include <string>

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

}  // namespace
}  // namespace omendb::pgwire::wire
