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

struct QueryLayout {
  std::vector<storage::ScanSpec> scans;  // table and columns; bounds are filled at run time
  std::vector<SortSpec> sorts;
  std::vector<WindowSpec> windows;                 // buffers of Window operators
  std::vector<size_t> aggregates;                  // Datums of each whole-input aggregate state
  std::vector<AggTableSpec> agg_tables;            // hash tables of HashAggregate operators
  std::vector<SortSpec> ordered_aggs;              // rows and order of order-sensitive aggregate calls
  std::vector<JoinTableSpec> join_tables;          // build sides of HashJoin / NestedLoopJoin operators
  std::vector<storage::TableDefPtr> targets;       // INSERT / UPDATE / DELETE target tables
  std::vector<InSetSpec> in_sets;                  // hash sets of `x IN (long list of literals)` and of
                                                   // `x IN (SELECT ...)`
  std::vector<std::vector<TypeId>> subquery_rows;  // column types of each one-row subquery result
  std::vector<SubquerySlot> subqueries;            // by subquery index
  size_t out_width = 0;                            // Datums of a result row (QueryState::out)
  size_t row_width = 0;                            // Datums of a DML row (QueryState::row)

  int add_scan(storage::ScanSpec spec) { return push(scans, std::move(spec)); }
  int add_sort(SortSpec spec) { return push(sorts, std::move(spec)); }
  int add_window(WindowSpec spec) { return push(windows, std::move(spec)); }
  int add_aggregate(size_t datums) { return push(aggregates, datums); }
  int add_agg_table(AggTableSpec spec) { return push(agg_tables, std::move(spec)); }
  int add_ordered_agg(SortSpec spec) { return push(ordered_aggs, std::move(spec)); }
  int add_join_table(JoinTableSpec spec) { return push(join_tables, std::move(spec)); }
  int add_target(storage::TableDefPtr table) { return push(targets, std::move(table)); }
  int add_in_set(InSetSpec spec) { return push(in_sets, std::move(spec)); }
  int add_subquery_row(std::vector<TypeId> types) { return push(subquery_rows, std::move(types)); }
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
