// RecursiveUnion (WITH RECURSIVE): the sink of its non-recursive term's pipeline and of its recursive
// term's last pipeline, and the source of the pipeline reading it, over a runtime::RecursiveUnion.
//   append (sink), per row:  row = rt_rec_row(); row[c] = child.col_c ...; rt_rec_row_done()
//                            (UNION: the runtime drops a row equal to one kept before)
//   read (source):           n = rt_rec_advance()                      // the non-recursive term's rows
//                            while (n != 0) {
//                              rows = rt_rec_rows();
//                              for (i < n) { col_c = rows[i * width + c]; <consume> }
//                              n = rt_rec_iterate();                   // the recursive term's pipelines
//                              if (failed) return;                     // over these rows, once
//                            }
// A LIMIT above stops reading, and so the iterations, once it has its rows.
#include "codegen/control.h"
#include "codegen/operators/translators.h"
#include "common/datum.h"
#include "common/error.h"

namespace omendb::codegen {

namespace {

class RecursiveUnionTranslator final : public OperatorTranslator {
 public:
  explicit RecursiveUnionTranslator(const plan::RecursiveUnionOp& op) : OperatorTranslator(&op), union_(op) {}

  void declare_state(runtime::QueryLayout& layout) override {
    runtime::RecursiveUnionSpec spec;
    for (const auto& c : union_.output) spec.types.push_back(c.type);
    if (spec.types.empty()) spec.types.push_back(TypeId::Int64);  // rows of no columns still count
    spec.distinct = union_.distinct;
    slot_ = layout.add_recursive_union(union_.index, std::move(spec));
  }

  void consume(PipelineContext& p) override {
    const plan::Op* child = p.input_of(*this);
    if (child != union_.children.at(0).get() && child != union_.children.at(1).get())
      throw SqlError(SqlState::InternalError, "codegen: RecursiveUnion fed by an operator not its child");
    CodeGen& cg = p.cg;
    llvm::Value* slot = cg.const_i32(slot_);
    llvm::Value* row = cg.call("rt_rec_row", {cg.qs, slot});
    store_row(p, *child, union_.output.size(), row);
    cg.call("rt_rec_row_done", {cg.qs, slot});
  }

  void produce(PipelineContext& p) override {
    CodeGen& cg = p.cg;
    llvm::Value* slot = cg.const_i32(slot_);
    llvm::Value* count = cg.counter("rec.count", cg.call("rt_rec_advance", {cg.qs, slot}));
    Loop iteration(cg, "rec.iteration");
    llvm::Value* n = cg.b.CreateLoad(cg.i64, count, "rec.n");
    iteration.continue_while(cg.b.CreateICmpNE(n, cg.const_i64(0)));
    emit_row_loop(p, *this, cg.call("rt_rec_rows", {cg.qs, slot}), n, union_.output, "rec.row");
    cg.b.CreateStore(cg.call("rt_rec_iterate", {cg.qs, slot}), count);
    cg.exit_if_failed();
    iteration.end();
  }

 private:
  const plan::RecursiveUnionOp& union_;
  int slot_ = -1;
};

}  // namespace

std::unique_ptr<OperatorTranslator> make_recursive_union_translator(const plan::RecursiveUnionOp& op) {
  return std::make_unique<RecursiveUnionTranslator>(op);
}

}  // namespace omendb::codegen
