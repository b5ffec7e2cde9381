// An owned SQL value: literals, parameters, catalog defaults, test expectations.
// Hot paths never use it: generated code works on raw machine values and column batches.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/datum.h"
#include "common/types.h"

namespace omendb {

namespace dt {
class TimeZone;
}

class Value {
 public:
  Value() = default;  // NULL of unknown type
  static Value null(TypeId type = TypeId::Unknown) {
    Value v;
    v.type_ = type;
    return v;
  }
  static Value boolean(bool b) { return Value(TypeId::Bool, b ? 1 : 0); }
  static Value int16(int16_t i) { return Value(TypeId::Int16, i); }
  static Value int32(int32_t i) { return Value(TypeId::Int32, i); }
  static Value int64(int64_t i) { return Value(TypeId::Int64, i); }
  // Date (days), Time, Timestamp, TimestampTz (microseconds): common/datetime.h's representations.
  static Value datetime(TypeId type, int64_t v) { return Value(type, v); }
  // Interval: microseconds, days, months.
  static Value interval(int64_t time, int32_t day, int32_t month) {
    Value v(TypeId::Interval, time);
    v.day_ = day;
    v.month_ = month;
    return v;
  }
  static Value float64(double d) {
    Value v(TypeId::Float64, 0);
    v.f64_ = d;
    return v;
  }
  // Real: held as the double of the float.
  static Value float32(float f) {
    Value v(TypeId::Float32, 0);
    v.f64_ = f;
    return v;
  }
  // Numeric: the bytes of common/numeric.h's format.
  static Value numeric(std::string bytes) { return text(std::move(bytes), TypeId::Numeric); }
  // Bytea (its bytes) or Uuid (its 16 bytes): common/bytea.h.
  static Value bytes(std::string b, TypeId type = TypeId::Bytea) { return text(std::move(b), type); }
  // Text, or an untyped string literal when type is Unknown.
  static Value text(std::string s, TypeId type = TypeId::Text) {
    Value v(type, 0);
    v.str_ = std::move(s);
    return v;
  }

  TypeId type() const { return type_; }
  bool is_null() const { return is_null_; }
  bool as_bool() const { return i64_ != 0; }
  int64_t as_int() const {
    return i64_;
  }  // Int16, Int32 and Int64 alike; Date, Time, Timestamp(Tz); Interval's time
  int32_t interval_day() const { return day_; }
  int32_t interval_month() const { return month_; }
  double as_double() const { return f64_; }
  const std::string& as_text() const { return str_; }  // Text, Unknown; Numeric's, Bytea's, Uuid's bytes

  // PostgreSQL text output format ("t"/"f", shortest round-trip floats, hex bytea, "NULL" for null; a
  // timestamptz in UTC: the session's settings are not known here).
  std::string to_string() const;
  bool operator==(const Value& o) const;

 private:
  Value(TypeId t, int64_t i) : type_(t), is_null_(false), i64_(i) {}
  TypeId type_ = TypeId::Unknown;
  bool is_null_ = true;
  int64_t i64_ = 0;
  int32_t day_ = 0, month_ = 0;  // Interval
  double f64_ = 0;
  std::string str_;
};

// The session settings besides TimeZone that change the text output of values: PostgreSQL's
// extra_float_digits (float4 and float8) and bytea_output. The defaults are PostgreSQL's. The engine
// sets them per statement; they reach the runtime in dtsql::EvalContext (ExecContext::datetime), as the
// TimeZone does, so compiled code shared between sessions never holds one session's values.
struct OutputSettings {
  int extra_float_digits = 1;  // -15 .. 3
  bool bytea_escape = false;   // bytea_output = escape (else hex)
};

// PostgreSQL's float8out: "NaN", "Infinity", "-Infinity", "-0"; otherwise with extra_float_digits
// 1 .. 3 the shortest text that reads back exactly (PostgreSQL 12+'s Ryu output), and with -15 .. 0
// printf's %g with DBL_DIG + extra_float_digits significant digits (at least 1). Appends to out.
void append_float8_text(double d, int extra_float_digits, std::string& out);
// PostgreSQL's float4out, the same for a real (exponent notation from 1e+06 for the shortest text;
// FLT_DIG + extra_float_digits digits for -15 .. 0).
void append_float4_text(float f, int extra_float_digits, std::string& out);

// PostgreSQL's text output function of every type, in one place (boolout, int4out, float8out,
// numeric_out, the date/time outputs with timestamptz in `tz`, byteaout, array_out, textout ...): appends
// the text of `d`, a value of `type` that is not NULL, as the session's settings `os` ask. Value::to_string,
// the wire's text format and array elements all print through it.
void append_text_out(TypeId type, const Datum& d, const dt::TimeZone& tz, const OutputSettings& os,
                     std::string& out);

// PostgreSQL's boolean input (boolin, and parse_bool for boolean settings): surrounding whitespace
// ignored, case-insensitive, any unique prefix of true / false / yes / no, on / off, 1 / 0; nullopt
// for anything else.
std::optional<bool> parse_bool_text(std::string_view text);

}  // namespace omendb
