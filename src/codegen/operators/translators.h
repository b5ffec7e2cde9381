// Internal to codegen: the constructor of each operator's translator, one per file in this folder.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "codegen/operator_translator.h"

namespace omendb::codegen {

std::unique_ptr<OperatorTranslator> make_table_scan_translator(const plan::TableScanOp& op);
std::unique_ptr<OperatorTranslator> make_index_scan_translator(const plan::IndexScanOp& op);
std::unique_ptr<OperatorTranslator> make_values_translator(const plan::ValuesOp& op);
std::unique_ptr<OperatorTranslator> make_filter_translator(const plan::FilterOp& op);
std::unique_ptr<OperatorTranslator> make_project_translator(const plan::ProjectOp& op);
std::unique_ptr<OperatorTranslator> make_limit_translator(const plan::LimitOp& op);
std::unique_ptr<OperatorTranslator> make_aggregate_translator(const plan::AggregateOp& op);
std::unique_ptr<OperatorTranslator> make_hash_aggregate_translator(const plan::HashAggregateOp& op);
std::unique_ptr<OperatorTranslator> make_sort_translator(const plan::SortOp& op);
std::unique_ptr<OperatorTranslator> make_hash_join_translator(const plan::HashJoinOp& op);
std::unique_ptr<OperatorTranslator> make_nested_loop_join_translator(const plan::NestedLoopJoinOp& op);
std::unique_ptr<OperatorTranslator> make_lock_rows_translator(const plan::LockRowsOp& op);
std::unique_ptr<OperatorTranslator> make_insert_translator(const plan::InsertOp& op);
std::unique_ptr<OperatorTranslator> make_update_translator(const plan::UpdateOp& op);
std::unique_ptr<OperatorTranslator> make_delete_translator(const plan::DeleteOp& op);
std::unique_ptr<OperatorTranslator> make_union_all_translator(const plan::UnionAllOp& op);
std::unique_ptr<OperatorTranslator> make_repeat_translator(const plan::RepeatOp& op);
std::unique_ptr<OperatorTranslator> make_upsert_translator(const plan::UpsertOp& op);
std::unique_ptr<OperatorTranslator> make_subquery_translator(const plan::SubqueryOp& op);
std::unique_ptr<OperatorTranslator> make_window_translator(const plan::WindowOp& op);
std::unique_ptr<OperatorTranslator> make_function_scan_translator(const plan::FunctionScanOp& op);
std::unique_ptr<OperatorTranslator> make_recursive_union_translator(const plan::RecursiveUnionOp& op);
std::unique_ptr<OperatorTranslator> make_work_table_scan_translator(const plan::WorkTableScanOp& op);
std::unique_ptr<OperatorTranslator> make_cte_translator(const plan::CteOp& op);
std::unique_ptr<OperatorTranslator> make_cte_scan_translator(const plan::CteScanOp& op);

// The loop of a source reading `count` contiguous rows of Datums at `rows` (a runtime buffer: sorted rows, a
// union's rows, a window's, a working table, a materialized CTE's), columns[c] at Datum c of a row (a row of
// no columns takes one Datum); each row's columns are bound and the row pushed on from `source`:
//   for (i = 0; i < count; ++i) { row = rows + i * max(width, 1); col_c = row[c] ...; <consume> }
void emit_row_loop(PipelineContext& p, const OperatorTranslator& source, llvm::Value* rows,
                   llvm::Value* count, const std::vector<plan::OutputColumn>& columns,
                   const std::string& name);
// Stores the first `width` columns of `input`'s current row into the Datums at `row` (for a row of no
// columns, one Int64 0, so that it still counts).
void store_row(PipelineContext& p, const plan::Op& input, size_t width, llvm::Value* row);
// Appends `input`'s current row (its first `width` columns) to the row buffer in sort slot `slot` (a
// runtime::Sorter without keys: UnionAll, a materialized CTE):
//   row = rt_sort_row(); if (!row) return;   // out of memory (53200 recorded)
//   row[c] = input.col_c ...; rt_sort_row_done()
void append_buffer_row(PipelineContext& p, const plan::Op& input, size_t width, int slot,
                       const std::string& name);
// The loop of a source reading the rows of the row buffer in sort slot `slot` (emit_row_loop):
//   n = rt_sort_finish(); if (failed) return; rows = rt_sort_rows(); for (i < n) { ... }
void emit_buffer_loop(PipelineContext& p, const OperatorTranslator& source, int slot,
                      const std::vector<plan::OutputColumn>& columns, const std::string& name);

// The CHECK constraints of a DML sink over the row it is about to write (already in QueryState::row):
//   for each predicate i:  if (<predicate over values> IS FALSE) { rt_check_failed(target, i); return; }
// (NULL passes, as in SQL.) Shared by Insert, Update and Upsert.
void emit_row_checks(PipelineContext& p, const plan::RowChecks& checks, const std::vector<SqlValue>& values,
                     int target);

}  // namespace omendb::codegen
