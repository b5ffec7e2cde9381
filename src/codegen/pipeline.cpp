// Produce/consume lowering of one pipeline: the source emits the loop, each operator emits its code
// inside the loop body, and the sink ends the body. The result is one tight loop per pipeline with
// runtime calls only for batches, breakers and writes, never a virtual call per row.
#include "codegen/pipeline.h"

#include "codegen/emitter.h"
#include "common/error.h"
#include "storage/column_batch.h"

namespace omendb::codegen {

using plan::AggFunc;
using plan::Op;
using plan::OpKind;
using runtime::ErrorKind;

SlotMap assign_slots(const plan::PhysicalPlan& plan) {
  SlotMap m;
  int next = 0;
  for (const plan::Pipeline& p : plan.pipelines)
    m.scan_slot.push_back(p.source && p.source->kind == OpKind::TableScan ? next++ : -1);
  return m;
}

namespace {

class PipelineEmitter {
 public:
  PipelineEmitter(Emitter& e, const plan::PhysicalPlan& plan, const plan::Pipeline& p, int scan_slot)
      : e_(e), b_(e.b), plan_(plan), p_(p), scan_slot_(scan_slot) {}

  void emit() {
    prologue();
    const Op& src = *p_.source;
    switch (src.kind) {
      case OpKind::TableScan:
        produce_scan(src);
        break;
      case OpKind::Values:
        src.values_matrix ? produce_values_matrix(src) : produce_values(src);
        break;
      case OpKind::Sort:
        produce_sorted(src);
        break;
      case OpKind::Aggregate:
        produce_aggregate_result(src);
        break;
      default:
        throw SqlError(SqlState::InternalError, "codegen: operator cannot start a pipeline");
    }
    if (b_.GetInsertBlock()->getTerminator() == nullptr) b_.CreateBr(e_.exit);
  }

 private:
  Emitter& e_;
  llvm::IRBuilder<>& b_;
  const plan::PhysicalPlan& plan_;
  const plan::Pipeline& p_;
  int scan_slot_;
  // LIMIT state (allocas), per Limit operator in this pipeline.
  struct LimitState {
    llvm::Value* seen = nullptr;
    llvm::Value* offset = nullptr;
    llvm::Value* limit = nullptr;  // -1: none
  };
  std::vector<LimitState> limits_;
  llvm::Value* agg_state_ = nullptr;

  // Row-independent work done once before the loop: LIMIT/OFFSET values, the aggregate state pointer.
  void prologue() {
    for (const Op* op : p_.operators) {
      if (op->kind != OpKind::Limit) continue;
      LimitState s;
      s.seen = e_.counter("limit.seen", e_.const_i64(0));
      s.offset =
          e_.counter("limit.offset", row_independent_count(op->offset.get(), ErrorKind::NegativeOffset, 0));
      s.limit =
          e_.counter("limit.limit", row_independent_count(op->limit.get(), ErrorKind::NegativeLimit, -1));
      limits_.push_back(s);
    }
    if (p_.sink && p_.sink->kind == OpKind::Aggregate)
      agg_state_ = e_.call("rt_agg_state", {e_.qs, e_.const_i32(p_.sink->state_slot)});
  }

  // LIMIT/OFFSET value: NULL means none (`fallback`), negative raises `negative`.
  llvm::Value* row_independent_count(const plan::Expr* expr, ErrorKind negative, int64_t fallback) {
    if (!expr) return e_.const_i64(fallback);
    SqlValue v = e_.eval(*expr);
    llvm::Value* n = v.type == TypeId::Int64 ? v.value : b_.CreateSExt(v.value, e_.i64);
    e_.fail_if(b_.CreateAnd(b_.CreateNot(v.is_null), b_.CreateICmpSLT(n, e_.const_i64(0))), negative);
    return b_.CreateSelect(v.is_null, e_.const_i64(fallback), n);
  }

  // for (i = 0; i < count; ++i) body(i), with `next` the block that advances to the next row.
  template <typename Body>
  void loop(llvm::Value* count, const std::string& name, Body&& body) {
    llvm::Value* i_slot = e_.counter(name + ".i", e_.const_i64(0));
    llvm::BasicBlock* head = e_.block(name + ".head");
    llvm::BasicBlock* body_block = e_.block(name + ".body");
    llvm::BasicBlock* next = e_.block(name + ".next");
    llvm::BasicBlock* done = e_.block(name + ".done");
    b_.CreateBr(head);
    b_.SetInsertPoint(head);
    llvm::Value* i = b_.CreateLoad(e_.i64, i_slot, name + ".i");
    b_.CreateCondBr(b_.CreateICmpULT(i, count), body_block, done);
    b_.SetInsertPoint(body_block);
    body(i, next);
    if (!b_.GetInsertBlock()->getTerminator()) b_.CreateBr(next);
    b_.SetInsertPoint(next);
    b_.CreateStore(b_.CreateAdd(i, e_.const_i64(1)), i_slot);
    b_.CreateBr(head);
    b_.SetInsertPoint(done);
  }

  // ---- sources

  // Scan: encode the key range, open the cursor, then
  //   while (batch = rt_scan_next()) for (i < batch->count) { col_k = batch->columns[k].data[i] ...; consume
  //   }
  void produce_scan(const Op& scan) {
    const plan::KeyRange& range = scan.range;
    const storage::TableDef& table = *scan.table;
    llvm::Value* slot = e_.const_i32(scan_slot_);
    llvm::Value* any_null = e_.false_();
    auto append_key = [&](const plan::Expr& expr, int key_index, int which) {
      SqlValue v = e_.eval(expr);
      any_null = b_.CreateOr(any_null, v.is_null);
      TypeId column_type =
          table.columns[static_cast<size_t>(table.primary_key[static_cast<size_t>(key_index)])].type;
      llvm::Value* w = e_.const_i32(which);
      if (is_integer(column_type)) {
        llvm::Value* x = v.type == TypeId::Int64 ? v.value : b_.CreateSExt(v.value, e_.i64);
        e_.call("rt_key_int", {e_.qs, slot, w, x});
      } else if (column_type == TypeId::Float64) {
        e_.call("rt_key_double", {e_.qs, slot, w, v.value});
      } else if (column_type == TypeId::Text) {
        e_.call("rt_key_text", {e_.qs, slot, w, v.value, e_.text_length(v)});
      } else {
        e_.call("rt_key_bool", {e_.qs, slot, w, b_.CreateZExt(v.value, e_.i32)});
      }
    };
    int key_index = 0;
    for (const plan::ExprPtr& eq : range.eq) append_key(*eq, key_index++, 2);
    int lower_mode = 0, upper_mode = 0;
    if (range.lower) {
      append_key(*range.lower, key_index, 0);
      lower_mode = range.lower_inclusive ? 0 : 1;
    }
    if (range.upper) {
      append_key(*range.upper, key_index, 1);
      upper_mode = range.upper_inclusive ? 1 : 2;
    } else if (!range.eq.empty()) {
      upper_mode = 1;  // through every key with the equality prefix
    }
    // A NULL bound matches no row: skip the scan.
    llvm::BasicBlock* open = e_.block("scan.open");
    b_.CreateCondBr(any_null, e_.exit, open);
    b_.SetInsertPoint(open);
    e_.call("rt_scan_open", {e_.qs, slot, e_.const_i32(lower_mode), e_.const_i32(upper_mode)});

    llvm::BasicBlock* batch_head = e_.block("scan.batch");
    llvm::BasicBlock* batch_body = e_.block("scan.batch.body");
    b_.CreateBr(batch_head);
    b_.SetInsertPoint(batch_head);
    llvm::Value* batch = e_.call("rt_scan_next", {e_.qs, slot});
    b_.CreateCondBr(b_.CreateIsNull(batch), e_.exit, batch_body);
    b_.SetInsertPoint(batch_body);
    llvm::Value* count = e_.load_at(e_.i64, batch, offsetof(storage::ColumnBatch, count), "count");
    llvm::Value* columns = e_.load_at(e_.ptr, batch, offsetof(storage::ColumnBatch, columns), "columns");
    struct ColumnPointers {
      llvm::Value* data;
      llvm::Value* nulls;
    };
    std::vector<ColumnPointers> cols;
    for (size_t k = 0; k < scan.output.size(); ++k) {
      uint64_t base = static_cast<uint64_t>(scan.scan_columns[k]) * sizeof(storage::ColumnVector);
      const std::string& name = scan.output[k].name;
      cols.push_back(
          {e_.load_at(e_.ptr, columns, base + offsetof(storage::ColumnVector, data), name + ".data"),
           e_.load_at(e_.ptr, columns, base + offsetof(storage::ColumnVector, nulls), name + ".nulls")});
    }
    llvm::Value* keys =
        scan.key_column >= 0 ? e_.load_at(e_.ptr, batch, offsetof(storage::ColumnBatch, keys)) : nullptr;
    loop(count, "row", [&](llvm::Value* i, llvm::BasicBlock* next) {
      for (size_t k = 0; k < scan.output.size(); ++k) {
        const plan::OutputColumn& oc = scan.output[k];
        SqlValue v;
        v.type = oc.type;
        v.is_null = b_.CreateICmpNE(b_.CreateLoad(e_.i8, b_.CreateGEP(e_.i8, cols[k].nulls, i)),
                                    llvm::ConstantInt::get(e_.i8, 0), oc.name + ".isnull");
        switch (oc.type) {
          case TypeId::Bool:
            v.value = b_.CreateICmpNE(b_.CreateLoad(e_.i8, b_.CreateGEP(e_.i8, cols[k].data, i)),
                                      llvm::ConstantInt::get(e_.i8, 0), oc.name);
            break;
          case TypeId::Text: {
            llvm::Value* ref =
                b_.CreateGEP(e_.i8, cols[k].data, b_.CreateMul(i, e_.const_i64(sizeof(StrRef))));
            v.value = e_.load_at(e_.ptr, ref, 0, oc.name);
            v.length = e_.load_at(e_.i64, ref, 8, oc.name + ".len");
            break;
          }
          default: {
            llvm::Type* t = e_.machine_type(oc.type);
            v.value = b_.CreateLoad(t, b_.CreateGEP(t, cols[k].data, i), oc.name);
            break;
          }
        }
        e_.columns[oc.id] = v;
      }
      if (keys) {
        llvm::Value* ref = b_.CreateGEP(e_.i8, keys, b_.CreateMul(i, e_.const_i64(sizeof(StrRef))));
        e_.columns[scan.key_column] = SqlValue{TypeId::Text, e_.load_at(e_.ptr, ref, 0, "key"),
                                               e_.load_at(e_.i64, ref, 8, "key.len"), e_.false_()};
      }
      consume(0, next);
    });
    b_.CreateBr(batch_head);
    b_.SetInsertPoint(e_.exit);  // nothing follows: every path ends at exit
  }

  // VALUES with expressions: the rows are unrolled, each row runs the rest of the pipeline.
  void produce_values(const Op& values) {
    for (size_t r = 0; r < values.rows.size(); ++r) {
      llvm::BasicBlock* next = e_.block("values.next");
      for (size_t c = 0; c < values.output.size(); ++c)
        e_.columns[values.output[c].id] = e_.eval(*values.rows[r][c]);
      consume(0, next);
      if (!b_.GetInsertBlock()->getTerminator()) b_.CreateBr(next);
      b_.SetInsertPoint(next);
    }
  }

  // VALUES of literals only: rows are read from the parameters, their number known at run time,
  //   for (r < (param_count - base) / width) { col_c = params[base + r * width + c]; consume }
  void produce_values_matrix(const Op& values) {
    size_t width = values.output.size();
    llvm::Value* param_count =
        e_.load_at(e_.i64, e_.qs, offsetof(runtime::QueryState, param_count), "param_count");
    llvm::Value* rows = b_.CreateUDiv(b_.CreateSub(param_count, e_.const_i64(values.matrix_param_base)),
                                      e_.const_i64(static_cast<int64_t>(width)));
    loop(rows, "values", [&](llvm::Value* r, llvm::BasicBlock* next) {
      llvm::Value* first = b_.CreateAdd(e_.const_i64(values.matrix_param_base),
                                        b_.CreateMul(r, e_.const_i64(static_cast<int64_t>(width))));
      for (size_t c = 0; c < width; ++c) {
        llvm::Value* index = b_.CreateAdd(first, e_.const_i64(static_cast<int64_t>(c)));
        llvm::Value* datum = e_.gep(e_.params, b_.CreateMul(index, e_.const_i64(sizeof(Datum))));
        e_.columns[values.output[c].id] = e_.load_datum(datum, values.output[c].type);
      }
      consume(0, next);
    });
  }

  // Sorted rows of a Sort built by an earlier pipeline: for (i < n) { col_c = rows[i * width + c]; consume }
  void produce_sorted(const Op& sort) {
    llvm::Value* slot = e_.const_i32(sort.state_slot);
    llvm::Value* count = e_.call("rt_sort_finish", {e_.qs, slot});
    // The sort may have failed (out of memory): stop then.
    llvm::Value* status = e_.load_at(e_.i32, e_.qs, offsetof(runtime::QueryState, status));
    llvm::BasicBlock* ok = e_.block("sorted");
    b_.CreateCondBr(b_.CreateICmpNE(status, e_.const_i32(0)), e_.exit, ok);
    b_.SetInsertPoint(ok);
    llvm::Value* rows = e_.call("rt_sort_rows", {e_.qs, slot});
    size_t width = sort.output.size();
    loop(count, "sorted", [&](llvm::Value* i, llvm::BasicBlock* next) {
      llvm::Value* row =
          e_.gep(rows, b_.CreateMul(i, e_.const_i64(static_cast<int64_t>(width * sizeof(Datum)))));
      for (size_t c = 0; c < width; ++c) {
        llvm::Value* datum = b_.CreateConstGEP1_64(e_.i8, row, c * sizeof(Datum));
        e_.columns[sort.output[c].id] = e_.load_datum(datum, sort.output[c].type);
      }
      consume(0, next);
    });
  }

  // The one result row of a whole-table aggregate, finalised from its state.
  void produce_aggregate_result(const Op& agg) {
    llvm::Value* state = e_.call("rt_agg_state", {e_.qs, e_.const_i32(agg.state_slot)});
    for (size_t i = 0; i < agg.aggregates.size(); ++i) {
      const plan::AggregateCall& call = agg.aggregates[i];
      llvm::Value* value_datum = b_.CreateConstGEP1_64(e_.i8, state, (2 * i) * sizeof(Datum));
      llvm::Value* count = e_.load_at(e_.i64, state, (2 * i + 1) * sizeof(Datum), "agg.count");
      llvm::Value* empty = b_.CreateICmpEQ(count, e_.const_i64(0));
      SqlValue v;
      v.type = call.type;
      switch (call.func) {
        case AggFunc::CountStar:
        case AggFunc::Count:
          v.value = count;
          v.is_null = e_.false_();
          break;
        case AggFunc::Avg: {
          llvm::Value* sum = e_.load_at(e_.f64, value_datum, 0);
          llvm::Value* n = b_.CreateSIToFP(b_.CreateSelect(empty, e_.const_i64(1), count), e_.f64);
          v.value = b_.CreateFDiv(sum, n);
          v.is_null = empty;
          break;
        }
        default:
          v = e_.load_datum(value_datum, call.type);
          v.is_null = empty;
          break;
      }
      e_.columns[agg.output[i].id] = v;
    }
    llvm::BasicBlock* next = e_.block("agg.done");
    consume(0, next);
    if (!b_.GetInsertBlock()->getTerminator()) b_.CreateBr(next);
    b_.SetInsertPoint(next);
  }

  // ---- operators and sinks

  void consume(size_t index, llvm::BasicBlock* next_row) {
    if (index == p_.operators.size()) return sink(next_row);
    const Op& op = *p_.operators[index];
    switch (op.kind) {
      case OpKind::Filter: {
        // if (!(predicate IS TRUE)) continue;
        llvm::BasicBlock* pass = e_.block("filter.pass");
        b_.CreateCondBr(e_.is_true(e_.eval(*op.predicate)), pass, next_row);
        b_.SetInsertPoint(pass);
        break;
      }
      case OpKind::Project: {
        std::vector<SqlValue> values;
        for (const plan::ExprPtr& x : op.exprs) values.push_back(e_.eval(*x));
        for (size_t i = 0; i < values.size(); ++i) e_.columns[op.output[i].id] = values[i];
        break;
      }
      case OpKind::Limit: {
        // seen++; if (seen <= offset) continue; if (limit >= 0 && seen > offset + limit) stop;
        size_t which = 0;
        for (size_t k = 0; k < index; ++k) which += p_.operators[k]->kind == OpKind::Limit;
        LimitState& s = limits_[which];
        llvm::Value* seen = b_.CreateAdd(b_.CreateLoad(e_.i64, s.seen), e_.const_i64(1));
        b_.CreateStore(seen, s.seen);
        llvm::Value* offset = b_.CreateLoad(e_.i64, s.offset);
        llvm::Value* limit = b_.CreateLoad(e_.i64, s.limit);
        llvm::BasicBlock* past_offset = e_.block("limit.past_offset");
        llvm::BasicBlock* take = e_.block("limit.take");
        b_.CreateCondBr(b_.CreateICmpSLE(seen, offset), next_row, past_offset);
        b_.SetInsertPoint(past_offset);
        llvm::Value* over = b_.CreateAnd(b_.CreateICmpSGE(limit, e_.const_i64(0)),
                                         b_.CreateICmpSGT(b_.CreateSub(seen, offset), limit));
        b_.CreateCondBr(over, e_.exit, take);
        b_.SetInsertPoint(take);
        break;
      }
      default:
        throw SqlError(SqlState::InternalError, "codegen: operator cannot be inside a pipeline");
    }
    consume(index + 1, next_row);
  }

  void sink(llvm::BasicBlock* next_row) {
    const Op* op = p_.sink;
    if (!op) return emit_result_row();
    switch (op->kind) {
      case OpKind::Sort: {
        // row = rt_sort_row(); row[c] = col_c ...; rt_sort_row_done()
        llvm::Value* slot = e_.const_i32(op->state_slot);
        llvm::Value* row = e_.call("rt_sort_row", {e_.qs, slot});
        llvm::BasicBlock* ok = e_.block("sort.store");
        b_.CreateCondBr(b_.CreateIsNull(row), e_.exit, ok);
        b_.SetInsertPoint(ok);
        const std::vector<plan::OutputColumn>& cols = op->children[0]->output;
        for (size_t c = 0; c < cols.size(); ++c)
          e_.store_datum(e_.columns.at(cols[c].id), b_.CreateConstGEP1_64(e_.i8, row, c * sizeof(Datum)));
        e_.call("rt_sort_row_done", {e_.qs, slot});
        return;
      }
      case OpKind::Aggregate:
        return update_aggregates(*op);
      case OpKind::Insert: {
        store_row(op->children[0]->output);
        e_.exit_if_zero(e_.call("rt_insert", {e_.qs, e_.const_i32(0)}));
        return;
      }
      case OpKind::Update: {
        std::vector<SqlValue> values;
        for (const plan::ExprPtr& x : op->set_exprs) values.push_back(e_.eval(*x));
        llvm::Value* row = e_.load_at(e_.ptr, e_.qs, offsetof(runtime::QueryState, row), "row");
        for (size_t c = 0; c < values.size(); ++c)
          e_.store_datum(values[c], b_.CreateConstGEP1_64(e_.i8, row, c * sizeof(Datum)));
        const SqlValue& key = e_.columns.at(op->key_column);
        e_.exit_if_zero(e_.call("rt_update", {e_.qs, e_.const_i32(0), key.value, key.length}));
        return;
      }
      case OpKind::Delete: {
        const SqlValue& key = e_.columns.at(op->key_column);
        e_.exit_if_zero(e_.call("rt_delete", {e_.qs, e_.const_i32(0), key.value, key.length}));
        return;
      }
      default:
        throw SqlError(SqlState::InternalError, "codegen: operator cannot end a pipeline");
    }
    (void)next_row;
  }

  void store_row(const std::vector<plan::OutputColumn>& cols) {
    llvm::Value* row = e_.load_at(e_.ptr, e_.qs, offsetof(runtime::QueryState, row), "row");
    for (size_t c = 0; c < cols.size(); ++c)
      e_.store_datum(e_.columns.at(cols[c].id), b_.CreateConstGEP1_64(e_.i8, row, c * sizeof(Datum)));
  }

  void emit_result_row() {
    llvm::Value* out = e_.load_at(e_.ptr, e_.qs, offsetof(runtime::QueryState, out), "out");
    for (size_t c = 0; c < plan_.result_columns.size(); ++c)
      e_.store_datum(e_.columns.at(plan_.result_columns[c].id),
                     b_.CreateConstGEP1_64(e_.i8, out, c * sizeof(Datum)));
    e_.exit_if_zero(e_.call("rt_emit_row", {e_.qs}));
  }

  // Per aggregate i, state[2i] holds the running value and state[2i+1] the count of inputs.
  void update_aggregates(const Op& agg) {
    for (size_t i = 0; i < agg.aggregates.size(); ++i) {
      const plan::AggregateCall& call = agg.aggregates[i];
      llvm::Value* value_datum = b_.CreateConstGEP1_64(e_.i8, agg_state_, (2 * i) * sizeof(Datum));
      llvm::Value* count_ptr = b_.CreateConstGEP1_64(e_.i8, agg_state_, (2 * i + 1) * sizeof(Datum));
      if (call.func == AggFunc::CountStar) {
        b_.CreateStore(b_.CreateAdd(b_.CreateLoad(e_.i64, count_ptr), e_.const_i64(1)), count_ptr);
        continue;
      }
      SqlValue v = e_.eval(*call.arg);
      llvm::BasicBlock* update = e_.block("agg.update");
      llvm::BasicBlock* done = e_.block("agg.next");
      b_.CreateCondBr(v.is_null, done, update);
      b_.SetInsertPoint(update);
      llvm::Value* count = b_.CreateLoad(e_.i64, count_ptr, "count");
      switch (call.func) {
        case AggFunc::Count:
          break;
        case AggFunc::Sum:
          if (call.type == TypeId::Float64) {
            b_.CreateStore(b_.CreateFAdd(b_.CreateLoad(e_.f64, value_datum), v.value), value_datum);
          } else {
            llvm::Value* x = v.type == TypeId::Int64 ? v.value : b_.CreateSExt(v.value, e_.i64);
            llvm::Value* res = b_.CreateBinaryIntrinsic(llvm::Intrinsic::sadd_with_overflow,
                                                        b_.CreateLoad(e_.i64, value_datum), x);
            e_.fail_if(b_.CreateExtractValue(res, 1), ErrorKind::BigintOutOfRange);
            b_.CreateStore(b_.CreateExtractValue(res, 0), value_datum);
          }
          break;
        case AggFunc::Avg: {
          llvm::Value* x = v.type == TypeId::Float64 ? v.value : b_.CreateSIToFP(v.value, e_.f64);
          b_.CreateStore(b_.CreateFAdd(b_.CreateLoad(e_.f64, value_datum), x), value_datum);
          break;
        }
        case AggFunc::Min:
        case AggFunc::Max: {
          // if (count == 0 || v <op> current) current = v
          SqlValue current = e_.load_datum(value_datum, v.type);
          current.is_null = e_.false_();
          llvm::Value* better;
          if (v.type == TypeId::Text) {
            llvm::Value* c = e_.call("rt_text_cmp", {v.value, v.length, current.value, current.length});
            better = call.func == AggFunc::Min ? b_.CreateICmpSLT(c, e_.const_i32(0))
                                               : b_.CreateICmpSGT(c, e_.const_i32(0));
          } else if (v.type == TypeId::Float64) {
            // NaN is the largest value (PostgreSQL order).
            llvm::Value* vn = b_.CreateFCmpUNO(v.value, v.value);
            llvm::Value* cn = b_.CreateFCmpUNO(current.value, current.value);
            better = call.func == AggFunc::Min ? b_.CreateOr(b_.CreateAnd(cn, b_.CreateNot(vn)),
                                                             b_.CreateFCmpOLT(v.value, current.value))
                                               : b_.CreateOr(b_.CreateAnd(vn, b_.CreateNot(cn)),
                                                             b_.CreateFCmpOGT(v.value, current.value));
          } else if (v.type == TypeId::Bool) {
            better = call.func == AggFunc::Min ? b_.CreateICmpULT(v.value, current.value)
                                               : b_.CreateICmpUGT(v.value, current.value);
          } else {
            better = call.func == AggFunc::Min ? b_.CreateICmpSLT(v.value, current.value)
                                               : b_.CreateICmpSGT(v.value, current.value);
          }
          llvm::BasicBlock* replace = e_.block("agg.replace");
          llvm::BasicBlock* keep = e_.block("agg.keep");
          b_.CreateCondBr(b_.CreateOr(b_.CreateICmpEQ(count, e_.const_i64(0)), better), replace, keep);
          b_.SetInsertPoint(replace);
          if (v.type == TypeId::Text) {
            e_.call("rt_agg_set_text", {e_.qs, e_.const_i32(agg.state_slot),
                                        e_.const_i32(static_cast<int32_t>(2 * i)), v.value, v.length});
          } else {
            e_.store_datum(v, value_datum);
          }
          b_.CreateBr(keep);
          b_.SetInsertPoint(keep);
          break;
        }
        case AggFunc::CountStar:
          break;
      }
      b_.CreateStore(b_.CreateAdd(count, e_.const_i64(1)), count_ptr);
      b_.CreateBr(done);
      b_.SetInsertPoint(done);
    }
  }
};

}  // namespace

void emit_pipeline(llvm::Module& module, const std::string& function_name, const plan::PhysicalPlan& plan,
                   size_t index, const SlotMap& slots) {
  Emitter e(module, function_name);
  PipelineEmitter pe(e, plan, plan.pipelines[index], slots.scan_slot[index]);
  pe.emit();
}

}  // namespace omendb::codegen
