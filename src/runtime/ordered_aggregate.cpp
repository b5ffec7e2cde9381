#include "runtime/ordered_aggregate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <string>

#include "common/array.h"
#include "common/error.h"

namespace omendb::runtime {

OrderedValues::~OrderedValues() {
  if (memory_) memory_->release(reserved_);
}

void OrderedValues::add(const SortSpec& spec, const Datum* row, Arena& text) {
  const size_t w = spec.types.size();
  if (rows_.size() + w > rows_.capacity()) {
    // Grow geometrically from a small start (a group may hold one value), counting before allocating.
    size_t want = std::max<size_t>(rows_.capacity() * 2, std::max<size_t>(w * 4, rows_.size() + w));
    reserve_counted(rows_, want, memory_, reserved_);
  }
  for (size_t c = 0; c < w; ++c) {
    Datum d = row[c];
    if (physical_type(spec.types[c]) == PhysType::Text && !d.is_null) d.str = text.copy(d.str.ptr, d.str.len);
    rows_.push_back(d);
  }
  sorted_ = false;
}

uint64_t OrderedValues::sort(const SortSpec& spec) {
  const size_t w = spec.types.size();
  const uint64_t n = w ? rows_.size() / w : 0;
  if (sorted_ || spec.keys.empty() || n < 2) return n;
  std::vector<uint64_t> order(n);
  std::iota(order.begin(), order.end(), uint64_t{0});
  const Datum* base = rows_.data();
  std::stable_sort(order.begin(), order.end(), [&](uint64_t x, uint64_t y) {
    return sort_row_less(spec.keys, base + x * w, base + y * w);
  });
  std::vector<Datum> sorted;
  sorted.reserve(rows_.size());
  for (uint64_t i : order) sorted.insert(sorted.end(), base + i * w, base + (i + 1) * w);
  rows_.swap(sorted);  // same size and capacity as counted
  sorted_ = true;
  return n;
}

namespace {

// PostgreSQL's percentile fraction check ("percentile value %g is not between 0 and 1").
double fraction_of(const Datum& arg) {
  const double f = arg.f64;
  if (f < 0 || f > 1 || std::isnan(f)) {
    char text[64];
    std::snprintf(text, sizeof text, "%g", f);
    throw SqlError(SqlState::NumericValueOutOfRange,
                   std::string("percentile value ") + text + " is not between 0 and 1");
  }
  return f;
}

// The most frequent value of the sorted rows (the first in sort order among equally frequent ones).
Datum mode_of(const SortSpec& spec, const OrderedValues& values, uint64_t n) {
  const TypeId type = spec.types[0];
  Datum best = values.row(spec, 0)[0];
  uint64_t best_count = 0, run = 0;
  for (uint64_t i = 0; i < n; ++i) {
    const Datum& v = values.row(spec, i)[0];
    run = i > 0 && compare_datums(type, v, values.row(spec, i - 1)[0]) == 0 ? run + 1 : 1;
    if (run > best_count) {
      best_count = run;
      best = v;
    }
  }
  return best;
}

// percentile_cont (interpolated, Float64) or percentile_disc (a row's value) at `fraction` of the n > 0
// sorted rows.
Datum percentile_of(bool cont, const SortSpec& spec, const OrderedValues& values, uint64_t n,
                    double fraction) {
  if (!cont) {
    // PostgreSQL's percentile_disc: the first row whose position reaches fraction * n.
    const auto row = static_cast<uint64_t>(std::ceil(fraction * static_cast<double>(n)));
    return values.row(spec, row <= 1 ? 0 : row - 1)[0];
  }
  // PostgreSQL's percentile_cont: interpolate between the rows around fraction * (n - 1).
  const double pos = fraction * static_cast<double>(n - 1);
  const auto first = static_cast<uint64_t>(std::floor(pos)), second = static_cast<uint64_t>(std::ceil(pos));
  Datum out = values.row(spec, first)[0];
  if (second != first) {
    const double lo = out.f64, hi = values.row(spec, second)[0].f64;
    out.f64 = lo + (hi - lo) * (pos - static_cast<double>(first));
  }
  return out;
}

}  // namespace

void ordered_result(OrderedFunc func, const SortSpec& spec, OrderedValues& values, const Datum* arg,
                    Datum* out, Arena& arena) {
  if (func == OrderedFunc::PercentileContMulti || func == OrderedFunc::PercentileDiscMulti) {
    // PostgreSQL's percentile_*_multi_final: no rows or a NULL array give NULL; NULL fractions give NULL
    // elements; each other fraction is checked.
    out->is_null = 1;
    const uint64_t n = values.sort(spec);
    if (n == 0 || arg->is_null) return;
    const bool cont = func == OrderedFunc::PercentileContMulti;
    const TypeId element = cont ? TypeId::Float64 : spec.types[0];
    arr::View fractions(arg->str.view());
    arr::Builder builder(element);
    for (const arr::Element& e : fractions.elements) {
      Datum f = arr::element_datum(TypeId::Float64, e);
      builder.add(f.is_null ? f : percentile_of(cont, spec, values, n, fraction_of(f)));
    }
    std::string r = builder.finish();
    out->is_null = 0;
    out->str = arena.copy(r.data(), r.size());
    return;
  }
  out->is_null = 1;
  // PostgreSQL's order: a NULL fraction gives NULL, a bad one an error, then no rows give NULL.
  double fraction = 0;
  if (func == OrderedFunc::PercentileCont || func == OrderedFunc::PercentileDisc) {
    if (arg->is_null) return;
    fraction = fraction_of(*arg);
  }
  const uint64_t n = values.sort(spec);
  if (n == 0) return;
  std::string r;
  switch (func) {
    case OrderedFunc::PercentileCont:
    case OrderedFunc::PercentileDisc:
      *out = percentile_of(func == OrderedFunc::PercentileCont, spec, values, n, fraction);
      return;
    case OrderedFunc::PercentileContMulti:
    case OrderedFunc::PercentileDiscMulti:
      return;  // above
    case OrderedFunc::Mode:
      *out = mode_of(spec, values, n);
      return;
    case OrderedFunc::StringAgg:
      // PostgreSQL's string_agg: each value after the first is preceded by its own row's delimiter.
      for (uint64_t i = 0; i < n; ++i) {
        const Datum* row = values.row(spec, i);
        if (i > 0 && !row[1].is_null) r.append(row[1].str.ptr, row[1].str.len);
        r.append(row[0].str.ptr, row[0].str.len);
      }
      break;
    case OrderedFunc::ArrayAgg: {
      arr::Builder builder(spec.types[0]);
      for (uint64_t i = 0; i < n; ++i) builder.add(values.row(spec, i)[0]);
      r = builder.finish();
      break;
    }
  }
  out->is_null = 0;
  out->str = arena.copy(r.data(), r.size());
}

}  // namespace omendb::runtime
