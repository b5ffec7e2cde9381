#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <string>

#include "common/error.h"
#include "common/value.h"

namespace omendb {
namespace {

std::string float8(double d, int extra_float_digits = 1) {
  std::string s;
  append_float8_text(d, extra_float_digits, s);
  return s;
}

// Expected strings are what PostgreSQL 15 prints (extra_float_digits = 1, the default).
TEST(Float8Text, MatchesPostgreSQL) {
  EXPECT_EQ(float8(0.1), "0.1");
  EXPECT_EQ(float8(1.5), "1.5");
  EXPECT_EQ(float8(-2.375), "-2.375");
  EXPECT_EQ(float8(100), "100");
  EXPECT_EQ(float8(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(float8(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(float8(1e15), "1e+15");
  EXPECT_EQ(float8(123456789012345.0), "123456789012345");
  EXPECT_EQ(float8(1e-5), "1e-05");
  EXPECT_EQ(float8(0.0001), "0.0001");
  EXPECT_EQ(float8(1.5e300), "1.5e+300");
  EXPECT_EQ(float8(0.0), "0");
  EXPECT_EQ(float8(-0.0), "-0");
  EXPECT_EQ(float8(std::numeric_limits<double>::infinity()), "Infinity");
  EXPECT_EQ(float8(-std::numeric_limits<double>::infinity()), "-Infinity");
  EXPECT_EQ(float8(std::nan("")), "NaN");
}

// extra_float_digits -15 .. 0: printf's %g with DBL_DIG + extra_float_digits significant digits (at
// least 1); NaN, infinities and -0 as with 1 .. 3. Expected strings are PostgreSQL 15's.
TEST(Float8Text, ExtraFloatDigitsZeroAndBelow) {
  EXPECT_EQ(float8(1.0 / 3, 0), "0.333333333333333");
  EXPECT_EQ(float8(0.1 + 0.2, 0), "0.3");
  EXPECT_EQ(float8(1e15, 0), "1e+15");
  EXPECT_EQ(float8(123456789012345678.0, 0), "1.23456789012346e+17");
  EXPECT_EQ(float8(1e-5, 0), "1e-05");
  EXPECT_EQ(float8(1.5e300, 0), "1.5e+300");
  EXPECT_EQ(float8(2.5, 0), "2.5");
  EXPECT_EQ(float8(4.9e-324, 0), "4.94065645841247e-324");
  EXPECT_EQ(float8(1.7976931348623157e308, 0), "1.79769313486232e+308");
  EXPECT_EQ(float8(-0.0, 0), "-0");
  EXPECT_EQ(float8(std::nan(""), -5), "NaN");
  EXPECT_EQ(float8(-std::numeric_limits<double>::infinity(), 0), "-Infinity");
  EXPECT_EQ(float8(1.0 / 3, -3), "0.333333333333");
  EXPECT_EQ(float8(123456.789, -3), "123456.789");
  EXPECT_EQ(float8(1.0 / 3, -15), "0.3");
  EXPECT_EQ(float8(987, -15), "1e+03");
  EXPECT_EQ(float8(987, -14), "1e+03");
  EXPECT_EQ(float8(0.0, -15), "0");
  // 1 .. 3 are all the shortest exact text.
  EXPECT_EQ(float8(0.1 + 0.2, 2), "0.30000000000000004");
  EXPECT_EQ(float8(0.1 + 0.2, 3), "0.30000000000000004");
}

std::string float4(float f, int extra_float_digits = 1) {
  std::string s;
  append_float4_text(f, extra_float_digits, s);
  return s;
}

TEST(Float4Text, MatchesPostgreSQL) {
  EXPECT_EQ(float4(3.14159265358979f), "3.1415927");
  EXPECT_EQ(float4(0.1f), "0.1");
  EXPECT_EQ(float4(1e6f), "1e+06");
  EXPECT_EQ(float4(999999.0f), "999999");
  EXPECT_EQ(float4(16777217.0f), "1.6777216e+07");
  EXPECT_EQ(float4(1e-45f), "1e-45");
  EXPECT_EQ(float4(3.4028235e38f), "3.4028235e+38");
  EXPECT_EQ(float4(-0.0f), "-0");
  EXPECT_EQ(float4(std::numeric_limits<float>::infinity()), "Infinity");
  EXPECT_EQ(float4(-std::numeric_limits<float>::infinity()), "-Infinity");
  EXPECT_EQ(float4(std::nanf("")), "NaN");
  EXPECT_EQ(Value::float32(2.5f).to_string(), "2.5");
  // extra_float_digits <= 0: FLT_DIG + extra_float_digits digits (PostgreSQL 15's answers).
  EXPECT_EQ(float4(3.14159265358979f, 0), "3.14159");
  EXPECT_EQ(float4(1e6f, 0), "1e+06");
  EXPECT_EQ(float4(999999.0f, 0), "999999");
  EXPECT_EQ(float4(16777217.0f, 0), "1.67772e+07");
  EXPECT_EQ(float4(1e-45f, 0), "1.4013e-45");
  EXPECT_EQ(float4(3.4028235e38f, 0), "3.40282e+38");
  EXPECT_EQ(float4(1234567.0f, 0), "1.23457e+06");
  EXPECT_EQ(float4(3.14159265358979f, -3), "3.14");
  EXPECT_EQ(float4(0.000123456f, -3), "0.000123");
  EXPECT_EQ(float4(3.14159265358979f, -15), "3");
  EXPECT_EQ(float4(95.0f, -15), "1e+02");
  EXPECT_EQ(float4(-0.0f, 0), "-0");
  EXPECT_EQ(float4(std::nanf(""), 0), "NaN");
  EXPECT_EQ(Value::float32(0.1f).as_double(), static_cast<double>(0.1f));
}

// float4_cases.tsv: PostgreSQL 15's float4out of ~6,500 floats (gen_float4_cases.py): edge values, powers
// of two and ten and their neighbours, integers around 2^24, denormals, random bit patterns. Each text
// also reads back as its float.
TEST(Float4Text, AgreesWithPostgreSQL) {
  std::ifstream in(std::string(OMENDB_COMMON_TEST_DIR) + "/float4_cases.tsv");
  ASSERT_TRUE(in) << "float4_cases.tsv";
  std::string line;
  int cases = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t tab = line.find('\t');
    ASSERT_NE(tab, std::string::npos) << line;
    const auto bits = static_cast<uint32_t>(std::stoul(line.substr(0, tab), nullptr, 16));
    float f;
    std::memcpy(&f, &bits, 4);
    const std::string want = line.substr(tab + 1);
    EXPECT_EQ(float4(f), want) << line;
    EXPECT_EQ(std::strtof(want.c_str(), nullptr), f) << line;
    ++cases;
  }
  EXPECT_GT(cases, 6000);
}

TEST(ValueText, EveryType) {
  EXPECT_EQ(Value::boolean(true).to_string(), "t");
  EXPECT_EQ(Value::boolean(false).to_string(), "f");
  EXPECT_EQ(Value::int32(-7).to_string(), "-7");
  EXPECT_EQ(Value::int64(INT64_MIN).to_string(), "-9223372036854775808");
  EXPECT_EQ(Value::float64(2.5).to_string(), "2.5");
  EXPECT_EQ(Value::text("a\0b").to_string(), "a");
  EXPECT_EQ(Value::null(TypeId::Int32).to_string(), "NULL");
}

TEST(ValueEquality, NullsAndTypes) {
  EXPECT_EQ(Value::int32(1), Value::int32(1));
  EXPECT_FALSE(Value::int32(1) == Value::int64(1));
  EXPECT_EQ(Value::null(TypeId::Int32), Value::null(TypeId::Text));
  EXPECT_FALSE(Value::null() == Value::int32(0));
  EXPECT_EQ(Value::text("x"), Value::text("x"));
}

TEST(SqlStates, CodesAndUnsupported) {
  EXPECT_EQ(sqlstate_code(SqlState::FeatureNotSupported), "0A000");
  EXPECT_EQ(sqlstate_code(SqlState::SerializationFailure), "40001");
  EXPECT_EQ(sqlstate_code(SqlState::InFailedSqlTransaction), "25P02");
  EXPECT_EQ(sqlstate_code(SqlState::UndefinedTable), "42P01");
  try {
    throw_unsupported("GROUP BY", 12);
  } catch (const SqlError& e) {
    EXPECT_EQ(e.state(), SqlState::FeatureNotSupported);
    EXPECT_EQ(e.position(), 12);
    EXPECT_NE(e.message().find("GROUP BY"), std::string::npos);
    return;
  }
  FAIL() << "throw_unsupported did not throw";
}

}  // namespace
}  // namespace omendb
