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

}  // namespace

void emit_aggregate_update(PipelineContext& p, const plan::AggregateCall& call, llvm::Value* state,
                           const SetTextFn& set_text, const DistinctSet* distinct) {
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
      if (call.func == AggFunc::Avg) {  // avg(double precision)
        b.CreateStore(b.CreateFAdd(b.CreateLoad(cg.f64, value_datum), v.value), value_datum);
        break;
      }
      if (call.type == TypeId::Float64) {
        b.CreateStore(b.CreateFAdd(b.CreateLoad(cg.f64, value_datum), v.value), value_datum);
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
    case AggFunc::Count:
    case AggFunc::CountStar:
    case AggFunc::ArrayAgg:
      break;
  }
  b.CreateStore(b.CreateAdd(count, cg.const_i64(1)), count_ptr);
  present.end();
}

SqlValue emit_aggregate_result(CodeGen& cg, const plan::AggregateCall& call, llvm::Value* state) {
  auto& b = cg.b;
  llvm::Value* value_datum = state;
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
