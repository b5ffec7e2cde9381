#include "runtime/sorter.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "common/array.h"
#include "common/datetime.h"
#include "common/json.h"
#include "common/numeric.h"

namespace omendb::runtime {

int compare_datums(TypeId type, const Datum& a, const Datum& b) {
  if (is_array(type)) {
    int c = arr::compare(a.str.view(), b.str.view(), type);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  switch (type) {
    case TypeId::Float32:
    case TypeId::Float64: {
      double x = a.f64, y = b.f64;
      bool xn = std::isnan(x), yn = std::isnan(y);
      if (xn || yn) return xn == yn ? 0 : (xn ? 1 : -1);  // NaN sorts above everything, as in PG
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    case TypeId::Text:
    case TypeId::Unknown:
    case TypeId::Name:
    case TypeId::Char:
    case TypeId::Bytea:
    case TypeId::Uuid:
    case TypeId::Json: {  // json has no order in SQL (the binder refuses it); bytes keep sorts defined
      size_t n = std::min(a.str.len, b.str.len);
      int c = n ? std::memcmp(a.str.ptr, b.str.ptr, n) : 0;  // a zero-length string's pointer may be null
      if (c != 0) return c < 0 ? -1 : 1;
      return a.str.len < b.str.len ? -1 : (a.str.len > b.str.len ? 1 : 0);
    }
    case TypeId::BpChar: {  // bpcharcmp: without trailing spaces, then as text
      std::string_view x = bpchar_significant(a.str.view()), y = bpchar_significant(b.str.view());
      int c = x.compare(y);
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case TypeId::Numeric: {
      int c = num::compare({a.str.ptr, a.str.len}, {b.str.ptr, b.str.len});
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case TypeId::Jsonb: {
      int c = json::compare(a.str.view(), b.str.view());
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case TypeId::Interval: {
      int c = dt::interval_cmp(dt::Interval{a.i64, a.dm.day, a.dm.month},
                               dt::Interval{b.i64, b.dm.day, b.dm.month});
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    default:
      return a.i64 < b.i64 ? -1 : (a.i64 > b.i64 ? 1 : 0);
  }
}

Sorter::Sorter(SortSpec spec, MemoryTracker* memory)
    : spec_(std::move(spec)), memory_(memory), text_(std::make_unique<Arena>(memory)) {}

Sorter::~Sorter() {
  if (memory_) memory_->release(reserved_);
}

Datum* Sorter::append() {
  size_t w = width();
  if (rows_.size() + w > rows_.capacity()) {
    // Grow geometrically, counting the new capacity before allocating it.
    size_t want = std::max<size_t>(rows_.capacity() * 2, std::max<size_t>(w * 64, rows_.size() + w));
    reserve_counted(rows_, want, memory_, reserved_);
  }
  rows_.resize(rows_.size() + w);
  return rows_.data() + rows_.size() - w;
}

void Sorter::row_done() {
  size_t w = width();
  Datum* row = rows_.data() + rows_.size() - w;
  for (size_t c = 0; c < w; ++c)
    if (physical_type(spec_.types[c]) == PhysType::Text && !row[c].is_null)
      row[c].str = text_->copy(row[c].str.ptr, row[c].str.len);
  if (limit_ == UINT64_MAX) return;
  seq_.push_back(seq_base_++);
  if (rows_.size() / w >= 2 * std::max<uint64_t>(limit_, 64)) keep_best();
}

void Sorter::set_limit(uint64_t rows) {
  limit_ = rows;
  seq_.clear();
  for (size_t i = 0; width() && i < rows_.size() / width(); ++i) seq_.push_back(seq_base_++);
}

bool sort_row_less(const std::vector<SortKeySpec>& keys, const Datum* a, const Datum* b) {
  for (const SortKeySpec& k : keys) {
    const Datum& da = a[k.column];
    const Datum& db = b[k.column];
    if (da.is_null || db.is_null) {
      if (da.is_null && db.is_null) continue;
      return da.is_null ? k.nulls_first : !k.nulls_first;
    }
    int c = compare_datums(k.type, da, db);
    if (c != 0) return k.descending ? c > 0 : c < 0;
  }
  return false;
}

bool Sorter::less(const Datum* a, const Datum* b) const {
  return sort_row_less(spec_.keys, a, b);
}

// Keeps the first limit_ rows of the (stable) sorted order, with their text copied to a fresh arena.
void Sorter::keep_best() {
  size_t w = width();
  size_t count = rows_.size() / w;
  size_t keep = static_cast<size_t>(std::min<uint64_t>(limit_, count));
  std::vector<uint32_t> order(count);
  std::iota(order.begin(), order.end(), 0u);
  const Datum* base = rows_.data();
  auto before = [&](uint32_t x, uint32_t y) {
    const Datum* a = base + size_t{x} * w;
    const Datum* b = base + size_t{y} * w;
    if (less(a, b)) return true;
    if (less(b, a)) return false;
    return seq_[x] < seq_[y];  // ties in arrival order: the rows a stable sort would put first
  };
  if (keep < count) std::nth_element(order.begin(), order.begin() + keep, order.end(), before);
  order.resize(keep);
  std::sort(order.begin(), order.end());  // keep arrival order among the kept rows
  auto text = std::make_unique<Arena>(memory_);
  LargeVector<Datum> kept(keep * w);
  LargeVector<uint64_t> kept_seq(keep);
  for (size_t i = 0; i < keep; ++i) {
    std::copy_n(base + size_t{order[i]} * w, w, kept.data() + i * w);
    kept_seq[i] = seq_[order[i]];
    for (size_t c = 0; c < w; ++c) {
      Datum& d = kept[i * w + c];
      if (physical_type(spec_.types[c]) == PhysType::Text && !d.is_null)
        d.str = text->copy(d.str.ptr, d.str.len);
    }
  }
  std::copy(kept.begin(), kept.end(), rows_.begin());
  rows_.resize(kept.size());
  seq_ = std::move(kept_seq);
  text_ = std::move(text);  // the dropped rows' text goes with the old arena
}

uint64_t Sorter::finish() {
  size_t w = width();
  size_t count = w == 0 ? 0 : rows_.size() / w;
  if (sorted_ || w == 0 || spec_.keys.empty()) return count;  // no keys: a row buffer in arrival order
  if (limit_ < count) {
    keep_best();
    count = rows_.size() / w;
  }
  // Sort row indexes, then permute: rows are fixed-width, so this moves each row once. (Top-N keeps
  // rows in arrival order, so the stable sort still breaks ties by arrival.)
  std::vector<uint32_t> order(count);
  std::iota(order.begin(), order.end(), 0u);
  const Datum* base = rows_.data();
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t x, uint32_t y) { return less(base + size_t{x} * w, base + size_t{y} * w); });
  uint64_t bytes = rows_.size() * sizeof(Datum);
  if (memory_) memory_->reserve(bytes);  // the permuted copy, while both exist
  LargeVector<Datum> sorted(rows_.size());
  for (size_t i = 0; i < count; ++i) std::copy_n(base + size_t{order[i]} * w, w, sorted.data() + i * w);
  rows_.swap(sorted);
  if (memory_) {
    memory_->release(reserved_);
    reserved_ = bytes;
  }
  sorted_ = true;
  return count;
}

}  // namespace omendb::runtime
