// HashAggregate (GROUP BY, SELECT DISTINCT): a breaker over a runtime::AggregationHashTable whose rows
// hold each group's key values, then kAggStateDatums Datums per aggregate (aggregate_state.h).
//
//   build (sink of the input pipeline), per row:
//     k_i = <key i>;  h = hash_combine(...hash_combine(seed, hash(k_1))..., hash(k_n))   (inline)
//     if (last && last_hash == h && last[i] == k_i for every i)   (inline, grouping equality)
//       row = last;                  // the previous row's group: runs of equal keys make no call
//     else {
//       keys[i] = k_i  (a Datum buffer on the stack)
//       row = rt_agg_ht_find_or_insert(slot, h, keys); if (!row) return;   (out of memory: 53200)
//       last = row; last_hash = h;   // rows move only inside find_or_insert, so `last` stays valid
//     }
//     update(row + n + kAggStateDatums * j) for each aggregate j          (inline, as Aggregate)
//   read (source of the next pipeline):
//     n = rt_agg_ht_size(slot); rows = rt_agg_ht_rows(slot);
//     for (g < n) { key_i = row[i]; agg_j = result(state j); <consume> }
#include "codegen/control.h"
#include "codegen/operators/aggregate_state.h"
#include "codegen/operators/translators.h"
#include "common/datum.h"

namespace omendb::codegen {

namespace {

class HashAggregateTranslator final : public OperatorTranslator {
 public:
  explicit HashAggregateTranslator(const plan::HashAggregateOp& op) : OperatorTranslator(&op), agg_(op) {}

  void declare_state(runtime::QueryLayout& layout) override {
    runtime::AggTableSpec spec;
    for (const auto& k : agg_.group_keys) spec.key_types.push_back(k->type);
    spec.width = width();
    slot_ = layout.add_agg_table(std::move(spec));
  }

  void begin_pipeline(PipelineContext& p) override {
    if (!p.is_sink(*this)) return;
    CodeGen& cg = p.cg;
    last_row_ = cg.local(cg.ptr, "agg.last");
    last_hash_ = cg.local(cg.i64, "agg.last.hash");
    row_ = cg.local(cg.ptr, "agg.row");
    cg.b.CreateStore(llvm::ConstantPointerNull::get(cg.ptr), last_row_);
    cg.b.CreateStore(cg.const_i64(0), last_hash_);
  }

  void consume(PipelineContext& p) override {
    CodeGen& cg = p.cg;
    auto& b = cg.b;
    const size_t nkeys = agg_.group_keys.size();
    std::vector<SqlValue> keys;
    llvm::Value* h = sql::hash_seed(cg);
    for (const auto& k : agg_.group_keys) {
      keys.push_back(p.eval(*k));
      h = sql::hash_combine(cg, h, sql::hash(cg, keys.back()));
    }
    llvm::Value* null_ptr = llvm::ConstantPointerNull::get(cg.ptr);

    // The previous row's group, when its keys are this row's.
    llvm::Value* last = b.CreateLoad(cg.ptr, last_row_, "last");
    b.CreateStore(null_ptr, row_);
    {
      If same(cg, b.CreateAnd(b.CreateIsNotNull(last), b.CreateICmpEQ(b.CreateLoad(cg.i64, last_hash_), h)),
              "agg.same.hash");
      llvm::Value* equal = cg.true_();
      for (size_t i = 0; i < nkeys; ++i) {
        SqlValue seen = sql::load_datum(cg, cg.gep(last, i * sizeof(Datum)), keys[i].type);
        llvm::Value* both_null = b.CreateAnd(seen.is_null, keys[i].is_null);
        llvm::Value* neither_null = b.CreateNot(b.CreateOr(seen.is_null, keys[i].is_null));
        llvm::Value* values_equal = sql::compare_values(cg, CmpOp::Eq, seen, keys[i]);
        equal = b.CreateAnd(equal, b.CreateOr(both_null, b.CreateAnd(neither_null, values_equal)));
      }
      b.CreateStore(b.CreateSelect(equal, last, null_ptr), row_);
    }
    {
      If lookup(cg, b.CreateIsNull(b.CreateLoad(cg.ptr, row_)), "agg.lookup");
      llvm::Value* buffer = null_ptr;
      if (nkeys > 0) {
        buffer = cg.local(llvm::ArrayType::get(cg.i8, nkeys * sizeof(Datum)), "agg.keys", alignof(Datum));
        for (size_t i = 0; i < nkeys; ++i) sql::store_datum(cg, keys[i], cg.gep(buffer, i * sizeof(Datum)));
      }
      llvm::Value* found = cg.call("rt_agg_ht_find_or_insert", {cg.qs, cg.const_i32(slot_), h, buffer});
      cg.branch_if(b.CreateIsNull(found), cg.exit, "agg.group");  // out of memory
      b.CreateStore(found, row_);
      b.CreateStore(found, last_row_);
      b.CreateStore(h, last_hash_);
    }
    llvm::Value* row = b.CreateLoad(cg.ptr, row_, "group.row");
    llvm::Value* slot = cg.const_i32(slot_);
    for (size_t j = 0; j < agg_.aggregates.size(); ++j)
      emit_aggregate_update(p, agg_.aggregates[j], cg.gep(row, state_offset(j)),
                            [&](const SqlValue& v, llvm::Value* datum) {
                              cg.call("rt_agg_ht_set_text", {cg.qs, slot, datum, v.value, v.length});
                            });
  }

  void produce(PipelineContext& p) override {
    CodeGen& cg = p.cg;
    llvm::Value* slot = cg.const_i32(slot_);
    llvm::Value* count = cg.call("rt_agg_ht_size", {cg.qs, slot});
    llvm::Value* rows = cg.call("rt_agg_ht_rows", {cg.qs, slot});
    const size_t stride = std::max<size_t>(width(), 1) * sizeof(Datum);  // AggregationHashTable::stride
    const size_t nkeys = agg_.group_keys.size();
    CountedLoop loop(cg, count, "group");
    llvm::Value* row = cg.gep(rows, cg.b.CreateMul(loop.index(), cg.const_i64(static_cast<int64_t>(stride))));
    for (size_t i = 0; i < nkeys; ++i)
      p.bind(agg_.output[i], sql::load_datum(cg, cg.gep(row, i * sizeof(Datum)), agg_.output[i].type));
    for (size_t j = 0; j < agg_.aggregates.size(); ++j)
      p.bind(agg_.output[nkeys + j],
             emit_aggregate_result(cg, agg_.aggregates[j], cg.gep(row, state_offset(j))));
    p.set_next_row(loop.next());
    p.push(*this);
    loop.end();
  }

 private:
  size_t width() const { return agg_.group_keys.size() + kAggStateDatums * agg_.aggregates.size(); }
  // Byte offset of aggregate j's state in a group's row.
  uint64_t state_offset(size_t j) const {
    return (agg_.group_keys.size() + kAggStateDatums * j) * sizeof(Datum);
  }

  const plan::HashAggregateOp& agg_;
  int slot_ = -1;
  llvm::Value* last_row_ = nullptr;   // ptr local: the group of the previous row (or null)
  llvm::Value* last_hash_ = nullptr;  // i64 local: its hash
  llvm::Value* row_ = nullptr;        // ptr local: this row's group
};

}  // namespace

std::unique_ptr<OperatorTranslator> make_hash_aggregate_translator(const plan::HashAggregateOp& op) {
  return std::make_unique<HashAggregateTranslator>(op);
}

}  // namespace omendb::codegen
