// Cte (a materialized CTE, PostgreSQL's "CTE x"): the sink of its query's last pipeline, appending every
// row to the CTE's row buffer (a runtime::Sorter without keys), which its CteScans read.
//   per row:  row = rt_sort_row(); if (!row) return;   // out of memory (53200 recorded)
//             row[c] = child.col_c ...; rt_sort_row_done()
#include "codegen/operators/translators.h"
#include "common/error.h"

namespace omendb::codegen {

namespace {

class CteTranslator final : public OperatorTranslator {
 public:
  explicit CteTranslator(const plan::CteOp& op) : OperatorTranslator(&op), cte_(op) {}

  void declare_state(runtime::QueryLayout& layout) override {
    runtime::SortSpec spec;  // no keys: rows stay in arrival order
    for (const auto& c : cte_.children.at(0)->output) spec.types.push_back(c.type);
    if (spec.types.empty()) spec.types.push_back(TypeId::Int64);  // rows of no columns still count
    slot_ = layout.add_cte(cte_.index, std::move(spec));
  }

  void consume(PipelineContext& p) override {
    const plan::Op& child = *cte_.children.at(0);
    if (p.input_of(*this) != &child)
      throw SqlError(SqlState::InternalError, "codegen: a CTE fed by an operator not its child");
    append_buffer_row(p, child, child.output.size(), slot_, "cte");
  }

 private:
  const plan::CteOp& cte_;
  int slot_ = -1;
};

}  // namespace

std::unique_ptr<OperatorTranslator> make_cte_translator(const plan::CteOp& op) {
  return std::make_unique<CteTranslator>(op);
}

}  // namespace omendb::codegen
