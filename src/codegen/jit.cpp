// One LLVM ORC LLJIT per server. Each pipeline becomes its own module so that its statistics are its
// own; a tiered compiler picks the backend per module: fast instruction selection without IR
// optimisation for short statements, LLVM's O2 pipeline for plans that touch many rows (within the
// CompileBudget). The IR is generated on the session's thread; optimisation and machine code on a thread
// per compile, which the session waits for while it watches its cancel flag and deadline.
#include "codegen/jit.h"

#include <llvm/ExecutionEngine/Orc/CompileUtils.h>
#include <llvm/ExecutionEngine/Orc/IRCompileLayer.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/PassInstrumentation.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Object/ObjectFile.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <list>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "codegen/operator_translator.h"
#include "codegen/runtime_symbols.h"
#include "common/blocking.h"
#include "common/error.h"
#include "common/interrupt.h"

namespace omendb::codegen {

namespace {

constexpr const char* kOptimizeFlag = "omendb.optimize";

std::string to_string(llvm::Error err) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << err;
  return os.str();
}

[[noreturn]] void fail(const std::string& what, llvm::Error err) {
  throw SqlError(SqlState::InternalError, "JIT " + what + ": " + to_string(std::move(err)));
}

// The machine-code size of the module the current thread compiled last (ORC compiles a module on the
// thread whose lookup needs it).
thread_local uint64_t t_last_text_bytes = 0;

// Compiles each module with a target machine of its tier and records the machine-code size. Sessions
// compile concurrently; a TargetMachine is not safe to share between concurrent compiles, so each
// compile leases one from a pool of each tier's machines.
class TieredCompiler : public llvm::orc::IRCompileLayer::IRCompiler {
 public:
  TieredCompiler(llvm::orc::JITTargetMachineBuilder fast, llvm::orc::JITTargetMachineBuilder optimizing,
                 const llvm::TargetOptions& options)
      : IRCompiler(llvm::orc::irManglingOptionsFromTargetOptions(options)),
        builders_{std::move(fast), std::move(optimizing)} {}

  // A target machine of one tier, back to the pool when the lease ends.
  class Lease {
   public:
    Lease(TieredCompiler& c, bool optimizing) : c_(c), optimizing_(optimizing), tm_(c.acquire(optimizing)) {}
    ~Lease() { c_.release(optimizing_, std::move(tm_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    llvm::TargetMachine& operator*() { return *tm_; }

   private:
    TieredCompiler& c_;
    bool optimizing_;
    std::unique_ptr<llvm::TargetMachine> tm_;
  };

  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> operator()(llvm::Module& m) override {
    Lease tm(*this, m.getModuleFlag(kOptimizeFlag) != nullptr);
    auto object = llvm::orc::SimpleCompiler(*tm)(m);
    if (object) t_last_text_bytes = text_bytes(**object);
    return object;
  }

 private:
  std::unique_ptr<llvm::TargetMachine> acquire(bool optimizing) {
    {
      std::lock_guard lock(mutex_);
      auto& free = free_[optimizing ? 1 : 0];
      if (!free.empty()) {
        auto tm = std::move(free.back());
        free.pop_back();
        return tm;
      }
    }
    auto tm = builders_[optimizing ? 1 : 0].createTargetMachine();
    if (!tm) fail("target machine", tm.takeError());
    return std::move(*tm);
  }

  void release(bool optimizing, std::unique_ptr<llvm::TargetMachine> tm) {
    std::lock_guard lock(mutex_);
    free_[optimizing ? 1 : 0].push_back(std::move(tm));
  }

  static uint64_t text_bytes(const llvm::MemoryBuffer& buffer) {
    auto file = llvm::object::ObjectFile::createObjectFile(buffer.getMemBufferRef());
    if (!file) {
      llvm::consumeError(file.takeError());
      return buffer.getBufferSize();
    }
    uint64_t total = 0;
    for (const llvm::object::SectionRef& s : (*file)->sections())
      if (s.isText()) total += s.getSize();
    return total;
  }

  llvm::orc::JITTargetMachineBuilder builders_[2];  // [0] cheap tier, [1] optimising tier
  std::mutex mutex_;
  std::vector<std::unique_ptr<llvm::TargetMachine>> free_[2];
};

class LlvmCompiledPlan : public CompiledPlan {
 public:
  ~LlvmCompiledPlan() override {
    for (auto& tracker : trackers)
      if (auto err = tracker->remove()) llvm::consumeError(std::move(err));
  }
  std::vector<llvm::orc::ResourceTrackerSP> trackers;
};

uint64_t count_instructions(const llvm::Module& m) {
  uint64_t n = 0;
  for (const llvm::Function& f : m)
    for (const llvm::BasicBlock& bb : f) n += bb.size();
  return n;
}

// CPU time of the calling thread: the optimisation budget counts the compile's own work, not the time
// other threads of a loaded machine take from it.
double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// Runs LLVM's O2 pipeline on `m`. Between passes it checks `stop` (the compile was abandoned) and its
// CPU-time budget; once either is met every remaining optional pass is skipped (as optnone and
// -opt-bisect-limit skip them: the IR stays valid, only less optimised). Returns false when it stopped
// early.
bool optimize(llvm::Module& m, llvm::TargetMachine& tm, uint64_t budget_ms, const std::atomic<bool>& stop) {
  const double start = thread_cpu_ms();
  bool stopped = false;
  llvm::PassInstrumentationCallbacks callbacks;
  callbacks.registerShouldRunOptionalPassCallback([&](llvm::StringRef, llvm::Any) {
    if (!stopped && (stop.load(std::memory_order_relaxed) ||
                     (budget_ms != 0 && thread_cpu_ms() - start > static_cast<double>(budget_ms))))
      stopped = true;
    return !stopped;
  });
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(&tm, llvm::PipelineTuningOptions(), std::nullopt, &callbacks);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2).run(m, mam);
  return !stopped;
}

// Ends a compile that no session waits for any more (caught by the compile thread, never seen by a client).
struct Abandoned {};

// 57014 when the statement was cancelled or ran past its deadline.
void check_interrupts(const CompileInterrupts& interrupts) {
  check_interrupt(interrupts.cancel, interrupts.deadline);
}

// The IR of one pipeline, generated on the session's thread, waiting to be compiled.
struct PipelineIr {
  std::unique_ptr<llvm::LLVMContext> context;
  std::unique_ptr<llvm::Module> module;
  std::string name;
  bool optimize = false;
  PipelineStats stats;  // generated IR size, tier, fallback; compile_ms so far (IR generation)
};

struct PlanIr {
  std::vector<PipelineIr> pipelines;
  runtime::QueryLayout layout;
  bool optimized = false;
};

// One compile in flight, shared by the sessions that wait for it and the thread that runs it.
struct CompileJob {
  std::mutex mutex;
  std::condition_variable finished;
  bool done = false;  // result or error is set
  std::shared_ptr<const CompiledPlan> result;
  std::exception_ptr error;
  int waiters = 1;                     // sessions waiting (LlvmJit::inflight_mutex_)
  std::atomic<bool> abandoned{false};  // set when the last one stopped waiting
};

class LlvmJit : public Jit {
 public:
  LlvmJit(size_t capacity, TierPolicy tiers, const CompileBudget& budget)
      : capacity_(capacity), tiers_(tiers), budget_(budget) {
    static std::once_flag init;
    std::call_once(init, [] {
      llvm::InitializeNativeTarget();
      llvm::InitializeNativeTargetAsmPrinter();
    });
    auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
    if (!jtmb) fail("host detection", jtmb.takeError());
    auto jit = llvm::orc::LLJITBuilder()
                   .setJITTargetMachineBuilder(*jtmb)
                   .setCompileFunctionCreator(
                       [this](llvm::orc::JITTargetMachineBuilder builder)
                           -> llvm::Expected<std::unique_ptr<llvm::orc::IRCompileLayer::IRCompiler>> {
                         auto fast = builder;
                         fast.setCodeGenOptLevel(llvm::CodeGenOpt::None);
                         auto optimizing = builder;
                         optimizing.setCodeGenOptLevel(llvm::CodeGenOpt::Default);
                         auto probe = fast.createTargetMachine();  // fails early on a bad host
                         if (!probe) return probe.takeError();
                         auto compiler =
                             std::make_unique<TieredCompiler>(fast, optimizing, (*probe)->Options);
                         compiler_ = compiler.get();
                         return compiler;
                       })
                   .create();
    if (!jit) fail("creation", jit.takeError());
    jit_ = std::move(*jit);
    // The runtime functions, by address: no dependency on the process's exported symbols.
    llvm::orc::SymbolMap symbols;
    for (const RuntimeSymbol& s : runtime_symbols())
      symbols[jit_->mangleAndIntern(s.name)] =
          llvm::JITEvaluatedSymbol(llvm::pointerToJITTargetAddress(s.address),
                                   llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable);
    if (auto err = jit_->getMainJITDylib().define(llvm::orc::absoluteSymbols(std::move(symbols))))
      fail("runtime symbols", std::move(err));
  }

  ~LlvmJit() override {
    // Compile threads still running (their sessions are gone) stop at their next check.
    {
      std::unique_lock lock(inflight_mutex_);
      for (auto& [key, job] : inflight_) job->abandoned = true;
      workers_done_.wait(lock, [&] { return running_workers_ == 0; });
    }
    std::lock_guard lock(cache_mutex_);
    cache_.clear();
    lru_.clear();
  }

  std::shared_ptr<const CompiledPlan> get_or_compile(const std::string& base_key,
                                                     const plan::PhysicalPlan& plan, bool* cache_hit,
                                                     const CompileInterrupts& interrupts) override {
    // The tier is part of the key: a plan compiled cheaply for a small table is not reused once the
    // table is large (estimate) or once an execution was seen to scan many rows (note_rows).
    const bool optimize_plan = wants_optimizing(base_key, plan);
    std::string key = tiered_key(base_key, optimize_plan);
    if (auto hit = lookup(key)) {
      *cache_hit = true;
      return hit;
    }
    // Compiles run concurrently (one session's long compile never holds up another's); sessions that
    // need the very same key wait for the compile already running instead of starting another.
    if (auto job = join(key)) {
      *cache_hit = true;  // compiled by another session
      return wait(*job, interrupts);
    }
    PlanIr ir = generate(plan, optimize_plan, interrupts);
    std::shared_ptr<CompileJob> job;
    {
      std::lock_guard lock(inflight_mutex_);
      if (auto it = inflight_.find(key); it != inflight_.end() && !it->second->abandoned) {
        job = it->second;  // another session started it while this one generated the IR
        ++job->waiters;
        *cache_hit = true;
      } else if (auto hit = lookup(key)) {
        *cache_hit = true;
        return hit;
      } else {
        job = std::make_shared<CompileJob>();
        inflight_[key] = job;
        ++running_workers_;
        *cache_hit = false;
      }
    }
    if (!*cache_hit) start(job, key, std::move(ir));
    return wait(*job, interrupts);
  }

  std::shared_ptr<const CompiledPlan> cached(const std::string& base_key,
                                             const plan::PhysicalPlan& plan) override {
    return lookup(tiered_key(base_key, wants_optimizing(base_key, plan)), false);
  }

  void note_rows(const std::string& base_key, const CompiledPlan& compiled, uint64_t rows) override {
    if (compiled.optimized || rows < kOptimizeRowThreshold || tiers_ != TierPolicy::Auto) return;
    std::lock_guard lock(cache_mutex_);
    if (hot_.size() >= capacity_) hot_.clear();  // bounded; forgetting only costs a later re-tier
    hot_.insert(base_key);
  }

  CacheStats cache_stats() const override {
    std::lock_guard lock(cache_mutex_);
    return CacheStats{hits_, misses_, cache_.size()};
  }

 private:
  struct Entry {
    std::shared_ptr<const CompiledPlan> plan;
    std::list<std::string>::iterator lru;
  };

  // The tier `plan` needs: the optimising one when the plan is expected to touch kOptimizeRowThreshold
  // rows or more, or when an execution under this key was seen to (note_rows).
  bool wants_optimizing(const std::string& base_key, const plan::PhysicalPlan& plan) const {
    return tiers_ == TierPolicy::Optimizing ||
           (tiers_ == TierPolicy::Auto && (plan.estimated_rows >= kOptimizeRowThreshold || is_hot(base_key)));
  }
  static std::string tiered_key(const std::string& base_key, bool optimize) {
    return base_key + (optimize ? "|O2" : "|O0");
  }

  bool is_hot(const std::string& base_key) const {
    std::lock_guard lock(cache_mutex_);
    return hot_.count(base_key) != 0;
  }

  // `count_miss`: false for cached(), whose caller compiles through get_or_compile after a miss.
  std::shared_ptr<const CompiledPlan> lookup(const std::string& key, bool count_miss = true) {
    std::lock_guard lock(cache_mutex_);
    auto it = cache_.find(key);
    if (it == cache_.end()) {
      if (count_miss) ++misses_;
      return nullptr;
    }
    ++hits_;
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    return it->second.plan;
  }

  void insert(const std::string& key, std::shared_ptr<const CompiledPlan> compiled) {
    std::lock_guard lock(cache_mutex_);
    lru_.push_front(key);
    cache_[key] = Entry{std::move(compiled), lru_.begin()};
    while (cache_.size() > capacity_) {
      cache_.erase(lru_.back());  // running statements keep their plan alive through shared_ptr
      lru_.pop_back();
    }
  }

  // The compile of `key` that is running and still wanted, as one more waiter; null if none.
  std::shared_ptr<CompileJob> join(const std::string& key) {
    std::lock_guard lock(inflight_mutex_);
    auto it = inflight_.find(key);
    if (it == inflight_.end() || it->second->abandoned) return nullptr;
    ++it->second->waiters;
    return it->second;
  }

  // Waits for `job`, polling the session's cancel flag and deadline (a cancel request only sets the
  // flag). A session that stops waiting leaves the job; the last one to leave abandons it.
  std::shared_ptr<const CompiledPlan> wait(CompileJob& job, const CompileInterrupts& interrupts) {
    {
      BlockingRegion blocking;  // this thread only waits: the worker pool may start another meanwhile
      std::unique_lock lock(job.mutex);
      while (!job.done) {
        try {
          check_interrupts(interrupts);
        } catch (...) {
          lock.unlock();
          std::lock_guard inflight(inflight_mutex_);
          if (--job.waiters == 0) job.abandoned = true;
          throw;
        }
        job.finished.wait_until(
            lock, std::min(std::chrono::steady_clock::now() + kPollInterval, interrupts.deadline));
      }
    }
    if (job.error) std::rethrow_exception(job.error);
    return job.result;
  }

  // Compiles `ir` on a thread of its own; the sessions wait for `job`.
  void start(const std::shared_ptr<CompileJob>& job, const std::string& key, PlanIr ir) {
    auto run = [this, job, key, ir = std::make_shared<PlanIr>(std::move(ir))]() mutable {
      std::shared_ptr<const CompiledPlan> result;
      std::exception_ptr error;
      try {
        result = compile(*ir, job->abandoned);
        insert(key, result);  // complete code is cached even if its sessions left meanwhile
      } catch (const Abandoned&) {
        error = std::make_exception_ptr(SqlError(SqlState::QueryCanceled, "canceling statement"));
      } catch (...) {
        error = std::current_exception();
      }
      ir.reset();  // the modules left go before the job is reported done
      {
        std::lock_guard lock(job->mutex);
        job->result = std::move(result);
        job->error = error;
        job->done = true;
      }
      job->finished.notify_all();
      std::lock_guard lock(inflight_mutex_);
      if (auto it = inflight_.find(key); it != inflight_.end() && it->second == job) inflight_.erase(it);
      if (--running_workers_ == 0) workers_done_.notify_all();
    };
    try {
      std::thread(run).detach();
    } catch (const std::system_error&) {  // no thread to be had: compile on this one
      run();
    }
  }

  void dump_ir(const llvm::Module& m, const std::string& file) const {
    if (dump_dir_.empty()) return;
    std::error_code ec;
    llvm::raw_fd_ostream os(dump_dir_ + "/" + file, ec);
    if (!ec) m.print(os, nullptr);
  }

  // The IR of every pipeline of `plan`, on the session's thread (the plan is the session's). Checks the
  // session's interrupts between pipelines and the statement's size against the budget.
  PlanIr generate(const plan::PhysicalPlan& plan, bool optimize_plan, const CompileInterrupts& interrupts) {
    PlanIr ir;
    ir.optimized = optimize_plan;
    PlanTranslator translator(plan);
    uint64_t total = 0;
    for (size_t i = 0; i < plan.pipelines.size(); ++i) {
      check_interrupts(interrupts);
      auto start = std::chrono::steady_clock::now();
      PipelineIr p;
      p.context = std::make_unique<llvm::LLVMContext>();
      p.module = std::make_unique<llvm::Module>("omendb", *p.context);
      p.module->setDataLayout(jit_->getDataLayout());
      p.module->setTargetTriple(jit_->getTargetTriple().str());
      p.name = "pipeline_" + std::to_string(next_function_.fetch_add(1));
      translator.emit_pipeline(*p.module, p.name, i);
      p.stats.generated_ir_instructions = count_instructions(*p.module);
      total += p.stats.generated_ir_instructions;
      if (budget_.max_instructions != 0 && total > budget_.max_instructions)
        throw SqlError(SqlState::StatementTooComplex, "statement is too complex to compile")
            .with_detail("Its code has more than " + std::to_string(budget_.max_instructions) +
                         " IR instructions (--jit-max-instructions).")
            .with_hint("Split the statement, or use fewer output columns, CASE arms or UNION branches.");
      p.optimize = optimize_plan;
      if (optimize_plan && p.stats.generated_ir_instructions > budget_.optimize_max_instructions) {
        p.optimize = false;
        p.stats.fallback = std::to_string(p.stats.generated_ir_instructions) + " IR instructions > " +
                           std::to_string(budget_.optimize_max_instructions);
      }
      p.stats.compile_ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      ir.pipelines.push_back(std::move(p));
    }
    ir.layout = translator.layout();
    return ir;
  }

  // Optimises (within the budget) and compiles each pipeline of `ir` to machine code, on the compile
  // thread. Throws Abandoned once `stop` is set (checked between passes and pipelines).
  std::shared_ptr<const CompiledPlan> compile(PlanIr& ir, const std::atomic<bool>& stop) {
    auto result = std::make_shared<LlvmCompiledPlan>();
    result->optimized = ir.optimized;
    for (PipelineIr& p : ir.pipelines) {
      if (stop) throw Abandoned{};
      auto start = std::chrono::steady_clock::now();
      llvm::Module& module = *p.module;
      dump_ir(module, p.name + ".ll");
      std::string verify_errors;
      llvm::raw_string_ostream verify_stream(verify_errors);
      if (llvm::verifyModule(module, &verify_stream))
        throw SqlError(SqlState::InternalError, "generated code failed verification: " + verify_stream.str());
      bool optimized_fully = false;
      if (p.optimize) {
        TieredCompiler::Lease tm(*compiler_, true);
        optimized_fully = optimize(module, *tm, budget_.optimize_budget_ms, stop);
        if (stop) throw Abandoned{};
        dump_ir(module, p.name + ".opt.ll");
        if (!optimized_fully)  // the rest at the cheap tier: its backend costs no more than O0's
          p.stats.fallback = "optimisation past " + std::to_string(budget_.optimize_budget_ms) + " ms";
      }
      if (optimized_fully) module.addModuleFlag(llvm::Module::Warning, kOptimizeFlag, 1);
      PipelineStats stats = std::move(p.stats);
      stats.ir_instructions = count_instructions(module);
      stats.opt_level = optimized_fully ? "O2" : "O0";
      auto tracker = jit_->getMainJITDylib().createResourceTracker();
      result->trackers.push_back(tracker);  // removed again if this compile ends early
      if (auto err = jit_->addIRModule(
              tracker, llvm::orc::ThreadSafeModule(std::move(p.module), std::move(p.context))))
        fail("add module", std::move(err));
      auto address = jit_->lookup(p.name);  // compiles now
      if (!address) fail("lookup", address.takeError());
      stats.machine_code_bytes = t_last_text_bytes;
      stats.compile_ms +=
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      result->pipelines.push_back(address->toPtr<CompiledPlan::PipelineFn>());
      result->stats.push_back(std::move(stats));
    }
    result->layout = std::move(ir.layout);
    return result;
  }

  static constexpr std::chrono::milliseconds kPollInterval{5};

  size_t capacity_;
  TierPolicy tiers_;
  CompileBudget budget_;
  TieredCompiler* compiler_ = nullptr;  // owned by jit_
  std::unique_ptr<llvm::orc::LLJIT> jit_;
  std::mutex inflight_mutex_;
  std::unordered_map<std::string, std::shared_ptr<CompileJob>> inflight_;  // keys being compiled
  size_t running_workers_ = 0;                                             // compile threads
  std::condition_variable workers_done_;
  std::atomic<uint64_t> next_function_{0};
  mutable std::mutex cache_mutex_;
  std::unordered_map<std::string, Entry> cache_;
  std::list<std::string> lru_;
  std::unordered_set<std::string> hot_;  // base keys seen to scan many rows at the cheap tier
  std::string dump_dir_ = std::getenv("OMENDB_DUMP_IR") ? std::getenv("OMENDB_DUMP_IR") : "";
  uint64_t hits_ = 0, misses_ = 0;
};

}  // namespace

std::unique_ptr<Jit> Jit::create(size_t cache_capacity, TierPolicy tiers, const CompileBudget& budget) {
  return std::make_unique<LlvmJit>(cache_capacity, tiers, budget);
}

}  // namespace omendb::codegen
