#include "storage/key_codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace omendb::storage::keycodec {
namespace {

std::string enc_int(int64_t v) {
  std::string s;
  append_int(v, s);
  return s;
}
std::string enc_double(double v) {
  std::string s;
  append_double(v, s);
  return s;
}
std::string enc_text(std::string_view v) {
  std::string s;
  append_text(v, s);
  return s;
}

// SQL order for doubles as PostgreSQL sorts them: NaN above everything, -0 == +0.
int cmp_double(double a, double b) {
  bool an = std::isnan(a), bn = std::isnan(b);
  if (an || bn) return an == bn ? 0 : (an ? 1 : -1);
  return a < b ? -1 : (a > b ? 1 : 0);
}

int sign(int c) {
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

TEST(KeyCodec, IntOrderMatchesValueOrder) {
  std::mt19937_64 rng(42);
  std::vector<int64_t> vals = {0,
                               1,
                               -1,
                               std::numeric_limits<int64_t>::min(),
                               std::numeric_limits<int64_t>::max(),
                               42,
                               -42,
                               std::numeric_limits<int32_t>::min(),
                               std::numeric_limits<int32_t>::max()};
  for (int i = 0; i < 2000; ++i) {
    int64_t v = static_cast<int64_t>(rng());
    if (i % 3 == 0) v >>= (rng() % 60);
    vals.push_back(v);
  }
  for (size_t i = 0; i + 1 < vals.size(); ++i) {
    for (size_t j : {i + 1, (i * 7919) % vals.size()}) {
      int64_t a = vals[i], b = vals[j];
      EXPECT_EQ(sign(enc_int(a).compare(enc_int(b))), a < b ? -1 : (a > b ? 1 : 0)) << a << " vs " << b;
    }
  }
  // Sorting encoded keys sorts the values.
  std::vector<std::string> encoded;
  for (int64_t v : vals) encoded.push_back(enc_int(v));
  std::sort(encoded.begin(), encoded.end());
  std::sort(vals.begin(), vals.end());
  for (size_t i = 0; i < vals.size(); ++i) {
    size_t pos = 0;
    int64_t out;
    ASSERT_TRUE(decode_int(encoded[i], pos, out));
    EXPECT_EQ(out, vals[i]);
    EXPECT_EQ(pos, 8u);
  }
}

// smallint keys: the integer encoding of the sign-extended value, so their byte order is the values' order
// over the whole range, and a smallint key equals the integer / bigint key of the same value (a range bound
// of another integer type encodes alike).
TEST(KeyCodec, SmallintOrderMatchesValueOrder) {
  auto enc = [](TypeId type, int64_t v) {
    Datum d{};
    d.i64 = v;
    std::string s;
    append_datum(type, d, s);
    return s;
  };
  std::vector<std::string> encoded;
  for (int64_t v = INT16_MIN; v <= INT16_MAX; v += 7) encoded.push_back(enc(TypeId::Int16, v));
  encoded.push_back(enc(TypeId::Int16, INT16_MAX));
  EXPECT_TRUE(std::is_sorted(encoded.begin(), encoded.end()));
  EXPECT_TRUE(std::adjacent_find(encoded.begin(), encoded.end()) == encoded.end());
  for (int64_t v : {int64_t{INT16_MIN}, int64_t{-1}, int64_t{0}, int64_t{1}, int64_t{INT16_MAX}}) {
    EXPECT_EQ(enc(TypeId::Int16, v), enc(TypeId::Int32, v)) << v;
    EXPECT_EQ(enc(TypeId::Int16, v), enc_int(v)) << v;
    size_t pos = 0;
    int64_t out = 0;
    ASSERT_TRUE(decode_int(enc(TypeId::Int16, v), pos, out));
    EXPECT_EQ(out, v);
  }
  // a bound beyond smallint's range sorts outside every smallint key
  EXPECT_LT(enc(TypeId::Int32, -40000), enc(TypeId::Int16, INT16_MIN));
  EXPECT_GT(enc(TypeId::Int32, 40000), enc(TypeId::Int16, INT16_MAX));
}

// A real key is its double's key: ordered as the values, -0 = 0, NaN above Infinity, and the same bytes as
// a double precision bound of the same value.
TEST(KeyCodec, RealKeysAreTheirDoubles) {
  auto enc = [](TypeId type, double v) {
    Datum d{};
    d.f64 = v;
    std::string s;
    append_datum(type, d, s);
    return s;
  };
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> vals = {-inf, -3.4028235e38f, -1.5f,       -1e-45f,       0.0f, 1e-45f,
                             0.1f, 1.0f,           16777216.0f, 3.4028235e38f, inf};
  std::vector<std::string> encoded;
  for (float v : vals) encoded.push_back(enc(TypeId::Float32, v));
  encoded.push_back(enc(TypeId::Float32, std::nanf("")));
  EXPECT_TRUE(std::is_sorted(encoded.begin(), encoded.end()));
  EXPECT_TRUE(std::adjacent_find(encoded.begin(), encoded.end()) == encoded.end());
  EXPECT_EQ(enc(TypeId::Float32, -0.0f), enc(TypeId::Float32, 0.0f));
  for (float v : vals) EXPECT_EQ(enc(TypeId::Float32, v), enc(TypeId::Float64, v)) << v;
}

TEST(KeyCodec, DoubleOrderMatchesValueOrder) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> small(-1000.0, 1000.0);
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> vals = {0.0,
                              -0.0,
                              1.0,
                              -1.0,
                              inf,
                              -inf,
                              std::numeric_limits<double>::quiet_NaN(),
                              -std::numeric_limits<double>::quiet_NaN(),
                              std::numeric_limits<double>::denorm_min(),
                              -std::numeric_limits<double>::denorm_min(),
                              std::numeric_limits<double>::max(),
                              std::numeric_limits<double>::lowest(),
                              std::numeric_limits<double>::min()};
  for (int i = 0; i < 1000; ++i) vals.push_back(small(rng));
  for (int i = 0; i < 1000; ++i) {
    double d = std::bit_cast<double>(rng());
    vals.push_back(d);
  }
  for (size_t i = 0; i < vals.size(); ++i) {
    for (size_t j = 0; j < vals.size(); j += 37) {
      double a = vals[i], b = vals[j];
      EXPECT_EQ(sign(enc_double(a).compare(enc_double(b))), cmp_double(a, b)) << a << " vs " << b;
    }
  }
  EXPECT_EQ(enc_double(-0.0), enc_double(0.0));
  EXPECT_GT(enc_double(std::numeric_limits<double>::quiet_NaN()), enc_double(inf));
  EXPECT_GT(enc_double(-std::numeric_limits<double>::quiet_NaN()), enc_double(inf));
  EXPECT_LT(enc_double(-inf), enc_double(std::numeric_limits<double>::lowest()));
}

TEST(KeyCodec, DoubleRoundTrip) {
  for (double d : {0.0, 1.5, -1.5, 1e300, -1e-300, std::numeric_limits<double>::infinity(),
                   -std::numeric_limits<double>::infinity()}) {
    std::string s = enc_double(d);
    size_t pos = 0;
    double out = 0;
    ASSERT_TRUE(decode_double(s, pos, out));
    EXPECT_EQ(out, d);
    EXPECT_EQ(pos, 8u);
  }
  std::string s = enc_double(std::numeric_limits<double>::quiet_NaN());
  size_t pos = 0;
  double out = 0;
  ASSERT_TRUE(decode_double(s, pos, out));
  EXPECT_TRUE(std::isnan(out));
  // -0.0 is normalized.
  s = enc_double(-0.0);
  pos = 0;
  ASSERT_TRUE(decode_double(s, pos, out));
  EXPECT_EQ(out, 0.0);
  EXPECT_FALSE(std::signbit(out));
}

TEST(KeyCodec, TextOrderMatchesValueOrderWithEmbeddedNul) {
  std::mt19937 rng(3);
  std::vector<std::string> vals = {"",
                                   std::string("\0", 1),
                                   std::string("\0\0", 2),
                                   "a",
                                   std::string("a\0", 2),
                                   std::string("a\0b", 3),
                                   "a\x01",
                                   "ab",
                                   "b",
                                   "\xff",
                                   "\xff\xff",
                                   "abc"};
  const char alphabet[] = {'\0', '\x01', 'a', 'b', '\xfe', '\xff'};
  for (int i = 0; i < 500; ++i) {
    std::string s;
    int len = rng() % 6;
    for (int k = 0; k < len; ++k) s.push_back(alphabet[rng() % sizeof alphabet]);
    vals.push_back(s);
  }
  for (size_t i = 0; i < vals.size(); ++i) {
    for (size_t j = 0; j < vals.size(); ++j) {
      const std::string& a = vals[i];
      const std::string& b = vals[j];
      // std::string compares as unsigned bytes (char_traits<char>::compare uses memcmp semantics).
      ASSERT_EQ(sign(enc_text(a).compare(enc_text(b))), sign(a.compare(b)))
          << "'" << a << "' vs '" << b << "'";
    }
  }
  for (const std::string& v : vals) {
    std::string enc = enc_text(v) + "trailing";
    size_t pos = 0;
    std::string out;
    ASSERT_TRUE(decode_text(enc, pos, out));
    EXPECT_EQ(out, v);
    EXPECT_EQ(enc.substr(pos), "trailing");
  }
}

// bytea and uuid keys (append_datum) order as PostgreSQL's byteacmp / uuid_cmp (memcmp, then the shorter
// first), also as the first of two key columns (the encoding must be prefix-free), and decode back.
TEST(KeyCodec, ByteaAndUuidOrderMatchesByteaCmp) {
  std::mt19937 rng(11);
  const char alphabet[] = {'\0', '\x01', '\x02', 'a', '\x7f', '\x80', '\xfe', '\xff'};
  for (TypeId type : {TypeId::Bytea, TypeId::Uuid}) {
    std::vector<std::string> vals;
    for (int i = 0; i < 300; ++i) {
      std::string s;
      size_t len = type == TypeId::Uuid ? 16 : rng() % 5;
      for (size_t k = 0; k < len; ++k) s.push_back(alphabet[rng() % sizeof alphabet]);
      vals.push_back(s);
    }
    auto enc = [&](const std::string& v, const std::string& second) {
      std::string out;
      Datum d{};
      d.str = StrRef{v.data(), v.size()};
      append_datum(type, d, out);
      d.str = StrRef{second.data(), second.size()};
      append_datum(type, d, out);
      return out;
    };
    auto bytea_cmp = [](const std::string& a, const std::string& b) {
      int c = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
      if (c != 0) return sign(c);
      return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
    };
    for (size_t i = 0; i < vals.size(); ++i) {
      for (size_t j = 0; j < vals.size(); j += 1 + i % 3) {
        const std::string &a = vals[i], &b = vals[j], &a2 = vals[(i * 7) % vals.size()],
                          &b2 = vals[(j * 13) % vals.size()];
        int want = bytea_cmp(a, b);
        if (want == 0) want = bytea_cmp(a2, b2);
        ASSERT_EQ(sign(enc(a, a2).compare(enc(b, b2))), want)
            << static_cast<int>(type) << " " << i << " " << j;
      }
      std::string e = enc(vals[i], vals[0]);
      size_t pos = 0;
      std::string out;
      ASSERT_TRUE(decode_text(e, pos, out));
      EXPECT_EQ(out, vals[i]);
    }
  }
}

TEST(KeyCodec, CompositeKeysOrderByFirstColumnThenSecond) {
  // (text, int) keys: a shorter text must sort before any longer one regardless of the next column.
  auto key = [](std::string_view t, int64_t i) {
    std::string s;
    append_table_prefix(7, s);
    append_text(t, s);
    append_int(i, s);
    return s;
  };
  EXPECT_LT(key("a", 1000), key(std::string_view("a\0", 2), -5));
  EXPECT_LT(key("a", 5), key("ab", -100));
  EXPECT_LT(key("a", -1), key("a", 1));
  EXPECT_LT(key("", 99), key(std::string_view("\0", 1), -99));
}

TEST(KeyCodec, BoolAndDatum) {
  std::string f, t;
  append_bool(false, f);
  append_bool(true, t);
  EXPECT_LT(f, t);
  size_t pos = 0;
  bool b = false;
  ASSERT_TRUE(decode_bool(t, pos, b));
  EXPECT_TRUE(b);

  Datum d{};
  d.i64 = -5;
  std::string a, c;
  append_datum(TypeId::Int32, d, a);
  append_int(-5, c);
  EXPECT_EQ(a, c);  // int and bigint encode alike
  std::string txt = "hi";
  d.str = StrRef{txt.data(), txt.size()};
  a.clear();
  append_datum(TypeId::Text, d, a);
  EXPECT_EQ(a, enc_text("hi"));
}

TEST(KeyCodec, TablePrefixAndVersion) {
  std::string k;
  append_table_prefix(0x01020304, k);
  EXPECT_EQ(k, std::string("\x01\x02\x03\x04", 4));
  EXPECT_EQ(decode_table_id(k), 0x01020304u);
  std::string a, b;
  append_table_prefix(1, a);
  append_table_prefix(256, b);
  EXPECT_LT(a, b);

  std::string v5 = "k", v6 = "k";
  append_version(5, v5);
  append_version(6, v6);
  EXPECT_LT(v6, v5);  // newest first
  EXPECT_EQ(decode_version(v5), 5u);
  EXPECT_EQ(decode_version(v6), 6u);
  EXPECT_EQ(v5.size(), 1 + kVersionSize);
}

TEST(KeyCodec, PrefixSuccessor) {
  EXPECT_EQ(prefix_successor("abc"), "abd");
  EXPECT_EQ(prefix_successor(std::string("a\xff\xff", 3)), "b");
  EXPECT_EQ(prefix_successor(std::string("\xff\xff", 2)), "");
  EXPECT_EQ(prefix_successor(""), "");
  EXPECT_EQ(prefix_successor(std::string("\x00\x00\x00\x01", 4)), std::string("\x00\x00\x00\x02", 4));
  // Every key with the prefix sorts below the successor; the successor is above the prefix.
  std::string p("a\xfe", 2);
  std::string succ = prefix_successor(p);
  for (std::string ext : {std::string(""), std::string("\xff\xff\xff"), std::string("\0", 1)}) {
    EXPECT_LT(p + ext, succ);
  }
  EXPECT_GT(succ, p);
}

TEST(KeyCodec, MalformedInputIsRejected) {
  size_t pos = 0;
  int64_t i;
  EXPECT_FALSE(decode_int("abc", pos, i));
  std::string bad("ab\0", 3);
  pos = 0;
  std::string out;
  EXPECT_FALSE(decode_text(bad, pos, out));
  std::string bad2("ab\0\x05", 4);
  pos = 0;
  EXPECT_FALSE(decode_text(bad2, pos, out));
  bool b;
  pos = 0;
  EXPECT_FALSE(decode_bool(std::string("\x02", 1), pos, b));
}

}  // namespace
}  // namespace omendb::storage::keycodec
