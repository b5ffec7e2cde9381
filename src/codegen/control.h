// Internal to codegen: structured control flow for generated code, so that translators read like the
// code they generate instead of wiring basic blocks by hand.
//
//   If check(cg, cond, "limit.over");     // if (cond) {
//   ...then...                            //   ...
//   check.else_();                        // } else {
//   ...else...                            //   ...
//   check.end();                          // }   (the destructor ends it too)
//
//   Loop rows(cg, "row");                 // for (;;) {
//   rows.continue_while(i < n);           //   if (!(i < n)) break;
//   ...body; `rows.next()` is continue... //   ...
//   rows.end();                           // }   code after end() runs once the loop is left
//
//   CountedLoop rows(cg, count, "row");   // for (uint64 i = 0; i < count; ++i) { ... }
#pragma once

#include <string>

#include "codegen/codegen.h"

namespace omendb::codegen {

class If {
 public:
  If(CodeGen& cg, llvm::Value* cond, const std::string& name);
  ~If() { end(); }
  If(const If&) = delete;
  If& operator=(const If&) = delete;
  void else_();
  void end();

 private:
  CodeGen& cg_;
  llvm::BasicBlock* else_block_;
  llvm::BasicBlock* merge_;
  bool in_else_ = false;
  bool ended_ = false;
};

class Loop {
 public:
  // Opens the loop: the insertion point is the loop's head, run before every iteration.
  Loop(CodeGen& cg, const std::string& name);
  ~Loop() { end(); }
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;
  // Leaves the loop unless `cond` holds; the body follows.
  void continue_while(llvm::Value* cond);
  // The block that starts the next iteration (`continue`); code emitted with at_next() runs there.
  llvm::BasicBlock* next() const { return latch_; }
  // The block after the loop (`break`).
  llvm::BasicBlock* after() const { return after_; }
  // Closes the body (branching to the latch) and continues after the loop.
  void end();

 protected:
  // Emits `code` at the start of the latch (the increment of a counted loop).
  template <typename F>
  void at_latch(F&& code) {
    llvm::IRBuilderBase::InsertPointGuard guard(cg_.b);
    cg_.b.SetInsertPoint(latch_);
    code();
  }
  CodeGen& cg_;

 private:
  llvm::BasicBlock* head_;
  llvm::BasicBlock* latch_;
  llvm::BasicBlock* after_;
  bool ended_ = false;
};

class CountedLoop : public Loop {
 public:
  CountedLoop(CodeGen& cg, llvm::Value* count, const std::string& name);
  // The iteration's index, i64.
  llvm::Value* index() const { return index_; }

 private:
  llvm::Value* index_;
};

// Counts one step of a loop that may run long without a runtime call (a join's candidates, a function's
// rows) in `steps` (an i64 local) and, every `every`-th step (a power of two), calls rt_check_interrupts
// (cancel, statement_timeout), leaving the function if it asks to stop:
//   if ((++steps & (every - 1)) == 0 && !rt_check_interrupts(qs)) return;
void count_step(CodeGen& cg, llvm::Value* steps, int64_t every, const std::string& name);

}  // namespace omendb::codegen
