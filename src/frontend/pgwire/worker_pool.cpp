#include "frontend/pgwire/worker_pool.h"

#include <algorithm>

#include "common/blocking.h"

namespace omendb::pgwire {

WorkerPool::WorkerPool(size_t core) : core_(std::max<size_t>(1, core)) {
  std::lock_guard lk(mu_);
  for (size_t i = 0; i < core_; ++i) spawn();
}

WorkerPool::~WorkerPool() {
  join();
}

void WorkerPool::push(std::function<void()> job) {
  std::lock_guard lk(mu_);
  queue_.push_back(std::move(job));
  work_cv_.notify_one();
}

void WorkerPool::spawn() {
  // Threads that finished have returned from run(): joining them here does not wait.
  for (auto it = workers_.begin(); it != workers_.end();) {
    if (!it->done) {
      ++it;
      continue;
    }
    it->thread.join();
    it = workers_.erase(it);
  }
  workers_.emplace_back();
  Worker* w = &workers_.back();
  ++threads_;
  w->thread = std::thread([this, w] { run(w); });
}

void WorkerPool::run(Worker* self) {
  set_blocking_hooks({&WorkerPool::enter_blocking, &WorkerPool::leave_blocking, this});
  std::unique_lock lk(mu_);
  for (;;) {
    if (!queue_.empty()) {
      std::function<void()> job = std::move(queue_.front());
      queue_.pop_front();
      lk.unlock();
      job();
      job = nullptr;  // destroy captures outside the lock
      lk.lock();
      continue;
    }
    if (joining_ || surplus()) break;
    ++idle_;
    work_cv_.wait(lk, [&] { return !queue_.empty() || joining_ || surplus(); });
    --idle_;
  }
  --threads_;
  self->done = true;
  done_cv_.notify_all();
}

void WorkerPool::enter_blocking(void* pool) {
  auto* p = static_cast<WorkerPool*>(pool);
  std::lock_guard lk(p->mu_);
  ++p->blocked_;
  if (p->threads_ - p->blocked_ < p->core_ && !p->joining_) p->spawn();
}

void WorkerPool::leave_blocking(void* pool) {
  auto* p = static_cast<WorkerPool*>(pool);
  std::lock_guard lk(p->mu_);
  --p->blocked_;
  if (p->surplus()) p->work_cv_.notify_one();  // an idle thread too many: let it go
}

void WorkerPool::join() {
  std::list<Worker> finished;
  {
    std::unique_lock lk(mu_);
    joining_ = true;
    work_cv_.notify_all();
    done_cv_.wait(lk, [&] { return threads_ == 0; });
    finished.swap(workers_);
  }
  for (Worker& w : finished)
    if (w.thread.joinable()) w.thread.join();
}

size_t WorkerPool::threads() const {
  std::lock_guard lk(mu_);
  return threads_;
}

}  // namespace omendb::pgwire
