#include "server/wire_values.h"

#include <bit>
#include <charconv>
#include <cstring>

#include "catalog/system_catalog.h"
#include "common/array.h"
#include "common/bytea.h"
#include "common/error.h"
#include "common/json.h"
#include "common/numeric.h"
#include "planner/planner.h"

namespace omendb::engine {

namespace {

uint64_t get_be(std::string_view b) {
  uint64_t v = 0;
  for (char c : b) v = (v << 8) | static_cast<unsigned char>(c);
  return v;
}

void put_be(std::string& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>(v >> (8 * i)));
}

bool valid_utf8_without_nul(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size(), i = 0;
  while (i < n) {
    unsigned char c = p[i];
    if (c == 0) return false;
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (len == 0 || i + len > n) return false;
    uint32_t cp = c & (0xFF >> (len + 1));
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += len;
  }
  return true;
}

void check_text(std::string_view s) {
  if (valid_utf8_without_nul(s)) return;
  throw SqlError(SqlState::CharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\"");
}

}  // namespace

TypeId type_from_oid(uint32_t type_oid) {
  switch (type_oid) {
    case oid::kUnspecified:
    case oid::kUnknown:
      return TypeId::Unknown;
    case oid::kBool:
      return TypeId::Bool;
    case oid::kInt2:
      return TypeId::Int16;
    case oid::kInt4:
      return TypeId::Int32;
    case oid::kInt8:
      return TypeId::Int64;
    case oid::kFloat4:
      return TypeId::Float32;
    case oid::kFloat8:
      return TypeId::Float64;
    case oid::kText:
    case oid::kVarchar:
      return TypeId::Text;
    case 1042:  // bpchar (JDBC's setNull(i, Types.CHAR))
      return TypeId::BpChar;
    case oid::kName:
      return TypeId::Name;
    case oid::kOid:
      return TypeId::Oid;
    case oid::kChar:
      return TypeId::Char;
    case oid::kNumeric:
      return TypeId::Numeric;
    case 17:
      return TypeId::Bytea;
    case oid::kDate:
      return TypeId::Date;
    case oid::kTime:
      return TypeId::Time;
    case oid::kTimestamp:
      return TypeId::Timestamp;
    case oid::kTimestampTz:
      return TypeId::TimestampTz;
    case oid::kInterval:
      return TypeId::Interval;
    case 2950:
      return TypeId::Uuid;
    case 1015:  // varchar[]
    case 1014:  // bpchar[]
      return TypeId::TextArray;
    case 114:
      return TypeId::Json;
    case 3802:
      return TypeId::Jsonb;
    case 199:
    case 3807:
      throw_unsupported("parameters of type json[] and jsonb[]");
    default:
      for (uint8_t t = 1; t <= kMaxScalarTypeId; ++t)
        if (TypeId a = array_type(static_cast<TypeId>(t));
            a != TypeId::Unknown && omendb::type_oid(a) == type_oid)
          return a;
      throw_unsupported("parameters of type OID " + std::to_string(type_oid));
  }
}

uint32_t oid_from_type_name(std::string_view n) {
  if (n == "int2" || n == "smallint") return oid::kInt2;
  if (n == "int4" || n == "integer" || n == "int") return oid::kInt4;
  if (n == "int8" || n == "bigint") return oid::kInt8;
  if (n == "float4" || n == "real") return oid::kFloat4;
  if (n == "float8" || n == "double precision" || n == "float") return oid::kFloat8;
  if (n == "text") return oid::kText;
  if (n == "varchar" || n == "character varying") return oid::kVarchar;
  if (n == "bpchar" || n == "character") return 1042;  // (a length is not kept, as PostgreSQL's PREPARE)
  if (n == "bool" || n == "boolean") return oid::kBool;
  if (n == "unknown") return oid::kUnknown;
  if (n == "date") return oid::kDate;
  if (n == "time" || n == "time without time zone") return oid::kTime;
  if (n == "timestamp" || n == "timestamp without time zone") return oid::kTimestamp;
  if (n == "timestamptz" || n == "timestamp with time zone") return oid::kTimestampTz;
  if (n == "interval") return oid::kInterval;
  if (n == "oid") return oid::kOid;
  if (n == "name") return oid::kName;
  if (n == "char") return oid::kChar;
  if (n == "numeric" || n == "decimal") return oid::kNumeric;
  if (n == "bytea") return 17;
  if (n == "uuid") return 2950;
  if (n == "json") return 114;
  if (n == "jsonb") return 3802;
  return 0;
}

Value decode_param(std::optional<std::string_view> bytes, int16_t format, uint32_t type_oid, TypeId type,
                   size_t index, const dtsql::EvalContext& dt) {
  if (!bytes) return Value::null(type);
  std::string_view b = *bytes;
  if (format == 0) {
    check_text(b);
    return planner::value_from_text(std::string(b), type, dt);
  }
  if (is_array(type)) {
    return Value::text(arr::from_wire(b, type), type);  // array_recv
  }
  if (is_datetime(type)) {
    Value v;
    if (b.size() < static_cast<size_t>(type_wire_length(type)))
      throw SqlError(SqlState::ProtocolViolation, "insufficient data left in message");
    if (!dtsql::from_binary(type, b, v))
      throw SqlError(SqlState::InvalidBinaryRepresentation,
                     "incorrect binary data format in bind parameter " + std::to_string(index + 1));
    return v;
  }
  // Binary: PostgreSQL's *recv functions. Too short reads past the value (08P01); too long leaves bytes
  // unread (22P03).
  size_t width = 0;
  switch (type) {
    case TypeId::Bool:
      width = 1;
      break;
    case TypeId::Int16:
      width = 2;
      break;
    case TypeId::Int32:
      width = 4;
      break;
    case TypeId::Int64:
      width = 8;
      break;
    case TypeId::Float32:
      width = 4;
      break;
    case TypeId::Float64:
      width = type_oid == oid::kFloat4 ? 4 : 8;
      break;
    case TypeId::Oid:
      width = 4;
      break;
    case TypeId::Text:
    case TypeId::Unknown:
    case TypeId::Name:
    case TypeId::Char:
    case TypeId::BpChar:  // bpcharrecv: the text as given (no length: the parameter has no typmod)
      check_text(b);
      if (type != TypeId::Text && type != TypeId::Unknown)
        return planner::value_from_text(std::string(b), type, dt);  // truncated as PostgreSQL's recv does
      return Value::text(std::string(b));
    case TypeId::Numeric:  // numeric_recv: the bytes are OmenDB's numeric format, once validated
      return Value::numeric(num::from_wire(b));
    case TypeId::Bytea:  // bytearecv: the bytes
      return Value::bytes(std::string(b));
    case TypeId::Uuid:  // uuid_recv: exactly 16 bytes
      if (b.size() < bytea::kUuidSize)
        throw SqlError(SqlState::ProtocolViolation, "insufficient data left in message");
      if (b.size() > bytea::kUuidSize)
        throw SqlError(SqlState::InvalidBinaryRepresentation,
                       "incorrect binary data format in bind parameter " + std::to_string(index + 1));
      return Value::bytes(std::string(b), TypeId::Uuid);
    case TypeId::Json:  // json_recv: the text, validated
      check_text(b);
      json::validate(b);
      return Value::text(std::string(b), TypeId::Json);
    case TypeId::Jsonb:  // jsonb_recv: version 1, then the text
      check_text(b);
      return Value::text(json::from_wire(b), TypeId::Jsonb);
    default:
      break;
  }
  if (b.size() < width) throw SqlError(SqlState::ProtocolViolation, "insufficient data left in message");
  if (b.size() > width)
    throw SqlError(SqlState::InvalidBinaryRepresentation,
                   "incorrect binary data format in bind parameter " + std::to_string(index + 1));
  uint64_t raw = get_be(b);
  switch (type) {
    case TypeId::Bool:
      return Value::boolean(raw != 0);
    case TypeId::Int16:
      return Value::int16(static_cast<int16_t>(raw));
    case TypeId::Int32:
      return Value::int32(static_cast<int32_t>(raw));
    case TypeId::Int64:
      return Value::int64(static_cast<int64_t>(raw));
    case TypeId::Oid:
      return Value::datetime(TypeId::Oid, static_cast<int64_t>(static_cast<uint32_t>(raw)));
    case TypeId::Float32:  // float4recv
      return Value::float32(std::bit_cast<float>(static_cast<uint32_t>(raw)));
    case TypeId::Float64:
      return Value::float64(width == 4 ? static_cast<double>(std::bit_cast<float>(static_cast<uint32_t>(raw)))
                                       : std::bit_cast<double>(raw));
    default:
      break;
  }
  return Value::null(type);
}

void encode_datum(const Datum& d, TypeId type, int16_t format, const OutputStyle& style, std::string& out,
                  const catalog::Context* names) {
  if (is_reg_type(type)) {  // an oid: oidsend's 4 bytes, or the name (regclassout ...)
    if (format == 1) {
      put_be(out, static_cast<uint32_t>(d.i64), 4);
    } else if (names) {
      out += catalog::reg_out(type, d.i64, *names);
    } else {
      out += std::to_string(d.i64);
    }
    return;
  }
  if (format == 0) {
    append_text_out(type, d, style.tz, style.settings, out);
    return;
  }
  if (is_array(type)) {  // array_send's layout is the stored one (but int2vector's)
    out += arr::to_wire(d.str.view(), type);
    return;
  }
  if (is_datetime(type)) {
    dtsql::append_binary(type, d, out);
    return;
  }
  switch (type) {
    case TypeId::Bool:
      out.push_back(d.i64 ? 1 : 0);
      return;
    case TypeId::Int16:  // int2send
      put_be(out, static_cast<uint16_t>(static_cast<int16_t>(d.i64)), 2);
      return;
    case TypeId::Int32:
      put_be(out, static_cast<uint32_t>(static_cast<int32_t>(d.i64)), 4);
      return;
    case TypeId::Int64:
      put_be(out, static_cast<uint64_t>(d.i64), 8);
      return;
    case TypeId::Oid:
    case TypeId::Xid:  // xidsend
      put_be(out, static_cast<uint32_t>(d.i64), 4);
      return;
    case TypeId::Float64:
      put_be(out, std::bit_cast<uint64_t>(d.f64), 8);
      return;
    case TypeId::Float32:  // float4send
      put_be(out, std::bit_cast<uint32_t>(static_cast<float>(d.f64)), 4);
      return;
    case TypeId::Text:
    case TypeId::Unknown:
    case TypeId::Name:
    case TypeId::Char:
    case TypeId::BpChar:   // bpcharsend: the padded text
    case TypeId::Numeric:  // numeric_send's layout is the stored one
    case TypeId::Bytea:    // byteasend, uuid_send: the bytes
    case TypeId::Uuid:
    case TypeId::Json:  // json_send: the text
      out.append(d.str.ptr, d.str.len);
      return;
    case TypeId::Jsonb:  // jsonb_send: version 1, then the text
      json::append_wire(d.str.view(), out);
      return;
    default:
      return;
  }
}

}  // namespace omendb::engine
