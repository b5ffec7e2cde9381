#include "storage/store.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <cmath>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/value.h"
#include "storage/key_codec.h"
#include "storage/row_codec.h"
#include "test_util.h"

namespace omendb::storage {
namespace {

using testing::AutoCommit;
using testing::bool_datum;
using testing::col;
using testing::float_datum;
using testing::int_datum;
using testing::null_datum;
using testing::sqlstate_of;
using testing::TempDir;
using testing::test_options;
using testing::text_datum;

struct ScanResult {
  std::vector<std::vector<Value>> rows;  // only requested columns are filled; others are NULL Values
  std::vector<std::string> keys;
  std::vector<uint64_t> batch_sizes;
};

ScanResult scan_all(const ReadView& view, TableDefPtr table, std::vector<bool> columns = {},
                    uint32_t batch_rows = 1024, bool want_keys = false, std::string lower = "",
                    std::optional<std::string> upper = std::nullopt) {
  ScanSpec spec;
  spec.table = table;
  if (columns.empty()) columns.assign(table->columns.size(), true);
  spec.columns = columns;
  spec.batch_rows = batch_rows;
  spec.want_keys = want_keys;
  spec.lower = std::move(lower);
  if (upper) {
    spec.upper = *upper;
    spec.upper_unbounded = false;
  }
  ScanResult out;
  auto cursor = view.scan(spec);
  while (const ColumnBatch* b = cursor->next()) {
    EXPECT_GT(b->count, 0u);
    EXPECT_LE(b->count, batch_rows);
    out.batch_sizes.push_back(b->count);
    for (uint64_t r = 0; r < b->count; ++r) {
      std::vector<Value> row;
      for (size_t c = 0; c < table->columns.size(); ++c) {
        const ColumnVector& v = b->columns[c];
        TypeId t = table->columns[c].type;
        if (c >= columns.size() || !columns[c]) {
          EXPECT_EQ(v.data, nullptr);
          EXPECT_EQ(v.nulls, nullptr);
          row.push_back(Value::null(t));
          continue;
        }
        if (v.nulls[r]) {
          row.push_back(Value::null(t));
          continue;
        }
        switch (t) {
          case TypeId::Bool:
            row.push_back(Value::boolean(static_cast<uint8_t*>(v.data)[r] != 0));
            break;
          case TypeId::Int32:
            row.push_back(Value::int32(static_cast<int32_t*>(v.data)[r]));
            break;
          case TypeId::Int64:
            row.push_back(Value::int64(static_cast<int64_t*>(v.data)[r]));
            break;
          case TypeId::Float64:
            row.push_back(Value::float64(static_cast<double*>(v.data)[r]));
            break;
          default:
            row.push_back(Value::text(std::string(static_cast<StrRef*>(v.data)[r].view())));
            break;
        }
      }
      out.rows.push_back(std::move(row));
      if (want_keys) {
        EXPECT_NE(b->keys, nullptr);
        out.keys.emplace_back(b->keys[r].view());
      } else {
        EXPECT_EQ(b->keys, nullptr);
      }
    }
  }
  EXPECT_EQ(cursor->next(), nullptr);  // stays at the end
  return out;
}

std::string pk_bound(int64_t v) {
  std::string s;
  keycodec::append_int(v, s);
  return s;
}

std::string row_key(const TableDef& t, int64_t id) {
  std::string s;
  keycodec::append_table_prefix(t.id, s);
  keycodec::append_int(id, s);
  return s;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { open(); }
  void open() {
    StoreOptions options = test_options(dir_);
    options.row_locks = row_locks_;
    store_ = Store::open(options);
    items_ = store_->catalog().find("items");
    if (!items_) {
      TableDef d;
      d.name = "items";
      d.columns = {col("id", TypeId::Int64), col("name", TypeId::Text, false, 5),
                   col("qty", TypeId::Int32, true), col("price", TypeId::Float64), col("ok", TypeId::Bool)};
      d.primary_key = {0};
      items_ = store_->catalog().create_table(d);
    }
  }
  void reopen() {
    items_.reset();
    store_.reset();
    open();
  }
  bool row_locks_ = true;

  // Inserts rows id -> name "n<id % 100>" qty id*2, price id/2.0 (NULL when id%5==0), ok id%2==0.
  void insert_range(int64_t from, int64_t to) {
    testing::AutoCommit stmt(*store_);
    auto& w = stmt.w;
    for (int64_t i = from; i < to; ++i) {
      std::string name = "n" + std::to_string(i % 100);
      Datum row[5] = {int_datum(i), text_datum(name), int_datum(i * 2),
                      i % 5 == 0 ? null_datum() : float_datum(i / 2.0), bool_datum(i % 2 == 0)};
      w->insert(*items_, row);
    }
    stmt.commit();
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  TableDefPtr items_;
};

TEST_F(StoreTest, InsertCommitVisibility) {
  auto before = store_->read_view();
  AutoCommit stmt(*store_);
  auto& w = stmt.w;
  std::string name = "abc";
  Datum row[5] = {int_datum(5), text_datum(name), int_datum(10), float_datum(2.5), bool_datum(true)};
  w->insert(*items_, row);
  // Not visible before commit, not even to a new view.
  EXPECT_TRUE(scan_all(*store_->read_view(), items_).rows.empty());
  EXPECT_FALSE(store_->read_view()->exists(row_key(*items_, 5)));
  w->apply();  // in the transaction's write set, still not committed
  EXPECT_TRUE(scan_all(*store_->read_view(), items_).rows.empty());
  EXPECT_FALSE(store_->read_view()->exists(row_key(*items_, 5)));
  stmt.txn->commit();
  auto after = store_->read_view();
  EXPECT_TRUE(after->exists(row_key(*items_, 5)));
  EXPECT_FALSE(after->exists(row_key(*items_, 6)));
  auto res = scan_all(*after, items_);
  ASSERT_EQ(res.rows.size(), 1u);
  EXPECT_EQ(res.rows[0][0], Value::int64(5));
  EXPECT_EQ(res.rows[0][1], Value::text("abc"));
  EXPECT_EQ(res.rows[0][2], Value::int32(10));
  EXPECT_EQ(res.rows[0][3], Value::float64(2.5));
  EXPECT_EQ(res.rows[0][4], Value::boolean(true));
  // The older view is a snapshot: still empty.
  EXPECT_TRUE(scan_all(*before, items_).rows.empty());
  EXPECT_FALSE(before->exists(row_key(*items_, 5)));
}

TEST_F(StoreTest, DuplicateKey) {
  insert_range(5, 6);
  testing::AutoCommit stmt(*store_);
  auto& w = stmt.w;
  std::string name = "x";
  Datum row[5] = {int_datum(5), text_datum(name), int_datum(1), null_datum(), null_datum()};
  SqlError err(SqlState::InternalError, "");
  EXPECT_EQ(sqlstate_of([&] { w->insert(*items_, row); }, &err), "23505");
  EXPECT_EQ(err.message(), "duplicate key value violates unique constraint \"items_pkey\"");
  EXPECT_EQ(err.detail(), "Key (id)=(5) already exists.");
  // Duplicate within the statement's own writes.
  row[0] = int_datum(7);
  w->insert(*items_, row);
  EXPECT_EQ(sqlstate_of([&] { w->insert(*items_, row); }, &err), "23505");
  EXPECT_EQ(err.detail(), "Key (id)=(7) already exists.");
  stmt.commit();
  EXPECT_EQ(scan_all(*store_->read_view(), items_).rows.size(), 2u);
}

TEST_F(StoreTest, NotNullAndPrimaryKeyNull) {
  testing::AutoCommit stmt(*store_);
  auto& w = stmt.w;
  std::string name = "x";
  Datum row[5] = {int_datum(1), text_datum(name), null_datum(), null_datum(), null_datum()};
  SqlError err(SqlState::InternalError, "");
  EXPECT_EQ(sqlstate_of([&] { w->insert(*items_, row); }, &err), "23502");
  EXPECT_EQ(err.message(), "null value in column \"qty\" of relation \"items\" violates not-null constraint");
  EXPECT_EQ(err.detail(), "Failing row contains (1, x, null, null, null).");
  row[0] = null_datum();
  row[2] = int_datum(3);
  EXPECT_EQ(sqlstate_of([&] { w->insert(*items_, row); }, &err), "23502");
  EXPECT_EQ(err.message(), "null value in column \"id\" of relation \"items\" violates not-null constraint");
  stmt.commit();
  EXPECT_TRUE(scan_all(*store_->read_view(), items_).rows.empty());
}

TEST_F(StoreTest, VarcharLength) {
  testing::AutoCommit stmt(*store_);
  auto& w = stmt.w;
  std::string too_long = "abcdef";
  std::string five_chars = "h\xc3\xa9llo";  // 5 characters, 6 bytes: fits varchar(5)
  Datum row[5] = {int_datum(1), text_datum(too_long), int_datum(1), null_datum(), null_datum()};
  SqlError err(SqlState::InternalError, "");
  EXPECT_EQ(sqlstate_of([&] { w->insert(*items_, row); }, &err), "22001");
  EXPECT_EQ(err.message(), "value too long for type character varying(5)");
  row[1] = text_datum(five_chars);
  w->insert(*items_, row);
  stmt.commit();
  auto res = scan_all(*store_->read_view(), items_);
  ASSERT_EQ(res.rows.size(), 1u);
  EXPECT_EQ(res.rows[0][1], Value::text(five_chars));
}

TEST_F(StoreTest, UpdateSameKeyAndPrimaryKeyChange) {
  insert_range(1, 4);  // ids 1, 2, 3
  {
    testing::AutoCommit stmt(*store_);
    auto& w = stmt.w;
    std::string name = "upd";
    Datum row[5] = {int_datum(2), text_datum(name), int_datum(100), null_datum(), bool_datum(false)};
    w->update(*items_, row_key(*items_, 2), row);
    // PK change 3 -> 10.
    Datum moved[5] = {int_datum(10), text_datum(name), int_datum(300), float_datum(-1), null_datum()};
    w->update(*items_, row_key(*items_, 3), moved);
    // PK change onto an existing key: 23505.
    Datum clash[5] = {int_datum(1), text_datum(name), int_datum(1), null_datum(), null_datum()};
    SqlError err(SqlState::InternalError, "");
    EXPECT_EQ(sqlstate_of([&] { w->update(*items_, row_key(*items_, 10), clash); }, &err), "23505");
    EXPECT_EQ(err.detail(), "Key (id)=(1) already exists.");
    // Same-statement update: the old key 3 is free again, so moving 10 back onto 3 works.
    Datum back[5] = {int_datum(3), text_datum(name), int_datum(33), null_datum(), null_datum()};
    EXPECT_EQ(sqlstate_of([&] { w->update(*items_, row_key(*items_, 10), back); }), "");
    // Validation applies to updates too.
    Datum bad[5] = {int_datum(2), text_datum(name), null_datum(), null_datum(), null_datum()};
    EXPECT_EQ(sqlstate_of([&] { w->update(*items_, row_key(*items_, 2), bad); }), "23502");
    stmt.commit();
  }
  auto res = scan_all(*store_->read_view(), items_);
  ASSERT_EQ(res.rows.size(), 3u);
  EXPECT_EQ(res.rows[0][0], Value::int64(1));
  EXPECT_EQ(res.rows[0][1], Value::text("n1"));
  EXPECT_EQ(res.rows[1][0], Value::int64(2));
  EXPECT_EQ(res.rows[1][1], Value::text("upd"));
  EXPECT_EQ(res.rows[1][2], Value::int32(100));
  EXPECT_TRUE(res.rows[1][3].is_null());
  EXPECT_EQ(res.rows[1][4], Value::boolean(false));
  EXPECT_EQ(res.rows[2][0], Value::int64(3));
  EXPECT_EQ(res.rows[2][2], Value::int32(33));
  EXPECT_FALSE(store_->read_view()->exists(row_key(*items_, 10)));

  // With MVCC ids 2 and 3 got a second version. Key 10 holds at most a tombstone: the failed clash update
  // had already dropped this statement's insert of 10 when it raised 23505 (harmless: a failed
  // statement's writer is discarded), so the next update moved a row "from 10" that is not stored.
  EXPECT_LE(store_->count_versions(row_key(*items_, 10)), 1u);
  EXPECT_EQ(store_->count_versions(row_key(*items_, 1)), 1u);
  EXPECT_EQ(store_->count_versions(row_key(*items_, 2)), 2u);
  EXPECT_EQ(store_->count_versions(row_key(*items_, 3)), 2u);
  // Once no snapshot needs the old versions, compaction leaves one version per key: the raw count of
  // stored live rows equals the row count.
  store_->compact();
  for (int64_t id : {1, 2, 3}) EXPECT_EQ(store_->count_versions(row_key(*items_, id)), 1u) << id;
  int raw = 0;
  std::string prefix;
  keycodec::append_table_prefix(items_->id, prefix);
  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;
  std::unique_ptr<rocksdb::Iterator> it(store_->db()->NewIterator(ro));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    raw += rowcodec::value_kind(std::string_view(it->value().data(), it->value().size())) ==
           rowcodec::ValueKind::Row;
  }
  EXPECT_EQ(raw, 3);
}

TEST_F(StoreTest, UpdateThenReinsertAndDeleteInOneStatement) {
  insert_range(1, 3);  // 1, 2
  testing::AutoCommit stmt(*store_);
  auto& w = stmt.w;
  w->remove(*items_, row_key(*items_, 1));
  std::string name = "again";
  Datum row[5] = {int_datum(1), text_datum(name), int_datum(7), null_datum(), null_datum()};
  w->insert(*items_, row);  // re-insert after delete in the same statement is fine
  Datum row9[5] = {int_datum(9), text_datum(name), int_datum(9), null_datum(), null_datum()};
  w->insert(*items_, row9);
  w->remove(*items_, row_key(*items_, 9));  // insert then delete: nothing written
  stmt.commit();
  auto res = scan_all(*store_->read_view(), items_);
  ASSERT_EQ(res.rows.size(), 2u);
  EXPECT_EQ(res.rows[0][1], Value::text("again"));
  EXPECT_EQ(res.rows[1][0], Value::int64(2));
}

TEST_F(StoreTest, DeleteAndUncommittedWriterDiscards) {
  insert_range(0, 10);
  {
    testing::AutoCommit stmt(*store_);
    auto& w = stmt.w;
    w->remove(*items_, row_key(*items_, 3));
    w->remove(*items_, row_key(*items_, 4));
    // not committed: dropped
  }
  EXPECT_EQ(scan_all(*store_->read_view(), items_).rows.size(), 10u);
  testing::AutoCommit stmt(*store_);
  auto& w = stmt.w;
  w->remove(*items_, row_key(*items_, 3));
  w->remove(*items_, row_key(*items_, 4));
  EXPECT_EQ(scan_all(*store_->read_view(), items_).rows.size(), 10u);
  stmt.commit();
  auto after = store_->read_view();
  auto res = scan_all(*after, items_);
  EXPECT_EQ(res.rows.size(), 8u);
  EXPECT_FALSE(after->exists(row_key(*items_, 3)));
  EXPECT_TRUE(after->exists(row_key(*items_, 5)));
  // Deleted key can be inserted again.
  insert_range(3, 4);
  EXPECT_TRUE(store_->read_view()->exists(row_key(*items_, 3)));
}

TEST_F(StoreTest, ScanBatchesColumnsKeysAndNulls) {
  const int n = 2500;
  insert_range(0, n);
  auto view = store_->read_view();
  auto res = scan_all(*view, items_, {false, true, false, true}, 1000, true);
  ASSERT_EQ(res.rows.size(), static_cast<size_t>(n));
  EXPECT_EQ(res.batch_sizes, (std::vector<uint64_t>{1000, 1000, 500}));
  for (int i = 0; i < n; ++i) {
    const auto& r = res.rows[i];
    EXPECT_TRUE(r[0].is_null());  // not requested
    EXPECT_EQ(r[1], Value::text("n" + std::to_string(i % 100)));
    EXPECT_TRUE(r[2].is_null());
    if (i % 5 == 0) {
      EXPECT_TRUE(r[3].is_null()) << i;
    } else {
      EXPECT_EQ(r[3], Value::float64(i / 2.0));
    }
    EXPECT_EQ(res.keys[i], row_key(*items_, i));
  }
  // Keys are usable by update/remove.
  AutoCommit stmt(*store_);
  stmt.w->remove(*items_, res.keys[7]);
  stmt.commit();
  EXPECT_FALSE(store_->read_view()->exists(row_key(*items_, 7)));
}

TEST_F(StoreTest, ScanRanges) {
  insert_range(-20, 20);
  auto view = store_->read_view();
  std::vector<bool> id_only = {true};
  auto ids = [&](const ScanResult& r) {
    std::vector<int64_t> out;
    for (const auto& row : r.rows) out.push_back(row[0].as_int());
    return out;
  };
  // [-3, 2)
  auto r = scan_all(*view, items_, id_only, 4, false, pk_bound(-3), pk_bound(2));
  EXPECT_EQ(ids(r), (std::vector<int64_t>{-3, -2, -1, 0, 1}));
  // lower only
  r = scan_all(*view, items_, id_only, 1024, false, pk_bound(17));
  EXPECT_EQ(ids(r), (std::vector<int64_t>{17, 18, 19}));
  // upper only (exclusive): id < -18
  r = scan_all(*view, items_, id_only, 1024, false, "", pk_bound(-18));
  EXPECT_EQ(ids(r), (std::vector<int64_t>{-20, -19}));
  // Inclusive upper via prefix_successor: id <= -18
  r = scan_all(*view, items_, id_only, 1024, false, "", keycodec::prefix_successor(pk_bound(-18)));
  EXPECT_EQ(ids(r), (std::vector<int64_t>{-20, -19, -18}));
  // Exclusive lower via prefix_successor: id > 18
  r = scan_all(*view, items_, id_only, 1024, false, keycodec::prefix_successor(pk_bound(18)));
  EXPECT_EQ(ids(r), (std::vector<int64_t>{19}));
  // Empty ranges.
  EXPECT_TRUE(scan_all(*view, items_, id_only, 1024, false, pk_bound(5), pk_bound(5)).rows.empty());
  EXPECT_TRUE(scan_all(*view, items_, id_only, 1024, false, pk_bound(100)).rows.empty());
  // Full scan in key order.
  r = scan_all(*view, items_, id_only);
  ASSERT_EQ(r.rows.size(), 40u);
  EXPECT_EQ(ids(r).front(), -20);
  EXPECT_EQ(ids(r).back(), 19);
}

TEST_F(StoreTest, TextPrimaryKeyAndCompositeKey) {
  TableDef d;
  d.name = "pairs";
  d.columns = {col("a", TypeId::Text), col("b", TypeId::Int32), col("v", TypeId::Text)};
  d.primary_key = {0, 1};
  TableDefPtr t = store_->catalog().create_table(d);
  std::vector<std::pair<std::string, int>> keys = {
      {"b", 1}, {"a", 2}, {"a", -1}, {std::string("a\0", 2), 0}, {"", 5}, {"ab", -100}};
  {
    testing::AutoCommit stmt(*store_);
    auto& w = stmt.w;
    for (auto& [a, b] : keys) {
      std::string v = a + "|" + std::to_string(b);
      Datum row[3] = {text_datum(a), int_datum(b), text_datum(v)};
      w->insert(*t, row);
    }
    std::string a = "a";
    Datum dup[3] = {text_datum(a), int_datum(2), null_datum()};
    SqlError err(SqlState::InternalError, "");
    EXPECT_EQ(sqlstate_of([&] { w->insert(*t, dup); }, &err), "23505");
    EXPECT_EQ(err.message(), "duplicate key value violates unique constraint \"pairs_pkey\"");
    EXPECT_EQ(err.detail(), "Key (a, b)=(a, 2) already exists.");
    stmt.commit();
  }
  auto res = scan_all(*store_->read_view(), t);
  std::vector<std::pair<std::string, int>> got;
  for (auto& r : res.rows) got.emplace_back(r[0].as_text(), static_cast<int>(r[1].as_int()));
  std::vector<std::pair<std::string, int>> want = {
      {"", 5}, {"a", -1}, {"a", 2}, {std::string("a\0", 2), 0}, {"ab", -100}, {"b", 1}};
  EXPECT_EQ(got, want);
  EXPECT_EQ(res.rows[2][2], Value::text("a|2"));
}

TEST_F(StoreTest, PersistenceAcrossReopen) {
  insert_range(0, 100);
  {
    testing::AutoCommit stmt(*store_);
    auto& w = stmt.w;
    w->remove(*items_, row_key(*items_, 50));
    stmt.commit();
  }
  reopen();
  auto view = store_->read_view();
  auto res = scan_all(*view, items_);
  ASSERT_EQ(res.rows.size(), 99u);
  EXPECT_EQ(res.rows[10][1], Value::text("n10"));
  EXPECT_EQ(res.rows[10][2], Value::int32(20));
  EXPECT_FALSE(view->exists(row_key(*items_, 50)));
  // Commit timestamps keep increasing across the restart.
  uint64_t ts = store_->visible_ts();
  EXPECT_GE(ts, 2u);  // two commits before the restart
  insert_range(1000, 1001);
  EXPECT_GT(store_->visible_ts(), ts);
  {
    AutoCommit stmt(*store_);
    stmt.w->remove(*items_, row_key(*items_, 1000));
    stmt.commit();
  }
  // After a flush to SST files, point lookups (prefix bloom filters) and scans still agree.
  ASSERT_TRUE(store_->db()->Flush(rocksdb::FlushOptions()).ok());
  auto v2 = store_->read_view();
  for (int i = 0; i < 100; ++i) EXPECT_EQ(v2->exists(row_key(*items_, i)), i != 50) << i;
  EXPECT_FALSE(v2->exists(row_key(*items_, 1000)));
  EXPECT_EQ(scan_all(*v2, items_).rows.size(), 99u);
}

TEST_F(StoreTest, CommitTimestampsSurviveRestartAndVersionsUseThem) {
  insert_range(0, 1);
  uint64_t before = store_->visible_ts();
  insert_range(1, 2);
  reopen();
  uint64_t after = store_->visible_ts();
  EXPECT_GT(after, before);  // the insert after `before` got a higher ts that was persisted
  // The stored version suffix of a row is a real commit timestamp.
  std::string prefix = row_key(*items_, 1);
  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;
  std::unique_ptr<rocksdb::Iterator> it(store_->db()->NewIterator(ro));
  it->Seek(prefix);
  ASSERT_TRUE(it->Valid());
  std::string_view k(it->key().data(), it->key().size());
  ASSERT_EQ(k.size(), prefix.size() + keycodec::kVersionSize);
  EXPECT_GT(keycodec::decode_version(k), before);
  EXPECT_LE(keycodec::decode_version(k), after);
  // A commit after the restart is versioned above everything before it.
  insert_range(2, 3);
  it.reset(store_->db()->NewIterator(ro));
  it->Seek(row_key(*items_, 2));
  ASSERT_TRUE(it->Valid());
  EXPECT_GT(keycodec::decode_version(std::string_view(it->key().data(), it->key().size())), after);
}

TEST_F(StoreTest, HiddenRowIdIncreasingAcrossReopen) {
  TableDef d;
  d.name = "log";
  d.columns = {col("msg", TypeId::Text)};
  TableDefPtr t = store_->catalog().create_table(d);
  auto insert_msgs = [&](int from, int to) {
    testing::AutoCommit stmt(*store_);
    auto& w = stmt.w;
    for (int i = from; i < to; ++i) {
      std::string m = "m" + std::to_string(i);
      Datum row[1] = {text_datum(m)};
      w->insert(*t, row);
    }
    // Identical rows are fine without a primary key.
    std::string same = "same";
    Datum row[1] = {text_datum(same)};
    w->insert(*t, row);
    w->insert(*t, row);
    stmt.commit();
  };
  insert_msgs(0, 5);
  auto first = scan_all(*store_->read_view(), t, {true}, 1024, true);
  ASSERT_EQ(first.rows.size(), 7u);
  items_.reset();
  t.reset();
  store_.reset();
  open();
  t = store_->catalog().find("log");
  ASSERT_NE(t, nullptr);
  insert_msgs(5, 8);
  auto all = scan_all(*store_->read_view(), t, {true}, 2, true);
  ASSERT_EQ(all.rows.size(), 12u);
  // Keys strictly increase in insertion order, including across the restart.
  std::vector<int64_t> ids;
  for (const std::string& k : all.keys) {
    size_t pos = keycodec::kTablePrefixSize;
    int64_t id;
    ASSERT_TRUE(keycodec::decode_int(k, pos, id));
    EXPECT_EQ(pos, k.size());
    ids.push_back(id);
  }
  for (size_t i = 1; i < ids.size(); ++i) EXPECT_GT(ids[i], ids[i - 1]);
  EXPECT_GE(ids.front(), 1);
  EXPECT_EQ(all.rows[0][0], Value::text("m0"));
  EXPECT_EQ(all.rows[7][0], Value::text("m5"));
  // Update and delete by key on a hidden-rowid table.
  testing::AutoCommit stmt(*store_);
  auto& w = stmt.w;
  std::string changed = "changed";
  Datum row[1] = {text_datum(changed)};
  w->update(*t, all.keys[0], row);
  w->remove(*t, all.keys[1]);
  stmt.commit();
  auto after = scan_all(*store_->read_view(), t, {true}, 1024, true);
  ASSERT_EQ(after.rows.size(), 11u);
  EXPECT_EQ(after.rows[0][0], Value::text("changed"));
  EXPECT_EQ(after.keys[0], all.keys[0]);
  EXPECT_EQ(after.rows[1][0], Value::text("m2"));
}

TEST_F(StoreTest, SnapshotIsolationOfReadView) {
  insert_range(0, 10);
  auto old_view = store_->read_view();
  auto cursor_spec = [&] {
    ScanSpec s;
    s.table = items_;
    s.columns = {true, false, true};
    s.batch_rows = 3;
    return s;
  };
  // A cursor opened on the old view before the commit and read after it sees the old state.
  auto cursor = old_view->scan(cursor_spec());
  const ColumnBatch* b = cursor->next();
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->count, 3u);
  {
    testing::AutoCommit stmt(*store_);
    auto& w = stmt.w;
    w->remove(*items_, row_key(*items_, 5));
    std::string name = "new";
    Datum row[5] = {int_datum(4), text_datum(name), int_datum(-4), null_datum(), null_datum()};
    w->update(*items_, row_key(*items_, 4), row);
    Datum row2[5] = {int_datum(42), text_datum(name), int_datum(42), null_datum(), null_datum()};
    w->insert(*items_, row2);
    stmt.commit();
  }
  uint64_t total = b->count;
  std::vector<int32_t> qty;
  while ((b = cursor->next())) {
    for (uint64_t r = 0; r < b->count; ++r) qty.push_back(static_cast<int32_t*>(b->columns[2].data)[r]);
    total += b->count;
  }
  EXPECT_EQ(total, 10u);
  ASSERT_GE(qty.size(), 2u);
  EXPECT_EQ(qty[1], 8);  // id 4's old qty
  EXPECT_TRUE(old_view->exists(row_key(*items_, 5)));
  EXPECT_FALSE(old_view->exists(row_key(*items_, 42)));
  EXPECT_EQ(scan_all(*old_view, items_).rows.size(), 10u);
  auto now = scan_all(*store_->read_view(), items_);
  EXPECT_EQ(now.rows.size(), 10u);  // -5, +42
  EXPECT_EQ(now.rows[4][2], Value::int32(-4));
}

// With MVCC, a concurrent insert of the same key is a write-write conflict: first committer wins and
// the second commit fails with 40001 (it used to be 23505 when commit re-checked existence).
TEST_F(StoreTest, ConcurrentInsertOfSameKeyFailsAtCommit) {
  // The commit-time check on its own (with row locks the second insert waits in one thread: see
  // row_lock_test.cpp).
  row_locks_ = false;
  reopen();
  AutoCommit s1(*store_);
  AutoCommit s2(*store_);
  auto& w1 = s1.w;
  auto& w2 = s2.w;
  std::string a = "a", b = "b";
  Datum r1[5] = {int_datum(1), text_datum(a), int_datum(1), null_datum(), null_datum()};
  Datum r2[5] = {int_datum(1), text_datum(b), int_datum(2), null_datum(), null_datum()};
  w1->insert(*items_, r1);
  w2->insert(*items_, r2);
  s1.commit();
  SqlError err(SqlState::InternalError, "");
  EXPECT_EQ(sqlstate_of([&] { s2.commit(); }, &err), "40001");
  // A new statement in a new transaction now sees the row and reports the duplicate key.
  AutoCommit s3(*store_);
  EXPECT_EQ(sqlstate_of([&] { s3.w->insert(*items_, r2); }, &err), "23505");
  EXPECT_EQ(err.detail(), "Key (id)=(1) already exists.");
  auto res = scan_all(*store_->read_view(), items_);
  ASSERT_EQ(res.rows.size(), 1u);
  EXPECT_EQ(res.rows[0][1], Value::text("a"));
}

TEST_F(StoreTest, WriteToDroppedTableFailsAtCommit) {
  testing::AutoCommit stmt(*store_);
  auto& w = stmt.w;
  std::string a = "a";
  Datum r1[5] = {int_datum(1), text_datum(a), int_datum(1), null_datum(), null_datum()};
  w->insert(*items_, r1);
  store_->catalog().drop_table("items");
  EXPECT_EQ(sqlstate_of([&] { stmt.commit(); }), "42P01");
}

TEST_F(StoreTest, ApproximateRowCount) {
  EXPECT_LT(store_->approximate_row_count(items_->id), 10u);
  insert_range(0, 20000);
  uint64_t mem_estimate = store_->approximate_row_count(items_->id);
  EXPECT_GT(mem_estimate, 5000u);
  EXPECT_LT(mem_estimate, 80000u);
  ASSERT_TRUE(store_->db()->Flush(rocksdb::FlushOptions()).ok());
  uint64_t file_estimate = store_->approximate_row_count(items_->id);
  EXPECT_GT(file_estimate, 5000u);
  EXPECT_LT(file_estimate, 80000u);
}

TEST(StoreOpen, SecondOpenOfLockedDirectoryFails) {
  TempDir dir;
  auto store = Store::open(test_options(dir));
  SqlError err(SqlState::InternalError, "");
  EXPECT_EQ(sqlstate_of([&] { Store::open(test_options(dir)); }, &err), "58030");
  EXPECT_NE(err.message().find(dir.path()), std::string::npos) << err.message();
  EXPECT_NE(err.message().find("lock"), std::string::npos) << err.message();
}

TEST(StoreOpen, MissingDirectoryWithoutCreateFails) {
  TempDir dir;
  StoreOptions o = test_options(dir);
  o.create_if_missing = false;
  EXPECT_EQ(sqlstate_of([&] { Store::open(o); }), "58030");
}

}  // namespace
}  // namespace omendb::storage
