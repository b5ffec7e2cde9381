#include "codegen/codegen.h"

#include <stdexcept>

#include "codegen/runtime_symbols.h"

namespace omendb::codegen {

CodeGen::CodeGen(llvm::Module& m, const std::string& function_name)
    : ctx(m.getContext()),
      module(m),
      b(m.getContext()),
      i1(llvm::Type::getInt1Ty(ctx)),
      i8(llvm::Type::getInt8Ty(ctx)),
      i32(llvm::Type::getInt32Ty(ctx)),
      i64(llvm::Type::getInt64Ty(ctx)),
      f64(llvm::Type::getDoubleTy(ctx)),
      ptr(llvm::PointerType::get(ctx, 0)) {
  auto* type = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptr}, false);
  fn = llvm::Function::Create(type, llvm::Function::ExternalLinkage, function_name, m);
  fn->addFnAttr(llvm::Attribute::NoUnwind);
  qs = fn->getArg(0);
  qs->setName("qs");
  entry_ = llvm::BasicBlock::Create(ctx, "entry", fn);
  exit = llvm::BasicBlock::Create(ctx, "exit", fn);
  b.SetInsertPoint(exit);
  b.CreateRetVoid();
  b.SetInsertPoint(entry_);
  params = load_at(ptr, qs, offsetof(runtime::QueryState, params), "params");
}

llvm::BasicBlock* CodeGen::block(const std::string& name) {
  return llvm::BasicBlock::Create(ctx, name, fn, exit);
}

void CodeGen::branch(llvm::BasicBlock* target) {
  if (!terminated()) b.CreateBr(target);
}

void CodeGen::branch_if(llvm::Value* cond, llvm::BasicBlock* target, const std::string& cont_name) {
  llvm::BasicBlock* cont = block(cont_name);
  b.CreateCondBr(cond, target, cont);
  b.SetInsertPoint(cont);
}

void CodeGen::fail_if(llvm::Value* cond, runtime::ErrorKind kind) {
  llvm::BasicBlock* fail = block("fail");
  llvm::BasicBlock* ok = block("ok");
  b.CreateCondBr(cond, fail, ok);
  b.SetInsertPoint(fail);
  call("rt_fail", {qs, const_i32(static_cast<int32_t>(kind))});
  b.CreateBr(exit);
  b.SetInsertPoint(ok);
}

void CodeGen::exit_if_zero(llvm::Value* rt_result) {
  branch_if(b.CreateICmpEQ(rt_result, const_i32(0)), exit, "ok");
}

void CodeGen::exit_if_failed() {
  llvm::Value* status = load_at(i32, qs, offsetof(runtime::QueryState, status), "status");
  branch_if(b.CreateICmpNE(status, const_i32(0)), exit, "ok");
}

llvm::Value* CodeGen::local(llvm::Type* type, const std::string& name, unsigned align) {
  llvm::IRBuilder<> eb(entry_, entry_->begin());
  llvm::AllocaInst* slot = eb.CreateAlloca(type, nullptr, name);
  if (align) slot->setAlignment(llvm::Align(align));
  return slot;
}

llvm::Value* CodeGen::counter(const std::string& name, llvm::Value* init) {
  llvm::Value* slot = local(i64, name);
  b.CreateStore(init, slot);
  return slot;
}

llvm::Value* CodeGen::call(const char* name, std::initializer_list<llvm::Value*> args) {
  return call(name, std::vector<llvm::Value*>(args));
}

llvm::Value* CodeGen::call(const char* name, const std::vector<llvm::Value*>& args) {
  const RuntimeSymbol* sym = find_runtime_symbol(name);
  if (!sym) throw std::logic_error(std::string("not a runtime function: ") + name);
  llvm::FunctionCallee callee = module.getOrInsertFunction(name, sym->type(ctx));
  return b.CreateCall(callee, args);
}

llvm::Value* CodeGen::gep(llvm::Value* base, llvm::Value* byte_offset, const std::string& name) {
  return b.CreateGEP(i8, base, byte_offset, name);
}

llvm::Value* CodeGen::gep(llvm::Value* base, uint64_t byte_offset, const std::string& name) {
  return byte_offset ? b.CreateConstGEP1_64(i8, base, byte_offset, name) : base;
}

llvm::Value* CodeGen::load_at(llvm::Type* type, llvm::Value* base, uint64_t off, const std::string& name) {
  return b.CreateLoad(type, gep(base, off), name);
}

void CodeGen::store_at(llvm::Value* v, llvm::Value* base, uint64_t off) {
  b.CreateStore(v, gep(base, off));
}

llvm::Value* CodeGen::const_string(const std::string& s, const std::string& name) {
  return b.CreateGlobalStringPtr(s, name);
}

llvm::Type* CodeGen::machine_type(TypeId type) {
  switch (physical_type(type)) {
    case PhysType::Bool:
      return i1;
    case PhysType::Int32:
      return i32;
    case PhysType::Int64:
    case PhysType::Interval:  // the microseconds; SqlValue::length holds the days and months
      return i64;
    case PhysType::Float64:
      return f64;
    case PhysType::Text:
      return ptr;
  }
  return i64;
}

}  // namespace omendb::codegen
