// The sort buffer of a Sort operator: rows of Datums appended by generated code, sorted once, read
// back in order. Memory (rows and their text) is counted against the query's MemoryTracker.
#pragma once

#include <cstdint>
#include <vector>

#include "common/datum.h"
#include "common/types.h"
#include "runtime/arena.h"
#include "runtime/memory.h"

namespace omendb::runtime {

struct SortKeySpec {
  int column = 0;
  TypeId type = TypeId::Int64;
  bool descending = false;
  bool nulls_first = false;
};

struct SortSpec {
  std::vector<TypeId> types;  // one per column of a row
  std::vector<SortKeySpec> keys;
};

// Orders two non-NULL Datums of `type` as PostgreSQL does (NaN above every double, text bytewise):
// < 0, 0 or > 0. The C++ twin of codegen's sql::compare_values.
int compare_datums(TypeId type, const Datum& a, const Datum& b);

class Sorter {
 public:
  Sorter(SortSpec spec, MemoryTracker* memory);
  ~Sorter();
  Sorter(const Sorter&) = delete;
  Sorter& operator=(const Sorter&) = delete;

  // A new row for generated code to fill; then row_done() copies its text into the sorter's arena.
  // Throws SqlError 53200 past the query's memory limit.
  Datum* append();
  void row_done();
  // Sorts (once; stable) and returns the row count.
  uint64_t finish();
  const Datum* rows() const { return rows_.data(); }
  size_t width() const { return spec_.types.size(); }

 private:
  SortSpec spec_;
  MemoryTracker* memory_;
  std::vector<Datum> rows_;  // row-major, width() per row
  uint64_t reserved_ = 0;    // bytes of rows_' capacity counted in memory_
  Arena text_;
  bool sorted_ = false;
};

}  // namespace omendb::runtime
