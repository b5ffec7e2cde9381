// JSON and JSONB: PostgreSQL 15's json and jsonb types (docs/types.md, "JSON and JSONB"). Every stage
// holds both as variable-length bytes like text (a StrRef, a row's varint-framed bytes):
//
// * json: the input text, verbatim, once validated (json_in).
// * jsonb: a normalised binary form (below): object keys sorted by (length, bytes) with duplicates
//   removed (the last one wins), numbers kept as exact numerics (common/numeric.h's bytes, display scale
//   included: 1.50 prints as 1.50), strings de-escaped UTF-8.
//
// The binary form, version 1:
//
//   jsonb  := 0x01 value
//   value  := 0x00 (null) | 0x01 (false) | 0x02 (true)
//           | 0x03 varint n, n bytes of a numeric (common/numeric.h)
//           | 0x04 varint n, n bytes of UTF-8 (the de-escaped string)
//           | 0x05 varint count, varint size, count values                     (array; size: their bytes)
//           | 0x06 varint count, varint size, count (varint n, n key bytes, value) (object, keys sorted)
//
// (varints are unsigned LEB128). A container's size lets a reader skip it without walking it. The
// text, order, equality, hash, containment and every operator and function over both types live here
// once; the binder, the runtime, the codecs and pgwire call them. Every error is a SqlError with
// PostgreSQL's SQLSTATE, message and DETAIL.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/datum.h"

namespace omendb::json {

inline constexpr uint8_t kVersion = 1;  // the first byte of every jsonb value (and of its binary wire form)
inline constexpr int kMaxDepth = 1000;  // deeper nesting: 54001 "stack depth limit exceeded"

// json_in: validates `text` (22P02 "invalid input syntax for type json" with PostgreSQL's DETAIL, e.g.
// "Token "01" is invalid."); json keeps the text itself.
void validate(std::string_view text);
// jsonb_in: the normalised binary form of `text` (json_in's errors; \u0000 and unpaired surrogates are
// 22P05 / 22P02 as in PostgreSQL).
std::string parse(std::string_view text);
// jsonb_out: `{"a": 1, "b": [1, 2]}`.
std::string to_text(std::string_view jsonb);
void append_text(std::string_view jsonb, std::string& out);
// jsonb_recv: version byte 1, then the text (22P03 on another version). jsonb_send: 1, then the text.
std::string from_wire(std::string_view bytes);
void append_wire(std::string_view jsonb, std::string& out);

// jsonb's btree order (compareJsonbContainers): Object > Array > Boolean > Number > String > Null, more
// pairs / elements first, then pairwise in storage order; a top-level scalar is below any non-empty
// array and above the empty one. Returns <0, 0, >0.
int compare(std::string_view a, std::string_view b);
// Bytes equal for equal values (numbers without their display scale), for grouping hashes.
std::string hash_key(std::string_view jsonb);

// The operators, functions and casts over json and jsonb (ExprOp::Json: func = Func). Arguments are
// Datums of the signature's types (json, jsonb and text as StrRefs, text[] as common/array.h's bytes,
// integers in i64, booleans in i64). Each function has its own NULL rules (is_strict: NULL if an
// argument is NULL).
enum class Func : int32_t {
  JsonIn,           // text -> json (a cast)
  JsonbIn,          // text -> jsonb (a cast)
  JsonbOut,         // jsonb -> text and jsonb -> json (a cast)
  JsonToJsonb,      // json -> jsonb (a cast)
  Field,            // jsonb -> text: jsonb
  Index,            // jsonb -> int4: jsonb
  FieldText,        // jsonb ->> text: text
  IndexText,        // jsonb ->> int4: text
  Path,             // jsonb #> text[]: jsonb
  PathText,         // jsonb #>> text[]: text
  JsonField,        // json -> text: json (the member's text, verbatim)
  JsonIndex,        // json -> int4: json
  JsonFieldText,    // json ->> text: text
  JsonIndexText,    // json ->> int4: text
  JsonPath,         // json #> text[]: json
  JsonPathText,     // json #>> text[]: text
  Contains,         // jsonb @> jsonb: bool
  ContainedBy,      // jsonb <@ jsonb: bool
  Exists,           // jsonb ? text: bool
  ExistsAny,        // jsonb ?| text[]: bool
  ExistsAll,        // jsonb ?& text[]: bool
  Concat,           // jsonb || jsonb: jsonb
  DeleteKey,        // jsonb - text: jsonb
  DeleteIndex,      // jsonb - int4: jsonb
  DeleteKeys,       // jsonb - text[]: jsonb
  DeletePath,       // jsonb #- text[]: jsonb
  Typeof,           // jsonb_typeof(jsonb): text
  JsonTypeof,       // json_typeof(json): text
  ArrayLength,      // jsonb_array_length(jsonb): int4
  JsonArrayLength,  // json_array_length(json): int4
  Pretty,           // jsonb_pretty(jsonb): text
  StripNulls,       // jsonb_strip_nulls(jsonb): jsonb
  Set,              // jsonb_set(jsonb, text[], jsonb [, bool create_missing = true]): jsonb
  ToJsonBool,       // to_json(bool): json
  ToJsonNumber,     // to_json(number): json, from the number's text output (NaN, Infinity: strings)
  ToJsonString,     // to_json(text): json
  BuildArray,       // jsonb_build_array(json...): jsonb; args are json texts, NULL -> null
  BuildObject,      // jsonb_build_object(text, json, ...): jsonb; keys text (NULL: 22023), values json
  JsonBuildArray,   // json_build_array(json...): json
  JsonBuildObject,  // json_build_object(text, json, ...): json
  AggArray,         // jsonb_agg's result from array_agg(to_json(x)::text): text[] -> jsonb
  JsonAggArray,     // json_agg's result: text[] -> json
  AggObject,        // jsonb_object_agg's result from array_agg(k::text), array_agg(to_json(v)::text)
  JsonAggObject,    // json_object_agg's result: (text[], text[]) -> json
  Elements,         // jsonb -> text[] of the elements' texts (jsonb_array_elements); 22023 on a non-array
  ElementsText,     // jsonb -> text[] of the elements as ->> gives them (jsonb_array_elements_text)
  Keys,             // jsonb -> text[] of the keys (jsonb_object_keys, jsonb_each); 22023 on a non-object
  Values,           // jsonb -> text[] of the values' texts (jsonb_each)
  ValuesText,       // jsonb -> text[] of the values as ->> gives them (jsonb_each_text)
  ToNumeric,        // jsonb -> numeric (a cast; arg 2: the cast's target type name, for the error)
  ToBool,           // jsonb -> boolean (a cast)
};

// The function's SQL name (operators: their symbol; casts: the target type's name).
const char* func_name(Func func);
// NULL when any argument is NULL.
bool is_strict(Func func);

// Evaluates `func` over `n` args (NULLs flagged in is_null) into `out` (is_null set); a StrRef result
// points into `buf` (the caller copies it where it must live).
void eval(Func func, const Datum* args, size_t n, Datum& out, std::string& buf);

}  // namespace omendb::json
