// Internal to codegen: the IR building context of one pipeline function `void name(QueryState*)`:
// the builder, the machine types, runtime calls, error exits and memory helpers. SQL meaning lives in
// sql_value.h (typed values and their operations), control flow in control.h (If, Loop).
#pragma once

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include <cstdint>
#include <initializer_list>
#include <string>

#include "common/types.h"
#include "runtime/query_state.h"

namespace omendb::codegen {

class CodeGen {
 public:
  // Creates `void function_name(QueryState* qs)` in `module`, with an entry block (insertion point)
  // and an exit block that returns: the normal end, a stop and errors all leave through it.
  CodeGen(llvm::Module& module, const std::string& function_name);

  llvm::LLVMContext& ctx;
  llvm::Module& module;
  llvm::IRBuilder<> b;
  llvm::Function* fn = nullptr;
  llvm::Value* qs = nullptr;         // QueryState*
  llvm::Value* params = nullptr;     // QueryState::params, loaded once in the entry block
  llvm::BasicBlock* exit = nullptr;  // `ret void`

  llvm::Type* i1;
  llvm::Type* i8;
  llvm::Type* i32;
  llvm::Type* i64;
  llvm::Type* f64;
  llvm::PointerType* ptr;

  // --- blocks and exits
  // A new block named `name` (LLVM numbers repeats: "filter.pass3"), placed before `exit`.
  llvm::BasicBlock* block(const std::string& name);
  // True when the current block already ends in a branch or return.
  bool terminated() const { return b.GetInsertBlock()->getTerminator() != nullptr; }
  // Branches to `target` unless the current block is already terminated.
  void branch(llvm::BasicBlock* target);
  // `if (cond) goto target;` and continues in a new block.
  void branch_if(llvm::Value* cond, llvm::BasicBlock* target, const std::string& cont_name = "cont");
  // `if (cond) { rt_fail(kind); return; }`
  void fail_if(llvm::Value* cond, runtime::ErrorKind kind);
  // `if (rt_result == 0) return;`: a runtime call that returns 0 asks the query to stop.
  void exit_if_zero(llvm::Value* rt_result);
  // `if (qs->status != 0) return;`
  void exit_if_failed();

  // --- locals: allocas live in the entry block so that mem2reg promotes them
  llvm::Value* local(llvm::Type* type, const std::string& name, unsigned align = 0);
  // An i64 local initialised (at the current point) to `init`.
  llvm::Value* counter(const std::string& name, llvm::Value* init);

  // --- runtime calls (the function must be in OMENDB_RUNTIME_FUNCTIONS)
  llvm::Value* call(const char* name, std::initializer_list<llvm::Value*> args);
  llvm::Value* call(const char* name, const std::vector<llvm::Value*>& args);

  // --- memory
  llvm::Value* load_at(llvm::Type* type, llvm::Value* base, uint64_t byte_offset,
                       const std::string& name = "");
  void store_at(llvm::Value* v, llvm::Value* base, uint64_t byte_offset);
  llvm::Value* gep(llvm::Value* base, llvm::Value* byte_offset, const std::string& name = "");
  llvm::Value* gep(llvm::Value* base, uint64_t byte_offset, const std::string& name = "");
  // --- constants
  llvm::Value* const_i8(int64_t v) { return llvm::ConstantInt::get(i8, static_cast<uint64_t>(v), true); }
  llvm::Value* const_i32(int64_t v) { return llvm::ConstantInt::get(i32, static_cast<uint64_t>(v), true); }
  llvm::Value* const_i64(int64_t v) { return llvm::ConstantInt::get(i64, static_cast<uint64_t>(v), true); }
  llvm::Value* const_f64(double v) { return llvm::ConstantFP::get(f64, v); }
  llvm::Value* true_() { return llvm::ConstantInt::getTrue(ctx); }
  llvm::Value* false_() { return llvm::ConstantInt::getFalse(ctx); }
  llvm::Value* const_string(const std::string& s, const std::string& name = "str");

  // The IR type of a SQL type's machine value: Bool i1, Int32 i32, Int64 i64, Float64 double, Text ptr.
  llvm::Type* machine_type(TypeId type);

 private:
  llvm::BasicBlock* entry_ = nullptr;
};

}  // namespace omendb::codegen
