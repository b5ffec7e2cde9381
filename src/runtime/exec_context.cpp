#include "runtime/exec_context.h"

#include "common/interrupt.h"

namespace omendb::runtime {

void ExecContext::prepare(const QueryLayout& layout) {
  // Release the previous execution's state first, so that its memory is not counted twice.
  scans.clear();
  sorts.clear();
  windows.clear();
  aggregates.clear();
  in_sets.clear();
  subquery_rows.clear();
  agg_tables.clear();
  join_tables.clear();
  correlated.clear();
  recursive_terms.clear();
  recursive_unions.clear();
  memory.release(accumulators.size() * kAccumulatorBytes);
  accumulators.clear();
  memory.release(array_bytes);
  array_bytes = 0;
  array_builders.clear();
  memory.release(ordered_values.size() * kOrderedValuesBytes);
  ordered_values.clear();
  ordered_specs = layout.ordered_aggs;
  ordered_text = std::make_unique<Arena>(&memory);
  arena.reset();
  layout_ = &layout;
  const StateMarks all = layout.marks();
  scans.clear();  // (fresh_state keeps a slot's counters: a new execution starts them at 0)
  scans.resize(all.scans);
  sorts.resize(all.sorts);
  windows.resize(all.windows);
  aggregates.resize(all.aggregates);
  agg_tables.resize(all.agg_tables);
  join_tables.resize(all.join_tables);
  in_sets.resize(all.in_sets);
  subquery_rows.resize(all.subquery_rows);
  recursive_unions.resize(all.recursive_unions);
  fresh_state(StateMarks{}, all);
  targets = layout.targets;
  counted_targets = layout.counted_targets;
  correlated.resize(layout.correlated.size());
  recursive_terms.resize(layout.recursive_terms.size());
  for (auto* runs : {&correlated, &recursive_terms})
    for (PipelineRun& c : *runs) {
      c.arena = std::make_unique<Arena>(&memory);
      c.ordered_text = std::make_unique<Arena>(&memory);
    }
  outer.assign(layout.outer_columns.size(), Datum{});
  qs.outer = outer.data();
  out.assign(layout.out_width, Datum{});
  row.assign(layout.row_width, Datum{});
  qs.out = out.data();
  qs.row = row.data();
  op_rows.assign(layout.op_counters, 0);
  qs.op_rows = op_rows.empty() ? nullptr : op_rows.data();
  qs.status = 0;
  error.reset();
  rows_affected = 0;
  rows_scanned = 0;
  recheck_keys.clear();
  memory.release(once_bytes);
  once_bytes = 0;
  once_keys.clear();
  restart = false;
}

bool ExecContext::first_time(const char* key, uint64_t key_len) {
  std::string k(key, key_len);
  if (once_keys.count(k)) return false;
  const uint64_t bytes = key_len + kOnceKeyBytes;
  memory.reserve(bytes);
  once_bytes += bytes;
  once_keys.insert(std::move(k));
  return true;
}

template <typename T, typename Spec>
void ExecContext::renew(std::vector<std::unique_ptr<T>>& slots, const std::vector<Spec>& specs, size_t begin,
                        size_t end) {
  for (size_t i = begin; i < end; ++i) {
    slots[i].reset();
    slots[i] = std::make_unique<T>(specs[i], &memory);
  }
}

void ExecContext::fresh_state(const StateMarks& begin, const StateMarks& end) {
  const QueryLayout& layout = *layout_;
  // Each old entry goes before its replacement is made, so that its memory is not counted twice.
  for (size_t i = begin.scans; i < end.scans; ++i) {
    // What the slot read so far stays counted (EXPLAIN ANALYZE sums a scan run per outer row).
    storage::ScanStats done = scans[i].done;
    if (scans[i].cursor) done += scans[i].cursor->stats();
    const uint64_t opens = scans[i].opens;
    scans[i] = ScanSlot{};
    scans[i].spec = layout.scans[i];
    scans[i].done = done;
    scans[i].opens = opens;
  }
  renew(sorts, layout.sorts, begin.sorts, end.sorts);
  renew(windows, layout.windows, begin.windows, end.windows);
  for (size_t i = begin.aggregates; i < end.aggregates; ++i) {
    AggregateState& a = aggregates[i];
    a.state.assign(layout.aggregates[i], Datum{});
    if (a.text)
      a.text->reset();
    else
      a.text = std::make_unique<Arena>(&memory);
  }
  renew(agg_tables, layout.agg_tables, begin.agg_tables, end.agg_tables);
  renew(join_tables, layout.join_tables, begin.join_tables, end.join_tables);
  renew(in_sets, layout.in_sets, begin.in_sets, end.in_sets);
  renew(recursive_unions, layout.recursive_unions, begin.recursive_unions, end.recursive_unions);
  for (size_t i = begin.subquery_rows; i < end.subquery_rows; ++i) {
    SubqueryRow& r = subquery_rows[i];
    r.types = layout.subquery_rows[i];
    Datum null{};
    null.is_null = 1;
    r.values.assign(r.types.size(), null);
    r.has_row = false;
    if (r.text)
      r.text->reset();
    else
      r.text = std::make_unique<Arena>(&memory);
  }
}

void ExecContext::run_correlated(int index) {
  const CorrelatedSubquery& spec = layout_->correlated.at(static_cast<size_t>(index));
  run_fresh(spec.begin, spec.end, correlated.at(static_cast<size_t>(index)));
}

void ExecContext::run_recursive_term(int slot) {
  const RecursiveTerm& spec = layout_->recursive_terms.at(static_cast<size_t>(slot));
  run_fresh(spec.begin, spec.end, recursive_terms.at(static_cast<size_t>(slot)));
}

void ExecContext::run_fresh(const StateMarks& begin, const StateMarks& end, PipelineRun& run) {
  fresh_state(begin, end);
  // What the run's aggregates allocate outside their states goes again after it (its result is copied).
  const size_t accumulators_before = accumulators.size();
  const size_t array_builders_before = array_builders.size();
  const uint64_t array_bytes_before = array_bytes;
  const size_t ordered_before = ordered_values.size();
  arena.swap(*run.arena);
  ordered_text.swap(run.ordered_text);
  for (auto fn : run.pipelines) {
    fn(&qs);
    if (qs.status != 0) break;
  }
  ordered_text.swap(run.ordered_text);
  arena.swap(*run.arena);
  run.arena->reset();
  run.ordered_text->reset();
  memory.release((accumulators.size() - accumulators_before) * kAccumulatorBytes);
  accumulators.resize(accumulators_before);
  array_builders.resize(array_builders_before);
  memory.release(array_bytes - array_bytes_before);
  array_bytes = array_bytes_before;
  memory.release((ordered_values.size() - ordered_before) * kOrderedValuesBytes);
  ordered_values.resize(ordered_before);
}

bool ExecContext::check_interrupts() {
  if (cancelled()) {
    fail(interrupt_error(Interrupt::Cancel));
    return false;
  }
  if (deadline != std::chrono::steady_clock::time_point::max() && (++interrupt_checks_ & 255) == 1 &&
      std::chrono::steady_clock::now() >= deadline) {
    fail(interrupt_error(Interrupt::Timeout));
    return false;
  }
  return true;
}

void ExecContext::fail(SqlError e) {
  if (!error) error = std::move(e);
  qs.status = 1;
}

void ExecContext::raise_if_failed() {
  if (error) throw *error;
}

void ExecContext::set_params(const std::vector<Value>& values) {
  params.assign(values.size(), Datum{});
  param_text.assign(values.size(), std::string());
  for (size_t i = 0; i < values.size(); ++i) {
    const Value& v = values[i];
    Datum& d = params[i];
    d.is_null = v.is_null() ? 1 : 0;
    if (v.is_null()) continue;
    switch (v.type()) {
      case TypeId::Float32:
      case TypeId::Float64:
        d.f64 = v.as_double();
        break;
      case TypeId::Text:
      case TypeId::Unknown:
      case TypeId::Name:
      case TypeId::Char:
      case TypeId::BpChar:
      case TypeId::Numeric:  // its bytes
      case TypeId::Bytea:
      case TypeId::Uuid:
      case TypeId::Json:
      case TypeId::Jsonb:
        param_text[i] = v.as_text();
        d.str = StrRef{param_text[i].data(), param_text[i].size()};
        break;
      case TypeId::Interval:
        d.i64 = v.as_int();
        d.dm = DayMonth{v.interval_day(), v.interval_month()};
        break;
      default:
        if (is_array(v.type())) {  // its bytes
          param_text[i] = v.as_text();
          d.str = StrRef{param_text[i].data(), param_text[i].size()};
          break;
        }
        d.i64 = v.as_int();
        break;
    }
  }
  qs.params = params.data();
  qs.param_count = params.size();
}

}  // namespace omendb::runtime
