// The join hash table: bucket chains hold every entry of a hash in insertion order, unlinked (NULL
// key) entries are only in entries(), text is copied, the all-NULL entry, and the per-query memory
// limit (53200, everything released).
#include "runtime/join_hash_table.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "common/error.h"
#include "runtime/aggregation_hash_table.h"

namespace omendb::runtime {
namespace {

Datum int_datum(int64_t v) {
  Datum d{};
  d.i64 = v;
  return d;
}
Datum text_datum(const std::string& s) {
  Datum d{};
  d.str = StrRef{s.data(), s.size()};
  return d;
}
Datum null_datum() {
  Datum d{};
  d.is_null = 1;
  return d;
}

// The entries a probe with key `k` walks: the chain of its bucket, filtered by hash and key.
std::vector<const JoinEntry*> lookup(const JoinHashTable& t, int64_t k) {
  const std::vector<TypeId> key_types{TypeId::Int64};
  Datum key[] = {int_datum(k)};
  uint64_t h = hash_keys(key_types, key);
  std::vector<const JoinEntry*> out;
  for (const JoinEntry* e = t.bucket(h); e; e = e->next)
    if (e->hash == h && e->values()[0].i64 == k) out.push_back(e);
  return out;
}

TEST(JoinHashTable, ChainsFindEveryDuplicateInInsertionOrder) {
  MemoryTracker memory;
  JoinHashTable t(JoinTableSpec{{TypeId::Int64, TypeId::Text}}, &memory);
  const std::vector<TypeId> key_types{TypeId::Int64};
  std::vector<std::string> texts;
  for (int64_t i = 0; i < 5000; ++i) texts.push_back("row" + std::to_string(i));
  for (int64_t i = 0; i < 5000; ++i) {
    Datum row[] = {int_datum(i % 1000), text_datum(texts[static_cast<size_t>(i)])};
    t.insert(hash_keys(key_types, row), row, true);
  }
  t.finish();
  EXPECT_EQ(t.size(), 5000u);
  EXPECT_EQ(t.mask() + 1, 8192u);  // a power of two >= the entry count
  for (int64_t k : {0, 1, 499, 999}) {
    auto found = lookup(t, k);
    ASSERT_EQ(found.size(), 5u) << k;
    for (size_t j = 0; j < found.size(); ++j) {
      const Datum& text = found[j]->values()[1];
      EXPECT_EQ(std::string(text.str.ptr, text.str.len),
                "row" + std::to_string(k + 1000 * static_cast<int64_t>(j)));
    }
  }
  EXPECT_TRUE(lookup(t, 1000).empty());
  EXPECT_TRUE(lookup(t, -1).empty());
  // Text was copied: the source strings may go.
  texts.clear();
  const Datum& first = t.entries()[0]->values()[1];
  EXPECT_EQ(std::string(first.str.ptr, first.str.len), "row0");
}

TEST(JoinHashTable, NullKeysAreKeptButNeverLinked) {
  MemoryTracker memory;
  JoinHashTable t(JoinTableSpec{{TypeId::Int64, TypeId::Int64}}, &memory);
  const std::vector<TypeId> key_types{TypeId::Int64};
  Datum a[] = {int_datum(7), int_datum(1)};
  Datum b[] = {null_datum(), int_datum(2)};
  t.insert(hash_keys(key_types, a), a, true);
  t.insert(hash_keys(key_types, b), b, false);
  t.finish();
  t.finish();  // idempotent
  ASSERT_EQ(t.size(), 2u);
  EXPECT_TRUE(t.entries()[1]->values()[0].is_null);
  EXPECT_EQ(t.entries()[1]->values()[1].i64, 2);
  size_t linked = 0;
  for (uint64_t i = 0; i <= t.mask(); ++i)
    for (const JoinEntry* e = t.directory()[i]; e; e = e->next) ++linked;
  EXPECT_EQ(linked, 1u);
  EXPECT_EQ(lookup(t, 7).size(), 1u);
  // The all-NULL entry stands for the missing side of an outer join.
  ASSERT_NE(t.null_entry(), nullptr);
  EXPECT_TRUE(t.null_entry()->values()[0].is_null && t.null_entry()->values()[1].is_null);
  EXPECT_EQ(t.entries()[0]->matched, 0u);
}

TEST(JoinHashTable, EmptyTableHasOneEmptyBucket) {
  MemoryTracker memory;
  JoinHashTable t(JoinTableSpec{{}}, &memory);  // a nested-loop join's build side with no columns
  t.finish();
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.mask(), 0u);
  EXPECT_EQ(t.bucket(12345), nullptr);
}

TEST(JoinHashTable, MemoryLimitFailsWith53200AndReleasesEverything) {
  MemoryTracker memory(1 << 20);  // 1 MiB
  {
    JoinHashTable t(JoinTableSpec{{TypeId::Int64, TypeId::Text}}, &memory);
    const std::vector<TypeId> key_types{TypeId::Int64};
    std::string s(100, 'x');
    bool failed = false;
    try {
      for (int64_t i = 0; i < 1000000; ++i) {
        Datum row[] = {int_datum(i), text_datum(s)};
        t.insert(hash_keys(key_types, row), row, true);
      }
    } catch (const SqlError& e) {
      failed = true;
      EXPECT_EQ(e.state(), SqlState::OutOfMemory);
    }
    EXPECT_TRUE(failed);
    EXPECT_LE(memory.used(), memory.limit());
    EXPECT_GT(t.size(), 1000u);
    EXPECT_EQ(t.entries()[0]->values()[0].i64, 0);
  }
  EXPECT_EQ(memory.used(), 0u);
}

}  // namespace
}  // namespace omendb::runtime
