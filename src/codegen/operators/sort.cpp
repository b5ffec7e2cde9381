// Sort: a breaker over a runtime::Sorter (top-N under a LIMIT: rt_sort_set_limit(limit + offset) first).
//   build (sink of the input pipeline), per row:   row = rt_sort_row(); row[c] = col_c ...;
//   rt_sort_row_done() read (source of the next pipeline):            n = rt_sort_finish(); rows =
//   rt_sort_rows();
//                                                  for (i < n) { col_c = rows[i * width + c]; <consume> }
#include "codegen/control.h"
#include "codegen/operators/translators.h"
#include "common/datum.h"

namespace omendb::codegen {

namespace {

class SortTranslator final : public OperatorTranslator {
 public:
  explicit SortTranslator(const plan::SortOp& op) : OperatorTranslator(&op), sort_(op) {}

  void declare_state(runtime::QueryLayout& layout) override {
    const auto& cols = sort_.children.at(0)->output;
    runtime::SortSpec spec;
    for (const auto& c : cols) spec.types.push_back(c.type);
    for (const plan::SortKey& k : sort_.sort_keys)
      for (size_t i = 0; i < cols.size(); ++i)
        if (cols[i].id == k.column) {
          spec.keys.push_back({static_cast<int>(i), cols[i].type, k.descending, k.nulls_first});
          break;
        }
    slot_ = layout.add_sort(std::move(spec));
  }

  // Top-N (the input pipeline): tell the sorter how many rows the LIMIT above will read.
  void begin_pipeline(PipelineContext& p) override {
    if (p.is_source(*this) || !sort_.limit) return;
    CodeGen& cg = p.cg;
    auto& b = cg.b;
    auto as_i64 = [&](const SqlValue& v) {
      return v.type == TypeId::Int64 ? v.value : b.CreateSExt(v.value, cg.i64);
    };
    SqlValue limit = p.eval(*sort_.limit);
    llvm::Value* rows = b.CreateSelect(limit.is_null, cg.const_i64(-1), as_i64(limit));
    if (sort_.offset) {  // NULL or negative offset: LIMIT treats them as 0 or raises 2201X itself
      SqlValue offset = p.eval(*sort_.offset);
      llvm::Value* n = as_i64(offset);
      llvm::Value* skip =
          b.CreateSelect(b.CreateOr(offset.is_null, b.CreateICmpSLT(n, cg.const_i64(0))), cg.const_i64(0), n);
      llvm::Value* sum = b.CreateAdd(rows, skip);
      llvm::Value* overflow = b.CreateICmpSLT(sum, rows);  // both non-negative when it matters
      rows =
          b.CreateSelect(b.CreateOr(b.CreateICmpSLT(rows, cg.const_i64(0)), overflow), cg.const_i64(-1), sum);
    }
    cg.call("rt_sort_set_limit", {cg.qs, cg.const_i32(slot_), rows});
  }

  void consume(PipelineContext& p) override {
    CodeGen& cg = p.cg;
    llvm::Value* slot = cg.const_i32(slot_);
    llvm::Value* row = cg.call("rt_sort_row", {cg.qs, slot});
    cg.branch_if(cg.b.CreateIsNull(row), cg.exit, "sort.store");  // out of memory
    const auto& cols = sort_.children.at(0)->output;
    for (size_t c = 0; c < cols.size(); ++c)
      sql::store_datum(cg, p.column(cols[c].id), cg.gep(row, c * sizeof(Datum)));
    cg.call("rt_sort_row_done", {cg.qs, slot});
  }

  void produce(PipelineContext& p) override {
    CodeGen& cg = p.cg;
    llvm::Value* slot = cg.const_i32(slot_);
    llvm::Value* count = cg.call("rt_sort_finish", {cg.qs, slot});
    cg.exit_if_failed();  // the sort may have run out of memory
    llvm::Value* rows = cg.call("rt_sort_rows", {cg.qs, slot});
    emit_row_loop(p, *this, rows, count, sort_.output, "sorted");
  }

 private:
  const plan::SortOp& sort_;
  int slot_ = -1;
};

}  // namespace

std::unique_ptr<OperatorTranslator> make_sort_translator(const plan::SortOp& op) {
  return std::make_unique<SortTranslator>(op);
}

}  // namespace omendb::codegen
