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
    for (const plan::ZoneBound& z : scan_.zone) {
      storage::ZoneBound zb;
      zb.column = z.column;
      zb.has_lo = z.lower;
      zb.has_hi = z.upper;
      spec.zone.push_back(std::move(zb));
    }
    slot_ = layout.add_scan(std::move(spec));
  }

  void produce(PipelineContext& p) override {
    CodeGen& cg = p.cg;
    auto& b = cg.b;
    llvm::Value* slot = cg.const_i32(slot_);
    open_range(p, slot);

    Loop batches(cg, "scan.batch");
    llvm::Value* batch = cg.call("rt_scan_next", {cg.qs, slot});
    batches.continue_while(b.CreateIsNotNull(batch));
    llvm::Value* count = cg.load_at(cg.i64, batch, offsetof(storage::ColumnBatch, count), "count");
    llvm::Value* columns = cg.load_at(cg.ptr, batch, offsetof(storage::ColumnBatch, columns), "columns");
    struct ColumnPointers {
      llvm::Value* data;
      llvm::Value* nulls;
    };
    std::vector<ColumnPointers> cols;
    for (size_t k = 0; k < scan_.output.size(); ++k) {
      uint64_t base = static_cast<uint64_t>(scan_.scan_columns[k]) * sizeof(storage::ColumnVector);
      const std::string& name = scan_.output[k].name;
      cols.push_back(
          {cg.load_at(cg.ptr, columns, base + offsetof(storage::ColumnVector, data), name + ".data"),
           cg.load_at(cg.ptr, columns, base + offsetof(storage::ColumnVector, nulls), name + ".nulls")});
    }
    llvm::Value* keys = scan_.key_column >= 0
                            ? cg.load_at(cg.ptr, batch, offsetof(storage::ColumnBatch, keys), "keys")
                            : nullptr;

    CountedLoop rows(cg, count, "row");
    llvm::Value* i = rows.index();
    for (size_t k = 0; k < scan_.output.size(); ++k) {
      const plan::OutputColumn& oc = scan_.output[k];
      SqlValue v;
      v.type = oc.type;
      v.is_null = b.CreateICmpNE(b.CreateLoad(cg.i8, b.CreateGEP(cg.i8, cols[k].nulls, i)), cg.const_i8(0),
                                 oc.name + ".isnull");
      switch (oc.type) {
        case TypeId::Bool:
          v.value = b.CreateICmpNE(b.CreateLoad(cg.i8, b.CreateGEP(cg.i8, cols[k].data, i)), cg.const_i8(0),
                                   oc.name);
          break;
        case TypeId::Text:
        case TypeId::Unknown:
        case TypeId::Name:
        case TypeId::Char:
        case TypeId::Numeric: {  // a StrRef (numeric: common/numeric.h's bytes)
          v.type = oc.type == TypeId::Unknown ? TypeId::Text : oc.type;
          llvm::Value* ref = cg.gep(cols[k].data, b.CreateMul(i, cg.const_i64(sizeof(StrRef))));
          v.value = cg.load_at(cg.ptr, ref, 0, oc.name);
          v.length = cg.load_at(cg.i64, ref, 8, oc.name + ".len");
          break;
        }
        case TypeId::Interval: {  // dt::Interval: time, then the DayMonth word
          llvm::Value* at = cg.gep(cols[k].data, b.CreateMul(i, cg.const_i64(16)));
          v.value = cg.load_at(cg.i64, at, 0, oc.name);
          v.length = cg.load_at(cg.i64, at, 8, oc.name + ".dm");
          break;
        }
        default: {
          llvm::Type* t = cg.machine_type(oc.type);
          v.value = b.CreateLoad(t, b.CreateGEP(t, cols[k].data, i), oc.name);
          break;
        }
      }
      p.bind(oc, v);
    }
    if (keys) {
      llvm::Value* ref = cg.gep(keys, b.CreateMul(i, cg.const_i64(sizeof(StrRef))));
      p.bind(plan::OutputColumn{scan_.key_column, "key", TypeId::Text},
             SqlValue{TypeId::Text, cg.load_at(cg.ptr, ref, 0, "key"), cg.load_at(cg.i64, ref, 8, "key.len"),
                      cg.false_()});
    }
    p.set_next_row(rows.next());
    p.push(*this);
    rows.end();
    batches.end();
  }

 private:
  // Encodes the key range's bounds into the scan slot and opens the cursor; a NULL bound matches no
  // row, so the pipeline ends at once.
  void open_range(PipelineContext& p, llvm::Value* slot) {
    CodeGen& cg = p.cg;
    auto& b = cg.b;
    const plan::KeyRange& range = scan_.range;
    const storage::TableDef& table = *scan_.table;
    llvm::Value* any_null = cg.false_();
    auto append_key = [&](const plan::Expr& expr, size_t key_index, int which) {
      SqlValue v = p.eval(expr);
      any_null = b.CreateOr(any_null, v.is_null);
      TypeId column_type = table.columns[static_cast<size_t>(table.primary_key[key_index])].type;
      llvm::Value* w = cg.const_i32(which);
      PhysType phys = physical_type(column_type);
      if (phys == PhysType::Int32 || phys == PhysType::Int64) {  // integers, dates, times, timestamps
        llvm::Value* x = physical_type(v.type) == PhysType::Int64 ? v.value : b.CreateSExt(v.value, cg.i64);
        cg.call("rt_key_int", {cg.qs, slot, w, x});
      } else if (column_type == TypeId::Float64) {
        cg.call("rt_key_double", {cg.qs, slot, w, v.value});
      } else if (column_type == TypeId::Text) {
        cg.call("rt_key_text", {cg.qs, slot, w, v.value, sql::text_length(cg, v)});
      } else if (column_type == TypeId::Numeric) {
        cg.call("rt_key_numeric", {cg.qs, slot, w, v.value, sql::text_length(cg, v)});
      } else {
        cg.call("rt_key_bool", {cg.qs, slot, w, b.CreateZExt(v.value, cg.i32)});
      }
    };
    size_t key_index = 0;
    for (const plan::ExprPtr& eq : range.eq) append_key(*eq, key_index++, 2);
    int lower_mode = 0, upper_mode = 0;
    if (range.lower) {
      append_key(*range.lower, key_index, 0);
      lower_mode = range.lower_inclusive ? 0 : 1;
    }
    if (range.upper) {
      append_key(*range.upper, key_index, 1);
      upper_mode = range.upper_inclusive ? 1 : 2;
    } else if (!range.eq.empty()) {
      upper_mode = 1;  // through every key with the equality prefix
    }
    // Zone-map bounds (sealed blocks): evaluated once per open, like the key range.
    for (size_t i = 0; i < scan_.zone.size(); ++i) {
      const plan::ZoneBound& z = scan_.zone[i];
      SqlValue v = p.eval(*z.bound);
      TypeId column_type = table.columns[static_cast<size_t>(z.column)].type;
      llvm::Value* index = cg.const_i32(static_cast<int32_t>(i));
      llvm::Value* is_null = b.CreateZExt(v.is_null, cg.i32);
      if (is_integer(column_type)) {
        llvm::Value* x = v.type == TypeId::Int64 ? v.value : b.CreateSExt(v.value, cg.i64);
        cg.call("rt_zone_int", {cg.qs, slot, index, is_null, x});
      } else if (column_type == TypeId::Float64) {
        cg.call("rt_zone_double", {cg.qs, slot, index, is_null, v.value});
      } else {
        cg.call("rt_zone_text", {cg.qs, slot, index, is_null, v.value, sql::text_length(cg, v)});
      }
    }
    cg.branch_if(any_null, p.done(), "scan.open");
    cg.call("rt_scan_open", {cg.qs, slot, cg.const_i32(lower_mode), cg.const_i32(upper_mode)});
    cg.exit_if_failed();
  }

  const plan::TableScanOp& scan_;
  int slot_ = -1;
};

}  // namespace

std::unique_ptr<OperatorTranslator> make_table_scan_translator(const plan::TableScanOp& op) {
  return std::make_unique<TableScanTranslator>(op);
}

}  // namespace omendb::codegen
