// The cut into pipelines, the shape key and EXPLAIN: each walks the operator tree and asks every
// operator about itself (role, write_shape, explain); none switches over operator kinds.
#include <algorithm>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>

#include "common/error.h"

#include "planner/planner.h"
#include "planner/planner_internal.h"

namespace omendb::planner {

namespace detail {

namespace {

using plan::Op;
using plan::Pipeline;
using plan::PipelineRole;

// Returns the pipeline `op`'s rows flow in, with `op` appended to it. Pipelines a breaker ends are
// appended to plan.pipelines as they finish, which is an execution order: a breaker's input pipeline
// comes before the pipeline that reads the breaker's state (recorded in `dependencies`).
Pipeline open_pipeline(const Op& op, plan::PhysicalPlan& plan) {
  switch (op.role()) {
    case PipelineRole::Source: {
      Pipeline p;
      p.source = &op;
      return p;
    }
    case PipelineRole::Streaming: {
      Pipeline p = open_pipeline(*op.children.at(0), plan);
      p.operators.push_back(&op);
      return p;
    }
    case PipelineRole::Breaker: {
      // One input pipeline per child (UnionAll has several), in order, each ending in the breaker.
      Pipeline next;
      next.source = &op;
      for (const auto& child : op.children) {
        Pipeline p = open_pipeline(*child, plan);
        p.sink = &op;
        plan.pipelines.push_back(std::move(p));
        next.dependencies.push_back(static_cast<int>(plan.pipelines.size()) - 1);
      }
      return next;
    }
    case PipelineRole::Join: {
      // The build side's pipeline ends in the join; the probe side's continues through it, after it.
      Pipeline build = open_pipeline(*op.children.at(0), plan);
      build.sink = &op;
      plan.pipelines.push_back(std::move(build));
      int build_index = static_cast<int>(plan.pipelines.size()) - 1;
      Pipeline p = open_pipeline(*op.children.at(1), plan);
      p.operators.push_back(&op);
      p.dependencies.push_back(build_index);
      return p;
    }
    case PipelineRole::Recursive: {
      // The non-recursive term's pipeline runs before the reading one; the recursive term's pipelines
      // are run by the reading one, once per iteration, and none depends on them.
      Pipeline next;
      next.source = &op;
      Pipeline seed = open_pipeline(*op.children.at(0), plan);
      seed.sink = &op;
      plan.pipelines.push_back(std::move(seed));
      next.dependencies.push_back(static_cast<int>(plan.pipelines.size()) - 1);
      const size_t first = plan.pipelines.size();
      Pipeline step = open_pipeline(*op.children.at(1), plan);
      step.sink = &op;
      plan.pipelines.push_back(std::move(step));
      const int index = op.as<plan::RecursiveUnionOp>().index;
      for (size_t k = first; k < plan.pipelines.size(); ++k)
        if (plan.pipelines[k].recursive < 0) plan.pipelines[k].recursive = index;
      return next;
    }
    case PipelineRole::Sink:
      break;
  }
  throw SqlError(SqlState::InternalError, "planner: a sink operator below another operator");
}

void write_tree(plan::ShapeWriter& w, const Op& op) {
  op.write_shape(w);
  for (const auto& c : op.children) write_tree(w, *c);
  w.end();
}

void collect_names(const Op& op, std::vector<std::string>& names) {
  for (const auto& c : op.children) collect_names(*c, names);
  for (const auto& c : op.output) {
    if (c.id < 0) continue;
    if (static_cast<size_t>(c.id) >= names.size()) names.resize(static_cast<size_t>(c.id) + 1);
    if (names[static_cast<size_t>(c.id)].empty()) names[static_cast<size_t>(c.id)] = c.name;
  }
}

// The subqueries (ExprOp::Subquery / InSubquery) each operator's expressions read.
void collect_subquery_uses(Op& op, std::vector<std::pair<const Op*, std::vector<int>>>& out) {
  for (auto& c : op.children) collect_subquery_uses(*c, out);
  std::vector<int> used;
  std::function<void(const plan::Expr&)> walk = [&](const plan::Expr& e) {
    if (e.op == plan::ExprOp::Subquery || e.op == plan::ExprOp::InSubquery) used.push_back(e.subquery);
    for (const auto& a : e.args) walk(*a);
  };
  op.for_each_expr([&](plan::ExprPtr& x) {
    if (x) walk(*x);
  });
  if (!used.empty()) out.emplace_back(&op, std::move(used));
}

void cut_tree(const Op& root, plan::PhysicalPlan& plan) {
  Pipeline p;
  if (root.role() == PipelineRole::Sink) {
    p = open_pipeline(*root.children.at(0), plan);
    p.sink = &root;
  } else {
    p = open_pipeline(root, plan);
    p.sink = nullptr;  // the query result
  }
  plan.pipelines.push_back(std::move(p));
}

}  // namespace

void build_pipelines(plan::PhysicalPlan& plan) {
  plan.pipelines.clear();
  // Subqueries, materialized CTEs and data-modifying WITH items without RETURNING (a DML sink, read by
  // nothing) first, in order (a nested one before the one that reads it); a
  // pipeline whose operators read a subquery's result depends on the pipeline that ends in its
  // SubqueryOp, and one reading a CTE (a CteScanOp source) on the pipeline that ends in its CteOp.
  // A correlated subquery's pipelines are marked: an Apply runs them per row, none depends on them.
  std::vector<int> subquery_pipeline;
  std::vector<std::pair<int, int>> cte_pipeline;  // (CteOp::index, its pipeline)
  for (size_t i = 0; i < plan.subplans.size(); ++i) {
    const size_t first = plan.pipelines.size();
    cut_tree(*plan.subplans[i], plan);
    const int last = static_cast<int>(plan.pipelines.size()) - 1;
    if (plan.subplans[i]->is<plan::CteOp>()) {
      cte_pipeline.emplace_back(plan.subplans[i]->as<plan::CteOp>().index, last);
      subquery_pipeline.push_back(-1);
      continue;
    }
    if (!plan.subplans[i]->is<plan::SubqueryOp>()) {  // a data-modifying WITH item without RETURNING
      subquery_pipeline.push_back(-1);
      continue;
    }
    const bool correlated = plan.subplans[i]->as<plan::SubqueryOp>().correlated;
    for (size_t k = first; k < plan.pipelines.size(); ++k)
      if (correlated) plan.pipelines[k].correlated = static_cast<int>(i);
    subquery_pipeline.push_back(correlated ? -1 : last);
  }
  cut_tree(*plan.root, plan);
  auto depend = [](Pipeline& p, int dep) {
    if (dep >= 0 && std::find(p.dependencies.begin(), p.dependencies.end(), dep) == p.dependencies.end())
      p.dependencies.push_back(dep);
  };
  for (Pipeline& p : plan.pipelines) {
    if (!p.source->is<plan::CteScanOp>()) continue;
    const int index = p.source->as<plan::CteScanOp>().index;
    for (const auto& [cte, pipeline] : cte_pipeline)
      if (cte == index) depend(p, pipeline);
  }
  if (plan.subplans.empty()) return;
  std::vector<std::pair<const Op*, std::vector<int>>> uses;
  for (auto& sub : plan.subplans) collect_subquery_uses(*sub, uses);
  collect_subquery_uses(*plan.root, uses);
  for (Pipeline& p : plan.pipelines) {
    std::vector<const Op*> ops{p.source};
    ops.insert(ops.end(), p.operators.begin(), p.operators.end());
    if (p.sink) ops.push_back(p.sink);
    for (const Op* op : ops)
      for (const auto& [user, subs] : uses) {
        if (user != op) continue;
        for (int s : subs) depend(p, subquery_pipeline.at(static_cast<size_t>(s)));
      }
  }
}

std::string serialize_shape(const plan::PhysicalPlan& plan) {
  plan::ShapeWriter w;
  w.tag("v2");
  if (plan.count_rows) w.tag("count_rows");
  for (const auto& c : plan.result_columns) w.tag(std::to_string(c.id) + ":" + c.name + "]");
  write_tree(w, *plan.root);
  for (const auto& sub : plan.subplans) write_tree(w, *sub);
  return w.str();
}

std::vector<std::string> column_names(const Op& root) {
  std::vector<std::string> names;
  collect_names(root, names);
  return names;
}

}  // namespace detail

namespace {

// `rows`: an operator's actual rows (EXPLAIN ANALYZE), or null.
void render_op(const plan::Op& op, int depth, const plan::ExplainContext& c,
               const std::function<std::optional<uint64_t>(const plan::Op&)>& rows,
               std::vector<std::string>& out) {
  std::string line = depth == 0 ? "" : std::string(static_cast<size_t>(2 * depth), ' ') + "-> ";
  line += op.explain(c);
  if (std::optional<uint64_t> n = rows ? rows(op) : std::nullopt)
    line += " (actual rows=" + std::to_string(*n) + ")";
  out.push_back(std::move(line));
  for (const auto& child : op.children) render_op(*child, depth + 1, c, rows, out);
}

std::vector<std::string> explain_with(const plan::PhysicalPlan& plan, const std::vector<Value>* params,
                                      const ExplainActuals& actuals = {}) {
  std::vector<std::string> out;
  if (!plan.root) return out;
  std::vector<std::string> names = detail::column_names(*plan.root);
  for (const auto& sub : plan.subplans) {
    std::vector<std::string> more = detail::column_names(*sub);
    if (more.size() > names.size()) names.resize(more.size());
    for (size_t i = 0; i < more.size(); ++i)
      if (names[i].empty()) names[i] = more[i];
  }
  plan::ExplainContext c{names, params};
  std::function<std::optional<uint64_t>(const plan::Op&)> rows;
  if (actuals.op_rows) {
    const std::vector<const plan::Op*> order = plan::operator_order(plan);
    rows = [&, order](const plan::Op& op) -> std::optional<uint64_t> {
      if (op.role() == plan::PipelineRole::Sink) return std::nullopt;  // passes nothing on
      for (size_t i = 0; i < order.size() && i < actuals.op_rows->size(); ++i)
        if (order[i] == &op) return (*actuals.op_rows)[i];
      return std::nullopt;
    };
  }
  render_op(*plan.root, 0, c, rows, out);
  // Each subquery's tree after the query's, as PostgreSQL lists its InitPlans.
  for (const auto& sub : plan.subplans) render_op(*sub, 0, c, rows, out);
  if (plan.pipelines.size() > 1 || actuals.pipeline_ms) {
    // One line per pipeline, in execution order: "Pipeline 1: TableScan a -> HashJoin inner (probe) ->
    // Project -> result (after 0)".
    auto name = [&](const plan::Op* op) {
      std::string line = op->explain(c);
      return line.substr(0, line.find(" ("));
    };
    for (size_t i = 0; i < plan.pipelines.size(); ++i) {
      const plan::Pipeline& p = plan.pipelines[i];
      const bool reads_state = p.source->role() == plan::PipelineRole::Breaker ||
                               p.source->role() == plan::PipelineRole::Recursive;
      std::string line =
          "Pipeline " + std::to_string(i) + ": " + name(p.source) + (reads_state ? " (read)" : "");
      for (const plan::Op* op : p.operators)
        line += " -> " + name(op) + (op->role() == plan::PipelineRole::Join ? " (probe)" : "");
      if (!p.sink) {
        line += " -> result";
      } else {
        line += " -> " + name(p.sink) + (p.sink->role() == plan::PipelineRole::Sink ? "" : " (build)");
      }
      if (p.correlated >= 0) line += " (per outer row)";
      if (p.recursive >= 0) line += " (per iteration)";
      if (actuals.pipeline_ms && i < actuals.pipeline_ms->size() && p.correlated < 0 && p.recursive < 0)
        line += " (actual time=" + format_ms((*actuals.pipeline_ms)[i]) + " ms)";
      if (!p.dependencies.empty()) {
        line += " (after ";
        for (size_t d = 0; d < p.dependencies.size(); ++d)
          line += (d ? ", " : "") + std::to_string(p.dependencies[d]);
        line += ")";
      }
      out.push_back(std::move(line));
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> explain(const plan::PhysicalPlan& plan) {
  return explain_with(plan, nullptr);
}

std::vector<std::string> explain(const plan::PhysicalPlan& plan, const std::vector<Value>& params,
                                 const ExplainActuals& actuals) {
  return explain_with(plan, &params, actuals);
}

std::string format_ms(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", ms);
  return buf;
}

void count_operator_rows(PlannedStatement& planned) {
  planned.plan.count_rows = true;
  planned.shape_key = detail::serialize_shape(planned.plan);
}

std::vector<std::string> explain(const plan::PhysicalPlan& plan, const std::vector<Value>& params) {
  return explain_with(plan, &params);
}

}  // namespace omendb::planner

namespace omendb::plan {

std::vector<const Op*> operator_order(const PhysicalPlan& plan) {
  std::vector<const Op*> order;
  std::function<void(const Op&)> visit = [&](const Op& op) {
    for (const auto& c : op.children) visit(*c);
    order.push_back(&op);
  };
  for (const auto& sub : plan.subplans) visit(*sub);
  if (plan.root) visit(*plan.root);
  return order;
}

}  // namespace omendb::plan
