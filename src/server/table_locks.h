// Table locks: what keeps a table's definition and rows from being changed or dropped under a statement
// that uses it, as PostgreSQL's relation locks do (docs/architecture.md, "Schema changes and running
// statements"). A statement holds every table it reads or writes in shared mode while it runs (from
// after planning until its last row is sent; a cursor until it closes); DDL that changes or drops a
// table holds it in exclusive mode. Statements on different tables never wait for each other or for
// DDL, and DDL waits only for the statements that use its table.
//
// Every lock belongs to a session (its process id, LockWait::pid). A transaction that holds tables in
// shared mode to its end (CREATE VIEW over them, LOCK TABLE) and then changes one of them upgrades its
// lock: its own shared lock does not hold it back (PostgreSQL's locks of one transaction never conflict).
// A request that has waited deadlock_timeout runs one deadlock check, as PostgreSQL's, over the wait-for
// graph of every kind of lock (storage/wait_graph.h: these table and name locks, and row locks; a waiting
// session waits for every other session that holds a lock in its way), with every kind's mutex held, so
// the graph it sees is the one of that moment; if a path leads back to the waiter, it fails with 40P01
// and PostgreSQL's DETAIL (each process, what it waits for, who blocks it) and keeps what it held before
// the request. A waiting exclusive request does not hold back new shared ones (PostgreSQL queues them
// behind it); so DDL on a table that is never idle may wait until statement_timeout / lock_timeout.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/store.h"  // LockWait
#include "storage/wait_graph.h"

namespace omendb::engine {

class TableLocks : public storage::WaitGraph::Source {
 public:
  // Joins `graph` (the store's: storage::Store::wait_graph) until destroyed.
  explicit TableLocks(storage::WaitGraph& graph);
  ~TableLocks() override;
  TableLocks(const TableLocks&) = delete;
  TableLocks& operator=(const TableLocks&) = delete;

  // Locks held by one statement (or one DDL); released when destroyed. Movable.
  class Held {
   public:
    Held() = default;
    Held(Held&& o) noexcept { *this = std::move(o); }
    Held& operator=(Held&& o) noexcept;
    Held(const Held&) = delete;
    Held& operator=(const Held&) = delete;
    ~Held() { release(); }
    void release();
    // The tables held in shared mode.
    const std::vector<uint32_t>& shared() const { return shared_; }

   private:
    friend class TableLocks;
    TableLocks* owner_ = nullptr;
    std::vector<uint32_t> shared_;
    std::vector<uint32_t> exclusive_;
    std::vector<std::string> names_;
    int32_t pid_ = 0;  // the session that holds them
  };

  // Takes `shared` tables in shared mode and `exclusive` ones in exclusive mode (a table in both is taken
  // exclusively) for session wait.pid, waiting until all can be granted together. The wait ends with
  // SqlError 57014 on a cancel request or at wait.deadline (statement_timeout), 55P03 after
  // wait.lock_timeout_ms, 40P01 if it closes a cycle (checked once, after wait.deadlock_timeout_ms).
  // `own_shared`: shared locks the caller already holds (a table once per lock) and that must not hold
  // back its exclusive request for the same table (an upgrade). `shared_mode`: PostgreSQL's name for the
  // shared request's lock mode in a deadlock report (RowExclusiveLock for INSERT / UPDATE / DELETE).
  Held acquire(std::vector<uint32_t> shared, std::vector<uint32_t> exclusive, const storage::LockWait& wait,
               const std::vector<uint32_t>& own_shared = {}, std::string_view shared_mode = kAccessShare);
  // Takes `shared` tables in shared mode for session `pid` if that can be granted now; false (nothing
  // taken) if it would have to wait.
  bool try_acquire(std::vector<uint32_t> shared, Held& held, int32_t pid);

  // Relation names a statement or transaction creates (CREATE TABLE / INDEX / SEQUENCE, a rename), held
  // exclusively: a second creator of the same name waits (as acquire() does) until the first one's
  // transaction ends, then sees what it committed (PostgreSQL waits on the unique index of pg_class).
  Held acquire_names(std::vector<std::string> names, const storage::LockWait& wait);

  // Tables with an entry (held now); for tests and diagnostics.
  size_t held_tables() const;
  // Requests waiting now (SHOW omendb.lock_waiters counts them with the row-lock waiters).
  uint64_t waiters() const;

  static constexpr std::string_view kAccessShare = "AccessShareLock";
  static constexpr std::string_view kRowExclusive = "RowExclusiveLock";

  // storage::WaitGraph::Source: a waiter waits for each session that holds a table or name in its way.
  std::mutex& mutex() const override { return mu_; }
  void blockers(int32_t pid, std::vector<storage::WaitGraph::Edge>& out) const override;
  std::string_view wait_event(int32_t pid) const override;

 private:
  struct Entry {
    std::vector<int32_t> readers;  // the session of each shared lock (a session once per lock)
    bool writer = false;
    int32_t writer_pid = 0;
  };
  // A request inside wait_for: who waits for what.
  struct Waiter {
    int32_t pid = 0;
    const std::vector<uint32_t>* shared = nullptr;
    const std::vector<uint32_t>* exclusive = nullptr;
    const std::vector<std::string>* names = nullptr;
    std::string_view shared_mode = kAccessShare;
  };
  // The sessions that hold a lock `w` waits for, other than w's own: edges of the wait-for graph ("w
  // waits for AccessExclusiveLock on relation R of database D, held by session to"). mu_ held.
  void blockers(const Waiter& w, std::vector<storage::WaitGraph::Edge>& out) const;
  bool grantable(const std::vector<uint32_t>& shared, const std::vector<uint32_t>& exclusive,
                 const std::vector<uint32_t>& own_shared = {}) const;
  void release(const std::vector<uint32_t>& shared, const std::vector<uint32_t>& exclusive, int32_t pid);
  void release_names(const std::vector<std::string>& names);
  // Waits (mu_ held) until `grantable` holds, as `wait` allows; `me` is what it waits for.
  template <typename Pred>
  void wait_for(std::unique_lock<std::mutex>& lk, const storage::LockWait& wait, const Waiter& me,
                Pred grantable);

  storage::WaitGraph& graph_;
  mutable std::mutex mu_;
  std::condition_variable released_;
  std::unordered_map<uint32_t, Entry> entries_;        // only tables held now
  std::map<std::string, int32_t, std::less<>> names_;  // names held now, and their sessions
  std::vector<const Waiter*> waiting_;                 // requests inside wait_for's loop
};

}  // namespace omendb::engine
