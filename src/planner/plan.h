// The bound, typed plan: what the binder/optimizer produce and codegen consumes. An operator tree
// (operators.h) cut into pipelines.
#pragma once

#include <cstdint>
#include <vector>

#include "planner/expr.h"
#include "planner/operators.h"

namespace omendb::plan {

// A pipeline runs one tight loop: rows come from `source`, pass `operators` in order, and end in `sink`.
//   source:    an operator whose role is Source or Breaker (a breaker reads back the state an earlier
//              pipeline built: sorted rows, aggregate results)
//   operators: Streaming operators (Filter, Project, Limit)
//   sink:      a Breaker (builds its state) or a Sink (Insert/Update/Delete, a Subquery's result, a
//              materialized CTE's rows), or
//              nullptr: the query result
// `dependencies` lists the pipelines that must have run before this one (the one that built the state
// its source reads, a join's build side, a CTE its CteScanOp source reads, a subquery it reads).
// PhysicalPlan::pipelines is in a valid execution order.
struct Pipeline {
  const Op* source = nullptr;
  std::vector<const Op*> operators;
  const Op* sink = nullptr;
  std::vector<int> dependencies;
  // >= 0: a pipeline of correlated subquery `correlated` (SubqueryOp::correlated), not run in the plan's
  // order but by each ExprOp::Apply of it, with the subquery's other pipelines, in this order.
  int correlated = -1;
  // >= 0: a pipeline of the recursive term of RecursiveUnionOp `recursive` (its index), not run in the
  // plan's order but by the pipeline reading that operator, once per iteration, with the term's other
  // pipelines, in this order (the innermost recursive union's, when they nest).
  int recursive = -1;
};

struct PhysicalPlan {
  OpPtr root;
  // Subqueries used as expressions (ExprOp::Subquery, InSubquery): each a tree whose root is a SubqueryOp
  // with index i; materialized CTEs: trees whose root is a CteOp (never read by an expression), among
  // them a data-modifying WITH item with RETURNING (its INSERT / UPDATE / DELETE under the CteOp); and a
  // data-modifying WITH item without RETURNING: its Insert / Update / Upsert / Delete sink, read by nothing.
  // In order of completion, which is an execution order: a subquery or CTE used inside another comes first.
  // The uncorrelated ones run first, in this order; a correlated one runs where an ExprOp::Apply needs it.
  std::vector<OpPtr> subplans;
  std::vector<Pipeline> pipelines;           // in execution order (dependencies first)
  std::vector<OutputColumn> result_columns;  // the rows sent to the client (empty for DML)
  uint64_t estimated_rows = 0;               // rows the plan is expected to touch (picks the JIT tier)
};

}  // namespace omendb::plan
