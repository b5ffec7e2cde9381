// SQL expressions in IR. Every operator is null-aware, and every check that can raise an error (overflow,
// division by zero, failed conversions) is guarded by "the inputs are not NULL", so garbage in the data
// slot of a NULL never raises an error nor reaches a trapping instruction.
#include "codegen/emitter.h"

#include <llvm/IR/Intrinsics.h>

#include <cmath>
#include <stdexcept>

#include "codegen/runtime_symbols.h"
#include "common/error.h"

namespace omendb::codegen {

using plan::Expr;
using plan::ExprOp;
using runtime::ErrorKind;

Emitter::Emitter(llvm::Module& m, const std::string& function_name)
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

llvm::BasicBlock* Emitter::block(const std::string& name) {
  return llvm::BasicBlock::Create(ctx, name, fn, exit);
}

void Emitter::fail_if(llvm::Value* cond, ErrorKind kind) {
  llvm::BasicBlock* fail = block("fail");
  llvm::BasicBlock* ok = block("ok");
  b.CreateCondBr(cond, fail, ok);
  b.SetInsertPoint(fail);
  call("rt_fail", {qs, const_i32(static_cast<int32_t>(kind))});
  b.CreateBr(exit);
  b.SetInsertPoint(ok);
}

void Emitter::exit_if_zero(llvm::Value* rt_result) {
  llvm::BasicBlock* ok = block("ok");
  b.CreateCondBr(b.CreateICmpEQ(rt_result, const_i32(0)), exit, ok);
  b.SetInsertPoint(ok);
}

llvm::Value* Emitter::counter(const std::string& name, llvm::Value* init) {
  llvm::IRBuilder<> eb(entry_, entry_->begin());
  llvm::Value* slot = eb.CreateAlloca(i64, nullptr, name);
  b.CreateStore(init, slot);
  return slot;
}

llvm::Value* Emitter::call(const char* name, std::initializer_list<llvm::Value*> args) {
  const RuntimeSymbol* sym = find_runtime_symbol(name);
  if (!sym) throw std::logic_error(std::string("not a runtime function: ") + name);
  llvm::FunctionCallee callee = module.getOrInsertFunction(name, sym->type(ctx));
  return b.CreateCall(callee, args);
}

llvm::Value* Emitter::gep(llvm::Value* base, llvm::Value* byte_offset, const std::string& name) {
  return b.CreateGEP(i8, base, byte_offset, name);
}

llvm::Value* Emitter::load_at(llvm::Type* type, llvm::Value* base, uint64_t off, const std::string& name) {
  llvm::Value* p = off ? b.CreateConstGEP1_64(i8, base, off) : base;
  return b.CreateLoad(type, p, name);
}

void Emitter::store_at(llvm::Value* v, llvm::Value* base, uint64_t off) {
  llvm::Value* p = off ? b.CreateConstGEP1_64(i8, base, off) : base;
  b.CreateStore(v, p);
}

llvm::Type* Emitter::machine_type(TypeId type) {
  switch (type) {
    case TypeId::Bool:
      return i1;
    case TypeId::Int32:
      return i32;
    case TypeId::Int64:
      return i64;
    case TypeId::Float64:
      return f64;
    case TypeId::Text:
    case TypeId::Unknown:
      return ptr;
  }
  return i64;
}

SqlValue Emitter::load_datum(llvm::Value* datum, TypeId type) {
  SqlValue v;
  v.type = type;
  v.is_null =
      b.CreateICmpNE(load_at(i8, datum, offsetof(Datum, is_null)), llvm::ConstantInt::get(i8, 0), "isnull");
  switch (type) {
    case TypeId::Bool:
      v.value = b.CreateICmpNE(load_at(i64, datum, 0), const_i64(0));
      break;
    case TypeId::Int32:
      v.value = b.CreateTrunc(load_at(i64, datum, 0), i32);
      break;
    case TypeId::Int64:
      v.value = load_at(i64, datum, 0);
      break;
    case TypeId::Float64:
      v.value = load_at(f64, datum, 0);
      break;
    case TypeId::Text:
    case TypeId::Unknown:
      v.type = TypeId::Text;
      v.value = load_at(ptr, datum, offsetof(Datum, str));
      v.length = load_at(i64, datum, offsetof(Datum, str) + 8);
      break;
  }
  return v;
}

void Emitter::store_datum(const SqlValue& v, llvm::Value* datum) {
  switch (v.type) {
    case TypeId::Bool:
      store_at(b.CreateZExt(v.value, i64), datum, 0);
      break;
    case TypeId::Int32:
      store_at(b.CreateSExt(v.value, i64), datum, 0);
      break;
    case TypeId::Int64:
    case TypeId::Float64:
      store_at(v.value, datum, 0);
      break;
    case TypeId::Text:
    case TypeId::Unknown:
      store_at(v.value, datum, offsetof(Datum, str));
      store_at(v.length, datum, offsetof(Datum, str) + 8);
      break;
  }
  store_at(b.CreateZExt(v.is_null, i8), datum, offsetof(Datum, is_null));
}

llvm::Value* Emitter::is_true(const SqlValue& v) {
  return b.CreateAnd(b.CreateNot(v.is_null), v.value);
}

llvm::Value* Emitter::text_length(const SqlValue& v) {
  return b.CreateSelect(v.is_null, const_i64(0), v.length);
}

SqlValue Emitter::phi(TypeId type, const std::vector<std::pair<SqlValue, llvm::BasicBlock*>>& in) {
  SqlValue out;
  out.type = type;
  auto* value = b.CreatePHI(machine_type(type), static_cast<unsigned>(in.size()));
  auto* is_null = b.CreatePHI(i1, static_cast<unsigned>(in.size()));
  llvm::PHINode* length = type == TypeId::Text ? b.CreatePHI(i64, static_cast<unsigned>(in.size())) : nullptr;
  for (const auto& [v, from] : in) {
    value->addIncoming(v.value, from);
    is_null->addIncoming(v.is_null, from);
    if (length) length->addIncoming(v.length, from);
  }
  out.value = value;
  out.is_null = is_null;
  out.length = length;
  return out;
}

// ---- expressions ------------------------------------------------------------------------------

SqlValue Emitter::eval(const Expr& e) {
  switch (e.op) {
    case ExprOp::Constant:
      return eval_constant(e);
    case ExprOp::Param: {
      llvm::Value* datum = b.CreateConstGEP1_64(i8, params, static_cast<uint64_t>(e.param) * sizeof(Datum));
      return load_datum(datum, e.type == TypeId::Unknown ? TypeId::Text : e.type);
    }
    case ExprOp::Column: {
      auto it = columns.find(e.column);
      if (it == columns.end())
        throw std::logic_error("codegen: column " + std::to_string(e.column) + " not in scope");
      return it->second;
    }
    case ExprOp::Neg:
    case ExprOp::Abs: {
      SqlValue a = eval(*e.args[0]);
      SqlValue r = a;
      if (a.type == TypeId::Float64) {
        r.value = e.op == ExprOp::Neg ? b.CreateFNeg(a.value)
                                      : b.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, a.value);
        return r;
      }
      auto* ty = llvm::cast<llvm::IntegerType>(a.value->getType());
      llvm::Value* min = llvm::ConstantInt::get(ty, llvm::APInt::getSignedMinValue(ty->getBitWidth()));
      llvm::Value* zero = llvm::ConstantInt::get(ty, 0);
      fail_if(b.CreateAnd(b.CreateNot(a.is_null), b.CreateICmpEQ(a.value, min)),
              a.type == TypeId::Int32 ? ErrorKind::IntegerOutOfRange : ErrorKind::BigintOutOfRange);
      llvm::Value* neg = b.CreateSub(zero, a.value);
      r.value = e.op == ExprOp::Neg ? neg : b.CreateSelect(b.CreateICmpSLT(a.value, zero), neg, a.value);
      return r;
    }
    case ExprOp::Not: {
      SqlValue a = eval(*e.args[0]);
      a.value = b.CreateNot(a.value);
      return a;
    }
    case ExprOp::Add:
    case ExprOp::Sub:
    case ExprOp::Mul:
    case ExprOp::Div:
    case ExprOp::Mod:
      return eval_arith(e);
    case ExprOp::Concat: {
      SqlValue l = eval(*e.args[0]);
      SqlValue r = eval(*e.args[1]);
      return text_result("rt_concat", {qs, l.value, text_length(l), r.value, text_length(r)},
                         b.CreateOr(l.is_null, r.is_null));
    }
    case ExprOp::Eq:
    case ExprOp::Ne:
    case ExprOp::Lt:
    case ExprOp::Le:
    case ExprOp::Gt:
    case ExprOp::Ge:
      return eval_compare(e);
    case ExprOp::And:
    case ExprOp::Or:
      return eval_logic(e);
    case ExprOp::IsNull:
    case ExprOp::IsNotNull: {
      SqlValue a = eval(*e.args[0]);
      SqlValue r;
      r.type = TypeId::Bool;
      r.value = e.op == ExprOp::IsNull ? a.is_null : b.CreateNot(a.is_null);
      r.is_null = false_();
      return r;
    }
    case ExprOp::Cast:
      return cast(eval(*e.args[0]), e.type);
    case ExprOp::Case:
      return eval_case(e);
  }
  throw std::logic_error("codegen: unknown expression");
}

SqlValue Emitter::eval_constant(const Expr& e) {
  SqlValue v;
  v.type = e.type == TypeId::Unknown ? TypeId::Text : e.type;
  const Value& c = e.constant;
  v.is_null = c.is_null() ? true_() : false_();
  switch (v.type) {
    case TypeId::Bool:
      v.value = c.is_null() ? false_() : (c.as_bool() ? true_() : false_());
      break;
    case TypeId::Int32:
      v.value = const_i32(c.is_null() ? 0 : c.as_int());
      break;
    case TypeId::Int64:
      v.value = const_i64(c.is_null() ? 0 : c.as_int());
      break;
    case TypeId::Float64:
      v.value = llvm::ConstantFP::get(f64, c.is_null() ? 0.0 : c.as_double());
      break;
    default: {
      std::string text = c.is_null() ? std::string() : c.as_text();
      v.value = b.CreateGlobalStringPtr(text, "str");
      v.length = const_i64(static_cast<int64_t>(text.size()));
      break;
    }
  }
  return v;
}

SqlValue Emitter::text_result(const char* name, std::initializer_list<llvm::Value*> args,
                              llvm::Value* is_null) {
  llvm::IRBuilder<> eb(entry_, entry_->begin());
  llvm::AllocaInst* out = eb.CreateAlloca(llvm::ArrayType::get(i8, sizeof(StrRef)), nullptr, "strref");
  out->setAlignment(llvm::Align(alignof(StrRef)));  // the runtime stores a StrRef there
  std::vector<llvm::Value*> all(args);
  all.push_back(out);
  const RuntimeSymbol* sym = find_runtime_symbol(name);
  b.CreateCall(module.getOrInsertFunction(name, sym->type(ctx)), all);
  SqlValue v;
  v.type = TypeId::Text;
  v.value = load_at(ptr, out, 0);
  v.length = load_at(i64, out, 8);
  v.is_null = is_null;
  return v;
}

SqlValue Emitter::eval_arith(const Expr& e) {
  SqlValue l = eval(*e.args[0]);
  SqlValue r = eval(*e.args[1]);
  SqlValue out;
  out.type = e.type;
  out.is_null = b.CreateOr(l.is_null, r.is_null);
  llvm::Value* both = b.CreateNot(out.is_null);
  if (l.type == TypeId::Float64) {
    llvm::Value* x = l.value;
    llvm::Value* y = r.value;
    llvm::Value* zero = llvm::ConstantFP::get(f64, 0.0);
    switch (e.op) {
      case ExprOp::Add:
        out.value = b.CreateFAdd(x, y);
        break;
      case ExprOp::Sub:
        out.value = b.CreateFSub(x, y);
        break;
      case ExprOp::Mul:
        out.value = b.CreateFMul(x, y);
        break;
      case ExprOp::Div:
        fail_if(b.CreateAnd(both, b.CreateFCmpOEQ(y, zero)), ErrorKind::DivisionByZero);
        out.value = b.CreateFDiv(x, y);
        break;
      default:  // the binder rejects % on double precision
        throw std::logic_error("codegen: % on double precision");
    }
    // PostgreSQL raises an error when finite inputs give an infinite result.
    auto is_inf = [&](llvm::Value* v) {
      return b.CreateFCmpOEQ(b.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, v),
                             llvm::ConstantFP::getInfinity(f64));
    };
    llvm::Value* overflow = b.CreateAnd(is_inf(out.value), b.CreateNot(b.CreateOr(is_inf(x), is_inf(y))));
    fail_if(b.CreateAnd(both, overflow), ErrorKind::FloatOverflow);
    return out;
  }
  auto* ty = llvm::cast<llvm::IntegerType>(l.value->getType());
  ErrorKind overflow_kind =
      ty->getBitWidth() == 32 ? ErrorKind::IntegerOutOfRange : ErrorKind::BigintOutOfRange;
  auto with_overflow = [&](llvm::Intrinsic::ID id) {
    llvm::Value* res = b.CreateBinaryIntrinsic(id, l.value, r.value);
    fail_if(b.CreateAnd(both, b.CreateExtractValue(res, 1)), overflow_kind);
    return b.CreateExtractValue(res, 0);
  };
  switch (e.op) {
    case ExprOp::Add:
      out.value = with_overflow(llvm::Intrinsic::sadd_with_overflow);
      break;
    case ExprOp::Sub:
      out.value = with_overflow(llvm::Intrinsic::ssub_with_overflow);
      break;
    case ExprOp::Mul:
      out.value = with_overflow(llvm::Intrinsic::smul_with_overflow);
      break;
    case ExprOp::Div:
    case ExprOp::Mod: {
      llvm::Value* zero = llvm::ConstantInt::get(ty, 0);
      llvm::Value* minus_one = llvm::ConstantInt::get(ty, -1, true);
      llvm::Value* min = llvm::ConstantInt::get(ty, llvm::APInt::getSignedMinValue(ty->getBitWidth()));
      fail_if(b.CreateAnd(both, b.CreateICmpEQ(r.value, zero)), ErrorKind::DivisionByZero);
      llvm::Value* min_by_minus_one =
          b.CreateAnd(b.CreateICmpEQ(l.value, min), b.CreateICmpEQ(r.value, minus_one));
      if (e.op == ExprOp::Div) fail_if(b.CreateAnd(both, min_by_minus_one), overflow_kind);
      // A divisor that cannot trap: NULL inputs carry garbage, and MIN % -1 is 0 anyway.
      llvm::Value* unsafe =
          b.CreateOr(b.CreateOr(out.is_null, b.CreateICmpEQ(r.value, zero)), min_by_minus_one);
      llvm::Value* divisor = b.CreateSelect(unsafe, llvm::ConstantInt::get(ty, 1), r.value);
      out.value = e.op == ExprOp::Div ? b.CreateSDiv(l.value, divisor) : b.CreateSRem(l.value, divisor);
      if (e.op == ExprOp::Mod) out.value = b.CreateSelect(min_by_minus_one, zero, out.value);
      break;
    }
    default:
      throw std::logic_error("codegen: bad arithmetic operator");
  }
  return out;
}

SqlValue Emitter::eval_compare(const Expr& e) {
  SqlValue l = eval(*e.args[0]);
  SqlValue r = eval(*e.args[1]);
  SqlValue out;
  out.type = TypeId::Bool;
  out.is_null = b.CreateOr(l.is_null, r.is_null);
  llvm::Value* x = l.value;
  llvm::Value* y = r.value;
  if (l.type == TypeId::Text) {
    x = call("rt_text_cmp", {l.value, text_length(l), r.value, text_length(r)});
    y = const_i32(0);
  }
  if (l.type == TypeId::Float64) {
    // PostgreSQL orders NaN above every other value and equal to itself.
    llvm::Value* xn = b.CreateFCmpUNO(x, x);
    llvm::Value* yn = b.CreateFCmpUNO(y, y);
    switch (e.op) {
      case ExprOp::Eq:
        out.value = b.CreateOr(b.CreateAnd(xn, yn), b.CreateFCmpOEQ(x, y));
        break;
      case ExprOp::Ne:
        out.value = b.CreateNot(b.CreateOr(b.CreateAnd(xn, yn), b.CreateFCmpOEQ(x, y)));
        break;
      case ExprOp::Lt:
        out.value = b.CreateOr(b.CreateAnd(b.CreateNot(xn), yn), b.CreateFCmpOLT(x, y));
        break;
      case ExprOp::Le:
        out.value = b.CreateOr(yn, b.CreateFCmpOLE(x, y));
        break;
      case ExprOp::Gt:
        out.value = b.CreateOr(b.CreateAnd(xn, b.CreateNot(yn)), b.CreateFCmpOGT(x, y));
        break;
      case ExprOp::Ge:
        out.value = b.CreateOr(xn, b.CreateFCmpOGE(x, y));
        break;
      default:
        break;
    }
    return out;
  }
  bool is_bool = l.type == TypeId::Bool;  // false < true: unsigned
  switch (e.op) {
    case ExprOp::Eq:
      out.value = b.CreateICmpEQ(x, y);
      break;
    case ExprOp::Ne:
      out.value = b.CreateICmpNE(x, y);
      break;
    case ExprOp::Lt:
      out.value = is_bool ? b.CreateICmpULT(x, y) : b.CreateICmpSLT(x, y);
      break;
    case ExprOp::Le:
      out.value = is_bool ? b.CreateICmpULE(x, y) : b.CreateICmpSLE(x, y);
      break;
    case ExprOp::Gt:
      out.value = is_bool ? b.CreateICmpUGT(x, y) : b.CreateICmpSGT(x, y);
      break;
    case ExprOp::Ge:
      out.value = is_bool ? b.CreateICmpUGE(x, y) : b.CreateICmpSGE(x, y);
      break;
    default:
      break;
  }
  return out;
}

// Three-valued AND / OR, short-circuiting like PostgreSQL so that `x <> 0 AND 10 / x > 1` never divides
// by zero: the right side runs only when the left side does not decide the result.
SqlValue Emitter::eval_logic(const Expr& e) {
  bool is_and = e.op == ExprOp::And;
  SqlValue l = eval(*e.args[0]);
  llvm::Value* decided = is_and ? b.CreateAnd(b.CreateNot(l.is_null), b.CreateNot(l.value))  // FALSE AND ..
                                : b.CreateAnd(b.CreateNot(l.is_null), l.value);              // TRUE OR ..
  llvm::BasicBlock* from_left = b.GetInsertBlock();
  llvm::BasicBlock* right = block(is_and ? "and.rhs" : "or.rhs");
  llvm::BasicBlock* done = block(is_and ? "and.end" : "or.end");
  b.CreateCondBr(decided, done, right);
  b.SetInsertPoint(right);
  SqlValue r = eval(*e.args[1]);
  SqlValue combined;
  combined.type = TypeId::Bool;
  llvm::Value* r_decides = is_and ? b.CreateAnd(b.CreateNot(r.is_null), b.CreateNot(r.value))
                                  : b.CreateAnd(b.CreateNot(r.is_null), r.value);
  combined.is_null = b.CreateAnd(b.CreateOr(l.is_null, r.is_null), b.CreateNot(r_decides));
  combined.value = is_and ? b.CreateNot(r_decides) : r_decides;
  llvm::BasicBlock* from_right = b.GetInsertBlock();
  b.CreateBr(done);
  b.SetInsertPoint(done);
  SqlValue left_result{TypeId::Bool, is_and ? false_() : true_(), nullptr, false_()};
  return phi(TypeId::Bool, {{left_result, from_left}, {combined, from_right}});
}

// CASE WHEN c1 THEN r1 ... ELSE e END: each result is computed only on its own branch.
SqlValue Emitter::eval_case(const Expr& e) {
  llvm::BasicBlock* done = block("case.end");
  std::vector<std::pair<SqlValue, llvm::BasicBlock*>> results;
  size_t pairs = (e.args.size() - 1) / 2;
  for (size_t i = 0; i < pairs; ++i) {
    SqlValue cond = eval(*e.args[2 * i]);
    llvm::BasicBlock* then = block("case.then");
    llvm::BasicBlock* next = block("case.next");
    b.CreateCondBr(is_true(cond), then, next);
    b.SetInsertPoint(then);
    SqlValue r = cast(eval(*e.args[2 * i + 1]), e.type);
    results.push_back({r, b.GetInsertBlock()});
    b.CreateBr(done);
    b.SetInsertPoint(next);
  }
  SqlValue otherwise = cast(eval(*e.args.back()), e.type);
  results.push_back({otherwise, b.GetInsertBlock()});
  b.CreateBr(done);
  b.SetInsertPoint(done);
  return phi(e.type, results);
}

SqlValue Emitter::cast(const SqlValue& v, TypeId to) {
  TypeId from = v.type == TypeId::Unknown ? TypeId::Text : v.type;
  if (to == TypeId::Unknown) to = TypeId::Text;
  if (from == to) return v;
  SqlValue out;
  out.type = to;
  out.is_null = v.is_null;
  llvm::Value* valid = b.CreateNot(v.is_null);
  if (from == TypeId::Text) {
    // Parse only non-NULL text: the runtime raises 22P02 / 22003 on bad input.
    const char* fn = to == TypeId::Int32     ? "rt_text_to_int32"
                     : to == TypeId::Int64   ? "rt_text_to_int64"
                     : to == TypeId::Float64 ? "rt_text_to_double"
                                             : "rt_text_to_bool";
    llvm::Type* slot_type = to == TypeId::Int64 ? i64 : to == TypeId::Float64 ? f64 : i32;
    llvm::IRBuilder<> eb(entry_, entry_->begin());
    llvm::Value* slot = eb.CreateAlloca(slot_type, nullptr, "parsed");
    b.CreateStore(llvm::Constant::getNullValue(slot_type), slot);
    llvm::BasicBlock* parse = block("cast.parse");
    llvm::BasicBlock* done = block("cast.end");
    b.CreateCondBr(valid, parse, done);
    b.SetInsertPoint(parse);
    exit_if_zero(call(fn, {qs, v.value, v.length, slot}));
    b.CreateBr(done);
    b.SetInsertPoint(done);
    llvm::Value* parsed = b.CreateLoad(slot_type, slot);
    out.value = to == TypeId::Bool ? b.CreateICmpNE(parsed, const_i32(0)) : parsed;
    return out;
  }
  if (to == TypeId::Text) {
    switch (from) {
      case TypeId::Bool:
        return text_result("rt_bool_to_text", {qs, b.CreateZExt(v.value, i32)}, v.is_null);
      case TypeId::Int32:
        return text_result("rt_int_to_text", {qs, b.CreateSExt(v.value, i64)}, v.is_null);
      case TypeId::Int64:
        return text_result("rt_int_to_text", {qs, v.value}, v.is_null);
      case TypeId::Float64:
        return text_result("rt_double_to_text", {qs, v.value}, v.is_null);
      default:
        break;
    }
  }
  switch (to) {
    case TypeId::Bool:
      if (is_integer(from)) {
        out.value = b.CreateICmpNE(v.value, llvm::ConstantInt::get(v.value->getType(), 0));
        return out;
      }
      break;
    case TypeId::Int32:
    case TypeId::Int64: {
      llvm::Type* ty = machine_type(to);
      if (from == TypeId::Bool) {
        out.value = b.CreateZExt(v.value, ty);
        return out;
      }
      if (from == TypeId::Int32) {
        out.value = b.CreateSExt(v.value, ty);
        return out;
      }
      if (from == TypeId::Int64) {  // to Int32
        llvm::Value* fits = b.CreateAnd(b.CreateICmpSGE(v.value, const_i64(INT32_MIN)),
                                        b.CreateICmpSLE(v.value, const_i64(INT32_MAX)));
        fail_if(b.CreateAnd(valid, b.CreateNot(fits)), ErrorKind::IntegerOutOfRange);
        out.value = b.CreateTrunc(v.value, ty);
        return out;
      }
      if (from == TypeId::Float64) {
        // PostgreSQL rounds half to even (rint) and rejects NaN and values outside the range.
        llvm::Value* rounded = b.CreateUnaryIntrinsic(llvm::Intrinsic::rint, v.value);
        double lo = to == TypeId::Int32 ? -2147483648.0 : -9223372036854775808.0;
        double hi = to == TypeId::Int32 ? 2147483648.0 : 9223372036854775808.0;
        llvm::Value* fits = b.CreateAnd(b.CreateFCmpOGE(rounded, llvm::ConstantFP::get(f64, lo)),
                                        b.CreateFCmpOLT(rounded, llvm::ConstantFP::get(f64, hi)));
        fail_if(b.CreateAnd(valid, b.CreateNot(fits)),
                to == TypeId::Int32 ? ErrorKind::IntegerOutOfRange : ErrorKind::BigintOutOfRange);
        llvm::Value* safe = b.CreateSelect(fits, rounded, llvm::ConstantFP::get(f64, 0.0));
        out.value = b.CreateFPToSI(safe, ty);
        return out;
      }
      break;
    }
    case TypeId::Float64:
      if (is_integer(from)) {
        out.value = b.CreateSIToFP(v.value, f64);
        return out;
      }
      break;
    default:
      break;
  }
  throw SqlError(SqlState::InternalError, "codegen: no conversion from " + std::string(type_name(from)) +
                                              " to " + std::string(type_name(to)));
}

SqlValue Emitter::eval_cast(const Expr& e) {
  return cast(eval(*e.args[0]), e.type);
}

}  // namespace omendb::codegen
