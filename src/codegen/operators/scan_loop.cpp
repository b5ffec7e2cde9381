#include "codegen/operators/scan_loop.h"

#include "codegen/control.h"
#include "storage/column_batch.h"

namespace omendb::codegen {

void emit_scan_loop(PipelineContext& p, OperatorTranslator& source, llvm::Value* slot,
                    const std::vector<plan::OutputColumn>& output, const std::vector<int>& scan_columns,
                    plan::ColumnId key_column) {
  CodeGen& cg = p.cg;
  auto& b = cg.b;
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
  for (size_t k = 0; k < output.size(); ++k) {
    uint64_t base = static_cast<uint64_t>(scan_columns[k]) * sizeof(storage::ColumnVector);
    const std::string& name = output[k].name;
    cols.push_back(
        {cg.load_at(cg.ptr, columns, base + offsetof(storage::ColumnVector, data), name + ".data"),
         cg.load_at(cg.ptr, columns, base + offsetof(storage::ColumnVector, nulls), name + ".nulls")});
  }
  llvm::Value* keys =
      key_column >= 0 ? cg.load_at(cg.ptr, batch, offsetof(storage::ColumnBatch, keys), "keys") : nullptr;

  CountedLoop rows(cg, count, "row");
  llvm::Value* i = rows.index();
  for (size_t k = 0; k < output.size(); ++k) {
    const plan::OutputColumn& oc = output[k];
    SqlValue v;
    v.type = oc.type;
    v.is_null = b.CreateICmpNE(b.CreateLoad(cg.i8, b.CreateGEP(cg.i8, cols[k].nulls, i)), cg.const_i8(0),
                               oc.name + ".isnull");
    switch (oc.type) {
      case TypeId::Bool:
        v.value =
            b.CreateICmpNE(b.CreateLoad(cg.i8, b.CreateGEP(cg.i8, cols[k].data, i)), cg.const_i8(0), oc.name);
        break;
      case TypeId::Text:
      case TypeId::Unknown:
      case TypeId::Name:
      case TypeId::Char:
      case TypeId::BpChar:
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
        if (physical_type(oc.type) == PhysType::Text) {  // arrays: StrRefs (common/array.h's bytes)
          llvm::Value* ref = cg.gep(cols[k].data, b.CreateMul(i, cg.const_i64(sizeof(StrRef))));
          v.value = cg.load_at(cg.ptr, ref, 0, oc.name);
          v.length = cg.load_at(cg.i64, ref, 8, oc.name + ".len");
          break;
        }
        llvm::Type* t = cg.machine_type(oc.type);
        v.value = b.CreateLoad(t, b.CreateGEP(t, cols[k].data, i), oc.name);
        break;
      }
    }
    p.bind(oc, v);
  }
  if (keys) {
    llvm::Value* ref = cg.gep(keys, b.CreateMul(i, cg.const_i64(sizeof(StrRef))));
    p.bind(plan::OutputColumn{key_column, "key", TypeId::Text},
           SqlValue{TypeId::Text, cg.load_at(cg.ptr, ref, 0, "key"), cg.load_at(cg.i64, ref, 8, "key.len"),
                    cg.false_()});
  }
  p.set_next_row(rows.next());
  p.push(source);
  rows.end();
  batches.end();
}

namespace {

// Evaluates `bound` and appends it, encoded as a key of `column_type`, to the slot's lower (which 0),
// upper (1) or both (2) bounds (rt_key_*). ORs its NULL flag into `any_null`.
void emit_key_bound(PipelineContext& p, llvm::Value* slot, const plan::Expr& bound, TypeId column_type,
                    int which, llvm::Value*& any_null) {
  CodeGen& cg = p.cg;
  auto& b = cg.b;
  SqlValue v = p.eval(bound);
  any_null = b.CreateOr(any_null, v.is_null);
  llvm::Value* w = cg.const_i32(which);
  PhysType phys = physical_type(column_type);
  if (phys == PhysType::Int32 || phys == PhysType::Int64) {  // integers, dates, times, timestamps
    llvm::Value* x = physical_type(v.type) == PhysType::Int64 ? v.value : b.CreateSExt(v.value, cg.i64);
    cg.call("rt_key_int", {cg.qs, slot, w, x});
  } else if (is_float(column_type)) {  // a real key is its double's key
    cg.call("rt_key_double", {cg.qs, slot, w, v.value});
  } else if (column_type == TypeId::BpChar) {  // keyed without its padding (storage/key_codec.h)
    SqlValue t = sql::cast(cg, v, TypeId::Text);
    cg.call("rt_key_text", {cg.qs, slot, w, t.value, sql::text_length(cg, t)});
  } else if (column_type == TypeId::Text || is_binary_type(column_type)) {  // bytea, uuid: keyed as text
    cg.call("rt_key_text", {cg.qs, slot, w, v.value, sql::text_length(cg, v)});
  } else if (column_type == TypeId::Numeric) {
    cg.call("rt_key_numeric", {cg.qs, slot, w, v.value, sql::text_length(cg, v)});
  } else {
    cg.call("rt_key_bool", {cg.qs, slot, w, b.CreateZExt(v.value, cg.i32)});
  }
}

}  // namespace

ScanOpenModes emit_key_range(PipelineContext& p, llvm::Value* slot, const plan::KeyRange& range,
                             const std::vector<TypeId>& key_types, llvm::Value*& any_null) {
  size_t position = 0;
  for (const plan::ExprPtr& eq : range.eq)
    emit_key_bound(p, slot, *eq, key_types.at(position++), 2, any_null);
  ScanOpenModes modes;
  if (range.lower) {
    emit_key_bound(p, slot, *range.lower, key_types.at(position), 0, any_null);
    modes.lower = range.lower_inclusive ? 0 : 1;
  }
  if (range.upper) {
    emit_key_bound(p, slot, *range.upper, key_types.at(position), 1, any_null);
    modes.upper = range.upper_inclusive ? 1 : 2;
  } else if (!range.eq.empty()) {
    modes.upper = 1;  // through every key with the equality prefix
  }
  return modes;
}

void emit_scan_open(PipelineContext& p, llvm::Value* slot, ScanOpenModes modes, llvm::Value* any_null) {
  CodeGen& cg = p.cg;
  cg.branch_if(any_null, p.done(), "scan.open");
  cg.call("rt_scan_open", {cg.qs, slot, cg.const_i32(modes.lower), cg.const_i32(modes.upper)});
  cg.exit_if_failed();
}

}  // namespace omendb::codegen
