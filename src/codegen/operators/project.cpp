// Project:  out_i = <exprs[i]> for each i (all computed before any is bound);  <consume>
#include "codegen/operators/translators.h"

namespace omendb::codegen {

namespace {

class ProjectTranslator final : public OperatorTranslator {
 public:
  explicit ProjectTranslator(const plan::ProjectOp& op) : OperatorTranslator(&op), project_(op) {}

  void consume(PipelineContext& p) override {
    std::vector<SqlValue> values;
    values.reserve(project_.exprs.size());
    for (const plan::ExprPtr& x : project_.exprs) values.push_back(p.eval(*x));
    for (size_t i = 0; i < values.size(); ++i) p.bind(project_.output[i], values[i]);
    p.push(*this);
  }

 private:
  const plan::ProjectOp& project_;
};

}  // namespace

std::unique_ptr<OperatorTranslator> make_project_translator(const plan::ProjectOp& op) {
  return std::make_unique<ProjectTranslator>(op);
}

}  // namespace omendb::codegen
