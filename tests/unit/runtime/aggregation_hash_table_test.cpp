// The aggregation hash table: grouping equality (NULLs, -0.0, NaN, text), collisions, growth, text
// copies and the per-query memory limit.
#include "runtime/aggregation_hash_table.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "common/error.h"

namespace omendb::runtime {
namespace {

Datum int_key(int64_t v) {
  Datum d{};
  d.i64 = v;
  return d;
}
Datum double_key(double v) {
  Datum d{};
  d.f64 = v;
  return d;
}
Datum text_key(const std::string& s) {
  Datum d{};
  d.str = StrRef{s.data(), s.size()};
  return d;
}
Datum null_key() {
  Datum d{};
  d.is_null = 1;
  return d;
}

TEST(AggregationHashTable, GroupsEqualKeysAndSeparatesOthers) {
  MemoryTracker memory;
  AggTableSpec spec{{TypeId::Int64, TypeId::Text}, 4};
  AggregationHashTable t(spec, &memory);
  std::string a = "apple", b = "apples";
  Datum k1[] = {int_key(1), text_key(a)};
  Datum k2[] = {int_key(1), text_key(b)};
  Datum k3[] = {null_key(), text_key(a)};
  Datum k4[] = {null_key(), text_key(a)};
  Datum* r1 = t.find_or_insert(hash_keys(spec.key_types, k1), k1);
  r1[2].i64 = 42;  // an aggregate state
  Datum* r2 = t.find_or_insert(hash_keys(spec.key_types, k2), k2);
  EXPECT_NE(r1, r2);
  Datum* r3 = t.find_or_insert(hash_keys(spec.key_types, k3), k3);
  Datum* r4 = t.find_or_insert(hash_keys(spec.key_types, k4), k4);
  EXPECT_EQ(r3, r4) << "NULL keys form one group";
  EXPECT_EQ(t.size(), 3u);
  Datum* again = t.find_or_insert(hash_keys(spec.key_types, k1), k1);
  EXPECT_EQ(again[2].i64, 42);
  EXPECT_EQ(again[3].i64, 0) << "new rows are zeroed";
  // The key text was copied: changing the caller's buffer does not change the group's key.
  a[0] = 'X';
  const Datum* row0 = t.rows();
  EXPECT_EQ(std::string(row0[1].str.ptr, row0[1].str.len), "apple");
  EXPECT_TRUE(row0[1].str.ptr != a.data());
}

TEST(AggregationHashTable, DoubleKeysGroupAsPostgres) {
  MemoryTracker memory;
  AggTableSpec spec{{TypeId::Float64}, 1};
  AggregationHashTable t(spec, &memory);
  double nan1 = std::numeric_limits<double>::quiet_NaN();
  double nan2 = -std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(hash_double(0.0), hash_double(-0.0));
  EXPECT_EQ(hash_double(nan1), hash_double(nan2));
  Datum k[] = {double_key(0.0)};
  Datum* zero = t.find_or_insert(hash_keys(spec.key_types, k), k);
  k[0] = double_key(-0.0);
  EXPECT_EQ(t.find_or_insert(hash_keys(spec.key_types, k), k), zero);
  k[0] = double_key(nan1);
  Datum* nan = t.find_or_insert(hash_keys(spec.key_types, k), k);
  k[0] = double_key(nan2);
  EXPECT_EQ(t.find_or_insert(hash_keys(spec.key_types, k), k), nan);
  EXPECT_NE(nan, zero);
  EXPECT_EQ(t.size(), 2u);
}

TEST(AggregationHashTable, CollisionsAndGrowth) {
  MemoryTracker memory;
  AggTableSpec spec{{TypeId::Int64}, 2};
  AggregationHashTable t(spec, &memory);
  // Every key with the same hash: the table must still tell them apart by comparing keys.
  for (int64_t i = 0; i < 300; ++i) {
    Datum k[] = {int_key(i)};
    Datum* row = t.find_or_insert(12345, k);
    row[1].i64 += i;
  }
  for (int64_t i = 0; i < 300; ++i) {
    Datum k[] = {int_key(i)};
    Datum* row = t.find_or_insert(12345, k);
    EXPECT_EQ(row[0].i64, i);
    EXPECT_EQ(row[1].i64, i);
  }
  EXPECT_EQ(t.size(), 300u);
  // Many distinct keys: the buckets and rows grow, every group is kept once.
  for (int round = 0; round < 2; ++round)
    for (int64_t i = 1000; i < 101000; ++i) {
      Datum k[] = {int_key(i)};
      t.find_or_insert(hash_keys(spec.key_types, k), k)[1].i64 += 1;
    }
  EXPECT_EQ(t.size(), 300u + 100000u);
  EXPECT_GE(t.buckets(), 2 * t.size());
  int64_t total = 0;
  for (uint64_t i = 300; i < t.size(); ++i) total += t.rows()[i * t.stride() + 1].i64;
  EXPECT_EQ(total, 200000);
  EXPECT_GT(memory.used(), 100000u * 2 * sizeof(Datum));
}

TEST(AggregationHashTable, ZeroWidthRowsStillCount) {
  MemoryTracker memory;
  AggregationHashTable t(AggTableSpec{{}, 0}, &memory);
  Datum* r = t.find_or_insert(hash_keys({}, nullptr), nullptr);
  EXPECT_NE(r, nullptr);
  EXPECT_EQ(t.find_or_insert(hash_keys({}, nullptr), nullptr), r);
  EXPECT_EQ(t.size(), 1u);
}

TEST(AggregationHashTable, MemoryLimitFailsWith53200AndReleasesEverything) {
  MemoryTracker memory(1 << 20);  // 1 MiB
  {
    AggTableSpec spec{{TypeId::Text}, 3};
    AggregationHashTable t(spec, &memory);
    std::string s(100, 'x');
    bool failed = false;
    try {
      for (int64_t i = 0; i < 1000000; ++i) {
        std::string key = s + std::to_string(i);
        Datum k[] = {text_key(key)};
        t.find_or_insert(hash_keys(spec.key_types, k), k);
      }
    } catch (const SqlError& e) {
      failed = true;
      EXPECT_EQ(e.state(), SqlState::OutOfMemory);
    }
    EXPECT_TRUE(failed);
    EXPECT_LE(memory.used(), memory.limit());
    EXPECT_GT(t.size(), 1000u);
    // What was inserted before the failure is intact.
    const Datum* row = t.rows();
    EXPECT_EQ(std::string(row[0].str.ptr, row[0].str.len), s + "0");
  }
  EXPECT_EQ(memory.used(), 0u);
}

TEST(AggregationHashTable, TextHashDependsOnEveryByte) {
  std::string a = "abcdefghijklmnopq", b = a;
  for (size_t i = 0; i < a.size(); ++i) {
    b = a;
    b[i] ^= 1;
    EXPECT_NE(hash_bytes(a.data(), a.size()), hash_bytes(b.data(), b.size())) << i;
  }
  EXPECT_NE(hash_bytes("a", 1), hash_bytes("a\0", 2));
}

}  // namespace
}  // namespace omendb::runtime
