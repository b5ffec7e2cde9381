#include "common/types.h"

#include <charconv>
#include <string>

#include "common/error.h"

namespace omendb {

std::string_view type_name(TypeId type) {
  switch (type) {
    case TypeId::BoolArray:
      return "boolean[]";
    case TypeId::Int32Array:
      return "integer[]";
    case TypeId::Int64Array:
      return "bigint[]";
    case TypeId::Float64Array:
      return "double precision[]";
    case TypeId::TextArray:
      return "text[]";
    case TypeId::DateArray:
      return "date[]";
    case TypeId::TimeArray:
      return "time without time zone[]";
    case TypeId::TimestampArray:
      return "timestamp without time zone[]";
    case TypeId::TimestampTzArray:
      return "timestamp with time zone[]";
    case TypeId::IntervalArray:
      return "interval[]";
    case TypeId::OidArray:
      return "oid[]";
    case TypeId::NameArray:
      return "name[]";
    case TypeId::CharArray:
      return "\"char\"[]";
    case TypeId::NumericArray:
      return "numeric[]";
    case TypeId::ByteaArray:
      return "bytea[]";
    case TypeId::UuidArray:
      return "uuid[]";
    case TypeId::Int16Array:
      return "smallint[]";
    case TypeId::Float32Array:
      return "real[]";
    case TypeId::Int2Vector:
      return "int2vector";
    case TypeId::OidVector:
      return "oidvector";
    case TypeId::Int16:
      return "smallint";
    case TypeId::Float32:
      return "real";
    case TypeId::BpChar:
      return "character";
    case TypeId::Unknown:
      return "unknown";
    case TypeId::Bool:
      return "boolean";
    case TypeId::Int32:
      return "integer";
    case TypeId::Int64:
      return "bigint";
    case TypeId::Float64:
      return "double precision";
    case TypeId::Text:
      return "text";
    case TypeId::Date:
      return "date";
    case TypeId::Time:
      return "time without time zone";
    case TypeId::Timestamp:
      return "timestamp without time zone";
    case TypeId::TimestampTz:
      return "timestamp with time zone";
    case TypeId::Interval:
      return "interval";
    case TypeId::Oid:
      return "oid";
    case TypeId::Name:
      return "name";
    case TypeId::Char:
      return "\"char\"";
    case TypeId::Numeric:
      return "numeric";
    case TypeId::RegClass:
      return "regclass";
    case TypeId::RegType:
      return "regtype";
    case TypeId::RegNamespace:
      return "regnamespace";
    case TypeId::Bytea:
      return "bytea";
    case TypeId::Uuid:
      return "uuid";
    case TypeId::Json:
      return "json";
    case TypeId::Jsonb:
      return "jsonb";
    case TypeId::Xid:
      return "xid";
    case TypeId::RegProc:
      return "regproc";
  }
  return "unknown";
}

uint32_t type_oid(TypeId type) {
  switch (type) {
    case TypeId::BoolArray:
      return 1000;
    case TypeId::Int32Array:
      return 1007;
    case TypeId::Int64Array:
      return 1016;
    case TypeId::Float64Array:
      return 1022;
    case TypeId::TextArray:
      return 1009;
    case TypeId::DateArray:
      return 1182;
    case TypeId::TimeArray:
      return 1183;
    case TypeId::TimestampArray:
      return 1115;
    case TypeId::TimestampTzArray:
      return 1185;
    case TypeId::IntervalArray:
      return 1187;
    case TypeId::OidArray:
      return 1028;
    case TypeId::NameArray:
      return 1003;
    case TypeId::CharArray:
      return 1002;
    case TypeId::NumericArray:
      return 1231;
    case TypeId::ByteaArray:
      return 1001;
    case TypeId::UuidArray:
      return 2951;
    case TypeId::Int16Array:
      return 1005;
    case TypeId::Float32Array:
      return 1021;
    case TypeId::Int2Vector:
      return 22;
    case TypeId::OidVector:
      return 30;
    case TypeId::Int16:
      return 21;
    case TypeId::Float32:
      return 700;
    case TypeId::BpChar:
      return 1042;
    case TypeId::Unknown:
      return 705;
    case TypeId::Bool:
      return 16;
    case TypeId::Int32:
      return 23;
    case TypeId::Int64:
      return 20;
    case TypeId::Float64:
      return 701;
    case TypeId::Text:
      return 25;
    case TypeId::Date:
      return 1082;
    case TypeId::Time:
      return 1083;
    case TypeId::Timestamp:
      return 1114;
    case TypeId::TimestampTz:
      return 1184;
    case TypeId::Interval:
      return 1186;
    case TypeId::Oid:
      return 26;
    case TypeId::Name:
      return 19;
    case TypeId::Char:
      return 18;
    case TypeId::Numeric:
      return 1700;
    case TypeId::RegClass:
      return 2205;
    case TypeId::RegType:
      return 2206;
    case TypeId::RegNamespace:
      return 4089;
    case TypeId::Bytea:
      return 17;
    case TypeId::Uuid:
      return 2950;
    case TypeId::Json:
      return 114;
    case TypeId::Jsonb:
      return 3802;
    case TypeId::Xid:
      return 28;
    case TypeId::RegProc:
      return 24;
  }
  return 705;
}

int16_t type_wire_length(TypeId type) {
  switch (type) {
    case TypeId::Bool:
      return 1;
    case TypeId::Int16:
      return 2;
    case TypeId::Int32:
    case TypeId::Float32:
      return 4;
    case TypeId::Int64:
      return 8;
    case TypeId::Float64:
      return 8;
    case TypeId::Date:
      return 4;
    case TypeId::Time:
    case TypeId::Timestamp:
    case TypeId::TimestampTz:
      return 8;
    case TypeId::Interval:
      return 16;
    case TypeId::Oid:
    case TypeId::RegClass:
    case TypeId::RegType:
    case TypeId::RegNamespace:
    case TypeId::RegProc:
    case TypeId::Xid:
      return 4;
    case TypeId::Name:
      return 64;
    case TypeId::Char:
      return 1;
    case TypeId::Uuid:
      return 16;
    default:  // text, numeric, bytea, arrays
      return -1;
  }
}

PhysType physical_type(TypeId type) {
  switch (type) {
    case TypeId::Bool:
      return PhysType::Bool;
    case TypeId::Int16:  // computed as an int4, range-checked; stored in two bytes (storage_width)
    case TypeId::Int32:
    case TypeId::Date:
      return PhysType::Int32;
    case TypeId::Int64:
    case TypeId::Oid:
    case TypeId::RegClass:
    case TypeId::RegType:
    case TypeId::RegNamespace:
    case TypeId::RegProc:
    case TypeId::Xid:
    case TypeId::Time:
    case TypeId::Timestamp:
    case TypeId::TimestampTz:
      return PhysType::Int64;
    case TypeId::Float32:  // computed as a double, rounded to float; stored in four bytes
    case TypeId::Float64:
      return PhysType::Float64;
    case TypeId::Interval:
      return PhysType::Interval;
    default:  // text, name, "char", numeric, bytea, uuid, arrays (common/array.h's bytes)
      return PhysType::Text;
  }
}

int64_t oid_in(std::string_view text) {
  auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  std::string_view s = text;
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec == std::errc::invalid_argument || ptr != s.data() + s.size())
    throw SqlError(SqlState::InvalidTextRepresentation,
                   "invalid input syntax for type oid: \"" + std::string(text) + "\"");
  if (ec == std::errc::result_out_of_range || v < -2147483648LL || v > 4294967295LL)
    throw SqlError(SqlState::NumericValueOutOfRange,
                   "value \"" + std::string(text) + "\" is out of range for type oid");
  return v < 0 ? v + 4294967296LL : v;
}

size_t name_length(std::string_view s) {
  if (s.size() <= 63) return s.size();
  size_t n = 63;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return n;
}

}  // namespace omendb
