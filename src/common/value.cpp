#include "common/value.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "common/array.h"
#include "common/bytea.h"
#include "common/datetime.h"
#include "common/numeric.h"

namespace omendb {

void append_float8_text(double d, std::string& out) {
  if (std::isnan(d)) {
    out += "NaN";
    return;
  }
  if (std::isinf(d)) {
    out += d > 0 ? "Infinity" : "-Infinity";
    return;
  }
  if (d == 0) {  // also -0: PostgreSQL prints "-0" for negative zero
    out += std::signbit(d) ? "-0" : "0";
    return;
  }
  // PostgreSQL (12+) prints the shortest string that reads back exactly; it switches to
  // exponent notation when the decimal exponent is < -4 or >= 15 (like %.15g's rule).
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  auto epos = sci.find('e');
  int exponent = std::stoi(sci.substr(epos + 1));
  if (exponent < -4 || exponent >= 15) {
    // PostgreSQL writes e+NN / e-NN with at least two exponent digits.
    std::string mantissa = sci.substr(0, epos);
    char exp_buf[16];
    std::snprintf(exp_buf, sizeof exp_buf, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    out += mantissa;
    out += exp_buf;
    return;
  }
  res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
  out.append(buf, res.ptr);
}

std::string Value::to_string() const {
  if (is_null_) return "NULL";
  switch (type_) {
    case TypeId::Bool:
      return as_bool() ? "t" : "f";
    case TypeId::Int32:
    case TypeId::Int64:
    case TypeId::Oid:
      return std::to_string(i64_);
    case TypeId::Float64: {
      std::string s;
      append_float8_text(f64_, s);
      return s;
    }
    case TypeId::Date:
      return dt::date_out(static_cast<dt::Date>(i64_));
    case TypeId::Time:
      return dt::time_out(i64_);
    case TypeId::Timestamp:
      return dt::timestamp_out(i64_);
    case TypeId::TimestampTz:
      return dt::timestamptz_out(i64_, dt::TimeZone::utc());
    case TypeId::Interval:
      return dt::interval_out(dt::Interval{i64_, day_, month_});
    case TypeId::Numeric:
      return num::to_text(str_);
    case TypeId::Bytea:
      return bytea::to_text(str_);
    case TypeId::Uuid:
      return bytea::uuid_to_text(str_);
    case TypeId::Text:
    case TypeId::Unknown:
    case TypeId::Name:
    case TypeId::Char:
      return str_;
    default:  // arrays (timestamptz elements in UTC)
      return arr::to_text(str_, type_, dt::TimeZone::utc());
  }
}

bool Value::operator==(const Value& o) const {
  if (is_null_ || o.is_null_) return is_null_ == o.is_null_;
  if (type_ != o.type_) return false;
  switch (type_) {
    case TypeId::Float64:
      return f64_ == o.f64_;
    case TypeId::Text:
    case TypeId::Unknown:
    case TypeId::Name:
    case TypeId::Char:
    case TypeId::Bytea:
    case TypeId::Uuid:
    case TypeId::Numeric:  // the bytes: a literal's identity, scale included (num::compare for SQL '=')
      return str_ == o.str_;
    case TypeId::Interval:  // field-wise: a literal's identity (use dt::interval_cmp for SQL '=')
      return i64_ == o.i64_ && day_ == o.day_ && month_ == o.month_;
    default:
      if (is_array(type_)) return str_ == o.str_;  // the bytes
      return i64_ == o.i64_;
  }
}

}  // namespace omendb
