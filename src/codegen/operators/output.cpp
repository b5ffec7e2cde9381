// Output: the sink of a query's last pipeline, sending each row to the client.
//   out[c] = col_c ...;  if (!rt_emit_row()) return;      (0: the client is gone or the query cancelled)
#include "codegen/operators/translators.h"
#include "common/datum.h"

namespace omendb::codegen {

namespace {

class OutputTranslator final : public OperatorTranslator {
 public:
  explicit OutputTranslator(std::vector<plan::OutputColumn> columns)
      : OperatorTranslator(nullptr), columns_(std::move(columns)) {}

  void declare_state(runtime::QueryLayout& layout) override { layout.out_width = columns_.size(); }

  void consume(PipelineContext& p) override {
    CodeGen& cg = p.cg;
    llvm::Value* out = cg.load_at(cg.ptr, cg.qs, offsetof(runtime::QueryState, out), "out");
    for (size_t c = 0; c < columns_.size(); ++c)
      sql::store_datum(cg, p.column(columns_[c].id), cg.gep(out, c * sizeof(Datum)));
    cg.exit_if_zero(cg.call("rt_emit_row", {cg.qs}));
  }

 private:
  std::vector<plan::OutputColumn> columns_;
};

}  // namespace

std::unique_ptr<OperatorTranslator> make_output_translator(const std::vector<plan::OutputColumn>& result) {
  return std::make_unique<OutputTranslator>(result);
}

}  // namespace omendb::codegen
