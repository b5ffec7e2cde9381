// One LLVM ORC LLJIT per server. Each pipeline becomes its own module so that its statistics are its
// own; a tiered compiler picks the backend per module: fast instruction selection without IR
// optimisation for short statements, LLVM's O2 pipeline for plans that touch many rows.
#include "codegen/jit.h"

#include <llvm/ExecutionEngine/Orc/CompileUtils.h>
#include <llvm/ExecutionEngine/Orc/IRCompileLayer.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Object/ObjectFile.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <list>
#include <unordered_map>
#include <unordered_set>

#include "codegen/operator_translator.h"
#include "codegen/runtime_symbols.h"
#include "common/error.h"

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

void optimize(llvm::Module& m, llvm::TargetMachine& tm) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(&tm);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2).run(m, mam);
}

class LlvmJit : public Jit {
 public:
  LlvmJit(size_t capacity, TierPolicy tiers) : capacity_(capacity), tiers_(tiers) {
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
    std::lock_guard lock(cache_mutex_);
    cache_.clear();
    lru_.clear();
  }

  std::shared_ptr<const CompiledPlan> get_or_compile(const std::string& base_key,
                                                     const plan::PhysicalPlan& plan,
                                                     bool* cache_hit) override {
    // The tier is part of the key: a plan compiled cheaply for a small table is not reused once the
    // table is large (estimate) or once an execution was seen to scan many rows (note_rows).
    bool optimize_plan =
        tiers_ == TierPolicy::Optimizing ||
        (tiers_ == TierPolicy::Auto && (plan.estimated_rows >= kOptimizeRowThreshold || is_hot(base_key)));
    std::string key = base_key + (optimize_plan ? "|O2" : "|O0");
    if (auto hit = lookup(key)) {
      *cache_hit = true;
      return hit;
    }
    // Compiles run concurrently (one session's long compile never holds up another's); only sessions
    // compiling the very same key wait for the first one instead of compiling it again.
    {
      std::unique_lock lock(inflight_mutex_);
      inflight_done_.wait(lock, [&] { return !inflight_.count(key); });
      if (auto hit = lookup(key)) {  // compiled by another session meanwhile
        *cache_hit = true;
        return hit;
      }
      inflight_.insert(key);
    }
    struct Done {
      LlvmJit& jit;
      const std::string& key;
      ~Done() {
        std::lock_guard lock(jit.inflight_mutex_);
        jit.inflight_.erase(key);
        jit.inflight_done_.notify_all();
      }
    } done{*this, key};
    *cache_hit = false;
    auto compiled = compile(plan, optimize_plan);
    insert(key, compiled);
    return compiled;
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

  bool is_hot(const std::string& base_key) const {
    std::lock_guard lock(cache_mutex_);
    return hot_.count(base_key) != 0;
  }

  std::shared_ptr<const CompiledPlan> lookup(const std::string& key) {
    std::lock_guard lock(cache_mutex_);
    auto it = cache_.find(key);
    if (it == cache_.end()) {
      ++misses_;
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

  void dump_ir(const llvm::Module& m, const std::string& file) const {
    if (dump_dir_.empty()) return;
    std::error_code ec;
    llvm::raw_fd_ostream os(dump_dir_ + "/" + file, ec);
    if (!ec) m.print(os, nullptr);
  }

  std::shared_ptr<const CompiledPlan> compile(const plan::PhysicalPlan& plan, bool optimize_plan) {
    auto result = std::make_shared<LlvmCompiledPlan>();
    result->optimized = optimize_plan;
    PlanTranslator translator(plan);
    for (size_t i = 0; i < plan.pipelines.size(); ++i) {
      auto start = std::chrono::steady_clock::now();
      auto context = std::make_unique<llvm::LLVMContext>();
      auto module = std::make_unique<llvm::Module>("omendb", *context);
      module->setDataLayout(jit_->getDataLayout());
      module->setTargetTriple(jit_->getTargetTriple().str());
      std::string name = "pipeline_" + std::to_string(next_function_.fetch_add(1));
      translator.emit_pipeline(*module, name, i);
      dump_ir(*module, name + ".ll");
      std::string verify_errors;
      llvm::raw_string_ostream verify_stream(verify_errors);
      if (llvm::verifyModule(*module, &verify_stream))
        throw SqlError(SqlState::InternalError, "generated code failed verification: " + verify_stream.str());
      if (optimize_plan) {
        module->addModuleFlag(llvm::Module::Warning, kOptimizeFlag, 1);
        TieredCompiler::Lease tm(*compiler_, true);
        optimize(*module, *tm);
        dump_ir(*module, name + ".opt.ll");
      }
      PipelineStats stats;
      stats.ir_instructions = count_instructions(*module);
      stats.opt_level = optimize_plan ? "O2" : "O0";
      auto tracker = jit_->getMainJITDylib().createResourceTracker();
      if (auto err =
              jit_->addIRModule(tracker, llvm::orc::ThreadSafeModule(std::move(module), std::move(context))))
        fail("add module", std::move(err));
      auto address = jit_->lookup(name);  // compiles now
      if (!address) fail("lookup", address.takeError());
      stats.machine_code_bytes = t_last_text_bytes;
      stats.compile_ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      result->pipelines.push_back(address->toPtr<CompiledPlan::PipelineFn>());
      result->stats.push_back(std::move(stats));
      result->trackers.push_back(std::move(tracker));
    }
    result->layout = translator.layout();
    return result;
  }

  size_t capacity_;
  TierPolicy tiers_;
  TieredCompiler* compiler_ = nullptr;  // owned by jit_
  std::unique_ptr<llvm::orc::LLJIT> jit_;
  std::mutex inflight_mutex_;
  std::condition_variable inflight_done_;
  std::unordered_set<std::string> inflight_;  // keys being compiled
  std::atomic<uint64_t> next_function_{0};
  mutable std::mutex cache_mutex_;
  std::unordered_map<std::string, Entry> cache_;
  std::list<std::string> lru_;
  std::unordered_set<std::string> hot_;  // base keys seen to scan many rows at the cheap tier
  std::string dump_dir_ = std::getenv("OMENDB_DUMP_IR") ? std::getenv("OMENDB_DUMP_IR") : "";
  uint64_t hits_ = 0, misses_ = 0;
};

}  // namespace

std::unique_ptr<Jit> Jit::create(size_t cache_capacity, TierPolicy tiers) {
  return std::make_unique<LlvmJit>(cache_capacity, tiers);
}

}  // namespace omendb::codegen
