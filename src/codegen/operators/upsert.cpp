// INSERT ... ON CONFLICT: the sink of the statement's pipeline.
//   row[c] = col_c ...;  <checks>                          // the proposed row (EXCLUDED)
//   r = rt_upsert(target, action, &existing);  if (r == 0) return;  // action: 0 DO NOTHING, 1 DO UPDATE,
//                                                                   // 2 DO UPDATE that may change the key,
//                                                                   // | the arbiter's code << 2
// DO UPDATE only:
//   if (r != 2) continue;                                  // inserted
//   bind existing[c] = existing row's Datums;
//   if (!(<where> IS TRUE)) continue;
//   row[c] = <set_exprs[c]> ...;  <checks>;  if (!rt_upsert_update(target)) return;
#include "codegen/control.h"
#include "codegen/operators/translators.h"
#include "common/datum.h"

namespace omendb::codegen {

namespace {

class UpsertTranslator final : public OperatorTranslator {
 public:
  explicit UpsertTranslator(const plan::UpsertOp& op) : OperatorTranslator(&op), upsert_(op) {}

  void declare_state(runtime::QueryLayout& layout) override {
    target_ = layout.add_target(upsert_.table, upsert_.counted);
    layout.row_width = std::max(layout.row_width, upsert_.table->columns.size());
  }

  void consume(PipelineContext& p) override {
    CodeGen& cg = p.cg;
    std::vector<SqlValue> proposed;
    for (const auto& c : upsert_.children.at(0)->output) proposed.push_back(p.column(c.id));
    store_row(cg, proposed);
    emit_row_checks(p, upsert_.checks, proposed, target_);
    llvm::Value* existing_slot = cg.local(cg.ptr, "upsert.existing");
    llvm::Value* r = cg.call("rt_upsert", {cg.qs, cg.const_i32(target_),
                                           cg.const_i32((!upsert_.do_update      ? 0
                                                         : upsert_.changes_key() ? 2
                                                                                 : 1) |
                                                        (upsert_.arbiter_code() << 2)),
                                           existing_slot});
    cg.exit_if_zero(r);
    if (!upsert_.do_update) return;
    cg.branch_if(cg.b.CreateICmpNE(r, cg.const_i32(2)), p.next_row(), "upsert.conflict");
    llvm::Value* existing = cg.b.CreateLoad(cg.ptr, existing_slot, "existing");
    for (size_t c = 0; c < upsert_.existing.size(); ++c) {
      const plan::OutputColumn& col = upsert_.existing[c];
      p.bind(col, sql::load_datum(cg, cg.gep(existing, c * sizeof(Datum)), col.type));
    }
    if (upsert_.where) {
      llvm::Value* pass = sql::is_true(cg, p.eval(*upsert_.where));
      cg.branch_if(cg.b.CreateNot(pass), p.next_row(), "upsert.where");
    }
    std::vector<SqlValue> updated;
    for (const plan::ExprPtr& x : upsert_.set_exprs) updated.push_back(p.eval(*x));
    store_row(cg, updated);
    emit_row_checks(p, upsert_.checks, updated, target_);
    cg.exit_if_zero(cg.call("rt_upsert_update", {cg.qs, cg.const_i32(target_)}));
  }

 private:
  static void store_row(CodeGen& cg, const std::vector<SqlValue>& values) {
    llvm::Value* row = cg.load_at(cg.ptr, cg.qs, offsetof(runtime::QueryState, row), "row");
    for (size_t c = 0; c < values.size(); ++c)
      sql::store_datum(cg, values[c], cg.gep(row, c * sizeof(Datum)));
  }

  const plan::UpsertOp& upsert_;
  int target_ = -1;
};

}  // namespace

std::unique_ptr<OperatorTranslator> make_upsert_translator(const plan::UpsertOp& op) {
  return std::make_unique<UpsertTranslator>(op);
}

}  // namespace omendb::codegen
