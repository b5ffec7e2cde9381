// The hash table of a HashAggregate operator (GROUP BY, DISTINCT): one fixed-width row of Datums per
// group, the group's key values first, then its aggregate states (layout: codegen's aggregate state
// code, operators/aggregate_state.h). Generated code evaluates a row's keys, computes their hash with
// the functions below (codegen's sql::hash is their IR twin) and calls find_or_insert, which returns
// the group's row for the generated code to update in place. Rows are contiguous: a row pointer stays
// valid only until the next find_or_insert.
//
// Key equality is SQL grouping equality, the same as codegen's sql::compare_values(Eq) and
// runtime::compare_datums: NULL equals NULL (NULL keys form one group), -0.0 equals 0.0, every NaN
// equals every NaN, text compares bytewise. The hash respects it: equal keys hash alike.
//
// Memory (rows, buckets and the text of keys and text min/max values) is counted against the query's
// MemoryTracker; growing past the limit throws SqlError 53200.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "common/datum.h"
#include "common/types.h"
#include "runtime/arena.h"
#include "runtime/memory.h"

namespace omendb::runtime {

// ---- The hash of group keys, defined once ---------------------------------------------------------

// The last step of every key hash (MurmurHash3's 64-bit finaliser).
inline uint64_t hash_mix(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}
// Bool (0/1), Int32 (sign-extended) and Int64 keys.
inline uint64_t hash_int(int64_t v) {
  return hash_mix(static_cast<uint64_t>(v));
}
// Float64 keys: -0.0 hashes as 0.0 and every NaN alike, as they group together.
inline uint64_t hash_double(double d) {
  uint64_t bits;
  if (std::isnan(d)) {
    bits = 0x7ff8000000000000ULL;
  } else if (d == 0.0) {
    bits = 0;
  } else {
    std::memcpy(&bits, &d, sizeof bits);
  }
  return hash_mix(bits);
}
// Text keys: their bytes.
uint64_t hash_bytes(const char* p, uint64_t n);
// Numeric keys: their bytes without the display scale (common/numeric.h), so that 1.0 and 1.00 hash alike.
uint64_t hash_numeric(const char* p, uint64_t n);
// Interval keys: their comparison value (dt::interval_cmp_value), so that intervals PostgreSQL calls
// equal ('1 mon' and '30 days') hash alike.
uint64_t hash_interval(int64_t time, int32_t day, int32_t month);
// A NULL key.
constexpr uint64_t kHashNull = 0x9e3779b97f4a7c15ULL;
// The hash of keys k1..kn is combine(...combine(combine(kHashSeed, h1), h2)..., hn).
constexpr uint64_t kHashSeed = 0;
inline uint64_t hash_combine(uint64_t h, uint64_t key_hash) {
  return ((h << 5 | h >> 59) ^ key_hash) * 0x9e3779b97f4a7c15ULL;
}
// The C++ form of the whole key hash (tests, and any runtime caller): `keys` has one Datum per type.
uint64_t hash_keys(const std::vector<TypeId>& types, const Datum* keys);

// ---- The table -------------------------------------------------------------------------------------

struct AggTableSpec {
  std::vector<TypeId> key_types;  // one per group key, the first Datums of a row
  size_t width = 0;               // Datums per row: the keys, then the aggregate states
};

class AggregationHashTable {
 public:
  AggregationHashTable(AggTableSpec spec, MemoryTracker* memory);
  ~AggregationHashTable();
  AggregationHashTable(const AggregationHashTable&) = delete;
  AggregationHashTable& operator=(const AggregationHashTable&) = delete;

  // The row of the group whose keys equal `keys` (key_types.size() Datums; their text may be
  // transient), inserting a new zeroed row with a copy of the keys when there is none. `hash` must be
  // hash_keys(keys). Throws SqlError 53200 past the query's memory limit.
  Datum* find_or_insert(uint64_t hash, const Datum* keys);
  // Sets `d` (a Datum of some row) to a copy of the text (text min/max states).
  void set_text(Datum* d, const char* p, uint64_t n);

  uint64_t size() const { return count_; }
  // Row i is rows() + i * stride(); stride() >= width (a zero-width row still takes one Datum).
  const Datum* rows() const { return rows_.data(); }
  size_t stride() const { return stride_; }
  uint64_t buckets() const { return buckets_.size(); }

 private:
  struct Bucket {
    uint64_t hash;
    uint64_t row;  // row index + 1; 0 = empty
  };
  bool keys_equal(const Datum* row, const Datum* keys) const;
  void grow_buckets();
  void grow_rows();

  AggTableSpec spec_;
  size_t stride_;
  MemoryTracker* memory_;
  LargeVector<Bucket> buckets_;  // open addressing, linear probing, at most half full
  LargeVector<Datum> rows_;      // row-major, stride_ per row
  uint64_t count_ = 0;
  uint64_t bucket_bytes_ = 0;  // counted in memory_
  uint64_t row_bytes_ = 0;     // counted in memory_
  Arena text_;
};

}  // namespace omendb::runtime
