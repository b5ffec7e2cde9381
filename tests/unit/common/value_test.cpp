#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "common/error.h"
#include "common/value.h"

namespace omendb {
namespace {

std::string float8(double d) {
  std::string s;
  append_float8_text(d, s);
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
