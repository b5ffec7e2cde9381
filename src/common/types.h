// SQL types known to every stage. Storage encodes them, the binder checks them, codegen lowers them.
#pragma once

#include <cstdint>
#include <string_view>

namespace omendb {

// The SQL types a column or expression can have. `Unknown` is the type of a bare NULL literal or an
// untyped string literal before the binder resolves it from context (PostgreSQL's "unknown").
enum class TypeId : uint8_t { Unknown = 0, Bool = 1, Int32 = 2, Int64 = 3, Float64 = 4, Text = 5 };

// PostgreSQL's name for the type ("integer", "bigint", "double precision", "text", "boolean").
std::string_view type_name(TypeId type);
// PostgreSQL type OID sent in RowDescription (bool 16, int8 20, int4 23, text 25, float8 701).
uint32_t type_oid(TypeId type);
// Fixed wire length for RowDescription (-1 for variable length).
int16_t type_wire_length(TypeId type);

inline bool is_integer(TypeId t) {
  return t == TypeId::Int32 || t == TypeId::Int64;
}
inline bool is_numeric(TypeId t) {
  return is_integer(t) || t == TypeId::Float64;
}

// A non-owning string as generated code sees it: two machine words, passed and stored by value.
struct StrRef {
  const char* ptr;
  uint64_t len;
  std::string_view view() const { return {ptr, static_cast<size_t>(len)}; }
};
static_assert(sizeof(StrRef) == 16);

}  // namespace omendb
