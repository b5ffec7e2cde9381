// IndexScan: the source of a pipeline over the rows a secondary index finds in a key range of its
// columns.
//
//   lower/upper = encode(index key range bounds from params); if any bound is NULL -> no rows
//   rt_scan_open(slot, lower_mode, upper_mode)              // storage walks the index entries visible
//                                                           // to the snapshot and reads each one's row
//   while ((batch = rt_scan_next(slot)) != NULL)            // as a table scan: one batch per call
//     for (i = 0; i < batch->count; ++i) {
//       col_k = ((T*)batch->columns[k].data)[i]; col_k.isnull = batch->columns[k].nulls[i]
//       <consume>                                           // the Filter above re-checks the predicate
//     }
#include "codegen/control.h"
#include "codegen/operators/scan_loop.h"
#include "codegen/operators/translators.h"

namespace omendb::codegen {

namespace {

class IndexScanTranslator final : public OperatorTranslator {
 public:
  explicit IndexScanTranslator(const plan::IndexScanOp& op) : OperatorTranslator(&op), scan_(op) {}

  void declare_state(runtime::QueryLayout& layout) override {
    storage::ScanSpec spec;
    spec.table = scan_.table;
    spec.columns.assign(scan_.table->columns.size(), false);
    for (int c : scan_.scan_columns) spec.columns[static_cast<size_t>(c)] = true;
    spec.want_keys = scan_.key_column >= 0;
    spec.index_id = scan_.index.id;
    spec.index_valid_from = scan_.index.valid_from_ts;
    slot_ = layout.add_scan(std::move(spec));
  }

  void produce(PipelineContext& p) override {
    llvm::Value* slot = p.cg.const_i32(slot_);
    open_range(p, slot);
    emit_scan_loop(p, *this, slot, scan_.output, scan_.scan_columns, scan_.key_column);
  }

 private:
  // Encodes the range's bounds (each index column's value as the index entries hold it) and opens the
  // cursor; a NULL bound matches no row (an index column compared with NULL is never true).
  void open_range(PipelineContext& p, llvm::Value* slot) {
    std::vector<TypeId> key_types;
    for (size_t i = 0; i < scan_.index.attnums.size(); ++i) key_types.push_back(scan_.key_type(i));
    llvm::Value* any_null = p.cg.false_();
    ScanOpenModes modes = emit_key_range(p, slot, scan_.range, key_types, any_null);
    emit_scan_open(p, slot, modes, any_null);
  }

  const plan::IndexScanOp& scan_;
  int slot_ = -1;
};

}  // namespace

std::unique_ptr<OperatorTranslator> make_index_scan_translator(const plan::IndexScanOp& op) {
  return std::make_unique<IndexScanTranslator>(op);
}

}  // namespace omendb::codegen
