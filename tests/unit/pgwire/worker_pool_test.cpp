// The worker pool: a worker inside a BlockingRegion lets the pool start another thread, and the threads
// above `core` exit once the waits end.
#include "frontend/pgwire/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "common/blocking.h"

namespace omendb::pgwire {
namespace {

using namespace std::chrono_literals;

// One core thread; kBlocked jobs each wait (inside a BlockingRegion) until the last job runs, which can
// only happen on a thread the pool started because the others were blocked.
TEST(WorkerPool, BlockedWorkersLetAnotherThreadRunTheJobTheyWaitFor) {
  constexpr int kBlocked = 8;
  WorkerPool pool(1);
  std::mutex mu;
  std::condition_variable cv;
  bool released = false;
  int waited = 0, timed_out = 0;
  size_t threads_seen = 0;
  for (int i = 0; i < kBlocked; ++i) {
    pool.post([&] {
      BlockingRegion blocking;
      std::unique_lock lk(mu);
      if (cv.wait_for(lk, 30s, [&] { return released; }))
        ++waited;
      else
        ++timed_out;
    });
  }
  pool.post([&] {
    std::lock_guard lk(mu);
    threads_seen = pool.threads();
    released = true;
    cv.notify_all();
  });
  {
    std::unique_lock lk(mu);
    ASSERT_TRUE(cv.wait_for(lk, 60s, [&] { return released; }));
  }
  // The surplus threads exit once their waits end (leave_blocking, then no work).
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (pool.threads() > 1 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(pool.threads(), 1u);
  pool.join();
  EXPECT_EQ(waited, kBlocked);
  EXPECT_EQ(timed_out, 0);
  EXPECT_GE(threads_seen, static_cast<size_t>(kBlocked + 1));
  EXPECT_EQ(pool.threads(), 0u);
}

// Many short jobs, some blocking briefly, posted from several threads while the pool grows and shrinks:
// every job runs exactly once and join() waits for all of them.
TEST(WorkerPool, JobsPostedFromManyThreadsAllRunWhilePoolGrowsAndShrinks) {
  constexpr int kPosters = 4, kJobs = 200;
  std::atomic<int> ran{0};
  {
    WorkerPool pool(2);
    std::vector<std::thread> posters;
    for (int p = 0; p < kPosters; ++p) {
      posters.emplace_back([&, p] {
        for (int j = 0; j < kJobs; ++j) {
          pool.post([&, blocking = (j + p) % 5 == 0] {
            if (blocking) {
              BlockingRegion region;
              std::this_thread::sleep_for(1ms);
            }
            ran.fetch_add(1);
          });
        }
      });
    }
    for (auto& t : posters) t.join();
    pool.join();
    EXPECT_EQ(ran.load(), kPosters * kJobs);
  }
  EXPECT_EQ(ran.load(), kPosters * kJobs);
}

}  // namespace
}  // namespace omendb::pgwire
