// One-dimensional arrays (docs/types.md, "Arrays"): the one place of their semantics. Every stage holds an
// array as bytes (PhysType::Text), which are exactly PostgreSQL's binary array format (array_send), so
// the binary wire format is free:
//
//   int32 ndim (0 = empty, 1) | int32 has_nulls (0/1) | uint32 element type OID
//   | if ndim = 1: int32 length, int32 lower bound
//   | per element: int32 byte length (-1 = NULL) and the element's binary send form
//
// all big-endian. An element's send form: bool 1 byte; int4, date, oid 4 bytes; int8, float8, time,
// timestamp(tz) 8 bytes; interval 16 (microseconds, days, months); text, name, "char" their bytes;
// numeric common/numeric.h's bytes (which are numeric_send's). Text in and out, comparison, hashing,
// element-wise casts, subscripts, ANY / ALL and the array functions are here; the binder, the runtime
// and pgwire call them. A library like datetime.h and numeric.h: no plans, LLVM or sockets.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/datetime_sql.h"
#include "common/datum.h"
#include "common/types.h"

namespace omendb::arr {

// One element of an array: NULL, or its send-form bytes.
struct Element {
  bool null = false;
  std::string_view bytes;
};

// A decoded header and the elements (views into the array's bytes). The bytes must be valid (made by
// this library, or checked by from_wire).
struct View {
  int32_t lower = 1;  // lower bound (1 unless written as '[0:2]={...}')
  uint32_t element_oid = 0;
  bool has_nulls = false;
  std::vector<Element> elements;
  explicit View(std::string_view bytes);
  size_t size() const { return elements.size(); }
};

// Builds an array of `element` type from Datums (text Datums' str, numeric bytes, intervals ...).
class Builder {
 public:
  explicit Builder(TypeId element);
  void add(const Datum& d);  // d.is_null for NULL
  void add_bytes(const Element& e);
  size_t size() const { return count_; }
  std::string finish(int32_t lower = 1) const;

 private:
  TypeId element_;
  std::string body_;
  size_t count_ = 0;
  bool has_nulls_ = false;
};

// A Datum for an element (its str points into e.bytes for text-like and numeric elements).
Datum element_datum(TypeId element, const Element& e);

// Text input (array_in) for an array type: '{1,2,NULL}', '{"a b","c\"d"}', '[0:1]={1,2}', '{}'. Errors:
// 22P02 "malformed array literal" with PostgreSQL's DETAIL, the element type's input errors; a nested
// '{' (a multidimensional array) is 0A000.
std::string parse(std::string_view text, TypeId array_type, const dtsql::EvalContext& ctx);
// Text output (array_out): elements quoted when PostgreSQL quotes them, NULL, '[lb:ub]=' when the lower
// bound is not 1. Elements as append_text_out prints them: timestamptz in `tz`, floats and bytea as the
// session's settings `os` ask.
std::string to_text(std::string_view bytes, TypeId array_type, const dt::TimeZone& tz,
                    const OutputSettings& os);
// A scalar's text input, as the element type's own (int4in, float8in, ...); output is append_text_out
// (common/value.h).
Datum scalar_in(TypeId type, std::string_view text, const dtsql::EvalContext& ctx, std::string& storage);

// Binary output (array_send): the bytes, but for int2vector (int2 elements, as int2vectorsend).
std::string to_wire(std::string_view bytes, TypeId array_type);
// Binary input (array_recv): validates the bytes against the array type (element OID, lengths, element
// formats, one dimension: 0A000 beyond), returns the normalised bytes. 22P03 on bad input.
std::string from_wire(std::string_view bytes, TypeId array_type);

// PostgreSQL's btarraycmp: elements in order (NULL after any value, NULL = NULL), then fewer elements
// first, then the lower bound. <0, 0, >0.
int compare(std::string_view a, std::string_view b, TypeId array_type);
// Element comparison (the element type's order: NaN last, 1.0 = 1.00, intervals normalised).
int compare_elements(TypeId element, const Datum& a, const Datum& b);
// Bytes equal for equal arrays (1.0 and 1.00, -0 and 0, '1 mon' and '30 days'), for hashing.
std::string hash_key(std::string_view bytes, TypeId array_type);

// Element-wise cast between array types (and the scalar casts it uses). can_cast: whether the element
// cast exists (explicit_only set when only CAST / :: may do it).
bool can_cast_element(TypeId from, TypeId to, bool* explicit_only);
std::string cast(std::string_view bytes, TypeId from_array, TypeId to_array, const dtsql::EvalContext& ctx);
Datum scalar_cast(TypeId from, TypeId to, const Datum& d, const dtsql::EvalContext& ctx,
                  std::string& storage);

// `x op ANY (array)` / `x op ALL (array)` with PostgreSQL's NULL rules. op: 0 =, 1 <>, 2 <, 3 <=, 4 >, 5 >=
// (x op element). Returns 0 false, 1 true, 2 NULL.
int any_all(TypeId element, const Datum& x, std::string_view array, int op, bool all);

// Subscript a[i] (1-based unless the lower bound says otherwise): the element, or is_null out of range.
Datum subscript(TypeId element, std::string_view array, int64_t index);

// Array functions (ExprOp::ArrayFunc). Results: Length, Upper, Lower, Ndims, Cardinality int4 (NULL for
// a dimension other than 1 or an empty array; cardinality 0); ToString text; Dims text.
enum class Func : uint8_t {
  Length,
  Upper,
  Lower,
  Ndims,
  Cardinality,
  ToString,
  Dims,
  Append,
  Prepend,
  Cat,
  Remove,  // array_remove(a, x): a without the elements equal to x (x NULL: without the NULLs)
  // Expressions (ExprOp::Array) that are not functions:
  Build,      // ARRAY[args...]: the elements, of the array's element type
  Subscript,  // args[0][args[1]] (int8 index)
  AnyAll,     // args[0] op ANY|ALL (args[1]); extra = op * 2 + all (any_all's op)
  // A set-returning function's loop over an array's elements steps a byte offset (from
  // kFirstElementOffset) along with its subscript: one step costs O(1), where a subscript reads the
  // elements before it.
  ElementAt,    // the element at byte offset args[1] (int8) of args[0]; NULL past the end
  NextElement,  // the byte offset after that element (int8)
};
// The byte offset of a non-empty array's first element.
constexpr int64_t kFirstElementOffset = 20;
// Whether f's result is an element (of the array type's element type), not the array type or a number.
constexpr bool returns_element(Func f) {
  return f == Func::Subscript || f == Func::ElementAt;
}
// ExprOp::Array's func: the operation, the array type it works on, an extra operand.
constexpr int64_t code(Func f, TypeId array_type, int extra = 0) {
  return static_cast<int64_t>(f) | (static_cast<int64_t>(array_type) << 8) |
         (static_cast<int64_t>(extra) << 16);
}
constexpr Func code_func(int64_t c) {
  return static_cast<Func>(c & 0xFF);
}
constexpr TypeId code_type(int64_t c) {
  return static_cast<TypeId>((c >> 8) & 0xFF);
}
constexpr int code_extra(int64_t c) {
  return static_cast<int>(c >> 16);
}
// The SQL name of a function (EXPLAIN), "" for the expressions.
const char* func_name(Func f);
// Runs operation `code` over args (NULL rules of each), for the runtime: text and array results go to
// `storage`.
void run(int64_t code, const Datum* args, int nargs, Datum& out, const dtsql::EvalContext& ctx,
         std::string& storage);
// Evaluates f. args: the array first (for Prepend the element first); for ToString the delimiter and
// optionally the NULL string (a NULL delimiter gives NULL, a NULL null-string skips NULL elements). Sets
// out.is_null; text results go to `storage`.
void eval(Func f, TypeId array_type, const Datum* args, int nargs, Datum& out, const dt::TimeZone& tz,
          const OutputSettings& os, std::string& storage);

}  // namespace omendb::arr
