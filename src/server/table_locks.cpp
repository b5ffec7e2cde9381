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

bool TableLocks::grantable(const std::vector<uint32_t>& shared, const std::vector<uint32_t>& exclusive,
                           const std::vector<uint32_t>& own_shared) const {
  for (uint32_t id : shared) {
    auto it = entries_.find(id);
    if (it != entries_.end() && it->second.writer) return false;
  }
  for (uint32_t id : exclusive) {
    auto it = entries_.find(id);
    if (it == entries_.end()) continue;
    const auto own = static_cast<uint32_t>(std::count(own_shared.begin(), own_shared.end(), id));
    if (it->second.writer || it->second.readers > own) return false;
  }
  return true;
}

TableLocks::Held TableLocks::acquire(std::vector<uint32_t> shared, std::vector<uint32_t> exclusive,
                                     const storage::LockWait& wait, const std::vector<uint32_t>& own_shared) {
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
  // Upgrades: while this request waits, others see it; two upgrades of one table wait for each other.
  std::vector<uint32_t> upgrades;
  for (uint32_t id : exclusive)
    if (std::find(own_shared.begin(), own_shared.end(), id) != own_shared.end()) upgrades.push_back(id);
  for (uint32_t id : upgrades)
    if (entries_[id].upgrading > 0)
      throw SqlError(SqlState::DeadlockDetected, "deadlock detected")
          .with_detail("Another transaction that holds a lock on the same table waits to change it too.");
  for (uint32_t id : upgrades) ++entries_[id].upgrading;
  struct Unmark {
    std::unordered_map<uint32_t, Entry>& entries;
    const std::vector<uint32_t>& ids;
    ~Unmark() {
      for (uint32_t id : ids) --entries[id].upgrading;
    }
  } unmark{entries_, upgrades};
  wait_for(lk, wait, [&] { return grantable(shared, exclusive, own_shared); });
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
  ++waiting_;
  struct Done {
    uint64_t& n;
    ~Done() { --n; }
  } done{waiting_};
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

uint64_t TableLocks::waiters() const {
  std::lock_guard lk(mu_);
  return waiting_;
}

size_t TableLocks::held_tables() const {
  std::lock_guard lk(mu_);
  return entries_.size() + names_.size();
}

}  // namespace omendb::engine
