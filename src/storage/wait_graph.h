// One wait-for graph over every kind of lock a session can wait for, as PostgreSQL's deadlock detector
// sees all of its lock table at once: row locks (lock_manager.h) and table and name locks
// (server/table_locks.h) are each a Source of edges, and a deadlock check walks all of them, so a cycle
// over any mix of row and table waits is found. See docs/mvcc.md ("Deadlocks").
//
// The nodes are sessions (their process ids, LockWait::pid): a session runs one transaction at a time, and
// PostgreSQL's deadlock report names processes. A lock held without a session (pid 0: background sealing,
// in-process callers without a process id) ends a path; it is never part of a cycle.
//
// A waiter checks once, after deadlock_timeout, as PostgreSQL's: find_cycle() takes every source's mutex
// (one check at a time, the sources always in the same order), so the graph it walks is the one of that
// moment. A cycle fails the checking waiter with 40P01 "deadlock detected" and PostgreSQL's DETAIL.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace omendb::storage {

class WaitGraph {
 public:
  // An edge: the waiter waits for `what` (PostgreSQL's words: "ShareLock on transaction 7",
  // "AccessExclusiveLock on relation 16384 of database 5"), which session `to` holds or waits for ahead.
  struct Edge {
    int32_t to = 0;
    std::string what;
  };

  // A kind of lock: it knows who of its waiters waits for whom.
  class Source {
   public:
    virtual ~Source() = default;
    // The mutex that guards the source's waiters and holders.
    virtual std::mutex& mutex() const = 0;
    // The edges out of session `pid` through this source's locks (none if it does not wait for one).
    // mutex() held.
    virtual void blockers(int32_t pid, std::vector<Edge>& out) const = 0;
    // PostgreSQL's wait_event for a session that waits here ("relation", "transactionid"), else empty.
    // mutex() held.
    virtual std::string_view wait_event(int32_t pid) const = 0;
  };

  // Sources join at construction and leave at destruction (before the graph goes).
  void add(const Source& source);
  void remove(const Source& source);

  // Whether waiting session `pid` is part of a cycle; `detail` gets PostgreSQL's DETAIL (one line per
  // waiter on the cycle, `pid`'s first). `held` is the caller's lock on its source's mutex: released while
  // the check takes every source's mutex in order, and locked again on return (the caller's waiter may
  // have been granted meanwhile).
  bool find_cycle(int32_t pid, std::unique_lock<std::mutex>& held, std::string& detail) const;

  // What session `pid` waits for now (pg_stat_activity's wait_event, with wait_event_type 'Lock'), else
  // empty. Takes the sources' mutexes one at a time.
  std::string wait_event(int32_t pid) const;

  // One line of PostgreSQL's deadlock DETAIL.
  static std::string wait_text(int32_t waiter, std::string_view what, int32_t blocker);

 private:
  mutable std::mutex mu_;  // sources_, and one check at a time
  std::vector<const Source*> sources_;
};

}  // namespace omendb::storage
