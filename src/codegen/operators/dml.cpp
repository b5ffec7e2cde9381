// Insert / Update / Delete: the sinks of a DML statement's pipeline, one runtime call per row.
//   Insert:  row[c] = col_c ...;  <checks>;        if (!rt_insert(target)) return;
//   Update:  row[c] = <set_exprs[c]> ...; <checks>; if (!(r = rt_update(target, key))) return;
//   Delete:                                        if (!(r = rt_delete(target, key))) return;
// With RETURNING they pass each row written on (r == 1: written; 2: left for the READ COMMITTED
// re-check, which passes it on if it writes it; 3: a row an UPDATE ... FROM / DELETE ... USING already
// had):  out_c = <row's column c> ...;  <consume>
// QueryState::row holds one Datum per table column (QueryLayout::row_width).
#include "codegen/control.h"
#include "codegen/operators/translators.h"
#include "common/datum.h"

namespace omendb::codegen {

namespace {

// The row buffer and target table every DML sink declares.
class DmlTranslator : public OperatorTranslator {
 public:
  DmlTranslator(const plan::Op& op, storage::TableDefPtr table, bool counted)
      : OperatorTranslator(&op), table_(std::move(table)), counted_(counted) {}

  void declare_state(runtime::QueryLayout& layout) override {
    target_ = layout.add_target(table_, counted_);
    layout.row_width = std::max(layout.row_width, table_->columns.size());
  }

 protected:
  void store_row(CodeGen& cg, const std::vector<SqlValue>& values) {
    llvm::Value* row = cg.load_at(cg.ptr, cg.qs, offsetof(runtime::QueryState, row), "row");
    for (size_t c = 0; c < values.size(); ++c)
      sql::store_datum(cg, values[c], cg.gep(row, c * sizeof(Datum)));
  }
  storage::TableDefPtr table_;
  bool counted_;
  int target_ = -1;
};

class InsertTranslator final : public DmlTranslator {
 public:
  explicit InsertTranslator(const plan::InsertOp& op)
      : DmlTranslator(op, op.table, op.counted), insert_(op) {}

  void consume(PipelineContext& p) override {
    std::vector<SqlValue> values;
    for (const auto& c : insert_.children.at(0)->output) values.push_back(p.column(c.id));
    store_row(p.cg, values);
    emit_row_checks(p, insert_.checks, values, target_);
    p.cg.exit_if_zero(p.cg.call("rt_insert", {p.cg.qs, p.cg.const_i32(target_)}));
    if (!insert_.returning) return;
    for (size_t c = 0; c < values.size(); ++c) p.bind(insert_.output[c], values[c]);
    p.push(*this);
  }

 private:
  const plan::InsertOp& insert_;
};

class UpdateTranslator final : public DmlTranslator {
 public:
  explicit UpdateTranslator(const plan::UpdateOp& op)
      : DmlTranslator(op, op.table, op.counted), update_(op) {}

  void consume(PipelineContext& p) override {
    std::vector<SqlValue> values;
    for (const plan::ExprPtr& x : update_.set_exprs) values.push_back(p.eval(*x));
    store_row(p.cg, values);
    emit_row_checks(p, update_.checks, values, target_);
    const SqlValue& key = p.column(update_.key_column);
    llvm::Value* r = p.cg.call("rt_update", {p.cg.qs, p.cg.const_i32(target_), key.value, key.length,
                                             p.cg.const_i32(update_.once ? 1 : 0)});
    p.cg.exit_if_zero(r);
    if (!update_.returning) return;
    If written(p.cg, p.cg.b.CreateICmpEQ(r, p.cg.const_i32(1)), "update.returning");
    for (size_t c = 0; c < values.size(); ++c) p.bind(update_.output[c], values[c]);
    p.push(*this);
  }

 private:
  const plan::UpdateOp& update_;
};

class DeleteTranslator final : public DmlTranslator {
 public:
  explicit DeleteTranslator(const plan::DeleteOp& op)
      : DmlTranslator(op, op.table, op.counted), delete_(op) {}

  void consume(PipelineContext& p) override {
    const SqlValue& key = p.column(delete_.key_column);
    llvm::Value* r = p.cg.call("rt_delete", {p.cg.qs, p.cg.const_i32(target_), key.value, key.length,
                                             p.cg.const_i32(delete_.once ? 1 : 0)});
    p.cg.exit_if_zero(r);
    if (!delete_.returning) return;
    If written(p.cg, p.cg.b.CreateICmpEQ(r, p.cg.const_i32(1)), "delete.returning");
    p.push(*this);
  }

 private:
  const plan::DeleteOp& delete_;
};

}  // namespace

void emit_row_checks(PipelineContext& p, const plan::RowChecks& checks, const std::vector<SqlValue>& values,
                     int target) {
  if (checks.predicates.empty()) return;
  CodeGen& cg = p.cg;
  for (size_t c = 0; c < checks.row.size() && c < values.size(); ++c) p.bind(checks.row[c], values[c]);
  const size_t constraints = checks.predicates.size() - checks.views.size();
  for (size_t i = 0; i < checks.predicates.size(); ++i) {
    const SqlValue v = p.eval(*checks.predicates[i]);
    if (i >= constraints) {  // a view's check option: the row fails unless its condition is true
      If failed(cg, cg.b.CreateOr(v.is_null, cg.b.CreateNot(v.value), "view_check.not_true"),
                "view_check.failed");
      cg.exit_if_zero(cg.call("rt_view_check_failed",
                              {cg.qs, cg.const_i32(target), cg.const_string(checks.views[i - constraints])}));
      continue;
    }
    llvm::Value* is_false = cg.b.CreateAnd(cg.b.CreateNot(v.is_null), cg.b.CreateNot(v.value), "check.false");
    If failed(cg, is_false, "check.failed");
    cg.exit_if_zero(
        cg.call("rt_check_failed", {cg.qs, cg.const_i32(target), cg.const_i32(static_cast<int32_t>(i))}));
  }
}

std::unique_ptr<OperatorTranslator> make_insert_translator(const plan::InsertOp& op) {
  return std::make_unique<InsertTranslator>(op);
}
std::unique_ptr<OperatorTranslator> make_update_translator(const plan::UpdateOp& op) {
  return std::make_unique<UpdateTranslator>(op);
}
std::unique_ptr<OperatorTranslator> make_delete_translator(const plan::DeleteOp& op) {
  return std::make_unique<DeleteTranslator>(op);
}

}  // namespace omendb::codegen
