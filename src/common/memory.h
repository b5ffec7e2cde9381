// Memory accounting. What a query's runtime structures (sort buffers, text arenas, aggregate and hash
// tables) and a transaction's buffered writes (its write set, savepoint copies and row-lock entries) hold
// is reserved here before it is allocated; a reservation past the owner's limit, or past the server-wide
// cap over every tracker together, fails with 53200 "out of memory", so one query or transaction can
// never take the server's memory (and the server is never OOM-killed for it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

namespace omendb {

class MemoryTracker {
 public:
  static constexpr uint64_t kDefaultQueryLimit = uint64_t{1} << 30;  // 1 GiB

  // What the tracker counts, for the error's DETAIL and HINT.
  enum class Owner : uint8_t {
    Query,        // one statement's runtime structures (omendb.query_memory_limit)
    Transaction,  // one transaction's write set and row locks (omendb.transaction_memory_limit)
  };

  explicit MemoryTracker(uint64_t limit = kDefaultQueryLimit, Owner owner = Owner::Query)
      : limit_(limit), owner_(owner) {}
  ~MemoryTracker();  // returns what is still reserved to the server-wide total
  MemoryTracker(const MemoryTracker&) = delete;
  MemoryTracker& operator=(const MemoryTracker&) = delete;

  // Counts `bytes` more; throws SqlError 53200 (and counts nothing) when that would exceed the owner's
  // limit or the server-wide cap.
  void reserve(uint64_t bytes);
  // Counts `bytes` more without checking either bound: only for giving back what a rollback restores or
  // what replaces at least as many bytes released just before (never a new allocation).
  void force_reserve(uint64_t bytes);
  void release(uint64_t bytes);
  // Releases everything (a query context being reused, a transaction ending).
  void reset();

  void set_limit(uint64_t bytes) { limit_ = bytes; }
  uint64_t limit() const { return limit_; }
  uint64_t used() const { return used_; }
  uint64_t peak() const { return peak_; }

  // The cap on the bytes all trackers (running queries and open transactions) may reserve together
  // (0 = none). Set once at start-up.
  static void set_server_cap(uint64_t bytes);
  static uint64_t server_used();

 private:
  uint64_t limit_;
  Owner owner_;
  uint64_t used_ = 0;
  uint64_t peak_ = 0;
};

// Memory for a query's bulk structures (hash-table entries and directories, sort buffers, large text
// arena blocks). An allocation of at least kLargeAllocBytes is its own anonymous mapping, aligned to and
// rounded up to 2 MiB and advised MADV_HUGEPAGE, so the kernel backs it with transparent huge pages
// where it can: touching 100 MB of fresh hash-table entries then costs about 50 page faults instead of
// 25,000 (each a few microseconds on bare metal, ten on a paravirtualised VM), and the TLB covers it.
// It goes back to the system when freed (no process-wide cache). Smaller ones come from the ordinary
// allocator (operator new). Only the advice is needed: with THP off (`never`) the mapping works unchanged.
constexpr size_t kLargeAllocBytes = size_t{2} << 20;
void* large_alloc(size_t bytes);                  // throws std::bad_alloc
void large_free(void* p, size_t bytes) noexcept;  // `bytes` as given to large_alloc

// A std::allocator for vectors that grow into bulk sizes (large_alloc's policy per allocation).
template <typename T>
struct LargeAllocator {
  using value_type = T;
  LargeAllocator() = default;
  template <typename U>
  LargeAllocator(const LargeAllocator<U>&) noexcept {}
  T* allocate(size_t n) {
    if (n > SIZE_MAX / sizeof(T)) throw std::bad_alloc();
    return static_cast<T*>(large_alloc(n * sizeof(T)));
  }
  void deallocate(T* p, size_t n) noexcept { large_free(p, n * sizeof(T)); }
  template <typename U>
  bool operator==(const LargeAllocator<U>&) const noexcept {
    return true;
  }
};
template <typename T>
using LargeVector = std::vector<T, LargeAllocator<T>>;

// Grows `v`'s capacity to `want` elements, counting the new capacity in `memory` (when not null) before
// allocating it and releasing the old count after; `counted` holds the bytes counted for `v`. Throws
// SqlError 53200 past the limit (and bad_alloc), leaving `v` and the count as they were.
template <typename T, typename A>
void reserve_counted(std::vector<T, A>& v, size_t want, MemoryTracker* memory, uint64_t& counted) {
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

}  // namespace omendb
