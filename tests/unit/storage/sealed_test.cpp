// Sealed column blocks under the scan path (docs/columnar.md, "Sealed data in the store"): Store::seal,
// the merge of blocks with row-store versions, tombstones and a transaction's own writes, snapshots taken
// before a seal, uniqueness and write conflicts against sealed rows, zone-map skipping, reopen, drop.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/error.h"
#include "common/numeric.h"
#include "common/sync_point.h"
#include "storage/internal.h"
#include "storage/key_codec.h"
#include "storage/row_codec.h"
#include "storage/sealed.h"
#include "storage/store.h"
#include "test_util.h"

namespace omendb::storage {
namespace {

using testing::col;
using testing::int_datum;
using testing::null_datum;
using testing::sqlstate_of;
using testing::TempDir;
using testing::test_options;
using testing::text_datum;

constexpr auto RR = IsolationLevel::RepeatableRead;
constexpr auto RC = IsolationLevel::ReadCommitted;

struct Row {
  int64_t v = 0;
  std::optional<std::string> s;
  bool operator==(const Row& o) const { return v == o.v && s == o.s; }
};
using Model = std::map<int64_t, Row>;
void PrintTo(const Row& r, std::ostream* os) {
  *os << "{" << r.v << ", " << (r.s ? *r.s : "NULL") << "}";
}

std::string pk(int64_t id) {
  std::string s;
  keycodec::append_int(id, s);
  return s;
}

// A point lookup into a loaded block decodes the chunks its binary search visits, not the block: 16
// devices x 1024 readings keyed by (device, ts), ts with jitter (delta-of-delta), one double column.
TEST(LoadedBlockTest, LookupsDecodeOnlyTheChunksTheyVisit) {
  constexpr uint64_t kRows = 16 * 1024 + 300;  // a last, partial chunk
  auto table = std::make_shared<TableDef>();
  table->id = 77;
  table->name = "lb";
  table->columns = {col("device", TypeId::Int32), col("ts", TypeId::Int64), col("v", TypeId::Float64)};
  table->primary_key = {0, 1};
  std::vector<int32_t> device(kRows);
  std::vector<int64_t> ts(kRows);
  std::vector<double> v(kRows);
  std::mt19937_64 rng(5);
  for (uint64_t i = 0; i < kRows; ++i) {
    device[i] = static_cast<int32_t>(i / 1100);
    ts[i] = 1700000000000000 + static_cast<int64_t>(i % 1100) * 60000000 + static_cast<int64_t>(rng() % 1000);
    v[i] = static_cast<double>(rng() % 10000) / 100.0;
  }
  auto key_of = [&](int32_t d, int64_t t) {
    std::string k;
    keycodec::append_table_prefix(table->id, k);
    Datum dd{}, dt{};
    dd.i64 = d;
    dt.i64 = t;
    keycodec::append_datum(TypeId::Int32, dd, k);
    keycodec::append_datum(TypeId::Int64, dt, k);
    return k;
  };
  std::string block, value;
  ASSERT_TRUE(columnar::write_block({{TypeId::Int32, device.data(), nullptr, std::nullopt},
                                     {TypeId::Int64, ts.data(), nullptr, columnar::CodecId::DeltaDelta},
                                     {TypeId::Float64, v.data(), nullptr, std::nullopt}},
                                    kRows, block)
                  .is_ok());
  const std::string first = key_of(device[0], ts[0]), last = key_of(device[kRows - 1], ts[kRows - 1]);
  sealed::encode_value(1, last, block, value);
  const uint64_t chunks = columnar::decode_chunk_count(kRows);
  for (int probe = 0; probe < 200; ++probe) {
    const uint64_t i = probe < 3 ? std::array<uint64_t, 3>{0, kRows - 1, 1024}[probe] : rng() % kRows;
    sealed::LoadedBlock b;
    b.load(table, first, value);
    const std::string k = key_of(device[i], ts[i]);
    ASSERT_EQ(b.lower_bound(0, b.rows(), k), i);
    ASSERT_EQ(b.compare_key(i, k), 0);
    // A key between two rows lands on the next one.
    EXPECT_EQ(b.lower_bound(0, b.rows(), key_of(device[i], ts[i] - 1)), i);
    EXPECT_EQ(b.lower_bound(0, b.rows(), key_of(device[i], ts[i] + 1)), i + 1);
    // device: the chunks the binary search visits; ts: only where the device matched
    EXPECT_LE(b.chunks_decoded(0), 8u) << "row " << i;
    EXPECT_LE(b.chunks_decoded(1), 3u) << "row " << i;
    EXPECT_EQ(b.chunks_decoded(2), 0u);
    b.decode_rows(2, i, i + 1);
    EXPECT_EQ(b.chunks_decoded(2), 1u);
    double got;
    std::memcpy(&got, b.slice(2, i).data, 8);
    EXPECT_EQ(got, v[i]) << "row " << i;
    EXPECT_EQ(b.slice(2, i).nulls[0], 0);
    // The rest of the block, decoded afterwards, matches.
    b.decode(1);
    EXPECT_EQ(b.chunks_decoded(1), chunks);
    if (probe % 50 == 0) {
      for (uint64_t r = 0; r < kRows; ++r) {
        int64_t t;
        std::memcpy(&t, static_cast<const uint8_t*>(b.slice(1, r).data), 8);
        ASSERT_EQ(t, ts[r]) << "row " << r;
      }
    }
  }
}

// Table m(id bigint primary key, v bigint, s text).
class SealedTest : public ::testing::Test {
 protected:
  void SetUp() override { open(); }
  void open() {
    StoreOptions o = test_options(dir_);
    o.seal_block_rows = block_rows_;  // 65,536: the block counts of SealedTest assume it
    o.clock = clock_;
    store_ = Store::open(o);
    m_ = store_->catalog().find("m");
    if (!m_) {
      TableDef d;
      d.name = "m";
      d.columns = {col("id", TypeId::Int64), col("v", TypeId::Int64), col("s", TypeId::Text)};
      d.primary_key = {0};
      m_ = store_->catalog().create_table(d);
    }
  }
  void reopen() {
    m_.reset();
    store_.reset();
    open();
  }

  std::string key(int64_t id) const {
    std::string k;
    keycodec::append_table_prefix(m_->id, k);
    keycodec::append_int(id, k);
    return k;
  }

  static std::optional<std::string> text_of(int64_t id) {
    if (id % 7 == 3) return std::nullopt;
    return "s" + std::to_string(id % 13);
  }

  void put(StatementWriter& w, int64_t id, const Row& r, bool update) {
    Datum row[3] = {int_datum(id), int_datum(r.v), r.s ? text_datum(*r.s) : null_datum()};
    if (update) {
      w.update(*m_, key(id), row);
    } else {
      w.insert(*m_, row);
    }
  }

  // Inserts ids [from, to) step `step` in transactions of 10,000 rows.
  void load(Model& model, int64_t from, int64_t to, int64_t step = 1) {
    for (int64_t base = from; base < to; base += 10000 * step) {
      testing::AutoCommit stmt(*store_);
      for (int64_t id = base; id < to && id < base + 10000 * step; id += step) {
        Row r{id * 10, text_of(id)};
        put(*stmt.w, id, r, false);
        model[id] = r;
      }
      stmt.commit();
    }
  }

  Model scan(const ReadView& view, ScanSpec spec = {}, ScanStats* stats = nullptr) {
    spec.table = m_;
    spec.columns = {true, true, true};
    if (spec.batch_rows == 1024) spec.batch_rows = 333;  // batches end inside blocks and runs
    auto cursor = view.scan(spec);
    Model out;
    int64_t prev = INT64_MIN;
    while (const ColumnBatch* b = cursor->next()) {
      EXPECT_GT(b->count, 0u);
      for (uint64_t r = 0; r < b->count; ++r) {
        EXPECT_FALSE(b->columns[0].nulls[r]);
        int64_t id = static_cast<const int64_t*>(b->columns[0].data)[r];
        EXPECT_GT(id, prev) << "rows out of key order";
        prev = id;
        Row row;
        row.v = static_cast<const int64_t*>(b->columns[1].data)[r];
        if (!b->columns[2].nulls[r])
          row.s = std::string(static_cast<const StrRef*>(b->columns[2].data)[r].view());
        if (spec.want_keys) {
          EXPECT_EQ(b->keys[r].view(), key(id));
        }
        out[id] = row;
      }
    }
    if (stats) *stats = cursor->stats();
    return out;
  }
  Model scan_now(ScanSpec spec = {}, ScanStats* stats = nullptr) {
    auto view = store_->read_view();
    return scan(*view, std::move(spec), stats);
  }

  TempDir dir_;
  uint64_t block_rows_ = 65536;
  std::function<std::chrono::steady_clock::time_point()> clock_;  // StoreOptions::clock
  std::unique_ptr<Store> store_;
  std::atomic<std::thread::id> sealer_id_{};
  TableDefPtr m_;
};

TEST_F(SealedTest, SealKeepsEveryRowAndSpansSeveralBlocks) {
  Model model;
  load(model, 0, 150000);
  EXPECT_EQ(scan_now(), model);
  Store::SealResult r = store_->seal(m_->id);
  store_->compact_table(m_->id);
  EXPECT_EQ(r.rows, 150000u);
  EXPECT_EQ(r.blocks, 3u);  // 65,536 rows per block
  EXPECT_EQ(r.versions_kept, 0u);
  EXPECT_EQ(store_->sealed_info(m_->id).rows, 150000u);
  ScanStats stats;
  EXPECT_EQ(scan_now({}, &stats), model);
  EXPECT_EQ(stats.sealed_rows, 150000u);
  EXPECT_EQ(stats.row_store_rows, 0u);
  EXPECT_EQ(stats.blocks_read, 3u);
  // Nothing is left in the row store: every row comes from the blocks.
  EXPECT_EQ(store_->count_versions(key(5)), 0u);
  // A second seal with nothing new rewrites the same rows.
  r = store_->seal(m_->id);
  EXPECT_EQ(r.rows, 150000u);
  EXPECT_EQ(scan_now(), model);
}

// Fresh rows between, before and after sealed ones, newer versions and tombstones of sealed rows: the
// merged scan equals the model, for the whole table and for random key ranges, with and without keys.
TEST_F(SealedTest, MergeWithFreshRowsNewerVersionsAndTombstones) {
  Model model;
  load(model, 0, 140000, 2);  // even ids
  store_->seal(m_->id);
  std::mt19937_64 rng(7);
  for (int round = 0; round < 3; ++round) {
    testing::AutoCommit stmt(*store_);
    for (int i = 0; i < 3000; ++i) {
      int64_t id = static_cast<int64_t>(rng() % 140010) - 5;  // a few below the first and past the last
      auto it = model.find(id);
      int what = static_cast<int>(rng() % 3);
      if (it == model.end()) {
        Row r{-id, id % 5 == 0 ? std::nullopt : std::optional<std::string>("fresh" + std::to_string(id))};
        put(*stmt.w, id, r, false);
        model[id] = r;
      } else if (what == 0) {
        stmt.w->remove(*m_, key(id));
        model.erase(it);
      } else {
        Row r{it->second.v + 1, std::string("upd")};
        put(*stmt.w, id, r, true);
        it->second = r;
      }
    }
    stmt.commit();
    EXPECT_EQ(scan_now(), model) << "round " << round;
    if (round == 1) store_->seal(m_->id);  // re-seal over the changes, then change again
  }
  // Ranges: [lo, hi) over the merged data, keys requested (UPDATE/DELETE's scan).
  for (int i = 0; i < 40; ++i) {
    int64_t lo = static_cast<int64_t>(rng() % 140000) - 10;
    int64_t hi = lo + static_cast<int64_t>(rng() % 70000);
    ScanSpec spec;
    spec.lower = pk(lo);
    spec.upper = pk(hi);
    spec.upper_unbounded = false;
    spec.want_keys = i % 2 == 0;
    Model expect(model.lower_bound(lo), model.lower_bound(hi));
    EXPECT_EQ(scan_now(spec), expect) << lo << ".." << hi;
  }
  store_->seal(m_->id);
  EXPECT_EQ(scan_now(), model);
}

// A transaction's own uncommitted writes over sealed rows: its scans see them, others do not.
TEST_F(SealedTest, OwnWritesMaskSealedRows) {
  Model model;
  load(model, 0, 1000);
  store_->seal(m_->id);
  auto txn = store_->begin(RR);
  {
    auto view = txn->statement_view();
    auto w = txn->writer(*view);
    w->remove(*m_, key(10));
    put(*w, 11, Row{-1, std::nullopt}, true);
    put(*w, 5000, Row{5, std::string("new")}, false);
    w->apply();
  }
  Model mine = model;
  mine.erase(10);
  mine[11] = Row{-1, std::nullopt};
  mine[5000] = Row{5, std::string("new")};
  {
    auto view = txn->statement_view();
    EXPECT_EQ(scan(*view), mine);
  }
  EXPECT_EQ(scan_now(), model);
  txn->commit();
  EXPECT_EQ(scan_now(), mine);
}

// A REPEATABLE READ snapshot taken before changes and a seal keeps reading what it read: the seal's
// horizon stays at or below it, so the versions it needs stay in the row store (or in the blocks).
TEST_F(SealedTest, SnapshotTakenBeforeSealReadsTheSame) {
  Model model;
  load(model, 0, 20000);
  auto reader = store_->begin(RR);
  Model before;
  {
    auto view = reader->statement_view();
    before = scan(*view);
  }
  EXPECT_EQ(before, model);
  // Change a tenth of the rows after the reader's snapshot, then seal.
  {
    testing::AutoCommit stmt(*store_);
    for (int64_t id = 0; id < 20000; id += 10) {
      if (id % 20 == 0) {
        stmt.w->remove(*m_, key(id));
        model.erase(id);
      } else {
        Row r{1, std::string("x")};
        put(*stmt.w, id, r, true);
        model[id] = r;
      }
    }
    stmt.commit();
  }
  Store::SealResult r = store_->seal(m_->id);
  store_->compact_table(m_->id);
  store_->compact();
  EXPECT_EQ(r.rows, 20000u);          // the rows as the reader sees them
  EXPECT_EQ(r.versions_kept, 2000u);  // the later changes stay in the row store
  {
    auto view = reader->statement_view();
    EXPECT_EQ(scan(*view), before);
    EXPECT_TRUE(view->exists(key(0)));  // deleted after the snapshot: still there for it
  }
  EXPECT_EQ(scan_now(), model);
  reader->commit();
  // The reader is gone: the next seal moves the changes into the blocks.
  r = store_->seal(m_->id);
  EXPECT_EQ(r.rows, model.size());
  EXPECT_EQ(r.versions_kept, 0u);
  ScanStats stats;
  EXPECT_EQ(scan_now({}, &stats), model);
  EXPECT_EQ(stats.row_store_rows, 0u);
}

// A scan that started before a seal commits finishes on the data it started with (one RocksDB
// snapshot for rows and blocks), and the seal does not wait for it.
TEST_F(SealedTest, ScanRunningAcrossASeal) {
  Model model;
  load(model, 0, 30000);
  store_->seal(m_->id);
  {
    testing::AutoCommit stmt(*store_);
    for (int64_t id = 30000; id < 40000; ++id) {
      Row r{id, std::nullopt};
      put(*stmt.w, id, r, false);
      model[id] = r;
    }
    stmt.commit();
  }
  auto view = store_->read_view();
  ScanSpec spec;
  spec.table = m_;
  spec.columns = {true, true, true};
  auto cursor = view->scan(spec);
  Model seen;
  auto take = [&](const ColumnBatch* b) {
    for (uint64_t r = 0; r < b->count; ++r) {
      int64_t id = static_cast<const int64_t*>(b->columns[0].data)[r];
      Row row{static_cast<const int64_t*>(b->columns[1].data)[r], std::nullopt};
      if (!b->columns[2].nulls[r])
        row.s = std::string(static_cast<const StrRef*>(b->columns[2].data)[r].view());
      seen[id] = row;
    }
  };
  take(cursor->next());
  view.reset();  // the cursor keeps its RocksDB snapshot; the seal's horizon moves past the view
  store_->seal(m_->id);
  store_->compact_table(m_->id);
  while (const ColumnBatch* b = cursor->next()) take(b);
  EXPECT_EQ(seen, model);
  EXPECT_EQ(scan_now(), model);
}

TEST_F(SealedTest, UniquenessAndWriteConflictsSeeSealedRows) {
  Model model;
  load(model, 0, 5000);
  store_->seal(m_->id);
  {
    testing::AutoCommit stmt(*store_);
    Datum row[3] = {int_datum(42), int_datum(0), null_datum()};
    EXPECT_EQ(sqlstate_of([&] { stmt.w->insert(*m_, row); }), "23505");
    Datum row2[3] = {int_datum(4999), int_datum(0), null_datum()};  // the last sealed key
    EXPECT_EQ(sqlstate_of([&] { stmt.w->insert(*m_, row2); }), "23505");
    Datum row3[3] = {int_datum(5000), int_datum(0), null_datum()};
    EXPECT_EQ(sqlstate_of([&] { stmt.w->insert(*m_, row3); }), "");
    stmt.commit();
  }
  // A deleted sealed key can be inserted again.
  {
    testing::AutoCommit stmt(*store_);
    stmt.w->remove(*m_, key(7));
    stmt.commit();
  }
  {
    testing::AutoCommit stmt(*store_);
    Datum row[3] = {int_datum(7), int_datum(70), null_datum()};
    EXPECT_EQ(sqlstate_of([&] { stmt.w->insert(*m_, row); }), "");
    stmt.commit();
  }
  // First committer wins on a sealed row, across a seal in between.
  auto t1 = store_->begin(RR);
  auto v1 = t1->statement_view();
  {
    testing::AutoCommit t2(*store_);
    put(*t2.w, 100, Row{1, std::nullopt}, true);
    t2.commit();
  }
  store_->seal(m_->id);
  // With row locks the write itself sees the newer committed version (40001 at the UPDATE, as
  // PostgreSQL); without them the commit-time check does.
  auto w1 = t1->writer(*v1);
  std::string state = sqlstate_of([&] {
    put(*w1, 100, Row{2, std::nullopt}, true);
    w1->apply();
    t1->commit();
  });
  EXPECT_EQ(state, "40001");
}

TEST_F(SealedTest, ZoneMapsSkipBlocksWithoutChangingAnswers) {
  Model model;
  load(model, 0, 200000);  // v = id * 10: 4 blocks with disjoint v ranges
  store_->seal(m_->id);
  {
    testing::AutoCommit stmt(*store_);  // a fresh row and an update inside a skipped block's key range
    put(*stmt.w, 1, Row{1500000, std::nullopt}, true);
    stmt.commit();
    model[1] = Row{1500000, std::nullopt};
  }
  ScanSpec spec;
  ZoneBound z;
  z.column = 1;
  z.has_lo = z.has_hi = true;
  z.lo.i64 = 1400000;
  z.hi.i64 = 1600000;
  spec.zone.push_back(z);
  ScanStats stats;
  Model got = scan_now(spec, &stats);
  EXPECT_EQ(stats.blocks_read, 1u);
  EXPECT_EQ(stats.blocks_skipped, 3u);
  // Every row the predicate keeps is there (rows of read blocks outside it are for the filter to drop).
  for (const auto& [id, r] : model)
    if (r.v >= 1400000 && r.v <= 1600000) {
      EXPECT_TRUE(got.count(id) && got[id] == r) << id;
    }
  EXPECT_EQ(got.count(0), 0u);
  // Text bounds.
  ScanSpec ts;
  ZoneBound zt;
  zt.column = 2;
  zt.has_lo = true;
  zt.lo_text = "zzz";
  ts.zone.push_back(zt);
  got = scan_now(ts, &stats);
  EXPECT_EQ(stats.blocks_skipped, 4u);
  EXPECT_EQ(got.size(), 1u);  // only the row-store version of id 1: row-store rows are always produced
  EXPECT_EQ(got.count(1), 1u);
}

TEST_F(SealedTest, SealedRowsSurviveReopenAndDropRemovesThem) {
  Model model;
  load(model, 0, 70000);
  store_->seal(m_->id);
  reopen();
  EXPECT_EQ(scan_now(), model);
  EXPECT_EQ(store_->sealed_info(m_->id).blocks, 2u);
  const uint32_t id = m_->id;
  store_->catalog().drop_table("m");
  EXPECT_EQ(store_->sealed_info(id).blocks, 0u);
  std::unique_ptr<rocksdb::Iterator> it(store_->db()->NewIterator(rocksdb::ReadOptions()));
  std::string prefix("\0\0\0\0B", 5);
  it->Seek(prefix);
  EXPECT_FALSE(it->Valid() && it->key().starts_with(prefix)) << "a sealed block outlived its table";
}

// Each table has its own seal mutex: while a seal of `m` is paused before its write, another table is
// sealed and dropped, and `m` is then sealed exactly once; a drop of `m` itself waits for the seal.
TEST_F(SealedTest, SealsAndDropsOfOtherTablesDoNotWaitForASeal) {
  Model model;
  load(model, 0, 3000);
  TableDef d;
  d.name = "other";
  d.columns = {col("id", TypeId::Int64)};
  d.primary_key = {0};
  TableDefPtr other = store_->catalog().create_table(d);
  {
    testing::AutoCommit stmt(*store_);
    for (int64_t i = 0; i < 100; ++i) {
      Datum row[1] = {int_datum(i)};
      stmt.w->insert(*other, row);
    }
    stmt.commit();
  }

  sync_point::Scope sync;
  std::atomic<bool> release{false};
  sync_point::set_callback("Store::seal:BeforeWrite", [&](void*) {
    if (std::this_thread::get_id() == sealer_id_) {
      sync_point::point("Test:SealOfMPaused");
      while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  std::thread sealer([&] {
    sealer_id_ = std::this_thread::get_id();
    store_->seal(m_->id);
  });
  ASSERT_TRUE(sync_point::wait_passed("Test:SealOfMPaused", std::chrono::seconds(60)));
  // With one seal mutex for every table, each of these waited for the paused seal (for ever here).
  EXPECT_EQ(store_->seal(other->id).rows, 100u);
  store_->catalog().drop_table("other");
  EXPECT_EQ(store_->catalog().find("other"), nullptr);

  std::atomic<bool> dropped{false};
  std::thread dropper([&] {
    store_->catalog().drop_table("m");
    dropped = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(dropped.load()) << "DROP TABLE m did not wait for the seal of m";
  release = true;
  sealer.join();
  dropper.join();
  EXPECT_TRUE(dropped.load());
  EXPECT_EQ(store_->catalog().find("m"), nullptr);
  std::unique_ptr<rocksdb::Iterator> it(store_->db()->NewIterator(rocksdb::ReadOptions()));
  std::string prefix("\0\0\0\0B", 5);
  it->Seek(prefix);
  EXPECT_FALSE(it->Valid() && it->key().starts_with(prefix)) << "a sealed block outlived its table";
  m_.reset();
}

// A full compaction drops a tombstone that is the oldest snapshot's version of its key (nothing older is
// left in the row store), but the key's sealed row is not in any compaction: the tombstone must stay.
TEST_F(SealedTest, FullCompactionKeepsTombstonesOfSealedRows) {
  Model model;
  load(model, 0, 1000);
  store_->seal(m_->id);
  {
    testing::AutoCommit stmt(*store_);
    for (int64_t id = 0; id < 1000; id += 3) {
      stmt.w->remove(*m_, key(id));
      model.erase(id);
    }
    stmt.commit();
  }
  store_->compact();
  EXPECT_EQ(scan_now(), model);
  reopen();  // the sealed-table list is rebuilt from the manifests
  store_->compact();
  EXPECT_EQ(scan_now(), model);
  store_->seal(m_->id);
  store_->compact();
  EXPECT_EQ(scan_now(), model);
}

// Tables without a primary key: the hidden row id is sealed as a column, and new row ids continue
// above the sealed ones (also after a restart).
TEST_F(SealedTest, HiddenRowIdTable) {
  TableDef d;
  d.name = "h";
  d.columns = {col("x", TypeId::Int32)};
  TableDefPtr h = store_->catalog().create_table(d);
  auto insert = [&](int n, int base) {
    testing::AutoCommit stmt(*store_);
    for (int i = 0; i < n; ++i) {
      Datum row[1] = {int_datum(base + i)};
      stmt.w->insert(*h, row);
    }
    stmt.commit();
  };
  auto count_sum = [&] {
    auto view = store_->read_view();
    ScanSpec spec;
    spec.table = h;
    spec.columns = {true};
    auto c = view->scan(spec);
    std::pair<int64_t, int64_t> cs{0, 0};
    while (const ColumnBatch* b = c->next()) {
      for (uint64_t r = 0; r < b->count; ++r) {
        ++cs.first;
        cs.second += static_cast<const int32_t*>(b->columns[0].data)[r];
      }
    }
    return cs;
  };
  insert(1000, 0);
  store_->seal(h->id);
  reopen();
  h = store_->catalog().find("h");
  insert(10, 1000);
  EXPECT_EQ(count_sum(), (std::pair<int64_t, int64_t>{1010, 1010 * 1009 / 2}));
  store_->seal(h->id);
  EXPECT_EQ(count_sum(), (std::pair<int64_t, int64_t>{1010, 1010 * 1009 / 2}));
}

// A metrics table keyed by (device int, ts timestamptz) with numeric and uuid columns: sealed into blocks
// (rows come back bit for bit), a time-range zone bound skips the blocks of every device outside it, and
// sealed rows found by their timestamptz keys can be updated, deleted and are seen by the uniqueness check.
TEST_F(SealedTest, TimestampKeyedTableSealsAndSkipsByTimeRange) {
  block_rows_ = 1000;
  reopen();
  TableDef d;
  d.name = "mt";
  d.columns = {col("device", TypeId::Int32, true), col("ts", TypeId::TimestampTz, true),
               col("v", TypeId::Numeric), col("id", TypeId::Uuid)};
  d.primary_key = {0, 1};
  TableDefPtr mt = store_->catalog().create_table(d);
  const int64_t kSec = 1000000, t0 = int64_t{9497} * 86400 * kSec;  // 2026-01-01 00:00 UTC
  const int kDevices = 4, kRows = 8000;                             // a row every 10 s: 22 hours
  auto value = [](int dev, int k) { return num::parse(std::to_string(dev * 100 + k % 100) + ".5"); };
  auto uuid = [](int dev) { return std::string(15, '\x5a') + static_cast<char>(dev); };
  auto key = [&](int dev, int64_t ts) {
    std::string k;
    keycodec::append_table_prefix(mt->id, k);
    keycodec::append_datum(TypeId::Int32, int_datum(dev), k);
    keycodec::append_datum(TypeId::TimestampTz, int_datum(ts), k);
    return k;
  };
  for (int dev = 0; dev < kDevices; ++dev) {
    testing::AutoCommit stmt(*store_);
    for (int k = 0; k < kRows; ++k) {
      std::string v = value(dev, k), u = uuid(dev);
      Datum row[4] = {int_datum(dev), int_datum(t0 + k * 10 * kSec),
                      k % 50 == 0 ? null_datum() : text_datum(v), text_datum(u)};
      stmt.w->insert(*mt, row);
    }
    stmt.commit();
  }
  ASSERT_TRUE(Store::sealable(*mt));
  store_->seal(mt->id);
  // rows between 01:00 and 02:00 (inclusive bounds: 361 per device), by the zone map on ts
  auto scan_range = [&](int64_t lo, int64_t hi, ScanStats& stats) {
    auto view = store_->read_view();
    ScanSpec spec;
    spec.table = mt;
    spec.columns = {true, true, true, true};
    ZoneBound z;
    z.column = 1;
    z.has_lo = z.has_hi = true;
    z.lo.i64 = lo;
    z.hi.i64 = hi;
    spec.zone.push_back(z);
    auto cursor = view->scan(spec);
    std::map<std::pair<int, int64_t>, std::optional<std::string>> rows;
    while (const ColumnBatch* b = cursor->next()) {
      for (uint64_t r = 0; r < b->count; ++r) {
        int dev = static_cast<const int32_t*>(b->columns[0].data)[r];
        int64_t ts = static_cast<const int64_t*>(b->columns[1].data)[r];
        EXPECT_EQ(static_cast<const StrRef*>(b->columns[3].data)[r].view(), uuid(dev));
        if (ts < lo || ts > hi) continue;  // the filter's job
        std::optional<std::string> v;
        if (!b->columns[2].nulls[r])
          v = std::string(static_cast<const StrRef*>(b->columns[2].data)[r].view());
        rows[{dev, ts}] = v;
      }
    }
    stats = cursor->stats();
    return rows;
  };
  ScanStats stats;
  const int64_t lo = t0 + 3600 * kSec, hi = t0 + 7200 * kSec;
  auto rows = scan_range(lo, hi, stats);
  EXPECT_EQ(rows.size(), size_t{kDevices} * 361);
  EXPECT_LE(stats.blocks_read, 2u * kDevices);
  EXPECT_GE(stats.blocks_skipped, 28u);  // 8 blocks per device, at most 2 of them overlap the hour
  EXPECT_EQ(stats.row_store_rows, 0u);
  for (const auto& [k, v] : rows) {
    int step = static_cast<int>((k.second - t0) / (10 * kSec));
    if (step % 50 == 0) {
      EXPECT_FALSE(v.has_value());
    } else {
      EXPECT_EQ(v, value(k.first, step));
    }
  }
  // update and delete sealed rows through their timestamptz keys; re-insert of a sealed key conflicts
  {
    testing::AutoCommit stmt(*store_);
    std::string v = num::parse("-1.25"), u = uuid(2);
    Datum row[4] = {int_datum(2), int_datum(lo + 60 * kSec), text_datum(v), text_datum(u)};
    stmt.w->update(*mt, key(2, lo + 60 * kSec), row);
    stmt.w->remove(*mt, key(3, lo));
    Datum dup[4] = {int_datum(1), int_datum(hi), null_datum(), text_datum(u)};
    EXPECT_EQ(sqlstate_of([&] { stmt.w->insert(*mt, dup); }), "23505");
    stmt.commit();
  }
  rows = scan_range(lo, hi, stats);
  EXPECT_EQ(rows.size(), size_t{kDevices} * 361 - 1);
  EXPECT_EQ(rows[(std::pair<int, int64_t>{2, lo + 60 * kSec})], num::parse("-1.25"));
  EXPECT_EQ(rows.count({3, lo}), 0u);
  store_->seal(mt->id);  // re-sealed: the same rows, all from blocks again
  rows = scan_range(lo, hi, stats);
  EXPECT_EQ(rows.size(), size_t{kDevices} * 361 - 1);
  EXPECT_EQ(stats.row_store_rows, 0u);
  EXPECT_GE(stats.blocks_skipped, 24u);
  EXPECT_EQ(store_->check_sealed(mt->id), "");
}

// Commits never wait for a seal; the writes that come after the seal's horizon survive it.
TEST_F(SealedTest, ConcurrentWritersAndSeals) {
  Model model;
  load(model, 0, 20000);
  std::atomic<bool> stop{false};
  std::atomic<int64_t> committed{0};
  std::thread writer([&] {
    int64_t id = 20000;
    // Bounded: commits no longer wait for seals, so an unbounded writer makes every seal longer than
    // the last (minutes under ThreadSanitizer).
    while (!stop && id < 40000) {
      testing::AutoCommit stmt(*store_, RC);
      Datum row[3] = {int_datum(id), int_datum(id), null_datum()};
      stmt.w->insert(*m_, row);
      Datum upd[3] = {int_datum(id - 20000), int_datum(-1), null_datum()};
      stmt.w->update(*m_, key(id - 20000), upd);
      stmt.commit();
      committed = ++id;
    }
  });
  for (int i = 0; i < 5; ++i) {
    store_->seal(m_->id);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  stop = true;
  writer.join();
  Model got = scan_now();
  const int64_t end = committed.load();
  EXPECT_EQ(got.size(), static_cast<size_t>(end));
  for (int64_t id = 0; id < end - 20000; ++id) EXPECT_EQ(got[id].v, -1) << id;
  for (int64_t id = end - 20000; id < 20000; ++id) EXPECT_EQ(got[id].v, id * 10) << id;
}

// ---------------------------------------------------------------------------------------------------
// Incremental sealing: 100-row blocks, so a few thousand rows make many blocks.
class IncrementalSealTest : public SealedTest {
 protected:
  IncrementalSealTest() { block_rows_ = 100; }

  Store::SealResult seal(uint64_t min_block_changes = 1) {
    Store::SealOptions o;
    o.min_block_changes = min_block_changes;
    Store::SealResult r = store_->seal(m_->id, o);
    EXPECT_EQ(store_->check_sealed(m_->id), "");
    Store::SealedInfo info = store_->sealed_info(m_->id);
    EXPECT_EQ(info.blocks, r.blocks);
    EXPECT_EQ(info.rows, r.rows);
    return r;
  }
  void upsert(Model& model, int64_t id, int64_t v) {
    testing::AutoCommit stmt(*store_);
    Row r{v, std::string("u")};
    put(*stmt.w, id, r, model.count(id) != 0);
    model[id] = r;
    stmt.commit();
  }
};

TEST_F(IncrementalSealTest, AppendsWriteOnlyNewBlocksAndFillTheTail) {
  Model model;
  load(model, 0, 1000);
  Store::SealResult r = seal();
  EXPECT_EQ(r.blocks, 10u);
  EXPECT_EQ(r.blocks_written, 10u);
  // Nothing to do: nothing written, nothing read but the (empty) row store.
  r = seal();
  EXPECT_EQ(r.blocks_written, 0u);
  EXPECT_EQ(r.blocks_removed, 0u);
  EXPECT_EQ(r.versions_sealed, 0u);
  EXPECT_EQ(r.rows, 1000u);
  // Rows past the last (full) block: one new block, the others untouched.
  load(model, 1000, 1050);
  r = seal();
  EXPECT_EQ(r.blocks_written, 1u);
  EXPECT_EQ(r.blocks_removed, 0u);
  EXPECT_EQ(r.rows_written, 50u);
  EXPECT_EQ(r.versions_sealed, 50u);
  EXPECT_EQ(r.blocks, 11u);
  // The tail block is not full: the next append extends it.
  load(model, 1050, 1120);
  r = seal();
  EXPECT_EQ(r.blocks_removed, 1u);
  EXPECT_EQ(r.blocks_written, 2u);  // 100 + 20
  EXPECT_EQ(r.rows_written, 120u);
  EXPECT_EQ(r.blocks, 12u);
  ScanStats stats;
  EXPECT_EQ(scan_now({}, &stats), model);
  EXPECT_EQ(stats.row_store_rows, 0u);
  EXPECT_EQ(stats.blocks_read, 12u);
  // Many tiny appends: blocks stay full but for the tail.
  for (int i = 0; i < 30; ++i) {
    load(model, 1120 + i * 7, 1127 + i * 7);
    seal();
  }
  r = seal();
  EXPECT_EQ(r.rows, 1330u);
  EXPECT_EQ(r.blocks, 14u);
  EXPECT_EQ(scan_now(), model);
  EXPECT_EQ(store_->count_versions(key(1300)), 0u);
}

TEST_F(IncrementalSealTest, ChangesRewriteOnlyTheBlocksTheyTouch) {
  Model model;
  load(model, 0, 2000, 2);  // even ids 0..1998: 10 blocks of 100
  seal();
  // An update inside block 3 and a new odd id inside block 7.
  upsert(model, 2 * 350, -1);
  upsert(model, 2 * 750 + 1, -2);
  Store::SealResult r = seal();
  EXPECT_EQ(r.blocks_removed, 2u);
  EXPECT_EQ(r.blocks_written, 2u);  // block 3 again; block 7 with 101 rows (one block up to 150)
  EXPECT_EQ(r.rows_written, 201u);
  EXPECT_EQ(r.blocks, 10u);
  EXPECT_EQ(r.versions_sealed, 2u);
  EXPECT_EQ(scan_now(), model);
  // A key between two full blocks (199 is between block 0's last 198 and block 1's first 200) that no
  // block's range holds: the full neighbours stay, the key gets a block of its own; the next seal that
  // touches a neighbour merges the small block in.
  upsert(model, 199, -3);
  r = seal();
  EXPECT_EQ(r.blocks_removed, 0u);
  EXPECT_EQ(r.blocks_written, 1u);
  EXPECT_EQ(r.blocks, 11u);
  upsert(model, 0, -4);
  r = seal();
  EXPECT_EQ(r.blocks_removed, 2u);  // block 0 and the one-row block after it, now one block of 101
  EXPECT_EQ(r.blocks_written, 1u);
  EXPECT_EQ(r.blocks, 10u);
  // A block that grows past 1.5 x the block size is split into a full block and the rest.
  for (int64_t id = 601; id < 700; id += 2) upsert(model, id, id);  // block 3: 100 + 50 rows
  r = seal();
  EXPECT_EQ(r.blocks_written, 2u);
  EXPECT_EQ(r.blocks, 11u);
  // Deleting every row of a block removes it.
  {
    testing::AutoCommit stmt(*store_);
    for (int64_t id = 1800; id < 2000; ++id)
      if (model.erase(id)) stmt.w->remove(*m_, key(id));
    stmt.commit();
  }
  r = seal();
  EXPECT_EQ(r.blocks_written, 0u);
  EXPECT_EQ(r.blocks, 10u);
  EXPECT_EQ(r.rows, model.size());
  EXPECT_EQ(scan_now(), model);
}

TEST_F(IncrementalSealTest, BlocksWithFewChangesWaitForMore) {
  Model model;
  load(model, 0, 1000);
  seal();
  for (int64_t id = 200; id < 205; ++id) upsert(model, id, -id);
  Store::SealResult r = seal(10);  // 5 changed keys in block 2: deferred
  EXPECT_EQ(r.blocks_written, 0u);
  EXPECT_EQ(r.versions_sealed, 0u);
  EXPECT_EQ(r.versions_kept, 5u);
  ScanStats stats;
  EXPECT_EQ(scan_now({}, &stats), model);
  EXPECT_EQ(stats.row_store_rows, 5u);
  // New keys are sealed whatever the threshold; the deferred block still waits.
  load(model, 1000, 1010);
  r = seal(10);
  EXPECT_EQ(r.blocks_written, 1u);
  EXPECT_EQ(r.versions_kept, 5u);
  for (int64_t id = 205; id < 215; ++id) upsert(model, id, -id);
  r = seal(10);
  EXPECT_EQ(r.blocks_written, 1u);
  EXPECT_EQ(r.versions_sealed, 15u);
  EXPECT_EQ(r.versions_kept, 0u);
  EXPECT_EQ(scan_now({}, &stats), model);
  EXPECT_EQ(stats.row_store_rows, 0u);
}

// Commits do not wait for a seal: one commits from inside the seal (after it read the blocks it
// rewrites, before its write), into the very key range being rewritten. Its versions are newer than the
// horizon and survive the seal; the seal's point deletes touch only versions at or below it.
TEST_F(IncrementalSealTest, CommitsDuringASealAreKeptAndDoNotWait) {
  Model model;
  load(model, 0, 1000);
  seal();
  upsert(model, 150, -1);  // block 1 is rewritten by the next seal
  Model during = model;
  sync_point::Scope scope;
  int calls = 0;
  sync_point::set_callback("Store::seal:BlocksBuilt", [&](void*) {
    if (calls++) return;
    testing::AutoCommit stmt(*store_, RC);
    put(*stmt.w, 151, Row{-2, std::nullopt}, true);  // a sealed row of the block being rewritten
    put(*stmt.w, 150, Row{-3, std::nullopt}, true);  // the row being sealed
    stmt.w->remove(*m_, key(152));
    Datum row[3] = {int_datum(5000), int_datum(1), null_datum()};
    stmt.w->insert(*m_, row);
    stmt.commit();
  });
  Store::SealResult r = seal();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(r.versions_sealed, 1u);
  during[151] = Row{-2, std::nullopt};
  during[150] = Row{-3, std::nullopt};
  during.erase(152);
  during[5000] = Row{1, std::nullopt};
  EXPECT_EQ(scan_now(), during);
  sync_point::disable_and_clear();
  r = seal();
  EXPECT_EQ(r.versions_sealed, 4u);
  EXPECT_EQ(scan_now(), during);
  reopen();
  EXPECT_EQ(scan_now(), during);
}

// A seal large enough to be written in several atomic steps (each ~64 MB of batch) keeps every row.
TEST_F(IncrementalSealTest, LargeSealInSeveralSteps) {
  block_rows_ = 4096;
  reopen();
  Model model;
  // Wide text rows so that the batch passes 64 MB: 120,000 rows x ~700 bytes.
  const std::string pad(700, 'x');
  for (int64_t base = 0; base < 120000; base += 10000) {
    testing::AutoCommit stmt(*store_);
    for (int64_t id = base; id < base + 10000; ++id) {
      Row r{id, pad + std::to_string(id)};
      put(*stmt.w, id, r, false);
      model[id] = r;
    }
    stmt.commit();
  }
  sync_point::Scope scope;
  std::atomic<int> writes{0};
  sync_point::set_callback("Store::seal:Written", [&](void*) { ++writes; });
  Store::SealResult r = seal();
  EXPECT_GT(writes.load(), 1);
  EXPECT_EQ(r.rows, 120000u);
  EXPECT_EQ(r.versions_sealed, 120000u);
  EXPECT_EQ(scan_now(), model);
  // Updates spread over every block: every block is rewritten, again in steps.
  {
    testing::AutoCommit stmt(*store_);
    for (int64_t id = 0; id < 120000; id += 1000) {
      Row r{-id, std::string("y")};
      put(*stmt.w, id, r, true);
      model[id] = r;
    }
    stmt.commit();
  }
  writes = 0;
  r = seal();
  EXPECT_GT(writes.load(), 1);
  EXPECT_EQ(r.rows, 120000u);
  sync_point::disable_and_clear();
  ScanStats stats;
  EXPECT_EQ(scan_now({}, &stats), model);
  EXPECT_EQ(stats.row_store_rows, 0u);
}

// A cancel request or statement_timeout ends a seal between units of work with 57014 (VACUUM's). The
// atomic steps written before stay, the rest is left in the row store: every answer is unchanged, the
// sealed data is consistent, and a later seal finishes the work.
TEST_F(IncrementalSealTest, InterruptedSealKeepsEveryRow) {
  Model model;
  load(model, 0, 5000);
  auto expect_57014 = [&](const Store::SealOptions& o, const std::string& why) {
    try {
      store_->seal(m_->id, o);
      ADD_FAILURE() << "the seal was not interrupted";
    } catch (const SqlError& e) {
      EXPECT_EQ(e.state(), SqlState::QueryCanceled);
      EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
    }
  };
  // Past its deadline before it starts: nothing is written.
  Store::SealOptions o;
  o.deadline = std::chrono::steady_clock::now();
  expect_57014(o, "statement timeout");
  EXPECT_EQ(store_->sealed_info(m_->id).blocks, 0u);
  EXPECT_EQ(scan_now(), model);
  // Cancelled once its first step (of several small ones) is written.
  std::atomic<bool> cancel{false};
  o = Store::SealOptions{};
  o.cancel = &cancel;
  o.step_bytes = 16 << 10;
  sync_point::Scope scope;
  std::atomic<int> writes{0};
  sync_point::set_callback("Store::seal:Written", [&](void*) {
    ++writes;
    cancel = true;
  });
  expect_57014(o, "user request");
  sync_point::disable_and_clear();
  EXPECT_EQ(writes.load(), 1);
  EXPECT_EQ(store_->check_sealed(m_->id), "");
  Store::SealedInfo partial = store_->sealed_info(m_->id);
  EXPECT_GT(partial.rows, 0u);
  EXPECT_LT(partial.rows, 5000u);
  ScanStats stats;
  EXPECT_EQ(scan_now({}, &stats), model);
  EXPECT_EQ(stats.row_store_rows, 5000u - partial.rows);
  // Changes meanwhile, in both the sealed and the unsealed part; then a seal that runs to its end.
  upsert(model, 10, -10);
  upsert(model, 4000, -4000);
  load(model, 5000, 5100);
  Store::SealResult r = seal();
  EXPECT_EQ(r.rows, model.size());
  EXPECT_EQ(scan_now({}, &stats), model);
  EXPECT_EQ(stats.row_store_rows, 0u);
  reopen();
  EXPECT_EQ(scan_now(), model);
  EXPECT_EQ(store_->check_sealed(m_->id), "");
}

// A data directory sealed before the manifest held a block index (version 1): the next seal rebuilds the
// index from the blocks' envelopes and writes version 2.
TEST_F(IncrementalSealTest, ManifestWithoutIndexIsUpgraded) {
  Model model;
  load(model, 0, 1000);
  seal();
  std::string v1;
  v1.push_back(1);
  for (uint64_t f : {uint64_t{1}, uint64_t{10}, uint64_t{1000}, store_->seal(m_->id).bytes})
    rowcodec::append_varint(f, v1);
  std::string manifest_key("\0\0\0\0S", 5);
  keycodec::append_table_prefix(m_->id, manifest_key);
  ASSERT_TRUE(store_->db()->Put(rocksdb::WriteOptions(), manifest_key, v1).ok());
  reopen();
  EXPECT_EQ(store_->sealed_info(m_->id).blocks, 10u);
  EXPECT_EQ(store_->check_sealed(m_->id), "");
  upsert(model, 550, -1);
  load(model, 1000, 1010);
  Store::SealResult r = seal();
  EXPECT_EQ(r.blocks_removed, 1u);  // block 5; the new keys make a block of their own after the full tail
  EXPECT_EQ(r.blocks_written, 2u);
  std::string stored;
  ASSERT_TRUE(store_->db()->Get(rocksdb::ReadOptions(), manifest_key, &stored).ok());
  EXPECT_EQ(stored[0], 2);
  EXPECT_EQ(scan_now(), model);
}

// The model-based test with incremental seals interleaved: random inserts (appends, into gaps, before the
// first key), updates, deletes and range deletes; seals with random deferral thresholds; REPEATABLE READ
// snapshots taken before seals and checked after later ones; a concurrent writer on its own key range;
// reopens. After every step the table equals the model (whole and random ranges) and the manifest
// matches the blocks.
TEST_F(IncrementalSealTest, RandomChangesWithIncrementalSeals) {
  Model model;
  load(model, 1000, 3000);
  seal();
  std::mt19937_64 rng(12345);
  struct Reader {
    std::unique_ptr<Transaction> txn;
    Model seen;
  };
  std::vector<Reader> readers;
  std::atomic<bool> stop{false};
  std::atomic<int64_t> writer_done{0};
  std::thread writer;
  auto start_writer = [&] {
    stop = false;
    writer = std::thread([&] {
      int64_t k = writer_done.load();
      while (!stop) {
        testing::AutoCommit stmt(*store_, RC);
        Datum row[3] = {int_datum(1'000'000 + k), int_datum(k), null_datum()};
        stmt.w->insert(*m_, row);
        if (k % 2 == 1) {
          Datum upd[3] = {int_datum(1'000'000 + k / 2), int_datum(-k), null_datum()};
          stmt.w->update(*m_, key(1'000'000 + k / 2), upd);
        }
        stmt.commit();
        writer_done = ++k;
      }
    });
  };
  auto stop_writer = [&] {
    stop = true;
    if (writer.joinable()) writer.join();
  };
  // The writer's rows as they must be: id 1,000,000 + k for k < n, v = k, or -(2k+1) once updated.
  auto check_writer_rows = [&](const Model& got) {
    const int64_t n = writer_done.load();
    int64_t count = 0;
    for (auto it = got.lower_bound(1'000'000); it != got.end(); ++it, ++count) {
      const int64_t k = it->first - 1'000'000;
      const int64_t expect = 2 * k + 1 < n ? -(2 * k + 1) : k;
      if (it->second.v != expect) {
        ADD_FAILURE() << "writer row " << k << ": " << it->second.v << " != " << expect;
        break;
      }
    }
    EXPECT_EQ(count, n);
  };
  auto own_rows = [](Model m) {
    m.erase(m.lower_bound(1'000'000), m.end());
    return m;
  };
  start_writer();
  for (int step = 0; step < 60; ++step) {
    {
      testing::AutoCommit stmt(*store_);
      const int ops = 1 + static_cast<int>(rng() % 300);
      for (int i = 0; i < ops; ++i) {
        const int kind = static_cast<int>(rng() % 10);
        int64_t id;
        if (kind < 3) {  // append past the largest key
          id = (model.empty() ? 0 : model.rbegin()->first) + 1 + static_cast<int64_t>(rng() % 3);
        } else {
          id = static_cast<int64_t>(rng() % 4000);  // anywhere: gaps, before the first key, sealed rows
        }
        auto it = model.find(id);
        if (kind == 9 && it != model.end()) {  // a range delete of up to 150 keys (whole blocks at times)
          auto end = model.lower_bound(id + static_cast<int64_t>(rng() % 150));
          while (it != end) {
            stmt.w->remove(*m_, key(it->first));
            it = model.erase(it);
          }
        } else if (it == model.end()) {
          Row r{static_cast<int64_t>(rng() % 1000), text_of(id + step)};
          put(*stmt.w, id, r, false);
          model[id] = r;
        } else if (kind == 8) {
          stmt.w->remove(*m_, key(id));
          model.erase(it);
        } else {
          Row r{it->second.v + 1, text_of(it->second.v)};
          put(*stmt.w, id, r, true);
          it->second = r;
        }
      }
      stmt.commit();
    }
    if (rng() % 3 == 0 && readers.size() < 3) {  // a snapshot taken now, checked after later seals
      Reader rd{store_->begin(RR), {}};
      auto view = rd.txn->statement_view();
      rd.seen = own_rows(scan(*view));
      EXPECT_EQ(rd.seen, model) << "step " << step;
      readers.push_back(std::move(rd));
    }
    const uint64_t threshold = std::array<uint64_t, 4>{1, 1, 5, 40}[rng() % 4];
    seal(threshold);
    if (step % 4 == 3) store_->compact_table(m_->id);
    for (Reader& rd : readers) {
      auto view = rd.txn->statement_view();
      EXPECT_EQ(own_rows(scan(*view)), rd.seen) << "step " << step;
    }
    if (rng() % 4 == 0 && !readers.empty()) {
      readers.front().txn->commit();
      readers.erase(readers.begin());
    }
    Model got = scan_now();
    EXPECT_EQ(own_rows(got), model) << "step " << step;
    if (::testing::Test::HasFailure()) break;
    for (int i = 0; i < 5; ++i) {
      int64_t lo = static_cast<int64_t>(rng() % 4200) - 100;
      int64_t hi = lo + static_cast<int64_t>(rng() % 1500);
      ScanSpec spec;
      spec.lower = pk(lo);
      spec.upper = pk(hi);
      spec.upper_unbounded = false;
      spec.want_keys = i % 2 == 0;
      EXPECT_EQ(scan_now(spec), Model(model.lower_bound(lo), model.lower_bound(hi))) << lo << ".." << hi;
    }
    if (step % 15 == 14) {  // restart: readers end, the writer stops and starts again
      stop_writer();
      check_writer_rows(scan_now());
      readers.clear();
      reopen();
      EXPECT_EQ(store_->check_sealed(m_->id), "");
      EXPECT_EQ(own_rows(scan_now()), model);
      start_writer();
    }
  }
  stop_writer();
  readers.clear();
  Store::SealResult r = seal();
  EXPECT_EQ(r.versions_kept, 0u);
  Model got = scan_now();
  check_writer_rows(got);
  EXPECT_EQ(own_rows(got), model);
  // Blocks stay reasonably full: at most one more block than a fresh seal would cut, per 4.
  const uint64_t ideal = (r.rows + 99) / 100;
  EXPECT_LE(r.blocks, ideal + ideal / 4 + 2) << r.rows << " rows";
}

}  // namespace
}  // namespace omendb::storage

// ---------------------------------------------------------------------------------------------------
// The in-memory block index (docs/columnar.md, "Block metadata in memory"). seal() above runs
// check_sealed, which compares the index with the stored blocks (key ranges, sizes, zone maps).

namespace omendb::storage {
namespace {

class BlockIndexTest : public IncrementalSealTest {
 protected:
  std::string block_key_of(int64_t first_id) const { return std::string("\0\0\0\0B", 5) + key(first_id); }
  // Overwrites the stored bytes of the block starting at `first_id` with garbage (same key).
  void damage_block(int64_t first_id) {
    ASSERT_TRUE(store_->db()->Put(rocksdb::WriteOptions(), block_key_of(first_id), "garbage").ok());
  }
  ScanSpec v_between(int64_t lo, int64_t hi) const {
    ScanSpec spec;
    ZoneBound z;
    z.column = 1;
    z.has_lo = z.has_hi = true;
    z.lo = int_datum(lo);
    z.hi = int_datum(hi);
    spec.zone.push_back(z);
    return spec;
  }
  static Model slice(const Model& model, int64_t from, int64_t to) {
    return Model(model.lower_bound(from), model.lower_bound(to));
  }
};

// A scan decides on skipped blocks from memory: their stored bytes are never read (damaging them changes
// nothing), and a point lookup reads the one block whose key range holds its key.
TEST_F(BlockIndexTest, SkippedBlocksAndOtherBlocksOfAPointLookupAreNeverRead) {
  Model model;
  load(model, 0, 2000);
  Store::SealResult r = seal();
  ASSERT_EQ(r.blocks, 20u);
  ScanStats stats;
  EXPECT_EQ(scan_now(v_between(5000, 5990), &stats), slice(model, 500, 600));  // v = 10 id: block 5
  EXPECT_EQ(stats.blocks_read, 1u);
  EXPECT_EQ(stats.blocks_skipped, 19u);
  EXPECT_EQ(stats.headers_read, 0u);
  for (int64_t first = 0; first < 2000; first += 100)
    if (first != 500) damage_block(first);
  // Only block 5 is intact: zone-map scans and key ranges inside it, and point lookups, still work.
  EXPECT_EQ(scan_now(v_between(5000, 5990), &stats), slice(model, 500, 600));
  EXPECT_EQ(stats.blocks_read, 1u);
  ScanSpec range;
  range.lower = pk(520);
  range.upper = pk(530);
  range.upper_unbounded = false;
  EXPECT_EQ(scan_now(range, &stats), slice(model, 520, 530));
  EXPECT_EQ(stats.blocks_read, 1u);
  EXPECT_EQ(stats.headers_read, 0u);
  {
    auto view = store_->read_view();
    EXPECT_TRUE(view->exists(key(550)));
    EXPECT_FALSE(view->exists(key(5000)));  // past every block: nothing read
    EXPECT_FALSE(view->exists(key(-1)));
  }
  {
    testing::AutoCommit stmt(*store_);
    Datum row[3] = {int_datum(555), int_datum(0), null_datum()};
    EXPECT_EQ(sqlstate_of([&] { stmt.w->insert(*m_, row); }), "23505");
  }
  // A scan that must read a damaged block does find the damage.
  EXPECT_EQ(sqlstate_of([&] { scan_now(); }), "XX001");
}

// The index follows every change of the blocks: seals, re-seals, TRUNCATE, DROP TABLE, reopen.
TEST_F(BlockIndexTest, FollowsSealsTruncateDropAndReopen) {
  Model model;
  load(model, 0, 1000);
  seal();
  upsert(model, 150, -1);
  load(model, 1000, 1250);
  seal();  // check_sealed compares the index with the blocks
  ScanStats stats;
  EXPECT_EQ(scan_now({}, &stats), model);
  EXPECT_EQ(stats.headers_read, 0u);
  EXPECT_EQ(stats.blocks_read, store_->sealed_info(m_->id).blocks);

  reopen();  // built from the stored blocks at open
  EXPECT_EQ(store_->check_sealed(m_->id), "");
  EXPECT_EQ(scan_now(v_between(1500, 1500), &stats), slice(model, 100, 200));
  EXPECT_EQ(stats.headers_read, 0u);
  EXPECT_EQ(stats.blocks_read, 1u);

  {
    auto txn = store_->begin(RC);
    txn->truncate(*m_);
    txn->commit();
  }
  model.clear();
  EXPECT_EQ(store_->check_sealed(m_->id), "");
  EXPECT_EQ(scan_now({}, &stats), model);
  EXPECT_EQ(stats.blocks_read + stats.headers_read, 0u);
  load(model, 0, 300);
  seal();
  EXPECT_EQ(scan_now({}, &stats), model);
  EXPECT_EQ(stats.blocks_read, 3u);
  EXPECT_EQ(stats.headers_read, 0u);

  const uint32_t id = m_->id;
  store_->catalog().drop_table("m");
  EXPECT_EQ(store_->check_sealed(id), "");
  reopen();  // creates m again, empty
  EXPECT_EQ(scan_now({}, &stats), Model{});
  load(model = {}, 0, 150);
  seal();
  EXPECT_EQ(scan_now({}, &stats), model);
}

// A scan whose RocksDB snapshot is taken while a seal's write lands (after the write, before the index
// of its blocks is published) gets no index and reads the stored headers: the same rows either way.
TEST_F(BlockIndexTest, ScanDuringABlockWriteReadsTheStoredHeaders) {
  Model model;
  load(model, 0, 1000);
  seal();
  upsert(model, 150, -1);
  load(model, 1000, 1100);
  sync_point::Scope scope;
  int calls = 0;
  ScanStats during;
  Model seen;
  sync_point::set_callback("Store::seal:WrittenBeforeIndex", [&](void*) {
    if (calls++) return;
    seen = scan_now({}, &during);
  });
  seal();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(seen, model);
  EXPECT_GT(during.headers_read, 0u);
  ScanStats after;
  EXPECT_EQ(scan_now({}, &after), model);
  EXPECT_EQ(after.headers_read, 0u);
}

// Sealing by age (docs/columnar.md, "Sealing by age"), with an injected clock (no sleeping): a seal capped
// at Store::visible_at(now - age), as the background sealer runs it, seals what was committed before that
// time and leaves younger versions (new rows, new versions of rows it seals) in the row store; every
// reader, a snapshot taken before included, reads the same rows; later seals fold the rest once old enough.
class SealByAgeTest : public IncrementalSealTest {
 protected:
  SealByAgeTest() {
    clock_ = [this] { return now_; };
  }
  Store::SealResult seal_older_than(std::chrono::minutes age) {
    Store::SealOptions o;
    o.max_horizon = store_->visible_at(now_ - age);
    Store::SealResult r = store_->seal(m_->id, o);
    EXPECT_EQ(store_->check_sealed(m_->id), "");
    EXPECT_LE(r.horizon_ts, o.max_horizon);
    return r;
  }
  std::chrono::steady_clock::time_point now_ =
      std::chrono::steady_clock::time_point{} + std::chrono::hours(24);
};

TEST_F(SealByAgeTest, SealsOnlyVersionsOlderThanTheAge) {
  using std::chrono::minutes;
  Model model;
  EXPECT_EQ(store_->visible_at(now_ - minutes(1)), 0u);  // before the store opened: nothing
  load(model, 0, 300);                                   // at T0
  Store::SealResult r = seal_older_than(minutes(7));     // nothing is 7 minutes old
  EXPECT_EQ(r.blocks, 0u);
  EXPECT_EQ(r.versions_kept, 300u);
  now_ += minutes(5);  // T5: 10 updates of rows from T0, 50 new rows
  for (int64_t id = 0; id < 10; ++id) upsert(model, id, -id);
  load(model, 300, 350);
  now_ += minutes(5);  // T10
  auto reader = store_->begin(RR);
  {
    auto view = reader->statement_view();
    EXPECT_EQ(scan(*view), model);
  }
  // Older than 7 minutes (before T3): the 300 rows as T0 committed them; T5's versions stay.
  r = seal_older_than(minutes(7));
  EXPECT_EQ(r.rows, 300u);
  EXPECT_EQ(r.versions_sealed, 300u);
  EXPECT_EQ(r.versions_kept, 60u);
  ScanStats stats;
  EXPECT_EQ(scan_now({}, &stats), model);
  EXPECT_EQ(stats.row_store_rows, 60u);  // ids 0..9 (masking their sealed rows) and 300..349
  {
    auto view = reader->statement_view();
    EXPECT_EQ(scan(*view), model);
  }
  r = seal_older_than(minutes(7));  // nothing new is old enough: nothing written
  EXPECT_EQ(r.blocks_written, 0u);
  EXPECT_EQ(r.versions_sealed, 0u);
  now_ += minutes(5);  // T15: T5's commits are 10 minutes old
  r = seal_older_than(minutes(7));
  EXPECT_EQ(r.rows, 350u);
  EXPECT_EQ(r.versions_kept, 0u);
  EXPECT_EQ(scan_now({}, &stats), model);
  EXPECT_EQ(stats.row_store_rows, 0u);
  {
    auto view = reader->statement_view();
    EXPECT_EQ(scan(*view), model);
  }
  reader->commit();

  // A horizon below what garbage collection kept: ids 100..109 get versions at T15 and T20, a full
  // compaction drops the T15 ones (T20's are the oldest snapshot's), then a seal at T15's horizon finds
  // no version of them at or below it while it rewrites their block (for id 111's T15 version): it
  // writes their old rows again, which the T20 versions keep masking.
  for (int64_t id = 100; id < 110; ++id) upsert(model, id, 15);
  upsert(model, 111, 15);
  now_ += minutes(5);  // T20
  for (int64_t id = 100; id < 110; ++id) upsert(model, id, 20);
  store_->compact();
  now_ += minutes(5);  // T25: before T18 means T15's commits
  r = seal_older_than(minutes(7));
  EXPECT_EQ(r.blocks_written, 1u);
  EXPECT_EQ(r.versions_sealed, 1u);
  EXPECT_EQ(scan_now({}, &stats), model);
  EXPECT_EQ(stats.row_store_rows, 10u);
  now_ += minutes(5);  // T30: T20's commits too
  r = seal_older_than(minutes(7));
  EXPECT_EQ(r.versions_kept, 0u);
  EXPECT_EQ(scan_now({}, &stats), model);
  EXPECT_EQ(stats.row_store_rows, 0u);
  reopen();  // the clock starts again at the reopen: every commit before it counts as made then
  EXPECT_EQ(scan_now(), model);
  EXPECT_EQ(store_->visible_at(now_ - minutes(1)), 0u);
  EXPECT_EQ(store_->visible_at(now_), store_->visible_ts());
}

// Store::visible_at's record: an answer is never above the truth (a commit counted older than it is would
// be sealed too early), the newest observation is exact, and thinning the record keeps both.
TEST(CommitClockTest, AnswersAreNeverNewerThanTheTruth) {
  using std::chrono::milliseconds;
  const auto t0 = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  CommitClock clock;
  std::vector<std::pair<std::chrono::steady_clock::time_point, uint64_t>> truth;
  std::mt19937_64 rng(12);
  auto t = t0;
  uint64_t ts = 0;
  for (int i = 0; i < 20000; ++i) {  // ~5 hours of commits, 0 to 2 s apart: the record is thinned
    t += milliseconds(rng() % 2000);
    ts += 1 + rng() % 3;
    clock.note(t, ts);
    truth.emplace_back(t, ts);
  }
  EXPECT_EQ(clock.visible_at(t0 - milliseconds(1)), 0u);
  EXPECT_EQ(clock.visible_at(t), ts);
  uint64_t prev = 0;
  for (auto probe = t0; probe <= t; probe += milliseconds(997)) {
    // The truth: the newest timestamp noted at or before `probe`.
    auto it = std::upper_bound(truth.begin(), truth.end(), probe,
                               [](auto x, const auto& e) { return x < e.first; });
    const uint64_t exact = it == truth.begin() ? 0 : std::prev(it)->second;
    const uint64_t got = clock.visible_at(probe);
    EXPECT_LE(got, exact);
    EXPECT_GE(got, prev);  // monotonic in time
    prev = got;
    // The last ten minutes are kept at (at least) one entry every two seconds.
    if (t - probe < std::chrono::minutes(10)) {
      auto lag = std::upper_bound(truth.begin(), truth.end(), probe - std::chrono::seconds(2),
                                  [](auto x, const auto& e) { return x < e.first; });
      EXPECT_GE(got, lag == truth.begin() ? 0 : std::prev(lag)->second);
    }
  }
}

}  // namespace
}  // namespace omendb::storage

// ---------------------------------------------------------------------------------------------------
// Time-partitioned blocks (docs/columnar.md, "Time-partitioned blocks"): a table keyed by (device, ts)
// with seal_bucket = 100 on ts seals each row into the run of bucket floor(ts / 100); scans merge the runs
// in key order, lookups look in the key's run, seals rewrite only the runs whose keys changed.

namespace omendb::storage {
namespace {

using PKey = std::pair<int32_t, int64_t>;
using PModel = std::map<PKey, Row>;

class PartitionedSealTest : public SealedTest {
 protected:
  PartitionedSealTest() { block_rows_ = 40; }
  void SetUp() override {
    SealedTest::SetUp();
    find_or_create();
  }
  void find_or_create() {
    pt_ = store_->catalog().find("pt");
    if (pt_) return;
    TableDef d;
    d.name = "pt";
    d.columns = {col("device", TypeId::Int32, true), col("ts", TypeId::Int64, true), col("v", TypeId::Int64),
                 col("s", TypeId::Text)};
    d.primary_key = {0, 1};
    d.options = {"seal_bucket=100"};
    pt_ = store_->catalog().create_table(d);
  }
  void reopen_pt() {
    pt_.reset();
    reopen();
    find_or_create();
  }
  std::string pkey(int32_t dev, int64_t ts) const {
    std::string k;
    keycodec::append_table_prefix(pt_->id, k);
    keycodec::append_datum(TypeId::Int32, int_datum(dev), k);
    keycodec::append_int(ts, k);
    return k;
  }
  void put(StatementWriter& w, PKey k, const Row& r, bool update) {
    Datum row[4] = {int_datum(k.first), int_datum(k.second), int_datum(r.v),
                    r.s ? text_datum(*r.s) : null_datum()};
    if (update) {
      w.update(*pt_, pkey(k.first, k.second), row);
    } else {
      w.insert(*pt_, row);
    }
  }
  Store::SealResult seal(uint64_t min_block_changes = 1) {
    Store::SealOptions o;
    o.min_block_changes = min_block_changes;
    Store::SealResult r = store_->seal(pt_->id, o);
    EXPECT_EQ(store_->check_sealed(pt_->id), "");
    Store::SealedInfo info = store_->sealed_info(pt_->id);
    EXPECT_EQ(info.blocks, r.blocks);
    EXPECT_EQ(info.rows, r.rows);
    return r;
  }
  // Rows of a scan, checked to come in key order; with a zone bound on ts, only the rows inside it (the
  // rest is the filter's job).
  // The rows of a scan in key order; every scan is also read with ScanSpec::unordered on the same view,
  // whose rows must be the same set (each key once).
  PModel scan_pt(const ReadView& view, ScanSpec spec = {}, ScanStats* stats = nullptr) {
    PModel out = scan_pt_once(view, spec, stats);
    spec.unordered = true;
    EXPECT_EQ(scan_pt_once(view, spec, nullptr), out) << "unordered scan";
    return out;
  }
  // Unordered scans that produced a key before a smaller one (the runs read one after another).
  uint64_t unordered_out_of_order_ = 0;
  PModel scan_pt_once(const ReadView& view, ScanSpec spec, ScanStats* stats) {
    spec.table = pt_;
    spec.columns = {true, true, true, true};
    spec.batch_rows = 37;  // batches end inside blocks and runs
    auto cursor = view.scan(spec);
    PModel out;
    PKey prev{INT32_MIN, INT64_MIN};
    bool first = true;
    bool out_of_order = false;
    while (const ColumnBatch* b = cursor->next()) {
      EXPECT_GT(b->count, 0u);
      for (uint64_t r = 0; r < b->count; ++r) {
        PKey k{static_cast<const int32_t*>(b->columns[0].data)[r],
               static_cast<const int64_t*>(b->columns[1].data)[r]};
        if (spec.unordered) {
          out_of_order |= !first && k < prev;
          EXPECT_FALSE(out.count(k)) << "unordered scan: key " << k.first << "," << k.second << " twice";
        } else {
          EXPECT_TRUE(first || k > prev) << "rows out of key order";
        }
        first = false;
        prev = k;
        if (spec.want_keys) {
          EXPECT_EQ(b->keys[r].view(), pkey(k.first, k.second));
        }
        bool in_zone = true;
        for (const ZoneBound& z : spec.zone)
          in_zone = in_zone && (!z.has_lo || k.second >= z.lo.i64) && (!z.has_hi || k.second <= z.hi.i64);
        if (!in_zone) continue;
        Row row;
        row.v = static_cast<const int64_t*>(b->columns[2].data)[r];
        if (!b->columns[3].nulls[r])
          row.s = std::string(static_cast<const StrRef*>(b->columns[3].data)[r].view());
        out[k] = row;
      }
    }
    unordered_out_of_order_ += out_of_order;
    if (stats) *stats = cursor->stats();
    return out;
  }
  PModel scan_pt_now(ScanSpec spec = {}, ScanStats* stats = nullptr) {
    auto view = store_->read_view();
    return scan_pt(*view, std::move(spec), stats);
  }
  static ZoneBound ts_zone(int64_t lo, int64_t hi) {
    ZoneBound z;
    z.column = 1;
    z.has_lo = z.has_hi = true;
    z.lo.i64 = lo;
    z.hi.i64 = hi;
    return z;
  }

  TableDefPtr pt_;
};

TEST_F(PartitionedSealTest, LayoutRunsAndLookups) {
  SealBucket part = pt_->seal_bucket();
  ASSERT_TRUE(part.on());
  EXPECT_EQ(part.key_pos, 1);
  EXPECT_EQ(part.width, 100);
  EXPECT_EQ(part.bucket(-1), -1);
  EXPECT_EQ(part.bucket(-100), -1);
  EXPECT_EQ(part.bucket(-101), -2);
  EXPECT_EQ(part.bucket(99), 0);
  int64_t b = 0;
  ASSERT_TRUE(part.key_bucket(*pt_, pkey(3, 250), b));
  EXPECT_EQ(b, 2);
  PModel model;
  {
    testing::AutoCommit stmt(*store_);
    for (int32_t dev = 0; dev < 5; ++dev)
      for (int64_t ts = -150; ts < 450; ts += 3) {
        Row r{dev * 1000 + ts, text_of(ts)};
        put(*stmt.w, {dev, ts}, r, false);
        model[{dev, ts}] = r;
      }
    stmt.commit();
  }
  Store::SealResult r = seal();
  EXPECT_EQ(r.rows, model.size());
  EXPECT_EQ(scan_pt_now(), model);
  // Runs -2 .. 4, each cut in key order: at least one block per run.
  EXPECT_GE(r.blocks, 7u);
  // A ts range of one bucket reads only blocks of that run: every sealed row it reads is in the bucket.
  ScanSpec spec;
  spec.zone.push_back(ts_zone(200, 299));
  ScanStats stats;
  PModel got = scan_pt_now(spec, &stats);
  PModel want;
  for (const auto& [k, v] : model)
    if (k.second >= 200 && k.second <= 299) want[k] = v;
  EXPECT_EQ(got, want);
  EXPECT_EQ(stats.sealed_rows, want.size());
  EXPECT_GT(stats.blocks_skipped, 0u);
  // Uniqueness looks in the key's run; a new key inside a sealed run is no duplicate.
  {
    testing::AutoCommit stmt(*store_);
    EXPECT_EQ(sqlstate_of([&] { put(*stmt.w, {2, 201}, Row{1, std::nullopt}, false); }), "23505");
    EXPECT_EQ(sqlstate_of([&] { put(*stmt.w, {4, -150}, Row{1, std::nullopt}, false); }), "23505");
    put(*stmt.w, {2, 202}, Row{7, std::nullopt}, false);
    model[{2, 202}] = Row{7, std::nullopt};
    stmt.commit();
  }
  // A seal of one changed key rewrites that run only.
  r = seal();
  EXPECT_EQ(r.blocks_written, 4u);  // 40, 40, 40 and 46 rows
  EXPECT_EQ(r.rows_written, 5u * 33 + 1) << "the run of bucket 2 only (ts 201 .. 297 step 3, and 202)";
  EXPECT_EQ(scan_pt_now(), model);
  // Reopen: the manifest (version 3) and the runs come back.
  reopen_pt();
  EXPECT_EQ(store_->check_sealed(pt_->id), "");
  EXPECT_EQ(scan_pt_now(), model);
  // A change of layout rewrites every block into the new runs; RESET gives one run again.
  for (const char* opt : {"seal_bucket=250", ""}) {
    TableDef d = *pt_;
    d.options.clear();
    if (*opt) d.options.push_back(opt);
    store_->alter_table(d, {});
    pt_ = store_->catalog().find("pt");
    EXPECT_EQ(scan_pt_now(), model);  // the old layout still serves until the next seal
    r = seal();
    EXPECT_EQ(r.rows, model.size());
    EXPECT_EQ(r.rows_written, model.size());
    EXPECT_EQ(scan_pt_now(), model);
    reopen_pt();
    EXPECT_EQ(store_->check_sealed(pt_->id), "");
    EXPECT_EQ(scan_pt_now(), model);
  }
}

// The randomized model test of IncrementalSealTest, with a partitioned table: inserts, updates and deletes
// across buckets (negative ones included), appends, range deletes, seals with random thresholds, key
// ranges and ts zones, REPEATABLE READ snapshots taken before seals and re-read after later ones, a
// writer committing in its own device range throughout, reopens.
TEST_F(PartitionedSealTest, RandomChangesWithSeals) {
  std::mt19937_64 rng(4242);
  PModel model;
  struct Reader {
    std::unique_ptr<Transaction> txn;
    PModel seen;
  };
  std::vector<Reader> readers;
  std::atomic<bool> stop{false};
  std::atomic<int64_t> writer_done{0};
  std::thread writer;
  static constexpr int32_t kWriterDevice =
      100;  // the writer's rows: device 100, ts k, v k (or -k once updated)
  auto start_writer = [&] {
    stop = false;
    writer = std::thread([&] {
      int64_t k = writer_done.load();
      while (!stop && k < 3000) {
        testing::AutoCommit stmt(*store_, RC);
        Datum row[4] = {int_datum(kWriterDevice), int_datum(k), int_datum(k), null_datum()};
        stmt.w->insert(*pt_, row);
        if (k % 2 == 1) {
          Datum upd[4] = {int_datum(kWriterDevice), int_datum(k / 2), int_datum(-(k / 2)), null_datum()};
          stmt.w->update(*pt_, pkey(kWriterDevice, k / 2), upd);
        }
        stmt.commit();
        writer_done = ++k;
      }
    });
  };
  auto stop_writer = [&] {
    stop = true;
    if (writer.joinable()) writer.join();
  };
  auto check_writer_rows = [&](const PModel& got) {
    const int64_t n = writer_done.load();
    int64_t count = 0;
    for (auto it = got.lower_bound({kWriterDevice, INT64_MIN}); it != got.end(); ++it, ++count) {
      const int64_t k = it->first.second;
      const int64_t expect = 2 * k + 1 < n ? -k : k;
      if (it->second.v != expect) {
        ADD_FAILURE() << "writer row " << k << ": " << it->second.v << " != " << expect;
        break;
      }
    }
    EXPECT_EQ(count, n);
  };
  auto own_rows = [](PModel m) {
    m.erase(m.lower_bound({kWriterDevice, INT64_MIN}), m.end());
    return m;
  };
  start_writer();
  for (int step = 0; step < 45; ++step) {
    {
      testing::AutoCommit stmt(*store_);
      const int ops = 1 + static_cast<int>(rng() % 250);
      for (int i = 0; i < ops; ++i) {
        const int kind = static_cast<int>(rng() % 10);
        const int32_t dev = static_cast<int32_t>(rng() % 6);
        int64_t ts;
        if (kind < 3) {  // append past the device's newest reading
          auto it = model.lower_bound({dev + 1, INT64_MIN});
          ts = (it == model.begin() || std::prev(it)->first.first != dev ? -300
                                                                         : std::prev(it)->first.second) +
               1 + static_cast<int64_t>(rng() % 4);
        } else {
          ts = static_cast<int64_t>(rng() % 1400) - 300;  // anywhere, negative buckets too
        }
        PKey k{dev, ts};
        auto it = model.find(k);
        if (kind == 9 &&
            it != model.end()) {  // a range delete of one device's ts window (whole runs at times)
          auto end = model.lower_bound({dev, ts + static_cast<int64_t>(rng() % 200)});
          while (it != end) {
            stmt.w->remove(*pt_, pkey(it->first.first, it->first.second));
            it = model.erase(it);
          }
        } else if (it == model.end()) {
          Row r{static_cast<int64_t>(rng() % 1000), text_of(ts + step)};
          put(*stmt.w, k, r, false);
          model[k] = r;
        } else if (kind == 8) {
          stmt.w->remove(*pt_, pkey(dev, ts));
          model.erase(it);
        } else if (kind == 7) {  // a duplicate of a live key, sealed or not: 23505 from its run
          EXPECT_EQ(sqlstate_of([&] {
                      put(*stmt.w, k, Row{0, std::nullopt}, false);
                    }),
                    "23505")
              << dev << "," << ts;
        } else {
          Row r{it->second.v + 1, text_of(it->second.v)};
          put(*stmt.w, k, r, true);
          it->second = r;
        }
      }
      stmt.commit();
    }
    if (rng() % 3 == 0 && readers.size() < 3) {
      Reader rd{store_->begin(RR), {}};
      auto view = rd.txn->statement_view();
      rd.seen = own_rows(scan_pt(*view));
      EXPECT_EQ(rd.seen, model) << "step " << step;
      readers.push_back(std::move(rd));
    }
    const uint64_t threshold = std::array<uint64_t, 4>{1, 1, 5, 40}[rng() % 4];
    seal(threshold);
    if (step % 4 == 3) store_->compact_table(pt_->id);
    for (Reader& rd : readers) {
      auto view = rd.txn->statement_view();
      EXPECT_EQ(own_rows(scan_pt(*view)), rd.seen) << "step " << step;
    }
    if (rng() % 4 == 0 && !readers.empty()) {
      readers.front().txn->commit();
      readers.erase(readers.begin());
    }
    EXPECT_EQ(own_rows(scan_pt_now()), model) << "step " << step;
    if (::testing::Test::HasFailure()) break;
    for (int i = 0; i < 6; ++i) {  // key ranges and ts zones
      const int32_t d1 = static_cast<int32_t>(rng() % 7), d2 = d1 + static_cast<int32_t>(rng() % 3);
      const int64_t t1 = static_cast<int64_t>(rng() % 1400) - 300,
                    t2 = static_cast<int64_t>(rng() % 1400) - 300;
      ScanSpec spec;
      spec.lower = pkey(d1, t1).substr(keycodec::kTablePrefixSize);
      spec.upper = pkey(d2, t2).substr(keycodec::kTablePrefixSize);
      spec.upper_unbounded = false;
      spec.want_keys = i % 2 == 0;
      PModel want(model.lower_bound({d1, t1}), model.lower_bound(std::max(PKey{d1, t1}, PKey{d2, t2})));
      if (i >= 3) {
        const int64_t zlo = static_cast<int64_t>(rng() % 1400) - 300,
                      zhi = zlo + static_cast<int64_t>(rng() % 300);
        spec.zone.push_back(ts_zone(zlo, zhi));
        std::erase_if(want, [&](const auto& e) { return e.first.second < zlo || e.first.second > zhi; });
      }
      EXPECT_EQ(own_rows(scan_pt_now(spec)), want) << d1 << "," << t1 << " .. " << d2 << "," << t2;
    }
    if (step % 15 == 14) {
      stop_writer();
      check_writer_rows(scan_pt_now());
      readers.clear();
      reopen_pt();
      EXPECT_EQ(store_->check_sealed(pt_->id), "");
      EXPECT_EQ(own_rows(scan_pt_now()), model);
      start_writer();
    }
  }
  stop_writer();
  readers.clear();
  EXPECT_GT(unordered_out_of_order_, 0u);  // scan_pt's unordered scans read runs one after another
  Store::SealResult r = seal();
  EXPECT_EQ(r.versions_kept, 0u);
  PModel got = scan_pt_now();
  check_writer_rows(got);
  EXPECT_EQ(own_rows(got), model);
  // Everything sealed: a zone of one bucket reads sealed rows of that bucket only (its run), no other run.
  ScanSpec spec;
  spec.zone.push_back(ts_zone(500, 599));
  ScanStats stats;
  PModel zone_rows = scan_pt_now(spec, &stats);
  EXPECT_EQ(stats.sealed_rows, zone_rows.size());
  EXPECT_EQ(stats.row_store_rows, 0u);
}

}  // namespace
}  // namespace omendb::storage
