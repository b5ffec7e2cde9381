// Row locks, as PostgreSQL's: held by a transaction from the moment it writes (or SELECT ... FOR UPDATE
// locks) a row until it commits or rolls back. A second transaction that wants a conflicting lock on the
// same row waits in a FIFO queue, bounded by lock_timeout, statement_timeout and cancel; a wait that
// lasts deadlock_timeout runs one deadlock check over the wait-for graph of every kind of lock
// (wait_graph.h: row and table locks together) and fails the waiter with 40P01 if it closes a cycle. See
// docs/mvcc.md ("Row locks", "Deadlocks").
//
// Locks live in memory only, keyed by storage key (table prefix + primary key bytes): a crash ends every
// transaction, and with it every lock. They do not replace the first-committer-wins check at commit,
// which stays as the safety net; they make writers of one row queue instead of failing.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/store.h"
#include "storage/wait_graph.h"

namespace omendb::storage {

class LockManager : public WaitGraph::Source {
 public:
  // Joins `graph` (a row-lock waiter's edges go to the transactions in its way) until destroyed.
  explicit LockManager(WaitGraph& graph);
  ~LockManager() override;
  LockManager(const LockManager&) = delete;
  LockManager& operator=(const LockManager&) = delete;

  enum class Outcome {
    Acquired,  // granted now, or after a wait
    Held,      // this transaction held the lock (or a stronger one) already
    Busy,      // conflicting holder and the request was SKIP LOCKED: not granted, nothing waits
  };

  // Who asks: a transaction, and for error messages its session's process id.
  struct Requester {
    uint64_t txn = 0;
    int32_t pid = 0;
  };

  // Locks `key` for `who` in `mode`. Waits while another transaction holds a conflicting lock (or an
  // earlier waiter wants one), per `wait`. Throws SqlError 55P03 (NOWAIT, lock_timeout), 57014
  // (statement_timeout, cancel), 40P01 (deadlock: this waiter closes a cycle). `relation` names the
  // table in messages.
  Outcome lock(const Requester& who, std::string_view key, RowLockMode mode, LockWaitMode how,
               const LockWait& wait, std::string_view relation);

  // Releases every lock of `txn` on `keys` and grants what waiters can now have.
  void release(uint64_t txn, const std::vector<std::string>& keys);
  // Weakens `txn`'s lock on `key` to `mode` (ROLLBACK TO a savepoint taken before a statement strengthened
  // it) and grants what waiters can now have.
  void downgrade(uint64_t txn, std::string_view key, RowLockMode mode);

  // Rows with a lock entry (held or waited for), and transactions waiting now; for tests and diagnostics.
  size_t size() const;
  size_t waiters() const;

  // Whether mode a conflicts with mode b held by another transaction (PostgreSQL's table of row-level
  // lock conflicts).
  static bool conflicts(RowLockMode a, RowLockMode b);

  // WaitGraph::Source: a waiter waits for "ShareLock on transaction N" of each transaction in its way.
  std::mutex& mutex() const override { return mu_; }
  void blockers(int32_t pid, std::vector<WaitGraph::Edge>& out) const override;
  std::string_view wait_event(int32_t pid) const override;

 private:
  struct Waiter {
    Requester who;
    RowLockMode mode = RowLockMode::Update;
    bool granted = false;
    std::condition_variable cv;
  };
  struct Holder {
    uint64_t txn;
    int32_t pid;
    RowLockMode mode;
  };
  struct Entry {
    std::vector<Holder> holders;
    std::list<Waiter*> waiters;  // FIFO
  };
  struct Waiting {
    std::string key;
    Waiter* waiter;
  };

  // Whether `w` (in `e`'s queue, or about to join it when `w` is null) can be granted `mode` now.
  static bool grantable(const Entry& e, uint64_t txn, RowLockMode mode, const Waiter* w);
  static void grant(Entry& e, uint64_t txn, int32_t pid, RowLockMode mode);
  // Grants queued requests that no longer conflict, in order. Caller holds mu_.
  void wake(Entry& e);
  void blockers(const Entry& e, const Waiter& w, std::vector<Requester>& out) const;
  // The wait of session `pid`, if it waits here. mu_ held.
  const Waiting* waiting_of(int32_t pid) const;
  // Removes a waiter that gave up, and the entry if it is empty. mu_ held.
  void abandon(const std::string& key, Waiter& w);

  WaitGraph& graph_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  std::unordered_map<uint64_t, Waiting> waiting_;  // txn -> the lock it waits for
};

}  // namespace omendb::storage
