// UnionAll: a breaker with one input pipeline per child, over a runtime::Sorter without sort keys (a row
// buffer read back in arrival order).
//   build (sink of child k's pipeline), per row:  row = rt_sort_row(); row[c] = child_k.col_c ...;
//                                                 rt_sort_row_done()
//   read (source of the next pipeline):           n = rt_sort_finish(); rows = rt_sort_rows();
//                                                 for (i < n) { col_c = rows[i * width + c]; <consume> }
#include "codegen/control.h"
#include "codegen/operators/translators.h"
#include "common/datum.h"
#include "common/error.h"

namespace omendb::codegen {

namespace {

class UnionAllTranslator final : public OperatorTranslator {
 public:
  explicit UnionAllTranslator(const plan::UnionAllOp& op) : OperatorTranslator(&op), union_(op) {}

  void declare_state(runtime::QueryLayout& layout) override {
    runtime::SortSpec spec;  // no keys: rows stay in arrival order
    for (const auto& c : union_.output) spec.types.push_back(c.type);
    if (spec.types.empty()) spec.types.push_back(TypeId::Int64);  // rows of no columns still count
    slot_ = layout.add_sort(std::move(spec));
  }

  void consume(PipelineContext& p) override {
    const plan::Op* input = p.input_of(*this);
    const plan::Op* child = nullptr;
    for (const auto& c : union_.children)
      if (c.get() == input) child = c.get();
    if (!child) throw SqlError(SqlState::InternalError, "codegen: UnionAll fed by an operator not its child");
    append_buffer_row(p, *child, union_.output.size(), slot_, "union");
  }

  void produce(PipelineContext& p) override { emit_buffer_loop(p, *this, slot_, union_.output, "union"); }

 private:
  const plan::UnionAllOp& union_;
  int slot_ = -1;
};

}  // namespace

std::unique_ptr<OperatorTranslator> make_union_all_translator(const plan::UnionAllOp& op) {
  return std::make_unique<UnionAllTranslator>(op);
}

}  // namespace omendb::codegen
