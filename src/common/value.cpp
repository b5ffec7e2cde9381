#include "common/value.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "common/array.h"
#include "common/bytea.h"
#include "common/datetime.h"
#include "common/datetime_sql.h"
#include "common/json.h"
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

void append_text_out(TypeId type, const Datum& d, const dt::TimeZone& tz, std::string& out) {
  if (is_array(type)) {
    out += arr::to_text(d.str.view(), type, tz);
    return;
  }
  switch (type) {
    case TypeId::Bool:
      out += d.i64 ? 't' : 'f';
      return;
    case TypeId::Int16:
    case TypeId::Int32:
    case TypeId::Int64:
    case TypeId::Oid:
    case TypeId::RegClass:  // the number: names need the catalogs (catalog::reg_out)
    case TypeId::RegType:
    case TypeId::RegNamespace:
    case TypeId::RegProc:
    case TypeId::Xid: {
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof buf, d.i64);
      out.append(buf, r.ptr);
      return;
    }
    case TypeId::Float64:
      append_float8_text(d.f64, out);
      return;
    case TypeId::Numeric:
      num::append_text(d.str.view(), out);
      return;
    case TypeId::Bytea:
      bytea::append_text(d.str.view(), out);
      return;
    case TypeId::Uuid:
      bytea::uuid_append_text(d.str.view(), out);
      return;
    case TypeId::Jsonb:
      json::append_text(d.str.view(), out);
      return;
    case TypeId::Date:
    case TypeId::Time:
    case TypeId::Timestamp:
    case TypeId::TimestampTz:
    case TypeId::Interval:
      dtsql::append_text(type, d, tz, out);
      return;
    default:  // text, unknown, name, "char", json (its text)
      out.append(d.str.ptr, d.str.len);
      return;
  }
}

std::string Value::to_string() const {
  if (is_null_) return "NULL";
  std::string s;
  append_text_out(type_, dtsql::to_datum(*this), dt::TimeZone::utc(), s);
  return s;
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
    case TypeId::Json:
    case TypeId::Jsonb:
    case TypeId::Numeric:  // the bytes: a literal's identity, scale included (num::compare for SQL '=')
      return str_ == o.str_;
    case TypeId::Interval:  // field-wise: a literal's identity (use dt::interval_cmp for SQL '=')
      return i64_ == o.i64_ && day_ == o.day_ && month_ == o.month_;
    default:
      if (is_array(type_)) return str_ == o.str_;  // the bytes
      return i64_ == o.i64_;
  }
}

std::optional<bool> parse_bool_text(std::string_view text) {
  const size_t b = text.find_first_not_of(" \t\n\r\f\v");
  if (b == std::string_view::npos) return std::nullopt;
  const size_t e = text.find_last_not_of(" \t\n\r\f\v");
  std::string s(text.substr(b, e - b + 1));
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto prefix_of = [&](std::string_view word) { return word.substr(0, s.size()) == s; };
  if (prefix_of("true") || prefix_of("yes") || s == "on" || s == "1") return true;
  if (prefix_of("false") || prefix_of("no") || s == "off" || s == "of" || s == "0") return false;
  return std::nullopt;
}

}  // namespace omendb
