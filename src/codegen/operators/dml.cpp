// Insert / Update / Delete: the sinks of a DML statement's pipeline, one runtime call per row.
//   Insert:  row[c] = col_c ...;                   if (!rt_insert(target)) return;
//   Update:  row[c] = <set_exprs[c]> ...;          if (!rt_update(target, key)) return;
//   Delete:                                        if (!rt_delete(target, key)) return;
// QueryState::row holds one Datum per table column (QueryLayout::row_width).
#include "codegen/operators/translators.h"
#include "common/datum.h"

namespace omendb::codegen {

namespace {

// The row buffer and target table every DML sink declares.
class DmlTranslator : public OperatorTranslator {
 public:
  DmlTranslator(const plan::Op& op, storage::TableDefPtr table)
      : OperatorTranslator(&op), table_(std::move(table)) {}

  void declare_state(runtime::QueryLayout& layout) override {
    target_ = layout.add_target(table_);
    layout.row_width = std::max(layout.row_width, table_->columns.size());
  }

 protected:
  void store_row(CodeGen& cg, const std::vector<SqlValue>& values) {
    llvm::Value* row = cg.load_at(cg.ptr, cg.qs, offsetof(runtime::QueryState, row), "row");
    for (size_t c = 0; c < values.size(); ++c)
      sql::store_datum(cg, values[c], cg.gep(row, c * sizeof(Datum)));
  }
  storage::TableDefPtr table_;
  int target_ = -1;
};

class InsertTranslator final : public DmlTranslator {
 public:
  explicit InsertTranslator(const plan::InsertOp& op) : DmlTranslator(op, op.table), insert_(op) {}

  void consume(PipelineContext& p) override {
    std::vector<SqlValue> values;
    for (const auto& c : insert_.children.at(0)->output) values.push_back(p.column(c.id));
    store_row(p.cg, values);
    p.cg.exit_if_zero(p.cg.call("rt_insert", {p.cg.qs, p.cg.const_i32(target_)}));
  }

 private:
  const plan::InsertOp& insert_;
};

class UpdateTranslator final : public DmlTranslator {
 public:
  explicit UpdateTranslator(const plan::UpdateOp& op) : DmlTranslator(op, op.table), update_(op) {}

  void consume(PipelineContext& p) override {
    std::vector<SqlValue> values;
    for (const plan::ExprPtr& x : update_.set_exprs) values.push_back(p.eval(*x));
    store_row(p.cg, values);
    const SqlValue& key = p.column(update_.key_column);
    p.cg.exit_if_zero(p.cg.call("rt_update", {p.cg.qs, p.cg.const_i32(target_), key.value, key.length}));
  }

 private:
  const plan::UpdateOp& update_;
};

class DeleteTranslator final : public DmlTranslator {
 public:
  explicit DeleteTranslator(const plan::DeleteOp& op) : DmlTranslator(op, op.table), delete_(op) {}

  void consume(PipelineContext& p) override {
    const SqlValue& key = p.column(delete_.key_column);
    p.cg.exit_if_zero(p.cg.call("rt_delete", {p.cg.qs, p.cg.const_i32(target_), key.value, key.length}));
  }

 private:
  const plan::DeleteOp& delete_;
};

}  // namespace

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
