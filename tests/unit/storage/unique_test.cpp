// UNIQUE indexes in the store (catalog.h IndexDef::unique, docs/schema.md "UNIQUE"): StatementWriter checks
// a new value against this statement's, its transaction's and the newest committed entries, under a lock
// on the value, so that a second inserter of a value waits for the first (23505 after its COMMIT, success
// after its ROLLBACK); NULLs never conflict unless NULLS NOT DISTINCT; a build over duplicates fails; the
// flags survive a reopen.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <thread>

#include "storage/key_codec.h"
#include "storage/store.h"
#include "test_util.h"

namespace omendb::storage {
namespace {

using namespace std::chrono_literals;
using testing::AutoCommit;
using testing::col;
using testing::int_datum;
using testing::null_datum;
using testing::sqlstate_of;
using testing::TempDir;
using testing::test_options;

class UniqueTest : public ::testing::Test {
 protected:
  void SetUp() override { open(); }
  void open() {
    store_ = Store::open(test_options(dir_));
    table_ = store_->catalog().find("t");
    if (!table_) {
      TableDef d;
      d.name = "t";
      d.columns = {col("id", TypeId::Int64), col("g", TypeId::Int32)};
      d.primary_key = {0};
      table_ = store_->catalog().create_table(d);
    }
  }
  void reopen() {
    table_.reset();
    store_.reset();
    open();
  }
  // A unique index on g; the build's error, if any (its SQLSTATE).
  std::string create_unique(bool nulls_not_distinct = false, SqlError* err = nullptr) {
    TableDef def = *store_->catalog().find("t");
    IndexDef ix;
    ix.id = store_->catalog().allocate_id();
    ix.name = "t_g_key";
    ix.attnums = {2};
    ix.unique = true;
    ix.constraint = true;
    ix.nulls_not_distinct = nulls_not_distinct;
    def.indexes.push_back(ix);
    Store::AlterWork work;
    work.build_indexes = {ix.id};
    work.fence = true;
    std::string state = sqlstate_of([&] { store_->alter_table(std::move(def), work); }, err);
    table_ = store_->catalog().find("t");
    return state;
  }
  std::string key(int64_t id) const {
    std::string k;
    keycodec::append_table_prefix(table_->id, k);
    keycodec::append_int(id, k);
    return k;
  }
  static Datum g_datum(std::optional<int64_t> g) { return g ? int_datum(*g) : null_datum(); }
  // One INSERT statement in `txn`; its SQLSTATE ("" if it succeeded).
  std::string insert(Transaction& txn, int64_t id, std::optional<int64_t> g, SqlError* err = nullptr) {
    auto view = txn.statement_view();
    auto w = txn.writer(*view);
    Datum row[2] = {int_datum(id), g_datum(g)};
    std::string state = sqlstate_of([&] { w->insert(*table_, row); }, err);
    if (state.empty()) w->apply();
    return state;
  }
  std::string insert_committed(int64_t id, std::optional<int64_t> g) {
    auto txn = store_->begin(IsolationLevel::ReadCommitted);
    std::string state = insert(*txn, id, g);
    if (state.empty()) txn->commit();
    return state;
  }
  uint64_t count() {
    ScanSpec s;
    s.table = table_;
    s.columns = {true, true};
    auto c = store_->read_view()->scan(s);
    uint64_t n = 0;
    while (const ColumnBatch* b = c->next()) n += b->count;
    return n;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  TableDefPtr table_;
};

TEST_F(UniqueTest, CommittedOwnAndStatementValuesConflict) {
  ASSERT_EQ(create_unique(), "");
  EXPECT_EQ(insert_committed(1, 10), "");
  SqlError err(SqlState::InternalError, "");
  auto txn = store_->begin(IsolationLevel::RepeatableRead);
  EXPECT_EQ(insert(*txn, 2, 10, &err), "23505");  // committed
  EXPECT_EQ(err.message(), "duplicate key value violates unique constraint \"t_g_key\"");
  EXPECT_EQ(err.detail(), "Key (g)=(10) already exists.");
  EXPECT_EQ(err.constraint_name(), "t_g_key");
  EXPECT_EQ(err.table_name(), "t");
  EXPECT_EQ(insert(*txn, 3, 20), "");
  EXPECT_EQ(insert(*txn, 4, 20), "23505");  // the transaction's own
  {
    auto view = txn->statement_view();
    auto w = txn->writer(*view);
    Datum a[2] = {int_datum(5), int_datum(30)}, b[2] = {int_datum(6), int_datum(30)};
    w->insert(*table_, a);
    EXPECT_EQ(sqlstate_of([&] { w->insert(*table_, b); }), "23505");  // this statement's
  }
  // NULLs are distinct.
  EXPECT_EQ(insert(*txn, 7, std::nullopt), "");
  EXPECT_EQ(insert(*txn, 8, std::nullopt), "");
  txn->commit();
  EXPECT_EQ(count(), 4u);
}

TEST_F(UniqueTest, DeleteThenInsertAndUpdatesMovingValues) {
  ASSERT_EQ(create_unique(), "");
  ASSERT_EQ(insert_committed(1, 10), "");
  ASSERT_EQ(insert_committed(2, 20), "");
  auto txn = store_->begin(IsolationLevel::ReadCommitted);
  {
    auto view = txn->statement_view();
    auto w = txn->writer(*view);
    ASSERT_TRUE(w->remove(*table_, key(1)));
    Datum row[2] = {int_datum(3), int_datum(10)};
    w->insert(*table_, row);  // the deleted row's value, in the same statement
    Datum onto[2] = {int_datum(2), int_datum(10)};
    EXPECT_EQ(sqlstate_of([&] { w->update(*table_, key(2), onto); }), "23505");
  }
  {
    auto view = txn->statement_view();
    auto w = txn->writer(*view);
    Datum away[2] = {int_datum(2), int_datum(21)};
    ASSERT_TRUE(w->update(*table_, key(2), away));
    Datum moved[2] = {int_datum(4), int_datum(20)};  // the value row 2 left
    w->insert(*table_, moved);
    w->apply();
  }
  {
    auto view = txn->statement_view();
    auto w = txn->writer(*view);
    Datum same[2] = {int_datum(40), int_datum(20)};  // primary key change keeping the value
    ASSERT_TRUE(w->update(*table_, key(4), same));
    w->apply();
  }
  txn->commit();
  EXPECT_EQ(insert_committed(9, 10), "23505");
  EXPECT_EQ(insert_committed(9, 20), "23505");
  EXPECT_EQ(insert_committed(9, 21), "23505");
  EXPECT_EQ(count(), 3u);
}

TEST_F(UniqueTest, SecondInserterWaitsForTheFirst) {
  ASSERT_EQ(create_unique(), "");
  for (bool commit : {true, false}) {
    const int64_t g = commit ? 100 : 200;
    auto first = store_->begin(IsolationLevel::ReadCommitted);
    ASSERT_EQ(insert(*first, g, g), "");
    auto second = store_->begin(IsolationLevel::ReadCommitted);
    LockWait short_wait;
    short_wait.lock_timeout_ms = 50;
    second->set_lock_wait(short_wait);
    EXPECT_EQ(insert(*second, g + 1, g), "55P03");  // it waits for the first: lock_timeout ends the wait
    second->rollback();
    second = store_->begin(IsolationLevel::ReadCommitted);
    std::string state = "running";
    std::thread t([&] { state = insert(*second, g + 1, g); });
    for (int i = 0; i < 500 && store_->row_lock_waiters() == 0; ++i) std::this_thread::sleep_for(10ms);
    EXPECT_EQ(store_->row_lock_waiters(), 1u);
    std::this_thread::sleep_for(20ms);
    EXPECT_EQ(state, "running");
    if (commit) {
      first->commit();
    } else {
      first->rollback();
    }
    t.join();
    EXPECT_EQ(state, commit ? "23505" : "") << "after the first's " << (commit ? "commit" : "rollback");
    if (state.empty()) second->commit();
  }
  EXPECT_EQ(count(), 2u);  // 100 by the first, 200 by the second
}

TEST_F(UniqueTest, NullsNotDistinctBuildOverDuplicatesAndReopen) {
  ASSERT_EQ(insert_committed(1, std::nullopt), "");
  ASSERT_EQ(insert_committed(2, std::nullopt), "");
  ASSERT_EQ(insert_committed(3, 5), "");
  SqlError err(SqlState::InternalError, "");
  EXPECT_EQ(create_unique(true, &err), "23505");
  EXPECT_EQ(err.message(), "could not create unique index \"t_g_key\"");
  EXPECT_EQ(err.detail(), "Key (g)=(null) is duplicated.");
  EXPECT_TRUE(table_->indexes.empty());
  ASSERT_EQ(create_unique(false), "");
  EXPECT_EQ(insert_committed(4, 5), "23505");
  reopen();
  ASSERT_EQ(table_->indexes.size(), 1u);
  EXPECT_TRUE(table_->indexes[0].unique);
  EXPECT_TRUE(table_->indexes[0].constraint);
  EXPECT_FALSE(table_->indexes[0].nulls_not_distinct);
  EXPECT_EQ(insert_committed(4, 5), "23505");
  EXPECT_EQ(insert_committed(4, std::nullopt), "");
}

}  // namespace
}  // namespace omendb::storage
