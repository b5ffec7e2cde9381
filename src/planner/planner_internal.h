// Pieces of the planner shared between its translation units (not part of the planner's contract).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/datetime_sql.h"
#include "common/types.h"
#include "common/value.h"
#include "frontend/parser/ast.h"
#include "planner/plan.h"
#include "planner/planner.h"

namespace omendb::planner::detail {

// Renders an expression for EXPLAIN; with `params`, each Param shows its value instead of "$n".
std::string render(const plan::Expr& e, const std::vector<std::string>& column_names,
                   const std::vector<Value>* params);

// An expression as PostgreSQL's ruleutils prints it (pg_get_constraintdef, pg_get_expr): every operator
// in parentheses, typed literals ('x'::text, (0)::numeric); `pretty`: only the parentheses precedence
// needs (psql's \d).
std::string constraint_text(const plan::Expr& e, const std::vector<std::string>& column_names, bool pretty);

// Deep copy of an expression.
plan::ExprPtr clone(const plan::Expr& e);

// Converts a literal value to `to` at bind time, with the conversion rules codegen applies at run time
// (text parsing, numeric range checks, float -> integer rounding half away from zero; date/time values
// through dtsql::cast with the session's zone and clock in `dt`).
// Throws 22P02 / 22003 / 42846, 22007 / 22008 for date/time text.
Value convert_value(const Value& v, TypeId to, const dtsql::EvalContext& dt);

// The EvalContext of a PlannerContext without one (UTC, the clock at 2000-01-01): tests and callers
// that bind no session values.
const dtsql::EvalContext& default_datetime_context();

// Maps a written type name to an OmenDB type (0A000 / 42704 for the ones we do not have).
// max_length receives the type's modifier: varchar(n)'s n, numeric(p, s)'s typmod (num::make_typmod),
// or -1.
TypeId resolve_type(const ast::TypeName& t, int* max_length);

// Whether `e` has the same value for every row: no column references, no volatile functions.
bool row_independent(const plan::Expr& e);
// Whether the call `e` itself (not its arguments) is volatile: random(), setseed(), nextval(), setval(),
// gen_random_uuid(). The one list of them.
bool volatile_function(const plan::Expr& e);
// Whether `e` or any expression inside it calls a volatile function.
bool calls_volatile(const plan::Expr& e);

// PostgreSQL's constant folding of a strict operator with a NULL constant input: the operator becomes a
// NULL constant, and its other inputs (which may reference columns) are never evaluated, so `NULL = a/b`
// is NULL even where b = 0. Inputs computed from constants alone (`1/0`) are kept: PostgreSQL evaluates
// those while planning and raises their errors.
void fold_null_inputs(plan::Op& root);

// An index's expressions and predicate (IndexDef::exprs, predicate) bound over its table's columns
// (ColumnId i: table column i; literals as Constants): what the optimizer matches a WHERE clause with.
struct IndexShape {
  std::vector<plan::ExprPtr> exprs;
  plan::ExprPtr predicate;
};
IndexShape bind_index_shape(const storage::TableDef& table, const storage::IndexDef& index);

// The statement's params as an index's expression or predicate is matched with them: the first `client`
// are the client's (their values are not known while planning).
struct IndexParams {
  const std::vector<Value>* values = nullptr;
  size_t client = 0;
};
// Whether the statement's expression `q` is the index's expression `x` (of an IndexShape): the same
// operators and functions, each column of `q` (column_of: its table column, -1 for none) the one of `x`,
// equal constants. A literal lifted into a param matches an equal constant: the plan that choice makes is
// then the plan of statements with that literal only (another literal plans again, to another shape).
bool matches_index_expr(const plan::Expr& q, const plan::Expr& x, const IndexParams& params,
                        const std::function<int(plan::ColumnId)>& column_of);

// Rule-based optimizer: primary-key range selection for every Filter directly above a TableScan, or a
// secondary index. `params`: the statement's params, of which the first `client_params` are the client's
// (unknown values): a lifted literal (a later one) may match a constant of an index's expression or
// predicate.
void choose_key_ranges(plan::Op& root, const std::vector<Value>& params, size_t client_params);

// Top-N: a Sort read by a LIMIT (directly or through a column-dropping Project) keeps only the first
// limit + offset rows while rows arrive.
void limit_sorts(plan::Op& root);

// Removes a Sort whose input already comes in that order (ascending primary-key prefix of the scan).
void elide_sorts(plan::OpPtr& root);
// Sets TableScanOp::unordered on the scans no consumer needs in primary-key order (`order_free`: whether
// op's own consumer needs its rows in any order); runs after elide_sorts, whose elided sorts it sees as the
// ordered consumers they stand for.
void mark_unordered_scans(plan::Op& op, bool order_free);

// json has no equality or order in PostgreSQL: GROUP BY, DISTINCT, ORDER BY, window keys and join keys of
// type json are 42883 "could not identify an equality / ordering operator for type json".
void check_key_types(const plan::Op& root);

// Assigns state slots to breakers and cuts the tree into pipelines.
void build_pipelines(plan::PhysicalPlan& plan);

// A canonical serialization of the plan without param values (used as the shape key).
std::string serialize_shape(const plan::PhysicalPlan& plan);

// ColumnId -> name for every column some operator of the tree produces.
std::vector<std::string> column_names(const plan::Op& root);

// The statement's literals (PlannerContext::literals) while one binder plans it (plan_statement): a
// constant made from one carries an index of `origins` (plan::Expr::literal).
struct LiteralTrace {
  std::vector<LiteralParam> origins;
  std::vector<bool> consulted;  // per PlannerContext::literals index: binding or planning read its value
};
// Notes that binding or planning read the value of constant or lifted param `e` (comparing expressions,
// matching an index's constants): if it is a traced literal's, its plan is not reused for another value.
void consult_literal(const plan::Expr& e);

}  // namespace omendb::planner::detail
