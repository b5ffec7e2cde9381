// common/text_sql.h: the string functions over Datums, against PostgreSQL 15's answers (psql on a UTF8
// database with locale C.UTF-8). The SQL-level cases are in tests/sql/strings/.
#include "common/text_sql.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/error.h"

namespace omendb::textsql {
namespace {

Datum text_datum(const std::string& s) {
  Datum d{};
  d.str = StrRef{s.data(), s.size()};
  return d;
}
Datum int_datum(int64_t v) {
  Datum d{};
  d.i64 = v;
  return d;
}
Datum null_datum() {
  Datum d{};
  d.is_null = 1;
  return d;
}

std::string call_text(Func f, const std::vector<Datum>& args) {
  std::string buf;
  Datum out{};
  eval(f, args.data(), args.size(), out, buf);
  return out.is_null ? "<NULL>" : std::string(out.str.view());
}
int64_t call_int(Func f, const std::vector<Datum>& args) {
  std::string buf;
  Datum out{};
  eval(f, args.data(), args.size(), out, buf);
  return out.i64;
}

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const SqlError& e) {
    return std::string(sqlstate_code(e.state())) + " " + e.what();
  }
  return "";
}

TEST(TextFunctions, CharactersNotBytes) {
  std::string t = "h\xc3\xa9llo", l = "l";
  EXPECT_EQ(call_text(Func::Substr, {text_datum(t), int_datum(2), int_datum(2)}), "\xc3\xa9l");
  EXPECT_EQ(call_int(Func::Length, {text_datum(t)}), 5);
  EXPECT_EQ(call_int(Func::OctetLength, {text_datum(t)}), 6);
  EXPECT_EQ(call_int(Func::BitLength, {text_datum(t)}), 48);
  EXPECT_EQ(call_int(Func::Position, {text_datum(t), text_datum(l)}), 3);
  EXPECT_EQ(call_text(Func::Reverse, {text_datum(t)}), "oll\xc3\xa9h");
  EXPECT_EQ(call_text(Func::Left, {text_datum(t), int_datum(2)}), "h\xc3\xa9");
  EXPECT_EQ(call_text(Func::Left, {text_datum(t), int_datum(-3)}), "h\xc3\xa9");
  EXPECT_EQ(call_text(Func::Right, {text_datum(t), int_datum(-1)}), "\xc3\xa9llo");
  EXPECT_EQ(call_text(Func::Upper, {text_datum(t)}), "H\xc3\x89LLO");
  std::string star = "*";
  EXPECT_EQ(call_text(Func::Lpad, {text_datum(t), int_datum(7), text_datum(star)}), "**h\xc3\xa9llo");
  EXPECT_EQ(call_text(Func::Rpad, {text_datum(t), int_datum(2)}), "h\xc3\xa9");
}

TEST(TextFunctions, ReplaceAndSplit) {
  // replace(): every non-overlapping occurrence, left to right; an empty pattern changes nothing
  std::string aaa = "aaaa", aa = "aa", x = "x", none;
  EXPECT_EQ(call_text(Func::Replace, {text_datum(aaa), text_datum(aa), text_datum(x)}), "xx");
  EXPECT_EQ(call_text(Func::Replace, {text_datum(aaa), text_datum(none), text_datum(x)}), aaa);
  std::string csv = "a,b,,c", comma = ",";
  EXPECT_EQ(call_text(Func::SplitPart, {text_datum(csv), text_datum(comma), int_datum(2)}), "b");
  EXPECT_EQ(call_text(Func::SplitPart, {text_datum(csv), text_datum(comma), int_datum(-1)}), "c");
  EXPECT_EQ(call_text(Func::SplitPart, {text_datum(csv), text_datum(comma), int_datum(9)}), "");
  EXPECT_EQ(error_of([&] {
              call_text(Func::SplitPart, {text_datum(csv), text_datum(comma), int_datum(0)});
            }),
            "22023 field position must not be zero");
}

TEST(TextFunctions, Format) {
  std::string f = "%s|%-4s|%3I|%L|%2$s", a = "a", b = "B";
  EXPECT_EQ(
      call_text(Func::Format, {text_datum(f), text_datum(a), text_datum(b), text_datum(a), null_datum()}),
      "a|B   |  a|NULL|B");
  std::string bad = "%z";
  EXPECT_EQ(error_of([&] {
              call_text(Func::Format, {text_datum(bad), text_datum(a)});
            }),
            "22023 unrecognized format() type specifier \"z\"");
  std::string few = "%s %s";
  EXPECT_EQ(error_of([&] {
              call_text(Func::Format, {text_datum(few), text_datum(a)});
            }),
            "22023 too few arguments for format()");
  std::string ident = "%I";
  EXPECT_EQ(error_of([&] {
              call_text(Func::Format, {text_datum(ident), null_datum()});
            }),
            "22004 null values cannot be formatted as an SQL identifier");
}

TEST(TextFunctions, Quoting) {
  std::string s = "it's \\", sel = "select", ok = "a_1", mixed = "Ab";
  EXPECT_EQ(call_text(Func::QuoteLiteral, {text_datum(s)}), "E'it''s \\\\'");
  EXPECT_EQ(call_text(Func::QuoteIdent, {text_datum(sel)}), "\"select\"");
  EXPECT_EQ(call_text(Func::QuoteIdent, {text_datum(ok)}), "a_1");
  EXPECT_EQ(call_text(Func::QuoteIdent, {text_datum(mixed)}), "\"Ab\"");
  EXPECT_EQ(call_text(Func::QuoteNullable, {null_datum()}), "NULL");
}

TEST(TextFunctions, Patterns) {
  std::string p = "a#_b\\%", hash = "#", none;
  EXPECT_EQ(call_text(Func::LikeEscape, {text_datum(p), text_datum(hash)}), "a\\_b\\\\%");
  EXPECT_EQ(call_text(Func::LikeEscape, {text_datum(p), text_datum(none)}), "a#_b\\\\%");
  EXPECT_EQ(similar_to_regex("a%b_c", false, ""), "^(?:a.*b.c)$");
  EXPECT_EQ(similar_to_regex("a#%b", true, "#"), "^(?:a\\%b)$");
  EXPECT_EQ(similar_to_regex("%#\"o_b#\"%", true, "#"), "^(?:.*){1,1}?(o.b){1,1}(?:.*)$");
  std::string two = "ab";
  EXPECT_EQ(error_of([&] {
              call_text(Func::LikeEscape, {text_datum(p), text_datum(two)});
            }),
            "22025 invalid escape string");
}

TEST(TextFunctions, Limits) {
  std::string abc = "abc";
  EXPECT_EQ(error_of([&] {
              call_text(Func::Repeat, {text_datum(abc), int_datum(1000000000)});
            }),
            "54000 requested length too large");
  EXPECT_EQ(call_text(Func::Repeat, {text_datum(abc), int_datum(-1)}), "");
  EXPECT_EQ(error_of([&] { call_text(Func::Chr, {int_datum(0)}); }), "54000 null character not permitted");
  EXPECT_EQ(error_of([&] { call_text(Func::Chr, {int_datum(-1)}); }),
            "22023 character number must be positive");
  EXPECT_EQ(call_text(Func::Chr, {int_datum(233)}), "\xc3\xa9");
  EXPECT_EQ(call_text(Func::ToHex32, {int_datum(-1)}), "ffffffff");
}

}  // namespace
}  // namespace omendb::textsql
