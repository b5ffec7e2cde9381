// HashJoin: an equi-join over a runtime::JoinHashTable (the shared code is in join.h / join.cpp).
// A probe row's candidates are its bucket's chain, walked inline:
//   cursor = any key NULL ? null : directory[h & mask]
//   head: e = cursor; if (!e) leave; count_candidate(); cursor = e->next;   (count_candidate: join.h)
//         if (e->hash != h || e->key_i != key_i for some i) goto head;     (grouping equality, no NULLs)
#include "codegen/operators/join.h"
#include "codegen/operators/translators.h"
#include "common/datum.h"
#include "runtime/join_hash_table.h"

namespace omendb::codegen {

namespace {

class HashJoinTranslator final : public JoinTranslator {
 public:
  explicit HashJoinTranslator(const plan::HashJoinOp& op) : JoinTranslator(op), hash_join_(op) {}

 protected:
  const std::vector<plan::ExprPtr>& build_keys() const override { return hash_join_.build_keys; }
  const std::vector<plan::ExprPtr>& probe_keys() const override { return hash_join_.probe_keys; }

  void start_candidates(PipelineContext& p, const std::vector<SqlValue>&, llvm::Value* hash,
                        llvm::Value* any_null) override {
    CodeGen& cg = p.cg;
    auto& b = cg.b;
    llvm::Value* bucket = b.CreateAnd(hash, mask_);
    llvm::Value* first =
        b.CreateLoad(cg.ptr, cg.gep(directory_, b.CreateMul(bucket, cg.const_i64(8))), "bucket");
    b.CreateStore(b.CreateSelect(any_null, llvm::ConstantPointerNull::get(cg.ptr), first), cursor_);
  }

  llvm::Value* next_candidate(PipelineContext& p, const std::vector<SqlValue>& keys, llvm::Value* hash,
                              llvm::BasicBlock* head) override {
    CodeGen& cg = p.cg;
    auto& b = cg.b;
    llvm::Value* entry = b.CreateLoad(cg.ptr, cursor_, "entry");
    llvm::BasicBlock* from = b.GetInsertBlock();
    llvm::BasicBlock* check = cg.block("join.check");
    llvm::BasicBlock* done = cg.block("join.chain_end");
    b.CreateCondBr(b.CreateIsNull(entry), done, check);

    b.SetInsertPoint(check);
    count_candidate(p);
    b.CreateStore(cg.load_at(cg.ptr, entry, offsetof(runtime::JoinEntry, next)), cursor_);
    llvm::Value* same_hash =
        b.CreateICmpEQ(cg.load_at(cg.i64, entry, offsetof(runtime::JoinEntry, hash)), hash);
    cg.branch_if(b.CreateNot(same_hash), head, "join.same_hash");
    llvm::Value* equal = cg.true_();
    for (size_t i = 0; i < keys.size(); ++i) {
      SqlValue stored =
          sql::load_datum(cg, cg.gep(entry, runtime::kJoinEntryValues + i * sizeof(Datum)), keys[i].type);
      equal = b.CreateAnd(equal, sql::compare_values(cg, CmpOp::Eq, stored, keys[i]));
    }
    cg.branch_if(b.CreateNot(equal), head, "join.same_keys");
    llvm::BasicBlock* matched = b.GetInsertBlock();
    b.CreateBr(done);

    b.SetInsertPoint(done);
    llvm::PHINode* result = b.CreatePHI(cg.ptr, 2, "candidate");
    result->addIncoming(entry, from);
    result->addIncoming(entry, matched);
    return result;
  }

 private:
  const plan::HashJoinOp& hash_join_;
};

}  // namespace

std::unique_ptr<OperatorTranslator> make_hash_join_translator(const plan::HashJoinOp& op) {
  return std::make_unique<HashJoinTranslator>(op);
}

}  // namespace omendb::codegen
