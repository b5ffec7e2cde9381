// Table locks: what keeps a table's definition and rows from being changed or dropped under a statement
// that uses it, as PostgreSQL's relation locks do (docs/architecture.md, "Schema changes and running
// statements"). A statement holds every table it reads or writes in shared mode while it runs (from
// after planning until its last row is sent; a cursor until it closes); DDL that changes or drops a
// table holds it in exclusive mode. Statements on different tables never wait for each other or for
// DDL, and DDL waits only for the statements that use its table.
//
// Everything a request asks for is granted at once or not at all, so no two requests can deadlock over
// table locks. A transaction that holds tables in shared mode to its end (CREATE VIEW over them) and
// then changes one of them upgrades its lock: its own shared lock does not hold it back (PostgreSQL's
// locks of one transaction never conflict); a second transaction waiting to upgrade the same table would
// wait for the first for ever, so it gets 40P01 instead. A waiting exclusive request does not hold back new
// shared ones (PostgreSQL queues them behind it); so DDL on a table that is never idle may wait until
// statement_timeout / lock_timeout, but a session never waits for a table lock while a lock it holds blocks
// others.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/store.h"  // LockWait

namespace omendb::engine {

class TableLocks {
 public:
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
  };

  // Takes `shared` tables in shared mode and `exclusive` ones in exclusive mode (a table in both is taken
  // exclusively), waiting until all can be granted together. The wait ends with SqlError 57014 on a
  // cancel request or at wait.deadline (statement_timeout), 55P03 after wait.lock_timeout_ms.
  // `own_shared`: shared locks the caller already holds (a table once per lock) and that must not hold
  // back its exclusive request for the same table (an upgrade).
  Held acquire(std::vector<uint32_t> shared, std::vector<uint32_t> exclusive, const storage::LockWait& wait,
               const std::vector<uint32_t>& own_shared = {});
  // Takes `shared` tables in shared mode if that can be granted now; false (nothing taken) if it would
  // have to wait.
  bool try_acquire(std::vector<uint32_t> shared, Held& held);

  // Relation names a statement or transaction creates (CREATE TABLE / INDEX / SEQUENCE, a rename), held
  // exclusively: a second creator of the same name waits (as acquire() does) until the first one's
  // transaction ends, then sees what it committed (PostgreSQL waits on the unique index of pg_class).
  Held acquire_names(std::vector<std::string> names, const storage::LockWait& wait);

  // Tables with an entry (held now); for tests and diagnostics.
  size_t held_tables() const;
  // Requests waiting now (SHOW omendb.lock_waiters counts them with the row-lock waiters).
  uint64_t waiters() const;

 private:
  struct Entry {
    uint32_t readers = 0;
    bool writer = false;
    uint32_t upgrading = 0;  // requests waiting to upgrade their own shared lock on it
  };
  bool grantable(const std::vector<uint32_t>& shared, const std::vector<uint32_t>& exclusive,
                 const std::vector<uint32_t>& own_shared = {}) const;
  void release(const std::vector<uint32_t>& shared, const std::vector<uint32_t>& exclusive);
  void release_names(const std::vector<std::string>& names);
  // Waits (mu_ held) until `grantable` holds, as `wait` allows.
  template <typename Pred>
  void wait_for(std::unique_lock<std::mutex>& lk, const storage::LockWait& wait, Pred grantable);

  mutable std::mutex mu_;
  std::condition_variable released_;
  std::unordered_map<uint32_t, Entry> entries_;  // only tables held now
  std::set<std::string, std::less<>> names_;     // names held now
  uint64_t waiting_ = 0;                         // requests inside wait_for's loop
};

}  // namespace omendb::engine
