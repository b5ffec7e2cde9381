// Per-query memory accounting. The runtime structures a query builds (sort buffers, text arenas,
// aggregate and hash tables) reserve their bytes here before allocating them; a reservation past the
// query's limit or past the server-wide cap fails that query with 53200 "out of memory", so one query
// can never take the server's memory (and the server is never OOM-killed for it).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace omendb::runtime {

class MemoryTracker {
 public:
  static constexpr uint64_t kDefaultQueryLimit = uint64_t{1} << 30;  // 1 GiB

  explicit MemoryTracker(uint64_t limit = kDefaultQueryLimit) : limit_(limit) {}
  ~MemoryTracker();  // returns what is still reserved to the server-wide total
  MemoryTracker(const MemoryTracker&) = delete;
  MemoryTracker& operator=(const MemoryTracker&) = delete;

  // Counts `bytes` more; throws SqlError 53200 (and counts nothing) when that would exceed the query's
  // limit or the server-wide cap.
  void reserve(uint64_t bytes);
  void release(uint64_t bytes);
  // Releases everything (a query context being reused).
  void reset();

  void set_limit(uint64_t bytes) { limit_ = bytes; }
  uint64_t limit() const { return limit_; }
  uint64_t used() const { return used_; }
  uint64_t peak() const { return peak_; }

  // The cap on the bytes all running queries may reserve together (0 = none). Set once at start-up.
  static void set_server_cap(uint64_t bytes);
  static uint64_t server_used();

 private:
  uint64_t limit_;
  uint64_t used_ = 0;
  uint64_t peak_ = 0;
};

// Grows `v`'s capacity to `want` elements, counting the new capacity in `memory` (when not null) before
// allocating it and releasing the old count after; `counted` holds the bytes counted for `v`. Throws
// SqlError 53200 past the limit (and bad_alloc), leaving `v` and the count as they were.
template <typename T>
void reserve_counted(std::vector<T>& v, size_t want, MemoryTracker* memory, uint64_t& counted) {
  uint64_t bytes = want * sizeof(T);
  if (memory) memory->reserve(bytes);
  try {
    v.reserve(want);
  } catch (...) {
    if (memory) memory->release(bytes);
    throw;
  }
  if (memory) memory->release(counted);
  counted = bytes;
}

}  // namespace omendb::runtime
