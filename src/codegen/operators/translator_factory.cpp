// The one switch over operator kinds in codegen: it only picks the operator's translator.
#include "codegen/operators/translators.h"
#include "common/error.h"

namespace omendb::codegen {

std::unique_ptr<OperatorTranslator> make_translator(const plan::Op& op) {
  using plan::OpKind;
  switch (op.kind) {
    case OpKind::TableScan:
      return make_table_scan_translator(op.as<plan::TableScanOp>());
    case OpKind::IndexScan:
      return make_index_scan_translator(op.as<plan::IndexScanOp>());
    case OpKind::Values:
      return make_values_translator(op.as<plan::ValuesOp>());
    case OpKind::Filter:
      return make_filter_translator(op.as<plan::FilterOp>());
    case OpKind::Project:
      return make_project_translator(op.as<plan::ProjectOp>());
    case OpKind::Limit:
      return make_limit_translator(op.as<plan::LimitOp>());
    case OpKind::Aggregate:
      return make_aggregate_translator(op.as<plan::AggregateOp>());
    case OpKind::HashAggregate:
      return make_hash_aggregate_translator(op.as<plan::HashAggregateOp>());
    case OpKind::Sort:
      return make_sort_translator(op.as<plan::SortOp>());
    case OpKind::HashJoin:
      return make_hash_join_translator(op.as<plan::HashJoinOp>());
    case OpKind::NestedLoopJoin:
      return make_nested_loop_join_translator(op.as<plan::NestedLoopJoinOp>());
    case OpKind::LockRows:
      return make_lock_rows_translator(op.as<plan::LockRowsOp>());
    case OpKind::Insert:
      return make_insert_translator(op.as<plan::InsertOp>());
    case OpKind::Update:
      return make_update_translator(op.as<plan::UpdateOp>());
    case OpKind::Delete:
      return make_delete_translator(op.as<plan::DeleteOp>());
    case OpKind::UnionAll:
      return make_union_all_translator(op.as<plan::UnionAllOp>());
    case OpKind::Repeat:
      return make_repeat_translator(op.as<plan::RepeatOp>());
    case OpKind::FunctionScan:
      return make_function_scan_translator(op.as<plan::FunctionScanOp>());
    case OpKind::Upsert:
      return make_upsert_translator(op.as<plan::UpsertOp>());
    case OpKind::Subquery:
      return make_subquery_translator(op.as<plan::SubqueryOp>());
    case OpKind::Window:
      return make_window_translator(op.as<plan::WindowOp>());
    case OpKind::RecursiveUnion:
      return make_recursive_union_translator(op.as<plan::RecursiveUnionOp>());
    case OpKind::WorkTableScan:
      return make_work_table_scan_translator(op.as<plan::WorkTableScanOp>());
    case OpKind::Cte:
      return make_cte_translator(op.as<plan::CteOp>());
    case OpKind::CteScan:
      return make_cte_scan_translator(op.as<plan::CteScanOp>());
  }
  throw SqlError(SqlState::InternalError,
                 "codegen: no translator for operator kind " + std::to_string(static_cast<int>(op.kind)));
}

}  // namespace omendb::codegen
