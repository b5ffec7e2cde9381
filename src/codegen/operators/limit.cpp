// Limit:
//   before the loop: seen = 0; offset = <offset> (NULL: 0; < 0: 2201X); limit = <limit> (NULL: -1; < 0:
//   2201W) per row:         seen++; if (seen <= offset) continue;
//                    if (limit >= 0 && seen - offset > limit) stop producing;  <consume>
//                    if (limit >= 0 && seen - offset >= limit) stop producing;
#include "codegen/operators/translators.h"

namespace omendb::codegen {

namespace {

class LimitTranslator final : public OperatorTranslator {
 public:
  explicit LimitTranslator(const plan::LimitOp& op) : OperatorTranslator(&op), limit_(op) {}

  void begin_pipeline(PipelineContext& p) override {
    CodeGen& cg = p.cg;
    seen_ = cg.counter("limit.seen", cg.const_i64(0));
    offset_ =
        cg.counter("limit.offset", count(p, limit_.offset.get(), runtime::ErrorKind::NegativeOffset, 0));
    limit_value_ =
        cg.counter("limit.limit", count(p, limit_.limit.get(), runtime::ErrorKind::NegativeLimit, -1));
  }

  void consume(PipelineContext& p) override {
    CodeGen& cg = p.cg;
    auto& b = cg.b;
    llvm::Value* seen = b.CreateAdd(b.CreateLoad(cg.i64, seen_), cg.const_i64(1));
    b.CreateStore(seen, seen_);
    llvm::Value* offset = b.CreateLoad(cg.i64, offset_);
    llvm::Value* limit = b.CreateLoad(cg.i64, limit_value_);
    cg.branch_if(b.CreateICmpSLE(seen, offset), p.next_row(), "limit.past_offset");
    llvm::Value* over = b.CreateAnd(b.CreateICmpSGE(limit, cg.const_i64(0)),
                                    b.CreateICmpSGT(b.CreateSub(seen, offset), limit));
    cg.branch_if(over, p.done(), "limit.take");
    p.push(*this);
    // The limit-th row taken: stop now, before the source fetches (and the operators below this one
    // lock, number or evaluate) a row that would never be returned.
    llvm::Value* reached = b.CreateAnd(b.CreateICmpSGE(limit, cg.const_i64(0)),
                                       b.CreateICmpSGE(b.CreateSub(seen, offset), limit));
    cg.branch_if(reached, p.done(), "limit.more");
  }

 private:
  // A LIMIT/OFFSET value: NULL means none (`fallback`), negative raises `negative`.
  static llvm::Value* count(PipelineContext& p, const plan::Expr* expr, runtime::ErrorKind negative,
                            int64_t fallback) {
    CodeGen& cg = p.cg;
    if (!expr) return cg.const_i64(fallback);
    SqlValue v = p.eval(*expr);
    llvm::Value* n = v.type == TypeId::Int64 ? v.value : cg.b.CreateSExt(v.value, cg.i64);
    cg.fail_if(cg.b.CreateAnd(cg.b.CreateNot(v.is_null), cg.b.CreateICmpSLT(n, cg.const_i64(0))), negative);
    return cg.b.CreateSelect(v.is_null, cg.const_i64(fallback), n);
  }

  const plan::LimitOp& limit_;
  llvm::Value* seen_ = nullptr;
  llvm::Value* offset_ = nullptr;
  llvm::Value* limit_value_ = nullptr;
};

}  // namespace

std::unique_ptr<OperatorTranslator> make_limit_translator(const plan::LimitOp& op) {
  return std::make_unique<LimitTranslator>(op);
}

}  // namespace omendb::codegen
