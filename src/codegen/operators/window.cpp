// Window: a breaker over a runtime::WindowBuffer (rows sorted by partition, then order keys, by the
// runtime's Sorter; each window function computed over them by the runtime, PostgreSQL's semantics).
//   build (sink of the input pipeline), per row:   row = rt_window_row(); row[c] = col_c ...;
//                                                  rt_window_row_done()
//   read (source of the next pipeline):            for each function with frame offsets:
//                                                    rt_window_set_frame(f, start, end)
//                                                  n = rt_window_finish(); rows = rt_window_rows();
//                                                  for (i < n) { col_c = rows[i * width + c] (input
//                                                    columns, then one per function); <consume> }
#include "codegen/control.h"
#include "codegen/operators/translators.h"
#include "common/datum.h"
#include "common/error.h"

namespace omendb::codegen {

namespace {

class WindowTranslator final : public OperatorTranslator {
 public:
  explicit WindowTranslator(const plan::WindowOp& op) : OperatorTranslator(&op), window_(op) {}

  void declare_state(runtime::QueryLayout& layout) override {
    const auto& cols = window_.children.at(0)->output;
    auto index_of = [&](plan::ColumnId id) {
      for (size_t i = 0; i < cols.size(); ++i)
        if (cols[i].id == id) return static_cast<int>(i);
      throw SqlError(SqlState::InternalError, "codegen: window column not in its input");
    };
    runtime::WindowSpec spec;
    for (const auto& c : cols) spec.types.push_back(c.type);
    for (plan::ColumnId id : window_.partition_keys) {
      int i = index_of(id);
      spec.partition.push_back({i, cols[static_cast<size_t>(i)].type, false, false});
    }
    for (const plan::SortKey& k : window_.order_keys) {
      int i = index_of(k.column);
      spec.order.push_back({i, cols[static_cast<size_t>(i)].type, k.descending, k.nulls_first});
    }
    for (const plan::WindowCall& call : window_.functions) {
      runtime::WindowFunctionSpec f;
      f.func = call.func;
      for (plan::ColumnId a : call.args) f.args.push_back(index_of(a));
      if (!f.args.empty()) f.arg_type = cols[static_cast<size_t>(f.args[0])].type;
      f.type = call.type;
      f.rows = call.frame.rows;
      f.groups = call.frame.groups;
      f.exclude = call.frame.exclude;
      f.start = call.frame.start;
      f.end = call.frame.end;
      if (call.frame.range_key >= 0) {
        f.range_key = index_of(call.frame.range_key);
        f.range_type = cols[static_cast<size_t>(f.range_key)].type;
      }
      if (call.frame.start_bound >= 0) f.start_bound = index_of(call.frame.start_bound);
      if (call.frame.end_bound >= 0) f.end_bound = index_of(call.frame.end_bound);
      spec.functions.push_back(std::move(f));
    }
    slot_ = layout.add_window(std::move(spec));
  }

  void consume(PipelineContext& p) override {
    CodeGen& cg = p.cg;
    llvm::Value* slot = cg.const_i32(slot_);
    llvm::Value* row = cg.call("rt_window_row", {cg.qs, slot});
    cg.branch_if(cg.b.CreateIsNull(row), cg.exit, "window.store");  // out of memory
    const auto& cols = window_.children.at(0)->output;
    for (size_t c = 0; c < cols.size(); ++c)
      sql::store_datum(cg, p.column(cols[c].id), cg.gep(row, c * sizeof(Datum)));
    cg.call("rt_window_row_done", {cg.qs, slot});
  }

  void produce(PipelineContext& p) override {
    CodeGen& cg = p.cg;
    auto& b = cg.b;
    llvm::Value* slot = cg.const_i32(slot_);
    // Frame offsets: row-independent, evaluated once (the runtime checks NULL and negative values).
    for (size_t f = 0; f < window_.functions.size(); ++f) {
      const plan::WindowFrame& frame = window_.functions[f].frame;
      if (!frame.start_offset && !frame.end_offset) continue;
      auto offset = [&](const plan::ExprPtr& e, llvm::Value*& value, llvm::Value*& is_null) {
        value = cg.const_i64(0);
        is_null = cg.const_i32(0);
        if (!e) return;
        SqlValue v = p.eval(*e);
        value = v.type == TypeId::Int64 ? v.value : b.CreateSExt(v.value, cg.i64);
        is_null = b.CreateZExt(v.is_null, cg.i32);
      };
      llvm::Value *start, *start_null, *end, *end_null;
      offset(frame.start_offset, start, start_null);
      offset(frame.end_offset, end, end_null);
      cg.call("rt_window_set_frame",
              {cg.qs, slot, cg.const_i32(static_cast<int64_t>(f)), start, start_null, end, end_null});
      cg.exit_if_failed();
    }
    llvm::Value* count = cg.call("rt_window_finish", {cg.qs, slot});
    cg.exit_if_failed();  // errors of the functions, out of memory, a cancel
    llvm::Value* rows = cg.call("rt_window_rows", {cg.qs, slot});
    emit_row_loop(p, *this, rows, count, window_.output, "window");
  }

 private:
  const plan::WindowOp& window_;
  int slot_ = -1;
};

}  // namespace

std::unique_ptr<OperatorTranslator> make_window_translator(const plan::WindowOp& op) {
  return std::make_unique<WindowTranslator>(op);
}

}  // namespace omendb::codegen
