// Internal to codegen: the state of one aggregate call (count, count(*), sum, min, max, avg), its
// per-row update and its final value, shared by the whole-input Aggregate and the HashAggregate
// translators so that aggregate semantics are written once.
//
// Each aggregate takes aggregate_state_datums(call) Datums, zero-initialised by the runtime:
//   state[0] = running value, state[1] = count of non-NULL inputs (rows for count(*)).
//   update, per row:  if (FILTER given and not true) skip; v = <arg>; if (DISTINCT and v seen) skip;
//                     if (v IS NULL) skip;
//     sum: value += v (integers: overflow -> 22003)  avg(double precision): value += v
//     sum / avg producing numeric (sum(int8 | numeric), avg(int4 | int8 | numeric)): the value Datum holds
//       a query-owned num::Accumulator (rt_numeric_accum / rt_numeric_accum_int)
//     min/max: if (count == 0 || v <op> value) value = v (text copied by set_text)
//     count++
//     order-sensitive aggregates (string_agg; array_agg(x ORDER BY ...)): the value Datum holds a
//       query-owned runtime::OrderedValues; rt_ordered_agg_add(row = args, then the ORDER BY keys)
//       (string_agg skips NULL values)
//   result: count for count / count(*); NULL when count == 0; avg = value / count (numeric:
//   rt_numeric_accum_result, with division's result scale); order-sensitive aggregates:
//   rt_ordered_agg_result (sorts the rows, then folds them); else value.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "codegen/operator_translator.h"
#include "codegen/sql_value.h"

namespace omendb::codegen {

constexpr size_t kAggStateDatums = 2;
// The Datums of `call`'s state.
size_t aggregate_state_datums(const plan::AggregateCall& call);
// Whether `call` keeps its rows in a runtime::OrderedValues (string_agg, array_agg(x ORDER BY ...)).
bool uses_ordered_values(const plan::AggregateCall& call);

// Stores text value `v` (not NULL) into the state Datum `datum` as a copy the state owns.
using SetTextFn = std::function<void(const SqlValue& v, llvm::Value* datum)>;

// DISTINCT aggregates (count(DISTINCT x), sum(DISTINCT x), ...): each has a set of the (group keys,
// argument) pairs seen so far, a runtime::AggregationHashTable whose rows are the pair's Datums and one
// "seen" Datum; the aggregate's update runs only for the first row of each pair.
struct DistinctSet {
  int slot = -1;                     // the set's hash table (declare_distinct_set)
  std::vector<SqlValue> keys;        // this row's group keys (none for a whole-input Aggregate)
  llvm::Value* keys_hash = nullptr;  // their hash (sql::hash_seed when there are none)
};
// Declares the set of a DISTINCT aggregate: keys of `group_key_types`, then the argument's type.
int declare_distinct_set(runtime::QueryLayout& layout, const std::vector<TypeId>& group_key_types,
                         const plan::AggregateCall& call);

// The runtime structures one aggregate call needs besides its state (-1: none).
struct AggregateSlots {
  int distinct = -1;  // its DISTINCT set (declare_distinct_set)
  int ordered = -1;   // the spec of its OrderedValues rows (uses_ordered_values)
};
AggregateSlots declare_aggregate(runtime::QueryLayout& layout, const std::vector<TypeId>& group_key_types,
                                 const plan::AggregateCall& call);

// Emits the update of the aggregate state at `state` with the current row of `p`: only for rows its
// FILTER passes, and for a DISTINCT aggregate only for a value new to its set (`distinct`, required
// then).
// `slots` are the call's declare_aggregate.
void emit_aggregate_update(PipelineContext& p, const plan::AggregateCall& call, const AggregateSlots& slots,
                           llvm::Value* state, const SetTextFn& set_text,
                           const DistinctSet* distinct = nullptr);

// The aggregate's final value from its state at `state`.
SqlValue emit_aggregate_result(PipelineContext& p, const plan::AggregateCall& call,
                               const AggregateSlots& slots, llvm::Value* state);

}  // namespace omendb::codegen
