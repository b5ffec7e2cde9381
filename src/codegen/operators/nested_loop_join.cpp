// NestedLoopJoin: a join on any condition (or none) over the materialised build side (the shared code
// is in join.h / join.cpp). A probe row's candidates are every build row:
//   index = 0
//   head: if (index == size) leave;
//         if (index % 4096 == 4095 && !rt_check_interrupts()) return;  // cancel, statement_timeout
//         e = entries[index++];
// (a probe batch times a large build side is billions of rows with no other runtime call).
#include "codegen/operators/join.h"
#include "codegen/operators/translators.h"

namespace omendb::codegen {

namespace {

class NestedLoopJoinTranslator final : public JoinTranslator {
 public:
  explicit NestedLoopJoinTranslator(const plan::NestedLoopJoinOp& op) : JoinTranslator(op) {}

 protected:
  const std::vector<plan::ExprPtr>& build_keys() const override { return no_keys_; }
  const std::vector<plan::ExprPtr>& probe_keys() const override { return no_keys_; }

  void start_candidates(PipelineContext& p, const std::vector<SqlValue>&, llvm::Value*,
                        llvm::Value*) override {
    p.cg.b.CreateStore(p.cg.const_i64(0), index_);
  }

  llvm::Value* next_candidate(PipelineContext& p, const std::vector<SqlValue>&, llvm::Value*,
                              llvm::BasicBlock*) override {
    CodeGen& cg = p.cg;
    auto& b = cg.b;
    llvm::Value* i = b.CreateLoad(cg.i64, index_, "index");
    llvm::BasicBlock* load = cg.block("join.next");
    llvm::BasicBlock* done = cg.block("join.candidate_end");
    llvm::BasicBlock* from = b.GetInsertBlock();
    b.CreateCondBr(b.CreateICmpUGE(i, size_), done, load);

    b.SetInsertPoint(load);
    llvm::BasicBlock* check = cg.block("join.interrupts");
    llvm::BasicBlock* fetch = cg.block("join.fetch");
    b.CreateCondBr(
        b.CreateICmpEQ(b.CreateAnd(i, cg.const_i64(kCheckEvery - 1)), cg.const_i64(kCheckEvery - 1)), check,
        fetch);
    b.SetInsertPoint(check);
    cg.exit_if_zero(cg.call("rt_check_interrupts", {cg.qs}));
    b.CreateBr(fetch);

    b.SetInsertPoint(fetch);
    b.CreateStore(b.CreateAdd(i, cg.const_i64(1)), index_);
    llvm::Value* entry = b.CreateLoad(cg.ptr, cg.gep(entries_, b.CreateMul(i, cg.const_i64(8))), "entry");
    b.CreateBr(done);

    b.SetInsertPoint(done);
    llvm::PHINode* result = b.CreatePHI(cg.ptr, 2, "candidate");
    result->addIncoming(llvm::ConstantPointerNull::get(cg.ptr), from);
    result->addIncoming(entry, fetch);
    return result;
  }

 private:
  static constexpr int64_t kCheckEvery = 4096;  // build rows between interrupt checks (a power of two)
  std::vector<plan::ExprPtr> no_keys_;
};

}  // namespace

std::unique_ptr<OperatorTranslator> make_nested_loop_join_translator(const plan::NestedLoopJoinOp& op) {
  return std::make_unique<NestedLoopJoinTranslator>(op);
}

}  // namespace omendb::codegen
