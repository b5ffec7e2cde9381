// UnionAll: a breaker with one input pipeline per child, over a runtime::Sorter without sort keys (a row
// buffer read back in arrival order).
//   build (sink of child k's pipeline), per row:  row = rt_sort_row(); row[c] = child_k.col_c ...;
//                                                 rt_sort_row_done()
//   read (source of the next pipeline):           n = rt_sort_finish(); rows = rt_sort_rows();
//                                                 for (i < n) { col_c = rows[i * width + c]; <consume> }
#include <algorithm>

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
    CodeGen& cg = p.cg;
    llvm::Value* slot = cg.const_i32(slot_);
    llvm::Value* row = cg.call("rt_sort_row", {cg.qs, slot});
    cg.branch_if(cg.b.CreateIsNull(row), cg.exit, "union.store");  // out of memory
    for (size_t c = 0; c < union_.output.size(); ++c)
      sql::store_datum(cg, p.column(child->output.at(c).id), cg.gep(row, c * sizeof(Datum)));
    if (union_.output.empty()) sql::store_datum(cg, sql::constant(cg, Value::int64(0), TypeId::Int64), row);
    cg.call("rt_sort_row_done", {cg.qs, slot});
  }

  void produce(PipelineContext& p) override {
    CodeGen& cg = p.cg;
    llvm::Value* slot = cg.const_i32(slot_);
    llvm::Value* count = cg.call("rt_sort_finish", {cg.qs, slot});
    cg.exit_if_failed();
    llvm::Value* rows = cg.call("rt_sort_rows", {cg.qs, slot});
    const size_t width = union_.output.size();
    const size_t stride = std::max<size_t>(width, 1);
    CountedLoop loop(cg, count, "union");
    llvm::Value* row = cg.gep(
        rows, cg.b.CreateMul(loop.index(), cg.const_i64(static_cast<int64_t>(stride * sizeof(Datum)))));
    for (size_t c = 0; c < width; ++c)
      p.bind(union_.output[c], sql::load_datum(cg, cg.gep(row, c * sizeof(Datum)), union_.output[c].type));
    p.set_next_row(loop.next());
    p.push(*this);
    loop.end();
  }

 private:
  const plan::UnionAllOp& union_;
  int slot_ = -1;
};

}  // namespace

std::unique_ptr<OperatorTranslator> make_union_all_translator(const plan::UnionAllOp& op) {
  return std::make_unique<UnionAllTranslator>(op);
}

}  // namespace omendb::codegen
