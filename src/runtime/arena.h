// Bump allocator for text produced while a query runs (casts, concatenation, copies kept by sorts and
// aggregates). Its blocks are counted against the query's MemoryTracker.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "common/datum.h"
#include "runtime/memory.h"

namespace omendb::runtime {

class Arena {
 public:
  explicit Arena(MemoryTracker* memory = nullptr) : memory_(memory) {}
  ~Arena();
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // Throws SqlError 53200 past the query's memory limit.
  char* allocate(size_t bytes);
  StrRef copy(const char* data, size_t len);
  // Forgets every allocation; keeps the first block for reuse.
  void reset();
  // Exchanges the allocations of two arenas counted in the same MemoryTracker (a correlated subquery's
  // run takes the query arena's place, so that its per-batch resets leave the outer row's text alone).
  void swap(Arena& other) noexcept;

 private:
  MemoryTracker* memory_;
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::vector<size_t> sizes_;
  size_t block_ = 0, used_ = 0;
};

}  // namespace omendb::runtime
