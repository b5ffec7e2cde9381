// Internal to codegen: what the two scan translators (TableScan, IndexScan) emit alike: the loop over a
// storage cursor's batches and rows, and the encoding of one key bound into a scan slot.
#pragma once

#include <vector>

#include "codegen/operator_translator.h"

namespace omendb::codegen {

// Emits, for the open cursor of scan slot `slot`:
//   while ((batch = rt_scan_next(slot)) != NULL)
//     for (i = 0; i < batch->count; ++i) { bind the output columns (and the row's key); <consume> }
// `output[k]` is table column `scan_columns[k]`; `key_column` >= 0 binds each row's storage key.
void emit_scan_loop(PipelineContext& p, OperatorTranslator& source, llvm::Value* slot,
                    const std::vector<plan::OutputColumn>& output, const std::vector<int>& scan_columns,
                    plan::ColumnId key_column);

// Appends a key range's bounds to scan slot `slot`, each bound encoded as the key of its position's type
// (`key_types[i]`: key position i): every equality of range.eq to both bounds, then range.lower /
// range.upper on the next position. ORs the bounds' NULL flags into `any_null` and returns
// rt_scan_open's lower and upper modes.
struct ScanOpenModes {
  int lower = 0;
  int upper = 0;
};
ScanOpenModes emit_key_range(PipelineContext& p, llvm::Value* slot, const plan::KeyRange& range,
                             const std::vector<TypeId>& key_types, llvm::Value*& any_null);

// Opens the slot's cursor, unless `any_null`: a NULL bound matches no row, so the pipeline ends at once.
void emit_scan_open(PipelineContext& p, llvm::Value* slot, ScanOpenModes modes, llvm::Value* any_null);

}  // namespace omendb::codegen
