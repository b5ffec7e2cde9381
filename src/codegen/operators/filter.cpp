// Filter:   if (!(<predicate> IS TRUE)) continue;  <consume>
#include "codegen/operators/translators.h"

namespace omendb::codegen {

namespace {

class FilterTranslator final : public OperatorTranslator {
 public:
  explicit FilterTranslator(const plan::FilterOp& op) : OperatorTranslator(&op), filter_(op) {}

  void consume(PipelineContext& p) override {
    CodeGen& cg = p.cg;
    llvm::Value* pass = sql::is_true(cg, p.eval(*filter_.predicate));
    cg.branch_if(cg.b.CreateNot(pass), p.next_row(), "filter.pass");
    p.push(*this);
  }

 private:
  const plan::FilterOp& filter_;
};

}  // namespace

std::unique_ptr<OperatorTranslator> make_filter_translator(const plan::FilterOp& op) {
  return std::make_unique<FilterTranslator>(op);
}

}  // namespace omendb::codegen
