// Query memory: large_alloc's mappings (2 MiB aligned, zeroed, writable, freed), LargeVector with
// reserve_counted, and the arena's geometric blocks (few blocks for a big build side, every byte counted
// in the query's MemoryTracker and given back, 53200 past the limit, reset keeping the first block).
#include "runtime/arena.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <set>

#include "common/error.h"
#include "common/memory.h"

namespace omendb::runtime {
namespace {

TEST(LargeAlloc, BigAllocationsAreAlignedZeroedAndWritable) {
  for (size_t bytes : {kLargeAllocBytes, kLargeAllocBytes + 1, size_t{7} << 20}) {
    auto* p = static_cast<unsigned char*>(large_alloc(bytes));
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % kLargeAllocBytes, 0u) << bytes;
    EXPECT_EQ(p[0], 0);
    EXPECT_EQ(p[bytes - 1], 0);
    std::memset(p, 0xab, bytes);
    EXPECT_EQ(p[bytes / 2], 0xab);
    large_free(p, bytes);
  }
  // Small ones come from operator new and are usable too.
  auto* q = static_cast<char*>(large_alloc(100));
  std::memset(q, 1, 100);
  large_free(q, 100);
  large_free(nullptr, 1 << 30);  // nothing to free
}

TEST(LargeAlloc, LargeVectorGrowsThroughBulkSizesAndCountsIt) {
  MemoryTracker memory(uint64_t{64} << 20);
  uint64_t counted = 0;
  {
    LargeVector<uint64_t> v;
    for (uint64_t i = 0; i < 1'000'000; ++i) {
      if (v.size() == v.capacity())
        reserve_counted(v, std::max<size_t>(v.capacity() * 2, 64), &memory, counted);
      v.push_back(i * 3);
    }
    EXPECT_EQ(counted, v.capacity() * sizeof(uint64_t));
    EXPECT_EQ(memory.used(), counted);
    uint64_t sum = 0;
    for (uint64_t x : v) sum += x;
    EXPECT_EQ(sum, uint64_t{3} * 999'999 * 1'000'000 / 2);
  }
  memory.release(counted);
  EXPECT_EQ(memory.used(), 0u);
}

TEST(Arena, BlocksGrowSoABigBuildSideTakesFewBlocks) {
  MemoryTracker memory(uint64_t{1} << 30);
  {
    Arena arena(&memory);
    std::set<char*> seen;
    const size_t n = 1'000'000, each = 48;  // 48 MB of small allocations
    char* last = nullptr;
    for (size_t i = 0; i < n; ++i) {
      char* p = arena.allocate(each);
      std::memset(p, static_cast<int>(i & 0x7f), each);
      last = p;
    }
    EXPECT_EQ(last[0], static_cast<char>((n - 1) & 0x7f));
    // Geometric growth: 64 KiB, 64 KiB, 128 KiB, ... up to 32 MiB blocks, so the arena holds at most
    // about twice what was asked (plus one maximal block).
    EXPECT_GE(memory.used(), n * each);
    EXPECT_LE(memory.used(), 2 * n * each + (size_t{32} << 20));
    arena.reset();  // keeps the first 64 KiB block only
    EXPECT_EQ(memory.used(), 64u * 1024);
    char* again = arena.allocate(10);
    std::memset(again, 1, 10);
  }
  EXPECT_EQ(memory.used(), 0u);
}

TEST(Arena, LimitFailsWith53200AndKeepsWhatWasCounted) {
  MemoryTracker memory(uint64_t{8} << 20);
  Arena arena(&memory);
  size_t got = 0;
  try {
    for (;;) {
      arena.allocate(1000);
      got += 1000;
    }
  } catch (const SqlError& e) {
    EXPECT_EQ(e.state(), SqlState::OutOfMemory);
  }
  EXPECT_GT(got, size_t{2} << 20);
  EXPECT_LE(memory.used(), uint64_t{8} << 20);
  arena.reset();
  EXPECT_EQ(memory.used(), 64u * 1024);
}

}  // namespace
}  // namespace omendb::runtime
