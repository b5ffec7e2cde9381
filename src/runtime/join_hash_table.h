// The state of a join operator (HashJoin, NestedLoopJoin): every row of the join's build side, kept
// for the probe side's pipeline. Generated code inserts each build row (its Datums, the join keys
// first) with the row's key hash; rt_join_ht_finish then links the rows into a bucket directory, and
// the probe pipeline walks a bucket's chain itself, comparing hashes and keys inline (no call per
// probe row). A nested-loop join inserts rows without keys and walks every entry.
//
// Entry layout (generated code reads it by offset): JoinEntry's header, then `width` Datums.
//   next:    the next entry of the same bucket, or null
//   hash:    the key hash (runtime::hash_keys over the key Datums, as codegen's sql::hash computes it)
//   matched: set by generated code when a probe row matched this entry (FULL joins emit the entries
//            still 0 after the probe)
// A row whose keys include a NULL is kept (a FULL join still emits it) but not linked into any bucket:
// a NULL key never matches.
//
// Memory (entries, their text, the directory and the entry list) is counted against the query's
// MemoryTracker; past its limit insert throws SqlError 53200. There is no spilling to disk yet.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "common/datum.h"
#include "common/types.h"
#include "runtime/arena.h"
#include "runtime/memory.h"

namespace omendb::runtime {

struct JoinEntry {
  JoinEntry* next;
  uint64_t hash;
  uint64_t matched;
  // followed by `width` Datums
  Datum* values() { return reinterpret_cast<Datum*>(this + 1); }
  const Datum* values() const { return reinterpret_cast<const Datum*>(this + 1); }
};
static_assert(sizeof(JoinEntry) == 24);
constexpr size_t kJoinEntryValues = sizeof(JoinEntry);  // byte offset of an entry's Datums

struct JoinTableSpec {
  std::vector<TypeId> types;  // one per Datum of an entry: the build side's keys first, then its columns
};

class JoinHashTable {
 public:
  JoinHashTable(JoinTableSpec spec, MemoryTracker* memory);
  ~JoinHashTable();
  JoinHashTable(const JoinHashTable&) = delete;
  JoinHashTable& operator=(const JoinHashTable&) = delete;

  // Copies a build row (`values`: types.size() Datums; their text may be transient). `linked` false:
  // the row is never found by a lookup (a NULL key), only by entries(). Only before finish().
  void insert(uint64_t hash, const Datum* values, bool linked);
  // Builds the bucket directory (once; later calls do nothing).
  void finish();

  // After finish(): the first entry of `hash`'s bucket (the chain holds other hashes too).
  JoinEntry* const* directory() const { return directory_.data(); }
  uint64_t mask() const { return directory_.empty() ? 0 : directory_.size() - 1; }
  JoinEntry* bucket(uint64_t hash) const { return directory_[hash & mask()]; }
  // After finish(): an entry whose Datums are all NULL (an outer join's missing side), never matched.
  JoinEntry* null_entry() const { return null_entry_; }
  // Every entry, in insertion order.
  JoinEntry* const* entries() const { return entries_.data(); }
  uint64_t size() const { return entries_.size(); }

 private:
  JoinTableSpec spec_;
  size_t entry_bytes_;
  MemoryTracker* memory_;
  Arena rows_;  // entries (their sizes are multiples of 8, so every entry is aligned)
  Arena text_;  // the entries' text
  LargeVector<JoinEntry*> entries_;
  LargeVector<uint8_t> linked_;
  LargeVector<JoinEntry*> directory_;
  uint64_t entries_bytes_ = 0;       // counted in memory_
  uint64_t linked_bytes_ = 0;        // counted in memory_
  uint64_t directory_bytes_ = 0;     // counted in memory_
  JoinEntry* null_entry_ = nullptr;  // in rows_
  bool finished_ = false;
};

}  // namespace omendb::runtime
