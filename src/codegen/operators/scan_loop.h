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

// Evaluates `bound` and appends it, encoded as a key of `column_type`, to the slot's lower (which 0),
// upper (1) or both (2) bounds (rt_key_*). ORs its NULL flag into `any_null`.
void emit_key_bound(PipelineContext& p, llvm::Value* slot, const plan::Expr& bound, TypeId column_type,
                    int which, llvm::Value*& any_null);

}  // namespace omendb::codegen
