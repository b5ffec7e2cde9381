// LockRows (SELECT ... FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE): locks each row that reaches it,
// below LIMIT, so that only the rows returned (and those OFFSET skips, as in PostgreSQL) are locked.
//   r = rt_lock_row(target, strength, wait, key);   0: stop (error, NOWAIT, or a READ COMMITTED
//   if (r == 0) return; if (r == 2) continue;           restart: the row changed); 2: SKIP LOCKED
//   <consume>
#include "codegen/operators/translators.h"

namespace omendb::codegen {

namespace {

class LockRowsTranslator final : public OperatorTranslator {
 public:
  explicit LockRowsTranslator(const plan::LockRowsOp& op) : OperatorTranslator(&op), lock_(op) {}

  void declare_state(runtime::QueryLayout& layout) override { target_ = layout.add_target(lock_.table); }

  void consume(PipelineContext& p) override {
    CodeGen& cg = p.cg;
    const SqlValue& key = p.column(lock_.key_column);
    llvm::Value* r = cg.call("rt_lock_row", {cg.qs, cg.const_i32(target_), cg.const_i32(lock_.strength),
                                             cg.const_i32(lock_.wait), key.value, key.length});
    cg.exit_if_zero(r);
    cg.branch_if(cg.b.CreateICmpEQ(r, cg.const_i32(2)), p.next_row(), "lock.skip");
    p.push(*this);
  }

 private:
  const plan::LockRowsOp& lock_;
  int target_ = -1;
};

}  // namespace

std::unique_ptr<OperatorTranslator> make_lock_rows_translator(const plan::LockRowsOp& op) {
  return std::make_unique<LockRowsTranslator>(op);
}

}  // namespace omendb::codegen
