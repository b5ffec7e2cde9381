// Runtime state for a plan, laid out exactly as the generated code of codegen/pipeline.cpp expects.
#include "codegen/jit.h"
#include "codegen/pipeline.h"

namespace omendb::codegen {

using plan::Op;
using plan::OpKind;

void prepare(const plan::PhysicalPlan& plan, runtime::ExecContext& ctx) {
  SlotMap slots = assign_slots(plan);
  ctx.scans.clear();
  ctx.sorts.clear();
  ctx.sorts.resize(static_cast<size_t>(plan.state_slots));
  ctx.aggs.clear();
  ctx.aggs.resize(static_cast<size_t>(plan.state_slots));
  ctx.targets.clear();
  size_t row_width = 0;
  auto visit = [&](const Op* op) {
    if (!op) return;
    switch (op->kind) {
      case OpKind::Sort: {
        runtime::SortSlot& s = ctx.sorts[static_cast<size_t>(op->state_slot)];
        const auto& cols = op->children[0]->output;
        s.types.clear();
        for (const auto& c : cols) s.types.push_back(c.type);
        s.keys.clear();
        for (const plan::SortKey& k : op->sort_keys) {
          for (size_t i = 0; i < cols.size(); ++i) {
            if (cols[i].id != k.column) continue;
            s.keys.push_back({static_cast<int>(i), cols[i].type, k.descending, k.nulls_first});
            break;
          }
        }
        break;
      }
      case OpKind::Aggregate:
        ctx.aggs[static_cast<size_t>(op->state_slot)].state.assign(2 * op->aggregates.size(), Datum{});
        break;
      case OpKind::Insert:
      case OpKind::Update:
      case OpKind::Delete:
        if (ctx.targets.empty()) ctx.targets.push_back(op->table);
        row_width = op->table->columns.size();
        break;
      default:
        break;
    }
  };
  for (size_t i = 0; i < plan.pipelines.size(); ++i) {
    const plan::Pipeline& p = plan.pipelines[i];
    if (slots.scan_slot[i] >= 0) {
      const Op& scan = *p.source;
      runtime::ScanSlot slot;
      slot.spec.table = scan.table;
      slot.spec.columns.assign(scan.table->columns.size(), false);
      for (int c : scan.scan_columns) slot.spec.columns[static_cast<size_t>(c)] = true;
      slot.spec.want_keys = scan.key_column >= 0;
      ctx.scans.push_back(std::move(slot));
    }
    visit(p.source);
    visit(p.sink);
  }
  ctx.out.assign(plan.result_columns.size(), Datum{});
  ctx.row.assign(row_width, Datum{});
  ctx.qs.out = ctx.out.data();
  ctx.qs.row = ctx.row.data();
  ctx.qs.status = 0;
}

void execute(const CompiledPlan& compiled, runtime::ExecContext& ctx) {
  for (CompiledPlan::PipelineFn fn : compiled.pipelines) {
    fn(&ctx.qs);
    if (ctx.qs.status != 0) break;
  }
  ctx.raise_if_failed();
}

}  // namespace omendb::codegen
