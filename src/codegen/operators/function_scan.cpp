// FunctionScan: a set-returning function (generate_series, unnest) run for each input row, the loop the
// binder described in plan::FunctionScanOp. Per input row:
//   state = <init>; if (<check> IS TRUE) fail(22023); finished = false; matched = false
//   head:  if (finished || !(<cond> IS TRUE)) goto tail      (state loaded from its buffer each time)
//          vals = <values>; if (<last> IS TRUE) finished = true; else state = <next>
//          if (!(<residual> IS TRUE)) goto head
//          matched = true; null_row = false; goto emit
//   tail:  if (!outer || matched) goto <the input's next row>
//          matched = true; null_row = true                    (LEFT JOIN LATERAL: one NULL row)
//   emit:  bind the function's columns from vals (NULL when null_row); <consume>; goto head
// The operators above are emitted once, at `emit`. Every 4096th step checks for a cancel.
#include "codegen/control.h"
#include "codegen/operators/translators.h"
#include "common/datum.h"

namespace omendb::codegen {

namespace {

class FunctionScanTranslator final : public OperatorTranslator {
 public:
  explicit FunctionScanTranslator(const plan::FunctionScanOp& op) : OperatorTranslator(&op), fn_(op) {}

  void consume(PipelineContext& p) override {
    CodeGen& cg = p.cg;
    auto& b = cg.b;
    const size_t nstate = fn_.state.size();
    const std::vector<plan::OutputColumn> columns = fn_.function_columns();
    const size_t width = nstate + columns.size();
    llvm::Value* buffer = cg.local(llvm::ArrayType::get(cg.i64, width * (sizeof(Datum) / sizeof(int64_t))),
                                   "fn.buffer", alignof(Datum));
    auto slot = [&](size_t i) { return cg.gep(buffer, i * sizeof(Datum)); };
    auto load_state = [&] {
      for (size_t i = 0; i < nstate; ++i)
        p.bind(fn_.state[i], sql::load_datum(cg, slot(i), fn_.state[i].type));
    };
    llvm::Value* finished = cg.local(cg.i1, "fn.finished");
    llvm::Value* matched = cg.local(cg.i1, "fn.matched");
    llvm::Value* null_row = cg.local(cg.i1, "fn.null_row");
    llvm::Value* steps = cg.counter("fn.steps", cg.const_i64(0));

    // state = <init>; the check sees it.
    std::vector<SqlValue> init;
    for (const auto& x : fn_.init) init.push_back(p.eval(*x));
    for (size_t i = 0; i < nstate; ++i) {
      sql::store_datum(cg, init[i], slot(i));
      p.bind(fn_.state[i], init[i]);
    }
    if (fn_.check) {  // an error code (plan::FunctionScanOp): 0 or NULL when the arguments are fine
      using runtime::ErrorKind;
      static constexpr ErrorKind kErrors[] = {
          ErrorKind::ZeroStep,          ErrorKind::SeriesStartNaN,     ErrorKind::SeriesStartInfinity,
          ErrorKind::SeriesStopNaN,     ErrorKind::SeriesStopInfinity, ErrorKind::SeriesStepNaN,
          ErrorKind::SeriesStepInfinity};
      SqlValue code = p.eval(*fn_.check);
      for (size_t k = 0; k < std::size(kErrors); ++k)
        cg.fail_if(
            b.CreateAnd(b.CreateNot(code.is_null),
                        b.CreateICmpEQ(code.value, llvm::ConstantInt::get(code.value->getType(), k + 1))),
            kErrors[k]);
    }
    b.CreateStore(cg.false_(), finished);
    b.CreateStore(cg.false_(), matched);
    llvm::BasicBlock* outer_next = p.next_row();
    llvm::BasicBlock* head = cg.block("fn.head");
    llvm::BasicBlock* body = cg.block("fn.body");
    llvm::BasicBlock* tail = cg.block("fn.tail");
    llvm::BasicBlock* emit = cg.block("fn.emit");
    b.CreateBr(head);

    b.SetInsertPoint(head);
    count_step(cg, steps, 4096, "fn");
    cg.branch_if(b.CreateLoad(cg.i1, finished), tail, "fn.state");
    load_state();
    b.CreateCondBr(sql::is_true(cg, p.eval(*fn_.cond)), body, tail);

    b.SetInsertPoint(body);
    std::vector<SqlValue> vals;
    for (const auto& x : fn_.values) vals.push_back(p.eval(*x));
    for (size_t c = 0; c < columns.size(); ++c) sql::store_datum(cg, vals[c], slot(nstate + c));
    {
      // The state after this row, unless it was the last one (stepping past the end could overflow).
      llvm::Value* is_last = fn_.last ? sql::is_true(cg, p.eval(*fn_.last)) : cg.false_();
      b.CreateStore(is_last, finished);
      If step(cg, b.CreateNot(is_last), "fn.step");
      std::vector<std::pair<size_t, SqlValue>> next;
      for (size_t i = 0; i < fn_.next.size(); ++i)
        if (fn_.next[i]) next.emplace_back(i, p.eval(*fn_.next[i]));
      for (const auto& [i, v] : next) sql::store_datum(cg, v, slot(i));
      step.end();
    }
    if (fn_.residual) {
      for (size_t c = 0; c < columns.size(); ++c) p.bind(columns[c], vals[c]);
      cg.branch_if(b.CreateNot(sql::is_true(cg, p.eval(*fn_.residual))), head, "fn.match");
    }
    b.CreateStore(cg.true_(), matched);
    b.CreateStore(cg.false_(), null_row);
    b.CreateBr(emit);

    b.SetInsertPoint(tail);
    if (fn_.outer) {
      cg.branch_if(b.CreateLoad(cg.i1, matched), outer_next, "fn.unmatched");
      b.CreateStore(cg.true_(), matched);
      b.CreateStore(cg.true_(), null_row);
      b.CreateBr(emit);
    } else {
      b.CreateBr(outer_next);
    }

    b.SetInsertPoint(emit);
    llvm::Value* is_null = b.CreateLoad(cg.i1, null_row, "fn.is_null");
    for (size_t c = 0; c < columns.size(); ++c) {
      SqlValue v = sql::load_datum(cg, slot(nstate + c), columns[c].type);
      v.is_null = b.CreateOr(v.is_null, is_null);
      p.bind(columns[c], v);
    }
    p.set_next_row(head);
    p.push(*this);
    cg.branch(head);
    b.SetInsertPoint(cg.block("fn.after"));  // unreachable: every path above left through a branch
    p.set_next_row(outer_next);
  }

 private:
  const plan::FunctionScanOp& fn_;
};

}  // namespace

std::unique_ptr<OperatorTranslator> make_function_scan_translator(const plan::FunctionScanOp& op) {
  return std::make_unique<FunctionScanTranslator>(op);
}

}  // namespace omendb::codegen
