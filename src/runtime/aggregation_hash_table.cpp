#include "runtime/aggregation_hash_table.h"

#include "common/array.h"

#include "common/datetime.h"
#include "common/json.h"
#include "common/numeric.h"

#include <algorithm>

#include "runtime/sorter.h"

namespace omendb::runtime {

uint64_t hash_bytes(const char* p, uint64_t n) {
  uint64_t h = 0x27d4eb2f165667c5ULL ^ n;
  uint64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
    h = h << 31 | h >> 33;
  }
  uint64_t tail = 0;
  for (uint64_t j = 0; i + j < n; ++j)
    tail |= static_cast<uint64_t>(static_cast<unsigned char>(p[i + j])) << (8 * j);
  return hash_mix(h ^ tail);
}

uint64_t hash_numeric(const char* p, uint64_t n) {
  // The value's bytes with the display-scale field zeroed: numerics are normalised, so equal values
  // differ in nothing else.
  char buf[64];
  if (n < num::kDscaleOffset + 2) return hash_bytes(p, n);
  std::string big;
  char* copy = buf;
  if (n > sizeof buf) {
    big.assign(p, n);
    copy = big.data();
  } else {
    std::memcpy(buf, p, n);
  }
  copy[num::kDscaleOffset] = copy[num::kDscaleOffset + 1] = 0;
  return hash_bytes(copy, n);
}

uint64_t hash_interval(int64_t time, int32_t day, int32_t month) {
  auto v = static_cast<unsigned __int128>(dt::interval_cmp_value(dt::Interval{time, day, month}));
  return hash_mix(static_cast<uint64_t>(v) ^ hash_mix(static_cast<uint64_t>(v >> 64)));
}

uint64_t hash_keys(const std::vector<TypeId>& types, const Datum* keys) {
  uint64_t h = kHashSeed;
  for (size_t i = 0; i < types.size(); ++i) {
    const Datum& d = keys[i];
    uint64_t k;
    if (d.is_null) {
      k = kHashNull;
    } else if (is_float(types[i])) {
      k = hash_double(d.f64);
    } else if (types[i] == TypeId::Interval) {
      k = hash_interval(d.i64, d.dm.day, d.dm.month);
    } else if (types[i] == TypeId::Numeric) {
      k = hash_numeric(d.str.ptr, d.str.len);
    } else if (types[i] == TypeId::Jsonb) {  // rt_hash_jsonb
      std::string key = json::hash_key(d.str.view());
      k = hash_bytes(key.data(), key.size());
    } else if (is_array(types[i])) {  // rt_hash_array
      std::string key = arr::hash_key(d.str.view(), types[i]);
      k = hash_bytes(key.data(), key.size());
    } else if (types[i] == TypeId::BpChar) {  // rt_hash_bpchar
      std::string_view s = bpchar_significant(d.str.view());
      k = hash_bytes(s.data(), s.size());
    } else if (is_bytewise(types[i])) {
      k = hash_bytes(d.str.ptr, d.str.len);
    } else {
      k = hash_int(d.i64);
    }
    h = hash_combine(h, k);
  }
  return h;
}

AggregationHashTable::AggregationHashTable(AggTableSpec spec, MemoryTracker* memory)
    : spec_(std::move(spec)), stride_(std::max<size_t>(spec_.width, 1)), memory_(memory), text_(memory) {}

AggregationHashTable::~AggregationHashTable() {
  if (memory_) memory_->release(bucket_bytes_ + row_bytes_);
}

bool AggregationHashTable::keys_equal(const Datum* row, const Datum* keys) const {
  for (size_t i = 0; i < spec_.key_types.size(); ++i) {
    const Datum& a = row[i];
    const Datum& b = keys[i];
    if (a.is_null || b.is_null) {
      if (a.is_null && b.is_null) continue;
      return false;
    }
    TypeId t = spec_.key_types[i];
    if (is_bytewise(t) && a.str.len != b.str.len) return false;
    if (compare_datums(t, a, b) != 0) return false;
  }
  return true;
}

void AggregationHashTable::grow_buckets() {
  size_t want = buckets_.empty() ? 64 : buckets_.size() * 2;
  uint64_t bytes = want * sizeof(Bucket);
  if (memory_) memory_->reserve(bytes);
  LargeVector<Bucket> next;
  try {
    next.assign(want, Bucket{0, 0});
  } catch (...) {
    if (memory_) memory_->release(bytes);
    throw;
  }
  size_t mask = want - 1;
  for (const Bucket& b : buckets_) {
    if (b.row == 0) continue;
    size_t i = b.hash & mask;
    while (next[i].row != 0) i = (i + 1) & mask;
    next[i] = b;
  }
  buckets_.swap(next);
  if (memory_) memory_->release(bucket_bytes_);
  bucket_bytes_ = bytes;
}

void AggregationHashTable::grow_rows() {
  reserve_counted(rows_, std::max<size_t>(rows_.capacity() * 2, stride_ * 64), memory_, row_bytes_);
}

Datum* AggregationHashTable::find_or_insert(uint64_t hash, const Datum* keys) {
  if ((count_ + 1) * 2 > buckets_.size()) grow_buckets();
  size_t mask = buckets_.size() - 1;
  size_t i = hash & mask;
  for (;; i = (i + 1) & mask) {
    Bucket& b = buckets_[i];
    if (b.row == 0) break;
    if (b.hash != hash) continue;
    Datum* row = rows_.data() + (b.row - 1) * stride_;
    if (keys_equal(row, keys)) return row;
  }
  // A new group: a zeroed row holding a copy of the keys (text copied into the table's arena).
  if (rows_.size() + stride_ > rows_.capacity()) grow_rows();
  rows_.resize(rows_.size() + stride_, Datum{});
  Datum* row = rows_.data() + count_ * stride_;
  try {
    for (size_t k = 0; k < spec_.key_types.size(); ++k) {
      row[k] = keys[k];
      TypeId t = spec_.key_types[k];
      if (keys[k].is_null) {
        row[k] = Datum{};
        row[k].is_null = 1;
      } else if (physical_type(t) == PhysType::Text) {
        row[k].str = text_.copy(keys[k].str.ptr, keys[k].str.len);
      }
    }
  } catch (...) {
    rows_.resize(rows_.size() - stride_);
    throw;
  }
  ++count_;
  buckets_[i] = Bucket{hash, count_};
  return row;
}

void AggregationHashTable::set_text(Datum* d, const char* p, uint64_t n) {
  d->str = text_.copy(p, n);
}

}  // namespace omendb::runtime
