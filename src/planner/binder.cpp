// Binder: resolves names and types of an ast statement and builds the logical operator tree.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <unordered_map>
#include <utility>

#include "catalog/functions.h"
#include "catalog/system_catalog.h"
#include "common/array.h"
#include "common/bytea.h"
#include "common/error.h"
#include "common/json.h"
#include "common/math_sql.h"
#include "common/numeric.h"
#include "common/text_sql.h"
#include "frontend/parser/parser.h"
#include "planner/planner.h"
#include "planner/planner_internal.h"

namespace omendb::planner {

void collect_columns(const plan::Expr& e, std::vector<plan::ColumnId>& out);

namespace {

plan::ExprPtr balanced(plan::ExprOp op, std::vector<plan::ExprPtr>& es, size_t lo, size_t hi);

using plan::AggFunc;
using plan::AggregateCall;
using plan::ColumnId;
using plan::Expr;
using plan::ExprOp;
using plan::ExprPtr;
using plan::Op;

using plan::OpPtr;
using plan::OutputColumn;

constexpr const char* kCastHint =
    "No operator matches the given name and argument types. You might need to add explicit type casts.";
constexpr const char* kFuncHint =
    "No function matches the given name and argument types. You might need to add explicit type casts.";

int pos_of(int location) {
  return location >= 0 ? location + 1 : 0;
}

[[noreturn]] void fail(SqlState st, std::string msg, int location = -1, std::string hint = {}) {
  SqlError e(st, std::move(msg));
  std::move(e).at(pos_of(location));
  if (!hint.empty()) std::move(e).with_hint(std::move(hint));
  throw e;
}

// A json / jsonb operation (ExprOp::Json) over args of its signature's types.
ExprPtr json_op(json::Func f, TypeId result, std::vector<ExprPtr> args) {
  ExprPtr x = Expr::make(ExprOp::Json, result, std::move(args));
  x->func = static_cast<int>(f);
  return x;
}

std::string tn(TypeId t) {
  return std::string(type_name(t));
}

int rank(TypeId t) {
  if (is_numeric(t)) return numeric_rank(t);  // int2 -> int4 -> int8 -> numeric -> real -> double precision
  switch (t) {
    case TypeId::Date:  // date < timestamp < timestamptz: PostgreSQL's implicit casts between them
      return 1;
    case TypeId::Timestamp:
      return 2;
    case TypeId::TimestampTz:
      return 3;
    default:
      return 0;
  }
}
TypeId wider(TypeId a, TypeId b) {
  return rank(a) >= rank(b) ? a : b;
}
// The type both operands of a numeric operator (+ - * / %, comparisons) convert to, as PostgreSQL's
// operators resolve: the wider type, except that real has operators only with real and double precision
// (float4pl, float48pl ...), so real with any other type is double precision (1::real + 1 is float8).
TypeId operator_type(TypeId a, TypeId b) {
  if (a != b && (a == TypeId::Float32 || b == TypeId::Float32)) return TypeId::Float64;
  return wider(a, b);
}

std::vector<ExprPtr> list(ExprPtr a) {
  std::vector<ExprPtr> v;
  v.push_back(std::move(a));
  return v;
}
std::vector<ExprPtr> list(ExprPtr a, ExprPtr b) {
  std::vector<ExprPtr> v;
  v.push_back(std::move(a));
  v.push_back(std::move(b));
  return v;
}
std::vector<ExprPtr> list(ExprPtr a, ExprPtr b, ExprPtr c) {
  std::vector<ExprPtr> v = list(std::move(a), std::move(b));
  v.push_back(std::move(c));
  return v;
}

// The constant the binder makes of a literal's value (ast::Expr::value): PostgreSQL types an integer literal
// int4 whenever it fits, including -2147483648 (which the grammar folds from a bigint-sized 2147483648).
Value literal_constant(const Value& v) {
  if (v.type() == TypeId::Int64 && v.as_int() >= INT32_MIN && v.as_int() <= INT32_MAX)
    return Value::int32(static_cast<int32_t>(v.as_int()));
  return v;
}

// A client parameter ($n) whose type is not known yet.
bool is_unknown_param(const Expr& e) {
  return e.op == ExprOp::Param && e.type == TypeId::Unknown;
}

bool is_null_constant(const Expr& e) {
  return e.op == ExprOp::Constant && e.constant.is_null();
}

// PostgreSQL's result column naming (FigureColname): strength 2 for a real name, 1 for a fallback.
std::pair<std::string, int> figure_name(const ast::Expr& e) {
  switch (e.kind) {
    case ast::ExprKind::ColumnRef:
      if (!e.names.empty()) return {e.names.back(), 2};
      break;
    case ast::ExprKind::FuncCall:  // a qualified name's last part (information_schema._pg_expandarray)
      return {e.func_name.substr(e.func_name.rfind('.') + 1), 2};
    case ast::ExprKind::FieldSelect:  // (record).field
      return {e.names.back(), 2};
    case ast::ExprKind::Cast: {
      if (!e.args.empty()) {
        auto inner = figure_name(*e.args[0]);
        if (inner.second == 2) return inner;
      }
      return {e.cast_type.name, 1};
    }
    case ast::ExprKind::Case:
      return {"case", 1};
    case ast::ExprKind::ArrayCtor:
      return {"array", 2};
    case ast::ExprKind::Grouping:
      return {"grouping", 2};
    case ast::ExprKind::Subquery:
      if (e.sublink == ast::SubLinkKind::Exists) return {"exists", 2};
      if (e.sublink == ast::SubLinkKind::Array) return {"array", 2};
      break;
    case ast::ExprKind::Constant:
      if (e.value.type() == TypeId::Bool && !e.value.is_null()) return {"bool", 1};
      break;
    default:
      break;
  }
  return {"?column?", 0};
}

// A column of a Relation, named as the FROM clause shows it (after column aliases).
struct RelColumn {
  std::string name;
  TypeId type = TypeId::Unknown;
  int32_t max_length = -1;  // its type modifier as the catalog keeps it: varchar(n)'s n, numeric's typmod
  // Inside a view's query: a column added after the view was created (ViewDependency::max_attnum),
  // which the query cannot name and its `*` does not show.
  bool hidden = false;
};

// One item of the FROM clause that is not a join (a self-join has two): a table, or a derived table
// (a subquery, a CTE reference, VALUES) whose plan is bound already. Its name for qualified references
// and the ColumnId of each of its columns (a derived table's are its plan's output columns).
struct Relation {
  storage::TableDefPtr table;  // null for a derived table
  OpPtr derived;               // a derived table's plan, until the FROM clause is planned
  storage::TableDefPtr view;   // a view (a derived table whose plan is its query's)
  std::vector<RelColumn> columns;
  std::string refname;  // alias, or the table name
  bool has_alias = false;
  int level = 0;              // the query (SELECT) whose FROM clause holds it
  std::vector<ColumnId> ids;  // ColumnId of each column
  std::vector<bool> used;     // columns some expression reads (the scan reads only these)
  // A function in FROM (derived is its FunctionScanOp, without its input yet): the FROM items its
  // arguments name (LATERAL), which must be joined before it runs once per row of theirs.
  bool function = false;
  std::vector<int> lateral;
  // A LATERAL subquery naming them: the columns it names and its WHERE conjuncts that do (lateral_join).
  std::vector<ColumnId> lateral_refs;
  std::vector<ExprPtr> lateral_conds;
  bool nullable = false;  // on the nullable side of an outer join
  // The row a CHECK constraint or an index expression reads (bind_row_expr): named like its table but
  // in no FROM clause, so a statement's own reference to the table does not clash with it.
  bool row_only = false;
};

// A bound query expression (SELECT, set operation, VALUES): its plan, whose root's output are the result
// columns, and what RowDescription needs besides their types.
struct BoundQuery {
  OpPtr root;
  std::vector<int32_t> column_typmods;  // per column: varchar(n)'s n, or -1
  std::vector<bool> name_columns;       // per column: PostgreSQL types it `name`
  // A derived table's record values (Binder::record_targets_): the output column holding the record's
  // place (a NULL nothing reads) and its fields, output columns after the visible ones.
  struct Record {
    size_t column;
    std::vector<std::pair<std::string, size_t>> fields;  // name, output column
  };
  std::vector<Record> records;
  bool locks_rows = false;
  std::string lock_clause;  // locking_name of the strongest locking clause
};

// A CTE in scope: its definition and how many entries of Binder::ctes_ its own query sees (the CTEs
// defined before it, in its WITH clause and the enclosing ones).
struct CteDef {
  const ast::CommonTableExpr* cte = nullptr;
  size_t visible = 0;
  size_t outer_scopes = 0;  // how many entries of Binder::outer_scopes_ its query sees (those of its WITH)
  bool recursive = false;   // of a WITH RECURSIVE: it may name itself (Binder::bind_recursive)
  // >= 0: materialized (plan::CteOp::index): a reference is a CteScanOp of `columns` (the CteOp's child's
  // output, with their typmods), not its query bound again.
  int materialized = -1;
  std::vector<OutputColumn> columns;
  std::vector<int32_t> typmods;
};

// A CTE of a WITH RECURSIVE whose query is being bound (Binder::recursive_): which part of its
// `non-recursive term UNION [ALL] recursive term` is, and what a reference to it in the recursive term
// reads (the working table of RecursiveUnionOp `index`).
struct RecursiveCte {
  enum class Term { Whole, NonRecursive, Recursive };  // Whole: not (yet) a UNION's input
  const ast::CommonTableExpr* cte = nullptr;
  Term term = Term::Whole;
  int index = -1;
  std::vector<OutputColumn> columns;  // the working table's names and types (the non-recursive term's)
  std::vector<int32_t> typmods;
  // Where the recursive term began: a reference must be in none of these more than there.
  size_t frames = 0;             // subqueries used as expressions (Binder::frames_)
  int nullable_sides = 0;        // outer joins' nullable sides (Binder::nullable_sides_)
  const char* set_op = nullptr;  // INTERSECT / EXCEPT (Binder::within_set_op_)
  int references = 0;
  int reference_level = -1;  // the query level naming it (its aggregates are 42P19)
};

// A column a FROM item shows to unqualified names and to `*`: a table column, or the merged column
// of a JOIN USING / NATURAL (the left one; the right one for RIGHT JOIN; COALESCE of both for FULL).
struct ItemColumn {
  std::string name;
  ExprPtr expr;
  int32_t type_mod = -1;
};

// What one FROM item (a table or a whole JOIN) shows: its tables and its columns in `*` order.
struct FromEntry {
  std::vector<int> rels;  // indexes into Binder::rels_
  std::vector<ItemColumn> columns;
};

// The names an expression can see: the FROM items (unqualified names; two items with the name is
// 42702) and their tables (qualified names). An ON clause sees only its join's two inputs.
struct Scope {
  std::vector<FromEntry> entries;
  std::vector<int> rels;
  bool empty() const { return rels.empty(); }
};

// A FROM item bound for planning: a table, or a join of two items with its bound condition.
struct JoinTree {
  int rel = -1;  // a table: index into Binder::rels_
  ast::JoinType type = ast::JoinType::Inner;
  std::unique_ptr<JoinTree> left, right;
  ExprPtr cond;  // null: none (CROSS JOIN)
  std::vector<int> rels;
};

// One output column of a SELECT being bound (or a hidden ORDER BY key).
struct Target {
  ExprPtr expr;
  std::string name;
  const ast::Expr* ast = nullptr;  // null for star expansions
  int32_t type_mod = -1;           // a varchar(n) / numeric(p, s) column or cast: result_typmod
  bool name_type = false;          // current_user and the like: PostgreSQL describes it as `name`
};

// The type modifier PostgreSQL describes a cast's result with: x::varchar(n) (n), x::numeric(p, s) (its
// typmod); else -1.
int32_t cast_typmod(const ast::Expr& e, TypeId result) {
  if (e.kind != ast::ExprKind::Cast ||
      (result != TypeId::Text && result != TypeId::Numeric && result != TypeId::BpChar))
    return -1;
  int32_t typmod = -1;
  detail::resolve_type(e.cast_type, &typmod);
  return typmod;
}

// Structural equality of two bound expressions (GROUP BY keys, ORDER BY matching the select list).
bool same_expr(const Expr& a, const Expr& b) {
  if (a.op != b.op || a.type != b.type || a.args.size() != b.args.size()) return false;
  switch (a.op) {
    case ExprOp::Constant:
      detail::consult_literal(a);
      detail::consult_literal(b);
      if (!(a.constant == b.constant)) return false;
      break;
    case ExprOp::Param:
      if (a.param != b.param) return false;
      break;
    case ExprOp::Column:
    case ExprOp::OuterColumn:
      if (a.column != b.column) return false;
      break;
    case ExprOp::DateTime:
    case ExprOp::CatalogFunc:
    case ExprOp::Match:
    case ExprOp::Math:
    case ExprOp::Cast:
      if (a.func != b.func) return false;
      break;
    case ExprOp::Subquery:
    case ExprOp::InSubquery:
    case ExprOp::Apply:
      if (a.subquery != b.subquery || a.sub_column != b.sub_column) return false;
      break;
    default:
      break;
  }
  for (size_t i = 0; i < a.args.size(); ++i)
    if (!same_expr(*a.args[i], *b.args[i])) return false;
  return true;
}

// A subquery used as an expression being bound (Binder::frames_): it pushed one entry of
// Binder::outer_scopes_ (`outer`). A name found in an enclosing scope makes the subquery right inside that
// scope's query read it as a parameter, and every subquery inside that one correlated: they run per
// row (ExprOp::Apply), unless the subquery being decorrelated names it in its own query (not in a query
// inside it): then it becomes a join (resolve_enclosing).
struct SubqueryFrame {
  Scope* outer = nullptr;
  bool decorrelating = false;        // bound by plan_correlated: its own names of `outer` go to outer_refs_
  int level = -1;                    // its query level (decorrelating only)
  bool fallback = false;             // decorrelating, but a name it cannot take: bind it again per row
  bool correlated = false;           // names an enclosing query (itself or a subquery inside it)
  std::vector<OutputColumn> params;  // the columns of `outer`'s query it (or one inside it) names
};

struct ExprCtx {
  Scope* scope = nullptr;
  std::string clause;  // where aggregates are not allowed: "WHERE", "VALUES", "UPDATE", "LIMIT"...
  bool allow_agg = false;
  bool in_agg = false;
  bool track_bare = false;    // remember column references outside aggregates (42803 check)
  bool no_variables = false;  // LIMIT / OFFSET: column references -> 42P10
  bool in_default = false;    // a column's DEFAULT: column references -> 0A000
  bool decorrelate = false;   // a correlated scalar subquery may become a join below this clause
  bool allow_window = false;  // window functions (OVER) allowed: the select list and ORDER BY
  bool allow_srf = false;     // a set-returning function allowed: the select list
  bool in_window = false;     // inside a window function's arguments or window: another one is 42P20
  bool window_args = false;   // bind_aggregate: binding a window aggregate (its argument may aggregate)
  const ast::Expr* over_checked = nullptr;  // bind_function: this call's OVER already looked at
};

// The target of INSERT, UPDATE or DELETE through an automatically updatable view (the binder's
// "Updatable views"): the statement names the view's columns (a relation of their own); the write is the
// base table's, with the view's columns and WHERE conditions in terms of the base table's columns.
struct ViewTarget {
  int rel = -1;                    // the view's columns, as the statement names them (Relation::view)
  int base = -1;                   // the base table (a view over views: the table at the bottom)
  std::vector<ExprPtr> exprs;      // per view column: its value over the base table's columns
  std::vector<int> base_column;    // per view column: the base table's column it is, -1 if not updatable
  std::vector<std::string> owner;  // per column not updatable: the view where it is not a column
  std::vector<std::string> owner_column;  // ... and its name there
  ExprPtr where;                          // the WHERE conditions of the views, over the base table's columns
  // INSERT and UPDATE through views WITH CHECK OPTION: each such view's WHERE condition (over the base
  // table's columns), the innermost view's first, as PostgreSQL checks them.
  std::vector<std::pair<std::string, ExprPtr>> checks;
};

class Binder {
 public:
  explicit Binder(const PlannerContext& ctx) : ctx_(ctx), param_types_(ctx.param_types) {
    if (ctx.literals) {
      for (size_t i = 0; i < ctx.literals->size(); ++i)
        literal_slots_.emplace((*ctx.literals)[i], static_cast<int>(i));
      trace_.consulted.assign(ctx.literals->size(), false);
    }
  }
  // The trace of PlannerContext::literals (detail::LiteralTrace) this binder keeps.
  detail::LiteralTrace& literal_trace() { return trace_; }

  PlannedStatement plan(const ast::Stmt& stmt);
  catalog::ViewUpdatability updatability(const storage::TableDefPtr& view);
  std::vector<Value> evaluate_parameters(const std::vector<ast::ExprPtr>& args,
                                         const std::vector<TypeId>& types);

 private:
  storage::TableDefPtr lookup(const ast::TableRef& ref);
  // Adds a table (or a CTE reference) of the FROM clause, renaming its first columns to `aliases`
  // (42P10 when there are more aliases than columns), and returns its index in rels_.
  int open_relation(const ast::TableRef& ref, const std::vector<std::string>& aliases = {});
  // Adds `r` (columns filled in; ids too for a derived table) to rels_: 42712 when its name is taken by
  // another item of the same FROM clause.
  int add_relation(Relation r, const std::vector<std::string>& aliases, int location);
  // The index in r.columns of column `name` (-1: none; 42702 when a derived table has two).
  int find_rel_column(const Relation& r, const std::string& name, int location) const;
  // The plan of a FROM item that is not a join: its table's scan or its derived table's plan.
  OpPtr make_leaf(int rel);
  // The scope of the target table of INSERT, UPDATE or DELETE (a table, never a CTE of the statement's
  // WITH, as in PostgreSQL).
  // Through a view (`view` is set then; command 'i', 'u' or 'd'), the scope names the view's columns.
  Scope open_scope(const ast::TableRef& ref, char command = 0, std::optional<ViewTarget>* view = nullptr);
  // The view `view` as the target of command 'i', 'u' or 'd' (55000 when it is not automatically updatable,
  // as PostgreSQL's rewriter); `ref` names it, `aliases` rename its first columns.
  // `cascaded`: a view above has WITH CASCADED CHECK OPTION, which this one then checks too.
  ViewTarget open_view_target(const storage::TableDefPtr& view, const ast::TableRef& ref,
                              const std::vector<std::string>& aliases, char command, bool cascaded = false);
  // INSERT's or UPDATE's row checks through `v`: its views' check options after the table's constraints.
  void add_view_checks(plan::RowChecks& checks, const ViewTarget& v);
  // Replaces the references to `v`'s columns in x by their values over the base table.
  void substitute_view(ExprPtr& x, const ViewTarget& v);
  // The statement's plan `root` through view `v`: its remaining references to the view's columns replaced
  // (0A000 for a subquery naming one: it would need them per row).
  void finish_view_write(const ViewTarget& v, Op& root);
  // UPDATE's or DELETE's WHERE `where` (over the view's columns, or null) through `v`: over the base
  // table, and the views' WHERE conditions with it.
  ExprPtr view_where(const ViewTarget& v, ExprPtr where);
  // UPDATE ... FROM / DELETE ... USING: binds `items` as FROM items after the target (which they cannot
  // name: PostgreSQL's 42P01) and adds their names to `scope`; returns their trees.
  std::vector<std::unique_ptr<JoinTree>> bind_dml_from(const std::vector<ast::FromItemPtr>& items,
                                                       Scope& scope);
  // The rows UPDATE / DELETE work on: the scan of target relation `rel` (carrying each row's storage key
  // as `key`; every column when `all_columns`) filtered by the WHERE conjuncts that read only it, joined
  // with the FROM / USING items `from` on the others. The target is the join's probe side, so the key
  // stays in the pipeline to the Update / Delete; a target row can come out once per matching row.
  OpPtr plan_dml_rows(int rel, ColumnId key, bool all_columns, std::vector<std::unique_ptr<JoinTree>> from,
                      ExprPtr where);
  FromEntry table_entry(int rel);
  std::unique_ptr<plan::TableScanOp> make_scan(int rel, bool all_columns);
  // Binds a FROM item: its entry (names) and its tree (planning).
  std::pair<FromEntry, std::unique_ptr<JoinTree>> bind_from_item(const ast::FromItem& item);
  // A function in FROM (generate_series, unnest) as a relation whose plan is a FunctionScanOp; its
  // arguments are bound over lateral_ (the FROM items before it).
  int open_function(const ast::FromItem& item);
  plan::FunctionScanOp& function_scan(int rel) {
    return rels_[static_cast<size_t>(rel)].derived->as<plan::FunctionScanOp>();
  }
  // Whether rel is a function in FROM or a LATERAL subquery naming other FROM items.
  bool is_lateral(int rel) const { return rel >= 0 && !rels_[static_cast<size_t>(rel)].lateral.empty(); }
  // generate_series / unnest over `call`'s arguments bound in `c` as a FunctionScanOp (state, init, cond,
  // next, one value; no output yet); null when `call` names no set-returning function.
  std::unique_ptr<plan::FunctionScanOp> bind_set_function(const ast::Expr& call, ExprCtx& c);
  // A set-returning function in the select list (PostgreSQL 10's ProjectSet, for one function): its
  // FunctionScan runs over the query's rows after grouping and windows, below the select list's Project.
  // `field`: the OUT column (f(...)).field of a function returning records (else its one column).
  // `record` (a function returning records, without `field`): receives the columns of its fields.
  ExprPtr bind_select_list_srf(const ast::Expr& call, ExprCtx& c, const std::string* field = nullptr,
                               std::vector<OutputColumn>* record = nullptr);
  std::unique_ptr<plan::FunctionScanOp> zip_set_functions(std::unique_ptr<plan::FunctionScanOp> a,
                                                          std::unique_ptr<plan::FunctionScanOp> b);
  OpPtr srf_;  // the select list's set-returning function, of the query level being bound
  // The FunctionScan of function relation `rel` over `input` (its LATERAL inputs, or one empty row).
  OpPtr apply_function(int rel, OpPtr input);
  // `input` joined with LATERAL relation `rel` (a function, or a subquery decorrelated into a join on the
  // conjuncts naming `input`), on `conds` too; outer: LEFT JOIN LATERAL.
  OpPtr lateral_join(int rel, OpPtr input, std::vector<ExprPtr> conds, bool outer);
  Scope lateral_;  // the FROM items a function in FROM may name (those before it)
  // Marks every table column `e` reads as used.
  void mark_used(const Expr& e);
  // The relation a ColumnId belongs to (-1: not a table column).
  int rel_of(ColumnId id) const {
    return id >= 0 && static_cast<size_t>(id) < col_rel_.size() ? col_rel_[static_cast<size_t>(id)] : -1;
  }
  void rels_of(const Expr& e, std::vector<int>& out) const;
  // The operator tree of the FROM clause with the WHERE conjuncts `conjuncts` applied (pushed down to
  // the tables they read, or turned into join keys).
  OpPtr plan_from(std::vector<JoinTree*> items, std::vector<ExprPtr> conjuncts);
  OpPtr plan_outer_join(JoinTree& node);
  uint64_t estimate(const Op& op) const;

  ExprPtr bind(const ast::Expr& e, ExprCtx& c);
  // Converts e to type t: constants are converted now (their value becomes the param's value), a
  // parameter of unknown type takes type t (as PostgreSQL infers it), anything else gets a Cast node.
  ExprPtr convert(ExprPtr e, TypeId t);
  // e (Numeric) rounded to numeric(p, s)'s typmod; a constant is rounded now.
  ExprPtr with_typmod(ExprPtr e, int32_t typmod);
  // e (interval) as interval with typmod (a field qualifier and precision, (range << 16) | precision):
  // PostgreSQL's AdjustIntervalForTypmod at run time.
  ExprPtr interval_typmod(ExprPtr e, int32_t typmod);
  // e (bpchar) as character(n): textsql::bpchar_typmod, folded for a constant.
  ExprPtr bpchar_typmod(ExprPtr e, int32_t n, bool is_explicit);
  // Mathematical functions and operators (common/math_sql.h's table, the "Mathematical functions"
  // section): `name` resolved against mathsql::signatures() with PostgreSQL's func_select_candidate
  // rules; null when no function or operator has that name. Operators: "^", "&" ... and the prefix
  // "u|/", "u||/", "u~", "u@" (abs).
  ExprPtr bind_math(const std::string& name, std::vector<ExprPtr>& args, int loc, bool is_operator);
  // Arrays (the "Arrays" section): ARRAY[...], a[i], x op ANY|ALL (array); array functions (null when
  // `name` is not one); ARRAY(SELECT ...)'s root as one array_agg row (over the root's one column, or
  // for a correlated subquery under its Project, as scalar_join wants it).
  ExprPtr bind_array_expr(const ast::Expr& e, ExprCtx& c);
  ExprPtr bind_array_function(const std::string& name, std::vector<ExprPtr>& args, int loc);
  OpPtr array_aggregate(const ast::Expr& e, OpPtr root, bool correlated);
  OpPtr sort_with_inputs(OpPtr root);
  ExprPtr bind_param(const ast::Expr& e);
  void check_params_resolved();
  ExprPtr bind_inner(const ast::Expr& e, ExprCtx& c);
  // field: the reference is (e).field (record_field).
  ExprPtr bind_column(const ast::Expr& e, ExprCtx& c, const std::string* field = nullptr);
  ExprPtr bind_function(const ast::Expr& e, ExprCtx& c);
  ExprPtr bind_aggregate(const ast::Expr& e, ExprCtx& c);
  // The bytea, uuid and byte-string functions (common/bytea.h's bytea::Func): null if `name` is not one.
  ExprPtr bind_bytea_function(const std::string& name, std::vector<ExprPtr>& args, int loc);
  // The string functions (common/text_sql.h's signature table, PostgreSQL's rules for unknown literals
  // and implicit casts; concat, concat_ws and format take any types as their text): null if `name` is not
  // one.
  ExprPtr bind_text_function(const std::string& name, std::vector<ExprPtr>& args, int loc);
  // A value as its type's output function prints it (concat, format): bool as t / f, the rest as ::text.
  ExprPtr text_output(ExprPtr x);
  // json / jsonb (common/json.h): the operators (-> ->> #> #>> @> <@ ? ?| ?& #-, and jsonb's - and ||),
  // the functions (null if `name` is not one), and a value as json (to_json).
  ExprPtr bind_json_operator(ast::BinaryOp op, ExprPtr l, ExprPtr r, int loc);
  ExprPtr bind_json_function(const std::string& name, std::vector<ExprPtr>& args, int loc);
  ExprPtr to_json(ExprPtr x, int loc);
  // version(), current_user, pg_backend_pid() ...: the session's value as a literal; null if `e` is none.
  ExprPtr bind_session_function(const ast::Expr& e, const std::vector<ExprPtr>& args);
  // 0A000 when `name` is a column PostgreSQL's version of system relation r has and OmenDB's lacks.
  void check_missing_system_column(const Relation& r, const std::string& name, int location) const;
  ExprPtr table_oid_column(const Relation& r) const;
  ExprPtr bind_case(const ast::Expr& e, ExprCtx& c);
  ExprPtr bind_binary(ast::BinaryOp op, ExprPtr l, ExprPtr r, int loc);
  ExprPtr arith(ExprOp op, const char* sym, ExprPtr l, ExprPtr r, int loc);
  ExprPtr compare(ExprOp op, const char* sym, ExprPtr l, ExprPtr r, int loc);
  ExprPtr to_bool(ExprPtr e, const std::string& what, int loc);
  // x IS [NOT] TRUE / FALSE / UNKNOWN (ExprOp::BoolTest).
  ExprPtr bind_bool_test(const ast::Expr& e, ExprCtx& c);
  // The bound WHERE clause over `scope` (boolean), or null when there is none.
  ExprPtr bind_where(const ast::ExprPtr& where, Scope& scope);
  // Assignment cast into a table column; `what` names the source in the 42804 message. When
  // `check_length`, a text constant longer than varchar(n) is 22001 and a numeric takes the column's
  // numeric(p, s) (22003 for a constant that does not fit); CREATE TABLE's check of a DEFAULT passes
  // false, as PostgreSQL only applies them when a row takes the default.
  ExprPtr assign(ExprPtr e, const storage::ColumnDef& col, int loc, const char* what = "expression",
                 bool check_length = true);
  // The column's DEFAULT bound as an expression (a NULL constant when it has none); `as_written`: in its
  // own type, not assigned to the column's.
  ExprPtr column_default(const storage::TableDef& table, const storage::ColumnDef& col,
                         bool as_written = false);
  bool in_schema(const Relation& r, const std::string& schema) const;
  // The schemas and search_path names are read in (catalog::SchemaScope): the session's, or while a stored
  // expression is bound (stored_path_) the path it was written for.
  catalog::SchemaView schema_view() const {
    catalog::SchemaView v;
    v.schemas = ctx_.catalog->schemas(ctx_.overlay);
    v.path = stored_path_           ? *stored_path_
             : !view_stack_.empty() ? std::vector<std::string>{"public"}
                                    : ctx_.catalog->search_path_schemas(ctx_.overlay);
    v.temp = ctx_.overlay ? ctx_.overlay->temp_namespace : 0;
    return v;
  }
  std::optional<std::vector<std::string>> stored_path_;
  bool identity_value_given(const ast::InsertStmt& s, const storage::ColumnDef& col);

 public:
  // CREATE TABLE: checks a DEFAULT expression (no column references, aggregates or parameters; assignable
  // to the column's type), as PostgreSQL does when it creates the table.
  void check_default(const ast::Expr& e, const storage::ColumnDef& col);

 private:
  ExprPtr bind_limit(const ast::Expr* e, const char* what);
  ExprPtr in_set(std::vector<ExprPtr>& eqs, bool any_length = false);
  ExprPtr copy_operand(const Expr& e, int location);

  // Subqueries used as expressions (EXISTS, scalar, IN / ANY / ALL): each becomes a subplan that runs
  // before the pipelines reading its result (PhysicalPlan::subplans).
  ExprPtr bind_subquery(const ast::Expr& e, ExprCtx& c);
  // The expression reading the result of subquery `e` planned as `root` (x: the bound left operand of
  // ANY / ALL), its subplan added.
  ExprPtr subquery_result(const ast::Expr& e, ExprPtr x, OpPtr root);
  // Binds a nested SELECT under the scope `outer`; `frame` gets what it named of the enclosing queries
  // (SubqueryFrame).
  OpPtr plan_subselect(const ast::SelectStmt& s, Scope* outer, int loc, SubqueryFrame& frame);
  // plan_subselect letting the subquery name the columns of the query right around it: `refs` gets
  // those it names, `correlated` its WHERE conjuncts naming them (taken out of its plan). Returns null
  // when it names them where a join cannot take them (then it is bound again per row: per_row).
  OpPtr plan_correlated(const ast::Expr& e, Scope* outer, std::vector<ColumnId>& refs,
                        std::vector<ExprPtr>& correlated);
  // Subquery `e` (x: ANY / ALL's bound left operand) run per row of the query whose scope is `outer`
  // when it names it (an ExprOp::Apply over its result), else as an ordinary subplan.
  ExprPtr per_row(const ast::Expr& e, ExprPtr x, Scope* outer);
  // Drops the subplans added since `mark` (a decorrelation given up: its subquery is bound again).
  void drop_subplans(size_t mark);
  // Adds `child` as subplan, under a SubqueryOp of `mode`; returns its index.
  int add_subplan(OpPtr child, plan::SubqueryOp::Mode mode);
  // `x op ANY|ALL (subquery)` for an operator other than = ANY / <> ALL: a comparison with the subquery's
  // minimum or maximum, from one row of aggregates over it.
  ExprPtr quantified_compare(ExprOp op, const char* sym, bool all, ExprPtr x, OpPtr sub, int loc);
  // Correlated subqueries in WHERE as semi / anti joins (see the section's comment).
  ExprPtr bind_where_conjuncts(const ast::Expr& where, ExprCtx& c);
  // A [NOT] EXISTS / IN conjunct: null when it became a pending join, else its expression (uncorrelated,
  // or run per row).
  ExprPtr semi_join(const ast::Expr& conjunct, ExprCtx& c);
  // `name` (qualified by `qual` unless empty) as a column of a query enclosing the one being bound (the
  // innermost that has it); null if none has it. A column of the query right around the subquery being
  // decorrelated, named by that subquery itself, is a Column noted in outer_refs_; any other is an
  // OuterColumn read per row (see SubqueryFrame).
  // `field`: as record_field.
  ExprPtr resolve_enclosing(const std::string& qual, const std::string& name, int loc,
                            const std::string* field = nullptr);
  // `name` in scope `s`, as resolve_enclosing looks it up; null if it has none.
  ExprPtr find_in_scope(const Scope& s, const std::string& qual, const std::string& name, int loc);
  // In that subquery's plan_select: removes the WHERE conjuncts naming the enclosing query into
  // correlated_.
  ExprPtr take_correlated(ExprPtr where);
  // The pending semi / anti joins of the SELECT (UPDATE, DELETE) being bound, over its rows `cur`.
  OpPtr apply_semi_joins(OpPtr cur);
  // A correlated scalar subquery over an aggregate as a pending left join (see the section's comment);
  // null when it has another shape (then it runs per row).
  ExprPtr scalar_join(const ast::Expr& e, OpPtr root, std::vector<ColumnId> refs,
                      std::vector<ExprPtr> correlated);
  // A correlated scalar subquery without an aggregate as a pending single-match left join; null when it
  // names the query outside its WHERE clause.
  ExprPtr single_join(const ast::Expr& e, OpPtr root, std::vector<ColumnId> refs,
                      std::vector<ExprPtr> correlated);
  // In `x`, every column of `inner` (the build side's input) becomes a column `build` passes through.
  void pass_inner_columns(plan::ProjectOp& build, const std::vector<OutputColumn>& inner, ExprPtr& x);
  // Removes from `where` the conjuncts reading a pending scalar join's columns; returns them (a filter
  // over the joins).
  ExprPtr take_post_join(ExprPtr& where);

  // A GROUP BY item: an output column's position (GROUP BY 1) or name (an alias, when no FROM column
  // has that name, as PostgreSQL resolves it), else an expression over the FROM columns.
  ExprPtr bind_group_key(const ast::Expr& e, Scope& scope, const std::vector<Target>& targets,
                         size_t visible);
  // Replaces every subexpression of `e` equal to a group key by the key's output column; a column
  // left outside the keys and the aggregates is a 42803 grouping error.
  void apply_grouping(ExprPtr& e, Scope& scope, std::vector<ExprPtr>& keys,
                      std::vector<OutputColumn>& key_out);
  // GROUPING(...) in a query that is not grouped: 42803 (its arguments cannot be group keys).
  void fail_ungrouped_grouping(const Expr& e);
  // Set for one query level's grouping analysis (apply_grouping): whether it has grouping sets (then no
  // column counts as grouped through the primary key), and its GROUPING calls as HashAggregate columns.
  bool grouping_sets_ = false;
  std::vector<std::vector<int>> grouping_calls_;
  std::vector<OutputColumn> grouping_out_;
  bool is_agg_output(ColumnId id) const;

  // Window functions (binder's "Window functions" section): each call is bound where it appears into a
  // column of a WindowOp, which plan_windows builds above the grouping and HAVING.
  struct WindowBinding {
    WindowFunction func = WindowFunction::RowNumber;
    std::vector<ExprPtr> args;
    std::vector<ExprPtr> partition;
    std::vector<ExprPtr> order;
    std::vector<plan::SortKey> order_dirs;  // column unset
    plan::WindowFrame frame;
    // RANGE with an offset: what becomes frame.range_key / start_bound / end_bound (plan_windows).
    ExprPtr range_key, start_bound, end_bound;
    OutputColumn out;
  };
  // A window specification with its references to the WINDOW clause resolved.
  struct ResolvedWindow {
    const std::vector<ast::ExprPtr>* partition = nullptr;
    const std::vector<ast::OrderItem>* order = nullptr;
    int frame_options = 0;
    const ast::Expr* start_offset = nullptr;
    const ast::Expr* end_offset = nullptr;
    int location = -1;
  };
  ExprPtr bind_window_call(const ast::Expr& e, ExprCtx& c);
  // `d` with its reference to a named window (among the first `visible` items of the WINDOW clause)
  // resolved; PostgreSQL's 42704 / 42P20 errors.
  ResolvedWindow resolve_window(const ast::WindowDef& d, size_t visible, int location);
  // The WINDOW clause's names: 42P20 for a name defined twice, 42704 / 42P20 for bad references.
  void check_window_clause(const std::vector<ast::WindowDef>& windows);
  void bind_frame(const ResolvedWindow& w, WindowBinding& out);
  bool is_window_output(ColumnId id) const;
  // The select list's set-returning function's column (computed above the grouping).
  bool is_srf_output(ColumnId id) const {
    if (!srf_) return false;
    for (const OutputColumn& c : srf_->output)
      if (c.id == id) return true;
    return false;
  }
  // The WindowOps computing wins_ over `cur` (one per distinct PARTITION BY + ORDER BY), stacked.
  OpPtr plan_windows(OpPtr cur);

  // Query composition (binder's "Query expressions" section): a SELECT, a set operation or VALUES,
  // with its WITH clause; derived tables and CTE references in FROM.
  // keep_unknown: a set operation's leaf keeps unknown-typed literal outputs for the set operation to
  // resolve (PostgreSQL: `SELECT 1 UNION SELECT '2'` is integer).
  // recursive >= 0: the query of recursive_[recursive] (bind_recursive).
  BoundQuery bind_query(const ast::SelectStmt& s, bool keep_unknown = false, int recursive = -1);
  // records: its select list may hold record values (record_targets_).
  BoundQuery bind_select(const ast::SelectStmt& s, bool keep_unknown, bool records = false);
  BoundQuery bind_set_operation(const ast::SelectStmt& s);
  BoundQuery bind_set_tree(const ast::SelectStmt& s);
  BoundQuery bind_set_node(const ast::SelectStmt& s);
  BoundQuery bind_values(const ast::SelectStmt& s);
  // ORDER BY (result columns by name or position) and LIMIT / OFFSET over a set operation.
  BoundQuery order_result(BoundQuery q, const ast::SelectStmt& s);
  void bind_with(const ast::SelectStmt& s);
  // A WITH clause `with` whose statement names CTE `name` body_references(name) times outside it (a
  // SELECT's, or an INSERT's, UPDATE's or DELETE's).
  void bind_with(const std::vector<ast::CommonTableExpr>& with, bool recursive,
                 const std::function<int(const std::string&)>& body_references);
  // After the query of WITH item `cte` is bound into `q` (its subqueries from subplans_[subplans] on):
  // materializes it when PostgreSQL would (a CteOp in subplans_; `def` then says how references read
  // it), else drops `q` and those subqueries (each reference binds the query again). `references`: how
  // often the rest of the WITH's query names it; `inline_only`: it must be inlined (it names an
  // enclosing query, or is inside a recursive term).
  void materialize_cte(CteDef& def, BoundQuery q, size_t subplans, int references, bool inline_only);
  // A data-modifying WITH item (def.cte->dml): its statement planned into subplans_, materialized when it
  // has RETURNING (a CteOp over its plan), else as its sink alone; it runs whether referenced or not.
  void bind_dml_cte(CteDef& def);
  // A correlation count: grows when the query being bound names an enclosing query.
  size_t outer_names() const;
  // The query of CTE `def`, bound where it is referenced (or defined).
  BoundQuery bind_cte_query(CteDef def);
  // WITH RECURSIVE (binder's "WITH RECURSIVE" section): the query of recursive_[r], a RecursiveUnionOp
  // when it is a UNION whose recursive term names it; a reference to it there is a WorkTableScanOp.
  BoundQuery bind_recursive(const ast::SelectStmt& s, size_t r);
  int open_recursive_reference(size_t r, const ast::TableRef& ref, const std::vector<std::string>& aliases);
  // A FROM item reading rows a runtime buffer holds (a CteScanOp, a WorkTableScanOp, without output
  // yet): one fresh output column of `scan` per entry of `columns` (names and types; typmods[i] or -1).
  int open_buffer_relation(OpPtr scan, const std::vector<OutputColumn>& columns,
                           const std::vector<int32_t>& typmods, const ast::TableRef& ref,
                           const std::vector<std::string>& aliases);
  // CTEs AS NOT MATERIALIZED referencing ones referenced twice grow exponentially when inlined: a
  // statement binds at most kMaxCteBindings CTE queries (54000 past it).
  void count_cte_binding() {
    if (++cte_bindings_ > kMaxCteBindings)
      fail(SqlState::ProgramLimitExceeded,
           "WITH queries expand to too many subqueries (each reference to an inlined CTE "
           "binds its query again; at most " +
               std::to_string(kMaxCteBindings) + ")");
  }
  int open_derived(const ast::FromItem& item);
  int open_cte(size_t index, const ast::TableRef& ref, const std::vector<std::string>& aliases);
  // A view's stored query, parsed (kept in view_queries_); 42P17 when the view reaches itself.
  const ast::SelectStmt& view_query(const storage::TableDef& view);
  // While a view's query is bound: it sees neither the statement's CTEs nor its enclosing queries, and of
  // each relation only the columns that existed when it was created (view_def_).
  class InsideView {
   public:
    InsideView(Binder& b, const storage::TableDef& view)
        : b_(b), ctes_(std::move(b.ctes_)), scopes_(std::move(b.outer_scopes_)), outer_view_(b.view_def_) {
      b.ctes_.clear();
      b.outer_scopes_.clear();
      b.view_def_ = view.view.get();
      b.view_stack_.push_back(view.id);
    }
    ~InsideView() { leave(); }
    void leave() {
      if (left_) return;
      left_ = true;
      b_.view_stack_.pop_back();
      b_.view_def_ = outer_view_;
      b_.ctes_ = std::move(ctes_);
      b_.outer_scopes_ = std::move(scopes_);
    }
    InsideView(const InsideView&) = delete;
    InsideView& operator=(const InsideView&) = delete;

   private:
    Binder& b_;
    std::vector<CteDef> ctes_;
    std::vector<Scope*> scopes_;
    const storage::ViewDef* outer_view_;
    bool left_ = false;
  };
  // A view named in FROM: its stored query bound as a derived table of its own (binder's "Views").
  int open_view(storage::TableDefPtr view, const ast::TableRef& ref, const std::vector<std::string>& aliases);
  // Inside a view's query: the highest attribute number of `relation` it may see (INT32_MAX: all).
  int32_t visible_attnums(uint32_t relation) const;
  // Makes `q`'s output column `id` (an unknown-typed literal or parameter) of type t.
  bool resolve_unknown(Op& op, ColumnId id, TypeId t);

  PlannedStatement plan_select(const ast::SelectStmt& s);

 public:
  // CREATE VIEW: the view's definition (columns, query text, dependencies) from its bound query.
  storage::TableDef bind_view(const ast::CreateViewStmt& s, const ast::SelectStmt& query);
  storage::TableDef bind_table_as(const ast::CreateTableStmt& s);
  // The columns of a table or view made from query `q` (CREATE VIEW, CREATE TABLE AS): named by `names`
  // first, then by the query's names (42701 for a name twice), typed as the query's (unknown: text).
  std::vector<storage::ColumnDef> query_columns(const BoundQuery& q, const std::vector<std::string>& names);

 private:
  PlannedStatement plan_insert(const ast::InsertStmt& s);
  // Through a view, `view_cols` are the view's columns INSERT names (target_cols their base columns).
  PlannedStatement plan_insert_select(const ast::InsertStmt& s, const storage::TableDefPtr& table,
                                      const std::vector<int>& target_cols, const ViewTarget* view = nullptr,
                                      const std::vector<int>* view_cols = nullptr);
  OpPtr plan_on_conflict(const ast::InsertStmt& s, OpPtr& values);
  // RETURNING: a Project of `list` (bound over `scope`, as a select list) above `dml`, as the statement's
  // result. `columns` maps each column of the scope's relation to the one RETURNING reads instead (UPDATE:
  // the new values); empty: the relation's own.
  void plan_returning(const std::vector<ast::SelectTarget>& list, Scope& scope, OpPtr dml,
                      const std::vector<ColumnId>& columns, PlannedStatement& out);
  // plan_returning in two steps: the Project of `list` bound over `scope` (every relation of it: UPDATE
  // ... FROM's too; before the scans are made, so that they read the columns it names), then put above
  // `dml` as the statement's root.
  std::unique_ptr<plan::ProjectOp> bind_returning(const std::vector<ast::SelectTarget>& list, Scope& scope,
                                                  PlannedStatement& out);
  void attach_returning(std::unique_ptr<plan::ProjectOp> project, int rel, OpPtr dml,
                        const std::vector<ColumnId>& columns, PlannedStatement& out);
  // INSERT ... RETURNING's root: the insert passing each row on as the columns of a relation opened for
  // the target table.
  void finish_insert(const ast::InsertStmt& s, std::unique_ptr<plan::InsertOp> insert, PlannedStatement& out,
                     const ViewTarget* view = nullptr);

 public:
  PlannedStatement plan_defaults(const storage::TableDef& table, const std::vector<int>& columns);

 private:
  // Through a view (`view`, whose relation `rel` is), the names are the view's columns.
  std::vector<ExprPtr> bind_assignments(const std::vector<std::pair<std::string, ast::ExprPtr>>& list,
                                        ExprCtx& c, int rel, int location, const ViewTarget* view = nullptr);
  PlannedStatement plan_update(const ast::UpdateStmt& s);
  PlannedStatement plan_delete(const ast::DeleteStmt& s);
  void finish(PlannedStatement& out);

 public:
  // One CHECK expression over a row of `table` whose columns are `row` (table order): the predicate.
  ExprPtr bind_check_expr(const ast::Expr& e, const storage::TableDef& table,
                          const std::vector<OutputColumn>& row);
  // An expression over a row of `table` whose columns are `row` (table order), bound in the scope of that
  // row alone (`clause` names it in errors: "check constraints", "index expressions" ...).
  ExprPtr bind_row_expr(const ast::Expr& e, const storage::TableDef& table,
                        const std::vector<OutputColumn>& row, const std::string& clause);
  // The VALUES row of $1..$n typed as `table`'s columns, for the plans that evaluate expressions over a
  // row the caller gives (plan_copy_checks, plan_index_values).
  std::unique_ptr<plan::ValuesOp> param_row(const storage::TableDef& table);
  // The CHECK constraints of `table` over the row `row` (table order; empty: fresh columns), RowChecks
  // (empty without checks).
  plan::RowChecks bind_row_checks(const storage::TableDef& table, std::vector<OutputColumn> row = {});
  ColumnId fresh_id() { return new_id(); }
  // Every IN list of literals becomes one InSet (not comparisons joined by OR), as PostgreSQL prints it
  // (x = ANY (ARRAY[...])): for a CHECK's printed form.
  void in_lists_as_sets() { in_set_min_ = 1; }
  PlannedStatement plan_copy_checks(const storage::TableDef& table);
  PlannedStatement plan_index_values(const storage::TableDef& table, const storage::IndexDef& index);
  PlannedStatement plan_type_change(const storage::TableDef& table, const std::vector<TypeChange>& changes);
  TypeId default_type(const storage::TableDef& table, const storage::ColumnDef& col) {
    return column_default(table, col, true)->type;
  }
  ExprPtr to_bool_public(ExprPtr e, const std::string& what, int loc) {
    return to_bool(std::move(e), what, loc);
  }
  // The statement of a SELECT whose plan is `root` (its output the result columns), finished.
  PlannedStatement finish_select(OpPtr root);

 private:
  ColumnId new_id() {
    col_rel_.push_back(-1);
    col_names_.emplace_back();
    return next_id_++;
  }
  const dtsql::EvalContext& dt() const {
    return ctx_.datetime ? *ctx_.datetime : detail::default_datetime_context();
  }
  // A date/time operator ("+", "-", "*", "/", "u-") or function over `args`, resolved against
  // dtsql::signatures() with PostgreSQL's rules for unknown literals and implicit casts; null when no
  // signature has that name and arity and a date/time argument (the caller reports 42883).
  ExprPtr bind_datetime(const std::string& name, std::vector<ExprPtr>& args, int loc, bool is_operator);
  // A catalog function (catalog/functions.h) over `args`; null when no catalog function has that name.
  ExprPtr bind_catalog_function(const std::string& name, std::vector<ExprPtr>& args, int loc);

  const PlannerContext& ctx_;
  ColumnId next_id_ = 0;
  std::vector<Relation> rels_;                // every table of the statement's FROM clause
  std::vector<storage::TableDefPtr> tables_;  // every user table looked up (PlannedStatement::tables)
  std::vector<int> col_rel_;                  // ColumnId -> its relation, -1 if none
  std::vector<std::string> col_names_;        // ColumnId -> name, for rendering group key names
  std::vector<AggregateCall> aggs_;
  std::vector<OutputColumn> agg_out_;
  std::vector<WindowBinding> wins_;                             // window calls of the query level
  const std::vector<ast::WindowDef>* window_clause_ = nullptr;  // its WINDOW clause
  // Column references outside aggregates in the select list, HAVING and ORDER BY, in order: the
  // grouping check (42803) names the first one that is neither grouped nor inside an aggregate.
  struct BareRef {
    ColumnId id;
    std::string name;  // "t.x"
    int location;
  };
  std::vector<BareRef> bare_refs_;
  std::vector<OpPtr> subplans_;  // PhysicalPlan::subplans, in order of completion
  // The scopes of the queries enclosing the one being bound that it may name (a subquery used as an
  // expression pushes its enclosing query's scope; a derived table or CTE pushes none: it cannot name
  // the FROM clause it is in). Query levels are level_ (Relation::level).
  std::vector<Scope*> outer_scopes_;
  // The subqueries used as expressions being bound, outermost first (SubqueryFrame).
  std::vector<SubqueryFrame> frames_;
  int correlate_level_ = -1;          // the subquery being decorrelated (may name the enclosing query)
  std::vector<ColumnId> outer_refs_;  // the enclosing query's columns it names
  std::vector<ExprPtr> correlated_;   // its WHERE conjuncts naming them
  struct PendingJoin {
    OpPtr build;
    std::vector<ExprPtr> build_keys, probe_keys;
    ExprPtr residual;
    bool anti = false;
    bool left = false;    // a scalar subquery's left join (else semi, or anti)
    bool single = false;  // at most one build row per probe row (JoinOp::single)
  };
  std::vector<ColumnId> scalar_join_columns_;  // columns the pending scalar joins produce
  std::vector<PendingJoin> pending_joins_;     // of the query level being bound (bind_query's Level)
  std::vector<Value> matrix_values_;           // INSERT values matrix, row-major
  std::vector<int> matrix_literals_;           // per matrix cell: its constant's Expr::literal
  std::vector<int> matrix_sources_;            // per matrix cell: the client param copied there, or -1
  std::unordered_map<const ast::Expr*, int> literal_slots_;  // PlannerContext::literals by node
  detail::LiteralTrace trace_;
  // plan::Expr::literal for constant `x` bound from the statement's literal `e` (-1 if not traced).
  int trace_literal(const ast::Expr& e, const Expr& x) {
    auto it = literal_slots_.find(&e);
    if (it == literal_slots_.end()) return -1;
    trace_.origins.push_back({it->second, x.type, TypeId::Unknown, TypeId::Unknown});
    return static_cast<int>(trace_.origins.size() - 1);
  }
  std::optional<std::vector<TypeId>> param_types_;  // $1..$n (see PlannerContext)
  bool row_params_only_ = false;  // $1..$n are a row's values (param_row), not the statement's: $n is 42P02
  std::vector<int> param_locations_;  // first use of each $n, for errors
  uint64_t values_rows_ = 0;
  // Query composition: the CTEs in scope (innermost last), the current query level (Relation::level)
  // and how deeply queries nest.
  std::vector<CteDef> ctes_;
  // WITH RECURSIVE: the CTEs whose queries are being bound (innermost last), the RecursiveUnionOps made so
  // far, how many outer joins' nullable sides and which INTERSECT / EXCEPT the item being bound is in.
  std::vector<RecursiveCte> recursive_;
  int next_recursive_ = 0;
  int nullable_sides_ = 0;
  const char* within_set_op_ = nullptr;
  int level_ = 0;
  int next_level_ = 0;
  int query_depth_ = 0;
  static constexpr int kMaxCteBindings = 1000;
  int cte_bindings_ = 0;
  // Record values: the next query bind_query binds may have them in its select list (a derived table's:
  // open_derived), and the derived tables' record columns bound so far (the ColumnId of each record's
  // place -> its fields, hidden columns of the relation that (rel.col).field names).
  bool record_targets_ = false;
  std::map<ColumnId, std::vector<OutputColumn>> record_columns_;
  // 0A000 when `x` reads a record column as a whole (only its fields can be read).
  void refuse_record(const Expr& x, int location) const;
  // A column reference `x` as the query names it: with `field`, (x).field, the field's hidden column when
  // x is a record column (42703 if it has no such field; 42809 when x is no record); without, x itself,
  // which must not be a record (refuse_record).
  ExprPtr record_field(ExprPtr x, const std::string* field, int location) const;
  int next_cte_ = 0;  // plan::CteOp::index of the next materialized CTE
  // The WITH clause of the statement being planned (Binder::plan): the only one that may hold
  // data-modifying items, as in PostgreSQL.
  const std::vector<ast::CommonTableExpr>* top_with_ = nullptr;
  bool in_dml_cte_ = false;           // planning a data-modifying WITH item's statement
  bool data_modifying_with_ = false;  // PlannedStatement::data_modifying_with
  size_t in_set_min_ = 8;             // in_set(): the shortest IN list that becomes an InSet
  size_t copied_nodes_ = 0;           // copy_operand()'s count for the statement
  // Views (open_view): the innermost view whose query is being bound (its dependencies hide columns
  // added since it was created), the views being expanded (42P17 for a cycle), their parsed queries,
  // and the relations the statement's own query names (bind_view's dependencies).
  const storage::ViewDef* view_def_ = nullptr;
  std::vector<uint32_t> view_stack_;
  std::vector<ast::StmtPtr> view_queries_;
  std::vector<int> direct_rels_;
  static constexpr size_t kMaxViewDepth = 100;
};

// ---------------------------------------------------------------------------------------------------
// Tables and scopes

storage::TableDefPtr Binder::lookup(const ast::TableRef& ref) {
  std::string full = ref.schema.empty() ? ref.name : ref.schema + "." + ref.name;
  storage::TableDefPtr t;
  // pg_catalog is searched first, as PostgreSQL does when the search_path does not name it.
  if (ref.schema.empty() || ref.schema == "pg_catalog" || ref.schema == "information_schema")
    t = catalog::find_system_table(ref.schema, ref.name);
  // User relations: the session's temporary ones first, then the search_path's (storage::NameScope). A
  // view's query reads its unqualified names in public (views live there: docs/schema.md, "Schemas").
  std::optional<storage::NameScope> scope =
      ctx_.catalog ? ctx_.catalog->name_scope(ref.schema, ctx_.overlay)
                   : (ref.schema.empty() ? std::optional(storage::NameScope::SearchPath) : std::nullopt);
  if (scope && *scope == storage::NameScope::SearchPath && !view_stack_.empty())
    scope = storage::NameScope::Permanent;
  if (!t && scope) {
    if (ctx_.resolve_table && *scope == storage::NameScope::SearchPath) {
      t = ctx_.resolve_table(ref.name);
    } else if (ctx_.catalog) {
      t = ctx_.catalog->find(ref.name, ctx_.overlay, *scope);
    }
    if (!t && ctx_.catalog)  // a sequence reads as one row (last_value, log_cnt, is_called)
      if (storage::SequenceDefPtr seq = ctx_.catalog->find_sequence(ref.name, ctx_.overlay, *scope))
        t = catalog::sequence_relation(*seq);
  }
  if (!t) fail(SqlState::UndefinedTable, "relation \"" + full + "\" does not exist", ref.location);
  if (!catalog::is_system_table(t->id) && std::find(tables_.begin(), tables_.end(), t) == tables_.end())
    tables_.push_back(t);
  return t;
}

// Whether FROM entry `r` is schema `schema`'s table named without an alias (a reference s.t.c).
bool Binder::in_schema(const Relation& r, const std::string& schema) const {
  if (r.has_alias || !r.table) return false;
  if (catalog::is_system_table(r.table->id)) return schema == "pg_catalog" || schema == "information_schema";
  if (r.table->is_temp())
    return schema == "pg_temp" || schema == storage::temp_namespace_name(r.table->temp_namespace);
  return ctx_.catalog && ctx_.catalog->schema_name(r.table->schema, ctx_.overlay) == schema;
}

int Binder::open_relation(const ast::TableRef& ref, const std::vector<std::string>& aliases) {
  if (ref.schema.empty())
    for (size_t i = ctes_.size(); i-- > 0;)
      if (ctes_[i].cte->name == ref.name) return open_cte(i, ref, aliases);
  Relation r;
  r.table = lookup(ref);
  if (r.table->is_view()) return open_view(std::move(r.table), ref, aliases);
  r.has_alias = !ref.alias.empty();
  r.refname = r.has_alias ? ref.alias : ref.name;
  const int32_t visible = visible_attnums(r.table->id);
  for (size_t i = 0; i < r.table->columns.size(); ++i) {
    const storage::ColumnDef& col = r.table->columns[i];
    r.columns.push_back({col.name, col.type, col.max_length, r.table->attnum(i) > visible});
  }
  const int rel = add_relation(std::move(r), aliases, ref.location);
  if (view_stack_.empty()) direct_rels_.push_back(rel);
  return rel;
}

int Binder::add_relation(Relation r, const std::vector<std::string>& aliases, int location) {
  const size_t available = static_cast<size_t>(
      std::count_if(r.columns.begin(), r.columns.end(), [](const RelColumn& c) { return !c.hidden; }));
  if (aliases.size() > available)
    fail(SqlState::InvalidColumnReference,
         "table \"" + r.refname + "\" has " + std::to_string(available) + " columns available but " +
             std::to_string(aliases.size()) + " columns specified",
         location);
  for (size_t i = 0; i < aliases.size(); ++i) r.columns[i].name = aliases[i];
  r.level = level_;
  for (const Relation& other : rels_)
    if (other.level == r.level && other.refname == r.refname && !other.row_only)
      fail(SqlState::DuplicateAlias, "table name \"" + r.refname + "\" specified more than once", location);
  const int index = static_cast<int>(rels_.size());
  r.used.assign(r.columns.size(), false);
  if (r.table) {
    r.ids.clear();
    for (size_t i = 0; i < r.columns.size(); ++i) r.ids.push_back(new_id());
  }
  for (size_t i = 0; i < r.columns.size(); ++i) {
    ColumnId id = r.ids[i];
    col_rel_[static_cast<size_t>(id)] = index;
    col_names_[static_cast<size_t>(id)] = r.columns[i].name;
  }
  rels_.push_back(std::move(r));
  return index;
}

int Binder::find_rel_column(const Relation& r, const std::string& name, int location) const {
  int found = -1;
  for (size_t i = 0; i < r.columns.size(); ++i) {
    if (r.columns[i].name != name || r.columns[i].hidden) continue;
    if (found >= 0)
      fail(SqlState::AmbiguousColumn, "column reference \"" + name + "\" is ambiguous", location);
    found = static_cast<int>(i);
  }
  return found;
}

// The system column tableoid: the relation's OID, the same for every row.
ExprPtr Binder::table_oid_column(const Relation& r) const {
  return Expr::make_constant(Value::datetime(TypeId::Oid, catalog::relation_oid(*r.table)), TypeId::Oid);
}

void Binder::check_missing_system_column(const Relation& r, const std::string& name, int location) const {
  if (!r.table) return;
  std::string type = catalog::missing_system_column(*r.table, name);
  if (!type.empty())
    throw_unsupported("column " + r.table->name + "." + name + " (type " + type + ")", pos_of(location));
}

FromEntry Binder::table_entry(int rel) {
  const Relation& r = rels_[static_cast<size_t>(rel)];
  FromEntry e;
  e.rels.push_back(rel);
  for (size_t i = 0; i < r.columns.size(); ++i) {
    const RelColumn& col = r.columns[i];
    if (col.hidden) continue;
    e.columns.push_back({col.name, Expr::make_column(r.ids[i], col.type), col.max_length});
  }
  return e;
}

// INSERT / UPDATE / DELETE target: system catalogs are read-only (42501, as PostgreSQL answers).
void check_writable(const storage::TableDef& t, int location) {
  if (t.is_view())
    throw_unsupported("INSERT, UPDATE and DELETE on views (PostgreSQL's automatically updatable views)",
                      pos_of(location));
  if (catalog::is_sequence_relation(t.id))
    fail(SqlState::WrongObjectType, "cannot change sequence \"" + t.name + "\"", location);
  if (catalog::is_system_table(t.id))
    fail(SqlState::InsufficientPrivilege, "permission denied for table " + t.name, location);
}

Scope Binder::open_scope(const ast::TableRef& ref, char command, std::optional<ViewTarget>* view) {
  Scope s;
  storage::TableDefPtr target = lookup(ref);
  if (target->is_view() && view) {
    // The statement's CTEs stay out of sight (open_view_target hides them from the view's query too).
    *view = open_view_target(target, ref, {}, command);
    s.rels.push_back((*view)->rel);
    s.entries.push_back(table_entry((*view)->rel));
    return s;
  }
  check_writable(*target, ref.location);  // before a view would be expanded
  // The statement's CTEs stay out of sight while the target is opened.
  std::vector<CteDef> ctes = std::move(ctes_);
  ctes_.clear();
  int rel = -1;
  try {
    rel = open_relation(ref);
  } catch (...) {
    ctes_ = std::move(ctes);
    throw;
  }
  ctes_ = std::move(ctes);
  check_writable(*rels_[static_cast<size_t>(rel)].table, ref.location);
  s.rels.push_back(rel);
  s.entries.push_back(table_entry(rel));
  return s;
}

OpPtr Binder::make_leaf(int rel) {
  Relation& r = rels_[static_cast<size_t>(rel)];
  if (r.table) return make_scan(rel, false);
  if (!r.lateral.empty()) throw_unsupported("LATERAL references to FROM items outside the join");
  if (r.function) return apply_function(rel, nullptr);
  if (!r.derived) throw SqlError(SqlState::InternalError, "planner: a derived table planned twice");
  return std::move(r.derived);
}

std::unique_ptr<plan::TableScanOp> Binder::make_scan(int rel, bool all_columns) {
  const Relation& r = rels_[static_cast<size_t>(rel)];
  auto scan = std::make_unique<plan::TableScanOp>();
  scan->table = r.table;
  for (size_t i = 0; i < r.table->columns.size(); ++i) {
    if (!all_columns && !r.used[i]) continue;
    const auto& col = r.table->columns[i];
    scan->output.push_back({r.ids[i], col.name, col.type});
    scan->scan_columns.push_back(static_cast<int>(i));
  }
  return scan;
}

void Binder::mark_used(const Expr& e) {
  if (e.op == ExprOp::Column) {
    int rel = rel_of(e.column);
    if (rel >= 0) {
      Relation& r = rels_[static_cast<size_t>(rel)];
      for (size_t i = 0; i < r.ids.size(); ++i)
        if (r.ids[i] == e.column) r.used[i] = true;
    }
  }
  for (const auto& a : e.args) mark_used(*a);
}

void Binder::rels_of(const Expr& e, std::vector<int>& out) const {
  if (e.op == ExprOp::Column) {
    int rel = rel_of(e.column);
    if (rel >= 0 && std::find(out.begin(), out.end(), rel) == out.end()) out.push_back(rel);
  }
  for (const auto& a : e.args) rels_of(*a, out);
}

// ---------------------------------------------------------------------------------------------------
// Expressions

ExprPtr Binder::bind(const ast::Expr& e, ExprCtx& c) {
  try {
    return bind_inner(e, c);
  } catch (SqlError& err) {
    if (err.position() == 0 && e.location >= 0) std::move(err).at(pos_of(e.location));
    throw;
  }
}

ExprPtr Binder::convert(ExprPtr e, TypeId t) {
  if (e->type == t) return e;
  if (e->op == ExprOp::Constant && !e->constant.is_null() && (is_reg_type(t) || is_reg_type(e->type)) &&
      (is_string_type(e->type) || is_string_type(t))) {
    // A name read as an object identifier ('t'::regclass) is looked up now when the binder has the
    // catalog (the plan is planned again when the catalog changes); the other way at run time.
    if (is_reg_type(t) && ctx_.catalog && (!ctx_.resolve_table || stored_path_)) {
      try {
        catalog::SchemaScope schemas(schema_view());
        return Expr::make_constant(
            Value::datetime(t, catalog::reg_in(t, e->constant.as_text(), ctx_.catalog->tables(ctx_.overlay),
                                               ctx_.catalog->sequences(ctx_.overlay))),
            t);
      } catch (SqlError& err) {
        if (err.position() == 0 && e->location >= 0) std::move(err).at(pos_of(e->location));
        throw;
      }
    }
    return Expr::make(ExprOp::Cast, t, list(std::move(e)));
  }
  if (e->op == ExprOp::Constant) {
    try {
      ExprPtr x = Expr::make_constant(detail::convert_value(e->constant, t, dt()), t);
      if (e->literal >= 0 && t != TypeId::Unknown &&
          trace_.origins[static_cast<size_t>(e->literal)].cast == TypeId::Unknown) {
        // A traced literal converted once: the conversion is replayed for its next value.
        LiteralParam converted = trace_.origins[static_cast<size_t>(e->literal)];
        converted.cast = t;
        trace_.origins.push_back(converted);
        x->literal = static_cast<int>(trace_.origins.size() - 1);
      }
      return x;
    } catch (SqlError& err) {  // PostgreSQL reports a literal that does not convert at the literal
      if (err.position() == 0 && e->location >= 0) std::move(err).at(pos_of(e->location));
      throw;
    }
  }
  if (is_unknown_param(*e) && is_reg_type(t) && param_types_) {
    // A parameter read as regclass ... ($1 of nextval($1)): typed text, its name looked up at run time.
    return convert(convert(std::move(e), TypeId::Text), t);
  }
  if (is_unknown_param(*e) && t != TypeId::Unknown && param_types_) {
    // PostgreSQL's variable_coerce_param_hook: the first coercion of an unknown $n fixes its type.
    TypeId& slot = (*param_types_)[static_cast<size_t>(e->param)];
    if (slot == TypeId::Unknown) {
      slot = t;
    } else if (slot != t) {
      throw SqlError(SqlState::AmbiguousParameter,
                     "inconsistent types deduced for parameter $" + std::to_string(e->param + 1))
          .with_detail(tn(slot) + " versus " + tn(t));
    }
    e->type = t;
    return e;
  }
  return Expr::make(ExprOp::Cast, t, list(std::move(e)));
}

ExprPtr Binder::with_typmod(ExprPtr e, int32_t typmod) {
  if (e->op == ExprOp::Constant) {
    if (e->constant.is_null()) return e;
    return Expr::make_constant(Value::numeric(num::apply_typmod(e->constant.as_text(), typmod)),
                               TypeId::Numeric);
  }
  ExprPtr x = Expr::make(ExprOp::Cast, TypeId::Numeric, list(std::move(e)));
  x->func = typmod;
  return x;
}

ExprPtr Binder::interval_typmod(ExprPtr e, int32_t typmod) {
  ExprPtr x = Expr::make(ExprOp::DateTime, TypeId::Interval,
                         list(std::move(e), Expr::make_constant(Value::int32(typmod), TypeId::Int32)));
  x->func = static_cast<int>(dtsql::Func::IntervalTypmod);
  return x;
}

ExprPtr Binder::bpchar_typmod(ExprPtr e, int32_t n, bool is_explicit) {
  if (e->op == ExprOp::Constant) {
    if (e->constant.is_null()) return e;
    return Expr::make_constant(
        Value::text(textsql::bpchar_typmod(e->constant.as_text(), n, is_explicit), TypeId::BpChar),
        TypeId::BpChar);
  }
  std::vector<ExprPtr> args = list(std::move(e), Expr::make_constant(Value::int32(n), TypeId::Int32));
  args.push_back(Expr::make_constant(Value::boolean(is_explicit), TypeId::Bool));
  ExprPtr x = Expr::make(ExprOp::Text, TypeId::BpChar, std::move(args));
  x->func = static_cast<int>(textsql::Func::BpcharTypmod);
  return x;
}

ExprPtr Binder::bind_param(const ast::Expr& e) {
  constexpr int kMaxParams = 65535;  // Bind carries an int16 count
  int n = e.param_number;
  if (!param_types_ || row_params_only_ || n < 1 || n > kMaxParams)
    fail(SqlState::UndefinedParameter, "there is no parameter $" + std::to_string(n), e.location);
  auto index = static_cast<size_t>(n - 1);
  if (param_types_->size() <= index) param_types_->resize(index + 1, TypeId::Unknown);
  if (param_locations_.size() <= index) param_locations_.resize(index + 1, -1);
  if (param_locations_[index] < 0) param_locations_[index] = e.location;
  return Expr::make_param(n - 1, (*param_types_)[index]);
}

// PostgreSQL's check after parse analysis: every parameter's type must be known.
void Binder::check_params_resolved() {
  if (!param_types_) return;
  for (size_t i = 0; i < param_types_->size(); ++i) {
    if ((*param_types_)[i] != TypeId::Unknown) continue;
    SqlError err(SqlState::IndeterminateDatatype,
                 "could not determine data type of parameter $" + std::to_string(i + 1));
    throw err;
  }
}

void Binder::refuse_record(const Expr& x, int location) const {
  if (x.op == ExprOp::Column && record_columns_.count(x.column)) {
    const int rel = rel_of(x.column);
    const std::string name = (rel >= 0 ? rels_[static_cast<size_t>(rel)].refname + "." : std::string()) +
                             col_names_[static_cast<size_t>(x.column)];
    throw_unsupported(
        "record values as a whole (column " + name + "; its fields are read with (" + name + ").field)",
        pos_of(location));
  }
  for (const auto& a : x.args) refuse_record(*a, location);
}

ExprPtr Binder::record_field(ExprPtr x, const std::string* field, int location) const {
  if (!field) {
    refuse_record(*x, location);
    return x;
  }
  auto it = x->op == ExprOp::Column ? record_columns_.find(x->column) : record_columns_.end();
  if (it == record_columns_.end())
    fail(SqlState::WrongObjectType,
         "column notation ." + *field + " applied to type " + tn(x->type) + ", which is not a composite type",
         location);
  for (const OutputColumn& f : it->second)
    if (f.name == *field) return Expr::make_column(f.id, f.type);
  fail(SqlState::UndefinedColumn, "could not identify column \"" + *field + "\" in record data type",
       location);
}

ExprPtr Binder::bind_column(const ast::Expr& e, ExprCtx& c, const std::string* field) {
  if (c.in_default)
    fail(SqlState::FeatureNotSupported, "cannot use column reference in DEFAULT expression", e.location);
  if (c.no_variables)
    fail(SqlState::InvalidColumnReference, "argument of " + c.clause + " must not contain variables",
         e.location);
  std::string qual, name;
  const auto& n = e.names;
  if (n.size() == 1) {
    name = n[0];
  } else if (n.size() == 2) {
    qual = n[0];
    name = n[1];
  } else if (n.size() == 3) {  // schema.table.column: the table's FROM entry without an alias
    qual = n[1];
    name = n[2];
  } else {
    fail(SqlState::SyntaxError, "improper qualified name (too many dotted names)", e.location);
  }
  Scope* s = c.scope;
  if (!qual.empty()) {
    int found = -1;
    if (s)
      for (int r : s->rels)
        if (rels_[static_cast<size_t>(r)].refname == qual &&
            (n.size() < 3 || in_schema(rels_[static_cast<size_t>(r)], n[0])))
          found = r;
    if (found < 0) {
      if (ExprPtr x = resolve_enclosing(qual, name, e.location, field)) return x;
      for (const Relation& r : rels_)
        if (r.level == level_ && r.refname == qual)
          fail(SqlState::UndefinedTable, "invalid reference to FROM-clause entry for table \"" + qual + "\"",
               e.location,
               "There is an entry for table \"" + qual +
                   "\", but it cannot be referenced from this part of the query.");
      if (s)
        for (int r : s->rels) {
          const Relation& rel = rels_[static_cast<size_t>(r)];
          if (rel.has_alias && rel.table && qual == rel.table->name)
            fail(SqlState::UndefinedTable,
                 "invalid reference to FROM-clause entry for table \"" + qual + "\"", e.location,
                 "Perhaps you meant to reference the table alias \"" + rel.refname + "\".");
        }
      fail(SqlState::UndefinedTable, "missing FROM-clause entry for table \"" + qual + "\"", e.location);
    }
    Relation& rel = rels_[static_cast<size_t>(found)];
    int idx = find_rel_column(rel, name, e.location);
    if (idx < 0 && name == "tableoid" && rel.table) return table_oid_column(rel);
    if (idx < 0) {
      check_missing_system_column(rel, name, e.location);
      fail(SqlState::UndefinedColumn, "column " + qual + "." + name + " does not exist", e.location);
    }
    ExprPtr x = record_field(Expr::make_column(rel.ids[idx], rel.columns[idx].type), field, e.location);
    mark_used(*x);
    if (c.track_bare && !c.in_agg) bare_refs_.push_back({x->column, rel.refname + "." + name, e.location});
    return x;
  }
  const ItemColumn* match = nullptr;
  if (s)
    for (const FromEntry& entry : s->entries)
      for (const ItemColumn& col : entry.columns) {
        if (col.name != name) continue;
        if (match)
          fail(SqlState::AmbiguousColumn, "column reference \"" + name + "\" is ambiguous", e.location);
        match = &col;
      }
  if (!match && name == "tableoid" && s && s->rels.size() == 1 &&
      rels_[static_cast<size_t>(s->rels[0])].table)
    return table_oid_column(rels_[static_cast<size_t>(s->rels[0])]);
  if (!match) {
    if (ExprPtr x = resolve_enclosing("", name, e.location, field)) return x;
    if (s)
      for (int r : s->rels) check_missing_system_column(rels_[static_cast<size_t>(r)], name, e.location);
    fail(SqlState::UndefinedColumn, "column \"" + name + "\" does not exist", e.location);
  }
  ExprPtr x = record_field(detail::clone(*match->expr), field, e.location);
  mark_used(*x);
  if (c.track_bare && !c.in_agg) {
    if (x->op == ExprOp::Column && rel_of(x->column) >= 0) {
      bare_refs_.push_back(
          {x->column, rels_[static_cast<size_t>(rel_of(x->column))].refname + "." + name, e.location});
    } else {
      // A merged USING column: the grouping check names it by its name.
      std::function<void(const Expr&)> walk = [&](const Expr& y) {
        if (y.op == ExprOp::Column) bare_refs_.push_back({y.column, name, e.location});
        for (const auto& a : y.args) walk(*a);
      };
      walk(*x);
    }
  }
  return x;
}

ExprPtr Binder::to_bool(ExprPtr e, const std::string& what, int loc) {
  if (e->type == TypeId::Bool) return e;
  if (e->type == TypeId::Unknown) return convert(std::move(e), TypeId::Bool);
  fail(SqlState::DatatypeMismatch, what + " must be type boolean, not type " + tn(e->type), loc);
}

ExprPtr Binder::bind_bool_test(const ast::Expr& e, ExprCtx& c) {
  const bool unknown = e.value.is_null(), truth = !unknown && e.value.as_bool();
  const int form = unknown ? (e.negated ? plan::kIsNotUnknown : plan::kIsUnknown)
                   : truth ? (e.negated ? plan::kIsNotTrue : plan::kIsTrue)
                           : (e.negated ? plan::kIsNotFalse : plan::kIsFalse);
  const std::string what = "argument of " + std::string(plan::bool_test_sql(form)).substr(1);
  const ast::Expr& arg = *e.args.at(0);
  ExprPtr r = Expr::make(ExprOp::BoolTest, TypeId::Bool,
                         list(to_bool(bind(arg, c), what, arg.location >= 0 ? arg.location : e.location)));
  r->func = form;
  return r;
}

ExprPtr Binder::arith(ExprOp op, const char* sym, ExprPtr l, ExprPtr r, int loc) {
  TypeId lt = l->type, rt = r->type;
  if (lt == TypeId::Unknown && rt == TypeId::Unknown)
    fail(SqlState::AmbiguousFunction, std::string("operator is not unique: unknown ") + sym + " unknown", loc,
         "Could not choose a best candidate operator. You might need to add explicit type casts.");
  if (is_datetime(lt) || is_datetime(rt) || (lt == TypeId::Interval) ||
      ((lt == TypeId::Unknown || rt == TypeId::Unknown) && (is_datetime(lt) || is_datetime(rt)))) {
    std::vector<ExprPtr> args;
    args.push_back(std::move(l));
    args.push_back(std::move(r));
    if (ExprPtr x = bind_datetime(sym, args, loc, true)) return x;
    fail(SqlState::UndefinedFunction, "operator does not exist: " + tn(lt) + " " + sym + " " + tn(rt), loc,
         kCastHint);
  }
  if (lt == TypeId::Unknown && is_numeric(rt)) l = convert(std::move(l), lt = rt);
  if (rt == TypeId::Unknown && is_numeric(lt)) r = convert(std::move(r), rt = lt);
  if (!is_numeric(lt) || !is_numeric(rt))
    fail(SqlState::UndefinedFunction, "operator does not exist: " + tn(lt) + " " + sym + " " + tn(rt), loc,
         kCastHint);
  TypeId t = operator_type(lt, rt);
  if (op == ExprOp::Mod && is_float(t))
    fail(SqlState::UndefinedFunction, "operator does not exist: " + tn(lt) + " % " + tn(rt), loc, kCastHint);
  return Expr::make(op, t, list(convert(std::move(l), t), convert(std::move(r), t)));
}

// The common type of a comparison between catalog types and others, as PostgreSQL's operators and
// implicit casts give it: oid with an integer compares as oid, name or "char" with text as text, name
// with "char" as name. Unknown when there is none.
TypeId catalog_common_type(TypeId a, TypeId b) {
  auto either = [&](TypeId x, TypeId y) { return (a == x && b == y) || (a == y && b == x); };
  if ((a == TypeId::Oid && is_integer(b)) || (b == TypeId::Oid && is_integer(a))) return TypeId::Oid;
  // regclass, regtype, regnamespace compare as oid (binary coercible), also with integers (implicit)
  if ((is_reg_type(a) && (is_oid_type(b) || is_integer(b))) ||
      (is_reg_type(b) && (is_oid_type(a) || is_integer(a))))
    return TypeId::Oid;
  if (either(TypeId::Name, TypeId::Text) || either(TypeId::Char, TypeId::Text)) return TypeId::Text;
  // bpchar with another string type compares as text (bpchar -> text is implicit and drops the padding)
  if ((a == TypeId::BpChar && is_string_type(b)) || (b == TypeId::BpChar && is_string_type(a)))
    return TypeId::Text;
  if (either(TypeId::Name, TypeId::Char)) return TypeId::Name;
  return TypeId::Unknown;
}

// Whether an explicit cast between `from` and `to` exists when one of them is a catalog type.
bool catalog_cast_exists(TypeId from, TypeId to) {
  auto catalog_type = [](TypeId t) { return is_oid_type(t) || t == TypeId::Name || t == TypeId::Char; };
  if (!catalog_type(from) && !catalog_type(to)) return true;
  if (from == TypeId::Unknown) return true;
  if (is_oid_type(from))  // no oid -> smallint cast in PostgreSQL
    return (is_integer(to) && to != TypeId::Int16) || is_oid_type(to) || is_string_type(to);
  if (is_oid_type(to)) return is_integer(from) || casts_to_text_implicitly(from);
  return casts_to_text_implicitly(from) && casts_to_text_implicitly(to);
}

ExprPtr Binder::compare(ExprOp op, const char* sym, ExprPtr l, ExprPtr r, int loc) {
  if (l->type == TypeId::Xid || r->type == TypeId::Xid)
    throw_unsupported("operators on type xid", pos_of(loc));
  // A parameter an earlier comparison typed ($1 BETWEEN 1 AND $2: $1 is integer in `$1 <= $2`), as
  // PostgreSQL's later references to $n see the type deduced so far.
  for (ExprPtr* side : {&l, &r}) {
    if (is_unknown_param(**side) && param_types_) {
      const TypeId known = (*param_types_)[static_cast<size_t>((*side)->param)];
      if (known != TypeId::Unknown) *side = convert(std::move(*side), known);
    }
  }
  if (l->type == TypeId::Unknown && r->type == TypeId::Unknown) {
    l = convert(std::move(l), TypeId::Text);
    r = convert(std::move(r), TypeId::Text);
  } else if (l->type == TypeId::Unknown) {
    l = convert(std::move(l), r->type);
  } else if (r->type == TypeId::Unknown) {
    r = convert(std::move(r), l->type);
  }
  TypeId lt = l->type, rt = r->type;
  if (lt == TypeId::Json || rt == TypeId::Json)  // json has no comparison operators in PostgreSQL
    fail(SqlState::UndefinedFunction, "operator does not exist: " + tn(lt) + " " + sym + " " + tn(rt), loc,
         kCastHint);
  if (lt != rt) {
    if (TypeId common = catalog_common_type(lt, rt); common != TypeId::Unknown) {
      l = convert(std::move(l), common);
      r = convert(std::move(r), common);
      return Expr::make(op, TypeId::Bool, list(std::move(l), std::move(r)));
    }
    if (!(is_numeric(lt) && is_numeric(rt)) && !(is_date_or_timestamp(lt) && is_date_or_timestamp(rt)))
      fail(SqlState::UndefinedFunction, "operator does not exist: " + tn(lt) + " " + sym + " " + tn(rt), loc,
           kCastHint);
    TypeId t = operator_type(lt, rt);
    l = convert(std::move(l), t);
    r = convert(std::move(r), t);
  }
  return Expr::make(op, TypeId::Bool, list(std::move(l), std::move(r)));
}

// The ExprOp::Match flags of a pattern-matching operator (~ !~ ~* !~* LIKE NOT LIKE ILIKE NOT ILIKE), its
// PostgreSQL symbol in `sym`; -1 for any other operator.
static int match_flags(ast::BinaryOp op, const char** sym) {
  switch (op) {
    case ast::BinaryOp::Match:
      return *sym = "~", 0;
    case ast::BinaryOp::NotMatch:
      return *sym = "!~", plan::kMatchNegate;
    case ast::BinaryOp::IMatch:
      return *sym = "~*", plan::kMatchIcase;
    case ast::BinaryOp::NotIMatch:
      return *sym = "!~*", plan::kMatchNegate | plan::kMatchIcase;
    case ast::BinaryOp::Like:
      return *sym = "~~", plan::kMatchLike;
    case ast::BinaryOp::NotLike:
      return *sym = "!~~", plan::kMatchLike | plan::kMatchNegate;
    case ast::BinaryOp::ILike:
      return *sym = "~~*", plan::kMatchLike | plan::kMatchIcase;
    case ast::BinaryOp::NotILike:
      return *sym = "!~~*", plan::kMatchLike | plan::kMatchIcase | plan::kMatchNegate;
    default:
      return -1;
  }
}

ExprPtr Binder::bind_binary(ast::BinaryOp op, ExprPtr l, ExprPtr r, int loc) {
  switch (op) {
    case ast::BinaryOp::Add:
      return arith(ExprOp::Add, "+", std::move(l), std::move(r), loc);
    case ast::BinaryOp::Sub:
      if (l->type == TypeId::Jsonb || (l->type == TypeId::Unknown && r->type != TypeId::Unknown &&
                                       (is_string_type(r->type) || r->type == TypeId::TextArray)))
        return bind_json_operator(op, std::move(l), std::move(r), loc);
      return arith(ExprOp::Sub, "-", std::move(l), std::move(r), loc);
    case ast::BinaryOp::Mul:
      return arith(ExprOp::Mul, "*", std::move(l), std::move(r), loc);
    case ast::BinaryOp::Div:
      return arith(ExprOp::Div, "/", std::move(l), std::move(r), loc);
    case ast::BinaryOp::Mod:
      return arith(ExprOp::Mod, "%", std::move(l), std::move(r), loc);
    case ast::BinaryOp::Eq:
      return compare(ExprOp::Eq, "=", std::move(l), std::move(r), loc);
    case ast::BinaryOp::Ne:
      return compare(ExprOp::Ne, "<>", std::move(l), std::move(r), loc);
    case ast::BinaryOp::Lt:
      return compare(ExprOp::Lt, "<", std::move(l), std::move(r), loc);
    case ast::BinaryOp::Le:
      return compare(ExprOp::Le, "<=", std::move(l), std::move(r), loc);
    case ast::BinaryOp::Gt:
      return compare(ExprOp::Gt, ">", std::move(l), std::move(r), loc);
    case ast::BinaryOp::Ge:
      return compare(ExprOp::Ge, ">=", std::move(l), std::move(r), loc);
    case ast::BinaryOp::IsDistinct:  // PostgreSQL resolves it as the = operator
      return compare(ExprOp::Distinct, "=", std::move(l), std::move(r), loc);
    case ast::BinaryOp::And:
    case ast::BinaryOp::Or: {
      const char* name = op == ast::BinaryOp::And ? "AND" : "OR";
      l = to_bool(std::move(l), std::string("argument of ") + name, loc);
      r = to_bool(std::move(r), std::string("argument of ") + name, loc);
      return Expr::make(op == ast::BinaryOp::And ? ExprOp::And : ExprOp::Or, TypeId::Bool,
                        list(std::move(l), std::move(r)));
    }
    case ast::BinaryOp::Match:
    case ast::BinaryOp::NotMatch:
    case ast::BinaryOp::IMatch:
    case ast::BinaryOp::NotIMatch:
    case ast::BinaryOp::Like:
    case ast::BinaryOp::NotLike:
    case ast::BinaryOp::ILike:
    case ast::BinaryOp::NotILike: {
      const char* sym = "~";
      const int flags = match_flags(op, &sym);
      if ((flags & plan::kMatchLike) && !(flags & plan::kMatchIcase) &&
          (l->type == TypeId::Bytea || r->type == TypeId::Bytea))  // PostgreSQL has bytea LIKE bytea
        throw_unsupported("LIKE over bytea", pos_of(loc));
      if (l->type == TypeId::Unknown) l = convert(std::move(l), TypeId::Text);
      if (r->type == TypeId::Unknown || r->type == TypeId::BpChar) r = convert(std::move(r), TypeId::Text);
      // bpchar ~~ text (bpcharlike ...): the padded value is matched
      if (l->type == TypeId::BpChar) l = text_output(std::move(l));
      if (!is_string_type(l->type) || !is_string_type(r->type))
        fail(SqlState::UndefinedFunction,
             "operator does not exist: " + tn(l->type) + " " + sym + " " + tn(r->type), loc, kCastHint);
      ExprPtr m = Expr::make(ExprOp::Match, TypeId::Bool, list(std::move(l), std::move(r)));
      m->func = flags;
      return m;
    }
    case ast::BinaryOp::JsonGet:
    case ast::BinaryOp::JsonGetText:
    case ast::BinaryOp::JsonPath:
    case ast::BinaryOp::JsonPathText:
    case ast::BinaryOp::Contains:
    case ast::BinaryOp::ContainedBy:
    case ast::BinaryOp::JsonExists:
    case ast::BinaryOp::JsonExistsAny:
    case ast::BinaryOp::JsonExistsAll:
    case ast::BinaryOp::JsonDeletePath:
      return bind_json_operator(op, std::move(l), std::move(r), loc);
    case ast::BinaryOp::Operator:  // bound by name in bind_inner
      break;
    case ast::BinaryOp::Concat: {
      TypeId lt = l->type, rt = r->type;
      if ((lt == TypeId::Jsonb && (rt == TypeId::Jsonb || rt == TypeId::Unknown)) ||
          (rt == TypeId::Jsonb && lt == TypeId::Unknown))  // jsonb_concat
        return bind_json_operator(op, std::move(l), std::move(r), loc);
      if (is_array(lt) || is_array(rt)) {  // array || array, array || element, element || array
        std::vector<ExprPtr> args;
        const char* f = is_array(lt) && is_array(rt)                                     ? "array_cat"
                        : is_array(lt) && rt == TypeId::Unknown && !is_unknown_param(*r) ? "array_cat"
                        : is_array(rt) && lt == TypeId::Unknown && !is_unknown_param(*l) ? "array_cat"
                        : is_array(lt)                                                   ? "array_append"
                                                                                         : "array_prepend";
        args.push_back(std::move(l));
        args.push_back(std::move(r));
        return bind_array_function(f, args, loc);
      }
      if ((lt == TypeId::Bytea && (rt == TypeId::Bytea || rt == TypeId::Unknown)) ||
          (rt == TypeId::Bytea && lt == TypeId::Unknown)) {  // byteacat
        return Expr::make(ExprOp::Concat, TypeId::Bytea,
                          list(convert(std::move(l), TypeId::Bytea), convert(std::move(r), TypeId::Bytea)));
      }
      bool l_text = casts_to_text_implicitly(lt);
      bool r_text = casts_to_text_implicitly(rt);
      if (!l_text && !r_text)
        fail(SqlState::UndefinedFunction, "operator does not exist: " + tn(lt) + " || " + tn(rt), loc,
             kCastHint);
      return Expr::make(ExprOp::Concat, TypeId::Text,
                        list(convert(std::move(l), TypeId::Text), convert(std::move(r), TypeId::Text)));
    }
  }
  fail(SqlState::InternalError, "unknown binary operator", loc);
}

// PostgreSQL's select_common_type for the oid family, where its implicit casts decide (oid is the
// preferred type of its category; integers cast to oid and to the reg* types implicitly, oid to bigint
// too): the type after `t` meets `next`, or Unknown when they do not match.
TypeId oid_common_type(TypeId t, TypeId next) {
  if (t == TypeId::Oid && (is_integer(next) || is_reg_type(next))) return TypeId::Oid;
  if (next == TypeId::Oid && (t == TypeId::Int32 || is_reg_type(t))) return TypeId::Oid;
  if (next == TypeId::Oid && t == TypeId::Int64) return TypeId::Int64;
  if (is_reg_type(t) && is_integer(next)) return t;
  if (is_integer(t) && is_reg_type(next)) return next;
  return TypeId::Unknown;
}

// PostgreSQL's select_common_type for two known types (CASE branches, anycompatible arguments): numeric
// widening, date < timestamp < timestamptz, the oid family; Unknown when they do not match.
TypeId common_known_type(TypeId t, TypeId next) {
  if (t == next) return t;
  if ((is_numeric(t) && is_numeric(next)) || (is_date_or_timestamp(t) && is_date_or_timestamp(next)))
    return wider(t, next);
  if ((t == TypeId::BpChar && next == TypeId::Text) || (t == TypeId::Text && next == TypeId::BpChar))
    return TypeId::Text;  // text is the string category's preferred type
  return oid_common_type(t, next);
}

// PostgreSQL's pg_type.typcategory of OmenDB's types (0: one of its own).
char type_category(TypeId t) {
  if (is_array(t)) return 'A';
  if (is_numeric(t) || is_oid_type(t)) return 'N';
  if (t == TypeId::Text || t == TypeId::Name || t == TypeId::BpChar) return 'S';
  if (is_date_or_timestamp(t) || t == TypeId::Time) return 'D';
  if (t == TypeId::Interval) return 'T';
  if (is_json_type(t) || is_binary_type(t) || t == TypeId::Xid) return 'U';
  if (t == TypeId::Bool) return 'B';
  return 0;
}

// Unifies the types of CASE / COALESCE branches: numeric widening, unknown -> the others' type or text.
// Types of two categories are 42804 "... cannot be matched"; of one category that do not convert (time
// and date), 42846 "... could not convert type", as PostgreSQL's select_common_type and its coercion.
TypeId unify(const std::vector<const Expr*>& es, const char* what, int loc) {
  TypeId t = TypeId::Unknown;
  for (const Expr* e : es) {
    if (e->type == TypeId::Unknown) continue;
    if (t == TypeId::Unknown) {
      t = e->type;
    } else if (t != e->type) {
      if (TypeId common = common_known_type(t, e->type); common != TypeId::Unknown) {
        t = common;
      } else if (type_category(t) != 0 && type_category(t) == type_category(e->type)) {
        fail(SqlState::CannotCoerce,
             std::string(what) + (std::string_view(what) == "CASE" ? "/WHEN" : "") +
                 " could not convert type " + tn(e->type) + " to " + tn(t),
             loc);
      } else {
        fail(SqlState::DatatypeMismatch,
             std::string(what) + " types " + tn(t) + " and " + tn(e->type) + " cannot be matched", loc);
      }
    }
  }
  return t == TypeId::Unknown ? TypeId::Text : t;
}

// CASE: with an operand (CASE x WHEN v ...), x is evaluated once and each WHEN compares it (CaseTest = v).
ExprPtr Binder::bind_case(const ast::Expr& e, ExprCtx& c) {
  ExprPtr operand;
  if (e.has_case_operand && !e.args.empty()) {
    operand = bind(*e.args[0], c);
    if (operand->type == TypeId::Unknown) operand = convert(std::move(operand), TypeId::Text);
  }
  std::vector<ExprPtr> conds, results;
  for (const auto& w : e.when_clauses) {
    ExprPtr cond;
    if (operand) {
      ExprPtr v = bind(*w.condition, c);
      cond = compare(ExprOp::Eq, "=", Expr::make(ExprOp::CaseTest, operand->type, {}), std::move(v),
                     w.condition->location);
    } else {
      cond = to_bool(bind(*w.condition, c), "argument of CASE/WHEN", w.condition->location);
    }
    conds.push_back(std::move(cond));
    results.push_back(bind(*w.result, c));
  }
  ExprPtr else_expr =
      e.else_expr ? bind(*e.else_expr, c) : Expr::make_constant(Value::null(), TypeId::Unknown);
  std::vector<const Expr*> all;
  all.push_back(else_expr.get());  // first, as PostgreSQL's transformCaseExpr lists them
  for (const auto& r : results) all.push_back(r.get());
  TypeId t = unify(all, "CASE", e.location);
  std::vector<ExprPtr> args;
  const bool has_operand = operand != nullptr;
  if (operand) args.push_back(std::move(operand));
  for (size_t i = 0; i < conds.size(); ++i) {
    args.push_back(std::move(conds[i]));
    args.push_back(convert(std::move(results[i]), t));
  }
  args.push_back(convert(std::move(else_expr), t));
  ExprPtr x = Expr::make(ExprOp::Case, t, std::move(args));
  if (has_operand) x->func = plan::kCaseOperand;
  return x;
}

// The session functions PostgreSQL types `name` (OID 19): current_user and its kin, current_database().
bool returns_name(const ast::Expr& e) {
  const std::string& n = e.func_name;
  return e.kind == ast::ExprKind::FuncCall && e.args.empty() &&
         (n == "current_user" || n == "session_user" || n == "user" || n == "current_role" ||
          n == "current_catalog" || n == "current_schema" || n == "current_database");
}

// An aggregate call without DISTINCT, FILTER or ORDER BY (the binder's own aggregates).
AggregateCall simple_call(AggFunc func, ExprPtr arg, TypeId type) {
  AggregateCall call;
  call.func = func;
  call.arg = std::move(arg);
  call.type = type;
  return call;
}

bool is_ordered_set_aggregate_name(const std::string& n) {
  return n == "percentile_cont" || n == "percentile_disc" || n == "mode";
}

// var_samp ... stddev_pop (and their aliases variance, stddev): the AggFunc, or nullopt.
std::optional<AggFunc> variance_func(const std::string& n) {
  if (n == "variance" || n == "var_samp") return AggFunc::VarSamp;
  if (n == "var_pop") return AggFunc::VarPop;
  if (n == "stddev" || n == "stddev_samp") return AggFunc::StddevSamp;
  if (n == "stddev_pop") return AggFunc::StddevPop;
  return std::nullopt;
}

// json_agg, jsonb_agg, json_object_agg, jsonb_object_agg: an array_agg of the values' json texts, read
// into json / jsonb by a json::Func (common/json.h) over the aggregate's result.
bool is_json_aggregate_name(const std::string& n) {
  return n == "json_agg" || n == "jsonb_agg" || n == "json_object_agg" || n == "jsonb_object_agg";
}

bool is_aggregate_name(const std::string& n) {
  return n == "count" || n == "sum" || n == "min" || n == "max" || n == "avg" || n == "array_agg" ||
         n == "string_agg" || variance_func(n) || n == "bool_and" || n == "bool_or" || n == "every" ||
         n == "bit_and" || n == "bit_or" || is_ordered_set_aggregate_name(n) || is_json_aggregate_name(n);
}

// PostgreSQL's aggregates OmenDB does not compute yet: 0A000 naming them (not 42883, as for a function
// that does not exist).
bool is_unsupported_aggregate_name(const std::string& n) {
  static const char* const names[] = {"bit_xor",        "xmlagg",     "range_agg", "range_intersect_agg",
                                      "covar_pop",      "covar_samp", "corr",      "regr_slope",
                                      "regr_intercept", "regr_count", "regr_r2",   "regr_avgx",
                                      "regr_avgy",      "regr_sxx",   "regr_syy",  "regr_sxy"};
  for (const char* name : names)
    if (n == name) return true;
  return false;
}

// The OUT columns of the set-returning functions returning records, in order: in FROM the relation's
// columns, in a select list the fields (f(...)).name selects. Empty for the other functions.
std::vector<std::string> record_fields(const std::string& n) {
  if (n == "jsonb_each" || n == "jsonb_each_text") return {"key", "value"};
  if (n == "information_schema._pg_expandarray") return {"x", "n"};
  if (n == "pg_options_to_table") return {"option_name", "option_value"};
  return {};
}

bool is_set_function_name(const std::string& n) {
  return n == "generate_series" || n == "unnest" || n == "jsonb_array_elements" ||
         n == "jsonb_array_elements_text" || n == "jsonb_object_keys" || n == "jsonb_each" ||
         n == "jsonb_each_text" || n == "regexp_matches" || n == "regexp_split_to_table" ||
         n == "generate_subscripts" || n == "pg_partition_ancestors" ||
         n == "information_schema._pg_expandarray" || n == "pg_options_to_table";
}

bool is_window_function_name(const std::string& n) {
  return n == "row_number" || n == "rank" || n == "dense_rank" || n == "percent_rank" || n == "cume_dist" ||
         n == "ntile" || n == "lag" || n == "lead" || n == "first_value" || n == "last_value" ||
         n == "nth_value";
}

// PostgreSQL's func_signature_string: "f(integer, b => text)" (names: "" for a positional argument).
std::string signature(const std::string& name, const std::vector<ExprPtr>& args,
                      const std::vector<std::string>& names = {}) {
  std::string s = name + "(";
  for (size_t i = 0; i < args.size(); ++i) {
    if (i) s += ", ";
    if (i < names.size() && !names[i].empty()) s += names[i] + " => ";
    s += tn(args[i]->type);
  }
  return s + ")";
}

ExprPtr Binder::bind_aggregate(const ast::Expr& e, ExprCtx& c) {
  const std::string& name = e.func_name;
  if (!c.allow_agg)
    fail(SqlState::GroupingError, "aggregate functions are not allowed in " + c.clause, e.location);
  if (c.in_agg) fail(SqlState::GroupingError, "aggregate function calls cannot be nested", e.location);
  const bool ordered_set = is_ordered_set_aggregate_name(name);
  // PostgreSQL looks a plain aggregate with WITHIN GROUP, or an ordered-set one without, up as another
  // function, which does not exist.
  if (e.agg_within_group != ordered_set)
    fail(SqlState::UndefinedFunction,
         "function " + name + (ordered_set ? " without WITHIN GROUP" : " with WITHIN GROUP") +
             " does not exist",
         e.location, kFuncHint);
  // name(t.*): a whole-row value as the argument. Only count(t.*) is built: it counts the rows whose row
  // value t is not NULL, the rows an outer join did not null-extend: count(*) when no outer join
  // null-extends t, else the rows where a NOT NULL column of t (its primary key's first) is not NULL.
  std::unique_ptr<ast::Expr> whole_row_ref;
  bool whole_row_star = false;
  if (!e.agg_star && e.args.size() == 1 && e.args[0]->kind == ast::ExprKind::Star &&
      !e.args[0]->names.empty()) {
    const ast::Expr& star_arg = *e.args[0];
    const std::string qual = star_arg.names.back();
    if (name != "count" || ordered_set)
      throw_unsupported("whole-row value " + qual + ".* as an argument of " + name + "()",
                        pos_of(star_arg.location));
    std::string column;
    bool found = false;
    if (c.scope)
      for (int r : c.scope->rels) {
        const Relation& rel = rels_[static_cast<size_t>(r)];
        if (rel.refname != qual || found) continue;
        found = true;
        if (!rel.nullable && !e.agg_distinct) {
          whole_row_star = true;
          break;
        }
        if (!rel.table) continue;
        // DISTINCT row values are DISTINCT primary keys; any NOT NULL column tells a present row.
        const auto& cols = rel.table->columns;
        if (!rel.table->primary_key.empty())
          column = cols[static_cast<size_t>(rel.table->primary_key[0])].name;
        for (size_t i = 0; i < cols.size() && column.empty() && !e.agg_distinct; ++i)
          if (cols[i].not_null && !rel.columns[i].hidden) column = cols[i].name;
      }
    if (!found)
      fail(SqlState::UndefinedTable, "missing FROM-clause entry for table \"" + qual + "\"",
           star_arg.location);
    if (!whole_row_star && column.empty())
      throw_unsupported("count(" + std::string(e.agg_distinct ? "DISTINCT " : "") + qual +
                            ".*) over a relation without a primary key" +
                            (e.agg_distinct ? "" : " or NOT NULL column on an outer join's nullable side"),
                        pos_of(star_arg.location));
    if (!whole_row_star) {
      whole_row_ref = std::make_unique<ast::Expr>(ast::ExprKind::ColumnRef, star_arg.location);
      whole_row_ref->names = star_arg.names;
      whole_row_ref->names.push_back(column);
    }
  }
  bool star = e.agg_star || whole_row_star ||
              (!whole_row_ref && e.args.size() == 1 && e.args[0]->kind == ast::ExprKind::Star);
  AggregateCall call;
  std::optional<json::Func> json_final;  // json_agg & co: the function over the array_agg's result
  TypeId json_type = TypeId::Unknown;
  std::string label;
  if (ordered_set) {
    // name(direct arguments) WITHIN GROUP (ORDER BY x): the aggregate reads x in that order.
    ExprCtx inner = c;
    inner.in_agg = !c.window_args;
    std::vector<ExprPtr> direct;
    for (const auto& a : e.args) direct.push_back(bind(*a, inner));
    if (e.agg_order.size() != 1 || direct.size() != (name == "mode" ? 0u : 1u))
      fail(SqlState::UndefinedFunction, "function " + signature(name, direct) + " does not exist", e.location,
           kFuncHint);
    const ast::OrderItem& item = e.agg_order[0];
    ExprPtr x = bind(*item.expr, inner);
    if (name == "percentile_cont") {
      if (x->type == TypeId::Interval) throw_unsupported("percentile_cont over interval", pos_of(e.location));
      if (!is_numeric(x->type))
        fail(SqlState::UndefinedFunction,
             "function percentile_cont(numeric, " + tn(x->type) + ") does not exist", e.location, kFuncHint);
      x = convert(std::move(x), TypeId::Float64);
    } else if (x->type == TypeId::Unknown) {
      x = convert(std::move(x), TypeId::Text);
    }
    if (!direct.empty()) {
      ExprPtr f = std::move(direct[0]);
      const bool multi = is_array(f->type);  // an array of fractions: an array of results
      const TypeId ft = multi ? element_type(f->type) : f->type;
      if (ft != TypeId::Unknown && !is_numeric(ft))
        fail(SqlState::UndefinedFunction,
             "function " + name + "(" + tn(f->type) + ", " + tn(x->type) + ") does not exist", e.location,
             kFuncHint);
      if (multi && array_type(x->type) == TypeId::Unknown)
        throw_unsupported("arrays of type " + tn(x->type), pos_of(e.location));
      f = convert(std::move(f), multi ? TypeId::Float64Array : TypeId::Float64);
      if (!detail::row_independent(*f))
        throw_unsupported(name + " with a fraction that is not a constant", pos_of(e.location));
      call.fraction = std::move(f);
    }
    call.func = name == "percentile_cont"   ? AggFunc::PercentileCont
                : name == "percentile_disc" ? AggFunc::PercentileDisc
                                            : AggFunc::Mode;
    call.type = call.fraction && is_array(call.fraction->type) ? array_type(x->type) : x->type;
    plan::AggOrderKey key;
    key.expr = detail::clone(*x);
    key.descending = item.descending;
    key.nulls_first = item.nulls_first.value_or(item.descending);
    call.order_by.push_back(std::move(key));
    label = name;
    call.arg = std::move(x);
  } else if (star) {
    if (name != "count")
      fail(SqlState::WrongObjectType, name + "(*) specified, but " + name + " is not an aggregate function",
           e.location);
    call.func = AggFunc::CountStar;
    call.type = TypeId::Int64;
    label = "count(*)";
  } else {
    ExprCtx inner = c;
    inner.in_agg = !c.window_args;  // sum(sum(x)) OVER (...): the window aggregate's argument aggregates
    std::vector<ExprPtr> args;
    if (whole_row_ref) {
      args.push_back(bind(*whole_row_ref, inner));
    } else {
      for (const auto& a : e.args) args.push_back(bind(*a, inner));
    }
    const bool object_agg = name == "json_object_agg" || name == "jsonb_object_agg";
    if (args.size() != (name == "string_agg" || object_agg ? 2u : 1u))
      fail(SqlState::UndefinedFunction, "function " + signature(name, args) + " does not exist", e.location,
           kFuncHint);
    ExprPtr arg = std::move(args[0]);
    TypeId at = arg->type;
    if (name == "string_agg") {
      // string_agg(text, text) and string_agg(bytea, bytea); unknown literals take the other's type.
      const TypeId dt = args[1]->type;
      auto bytea_or_unknown = [](TypeId t) { return t == TypeId::Bytea || t == TypeId::Unknown; };
      const bool text = casts_to_text_implicitly(at) && casts_to_text_implicitly(dt);
      const bool bytes = bytea_or_unknown(at) && bytea_or_unknown(dt) && !text;
      std::vector<ExprPtr> shown;
      shown.push_back(detail::clone(*arg));
      shown.push_back(detail::clone(*args[1]));
      if (!text && !bytes)
        fail(SqlState::UndefinedFunction, "function " + signature(name, shown) + " does not exist",
             e.location, kFuncHint);
      const TypeId t = bytes ? TypeId::Bytea : TypeId::Text;
      arg = convert(std::move(arg), t);
      call.arg2 = convert(std::move(args[1]), t);
      call.func = AggFunc::StringAgg;
      call.type = t;
      if (e.agg_distinct && !detail::row_independent(*call.arg2))
        throw_unsupported("string_agg(DISTINCT ...) with a delimiter that is not a constant",
                          pos_of(e.location));
    } else if (name == "count") {
      call.func = AggFunc::Count;
      if (at == TypeId::Unknown && !is_unknown_param(*arg)) arg = convert(std::move(arg), TypeId::Text);
      call.type = TypeId::Int64;
    } else if (name == "sum" || name == "avg" || variance_func(name) || name == "bit_and" ||
               name == "bit_or") {
      const bool bits = name == "bit_and" || name == "bit_or";
      // The variances over an unknown literal: double precision (the numeric category's preferred type).
      if (at == TypeId::Unknown && variance_func(name)) arg = convert(std::move(arg), at = TypeId::Float64);
      if (at == TypeId::Unknown)
        fail(SqlState::AmbiguousFunction, "function " + name + "(unknown) is not unique", e.location,
             "Could not choose a best candidate function. You might need to add explicit type casts.");
      if (bits ? !is_integer(at) : !is_numeric(at))
        fail(SqlState::UndefinedFunction, "function " + name + "(" + tn(at) + ") does not exist", e.location,
             kFuncHint);
      // sum, avg and the variances take smallint as integer (their results are the same: bigint, numeric);
      // avg and the variances of a real are those of its double (float4_accum), sum(real) is real.
      if (at == TypeId::Int16 && !bits) arg = convert(std::move(arg), at = TypeId::Int32);
      if (at == TypeId::Float32 && name != "sum") arg = convert(std::move(arg), at = TypeId::Float64);
      call.func = name == "sum"       ? AggFunc::Sum
                  : name == "avg"     ? AggFunc::Avg
                  : name == "bit_and" ? AggFunc::BitAnd
                  : name == "bit_or"  ? AggFunc::BitOr
                                      : *variance_func(name);
      // PostgreSQL: sum(int4) is bigint, sum(int8) and sum(numeric) numeric; avg and the variances are
      // numeric but over double precision; bit_and / bit_or keep the argument's type.
      call.type = is_float(at) || bits                   ? at
                  : name == "sum" && at == TypeId::Int32 ? TypeId::Int64
                                                         : TypeId::Numeric;
    } else if (name == "bool_and" || name == "bool_or" || name == "every") {
      if (at == TypeId::Unknown) arg = convert(std::move(arg), at = TypeId::Bool);
      if (at != TypeId::Bool)
        fail(SqlState::UndefinedFunction, "function " + name + "(" + tn(at) + ") does not exist", e.location,
             kFuncHint);
      call.func = name == "bool_or" ? AggFunc::BoolOr : AggFunc::BoolAnd;
      call.type = TypeId::Bool;
    } else if (is_json_aggregate_name(name)) {
      if (e.agg_distinct) throw_unsupported(name + "(DISTINCT ...)", pos_of(e.location));
      // The values' json texts (object_agg: the pair [key, value]) into an array_agg, read by json_final.
      if (object_agg) {
        ExprPtr key = std::move(arg);
        if (key->type != TypeId::Text) key = convert(std::move(key), TypeId::Text);
        arg = json_op(json::Func::JsonBuildArray, TypeId::Json,
                      list(to_json(std::move(key), e.location), to_json(std::move(args[1]), e.location)));
      } else {
        arg = to_json(std::move(arg), e.location);
      }
      arg = convert(std::move(arg), TypeId::Text);
      const bool binary = name[4] == 'b';
      json_final = object_agg ? (binary ? json::Func::AggObject : json::Func::JsonAggObject)
                              : (binary ? json::Func::AggArray : json::Func::JsonAggArray);
      json_type = binary ? TypeId::Jsonb : TypeId::Json;
      call.func = AggFunc::ArrayAgg;
      call.type = TypeId::TextArray;
    } else if (name == "array_agg") {
      if (at == TypeId::Unknown) arg = convert(std::move(arg), at = TypeId::Text);
      if (is_array(at))
        throw_unsupported("array_agg over arrays (multidimensional arrays)", pos_of(e.location));
      if (array_type(at) == TypeId::Unknown)
        throw_unsupported("arrays of type " + tn(at), pos_of(e.location));
      call.func = AggFunc::ArrayAgg;
      call.type = array_type(at);
    } else {
      if (at == TypeId::Unknown) arg = convert(std::move(arg), at = TypeId::Text);
      if (is_reg_type(at)) arg = convert(std::move(arg), at = TypeId::Oid);  // min(oid): regclass is an oid
      if (at == TypeId::Bool || is_binary_type(at))  // PostgreSQL 15 has no min/max over bytea or uuid
        fail(SqlState::UndefinedFunction, "function " + name + "(" + tn(at) + ") does not exist", e.location,
             kFuncHint);
      call.func = name == "min" ? AggFunc::Min : AggFunc::Max;
      call.type = at;
    }
    label = name + "(" + (e.agg_distinct ? "DISTINCT " : "") + plan::to_string(*arg, col_names_) + ")";
    call.arg = std::move(arg);
    call.distinct = e.agg_distinct;
    // agg(... ORDER BY ...): its keys are expressions over the aggregate's input rows, as its arguments.
    for (const ast::OrderItem& item : e.agg_order) {
      plan::AggOrderKey key;
      key.expr = bind(*item.expr, inner);
      if (key.expr->type == TypeId::Unknown) key.expr = convert(std::move(key.expr), TypeId::Text);
      key.descending = item.descending;
      key.nulls_first = item.nulls_first.value_or(item.descending);
      // PostgreSQL sorts DISTINCT values, so the keys must be among them.
      if (call.distinct && !same_expr(*key.expr, *call.arg) &&
          !(call.arg2 && same_expr(*key.expr, *call.arg2)))
        fail(SqlState::InvalidColumnReference,
             "in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list",
             item.expr->location);
      call.order_by.push_back(std::move(key));
    }
    // PostgreSQL sorts a DISTINCT aggregate's input: without ORDER BY, string_agg and array_agg read
    // their values in ascending order (NULLS LAST).
    if (call.distinct && call.order_by.empty() &&
        (call.func == AggFunc::StringAgg || call.func == AggFunc::ArrayAgg))
      call.order_by.push_back({detail::clone(*call.arg), false, false});
  }
  if (e.agg_filter) {
    // FILTER (WHERE ...): over the aggregate's input rows, so no aggregates or window functions in it.
    ExprCtx fc = c;
    fc.in_agg = false;  // its column references are the aggregate's input, as its argument's are
    fc.track_bare = false;
    fc.allow_agg = false;
    fc.allow_window = false;
    fc.clause = "FILTER";
    call.filter = to_bool(bind(*e.agg_filter, fc), "argument of FILTER", e.agg_filter->location);
  }
  // An aggregate whose arguments name only enclosing queries' columns is theirs in PostgreSQL (an outer
  // aggregate: it makes that query grouped), which OmenDB does not plan.
  bool outer = false, local = false;
  std::function<void(const Expr&)> vars = [&](const Expr& x) {
    const bool outer_ref = x.op == ExprOp::OuterColumn ||
                           (x.op == ExprOp::Column &&
                            std::find(outer_refs_.begin(), outer_refs_.end(), x.column) != outer_refs_.end());
    outer = outer || outer_ref;
    local = local || (x.op == ExprOp::Column && !outer_ref);
    for (const auto& a : x.args) vars(*a);
  };
  for (const ExprPtr* x : {&call.arg, &call.arg2, &call.filter})
    if (*x) vars(**x);
  if (outer && !local)
    throw_unsupported("aggregates over columns of an enclosing query only", pos_of(e.location));
  ColumnId id = new_id();
  TypeId t = call.type;
  aggs_.push_back(std::move(call));
  agg_out_.push_back({id, label, t});
  if (json_final) return json_op(*json_final, json_type, list(Expr::make_column(id, t)));
  return Expr::make_column(id, t);
}

ExprPtr Binder::bind_session_function(const ast::Expr& e, const std::vector<ExprPtr>& args) {
  const std::string& name = e.func_name;
  // USER, CURRENT_ROLE and CURRENT_CATALOG are keywords only: PostgreSQL has no functions of those names.
  if ((name == "user" || name == "current_role" || name == "current_catalog") && !e.sql_keyword)
    return nullptr;
  // The search_path's schemas that exist (storage::Catalog::search_path_schemas, without pg_temp: its
  // pg_temp_N is not listed yet), and the same with the implicit pg_catalog in front unless listed.
  std::vector<std::string> explicit_path;
  if (name == "current_schemas" || name == "current_schema") {
    std::vector<std::string> path =
        ctx_.catalog ? ctx_.catalog->search_path_schemas(ctx_.overlay) : std::vector<std::string>{"public"};
    for (std::string& p : path)
      if (p != "pg_temp") explicit_path.push_back(std::move(p));
  }
  if (name == "current_schemas" && args.size() == 1) {
    std::vector<std::string> all = explicit_path;
    if (std::find(all.begin(), all.end(), "pg_catalog") == all.end()) all.insert(all.begin(), "pg_catalog");
    auto schemas = [&](const std::vector<std::string>& names) {
      std::string text = "{";
      for (const std::string& n : names) {  // array syntax: quoted where a name needs it
        const bool quote = n.empty() || n == "NULL" || n.find_first_of(",{}\"\\ ") != std::string::npos;
        text += text.size() > 1 ? "," : "";
        if (!quote) {
          text += n;
          continue;
        }
        text += '"';
        for (char ch : n) {
          if (ch == '"' || ch == '\\') text += '\\';
          text += ch;
        }
        text += '"';
      }
      return convert(Expr::make_constant(Value::text(text + "}"), TypeId::Unknown), TypeId::NameArray);
    };
    ExprPtr implicit = to_bool(detail::clone(*args[0]), "argument of current_schemas", e.location);
    if (implicit->op == ExprOp::Constant)
      return implicit->constant.is_null()
                 ? Expr::make_constant(Value::null(TypeId::NameArray), TypeId::NameArray)
                 : schemas(implicit->constant.as_bool() ? all : explicit_path);
    // CASE WHEN x IS NULL THEN NULL WHEN x THEN all ELSE explicit END (strict)
    std::vector<ExprPtr> case_args =
        list(Expr::make(ExprOp::IsNull, TypeId::Bool, list(detail::clone(*implicit))),
             Expr::make_constant(Value::null(TypeId::NameArray), TypeId::NameArray));
    case_args.push_back(std::move(implicit));
    case_args.push_back(schemas(all));
    case_args.push_back(schemas(explicit_path));
    return Expr::make(ExprOp::Case, TypeId::NameArray, std::move(case_args));
  }
  if (!args.empty()) return nullptr;
  if (name == "txid_current") throw_unsupported("txid_current()", pos_of(e.location));
  const bool known = returns_name(e) || name == "version" || name == "pg_backend_pid" ||
                     name == "inet_server_addr" || name == "inet_server_port" ||
                     name == "pg_postmaster_start_time";
  if (!known) return nullptr;
  const SessionInfo* s = ctx_.session;
  if (!s) throw_unsupported((e.sql_keyword ? name : name + "()") + " here", pos_of(e.location));
  auto text = [](const std::string& v) { return Expr::make_constant(Value::text(v), TypeId::Text); };
  if (name == "version") return text(s->version);
  if (name == "current_database" || name == "current_catalog") return text(s->database);
  if (name == "current_schema")  // the search_path's first schema that exists; NULL if none
    return explicit_path.empty() ? Expr::make_constant(Value::null(TypeId::Text), TypeId::Text)
                                 : text(explicit_path.front());
  if (name == "pg_postmaster_start_time") {
    if (s->server_start == 0) throw_unsupported("pg_postmaster_start_time() here", pos_of(e.location));
    return Expr::make_constant(Value::datetime(TypeId::TimestampTz, s->server_start), TypeId::TimestampTz);
  }
  if (name == "pg_backend_pid") return Expr::make_constant(Value::int32(s->backend_pid), TypeId::Int32);
  if (name == "inet_server_addr")
    return s->server_address.empty() ? Expr::make_constant(Value::null(TypeId::Text), TypeId::Text)
                                     : text(s->server_address);
  if (name == "inet_server_port")
    return s->server_port == 0 ? Expr::make_constant(Value::null(TypeId::Int32), TypeId::Int32)
                               : Expr::make_constant(Value::int32(s->server_port), TypeId::Int32);
  return text(s->user);  // current_user, session_user, user, current_role: no SET ROLE yet
}

ExprPtr Binder::bind_function(const ast::Expr& e, ExprCtx& c) {
  const std::string& name = e.func_name;
  if (!e.names.empty()) {  // named arguments no function takes (the parser matched the others)
    std::vector<ExprPtr> args;
    for (const ast::ExprPtr& a : e.args) args.push_back(bind(*a, c));
    fail(SqlState::UndefinedFunction, "function " + signature(name, args, e.names) + " does not exist",
         e.location, kFuncHint);
  }
  if (e.over) {
    if (is_unsupported_aggregate_name(name) || is_json_aggregate_name(name))
      throw_unsupported("aggregate function " + name + " as a window function", pos_of(e.location));
    if (is_aggregate_name(name) || is_window_function_name(name)) return bind_window_call(e, c);
    // Any other function: its own errors first (42883 when it does not exist), else 42809.
    if (c.over_checked != &e) {
      ExprCtx plain = c;
      plain.over_checked = &e;
      bind_function(e, plain);
      fail(SqlState::WrongObjectType,
           "OVER specified, but " + name + " is not a window function nor an aggregate function", e.location);
    }
  }
  if (is_unsupported_aggregate_name(name))
    throw_unsupported("aggregate function " + name, pos_of(e.location));
  if (is_window_function_name(name) && e.agg_within_group)
    throw_unsupported("hypothetical-set aggregate " + name, pos_of(e.location));
  if (is_set_function_name(name) && !e.over && !e.agg_star && !e.agg_distinct && !e.agg_filter) {
    if (c.in_agg)
      fail(SqlState::FeatureNotSupported,
           "aggregate function calls cannot contain set-returning function calls", e.location);
    if (c.in_window)
      fail(SqlState::FeatureNotSupported, "window function calls cannot contain set-returning function calls",
           e.location);
    if (!c.allow_srf)
      fail(SqlState::FeatureNotSupported,
           "set-returning functions are not allowed in " +
               (c.clause.empty() ? std::string("this context") : c.clause),
           e.location);
    return bind_select_list_srf(e, c);
  }
  if (is_window_function_name(name))
    fail(SqlState::WrongObjectType, "window function " + name + " requires an OVER clause", e.location);
  if (is_aggregate_name(name)) return bind_aggregate(e, c);
  if (e.agg_star)
    fail(SqlState::WrongObjectType, name + "(*) specified, but " + name + " is not an aggregate function",
         e.location);
  if (e.agg_distinct)
    fail(SqlState::WrongObjectType, "DISTINCT specified, but " + name + " is not an aggregate function",
         e.location);
  if (e.agg_filter)
    fail(SqlState::WrongObjectType, "FILTER specified, but " + name + " is not an aggregate function",
         e.location);
  if (e.agg_within_group)
    fail(SqlState::WrongObjectType, "WITHIN GROUP specified, but " + name + " is not an aggregate function",
         e.location);
  if (!e.agg_order.empty())
    fail(SqlState::WrongObjectType, "ORDER BY specified, but " + name + " is not an aggregate function",
         e.location);
  std::vector<ExprPtr> args;
  for (const auto& a : e.args) args.push_back(bind(*a, c));
  if (name == "coalesce" && !args.empty()) {
    std::vector<const Expr*> all;
    for (const auto& a : args) all.push_back(a.get());
    TypeId t = unify(all, "COALESCE", e.location);
    for (auto& a : args) a = convert(std::move(a), t);
    if (args.size() == 1) return std::move(args[0]);
    return Expr::make(ExprOp::Coalesce, t, std::move(args));
  }
  if ((name == "greatest" || name == "least") && !args.empty()) {
    std::vector<const Expr*> all;
    for (const auto& a : args) all.push_back(a.get());
    const bool greatest = name == "greatest";
    TypeId t = unify(all, greatest ? "GREATEST" : "LEAST", e.location);
    if (t == TypeId::Json)  // no ordering (PostgreSQL: no btree operator class)
      fail(SqlState::UndefinedFunction, "could not identify a comparison function for type json", e.location);
    for (auto& a : args) a = convert(std::move(a), t);
    return Expr::make(greatest ? ExprOp::Greatest : ExprOp::Least, t, std::move(args));
  }
  if (name == "nullif" && args.size() == 2) {
    // CASE a WHEN b THEN NULL ELSE a END, a evaluated once (CaseTest).
    // Its type is the left input of the = operator PostgreSQL picks: integers and date/timestamp pairs
    // have cross-type operators (a keeps its type), other numeric pairs compare in the wider type
    // (nullif(1, 1.5) is numeric).
    ExprPtr a = std::move(args[0]), b = std::move(args[1]);
    if (a->type == TypeId::Unknown)
      a = convert(std::move(a), b->type == TypeId::Unknown ? TypeId::Text : b->type);
    // (real = x is float4eq or float48eq: a real keeps its type)
    if (is_numeric(a->type) && is_numeric(b->type) && !(is_integer(a->type) && is_integer(b->type)) &&
        a->type != TypeId::Float32) {
      const TypeId w = operator_type(a->type, b->type);  // (before `a` is moved from)
      a = convert(std::move(a), w);
    }
    TypeId t = a->type;
    ExprPtr eq = compare(ExprOp::Eq, "=", Expr::make(ExprOp::CaseTest, t, {}), std::move(b), e.location);
    std::vector<ExprPtr> case_args;
    case_args.push_back(std::move(a));
    case_args.push_back(std::move(eq));
    case_args.push_back(Expr::make_constant(Value::null(t), t));
    case_args.push_back(Expr::make(ExprOp::CaseTest, t, {}));
    ExprPtr x = Expr::make(ExprOp::Case, t, std::move(case_args));
    x->func = plan::kCaseNullIf;
    return x;
  }
  if (ExprPtr v = bind_session_function(e, args)) return v;
  if (name == "pg_typeof" && args.size() == 1 && !is_unknown_param(*args[0])) {
    // The argument's type, known when binding.
    return Expr::make_constant(Value::datetime(TypeId::RegType, type_oid(args[0]->type)), TypeId::RegType);
  }
  if (name == "abs" && args.size() == 1 && is_unknown_param(*args[0]))
    args[0] = convert(std::move(args[0]), TypeId::Float64);  // PostgreSQL: abs(float8) is preferred
  if (name == "abs" && args.size() == 1 && is_numeric(args[0]->type)) {
    TypeId t = args[0]->type;
    return Expr::make(ExprOp::Abs, t, std::move(args));
  }
  if (name == "abs" && args.size() == 1 && args[0]->type == TypeId::Unknown) {
    // Every abs() is in the numeric category: an unknown literal takes its preferred type, double precision.
    ExprPtr x = convert(std::move(args[0]), TypeId::Float64);
    return Expr::make(ExprOp::Abs, TypeId::Float64, list(std::move(x)));
  }
  if (ExprPtr x = bind_array_function(name, args, e.location)) return x;
  if (ExprPtr x = bind_bytea_function(name, args, e.location)) return x;
  if (ExprPtr x = bind_text_function(name, args, e.location)) return x;
  if (ExprPtr x = bind_json_function(name, args, e.location)) return x;
  if (ExprPtr x = bind_catalog_function(name, args, e.location)) return x;
  if (ExprPtr x = bind_math(name, args, e.location, false)) return x;
  // EXTRACT(field FROM x) is extract('field', x): PostgreSQL 15 returns numeric, OmenDB (no numeric
  // type yet) date_part's double precision (docs/types.md).
  // EXTRACT from a date is PostgreSQL's extract_date (0A000 for the time units date_part accepts).
  if (name == "extract" && args.size() == 2 && args[1]->type == TypeId::Date)
    if (ExprPtr x = bind_datetime(name, args, e.location, false)) return x;
  std::string dt_name = name == "extract" ? "date_part" : name;
  if (ExprPtr x = bind_datetime(dt_name, args, e.location, false)) return x;
  // PostgreSQL's JSON functions (SQLAlchemy's column reflection calls json_build_object): OmenDB has no
  // json type yet, which is a missing feature, not a function that does not exist.
  static constexpr std::string_view kJsonFunctions =
      " to_json to_jsonb array_to_json row_to_json json_build_array jsonb_build_array json_build_object"
      " jsonb_build_object json_object jsonb_object json_agg jsonb_agg json_object_agg jsonb_object_agg"
      " json_array_length jsonb_array_length json_typeof jsonb_typeof json_extract_path jsonb_extract_path"
      " json_extract_path_text jsonb_extract_path_text json_strip_nulls jsonb_strip_nulls jsonb_set"
      " jsonb_insert jsonb_pretty json_each jsonb_each json_object_keys jsonb_object_keys json_array_elements"
      " jsonb_array_elements ";
  if (kJsonFunctions.find(" " + name + " ") != std::string_view::npos)
    throw_unsupported(name + "() (the json and jsonb types)", pos_of(e.location));
  fail(SqlState::UndefinedFunction, "function " + signature(name, args) + " does not exist", e.location,
       kFuncHint);
}

ExprPtr Binder::to_json(ExprPtr x, int loc) {
  using json::Func;
  TypeId t = x->type;
  if (t == TypeId::Unknown) x = convert(std::move(x), t = TypeId::Text);
  if (t == TypeId::Json) return x;
  if (t == TypeId::Jsonb) return json_op(Func::JsonbOut, TypeId::Json, list(std::move(x)));
  if (t == TypeId::Bool) return json_op(Func::ToJsonBool, TypeId::Json, list(std::move(x)));
  if (is_numeric(t))
    return json_op(Func::ToJsonNumber, TypeId::Json, list(convert(std::move(x), TypeId::Text)));
  if (is_array(t) || t == TypeId::Timestamp || t == TypeId::TimestampTz || t == TypeId::Interval ||
      is_oid_type(t))
    throw_unsupported("to_json of type " + tn(t), pos_of(loc));
  // text, name, "char", bpchar (padded), date, time, bytea, uuid: their text as a JSON string
  return json_op(Func::ToJsonString, TypeId::Json, list(text_output(std::move(x))));
}

ExprPtr Binder::bind_json_operator(ast::BinaryOp op, ExprPtr l, ExprPtr r, int loc) {
  using json::Func;
  static const std::pair<ast::BinaryOp, const char*> kSyms[] = {{ast::BinaryOp::JsonGet, "->"},
                                                                {ast::BinaryOp::JsonGetText, "->>"},
                                                                {ast::BinaryOp::JsonPath, "#>"},
                                                                {ast::BinaryOp::JsonPathText, "#>>"},
                                                                {ast::BinaryOp::Contains, "@>"},
                                                                {ast::BinaryOp::ContainedBy, "<@"},
                                                                {ast::BinaryOp::JsonExists, "?"},
                                                                {ast::BinaryOp::JsonExistsAny, "?|"},
                                                                {ast::BinaryOp::JsonExistsAll, "?&"},
                                                                {ast::BinaryOp::JsonDeletePath, "#-"},
                                                                {ast::BinaryOp::Sub, "-"},
                                                                {ast::BinaryOp::Concat, "||"}};
  std::string sym;
  for (const auto& [o, s] : kSyms)
    if (o == op) sym = s;
  auto no_op = [&]() -> ExprPtr {
    fail(SqlState::UndefinedFunction,
         "operator does not exist: " + tn(l->type) + " " + sym + " " + tn(r->type), loc, kCastHint);
  };
  if ((op == ast::BinaryOp::Contains || op == ast::BinaryOp::ContainedBy) &&
      (is_array(l->type) || is_array(r->type)))
    throw_unsupported("array containment (" + sym + ")", pos_of(loc));
  // An untyped left operand, as PostgreSQL's operator resolution types it: ?, ?|, ?&, #- and - with a text
  // or text[] right operand exist for jsonb only; -> ->> #> #>> for json and jsonb alike (not unique).
  if (l->type == TypeId::Unknown) {
    switch (op) {
      case ast::BinaryOp::JsonExists:
      case ast::BinaryOp::JsonExistsAny:
      case ast::BinaryOp::JsonExistsAll:
      case ast::BinaryOp::JsonDeletePath:
      case ast::BinaryOp::Sub:
        l = convert(std::move(l), TypeId::Jsonb);
        break;
      case ast::BinaryOp::JsonGet:
      case ast::BinaryOp::JsonGetText:
      case ast::BinaryOp::JsonPath:
      case ast::BinaryOp::JsonPathText:
        fail(SqlState::AmbiguousFunction, "operator is not unique: unknown " + sym + " " + tn(r->type), loc,
             "Could not choose a best candidate operator. You might need to add explicit type casts.");
      default:
        break;
    }
  }
  if (l->type == TypeId::Unknown && r->type == TypeId::Unknown)
    fail(SqlState::AmbiguousFunction, "operator is not unique: unknown " + sym + " unknown", loc,
         "Could not choose a best candidate operator. You might need to add explicit type casts.");
  if (l->type == TypeId::Unknown && r->type == TypeId::Jsonb) l = convert(std::move(l), TypeId::Jsonb);
  const TypeId lt = l->type;
  if (!is_json_type(lt)) no_op();
  if (r->type == TypeId::Int16) r = convert(std::move(r), TypeId::Int32);  // int2 -> int4: implicit
  const bool jb = lt == TypeId::Jsonb;
  auto text_arg = [&] {
    if (r->type == TypeId::Unknown || is_string_type(r->type)) r = convert(std::move(r), TypeId::Text);
    return r->type == TypeId::Text;
  };
  auto text_array_arg = [&] {
    if (r->type == TypeId::Unknown) r = convert(std::move(r), TypeId::TextArray);
    return r->type == TypeId::TextArray;
  };
  switch (op) {
    case ast::BinaryOp::JsonGet:
    case ast::BinaryOp::JsonGetText: {
      const bool as_text = op == ast::BinaryOp::JsonGetText;
      const TypeId result = as_text ? TypeId::Text : lt;
      if (r->type == TypeId::Int32) {  // (smallint was widened above)
        Func f = jb ? (as_text ? Func::IndexText : Func::Index)
                    : (as_text ? Func::JsonIndexText : Func::JsonIndex);
        return json_op(f, result, list(std::move(l), std::move(r)));
      }
      if (!text_arg()) no_op();
      Func f =
          jb ? (as_text ? Func::FieldText : Func::Field) : (as_text ? Func::JsonFieldText : Func::JsonField);
      return json_op(f, result, list(std::move(l), std::move(r)));
    }
    case ast::BinaryOp::JsonPath:
    case ast::BinaryOp::JsonPathText: {
      const bool as_text = op == ast::BinaryOp::JsonPathText;
      if (!text_array_arg()) no_op();
      Func f = jb ? (as_text ? Func::PathText : Func::Path) : (as_text ? Func::JsonPathText : Func::JsonPath);
      return json_op(f, as_text ? TypeId::Text : lt, list(std::move(l), std::move(r)));
    }
    case ast::BinaryOp::Contains:
    case ast::BinaryOp::ContainedBy:
    case ast::BinaryOp::Concat:
      if (r->type == TypeId::Unknown) r = convert(std::move(r), TypeId::Jsonb);
      if (!jb || r->type != TypeId::Jsonb) no_op();
      if (op == ast::BinaryOp::Concat)
        return json_op(Func::Concat, TypeId::Jsonb, list(std::move(l), std::move(r)));
      return json_op(op == ast::BinaryOp::Contains ? Func::Contains : Func::ContainedBy, TypeId::Bool,
                     list(std::move(l), std::move(r)));
    case ast::BinaryOp::JsonExists:
      if (!jb || !text_arg()) no_op();
      return json_op(Func::Exists, TypeId::Bool, list(std::move(l), std::move(r)));
    case ast::BinaryOp::JsonExistsAny:
    case ast::BinaryOp::JsonExistsAll:
      if (!jb || !text_array_arg()) no_op();
      return json_op(op == ast::BinaryOp::JsonExistsAny ? Func::ExistsAny : Func::ExistsAll, TypeId::Bool,
                     list(std::move(l), std::move(r)));
    case ast::BinaryOp::JsonDeletePath:
      if (!jb || !text_array_arg()) no_op();
      return json_op(Func::DeletePath, TypeId::Jsonb, list(std::move(l), std::move(r)));
    case ast::BinaryOp::Sub:
      if (!jb) no_op();
      if (r->type == TypeId::Int32)
        return json_op(Func::DeleteIndex, TypeId::Jsonb, list(std::move(l), std::move(r)));
      if (r->type == TypeId::TextArray)
        return json_op(Func::DeleteKeys, TypeId::Jsonb, list(std::move(l), std::move(r)));
      if (!text_arg()) no_op();
      return json_op(Func::DeleteKey, TypeId::Jsonb, list(std::move(l), std::move(r)));
    default:
      return no_op();
  }
}

ExprPtr Binder::bind_json_function(const std::string& name, std::vector<ExprPtr>& args, int loc) {
  using json::Func;
  static const char* const kUnsupported[] = {"jsonb_path_query",
                                             "jsonb_path_query_array",
                                             "jsonb_path_query_first",
                                             "jsonb_path_exists",
                                             "jsonb_path_match",
                                             "jsonb_populate_record",
                                             "jsonb_populate_recordset",
                                             "jsonb_to_record",
                                             "jsonb_to_recordset",
                                             "json_populate_record",
                                             "json_populate_recordset",
                                             "json_to_record",
                                             "json_to_recordset",
                                             "jsonb_insert",
                                             "jsonb_set_lax",
                                             "json_object",
                                             "jsonb_object",
                                             "row_to_json",
                                             "array_to_json",
                                             "json_strip_nulls",
                                             "json_each",
                                             "json_each_text",
                                             "json_array_elements",
                                             "json_array_elements_text",
                                             "json_object_keys",
                                             "jsonb_extract_path",
                                             "jsonb_extract_path_text",
                                             "json_extract_path",
                                             "json_extract_path_text",
                                             "json_table",
                                             "jsonb_path_exists_tz",
                                             "jsonb_path_query_tz"};
  for (const char* u : kUnsupported)
    if (name == u) throw_unsupported("function " + name, pos_of(loc));
  auto no_function = [&]() -> ExprPtr {
    fail(SqlState::UndefinedFunction, "function " + signature(name, args) + " does not exist", loc,
         kFuncHint);
  };
  // One argument of type `t` (an unknown literal takes it).
  auto one = [&](TypeId t) -> ExprPtr {
    if (args.size() != 1) no_function();
    if (args[0]->type == TypeId::Unknown) args[0] = convert(std::move(args[0]), t);
    if (args[0]->type != t) no_function();
    return std::move(args[0]);
  };
  if (name == "to_json" || name == "to_jsonb") {
    if (args.size() != 1) no_function();
    if (args[0]->type == TypeId::Unknown && !is_unknown_param(*args[0]))
      fail(SqlState::DatatypeMismatch, "could not determine polymorphic type because input has type unknown",
           loc);
    ExprPtr j = to_json(std::move(args[0]), loc);
    return name == "to_json" ? std::move(j) : convert(std::move(j), TypeId::Jsonb);
  }
  if (name == "jsonb_build_object" || name == "json_build_object" || name == "jsonb_build_array" ||
      name == "json_build_array") {
    const bool object = name.find("object") != std::string::npos;
    const bool binary = name[4] == 'b';
    std::vector<ExprPtr> converted;
    for (size_t i = 0; i < args.size(); ++i) {
      if (object && i % 2 == 0) {  // a key: its text
        ExprPtr k = std::move(args[i]);
        if (k->type != TypeId::Text) {
          if (is_array(k->type) || is_json_type(k->type))
            fail(SqlState::InvalidParameterValue, "key value must be scalar, not array, composite, or json",
                 loc);
          k = convert(std::move(k), TypeId::Text);
        }
        converted.push_back(std::move(k));
      } else {
        converted.push_back(to_json(std::move(args[i]), loc));
      }
    }
    Func f = object ? (binary ? Func::BuildObject : Func::JsonBuildObject)
                    : (binary ? Func::BuildArray : Func::JsonBuildArray);
    return json_op(f, binary ? TypeId::Jsonb : TypeId::Json, std::move(converted));
  }
  if (name == "jsonb_typeof") return json_op(Func::Typeof, TypeId::Text, list(one(TypeId::Jsonb)));
  if (name == "json_typeof") return json_op(Func::JsonTypeof, TypeId::Text, list(one(TypeId::Json)));
  if (name == "jsonb_array_length")
    return json_op(Func::ArrayLength, TypeId::Int32, list(one(TypeId::Jsonb)));
  if (name == "json_array_length")
    return json_op(Func::JsonArrayLength, TypeId::Int32, list(one(TypeId::Json)));
  if (name == "jsonb_pretty") return json_op(Func::Pretty, TypeId::Text, list(one(TypeId::Jsonb)));
  if (name == "jsonb_strip_nulls") return json_op(Func::StripNulls, TypeId::Jsonb, list(one(TypeId::Jsonb)));
  if (name == "jsonb_set") {
    if (args.size() != 3 && args.size() != 4) no_function();
    const TypeId types[] = {TypeId::Jsonb, TypeId::TextArray, TypeId::Jsonb, TypeId::Bool};
    for (size_t i = 0; i < args.size(); ++i) {
      if (args[i]->type == TypeId::Unknown) args[i] = convert(std::move(args[i]), types[i]);
      if (args[i]->type != types[i]) no_function();
    }
    return json_op(Func::Set, TypeId::Jsonb, std::move(args));
  }
  return nullptr;
}

ExprPtr Binder::bind_bytea_function(const std::string& name, std::vector<ExprPtr>& args, int loc) {
  using bytea::Func;
  static const char* const kNames[] = {"get_byte", "set_byte",   "encode",       "decode",
                                       "md5",      "sha224",     "sha256",       "sha384",
                                       "sha512",   "convert_to", "convert_from", "gen_random_uuid"};
  // The names text has too (common/text_sql.h): bytea's when the (first) argument is a bytea.
  const bool shared = name == "length" || name == "octet_length" || name == "substring" || name == "substr" ||
                      name == "position";
  bool known = shared;
  for (const char* n : kNames) known = known || name == n;
  if (!known) return nullptr;
  if (shared && !(!args.empty() && args[0]->type == TypeId::Bytea) &&
      !(name == "position" && args.size() == 2 && args[1]->type == TypeId::Bytea))
    return nullptr;
  auto no_function = [&]() -> ExprPtr {
    fail(SqlState::UndefinedFunction, "function " + signature(name, args) + " does not exist", loc,
         kFuncHint);
  };
  // Whether args[i] can be `t`: its type, an untyped literal or $n, or (for text) name / "char".
  auto fits = [&](size_t i, TypeId t) {
    TypeId a = args[i]->type;
    return a == t || a == TypeId::Unknown || (t == TypeId::Text && is_string_type(a));
  };
  auto is = [&](size_t i, TypeId t) { return args[i]->type == t; };
  auto make = [&](Func f, TypeId result, std::initializer_list<TypeId> types) {
    if (types.size() != args.size()) return no_function();
    size_t i = 0;
    for (TypeId t : types)
      if (!fits(i++, t)) return no_function();
    i = 0;
    std::vector<ExprPtr> converted;
    for (TypeId t : types) converted.push_back(convert(std::move(args[i++]), t));
    ExprPtr x = Expr::make(ExprOp::Bytes, result, std::move(converted));
    x->func = static_cast<int>(f);
    return x;
  };
  const size_t n = args.size();
  // PostgreSQL prefers text for an untyped argument where both a text and a bytea function exist.
  const bool bytes = n >= 1 && is(0, TypeId::Bytea);
  if (name == "length" && n == 2) throw_unsupported("length(bytea, name)", pos_of(loc));
  if (name == "length" || name == "octet_length") return make(Func::Length, TypeId::Int32, {TypeId::Bytea});
  if (name == "substring" || name == "substr") {
    if (n == 2) return make(Func::Substr, TypeId::Bytea, {TypeId::Bytea, TypeId::Int32});
    return make(Func::Substr, TypeId::Bytea, {TypeId::Bytea, TypeId::Int32, TypeId::Int32});
  }
  if (name == "position")  // position(needle IN haystack) arrives as position(haystack, needle)
    return make(Func::Position, TypeId::Int32, {TypeId::Bytea, TypeId::Bytea});
  if (name == "get_byte") return make(Func::GetByte, TypeId::Int32, {TypeId::Bytea, TypeId::Int32});
  if (name == "set_byte")
    return make(Func::SetByte, TypeId::Bytea, {TypeId::Bytea, TypeId::Int32, TypeId::Int32});
  if (name == "encode") return make(Func::Encode, TypeId::Text, {TypeId::Bytea, TypeId::Text});
  if (name == "decode") return make(Func::Decode, TypeId::Bytea, {TypeId::Text, TypeId::Text});
  if (name == "md5")
    return bytes ? make(Func::Md5, TypeId::Text, {TypeId::Bytea})
                 : make(Func::Md5, TypeId::Text, {TypeId::Text});
  if (name == "sha224") return make(Func::Sha224, TypeId::Bytea, {TypeId::Bytea});
  if (name == "sha256") return make(Func::Sha256, TypeId::Bytea, {TypeId::Bytea});
  if (name == "sha384") return make(Func::Sha384, TypeId::Bytea, {TypeId::Bytea});
  if (name == "sha512") return make(Func::Sha512, TypeId::Bytea, {TypeId::Bytea});
  if (name == "convert_to") return make(Func::ConvertTo, TypeId::Bytea, {TypeId::Text, TypeId::Text});
  if (name == "convert_from") return make(Func::ConvertFrom, TypeId::Text, {TypeId::Bytea, TypeId::Text});
  return make(Func::GenRandomUuid, TypeId::Uuid, {});
}

ExprPtr Binder::text_output(ExprPtr x) {
  if (x->type == TypeId::Text) return x;
  if (x->type == TypeId::BpChar) {  // bpcharout: the padded text (a cast to text would drop the padding)
    ExprPtr out = Expr::make(ExprOp::Text, TypeId::Text, list(std::move(x)));
    out->func = static_cast<int>(textsql::Func::BpcharOut);
    return out;
  }
  if (x->type != TypeId::Bool) return convert(std::move(x), TypeId::Text);
  // CASE WHEN x THEN 't' WHEN NOT x THEN 'f' END (NULL stays NULL)
  std::vector<ExprPtr> c;
  c.push_back(detail::clone(*x));
  c.push_back(Expr::make_constant(Value::text("t"), TypeId::Text));
  c.push_back(Expr::make(ExprOp::Not, TypeId::Bool, list(std::move(x))));
  c.push_back(Expr::make_constant(Value::text("f"), TypeId::Text));
  c.push_back(Expr::make_constant(Value::null(TypeId::Text), TypeId::Text));
  return Expr::make(ExprOp::Case, TypeId::Text, std::move(c));
}

ExprPtr Binder::bind_text_function(const std::string& name, std::vector<ExprPtr>& args, int loc) {
  using textsql::Signature;
  bool named = false;
  for (const Signature& sig : textsql::signatures()) named = named || name == sig.name;
  if (!named) return nullptr;
  // quote_literal(anyelement), quote_nullable(anyelement): another type's ::text.
  if ((name == "quote_literal" || name == "quote_nullable") && args.size() == 1 &&
      args[0]->type != TypeId::Unknown && !is_string_type(args[0]->type) && !is_unknown_param(*args[0]))
    args[0] = convert(std::move(args[0]), TypeId::Text);
  // Scores each signature of that name and arity: an exact type counts 2; an unknown literal 1, plus 1
  // for text (PostgreSQL prefers the string category); an implicit cast (name, "char" -> text, integer
  // -> bigint) 0. The best score wins; a tie is ambiguous (42725).
  const Signature* best = nullptr;
  int best_score = -1;
  bool tie = false;
  for (const Signature& sig : textsql::signatures()) {
    if (sig.name != name) continue;
    const size_t fixed = sig.args.size();
    if (sig.variadic ? args.size() <= fixed : args.size() != fixed) continue;
    int score = 0;
    bool ok = true;
    for (size_t i = 0; i < fixed && ok; ++i) {
      TypeId a = args[i]->type, p = sig.args[i];
      if (a == p) {
        score += 2;
      } else if (a == TypeId::Unknown) {
        score += p == TypeId::Text ? 2 : 1;
      } else {
        ok = (p == TypeId::Text && casts_to_text_implicitly(a)) ||
             (is_integer(p) && is_integer(a) && rank(a) < rank(p));  // int2 -> int4 -> int8: implicit
      }
    }
    if (!ok) continue;
    if (score > best_score) {
      best = &sig;
      best_score = score;
      tie = false;
    } else if (score == best_score) {
      tie = true;
    }
  }
  if (!best)
    fail(SqlState::UndefinedFunction, "function " + signature(name, args) + " does not exist", loc,
         kFuncHint);
  if (tie)
    fail(SqlState::AmbiguousFunction, "function " + signature(name, args) + " is not unique", loc,
         "Could not choose a best candidate function. You might need to add explicit type casts.");
  std::vector<ExprPtr> converted;
  for (size_t i = 0; i < args.size(); ++i)
    converted.push_back(i < best->args.size() ? convert(std::move(args[i]), best->args[i])
                                              : text_output(std::move(args[i])));
  ExprPtr x = Expr::make(ExprOp::Text, best->result, std::move(converted));
  x->func = static_cast<int>(best->func);
  return x;
}

ExprPtr Binder::bind_catalog_function(const std::string& name, std::vector<ExprPtr>& args, int loc) {
  // Each signature of that name and arity whose every argument is its type, an unknown literal or an
  // implicit cast (integer -> oid, name <-> text, "char" -> text) away; exact matches score higher.
  const catalog::Signature* best = nullptr;
  int best_score = -1;
  bool named = false;
  for (const catalog::Signature& sig : catalog::signatures()) {
    if (name != sig.name) continue;
    named = true;
    if (sig.args.size() != args.size()) continue;
    int score = 0;
    bool ok = true;
    for (size_t i = 0; i < args.size() && ok; ++i) {
      TypeId from = args[i]->type, to = sig.args[i];
      if (from == to) {
        score += 2;
      } else if (from == TypeId::Unknown) {
        score += 1;
      } else {
        ok = (to == TypeId::Oid && (is_integer(from) || is_reg_type(from))) ||
             (is_string_type(from) && is_string_type(to)) ||
             (to == TypeId::RegClass && is_string_type(from)) ||  // text -> regclass is implicit
             (is_reg_type(to) && (from == TypeId::Oid || is_integer(from))) ||  // oid -> regclass too
             (is_integer(to) && is_integer(from) && rank(from) < rank(to));  // setval('s', 42): int4 -> int8
      }
    }
    if (ok && score > best_score) {
      best = &sig;
      best_score = score;
    }
  }
  if (!named) return nullptr;
  if (!best)
    fail(SqlState::UndefinedFunction, "function " + signature(name, args) + " does not exist", loc,
         kFuncHint);
  for (size_t i = 0; i < args.size(); ++i) args[i] = convert(std::move(args[i]), best->args[i]);
  ExprPtr x = Expr::make(ExprOp::CatalogFunc, best->result, std::move(args));
  x->func = static_cast<int>(best->func);
  return x;
}

// ---- Mathematical functions ----

namespace {

// PostgreSQL's type categories among the types of the math table: numeric (N, preferred double
// precision, implicit casts up integer -> bigint -> numeric -> double precision) and string (S, text).
char math_category(TypeId t) {
  if (is_numeric(t)) return 'N';
  if (is_string_type(t)) return 'S';
  return 'X';
}

bool math_preferred(TypeId t) {
  return t == TypeId::Float64 || t == TypeId::Text;
}

bool math_coercible(TypeId from, TypeId to) {
  if (from == to || from == TypeId::Unknown) return true;
  if (is_numeric(from) && is_numeric(to)) return rank(from) <= rank(to);
  return is_string_type(from) && to == TypeId::Text;
}

// func_select_candidate: the signature PostgreSQL picks among `all` for argument types `in`; null when
// ambiguous (sets *ambiguous) or when none accepts them.
const mathsql::Signature* select_math_candidate(std::vector<const mathsql::Signature*> cands,
                                                const std::vector<TypeId>& in, bool* ambiguous) {
  *ambiguous = false;
  if (cands.empty()) return nullptr;
  if (cands.size() == 1) return cands[0];
  const size_t n = in.size();
  auto keep_best = [&](auto score) {
    int best = -1;
    std::vector<const mathsql::Signature*> kept;
    for (const auto* c : cands) {
      int s = score(*c);
      if (s > best) {
        best = s;
        kept.clear();
      }
      if (s == best) kept.push_back(c);
    }
    cands = std::move(kept);
  };
  // Most exact matches, then most exact-or-preferred (in the input's category) matches.
  keep_best([&](const mathsql::Signature& s) {
    int m = 0;
    for (size_t i = 0; i < n; ++i) m += in[i] != TypeId::Unknown && s.args[i] == in[i];
    return m;
  });
  if (cands.size() == 1) return cands[0];
  keep_best([&](const mathsql::Signature& s) {
    int m = 0;
    for (size_t i = 0; i < n; ++i)
      m += in[i] != TypeId::Unknown &&
           (s.args[i] == in[i] ||
            (math_preferred(s.args[i]) && math_category(s.args[i]) == math_category(in[i])));
    return m;
  });
  if (cands.size() == 1) return cands[0];
  // Unknown arguments: the category the candidates agree on (string wins), its preferred type if any.
  size_t unknowns = 0;
  for (TypeId t : in) unknowns += t == TypeId::Unknown;
  if (unknowns > 0) {
    bool resolved = true;
    std::vector<char> category(n, 0);
    std::vector<bool> preferred(n, false);
    for (size_t i = 0; i < n && resolved; ++i) {
      if (in[i] != TypeId::Unknown) continue;
      bool conflict = false;
      for (const auto* c : cands) {
        char cat = math_category(c->args[i]);
        if (!category[i]) {
          category[i] = cat;
          preferred[i] = math_preferred(c->args[i]);
        } else if (cat == category[i]) {
          preferred[i] = preferred[i] || math_preferred(c->args[i]);
        } else if (cat == 'S') {
          category[i] = cat;
          preferred[i] = math_preferred(c->args[i]);
        } else {
          conflict = true;
        }
      }
      if (conflict && category[i] != 'S') resolved = false;
    }
    if (resolved) {
      std::vector<const mathsql::Signature*> kept;
      for (const auto* c : cands) {
        bool keep = true;
        for (size_t i = 0; i < n; ++i)
          if (in[i] == TypeId::Unknown &&
              (math_category(c->args[i]) != category[i] || (preferred[i] && !math_preferred(c->args[i]))))
            keep = false;
        if (keep) kept.push_back(c);
      }
      if (!kept.empty()) cands = std::move(kept);
      if (cands.size() == 1) return cands[0];
    }
    // Known arguments all of one type: the unknowns are assumed to be of that type.
    if (unknowns < n) {
      TypeId known = TypeId::Unknown;
      bool same = true;
      for (TypeId t : in) {
        if (t == TypeId::Unknown) continue;
        if (known != TypeId::Unknown && known != t) same = false;
        known = t;
      }
      if (same) {
        std::vector<const mathsql::Signature*> kept;
        for (const auto* c : cands) {
          bool keep = true;
          for (size_t i = 0; i < n; ++i)
            if (in[i] == TypeId::Unknown && !math_coercible(known, c->args[i])) keep = false;
          if (keep) kept.push_back(c);
        }
        if (kept.size() == 1) return kept[0];
      }
    }
  }
  *ambiguous = true;
  return nullptr;
}

}  // namespace

ExprPtr Binder::bind_math(const std::string& name, std::vector<ExprPtr>& args, int loc, bool is_operator) {
  std::vector<TypeId> in;
  for (const auto& a : args) in.push_back(is_unknown_param(*a) ? TypeId::Unknown : a->type);
  const std::string sym = name.starts_with("u") ? name.substr(1) : name;
  auto describe = [&]() {
    std::string s;
    if (in.size() == 2) return tn(in[0]) + " " + sym + " " + tn(in[1]);
    return sym + " " + tn(in[0]);
  };
  if (name == "u@") {  // @ x is abs(x) (ExprOp::Abs), double precision for an unknown
    if (in[0] == TypeId::Unknown) args[0] = convert(std::move(args[0]), TypeId::Float64);
    if (!is_numeric(args[0]->type))
      fail(SqlState::UndefinedFunction, "operator does not exist: " + describe(), loc, kCastHint);
    TypeId t = args[0]->type;
    return Expr::make(ExprOp::Abs, t, std::move(args));
  }
  bool named = false;
  std::vector<const mathsql::Signature*> cands;
  for (const mathsql::Signature& s : mathsql::signatures()) {
    if (s.name != name) continue;
    named = true;
    if (s.args.size() != in.size()) continue;
    bool ok = true;
    for (size_t i = 0; i < in.size(); ++i) ok = ok && math_coercible(in[i], s.args[i]);
    if (ok) cands.push_back(&s);
  }
  if (!named) return nullptr;
  bool ambiguous = false;
  const mathsql::Signature* best = nullptr;
  if (is_operator && in.size() == 2 && (in[0] == TypeId::Unknown) != (in[1] == TypeId::Unknown)) {
    // PostgreSQL's binary_oper_exact: an operator with one untyped operand is first looked up with both
    // operands of the other's type ('7' << 3 is integer << integer).
    const TypeId known = in[0] == TypeId::Unknown ? in[1] : in[0];
    for (const mathsql::Signature* c : cands)
      if (c->args[0] == known && c->args[1] == known) best = c;
  }
  if (!best) best = select_math_candidate(std::move(cands), in, &ambiguous);
  if (!best) {
    if (is_operator) {
      if (ambiguous)
        fail(SqlState::AmbiguousFunction, "operator is not unique: " + describe(), loc,
             "Could not choose a best candidate operator. You might need to add explicit type casts.");
      fail(SqlState::UndefinedFunction, "operator does not exist: " + describe(), loc, kCastHint);
    }
    if (ambiguous)
      fail(SqlState::AmbiguousFunction, "function " + signature(name, args) + " is not unique", loc,
           "Could not choose a best candidate function. You might need to add explicit type casts.");
    fail(SqlState::UndefinedFunction, "function " + signature(name, args) + " does not exist", loc,
         kFuncHint);
  }
  std::vector<ExprPtr> converted;
  for (size_t i = 0; i < args.size(); ++i) converted.push_back(convert(std::move(args[i]), best->args[i]));
  ExprPtr x = Expr::make(ExprOp::Math, best->result, std::move(converted));
  x->func = static_cast<int>(best->func);
  return x;
}

ExprPtr Binder::bind_datetime(const std::string& name, std::vector<ExprPtr>& args, int loc,
                              bool is_operator) {
  // Scores each signature of that name and arity: an exact argument type counts 2; an unknown literal
  // (or untyped $n) counts 1 when it takes the type of another, known argument (PostgreSQL: "assume the
  // unknown has the same type as the other input"), else 0; an implicit cast (integer -> double
  // precision, date -> timestamp -> timestamptz, time -> interval) counts 0, plus 1 towards timestamptz,
  // the preferred type of the date/time category. The best score wins; a tie is ambiguous (42725).
  auto implicit = [](TypeId from, TypeId to) {
    if (from == to) return true;
    if ((is_integer(from) || from == TypeId::Numeric || from == TypeId::Float32) && to == TypeId::Float64)
      return true;
    if (is_integer(from) && is_integer(to) && rank(from) < rank(to)) return true;  // int2 -> int4 -> int8
    if (from == TypeId::Date) return to == TypeId::Timestamp || to == TypeId::TimestampTz;
    if (from == TypeId::Timestamp) return to == TypeId::TimestampTz;
    if (from == TypeId::Time) return to == TypeId::Interval;
    return false;
  };
  // make_interval's arguments all default to 0 (PostgreSQL's years => 0, ..., secs => 0.0).
  if (name == "make_interval" && !is_operator && args.size() < 7) {
    while (args.size() < 6) args.push_back(Expr::make_constant(Value::int32(0), TypeId::Int32));
    args.push_back(Expr::make_constant(Value::float64(0), TypeId::Float64));
  }
  const dtsql::Signature* best = nullptr;
  int best_score = -1;
  bool tie = false;
  bool any_candidate = false;
  std::vector<const dtsql::Signature*> tied;  // the candidates with the best score, one per function
  for (const dtsql::Signature& sig : dtsql::signatures()) {
    if (sig.name != name || sig.args.size() != args.size()) continue;
    any_candidate = true;
    int score = 0;
    bool ok = true;
    for (size_t i = 0; i < args.size() && ok; ++i) {
      TypeId a = args[i]->type, p = sig.args[i];
      if (a == p) {
        score += 2;
      } else if (a == TypeId::Unknown) {
        // PostgreSQL prefers the string category for an unknown function argument before trying the
        // type of the other arguments (func_select_candidate): time_bucket('1 day', ts, 'UTC').
        if (p == TypeId::Text && !is_operator) score += 3;
        for (size_t j = 0; j < args.size(); ++j)
          if (j != i && args[j]->type == p) score += 1;
      } else if (implicit(a, p)) {
        if (p == TypeId::TimestampTz) score += 1;
      } else {
        ok = false;
      }
    }
    if (!ok) continue;
    if (score > best_score) {
      best = &sig;
      best_score = score;
      tie = false;
      tied.assign(1, &sig);
    } else if (score == best_score && best->func != sig.func) {
      tie = true;
      tied.push_back(&sig);
    }
  }
  if (!any_candidate || !best) return nullptr;
  if (tie) {
    // func_select_candidate: keep the candidates with the most arguments of exactly the given (known) type
    // (timestamp - date is timestamp - timestamp, not timestamptz - timestamptz).
    auto exact = [&](const dtsql::Signature* sig) {
      int n = 0;
      for (size_t i = 0; i < args.size(); ++i)
        n += args[i]->type != TypeId::Unknown && args[i]->type == sig->args[i];
      return n;
    };
    int most = 0;
    for (const dtsql::Signature* sig : tied) most = std::max(most, exact(sig));
    std::erase_if(tied, [&](const dtsql::Signature* sig) { return exact(sig) < most; });
  }
  if (tie) {
    // func_select_candidate: at an unknown argument where every candidate takes a type of one category,
    // keep the candidates taking that category's preferred type (date_bin('15 minutes', '2024-01-01
    // 10:07', '2000-01-01') is the timestamptz one).
    auto category = [](TypeId t) {
      if (t == TypeId::Date || t == TypeId::Time || t == TypeId::Timestamp || t == TypeId::TimestampTz)
        return 'D';
      if (t == TypeId::Interval) return 'T';
      if (is_numeric(t)) return 'N';
      if (t == TypeId::Text) return 'S';
      return 'U';
    };
    auto preferred = [](char cat) {
      return cat == 'D'   ? TypeId::TimestampTz
             : cat == 'T' ? TypeId::Interval
             : cat == 'N' ? TypeId::Float64
             : cat == 'S' ? TypeId::Text
                          : TypeId::Unknown;
    };
    for (size_t i = 0; i < args.size() && tied.size() > 1; ++i) {
      if (args[i]->type != TypeId::Unknown) continue;
      const char cat = category(tied[0]->args[i]);
      bool one_category = cat != 'U';
      for (const dtsql::Signature* sig : tied) one_category = one_category && category(sig->args[i]) == cat;
      if (!one_category) continue;
      std::vector<const dtsql::Signature*> kept;
      for (const dtsql::Signature* sig : tied)
        if (sig->args[i] == preferred(cat)) kept.push_back(sig);
      if (!kept.empty()) tied = std::move(kept);
    }
    // The last rule: when the known arguments all have one type, an unknown one is taken to have it too;
    // exactly one candidate accepting that (time + '1 hour' is time + interval, time -> interval).
    std::optional<TypeId> known;
    bool one_type = true, unknowns = false;
    for (const ExprPtr& a : args) {
      if (a->type == TypeId::Unknown) {
        unknowns = true;
      } else {
        one_type = one_type && (!known || *known == a->type);
        known = a->type;
      }
    }
    if (tied.size() > 1 && unknowns && known && one_type) {
      std::vector<const dtsql::Signature*> kept;
      for (const dtsql::Signature* sig : tied) {
        bool accepts = true;
        for (size_t i = 0; i < args.size(); ++i)
          if (args[i]->type == TypeId::Unknown) accepts = accepts && implicit(*known, sig->args[i]);
        if (accepts) kept.push_back(sig);
      }
      if (kept.size() == 1) tied = std::move(kept);
    }
    if (tied.size() == 1) {
      best = tied[0];
      tie = false;
    }
  }
  if (tie) {
    std::string types;
    for (size_t i = 0; i < args.size(); ++i) types += (i ? ", " : "") + tn(args[i]->type);
    if (is_operator) {
      std::string sym = name == "u-" ? "-" : name;
      fail(SqlState::AmbiguousFunction,
           "operator is not unique: " + (args.size() == 2
                                             ? tn(args[0]->type) + " " + sym + " " + tn(args[1]->type)
                                             : sym + " " + types),
           loc, "Could not choose a best candidate operator. You might need to add explicit type casts.");
    }
    fail(SqlState::AmbiguousFunction, "function " + name + "(" + types + ") is not unique", loc,
         "Could not choose a best candidate function. You might need to add explicit type casts.");
  }
  std::vector<ExprPtr> converted;
  for (size_t i = 0; i < args.size(); ++i) converted.push_back(convert(std::move(args[i]), best->args[i]));
  ExprPtr x = Expr::make(ExprOp::DateTime, best->result, std::move(converted));
  x->func = static_cast<int>(best->func);
  return x;
}

ExprPtr Binder::bind_inner(const ast::Expr& e, ExprCtx& c) {
  switch (e.kind) {
    case ast::ExprKind::Constant: {
      const Value& v = e.value;
      if (v.is_null()) return Expr::make_constant(Value::null(), TypeId::Unknown);
      Value bound = literal_constant(v);
      const TypeId t = bound.type();
      ExprPtr x = Expr::make_constant(std::move(bound), t);
      if (t == TypeId::Unknown) x->location = e.location;
      x->literal = trace_literal(e, *x);
      return x;
    }
    case ast::ExprKind::Param:
      return bind_param(e);
    case ast::ExprKind::ColumnRef:
      return bind_column(e, c);
    case ast::ExprKind::Star:
      fail(SqlState::SyntaxError, "\"*\" is not allowed here", e.location);
    case ast::ExprKind::Unary: {
      ExprPtr a = bind(*e.args.at(0), c);
      if (e.unary_op == ast::UnaryOp::Operator) {  // |/ ||/ @ ~
        std::vector<ExprPtr> args;
        args.push_back(std::move(a));
        return bind_math("u" + e.func_name, args, e.location, true);
      }
      if (e.unary_op == ast::UnaryOp::Not)
        return Expr::make(ExprOp::Not, TypeId::Bool,
                          list(to_bool(std::move(a), "argument of NOT", e.location)));
      const char* sym = e.unary_op == ast::UnaryOp::Minus ? "-" : "+";
      if (a->type == TypeId::Unknown)
        fail(SqlState::AmbiguousFunction, std::string("operator is not unique: ") + sym + " unknown",
             e.location,
             "Could not choose a best candidate operator. You might need to add explicit type casts.");
      if (a->type == TypeId::Interval && e.unary_op == ast::UnaryOp::Minus) {
        std::vector<ExprPtr> args;
        args.push_back(std::move(a));
        return bind_datetime("u-", args, e.location, true);
      }
      if (!is_numeric(a->type))
        fail(SqlState::UndefinedFunction, std::string("operator does not exist: ") + sym + " " + tn(a->type),
             e.location, kCastHint);
      if (e.unary_op == ast::UnaryOp::Plus) return a;
      // A constant's negation is folded only where it cannot fail: the smallest integer's is left to the
      // compiled Neg, which raises 22003 as for a column.
      if (a->op == ExprOp::Constant && !a->constant.is_null()) {
        const Value& v = a->constant;
        if (a->type == TypeId::Float64) return Expr::make_constant(Value::float64(-v.as_double()), a->type);
        if (a->type == TypeId::Float32)
          return Expr::make_constant(Value::float32(-static_cast<float>(v.as_double())), a->type);
        if (a->type == TypeId::Numeric)
          return Expr::make_constant(Value::numeric(num::negate(v.as_text())), a->type);
        if (a->type == TypeId::Int32 && v.as_int() != INT32_MIN)
          return Expr::make_constant(Value::int32(static_cast<int32_t>(-v.as_int())), a->type);
        if (a->type == TypeId::Int64 && v.as_int() != INT64_MIN)
          return Expr::make_constant(Value::int64(-v.as_int()), a->type);
      }
      TypeId t = a->type;
      return Expr::make(ExprOp::Neg, t, list(std::move(a)));
    }
    case ast::ExprKind::Binary: {
      ExprPtr l = bind(*e.args.at(0), c);
      ExprPtr r = bind(*e.args.at(1), c);
      if (e.binary_op == ast::BinaryOp::Operator) {  // ^ & | # << >>
        std::vector<ExprPtr> args;
        args.push_back(std::move(l));
        args.push_back(std::move(r));
        return bind_math(e.func_name, args, e.location, true);
      }
      return bind_binary(e.binary_op, std::move(l), std::move(r), e.location);
    }
    case ast::ExprKind::IsNull: {
      ExprPtr a = bind(*e.args.at(0), c);
      if (a->type == TypeId::Unknown && !is_unknown_param(*a)) a = convert(std::move(a), TypeId::Text);
      return Expr::make(e.negated ? ExprOp::IsNotNull : ExprOp::IsNull, TypeId::Bool, list(std::move(a)));
    }
    case ast::ExprKind::BoolTest:
      return bind_bool_test(e, c);
    case ast::ExprKind::FuncCall:
      return bind_function(e, c);
    case ast::ExprKind::Cast: {
      int32_t typmod = -1;
      TypeId t = detail::resolve_type(e.cast_type, &typmod);
      const ast::Expr& operand = *e.args.at(0);
      if (is_array(t) && operand.kind == ast::ExprKind::ArrayCtor && operand.args.empty())
        return Expr::make_constant(Value::text(arr::Builder(element_type(t)).finish(), t),
                                   t);  // ARRAY[]::int[]
      ExprPtr a = bind(operand, c);
      if (a->type == TypeId::Xid) throw_unsupported("casts of type xid", pos_of(e.location));
      if (t == TypeId::Interval && typmod >= 0) {
        // INTERVAL '3' MONTH, '1:30'::interval hour to minute, interval(3) '...': PostgreSQL's interval_in
        // reading the text by the qualifier, then AdjustIntervalForTypmod. Folded here, so only a string
        // literal (or NULL) takes one.
        if (a->op == ExprOp::Constant && a->constant.is_null())
          return Expr::make_constant(Value::null(TypeId::Interval), TypeId::Interval);
        if (a->op != ExprOp::Constant || a->type != TypeId::Unknown) {
          // Not a literal: at run time, an interval adjusted, a text read by the qualifier first.
          if (a->type != TypeId::Interval && a->type != TypeId::Unknown && !is_string_type(a->type))
            fail(SqlState::CannotCoerce, "cannot cast type " + tn(a->type) + " to " + tn(t), e.location);
          // (A text value is read whole, then adjusted: PostgreSQL's CoerceViaIO passes no typmod.)
          return interval_typmod(convert(std::move(a), TypeId::Interval), typmod);
        }
        dt::Interval iv = dt::interval_in_typmod(a->constant.as_text(), typmod);
        return Expr::make_constant(Value::interval(iv.time, iv.day, iv.month), TypeId::Interval);
      }
      if (is_array(t) || is_array(a->type)) {
        if (a->type == t) return a;
        bool ok = a->type == TypeId::Unknown || (is_array(t) && is_string_type(a->type)) ||
                  (is_array(a->type) && t == TypeId::Text) ||
                  (is_array(t) && is_array(a->type) &&
                   arr::can_cast_element(element_type(a->type), element_type(t), nullptr));
        if (!ok) fail(SqlState::CannotCoerce, "cannot cast type " + tn(a->type) + " to " + tn(t), e.location);
        if (is_string_type(a->type) && a->type != TypeId::Text) a = convert(std::move(a), TypeId::Text);
        return convert(std::move(a), t);
      }
      if (is_json_type(t) || is_json_type(a->type)) {  // json, jsonb: text in and out, json <-> jsonb
        if (a->type == t) return a;
        if (!(a->type == TypeId::Unknown || (is_string_type(a->type) && is_json_type(t)) ||
              (is_json_type(a->type) && (t == TypeId::Text || is_json_type(t)))))
          fail(SqlState::CannotCoerce, "cannot cast type " + tn(a->type) + " to " + tn(t), e.location);
        if (a->type == TypeId::Name || a->type == TypeId::Char) a = convert(std::move(a), TypeId::Text);
        return convert(std::move(a), t);
      }
      if (is_binary_type(t) || is_binary_type(a->type)) {  // bytea, uuid: text in and out only
        if (a->type == t) return a;
        if (!(a->type == TypeId::Unknown || (is_string_type(a->type) && is_binary_type(t)) ||
              (is_binary_type(a->type) && t == TypeId::Text)))
          fail(SqlState::CannotCoerce, "cannot cast type " + tn(a->type) + " to " + tn(t), e.location);
        if (a->type == TypeId::Name || a->type == TypeId::Char) a = convert(std::move(a), TypeId::Text);
        return convert(std::move(a), t);
      }
      if (t == TypeId::Numeric && typmod >= 0) {
        if (a->type == TypeId::Bool)
          fail(SqlState::CannotCoerce, "cannot cast type boolean to numeric", e.location);
        return with_typmod(convert(std::move(a), t), typmod);
      }
      if (t == TypeId::BpChar) {  // the text's bytes, then char(n)'s length (explicit: truncates)
        if (a->type == TypeId::Bool && a->op != ExprOp::Constant) a = text_output(std::move(a));
        ExprPtr x = convert(std::move(a), t);
        if (typmod >= 0) x = bpchar_typmod(std::move(x), typmod, true);
        return x;
      }
      if (a->type == t && !(t == TypeId::Text && typmod >= 0)) return a;
      // boolean casts to and from integer only (pg_cast has int4 <-> bool, no int2 / int8 / float / numeric)
      if ((a->type == TypeId::Bool && is_numeric(t) && t != TypeId::Int32) ||
          (is_numeric(a->type) && a->type != TypeId::Int32 && t == TypeId::Bool) ||
          !catalog_cast_exists(a->type, t) ||
          ((is_datetime(a->type) || is_datetime(t)) && a->type != TypeId::Unknown &&
           !dtsql::can_cast(a->type, t)))
        fail(SqlState::CannotCoerce, "cannot cast type " + tn(a->type) + " to " + tn(t), e.location);
      ExprPtr x = convert(std::move(a), t);
      if (t == TypeId::Text && typmod >= 0) {
        // An explicit cast to varchar(n) keeps the first n characters (PostgreSQL drops the rest, whatever
        // they are; storing into a varchar(n) column instead fails on non-spaces: assign).
        std::vector<ExprPtr> args = list(std::move(x), Expr::make_constant(Value::int32(1), TypeId::Int32));
        args.push_back(Expr::make_constant(Value::int32(typmod), TypeId::Int32));
        x = Expr::make(ExprOp::Text, TypeId::Text, std::move(args));
        x->func = static_cast<int>(textsql::Func::Substr);
      }
      return x;
    }
    case ast::ExprKind::Case:
      return bind_case(e, c);
    case ast::ExprKind::InList: {
      ExprPtr x = bind(*e.args.at(0), c);
      std::vector<ExprPtr> items;
      for (size_t i = 1; i < e.args.size(); ++i) items.push_back(bind(*e.args[i], c));
      // An untyped parameter x takes the list's common type first ($1 IN ($2, 1): integer), as
      // PostgreSQL's select_common_type over the operand and the list.
      if (is_unknown_param(*x)) {
        TypeId common = TypeId::Unknown;
        for (const ExprPtr& item : items) {
          if (item->type == TypeId::Unknown) continue;
          common = common == TypeId::Unknown ? item->type : common_known_type(common, item->type);
          if (common == TypeId::Unknown) break;
        }
        if (common != TypeId::Unknown) x = convert(std::move(x), common);
      }
      // x IN (a, b, ...) is x = a OR x = b OR ..., each comparison coerced as a lone `=` would be.
      std::vector<ExprPtr> eqs;
      for (ExprPtr& item : items)
        eqs.push_back(compare(ExprOp::Eq, "=", copy_operand(*x, e.location), std::move(item), e.location));
      if (eqs.empty()) fail(SqlState::SyntaxError, "empty IN list", e.location);
      // A computed operand (a function call, a volatile one among them) is evaluated once when the
      // list can be a set, however short.
      const bool computed = !x->args.empty();
      ExprPtr result = in_set(eqs, computed);
      if (!result) result = balanced(ExprOp::Or, eqs, 0, eqs.size());
      if (e.negated) result = Expr::make(ExprOp::Not, TypeId::Bool, list(std::move(result)));
      return result;
    }
    case ast::ExprKind::Subquery:
      return bind_subquery(e, c);
    case ast::ExprKind::ArrayCtor:
    case ast::ExprKind::Subscript:
    case ast::ExprKind::ArrayCmp:
      return bind_array_expr(e, c);
    case ast::ExprKind::FieldSelect: {
      // (f(...)).field: an OUT column of a set-returning function in the select list. Other record
      // values (a row constructor, a composite column) OmenDB does not have.
      const ast::Expr& rec = *e.args.at(0);
      if (rec.kind == ast::ExprKind::FuncCall && is_set_function_name(rec.func_name) && !rec.over &&
          !rec.agg_star && !rec.agg_distinct && !rec.agg_filter) {
        if (!c.allow_srf || c.in_agg || c.in_window || !rec.names.empty())
          return bind(rec, c);  // the error bind_function gives
        return bind_select_list_srf(rec, c, &e.names.at(0));
      }
      // (alias.column).field: a field of a derived table's record value (record_columns_).
      const bool whole_row = rec.kind == ast::ExprKind::ColumnRef && rec.names.size() == 1 && c.scope &&
                             std::any_of(c.scope->rels.begin(), c.scope->rels.end(), [&](int r) {
                               return rels_[static_cast<size_t>(r)].refname == rec.names[0];
                             });
      if (rec.kind == ast::ExprKind::ColumnRef && !whole_row) return bind_column(rec, c, &e.names.at(0));
      throw_unsupported("field selection (record values)",
                        pos_of(e.location >= 0 ? e.location : rec.location));
    }
    case ast::ExprKind::Grouping: {
      // GROUPING(args): where aggregates may be; its arguments must be group keys (apply_grouping).
      if (!c.allow_agg)
        fail(SqlState::GroupingError, "grouping operations are not allowed in " + c.clause, e.location);
      if (c.in_agg) fail(SqlState::GroupingError, "aggregate function calls cannot be nested", e.location);
      ExprCtx ac = c;
      ac.allow_agg = false;
      ac.allow_window = false;
      ac.track_bare = false;
      ac.clause = "GROUPING";
      std::vector<ExprPtr> args;
      for (const auto& a : e.args) {
        args.push_back(bind(*a, ac));
        if (args.back()->location < 0) args.back()->location = a->location;  // for 42803 at the argument
      }
      ExprPtr g = Expr::make(ExprOp::Grouping, TypeId::Int32, std::move(args));
      g->location = e.location;
      return g;
    }
    case ast::ExprKind::Between: {
      ExprPtr x = bind(*e.args.at(0), c);
      ExprPtr lo = bind(*e.args.at(1), c);
      ExprPtr hi = bind(*e.args.at(2), c);
      ExprPtr ge = compare(ExprOp::Ge, ">=", detail::clone(*x), std::move(lo), e.location);
      ExprPtr le = compare(ExprOp::Le, "<=", std::move(x), std::move(hi), e.location);
      ExprPtr result = Expr::make(ExprOp::And, TypeId::Bool, list(std::move(ge), std::move(le)));
      if (e.negated) result = Expr::make(ExprOp::Not, TypeId::Bool, list(std::move(result)));
      return result;
    }
  }
  fail(SqlState::InternalError, "unknown expression kind", e.location);
}

// ---------------------------------------------------------------------------------------------------
// Arrays (docs/types.md, "Arrays"): every operation is an ExprOp::Array whose func packs the
// common/array.h operation, the array type and an extra operand; the runtime runs it through arr::run.

namespace {
ExprPtr array_op(arr::Func f, TypeId array_type, TypeId result, std::vector<ExprPtr> args, int extra = 0) {
  ExprPtr x = Expr::make(ExprOp::Array, result, std::move(args));
  x->func = static_cast<int>(arr::code(f, array_type, extra));
  return x;
}
}  // namespace

ExprPtr Binder::bind_array_expr(const ast::Expr& e, ExprCtx& c) {
  switch (e.kind) {
    case ast::ExprKind::ArrayCtor: {
      if (e.args.empty())
        fail(SqlState::IndeterminateDatatype, "cannot determine type of empty array", e.location,
             "Explicitly cast to the desired type, for example ARRAY[]::integer[].");
      std::vector<ExprPtr> args;
      std::vector<const Expr*> all;
      for (const auto& a : e.args) {
        args.push_back(bind(*a, c));
        if (is_array(args.back()->type)) throw_unsupported("multidimensional arrays", pos_of(a->location));
        all.push_back(args.back().get());
      }
      TypeId t = unify(all, "ARRAY", e.location);
      TypeId at = array_type(t);
      if (at == TypeId::Unknown) throw_unsupported("arrays of type " + tn(t), pos_of(e.location));
      for (auto& a : args) a = convert(std::move(a), t);
      return array_op(arr::Func::Build, at, at, std::move(args));
    }
    case ast::ExprKind::Subscript: {
      ExprPtr a = bind(*e.args.at(0), c);
      if (a->type == TypeId::Name) {
        // name[0]: its first byte, a "char" (pg_dump's typname[0] = '_'). PostgreSQL's name is a
        // fixed-length array of bytes; other positions are not built (a byte, not a character, each).
        const ast::Expr& index = *e.args.at(1);
        if (index.kind != ast::ExprKind::Constant || index.value.is_null() ||
            index.value.type() == TypeId::Unknown || !is_integer(index.value.type()) ||
            index.value.as_int() != 0)
          throw_unsupported("subscripts of type name other than [0]", pos_of(e.location));
        std::vector<ExprPtr> sub =
            list(convert(std::move(a), TypeId::Text), Expr::make_constant(Value::int32(1), TypeId::Int32),
                 Expr::make_constant(Value::int32(1), TypeId::Int32));
        return convert(bind_text_function("substr", sub, e.location), TypeId::Char);
      }
      if (!is_array(a->type))
        fail(SqlState::DatatypeMismatch,
             "cannot subscript type " + tn(a->type) + " because it does not support subscripting",
             e.location);
      // The subscript is assigned to integer as PostgreSQL does (1.5 rounds to 2, 2147483648 is 22003).
      ExprPtr i = bind(*e.args.at(1), c);
      if (i->type != TypeId::Unknown && !is_numeric(i->type))
        fail(SqlState::DatatypeMismatch, "array subscript must have type integer", e.args[1]->location);
      i = convert(convert(std::move(i), TypeId::Int32), TypeId::Int64);
      TypeId at = a->type;
      return array_op(arr::Func::Subscript, at, element_type(at), list(std::move(a), std::move(i)));
    }
    case ast::ExprKind::ArrayCmp: {
      const bool all = e.sublink == ast::SubLinkKind::All;
      if (const char* sym = nullptr; match_flags(e.binary_op, &sym) >= 0) {
        // x LIKE / ~ ... ANY | ALL (array of patterns): ExprOp::Match over a text[] (PostgreSQL's
        // scalar-array operator semantics for NULLs and an empty array).
        ExprPtr x = bind(*e.args.at(0), c);
        ExprPtr a = bind(*e.args.at(1), c);
        if (x->type == TypeId::Unknown) x = convert(std::move(x), TypeId::Text);
        if (a->type == TypeId::Unknown) a = convert(std::move(a), TypeId::TextArray);
        if (!is_array(a->type))
          fail(SqlState::WrongObjectType, std::string("op ANY/ALL (array) requires array on right side"),
               e.location);
        const TypeId elem = element_type(a->type);
        if (!is_string_type(x->type) || !is_string_type(elem))
          fail(SqlState::UndefinedFunction,
               "operator does not exist: " + tn(x->type) + " " + sym + " " + tn(elem), e.location, kCastHint);
        if (a->type != TypeId::TextArray) a = convert(std::move(a), TypeId::TextArray);
        ExprPtr m = Expr::make(ExprOp::Match, TypeId::Bool, list(std::move(x), std::move(a)));
        m->func = match_flags(e.binary_op, &sym) | (all ? plan::kMatchAll : plan::kMatchAny);
        return m;
      }
      static const char* const kSyms[] = {"=", "<>", "<", "<=", ">", ">="};
      int op = 0;
      switch (e.binary_op) {
        case ast::BinaryOp::Ne:
          op = 1;
          break;
        case ast::BinaryOp::Lt:
          op = 2;
          break;
        case ast::BinaryOp::Le:
          op = 3;
          break;
        case ast::BinaryOp::Gt:
          op = 4;
          break;
        case ast::BinaryOp::Ge:
          op = 5;
          break;
        default:
          break;
      }
      ExprPtr x = bind(*e.args.at(0), c);
      ExprPtr a = bind(*e.args.at(1), c);
      if (a->type == TypeId::Unknown) {
        TypeId xt = x->type == TypeId::Unknown ? TypeId::Text : x->type;
        if (array_type(xt) == TypeId::Unknown)
          throw_unsupported("arrays of type " + tn(xt), pos_of(e.location));
        a = convert(std::move(a), array_type(xt));
      }
      if (!is_array(a->type))
        fail(SqlState::WrongObjectType, std::string("op ANY/ALL (array) requires array on right side"),
             e.location);
      TypeId elem = element_type(a->type);
      if (x->type == TypeId::Unknown) x = convert(std::move(x), elem);
      if (x->type != elem) {
        // As `x op element` would be coerced: numeric widening, oid with integers, text with name.
        TypeId common = catalog_common_type(x->type, elem);
        if (common == TypeId::Unknown && ((is_numeric(x->type) && is_numeric(elem)) ||
                                          (is_date_or_timestamp(x->type) && is_date_or_timestamp(elem))))
          common = wider(x->type, elem);
        if (common == TypeId::Unknown || array_type(common) == TypeId::Unknown)
          fail(SqlState::UndefinedFunction,
               "operator does not exist: " + tn(x->type) + " " + kSyms[op] + " " + tn(elem), e.location,
               kCastHint);
        x = convert(std::move(x), common);
        if (common != elem) a = convert(std::move(a), array_type(common));
      }
      TypeId at = a->type;
      return array_op(arr::Func::AnyAll, at, TypeId::Bool, list(std::move(x), std::move(a)),
                      op * 2 + (all ? 1 : 0));
    }
    default:
      break;
  }
  fail(SqlState::InternalError, "unknown array expression", e.location);
}

ExprPtr Binder::bind_array_function(const std::string& name, std::vector<ExprPtr>& args, int loc) {
  static const std::pair<const char*, arr::Func> kFuncs[] = {
      {"array_length", arr::Func::Length},     {"array_upper", arr::Func::Upper},
      {"array_lower", arr::Func::Lower},       {"array_ndims", arr::Func::Ndims},
      {"cardinality", arr::Func::Cardinality}, {"array_to_string", arr::Func::ToString},
      {"array_dims", arr::Func::Dims},         {"array_append", arr::Func::Append},
      {"array_prepend", arr::Func::Prepend},   {"array_cat", arr::Func::Cat},
      {"array_remove", arr::Func::Remove}};
  if (name == "unnest" || name == "generate_subscripts")
    throw_unsupported(name + "() (set-returning functions)", pos_of(loc));
  const arr::Func* f = nullptr;
  for (const auto& [n, func] : kFuncs)
    if (name == n) f = &func;
  if (!f) return nullptr;
  auto no_such = [&] {
    fail(SqlState::UndefinedFunction, "function " + signature(name, args) + " does not exist", loc,
         kFuncHint);
  };
  // The array argument: an unknown literal cannot be typed from an anyarray signature.
  const size_t array_arg = *f == arr::Func::Prepend ? 1 : 0;
  if (args.size() <= array_arg) no_such();
  if (*f == arr::Func::Cat && args.size() == 2) {  // one known array type types the other side
    if (args[0]->type == TypeId::Unknown && is_array(args[1]->type))
      args[0] = convert(std::move(args[0]), args[1]->type);
    if (args[1]->type == TypeId::Unknown && is_array(args[0]->type))
      args[1] = convert(std::move(args[1]), args[0]->type);
  }
  if ((*f == arr::Func::Append || *f == arr::Func::Prepend || *f == arr::Func::Remove) && args.size() == 2) {
    ExprPtr& other = args[1 - array_arg];
    if (args[array_arg]->type == TypeId::Unknown && other->type != TypeId::Unknown &&
        array_type(other->type) != TypeId::Unknown)
      args[array_arg] = convert(std::move(args[array_arg]), array_type(other->type));
  }
  TypeId at = args[array_arg]->type;
  if (at == TypeId::Unknown)
    fail(SqlState::UndefinedFunction, "could not determine polymorphic type because input has type unknown",
         loc);
  if (!is_array(at)) no_such();
  TypeId result = TypeId::Int32;
  switch (*f) {
    case arr::Func::Length:
    case arr::Func::Upper:
    case arr::Func::Lower:
      if (args.size() != 2) no_such();
      if (args[1]->type == TypeId::Unknown || args[1]->type == TypeId::Int16)
        args[1] = convert(std::move(args[1]), TypeId::Int32);
      if (args[1]->type != TypeId::Int32) no_such();
      break;
    case arr::Func::Ndims:
    case arr::Func::Cardinality:
      if (args.size() != 1) no_such();
      break;
    case arr::Func::Dims:
      if (args.size() != 1) no_such();
      result = TypeId::Text;
      break;
    case arr::Func::ToString:
      if (args.size() != 2 && args.size() != 3) no_such();
      for (size_t i = 1; i < args.size(); ++i) {
        if (is_string_type(args[i]->type)) args[i] = convert(std::move(args[i]), TypeId::Text);
        if (args[i]->type != TypeId::Text) no_such();
      }
      result = TypeId::Text;
      break;
    case arr::Func::Append:
    case arr::Func::Prepend:
    case arr::Func::Remove:
    case arr::Func::Cat: {
      // anycompatiblearray / anycompatible: the array and the element (or both arrays' elements) take
      // their common type (int[] || bigint is bigint[]).
      if (args.size() != 2) no_such();
      ExprPtr& a = args[array_arg];
      ExprPtr& v = args[1 - array_arg];
      if (*f == arr::Func::Cat && !is_array(v->type)) no_such();
      const TypeId vt = *f == arr::Func::Cat ? element_type(v->type) : v->type;
      const TypeId common =
          vt == TypeId::Unknown ? element_type(at) : common_known_type(element_type(at), vt);
      if (common == TypeId::Unknown || array_type(common) == TypeId::Unknown) no_such();
      at = array_type(common);
      a = convert(std::move(a), at);
      v = convert(std::move(v), *f == arr::Func::Cat ? at : common);
      result = at;
      break;
    }
    default:
      no_such();
  }
  // Strict functions: NULL for a NULL argument (array_to_string's null string and the concatenations
  // apply their own rules in arr::eval).
  return array_op(*f, at, result, std::move(args));
}

OpPtr Binder::array_aggregate(const ast::Expr& e, OpPtr root, bool correlated) {
  if (root->output.size() != 1)
    fail(SqlState::SyntaxError, "subquery must return only one column", e.location);
  if (correlated) root = sort_with_inputs(std::move(root));
  const OutputColumn y = root->output[0];
  if (is_array(y.type))
    throw_unsupported("ARRAY(SELECT ...) of arrays (multidimensional arrays)", pos_of(e.location));
  TypeId yt = y.type == TypeId::Unknown ? TypeId::Text : y.type;
  if (array_type(yt) == TypeId::Unknown) throw_unsupported("arrays of type " + tn(yt), pos_of(e.location));
  auto agg = std::make_unique<plan::AggregateOp>();
  const OutputColumn out{new_id(), "array", array_type(yt)};
  agg->output.push_back(out);
  ExprPtr value;
  if (correlated && root->is<plan::SortOp>()) {
    // ORDER BY: the aggregate reads the sorted rows (sort_with_inputs kept the input's columns, which
    // scalar_join groups by).
    value = Expr::make_column(y.id, y.type);
    agg->children.push_back(std::move(root));
  } else if (correlated && root->is<plan::ProjectOp>()) {
    // scalar_join groups the rows under the Project by the correlation keys: the aggregate goes there.
    auto& project = root->as<plan::ProjectOp>();
    value = std::move(project.exprs[0]);
    agg->children.push_back(std::move(project.children[0]));
  } else {
    value = Expr::make_column(y.id, y.type);
    agg->children.push_back(std::move(root));
  }
  if (value->type == TypeId::Unknown) value = convert(std::move(value), TypeId::Text);
  agg->aggregates.push_back(simple_call(AggFunc::ArrayAgg, std::move(value), out.type));
  auto project = std::make_unique<plan::ProjectOp>();
  project->output.push_back({new_id(), y.name, out.type});
  project->exprs.push_back(Expr::make_column(out.id, out.type));
  project->children.push_back(std::move(agg));
  return project;
}

// A correlated subquery's `Sort (Project (input))`, or `Project (Sort (Project (input)))` that drops hidden
// sort keys, as `Sort (Project (input columns, select list) (input))`: the rows in order with the input's
// columns still there, for scalar_join to group them by the correlation keys. Other roots are returned
// as they are.
OpPtr Binder::sort_with_inputs(OpPtr root) {
  if (root->is<plan::ProjectOp>() && root->children.size() == 1 && root->children[0]->is<plan::SortOp>()) {
    // The Project dropping hidden sort keys: its columns are its input's first ones.
    auto& drop = root->as<plan::ProjectOp>();
    const auto& sorted = drop.children[0]->output;
    for (size_t i = 0; i < drop.exprs.size(); ++i)
      if (drop.exprs[i]->op != ExprOp::Column || i >= sorted.size() || drop.exprs[i]->column != sorted[i].id)
        return root;
    OpPtr sort = std::move(drop.children[0]);
    root = std::move(sort);
  }
  if (!root->is<plan::SortOp>() || root->children.size() != 1 || !root->children[0]->is<plan::ProjectOp>())
    return root;
  auto& project = root->children[0]->as<plan::ProjectOp>();
  const std::vector<OutputColumn> inputs = project.children.at(0)->output;
  for (const OutputColumn& c : inputs) {
    project.exprs.push_back(Expr::make_column(c.id, c.type));
    project.output.push_back(c);
  }
  root->output = project.output;
  return root;
}

// A copy of an operand that an expression repeats: an IN list that stays comparisons (short, or of
// expressions) compares a copy of its operand with each element. Copies of copies grow exponentially
// with nesting ((x IN (a, b)) IN (c, d) ... 40 deep would take all memory), so past kMaxCopiedNodes
// copied nodes in one statement it fails with 54001 instead.
ExprPtr Binder::copy_operand(const Expr& e, int location) {
  constexpr size_t kMaxCopiedNodes = 500000;
  size_t nodes = 0;
  std::vector<const Expr*> todo{&e};
  while (!todo.empty() && copied_nodes_ + nodes <= kMaxCopiedNodes) {
    const Expr* x = todo.back();
    todo.pop_back();
    ++nodes;
    for (const auto& a : x->args) todo.push_back(a.get());
  }
  copied_nodes_ += nodes;
  if (copied_nodes_ > kMaxCopiedNodes)
    fail(SqlState::StatementTooComplex,
         "expression is too complex: IN lists compare a copy of their operand with each element, and "
         "nested they need more than " +
             std::to_string(kMaxCopiedNodes) + " copied expression nodes",
         location);
  return detail::clone(e);
}

// The comparisons of `x IN (literals or parameters...)` as one InSet expression, when the list is long
// and every comparison coerced x and its element to the same types: then generated code probes a
// runtime hash set, built from the values at the start of each execution, instead of growing with the
// list; with `any_length`, however short it is. Returns null (keep the comparisons) otherwise.
ExprPtr Binder::in_set(std::vector<ExprPtr>& eqs, bool any_length) {
  if (eqs.size() < in_set_min_ && !any_length) return nullptr;
  const Expr& first = *eqs[0];
  if (first.op != ExprOp::Eq || first.args.size() != 2) return nullptr;
  TypeId t = first.args[0]->type;
  if (t != TypeId::Bool && !is_integer(t) && !is_float(t) && t != TypeId::Text && !is_binary_type(t) &&
      !is_date_or_timestamp(t) && t != TypeId::Time)
    return nullptr;
  for (const auto& eq : eqs) {
    if (eq->op != ExprOp::Eq || eq->args.size() != 2 || eq->args[0]->type != t || eq->args[1]->type != t ||
        (eq->args[1]->op != ExprOp::Constant && eq->args[1]->op != ExprOp::Param))
      return nullptr;
  }
  std::vector<ExprPtr> args;
  args.push_back(std::move(eqs[0]->args[0]));
  for (auto& eq : eqs) args.push_back(std::move(eq->args[1]));
  return Expr::make(ExprOp::InSet, TypeId::Bool, std::move(args));
}

// Assignment cast into a table column (INSERT values, UPDATE SET).
ExprPtr Binder::assign(ExprPtr e, const storage::ColumnDef& col, int loc, const char* what,
                       bool check_length) {
  TypeId from = e->type, to = col.type;
  if (check_length && to == TypeId::Interval && col.max_length >= 0 && e->op == ExprOp::Constant &&
      from == TypeId::Unknown && !e->constant.is_null()) {
    // A string literal into interval hour to minute ...: interval_in with the column's typmod, which reads
    // a bare number by the qualifier ('3' is 3 minutes), as PostgreSQL's coercion of a constant.
    try {
      const dt::Interval iv = dt::interval_in_typmod(e->constant.as_text(), col.max_length);
      return Expr::make_constant(Value::interval(iv.time, iv.day, iv.month), TypeId::Interval);
    } catch (SqlError& err) {
      if (err.position() == 0) std::move(err).at(pos_of(loc));
      throw;
    }
  }
  if (!assignment_castable(from, to))
    fail(SqlState::DatatypeMismatch,
         "column \"" + col.name + "\" is of type " + tn(to) + " but " + what + " is of type " + tn(from), loc,
         "You will need to rewrite or cast the expression.");
  try {
    e = convert(std::move(e), to);
  } catch (SqlError& err) {
    if (err.position() == 0) std::move(err).at(pos_of(loc));
    throw;
  }
  if (check_length && to == TypeId::Numeric && col.max_length >= 0)
    e = with_typmod(std::move(e), col.max_length);
  if (check_length && to == TypeId::Interval && col.max_length >= 0) {  // interval hour to minute ...
    if (e->op == ExprOp::Constant) {
      if (e->constant.is_null()) return e;
      const dt::Interval r = dt::interval_apply_typmod(
          {e->constant.as_int(), e->constant.interval_day(), e->constant.interval_month()}, col.max_length);
      return Expr::make_constant(Value::interval(r.time, r.day, r.month), TypeId::Interval);
    }
    return interval_typmod(std::move(e), col.max_length);
  }
  if (check_length && to == TypeId::BpChar && col.max_length >= 0) {
    try {  // char(n): padded or cut (spaces only) to n, before keys, CHECK and RETURNING see it
      return bpchar_typmod(std::move(e), col.max_length, false);
    } catch (SqlError& err) {
      throw std::move(err).at(pos_of(loc));
    }
  }
  if (check_length && to == TypeId::Text && col.max_length >= 0) {
    // varchar(n): PostgreSQL's length coercion for assignment (textsql::char_assign_length), so that
    // keys, UNIQUE and ON CONFLICT, CHECK and RETURNING all see the value that is stored.
    if (e->op == ExprOp::Constant) {
      if (e->constant.is_null()) return e;
      detail::consult_literal(*e);  // its length decides
      const std::string text = e->constant.as_text();
      size_t len = 0;
      try {
        len = textsql::char_assign_length(text, col.max_length);
      } catch (SqlError& err) {
        throw std::move(err).at(pos_of(loc));
      }
      return len == text.size() ? std::move(e)
                                : Expr::make_constant(Value::text(text.substr(0, len)), TypeId::Text);
    }
    std::vector<ExprPtr> args =
        list(std::move(e), Expr::make_constant(Value::int32(col.max_length), TypeId::Int32));
    e = Expr::make(ExprOp::Text, TypeId::Text, std::move(args));
    e->func = static_cast<int>(textsql::Func::CharAssign);
  }
  return e;
}

ExprPtr Binder::column_default(const storage::TableDef& table, const storage::ColumnDef& col,
                               bool as_written) {
  if (col.default_expr.empty()) return Expr::make_constant(Value::null(col.type), col.type);
  // The names it reads (nextval('seq')) are its table's schema's, whatever the session's search_path
  // (PostgreSQL's DEFAULT holds the sequence's OID).
  struct StoredPath {
    std::optional<std::vector<std::string>>& slot;
    std::optional<std::vector<std::string>> saved;
    ~StoredPath() { slot = std::move(saved); }
  } stored{stored_path_, stored_path_};
  if (ctx_.catalog)
    stored_path_ = std::vector<std::string>{
        table.is_temp() ? std::string("public") : ctx_.catalog->schema_name(table.schema, ctx_.overlay)};
  std::vector<ast::StmtPtr> stmts;
  try {
    stmts = parser::parse("SELECT " + col.default_expr);
  } catch (SqlError& e) {
    throw SqlError(SqlState::DataCorrupted,
                   "DEFAULT of column \"" + col.name + "\" does not parse: " + e.what());
  }
  const auto* select = stmts.size() == 1 && stmts[0]->kind == ast::StmtKind::Select
                           ? static_cast<const ast::SelectStmt*>(stmts[0].get())
                           : nullptr;
  if (!select || select->targets.size() != 1 || !select->targets[0].expr)
    throw SqlError(SqlState::DataCorrupted, "DEFAULT of column \"" + col.name + "\" is not an expression");
  ExprCtx c;
  c.clause = "DEFAULT expressions";
  c.in_default = true;
  // Errors carry no position: the text is the catalog's, not the statement's (as in PostgreSQL, where
  // the executor evaluates the default).
  ExprPtr x = bind(*select->targets[0].expr, c);
  if (as_written) return x;
  return assign(std::move(x), col, -1, "default expression");
}

void Binder::check_default(const ast::Expr& e, const storage::ColumnDef& col) {
  ExprCtx c;
  c.clause = "DEFAULT expressions";
  c.in_default = true;
  assign(bind(e, c), col, e.location, "default expression", false);
}

bool has_subquery(const Expr& e) {
  if (e.op == ExprOp::Subquery || e.op == ExprOp::InSubquery) return true;
  for (const auto& a : e.args)
    if (has_subquery(*a)) return true;
  return false;
}

ExprPtr Binder::bind_check_expr(const ast::Expr& e, const storage::TableDef& table,
                                const std::vector<OutputColumn>& row) {
  ExprPtr x = bind_row_expr(e, table, row, "check constraints");
  if (has_subquery(*x))
    throw SqlError(SqlState::FeatureNotSupported, "cannot use subquery in check constraint")
        .at(pos_of(e.location));
  return to_bool(std::move(x), "argument of CHECK constraint", e.location);
}

ExprPtr Binder::bind_row_expr(const ast::Expr& e, const storage::TableDef& table,
                              const std::vector<OutputColumn>& row, const std::string& clause) {
  // The row as a relation named like the table (t.a reads it), beside whatever the statement opened.
  Relation r;
  r.refname = table.name;
  r.level = level_;
  r.row_only = true;
  const int rel = static_cast<int>(rels_.size());
  for (size_t i = 0; i < table.columns.size(); ++i) {
    const storage::ColumnDef& col = table.columns[i];
    r.columns.push_back({col.name, col.type, col.max_length});
    r.ids.push_back(row[i].id);
    col_rel_[static_cast<size_t>(row[i].id)] = rel;
    col_names_[static_cast<size_t>(row[i].id)] = col.name;
  }
  r.used.assign(r.columns.size(), false);
  rels_.push_back(std::move(r));
  Scope scope;
  scope.rels.push_back(rel);
  scope.entries.push_back(table_entry(rel));
  ExprCtx c;
  c.scope = &scope;
  c.clause = clause;
  return bind(e, c);
}

std::unique_ptr<plan::ValuesOp> Binder::param_row(const storage::TableDef& table) {
  auto values = std::make_unique<plan::ValuesOp>();
  std::vector<ExprPtr> row;
  for (size_t i = 0; i < table.columns.size(); ++i) {
    const storage::ColumnDef& col = table.columns[i];
    row.push_back(Expr::make_param(static_cast<int>(i), col.type));
    values->output.push_back({new_id(), col.name, col.type});
  }
  values->rows.push_back(std::move(row));
  return values;
}

plan::RowChecks Binder::bind_row_checks(const storage::TableDef& table, std::vector<OutputColumn> row) {
  plan::RowChecks out;
  if (table.checks.empty()) return out;
  out.row = std::move(row);
  if (out.row.empty())
    for (const storage::ColumnDef& col : table.columns) out.row.push_back({new_id(), col.name, col.type});
  for (const storage::CheckDef& check : table.checks) {
    std::vector<ast::StmtPtr> stmts;
    try {
      stmts = parser::parse("SELECT " + check.expr);
    } catch (SqlError& e) {
      throw SqlError(SqlState::DataCorrupted,
                     "check constraint \"" + check.name + "\" does not parse: " + e.what());
    }
    const auto* select = stmts.size() == 1 && stmts[0]->kind == ast::StmtKind::Select
                             ? static_cast<const ast::SelectStmt*>(stmts[0].get())
                             : nullptr;
    if (!select || select->targets.size() != 1 || !select->targets[0].expr)
      throw SqlError(SqlState::DataCorrupted, "check constraint \"" + check.name + "\" is not an expression");
    out.predicates.push_back(bind_check_expr(*select->targets[0].expr, table, out.row));
  }
  return out;
}

ExprPtr Binder::bind_limit(const ast::Expr* e, const char* what) {
  if (!e) return nullptr;
  ExprCtx c;
  c.clause = what;
  c.no_variables = true;
  ExprPtr x = bind(*e, c);
  if (is_null_constant(*x)) return nullptr;  // LIMIT NULL = no limit, OFFSET NULL = no offset
  if (!is_numeric(x->type) && x->type != TypeId::Unknown)
    fail(SqlState::DatatypeMismatch,
         std::string("argument of ") + what + " must be type bigint, not type " + tn(x->type), e->location);
  try {
    return convert(std::move(x), TypeId::Int64);
  } catch (SqlError& err) {
    if (err.position() == 0) std::move(err).at(pos_of(e->location));
    throw;
  }
}

// ---------------------------------------------------------------------------------------------------
// Statements

// A new operator of class T over `child`, producing the child's columns.
template <class T>
std::unique_ptr<T> wrap(OpPtr child) {
  auto op = std::make_unique<T>();
  op->output = child->output;
  op->children.push_back(std::move(child));
  return op;
}

// ---------------------------------------------------------------------------------------------------
// Subqueries used as expressions. An uncorrelated subquery is bound as a SELECT of its own and planned
// as a subplan (PhysicalPlan::subplans) that runs before the pipelines reading its result:
//   (SELECT ...)                  its one row (SubqueryOp::Mode::Row), read by ExprOp::Subquery
//   EXISTS (SELECT ...)           count(*) over its first row, > 0
//   x IN / = ANY (SELECT ...)     a hash set of its column (Mode::Set), probed by ExprOp::InSubquery;
//   x NOT IN / <> ALL (...)       NOT of that (three-valued, as PostgreSQL)
//   x < ALL (SELECT ...) etc.     one row of count(*), count(y), min(y), max(y) and a CASE over them

namespace {

ExprPtr subquery_value(int subquery, int column, TypeId type) {
  ExprPtr e = Expr::make(ExprOp::Subquery, type, {});
  e->subquery = subquery;
  e->sub_column = column;
  return e;
}

ExprPtr bool_constant(std::optional<bool> v) {
  return Expr::make_constant(v ? Value::boolean(*v) : Value::null(TypeId::Bool), TypeId::Bool);
}

// The types an InSubquery hash set holds (runtime::InSet).
bool set_type(TypeId t) {
  return t == TypeId::Bool || is_integer(t) || is_float(t) || t == TypeId::Text || t == TypeId::Numeric ||
         is_binary_type(t) || is_date_or_timestamp(t) || t == TypeId::Time ||
         is_oid_type(t);  // oid and regclass & co: integers, as the set holds them
}

}  // namespace

OpPtr Binder::plan_subselect(const ast::SelectStmt& s, Scope* outer, int loc, SubqueryFrame& frame) {
  // bind_query gives it a query level of its own (its aggregates, grouping check, table names and
  // pending joins); `outer` is the scope it may name. An error abandons the whole statement.
  outer_scopes_.push_back(outer);
  frame.outer = outer;
  frames_.push_back(std::move(frame));
  BoundQuery sub = bind_query(s);
  frame = std::move(frames_.back());
  frames_.pop_back();
  outer_scopes_.pop_back();
  if (sub.locks_rows) throw_unsupported("FOR UPDATE / FOR SHARE in subqueries", pos_of(loc));
  return std::move(sub.root);
}

int Binder::add_subplan(OpPtr child, plan::SubqueryOp::Mode mode) {
  auto sub = std::make_unique<plan::SubqueryOp>();
  const int index = static_cast<int>(subplans_.size());
  sub->index = index;
  sub->mode = mode;
  sub->children.push_back(std::move(child));
  subplans_.push_back(std::move(sub));
  return index;
}

void Binder::drop_subplans(size_t mark) {
  if (subplans_.size() > mark) subplans_.resize(mark);
}

ExprPtr Binder::per_row(const ast::Expr& e, ExprPtr x, Scope* outer) {
  SubqueryFrame frame;
  OpPtr root = plan_subselect(*e.subquery, outer, e.location, frame);
  ExprPtr result = subquery_result(e, std::move(x), std::move(root));
  if (!frame.correlated) return result;
  // subquery_result added the subquery's SubqueryOp last.
  auto& sub = subplans_.back()->as<plan::SubqueryOp>();
  sub.correlated = true;
  std::vector<ExprPtr> args;
  args.push_back(std::move(result));
  for (const OutputColumn& p : frame.params) {
    sub.params.push_back(p.id);
    args.push_back(Expr::make_column(p.id, p.type));
  }
  const TypeId type = args[0]->type;
  ExprPtr apply = Expr::make(ExprOp::Apply, type, std::move(args));
  apply->subquery = sub.index;
  return apply;
}

ExprPtr Binder::bind_subquery(const ast::Expr& e, ExprCtx& c) {
  ExprPtr x;
  if (e.sublink == ast::SubLinkKind::Any || e.sublink == ast::SubLinkKind::All) x = bind(*e.args.at(0), c);
  const size_t mark = subplans_.size();
  if ((e.sublink == ast::SubLinkKind::Scalar || e.sublink == ast::SubLinkKind::Array) && c.decorrelate &&
      c.scope) {
    // May name the enclosing query: then a left join over a grouped aggregate (scalar_join).
    std::vector<ColumnId> refs;
    std::vector<ExprPtr> correlated;
    OpPtr root = plan_correlated(e, c.scope, refs, correlated);
    if (root && !refs.empty()) {
      if (e.sublink == ast::SubLinkKind::Array) root = array_aggregate(e, std::move(root), true);
      const ast::SelectStmt& s = *e.subquery;
      const bool plain = s.group_by.empty() && !s.having && !s.distinct && s.order_by.empty() && !s.limit &&
                         !s.offset && root->is<plan::ProjectOp>() && !root->children.empty();
      // (window functions would see every outer row's rows at once: run per row)
      std::function<bool(const plan::Op&)> has_window = [&](const plan::Op& op) {
        if (op.is<plan::WindowOp>()) return true;
        for (const auto& child : op.children)
          if (has_window(*child)) return true;
        return false;
      };
      ExprPtr joined;
      if (plain && !root->children[0]->is<plan::AggregateOp>() && !has_window(*root))
        joined = single_join(e, std::move(root), std::move(refs), std::move(correlated));
      else if (!has_window(*root))
        joined = scalar_join(e, std::move(root), std::move(refs), std::move(correlated));
      if (joined) return joined;
    } else if (root) {
      return subquery_result(e, std::move(x), std::move(root));
    }
    drop_subplans(mark);
    return per_row(e, std::move(x), c.scope);
  }
  if (e.sublink == ast::SubLinkKind::Exists && c.decorrelate && c.scope) {
    // EXISTS naming the enclosing query outside WHERE (a select list): count(*) > 0 over the rows,
    // decorrelated as a scalar subquery over that aggregate.
    std::vector<ColumnId> refs;
    std::vector<ExprPtr> correlated;
    OpPtr root = plan_correlated(e, c.scope, refs, correlated);
    if (root && refs.empty()) return subquery_result(e, std::move(x), std::move(root));
    if (root) {
      if (root->is<plan::ProjectOp>()) {
        OpPtr child = std::move(root->children[0]);
        root = std::move(child);
      }
      auto count = std::make_unique<plan::AggregateOp>();
      count->aggregates.push_back(simple_call(AggFunc::CountStar, nullptr, TypeId::Int64));
      count->output.push_back({new_id(), "count", TypeId::Int64});
      count->children.push_back(std::move(root));
      auto exists = std::make_unique<plan::ProjectOp>();
      exists->exprs.push_back(Expr::make(ExprOp::Gt, TypeId::Bool,
                                         list(Expr::make_column(count->output[0].id, TypeId::Int64),
                                              Expr::make_constant(Value::int64(0), TypeId::Int64))));
      exists->output.push_back({new_id(), "exists", TypeId::Bool});
      exists->children.push_back(std::move(count));
      if (ExprPtr joined = scalar_join(e, std::move(exists), std::move(refs), std::move(correlated)))
        return joined;
    }
    drop_subplans(mark);
    return per_row(e, std::move(x), c.scope);
  }
  return per_row(e, std::move(x), c.scope);
}

OpPtr Binder::plan_correlated(const ast::Expr& e, Scope* outer, std::vector<ColumnId>& refs,
                              std::vector<ExprPtr>& correlated) {
  const int saved_level = correlate_level_;
  std::vector<ColumnId> saved_refs = std::move(outer_refs_);
  std::vector<ExprPtr> saved_correlated = std::move(correlated_);
  outer_refs_.clear();
  correlated_.clear();
  correlate_level_ = next_level_ + 1;  // the level bind_query gives it
  SubqueryFrame frame;
  frame.decorrelating = true;
  frame.level = correlate_level_;
  OpPtr root = plan_subselect(*e.subquery, outer, e.location, frame);
  refs = std::move(outer_refs_);
  correlated = std::move(correlated_);
  correlate_level_ = saved_level;
  outer_refs_ = std::move(saved_refs);
  correlated_ = std::move(saved_correlated);
  if (frame.fallback) return nullptr;
  return root;
}

ExprPtr Binder::subquery_result(const ast::Expr& e, ExprPtr x, OpPtr root) {
  switch (e.sublink) {
    case ast::SubLinkKind::Exists: {
      // As in PostgreSQL, the select list of EXISTS is never computed: only whether a row exists.
      if (root->is<plan::ProjectOp>()) {
        OpPtr child = std::move(root->children[0]);
        root = std::move(child);
      }
      auto first = wrap<plan::LimitOp>(std::move(root));
      first->limit = Expr::make_constant(Value::int64(1), TypeId::Int64);
      auto count = std::make_unique<plan::AggregateOp>();
      count->aggregates.push_back(simple_call(AggFunc::CountStar, nullptr, TypeId::Int64));
      count->output.push_back({new_id(), "count", TypeId::Int64});
      count->children.push_back(std::move(first));
      int k = add_subplan(std::move(count), plan::SubqueryOp::Mode::Row);
      return Expr::make(
          ExprOp::Gt, TypeId::Bool,
          list(subquery_value(k, 0, TypeId::Int64), Expr::make_constant(Value::int64(0), TypeId::Int64)));
    }
    case ast::SubLinkKind::Scalar: {
      if (root->output.size() != 1)
        fail(SqlState::SyntaxError, "subquery must return only one column", e.location);
      TypeId t = root->output[0].type;
      int k = add_subplan(std::move(root), plan::SubqueryOp::Mode::Row);
      return subquery_value(k, 0, t);
    }
    case ast::SubLinkKind::Array: {
      root = array_aggregate(e, std::move(root), false);
      TypeId t = root->output[0].type;
      int k = add_subplan(std::move(root), plan::SubqueryOp::Mode::Row);
      // array_agg over no rows is NULL, ARRAY(SELECT ...) over none '{}'.
      std::vector<ExprPtr> args;
      args.push_back(Expr::make(ExprOp::IsNull, TypeId::Bool, list(subquery_value(k, 0, t))));
      args.push_back(Expr::make_constant(Value::text(arr::Builder(element_type(t)).finish(), t), t));
      args.push_back(subquery_value(k, 0, t));
      return Expr::make(ExprOp::Case, t, std::move(args));
    }
    case ast::SubLinkKind::Any:
    case ast::SubLinkKind::All:
      break;
  }
  const bool all = e.sublink == ast::SubLinkKind::All;
  if (root->output.size() > 1) fail(SqlState::SyntaxError, "subquery has too many columns", e.location);
  if (root->output.empty()) fail(SqlState::SyntaxError, "subquery has too few columns", e.location);
  const OutputColumn y = root->output[0];
  ExprOp op = ExprOp::Eq;
  const char* sym = "=";
  switch (e.binary_op) {
    case ast::BinaryOp::Eq:
      break;
    case ast::BinaryOp::Ne:
      op = ExprOp::Ne, sym = "<>";
      break;
    case ast::BinaryOp::Lt:
      op = ExprOp::Lt, sym = "<";
      break;
    case ast::BinaryOp::Le:
      op = ExprOp::Le, sym = "<=";
      break;
    case ast::BinaryOp::Gt:
      op = ExprOp::Gt, sym = ">";
      break;
    case ast::BinaryOp::Ge:
      op = ExprOp::Ge, sym = ">=";
      break;
    default:
      throw_unsupported("this operator with ANY / ALL subqueries", pos_of(e.location));
  }
  // Coerced as `x op y` would be; the subquery's column converted in a Project over it if need be.
  ExprPtr cmp = compare(op, sym, std::move(x), Expr::make_column(y.id, y.type), e.location);
  x = std::move(cmp->args[0]);
  ExprPtr yv = std::move(cmp->args[1]);
  if (x->type == TypeId::BpChar) {  // bpchar equality is the equality of its texts (without the padding)
    x = convert(std::move(x), TypeId::Text);
    yv = convert(std::move(yv), TypeId::Text);
  }
  if (!(yv->op == ExprOp::Column && yv->column == y.id)) {
    auto convert_y = std::make_unique<plan::ProjectOp>();
    convert_y->output.push_back({new_id(), y.name, yv->type});
    convert_y->exprs.push_back(std::move(yv));
    convert_y->children.push_back(std::move(root));
    root = std::move(convert_y);
  }
  if ((op == ExprOp::Eq && !all) || (op == ExprOp::Ne && all)) {
    if (!set_type(x->type))
      throw_unsupported(std::string(all ? "<> ALL" : "IN / = ANY") + " subqueries over type " + tn(x->type),
                        pos_of(e.location));
    int k = add_subplan(std::move(root), plan::SubqueryOp::Mode::Set);
    ExprPtr in = Expr::make(ExprOp::InSubquery, TypeId::Bool, list(std::move(x)));
    in->subquery = k;
    return all ? Expr::make(ExprOp::Not, TypeId::Bool, list(std::move(in))) : std::move(in);
  }
  return quantified_compare(op, sym, all, std::move(x), std::move(root), e.location);
}

ExprPtr Binder::quantified_compare(ExprOp op, const char* sym, bool all, ExprPtr x, OpPtr sub, int loc) {
  const OutputColumn y = sub->output[0];
  if (y.type == TypeId::Bool)
    throw_unsupported(std::string(sym) + (all ? " ALL" : " ANY") + " subqueries over type boolean",
                      pos_of(loc));
  auto agg = std::make_unique<plan::AggregateOp>();
  agg->aggregates.push_back(simple_call(AggFunc::CountStar, nullptr, TypeId::Int64));
  agg->aggregates.push_back(simple_call(AggFunc::Count, Expr::make_column(y.id, y.type), TypeId::Int64));
  agg->aggregates.push_back(simple_call(AggFunc::Min, Expr::make_column(y.id, y.type), y.type));
  agg->aggregates.push_back(simple_call(AggFunc::Max, Expr::make_column(y.id, y.type), y.type));
  for (const char* name : {"count", "count", "min", "max"})
    agg->output.push_back({new_id(), name, agg->aggregates[agg->output.size()].type});
  agg->children.push_back(std::move(sub));
  const int k = add_subplan(std::move(agg), plan::SubqueryOp::Mode::Row);
  ExprPtr rows = subquery_value(k, 0, TypeId::Int64);
  ExprPtr non_null = subquery_value(k, 1, TypeId::Int64);
  auto min = [&] { return subquery_value(k, 2, y.type); };
  auto max = [&] { return subquery_value(k, 3, y.type); };
  auto x_op = [&](ExprOp o, ExprPtr bound) {
    return Expr::make(o, TypeId::Bool, list(detail::clone(*x), std::move(bound)));
  };
  // `test`: x compared with the bound that decides (ALL: every element satisfies it iff the extreme
  // one does; ANY: some element does iff the other extreme does); for = ALL and <> ANY, whether some
  // element differs from x. With NULLs among the elements, a result the non-NULL ones do not decide
  // is NULL.
  ExprPtr decides, otherwise;
  bool decided_value;
  if (op == ExprOp::Eq || op == ExprOp::Ne) {  // = ALL, <> ANY
    auto differs = [&] {
      return Expr::make(ExprOp::Or, TypeId::Bool, list(x_op(ExprOp::Ne, min()), x_op(ExprOp::Ne, max())));
    };
    decides = differs();
    decided_value = !all;
    otherwise = all ? Expr::make(ExprOp::Not, TypeId::Bool, list(differs())) : differs();
  } else {
    const bool below = op == ExprOp::Lt || op == ExprOp::Le;  // x < y: compare with the least (ALL) y
    auto bound = [&] { return all == below ? min() : max(); };
    ExprPtr test = x_op(op, bound());
    decides = all ? Expr::make(ExprOp::Not, TypeId::Bool, list(std::move(test))) : std::move(test);
    decided_value = !all;
    otherwise = x_op(op, bound());
  }
  std::vector<ExprPtr> args;
  args.push_back(Expr::make(ExprOp::Eq, TypeId::Bool,
                            list(detail::clone(*rows), Expr::make_constant(Value::int64(0), TypeId::Int64))));
  args.push_back(bool_constant(all));  // no rows: ALL is true, ANY false
  args.push_back(std::move(decides));
  args.push_back(bool_constant(decided_value));
  args.push_back(Expr::make(ExprOp::Lt, TypeId::Bool, list(std::move(non_null), std::move(rows))));
  args.push_back(bool_constant(std::nullopt));
  args.push_back(std::move(otherwise));
  return Expr::make(ExprOp::Case, TypeId::Bool, std::move(args));
}

bool Binder::is_agg_output(ColumnId id) const {
  for (const auto& a : agg_out_)
    if (a.id == id) return true;
  return false;
}

bool uses_column(const Expr& e, const std::function<bool(ColumnId)>& pred) {
  if (e.op == ExprOp::Column && pred(e.column)) return true;
  for (const auto& a : e.args)
    if (uses_column(*a, pred)) return true;
  return false;
}

// ORDER BY n / GROUP BY n: PostgreSQL reads an integer constant that fits int4 as a position; any other
// constant (text, a decimal, a bigint, a boolean, NULL) is "non-integer constant" (42601).
bool is_position_constant(const Value& v) {
  return !v.is_null() && is_integer(v.type()) && v.as_int() >= INT32_MIN && v.as_int() <= INT32_MAX;
}

// Where the first aggregate call of `e` is (-1 if none).
int first_aggregate_location(const ast::Expr& e) {
  if (e.kind == ast::ExprKind::FuncCall && is_aggregate_name(e.func_name)) return e.location;
  for (const auto& a : e.args)
    if (a)
      if (int loc = first_aggregate_location(*a); loc >= 0) return loc;
  for (const auto& w : e.when_clauses) {
    if (w.condition)
      if (int loc = first_aggregate_location(*w.condition); loc >= 0) return loc;
    if (w.result)
      if (int loc = first_aggregate_location(*w.result); loc >= 0) return loc;
  }
  return e.else_expr ? first_aggregate_location(*e.else_expr) : -1;
}

bool scope_has_column(const Scope& scope, const std::string& name) {
  for (const FromEntry& entry : scope.entries)
    for (const ItemColumn& col : entry.columns)
      if (col.name == name) return true;
  return false;
}

ExprPtr Binder::bind_group_key(const ast::Expr& e, Scope& scope, const std::vector<Target>& targets,
                               size_t visible) {
  const Target* chosen = nullptr;
  if (e.kind == ast::ExprKind::Constant) {
    if (!is_position_constant(e.value))
      fail(SqlState::SyntaxError, "non-integer constant in GROUP BY", e.location);
    int64_t p = e.value.as_int();
    if (p < 1 || static_cast<uint64_t>(p) > visible)
      fail(SqlState::InvalidColumnReference,
           "GROUP BY position " + std::to_string(p) + " is not in select list", e.location);
    chosen = &targets[static_cast<size_t>(p - 1)];
  } else if (e.kind == ast::ExprKind::ColumnRef && e.names.size() == 1 &&
             !scope_has_column(scope, e.names[0])) {
    // A FROM column of that name wins over an output column's alias.
    for (size_t i = 0; i < visible; ++i) {
      if (targets[i].name != e.names[0]) continue;
      if (!chosen) {
        chosen = &targets[i];
      } else if (!same_expr(*chosen->expr, *targets[i].expr)) {
        fail(SqlState::AmbiguousColumn, "GROUP BY \"" + e.names[0] + "\" is ambiguous", e.location);
      }
    }
  }
  if (chosen) {
    if (uses_column(*chosen->expr, [&](ColumnId id) { return is_window_output(id); }))
      fail(SqlState::WindowingError, "window functions are not allowed in GROUP BY",
           chosen->ast ? chosen->ast->location : e.location);
    if (uses_column(*chosen->expr, [&](ColumnId id) { return is_agg_output(id); }))
      fail(SqlState::GroupingError, "aggregate functions are not allowed in GROUP BY",
           chosen->ast ? first_aggregate_location(*chosen->ast) : e.location);
    return detail::clone(*chosen->expr);
  }
  ExprCtx gc;
  gc.scope = &scope;
  gc.clause = "GROUP BY";
  ExprPtr x = bind(e, gc);
  if (x->type == TypeId::Unknown) x = convert(std::move(x), TypeId::Text);
  return x;
}

void Binder::fail_ungrouped_grouping(const Expr& e) {
  if (e.op == ExprOp::Grouping)
    fail(SqlState::GroupingError,
         "arguments to GROUPING must be grouping expressions of the associated query level",
         e.args.empty() || e.args[0]->location < 0 ? e.location : e.args[0]->location);
  for (const auto& a : e.args) fail_ungrouped_grouping(*a);
}

void Binder::apply_grouping(ExprPtr& e, Scope& scope, std::vector<ExprPtr>& keys,
                            std::vector<OutputColumn>& key_out) {
  if (e->op == ExprOp::Grouping) {
    std::vector<int> call;
    for (const auto& a : e->args) {
      size_t k = 0;
      while (k < keys.size() && !same_expr(*a, *keys[k])) ++k;
      if (k == keys.size())
        fail(SqlState::GroupingError,
             "arguments to GROUPING must be grouping expressions of the associated query level",
             a->location >= 0 ? a->location : e->location);
      call.push_back(static_cast<int>(k));
    }
    grouping_calls_.push_back(std::move(call));
    grouping_out_.push_back({new_id(), "grouping", TypeId::Int32});
    e = Expr::make_column(grouping_out_.back().id, TypeId::Int32);
    return;
  }
  for (size_t k = 0; k < keys.size(); ++k) {
    if (same_expr(*e, *keys[k])) {
      e = Expr::make_column(key_out[k].id, key_out[k].type);
      return;
    }
  }
  if (e->op == ExprOp::Column) {
    ColumnId id = e->column;
    if (is_agg_output(id) || is_window_output(id) || is_srf_output(id)) return;
    // A column of the enclosing query (a subquery being decorrelated names it): one value per group.
    if (std::find(outer_refs_.begin(), outer_refs_.end(), id) != outer_refs_.end()) return;
    for (const auto& k : key_out)
      if (k.id == id) return;
    // Grouping by the whole primary key makes every column of the table functionally dependent on it
    // (PostgreSQL accepts these columns): grouping by them as well changes no group.
    // (Per table: a column of a table whose whole primary key is grouped.)
    const int rel = rel_of(id);
    bool pk_grouped = false;
    if (rel >= 0 && rels_[static_cast<size_t>(rel)].table) {
      const Relation& r = rels_[static_cast<size_t>(rel)];
      const auto& pk = r.table->primary_key;
      pk_grouped = !pk.empty();
      for (int col : pk) {
        bool found = false;
        for (const auto& k : keys)
          found = found || (k->op == ExprOp::Column && k->column == r.ids[static_cast<size_t>(col)]);
        pk_grouped = pk_grouped && found;
      }
    }
    if (pk_grouped && !grouping_sets_) {  // PostgreSQL too uses no dependency with grouping sets
      keys.push_back(Expr::make_column(id, e->type));
      key_out.push_back({new_id(), plan::to_string(*e, col_names_), e->type});
      e = Expr::make_column(key_out.back().id, e->type);
      return;
    }
    std::string name = "?";
    int location = -1;
    for (const auto& r : bare_refs_) {
      if (r.id != id) continue;
      name = r.name;
      location = r.location;
      break;
    }
    fail(SqlState::GroupingError,
         "column \"" + name + "\" must appear in the GROUP BY clause or be used in an aggregate function",
         location);
  }
  for (auto& a : e->args) apply_grouping(a, scope, keys, key_out);
}

// ---------------------------------------------------------------------------------------------------
// FROM: tables, joins, and the join plan

// The terms of a tree of `op` (And, Or) nodes, in order.
void flatten(ExprOp op, ExprPtr e, std::vector<ExprPtr>& out) {
  if (e->op == op) {
    for (auto& a : e->args) flatten(op, std::move(a), out);
  } else {
    out.push_back(std::move(e));
  }
}

// The conjuncts of a condition. A conjunct that every arm of an OR has is pulled out of it, as
// PostgreSQL's canonicalize_qual (find_duplicate_ors) does: (a AND b) OR (a AND c) is a AND (b OR c), the
// same in three-valued logic, so that a join condition repeated in each arm (TPC-H Q19's p_partkey =
// l_partkey) becomes a join key instead of leaving a nested loop; an arm left with no conjunct makes the
// OR true (a OR (a AND b) is a). Conjuncts calling a volatile function stay where they are.
void split_conjuncts(ExprPtr e, std::vector<ExprPtr>& out) {
  if (e->op == ExprOp::And) {
    for (auto& a : e->args) split_conjuncts(std::move(a), out);
    return;
  }
  if (e->op != ExprOp::Or) {
    out.push_back(std::move(e));
    return;
  }
  std::vector<ExprPtr> arms;
  flatten(ExprOp::Or, std::move(e), arms);
  std::vector<std::vector<ExprPtr>> parts(arms.size());
  for (size_t i = 0; i < arms.size(); ++i) flatten(ExprOp::And, std::move(arms[i]), parts[i]);
  auto find_in = [](std::vector<ExprPtr>& terms, const Expr& x) {
    return std::find_if(terms.begin(), terms.end(), [&](const ExprPtr& t) { return same_expr(*t, x); });
  };
  std::vector<ExprPtr> common;
  for (size_t k = 0; k < parts[0].size();) {
    const Expr& c = *parts[0][k];
    bool everywhere = !detail::calls_volatile(c);
    for (size_t i = 1; everywhere && i < parts.size(); ++i)
      everywhere = find_in(parts[i], c) != parts[i].end();
    if (!everywhere) {
      ++k;
      continue;
    }
    for (size_t i = 1; i < parts.size(); ++i) parts[i].erase(find_in(parts[i], c));
    common.push_back(std::move(parts[0][k]));
    parts[0].erase(parts[0].begin() + static_cast<std::ptrdiff_t>(k));
  }
  for (auto& c : common) split_conjuncts(std::move(c), out);
  for (const auto& p : parts)
    if (p.empty()) return;  // that arm is just the common conjuncts: the OR adds nothing
  std::vector<ExprPtr> rebuilt;
  for (auto& p : parts) rebuilt.push_back(balanced(ExprOp::And, p, 0, p.size()));
  out.push_back(balanced(ExprOp::Or, rebuilt, 0, rebuilt.size()));
}

// es[lo, hi) joined by the associative `op` (And, Or) as a balanced tree, terms in order (evaluated left
// to right as a chain would be): thousands of terms nest log2(n) deep, not n (every pass over
// expressions recurses, generated code's among them, on the server's stack).
ExprPtr balanced(ExprOp op, std::vector<ExprPtr>& es, size_t lo, size_t hi) {
  if (hi - lo == 1) return std::move(es[lo]);
  const size_t mid = lo + (hi - lo) / 2;
  ExprPtr left = balanced(op, es, lo, mid);
  return Expr::make(op, TypeId::Bool, list(std::move(left), balanced(op, es, mid, hi)));
}

ExprPtr and_all(std::vector<ExprPtr> es) {
  if (es.empty()) return nullptr;
  return balanced(ExprOp::And, es, 0, es.size());
}

bool subset(const std::vector<int>& a, const std::vector<int>& b) {
  for (int x : a)
    if (std::find(b.begin(), b.end(), x) == b.end()) return false;
  return true;
}

std::pair<FromEntry, std::unique_ptr<JoinTree>> Binder::bind_from_item(const ast::FromItem& item) {
  auto tree = std::make_unique<JoinTree>();
  if (!item.is_join) {
    tree->rel = item.function   ? open_function(item)
                : item.subquery ? open_derived(item)
                                : open_relation(item.table, item.column_aliases);
    tree->rels.push_back(tree->rel);
    return {table_entry(tree->rel), std::move(tree)};
  }
  // The nullable sides of outer joins (a recursive reference may not be in one).
  const int left_nullable = item.join_type == ast::JoinType::Right || item.join_type == ast::JoinType::Full;
  const int right_nullable = item.join_type == ast::JoinType::Left || item.join_type == ast::JoinType::Full;
  nullable_sides_ += left_nullable;
  auto [left, ltree] = bind_from_item(*item.left);
  nullable_sides_ -= left_nullable;
  // A function on the right may name the left side (LATERAL): lend it the left side's names.
  const size_t lateral_rels = lateral_.rels.size();
  lateral_.rels.insert(lateral_.rels.end(), left.rels.begin(), left.rels.end());
  lateral_.entries.push_back(std::move(left));
  nullable_sides_ += right_nullable;
  auto [right, rtree] = bind_from_item(*item.right);
  nullable_sides_ -= right_nullable;
  left = std::move(lateral_.entries.back());
  lateral_.entries.pop_back();
  lateral_.rels.resize(lateral_rels);
  for (int r : rtree->rels)
    if (is_lateral(r) && (item.join_type == ast::JoinType::Right || item.join_type == ast::JoinType::Full))
      for (int dep : rels_[static_cast<size_t>(r)].lateral)
        if (std::find(left.rels.begin(), left.rels.end(), dep) != left.rels.end())
          throw SqlError(SqlState::InvalidColumnReference,
                         "invalid reference to FROM-clause entry for table \"" +
                             rels_[static_cast<size_t>(dep)].refname + "\"")
              .with_detail("The combining JOIN type must be INNER or LEFT for a LATERAL reference.");
  tree->type = item.join_type;
  // The tables an outer join may null-extend: their row value (count(t.*)) can be NULL.
  auto mark_nullable = [&](const FromEntry& side) {
    for (int r : side.rels) rels_[static_cast<size_t>(r)].nullable = true;
  };
  if (item.join_type == ast::JoinType::Left || item.join_type == ast::JoinType::Full) mark_nullable(right);
  if (item.join_type == ast::JoinType::Right || item.join_type == ast::JoinType::Full) mark_nullable(left);
  FromEntry out;
  out.rels = left.rels;
  out.rels.insert(out.rels.end(), right.rels.begin(), right.rels.end());
  tree->rels = out.rels;

  std::vector<std::string> using_names;
  if (item.natural) {
    for (const ItemColumn& lc : left.columns)
      for (const ItemColumn& rc : right.columns)
        if (lc.name == rc.name &&
            std::find(using_names.begin(), using_names.end(), lc.name) == using_names.end())
          using_names.push_back(lc.name);
  } else {
    for (const std::string& name : item.using_columns) {
      if (std::find(using_names.begin(), using_names.end(), name) != using_names.end())
        fail(SqlState::DuplicateColumn, "column name \"" + name + "\" appears more than once in USING clause",
             item.location);
      using_names.push_back(name);
    }
  }
  auto find_one = [&](const FromEntry& side, const std::string& name,
                      const char* which) -> const ItemColumn& {
    const ItemColumn* found = nullptr;
    for (const ItemColumn& c : side.columns) {
      if (c.name != name) continue;
      if (found)
        fail(SqlState::AmbiguousColumn,
             "common column name \"" + name + "\" appears more than once in " + which + " table",
             item.location);
      found = &c;
    }
    if (!found)
      fail(SqlState::UndefinedColumn,
           "column \"" + name + "\" specified in USING clause does not exist in " + which + " table",
           item.location);
    return *found;
  };

  std::vector<ExprPtr> conds;
  for (const std::string& name : using_names) {
    const ItemColumn& lc = find_one(left, name, "left");
    const ItemColumn& rc = find_one(right, name, "right");
    refuse_record(*lc.expr, item.location);
    refuse_record(*rc.expr, item.location);
    ExprPtr eq = compare(ExprOp::Eq, "=", detail::clone(*lc.expr), detail::clone(*rc.expr), item.location);
    mark_used(*eq);
    ItemColumn merged;
    merged.name = name;
    const Expr& l = *eq->args[0];
    const Expr& r = *eq->args[1];
    switch (item.join_type) {
      case ast::JoinType::Inner:
      case ast::JoinType::Left:
        merged.expr = detail::clone(l);
        if (l.type == lc.expr->type) merged.type_mod = lc.type_mod;
        break;
      case ast::JoinType::Right:
        merged.expr = detail::clone(r);
        if (r.type == rc.expr->type) merged.type_mod = rc.type_mod;
        break;
      case ast::JoinType::Full: {
        // COALESCE(left, right)
        std::vector<ExprPtr> args;
        args.push_back(Expr::make(ExprOp::IsNotNull, TypeId::Bool, list(detail::clone(l))));
        args.push_back(detail::clone(l));
        args.push_back(detail::clone(r));
        merged.expr = Expr::make(ExprOp::Case, l.type, std::move(args));
        break;
      }
    }
    out.columns.push_back(std::move(merged));
    conds.push_back(std::move(eq));
  }
  auto merged_name = [&](const std::string& n) {
    return std::find(using_names.begin(), using_names.end(), n) != using_names.end();
  };

  if (item.on) {
    Scope js;
    js.rels = out.rels;
    js.entries.push_back(std::move(left));
    js.entries.push_back(std::move(right));
    ExprCtx c;
    c.scope = &js;
    c.clause = "JOIN conditions";
    conds.push_back(to_bool(bind(*item.on, c), "argument of JOIN/ON", item.on->location));
    left = std::move(js.entries[0]);
    right = std::move(js.entries[1]);
  }
  for (ItemColumn& c : left.columns)
    if (!merged_name(c.name)) out.columns.push_back(std::move(c));
  for (ItemColumn& c : right.columns)
    if (!merged_name(c.name)) out.columns.push_back(std::move(c));
  tree->cond = conds.empty() ? nullptr : and_all(std::move(conds));
  tree->left = std::move(ltree);
  tree->right = std::move(rtree);
  return {std::move(out), std::move(tree)};
}

uint64_t Binder::estimate(const Op& op) const {
  if (op.is<plan::TableScanOp>()) {
    const auto& scan = op.as<plan::TableScanOp>();
    return ctx_.row_estimate ? ctx_.row_estimate(scan.table->id) : 0;
  }
  if (op.is<plan::NestedLoopJoinOp>()) {
    uint64_t a = estimate(*op.children[0]), b = estimate(*op.children[1]);
    return a != 0 && b > UINT64_MAX / a ? UINT64_MAX : a * b;
  }
  if (op.is<plan::HashJoinOp>()) return std::max(estimate(*op.children[0]), estimate(*op.children[1]));
  return op.children.empty() ? 1 : estimate(*op.children[0]);
}

namespace {

// `c` as build = probe join keys when it is `x = y` with x over the `a` side only and y over the `b`
// side only (or the other way round).
bool equi_key(const Expr& c, const std::vector<int>& a_rels, const std::vector<int>& b_rels,
              const std::function<void(const Expr&, std::vector<int>&)>& rels_of, const Expr** a_key,
              const Expr** b_key) {
  if (c.op != ExprOp::Eq || c.args.size() != 2 || c.args[0]->type != c.args[1]->type) return false;
  std::vector<int> l, r;
  rels_of(*c.args[0], l);
  rels_of(*c.args[1], r);
  if (l.empty() || r.empty()) return false;
  if (subset(l, a_rels) && subset(r, b_rels)) {
    *a_key = c.args[0].get();
    *b_key = c.args[1].get();
    return true;
  }
  if (subset(l, b_rels) && subset(r, a_rels)) {
    *a_key = c.args[1].get();
    *b_key = c.args[0].get();
    return true;
  }
  return false;
}

}  // namespace

// A HashJoin on build_keys[i] = probe_keys[i], or a NestedLoopJoin when there are none.
static std::unique_ptr<plan::JoinOp> keyed_join(std::vector<ExprPtr> build_keys,
                                                std::vector<ExprPtr> probe_keys) {
  if (build_keys.empty()) return std::make_unique<plan::NestedLoopJoinOp>();
  auto hash = std::make_unique<plan::HashJoinOp>();
  hash->build_keys = std::move(build_keys);
  hash->probe_keys = std::move(probe_keys);
  return hash;
}

// Joins `build` and `probe` on the conjuncts `conds` (all over their columns): a HashJoin on the
// equality conjuncts between the two sides, the other conjuncts checked on each pair with equal keys;
// a NestedLoopJoin when there is no such equality.
static OpPtr make_join(OpPtr build, OpPtr probe, const std::vector<int>& build_rels,
                       const std::vector<int>& probe_rels, std::vector<ExprPtr> conds, bool probe_outer,
                       bool build_outer, const std::function<void(const Expr&, std::vector<int>&)>& rels_of) {
  std::vector<ExprPtr> build_keys, probe_keys, residual;
  for (auto& c : conds) {
    const Expr* bk = nullptr;
    const Expr* pk = nullptr;
    if (equi_key(*c, build_rels, probe_rels, rels_of, &bk, &pk)) {
      build_keys.push_back(detail::clone(*bk));
      probe_keys.push_back(detail::clone(*pk));
    } else {
      residual.push_back(std::move(c));
    }
  }
  std::unique_ptr<plan::JoinOp> join = keyed_join(std::move(build_keys), std::move(probe_keys));
  join->probe_outer = probe_outer;
  join->build_outer = build_outer;
  join->residual = residual.empty() ? nullptr : and_all(std::move(residual));
  join->output = probe->output;
  join->output.insert(join->output.end(), build->output.begin(), build->output.end());
  join->children.push_back(std::move(build));
  join->children.push_back(std::move(probe));
  return join;
}

OpPtr Binder::plan_outer_join(JoinTree& node) {
  // LEFT: the right side is built and may be NULL; RIGHT: the left; FULL: both, the right is built.
  const bool left_nullable = node.type == ast::JoinType::Right || node.type == ast::JoinType::Full;
  const bool right_nullable = node.type == ast::JoinType::Left || node.type == ast::JoinType::Full;
  std::vector<ExprPtr> conds, left_only, right_only;
  if (node.cond) split_conjuncts(std::move(node.cond), conds);
  std::vector<ExprPtr> join_conds;
  for (auto& c : conds) {
    std::vector<int> rs;
    rels_of(*c, rs);
    // A condition on the nullable side only filters that side before the join.
    if (!rs.empty() && subset(rs, node.right->rels) && right_nullable && !left_nullable) {
      right_only.push_back(std::move(c));
    } else if (!rs.empty() && subset(rs, node.left->rels) && left_nullable && !right_nullable) {
      left_only.push_back(std::move(c));
    } else {
      join_conds.push_back(std::move(c));
    }
  }
  if (node.type == ast::JoinType::Left && is_lateral(node.right->rel)) {
    // LEFT JOIN LATERAL x ON cond: x runs per left row; a left row none of whose rows of x passes the
    // condition is kept once with x's columns NULL.
    if (!subset(rels_[static_cast<size_t>(node.right->rel)].lateral, node.left->rels))
      throw_unsupported("LATERAL references to FROM items outside the join");
    OpPtr left = plan_from({node.left.get()}, std::move(left_only));
    for (auto& c : right_only) join_conds.push_back(std::move(c));
    return lateral_join(node.right->rel, std::move(left), std::move(join_conds), true);
  }
  OpPtr left = plan_from({node.left.get()}, std::move(left_only));
  OpPtr right = plan_from({node.right.get()}, std::move(right_only));
  auto rels_fn = [this](const Expr& e, std::vector<int>& out) { rels_of(e, out); };
  if (node.type == ast::JoinType::Full) {
    // As PostgreSQL: a FULL JOIN needs an equality between the two sides (it has no nested-loop FULL
    // JOIN either).
    bool has_key = false;
    for (const auto& c : join_conds) {
      const Expr* a = nullptr;
      const Expr* b = nullptr;
      has_key = has_key || equi_key(*c, node.left->rels, node.right->rels, rels_fn, &a, &b);
    }
    if (!has_key)
      throw_unsupported("FULL JOIN is only supported with merge-joinable or hash-joinable join conditions");
  }
  if (node.type == ast::JoinType::Right)
    return make_join(std::move(left), std::move(right), node.left->rels, node.right->rels,
                     std::move(join_conds), true, false, rels_fn);
  return make_join(std::move(right), std::move(left), node.right->rels, node.left->rels,
                   std::move(join_conds), true, node.type == ast::JoinType::Full, rels_fn);
}

OpPtr Binder::plan_from(std::vector<JoinTree*> items, std::vector<ExprPtr> conjuncts) {
  // Inner joins and comma joins form one group of inputs whose conditions can be applied in any order:
  // flatten them, keeping outer joins (and tables) as the group's inputs.
  std::vector<JoinTree*> inputs;
  std::function<void(JoinTree*)> flatten = [&](JoinTree* t) {
    if (t->rel < 0 && t->type == ast::JoinType::Inner) {
      flatten(t->left.get());
      flatten(t->right.get());
      if (t->cond) split_conjuncts(std::move(t->cond), conjuncts);
    } else {
      inputs.push_back(t);
    }
  };
  for (JoinTree* t : items) flatten(t);

  struct Input {
    OpPtr op;
    std::vector<int> rels;
    std::vector<ExprPtr> filters;
  };
  // Functions naming other inputs (LATERAL) are applied once those are joined (`lateral` below).
  std::vector<Input> ins;
  std::vector<int> lateral;
  for (JoinTree* t : inputs) {
    if (is_lateral(t->rel)) {
      lateral.push_back(t->rel);
    } else {
      ins.push_back({t->rel >= 0 ? make_leaf(t->rel) : plan_outer_join(*t), t->rels, {}});
    }
  }

  // A conjunct over one input's tables filters that input.
  std::vector<ExprPtr> pending;
  for (auto& c : conjuncts) {
    std::vector<int> rs;
    rels_of(*c, rs);
    Input* target = nullptr;
    if (!rs.empty())
      for (Input& in : ins)
        if (subset(rs, in.rels)) target = &in;
    if (target && !lateral.empty()) {
      // A conjunct naming a lateral function's column waits for it.
      bool names_lateral = false;
      for (int r : rs) names_lateral = names_lateral || is_lateral(r);
      if (names_lateral) target = nullptr;
    }
    if (target) {
      target->filters.push_back(std::move(c));
    } else {
      pending.push_back(std::move(c));
    }
  }
  for (Input& in : ins) {
    if (in.filters.empty()) continue;
    auto filter = wrap<plan::FilterOp>(std::move(in.op));
    filter->predicate = and_all(std::move(in.filters));
    in.op = std::move(filter);
  }

  auto rels_fn = [this](const Expr& e, std::vector<int>& out) { rels_of(e, out); };
  // Left-deep, greedily: the next input is the first one with an equality to what is joined so far,
  // else the first one some condition links to it, else the next in FROM order (a cross join). Of the
  // two sides of each join, the one storage estimates smaller is built; on a tie (or without
  // estimates) the input being added (the right side in FROM order).
  if (ins.empty()) throw_unsupported("LATERAL references to FROM items outside the join");
  Input cur = std::move(ins[0]);
  ins.erase(ins.begin());
  // Applies every lateral function whose inputs are joined, and the conditions it completes.
  auto apply_lateral = [&] {
    for (bool again = true; again;) {
      again = false;
      for (size_t i = 0; i < lateral.size(); ++i) {
        int rel = lateral[i];
        if (!subset(rels_[static_cast<size_t>(rel)].lateral, cur.rels)) continue;
        cur.op = lateral_join(rel, std::move(cur.op), {}, false);
        cur.rels.push_back(rel);
        lateral.erase(lateral.begin() + static_cast<std::ptrdiff_t>(i));
        std::vector<ExprPtr> conds;
        for (auto& c : pending) {
          if (!c) continue;
          std::vector<int> rs;
          rels_of(*c, rs);
          if (!rs.empty() && subset(rs, cur.rels)) conds.push_back(std::move(c));
        }
        if (!conds.empty()) {
          auto filter = wrap<plan::FilterOp>(std::move(cur.op));
          filter->predicate = and_all(std::move(conds));
          cur.op = std::move(filter);
        }
        again = true;
        break;
      }
    }
  };
  apply_lateral();
  while (!ins.empty()) {
    size_t pick = ins.size();
    for (int pass = 0; pass < 2 && pick == ins.size(); ++pass)
      for (size_t i = 0; i < ins.size() && pick == ins.size(); ++i)
        for (const auto& c : pending) {
          if (!c) continue;
          std::vector<int> both = cur.rels;
          both.insert(both.end(), ins[i].rels.begin(), ins[i].rels.end());
          std::vector<int> rs;
          rels_of(*c, rs);
          if (!subset(rs, both) || subset(rs, cur.rels) || subset(rs, ins[i].rels)) continue;
          const Expr* a = nullptr;
          const Expr* b = nullptr;
          if (pass == 1 || equi_key(*c, cur.rels, ins[i].rels, rels_fn, &a, &b)) {
            pick = i;
            break;
          }
        }
    if (pick == ins.size()) pick = 0;
    Input next = std::move(ins[pick]);
    ins.erase(ins.begin() + static_cast<std::ptrdiff_t>(pick));
    std::vector<int> both = cur.rels;
    both.insert(both.end(), next.rels.begin(), next.rels.end());
    std::vector<ExprPtr> conds;
    for (auto& c : pending) {
      if (!c) continue;
      std::vector<int> rs;
      rels_of(*c, rs);
      if (!rs.empty() && subset(rs, both)) conds.push_back(std::move(c));
    }
    const bool build_next = estimate(*next.op) <= estimate(*cur.op);
    Input joined;
    joined.rels = both;
    if (build_next) {
      joined.op = make_join(std::move(next.op), std::move(cur.op), next.rels, cur.rels, std::move(conds),
                            false, false, rels_fn);
    } else {
      joined.op = make_join(std::move(cur.op), std::move(next.op), cur.rels, next.rels, std::move(conds),
                            false, false, rels_fn);
    }
    cur = std::move(joined);
    apply_lateral();
  }
  if (!lateral.empty()) throw_unsupported("LATERAL references to FROM items outside the join");
  std::vector<ExprPtr> rest;
  for (auto& c : pending)
    if (c) rest.push_back(std::move(c));
  if (!rest.empty()) {
    auto filter = wrap<plan::FilterOp>(std::move(cur.op));
    filter->predicate = and_all(std::move(rest));
    cur.op = std::move(filter);
  }
  return std::move(cur.op);
}

std::vector<std::unique_ptr<JoinTree>> Binder::bind_dml_from(const std::vector<ast::FromItemPtr>& items,
                                                             Scope& scope) {
  // As bind_select's FROM: each item sees the ones before it (a function in FROM may name them), not the
  // target.
  Scope outer_lateral = std::move(lateral_);
  lateral_ = Scope();
  std::vector<std::unique_ptr<JoinTree>> trees;
  for (const auto& item : items) {
    auto [entry, tree] = bind_from_item(*item);
    lateral_.rels.insert(lateral_.rels.end(), entry.rels.begin(), entry.rels.end());
    lateral_.entries.push_back(std::move(entry));
    trees.push_back(std::move(tree));
  }
  scope.rels.insert(scope.rels.end(), lateral_.rels.begin(), lateral_.rels.end());
  for (FromEntry& e : lateral_.entries) scope.entries.push_back(std::move(e));
  lateral_ = std::move(outer_lateral);
  return trees;
}

OpPtr Binder::plan_dml_rows(int rel, ColumnId key, bool all_columns,
                            std::vector<std::unique_ptr<JoinTree>> from, ExprPtr where) {
  auto scan = make_scan(rel, all_columns);
  scan->key_column = key;
  OpPtr cur = std::move(scan);
  if (from.empty()) {
    if (where) {
      auto filter = wrap<plan::FilterOp>(std::move(cur));
      filter->predicate = std::move(where);
      cur = std::move(filter);
    }
    return cur;
  }
  std::vector<ExprPtr> conjuncts, own, others, joining;
  if (where) split_conjuncts(std::move(where), conjuncts);
  std::vector<int> from_rels;
  for (const auto& t : from) from_rels.insert(from_rels.end(), t->rels.begin(), t->rels.end());
  for (auto& c : conjuncts) {
    std::vector<int> rs;
    rels_of(*c, rs);
    if (subset(rs, {rel})) {
      own.push_back(std::move(c));  // (also a conjunct naming no table)
    } else if (subset(rs, from_rels)) {
      others.push_back(std::move(c));
    } else {
      joining.push_back(std::move(c));
    }
  }
  if (!own.empty()) {
    auto filter = wrap<plan::FilterOp>(std::move(cur));
    filter->predicate = and_all(std::move(own));
    cur = std::move(filter);
  }
  std::vector<JoinTree*> items;
  for (auto& t : from) items.push_back(t.get());
  OpPtr rows = plan_from(std::move(items), std::move(others));
  auto rels_fn = [this](const Expr& e, std::vector<int>& out) { rels_of(e, out); };
  return make_join(std::move(rows), std::move(cur), from_rels, {rel}, std::move(joining), false, false,
                   rels_fn);
}

namespace {
std::string locking_name(ast::LockingClause::Strength s) {
  switch (s) {
    case ast::LockingClause::Strength::KeyShare:
      return "FOR KEY SHARE";
    case ast::LockingClause::Strength::Share:
      return "FOR SHARE";
    case ast::LockingClause::Strength::NoKeyUpdate:
      return "FOR NO KEY UPDATE";
    case ast::LockingClause::Strength::Update:
      break;
  }
  return "FOR UPDATE";
}
}  // namespace

// ---------------------------------------------------------------------------------------------------
// Correlated EXISTS / NOT EXISTS / IN in WHERE, as semi and anti joins. A top-level WHERE conjunct
//   [NOT] EXISTS (SELECT ... FROM ... WHERE <inner conjuncts> AND <correlated conjuncts>)
//   x IN (SELECT y FROM ... WHERE ...)
// whose subquery references columns of the query right around it (and is a plain SELECT: no grouping,
// aggregates, DISTINCT, ORDER BY or LIMIT) becomes a join of the query's rows (probe side) with the
// subquery's rows (build side): equalities between an inner and an outer expression (and x = y for IN)
// are its keys, the other correlated conjuncts its residual condition. The conjunct leaves WHERE.

namespace {

// A correlated subquery conjunct: [NOT] EXISTS, or IN / = ANY.
bool semi_join_candidate(const ast::Expr& e) {
  const ast::Expr* x = &e;
  bool negated = false;
  if (x->kind == ast::ExprKind::Unary && x->unary_op == ast::UnaryOp::Not && !x->args.empty()) {
    x = x->args[0].get();
    negated = true;
  }
  if (x->kind != ast::ExprKind::Subquery) return false;
  if (x->sublink == ast::SubLinkKind::Exists) return true;
  return !negated && x->sublink == ast::SubLinkKind::Any && x->binary_op == ast::BinaryOp::Eq;
}

void where_conjuncts(const ast::Expr& e, std::vector<const ast::Expr*>& out) {
  if (e.kind == ast::ExprKind::Binary && e.binary_op == ast::BinaryOp::And) {
    where_conjuncts(*e.args.at(0), out);
    where_conjuncts(*e.args.at(1), out);
  } else {
    out.push_back(&e);
  }
}

bool reads_any(const Expr& e, const std::vector<ColumnId>& ids) {
  if (e.op == ExprOp::Column && std::find(ids.begin(), ids.end(), e.column) != ids.end()) return true;
  for (const auto& a : e.args)
    if (reads_any(*a, ids)) return true;
  return false;
}

bool reads_other(const Expr& e, const std::vector<ColumnId>& ids) {
  if (e.op == ExprOp::Column && std::find(ids.begin(), ids.end(), e.column) == ids.end()) return true;
  for (const auto& a : e.args)
    if (reads_other(*a, ids)) return true;
  return false;
}

// A correlated conjunct `inner = outer` (either order; inner names only the subquery's columns, outer
// only the enclosing query's `refs`) becomes a join key pair; false (cond untouched) otherwise.
bool take_key_pair(ExprPtr& cond, const std::vector<ColumnId>& refs, std::vector<ExprPtr>& inner,
                   std::vector<ExprPtr>& outer) {
  if (cond->op != ExprOp::Eq || cond->args.size() != 2) return false;
  auto inner_only = [&](const Expr& z) { return !reads_any(z, refs) && reads_other(z, refs); };
  auto outer_only = [&](const Expr& z) { return reads_any(z, refs) && !reads_other(z, refs); };
  for (int side = 0; side < 2; ++side) {
    if (inner_only(*cond->args[side]) && outer_only(*cond->args[1 - side])) {
      inner.push_back(std::move(cond->args[side]));
      outer.push_back(std::move(cond->args[1 - side]));
      return true;
    }
  }
  return false;
}

bool tree_reads_any(Op& op, const std::vector<ColumnId>& ids) {
  bool found = false;
  op.for_each_expr([&](ExprPtr& x) { found = found || (x && reads_any(*x, ids)); });
  for (auto& c : op.children) found = found || tree_reads_any(*c, ids);
  return found;
}

}  // namespace

ExprPtr Binder::find_in_scope(const Scope& s, const std::string& qual, const std::string& name, int loc) {
  ExprPtr x;
  if (!qual.empty()) {
    for (int r : s.rels) {
      const Relation& rel = rels_[static_cast<size_t>(r)];
      if (rel.refname != qual) continue;
      // A table's column, or a derived table's or CTE's (its plan's output column).
      int idx = find_rel_column(rel, name, loc);
      if (idx < 0) fail(SqlState::UndefinedColumn, "column " + qual + "." + name + " does not exist", loc);
      x = Expr::make_column(rel.ids[static_cast<size_t>(idx)], rel.columns[static_cast<size_t>(idx)].type);
    }
    return x;
  }
  const ItemColumn* match = nullptr;
  for (const FromEntry& entry : s.entries)
    for (const ItemColumn& col : entry.columns) {
      if (col.name != name) continue;
      if (match) fail(SqlState::AmbiguousColumn, "column reference \"" + name + "\" is ambiguous", loc);
      match = &col;
    }
  if (match) x = detail::clone(*match->expr);
  return x;
}

ExprPtr Binder::resolve_enclosing(const std::string& qual, const std::string& name, int loc,
                                  const std::string* field) {
  for (size_t i = outer_scopes_.size(); i-- > 0;) {
    Scope* scope = outer_scopes_[i];
    if (!scope) continue;
    ExprPtr x = find_in_scope(*scope, qual, name, loc);
    if (!x) continue;
    x = record_field(std::move(x), field, loc);
    mark_used(*x);
    // The subquery right inside the query that has the name, the innermost that pushed its scope.
    size_t d = frames_.size();
    while (d > 0 && frames_[d - 1].outer != scope) --d;
    if (d == 0) throw_unsupported("this reference to a column of an enclosing query", pos_of(loc));
    SubqueryFrame& direct = frames_[d - 1];
    if (direct.decorrelating && d == frames_.size() && level_ == direct.level) {
      // Named by the subquery being decorrelated itself: a Column of the join it becomes.
      std::function<void(const Expr&)> note = [&](const Expr& y) {
        if (y.op == ExprOp::Column) outer_refs_.push_back(y.column);
        for (const auto& a : y.args) note(*a);
      };
      note(*x);
      return x;
    }
    // Run per row: `direct` stores the column for each row of its query; it and every subquery inside it
    // read the stored value.
    for (size_t k = d - 1; k < frames_.size(); ++k) {
      frames_[k].correlated = true;
      if (frames_[k].decorrelating) frames_[k].fallback = true;
    }
    std::function<void(ExprPtr&)> to_outer = [&](ExprPtr& y) {
      if (y->op == ExprOp::Column) {
        bool known = false;
        for (const OutputColumn& p : direct.params) known = known || p.id == y->column;
        const auto id = static_cast<size_t>(y->column);
        if (!known)
          direct.params.push_back({y->column, id < col_names_.size() ? col_names_[id] : "", y->type});
        y->op = ExprOp::OuterColumn;
        return;
      }
      for (auto& a : y->args) to_outer(a);
    };
    to_outer(x);
    return x;
  }
  return nullptr;
}

ExprPtr Binder::take_correlated(ExprPtr where) {
  if (!where || level_ != correlate_level_ || outer_refs_.empty()) return where;
  std::vector<ExprPtr> conjuncts, keep;
  split_conjuncts(std::move(where), conjuncts);
  for (auto& c : conjuncts) (reads_any(*c, outer_refs_) ? correlated_ : keep).push_back(std::move(c));
  return and_all(std::move(keep));
}

ExprPtr Binder::bind_where_conjuncts(const ast::Expr& where, ExprCtx& c) {
  std::vector<const ast::Expr*> conjuncts;
  where_conjuncts(where, conjuncts);
  std::vector<ExprPtr> bound;
  for (const ast::Expr* e : conjuncts) {
    if (semi_join_candidate(*e)) {
      if (ExprPtr x = semi_join(*e, c)) bound.push_back(std::move(x));
      continue;
    }
    bound.push_back(
        to_bool(bind(*e, c), conjuncts.size() > 1 ? "argument of AND" : "argument of WHERE", e->location));
  }
  return and_all(std::move(bound));
}

ExprPtr Binder::semi_join(const ast::Expr& conjunct, ExprCtx& c) {
  const bool negated = conjunct.kind == ast::ExprKind::Unary;
  const ast::Expr& e = negated ? *conjunct.args[0] : conjunct;
  const bool in = e.sublink == ast::SubLinkKind::Any;
  ExprPtr x;
  if (in) x = bind(*e.args.at(0), c);
  // Plan the subquery letting it name the columns of this query (outer_refs_); plan_select moves the
  // WHERE conjuncts that do into correlated_.
  std::vector<ColumnId> refs;
  std::vector<ExprPtr> correlated;
  const size_t mark = subplans_.size();
  OpPtr root = plan_correlated(e, c.scope, refs, correlated);
  auto run_per_row = [&] {
    drop_subplans(mark);
    ExprPtr r = per_row(e, std::move(x), c.scope);
    return negated ? Expr::make(ExprOp::Not, TypeId::Bool, list(std::move(r))) : std::move(r);
  };
  if (!root) return run_per_row();
  if (refs.empty()) {  // not correlated after all: a subplan
    ExprPtr r = subquery_result(e, std::move(x), std::move(root));
    return negated ? Expr::make(ExprOp::Not, TypeId::Bool, list(std::move(r))) : std::move(r);
  }

  // Grouping, aggregates, DISTINCT, ORDER BY, LIMIT, or names of the query outside the subquery's WHERE
  // clause: run per row.
  const ast::SelectStmt& s = *e.subquery;
  const bool plain = s.group_by.empty() && !s.having && !s.distinct && s.distinct_on.empty() &&
                     s.order_by.empty() && !s.limit && !s.offset && root->is<plan::ProjectOp>() &&
                     !root->children.empty() && !root->children[0]->is<plan::AggregateOp>() &&
                     !root->children[0]->is<plan::HashAggregateOp>();
  if (!plain || tree_reads_any(*root->children[0], refs)) return run_per_row();
  if (in && root->output.size() != 1)
    fail(SqlState::SyntaxError,
         root->output.size() > 1 ? "subquery has too many columns" : "subquery has too few columns",
         e.location);
  if (in && reads_any(*root->as<plan::ProjectOp>().exprs[0], refs)) return run_per_row();
  PendingJoin j;
  j.anti = negated;
  if (in) {
    // x = y: the first key, coerced as `x = y` would be.
    ExprPtr y = detail::clone(*root->as<plan::ProjectOp>().exprs[0]);
    ExprPtr eq = compare(ExprOp::Eq, "=", std::move(x), std::move(y), e.location);
    j.probe_keys.push_back(std::move(eq->args[0]));
    j.build_keys.push_back(std::move(eq->args[1]));
  }
  // EXISTS never computes its select list; IN computes y as a build key.
  j.build = std::move(root->children[0]);
  std::vector<ExprPtr> residual;
  for (auto& cond : correlated)
    if (!take_key_pair(cond, refs, j.build_keys, j.probe_keys)) residual.push_back(std::move(cond));
  j.residual = and_all(std::move(residual));
  // Only the build side's columns the join reads go into its hash table: EXISTS (SELECT * ...) marks every
  // column of the subquery's tables used, and TPC-H Q4 / Q21 ran out of memory keeping whole lineitem rows.
  std::vector<ColumnId> read;
  for (const ExprPtr& k : j.build_keys) collect_columns(*k, read);
  if (j.residual) collect_columns(*j.residual, read);
  auto narrowed = std::make_unique<plan::ProjectOp>();
  for (const OutputColumn& col : j.build->output)
    if (std::find(read.begin(), read.end(), col.id) != read.end()) {
      narrowed->exprs.push_back(Expr::make_column(col.id, col.type));
      narrowed->output.push_back(col);
    }
  if (!narrowed->output.empty() && narrowed->output.size() < j.build->output.size()) {
    narrowed->children.push_back(std::move(j.build));
    j.build = std::move(narrowed);
  }
  pending_joins_.push_back(std::move(j));
  return nullptr;
}

OpPtr Binder::apply_semi_joins(OpPtr cur) {
  for (PendingJoin& j : pending_joins_) {
    std::unique_ptr<plan::JoinOp> join = keyed_join(std::move(j.build_keys), std::move(j.probe_keys));
    join->semi = !j.anti && !j.left;
    join->anti = j.anti;
    join->probe_outer = j.left;
    join->single = j.single;
    join->residual = std::move(j.residual);
    join->output = cur->output;
    if (j.left) join->output.insert(join->output.end(), j.build->output.begin(), j.build->output.end());
    join->children.push_back(std::move(j.build));
    join->children.push_back(std::move(cur));
    cur = std::move(join);
  }
  pending_joins_.clear();
  scalar_join_columns_.clear();
  return cur;
}

// ---------------------------------------------------------------------------------------------------
// Correlated scalar subqueries over an aggregate, as a grouped aggregate and a left join:
//   (SELECT agg(...) FROM ... WHERE <inner conjuncts> AND i1 = o1 AND ...)
// where every conjunct naming the enclosing query is an equality between an inner and an outer
// expression, becomes  HashAggregate (keys i1.., the aggregates) -> Project (keys, target, TRUE)  built
// by a left join probed with o1..; the value is the target, or for an outer row without a group, the
// target over no rows (count 0, other aggregates NULL), told apart by the TRUE column being NULL.

ExprPtr Binder::scalar_join(const ast::Expr& e, OpPtr root, std::vector<ColumnId> refs,
                            std::vector<ExprPtr> correlated) {
  const ast::SelectStmt& s = *e.subquery;
  const bool array_subquery = e.sublink == ast::SubLinkKind::Array;
  const bool plain = s.group_by.empty() && !s.having && !s.distinct && s.distinct_on.empty() &&
                     (s.order_by.empty() || array_subquery) && !s.limit && !s.offset &&
                     root->is<plan::ProjectOp>() && root->output.size() == 1 && !root->children.empty() &&
                     root->children[0]->is<plan::AggregateOp>();
  // Other shapes, names of the query outside WHERE, conditions other than equalities: run per row.
  if (!plain || tree_reads_any(*root, refs)) return nullptr;
  std::vector<ExprPtr> inner_keys, outer_keys;
  for (auto& cond : correlated)
    if (!take_key_pair(cond, refs, inner_keys, outer_keys)) return nullptr;
  auto& project = root->as<plan::ProjectOp>();
  auto& agg = project.children[0]->as<plan::AggregateOp>();
  ExprPtr target = std::move(project.exprs[0]);
  const TypeId type = target->type;
  // The target over no rows: each aggregate's empty-input value.
  ExprPtr empty = detail::clone(*target);
  std::function<void(ExprPtr&)> on_no_rows = [&](ExprPtr& x) {
    if (x->op == ExprOp::Column)
      for (size_t i = 0; i < agg.output.size(); ++i)
        if (agg.output[i].id == x->column) {
          bool count =
              agg.aggregates[i].func == AggFunc::Count || agg.aggregates[i].func == AggFunc::CountStar;
          if (agg.aggregates[i].func == AggFunc::ArrayAgg && array_subquery) {  // ARRAY(SELECT ...): '{}'
            x = Expr::make_constant(Value::text(arr::Builder(element_type(x->type)).finish(), x->type),
                                    x->type);
            return;
          }
          x = Expr::make_constant(count ? Value::int64(0) : Value::null(x->type), x->type);
          return;
        }
    for (auto& a : x->args) on_no_rows(a);
  };
  on_no_rows(empty);

  auto grouped = std::make_unique<plan::HashAggregateOp>();
  auto build = std::make_unique<plan::ProjectOp>();
  for (auto& k : inner_keys) {
    OutputColumn key{new_id(), "key", k->type};
    grouped->output.push_back(key);
    build->exprs.push_back(Expr::make_column(key.id, key.type));
    build->output.push_back({new_id(), "key", key.type});
    grouped->group_keys.push_back(std::move(k));
  }
  grouped->aggregates = std::move(agg.aggregates);
  grouped->output.insert(grouped->output.end(), agg.output.begin(), agg.output.end());
  grouped->children.push_back(std::move(agg.children[0]));
  const OutputColumn value{new_id(), "value", type};
  const OutputColumn found{new_id(), "found", TypeId::Bool};
  build->exprs.push_back(std::move(target));
  build->output.push_back(value);
  build->exprs.push_back(Expr::make_constant(Value::boolean(true), TypeId::Bool));
  build->output.push_back(found);
  build->children.push_back(std::move(grouped));

  PendingJoin j;
  j.left = true;
  for (size_t i = 0; i < outer_keys.size(); ++i) {
    const OutputColumn& key = build->output[i];
    j.build_keys.push_back(Expr::make_column(key.id, key.type));
    j.probe_keys.push_back(std::move(outer_keys[i]));
  }
  j.build = std::move(build);
  scalar_join_columns_.push_back(value.id);
  scalar_join_columns_.push_back(found.id);
  pending_joins_.push_back(std::move(j));
  std::vector<ExprPtr> args;
  args.push_back(Expr::make(ExprOp::IsNull, TypeId::Bool, list(Expr::make_column(found.id, TypeId::Bool))));
  args.push_back(std::move(empty));
  args.push_back(Expr::make_column(value.id, type));
  return Expr::make(ExprOp::Case, type, std::move(args));
}

void Binder::pass_inner_columns(plan::ProjectOp& build, const std::vector<OutputColumn>& inner, ExprPtr& x) {
  if (x->op == ExprOp::Column) {
    for (const OutputColumn& c : inner) {
      if (c.id != x->column) continue;
      for (size_t i = 0; i < build.exprs.size(); ++i)
        if (build.exprs[i]->op == ExprOp::Column && build.exprs[i]->column == c.id &&
            build.output[i].name == "inner") {
          x = Expr::make_column(build.output[i].id, c.type);
          return;
        }
      build.exprs.push_back(Expr::make_column(c.id, c.type));
      build.output.push_back({new_id(), "inner", c.type});
      x = Expr::make_column(build.output.back().id, c.type);
      return;
    }
  }
  for (auto& a : x->args) pass_inner_columns(build, inner, a);
}

// Correlated scalar subqueries without an aggregate:
//   (SELECT target FROM ... WHERE <inner conjuncts> AND <conjuncts naming the enclosing query>)
// become a left join of the enclosing rows (probe) with the subquery's rows (build: Project (keys,
// target, the inner columns the other conjuncts read) over its FROM and inner conjuncts), on the
// equalities between an inner and an outer expression, the other correlated conjuncts its residual. The
// join is single: a probe row that matches a second row raises 21000, as PostgreSQL does; without a
// match the value is NULL.
ExprPtr Binder::single_join(const ast::Expr& e, OpPtr root, std::vector<ColumnId> refs,
                            std::vector<ExprPtr> correlated) {
  if (root->output.size() != 1)
    fail(SqlState::SyntaxError, "subquery must return only one column", e.location);
  if (tree_reads_any(*root, refs)) return nullptr;  // names the query outside WHERE: run per row
  std::vector<ExprPtr> inner_keys, outer_keys, residual;
  for (auto& cond : correlated)
    if (!take_key_pair(cond, refs, inner_keys, outer_keys)) residual.push_back(std::move(cond));
  auto& project = root->as<plan::ProjectOp>();
  auto build = std::make_unique<plan::ProjectOp>();
  for (auto& k : inner_keys) {
    build->output.push_back({new_id(), "key", k->type});
    build->exprs.push_back(std::move(k));
  }
  const OutputColumn value{new_id(), "value", project.output[0].type};
  build->exprs.push_back(std::move(project.exprs[0]));
  build->output.push_back(value);
  // The inner columns the residual reads, passed through under new ids.
  const std::vector<OutputColumn> inner = project.children[0]->output;
  for (auto& r : residual) pass_inner_columns(*build, inner, r);
  build->children.push_back(std::move(project.children[0]));

  PendingJoin j;
  j.left = true;
  j.single = true;
  for (size_t i = 0; i < outer_keys.size(); ++i) {
    const OutputColumn& key = build->output[i];
    j.build_keys.push_back(Expr::make_column(key.id, key.type));
    j.probe_keys.push_back(std::move(outer_keys[i]));
  }
  j.residual = and_all(std::move(residual));
  j.build = std::move(build);
  scalar_join_columns_.push_back(value.id);
  pending_joins_.push_back(std::move(j));
  return Expr::make_column(value.id, value.type);
}

ExprPtr Binder::take_post_join(ExprPtr& where) {
  if (!where || scalar_join_columns_.empty()) return nullptr;
  std::vector<ExprPtr> conjuncts, keep, post;
  split_conjuncts(std::move(where), conjuncts);
  for (auto& c : conjuncts) (reads_any(*c, scalar_join_columns_) ? post : keep).push_back(std::move(c));
  where = and_all(std::move(keep));
  return and_all(std::move(post));
}

BoundQuery Binder::bind_select(const ast::SelectStmt& s, bool keep_unknown, bool records) {
  // FROM: every item's names, then the WHERE clause over all of them.
  // Each item sees the ones before it (lateral_), as a function in FROM may name them.
  Scope outer_lateral = std::move(lateral_);
  lateral_ = Scope();
  std::vector<std::unique_ptr<JoinTree>> from_trees;
  for (const auto& item : s.from) {
    auto [entry, tree] = bind_from_item(*item);
    lateral_.rels.insert(lateral_.rels.end(), entry.rels.begin(), entry.rels.end());
    lateral_.entries.push_back(std::move(entry));
    from_trees.push_back(std::move(tree));
  }
  Scope scope = std::move(lateral_);
  lateral_ = std::move(outer_lateral);

  ExprPtr where = take_correlated(bind_where(s.where, scope));
  ExprPtr post_join = take_post_join(where);  // reads a correlated scalar subquery's join

  // Select list (plus hidden sort keys appended later).
  window_clause_ = &s.windows;
  check_window_clause(s.windows);
  std::vector<Target> targets;
  std::vector<std::pair<size_t, std::vector<OutputColumn>>> record_targets;  // target, its fields
  ExprCtx tc;
  tc.scope = &scope;
  tc.allow_agg = true;
  tc.track_bare = true;
  // A join below the select list would be grouped with the rows: in a grouped query a correlated
  // subquery runs per group instead.
  tc.decorrelate = s.group_by.empty() && !s.having;
  tc.allow_window = true;
  tc.allow_srf = true;
  for (const auto& t : s.targets) {
    const ast::Expr& e = *t.expr;
    if (e.kind == ast::ExprKind::Star) {
      if (scope.empty() && e.names.empty())
        fail(SqlState::SyntaxError, "SELECT * with no tables specified is not valid", e.location);
      if (!e.names.empty()) {
        // t.*: that table's columns.
        const std::string& qual = e.names.back();
        int found = -1;
        for (int r : scope.rels)
          if (rels_[static_cast<size_t>(r)].refname == qual) found = r;
        if (found < 0)
          fail(SqlState::UndefinedTable, "missing FROM-clause entry for table \"" + qual + "\"", e.location);
        Relation& rel = rels_[static_cast<size_t>(found)];
        for (size_t i = 0; i < rel.columns.size(); ++i) {
          const RelColumn& col = rel.columns[i];
          if (col.hidden) continue;
          bare_refs_.push_back({rel.ids[i], rel.refname + "." + col.name, e.location});
          rel.used[i] = true;
          targets.push_back({Expr::make_column(rel.ids[i], col.type), col.name, nullptr, col.max_length});
          refuse_record(*targets.back().expr, e.location);
        }
        continue;
      }
      for (const FromEntry& entry : scope.entries)
        for (const ItemColumn& col : entry.columns) {
          ExprPtr x = detail::clone(*col.expr);
          refuse_record(*x, e.location);
          mark_used(*x);
          std::function<void(const Expr&)> refs = [&](const Expr& y) {
            if (y.op == ExprOp::Column) {
              int r = rel_of(y.column);
              bare_refs_.push_back(
                  {y.column,
                   (r >= 0 ? rels_[static_cast<size_t>(r)].refname + "." : std::string()) + col.name,
                   e.location});
            }
            for (const auto& a : y.args) refs(*a);
          };
          refs(*x);
          targets.push_back({std::move(x), col.name, nullptr, col.type_mod});
        }
      continue;
    }
    if (records && e.kind == ast::ExprKind::FuncCall && !record_fields(e.func_name).empty() &&
        is_set_function_name(e.func_name) && !e.over && !e.agg_star && !e.agg_distinct && !e.agg_filter &&
        e.names.empty()) {
      // A record value (f(...) returning records): its place, a NULL nothing reads, and its fields,
      // carried after the visible columns to the derived table's relation (open_derived).
      std::vector<OutputColumn> fields;
      bind_select_list_srf(e, tc, nullptr, &fields);
      record_targets.push_back({targets.size(), std::move(fields)});
      targets.push_back({Expr::make_constant(Value::null(TypeId::Text), TypeId::Text),
                         t.alias.empty() ? figure_name(e).first : t.alias, &e});
      continue;
    }
    ExprPtr x = bind(e, tc);
    int32_t type_mod = -1;
    if (x->op == ExprOp::Column && rel_of(x->column) >= 0) {
      const Relation& r = rels_[static_cast<size_t>(rel_of(x->column))];
      auto it = std::find(r.ids.begin(), r.ids.end(), x->column);
      if (it != r.ids.end()) type_mod = r.columns[static_cast<size_t>(it - r.ids.begin())].max_length;
    } else {
      type_mod = cast_typmod(e, x->type);
    }
    bool name_type = returns_name(e) && x->op == ExprOp::Constant && x->type == TypeId::Text;
    targets.push_back(
        {std::move(x), t.alias.empty() ? figure_name(e).first : t.alias, &e, type_mod, name_type});
  }
  // Unknown outputs become text once the whole list is bound (PostgreSQL's resolveTargetListUnknowns:
  // `SELECT $1, $1::int` is 42P08 there too), except in a set operation's plain leaf, where the set
  // operation resolves them.
  keep_unknown = keep_unknown && !s.distinct && s.distinct_on.empty() && s.group_by.empty() && !s.having;
  for (auto& t : targets)
    if (t.expr->type == TypeId::Unknown && !keep_unknown) t.expr = convert(std::move(t.expr), TypeId::Text);
  const size_t visible = targets.size();
  std::vector<int32_t> column_typmods;
  std::vector<bool> name_columns;
  for (const auto& t : targets) {
    column_typmods.push_back(t.type_mod);
    name_columns.push_back(t.name_type);
  }

  ExprPtr having;
  if (s.having) {
    ExprCtx hc = tc;
    hc.allow_window = false;
    hc.clause = "HAVING";
    having = to_bool(bind(*s.having, hc), "argument of HAVING", s.having->location);
  }

  // ORDER BY: a position, an output column name, or an expression (a hidden column).
  std::vector<plan::SortKey> keys;
  std::vector<size_t> key_targets;
  // The target an ORDER BY or DISTINCT ON item names (PostgreSQL's findTargetlistEntrySQL92): a
  // position, an output column name, an expression equal to an output's, else a new hidden target.
  auto resolve_target = [&](const ast::Expr& e, const std::string& clause) -> size_t {
    if (e.kind == ast::ExprKind::Constant) {
      if (!is_position_constant(e.value))
        fail(SqlState::SyntaxError, "non-integer constant in " + clause, e.location);
      int64_t p = e.value.as_int();
      if (p < 1 || static_cast<uint64_t>(p) > visible)
        fail(SqlState::InvalidColumnReference,
             clause + " position " + std::to_string(p) + " is not in select list", e.location);
      return static_cast<size_t>(p - 1);
    }
    std::optional<size_t> match;
    if (e.kind == ast::ExprKind::ColumnRef && e.names.size() == 1) {
      for (size_t i = 0; i < visible; ++i) {
        if (targets[i].name != e.names[0]) continue;
        if (!match) {
          match = i;
        } else {
          // Two outputs of the same name: fine only if they compute the same column.
          const Expr& a = *targets[*match].expr;
          const Expr& b = *targets[i].expr;
          if (!(a.op == ExprOp::Column && b.op == ExprOp::Column && a.column == b.column))
            fail(SqlState::AmbiguousColumn, clause + " \"" + e.names[0] + "\" is ambiguous", e.location);
        }
      }
    }
    if (match) return *match;
    ExprPtr x = bind(e, tc);
    if (x->type == TypeId::Unknown) x = convert(std::move(x), TypeId::Text);
    // An expression equal to an output column's is that column (as PostgreSQL matches ORDER BY
    // expressions to the target list; SELECT DISTINCT relies on it). Hidden targets count too, so
    // DISTINCT ON and ORDER BY naming one expression share it.
    for (size_t i = 0; i < targets.size(); ++i)
      if (same_expr(*targets[i].expr, *x)) return i;
    targets.push_back({std::move(x), figure_name(e).first, &e});
    return targets.size() - 1;
  };
  for (const auto& item : s.order_by) {
    const size_t target = resolve_target(*item.expr, "ORDER BY");
    if (targets[target].expr->type == TypeId::Xid)  // PostgreSQL has no ordering of xid either (42883)
      throw_unsupported("ORDER BY a value of type xid", pos_of(item.expr->location));
    plan::SortKey k;
    k.descending = item.descending;
    k.nulls_first = item.nulls_first.value_or(item.descending);
    keys.push_back(k);
    key_targets.push_back(target);
  }

  // DISTINCT ON: its targets (each once), and PostgreSQL's rule that ORDER BY, when given, starts with
  // them in any order (42P10 at the DISTINCT ON item: transformDistinctOnClause).
  std::vector<size_t> on_targets;
  {
    std::vector<int> on_locations;
    for (const auto& e : s.distinct_on) {
      const size_t t = resolve_target(*e, "DISTINCT ON");
      if (std::find(on_targets.begin(), on_targets.end(), t) != on_targets.end()) continue;
      on_targets.push_back(t);
      on_locations.push_back(e->location);
    }
    auto on_index = [&](size_t target) {
      return static_cast<size_t>(std::find(on_targets.begin(), on_targets.end(), target) -
                                 on_targets.begin());
    };
    auto mismatch = [&](size_t i) {
      fail(SqlState::InvalidColumnReference,
           "SELECT DISTINCT ON expressions must match initial ORDER BY expressions", on_locations[i]);
    };
    std::vector<bool> covered(on_targets.size(), false);
    bool skipped = false;
    for (size_t target : key_targets) {
      const size_t i = on_index(target);
      if (i == on_targets.size()) {
        skipped = true;
      } else {
        if (skipped) mismatch(i);
        covered[i] = true;
      }
    }
    for (size_t i = 0; i < on_targets.size(); ++i)
      if (!covered[i] && skipped) mismatch(i);
  }

  ExprPtr limit = bind_limit(s.limit.get(), "LIMIT");
  ExprPtr offset = bind_limit(s.offset.get(), "OFFSET");

  // FOR UPDATE / SHARE: the strongest clause wins (NOWAIT over SKIP LOCKED over waiting); the scan
  // produces each row's storage key, carried as a hidden column to the LockRows step.
  std::optional<ast::LockingClause> locking;
  const int lock_rel = from_trees.size() == 1 && from_trees[0]->rel >= 0 &&
                               rels_[static_cast<size_t>(from_trees[0]->rel)].table
                           ? from_trees[0]->rel
                           : -1;
  for (const ast::LockingClause& l : s.locking) {
    for (const std::string& name : l.of) {
      bool found = false;
      for (int r : scope.rels) found = found || rels_[static_cast<size_t>(r)].refname == name;
      if (!found)
        fail(SqlState::UndefinedTable,
             "relation \"" + name + "\" in " + locking_name(l.strength) + " clause not found in FROM clause",
             l.location);
    }
    if (!locking) {
      locking = l;
      continue;
    }
    if (l.strength > locking->strength) locking->strength = l.strength;
    if (l.wait == ast::LockingClause::Wait::Error || locking->wait == ast::LockingClause::Wait::Error)
      locking->wait = ast::LockingClause::Wait::Error;
    else if (l.wait == ast::LockingClause::Wait::Skip)
      locking->wait = ast::LockingClause::Wait::Skip;
  }
  if (locking) {
    std::string what = locking_name(locking->strength);
    if (s.distinct || !s.distinct_on.empty())
      fail(SqlState::FeatureNotSupported, what + " is not allowed with DISTINCT clause");
    if (!s.group_by.empty())
      fail(SqlState::FeatureNotSupported, what + " is not allowed with GROUP BY clause");
    if (s.having) fail(SqlState::FeatureNotSupported, what + " is not allowed with HAVING clause");
    if (!aggs_.empty())
      fail(SqlState::FeatureNotSupported, what + " is not allowed with aggregate functions");
    if (!wins_.empty()) fail(SqlState::FeatureNotSupported, what + " is not allowed with window functions");
    if (scope.empty())
      locking.reset();  // nothing to lock
    else if (query_depth_ > 1)
      throw_unsupported(what + " in a subquery, CTE or set operation");
    else if (from_trees.size() == 1 && from_trees[0]->rel >= 0 && lock_rel < 0)
      throw_unsupported(what + " on a subquery or CTE in FROM");
    else if (lock_rel < 0)
      throw_unsupported(what + " with joins");
    else if (catalog::is_system_table(rels_[static_cast<size_t>(lock_rel)].table->id))
      throw_unsupported(what + " on a system catalog");
  }
  ColumnId lock_key = -1;
  size_t lock_key_target = 0;
  if (locking) {
    lock_key = new_id();
    lock_key_target = targets.size();
    targets.push_back({Expr::make_column(lock_key, TypeId::Text), "?key?", nullptr});
  }

  // Record values' fields: targets after all others, kept by the Project that drops the hidden ones.
  // A query grouping or ordering by a record is not planned (OmenDB has no record comparison).
  const size_t fields_begin = targets.size();
  if (!record_targets.empty()) {
    const int at = targets[record_targets[0].first].ast->location;
    if (s.distinct || !s.distinct_on.empty() || !s.group_by.empty() || s.having || s.has_grouping_sets ||
        !aggs_.empty() || !wins_.empty())
      throw_unsupported(
          "record values in the select list of a query with DISTINCT, GROUP BY, HAVING, aggregates or "
          "window functions",
          pos_of(at));
    for (size_t i = 0; i < key_targets.size(); ++i)
      for (const auto& record : record_targets)
        if (key_targets[i] == record.first)
          throw_unsupported("ORDER BY a record value", pos_of(s.order_by[i].expr->location));
    for (const auto& record : record_targets)
      for (const OutputColumn& f : record.second)
        targets.push_back(
            {Expr::make_column(f.id, f.type), targets[record.first].name + "." + f.name, nullptr});
  }
  const size_t fields_end = targets.size();

  // GROUP BY: an output column's position or name, else an expression over the FROM columns.
  std::vector<ExprPtr> group_keys;
  std::vector<int> item_key;  // the key of each GROUP BY item
  for (const auto& g : s.group_by) {
    ExprPtr key = bind_group_key(*g, scope, targets, visible);
    size_t k = 0;
    while (k < group_keys.size() && !same_expr(*group_keys[k], *key)) ++k;
    if (k == group_keys.size()) group_keys.push_back(std::move(key));
    item_key.push_back(static_cast<int>(k));
  }
  // GROUPING SETS / ROLLUP / CUBE: each set's keys, each once, in key order.
  std::vector<std::vector<int>> key_sets;
  for (const auto& set : s.grouping_sets) {
    std::vector<bool> has(group_keys.size(), false);
    for (int item : set) has[static_cast<size_t>(item_key[static_cast<size_t>(item)])] = true;
    std::vector<int> keys;
    for (size_t k = 0; k < has.size(); ++k)
      if (has[k]) keys.push_back(static_cast<int>(k));
    key_sets.push_back(std::move(keys));
  }

  if (!aggs_.empty())
    for (const RecursiveCte& r : recursive_)
      if (r.term == RecursiveCte::Term::Recursive && r.reference_level == level_)
        fail(SqlState::InvalidRecursion,
             "aggregate functions are not allowed in a recursive query's recursive term");

  // Grouping: every column outside an aggregate in the select list, ORDER BY and HAVING must be a
  // group key (or inside one), else 42803. Grouped subexpressions become the key's output column, and
  // GROUPING(...) calls columns of the HashAggregate (grouping_calls_).
  const bool grouped = !group_keys.empty() || !aggs_.empty() || having || s.has_grouping_sets;
  std::vector<OutputColumn> key_out;
  grouping_sets_ = s.has_grouping_sets;
  grouping_calls_.clear();
  grouping_out_.clear();
  if (!grouped) {
    for (const auto& t : targets) fail_ungrouped_grouping(*t.expr);
  }
  if (grouped) {
    bool reads_scalar_join = having && reads_any(*having, scalar_join_columns_);
    for (const auto& t : targets)
      reads_scalar_join = reads_scalar_join || reads_any(*t.expr, scalar_join_columns_);
    if (reads_scalar_join)
      throw_unsupported("correlated scalar subqueries in the select list of grouped queries");
    for (const auto& k : group_keys) {
      std::string name = plan::to_string(*k, col_names_);
      key_out.push_back({new_id(), std::move(name), k->type});
    }
    for (auto& t : targets) apply_grouping(t.expr, scope, group_keys, key_out);
    if (srf_)
      for (auto& x : srf_->as<plan::FunctionScanOp>().init) apply_grouping(x, scope, group_keys, key_out);
    if (having) apply_grouping(having, scope, group_keys, key_out);
    for (WindowBinding& w : wins_) {  // windows over the groups: their expressions read the groups
      for (auto& a : w.args) apply_grouping(a, scope, group_keys, key_out);
      for (auto& k : w.partition) apply_grouping(k, scope, group_keys, key_out);
      for (auto& k : w.order) apply_grouping(k, scope, group_keys, key_out);
    }
  }

  // Build the tree bottom-up.
  OpPtr cur;
  if (from_trees.size() == 1 && from_trees[0]->rel >= 0) {
    if (lock_rel >= 0) {
      auto scan = make_scan(from_trees[0]->rel, false);  // one table: the WHERE clause filters its scan
      scan->key_column = lock_key;
      cur = std::move(scan);
    } else {
      cur = make_leaf(from_trees[0]->rel);
    }
    if (where) {
      auto filter = wrap<plan::FilterOp>(std::move(cur));
      filter->predicate = std::move(where);
      cur = std::move(filter);
    }
  } else if (!from_trees.empty()) {
    std::vector<ExprPtr> conjuncts;
    if (where) split_conjuncts(std::move(where), conjuncts);
    std::vector<JoinTree*> items;
    for (auto& t : from_trees) items.push_back(t.get());
    cur = plan_from(std::move(items), std::move(conjuncts));
  } else {
    auto values = std::make_unique<plan::ValuesOp>();
    values->rows.emplace_back();  // one row of zero columns
    cur = std::move(values);
    if (where) {
      auto filter = wrap<plan::FilterOp>(std::move(cur));
      filter->predicate = std::move(where);
      cur = std::move(filter);
    }
  }
  cur = apply_semi_joins(std::move(cur));
  if (post_join) {
    auto filter = wrap<plan::FilterOp>(std::move(cur));
    filter->predicate = std::move(post_join);
    cur = std::move(filter);
  }
  if (!group_keys.empty() || key_sets.size() > 1) {
    auto agg = std::make_unique<plan::HashAggregateOp>();
    agg->children.push_back(std::move(cur));
    agg->group_keys = std::move(group_keys);
    agg->aggregates = std::move(aggs_);
    if (s.has_grouping_sets) agg->grouping_sets = std::move(key_sets);
    agg->grouping_calls = std::move(grouping_calls_);
    agg->output = key_out;
    agg->output.insert(agg->output.end(), agg_out_.begin(), agg_out_.end());
    agg->output.insert(agg->output.end(), grouping_out_.begin(), grouping_out_.end());
    cur = std::move(agg);
  } else if (grouped) {
    auto agg = std::make_unique<plan::AggregateOp>();
    agg->children.push_back(std::move(cur));
    agg->aggregates = std::move(aggs_);
    agg->output = agg_out_;
    cur = std::move(agg);
  }
  if (having) {
    auto filter = wrap<plan::FilterOp>(std::move(cur));
    filter->predicate = std::move(having);
    cur = std::move(filter);
  }
  if (!wins_.empty()) cur = plan_windows(std::move(cur));
  if (srf_) {
    // A set-returning function in the select list: its rows for each row, below the Project.
    std::vector<OutputColumn> columns = std::move(srf_->output);
    srf_->output = cur->output;
    srf_->output.insert(srf_->output.end(), columns.begin(), columns.end());
    srf_->children.push_back(std::move(cur));
    cur = std::move(srf_);
  }
  auto project = std::make_unique<plan::ProjectOp>();
  project->children.push_back(std::move(cur));
  for (auto& t : targets) {
    TypeId type = t.expr->type;
    project->output.push_back({new_id(), t.name, type});
    project->exprs.push_back(std::move(t.expr));
  }
  cur = std::move(project);
  if (s.distinct) {
    // SELECT DISTINCT: a group by every output column, with no aggregates.
    if (targets.size() > visible) {
      const ast::Expr* first = targets[visible].ast;
      fail(SqlState::InvalidColumnReference,
           "for SELECT DISTINCT, ORDER BY expressions must appear in select list",
           first ? first->location : -1);
    }
    auto distinct = std::make_unique<plan::HashAggregateOp>();
    for (const OutputColumn& in : cur->output) {
      distinct->group_keys.push_back(Expr::make_column(in.id, in.type));
      distinct->output.push_back({new_id(), in.name, in.type});
    }
    distinct->children.push_back(std::move(cur));
    cur = std::move(distinct);
  }
  if (!on_targets.empty()) {
    // SELECT DISTINCT ON: the first row of each group by the rest of ORDER BY, as
    //   row_number() OVER (PARTITION BY <on> ORDER BY <the ORDER BY keys after them>) = 1
    // (NULLs equal, as DISTINCT ON has them); the sort below then orders the survivors.
    auto win = std::make_unique<plan::WindowOp>();
    for (size_t t : on_targets) win->partition_keys.push_back(cur->output[t].id);
    for (size_t i = 0; i < keys.size(); ++i) {
      if (std::find(on_targets.begin(), on_targets.end(), key_targets[i]) != on_targets.end()) continue;
      plan::SortKey k = keys[i];
      k.column = cur->output[key_targets[i]].id;
      win->order_keys.push_back(k);
    }
    plan::WindowCall first;
    first.func = WindowFunction::RowNumber;
    first.type = TypeId::Int64;
    win->functions.push_back(std::move(first));
    const OutputColumn row_number{new_id(), "row_number", TypeId::Int64};
    win->output = cur->output;
    win->output.push_back(row_number);
    win->children.push_back(std::move(cur));
    auto filter = wrap<plan::FilterOp>(std::move(win));
    std::vector<ExprPtr> eq;
    eq.push_back(Expr::make_column(row_number.id, TypeId::Int64));
    eq.push_back(Expr::make_constant(Value::int64(1), TypeId::Int64));
    filter->predicate = Expr::make(ExprOp::Eq, TypeId::Bool, std::move(eq));
    cur = std::move(filter);
  }
  if (!keys.empty()) {
    for (size_t i = 0; i < keys.size(); ++i) keys[i].column = cur->output[key_targets[i]].id;
    auto sort = wrap<plan::SortOp>(std::move(cur));
    sort->sort_keys = std::move(keys);
    cur = std::move(sort);
  }
  if (locking) {
    auto lock = std::make_unique<plan::LockRowsOp>();
    lock->table = rels_[static_cast<size_t>(lock_rel)].table;
    lock->key_column = cur->output[lock_key_target].id;
    lock->strength = static_cast<int>(locking->strength);                // same order as storage::RowLockMode
    lock->wait = locking->wait == ast::LockingClause::Wait::Error  ? 1   // storage::LockWaitMode::NoWait
                 : locking->wait == ast::LockingClause::Wait::Skip ? 2   // SkipLocked
                                                                   : 0;  // Wait
    lock->output = cur->output;
    lock->children.push_back(std::move(cur));
    cur = std::move(lock);
  }
  if (cur->output.size() > visible) {
    auto drop = std::make_unique<plan::ProjectOp>();
    auto keep = [&](size_t i) {
      const OutputColumn& in = cur->output[i];
      drop->exprs.push_back(Expr::make_column(in.id, in.type));
      drop->output.push_back({new_id(), in.name, in.type});
    };
    for (size_t i = 0; i < visible; ++i) keep(i);
    for (size_t i = fields_begin; i < fields_end; ++i) keep(i);  // record values' fields
    drop->children.push_back(std::move(cur));
    cur = std::move(drop);
  }
  if (limit || offset) {
    auto lim = wrap<plan::LimitOp>(std::move(cur));
    lim->limit = std::move(limit);
    lim->offset = std::move(offset);
    cur = std::move(lim);
  }

  BoundQuery out;
  out.locks_rows = locking.has_value();
  if (locking) out.lock_clause = locking_name(locking->strength);
  out.column_typmods = std::move(column_typmods);
  out.name_columns = std::move(name_columns);
  size_t field_column = visible;
  for (const auto& [target, fields] : record_targets) {
    BoundQuery::Record& r = out.records.emplace_back();
    r.column = target;
    for (const OutputColumn& f : fields) r.fields.emplace_back(f.name, field_column++);
  }
  out.root = std::move(cur);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Query expressions: WITH, derived tables, set operations, VALUES
//
// Every query expression is bound into an operator subtree of the one plan (one ColumnId space, one
// parameter list). A derived table's relation exposes its plan's output columns.
//
// A CTE follows PostgreSQL 12+: one the rest of its WITH's query names once, without volatile functions
// and not written AS MATERIALIZED, is inlined: its reference binds its query again into a subtree of its
// own. One named more than once (unless AS NOT MATERIALIZED), one calling a volatile function (random(),
// nextval() ...; even AS NOT MATERIALIZED), or one AS MATERIALIZED is materialized: its query, bound once
// where it is defined, becomes a tree of its own ending in a CteOp (in subplans_, so that it runs before
// anything reading it), and each reference is a CteScanOp reading its rows. A CTE never named is never
// run. References are counted in the syntax tree (cte_references), as PostgreSQL's cterefcount; a CTE
// that names an enclosing query (inside a correlated subquery) or is defined inside a recursive term, and
// one of a WITH RECURSIVE named by a WITH item before it, is inlined.

namespace {

const char* set_op_name(ast::SetOp op) {
  switch (op) {
    case ast::SetOp::Intersect:
      return "INTERSECT";
    case ast::SetOp::Except:
      return "EXCEPT";
    default:
      return "UNION";
  }
}

int cte_references(const std::string& name, const ast::SelectStmt& s);

int cte_references(const std::string& name, const ast::Expr* e) {
  if (!e) return 0;
  int n = 0;
  for (const auto& a : e->args) n += cte_references(name, a.get());
  n += cte_references(name, e->agg_filter.get());
  for (const ast::OrderItem& o : e->agg_order) n += cte_references(name, o.expr.get());
  for (const ast::CaseWhen& w : e->when_clauses)
    n += cte_references(name, w.condition.get()) + cte_references(name, w.result.get());
  n += cte_references(name, e->else_expr.get());
  if (e->subquery) n += cte_references(name, *e->subquery);
  if (e->over) {
    for (const auto& p : e->over->partition_by) n += cte_references(name, p.get());
    for (const ast::OrderItem& o : e->over->order_by) n += cte_references(name, o.expr.get());
    n += cte_references(name, e->over->start_offset.get()) + cte_references(name, e->over->end_offset.get());
  }
  return n;
}

int cte_references(const std::string& name, const ast::FromItem& f) {
  if (f.is_join)
    return cte_references(name, *f.left) + cte_references(name, *f.right) + cte_references(name, f.on.get());
  if (f.subquery) return cte_references(name, *f.subquery);
  if (f.function) return cte_references(name, f.function.get());
  return f.table.schema.empty() && f.table.name == name ? 1 : 0;
}

// The references to CTE `name` in `s` without its WITH clause.
int cte_body_references(const std::string& name, const ast::SelectStmt& s) {
  int n = 0;
  if (s.larg) n += cte_references(name, *s.larg);
  if (s.rarg) n += cte_references(name, *s.rarg);
  for (const auto& row : s.values)
    for (const auto& e : row) n += cte_references(name, e.get());
  for (const auto& e : s.distinct_on) n += cte_references(name, e.get());
  for (const ast::SelectTarget& t : s.targets) n += cte_references(name, t.expr.get());
  for (const auto& f : s.from) n += cte_references(name, *f);
  n += cte_references(name, s.where.get()) + cte_references(name, s.having.get());
  for (const auto& e : s.group_by) n += cte_references(name, e.get());
  for (const ast::OrderItem& o : s.order_by) n += cte_references(name, o.expr.get());
  n += cte_references(name, s.limit.get()) + cte_references(name, s.offset.get());
  for (const ast::WindowDef& w : s.windows) {
    for (const auto& p : w.partition_by) n += cte_references(name, p.get());
    for (const ast::OrderItem& o : w.order_by) n += cte_references(name, o.expr.get());
    n += cte_references(name, w.start_offset.get()) + cte_references(name, w.end_offset.get());
  }
  return n;
}

// The references to CTE `name` in INSERT / UPDATE / DELETE `s` without its WITH clause.
int dml_body_references(const std::string& name, const ast::Stmt& stmt) {
  int n = 0;
  if (stmt.kind == ast::StmtKind::Insert) {
    const auto& s = static_cast<const ast::InsertStmt&>(stmt);
    if (s.select) n += cte_references(name, *s.select);
    for (const auto& row : s.rows)
      for (const auto& e : row) n += cte_references(name, e.get());
    for (const ast::SelectTarget& t : s.returning) n += cte_references(name, t.expr.get());
    if (s.on_conflict) {
      for (const auto& a : s.on_conflict->assignments) n += cte_references(name, a.second.get());
      n += cte_references(name, s.on_conflict->where.get()) +
           cte_references(name, s.on_conflict->target_where.get());
    }
  } else if (stmt.kind == ast::StmtKind::Update) {
    const auto& s = static_cast<const ast::UpdateStmt&>(stmt);
    n += cte_references(name, s.where.get());
    for (const auto& a : s.assignments) n += cte_references(name, a.second.get());
    for (const auto& f : s.from) n += cte_references(name, *f);
    for (const ast::SelectTarget& t : s.returning) n += cte_references(name, t.expr.get());
  } else if (stmt.kind == ast::StmtKind::Delete) {
    const auto& s = static_cast<const ast::DeleteStmt&>(stmt);
    n += cte_references(name, s.where.get());
    for (const auto& f : s.using_items) n += cte_references(name, *f);
    for (const ast::SelectTarget& t : s.returning) n += cte_references(name, t.expr.get());
  }
  return n;
}

int cte_references(const std::string& name, const ast::CommonTableExpr& cte);

// The references to CTE `name` in WITH clause `with` followed by a body holding `body` of them, outside
// the scope of a WITH item of the same name in `with`.
int with_references(const std::string& name, const std::vector<ast::CommonTableExpr>& with, bool recursive,
                    const std::function<int()>& body) {
  int n = 0;
  if (recursive) {
    for (const ast::CommonTableExpr& cte : with)
      if (cte.name == name) return 0;  // every item and the query see the inner one
  }
  for (const ast::CommonTableExpr& cte : with) {
    n += cte_references(name, cte);
    if (cte.name == name) return n;  // the items after it and the query see the inner one
  }
  return n + body();
}

// How many FROM items of `s` (its subqueries included) name the CTE `name` of an enclosing WITH, outside
// the scope of a WITH item of the same name inside `s`: PostgreSQL's cterefcount.
int cte_references(const std::string& name, const ast::SelectStmt& s) {
  return with_references(name, s.with, s.with_recursive, [&] { return cte_body_references(name, s); });
}

// The references to CTE `name` in a WITH item's query or data-modifying statement (with its own WITH).
int cte_references(const std::string& name, const ast::CommonTableExpr& cte) {
  if (cte.query) return cte_references(name, *cte.query);
  const ast::Stmt& s = *cte.dml;
  const auto& [with, recursive] =
      s.kind == ast::StmtKind::Insert   ? std::pair(&static_cast<const ast::InsertStmt&>(s).with,
                                                    static_cast<const ast::InsertStmt&>(s).with_recursive)
      : s.kind == ast::StmtKind::Update ? std::pair(&static_cast<const ast::UpdateStmt&>(s).with,
                                                    static_cast<const ast::UpdateStmt&>(s).with_recursive)
                                        : std::pair(&static_cast<const ast::DeleteStmt&>(s).with,
                                                    static_cast<const ast::DeleteStmt&>(s).with_recursive);
  return with_references(name, *with, recursive, [&] { return dml_body_references(name, s); });
}

// Whether an operator of the tree under `op` calls a volatile function.
bool tree_calls_volatile(plan::Op& op) {
  bool found = false;
  op.for_each_expr([&](ExprPtr& e) { found = found || (e && detail::calls_volatile(*e)); });
  for (auto& c : op.children) found = found || tree_calls_volatile(*c);
  return found;
}

// The set operations' and VALUES' type resolution (PostgreSQL's select_common_type for two inputs).
TypeId common_type(TypeId a, TypeId b, const char* what, int loc) {
  Expr x, y;
  x.type = a;
  y.type = b;
  return unify({&x, &y}, what, loc);
}

}  // namespace

BoundQuery Binder::bind_query(const ast::SelectStmt& s, bool keep_unknown, int recursive) {
  const bool records = std::exchange(record_targets_, false);  // for this query's own select list only
  if (!s.unsupported_feature.empty()) throw_unsupported(s.unsupported_feature);
  // A query level of its own (level_, Relation::level): its FROM clause's names, aggregates, grouping
  // check and pending semi / anti joins.
  struct Level {
    Binder& b;
    int level;
    std::vector<AggregateCall> aggs;
    std::vector<OutputColumn> agg_out;
    std::vector<WindowBinding> wins;
    const std::vector<ast::WindowDef>* window_clause;
    std::vector<BareRef> bare_refs;
    std::vector<PendingJoin> pending_joins;
    std::vector<ColumnId> scalar_join_columns;
    OpPtr srf;
    size_t ctes;
    explicit Level(Binder& binder)
        : b(binder),
          level(binder.level_),
          aggs(std::move(binder.aggs_)),
          agg_out(std::move(binder.agg_out_)),
          wins(std::move(binder.wins_)),
          window_clause(binder.window_clause_),
          bare_refs(std::move(binder.bare_refs_)),
          pending_joins(std::move(binder.pending_joins_)),
          scalar_join_columns(std::move(binder.scalar_join_columns_)),
          srf(std::move(binder.srf_)),
          ctes(binder.ctes_.size()) {
      b.aggs_.clear();
      b.agg_out_.clear();
      b.wins_.clear();
      b.window_clause_ = nullptr;
      b.bare_refs_.clear();
      b.pending_joins_.clear();
      b.scalar_join_columns_.clear();
      b.level_ = ++b.next_level_;
      ++b.query_depth_;
    }
    ~Level() {
      b.aggs_ = std::move(aggs);
      b.agg_out_ = std::move(agg_out);
      b.wins_ = std::move(wins);
      b.window_clause_ = window_clause;
      b.bare_refs_ = std::move(bare_refs);
      b.pending_joins_ = std::move(pending_joins);
      b.scalar_join_columns_ = std::move(scalar_join_columns);
      b.srf_ = std::move(srf);
      b.level_ = level;
      b.ctes_.resize(ctes);
      --b.query_depth_;
    }
    Level(const Level&) = delete;
    Level& operator=(const Level&) = delete;
  } level(*this);
  bind_with(s);
  if (recursive >= 0) return bind_recursive(s, static_cast<size_t>(recursive));
  if (s.set_op != ast::SetOp::None) return bind_set_operation(s);
  if (!s.values.empty()) return bind_values(s);
  return bind_select(s, keep_unknown, records);
}

void Binder::bind_with(const ast::SelectStmt& s) {
  bind_with(s.with, s.with_recursive, [&s](const std::string& name) { return cte_body_references(name, s); });
}

void Binder::bind_with(const std::vector<ast::CommonTableExpr>& with, bool recursive,
                       const std::function<int(const std::string&)>& body_references) {
  const size_t base = ctes_.size();
  const bool in_recursive_term = std::any_of(recursive_.begin(), recursive_.end(), [](const RecursiveCte& r) {
    return r.term == RecursiveCte::Term::Recursive;
  });
  if (recursive) {
    // Every CTE of a WITH RECURSIVE sees all of them, itself included (PostgreSQL).
    for (const ast::CommonTableExpr& cte : with) {
      for (size_t i = base; i < ctes_.size(); ++i)
        if (ctes_[i].cte->name == cte.name)
          fail(SqlState::DuplicateAlias, "WITH query name \"" + cte.name + "\" specified more than once",
               cte.location);
      CteDef def;
      def.cte = &cte;
      def.visible = base + with.size();
      def.outer_scopes = outer_scopes_.size();
      def.recursive = true;
      ctes_.push_back(std::move(def));
    }
    for (size_t i = base; i < ctes_.size(); ++i) {
      if (ctes_[i].cte->dml) {
        bind_dml_cte(ctes_[i]);
        continue;
      }
      count_cte_binding();
      const size_t subplans = subplans_.size();
      const size_t outer = outer_names();
      BoundQuery q = bind_cte_query(ctes_[i]);
      const ast::CommonTableExpr& cte = *ctes_[i].cte;
      if (cte.columns.size() > q.root->output.size())
        fail(SqlState::InvalidColumnReference,
             "WITH query \"" + cte.name + "\" has " + std::to_string(q.root->output.size()) +
                 " columns available but " + std::to_string(cte.columns.size()) + " columns specified",
             cte.location);
      // A WITH item bound before this one inlined its references to it: it is inlined too.
      int references = body_references(cte.name);
      bool named_before = false;
      for (size_t j = 0; j < with.size(); ++j) {
        if (&with[j] == &cte) continue;
        const int n = cte_references(cte.name, with[j]);
        references += n;
        named_before = named_before || (n > 0 && base + j < i);
      }
      materialize_cte(ctes_[i], std::move(q), subplans, references,
                      in_recursive_term || named_before || outer_names() != outer);
    }
    return;
  }
  for (size_t k = 0; k < with.size(); ++k) {
    const ast::CommonTableExpr& cte = with[k];
    for (size_t i = base; i < ctes_.size(); ++i)
      if (ctes_[i].cte->name == cte.name)
        fail(SqlState::DuplicateAlias, "WITH query name \"" + cte.name + "\" specified more than once",
             cte.location);
    if (cte.dml) {
      CteDef def;
      def.cte = &cte;
      def.visible = ctes_.size();
      def.outer_scopes = outer_scopes_.size();
      bind_dml_cte(def);
      ctes_.push_back(std::move(def));
      continue;
    }
    // PostgreSQL analyses every CTE, referenced or not: bind it once for its errors and its width.
    count_cte_binding();
    const size_t subplans = subplans_.size();
    const size_t outer = outer_names();
    BoundQuery q = bind_query(*cte.query);
    if (cte.columns.size() > q.root->output.size())
      fail(SqlState::InvalidColumnReference,
           "WITH query \"" + cte.name + "\" has " + std::to_string(q.root->output.size()) +
               " columns available but " + std::to_string(cte.columns.size()) + " columns specified",
           cte.location);
    int references = body_references(cte.name);
    for (size_t j = k + 1; j < with.size(); ++j) references += cte_references(cte.name, with[j]);
    CteDef def;
    def.cte = &cte;
    def.visible = ctes_.size();
    def.outer_scopes = outer_scopes_.size();
    materialize_cte(def, std::move(q), subplans, references, in_recursive_term || outer_names() != outer);
    ctes_.push_back(std::move(def));
  }
}

size_t Binder::outer_names() const {
  size_t n = outer_refs_.size();
  for (const SubqueryFrame& f : frames_) n += f.params.size() + (f.correlated ? 1 : 0) + (f.fallback ? 1 : 0);
  return n;
}

void Binder::materialize_cte(CteDef& def, BoundQuery q, size_t subplans, int references, bool inline_only) {
  const ast::CteMaterialize how = def.cte->materialize;
  bool volatile_calls = tree_calls_volatile(*q.root);
  for (size_t i = subplans; i < subplans_.size() && !volatile_calls; ++i)
    volatile_calls = tree_calls_volatile(*subplans_[i]);
  bool materialize = references > 0 && !inline_only &&
                     (how == ast::CteMaterialize::Always || volatile_calls ||
                      (references > 1 && how != ast::CteMaterialize::Never));
  // The buffer's columns have types: an unknown-typed literal column is text (PostgreSQL).
  for (size_t c = 0; c < q.root->output.size() && materialize; ++c) {
    const OutputColumn col = q.root->output[c];
    materialize = col.type != TypeId::Unknown || resolve_unknown(*q.root, col.id, TypeId::Text);
  }
  if (!materialize) {
    // The subqueries this binding planned as subplans go with it: an unreferenced CTE never runs.
    drop_subplans(subplans);
    return;
  }
  def.materialized = next_cte_++;
  def.columns = q.root->output;
  def.typmods = q.column_typmods;
  def.typmods.resize(def.columns.size(), -1);
  auto cte = std::make_unique<plan::CteOp>();
  cte->name = def.cte->name;
  cte->index = def.materialized;
  cte->children.push_back(std::move(q.root));
  subplans_.push_back(std::move(cte));
}

void Binder::bind_dml_cte(CteDef& def) {
  const ast::CommonTableExpr& cte = *def.cte;
  // Only an item of the planned statement's own WITH (not of a subquery's, nor of an item's statement).
  const bool top = top_with_ && &cte >= top_with_->data() && &cte < top_with_->data() + top_with_->size();
  if (!top)
    fail(SqlState::FeatureNotSupported,
         "WITH clause containing a data-modifying statement must be at the top level", cte.location);
  count_cte_binding();
  // A query level of its own (its target's name does not clash with the outer statement's FROM items),
  // and its own WITH items go out of scope after it.
  const bool was_in = in_dml_cte_;
  const int level = level_;
  const size_t ctes = ctes_.size();
  auto restore = [&] {
    in_dml_cte_ = was_in;
    level_ = level;
    ctes_.resize(ctes);
  };
  in_dml_cte_ = true;
  level_ = ++next_level_;
  PlannedStatement sub;
  try {
    switch (cte.dml->kind) {
      case ast::StmtKind::Insert:
        sub = plan_insert(static_cast<const ast::InsertStmt&>(*cte.dml));
        break;
      case ast::StmtKind::Update:
        sub = plan_update(static_cast<const ast::UpdateStmt&>(*cte.dml));
        break;
      default:
        sub = plan_delete(static_cast<const ast::DeleteStmt&>(*cte.dml));
        break;
    }
  } catch (...) {
    restore();
    throw;
  }
  restore();
  data_modifying_with_ = true;
  // Its rows are not the statement's: the command tag counts the outer statement's own.
  std::function<void(plan::Op&)> uncount = [&](plan::Op& op) {
    if (op.is<plan::InsertOp>()) op.as<plan::InsertOp>().counted = false;
    if (op.is<plan::UpdateOp>()) op.as<plan::UpdateOp>().counted = false;
    if (op.is<plan::DeleteOp>()) op.as<plan::DeleteOp>().counted = false;
    if (op.is<plan::UpsertOp>()) op.as<plan::UpsertOp>().counted = false;
    for (auto& c : op.children) uncount(*c);
  };
  uncount(*sub.plan.root);
  if (sub.plan.result_columns.empty()) {  // no RETURNING: a reference fails (open_cte)
    if (!cte.columns.empty())
      fail(SqlState::InvalidColumnReference,
           "WITH query \"" + cte.name + "\" has 0 columns available but " +
               std::to_string(cte.columns.size()) + " columns specified",
           cte.location);
    subplans_.push_back(std::move(sub.plan.root));
    return;
  }
  if (cte.columns.size() > sub.plan.root->output.size())
    fail(SqlState::InvalidColumnReference,
         "WITH query \"" + cte.name + "\" has " + std::to_string(sub.plan.root->output.size()) +
             " columns available but " + std::to_string(cte.columns.size()) + " columns specified",
         cte.location);
  def.materialized = next_cte_++;
  def.columns = sub.plan.root->output;
  def.typmods = sub.result_typmods;
  def.typmods.resize(def.columns.size(), -1);
  auto op = std::make_unique<plan::CteOp>();
  op->name = cte.name;
  op->index = def.materialized;
  op->children.push_back(std::move(sub.plan.root));
  subplans_.push_back(std::move(op));
}

// `SELECT <expressions>` without FROM or WHERE: a Project over one empty row.
namespace {
bool computed_columns(const plan::Op& root) {
  if (!root.is<plan::ProjectOp>() || root.children.size() != 1 || !root.children[0]->is<plan::ValuesOp>())
    return false;
  const auto& values = root.children[0]->as<plan::ValuesOp>();
  return values.rows.size() == 1 && values.output.empty() && !values.values_matrix;
}
}  // namespace

int Binder::open_derived(const ast::FromItem& item) {
  if (item.table.alias.empty()) {
    SqlError err(SqlState::SyntaxError,
                 !item.subquery->values.empty() && item.subquery->set_op == ast::SetOp::None
                     ? "VALUES in FROM must have an alias"
                     : "subquery in FROM must have an alias");
    std::move(err).with_hint("For example, FROM (SELECT ...) [AS] foo.");
    throw err;
  }
  Relation r;
  BoundQuery q;
  if (item.lateral && !lateral_.empty()) {
    // LATERAL: planned as a correlated subquery of the FROM items before it (lateral_join).
    ast::Expr e(ast::ExprKind::Subquery, item.location);
    e.subquery = std::shared_ptr<ast::SelectStmt>(std::shared_ptr<ast::SelectStmt>(), item.subquery.get());
    Scope before = std::move(lateral_);  // the subquery's own FROM clause is bound into lateral_
    lateral_ = Scope();
    try {
      q.root = plan_correlated(e, &before, r.lateral_refs, r.lateral_conds);
    } catch (...) {
      lateral_ = std::move(before);
      throw;
    }
    lateral_ = std::move(before);
    if (!q.root)
      throw_unsupported(
          "LATERAL subqueries naming the FROM items before them or an enclosing query from "
          "inside a nested query",
          pos_of(item.location));
    for (ColumnId id : r.lateral_refs) {
      const int dep = rel_of(id);
      if (dep >= 0 && std::find(r.lateral.begin(), r.lateral.end(), dep) == r.lateral.end())
        r.lateral.push_back(dep);
    }
    const ast::SelectStmt& s = *item.subquery;
    const bool plain = s.group_by.empty() && !s.having && !s.distinct && s.distinct_on.empty() &&
                       s.order_by.empty() && !s.limit && !s.offset && q.root->is<plan::ProjectOp>() &&
                       !q.root->children.empty() && !q.root->children[0]->is<plan::AggregateOp>() &&
                       !q.root->children[0]->is<plan::HashAggregateOp>();
    if (!r.lateral.empty() && !plain)
      throw_unsupported("LATERAL subqueries with grouping, aggregates, DISTINCT, ORDER BY or LIMIT",
                        pos_of(item.location));
    if (!r.lateral.empty() && tree_reads_any(*q.root, r.lateral_refs) && !computed_columns(*q.root))
      throw_unsupported("LATERAL subqueries naming the FROM items before them outside WHERE",
                        pos_of(item.location));
  } else {
    record_targets_ = true;  // its select list may hold record values
    q = bind_query(*item.subquery);
  }
  r.refname = item.table.alias;
  r.has_alias = true;
  for (size_t i = 0; i < q.root->output.size(); ++i) {
    const OutputColumn& c = q.root->output[i];
    r.columns.push_back({c.name, c.type, i < q.column_typmods.size() ? q.column_typmods[i] : -1});
    r.ids.push_back(c.id);
  }
  // Its record values: a column no expression reads as a whole, whose fields are hidden columns that
  // (alias.column).field reads.
  for (const BoundQuery::Record& rec : q.records) {
    std::vector<OutputColumn>& fields = record_columns_[r.ids[rec.column]];
    for (const auto& [name, column] : rec.fields) {
      r.columns[column].hidden = true;
      fields.push_back({r.ids[column], name, r.columns[column].type});
    }
  }
  r.derived = std::move(q.root);
  return add_relation(std::move(r), item.column_aliases, item.location);
}

// ---------------------------------------------------------------------------------------------------
// Functions in FROM (plan::FunctionScanOp): generate_series and unnest as loops whose steps are bound here
// with the SQL operators of their types, and any scalar function as one row. A function's arguments may
// name the FROM items before it (LATERAL, implicit for functions as in PostgreSQL): it then runs once per
// row of theirs (apply_function), a dependent nested loop.

std::unique_ptr<plan::FunctionScanOp> Binder::bind_set_function(const ast::Expr& call, ExprCtx& c) {
  const std::string& name = call.func_name;
  const int loc = call.location;
  if (!is_set_function_name(name) || call.over || call.agg_star || call.agg_distinct || call.agg_filter ||
      !call.names.empty())  // named arguments: bind_function's 42883
    return nullptr;
  auto fn = std::make_unique<plan::FunctionScanOp>();
  fn->function = name;
  auto state = [&](const std::string& what, ExprPtr init) {
    OutputColumn col{new_id(), what, init->type};
    fn->state.push_back(col);
    fn->init.push_back(std::move(init));
    fn->next.emplace_back();
    return Expr::make_column(col.id, col.type);
  };
  auto state_ref = [&](size_t i) { return Expr::make_column(fn->state[i].id, fn->state[i].type); };
  // A loop over the elements of the array in state `array`: state 0 is the subscript, from 1 to its
  // cardinality.
  auto count_through = [&](size_t array) {
    std::vector<ExprPtr> card;
    card.push_back(state_ref(array));
    ExprPtr n = bind_array_function("cardinality", card, loc);
    fn->cond = compare(ExprOp::Le, "<=", state_ref(0), convert(std::move(n), TypeId::Int64), loc);
    fn->next[0] =
        arith(ExprOp::Add, "+", state_ref(0), Expr::make_constant(Value::int64(1), TypeId::Int64), loc);
  };
  // The element of the array (of type `at`) in state `array` at the loop's position: read through a
  // byte offset stepped with the subscript, so that a step costs O(1), not a subscript's O(n).
  auto element_walk = [&](size_t array, TypeId at) {
    const size_t offset = fn->state.size();
    state("offset", Expr::make_constant(Value::int64(arr::kFirstElementOffset), TypeId::Int64));
    fn->next[offset] =
        array_op(arr::Func::NextElement, at, TypeId::Int64, list(state_ref(array), state_ref(offset)));
    return array_op(arr::Func::ElementAt, at, element_type(at), list(state_ref(array), state_ref(offset)));
  };
  std::vector<ExprPtr> args;
  for (const auto& a : call.args) args.push_back(bind(*a, c));
  if (name == "generate_series") {
    // The series' type: timestamp with time zone (also for dates) or timestamp stepped by an interval;
    // else the widest of integer, bigint and numeric.
    TypeId t = TypeId::Unknown;
    bool ok = args.size() == 2 || args.size() == 3;
    for (size_t i = 0; ok && i < 2; ++i) {
      TypeId at = args[i]->type;
      if (at == TypeId::Unknown) continue;
      if (at == TypeId::TimestampTz || at == TypeId::Date) {
        ok = t == TypeId::Unknown || is_date_or_timestamp(t);
        t = TypeId::TimestampTz;
      } else if (at == TypeId::Timestamp) {
        ok = t == TypeId::Unknown || is_date_or_timestamp(t);
        if (t == TypeId::Unknown) t = TypeId::Timestamp;
      } else if (is_integer(at) || at == TypeId::Numeric) {
        ok = t == TypeId::Unknown || is_numeric(t);
        const TypeId a = at == TypeId::Int16 ? TypeId::Int32 : at;  // no generate_series(smallint): int4
        t = t == TypeId::Unknown ? a : wider(t, a);
      } else {
        ok = false;
      }
    }
    const bool timestamps = t == TypeId::Timestamp || t == TypeId::TimestampTz;
    if (ok && timestamps)
      ok = args.size() == 3 && (args[2]->type == TypeId::Interval || args[2]->type == TypeId::Unknown);
    if (ok && !timestamps && args.size() == 3 && t != TypeId::Unknown) {
      TypeId st = args[2]->type;
      if (is_integer(st) || st == TypeId::Numeric) {
        t = wider(t, st == TypeId::Int16 ? TypeId::Int32 : st);
      } else {
        ok = st == TypeId::Unknown;
      }
    }
    if (!ok || t == TypeId::Unknown)
      fail(SqlState::UndefinedFunction, "function " + signature(name, args) + " does not exist", loc,
           kFuncHint);
    const TypeId step_type = timestamps ? TypeId::Interval : t;
    ExprPtr step = args.size() == 3 ? convert(std::move(args[2]), step_type)
                                    : Expr::make_constant(Value::int32(1), TypeId::Int32);
    step = convert(std::move(step), step_type);
    ExprPtr cur = state("value", convert(std::move(args[0]), t));
    state("stop", convert(std::move(args[1]), t));
    ExprPtr stride = state("step", std::move(step));
    auto zero = [&] {
      return timestamps ? Expr::make_constant(Value::interval(0, 0, 0), TypeId::Interval)
                        : convert(Expr::make_constant(Value::int32(0), TypeId::Int32), t);
    };
    // The arguments' checks as an error code (FunctionScanOp), in PostgreSQL's order: over numeric NaN and
    // infinity for start, stop and step (a series over them would not end), then a zero step.
    auto code_if = [](ExprPtr cond, int code, ExprPtr otherwise) {
      return Expr::make(ExprOp::Case, TypeId::Int32,
                        list(std::move(cond), Expr::make_constant(Value::int32(code), TypeId::Int32),
                             std::move(otherwise)));
    };
    fn->check = code_if(compare(ExprOp::Eq, "=", state_ref(2), zero(), loc), 1,
                        Expr::make_constant(Value::int32(0), TypeId::Int32));
    if (t == TypeId::Numeric) {  // (NULL arguments: no rows and no error, as the function is strict)
      auto numeric = [](const char* text) {
        return Expr::make_constant(Value::numeric(num::parse(text)), TypeId::Numeric);
      };
      for (int arg = 2; arg >= 0; --arg) {  // built inside out: start's checks come first
        ExprPtr infinite =
            Expr::make(ExprOp::Or, TypeId::Bool,
                       list(compare(ExprOp::Eq, "=", state_ref(arg), numeric("Infinity"), loc),
                            compare(ExprOp::Eq, "=", state_ref(arg), numeric("-Infinity"), loc)));
        fn->check = code_if(std::move(infinite), 3 + 2 * arg, std::move(fn->check));
        fn->check = code_if(compare(ExprOp::Eq, "=", state_ref(arg), numeric("NaN"), loc), 2 + 2 * arg,
                            std::move(fn->check));
      }
    }
    ExprPtr any_null = Expr::make(ExprOp::IsNull, TypeId::Bool, list(state_ref(0)));
    for (int arg = 1; arg < 3; ++arg)
      any_null = Expr::make(
          ExprOp::Or, TypeId::Bool,
          list(std::move(any_null), Expr::make(ExprOp::IsNull, TypeId::Bool, list(state_ref(arg)))));
    fn->check = code_if(std::move(any_null), 0, std::move(fn->check));
    // CASE WHEN step > 0 THEN value <= stop ELSE value >= stop END (NULL arguments: no rows)
    std::vector<ExprPtr> when;
    when.push_back(compare(ExprOp::Gt, ">", state_ref(2), zero(), loc));
    when.push_back(compare(ExprOp::Le, "<=", state_ref(0), state_ref(1), loc));
    when.push_back(compare(ExprOp::Ge, ">=", state_ref(0), state_ref(1), loc));
    fn->cond = Expr::make(ExprOp::Case, TypeId::Bool, std::move(when));
    fn->last = compare(ExprOp::Eq, "=", state_ref(0), state_ref(1), loc);
    if (t == TypeId::Int32 || t == TypeId::Int64) {
      // PostgreSQL stops where the next value would leave the type's range (generate_series_step_int4):
      //   last = value = stop OR (step > 0 AND value > max - CASE WHEN step > 0 THEN step ELSE 0 END)
      //                       OR (step < 0 AND value < min - CASE WHEN step < 0 THEN step ELSE 0 END)
      // (the CASEs keep both subtractions in range whichever way the step points).
      const bool int4 = t == TypeId::Int32;
      auto bound = [&](bool max) {
        int64_t v = max ? (int4 ? INT32_MAX : INT64_MAX) : (int4 ? INT32_MIN : INT64_MIN);
        return int4 ? Expr::make_constant(Value::int32(static_cast<int32_t>(v)), t)
                    : Expr::make_constant(Value::int64(v), t);
      };
      auto past = [&](bool up) {
        ExprOp toward = up ? ExprOp::Gt : ExprOp::Lt;
        const char* sym = up ? ">" : "<";
        std::vector<ExprPtr> when;
        when.push_back(compare(toward, sym, state_ref(2), zero(), loc));
        when.push_back(state_ref(2));
        when.push_back(zero());
        ExprPtr room = arith(ExprOp::Sub, "-", bound(up), Expr::make(ExprOp::Case, t, std::move(when)), loc);
        return Expr::make(ExprOp::And, TypeId::Bool,
                          list(compare(toward, sym, state_ref(2), zero(), loc),
                               compare(toward, sym, state_ref(0), std::move(room), loc)));
      };
      fn->last = Expr::make(
          ExprOp::Or, TypeId::Bool,
          list(std::move(fn->last), Expr::make(ExprOp::Or, TypeId::Bool, list(past(true), past(false)))));
    }
    fn->next[0] = arith(ExprOp::Add, "+", std::move(cur), std::move(stride), loc);
    if (fn->next[0]->type != t) fn->next[0] = convert(std::move(fn->next[0]), t);
    fn->values.push_back(state_ref(0));
  } else if (name.rfind("jsonb_", 0) == 0) {
    // jsonb_array_elements(j) & co: unnest over the text[] of the elements (keys, values) json::Func
    // gives, each element read back as jsonb or kept as text.
    using json::Func;
    if (args.size() == 1 && args[0]->type == TypeId::Unknown)
      args[0] = convert(std::move(args[0]), TypeId::Jsonb);
    if (args.size() != 1 || args[0]->type != TypeId::Jsonb)
      fail(SqlState::UndefinedFunction, "function " + signature(name, args) + " does not exist", loc,
           kFuncHint);
    const bool each = name == "jsonb_each" || name == "jsonb_each_text";
    const bool as_text = name == "jsonb_array_elements_text" || name == "jsonb_each_text";
    const Func items = name == "jsonb_array_elements"        ? Func::Elements
                       : name == "jsonb_array_elements_text" ? Func::ElementsText
                                                             : Func::Keys;
    state("index", Expr::make_constant(Value::int64(1), TypeId::Int64));
    state("items", json_op(items, TypeId::TextArray, list(detail::clone(*args[0]))));
    if (each)
      state("values",
            json_op(as_text ? Func::ValuesText : Func::Values, TypeId::TextArray, list(std::move(args[0]))));
    count_through(1);
    auto element = [&](size_t array) { return element_walk(array, TypeId::TextArray); };
    auto value = [&](size_t array) {
      ExprPtr v = element(array);
      return as_text ? std::move(v) : json_op(Func::JsonbIn, TypeId::Jsonb, list(std::move(v)));
    };
    if (each) {
      fn->values.push_back(element(1));
      fn->values.push_back(value(2));
    } else {
      fn->values.push_back(items == Func::Keys ? element(1) : value(1));
    }
  } else if (name == "pg_partition_ancestors") {
    // A partition and the partitioned tables above it, nothing for other relations: OmenDB has no
    // partitions, so no rows.
    if (args.size() != 1 ||
        !(is_oid_type(args[0]->type) || args[0]->type == TypeId::Unknown || is_integer(args[0]->type)))
      fail(SqlState::UndefinedFunction, "function " + signature(name, args) + " does not exist", loc,
           kFuncHint);
    state("relid", convert(std::move(args[0]), TypeId::RegClass));
    fn->cond = Expr::make_constant(Value::boolean(false), TypeId::Bool);
    fn->last = Expr::make_constant(Value::boolean(true), TypeId::Bool);
    fn->values.push_back(state_ref(0));
  } else {
    // regexp_split_to_table's pieces and regexp_matches' matches (each row's text[] as its text, read
    // back): the rows of the array textsql computes, from subscript 1.
    if (name == "regexp_matches" || name == "regexp_split_to_table") {
      const bool rows_of_arrays = name == "regexp_matches";
      ExprPtr array = bind_text_function(name, args, loc);
      const TypeId at = array->type;
      state("index", Expr::make_constant(Value::int64(1), TypeId::Int64));
      state("array", std::move(array));
      count_through(1);
      ExprPtr value = element_walk(1, at);
      if (rows_of_arrays) value = convert(std::move(value), TypeId::TextArray);
      fn->values.push_back(std::move(value));
      return fn;
    }
    // pg_options_to_table(text[]) (OUT option_name, OUT option_value): each element "name=value" split at
    // its first '=' (no '=': the value is NULL), as reloptions, attoptions and FDW options hold them.
    if (name == "pg_options_to_table") {
      if (args.size() == 1 && args[0]->type == TypeId::Unknown)
        args[0] = convert(std::move(args[0]), TypeId::TextArray);
      if (args.size() != 1 || args[0]->type != TypeId::TextArray)
        fail(SqlState::UndefinedFunction, "function " + signature(name, args) + " does not exist", loc,
             kFuncHint);
      state("index", Expr::make_constant(Value::int64(1), TypeId::Int64));
      state("array", std::move(args[0]));
      count_through(1);
      ExprPtr option = element_walk(1, TypeId::TextArray);
      auto text_call = [&](const char* f, std::vector<ExprPtr> a) { return bind_text_function(f, a, loc); };
      auto int32 = [](int32_t v) { return Expr::make_constant(Value::int32(v), TypeId::Int32); };
      auto equals_at = [&] {  // strpos(option, '=')
        return text_call("strpos",
                         list(detail::clone(*option), Expr::make_constant(Value::text("="), TypeId::Text)));
      };
      auto has_equals = [&] { return compare(ExprOp::Gt, ">", equals_at(), int32(0), loc); };
      // CASE WHEN strpos > 0 THEN substr(option, 1, strpos - 1) ELSE option END
      std::vector<ExprPtr> name_args =
          list(has_equals(),
               text_call("substr", list(detail::clone(*option), int32(1),
                                        arith(ExprOp::Sub, "-", equals_at(), int32(1), loc))),
               detail::clone(*option));
      fn->values.push_back(Expr::make(ExprOp::Case, TypeId::Text, std::move(name_args)));
      // CASE WHEN strpos > 0 THEN substr(option, strpos + 1) END
      std::vector<ExprPtr> value_args =
          list(has_equals(),
               text_call("substr",
                         list(detail::clone(*option), arith(ExprOp::Add, "+", equals_at(), int32(1), loc))),
               Expr::make_constant(Value::null(TypeId::Text), TypeId::Text));
      fn->values.push_back(Expr::make(ExprOp::Case, TypeId::Text, std::move(value_args)));
      return fn;
    }
    // unnest(array), generate_subscripts(array, dim) and information_schema._pg_expandarray(array) (OUT
    // x, OUT n): the subscripts from array_lower to array_upper (an int2vector's start at 0), no rows for
    // an empty or NULL array.
    const bool subscripts = name == "generate_subscripts";
    const bool expand = name == "information_schema._pg_expandarray";
    if (args.size() != (subscripts ? 2u : 1u) || !is_array(args[0]->type) ||
        (subscripts && !is_integer(args[1]->type) && args[1]->type != TypeId::Unknown))
      fail(SqlState::UndefinedFunction, "function " + signature(name, args) + " does not exist", loc,
           kFuncHint);
    const TypeId at = args[0]->type;
    auto bound = [&](const char* f, ExprPtr dim) {
      std::vector<ExprPtr> a = list(detail::clone(*args[0]), std::move(dim));
      return convert(bind_array_function(f, a, loc), TypeId::Int64);
    };
    ExprPtr dim = subscripts ? convert(std::move(args[1]), TypeId::Int32)
                             : Expr::make_constant(Value::int32(1), TypeId::Int32);
    state("index", bound("array_lower", detail::clone(*dim)));
    state("upper", bound("array_upper", detail::clone(*dim)));
    state("lower", bound("array_lower", std::move(dim)));
    state("array", std::move(args[0]));
    fn->cond = compare(ExprOp::Le, "<=", state_ref(0), state_ref(1), loc);
    fn->next[0] =
        arith(ExprOp::Add, "+", state_ref(0), Expr::make_constant(Value::int64(1), TypeId::Int64), loc);
    if (subscripts) {
      fn->values.push_back(convert(state_ref(0), TypeId::Int32));
    } else {
      fn->values.push_back(element_walk(3, at));
    }
    if (expand) {  // n: the position from 1
      ExprPtr n = arith(ExprOp::Sub, "-", state_ref(0), state_ref(2), loc);
      n = arith(ExprOp::Add, "+", std::move(n), Expr::make_constant(Value::int64(1), TypeId::Int64), loc);
      fn->values.push_back(convert(std::move(n), TypeId::Int32));
    }
  }
  return fn;
}

// Several set-returning functions in one select list run in lockstep, as PostgreSQL's ProjectSet: as
// many rows as the longest, the columns of those already done NULL. One loop over both states, with a
// `done` flag per side (initially false):
//   active = NOT done AND (cond IS TRUE);  cond = active_a OR active_b
//   values = CASE WHEN active THEN value END
//   next:  state = CASE WHEN active AND NOT (last IS TRUE) THEN next ELSE state END
//          done = NOT active OR (last IS TRUE)
//   check = check_a OR check_b
std::unique_ptr<plan::FunctionScanOp> Binder::zip_set_functions(std::unique_ptr<plan::FunctionScanOp> a,
                                                                std::unique_ptr<plan::FunctionScanOp> b) {
  auto zipped = std::make_unique<plan::FunctionScanOp>();
  zipped->function = a->function + ", " + b->function;
  auto boolean = [](bool v) { return Expr::make_constant(Value::boolean(v), TypeId::Bool); };
  auto is_true = [&](const ExprPtr& e) {
    return Expr::make(ExprOp::Case, TypeId::Bool, list(detail::clone(*e), boolean(true), boolean(false)));
  };
  auto column = [](const OutputColumn& c) { return Expr::make_column(c.id, c.type); };
  std::vector<ExprPtr> actives;
  for (plan::FunctionScanOp* f : {a.get(), b.get()}) {
    const OutputColumn done{new_id(), "done", TypeId::Bool};
    auto active = [&] {
      return Expr::make(ExprOp::And, TypeId::Bool,
                        list(Expr::make(ExprOp::Not, TypeId::Bool, list(column(done))), is_true(f->cond)));
    };
    auto last = [&] { return f->last ? is_true(f->last) : boolean(false); };
    for (size_t i = 0; i < f->state.size(); ++i) {
      zipped->state.push_back(f->state[i]);
      zipped->init.push_back(std::move(f->init[i]));
      if (!f->next[i]) {
        zipped->next.emplace_back();
        continue;
      }
      ExprPtr step = Expr::make(ExprOp::And, TypeId::Bool,
                                list(active(), Expr::make(ExprOp::Not, TypeId::Bool, list(last()))));
      const TypeId t = f->state[i].type;
      zipped->next.push_back(
          Expr::make(ExprOp::Case, t, list(std::move(step), std::move(f->next[i]), column(f->state[i]))));
    }
    zipped->state.push_back(done);
    zipped->init.push_back(boolean(false));
    zipped->next.push_back(Expr::make(ExprOp::Or, TypeId::Bool,
                                      list(Expr::make(ExprOp::Not, TypeId::Bool, list(active())), last())));
    for (ExprPtr& v : f->values) {
      const TypeId t = v->type;
      zipped->values.push_back(
          Expr::make(ExprOp::Case, t, list(active(), std::move(v), Expr::make_constant(Value::null(t), t))));
    }
    if (f->check)  // (error codes: any one that is not 0)
      zipped->check = zipped->check ? Expr::make(ExprOp::Greatest, TypeId::Int32,
                                                 list(std::move(zipped->check), std::move(f->check)))
                                    : std::move(f->check);
    actives.push_back(active());
    zipped->output.insert(zipped->output.end(), f->output.begin(), f->output.end());
  }
  zipped->cond = Expr::make(ExprOp::Or, TypeId::Bool, std::move(actives));
  return zipped;
}

int Binder::open_function(const ast::FromItem& item) {
  const ast::Expr& call = *item.function;
  const std::string& name = call.func_name;
  const int loc = call.location;
  // The arguments see the FROM items before the function (a subquery among them binds its own FROM
  // clause into lateral_: they are moved out first, and back at the end).
  Scope before = std::move(lateral_);
  lateral_ = Scope();
  struct Restore {
    Scope& from;
    Scope& to;
    ~Restore() { to = std::move(from); }
  } restore{before, lateral_};
  ExprCtx c;
  c.scope = &before;
  c.clause = "functions in FROM";
  std::unique_ptr<plan::FunctionScanOp> fn = bind_set_function(call, c);
  if (!fn) {
    // Any other function: its one value as one row (42883 when it does not exist, 42803 for an aggregate).
    fn = std::make_unique<plan::FunctionScanOp>();
    fn->function = name;
    ExprPtr value = bind(call, c);
    if (value->type == TypeId::Unknown) value = convert(std::move(value), TypeId::Text);
    const OutputColumn first{new_id(), "first", TypeId::Bool};
    fn->state.push_back(first);
    fn->init.push_back(Expr::make_constant(Value::boolean(true), TypeId::Bool));
    fn->next.emplace_back();
    fn->cond = Expr::make_column(first.id, first.type);
    fn->last = Expr::make_constant(Value::boolean(true), TypeId::Bool);
    fn->values.push_back(std::move(value));
  }
  Relation r;
  r.function = true;
  r.has_alias = !item.table.alias.empty();
  r.refname = r.has_alias                                    ? item.table.alias
              : name == "information_schema._pg_expandarray" ? "_pg_expandarray"
                                                             : name;
  const TypeId vt = fn->values[0]->type;
  const std::vector<std::string> fields = record_fields(name);
  if (!fields.empty()) {
    for (size_t i = 0; i < fields.size(); ++i) r.columns.push_back({fields[i], fn->values[i]->type, -1});
  } else if (name == "jsonb_array_elements" || name == "jsonb_array_elements_text") {  // OUT value
    r.columns.push_back({"value", vt, -1});
  } else {
    r.columns.push_back({r.has_alias ? item.table.alias : name, vt, -1});
  }
  if (item.ordinality) {
    const OutputColumn ord{new_id(), "ordinality", TypeId::Int64};
    fn->state.push_back(ord);
    fn->init.push_back(Expr::make_constant(Value::int64(1), TypeId::Int64));
    fn->next.push_back(arith(ExprOp::Add, "+", Expr::make_column(ord.id, ord.type),
                             Expr::make_constant(Value::int64(1), TypeId::Int64), loc));
    fn->values.push_back(Expr::make_column(ord.id, ord.type));
    r.columns.push_back({"ordinality", TypeId::Int64, -1});
  }
  for (const auto& x : fn->init) rels_of(*x, r.lateral);
  // An enclosing query's table (a subquery being decorrelated names it) is no FROM item of this one: the
  // subquery then runs per row (its arguments read the row's values).
  r.lateral.erase(std::remove_if(r.lateral.begin(), r.lateral.end(),
                                 [&](int rel) { return rels_[static_cast<size_t>(rel)].level != level_; }),
                  r.lateral.end());
  for (size_t i = 0; i < r.columns.size(); ++i) r.ids.push_back(new_id());
  r.derived = std::move(fn);
  const int rel = add_relation(std::move(r), item.column_aliases, item.location);
  const Relation& added = rels_[static_cast<size_t>(rel)];
  plan::FunctionScanOp& scan = function_scan(rel);
  for (size_t i = 0; i < added.columns.size(); ++i)
    scan.output.push_back({added.ids[i], added.columns[i].name, added.columns[i].type});
  return rel;
}

ExprPtr Binder::bind_select_list_srf(const ast::Expr& call, ExprCtx& c, const std::string* field,
                                     std::vector<OutputColumn>* record) {
  if (!call.names.empty()) return bind_function(call, c);  // named arguments no function takes: 42883
  ExprCtx args = c;
  args.allow_srf = false;
  // The OUT columns of the functions returning records: a field is selected with (f(...)).name; the
  // record as a whole is a derived table's column (record).
  const std::vector<std::string> fields = record_fields(call.func_name);
  if (!fields.empty() && !field && !record)
    throw_unsupported(call.func_name + "() in a select list (record values)", pos_of(call.location));
  std::unique_ptr<plan::FunctionScanOp> fn = bind_set_function(call, args);
  size_t pick = 0;
  if (field) {
    auto it = std::find(fields.begin(), fields.end(), *field);
    if (it == fields.end())
      fail(SqlState::UndefinedColumn,
           fields.empty() ? "column notation ." + *field + " applied to type " + tn(fn->values[0]->type) +
                                ", which is not a composite type"
                          : "column \"" + *field + "\" not found in data type record",
           call.location);
    pick = static_cast<size_t>(it - fields.begin());
  }
  for (size_t i = 0; i < fn->values.size(); ++i)
    fn->output.push_back({new_id(), fields.empty() ? call.func_name : fields[i], fn->values[i]->type});
  const OutputColumn out = fn->output[pick];
  if (record && !field) *record = fn->output;
  if (srf_) {
    srf_ = zip_set_functions(
        std::unique_ptr<plan::FunctionScanOp>(&srf_.release()->as<plan::FunctionScanOp>()), std::move(fn));
  } else {
    srf_ = std::move(fn);
  }
  return Expr::make_column(out.id, out.type);
}

OpPtr Binder::apply_function(int rel, OpPtr input) {
  Relation& r = rels_[static_cast<size_t>(rel)];
  if (!r.derived) throw SqlError(SqlState::InternalError, "planner: a function in FROM planned twice");
  OpPtr fn = std::move(r.derived);
  if (!input) {
    auto one = std::make_unique<plan::ValuesOp>();
    one->rows.emplace_back();
    input = std::move(one);
  }
  std::vector<OutputColumn> columns = std::move(fn->output);
  fn->output = input->output;
  fn->output.insert(fn->output.end(), columns.begin(), columns.end());
  fn->children.push_back(std::move(input));
  return fn;
}

// LATERAL (SELECT list FROM ... WHERE <inner conjuncts> AND <conjuncts naming the FROM items before it>)
// joined with those items (`input`, the probe side), as a correlated subquery is decorrelated: the build
// side is Project (list, keys, the inner columns the other conjuncts read) over its FROM and inner
// conjuncts; the equalities between an inner and an outer expression are the join's keys, the other
// conjuncts (and `conds`) its residual. Its select list is computed on the build side, so that a LEFT
// JOIN's unmatched rows read NULL.
OpPtr Binder::lateral_join(int rel, OpPtr input, std::vector<ExprPtr> conds, bool outer) {
  Relation& r = rels_[static_cast<size_t>(rel)];
  if (r.function) {
    OpPtr fn = apply_function(rel, std::move(input));
    auto& scan = fn->as<plan::FunctionScanOp>();
    scan.outer = outer;
    scan.residual = conds.empty() ? nullptr : and_all(std::move(conds));
    return fn;
  }
  if (!r.derived) throw SqlError(SqlState::InternalError, "planner: a LATERAL subquery planned twice");
  OpPtr root = std::move(r.derived);
  auto& project = root->as<plan::ProjectOp>();
  if (computed_columns(project) && r.lateral_conds.empty() && conds.empty()) {
    // LATERAL (SELECT <expressions of the items before it>): those columns computed on each row.
    auto computed = std::make_unique<plan::ProjectOp>();
    for (const OutputColumn& c : input->output) computed->exprs.push_back(Expr::make_column(c.id, c.type));
    computed->output = input->output;
    for (size_t i = 0; i < project.exprs.size(); ++i) {
      computed->exprs.push_back(std::move(project.exprs[i]));
      computed->output.push_back(project.output[i]);
    }
    computed->children.push_back(std::move(input));
    return computed;
  }
  if (tree_reads_any(*root, r.lateral_refs))
    throw_unsupported("LATERAL subqueries naming the FROM items before them outside WHERE");
  std::vector<ExprPtr> inner_keys, outer_keys, residual;
  for (auto& cond : r.lateral_conds)
    if (!take_key_pair(cond, r.lateral_refs, inner_keys, outer_keys)) residual.push_back(std::move(cond));
  r.lateral_conds.clear();
  auto build = std::make_unique<plan::ProjectOp>();
  build->output = project.output;
  build->exprs = std::move(project.exprs);
  std::vector<ExprPtr> build_keys;
  for (auto& k : inner_keys) {
    build->output.push_back({new_id(), "key", k->type});
    build->exprs.push_back(std::move(k));
    build_keys.push_back(Expr::make_column(build->output.back().id, build->output.back().type));
  }
  const std::vector<OutputColumn> inner = project.children[0]->output;
  for (auto& x : residual) pass_inner_columns(*build, inner, x);
  build->children.push_back(std::move(project.children[0]));
  for (auto& c : conds) residual.push_back(std::move(c));
  std::unique_ptr<plan::JoinOp> join = keyed_join(std::move(build_keys), std::move(outer_keys));
  join->probe_outer = outer;
  join->residual = and_all(std::move(residual));
  join->output = input->output;
  join->output.insert(join->output.end(), build->output.begin(), build->output.end());
  join->children.push_back(std::move(build));
  join->children.push_back(std::move(input));
  return join;
}

int Binder::open_cte(size_t index, const ast::TableRef& ref, const std::vector<std::string>& aliases) {
  const CteDef def = ctes_[index];
  if (def.cte->dml && def.materialized < 0)
    fail(SqlState::FeatureNotSupported,
         "WITH query \"" + def.cte->name + "\" does not have a RETURNING clause", ref.location);
  if (def.recursive)
    for (size_t r = recursive_.size(); r-- > 0;)
      if (recursive_[r].cte == def.cte) return open_recursive_reference(r, ref, aliases);
  if (def.materialized >= 0) {
    auto scan = std::make_unique<plan::CteScanOp>();
    scan->name = def.cte->name;
    scan->alias = ref.alias;
    scan->index = def.materialized;
    std::vector<OutputColumn> columns = def.columns;
    for (size_t i = 0; i < columns.size() && i < def.cte->columns.size(); ++i)
      columns[i].name = def.cte->columns[i];
    return open_buffer_relation(std::move(scan), columns, def.typmods, ref, aliases);
  }
  // The CTE's query sees the CTEs defined before it, not the ones in scope where it is referenced.
  std::vector<CteDef> hidden(ctes_.begin() + static_cast<std::ptrdiff_t>(def.visible), ctes_.end());
  ctes_.resize(def.visible);
  // Nor the queries enclosing a subquery that references it, when they are inside its WITH's query.
  const size_t seen = std::min(def.outer_scopes, outer_scopes_.size());
  std::vector<Scope*> hidden_scopes(outer_scopes_.begin() + static_cast<std::ptrdiff_t>(seen),
                                    outer_scopes_.end());
  outer_scopes_.resize(seen);
  count_cte_binding();
  BoundQuery q = bind_cte_query(def);
  ctes_.insert(ctes_.end(), hidden.begin(), hidden.end());
  outer_scopes_.insert(outer_scopes_.end(), hidden_scopes.begin(), hidden_scopes.end());
  Relation r;
  r.has_alias = !ref.alias.empty();
  r.refname = r.has_alias ? ref.alias : ref.name;
  for (size_t i = 0; i < q.root->output.size(); ++i) {
    const OutputColumn& c = q.root->output[i];
    std::string name = i < def.cte->columns.size() ? def.cte->columns[i] : c.name;
    r.columns.push_back({std::move(name), c.type, i < q.column_typmods.size() ? q.column_typmods[i] : -1});
    r.ids.push_back(c.id);
  }
  r.derived = std::move(q.root);
  return add_relation(std::move(r), aliases, ref.location);
}

// ---------------------------------------------------------------------------------------------------
// WITH RECURSIVE
//
// A CTE of a WITH RECURSIVE whose query is `non-recursive term UNION [ALL] recursive term` and whose
// recursive term names it is a RecursiveUnionOp (PostgreSQL's RecursiveUnion): the non-recursive term is
// bound first and fixes the columns' types (its unknown literals become text); the reference in the
// recursive term is a WorkTableScanOp of those columns, reading the rows of the previous iteration. A CTE
// that does not name itself is an ordinary query, as in PostgreSQL. Like every CTE it is inlined: each
// reference binds it again (a recursive CTE referenced twice runs twice). PostgreSQL's restrictions are
// its errors: the reference may appear once, only in the recursive term, not in a subquery used as an
// expression, an outer join's nullable side, INTERSECT ALL or EXCEPT (but EXCEPT's left input), nor beside
// aggregates (42P19); the
// recursive term's column types must resolve with the non-recursive term's to the latter's (42804);
// ORDER BY, LIMIT, OFFSET and FOR UPDATE over the union, and mutual recursion, are 0A000.

BoundQuery Binder::bind_cte_query(CteDef def) {
  if (!def.recursive) return bind_query(*def.cte->query);
  RecursiveCte r;
  r.cte = def.cte;
  recursive_.push_back(std::move(r));
  BoundQuery q = bind_query(*def.cte->query, false, static_cast<int>(recursive_.size()) - 1);
  recursive_.pop_back();
  return q;
}

BoundQuery Binder::bind_recursive(const ast::SelectStmt& s, size_t r) {
  if (s.set_op != ast::SetOp::Union) {  // a reference to itself is 42P19 (open_recursive_reference)
    if (s.set_op != ast::SetOp::None) return bind_set_operation(s);
    if (!s.values.empty()) return bind_values(s);
    return bind_select(s, false);
  }
  const ast::CommonTableExpr& cte = *recursive_[r].cte;
  const size_t subplans = subplans_.size();
  recursive_[r].term = RecursiveCte::Term::NonRecursive;
  BoundQuery l = bind_set_tree(*s.larg);
  const size_t width = l.root->output.size();
  if (cte.columns.size() > width)
    fail(SqlState::InvalidColumnReference,
         "WITH query \"" + cte.name + "\" has " + std::to_string(width) + " columns available but " +
             std::to_string(cte.columns.size()) + " columns specified",
         cte.location);
  for (size_t c = 0; c < width; ++c) {
    OutputColumn& col = l.root->output[c];
    if (col.type == TypeId::Unknown && !resolve_unknown(*l.root, col.id, TypeId::Text))
      throw SqlError(SqlState::InternalError, "planner: an unknown-typed recursive query column");
  }
  l.column_typmods.resize(width, -1);
  RecursiveCte& rec = recursive_[r];
  rec.term = RecursiveCte::Term::Recursive;
  rec.index = next_recursive_++;
  rec.columns = l.root->output;
  for (size_t c = 0; c < width && c < cte.columns.size(); ++c) rec.columns[c].name = cte.columns[c];
  rec.typmods = l.column_typmods;
  rec.frames = frames_.size();
  rec.nullable_sides = nullable_sides_;
  rec.set_op = within_set_op_;
  BoundQuery rq = bind_set_tree(*s.rarg);
  if (recursive_[r].references == 0) {
    // It does not name itself: an ordinary set operation.
    recursive_[r].term = RecursiveCte::Term::Whole;
    drop_subplans(subplans);
    return bind_set_operation(s);
  }
  if (!s.order_by.empty())
    fail(SqlState::FeatureNotSupported, "ORDER BY in a recursive query is not implemented",
         s.order_by[0].expr->location);
  if (s.offset)
    fail(SqlState::FeatureNotSupported, "OFFSET in a recursive query is not implemented", s.offset->location);
  if (s.limit)
    fail(SqlState::FeatureNotSupported, "LIMIT in a recursive query is not implemented", s.limit->location);
  if (!s.locking.empty())
    fail(SqlState::FeatureNotSupported, "FOR UPDATE/SHARE in a recursive query is not implemented");
  if (rq.root->output.size() != width)
    fail(SqlState::SyntaxError, "each UNION query must have the same number of columns");
  // The recursive term's columns take the non-recursive term's types, which must be what both resolve to.
  auto project = std::make_unique<plan::ProjectOp>();
  bool cast = false;
  for (size_t c = 0; c < width; ++c) {
    const TypeId want = l.root->output[c].type;
    OutputColumn& in = rq.root->output[c];
    const TypeId overall = common_type(want, in.type, "UNION", -1);
    const int32_t typmod = c < rq.column_typmods.size() ? rq.column_typmods[c] : -1;
    if (overall != want || (l.column_typmods[c] != -1 && l.column_typmods[c] != typmod))
      fail(SqlState::DatatypeMismatch,
           "recursive query \"" + cte.name + "\" column " + std::to_string(c + 1) + " has type " + tn(want) +
               " in non-recursive term but type " + tn(overall) + " overall",
           cte.location, "Cast the output of the non-recursive term to the correct type.");
    if (in.type == TypeId::Unknown && !resolve_unknown(*rq.root, in.id, want))
      throw SqlError(SqlState::InternalError, "planner: an unknown-typed recursive query column");
    cast = cast || in.type != want;
    project->exprs.push_back(convert(Expr::make_column(in.id, in.type), want));
    project->output.push_back({new_id(), in.name, want});
  }
  if (cast) {
    project->children.push_back(std::move(rq.root));
    rq.root = std::move(project);
  }
  auto u = std::make_unique<plan::RecursiveUnionOp>();
  u->name = cte.name;
  u->index = recursive_[r].index;
  u->distinct = !s.set_all;
  for (const OutputColumn& c : l.root->output) u->output.push_back({new_id(), c.name, c.type});
  u->children.push_back(std::move(l.root));
  u->children.push_back(std::move(rq.root));
  BoundQuery out;
  out.column_typmods = l.column_typmods;
  out.name_columns.assign(width, false);
  out.root = std::move(u);
  return out;
}

int Binder::open_recursive_reference(size_t r, const ast::TableRef& ref,
                                     const std::vector<std::string>& aliases) {
  RecursiveCte& rec = recursive_[r];
  const std::string name = "\"" + rec.cte->name + "\"";
  if (r + 1 != recursive_.size())
    fail(SqlState::FeatureNotSupported, "mutual recursion between WITH items is not implemented",
         recursive_.back().cte->location);
  if (rec.term == RecursiveCte::Term::Whole)
    fail(SqlState::InvalidRecursion,
         "recursive query " + name + " does not have the form non-recursive-term UNION [ALL] recursive-term",
         rec.cte->location);
  if (rec.term == RecursiveCte::Term::NonRecursive)
    fail(SqlState::InvalidRecursion,
         "recursive reference to query " + name + " must not appear within its non-recursive term",
         ref.location);
  std::string within;
  if (frames_.size() > rec.frames)
    within = "a subquery";
  else if (nullable_sides_ > rec.nullable_sides)
    within = "an outer join";
  else if (within_set_op_ && within_set_op_ != rec.set_op)
    within = within_set_op_;
  if (!within.empty())
    fail(SqlState::InvalidRecursion,
         "recursive reference to query " + name + " must not appear within " + within, ref.location);
  if (rec.references > 0)
    fail(SqlState::InvalidRecursion,
         "recursive reference to query " + name + " must not appear more than once", ref.location);
  ++rec.references;
  rec.reference_level = level_;
  auto scan = std::make_unique<plan::WorkTableScanOp>();
  scan->name = rec.cte->name;
  scan->index = rec.index;
  return open_buffer_relation(std::move(scan), rec.columns, rec.typmods, ref, aliases);
}

int Binder::open_buffer_relation(OpPtr scan, const std::vector<OutputColumn>& columns,
                                 const std::vector<int32_t>& typmods, const ast::TableRef& ref,
                                 const std::vector<std::string>& aliases) {
  Relation rel;
  rel.has_alias = !ref.alias.empty();
  rel.refname = rel.has_alias ? ref.alias : ref.name;
  for (size_t c = 0; c < columns.size(); ++c) {
    const OutputColumn& col = columns[c];
    scan->output.push_back({new_id(), col.name, col.type});
    rel.columns.push_back({col.name, col.type, c < typmods.size() ? typmods[c] : -1});
    rel.ids.push_back(scan->output.back().id);
  }
  rel.derived = std::move(scan);
  return add_relation(std::move(rel), aliases, ref.location);
}

// ---------------------------------------------------------------------------------------------------
// Views
//
// A view is not materialised: wherever it is named, its stored query (SQL text) is parsed and bound again,
// like a CTE's, into a derived table of the statement (one plan, one parameter list; the catalog version
// in the plan cache key makes a replaced view's plans stale). Its query sees no CTE or outer query of the
// statement, and of each relation it names only the columns that existed when the view was created, so
// that a later ADD COLUMN changes neither its `*` nor what its names mean (PostgreSQL stores the bound
// query). The statement locks the view and the tables its query names (PlannedStatement::tables).

int32_t Binder::visible_attnums(uint32_t relation) const {
  if (!view_def_) return INT32_MAX;
  for (const storage::ViewDependency& d : view_def_->depends)
    if (d.relation == relation) return d.max_attnum;
  return INT32_MAX;
}

const ast::SelectStmt& Binder::view_query(const storage::TableDef& view) {
  if (std::find(view_stack_.begin(), view_stack_.end(), view.id) != view_stack_.end())
    fail(SqlState::InvalidObjectDefinition,
         "infinite recursion detected in rules for relation \"" + view.name + "\"");
  if (view_stack_.size() >= kMaxViewDepth)
    fail(SqlState::ProgramLimitExceeded,
         "views nest too deeply (at most " + std::to_string(kMaxViewDepth) + ")");
  std::vector<ast::StmtPtr> parsed = parser::parse(view.view->query);
  if (parsed.size() != 1 || parsed[0]->kind != ast::StmtKind::Select)
    throw SqlError(SqlState::DataCorrupted, "the stored query of view \"" + view.name + "\" is not a SELECT");
  const auto& query = static_cast<const ast::SelectStmt&>(*parsed[0]);
  view_queries_.push_back(std::move(parsed[0]));
  return query;
}

int Binder::open_view(storage::TableDefPtr view, const ast::TableRef& ref,
                      const std::vector<std::string>& aliases) {
  const ast::SelectStmt& query = view_query(*view);
  const int32_t visible = visible_attnums(view->id);  // as the enclosing view sees this one
  BoundQuery q;
  {
    InsideView inside(*this, *view);
    try {
      q = bind_query(query);
    } catch (SqlError& err) {
      std::move(err).at(0);  // a position in the view's text, not the statement's
      throw;
    }
  }
  if (q.root->output.size() != view->columns.size())
    throw SqlError(SqlState::DataCorrupted, "view \"" + view->name + "\" no longer matches its definition");
  Relation r;
  r.view = view;
  r.has_alias = !ref.alias.empty();
  r.refname = r.has_alias ? ref.alias : ref.name;
  for (size_t i = 0; i < q.root->output.size(); ++i) {
    const OutputColumn& c = q.root->output[i];
    const storage::ColumnDef& col = view->columns[i];
    r.columns.push_back({col.name, c.type, i < q.column_typmods.size() ? q.column_typmods[i] : -1,
                         static_cast<int32_t>(i) + 1 > visible});
    r.ids.push_back(c.id);
  }
  r.derived = std::move(q.root);
  const int rel = add_relation(std::move(r), aliases, ref.location);
  if (view_stack_.empty()) direct_rels_.push_back(rel);
  return rel;
}

// ---------------------------------------------------------------------------------------------------
// Updatable views
//
// INSERT, UPDATE and DELETE on a view PostgreSQL 15 updates automatically (a SELECT of one table or
// updatable view, without WITH, DISTINCT, GROUP BY, HAVING, LIMIT / OFFSET, set operations, aggregates,
// window functions or set-returning functions in the select list) are the base table's, as its rewriter
// makes them: the statement names the view's columns (a relation whose column ids open_view_target maps
// to their values over the base table), UPDATE and DELETE see only the rows the views' WHERE conditions
// show, and INSERT and UPDATE may set the view columns that are columns of the base table. Everything
// else (constraints, defaults of the columns the view leaves out, locks, MVCC) is the base table's write.

namespace {

// Whether the select list's expression `e` calls (outside subqueries) an aggregate, a window function or
// a set-returning function: kind 'a', 'w' or 's'.
bool calls(const ast::Expr& e, char kind) {
  if (e.kind == ast::ExprKind::Subquery) return false;
  if (e.kind == ast::ExprKind::FuncCall) {
    if (kind == 'w' && e.over) return true;
    if (kind == 'a' && !e.over && is_aggregate_name(e.func_name)) return true;
    if (kind == 's' && !e.over && is_set_function_name(e.func_name)) return true;
  }
  for (const auto& a : e.args)
    if (a && calls(*a, kind)) return true;
  for (const ast::CaseWhen& w : e.when_clauses)
    if ((w.condition && calls(*w.condition, kind)) || (w.result && calls(*w.result, kind))) return true;
  if (e.else_expr && calls(*e.else_expr, kind)) return true;
  if (e.agg_filter && calls(*e.agg_filter, kind)) return true;
  return false;
}

// PostgreSQL's reason (view_query_is_auto_updatable) a view's query is not automatically updatable, in
// its order; empty when it is.
std::string not_updatable_reason(const ast::SelectStmt& q) {
  if (q.distinct || !q.distinct_on.empty())
    return "Views containing DISTINCT are not automatically updatable.";
  if (!q.group_by.empty() || q.has_grouping_sets)
    return "Views containing GROUP BY are not automatically updatable.";
  if (q.having) return "Views containing HAVING are not automatically updatable.";
  if (q.set_op != ast::SetOp::None)
    return "Views containing UNION, INTERSECT, or EXCEPT are not automatically updatable.";
  if (!q.with.empty()) return "Views containing WITH are not automatically updatable.";
  if (q.limit || q.offset) return "Views containing LIMIT or OFFSET are not automatically updatable.";
  const char* const reasons[] = {
      "Views that return aggregate functions are not automatically updatable.",
      "Views that return window functions are not automatically updatable.",
      "Views that return set-returning functions are not automatically updatable."};
  const char kinds[] = {'a', 'w', 's'};
  for (size_t k = 0; k < 3; ++k)
    for (const ast::SelectTarget& t : q.targets)
      if (t.expr && calls(*t.expr, kinds[k])) return reasons[k];
  if (q.from.size() != 1 || q.from[0]->is_join || q.from[0]->subquery || q.from[0]->function)
    return "Views that do not select from a single table or view are not automatically updatable.";
  return "";
}

[[noreturn]] void view_not_updatable(const std::string& view, char command, const std::string& detail) {
  const char* what = command == 'i' ? "insert into" : command == 'u' ? "update" : "delete from";
  const char* enable = command == 'i' ? "inserting into" : command == 'u' ? "updating" : "deleting from";
  const char* verb = command == 'i' ? "INSERT" : command == 'u' ? "UPDATE" : "DELETE";
  throw SqlError(SqlState::ObjectNotInPrerequisiteState,
                 std::string("cannot ") + what + " view \"" + view + "\"")
      .with_detail(detail)
      .with_hint(std::string("To enable ") + enable + " the view, provide an INSTEAD OF " + verb +
                 " trigger or an unconditional ON " + verb + " DO INSTEAD rule.");
}

// INSERT or UPDATE naming view column `column` of `v`: 0A000 when it is not a column of its base table.
void check_view_column(const ViewTarget& v, size_t column, char command) {
  if (v.base_column[column] >= 0) return;
  throw SqlError(SqlState::FeatureNotSupported,
                 std::string(command == 'i' ? "cannot insert into" : "cannot update") + " column \"" +
                     v.owner_column[column] + "\" of view \"" + v.owner[column] + "\"")
      .with_detail("View columns that are not columns of their base relation are not updatable.");
}

}  // namespace

ViewTarget Binder::open_view_target(const storage::TableDefPtr& view, const ast::TableRef& ref,
                                    const std::vector<std::string>& aliases, char command, bool cascaded) {
  const ast::SelectStmt& query = view_query(*view);
  if (!query.unsupported_feature.empty()) throw_unsupported(query.unsupported_feature);
  std::string reason = not_updatable_reason(query);
  if (!reason.empty()) view_not_updatable(view->name, command, reason);
  // WITH CHECK OPTION (PostgreSQL's rewriteTargetView): LOCAL checks this view's condition, CASCADED also
  // those of the views below it.
  const std::string check_option = catalog::view_check_option(*view);
  cascaded = cascaded || check_option == "CASCADED";
  const bool checked = command != 'd' && (cascaded || check_option == "LOCAL");
  const int32_t visible = visible_attnums(view->id);  // as the enclosing view sees this one

  // The view's query, at a query level of its own: of its relation, only the columns that existed when
  // it was created.
  InsideView inside(*this, *view);
  const int outer_level = level_;
  level_ = ++next_level_;
  ViewTarget in;
  std::vector<ExprPtr> columns;
  ExprPtr where;
  try {
    const ast::FromItem& item = *query.from[0];
    storage::TableDefPtr inner = lookup(item.table);
    if (inner->is_view()) {
      in = open_view_target(inner, item.table, item.column_aliases, command, cascaded);
    } else {
      check_writable(*inner, item.table.location);
      in.rel = in.base = open_relation(item.table, item.column_aliases);
      const Relation& r = rels_[static_cast<size_t>(in.rel)];
      for (size_t i = 0; i < r.columns.size(); ++i) {
        in.exprs.push_back(Expr::make_column(r.ids[i], r.columns[i].type));
        in.base_column.push_back(static_cast<int>(i));
        in.owner.emplace_back();
        in.owner_column.emplace_back();
      }
    }
    Scope scope;
    scope.rels.push_back(in.rel);
    scope.entries.push_back(table_entry(in.rel));
    ExprCtx c;
    c.scope = &scope;
    c.clause = "SELECT";
    for (const ast::SelectTarget& t : query.targets) {
      if (t.expr->kind == ast::ExprKind::Star) {
        for (const ItemColumn& col : scope.entries[0].columns) columns.push_back(detail::clone(*col.expr));
      } else {
        columns.push_back(bind(*t.expr, c));
      }
    }
    if (query.where) {
      c.clause = "WHERE";
      where = to_bool(bind(*query.where, c), "argument of WHERE", query.where->location);
    }
  } catch (SqlError& err) {
    std::move(err).at(0);  // a position in the view's text, not the statement's
    level_ = outer_level;
    throw;
  }
  level_ = outer_level;
  inside.leave();
  if (columns.size() != view->columns.size())
    throw SqlError(SqlState::DataCorrupted, "view \"" + view->name + "\" no longer matches its definition");

  // Each column: a column of the relation below (updatable there if it is) or an expression.
  ViewTarget out;
  out.base = in.base;
  const std::vector<ColumnId>& inner_ids = rels_[static_cast<size_t>(in.rel)].ids;
  bool any = false;
  Relation r;
  r.view = view;
  r.has_alias = !ref.alias.empty();
  r.refname = r.has_alias ? ref.alias : ref.name;
  for (size_t i = 0; i < columns.size(); ++i) {
    ExprPtr& x = columns[i];
    auto it =
        x->op == ExprOp::Column ? std::find(inner_ids.begin(), inner_ids.end(), x->column) : inner_ids.end();
    if (it != inner_ids.end()) {
      const size_t j = static_cast<size_t>(it - inner_ids.begin());
      out.base_column.push_back(in.base_column[j]);
      out.owner.push_back(in.owner[j]);
      out.owner_column.push_back(in.owner_column[j]);
      any = true;
    } else {
      out.base_column.push_back(-1);
      out.owner.push_back(view->name);
      out.owner_column.push_back(view->columns[i].name);
    }
    if (in.rel != in.base) substitute_view(x, in);
    const int32_t typmod = out.base_column.back() >= 0
                               ? rels_[static_cast<size_t>(out.base)]
                                     .columns[static_cast<size_t>(out.base_column.back())]
                                     .max_length
                               : -1;
    r.columns.push_back({view->columns[i].name, x->type, typmod, static_cast<int32_t>(i) + 1 > visible});
    r.ids.push_back(new_id());
    out.exprs.push_back(std::move(x));
  }
  // INSERT and UPDATE need a column to write (PostgreSQL checks each view on the way down).
  if (!any && command != 'd')
    view_not_updatable(view->name, command,
                       "Views that have no updatable columns are not automatically updatable.");
  if (where && in.rel != in.base) substitute_view(where, in);
  out.checks = std::move(in.checks);
  if (checked && where) {
    std::function<bool(const Expr&)> has_subquery = [&](const Expr& x) {
      if (x.subquery >= 0) return true;
      return std::any_of(x.args.begin(), x.args.end(),
                         [&](const ExprPtr& a) { return a && has_subquery(*a); });
    };
    if (has_subquery(*where))
      throw_unsupported("WITH CHECK OPTION on a view whose WHERE clause has a subquery");
    out.checks.emplace_back(view->name, detail::clone(*where));
  }
  std::vector<ExprPtr> conds;
  if (in.where) conds.push_back(std::move(in.where));
  if (where) conds.push_back(std::move(where));
  out.where = and_all(std::move(conds));
  out.rel = add_relation(std::move(r), aliases, ref.location);
  return out;
}

catalog::ViewUpdatability Binder::updatability(const storage::TableDefPtr& view) {
  catalog::ViewUpdatability out;
  out.columns.assign(view->columns.size(), false);
  if (!view->is_view()) return out;  // (a system catalog's view)
  ast::TableRef ref;
  ref.name = view->name;
  try {
    const ViewTarget t = open_view_target(view, ref, {}, 'u');  // UPDATE needs what INSERT and DELETE do
    out.updatable = true;
    for (size_t i = 0; i < out.columns.size(); ++i) out.columns[i] = t.base_column[i] >= 0;
  } catch (const SqlError&) {  // not updatable (or no longer valid)
  }
  return out;
}

void Binder::substitute_view(ExprPtr& x, const ViewTarget& v) {
  if (!x) return;
  if (x->op == ExprOp::Column) {
    const std::vector<ColumnId>& ids = rels_[static_cast<size_t>(v.rel)].ids;
    auto it = std::find(ids.begin(), ids.end(), x->column);
    if (it != ids.end()) {
      x = detail::clone(*v.exprs[static_cast<size_t>(it - ids.begin())]);
      mark_used(*x);
    }
    return;
  }
  for (auto& a : x->args) substitute_view(a, v);
}

void Binder::add_view_checks(plan::RowChecks& checks, const ViewTarget& v) {
  if (v.checks.empty()) return;
  const Relation& base = rels_[static_cast<size_t>(v.base)];
  if (checks.row.empty())
    for (size_t i = 0; i < base.columns.size(); ++i)
      checks.row.push_back({new_id(), base.columns[i].name, base.columns[i].type});
  std::function<void(Expr&)> to_row = [&](Expr& x) {
    if (x.op == ExprOp::Column) {
      auto it = std::find(base.ids.begin(), base.ids.end(), x.column);
      if (it != base.ids.end()) x.column = checks.row[static_cast<size_t>(it - base.ids.begin())].id;
    }
    for (auto& a : x.args) to_row(*a);
  };
  for (const auto& [name, cond] : v.checks) {
    ExprPtr x = detail::clone(*cond);
    to_row(*x);
    checks.predicates.push_back(std::move(x));
    checks.views.push_back(name);
  }
}

ExprPtr Binder::view_where(const ViewTarget& v, ExprPtr where) {
  substitute_view(where, v);
  std::vector<ExprPtr> conds;
  if (v.where) conds.push_back(detail::clone(*v.where));
  if (where) conds.push_back(std::move(where));
  return and_all(std::move(conds));
}

void Binder::finish_view_write(const ViewTarget& v, Op& root) {
  std::function<void(Op&)> walk = [&](Op& op) {
    op.for_each_expr([&](ExprPtr& x) { substitute_view(x, v); });
    for (auto& child : op.children) walk(*child);
  };
  walk(root);
  const std::vector<ColumnId>& ids = rels_[static_cast<size_t>(v.rel)].ids;
  bool named = false;
  std::function<void(Op&)> check = [&](Op& op) {
    std::function<bool(const Expr&)> reads = [&](const Expr& x) {
      if ((x.op == ExprOp::Column || x.op == ExprOp::OuterColumn) &&
          std::find(ids.begin(), ids.end(), x.column) != ids.end())
        return true;
      return std::any_of(x.args.begin(), x.args.end(), [&](const ExprPtr& a) { return a && reads(*a); });
    };
    op.for_each_expr([&](ExprPtr& x) { named = named || (x && reads(*x)); });
    for (const OutputColumn& c : op.output)
      named = named || std::find(ids.begin(), ids.end(), c.id) != ids.end();
    for (auto& child : op.children) check(*child);
  };
  for (auto& sub : subplans_) check(*sub);
  if (named) throw_unsupported("a subquery naming a column of the view the statement writes through");
}

std::vector<storage::ColumnDef> Binder::query_columns(const BoundQuery& q,
                                                      const std::vector<std::string>& names) {
  const std::vector<OutputColumn>& out = q.root->output;
  std::vector<storage::ColumnDef> columns;
  for (size_t i = 0; i < out.size(); ++i) {
    storage::ColumnDef c;
    c.name = i < names.size() ? names[i] : out[i].name;
    for (const storage::ColumnDef& before : columns)
      if (before.name == c.name)
        fail(SqlState::DuplicateColumn, "column \"" + c.name + "\" specified more than once");
    // An untyped literal or NULL is text, as PostgreSQL 15 makes it in a view or a CREATE TABLE AS.
    c.type = out[i].type == TypeId::Unknown ? TypeId::Text : out[i].type;
    c.max_length = i < q.column_typmods.size() ? q.column_typmods[i] : -1;
    columns.push_back(std::move(c));
  }
  return columns;
}

storage::TableDef Binder::bind_table_as(const ast::CreateTableStmt& s) {
  if (ast::has_data_modifying_with(*s.as_query->select))
    throw_unsupported("CREATE TABLE AS with data-modifying statements in WITH");
  BoundQuery q = bind_query(*s.as_query->select);
  storage::TableDef def;
  def.name = s.table.name;
  def.columns = query_columns(q, s.as_columns);
  def.set_options(s.options, false);  // WITH (seal_after = ...)
  for (storage::ColumnDef& c : def.columns) {
    // A `name` (current_user, pg_class.relname) is text here: OmenDB's tables have no name columns.
    if (c.type == TypeId::Name) c.type = TypeId::Text;
    if (!storable(c.type)) throw_unsupported("columns of type " + std::string(type_name(c.type)));
  }
  if (s.as_columns.size() > def.columns.size())
    fail(SqlState::SyntaxError, "too many column names were specified");
  return def;
}

storage::TableDef Binder::bind_view(const ast::CreateViewStmt& s, const ast::SelectStmt& query) {
  for (const ast::CommonTableExpr& cte : query.with)
    if (cte.dml)
      throw SqlError(SqlState::FeatureNotSupported,
                     "views must not contain data-modifying statements in WITH");
  BoundQuery q = bind_query(query);
  // (it would be bound as a subquery where the view is used, where OmenDB refuses it)
  if (q.locks_rows) throw_unsupported("FOR UPDATE / FOR SHARE in a view");
  if (s.columns.size() > q.root->output.size())
    fail(SqlState::SyntaxError, "CREATE VIEW specifies more column names than columns");
  storage::TableDef def;
  def.name = s.view.name;
  if (!s.check_option.empty()) {
    // Only on a view that is automatically updatable itself (PostgreSQL's DefineView checks this view's
    // query, not the views below it), stored as PostgreSQL's reloption.
    std::string reason = not_updatable_reason(query);
    const bool any_column =
        std::any_of(query.targets.begin(), query.targets.end(), [](const ast::SelectTarget& t) {
          return t.expr->kind == ast::ExprKind::Star || t.expr->kind == ast::ExprKind::ColumnRef;
        });
    if (reason.empty() && !any_column)
      reason = "Views that have no updatable columns are not automatically updatable.";
    if (!reason.empty())
      throw SqlError(SqlState::FeatureNotSupported,
                     "WITH CHECK OPTION is supported only on automatically updatable views")
          .with_hint(reason);
    def.options.push_back("check_option=" + s.check_option);
  }
  def.columns = query_columns(q, s.columns);
  auto view = std::make_shared<storage::ViewDef>();
  view->query = s.query;
  for (int rel : direct_rels_) {
    const Relation& r = rels_[static_cast<size_t>(rel)];
    const storage::TableDefPtr& t = r.view ? r.view : r.table;
    if (!t || catalog::is_system_table(t->id) || catalog::is_sequence_relation(t->id)) continue;
    auto it = std::find_if(view->depends.begin(), view->depends.end(),
                           [&](const storage::ViewDependency& d) { return d.relation == t->id; });
    if (it == view->depends.end()) {
      storage::ViewDependency d;
      d.relation = t->id;
      d.max_attnum = r.view ? static_cast<int32_t>(t->columns.size()) : static_cast<int32_t>(t->slot_count());
      view->depends.push_back(std::move(d));
      it = view->depends.end() - 1;
    }
    for (size_t i = 0; i < r.used.size(); ++i) {
      if (!r.used[i]) continue;
      const int32_t a = r.view ? static_cast<int32_t>(i) + 1 : t->attnum(i);
      if (std::find(it->attnums.begin(), it->attnums.end(), a) == it->attnums.end()) it->attnums.push_back(a);
    }
  }
  for (storage::ViewDependency& d : view->depends) std::sort(d.attnums.begin(), d.attnums.end());
  def.view = std::move(view);
  return def;
}

bool Binder::resolve_unknown(Op& op, ColumnId id, TypeId t) {
  for (size_t i = 0; i < op.output.size(); ++i) {
    if (op.output[i].id != id) continue;
    if (op.is<plan::ProjectOp>()) {
      ExprPtr& x = op.as<plan::ProjectOp>().exprs[i];
      if (x->op == ExprOp::Column && x->type == TypeId::Unknown) {
        if (op.children.empty() || !resolve_unknown(*op.children[0], x->column, t)) return false;
        x->type = t;
      } else if (x->type == TypeId::Unknown) {
        x = convert(std::move(x), t);
      }
    } else if (op.is<plan::SortOp>() || op.is<plan::LimitOp>() || op.is<plan::FilterOp>() ||
               op.is<plan::LockRowsOp>()) {
      if (!resolve_unknown(*op.children[0], id, t)) return false;
    } else {
      return false;
    }
    op.output[i].type = t;
    return true;
  }
  return false;
}

BoundQuery Binder::bind_set_tree(const ast::SelectStmt& s) {
  // A leaf, or a parenthesised set operation with its own WITH / ORDER BY / LIMIT: a query of its own.
  if (s.set_op == ast::SetOp::None || !s.with.empty() || !s.order_by.empty() || s.limit || s.offset ||
      !s.locking.empty() || !s.unsupported_feature.empty())
    return bind_query(s, true);
  return bind_set_node(s);
}

BoundQuery Binder::bind_set_node(const ast::SelectStmt& s) {
  const char* what = set_op_name(s.set_op);
  // Where a recursive reference may not be (PostgreSQL's checkWellFormedRecursion): INTERSECT ALL, EXCEPT
  // ALL and the right input of EXCEPT.
  const char* saved_set_op = within_set_op_;
  if (s.set_op != ast::SetOp::Union && s.set_all) within_set_op_ = what;
  BoundQuery l = bind_set_tree(*s.larg);
  if (s.set_op == ast::SetOp::Except) within_set_op_ = what;
  BoundQuery r = bind_set_tree(*s.rarg);
  within_set_op_ = saved_set_op;
  const size_t width = l.root->output.size();
  if (r.root->output.size() != width)
    fail(SqlState::SyntaxError, std::string("each ") + what + " query must have the same number of columns");

  // Column types: each pair resolved as PostgreSQL does; unknown literals in a leaf take the type.
  std::vector<TypeId> types(width);
  for (size_t c = 0; c < width; ++c)
    types[c] = common_type(l.root->output[c].type, r.root->output[c].type, what, -1);
  auto coerce = [&](BoundQuery& q) {
    bool cast = false;
    for (size_t c = 0; c < width; ++c) {
      OutputColumn& col = q.root->output[c];
      if (col.type == TypeId::Unknown && !resolve_unknown(*q.root, col.id, types[c]))
        throw SqlError(SqlState::InternalError, "planner: an unknown-typed set operation column");
      cast = cast || col.type != types[c];
    }
    if (!cast) return;
    auto project = std::make_unique<plan::ProjectOp>();
    for (size_t c = 0; c < width; ++c) {
      const OutputColumn& in = q.root->output[c];
      project->exprs.push_back(convert(Expr::make_column(in.id, in.type), types[c]));
      project->output.push_back({new_id(), in.name, types[c]});
    }
    project->children.push_back(std::move(q.root));
    q.root = std::move(project);
  };
  coerce(l);
  coerce(r);

  BoundQuery out;
  out.locks_rows = false;
  for (size_t c = 0; c < width; ++c) {
    int32_t a = c < l.column_typmods.size() ? l.column_typmods[c] : -1;
    int32_t b = c < r.column_typmods.size() ? r.column_typmods[c] : -1;
    out.column_typmods.push_back(a == b ? a : -1);
    out.name_columns.push_back(false);
  }
  const std::vector<OutputColumn> names = l.root->output;  // the first branch names the columns

  if (s.set_op == ast::SetOp::Union) {
    // UNION ALL: one UnionAll over both inputs (a chain of them becomes one with many inputs).
    auto u = std::make_unique<plan::UnionAllOp>();
    for (BoundQuery* q : {&l, &r}) {
      if (q->root->is<plan::UnionAllOp>()) {
        for (auto& child : q->root->children) u->children.push_back(std::move(child));
      } else {
        u->children.push_back(std::move(q->root));
      }
    }
    for (size_t c = 0; c < width; ++c) u->output.push_back({new_id(), names[c].name, types[c]});
    out.root = std::move(u);
    if (!s.set_all) {
      // UNION: a group by every column, without aggregates (NULLs equal, as PostgreSQL's set operations).
      auto distinct = std::make_unique<plan::HashAggregateOp>();
      for (const OutputColumn& in : out.root->output) {
        distinct->group_keys.push_back(Expr::make_column(in.id, in.type));
        distinct->output.push_back({new_id(), in.name, in.type});
      }
      distinct->children.push_back(std::move(out.root));
      out.root = std::move(distinct);
    }
    return out;
  }

  // INTERSECT / EXCEPT [ALL]: the rows of both inputs, each tagged with a flag column of its side (1 in
  // `left`, NULL in `right` for the left input's rows, and the other way round), grouped by every
  // column while counting each side's rows; a group's counts say how often it is in the result.
  auto tag = [&](BoundQuery& q, bool left) {
    auto project = std::make_unique<plan::ProjectOp>();
    for (const OutputColumn& in : q.root->output) {
      project->exprs.push_back(Expr::make_column(in.id, in.type));
      project->output.push_back({new_id(), in.name, in.type});
    }
    for (bool side : {true, false}) {
      project->exprs.push_back(side == left ? Expr::make_constant(Value::int32(1), TypeId::Int32)
                                            : Expr::make_constant(Value::null(TypeId::Int32), TypeId::Int32));
      project->output.push_back({new_id(), side ? "left" : "right", TypeId::Int32});
    }
    project->children.push_back(std::move(q.root));
    return project;
  };
  auto u = std::make_unique<plan::UnionAllOp>();
  u->children.push_back(tag(l, true));
  u->children.push_back(tag(r, false));
  for (size_t c = 0; c < width; ++c) u->output.push_back({new_id(), names[c].name, types[c]});
  u->output.push_back({new_id(), "left", TypeId::Int32});
  u->output.push_back({new_id(), "right", TypeId::Int32});

  auto agg = std::make_unique<plan::HashAggregateOp>();
  for (size_t c = 0; c < width; ++c) {
    const OutputColumn& in = u->output[c];
    agg->group_keys.push_back(Expr::make_column(in.id, in.type));
    agg->output.push_back({new_id(), in.name, in.type});
  }
  for (size_t side = 0; side < 2; ++side) {
    const OutputColumn& flag = u->output[width + side];
    AggregateCall call;
    call.func = AggFunc::Count;
    call.arg = Expr::make_column(flag.id, flag.type);
    call.type = TypeId::Int64;
    agg->aggregates.push_back(std::move(call));
    agg->output.push_back({new_id(), side == 0 ? "count_left" : "count_right", TypeId::Int64});
  }
  agg->children.push_back(std::move(u));
  const OutputColumn nl = agg->output[width];
  const OutputColumn nr = agg->output[width + 1];
  OpPtr cur = std::move(agg);
  auto col = [](const OutputColumn& c) { return Expr::make_column(c.id, c.type); };
  auto num = [](int64_t v) { return Expr::make_constant(Value::int64(v), TypeId::Int64); };
  auto cmp = [](ExprOp op, ExprPtr a, ExprPtr b) {
    return Expr::make(op, TypeId::Bool, list(std::move(a), std::move(b)));
  };
  ExprPtr keep;   // which groups are in the result
  ExprPtr times;  // ALL: how many times
  if (s.set_op == ast::SetOp::Intersect) {
    keep = Expr::make(ExprOp::And, TypeId::Bool,
                      list(cmp(ExprOp::Gt, col(nl), num(0)), cmp(ExprOp::Gt, col(nr), num(0))));
    if (s.set_all) {  // least(left, right)
      std::vector<ExprPtr> args;
      args.push_back(cmp(ExprOp::Lt, col(nl), col(nr)));
      args.push_back(col(nl));
      args.push_back(col(nr));
      times = Expr::make(ExprOp::Case, TypeId::Int64, std::move(args));
    }
  } else if (s.set_all) {  // EXCEPT ALL: left - right times
    keep = cmp(ExprOp::Gt, col(nl), col(nr));
    times = Expr::make(ExprOp::Sub, TypeId::Int64, list(col(nl), col(nr)));
  } else {
    keep = Expr::make(ExprOp::And, TypeId::Bool,
                      list(cmp(ExprOp::Gt, col(nl), num(0)), cmp(ExprOp::Eq, col(nr), num(0))));
  }
  auto filter = wrap<plan::FilterOp>(std::move(cur));
  filter->predicate = std::move(keep);
  cur = std::move(filter);
  if (times) {
    auto repeat = wrap<plan::RepeatOp>(std::move(cur));
    repeat->count = std::move(times);
    cur = std::move(repeat);
  }
  auto project = std::make_unique<plan::ProjectOp>();
  for (size_t c = 0; c < width; ++c) {
    const OutputColumn& in = cur->output[c];
    project->exprs.push_back(Expr::make_column(in.id, in.type));
    project->output.push_back({new_id(), in.name, in.type});
  }
  project->children.push_back(std::move(cur));
  out.root = std::move(project);
  return out;
}

BoundQuery Binder::bind_set_operation(const ast::SelectStmt& s) {
  if (!s.locking.empty())
    fail(SqlState::FeatureNotSupported,
         locking_name(s.locking[0].strength) + " is not allowed with UNION/INTERSECT/EXCEPT");
  return order_result(bind_set_node(s), s);
}

BoundQuery Binder::bind_values(const ast::SelectStmt& s) {
  const size_t width = s.values[0].size();
  std::vector<std::vector<ExprPtr>> rows;
  ExprCtx c;
  c.clause = "VALUES";
  for (const auto& row : s.values) {
    if (row.size() != width)
      fail(SqlState::SyntaxError, "VALUES lists must all be the same length",
           row.empty() ? s.values_location : row[0]->location);
    std::vector<ExprPtr> out;
    for (const auto& x : row) out.push_back(bind(*x, c));
    rows.push_back(std::move(out));
  }
  auto values = std::make_unique<plan::ValuesOp>();
  for (size_t col = 0; col < width; ++col) {
    std::vector<const Expr*> cells;
    for (const auto& row : rows) cells.push_back(row[col].get());
    TypeId t = unify(cells, "VALUES", s.values_location);
    for (auto& row : rows) row[col] = convert(std::move(row[col]), t);
    values->output.push_back({new_id(), "column" + std::to_string(col + 1), t});
  }
  values->rows = std::move(rows);
  values_rows_ += values->rows.size();
  BoundQuery q;
  q.column_typmods.assign(width, -1);
  q.name_columns.assign(width, false);
  q.root = std::move(values);
  return q;  // ORDER BY / LIMIT over VALUES: the parser made it SELECT * FROM (VALUES ...) AS "*VALUES*" ...
}

BoundQuery Binder::order_result(BoundQuery q, const ast::SelectStmt& s) {
  const std::vector<OutputColumn>& cols = q.root->output;
  std::vector<plan::SortKey> keys;
  for (const auto& item : s.order_by) {
    const ast::Expr& e = *item.expr;
    size_t target = cols.size();
    if (e.kind == ast::ExprKind::Constant) {
      if (!is_position_constant(e.value))
        fail(SqlState::SyntaxError, "non-integer constant in ORDER BY", e.location);
      int64_t p = e.value.as_int();
      if (p < 1 || static_cast<uint64_t>(p) > cols.size())
        fail(SqlState::InvalidColumnReference,
             "ORDER BY position " + std::to_string(p) + " is not in select list", e.location);
      target = static_cast<size_t>(p - 1);
    } else if (e.kind == ast::ExprKind::ColumnRef && e.names.size() == 1) {
      for (size_t i = 0; i < cols.size(); ++i) {
        if (cols[i].name != e.names[0]) continue;
        if (target != cols.size())
          fail(SqlState::AmbiguousColumn, "ORDER BY \"" + e.names[0] + "\" is ambiguous", e.location);
        target = i;
      }
      if (target == cols.size())
        fail(SqlState::UndefinedColumn, "column \"" + e.names[0] + "\" does not exist", e.location);
    } else {
      SqlError err(SqlState::FeatureNotSupported, "invalid UNION/INTERSECT/EXCEPT ORDER BY clause");
      std::move(err).at(pos_of(e.location));
      std::move(err).with_detail("Only result column names can be used, not expressions or functions.");
      std::move(err).with_hint(
          "Add the expression/function to every SELECT, or move the UNION into a FROM clause.");
      throw err;
    }
    plan::SortKey k;
    k.column = cols[target].id;
    k.descending = item.descending;
    k.nulls_first = item.nulls_first.value_or(item.descending);
    keys.push_back(k);
  }
  if (!keys.empty()) {
    auto sort = wrap<plan::SortOp>(std::move(q.root));
    sort->sort_keys = std::move(keys);
    q.root = std::move(sort);
  }
  ExprPtr limit = bind_limit(s.limit.get(), "LIMIT");
  ExprPtr offset = bind_limit(s.offset.get(), "OFFSET");
  if (limit || offset) {
    auto lim = wrap<plan::LimitOp>(std::move(q.root));
    lim->limit = std::move(limit);
    lim->offset = std::move(offset);
    q.root = std::move(lim);
  }
  return q;
}

PlannedStatement Binder::plan_select(const ast::SelectStmt& s) {
  BoundQuery q = bind_query(s);
  PlannedStatement out;
  out.command = "SELECT";
  out.locks_rows = q.locks_rows;
  out.lock_clause = q.lock_clause;
  out.result_typmods = std::move(q.column_typmods);
  out.result_name_columns = std::move(q.name_columns);
  out.plan.result_columns = q.root->output;
  out.plan.root = std::move(q.root);
  return out;
}

// A value given for identity column `col` of an INSERT: 428C9 for GENERATED ALWAYS without OVERRIDING
// SYSTEM VALUE (PostgreSQL's message); false when OVERRIDING USER VALUE discards it for the default.
bool Binder::identity_value_given(const ast::InsertStmt& s, const storage::ColumnDef& col) {
  if (col.identity == 'a' && !s.overriding_system)
    throw SqlError(SqlState::GeneratedAlways,
                   "cannot insert a non-DEFAULT value into column \"" + col.name + "\"")
        .with_detail("Column \"" + col.name + "\" is an identity column defined as GENERATED ALWAYS.")
        .with_hint("Use OVERRIDING SYSTEM VALUE to override.");
  return !(s.overriding_user && col.identity);
}

void Binder::plan_returning(const std::vector<ast::SelectTarget>& list, Scope& scope, OpPtr dml,
                            const std::vector<ColumnId>& columns, PlannedStatement& out) {
  auto project = bind_returning(list, scope, out);
  attach_returning(std::move(project), scope.rels.at(0), std::move(dml), columns, out);
}

std::unique_ptr<plan::ProjectOp> Binder::bind_returning(const std::vector<ast::SelectTarget>& list,
                                                        Scope& scope, PlannedStatement& out) {
  auto project = std::make_unique<plan::ProjectOp>();
  ExprCtx tc;
  tc.scope = &scope;
  tc.clause = "RETURNING";
  auto target = [&](ExprPtr x, std::string name, int32_t type_mod) {
    if (x->type == TypeId::Unknown) x = convert(std::move(x), TypeId::Text);
    out.result_typmods.push_back(type_mod);
    project->output.push_back({new_id(), std::move(name), x->type});
    project->exprs.push_back(std::move(x));
  };
  for (const ast::SelectTarget& t : list) {
    const ast::Expr& e = *t.expr;
    if (e.kind == ast::ExprKind::Star && e.names.empty()) {
      // *: the columns of every FROM item (the target's, then UPDATE ... FROM's or DELETE ... USING's).
      for (const FromEntry& entry : scope.entries)
        for (const ItemColumn& col : entry.columns) {
          ExprPtr x = detail::clone(*col.expr);
          refuse_record(*x, e.location);
          mark_used(*x);
          target(std::move(x), col.name, col.type_mod);
        }
      continue;
    }
    if (e.kind == ast::ExprKind::Star) {
      int found = -1;
      for (int r : scope.rels)
        if (rels_[static_cast<size_t>(r)].refname == e.names.back()) found = r;
      if (found < 0)
        fail(SqlState::UndefinedTable, "missing FROM-clause entry for table \"" + e.names.back() + "\"",
             e.location);
      Relation& r = rels_[static_cast<size_t>(found)];
      for (size_t i = 0; i < r.columns.size(); ++i) {
        if (r.columns[i].hidden) continue;
        r.used[i] = true;
        ExprPtr x = Expr::make_column(r.ids[i], r.columns[i].type);
        refuse_record(*x, e.location);
        target(std::move(x), r.columns[i].name, r.columns[i].max_length);
      }
      continue;
    }
    ExprPtr x = bind(e, tc);
    int32_t type_mod = -1;
    if (x->op == ExprOp::Column && rel_of(x->column) >= 0) {
      const Relation& r = rels_[static_cast<size_t>(rel_of(x->column))];
      auto it = std::find(r.ids.begin(), r.ids.end(), x->column);
      if (it != r.ids.end()) type_mod = r.columns[static_cast<size_t>(it - r.ids.begin())].max_length;
    } else {
      type_mod = cast_typmod(e, x->type);
    }
    target(std::move(x), t.alias.empty() ? figure_name(e).first : t.alias, type_mod);
  }
  return project;
}

void Binder::attach_returning(std::unique_ptr<plan::ProjectOp> project, int rel, OpPtr dml,
                              const std::vector<ColumnId>& columns, PlannedStatement& out) {
  if (!columns.empty()) {
    const std::vector<ColumnId>& ids = rels_[static_cast<size_t>(rel)].ids;
    std::function<void(Expr&)> swap = [&](Expr& x) {
      if (x.op == ExprOp::Column) {
        auto it = std::find(ids.begin(), ids.end(), x.column);
        if (it != ids.end()) x.column = columns[static_cast<size_t>(it - ids.begin())];
      }
      for (auto& a : x.args) swap(*a);
    };
    for (auto& x : project->exprs) swap(*x);
  }
  project->children.push_back(std::move(dml));
  out.plan.result_columns = project->output;
  out.plan.root = std::move(project);
}

void Binder::finish_insert(const ast::InsertStmt& s, std::unique_ptr<plan::InsertOp> insert,
                           PlannedStatement& out, const ViewTarget* view) {
  if (s.returning.empty()) {
    out.plan.root = std::move(insert);
    return;
  }
  if (view) {
    // RETURNING names the view's columns: their values over the inserted row.
    Scope scope;
    scope.rels.push_back(view->rel);
    scope.entries.push_back(table_entry(view->rel));
    const Relation& r = rels_[static_cast<size_t>(view->base)];
    insert->returning = true;
    for (size_t i = 0; i < r.columns.size(); ++i)
      insert->output.push_back({r.ids[i], r.columns[i].name, r.columns[i].type});
    auto project = bind_returning(s.returning, scope, out);
    for (ExprPtr& x : project->exprs) substitute_view(x, *view);
    attach_returning(std::move(project), view->base, std::move(insert), {}, out);
    finish_view_write(*view, *out.plan.root);
    return;
  }
  Scope scope = open_scope(s.table);
  const Relation& r = rels_[static_cast<size_t>(scope.rels.at(0))];
  insert->returning = true;
  for (size_t i = 0; i < r.columns.size(); ++i)
    insert->output.push_back({r.ids[i], r.columns[i].name, r.columns[i].type});
  plan_returning(s.returning, scope, std::move(insert), {}, out);
}

PlannedStatement Binder::plan_insert(const ast::InsertStmt& s) {
  if (!s.unsupported_feature.empty()) throw_unsupported(s.unsupported_feature);
  if (s.on_conflict && !s.returning.empty()) throw_unsupported("INSERT ... ON CONFLICT ... RETURNING");
  bind_with(s.with, s.with_recursive, [&s](const std::string& name) { return dml_body_references(name, s); });
  storage::TableDefPtr table = lookup(s.table);
  std::optional<ViewTarget> view;  // INSERT into a view: into its base table
  std::vector<int> view_cols;      // through a view: the view column of each VALUES position
  if (table->is_view()) {
    if (s.on_conflict) throw_unsupported("INSERT ... ON CONFLICT on a view");
    open_scope(s.table, 'i', &view);
    table = rels_[static_cast<size_t>(view->base)].table;
  }
  check_writable(*table, s.table.location);
  const size_t ncols = table->columns.size();

  std::vector<int> target_cols;  // table column of each VALUES position
  if (view) {
    const Relation& r = rels_[static_cast<size_t>(view->rel)];
    for (size_t k = 0; k < r.columns.size(); ++k)
      if (s.columns.empty() && !r.columns[k].hidden) view_cols.push_back(static_cast<int>(k));
    for (const auto& name : s.columns) {
      int k = find_rel_column(r, name, s.table.location);
      if (k < 0)
        fail(SqlState::UndefinedColumn,
             "column \"" + name + "\" of relation \"" + r.view->name + "\" does not exist", s.table.location);
      if (std::find(view_cols.begin(), view_cols.end(), k) != view_cols.end())
        fail(SqlState::DuplicateColumn, "column \"" + name + "\" specified more than once", s.table.location);
      view_cols.push_back(k);
    }
    for (int k : view_cols) {
      const int base = view->base_column[static_cast<size_t>(k)];
      if (base >= 0 && std::find(target_cols.begin(), target_cols.end(), base) != target_cols.end())
        fail(SqlState::SyntaxError,
             "multiple assignments to same column \"" + table->columns[base].name + "\"");
      target_cols.push_back(base);
    }
    if (s.select) return plan_insert_select(s, table, target_cols, &*view, &view_cols);
    // (the VALUES' width is checked against the view's columns first, as PostgreSQL analyses it)
    const size_t width = s.rows.empty() ? 0 : s.rows[0].size();
    bool same = true;
    for (const auto& row : s.rows) same = same && row.size() == width;
    if (same && width <= view_cols.size() && (width == view_cols.size() || s.columns.empty()))
      for (size_t k = 0; k < width; ++k) check_view_column(*view, static_cast<size_t>(view_cols[k]), 'i');
  } else if (s.columns.empty()) {
    for (size_t i = 0; i < ncols; ++i) target_cols.push_back(static_cast<int>(i));
  } else {
    std::vector<bool> seen(ncols, false);
    for (const auto& name : s.columns) {
      int idx = table->find_column(name);
      if (idx < 0)
        fail(SqlState::UndefinedColumn,
             "column \"" + name + "\" of relation \"" + table->name + "\" does not exist", s.table.location);
      if (seen[idx])
        fail(SqlState::DuplicateColumn, "column \"" + name + "\" specified more than once", s.table.location);
      seen[idx] = true;
      target_cols.push_back(idx);
    }
  }

  if (s.select) return plan_insert_select(s, table, target_cols);

  std::vector<std::vector<ExprPtr>> cells;
  const bool identity = std::any_of(table->columns.begin(), table->columns.end(),
                                    [](const storage::ColumnDef& c) { return c.identity != 0; });
  size_t width = s.rows.empty() ? 0 : s.rows[0].size();
  for (const auto& row : s.rows) {
    int loc = !row.empty() && row[0] ? row[0]->location : s.location;
    if (row.size() != width) fail(SqlState::SyntaxError, "VALUES lists must all be the same length", loc);
    if (row.size() > target_cols.size())
      fail(SqlState::SyntaxError, "INSERT has more expressions than target columns",
           row[target_cols.size()] ? row[target_cols.size()]->location : loc);
    if (row.size() < target_cols.size() && !s.columns.empty())
      fail(SqlState::SyntaxError, "INSERT has more target columns than expressions", s.table.location);
    std::vector<ExprPtr> out(ncols);
    for (size_t k = 0; k < row.size(); ++k) {
      if (view) check_view_column(*view, static_cast<size_t>(view_cols[k]), 'i');
      const auto& col = table->columns[target_cols[k]];
      ExprPtr x;
      if (row[k] && identity && !identity_value_given(s, col)) {
        x = column_default(*table, col);  // OVERRIDING USER VALUE
      } else if (row[k]) {
        ExprCtx c;
        c.clause = "VALUES";
        x = assign(bind(*row[k], c), col, row[k]->location);
      } else {
        x = column_default(*table, col);  // VALUES (DEFAULT, ...)
      }
      out[target_cols[k]] = std::move(x);
    }
    for (size_t i = 0; i < ncols; ++i)  // columns not listed take their default
      if (!out[i]) out[i] = column_default(*table, table->columns[i]);
    cells.push_back(std::move(out));
  }
  if (s.rows.empty()) {  // DEFAULT VALUES
    std::vector<ExprPtr> out;
    for (const auto& col : table->columns) out.push_back(column_default(*table, col));
    cells.push_back(std::move(out));
  }

  auto values = std::make_unique<plan::ValuesOp>();
  for (const auto& col : table->columns) values->output.push_back({new_id(), col.name, col.type});
  // Rows of literals and bare parameters (a multi-row INSERT from a driver binding server-side, such as
  // SQLAlchemy's insertmanyvalues over psycopg 3) run as one loop over a matrix of params: generated code
  // does not grow with the rows.
  // A parameter cell may carry the assignment cast to its column's type (a driver sending an int2 for a
  // bigint column): the value is converted when copied into the matrix, with the same rules and errors.
  auto source_param = [](const Expr& x) -> const Expr* {
    const Expr* e = x.op == ExprOp::Cast && x.args.size() == 1 ? x.args[0].get() : &x;
    return e->op == ExprOp::Param ? e : nullptr;
  };
  bool matrix = !in_dml_cte_;  // (the matrix is the statement's own VALUES list, planned last)
  for (const auto& row : cells)
    for (const auto& x : row) matrix = matrix && (x->op == ExprOp::Constant || source_param(*x));
  values_rows_ = cells.size();
  if (matrix) {
    values->values_matrix = true;  // matrix_param_base is set once every other literal is lifted
    for (auto& row : cells) {
      for (size_t i = 0; i < row.size(); ++i) {
        const Expr* param = source_param(*row[i]);
        matrix_sources_.push_back(param ? param->param : -1);
        matrix_literals_.push_back(param ? -1 : row[i]->literal);
        matrix_values_.push_back(param ? Value::null(table->columns[i].type) : std::move(row[i]->constant));
      }
    }
  } else {
    values->rows = std::move(cells);
  }

  PlannedStatement out;
  out.command = "INSERT";
  OpPtr source = std::move(values);
  if (s.on_conflict) {
    if (OpPtr upsert = plan_on_conflict(s, source)) {
      out.plan.root = std::move(upsert);
      return out;
    }
  }
  auto insert = std::make_unique<plan::InsertOp>();
  insert->table = table;
  insert->checks = bind_row_checks(*table);
  if (view) add_view_checks(insert->checks, *view);
  insert->children.push_back(std::move(source));
  finish_insert(s, std::move(insert), out, view ? &*view : nullptr);
  return out;
}

PlannedStatement Binder::plan_insert_select(const ast::InsertStmt& s, const storage::TableDefPtr& table,
                                            const std::vector<int>& target_cols, const ViewTarget* view,
                                            const std::vector<int>* view_cols) {
  // Unknown literals in a plain SELECT take their target column's type (PostgreSQL analyses INSERT's
  // query without resolving them: INSERT INTO t (i) SELECT '5').
  BoundQuery q = bind_query(*s.select, true);
  const std::vector<OutputColumn> cols = q.root->output;
  if (cols.size() > target_cols.size())
    fail(SqlState::SyntaxError, "INSERT has more expressions than target columns", s.select->location);
  if (cols.size() < target_cols.size() && !s.columns.empty())
    fail(SqlState::SyntaxError, "INSERT has more target columns than expressions", s.table.location);
  if (view)
    for (size_t k = 0; k < cols.size(); ++k)
      check_view_column(*view, static_cast<size_t>((*view_cols)[k]), 'i');
  const size_t ncols = table->columns.size();
  std::vector<ExprPtr> exprs(ncols);
  for (size_t k = 0; k < cols.size(); ++k) {
    const auto& col = table->columns[static_cast<size_t>(target_cols[k])];
    if (col.identity && !identity_value_given(s, col)) continue;  // OVERRIDING USER VALUE: the default
    if (cols[k].type == TypeId::Unknown &&
        !resolve_unknown(*q.root, cols[k].id, col.type == TypeId::Unknown ? TypeId::Text : col.type))
      throw SqlError(SqlState::InternalError, "planner: an unknown-typed INSERT ... SELECT column");
    const OutputColumn& out = q.root->output[k];
    exprs[static_cast<size_t>(target_cols[k])] =
        assign(Expr::make_column(out.id, out.type), col, s.select->location);
  }
  auto project = std::make_unique<plan::ProjectOp>();
  for (size_t i = 0; i < ncols; ++i) {
    const auto& col = table->columns[i];
    project->exprs.push_back(exprs[i] ? std::move(exprs[i])
                                      : column_default(*table, col));  // not listed: DEFAULT
    project->output.push_back({new_id(), col.name, col.type});
  }
  project->children.push_back(std::move(q.root));
  PlannedStatement out;
  out.command = "INSERT";
  OpPtr source = std::move(project);
  if (s.on_conflict) {
    if (OpPtr upsert = plan_on_conflict(s, source)) {
      out.plan.root = std::move(upsert);
      return out;
    }
  }
  auto insert = std::make_unique<plan::InsertOp>();
  insert->table = table;
  insert->checks = bind_row_checks(*table);
  if (view) add_view_checks(insert->checks, *view);
  insert->children.push_back(std::move(source));
  finish_insert(s, std::move(insert), out, view);
  return out;
}

// ON CONFLICT: checks the arbiter against the primary key (the only unique constraint tables have)
// and binds DO UPDATE's SET and WHERE over the existing row and "excluded". Returns null when the
// statement is a plain insert (DO NOTHING without a target on a table without a primary key).
OpPtr Binder::plan_on_conflict(const ast::InsertStmt& s, OpPtr& values) {
  const ast::OnConflict& oc = *s.on_conflict;
  Scope scope = open_scope(s.table);
  const int rel = scope.rels[0];
  const storage::TableDefPtr& table_ptr = rels_[static_cast<size_t>(rel)].table;
  const storage::TableDef& table = *table_ptr;
  const int loc = oc.location;
  if (oc.do_update && oc.target_columns.empty() && oc.constraint.empty())
    fail(SqlState::SyntaxError, "ON CONFLICT DO UPDATE requires inference specification or constraint name",
         loc, "For example, ON CONFLICT (column_name).");
  std::vector<bool> target(table.columns.size(), false);
  for (const auto& name : oc.target_columns) {
    int idx = table.find_column(name);
    if (idx < 0) fail(SqlState::UndefinedColumn, "column \"" + name + "\" does not exist", loc);
    target[idx] = true;
  }
  int arbiter = -1;  // UpsertOp::arbiter
  if (!oc.constraint.empty() && (table.primary_key.empty() || oc.constraint != table.name + "_pkey")) {
    const storage::IndexDef* named = table.find_index(oc.constraint);
    if (!named || !named->constraint)
      fail(SqlState::UndefinedObject,
           "constraint \"" + oc.constraint + "\" for table \"" + table.name + "\" does not exist");
    arbiter = static_cast<int>(named - table.indexes.data());
  }
  // An index predicate: it selects among partial unique indexes (an index that is not partial fits any).
  std::vector<ExprPtr> target_where;
  if (oc.target_where) {
    ExprCtx c;
    c.scope = &scope;
    c.clause = "WHERE";
    ExprPtr w = to_bool(bind(*oc.target_where, c), "argument of WHERE", oc.target_where->location);
    std::vector<ExprPtr> stack;
    stack.push_back(std::move(w));
    while (!stack.empty()) {  // its conjuncts
      ExprPtr x = std::move(stack.back());
      stack.pop_back();
      if (x->op == ExprOp::And) {
        for (auto& a : x->args) stack.push_back(std::move(a));
      } else {
        target_where.push_back(std::move(x));
      }
    }
  }
  // Whether the WHERE implies a partial index's predicate: each of its conjuncts is one of the WHERE's
  // (PostgreSQL's predicate_implied_by in its simplest form).
  auto implies = [&](const storage::IndexDef& index) {
    if (!index.predicate) return true;
    detail::IndexShape shape = detail::bind_index_shape(table, index);
    std::vector<const Expr*> required;
    std::vector<const Expr*> stack{shape.predicate.get()};
    while (!stack.empty()) {
      const Expr* x = stack.back();
      stack.pop_back();
      if (x->op == ExprOp::And) {
        for (const auto& a : x->args) stack.push_back(a.get());
      } else {
        required.push_back(x);
      }
    }
    const std::vector<ColumnId>& ids = rels_[static_cast<size_t>(rel)].ids;
    auto column_of = [&](ColumnId id) {
      for (size_t i = 0; i < ids.size(); ++i)
        if (ids[i] == id) return static_cast<int>(i);
      return -1;
    };
    for (const Expr* r : required)
      if (std::none_of(target_where.begin(), target_where.end(),
                       [&](const ExprPtr& w) { return detail::matches_index_expr(*w, *r, {}, column_of); }))
        return false;
    return true;
  };

  auto upsert = std::make_unique<plan::UpsertOp>();
  upsert->table = table_ptr;
  upsert->do_update = oc.do_update;
  if (oc.do_update) {
    // "excluded": the proposed row (the VALUES columns) as one more relation of the scope, so that an
    // unqualified column name, which both show, is ambiguous (42702) as in PostgreSQL.
    Relation excluded;
    excluded.table = table_ptr;
    excluded.refname = "excluded";
    excluded.level = level_;
    for (const auto& col : table.columns) excluded.columns.push_back({col.name, col.type, col.max_length});
    excluded.used.assign(table.columns.size(), false);
    const int xrel = static_cast<int>(rels_.size());
    for (size_t i = 0; i < table.columns.size(); ++i) {
      const ColumnId id = values->output[i].id;
      col_rel_[static_cast<size_t>(id)] = xrel;
      col_names_[static_cast<size_t>(id)] = table.columns[i].name;
      excluded.ids.push_back(id);
    }
    rels_.push_back(std::move(excluded));
    scope.rels.push_back(xrel);
    scope.entries.push_back(table_entry(xrel));
    ExprCtx c;
    c.scope = &scope;
    c.clause = "UPDATE";
    upsert->set_exprs = bind_assignments(oc.assignments, c, rel, loc);
    if (oc.where) upsert->where = to_bool(bind(*oc.where, c), "argument of WHERE", oc.where->location);
    const Relation& target_rel = rels_[static_cast<size_t>(rel)];
    for (size_t i = 0; i < table.columns.size(); ++i)
      upsert->existing.push_back({target_rel.ids[i], table.columns[i].name, table.columns[i].type});
  }

  // The arbiter: the primary key or a unique index, named by its columns (in any order: PostgreSQL's
  // inference matches the set of columns) or its constraint name; without either (DO NOTHING), all.
  bool named = !oc.constraint.empty();
  bool any_unique = false;
  for (const storage::IndexDef& index : table.indexes) any_unique = any_unique || index.unique;
  if (!named && !oc.target_columns.empty()) {
    size_t n = 0;
    for (bool t : target) n += t ? 1 : 0;
    auto matches = [&](const std::vector<int>& columns) {
      if (columns.empty()) return false;
      std::vector<bool> in(table.columns.size(), false);
      for (int c : columns) {
        if (c < 0) return false;
        in[static_cast<size_t>(c)] = true;
      }
      return in == target;
    };
    bool match = matches(table.primary_key);
    for (size_t i = 0; !match && i < table.indexes.size(); ++i) {
      const storage::IndexDef& index = table.indexes[i];
      if (!index.unique) continue;
      std::vector<int> columns;
      for (int32_t a : index.attnums) columns.push_back(table.column_of_attnum(a));
      if (matches(columns) && implies(index)) {
        match = true;
        arbiter = static_cast<int>(i);
      }
    }
    if (!match || n == 0)
      fail(SqlState::InvalidColumnReference,
           "there is no unique or exclusion constraint matching the ON CONFLICT specification");
  } else if (!named) {
    arbiter = any_unique ? -2 : -1;  // DO NOTHING without a target
  }
  upsert->arbiter = arbiter;
  if (table.primary_key.empty() && arbiter == -1) return nullptr;  // nothing can conflict
  upsert->checks = bind_row_checks(table);
  upsert->children.push_back(std::move(values));
  return upsert;
}

// SET a = x, ... of UPDATE and ON CONFLICT DO UPDATE: the new value of every table column (a column
// not assigned keeps its value: relation `rel`'s column).
std::vector<ExprPtr> Binder::bind_assignments(const std::vector<std::pair<std::string, ast::ExprPtr>>& list,
                                              ExprCtx& c, int rel, int location, const ViewTarget* view) {
  const int target = view ? view->base : rel;
  const storage::TableDef& table = *rels_[static_cast<size_t>(target)].table;
  std::vector<ExprPtr> set(table.columns.size());
  for (const auto& [name, expr] : list) {
    int idx = -1;
    int loc = expr ? expr->location : location;
    if (view) {
      const Relation& r = rels_[static_cast<size_t>(rel)];
      const int k = find_rel_column(r, name, loc);
      if (k < 0)
        fail(SqlState::UndefinedColumn,
             "column \"" + name + "\" of relation \"" + r.view->name + "\" does not exist", loc);
      check_view_column(*view, static_cast<size_t>(k), 'u');
      idx = view->base_column[static_cast<size_t>(k)];
    } else {
      idx = table.find_column(name);
    }
    if (idx < 0)
      fail(SqlState::UndefinedColumn,
           "column \"" + name + "\" of relation \"" + table.name + "\" does not exist", loc);
    if (set[idx]) fail(SqlState::SyntaxError, "multiple assignments to same column \"" + name + "\"", loc);
    const auto& col = table.columns[idx];
    if (!expr) {
      set[idx] = column_default(table, col);  // SET c = DEFAULT
    } else {
      if (col.identity == 'a')
        throw SqlError(SqlState::GeneratedAlways,
                       "column \"" + col.name + "\" can only be updated to DEFAULT")
            .with_detail("Column \"" + col.name + "\" is an identity column defined as GENERATED ALWAYS.");
      set[idx] = assign(bind(*expr, c), col, loc);
      if (view) substitute_view(set[idx], *view);
    }
  }
  for (size_t i = 0; i < set.size(); ++i)
    if (!set[i]) set[i] = Expr::make_column(rels_[static_cast<size_t>(target)].ids[i], table.columns[i].type);
  return set;
}

ExprPtr Binder::bind_where(const ast::ExprPtr& where, Scope& scope) {
  if (!where) return nullptr;
  ExprCtx c;
  c.scope = &scope;
  c.clause = "WHERE";
  c.decorrelate = true;
  std::vector<const ast::Expr*> conjuncts;
  where_conjuncts(*where, conjuncts);
  for (const ast::Expr* e : conjuncts)
    if (semi_join_candidate(*e)) return bind_where_conjuncts(*where, c);
  return to_bool(bind(*where, c), "argument of WHERE", where->location);
}

PlannedStatement Binder::plan_update(const ast::UpdateStmt& s) {
  if (!s.unsupported_feature.empty()) throw_unsupported(s.unsupported_feature);
  bind_with(s.with, s.with_recursive, [&s](const std::string& name) { return dml_body_references(name, s); });
  std::optional<ViewTarget> view;  // UPDATE of a view: rel is the view's columns, target the table's
  Scope scope = open_scope(s.table, 'u', &view);
  const int rel = scope.rels[0];
  const int target = view ? view->base : rel;
  std::vector<std::unique_ptr<JoinTree>> from = bind_dml_from(s.from, scope);

  ExprCtx c;
  c.scope = &scope;
  c.clause = "UPDATE";
  c.decorrelate = true;
  std::vector<ExprPtr> set =
      bind_assignments(s.assignments, c, rel, s.table.location, view ? &*view : nullptr);

  ExprPtr where = bind_where(s.where, scope);
  if (view) where = view_where(*view, std::move(where));
  ExprPtr post_join = take_post_join(where);
  PlannedStatement out;
  out.command = "UPDATE";
  // RETURNING is bound before the scans are made: they read the FROM columns it names.
  std::unique_ptr<plan::ProjectOp> returning;
  if (!s.returning.empty()) returning = bind_returning(s.returning, scope, out);
  if (returning && view)
    for (ExprPtr& x : returning->exprs) substitute_view(x, *view);
  ColumnId key = new_id();
  OpPtr cur = plan_dml_rows(target, key, true, std::move(from), std::move(where));
  cur = apply_semi_joins(std::move(cur));
  if (post_join) {
    auto filter = wrap<plan::FilterOp>(std::move(cur));
    filter->predicate = std::move(post_join);
    cur = std::move(filter);
  }
  if (view) finish_view_write(*view, *cur);
  auto update = std::make_unique<plan::UpdateOp>();
  update->table = rels_[static_cast<size_t>(target)].table;
  update->key_column = key;
  update->once = !s.from.empty();
  update->set_exprs = std::move(set);
  update->checks = bind_row_checks(*update->table);
  if (view) add_view_checks(update->checks, *view);
  update->children.push_back(std::move(cur));
  if (!returning) {
    out.plan.root = std::move(update);
    return out;
  }
  // RETURNING reads the new row: its columns, in place of the scanned ones.
  update->returning = true;
  std::vector<ColumnId> new_values;
  const storage::TableDef& table = *update->table;
  for (const auto& col : table.columns) {
    new_values.push_back(new_id());
    update->output.push_back({new_values.back(), col.name, col.type});
  }
  attach_returning(std::move(returning), target, std::move(update), new_values, out);
  return out;
}

PlannedStatement Binder::plan_delete(const ast::DeleteStmt& s) {
  if (!s.unsupported_feature.empty()) throw_unsupported(s.unsupported_feature);
  bind_with(s.with, s.with_recursive, [&s](const std::string& name) { return dml_body_references(name, s); });
  std::optional<ViewTarget> view;  // DELETE from a view: rel is the view's columns, target the table's
  Scope scope = open_scope(s.table, 'd', &view);
  const int rel = scope.rels[0];
  const int target = view ? view->base : rel;
  std::vector<std::unique_ptr<JoinTree>> from = bind_dml_from(s.using_items, scope);
  ExprPtr predicate = bind_where(s.where, scope);
  if (view) predicate = view_where(*view, std::move(predicate));
  ExprPtr post_join = take_post_join(predicate);
  PlannedStatement out;
  out.command = "DELETE";
  std::unique_ptr<plan::ProjectOp> returning;
  if (!s.returning.empty()) returning = bind_returning(s.returning, scope, out);
  if (returning && view)
    for (ExprPtr& x : returning->exprs) substitute_view(x, *view);
  // (RETURNING reads the deleted rows: every column; through a view, the view's WHERE reads some.)
  ColumnId key = new_id();
  OpPtr cur = plan_dml_rows(target, key, !s.returning.empty() || view, std::move(from), std::move(predicate));
  cur = apply_semi_joins(std::move(cur));
  if (post_join) {
    auto filter = wrap<plan::FilterOp>(std::move(cur));
    filter->predicate = std::move(post_join);
    cur = std::move(filter);
  }
  if (view) finish_view_write(*view, *cur);
  auto del = std::make_unique<plan::DeleteOp>();
  del->table = rels_[static_cast<size_t>(target)].table;
  del->key_column = key;
  del->once = !s.using_items.empty();
  del->children.push_back(std::move(cur));
  if (!returning) {
    out.plan.root = std::move(del);
    return out;
  }
  del->returning = true;
  attach_returning(std::move(returning), target, std::move(del), {}, out);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Literal lifting and the physical touches

// Lifts the non-NULL constants of `e` into params; `literals` gets each one's Expr::literal and type.
void lift(ExprPtr& e, std::vector<Value>& params, std::vector<std::pair<int, TypeId>>& literals,
          const dtsql::EvalContext& dt) {
  if (!e) return;
  if (is_unknown_param(*e))  // a use of $n left untyped while another use fixed its type
    throw SqlError(SqlState::AmbiguousParameter,
                   "could not determine data type of parameter $" + std::to_string(e->param + 1));
  if (e->op == ExprOp::Constant && !e->constant.is_null()) {
    TypeId t = e->type == TypeId::Unknown ? TypeId::Text : e->type;
    Value v = detail::convert_value(e->constant, t, dt);
    const int literal = e->literal;
    e = Expr::make_param(static_cast<int>(params.size()), t);
    e->literal = literal;  // index matching consults it (detail::consult_literal)
    params.push_back(std::move(v));
    literals.emplace_back(literal, t);
    return;
  }
  if (e->op == ExprOp::Constant && e->type == TypeId::Unknown) e->type = TypeId::Text;
  for (auto& a : e->args) lift(a, params, literals, dt);
}

void lift_op(Op& op, std::vector<Value>& params, std::vector<std::pair<int, TypeId>>& literals,
             const dtsql::EvalContext& dt) {
  for (auto& child : op.children) lift_op(*child, params, literals, dt);
  op.for_each_expr([&](ExprPtr& x) { lift(x, params, literals, dt); });
}

plan::ValuesOp* find_values(Op& op) {
  if (op.is<plan::ValuesOp>()) return &op.as<plan::ValuesOp>();
  for (auto& c : op.children)
    if (plan::ValuesOp* v = find_values(*c)) return v;
  return nullptr;
}

void find_scans(Op& op, std::vector<plan::TableScanOp*>& out) {
  if (op.is<plan::TableScanOp>()) out.push_back(&op.as<plan::TableScanOp>());
  for (auto& c : op.children) find_scans(*c, out);
}

void find_index_scans(Op& op, std::vector<plan::IndexScanOp*>& out) {
  if (op.is<plan::IndexScanOp>()) out.push_back(&op.as<plan::IndexScanOp>());
  for (auto& c : op.children) find_index_scans(*c, out);
}

void Binder::finish(PlannedStatement& out) {
  plan::PhysicalPlan& p = out.plan;
  // The client's parameters come first (placeholders), then the lifted literals.
  if (param_types_) out.param_types = *param_types_;
  for (TypeId t : out.param_types) out.params.push_back(Value::null(t));
  out.tables = tables_;
  p.subplans = std::move(subplans_);
  // The query's tree and its subqueries' trees (PhysicalPlan::subplans) go through the same steps.
  std::vector<plan::OpPtr*> trees{&p.root};
  for (auto& sub : p.subplans) trees.push_back(&sub);
  std::vector<std::pair<int, TypeId>> literals(out.params.size(), {-1, TypeId::Unknown});
  for (plan::OpPtr* t : trees) {
    detail::fold_null_inputs(**t);
    lift_op(**t, out.params, literals, dt());
  }
  if (!matrix_values_.empty()) {
    // The values matrix comes last: generated code counts its rows from the number of params.
    find_values(*p.root)->matrix_param_base = static_cast<int>(out.params.size());
    for (auto& v : matrix_values_) out.params.push_back(std::move(v));
    out.matrix_sources = std::move(matrix_sources_);
    for (int l : matrix_literals_) literals.emplace_back(l, TypeId::Unknown);  // stored as converted
  }
  std::vector<plan::TableScanOp*> scans;
  std::vector<plan::IndexScanOp*> index_scans;
  for (plan::OpPtr* t : trees) {
    detail::check_key_types(**t);
    detail::choose_key_ranges(**t, out.params, out.param_types.size());
    detail::elide_sorts(*t);
    detail::limit_sorts(**t);
    detail::mark_unordered_scans(**t, false);
    find_scans(**t, scans);
    find_index_scans(**t, index_scans);
  }
  if (ctx_.literals) {
    out.literals.resize(out.params.size());
    for (size_t i = 0; i < out.params.size() && i < literals.size(); ++i) {
      const auto [index, type] = literals[i];
      if (index < 0) continue;
      LiteralParam origin = trace_.origins[static_cast<size_t>(index)];
      if (trace_.consulted[static_cast<size_t>(origin.literal)]) continue;
      origin.lifted = type;
      out.literals[i] = origin;
    }
  }
  uint64_t total = 0;
  // An equality on table column `column`: the fraction ANALYZE's statistics give, else PostgreSQL's
  // default 0.005.
  auto eq_fraction = [&](const storage::TableDef& table, int column) {
    double f = column >= 0 && ctx_.eq_selectivity ? ctx_.eq_selectivity(table, column) : 0;
    return f > 0 ? f : 0.005;
  };
  for (plan::IndexScanOp* scan : index_scans) {
    // PostgreSQL's default selectivities, as for a primary-key range below.
    double rows = static_cast<double>(ctx_.row_estimate ? ctx_.row_estimate(scan->table->id) : 0);
    for (size_t i = 0; i < scan->range.eq.size(); ++i)
      rows *= eq_fraction(*scan->table, scan->index_column(i));
    if (scan->range.lower && scan->range.upper) {
      rows *= 0.005;
    } else if (scan->range.lower || scan->range.upper) {
      rows /= 3;
    }
    scan->estimated_rows = rows < 1 ? 1 : static_cast<uint64_t>(rows);
    total += scan->estimated_rows;
  }
  for (plan::TableScanOp* scan : scans) {
    uint64_t est = ctx_.row_estimate ? ctx_.row_estimate(scan->table->id) : 0;
    const auto& pk = scan->table->primary_key;
    const auto& range = scan->range;
    if (!pk.empty() && range.eq.size() == pk.size()) {
      est = 1;
    } else if (!range.is_full() && est > 0) {
      // PostgreSQL's default selectivities: 0.005 per equality (or ANALYZE's), 0.005 for a two-sided
      // range, 1/3 for a one-sided one.
      double rows = static_cast<double>(est);
      for (size_t i = 0; i < range.eq.size(); ++i) rows *= eq_fraction(*scan->table, pk[i]);
      if (range.lower && range.upper) {
        rows *= 0.005;
      } else if (range.lower || range.upper) {
        rows /= 3;
      }
      est = rows < 1 ? 1 : static_cast<uint64_t>(rows);
    }
    scan->estimated_rows = est;
    scan->sealed_blocks = ctx_.sealed_blocks ? ctx_.sealed_blocks(scan->table->id) : 0;
    total += est;
  }
  if (!scans.empty() || !index_scans.empty()) {
    p.estimated_rows = total;  // rows the scans read (a join touches each side's rows)
  } else {
    p.estimated_rows = values_rows_ ? values_rows_ : 1;
  }
  detail::build_pipelines(p);
  out.shape_key = detail::serialize_shape(p);
}

PlannedStatement Binder::plan(const ast::Stmt& stmt) {
  PlannedStatement out;
  switch (stmt.kind) {
    case ast::StmtKind::Select:
      top_with_ = &static_cast<const ast::SelectStmt&>(stmt).with;
      out = plan_select(static_cast<const ast::SelectStmt&>(stmt));
      break;
    case ast::StmtKind::Insert:
      top_with_ = &static_cast<const ast::InsertStmt&>(stmt).with;
      out = plan_insert(static_cast<const ast::InsertStmt&>(stmt));
      break;
    case ast::StmtKind::Update:
      top_with_ = &static_cast<const ast::UpdateStmt&>(stmt).with;
      out = plan_update(static_cast<const ast::UpdateStmt&>(stmt));
      break;
    case ast::StmtKind::Delete:
      top_with_ = &static_cast<const ast::DeleteStmt&>(stmt).with;
      out = plan_delete(static_cast<const ast::DeleteStmt&>(stmt));
      break;
    default:
      throw SqlError(SqlState::InternalError, "plan_statement called with a statement that is not planned");
  }
  out.data_modifying_with = data_modifying_with_;
  check_params_resolved();
  finish(out);
  return out;
}

std::vector<Value> Binder::evaluate_parameters(const std::vector<ast::ExprPtr>& args,
                                               const std::vector<TypeId>& types) {
  std::vector<Value> values;
  for (size_t i = 0; i < args.size() && i < types.size(); ++i) {
    const ast::Expr& a = *args[i];
    ExprCtx c;
    c.clause = "EXECUTE parameter";
    c.no_variables = true;
    ExprPtr x = bind(a, c);
    TypeId from = x->type, to = types[i];
    if (!(from == to || from == TypeId::Unknown || (is_numeric(from) && is_numeric(to)) ||
          to == TypeId::Text || to == TypeId::BpChar ||
          (is_datetime(from) && is_datetime(to) && dtsql::can_cast(from, to))))
      fail(SqlState::DatatypeMismatch,
           "parameter $" + std::to_string(i + 1) + " of type " + tn(from) +
               " cannot be coerced to the expected type " + tn(to),
           a.location, "You will need to rewrite or cast the expression.");
    try {
      x = convert(std::move(x), to);
    } catch (SqlError& err) {
      if (err.position() == 0) std::move(err).at(pos_of(a.location));
      throw;
    }
    if (x->op != ExprOp::Constant)
      throw_unsupported("EXECUTE parameters that are not constants", pos_of(a.location));
    values.push_back(x->constant.is_null() ? Value::null(to) : x->constant);
  }
  return values;
}

// ---------------------------------------------------------------------------------------------------
// Window functions
//
// f(...) OVER (...) is allowed in the select list and ORDER BY (elsewhere 42P20, inside an aggregate
// 42803, inside another window function 42P20, as PostgreSQL). Each call is bound where it appears, like an
// aggregate: its arguments, PARTITION BY and ORDER BY over the FROM columns (or, in a grouped query, over
// the groups: sum(sum(x)) OVER (...)), its frame, and a new column that stands for its value. bind_select
// then calls plan_windows above the grouping and HAVING: one WindowOp per distinct PARTITION BY + ORDER
// BY, stacked, each under a Project computing the arguments and keys that are not plain columns. The
// select list's Project, DISTINCT, ORDER BY and LIMIT read the window columns like any other.

bool Binder::is_window_output(ColumnId id) const {
  for (const WindowBinding& w : wins_)
    if (w.out.id == id) return true;
  return false;
}

Binder::ResolvedWindow Binder::resolve_window(const ast::WindowDef& d, size_t visible, int location) {
  ResolvedWindow r;
  r.location = d.location >= 0 ? d.location : location;
  if (d.refname.empty()) {
    r.partition = &d.partition_by;
    r.order = &d.order_by;
    r.frame_options = d.frame_options;
    r.start_offset = d.start_offset.get();
    r.end_offset = d.end_offset.get();
    return r;
  }
  const ast::WindowDef* named = nullptr;
  for (size_t i = 0; window_clause_ && i < visible && i < window_clause_->size(); ++i)
    if ((*window_clause_)[i].name == d.refname) named = &(*window_clause_)[i];
  if (!named) fail(SqlState::UndefinedObject, "window \"" + d.refname + "\" does not exist", r.location);
  ResolvedWindow base = resolve_window(*named, static_cast<size_t>(named - window_clause_->data()), location);
  if (d.bare_ref) return base;  // OVER w: the named window, frame and all
  if (!d.partition_by.empty())
    fail(SqlState::WindowingError, "cannot override PARTITION BY clause of window \"" + d.refname + "\"",
         r.location);
  if (!d.order_by.empty() && !base.order->empty())
    fail(SqlState::WindowingError, "cannot override ORDER BY clause of window \"" + d.refname + "\"",
         r.location);
  if (base.frame_options & ast::kFrameNonDefault)
    fail(SqlState::WindowingError, "cannot copy window \"" + d.refname + "\" because it has a frame clause",
         r.location,
         d.order_by.empty() && !(d.frame_options & ast::kFrameNonDefault)
             ? "Omit the parentheses in this OVER clause."
             : "");
  r.partition = base.partition;
  r.order = d.order_by.empty() ? base.order : &d.order_by;
  r.frame_options = d.frame_options;
  r.start_offset = d.start_offset.get();
  r.end_offset = d.end_offset.get();
  return r;
}

void Binder::check_window_clause(const std::vector<ast::WindowDef>& windows) {
  for (size_t i = 0; i < windows.size(); ++i) {
    for (size_t j = 0; j < i; ++j)
      if (windows[j].name == windows[i].name)
        fail(SqlState::WindowingError, "window \"" + windows[i].name + "\" is already defined",
             windows[i].location);
    resolve_window(windows[i], i, windows[i].location);
  }
}

void Binder::bind_frame(const ResolvedWindow& w, WindowBinding& out) {
  const int f = w.frame_options;
  const int offsets = ast::kFrameStartOffsetPreceding | ast::kFrameStartOffsetFollowing |
                      ast::kFrameEndOffsetPreceding | ast::kFrameEndOffsetFollowing;
  const bool range_offsets = (f & ast::kFrameRange) && (f & offsets);
  if (range_offsets && w.order->size() != 1)
    fail(SqlState::WindowingError,
         "RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column", w.location);
  if ((f & ast::kFrameGroups) && w.order->empty())
    fail(SqlState::WindowingError, "GROUPS mode requires an ORDER BY clause", w.location);
  plan::WindowFrame& fr = out.frame;
  fr.rows = (f & ast::kFrameRows) != 0;
  fr.groups = (f & ast::kFrameGroups) != 0;
  fr.exclude = (f & ast::kFrameExcludeCurrentRow) ? FrameExclusion::CurrentRow
               : (f & ast::kFrameExcludeGroup)    ? FrameExclusion::Group
               : (f & ast::kFrameExcludeTies)     ? FrameExclusion::Ties
                                                  : FrameExclusion::NoOthers;
  fr.start = (f & ast::kFrameStartCurrentRow)           ? FrameBound::CurrentRow
             : (f & ast::kFrameStartOffsetPreceding)    ? FrameBound::OffsetPreceding
             : (f & ast::kFrameStartOffsetFollowing)    ? FrameBound::OffsetFollowing
             : (f & ast::kFrameStartUnboundedFollowing) ? FrameBound::UnboundedFollowing
                                                        : FrameBound::UnboundedPreceding;
  fr.end = (f & ast::kFrameEndUnboundedFollowing)   ? FrameBound::UnboundedFollowing
           : (f & ast::kFrameEndOffsetPreceding)    ? FrameBound::OffsetPreceding
           : (f & ast::kFrameEndOffsetFollowing)    ? FrameBound::OffsetFollowing
           : (f & ast::kFrameEndUnboundedPreceding) ? FrameBound::UnboundedPreceding
                                                    : FrameBound::CurrentRow;
  const char* mode = fr.rows ? "ROWS" : fr.groups ? "GROUPS" : "RANGE";
  auto bind_offset = [&](const ast::Expr* e) {
    ExprCtx c;
    c.clause = mode;
    c.no_variables = true;
    return bind(*e, c);
  };
  // ROWS and GROUPS offsets: bigint (a number is assigned to it, as PostgreSQL coerces it: 1.5 is 2),
  // without variables, evaluated once (the runtime checks NULL and negatives).
  auto count_offset = [&](const ast::Expr* e) -> ExprPtr {
    if (!e) return nullptr;
    ExprPtr x = bind_offset(e);
    if (!is_numeric(x->type) && x->type != TypeId::Unknown)
      fail(SqlState::DatatypeMismatch,
           std::string("argument of ") + mode + " must be type bigint, not type " + tn(x->type), e->location);
    return convert(std::move(x), TypeId::Int64);
  };
  // RANGE offsets: the ORDER BY value minus or plus the offset, per row (PostgreSQL's in_range support
  // functions: integers with an integer offset, computed in bigint; double precision and numeric with
  // a number; date (as timestamp), time, timestamp, timestamptz and interval with an interval).
  auto range_offset = [&](const ast::Expr* e, bool preceding, ExprPtr& check, ExprPtr& bound) {
    ExprPtr off = bind_offset(e);
    const ExprPtr& key = out.order.at(0);
    const TypeId kt = key->type;
    TypeId offset_type = TypeId::Unknown, bound_type = kt;
    bool fits = off->type == TypeId::Unknown;
    switch (kt) {
      case TypeId::Int16:
      case TypeId::Int32:
      case TypeId::Int64:
        offset_type = bound_type = TypeId::Int64;
        fits = fits || is_integer(off->type);
        break;
      case TypeId::Float32:  // in_range(float4, float4, float8): in double precision
        bound_type = TypeId::Float64;
        [[fallthrough]];
      case TypeId::Float64:
        offset_type = TypeId::Float64;
        fits = fits || is_integer(off->type) || off->type == TypeId::Numeric || is_float(off->type);
        break;
      case TypeId::Numeric:
        offset_type = TypeId::Numeric;
        fits = fits || is_integer(off->type) || off->type == TypeId::Numeric;
        break;
      case TypeId::Date:
        bound_type = TypeId::Timestamp;
        [[fallthrough]];
      case TypeId::Time:
      case TypeId::Timestamp:
      case TypeId::TimestampTz:
      case TypeId::Interval:
        offset_type = TypeId::Interval;
        fits = fits || off->type == TypeId::Interval;
        break;
      default:
        fail(SqlState::FeatureNotSupported,
             "RANGE with offset PRECEDING/FOLLOWING is not supported for column type " + tn(kt), e->location);
    }
    if (!fits)
      fail(SqlState::FeatureNotSupported,
           "RANGE with offset PRECEDING/FOLLOWING is not supported for column type " + tn(kt) +
               " and offset type " + tn(off->type),
           e->location, "Cast the offset value to an appropriate type.");
    off = convert(std::move(off), offset_type);
    std::vector<ExprPtr> c;  // CASE WHEN off IS NULL THEN NULL WHEN off < 0 THEN -1 ELSE 0 END
    c.push_back(Expr::make(ExprOp::IsNull, TypeId::Bool, list(detail::clone(*off))));
    c.push_back(Expr::make_constant(Value::null(TypeId::Int64), TypeId::Int64));
    c.push_back(bind_binary(ast::BinaryOp::Lt, detail::clone(*off),
                            convert(Expr::make_constant(Value::text("0"), TypeId::Unknown), offset_type),
                            e->location));
    c.push_back(Expr::make_constant(Value::int64(-1), TypeId::Int64));
    c.push_back(Expr::make_constant(Value::int64(0), TypeId::Int64));
    check = Expr::make(ExprOp::Case, TypeId::Int64, std::move(c));
    if (!out.range_key) out.range_key = convert(detail::clone(*key), bound_type);
    const bool minus = preceding != out.order_dirs.at(0).descending;
    bound = bind_binary(minus ? ast::BinaryOp::Sub : ast::BinaryOp::Add, detail::clone(*out.range_key),
                        std::move(off), e->location);
    if (bound->type != bound_type)
      fail(SqlState::InternalError,
           "RANGE offset bound of type " + tn(bound->type) + " for " + tn(bound_type), e->location);
  };
  const bool start_offset =
      fr.start == FrameBound::OffsetPreceding || fr.start == FrameBound::OffsetFollowing;
  const bool end_offset = fr.end == FrameBound::OffsetPreceding || fr.end == FrameBound::OffsetFollowing;
  if (range_offsets) {
    if (start_offset)
      range_offset(w.start_offset, fr.start == FrameBound::OffsetPreceding, fr.start_offset, out.start_bound);
    if (end_offset)
      range_offset(w.end_offset, fr.end == FrameBound::OffsetPreceding, fr.end_offset, out.end_bound);
    return;
  }
  if (start_offset) fr.start_offset = count_offset(w.start_offset);
  if (end_offset) fr.end_offset = count_offset(w.end_offset);
}

ExprPtr Binder::bind_window_call(const ast::Expr& e, ExprCtx& c) {
  const std::string& name = e.func_name;
  const bool aggregate = is_aggregate_name(name);
  if (!aggregate && !is_window_function_name(name))
    fail(SqlState::WrongObjectType,
         "OVER specified, but " + name + " is not a window function nor an aggregate function", e.location);
  if (c.in_window) fail(SqlState::WindowingError, "window function calls cannot be nested", e.location);
  if (c.in_agg)
    fail(SqlState::GroupingError, "aggregate function calls cannot contain window function calls",
         e.location);
  if (!c.allow_window)
    fail(SqlState::WindowingError,
         "window functions are not allowed in " + (c.clause.empty() ? std::string("this context") : c.clause),
         e.location);
  if (e.agg_distinct)
    fail(SqlState::FeatureNotSupported, "DISTINCT is not implemented for window functions", e.location);
  if (!e.agg_order.empty())
    fail(SqlState::FeatureNotSupported, "aggregate ORDER BY is not implemented for window functions",
         e.location);
  if (e.agg_filter)
    throw_unsupported(is_aggregate_name(e.func_name) ? "FILTER in aggregate window functions"
                                                     : "FILTER for non-aggregate window functions",
                      pos_of(e.location));
  ExprCtx inner = c;
  inner.in_window = true;
  inner.allow_window = false;
  WindowBinding w;
  TypeId type = TypeId::Int64;
  ColumnId id = -1;
  if (aggregate) {
    // The aggregate's argument and result type exactly as for GROUP BY (bind_aggregate), but not one of
    // the query's aggregates: take it back out of aggs_ (aggregates inside its argument stay there).
    inner.window_args = true;
    std::vector<AggregateCall> outer_aggs = std::move(aggs_);
    std::vector<OutputColumn> outer_out = std::move(agg_out_);
    aggs_.clear();
    agg_out_.clear();
    auto restore = [&] {
      outer_aggs.insert(outer_aggs.end(), std::make_move_iterator(aggs_.begin()),
                        std::make_move_iterator(aggs_.end()));
      outer_out.insert(outer_out.end(), agg_out_.begin(), agg_out_.end());
      aggs_ = std::move(outer_aggs);
      agg_out_ = std::move(outer_out);
    };
    try {
      bind_aggregate(e, inner);
    } catch (...) {
      restore();
      throw;
    }
    AggregateCall call = std::move(aggs_.back());
    id = agg_out_.back().id;
    aggs_.pop_back();
    agg_out_.pop_back();
    restore();
    switch (call.func) {
      case AggFunc::CountStar:
        w.func = WindowFunction::CountStar;
        break;
      case AggFunc::Count:
        w.func = WindowFunction::Count;
        break;
      case AggFunc::Sum:
        w.func = WindowFunction::Sum;
        break;
      case AggFunc::Avg:
        w.func = WindowFunction::Avg;
        break;
      case AggFunc::Min:
        w.func = WindowFunction::Min;
        break;
      case AggFunc::Max:
        w.func = WindowFunction::Max;
        break;
      default:  // string_agg, array_agg, the variances, bool and bit aggregates, ordered-set aggregates
        throw_unsupported(name + " as a window function", pos_of(e.location));
    }
    if (call.arg) w.args.push_back(std::move(call.arg));
    type = call.type;
  } else {
    if (e.agg_star)
      fail(SqlState::WrongObjectType, name + "(*) specified, but " + name + " is not an aggregate function",
           e.location);
    for (const auto& a : e.args) w.args.push_back(bind(*a, inner));
    auto& args = w.args;
    auto no_such = [&] {
      fail(SqlState::UndefinedFunction, "function " + signature(name, args) + " does not exist", e.location,
           kFuncHint);
    };
    // An integer argument (ntile's buckets, lag's offset, nth_value's n): int4, as PostgreSQL declares it.
    auto int_arg = [&](size_t i) {
      if (args[i]->type == TypeId::Unknown || args[i]->type == TypeId::Int16)
        args[i] = convert(std::move(args[i]), TypeId::Int32);
      if (args[i]->type != TypeId::Int32) no_such();
    };
    auto value_arg = [&] {
      if (args[0]->type == TypeId::Unknown && !is_unknown_param(*args[0]))
        args[0] = convert(std::move(args[0]), TypeId::Text);
      type = args[0]->type;
    };
    if (name == "row_number" || name == "rank" || name == "dense_rank" || name == "percent_rank" ||
        name == "cume_dist") {
      if (!args.empty()) {
        if (name == "row_number") no_such();
        fail(SqlState::WrongObjectType, "WITHIN GROUP is required for ordered-set aggregate " + name,
             e.location);
      }
      w.func = name == "row_number"     ? WindowFunction::RowNumber
               : name == "rank"         ? WindowFunction::Rank
               : name == "dense_rank"   ? WindowFunction::DenseRank
               : name == "percent_rank" ? WindowFunction::PercentRank
                                        : WindowFunction::CumeDist;
      type = name == "percent_rank" || name == "cume_dist" ? TypeId::Float64 : TypeId::Int64;
    } else if (name == "ntile") {
      if (args.size() != 1) no_such();
      int_arg(0);
      w.func = WindowFunction::Ntile;
      type = TypeId::Int32;  // ntile(integer) returns integer (the runtime's int64 Datum is read as int4)
    } else if (name == "lag" || name == "lead") {
      if (args.empty() || args.size() > 3) no_such();
      if (args.size() > 1) int_arg(1);
      if (args.size() == 3) {
        // lag(anycompatible, integer, anycompatible): the value and the default take a common type.
        TypeId v = args[0]->type, d = args[2]->type;
        TypeId t = v;
        if (v == TypeId::Unknown && d == TypeId::Unknown)
          t = TypeId::Text;
        else if (v == TypeId::Unknown)
          t = d;
        else if (d != TypeId::Unknown && v != d) {
          if (!(is_numeric(v) && is_numeric(d)) && !(is_date_or_timestamp(v) && is_date_or_timestamp(d)))
            no_such();
          t = wider(v, d);
        }
        args[0] = convert(std::move(args[0]), t);
        args[2] = convert(std::move(args[2]), t);
      }
      value_arg();
      w.func = name == "lag" ? WindowFunction::Lag : WindowFunction::Lead;
    } else if (name == "first_value" || name == "last_value") {
      if (args.size() != 1) no_such();
      value_arg();
      w.func = name == "first_value" ? WindowFunction::FirstValue : WindowFunction::LastValue;
    } else {  // nth_value
      if (args.size() != 2) no_such();
      int_arg(1);
      value_arg();
      w.func = WindowFunction::NthValue;
    }
    for (const auto& a : args)
      if (is_unknown_param(*a))
        fail(SqlState::IndeterminateDatatype,
             "could not determine data type of parameter $" + std::to_string(a->param + 1), e.location);
  }

  // The window: PARTITION BY, ORDER BY (expressions, never positions) and the frame.
  ResolvedWindow rw = resolve_window(*e.over, window_clause_ ? window_clause_->size() : 0, e.location);
  for (const auto& p : *rw.partition) {
    ExprPtr x = bind(*p, inner);
    if (x->type == TypeId::Unknown) x = convert(std::move(x), TypeId::Text);
    w.partition.push_back(std::move(x));
  }
  for (const ast::OrderItem& item : *rw.order) {
    ExprPtr x = bind(*item.expr, inner);
    if (x->type == TypeId::Unknown) x = convert(std::move(x), TypeId::Text);
    plan::SortKey k;
    k.descending = item.descending;
    k.nulls_first = item.nulls_first.value_or(item.descending);
    w.order.push_back(std::move(x));
    w.order_dirs.push_back(k);
  }
  bind_frame(rw, w);

  // The same call twice (in the select list and ORDER BY) is computed once.
  auto same_list = [](const std::vector<ExprPtr>& a, const std::vector<ExprPtr>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (!same_expr(*a[i], *b[i])) return false;
    return true;
  };
  auto same_offset = [](const ExprPtr& a, const ExprPtr& b) {
    return (!a && !b) || (a && b && same_expr(*a, *b));
  };
  for (const WindowBinding& o : wins_) {
    bool same = o.func == w.func && o.out.type == type && same_list(o.args, w.args) &&
                same_list(o.partition, w.partition) && same_list(o.order, w.order) &&
                o.frame.rows == w.frame.rows && o.frame.groups == w.frame.groups &&
                o.frame.exclude == w.frame.exclude && o.frame.start == w.frame.start &&
                o.frame.end == w.frame.end && same_offset(o.frame.start_offset, w.frame.start_offset) &&
                same_offset(o.frame.end_offset, w.frame.end_offset) &&
                same_offset(o.start_bound, w.start_bound) && same_offset(o.end_bound, w.end_bound);
    for (size_t i = 0; same && i < o.order_dirs.size(); ++i)
      same = o.order_dirs[i].descending == w.order_dirs[i].descending &&
             o.order_dirs[i].nulls_first == w.order_dirs[i].nulls_first;
    if (same) return Expr::make_column(o.out.id, type);
  }
  if (id < 0) id = new_id();
  w.out = {id, name, type};
  wins_.push_back(std::move(w));
  return Expr::make_column(id, type);
}

OpPtr Binder::plan_windows(OpPtr cur) {
  auto same_window = [](const WindowBinding& a, const WindowBinding& b) {
    if (a.partition.size() != b.partition.size() || a.order.size() != b.order.size()) return false;
    for (size_t i = 0; i < a.partition.size(); ++i)
      if (!same_expr(*a.partition[i], *b.partition[i])) return false;
    for (size_t i = 0; i < a.order.size(); ++i)
      if (!same_expr(*a.order[i], *b.order[i]) || a.order_dirs[i].descending != b.order_dirs[i].descending ||
          a.order_dirs[i].nulls_first != b.order_dirs[i].nulls_first)
        return false;
    return true;
  };
  std::vector<bool> done(wins_.size(), false);
  for (size_t i = 0; i < wins_.size(); ++i) {
    if (done[i]) continue;
    // Below the window: its input's columns, plus the arguments and keys that are not plain columns.
    auto project = std::make_unique<plan::ProjectOp>();
    for (const OutputColumn& in : cur->output) {
      project->exprs.push_back(Expr::make_column(in.id, in.type));
      project->output.push_back(in);
    }
    const size_t passed = project->output.size();
    auto column_of = [&](const ExprPtr& x) -> ColumnId {
      for (size_t k = 0; k < project->exprs.size(); ++k)
        if (same_expr(*project->exprs[k], *x)) return project->output[k].id;
      ColumnId id = new_id();
      project->output.push_back({id, plan::to_string(*x, col_names_), x->type});
      project->exprs.push_back(detail::clone(*x));
      return id;
    };
    auto win = std::make_unique<plan::WindowOp>();
    WindowBinding& first = wins_[i];
    for (const auto& k : first.partition) win->partition_keys.push_back(column_of(k));
    for (size_t k = 0; k < first.order.size(); ++k) {
      plan::SortKey key = first.order_dirs[k];
      key.column = column_of(first.order[k]);
      win->order_keys.push_back(key);
    }
    std::vector<OutputColumn> outs;
    for (size_t j = i; j < wins_.size(); ++j) {
      if (done[j] || (j != i && !same_window(first, wins_[j]))) continue;
      done[j] = true;
      WindowBinding& wj = wins_[j];
      plan::WindowCall call;
      call.func = wj.func;
      for (const auto& a : wj.args) call.args.push_back(column_of(a));
      call.type = wj.out.type;
      call.frame = std::move(wj.frame);
      if (wj.range_key) call.frame.range_key = column_of(wj.range_key);
      if (wj.start_bound) call.frame.start_bound = column_of(wj.start_bound);
      if (wj.end_bound) call.frame.end_bound = column_of(wj.end_bound);
      win->functions.push_back(std::move(call));
      outs.push_back(wj.out);
    }
    if (project->output.size() > passed) {
      project->children.push_back(std::move(cur));
      cur = std::move(project);
    }
    win->output = cur->output;
    win->output.insert(win->output.end(), outs.begin(), outs.end());
    win->children.push_back(std::move(cur));
    cur = std::move(win);
  }
  // The window columns stay known as such (is_window_output) until the query level ends.
  return cur;
}

}  // namespace

std::vector<Value> PlannedStatement::parameters(const std::vector<Value>& client,
                                                const dtsql::EvalContext& dt) const {
  std::vector<Value> out = params;
  for (size_t i = 0; i < client.size() && i < out.size(); ++i) out[i] = client[i];
  if (!matrix_sources.empty()) {
    size_t base = out.size() - matrix_sources.size();
    for (size_t i = 0; i < matrix_sources.size(); ++i)
      if (matrix_sources[i] >= 0)
        out[base + i] =
            detail::convert_value(out[static_cast<size_t>(matrix_sources[i])], params[base + i].type(), dt);
  }
  return out;
}

// The defaults of some columns as a one-row result: VALUES of the columns' default expressions (bound and
// assigned as INSERT binds them) under a projection.
PlannedStatement Binder::plan_defaults(const storage::TableDef& table, const std::vector<int>& columns) {
  auto values = std::make_unique<plan::ValuesOp>();
  std::vector<ExprPtr> row;
  for (int c : columns) {
    const storage::ColumnDef& col = table.columns[static_cast<size_t>(c)];
    row.push_back(column_default(table, col));
    values->output.push_back({new_id(), col.name, col.type});
  }
  values->rows.push_back(std::move(row));
  auto project = std::make_unique<plan::ProjectOp>();
  for (const OutputColumn& in : values->output) {
    project->exprs.push_back(Expr::make_column(in.id, in.type));
    project->output.push_back({new_id(), in.name, in.type});
  }
  project->children.push_back(std::move(values));
  return finish_select(std::move(project));
}

PlannedStatement Binder::finish_select(OpPtr root) {
  PlannedStatement out;
  out.command = "SELECT";
  out.plan.result_columns = root->output;
  out.plan.root = std::move(root);
  finish(out);
  return out;
}

PlannedStatement Binder::plan_copy_checks(const storage::TableDef& table) {
  std::unique_ptr<plan::ValuesOp> values = param_row(table);
  auto project = std::make_unique<plan::ProjectOp>();
  plan::RowChecks checks = bind_row_checks(table, values->output);
  for (ExprPtr& x : checks.predicates) {
    project->exprs.push_back(std::move(x));
    project->output.push_back({new_id(), "check", TypeId::Bool});
  }
  project->children.push_back(std::move(values));
  return finish_select(std::move(project));
}

// `ctx` with parameters $1..$n typed as `table`'s columns: for the plans that evaluate expressions over a
// row the caller gives (Binder::param_row).
static PlannerContext with_row_params(const storage::TableDef& table, const PlannerContext& ctx) {
  PlannerContext out = ctx;
  out.param_types.emplace();
  for (const storage::ColumnDef& col : table.columns) out.param_types->push_back(col.type);
  return out;
}

PlannedStatement plan_copy_checks(const storage::TableDef& table, const PlannerContext& ctx) {
  const PlannerContext with_params = with_row_params(table, ctx);
  Binder binder(with_params);
  return binder.plan_copy_checks(table);
}

PlannedStatement plan_column_defaults(const storage::TableDef& table, const std::vector<int>& columns,
                                      const PlannerContext& ctx) {
  Binder binder(ctx);
  return binder.plan_defaults(table, columns);
}

namespace {
thread_local detail::LiteralTrace* current_trace = nullptr;  // the planning binder's, with literals traced
}  // namespace

void detail::consult_literal(const plan::Expr& e) {
  if (e.literal < 0 || !current_trace || static_cast<size_t>(e.literal) >= current_trace->origins.size())
    return;
  const int literal = current_trace->origins[static_cast<size_t>(e.literal)].literal;
  current_trace->consulted[static_cast<size_t>(literal)] = true;
}

std::optional<Value> literal_param_value(const Value& literal, const LiteralParam& p,
                                         const dtsql::EvalContext& dt) {
  Value v = literal_constant(literal);
  if (v.type() != p.bound) return std::nullopt;
  if (p.cast != TypeId::Unknown) v = detail::convert_value(v, p.cast, dt);
  if (p.lifted != TypeId::Unknown) v = detail::convert_value(v, p.lifted, dt);
  return v;
}

PlannedStatement plan_statement(const ast::Stmt& stmt, const PlannerContext& ctx) {
  Binder binder(ctx);
  if (!ctx.literals) return binder.plan(stmt);
  struct Scope {
    detail::LiteralTrace* saved = current_trace;
    explicit Scope(detail::LiteralTrace* t) { current_trace = t; }
    ~Scope() { current_trace = saved; }
  } scope(&binder.literal_trace());
  return binder.plan(stmt);
}

catalog::ViewUpdatability view_updatability(const storage::TableDefPtr& view, const PlannerContext& ctx) {
  return Binder(ctx).updatability(view);
}

storage::TableDef bind_view(const ast::CreateViewStmt& stmt, const ast::SelectStmt& query,
                            const PlannerContext& ctx) {
  if (!stmt.unsupported_feature.empty()) throw_unsupported(stmt.unsupported_feature);
  Binder binder(ctx);
  return binder.bind_view(stmt, query);
}

storage::TableDef bind_table_as(const ast::CreateTableStmt& stmt, const PlannerContext& ctx) {
  if (!stmt.unsupported_feature.empty()) throw_unsupported(stmt.unsupported_feature);
  Binder binder(ctx);
  return binder.bind_table_as(stmt);
}

std::vector<Value> evaluate_parameters(const std::vector<ast::ExprPtr>& args,
                                       const std::vector<TypeId>& types, const dtsql::EvalContext& dt) {
  PlannerContext ctx;
  ctx.datetime = &dt;
  Binder binder(ctx);
  return binder.evaluate_parameters(args, types);
}

Value value_from_text(std::string text, TypeId type, const dtsql::EvalContext& dt) {
  return detail::convert_value(Value::text(std::move(text)), type, dt);
}

TypeId resolve_type_name(const ast::TypeName& type) {
  return detail::resolve_type(type, nullptr);
}

// ---------------------------------------------------------------------------------------------------
// CREATE TABLE

int8_t serial_width(const ast::TypeName& type) {
  if (type.is_array) return 0;
  const std::string& n = type.name;
  if (n == "serial" || n == "serial4") return 4;
  if (n == "bigserial" || n == "serial8") return 8;
  if (n == "smallserial" || n == "serial2") return 2;
  return 0;
}

storage::ColumnDef bind_column_def(const ast::ColumnDef& c) {
  storage::ColumnDef col;
  col.name = c.name;
  int max_length = -1;
  if (int8_t width = serial_width(c.type)) {
    // SERIAL: an integer column, NOT NULL, whose DEFAULT (set by the caller, which creates the sequence)
    // is nextval of its own sequence.
    if (c.default_expr)
      fail(SqlState::SyntaxError,
           "multiple default values specified for column \"" + c.name + "\" of table \"" + c.table + "\"",
           c.location);
    if (c.identity)
      fail(SqlState::SyntaxError,
           "both default and identity specified for column \"" + c.name + "\" of table \"" + c.table + "\"",
           c.location);
    col.type = width == 8 ? TypeId::Int64 : width == 2 ? TypeId::Int16 : TypeId::Int32;
    col.not_null = true;
    return col;
  }
  col.type = detail::resolve_type(c.type, &max_length);
  if (!storable(col.type))
    throw_unsupported("columns of type " + std::string(type_name(col.type)), pos_of(c.type.location));
  col.max_length = max_length;
  col.not_null = c.not_null;
  if (c.identity) {
    if (c.default_expr)
      fail(SqlState::SyntaxError,
           "both default and identity specified for column \"" + c.name + "\" of table \"" + c.table + "\"",
           c.location);
    if (!is_integer(col.type))
      fail(SqlState::InvalidParameterValue, "identity column type must be smallint, integer, or bigint",
           c.location);
    col.not_null = true;
    col.identity = c.identity;
  }
  if (c.default_expr) {
    PlannerContext ctx;
    Binder(ctx).check_default(*c.default_expr, col);
    col.default_expr = c.default_text;
  }
  return col;
}

void bind_column_default(const ast::Expr& expr, const std::string& text, storage::ColumnDef& col) {
  PlannerContext ctx;
  Binder(ctx).check_default(expr, col);
  col.default_expr = text;
}

std::string make_object_name(const std::string& name1, const std::string& name2, const std::string& label) {
  size_t n1 = name1.size(), n2 = name2.size();
  const size_t avail = 63 - 1 - label.size() - (name2.empty() ? 0 : 1);
  while (n1 + n2 > avail) {
    if (n1 > n2)
      --n1;
    else
      --n2;
  }
  auto clip = [](const std::string& s, size_t n) {  // never inside a UTF-8 character
    while (n > 0 && n < s.size() && (static_cast<uint8_t>(s[n]) & 0xC0) == 0x80) --n;
    return s.substr(0, n);
  };
  return clip(name1, n1) + "_" + (name2.empty() ? "" : clip(name2, n2) + "_") + label;
}

// ChooseConstraintName: name1_name2_label, then label1, label2 ... while `used` says the name is taken.
std::string choose_constraint_name(const std::string& name1, const std::string& name2,
                                   const std::string& label,
                                   const std::function<bool(const std::string&)>& used) {
  for (int pass = 0;; ++pass) {
    std::string name = make_object_name(name1, name2, pass ? label + std::to_string(pass) : label);
    if (!used(name)) return name;
  }
}

// A constraint name given in the statement (cut to 63 bytes): 42710 when `used` says the table has it.
std::string given_constraint_name(const std::string& name, const storage::TableDef& table,
                                  const std::function<bool(const std::string&)>& used) {
  std::string out = name.size() > 63 ? name.substr(0, 63) : name;
  if (used(out))
    throw SqlError(SqlState::DuplicateObject,
                   "constraint \"" + out + "\" for relation \"" + table.name + "\" already exists");
  return out;
}

void collect_columns(const Expr& e, std::vector<ColumnId>& out) {
  if (e.op == ExprOp::Column && std::find(out.begin(), out.end(), e.column) == out.end())
    out.push_back(e.column);
  for (const auto& a : e.args) collect_columns(*a, out);
}

storage::CheckDef bind_check_constraint(const ast::CheckConstraint& check, const storage::TableDef& table,
                                        const std::vector<std::string>& taken) {
  PlannerContext ctx;
  Binder binder(ctx);
  binder.in_lists_as_sets();
  std::vector<OutputColumn> row;
  for (const storage::ColumnDef& col : table.columns) row.push_back({binder.fresh_id(), col.name, col.type});
  ExprPtr x = binder.bind_check_expr(*check.expr, table, row);
  std::vector<std::string> names(row.empty() ? 0 : static_cast<size_t>(row.back().id) + 1);
  for (const OutputColumn& c : row) names[static_cast<size_t>(c.id)] = catalog::quote_ident(c.name);
  storage::CheckDef out;
  out.expr = check.text;
  out.display = detail::constraint_text(*x, names, false);
  out.pretty = detail::constraint_text(*x, names, true);
  out.validated = !check.not_valid;
  auto used = [&](const std::string& n) {
    return table.constraint_name_used(n) || std::find(taken.begin(), taken.end(), n) != taken.end();
  };
  if (!check.name.empty()) {
    out.name = given_constraint_name(check.name, table, used);
    return out;
  }
  std::vector<ColumnId> read;
  collect_columns(*x, read);
  std::string column;
  if (read.size() == 1)
    for (const OutputColumn& c : row)
      if (c.id == read[0]) column = c.name;
  out.name = choose_constraint_name(table.name, column, "check", used);
  return out;
}

storage::ForeignKeyDef bind_foreign_key(const ast::ForeignKeyConstraint& fk, const storage::TableDef& table,
                                        const storage::TableDef& ref, const std::vector<std::string>& taken) {
  storage::ForeignKeyDef out;
  out.ref_table = ref.id;
  out.on_update = fk.on_update;
  out.on_delete = fk.on_delete;
  auto attnum_of = [&](const storage::TableDef& t, const std::string& name) {
    const int c = t.find_column(name);
    if (c < 0)
      fail(SqlState::UndefinedColumn,
           "column \"" + name + "\" referenced in foreign key constraint does not exist", fk.location);
    return t.attnum(static_cast<size_t>(c));
  };
  for (const std::string& name : fk.columns) out.attnums.push_back(attnum_of(table, name));
  for (const std::string& name : fk.delete_set_columns) {  // validateFkOnDeleteSetColumns
    const int32_t a = attnum_of(table, name);
    if (std::find(out.attnums.begin(), out.attnums.end(), a) == out.attnums.end())
      fail(SqlState::InvalidColumnReference,
           "column \"" + name + "\" referenced in ON DELETE SET action must be part of foreign key", -1);
    out.delete_set_attnums.push_back(a);
  }
  std::vector<int32_t> pk;
  for (int k : ref.primary_key) pk.push_back(ref.attnum(static_cast<size_t>(k)));
  if (fk.ref_columns.empty()) {
    if (pk.empty())
      fail(SqlState::UndefinedObject, "there is no primary key for referenced table \"" + ref.name + "\"",
           fk.location);
    out.ref_attnums = pk;
  } else {
    for (const std::string& name : fk.ref_columns) out.ref_attnums.push_back(attnum_of(ref, name));
  }
  if (out.attnums.size() != out.ref_attnums.size())
    fail(SqlState::InvalidForeignKey, "number of referencing and referenced columns for foreign key disagree",
         fk.location);
  if (!fk.ref_columns.empty()) {
    auto same_set = [&](std::vector<int32_t> a) {
      std::vector<int32_t> b = out.ref_attnums;
      std::sort(a.begin(), a.end());
      std::sort(b.begin(), b.end());
      return a == b && std::adjacent_find(b.begin(), b.end()) == b.end();
    };
    bool unique = !pk.empty() && same_set(pk);
    for (const storage::IndexDef& index : ref.indexes)
      unique = unique || (index.unique && !index.computed() && same_set(index.attnums));
    if (!unique)
      fail(SqlState::InvalidForeignKey,
           "there is no unique constraint matching given keys for referenced table \"" + ref.name + "\"",
           fk.location);
  }
  auto used = [&](const std::string& n) {
    return table.constraint_name_used(n) || std::find(taken.begin(), taken.end(), n) != taken.end();
  };
  if (!fk.name.empty()) {
    out.name = given_constraint_name(fk.name, table, used);
  } else {
    std::string cols;  // ChooseForeignKeyConstraintNameAddition
    for (const std::string& c : fk.columns) {
      if (!cols.empty()) cols += "_";
      cols += c;
      if (cols.size() >= 63) break;
    }
    out.name = choose_constraint_name(table.name, cols, "fkey", used);
  }
  for (size_t j = 0; j < out.attnums.size(); ++j) {
    const storage::ColumnDef& a = table.columns[static_cast<size_t>(table.column_of_attnum(out.attnums[j]))];
    const storage::ColumnDef& b = ref.columns[static_cast<size_t>(ref.column_of_attnum(out.ref_attnums[j]))];
    const bool integers = is_integer(a.type) && is_integer(b.type);
    if (a.type != b.type && !integers)
      throw SqlError(SqlState::DatatypeMismatch,
                     "foreign key constraint \"" + out.name + "\" cannot be implemented")
          .with_detail("Key columns \"" + a.name + "\" and \"" + b.name +
                       "\" are of incompatible types: " + tn(a.type) + " and " + tn(b.type) + ".");
  }
  return out;
}

std::vector<int> check_constraint_columns(const storage::TableDef& table, const storage::CheckDef& check) {
  PlannerContext ctx;
  Binder binder(ctx);
  storage::TableDef one = table;
  one.checks = {check};
  plan::RowChecks bound = binder.bind_row_checks(one);
  std::vector<ColumnId> read;
  collect_columns(*bound.predicates.at(0), read);
  std::vector<int> out;
  for (size_t i = 0; i < bound.row.size(); ++i)
    if (std::find(read.begin(), read.end(), bound.row[i].id) != read.end())
      out.push_back(static_cast<int>(i));
  return out;
}

bool creates_temporary(const ast::TableRef& name, bool temporary) {
  const std::string& schema = name.schema;
  if (schema == "pg_temp" || schema.starts_with("pg_temp_")) return true;
  if (temporary && !schema.empty())
    fail(SqlState::InvalidTableDefinition, "cannot create temporary relation in non-temporary schema",
         name.location);
  return temporary;
}

storage::TableDef bind_create_table(const ast::CreateTableStmt& stmt) {
  if (!stmt.unsupported_feature.empty()) throw_unsupported(stmt.unsupported_feature);
  const bool temporary = creates_temporary(stmt.table, stmt.temporary);
  if (stmt.on_commit && !temporary)
    throw SqlError(SqlState::InvalidTableDefinition, "ON COMMIT can only be used on temporary tables");
  constexpr size_t kMaxColumns = 1600;
  if (stmt.columns.size() > kMaxColumns)
    throw SqlError(SqlState::ProgramLimitExceeded, "tables can have at most 1600 columns");
  storage::TableDef def;
  def.name = stmt.table.name;
  def.set_options(stmt.options, false);
  bool inline_pk = false;
  auto multiple_pk = [&](int loc) {
    fail(SqlState::InvalidTableDefinition,
         "multiple primary keys for table \"" + def.name + "\" are not allowed", loc);
  };
  for (const auto& c : stmt.columns) {
    for (const auto& existing : def.columns)
      if (existing.name == c.name)
        fail(SqlState::DuplicateColumn, "column \"" + c.name + "\" specified more than once", c.location);
    storage::ColumnDef col = bind_column_def(c);
    if (c.primary_key) {
      if (inline_pk) multiple_pk(c.location);
      if (col.type == TypeId::Interval)
        throw_unsupported("an interval column in a primary key", pos_of(c.location));
      if (is_array(col.type)) throw_unsupported("an array column in a primary key", pos_of(c.location));
      if (is_json_type(col.type))
        throw_unsupported("a " + tn(col.type) + " column in a primary key", pos_of(c.location));
      inline_pk = true;
      col.not_null = true;
      def.primary_key.push_back(static_cast<int>(def.columns.size()));
    }
    def.columns.push_back(std::move(col));
  }
  if (!stmt.primary_key.empty()) {
    if (inline_pk) multiple_pk(stmt.location);
    for (const auto& name : stmt.primary_key) {
      int idx = def.find_column(name);
      if (idx < 0)
        fail(SqlState::UndefinedColumn, "column \"" + name + "\" named in key does not exist", stmt.location);
      if (std::find(def.primary_key.begin(), def.primary_key.end(), idx) != def.primary_key.end())
        fail(SqlState::DuplicateColumn, "column \"" + name + "\" appears twice in primary key constraint",
             stmt.location);
      if (def.columns[idx].type == TypeId::Interval)
        throw_unsupported("an interval column in a primary key", pos_of(stmt.location));
      if (is_array(def.columns[idx].type))
        throw_unsupported("an array column in a primary key", pos_of(stmt.location));
      if (is_json_type(def.columns[idx].type))
        throw_unsupported("a " + tn(def.columns[idx].type) + " column in a primary key",
                          pos_of(stmt.location));
      def.primary_key.push_back(idx);
      def.columns[idx].not_null = true;
    }
  }
  // UNIQUE constraints: an index each (named by the caller when the constraint has no name, id 0 until
  // the catalog assigns one). As PostgreSQL's transformIndexConstraints: one on the primary key's
  // columns is the primary key, and repeats of one column list are one index (with the name of one of
  // them).
  std::vector<int> pk_attnums;
  for (int k : def.primary_key) pk_attnums.push_back(def.attnum(static_cast<size_t>(k)));
  for (const ast::UniqueConstraint& u : stmt.uniques) {
    storage::IndexDef index;
    index.name = u.name.size() > 63 ? u.name.substr(0, 63) : u.name;
    index.unique = true;
    index.constraint = true;
    index.nulls_not_distinct = u.nulls_not_distinct;
    for (const std::string& name : u.columns) {
      int idx = def.find_column(name);
      if (idx < 0)
        fail(SqlState::UndefinedColumn, "column \"" + name + "\" named in key does not exist", u.location);
      const int32_t a = def.attnum(static_cast<size_t>(idx));
      if (std::find(index.attnums.begin(), index.attnums.end(), a) != index.attnums.end())
        fail(SqlState::DuplicateColumn, "column \"" + name + "\" appears twice in unique constraint",
             u.location);
      if (def.columns[idx].type == TypeId::Interval)
        throw_unsupported("an index on an interval column", pos_of(u.location));
      if (is_array(def.columns[idx].type))
        throw_unsupported("an index on an array column", pos_of(u.location));
      index.attnums.push_back(a);
    }
    if (index.attnums.size() > 32)
      throw SqlError(SqlState::TooManyColumns, "cannot use more than 32 columns in an index");
    if (!index.nulls_not_distinct &&
        std::vector<int>(index.attnums.begin(), index.attnums.end()) == pk_attnums)
      continue;
    bool repeat = false;
    for (storage::IndexDef& prior : def.indexes) {
      if (prior.attnums != index.attnums || prior.nulls_not_distinct != index.nulls_not_distinct) continue;
      if (prior.name.empty()) prior.name = index.name;
      repeat = true;
      break;
    }
    if (!repeat) def.indexes.push_back(std::move(index));
  }
  // CHECK constraints, named in the order written (PostgreSQL's AddRelationNewConstraints), then kept
  // ordered by name (the order they are checked in).
  std::vector<std::string> taken;
  for (const ast::CheckConstraint& c : stmt.checks) {
    storage::CheckDef check = bind_check_constraint(c, def, taken);
    check.validated = true;  // (CREATE TABLE ignores NOT VALID, as PostgreSQL)
    taken.push_back(check.name);
    def.checks.push_back(std::move(check));
  }
  std::sort(def.checks.begin(), def.checks.end(),
            [](const storage::CheckDef& a, const storage::CheckDef& b) { return a.name < b.name; });
  (void)def.seal_bucket();  // WITH (seal_bucket = ...) needs the key: checked once the table is whole
  return def;
}

// ---- Expression and partial indexes (docs/schema.md, "Expression and partial indexes")

namespace {

// Whether `e` calls a function or operator PostgreSQL does not mark IMMUTABLE (contain_mutable_functions):
// the session clocks, anything that depends on the time zone or DateStyle (timestamptz arithmetic and
// conversions, text <-> date/time casts, to_char), the volatile functions, the catalog functions,
// concat / format.
bool mutable_expr(const Expr& e) {
  auto datetime_type = [](TypeId t) {
    return is_date_or_timestamp(t) || t == TypeId::Time || t == TypeId::Interval;
  };
  switch (e.op) {
    case ExprOp::CatalogFunc:
    case ExprOp::Subquery:
    case ExprOp::InSubquery:
    case ExprOp::Apply:
    case ExprOp::OuterColumn:
      return true;
    case ExprOp::DateTime: {
      if (e.args.empty() || e.type == TypeId::TimestampTz) return true;
      for (const auto& a : e.args)
        if (a->type == TypeId::TimestampTz) return true;
      const auto f = static_cast<dtsql::Func>(e.func);
      if (f == dtsql::Func::AgeTs1 || f == dtsql::Func::AgeTstz1 || f == dtsql::Func::ToCharTs ||
          f == dtsql::Func::ToCharTstz || f == dtsql::Func::ToCharInterval)
        return true;
      break;
    }
    case ExprOp::Cast: {
      const TypeId from = e.args.empty() ? e.type : e.args[0]->type;
      if ((from == TypeId::TimestampTz) != (e.type == TypeId::TimestampTz)) return true;
      if ((from == TypeId::Text && datetime_type(e.type)) || (datetime_type(from) && e.type == TypeId::Text))
        return true;
      break;
    }
    case ExprOp::Text: {
      const auto f = static_cast<textsql::Func>(e.func);
      if (f == textsql::Func::Concat || f == textsql::Func::ConcatWs || f == textsql::Func::Format)
        return true;
      break;
    }
    case ExprOp::Math:
      if (mathsql::is_volatile(static_cast<mathsql::Func>(e.func))) return true;
      break;
    case ExprOp::Bytes:
      if (bytea::is_volatile(static_cast<bytea::Func>(e.func))) return true;
      break;
    default:
      break;
  }
  for (const auto& a : e.args)
    if (mutable_expr(*a)) return true;
  return false;
}

// A stored index expression's SQL text parsed again (XX001 if it no longer parses); `keep` owns the tree.
const ast::Expr& parse_index_text(const std::string& text, const storage::IndexDef& index,
                                  std::vector<ast::StmtPtr>& keep) {
  try {
    keep = parser::parse("SELECT " + text);
  } catch (SqlError& e) {
    throw SqlError(SqlState::DataCorrupted, "index \"" + index.name + "\" does not parse: " + e.what());
  }
  const auto* select = keep.size() == 1 && keep[0]->kind == ast::StmtKind::Select
                           ? static_cast<const ast::SelectStmt*>(keep[0].get())
                           : nullptr;
  if (!select || select->targets.size() != 1 || !select->targets[0].expr)
    throw SqlError(SqlState::DataCorrupted, "index \"" + index.name + "\" is not an expression");
  return *select->targets[0].expr;
}

// A binder with one row of `table`'s columns (fresh ids 0..n-1: ColumnId i is table column i) to bind
// stored index expressions over.
struct IndexRowBinder {
  PlannerContext ctx;
  Binder binder{ctx};
  std::vector<OutputColumn> row;
  const storage::TableDef& table;
  explicit IndexRowBinder(const storage::TableDef& t) : table(t) {
    binder.in_lists_as_sets();
    for (const storage::ColumnDef& col : t.columns) row.push_back({binder.fresh_id(), col.name, col.type});
  }
  ExprPtr bind(const storage::IndexDef& index, const storage::IndexDef::Expression& x) {
    std::vector<ast::StmtPtr> keep;
    return binder.bind_row_expr(parse_index_text(x.expr, index, keep), table, row, "index expressions");
  }
  // Quoted column names by ColumnId, from `names_of` (a table with the same columns, maybe renamed).
  std::vector<std::string> names(const storage::TableDef& names_of) const {
    std::vector<std::string> out(row.empty() ? 0 : static_cast<size_t>(row.back().id) + 1);
    for (size_t i = 0; i < row.size() && i < names_of.columns.size(); ++i)
      out[static_cast<size_t>(row[i].id)] = catalog::quote_ident(names_of.columns[i].name);
    return out;
  }
};

}  // namespace

storage::IndexDef::Expression bind_index_expression(const ast::Expr& e, const storage::TableDef& table,
                                                    bool predicate) {
  IndexRowBinder b(table);
  const char* what = predicate ? "index predicate" : "index expression";
  ExprPtr x = b.binder.bind_row_expr(e, table, b.row, predicate ? "index predicates" : "index expressions");
  if (has_subquery(*x) || x->op == ExprOp::Apply)
    throw SqlError(SqlState::FeatureNotSupported, std::string("cannot use subquery in ") + what)
        .at(pos_of(e.location));
  if (predicate) x = b.binder.to_bool_public(std::move(x), "argument of WHERE", e.location);
  if (mutable_expr(*x))
    throw SqlError(SqlState::InvalidObjectDefinition,
                   std::string("functions in ") + what + " must be marked IMMUTABLE");
  const std::vector<std::string> names = b.names(table);
  storage::IndexDef::Expression out;
  out.expr = detail::constraint_text(*x, names, false);
  out.pretty = detail::constraint_text(*x, names, true);
  out.type = x->type;
  return out;
}

void reprint_index_expressions(const storage::TableDef& before, storage::TableDef& after) {
  IndexRowBinder b(before);
  const std::vector<std::string> names = b.names(after);
  for (storage::IndexDef& index : after.indexes) {
    auto reprint = [&](storage::IndexDef::Expression& x) {
      ExprPtr bound = b.bind(index, x);
      x.expr = detail::constraint_text(*bound, names, false);
      x.pretty = detail::constraint_text(*bound, names, true);
    };
    for (storage::IndexDef::Expression& x : index.exprs) reprint(x);
    if (index.predicate) reprint(*index.predicate);
  }
}

void rebind_after_type_change(const storage::TableDef& before, storage::TableDef& after,
                              const std::vector<int>& changed) {
  auto reads_changed = [&](const std::vector<int>& read) {
    return std::any_of(read.begin(), read.end(),
                       [&](int c) { return std::find(changed.begin(), changed.end(), c) != changed.end(); });
  };
  for (storage::CheckDef& check : after.checks) {
    if (!reads_changed(check_constraint_columns(before, check))) continue;
    PlannerContext ctx;
    Binder binder(ctx);
    binder.in_lists_as_sets();
    std::vector<OutputColumn> row;
    for (const storage::ColumnDef& col : after.columns)
      row.push_back({binder.fresh_id(), col.name, col.type});
    std::vector<ast::StmtPtr> keep = parser::parse("SELECT " + check.expr);
    const auto* select = static_cast<const ast::SelectStmt*>(keep.at(0).get());
    ExprPtr x = binder.bind_check_expr(*select->targets.at(0).expr, after, row);
    std::vector<std::string> names(row.empty() ? 0 : static_cast<size_t>(row.back().id) + 1);
    for (const OutputColumn& c : row) names[static_cast<size_t>(c.id)] = catalog::quote_ident(c.name);
    check.display = detail::constraint_text(*x, names, false);
    check.pretty = detail::constraint_text(*x, names, true);
  }
  for (storage::IndexDef& index : after.indexes) {
    if (!index.computed() || !reads_changed(index_expression_columns(before, index))) continue;
    auto rebind = [&](storage::IndexDef::Expression& x, bool predicate) {
      std::vector<ast::StmtPtr> keep;
      x = bind_index_expression(parse_index_text(x.expr, index, keep), after, predicate);
    };
    for (storage::IndexDef::Expression& x : index.exprs) rebind(x, false);
    if (index.predicate) rebind(*index.predicate, true);
  }
}

std::vector<int> index_expression_columns(const storage::TableDef& table, const storage::IndexDef& index) {
  IndexRowBinder b(table);
  std::vector<int> out;
  auto add = [&](const storage::IndexDef::Expression& x) {
    ExprPtr bound = b.bind(index, x);
    std::vector<ColumnId> read;
    collect_columns(*bound, read);
    for (ColumnId id : read)
      for (size_t i = 0; i < b.row.size(); ++i)
        if (b.row[i].id == id && std::find(out.begin(), out.end(), static_cast<int>(i)) == out.end())
          out.push_back(static_cast<int>(i));
  };
  for (const storage::IndexDef::Expression& x : index.exprs) add(x);
  if (index.predicate) add(*index.predicate);
  return out;
}

PlannedStatement Binder::plan_index_values(const storage::TableDef& table, const storage::IndexDef& index) {
  std::unique_ptr<plan::ValuesOp> values = param_row(table);
  auto project = std::make_unique<plan::ProjectOp>();
  auto add = [&](const storage::IndexDef::Expression& x, const char* name) {
    std::vector<ast::StmtPtr> keep;
    ExprPtr bound =
        bind_row_expr(parse_index_text(x.expr, index, keep), table, values->output, "index expressions");
    if (bound->type != x.type)
      throw SqlError(SqlState::DataCorrupted, "index \"" + index.name + "\": an expression changed its type");
    project->exprs.push_back(std::move(bound));
    project->output.push_back({new_id(), name, x.type});
  };
  for (const storage::IndexDef::Expression& x : index.exprs) add(x, "expr");
  if (index.predicate) add(*index.predicate, "predicate");
  project->children.push_back(std::move(values));
  return finish_select(std::move(project));
}

PlannedStatement Binder::plan_type_change(const storage::TableDef& table,
                                          const std::vector<TypeChange>& changes) {
  std::unique_ptr<plan::ValuesOp> values = param_row(table);
  auto project = std::make_unique<plan::ProjectOp>();
  row_params_only_ = true;  // (USING $1: no such parameter, as in PostgreSQL)
  for (const TypeChange& c : changes) {
    const OutputColumn& old = values->output.at(static_cast<size_t>(c.column));
    const int loc = c.using_expr ? c.using_expr->location : -1;
    ExprPtr x = c.using_expr ? bind_row_expr(*c.using_expr, table, values->output, "transform expressions")
                             : Expr::make_column(old.id, old.type);
    if (has_subquery(*x))
      fail(SqlState::FeatureNotSupported, "cannot use subquery in transform expression", loc);
    if (!assignment_castable(x->type, c.to.type)) {
      if (c.using_expr)
        fail(SqlState::DatatypeMismatch,
             "result of USING clause for column \"" + c.to.name + "\" cannot be cast automatically to type " +
                 c.type_name,
             -1, "You might need to add an explicit cast.");
      fail(SqlState::DatatypeMismatch,
           "column \"" + c.to.name + "\" cannot be cast automatically to type " + c.type_name, -1,
           "You might need to specify \"USING " + catalog::quote_ident(c.to.name) + "::" + c.type_text +
               "\".");
    }
    project->exprs.push_back(assign(std::move(x), c.to, loc));
    project->output.push_back({new_id(), c.to.name, c.to.type});
  }
  project->children.push_back(std::move(values));
  return finish_select(std::move(project));
}

bool assignment_castable(TypeId from, TypeId to) {
  if (is_array(from) && is_array(to)) {  // element-wise assignment casts (int8[] -> int4[] ...)
    bool explicit_only = false;
    TypeId f = element_type(from), t = element_type(to);
    return arr::can_cast_element(f, t, &explicit_only) &&
           (!explicit_only || (is_numeric(f) && is_numeric(t)));
  }
  // PostgreSQL's assignment casts (pg_cast castcontext 'a' and 'i'): json <-> jsonb too.
  return from == to || from == TypeId::Unknown || (is_numeric(from) && is_numeric(to)) ||
         to == TypeId::Text || to == TypeId::BpChar ||
         (is_datetime(from) && is_datetime(to) && dtsql::can_cast(from, to)) ||
         (is_json_type(from) && is_json_type(to));
}

TypeId column_default_type(const storage::TableDef& table, const storage::ColumnDef& col,
                           const PlannerContext& ctx) {
  const TypeId t = Binder(ctx).default_type(table, col);
  return t == TypeId::Unknown ? col.type : t;
}

PlannedStatement plan_type_change(const storage::TableDef& table, const std::vector<TypeChange>& changes,
                                  const PlannerContext& ctx) {
  const PlannerContext with_params = with_row_params(table, ctx);
  Binder binder(with_params);
  return binder.plan_type_change(table, changes);
}

PlannedStatement plan_index_values(const storage::TableDef& table, const storage::IndexDef& index,
                                   const PlannerContext& ctx) {
  const PlannerContext with_params = with_row_params(table, ctx);
  Binder binder(with_params);
  return binder.plan_index_values(table, index);
}

namespace detail {

IndexShape bind_index_shape(const storage::TableDef& table, const storage::IndexDef& index) {
  IndexShape out;
  IndexRowBinder b(table);
  for (const storage::IndexDef::Expression& x : index.exprs) out.exprs.push_back(b.bind(index, x));
  if (index.predicate) out.predicate = b.bind(index, *index.predicate);
  return out;
}

}  // namespace detail

}  // namespace omendb::planner
