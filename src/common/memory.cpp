#include "common/memory.h"

#include <sys/mman.h>

#include <atomic>
#include <string>

#include "common/error.h"

namespace omendb {

namespace {
std::atomic<uint64_t> g_server_used{0};
std::atomic<uint64_t> g_server_cap{0};

std::string mib(uint64_t bytes) {
  return std::to_string((bytes + (1 << 20) - 1) >> 20) + " MB";
}
}  // namespace

MemoryTracker::~MemoryTracker() {
  reset();
}

void MemoryTracker::reserve(uint64_t bytes) {
  if (used_ + bytes > limit_) {
    if (owner_ == Owner::Transaction)
      throw SqlError(SqlState::OutOfMemory, "out of memory")
          .with_detail("The transaction's writes need more than its memory limit of " + mib(limit_) +
                       " (omendb.transaction_memory_limit).")
          .with_hint("Write in smaller transactions, or raise omendb.transaction_memory_limit.");
    throw SqlError(SqlState::OutOfMemory, "out of memory")
        .with_detail("The query needs more than its memory limit of " + mib(limit_) +
                     " (omendb.query_memory_limit).");
  }
  uint64_t cap = g_server_cap.load(std::memory_order_relaxed);
  uint64_t total = g_server_used.fetch_add(bytes, std::memory_order_relaxed) + bytes;
  if (cap != 0 && total > cap) {
    g_server_used.fetch_sub(bytes, std::memory_order_relaxed);
    throw SqlError(SqlState::OutOfMemory, "out of memory")
        .with_detail(
            "Running queries and open transactions together need more than the server's memory cap of " +
            mib(cap) + " (--query-memory-cap).");
  }
  used_ += bytes;
  if (used_ > peak_) peak_ = used_;
}

void MemoryTracker::force_reserve(uint64_t bytes) {
  g_server_used.fetch_add(bytes, std::memory_order_relaxed);
  used_ += bytes;
  if (used_ > peak_) peak_ = used_;
}

void MemoryTracker::release(uint64_t bytes) {
  if (bytes > used_) bytes = used_;
  used_ -= bytes;
  g_server_used.fetch_sub(bytes, std::memory_order_relaxed);
}

void MemoryTracker::reset() {
  release(used_);
}

void MemoryTracker::set_server_cap(uint64_t bytes) {
  g_server_cap.store(bytes, std::memory_order_relaxed);
}

uint64_t MemoryTracker::server_used() {
  return g_server_used.load(std::memory_order_relaxed);
}

void* large_alloc(size_t bytes) {
  if (bytes < kLargeAllocBytes) return ::operator new(bytes);
  const size_t align = kLargeAllocBytes;
  if (bytes > SIZE_MAX - 2 * align) throw std::bad_alloc();
  const size_t size = (bytes + align - 1) & ~(align - 1);
  // Map one alignment more than needed and unmap the unaligned head and the rest of the tail.
  void* raw = mmap(nullptr, size + align, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  const auto start = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = (start + align - 1) & ~(uintptr_t{align} - 1);
  if (aligned > start) munmap(raw, aligned - start);
  const uintptr_t tail = start + size + align - (aligned + size);
  if (tail) munmap(reinterpret_cast<void*>(aligned + size), tail);
  void* p = reinterpret_cast<void*>(aligned);
  madvise(p, size, MADV_HUGEPAGE);  // advice only: fails harmlessly where THP is unavailable
  return p;
}

void large_free(void* p, size_t bytes) noexcept {
  if (!p) return;
  if (bytes < kLargeAllocBytes) {
    ::operator delete(p);
    return;
  }
  const size_t size = (bytes + kLargeAllocBytes - 1) & ~(kLargeAllocBytes - 1);
  munmap(p, size);
}

}  // namespace omendb
