// Per-execution runtime state behind QueryState::ctx: scan cursors, sort buffers, aggregate states,
// the statement's writer, the text arena, memory accounting and the first error. Built from a
// compiled plan's QueryLayout by prepare(), used by the runtime functions generated code calls.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "catalog/system_catalog.h"
#include "common/array.h"
#include "common/datetime_sql.h"
#include "common/datum.h"
#include "common/error.h"
#include "common/math_sql.h"
#include "common/numeric.h"
#include "common/value.h"
#include "runtime/aggregation_hash_table.h"
#include "runtime/arena.h"
#include "runtime/join_hash_table.h"
#include "runtime/memory.h"
#include "runtime/ordered_aggregate.h"
#include "runtime/query_layout.h"
#include "runtime/query_state.h"
#include "runtime/recursive_union.h"
#include "runtime/regex.h"
#include "runtime/sorter.h"
#include "runtime/window.h"
#include "storage/store.h"

namespace omendb::runtime {

// Receives result rows. Returns false to stop the query (the client is gone).
class RowSink {
 public:
  virtual ~RowSink() = default;
  virtual bool row(const Datum* values, size_t count) = 0;
};

struct ScanSlot {
  storage::ScanSpec spec;
  std::unique_ptr<storage::ScanCursor> cursor;
  storage::ScanStats done;  // what the slot's earlier cursors read (a scan reopened per outer row)
  uint64_t opens = 0;
  std::string lower, upper;       // encoded bounds being built by generated code
  std::vector<uint8_t> zone_set;  // per spec.zone entry: generated code gave a (non-NULL) value
};

struct AggregateState {
  std::vector<Datum> state;     // see the aggregate translator for the layout
  std::unique_ptr<Arena> text;  // owns min/max text values
};

// The one row a subquery used as a value returned (plan::SubqueryOp::Mode::Row): all NULL until it
// arrives; a second row is 21000.
struct SubqueryRow {
  std::vector<TypeId> types;
  std::vector<Datum> values;
  bool has_row = false;
  std::unique_ptr<Arena> text;  // owns its text values
};

class ExecContext {
 public:
  ExecContext() : arena(&memory) { qs.ctx = this; }
  ExecContext(const ExecContext&) = delete;
  ExecContext& operator=(const ExecContext&) = delete;

  // Builds the runtime state `layout` declares (fresh scan slots, empty sorts and zeroed aggregate
  // states) and resets the status. The caller sets view / writer / sink / cancel and the params.
  void prepare(const QueryLayout& layout);

  // Destruction order matters: everything counted in `memory` is declared after it.
  MemoryTracker memory;
  QueryState qs{};
  std::vector<Datum> params;
  std::vector<std::string> param_text;  // owns the text behind params
  std::vector<Datum> out;
  std::vector<Datum> row;
  std::vector<ScanSlot> scans;
  std::vector<std::unique_ptr<Sorter>> sorts;
  std::vector<std::unique_ptr<WindowBuffer>> windows;
  std::vector<AggregateState> aggregates;
  std::vector<std::unique_ptr<AggregationHashTable>> agg_tables;
  std::vector<std::unique_ptr<JoinHashTable>> join_tables;
  std::vector<storage::TableDefPtr> targets;  // DML target tables by slot
  std::vector<bool> counted_targets;          // by slot: its rows count in rows_affected
  std::vector<std::unique_ptr<InSet>> in_sets;
  std::vector<SubqueryRow> subquery_rows;
  std::vector<std::unique_ptr<RecursiveUnion>> recursive_unions;
  const storage::ReadView* view = nullptr;
  // What scans of system catalogs and catalog functions read (the session's catalog view); null: they
  // fail with XX000.
  const catalog::Context* catalog = nullptr;
  RegexCache regexes;         // compiled patterns of ~, ~*, LIKE ...
  std::string function_text;  // a catalog function's text result, before it is copied to the arena
  storage::StatementWriter* writer = nullptr;
  RowSink* sink = nullptr;
  const std::atomic<bool>* cancel = nullptr;
  uint64_t rows_affected = 0;  // rows the statement's own INSERT / UPDATE / DELETE wrote (its tag's count)
  void count_row(int32_t target) {
    if (counted_targets[static_cast<size_t>(target)]) ++rows_affected;
  }
  // READ COMMITTED re-check (PostgreSQL's EvalPlanQual): keys of rows that UPDATE / DELETE found changed
  // by a concurrent transaction after the statement's snapshot (and now holds locked); the statement
  // then runs again once per key, at a newer snapshot, with the scan of table `recheck_table` reading
  // only `recheck_key`, so its WHERE clause and SET expressions are evaluated on the newest version.
  std::vector<std::string> recheck_keys;
  std::optional<std::string> recheck_key;
  uint32_t recheck_table = 0;
  // During such a re-run: the first run's snapshot, which every scan but the target's reads (the tables
  // of UPDATE ... FROM / DELETE ... USING, subqueries), as PostgreSQL's EvalPlanQual keeps the statement's
  // snapshot for all but the locked row. Null: every scan reads `view`.
  const storage::ReadView* first_view = nullptr;
  // UPDATE ... FROM / DELETE ... USING (rt_update's `once`): the storage keys of the rows this run
  // already updated, deleted or left for the re-check; their bytes are counted in `memory`.
  std::unordered_set<std::string> once_keys;
  uint64_t once_bytes = 0;
  static constexpr uint64_t kOnceKeyBytes = 64;  // counted per key besides its bytes (node, bucket)
  // Whether this run meets `key` for the first time (then remembers it).
  bool first_time(const char* key, uint64_t key_len);
  // SELECT ... FOR UPDATE at READ COMMITTED: a row locked had changed since the snapshot; the statement
  // stopped and must run again at a newer snapshot (its output so far discarded).
  bool restart = false;
  uint64_t rows_scanned = 0;  // rows the scans produced (re-tiering of the compiled code)
  Arena arena;
  // The numeric sum()/avg() states of this run (rt_numeric_accum).
  std::vector<std::unique_ptr<num::Accumulator>> accumulators;
  static constexpr uint64_t kAccumulatorBytes = 96;  // counted in `memory` per accumulator
  // The array_agg() states of this run (rt_array_accum), their bytes counted in `memory` as they grow
  // (array_bytes in all, released by the next prepare).
  std::vector<std::unique_ptr<arr::Builder>> array_builders;
  uint64_t array_bytes = 0;
  // The order-sensitive aggregate states of this run (rt_ordered_agg_add), by the layout's
  // ordered_aggs specs; each counts its rows in `memory`, and kOrderedValuesBytes more is counted per state.
  std::vector<SortSpec> ordered_specs;
  std::vector<std::unique_ptr<OrderedValues>> ordered_values;
  std::unique_ptr<Arena> ordered_text;  // their text (the query arena is reset per scanned batch)
  static constexpr uint64_t kOrderedValuesBytes = 64;
  std::optional<SqlError> error;
  // The session's TimeZone and the transaction / statement start times (date/time functions and casts).
  dtsql::EvalContext datetime;
  // The session's random() generator (setseed()); null: a per-thread one.
  mathsql::Random* random = nullptr;

  // Pipelines run on demand, not in the plan's order: their functions, in order (codegen::prepare sets
  // them), and the arenas that stand in for `arena` and `ordered_text` while they run.
  struct PipelineRun {
    std::vector<void (*)(QueryState*)> pipelines;
    std::unique_ptr<Arena> arena, ordered_text;
  };
  // Correlated subqueries by index (ExprOp::Apply; no pipelines: not correlated).
  std::vector<PipelineRun> correlated;
  std::vector<Datum> outer;  // QueryState::outer
  // Runs correlated subquery `index` for the current outer row (its outer values already stored): makes
  // its state fresh, runs its pipelines, and frees what the run allocated besides its result, so that
  // running it for every row of a large table takes bounded memory. Errors are recorded (fail).
  void run_correlated(int index);
  // The recursive terms of the RecursiveUnions, by slot.
  std::vector<PipelineRun> recursive_terms;
  // One iteration of RecursiveUnion `slot` (rt_rec_iterate): runs its recursive term's pipelines from fresh
  // state over the working table, as run_correlated runs a subquery. Errors are recorded (fail).
  void run_recursive_term(int slot);

  // Records the first error and makes generated code stop (QueryState::status).
  void fail(SqlError e);
  // Throws the recorded error, if any.
  void raise_if_failed();
  // Sets the params (and their text storage) from owned values.
  void set_params(const std::vector<Value>& values);
  bool cancelled() const { return cancel && cancel->load(std::memory_order_relaxed); }
  // The statement_timeout deadline (none: time_point::max()).
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  // Records 57014 and returns false when the query was cancelled or ran past its deadline; called per
  // batch and per result row (the clock is read once every 256 calls).
  bool check_interrupts();

 private:
  // Makes the state between the marks fresh, runs `run`'s pipelines and frees what they allocated besides
  // their results (run_correlated, run_recursive_term).
  void run_fresh(const StateMarks& begin, const StateMarks& end, PipelineRun& run);
  // Builds the state the layout declares between two marks, anew (releasing what was there).
  void fresh_state(const StateMarks& begin, const StateMarks& end);
  // slots[begin, end) made anew from their specs.
  template <typename T, typename Spec>
  void renew(std::vector<std::unique_ptr<T>>& slots, const std::vector<Spec>& specs, size_t begin,
             size_t end);
  const QueryLayout* layout_ = nullptr;  // of the compiled plan being run (it outlives the run)
  uint32_t interrupt_checks_ = 0;
};

}  // namespace omendb::runtime
