// Internal to codegen: what the two join translators (hash_join.cpp, nested_loop_join.cpp) share. A
// join keeps its build side in a runtime::JoinHashTable and streams its probe side; they differ only
// in the keys stored with each build row and in how a probe row finds its candidate build rows.
//
//   build (sink of the build side's pipeline), per row:
//     buf = [keys..., columns...];  rt_join_ht_insert(slot, hash(keys), buf, no key NULL)
//   probe (inside the probe side's pipeline); before the loop: rt_join_ht_finish(slot), then the
//   directory / entries and the table's all-NULL entry are loaded once. Per probe row:
//     <find candidates>                                  (HashJoin: walk dir[h & mask]; NestedLoop: all)
//     matched = false
//     head: e = next candidate, or (probe_outer && !matched ? null_entry : leave)
//       bind build columns from e
//       if (e is a candidate && !(residual IS TRUE)) goto head
//       matched = true; e->matched = 1 (FULL)
//       <consume>  (a row that goes no further continues at head)
//       goto head
//   after the probe side's last row (finish_input, FULL only):
//     for each entry e with !e->matched: bind build columns from e, probe columns NULL; <consume>
// Semi and anti joins (EXISTS, IN, NOT EXISTS) push each probe row at most once: see consume_semi.
// The operators above the join are emitted once: the unmatched probe row of an outer join flows
// through the same code with the all-NULL entry, so generated code stays proportional to the plan.
#pragma once

#include <memory>

#include "codegen/control.h"
#include "codegen/operator_translator.h"

namespace omendb::codegen {

class JoinTranslator : public OperatorTranslator {
 public:
  explicit JoinTranslator(const plan::JoinOp& op) : OperatorTranslator(&op), join_(op) {}

  void declare_state(runtime::QueryLayout& layout) override;
  void begin_pipeline(PipelineContext& p) override;
  void consume(PipelineContext& p) override;
  void finish_input(PipelineContext& p) override;

 protected:
  // The build side's key expressions (stored first in each entry) and the probe side's.
  virtual const std::vector<plan::ExprPtr>& build_keys() const = 0;
  virtual const std::vector<plan::ExprPtr>& probe_keys() const = 0;
  // Emits, at the current point, the start of a probe row's candidate walk: sets cursor state from
  // the probe row (keys and their hash already evaluated; any_null: some key is NULL).
  virtual void start_candidates(PipelineContext& p, const std::vector<SqlValue>& keys, llvm::Value* hash,
                                llvm::Value* any_null) = 0;
  // Emits the fetch of the next candidate at a loop head: returns the entry pointer (null when there is
  // none left); may branch back to `head` itself for entries it rejects (another key).
  virtual llvm::Value* next_candidate(PipelineContext& p, const std::vector<SqlValue>& keys,
                                      llvm::Value* hash, llvm::BasicBlock* head) = 0;

  const plan::JoinOp& join_;
  int slot_ = -1;
  llvm::Value* directory_ = nullptr;  // probe pipeline: loaded once before the loop
  llvm::Value* mask_ = nullptr;
  llvm::Value* entries_ = nullptr;
  llvm::Value* size_ = nullptr;
  llvm::Value* null_entry_ = nullptr;
  llvm::Value* cursor_ = nullptr;   // ptr local (HashJoin: the next entry of the chain)
  llvm::Value* index_ = nullptr;    // i64 local (NestedLoopJoin: the next entry's index)
  llvm::Value* matched_ = nullptr;  // i1 local: the probe row matched some build row

  // Counts one candidate and, every 4096th candidate of this invocation of the pipeline, calls
  // rt_check_interrupts (cancel, statement_timeout): a probe batch against a large build side, a chain of
  // equal keys, or joins nested over small tables (a cross join of ten 10-row tables is 10^10 candidates
  // inside one probe batch) otherwise run without a runtime call. Leaves the insert point after the check.
  void count_candidate(PipelineContext& p);

 private:
  static constexpr int64_t kCheckEvery = 4096;  // candidates between interrupt checks (a power of two)
  llvm::Value* steps_ = nullptr;                // i64 local: candidates counted in this invocation
  void bind_build_row(PipelineContext& p, llvm::Value* entry);
  void consume_semi(PipelineContext& p, const std::vector<SqlValue>& keys, llvm::Value* h,
                    llvm::Value* any_null);
};

}  // namespace omendb::codegen
