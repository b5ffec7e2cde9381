// The sync point facility (common/sync_point.h): dependencies order threads, callbacks run with their
// argument, and nothing happens while it is disabled.
#include "common/sync_point.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace omendb {
namespace {

TEST(SyncPointTest, DisabledPointsDoNothing) {
  int calls = 0;
  sync_point::set_callback("Test:A", [&](void*) { ++calls; });
  OMEN_SYNC_POINT("Test:A");
  EXPECT_EQ(calls, 0);
  EXPECT_FALSE(sync_point::passed("Test:A"));
  sync_point::disable_and_clear();
}

TEST(SyncPointTest, DependenciesOrderThreads) {
  sync_point::Scope sync;
  // The worker's "second" waits until the main thread passed "first", whatever the scheduling.
  sync_point::load_dependency({{"Test:First", "Test:Second"}});
  std::mutex m;
  std::vector<std::string> order;
  std::thread worker([&] {
    OMEN_SYNC_POINT("Test:Second");
    std::lock_guard lock(m);
    order.push_back("second");
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // give the worker every chance to run first
  {
    std::lock_guard lock(m);
    order.push_back("first");
  }
  OMEN_SYNC_POINT("Test:First");
  worker.join();
  EXPECT_EQ(order, (std::vector<std::string>{"first", "second"}));
  EXPECT_TRUE(sync_point::passed("Test:Second"));
}

TEST(SyncPointTest, CallbacksGetTheirArgument) {
  sync_point::Scope sync;
  int seen = 0;
  sync_point::set_callback("Test:Callback", [&](void* arg) { seen = *static_cast<int*>(arg); });
  int value = 42;
  OMEN_SYNC_POINT_CALLBACK("Test:Callback", &value);
  EXPECT_EQ(seen, 42);
  sync_point::clear_callback("Test:Callback");
  value = 7;
  OMEN_SYNC_POINT_CALLBACK("Test:Callback", &value);
  EXPECT_EQ(seen, 42);
}

TEST(SyncPointTest, ClearingReleasesWaiters) {
  std::atomic<bool> released{false};
  sync_point::enable();
  sync_point::load_dependency({{"Test:Never", "Test:Blocked"}});
  std::thread waiter([&] {
    OMEN_SYNC_POINT("Test:Blocked");
    released = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(released.load());
  sync_point::disable_and_clear();
  waiter.join();
  EXPECT_TRUE(released.load());
  EXPECT_FALSE(sync_point::wait_passed("Test:Blocked", std::chrono::milliseconds(1)));
}

}  // namespace
}  // namespace omendb
