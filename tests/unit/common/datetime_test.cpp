// Differential test of src/common/datetime against PostgreSQL 15: datetime_cases.tsv holds thousands of
// inputs with the answers (text or SQLSTATE + message) a real PostgreSQL gave (gen_datetime_cases.py).
// Every case must agree exactly, except those listed in datetime_known_differences.txt (each of which
// docs/types.md explains); a listed case that starts agreeing fails the test too, so the list stays true.
// Set DATETIME_MISMATCH_OUT=file to write every disagreement out.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/datetime.h"
#include "common/error.h"

using namespace omendb;
using namespace omendb::dt;

namespace {

std::string here() {
  return OMENDB_COMMON_TEST_DIR;
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t tab = line.find('\t', start);
    out.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) break;
    start = tab + 1;
  }
  return out;
}

struct Outcome {
  std::string status;  // "ok", "null" or a SQLSTATE
  std::string text;
};

using Args = std::vector<std::string>;
using Fn = std::function<Outcome(const Args&, const DateTimeContext&)>;

Outcome ok(std::string s) {
  return {"ok", std::move(s)};
}
double f8(const std::string& s) {
  return std::strtod(s.c_str(), nullptr);
}
int i4(const std::string& s) {  // PostgreSQL's '...'::int
  long long v = std::stoll(s);
  if (v < INT32_MIN || v > INT32_MAX)
    throw SqlError(SqlState::NumericValueOutOfRange, "value \"" + s + "\" is out of range for type integer");
  return (int)v;
}
Outcome part(const PartResult& r) {
  return r.null ? Outcome{"null", ""} : ok(r.text);
}

std::map<std::string, Fn> kinds() {
  std::map<std::string, Fn> k;
  auto D = [](const std::string& s, const DateTimeContext& c) { return date_in(s, c); };
  auto T = [](const std::string& s, const DateTimeContext& c) { return timestamp_in(s, c); };
  auto TZ = [](const std::string& s, const DateTimeContext& c) { return timestamptz_in(s, c); };
  auto I = [](const std::string& s) { return interval_in(s); };
  k["date_in"] = [=](const Args& a, const DateTimeContext& c) { return ok(date_out(D(a[0], c))); };
  k["date_in_now"] = k["date_in"];
  k["time_in"] = [](const Args& a, const DateTimeContext& c) { return ok(time_out(time_in(a[0], c))); };
  k["time_in_now"] = k["time_in"];
  k["ts_in"] = [=](const Args& a, const DateTimeContext& c) { return ok(timestamp_out(T(a[0], c))); };
  k["ts_in_now"] = k["ts_in"];
  k["tstz_in"] = [=](const Args& a, const DateTimeContext& c) {
    return ok(timestamptz_out(TZ(a[0], c), c.tz));
  };
  k["tstz_in_now"] = k["tstz_in"];
  k["iv_in"] = [=](const Args& a, const DateTimeContext&) { return ok(interval_out(I(a[0]))); };
  k["ts_pl_iv"] = [=](const Args& a, const DateTimeContext& c) {
    return ok(timestamp_out(timestamp_pl_interval(T(a[0], c), I(a[1]))));
  };
  k["ts_mi_iv"] = [=](const Args& a, const DateTimeContext& c) {
    return ok(timestamp_out(timestamp_mi_interval(T(a[0], c), I(a[1]))));
  };
  k["tstz_pl_iv"] = [=](const Args& a, const DateTimeContext& c) {
    return ok(timestamptz_out(timestamptz_pl_interval(TZ(a[0], c), I(a[1]), c.tz), c.tz));
  };
  k["tstz_mi_iv"] = [=](const Args& a, const DateTimeContext& c) {
    return ok(timestamptz_out(timestamptz_mi_interval(TZ(a[0], c), I(a[1]), c.tz), c.tz));
  };
  k["ts_mi_ts"] = [=](const Args& a, const DateTimeContext& c) {
    return ok(interval_out(timestamp_mi(T(a[0], c), T(a[1], c))));
  };
  k["tstz_mi_tstz"] = [=](const Args& a, const DateTimeContext& c) {
    return ok(interval_out(timestamp_mi(TZ(a[0], c), TZ(a[1], c))));
  };
  k["date_pl_int"] = [=](const Args& a, const DateTimeContext& c) {
    return ok(date_out(date_pl_days(D(a[0], c), i4(a[1]))));
  };
  k["date_mi_int"] = [=](const Args& a, const DateTimeContext& c) {
    return ok(date_out(date_mi_days(D(a[0], c), i4(a[1]))));
  };
  k["date_mi_date"] = [=](const Args& a, const DateTimeContext& c) {
    return ok(std::to_string(date_mi(D(a[0], c), D(a[1], c))));
  };
  k["date_pl_iv"] = [=](const Args& a, const DateTimeContext& c) {
    return ok(timestamp_out(date_pl_interval(D(a[0], c), I(a[1]))));
  };
  k["iv_pl_iv"] = [=](const Args& a, const DateTimeContext&) {
    return ok(interval_out(interval_pl(I(a[0]), I(a[1]))));
  };
  k["iv_mi_iv"] = [=](const Args& a, const DateTimeContext&) {
    return ok(interval_out(interval_mi(I(a[0]), I(a[1]))));
  };
  k["iv_mul"] = [=](const Args& a, const DateTimeContext&) {
    return ok(interval_out(interval_mul(I(a[0]), f8(a[1]))));
  };
  k["iv_div"] = [=](const Args& a, const DateTimeContext&) {
    return ok(interval_out(interval_div(I(a[0]), f8(a[1]))));
  };
  k["iv_neg"] = [=](const Args& a, const DateTimeContext&) { return ok(interval_out(interval_um(I(a[0])))); };
  k["iv_cmp"] = [=](const Args& a, const DateTimeContext&) {
    return ok(std::to_string(interval_cmp(I(a[0]), I(a[1]))));
  };
  k["justify_days"] = [=](const Args& a, const DateTimeContext&) {
    return ok(interval_out(justify_days(I(a[0]))));
  };
  k["justify_hours"] = [=](const Args& a, const DateTimeContext&) {
    return ok(interval_out(justify_hours(I(a[0]))));
  };
  k["justify_interval"] = [=](const Args& a, const DateTimeContext&) {
    return ok(interval_out(justify_interval(I(a[0]))));
  };
  k["trunc_ts"] = [=](const Args& a, const DateTimeContext& c) {
    return ok(timestamp_out(date_trunc(a[0], T(a[1], c))));
  };
  k["trunc_tstz"] = [=](const Args& a, const DateTimeContext& c) {
    return ok(timestamptz_out(date_trunc_tz(a[0], TZ(a[1], c), c.tz), c.tz));
  };
  k["trunc_tstz_zone"] = [=](const Args& a, const DateTimeContext& c) {
    return ok(timestamptz_out(date_trunc_zone(a[0], TZ(a[1], c), a[2]), c.tz));
  };
  k["trunc_iv"] = [=](const Args& a, const DateTimeContext&) {
    return ok(interval_out(date_trunc_interval(a[0], I(a[1]))));
  };
  for (bool numeric : {false, true}) {
    std::string p = numeric ? "extract_" : "part_";
    k[p + "ts"] = [=](const Args& a, const DateTimeContext& c) {
      return part(date_part_timestamp(a[0], T(a[1], c), numeric));
    };
    k[p + "tstz"] = [=](const Args& a, const DateTimeContext& c) {
      return part(date_part_timestamptz(a[0], TZ(a[1], c), c.tz, numeric));
    };
    k[p + "date"] = [=](const Args& a, const DateTimeContext& c) {
      return part(date_part_date(a[0], D(a[1], c), numeric));
    };
    k[p + "time"] = [=](const Args& a, const DateTimeContext& c) {
      return part(date_part_time(a[0], time_in(a[1], c), numeric));
    };
    k[p + "iv"] = [=](const Args& a, const DateTimeContext&) {
      return part(date_part_interval(a[0], I(a[1]), numeric));
    };
  }
  k["age_ts"] = [=](const Args& a, const DateTimeContext& c) {
    return ok(interval_out(age(T(a[0], c), T(a[1], c))));
  };
  k["age_tstz"] = [=](const Args& a, const DateTimeContext& c) {
    return ok(interval_out(age_tz(TZ(a[0], c), TZ(a[1], c), c.tz)));
  };
  k["make_date"] = [](const Args& a, const DateTimeContext&) {
    return ok(date_out(make_date(i4(a[0]), i4(a[1]), i4(a[2]))));
  };
  k["make_time"] = [](const Args& a, const DateTimeContext&) {
    return ok(time_out(make_time(i4(a[0]), i4(a[1]), f8(a[2]))));
  };
  k["make_timestamp"] = [](const Args& a, const DateTimeContext&) {
    return ok(timestamp_out(make_timestamp(i4(a[0]), i4(a[1]), i4(a[2]), i4(a[3]), i4(a[4]), f8(a[5]))));
  };
  k["make_timestamptz"] = [](const Args& a, const DateTimeContext& c) {
    return ok(timestamptz_out(
        make_timestamptz(i4(a[0]), i4(a[1]), i4(a[2]), i4(a[3]), i4(a[4]), f8(a[5]), c.tz), c.tz));
  };
  k["make_timestamptz_zone"] = [](const Args& a, const DateTimeContext& c) {
    return ok(timestamptz_out(
        make_timestamptz_at(i4(a[0]), i4(a[1]), i4(a[2]), i4(a[3]), i4(a[4]), f8(a[5]), a[6]), c.tz));
  };
  k["make_interval"] = [](const Args& a, const DateTimeContext&) {
    return ok(
        interval_out(make_interval(i4(a[0]), i4(a[1]), i4(a[2]), i4(a[3]), i4(a[4]), i4(a[5]), f8(a[6]))));
  };
  k["to_timestamp"] = [](const Args& a, const DateTimeContext& c) {
    return ok(timestamptz_out(to_timestamp(f8(a[0])), c.tz));
  };
  k["date_bin_ts"] = [=](const Args& a, const DateTimeContext& c) {
    return ok(timestamp_out(date_bin(I(a[0]), T(a[1], c), T(a[2], c))));
  };
  k["date_bin_tstz"] = [=](const Args& a, const DateTimeContext& c) {
    return ok(timestamptz_out(date_bin(I(a[0]), TZ(a[1], c), TZ(a[2], c)), c.tz));
  };
  k["time_bucket_ts"] = [=](const Args& a, const DateTimeContext& c) {
    return ok(timestamp_out(time_bucket(I(a[0]), T(a[1], c))));
  };
  k["time_bucket_tstz"] = [=](const Args& a, const DateTimeContext& c) {
    return ok(timestamptz_out(time_bucket(I(a[0]), TZ(a[1], c)), c.tz));
  };
  k["time_bucket_ts_origin"] = [=](const Args& a, const DateTimeContext& c) {
    return ok(timestamp_out(time_bucket(I(a[0]), T(a[1], c), T(a[2], c))));
  };
  k["time_bucket_ts_months"] = [=](const Args& a, const DateTimeContext& c) {
    return ok(timestamp_out(time_bucket(Interval{0, 0, i4(a[2])}, T(a[0], c))));
  };
  k["time_bucket_date"] = [=](const Args& a, const DateTimeContext& c) {
    return ok(date_out(time_bucket_date(I(a[0]), D(a[1], c))));
  };
  k["ts_round"] = [=](const Args& a, const DateTimeContext& c) {
    return ok(timestamp_out(timestamp_round(T(a[0], c), i4(a[1]))));
  };
  k["tstz_round"] = [=](const Args& a, const DateTimeContext& c) {
    return ok(timestamptz_out(timestamp_round(TZ(a[0], c), i4(a[1])), c.tz));
  };
  k["time_round"] = [=](const Args& a, const DateTimeContext& c) {
    return ok(time_out(time_round(time_in(a[0], c), i4(a[1]))));
  };
  k["iv_round"] = [=](const Args& a, const DateTimeContext&) {
    return ok(interval_out(interval_round(I(a[0]), i4(a[1]))));
  };
  k["ts_to_tstz"] = [=](const Args& a, const DateTimeContext& c) {
    return ok(timestamptz_out(timestamp_to_timestamptz(T(a[0], c), c.tz), c.tz));
  };
  k["tstz_to_ts"] = [=](const Args& a, const DateTimeContext& c) {
    return ok(timestamp_out(timestamptz_to_timestamp(TZ(a[0], c), c.tz)));
  };
  k["tstz_to_date"] = [=](const Args& a, const DateTimeContext& c) {
    return ok(date_out(timestamptz_to_date(TZ(a[0], c), c.tz)));
  };
  k["ts_to_date"] = [=](const Args& a, const DateTimeContext& c) {
    return ok(date_out(timestamp_to_date(T(a[0], c))));
  };
  k["date_to_tstz"] = [=](const Args& a, const DateTimeContext& c) {
    return ok(timestamptz_out(date_to_timestamptz(D(a[0], c), c.tz), c.tz));
  };
  k["ts_at_zone"] = [=](const Args& a, const DateTimeContext& c) {
    return ok(timestamptz_out(timestamp_at_zone(T(a[0], c), a[1]), c.tz));
  };
  k["tstz_at_zone"] = [=](const Args& a, const DateTimeContext& c) {
    return ok(timestamp_out(timestamptz_at_zone(TZ(a[0], c), a[1])));
  };
  return k;
}

TEST(DateTimeDifferential, AgreesWithPostgres15) {
  std::ifstream in(here() + "/datetime_cases.tsv");
  ASSERT_TRUE(in) << "missing datetime_cases.tsv";
  std::set<std::string> known;
  {
    std::ifstream kf(here() + "/datetime_known_differences.txt");
    std::string line;
    while (std::getline(kf, line))
      if (!line.empty() && line[0] != '#') known.insert(line);
  }
  auto table = kinds();
  std::map<std::string, std::optional<TimeZone>> zones;
  std::ofstream mismatch_out;
  if (const char* p = std::getenv("DATETIME_MISMATCH_OUT")) mismatch_out.open(p);
  int total = 0, agree = 0, known_seen = 0, unexpected = 0;
  std::map<std::string, std::pair<int, int>> per_kind;  // kind -> (agree, total)
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto f = split_tabs(line);
    ASSERT_GE(f.size(), 4u) << line;
    std::string kind = f[0], tzname = f[1];
    Outcome expected{f[f.size() - 2], f[f.size() - 1]};
    Args args(f.begin() + 2, f.end() - 2);
    std::string key = line.substr(0, line.size() - expected.status.size() - expected.text.size() - 2);
    auto it = table.find(kind);
    ASSERT_NE(it, table.end()) << "unknown kind " << kind;
    DateTimeContext ctx;
    if (!zones.count(tzname)) zones[tzname] = TimeZone::for_setting(tzname);
    Outcome got;
    if (!zones[tzname]) {
      got = {"22023", "invalid value for parameter \"TimeZone\": \"" + tzname + "\""};
    } else {
      ctx.tz = *zones[tzname];
      if (kind.size() > 4 && kind.compare(kind.size() - 4, 4, "_now") == 0) {
        ctx.now = std::stoll(args.back());
        args.pop_back();
      }
      try {
        got = it->second(args, ctx);
      } catch (const SqlError& e) {
        got = {std::string(sqlstate_code(e.state())), e.message()};
      } catch (const std::exception& e) {
        got = {"exception", e.what()};
      }
    }
    bool same = got.status == expected.status && got.text == expected.text;
    total++;
    per_kind[kind].second++;
    if (same) {
      agree++;
      per_kind[kind].first++;
      EXPECT_FALSE(known.count(key)) << "listed as a known difference but agrees now: " << key;
    } else if (known.count(key)) {
      known_seen++;
    } else {
      unexpected++;
      if (unexpected <= 60)
        ADD_FAILURE() << key << "\n  postgres: " << expected.status << " " << expected.text
                      << "\n  omendb:   " << got.status << " " << got.text;
    }
    if (!same && mismatch_out)
      mismatch_out << key << "\t=> pg: " << expected.status << " " << expected.text << " | we: " << got.status
                   << " " << got.text << "\n";
  }
  ASSERT_GT(total, 1000);
  std::ostringstream report;
  report.precision(4);
  report << "datetime agreement with PostgreSQL 15: " << agree << "/" << total << " = "
         << 100.0 * agree / total << "% (" << known_seen << " known differences, " << unexpected
         << " unexpected)";
  std::cout << report.str() << "\n";
  for (auto& [k, v] : per_kind)
    if (v.first != v.second) std::cout << "  " << k << ": " << v.first << "/" << v.second << "\n";
  RecordProperty("agreement", report.str());
  EXPECT_EQ(unexpected, 0);
}

// Garbage never crashes: random strings over the characters date/time input cares about either parse or
// raise SqlError (run under OMENDB_SANITIZE=ON to check memory and undefined behaviour too).
TEST(DateTime, RandomInputOnlyRaisesSqlErrors) {
  const std::string alphabet = "0123456789-/:.+ TtZzPpYMDWHSabcdefghijklmnopqrstuvwxy@_,<>";
  const char* words[] = {"infinity",
                         "epoch",
                         "now",
                         "today",
                         "BC",
                         "AD",
                         "ago",
                         "America/New_York",
                         "EST",
                         "PM",
                         "J2451545",
                         "2147483647",
                         "99999999999999999999",
                         "1e308",
                         "Jan",
                         "allballs",
                         "P1Y"};
  uint64_t state = 88172645463325252ull;
  auto next = [&] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  DateTimeContext ctx{*TimeZone::find("Australia/Lord_Howe"), 789456123456789};
  int parsed = 0;
  for (int i = 0; i < 20000; i++) {
    std::string s;
    int len = (int)(next() % 40);
    for (int k = 0; k < len; k++) {
      if (next() % 8 == 0) {
        s += words[next() % (sizeof words / sizeof words[0])];
        s += ' ';
      } else {
        s += alphabet[next() % alphabet.size()];
      }
    }
    auto attempt = [&](auto fn) {
      try {
        fn();
        parsed++;
      } catch (const SqlError&) {
      }
    };
    attempt([&] { date_out(date_in(s, ctx)); });
    attempt([&] { time_out(time_in(s, ctx)); });
    attempt([&] { timestamp_out(timestamp_in(s, ctx)); });
    attempt([&] { timestamptz_out(timestamptz_in(s, ctx), ctx.tz); });
    attempt([&] {
      Interval iv = interval_in(s);
      interval_out(interval_mul(iv, 1.5));
      timestamptz_out(timestamptz_pl_interval(ctx.now, iv, ctx.tz), ctx.tz);
    });
  }
  EXPECT_GT(parsed, 100);  // the generator does produce valid input too
}

// The per-thread DST-period cache gives the same answers as fresh lookups, with threads and zones
// interleaved.
TEST(DateTime, ZoneLookupsAgreeAcrossThreads) {
  const char* names[] = {"America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata"};
  auto run = [&](int zone_index, std::vector<std::string>* out) {
    TimeZone tz = *TimeZone::find(names[zone_index]);
    TimeZone other = *TimeZone::find(names[(zone_index + 1) % 4]);
    for (int64_t t = -3000000000LL * kUsecPerSec; t < 3000000000LL * kUsecPerSec;
         t += 7777777 * kUsecPerSec) {
      out->push_back(timestamptz_out(t, tz) + " " + timestamptz_out(t, other) + " " +
                     timestamptz_out(timestamptz_pl_interval(t, Interval{0, 1, 1}, tz), tz) + " " +
                     timestamptz_out(date_trunc_tz("day", t, tz), tz));
    }
  };
  std::vector<std::string> serial[4], parallel[4];
  for (int i = 0; i < 4; i++) run(i, &serial[i]);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; i++) threads.emplace_back(run, i, &parallel[i]);
  for (auto& t : threads) t.join();
  for (int i = 0; i < 4; i++) EXPECT_EQ(serial[i], parallel[i]) << names[i];
  EXPECT_GT(serial[0].size(), 700u);
}

// A few properties the case file cannot show directly.
TEST(DateTime, KeysPreserveOrder) {
  DateTimeContext ctx;
  std::vector<Timestamp> ts = {kTsNegInfinity,
                               timestamp_in("4713-01-01 BC", ctx),
                               timestamp_in("1969-12-31 23:59:59.999999", ctx),
                               0,
                               timestamp_in("2038-01-19 03:14:08", ctx),
                               kTsPosInfinity};
  for (size_t i = 1; i < ts.size(); i++) EXPECT_LT(timestamp_key(ts[i - 1]), timestamp_key(ts[i]));
  std::vector<Date> ds = {
      kDateNegInfinity, date_in("4714-11-24 BC", ctx), -1, 0, date_in("5874897-12-31", ctx),
      kDatePosInfinity};
  for (size_t i = 1; i < ds.size(); i++) EXPECT_LT(date_key(ds[i - 1]), date_key(ds[i]));
}

TEST(DateTime, IntervalEqualityIsNormalised) {
  EXPECT_EQ(interval_cmp(interval_in("1 mon"), interval_in("30 days")), 0);
  EXPECT_EQ(interval_cmp(interval_in("1 day"), interval_in("24 hours")), 0);
  EXPECT_EQ(interval_cmp_value(interval_in("1 year")), interval_cmp_value(interval_in("360 days")));
  EXPECT_LT(interval_cmp(interval_in("-178956970 years -8 mons"), interval_in("178956970 years 7 mons")), 0);
}

TEST(DateTime, TimeZonesFromTheSystemDatabase) {
  auto ny = TimeZone::find("america/new_york");
  ASSERT_TRUE(ny);
  EXPECT_EQ(ny->name(), "America/New_York");
  EXPECT_FALSE(TimeZone::find("Mars/Olympus"));
  EXPECT_FALSE(TimeZone::find("../etc/passwd"));
  DateTimeContext ctx{*ny, 0};
  // Gap: 02:30 does not exist on 2024-03-10 and becomes 03:30 EDT; overlap: 01:30 on 2024-11-03 is EST.
  EXPECT_EQ(timestamptz_out(timestamptz_in("2024-03-10 02:30", ctx), *ny), "2024-03-10 03:30:00-04");
  EXPECT_EQ(timestamptz_out(timestamptz_in("2024-11-03 01:30", ctx), *ny), "2024-11-03 01:30:00-05");
  // Past 2037 the zone's POSIX rule still applies.
  EXPECT_EQ(timestamptz_out(timestamptz_in("2100-07-01 12:00", ctx), *ny), "2100-07-01 12:00:00-04");
}

}  // namespace
