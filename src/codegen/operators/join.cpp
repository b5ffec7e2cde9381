// The join translator shared by HashJoin and NestedLoopJoin: see join.h for the code it emits.
#include "codegen/operators/join.h"

#include "common/datum.h"
#include "runtime/join_hash_table.h"

namespace omendb::codegen {

void JoinTranslator::declare_state(runtime::QueryLayout& layout) {
  runtime::JoinTableSpec spec;
  for (const auto& k : build_keys()) spec.types.push_back(k->type);
  for (const auto& c : join_.build().output) spec.types.push_back(c.type);
  slot_ = layout.add_join_table(std::move(spec));
}

void JoinTranslator::begin_pipeline(PipelineContext& p) {
  if (p.is_sink(*this)) return;
  CodeGen& cg = p.cg;
  llvm::Value* slot = cg.const_i32(slot_);
  cg.exit_if_zero(cg.call("rt_join_ht_finish", {cg.qs, slot}));
  directory_ = cg.call("rt_join_ht_directory", {cg.qs, slot});
  mask_ = cg.call("rt_join_ht_mask", {cg.qs, slot});
  entries_ = cg.call("rt_join_ht_entries", {cg.qs, slot});
  size_ = cg.call("rt_join_ht_size", {cg.qs, slot});
  null_entry_ = cg.call("rt_join_ht_null_entry", {cg.qs, slot});
  cg.exit_if_failed();
  cursor_ = cg.local(cg.ptr, "join.cursor");
  index_ = cg.local(cg.i64, "join.index");
  matched_ = cg.local(cg.i1, "join.matched");
  steps_ = cg.counter("join.steps", cg.const_i64(0));
}

void JoinTranslator::count_candidate(PipelineContext& p) {
  count_step(p.cg, steps_, kCheckEvery, "join");
}

void JoinTranslator::bind_build_row(PipelineContext& p, llvm::Value* entry) {
  CodeGen& cg = p.cg;
  const size_t nkeys = build_keys().size();
  const auto& cols = join_.build().output;
  for (size_t c = 0; c < cols.size(); ++c)
    p.bind(cols[c],
           sql::load_datum(cg, cg.gep(entry, runtime::kJoinEntryValues + (nkeys + c) * sizeof(Datum)),
                           cols[c].type));
}

void JoinTranslator::consume(PipelineContext& p) {
  CodeGen& cg = p.cg;
  auto& b = cg.b;
  const auto& bkeys = build_keys();
  const auto& pkeys = p.is_sink(*this) ? bkeys : probe_keys();
  std::vector<SqlValue> keys;
  llvm::Value* h = sql::hash_seed(cg);
  llvm::Value* any_null = cg.false_();
  for (const auto& k : pkeys) {
    keys.push_back(p.eval(*k));
    h = sql::hash_combine(cg, h, sql::hash(cg, keys.back()));
    any_null = b.CreateOr(any_null, keys.back().is_null);
  }

  if (p.is_sink(*this)) {
    // Build: the row's keys, then its columns, into one buffer; one call.
    const auto& cols = join_.build().output;
    const size_t width = keys.size() + cols.size();
    llvm::Value* buffer = llvm::ConstantPointerNull::get(cg.ptr);
    if (width > 0) {
      buffer = cg.local(llvm::ArrayType::get(cg.i8, width * sizeof(Datum)), "join.row", alignof(Datum));
      for (size_t i = 0; i < keys.size(); ++i)
        sql::store_datum(cg, keys[i], cg.gep(buffer, i * sizeof(Datum)));
      for (size_t c = 0; c < cols.size(); ++c)
        sql::store_datum(cg, p.column(cols[c].id), cg.gep(buffer, (keys.size() + c) * sizeof(Datum)));
    }
    llvm::Value* linked = b.CreateZExt(b.CreateNot(any_null), cg.i32);
    cg.exit_if_zero(cg.call("rt_join_ht_insert", {cg.qs, cg.const_i32(slot_), h, buffer, linked}));
    return;
  }

  // Probe.
  if (join_.semi || join_.anti) return consume_semi(p, keys, h, any_null);
  start_candidates(p, keys, h, any_null);
  b.CreateStore(cg.false_(), matched_);
  llvm::BasicBlock* head = cg.block("join.head");
  llvm::BasicBlock* candidate = cg.block("join.candidate");
  llvm::BasicBlock* exhausted = cg.block("join.exhausted");
  llvm::BasicBlock* emit = cg.block("join.emit");
  llvm::BasicBlock* after = cg.block("join.after");
  cg.branch(head);

  b.SetInsertPoint(head);
  llvm::Value* entry = next_candidate(p, keys, h, head);
  b.CreateCondBr(b.CreateIsNull(entry), exhausted, candidate);

  // No candidate left: an outer join emits the probe row once with NULL build columns.
  b.SetInsertPoint(exhausted);
  llvm::BasicBlock* null_block = nullptr;
  if (join_.probe_outer) {
    null_block = cg.block("join.unmatched");
    b.CreateCondBr(b.CreateLoad(cg.i1, matched_), after, null_block);
    b.SetInsertPoint(null_block);
    b.CreateStore(cg.true_(), matched_);  // once
    b.CreateBr(emit);
  } else {
    b.CreateBr(after);
  }

  b.SetInsertPoint(candidate);
  b.CreateBr(emit);

  b.SetInsertPoint(emit);
  llvm::PHINode* row = b.CreatePHI(cg.ptr, 2, "join.build_row");
  row->addIncoming(entry, candidate);
  llvm::PHINode* real = b.CreatePHI(cg.i1, 2, "join.is_match");
  real->addIncoming(cg.true_(), candidate);
  if (null_block) {
    row->addIncoming(null_entry_, null_block);
    real->addIncoming(cg.false_(), null_block);
  }
  bind_build_row(p, row);
  if (join_.residual) {
    llvm::Value* pass = sql::is_true(cg, p.eval(*join_.residual));
    cg.branch_if(b.CreateAnd(real, b.CreateNot(pass)), head, "join.match");
  }
  if (join_.single) {  // a second matching row of a scalar subquery: 21000
    llvm::BasicBlock* second = cg.block("join.second_row");
    llvm::BasicBlock* first = cg.block("join.first_row");
    b.CreateCondBr(b.CreateAnd(real, b.CreateLoad(cg.i1, matched_)), second, first);
    b.SetInsertPoint(second);
    cg.exit_if_zero(cg.call("rt_subquery_rows", {cg.qs}));
    b.CreateBr(first);
    b.SetInsertPoint(first);
  }
  b.CreateStore(cg.true_(), matched_);
  if (join_.build_outer) cg.store_at(cg.const_i64(1), row, offsetof(runtime::JoinEntry, matched));
  llvm::BasicBlock* outer_next = p.next_row();
  p.set_next_row(head);
  p.push(*this);
  p.set_next_row(outer_next);
  cg.branch(head);

  b.SetInsertPoint(after);
}

// A semi join pushes the probe row at its first match, an anti join when there is none; either way
// once, with only the probe side's columns:
//   head: e = next candidate; if (!e) goto exhausted;
//         bind build columns from e; if (!(residual IS TRUE)) goto head;
//         goto semi ? emit : after;
//   exhausted: goto semi ? after : emit;
//   emit: <consume>  (a row that goes no further continues at after)
//   after:
void JoinTranslator::consume_semi(PipelineContext& p, const std::vector<SqlValue>& keys, llvm::Value* h,
                                  llvm::Value* any_null) {
  CodeGen& cg = p.cg;
  auto& b = cg.b;
  start_candidates(p, keys, h, any_null);
  llvm::BasicBlock* head = cg.block("semi.head");
  llvm::BasicBlock* candidate = cg.block("semi.candidate");
  llvm::BasicBlock* exhausted = cg.block("semi.exhausted");
  llvm::BasicBlock* emit = cg.block("semi.emit");
  llvm::BasicBlock* after = cg.block("semi.after");
  cg.branch(head);

  b.SetInsertPoint(head);
  llvm::Value* entry = next_candidate(p, keys, h, head);
  b.CreateCondBr(b.CreateIsNull(entry), exhausted, candidate);

  b.SetInsertPoint(candidate);
  if (join_.residual) {
    bind_build_row(p, entry);
    cg.branch_if(b.CreateNot(sql::is_true(cg, p.eval(*join_.residual))), head, "semi.match");
  }
  b.CreateBr(join_.semi ? emit : after);

  b.SetInsertPoint(exhausted);
  b.CreateBr(join_.semi ? after : emit);

  b.SetInsertPoint(emit);
  llvm::BasicBlock* outer_next = p.next_row();
  p.set_next_row(after);
  p.push(*this);
  p.set_next_row(outer_next);
  cg.branch(after);

  b.SetInsertPoint(after);
}

void JoinTranslator::finish_input(PipelineContext& p) {
  if (!join_.build_outer || p.is_sink(*this)) return;
  CodeGen& cg = p.cg;
  auto& b = cg.b;
  CountedLoop loop(cg, size_, "join.unmatched_build");
  llvm::Value* entry = b.CreateLoad(cg.ptr, cg.gep(entries_, b.CreateMul(loop.index(), cg.const_i64(8))));
  cg.branch_if(
      b.CreateICmpNE(cg.load_at(cg.i64, entry, offsetof(runtime::JoinEntry, matched)), cg.const_i64(0)),
      loop.next(), "join.never_matched");
  bind_build_row(p, entry);
  for (const auto& c : join_.probe().output) p.bind(c, sql::null(cg, c.type));
  p.set_next_row(loop.next());
  p.push(*this);
  loop.end();
}

}  // namespace omendb::codegen
