#include "common/datetime_sql.h"

#include <bit>
#include <chrono>
#include <stdexcept>

#include "common/datetime_format.h"
#include "common/error.h"
#include "common/number_format.h"
#include "common/numeric.h"

namespace omendb::dtsql {

namespace {

using T = TypeId;

std::vector<Signature> make_signatures() {
  const T D = T::Date, Tm = T::Time, Ts = T::Timestamp, Tz = T::TimestampTz, I = T::Interval, X = T::Text,
          N = T::Int32, F = T::Float64, B = T::Bool, Num = T::Numeric;
  return {
      // Operators (PostgreSQL's pg_operator entries for these types).
      {Func::DatePlInt, "+", D, {D, N}},
      {Func::IntPlDate, "+", D, {N, D}},
      {Func::DatePlInterval, "+", Ts, {D, I}},
      {Func::IntervalPlDate, "+", Ts, {I, D}},
      {Func::DatePlTime, "+", Ts, {D, Tm}},
      {Func::TimePlDate, "+", Ts, {Tm, D}},
      {Func::TsPlInterval, "+", Ts, {Ts, I}},
      {Func::IntervalPlTs, "+", Ts, {I, Ts}},
      {Func::TstzPlInterval, "+", Tz, {Tz, I}},
      {Func::IntervalPlTstz, "+", Tz, {I, Tz}},
      {Func::TimePlInterval, "+", Tm, {Tm, I}},
      {Func::IntervalPlTime, "+", Tm, {I, Tm}},
      {Func::IntervalPl, "+", I, {I, I}},
      {Func::DateMiInt, "-", D, {D, N}},
      {Func::DateMiDate, "-", N, {D, D}},
      {Func::DateMiInterval, "-", Ts, {D, I}},
      {Func::TsMiInterval, "-", Ts, {Ts, I}},
      {Func::TstzMiInterval, "-", Tz, {Tz, I}},
      {Func::TsMiTs, "-", I, {Ts, Ts}},
      {Func::TstzMiTstz, "-", I, {Tz, Tz}},
      {Func::TimeMiInterval, "-", Tm, {Tm, I}},
      {Func::TimeMiTime, "-", I, {Tm, Tm}},
      {Func::IntervalMi, "-", I, {I, I}},
      {Func::IntervalMul, "*", I, {I, F}},
      {Func::FloatMulInterval, "*", I, {F, I}},
      {Func::IntervalDiv, "/", I, {I, F}},
      {Func::IntervalUm, "u-", I, {I}},
      // Session clocks.
      {Func::Now, "now", Tz, {}},
      {Func::Now, "transaction_timestamp", Tz, {}},
      {Func::Now, "current_timestamp", Tz, {}},
      {Func::StatementTs, "statement_timestamp", Tz, {}},
      {Func::ClockTs, "clock_timestamp", Tz, {}},
      {Func::CurrentDate, "current_date", D, {}},
      {Func::LocalTimestamp, "localtimestamp", Ts, {}},
      {Func::LocalTime, "localtime", Tm, {}},
      // Functions.
      {Func::DateTruncTs, "date_trunc", Ts, {X, Ts}},
      {Func::DateTruncTstz, "date_trunc", Tz, {X, Tz}},
      {Func::DateTruncTstzZone, "date_trunc", Tz, {X, Tz, X}},
      {Func::DateTruncInterval, "date_trunc", I, {X, I}},
      {Func::DatePartTs, "date_part", F, {X, Ts}},
      {Func::DatePartTstz, "date_part", F, {X, Tz}},
      {Func::DatePartDate, "date_part", F, {X, D}},
      {Func::ExtractDate, "extract", Num, {X, D}},
      {Func::ExtractTs, "extract", Num, {X, Ts}},
      {Func::ExtractTstz, "extract", Num, {X, Tz}},
      {Func::ExtractTime, "extract", Num, {X, Tm}},
      {Func::ExtractInterval, "extract", Num, {X, I}},
      {Func::DatePartTime, "date_part", F, {X, Tm}},
      {Func::DatePartInterval, "date_part", F, {X, I}},
      {Func::ToTimestamp, "to_timestamp", Tz, {F}},
      {Func::MakeDate, "make_date", D, {N, N, N}},
      {Func::MakeTime, "make_time", Tm, {N, N, F}},
      {Func::MakeTimestamp, "make_timestamp", Ts, {N, N, N, N, N, F}},
      {Func::MakeTimestamptz, "make_timestamptz", Tz, {N, N, N, N, N, F}},
      {Func::MakeTimestamptzZone, "make_timestamptz", Tz, {N, N, N, N, N, F, X}},
      {Func::MakeInterval, "make_interval", I, {N, N, N, N, N, N, F}},
      {Func::AgeTs, "age", I, {Ts, Ts}},
      {Func::AgeTstz, "age", I, {Tz, Tz}},
      {Func::AgeTs1, "age", I, {Ts}},
      {Func::AgeTstz1, "age", I, {Tz}},
      {Func::JustifyDays, "justify_days", I, {I}},
      {Func::JustifyHours, "justify_hours", I, {I}},
      {Func::JustifyInterval, "justify_interval", I, {I}},
      {Func::IntervalTypmod, " interval typmod", I, {I, N}},  // not an SQL name: casts only
      {Func::TimeBucketTs, "time_bucket", Ts, {I, Ts}},
      {Func::TimeBucketTsOrigin, "time_bucket", Ts, {I, Ts, Ts}},
      {Func::TimeBucketTsOffset, "time_bucket", Ts, {I, Ts, I}},
      {Func::TimeBucketTstz, "time_bucket", Tz, {I, Tz}},
      {Func::TimeBucketTstzOrigin, "time_bucket", Tz, {I, Tz, Tz}},
      {Func::TimeBucketTstzOffset, "time_bucket", Tz, {I, Tz, I}},
      {Func::TimeBucketTstzZone, "time_bucket", Tz, {I, Tz, X}},
      {Func::TimeBucketDate, "time_bucket", D, {I, D}},
      {Func::TimeBucketDateOrigin, "time_bucket", D, {I, D, D}},
      {Func::DateBinTs, "date_bin", Ts, {I, Ts, Ts}},
      {Func::DateBinTstz, "date_bin", Tz, {I, Tz, Tz}},
      {Func::TimezoneTs, "timezone", Tz, {X, Ts}},
      {Func::TimezoneTstz, "timezone", Ts, {X, Tz}},
      {Func::TimezoneIntervalTs, "timezone", Tz, {I, Ts}},
      {Func::TimezoneIntervalTstz, "timezone", Ts, {I, Tz}},
      {Func::IsFiniteDate, "isfinite", B, {D}},
      {Func::IsFiniteTs, "isfinite", B, {Ts}},
      {Func::IsFiniteTstz, "isfinite", B, {Tz}},
      {Func::IsFiniteInterval, "isfinite", B, {I}},
      {Func::ToCharTs, "to_char", X, {Ts, X}},
      {Func::ToCharTstz, "to_char", X, {Tz, X}},
      {Func::ToCharInterval, "to_char", X, {I, X}},
      {Func::ToTimestampText, "to_timestamp", Tz, {X, X}},
      {Func::ToDateText, "to_date", D, {X, X}},
      {Func::ToCharInt4, "to_char", X, {N, X}},
      {Func::ToCharInt8, "to_char", X, {T::Int64, X}},
      {Func::ToCharNumeric, "to_char", X, {T::Numeric, X}},
      {Func::ToCharFloat8, "to_char", X, {F, X}},
      {Func::ToCharFloat4, "to_char", X, {T::Float32, X}},
  };
}

[[noreturn]] void raise(SqlState st, const std::string& msg) {
  throw SqlError(st, msg);
}

std::string_view text_of(const Datum& d) {
  return d.str.view();
}

dt::Timestamp transaction_local(const EvalContext& ctx) {
  return dt::timestamptz_to_timestamp(ctx.dt.now, ctx.dt.tz);
}

dt::TimestampTz clock_now() {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  return static_cast<dt::TimestampTz>(us) + dt::kUnixEpochTs;
}

void set_int(Datum& out, int64_t v) {
  out.i64 = v;
  out.is_null = 0;
}

// A text result (NULL for nullopt) lives in `text`; out.str points into it.
void set_text(Datum& out, std::optional<std::string> r, std::string& text) {
  out.is_null = r ? 0 : 1;
  if (!r) return;
  text = std::move(*r);
  out.str = StrRef{text.data(), text.size()};
}

void set_part(Datum& out, const dt::PartResult& r) {
  out.is_null = r.null ? 1 : 0;
  out.f64 = r.float8;
}

// EXTRACT's numeric: PartResult's text (PostgreSQL's numeric output) read back as a numeric value.
void set_numeric_part(Datum& out, const dt::PartResult& r, std::string& text) {
  out.is_null = r.null ? 1 : 0;
  if (r.null) return;
  text = num::parse(r.text);
  out.str = StrRef{text.data(), text.size()};
}

// PostgreSQL's time_pl_interval / time_mi_interval: the time part only, wrapping around midnight.
dt::Time time_plus(dt::Time t, int64_t usec) {
  int64_t r = (t + usec) % dt::kUsecPerDay;
  if (r < 0) r += dt::kUsecPerDay;
  return r;
}

dt::Timestamp date_plus_time(dt::Date d, dt::Time t) {
  dt::Timestamp ts = dt::date_to_timestamp(d);
  if (!dt::ts_finite(ts)) return ts;
  ts += t;
  if (ts < dt::kMinTimestamp || ts >= dt::kEndTimestamp)
    raise(SqlState::DatetimeFieldOverflow, "timestamp out of range");
  return ts;
}

int32_t i32(const Datum& d) {
  return static_cast<int32_t>(d.i64);
}

// TimescaleDB's time_bucket(width, ts, timezone): bucket the wall clock in `zone`, then back to an instant.
dt::TimestampTz bucket_in_zone(const dt::Interval& width, dt::TimestampTz t, std::string_view zone) {
  if (!dt::ts_finite(t)) return t;
  dt::Timestamp local = dt::timestamptz_at_zone(t, zone);
  return dt::timestamp_at_zone(dt::time_bucket(width, local), zone);
}

// AT TIME ZONE interval: the interval is an offset east of UTC, in whole seconds (PostgreSQL's
// timestamp_izone / timestamptz_izone drop the fraction).
dt::Interval interval_zone_offset(const dt::Interval& zone) {
  if (zone.month != 0 || zone.day != 0)
    throw SqlError(SqlState::InvalidParameterValue,
                   "interval time zone \"" + dt::interval_out(zone) + "\" must not include months or days");
  return dt::Interval{zone.time / 1000000 * 1000000, 0, 0};
}

}  // namespace

dt::TimestampTz clock_timestamp() {
  return clock_now();
}

const std::vector<Signature>& signatures() {
  static const std::vector<Signature> all = make_signatures();
  return all;
}

const Signature& signature(Func f) {
  static const std::vector<const Signature*> by_func = [] {
    std::vector<const Signature*> v(static_cast<size_t>(Func::ToCharFloat4) + 1, nullptr);
    for (const Signature& s : signatures())
      if (!v[static_cast<size_t>(s.func)]) v[static_cast<size_t>(s.func)] = &s;
    return v;
  }();
  auto i = static_cast<size_t>(f);
  if (i >= by_func.size() || !by_func[i]) throw std::logic_error("dtsql: unknown function");
  return *by_func[i];
}

void eval(Func f, const Datum* a, Datum& out, const EvalContext& ctx, std::string& text) {
  out.is_null = 0;
  const dt::TimeZone& tz = ctx.dt.tz;
  switch (f) {
    case Func::Now:
      return set_int(out, ctx.dt.now);
    case Func::StatementTs:
      return set_int(out, ctx.statement_ts);
    case Func::ClockTs:
      return set_int(out, clock_now());
    case Func::CurrentDate:
      return set_int(out, dt::timestamptz_to_date(ctx.dt.now, tz));
    case Func::LocalTimestamp:
      return set_int(out, transaction_local(ctx));
    case Func::LocalTime:
      return set_int(out, dt::timestamp_to_time(transaction_local(ctx)));
    case Func::DatePlInt:
      return set_int(out, dt::date_pl_days(i32(a[0]), i32(a[1])));
    case Func::IntPlDate:
      return set_int(out, dt::date_pl_days(i32(a[1]), i32(a[0])));
    case Func::DateMiInt:
      return set_int(out, dt::date_mi_days(i32(a[0]), i32(a[1])));
    case Func::DateMiDate:
      return set_int(out, dt::date_mi(i32(a[0]), i32(a[1])));
    case Func::DatePlInterval:
      return set_int(out, dt::date_pl_interval(i32(a[0]), interval_of(a[1])));
    case Func::IntervalPlDate:
      return set_int(out, dt::date_pl_interval(i32(a[1]), interval_of(a[0])));
    case Func::DateMiInterval:
      return set_int(out, dt::timestamp_mi_interval(dt::date_to_timestamp(i32(a[0])), interval_of(a[1])));
    case Func::DatePlTime:
      return set_int(out, date_plus_time(i32(a[0]), a[1].i64));
    case Func::TimePlDate:
      return set_int(out, date_plus_time(i32(a[1]), a[0].i64));
    case Func::TsPlInterval:
      return set_int(out, dt::timestamp_pl_interval(a[0].i64, interval_of(a[1])));
    case Func::IntervalPlTs:
      return set_int(out, dt::timestamp_pl_interval(a[1].i64, interval_of(a[0])));
    case Func::TsMiInterval:
      return set_int(out, dt::timestamp_mi_interval(a[0].i64, interval_of(a[1])));
    case Func::TstzPlInterval:
      return set_int(out, dt::timestamptz_pl_interval(a[0].i64, interval_of(a[1]), tz));
    case Func::IntervalPlTstz:
      return set_int(out, dt::timestamptz_pl_interval(a[1].i64, interval_of(a[0]), tz));
    case Func::TstzMiInterval:
      return set_int(out, dt::timestamptz_mi_interval(a[0].i64, interval_of(a[1]), tz));
    case Func::TsMiTs:
    case Func::TstzMiTstz:
      return set_interval(out, dt::timestamp_mi(a[0].i64, a[1].i64));
    case Func::TimePlInterval:
      return set_int(out, time_plus(a[0].i64, a[1].i64));
    case Func::IntervalPlTime:
      return set_int(out, time_plus(a[1].i64, a[0].i64));
    case Func::TimeMiInterval:
      return set_int(out, time_plus(a[0].i64, -(a[1].i64 % dt::kUsecPerDay)));
    case Func::TimeMiTime:
      return set_interval(out, dt::Interval{a[0].i64 - a[1].i64, 0, 0});
    case Func::IntervalPl:
      return set_interval(out, dt::interval_pl(interval_of(a[0]), interval_of(a[1])));
    case Func::IntervalMi:
      return set_interval(out, dt::interval_mi(interval_of(a[0]), interval_of(a[1])));
    case Func::IntervalUm:
      return set_interval(out, dt::interval_um(interval_of(a[0])));
    case Func::IntervalMul:
      return set_interval(out, dt::interval_mul(interval_of(a[0]), a[1].f64));
    case Func::FloatMulInterval:
      return set_interval(out, dt::interval_mul(interval_of(a[1]), a[0].f64));
    case Func::IntervalDiv:
      return set_interval(out, dt::interval_div(interval_of(a[0]), a[1].f64));
    case Func::DateTruncTs:
      return set_int(out, dt::date_trunc(text_of(a[0]), a[1].i64));
    case Func::DateTruncTstz:
      return set_int(out, dt::date_trunc_tz(text_of(a[0]), a[1].i64, tz));
    case Func::DateTruncTstzZone:
      return set_int(out, dt::date_trunc_zone(text_of(a[0]), a[1].i64, text_of(a[2])));
    case Func::DateTruncInterval:
      return set_interval(out, dt::date_trunc_interval(text_of(a[0]), interval_of(a[1])));
    case Func::DatePartTs:
      return set_part(out, dt::date_part_timestamp(text_of(a[0]), a[1].i64, false));
    case Func::DatePartTstz:
      return set_part(out, dt::date_part_timestamptz(text_of(a[0]), a[1].i64, tz, false));
    case Func::DatePartDate:
      return set_part(out, dt::date_part_date(text_of(a[0]), i32(a[1]), false));
    case Func::ExtractDate:
      return set_numeric_part(out, dt::date_part_date(text_of(a[0]), i32(a[1]), true), text);
    case Func::ExtractTs:
      return set_numeric_part(out, dt::date_part_timestamp(text_of(a[0]), a[1].i64, true), text);
    case Func::ExtractTstz:
      return set_numeric_part(out, dt::date_part_timestamptz(text_of(a[0]), a[1].i64, tz, true), text);
    case Func::ExtractTime:
      return set_numeric_part(out, dt::date_part_time(text_of(a[0]), a[1].i64, true), text);
    case Func::ExtractInterval:
      return set_numeric_part(out, dt::date_part_interval(text_of(a[0]), interval_of(a[1]), true), text);
    case Func::DatePartTime:
      return set_part(out, dt::date_part_time(text_of(a[0]), a[1].i64, false));
    case Func::DatePartInterval:
      return set_part(out, dt::date_part_interval(text_of(a[0]), interval_of(a[1]), false));
    case Func::ToTimestamp:
      return set_int(out, dt::to_timestamp(a[0].f64));
    case Func::MakeDate:
      return set_int(out, dt::make_date(i32(a[0]), i32(a[1]), i32(a[2])));
    case Func::MakeTime:
      return set_int(out, dt::make_time(i32(a[0]), i32(a[1]), a[2].f64));
    case Func::MakeTimestamp:
      return set_int(out,
                     dt::make_timestamp(i32(a[0]), i32(a[1]), i32(a[2]), i32(a[3]), i32(a[4]), a[5].f64));
    case Func::MakeTimestamptz:
      return set_int(
          out, dt::make_timestamptz(i32(a[0]), i32(a[1]), i32(a[2]), i32(a[3]), i32(a[4]), a[5].f64, tz));
    case Func::MakeTimestamptzZone:
      return set_int(out, dt::make_timestamptz_at(i32(a[0]), i32(a[1]), i32(a[2]), i32(a[3]), i32(a[4]),
                                                  a[5].f64, text_of(a[6])));
    case Func::MakeInterval:
      return set_interval(
          out, dt::make_interval(i32(a[0]), i32(a[1]), i32(a[2]), i32(a[3]), i32(a[4]), i32(a[5]), a[6].f64));
    case Func::AgeTs:
      return set_interval(out, dt::age(a[0].i64, a[1].i64));
    case Func::AgeTstz:
      return set_interval(out, dt::age_tz(a[0].i64, a[1].i64, tz));
    case Func::AgeTs1:  // age(current_date::timestamp, t)
      return set_interval(out,
                          dt::age(dt::date_to_timestamp(dt::timestamptz_to_date(ctx.dt.now, tz)), a[0].i64));
    case Func::AgeTstz1:
      return set_interval(
          out,
          dt::age_tz(dt::date_to_timestamptz(dt::timestamptz_to_date(ctx.dt.now, tz), tz), a[0].i64, tz));
    case Func::JustifyDays:
      return set_interval(out, dt::justify_days(interval_of(a[0])));
    case Func::JustifyHours:
      return set_interval(out, dt::justify_hours(interval_of(a[0])));
    case Func::JustifyInterval:
      return set_interval(out, dt::justify_interval(interval_of(a[0])));
    case Func::IntervalTypmod:
      return set_interval(out, dt::interval_apply_typmod(interval_of(a[0]), static_cast<int32_t>(a[1].i64)));
    case Func::TimeBucketTs:
    case Func::TimeBucketTstz:
      return set_int(out, dt::time_bucket(interval_of(a[0]), a[1].i64));
    case Func::TimeBucketTsOrigin:
    case Func::TimeBucketTstzOrigin:
      return set_int(out, dt::time_bucket(interval_of(a[0]), a[1].i64, a[2].i64));
    case Func::TimeBucketTsOffset:
      return set_int(out, dt::time_bucket_offset(interval_of(a[0]), a[1].i64, interval_of(a[2])));
    case Func::TimeBucketTstzOffset: {
      // TimescaleDB: time_bucket(width, ts - offset) + offset, in timestamptz arithmetic.
      dt::TimestampTz t = a[1].i64;
      if (!dt::ts_finite(t)) return set_int(out, t);
      dt::TimestampTz shifted = dt::timestamptz_mi_interval(t, interval_of(a[2]), tz);
      return set_int(out, dt::timestamptz_pl_interval(dt::time_bucket(interval_of(a[0]), shifted),
                                                      interval_of(a[2]), tz));
    }
    case Func::TimeBucketTstzZone:
      return set_int(out, bucket_in_zone(interval_of(a[0]), a[1].i64, text_of(a[2])));
    case Func::TimeBucketDate:
      return set_int(out, dt::time_bucket_date(interval_of(a[0]), i32(a[1])));
    case Func::TimeBucketDateOrigin:
      return set_int(out, dt::time_bucket_date(interval_of(a[0]), i32(a[1]), i32(a[2])));
    case Func::DateBinTs:
    case Func::DateBinTstz:
      return set_int(out, dt::date_bin(interval_of(a[0]), a[1].i64, a[2].i64));
    case Func::TimezoneTs:
      return set_int(out, dt::timestamp_at_zone(a[1].i64, text_of(a[0])));
    case Func::TimezoneTstz:
      return set_int(out, dt::timestamptz_at_zone(a[1].i64, text_of(a[0])));
    case Func::TimezoneIntervalTs:
      return set_int(out, dt::timestamp_mi_interval(a[1].i64, interval_zone_offset(interval_of(a[0]))));
    case Func::TimezoneIntervalTstz:
      return set_int(out, dt::timestamp_pl_interval(a[1].i64, interval_zone_offset(interval_of(a[0]))));
    case Func::IsFiniteDate:
      return set_int(out, dt::date_finite(i32(a[0])) ? 1 : 0);
    case Func::IsFiniteTs:
    case Func::IsFiniteTstz:
      return set_int(out, dt::ts_finite(a[0].i64) ? 1 : 0);
    case Func::IsFiniteInterval:
      return set_int(out, 1);
    case Func::ToCharTs:
      return set_text(out, dt::to_char_timestamp(a[0].i64, text_of(a[1])), text);
    case Func::ToCharTstz:
      return set_text(out, dt::to_char_timestamptz(a[0].i64, text_of(a[1]), tz), text);
    case Func::ToCharInterval:
      return set_text(out, dt::to_char_interval(interval_of(a[0]), text_of(a[1])), text);
    case Func::ToTimestampText:
      return set_int(out, dt::to_timestamp_format(text_of(a[0]), text_of(a[1]), tz));
    case Func::ToDateText:
      return set_int(out, dt::to_date_format(text_of(a[0]), text_of(a[1])));
    case Func::ToCharInt4:
    case Func::ToCharInt8:
      return set_text(out, numfmt::to_char_int(a[0].i64, text_of(a[1]), f == Func::ToCharInt8), text);
    case Func::ToCharNumeric:
      return set_text(out, numfmt::to_char_numeric(a[0].str.view(), text_of(a[1])), text);
    case Func::ToCharFloat8:
      return set_text(out, numfmt::to_char_double(a[0].f64, text_of(a[1])), text);
    case Func::ToCharFloat4:
      return set_text(out, numfmt::to_char_double(a[0].f64, text_of(a[1]), true), text);
  }
  throw std::logic_error("dtsql: unknown function");
}

bool can_cast(TypeId from, TypeId to, bool* explicit_only) {
  bool expl = false;
  bool ok = false;
  if (from == to) {
    ok = true;
  } else if (is_text_like(from) && is_datetime(to)) {
    ok = true;
  } else if (is_datetime(from) && to == TypeId::Text) {
    ok = true;  // an assignment cast in PostgreSQL; the binder allows it where text is the target
  } else {
    switch (from) {
      case TypeId::Date:
        ok = to == TypeId::Timestamp || to == TypeId::TimestampTz;
        break;
      case TypeId::Timestamp:
        ok = to == TypeId::TimestampTz || to == TypeId::Date || to == TypeId::Time;
        expl = to != TypeId::TimestampTz;
        break;
      case TypeId::TimestampTz:
        ok = to == TypeId::Timestamp || to == TypeId::Date || to == TypeId::Time;
        expl = true;
        break;
      case TypeId::Time:
        ok = to == TypeId::Interval;
        break;
      case TypeId::Interval:
        ok = to == TypeId::Time;
        expl = true;
        break;
      default:
        break;
    }
  }
  if (explicit_only) *explicit_only = expl;
  return ok;
}

void append_text(TypeId type, const Datum& d, const dt::TimeZone& tz, std::string& out) {
  switch (type) {
    case TypeId::Date:
      out += dt::date_out(static_cast<dt::Date>(d.i64));
      return;
    case TypeId::Time:
      out += dt::time_out(d.i64);
      return;
    case TypeId::Timestamp:
      out += dt::timestamp_out(d.i64);
      return;
    case TypeId::TimestampTz:
      out += dt::timestamptz_out(d.i64, tz);
      return;
    case TypeId::Interval:
      out += dt::interval_out(interval_of(d));
      return;
    default:
      throw std::logic_error("dtsql: append_text of a non-datetime type");
  }
}

void cast(TypeId from, TypeId to, const Datum& in, Datum& out, const EvalContext& ctx, std::string& text) {
  const dt::TimeZone& tz = ctx.dt.tz;
  out.is_null = 0;
  if (from == to) {
    out = in;
    return;
  }
  if (is_text_like(from)) {
    std::string_view s = in.str.view();
    switch (to) {
      case TypeId::Date:
        return set_int(out, dt::date_in(s, ctx.dt));
      case TypeId::Time:
        return set_int(out, dt::time_in(s, ctx.dt));
      case TypeId::Timestamp:
        return set_int(out, dt::timestamp_in(s, ctx.dt));
      case TypeId::TimestampTz:
        return set_int(out, dt::timestamptz_in(s, ctx.dt));
      case TypeId::Interval:
        return set_interval(out, dt::interval_in(s));
      default:
        break;
    }
  } else if (to == TypeId::Text) {
    text.clear();
    append_text(from, in, tz, text);
    out.str = StrRef{text.data(), text.size()};
    return;
  } else {
    // PostgreSQL's timestamp_time / timestamptz_time: an infinite timestamp has no time of day (NULL).
    if ((from == TypeId::Timestamp || from == TypeId::TimestampTz) && to == TypeId::Time &&
        !dt::ts_finite(in.i64)) {
      out.is_null = 1;
      return;
    }
    switch (from) {
      case TypeId::Date:
        if (to == TypeId::Timestamp) return set_int(out, dt::date_to_timestamp(i32(in)));
        if (to == TypeId::TimestampTz) return set_int(out, dt::date_to_timestamptz(i32(in), tz));
        break;
      case TypeId::Timestamp:
        if (to == TypeId::TimestampTz) return set_int(out, dt::timestamp_to_timestamptz(in.i64, tz));
        if (to == TypeId::Date) return set_int(out, dt::timestamp_to_date(in.i64));
        if (to == TypeId::Time) return set_int(out, dt::timestamp_to_time(in.i64));
        break;
      case TypeId::TimestampTz:
        if (to == TypeId::Timestamp) return set_int(out, dt::timestamptz_to_timestamp(in.i64, tz));
        if (to == TypeId::Date) return set_int(out, dt::timestamptz_to_date(in.i64, tz));
        if (to == TypeId::Time)
          return set_int(out, dt::timestamp_to_time(dt::timestamptz_to_timestamp(in.i64, tz)));
        break;
      case TypeId::Time:
        if (to == TypeId::Interval) return set_interval(out, dt::Interval{in.i64, 0, 0});
        break;
      case TypeId::Interval:
        if (to == TypeId::Time) return set_int(out, time_plus(0, in.i64 % dt::kUsecPerDay));
        break;
      default:
        break;
    }
  }
  throw SqlError(SqlState::CannotCoerce,
                 "cannot cast type " + std::string(type_name(from)) + " to " + std::string(type_name(to)));
}

Datum to_datum(const Value& v) {
  Datum d{};
  d.is_null = v.is_null() ? 1 : 0;
  if (v.is_null()) return d;
  if (v.type() == TypeId::Unknown || physical_type(v.type()) == PhysType::Text) {  // numeric's bytes too
    d.str = StrRef{v.as_text().data(), v.as_text().size()};
  } else if (is_float(v.type())) {
    d.f64 = v.as_double();
  } else {
    d.i64 = v.as_int();
    if (v.type() == TypeId::Interval) d.dm = DayMonth{v.interval_day(), v.interval_month()};
  }
  return d;
}

Value from_datum(TypeId type, const Datum& d) {
  if (d.is_null) return Value::null(type);
  switch (type) {
    case TypeId::Interval:
      return Value::interval(d.i64, d.dm.day, d.dm.month);
    case TypeId::Text:
    case TypeId::Unknown:
      return Value::text(std::string(d.str.view()));
    case TypeId::Numeric:
    case TypeId::Name:
    case TypeId::Char:
    case TypeId::BpChar:
    case TypeId::Bytea:
    case TypeId::Uuid:
    case TypeId::Json:
    case TypeId::Jsonb:
      return Value::text(std::string(d.str.view()), type);
    case TypeId::Float64:
      return Value::float64(d.f64);
    case TypeId::Float32:
      return Value::float32(static_cast<float>(d.f64));
    case TypeId::Bool:
      return Value::boolean(d.i64 != 0);
    case TypeId::Int32:
      return Value::int32(static_cast<int32_t>(d.i64));
    case TypeId::Int64:
      return Value::int64(d.i64);
    default:
      if (is_array(type)) return Value::text(std::string(d.str.view()), type);  // the array's bytes
      return Value::datetime(type, d.i64);
  }
}

Value cast_value(const Value& v, TypeId to, const EvalContext& ctx) {
  if (v.is_null()) return Value::null(to);
  Datum in = to_datum(v);
  Datum out{};
  std::string text;
  cast(v.type(), to, in, out, ctx, text);
  return from_datum(to, out);
}

namespace {
void put_be(std::string& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>(v >> (8 * i)));
}
uint64_t get_be(std::string_view b) {
  uint64_t v = 0;
  for (char c : b) v = (v << 8) | static_cast<unsigned char>(c);
  return v;
}
}  // namespace

void append_binary(TypeId type, const Datum& d, std::string& out) {
  switch (type) {
    case TypeId::Date:
      put_be(out, static_cast<uint32_t>(static_cast<int32_t>(d.i64)), 4);
      return;
    case TypeId::Interval:
      put_be(out, static_cast<uint64_t>(d.i64), 8);
      put_be(out, static_cast<uint32_t>(d.dm.day), 4);
      put_be(out, static_cast<uint32_t>(d.dm.month), 4);
      return;
    default:
      put_be(out, static_cast<uint64_t>(d.i64), 8);
      return;
  }
}

bool from_binary(TypeId type, std::string_view b, Value& out) {
  switch (type) {
    case TypeId::Date:
      if (b.size() != 4) return false;
      out = Value::datetime(type, static_cast<int32_t>(static_cast<uint32_t>(get_be(b))));
      return true;
    case TypeId::Interval:
      if (b.size() != 16) return false;
      out = Value::interval(static_cast<int64_t>(get_be(b.substr(0, 8))),
                            static_cast<int32_t>(static_cast<uint32_t>(get_be(b.substr(8, 4)))),
                            static_cast<int32_t>(static_cast<uint32_t>(get_be(b.substr(12, 4)))));
      return true;
    default: {
      if (b.size() != 8) return false;
      auto v = static_cast<int64_t>(get_be(b));
      if ((type == TypeId::Timestamp || type == TypeId::TimestampTz) && dt::ts_finite(v) &&
          (v < dt::kMinTimestamp || v >= dt::kEndTimestamp))
        raise(SqlState::DatetimeFieldOverflow, "timestamp out of range");
      if (type == TypeId::Time && (v < 0 || v > dt::kUsecPerDay))
        raise(SqlState::DatetimeFieldOverflow, "time out of range");
      out = Value::datetime(type, v);
      return true;
    }
  }
}

}  // namespace omendb::dtsql
