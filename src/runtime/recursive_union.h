// The state of a RecursiveUnion operator (WITH RECURSIVE, plan::RecursiveUnionOp): the working table (the
// rows the previous iteration added, read by the recursive term's WorkTableScan and by the pipeline
// reading the operator) and the rows being added for the next iteration. UNION (distinct) also keeps
// every row kept so far, to drop a row equal to one of them (NULLs equal, -0.0 equal to 0.0: the
// grouping equality of the aggregation hash table). Memory (rows, their text, the set) is counted
// against the query's MemoryTracker; growing past the limit throws SqlError 53200.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "common/datum.h"
#include "common/types.h"
#include "runtime/aggregation_hash_table.h"
#include "runtime/memory.h"
#include "runtime/sorter.h"

namespace omendb::runtime {

struct RecursiveUnionSpec {
  std::vector<TypeId> types;  // one per column of a row (at least one)
  bool distinct = false;      // UNION: drop rows equal to a row kept before
};

class RecursiveUnion {
 public:
  RecursiveUnion(RecursiveUnionSpec spec, MemoryTracker* memory);
  RecursiveUnion(const RecursiveUnion&) = delete;
  RecursiveUnion& operator=(const RecursiveUnion&) = delete;

  // The row for generated code to fill; then row_done() adds a copy of it (text included) to the next
  // working table, unless `distinct` and an equal row was kept before. Returns whether it was added.
  Datum* row() { return scratch_.data(); }
  bool row_done();
  // The rows added since the last advance() become the working table (the previous one is freed);
  // returns how many there are.
  uint64_t advance();
  // The working table: count() rows of width() Datums, contiguous.
  const Datum* rows() const { return working_->rows(); }
  uint64_t count() const { return count_; }
  size_t width() const { return spec_.types.size(); }

 private:
  RecursiveUnionSpec spec_;
  MemoryTracker* memory_;
  std::vector<Datum> scratch_;
  std::unique_ptr<Sorter> working_;  // without keys: rows in arrival order
  std::unique_ptr<Sorter> next_;
  uint64_t count_ = 0;                          // rows of working_
  std::unique_ptr<AggregationHashTable> seen_;  // distinct: every row kept
};

}  // namespace omendb::runtime
