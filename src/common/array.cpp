#include "common/array.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "common/bytea.h"
#include "common/error.h"
#include "common/math_sql.h"
#include "common/numeric.h"
#include "common/value.h"

namespace omendb::arr {

namespace {

void put32(std::string& out, uint32_t v) {
  char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
               static_cast<char>(v)};
  out.append(b, 4);
}
void put64(std::string& out, uint64_t v) {
  put32(out, static_cast<uint32_t>(v >> 32));
  put32(out, static_cast<uint32_t>(v));
}
void put16(std::string& out, uint16_t v) {
  char b[2] = {static_cast<char>(v >> 8), static_cast<char>(v)};
  out.append(b, 2);
}
uint16_t get16(const char* p) {
  auto u = reinterpret_cast<const unsigned char*>(p);
  return static_cast<uint16_t>((uint16_t{u[0]} << 8) | u[1]);
}
uint32_t get32(const char* p) {
  auto u = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) | (uint32_t{u[2]} << 8) | u[3];
}
uint64_t get64(const char* p) {
  return (uint64_t{get32(p)} << 32) | get32(p + 4);
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

[[noreturn]] void bad_input(TypeId t, std::string_view text) {
  throw SqlError(
      SqlState::InvalidTextRepresentation,
      "invalid input syntax for type " + std::string(type_name(t)) + ": \"" + std::string(text) + "\"");
}

[[noreturn]] void malformed(std::string_view text, const std::string& detail) {
  throw SqlError(SqlState::InvalidTextRepresentation,
                 "malformed array literal: \"" + std::string(text) + "\"")
      .with_detail(detail);
}

// The fixed byte length of an element's send form (-1: variable).
int fixed_length(TypeId element) {
  switch (element) {
    case TypeId::Bool:
      return 1;
    case TypeId::Int16:
      return 2;
    case TypeId::Int32:
    case TypeId::Float32:
    case TypeId::Date:
    case TypeId::Oid:
      return 4;
    case TypeId::Int64:
    case TypeId::Float64:
    case TypeId::Time:
    case TypeId::Timestamp:
    case TypeId::TimestampTz:
      return 8;
    case TypeId::Interval:
    case TypeId::Uuid:
      return 16;
    default:
      return -1;
  }
}

void append_send(TypeId element, const Datum& d, std::string& out) {
  switch (element) {
    case TypeId::Bool:
      out.push_back(d.i64 ? 1 : 0);
      break;
    case TypeId::Int16:
      put16(out, static_cast<uint16_t>(d.i64));
      break;
    case TypeId::Int32:
    case TypeId::Date:
    case TypeId::Oid:
      put32(out, static_cast<uint32_t>(d.i64));
      break;
    case TypeId::Int64:
    case TypeId::Time:
    case TypeId::Timestamp:
    case TypeId::TimestampTz:
      put64(out, static_cast<uint64_t>(d.i64));
      break;
    case TypeId::Float64: {
      uint64_t bits;
      std::memcpy(&bits, &d.f64, 8);
      put64(out, bits);
      break;
    }
    case TypeId::Float32: {  // float4send
      const float f = static_cast<float>(d.f64);
      uint32_t bits;
      std::memcpy(&bits, &f, 4);
      put32(out, bits);
      break;
    }
    case TypeId::Interval:
      put64(out, static_cast<uint64_t>(d.i64));
      put32(out, static_cast<uint32_t>(d.dm.day));
      put32(out, static_cast<uint32_t>(d.dm.month));
      break;
    default:  // text, name, "char", numeric: the bytes
      out.append(d.str.ptr, d.str.len);
      break;
  }
}

int sign(int64_t a, int64_t b) {
  return a < b ? -1 : (a > b ? 1 : 0);
}

int compare_double(double a, double b) {  // PostgreSQL's float8 order: NaN last, NaN = NaN
  if (std::isnan(a)) return std::isnan(b) ? 0 : 1;
  if (std::isnan(b)) return -1;
  return a < b ? -1 : (a > b ? 1 : 0);
}

// Whether an element's text needs quotes in array_out.
bool needs_quotes(std::string_view s) {
  if (s.empty() || lower(s) == "null") return true;
  for (char c : s)
    if (c == '"' || c == '\\' || c == '{' || c == '}' || c == ',' || is_space(c)) return true;
  return false;
}

}  // namespace

View::View(std::string_view b) {
  // The bytes are this library's (or from_wire's); a NULL's slot is empty, and every read is bounded so
  // that no input can read past them.
  if (b.size() < 12) return;
  int32_t ndim = static_cast<int32_t>(get32(b.data()));
  has_nulls = get32(b.data() + 4) != 0;
  element_oid = get32(b.data() + 8);
  if (ndim == 0 || b.size() < 20) return;
  int32_t n = static_cast<int32_t>(get32(b.data() + 12));
  lower = static_cast<int32_t>(get32(b.data() + 16));
  size_t pos = 20;
  if (n > 0) elements.reserve(static_cast<size_t>(n));
  for (int32_t i = 0; i < n && b.size() - pos >= 4; ++i) {
    int32_t len = static_cast<int32_t>(get32(b.data() + pos));
    pos += 4;
    if (len < 0) {
      elements.push_back({true, {}});
    } else {
      if (static_cast<size_t>(len) > b.size() - pos) break;
      elements.push_back({false, b.substr(pos, static_cast<size_t>(len))});
      pos += static_cast<size_t>(len);
    }
  }
}

Builder::Builder(TypeId element) : element_(element) {}

void Builder::add(const Datum& d) {
  ++count_;
  if (d.is_null) {
    has_nulls_ = true;
    put32(body_, 0xFFFFFFFFu);
    return;
  }
  size_t at = body_.size();
  put32(body_, 0);
  append_send(element_, d, body_);
  uint32_t len = static_cast<uint32_t>(body_.size() - at - 4);
  std::string l;
  put32(l, len);
  body_.replace(at, 4, l);
}

void Builder::add_bytes(const Element& e) {
  ++count_;
  if (e.null) {
    has_nulls_ = true;
    put32(body_, 0xFFFFFFFFu);
    return;
  }
  put32(body_, static_cast<uint32_t>(e.bytes.size()));
  body_.append(e.bytes);
}

std::string Builder::finish(int32_t lower) const {
  std::string out;
  put32(out, count_ ? 1 : 0);
  put32(out, has_nulls_ ? 1 : 0);
  put32(out, type_oid(element_));
  if (count_) {
    put32(out, static_cast<uint32_t>(count_));
    put32(out, static_cast<uint32_t>(lower));
  }
  out += body_;
  return out;
}

Datum element_datum(TypeId element, const Element& e) {
  Datum d{};
  d.is_null = e.null ? 1 : 0;
  if (e.null) return d;
  const char* p = e.bytes.data();
  switch (element) {
    case TypeId::Bool:
      d.i64 = p[0] != 0;
      break;
    case TypeId::Int16:
      d.i64 = static_cast<int16_t>(get16(p));
      break;
    case TypeId::Int32:
    case TypeId::Date:
      d.i64 = static_cast<int32_t>(get32(p));
      break;
    case TypeId::Oid:
      d.i64 = get32(p);
      break;
    case TypeId::Int64:
    case TypeId::Time:
    case TypeId::Timestamp:
    case TypeId::TimestampTz:
      d.i64 = static_cast<int64_t>(get64(p));
      break;
    case TypeId::Float64: {
      uint64_t bits = get64(p);
      std::memcpy(&d.f64, &bits, 8);
      break;
    }
    case TypeId::Float32: {
      uint32_t bits = get32(p);
      float f;
      std::memcpy(&f, &bits, 4);
      d.f64 = f;
      break;
    }
    case TypeId::Interval:
      d.i64 = static_cast<int64_t>(get64(p));
      d.dm.day = static_cast<int32_t>(get32(p + 8));
      d.dm.month = static_cast<int32_t>(get32(p + 12));
      break;
    default:
      d.str = StrRef{e.bytes.data(), e.bytes.size()};
      break;
  }
  return d;
}

// --- Scalars -----------------------------------------------------------------------------------------

Datum scalar_in(TypeId type, std::string_view text, const dtsql::EvalContext& ctx, std::string& storage) {
  Datum d{};
  std::string_view s = trim(text);
  switch (type) {
    case TypeId::Bool: {
      std::optional<bool> b = parse_bool_text(s);
      if (!b) bad_input(type, text);
      d.i64 = *b ? 1 : 0;
      return d;
    }
    case TypeId::Int16:
    case TypeId::Int32:
    case TypeId::Int64: {
      std::string_view digits = s;
      bool plus = !digits.empty() && digits.front() == '+';
      if (plus) digits.remove_prefix(1);
      if (digits.empty() || (plus && digits.front() == '-')) bad_input(type, text);
      int64_t v = 0;
      auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
      bool whole = ptr == digits.data() + digits.size();
      // As pg_strtoint*: digits that overflow are 22003 even when something invalid follows them
      // ('123456789012345678901.5'); a value one past the largest is so only when the text ends there.
      if (ec == std::errc::result_out_of_range ||
          (ec == std::errc() && whole && (v < integer_min(type) || v > integer_max(type))) ||
          (ec == std::errc() && !whole && type != TypeId::Int64 &&
           (v < integer_min(type) || v > -integer_min(type))))
        throw SqlError(
            SqlState::NumericValueOutOfRange,
            "value \"" + std::string(text) + "\" is out of range for type " + std::string(type_name(type)));
      if (ec != std::errc() || !whole) bad_input(type, text);
      d.i64 = v;
      return d;
    }
    case TypeId::Float32:    // float4in
    case TypeId::Float64: {  // float8in
      std::string l = lower(s);
      if (l == "nan" || l == "+nan" || l == "-nan") {
        d.f64 = std::numeric_limits<double>::quiet_NaN();
        return d;
      }
      if (l == "infinity" || l == "+infinity" || l == "inf" || l == "+inf") {
        d.f64 = std::numeric_limits<double>::infinity();
        return d;
      }
      if (l == "-infinity" || l == "-inf") {
        d.f64 = -std::numeric_limits<double>::infinity();
        return d;
      }
      // strtod's other spellings of infinity and NaN are not PostgreSQL's; its hex floats are ('0x1A').
      if (l.empty() || l.find("in") != std::string::npos || l.find("na") != std::string::npos)
        bad_input(type, text);
      errno = 0;
      char* end = nullptr;
      // A real is read by strtof (one rounding, as float4in), not through a double.
      const bool real = type == TypeId::Float32;
      double v = real ? std::strtof(l.c_str(), &end) : std::strtod(l.c_str(), &end);
      const double huge = real ? double{HUGE_VALF} : HUGE_VAL;
      if (end != l.c_str() + l.size()) bad_input(type, text);
      if (errno == ERANGE && (v == huge || v == -huge || v == 0))  // denormals are fine
        throw SqlError(
            SqlState::NumericValueOutOfRange,
            "\"" + std::string(text) + "\" is out of range for type " + std::string(type_name(type)));
      d.f64 = v;
      return d;
    }
    case TypeId::Oid:
      d.i64 = oid_in(text);
      return d;
    case TypeId::Numeric:
      storage = num::parse(text);
      d.str = StrRef{storage.data(), storage.size()};
      return d;
    case TypeId::Bytea:
      storage = bytea::parse(text);
      d.str = StrRef{storage.data(), storage.size()};
      return d;
    case TypeId::Uuid:
      storage = bytea::uuid_parse(text);
      d.str = StrRef{storage.data(), storage.size()};
      return d;
    case TypeId::Name:
      storage = std::string(text.substr(0, name_length(text)));
      d.str = StrRef{storage.data(), storage.size()};
      return d;
    case TypeId::Char:
      storage = std::string(text.substr(0, char_length(text)));
      d.str = StrRef{storage.data(), storage.size()};
      return d;
    case TypeId::Date:
    case TypeId::Time:
    case TypeId::Timestamp:
    case TypeId::TimestampTz:
    case TypeId::Interval: {
      Datum in{};
      in.str = StrRef{text.data(), text.size()};
      std::string unused;
      dtsql::cast(TypeId::Text, type, in, d, ctx, unused);
      d.is_null = 0;
      return d;
    }
    default:  // text
      storage = std::string(text);
      d.str = StrRef{storage.data(), storage.size()};
      return d;
  }
}

// --- Text in and out -----------------------------------------------------------------------------------

namespace {

// int2vectorin, oidvectorin: numbers separated by spaces, lower bound 0 ('' is the empty vector); each
// word's value by `value` (int2in's or oidin's rules).
template <typename Parse>
std::string parse_vector(std::string_view text, TypeId element, Parse value) {
  Builder builder(element);
  size_t i = 0, n = text.size();
  for (;;) {
    while (i < n && is_space(text[i])) ++i;
    if (i >= n) break;
    size_t start = i;
    while (i < n && !is_space(text[i])) ++i;
    Datum d{};
    d.i64 = value(text.substr(start, i - start));
    builder.add(d);
  }
  return builder.size() ? builder.finish(0) : builder.finish();
}

int64_t int2_in(std::string_view item) {
  std::string_view digits = item.front() == '-' || item.front() == '+' ? item.substr(1) : item;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (digits.empty() || p != digits.data() + digits.size() || ec == std::errc::invalid_argument)
    throw SqlError(SqlState::InvalidTextRepresentation,
                   "invalid input syntax for type smallint: \"" + std::string(item) + "\"");
  if (item.front() == '-') v = -v;
  if (ec == std::errc::result_out_of_range || v < INT16_MIN || v > INT16_MAX)
    throw SqlError(SqlState::NumericValueOutOfRange,
                   "value \"" + std::string(item) + "\" is out of range for type smallint");
  return v;
}

}  // namespace

std::string parse(std::string_view text, TypeId array_type, const dtsql::EvalContext& ctx) {
  if (array_type == TypeId::Int2Vector) return parse_vector(text, TypeId::Int32, int2_in);
  if (array_type == TypeId::OidVector) return parse_vector(text, TypeId::Oid, oid_in);
  const TypeId elem = element_type(array_type);
  size_t i = 0, n = text.size();
  auto skip = [&] {
    while (i < n && is_space(text[i])) ++i;
  };
  skip();
  int32_t lower_bound = 1;
  int64_t declared = -1;          // the element count the dimensions give
  if (i < n && text[i] == '[') {  // '[lb:ub]=' (one dimension)
    ++i;
    auto number = [&](int64_t& v) {
      size_t start = i;
      if (i < n && (text[i] == '-' || text[i] == '+')) ++i;
      while (i < n && text[i] >= '0' && text[i] <= '9') ++i;
      if (i == start || (i == start + 1 && (text[start] == '-' || text[start] == '+')))
        malformed(text, "Missing array dimension value.");
      std::string_view num = text.substr(start, i - start);
      if (num.front() == '+') num.remove_prefix(1);
      auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
      if (ec != std::errc() || v < INT32_MIN || v > INT32_MAX)
        throw SqlError(SqlState::ProgramLimitExceeded, "array bound is out of integer range");
    };
    int64_t lb = 1, ub = 0;
    number(ub);
    if (i < n && text[i] == ':') {
      ++i;
      lb = ub;
      number(ub);
    }
    if (i >= n || text[i] != ']') malformed(text, "Missing \"]\" after array dimensions.");
    ++i;
    if (ub < lb) throw SqlError(SqlState::ArraySubscriptError, "upper bound cannot be less than lower bound");
    if (i < n && text[i] == '[') throw_unsupported("multidimensional arrays");
    if (i >= n || text[i] != '=') malformed(text, "Missing \"=\" after array dimensions.");
    ++i;
    skip();
    if (i >= n || text[i] != '{') malformed(text, "Array contents must start with \"{\".");
    lower_bound = static_cast<int32_t>(lb);
    declared = ub - lb + 1;
  }
  if (i >= n || text[i] != '{')
    malformed(text, "Array value must start with \"{\" or dimension information.");
  ++i;
  Builder builder(elem);
  std::string storage, item;
  skip();
  if (i < n && text[i] == '}') {
    ++i;
  } else {
    for (;;) {
      skip();
      if (i >= n) malformed(text, "Unexpected end of input.");
      char c = text[i];
      if (c == '{') throw_unsupported("multidimensional arrays");
      if (c == ',' || c == '}') malformed(text, std::string("Unexpected \"") + c + "\" character.");
      item.clear();
      bool quoted = false, escaped_any = false;
      if (c == '"') {
        quoted = true;
        ++i;
        for (;;) {
          if (i >= n) malformed(text, "Unexpected end of input.");
          char d = text[i++];
          if (d == '"') break;
          if (d == '\\') {
            if (i >= n) malformed(text, "Unexpected end of input.");
            d = text[i++];
          }
          item.push_back(d);
        }
        skip();
        if (i < n && text[i] != ',' && text[i] != '}') malformed(text, "Unexpected array element.");
      } else {
        size_t keep = 0;  // item's length up to its last escaped or non-space character
        for (;;) {
          if (i >= n) malformed(text, "Unexpected end of input.");
          char d = text[i];
          if (d == ',' || d == '}') break;
          if (d == '{') malformed(text, "Unexpected \"{\" character.");
          if (d == '"') malformed(text, "Unexpected array element.");
          ++i;
          if (d == '\\') {
            if (i >= n) malformed(text, "Unexpected end of input.");
            item.push_back(text[i++]);
            escaped_any = true;
            keep = item.size();
            continue;
          }
          item.push_back(d);
          if (!is_space(d)) keep = item.size();
        }
        item.resize(keep);
      }
      if (i >= n) malformed(text, "Unexpected end of input.");
      if (!quoted && !escaped_any && lower(item) == "null") {
        Datum null{};
        null.is_null = 1;
        builder.add(null);
      } else {
        builder.add(scalar_in(elem, item, ctx, storage));
      }
      if (text[i] == '}') {
        ++i;
        break;
      }
      ++i;  // ','
    }
  }
  skip();
  if (i < n) malformed(text, "Junk after closing right brace.");
  if (declared >= 0 && static_cast<size_t>(declared) != builder.size())
    malformed(text, "Specified array dimensions do not match array contents.");
  return builder.size() ? builder.finish(lower_bound) : builder.finish();
}

std::string to_text(std::string_view bytes, TypeId array_type, const dt::TimeZone& tz,
                    const OutputSettings& os) {
  const TypeId elem = element_type(array_type);
  View v(bytes);
  std::string out, item;
  if (array_type == TypeId::Int2Vector || array_type == TypeId::OidVector) {  // int2vectorout, oidvectorout:
                                                                              // '1 2' (no NULLs, no bounds)
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) out.push_back(' ');
      out += std::to_string(element_datum(elem, v.elements[i]).i64);
    }
    return out;
  }
  if (v.size() && v.lower != 1) {
    out +=
        "[" + std::to_string(v.lower) + ":" + std::to_string(int64_t{v.lower} + int64_t(v.size()) - 1) + "]=";
  }
  out.push_back('{');
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out.push_back(',');
    if (v.elements[i].null) {
      out += "NULL";
      continue;
    }
    item.clear();
    append_text_out(elem, element_datum(elem, v.elements[i]), tz, os, item);
    if (!needs_quotes(item)) {
      out += item;
      continue;
    }
    out.push_back('"');
    for (char c : item) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

std::string to_wire(std::string_view bytes, TypeId array_type) {
  if (array_type != TypeId::Int2Vector) return std::string(bytes);
  // int2vectorsend: int2 elements (OID 21, two bytes each), lower bound 0.
  View v(bytes);
  std::string out;
  put32(out, v.size() ? 1 : 0);
  put32(out, 0);
  put32(out, 21);
  if (v.size()) {
    put32(out, static_cast<uint32_t>(v.size()));
    put32(out, static_cast<uint32_t>(v.lower));
  }
  for (const Element& e : v.elements) {
    const auto x = static_cast<uint16_t>(element_datum(TypeId::Int32, e).i64);
    put32(out, 2);
    out.push_back(static_cast<char>(x >> 8));
    out.push_back(static_cast<char>(x & 0xFF));
  }
  return out;
}

std::string from_wire(std::string_view b, TypeId array_type) {
  const TypeId elem = element_type(array_type);
  auto bad = [](const std::string& m) { throw SqlError(SqlState::InvalidBinaryRepresentation, m); };
  if (b.size() < 12) bad("insufficient data left in message");
  int32_t ndim = static_cast<int32_t>(get32(b.data()));
  uint32_t flags = get32(b.data() + 4);
  uint32_t oid = get32(b.data() + 8);
  if (ndim < 0) bad("invalid number of dimensions: " + std::to_string(ndim));
  if (ndim > 1) throw_unsupported("multidimensional arrays");
  if (flags != 0 && flags != 1) bad("invalid array flags");
  if (oid != type_oid(elem))
    bad("binary data has array element type " + std::to_string(oid) + " instead of expected " +
        std::to_string(type_oid(elem)));
  Builder builder(elem);
  int32_t lower = 1;
  size_t pos = 12;
  if (ndim == 1) {
    if (b.size() < 20) bad("insufficient data left in message");
    int32_t count = static_cast<int32_t>(get32(b.data() + 12));
    lower = static_cast<int32_t>(get32(b.data() + 16));
    if (count < 0) bad("array size exceeds the maximum allowed");
    pos = 20;
    std::string storage;
    for (int32_t i = 0; i < count; ++i) {
      if (b.size() - pos < 4) bad("insufficient data left in message");
      int32_t len = static_cast<int32_t>(get32(b.data() + pos));
      pos += 4;
      if (len == -1) {
        builder.add_bytes({true, {}});
        continue;
      }
      if (len < 0 || static_cast<size_t>(len) > b.size() - pos) bad("insufficient data left in message");
      std::string_view e = b.substr(pos, static_cast<size_t>(len));
      pos += static_cast<size_t>(len);
      int fixed = fixed_length(elem);
      if (fixed >= 0 && len != fixed) bad("improper binary format in array element " + std::to_string(i + 1));
      if (elem == TypeId::Numeric) {
        storage = num::from_wire(e);
        builder.add_bytes({false, storage});
      } else if (elem == TypeId::Name && e.size() > 63) {
        builder.add_bytes({false, e.substr(0, name_length(e))});
      } else {
        builder.add_bytes({false, e});
      }
    }
  }
  if (pos != b.size()) bad("incorrect binary data format in array");
  return builder.size() ? builder.finish(lower) : builder.finish();
}

// --- Order and hashing ---------------------------------------------------------------------------------

int compare_elements(TypeId element, const Datum& a, const Datum& b) {
  switch (element) {
    case TypeId::Float32:
    case TypeId::Float64:
      return compare_double(a.f64, b.f64);
    case TypeId::Numeric:
      return num::compare(a.str.view(), b.str.view());
    case TypeId::Interval: {
      __int128 x = dt::interval_cmp_value(dtsql::interval_of(a)),
               y = dt::interval_cmp_value(dtsql::interval_of(b));
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    case TypeId::Text:
    case TypeId::Name:
    case TypeId::Char:
    case TypeId::Bytea:
    case TypeId::Uuid: {
      int c = a.str.view().compare(b.str.view());
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    default:
      return sign(a.i64, b.i64);
  }
}

int compare(std::string_view a, std::string_view b, TypeId array_type) {
  const TypeId elem = element_type(array_type);
  View x(a), y(b);
  size_t n = std::min(x.size(), y.size());
  for (size_t i = 0; i < n; ++i) {
    const Element &p = x.elements[i], &q = y.elements[i];
    if (p.null || q.null) {
      if (p.null && q.null) continue;
      return p.null ? 1 : -1;
    }
    int c = compare_elements(elem, element_datum(elem, p), element_datum(elem, q));
    if (c) return c;
  }
  if (x.size() != y.size()) return x.size() < y.size() ? -1 : 1;
  return sign(x.lower, y.lower);
}

std::string hash_key(std::string_view bytes, TypeId array_type) {
  const TypeId elem = element_type(array_type);
  View v(bytes);
  std::string out;
  put32(out, static_cast<uint32_t>(v.lower));
  for (const Element& e : v.elements) {
    if (e.null) {
      out.push_back('N');
      continue;
    }
    out.push_back('V');
    Datum d = element_datum(elem, e);
    switch (elem) {
      case TypeId::Float32:  // as its double: real and double precision arrays of one value hash alike
      case TypeId::Float64: {
        double f = d.f64;
        if (f == 0) f = 0;  // -0 = 0
        if (std::isnan(f)) f = std::numeric_limits<double>::quiet_NaN();
        uint64_t bits;
        std::memcpy(&bits, &f, 8);
        put64(out, bits);
        break;
      }
      case TypeId::Numeric: {  // the bytes without the display scale
        std::string_view s = e.bytes;
        put32(out, static_cast<uint32_t>(s.size()));
        out.append(s.substr(0, num::kDscaleOffset));
        if (s.size() > num::kDscaleOffset + 2) out.append(s.substr(num::kDscaleOffset + 2));
        break;
      }
      case TypeId::Interval: {
        __int128 c = dt::interval_cmp_value(dtsql::interval_of(d));
        put64(out, static_cast<uint64_t>(c >> 64));
        put64(out, static_cast<uint64_t>(c));
        break;
      }
      default:
        put32(out, static_cast<uint32_t>(e.bytes.size()));
        out.append(e.bytes);
        break;
    }
  }
  return out;
}

// --- Casts ---------------------------------------------------------------------------------------------

bool can_cast_element(TypeId from, TypeId to, bool* explicit_only) {
  if (explicit_only) *explicit_only = false;
  if (from == to) return true;
  auto expl = [&] {
    if (explicit_only) *explicit_only = true;
    return true;
  };
  bool from_string = from == TypeId::Text || from == TypeId::Name || from == TypeId::Char;
  bool to_string = to == TypeId::Text || to == TypeId::Name || to == TypeId::Char;
  if (to == TypeId::Text || (from_string && to_string)) return from_string ? true : expl();
  if (from_string) return expl();
  if ((from == TypeId::Bool && to == TypeId::Int32) || (from == TypeId::Int32 && to == TypeId::Bool))
    return expl();
  if (is_numeric(from) && is_numeric(to)) {
    return numeric_rank(from) < numeric_rank(to) ? true : expl();  // implicit widening
  }
  if ((from == TypeId::Oid && is_integer(to)) || (is_integer(from) && to == TypeId::Oid))
    return to == TypeId::Oid ? true : expl();
  if (is_datetime(from) && is_datetime(to)) return dtsql::can_cast(from, to, explicit_only);
  return false;
}

Datum scalar_cast(TypeId from, TypeId to, const Datum& d, const dtsql::EvalContext& ctx,
                  std::string& storage) {
  if (d.is_null || from == to) return d;
  if (to == TypeId::Text || to == TypeId::Name || to == TypeId::Char) {
    std::string text;
    if (from == TypeId::Bool)  // booltext: 'true' / 'false' (the output function says 't' / 'f')
      text = d.i64 ? "true" : "false";
    else
      append_text_out(from, d, ctx.dt.tz, ctx.output, text);
    return scalar_in(to, text, ctx, storage);
  }
  if (from == TypeId::Text || from == TypeId::Name || from == TypeId::Char)
    return scalar_in(to, d.str.view(), ctx, storage);
  Datum out{};
  if (from == TypeId::Bool || to == TypeId::Bool) {  // bool <-> int4
    out.i64 = from == TypeId::Bool ? d.i64 : d.i64 != 0;
    return out;
  }
  auto int_range = [&](int64_t v) {
    if (is_integer(to) && (v < integer_min(to) || v > integer_max(to)))
      throw SqlError(SqlState::NumericValueOutOfRange, std::string(integer_out_of_range(to)));
    out.i64 = v;
    return out;
  };
  if (from == TypeId::Numeric) {
    std::string_view a = d.str.view();
    switch (to) {
      case TypeId::Int16:
        out.i64 = num::to_int64(a, INT16_MIN, INT16_MAX, "smallint");
        return out;
      case TypeId::Int32:
        out.i64 = num::to_int64(a, INT32_MIN, INT32_MAX, "integer");
        return out;
      case TypeId::Int64:
        out.i64 = num::to_int64(a, INT64_MIN, INT64_MAX, "bigint");
        return out;
      case TypeId::Float64:
        out.f64 = num::to_double(a);
        return out;
      case TypeId::Float32:  // numeric_float4: float4in of the numeric's text (one rounding)
        return scalar_in(TypeId::Float32, num::to_text(a), ctx, storage);
      default:
        break;
    }
  }
  if (to == TypeId::Numeric) {
    storage = from == TypeId::Float64   ? num::from_double(d.f64)
              : from == TypeId::Float32 ? num::from_double(d.f64, 6)
                                        : num::from_int64(d.i64);
    out.str = StrRef{storage.data(), storage.size()};
    return out;
  }
  if (to == TypeId::Float32) {  // from an integer (rounded once: int8 -> float4 not through a double)
    out.f64 = from == TypeId::Float64 ? mathsql::float8_to_float4(d.f64) : static_cast<float>(d.i64);
    return out;
  }
  if (from == TypeId::Float32 && to == TypeId::Float64) {
    out.f64 = d.f64;
    return out;
  }
  if (is_float(from) && is_integer(to)) {  // dtoi / ftoi: rint, 22003 (a real's double is exact)
    out.i64 = mathsql::float8_to_int(d.f64, to);
    return out;
  }
  if (is_integer(from) && to == TypeId::Float64) {
    out.f64 = static_cast<double>(d.i64);
    return out;
  }
  if (is_integer(from) && to == TypeId::Oid) {
    if (d.i64 < INT32_MIN || d.i64 > UINT32_MAX)
      throw SqlError(SqlState::NumericValueOutOfRange, "OID out of range");
    out.i64 = d.i64 < 0 ? d.i64 + 4294967296LL : d.i64;
    return out;
  }
  if (from == TypeId::Oid && to == TypeId::Int32) {
    out.i64 = static_cast<int32_t>(static_cast<uint32_t>(d.i64));
    return out;
  }
  if (is_integer(from) || from == TypeId::Oid) return int_range(d.i64);
  if (is_datetime(from) && is_datetime(to)) {
    std::string text;
    dtsql::cast(from, to, d, out, ctx, text);
    out.is_null = 0;
    return out;
  }
  throw SqlError(SqlState::CannotCoerce,
                 "cannot cast type " + std::string(type_name(from)) + " to " + std::string(type_name(to)));
}

std::string cast(std::string_view bytes, TypeId from_array, TypeId to_array, const dtsql::EvalContext& ctx) {
  const TypeId from = element_type(from_array), to = element_type(to_array);
  View v(bytes);
  Builder builder(to);
  std::string storage;
  for (const Element& e : v.elements)
    builder.add(scalar_cast(from, to, element_datum(from, e), ctx, storage));
  return builder.size() ? builder.finish(v.lower) : builder.finish();
}

// --- Expressions -----------------------------------------------------------------------------------------

int any_all(TypeId element, const Datum& x, std::string_view array, int op, bool all) {
  View v(array);
  if (v.size() == 0) return all ? 1 : 0;
  if (x.is_null) return 2;
  bool saw_null = false;
  for (const Element& e : v.elements) {
    if (e.null) {
      saw_null = true;
      continue;
    }
    int c = compare_elements(element, x, element_datum(element, e));
    bool r = op == 0   ? c == 0
             : op == 1 ? c != 0
             : op == 2 ? c < 0
             : op == 3 ? c <= 0
             : op == 4 ? c > 0
                       : c >= 0;
    if (all && !r) return 0;
    if (!all && r) return 1;
  }
  if (saw_null) return 2;
  return all ? 1 : 0;
}

// Walks to the element without decoding the others (no allocation); bounded reads, as View's.
Datum subscript(TypeId element, std::string_view array, int64_t index) {
  Datum null{};
  null.is_null = 1;
  if (array.size() < 20 || get32(array.data()) == 0) return null;
  const int64_t n = static_cast<int32_t>(get32(array.data() + 12));
  const int64_t i = index - static_cast<int32_t>(get32(array.data() + 16));
  if (i < 0 || i >= n) return null;
  size_t pos = 20;
  for (int64_t k = 0;; ++k) {
    if (array.size() - pos < 4) return null;
    const auto len = static_cast<int32_t>(get32(array.data() + pos));
    pos += 4;
    if (len >= 0 && static_cast<size_t>(len) > array.size() - pos) return null;
    if (k == i)
      return len < 0 ? null
                     : element_datum(element, Element{false, array.substr(pos, static_cast<size_t>(len))});
    if (len > 0) pos += static_cast<size_t>(len);
  }
}

void eval(Func f, TypeId array_type, const Datum* args, int nargs, Datum& out, const dt::TimeZone& tz,
          const OutputSettings& os, std::string& storage) {
  const TypeId elem = element_type(array_type);
  out = Datum{};
  auto set_null = [&] { out.is_null = 1; };
  if (f == Func::Prepend || f == Func::Append || f == Func::Cat) {
    // NULL arrays count as empty (array_append(NULL, 1) is {1}); the caller passes is_null Datums.
    Builder b(elem);
    int32_t lower = 1;
    auto add_all = [&](const Datum& a, bool keep_lower) {
      if (a.is_null) return;
      View v(a.str.view());
      if (keep_lower && v.size()) lower = v.lower;
      for (const Element& e : v.elements) b.add_bytes(e);
    };
    if (f == Func::Prepend) {
      b.add(args[0]);
      add_all(args[1], false);
    } else if (f == Func::Append) {
      add_all(args[0], true);
      b.add(args[1]);
    } else {
      if (args[0].is_null && args[1].is_null) return set_null();
      add_all(args[0], true);
      add_all(args[1], args[0].is_null || View(args[0].str.view()).size() == 0);
    }
    storage = b.size() ? b.finish(lower) : b.finish();
    out.str = StrRef{storage.data(), storage.size()};
    return;
  }
  if (f == Func::Remove) {  // PostgreSQL's array_remove: equality of the element type, NULL matches NULL
    if (args[0].is_null) return set_null();
    View v(args[0].str.view());
    Builder b(elem);
    for (const Element& e : v.elements) {
      const bool match =
          e.null ? args[1].is_null
                 : !args[1].is_null && compare_elements(elem, element_datum(elem, e), args[1]) == 0;
      if (!match) b.add_bytes(e);
    }
    storage = b.size() ? b.finish(v.lower) : b.finish();
    out.str = StrRef{storage.data(), storage.size()};
    return;
  }
  if (args[0].is_null) return set_null();
  // The header's length and lower bound: O(1), as a set-returning function's loop asks every row.
  const std::string_view bytes = args[0].str.view();
  const bool one_dim = bytes.size() >= 20 && get32(bytes.data()) != 0;
  const int64_t size = one_dim ? static_cast<int32_t>(get32(bytes.data() + 12)) : 0;
  const int32_t lower = one_dim ? static_cast<int32_t>(get32(bytes.data() + 16)) : 1;
  const bool empty = size == 0;
  auto dim_ok = [&] { return nargs > 1 && !args[1].is_null && args[1].i64 == 1 && !empty; };
  switch (f) {
    case Func::Length:
      if (!dim_ok()) return set_null();
      out.i64 = size;
      return;
    case Func::Upper:
      if (!dim_ok()) return set_null();
      out.i64 = int64_t{lower} + size - 1;
      return;
    case Func::Lower:
      if (!dim_ok()) return set_null();
      out.i64 = lower;
      return;
    case Func::Ndims:
      if (empty) return set_null();
      out.i64 = 1;
      return;
    case Func::Cardinality:
      out.i64 = size;
      return;
    case Func::Dims:
      if (empty) return set_null();
      storage = "[" + std::to_string(lower) + ":" + std::to_string(int64_t{lower} + size - 1) + "]";
      out.str = StrRef{storage.data(), storage.size()};
      return;
    case Func::ToString: {
      if (args[1].is_null) return set_null();
      std::string_view delim = args[1].str.view();
      const bool null_string = nargs > 2 && !args[2].is_null;
      storage.clear();
      bool first = true;
      for (const Element& e : View(bytes).elements) {
        if (e.null && !null_string) continue;
        if (!first) storage += delim;
        first = false;
        if (e.null)
          storage += args[2].str.view();
        else
          append_text_out(elem, element_datum(elem, e), tz, os, storage);
      }
      out.str = StrRef{storage.data(), storage.size()};
      return;
    }
    default:
      return set_null();
  }
}

const char* func_name(Func f) {
  switch (f) {
    case Func::Length:
      return "array_length";
    case Func::Upper:
      return "array_upper";
    case Func::Lower:
      return "array_lower";
    case Func::Ndims:
      return "array_ndims";
    case Func::Cardinality:
      return "cardinality";
    case Func::ToString:
      return "array_to_string";
    case Func::Dims:
      return "array_dims";
    case Func::Append:
      return "array_append";
    case Func::Prepend:
      return "array_prepend";
    case Func::Cat:
      return "array_cat";
    case Func::Remove:
      return "array_remove";
    default:
      return "";
  }
}

void run(int64_t c, const Datum* args, int nargs, Datum& out, const dtsql::EvalContext& ctx,
         std::string& storage) {
  const TypeId type = code_type(c);
  const TypeId elem = element_type(type);
  out = Datum{};
  switch (code_func(c)) {
    case Func::Build: {
      Builder b(elem);
      for (int i = 0; i < nargs; ++i) b.add(args[i]);
      storage = b.finish();
      out.str = StrRef{storage.data(), storage.size()};
      return;
    }
    case Func::Subscript:
      if (args[0].is_null || args[1].is_null) {
        out.is_null = 1;
        return;
      }
      out = subscript(elem, args[0].str.view(), args[1].i64);
      return;
    case Func::ElementAt:
    case Func::NextElement: {
      if (args[0].is_null || args[1].is_null) {
        out.is_null = 1;
        return;
      }
      // Bounded reads, as View's: an offset that is not an element's gives NULL or a wrong element, never
      // a read past the bytes.
      const std::string_view b = args[0].str.view();
      const int64_t pos = args[1].i64;
      if (pos < kFirstElementOffset || b.size() < 4 || pos > static_cast<int64_t>(b.size()) - 4) {
        out.is_null = 1;
        return;
      }
      const auto at = static_cast<size_t>(pos);
      const auto len = static_cast<int32_t>(get32(b.data() + at));
      if (len >= 0 && static_cast<size_t>(len) > b.size() - at - 4) {
        out.is_null = 1;
        return;
      }
      if (code_func(c) == Func::NextElement) {
        out.i64 = pos + 4 + (len < 0 ? 0 : len);
        return;
      }
      if (len < 0) {
        out.is_null = 1;
        return;
      }
      out = element_datum(elem, Element{false, b.substr(at + 4, static_cast<size_t>(len))});
      return;
    }
    case Func::AnyAll: {
      if (args[1].is_null) {
        out.is_null = 1;
        return;
      }
      int extra = code_extra(c);
      int r = any_all(elem, args[0], args[1].str.view(), extra / 2, extra % 2 == 1);
      out.is_null = r == 2;
      out.i64 = r == 1;
      return;
    }
    default:
      eval(code_func(c), type, args, nargs, out, ctx.dt.tz, ctx.output, storage);
      return;
  }
}

}  // namespace omendb::arr
