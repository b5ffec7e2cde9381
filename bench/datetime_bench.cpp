// Micro-benchmarks of the date/time library (src/common/datetime.h): the per-value cost of parsing,
// printing and the common time-series operations, for comparison with PostgreSQL's per-row cost of the
// same expressions (docs/types.md).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "common/datetime.h"

using namespace omendb::dt;

namespace {

// Successive values an hour apart over 2000..2011, as time-series data near the present is.
Timestamp next_time(Timestamp t) {
  t += 3600123457;
  return t > 12 * 365 * kUsecPerDay ? 0 : t;
}

DateTimeContext ny_context() {
  return DateTimeContext{*TimeZone::find("America/New_York"), 0};
}

std::vector<std::string> timestamps_text(size_t n) {
  std::vector<std::string> v;
  DateTimeContext ctx = ny_context();
  TimestampTz t = timestamptz_in("2024-01-01 00:00:00.123456+00", ctx);
  for (size_t i = 0; i < n; i++) v.push_back(timestamptz_out(t + (int64_t)i * 3600123457, ctx.tz));
  return v;
}

void BM_TimestamptzIn(benchmark::State& state) {
  auto text = timestamps_text(1024);
  DateTimeContext ctx = ny_context();
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(timestamptz_in(text[i++ & 1023], ctx));
}
BENCHMARK(BM_TimestamptzIn);

void BM_TimestamptzOut(benchmark::State& state) {
  DateTimeContext ctx = ny_context();
  TimestampTz t = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(timestamptz_out(t, ctx.tz));
    t = next_time(t);
  }
}
BENCHMARK(BM_TimestamptzOut);

void BM_TimestampOut(benchmark::State& state) {
  Timestamp t = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(timestamp_out(t));
    t = next_time(t);
  }
}
BENCHMARK(BM_TimestampOut);

void BM_TimestamptzPlusMonth(benchmark::State& state) {
  DateTimeContext ctx = ny_context();
  Interval month{0, 0, 1};
  TimestampTz t = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(timestamptz_pl_interval(t, month, ctx.tz));
    t = next_time(t);
  }
}
BENCHMARK(BM_TimestamptzPlusMonth);

void BM_DateTruncDayTz(benchmark::State& state) {
  DateTimeContext ctx = ny_context();
  TimestampTz t = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(date_trunc_tz("day", t, ctx.tz));
    t = next_time(t);
  }
}
BENCHMARK(BM_DateTruncDayTz);

void BM_TimeBucket15Min(benchmark::State& state) {
  Interval width{15 * kUsecPerMinute, 0, 0};
  Timestamp t = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(time_bucket(width, t));
    t = next_time(t);
  }
}
BENCHMARK(BM_TimeBucket15Min);

void BM_ExtractEpochNumeric(benchmark::State& state) {
  Timestamp t = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(date_part_timestamp("epoch", t, true));
    t = next_time(t);
  }
}
BENCHMARK(BM_ExtractEpochNumeric);

void BM_IntervalIn(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(interval_in("1 year 2 mons 3 days 04:05:06.7"));
}
BENCHMARK(BM_IntervalIn);

}  // namespace

BENCHMARK_MAIN();
