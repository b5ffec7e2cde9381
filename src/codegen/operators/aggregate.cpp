// Aggregate (whole input, no GROUP BY): a breaker with one state of aggregate_state_datums Datums per
// aggregate (aggregate_state.h), in a runtime AggregateState; a DISTINCT aggregate also has a set of the
// argument values seen (DistinctSet).
//
//   build (sink of the input pipeline), per row: update(state i) for each aggregate i
//   read (source of the next pipeline): one row, out_i = result(state i);  <consume>
#include "codegen/control.h"
#include "codegen/operators/aggregate_state.h"
#include "codegen/operators/translators.h"
#include "common/datum.h"

namespace omendb::codegen {

namespace {

class AggregateTranslator final : public OperatorTranslator {
 public:
  explicit AggregateTranslator(const plan::AggregateOp& op) : OperatorTranslator(&op), agg_(op) {}

  void declare_state(runtime::QueryLayout& layout) override {
    size_t datums = 0;
    for (const plan::AggregateCall& call : agg_.aggregates) {
      offsets_.push_back(datums);
      datums += aggregate_state_datums(call);
      slots_.push_back(declare_aggregate(layout, {}, call));
    }
    slot_ = layout.add_aggregate(datums);
  }

  void begin_pipeline(PipelineContext& p) override {
    if (p.is_sink(*this)) state_ = p.cg.call("rt_agg_state", {p.cg.qs, p.cg.const_i32(slot_)});
  }

  void consume(PipelineContext& p) override {
    CodeGen& cg = p.cg;
    for (size_t i = 0; i < agg_.aggregates.size(); ++i) {
      const size_t index = offsets_[i];
      DistinctSet distinct;
      distinct.slot = slots_[i].distinct;
      distinct.keys_hash = sql::hash_seed(cg);
      emit_aggregate_update(
          p, agg_.aggregates[i], slots_[i], cg.gep(state_, index * sizeof(Datum)),
          [&](const SqlValue& v, llvm::Value*) {
            cg.call("rt_agg_set_text", {cg.qs, cg.const_i32(slot_), cg.const_i32(static_cast<int64_t>(index)),
                                        v.value, v.length});
          },
          &distinct);
    }
  }

  void produce(PipelineContext& p) override {
    CodeGen& cg = p.cg;
    llvm::Value* state = cg.call("rt_agg_state", {cg.qs, cg.const_i32(slot_)});
    for (size_t i = 0; i < agg_.aggregates.size(); ++i)
      p.bind(agg_.output[i], emit_aggregate_result(p, agg_.aggregates[i], slots_[i],
                                                   cg.gep(state, offsets_[i] * sizeof(Datum))));
    llvm::BasicBlock* next = cg.block("agg.done");
    p.set_next_row(next);
    p.push(*this);
    cg.branch(next);
    cg.b.SetInsertPoint(next);
  }

 private:
  const plan::AggregateOp& agg_;
  int slot_ = -1;
  std::vector<size_t> offsets_;        // per aggregate: its state's first Datum
  std::vector<AggregateSlots> slots_;  // per aggregate: its DISTINCT set and ordered rows
  llvm::Value* state_ = nullptr;
};

}  // namespace

std::unique_ptr<OperatorTranslator> make_aggregate_translator(const plan::AggregateOp& op) {
  return std::make_unique<AggregateTranslator>(op);
}

}  // namespace omendb::codegen
