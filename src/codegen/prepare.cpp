// Running compiled plans: the runtime state comes from the layout the translators declared.
#include "codegen/jit.h"

namespace omendb::codegen {

void prepare(const CompiledPlan& compiled, runtime::ExecContext& ctx) {
  ctx.prepare(compiled.layout);
}

void execute(const CompiledPlan& compiled, runtime::ExecContext& ctx) {
  for (CompiledPlan::PipelineFn fn : compiled.pipelines) {
    fn(&ctx.qs);
    if (ctx.qs.status != 0) break;
  }
  ctx.raise_if_failed();
}

}  // namespace omendb::codegen
