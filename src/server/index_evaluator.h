// The engine's storage::IndexEvaluator: computes the entries of expression and partial indexes
// (docs/schema.md, "Expression and partial indexes") with compiled code, for every write path storage has
// (INSERT, UPDATE, DELETE, upsert, COPY, foreign-key actions, index builds and table rewrites).
#pragma once

#include <memory>

#include "storage/store.h"

namespace omendb::codegen {
class Jit;
}

namespace omendb::engine {

// Plans, compiles (cached) and runs planner::plan_index_values with the row as parameters. The
// expressions are immutable (CREATE INDEX checks it), so no session state is needed: the time zone is
// UTC and no catalog function can be called.
std::shared_ptr<const storage::IndexEvaluator> make_index_evaluator(codegen::Jit& jit);

}  // namespace omendb::engine
