// The bound, typed plan: what the binder/optimizer produce and codegen consumes.
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
#include "storage/catalog.h"

namespace omendb::plan {

using ColumnId = int;

enum class ExprOp {
  Constant,  // constant (typed; may be NULL)
  Param,     // params[param] of the statement (lifted literal or $n); type = the param's type
  Column,    // the value of `column` in the current row
  Neg,       // -args[0]; integer overflow -> 22003
  Not,       // three-valued NOT
  Add, Sub, Mul, Div, Mod,  // same-typed numeric operands; integer overflow -> 22003, x/0 and x%0 -> 22012
  Concat,    // text || text
  Eq, Ne, Lt, Le, Gt, Ge,   // same-typed operands (Bool, Int32, Int64, Float64 or Text, bytewise); result Bool
  And, Or,   // three-valued logic
  IsNull, IsNotNull,
  Cast,      // args[0] converted to `type` (see codegen for the conversions; failures -> 22P02 / 22003)
  Case,      // args = [cond1, result1, cond2, result2, ..., else]; else always present (maybe NULL constant)
  Abs,       // abs(args[0]) for numeric types; overflow -> 22003
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  ExprOp op = ExprOp::Constant;
  TypeId type = TypeId::Unknown;
  std::vector<ExprPtr> args;
  int param = -1;         // Param
  ColumnId column = -1;   // Column
  Value constant;         // Constant

  static ExprPtr make_constant(Value v, TypeId type);
  static ExprPtr make_param(int index, TypeId type);
  static ExprPtr make_column(ColumnId id, TypeId type);
  static ExprPtr make(ExprOp op, TypeId type, std::vector<ExprPtr> args);
};

// Renders an expression for EXPLAIN ("(id = $1)", "(a + 1)"); column names come from `name_of`.
std::string to_string(const Expr& e, const std::vector<std::string>& column_names);

struct OutputColumn {
  ColumnId id = -1;
  std::string name;  // for RowDescription and EXPLAIN
  TypeId type = TypeId::Unknown;
};

enum class OpKind { Values, TableScan, Filter, Project, Aggregate, Sort, Limit, Insert, Update, Delete };

enum class AggFunc { CountStar, Count, Sum, Min, Max, Avg };

struct AggregateCall {
  AggFunc func = AggFunc::CountStar;
  ExprPtr arg;  // null for CountStar
  // Result types: count -> Int64; sum(Int32|Int64) -> Int64 (overflow -> 22003); sum(Float64) -> Float64;
  // min/max -> the argument's type (Text compares bytewise); avg -> Float64. Empty input: count 0, others NULL.
  TypeId type = TypeId::Int64;
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

struct Op;
using OpPtr = std::unique_ptr<Op>;

struct Op {
  OpKind kind;
  std::vector<OpPtr> children;
  std::vector<OutputColumn> output;  // the columns this operator produces, in order

  // TableScan: reads `table` within `range`. output[i] is table column scan_columns[i].
  storage::TableDefPtr table;
  std::vector<int> scan_columns;  // table column index of each output column
  KeyRange range;
  ColumnId key_column = -1;       // TableScan/Update/Delete: the row's storage key (-1 if not needed)
  uint64_t estimated_rows = 0;    // TableScan: from storage's size estimate

  // Values: one row of expressions per produced row; rows[r][c] has type output[c].type.
  // When values_matrix is true, `rows` is empty and the rows are the statement's params from
  // matrix_param_base on, row-major (params[base + r * output.size() + c]), their count known only at
  // run time, so that one compiled INSERT serves any number of rows.
  std::vector<std::vector<ExprPtr>> rows;
  bool values_matrix = false;
  int matrix_param_base = 0;

  // Filter
  ExprPtr predicate;

  // Project: exprs[i] computes output[i].
  std::vector<ExprPtr> exprs;

  // Aggregate (no GROUP BY yet: one output row): aggregates[i] computes output[i].
  std::vector<AggregateCall> aggregates;

  // Sort: output == children[0]->output.
  std::vector<SortKey> sort_keys;

  // Limit: both Int64, row-independent, may be null. Negative -> 2201W / 2201X.
  ExprPtr limit;
  ExprPtr offset;

  // Insert: children[0]->output holds one column per table column, in table order, typed as the table.
  // Update: set_exprs[i] is the new value of table column i (over children[0]'s columns).
  // Delete: removes the row whose key is key_column.
  std::vector<ExprPtr> set_exprs;

  // Sort and Aggregate are pipeline breakers: their runtime state lives in QueryState slot `state_slot`.
  int state_slot = -1;

  explicit Op(OpKind k) : kind(k) {}
};

// A pipeline runs one tight loop: rows come from `source`, pass `operators` in order, and end in `sink`.
//   source:    TableScan | Values | Sort (reads the sorted rows) | Aggregate (reads its one result row)
//   operators: Filter | Project | Limit
//   sink:      Sort | Aggregate (builds its state) | Insert | Update | Delete | nullptr (the query result)
// Pipelines run in order; a breaker is built by an earlier pipeline than the one that reads it.
struct Pipeline {
  const Op* source = nullptr;
  std::vector<const Op*> operators;
  const Op* sink = nullptr;
};

struct PhysicalPlan {
  OpPtr root;
  std::vector<Pipeline> pipelines;
  int state_slots = 0;                      // number of breaker states
  std::vector<OutputColumn> result_columns; // the rows sent to the client (empty for DML)
  uint64_t estimated_rows = 0;              // rows the plan is expected to touch (picks the JIT tier)
};

}  // namespace omendb::plan
