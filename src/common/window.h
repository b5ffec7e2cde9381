// The window functions and frame bounds OmenDB knows, named once for the planner (plan::WindowCall,
// plan::WindowFrame) and the runtime (runtime::WindowSpec) that evaluates them.
#pragma once

#include <cstdint>

namespace omendb {

// Window functions. The aggregates compute over the frame of each row; the others over the row's
// partition (ranking, lag / lead) or its frame (first_value, last_value, nth_value).
enum class WindowFunction : uint8_t {
  RowNumber,
  Rank,
  DenseRank,
  PercentRank,
  CumeDist,
  Ntile,
  Lag,
  Lead,
  FirstValue,
  LastValue,
  NthValue,
  CountStar,
  Count,
  Sum,
  Avg,
  Min,
  Max
};

// One end of a window frame; the offset bounds carry an offset (ROWS: a count of rows).
enum class FrameBound : uint8_t {
  UnboundedPreceding,
  OffsetPreceding,
  CurrentRow,
  OffsetFollowing,
  UnboundedFollowing
};

// A frame's EXCLUDE clause: the rows of each row's frame that its aggregates and first_value / last_value /
// nth_value skip (ranking and lag / lead ignore the frame).
enum class FrameExclusion : uint8_t {
  NoOthers,    // EXCLUDE NO OTHERS, the default
  CurrentRow,  // the row itself
  Group,       // the row and its peers
  Ties         // its peers, not the row
};

}  // namespace omendb
