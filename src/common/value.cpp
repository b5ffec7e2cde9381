#include "common/value.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <type_traits>

#include "common/array.h"
#include "common/bytea.h"
#include "common/datetime.h"
#include "common/datetime_sql.h"
#include "common/json.h"
#include "common/numeric.h"

namespace omendb {

namespace {

// A decimal number c * 10^k.
struct Decimal {
  uint64_t c = 0;
  int k = 0;
};

// std::to_chars' scientific text "d.ddde+XX" as a Decimal.
Decimal parse_scientific(const char* first, const char* last) {
  Decimal x;
  int digits_after_point = 0;
  bool after_point = false;
  const char* p = first;
  for (; p != last && *p != 'e'; ++p) {
    if (*p == '.') {
      after_point = true;
      continue;
    }
    x.c = x.c * 10 + static_cast<uint64_t>(*p - '0');
    if (after_point) ++digits_after_point;
  }
  int exponent = 0;
  if (p != last) std::from_chars(p + (p[1] == '+' ? 2 : 1), last, exponent);
  x.k = exponent - digits_after_point;
  return x;
}

// Whether x reads back as d (strtod for a double, strtof for a float).
template <typename F>
bool reads_back(Decimal x, F d) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%llue%d", static_cast<unsigned long long>(x.c), x.k);
  if constexpr (std::is_same_v<F, float>)
    return std::strtof(buf, nullptr) == d;
  else
    return std::strtod(buf, nullptr) == d;
}

// Whether x is exactly halfway between d (> 0, >= 2^p where p is the precision: 53 bits for a double,
// 24 for a float) and one of its neighbours. Below 2^p a midpoint needs more significant digits than d's
// own exact decimal, so the shortest text never is one.
template <typename F>
bool on_midpoint(F d, Decimal x) {
  constexpr int p = std::numeric_limits<F>::digits;
  int e = 0;
  const double f = std::frexp(static_cast<double>(d), &e);
  const auto m2 = static_cast<uint64_t>(std::ldexp(f, p));
  const int e2 = e - p;  // d = m2 * 2^e2, e2 >= 1
  if (x.c == 0 || x.k < 0 || e2 < 1) return false;
  // x = odd * 2^t * 5^k * 2^k; a midpoint is (2 m2 +- 1) * 2^(e2 - 1), or (4 m2 - 1) * 2^(e2 - 2) below a
  // power of two (whose lower neighbour is closer).
  uint64_t c = x.c;
  int t = 0;
  while ((c & 1) == 0) {
    c >>= 1;
    ++t;
  }
  unsigned __int128 odd = c;
  for (int i = 0; i < x.k; ++i) {
    odd *= 5;
    if (odd >> 60) return false;  // more than any 2 m2 + 1
  }
  const int shift = t + x.k;
  auto is = [&](uint64_t mid_odd, int mid_shift) { return odd == mid_odd && shift == mid_shift; };
  if (is(2 * m2 + 1, e2 - 1)) return true;
  if (m2 == (uint64_t{1} << (p - 1))) return is(4 * m2 - 1, e2 - 2);
  return is(2 * m2 - 1, e2 - 1);
}

// d (> 0) rounded to n significant digits.
template <typename F>
Decimal rounded(F d, int n) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific, n - 1);
  return parse_scientific(buf, res.ptr);
}

// The shortest decimal strictly between d's midpoints, the one nearest d among them (PostgreSQL's Ryu
// never takes a midpoint: its acceptBounds is false), starting the search at n digits.
template <typename F>
Decimal shortest_inside(F d, int n) {
  constexpr int max_digits = std::numeric_limits<F>::max_digits10;  // 17, 9
  for (; n < max_digits; ++n) {
    Decimal r = rounded(d, n);
    if (reads_back(r, d) && !on_midpoint(d, r)) return r;
    // The interval is narrower below a power of two: the next n-digit decimal towards d may be inside.
    Decimal step = r;
    char buf[48];
    std::snprintf(buf, sizeof buf, "%llue%d", static_cast<unsigned long long>(r.c), r.k);
    step.c = std::strtod(buf, nullptr) < static_cast<double>(d) ? r.c + 1 : r.c - 1;
    if (reads_back(step, d) && !on_midpoint(d, step)) return step;
  }
  return rounded(d, max_digits);
}

// PostgreSQL's layout of a shortest decimal: exponent notation when the decimal exponent is < -4 or
// >= `sci_from` (15 for float8out, 6 for float4out; e+NN / e-NN, at least two exponent digits),
// positional otherwise.
void append_decimal(Decimal x, int sci_from, std::string& out) {
  while (x.c != 0 && x.c % 10 == 0) {
    x.c /= 10;
    ++x.k;
  }
  char digits[24];
  auto res = std::to_chars(digits, digits + sizeof digits, x.c);
  const int n = static_cast<int>(res.ptr - digits);
  const int exponent = x.k + n - 1;
  if (exponent < -4 || exponent >= sci_from) {
    out += digits[0];
    if (n > 1) {
      out += '.';
      out.append(digits + 1, static_cast<size_t>(n - 1));
    }
    char exp_buf[16];
    std::snprintf(exp_buf, sizeof exp_buf, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    out += exp_buf;
  } else if (x.k >= 0) {
    out.append(digits, static_cast<size_t>(n));
    out.append(static_cast<size_t>(x.k), '0');
  } else if (exponent >= 0) {
    out.append(digits, static_cast<size_t>(exponent + 1));
    out += '.';
    out.append(digits + exponent + 1, static_cast<size_t>(n - exponent - 1));
  } else {
    out += "0.";
    out.append(static_cast<size_t>(-exponent - 1), '0');
    out.append(digits, static_cast<size_t>(n));
  }
}

// float8out / float4out: NaN, infinities, -0; with extra_float_digits > 0 the shortest text that reads
// back exactly, else %g with `digits` (DBL_DIG or FLT_DIG) + extra_float_digits significant digits (at
// least one), as PostgreSQL's pg_strfromd. PostgreSQL (12+) prints that with Ryu. std::to_chars finds the
// same digits, except that it may take a text exactly halfway to a neighbouring value (it reads back by
// round-half-even: 1e23); PostgreSQL's Ryu then prints one more digit (9.999999999999999e+22).
template <typename F>
void append_float_text(F d, int sci_from, int extra_float_digits, std::string& out) {
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
  if (extra_float_digits <= 0) {
    const int ndig = std::max(std::numeric_limits<F>::digits10 + extra_float_digits, 1);
    char fixed[64];
    const int n = std::snprintf(fixed, sizeof fixed, "%.*g", ndig, static_cast<double>(d));
    out.append(fixed, static_cast<size_t>(n));
    return;
  }
  const F a = std::fabs(d);
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, a, std::chars_format::scientific);
  Decimal x = parse_scientific(buf, res.ptr);
  if (a >= std::ldexp(F{1}, std::numeric_limits<F>::digits) && on_midpoint(a, x)) {
    int n = 0;
    for (const char* p = buf; p != res.ptr && *p != 'e'; ++p) n += *p != '.';
    x = shortest_inside(a, n);
  }
  if (d < 0) out += '-';
  append_decimal(x, sci_from, out);
}

}  // namespace

void append_float8_text(double d, int extra_float_digits, std::string& out) {
  append_float_text(d, 15, extra_float_digits, out);
}

void append_float4_text(float f, int extra_float_digits, std::string& out) {
  append_float_text(f, 6, extra_float_digits, out);
}

void append_text_out(TypeId type, const Datum& d, const dt::TimeZone& tz, const OutputSettings& os,
                     std::string& out) {
  if (is_array(type)) {
    out += arr::to_text(d.str.view(), type, tz, os);
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
      append_float8_text(d.f64, os.extra_float_digits, out);
      return;
    case TypeId::Float32:  // the double holds the float exactly
      append_float4_text(static_cast<float>(d.f64), os.extra_float_digits, out);
      return;
    case TypeId::Numeric:
      num::append_text(d.str.view(), out);
      return;
    case TypeId::Bytea:
      bytea::append_text(d.str.view(), os.bytea_escape, out);
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
  append_text_out(type_, dtsql::to_datum(*this), dt::TimeZone::utc(), OutputSettings{}, s);
  return s;
}

bool Value::operator==(const Value& o) const {
  if (is_null_ || o.is_null_) return is_null_ == o.is_null_;
  if (type_ != o.type_) return false;
  switch (type_) {
    case TypeId::Float32:
    case TypeId::Float64:
      return f64_ == o.f64_;
    case TypeId::Text:
    case TypeId::Unknown:
    case TypeId::Name:
    case TypeId::Char:
    case TypeId::BpChar:
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
