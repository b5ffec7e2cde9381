#include "storage/lock_manager.h"

#include <algorithm>

#include "common/blocking.h"
#include "common/error.h"
#include "common/interrupt.h"
#include "common/sync_point.h"

namespace omendb::storage {

namespace {

int strength(RowLockMode m) {
  return static_cast<int>(m);
}

}  // namespace

LockManager::LockManager(WaitGraph& graph) : graph_(graph) {
  graph_.add(*this);
}

LockManager::~LockManager() {
  graph_.remove(*this);
}

bool LockManager::conflicts(RowLockMode a, RowLockMode b) {
  // PostgreSQL's "Conflicting Row-Level Locks" table: KEY SHARE conflicts with FOR UPDATE only; SHARE
  // with NO KEY UPDATE and UPDATE; NO KEY UPDATE with SHARE, NO KEY UPDATE and UPDATE; UPDATE with all.
  // The modes are ordered so that a stronger mode conflicts with a superset: conflict iff the two
  // strengths sum to at least 3 (KeyShare 0, Share 1, NoKeyUpdate 2, Update 3), except Share/Share.
  int x = strength(a), y = strength(b);
  if (x == 3 || y == 3) return true;
  if (x == 0 || y == 0) return false;
  return x == 2 || y == 2;  // Share/NoKeyUpdate, NoKeyUpdate/NoKeyUpdate; Share/Share does not conflict
}

bool LockManager::grantable(const Entry& e, uint64_t txn, RowLockMode mode, const Waiter* w) {
  bool upgrade = false;
  for (const Holder& h : e.holders) {
    if (h.txn == txn) {
      upgrade = true;
      continue;
    }
    if (conflicts(mode, h.mode)) return false;
  }
  if (upgrade) return true;  // a holder does not queue behind waiters that wait for it
  // FIFO: never overtake an earlier waiter that wants a conflicting lock.
  for (const Waiter* other : e.waiters) {
    if (other == w) break;
    if (conflicts(mode, other->mode)) return false;
  }
  return true;
}

void LockManager::grant(Entry& e, uint64_t txn, int32_t pid, RowLockMode mode) {
  for (Holder& h : e.holders) {
    if (h.txn != txn) continue;
    if (strength(mode) > strength(h.mode)) h.mode = mode;
    return;
  }
  e.holders.push_back({txn, pid, mode});
}

void LockManager::wake(Entry& e) {
  for (auto it = e.waiters.begin(); it != e.waiters.end();) {
    Waiter* w = *it;
    if (!grantable(e, w->who.txn, w->mode, w)) {
      ++it;
      continue;
    }
    grant(e, w->who.txn, w->who.pid, w->mode);
    w->granted = true;
    it = e.waiters.erase(it);
    waiting_.erase(w->who.txn);
    w->cv.notify_one();
  }
}

void LockManager::blockers(const Entry& e, const Waiter& w, std::vector<Requester>& out) const {
  for (const Holder& h : e.holders)
    if (h.txn != w.who.txn && conflicts(w.mode, h.mode)) out.push_back({h.txn, h.pid});
  for (const Waiter* other : e.waiters) {
    if (other == &w) break;
    if (other->who.txn != w.who.txn && conflicts(w.mode, other->mode)) out.push_back(other->who);
  }
}

const LockManager::Waiting* LockManager::waiting_of(int32_t pid) const {
  for (const auto& [txn, waiting] : waiting_)
    if (waiting.waiter->who.pid == pid) return &waiting;
  return nullptr;
}

void LockManager::blockers(int32_t pid, std::vector<WaitGraph::Edge>& out) const {
  const Waiting* waiting = waiting_of(pid);
  if (!waiting) return;
  auto e = entries_.find(waiting->key);
  if (e == entries_.end()) return;
  std::vector<Requester> in_way;
  blockers(e->second, *waiting->waiter, in_way);
  // PostgreSQL's words: a row-lock waiter waits for the transaction that holds the row to end.
  for (const Requester& r : in_way)
    out.push_back({r.pid, "ShareLock on transaction " + std::to_string(r.txn)});
}

std::string_view LockManager::wait_event(int32_t pid) const {
  return waiting_of(pid) ? "transactionid" : "";
}

void LockManager::abandon(const std::string& key, Waiter& w) {
  waiting_.erase(w.who.txn);
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  Entry& e = it->second;
  e.waiters.remove(&w);
  wake(e);  // a later waiter may have queued behind this one only
  if (e.holders.empty() && e.waiters.empty()) entries_.erase(it);
}

LockManager::Outcome LockManager::lock(const Requester& who, std::string_view key_view, RowLockMode mode,
                                       LockWaitMode how, const LockWait& wait, std::string_view relation) {
  std::unique_lock lk(mu_);
  std::string key(key_view);
  Entry& e = entries_[key];
  for (const Holder& h : e.holders) {
    if (h.txn == who.txn && strength(h.mode) >= strength(mode)) return Outcome::Held;
  }
  if (grantable(e, who.txn, mode, nullptr)) {
    grant(e, who.txn, who.pid, mode);
    return Outcome::Acquired;
  }
  if (how != LockWaitMode::Wait) {
    if (e.holders.empty() && e.waiters.empty()) entries_.erase(key);
    if (how == LockWaitMode::SkipLocked) return Outcome::Busy;
    throw SqlError(SqlState::LockNotAvailable,
                   "could not obtain lock on row in relation \"" + std::string(relation) + "\"");
  }

  Waiter w;
  w.who = who;
  w.mode = mode;
  e.waiters.push_back(&w);
  waiting_[who.txn] = {key, &w};
  OMEN_SYNC_POINT_CALLBACK("LockManager::lock:Waiting", &w);

  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto lock_deadline = wait.lock_timeout_ms ? start + std::chrono::milliseconds(wait.lock_timeout_ms)
                                                  : Clock::time_point::max();
  const auto deadlock_at = start + std::chrono::milliseconds(wait.deadlock_timeout_ms);
  bool deadlock_checked = false;
  // Cancel requests and client disconnects set an atomic flag and notify nobody: poll it.
  constexpr auto kPoll = std::chrono::milliseconds(10);
  BlockingRegion blocking;  // the worker pool may start another thread meanwhile
  while (!w.granted) {
    auto now = Clock::now();
    auto until = std::min({wait.deadline, lock_deadline, now + kPoll});
    if (!deadlock_checked) until = std::min(until, deadlock_at);
    w.cv.wait_until(lk, until);
    if (w.granted) break;
    now = Clock::now();
    if (Interrupt why = pending_interrupt(wait.cancel, wait.deadline, now); why != Interrupt::None) {
      abandon(key, w);
      throw interrupt_error(why);
    }
    if (now >= lock_deadline) {
      abandon(key, w);
      throw SqlError(SqlState::LockNotAvailable, "canceling statement due to lock timeout");
    }
    if (!deadlock_checked && now >= deadlock_at) {
      deadlock_checked = true;  // PostgreSQL checks once per wait
      std::string detail;
      const bool deadlock = graph_.find_cycle(who.pid, lk, detail);  // releases mu_ meanwhile
      if (w.granted) break;
      if (deadlock) {
        abandon(key, w);
        throw SqlError(SqlState::DeadlockDetected, "deadlock detected")
            .with_detail(std::move(detail))
            .with_hint("See server log for query details.");
      }
    }
  }
  return Outcome::Acquired;
}

void LockManager::release(uint64_t txn, const std::vector<std::string>& keys) {
  if (keys.empty()) return;
  std::lock_guard lk(mu_);
  for (const std::string& key : keys) {
    auto it = entries_.find(key);
    if (it == entries_.end()) continue;
    Entry& e = it->second;
    std::erase_if(e.holders, [&](const Holder& h) { return h.txn == txn; });
    wake(e);
    if (e.holders.empty() && e.waiters.empty()) entries_.erase(it);
  }
}

void LockManager::downgrade(uint64_t txn, std::string_view key, RowLockMode mode) {
  std::lock_guard lk(mu_);
  auto it = entries_.find(std::string(key));
  if (it == entries_.end()) return;
  for (Holder& h : it->second.holders)
    if (h.txn == txn) h.mode = mode;
  wake(it->second);
}

size_t LockManager::waiters() const {
  std::lock_guard lk(mu_);
  return waiting_.size();
}

size_t LockManager::size() const {
  std::lock_guard lk(mu_);
  return entries_.size();
}

}  // namespace omendb::storage
