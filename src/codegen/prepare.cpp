// Running compiled plans: the runtime state comes from the layout the translators declared.
#include "codegen/jit.h"
#include "common/error.h"
#include "common/interrupt.h"

namespace omendb::codegen {

void prepare(const CompiledPlan& compiled, runtime::ExecContext& ctx) {
  ctx.prepare(compiled.layout);
  for (size_t k = 0; k < compiled.layout.correlated.size(); ++k)
    for (size_t i : compiled.layout.correlated[k].pipelines)
      ctx.correlated[k].pipelines.push_back(compiled.pipelines.at(i));
  for (size_t k = 0; k < compiled.layout.recursive_terms.size(); ++k)
    for (size_t i : compiled.layout.recursive_terms[k].pipelines)
      ctx.recursive_terms[k].pipelines.push_back(compiled.pipelines.at(i));
}

// A correlated subquery's pipelines run when an Apply needs them (ExecContext::run_correlated), a recursive
// term's once per iteration of its RecursiveUnion (ExecContext::run_recursive_term). Loops inside one
// value's computation see the statement's cancel flag and deadline (poll_interrupt).
void execute(const CompiledPlan& compiled, runtime::ExecContext& ctx) {
  if (!compiled.layout.targets.empty() && !ctx.writer)  // a caller that reads only ran a writing plan
    throw SqlError(SqlState::InternalError, "a plan that writes rows was run without a statement writer");
  InterruptScope interrupts(ctx.cancel, ctx.deadline);
  const std::vector<bool>& per_row = compiled.layout.per_row_pipelines;
  for (size_t i = 0; i < compiled.pipelines.size(); ++i) {
    if (i < per_row.size() && per_row[i]) continue;
    compiled.pipelines[i](&ctx.qs);
    if (ctx.qs.status != 0) break;
  }
  ctx.raise_if_failed();
}

}  // namespace omendb::codegen
