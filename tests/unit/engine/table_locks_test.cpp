// Table locks (src/server/table_locks.h): the deadlock check over the wait-for graph of table and name
// locks. Threads are ordered by waiting for TableLocks to report the waiter, never by sleeping before a
// step.
#include "server/table_locks.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <optional>
#include <thread>

#include "catalog/system_catalog.h"
#include "common/error.h"
#include "storage/lock_manager.h"

namespace omendb::engine {
namespace {

using namespace std::chrono_literals;

void wait_until(const std::function<bool()>& cond) {
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (!cond()) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "condition not reached";
    std::this_thread::sleep_for(1ms);
  }
}

storage::LockWait session(int32_t pid, uint64_t deadlock_timeout_ms = 20) {
  storage::LockWait w;
  w.pid = pid;
  w.deadlock_timeout_ms = deadlock_timeout_ms;
  w.lock_timeout_ms = 20000;  // a missed deadlock fails the test with 55P03 instead of hanging it
  return w;
}

std::string rel(uint32_t table) {
  return "relation " + std::to_string(catalog::table_oid(table)) + " of database " +
         std::to_string(catalog::kDatabaseOid);
}

// Runs `fn` in a thread; its SqlError, if any, lands in `error`.
std::thread run(std::optional<SqlError>& error, std::function<void()> fn) {
  return std::thread([&error, fn = std::move(fn)] {
    try {
      fn();
    } catch (const SqlError& e) {
      error = e;
    }
  });
}

TEST(TableLocks, TwoTableCycleFailsTheCheckingWaiter) {
  storage::WaitGraph graph;
  TableLocks locks(graph);
  TableLocks::Held a_t1 = locks.acquire({}, {1}, session(101));
  TableLocks::Held b_t2 = locks.acquire({}, {2}, session(102));
  std::optional<SqlError> err_a, err_b;
  TableLocks::Held a_got, b_got;
  // A checks only after 60 s, B 20 ms after it closed the cycle: B is the one that finds it.
  std::thread ta = run(err_a, [&] { a_got = locks.acquire({2}, {}, session(101, 60000)); });
  wait_until([&] { return locks.waiters() == 1; });
  std::thread tb =
      run(err_b, [&] { b_got = locks.acquire({1}, {}, session(102), {}, TableLocks::kRowExclusive); });
  tb.join();  // B fails; its error does not release b_t2 (the transaction's ROLLBACK does)
  ASSERT_TRUE(err_b.has_value());
  EXPECT_EQ(sqlstate_code(err_b->state()), "40P01");
  EXPECT_EQ(err_b->message(), "deadlock detected");
  EXPECT_EQ(err_b->detail(), "Process 102 waits for RowExclusiveLock on " + rel(1) +
                                 "; blocked by process 101.\nProcess 101 waits for AccessShareLock on " +
                                 rel(2) + "; blocked by process 102.");
  EXPECT_EQ(err_b->hint(), "See server log for query details.");
  EXPECT_EQ(locks.waiters(), 1u);  // A still waits
  b_t2.release();                  // B's transaction rolls back
  ta.join();                       // granted once B's locks went
  EXPECT_FALSE(err_a.has_value());
  a_got.release();
  a_t1.release();
  EXPECT_EQ(locks.held_tables(), 0u);
}

TEST(TableLocks, ThreeTableCycle) {
  storage::WaitGraph graph;
  TableLocks locks(graph);
  std::vector<TableLocks::Held> held;
  for (int32_t i = 1; i <= 3; ++i)
    held.push_back(locks.acquire({}, {static_cast<uint32_t>(i)}, session(100 + i)));
  std::optional<SqlError> errs[3];
  std::vector<std::thread> threads;
  // Session 100+i holds table i and wants table i % 3 + 1; the last to join (103) checks first.
  for (int32_t i = 1; i <= 3; ++i) {
    const uint64_t timeout = i == 3 ? 20 : 60000;
    threads.push_back(run(errs[i - 1], [&, i, timeout] {
      TableLocks::Held got = locks.acquire({static_cast<uint32_t>(i % 3 + 1)}, {}, session(100 + i, timeout));
      got.release();
      held[i - 1].release();  // the transaction commits
    }));
    wait_until([&] { return locks.waiters() == static_cast<uint64_t>(i); });
  }
  threads[2].join();
  ASSERT_TRUE(errs[2].has_value());
  EXPECT_EQ(errs[2]->detail(), "Process 103 waits for AccessShareLock on " + rel(1) +
                                   "; blocked by process 101.\nProcess 101 waits for AccessShareLock on " +
                                   rel(2) +
                                   "; blocked by process 102.\nProcess 102 waits for AccessShareLock on " +
                                   rel(3) + "; blocked by process 103.");
  held[2].release();  // 103 rolls back
  threads[1].join();
  threads[0].join();
  EXPECT_FALSE(errs[0].has_value());
  EXPECT_FALSE(errs[1].has_value());
  EXPECT_EQ(locks.held_tables(), 0u);
}

TEST(TableLocks, ChainIsNoDeadlock) {
  storage::WaitGraph graph;
  TableLocks locks(graph);
  TableLocks::Held a = locks.acquire({}, {1}, session(101));
  TableLocks::Held b = locks.acquire({}, {2}, session(102));
  std::optional<SqlError> err_b, err_c;
  TableLocks::Held b_got, c_got;
  std::thread tb = run(err_b, [&] { b_got = locks.acquire({1}, {}, session(102, 1)); });
  wait_until([&] { return locks.waiters() == 1; });
  std::thread tc = run(err_c, [&] { c_got = locks.acquire({2}, {}, session(103, 1)); });
  wait_until([&] { return locks.waiters() == 2; });
  std::this_thread::sleep_for(100ms);  // both checks ran (deadlock_timeout 1 ms) and found no cycle
  EXPECT_EQ(locks.waiters(), 2u);
  a.release();
  tb.join();
  EXPECT_FALSE(err_b.has_value());
  EXPECT_EQ(locks.waiters(), 1u);
  b.release();
  b_got.release();
  tc.join();
  EXPECT_FALSE(err_c.has_value());
}

TEST(TableLocks, UpgradeCycleAndTwoUpgradesOfOneTable) {
  storage::WaitGraph graph;
  TableLocks locks(graph);
  // Both hold t1 shared; B holds t2. A waits for t2; B upgrades t1, held back by A's shared lock only.
  TableLocks::Held a1 = locks.acquire({1}, {}, session(101));
  TableLocks::Held b1 = locks.acquire({1}, {}, session(102));
  TableLocks::Held b2 = locks.acquire({}, {2}, session(102));
  std::optional<SqlError> err_a, err_b;
  TableLocks::Held a_got, b_got;
  std::thread ta = run(err_a, [&] { a_got = locks.acquire({2}, {}, session(101, 60000)); });
  wait_until([&] { return locks.waiters() == 1; });
  std::thread tb = run(err_b, [&] { b_got = locks.acquire({}, {1}, session(102, 20), {1}); });
  tb.join();
  ASSERT_TRUE(err_b.has_value());
  EXPECT_EQ(err_b->detail(), "Process 102 waits for AccessExclusiveLock on " + rel(1) +
                                 "; blocked by process 101.\nProcess 101 waits for AccessShareLock on " +
                                 rel(2) + "; blocked by process 102.");
  b1.release();
  b2.release();
  ta.join();
  EXPECT_FALSE(err_a.has_value());
  a_got.release();

  // Two sessions holding t1 shared both want it exclusively: the second fails at once.
  b1 = locks.acquire({1}, {}, session(102));
  std::thread tu = run(err_a, [&] { a_got = locks.acquire({}, {1}, session(101, 60000), {1}); });
  wait_until([&] { return locks.waiters() == 1; });
  const auto t0 = std::chrono::steady_clock::now();
  try {
    locks.acquire({}, {1}, session(102, 60000), {1});
    ADD_FAILURE() << "the second upgrade did not fail";
  } catch (const SqlError& e) {
    EXPECT_EQ(sqlstate_code(e.state()), "40P01");
    EXPECT_EQ(e.detail(), "Process 102 waits for AccessExclusiveLock on " + rel(1) +
                              "; blocked by process 101.\nProcess 101 waits for AccessExclusiveLock on " +
                              rel(1) + "; blocked by process 102.");
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
  b1.release();
  tu.join();
  a_got.release();
  a1.release();
  EXPECT_EQ(locks.held_tables(), 0u);
}

TEST(TableLocks, NameCycle) {
  storage::WaitGraph graph;
  TableLocks locks(graph);
  TableLocks::Held a = locks.acquire_names({"x"}, session(101));
  TableLocks::Held b = locks.acquire_names({"\x01"
                                            "3.y"},
                                           session(102));
  std::optional<SqlError> err_a, err_b;
  TableLocks::Held a_got, b_got;
  std::thread ta = run(err_a, [&] {
    a_got = locks.acquire_names({"\x01"
                                 "3.y"},
                                session(101, 60000));
  });
  wait_until([&] { return locks.waiters() == 1; });
  std::thread tb = run(err_b, [&] { b_got = locks.acquire_names({"x"}, session(102, 20)); });
  tb.join();
  ASSERT_TRUE(err_b.has_value());
  EXPECT_EQ(err_b->detail(),
            "Process 102 waits for ExclusiveLock on the name \"x\"; blocked by process 101.\n"
            "Process 101 waits for ExclusiveLock on the name \"y\"; blocked by process 102.");
  b.release();
  ta.join();
  EXPECT_FALSE(err_a.has_value());
}

TEST(TableLocks, OwnLockIsNoDeadlock) {
  // A session's own statement lock (a cursor) holds back its DDL, but that is not a cycle with another
  // session: the wait ends at lock_timeout.
  storage::WaitGraph graph;
  TableLocks locks(graph);
  TableLocks::Held cursor = locks.acquire({1}, {}, session(101));
  storage::LockWait w = session(101, 1);
  w.lock_timeout_ms = 100;
  try {
    locks.acquire({}, {1}, w);
    ADD_FAILURE() << "granted";
  } catch (const SqlError& e) {
    EXPECT_EQ(sqlstate_code(e.state()), "55P03");
  }
}

// Row locks and table locks in one wait-for graph (storage/wait_graph.h): a cycle through both kinds is
// found by whichever waiter checks, with PostgreSQL's words for each kind of wait.
TEST(TableLocks, CycleThroughRowAndTableLocks) {
  using storage::LockManager;
  using storage::LockWaitMode;
  using storage::RowLockMode;
  storage::WaitGraph graph;
  TableLocks locks(graph);
  LockManager rows(graph);
  auto row_lock = [&](uint64_t txn, int32_t pid, uint64_t deadlock_ms) {
    rows.lock({txn, pid}, "k", RowLockMode::Update, LockWaitMode::Wait, session(pid, deadlock_ms), "t1");
  };
  const std::string row_wait = "ShareLock on transaction ";

  // Row -> table: A (txn 1) holds the row and waits for t2, which B holds; B waits for the row and checks.
  {
    row_lock(1, 101, 20);
    TableLocks::Held b_t2 = locks.acquire({}, {2}, session(102));
    std::optional<SqlError> err_a, err_b;
    TableLocks::Held a_got;
    std::thread ta = run(err_a, [&] { a_got = locks.acquire({}, {2}, session(101, 60000)); });
    wait_until([&] { return locks.waiters() == 1; });
    EXPECT_EQ(graph.wait_event(101), "relation");
    std::thread tb = run(err_b, [&] { row_lock(2, 102, 20); });
    tb.join();
    ASSERT_TRUE(err_b.has_value());
    EXPECT_EQ(sqlstate_code(err_b->state()), "40P01");
    EXPECT_EQ(err_b->message(), "deadlock detected");
    EXPECT_EQ(err_b->detail(), "Process 102 waits for " + row_wait +
                                   "1; blocked by process 101.\n"
                                   "Process 101 waits for AccessExclusiveLock on " +
                                   rel(2) + "; blocked by process 102.");
    EXPECT_EQ(err_b->hint(), "See server log for query details.");
    EXPECT_EQ(rows.waiters(), 0u);
    b_t2.release();
    ta.join();
    EXPECT_FALSE(err_a.has_value());
    a_got.release();
    rows.release(1, {"k"});
  }
  // Table -> row: the same cycle, but the table waiter is the one that checks.
  {
    row_lock(1, 101, 20);
    TableLocks::Held b_t2 = locks.acquire({}, {2}, session(102));
    std::optional<SqlError> err_a, err_b;
    std::thread tb = run(err_b, [&] { row_lock(2, 102, 60000); });
    wait_until([&] { return rows.waiters() == 1; });
    EXPECT_EQ(graph.wait_event(102), "transactionid");
    TableLocks::Held a_got;
    std::thread ta = run(err_a, [&] { a_got = locks.acquire({2}, {}, session(101, 20)); });
    ta.join();
    ASSERT_TRUE(err_a.has_value());
    EXPECT_EQ(sqlstate_code(err_a->state()), "40P01");
    EXPECT_EQ(err_a->detail(), "Process 101 waits for AccessShareLock on " + rel(2) +
                                   "; blocked by process 102.\nProcess 102 waits for " + row_wait +
                                   "1; blocked by process 101.");
    rows.release(1, {"k"});  // A's transaction rolls back
    tb.join();
    EXPECT_FALSE(err_b.has_value());
    rows.release(2, {"k"});
    b_t2.release();
  }
  // Three sessions: A holds the row and waits for t1 (C's), B waits for the row, C waits for t2 (B's).
  {
    row_lock(1, 101, 20);
    TableLocks::Held b_t2 = locks.acquire({}, {2}, session(102));
    TableLocks::Held c_t1 = locks.acquire({}, {1}, session(103));
    std::optional<SqlError> err_a, err_b, err_c;
    TableLocks::Held a_got, c_got;
    std::thread ta = run(err_a, [&] { a_got = locks.acquire({1}, {}, session(101, 60000)); });
    wait_until([&] { return locks.waiters() == 1; });
    std::thread tb = run(err_b, [&] { row_lock(2, 102, 60000); });
    wait_until([&] { return rows.waiters() == 1; });
    std::thread tc = run(err_c, [&] { c_got = locks.acquire({2}, {}, session(103, 20)); });
    tc.join();
    ASSERT_TRUE(err_c.has_value());
    EXPECT_EQ(err_c->detail(), "Process 103 waits for AccessShareLock on " + rel(2) +
                                   "; blocked by process 102.\nProcess 102 waits for " + row_wait +
                                   "1; blocked by process 101.\nProcess 101 waits for AccessShareLock on " +
                                   rel(1) + "; blocked by process 103.");
    c_t1.release();  // C's transaction rolls back: A goes on, commits, then B
    ta.join();
    EXPECT_FALSE(err_a.has_value());
    a_got.release();
    rows.release(1, {"k"});
    tb.join();
    EXPECT_FALSE(err_b.has_value());
    rows.release(2, {"k"});
    b_t2.release();
  }
  EXPECT_EQ(locks.held_tables(), 0u);
  EXPECT_EQ(rows.size(), 0u);
}

}  // namespace
}  // namespace omendb::engine
