#include "server/table_locks.h"

#include <algorithm>
#include <chrono>

#include "common/blocking.h"
#include "common/error.h"
#include "common/interrupt.h"

namespace omendb::engine {

TableLocks::Held& TableLocks::Held::operator=(Held&& o) noexcept {
  if (this != &o) {
    release();
    owner_ = o.owner_;
    shared_ = std::move(o.shared_);
    exclusive_ = std::move(o.exclusive_);
    names_ = std::move(o.names_);
    o.owner_ = nullptr;
    o.shared_.clear();
    o.exclusive_.clear();
    o.names_.clear();
  }
  return *this;
}

void TableLocks::Held::release() {
  if (owner_) {
    if (!names_.empty()) owner_->release_names(names_);
    if (!shared_.empty() || !exclusive_.empty()) owner_->release(shared_, exclusive_);
  }
  owner_ = nullptr;
  shared_.clear();
  exclusive_.clear();
  names_.clear();
}

bool TableLocks::grantable(const std::vector<uint32_t>& shared,
                           const std::vector<uint32_t>& exclusive) const {
  for (uint32_t id : shared) {
    auto it = entries_.find(id);
    if (it != entries_.end() && it->second.writer) return false;
  }
  for (uint32_t id : exclusive) {
    auto it = entries_.find(id);
    if (it != entries_.end() && (it->second.writer || it->second.readers > 0)) return false;
  }
  return true;
}

TableLocks::Held TableLocks::acquire(std::vector<uint32_t> shared, std::vector<uint32_t> exclusive,
                                     const storage::LockWait& wait) {
  auto tidy = [](std::vector<uint32_t>& v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  };
  tidy(shared);
  tidy(exclusive);
  shared.erase(
      std::remove_if(shared.begin(), shared.end(),
                     [&](uint32_t id) { return std::binary_search(exclusive.begin(), exclusive.end(), id); }),
      shared.end());
  Held held;
  if (shared.empty() && exclusive.empty()) return held;

  std::unique_lock lk(mu_);
  wait_for(lk, wait, [&] { return grantable(shared, exclusive); });
  for (uint32_t id : shared) ++entries_[id].readers;
  for (uint32_t id : exclusive) entries_[id].writer = true;
  held.owner_ = this;
  held.shared_ = std::move(shared);
  held.exclusive_ = std::move(exclusive);
  return held;
}

bool TableLocks::try_acquire(std::vector<uint32_t> shared, Held& held) {
  std::sort(shared.begin(), shared.end());
  shared.erase(std::unique(shared.begin(), shared.end()), shared.end());
  held.release();
  if (shared.empty()) return true;
  std::lock_guard lk(mu_);
  if (!grantable(shared, {})) return false;
  for (uint32_t id : shared) ++entries_[id].readers;
  held.owner_ = this;
  held.shared_ = std::move(shared);
  return true;
}

template <typename Pred>
void TableLocks::wait_for(std::unique_lock<std::mutex>& lk, const storage::LockWait& wait, Pred grantable) {
  if (grantable()) return;
  using Clock = std::chrono::steady_clock;
  const auto lock_deadline = wait.lock_timeout_ms
                                 ? Clock::now() + std::chrono::milliseconds(wait.lock_timeout_ms)
                                 : Clock::time_point::max();
  // Cancel requests and client disconnects set an atomic flag and notify nobody: poll it.
  constexpr auto kPoll = std::chrono::milliseconds(10);
  BlockingRegion blocking;  // the worker pool may start another thread meanwhile
  while (!grantable()) {
    released_.wait_until(lk, std::min({wait.deadline, lock_deadline, Clock::now() + kPoll}));
    if (grantable()) break;
    auto now = Clock::now();
    if (Interrupt why = pending_interrupt(wait.cancel, wait.deadline, now); why != Interrupt::None)
      throw interrupt_error(why);
    if (now >= lock_deadline)
      throw SqlError(SqlState::LockNotAvailable, "canceling statement due to lock timeout");
  }
}

TableLocks::Held TableLocks::acquire_names(std::vector<std::string> names, const storage::LockWait& wait) {
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  Held held;
  if (names.empty()) return held;
  std::unique_lock lk(mu_);
  wait_for(lk, wait, [&] {
    for (const std::string& n : names)
      if (names_.count(n)) return false;
    return true;
  });
  for (const std::string& n : names) names_.insert(n);
  held.owner_ = this;
  held.names_ = std::move(names);
  return held;
}

void TableLocks::release_names(const std::vector<std::string>& names) {
  {
    std::lock_guard lk(mu_);
    for (const std::string& n : names) names_.erase(n);
  }
  released_.notify_all();
}

void TableLocks::release(const std::vector<uint32_t>& shared, const std::vector<uint32_t>& exclusive) {
  {
    std::lock_guard lk(mu_);
    auto drop_if_free = [&](std::unordered_map<uint32_t, Entry>::iterator it) {
      if (it->second.readers == 0 && !it->second.writer) entries_.erase(it);
    };
    for (uint32_t id : shared) {
      auto it = entries_.find(id);
      if (it == entries_.end()) continue;
      --it->second.readers;
      drop_if_free(it);
    }
    for (uint32_t id : exclusive) {
      auto it = entries_.find(id);
      if (it == entries_.end()) continue;
      it->second.writer = false;
      drop_if_free(it);
    }
  }
  released_.notify_all();
}

size_t TableLocks::held_tables() const {
  std::lock_guard lk(mu_);
  return entries_.size() + names_.size();
}

}  // namespace omendb::engine
