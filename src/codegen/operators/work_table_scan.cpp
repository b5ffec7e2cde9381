// WorkTableScan: the recursive reference of a WITH RECURSIVE query's recursive term, a source reading
// the working table of its RecursiveUnion (the rows the previous iteration added).
//   n = rt_rec_count(); rows = rt_rec_rows();
//   for (i < n) { col_c = rows[i * width + c]; <consume> }
#include "codegen/operators/translators.h"

namespace omendb::codegen {

namespace {

class WorkTableScanTranslator final : public OperatorTranslator {
 public:
  explicit WorkTableScanTranslator(const plan::WorkTableScanOp& op) : OperatorTranslator(&op), scan_(op) {}

  // The RecursiveUnion above declares its state after this operator (state is declared bottom-up): its
  // slot is looked up when the loop is emitted.
  void declare_state(runtime::QueryLayout& layout) override { layout_ = &layout; }

  void produce(PipelineContext& p) override {
    CodeGen& cg = p.cg;
    llvm::Value* slot = cg.const_i32(layout_->recursive_slot(scan_.index));
    llvm::Value* count = cg.call("rt_rec_count", {cg.qs, slot});
    llvm::Value* rows = cg.call("rt_rec_rows", {cg.qs, slot});
    emit_row_loop(p, *this, rows, count, scan_.output, "worktable");
  }

 private:
  const plan::WorkTableScanOp& scan_;
  const runtime::QueryLayout* layout_ = nullptr;
};

}  // namespace

std::unique_ptr<OperatorTranslator> make_work_table_scan_translator(const plan::WorkTableScanOp& op) {
  return std::make_unique<WorkTableScanTranslator>(op);
}

}  // namespace omendb::codegen
