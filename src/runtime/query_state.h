// The state a compiled pipeline function receives: `void pipeline(QueryState*)`. Generated code reads
// these fields by offset (checked below); everything else lives behind `ctx` and is reached only
// through runtime functions (runtime_api.h).
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/datum.h"

namespace omendb::runtime {

class ExecContext;

struct QueryState {
  const Datum* params;  // the statement's parameter values
  uint64_t param_count;
  Datum* out;      // the current result row, filled before rt_emit_row
  Datum* row;      // the current row for INSERT/UPDATE, filled before rt_insert/rt_update
  int32_t status;  // 0 while all is well; set by rt_fail and failing runtime calls
  int32_t reserved;
  ExecContext* ctx;
  Datum* outer;  // correlated subqueries: the outer values their Apply stored (QueryLayout::outer_columns)
  // EXPLAIN ANALYZE (plan::PhysicalPlan::count_rows): rows each operator passed on, by its position in
  // planner::operator_order; null otherwise.
  uint64_t* op_rows;
};
static_assert(offsetof(QueryState, params) == 0);
static_assert(offsetof(QueryState, param_count) == 8);
static_assert(offsetof(QueryState, out) == 16);
static_assert(offsetof(QueryState, row) == 24);
static_assert(offsetof(QueryState, status) == 32);
static_assert(offsetof(QueryState, ctx) == 40);
static_assert(offsetof(QueryState, outer) == 48);
static_assert(offsetof(QueryState, op_rows) == 56);

// What generated code reports through rt_fail: the runtime turns each into its SqlError.
enum class ErrorKind : int32_t {
  IntegerOutOfRange = 1,  // 22003 integer out of range
  BigintOutOfRange,       // 22003 bigint out of range
  FloatOverflow,          // 22003 value out of range: overflow
  DivisionByZero,         // 22012
  NegativeLimit,          // 2201W
  NegativeOffset,         // 2201X
  FloatToIntOutOfRange,   // 22003 integer out of range (from a float conversion)
  ZeroStep,               // 22023 step size cannot equal zero (generate_series)
  FloatUnderflow,         // 22003 value out of range: underflow
  // 22023 generate_series over numeric: plan::FunctionScanOp::check's codes 2..7, in this order.
  SeriesStartNaN,
  SeriesStartInfinity,
  SeriesStopNaN,
  SeriesStopInfinity,
  SeriesStepNaN,
  SeriesStepInfinity,
  SmallintOutOfRange,  // 22003 smallint out of range
};

}  // namespace omendb::runtime
