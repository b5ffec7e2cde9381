// Repeat (INTERSECT ALL / EXCEPT ALL), per row:
//   n = <count> (NULL: 0); for (i = 0; i < n; ++i) { <consume> }
// A row the operators above drop continues with the next repetition.
#include "codegen/control.h"
#include "codegen/operators/translators.h"

namespace omendb::codegen {

namespace {

class RepeatTranslator final : public OperatorTranslator {
 public:
  explicit RepeatTranslator(const plan::RepeatOp& op) : OperatorTranslator(&op), repeat_(op) {}

  void consume(PipelineContext& p) override {
    CodeGen& cg = p.cg;
    auto& b = cg.b;
    SqlValue n = p.eval(*repeat_.count);
    llvm::Value* count = n.type == TypeId::Int64 ? n.value : b.CreateSExt(n.value, cg.i64);
    count = b.CreateSelect(b.CreateOr(n.is_null, b.CreateICmpSLT(count, cg.const_i64(0))), cg.const_i64(0),
                           count);
    llvm::BasicBlock* outer_next = p.next_row();
    CountedLoop loop(cg, count, "repeat");
    p.set_next_row(loop.next());
    p.push(*this);
    loop.end();
    p.set_next_row(outer_next);
  }

 private:
  const plan::RepeatOp& repeat_;
};

}  // namespace

std::unique_ptr<OperatorTranslator> make_repeat_translator(const plan::RepeatOp& op) {
  return std::make_unique<RepeatTranslator>(op);
}

}  // namespace omendb::codegen
