// Internal to codegen: the IR building blocks every operator translator uses. A SQL value in IR is a
// SqlValue (machine value + length for text + null flag), and translators work on SqlValues, never
// on raw llvm::Value* for SQL meaning.
#pragma once

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include <string>
#include <unordered_map>

#include "planner/plan.h"
#include "runtime/query_state.h"

namespace omendb::codegen {

// Bool -> i1, Int32 -> i32, Int64 -> i64, Float64 -> double, Text -> ptr + i64 length. is_null: i1.
struct SqlValue {
  TypeId type = TypeId::Unknown;
  llvm::Value* value = nullptr;
  llvm::Value* length = nullptr;
  llvm::Value* is_null = nullptr;
};

// Emits one pipeline function `void name(QueryState*)` into a module.
class Emitter {
 public:
  Emitter(llvm::Module& module, const std::string& function_name);

  llvm::LLVMContext& ctx;
  llvm::Module& module;
  llvm::IRBuilder<> b;
  llvm::Function* fn = nullptr;
  llvm::Value* qs = nullptr;         // QueryState*
  llvm::BasicBlock* exit = nullptr;  // `ret void`: normal end, stop (LIMIT reached) and errors alike

  llvm::Type* i1;
  llvm::Type* i8;
  llvm::Type* i32;
  llvm::Type* i64;
  llvm::Type* f64;
  llvm::PointerType* ptr;

  // Columns visible to expressions at the current point of the pipeline.
  std::unordered_map<plan::ColumnId, SqlValue> columns;

  // --- control flow
  llvm::BasicBlock* block(const std::string& name);
  // Emits `if (cond) { rt_fail(kind); goto exit; }` and continues after it.
  void fail_if(llvm::Value* cond, runtime::ErrorKind kind);
  // Continues at `exit` when the i32 result of a runtime call is 0.
  void exit_if_zero(llvm::Value* rt_result);
  // An i64 alloca in the entry block (loop counters), initialised to `init`.
  llvm::Value* counter(const std::string& name, llvm::Value* init);

  // --- runtime calls (the function must be in OMENDB_RUNTIME_FUNCTIONS)
  llvm::Value* call(const char* name, std::initializer_list<llvm::Value*> args);

  // --- memory
  llvm::Value* load_at(llvm::Type* type, llvm::Value* base, uint64_t byte_offset,
                       const std::string& name = "");
  void store_at(llvm::Value* v, llvm::Value* base, uint64_t byte_offset);
  llvm::Value* gep(llvm::Value* base, llvm::Value* byte_offset, const std::string& name = "");
  // A Datum (32 bytes, see common/datum.h) at `datum` read as / written from a SqlValue of `type`.
  SqlValue load_datum(llvm::Value* datum, TypeId type);
  void store_datum(const SqlValue& v, llvm::Value* datum);

  // --- SQL values
  llvm::Type* machine_type(TypeId type);
  SqlValue eval(const plan::Expr& e);
  llvm::Value* const_i32(int64_t v) { return llvm::ConstantInt::get(i32, static_cast<uint64_t>(v), true); }
  llvm::Value* const_i64(int64_t v) { return llvm::ConstantInt::get(i64, static_cast<uint64_t>(v), true); }
  llvm::Value* true_() { return llvm::ConstantInt::getTrue(ctx); }
  llvm::Value* false_() { return llvm::ConstantInt::getFalse(ctx); }
  // True when `v` is a non-null TRUE (how WHERE treats a predicate).
  llvm::Value* is_true(const SqlValue& v);
  // The length of a text value to pass to the runtime: 0 when it is NULL, whose data slot holds garbage
  // (the runtime never reads a zero-length string's pointer).
  llvm::Value* text_length(const SqlValue& v);

  // The statement's parameters (QueryState::params), loaded once in the entry block.
  llvm::Value* params = nullptr;

 private:
  llvm::BasicBlock* entry_ = nullptr;
  SqlValue eval_constant(const plan::Expr& e);
  SqlValue eval_arith(const plan::Expr& e);
  SqlValue eval_compare(const plan::Expr& e);
  SqlValue eval_logic(const plan::Expr& e);
  SqlValue eval_case(const plan::Expr& e);
  SqlValue eval_cast(const plan::Expr& e);
  SqlValue cast(const SqlValue& v, TypeId to);
  SqlValue text_result(const char* fn, std::initializer_list<llvm::Value*> args, llvm::Value* is_null);
  // Merges values computed in different blocks: one phi per part.
  SqlValue phi(TypeId type, const std::vector<std::pair<SqlValue, llvm::BasicBlock*>>& in);
};

}  // namespace omendb::codegen
