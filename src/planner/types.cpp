// Bind-time conversion of literals and resolution of written type names.
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "common/array.h"
#include "common/bytea.h"
#include "common/error.h"
#include "common/json.h"
#include "common/math_sql.h"
#include "common/numeric.h"
#include "planner/planner_internal.h"

namespace omendb::planner::detail {

namespace {

std::string_view trim(std::string_view s) {
  auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

[[noreturn]] void bad_input(TypeId to, const std::string& text) {
  throw SqlError(SqlState::InvalidTextRepresentation,
                 "invalid input syntax for type " + std::string(type_name(to)) + ": \"" + text + "\"");
}

[[noreturn]] void out_of_range(TypeId to) {
  throw SqlError(SqlState::NumericValueOutOfRange,
                 is_integer(to) ? std::string(integer_out_of_range(to)) : std::string("value out of range"));
}

Value int_value(int64_t v, TypeId to) {
  if (v < integer_min(to) || v > integer_max(to)) out_of_range(to);
  return to == TypeId::Int64 ? Value::int64(v) : Value::datetime(to, v);  // Int16, Int32: the value
}

Value parse_text(const std::string& text, TypeId to) {
  std::string_view s = trim(text);
  switch (to) {
    case TypeId::Unknown:
    case TypeId::Text:
      return Value::text(text);
    case TypeId::Name:
      return Value::text(text.substr(0, name_length(text)), TypeId::Name);
    case TypeId::Char:  // "char": the first byte (PostgreSQL's charin)
      return Value::text(text.substr(0, char_length(text)), TypeId::Char);
    case TypeId::Oid:
      return Value::datetime(TypeId::Oid, oid_in(text));
    case TypeId::Date:
    case TypeId::Time:
    case TypeId::Timestamp:
    case TypeId::TimestampTz:
    case TypeId::Interval:
      break;  // convert_value handles them
    case TypeId::Numeric:
      return Value::numeric(num::parse(text));
    default:  // arrays: convert_value handles them
      break;
    case TypeId::Int16:
    case TypeId::Int32:
    case TypeId::Int64: {  // int2in / int4in / int8in and float8in: common/array.h's scalar input
      std::string storage;
      return int_value(arr::scalar_in(to, text, default_datetime_context(), storage).i64, to);
    }
    case TypeId::Float64: {
      std::string storage;
      return Value::float64(arr::scalar_in(to, text, default_datetime_context(), storage).f64);
    }
    case TypeId::Float32: {  // float4in
      std::string storage;
      return Value::float32(
          static_cast<float>(arr::scalar_in(to, text, default_datetime_context(), storage).f64));
    }
    case TypeId::Bool: {
      std::string l = lower(s);
      auto prefix_of = [&](std::string_view word) { return !l.empty() && word.substr(0, l.size()) == l; };
      if (l == "1" || l == "on" || prefix_of("true") || prefix_of("yes")) return Value::boolean(true);
      if (l == "0" || l == "off" || l == "of" || prefix_of("false") || prefix_of("no"))
        return Value::boolean(false);
      bad_input(to, text);
    }
  }
  bad_input(to, text);
}

[[noreturn]] void cannot_cast(TypeId from, TypeId to) {
  throw SqlError(SqlState::CannotCoerce,
                 "cannot cast type " + std::string(type_name(from)) + " to " + std::string(type_name(to)));
}

}  // namespace

const dtsql::EvalContext& default_datetime_context() {
  static const dtsql::EvalContext ctx;
  return ctx;
}

Value convert_value(const Value& v, TypeId to, const dtsql::EvalContext& dt) {
  if (v.is_null()) return Value::null(to);
  TypeId from = v.type();
  if (from == to) return v;
  if (is_array(from) || is_array(to)) {  // common/array.h: text in and out, element-wise casts
    if (is_array(from) && is_array(to)) {
      if (!arr::can_cast_element(element_type(from), element_type(to), nullptr)) cannot_cast(from, to);
      return Value::text(arr::cast(v.as_text(), from, to, dt), to);
    }
    if (is_array(from) && to == TypeId::Text)
      return Value::text(arr::to_text(v.as_text(), from, dt.dt.tz, dt.output));
    if (is_array(to) && (from == TypeId::Unknown || from == TypeId::Text))
      return Value::text(arr::parse(v.as_text(), to, dt), to);
    cannot_cast(from, to);
  }
  if (is_json_type(from) || is_json_type(to)) {  // json, jsonb: text in and out, json <-> jsonb
    if (from == TypeId::Jsonb && (to == TypeId::Text || to == TypeId::Json))
      return Value::text(json::to_text(v.as_text()), to);
    if (from == TypeId::Json && to == TypeId::Text) return Value::text(v.as_text());
    if (to == TypeId::Json && is_string_type(from)) {
      json::validate(v.as_text());
      return Value::text(v.as_text(), TypeId::Json);
    }
    if (to == TypeId::Jsonb && (is_string_type(from) || from == TypeId::Json))
      return Value::text(json::parse(v.as_text()), TypeId::Jsonb);
    cannot_cast(from, to);
  }
  if (is_binary_type(from) || is_binary_type(to)) {  // bytea, uuid: text in and out only
    if (is_binary_type(from) && to == TypeId::Text)
      return Value::text(from == TypeId::Bytea ? bytea::to_text(v.as_text(), dt.output.bytea_escape)
                                               : bytea::uuid_to_text(v.as_text()));
    if (!is_string_type(from) || !is_binary_type(to)) cannot_cast(from, to);
    return Value::bytes(to == TypeId::Bytea ? bytea::parse(v.as_text()) : bytea::uuid_parse(v.as_text()), to);
  }
  if (from == TypeId::BpChar)  // bpchar -> text drops the trailing spaces; others through text
    return convert_value(Value::text(std::string(bpchar_significant(v.as_text()))), to, dt);
  if (to == TypeId::BpChar) {  // the text's bytes (a length is applied by textsql::bpchar_typmod)
    std::string text = is_string_type(from) ? v.as_text() : convert_value(v, TypeId::Text, dt).as_text();
    return Value::text(std::move(text), TypeId::BpChar);
  }
  if (is_datetime(from) || is_datetime(to)) {
    if (!dtsql::can_cast(from, to)) cannot_cast(from, to);
    return dtsql::cast_value(v, to, dt);
  }
  if (is_oid_type(from) && is_oid_type(to)) return Value::datetime(to, v.as_int());  // the same oid
  if (is_reg_type(from) && is_integer(to))
    return convert_value(Value::datetime(TypeId::Oid, v.as_int()), to, dt);
  if (is_oid_type(to) && (from == TypeId::Int32 || from == TypeId::Int16))  // the bits, as PostgreSQL does
    return Value::datetime(to, static_cast<int64_t>(static_cast<uint32_t>(v.as_int())));
  if (is_oid_type(to) && is_integer(from)) {
    if (v.as_int() < 0 || v.as_int() > 4294967295LL)
      throw SqlError(SqlState::NumericValueOutOfRange, "OID out of range");
    return Value::datetime(to, v.as_int());
  }
  if (from == TypeId::Numeric || to == TypeId::Numeric) {
    if (from == TypeId::Bool || to == TypeId::Bool) cannot_cast(from, to);
    switch (from) {
      case TypeId::Int16:
      case TypeId::Int32:
      case TypeId::Int64:
        return Value::numeric(num::from_int64(v.as_int()));
      case TypeId::Float64:
        return Value::numeric(num::from_double(v.as_double()));
      case TypeId::Float32:
        return Value::numeric(num::from_double(v.as_double(), 6));
      case TypeId::Unknown:
      case TypeId::Text:
        return Value::numeric(num::parse(v.as_text()));
      default:
        break;
    }
    switch (to) {
      case TypeId::Int16:
        return Value::int16(
            static_cast<int16_t>(num::to_int64(v.as_text(), INT16_MIN, INT16_MAX, "smallint")));
      case TypeId::Int32:
        return Value::int32(
            static_cast<int32_t>(num::to_int64(v.as_text(), INT32_MIN, INT32_MAX, "integer")));
      case TypeId::Int64:
        return Value::int64(num::to_int64(v.as_text(), INT64_MIN, INT64_MAX, "bigint"));
      case TypeId::Float64:
        return Value::float64(num::to_double(v.as_text()));
      case TypeId::Float32:  // numeric_float4: float4in of the text
        return parse_text(num::to_text(v.as_text()), to);
      case TypeId::Text:
        return Value::text(num::to_text(v.as_text()));
      default:
        cannot_cast(from, to);
    }
  }
  switch (from) {
    case TypeId::Unknown:
    case TypeId::Text:
    case TypeId::Name:
    case TypeId::Char:
      if (from != TypeId::Unknown && to == TypeId::Text) return Value::text(v.as_text());
      if (from == TypeId::Char && to == TypeId::Name) return Value::text(v.as_text(), TypeId::Name);
      if (from != TypeId::Unknown && from != TypeId::Text && to != TypeId::Name && to != TypeId::Char)
        cannot_cast(from, to);
      return parse_text(v.as_text(), to);
    case TypeId::Oid:
      switch (to) {
        case TypeId::Int64:
          return Value::int64(v.as_int());
        case TypeId::Int32:  // oid -> int4 reinterprets the bits, as PostgreSQL does
          return Value::int32(static_cast<int32_t>(static_cast<uint32_t>(v.as_int())));
        case TypeId::Text:
          return Value::text(std::to_string(v.as_int()));
        default:
          cannot_cast(from, to);
      }
    case TypeId::Bool:
      switch (to) {
        case TypeId::Int32:
        case TypeId::Int64:  // not smallint: PostgreSQL has no boolean <-> smallint cast (42846)
          return int_value(v.as_bool() ? 1 : 0, to);
        case TypeId::Text:
          return Value::text(v.as_bool() ? "true" : "false");
        default:
          cannot_cast(from, to);
      }
    case TypeId::Int16:
    case TypeId::Int32:
    case TypeId::Int64:
      switch (to) {
        case TypeId::Int16:
        case TypeId::Int32:
        case TypeId::Int64:
          return int_value(v.as_int(), to);
        case TypeId::Float64:
          return Value::float64(static_cast<double>(v.as_int()));
        case TypeId::Float32:  // one rounding, int8 included
          return Value::float32(static_cast<float>(v.as_int()));
        case TypeId::Text:
          return Value::text(std::to_string(v.as_int()));
        case TypeId::Bool:
          if (from == TypeId::Int16) cannot_cast(from, to);
          return Value::boolean(v.as_int() != 0);
        default:
          cannot_cast(from, to);
      }
    case TypeId::Float32:
    case TypeId::Float64:
      switch (to) {
        case TypeId::Int16:
        case TypeId::Int32:
        case TypeId::Int64: {
          return int_value(mathsql::float8_to_int(v.as_double(), to), to);
        }
        case TypeId::Float32:  // dtof
          return Value::float32(static_cast<float>(mathsql::float8_to_float4(v.as_double())));
        case TypeId::Float64:  // exact
          return Value::float64(v.as_double());
        case TypeId::Text: {
          std::string text;
          append_text_out(from, dtsql::to_datum(v), dt.dt.tz, dt.output, text);
          return Value::text(std::move(text));
        }
        default:
          cannot_cast(from, to);
      }
    default:
      break;
  }
  cannot_cast(from, to);
}

TypeId resolve_type(const ast::TypeName& t, int* max_length) {
  if (max_length) *max_length = -1;
  int pos = t.location >= 0 ? t.location + 1 : 0;
  if (t.is_array) {
    // One-dimensional arrays of the element types common/array.h knows (int[][] is int[], as in
    // PostgreSQL, which does not enforce declared dimensions). An element's typmod (varchar(3)[],
    // numeric(5,2)[]) is not applied.
    ast::TypeName elem = t;
    elem.is_array = false;
    TypeId e = resolve_type(elem, nullptr);
    TypeId a = array_type(e);
    if (a == TypeId::Unknown) throw_unsupported("arrays of type " + std::string(type_name(e)), pos);
    return a;
  }
  const std::string& n = t.name;
  if (n == "int4" || n == "integer" || n == "int") return TypeId::Int32;
  if (n == "int2" || n == "smallint") return TypeId::Int16;
  if (n == "int8" || n == "bigint") return TypeId::Int64;
  if (n == "float8" || n == "double precision" || n == "float") return TypeId::Float64;
  if (n == "float4" || n == "real") return TypeId::Float32;
  if (n == "text") return TypeId::Text;
  if (n == "varchar" || n == "character varying") {
    if (!t.typmods.empty()) {
      if (t.typmods[0] < 1)
        throw SqlError(SqlState::InvalidParameterValue, "length for type varchar must be at least 1").at(pos);
      if (max_length) *max_length = t.typmods[0];
    }
    return TypeId::Text;
  }
  if (n == "bool" || n == "boolean") return TypeId::Bool;
  if (n == "oid") return TypeId::Oid;
  if (n == "regclass") return TypeId::RegClass;
  if (n == "regtype") return TypeId::RegType;
  if (n == "regnamespace") return TypeId::RegNamespace;
  if (n == "regproc") return TypeId::RegProc;
  if (n == "int2vector") return TypeId::Int2Vector;
  if (n == "oidvector") return TypeId::OidVector;
  if (n == "name") return TypeId::Name;
  if (n == "char") return TypeId::Char;  // "char" quoted; CHAR / character without quotes is bpchar
  // Date/time types. A precision other than 6 (the default) would round values: not built yet.
  auto precision = [&](size_t index) {
    if (t.typmods.size() > index && t.typmods[index] != 6)
      throw_unsupported("type " + n + "(" + std::to_string(t.typmods[index]) + ") (a precision other than 6)",
                        pos);
  };
  if (n == "date") return TypeId::Date;
  if (n == "time" || n == "time without time zone") {
    precision(0);
    return TypeId::Time;
  }
  if (n == "timestamp" || n == "timestamp without time zone") {
    precision(0);
    return TypeId::Timestamp;
  }
  if (n == "timestamptz" || n == "timestamp with time zone") {
    precision(0);
    return TypeId::TimestampTz;
  }
  if (n == "interval") {
    // The grammar gives [field mask] or [field mask, precision]. A qualifier or a precision other than 6
    // is PostgreSQL's typmod (range << 16 | precision, precision 0xFFFF for none) in *max_length, for a
    // caller that applies it (a cast of a constant: the binder); elsewhere it is not built yet.
    int range = t.typmods.empty() ? dt::kIntervalFullRange : t.typmods[0];
    int prec = t.typmods.size() > 1 ? t.typmods[1] : 6;
    if (t.typmods.size() > 2 || !dt::interval_range_valid(range))
      throw SqlError(SqlState::SyntaxError, "invalid INTERVAL type modifier").at(pos);
    if (prec < 0)
      throw SqlError(SqlState::InvalidParameterValue,
                     "INTERVAL(" + std::to_string(prec) + ") precision must not be negative")
          .at(pos);
    if (prec > 6) prec = 6;  // PostgreSQL warns "precision reduced to maximum allowed, 6"
    if (range != dt::kIntervalFullRange || prec != 6) {
      if (!max_length)
        throw_unsupported("interval field qualifiers and precisions (YEAR, DAY TO SECOND, interval(p)) here",
                          pos);
      *max_length = (range << 16) | (t.typmods.size() > 1 ? prec : 0xFFFF);
    }
    return TypeId::Interval;
  }
  if (n == "numeric" || n == "decimal") {
    if (t.typmods.size() > 2)
      throw SqlError(SqlState::InvalidParameterValue, "invalid NUMERIC type modifier").at(pos);
    if (!t.typmods.empty()) {
      int32_t typmod = num::make_typmod(t.typmods[0], t.typmods.size() > 1 ? t.typmods[1] : 0);
      if (max_length) *max_length = typmod;
    }
    return TypeId::Numeric;
  }
  if (n == "bytea") return TypeId::Bytea;
  if (n == "uuid") return TypeId::Uuid;
  if (n == "json") return TypeId::Json;
  if (n == "jsonb") return TypeId::Jsonb;
  if (n == "bpchar" || n == "character") {
    // character(n) (CHAR alone is character(1): the grammar gives the 1); bpchar without a length keeps
    // its values as they are.
    if (!t.typmods.empty()) {
      if (t.typmods[0] < 1)
        throw SqlError(SqlState::InvalidParameterValue, "length for type char must be at least 1").at(pos);
      if (t.typmods[0] > 10485760)
        throw SqlError(SqlState::InvalidParameterValue, "length for type char cannot exceed 10485760")
            .at(pos);
      if (max_length) *max_length = t.typmods[0];
    }
    return TypeId::BpChar;
  }
  static const char* const known[] = {
      "timetz",   "jsonpath",     "money",        "inet",          "cidr",        "macaddr",
      "xml",      "point",        "bit",          "varbit",        "tsvector",    "tsquery",
      "serial",   "bigserial",    "smallserial",  "serial4",       "serial8",     "serial2",
      "regclass", "line",         "box",          "polygon",       "circle",      "lseg",
      "path",     "int4range",    "int8range",    "daterange",     "tsrange",     "tstzrange",
      "citext",   "macaddr8",     "pg_lsn",       "txid_snapshot", "bit varying", "time with time zone",
      "regtype",  "regnamespace", "regprocedure", "regrole",       "regoper",     "aclitem",
      "xid"};
  for (const char* k : known)
    if (n == k) throw_unsupported("type " + n, pos);
  throw SqlError(SqlState::UndefinedObject, "type \"" + n + "\" does not exist").at(pos);
}

}  // namespace omendb::planner::detail
