#include "codegen/operator_translator.h"

#include <algorithm>
#include <stdexcept>

#include "common/error.h"

namespace omendb::codegen {

void OperatorTranslator::produce(PipelineContext&) {
  throw SqlError(SqlState::InternalError, "codegen: this operator cannot start a pipeline");
}

void OperatorTranslator::consume(PipelineContext&) {
  throw SqlError(SqlState::InternalError, "codegen: this operator cannot consume rows");
}

const SqlValue& PipelineContext::column(plan::ColumnId id) const {
  auto it = columns_.find(id);
  if (it == columns_.end()) throw std::logic_error("codegen: column " + std::to_string(id) + " not in scope");
  return it->second;
}

void PipelineContext::push(const OperatorTranslator& from) {
  for (size_t i = 0; i + 1 < chain_.size(); ++i) {
    if (chain_[i] != &from) continue;
    if (i < counters_.size() && counters_[i] >= 0) {  // ++qs->op_rows[k]
      llvm::Value* rows = cg.load_at(cg.ptr, cg.qs, offsetof(runtime::QueryState, op_rows), "op_rows");
      llvm::Value* slot =
          cg.gep(rows, static_cast<uint64_t>(counters_[i]) * sizeof(uint64_t), "op_rows.slot");
      llvm::Value* n = cg.b.CreateLoad(cg.i64, slot, "op_rows.n");
      cg.b.CreateStore(cg.b.CreateAdd(n, cg.const_i64(1)), slot);
    }
    return chain_[i + 1]->consume(*this);
  }
  throw std::logic_error("codegen: push from an operator that is not in the pipeline, or from its sink");
}

const plan::Op* PipelineContext::input_of(const OperatorTranslator& t) const {
  for (size_t i = 1; i < chain_.size(); ++i)
    if (chain_[i] == &t) return chain_[i - 1]->op();
  throw std::logic_error("codegen: input_of an operator that is not in the pipeline, or its source");
}

PlanTranslator::PlanTranslator(const plan::PhysicalPlan& plan) : plan_(plan) {
  // Every operator of the tree gets its translator; state is declared bottom-up (children first), so the
  // state of an operator's subtree is what its translators declare, from subtree_first[i] on.
  std::vector<size_t> subtree_first;
  std::function<void(const plan::Op&)> visit = [&](const plan::Op& op) {
    const size_t first = translators_.size();
    for (const auto& c : op.children) visit(*c);
    ops_.push_back(&op);
    translators_.push_back(make_translator(op));
    subtree_first.push_back(first);
  };
  std::vector<runtime::StateMarks> marks_before;  // by translator: the layout before it declared its state
  auto declare = [&](size_t first) {
    for (size_t i = first; i < translators_.size(); ++i) {
      marks_before.push_back(layout_.marks());
      translators_[i]->declare_state(layout_);
    }
  };
  // A correlated subquery's state is what its tree's translators declare, together: each run makes it
  // fresh (runtime::CorrelatedSubquery).
  for (const auto& sub : plan.subplans) {
    const size_t first = translators_.size();
    visit(*sub);
    runtime::StateMarks begin = layout_.marks();
    declare(first);
    if (!sub->is<plan::SubqueryOp>()) continue;  // a materialized CTE: filled once per execution
    const auto& op = sub->as<plan::SubqueryOp>();
    if (!op.correlated) continue;
    runtime::CorrelatedSubquery& c = layout_.correlated_subquery(op.index);
    c.begin = begin;
    c.end = layout_.marks();
    for (plan::ColumnId id : op.params) c.params.push_back(layout_.outer_slot(id));
  }
  const size_t first = translators_.size();
  visit(*plan.root);
  declare(first);
  // A recursive union's recursive term: its subtree's state is made fresh before each iteration.
  for (size_t i = 0; i < ops_.size(); ++i) {
    if (!ops_[i]->is<plan::RecursiveUnionOp>()) continue;
    const auto& u = ops_[i]->as<plan::RecursiveUnionOp>();
    const size_t term =
        static_cast<size_t>(std::find(ops_.begin(), ops_.end(), u.children.at(1).get()) - ops_.begin());
    runtime::RecursiveTerm& t =
        layout_.recursive_terms.at(static_cast<size_t>(layout_.recursive_slot(u.index)));
    t.begin = marks_before.at(subtree_first.at(term));
    t.end = marks_before.at(term + 1);
  }
  if (plan.count_rows) {
    counted_ = plan::operator_order(plan);
    layout_.op_counters = counted_.size();
  }
  layout_.per_row_pipelines.assign(plan.pipelines.size(), false);
  for (size_t i = 0; i < plan.pipelines.size(); ++i) {
    const int r = plan.pipelines[i].recursive;
    const int k = plan.pipelines[i].correlated;
    if (r >= 0) {
      layout_.recursive_terms.at(static_cast<size_t>(layout_.recursive_slot(r))).pipelines.push_back(i);
    } else if (k >= 0) {
      layout_.correlated_subquery(k).pipelines.push_back(i);
    } else {
      continue;
    }
    layout_.per_row_pipelines[i] = true;
  }
  if (!plan.result_columns.empty() || plan.root->role() != plan::PipelineRole::Sink) {
    output_ = make_output_translator(plan.result_columns);
    output_->declare_state(layout_);
  }
}

OperatorTranslator* PlanTranslator::of(const plan::Op* op) const {
  if (!op) return output_.get();
  for (size_t i = 0; i < ops_.size(); ++i)
    if (ops_[i] == op) return translators_[i].get();
  throw std::logic_error("codegen: operator not in the plan");
}

void PlanTranslator::emit_pipeline(llvm::Module& module, const std::string& function_name, size_t index) {
  const plan::Pipeline& pipeline = plan_.pipelines.at(index);
  std::vector<OperatorTranslator*> chain{of(pipeline.source)};
  for (const plan::Op* op : pipeline.operators) chain.push_back(of(op));
  chain.push_back(of(pipeline.sink));

  std::vector<int> counters;
  if (!counted_.empty()) {
    std::vector<const plan::Op*> ops{pipeline.source};
    ops.insert(ops.end(), pipeline.operators.begin(), pipeline.operators.end());
    for (const plan::Op* op : ops) {
      auto it = std::find(counted_.begin(), counted_.end(), op);
      counters.push_back(it == counted_.end() ? -1 : static_cast<int>(it - counted_.begin()));
    }
  }
  CodeGen cg(module, function_name);
  llvm::BasicBlock* done = cg.block("pipeline.done");
  PipelineContext p(cg, layout_, chain, done, std::move(counters));
  for (OperatorTranslator* t : chain) t->begin_pipeline(p);
  for (llvm::Value* skip : p.skip_conditions()) cg.branch_if(skip, done, "pipeline.skip");
  chain.front()->produce(p);
  for (OperatorTranslator* t : chain) {
    if (cg.terminated()) break;
    t->finish_input(p);
  }
  cg.branch(done);
  cg.b.SetInsertPoint(done);
  for (OperatorTranslator* t : chain) t->finish_pipeline(p);
  cg.branch(cg.exit);
}

}  // namespace omendb::codegen
