// Bump allocator for text produced while a query runs (casts, concatenation, copies kept by sorts and
// aggregates) and for hash-join entries. Its blocks are counted against the query's MemoryTracker.
// Blocks grow with the arena (64 KiB first, then as large as everything allocated so far, up to 32 MiB),
// so a big build side takes few blocks, and blocks of 2 MiB or more come from large_alloc (huge pages).
#pragma once

#include <cstddef>
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
  void free_blocks(size_t from) noexcept;  // frees (and releases) blocks [from, end)

  MemoryTracker* memory_;
  std::vector<char*> blocks_;
  std::vector<size_t> sizes_;
  size_t block_ = 0, used_ = 0;
  size_t total_ = 0;  // bytes of every block
};

}  // namespace omendb::runtime
