// The narrow face of code generation: plans in, native pipeline functions out. No LLVM header is
// visible from here; everything LLVM lives in src/codegen/*.cpp.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "planner/plan.h"
#include "runtime/exec_context.h"

namespace omendb::codegen {

// The compile tier of a pipeline: "O0" (no IR optimisation, fast instruction selection: for short
// statements) or "O2" (LLVM's optimisation pipeline: for plans expected to touch many rows).
struct PipelineStats {
  uint64_t ir_instructions = 0;            // after optimisation
  uint64_t generated_ir_instructions = 0;  // as generated, before any optimisation
  std::string opt_level;
  // Why a pipeline of a plan that wanted the optimising tier got the cheap one (CompileBudget); empty
  // when it did not.
  std::string fallback;
  double compile_ms = 0;  // IR generation + optimisation + machine code, wall clock
  uint64_t machine_code_bytes = 0;
};

// Native code for one plan shape: one function per pipeline. Immutable once built; shared by every
// execution of statements with the same cache key.
class CompiledPlan {
 public:
  virtual ~CompiledPlan() = default;
  using PipelineFn = void (*)(runtime::QueryState*);
  std::vector<PipelineFn> pipelines;  // in execution order
  std::vector<PipelineStats> stats;
  runtime::QueryLayout layout;  // the runtime state the pipelines address
  bool optimized = false;       // compiled at the optimising tier
};

struct CacheStats {
  uint64_t hits = 0, misses = 0, entries = 0;
};

// The bounds of one compile (docs/architecture.md, "Compile budget"). The optimising tier's cost grows
// faster than linearly with the size of a pipeline's function (a 1,000-column SELECT list took 17 s at
// O2 and 1.3 s at O0), so it is only spent within a budget; code at the cheap tier stays linear.
struct CompileBudget {
  // A pipeline whose generated IR has more instructions than this gets the cheap tier.
  uint64_t optimize_max_instructions = 5'000;
  // CPU time the optimisation passes of one pipeline may take: past it the remaining passes are skipped
  // and the pipeline gets the cheap backend (0: no limit).
  uint64_t optimize_budget_ms = 500;
  // A statement whose pipelines have more IR instructions than this together (as generated) is refused
  // with 54001 "statement is too complex to compile" (0: no limit).
  uint64_t max_instructions = 1'000'000;
};

// What ends the wait for a compile: the client's cancel request and the statement_timeout deadline. The
// compile itself runs on a thread of its own, so a waiting session answers 57014 within milliseconds;
// a compile that no session waits for any more is abandoned (it stops between optimisation passes and
// before the next pipeline's machine code) and its result is dropped.
struct CompileInterrupts {
  const std::atomic<bool>* cancel = nullptr;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

// Which tier compiles: by the plan's expected rows (the default), or always one of them (tests run the
// SQL suite at both tiers, which must agree).
enum class TierPolicy : int { Auto, Cheap, Optimizing };

class Jit {
 public:
  // One per server: creating the LLJIT costs milliseconds.
  // OMENDB_DUMP_IR=<dir> in the environment writes every pipeline's IR there, before (<fn>.ll) and after
  // (<fn>.opt.ll) optimisation.
  static std::unique_ptr<Jit> create(size_t cache_capacity = 4096, TierPolicy tiers = TierPolicy::Auto,
                                     const CompileBudget& budget = CompileBudget{});
  virtual ~Jit() = default;

  // Returns the compiled plan cached under `cache_key` and the tier the plan needs, or compiles `plan`
  // and caches it. The tier is the optimising one when the plan is expected to touch
  // kOptimizeRowThreshold rows or more, or when an execution under this key was seen to (note_rows).
  // `cache_hit` tells which. Thread-safe. The wait ends with SqlError 57014 on a cancel request or at
  // interrupts.deadline; throws 54001 for a plan over CompileBudget::max_instructions and XX000 if LLVM
  // fails.
  virtual std::shared_ptr<const CompiledPlan> get_or_compile(const std::string& cache_key,
                                                             const plan::PhysicalPlan& plan, bool* cache_hit,
                                                             const CompileInterrupts& interrupts = {}) = 0;
  // Reports that an execution of `compiled` (cached under `cache_key`) scanned `rows` rows: a plan
  // compiled at the cheap tier that turns out to touch many rows (its table grew) is compiled at the
  // optimising tier on its next execution.
  virtual void note_rows(const std::string& cache_key, const CompiledPlan& compiled, uint64_t rows) = 0;
  // What get_or_compile would return from the cache now, or nullptr when it would compile or wait for a
  // compile. Never waits.
  virtual std::shared_ptr<const CompiledPlan> cached(const std::string& cache_key,
                                                     const plan::PhysicalPlan& plan) = 0;
  virtual CacheStats cache_stats() const = 0;

  // Rows a plan must be expected to touch before its pipelines get LLVM's optimiser (O2).
  static constexpr uint64_t kOptimizeRowThreshold = 50'000;
};

// Builds the runtime state (scan slots, sort and aggregate states, DML targets, output buffers) that
// the compiled pipelines expect. The caller sets view/writer/sink/cancel and params.
void prepare(const CompiledPlan& compiled, runtime::ExecContext& ctx);

// Runs every pipeline in order; throws the first SqlError raised inside generated code.
void execute(const CompiledPlan& compiled, runtime::ExecContext& ctx);

}  // namespace omendb::codegen
