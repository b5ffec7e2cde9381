// Multi-version concurrency control of the storage engine (docs/mvcc.md): snapshots per isolation level,
// reading one's own writes through scans, first-committer-wins conflicts, savepoints, rollback,
// tombstones, version garbage collection, the persistent timestamp oracle and concurrent committers.
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/error.h"
#include "common/sync_point.h"
#include "storage/key_codec.h"
#include "storage/row_codec.h"
#include "storage/store.h"
#include "test_util.h"

namespace omendb::storage {
namespace {

using testing::col;
using testing::int_datum;
using testing::sqlstate_of;
using testing::TempDir;
using testing::test_options;

using Rows = std::vector<std::pair<int64_t, int64_t>>;  // (id, v) in scan order
constexpr auto RR = IsolationLevel::RepeatableRead;
constexpr auto RC = IsolationLevel::ReadCommitted;

std::string pk(int64_t id) {
  std::string s;
  keycodec::append_int(id, s);
  return s;
}

// Table kv(id bigint primary key, v bigint not null).
class MvccTest : public ::testing::Test {
 protected:
  void SetUp() override { open(test_options(dir_)); }

  // These tests exercise the commit-time first-committer-wins check on its own (the safety net under the
  // row locks, which make two writers of a row in one thread wait for each other): row locks are off.
  // row_lock_test.cpp tests the locks.
  void open(StoreOptions options) {
    options.row_locks = false;
    store_ = Store::open(options);
    kv_ = store_->catalog().find("kv");
    if (!kv_) {
      TableDef d;
      d.name = "kv";
      d.columns = {col("id", TypeId::Int64), col("v", TypeId::Int64, true)};
      d.primary_key = {0};
      kv_ = store_->catalog().create_table(d);
    }
  }
  void close() {
    kv_.reset();
    store_.reset();
  }
  void reopen(const StoreOptions& options) {
    close();
    open(options);
  }

  std::string key(int64_t id) const {
    std::string s;
    keycodec::append_table_prefix(kv_->id, s);
    keycodec::append_int(id, s);
    return s;
  }

  void insert(StatementWriter& w, int64_t id, int64_t v) {
    Datum row[2] = {int_datum(id), int_datum(v)};
    w.insert(*kv_, row);
  }
  // Sets v of row `id`; with `new_id`, also moves the row to another primary key.
  void update(StatementWriter& w, int64_t id, int64_t v, std::optional<int64_t> new_id = std::nullopt) {
    Datum row[2] = {int_datum(new_id.value_or(id)), int_datum(v)};
    w.update(*kv_, key(id), row);
  }
  void remove(StatementWriter& w, int64_t id) { w.remove(*kv_, key(id)); }

  // Runs fn(writer) as one statement of `txn` and applies it.
  template <typename Fn>
  void statement(Transaction& txn, Fn&& fn) {
    auto view = txn.statement_view();
    auto w = txn.writer(*view);
    fn(*w);
    w->apply();
  }
  // One statement in its own RepeatableRead transaction, committed.
  template <typename Fn>
  void autocommit(Fn&& fn) {
    auto txn = store_->begin(RR);
    statement(*txn, fn);
    txn->commit();
  }
  void seed(const Rows& rows) {
    autocommit([&](StatementWriter& w) {
      for (auto [id, v] : rows) insert(w, id, v);
    });
  }

  // Every visible row of kv in [lower, upper), checking that keys come in strictly increasing order and
  // match the rows when want_keys.
  Rows scan(const ReadView& view, std::string lower = "", std::optional<std::string> upper = std::nullopt,
            uint32_t batch_rows = 1024, bool want_keys = true) {
    ScanSpec spec;
    spec.table = kv_;
    spec.columns = {true, true};
    spec.lower = std::move(lower);
    if (upper) {
      spec.upper = *upper;
      spec.upper_unbounded = false;
    }
    spec.want_keys = want_keys;
    spec.batch_rows = batch_rows;
    Rows out;
    auto cursor = view.scan(spec);
    std::string prev_key;
    while (const ColumnBatch* b = cursor->next()) {
      EXPECT_GT(b->count, 0u);
      EXPECT_LE(b->count, batch_rows);
      for (uint64_t r = 0; r < b->count; ++r) {
        EXPECT_EQ(b->columns[0].nulls[r], 0);
        EXPECT_EQ(b->columns[1].nulls[r], 0);
        int64_t id = static_cast<int64_t*>(b->columns[0].data)[r];
        int64_t v = static_cast<int64_t*>(b->columns[1].data)[r];
        out.emplace_back(id, v);
        if (want_keys) {
          EXPECT_NE(b->keys, nullptr);
          std::string k(b->keys[r].view());
          EXPECT_EQ(k, key(id));
          EXPECT_LT(prev_key, k);
          prev_key = k;
        } else {
          EXPECT_EQ(b->keys, nullptr);
        }
      }
    }
    EXPECT_EQ(cursor->next(), nullptr);
    return out;
  }
  Rows scan_all() { return scan(*store_->read_view()); }

  // The row's v as `view` sees it, read by a one-key range scan (nullopt when absent). Cross-checks
  // exists().
  std::optional<int64_t> get(const ReadView& view, int64_t id) {
    Rows r = scan(view, pk(id), keycodec::prefix_successor(pk(id)));
    EXPECT_LE(r.size(), 1u);
    EXPECT_EQ(view.exists(key(id)), !r.empty()) << "exists() and scan disagree on id " << id;
    if (r.empty()) return std::nullopt;
    EXPECT_EQ(r[0].first, id);
    return r[0].second;
  }
  std::optional<int64_t> get(int64_t id) { return get(*store_->read_view(), id); }

  // Every stored version of a key, newest first: (commit ts, value or nullopt for a tombstone).
  std::vector<std::pair<uint64_t, std::optional<int64_t>>> versions(int64_t id) {
    std::vector<std::pair<uint64_t, std::optional<int64_t>>> out;
    std::string k = key(id);
    rocksdb::ReadOptions ro;
    ro.total_order_seek = true;
    std::unique_ptr<rocksdb::Iterator> it(store_->db()->NewIterator(ro));
    for (it->Seek(k + std::string(keycodec::kVersionSize, '\0')); it->Valid(); it->Next()) {
      std::string_view vk(it->key().data(), it->key().size());
      if (vk.size() != k.size() + keycodec::kVersionSize || vk.substr(0, k.size()) != k) break;
      std::string_view value(it->value().data(), it->value().size());
      std::optional<int64_t> v;
      if (rowcodec::value_kind(value) == rowcodec::ValueKind::Row) {
        std::vector<Value> row;
        EXPECT_TRUE(rowcodec::decode_row(*kv_, value, row));
        v = row.at(1).as_int();
      }
      out.emplace_back(keycodec::decode_version(vk), v);
    }
    EXPECT_TRUE(it->status().ok());
    EXPECT_EQ(out.size(), store_->count_versions(k));
    return out;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  TableDefPtr kv_;
};

// ---------------------------------------------------------------------------------------------------
// Snapshots

TEST_F(MvccTest, RepeatableReadSnapshotTakenAtFirstStatementAndFixed) {
  seed({{1, 10}, {2, 20}, {3, 30}});
  auto rr = store_->begin(RR);
  auto rc = store_->begin(RC);
  EXPECT_EQ(rr->isolation(), RR);
  EXPECT_EQ(rc->isolation(), RC);
  // Committed after begin() but before the first statement: visible to both (the snapshot is taken by
  // the first statement, as in PostgreSQL).
  autocommit([&](StatementWriter& w) { update(w, 1, 11); });
  auto rr1 = rr->statement_view();
  auto rc1 = rc->statement_view();
  const Rows before = {{1, 11}, {2, 20}, {3, 30}};
  EXPECT_EQ(scan(*rr1), before);
  EXPECT_EQ(scan(*rc1), before);

  // Another transaction commits an update, an insert and a delete.
  {
    auto other = store_->begin(RR);
    statement(*other, [&](StatementWriter& w) {
      update(w, 2, 200);
      insert(w, 4, 40);
    });
    statement(*other, [&](StatementWriter& w) { remove(w, 3); });
    // Not committed yet: nobody sees it.
    EXPECT_EQ(scan(*rc->statement_view()), before);
    EXPECT_EQ(scan_all(), before);
    other->commit();
  }
  const Rows after = {{1, 11}, {2, 200}, {4, 40}};
  EXPECT_EQ(scan_all(), after);

  // RepeatableRead: the old view and every later statement of the transaction keep the first snapshot.
  EXPECT_EQ(scan(*rr1), before);
  auto rr2 = rr->statement_view();
  EXPECT_EQ(scan(*rr2), before);
  EXPECT_EQ(get(*rr2, 2), 20);
  EXPECT_EQ(get(*rr2, 3), 30);
  EXPECT_EQ(get(*rr2, 4), std::nullopt);
  // ReadCommitted: a statement's view keeps its snapshot, the next statement sees the commits.
  EXPECT_EQ(scan(*rc1), before);
  auto rc2 = rc->statement_view();
  EXPECT_EQ(scan(*rc2), after);
  EXPECT_EQ(get(*rc2, 3), std::nullopt);

  // One more commit: RR still fixed, RC moves again.
  autocommit([&](StatementWriter& w) { update(w, 4, 44); });
  EXPECT_EQ(scan(*rr->statement_view()), before);
  EXPECT_EQ(scan(*rc2), after);
  EXPECT_EQ(get(*rc->statement_view(), 4), 44);
  rr1.reset();
  rr2.reset();
  rc1.reset();
  rc2.reset();
  rr->commit();
  rc->commit();
  // A new RepeatableRead transaction starts from the newest state.
  auto rr_new = store_->begin(RR);
  EXPECT_EQ(scan(*rr_new->statement_view()), (Rows{{1, 11}, {2, 200}, {4, 44}}));
}

TEST_F(MvccTest, ReadViewOutsideTransactionIsASnapshot) {
  seed({{1, 1}});
  auto view = store_->read_view();
  EXPECT_EQ(store_->oldest_active_snapshot(), store_->visible_ts());
  uint64_t ts = store_->visible_ts();
  autocommit([&](StatementWriter& w) {
    update(w, 1, 2);
    insert(w, 2, 2);
  });
  EXPECT_GT(store_->visible_ts(), ts);
  EXPECT_EQ(store_->oldest_active_snapshot(), ts);  // the open view holds it
  EXPECT_EQ(scan(*view), (Rows{{1, 1}}));
  EXPECT_EQ(scan_all(), (Rows{{1, 2}, {2, 2}}));
  view.reset();
  EXPECT_EQ(store_->oldest_active_snapshot(), store_->visible_ts());
}

// ---------------------------------------------------------------------------------------------------
// Reading one's own writes

TEST_F(MvccTest, ReadYourOwnWritesThroughScans) {
  Rows seeded;
  for (int64_t id = 10; id <= 100; id += 10) seeded.emplace_back(id, id);
  seed(seeded);

  auto txn = store_->begin(RR);
  statement(*txn, [&](StatementWriter& w) {
    insert(w, 5, 5);    // before every stored row
    insert(w, 15, 15);  // between stored rows
    insert(w, 55, 55);
    insert(w, 105, 105);  // after every stored row
    update(w, 30, 300);
    remove(w, 40);
    remove(w, 100);  // the last stored row
    remove(w, 10);   // the first stored row
  });
  EXPECT_TRUE(txn->has_writes());

  auto v2 = txn->statement_view();
  const Rows merged = {{5, 5},   {15, 15}, {20, 20}, {30, 300}, {50, 50},  {55, 55},
                       {60, 60}, {70, 70}, {80, 80}, {90, 90},  {105, 105}};
  EXPECT_EQ(scan(*v2), merged);
  // Small batches: the merge continues correctly across batch boundaries; without keys too.
  for (uint32_t batch : {1u, 2u, 3u, 4u}) {
    EXPECT_EQ(scan(*v2, "", std::nullopt, batch), merged) << batch;
    EXPECT_EQ(scan(*v2, "", std::nullopt, batch, false), merged) << batch;
  }
  // Ranges, with bounds on own writes, on deleted rows, on stored rows and between rows.
  EXPECT_EQ(scan(*v2, pk(15), pk(60)), (Rows{{15, 15}, {20, 20}, {30, 300}, {50, 50}, {55, 55}}));
  EXPECT_EQ(scan(*v2, pk(40), pk(56), 1), (Rows{{50, 50}, {55, 55}}));
  EXPECT_EQ(scan(*v2, pk(41)),
            (Rows{{50, 50}, {55, 55}, {60, 60}, {70, 70}, {80, 80}, {90, 90}, {105, 105}}));
  EXPECT_EQ(scan(*v2, "", pk(16)), (Rows{{5, 5}, {15, 15}}));
  EXPECT_EQ(scan(*v2, "", pk(15)), (Rows{{5, 5}}));
  EXPECT_EQ(scan(*v2, pk(95)), (Rows{{105, 105}}));
  EXPECT_EQ(scan(*v2, pk(100), pk(105)), Rows{});
  EXPECT_EQ(scan(*v2, pk(10), pk(11)), Rows{});
  EXPECT_EQ(scan(*v2, pk(55), keycodec::prefix_successor(pk(55))), (Rows{{55, 55}}));
  EXPECT_EQ(get(*v2, 30), 300);
  EXPECT_EQ(get(*v2, 40), std::nullopt);
  EXPECT_EQ(get(*v2, 15), 15);
  // Nobody else sees any of it.
  EXPECT_EQ(scan_all(), seeded);
  EXPECT_EQ(scan(*store_->begin(RR)->statement_view()), seeded);

  // Within one statement, the statement's own writes are invisible to its scans until apply().
  {
    auto w = txn->writer(*v2);
    update(*w, 20, 2000);                 // stored row
    update(*w, 15, 1500);                 // row inserted by an earlier statement
    update(*w, 50, 5000, /*new_id=*/51);  // primary key change
    remove(*w, 60);
    remove(*w, 55);  // row inserted by an earlier statement
    insert(*w, 61, 61);
    insert(*w, 40, 4000);  // re-insert of a key deleted by an earlier statement
    EXPECT_EQ(scan(*v2), merged);
    EXPECT_EQ(scan(*v2, pk(15), pk(62), 2),
              (Rows{{15, 15}, {20, 20}, {30, 300}, {50, 50}, {55, 55}, {60, 60}}));
    EXPECT_TRUE(v2->exists(key(60)));
    EXPECT_FALSE(v2->exists(key(61)));
    EXPECT_FALSE(v2->exists(key(51)));
    // A statement view taken meanwhile (the next statement would) does not see unapplied writes either.
    EXPECT_EQ(scan(*txn->statement_view()), merged);
    w->apply();
  }
  auto v3 = txn->statement_view();
  const Rows merged3 = {{5, 5},   {15, 1500}, {20, 2000}, {30, 300}, {40, 4000}, {51, 5000},
                        {61, 61}, {70, 70},   {80, 80},   {90, 90},  {105, 105}};
  EXPECT_EQ(scan(*v3), merged3);
  EXPECT_EQ(scan(*v3, "", std::nullopt, 3), merged3);
  EXPECT_EQ(scan(*v3, pk(50), pk(70)), (Rows{{51, 5000}, {61, 61}}));
  EXPECT_EQ(get(*v3, 50), std::nullopt);
  EXPECT_EQ(get(*v3, 55), std::nullopt);
  EXPECT_EQ(scan_all(), seeded);

  // A failed statement (writer dropped without apply) leaves the transaction's writes as they were.
  {
    auto w = txn->writer(*v3);
    remove(*w, 5);
    update(*w, 30, -1);
    insert(*w, 1, 1);
  }
  EXPECT_EQ(scan(*txn->statement_view()), merged3);

  // A duplicate of a row inserted by an earlier statement is 23505; so is re-inserting a stored row.
  {
    auto v = txn->statement_view();
    auto w = txn->writer(*v);
    EXPECT_EQ(sqlstate_of([&] { insert(*w, 105, 0); }), "23505");
    EXPECT_EQ(sqlstate_of([&] { insert(*w, 70, 0); }), "23505");
    EXPECT_EQ(sqlstate_of([&] { insert(*w, 55, 0); }), "");  // deleted by an earlier statement
  }

  v2.reset();
  v3.reset();
  txn->commit();
  EXPECT_EQ(scan_all(), merged3);
  // Rows inserted and deleted again inside the transaction were never written; the insert-then-update
  // row 15 was written once.
  EXPECT_EQ(store_->count_versions(key(55)), 0u);
  EXPECT_EQ(store_->count_versions(key(15)), 1u);
  EXPECT_EQ(store_->count_versions(key(20)), 2u);
}

TEST_F(MvccTest, ReadYourOwnWritesReadCommitted) {
  seed({{1, 1}, {3, 3}});
  auto txn = store_->begin(RC);
  statement(*txn, [&](StatementWriter& w) {
    insert(w, 2, 2);
    update(w, 3, 33);
  });
  autocommit([&](StatementWriter& w) { insert(w, 4, 4); });  // someone else's commit
  // The next statement sees both the new commit and its own writes.
  EXPECT_EQ(scan(*txn->statement_view()), (Rows{{1, 1}, {2, 2}, {3, 33}, {4, 4}}));
  txn->commit();
  EXPECT_EQ(scan_all(), (Rows{{1, 1}, {2, 2}, {3, 33}, {4, 4}}));
}

// An inverted range (lower > upper, e.g. WHERE id > 25 AND id < 25 or id > 50 AND id < 20) is empty, also
// when the transaction has writes on either side of it.
//
// An empty or inverted key range (WHERE id > 5 AND id < 3) must not walk the transaction's own writes
// past the range: it once did, forever. The scans run in a child process (death-test machinery) with a
// row cap and an alarm, so a regression fails this test without hanging the suite.
TEST_F(MvccTest, InvertedRangeWithOwnWritesIsEmpty) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  seed({{10, 10}, {20, 20}, {30, 30}, {60, 60}});
  EXPECT_EQ(scan(*store_->read_view(), pk(50), pk(20)), Rows{});  // no own writes: fine
  auto txn = store_->begin(RR);
  statement(*txn, [&](StatementWriter& w) {
    insert(w, 25, 25);
    insert(w, 70, 70);
  });
  auto v = txn->statement_view();
  EXPECT_EQ(scan(*v), (Rows{{10, 10}, {20, 20}, {25, 25}, {30, 30}, {60, 60}, {70, 70}}));
  // Rows an inverted-range scan of `v` returns, at most 1000.
  auto rows_in = [&](const std::string& lower, const std::string& upper) {
    ScanSpec spec;
    spec.table = kv_;
    spec.columns = {true, true};
    spec.lower = lower;
    spec.upper = upper;
    spec.upper_unbounded = false;
    auto cursor = v->scan(spec);
    uint64_t rows = 0;
    while (const ColumnBatch* b = cursor->next()) {
      rows += b->count;
      if (rows >= 1000) break;
    }
    return rows;
  };
  EXPECT_EXIT(
      {
        ::alarm(30);
        uint64_t n = rows_in(keycodec::prefix_successor(pk(25)), pk(25)) + rows_in(pk(26), pk(24)) +
                     rows_in(pk(50), pk(20)) + rows_in(pk(100), pk(0));
        std::fprintf(stderr, "inverted-range scans returned %llu rows\n", static_cast<unsigned long long>(n));
        std::_Exit(n == 0 ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "returned 0 rows");
}

// ---------------------------------------------------------------------------------------------------
// Write-write conflicts: first committer wins

TEST_F(MvccTest, FirstCommitterWinsOnUpdateUpdate) {
  seed({{1, 10}, {2, 20}, {3, 30}});
  for (bool second_writes_after_first_commit : {false, true}) {
    SCOPED_TRACE(second_writes_after_first_commit);
    autocommit([&](StatementWriter& w) {
      update(w, 1, 10);
      update(w, 2, 20);
    });
    auto t1 = store_->begin(RR);
    auto t2 = store_->begin(RR);
    auto v2 = t2->statement_view();  // t2's snapshot predates t1's commit
    statement(*t1, [&](StatementWriter& w) { update(w, 1, 100); });
    auto t2_writes = [&] {
      auto w = t2->writer(*v2);
      update(*w, 2, 222);  // another key, no conflict on its own
      update(*w, 1, 200);
      insert(*w, 50, 50);
      w->apply();
    };
    if (!second_writes_after_first_commit) t2_writes();
    t1->commit();
    if (second_writes_after_first_commit) t2_writes();
    SqlError err(SqlState::InternalError, "");
    EXPECT_EQ(sqlstate_of([&] { t2->commit(); }, &err), "40001");
    EXPECT_EQ(err.message(), "could not serialize access due to concurrent update");
    // None of t2's writes are applied.
    EXPECT_EQ(scan_all(), (Rows{{1, 100}, {2, 20}, {3, 30}}));
    EXPECT_EQ(store_->count_versions(key(50)), 0u);
    EXPECT_EQ(versions(2).front().second, 20);
    // The failed transaction can be rolled back; a retry in a new transaction succeeds.
    v2.reset();
    t2->rollback();
    t2.reset();
    autocommit([&](StatementWriter& w) {
      update(w, 2, 222);
      update(w, 1, 200);
    });
    EXPECT_EQ(scan_all(), (Rows{{1, 200}, {2, 222}, {3, 30}}));
  }
}

TEST_F(MvccTest, FirstCommitterWinsOnDeleteAndUpdate) {
  seed({{1, 10}, {2, 20}, {3, 30}, {4, 40}});
  // Delete committed first, then an update of the same row.
  {
    auto t1 = store_->begin(RR);
    auto t2 = store_->begin(RR);
    statement(*t1, [&](StatementWriter& w) { remove(w, 3); });
    statement(*t2, [&](StatementWriter& w) {
      update(w, 3, 333);
      update(w, 1, 111);
    });
    t1->commit();
    EXPECT_EQ(sqlstate_of([&] { t2->commit(); }), "40001");
    EXPECT_EQ(scan_all(), (Rows{{1, 10}, {2, 20}, {4, 40}}));
  }
  // Update committed first, then a delete of the same row.
  {
    auto t1 = store_->begin(RR);
    auto t2 = store_->begin(RR);
    statement(*t1, [&](StatementWriter& w) { update(w, 4, 444); });
    statement(*t2, [&](StatementWriter& w) {
      remove(w, 4);
      remove(w, 2);
    });
    t1->commit();
    EXPECT_EQ(sqlstate_of([&] { t2->commit(); }), "40001");
    EXPECT_EQ(scan_all(), (Rows{{1, 10}, {2, 20}, {4, 444}}));
  }
  // Delete/delete.
  {
    auto t1 = store_->begin(RR);
    auto t2 = store_->begin(RR);
    statement(*t1, [&](StatementWriter& w) { remove(w, 1); });
    statement(*t2, [&](StatementWriter& w) { remove(w, 1); });
    t1->commit();
    EXPECT_EQ(sqlstate_of([&] { t2->commit(); }), "40001");
    EXPECT_EQ(scan_all(), (Rows{{2, 20}, {4, 444}}));
  }
}

TEST_F(MvccTest, FirstCommitterWinsOnInsertOfSamePrimaryKey) {
  seed({{1, 1}});
  auto t1 = store_->begin(RR);
  auto t2 = store_->begin(RR);
  statement(*t1, [&](StatementWriter& w) { insert(w, 7, 70); });
  statement(*t2, [&](StatementWriter& w) {
    insert(w, 7, 700);
    insert(w, 8, 800);
    update(w, 1, 100);
  });
  t1->commit();
  EXPECT_EQ(sqlstate_of([&] { t2->commit(); }), "40001");
  EXPECT_EQ(scan_all(), (Rows{{1, 1}, {7, 70}}));
  EXPECT_EQ(store_->count_versions(key(8)), 0u);
  EXPECT_EQ(store_->count_versions(key(7)), 1u);
  EXPECT_EQ(store_->count_versions(key(1)), 1u);
}

TEST_F(MvccTest, ReadCommittedAlsoFailsOnConcurrentUpdate) {
  seed({{1, 1}});
  auto t1 = store_->begin(RC);
  auto t2 = store_->begin(RC);
  statement(*t2, [&](StatementWriter& w) { update(w, 1, 2); });
  statement(*t1, [&](StatementWriter& w) { update(w, 1, 3); });
  t1->commit();
  EXPECT_EQ(sqlstate_of([&] { t2->commit(); }), "40001");
  EXPECT_EQ(get(1), 3);
}

TEST_F(MvccTest, DisjointWritersAndReadersDoNotConflict) {
  seed({{1, 1}, {2, 2}, {3, 3}});
  auto t1 = store_->begin(RR);
  auto t2 = store_->begin(RR);
  auto reader = store_->begin(RR);
  auto rv = reader->statement_view();
  EXPECT_EQ(get(*rv, 1), 1);
  EXPECT_EQ(get(*rv, 2), 2);
  // Each writer reads the other's row (write skew is allowed by snapshot isolation) and writes its own.
  auto v1 = t1->statement_view();
  auto v2 = t2->statement_view();
  EXPECT_EQ(get(*v1, 2), 2);
  EXPECT_EQ(get(*v2, 1), 1);
  {
    auto w = t1->writer(*v1);
    update(*w, 1, 10);
    insert(*w, 4, 4);
    w->apply();
  }
  {
    auto w = t2->writer(*v2);
    update(*w, 2, 20);
    remove(*w, 3);
    w->apply();
  }
  v1.reset();
  v2.reset();
  EXPECT_EQ(sqlstate_of([&] { t1->commit(); }), "");
  EXPECT_EQ(sqlstate_of([&] { t2->commit(); }), "");
  // A transaction that only read rows others have changed commits fine.
  EXPECT_EQ(get(*rv, 1), 1);
  EXPECT_FALSE(reader->has_writes());
  rv.reset();
  EXPECT_EQ(sqlstate_of([&] { reader->commit(); }), "");
  // A transaction that starts after a commit may overwrite its rows.
  auto t3 = store_->begin(RR);
  statement(*t3, [&](StatementWriter& w) { update(w, 1, 100); });
  EXPECT_EQ(sqlstate_of([&] { t3->commit(); }), "");
  EXPECT_EQ(scan_all(), (Rows{{1, 100}, {2, 20}, {4, 4}}));
}

// ---------------------------------------------------------------------------------------------------
// Savepoints, rollback

TEST_F(MvccTest, SavepointsRestoreAndReleaseTheWriteSet) {
  seed({{1, 1}, {2, 2}, {3, 3}});
  auto txn = store_->begin(RR);
  EXPECT_FALSE(txn->has_writes());
  size_t sp_empty = txn->savepoint();
  statement(*txn, [&](StatementWriter& w) { insert(w, 10, 10); });
  const Rows at_sp0 = {{1, 1}, {2, 2}, {3, 3}, {10, 10}};
  size_t sp0 = txn->savepoint();
  statement(*txn, [&](StatementWriter& w) {
    update(w, 1, 100);
    remove(w, 2);
    insert(w, 11, 11);
    update(w, 10, 1000);  // a row inserted before the savepoint
  });
  EXPECT_EQ(scan(*txn->statement_view()), (Rows{{1, 100}, {3, 3}, {10, 1000}, {11, 11}}));
  txn->rollback_to(sp0);
  EXPECT_EQ(scan(*txn->statement_view()), at_sp0);
  // The mark stays after rollback_to: roll back to it again.
  statement(*txn, [&](StatementWriter& w) { insert(w, 12, 12); });
  EXPECT_EQ(scan(*txn->statement_view()), (Rows{{1, 1}, {2, 2}, {3, 3}, {10, 10}, {12, 12}}));
  txn->rollback_to(sp0);
  EXPECT_EQ(scan(*txn->statement_view()), at_sp0);

  // Nested savepoints; release forgets marks from the released one on but keeps the writes.
  statement(*txn, [&](StatementWriter& w) { insert(w, 13, 13); });
  size_t sp1 = txn->savepoint();
  statement(*txn, [&](StatementWriter& w) { remove(w, 3); });
  size_t sp2 = txn->savepoint();
  EXPECT_LT(sp0, sp1);
  EXPECT_LT(sp1, sp2);
  statement(*txn, [&](StatementWriter& w) { update(w, 13, 1313); });
  const Rows released = {{1, 1}, {2, 2}, {10, 10}, {13, 1313}};
  txn->release(sp1);
  EXPECT_EQ(scan(*txn->statement_view()), released);
  txn->rollback_to(sp2);  // forgotten: nothing to restore
  EXPECT_EQ(scan(*txn->statement_view()), released);
  txn->rollback_to(sp1);
  EXPECT_EQ(scan(*txn->statement_view()), released);
  // An earlier mark still works and restores what came before it.
  txn->rollback_to(sp0);
  EXPECT_EQ(scan(*txn->statement_view()), at_sp0);
  txn->rollback_to(sp_empty);
  EXPECT_EQ(scan(*txn->statement_view()), (Rows{{1, 1}, {2, 2}, {3, 3}}));
  EXPECT_FALSE(txn->has_writes());

  statement(*txn, [&](StatementWriter& w) {
    update(w, 2, 22);
    insert(w, 20, 20);
  });
  size_t sp3 = txn->savepoint();
  statement(*txn, [&](StatementWriter& w) { remove(w, 20); });
  txn->rollback_to(sp3);
  EXPECT_EQ(scan_all(), (Rows{{1, 1}, {2, 2}, {3, 3}}));  // nothing committed yet
  txn->commit();
  EXPECT_EQ(scan_all(), (Rows{{1, 1}, {2, 22}, {3, 3}, {20, 20}}));
  // Only the surviving writes reached storage.
  EXPECT_EQ(store_->count_versions(key(10)), 0u);
  EXPECT_EQ(store_->count_versions(key(11)), 0u);
  EXPECT_EQ(store_->count_versions(key(1)), 1u);
  EXPECT_EQ(store_->count_versions(key(3)), 1u);
}

// Savepoints log what later writes replace (no copy of the write set): nested savepoints, ROLLBACK TO an
// outer one, RELEASE then ROLLBACK TO an outer one, a key written before and after a savepoint, a DELETE and
// a re-INSERT across savepoints (the re-insert stays a new row, value kind 0x03, only while its DELETE
// does), TRUNCATE undone, and the memory counted coming back to what it was at each savepoint.
TEST_F(MvccTest, SavepointsUndoOnlyWhatCameAfterThem) {
  seed({{1, 1}, {2, 2}, {3, 3}});
  auto txn = store_->begin(RR);
  auto rows = [&] { return scan(*txn->statement_view()); };
  statement(*txn, [&](StatementWriter& w) {
    update(w, 1, 10);  // written before the savepoints
    remove(w, 2);      // deleted before them
  });
  const Rows at_a = {{1, 10}, {3, 3}};
  const uint64_t mem_a = txn->memory_used();
  size_t a = txn->savepoint();
  statement(*txn, [&](StatementWriter& w) {
    update(w, 1, 100);  // and again after one
    insert(w, 2, 200);  // re-inserted after the DELETE: a new row
    insert(w, 4, 4);
  });
  const Rows at_b = {{1, 100}, {2, 200}, {3, 3}, {4, 4}};
  const uint64_t mem_b = txn->memory_used();
  size_t b = txn->savepoint();
  statement(*txn, [&](StatementWriter& w) {
    update(w, 1, 1000);
    remove(w, 2);  // the new row deleted again
    remove(w, 4);  // a row inserted after a
    update(w, 3, 30);
  });
  EXPECT_EQ(rows(), (Rows{{1, 1000}, {3, 30}}));
  size_t c = txn->savepoint();
  statement(*txn, [&](StatementWriter& w) { insert(w, 2, 2000); });
  EXPECT_EQ(rows(), (Rows{{1, 1000}, {2, 2000}, {3, 30}}));
  // Release c (its writes stay), then roll back to b: everything after b goes, c's writes too.
  txn->release(c);
  EXPECT_EQ(rows(), (Rows{{1, 1000}, {2, 2000}, {3, 30}}));
  txn->rollback_to(b);
  EXPECT_EQ(rows(), at_b);
  EXPECT_EQ(txn->memory_used(), mem_b + 512);  // b stays (and counts), its later writes are gone
  // Write again after b, nest a few more, roll back to the outer a at once.
  statement(*txn, [&](StatementWriter& w) { update(w, 4, 44); });
  for (int i = 0; i < 10; ++i) {
    txn->savepoint();
    statement(*txn, [&](StatementWriter& w) { insert(w, 100 + i, i); });
  }
  EXPECT_EQ(rows().size(), 14u);
  txn->rollback_to(a);
  EXPECT_EQ(rows(), at_a);
  EXPECT_EQ(txn->memory_used(), mem_a + 512);
  txn->rollback_to(b);  // gone with the rollback to a
  EXPECT_EQ(rows(), at_a);
  // TRUNCATE after a savepoint is undone with it.
  statement(*txn, [&](StatementWriter& w) { insert(w, 5, 5); });
  txn->truncate(*kv_);
  EXPECT_EQ(rows(), Rows{});
  txn->rollback_to(a);
  EXPECT_EQ(rows(), at_a);
  // Re-insert 2 after a, release a: the transaction keeps it, and commits it as a new row.
  statement(*txn, [&](StatementWriter& w) { insert(w, 2, 22); });
  txn->release(a);
  EXPECT_EQ(txn->memory_used(), [&] {
    auto fresh = store_->begin(RR);  // the same writes without savepoints count the same
    statement(*fresh, [&](StatementWriter& w) {
      update(w, 1, 10);
      remove(w, 2);
    });
    statement(*fresh, [&](StatementWriter& w) { insert(w, 2, 22); });
    return fresh->memory_used();
  }());
  txn->commit();
  EXPECT_EQ(scan_all(), (Rows{{1, 10}, {2, 22}, {3, 3}}));
  auto newest = [&](int64_t id) {
    std::unique_ptr<rocksdb::Iterator> it(store_->db()->NewIterator(rocksdb::ReadOptions()));
    it->Seek(key(id) + std::string(keycodec::kVersionSize, '\0'));
    EXPECT_TRUE(it->Valid());
    return static_cast<uint8_t>(it->value()[0]);
  };
  EXPECT_EQ(newest(2), rowcodec::kKindNewRow);
  EXPECT_EQ(newest(1), rowcodec::kKindRow);
  for (int64_t id : {4, 5, 100}) EXPECT_EQ(store_->count_versions(key(id)), 0u) << id;
  // A DELETE rolled back to before it: the later INSERT is a duplicate, not a new row.
  auto t2 = store_->begin(RR);
  statement(*t2, [&](StatementWriter& w) { remove(w, 3); });
  size_t d = t2->savepoint();
  statement(*t2, [&](StatementWriter& w) { insert(w, 3, 33); });
  t2->rollback_to(d);
  EXPECT_EQ(scan(*t2->statement_view()), (Rows{{1, 10}, {2, 22}}));
  t2->rollback_to(0);  // the DELETE was before every savepoint: it stays
  EXPECT_EQ(scan(*t2->statement_view()), (Rows{{1, 10}, {2, 22}}));
  t2->release(0);
  t2->commit();
  EXPECT_EQ(scan_all(), (Rows{{1, 10}, {2, 22}}));
}

TEST_F(MvccTest, RollbackAndDestroyedTransactionDiscardWrites) {
  seed({{1, 1}, {2, 2}});
  const Rows seeded = {{1, 1}, {2, 2}};
  {
    auto txn = store_->begin(RR);
    statement(*txn, [&](StatementWriter& w) {
      insert(w, 3, 3);
      update(w, 1, 10);
      remove(w, 2);
    });
    EXPECT_TRUE(txn->has_writes());
    EXPECT_GT(store_->visible_ts(), 0u);
    EXPECT_EQ(store_->oldest_active_snapshot(), store_->visible_ts());
    txn->rollback();
    EXPECT_FALSE(txn->has_writes());
  }
  EXPECT_EQ(scan_all(), seeded);
  for (int64_t id : {1, 2, 3}) EXPECT_EQ(store_->count_versions(key(id)), id == 3 ? 0u : 1u) << id;

  const uint64_t ts_before = store_->visible_ts();
  {
    auto txn = store_->begin(IsolationLevel::RepeatableRead);
    statement(*txn, [&](StatementWriter& w) {
      insert(w, 4, 4);
      update(w, 2, 20);
    });
    statement(*txn, [&](StatementWriter& w) { remove(w, 1); });
    // Its snapshot is registered while it is open...
    autocommit([&](StatementWriter& w) { insert(w, 100, 100); });
    EXPECT_EQ(store_->oldest_active_snapshot(), ts_before);
    // ... destroyed without commit
  }
  // ... and released with it.
  EXPECT_EQ(store_->oldest_active_snapshot(), store_->visible_ts());
  EXPECT_EQ(scan_all(), (Rows{{1, 1}, {2, 2}, {100, 100}}));
  EXPECT_EQ(store_->count_versions(key(4)), 0u);
  EXPECT_EQ(store_->count_versions(key(2)), 1u);
  EXPECT_EQ(store_->visible_ts(), ts_before + 1);  // only the autocommit got a timestamp
}

// ---------------------------------------------------------------------------------------------------
// Tombstones

TEST_F(MvccTest, DeletedRowStaysVisibleToOlderSnapshots) {
  seed({{1, 1}, {2, 2}, {3, 3}});
  auto old_txn = store_->begin(RR);
  auto old_view = old_txn->statement_view();
  auto old_read_view = store_->read_view();
  autocommit([&](StatementWriter& w) { remove(w, 2); });
  // Stored as a tombstone version on top of the row.
  auto vs = versions(2);
  ASSERT_EQ(vs.size(), 2u);
  EXPECT_EQ(vs[0].second, std::nullopt);
  EXPECT_EQ(vs[1].second, 2);
  EXPECT_GT(vs[0].first, vs[1].first);
  // Older snapshots still see the row, through scans and exists().
  EXPECT_EQ(scan(*old_view), (Rows{{1, 1}, {2, 2}, {3, 3}}));
  EXPECT_EQ(get(*old_view, 2), 2);
  EXPECT_EQ(get(*old_read_view, 2), 2);
  EXPECT_EQ(get(*old_txn->statement_view(), 2), 2);
  // New snapshots do not, in any transaction kind.
  EXPECT_EQ(scan_all(), (Rows{{1, 1}, {3, 3}}));
  EXPECT_EQ(get(*store_->begin(RC)->statement_view(), 2), std::nullopt);
  EXPECT_EQ(scan(*store_->read_view(), pk(2), pk(3)), Rows{});

  // Compaction while the old snapshot is open keeps what it reads.
  store_->compact();
  EXPECT_EQ(get(*old_view, 2), 2);
  EXPECT_EQ(get(2), std::nullopt);
  // The deleted key can be inserted again; a snapshot between delete and re-insert sees it absent.
  auto between = store_->read_view();
  autocommit([&](StatementWriter& w) { insert(w, 2, 22); });
  EXPECT_EQ(get(*between, 2), std::nullopt);
  EXPECT_EQ(get(*old_view, 2), 2);
  EXPECT_EQ(get(2), 22);
  between.reset();
  old_view.reset();
  old_read_view.reset();
  old_txn.reset();
  // Nothing old is needed any more: one version left.
  store_->compact();
  EXPECT_EQ(get(2), 22);
  EXPECT_EQ(store_->count_versions(key(2)), 1u);

  // Delete again and compact without snapshots: a full compaction sees every version of the key, so
  // the row and its tombstone are gone for good (docs/mvcc.md "Garbage collection").
  autocommit([&](StatementWriter& w) { remove(w, 2); });
  store_->compact();
  EXPECT_EQ(get(2), std::nullopt);
  EXPECT_EQ(versions(2).size(), 0u);
  EXPECT_EQ(scan_all(), (Rows{{1, 1}, {3, 3}}));
}

// ---------------------------------------------------------------------------------------------------
// Garbage collection

// A READ COMMITTED transaction updates a row in one statement (whose snapshot is released when the
// statement ends); another transaction then deletes the row and commits, and a full compaction runs at
// the moment the first transaction commits (forced with a sync point). The compaction must keep the
// tombstone that the commit's conflict check needs: the update must fail with 40001, never bring the
// deleted row back.
TEST_F(MvccTest, ReadCommittedWritesKeepGarbageCollectionBehindTheirReadTimestamp) {
  seed({{1, 10}, {2, 20}});
  auto t1 = store_->begin(RC);
  statement(*t1, [&](StatementWriter& w) { update(w, 1, 11); });
  // A later read-only statement: READ COMMITTED snapshots move on.
  EXPECT_EQ(get(*t1->statement_view(), 2), 20);

  sync_point::Scope sync;
  bool forced = false;
  sync_point::set_callback("TransactionImpl::commit:Start", [&](void* txn) {
    if (txn != t1.get()) return;  // the deleter's own commit below passes here too
    autocommit([&](StatementWriter& w) { remove(w, 1); });
    store_->compact();  // full compaction: sees every version of the key
    forced = true;
  });
  EXPECT_EQ(sqlstate_of([&] { t1->commit(); }), "40001");
  EXPECT_TRUE(forced);
  EXPECT_EQ(get(1), std::nullopt) << "the UPDATE resurrected a row deleted after it read it";
  EXPECT_EQ(scan_all(), (Rows{{2, 20}}));
  // The transaction ended: nothing of it is registered any more, and GC catches up.
  t1.reset();
  EXPECT_EQ(store_->oldest_active_snapshot(), store_->visible_ts());
  store_->compact();
  EXPECT_EQ(versions(1).size(), 0u);
}

// The pin follows the oldest write: a later statement's writes (newer read timestamp) do not move it
// forward, and a read-only READ COMMITTED transaction pins nothing between statements.
TEST_F(MvccTest, ReadCommittedPinIsTheOldestWriteReadTimestamp) {
  seed({{1, 10}, {2, 20}});
  auto idle = store_->begin(RC);
  EXPECT_EQ(get(*idle->statement_view(), 1), 10);
  autocommit([&](StatementWriter& w) { update(w, 2, 21); });
  EXPECT_EQ(store_->oldest_active_snapshot(), store_->visible_ts()) << "a read-only RC transaction pins";

  auto t1 = store_->begin(RC);
  statement(*t1, [&](StatementWriter& w) { update(w, 1, 11); });
  const uint64_t first_read = store_->oldest_active_snapshot();
  EXPECT_EQ(first_read, store_->visible_ts());
  autocommit([&](StatementWriter& w) { update(w, 2, 22); });
  statement(*t1, [&](StatementWriter& w) { update(w, 2, 23); });  // reads the newer snapshot
  EXPECT_EQ(store_->oldest_active_snapshot(), first_read);
  EXPECT_LT(first_read, store_->visible_ts());
  t1->commit();
  EXPECT_EQ(store_->oldest_active_snapshot(), store_->visible_ts());
  EXPECT_EQ(scan_all(), (Rows{{1, 11}, {2, 23}}));
}

// DROP TABLE lands between a commit's conflict check (which found the table) and its write (forced with
// a sync point): the drop must wait for the commit to finish writing and then remove its rows too, so
// that no row is left under a table id that is never reused or collected.
TEST_F(MvccTest, DropTableWaitsForCommitsBetweenCheckAndWrite) {
  seed({{1, 10}});
  auto t1 = store_->begin(RC);
  statement(*t1, [&](StatementWriter& w) {
    insert(w, 5, 50);
    update(w, 1, 11);
  });
  const std::string table_prefix = key(1).substr(0, keycodec::kTablePrefixSize);

  sync_point::Scope sync;
  std::thread dropper;
  sync_point::set_callback("TransactionImpl::commit:BeforeWrite", [&](void* txn) {
    if (txn != t1.get()) return;
    dropper = std::thread([&] {
      store_->catalog().drop_table("kv");
      OMEN_SYNC_POINT("Test:DropFinished");
    });
    // The drop either completes now (the defect) or waits for this commit (the fix).
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!sync_point::passed("Catalog::drop_table:WaitForCommits") &&
           !sync_point::wait_passed("Test:DropFinished", std::chrono::milliseconds(5)))
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the drop neither finished nor waited";
  });
  t1->commit();  // the table still existed at its check: it commits, and the drop comes after it
  dropper.join();
  EXPECT_TRUE(sync_point::passed("Catalog::drop_table:WaitForCommits"));
  EXPECT_EQ(store_->catalog().find("kv"), nullptr);

  // Nothing is left under the dropped table's id.
  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;
  std::unique_ptr<rocksdb::Iterator> it(store_->db()->NewIterator(ro));
  int left = 0;
  for (it->Seek(table_prefix); it->Valid() && it->key().starts_with(table_prefix); it->Next()) ++left;
  EXPECT_TRUE(it->status().ok());
  EXPECT_EQ(left, 0) << "rows were written under the dropped table's id after the drop";
}

// A commit that starts its checks while a DROP TABLE of its table is under way waits for the drop and
// then fails with 42P01 (the drop holds the commit mutex; this checks that the ordering does not
// deadlock when the drop has no commit in flight to wait for).
TEST_F(MvccTest, CommitAfterDropOfItsTableFails) {
  seed({{1, 10}});
  auto t1 = store_->begin(RC);
  statement(*t1, [&](StatementWriter& w) { update(w, 1, 11); });
  sync_point::Scope sync;
  sync_point::set_callback("TransactionImpl::commit:Start", [&](void* txn) {
    if (txn == t1.get()) store_->catalog().drop_table("kv");
  });
  EXPECT_EQ(sqlstate_of([&] { t1->commit(); }), "42P01");
  EXPECT_FALSE(sync_point::passed("Catalog::drop_table:WaitForCommits"));
  EXPECT_EQ(store_->count_versions(key(1)), 0u);
}

TEST_F(MvccTest, GarbageCollectionOfAHotRow) {
  StoreOptions o = test_options(dir_);
  o.sync_commits = false;
  reopen(o);
  seed({{1, 0}, {2, 2}});
  constexpr int kUpdates = 100000;
  auto start = std::chrono::steady_clock::now();
  for (int i = 1; i <= kUpdates; ++i) {
    auto txn = store_->begin(RR);
    auto view = txn->statement_view();
    auto w = txn->writer(*view);
    update(*w, 1, i);
    w->apply();
    view.reset();
    txn->commit();
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("[ timing   ] %d single-row update transactions: %.3f s (%.1f us/txn, %.0f txn/s)\n", kUpdates,
              secs, secs * 1e6 / kUpdates, kUpdates / secs);
  uint64_t before = store_->count_versions(key(1));
  std::printf("[ info     ] versions of the hot row before compact(): %llu\n",
              static_cast<unsigned long long>(before));
  EXPECT_EQ(get(1), kUpdates);
  store_->compact();
  EXPECT_LE(store_->count_versions(key(1)), 2u);
  EXPECT_GE(store_->count_versions(key(1)), 1u);
  EXPECT_EQ(get(1), kUpdates);
  EXPECT_EQ(versions(1).front().second, kUpdates);
  EXPECT_EQ(get(2), 2);  // the untouched row survives compaction
  EXPECT_EQ(store_->count_versions(key(2)), 1u);

  // An open RepeatableRead transaction (and a plain read view) keep the version they see.
  auto holder = store_->begin(RR);
  auto holder_view = holder->statement_view();
  EXPECT_EQ(get(*holder_view, 1), kUpdates);
  const uint64_t held_ts = store_->visible_ts();
  EXPECT_EQ(store_->oldest_active_snapshot(), held_ts);
  constexpr int kRound = 1000;
  int64_t value = kUpdates;
  auto update_round = [&] {
    for (int i = 0; i < kRound; ++i) autocommit([&](StatementWriter& w) { update(w, 1, ++value); });
  };
  update_round();
  holder_view.reset();  // the transaction, not the view, holds a RepeatableRead snapshot
  store_->compact();
  EXPECT_EQ(store_->oldest_active_snapshot(), held_ts);
  EXPECT_EQ(get(*holder->statement_view(), 1), kUpdates);
  EXPECT_EQ(get(1), value);
  {
    auto vs = versions(1);
    EXPECT_LE(vs.size(), static_cast<size_t>(kRound) + 1);  // at most the versions newer than held_ts + 1
    bool kept = false;
    for (auto& [ts, v] : vs) kept |= ts <= held_ts && v == kUpdates;
    EXPECT_TRUE(kept);
  }
  // A plain read view holds its snapshot too.
  auto view_holder = store_->read_view();
  const int64_t view_value = value;
  update_round();
  store_->compact();
  EXPECT_EQ(get(*view_holder, 1), view_value);
  EXPECT_EQ(get(*holder->statement_view(), 1), kUpdates);

  // Once both end, a further round of updates + compact() removes the old versions.
  holder->commit();
  holder.reset();
  view_holder.reset();
  EXPECT_EQ(store_->oldest_active_snapshot(), store_->visible_ts());
  update_round();
  store_->compact();
  auto vs = versions(1);
  EXPECT_LE(vs.size(), 2u);
  for (auto& [ts, v] : vs) {
    EXPECT_NE(v, kUpdates);
    EXPECT_NE(v, view_value);
  }
  EXPECT_EQ(vs.front().second, value);
  EXPECT_EQ(get(1), value);
}

// ---------------------------------------------------------------------------------------------------
// Timestamp oracle

TEST_F(MvccTest, CommitTimestampsIncreaseAcrossReopen) {
  seed({{1, 0}});
  uint64_t last_version_ts = versions(1).front().first;
  uint64_t visible = store_->visible_ts();
  EXPECT_GE(visible, last_version_ts);
  for (int cycle = 1; cycle <= 5; ++cycle) {
    SCOPED_TRACE(cycle);
    reopen(test_options(dir_));
    EXPECT_GE(store_->visible_ts(), visible);
    EXPECT_GE(store_->visible_ts(), last_version_ts);
    EXPECT_EQ(get(1), cycle - 1);
    // A snapshot from before this cycle's commits keeps reading the previous value.
    auto before = store_->begin(RR);
    auto before_view = before->statement_view();
    uint64_t ts0 = store_->visible_ts();
    autocommit([&](StatementWriter& w) { update(w, 1, cycle); });
    EXPECT_GT(store_->visible_ts(), ts0);
    // The new version sorts first (newest) and has a larger timestamp than every version before the
    // restart; if timestamps repeated, an old version would shadow it.
    // (Older versions may have been garbage-collected by RocksDB's automatic compactions.)
    auto vs = versions(1);
    ASSERT_GE(vs.size(), 1u);
    EXPECT_EQ(vs.front().second, cycle);
    EXPECT_GT(vs.front().first, last_version_ts);
    EXPECT_LE(vs.front().first, store_->visible_ts());
    for (size_t i = 1; i < vs.size(); ++i) EXPECT_LT(vs[i].first, vs[i - 1].first);
    last_version_ts = vs.front().first;
    EXPECT_EQ(get(1), cycle);
    EXPECT_EQ(get(*store_->begin(RC)->statement_view(), 1), cycle);
    EXPECT_EQ(get(*before_view, 1), cycle - 1);
    // Another commit in the same cycle: strictly larger again.
    uint64_t ts1 = store_->visible_ts();
    autocommit([&](StatementWriter& w) { insert(w, 100 + cycle, cycle); });
    EXPECT_GT(store_->visible_ts(), ts1);
    EXPECT_GT(versions(100 + cycle).front().first, last_version_ts);
    visible = store_->visible_ts();
  }
  EXPECT_EQ(scan_all().size(), 6u);
}

// ---------------------------------------------------------------------------------------------------
// Concurrency

TEST_F(MvccTest, ConcurrentCommittersOnDisjointKeys) {
  StoreOptions o = test_options(dir_);
  o.sync_commits = true;
  reopen(o);
  constexpr int kThreads = 8, kTxns = 500;
  const uint64_t ts0 = store_->visible_ts();
  std::atomic<int> failures{0};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int th = 0; th < kThreads; ++th) {
    threads.emplace_back([&, th] {
      for (int i = 0; i < kTxns; ++i) {
        try {
          auto txn = store_->begin(i % 2 ? RR : RC);
          auto view = txn->statement_view();
          auto w = txn->writer(*view);
          insert(*w, static_cast<int64_t>(th) * kTxns + i, th);
          w->apply();
          view.reset();
          txn->commit();
          // A commit is acknowledged only once it is visible: a new snapshot sees it at once.
          if (!store_->read_view()->exists(key(static_cast<int64_t>(th) * kTxns + i))) {
            ++failures;
            ADD_FAILURE() << "thread " << th << " txn " << i << ": committed row not visible";
          }
        } catch (const SqlError& e) {
          ++failures;
          ADD_FAILURE() << "thread " << th << " txn " << i << ": " << e.what();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("[ timing   ] %d synced commits from %d threads: %.3f s (%.0f commits/s)\n", kThreads * kTxns,
              kThreads, secs, kThreads * kTxns / secs);
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(store_->visible_ts(), ts0 + kThreads * kTxns);
  EXPECT_EQ(store_->oldest_active_snapshot(), store_->visible_ts());
  Rows rows = scan_all();
  ASSERT_EQ(rows.size(), static_cast<size_t>(kThreads * kTxns));
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].first, static_cast<int64_t>(i));
    EXPECT_EQ(rows[i].second, static_cast<int64_t>(i / kTxns));
  }
  // Durable across a reopen.
  reopen(o);
  EXPECT_EQ(scan_all().size(), static_cast<size_t>(kThreads * kTxns));
}

TEST_F(MvccTest, ConcurrentIncrementsLoseNoUpdate) {
  seed({{0, 0}});
  constexpr int kThreads = 8, kIncrements = 150;
  std::atomic<int64_t> commits{0}, conflicts{0};
  std::vector<std::thread> threads;
  for (int th = 0; th < kThreads; ++th) {
    threads.emplace_back([&, th] {
      for (int done = 0; done < kIncrements;) {
        try {
          auto txn = store_->begin(th % 2 ? RR : RC);
          auto view = txn->statement_view();
          std::optional<int64_t> v = get(*view, 0);
          if (!v) {
            ADD_FAILURE() << "counter row missing";
            return;
          }
          auto w = txn->writer(*view);
          update(*w, 0, *v + 1);
          w->apply();
          view.reset();
          txn->commit();
          ++commits;
          ++done;
        } catch (const SqlError& e) {
          if (e.state() != SqlState::SerializationFailure) {
            ADD_FAILURE() << e.what();
            return;
          }
          ++conflicts;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  std::printf("[ info     ] %lld increments committed, %lld retried after 40001\n",
              static_cast<long long>(commits.load()), static_cast<long long>(conflicts.load()));
  EXPECT_EQ(commits.load(), kThreads * kIncrements);
  EXPECT_EQ(get(0), commits.load());
}

// Readers see either all or none of a concurrent transaction: money moves between accounts, the total
// stays constant in every snapshot.
TEST_F(MvccTest, ConcurrentTransfersKeepSnapshotsConsistent) {
  constexpr int kAccounts = 10, kWriters = 4, kTransfers = 300;
  Rows accounts;
  for (int i = 0; i < kAccounts; ++i) accounts.emplace_back(i, 1000);
  seed(accounts);
  std::atomic<bool> stop{false};
  std::atomic<int> bad_snapshots{0}, reads{0};
  std::thread reader([&] {
    while (!stop.load()) {
      auto txn = store_->begin(RR);
      auto view = txn->statement_view();
      int64_t total = 0;
      for (auto& [id, v] : scan(*view, "", std::nullopt, 3)) total += v;
      // A second statement of the same RepeatableRead transaction sees the same total.
      int64_t again = 0;
      for (auto& [id, v] : scan(*txn->statement_view())) again += v;
      if (total != kAccounts * 1000 || again != total) ++bad_snapshots;
      ++reads;
    }
  });
  std::vector<std::thread> writers;
  for (int th = 0; th < kWriters; ++th) {
    writers.emplace_back([&, th] {
      uint32_t seed_state = 12345u + th;
      auto rnd = [&] {
        return seed_state = seed_state * 1103515245u + 12345u, (seed_state >> 8) % kAccounts;
      };
      for (int done = 0; done < kTransfers;) {
        int64_t from = rnd(), to = rnd();
        if (from == to) continue;
        try {
          auto txn = store_->begin(RR);
          auto view = txn->statement_view();
          int64_t a = get(*view, from).value_or(0), b = get(*view, to).value_or(0);
          auto w = txn->writer(*view);
          update(*w, from, a - 7);
          update(*w, to, b + 7);
          w->apply();
          view.reset();
          txn->commit();
          ++done;
        } catch (const SqlError& e) {
          if (e.state() != SqlState::SerializationFailure) {
            ADD_FAILURE() << e.what();
            return;
          }
        }
      }
    });
  }
  for (auto& t : writers) t.join();
  stop = true;
  reader.join();
  EXPECT_EQ(bad_snapshots.load(), 0) << "of " << reads.load() << " reads";
  int64_t total = 0;
  for (auto& [id, v] : scan_all()) total += v;
  EXPECT_EQ(total, kAccounts * 1000);
}

}  // namespace
}  // namespace omendb::storage
