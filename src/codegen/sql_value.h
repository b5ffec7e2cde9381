// Internal to codegen: a SQL value in IR and every operation on it. Comparison, arithmetic with its
// overflow and division checks, casts, NULL handling and the Datum layout are defined here once;
// translators and the expression translator call these and never give raw llvm::Value* SQL meaning.
//
// Every operation is null-aware: checks that raise errors are guarded by "the inputs are not NULL", and
// a NULL's machine value is garbage that never reaches a trapping instruction or the runtime.
#pragma once

#include <utility>
#include <vector>

#include "codegen/codegen.h"
#include "common/numeric.h"
#include "common/types.h"
#include "common/value.h"

namespace omendb::codegen {

// Bool -> i1, Int32 and Date -> i32, Int64, Time, Timestamp and TimestampTz -> i64, Float64 -> double,
// Text and Numeric (common/numeric.h's bytes) -> ptr + i64 length, Interval -> i64 microseconds + i64
// DayMonth word (Datum::dm: days low, months high). is_null: i1.
struct SqlValue {
  TypeId type = TypeId::Unknown;
  llvm::Value* value = nullptr;
  llvm::Value* length = nullptr;  // Text, Numeric: the length; Interval: the DayMonth word
  llvm::Value* is_null = nullptr;
};

enum class CmpOp { Eq, Ne, Lt, Le, Gt, Ge };
enum class ArithOp { Add, Sub, Mul, Div, Mod, BitAnd, BitOr };  // BitAnd, BitOr: integers only

namespace sql {

// A constant (Value may be NULL). Unknown is treated as Text.
SqlValue constant(CodeGen& cg, const Value& v, TypeId type);
// A typed NULL.
SqlValue null(CodeGen& cg, TypeId type);

// A Datum (common/datum.h) at `datum`, read as / written from a SqlValue of `type`.
SqlValue load_datum(CodeGen& cg, llvm::Value* datum, TypeId type);
void store_datum(CodeGen& cg, const SqlValue& v, llvm::Value* datum);

// Whether a double precision value (an f64, not a SqlValue) is +Infinity or -Infinity.
llvm::Value* is_infinite(CodeGen& cg, llvm::Value* f64);

// TRUE and not NULL: how WHERE, CASE WHEN and FILTER treat a Bool.
llvm::Value* is_true(CodeGen& cg, const SqlValue& v);
// A text value's length to pass to the runtime: 0 when the value is NULL (its data slot is garbage;
// the runtime never reads a zero-length string's pointer).
llvm::Value* text_length(CodeGen& cg, const SqlValue& v);

// Three-valued comparison of two values of the same type: NULL if either is NULL. Orders as
// PostgreSQL: NaN above every other double and equal to itself, false < true, text bytewise.
SqlValue compare(CodeGen& cg, CmpOp op, const SqlValue& l, const SqlValue& r);
// The same comparison's i1 result, for callers that know both inputs are not NULL (min/max).
llvm::Value* compare_values(CodeGen& cg, CmpOp op, const SqlValue& l, const SqlValue& r);

// The grouping hash of one value (i64): equal under grouping equality (compare_values Eq, NULL equal to
// NULL) means equal hash: -0.0 hashes as 0.0, every NaN alike. The IR twin of runtime::hash_int /
// hash_double / hash_bytes and kHashNull (runtime/aggregation_hash_table.h), where the hash is defined.
llvm::Value* hash(CodeGen& cg, const SqlValue& v);
// The hash of keys k1..kn: hash_combine(...hash_combine(hash_seed(), hash(k1))..., hash(kn)).
llvm::Value* hash_seed(CodeGen& cg);
llvm::Value* hash_combine(CodeGen& cg, llvm::Value* h, llvm::Value* key_hash);

// l op r for two values of the same numeric type; integer overflow -> 22003, x / 0 and x % 0 -> 22012,
// a finite double operation with an infinite result -> 22003.
SqlValue arith(CodeGen& cg, ArithOp op, const SqlValue& l, const SqlValue& r);
// -v and abs(v); integer overflow -> 22003.
SqlValue negate(CodeGen& cg, const SqlValue& v);
SqlValue abs(CodeGen& cg, const SqlValue& v);
// Three-valued NOT.
SqlValue logical_not(CodeGen& cg, const SqlValue& v);
// l || r (text).
SqlValue concat(CodeGen& cg, const SqlValue& l, const SqlValue& r);
// v converted to `to` with PostgreSQL's rules: text parsing (22P02 / 22003), range checks, float to
// integer rounding half to even; numeric conversions and numeric(p, s)'s rounding and 22003 check when
// `typmod` >= 0 (num::make_typmod).
SqlValue cast(CodeGen& cg, const SqlValue& v, TypeId to, int32_t typmod = -1);

// A numeric operation (common/numeric.h's num::Func: arithmetic, round, trunc, ...) over `args`: NULL if
// an argument is NULL, else computed by the runtime into a numeric (errors stop the query).
SqlValue numeric_call(CodeGen& cg, num::Func func, const std::vector<SqlValue>& args);
// A mathematical function or operator (common/math_sql.h's mathsql::Func) over `args`: NULL if an argument
// is NULL; round, trunc, ceil, floor and sign of a double precision inline (round half to even as
// PostgreSQL's rint), the others computed by the runtime (rt_math; errors stop the query).
SqlValue math(CodeGen& cg, int32_t func, const std::vector<SqlValue>& args, TypeId result);

// Catalog function catalog::Func `func` over `args` (rt_catalog_func); strict functions give NULL for a
// NULL argument without calling it.
SqlValue catalog_call(CodeGen& cg, int32_t func, bool strict, const std::vector<SqlValue>& args,
                      TypeId result);
// An array operation (ExprOp::Array: common/array.h's Func, packed by arr::code) over args, which may be
// NULL (the runtime applies each operation's NULL rules).
SqlValue array_call(CodeGen& cg, int64_t code, const std::vector<SqlValue>& args, TypeId result);
// Pattern match (plan::MatchFlags `flags`) of string `s` against `pattern` (rt_match); strict.
SqlValue match(CodeGen& cg, int32_t flags, const SqlValue& s, const SqlValue& pattern);
// x op ANY / ALL (patterns): flags with kMatchAny / kMatchAll, `patterns` a text[] (rt_match_array).
SqlValue match_array(CodeGen& cg, int32_t flags, const SqlValue& s, const SqlValue& patterns);

// A date/time function (common/datetime_sql.h's dtsql::Func) over `args`, of type `result`: NULL if an
// argument is NULL, else computed by the runtime (errors stop the query).
SqlValue datetime_call(CodeGen& cg, int32_t func, const std::vector<SqlValue>& args, TypeId result);

// A bytea / uuid function or cast (common/bytea.h's bytea::Func) over `args`, of type `result`: NULL if
// an argument is NULL, else computed by the runtime (errors stop the query).
SqlValue bytes_call(CodeGen& cg, int32_t func, const std::vector<SqlValue>& args, TypeId result);

// A string function (common/text_sql.h's textsql::Func) over `args`, of type `result`: NULL if `strict`
// and an argument is NULL, else computed by the runtime (errors stop the query).
SqlValue text_call(CodeGen& cg, int32_t func, bool strict, const std::vector<SqlValue>& args, TypeId result);

// A json / jsonb operator, function or cast (common/json.h's json::Func) over `args`, of type `result`:
// computed by the runtime with the function's NULL rules (errors stop the query).
SqlValue json_call(CodeGen& cg, int32_t func, const std::vector<SqlValue>& args, TypeId result);

// `cond` (i1) ? a : b, both of the same type.
SqlValue select(CodeGen& cg, llvm::Value* cond, const SqlValue& a, const SqlValue& b);
// Merges values computed in different predecessor blocks (one phi per part) at the current block.
SqlValue phi(CodeGen& cg, TypeId type, const std::vector<std::pair<SqlValue, llvm::BasicBlock*>>& in);

}  // namespace sql

}  // namespace omendb::codegen
