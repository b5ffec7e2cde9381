// What a compiled plan needs at run time, declared by its operator translators at compile time
// (OperatorTranslator::declare_state) and kept with the compiled code: one entry per scan cursor,
// sort buffer, aggregate state and DML target, addressed by generated code through its index.
// ExecContext::prepare builds the runtime state from it for each execution.
#pragma once

#include <cstddef>
#include <vector>

#include "runtime/aggregation_hash_table.h"
#include "runtime/in_set.h"
#include "runtime/join_hash_table.h"
#include "runtime/ordered_aggregate.h"
#include "runtime/recursive_union.h"
#include "runtime/sorter.h"
#include "runtime/window.h"
#include "storage/store.h"

namespace omendb::runtime {

// Where the result of subquery i (plan::SubqueryOp, PhysicalPlan::subplans[i]) is kept: a row
// (QueryLayout::subquery_rows) or a hash set (QueryLayout::in_sets).
struct SubquerySlot {
  bool set = false;
  int slot = -1;
};

// How many entries of each kind of state a QueryLayout had at one point of its declaration: a correlated
// subquery's state is the entries declared between two such marks.
struct StateMarks {
  size_t scans = 0, sorts = 0, windows = 0, aggregates = 0, agg_tables = 0, join_tables = 0, in_sets = 0,
         subquery_rows = 0, recursive_unions = 0;
};

// A correlated subquery (plan::SubqueryOp::correlated), run by ExprOp::Apply for each row of the query
// around it: its pipelines (indexes into the compiled pipelines, in order), the state they own (made fresh
// before each run) and the outer columns the Apply stores (QueryLayout::outer_columns), in its order.
struct CorrelatedSubquery {
  std::vector<size_t> pipelines;
  StateMarks begin, end;
  std::vector<int> params;
};

// The recursive term of a RecursiveUnion (plan::RecursiveUnionOp), by the union's slot: its pipelines
// (indexes into the compiled pipelines, in order), run once per iteration by rt_rec_iterate, and the state
// they own (made fresh before each iteration).
struct RecursiveTerm {
  std::vector<size_t> pipelines;
  StateMarks begin, end;
};

struct QueryLayout {
  std::vector<storage::ScanSpec> scans;  // table and columns; bounds are filled at run time
  std::vector<SortSpec> sorts;
  std::vector<WindowSpec> windows;                   // buffers of Window operators
  std::vector<size_t> aggregates;                    // Datums of each whole-input aggregate state
  std::vector<AggTableSpec> agg_tables;              // hash tables of HashAggregate operators
  std::vector<SortSpec> ordered_aggs;                // rows and order of order-sensitive aggregate calls
  std::vector<JoinTableSpec> join_tables;            // build sides of HashJoin / NestedLoopJoin operators
  std::vector<storage::TableDefPtr> targets;         // INSERT / UPDATE / DELETE target tables
  std::vector<bool> counted_targets;                 // by target: its rows count in rows_affected (not
                                                     // a data-modifying WITH item's)
  std::vector<InSetSpec> in_sets;                    // hash sets of `x IN (long list of literals)` and of
                                                     // `x IN (SELECT ...)`
  std::vector<std::vector<TypeId>> subquery_rows;    // column types of each one-row subquery result
  std::vector<SubquerySlot> subqueries;              // by subquery index
  std::vector<CorrelatedSubquery> correlated;        // by subquery index (no pipelines: not correlated)
  std::vector<RecursiveUnionSpec> recursive_unions;  // states of RecursiveUnion operators
  std::vector<RecursiveTerm> recursive_terms;        // by recursive union slot
  std::vector<int> recursive_slots;     // by plan::RecursiveUnionOp::index: its slot (-1: not in the plan)
  std::vector<int> cte_slots;           // by plan::CteOp::index: the sort slot of its row buffer
  std::vector<int> outer_columns;       // the column (plan::ColumnId) of each QueryState::outer
  std::vector<bool> per_row_pipelines;  // by pipeline: run by an Apply or by a recursive
                                        // union's iteration, not in plan order
  size_t out_width = 0;                 // Datums of a result row (QueryState::out)
  size_t row_width = 0;                 // Datums of a DML row (QueryState::row)

  int add_scan(storage::ScanSpec spec) { return push(scans, std::move(spec)); }
  int add_sort(SortSpec spec) { return push(sorts, std::move(spec)); }
  int add_window(WindowSpec spec) { return push(windows, std::move(spec)); }
  int add_aggregate(size_t datums) { return push(aggregates, datums); }
  int add_agg_table(AggTableSpec spec) { return push(agg_tables, std::move(spec)); }
  int add_ordered_agg(SortSpec spec) { return push(ordered_aggs, std::move(spec)); }
  int add_join_table(JoinTableSpec spec) { return push(join_tables, std::move(spec)); }
  int add_target(storage::TableDefPtr table, bool counted = true) {
    counted_targets.push_back(counted);
    return push(targets, std::move(table));
  }
  int add_in_set(InSetSpec spec) { return push(in_sets, std::move(spec)); }
  int add_subquery_row(std::vector<TypeId> types) { return push(subquery_rows, std::move(types)); }
  // A RecursiveUnion's state, for the operator whose plan::RecursiveUnionOp::index is `index`.
  int add_recursive_union(int index, RecursiveUnionSpec spec) {
    if (recursive_slots.size() <= static_cast<size_t>(index))
      recursive_slots.resize(static_cast<size_t>(index) + 1, -1);
    recursive_terms.emplace_back();
    return recursive_slots[static_cast<size_t>(index)] = push(recursive_unions, std::move(spec));
  }
  // The slot of the RecursiveUnion whose index is `index` (once it declared its state).
  int recursive_slot(int index) const { return recursive_slots.at(static_cast<size_t>(index)); }
  // A materialized CTE's row buffer (a Sorter without keys), for the plan::CteOp whose index is `index`.
  int add_cte(int index, SortSpec spec) {
    if (cte_slots.size() <= static_cast<size_t>(index)) cte_slots.resize(static_cast<size_t>(index) + 1, -1);
    return cte_slots[static_cast<size_t>(index)] = add_sort(std::move(spec));
  }
  // The sort slot of the CTE whose index is `index` (once its CteOp declared its state).
  int cte_slot(int index) const { return cte_slots.at(static_cast<size_t>(index)); }
  StateMarks marks() const {
    return {scans.size(),      sorts.size(),         windows.size(),
            aggregates.size(), agg_tables.size(),    join_tables.size(),
            in_sets.size(),    subquery_rows.size(), recursive_unions.size()};
  }
  // The QueryState::outer slot of an enclosing query's column.
  int outer_slot(int column) {
    for (size_t i = 0; i < outer_columns.size(); ++i)
      if (outer_columns[i] == column) return static_cast<int>(i);
    return push(outer_columns, column);
  }
  CorrelatedSubquery& correlated_subquery(int index) {
    if (correlated.size() <= static_cast<size_t>(index)) correlated.resize(static_cast<size_t>(index) + 1);
    return correlated[static_cast<size_t>(index)];
  }
  void set_subquery(int index, SubquerySlot s) {
    if (subqueries.size() <= static_cast<size_t>(index)) subqueries.resize(static_cast<size_t>(index) + 1);
    subqueries[static_cast<size_t>(index)] = s;
  }

 private:
  template <typename T>
  static int push(std::vector<T>& v, T x) {
    v.push_back(std::move(x));
    return static_cast<int>(v.size()) - 1;
  }
};

}  // namespace omendb::runtime
