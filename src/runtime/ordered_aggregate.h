// The state of one group's order-sensitive aggregate call (string_agg, array_agg(x ORDER BY ...)): the
// rows it was fed, kept until the group's result is computed, then sorted by the call's ORDER BY (stable:
// ties keep their input order) and folded into the result. Generated code keeps a pointer to it in the
// aggregate's state Datum (codegen's operators/aggregate_state.h); ExecContext owns it.
//
// A row holds the aggregate's argument values, then its sort keys (OrderedAggSpec). Memory (rows, and
// their text in the query's arena) is counted against the query's MemoryTracker: past its limit 53200.
#pragma once

#include <cstdint>
#include <vector>

#include "common/datum.h"
#include "runtime/arena.h"
#include "runtime/memory.h"
#include "runtime/sorter.h"

namespace omendb::runtime {

// The aggregate an OrderedValues computes (rt_ordered_agg_result's `func`).
enum class OrderedFunc : int32_t {
  StringAgg = 0,       // columns: value (Text or Bytea, not NULL), delimiter (NULL: empty)
  ArrayAgg = 1,        // columns: value (NULLs too)
  PercentileCont = 2,  // columns: value (Float64, not NULL); the fraction is the direct argument
  PercentileDisc = 3,  // columns: value (not NULL); the fraction is the direct argument
  Mode = 4,            // columns: value (not NULL)
  // percentile_cont / percentile_disc over an array of fractions (Float64Array): an array of results
  PercentileContMulti = 5,
  PercentileDiscMulti = 6,
};

class OrderedValues {
 public:
  explicit OrderedValues(MemoryTracker* memory) : memory_(memory) {}
  ~OrderedValues();
  OrderedValues(const OrderedValues&) = delete;
  OrderedValues& operator=(const OrderedValues&) = delete;

  // Appends a row of spec.types.size() Datums, its text copied into `text`. Throws SqlError 53200 past
  // the query's memory limit.
  void add(const SortSpec& spec, const Datum* row, Arena& text);
  // Sorts the rows by spec.keys (once; stable) and returns their number.
  uint64_t sort(const SortSpec& spec);
  const Datum* row(const SortSpec& spec, uint64_t i) const { return rows_.data() + i * spec.types.size(); }

 private:
  MemoryTracker* memory_;
  std::vector<Datum> rows_;
  uint64_t reserved_ = 0;  // bytes of rows_' capacity counted in memory_
  bool sorted_ = false;
};

// The aggregate `func` over the rows of `values` (sorted here), into *out (NULL without rows; text in
// `arena`, or in the values' own). `arg` is the direct argument (the percentiles' Float64 fraction, or
// Float64Array of them: NULL gives NULL, outside [0, 1] throws SqlError 22003).
void ordered_result(OrderedFunc func, const SortSpec& spec, OrderedValues& values, const Datum* arg,
                    Datum* out, Arena& arena);

}  // namespace omendb::runtime
