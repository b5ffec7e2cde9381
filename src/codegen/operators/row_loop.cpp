// Rows of Datums in a runtime buffer (sorted rows, a union's rows, a window's, a recursive union's working
// table, a materialized CTE's), as the translators that fill and read them emit them.
#include <algorithm>

#include "codegen/control.h"
#include "codegen/operators/translators.h"
#include "common/datum.h"

namespace omendb::codegen {

void emit_row_loop(PipelineContext& p, const OperatorTranslator& source, llvm::Value* rows,
                   llvm::Value* count, const std::vector<plan::OutputColumn>& columns,
                   const std::string& name) {
  CodeGen& cg = p.cg;
  const size_t stride = std::max<size_t>(columns.size(), 1);
  CountedLoop loop(cg, count, name);
  llvm::Value* row =
      cg.gep(rows, cg.b.CreateMul(loop.index(), cg.const_i64(static_cast<int64_t>(stride * sizeof(Datum)))));
  for (size_t c = 0; c < columns.size(); ++c)
    p.bind(columns[c], sql::load_datum(cg, cg.gep(row, c * sizeof(Datum)), columns[c].type));
  p.set_next_row(loop.next());
  p.push(source);
  loop.end();
}

void store_row(PipelineContext& p, const plan::Op& input, size_t width, llvm::Value* row) {
  CodeGen& cg = p.cg;
  for (size_t c = 0; c < width; ++c)
    sql::store_datum(cg, p.column(input.output.at(c).id), cg.gep(row, c * sizeof(Datum)));
  if (width == 0) sql::store_datum(cg, sql::constant(cg, Value::int64(0), TypeId::Int64), row);
}

void append_buffer_row(PipelineContext& p, const plan::Op& input, size_t width, int slot,
                       const std::string& name) {
  CodeGen& cg = p.cg;
  llvm::Value* s = cg.const_i32(slot);
  llvm::Value* row = cg.call("rt_sort_row", {cg.qs, s});
  cg.branch_if(cg.b.CreateIsNull(row), cg.exit, name + ".store");  // out of memory
  store_row(p, input, width, row);
  cg.call("rt_sort_row_done", {cg.qs, s});
}

void emit_buffer_loop(PipelineContext& p, const OperatorTranslator& source, int slot,
                      const std::vector<plan::OutputColumn>& columns, const std::string& name) {
  CodeGen& cg = p.cg;
  llvm::Value* s = cg.const_i32(slot);
  llvm::Value* count = cg.call("rt_sort_finish", {cg.qs, s});
  cg.exit_if_failed();
  llvm::Value* rows = cg.call("rt_sort_rows", {cg.qs, s});
  emit_row_loop(p, source, rows, count, columns, name);
}

}  // namespace omendb::codegen
