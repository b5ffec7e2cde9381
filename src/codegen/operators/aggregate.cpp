// Aggregate (whole input, no GROUP BY): a breaker with one state of 2 Datums per aggregate,
// state[2i] = running value, state[2i+1] = count of non-NULL inputs (rows for count(*)).
//
//   build (sink of the input pipeline), per row and aggregate i:
//     v = <arg>; if (v IS NULL) skip;
//     sum: value += v (integers: overflow -> 22003)  avg: value += (double)v
//     min/max: if (count == 0 || v <op> value) value = v (text copied by rt_agg_set_text)
//     count++
//   read (source of the next pipeline): one row, out_i = finalise(state i) -- NULL when count == 0
//   except count; avg = value / count;  <consume>
#include <llvm/IR/Intrinsics.h>

#include "codegen/control.h"
#include "codegen/operators/translators.h"
#include "common/datum.h"

namespace omendb::codegen {

namespace {

using plan::AggFunc;

class AggregateTranslator final : public OperatorTranslator {
 public:
  explicit AggregateTranslator(const plan::AggregateOp& op) : OperatorTranslator(&op), agg_(op) {}

  void declare_state(runtime::QueryLayout& layout) override {
    slot_ = layout.add_aggregate(2 * agg_.aggregates.size());
  }

  void begin_pipeline(PipelineContext& p) override {
    if (p.is_sink(*this)) state_ = p.cg.call("rt_agg_state", {p.cg.qs, p.cg.const_i32(slot_)});
  }

  void consume(PipelineContext& p) override {
    CodeGen& cg = p.cg;
    auto& b = cg.b;
    for (size_t i = 0; i < agg_.aggregates.size(); ++i) {
      const plan::AggregateCall& call = agg_.aggregates[i];
      llvm::Value* value_datum = cg.gep(state_, (2 * i) * sizeof(Datum), "agg.value");
      llvm::Value* count_ptr = cg.gep(state_, (2 * i + 1) * sizeof(Datum), "agg.count");
      if (call.func == AggFunc::CountStar) {
        b.CreateStore(b.CreateAdd(b.CreateLoad(cg.i64, count_ptr), cg.const_i64(1)), count_ptr);
        continue;
      }
      SqlValue v = p.eval(*call.arg);
      If present(cg, b.CreateNot(v.is_null), "agg.update");
      llvm::Value* count = b.CreateLoad(cg.i64, count_ptr, "count");
      switch (call.func) {
        case AggFunc::Sum:
          if (call.type == TypeId::Float64) {
            b.CreateStore(b.CreateFAdd(b.CreateLoad(cg.f64, value_datum), v.value), value_datum);
          } else {
            SqlValue x = sql::cast(cg, v, TypeId::Int64);
            SqlValue acc{TypeId::Int64, b.CreateLoad(cg.i64, value_datum), nullptr, cg.false_()};
            b.CreateStore(sql::arith(cg, ArithOp::Add, acc, x).value, value_datum);
          }
          break;
        case AggFunc::Avg: {
          llvm::Value* x = sql::cast(cg, v, TypeId::Float64).value;
          b.CreateStore(b.CreateFAdd(b.CreateLoad(cg.f64, value_datum), x), value_datum);
          break;
        }
        case AggFunc::Min:
        case AggFunc::Max: {
          SqlValue current = sql::load_datum(cg, value_datum, v.type);
          current.is_null = cg.false_();
          llvm::Value* better =
              sql::compare_values(cg, call.func == AggFunc::Min ? CmpOp::Lt : CmpOp::Gt, v, current);
          If replace(cg, b.CreateOr(b.CreateICmpEQ(count, cg.const_i64(0)), better), "agg.replace");
          if (v.type == TypeId::Text) {
            cg.call("rt_agg_set_text", {cg.qs, cg.const_i32(slot_), cg.const_i32(static_cast<int64_t>(2 * i)),
                                        v.value, v.length});
          } else {
            sql::store_datum(cg, v, value_datum);
          }
          replace.end();
          break;
        }
        case AggFunc::Count:
        case AggFunc::CountStar:
          break;
      }
      b.CreateStore(b.CreateAdd(count, cg.const_i64(1)), count_ptr);
      present.end();
    }
  }

  void produce(PipelineContext& p) override {
    CodeGen& cg = p.cg;
    auto& b = cg.b;
    llvm::Value* state = cg.call("rt_agg_state", {cg.qs, cg.const_i32(slot_)});
    for (size_t i = 0; i < agg_.aggregates.size(); ++i) {
      const plan::AggregateCall& call = agg_.aggregates[i];
      llvm::Value* value_datum = cg.gep(state, (2 * i) * sizeof(Datum));
      llvm::Value* count = cg.load_at(cg.i64, state, (2 * i + 1) * sizeof(Datum), "agg.count");
      llvm::Value* empty = b.CreateICmpEQ(count, cg.const_i64(0));
      SqlValue v;
      v.type = call.type;
      switch (call.func) {
        case AggFunc::CountStar:
        case AggFunc::Count:
          v.value = count;
          v.is_null = cg.false_();
          break;
        case AggFunc::Avg: {
          llvm::Value* n = b.CreateSIToFP(b.CreateSelect(empty, cg.const_i64(1), count), cg.f64);
          v.value = b.CreateFDiv(cg.load_at(cg.f64, value_datum, 0), n);
          v.is_null = empty;
          break;
        }
        default:
          v = sql::load_datum(cg, value_datum, call.type);
          v.is_null = empty;
          break;
      }
      p.bind(agg_.output[i], v);
    }
    llvm::BasicBlock* next = cg.block("agg.done");
    p.set_next_row(next);
    p.push(*this);
    cg.branch(next);
    b.SetInsertPoint(next);
  }

 private:
  const plan::AggregateOp& agg_;
  int slot_ = -1;
  llvm::Value* state_ = nullptr;
};

}  // namespace

std::unique_ptr<OperatorTranslator> make_aggregate_translator(const plan::AggregateOp& op) {
  return std::make_unique<AggregateTranslator>(op);
}

}  // namespace omendb::codegen
