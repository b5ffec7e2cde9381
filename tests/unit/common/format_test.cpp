// to_char / to_timestamp / to_date over templates and inputs nobody wrote by hand: random templates built
// from keyword fragments, separators, quotes, backslashes and arbitrary bytes must give a result or a
// SqlError, never a crash or a read past the input (the ASan build runs this); and values written with a
// template read back to themselves. The answers for hand-written cases are in
// tests/sql/datetime/formatting.test and tests/sql/numeric/to_char.test (computed by PostgreSQL 15).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "common/datetime.h"
#include "common/datetime_format.h"
#include "common/error.h"
#include "common/number_format.h"
#include "common/numeric.h"

using namespace omendb;

namespace {

const std::vector<std::string> kPieces = {
    "YYYY",     "YYY",  "YY",   "Y",    "Y,YYY", "IYYY", "IW", "ID",   "IDDD", "MM",  "Mon", "MONTH",
    "month",    "DD",   "DDD",  "D",    "Day",   "dy",   "HH", "HH12", "HH24", "MI",  "SS",  "SSSS",
    "MS",       "US",   "FF3",  "FF6",  "AM",    "p.m.", "BC", "a.d.", "TZ",   "TZH", "TZM", "OF",
    "CC",       "J",    "Q",    "W",    "WW",    "RM",   "rm", "FM",   "TM",   "FX",  "TH",  "th",
    "SP",       "9",    "0",    ".",    ",",     "D",    "G",  "S",    "PL",   "MI",  "SG",  "PR",
    "L",        "B",    "V",    "EEEE", "RN",    " ",    "-",  "/",    ":",    "\"",  "\\",  "\"x\"",
    "\xc3\xa9", "\xe2", "\xff", "x",    "1",     "+",
};

std::string random_template(std::mt19937_64& rng) {
  std::string s;
  int n = static_cast<int>(rng() % 9);
  for (int i = 0; i < n; ++i) s += kPieces[rng() % kPieces.size()];
  return s;
}

std::string random_input(std::mt19937_64& rng) {
  static const std::string kChars = "0123456789 -+/:.,xX\"\\JanMarPMamBCadTueIVX\xc3\xa9\xff";
  std::string s;
  int n = static_cast<int>(rng() % 24);
  for (int i = 0; i < n; ++i) s += kChars[rng() % kChars.size()];
  return s;
}

// A string's bytes in a heap block of exactly their size (no terminating NUL), so that a read past the
// end is an ASan error rather than a read of the NUL.
struct Exact {
  explicit Exact(const std::string& s) : bytes(new char[s.size() + (s.empty() ? 1 : 0)]), size(s.size()) {
    std::copy(s.begin(), s.end(), bytes.get());
  }
  std::string_view view() const { return {bytes.get(), size}; }
  std::unique_ptr<char[]> bytes;
  size_t size;
};

template <class F>
void no_crash(F&& f) {
  try {
    f();
  } catch (const SqlError&) {
  }
}

TEST(Format, RandomTemplatesAndInputsNeverCrash) {
  std::mt19937_64 rng(20261206);
  dt::TimeZone ny = *dt::TimeZone::find("America/New_York");
  std::string n1 = num::parse("-1234.5678"), n2 = num::parse("NaN"), n3 = num::parse("0.000001");
  for (int i = 0; i < 20000; ++i) {
    Exact fmt_bytes(random_template(rng)), in_bytes(random_input(rng));
    std::string_view fmt = fmt_bytes.view(), in = in_bytes.view();
    int64_t ts = static_cast<int64_t>(rng() % 20000000000000000ULL) - 10000000000000000LL;
    no_crash([&] { dt::to_char_timestamp(ts, fmt); });
    no_crash([&] { dt::to_char_timestamptz(ts, fmt, ny); });
    no_crash([&] {
      dt::to_char_interval(dt::Interval{ts, static_cast<int32_t>(rng()), static_cast<int32_t>(rng())}, fmt);
    });
    no_crash([&] { dt::to_timestamp_format(in, fmt, ny); });
    no_crash([&] { dt::to_date_format(in, fmt); });
    no_crash([&] { numfmt::to_char_numeric(i % 3 == 0 ? n1 : i % 3 == 1 ? n2 : n3, fmt); });
    no_crash([&] { numfmt::to_char_int(static_cast<int64_t>(rng()), fmt, rng() % 2 == 0); });
    no_crash([&] { numfmt::to_char_double(static_cast<double>(static_cast<int64_t>(rng())) / 1e6, fmt); });
  }
}

TEST(Format, TimestampsReadBackThroughTheirTemplate) {
  std::mt19937_64 rng(7);
  const std::string fmt = "YYYY-MM-DD HH24:MI:SS.US BC";
  for (int i = 0; i < 5000; ++i) {
    // 4713 BC .. 9999 AD
    int64_t ts = static_cast<int64_t>(rng() % 464000000000000000ULL) - 211000000000000000LL;
    auto text = dt::to_char_timestamp(ts, fmt);
    ASSERT_TRUE(text.has_value());
    EXPECT_EQ(dt::to_timestamp_format(*text, fmt, dt::TimeZone::utc()), ts) << *text;
  }
}

TEST(Format, DatesReadBackThroughIsoWeekTemplates) {
  for (dt::Date d = -800000; d < 3000000; d += 997) {
    dt::Timestamp ts = dt::date_to_timestamp(d);
    auto iso = dt::to_char_timestamp(ts, "IYYY-IW-ID");
    auto greg = dt::to_char_timestamp(ts, "YYYY-DDD");
    ASSERT_TRUE(iso && greg);
    if (d >= -730000) {  // ISO years and day-of-year counts are AD only here
      EXPECT_EQ(dt::to_date_format(*iso, "IYYY-IW-ID"), d) << *iso;
      EXPECT_EQ(dt::to_date_format(*greg, "YYYY-DDD"), d) << *greg;
    }
  }
}

}  // namespace
