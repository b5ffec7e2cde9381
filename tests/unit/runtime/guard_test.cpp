// Every runtime function generated code calls goes through runtime::Guard: an allocation failure (or
// any exception) inside it is recorded in the query as an error and the function returns its stop
// value, instead of unwinding through nounwind JIT frames and terminating the server. Allocation
// failures are injected with a replaced global operator new that fails the Nth allocation.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <new>

#include "runtime/exec_context.h"
#include "runtime/guard.h"
#include "runtime/runtime_api.h"

namespace {
// 0: off; N > 0: the Nth allocation from now on throws std::bad_alloc.
thread_local long fail_allocation_in = 0;
}  // namespace

// The replacements below pair malloc with free on purpose; GCC cannot tell they replace the globals.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) {
  if (fail_allocation_in > 0 && --fail_allocation_in == 0) throw std::bad_alloc();
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
// The nothrow form too (std::stable_sort's temporary buffer uses it): every allocation these deletes free
// must come from malloc, or AddressSanitizer reports a new/free mismatch.
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  if (fail_allocation_in > 0 && --fail_allocation_in == 0) return nullptr;
  return std::malloc(n ? n : 1);
}
#pragma GCC diagnostic pop

namespace omendb::runtime {
namespace {

struct Query {
  Query() {
    QueryLayout layout;
    layout.add_sort(SortSpec{{TypeId::Text, TypeId::Int64}, {{0, TypeId::Text, false, false}}});
    layout.add_aggregate(2);
    layout.add_scan(storage::ScanSpec{});
    layout.out_width = 1;
    ctx.prepare(layout);
  }
  ExecContext ctx;
  QueryState* qs() { return &ctx.qs; }
};

// Runs `call` with the first allocation inside it failing; expects the guard to record 53200.
template <typename F>
void expect_out_of_memory_recorded(const char* name, F&& call) {
  Query q;
  fail_allocation_in = 1;
  call(q);
  fail_allocation_in = 0;
  ASSERT_TRUE(q.ctx.error.has_value()) << name << ": no error recorded";
  EXPECT_EQ(q.ctx.error->state(), SqlState::OutOfMemory) << name;
  EXPECT_NE(q.ctx.qs.status, 0) << name;
}

TEST(RuntimeGuard, AllocationFailuresBecome53200) {
  StrRef out{};
  const std::string big_text(200 * 1024, 'x');  // larger than the arena's first block
  const std::string big_key(4096, 'k');         // more than the key buffer's inline capacity
  expect_out_of_memory_recorded("rt_concat", [&](Query& q) {
    Guard<&rt_concat>::call(q.qs(), big_text.data(), big_text.size(), "y", 1, &out);
  });
  expect_out_of_memory_recorded("rt_int_to_text",
                                [&](Query& q) { Guard<&rt_int_to_text>::call(q.qs(), 42, &out); });
  expect_out_of_memory_recorded("rt_double_to_text",
                                [&](Query& q) { Guard<&rt_double_to_text>::call(q.qs(), 0.5, &out); });
  expect_out_of_memory_recorded("rt_key_text", [&](Query& q) {
    Guard<&rt_key_text>::call(q.qs(), 0, 2, big_key.data(), big_key.size());
  });
  expect_out_of_memory_recorded("rt_sort_row", [&](Query& q) {
    Datum* row = Guard<&rt_sort_row>::call(q.qs(), 0);
    fail_allocation_in = 0;
    EXPECT_EQ(row, nullptr);  // the stop value
  });
  expect_out_of_memory_recorded("rt_agg_set_text",
                                [&](Query& q) { Guard<&rt_agg_set_text>::call(q.qs(), 0, 0, "abc", 3); });
  expect_out_of_memory_recorded("rt_text_to_double", [&](Query& q) {
    double d = 0;
    const char* text = "  1.500000000000000000000000000  ";  // longer than std::string's inline buffer
    int32_t r = Guard<&rt_text_to_double>::call(q.qs(), text, std::strlen(text), &d);
    fail_allocation_in = 0;
    EXPECT_EQ(r, 0);
  });
}

TEST(RuntimeGuard, SqlErrorsAreRecordedAsTheyAre) {
  Query q;
  int32_t v = 0;
  EXPECT_EQ(Guard<&rt_text_to_int32>::call(q.qs(), "abc", 3, &v), 0);
  ASSERT_TRUE(q.ctx.error.has_value());
  EXPECT_EQ(q.ctx.error->state(), SqlState::InvalidTextRepresentation);
}

TEST(RuntimeGuard, MemoryLimitStopsASort) {
  Query q;
  q.ctx.memory.set_limit(64 * 1024);
  bool stopped = false;
  for (int i = 0; i < 100000 && !stopped; ++i) {
    Datum* row = Guard<&rt_sort_row>::call(q.qs(), 0);
    if (!row) {
      stopped = true;
      break;
    }
    row[0].str = StrRef{"abcdefgh", 8};
    row[1].i64 = i;
    Guard<&rt_sort_row_done>::call(q.qs(), 0);
  }
  ASSERT_TRUE(stopped);
  ASSERT_TRUE(q.ctx.error.has_value());
  EXPECT_EQ(q.ctx.error->state(), SqlState::OutOfMemory);
  EXPECT_LE(q.ctx.memory.peak(), 64u * 1024);
}

}  // namespace
}  // namespace omendb::runtime
