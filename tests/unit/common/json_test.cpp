// common/json.h: jsonb's binary form round trip (text -> binary -> text is PostgreSQL 15's jsonb_out),
// json validation with PostgreSQL's DETAILs, order, equality and hash, containment, garbage input.
#include "common/json.h"

#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <string>
#include <vector>

#include "common/error.h"

namespace omendb::json {
namespace {

std::string round_trip(std::string_view text) {
  return to_text(parse(text));
}

std::string detail_of(std::string_view text) {
  try {
    validate(text);
  } catch (const SqlError& e) {
    EXPECT_EQ(e.state(), SqlState::InvalidTextRepresentation) << text;
    return e.detail();
  }
  return "(valid)";
}

TEST(Json, RoundTripNormalises) {
  // answers from PostgreSQL 15's jsonb_out
  EXPECT_EQ(round_trip(R"({"b":1,"a":2,"b":3, "aa": 1.50, "c": 1e3, "d": -0.0, "e": 1E-2})"),
            R"({"a": 2, "b": 3, "c": 1000, "d": 0.0, "e": 0.01, "aa": 1.50})");
  EXPECT_EQ(round_trip(R"(  [1, [ ], {}, {"x" :null, "y": [true,false]}] )"),
            R"([1, [], {}, {"x": null, "y": [true, false]}])");
  EXPECT_EQ(round_trip("123456789012345678901234567890.123456789012345678901234567890"),
            "123456789012345678901234567890.123456789012345678901234567890");
  EXPECT_EQ(round_trip(R"("\u00e9\ud83d\ude00\"\\\/\b\f\n\r\t\u001f")"),
            "\"\xc3\xa9\xf0\x9f\x98\x80\\\"\\\\/\\b\\f\\n\\r\\t\\u001f\"");
  EXPECT_EQ(round_trip("-1E+2"), "-100");
  EXPECT_EQ(round_trip("\"\""), "\"\"");
  // the binary form starts with its version and is stable
  std::string b = parse(R"({"a": [1, "x"]})");
  EXPECT_EQ(static_cast<uint8_t>(b[0]), kVersion);
  EXPECT_EQ(parse(to_text(b)), b);
}

TEST(Json, RandomRoundTrip) {
  std::mt19937 rng(7);
  std::function<std::string(int)> gen = [&](int depth) -> std::string {
    int k = static_cast<int>(rng() % (depth > 3 ? 5 : 7));
    switch (k) {
      case 0:
        return "null";
      case 1:
        return rng() % 2 ? "true" : "false";
      case 2:
        return std::to_string(static_cast<int64_t>(rng()) - (1LL << 31)) + (rng() % 2 ? ".25" : "");
      case 3:
        return "\"s" + std::to_string(rng() % 50) + "\"";
      case 4:
        return "\"\\u00e9\\n\"";
      case 5: {
        std::string s = "[";
        for (int i = 0, n = static_cast<int>(rng() % 5); i < n; ++i) s += (i ? "," : "") + gen(depth + 1);
        return s + "]";
      }
      default: {
        std::string s = "{";
        for (int i = 0, n = static_cast<int>(rng() % 5); i < n; ++i)
          s += (i ? ",\"k" : "\"k") + std::to_string(rng() % 12) + "\":" + gen(depth + 1);
        return s + "}";
      }
    }
  };
  for (int i = 0; i < 2000; ++i) {
    std::string text = gen(0);
    std::string bin = parse(text);
    std::string out = to_text(bin);
    EXPECT_EQ(parse(out), bin) << text;  // the output reads back into the same binary form
    EXPECT_EQ(compare(bin, parse(out)), 0);
    EXPECT_EQ(hash_key(bin), hash_key(parse(out)));
    EXPECT_NO_THROW(validate(text));
    EXPECT_EQ(from_wire("\1" + out), bin);
  }
}

TEST(Json, ValidationDetails) {
  // PostgreSQL 15's DETAIL lines for json_in
  EXPECT_EQ(detail_of(R"({"a":})"), R"(Expected JSON value, but found "}".)");
  EXPECT_EQ(detail_of("01"), R"(Token "01" is invalid.)");
  EXPECT_EQ(detail_of("[1,2"), "The input string ended unexpectedly.");
  EXPECT_EQ(detail_of(R"("a\qb")"), R"(Escape sequence "\q" is invalid.)");
  EXPECT_EQ(detail_of("\"a\tb\""), "Character with value 0x09 must be escaped.");
  EXPECT_EQ(detail_of(R"("\u00")"), R"("\u" must be followed by four hexadecimal digits.)");
  EXPECT_EQ(detail_of("1."), R"(Token "1." is invalid.)");
  EXPECT_EQ(detail_of("-"), R"(Token "-" is invalid.)");
  EXPECT_EQ(detail_of("truex"), R"(Token "truex" is invalid.)");
  EXPECT_EQ(detail_of("{1:2}"), R"(Expected string or "}", but found "1".)");
  EXPECT_EQ(detail_of(R"({"a" 2})"), R"(Expected ":", but found "2".)");
  EXPECT_EQ(detail_of("[1 2]"), R"(Expected "," or "]", but found "2".)");
  EXPECT_EQ(detail_of(R"({"a":1 "b"})"), R"(Expected "," or "}", but found ""b"".)");
  EXPECT_EQ(detail_of(R"("abc)"), R"(Token ""abc" is invalid.)");
  EXPECT_EQ(detail_of(""), "The input string ended unexpectedly.");
  EXPECT_EQ(detail_of("@"), R"(Token "@" is invalid.)");
  EXPECT_EQ(detail_of("1 2"), R"(Expected end of input, but found "2".)");
  EXPECT_EQ(detail_of(R"("\u0000")"), "(valid)");  // json keeps it; jsonb refuses it
  EXPECT_EQ(detail_of(R"("\ud800")"), "(valid)");
  try {
    parse(R"("\u0000")");
    FAIL();
  } catch (const SqlError& e) {
    EXPECT_EQ(e.state(), SqlState::UntranslatableCharacter);
  }
  try {
    parse(R"("\ud800")");
    FAIL();
  } catch (const SqlError& e) {
    EXPECT_EQ(e.detail(), "Unicode low surrogate must follow a high surrogate.");
  }
}

TEST(Json, OrderAndEquality) {
  auto cmp = [](std::string_view a, std::string_view b) { return compare(parse(a), parse(b)); };
  EXPECT_LT(cmp("[]", "1"), 0);  // an empty top-level array sorts below every scalar
  EXPECT_LT(cmp("null", "\"a\""), 0);
  EXPECT_LT(cmp("\"a\"", "1"), 0);
  EXPECT_LT(cmp("1", "true"), 0);
  EXPECT_LT(cmp("1", "[1]"), 0);
  EXPECT_LT(cmp("true", "{}"), 0);
  EXPECT_LT(cmp("[9]", "{}"), 0);
  EXPECT_LT(cmp(R"({"a":1})", R"({"a":1,"b":0})"), 0);
  EXPECT_GT(cmp(R"({"b":1})", R"({"aa":0})"), 0);  // pairwise in storage order, keys by bytes
  EXPECT_EQ(cmp("1.0", "1"), 0);
  EXPECT_EQ(hash_key(parse("[1.0, {\"a\": 2.500}]")), hash_key(parse("[1, {\"a\": 2.5}]")));
  EXPECT_NE(hash_key(parse("[1]")), hash_key(parse("[\"1\"]")));
}

TEST(Json, Operators) {
  auto run = [](Func f, std::string_view a, std::string_view b) {
    std::string x = parse(a), y = parse(b), buf;
    Datum args[2]{};
    args[0].str = StrRef{x.data(), x.size()};
    args[1].str = StrRef{y.data(), y.size()};
    Datum out{};
    eval(f, args, 2, out, buf);
    return out.is_null ? -1 : static_cast<int>(out.i64);
  };
  EXPECT_EQ(run(Func::Contains, R"({"a":1,"b":[1,2]})", R"({"b":[2]})"), 1);
  EXPECT_EQ(run(Func::Contains, "[1,[2,3]]", "[[3]]"), 1);
  EXPECT_EQ(run(Func::Contains, "[[1,2]]", "[1]"), 0);
  EXPECT_EQ(run(Func::Contains, "[1,2]", "2"), 1);
  EXPECT_EQ(run(Func::Contains, "1", "[1]"), 0);
  EXPECT_EQ(run(Func::ContainedBy, R"({"a":1})", R"({"a":1.0,"b":2})"), 1);
}

TEST(Json, GarbageNeverCrashes) {
  std::mt19937 rng(11);
  const std::string alphabet = "{}[]:,\"\\u0123456789abcdeftrunl.-+eE \t\n";
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    for (int n = static_cast<int>(rng() % 24); n > 0; --n) s += alphabet[rng() % alphabet.size()];
    try {
      std::string b = parse(s);
      EXPECT_EQ(parse(to_text(b)), b) << s;
    } catch (const SqlError&) {
    }
  }
  std::string deep(kMaxDepth + 1, '[');
  try {
    parse(deep);
    FAIL();
  } catch (const SqlError& e) {
    EXPECT_EQ(e.state(), SqlState::StatementTooComplex);
  }
}

}  // namespace
}  // namespace omendb::json
