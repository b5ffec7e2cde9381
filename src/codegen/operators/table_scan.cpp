// TableScan: the source of a pipeline over a table's rows within a primary-key range.
//
//   lower/upper = encode(key range bounds from params); if any bound is NULL -> no rows
//   rt_scan_open(slot, lower_mode, upper_mode)
//   while ((batch = rt_scan_next(slot)) != NULL)            // one runtime call per batch
//     for (i = 0; i < batch->count; ++i) {                  // the pipeline's tight loop
//       col_k = ((T*)batch->columns[k].data)[i]; col_k.isnull = batch->columns[k].nulls[i]
//       <consume>
//     }
#include "codegen/control.h"
#include "codegen/operators/scan_loop.h"
#include "codegen/operators/translators.h"
#include "storage/column_batch.h"

namespace omendb::codegen {

namespace {

class TableScanTranslator final : public OperatorTranslator {
 public:
  explicit TableScanTranslator(const plan::TableScanOp& op) : OperatorTranslator(&op), scan_(op) {}

  void declare_state(runtime::QueryLayout& layout) override {
    storage::ScanSpec spec;
    spec.table = scan_.table;
    spec.columns.assign(scan_.table->columns.size(), false);
    for (int c : scan_.scan_columns) spec.columns[static_cast<size_t>(c)] = true;
    spec.want_keys = scan_.key_column >= 0;
    spec.unordered = scan_.unordered;
    for (const plan::ZoneBound& z : scan_.zone) {
      storage::ZoneBound zb;
      zb.column = z.column;
      zb.has_lo = z.lower;
      zb.has_hi = z.upper;
      zb.slack = z.slack;
      spec.zone.push_back(std::move(zb));
    }
    slot_ = layout.add_scan(std::move(spec));
  }

  void produce(PipelineContext& p) override {
    llvm::Value* slot = p.cg.const_i32(slot_);
    open_range(p, slot);
    emit_scan_loop(p, *this, slot, scan_.output, scan_.scan_columns, scan_.key_column);
  }

 private:
  // Encodes the key range's bounds into the scan slot and opens the cursor; a NULL bound matches no
  // row, so the pipeline ends at once.
  void open_range(PipelineContext& p, llvm::Value* slot) {
    CodeGen& cg = p.cg;
    auto& b = cg.b;
    const plan::KeyRange& range = scan_.range;
    const storage::TableDef& table = *scan_.table;
    std::vector<TypeId> key_types;
    for (int c : table.primary_key) key_types.push_back(table.columns[static_cast<size_t>(c)].type);
    llvm::Value* any_null = cg.false_();
    ScanOpenModes modes = emit_key_range(p, slot, range, key_types, any_null);
    // Zone-map bounds (sealed blocks): evaluated once per open, like the key range.
    for (size_t i = 0; i < scan_.zone.size(); ++i) {
      const plan::ZoneBound& z = scan_.zone[i];
      SqlValue v = p.eval(*z.bound);
      TypeId column_type = table.columns[static_cast<size_t>(z.column)].type;
      llvm::Value* index = cg.const_i32(static_cast<int32_t>(i));
      llvm::Value* is_null = b.CreateZExt(v.is_null, cg.i32);
      switch (physical_type(column_type)) {
        case PhysType::Int32:  // integers, dates, times, timestamps
        case PhysType::Int64: {
          llvm::Value* x = physical_type(v.type) == PhysType::Int64 ? v.value : b.CreateSExt(v.value, cg.i64);
          cg.call("rt_zone_int", {cg.qs, slot, index, is_null, x});
          break;
        }
        case PhysType::Float64:
          cg.call("rt_zone_double", {cg.qs, slot, index, is_null, v.value});
          break;
        default:  // text, numeric, bytea, uuid (choose_zone pushes no other type)
          cg.call("rt_zone_text", {cg.qs, slot, index, is_null, v.value, sql::text_length(cg, v)});
          break;
      }
    }
    emit_scan_open(p, slot, modes, any_null);
  }

  const plan::TableScanOp& scan_;
  int slot_ = -1;
};

}  // namespace

std::unique_ptr<OperatorTranslator> make_table_scan_translator(const plan::TableScanOp& op) {
  return std::make_unique<TableScanTranslator>(op);
}

}  // namespace omendb::codegen
