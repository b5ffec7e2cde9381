// The building blocks of a bound, typed plan: expressions, output columns, aggregate calls, sort keys
// and key ranges. Operators are in operators.h, pipelines and the whole plan in plan.h.
//
// Expressions are typed and already coerced: the binder inserts explicit Cast nodes so that the two
// operands of every arithmetic or comparison operator have the same type, and every value written to a
// table column has that column's type. Codegen never guesses a type.
//
// Columns flowing between operators are named by ColumnId (unique within one plan), not by position:
// an operator lists the columns it produces in `output`, and expressions above it refer to them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/types.h"
#include "common/value.h"
#include "common/window.h"
#include "storage/catalog.h"

namespace omendb::plan {

using ColumnId = int;

enum class ExprOp {
  Constant,  // constant (typed; may be NULL)
  Param,     // params[param] of the statement (lifted literal or $n); type = the param's type
  Column,    // the value of `column` in the current row
  Neg,       // -args[0]; integer overflow -> 22003
  Not,       // three-valued NOT
  Add,
  Sub,
  Mul,
  Div,
  Mod,     // same-typed numeric operands; integer overflow -> 22003, x/0 and x%0 -> 22012
  Concat,  // text || text
  Eq,
  Ne,
  Lt,
  Le,
  Gt,
  Ge,  // same-typed operands (Bool, Int32, Int64, Float64, Text bytewise, or a date/time type; intervals
       // compare as PostgreSQL: a month is 30 days, a day 24 hours); result Bool
  And,
  Or,  // three-valued logic
  IsNull,
  IsNotNull,
  Cast,         // args[0] converted to `type` (see codegen for the conversions; failures -> 22P02 / 22003);
                // to Numeric with func >= 0: rounded to numeric(p, s) (func = num::make_typmod(p, s))
  Case,         // func kCaseSearched: args = [cond1, result1, cond2, result2, ..., else]; else always present
                // (maybe NULL constant). kCaseOperand (`CASE x WHEN v ...`) and kCaseNullIf (NULLIF(x, v)):
                // args = [x, cond1, result1, ..., else], x evaluated once and read by CaseTest in the conds
                // (CaseTest = v) and, for NULLIF, the else.
  Abs,          // abs(args[0]) for numeric types; overflow -> 22003
  DateTime,     // date/time operator or function dtsql::Func(func) (common/datetime_sql.h) over args, which
                // have its signature's types; NULL if any argument is NULL
  CatalogFunc,  // catalog function catalog::Func(func) (catalog/functions.h) over args, which have its
                // signature's types; strict (NULL if any argument is NULL) except format_type
  Match,        // args[0] ~ args[1] (string types): regex or LIKE per runtime::MatchFlags(func); strict
  Math,         // mathematical function or operator mathsql::Func(func) (common/math_sql.h) over args, which
                // have its signature's types; strict. random() and setseed() are volatile.
  InSet,        // args[0] IN (args[1..]): every element a constant or a param of args[0]'s type (Bool, Int32,
                // Int64, Float64, Text, bytea, uuid, date/time). For long lists of literals: generated code
                // probes a hash set the runtime builds from the params, so code size does not grow with the
                // list. PostgreSQL's NULL rules: NULL when args[0] is NULL, or when it is not found and the
                // list has a NULL.
  Subquery,     // column `sub_column` of the one row subquery `subquery` returned (PhysicalPlan::subplans;
                // a SubqueryOp of mode Row); NULL when it returned no row. Row-independent: the subquery
                // runs, in pipelines of its own, before any pipeline that reads it.
  InSubquery,   // args[0] = ANY (the rows of subquery `subquery`, a SubqueryOp of mode Set, whose one column
                // has args[0]'s type: Bool, Int32, Int64, Float64, Text, Date, Time, Timestamp(Tz)).
                // PostgreSQL's rules: FALSE when the subquery has no rows (even for a NULL args[0]); NULL
                // when args[0] is NULL, or when it is not found and the rows have a NULL.
  Grouping,     // GROUPING(args): the binder's placeholder until it becomes a column of the HashAggregate
                // (HashAggregateOp::grouping_calls); never planned
  Bytes,        // a bytea / uuid / byte-string function or cast bytea::Func(func) (common/bytea.h) over
                // args, which have its signature's types; strict. gen_random_uuid() is volatile
                // (bytea::is_volatile).
  Text,         // a string function textsql::Func(func) (common/text_sql.h) over args, which have its
                // signature's types (the variadic ones' extra arguments as text); strict unless
                // textsql::is_strict says otherwise
  Json,         // a json / jsonb operator, function or cast json::Func(func) (common/json.h) over args,
                // which have its signature's types; each function's NULL rules (json::is_strict)
  Apply,        // a correlated subquery run for the current row: stores args[1..] (columns of the query
                // around it, which the subquery reads as OuterColumn) in the outer-value slots of their
                // ColumnIds, runs subquery `subquery` (a SubqueryOp with `correlated`: its pipelines run
                // again, from fresh state), then evaluates args[0], which reads its result (Subquery,
                // InSubquery). Evaluated only where its value is needed (AND / OR / CASE short-circuit).
  OuterColumn,  // inside a correlated subquery: the value of `column` of an enclosing query, as the Apply
                // running it stored it; row-independent within the subquery
  Array,        // an array operation (common/array.h): func = arr::code(arr::Func, array type, extra) over
                // args (ARRAY[...] elements, a[i], x op ANY|ALL (a), array_length ...); each operation's
                // NULL rules (the runtime applies them, so it is not strict)
  BitAnd,       // args[0] & args[1], same-typed integers
  BitOr,        // args[0] | args[1], same-typed integers
  Coalesce,     // COALESCE(args...), all of `type`: the first argument that is not NULL; each evaluated once,
                // and only until one is not NULL
  CaseTest,     // the operand of the innermost Case with one (kCaseOperand, kCaseNullIf), evaluated once
                // (PostgreSQL's CaseTestExpr); only inside that Case
  Distinct,     // args[0] IS DISTINCT FROM args[1], same-typed (as Eq): never NULL; two NULLs are not
                // distinct, one NULL is; else NOT (args[0] = args[1]). Each evaluated once.
  Greatest,     // GREATEST(args...), all of `type`: the largest argument that is not NULL (NULL if all
  Least,        // are); LEAST the smallest. Ordered as ORDER BY orders (NaN largest). Each evaluated once.
  BoolTest,     // args[0] (boolean) IS [NOT] TRUE / FALSE / UNKNOWN, as BoolTestForm(func) says: never NULL
                // (NULL is neither TRUE nor FALSE, and is UNKNOWN). args[0] evaluated once.
};

// ExprOp::Case's forms (Expr::func).
enum CaseForm : int {
  kCaseSearched = -1,  // CASE WHEN cond THEN ...
  kCaseOperand = 1,    // CASE x WHEN v THEN ...
  kCaseNullIf = 2,     // NULLIF(x, v)
};

// ExprOp::BoolTest's tests (Expr::func).
enum BoolTestForm : int { kIsTrue = 1, kIsNotTrue, kIsFalse, kIsNotFalse, kIsUnknown, kIsNotUnknown };

// ExprOp::Match's flags (the runtime's rt_match reads the same bits).
enum MatchFlags : int {
  kMatchNegate = 1,  // !~, NOT LIKE
  kMatchIcase = 2,   // ~*, ILIKE
  kMatchLike = 4,    // a LIKE pattern
  // x op ANY / ALL (patterns): args[1] is a text[] of patterns, NULLs as PostgreSQL's scalar-array operators
  kMatchAny = 8,
  kMatchAll = 16,
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  ExprOp op = ExprOp::Constant;
  TypeId type = TypeId::Unknown;
  std::vector<ExprPtr> args;
  int param = -1;        // Param
  ColumnId column = -1;  // Column, OuterColumn
  int func = -1;         // DateTime: a dtsql::Func; CatalogFunc: a catalog::Func; Match: MatchFlags;
                         // Math: a mathsql::Func; Cast: a numeric typmod; BoolTest: a BoolTestForm
  int location = -1;     // Constant: where the literal is in the statement (errors converting it point there)
  // Constant (and the Param it is lifted into): PlannerContext::literals index of the statement's literal it
  // is the value of, as the binder made it (converted by convert() at most once, see LiteralParam); -1 for
  // any other constant. The simple protocol's plan reuse computes such a param from the literal's next value.
  int literal = -1;
  Value constant;      // Constant
  int subquery = -1;   // Subquery, InSubquery, Apply: index into PhysicalPlan::subplans
  int sub_column = 0;  // Subquery: the column of its row

  static ExprPtr make_constant(Value v, TypeId type);
  static ExprPtr make_param(int index, TypeId type);
  static ExprPtr make_column(ColumnId id, TypeId type);
  static ExprPtr make(ExprOp op, TypeId type, std::vector<ExprPtr> args);
};

// " IS TRUE", " IS NOT UNKNOWN", ...: the test's SQL after its operand.
const char* bool_test_sql(int form);

// Renders an expression for EXPLAIN ("(id = $1)", "(a + 1)"); column names come from `name_of`.
std::string to_string(const Expr& e, const std::vector<std::string>& column_names);

struct OutputColumn {
  ColumnId id = -1;
  std::string name;  // for RowDescription and EXPLAIN
  TypeId type = TypeId::Unknown;
};

enum class AggFunc {
  CountStar,
  Count,
  Sum,
  Min,
  Max,
  Avg,
  ArrayAgg,
  StringAgg,
  VarSamp,  // variance, var_samp
  VarPop,
  StddevSamp,  // stddev, stddev_samp
  StddevPop,
  BoolAnd,  // bool_and, every
  BoolOr,
  BitAnd,
  BitOr,
  PercentileCont,  // ordered-set aggregates: WITHIN GROUP (ORDER BY x) gives `arg` and `order_by`
  PercentileDisc,
  Mode,
};

// agg(... ORDER BY expr [DESC] [NULLS FIRST | LAST]), WITHIN GROUP (ORDER BY ...): one sort key.
struct AggOrderKey {
  ExprPtr expr;
  bool descending = false;
  bool nulls_first = false;  // resolved: PostgreSQL's default is NULLS LAST for ASC, FIRST for DESC
};

struct AggregateCall {
  AggFunc func = AggFunc::CountStar;
  ExprPtr arg;  // null for CountStar
  // Result types (PostgreSQL's): count -> Int64; sum(Int32) -> Int64 (overflow -> 22003); sum(Int64),
  // sum(Numeric) -> Numeric; sum(Float64) -> Float64; min/max -> the argument's type (Text compares
  // bytewise); avg(Int32|Int64|Numeric) -> Numeric, avg(Float64) -> Float64; array_agg(x) -> x's array
  // type (NULLs included, in input order); string_agg(Text, Text) -> Text, string_agg(Bytea, Bytea) ->
  // Bytea (NULL values skipped, a NULL delimiter is empty); var_* / stddev_* (Int32|Int64|Numeric) ->
  // Numeric, (Float64) -> Float64; bool_and / bool_or -> Bool; bit_and / bit_or -> the argument's type;
  // percentile_cont(Float64) -> Float64; percentile_disc, mode -> the argument's type (NULL values
  // skipped). Empty input: count 0, others NULL.
  TypeId type = TypeId::Int64;
  // agg(DISTINCT x): the update runs once per distinct argument value of the group (NULL is one value:
  // array_agg(DISTINCT x) keeps one NULL, the others skip it as always).
  bool distinct = false;
  // agg(...) FILTER (WHERE filter): only rows where it is true feed the aggregate (before DISTINCT).
  ExprPtr filter;
  // string_agg's delimiter (Text, per row like `arg`).
  ExprPtr arg2;
  // percentile_cont / percentile_disc's fraction: a direct argument (Float64, or Float64Array for an array
  // of results; row-independent).
  ExprPtr fraction;
  // agg(x ORDER BY ...), WITHIN GROUP (ORDER BY x): the order an order-sensitive aggregate (string_agg,
  // array_agg, the ordered-set aggregates) reads its values
  // in (ties in input order); the others ignore it (their result does not depend on it).
  std::vector<AggOrderKey> order_by;
};

// A window frame: ROWS (`rows`: offsets count rows) or RANGE (CURRENT ROW stands for the row and its
// peers, the rows equal to it in the window's ORDER BY; RANGE has no offsets here). Offsets are Int64,
// row-independent (params and constants), evaluated once per execution: NULL -> 22004, negative -> 22013.
// The default frame is RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW (the whole partition without an
// ORDER BY, where every row is a peer of every other).
struct WindowFrame {
  bool rows = false;    // ROWS: offsets count rows
  bool groups = false;  // GROUPS: offsets count peer groups (neither: RANGE)
  FrameBound start = FrameBound::UnboundedPreceding;
  FrameBound end = FrameBound::CurrentRow;
  FrameExclusion exclude = FrameExclusion::NoOthers;
  // OffsetPreceding / OffsetFollowing bounds, row-independent (evaluated once): ROWS and GROUPS, the
  // offset (bigint); RANGE, -1 if the offset is negative, else 0 (NULL if it is NULL), as the runtime
  // checks both (22013, 22004).
  ExprPtr start_offset;
  ExprPtr end_offset;
  // RANGE with an offset: columns of the WindowOp's input with, per row, the ORDER BY value in the type
  // the bounds are computed in (`range_key`) and the value each offset bound reaches (the ORDER BY value
  // minus or plus the offset: PostgreSQL's in_range).
  ColumnId range_key = -1, start_bound = -1, end_bound = -1;
};

// One window function call of a WindowOp. args are columns of the WindowOp's input:
//   ntile(n Int32), lag / lead(value, offset Int32, default of value's type), nth_value(value, n Int32),
//   first_value / last_value(value), count(x), sum / avg / min / max(x); none for the rest.
// Result types: row_number, rank, dense_rank, ntile, count -> Int64; percent_rank, cume_dist -> Float64;
// lag, lead, first_value, last_value, nth_value, min, max -> the value's type; sum and avg as the
// aggregates (AggregateCall).
struct WindowCall {
  WindowFunction func = WindowFunction::RowNumber;
  std::vector<ColumnId> args;
  TypeId type = TypeId::Int64;
  WindowFrame frame;
};

struct SortKey {
  ColumnId column = -1;
  bool descending = false;
  bool nulls_first = false;  // PostgreSQL default: NULLS LAST for ASC, NULLS FIRST for DESC
};

// Primary-key range of a scan: equality on the first eq.size() key columns, then optionally lower and/or
// upper bounds on the next key column. Bound expressions are row-independent (params, constants and
// arithmetic on them) and typed for the key column's encoding: Int32/Int64 for integer columns (both
// encode alike), Float64, Text or Bool. A bound that evaluates to NULL means the scan reads nothing.
// The scan's Filter above still checks every predicate, so the range only narrows what is read.
struct KeyRange {
  std::vector<ExprPtr> eq;
  ExprPtr lower;
  bool lower_inclusive = true;
  ExprPtr upper;
  bool upper_inclusive = true;
  bool is_full() const { return eq.empty() && !lower && !upper; }
};

// A range predicate on one scanned column, pushed down to the scan for zone maps: sealed blocks whose
// min/max exclude it are skipped. `bound` is row-independent and typed like the column (integers for
// integer columns, Float64, Text, Numeric, Bytea, Uuid, Date, Time, Timestamp, TimestampTz), or
// TimestampTz for a Timestamp column with `slack`. `lower`/`upper`: the bound limits the column from
// below/above (both for equality); strict comparisons are kept inclusive, so skipping stays
// conservative; `slack` (microseconds) widens the bound on both sides. The Filter above still checks
// every row read.
struct ZoneBound {
  int column = -1;  // table column
  bool lower = false;
  bool upper = false;
  int64_t slack = 0;
  ExprPtr bound;
};

}  // namespace omendb::plan
