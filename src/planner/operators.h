// The physical operators of a plan: one class per operator. Each knows its own fields, its role in the
// pipelines, its EXPLAIN line and its contribution to the plan-cache key, so that adding an operator
// means adding one class here (plus its translator in src/codegen/operators/), not editing switches.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/value.h"
#include "planner/expr.h"
#include "storage/catalog.h"

namespace omendb::plan {

enum class OpKind {
  Values,
  TableScan,
  Filter,
  Project,
  Aggregate,
  HashAggregate,
  Sort,
  Limit,
  LockRows,
  Insert,
  Update,
  Delete,
  HashJoin,
  NestedLoopJoin,
  UnionAll,
  Repeat,
  Upsert,
  Subquery,
  Window,
  IndexScan,
  FunctionScan,
  RecursiveUnion,
  WorkTableScan,
  Cte,
  CteScan
};

// Where an operator stands in the pipelines: the only thing the pipeline cutter asks of it.
enum class PipelineRole {
  Source,     // starts a pipeline: TableScan, IndexScan, Values
  Streaming,  // works row by row inside its child's pipeline: Filter, Project, Limit
  Breaker,    // ends its children's pipelines (consuming every row into its state), then is the source
              // of a new pipeline that reads that state: Sort, Aggregate, Window, UnionAll (the only
              // one with several children: one pipeline per child, in order)
  Sink,       // ends its child's pipeline and produces no rows: Insert, Update, Delete, Subquery, Cte
  Join,       // two children: ends children[0]'s pipeline (the build side, consumed into its state) and
              // works row by row inside children[1]'s pipeline (the probe side), which depends on the
              // build pipeline: HashJoin, NestedLoopJoin
  Recursive,  // a breaker over two children whose children[1] pipelines are not run in the plan's order
              // but by the pipeline reading the operator, once per iteration (Pipeline::recursive):
              // RecursiveUnion
};

// Serialises what decides the generated code (everything but parameter values) into the plan-cache
// key. Each Op::write_shape puts every one of its fields; a static_assert on the size of each operator
// class (operators.cpp) fails to compile when a field is added without being put here.
class ShapeWriter {
 public:
  void tag(std::string_view t);  // starts an operator: "[name"
  void end() { out_ += ']'; }    // ends it, after its children
  void put(int64_t v);
  void put(bool v);
  void put(TypeId t);
  void put(const Expr* e);
  void put(const ExprPtr& e) { put(e.get()); }
  void put(const std::vector<ExprPtr>& exprs);
  void put(const std::vector<OutputColumn>& columns);
  void put(const std::vector<int>& ints);
  void put(const storage::TableDefPtr& table);
  void put(const KeyRange& range);
  void put(const std::vector<ZoneBound>& zone);
  void put(const std::vector<std::string>& names);
  const std::string& str() const { return out_; }

 private:
  std::string out_;
};

// What EXPLAIN needs to render expressions: column names by id and, optionally, the parameter values
// (PostgreSQL's EXPLAIN shows literals, not $n).
struct ExplainContext {
  const std::vector<std::string>& names;
  const std::vector<Value>* params = nullptr;
  std::string expr(const Expr& e) const;
  std::string column(ColumnId id) const;
};

class Op;
using OpPtr = std::unique_ptr<Op>;

class Op {
 public:
  virtual ~Op() = default;
  Op(const Op&) = delete;
  Op& operator=(const Op&) = delete;

  const OpKind kind;
  std::vector<OpPtr> children;
  std::vector<OutputColumn> output;  // the columns this operator produces, in order

  virtual PipelineRole role() const = 0;
  // Calls `f` on every expression the operator owns (literal lifting, analyses). Not its children's.
  virtual void for_each_expr(const std::function<void(ExprPtr&)>& f) = 0;
  // The operator's EXPLAIN line, without its children.
  virtual std::string explain(const ExplainContext& c) const = 0;
  // Puts every field that decides generated code (not the children: the caller walks the tree).
  virtual void write_shape(ShapeWriter& w) const = 0;

  // Checked downcasts: op.as<FilterOp>().predicate.
  template <class T>
  const T& as() const {
    if (kind != T::kKind) bad_cast(T::kKind);
    return static_cast<const T&>(*this);
  }
  template <class T>
  T& as() {
    if (kind != T::kKind) bad_cast(T::kKind);
    return static_cast<T&>(*this);
  }
  template <class T>
  bool is() const {
    return kind == T::kKind;
  }

 protected:
  explicit Op(OpKind k) : kind(k) {}

 private:
  [[noreturn]] void bad_cast(OpKind wanted) const;
};

// Reads `table` within `range`. output[i] is table column scan_columns[i]; `key_column` (if >= 0) is an
// extra Text column carrying each row's storage key (for UPDATE / DELETE).
class TableScanOp final : public Op {
 public:
  static constexpr OpKind kKind = OpKind::TableScan;
  TableScanOp() : Op(kKind) {}
  storage::TableDefPtr table;
  std::vector<int> scan_columns;
  KeyRange range;
  ColumnId key_column = -1;
  std::vector<ZoneBound> zone;  // pushed-down predicates for sealed blocks' zone maps
  uint64_t estimated_rows = 0;  // from storage's size estimate (EXPLAIN and the JIT tier only)
  uint64_t sealed_blocks = 0;   // sealed column blocks of the table at planning time (EXPLAIN only)
  // No consumer needs the rows in primary-key order (optimizer.cpp, mark_unordered_scans): storage may
  // read a partitioned table's runs one after another (ScanSpec::unordered).
  bool unordered = false;

  PipelineRole role() const override { return PipelineRole::Source; }
  void for_each_expr(const std::function<void(ExprPtr&)>& f) override;
  std::string explain(const ExplainContext& c) const override;
  void write_shape(ShapeWriter& w) const override;
};

// A table's rows found through one of its secondary indexes (storage/catalog.h, IndexDef): the index
// entries in `range` (equalities on a prefix of the index's columns, then an optional range on the next
// column; each bound is one of the index's columns, in index order), each entry's row read through the
// table's visible-version lookup. Rows come in index order, not in primary-key order. The optimizer
// puts it where a TableScan's primary-key range could not narrow the scan (optimizer.cpp); the Filter
// above it still checks the whole predicate on every row.
class IndexScanOp final : public Op {
 public:
  static constexpr OpKind kKind = OpKind::IndexScan;
  IndexScanOp() : Op(kKind) {}
  storage::TableDefPtr table;
  storage::IndexDef index;
  std::vector<int> scan_columns;  // as TableScanOp's
  KeyRange range;                 // over the index's columns
  ColumnId key_column = -1;       // as TableScanOp's (UPDATE, DELETE, FOR UPDATE)
  uint64_t estimated_rows = 0;    // EXPLAIN and the JIT tier only

  // The table column of the index's column `i` (-1: an expression).
  int index_column(size_t i) const { return table->column_of_attnum(index.attnums[i]); }
  // The type of the index's column `i` (a column's or an expression's).
  TypeId key_type(size_t i) const {
    const int c = index_column(i);
    return c >= 0 ? table->columns[static_cast<size_t>(c)].type : index.exprs[index.expr_of(i)].type;
  }

  PipelineRole role() const override { return PipelineRole::Source; }
  void for_each_expr(const std::function<void(ExprPtr&)>& f) override;
  std::string explain(const ExplainContext& c) const override;
  void write_shape(ShapeWriter& w) const override;
};

// One row of expressions per produced row; rows[r][c] has type output[c].type. When values_matrix is
// true, `rows` is empty and the rows are the statement's params from matrix_param_base on, row-major
// (params[base + r * output.size() + c]), their count known only at run time, so that one compiled
// INSERT serves any number of rows. The matrix holds the rows' literals and, copied in at each execution,
// their bound parameters (PlannedStatement::matrix_sources); it is always the last of the params.
class ValuesOp final : public Op {
 public:
  static constexpr OpKind kKind = OpKind::Values;
  ValuesOp() : Op(kKind) {}
  std::vector<std::vector<ExprPtr>> rows;
  bool values_matrix = false;
  int matrix_param_base = 0;

  PipelineRole role() const override { return PipelineRole::Source; }
  void for_each_expr(const std::function<void(ExprPtr&)>& f) override;
  std::string explain(const ExplainContext& c) const override;
  void write_shape(ShapeWriter& w) const override;
};

// Passes the rows for which `predicate` is TRUE. output == children[0]->output.
class FilterOp final : public Op {
 public:
  static constexpr OpKind kKind = OpKind::Filter;
  FilterOp() : Op(kKind) {}
  ExprPtr predicate;

  PipelineRole role() const override { return PipelineRole::Streaming; }
  void for_each_expr(const std::function<void(ExprPtr&)>& f) override;
  std::string explain(const ExplainContext& c) const override;
  void write_shape(ShapeWriter& w) const override;
};

// exprs[i] computes output[i].
class ProjectOp final : public Op {
 public:
  static constexpr OpKind kKind = OpKind::Project;
  ProjectOp() : Op(kKind) {}
  std::vector<ExprPtr> exprs;

  PipelineRole role() const override { return PipelineRole::Streaming; }
  void for_each_expr(const std::function<void(ExprPtr&)>& f) override;
  std::string explain(const ExplainContext& c) const override;
  void write_shape(ShapeWriter& w) const override;
};

// A whole-input aggregate (no GROUP BY): one output row; aggregates[i] computes output[i].
class AggregateOp final : public Op {
 public:
  static constexpr OpKind kKind = OpKind::Aggregate;
  AggregateOp() : Op(kKind) {}
  std::vector<AggregateCall> aggregates;

  PipelineRole role() const override { return PipelineRole::Breaker; }
  void for_each_expr(const std::function<void(ExprPtr&)>& f) override;
  std::string explain(const ExplainContext& c) const override;
  void write_shape(ShapeWriter& w) const override;
};

// GROUP BY (and SELECT DISTINCT): one output row per distinct value of `group_keys` (NULLs form one
// group; -0.0 groups with 0.0 and every NaN with every NaN). output[i] is group_keys[i] for
// i < group_keys.size(), then output[group_keys.size() + j] is aggregates[j], then one Int32 column per
// grouping_calls entry. An empty input has no groups, hence no rows.
// GROUPING SETS / ROLLUP / CUBE: `grouping_sets` lists the sets (indexes into group_keys); each set groups
// the input by its keys alone, the others read NULL in its rows, and a set without keys has one row even
// for an empty input. Empty: one set of every key. grouping_calls[c] is GROUPING(keys...): per row the
// bitmask of those keys its set leaves out (the first key the highest bit).
class HashAggregateOp final : public Op {
 public:
  static constexpr OpKind kKind = OpKind::HashAggregate;
  HashAggregateOp() : Op(kKind) {}
  std::vector<ExprPtr> group_keys;
  std::vector<AggregateCall> aggregates;
  std::vector<std::vector<int>> grouping_sets;
  std::vector<std::vector<int>> grouping_calls;

  // The number of sets (1 without grouping sets), and the value of GROUPING call `c` in set `s`.
  size_t set_count() const { return grouping_sets.empty() ? 1 : grouping_sets.size(); }
  int32_t grouping_value(size_t c, size_t s) const;
  // Whether set `s` has key `k`.
  bool set_has_key(size_t s, int k) const;

  PipelineRole role() const override { return PipelineRole::Breaker; }
  void for_each_expr(const std::function<void(ExprPtr&)>& f) override;
  std::string explain(const ExplainContext& c) const override;
  void write_shape(ShapeWriter& w) const override;
};

// Sorts its input by `sort_keys`. output == children[0]->output.
class SortOp final : public Op {
 public:
  static constexpr OpKind kKind = OpKind::Sort;
  SortOp() : Op(kKind) {}
  std::vector<SortKey> sort_keys;
  // Top-N: set when a LIMIT reads the sorted rows (copies of its expressions, Int64, row-independent).
  // Only the first limit + offset rows are kept while rows arrive (a NULL or negative limit keeps all).
  ExprPtr limit;
  ExprPtr offset;

  PipelineRole role() const override { return PipelineRole::Breaker; }
  void for_each_expr(const std::function<void(ExprPtr&)>& f) override;
  std::string explain(const ExplainContext& c) const override;
  void write_shape(ShapeWriter& w) const override;
};

// LIMIT / OFFSET: both Int64, row-independent, may be null. Negative -> 2201W / 2201X.
class LimitOp final : public Op {
 public:
  static constexpr OpKind kKind = OpKind::Limit;
  LimitOp() : Op(kKind) {}
  ExprPtr limit;
  ExprPtr offset;

  PipelineRole role() const override { return PipelineRole::Streaming; }
  void for_each_expr(const std::function<void(ExprPtr&)>& f) override;
  std::string explain(const ExplainContext& c) const override;
  void write_shape(ShapeWriter& w) const override;
};

// SELECT ... FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE: locks the row of `table` whose storage key is
// `key_column` for the transaction (strength: storage::RowLockMode; wait: storage::LockWaitMode, i.e.
// wait, NOWAIT or SKIP LOCKED), passing the rows it locked. output == children[0]->output. It sits
// below LIMIT, so that only rows returned (or skipped by OFFSET) are locked, as PostgreSQL's LockRows.
class LockRowsOp final : public Op {
 public:
  static constexpr OpKind kKind = OpKind::LockRows;
  LockRowsOp() : Op(kKind) {}
  storage::TableDefPtr table;
  ColumnId key_column = -1;
  int strength = 3;  // storage::RowLockMode
  int wait = 0;      // storage::LockWaitMode

  PipelineRole role() const override { return PipelineRole::Streaming; }
  void for_each_expr(const std::function<void(ExprPtr&)>&) override {}
  std::string explain(const ExplainContext& c) const override;
  void write_shape(ShapeWriter& w) const override;
};

// The CHECK constraints a DML sink evaluates over each row it writes, in generated code (docs/schema.md,
// "CHECK"): `row` names the written row's columns (table order; the sink binds them to its values) and
// predicates[i] is table->checks[i] over them. A predicate that is FALSE (not NULL) fails the row (23514).
struct RowChecks {
  std::vector<OutputColumn> row;
  std::vector<ExprPtr> predicates;
  // Writing through views with WITH CHECK OPTION: the last views.size() predicates are their conditions
  // (a row they are not true for fails with 44000 naming the view), after the table's CHECK constraints.
  std::vector<std::string> views;
  void for_each_expr(const std::function<void(ExprPtr&)>& f) {
    for (auto& e : predicates) f(e);
  }
  void write_shape(ShapeWriter& w) const {
    w.put(row);
    w.put(predicates);
    w.put(views);
  }
};

// Inserts each input row: children[0]->output holds one column per table column, in table order,
// typed as the table. With RETURNING (`returning`) it is not a sink: it passes each inserted row on, as
// its `output` (one column per table column), to the Project of the RETURNING list.
class InsertOp final : public Op {
 public:
  static constexpr OpKind kKind = OpKind::Insert;
  InsertOp() : Op(kKind) {}
  storage::TableDefPtr table;
  bool returning = false;
  // False for a data-modifying WITH item's statement: its rows are not in the statement's row count.
  bool counted = true;
  RowChecks checks;

  PipelineRole role() const override { return returning ? PipelineRole::Streaming : PipelineRole::Sink; }
  void for_each_expr(const std::function<void(ExprPtr&)>& f) override { checks.for_each_expr(f); }
  std::string explain(const ExplainContext& c) const override;
  void write_shape(ShapeWriter& w) const override;
};

// Replaces the row whose storage key is `key_column`: set_exprs[i] is the new value of table column i
// (over children[0]'s columns). With RETURNING it passes each row it wrote on, as its `output` (the new
// value of each table column). `once`: its input may hold a row more than once (UPDATE ... FROM, a row
// joined with several rows): only the first is written, the others are passed over (PostgreSQL updates
// such a row once); their SET expressions and checks are still evaluated, as in PostgreSQL.
class UpdateOp final : public Op {
 public:
  static constexpr OpKind kKind = OpKind::Update;
  UpdateOp() : Op(kKind) {}
  storage::TableDefPtr table;
  ColumnId key_column = -1;
  bool returning = false;
  bool once = false;
  // False for a data-modifying WITH item's statement: its rows are not in the statement's row count.
  bool counted = true;
  std::vector<ExprPtr> set_exprs;
  RowChecks checks;  // over the new row

  PipelineRole role() const override { return returning ? PipelineRole::Streaming : PipelineRole::Sink; }
  void for_each_expr(const std::function<void(ExprPtr&)>& f) override;
  std::string explain(const ExplainContext& c) const override;
  void write_shape(ShapeWriter& w) const override;
};

// INSERT ... ON CONFLICT on the primary key (docs/schema.md). Each input row (children[0]->output, as
// for InsertOp) is inserted unless a row exists under its key; then DO NOTHING skips it, and DO UPDATE
// binds the existing row to `existing` (one column per table column) beside the proposed row
// (children[0]'s columns: EXCLUDED) and, if `where` (null: always) is TRUE, replaces the row by
// set_exprs (the new value of each table column).
class UpsertOp final : public Op {
 public:
  static constexpr OpKind kKind = OpKind::Upsert;
  UpsertOp() : Op(kKind) {}
  storage::TableDefPtr table;
  bool do_update = false;
  // False for a data-modifying WITH item's statement: its rows are not in the statement's row count.
  bool counted = true;
  std::vector<OutputColumn> existing;
  std::vector<ExprPtr> set_exprs;
  ExprPtr where;
  RowChecks checks;  // over the proposed row, and over DO UPDATE's new row
  // The arbiter: -1 the primary key, -2 the primary key and every unique index (DO NOTHING without a
  // target), >= 0 the unique index table->indexes[arbiter] (storage::StatementWriter::upsert).
  int arbiter = -1;
  // arbiter as rt_upsert's action carries it: 0 the primary key, 1 all, 2 + i unique index i.
  int32_t arbiter_code() const { return arbiter == -1 ? 0 : arbiter == -2 ? 1 : arbiter + 2; }

  // Whether DO UPDATE may change a primary-key column (SET names one): the row is then locked FOR UPDATE,
  // else FOR NO KEY UPDATE, as PostgreSQL's ON CONFLICT DO UPDATE.
  bool changes_key() const;

  PipelineRole role() const override { return PipelineRole::Sink; }
  void for_each_expr(const std::function<void(ExprPtr&)>& f) override;
  std::string explain(const ExplainContext& c) const override;
  void write_shape(ShapeWriter& w) const override;
};

// Removes the row whose storage key is `key_column`. `once`: as UpdateOp's (DELETE ... USING), a row
// is deleted and counted once.
class DeleteOp final : public Op {
 public:
  static constexpr OpKind kKind = OpKind::Delete;
  DeleteOp() : Op(kKind) {}
  storage::TableDefPtr table;
  ColumnId key_column = -1;
  // RETURNING: each row it deleted goes on (the columns its input read stay bound; `output` is empty).
  bool returning = false;
  bool once = false;
  // False for a data-modifying WITH item's statement: its rows are not in the statement's row count.
  bool counted = true;

  PipelineRole role() const override { return returning ? PipelineRole::Streaming : PipelineRole::Sink; }
  void for_each_expr(const std::function<void(ExprPtr&)>&) override {}
  std::string explain(const ExplainContext& c) const override;
  void write_shape(ShapeWriter& w) const override;
};

// The root of an uncorrelated subquery used as an expression (PhysicalPlan::subplans[index]): ends its
// child's pipeline, keeping what the expressions that read it need, before any pipeline that reads it
// runs.
//   Row: the child's one row (ExprOp::Subquery reads its columns; all NULL when there is none); a second
//        row is 21000 "more than one row returned by a subquery used as an expression".
//   Set: the child's one column as a hash set (runtime::InSet, with whether a NULL was seen), probed by
//        ExprOp::InSubquery.
// A correlated subquery the binder could not turn into a join (`correlated`) is not run up front: an
// ExprOp::Apply runs its pipelines for each row of the query around it, from fresh state, with the
// values of `params` (columns of that query, read inside as ExprOp::OuterColumn) stored first.
class SubqueryOp final : public Op {
 public:
  static constexpr OpKind kKind = OpKind::Subquery;
  enum class Mode { Row, Set };
  SubqueryOp() : Op(kKind) {}
  int index = -1;
  Mode mode = Mode::Row;
  bool correlated = false;
  std::vector<ColumnId> params;  // for EXPLAIN: what the Apply stores (also nested subqueries' columns)

  PipelineRole role() const override { return PipelineRole::Sink; }
  void for_each_expr(const std::function<void(ExprPtr&)>&) override {}
  std::string explain(const ExplainContext& c) const override;
  void write_shape(ShapeWriter& w) const override;
};

// The join operators. children[0] is the build side: its pipeline ends in the join, which keeps every
// row of it (a runtime::JoinHashTable); children[1] is the probe side: its rows stream through the
// join in their own pipeline, which runs after the build pipeline. output is the columns of both
// sides (by ColumnId, so the order of the children does not matter to the operators above).
// A build row and a probe row match when the join's condition (keys and `residual`) is TRUE.
//   probe_outer: a probe row without a match is emitted once with the build side's columns NULL
//                (LEFT JOIN probing with the left side, RIGHT JOIN probing with the right side, FULL).
//   build_outer: after the probe side's last row, every build row that never matched is emitted with
//                the probe side's columns NULL (FULL JOIN).
//   semi:        a probe row is emitted once if some build row matches (EXISTS, IN); output is the
//                probe side's columns only.
//   anti:        a probe row is emitted once if no build row matches (NOT EXISTS); probe columns only.
// Build rows are kept in memory counted against the query's memory limit (53200 past it); there is
// no spilling yet.
class JoinOp : public Op {
 public:
  bool probe_outer = false;
  bool build_outer = false;
  bool semi = false;
  bool anti = false;
  // A correlated scalar subquery without an aggregate (probe_outer too): a probe row matching a second
  // build row raises 21000 "more than one row returned by a subquery used as an expression".
  bool single = false;
  ExprPtr residual;  // Bool over both sides' columns; null: none

  PipelineRole role() const override { return PipelineRole::Join; }
  const Op& build() const { return *children.at(0); }
  const Op& probe() const { return *children.at(1); }
  // "inner", "left outer" ... as seen from the probe side (for EXPLAIN).
  std::string join_type_name() const;

 protected:
  explicit JoinOp(OpKind k) : Op(k) {}
  void put_join(ShapeWriter& w) const;
};

// An equi-join: build_keys[i] (over the build side) = probe_keys[i] (over the probe side), both of the
// same type; a NULL key never matches. The build side's rows go into a hash table on their keys; each
// probe row looks its keys up (generated code, no call per probe row) and checks `residual` on every
// row with equal keys.
class HashJoinOp final : public JoinOp {
 public:
  static constexpr OpKind kKind = OpKind::HashJoin;
  HashJoinOp() : JoinOp(kKind) {}
  std::vector<ExprPtr> build_keys;
  std::vector<ExprPtr> probe_keys;

  void for_each_expr(const std::function<void(ExprPtr&)>& f) override;
  std::string explain(const ExplainContext& c) const override;
  void write_shape(ShapeWriter& w) const override;
};

// A join on any condition (or none: CROSS JOIN, comma joins): the build side is materialised, and each
// probe row is checked against every build row with `residual`.
class NestedLoopJoinOp final : public JoinOp {
 public:
  static constexpr OpKind kKind = OpKind::NestedLoopJoin;
  NestedLoopJoinOp() : JoinOp(kKind) {}

  void for_each_expr(const std::function<void(ExprPtr&)>& f) override;
  std::string explain(const ExplainContext& c) const override;
  void write_shape(ShapeWriter& w) const override;
};

// UNION ALL (and the input of UNION, INTERSECT and EXCEPT): the rows of every child, children[0]'s first,
// in order. Child i's column c becomes output[c] (every child has output.size() columns, of the output's
// types). A breaker: each child's pipeline appends its rows to a row buffer (a runtime::Sorter without
// keys, counted against the query's memory limit), which the next pipeline reads in arrival order.
class UnionAllOp final : public Op {
 public:
  static constexpr OpKind kKind = OpKind::UnionAll;
  UnionAllOp() : Op(kKind) {}

  PipelineRole role() const override { return PipelineRole::Breaker; }
  void for_each_expr(const std::function<void(ExprPtr&)>&) override {}
  std::string explain(const ExplainContext& c) const override;
  void write_shape(ShapeWriter& w) const override;
};

// Window functions over one window (PARTITION BY `partition_keys` ORDER BY `order_keys`): a breaker
// that keeps every input row (a runtime::WindowBuffer: a runtime::Sorter ordered by partition, then
// order keys, counted against the query's memory limit), then emits them in that order, each with the
// value of every call of `functions` for it. output is children[0]->output followed by one column per
// function, in order. Several windows of one SELECT are WindowOps stacked one over another.
// The function's SQL name ("row_number", "count" for count(*) too).
const char* window_func_name(WindowFunction f);

class WindowOp final : public Op {
 public:
  static constexpr OpKind kKind = OpKind::Window;
  WindowOp() : Op(kKind) {}
  std::vector<ColumnId> partition_keys;  // columns of children[0]
  std::vector<SortKey> order_keys;       // columns of children[0]
  std::vector<WindowCall> functions;

  PipelineRole role() const override { return PipelineRole::Breaker; }
  void for_each_expr(const std::function<void(ExprPtr&)>& f) override;
  std::string explain(const ExplainContext& c) const override;
  void write_shape(ShapeWriter& w) const override;
};

// A set-returning function (generate_series, unnest) applied to each row of children[0]: per input row
// it emits zero or more rows, each the input row followed by the function's columns (output is
// children[0]->output then one column per entry of `values`). Without LATERAL references children[0] is
// one empty row (a ValuesOp); with them it is what the function's arguments name: a dependent (nested
// loop) join that runs the function again for every row. The function is a loop over `state`:
//   state = init (over the input row); check (an integer) not 0 or NULL: 22023, 1 "step size cannot equal
//   zero", over numeric 2 / 3 "start value cannot be NaN / infinity", 4 / 5 the stop's, 6 / 7 the step's
//   while (!finished && cond IS TRUE) {
//     columns = values; if (last IS TRUE) finished = true; else state = next (null entries: unchanged)
//     if (residual IS TRUE) emit
//   }
//   outer (LEFT JOIN LATERAL): an input row that emitted nothing is emitted once, the columns NULL.
// The binder builds init / cond / next / values from the SQL operators of the argument types, so that
// each type's semantics (overflow, interval arithmetic, numeric) stay in one place.
class FunctionScanOp final : public Op {
 public:
  static constexpr OpKind kKind = OpKind::FunctionScan;
  FunctionScanOp() : Op(kKind) {}
  std::string function;  // its SQL name (EXPLAIN)
  std::vector<OutputColumn> state;
  std::vector<ExprPtr> init;
  ExprPtr check;  // int4, see above (null: none)
  ExprPtr cond;
  ExprPtr last;
  std::vector<ExprPtr> next;
  std::vector<ExprPtr> values;
  ExprPtr residual;
  bool outer = false;

  // The function's columns (the end of output).
  std::vector<OutputColumn> function_columns() const {
    return std::vector<OutputColumn>(output.end() - static_cast<std::ptrdiff_t>(values.size()), output.end());
  }

  PipelineRole role() const override { return PipelineRole::Streaming; }
  void for_each_expr(const std::function<void(ExprPtr&)>& f) override;
  std::string explain(const ExplainContext& c) const override;
  void write_shape(ShapeWriter& w) const override;
};

// WITH RECURSIVE's `non-recursive term UNION [ALL] recursive term` (PostgreSQL's RecursiveUnion).
// children[0] is the non-recursive term, children[1] the recursive term, whose WorkTableScanOp of the same
// `index` reads the rows the previous iteration added (the working table); output[c] is both children's
// column c (they have output.size() columns of the output's types). children[0]'s pipeline appends its
// rows to the working table; the pipeline reading the operator emits the working table's rows, then runs
// children[1]'s pipelines over them from fresh state (one iteration), which append the next working
// table, and so on until an iteration adds no row (or a LIMIT above stops reading). `distinct` (UNION):
// a row equal to any row kept before (NULLs equal, as in the other set operations) is dropped. Rows are
// counted against the query's memory limit (53200 past it: the working tables, and UNION's set of all
// rows); every iteration checks for a cancel and statement_timeout.
class RecursiveUnionOp final : public Op {
 public:
  static constexpr OpKind kKind = OpKind::RecursiveUnion;
  RecursiveUnionOp() : Op(kKind) {}
  std::string name;  // the CTE's (EXPLAIN)
  int index = -1;    // the statement's recursive union number, shared with its WorkTableScanOp
  bool distinct = false;

  PipelineRole role() const override { return PipelineRole::Recursive; }
  void for_each_expr(const std::function<void(ExprPtr&)>&) override {}
  std::string explain(const ExplainContext& c) const override;
  void write_shape(ShapeWriter& w) const override;
};

// The recursive reference inside a RecursiveUnionOp's recursive term: a source reading the working table
// of the RecursiveUnionOp with the same `index` (the rows of the previous iteration). output[c] is the
// working table's column c.
class WorkTableScanOp final : public Op {
 public:
  static constexpr OpKind kKind = OpKind::WorkTableScan;
  WorkTableScanOp() : Op(kKind) {}
  std::string name;  // the CTE's (EXPLAIN)
  int index = -1;

  PipelineRole role() const override { return PipelineRole::Source; }
  void for_each_expr(const std::function<void(ExprPtr&)>&) override {}
  std::string explain(const ExplainContext& c) const override;
  void write_shape(ShapeWriter& w) const override;
};

// A materialized CTE (PostgreSQL's "CTE x"): WITH x AS (...) referenced more than once, or whose query
// calls a volatile function, or written AS MATERIALIZED (binder.cpp's "Query expressions" says when). The
// root of a tree of PhysicalPlan::subplans: its child's pipeline ends here, appending every row to a row
// buffer (a runtime::Sorter without keys, counted against the query's memory limit, 53200 past it), once per
// execution, before any pipeline reading it (a CteScanOp of the same `index`) runs. Its child's output
// columns are the buffer's, in order.
class CteOp final : public Op {
 public:
  static constexpr OpKind kKind = OpKind::Cte;
  CteOp() : Op(kKind) {}
  std::string name;  // the CTE's (EXPLAIN)
  int index = -1;    // the statement's materialized CTE number, shared with its CteScanOps

  PipelineRole role() const override { return PipelineRole::Sink; }
  void for_each_expr(const std::function<void(ExprPtr&)>&) override {}
  std::string explain(const ExplainContext& c) const override;
  void write_shape(ShapeWriter& w) const override;
};

// One reference to a materialized CTE (PostgreSQL's "CTE Scan on x"): a source reading the rows the CteOp
// of the same `index` buffered, in the order they arrived. output[c] is the buffer's column c; every
// reference has columns of its own.
class CteScanOp final : public Op {
 public:
  static constexpr OpKind kKind = OpKind::CteScan;
  CteScanOp() : Op(kKind) {}
  std::string name;   // the CTE's (EXPLAIN)
  std::string alias;  // the reference's alias, empty without one (EXPLAIN)
  int index = -1;

  PipelineRole role() const override { return PipelineRole::Source; }
  void for_each_expr(const std::function<void(ExprPtr&)>&) override {}
  std::string explain(const ExplainContext& c) const override;
  void write_shape(ShapeWriter& w) const override;
};

// Passes each row `count` times (Int64, over the row's columns; NULL or <= 0: not at all): INTERSECT ALL
// and EXCEPT ALL emit a row as many times as their counts say. output == children[0]->output.
class RepeatOp final : public Op {
 public:
  static constexpr OpKind kKind = OpKind::Repeat;
  RepeatOp() : Op(kKind) {}
  ExprPtr count;

  PipelineRole role() const override { return PipelineRole::Streaming; }
  void for_each_expr(const std::function<void(ExprPtr&)>& f) override;
  std::string explain(const ExplainContext& c) const override;
  void write_shape(ShapeWriter& w) const override;
};

}  // namespace omendb::plan
