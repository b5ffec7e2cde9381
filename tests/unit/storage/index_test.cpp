// Secondary indexes in the store (catalog.h IndexDef, docs/schema.md "Secondary indexes"): entries written
// with their rows in one transaction, read at the same snapshot, kept by every kind of write, built over
// committed and sealed rows, dropped with their table or index, surviving a reopen; an index scan of a
// snapshot older than the build reads the table. Each check compares an index scan with a model of the
// table computed from a plain scan.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <random>

#include "storage/key_codec.h"
#include "storage/store.h"
#include "test_util.h"

namespace omendb::storage {
namespace {

using testing::AutoCommit;
using testing::col;
using testing::int_datum;
using testing::null_datum;
using testing::sqlstate_of;
using testing::TempDir;
using testing::test_options;

// (id, g) pairs a scan produces, in the order it produces them.
using Rows = std::vector<std::pair<int64_t, std::optional<int64_t>>>;

Rows drain(ScanCursor& cursor) {
  Rows out;
  while (const ColumnBatch* b = cursor.next()) {
    for (uint64_t r = 0; r < b->count; ++r) {
      int64_t id = static_cast<const int64_t*>(b->columns[0].data)[r];
      std::optional<int64_t> g;
      if (!b->columns[1].nulls[r]) g = static_cast<const int32_t*>(b->columns[1].data)[r];
      out.emplace_back(id, g);
    }
  }
  return out;
}

std::string index_bound(std::optional<int64_t> g) {
  std::string s;
  if (!g) {
    s.push_back(keycodec::kIndexNull);
    return s;
  }
  s.push_back(keycodec::kIndexValue);
  keycodec::append_int(*g, s);
  return s;
}

class IndexTest : public ::testing::Test {
 protected:
  void SetUp() override { open(); }
  void open() {
    StoreOptions o = test_options(dir_);
    o.seal_block_rows = 50;
    store_ = Store::open(o);
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
  void create_index() {
    TableDef def = *store_->catalog().find("t");
    IndexDef ix;
    ix.id = store_->catalog().allocate_id();
    ix.name = "t_g";
    ix.attnums = {2};
    def.indexes.push_back(ix);
    Store::AlterWork work;
    work.build_indexes = {ix.id};
    work.fence = true;
    store_->alter_table(std::move(def), work);
    table_ = store_->catalog().find("t");
  }
  const IndexDef& index() const { return table_->indexes.at(0); }

  ScanSpec spec(bool through_index) const {
    ScanSpec s;
    s.table = table_;
    s.columns = {true, true};
    s.want_keys = true;
    if (through_index) {
      s.index_id = index().id;
      s.index_valid_from = index().valid_from_ts;
    }
    return s;
  }
  // Every row, through the table (key order).
  Rows table_rows(const ReadView& view) const {
    auto c = view.scan(spec(false));
    return drain(*c);
  }
  // Rows with g = v (nullopt: NULL) through the index.
  Rows index_rows(const ReadView& view, std::optional<int64_t> v) const {
    ScanSpec s = spec(true);
    s.lower = index_bound(v);
    s.upper = keycodec::prefix_successor(s.lower);
    s.upper_unbounded = false;
    auto c = view.scan(s);
    return drain(*c);
  }
  // Every entry through the index, in index order.
  Rows all_index_rows(const ReadView& view) const {
    auto c = view.scan(spec(true));
    return drain(*c);
  }
  // The index agrees with the table at this view: the same rows, in (g NULLS LAST, id) order, and each
  // point lookup finds exactly its rows.
  void expect_consistent(const ReadView& view) const {
    Rows expected = table_rows(view);
    std::sort(expected.begin(), expected.end(), [](const auto& a, const auto& b) {
      if (a.second.has_value() != b.second.has_value()) return a.second.has_value();
      if (a.second != b.second) return *a.second < *b.second;
      return a.first < b.first;
    });
    EXPECT_EQ(all_index_rows(view), expected);
    std::map<std::optional<int64_t>, Rows> by_value;
    for (const auto& r : expected) by_value[r.second].push_back(r);
    for (const auto& [v, rows] : by_value) EXPECT_EQ(index_rows(view, v), rows);
  }

  void put(Transaction& txn, int64_t id, std::optional<int64_t> g) {
    auto view = txn.statement_view();
    auto w = txn.writer(*view);
    Datum row[2] = {int_datum(id), g ? int_datum(*g) : null_datum()};
    w->insert(*table_, row);
    w->apply();
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  TableDefPtr table_;
};

TEST_F(IndexTest, BuildOverCommittedRowsThenMaintainedByEveryWrite) {
  {
    AutoCommit stmt(*store_);
    for (int64_t i = 0; i < 300; ++i) {
      Datum row[2] = {int_datum(i), i % 17 == 0 ? null_datum() : int_datum(i % 10)};
      stmt.w->insert(*table_, row);
    }
    stmt.commit();
  }
  create_index();
  expect_consistent(*store_->read_view());
  size_t threes = 0;  // rows with g = 3
  for (int64_t i = 0; i < 300; ++i) threes += i % 17 != 0 && i % 10 == 3;
  EXPECT_EQ(index_rows(*store_->read_view(), 3).size(), threes);

  // Updates of the indexed column, of the key, deletes and inserts, in one transaction: its own view
  // reads its entries; others see nothing until COMMIT, then everything.
  auto before = store_->read_view();
  auto txn = store_->begin(IsolationLevel::RepeatableRead);
  {
    auto view = txn->statement_view();
    auto w = txn->writer(*view);
    std::string key;
    for (int64_t i = 0; i < 300; i += 7) {
      key.clear();
      keycodec::append_table_prefix(table_->id, key);
      keycodec::append_int(i, key);
      Datum row[2] = {int_datum(i % 2 ? i + 1000 : i), int_datum(99)};
      if (i % 3 == 0) {
        ASSERT_TRUE(w->remove(*table_, key));
      } else {
        ASSERT_TRUE(w->update(*table_, key, row));
      }
    }
    Datum fresh[2] = {int_datum(5000), int_datum(3)};
    w->insert(*table_, fresh);
    w->apply();
  }
  expect_consistent(*txn->statement_view());
  expect_consistent(*store_->read_view());  // committed state unchanged
  txn->commit();
  auto after = store_->read_view();
  expect_consistent(*after);
  expect_consistent(*before);  // the older snapshot still reads the old rows through the index
  size_t changed = 0;          // rows with g = 3 the transaction updated or deleted
  for (int64_t i = 0; i < 300; i += 7) changed += i % 17 != 0 && i % 10 == 3;
  EXPECT_EQ(index_rows(*after, 3).size(), threes - changed + 1);
  EXPECT_FALSE(index_rows(*after, 99).empty());
}

TEST_F(IndexTest, RollbackSavepointAndUpdatesThatKeepTheEntry) {
  create_index();
  auto txn = store_->begin(IsolationLevel::ReadCommitted);
  put(*txn, 1, 10);
  size_t mark = txn->savepoint();
  put(*txn, 2, 10);
  EXPECT_EQ(index_rows(*txn->statement_view(), 10).size(), 2u);
  txn->rollback_to(mark);
  EXPECT_EQ(index_rows(*txn->statement_view(), 10).size(), 1u);
  txn->commit();
  expect_consistent(*store_->read_view());
  // An UPDATE that changes neither the key nor g writes no entry.
  auto t2 = store_->begin(IsolationLevel::ReadCommitted);
  {
    auto view = t2->statement_view();
    auto w = t2->writer(*view);
    std::string key;
    keycodec::append_table_prefix(table_->id, key);
    keycodec::append_int(1, key);
    Datum row[2] = {int_datum(1), int_datum(10)};
    ASSERT_TRUE(w->update(*table_, key, row));
    w->apply();
  }
  t2->commit();
  std::string entry = std::string();
  keycodec::append_table_prefix(index().id, entry);
  entry += index_bound(10);
  keycodec::append_int(1, entry);
  EXPECT_EQ(store_->count_versions(entry), 1u);  // the build's version only
  auto t3 = store_->begin(IsolationLevel::ReadCommitted);
  put(*t3, 3, 11);
  t3->rollback();
  EXPECT_TRUE(index_rows(*store_->read_view(), 11).empty());
}

TEST_F(IndexTest, SealedRowsStayIndexedAndTruncateAndReopen) {
  create_index();
  std::mt19937 rnd(7);
  std::map<int64_t, std::optional<int64_t>> model;
  for (int round = 0; round < 12; ++round) {
    auto txn = store_->begin(IsolationLevel::ReadCommitted);
    auto view = txn->statement_view();
    auto w = txn->writer(*view);
    for (int k = 0; k < 60; ++k) {
      int64_t id = rnd() % 400;
      std::optional<int64_t> g;
      if (rnd() % 10) g = static_cast<int64_t>(rnd() % 20);
      std::string key;
      keycodec::append_table_prefix(table_->id, key);
      keycodec::append_int(id, key);
      Datum row[2] = {int_datum(id), g ? int_datum(*g) : null_datum()};
      if (!model.count(id)) {
        w->insert(*table_, row);
        model[id] = g;
      } else if (rnd() % 3 == 0) {
        ASSERT_TRUE(w->remove(*table_, key));
        model.erase(id);
      } else {
        ASSERT_TRUE(w->update(*table_, key, row));
        model[id] = g;
      }
    }
    w->apply();
    w.reset();
    view.reset();
    txn->commit();
    if (round % 3 == 1) store_->seal(table_->id);
    if (round % 5 == 4) reopen();
    auto check = store_->read_view();
    expect_consistent(*check);
    EXPECT_EQ(table_rows(*check).size(), model.size());
  }
  EXPECT_GT(store_->sealed_info(table_->id).blocks, 0u);
  // TRUNCATE: the transaction reads no stored entries, writes new ones, and its commit removes the rest.
  auto txn = store_->begin(IsolationLevel::ReadCommitted);
  txn->truncate(*table_);
  EXPECT_TRUE(all_index_rows(*txn->statement_view()).empty());
  put(*txn, 7, 1);
  EXPECT_EQ(all_index_rows(*txn->statement_view()).size(), 1u);
  txn->commit();
  expect_consistent(*store_->read_view());
  EXPECT_EQ(all_index_rows(*store_->read_view()).size(), 1u);
}

TEST_F(IndexTest, SnapshotOlderThanTheBuildReadsTheTable) {
  {
    AutoCommit stmt(*store_);
    Datum row[2] = {int_datum(1), int_datum(5)};
    stmt.w->insert(*table_, row);
    stmt.commit();
  }
  auto old = store_->begin(IsolationLevel::RepeatableRead);
  auto old_view = old->statement_view();  // snapshot taken before the index exists
  create_index();
  // Its index scan reads the whole table (the caller's filter re-checks the predicate).
  EXPECT_EQ(index_rows(*old_view, 5).size(), 1u);
  EXPECT_EQ(index_rows(*store_->read_view(), 5).size(), 1u);
  EXPECT_TRUE(index_rows(*store_->read_view(), 6).empty());
  // A transaction that wrote the table before the build fails at COMMIT (its rows have no entries).
  put(*old, 2, 5);
  EXPECT_EQ(sqlstate_of([&] { old->commit(); }), "40001");
  expect_consistent(*store_->read_view());
}

TEST_F(IndexTest, DropIndexAndDropTableRemoveEntries) {
  create_index();
  auto writer = store_->begin(IsolationLevel::ReadCommitted);
  put(*writer, 1, 1);
  const uint32_t index_id = index().id;
  // DROP INDEX while a transaction holds entries of it: its commit leaves them out.
  TableDef def = *table_;
  def.indexes.clear();
  Store::AlterWork work;
  work.drop_indexes = {index_id};
  store_->alter_table(std::move(def), work);
  EXPECT_FALSE(store_->catalog().index_exists(index_id));
  writer->commit();
  std::string entry;
  keycodec::append_table_prefix(index_id, entry);
  entry += index_bound(1);
  keycodec::append_int(1, entry);
  EXPECT_EQ(store_->count_versions(entry), 0u);
  table_ = store_->catalog().find("t");
  create_index();
  EXPECT_EQ(index_rows(*store_->read_view(), 1).size(), 1u);
  const uint32_t second = index().id;
  store_->catalog().drop_table("t");
  EXPECT_FALSE(store_->catalog().index_exists(second));
  std::string e2;
  keycodec::append_table_prefix(second, e2);
  e2 += index_bound(1);
  keycodec::append_int(1, e2);
  EXPECT_EQ(store_->count_versions(e2), 0u);
}

TEST_F(IndexTest, CatalogKeepsIndexesAcrossReopenAndNamesAreRelations) {
  create_index();
  const IndexDef saved = index();
  reopen();
  ASSERT_EQ(table_->indexes.size(), 1u);
  EXPECT_EQ(table_->indexes[0].id, saved.id);
  EXPECT_EQ(table_->indexes[0].name, "t_g");
  EXPECT_EQ(table_->indexes[0].attnums, std::vector<int32_t>{2});
  EXPECT_EQ(table_->indexes[0].valid_from_ts, saved.valid_from_ts);
  EXPECT_EQ(store_->catalog().find_index_table("t_g"), table_);
  TableDef other;
  other.name = "t_g";
  other.columns = {col("x", TypeId::Int64)};
  EXPECT_EQ(sqlstate_of([&] { store_->catalog().create_table(other); }), "42P07");
  // Ids are never handed out twice: a new table gets an id above the index's.
  other.name = "u";
  EXPECT_GT(store_->catalog().create_table(other)->id, saved.id);
}

// An expression and partial index (IndexDef::exprs / predicate) with an evaluator standing in for the
// engine's: key g * 2, entries only for rows with g > 0. Built over committed rows, kept by inserts,
// updates moving rows in and out of the predicate and deletes; its definition survives a reopen.
class TimesTwoWherePositive final : public IndexEvaluator {
 public:
  bool evaluate(const TableDef&, const IndexDef&, const Datum* row,
                std::vector<Value>& values) const override {
    if (row[1].is_null || row[1].i64 <= 0) return false;
    values = {Value::int32(static_cast<int32_t>(row[1].i64 * 2))};
    return true;
  }
};

TEST_F(IndexTest, ExpressionAndPartialIndex) {
  store_->set_index_evaluator(std::make_shared<TimesTwoWherePositive>());
  {
    AutoCommit stmt(*store_);
    for (int64_t i = 0; i < 100; ++i) {
      Datum row[2] = {int_datum(i), i % 9 == 0 ? null_datum() : int_datum(i % 7 - 2)};
      stmt.w->insert(*table_, row);
    }
    stmt.commit();
  }
  TableDef def = *store_->catalog().find("t");
  IndexDef ix;
  ix.id = store_->catalog().allocate_id();
  ix.name = "t_g2";
  ix.attnums = {0};
  ix.exprs = {{"(g * 2)", "g * 2", TypeId::Int32}};
  ix.predicate = IndexDef::Expression{"(g > 0)", "g > 0", TypeId::Bool};
  def.indexes.push_back(ix);
  Store::AlterWork work;
  work.build_indexes = {ix.id};
  work.fence = true;
  store_->alter_table(std::move(def), work);
  table_ = store_->catalog().find("t");
  // The entries: the rows with g > 0, in (g * 2, id) order; a lookup of g * 2 = 4 finds the rows with g = 2.
  auto expect_entries = [&] {
    auto view = store_->read_view();
    Rows expected;
    for (const auto& r : table_rows(*view))
      if (r.second && *r.second > 0) expected.push_back(r);
    std::sort(expected.begin(), expected.end(), [](const auto& a, const auto& b) {
      return std::pair(*a.second, a.first) < std::pair(*b.second, b.first);
    });
    EXPECT_EQ(all_index_rows(*view), expected);
    Rows twos;
    for (const auto& r : expected)
      if (*r.second == 2) twos.push_back(r);
    EXPECT_EQ(index_rows(*view, 4), twos);
  };
  expect_entries();
  {
    AutoCommit stmt(*store_);
    for (int64_t i = 0; i < 100; i += 3) {  // in and out of the predicate
      Datum row[2] = {int_datum(i), int_datum(i % 2 ? 5 : -1)};
      stmt.w->update(*table_, stmt.w->make_key(*table_, row), row);
    }
    for (int64_t i = 1; i < 100; i += 10) {
      Datum row[2] = {int_datum(i), null_datum()};
      stmt.w->remove(*table_, stmt.w->make_key(*table_, row));
    }
    Datum row[2] = {int_datum(500), int_datum(2)};
    stmt.w->insert(*table_, row);
    stmt.commit();
  }
  expect_entries();
  store_.reset();
  table_.reset();
  open();
  ASSERT_EQ(table_->indexes.size(), 1u);
  const IndexDef& back = table_->indexes[0];
  EXPECT_EQ(back.attnums, std::vector<int32_t>{0});
  ASSERT_EQ(back.exprs.size(), 1u);
  EXPECT_EQ(back.exprs[0].expr, "(g * 2)");
  EXPECT_EQ(back.exprs[0].pretty, "g * 2");
  EXPECT_EQ(back.exprs[0].type, TypeId::Int32);
  ASSERT_TRUE(back.predicate.has_value());
  EXPECT_EQ(back.predicate->expr, "(g > 0)");
  store_->set_index_evaluator(std::make_shared<TimesTwoWherePositive>());
  expect_entries();
}

}  // namespace
}  // namespace omendb::storage
