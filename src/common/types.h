// SQL types known to every stage. Storage encodes them, the binder checks them, codegen lowers them.
#pragma once

#include <cstdint>
#include <string_view>

namespace omendb {

// The SQL types a column or expression can have. `Unknown` is the type of a bare NULL literal or an
// untyped string literal before the binder resolves it from context (PostgreSQL's "unknown").
// Date/time types (docs/types.md, common/datetime.h): Date is days since 2000-01-01 (int32), Time
// microseconds since midnight, Timestamp / TimestampTz microseconds since 2000-01-01 (wall clock / UTC),
// Interval {microseconds, days, months} kept apart. Numeric: exact decimal (common/numeric.h), held as
// variable-length bytes like text.
enum class TypeId : uint8_t {
  Unknown = 0,
  Bool = 1,
  Int32 = 2,
  Int64 = 3,
  Float64 = 4,
  Text = 5,
  Date = 6,
  Time = 7,
  Timestamp = 8,
  TimestampTz = 9,
  Interval = 10,
  // System catalog types (docs/catalogs.md), for catalog columns, casts and function results; not
  // allowed as table column types. Oid: PostgreSQL's oid, an unsigned 32-bit object id held as Int64.
  // Name: an identifier (at most 63 bytes), held as Text. Char: PostgreSQL's one-byte "char", held as
  // Text of length 0 or 1.
  Oid = 11,
  Name = 12,
  Char = 13,
  // PostgreSQL's numeric: an exact decimal held as Text (common/numeric.h's bytes).
  Numeric = 14,
  // PostgreSQL's bytea (raw bytes) and uuid (exactly 16 bytes), held as Text; compared bytewise
  // (common/bytea.h).
  Bytea = 15,
  Uuid = 16,
  // Object identifier types (docs/catalogs.md, "Object identifier types"): an oid (held as Int64, as Oid)
  // that reads and prints as the name of a relation, a type or a schema. Their text input and output
  // look names up in the catalogs (catalog/regtypes.h); everything else is oid's. No array types.
  RegClass = 17,
  RegType = 18,
  RegNamespace = 19,
  // PostgreSQL's json (the validated input text) and jsonb (common/json.h's normalised binary form), held
  // as Text. No array types yet.
  Json = 20,
  Jsonb = 21,
  // PostgreSQL's xid (pg_class.relfrozenxid, relminmxid): a 32-bit transaction id held as Int64, printed as
  // an unsigned decimal. Catalog columns only; OmenDB reads and prints it and nothing else: its operators,
  // casts, input and ordering are 0A000 (docs/catalogs.md, "Object identifier types").
  Xid = 22,
  // regproc: an object identifier type (as RegClass) naming a function. OmenDB's pg_proc lists no built-in
  // functions, so its output names only the access method handlers pg_am shows and prints other OIDs as
  // numbers (as PostgreSQL does for an OID naming nothing); input takes OIDs, not names.
  RegProc = 23,
  // PostgreSQL's smallint (int2): a 16-bit integer. Computed as an Int32 (PhysType::Int32: registers,
  // Datums, column batches hold it sign-extended) with every result checked against its range (22003
  // "smallint out of range"); stored in rows as two bytes (docs/types.md, "SMALLINT").
  Int16 = 24,
  // PostgreSQL's real (float4): an IEEE single. Computed as a double (PhysType::Float64: registers,
  // Datums, column batches hold the exact double of the float) with every result rounded to float
  // (float4pl ... as PostgreSQL's checks: 22003 "value out of range: overflow"); stored in rows as four
  // bytes (docs/types.md, "REAL").
  Float32 = 25,
  // PostgreSQL's bpchar, character(n) (docs/types.md, "CHARACTER(n)"): text held blank-padded to its n
  // characters (as PostgreSQL holds it; `::bpchar` without a length keeps the value as given). Compared,
  // ordered and hashed with trailing spaces stripped (bpcharcmp); keys store the stripped value
  // (storage/key_codec.h), so the key order is the type's order. No array type yet.
  BpChar = 26,
  // One-dimensional arrays (common/array.h): kArrayFlag | the element's TypeId, held as Text (the bytes
  // of PostgreSQL's binary array format, array_send). docs/types.md, "Arrays".
  BoolArray = 64 + 1,
  Int32Array = 64 + 2,
  Int64Array = 64 + 3,
  Float64Array = 64 + 4,
  TextArray = 64 + 5,
  DateArray = 64 + 6,
  TimeArray = 64 + 7,
  TimestampArray = 64 + 8,
  TimestampTzArray = 64 + 9,
  IntervalArray = 64 + 10,
  OidArray = 64 + 11,
  NameArray = 64 + 12,
  CharArray = 64 + 13,
  NumericArray = 64 + 14,
  ByteaArray = 64 + 15,
  UuidArray = 64 + 16,
  Int16Array = 64 + 24,
  Float32Array = 64 + 25,
  // PostgreSQL's int2vector (pg_index.indkey, indoption): an array of int2 (integer here) with lower bound
  // 0 whose text form is its elements separated by spaces ('1 2'). An array for every array operation
  // (subscripts from 0, ANY, unnest, array_upper ...), held as Int32Array's bytes; for system catalog
  // columns only (not storable). kArrayFlag | kVectorFlag | Int32.
  Int2Vector = 64 + 32 + 2,
  // PostgreSQL's oidvector (pg_proc.proargtypes, pg_partitioned_table.partclass): an array of oid with
  // lower bound 0 whose text form is its elements separated by spaces ('23 25'), as Int2Vector is for
  // int2. kArrayFlag | kVectorFlag | Oid.
  OidVector = 64 + 32 + 11,
};
inline constexpr uint8_t kMaxScalarTypeId = 26;      // the highest scalar TypeId
inline constexpr uint8_t kMaxTypeId = 64 + 32 + 11;  // the highest TypeId
inline constexpr uint8_t kArrayFlag = 64;
inline constexpr uint8_t kVectorFlag = 32;  // with kArrayFlag: the *vector types (Int2Vector, OidVector)

// Whether the scalar type has an array type: 1..16, smallint and real (17..23 have none).
constexpr bool has_array_type(uint8_t e) {
  return (e >= 1 && e <= 16) || e == 24 || e == 25;
}
// Arrays: whether t is one, its element type, the array type of an element type (Unknown if none).
constexpr bool is_array(TypeId t) {
  return (static_cast<uint8_t>(t) & kArrayFlag) != 0;
}
constexpr TypeId element_type(TypeId t) {
  return static_cast<TypeId>(static_cast<uint8_t>(t) & ~(kArrayFlag | kVectorFlag));
}
constexpr TypeId array_type(TypeId elem) {
  uint8_t e = static_cast<uint8_t>(elem);
  return has_array_type(e) ? static_cast<TypeId>(e | kArrayFlag) : TypeId::Unknown;
}
// Whether the value is a valid TypeId.
constexpr bool valid_type_id(uint8_t t) {
  return t <= kMaxScalarTypeId || (t >= 65 && has_array_type(static_cast<uint8_t>(t - 64))) ||
         t == static_cast<uint8_t>(TypeId::Int2Vector) || t == static_cast<uint8_t>(TypeId::OidVector);
}
// regclass, regtype, regnamespace, regproc: oids that read and print as names.
constexpr bool is_reg_type(TypeId t) {
  return t == TypeId::RegClass || t == TypeId::RegType || t == TypeId::RegNamespace || t == TypeId::RegProc;
}
// oid and the reg* types: an object id held as Int64.
constexpr bool is_oid_type(TypeId t) {
  return t == TypeId::Oid || is_reg_type(t);
}

// Whether a table column can have the type (CREATE TABLE, and the catalog refuses a stored definition
// with any other): every type but Unknown and the system catalog types oid, name and "char"; arrays of
// the others.
constexpr bool storable(TypeId t) {
  if (is_array(t))
    return t != TypeId::OidArray && t != TypeId::NameArray && t != TypeId::CharArray &&
           t != TypeId::Int2Vector && t != TypeId::OidVector;
  switch (t) {
    case TypeId::Bool:
    case TypeId::Int16:
    case TypeId::Int32:
    case TypeId::Int64:
    case TypeId::Float32:
    case TypeId::Float64:
    case TypeId::Text:
    case TypeId::BpChar:
    case TypeId::Date:
    case TypeId::Time:
    case TypeId::Timestamp:
    case TypeId::TimestampTz:
    case TypeId::Interval:
    case TypeId::Numeric:
    case TypeId::Bytea:
    case TypeId::Uuid:
    case TypeId::Json:
    case TypeId::Jsonb:
      return true;
    default:
      return false;
  }
}

// How every stage holds a value of a type in memory (Datum, column batches, rows, keys, IR): Date is
// an Int32, Time / Timestamp / TimestampTz are Int64s, Interval is 16 bytes laid out as dt::Interval
// {int64 time, int32 day, int32 month}; Numeric is a Text: variable-length bytes (common/numeric.h's
// format). Semantics (parse, print, compare an Interval or a Numeric) stay with the type.
enum class PhysType : uint8_t { Bool, Int32, Int64, Float64, Text, Interval };
PhysType physical_type(TypeId type);

// PostgreSQL's name for the type ("integer", "bigint", "double precision", "text", "boolean").
std::string_view type_name(TypeId type);
// PostgreSQL type OID sent in RowDescription (bool 16, int8 20, int2 21, int4 23, text 25, float4 700,
// float8 701).
uint32_t type_oid(TypeId type);
// Fixed wire length for RowDescription (-1 for variable length).
int16_t type_wire_length(TypeId type);

// smallint, integer, bigint.
inline bool is_integer(TypeId t) {
  return t == TypeId::Int16 || t == TypeId::Int32 || t == TypeId::Int64;
}
// The range of an integer type's values ([INT16_MIN, INT16_MAX] for smallint ...).
constexpr int64_t integer_min(TypeId t) {
  return t == TypeId::Int16 ? -32768 : t == TypeId::Int32 ? -2147483648LL : INT64_MIN;
}
constexpr int64_t integer_max(TypeId t) {
  return t == TypeId::Int16 ? 32767 : t == TypeId::Int32 ? 2147483647LL : INT64_MAX;
}
// The 22003 message of an integer type's overflow: "smallint out of range", "integer ...", "bigint ...".
constexpr std::string_view integer_out_of_range(TypeId t) {
  return t == TypeId::Int16   ? "smallint out of range"
         : t == TypeId::Int32 ? "integer out of range"
                              : "bigint out of range";
}
// real or double precision: IEEE floats, held as doubles (a real's double is exactly its float).
inline bool is_float(TypeId t) {
  return t == TypeId::Float32 || t == TypeId::Float64;
}
// The numeric category: integers, numeric, real, double precision (arithmetic and comparisons mix them).
inline bool is_numeric(TypeId t) {
  return is_integer(t) || is_float(t) || t == TypeId::Numeric;
}
// A numeric type's place in PostgreSQL's implicit casts, smallint -> integer -> bigint -> numeric -> real
// -> double precision (1 .. 6): `a` casts to `b` implicitly when its rank is lower. 0 for other types.
constexpr int numeric_rank(TypeId t) {
  switch (t) {
    case TypeId::Int16:
      return 1;
    case TypeId::Int32:
      return 2;
    case TypeId::Int64:
      return 3;
    case TypeId::Numeric:
      return 4;
    case TypeId::Float32:
      return 5;
    case TypeId::Float64:
      return 6;
    default:
      return 0;
  }
}
inline bool is_datetime(TypeId t) {
  return t >= TypeId::Date && t <= TypeId::Interval;
}
// Date, Timestamp, TimestampTz: the types PostgreSQL compares with each other through implicit casts.
inline bool is_date_or_timestamp(TypeId t) {
  return t == TypeId::Date || t == TypeId::Timestamp || t == TypeId::TimestampTz;
}
// Text or an untyped string literal: both are StrRefs.
inline bool is_text_like(TypeId t) {
  return t == TypeId::Text || t == TypeId::Unknown;
}
// Text, name or "char": string types compared and hashed by their bytes.
inline bool is_string_type(TypeId t) {
  return t == TypeId::Text || t == TypeId::Unknown || t == TypeId::Name || t == TypeId::Char;
}
// The string types and bpchar: what PostgreSQL casts to text implicitly (text functions, ||, string_agg).
inline bool casts_to_text_implicitly(TypeId t) {
  return is_string_type(t) || t == TypeId::BpChar;
}
// bytea or uuid (common/bytea.h): bytes with their own text form, compared and hashed by their bytes.
inline bool is_binary_type(TypeId t) {
  return t == TypeId::Bytea || t == TypeId::Uuid;
}
// json or jsonb (common/json.h).
inline bool is_json_type(TypeId t) {
  return t == TypeId::Json || t == TypeId::Jsonb;
}
// The bytes of a bpchar value that compare, order and hash: without its trailing spaces (bpchar's
// semantics; one place for every runtime and storage user).
inline std::string_view bpchar_significant(std::string_view s) {
  size_t n = s.size();
  while (n > 0 && s[n - 1] == ' ') --n;
  return s.substr(0, n);
}
// Values ordered by memcmp, then the shorter first, and hashed by their bytes: the string and binary
// types, and json (which SQL neither orders nor compares: its text).
inline bool is_bytewise(TypeId t) {
  return is_string_type(t) || is_binary_type(t) || t == TypeId::Json;
}

// PostgreSQL's oidin: a decimal in [-2147483648, 4294967295], negatives taken modulo 2^32. Throws
// SqlError 22P02 (not a number) or 22003 (out of range).
int64_t oid_in(std::string_view text);
// The bytes of `s` a name keeps: at most 63 (NAMEDATALEN - 1), cut at a UTF-8 character boundary.
size_t name_length(std::string_view s);
// The bytes of `s` a "char" keeps: its first byte.
inline size_t char_length(std::string_view s) {
  return s.empty() ? 0 : 1;
}

// A non-owning string as generated code sees it: two machine words, passed and stored by value.
struct StrRef {
  const char* ptr;
  uint64_t len;
  std::string_view view() const { return {ptr, static_cast<size_t>(len)}; }
};
static_assert(sizeof(StrRef) == 16);

}  // namespace omendb
