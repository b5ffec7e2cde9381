// The date/time types as SQL sees them: every operator, function and cast over DATE, TIME, TIMESTAMP,
// TIMESTAMPTZ and INTERVAL, defined once over Datums on top of common/datetime.h. The binder resolves
// calls against the signature table (functions()), compiled code calls eval() / cast() through one
// runtime function, and the binder's literal conversion calls the same cast(), so each semantic exists
// once. The table also holds to_char's overloads for numbers (common/number_format.h), so that the one
// SQL function to_char has one overload set, as PostgreSQL's formatting.c serves both. No plans, LLVM or
// sockets here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/datetime.h"
#include "common/datum.h"
#include "common/types.h"
#include "common/value.h"

namespace omendb::dtsql {

// What evaluation needs from the session: its TimeZone and the transaction start time (now(),
// CURRENT_TIMESTAMP, 'now' / 'today' in text input), plus the statement's start (statement_timestamp()),
// and the settings that change text output (extra_float_digits, bytea_output: casts to text).
struct EvalContext {
  dt::DateTimeContext dt;
  dt::TimestampTz statement_ts = 0;
  OutputSettings output;
};

enum class Func : uint8_t {
  // Session clocks (no arguments).
  Now,             // now(), CURRENT_TIMESTAMP, transaction_timestamp(): the transaction's start
  StatementTs,     // statement_timestamp()
  ClockTs,         // clock_timestamp(): the time of the call
  CurrentDate,     // CURRENT_DATE
  LocalTimestamp,  // LOCALTIMESTAMP
  LocalTime,       // LOCALTIME
  // Operators.
  DatePlInt,
  IntPlDate,
  DateMiInt,
  DateMiDate,
  DatePlInterval,
  IntervalPlDate,
  DateMiInterval,
  DatePlTime,
  TimePlDate,
  TsPlInterval,
  IntervalPlTs,
  TsMiInterval,
  TstzPlInterval,
  IntervalPlTstz,
  TstzMiInterval,
  TsMiTs,
  TstzMiTstz,
  TimePlInterval,
  IntervalPlTime,
  TimeMiInterval,
  TimeMiTime,
  IntervalPl,
  IntervalMi,
  IntervalUm,
  IntervalMul,
  FloatMulInterval,
  IntervalDiv,
  // Functions.
  DateTruncTs,
  DateTruncTstz,
  DateTruncTstzZone,
  DateTruncInterval,
  DatePartTs,
  DatePartTstz,
  DatePartDate,
  ExtractDate,  // EXTRACT(field FROM date): PostgreSQL's extract_date, which rejects time units
  DatePartTime,
  DatePartInterval,
  ExtractTs,  // EXTRACT(field FROM x): numeric (PostgreSQL 14+), where date_part is double precision
  ExtractTstz,
  ExtractTime,
  ExtractInterval,
  ToTimestamp,
  MakeDate,
  MakeTime,
  MakeTimestamp,
  MakeTimestamptz,
  MakeTimestamptzZone,
  MakeInterval,
  AgeTs,
  AgeTstz,
  AgeTs1,
  AgeTstz1,
  JustifyDays,
  JustifyHours,
  JustifyInterval,
  // Casts to interval with a field qualifier or precision (interval hour to minute, interval(3)) of a value
  // that is not a literal, and assignments to such columns: (interval, typmod). Not callable by name.
  IntervalTypmod,
  TimeBucketTs,
  TimeBucketTsOrigin,
  TimeBucketTsOffset,
  TimeBucketTstz,
  TimeBucketTstzOrigin,
  TimeBucketTstzOffset,
  TimeBucketTstzZone,
  TimeBucketDate,
  TimeBucketDateOrigin,
  DateBinTs,
  DateBinTstz,
  TimezoneTs,            // timezone(zone, timestamp) = timestamp AT TIME ZONE zone -> timestamptz
  TimezoneTstz,          // timezone(zone, timestamptz) -> timestamp
  TimezoneIntervalTs,    // timezone(interval, timestamp): the interval an offset east of UTC
  TimezoneIntervalTstz,  // timezone(interval, timestamptz)
  IsFiniteDate,
  IsFiniteTs,
  IsFiniteTstz,
  IsFiniteInterval,
  ToCharTs,
  ToCharTstz,
  ToCharInterval,
  ToTimestampText,
  ToDateText,
  ToCharInt4,  // to_char of numbers (common/number_format.h): one overload set with the date/time ones
  ToCharInt8,
  ToCharNumeric,
  ToCharFloat8,
  ToCharFloat4,  // the last one (signature()'s table)
};

// One signature: `name` is the SQL function name or the operator symbol ("+", "-", "*", "/", and "u-"
// for unary minus).
struct Signature {
  Func func;
  const char* name;
  TypeId result;
  std::vector<TypeId> args;
};

// The current time (clock_timestamp()).
dt::TimestampTz clock_timestamp();

// Every signature, operators first. Function names are lower case (CURRENT_DATE & co. are named
// "current_date" ... with no arguments).
const std::vector<Signature>& signatures();
const Signature& signature(Func f);

// Evaluates f over non-NULL arguments of its signature's types. Sets out (is_null = 1 for the NULL
// results of date_part on infinities); a text result is written to `text`, which out.str points into.
// Errors: SqlError with PostgreSQL's SQLSTATE (22008, 22007, 22023, 22015, 0A000 ...).
void eval(Func f, const Datum* args, Datum& out, const EvalContext& ctx, std::string& text);

// Whether cast(from, to) exists (either side a date/time type; text on the other side, or another
// date/time type PostgreSQL converts to). `explicit_only` is set when only an explicit cast (CAST, ::)
// may do it; the others are implicit (date -> timestamp -> timestamptz).
bool can_cast(TypeId from, TypeId to, bool* explicit_only = nullptr);
// Converts a non-NULL value; text output is written to `text`. Text input follows PostgreSQL's rules
// (22007 / 22008 ...); conversions involving timestamptz use the session TimeZone.
void cast(TypeId from, TypeId to, const Datum& in, Datum& out, const EvalContext& ctx, std::string& text);
// The same for owned values (the binder's literals, Bind parameters); NULL stays NULL.
Value cast_value(const Value& v, TypeId to, const EvalContext& ctx);

// PostgreSQL's text output of a non-NULL date/time Datum (timestamptz in `tz`).
void append_text(TypeId type, const Datum& d, const dt::TimeZone& tz, std::string& out);

// Datum <-> Value for date/time types.
Datum to_datum(const Value& v);
Value from_datum(TypeId type, const Datum& d);

inline dt::Interval interval_of(const Datum& d) {
  return dt::Interval{d.i64, d.dm.day, d.dm.month};
}
inline void set_interval(Datum& d, const dt::Interval& iv) {
  d.i64 = iv.time;
  d.dm.day = iv.day;
  d.dm.month = iv.month;
  d.is_null = 0;
}

// PostgreSQL's binary wire format (the *send / *recv functions): date int32 days, time / timestamp /
// timestamptz int64 microseconds, interval int64 microseconds + int32 days + int32 months, big-endian.
void append_binary(TypeId type, const Datum& d, std::string& out);
// false if `bytes` has the wrong length for the type.
bool from_binary(TypeId type, std::string_view bytes, Value& out);

}  // namespace omendb::dtsql
