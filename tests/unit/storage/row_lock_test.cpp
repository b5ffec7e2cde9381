// Row locks (lock_manager.h) and how statement writers use them (docs/mvcc.md, "Row locks"): PostgreSQL's
// conflict table, FIFO waits, NOWAIT / SKIP LOCKED, lock_timeout, statement_timeout, cancel, deadlock
// detection; writers that wait for a holder and then see the row changed (READ COMMITTED: re-check,
// REPEATABLE READ: 40001), inserts of one key. Threads are ordered by waiting for the lock manager to
// report the waiter, never by sleeping.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <atomic>
#include <chrono>
#include <future>
#include <optional>
#include <thread>

#include "common/error.h"
#include "common/memory.h"
#include "storage/key_codec.h"
#include "storage/lock_manager.h"
#include "storage/row_codec.h"
#include "storage/store.h"
#include "test_util.h"

namespace omendb::storage {
namespace {

using namespace std::chrono_literals;
using testing::col;
using testing::int_datum;
using testing::sqlstate_of;
using testing::TempDir;
using testing::test_options;
using M = RowLockMode;
using Outcome = LockManager::Outcome;

void wait_until(const std::function<bool()>& cond) {
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (!cond()) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "condition not reached";
    std::this_thread::sleep_for(1ms);
  }
}

TEST(LockManager, ConflictTableIsPostgresql) {
  // Rows: requested; columns: held. PostgreSQL 15 docs, "Conflicting Row-Level Locks".
  const M modes[] = {M::KeyShare, M::Share, M::NoKeyUpdate, M::Update};
  const bool expected[4][4] = {{false, false, false, true},
                               {false, false, true, true},
                               {false, true, true, true},
                               {true, true, true, true}};
  for (int a = 0; a < 4; ++a)
    for (int b = 0; b < 4; ++b)
      EXPECT_EQ(LockManager::conflicts(modes[a], modes[b]), expected[a][b]) << a << b;
}

TEST(LockManager, ReentrantUpgradesAndSharedHolders) {
  WaitGraph graph;
  LockManager lm(graph);
  LockWait w;
  EXPECT_EQ(lm.lock({1, 10}, "k", M::Share, LockWaitMode::NoWait, w, "t"), Outcome::Acquired);
  EXPECT_EQ(lm.lock({2, 20}, "k", M::KeyShare, LockWaitMode::NoWait, w, "t"), Outcome::Acquired);
  EXPECT_EQ(lm.lock({3, 30}, "k", M::Share, LockWaitMode::NoWait, w, "t"), Outcome::Acquired);
  EXPECT_EQ(lm.lock({1, 10}, "k", M::KeyShare, LockWaitMode::NoWait, w, "t"), Outcome::Held);
  // Upgrade blocked by the other share holder.
  EXPECT_EQ(sqlstate_of([&] {
              lm.lock({1, 10}, "k", M::NoKeyUpdate, LockWaitMode::NoWait, w, "t");
            }),
            "55P03");
  EXPECT_EQ(lm.lock({1, 10}, "k", M::NoKeyUpdate, LockWaitMode::SkipLocked, w, "t"), Outcome::Busy);
  lm.release(3, {"k"});
  EXPECT_EQ(lm.lock({1, 10}, "k", M::NoKeyUpdate, LockWaitMode::NoWait, w, "t"), Outcome::Acquired);
  lm.release(1, {"k"});
  lm.release(2, {"k"});
  EXPECT_EQ(lm.size(), 0u);
}

TEST(LockManager, NowaitMessage) {
  WaitGraph graph;
  LockManager lm(graph);
  LockWait w;
  lm.lock({1, 10}, "k", M::Update, LockWaitMode::Wait, w, "t");
  SqlError err(SqlState::InternalError, "");
  EXPECT_EQ(sqlstate_of(
                [&] {
                  lm.lock({2, 20}, "k", M::KeyShare, LockWaitMode::NoWait, w, "jobs");
                },
                &err),
            "55P03");
  EXPECT_EQ(err.message(), "could not obtain lock on row in relation \"jobs\"");
  lm.release(1, {"k"});
  EXPECT_EQ(lm.size(), 0u);
}

TEST(LockManager, WaitersAreGrantedInOrder) {
  WaitGraph graph;
  LockManager lm(graph);
  LockWait w;
  lm.lock({1, 10}, "k", M::Update, LockWaitMode::Wait, w, "t");
  std::vector<int> order;
  std::mutex mu;
  std::vector<std::thread> threads;
  for (uint64_t t = 2; t <= 4; ++t) {
    threads.emplace_back([&, t] {
      lm.lock({t, static_cast<int32_t>(t)}, "k", M::Update, LockWaitMode::Wait, w, "t");
      {
        std::lock_guard lk(mu);
        order.push_back(static_cast<int>(t));
      }
      lm.release(t, {"k"});
    });
    wait_until([&] { return lm.waiters() == t - 1; });  // queued in this order
  }
  lm.release(1, {"k"});
  for (auto& th : threads) th.join();
  EXPECT_EQ(order, (std::vector<int>{2, 3, 4}));
  EXPECT_EQ(lm.size(), 0u);
}

TEST(LockManager, WaitsEndOnLockTimeoutStatementTimeoutAndCancel) {
  WaitGraph graph;
  LockManager lm(graph);
  lm.lock({1, 10}, "k", M::Update, LockWaitMode::Wait, LockWait{}, "t");
  SqlError err(SqlState::InternalError, "");
  LockWait lt;
  lt.lock_timeout_ms = 50;
  EXPECT_EQ(sqlstate_of(
                [&] {
                  lm.lock({2, 20}, "k", M::Update, LockWaitMode::Wait, lt, "t");
                },
                &err),
            "55P03");
  EXPECT_EQ(err.message(), "canceling statement due to lock timeout");
  LockWait st;
  st.deadline = std::chrono::steady_clock::now() + 50ms;
  EXPECT_EQ(sqlstate_of(
                [&] {
                  lm.lock({2, 20}, "k", M::Update, LockWaitMode::Wait, st, "t");
                },
                &err),
            "57014");
  EXPECT_EQ(err.message(), "canceling statement due to statement timeout");
  std::atomic<bool> cancel{false};
  LockWait c;
  c.cancel = &cancel;
  auto waiter = std::async(std::launch::async, [&] {
    return sqlstate_of([&] { lm.lock({2, 20}, "k", M::Update, LockWaitMode::Wait, c, "t"); }, &err);
  });
  wait_until([&] { return lm.waiters() == 1; });
  cancel = true;
  EXPECT_EQ(waiter.get(), "57014");
  EXPECT_EQ(err.message(), "canceling statement due to user request");
  EXPECT_EQ(lm.waiters(), 0u);
  lm.release(1, {"k"});
  EXPECT_EQ(lm.size(), 0u);
}

TEST(LockManager, DeadlockFailsExactlyOneWaiter) {
  WaitGraph graph;
  LockManager lm(graph);
  LockWait w;
  w.deadlock_timeout_ms = 20;
  lm.lock({1, 101}, "a", M::Update, LockWaitMode::Wait, w, "t");
  lm.lock({2, 102}, "b", M::Update, LockWaitMode::Wait, w, "t");
  std::optional<SqlError> errors[2];
  auto run = [&](int i, uint64_t txn, const char* want, const char* mine) {
    try {
      lm.lock({txn, static_cast<int32_t>(100 + txn)}, want, M::Update, LockWaitMode::Wait, w, "t");
    } catch (const SqlError& e) {
      errors[i] = e;
    }
    lm.release(txn, {mine, want});  // the transaction ends either way
  };
  std::thread t1(run, 0, 1, "b", "a");
  wait_until([&] { return lm.waiters() == 1; });
  std::thread t2(run, 1, 2, "a", "b");
  t1.join();
  t2.join();
  ASSERT_NE(errors[0].has_value(), errors[1].has_value());
  const SqlError& e = errors[0] ? *errors[0] : *errors[1];
  EXPECT_EQ(sqlstate_code(e.state()), "40P01");
  EXPECT_EQ(e.message(), "deadlock detected");
  // Both edges of the cycle, PostgreSQL's wording.
  EXPECT_NE(e.detail().find("Process 101 waits for ShareLock on transaction 2; blocked by process 102."),
            std::string::npos)
      << e.detail();
  EXPECT_NE(e.detail().find("Process 102 waits for ShareLock on transaction 1; blocked by process 101."),
            std::string::npos)
      << e.detail();
  EXPECT_EQ(lm.size(), 0u);
}

// Statement writers on a real store: table kv(id bigint primary key, v bigint).
class RowLockStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = Store::open(test_options(dir_));
    TableDef d;
    d.name = "kv";
    d.columns = {col("id", TypeId::Int64), col("v", TypeId::Int64, true)};
    d.primary_key = {0};
    kv_ = store_->catalog().create_table(d);
    auto t = store_->begin(IsolationLevel::ReadCommitted);
    auto v = t->statement_view();
    auto w = t->writer(*v);
    for (int64_t id : {1, 2}) {
      Datum row[2] = {int_datum(id), int_datum(id * 10)};
      w->insert(*kv_, row);
    }
    w->apply();
    t->commit();
  }
  std::string key(int64_t id) const {
    std::string s;
    keycodec::append_table_prefix(kv_->id, s);
    keycodec::append_int(id, s);
    return s;
  }
  // One statement of txn: update row id to v; returns what update() returned.
  bool update(Transaction& txn, int64_t id, int64_t v) {
    auto view = txn.statement_view();
    auto w = txn.writer(*view);
    Datum row[2] = {int_datum(id), int_datum(v)};
    bool done = w->update(*kv_, key(id), row);
    w->apply();
    return done;
  }
  // One statement of txn: delete row id; returns what remove() returned.
  bool remove(Transaction& txn, int64_t id) {
    auto view = txn.statement_view();
    auto w = txn.writer(*view);
    bool done = w->remove(*kv_, key(id));
    w->apply();
    return done;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  TableDefPtr kv_;
};

TEST_F(RowLockStoreTest, SecondWriterWaitsThenReadCommittedRechecksAndRepeatableReadFails) {
  for (auto level : {IsolationLevel::ReadCommitted, IsolationLevel::RepeatableRead}) {
    auto t1 = store_->begin(IsolationLevel::ReadCommitted);
    auto t2 = store_->begin(level);
    auto v2 = t2->statement_view();  // t2's snapshot predates t1's commit
    auto w2 = t2->writer(*v2);
    ASSERT_TRUE(update(*t1, 1, 11));
    auto second = std::async(std::launch::async, [&] {
      Datum row[2] = {int_datum(1), int_datum(12)};
      return sqlstate_of([&] { EXPECT_FALSE(w2->update(*kv_, key(1), row)); });
    });
    wait_until([&] { return store_->row_lock_waiters() == 1; });
    t1->commit();
    if (level == IsolationLevel::ReadCommitted) {
      EXPECT_EQ(second.get(), "");  // not written: the caller re-checks at a newer snapshot
      auto newer = t2->statement_view();
      w2->set_view(*newer);
      Datum row[2] = {int_datum(1), int_datum(13)};
      EXPECT_TRUE(w2->update(*kv_, key(1), row));  // locked, current: written
      w2->apply();
      t2->commit();
    } else {
      EXPECT_EQ(second.get(), "40001");
      t2->rollback();
    }
  }
}

TEST_F(RowLockStoreTest, InsertOfOneKeyWaitsForTheFirstInserter) {
  for (bool first_commits : {true, false}) {
    auto t1 = store_->begin(IsolationLevel::ReadCommitted);
    auto t2 = store_->begin(IsolationLevel::RepeatableRead);
    auto v2 = t2->statement_view();
    auto w2 = t2->writer(*v2);
    {
      auto v = t1->statement_view();
      auto w = t1->writer(*v);
      Datum row[2] = {int_datum(7), int_datum(70)};
      w->insert(*kv_, row);
      w->apply();
    }
    auto second = std::async(std::launch::async, [&] {
      Datum row[2] = {int_datum(7), int_datum(77)};
      return sqlstate_of([&] { w2->insert(*kv_, row); });
    });
    wait_until([&] { return store_->row_lock_waiters() == 1; });
    if (first_commits) {
      t1->commit();
      EXPECT_EQ(second.get(), "23505");
      t2->rollback();
    } else {
      t1->rollback();
      EXPECT_EQ(second.get(), "");
      w2->apply();
      t2->commit();
    }
    auto t3 = store_->begin(IsolationLevel::ReadCommitted);
    auto v3 = t3->statement_view();
    auto w3 = t3->writer(*v3);
    EXPECT_TRUE(w3->remove(*kv_, key(7)));
    w3->apply();
    t3->commit();
  }
}

// A transaction's buffered writes, savepoints and row locks are counted against its memory limit
// (53200 past it), and everything counted goes back when a statement fails or the transaction ends.
TEST_F(RowLockStoreTest, TransactionMemoryIsCountedAndBounded) {
  const uint64_t server_before = MemoryTracker::server_used();
  auto t = store_->begin(IsolationLevel::ReadCommitted);
  t->set_memory_limit(256 << 10);
  EXPECT_EQ(t->memory_used(), 0u);
  EXPECT_TRUE(update(*t, 1, 11));  // a write and a row lock
  const uint64_t one = t->memory_used();
  EXPECT_GT(one, 200u);
  EXPECT_EQ(MemoryTracker::server_used(), server_before + one);
  uint64_t during = 0;
  {
    auto view = t->statement_view();
    auto w = t->writer(*view);
    int64_t rows = 0;
    std::string state = sqlstate_of([&] {
      for (;; ++rows) {
        Datum row[2] = {int_datum(1000 + rows), int_datum(rows)};
        w->insert(*kv_, row);
      }
    });
    EXPECT_EQ(state, "53200");
    EXPECT_GT(rows, 300);   // hundreds of rows fit in 256 kB
    EXPECT_LT(rows, 1000);  // and not many more: each costs its entry, its key and row, its lock
    during = t->memory_used();
    EXPECT_GT(during, 200u << 10);
    EXPECT_LE(during, 256u << 10);
  }
  // The failed statement's writer goes without apply(): its rows are given back. Its row locks stay until
  // the transaction ends (the engine gives them back at the error, or at ROLLBACK TO a savepoint).
  const uint64_t after = t->memory_used();
  EXPECT_GT(after, one);
  EXPECT_LT(after, during / 2);
  // A savepoint counts a little until it is released; ROLLBACK TO gives back what came after it (the
  // writes and the undo log's copies of what they replaced).
  size_t mark = t->savepoint();
  EXPECT_GT(t->memory_used(), after);
  EXPECT_TRUE(update(*t, 2, 21));
  t->rollback_to(mark);
  t->release(mark);
  EXPECT_EQ(t->memory_used(), after);
  // The limit applies to what is held already: a lower one fails the next write.
  t->set_memory_limit(64 << 10);
  {
    auto view = t->statement_view();
    auto w = t->writer(*view);
    Datum row[2] = {int_datum(5), int_datum(5)};
    EXPECT_EQ(sqlstate_of([&] { w->insert(*kv_, row); }), "53200");
  }
  t->rollback();
  EXPECT_EQ(t->memory_used(), 0u);
  EXPECT_EQ(MemoryTracker::server_used(), server_before);
  // A commit gives everything back too.
  auto c = store_->begin(IsolationLevel::ReadCommitted);
  EXPECT_TRUE(update(*c, 1, 12));
  EXPECT_GT(MemoryTracker::server_used(), server_before);
  c->commit();
  EXPECT_EQ(c->memory_used(), 0u);
  EXPECT_EQ(MemoryTracker::server_used(), server_before);
}

// An UPDATE that changes a row's primary key leaves a tombstone naming the new key; moved_to() follows it
// (through several moves, also two by one transaction), at the writer's view.
TEST_F(RowLockStoreTest, MovedRowTombstoneNamesItsNewKey) {
  auto move = [&](Transaction& txn, int64_t from, int64_t to) {
    auto view = txn.statement_view();
    auto w = txn.writer(*view);
    Datum row[2] = {int_datum(to), int_datum(from * 10)};
    EXPECT_TRUE(w->update(*kv_, key(from), row));
    w->apply();
  };
  auto reader = store_->begin(IsolationLevel::RepeatableRead);
  auto old_view = reader->statement_view();  // before every move
  {
    auto t = store_->begin(IsolationLevel::ReadCommitted);
    move(*t, 1, 101);
    t->commit();
  }
  {
    auto t = store_->begin(IsolationLevel::ReadCommitted);
    move(*t, 101, 201);
    move(*t, 201, 301);  // the row's second move in one transaction: 101's tombstone names 301
    t->commit();
  }
  {
    auto t = store_->begin(IsolationLevel::ReadCommitted);
    EXPECT_TRUE(remove(*t, 2));
    t->commit();
  }
  auto t = store_->begin(IsolationLevel::ReadCommitted);
  auto view = t->statement_view();
  auto w = t->writer(*view);
  EXPECT_EQ(w->moved_to(key(1)), key(301));
  EXPECT_EQ(w->moved_to(key(101)), key(301));
  EXPECT_EQ(w->moved_to(key(301)), key(301));    // the row is there
  EXPECT_EQ(w->moved_to(key(2)), std::nullopt);  // deleted, not moved
  EXPECT_EQ(w->moved_to(key(9)), key(9));        // never existed
  auto old_writer = reader->writer(*old_view);
  EXPECT_EQ(old_writer->moved_to(key(1)), key(1));  // that view sees the row at 1
}

// DELETE and INSERT of one key in one transaction commit a new row (value kind 0x03), not the next version
// of the deleted one: a READ COMMITTED writer that waited for the deleted row finds it gone (moved_to:
// nullopt, its lock given back), as PostgreSQL skips a deleted tuple; SELECT ... FOR UPDATE skips it; at
// REPEATABLE READ UPDATE and DELETE fail with "concurrent delete", FOR UPDATE with "concurrent update".
TEST_F(RowLockStoreTest, DeleteThenInsertOfOneKeyCommitsANewRow) {
  auto newest_value = [&](int64_t id) {
    rocksdb::ReadOptions ro;
    std::unique_ptr<rocksdb::Iterator> it(store_->db()->NewIterator(ro));
    it->Seek(key(id) + std::string(keycodec::kVersionSize, '\0'));
    EXPECT_TRUE(it->Valid());
    return it->value().ToString();
  };
  auto replace = [&](Transaction& txn, int64_t id, int64_t v, bool one_statement) {
    auto view = txn.statement_view();
    auto w = txn.writer(*view);
    EXPECT_TRUE(w->remove(*kv_, key(id)));
    Datum row[2] = {int_datum(id), int_datum(v)};
    if (!one_statement) {
      w->apply();
      view = txn.statement_view();
      w = txn.writer(*view);
    }
    w->insert(*kv_, row);
    w->apply();
  };
  for (bool one_statement : {false, true}) {
    for (int what = 0; what < 3; ++what) {  // UPDATE, DELETE, FOR UPDATE
      auto t1 = store_->begin(IsolationLevel::ReadCommitted);
      auto t2 = store_->begin(IsolationLevel::ReadCommitted);
      auto v2 = t2->statement_view();  // t2's snapshot sees the old row
      auto w2 = t2->writer(*v2);
      replace(*t1, 1, 100 + what, one_statement);
      auto second = std::async(std::launch::async, [&] {
        if (what == 2) return w2->lock(*kv_, key(1), RowLockMode::Update, LockWaitMode::Wait);
        Datum row[2] = {int_datum(1), int_datum(7)};
        EXPECT_FALSE(what == 0 ? w2->update(*kv_, key(1), row) : w2->remove(*kv_, key(1)));
        return StatementWriter::LockResult::Changed;
      });
      wait_until([&] { return store_->row_lock_waiters() == 1; });
      t1->commit();
      EXPECT_TRUE(rowcodec::is_new_row(newest_value(1)));
      const auto result = second.get();
      if (what == 2) {
        EXPECT_EQ(result, StatementWriter::LockResult::Skipped);
      } else {
        auto newer = t2->statement_view();
        w2->set_view(*newer);
        EXPECT_EQ(w2->moved_to(key(1)), std::nullopt);
      }
      // Either way t2 holds no lock on the new row: another writer goes ahead at once.
      auto t3 = store_->begin(IsolationLevel::ReadCommitted);
      auto v3 = t3->statement_view();
      auto w3 = t3->writer(*v3);
      EXPECT_EQ(w3->lock(*kv_, key(1), RowLockMode::Update, LockWaitMode::NoWait),
                StatementWriter::LockResult::Locked);
      t3->rollback();
      w2->apply();
      t2->commit();
    }
  }
  // A later UPDATE of the new row is an ordinary version again; the row reads as any other.
  auto t = store_->begin(IsolationLevel::ReadCommitted);
  EXPECT_TRUE(update(*t, 1, 5));
  t->commit();
  EXPECT_EQ(static_cast<uint8_t>(newest_value(1)[0]), rowcodec::kKindRow);
  // An INSERT after another transaction's committed DELETE is an ordinary row.
  {
    auto d = store_->begin(IsolationLevel::ReadCommitted);
    EXPECT_TRUE(remove(*d, 2));
    d->commit();
    auto i = store_->begin(IsolationLevel::ReadCommitted);
    auto view = i->statement_view();
    auto w = i->writer(*view);
    Datum row[2] = {int_datum(2), int_datum(2)};
    w->insert(*kv_, row);
    w->apply();
    i->commit();
    EXPECT_EQ(static_cast<uint8_t>(newest_value(2)[0]), rowcodec::kKindRow);
  }
  // REPEATABLE READ: UPDATE and DELETE say "concurrent delete", FOR UPDATE "concurrent update".
  for (int what = 0; what < 3; ++what) {
    auto t1 = store_->begin(IsolationLevel::ReadCommitted);
    auto t2 = store_->begin(IsolationLevel::RepeatableRead);
    auto v2 = t2->statement_view();
    auto w2 = t2->writer(*v2);
    replace(*t1, 1, 200 + what, false);
    t1->commit();
    std::string message;
    try {
      Datum row[2] = {int_datum(1), int_datum(7)};
      if (what == 0) w2->update(*kv_, key(1), row);
      if (what == 1) w2->remove(*kv_, key(1));
      if (what == 2) w2->lock(*kv_, key(1), RowLockMode::Update, LockWaitMode::Wait);
    } catch (const SqlError& e) {
      EXPECT_EQ(e.state(), SqlState::SerializationFailure);
      message = e.what();
    }
    EXPECT_EQ(message, what == 2 ? "could not serialize access due to concurrent update"
                                 : "could not serialize access due to concurrent delete");
    t2->rollback();
  }
}

}  // namespace
}  // namespace omendb::storage
