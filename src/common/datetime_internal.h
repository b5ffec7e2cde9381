// Derived from PostgreSQL (PostgreSQL Licence, see NOTICE and LICENSES/PostgreSQL.txt):
// Portions Copyright (c) 1996-2022, PostgreSQL Global Development Group;
// Portions Copyright (c) 1994, The Regents of the University of California.
// Internals shared by datetime*.cpp (not a public header): broken-down times and the token tables.
// The algorithms follow PostgreSQL 15's datetime.c / timestamp.c behaviour (checked case by case
// against a running PostgreSQL by tests/unit/common/datetime_test.cpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/datetime.h"
#include "common/error.h"

namespace omendb::dt::detail {

struct Tm {
  int year = 0, mon = 0, mday = 0, hour = 0, min = 0, sec = 0;
  int isdst = -1;
  int yday = 0, wday = 0;
  int gmtoff = 0;  // seconds east, set by timestamp2tm with a zone
};

// Field kinds (PostgreSQL's token types).
enum TokType {
  kReserved,
  kMonth,
  kYear,
  kDay,
  kJulian,
  kTz,
  kDtz,
  kDynTz,
  kIgnore,
  kAmPm,
  kHour,
  kMinute,
  kSecond,
  kMillisecond,
  kMicrosecond,
  kDoy,
  kDow,
  kUnits,
  kAdBc,
  kAgo,
  kDtzMod,
  kIsoTime,
  kUnknown
};
// Unit / reserved values (PostgreSQL's DTK_*).
enum Dtk {
  DTK_NONE = 0,
  DTK_NUMBER,
  DTK_STRING,
  DTK_DATE,
  DTK_TIME,
  DTK_TZ,
  DTK_SPECIAL,
  DTK_EARLY,
  DTK_LATE,
  DTK_EPOCH,
  DTK_NOW,
  DTK_YESTERDAY,
  DTK_TODAY,
  DTK_TOMORROW,
  DTK_ZULU,
  DTK_DELTA,
  DTK_SECOND,
  DTK_MINUTE,
  DTK_HOUR,
  DTK_DAY,
  DTK_WEEK,
  DTK_MONTH,
  DTK_QUARTER,
  DTK_YEAR,
  DTK_DECADE,
  DTK_CENTURY,
  DTK_MILLENNIUM,
  DTK_MILLISEC,
  DTK_MICROSEC,
  DTK_JULIAN,
  DTK_DOW,
  DTK_DOY,
  DTK_TZ_HOUR,
  DTK_TZ_MINUTE,
  DTK_ISOYEAR,
  DTK_ISODOW,
  DTK_AM,
  DTK_PM,
  DTK_AD,
  DTK_BC
};

struct Token {
  TokType type;
  int value;
};
// Lookups as PostgreSQL: key lower case, compared on its first 10 characters.
std::optional<Token> lookup_datetoken(std::string_view lower);   // datetktbl
std::optional<Token> lookup_deltatoken(std::string_view lower);  // deltatktbl (units)
// Time zone abbreviations (PostgreSQL's "Default" set). Fixed ones give seconds east in offset; dynamic
// ones name a zone.
struct Abbrev {
  bool dst;
  int offset;        // seconds east (fixed abbreviations)
  const char* zone;  // non-null for dynamic abbreviations
};
std::optional<Abbrev> lookup_abbrev(std::string_view lower);

[[noreturn]] void raise(SqlState state, std::string message);
[[noreturn]] inline void ts_out_of_range() {
  raise(SqlState::DatetimeFieldOverflow, "timestamp out of range");
}
[[noreturn]] inline void interval_out_of_range() {
  raise(SqlState::DatetimeFieldOverflow, "interval out of range");
}

// timestamp -> fields; with tz, in that zone (gmtoff set). false if out of range.
bool timestamp2tm(Timestamp t, Tm* tm, int64_t* fsec, const TimeZone* tz);
// fields (+ offset seconds east if given) -> timestamp; false if out of range.
bool tm2timestamp(const Tm& tm, int64_t fsec, const int* gmtoff, Timestamp* out);
// PostgreSQL's DetermineTimeZoneOffset: seconds east for local fields tm in zone.
int determine_offset(Tm* tm, const TimeZone& tz);
int determine_abbrev_offset(Tm* tm, std::string_view abbrev, const TimeZone& tz);
bool valid_julian(int y, int m, int d);
bool valid_date(int64_t d);
bool valid_timestamp(int64_t t);
void dt2time(int64_t t, int* hour, int* min, int* sec, int64_t* fsec);
int64_t time2t(int hour, int min, int sec, int64_t fsec);
int date2isoweek(int year, int mon, int mday);
int date2isoyear(int year, int mon, int mday);
void isoweek2date(int woy, int* year, int* mon, int* mday);
std::string lowercase(std::string_view s);
// Zone by PostgreSQL's timezone() rules: abbreviation first, then pg_tzset. Sets fixed offset (seconds
// east) or zone / dynamic abbreviation. Throws 22023 when unknown.
struct ZoneSpec {
  enum Kind { kFixed, kZone, kDynamic } kind;
  int offset = 0;
  TimeZone zone;
  std::string abbrev;
};
ZoneSpec resolve_zone(std::string_view name);

}  // namespace omendb::dt::detail
