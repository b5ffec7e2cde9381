#include "runtime/join_hash_table.h"

#include <algorithm>

namespace omendb::runtime {

JoinHashTable::JoinHashTable(JoinTableSpec spec, MemoryTracker* memory)
    : spec_(std::move(spec)),
      entry_bytes_(sizeof(JoinEntry) + spec_.types.size() * sizeof(Datum)),
      memory_(memory),
      rows_(memory),
      text_(memory) {}

JoinHashTable::~JoinHashTable() {
  if (memory_) memory_->release(entries_bytes_ + linked_bytes_ + directory_bytes_);
}

void JoinHashTable::insert(uint64_t hash, const Datum* values, bool linked) {
  if (entries_.size() == entries_.capacity())
    reserve_counted(entries_, std::max<size_t>(entries_.capacity() * 2, 64), memory_, entries_bytes_);
  if (linked_.size() == linked_.capacity())
    reserve_counted(linked_, std::max<size_t>(linked_.capacity() * 2, 64), memory_, linked_bytes_);
  auto* e = reinterpret_cast<JoinEntry*>(rows_.allocate(entry_bytes_));
  e->next = nullptr;
  e->hash = hash;
  e->matched = 0;
  Datum* out = e->values();
  for (size_t i = 0; i < spec_.types.size(); ++i) {
    out[i] = values[i];
    TypeId t = spec_.types[i];
    if (values[i].is_null) {
      out[i] = Datum{};
      out[i].is_null = 1;
    } else if (physical_type(t) == PhysType::Text) {
      out[i].str = text_.copy(values[i].str.ptr, values[i].str.len);
    }
  }
  entries_.push_back(e);
  linked_.push_back(linked ? 1 : 0);
}

void JoinHashTable::finish() {
  if (finished_) return;
  // A power of two at least the entry count (load factor <= 1; chains are walked inline).
  size_t want = 1;
  while (want < entries_.size()) want *= 2;
  uint64_t bytes = want * sizeof(JoinEntry*);
  if (memory_) memory_->reserve(bytes);
  try {
    directory_.assign(want, nullptr);
  } catch (...) {
    if (memory_) memory_->release(bytes);
    throw;
  }
  directory_bytes_ = bytes;
  null_entry_ = reinterpret_cast<JoinEntry*>(rows_.allocate(entry_bytes_));
  null_entry_->next = nullptr;
  null_entry_->hash = 0;
  null_entry_->matched = 0;
  for (size_t i = 0; i < spec_.types.size(); ++i) {
    null_entry_->values()[i] = Datum{};
    null_entry_->values()[i].is_null = 1;
  }
  const uint64_t m = want - 1;
  // Linked from the last entry to the first, so that a chain lists entries in insertion order.
  for (size_t i = entries_.size(); i-- > 0;) {
    if (!linked_[i]) continue;
    JoinEntry* e = entries_[i];
    JoinEntry*& head = directory_[e->hash & m];
    e->next = head;
    head = e;
  }
  finished_ = true;
}

}  // namespace omendb::runtime
