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
  for (const storage::ScanSpec& spec : layout.scans) {
    ScanSlot slot;
    slot.spec = spec;
    scans.push_back(std::move(slot));
  }
  for (const SortSpec& spec : layout.sorts) sorts.push_back(std::make_unique<Sorter>(spec, &memory));
  for (const WindowSpec& spec : layout.windows)
    windows.push_back(std::make_unique<WindowBuffer>(spec, &memory));
  for (size_t datums : layout.aggregates) {
    AggregateState a;
    a.state.assign(datums, Datum{});
    a.text = std::make_unique<Arena>(&memory);
    aggregates.push_back(std::move(a));
  }
  for (const AggTableSpec& spec : layout.agg_tables)
    agg_tables.push_back(std::make_unique<AggregationHashTable>(spec, &memory));
  for (const JoinTableSpec& spec : layout.join_tables)
    join_tables.push_back(std::make_unique<JoinHashTable>(spec, &memory));
  targets = layout.targets;
  for (const InSetSpec& spec : layout.in_sets) in_sets.push_back(std::make_unique<InSet>(spec, &memory));
  subquery_rows.clear();
  for (const auto& types : layout.subquery_rows) {
    SubqueryRow r;
    r.types = types;
    Datum null{};
    null.is_null = 1;
    r.values.assign(types.size(), null);
    r.text = std::make_unique<Arena>(&memory);
    subquery_rows.push_back(std::move(r));
  }
  out.assign(layout.out_width, Datum{});
  row.assign(layout.row_width, Datum{});
  qs.out = out.data();
  qs.row = row.data();
  qs.status = 0;
  error.reset();
  rows_affected = 0;
  rows_scanned = 0;
  recheck_keys.clear();
  restart = false;
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
      case TypeId::Float64:
        d.f64 = v.as_double();
        break;
      case TypeId::Text:
      case TypeId::Unknown:
      case TypeId::Name:
      case TypeId::Char:
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
