// CteScan (PostgreSQL's "CTE Scan on x"): a source reading the rows its materialized CTE's pipeline put
// in the CTE's row buffer (that pipeline ran before this one: PhysicalPlan's order).
//   n = rt_sort_finish(); rows = rt_sort_rows();      // a buffer without keys: finish only counts
//   for (i < n) { col_c = rows[i * width + c]; <consume> }
#include "codegen/operators/translators.h"

namespace omendb::codegen {

namespace {

class CteScanTranslator final : public OperatorTranslator {
 public:
  explicit CteScanTranslator(const plan::CteScanOp& op) : OperatorTranslator(&op), scan_(op) {}

  // The CteOp declares the buffer (its tree comes before every reader's): its slot is looked up when
  // the loop is emitted.
  void declare_state(runtime::QueryLayout& layout) override { layout_ = &layout; }

  void produce(PipelineContext& p) override {
    emit_buffer_loop(p, *this, layout_->cte_slot(scan_.index), scan_.output, "cte.scan");
  }

 private:
  const plan::CteScanOp& scan_;
  const runtime::QueryLayout* layout_ = nullptr;
};

}  // namespace

std::unique_ptr<OperatorTranslator> make_cte_scan_translator(const plan::CteScanOp& op) {
  return std::make_unique<CteScanTranslator>(op);
}

}  // namespace omendb::codegen
