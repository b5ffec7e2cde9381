#include "codegen/operators/aggregate_state.h"

#include <optional>

#include "codegen/control.h"
#include "common/datum.h"

namespace omendb::codegen {

using plan::AggFunc;

int declare_distinct_set(runtime::QueryLayout& layout, const std::vector<TypeId>& group_key_types,
                         const plan::AggregateCall& call) {
  runtime::AggTableSpec spec;
  spec.key_types = group_key_types;
  spec.key_types.push_back(call.arg->type);
  spec.width = spec.key_types.size() + 1;  // + the "seen" Datum
  return layout.add_agg_table(std::move(spec));
}

namespace {

bool is_variance(AggFunc f) {
  return f == AggFunc::VarSamp || f == AggFunc::VarPop || f == AggFunc::StddevSamp || f == AggFunc::StddevPop;
}

// avg(double precision) and the float variances share PostgreSQL's float8_accum state {Sx, N, Sxx}.
bool float8_accum(const plan::AggregateCall& call) {
  return call.type == TypeId::Float64 && (is_variance(call.func) || call.func == AggFunc::Avg);
}

}  // namespace

size_t aggregate_state_datums(const plan::AggregateCall& call) {
  return is_variance(call.func) || float8_accum(call) ? kAggStateDatums + 1 : kAggStateDatums;  // + Sxx
}

bool uses_ordered_values(const plan::AggregateCall& call) {
  switch (call.func) {
    case AggFunc::StringAgg:
    case AggFunc::PercentileCont:
    case AggFunc::PercentileDisc:
    case AggFunc::Mode:
      return true;
    case AggFunc::ArrayAgg:
      return !call.order_by.empty();
    default:
      return false;
  }
}

namespace {

// The row an OrderedValues keeps for `call`: its arguments, then its ORDER BY keys.
runtime::SortSpec ordered_spec(const plan::AggregateCall& call) {
  runtime::SortSpec spec;
  spec.types.push_back(call.arg->type);
  if (call.arg2) spec.types.push_back(call.arg2->type);
  for (const plan::AggOrderKey& k : call.order_by) {
    runtime::SortKeySpec key;
    key.column = static_cast<int>(spec.types.size());
    key.type = k.expr->type;
    key.descending = k.descending;
    key.nulls_first = k.nulls_first;
    spec.keys.push_back(key);
    spec.types.push_back(k.expr->type);
  }
  return spec;
}

}  // namespace

AggregateSlots declare_aggregate(runtime::QueryLayout& layout, const std::vector<TypeId>& group_key_types,
                                 const plan::AggregateCall& call) {
  AggregateSlots slots;
  if (call.distinct) slots.distinct = declare_distinct_set(layout, group_key_types, call);
  if (uses_ordered_values(call)) slots.ordered = layout.add_ordered_agg(ordered_spec(call));
  return slots;
}

namespace {

// Feeds the current row of `p` to an order-sensitive aggregate (its value `v` evaluated already):
//   row = {v, arg2, order keys...} (a Datum buffer on the stack); rt_ordered_agg_add(spec, state, row)
void emit_ordered_add(PipelineContext& p, const plan::AggregateCall& call, int spec, llvm::Value* state,
                      const SqlValue& v) {
  CodeGen& cg = p.cg;
  std::vector<SqlValue> row{v};
  if (call.arg2) row.push_back(p.eval(*call.arg2));
  for (const plan::AggOrderKey& k : call.order_by) row.push_back(p.eval(*k.expr));
  llvm::Value* buffer =
      cg.local(llvm::ArrayType::get(cg.i8, row.size() * sizeof(Datum)), "agg.ordered.row", alignof(Datum));
  for (size_t i = 0; i < row.size(); ++i) sql::store_datum(cg, row[i], cg.gep(buffer, i * sizeof(Datum)));
  cg.exit_if_zero(cg.call("rt_ordered_agg_add", {cg.qs, cg.const_i32(spec), state, buffer}));
}

// True (i1) when the pair (set.keys, v) is new to the set, which then marks it seen:
//   row = rt_agg_ht_find_or_insert(slot, hash_combine(keys_hash, hash(v)), keys + v)   (exit when null)
//   first = row[n + 1].i64 == 0;  row[n + 1].i64 = 1
llvm::Value* emit_distinct_first(CodeGen& cg, const DistinctSet& set, const SqlValue& v) {
  auto& b = cg.b;
  const size_t n = set.keys.size() + 1;
  llvm::Value* h = sql::hash_combine(cg, set.keys_hash, sql::hash(cg, v));
  llvm::Value* buffer =
      cg.local(llvm::ArrayType::get(cg.i8, n * sizeof(Datum)), "agg.distinct", alignof(Datum));
  for (size_t i = 0; i < set.keys.size(); ++i)
    sql::store_datum(cg, set.keys[i], cg.gep(buffer, i * sizeof(Datum)));
  sql::store_datum(cg, v, cg.gep(buffer, set.keys.size() * sizeof(Datum)));
  llvm::Value* row = cg.call("rt_agg_ht_find_or_insert", {cg.qs, cg.const_i32(set.slot), h, buffer});
  cg.branch_if(b.CreateIsNull(row), cg.exit, "agg.distinct.row");  // out of memory
  llvm::Value* seen_ptr = cg.gep(row, n * sizeof(Datum), "agg.seen");
  llvm::Value* first = b.CreateICmpEQ(b.CreateLoad(cg.i64, seen_ptr), cg.const_i64(0));
  b.CreateStore(cg.const_i64(1), seen_ptr);
  return first;
}

// PostgreSQL's float8_accum (Youngs-Cramer) over state = {Sx, N (the count before this value), Sxx}:
//   N' = N + 1;  Sx' = Sx + x;
//   if (N > 0) { t = x * N' - Sx'; Sxx' = Sxx + t * t / (N' * N);
//                if (isinf(Sx') || isinf(Sxx')) { if (!isinf(Sx) && !isinf(x)) 22003; Sxx' = NaN } }
//   else if (isnan(x) || isinf(x)) Sxx' = NaN
void emit_youngs_cramer(CodeGen& cg, llvm::Value* state, llvm::Value* count, llvm::Value* x) {
  auto& b = cg.b;
  llvm::Value* sxx_ptr = cg.gep(state, 2 * sizeof(Datum), "agg.sxx");
  llvm::Value* sx = b.CreateLoad(cg.f64, state, "sx");
  llvm::Value* sxx = b.CreateLoad(cg.f64, sxx_ptr, "sxx");
  llvm::Value* n_old = b.CreateSIToFP(count, cg.f64);
  llvm::Value* n = b.CreateFAdd(n_old, cg.const_f64(1.0));
  llvm::Value* new_sx = b.CreateFAdd(sx, x);
  llvm::Value* t = b.CreateFSub(b.CreateFMul(x, n), new_sx);
  llvm::Value* grown = b.CreateFAdd(sxx, b.CreateFDiv(b.CreateFMul(t, t), b.CreateFMul(n, n_old)));
  llvm::Value* nan = llvm::ConstantFP::getNaN(cg.f64);
  llvm::Value* later = b.CreateICmpNE(count, cg.const_i64(0));
  llvm::Value* inf = b.CreateOr(sql::is_infinite(cg, new_sx), sql::is_infinite(cg, grown));
  cg.fail_if(b.CreateAnd(b.CreateAnd(later, inf),
                         b.CreateNot(b.CreateOr(sql::is_infinite(cg, sx), sql::is_infinite(cg, x)))),
             runtime::ErrorKind::FloatOverflow);
  llvm::Value* special_first = b.CreateOr(b.CreateFCmpUNO(x, x), sql::is_infinite(cg, x));
  llvm::Value* first_sxx = b.CreateSelect(special_first, nan, sxx);
  llvm::Value* later_sxx = b.CreateSelect(inf, nan, grown);
  b.CreateStore(new_sx, state);
  b.CreateStore(b.CreateSelect(later, later_sxx, first_sxx), sxx_ptr);
}

}  // namespace

void emit_aggregate_update(PipelineContext& p, const plan::AggregateCall& call, const AggregateSlots& slots,
                           llvm::Value* state, const SetTextFn& set_text, const DistinctSet* distinct) {
  CodeGen& cg = p.cg;
  auto& b = cg.b;
  llvm::Value* value_datum = state;
  llvm::Value* count_ptr = cg.gep(state, sizeof(Datum), "agg.count");
  std::optional<If> filtered;  // FILTER (WHERE ...): the rest runs for rows where it is true
  if (call.filter) filtered.emplace(cg, sql::is_true(cg, p.eval(*call.filter)), "agg.filter");
  if (call.func == AggFunc::CountStar) {
    b.CreateStore(b.CreateAdd(b.CreateLoad(cg.i64, count_ptr), cg.const_i64(1)), count_ptr);
    return;
  }
  SqlValue v = p.eval(*call.arg);
  std::optional<If> first;
  if (call.distinct) first.emplace(cg, emit_distinct_first(cg, *distinct, v), "agg.distinct.first");
  if (slots.ordered >= 0) {
    std::optional<If> present;  // array_agg keeps NULL values, the others skip them
    if (call.func != AggFunc::ArrayAgg) present.emplace(cg, b.CreateNot(v.is_null), "agg.update");
    emit_ordered_add(p, call, slots.ordered, value_datum, v);
    b.CreateStore(b.CreateAdd(b.CreateLoad(cg.i64, count_ptr), cg.const_i64(1)), count_ptr);
    return;
  }
  if (call.func ==
      AggFunc::ArrayAgg) {  // NULLs too: an arr::Builder the query owns, its address in the Datum
    llvm::Value* in = cg.local(llvm::ArrayType::get(cg.i8, sizeof(Datum)), "agg.elem", alignof(Datum));
    sql::store_datum(cg, v, in);
    cg.exit_if_zero(
        cg.call("rt_array_accum", {cg.qs, value_datum, cg.const_i32(static_cast<int>(v.type)), in}));
    b.CreateStore(b.CreateAdd(b.CreateLoad(cg.i64, count_ptr), cg.const_i64(1)), count_ptr);
    return;
  }
  If present(cg, b.CreateNot(v.is_null), "agg.update");
  llvm::Value* count = b.CreateLoad(cg.i64, count_ptr, "count");
  switch (call.func) {
    case AggFunc::Sum:
    case AggFunc::Avg:
      if (call.type == TypeId::Numeric) {
        // sum(int8 | numeric), avg(int4 | int8 | numeric): a num::Accumulator the query owns, its
        // address in the value Datum.
        if (v.type == TypeId::Numeric) {
          cg.exit_if_zero(cg.call("rt_numeric_accum", {cg.qs, value_datum, v.value, v.length}));
        } else {
          cg.exit_if_zero(
              cg.call("rt_numeric_accum_int", {cg.qs, value_datum, sql::cast(cg, v, TypeId::Int64).value}));
        }
        break;
      }
      if (call.func == AggFunc::Avg) {  // avg(double precision): float8_accum, 22003 when Sx or Sxx overflows
        emit_youngs_cramer(cg, state, count, v.value);
        break;
      }
      if (is_float(call.type)) {  // sum(double precision): float8pl; sum(real): float4pl, rounded each time
        SqlValue acc{call.type, b.CreateLoad(cg.f64, value_datum), nullptr, cg.false_()};
        b.CreateStore(sql::arith(cg, ArithOp::Add, acc, v).value, value_datum);
      } else {
        SqlValue x = sql::cast(cg, v, TypeId::Int64);
        SqlValue acc{TypeId::Int64, b.CreateLoad(cg.i64, value_datum), nullptr, cg.false_()};
        b.CreateStore(sql::arith(cg, ArithOp::Add, acc, x).value, value_datum);
      }
      break;
    case AggFunc::Min:
    case AggFunc::Max: {
      SqlValue current = sql::load_datum(cg, value_datum, v.type);
      current.is_null = cg.false_();
      // Intervals that compare equal can differ ('1 mon', '30 days'): PostgreSQL's interval_smaller /
      // interval_larger keep the later one, so ties replace for them.
      const bool ties_replace = v.type == TypeId::Interval;
      CmpOp op = call.func == AggFunc::Min ? (ties_replace ? CmpOp::Le : CmpOp::Lt)
                                           : (ties_replace ? CmpOp::Ge : CmpOp::Gt);
      llvm::Value* better = sql::compare_values(cg, op, v, current);
      If replace(cg, b.CreateOr(b.CreateICmpEQ(count, cg.const_i64(0)), better), "agg.replace");
      if (physical_type(v.type) == PhysType::Text) {
        set_text(v, value_datum);
      } else {
        sql::store_datum(cg, v, value_datum);
      }
      replace.end();
      break;
    }
    case AggFunc::VarSamp:
    case AggFunc::VarPop:
    case AggFunc::StddevSamp:
    case AggFunc::StddevPop:
      if (call.type == TypeId::Numeric) {  // exact sums of the values and their squares (num::variance)
        llvm::Value* in = cg.local(llvm::ArrayType::get(cg.i8, sizeof(Datum)), "agg.var.in", alignof(Datum));
        const bool numeric = v.type == TypeId::Numeric;
        sql::store_datum(cg, numeric ? v : sql::cast(cg, v, TypeId::Int64), in);
        cg.exit_if_zero(
            cg.call("rt_numeric_var_accum", {cg.qs, value_datum, cg.const_i32(numeric ? 1 : 0), in}));
      } else {
        emit_youngs_cramer(cg, state, count, v.value);
      }
      break;
    case AggFunc::BoolAnd:
    case AggFunc::BoolOr:
    case AggFunc::BitAnd:
    case AggFunc::BitOr: {
      // value = count == 0 ? v : value <op> v
      SqlValue current = sql::load_datum(cg, value_datum, v.type);
      const bool is_and = call.func == AggFunc::BoolAnd || call.func == AggFunc::BitAnd;
      llvm::Value* folded = is_and ? b.CreateAnd(current.value, v.value) : b.CreateOr(current.value, v.value);
      SqlValue next = v;
      next.value = b.CreateSelect(b.CreateICmpEQ(count, cg.const_i64(0)), v.value, folded);
      sql::store_datum(cg, next, value_datum);
      break;
    }
    case AggFunc::Count:
    case AggFunc::CountStar:
    case AggFunc::ArrayAgg:
    case AggFunc::StringAgg:
    case AggFunc::PercentileCont:
    case AggFunc::PercentileDisc:
    case AggFunc::Mode:
      break;
  }
  b.CreateStore(b.CreateAdd(count, cg.const_i64(1)), count_ptr);
  present.end();
}

SqlValue emit_aggregate_result(PipelineContext& p, const plan::AggregateCall& call,
                               const AggregateSlots& slots, llvm::Value* state) {
  CodeGen& cg = p.cg;
  auto& b = cg.b;
  llvm::Value* value_datum = state;
  if (slots.ordered >= 0) {
    using runtime::OrderedFunc;
    const bool multi = call.fraction && is_array(call.fraction->type);  // an array of fractions
    const OrderedFunc func = call.func == AggFunc::StringAgg ? OrderedFunc::StringAgg
                             : call.func == AggFunc::PercentileCont
                                 ? (multi ? OrderedFunc::PercentileContMulti : OrderedFunc::PercentileCont)
                             : call.func == AggFunc::PercentileDisc
                                 ? (multi ? OrderedFunc::PercentileDiscMulti : OrderedFunc::PercentileDisc)
                             : call.func == AggFunc::Mode ? OrderedFunc::Mode
                                                          : OrderedFunc::ArrayAgg;
    // The percentiles' fraction (row-independent) is read with the result, as PostgreSQL's final
    // function checks it, also for a group without values.
    llvm::Value* arg = llvm::ConstantPointerNull::get(cg.ptr);
    if (call.fraction) {
      arg = cg.local(llvm::ArrayType::get(cg.i8, sizeof(Datum)), "agg.fraction", alignof(Datum));
      sql::store_datum(cg, p.eval(*call.fraction), arg);
    }
    llvm::Value* res = cg.local(llvm::ArrayType::get(cg.i8, sizeof(Datum)), "agg.ordered", alignof(Datum));
    cg.exit_if_zero(
        cg.call("rt_ordered_agg_result", {cg.qs, cg.const_i32(slots.ordered),
                                          cg.const_i32(static_cast<int32_t>(func)), value_datum, arg, res}));
    return sql::load_datum(cg, res, call.type);
  }
  if (is_variance(call.func)) {
    const bool sample = call.func == AggFunc::VarSamp || call.func == AggFunc::StddevSamp;
    const bool root = call.func == AggFunc::StddevSamp || call.func == AggFunc::StddevPop;
    if (call.type == TypeId::Numeric) {
      llvm::Value* res = cg.local(llvm::ArrayType::get(cg.i8, sizeof(Datum)), "agg.var", alignof(Datum));
      cg.exit_if_zero(cg.call("rt_numeric_var_result",
                              {cg.qs, value_datum, cg.const_i32((sample ? 1 : 0) | (root ? 2 : 0)), res}));
      return sql::load_datum(cg, res, TypeId::Numeric);
    }
    // float8_var_samp / _pop, float8_stddev_*: Sxx / (N - 1) or Sxx / N; NULL when N <= 1 or N == 0.
    llvm::Value* count = cg.load_at(cg.i64, state, sizeof(Datum), "agg.count");
    llvm::Value* n = b.CreateSIToFP(count, cg.f64);
    llvm::Value* v = b.CreateFDiv(cg.load_at(cg.f64, state, 2 * sizeof(Datum)),
                                  sample ? b.CreateFSub(n, cg.const_f64(1.0)) : n);
    if (root) v = b.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, v);
    return {TypeId::Float64, v, nullptr, b.CreateICmpSLE(count, cg.const_i64(sample ? 1 : 0))};
  }
  llvm::Value* count = cg.load_at(cg.i64, state, sizeof(Datum), "agg.count");
  llvm::Value* empty = b.CreateICmpEQ(count, cg.const_i64(0));
  SqlValue v;
  v.type = call.type;
  switch (call.func) {
    case AggFunc::CountStar:
    case AggFunc::Count:
      v.value = count;
      v.is_null = cg.false_();
      break;
    case AggFunc::Sum:
    case AggFunc::Avg:
      if (call.type == TypeId::Numeric) {
        llvm::Value* res = cg.local(llvm::ArrayType::get(cg.i8, sizeof(Datum)), "agg.num", alignof(Datum));
        cg.exit_if_zero(cg.call("rt_numeric_accum_result",
                                {cg.qs, value_datum, cg.const_i32(call.func == AggFunc::Avg ? 1 : 0), res}));
        v = sql::load_datum(cg, res, TypeId::Numeric);
        break;
      }
      if (call.func == AggFunc::Sum) {
        v = sql::load_datum(cg, value_datum, call.type);
        v.is_null = empty;
        break;
      }
      {
        llvm::Value* n = b.CreateSIToFP(b.CreateSelect(empty, cg.const_i64(1), count), cg.f64);
        v.value = b.CreateFDiv(cg.load_at(cg.f64, value_datum, 0), n);
        v.is_null = empty;
        break;
      }
    case AggFunc::ArrayAgg: {
      llvm::Value* res = cg.local(llvm::ArrayType::get(cg.i8, sizeof(Datum)), "agg.array", alignof(Datum));
      cg.exit_if_zero(cg.call("rt_array_accum_result", {cg.qs, value_datum, res}));
      v = sql::load_datum(cg, res, call.type);
      break;
    }
    default:
      v = sql::load_datum(cg, value_datum, call.type);
      v.is_null = empty;
      break;
  }
  return v;
}

}  // namespace omendb::codegen
