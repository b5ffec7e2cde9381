#include "server/table_locks.h"

#include <algorithm>
#include <chrono>

#include "catalog/system_catalog.h"
#include "common/blocking.h"
#include "common/error.h"
#include "common/interrupt.h"

namespace omendb::engine {

namespace {

// A lock name as the user wrote it: without the prefix that keeps schemas' and other schemas' names
// apart (engine.cpp, lock_names).
std::string_view display_name(std::string_view name) {
  if (!name.empty() && name[0] == '\x02') return name.substr(1);
  if (!name.empty() && name[0] == '\x01') {
    size_t dot = name.find('.');
    return dot == std::string_view::npos ? name : name.substr(dot + 1);
  }
  return name;
}

constexpr std::string_view kAccessExclusive = "AccessExclusiveLock";
constexpr const char* kDeadlockHint = "See server log for query details.";

std::string relation_text(std::string_view mode, uint32_t table_id) {
  return std::string(mode) + " on relation " + std::to_string(catalog::table_oid(table_id)) +
         " of database " + std::to_string(catalog::kDatabaseOid);
}

}  // namespace

TableLocks::TableLocks(storage::WaitGraph& graph) : graph_(graph) {
  graph_.add(*this);
}

TableLocks::~TableLocks() {
  graph_.remove(*this);
}

TableLocks::Held& TableLocks::Held::operator=(Held&& o) noexcept {
  if (this != &o) {
    release();
    owner_ = o.owner_;
    shared_ = std::move(o.shared_);
    exclusive_ = std::move(o.exclusive_);
    names_ = std::move(o.names_);
    pid_ = o.pid_;
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
    if (!shared_.empty() || !exclusive_.empty()) owner_->release(shared_, exclusive_, pid_);
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
    const auto own = static_cast<size_t>(std::count(own_shared.begin(), own_shared.end(), id));
    if (it->second.writer || it->second.readers.size() > own) return false;
  }
  return true;
}

TableLocks::Held TableLocks::acquire(std::vector<uint32_t> shared, std::vector<uint32_t> exclusive,
                                     const storage::LockWait& wait, const std::vector<uint32_t>& own_shared,
                                     std::string_view shared_mode) {
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
  const Waiter me{wait.pid, &shared, &exclusive, nullptr, shared_mode};
  // An upgrade of a table that another session waits to upgrade too: each holds the lock the other waits
  // for, so this request fails at once (PostgreSQL's early deadlock detection in ProcSleep).
  for (uint32_t id : exclusive) {
    if (std::find(own_shared.begin(), own_shared.end(), id) == own_shared.end()) continue;
    auto it = entries_.find(id);
    if (it == entries_.end()) continue;
    const std::vector<int32_t>& readers = it->second.readers;
    for (const Waiter* w : waiting_) {
      if (w->pid == wait.pid ||
          std::find(w->exclusive->begin(), w->exclusive->end(), id) == w->exclusive->end())
        continue;
      if (std::find(readers.begin(), readers.end(), w->pid) == readers.end()) continue;
      const std::string what = relation_text(kAccessExclusive, id);
      throw SqlError(SqlState::DeadlockDetected, "deadlock detected")
          .with_detail(storage::WaitGraph::wait_text(wait.pid, what, w->pid) + "\n" +
                       storage::WaitGraph::wait_text(w->pid, what, wait.pid))
          .with_hint(kDeadlockHint);
    }
  }
  wait_for(lk, wait, me, [&] { return grantable(shared, exclusive, own_shared); });
  for (uint32_t id : shared) entries_[id].readers.push_back(wait.pid);
  for (uint32_t id : exclusive) {
    Entry& e = entries_[id];
    e.writer = true;
    e.writer_pid = wait.pid;
  }
  held.owner_ = this;
  held.shared_ = std::move(shared);
  held.exclusive_ = std::move(exclusive);
  held.pid_ = wait.pid;
  return held;
}

bool TableLocks::try_acquire(std::vector<uint32_t> shared, Held& held, int32_t pid) {
  std::sort(shared.begin(), shared.end());
  shared.erase(std::unique(shared.begin(), shared.end()), shared.end());
  held.release();
  if (shared.empty()) return true;
  std::lock_guard lk(mu_);
  if (!grantable(shared, {})) return false;
  for (uint32_t id : shared) entries_[id].readers.push_back(pid);
  held.owner_ = this;
  held.shared_ = std::move(shared);
  held.pid_ = pid;
  return true;
}

void TableLocks::blockers(const Waiter& w, std::vector<storage::WaitGraph::Edge>& out) const {
  for (uint32_t id : *w.shared) {
    auto it = entries_.find(id);
    if (it != entries_.end() && it->second.writer && it->second.writer_pid != w.pid)
      out.push_back({it->second.writer_pid, relation_text(w.shared_mode, id)});
  }
  for (uint32_t id : *w.exclusive) {
    auto it = entries_.find(id);
    if (it == entries_.end()) continue;
    const Entry& e = it->second;
    if (e.writer && e.writer_pid != w.pid) out.push_back({e.writer_pid, relation_text(kAccessExclusive, id)});
    for (int32_t pid : e.readers)
      if (pid != w.pid) out.push_back({pid, relation_text(kAccessExclusive, id)});
  }
  if (w.names)
    for (const std::string& n : *w.names) {
      auto it = names_.find(n);
      if (it != names_.end() && it->second != w.pid)
        out.push_back({it->second, "ExclusiveLock on the name \"" + std::string(display_name(n)) + "\""});
    }
}

void TableLocks::blockers(int32_t pid, std::vector<storage::WaitGraph::Edge>& out) const {
  for (const Waiter* w : waiting_)
    if (w->pid == pid) blockers(*w, out);
}

std::string_view TableLocks::wait_event(int32_t pid) const {
  for (const Waiter* w : waiting_) {
    if (w->pid != pid) continue;
    // A name waits for the transaction that creates it (PostgreSQL: on pg_class's unique index).
    return w->names ? "transactionid" : "relation";
  }
  return "";
}

template <typename Pred>
void TableLocks::wait_for(std::unique_lock<std::mutex>& lk, const storage::LockWait& wait, const Waiter& me,
                          Pred grantable) {
  if (grantable()) return;
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto lock_deadline = wait.lock_timeout_ms ? start + std::chrono::milliseconds(wait.lock_timeout_ms)
                                                  : Clock::time_point::max();
  const auto deadlock_at = start + std::chrono::milliseconds(wait.deadlock_timeout_ms);
  bool deadlock_checked = false;
  // Cancel requests and client disconnects set an atomic flag and notify nobody: poll it.
  constexpr auto kPoll = std::chrono::milliseconds(10);
  BlockingRegion blocking;  // the worker pool may start another thread meanwhile
  waiting_.push_back(&me);
  struct Done {
    std::vector<const Waiter*>& waiting;
    const Waiter* me;
    ~Done() { waiting.erase(std::find(waiting.begin(), waiting.end(), me)); }
  } done{waiting_, &me};
  while (!grantable()) {
    auto until = std::min({wait.deadline, lock_deadline, Clock::now() + kPoll});
    if (!deadlock_checked) until = std::min(until, deadlock_at);
    released_.wait_until(lk, until);
    if (grantable()) break;
    auto now = Clock::now();
    if (Interrupt why = pending_interrupt(wait.cancel, wait.deadline, now); why != Interrupt::None)
      throw interrupt_error(why);
    if (now >= lock_deadline)
      throw SqlError(SqlState::LockNotAvailable, "canceling statement due to lock timeout");
    if (!deadlock_checked && now >= deadlock_at) {
      deadlock_checked = true;  // PostgreSQL checks once per wait
      std::string detail;
      const bool deadlock = graph_.find_cycle(me.pid, lk, detail);  // releases mu_ meanwhile
      if (deadlock)
        throw SqlError(SqlState::DeadlockDetected, "deadlock detected")
            .with_detail(std::move(detail))
            .with_hint(kDeadlockHint);
    }
  }
}

TableLocks::Held TableLocks::acquire_names(std::vector<std::string> names, const storage::LockWait& wait) {
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  Held held;
  if (names.empty()) return held;
  std::unique_lock lk(mu_);
  static const std::vector<uint32_t> kNone;
  const Waiter me{wait.pid, &kNone, &kNone, &names};
  wait_for(lk, wait, me, [&] {
    for (const std::string& n : names)
      if (names_.count(n)) return false;
    return true;
  });
  for (const std::string& n : names) names_.emplace(n, wait.pid);
  held.owner_ = this;
  held.names_ = std::move(names);
  held.pid_ = wait.pid;
  return held;
}

void TableLocks::release_names(const std::vector<std::string>& names) {
  {
    std::lock_guard lk(mu_);
    for (const std::string& n : names) names_.erase(n);
  }
  released_.notify_all();
}

void TableLocks::release(const std::vector<uint32_t>& shared, const std::vector<uint32_t>& exclusive,
                         int32_t pid) {
  {
    std::lock_guard lk(mu_);
    auto drop_if_free = [&](std::unordered_map<uint32_t, Entry>::iterator it) {
      if (it->second.readers.empty() && !it->second.writer) entries_.erase(it);
    };
    for (uint32_t id : shared) {
      auto it = entries_.find(id);
      if (it == entries_.end()) continue;
      std::vector<int32_t>& readers = it->second.readers;
      if (auto r = std::find(readers.begin(), readers.end(), pid); r != readers.end()) readers.erase(r);
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
  return waiting_.size();
}

size_t TableLocks::held_tables() const {
  std::lock_guard lk(mu_);
  return entries_.size() + names_.size();
}

}  // namespace omendb::engine
