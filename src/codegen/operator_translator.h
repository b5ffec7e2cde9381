// Internal to codegen: the contract every operator translator follows. One translator per physical
// operator (src/codegen/operators/*.cpp) lowers that operator into the pipelines it takes part in,
// HyPer-style: a pipeline's source emits the loop over its rows and pushes each row through the
// operators after it, which emit their per-row code inline; there is no virtual call per row.
//
// The hooks, in the order they run:
//   1. declare_state(layout)  once per plan, before any code: declare the runtime state the operator
//                             needs (scan cursor, sort buffer, aggregate state, DML target) in the
//                             QueryLayout and remember the slot its code addresses.
//   2. begin_pipeline(p)      once per pipeline the operator is part of, in the function's entry,
//                             before the loop: row-independent set-up (LIMIT counters, state pointers);
//                             p.skip_if(c) ends the pipeline before its first row when c holds.
//   3. produce(p)             the pipeline's source only: emit the loop over its rows; for each row,
//                             bind its output columns in p and call p.push(*this).
//   4. consume(p)             every other operator of the pipeline, once per row: emit the per-row
//                             work; a streaming operator ends with p.push(*this); a row that goes no
//                             further branches to p.next_row().
//   5. finish_input(p)        once the source's loop has run out of rows (not after a LIMIT stopped
//                             it), for every operator of the pipeline in order: an operator that held
//                             rows back emits them now, pushing each downstream (a FULL join's build
//                             rows that never matched). It sets p.set_next_row for its own loop.
//   6. finish_pipeline(p)     once the source's loop is done (or a LIMIT stopped it): work after the
//                             last row. Errors skip it: they return from the function at once.
//   7. tear-down              the runtime state declared in hook 1 belongs to the ExecContext and is
//                             released when the query ends, whether it succeeded, failed or was
//                             cancelled; translators emit no tear-down code.
// A breaker (Sort, Aggregate, UnionAll) takes part in two pipelines (UnionAll: one per child, then one): as
// the sink of the one that builds its state (consume) and as the source of the one that reads it (produce);
// p.is_source(*this) tells which. A join (HashJoin, NestedLoopJoin) is the sink of its build side's pipeline
// and a streaming operator of its probe side's pipeline (consume in both); p.is_sink(*this) tells which.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "codegen/expression.h"
#include "planner/plan.h"
#include "runtime/query_layout.h"

namespace omendb::codegen {

class PipelineContext;

class OperatorTranslator {
 public:
  explicit OperatorTranslator(const plan::Op* op) : op_(op) {}
  virtual ~OperatorTranslator() = default;
  OperatorTranslator(const OperatorTranslator&) = delete;
  OperatorTranslator& operator=(const OperatorTranslator&) = delete;

  // The plan operator (null for the result-row output, which is not a plan operator).
  const plan::Op* op() const { return op_; }

  virtual void declare_state(runtime::QueryLayout& layout) {}
  virtual void begin_pipeline(PipelineContext& p) {}
  virtual void produce(PipelineContext& p);
  virtual void consume(PipelineContext& p);
  virtual void finish_input(PipelineContext& p) {}
  virtual void finish_pipeline(PipelineContext& p) {}

 private:
  const plan::Op* op_;
};

// One translator per operator of the plan, plus the output of result rows.
std::unique_ptr<OperatorTranslator> make_translator(const plan::Op& op);
std::unique_ptr<OperatorTranslator> make_output_translator(const std::vector<plan::OutputColumn>& result);

// The state of emitting one pipeline function: the builder, the columns bound so far, and the chain of
// translators (source, operators..., sink).
class PipelineContext {
 public:
  // `counters`: per chain entry, its QueryState::op_rows counter (EXPLAIN ANALYZE), -1 for none.
  PipelineContext(CodeGen& cg, runtime::QueryLayout& layout, std::vector<OperatorTranslator*> chain,
                  llvm::BasicBlock* done, std::vector<int> counters = {})
      : cg(cg), chain_(std::move(chain)), counters_(std::move(counters)), done_(done), layout_(layout) {}

  CodeGen& cg;

  // Columns of the current row.
  void bind(const plan::OutputColumn& column, const SqlValue& v) { columns_[column.id] = v; }
  const SqlValue& column(plan::ColumnId id) const;
  SqlValue eval(const plan::Expr& e) { return codegen::eval(cg, e, columns_, layout_); }

  // Emits the consume code of the translator after `from` in the chain (the next operator or sink), after
  // counting the row in from's counter when the plan counts rows.
  void push(const OperatorTranslator& from);

  // Where a row that goes no further continues (set by the source's row loop), and where producing
  // stops early (LIMIT reached): finish_pipeline hooks run there, then the function returns.
  llvm::BasicBlock* next_row() const { return next_row_; }
  void set_next_row(llvm::BasicBlock* b) { next_row_ = b; }
  llvm::BasicBlock* done() const { return done_; }
  // From begin_pipeline: when `condition` holds, the pipeline produces no row at all (LIMIT 0): it goes
  // to done() once every operator's set-up has run, before the source fetches (or locks) anything.
  void skip_if(llvm::Value* condition) { skip_conditions_.push_back(condition); }
  const std::vector<llvm::Value*>& skip_conditions() const { return skip_conditions_; }

  bool is_source(const OperatorTranslator& t) const { return chain_.front() == &t; }
  // The operator whose rows `t` consumes in this pipeline (the one before it in the chain): tells a
  // breaker with several inputs (UnionAll) which child's pipeline this is.
  const plan::Op* input_of(const OperatorTranslator& t) const;
  bool is_sink(const OperatorTranslator& t) const { return chain_.back() == &t; }

 private:
  std::vector<OperatorTranslator*> chain_;
  std::vector<int> counters_;
  llvm::BasicBlock* done_;
  llvm::BasicBlock* next_row_ = nullptr;
  std::vector<llvm::Value*> skip_conditions_;
  ColumnScope columns_;
  runtime::QueryLayout& layout_;
};

// The translators of a whole plan and the QueryLayout they declared; emits one function per pipeline.
class PlanTranslator {
 public:
  explicit PlanTranslator(const plan::PhysicalPlan& plan);
  // Complete once every pipeline is emitted (expressions may declare state while they are lowered).
  const runtime::QueryLayout& layout() const { return layout_; }
  // Emits `void function_name(QueryState*)` running pipeline `index` into `module`.
  void emit_pipeline(llvm::Module& module, const std::string& function_name, size_t index);

 private:
  OperatorTranslator* of(const plan::Op* op) const;
  const plan::PhysicalPlan& plan_;
  std::vector<std::unique_ptr<OperatorTranslator>> translators_;
  std::vector<const plan::Op*> ops_;      // ops_[i] is translated by translators_[i]
  std::vector<const plan::Op*> counted_;  // count_rows: planner::operator_order (QueryState::op_rows)
  std::unique_ptr<OperatorTranslator> output_;
  runtime::QueryLayout layout_;
};

}  // namespace omendb::codegen
