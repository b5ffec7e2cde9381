#include "codegen/sql_value.h"

#include <llvm/IR/Intrinsics.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "codegen/control.h"
#include "codegen/runtime_symbols.h"
#include "common/bytea.h"
#include "common/datum.h"
#include "common/error.h"
#include "common/json.h"
#include "common/math_sql.h"
#include "common/numeric.h"
#include "runtime/aggregation_hash_table.h"

namespace omendb::codegen::sql {

using runtime::ErrorKind;

namespace {

TypeId concrete(TypeId t) {
  return t == TypeId::Unknown ? TypeId::Text : t;
}

// Calls a runtime function that returns text through a StrRef out-pointer (the last argument).
SqlValue text_result(CodeGen& cg, const char* fn, std::vector<llvm::Value*> args, llvm::Value* is_null) {
  llvm::Value* out = cg.local(llvm::ArrayType::get(cg.i8, sizeof(StrRef)), "strref", alignof(StrRef));
  args.push_back(out);
  cg.call(fn, args);
  return SqlValue{TypeId::Text, cg.load_at(cg.ptr, out, 0, "text"), cg.load_at(cg.i64, out, 8, "text.len"),
                  is_null};
}

llvm::Value* min_of(CodeGen& cg, llvm::IntegerType* ty) {
  return llvm::ConstantInt::get(ty, llvm::APInt::getSignedMinValue(ty->getBitWidth()));
}

ErrorKind overflow_kind(TypeId t) {
  return t == TypeId::Int16   ? ErrorKind::SmallintOutOfRange
         : t == TypeId::Int32 ? ErrorKind::IntegerOutOfRange
                              : ErrorKind::BigintOutOfRange;
}

// A smallint is computed in an i32: 22003 "smallint out of range" unless the (non-NULL) result fits.
//   if (!is_null && (v < -32768 || v > 32767)) fail
void check_smallint(CodeGen& cg, llvm::Value* v, llvm::Value* valid) {
  auto& b = cg.b;
  llvm::Value* fits = b.CreateAnd(b.CreateICmpSGE(v, llvm::ConstantInt::get(v->getType(), INT16_MIN, true)),
                                  b.CreateICmpSLE(v, llvm::ConstantInt::get(v->getType(), INT16_MAX, true)));
  cg.fail_if(b.CreateAnd(valid, b.CreateNot(fits)), ErrorKind::SmallintOutOfRange);
}

}  // namespace

SqlValue constant(CodeGen& cg, const Value& c, TypeId type) {
  SqlValue v;
  v.type = concrete(type);
  v.is_null = c.is_null() ? cg.true_() : cg.false_();
  switch (physical_type(v.type)) {
    case PhysType::Bool:
      v.value = !c.is_null() && c.as_bool() ? cg.true_() : cg.false_();
      break;
    case PhysType::Int32:
      v.value = cg.const_i32(c.is_null() ? 0 : c.as_int());
      break;
    case PhysType::Int64:
      v.value = cg.const_i64(c.is_null() ? 0 : c.as_int());
      break;
    case PhysType::Float64:
      v.value = cg.const_f64(c.is_null() ? 0.0 : c.as_double());
      break;
    case PhysType::Interval: {
      v.value = cg.const_i64(c.is_null() ? 0 : c.as_int());
      uint64_t dm = c.is_null() ? 0
                                : (static_cast<uint64_t>(static_cast<uint32_t>(c.interval_month())) << 32) |
                                      static_cast<uint32_t>(c.interval_day());
      v.length = cg.const_i64(static_cast<int64_t>(dm));
      break;
    }
    case PhysType::Text: {
      std::string text = c.is_null() ? std::string() : c.as_text();
      v.value = cg.const_string(text);
      v.length = cg.const_i64(static_cast<int64_t>(text.size()));
      break;
    }
  }
  return v;
}

SqlValue null(CodeGen& cg, TypeId type) {
  return constant(cg, Value::null(type), type);
}

SqlValue load_datum(CodeGen& cg, llvm::Value* datum, TypeId type) {
  SqlValue v;
  v.type = concrete(type);
  v.is_null = cg.b.CreateICmpNE(cg.load_at(cg.i8, datum, offsetof(Datum, is_null)), cg.const_i8(0), "isnull");
  switch (physical_type(v.type)) {
    case PhysType::Bool:
      v.value = cg.b.CreateICmpNE(cg.load_at(cg.i64, datum, 0), cg.const_i64(0));
      break;
    case PhysType::Int32:
      v.value = cg.b.CreateTrunc(cg.load_at(cg.i64, datum, 0), cg.i32);
      break;
    case PhysType::Int64:
      v.value = cg.load_at(cg.i64, datum, 0);
      break;
    case PhysType::Float64:
      v.value = cg.load_at(cg.f64, datum, 0);
      break;
    case PhysType::Interval:
      v.value = cg.load_at(cg.i64, datum, 0);
      v.length = cg.load_at(cg.i64, datum, offsetof(Datum, dm));
      break;
    case PhysType::Text:
      v.value = cg.load_at(cg.ptr, datum, offsetof(Datum, str));
      v.length = cg.load_at(cg.i64, datum, offsetof(Datum, str) + 8);
      break;
  }
  return v;
}

void store_datum(CodeGen& cg, const SqlValue& v, llvm::Value* datum) {
  switch (physical_type(v.type)) {
    case PhysType::Bool:
      cg.store_at(cg.b.CreateZExt(v.value, cg.i64), datum, 0);
      break;
    case PhysType::Int32:
      cg.store_at(cg.b.CreateSExt(v.value, cg.i64), datum, 0);
      break;
    case PhysType::Int64:
    case PhysType::Float64:
      cg.store_at(v.value, datum, 0);
      break;
    case PhysType::Interval:
      cg.store_at(v.value, datum, 0);
      cg.store_at(v.length, datum, offsetof(Datum, dm));
      break;
    case PhysType::Text:
      cg.store_at(v.value, datum, offsetof(Datum, str));
      cg.store_at(v.length, datum, offsetof(Datum, str) + 8);
      break;
  }
  cg.store_at(cg.b.CreateZExt(v.is_null, cg.i8), datum, offsetof(Datum, is_null));
}

llvm::Value* is_infinite(CodeGen& cg, llvm::Value* f64) {
  return cg.b.CreateFCmpOEQ(cg.b.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, f64),
                            llvm::ConstantFP::getInfinity(cg.f64));
}

llvm::Value* is_true(CodeGen& cg, const SqlValue& v) {
  return cg.b.CreateAnd(cg.b.CreateNot(v.is_null), v.value);
}

llvm::Value* text_length(CodeGen& cg, const SqlValue& v) {
  return cg.b.CreateSelect(v.is_null, cg.const_i64(0), v.length);
}

llvm::Value* compare_values(CodeGen& cg, CmpOp op, const SqlValue& l, const SqlValue& r) {
  auto& b = cg.b;
  llvm::Value* x = l.value;
  llvm::Value* y = r.value;
  if (l.type == TypeId::Numeric) {
    x = cg.call("rt_numeric_cmp", {cg.qs, l.value, text_length(cg, l), r.value, text_length(cg, r)});
    y = cg.const_i32(0);
  } else if (l.type == TypeId::Jsonb) {  // common/json.h's order
    x = cg.call("rt_jsonb_cmp", {cg.qs, l.value, text_length(cg, l), r.value, text_length(cg, r)});
    y = cg.const_i32(0);
  } else if (is_array(l.type)) {  // common/array.h's order
    x = cg.call("rt_array_cmp", {cg.qs, cg.const_i32(static_cast<int>(l.type)), l.value, text_length(cg, l),
                                 r.value, text_length(cg, r)});
    y = cg.const_i32(0);
  } else if (l.type == TypeId::BpChar) {  // trailing spaces are not significant
    x = cg.call("rt_bpchar_cmp", {cg.qs, l.value, text_length(cg, l), r.value, text_length(cg, r)});
    y = cg.const_i32(0);
  } else if (physical_type(l.type) == PhysType::Text) {
    x = cg.call("rt_text_cmp", {cg.qs, l.value, text_length(cg, l), r.value, text_length(cg, r)});
    y = cg.const_i32(0);
  } else if (l.type == TypeId::Interval) {
    x = cg.call("rt_interval_cmp", {cg.qs, l.value, l.length, r.value, r.length});
    y = cg.const_i32(0);
  }
  if (is_float(l.type)) {
    // PostgreSQL orders NaN above every other value and equal to itself.
    llvm::Value* xn = b.CreateFCmpUNO(x, x);
    llvm::Value* yn = b.CreateFCmpUNO(y, y);
    llvm::Value* eq = b.CreateOr(b.CreateAnd(xn, yn), b.CreateFCmpOEQ(x, y));
    switch (op) {
      case CmpOp::Eq:
        return eq;
      case CmpOp::Ne:
        return b.CreateNot(eq);
      case CmpOp::Lt:
        return b.CreateOr(b.CreateAnd(b.CreateNot(xn), yn), b.CreateFCmpOLT(x, y));
      case CmpOp::Le:
        return b.CreateOr(yn, b.CreateFCmpOLE(x, y));
      case CmpOp::Gt:
        return b.CreateOr(b.CreateAnd(xn, b.CreateNot(yn)), b.CreateFCmpOGT(x, y));
      case CmpOp::Ge:
        return b.CreateOr(xn, b.CreateFCmpOGE(x, y));
    }
  }
  bool is_bool = l.type == TypeId::Bool;  // false < true: unsigned
  switch (op) {
    case CmpOp::Eq:
      return b.CreateICmpEQ(x, y);
    case CmpOp::Ne:
      return b.CreateICmpNE(x, y);
    case CmpOp::Lt:
      return is_bool ? b.CreateICmpULT(x, y) : b.CreateICmpSLT(x, y);
    case CmpOp::Le:
      return is_bool ? b.CreateICmpULE(x, y) : b.CreateICmpSLE(x, y);
    case CmpOp::Gt:
      return is_bool ? b.CreateICmpUGT(x, y) : b.CreateICmpSGT(x, y);
    case CmpOp::Ge:
      return is_bool ? b.CreateICmpUGE(x, y) : b.CreateICmpSGE(x, y);
  }
  throw std::logic_error("codegen: bad comparison");
}

SqlValue compare(CodeGen& cg, CmpOp op, const SqlValue& l, const SqlValue& r) {
  return SqlValue{TypeId::Bool, compare_values(cg, op, l, r), nullptr, cg.b.CreateOr(l.is_null, r.is_null)};
}

namespace {
// runtime::hash_mix in IR.
llvm::Value* hash_mix(CodeGen& cg, llvm::Value* k) {
  auto& b = cg.b;
  k = b.CreateXor(k, b.CreateLShr(k, 33));
  k = b.CreateMul(k, cg.const_i64(static_cast<int64_t>(0xff51afd7ed558ccdULL)));
  k = b.CreateXor(k, b.CreateLShr(k, 33));
  k = b.CreateMul(k, cg.const_i64(static_cast<int64_t>(0xc4ceb9fe1a85ec53ULL)));
  return b.CreateXor(k, b.CreateLShr(k, 33));
}
}  // namespace

llvm::Value* hash(CodeGen& cg, const SqlValue& v) {
  auto& b = cg.b;
  llvm::Value* h = nullptr;
  switch (physical_type(v.type)) {
    case PhysType::Bool:
      h = hash_mix(cg, b.CreateZExt(v.value, cg.i64));
      break;
    case PhysType::Int32:
      h = hash_mix(cg, b.CreateSExt(v.value, cg.i64));
      break;
    case PhysType::Int64:
      h = hash_mix(cg, v.value);
      break;
    case PhysType::Interval:
      h = cg.call("rt_hash_interval", {cg.qs, v.value, v.length});
      break;
    case PhysType::Float64: {
      // runtime::hash_double: every NaN as one canonical NaN, -0.0 as 0.0.
      llvm::Value* bits = b.CreateBitCast(v.value, cg.i64);
      bits = b.CreateSelect(b.CreateFCmpOEQ(v.value, cg.const_f64(0.0)), cg.const_i64(0), bits);
      bits = b.CreateSelect(b.CreateFCmpUNO(v.value, v.value),
                            cg.const_i64(static_cast<int64_t>(0x7ff8000000000000ULL)), bits);
      h = hash_mix(cg, bits);
      break;
    }
    case PhysType::Text:
      if (is_array(v.type))
        h = cg.call("rt_hash_array",
                    {cg.qs, cg.const_i32(static_cast<int>(v.type)), v.value, text_length(cg, v)});
      else
        h = cg.call(v.type == TypeId::Numeric  ? "rt_hash_numeric"
                    : v.type == TypeId::Jsonb  ? "rt_hash_jsonb"
                    : v.type == TypeId::BpChar ? "rt_hash_bpchar"
                                               : "rt_hash_bytes",
                    {cg.qs, v.value, text_length(cg, v)});
      break;
  }
  return b.CreateSelect(v.is_null, cg.const_i64(static_cast<int64_t>(runtime::kHashNull)), h, "hash");
}

llvm::Value* hash_seed(CodeGen& cg) {
  return cg.const_i64(static_cast<int64_t>(runtime::kHashSeed));
}

llvm::Value* hash_combine(CodeGen& cg, llvm::Value* h, llvm::Value* key_hash) {
  // runtime::hash_combine: (rotl(h, 5) ^ key_hash) * 0x9e3779b97f4a7c15
  auto& b = cg.b;
  llvm::Value* rot = b.CreateOr(b.CreateShl(h, 5), b.CreateLShr(h, 59));
  return b.CreateMul(b.CreateXor(rot, key_hash), cg.const_i64(static_cast<int64_t>(0x9e3779b97f4a7c15ULL)));
}

SqlValue arith(CodeGen& cg, ArithOp op, const SqlValue& l, const SqlValue& r) {
  auto& b = cg.b;
  if (l.type == TypeId::Numeric) {
    static constexpr num::Func kFuncs[] = {num::Func::Add, num::Func::Sub, num::Func::Mul, num::Func::Div,
                                           num::Func::Mod};
    return numeric_call(cg, kFuncs[static_cast<int>(op)], {l, r});
  }
  SqlValue out;
  out.type = l.type;
  out.is_null = b.CreateOr(l.is_null, r.is_null);
  llvm::Value* both = b.CreateNot(out.is_null);
  if (is_float(l.type)) {
    // PostgreSQL's float8pl / float8mi / float8mul / float8div (utils/float.h checks), and float4pl ...
    // for two reals: computed in double, then rounded to float, which is the correctly rounded float
    // result (a double has more than 2 * 24 + 2 bits), and checked as PostgreSQL checks the float.
    llvm::Value* x = l.value;
    llvm::Value* y = r.value;
    auto is_zero = [&](llvm::Value* v) { return b.CreateFCmpOEQ(v, cg.const_f64(0.0)); };
    auto nonzero = [&](llvm::Value* v) { return b.CreateFCmpUNE(v, cg.const_f64(0.0)); };
    auto rounded = [&](llvm::Value* v) {
      return l.type == TypeId::Float32 ? b.CreateFPExt(b.CreateFPTrunc(v, cg.b.getFloatTy()), cg.f64) : v;
    };
    switch (op) {
      case ArithOp::Add:
        out.value = rounded(b.CreateFAdd(x, y));
        break;
      case ArithOp::Sub:
        out.value = rounded(b.CreateFSub(x, y));
        break;
      case ArithOp::Mul:
        out.value = rounded(b.CreateFMul(x, y));
        // underflow: a zero product of non-zero inputs
        cg.fail_if(b.CreateAnd(both, b.CreateAnd(is_zero(out.value), b.CreateAnd(nonzero(x), nonzero(y)))),
                   ErrorKind::FloatUnderflow);
        break;
      case ArithOp::Div: {
        // NaN / 0 is NaN; anything else / 0 is 22012
        llvm::Value* x_nan = b.CreateFCmpUNO(x, x);
        cg.fail_if(b.CreateAnd(both, b.CreateAnd(is_zero(y), b.CreateNot(x_nan))), ErrorKind::DivisionByZero);
        out.value = rounded(b.CreateFDiv(x, y));
        // underflow: a zero quotient of a non-zero dividend by a finite divisor
        cg.fail_if(b.CreateAnd(both, b.CreateAnd(is_zero(out.value),
                                                 b.CreateAnd(nonzero(x), b.CreateNot(is_infinite(cg, y))))),
                   ErrorKind::FloatUnderflow);
        break;
      }
      case ArithOp::Mod:  // the binder rejects % on double precision, & and | on anything but integers
      case ArithOp::BitAnd:
      case ArithOp::BitOr:
        throw std::logic_error("codegen: % & | on double precision");
    }
    // PostgreSQL raises an error when finite inputs give an infinite result.
    auto is_inf = [&](llvm::Value* v) { return is_infinite(cg, v); };
    llvm::Value* overflow = b.CreateAnd(is_inf(out.value), b.CreateNot(b.CreateOr(is_inf(x), is_inf(y))));
    cg.fail_if(b.CreateAnd(both, overflow), ErrorKind::FloatOverflow);
    return out;
  }
  auto* ty = llvm::cast<llvm::IntegerType>(l.value->getType());
  ErrorKind overflow = overflow_kind(l.type);
  auto with_overflow = [&](llvm::Intrinsic::ID id) {
    llvm::Value* res = b.CreateBinaryIntrinsic(id, l.value, r.value);
    cg.fail_if(b.CreateAnd(both, b.CreateExtractValue(res, 1)), overflow);
    return b.CreateExtractValue(res, 0);
  };
  switch (op) {
    case ArithOp::Add:
      out.value = with_overflow(llvm::Intrinsic::sadd_with_overflow);
      break;
    case ArithOp::Sub:
      out.value = with_overflow(llvm::Intrinsic::ssub_with_overflow);
      break;
    case ArithOp::Mul:
      out.value = with_overflow(llvm::Intrinsic::smul_with_overflow);
      break;
    case ArithOp::BitAnd:
      out.value = b.CreateAnd(l.value, r.value);
      break;
    case ArithOp::BitOr:
      out.value = b.CreateOr(l.value, r.value);
      break;
    case ArithOp::Div:
    case ArithOp::Mod: {
      llvm::Value* zero = llvm::ConstantInt::get(ty, 0);
      llvm::Value* minus_one = llvm::ConstantInt::get(ty, static_cast<uint64_t>(-1), true);
      cg.fail_if(b.CreateAnd(both, b.CreateICmpEQ(r.value, zero)), ErrorKind::DivisionByZero);
      llvm::Value* min_by_minus_one =
          b.CreateAnd(b.CreateICmpEQ(l.value, min_of(cg, ty)), b.CreateICmpEQ(r.value, minus_one));
      if (op == ArithOp::Div) cg.fail_if(b.CreateAnd(both, min_by_minus_one), overflow);
      // A divisor that cannot trap: NULL inputs carry garbage, and MIN % -1 is 0 anyway.
      llvm::Value* unsafe =
          b.CreateOr(b.CreateOr(out.is_null, b.CreateICmpEQ(r.value, zero)), min_by_minus_one);
      llvm::Value* divisor = b.CreateSelect(unsafe, llvm::ConstantInt::get(ty, 1), r.value);
      out.value = op == ArithOp::Div ? b.CreateSDiv(l.value, divisor) : b.CreateSRem(l.value, divisor);
      if (op == ArithOp::Mod) out.value = b.CreateSelect(min_by_minus_one, zero, out.value);
      break;
    }
  }
  if (l.type == TypeId::Int16) check_smallint(cg, out.value, both);  // i32 cannot overflow on int2s
  return out;
}

SqlValue negate(CodeGen& cg, const SqlValue& a) {
  if (a.type == TypeId::Numeric) return numeric_call(cg, num::Func::Neg, {a});
  SqlValue r = a;
  if (is_float(a.type)) {
    r.value = cg.b.CreateFNeg(a.value);
    return r;
  }
  auto* ty = llvm::cast<llvm::IntegerType>(a.value->getType());
  cg.fail_if(cg.b.CreateAnd(cg.b.CreateNot(a.is_null), cg.b.CreateICmpEQ(a.value, min_of(cg, ty))),
             overflow_kind(a.type));
  r.value = cg.b.CreateSub(llvm::ConstantInt::get(ty, 0), a.value);
  if (a.type == TypeId::Int16) check_smallint(cg, r.value, cg.b.CreateNot(a.is_null));
  return r;
}

SqlValue abs(CodeGen& cg, const SqlValue& a) {
  if (a.type == TypeId::Numeric) return numeric_call(cg, num::Func::Abs, {a});
  if (is_float(a.type)) {
    SqlValue r = a;
    r.value = cg.b.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, a.value);
    return r;
  }
  SqlValue neg = negate(cg, a);
  neg.value = cg.b.CreateSelect(cg.b.CreateICmpSLT(a.value, llvm::ConstantInt::get(a.value->getType(), 0)),
                                neg.value, a.value);
  return neg;
}

SqlValue logical_not(CodeGen& cg, const SqlValue& a) {
  SqlValue r = a;
  r.value = cg.b.CreateNot(a.value);
  return r;
}

SqlValue concat(CodeGen& cg, const SqlValue& l, const SqlValue& r) {
  SqlValue out =
      text_result(cg, "rt_concat", {cg.qs, l.value, text_length(cg, l), r.value, text_length(cg, r)},
                  cg.b.CreateOr(l.is_null, r.is_null));
  out.type = l.type;  // text || text, bytea || bytea
  return out;
}

SqlValue cast(CodeGen& cg, const SqlValue& v, TypeId to, int32_t typmod) {
  auto& b = cg.b;
  TypeId from = concrete(v.type);
  to = concrete(to);
  if (from == to && (to != TypeId::Numeric || typmod < 0)) return v;
  if (from == TypeId::BpChar) {  // bpchar -> text drops the trailing spaces (rtrim1); others through text
    SqlValue out = v;
    out.type = TypeId::Text;
    out.length = b.CreateSelect(v.is_null, cg.const_i64(0),
                                cg.call("rt_bpchar_length", {cg.qs, v.value, text_length(cg, v)}));
    return to == TypeId::Text ? out : cast(cg, out, to);
  }
  if (to == TypeId::BpChar) {  // the text's bytes (a length is applied by textsql::Func::BpcharTypmod)
    SqlValue out = is_text_like(from) ? v : cast(cg, v, TypeId::Text);
    out.type = TypeId::BpChar;
    return out;
  }
  if (is_array(from) || is_array(to)) {
    // common/array.h in the runtime: text in and out, element-wise casts.
    llvm::Value* in = cg.local(llvm::ArrayType::get(cg.i8, sizeof(Datum)), "arr.in", alignof(Datum));
    llvm::Value* res = cg.local(llvm::ArrayType::get(cg.i8, sizeof(Datum)), "arr.out", alignof(Datum));
    store_datum(cg, v, in);
    cg.store_at(cg.const_i8(1), res, offsetof(Datum, is_null));
    {
      If call(cg, b.CreateNot(v.is_null), "arr.cast");
      cg.exit_if_zero(cg.call("rt_array_cast", {cg.qs, cg.const_i32(static_cast<int>(from)),
                                                cg.const_i32(static_cast<int>(to)), in, res}));
    }
    return load_datum(cg, res, to);
  }
  if (from == TypeId::Numeric || to == TypeId::Numeric) {
    // num:: conversions in the runtime: integers, double precision, text, and numeric(p, s)'s typmod.
    llvm::Value* in = cg.local(llvm::ArrayType::get(cg.i8, sizeof(Datum)), "num.in", alignof(Datum));
    llvm::Value* res = cg.local(llvm::ArrayType::get(cg.i8, sizeof(Datum)), "num.out", alignof(Datum));
    store_datum(cg, SqlValue{from, v.value, v.length, v.is_null}, in);
    cg.store_at(cg.const_i8(1), res, offsetof(Datum, is_null));
    {
      If call(cg, b.CreateNot(v.is_null), "num.cast");
      cg.exit_if_zero(
          cg.call("rt_numeric_cast", {cg.qs, cg.const_i32(static_cast<int>(from)),
                                      cg.const_i32(static_cast<int>(to)), cg.const_i32(typmod), in, res}));
    }
    return load_datum(cg, res, to);
  }
  if (is_json_type(from) || is_json_type(to)) {  // json, jsonb: text in and out (common/json.h)
    using json::Func;
    SqlValue in = v;
    if (is_string_type(in.type)) in.type = TypeId::Text;
    if (from == TypeId::Json && to == TypeId::Text) {
      in.type = TypeId::Text;
      return in;
    }
    Func f = from == TypeId::Jsonb  ? Func::JsonbOut
             : to == TypeId::Json   ? Func::JsonIn
             : from == TypeId::Json ? Func::JsonToJsonb
                                    : Func::JsonbIn;
    return json_call(cg, static_cast<int32_t>(f), {in}, to);
  }
  if (is_binary_type(from) || is_binary_type(to)) {  // bytea, uuid: text in and out (common/bytea.h)
    using bytea::Func;
    Func f = to == TypeId::Bytea     ? Func::ByteaIn
             : to == TypeId::Uuid    ? Func::UuidIn
             : from == TypeId::Bytea ? Func::ByteaOut
                                     : Func::UuidOut;
    SqlValue in = v;
    if (is_string_type(in.type)) in.type = TypeId::Text;
    return bytes_call(cg, static_cast<int32_t>(f), {in}, to);
  }
  if (is_datetime(from) || is_datetime(to)) {
    // Text in and out and the conversions between date/time types: dtsql::cast in the runtime.
    llvm::Value* in = cg.local(llvm::ArrayType::get(cg.i8, sizeof(Datum)), "dt.in", alignof(Datum));
    llvm::Value* res = cg.local(llvm::ArrayType::get(cg.i8, sizeof(Datum)), "dt.out", alignof(Datum));
    store_datum(cg, v, in);
    cg.store_at(cg.const_i8(1), res, offsetof(Datum, is_null));
    {
      If call(cg, b.CreateNot(v.is_null), "dt.cast");
      cg.exit_if_zero(cg.call("rt_datetime_cast", {cg.qs, cg.const_i32(static_cast<int>(from)),
                                                   cg.const_i32(static_cast<int>(to)), in, res}));
    }
    return load_datum(cg, res, to);
  }
  auto catalog_type = [](TypeId t) { return is_oid_type(t) || t == TypeId::Name || t == TypeId::Char; };
  if (is_string_type(from) && to == TypeId::Text) {  // name and "char" are text to read
    SqlValue out = v;
    out.type = TypeId::Text;
    return out;
  }
  if ((is_oid_type(from) && is_oid_type(to)) ||
      (is_oid_type(from) && to == TypeId::Int64)) {  // the same bits (a regclass stays one: it prints names)
    SqlValue out = v;
    out.type = to;
    return out;
  }
  if (catalog_type(from) && is_string_type(from) && !is_string_type(to) && !is_oid_type(to)) {
    SqlValue as_text = v;  // name / "char" to anything else: through text, as PostgreSQL's I/O casts
    as_text.type = TypeId::Text;
    return cast(cg, as_text, to);
  }
  if (catalog_type(from) || catalog_type(to)) {
    // Conversions in the runtime: oid <-> text / integers, name and "char" truncation.
    llvm::Value* in = cg.local(llvm::ArrayType::get(cg.i8, sizeof(Datum)), "cast.in", alignof(Datum));
    llvm::Value* res = cg.local(llvm::ArrayType::get(cg.i8, sizeof(Datum)), "cast.out", alignof(Datum));
    store_datum(cg, v, in);
    cg.store_at(cg.const_i8(1), res, offsetof(Datum, is_null));
    {
      If call(cg, b.CreateNot(v.is_null), "cast.catalog");
      cg.exit_if_zero(cg.call("rt_catalog_cast", {cg.qs, cg.const_i32(static_cast<int>(from)),
                                                  cg.const_i32(static_cast<int>(to)), in, res}));
    }
    return load_datum(cg, res, to);
  }
  SqlValue out;
  out.type = to;
  out.is_null = v.is_null;
  llvm::Value* valid = b.CreateNot(v.is_null);
  if (from == TypeId::Text) {
    // Parse only non-NULL text: the runtime raises 22P02 / 22003 on bad input.
    const char* fn = to == TypeId::Int16     ? "rt_text_to_int16"
                     : to == TypeId::Int32   ? "rt_text_to_int32"
                     : to == TypeId::Int64   ? "rt_text_to_int64"
                     : to == TypeId::Float64 ? "rt_text_to_double"
                     : to == TypeId::Float32 ? "rt_text_to_float4"
                                             : "rt_text_to_bool";
    llvm::Type* slot_type = to == TypeId::Int64 ? cg.i64 : is_float(to) ? cg.f64 : cg.i32;
    llvm::Value* slot = cg.local(slot_type, "parsed");
    b.CreateStore(llvm::Constant::getNullValue(slot_type), slot);
    {
      If parse(cg, valid, "cast.parse");
      cg.exit_if_zero(cg.call(fn, {cg.qs, v.value, v.length, slot}));
    }
    llvm::Value* parsed = b.CreateLoad(slot_type, slot);
    out.value = to == TypeId::Bool ? b.CreateICmpNE(parsed, cg.const_i32(0)) : parsed;
    return out;
  }
  if (to == TypeId::Text) {
    switch (from) {
      case TypeId::Bool:
        return text_result(cg, "rt_bool_to_text", {cg.qs, b.CreateZExt(v.value, cg.i32)}, v.is_null);
      case TypeId::Int16:
      case TypeId::Int32:
        return text_result(cg, "rt_int_to_text", {cg.qs, b.CreateSExt(v.value, cg.i64)}, v.is_null);
      case TypeId::Int64:
        return text_result(cg, "rt_int_to_text", {cg.qs, v.value}, v.is_null);
      case TypeId::Float64:
        return text_result(cg, "rt_double_to_text", {cg.qs, v.value}, v.is_null);
      case TypeId::Float32:
        return text_result(cg, "rt_float4_to_text", {cg.qs, v.value}, v.is_null);
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
    case TypeId::Int16:
    case TypeId::Int32:
    case TypeId::Int64: {
      llvm::Type* ty = cg.machine_type(to);
      if (from == TypeId::Bool) {
        out.value = b.CreateZExt(v.value, ty);
        return out;
      }
      if (is_integer(from) && integer_min(from) >= integer_min(to)) {  // widening: int2 -> int4 -> int8
        out.value = b.CreateSExt(v.value, ty);
        return out;
      }
      if (is_integer(from)) {  // narrowing: int8 -> int4 / int2, int4 -> int2
        llvm::Type* from_ty = v.value->getType();
        llvm::Value* fits =
            b.CreateAnd(b.CreateICmpSGE(v.value, llvm::ConstantInt::get(from_ty, integer_min(to), true)),
                        b.CreateICmpSLE(v.value, llvm::ConstantInt::get(from_ty, integer_max(to), true)));
        cg.fail_if(b.CreateAnd(valid, b.CreateNot(fits)), overflow_kind(to));
        out.value = b.CreateTrunc(v.value, ty);
        return out;
      }
      if (is_float(from)) {  // (a real's double is exact: ftoi4 is dtoi4 on it)
        // mathsql::float8_to_int (rint, 22003), the function the binder folds constants with:
        //   slot = 0; if (!is_null && !rt_double_to_int(qs, v, to, &slot)) exit
        llvm::Value* slot = cg.local(cg.i64, "f2i");
        b.CreateStore(cg.const_i64(0), slot);
        {
          If convert(cg, valid, "cast.f2i");
          cg.exit_if_zero(
              cg.call("rt_double_to_int", {cg.qs, v.value, cg.const_i32(static_cast<int>(to)), slot}));
        }
        out.value = b.CreateTrunc(b.CreateLoad(cg.i64, slot), ty);
        return out;
      }
      break;
    }
    case TypeId::Float64:
      if (is_integer(from)) {
        out.value = b.CreateSIToFP(v.value, cg.f64);
        return out;
      }
      if (from == TypeId::Float32) {  // exact
        out.value = v.value;
        return out;
      }
      break;
    case TypeId::Float32:
      if (is_integer(from)) {  // i4tof / i8tof: one rounding, straight to float
        out.value = b.CreateFPExt(b.CreateSIToFP(v.value, b.getFloatTy()), cg.f64);
        return out;
      }
      if (from == TypeId::Float64) {
        // dtof (mathsql::float8_to_float4 for constants): 22003 when a finite value becomes infinite
        // or a non-zero one becomes zero.
        llvm::Value* f = b.CreateFPExt(b.CreateFPTrunc(v.value, b.getFloatTy()), cg.f64);
        llvm::Value* overflow = b.CreateAnd(is_infinite(cg, f), b.CreateNot(is_infinite(cg, v.value)));
        cg.fail_if(b.CreateAnd(valid, overflow), ErrorKind::FloatOverflow);
        llvm::Value* underflow =
            b.CreateAnd(b.CreateFCmpOEQ(f, cg.const_f64(0.0)), b.CreateFCmpUNE(v.value, cg.const_f64(0.0)));
        cg.fail_if(b.CreateAnd(valid, underflow), ErrorKind::FloatUnderflow);
        out.value = f;
        return out;
      }
      break;
    default:
      break;
  }
  throw SqlError(SqlState::InternalError, "codegen: no conversion from " + std::string(type_name(from)) +
                                              " to " + std::string(type_name(to)));
}

namespace {

// A runtime function `fn`(qs, func, args, nargs, &out) over Datums:
//   out.is_null = 1; if (!strict || no arg is NULL) fn(qs, func, args, n, &out)
SqlValue datum_call(CodeGen& cg, const char* fn, int32_t func, bool strict, const std::vector<SqlValue>& args,
                    TypeId result) {
  auto& b = cg.b;
  size_t n = std::max<size_t>(args.size(), 1);
  llvm::Value* in = cg.local(llvm::ArrayType::get(cg.i8, sizeof(Datum) * n), "fn.args", alignof(Datum));
  llvm::Value* res = cg.local(llvm::ArrayType::get(cg.i8, sizeof(Datum)), "fn.out", alignof(Datum));
  llvm::Value* any_null = cg.false_();
  for (size_t i = 0; i < args.size(); ++i) {
    store_datum(cg, args[i], cg.gep(in, i * sizeof(Datum)));
    any_null = b.CreateOr(any_null, args[i].is_null);
  }
  cg.store_at(cg.const_i8(1), res, offsetof(Datum, is_null));
  {
    If call(cg, strict ? b.CreateNot(any_null) : cg.true_(), "fn.call");
    cg.exit_if_zero(
        cg.call(fn, {cg.qs, cg.const_i32(func), in, cg.const_i32(static_cast<int64_t>(args.size())), res}));
  }
  return load_datum(cg, res, result);
}

}  // namespace

SqlValue catalog_call(CodeGen& cg, int32_t func, bool strict, const std::vector<SqlValue>& args,
                      TypeId result) {
  return datum_call(cg, "rt_catalog_func", func, strict, args, result);
}

SqlValue text_call(CodeGen& cg, int32_t func, bool strict, const std::vector<SqlValue>& args, TypeId result) {
  return datum_call(cg, "rt_text", func, strict, args, result);
}

SqlValue array_call(CodeGen& cg, int64_t code, const std::vector<SqlValue>& args, TypeId result) {
  // out.is_null = 1; rt_array(qs, code, args, n, &out): the runtime applies the NULL rules
  size_t n = std::max<size_t>(args.size(), 1);
  llvm::Value* in = cg.local(llvm::ArrayType::get(cg.i8, sizeof(Datum) * n), "arr.args", alignof(Datum));
  llvm::Value* res = cg.local(llvm::ArrayType::get(cg.i8, sizeof(Datum)), "arr.res", alignof(Datum));
  for (size_t i = 0; i < args.size(); ++i) store_datum(cg, args[i], cg.gep(in, i * sizeof(Datum)));
  cg.store_at(cg.const_i8(1), res, offsetof(Datum, is_null));
  cg.exit_if_zero(cg.call(
      "rt_array", {cg.qs, cg.const_i64(code), in, cg.const_i32(static_cast<int64_t>(args.size())), res}));
  return load_datum(cg, res, result);
}

SqlValue match(CodeGen& cg, int32_t flags, const SqlValue& s, const SqlValue& pattern) {
  // r = 2 (false); if (neither is NULL) r = rt_match(qs, flags, s, pattern); result = r == 1
  auto& b = cg.b;
  llvm::Value* is_null = b.CreateOr(s.is_null, pattern.is_null);
  llvm::Value* slot = cg.local(cg.i32, "match");
  b.CreateStore(cg.const_i32(2), slot);
  {
    If call(cg, b.CreateNot(is_null), "match.call");
    llvm::Value* r =
        cg.call("rt_match", {cg.qs, cg.const_i32(flags), s.value, s.length, pattern.value, pattern.length});
    cg.exit_if_zero(r);
    b.CreateStore(r, slot);
  }
  return SqlValue{TypeId::Bool, b.CreateICmpEQ(b.CreateLoad(cg.i32, slot), cg.const_i32(1)), nullptr,
                  is_null};
}

SqlValue match_array(CodeGen& cg, int32_t flags, const SqlValue& s, const SqlValue& patterns) {
  // r = 3 (NULL); if (patterns is not NULL) r = rt_match_array(qs, flags, s is NULL, s, patterns);
  // result = r == 1, NULL when r == 3 (the subject may be NULL: against an empty array ANY is false)
  auto& b = cg.b;
  llvm::Value* slot = cg.local(cg.i32, "match.any");
  b.CreateStore(cg.const_i32(3), slot);
  {
    If call(cg, b.CreateNot(patterns.is_null), "match.any.call");
    llvm::Value* r = cg.call("rt_match_array", {cg.qs, cg.const_i32(flags), b.CreateZExt(s.is_null, cg.i32),
                                                s.value, s.length, patterns.value, patterns.length});
    cg.exit_if_zero(r);
    b.CreateStore(r, slot);
  }
  llvm::Value* r = b.CreateLoad(cg.i32, slot);
  return SqlValue{TypeId::Bool, b.CreateICmpEQ(r, cg.const_i32(1)), nullptr,
                  b.CreateICmpEQ(r, cg.const_i32(3))};
}

namespace {
// A strict runtime function `fn`(qs, func, args, &out) (rt_datetime, rt_math); `label` names the IR values:
//   out.is_null = 1; if (no argument is NULL) fn(qs, func, args, &out)
SqlValue strict_call(CodeGen& cg, const char* fn, const std::string& label, int32_t func,
                     const std::vector<SqlValue>& args, TypeId result) {
  auto& b = cg.b;
  size_t n = std::max<size_t>(args.size(), 1);
  llvm::Value* in = cg.local(llvm::ArrayType::get(cg.i8, sizeof(Datum) * n), label + ".args", alignof(Datum));
  llvm::Value* res = cg.local(llvm::ArrayType::get(cg.i8, sizeof(Datum)), label + ".out", alignof(Datum));
  llvm::Value* any_null = cg.false_();
  for (size_t i = 0; i < args.size(); ++i) {
    store_datum(cg, args[i], cg.gep(in, i * sizeof(Datum)));
    any_null = b.CreateOr(any_null, args[i].is_null);
  }
  cg.store_at(cg.const_i8(1), res, offsetof(Datum, is_null));
  {
    If call(cg, b.CreateNot(any_null), label + ".call");
    cg.exit_if_zero(cg.call(fn, {cg.qs, cg.const_i32(func), in, res}));
  }
  return load_datum(cg, res, result);
}
}  // namespace

SqlValue datetime_call(CodeGen& cg, int32_t func, const std::vector<SqlValue>& args, TypeId result) {
  return strict_call(cg, "rt_datetime", "dt", func, args, result);
}

SqlValue bytes_call(CodeGen& cg, int32_t func, const std::vector<SqlValue>& args, TypeId result) {
  return datum_call(cg, "rt_bytes", func, true, args, result);
}

SqlValue json_call(CodeGen& cg, int32_t func, const std::vector<SqlValue>& args, TypeId result) {
  size_t n = std::max<size_t>(args.size(), 1);
  llvm::Value* in = cg.local(llvm::ArrayType::get(cg.i8, sizeof(Datum) * n), "json.args", alignof(Datum));
  llvm::Value* res = cg.local(llvm::ArrayType::get(cg.i8, sizeof(Datum)), "json.out", alignof(Datum));
  for (size_t i = 0; i < args.size(); ++i) store_datum(cg, args[i], cg.gep(in, i * sizeof(Datum)));
  // json::eval applies the function's NULL rules (a NULL's Datum carries its is_null flag)
  cg.exit_if_zero(cg.call(
      "rt_json", {cg.qs, cg.const_i32(func), in, cg.const_i32(static_cast<int64_t>(args.size())), res}));
  return load_datum(cg, res, result);
}

SqlValue numeric_call(CodeGen& cg, num::Func func, const std::vector<SqlValue>& args) {
  auto& b = cg.b;
  llvm::Value* in =
      cg.local(llvm::ArrayType::get(cg.i8, sizeof(Datum) * args.size()), "num.args", alignof(Datum));
  llvm::Value* res = cg.local(llvm::ArrayType::get(cg.i8, sizeof(Datum)), "num.out", alignof(Datum));
  llvm::Value* any_null = cg.false_();
  for (size_t i = 0; i < args.size(); ++i) {
    store_datum(cg, args[i], cg.gep(in, i * sizeof(Datum)));
    any_null = b.CreateOr(any_null, args[i].is_null);
  }
  cg.store_at(cg.const_i8(1), res, offsetof(Datum, is_null));
  {
    If call(cg, b.CreateNot(any_null), "num.call");
    cg.exit_if_zero(cg.call("rt_numeric", {cg.qs, cg.const_i32(static_cast<int>(func)), in, res}));
  }
  SqlValue out = load_datum(cg, res, TypeId::Numeric);
  out.is_null = any_null;
  return out;
}

SqlValue math(CodeGen& cg, int32_t func, const std::vector<SqlValue>& args, TypeId result) {
  using mathsql::Func;
  auto& b = cg.b;
  const auto f = static_cast<Func>(func);
  if (f == Func::RoundF || f == Func::TruncF || f == Func::CeilF || f == Func::FloorF || f == Func::SignF) {
    SqlValue out = args[0];
    llvm::Value* x = args[0].value;
    switch (f) {
      case Func::RoundF:
        out.value = b.CreateUnaryIntrinsic(llvm::Intrinsic::rint, x);
        break;
      case Func::TruncF:
        out.value = b.CreateUnaryIntrinsic(llvm::Intrinsic::trunc, x);
        break;
      case Func::CeilF:
        out.value = b.CreateUnaryIntrinsic(llvm::Intrinsic::ceil, x);
        break;
      case Func::FloorF:
        out.value = b.CreateUnaryIntrinsic(llvm::Intrinsic::floor, x);
        break;
      default:
        out.value = b.CreateSelect(
            b.CreateFCmpOGT(x, cg.const_f64(0.0)), cg.const_f64(1.0),
            b.CreateSelect(b.CreateFCmpOLT(x, cg.const_f64(0.0)), cg.const_f64(-1.0), cg.const_f64(0.0)));
        break;
    }
    return out;
  }
  return strict_call(cg, "rt_math", "math", func, args, result);
}

SqlValue select(CodeGen& cg, llvm::Value* cond, const SqlValue& a, const SqlValue& b) {
  SqlValue out;
  out.type = a.type;
  out.value = cg.b.CreateSelect(cond, a.value, b.value);
  out.length = a.length ? cg.b.CreateSelect(cond, a.length, b.length) : nullptr;
  out.is_null = cg.b.CreateSelect(cond, a.is_null, b.is_null);
  return out;
}

SqlValue phi(CodeGen& cg, TypeId type, const std::vector<std::pair<SqlValue, llvm::BasicBlock*>>& in) {
  type = concrete(type);
  auto n = static_cast<unsigned>(in.size());
  SqlValue out;
  out.type = type;
  auto* value = cg.b.CreatePHI(cg.machine_type(type), n);
  auto* is_null = cg.b.CreatePHI(cg.i1, n);
  llvm::PHINode* length =
      physical_type(type) == PhysType::Text || type == TypeId::Interval ? cg.b.CreatePHI(cg.i64, n) : nullptr;
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

}  // namespace omendb::codegen::sql
