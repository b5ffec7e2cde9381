// common/bytea.h: bytea and uuid text forms, encode/decode and the functions, against PostgreSQL 15's
// answers (taken from psql on PostgreSQL 15.x with bytea_output = hex).
#include "common/bytea.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "common/error.h"

namespace omendb::bytea {
namespace {

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(static_cast<char>(c));
  return s;
}

// The SQLSTATE and message of what `f` throws ("" if nothing).
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const SqlError& e) {
    return std::string(sqlstate_code(e.state())) + " " + e.what();
  }
  return "";
}

TEST(Bytea, HexInputAndOutput) {
  EXPECT_EQ(parse("\\x012f"), bytes({0x01, 0x2f}));
  EXPECT_EQ(parse("\\x"), "");
  EXPECT_EQ(parse("\\x 01 02 "), bytes({1, 2}));  // white space before a pair
  EXPECT_EQ(parse("\\xDEADbeef"), bytes({0xde, 0xad, 0xbe, 0xef}));
  EXPECT_EQ(to_text(bytes({0, 0x7f, 0x80, 0xff}), false), "\\x007f80ff");
  EXPECT_EQ(to_text("", false), "\\x");
  EXPECT_EQ(error_of([] { parse("\\x0g"); }), "22023 invalid hexadecimal digit: \"g\"");
  EXPECT_EQ(error_of([] { parse("\\x\xc3\xa9"); }), "22023 invalid hexadecimal digit: \"\xc3\xa9\"");
  EXPECT_EQ(error_of([] { parse("\\x012"); }), "22023 invalid hexadecimal data: odd number of digits");
  EXPECT_EQ(error_of([] { parse("\\x0 1"); }), "22023 invalid hexadecimal digit: \" \"");
}

TEST(Bytea, EscapeInput) {
  EXPECT_EQ(parse("abc"), "abc");
  EXPECT_EQ(parse("a\\\\b\\001"), bytes({'a', '\\', 'b', 1}));
  EXPECT_EQ(parse("\\377\\000"), bytes({0xff, 0}));
}

// bytea_output = escape: PostgreSQL 15's byteaout ('\x00015c41207e7f80ff0a'::bytea prints
// \000\001\\A ~\177\200\377\012).
TEST(Bytea, EscapeOutput) {
  EXPECT_EQ(to_text(bytes({0, 1, 0x5c, 0x41, 0x20, 0x7e, 0x7f, 0x80, 0xff, 0x0a}), true),
            "\\000\\001\\\\A ~\\177\\200\\377\\012");
  EXPECT_EQ(to_text("", true), "");
  EXPECT_EQ(to_text("a\"b{", true), "a\"b{");
  Datum in{};
  in.str = StrRef{"\\\x01", 2};
  std::string buf;
  Datum out{};
  eval(Func::ByteaOut, &in, 1, true, out, buf);
  EXPECT_EQ(out.str.view(), "\\\\\\001");
  eval(Func::ByteaOut, &in, 1, false, out, buf);
  EXPECT_EQ(out.str.view(), "\\x5c01");
}

TEST(Bytea, EscapeInputErrors) {
  const std::string bad = "22P02 invalid input syntax for type bytea";
  EXPECT_EQ(error_of([] { parse("a\\999"); }), bad);
  EXPECT_EQ(error_of([] { parse("\\"); }), bad);
  EXPECT_EQ(error_of([] { parse("\\400"); }), bad);  // the first octal digit is at most 3
  EXPECT_EQ(error_of([] { parse("x\\01"); }), bad);
  EXPECT_EQ(error_of([] { parse(" \\x01"); }), bad);  // hex only when "\x" starts the value
}

TEST(Bytea, RandomRoundTrip) {
  std::mt19937 rng(7);
  for (int i = 0; i < 500; ++i) {
    std::string b;
    for (size_t n = rng() % 40; n > 0; --n) b.push_back(static_cast<char>(rng()));
    EXPECT_EQ(parse(to_text(b, false)), b);
    EXPECT_EQ(parse(to_text(b, true)), b);  // both output formats read back
    EXPECT_EQ(decode(encode(b, "hex"), "hex"), b);
    EXPECT_EQ(decode(encode(b, "base64"), "base64"), b);
    EXPECT_EQ(decode(encode(b, "escape"), "escape"), b);
    EXPECT_EQ(parse(encode(b, "escape")), b);  // the escape format is also byteain's
  }
}

TEST(Bytea, EncodeAsPostgreSQL) {
  EXPECT_EQ(encode(bytes({0, 1, 0x5c, 0x7f, 0x80, 0xff, 'A'}), "escape"), "\\000\x01\\\\\x7f\\200\\377A");
  EXPECT_EQ(encode("abc", "BASE64"), "YWJj");
  EXPECT_EQ(encode("ab", "base64"), "YWI=");
  EXPECT_EQ(encode("a", "base64"), "YQ==");
  // A newline after every 76 characters (57 bytes), even at the very end.
  EXPECT_EQ(encode(std::string(57, 'a'), "base64"),
            "YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFh\n");
  EXPECT_EQ(encode(std::string(60, 'a'), "base64"),
            "YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFh\nYWFh");
  EXPECT_EQ(encode(bytes({0xde, 0xad}), "hex"), "dead");
  EXPECT_EQ(error_of([] { encode("x", "foo"); }), "22023 unrecognized encoding: \"foo\"");
}

TEST(Bytea, DecodeErrorsAsPostgreSQL) {
  EXPECT_EQ(decode("YW Jj\nZA==", "base64"), "abcd");
  EXPECT_EQ(error_of([] { decode("YQ", "base64"); }), "22023 invalid base64 end sequence");
  EXPECT_EQ(error_of([] { decode("YWJj=ZA==", "base64"); }),
            "22023 unexpected \"=\" while decoding base64 sequence");
  EXPECT_EQ(error_of([] { decode("Y!", "base64"); }),
            "22023 invalid symbol \"!\" found while decoding base64 sequence");
  EXPECT_EQ(error_of([] { decode(" 01 0 2", "hex"); }), "22023 invalid hexadecimal digit: \" \"");
  EXPECT_EQ(decode("\\\\", "escape"), "\\");
  EXPECT_EQ(error_of([] { decode("a\\9", "escape"); }), "22P02 invalid input syntax for type bytea");
  EXPECT_EQ(error_of([] { decode("x", "bar"); }), "22023 unrecognized encoding: \"bar\"");
}

TEST(Uuid, InputForms) {
  const std::string want = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11";
  for (const char* in : {"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}",
                         "A0EEBC999C0B4EF8BB6D6BB9BD380A11", "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11",
                         "a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11", "{a0eebc999c0b4ef8bb6d6bb9bd380a11}"}) {
    std::string b = uuid_parse(in);
    EXPECT_EQ(b.size(), kUuidSize) << in;
    EXPECT_EQ(uuid_to_text(b), want) << in;
  }
}

TEST(Uuid, BadInput) {
  for (const char* in :
       {"x", "", " a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11 ",
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a111",
        "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}",
        "a0eeb-c99-9c0b-4ef8-bb6d-6bb9bd380a11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1-",
        "a0eebc99--9c0b-4ef8-bb6d-6bb9bd380a11", "g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}) {
    EXPECT_EQ(error_of([&] { uuid_parse(in); }),
              std::string("22P02 invalid input syntax for type uuid: \"") + in + "\"")
        << in;
  }
}

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

std::string call_text(Func f, std::initializer_list<Datum> args) {
  std::string buf;
  Datum out{};
  eval(f, args.begin(), args.size(), false, out, buf);
  return std::string(out.str.view());
}
int64_t call_int(Func f, std::initializer_list<Datum> args) {
  std::string buf;
  Datum out{};
  eval(f, args.begin(), args.size(), false, out, buf);
  return out.i64;
}

TEST(ByteaFunctions, AsPostgreSQL) {
  std::string b = bytes({1, 2, 3, 4});
  EXPECT_EQ(call_text(Func::Substr, {text_datum(b), int_datum(0), int_datum(2)}), bytes({1}));
  EXPECT_EQ(call_text(Func::Substr, {text_datum(b), int_datum(3)}), bytes({3, 4}));
  EXPECT_EQ(call_text(Func::Substr, {text_datum(b), int_datum(-5), int_datum(7)}), bytes({1}));
  EXPECT_EQ(call_text(Func::Substr, {text_datum(b), int_datum(2), int_datum(2147483647)}), bytes({2, 3, 4}));
  EXPECT_EQ(call_text(Func::Substr, {text_datum(b), int_datum(9)}), "");
  EXPECT_EQ(error_of([&] {
              call_text(Func::Substr, {text_datum(b), int_datum(1), int_datum(-1)});
            }),
            "22011 negative substring length not allowed");
  std::string n = bytes({2}), empty;
  EXPECT_EQ(call_int(Func::Position, {text_datum(b), text_datum(n)}), 2);
  EXPECT_EQ(call_int(Func::Position, {text_datum(b), text_datum(empty)}), 1);
  EXPECT_EQ(call_int(Func::GetByte, {text_datum(b), int_datum(3)}), 4);
  EXPECT_EQ(error_of([&] {
              call_int(Func::GetByte, {text_datum(b), int_datum(4)});
            }),
            "2202E index 4 out of valid range, 0..3");
  EXPECT_EQ(call_text(Func::SetByte, {text_datum(b), int_datum(1), int_datum(300)}), bytes({1, 0x2c, 3, 4}));
  std::string abc = "abc";
  EXPECT_EQ(call_text(Func::Md5, {text_datum(abc)}), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(to_text(call_text(Func::Sha256, {text_datum(abc)}), false),
            "\\xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  std::string e_acute = "\xc3\xa9", latin1 = "LATIN1", utf8 = "utf-8";
  EXPECT_EQ(call_text(Func::ConvertTo, {text_datum(e_acute), text_datum(latin1)}), bytes({0xe9}));
  std::string e9 = bytes({0xe9}), ff = bytes({0xff});
  EXPECT_EQ(call_text(Func::ConvertFrom, {text_datum(e9), text_datum(latin1)}), e_acute);
  EXPECT_EQ(error_of([&] {
              call_text(Func::ConvertFrom, {text_datum(ff), text_datum(utf8)});
            }),
            "22021 invalid byte sequence for encoding \"UTF8\": 0xff");
  std::string euro = "\xe2\x82\xac";
  EXPECT_EQ(error_of([&] {
              call_text(Func::ConvertTo, {text_datum(euro), text_datum(latin1)});
            }),
            "22P05 character with byte sequence 0xe2 0x82 0xac in encoding \"UTF8\" has no equivalent in "
            "encoding \"LATIN1\"");
}

TEST(Uuid, GenRandomUuidIsVersion4) {
  std::string a = call_text(Func::GenRandomUuid, {}), b = call_text(Func::GenRandomUuid, {});
  ASSERT_EQ(a.size(), kUuidSize);
  EXPECT_NE(a, b);
  EXPECT_EQ(static_cast<unsigned char>(a[6]) >> 4, 4);
  EXPECT_EQ(static_cast<unsigned char>(a[8]) >> 6, 2);
}

}  // namespace
}  // namespace omendb::bytea
