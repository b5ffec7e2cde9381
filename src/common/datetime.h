// PostgreSQL 15's date/time types as a self-contained library: DATE, TIME, TIMESTAMP, TIMESTAMPTZ and
// INTERVAL with PostgreSQL's representations, text input and output (DateStyle ISO, MDY; IntervalStyle
// postgres), time zones, arithmetic and functions. It knows nothing of plans, LLVM or sockets: the
// binder, code generator, key/row codecs and pgwire call these functions. Every function that can fail
// throws SqlError with PostgreSQL's SQLSTATE and message (22007, 22008, 22009, 22015, 22023, 0A000, ...).
//
// Representations (docs/types.md):
//   Date        int32 days since 2000-01-01; INT32_MIN / INT32_MAX are -infinity / infinity.
//   Time        int64 microseconds since midnight, 0 .. 24:00:00.
//   Timestamp   int64 microseconds since 2000-01-01 00:00:00 (TIMESTAMP: local wall clock; TIMESTAMPTZ:
//               UTC); INT64_MIN / INT64_MAX are -infinity / infinity; valid 4714-11-24 BC .. 294276 AD.
//   Interval    {int64 microseconds, int32 days, int32 months}, kept apart.
//
// Order-preserving keys: a Date, Time or Timestamp key is its integer with the sign bit flipped, stored
// big-endian (infinities sort first and last, as PostgreSQL orders them). An Interval key is
// interval_cmp_key() (a 128-bit sign-flipped big-endian integer), equal for intervals PostgreSQL calls
// equal ('1 mon' = '30 days'), so it is a key for ORDER BY / GROUP BY but not a lossless encoding.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace omendb::dt {

using Date = int32_t;
using Time = int64_t;
using Timestamp = int64_t;    // TIMESTAMP WITHOUT TIME ZONE
using TimestampTz = int64_t;  // TIMESTAMP WITH TIME ZONE (UTC)

struct Interval {
  int64_t time = 0;  // microseconds
  int32_t day = 0;
  int32_t month = 0;
  bool operator==(const Interval&) const = default;  // field-wise; use interval_cmp for SQL '='
};

inline constexpr int64_t kUsecPerSec = 1000000;
inline constexpr int64_t kUsecPerMinute = 60 * kUsecPerSec;
inline constexpr int64_t kUsecPerHour = 60 * kUsecPerMinute;
inline constexpr int64_t kUsecPerDay = 24 * kUsecPerHour;
inline constexpr int kPostgresEpochJdate = 2451545;    // 2000-01-01
inline constexpr int kUnixEpochJdate = 2440588;        // 1970-01-01
inline constexpr int kDateEndJulian = 2147483494;      // 5874898-01-01
inline constexpr int kTimestampEndJulian = 109203528;  // 294277-01-01
inline constexpr Date kDateNegInfinity = INT32_MIN;
inline constexpr Date kDatePosInfinity = INT32_MAX;
inline constexpr Timestamp kTsNegInfinity = INT64_MIN;
inline constexpr Timestamp kTsPosInfinity = INT64_MAX;
inline constexpr Timestamp kMinTimestamp = -211813488000000000LL;  // 4714-11-24 00:00:00 BC
inline constexpr Timestamp kEndTimestamp = 9223371331200000000LL;  // 294277-01-01 00:00:00
inline constexpr Timestamp kUnixEpochTs = -946684800000000LL;      // 1970-01-01 00:00:00

inline bool ts_finite(Timestamp t) {
  return t != kTsNegInfinity && t != kTsPosInfinity;
}
inline bool date_finite(Date d) {
  return d != kDateNegInfinity && d != kDatePosInfinity;
}

// ---- Calendar (proleptic Gregorian; year 0 = 1 BC, as PostgreSQL's internal years) ----
int date2j(int year, int month, int day);
void j2date(int jd, int* year, int* month, int* day);
int j2day(int jd);  // 0 = Sunday
bool is_leap(int year);
int days_in_month(int year, int month);

// ---- Time zones ----
// A time zone: an IANA zone from the system tz database (/usr/share/zoneinfo, names case-insensitive)
// or a fixed offset. Cheap to copy.
class TimeZone {
 public:
  TimeZone();  // UTC
  // PostgreSQL's pg_tzset(): a zone name, or a POSIX "STDoffset" string without DST rules ("UTC+3",
  // "<+07>-7", "+05:30": POSIX sign, west positive). nullopt if unknown.
  static std::optional<TimeZone> find(std::string_view name);
  // The TimeZone setting (SET TIME ZONE '...'): a number of hours ('-3', '5.5': SQL sign, east
  // positive), else find(). nullopt if unknown (PostgreSQL: 22023 invalid value for parameter).
  static std::optional<TimeZone> for_setting(std::string_view value);
  static TimeZone fixed(int seconds_east);
  static TimeZone utc() { return TimeZone(); }

  const std::string& name() const;
  // Offset (seconds east of UTC) in effect at a UTC instant given in seconds since 1970.
  int offset_at_utc(int64_t unix_seconds, bool* is_dst = nullptr, std::string* abbrev = nullptr) const;
  // Offset for a local wall-clock time (seconds since 1970 read as local time), with PostgreSQL's rule
  // for DST transitions: a time in a spring-forward gap uses the offset before the transition (02:30 in
  // New York becomes 03:30 EDT); an ambiguous time in a fall-back overlap uses the offset after it.
  int offset_for_local(int64_t local_seconds) const;
  // The offset that abbreviation `abbrev` (upper case) had in this zone around local time
  // local_seconds, as PostgreSQL resolves dynamic abbreviations; nullopt if the zone never used it.
  std::optional<int> abbrev_offset(std::string_view abbrev, int64_t local_seconds) const;
  // The offset if the zone never changes it (UTC, Etc/GMT+5, fixed offsets), else nullopt.
  std::optional<int> constant_offset() const;

  struct Impl;

 private:
  std::shared_ptr<const Impl> impl_;
};

// What text input needs besides the string: the session TimeZone and the transaction start time (for
// 'now', 'today', 'tomorrow', 'yesterday').
struct DateTimeContext {
  TimeZone tz;
  TimestampTz now = 0;
};

// ---- Text input and output ----
Date date_in(std::string_view text, const DateTimeContext& ctx);
Time time_in(std::string_view text, const DateTimeContext& ctx);
Timestamp timestamp_in(std::string_view text, const DateTimeContext& ctx);
TimestampTz timestamptz_in(std::string_view text, const DateTimeContext& ctx);
Interval interval_in(std::string_view text, int range = 0x7FFF);

std::string date_out(Date d);
std::string time_out(Time t);
std::string timestamp_out(Timestamp t);
std::string timestamptz_out(TimestampTz t, const TimeZone& tz);
std::string interval_out(const Interval& iv);

// Type modifiers: timestamp(p), timestamptz(p), time(p), interval(p) round the microseconds to p
// fraction digits (half away from zero). p outside 0..6 is 22023 for timestamps and intervals and leaves
// a time unchanged, as PostgreSQL's typmod coercion functions do. Applied on input and casts.
Timestamp timestamp_round(Timestamp t, int precision);
Time time_round(Time t, int precision);
Interval interval_round(const Interval& iv, int precision);

// SQL-standard interval field qualifiers (INTERVAL '3' MONTH, interval hour to minute): PostgreSQL's
// INTERVAL_MASK bits of the typmod's range; kIntervalFullRange is no qualifier.
inline constexpr int kIntervalMonth = 1 << 1, kIntervalYear = 1 << 2, kIntervalDay = 1 << 3,
                     kIntervalHour = 1 << 10, kIntervalMinute = 1 << 11, kIntervalSecond = 1 << 12;
inline constexpr int kIntervalFullRange = 0x7FFF;
// Whether range is one of the grammar's qualifiers (YEAR, YEAR TO MONTH, ..., MINUTE TO SECOND).
bool interval_range_valid(int range);
// PostgreSQL's intervaltypmodout: " hour to minute", " day to second(3)", "(3)" ... ("" for none): what
// follows "interval" in format_type. typmod: (range << 16) | precision (0xFFFF: none), as the catalog keeps
// it.
std::string interval_typmod_text(int32_t typmod);
// PostgreSQL's AdjustIntervalForTypmod: drops the fields below the qualifier's last field (YEAR keeps
// whole years, DAY drops the time, HOUR / MINUTE truncate the time toward zero) and rounds the
// microseconds to precision digits (precision < 0: none). interval_in(text, range) reads a bare number
// or `hh:mm` by the qualifier ('3' with MONTH is 3 months, '1:30' with MINUTE TO SECOND 1 min 30 s).
Interval interval_adjust(const Interval& iv, int range, int precision);
// interval_adjust by a column's or cast's typmod ((range << 16) | precision, 0xFFFF: no precision; < 0:
// none), and interval_in reading the text by that typmod's qualifier, then adjusting.
Interval interval_apply_typmod(const Interval& iv, int32_t typmod);
Interval interval_in_typmod(std::string_view text, int32_t typmod);

// ---- Conversions (casts) ----
Timestamp date_to_timestamp(Date d);
TimestampTz date_to_timestamptz(Date d, const TimeZone& tz);
Date timestamp_to_date(Timestamp t);
Date timestamptz_to_date(TimestampTz t, const TimeZone& tz);
TimestampTz timestamp_to_timestamptz(Timestamp t, const TimeZone& tz);
Timestamp timestamptz_to_timestamp(TimestampTz t, const TimeZone& tz);
Time timestamp_to_time(Timestamp t);
// timestamp AT TIME ZONE zone -> timestamptz; timestamptz AT TIME ZONE zone -> timestamp. `zone` is an
// abbreviation ('EST'), a zone name, or a POSIX string ('+05' = UTC-5), as PostgreSQL's timezone().
TimestampTz timestamp_at_zone(Timestamp t, std::string_view zone);
Timestamp timestamptz_at_zone(TimestampTz t, std::string_view zone);

// ---- Arithmetic ----
Timestamp timestamp_pl_interval(Timestamp t, const Interval& iv);
Timestamp timestamp_mi_interval(Timestamp t, const Interval& iv);
TimestampTz timestamptz_pl_interval(TimestampTz t, const Interval& iv, const TimeZone& tz);
TimestampTz timestamptz_mi_interval(TimestampTz t, const Interval& iv, const TimeZone& tz);
Interval timestamp_mi(Timestamp a, Timestamp b);  // also timestamptz - timestamptz
Date date_pl_days(Date d, int32_t days);
Date date_mi_days(Date d, int32_t days);
int32_t date_mi(Date a, Date b);
Timestamp date_pl_interval(Date d, const Interval& iv);  // date + interval -> timestamp
Interval interval_pl(const Interval& a, const Interval& b);
Interval interval_mi(const Interval& a, const Interval& b);
Interval interval_um(const Interval& a);
Interval interval_mul(const Interval& a, double factor);
Interval interval_div(const Interval& a, double factor);
Interval justify_days(const Interval& a);
Interval justify_hours(const Interval& a);
Interval justify_interval(const Interval& a);
// Ordering and equality as PostgreSQL: months count 30 days, days 24 hours.
int interval_cmp(const Interval& a, const Interval& b);
__int128 interval_cmp_value(const Interval& a);  // hash / compare this (same value = equal)
Interval age(Timestamp a, Timestamp b);
Interval age_tz(TimestampTz a, TimestampTz b, const TimeZone& tz);

// ---- Functions ----
Timestamp date_trunc(std::string_view field, Timestamp t);
TimestampTz date_trunc_tz(std::string_view field, TimestampTz t, const TimeZone& tz);
TimestampTz date_trunc_zone(std::string_view field, TimestampTz t, std::string_view zone);
Interval date_trunc_interval(std::string_view field, const Interval& iv);

// date_part() returns double precision and EXTRACT() numeric (PostgreSQL 14+). Both come back as the
// exact text PostgreSQL prints; `null` is set when the result is SQL NULL (e.g. day of an infinite date).
struct PartResult {
  bool null = false;
  double float8 = 0;  // date_part's value
  std::string text;   // PostgreSQL's output text (float8 for date_part, numeric for extract)
};
PartResult date_part_timestamp(std::string_view field, Timestamp t, bool numeric);
PartResult date_part_timestamptz(std::string_view field, TimestampTz t, const TimeZone& tz, bool numeric);
PartResult date_part_date(std::string_view field, Date d, bool numeric);
PartResult date_part_time(std::string_view field, Time t, bool numeric);
PartResult date_part_interval(std::string_view field, const Interval& iv, bool numeric);

Date make_date(int year, int month, int day);
Time make_time(int hour, int minute, double second);
Timestamp make_timestamp(int year, int month, int day, int hour, int minute, double second);
TimestampTz make_timestamptz(int year, int month, int day, int hour, int minute, double second,
                             const TimeZone& session_tz);
TimestampTz make_timestamptz_at(int year, int month, int day, int hour, int minute, double second,
                                std::string_view zone);
Interval make_interval(int years, int months, int weeks, int days, int hours, int mins, double secs);
TimestampTz to_timestamp(double unix_seconds);

// date_bin(stride, source, origin): PostgreSQL 14+.
Timestamp date_bin(const Interval& stride, Timestamp source, Timestamp origin);
// TimescaleDB's time_bucket(width, ts [, origin]). Widths without months bucket from origin (default
// 2000-01-03, a Monday) in microseconds; widths of whole months bucket from origin's month (default
// 2000-01-01). A TIMESTAMPTZ is bucketed in UTC (TimescaleDB's default). time_bucket(width, ts,
// offset => x) is time_bucket_offset.
Timestamp time_bucket(const Interval& width, Timestamp ts, std::optional<Timestamp> origin = std::nullopt);
Timestamp time_bucket_offset(const Interval& width, Timestamp ts, const Interval& offset);
Date time_bucket_date(const Interval& width, Date d, std::optional<Date> origin = std::nullopt);

// ---- Order-preserving keys (docs only; storage owns the byte layout) ----
inline uint32_t date_key(Date d) {
  return static_cast<uint32_t>(d) ^ 0x80000000u;
}
inline uint64_t timestamp_key(Timestamp t) {
  return static_cast<uint64_t>(t) ^ 0x8000000000000000ull;
}

}  // namespace omendb::dt
