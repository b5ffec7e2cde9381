// Values: the source of a pipeline over rows written in the statement.
//
//   one row of expressions:           col_c = <rows[0][c]>; <consume>
//   several rows of literals:         for (r = 0; r < n; ++r) { col_c = params[table[r * width + c]];
//   <consume> } several rows of expressions:      for (r = 0; r < n; ++r) { switch (r) { case k: buf[c] =
//   <rows[k][c]> }
//                                                                col_c = buf[c]; <consume> }
//   rows of literals (a matrix of params, its row count known only at run time):
//     for (r = 0; r < (param_count - base) / width; ++r) { col_c = params[base + r * width + c]; <consume> }
#include "codegen/control.h"
#include "codegen/operators/translators.h"
#include "common/datum.h"

namespace omendb::codegen {

namespace {

class ValuesTranslator final : public OperatorTranslator {
 public:
  explicit ValuesTranslator(const plan::ValuesOp& op) : OperatorTranslator(&op), values_(op) {}

  void produce(PipelineContext& p) override {
    if (values_.values_matrix) return produce_matrix(p);
    if (values_.rows.size() > 1 && !values_.output.empty()) {
      if (all_params()) return produce_param_table(p);
      return produce_loop(p);
    }
    CodeGen& cg = p.cg;
    for (const auto& row : values_.rows) {
      llvm::BasicBlock* next = cg.block("values.next");
      for (size_t c = 0; c < values_.output.size(); ++c) p.bind(values_.output[c], p.eval(*row[c]));
      p.set_next_row(next);
      p.push(*this);
      cg.branch(next);
      cg.b.SetInsertPoint(next);
    }
  }

 private:
  // Every cell is a parameter (a lifted literal, or $n) or a NULL, and one at least is a parameter.
  bool all_params() const {
    bool any = false;
    for (const auto& row : values_.rows)
      for (const auto& x : row) {
        if (x->op == plan::ExprOp::Param) {
          any = true;
        } else if (!(x->op == plan::ExprOp::Constant && x->constant.is_null())) {
          return false;
        }
      }
    return any;
  }

  // Rows of literals: code of constant size however many rows. A table of parameter indexes (-1 for a
  // NULL cell), row-major, is a constant of the module:
  //   for (r = 0; r < n; ++r) { k = table[r * width + c]; col_c = k < 0 ? NULL : params[k]; <consume> }
  void produce_param_table(PipelineContext& p) {
    CodeGen& cg = p.cg;
    auto& b = cg.b;
    const size_t width = values_.output.size();
    std::vector<int32_t> indexes;
    indexes.reserve(values_.rows.size() * width);
    for (const auto& row : values_.rows)
      for (const auto& x : row) indexes.push_back(x->op == plan::ExprOp::Param ? x->param : -1);
    llvm::Constant* data = llvm::ConstantDataArray::get(cg.ctx, indexes);
    auto* table = new llvm::GlobalVariable(cg.module, data->getType(), true,
                                           llvm::GlobalValue::PrivateLinkage, data, "values.params");
    CountedLoop rows(cg, cg.const_i64(static_cast<int64_t>(values_.rows.size())), "values");
    llvm::Value* first = b.CreateMul(rows.index(), cg.const_i64(static_cast<int64_t>(width)));
    for (size_t c = 0; c < width; ++c) {
      llvm::Value* slot =
          b.CreateGEP(cg.i32, table, b.CreateAdd(first, cg.const_i64(static_cast<int64_t>(c))));
      llvm::Value* k = b.CreateSExt(b.CreateLoad(cg.i32, slot, "values.param"), cg.i64);
      llvm::Value* is_null_cell = b.CreateICmpSLT(k, cg.const_i64(0));
      // A NULL cell reads params[0] (there is one) as garbage under a NULL flag.
      llvm::Value* index = b.CreateSelect(is_null_cell, cg.const_i64(0), k);
      const plan::OutputColumn& oc = values_.output[c];
      SqlValue v =
          sql::load_datum(cg, cg.gep(cg.params, b.CreateMul(index, cg.const_i64(sizeof(Datum)))), oc.type);
      v.is_null = b.CreateOr(v.is_null, is_null_cell);
      p.bind(oc, v);
    }
    p.set_next_row(rows.next());
    p.push(*this);
    rows.end();
  }

  // Several rows: the operators above are emitted once, inside a loop over the rows; each iteration
  // evaluates its row's expressions into a buffer of Datums (a switch on the row number).
  void produce_loop(PipelineContext& p) {
    CodeGen& cg = p.cg;
    auto& b = cg.b;
    const size_t width = values_.output.size();
    static_assert(sizeof(Datum) % sizeof(int64_t) == 0);
    llvm::Value* buffer = cg.local(llvm::ArrayType::get(cg.i64, width * (sizeof(Datum) / sizeof(int64_t))),
                                   "values.row", alignof(Datum));  // width Datums
    CountedLoop rows(cg, cg.const_i64(static_cast<int64_t>(values_.rows.size())), "values");
    llvm::BasicBlock* filled = cg.block("values.filled");
    llvm::SwitchInst* which =
        b.CreateSwitch(rows.index(), filled, static_cast<unsigned>(values_.rows.size()));
    for (size_t r = 0; r < values_.rows.size(); ++r) {
      llvm::BasicBlock* row = cg.block("values.row");
      which->addCase(llvm::ConstantInt::get(llvm::cast<llvm::IntegerType>(cg.i64), r), row);
      b.SetInsertPoint(row);
      for (size_t c = 0; c < width; ++c)
        sql::store_datum(cg, p.eval(*values_.rows[r][c]), cg.gep(buffer, c * sizeof(Datum)));
      cg.branch(filled);
    }
    b.SetInsertPoint(filled);
    for (size_t c = 0; c < width; ++c)
      p.bind(values_.output[c],
             sql::load_datum(cg, cg.gep(buffer, c * sizeof(Datum)), values_.output[c].type));
    p.set_next_row(rows.next());
    p.push(*this);
    rows.end();
  }

  void produce_matrix(PipelineContext& p) {
    CodeGen& cg = p.cg;
    auto& b = cg.b;
    auto width = static_cast<int64_t>(values_.output.size());
    llvm::Value* param_count =
        cg.load_at(cg.i64, cg.qs, offsetof(runtime::QueryState, param_count), "param_count");
    llvm::Value* count =
        b.CreateUDiv(b.CreateSub(param_count, cg.const_i64(values_.matrix_param_base)), cg.const_i64(width));
    CountedLoop rows(cg, count, "values");
    llvm::Value* first =
        b.CreateAdd(cg.const_i64(values_.matrix_param_base), b.CreateMul(rows.index(), cg.const_i64(width)));
    for (int64_t c = 0; c < width; ++c) {
      llvm::Value* index = b.CreateAdd(first, cg.const_i64(c));
      llvm::Value* datum = cg.gep(cg.params, b.CreateMul(index, cg.const_i64(sizeof(Datum))));
      const plan::OutputColumn& oc = values_.output[static_cast<size_t>(c)];
      p.bind(oc, sql::load_datum(cg, datum, oc.type));
    }
    p.set_next_row(rows.next());
    p.push(*this);
    rows.end();
  }

  const plan::ValuesOp& values_;
};

}  // namespace

std::unique_ptr<OperatorTranslator> make_values_translator(const plan::ValuesOp& op) {
  return std::make_unique<ValuesTranslator>(op);
}

}  // namespace omendb::codegen
