// Derived from PostgreSQL (PostgreSQL Licence, see NOTICE and LICENSES/PostgreSQL.txt):
// Portions Copyright (c) 1996-2022, PostgreSQL Global Development Group;
// Portions Copyright (c) 1994, The Regents of the University of California.
// DATE / TIME / TIMESTAMP / TIMESTAMPTZ / INTERVAL: calendar, output, casts, arithmetic and functions
// with PostgreSQL 15's semantics (see datetime.h and docs/types.md).
#include "common/datetime.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "common/datetime_internal.h"
#include "common/value.h"

namespace omendb::dt {

using namespace detail;

// ---- calendar ----

int date2j(int year, int m, int d) {
  // int64 arithmetic: callers validate the range first, but garbage input ('2147483647 123' day-of-year)
  // must not be undefined behaviour. The result wraps as PostgreSQL's int arithmetic does in practice.
  int64_t y = year, julian, century;
  if (m > 2) {
    m += 1;
    y += 4800;
  } else {
    m += 13;
    y += 4799;
  }
  century = y / 100;
  julian = y * 365 - 32167;
  julian += y / 4 - century + century / 4;
  julian += 7834 * m / 256 + d;
  return (int)(uint32_t)(uint64_t)julian;
}

void j2date(int jd, int* year, int* month, int* day) {
  unsigned int julian = (unsigned int)jd;
  julian += 32044;
  unsigned int quad = julian / 146097;
  unsigned int extra = (julian - quad * 146097) * 4 + 3;
  julian += 60 + quad * 3 + extra / 146097;
  quad = julian / 1461;
  julian -= quad * 1461;
  int y = (int)(julian * 4 / 1461);
  julian = ((y != 0) ? ((julian + 305) % 365) : ((julian + 306) % 366)) + 123;
  y += (int)(quad * 4);
  *year = y - 4800;
  quad = julian * 2141 / 65536;
  *day = (int)(julian - 7834 * quad / 256);
  *month = (int)((quad + 10) % 12 + 1);
}

int j2day(int jd) {
  int64_t day = ((int64_t)jd + 1) % 7;
  if (day < 0) day += 7;
  return (int)day;
}

bool is_leap(int y) {
  return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

int days_in_month(int y, int m) {
  static const int tab[2][12] = {{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31},
                                 {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}};
  return tab[is_leap(y) ? 1 : 0][m - 1];
}

namespace detail {

bool valid_julian(int y, int m, int d) {
  (void)d;
  return (y > -4713 || (y == -4713 && m >= 11)) && (y < 5874898 || (y == 5874898 && m < 6));
}
bool valid_date(int64_t d) {
  return d >= -kPostgresEpochJdate && d < (int64_t)kDateEndJulian - kPostgresEpochJdate;
}
bool valid_timestamp(int64_t t) {
  return t >= kMinTimestamp && t < kEndTimestamp;
}

void dt2time(int64_t t, int* hour, int* min, int* sec, int64_t* fsec) {
  *hour = (int)(t / kUsecPerHour);
  t -= (int64_t)*hour * kUsecPerHour;
  *min = (int)(t / kUsecPerMinute);
  t -= (int64_t)*min * kUsecPerMinute;
  *sec = (int)(t / kUsecPerSec);
  *fsec = t - (int64_t)*sec * kUsecPerSec;
}

int64_t time2t(int hour, int min, int sec, int64_t fsec) {
  return (((int64_t)hour * 60 + min) * 60 + sec) * kUsecPerSec + fsec;
}

bool timestamp2tm(Timestamp dt, Tm* tm, int64_t* fsec, const TimeZone* tz) {
  int64_t time = dt;
  int64_t date = time / kUsecPerDay;
  time -= date * kUsecPerDay;
  if (time < 0) {
    time += kUsecPerDay;
    date -= 1;
  }
  date += kPostgresEpochJdate;
  if (date < 0 || date > INT_MAX) return false;
  j2date((int)date, &tm->year, &tm->mon, &tm->mday);
  dt2time(time, &tm->hour, &tm->min, &tm->sec, fsec);
  tm->isdst = -1;
  tm->gmtoff = 0;
  if (!tz) return true;
  int64_t utime = (dt - *fsec) / kUsecPerSec + (int64_t)(kPostgresEpochJdate - kUnixEpochJdate) * 86400;
  bool isdst = false;
  int off = tz->offset_at_utc(utime, &isdst);
  int64_t local = utime + off;
  // Split the local seconds into fields.
  int64_t ldays = local / 86400, lsec = local % 86400;
  if (lsec < 0) {
    lsec += 86400;
    ldays -= 1;
  }
  int64_t jd = ldays + kUnixEpochJdate;  // may be -1 just before 4714-11-24 BC, as in PostgreSQL
  if (jd < INT_MIN || jd > INT_MAX) return false;
  j2date((int)jd, &tm->year, &tm->mon, &tm->mday);
  tm->hour = (int)(lsec / 3600);
  tm->min = (int)(lsec / 60 % 60);
  tm->sec = (int)(lsec % 60);
  tm->isdst = isdst;
  tm->gmtoff = off;
  return true;
}

bool tm2timestamp(const Tm& tm, int64_t fsec, const int* gmtoff, Timestamp* out) {
  if (!valid_julian(tm.year, tm.mon, tm.mday)) return false;
  int64_t date = (int64_t)date2j(tm.year, tm.mon, tm.mday) - kPostgresEpochJdate;
  int64_t time = time2t(tm.hour, tm.min, tm.sec, fsec);
  int64_t r;
  if (__builtin_mul_overflow(date, kUsecPerDay, &r) || __builtin_add_overflow(r, time, &r)) return false;
  if (gmtoff) r -= (int64_t)*gmtoff * kUsecPerSec;
  if (!valid_timestamp(r)) return false;
  *out = r;
  return true;
}

// The ISO week functions compute in int64 and wrap like PostgreSQL's -fwrapv int arithmetic: to_char of
// an interval of millions of years reaches them with years whose Julian days overflow int.
namespace {
int wrap32(int64_t v) {
  return static_cast<int>(static_cast<uint32_t>(static_cast<uint64_t>(v)));
}
// The Julian day of the Monday of ISO week 1 of `year`.
int64_t iso_week1(int year) {
  int day4 = date2j(year, 1, 4);
  return int64_t{day4} - j2day(wrap32(int64_t{day4} - 1));
}
}  // namespace

int date2isoweek(int year, int mon, int mday) {
  int64_t dayn = date2j(year, mon, mday);
  int64_t start = iso_week1(year);
  if (dayn < start) start = iso_week1(wrap32(int64_t{year} - 1));
  int64_t result = (dayn - start) / 7 + 1;
  if (result >= 52) {
    int64_t next = iso_week1(wrap32(int64_t{year} + 1));
    if (dayn >= next) result = (dayn - next) / 7 + 1;
  }
  return wrap32(result);
}

int date2isoyear(int year, int mon, int mday) {
  int64_t dayn = date2j(year, mon, mday);
  int64_t start = iso_week1(year);
  int64_t y = year;
  if (dayn < start) {
    start = iso_week1(wrap32(y - 1));
    y--;
  }
  int64_t result = (dayn - start) / 7 + 1;
  if (result >= 52) {
    int64_t next = iso_week1(wrap32(y + 1));
    if (dayn >= next) y++;
  }
  return wrap32(y);
}

void isoweek2date(int woy, int* year, int* mon, int* mday) {
  int day4 = date2j(*year, 1, 4);
  int day0 = j2day(day4 - 1);
  j2date((woy - 1) * 7 + (day4 - day0), year, mon, mday);
}

}  // namespace detail

// ---- output ----

namespace {

// Non-negative v, zero-padded to at least `width` digits (no printf: this is on every output row).
void append_padded(std::string& s, int64_t v, int width) {
  char buf[24];
  char* end = buf + sizeof buf;
  char* p = end;
  uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  do {
    *--p = (char)('0' + u % 10);
    u /= 10;
  } while (u != 0);
  while (end - p < width) *--p = '0';
  if (v < 0) *--p = '-';
  s.append(p, end);
}

// Seconds with up to 6 fraction digits, trailing zeros trimmed (PostgreSQL's AppendSeconds).
void append_seconds(std::string& s, int sec, int64_t fsec, bool fillzeros) {
  if (fillzeros)
    append_padded(s, std::llabs(sec), 2);
  else
    s += std::to_string(std::llabs(sec));
  if (fsec != 0) {
    int64_t f = std::llabs(fsec);
    char buf[8] = {'.'};
    int len = 7;
    for (int i = 6; i >= 1; i--) {
      buf[i] = (char)('0' + f % 10);
      f /= 10;
    }
    while (buf[len - 1] == '0') len--;
    s.append(buf, len);
  }
}

void append_date(std::string& s, const Tm& tm) {
  append_padded(s, tm.year > 0 ? tm.year : -(tm.year - 1), 4);
  s += '-';
  append_padded(s, tm.mon, 2);
  s += '-';
  append_padded(s, tm.mday, 2);
}

void append_tz(std::string& s, int gmtoff) {
  int tz = -gmtoff;  // seconds west, as PostgreSQL keeps it
  int sec = std::abs(tz);
  int min = sec / 60;
  sec -= min * 60;
  int hour = min / 60;
  min -= hour * 60;
  s += tz <= 0 ? '+' : '-';
  append_padded(s, hour, 2);
  if (sec != 0) {
    s += ':';
    append_padded(s, min, 2);
    s += ':';
    append_padded(s, sec, 2);
  } else if (min != 0) {
    s += ':';
    append_padded(s, min, 2);
  }
}

std::string encode_datetime(const Tm& tm, int64_t fsec, bool print_tz) {
  std::string s;
  s.reserve(40);
  append_date(s, tm);
  s += ' ';
  append_padded(s, tm.hour, 2);
  s += ':';
  append_padded(s, tm.min, 2);
  s += ':';
  append_seconds(s, tm.sec, fsec, true);
  if (print_tz) append_tz(s, tm.gmtoff);
  if (tm.year <= 0) s += " BC";
  return s;
}

}  // namespace

std::string date_out(Date d) {
  if (d == kDateNegInfinity) return "-infinity";
  if (d == kDatePosInfinity) return "infinity";
  Tm tm;
  j2date(d + kPostgresEpochJdate, &tm.year, &tm.mon, &tm.mday);
  std::string s;
  append_date(s, tm);
  if (tm.year <= 0) s += " BC";
  return s;
}

std::string time_out(Time t) {
  Tm tm;
  int64_t fsec;
  dt2time(t, &tm.hour, &tm.min, &tm.sec, &fsec);
  std::string s;
  append_padded(s, tm.hour, 2);
  s += ':';
  append_padded(s, tm.min, 2);
  s += ':';
  append_seconds(s, tm.sec, fsec, true);
  return s;
}

std::string timestamp_out(Timestamp t) {
  if (t == kTsNegInfinity) return "-infinity";
  if (t == kTsPosInfinity) return "infinity";
  Tm tm;
  int64_t fsec;
  if (!timestamp2tm(t, &tm, &fsec, nullptr)) ts_out_of_range();
  return encode_datetime(tm, fsec, false);
}

std::string timestamptz_out(TimestampTz t, const TimeZone& tz) {
  if (t == kTsNegInfinity) return "-infinity";
  if (t == kTsPosInfinity) return "infinity";
  Tm tm;
  int64_t fsec;
  if (!timestamp2tm(t, &tm, &fsec, &tz)) ts_out_of_range();
  return encode_datetime(tm, fsec, true);
}

namespace {
struct Itm {
  int64_t hour;
  int min, sec, usec, mday, mon, year;
};
Itm interval2itm(const Interval& iv) {
  Itm r;
  r.year = iv.month / 12;
  r.mon = iv.month % 12;
  r.mday = iv.day;
  int64_t time = iv.time;
  r.hour = time / kUsecPerHour;
  time -= r.hour * kUsecPerHour;
  r.min = (int)(time / kUsecPerMinute);
  time -= (int64_t)r.min * kUsecPerMinute;
  r.sec = (int)(time / kUsecPerSec);
  time -= (int64_t)r.sec * kUsecPerSec;
  r.usec = (int)time;
  return r;
}

void add_int_part(std::string& s, int64_t value, const char* units, bool* is_zero, bool* is_before) {
  if (value == 0) return;
  if (!*is_zero) s += ' ';
  if (*is_before && value > 0) s += '+';
  s += std::to_string(value);
  s += ' ';
  s += units;
  if (value != 1) s += 's';
  *is_before = value < 0;
  *is_zero = false;
}
}  // namespace

std::string interval_out(const Interval& iv) {
  Itm tm = interval2itm(iv);
  std::string s;
  bool is_zero = true, is_before = false;
  add_int_part(s, tm.year, "year", &is_zero, &is_before);
  add_int_part(s, tm.mon, "mon", &is_zero, &is_before);
  add_int_part(s, tm.mday, "day", &is_zero, &is_before);
  if (is_zero || tm.hour != 0 || tm.min != 0 || tm.sec != 0 || tm.usec != 0) {
    bool minus = tm.hour < 0 || tm.min < 0 || tm.sec < 0 || tm.usec < 0;
    if (!is_zero) s += ' ';
    s += minus ? "-" : (is_before ? "+" : "");
    uint64_t h = tm.hour < 0 ? (uint64_t)0 - (uint64_t)tm.hour : (uint64_t)tm.hour;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02llu:%02d:", (unsigned long long)h, std::abs(tm.min));
    s += buf;
    append_seconds(s, tm.sec, tm.usec, true);
  }
  return s;
}

// ---- type modifiers ----

namespace {
int64_t round_usec(int64_t v, int precision) {
  static const int64_t scales[7] = {1000000, 100000, 10000, 1000, 100, 10, 1};
  int64_t scale = scales[precision], offset = scale / 2;
  __int128 r = v >= 0 ? ((__int128)v + offset) / scale * scale : -(((-(__int128)v) + offset) / scale * scale);
  if (r > INT64_MAX || r < INT64_MIN) interval_out_of_range();
  return (int64_t)r;
}
void check_precision(const char* type, int precision) {
  if (precision < 0 || precision > 6)
    raise(SqlState::InvalidParameterValue,
          std::string(type) + "(" + std::to_string(precision) + ") precision must be between 0 and 6");
}
}  // namespace

Timestamp timestamp_round(Timestamp t, int precision) {
  if (!ts_finite(t)) return t;
  check_precision("timestamp", precision);
  if (precision == 6) return t;
  return round_usec(t, precision);  // PostgreSQL does not re-check the range afterwards
}

Time time_round(Time t, int precision) {
  if (precision < 0 || precision > 6) return t;  // as PostgreSQL's AdjustTimeForTypmod
  return round_usec(t, precision);
}

Interval interval_round(const Interval& iv, int precision) {
  check_precision("interval", precision);
  Interval r = iv;
  r.time = round_usec(iv.time, precision);
  return r;
}

Interval interval_apply_typmod(const Interval& iv, int32_t typmod) {
  if (typmod < 0) return iv;
  const int precision = typmod & 0xFFFF;
  return interval_adjust(iv, typmod >> 16, precision == 0xFFFF ? -1 : precision);
}

Interval interval_in_typmod(std::string_view text, int32_t typmod) {
  if (typmod < 0) return interval_in(text);
  return interval_apply_typmod(interval_in(text, typmod >> 16), typmod);
}

namespace {

// The grammar's interval field qualifiers (INTERVAL_MASK combinations) and their text in format_type.
struct IntervalQualifier {
  int range;
  const char* text;
};
constexpr IntervalQualifier kIntervalQualifiers[] = {
    {kIntervalFullRange, ""},
    {kIntervalYear, " year"},
    {kIntervalMonth, " month"},
    {kIntervalDay, " day"},
    {kIntervalHour, " hour"},
    {kIntervalMinute, " minute"},
    {kIntervalSecond, " second"},
    {kIntervalYear | kIntervalMonth, " year to month"},
    {kIntervalDay | kIntervalHour, " day to hour"},
    {kIntervalDay | kIntervalHour | kIntervalMinute, " day to minute"},
    {kIntervalDay | kIntervalHour | kIntervalMinute | kIntervalSecond, " day to second"},
    {kIntervalHour | kIntervalMinute, " hour to minute"},
    {kIntervalHour | kIntervalMinute | kIntervalSecond, " hour to second"},
    {kIntervalMinute | kIntervalSecond, " minute to second"},
};

const IntervalQualifier* interval_qualifier(int range) {
  for (const IntervalQualifier& q : kIntervalQualifiers)
    if (q.range == range) return &q;
  return nullptr;
}

}  // namespace

std::string interval_typmod_text(int32_t typmod) {
  if (typmod < 0) return "";
  const int precision = typmod & 0xFFFF;
  const IntervalQualifier* q = interval_qualifier(typmod >> 16);
  std::string out = q ? q->text : "";
  if (precision != 0xFFFF) out += "(" + std::to_string(precision) + ")";
  return out;
}

bool interval_range_valid(int range) {
  return interval_qualifier(range) != nullptr;
}

Interval interval_adjust(const Interval& iv, int range, int precision) {
  Interval r = iv;
  switch (range) {
    case kIntervalYear:
      r.month = (r.month / 12) * 12;
      r.day = 0;
      r.time = 0;
      break;
    case kIntervalMonth:
    case kIntervalYear | kIntervalMonth:
      r.day = 0;
      r.time = 0;
      break;
    case kIntervalDay:
      r.time = 0;
      break;
    case kIntervalHour:
    case kIntervalDay | kIntervalHour:
      r.time = (r.time / kUsecPerHour) * kUsecPerHour;
      break;
    case kIntervalMinute:
    case kIntervalDay | kIntervalHour | kIntervalMinute:
    case kIntervalHour | kIntervalMinute:
      r.time = (r.time / kUsecPerMinute) * kUsecPerMinute;
      break;
    default:  // full range, SECOND and the qualifiers ending in SECOND keep every field
      break;
  }
  if (precision >= 0) r = interval_round(r, precision);
  return r;
}

// ---- casts ----

Timestamp date_to_timestamp(Date d) {
  if (d == kDateNegInfinity) return kTsNegInfinity;
  if (d == kDatePosInfinity) return kTsPosInfinity;
  if (d >= kTimestampEndJulian - kPostgresEpochJdate)
    raise(SqlState::DatetimeFieldOverflow, "date out of range for timestamp");
  return (int64_t)d * kUsecPerDay;
}

TimestampTz date_to_timestamptz(Date d, const TimeZone& tz) {
  if (d == kDateNegInfinity) return kTsNegInfinity;
  if (d == kDatePosInfinity) return kTsPosInfinity;
  if (d >= kTimestampEndJulian - kPostgresEpochJdate)
    raise(SqlState::DatetimeFieldOverflow, "date out of range for timestamp");
  Tm tm;
  j2date(d + kPostgresEpochJdate, &tm.year, &tm.mon, &tm.mday);
  int off = determine_offset(&tm, tz);
  int64_t r = (int64_t)d * kUsecPerDay - (int64_t)off * kUsecPerSec;
  if (!valid_timestamp(r)) raise(SqlState::DatetimeFieldOverflow, "date out of range for timestamp");
  return r;
}

Date timestamp_to_date(Timestamp t) {
  if (t == kTsNegInfinity) return kDateNegInfinity;
  if (t == kTsPosInfinity) return kDatePosInfinity;
  Tm tm;
  int64_t fsec;
  if (!timestamp2tm(t, &tm, &fsec, nullptr)) ts_out_of_range();
  return date2j(tm.year, tm.mon, tm.mday) - kPostgresEpochJdate;
}

Date timestamptz_to_date(TimestampTz t, const TimeZone& tz) {
  if (t == kTsNegInfinity) return kDateNegInfinity;
  if (t == kTsPosInfinity) return kDatePosInfinity;
  Tm tm;
  int64_t fsec;
  if (!timestamp2tm(t, &tm, &fsec, &tz)) ts_out_of_range();
  return date2j(tm.year, tm.mon, tm.mday) - kPostgresEpochJdate;
}

TimestampTz timestamp_to_timestamptz(Timestamp t, const TimeZone& tz) {
  if (!ts_finite(t)) return t;
  Tm tm;
  int64_t fsec;
  if (timestamp2tm(t, &tm, &fsec, nullptr)) {
    int off = determine_offset(&tm, tz);
    int64_t r = t - (int64_t)off * kUsecPerSec;
    if (valid_timestamp(r)) return r;
  }
  ts_out_of_range();
}

Timestamp timestamptz_to_timestamp(TimestampTz t, const TimeZone& tz) {
  if (!ts_finite(t)) return t;
  Tm tm;
  int64_t fsec;
  Timestamp r;
  if (!timestamp2tm(t, &tm, &fsec, &tz)) ts_out_of_range();
  if (!tm2timestamp(tm, fsec, nullptr, &r)) ts_out_of_range();
  return r;
}

Time timestamp_to_time(Timestamp t) {
  if (!ts_finite(t)) raise(SqlState::DatetimeFieldOverflow, "timestamp out of range");
  Tm tm;
  int64_t fsec;
  if (!timestamp2tm(t, &tm, &fsec, nullptr)) ts_out_of_range();
  return time2t(tm.hour, tm.min, tm.sec, fsec);
}

TimestampTz timestamp_at_zone(Timestamp t, std::string_view zone) {
  if (!ts_finite(t)) return t;
  ZoneSpec z = resolve_zone(zone);
  int64_t r;
  if (z.kind == ZoneSpec::kFixed) {
    r = t - (int64_t)z.offset * kUsecPerSec;
  } else {
    Tm tm;
    int64_t fsec;
    if (!timestamp2tm(t, &tm, &fsec, nullptr)) ts_out_of_range();
    int off = z.kind == ZoneSpec::kDynamic ? determine_abbrev_offset(&tm, z.abbrev, z.zone)
                                           : determine_offset(&tm, z.zone);
    if (z.kind == ZoneSpec::kDynamic) {
      r = t - (int64_t)off * kUsecPerSec;
    } else if (!tm2timestamp(tm, fsec, &off, &r)) {
      ts_out_of_range();
    }
  }
  if (!valid_timestamp(r)) ts_out_of_range();
  return r;
}

Timestamp timestamptz_at_zone(TimestampTz t, std::string_view zone) {
  if (!ts_finite(t)) return t;
  ZoneSpec z = resolve_zone(zone);
  int64_t r;
  if (z.kind == ZoneSpec::kFixed) {
    r = t + (int64_t)z.offset * kUsecPerSec;
  } else if (z.kind == ZoneSpec::kDynamic) {
    // PostgreSQL resolves a dynamic abbreviation at the UTC instant.
    Tm tm;
    int64_t fsec;
    if (!timestamp2tm(t, &tm, &fsec, nullptr)) ts_out_of_range();
    int off = determine_abbrev_offset(&tm, z.abbrev, z.zone);
    r = t + (int64_t)off * kUsecPerSec;
  } else {
    Tm tm;
    int64_t fsec;
    if (!timestamp2tm(t, &tm, &fsec, &z.zone)) ts_out_of_range();
    if (!tm2timestamp(tm, fsec, nullptr, &r)) ts_out_of_range();
  }
  if (!valid_timestamp(r)) ts_out_of_range();
  return r;
}

// ---- arithmetic ----

namespace {

void add_months(Tm* tm, int32_t months) {
  int64_t mon = (int64_t)tm->mon + months;
  int64_t year = tm->year;
  if (mon > 12) {
    year += (mon - 1) / 12;
    mon = (mon - 1) % 12 + 1;
  } else if (mon < 1) {
    year += mon / 12 - 1;
    mon = mon % 12 + 12;
  }
  if (year > INT_MAX / 2 || year < INT_MIN / 2) ts_out_of_range();
  tm->year = (int)year;
  tm->mon = (int)mon;
  if (tm->mday > days_in_month(tm->year, tm->mon)) tm->mday = days_in_month(tm->year, tm->mon);
}

Timestamp pl_interval(Timestamp t, const Interval& span, const TimeZone* tz) {
  if (!ts_finite(t)) return t;
  if (span.month != 0) {
    Tm tm;
    int64_t fsec;
    if (!timestamp2tm(t, &tm, &fsec, tz)) ts_out_of_range();
    add_months(&tm, span.month);
    int off = tz ? determine_offset(&tm, *tz) : 0;
    if (!tm2timestamp(tm, fsec, tz ? &off : nullptr, &t)) ts_out_of_range();
  }
  if (span.day != 0) {
    Tm tm;
    int64_t fsec;
    if (!timestamp2tm(t, &tm, &fsec, tz)) ts_out_of_range();
    int julian = date2j(tm.year, tm.mon, tm.mday);
    if (__builtin_add_overflow(julian, span.day, &julian) || julian < 0) ts_out_of_range();
    j2date(julian, &tm.year, &tm.mon, &tm.mday);
    int off = tz ? determine_offset(&tm, *tz) : 0;
    if (!tm2timestamp(tm, fsec, tz ? &off : nullptr, &t)) ts_out_of_range();
  }
  if (__builtin_add_overflow(t, span.time, &t)) ts_out_of_range();
  if (!valid_timestamp(t)) ts_out_of_range();
  return t;
}

Interval negate(const Interval& iv) {
  if (iv.time == INT64_MIN || iv.day == INT_MIN || iv.month == INT_MIN) interval_out_of_range();
  return Interval{-iv.time, -iv.day, -iv.month};
}

}  // namespace

Timestamp timestamp_pl_interval(Timestamp t, const Interval& iv) {
  return pl_interval(t, iv, nullptr);
}
// PostgreSQL negates the interval without an overflow check (-INT_MIN days stays INT_MIN).
static Interval wrapping_negate(const Interval& iv) {
  return Interval{(int64_t)(0 - (uint64_t)iv.time), (int32_t)(0 - (uint32_t)iv.day),
                  (int32_t)(0 - (uint32_t)iv.month)};
}
Timestamp timestamp_mi_interval(Timestamp t, const Interval& iv) {
  return pl_interval(t, wrapping_negate(iv), nullptr);
}
TimestampTz timestamptz_pl_interval(TimestampTz t, const Interval& iv, const TimeZone& tz) {
  return pl_interval(t, iv, &tz);
}
TimestampTz timestamptz_mi_interval(TimestampTz t, const Interval& iv, const TimeZone& tz) {
  return pl_interval(t, wrapping_negate(iv), &tz);
}

Interval timestamp_mi(Timestamp a, Timestamp b) {
  if (!ts_finite(a) || !ts_finite(b))
    raise(SqlState::DatetimeFieldOverflow, "cannot subtract infinite timestamps");
  Interval r;
  if (__builtin_sub_overflow(a, b, &r.time)) interval_out_of_range();
  return justify_hours(r);
}

Date date_pl_days(Date d, int32_t days) {
  if (!date_finite(d)) return d;
  int64_t r = (int64_t)d + days;
  if (r < INT_MIN || r > INT_MAX || !valid_date(r))
    raise(SqlState::DatetimeFieldOverflow, "date out of range");
  return (Date)r;
}

Date date_mi_days(Date d, int32_t days) {
  if (!date_finite(d)) return d;
  int64_t r = (int64_t)d - days;
  if (r < INT_MIN || r > INT_MAX || !valid_date(r))
    raise(SqlState::DatetimeFieldOverflow, "date out of range");
  return (Date)r;
}

int32_t date_mi(Date a, Date b) {
  if (!date_finite(a) || !date_finite(b))
    raise(SqlState::DatetimeFieldOverflow, "cannot subtract infinite dates");
  return a - b;
}

Timestamp date_pl_interval(Date d, const Interval& iv) {
  return timestamp_pl_interval(date_to_timestamp(d), iv);
}

Interval interval_pl(const Interval& a, const Interval& b) {
  Interval r;
  if (__builtin_add_overflow(a.month, b.month, &r.month) || __builtin_add_overflow(a.day, b.day, &r.day) ||
      __builtin_add_overflow(a.time, b.time, &r.time))
    interval_out_of_range();
  return r;
}

Interval interval_mi(const Interval& a, const Interval& b) {
  Interval r;
  if (__builtin_sub_overflow(a.month, b.month, &r.month) || __builtin_sub_overflow(a.day, b.day, &r.day) ||
      __builtin_sub_overflow(a.time, b.time, &r.time))
    interval_out_of_range();
  return r;
}

Interval interval_um(const Interval& a) {
  return negate(a);
}

namespace {
double tsround(double j) {
  return std::rint(j * 1000000.0) / 1000000.0;
}
bool fits_int32(double d) {
  return !std::isnan(d) && d <= INT_MAX && d >= INT_MIN;
}
bool fits_int64(double d) {
  return d >= -9223372036854775808.0 && d < 9223372036854775808.0;
}
}  // namespace

Interval interval_mul(const Interval& span, double factor) {
  Interval r;
  double rd = span.month * factor;
  if (!fits_int32(rd)) interval_out_of_range();
  r.month = (int32_t)rd;
  rd = span.day * factor;
  if (!fits_int32(rd)) interval_out_of_range();
  r.day = (int32_t)rd;
  double month_remainder_days = (span.month * factor - r.month) * 30;
  month_remainder_days = tsround(month_remainder_days);
  double sec_remainder =
      (span.day * factor - r.day + month_remainder_days - (int)month_remainder_days) * 86400;
  sec_remainder = tsround(sec_remainder);
  if (std::fabs(sec_remainder) >= 86400) {
    if (__builtin_add_overflow(r.day, (int)(sec_remainder / 86400), &r.day)) interval_out_of_range();
    sec_remainder -= (int)(sec_remainder / 86400) * 86400;
  }
  if (__builtin_add_overflow(r.day, (int32_t)month_remainder_days, &r.day)) interval_out_of_range();
  rd = std::rint(span.time * factor + sec_remainder * kUsecPerSec);
  if (std::isnan(rd) || !fits_int64(rd)) interval_out_of_range();
  r.time = (int64_t)rd;
  return r;
}

Interval interval_div(const Interval& span, double factor) {
  if (factor == 0.0) raise(SqlState::DivisionByZero, "division by zero");
  Interval r;
  double rd = span.month / factor;
  if (!fits_int32(rd)) interval_out_of_range();
  r.month = (int32_t)rd;
  rd = span.day / factor;
  if (!fits_int32(rd)) interval_out_of_range();
  r.day = (int32_t)rd;
  double month_remainder_days = (span.month / factor - r.month) * 30;
  month_remainder_days = tsround(month_remainder_days);
  double sec_remainder =
      (span.day / factor - r.day + month_remainder_days - (int)month_remainder_days) * 86400;
  sec_remainder = tsround(sec_remainder);
  if (std::fabs(sec_remainder) >= 86400) {
    if (__builtin_add_overflow(r.day, (int)(sec_remainder / 86400), &r.day)) interval_out_of_range();
    sec_remainder -= (int)(sec_remainder / 86400) * 86400;
  }
  if (__builtin_add_overflow(r.day, (int32_t)month_remainder_days, &r.day)) interval_out_of_range();
  rd = std::rint(span.time / factor + sec_remainder * kUsecPerSec);
  if (std::isnan(rd) || !fits_int64(rd)) interval_out_of_range();
  r.time = (int64_t)rd;
  return r;
}

Interval justify_hours(const Interval& span) {
  Interval r = span;
  int64_t wholeday = r.time / kUsecPerDay;
  r.time -= wholeday * kUsecPerDay;
  int64_t day = (int64_t)r.day + wholeday;
  if (day > INT_MAX || day < INT_MIN) interval_out_of_range();
  r.day = (int32_t)day;
  if (r.day > 0 && r.time < 0) {
    r.time += kUsecPerDay;
    r.day--;
  } else if (r.day < 0 && r.time > 0) {
    r.time -= kUsecPerDay;
    r.day++;
  }
  return r;
}

Interval justify_days(const Interval& span) {
  Interval r = span;
  int32_t wholemonth = r.day / 30;
  r.day -= wholemonth * 30;
  if (__builtin_add_overflow(r.month, wholemonth, &r.month)) interval_out_of_range();
  if (r.month > 0 && r.day < 0) {
    r.day += 30;
    r.month--;
  } else if (r.month < 0 && r.day > 0) {
    r.day -= 30;
    r.month++;
  }
  return r;
}

Interval justify_interval(const Interval& span) {
  Interval r = span;
  if ((r.day > 0 && r.time > 0) || (r.day < 0 && r.time < 0)) {
    int32_t wholemonth = r.day / 30;
    r.day -= wholemonth * 30;
    if (__builtin_add_overflow(r.month, wholemonth, &r.month)) interval_out_of_range();
  }
  int64_t wholeday = r.time / kUsecPerDay;
  r.time -= wholeday * kUsecPerDay;
  r.day += (int32_t)wholeday;
  int32_t wholemonth = r.day / 30;
  r.day -= wholemonth * 30;
  if (__builtin_add_overflow(r.month, wholemonth, &r.month)) interval_out_of_range();
  if (r.month > 0 && (r.day < 0 || (r.day == 0 && r.time < 0))) {
    r.day += 30;
    r.month--;
  } else if (r.month < 0 && (r.day > 0 || (r.day == 0 && r.time > 0))) {
    r.day -= 30;
    r.month++;
  }
  if (r.day > 0 && r.time < 0) {
    r.time += kUsecPerDay;
    r.day--;
  } else if (r.day < 0 && r.time > 0) {
    r.time -= kUsecPerDay;
    r.day++;
  }
  return r;
}

__int128 interval_cmp_value(const Interval& a) {
  int64_t days = (int64_t)a.month * 30 + a.day;
  return (__int128)a.time + (__int128)days * kUsecPerDay;
}

int interval_cmp(const Interval& a, const Interval& b) {
  __int128 x = interval_cmp_value(a), y = interval_cmp_value(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

namespace {
Interval age_common(Timestamp dt1, Timestamp dt2, const TimeZone* tz) {
  Tm tm1, tm2;
  int64_t fsec1, fsec2;
  if (!timestamp2tm(dt1, &tm1, &fsec1, tz) || !timestamp2tm(dt2, &tm2, &fsec2, tz)) ts_out_of_range();
  int64_t fsec = fsec1 - fsec2;
  int64_t sec = tm1.sec - tm2.sec, min = tm1.min - tm2.min, hour = tm1.hour - tm2.hour;
  int64_t mday = tm1.mday - tm2.mday, mon = tm1.mon - tm2.mon, year = (int64_t)tm1.year - tm2.year;
  if (dt1 < dt2) {
    fsec = -fsec;
    sec = -sec;
    min = -min;
    hour = -hour;
    mday = -mday;
    mon = -mon;
    year = -year;
  }
  while (fsec < 0) {
    fsec += kUsecPerSec;
    sec--;
  }
  while (sec < 0) {
    sec += 60;
    min--;
  }
  while (min < 0) {
    min += 60;
    hour--;
  }
  while (hour < 0) {
    hour += 24;
    mday--;
  }
  while (mday < 0) {
    if (dt1 < dt2)
      mday += days_in_month(tm1.year, tm1.mon);
    else
      mday += days_in_month(tm2.year, tm2.mon);
    mon--;
  }
  while (mon < 0) {
    mon += 12;
    year--;
  }
  if (dt1 < dt2) {
    fsec = -fsec;
    sec = -sec;
    min = -min;
    hour = -hour;
    mday = -mday;
    mon = -mon;
    year = -year;
  }
  int64_t months = year * 12 + mon;
  if (months > INT_MAX || months < INT_MIN) interval_out_of_range();
  Interval r;
  r.month = (int32_t)months;
  r.day = (int32_t)mday;
  r.time = ((hour * 60 + min) * 60 + sec) * kUsecPerSec + fsec;
  return r;
}
}  // namespace

Interval age(Timestamp a, Timestamp b) {
  return age_common(a, b, nullptr);
}
Interval age_tz(TimestampTz a, TimestampTz b, const TimeZone& tz) {
  return age_common(a, b, &tz);
}

// ---- date_trunc / date_part ----

namespace {

struct Unit {
  TokType type;  // kUnits, kReserved or kUnknown
  int val;
  std::string lower;
};

// date_trunc looks units up in the interval-unit table only.
Unit decode_trunc_units(std::string_view field) {
  Unit u{kUnknown, 0, lowercase(field)};
  if (auto t = lookup_deltatoken(u.lower); t && t->type == kUnits) {
    u.type = kUnits;
    u.val = t->value;
  }
  return u;
}

Unit decode_units(std::string_view field) {
  Unit u{kUnknown, 0, lowercase(field)};
  if (auto t = lookup_deltatoken(u.lower); t && t->type == kUnits) {
    u.type = kUnits;
    u.val = t->value;
  } else if (auto d = lookup_datetoken(u.lower); d && (d->type == kUnits || d->type == kReserved)) {
    u.type = d->type;
    u.val = d->value;
  } else if (t) {
    u.type = t->type;
    u.val = t->value;
  } else if (d) {
    u.type = d->type;
    u.val = d->value;
  }
  return u;
}

const char* kTsName = "timestamp without time zone";
const char* kTsTzName = "timestamp with time zone";

[[noreturn]] void unit_not_supported(const Unit& u, const char* type) {
  raise(SqlState::FeatureNotSupported, "unit \"" + u.lower + "\" not supported for type " + type);
}
[[noreturn]] void unit_not_recognized(const Unit& u, const char* type) {
  raise(SqlState::InvalidParameterValue, "unit \"" + u.lower + "\" not recognized for type " + type);
}

// Truncates tm in place; returns whether the zone offset must be recomputed (units of a day or more).
bool trunc_fields(const Unit& u, Tm* tm, int64_t* fsec, const char* type) {
  bool redotz = false;
  switch (u.val) {
    case DTK_WEEK: {
      int woy = date2isoweek(tm->year, tm->mon, tm->mday);
      if (woy >= 52 && tm->mon == 1) --tm->year;
      if (woy <= 1 && tm->mon == 12) ++tm->year;
      isoweek2date(woy, &tm->year, &tm->mon, &tm->mday);
      tm->hour = tm->min = tm->sec = 0;
      *fsec = 0;
      return true;
    }
    case DTK_MILLENNIUM:
      if (tm->year > 0)
        tm->year = ((tm->year + 999) / 1000) * 1000 - 999;
      else
        tm->year = -((999 - (tm->year - 1)) / 1000) * 1000 + 1;
      [[fallthrough]];
    case DTK_CENTURY:
      if (tm->year > 0)
        tm->year = ((tm->year + 99) / 100) * 100 - 99;
      else
        tm->year = -((99 - (tm->year - 1)) / 100) * 100 + 1;
      [[fallthrough]];
    case DTK_DECADE:
      if (u.val != DTK_MILLENNIUM && u.val != DTK_CENTURY) {
        if (tm->year > 0)
          tm->year = (tm->year / 10) * 10;
        else
          tm->year = -((8 - (tm->year - 1)) / 10) * 10;
      }
      [[fallthrough]];
    case DTK_YEAR:
      tm->mon = 1;
      [[fallthrough]];
    case DTK_QUARTER:
      tm->mon = (3 * ((tm->mon - 1) / 3)) + 1;
      [[fallthrough]];
    case DTK_MONTH:
      tm->mday = 1;
      [[fallthrough]];
    case DTK_DAY:
      tm->hour = 0;
      redotz = true;
      [[fallthrough]];
    case DTK_HOUR:
      tm->min = 0;
      [[fallthrough]];
    case DTK_MINUTE:
      tm->sec = 0;
      [[fallthrough]];
    case DTK_SECOND:
      *fsec = 0;
      break;
    case DTK_MILLISEC:
      *fsec = (*fsec / 1000) * 1000;
      break;
    case DTK_MICROSEC:
      break;
    default:
      unit_not_supported(u, type);
  }
  return redotz;
}

TimestampTz trunc_tz_internal(const Unit& u, TimestampTz t, const TimeZone& tz) {
  if (u.type != kUnits) unit_not_recognized(u, kTsTzName);
  Tm tm;
  int64_t fsec;
  if (!timestamp2tm(t, &tm, &fsec, &tz)) ts_out_of_range();
  int off = tm.gmtoff;
  if (trunc_fields(u, &tm, &fsec, kTsTzName)) off = determine_offset(&tm, tz);
  Timestamp r;
  if (!tm2timestamp(tm, fsec, &off, &r)) ts_out_of_range();
  return r;
}

}  // namespace

Timestamp date_trunc(std::string_view field, Timestamp t) {
  Unit u = decode_trunc_units(field);
  if (!ts_finite(t)) return t;
  if (u.type != kUnits) unit_not_recognized(u, kTsName);
  Tm tm;
  int64_t fsec;
  if (!timestamp2tm(t, &tm, &fsec, nullptr)) ts_out_of_range();
  trunc_fields(u, &tm, &fsec, kTsName);
  Timestamp r;
  if (!tm2timestamp(tm, fsec, nullptr, &r)) ts_out_of_range();
  return r;
}

TimestampTz date_trunc_tz(std::string_view field, TimestampTz t, const TimeZone& tz) {
  Unit u = decode_trunc_units(field);
  if (!ts_finite(t)) return t;
  return trunc_tz_internal(u, t, tz);
}

TimestampTz date_trunc_zone(std::string_view field, TimestampTz t, std::string_view zone) {
  Unit u = decode_trunc_units(field);
  if (!ts_finite(t)) return t;
  ZoneSpec z = resolve_zone(zone);
  TimeZone tz = z.kind == ZoneSpec::kFixed ? TimeZone::fixed(z.offset) : z.zone;
  return trunc_tz_internal(u, t, tz);
}

Interval date_trunc_interval(std::string_view field, const Interval& iv) {
  Unit u = decode_trunc_units(field);
  if (u.type != kUnits) unit_not_recognized(u, "interval");
  Itm tm = interval2itm(iv);
  switch (u.val) {
    case DTK_MILLENNIUM:
      tm.year = (tm.year / 1000) * 1000;
      [[fallthrough]];
    case DTK_CENTURY:
      tm.year = (tm.year / 100) * 100;
      [[fallthrough]];
    case DTK_DECADE:
      tm.year = (tm.year / 10) * 10;
      [[fallthrough]];
    case DTK_YEAR:
      tm.mon = 0;
      [[fallthrough]];
    case DTK_QUARTER:
      tm.mon = 3 * (tm.mon / 3);
      [[fallthrough]];
    case DTK_MONTH:
      tm.mday = 0;
      [[fallthrough]];
    case DTK_DAY:
      tm.hour = 0;
      [[fallthrough]];
    case DTK_HOUR:
      tm.min = 0;
      [[fallthrough]];
    case DTK_MINUTE:
      tm.sec = 0;
      [[fallthrough]];
    case DTK_SECOND:
      tm.usec = 0;
      break;
    case DTK_MILLISEC:
      tm.usec = (tm.usec / 1000) * 1000;
      break;
    case DTK_MICROSEC:
      break;
    default:
      if (u.val == DTK_WEEK)
        throw SqlError(SqlState::FeatureNotSupported,
                       "unit \"" + u.lower + "\" not supported for type interval")
            .with_detail("Months usually have fractional weeks.");
      unit_not_supported(u, "interval");
  }
  int64_t months = (int64_t)tm.year * 12 + tm.mon;
  if (months > INT_MAX || months < INT_MIN) interval_out_of_range();
  Interval r;
  r.month = (int32_t)months;
  r.day = tm.mday;
  __int128 time = (__int128)tm.hour * kUsecPerHour + (__int128)tm.min * kUsecPerMinute +
                  (__int128)tm.sec * kUsecPerSec + tm.usec;
  if (time > INT64_MAX || time < INT64_MIN) interval_out_of_range();
  r.time = (int64_t)time;
  return r;
}

namespace {

std::string numeric_text(__int128 v, int scale) {
  bool neg = v < 0;
  unsigned __int128 u = neg ? (unsigned __int128)0 - (unsigned __int128)v : (unsigned __int128)v;
  char buf[96];
  char* end = buf + sizeof buf;
  char* p = end;
  int n = 0;
  do {
    if (scale > 0 && n == scale) *--p = '.';
    *--p = (char)('0' + (int)(u % 10));
    u /= 10;
    n++;
  } while (u != 0 || n <= scale);
  if (neg) *--p = '-';
  return std::string(p, end);
}

PartResult float_part(double d) {
  PartResult r;
  r.float8 = d;
  append_float8_text(d, 1, r.text);
  return r;
}

PartResult int_part(int64_t v, bool numeric) {
  if (numeric) {
    PartResult r;
    r.float8 = (double)v;
    r.text = std::to_string(v);
    return r;
  }
  return float_part((double)v);
}

PartResult scaled_part(__int128 v, int scale, double f, bool numeric) {
  if (!numeric) return float_part(f);
  PartResult r;
  r.float8 = f;
  r.text = numeric_text(v, scale);
  return r;
}

// PostgreSQL's numeric julian day: jd + usec_of_day / 86400000000 with numeric division's scale.
std::string numeric_julian(int jd, int64_t day_usec) {
  // select_div_scale: weights and first digits in base 10000.
  int weight1 = 0, first1 = 0;
  if (day_usec != 0) {
    int64_t top = day_usec;
    while (top >= 10000) {
      top /= 10000;
      weight1++;
    }
    first1 = (int)top;
  }
  int weight2 = 2, first2 = 864;  // 86400000000 = 864 0000 0000
  int qweight = weight1 - weight2;
  if (first1 <= first2) qweight--;
  int rscale = 16 - qweight * 4;
  if (rscale < 0) rscale = 0;
  if (rscale > 1000) rscale = 1000;
  // frac = day_usec / 86400000000 rounded half away from zero to rscale digits.
  std::string frac;
  __int128 num = day_usec, den = kUsecPerDay;
  __int128 rem = num % den;
  for (int i = 0; i < rscale; i++) {
    rem *= 10;
    frac.push_back((char)('0' + (int)(rem / den)));
    rem %= den;
  }
  __int128 ip = jd + num / den;
  if (rem * 10 / den >= 5) {  // round up
    int k = (int)frac.size() - 1;
    while (k >= 0 && frac[k] == '9') frac[k--] = '0';
    if (k >= 0)
      frac[k]++;
    else
      ip++;
  }
  std::string s = numeric_text(ip, 0);
  if (rscale > 0) s += "." + frac;
  return s;
}

PartResult infinite_part(const Unit& u, bool negative, bool numeric, const char* type) {
  if (u.type != kUnits && u.type != kReserved) unit_not_recognized(u, type);
  switch (u.val) {
    case DTK_MICROSEC:
    case DTK_MILLISEC:
    case DTK_SECOND:
    case DTK_MINUTE:
    case DTK_HOUR:
    case DTK_DAY:
    case DTK_MONTH:
    case DTK_QUARTER:
    case DTK_WEEK:
    case DTK_DOW:
    case DTK_ISODOW:
    case DTK_DOY:
    case DTK_TZ:
    case DTK_TZ_MINUTE:
    case DTK_TZ_HOUR: {
      PartResult r;
      r.null = true;
      return r;
    }
    case DTK_YEAR:
    case DTK_DECADE:
    case DTK_CENTURY:
    case DTK_MILLENNIUM:
    case DTK_JULIAN:
    case DTK_ISOYEAR:
    case DTK_EPOCH: {
      PartResult r;
      r.float8 = negative ? -INFINITY : INFINITY;
      r.text = negative ? "-Infinity" : "Infinity";
      (void)numeric;
      return r;
    }
    default:
      unit_not_supported(u, type);
  }
}

PartResult timestamp_part_common(std::string_view field, Timestamp t, const TimeZone* tz, bool numeric) {
  const char* type = tz ? kTsTzName : kTsName;
  Unit u = decode_units(field);
  if (!ts_finite(t)) return infinite_part(u, t == kTsNegInfinity, numeric, type);
  if (u.type == kUnits) {
    Tm tm;
    int64_t fsec;
    if (!timestamp2tm(t, &tm, &fsec, tz)) ts_out_of_range();
    int tzw = -tm.gmtoff;
    switch (u.val) {
      case DTK_TZ:
        if (!tz) unit_not_supported(u, type);
        return int_part(-tzw, numeric);
      case DTK_TZ_MINUTE:
        if (!tz) unit_not_supported(u, type);
        return int_part((-tzw / 60) % 60, numeric);
      case DTK_TZ_HOUR:
        if (!tz) unit_not_supported(u, type);
        return int_part(-tzw / 3600, numeric);
      case DTK_MICROSEC:
        return int_part(tm.sec * 1000000LL + fsec, numeric);
      case DTK_MILLISEC:
        return scaled_part(tm.sec * 1000000LL + fsec, 3, tm.sec * 1000.0 + fsec / 1000.0, numeric);
      case DTK_SECOND:
        return scaled_part(tm.sec * 1000000LL + fsec, 6, tm.sec + fsec / 1000000.0, numeric);
      case DTK_MINUTE:
        return int_part(tm.min, numeric);
      case DTK_HOUR:
        return int_part(tm.hour, numeric);
      case DTK_DAY:
        return int_part(tm.mday, numeric);
      case DTK_MONTH:
        return int_part(tm.mon, numeric);
      case DTK_QUARTER:
        return int_part((tm.mon - 1) / 3 + 1, numeric);
      case DTK_WEEK:
        return int_part(date2isoweek(tm.year, tm.mon, tm.mday), numeric);
      case DTK_YEAR:
        return int_part(tm.year > 0 ? tm.year : tm.year - 1, numeric);
      case DTK_DECADE:
        return int_part(tm.year >= 0 ? tm.year / 10 : -((8 - (tm.year - 1)) / 10), numeric);
      case DTK_CENTURY:
        return int_part(tm.year > 0 ? (tm.year + 99) / 100 : -((99 - (tm.year - 1)) / 100), numeric);
      case DTK_MILLENNIUM:
        return int_part(tm.year > 0 ? (tm.year + 999) / 1000 : -((999 - (tm.year - 1)) / 1000), numeric);
      case DTK_JULIAN: {
        int jd = date2j(tm.year, tm.mon, tm.mday);
        int64_t day_usec = ((int64_t)((tm.hour * 60) + tm.min) * 60 + tm.sec) * 1000000LL + fsec;
        double f = jd + ((((tm.hour * 60) + tm.min) * 60) + tm.sec + (fsec / 1000000.0)) / 86400.0;
        if (!numeric) return float_part(f);
        PartResult r;
        r.float8 = f;
        r.text = numeric_julian(jd, day_usec);
        return r;
      }
      case DTK_ISOYEAR: {
        int y = date2isoyear(tm.year, tm.mon, tm.mday);
        if (y <= 0) y -= 1;
        return int_part(y, numeric);
      }
      case DTK_DOW:
      case DTK_ISODOW: {
        int d = j2day(date2j(tm.year, tm.mon, tm.mday));
        if (u.val == DTK_ISODOW && d == 0) d = 7;
        return int_part(d, numeric);
      }
      case DTK_DOY:
        return int_part(date2j(tm.year, tm.mon, tm.mday) - date2j(tm.year, 1, 1) + 1, numeric);
      default:
        unit_not_supported(u, type);
    }
  } else if (u.type == kReserved) {
    if (u.val != DTK_EPOCH) unit_not_supported(u, type);
    __int128 diff = (__int128)t - kUnixEpochTs;
    double f;
    if (t < INT64_MAX + kUnixEpochTs) {
      f = (double)(t - kUnixEpochTs) / 1000000.0;
    } else {
      f = ((double)t - (double)kUnixEpochTs) / 1000000.0;
      // PostgreSQL divides in numeric here, rounding to the division's scale (16 significant digits).
      int weight = 0;
      __int128 top = diff;
      while (top >= 10000) {
        top /= 10000;
        weight++;
      }
      int qweight = weight - 1 - (top <= 100 ? 1 : 0);
      int rscale = std::max(0, 16 - qweight * 4);
      if (rscale < 6) {
        __int128 unit = 1;
        for (int i = rscale; i < 6; i++) unit *= 10;
        diff = (diff + unit / 2) / unit * unit;
      }
    }
    return scaled_part(diff, 6, f, numeric);
  }
  unit_not_recognized(u, type);
}

}  // namespace

PartResult date_part_timestamp(std::string_view field, Timestamp t, bool numeric) {
  return timestamp_part_common(field, t, nullptr, numeric);
}

PartResult date_part_timestamptz(std::string_view field, TimestampTz t, const TimeZone& tz, bool numeric) {
  return timestamp_part_common(field, t, &tz, numeric);
}

PartResult date_part_date(std::string_view field, Date d, bool numeric) {
  if (!numeric) return date_part_timestamp(field, date_to_timestamp(d), false);
  // EXTRACT(field FROM date): PostgreSQL's extract_date.
  Unit u = decode_units(field);
  if (u.type == kUnits) {
    switch (u.val) {
      case DTK_DAY:
      case DTK_MONTH:
      case DTK_QUARTER:
      case DTK_WEEK:
      case DTK_DOW:
      case DTK_ISODOW:
      case DTK_DOY:
        if (!date_finite(d)) {
          PartResult r;
          r.null = true;
          return r;
        }
        break;
      case DTK_YEAR:
      case DTK_DECADE:
      case DTK_CENTURY:
      case DTK_MILLENNIUM:
      case DTK_JULIAN:
      case DTK_ISOYEAR:
        if (!date_finite(d)) return infinite_part(u, d == kDateNegInfinity, true, "date");
        break;
      default:
        unit_not_supported(u, "date");
    }
  } else if (u.type == kReserved) {
    if (u.val != DTK_EPOCH) unit_not_supported(u, "date");
    if (!date_finite(d)) return infinite_part(u, d == kDateNegInfinity, true, "date");
  } else {
    unit_not_recognized(u, "date");
  }
  int year, mon, mday;
  j2date(d + kPostgresEpochJdate, &year, &mon, &mday);
  int64_t v = 0;
  switch (u.val) {
    case DTK_DAY:
      v = mday;
      break;
    case DTK_MONTH:
      v = mon;
      break;
    case DTK_QUARTER:
      v = (mon - 1) / 3 + 1;
      break;
    case DTK_WEEK:
      v = date2isoweek(year, mon, mday);
      break;
    case DTK_YEAR:
      v = year > 0 ? year : year - 1;
      break;
    case DTK_DECADE:
      v = year >= 0 ? year / 10 : -((8 - (year - 1)) / 10);
      break;
    case DTK_CENTURY:
      v = year > 0 ? (year + 99) / 100 : -((99 - (year - 1)) / 100);
      break;
    case DTK_MILLENNIUM:
      v = year > 0 ? (year + 999) / 1000 : -((999 - (year - 1)) / 1000);
      break;
    case DTK_JULIAN:
      v = (int64_t)d + kPostgresEpochJdate;
      break;
    case DTK_ISOYEAR:
      v = date2isoyear(year, mon, mday);
      if (v <= 0) v -= 1;
      break;
    case DTK_DOW:
    case DTK_ISODOW:
      v = j2day(d + kPostgresEpochJdate);
      if (u.val == DTK_ISODOW && v == 0) v = 7;
      break;
    case DTK_DOY:
      v = date2j(year, mon, mday) - date2j(year, 1, 1) + 1;
      break;
    case DTK_EPOCH:
      v = ((int64_t)d + kPostgresEpochJdate - kUnixEpochJdate) * 86400;
      break;
  }
  return int_part(v, true);
}

PartResult date_part_time(std::string_view field, Time t, bool numeric) {
  const char* type = "time without time zone";
  Unit u = decode_units(field);
  if (u.type == kUnits) {
    Tm tm;
    int64_t fsec;
    dt2time(t, &tm.hour, &tm.min, &tm.sec, &fsec);
    switch (u.val) {
      case DTK_MICROSEC:
        return int_part(tm.sec * 1000000LL + fsec, numeric);
      case DTK_MILLISEC:
        return scaled_part(tm.sec * 1000000LL + fsec, 3, tm.sec * 1000.0 + fsec / 1000.0, numeric);
      case DTK_SECOND:
        return scaled_part(tm.sec * 1000000LL + fsec, 6, tm.sec + fsec / 1000000.0, numeric);
      case DTK_MINUTE:
        return int_part(tm.min, numeric);
      case DTK_HOUR:
        return int_part(tm.hour, numeric);
      default:
        unit_not_supported(u, type);
    }
  } else if (u.type == kReserved && u.val == DTK_EPOCH) {
    return scaled_part(t, 6, t / 1000000.0, numeric);
  }
  unit_not_recognized(u, type);
}

PartResult date_part_interval(std::string_view field, const Interval& iv, bool numeric) {
  Unit u = decode_units(field);
  if (u.type == kUnits) {
    Itm tm = interval2itm(iv);
    switch (u.val) {
      case DTK_MICROSEC:
        return int_part(tm.sec * 1000000LL + tm.usec, numeric);
      case DTK_MILLISEC:
        return scaled_part(tm.sec * 1000000LL + tm.usec, 3, tm.sec * 1000.0 + tm.usec / 1000.0, numeric);
      case DTK_SECOND:
        return scaled_part(tm.sec * 1000000LL + tm.usec, 6, tm.sec + tm.usec / 1000000.0, numeric);
      case DTK_MINUTE:
        return int_part(tm.min, numeric);
      case DTK_HOUR:
        return int_part(tm.hour, numeric);
      case DTK_DAY:
        return int_part(tm.mday, numeric);
      case DTK_MONTH:
        return int_part(tm.mon, numeric);
      case DTK_QUARTER:
        return int_part(tm.mon / 3 + 1, numeric);
      case DTK_YEAR:
        return int_part(tm.year, numeric);
      case DTK_DECADE:
        return int_part(tm.year / 10, numeric);
      case DTK_CENTURY:
        return int_part(tm.year / 100, numeric);
      case DTK_MILLENNIUM:
        return int_part(tm.year / 1000, numeric);
      default:
        unit_not_supported(u, "interval");
    }
  } else if (u.type == kReserved && u.val == DTK_EPOCH) {
    int64_t secs_from_day_month = ((int64_t)(4 * 365.25) * (iv.month / 12) +
                                   (int64_t)(4 * 30) * (iv.month % 12) + (int64_t)4 * iv.day) *
                                  (86400 / 4);
    double f = iv.time / 1000000.0;
    f += ((double)365.25 * 86400) * (iv.month / 12);
    f += ((double)30 * 86400) * (iv.month % 12);
    f += ((double)86400) * iv.day;
    __int128 v = (__int128)secs_from_day_month * 1000000 + iv.time;
    return scaled_part(v, 6, f, numeric);
  }
  unit_not_recognized(u, "interval");
}

// ---- constructors ----

namespace {
std::string fmt_g(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%02g", d);
  return buf;
}
std::string fmt_ymd(int y, int m, int d) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%d-%02d-%02d", y, m, d);
  return buf;
}
bool float_time_overflows(int hour, int min, double sec) {
  if (hour < 0 || hour > 24 || min < 0 || min >= 60) return true;
  if (std::isnan(sec)) return true;
  sec = std::rint(sec * kUsecPerSec);
  if (sec < 0 || sec > 60.0 * kUsecPerSec) return true;
  return ((((int64_t)hour * 60 + min) * 60) * kUsecPerSec + (int64_t)sec) > kUsecPerDay;
}
// validate_date for make_date/make_timestamp (PostgreSQL's ValidateDate with a full date).
bool validate_ymd(bool bc, int* y, int m, int d) {
  if (bc) {
    if (*y <= 0) return false;
    *y = -(*y - 1);
  } else if (*y <= 0) {
    return false;
  }
  if (m < 1 || m > 12) return false;
  if (d < 1 || d > 31) return false;
  return d <= days_in_month(*y, m);
}
}  // namespace

Date make_date(int year, int month, int day) {
  bool bc = false;
  int y = year;
  if (y < 0) {
    bc = true;
    y = -y;
  }
  int y0 = y;
  if (!validate_ymd(bc, &y, month, day)) {
    // PostgreSQL prints the year after ValidateDate's BC adjustment when that step succeeded.
    int shown = (bc && y0 > 0) ? -(y0 - 1) : y0;
    raise(SqlState::DatetimeFieldOverflow, "date field value out of range: " + fmt_ymd(shown, month, day));
  }
  if (!valid_julian(y, month, day))
    raise(SqlState::DatetimeFieldOverflow, "date out of range: " + fmt_ymd(y, month, day));
  int64_t d = (int64_t)date2j(y, month, day) - kPostgresEpochJdate;
  if (!valid_date(d)) raise(SqlState::DatetimeFieldOverflow, "date out of range: " + fmt_ymd(y, month, day));
  return (Date)d;
}

Time make_time(int hour, int minute, double second) {
  if (float_time_overflows(hour, minute, second))
    raise(SqlState::DatetimeFieldOverflow, "time field value out of range: " + std::to_string(hour) + ":" +
                                               (minute < 10 && minute >= 0 ? "0" : "") +
                                               std::to_string(minute) + ":" + fmt_g(second));
  return (((int64_t)hour * 60 + minute) * 60) * kUsecPerSec + (int64_t)std::rint(second * kUsecPerSec);
}

Timestamp make_timestamp(int year, int month, int mday, int hour, int min, double sec) {
  int y = year < 0 ? -year : year;  // negative years are BC
  if (!validate_ymd(year < 0, &y, month, mday))
    raise(SqlState::DatetimeFieldOverflow, "date field value out of range: " + fmt_ymd(year, month, mday));
  if (!valid_julian(y, month, mday))
    raise(SqlState::DatetimeFieldOverflow, "date out of range: " + fmt_ymd(year, month, mday));
  int64_t date = (int64_t)date2j(y, month, mday) - kPostgresEpochJdate;
  std::string hms =
      std::to_string(hour) + ":" + (min < 10 && min >= 0 ? "0" : "") + std::to_string(min) + ":" + fmt_g(sec);
  if (float_time_overflows(hour, min, sec))
    raise(SqlState::DatetimeFieldOverflow, "time field value out of range: " + hms);
  int64_t time = (((int64_t)hour * 60 + min) * 60) * kUsecPerSec + (int64_t)std::rint(sec * kUsecPerSec);
  int64_t result = date * kUsecPerDay + time;
  std::string msg = "timestamp out of range: " + fmt_ymd(year, month, mday) + " " + hms;
  if ((result - time) / kUsecPerDay != date) raise(SqlState::DatetimeFieldOverflow, msg);
  if ((result < 0 && date > 0) || (result > 0 && date < -1)) raise(SqlState::DatetimeFieldOverflow, msg);
  if (!valid_timestamp(result)) raise(SqlState::DatetimeFieldOverflow, msg);
  return result;
}

TimestampTz make_timestamptz(int year, int month, int day, int hour, int minute, double second,
                             const TimeZone& session_tz) {
  return timestamp_to_timestamptz(make_timestamp(year, month, day, hour, minute, second), session_tz);
}

TimestampTz make_timestamptz_at(int year, int month, int day, int hour, int minute, double second,
                                std::string_view zone) {
  Timestamp ts = make_timestamp(year, month, day, hour, minute, second);
  Tm tm;
  int64_t fsec;
  if (!timestamp2tm(ts, &tm, &fsec, nullptr)) ts_out_of_range();
  std::string name(zone);
  if (!name.empty() && std::isdigit((unsigned char)name[0]))
    throw SqlError(SqlState::InvalidParameterValue,
                   "invalid input syntax for type numeric time zone: \"" + name + "\"")
        .with_hint("Numeric time zones must have \"-\" or \"+\" as first character.");
  int east;
  if (!name.empty() && (name[0] == '+' || name[0] == '-')) {
    // PostgreSQL's DecodeTimezone (ISO sign: east positive).
    const char* s = name.c_str();
    char* cp;
    long hr = std::strtol(s + 1, &cp, 10);
    long mn = 0, sc = 0;
    bool bad = false;
    if (*cp == ':') {
      mn = std::strtol(cp + 1, &cp, 10);
      if (*cp == ':') sc = std::strtol(cp + 1, &cp, 10);
    } else if (*cp == '\0' && name.size() > 3) {
      mn = hr % 100;
      hr /= 100;
    }
    if (hr < 0 || hr > 15 || mn < 0 || mn >= 60 || sc < 0 || sc >= 60)
      raise(SqlState::InvalidParameterValue, "numeric time zone \"" + name + "\" out of range");
    if (*cp != '\0') bad = true;
    if (!bad) {
      east = (int)((hr * 60 + mn) * 60 + sc) * (s[0] == '-' ? -1 : 1);
      int64_t r = ts - (int64_t)east * kUsecPerSec;
      if (!valid_timestamp(r)) ts_out_of_range();
      return r;
    }
  }
  ZoneSpec z = resolve_zone(zone);
  if (z.kind == ZoneSpec::kFixed)
    east = z.offset;
  else if (z.kind == ZoneSpec::kDynamic)
    east = determine_abbrev_offset(&tm, z.abbrev, z.zone);
  else
    east = determine_offset(&tm, z.zone);
  int64_t r = ts - (int64_t)east * kUsecPerSec;
  if (!valid_timestamp(r)) ts_out_of_range();
  return r;
}

Interval make_interval(int years, int months, int weeks, int days, int hours, int mins, double secs) {
  if (std::isinf(secs) || std::isnan(secs)) interval_out_of_range();
  Interval r;
  int32_t m;
  if (__builtin_mul_overflow(years, 12, &m) || __builtin_add_overflow(m, months, &r.month))
    interval_out_of_range();
  int32_t d;
  if (__builtin_mul_overflow(weeks, 7, &d) || __builtin_add_overflow(d, days, &r.day))
    interval_out_of_range();
  double s = std::rint(secs * kUsecPerSec);
  if (!fits_int64(s)) interval_out_of_range();
  int64_t t1, t2, t;
  if (__builtin_mul_overflow((int64_t)hours, kUsecPerHour, &t1) ||
      __builtin_mul_overflow((int64_t)mins, kUsecPerMinute, &t2) || __builtin_add_overflow(t1, t2, &t) ||
      __builtin_add_overflow(t, (int64_t)s, &r.time))
    interval_out_of_range();
  return r;
}

TimestampTz to_timestamp(double seconds) {
  if (std::isnan(seconds)) raise(SqlState::DatetimeFieldOverflow, "timestamp cannot be NaN");
  if (std::isinf(seconds)) return seconds < 0 ? kTsNegInfinity : kTsPosInfinity;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", seconds);
  std::string msg = std::string("timestamp out of range: \"") + buf + "\"";
  if (seconds < 86400.0 * (0 - kUnixEpochJdate) ||
      seconds >= 86400.0 * (kTimestampEndJulian - kUnixEpochJdate))
    raise(SqlState::DatetimeFieldOverflow, msg);
  seconds -= (double)(kPostgresEpochJdate - kUnixEpochJdate) * 86400;
  seconds = std::rint(seconds * kUsecPerSec);
  int64_t r = (int64_t)seconds;
  if (!valid_timestamp(r)) raise(SqlState::DatetimeFieldOverflow, msg);
  return r;
}

// ---- binning ----

Timestamp date_bin(const Interval& stride, Timestamp t, Timestamp origin) {
  if (!ts_finite(t)) return t;
  if (!ts_finite(origin)) raise(SqlState::DatetimeFieldOverflow, "origin out of range");
  if (stride.month != 0)
    raise(SqlState::FeatureNotSupported,
          "timestamps cannot be binned into intervals containing months or years");
  int64_t stride_usecs;
  if (__builtin_mul_overflow((int64_t)stride.day, kUsecPerDay, &stride_usecs) ||
      __builtin_add_overflow(stride_usecs, stride.time, &stride_usecs))
    interval_out_of_range();
  if (stride_usecs <= 0) raise(SqlState::DatetimeFieldOverflow, "stride must be greater than zero");
  int64_t diff;
  if (__builtin_sub_overflow(t, origin, &diff)) interval_out_of_range();
  int64_t modulo = diff % stride_usecs;
  int64_t result = origin + (diff - modulo);
  if (modulo < 0) {
    if (__builtin_sub_overflow(result, stride_usecs, &result) || !valid_timestamp(result)) ts_out_of_range();
  }
  return result;
}

namespace {
constexpr Timestamp kTimeBucketOrigin = 2 * kUsecPerDay;  // 2000-01-03, a Monday

Date bucket_month(int32_t period, Date date, Date origin) {
  int y, m, d;
  j2date(date + kPostgresEpochJdate, &y, &m, &d);
  int64_t ts = (int64_t)y * 12 + m - 1;
  j2date(origin + kPostgresEpochJdate, &y, &m, &d);
  int64_t offset = (int64_t)y * 12 + m - 1;
  ts -= offset;
  int64_t result = (ts / period) * period;
  if (ts < 0 && ts % period) result -= period;
  result += offset;
  int64_t year = result / 12, month = result % 12;
  if (month < 0) {  // floor division for BC years
    month += 12;
    year -= 1;
  }
  return date2j((int)year, (int)month + 1, 1) - kPostgresEpochJdate;
}

int64_t bucket_usec(int64_t period, int64_t ts, int64_t origin) {
  origin = origin % period;
  if ((origin > 0 && ts < kTsNegInfinity + origin) || (origin < 0 && ts > kTsPosInfinity + origin))
    ts_out_of_range();
  ts -= origin;
  int64_t result = (ts / period) * period;
  if (ts < 0 && ts % period) {
    if (result < kTsNegInfinity + period) ts_out_of_range();
    result -= period;
  }
  result += origin;
  return result;
}
}  // namespace

Timestamp time_bucket(const Interval& width, Timestamp ts, std::optional<Timestamp> origin) {
  if (width.month != 0) {
    if (width.day != 0 || width.time != 0)
      raise(SqlState::FeatureNotSupported, "month intervals cannot have day or time component");
    if (width.month < 0) raise(SqlState::InvalidParameterValue, "period must be greater than 0");
    if (!ts_finite(ts)) return ts;
    Date o = origin ? timestamp_to_date(*origin) : 0;
    Date d = bucket_month(width.month, timestamp_to_date(ts), o);
    return date_to_timestamp(d);
  }
  int64_t period;
  if (__builtin_mul_overflow((int64_t)width.day, kUsecPerDay, &period) ||
      __builtin_add_overflow(period, width.time, &period))
    interval_out_of_range();
  if (period <= 0) raise(SqlState::InvalidParameterValue, "period must be greater than 0");
  if (!ts_finite(ts)) return ts;
  Timestamp r = bucket_usec(period, ts, origin ? *origin : kTimeBucketOrigin);
  if (!valid_timestamp(r)) ts_out_of_range();
  return r;
}

Timestamp time_bucket_offset(const Interval& width, Timestamp ts, const Interval& offset) {
  if (!ts_finite(ts)) return ts;
  Timestamp shifted = timestamp_mi_interval(ts, offset);
  return timestamp_pl_interval(time_bucket(width, shifted), offset);
}

Date time_bucket_date(const Interval& width, Date d, std::optional<Date> origin) {
  if (width.month != 0) {
    if (width.day != 0 || width.time != 0)
      raise(SqlState::FeatureNotSupported, "month intervals cannot have day or time component");
    if (width.month < 0) raise(SqlState::InvalidParameterValue, "period must be greater than 0");
    if (!date_finite(d)) return d;
    return bucket_month(width.month, d, origin ? *origin : 0);
  }
  if (!date_finite(d)) return d;
  Timestamp o = origin ? date_to_timestamp(*origin) : kTimeBucketOrigin;
  return timestamp_to_date(time_bucket(width, date_to_timestamp(d), o));
}

}  // namespace omendb::dt
