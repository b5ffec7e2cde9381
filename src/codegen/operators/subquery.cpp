// Subquery: the sink of an uncorrelated subquery's last pipeline (plan::SubqueryOp), keeping its result
// for the expressions of later pipelines (ExprOp::Subquery, ExprOp::InSubquery).
//   Row, per row:  row = rt_subq_row(slot); if (!row) return;    (a second row: 21000)
//                  row[c] = col_c ...; rt_subq_row_done(slot)     (copies text)
//   Set, per row:  if (!rt_in_add_<type>(set, col_0 is NULL, col_0)) return;
#include "codegen/operators/translators.h"
#include "common/datum.h"

namespace omendb::codegen {

namespace {

class SubqueryTranslator final : public OperatorTranslator {
 public:
  explicit SubqueryTranslator(const plan::SubqueryOp& op) : OperatorTranslator(&op), sub_(op) {}

  void declare_state(runtime::QueryLayout& layout) override {
    const auto& cols = sub_.children.at(0)->output;
    runtime::SubquerySlot s;
    if (sub_.mode == plan::SubqueryOp::Mode::Row) {
      std::vector<TypeId> types;
      for (const auto& c : cols) types.push_back(c.type);
      s.slot = layout.add_subquery_row(std::move(types));
    } else {
      runtime::InSetSpec spec;
      spec.type = cols.at(0).type;
      spec.from_rows = true;
      s.set = true;
      s.slot = layout.add_in_set(std::move(spec));
    }
    slot_ = s.slot;
    layout.set_subquery(sub_.index, s);
  }

  void consume(PipelineContext& p) override {
    CodeGen& cg = p.cg;
    auto& b = cg.b;
    const auto& cols = sub_.children.at(0)->output;
    llvm::Value* slot = cg.const_i32(slot_);
    if (sub_.mode == plan::SubqueryOp::Mode::Row) {
      llvm::Value* row = cg.call("rt_subq_row", {cg.qs, slot});
      cg.branch_if(b.CreateIsNull(row), cg.exit, "subquery.store");
      for (size_t c = 0; c < cols.size(); ++c)
        sql::store_datum(cg, p.column(cols[c].id), cg.gep(row, c * sizeof(Datum)));
      cg.call("rt_subq_row_done", {cg.qs, slot});
      return;
    }
    const SqlValue& v = p.column(cols.at(0).id);
    llvm::Value* is_null = b.CreateZExt(v.is_null, cg.i32);
    llvm::Value* r;
    switch (v.type) {
      case TypeId::Float32:
      case TypeId::Float64:
        r = cg.call("rt_in_add_double", {cg.qs, slot, is_null, v.value});
        break;
      case TypeId::Text:
      case TypeId::Bytea:
      case TypeId::Uuid:
      case TypeId::Numeric: {
        llvm::Value* len = b.CreateSelect(v.is_null, cg.const_i64(0), sql::text_length(cg, v));
        r = cg.call("rt_in_add_text", {cg.qs, slot, is_null, v.value, len});
        break;
      }
      default: {
        llvm::Value* i =
            v.type == TypeId::Bool ? b.CreateZExt(v.value, cg.i64) : b.CreateSExt(v.value, cg.i64);
        r = cg.call("rt_in_add_int", {cg.qs, slot, is_null, i});
        break;
      }
    }
    cg.exit_if_zero(r);
  }

 private:
  const plan::SubqueryOp& sub_;
  int slot_ = -1;
};

}  // namespace

std::unique_ptr<OperatorTranslator> make_subquery_translator(const plan::SubqueryOp& op) {
  return std::make_unique<SubqueryTranslator>(op);
}

}  // namespace omendb::codegen
