// NUMERIC against PostgreSQL 15: numeric_cases.tsv (written by gen_numeric_cases.py on a real PostgreSQL)
// holds thousands of inputs, operations, casts, typmods and aggregates with PostgreSQL's text or error;
// each is recomputed with common/numeric.h and must agree exactly. Plus the properties the rest of the
// engine relies on: order-preserving keys, equal values with different scales hashing alike, the wire
// format round trip, and garbage input never doing anything but a SqlError.
#include "common/numeric.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/sqlstate.h"
#include "common/value.h"

namespace omendb {
namespace {

std::string here() {
  return OMENDB_COMMON_TEST_DIR;
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t t = line.find('\t', start);
    out.push_back(line.substr(start, t == std::string::npos ? std::string::npos : t - start));
    if (t == std::string::npos) break;
    start = t + 1;
  }
  return out;
}

std::string N(const std::string& s) {
  return num::parse(s);
}

std::vector<std::string> split_spaces(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

std::string as_double_text(double d) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", d);
  return buf;
}

// The case's answer computed by OmenDB: PostgreSQL's text, or "ERROR <sqlstate> <message>".
std::string compute(const std::vector<std::string>& a, const std::string& kind) {
  auto t = [](const std::string& bytes) { return num::to_text(bytes); };
  if (kind == "in") return t(N(a[0]));
  if (kind == "add") return t(num::add(N(a[0]), N(a[1])));
  if (kind == "sub") return t(num::sub(N(a[0]), N(a[1])));
  if (kind == "mul") return t(num::mul(N(a[0]), N(a[1])));
  if (kind == "div") return t(num::div(N(a[0]), N(a[1])));
  if (kind == "mod") return t(num::mod(N(a[0]), N(a[1])));
  if (kind == "neg") return t(num::negate(N(a[0])));
  if (kind == "abs") return t(num::abs(N(a[0])));
  if (kind == "round") return t(num::round(N(a[0]), std::stoi(a[1])));
  if (kind == "trunc") return t(num::trunc(N(a[0]), std::stoi(a[1])));
  if (kind == "ceil") return t(num::ceil(N(a[0])));
  if (kind == "floor") return t(num::floor(N(a[0])));
  if (kind == "sign") return t(num::sign(N(a[0])));
  if (kind == "cmp") {
    int c = num::compare(N(a[0]), N(a[1]));
    return c < 0 ? "-1" : c == 0 ? "0" : "1";
  }
  if (kind == "int4") return std::to_string(num::to_int64(N(a[0]), INT32_MIN, INT32_MAX, "integer"));
  if (kind == "int8") return std::to_string(num::to_int64(N(a[0]), INT64_MIN, INT64_MAX, "bigint"));
  if (kind == "float8") {
    // The conversion, not float8's text output (common/value.cpp): compared as %.17g of the double.
    return as_double_text(num::to_double(N(a[0])));
  }
  if (kind == "from_float8") {
    std::string s = a[0];
    double d = s == "NaN"         ? std::nan("")
               : s == "Infinity"  ? HUGE_VAL
               : s == "-Infinity" ? -HUGE_VAL
                                  : std::strtod(s.c_str(), nullptr);
    return t(num::from_double(d));
  }
  if (kind == "typmod")
    return t(num::apply_typmod(N(a[0]), num::make_typmod(std::stoi(a[1]), std::stoi(a[2]))));
  if (kind == "sum" || kind == "avg") {
    num::Accumulator acc;
    for (const auto& v : split_spaces(a[0])) acc.add(N(v));
    return t(kind == "sum" ? acc.sum() : acc.avg());
  }
  // numeric_math_cases.tsv
  if (kind == "sqrt") return t(num::sqrt(N(a[0])));
  if (kind == "exp") return t(num::exp(N(a[0])));
  if (kind == "ln") return t(num::ln(N(a[0])));
  if (kind == "log10") return t(num::log(num::from_int64(10), N(a[0])));
  if (kind == "log") return t(num::log(N(a[0]), N(a[1])));
  if (kind == "power") return t(num::power(N(a[0]), N(a[1])));
  if (kind == "div_trunc") return t(num::div_trunc(N(a[0]), N(a[1])));
  if (kind == "gcd") return t(num::gcd(N(a[0]), N(a[1])));
  if (kind == "lcm") return t(num::lcm(N(a[0]), N(a[1])));
  if (kind == "trim_scale") return t(num::trim_scale(N(a[0])));
  if (kind == "min_scale") {
    int32_t s = 0;
    return num::min_scale(N(a[0]), s) ? std::to_string(s) : "NULL";
  }
  ADD_FAILURE() << "unknown kind " << kind;
  return "";
}

// Runs every case of `file` (gen_numeric_cases.py's format); returns how many there were.
int check_cases(const std::string& file) {
  std::ifstream in(here() + "/" + file);
  EXPECT_TRUE(in) << "missing " << file;
  std::string line;
  int total = 0, agree = 0;
  while (std::getline(in, line)) {
    auto f = split_tabs(line);
    EXPECT_GE(f.size(), 3u) << line;
    if (f.size() < 3) continue;
    std::string kind = f[0];
    std::string status = f[f.size() - 2], expected = f.back();
    std::vector<std::string> args(f.begin() + 1, f.end() - 2);
    std::string got;
    try {
      got = compute(args, kind);
      if (status != "ok") got = "ok " + got;
    } catch (const SqlError& e) {
      got = std::string(sqlstate_code(e.state()));
      std::string msg = e.what();
      if (!e.detail().empty()) msg += " | " + e.detail();
      if (status == "ok")
        got += " " + msg;
      else if (msg != expected)
        got += " " + msg;
    }
    if (kind == "float8" && status == "ok") expected = as_double_text(std::strtod(expected.c_str(), nullptr));
    std::string want = status == "ok" ? expected : status;
    ++total;
    if (got == want) {
      ++agree;
    } else {
      ADD_FAILURE() << line.substr(0, 2000) << "\n  got: " << got.substr(0, 2000);
    }
  }
  std::printf("%s: agreement with PostgreSQL 15: %d/%d\n", file.c_str(), agree, total);
  return total;
}

TEST(Numeric, AgreesWithPostgreSQL) {
  EXPECT_GT(check_cases("numeric_cases.tsv"), 5000);
}

// sqrt, exp, ln, log, power (their digits and result scales), div, gcd, lcm, trim_scale, min_scale:
// numeric_math_cases.tsv, written by gen_numeric_math_cases.py on PostgreSQL 15.
TEST(Numeric, MathFunctionsAgreeWithPostgreSQL) {
  EXPECT_GT(check_cases("numeric_math_cases.tsv"), 2500);
}

// Keys sort like the values, and equal values (any scale) encode alike.
TEST(Numeric, KeysPreserveOrderAndEquality) {
  std::vector<std::string> texts = {"-Infinity", "-1e20", "-10",     "-1.5", "-1.25",    "-1",     "-0.5",
                                    "-0.0001",   "0",     "0.00009", "0.5",  "1",        "1.0001", "1.5",
                                    "9999",      "10000", "10000.5", "1e20", "Infinity", "NaN"};
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::uniform_int_distribution<int> len(1, 30), dig(0, 9), pt(0, 30);
    std::string s = rng() % 2 ? "-" : "";
    int n = len(rng);
    for (int k = 0; k < n; ++k) s.push_back(static_cast<char>('0' + dig(rng)));
    int p = std::min(pt(rng), n);
    if (p < n) s.insert(s.size() - static_cast<size_t>(p), ".");
    texts.push_back(s);
  }
  std::vector<std::string> vals;
  for (const auto& t : texts) vals.push_back(N(t));
  for (size_t i = 0; i < vals.size(); ++i) {
    for (size_t j = i % 37; j < vals.size(); j += 37) {
      std::string ki, kj;
      num::append_key(vals[i], ki);
      num::append_key(vals[j], kj);
      ki.push_back('\x01');  // a following key column must not change the order
      kj.push_back('\x00');
      int c = num::compare(vals[i], vals[j]);
      int kc = ki.compare(0, ki.size() - 1, kj, 0, kj.size() - 1);
      EXPECT_EQ(c < 0, kc < 0) << texts[i] << " vs " << texts[j];
      EXPECT_EQ(c == 0, kc == 0) << texts[i] << " vs " << texts[j];
      if (c < 0) {
        EXPECT_LT(ki, kj) << texts[i] << " vs " << texts[j];  // with the following column's bytes
      }
    }
  }
  std::string a, b;
  num::append_key(N("1.0"), a);
  num::append_key(N("1.000000"), b);
  EXPECT_EQ(a, b);
}

TEST(Numeric, ScaleOnlyInDscaleBytes) {
  std::string a = N("1.0"), b = N("1.00"), c = N("001"), z1 = N("-0.000"), z2 = N("0");
  EXPECT_EQ(num::compare(a, b), 0);
  auto value_bytes = [](const std::string& s) {
    return s.substr(0, num::kDscaleOffset) + s.substr(num::kDscaleOffset + 2);
  };
  EXPECT_EQ(value_bytes(a), value_bytes(b));
  EXPECT_EQ(value_bytes(a), value_bytes(c));
  EXPECT_EQ(value_bytes(z1), value_bytes(z2));
  EXPECT_EQ(num::to_text(b), "1.00");
  EXPECT_EQ(num::to_text(z1), "0.000");
}

TEST(Numeric, WireRoundTripAndValidation) {
  for (const char* t : {"0", "1.50", "-123456789.000001", "NaN", "-Infinity", "1e-1000", "123e500"}) {
    std::string v = N(t);
    EXPECT_EQ(num::from_wire(v), v) << t;
  }
  // PostgreSQL's numeric_send of 1234.5678 (ndigits 2, weight 0, +, dscale 4).
  std::string pg("\x00\x02\x00\x00\x00\x00\x00\x04\x04\xd2\x16\x2e", 12);
  EXPECT_EQ(num::to_text(num::from_wire(pg)), "1234.5678");
  // Digits beyond dscale are truncated; leading and trailing zero digits removed.
  // 0000 0001 . 5678 with weight 1 and dscale 1: 1.5
  std::string raw("\x00\x03\x00\x01\x00\x00\x00\x01\x00\x00\x00\x01\x16\x2e", 14);
  auto code = [](const std::string& b) {
    try {
      num::from_wire(b);
    } catch (const SqlError& e) {
      return std::string(sqlstate_code(e.state()));
    }
    return std::string("ok");
  };
  EXPECT_EQ(code(std::string("\x00\x01\x00\x00\x00\x00\x00\x00\x27\x10", 10)), "22P03");  // digit 10000
  EXPECT_EQ(code(std::string("\x00\x00\x00\x00\x12\x34\x00\x00", 8)), "22P03");           // sign
  EXPECT_EQ(code(std::string("\x00\x00\x00\x00\x00\x00\x40\x00", 8)), "22P03");           // dscale
  EXPECT_EQ(code(std::string("\x00\x02\x00\x00\x00\x00\x00\x00\x00\x01", 10)), "22P03");  // short
  EXPECT_EQ(code(std::string("\x00\x02", 2)), "22P03");
}

TEST(Numeric, IntegersAndAccumulator) {
  EXPECT_EQ(num::to_text(num::from_int64(INT64_MIN)), "-9223372036854775808");
  EXPECT_EQ(num::to_text(num::from_int64(0)), "0");
  num::Accumulator acc;
  for (int i = 1; i <= 4; ++i) acc.add_int(i);
  acc.add(N("0.50"));
  EXPECT_EQ(num::to_text(acc.sum()), "10.50");
  EXPECT_EQ(num::to_text(acc.avg()), "2.1000000000000000");
  num::Accumulator big;
  for (int i = 0; i < 3; ++i) big.add_int(INT64_MAX);
  EXPECT_EQ(num::to_text(big.sum()), "27670116110564327421");
}

// var_samp / stddev_samp / var_pop over 1, 2, 3, 4 and 1.5, 2.25 (PostgreSQL 15's digits); NULL for
// too few values; NaN when one is NaN; a square root rounded at the scale asked for.
TEST(Numeric, VarianceAndSqrt) {
  auto variance = [](const std::vector<std::string>& values, bool sample, bool stddev) {
    num::Accumulator x, xx;
    for (const auto& v : values) {
      x.add(N(v));
      xx.add_square(N(v));
    }
    std::string out;
    return num::variance(x, xx, sample, stddev, out) ? num::to_text(out) : std::string("NULL");
  };
  EXPECT_EQ(variance({"1", "2", "3", "4"}, true, false), "1.6666666666666667");
  EXPECT_EQ(variance({"1", "2", "3", "4"}, true, true), "1.2909944487358056");
  EXPECT_EQ(variance({"1", "2", "3", "4"}, false, false), "1.2500000000000000");
  EXPECT_EQ(variance({"1.5", "2.25"}, false, true), "0.37500000000000000000");
  EXPECT_EQ(variance({"7"}, true, false), "NULL");
  EXPECT_EQ(variance({"7"}, false, false), "0");
  EXPECT_EQ(variance({}, false, false), "NULL");
  EXPECT_EQ(variance({"NaN", "1"}, true, false), "NaN");
  EXPECT_EQ(num::to_text(num::sqrt(N("2"), 16)), "1.4142135623730950");
  EXPECT_EQ(num::to_text(num::sqrt(N("0.0001"), 4)), "0.0100");
  EXPECT_THROW(num::sqrt(N("-1"), 2), SqlError);
}

TEST(Numeric, TypmodErrorsAndNames) {
  EXPECT_EQ(num::type_name_with_typmod(num::make_typmod(10, 2)), "numeric(10,2)");
  EXPECT_EQ(num::typmod_scale(num::make_typmod(5, -3)), -3);
  EXPECT_THROW(num::make_typmod(0, 0), SqlError);
  EXPECT_THROW(num::make_typmod(1001, 0), SqlError);
  EXPECT_THROW(num::make_typmod(10, -1001), SqlError);
}

// Random bytes and strings: only SqlError, never a crash or another exception.
TEST(Numeric, GarbageInput) {
  std::mt19937_64 rng(42);
  const std::string alphabet = "0123456789.eE+-naNIfinty \t";
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    int n = static_cast<int>(rng() % 24);
    for (int k = 0; k < n; ++k) s.push_back(alphabet[rng() % alphabet.size()]);
    try {
      std::string v = num::parse(s);
      EXPECT_EQ(num::compare(num::parse(num::to_text(v)), v), 0) << s;
    } catch (const SqlError&) {
    }
    std::string b;
    int m = static_cast<int>(rng() % 20);
    for (int k = 0; k < m; ++k) b.push_back(static_cast<char>(rng() % 4 == 0 ? rng() : rng() % 3));
    try {
      std::string v = num::from_wire(b);
      EXPECT_EQ(num::from_wire(v), v);
    } catch (const SqlError&) {
    }
  }
}

// add, sub, mul and sums of small values take a 128-bit path (no GMP); it must give the GMP path's bytes.
TEST(Numeric, SmallValuePathGivesTheGmpPathsBytes) {
  std::mt19937_64 rng(20261207);
  auto random_text = [&] {
    static const char* fixed[] = {"0",
                                  "-0",
                                  "0.0000",
                                  "1",
                                  "-1",
                                  "9999999999999999",
                                  "99999999999999999999",
                                  "0.0001",
                                  "-0.00000001",
                                  "9999999999999999.9999999999999999",
                                  "1.50000000000000000000000",
                                  "123456789012345678901234567890",
                                  "100000000000000000000",
                                  "0.5",
                                  "-12345.678",
                                  "1e-30",
                                  "5e25"};
    if (rng() % 8 == 0) return std::string(fixed[rng() % (sizeof fixed / sizeof *fixed)]);
    const int digits = 1 + static_cast<int>(rng() % 22);
    const int scale = static_cast<int>(rng() % 20);
    std::string d;
    for (int i = 0; i < digits; ++i) d += static_cast<char>('0' + rng() % 10);
    if (scale > 0) {
      if (scale >= digits)
        d = "0." + std::string(static_cast<size_t>(scale - digits), '0') + d;
      else
        d.insert(d.size() - static_cast<size_t>(scale), ".");
    }
    if (rng() % 3 == 0) d += std::string(rng() % 6, '0');  // display scale beyond the digits
    return (rng() % 2 ? "-" : "") + d;
  };
  auto both = [](auto&& f) {
    num::testing::set_small_path(true);
    std::string fast = f();
    num::testing::set_small_path(false);
    std::string gmp = f();
    num::testing::set_small_path(true);
    return std::make_pair(fast, gmp);
  };
  for (int i = 0; i < 20000; ++i) {
    const std::string ta = random_text(), tb = random_text();
    const std::string a = num::parse(ta), b = num::parse(tb);
    auto [fa, ga] = both([&] { return num::add(a, b); });
    EXPECT_EQ(fa, ga) << ta << " + " << tb << ": " << num::to_text(fa) << " vs " << num::to_text(ga);
    auto [fs, gs] = both([&] { return num::sub(a, b); });
    EXPECT_EQ(fs, gs) << ta << " - " << tb << ": " << num::to_text(fs) << " vs " << num::to_text(gs);
    auto [fm, gm] = both([&] { return num::mul(a, b); });
    EXPECT_EQ(fm, gm) << ta << " * " << tb << ": " << num::to_text(fm) << " vs " << num::to_text(gm);
    if (HasFailure()) return;
  }
  // Sums: runs of small values with changing scales, large ones mixed in, and specials.
  for (int run = 0; run < 300; ++run) {
    std::vector<std::string> values;
    const int n = 1 + static_cast<int>(rng() % 200);
    for (int i = 0; i < n; ++i) values.push_back(num::parse(random_text()));
    if (run % 50 == 7) values.push_back(num::parse("NaN"));
    auto [fsum, gsum] = both([&] {
      num::Accumulator acc;
      for (const auto& v : values) acc.add(v);
      return acc.sum() + "|" + acc.avg();
    });
    EXPECT_EQ(fsum, gsum) << "run " << run;
  }
}

}  // namespace
}  // namespace omendb
