// The worker threads that run sessions' statements. A fixed number (`core`) of threads take jobs from a
// queue, like asio::thread_pool; in addition, a thread that enters a long wait (a row-lock wait,
// omendb::BlockingRegion) lets the pool start another thread, so that at least `core` threads are
// always free to run other sessions' statements, the lock holder's COMMIT among them. Threads above
// `core` exit when they run out of work. Their number is bounded by the number of sessions waiting.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>

namespace omendb::pgwire {

class WorkerPool {
 public:
  explicit WorkerPool(size_t core);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs f() on a worker thread. f may be move-only.
  template <typename F>
  void post(F&& f) {
    auto task = std::make_shared<std::decay_t<F>>(std::forward<F>(f));
    push([task] { (*task)(); });
  }

  // Waits until every posted job ran, then stops the threads.
  void join();

  // Threads now (tests, diagnostics).
  size_t threads() const;

 private:
  struct Worker {
    std::thread thread;
    bool done = false;
  };
  void push(std::function<void()> job);
  void spawn();  // mu_ held
  void run(Worker* self);
  static void enter_blocking(void* pool);
  static void leave_blocking(void* pool);
  bool surplus() const { return threads_ - blocked_ > core_; }  // mu_ held

  const size_t core_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  std::deque<std::function<void()>> queue_;
  std::list<Worker> workers_;
  size_t threads_ = 0;  // running threads (not yet done)
  size_t idle_ = 0;     // threads waiting for work
  size_t blocked_ = 0;  // threads inside a BlockingRegion
  bool joining_ = false;
};

}  // namespace omendb::pgwire
