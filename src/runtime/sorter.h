// The sort buffer of a Sort operator: rows of Datums appended by generated code, sorted once, read
// back in order. Memory (rows and their text) is counted against the query's MemoryTracker.
#pragma once

#include <cstdint>
#include <memory>
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
// Whether row `a` sorts before row `b` by `keys` (NULLs where each key puts them); equal rows: false.
bool sort_row_less(const std::vector<SortKeySpec>& keys, const Datum* a, const Datum* b);

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
  // Top-N: only the first `rows` rows of the sorted order are needed. Rows arrive as usual; whenever
  // twice as many are held, the best `rows` are kept (with their text, in a fresh arena), so memory
  // stays proportional to `rows`, not to the input. The kept rows are exactly the stable sort's first.
  void set_limit(uint64_t rows);
  // Sorts (once; stable) and returns the row count. Without keys the rows stay in arrival order (a row
  // buffer: UnionAll).
  uint64_t finish();
  const Datum* rows() const { return rows_.data(); }
  // The rows after finish(), to write into (a window's results; sorting is done by then).
  Datum* mutable_rows() { return rows_.data(); }
  size_t width() const { return spec_.types.size(); }

 private:
  SortSpec spec_;
  MemoryTracker* memory_;
  LargeVector<Datum> rows_;  // row-major, width() per row
  uint64_t reserved_ = 0;    // bytes of rows_' capacity counted in memory_
  std::unique_ptr<Arena> text_;
  bool sorted_ = false;
  uint64_t limit_ = UINT64_MAX;  // top-N: rows needed
  uint64_t seq_base_ = 0;        // arrival number of rows_' first row (ties keep arrival order)
  LargeVector<uint64_t> seq_;    // top-N only: each held row's arrival number

  bool less(const Datum* a, const Datum* b) const;
  void keep_best();
};

}  // namespace omendb::runtime
