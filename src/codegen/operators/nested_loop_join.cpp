// NestedLoopJoin: a join on any condition (or none) over the materialised build side (the shared code
// is in join.h / join.cpp). A probe row's candidates are every build row:
//   index = 0
//   head: if (index == size) leave;
//         count_candidate();  // every 4096th candidate: rt_check_interrupts (join.h)
//         e = entries[index++];
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
    count_candidate(p);
    llvm::BasicBlock* fetch = b.GetInsertBlock();
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
  std::vector<plan::ExprPtr> no_keys_;
};

}  // namespace

std::unique_ptr<OperatorTranslator> make_nested_loop_join_translator(const plan::NestedLoopJoinOp& op) {
  return std::make_unique<NestedLoopJoinTranslator>(op);
}

}  // namespace omendb::codegen
