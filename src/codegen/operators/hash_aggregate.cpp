// HashAggregate (GROUP BY, SELECT DISTINCT): a breaker over a runtime::AggregationHashTable whose rows
// hold each group's key values, then aggregate_state_datums Datums per aggregate (aggregate_state.h).
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
//     update(row + n + offset of j) for each aggregate j                     (inline, as Aggregate; a
//       DISTINCT one only when (keys, argument) is new to its set: aggregate_state.h, DistinctSet)
//   read (source of the next pipeline):
//     n = rt_agg_ht_size(slot); rows = rt_agg_ht_rows(slot);
//     for (g < n) { key_i = row[i]; agg_j = result(state j); <consume> }
//
// GROUPING SETS / ROLLUP / CUBE (HashAggregateOp::grouping_sets): one table per set, slots consecutive,
// every table's rows holding all keys (those its set leaves out are NULL). Code size does not grow with
// the number of sets: a loop over the sets reads which keys each leaves out from a constant table.
//   build, per row:  k_i = <key i>;
//     for (s < sets) { k'_i = absent[s][i] ? NULL : k_i; row = find_or_insert(slot + s, hash(k'), k');
//                      update(row, ...) (a DISTINCT aggregate's set is keyed by s, k' and its argument) }
//   read: a set without keys gets its one row even for an empty input (find_or_insert of NULL keys);
//     for (s < sets) for (g < size(slot + s)) { key_i = row[i]; agg_j = ...; grouping_c = values[c][s];
//                                               <consume> }
//   Without grouping sets, GROUPING(...) is 0.
#include "codegen/control.h"
#include "codegen/operators/aggregate_state.h"
#include "codegen/operators/translators.h"
#include "common/datum.h"
#include "common/error.h"

namespace omendb::codegen {

namespace {

class HashAggregateTranslator final : public OperatorTranslator {
 public:
  explicit HashAggregateTranslator(const plan::HashAggregateOp& op) : OperatorTranslator(&op), agg_(op) {}

  void declare_state(runtime::QueryLayout& layout) override {
    runtime::AggTableSpec spec;
    for (const auto& k : agg_.group_keys) spec.key_types.push_back(k->type);
    size_t datums = agg_.group_keys.size();
    for (const plan::AggregateCall& call : agg_.aggregates) {
      offsets_.push_back(datums);
      datums += aggregate_state_datums(call);
    }
    width_ = datums;
    spec.width = width();
    const size_t sets = agg_.set_count();
    for (size_t s = 0; s < sets; ++s) {
      const int slot = layout.add_agg_table(spec);
      if (s == 0) slot_ = slot;
      if (slot != slot_ + static_cast<int>(s))
        throw SqlError(SqlState::InternalError, "codegen: grouping set tables are not consecutive");
    }
    std::vector<TypeId> distinct_keys(multi() ? 1 : 0, TypeId::Int64);  // the set, when there are sets
    for (TypeId t : spec.key_types) distinct_keys.push_back(t);
    for (const plan::AggregateCall& call : agg_.aggregates)
      slots_.push_back(declare_aggregate(layout, distinct_keys, call));
  }

  void begin_pipeline(PipelineContext& p) override {
    if (!p.is_sink(*this) || multi()) return;
    CodeGen& cg = p.cg;
    last_row_ = cg.local(cg.ptr, "agg.last");
    last_hash_ = cg.local(cg.i64, "agg.last.hash");
    row_ = cg.local(cg.ptr, "agg.row");
    cg.b.CreateStore(llvm::ConstantPointerNull::get(cg.ptr), last_row_);
    cg.b.CreateStore(cg.const_i64(0), last_hash_);
  }

  void consume(PipelineContext& p) override {
    if (multi()) {
      consume_sets(p);
      return;
    }
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
      llvm::Value* found = find_or_insert(cg, cg.const_i32(slot_), keys, h);
      b.CreateStore(found, row_);
      b.CreateStore(found, last_row_);
      b.CreateStore(h, last_hash_);
    }
    llvm::Value* row = b.CreateLoad(cg.ptr, row_, "group.row");
    DistinctSet distinct;
    distinct.keys = keys;
    distinct.keys_hash = h;
    update(p, cg.const_i32(slot_), row, distinct);
  }

  void produce(PipelineContext& p) override {
    CodeGen& cg = p.cg;
    auto& b = cg.b;
    const size_t sets = agg_.set_count();
    // A set without keys has its one row (no group: empty aggregates) even when no row came in.
    for (size_t s = 0; s < sets && multi(); ++s) {
      if (!agg_.grouping_sets[s].empty()) continue;
      std::vector<SqlValue> keys;
      llvm::Value* h = sql::hash_seed(cg);
      for (const auto& k : agg_.group_keys) {
        keys.push_back(sql::null(cg, k->type));
        h = sql::hash_combine(cg, h, sql::hash(cg, keys.back()));
      }
      find_or_insert(cg, cg.const_i32(slot_ + static_cast<int64_t>(s)), keys, h);
    }
    CountedLoop set_loop(cg, cg.const_i64(static_cast<int64_t>(sets)), "gset");
    llvm::Value* set = set_loop.index();
    llvm::Value* slot = b.CreateAdd(cg.const_i32(slot_), b.CreateTrunc(set, cg.i32), "agg.slot");
    llvm::Value* count = cg.call("rt_agg_ht_size", {cg.qs, slot});
    llvm::Value* rows = cg.call("rt_agg_ht_rows", {cg.qs, slot});
    const size_t stride = std::max<size_t>(width(), 1) * sizeof(Datum);  // AggregationHashTable::stride
    const size_t nkeys = agg_.group_keys.size();
    CountedLoop loop(cg, count, "group");
    llvm::Value* row = cg.gep(rows, b.CreateMul(loop.index(), cg.const_i64(static_cast<int64_t>(stride))));
    for (size_t i = 0; i < nkeys; ++i)
      p.bind(agg_.output[i], sql::load_datum(cg, cg.gep(row, i * sizeof(Datum)), agg_.output[i].type));
    for (size_t j = 0; j < agg_.aggregates.size(); ++j)
      p.bind(agg_.output[nkeys + j],
             emit_aggregate_result(p, agg_.aggregates[j], slots_[j], cg.gep(row, state_offset(j))));
    const size_t first_grouping = nkeys + agg_.aggregates.size();
    for (size_t c = 0; c < agg_.grouping_calls.size(); ++c) {
      SqlValue v{TypeId::Int32, nullptr, nullptr, cg.false_()};
      if (multi()) {
        std::vector<int32_t> values;
        for (size_t s = 0; s < sets; ++s) values.push_back(agg_.grouping_value(c, s));
        v.value = b.CreateLoad(cg.i32, b.CreateGEP(cg.i32, constant_table(cg, values, "agg.grouping"), set));
      } else {
        v.value = cg.const_i32(0);
      }
      p.bind(agg_.output[first_grouping + c], v);
    }
    p.set_next_row(loop.next());
    p.push(*this);
    loop.end();
    set_loop.end();
  }

 private:
  // Whether the operator has grouping sets to loop over (one set of every key is the plain case).
  bool multi() const { return agg_.set_count() > 1; }
  size_t width() const { return width_; }
  // Byte offset of aggregate j's state in a group's row.
  uint64_t state_offset(size_t j) const { return offsets_[j] * sizeof(Datum); }

  // The group row of `keys` (hash `h`) in table `slot`, inserted when new; leaves the pipeline when
  // the runtime failed (out of memory: 53200).
  static llvm::Value* find_or_insert(CodeGen& cg, llvm::Value* slot, const std::vector<SqlValue>& keys,
                                     llvm::Value* h) {
    llvm::Value* buffer = llvm::ConstantPointerNull::get(cg.ptr);
    if (!keys.empty()) {
      buffer = cg.local(llvm::ArrayType::get(cg.i8, keys.size() * sizeof(Datum)), "agg.keys", alignof(Datum));
      for (size_t i = 0; i < keys.size(); ++i)
        sql::store_datum(cg, keys[i], cg.gep(buffer, i * sizeof(Datum)));
    }
    llvm::Value* found = cg.call("rt_agg_ht_find_or_insert", {cg.qs, slot, h, buffer});
    cg.branch_if(cg.b.CreateIsNull(found), cg.exit, "agg.group");
    return found;
  }

  static llvm::Value* constant_table(CodeGen& cg, const std::vector<int32_t>& values, const char* name) {
    llvm::Constant* data = llvm::ConstantDataArray::get(cg.ctx, values);
    return new llvm::GlobalVariable(cg.module, data->getType(), true, llvm::GlobalValue::PrivateLinkage, data,
                                    name);
  }

  // Updates every aggregate's state in group row `row` of table `slot`.
  void update(PipelineContext& p, llvm::Value* slot, llvm::Value* row, DistinctSet& distinct) {
    CodeGen& cg = p.cg;
    for (size_t j = 0; j < agg_.aggregates.size(); ++j) {
      distinct.slot = slots_[j].distinct;
      // `row` stays valid across a DISTINCT set's find_or_insert: the sets are tables of their own.
      emit_aggregate_update(
          p, agg_.aggregates[j], slots_[j], cg.gep(row, state_offset(j)),
          [&](const SqlValue& v, llvm::Value* datum) {
            cg.call("rt_agg_ht_set_text", {cg.qs, slot, datum, v.value, v.length});
          },
          &distinct);
    }
  }

  // Grouping sets: the row goes to every set's table, with the keys the set leaves out as NULL.
  void consume_sets(PipelineContext& p) {
    CodeGen& cg = p.cg;
    auto& b = cg.b;
    const size_t nkeys = agg_.group_keys.size();
    const size_t sets = agg_.set_count();
    std::vector<SqlValue> keys;
    for (const auto& k : agg_.group_keys) keys.push_back(p.eval(*k));
    std::vector<int32_t> absent;  // [set][key]: 1 when the set leaves the key out
    for (size_t s = 0; s < sets; ++s)
      for (size_t k = 0; k < nkeys; ++k) absent.push_back(agg_.set_has_key(s, static_cast<int>(k)) ? 0 : 1);
    llvm::Value* table = nkeys ? constant_table(cg, absent, "agg.absent") : nullptr;
    CountedLoop set_loop(cg, cg.const_i64(static_cast<int64_t>(sets)), "gset");
    llvm::Value* set = set_loop.index();
    std::vector<SqlValue> set_keys;
    llvm::Value* h = sql::hash_seed(cg);
    SqlValue set_value{TypeId::Int64, set, nullptr, cg.false_()};
    llvm::Value* dh = sql::hash_combine(cg, sql::hash_seed(cg), sql::hash(cg, set_value));
    llvm::Value* first = b.CreateMul(set, cg.const_i64(static_cast<int64_t>(nkeys)));
    for (size_t k = 0; k < nkeys; ++k) {
      llvm::Value* cell =
          b.CreateGEP(cg.i32, table, b.CreateAdd(first, cg.const_i64(static_cast<int64_t>(k))));
      SqlValue v = keys[k];
      v.is_null = b.CreateOr(v.is_null, b.CreateICmpNE(b.CreateLoad(cg.i32, cell), cg.const_i32(0)));
      set_keys.push_back(v);
      llvm::Value* kh = sql::hash(cg, v);
      h = sql::hash_combine(cg, h, kh);
      dh = sql::hash_combine(cg, dh, kh);
    }
    llvm::Value* slot = b.CreateAdd(cg.const_i32(slot_), b.CreateTrunc(set, cg.i32), "agg.slot");
    llvm::Value* row = find_or_insert(cg, slot, set_keys, h);
    DistinctSet distinct;
    distinct.keys.push_back(set_value);
    distinct.keys.insert(distinct.keys.end(), set_keys.begin(), set_keys.end());
    distinct.keys_hash = dh;
    update(p, slot, row, distinct);
    set_loop.end();
  }

  const plan::HashAggregateOp& agg_;
  int slot_ = -1;                      // the first set's table (the others follow)
  size_t width_ = 0;                   // Datums of a group's row: keys, then the aggregate states
  std::vector<size_t> offsets_;        // per aggregate: the first Datum of its state in a row
  std::vector<AggregateSlots> slots_;  // per aggregate: its DISTINCT set (keys + argument), ordered rows
  llvm::Value* last_row_ = nullptr;    // ptr local: the group of the previous row (or null)
  llvm::Value* last_hash_ = nullptr;   // i64 local: its hash
  llvm::Value* row_ = nullptr;         // ptr local: this row's group
};

}  // namespace

std::unique_ptr<OperatorTranslator> make_hash_aggregate_translator(const plan::HashAggregateOp& op) {
  return std::make_unique<HashAggregateTranslator>(op);
}

}  // namespace omendb::codegen
