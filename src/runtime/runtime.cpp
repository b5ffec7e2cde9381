// The runtime functions generated code calls (runtime_api.h). They may throw: generated code calls them
// only through runtime::Guard (guard.h), which records any exception in the query and returns the stop
// value, so nothing unwinds through JIT frames.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>

#include "catalog/functions.h"
#include "common/array.h"
#include "common/bytea.h"
#include "common/interrupt.h"
#include "common/json.h"
#include "common/math_sql.h"
#include "common/text_sql.h"
#include "common/value.h"
#include "runtime/exec_context.h"
#include "runtime/guard.h"
#include "runtime/runtime_api.h"
#include "storage/key_codec.h"

namespace omendb::runtime {

namespace {

ExecContext& ctx_of(QueryState* qs) {
  return *qs->ctx;
}

SqlError invalid_input(std::string_view type, const char* p, uint64_t n) {
  return SqlError(SqlState::InvalidTextRepresentation,
                  "invalid input syntax for type " + std::string(type) + ": \"" + std::string(p, n) + "\"");
}

}  // namespace

void record_current_exception(QueryState* qs) noexcept {
  try {
    throw;
  } catch (SqlError& e) {
    ctx_of(qs).fail(std::move(e));
  } catch (std::bad_alloc&) {
    ctx_of(qs).fail(SqlError(SqlState::OutOfMemory, "out of memory"));
  } catch (std::exception& e) {
    ctx_of(qs).fail(SqlError(SqlState::InternalError, e.what()));
  } catch (...) {
    ctx_of(qs).fail(SqlError(SqlState::InternalError, "unknown exception in the runtime"));
  }
}

// A template, so outside extern "C" (clang rejects templates with C linkage).
// An index scan's bounds are encoded as its entries are: each value after a marker byte (key_codec.h).
static void append_key(QueryState* qs, int32_t scan, int32_t which, auto&& append) {
  ScanSlot& s = ctx_of(qs).scans[static_cast<size_t>(scan)];
  const bool index = s.spec.index_id != 0;
  if (which == 0 || which == 2) {
    if (index) s.lower.push_back(storage::keycodec::kIndexValue);
    append(s.lower);
  }
  if (which == 1 || which == 2) {
    if (index) s.upper.push_back(storage::keycodec::kIndexValue);
    append(s.upper);
  }
}

// ---- runtime functions ------------------------------------------------------------------------

extern "C" {

void rt_fail(QueryState* qs, int32_t kind) {
  switch (static_cast<ErrorKind>(kind)) {
    case ErrorKind::IntegerOutOfRange:
    case ErrorKind::FloatToIntOutOfRange:
      ctx_of(qs).fail(SqlError(SqlState::NumericValueOutOfRange, "integer out of range"));
      return;
    case ErrorKind::BigintOutOfRange:
      ctx_of(qs).fail(SqlError(SqlState::NumericValueOutOfRange, "bigint out of range"));
      return;
    case ErrorKind::SmallintOutOfRange:
      ctx_of(qs).fail(SqlError(SqlState::NumericValueOutOfRange, "smallint out of range"));
      return;
    case ErrorKind::FloatOverflow:
      ctx_of(qs).fail(SqlError(SqlState::NumericValueOutOfRange, "value out of range: overflow"));
      return;
    case ErrorKind::FloatUnderflow:
      ctx_of(qs).fail(SqlError(SqlState::NumericValueOutOfRange, "value out of range: underflow"));
      return;
    case ErrorKind::DivisionByZero:
      ctx_of(qs).fail(SqlError(SqlState::DivisionByZero, "division by zero"));
      return;
    case ErrorKind::NegativeLimit:
      ctx_of(qs).fail(SqlError(SqlState::InvalidRowCountInLimitClause, "LIMIT must not be negative"));
      return;
    case ErrorKind::NegativeOffset:
      ctx_of(qs).fail(SqlError(SqlState::InvalidRowCountInResultOffsetClause, "OFFSET must not be negative"));
      return;
    case ErrorKind::ZeroStep:
      ctx_of(qs).fail(SqlError(SqlState::InvalidParameterValue, "step size cannot equal zero"));
      return;
    case ErrorKind::SeriesStartNaN:
      ctx_of(qs).fail(SqlError(SqlState::InvalidParameterValue, "start value cannot be NaN"));
      return;
    case ErrorKind::SeriesStartInfinity:
      ctx_of(qs).fail(SqlError(SqlState::InvalidParameterValue, "start value cannot be infinity"));
      return;
    case ErrorKind::SeriesStopNaN:
      ctx_of(qs).fail(SqlError(SqlState::InvalidParameterValue, "stop value cannot be NaN"));
      return;
    case ErrorKind::SeriesStopInfinity:
      ctx_of(qs).fail(SqlError(SqlState::InvalidParameterValue, "stop value cannot be infinity"));
      return;
    case ErrorKind::SeriesStepNaN:
      ctx_of(qs).fail(SqlError(SqlState::InvalidParameterValue, "step size cannot be NaN"));
      return;
    case ErrorKind::SeriesStepInfinity:
      ctx_of(qs).fail(SqlError(SqlState::InvalidParameterValue, "step size cannot be infinity"));
      return;
  }
  ctx_of(qs).fail(SqlError(SqlState::InternalError, "unknown error from generated code"));
}

void rt_key_int(QueryState* qs, int32_t scan, int32_t which, int64_t v) {
  append_key(qs, scan, which, [&](std::string& k) { storage::keycodec::append_int(v, k); });
}
void rt_key_double(QueryState* qs, int32_t scan, int32_t which, double v) {
  append_key(qs, scan, which, [&](std::string& k) { storage::keycodec::append_double(v, k); });
}
void rt_key_text(QueryState* qs, int32_t scan, int32_t which, const char* p, uint64_t n) {
  append_key(qs, scan, which, [&](std::string& k) { storage::keycodec::append_text({p, n}, k); });
}
void rt_key_numeric(QueryState* qs, int32_t scan, int32_t which, const char* p, uint64_t n) {
  Datum d{};
  d.str = StrRef{p, n};
  append_key(qs, scan, which,
             [&](std::string& k) { storage::keycodec::append_datum(TypeId::Numeric, d, k); });
}
void rt_key_bool(QueryState* qs, int32_t scan, int32_t which, int32_t v) {
  append_key(qs, scan, which, [&](std::string& k) { storage::keycodec::append_bool(v != 0, k); });
}

static storage::ZoneBound* zone_slot(QueryState* qs, int32_t scan, int32_t index, int32_t is_null) {
  ScanSlot& s = ctx_of(qs).scans[static_cast<size_t>(scan)];
  const size_t i = static_cast<size_t>(index);
  if (is_null || i >= s.spec.zone.size()) return nullptr;
  if (s.zone_set.size() < s.spec.zone.size()) s.zone_set.resize(s.spec.zone.size(), 0);
  s.zone_set[i] = 1;
  return &s.spec.zone[i];
}

void rt_zone_int(QueryState* qs, int32_t scan, int32_t index, int32_t is_null, int64_t v) {
  if (storage::ZoneBound* z = zone_slot(qs, scan, index, is_null)) {
    int64_t lo, hi;
    z->lo.i64 = __builtin_sub_overflow(v, z->slack, &lo) ? INT64_MIN : lo;
    z->hi.i64 = __builtin_add_overflow(v, z->slack, &hi) ? INT64_MAX : hi;
  }
}
void rt_zone_double(QueryState* qs, int32_t scan, int32_t index, int32_t is_null, double v) {
  if (storage::ZoneBound* z = zone_slot(qs, scan, index, is_null)) z->lo.f64 = z->hi.f64 = v;
}
void rt_zone_text(QueryState* qs, int32_t scan, int32_t index, int32_t is_null, const char* p, uint64_t n) {
  if (storage::ZoneBound* z = zone_slot(qs, scan, index, is_null))
    z->lo_text = z->hi_text = std::string(p, n);
}

void rt_scan_open(QueryState* qs, int32_t scan, int32_t lower_mode, int32_t upper_mode) {
  ExecContext& ctx = ctx_of(qs);
  ScanSlot& s = ctx.scans[static_cast<size_t>(scan)];
  storage::ScanSpec spec = s.spec;
  // Zone bounds: those the generated code gave a value this time (a NULL bound narrows nothing here;
  // the filter rejects every row anyway).
  spec.zone.clear();
  for (size_t i = 0; i < s.zone_set.size(); ++i) {
    if (s.zone_set[i]) spec.zone.push_back(s.spec.zone[i]);
    s.zone_set[i] = 0;
  }
  spec.lower = lower_mode == 1 ? storage::keycodec::prefix_successor(s.lower) : s.lower;
  if (upper_mode == 0 && s.upper.empty()) {
    spec.upper_unbounded = true;
  } else {
    spec.upper = upper_mode == 2 ? s.upper : storage::keycodec::prefix_successor(s.upper);
    spec.upper_unbounded = spec.upper.empty();  // successor of 0xFF... has no bound
  }
  const bool recheck_target = ctx.recheck_key && spec.want_keys && spec.table->id == ctx.recheck_table;
  if (recheck_target && spec.index_id != 0) {
    spec.only_key = *ctx.recheck_key;  // an index scan: only the entries of the row being re-checked
  } else if (recheck_target) {
    // READ COMMITTED re-check: the target table's scan reads only the row being re-checked (its
    // range intersected with the row's key: an empty range if the row is outside it).
    std::string_view row = std::string_view(*ctx.recheck_key).substr(storage::keycodec::kTablePrefixSize);
    if (spec.lower < row) spec.lower = std::string(row);
    std::string after = storage::keycodec::prefix_successor(std::string(row));
    if (!after.empty() && (spec.upper_unbounded || after < spec.upper)) {
      spec.upper = std::move(after);
      spec.upper_unbounded = false;
    }
  }
  if (s.cursor) s.done += s.cursor->stats();  // EXPLAIN ANALYZE reports the slot's totals
  ++s.opens;
  if (catalog::is_system_table(spec.table->id)) {
    if (!ctx.catalog) throw SqlError(SqlState::InternalError, "system catalogs are not available here");
    s.cursor = catalog::scan_system_table(spec, *ctx.catalog);
    return;
  }
  s.cursor = (ctx.recheck_key && !recheck_target && ctx.first_view ? ctx.first_view : ctx.view)->scan(spec);
}

const storage::ColumnBatch* rt_scan_next(QueryState* qs, int32_t scan) {
  ExecContext& ctx = ctx_of(qs);
  if (!ctx.check_interrupts()) return nullptr;
  ScanSlot& s = ctx.scans[static_cast<size_t>(scan)];
  if (!s.cursor) return nullptr;
  // Values computed for the previous batch have been consumed (sorts and aggregates copy text).
  ctx.arena.reset();
  const storage::ColumnBatch* batch = s.cursor->next();
  if (batch) ctx.rows_scanned += batch->count;
  return batch;
}

int32_t rt_emit_row(QueryState* qs) {
  ExecContext& ctx = ctx_of(qs);
  if (!ctx.sink->row(ctx.out.data(), ctx.out.size())) {
    ctx.fail(interrupt_error(Interrupt::Cancel));
    return 0;
  }
  if (!ctx.check_interrupts()) return 0;
  return 1;
}

int32_t rt_insert(QueryState* qs, int32_t target) {
  ExecContext& ctx = ctx_of(qs);
  ctx.writer->insert(*ctx.targets[static_cast<size_t>(target)], ctx.row.data());
  ctx.count_row(target);
  return 1;
}

int32_t rt_check_failed(QueryState* qs, int32_t target, int32_t check) {
  ExecContext& ctx = ctx_of(qs);
  throw storage::check_violation_error(*ctx.targets[static_cast<size_t>(target)], static_cast<size_t>(check),
                                       ctx.row.data());
}

int32_t rt_view_check_failed(QueryState* qs, int32_t target, const char* view) {
  ExecContext& ctx = ctx_of(qs);
  throw SqlError(SqlState::WithCheckOptionViolation,
                 "new row violates check option for view \"" + std::string(view) + "\"")
      .with_detail(storage::failing_row_detail(*ctx.targets[static_cast<size_t>(target)], ctx.row.data()));
}

// A row that a concurrent transaction changed after this statement's snapshot is not written: its key
// is kept for the READ COMMITTED re-check (ExecContext::recheck_keys).
int32_t rt_update(QueryState* qs, int32_t target, const char* key, uint64_t key_len, int32_t once) {
  ExecContext& ctx = ctx_of(qs);
  if (once && !ctx.first_time(key, key_len)) return 3;
  if (ctx.writer->update(*ctx.targets[static_cast<size_t>(target)], {key, key_len}, ctx.row.data())) {
    ctx.count_row(target);
    return 1;
  }
  ctx.recheck_keys.emplace_back(key, key_len);
  return 2;
}

int32_t rt_delete(QueryState* qs, int32_t target, const char* key, uint64_t key_len, int32_t once) {
  ExecContext& ctx = ctx_of(qs);
  if (once && !ctx.first_time(key, key_len)) return 3;
  if (ctx.writer->remove(*ctx.targets[static_cast<size_t>(target)], {key, key_len})) {
    ctx.count_row(target);
    return 1;
  }
  ctx.recheck_keys.emplace_back(key, key_len);
  return 2;
}

int32_t rt_lock_row(QueryState* qs, int32_t target, int32_t strength, int32_t wait, const char* key,
                    uint64_t key_len) {
  ExecContext& ctx = ctx_of(qs);
  using R = storage::StatementWriter::LockResult;
  switch (ctx.writer->lock(*ctx.targets[static_cast<size_t>(target)], {key, key_len},
                           static_cast<storage::RowLockMode>(strength),
                           static_cast<storage::LockWaitMode>(wait))) {
    case R::Locked:
      return 1;
    case R::Skipped:
      return 2;
    case R::Changed:
      break;
  }
  ctx.restart = true;
  ctx.fail(SqlError(SqlState::SerializationFailure, "could not serialize access due to concurrent update"));
  return 0;
}

int32_t rt_upsert(QueryState* qs, int32_t target, int32_t action, const Datum** existing) {
  ExecContext& ctx = ctx_of(qs);
  // action: bits 0-1 the action (0 DO NOTHING, 1 DO UPDATE, 2 DO UPDATE that may change the key), the
  // rest the arbiter (plan::UpsertOp::arbiter_code).
  const int32_t what = action & 3;
  const int32_t code = action >> 2;
  const int arbiter = code == 0   ? storage::StatementWriter::kArbiterPrimaryKey
                      : code == 1 ? storage::StatementWriter::kArbiterAll
                                  : code - 2;
  storage::UpsertOutcome r = ctx.writer->upsert(*ctx.targets[static_cast<size_t>(target)], ctx.row.data(),
                                                what != 0, what == 2, arbiter);
  switch (r) {
    case storage::UpsertOutcome::Inserted:
      ctx.count_row(target);
      return 1;
    case storage::UpsertOutcome::Skipped:
      return 1;
    case storage::UpsertOutcome::Conflict:
      *existing = ctx.writer->conflicting_row();
      return 2;
  }
  return 1;
}

int32_t rt_upsert_update(QueryState* qs, int32_t target) {
  ExecContext& ctx = ctx_of(qs);
  ctx.writer->update_conflicting(*ctx.targets[static_cast<size_t>(target)], ctx.row.data());
  ctx.count_row(target);
  return 1;
}

Datum* rt_sort_row(QueryState* qs, int32_t slot) {
  return ctx_of(qs).sorts[static_cast<size_t>(slot)]->append();
}

void rt_sort_row_done(QueryState* qs, int32_t slot) {
  ctx_of(qs).sorts[static_cast<size_t>(slot)]->row_done();
}

uint64_t rt_sort_finish(QueryState* qs, int32_t slot) {
  return ctx_of(qs).sorts[static_cast<size_t>(slot)]->finish();
}

void rt_sort_set_limit(QueryState* qs, int32_t slot, int64_t rows) {
  if (rows >= 0) ctx_of(qs).sorts[static_cast<size_t>(slot)]->set_limit(static_cast<uint64_t>(rows));
}

const Datum* rt_sort_rows(QueryState* qs, int32_t slot) {
  return ctx_of(qs).sorts[static_cast<size_t>(slot)]->rows();
}

Datum* rt_rec_row(QueryState* qs, int32_t slot) {
  return ctx_of(qs).recursive_unions[static_cast<size_t>(slot)]->row();
}

void rt_rec_row_done(QueryState* qs, int32_t slot) {
  ctx_of(qs).recursive_unions[static_cast<size_t>(slot)]->row_done();
}

uint64_t rt_rec_advance(QueryState* qs, int32_t slot) {
  return ctx_of(qs).recursive_unions[static_cast<size_t>(slot)]->advance();
}

uint64_t rt_rec_iterate(QueryState* qs, int32_t slot) {
  ExecContext& ctx = ctx_of(qs);
  if (!ctx.check_interrupts()) return 0;
  ctx.run_recursive_term(slot);
  if (qs->status != 0) return 0;
  return ctx.recursive_unions[static_cast<size_t>(slot)]->advance();
}

const Datum* rt_rec_rows(QueryState* qs, int32_t slot) {
  return ctx_of(qs).recursive_unions[static_cast<size_t>(slot)]->rows();
}

uint64_t rt_rec_count(QueryState* qs, int32_t slot) {
  return ctx_of(qs).recursive_unions[static_cast<size_t>(slot)]->count();
}

Datum* rt_window_row(QueryState* qs, int32_t slot) {
  return ctx_of(qs).windows[static_cast<size_t>(slot)]->append();
}

void rt_window_row_done(QueryState* qs, int32_t slot) {
  ctx_of(qs).windows[static_cast<size_t>(slot)]->row_done();
}

void rt_window_set_frame(QueryState* qs, int32_t slot, int32_t func, int64_t start, int32_t start_null,
                         int64_t end, int32_t end_null) {
  ctx_of(qs).windows[static_cast<size_t>(slot)]->set_frame_offsets(static_cast<size_t>(func), start,
                                                                   start_null != 0, end, end_null != 0);
}

uint64_t rt_window_finish(QueryState* qs, int32_t slot) {
  ExecContext& ctx = ctx_of(qs);
  return ctx.windows[static_cast<size_t>(slot)]->finish([&ctx] { return !ctx.check_interrupts(); });
}

const Datum* rt_window_rows(QueryState* qs, int32_t slot) {
  return ctx_of(qs).windows[static_cast<size_t>(slot)]->rows();
}

Datum* rt_agg_state(QueryState* qs, int32_t slot) {
  return ctx_of(qs).aggregates[static_cast<size_t>(slot)].state.data();
}

void rt_agg_set_text(QueryState* qs, int32_t slot, int32_t index, const char* p, uint64_t n) {
  AggregateState& a = ctx_of(qs).aggregates[static_cast<size_t>(slot)];
  a.state[static_cast<size_t>(index)].str = a.text->copy(p, n);
}

int32_t rt_in_int(QueryState* qs, int32_t set, int64_t v) {
  return ctx_of(qs).in_sets[static_cast<size_t>(set)]->probe_int(qs->params, v);
}

int32_t rt_in_double(QueryState* qs, int32_t set, double v) {
  return ctx_of(qs).in_sets[static_cast<size_t>(set)]->probe_double(qs->params, v);
}

int32_t rt_in_text(QueryState* qs, int32_t set, const char* p, uint64_t n) {
  return ctx_of(qs).in_sets[static_cast<size_t>(set)]->probe_text(qs->params, {p, n});
}

Datum* rt_subq_row(QueryState* qs, int32_t slot) {
  SubqueryRow& r = ctx_of(qs).subquery_rows[static_cast<size_t>(slot)];
  if (r.has_row)
    throw SqlError(SqlState::CardinalityViolation,
                   "more than one row returned by a subquery used as an expression");
  r.has_row = true;
  return r.values.data();
}

int32_t rt_subquery_rows(QueryState*) {
  throw SqlError(SqlState::CardinalityViolation,
                 "more than one row returned by a subquery used as an expression");
}

int32_t rt_apply_subquery(QueryState* qs, int32_t index) {
  ctx_of(qs).run_correlated(index);
  return qs->status == 0 ? 1 : 0;
}

void rt_subq_row_done(QueryState* qs, int32_t slot) {
  SubqueryRow& r = ctx_of(qs).subquery_rows[static_cast<size_t>(slot)];
  for (size_t c = 0; c < r.values.size(); ++c) {
    Datum& d = r.values[c];
    if (!d.is_null && physical_type(r.types[c]) == PhysType::Text)  // text, name, "char", numeric
      d.str = r.text->copy(d.str.ptr, d.str.len);
  }
}

const Datum* rt_subq_result(QueryState* qs, int32_t slot) {
  return ctx_of(qs).subquery_rows[static_cast<size_t>(slot)].values.data();
}

int32_t rt_in_add_int(QueryState* qs, int32_t set, int32_t is_null, int64_t v) {
  InSet& s = *ctx_of(qs).in_sets[static_cast<size_t>(set)];
  is_null ? s.add_null() : s.add_int(v);
  return 1;
}

int32_t rt_in_add_double(QueryState* qs, int32_t set, int32_t is_null, double v) {
  InSet& s = *ctx_of(qs).in_sets[static_cast<size_t>(set)];
  is_null ? s.add_null() : s.add_double(v);
  return 1;
}

int32_t rt_in_add_text(QueryState* qs, int32_t set, int32_t is_null, const char* p, uint64_t n) {
  InSet& s = *ctx_of(qs).in_sets[static_cast<size_t>(set)];
  is_null ? s.add_null() : s.add_text({p, n});
  return 1;
}

uint64_t rt_hash_bytes(QueryState*, const char* p, uint64_t n) {
  return hash_bytes(p, n);
}

Datum* rt_agg_ht_find_or_insert(QueryState* qs, int32_t slot, uint64_t hash, const Datum* keys) {
  return ctx_of(qs).agg_tables[static_cast<size_t>(slot)]->find_or_insert(hash, keys);
}

void rt_agg_ht_set_text(QueryState* qs, int32_t slot, Datum* d, const char* p, uint64_t n) {
  ctx_of(qs).agg_tables[static_cast<size_t>(slot)]->set_text(d, p, n);
}

uint64_t rt_agg_ht_size(QueryState* qs, int32_t slot) {
  return ctx_of(qs).agg_tables[static_cast<size_t>(slot)]->size();
}

const Datum* rt_agg_ht_rows(QueryState* qs, int32_t slot) {
  return ctx_of(qs).agg_tables[static_cast<size_t>(slot)]->rows();
}

int32_t rt_check_interrupts(QueryState* qs) {
  return ctx_of(qs).check_interrupts() ? 1 : 0;
}

int32_t rt_join_ht_insert(QueryState* qs, int32_t slot, uint64_t hash, const Datum* values, int32_t linked) {
  ExecContext& ctx = ctx_of(qs);
  ctx.join_tables[static_cast<size_t>(slot)]->insert(hash, values, linked != 0);
  return ctx.check_interrupts() ? 1 : 0;
}

int32_t rt_join_ht_finish(QueryState* qs, int32_t slot) {
  ctx_of(qs).join_tables[static_cast<size_t>(slot)]->finish();
  return 1;
}

void* const* rt_join_ht_directory(QueryState* qs, int32_t slot) {
  return reinterpret_cast<void* const*>(ctx_of(qs).join_tables[static_cast<size_t>(slot)]->directory());
}

uint64_t rt_join_ht_mask(QueryState* qs, int32_t slot) {
  return ctx_of(qs).join_tables[static_cast<size_t>(slot)]->mask();
}

void* const* rt_join_ht_entries(QueryState* qs, int32_t slot) {
  return reinterpret_cast<void* const*>(ctx_of(qs).join_tables[static_cast<size_t>(slot)]->entries());
}

uint64_t rt_join_ht_size(QueryState* qs, int32_t slot) {
  return ctx_of(qs).join_tables[static_cast<size_t>(slot)]->size();
}

void* rt_join_ht_null_entry(QueryState* qs, int32_t slot) {
  return ctx_of(qs).join_tables[static_cast<size_t>(slot)]->null_entry();
}

int32_t rt_text_cmp(QueryState*, const char* a, uint64_t an, const char* b, uint64_t bn) {
  Datum x, y;
  x.str = StrRef{a, an};
  y.str = StrRef{b, bn};
  return compare_datums(TypeId::Text, x, y);
}

int32_t rt_bpchar_cmp(QueryState*, const char* a, uint64_t an, const char* b, uint64_t bn) {
  Datum x, y;
  x.str = StrRef{a, an};
  y.str = StrRef{b, bn};
  return compare_datums(TypeId::BpChar, x, y);
}

uint64_t rt_hash_bpchar(QueryState*, const char* p, uint64_t n) {
  std::string_view s = bpchar_significant({p, static_cast<size_t>(n)});
  return hash_bytes(s.data(), s.size());
}

uint64_t rt_bpchar_length(QueryState*, const char* p, uint64_t n) {
  return bpchar_significant({p, static_cast<size_t>(n)}).size();
}

void rt_concat(QueryState* qs, const char* a, uint64_t an, const char* b, uint64_t bn, StrRef* out) {
  char* p = ctx_of(qs).arena.allocate(an + bn);
  if (an) std::memcpy(p, a, an);
  if (bn) std::memcpy(p + an, b, bn);
  *out = StrRef{p, an + bn};
}

void rt_int_to_text(QueryState* qs, int64_t v, StrRef* out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  *out = ctx_of(qs).arena.copy(buf, static_cast<size_t>(r.ptr - buf));
}

void rt_double_to_text(QueryState* qs, double v, StrRef* out) {
  std::string s;
  append_float8_text(v, ctx_of(qs).datetime.output.extra_float_digits, s);
  *out = ctx_of(qs).arena.copy(s.data(), s.size());
}

void rt_float4_to_text(QueryState* qs, double v, StrRef* out) {
  std::string s;
  append_float4_text(static_cast<float>(v), ctx_of(qs).datetime.output.extra_float_digits, s);
  *out = ctx_of(qs).arena.copy(s.data(), s.size());
}

void rt_bool_to_text(QueryState* qs, int32_t v, StrRef* out) {
  *out = v ? StrRef{"true", 4} : StrRef{"false", 5};
}

int32_t rt_double_to_int(QueryState*, double v, int32_t to, int64_t* out) {
  *out = mathsql::float8_to_int(v, static_cast<TypeId>(to));  // throws 22003: Guard records it, returns 0
  return 1;
}

namespace {
// int2in / int4in / int8in, float8in: common/array.h's scalar input; an error is recorded in the query
// state.
bool text_in(QueryState* qs, const char* p, uint64_t n, TypeId type, Datum* out) {
  try {
    std::string storage;
    *out = arr::scalar_in(type, {p, n}, ctx_of(qs).datetime, storage);
    return true;
  } catch (SqlError& e) {
    ctx_of(qs).fail(std::move(e));
    return false;
  }
}
}  // namespace

int32_t rt_text_to_int32(QueryState* qs, const char* p, uint64_t n, int32_t* out) {
  Datum d{};
  if (!text_in(qs, p, n, TypeId::Int32, &d)) return 0;
  *out = static_cast<int32_t>(d.i64);
  return 1;
}

int32_t rt_text_to_int16(QueryState* qs, const char* p, uint64_t n, int32_t* out) {
  Datum d{};
  if (!text_in(qs, p, n, TypeId::Int16, &d)) return 0;
  *out = static_cast<int32_t>(d.i64);
  return 1;
}

int32_t rt_text_to_int64(QueryState* qs, const char* p, uint64_t n, int64_t* out) {
  Datum d{};
  if (!text_in(qs, p, n, TypeId::Int64, &d)) return 0;
  *out = d.i64;
  return 1;
}

int32_t rt_text_to_double(QueryState* qs, const char* p, uint64_t n, double* out) {
  Datum d{};
  if (!text_in(qs, p, n, TypeId::Float64, &d)) return 0;
  *out = d.f64;
  return 1;
}

int32_t rt_text_to_float4(QueryState* qs, const char* p, uint64_t n, double* out) {
  Datum d{};
  if (!text_in(qs, p, n, TypeId::Float32, &d)) return 0;
  *out = d.f64;
  return 1;
}

int32_t rt_text_to_bool(QueryState* qs, const char* p, uint64_t n, int32_t* out) {
  if (std::optional<bool> b = parse_bool_text({p, n})) {
    *out = *b ? 1 : 0;
    return 1;
  }
  ctx_of(qs).fail(invalid_input("boolean", p, n));
  return 0;
}

}  // extern "C"

// ---- Date/time ----

namespace {
DayMonth day_month(int64_t dm) {
  return DayMonth{static_cast<int32_t>(static_cast<uint32_t>(dm)),
                  static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(dm) >> 32))};
}
// A text result points into `text`: copy it into the query's arena.
void keep_text(QueryState* qs, TypeId type, const std::string& text, Datum* out) {
  if (physical_type(type) == PhysType::Text && !out->is_null)
    out->str = ctx_of(qs).arena.copy(text.data(), text.size());
}
}  // namespace

int32_t rt_datetime(QueryState* qs, int32_t func, const Datum* args, Datum* out) {
  std::string text;
  auto f = static_cast<dtsql::Func>(func);
  dtsql::eval(f, args, *out, ctx_of(qs).datetime, text);
  keep_text(qs, dtsql::signature(f).result, text, out);
  return 1;
}

int32_t rt_datetime_cast(QueryState* qs, int32_t from, int32_t to, const Datum* in, Datum* out) {
  std::string text;
  dtsql::cast(static_cast<TypeId>(from), static_cast<TypeId>(to), *in, *out, ctx_of(qs).datetime, text);
  keep_text(qs, static_cast<TypeId>(to), text, out);
  return 1;
}

int32_t rt_interval_cmp(QueryState*, int64_t a_time, int64_t a_dm, int64_t b_time, int64_t b_dm) {
  DayMonth a = day_month(a_dm), b = day_month(b_dm);
  int c = dt::interval_cmp(dt::Interval{a_time, a.day, a.month}, dt::Interval{b_time, b.day, b.month});
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

uint64_t rt_hash_interval(QueryState*, int64_t time, int64_t dm) {
  DayMonth d = day_month(dm);
  return hash_interval(time, d.day, d.month);
}

int32_t rt_bytes(QueryState* qs, int32_t func, const Datum* args, int32_t nargs, Datum* out) {
  std::string buf;
  bytea::eval(static_cast<bytea::Func>(func), args, static_cast<size_t>(nargs),
              ctx_of(qs).datetime.output.bytea_escape, *out, buf);
  if (out->str.ptr == buf.data()) out->str = ctx_of(qs).arena.copy(buf.data(), buf.size());
  return 1;
}

int32_t rt_text(QueryState* qs, int32_t func, const Datum* args, int32_t nargs, Datum* out) {
  std::string buf;
  const auto f = static_cast<textsql::Func>(func);
  if (textsql::is_regex(f)) {
    ctx_of(qs).regexes.eval(f, args, static_cast<size_t>(nargs), *out, buf);
  } else {
    textsql::eval(f, args, static_cast<size_t>(nargs), *out, buf);
  }
  if (!out->is_null && out->str.ptr == buf.data()) out->str = ctx_of(qs).arena.copy(buf.data(), buf.size());
  return 1;
}

int32_t rt_json(QueryState* qs, int32_t func, const Datum* args, int32_t nargs, Datum* out) {
  std::string buf;
  out->str = StrRef{nullptr, 0};
  json::eval(static_cast<json::Func>(func), args, static_cast<size_t>(nargs), *out, buf);
  if (!out->is_null && out->str.ptr == buf.data()) out->str = ctx_of(qs).arena.copy(buf.data(), buf.size());
  return 1;
}

int32_t rt_jsonb_cmp(QueryState*, const char* a, uint64_t an, const char* b, uint64_t bn) {
  if (an == 0 || bn == 0) return 0;  // a NULL's (empty) bytes: generated code ignores the result
  int c = json::compare({a, static_cast<size_t>(an)}, {b, static_cast<size_t>(bn)});
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

uint64_t rt_hash_jsonb(QueryState*, const char* p, uint64_t n) {
  if (n == 0) return 0;  // a NULL's (empty) bytes: generated code ignores the result
  std::string key = json::hash_key({p, static_cast<size_t>(n)});
  return hash_bytes(key.data(), key.size());
}

int32_t rt_catalog_func(QueryState* qs, int32_t func, const Datum* args, int32_t nargs, Datum* out) {
  ExecContext& ctx = ctx_of(qs);
  if (!ctx.catalog) throw SqlError(SqlState::InternalError, "catalog functions are not available here");
  catalog::call(static_cast<catalog::Func>(func), args, static_cast<size_t>(nargs), *ctx.catalog,
                ctx.function_text, out);
  if (!out->is_null && out->str.ptr == ctx.function_text.data() && !ctx.function_text.empty())
    out->str = ctx.arena.copy(ctx.function_text.data(), ctx.function_text.size());
  return 1;
}

int32_t rt_catalog_cast(QueryState* qs, int32_t from_id, int32_t to_id, const Datum* in, Datum* out) {
  const auto from = static_cast<TypeId>(from_id);
  const auto to = static_cast<TypeId>(to_id);
  out->is_null = 0;
  auto text_out = [&](std::string_view s) { out->str = ctx_of(qs).arena.copy(s.data(), s.size()); };
  if (is_reg_type(from) || is_reg_type(to)) {
    // regclass, regtype, regnamespace: names through the catalogs (catalog::reg_in / reg_out), numbers
    // as oid's casts.
    const ExecContext& ctx = ctx_of(qs);
    if (is_reg_type(from) && is_string_type(to)) {
      if (!ctx.catalog) throw SqlError(SqlState::InternalError, "catalog types are not available here");
      std::string s = catalog::reg_out(from, in->i64, *ctx.catalog);
      if (to == TypeId::Name) s.resize(name_length(s));
      text_out(s);
      return 1;
    }
    if (is_reg_type(to) && physical_type(from) == PhysType::Text) {
      if (!ctx.catalog) throw SqlError(SqlState::InternalError, "catalog types are not available here");
      out->i64 = catalog::reg_in(to, in->str.view(), *ctx.catalog);
      return 1;
    }
    if (is_reg_type(from)) {
      return rt_catalog_cast(qs, static_cast<int32_t>(TypeId::Oid), to_id, in, out);
    }
    return rt_catalog_cast(qs, from_id, static_cast<int32_t>(TypeId::Oid), in, out);
  }
  if (from == TypeId::Oid) {  // to text, int8, int4
    if (to == TypeId::Text) {
      text_out(std::to_string(in->i64));
    } else if (to == TypeId::Int32) {
      out->i64 = static_cast<int32_t>(static_cast<uint32_t>(in->i64));
    } else {
      out->i64 = in->i64;
    }
    return 1;
  }
  if (to == TypeId::Oid) {
    if (physical_type(from) == PhysType::Text) {
      out->i64 = oid_in(in->str.view());
    } else if (from == TypeId::Int32 ||
               from == TypeId::Int16) {  // int4 / int2 -> oid: the bits, as PostgreSQL
      out->i64 = static_cast<int64_t>(static_cast<uint32_t>(static_cast<int32_t>(in->i64)));
    } else {
      if (in->i64 < 0 || in->i64 > 4294967295LL)
        throw SqlError(SqlState::NumericValueOutOfRange, "OID out of range");
      out->i64 = in->i64;
    }
    return 1;
  }
  // Between string types: name keeps 63 bytes, "char" its first byte.
  std::string_view s = in->str.view();
  out->str = in->str;
  if (to == TypeId::Name) out->str.len = name_length(s);
  if (to == TypeId::Char) out->str.len = char_length(s);
  return 1;
}

int32_t rt_match(QueryState* qs, int32_t flags, const char* s, uint64_t sn, const char* p, uint64_t pn) {
  bool m =
      ctx_of(qs).regexes.matches(flags & ~kMatchNegate, std::string_view(s, sn), std::string_view(p, pn));
  if (flags & kMatchNegate) m = !m;
  return m ? 1 : 2;
}

int32_t rt_match_array(QueryState* qs, int32_t flags, int32_t s_null, const char* s, uint64_t sn,
                       const char* a, uint64_t an) {
  // PostgreSQL's scalar-array operator: ANY is true if some element matches, ALL false if some does not;
  // else NULL when the subject or an element is NULL (an empty array: ANY false, ALL true).
  const bool all = (flags & kMatchAll) != 0;
  const arr::View v(std::string_view(a, an));
  if (v.size() == 0) return all ? 1 : 2;
  if (s_null) return 3;
  const int32_t pattern_flags = flags & (kMatchIcase | kMatchLike);
  bool saw_null = false;
  for (const arr::Element& e : v.elements) {
    if (e.null) {
      saw_null = true;
      continue;
    }
    bool m = ctx_of(qs).regexes.matches(pattern_flags, std::string_view(s, sn), e.bytes);
    if (flags & kMatchNegate) m = !m;
    if (all && !m) return 2;
    if (!all && m) return 1;
  }
  if (saw_null) return 3;
  return all ? 1 : 2;
}

// ---- Numeric ----

namespace {
std::string_view bytes_of(const Datum& d) {
  return {d.str.ptr, static_cast<size_t>(d.str.len)};
}
void set_numeric(QueryState* qs, const std::string& bytes, Datum* out) {
  out->str = ctx_of(qs).arena.copy(bytes.data(), bytes.size());
  out->is_null = 0;
}
const char* int_type_name(TypeId t) {
  return t == TypeId::Int16 ? "smallint" : t == TypeId::Int32 ? "integer" : "bigint";
}
num::Accumulator& accumulator(QueryState* qs, Datum* state) {
  if (state->i64 == 0) {
    ExecContext& ctx = ctx_of(qs);
    ctx.memory.reserve(ExecContext::kAccumulatorBytes);
    ctx.accumulators.push_back(std::make_unique<num::Accumulator>());
    state->i64 = static_cast<int64_t>(reinterpret_cast<uintptr_t>(ctx.accumulators.back().get()));
  }
  return *reinterpret_cast<num::Accumulator*>(static_cast<uintptr_t>(state->i64));
}
}  // namespace

extern "C" {

int32_t rt_numeric(QueryState* qs, int32_t func, const Datum* args, Datum* out) {
  std::string_view a = bytes_of(args[0]);
  std::string r;
  switch (static_cast<num::Func>(func)) {
    case num::Func::Add:
      r = num::add(a, bytes_of(args[1]));
      break;
    case num::Func::Sub:
      r = num::sub(a, bytes_of(args[1]));
      break;
    case num::Func::Mul:
      r = num::mul(a, bytes_of(args[1]));
      break;
    case num::Func::Div:
      r = num::div(a, bytes_of(args[1]));
      break;
    case num::Func::Mod:
      r = num::mod(a, bytes_of(args[1]));
      break;
    case num::Func::Neg:
      r = num::negate(a);
      break;
    case num::Func::Abs:
      r = num::abs(a);
      break;
    case num::Func::Round:
      r = num::round(a, args[1].i64);
      break;
    case num::Func::Trunc:
      r = num::trunc(a, args[1].i64);
      break;
    case num::Func::Ceil:
      r = num::ceil(a);
      break;
    case num::Func::Floor:
      r = num::floor(a);
      break;
    case num::Func::Sign:
      r = num::sign(a);
      break;
    case num::Func::Typmod:
      r = num::apply_typmod(a, static_cast<int32_t>(args[1].i64));
      break;
  }
  set_numeric(qs, r, out);
  return 1;
}

int32_t rt_math(QueryState* qs, int32_t func, const Datum* args, Datum* out) {
  static thread_local mathsql::Random fallback;
  ExecContext& ctx = ctx_of(qs);
  std::string bytes;
  auto f = static_cast<mathsql::Func>(func);
  mathsql::eval(f, args, *out, bytes, ctx.random ? *ctx.random : fallback);
  if (physical_type(mathsql::signature(f).result) == PhysType::Text && !out->is_null)
    set_numeric(qs, bytes, out);
  return 1;
}

int32_t rt_numeric_cast(QueryState* qs, int32_t from_id, int32_t to_id, int32_t typmod, const Datum* in,
                        Datum* out) {
  const TypeId from = static_cast<TypeId>(from_id), to = static_cast<TypeId>(to_id);
  out->is_null = 0;
  if (to == TypeId::Numeric) {
    std::string r;
    switch (from) {
      case TypeId::Int16:
      case TypeId::Int32:
      case TypeId::Int64:
        r = num::from_int64(in->i64);
        break;
      case TypeId::Float64:
        r = num::from_double(in->f64);
        break;
      case TypeId::Float32:  // float4_numeric: FLT_DIG digits
        r = num::from_double(in->f64, 6);
        break;
      case TypeId::Numeric:
        r = std::string(bytes_of(*in));
        break;
      default:  // text
        r = num::parse(bytes_of(*in));
        break;
    }
    if (typmod >= 0) r = num::apply_typmod(r, typmod);
    set_numeric(qs, r, out);
    return 1;
  }
  std::string_view a = bytes_of(*in);
  switch (to) {
    case TypeId::Int16:
    case TypeId::Int32:
      out->i64 = num::to_int64(a, integer_min(to), integer_max(to), int_type_name(to));
      break;
    case TypeId::Int64:
      out->i64 = num::to_int64(a, INT64_MIN, INT64_MAX, int_type_name(to));
      break;
    case TypeId::Float64:
      out->f64 = num::to_double(a);
      break;
    case TypeId::Float32: {  // numeric_float4: float4in of the text (22003 names it)
      std::string storage;
      out->f64 = arr::scalar_cast(TypeId::Numeric, to, *in, ctx_of(qs).datetime, storage).f64;
      break;
    }
    default: {  // text
      std::string text = num::to_text(a);
      out->str = ctx_of(qs).arena.copy(text.data(), text.size());
      break;
    }
  }
  return 1;
}

int32_t rt_numeric_cmp(QueryState*, const char* a, uint64_t an, const char* b, uint64_t bn) {
  int c = num::compare({a, static_cast<size_t>(an)}, {b, static_cast<size_t>(bn)});
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

uint64_t rt_hash_numeric(QueryState*, const char* p, uint64_t n) {
  return hash_numeric(p, n);
}

int32_t rt_numeric_accum(QueryState* qs, Datum* state, const char* p, uint64_t n) {
  accumulator(qs, state).add({p, static_cast<size_t>(n)});
  return 1;
}

int32_t rt_numeric_accum_int(QueryState* qs, Datum* state, int64_t v) {
  accumulator(qs, state).add_int(v);
  return 1;
}

int32_t rt_numeric_accum_result(QueryState* qs, const Datum* state, int32_t avg, Datum* out) {
  out->is_null = 1;
  if (state->i64 == 0) return 1;
  const auto& acc = *reinterpret_cast<const num::Accumulator*>(static_cast<uintptr_t>(state->i64));
  if (acc.count() == 0) return 1;
  set_numeric(qs, avg ? acc.avg() : acc.sum(), out);
  return 1;
}

int32_t rt_numeric_var_accum(QueryState* qs, Datum* state, int32_t numeric, const Datum* value) {
  num::Accumulator& values = accumulator(qs, state);
  num::Accumulator& squares = accumulator(qs, state + 2);
  if (numeric) {
    values.add(value->str.view());
    squares.add_square(value->str.view());
  } else {
    values.add_int(value->i64);
    squares.add_int_square(value->i64);
  }
  return 1;
}

int32_t rt_numeric_var_result(QueryState* qs, const Datum* state, int32_t form, Datum* out) {
  out->is_null = 1;
  if (state->i64 == 0) return 1;
  const auto& values = *reinterpret_cast<const num::Accumulator*>(static_cast<uintptr_t>(state[0].i64));
  const auto& squares = *reinterpret_cast<const num::Accumulator*>(static_cast<uintptr_t>(state[2].i64));
  std::string r;
  if (num::variance(values, squares, (form & 1) != 0, (form & 2) != 0, r)) set_numeric(qs, r, out);
  return 1;
}

int32_t rt_array(QueryState* qs, int64_t code, const Datum* args, int32_t nargs, Datum* out) {
  ExecContext& ctx = ctx_of(qs);
  std::string storage;
  arr::run(code, args, nargs, *out, ctx.datetime, storage);
  // A text or array result points into `storage` (or into an argument, which outlives the call).
  if (!out->is_null &&
      physical_type(arr::returns_element(arr::code_func(code)) ? element_type(arr::code_type(code))
                                                               : arr::code_type(code)) == PhysType::Text &&
      !storage.empty() && out->str.ptr >= storage.data() && out->str.ptr <= storage.data() + storage.size())
    out->str = ctx.arena.copy(out->str.ptr, out->str.len);
  return 1;
}

int32_t rt_array_cast(QueryState* qs, int32_t from_id, int32_t to_id, const Datum* in, Datum* out) {
  ExecContext& ctx = ctx_of(qs);
  const auto from = static_cast<TypeId>(from_id), to = static_cast<TypeId>(to_id);
  std::string r;
  if (is_array(from) && is_array(to))
    r = arr::cast(in->str.view(), from, to, ctx.datetime);
  else if (is_array(from))
    r = arr::to_text(in->str.view(), from, ctx.datetime.dt.tz, ctx.datetime.output);
  else
    r = arr::parse(in->str.view(), to, ctx.datetime);
  out->is_null = 0;
  out->str = ctx.arena.copy(r.data(), r.size());
  return 1;
}

int32_t rt_array_cmp(QueryState*, int32_t type, const char* a, uint64_t an, const char* b, uint64_t bn) {
  int c = arr::compare({a, static_cast<size_t>(an)}, {b, static_cast<size_t>(bn)}, static_cast<TypeId>(type));
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

uint64_t rt_hash_array(QueryState*, int32_t type, const char* p, uint64_t n) {
  std::string key = arr::hash_key({p, static_cast<size_t>(n)}, static_cast<TypeId>(type));
  return hash_bytes(key.data(), key.size());
}

int32_t rt_array_accum(QueryState* qs, Datum* state, int32_t element, const Datum* value) {
  ExecContext& ctx = ctx_of(qs);
  if (state->i64 == 0) {
    ctx.memory.reserve(ExecContext::kAccumulatorBytes);
    ctx.array_bytes += ExecContext::kAccumulatorBytes;
    ctx.array_builders.push_back(std::make_unique<arr::Builder>(static_cast<TypeId>(element)));
    state->i64 = static_cast<int64_t>(reinterpret_cast<uintptr_t>(ctx.array_builders.back().get()));
  }
  auto& builder = *reinterpret_cast<arr::Builder*>(static_cast<uintptr_t>(state->i64));
  const uint64_t bytes =
      4 + (value->is_null
               ? 0
               : (physical_type(static_cast<TypeId>(element)) == PhysType::Text ? value->str.len : 16));
  ctx.memory.reserve(bytes);
  ctx.array_bytes += bytes;
  builder.add(*value);
  return 1;
}

int32_t rt_array_accum_result(QueryState* qs, const Datum* state, Datum* out) {
  out->is_null = 1;
  if (state->i64 == 0) return 1;
  const auto& builder = *reinterpret_cast<const arr::Builder*>(static_cast<uintptr_t>(state->i64));
  std::string r = builder.finish();
  out->is_null = 0;
  out->str = ctx_of(qs).arena.copy(r.data(), r.size());
  return 1;
}

int32_t rt_ordered_agg_add(QueryState* qs, int32_t spec, Datum* state, const Datum* row) {
  ExecContext& ctx = ctx_of(qs);
  if (state->i64 == 0) {
    ctx.memory.reserve(ExecContext::kOrderedValuesBytes);
    ctx.ordered_values.push_back(std::make_unique<OrderedValues>(&ctx.memory));
    state->i64 = static_cast<int64_t>(reinterpret_cast<uintptr_t>(ctx.ordered_values.back().get()));
  }
  auto& values = *reinterpret_cast<OrderedValues*>(static_cast<uintptr_t>(state->i64));
  values.add(ctx.ordered_specs[static_cast<size_t>(spec)], row, *ctx.ordered_text);
  return 1;
}

int32_t rt_ordered_agg_result(QueryState* qs, int32_t spec, int32_t func, const Datum* state,
                              const Datum* arg, Datum* out) {
  ExecContext& ctx = ctx_of(qs);
  OrderedValues none(nullptr);  // a group without rows (its fraction is still checked)
  auto& values = state->i64 ? *reinterpret_cast<OrderedValues*>(static_cast<uintptr_t>(state->i64)) : none;
  ordered_result(static_cast<OrderedFunc>(func), ctx.ordered_specs[static_cast<size_t>(spec)], values, arg,
                 out, ctx.arena);
  return 1;
}

}  // extern "C"

}  // namespace omendb::runtime
