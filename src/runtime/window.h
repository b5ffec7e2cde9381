// The buffer of a Window operator: the input rows, kept in a Sorter ordered by the window's partition
// and order keys, and the value of each window function for each row, computed once all rows are in
// (PostgreSQL's WindowAgg semantics). Memory (rows, text, per-partition work arrays) is counted against
// the query's MemoryTracker.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "common/datum.h"
#include "common/types.h"
#include "common/window.h"
#include "runtime/memory.h"
#include "runtime/sorter.h"

namespace omendb::runtime {

// One window function. args are column indexes of a row: ntile(n: Int32), lag / lead(value, offset:
// Int32, default: value's type), nth_value(value, n: Int32), first_value / last_value(value), aggregates
// (x). Result types as plan::WindowCall: sum is Int64 over smaller integers (22003 on overflow), Float64
// over Float64 and Numeric over bigint and numeric; avg is Float64 over Float64 (a double sum of the
// values divided by their count) and Numeric over integers and numeric (num::Accumulator, PostgreSQL's
// result scale), min / max the value's type.
struct WindowFunctionSpec {
  WindowFunction func = WindowFunction::RowNumber;
  std::vector<int> args;
  TypeId arg_type = TypeId::Int64;  // args[0]'s type
  TypeId type = TypeId::Int64;      // the result's
  // The frame: ROWS (offsets count rows), GROUPS (offsets count peer groups) or RANGE (offsets: below);
  // CURRENT ROW is the row's first / last peer but in ROWS mode.
  bool rows = false;
  bool groups = false;
  FrameBound start = FrameBound::UnboundedPreceding;
  FrameBound end = FrameBound::CurrentRow;
  // EXCLUDE: rows of the frame the aggregates and first_value / last_value / nth_value skip.
  FrameExclusion exclude = FrameExclusion::NoOthers;
  // RANGE with offsets: the columns of a row holding the ORDER BY value in `range_type` and the value
  // each offset bound reaches (-1: none); the frame reaches the rows whose value is within the bounds,
  // in the ORDER BY's direction (a row whose value is NULL: its peers, the other NULL rows).
  int range_key = -1, start_bound = -1, end_bound = -1;
  TypeId range_type = TypeId::Unknown;
};

struct WindowSpec {
  std::vector<TypeId> types;           // the input columns of a row
  std::vector<SortKeySpec> partition;  // rows with equal partition keys (NULLs equal) form a partition
  std::vector<SortKeySpec> order;      // rows with equal order keys are peers
  std::vector<WindowFunctionSpec> functions;
};

class WindowBuffer {
 public:
  WindowBuffer(const WindowSpec& spec, MemoryTracker* memory);
  ~WindowBuffer();
  WindowBuffer(const WindowBuffer&) = delete;
  WindowBuffer& operator=(const WindowBuffer&) = delete;

  // A row for generated code to fill (its input columns); row_done() copies its text. Throws 53200.
  Datum* append();
  void row_done() { sorter_.row_done(); }
  // The frame offsets of function `f` (ROWS n PRECEDING / FOLLOWING), evaluated once per execution:
  // 22004 when one it uses is NULL, 22013 when negative.
  void set_frame_offsets(size_t f, int64_t start, bool start_null, int64_t end, bool end_null);
  // Sorts the rows and computes every function (once); returns the row count. Each row is then the input
  // columns followed by one Datum per function. `interrupted` is polled now and then (a cancelled or
  // timed-out query): when it returns true the computation stops and finish returns 0.
  // Throws SqlError: 22014 / 22016 for ntile / nth_value arguments <= 0, 22003 for a sum's overflow,
  // 53200 past the memory limit.
  uint64_t finish(const std::function<bool()>& interrupted);
  const Datum* rows() const { return sorter_.rows(); }
  size_t width() const { return sorter_.width(); }

 private:
  struct Offsets {
    int64_t start = 0, end = 0;
  };
  void compute_partition(Datum* rows, size_t n, const std::function<bool()>& interrupted);
  void compute_function(size_t f, Datum* rows, size_t n);
  // Returns false when interrupted.
  bool compute_aggregate(size_t f, Datum* rows, size_t n, const std::function<bool()>& interrupted);
  // Row `k`'s frame [begin, end) within the partition, for function f (after prepare_frames).
  void frame_of(size_t f, size_t k, size_t n, size_t& begin, size_t& end) const;
  // Whether `row` of row k's frame is excluded by function f's EXCLUDE clause (after compute_partition
  // found the peers).
  bool excluded(const WindowFunctionSpec& fn, size_t k, size_t row) const {
    switch (fn.exclude) {
      case FrameExclusion::NoOthers:
        return false;
      case FrameExclusion::CurrentRow:
        return row == k;
      case FrameExclusion::Group:
        return row >= peer_begin_[k] && row < peer_end_[k];
      case FrameExclusion::Ties:
        return row != k && row >= peer_begin_[k] && row < peer_end_[k];
    }
    return false;
  }
  // Before frame_of for function f over a partition: where its rows with a non-NULL RANGE key are.
  void prepare_frames(size_t f, const Datum* rows, size_t n);

  WindowSpec spec_;
  MemoryTracker* memory_;
  Sorter sorter_;
  size_t input_width_;
  std::vector<Offsets> offsets_;
  bool finished_ = false;
  uint64_t count_ = 0;
  // Per partition being computed: each row's first peer and one past its last peer; with a GROUPS frame,
  // each row's peer group (numbered from 0) and each group's first row (then the partition's size).
  std::vector<uint64_t> peer_begin_, peer_end_, group_of_, group_start_;
  uint64_t peers_counted_ = 0;
  bool uses_groups_ = false;
  uint64_t groups_ = 0;  // peer groups of the partition
  // prepare_frames: the partition's rows, and those whose RANGE key is not NULL [key_begin_, key_end_).
  const Datum* part_rows_ = nullptr;
  size_t key_begin_ = 0, key_end_ = 0;
  bool interrupted_ = false;
  // The bytes of numeric results (rows point into them; a deque never moves its strings), counted in
  // memory_.
  std::deque<std::string> numeric_results_;
  uint64_t numeric_bytes_ = 0;
};

}  // namespace omendb::runtime
