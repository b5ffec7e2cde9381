#include "codegen/control.h"

namespace omendb::codegen {

If::If(CodeGen& cg, llvm::Value* cond, const std::string& name)
    : cg_(cg), else_block_(cg.block(name + ".else")), merge_(cg.block(name + ".end")) {
  llvm::BasicBlock* then = cg.block(name + ".then");
  cg.b.CreateCondBr(cond, then, else_block_);
  cg.b.SetInsertPoint(then);
}

void If::else_() {
  cg_.branch(merge_);
  cg_.b.SetInsertPoint(else_block_);
  in_else_ = true;
}

void If::end() {
  if (ended_) return;
  ended_ = true;
  cg_.branch(merge_);
  if (!in_else_) {
    cg_.b.SetInsertPoint(else_block_);
    cg_.b.CreateBr(merge_);
  }
  cg_.b.SetInsertPoint(merge_);
}

Loop::Loop(CodeGen& cg, const std::string& name)
    : cg_(cg),
      head_(cg.block(name + ".head")),
      latch_(cg.block(name + ".next")),
      after_(cg.block(name + ".done")) {
  cg.branch(head_);
  cg.b.SetInsertPoint(head_);
}

void Loop::continue_while(llvm::Value* cond) {
  llvm::BasicBlock* body = cg_.block(head_->getName().str() + ".body");
  cg_.b.CreateCondBr(cond, body, after_);
  cg_.b.SetInsertPoint(body);
}

void Loop::end() {
  if (ended_) return;
  ended_ = true;
  cg_.branch(latch_);
  cg_.b.SetInsertPoint(latch_);
  cg_.b.CreateBr(head_);
  cg_.b.SetInsertPoint(after_);
}

CountedLoop::CountedLoop(CodeGen& cg, llvm::Value* count, const std::string& name) : Loop(cg, name) {
  // The counter lives in a local (promoted to a phi by mem2reg at O2).
  llvm::Value* slot;
  {
    llvm::IRBuilderBase::InsertPointGuard guard(cg.b);
    // Initialise before the head: the head block has no other predecessor yet but this one.
    llvm::BasicBlock* head = cg.b.GetInsertBlock();
    cg.b.SetInsertPoint(head->getSinglePredecessor()->getTerminator());
    slot = cg.counter(name + ".i", cg.const_i64(0));
  }
  index_ = cg.b.CreateLoad(cg.i64, slot, name + ".i");
  continue_while(cg.b.CreateICmpULT(index_, count));
  llvm::Value* i = index_;
  at_latch([&] { cg.b.CreateStore(cg.b.CreateAdd(i, cg.const_i64(1)), slot); });
}

void count_step(CodeGen& cg, llvm::Value* steps, int64_t every, const std::string& name) {
  auto& b = cg.b;
  llvm::Value* n = b.CreateAdd(b.CreateLoad(cg.i64, steps), cg.const_i64(1), name + ".steps");
  b.CreateStore(n, steps);
  llvm::BasicBlock* check = cg.block(name + ".interrupts");
  llvm::BasicBlock* go_on = cg.block(name + ".step");
  b.CreateCondBr(b.CreateICmpEQ(b.CreateAnd(n, cg.const_i64(every - 1)), cg.const_i64(0)), check, go_on);
  b.SetInsertPoint(check);
  cg.exit_if_zero(cg.call("rt_check_interrupts", {cg.qs}));
  b.CreateBr(go_on);
  b.SetInsertPoint(go_on);
}

}  // namespace omendb::codegen
