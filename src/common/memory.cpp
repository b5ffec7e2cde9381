#include "common/memory.h"

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

}  // namespace omendb
