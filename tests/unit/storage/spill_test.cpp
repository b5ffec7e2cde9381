// Spilled writes of a large COPY (StatementWriter::allow_spill, docs/mvcc.md "Spilled writes of a large
// COPY"): the statement's rows go into RocksDB before the commit, invisible to every reader; the commit
// checks them, writes one commit record and moves them into the tables; a rollback or a crash before the
// record drops them, a crash after it is finished at the next open. The crash tests run the writer in a
// child process (this test binary again) that exits at a sync point, as a kill -9 would stop it.
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/error.h"
#include "common/sync_point.h"
#include "storage/key_codec.h"
#include "storage/store.h"
#include "test_util.h"

namespace omendb::storage {
namespace {

using testing::col;
using testing::int_datum;
using testing::sqlstate_of;
using testing::TempDir;
using testing::test_options;

constexpr auto RC = IsolationLevel::ReadCommitted;
constexpr auto RR = IsolationLevel::RepeatableRead;
constexpr uint64_t kSpillBytes = 16384;  // the writers spill every few dozen rows

StoreOptions spill_options(const std::string& dir) {
  StoreOptions o;
  o.data_dir = dir;
  o.sync_commits = false;
  o.block_cache_bytes = 8u << 20;
  o.spill_move_batch_bytes = 4096;  // the commit's move takes many steps
  return o;
}

// Table kv(id bigint primary key, v bigint not null) with a (non-unique) index on v.
TableDefPtr kv_table(Store& store) {
  if (TableDefPtr t = store.catalog().find("kv")) return t;
  TableDef d;
  d.name = "kv";
  d.columns = {col("id", TypeId::Int64), col("v", TypeId::Int64, true)};
  d.primary_key = {0};
  store.catalog().create_table(d);
  TableDef def = *store.catalog().find("kv");
  IndexDef ix;
  ix.id = store.catalog().allocate_id();
  ix.name = "kv_v";
  ix.attnums = {2};
  def.indexes.push_back(ix);
  Store::AlterWork work;
  work.build_indexes = {ix.id};
  work.fence = true;
  store.alter_table(std::move(def), work);
  return store.catalog().find("kv");
}

// One statement in a transaction of its own whose writer may spill (an autocommit COPY).
struct Copy : testing::AutoCommit {
  explicit Copy(Store& store, uint64_t spill_bytes = kSpillBytes) : AutoCommit(store, RC) {
    w->allow_spill(spill_bytes);
  }
  void insert(const TableDef& t, int64_t id) {
    Datum row[2] = {int_datum(id), int_datum(id * 10)};
    w->insert(t, row);
  }
  // Inserts ids [from, to); returns the most memory the transaction held meanwhile.
  uint64_t insert(const TableDef& t, int64_t from, int64_t to) {
    uint64_t most = 0;
    for (int64_t id = from; id < to; ++id) {
      insert(t, id);
      most = std::max(most, txn->memory_used());
    }
    return most;
  }
};

// Rows of kv a view sees, through the table or through its index on v; checks every v is id * 10.
uint64_t count(const ReadView& view, const TableDefPtr& t, bool through_index = false) {
  ScanSpec s;
  s.table = t;
  s.columns = {true, true};
  if (through_index) {
    s.index_id = t->indexes.at(0).id;
    s.index_valid_from = t->indexes.at(0).valid_from_ts;
  }
  uint64_t n = 0;
  auto c = view.scan(s);
  while (const ColumnBatch* b = c->next()) {
    for (uint64_t r = 0; r < b->count; ++r) {
      const int64_t id = static_cast<int64_t*>(b->columns[0].data)[r];
      EXPECT_EQ(static_cast<int64_t*>(b->columns[1].data)[r], id * 10);
    }
    n += b->count;
  }
  return n;
}

// Keys under a metadata letter ('P': spilled writes, 'R': their commit records).
uint64_t meta_keys(Store& store, char letter) {
  const std::string lower = std::string("\0\0\0\0", 4) + letter;
  std::string upper = lower;
  upper.back() = static_cast<char>(letter + 1);
  rocksdb::Slice u(upper);
  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;
  ro.iterate_upper_bound = &u;
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(ro));
  uint64_t n = 0;
  for (it->Seek(lower); it->Valid(); it->Next()) ++n;
  EXPECT_TRUE(it->status().ok());
  return n;
}

void seed(Store& store, const TableDef& t, int64_t id) {
  auto txn = store.begin(RR);
  auto view = txn->statement_view();
  auto w = txn->writer(*view);
  Datum row[2] = {int_datum(id), int_datum(id * 10)};
  w->insert(t, row);
  w->apply();
  txn->commit();
}

class SpillTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = Store::open(spill_options(dir_.path()));
    kv_ = kv_table(*store_);
  }
  TempDir dir_;
  std::unique_ptr<Store> store_;
  TableDefPtr kv_;
};

TEST_F(SpillTest, RowsSpillInBoundedMemoryAndCommitAllAtOnce) {
  seed(*store_, *kv_, 0);
  auto before = store_->begin(RR);  // a snapshot from before the COPY's commit
  auto before_view = before->statement_view();
  Copy copy(*store_);
  const uint64_t most = copy.insert(*kv_, 1, 20001);
  EXPECT_LT(most, 4 * kSpillBytes) << "the rows stayed in memory";
  EXPECT_GT(meta_keys(*store_, 'P'), 30000u);  // rows and index entries
  EXPECT_EQ(count(*store_->read_view(), kv_), 1u);
  EXPECT_EQ(count(*store_->read_view(), kv_, true), 1u);
  copy.commit();
  EXPECT_EQ(count(*store_->read_view(), kv_), 20001u);
  EXPECT_EQ(count(*store_->read_view(), kv_, true), 20001u);
  EXPECT_EQ(count(*before_view, kv_), 1u);  // the older snapshot does not see the commit
  EXPECT_EQ(count(*before->statement_view(), kv_, true), 1u);
  EXPECT_EQ(meta_keys(*store_, 'P'), 0u);
  EXPECT_EQ(meta_keys(*store_, 'R'), 0u);
  // Every row is one version, and later writers see the rows (a duplicate is 23505).
  Copy again(*store_);
  EXPECT_EQ(sqlstate_of([&] { again.insert(*kv_, 777); }), "23505");
}

TEST_F(SpillTest, RollbackAndDestructionDropTheSpilledRows) {
  {
    Copy copy(*store_);
    copy.insert(*kv_, 1, 5001);
    EXPECT_GT(meta_keys(*store_, 'P'), 0u);
    copy.txn->rollback();
  }
  EXPECT_EQ(count(*store_->read_view(), kv_), 0u);
  {
    Copy copy(*store_);
    copy.insert(*kv_, 1, 5001);
    copy.w->apply();
  }  // destroyed uncommitted (a failed COPY, a client gone)
  EXPECT_EQ(count(*store_->read_view(), kv_), 0u);
  store_->compact();
  EXPECT_EQ(meta_keys(*store_, 'P'), 0u);
  Copy copy(*store_);  // the same keys again
  copy.insert(*kv_, 1, 5001);
  copy.commit();
  EXPECT_EQ(count(*store_->read_view(), kv_), 5000u);
}

TEST_F(SpillTest, DuplicatesOfSpilledRowsAndOfCommittedRows) {
  {
    Copy copy(*store_);
    copy.insert(*kv_, 1, 3001);
    EXPECT_EQ(sqlstate_of([&] { copy.insert(*kv_, 5); }), "23505");  // out of order, spilled
    EXPECT_EQ(sqlstate_of([&] { copy.insert(*kv_, 3000); }), "23505");
  }
  seed(*store_, *kv_, 2500);
  {
    Copy copy(*store_);
    copy.insert(*kv_, 1, 2500);
    EXPECT_EQ(sqlstate_of([&] { copy.insert(*kv_, 2500); }), "23505");
  }
  EXPECT_EQ(count(*store_->read_view(), kv_), 1u);
  EXPECT_EQ(meta_keys(*store_, 'P'), 0u);
}

// A transaction that commits a key the COPY spilled, after the COPY's snapshot: the COPY's commit finds it
// (first committer wins, 40001) and nothing of the COPY is committed.
TEST_F(SpillTest, ConcurrentCommitOfASpilledKeyFailsTheCopy) {
  {
    Copy copy(*store_);
    copy.insert(*kv_, 1, 3001);
    seed(*store_, *kv_, 10);  // takes no lock the COPY holds: it gave its row locks back
    SqlError e(SqlState::InternalError, "none");
    EXPECT_EQ(sqlstate_of([&] { copy.commit(); }, &e), "40001") << e.what();
  }  // the failed transaction ends
  EXPECT_EQ(count(*store_->read_view(), kv_), 1u);
  EXPECT_EQ(meta_keys(*store_, 'P'), 0u);
}

// A commit of a key of a COPY whose rows are still moving into the table (its commit record written):
// that commit finds the key among the spilled ones and fails (40001); the COPY's rows all arrive.
TEST_F(SpillTest, CommitDuringTheMoveFindsTheSpilledKeys) {
  Copy copy(*store_);
  copy.insert(*kv_, 1, 3001);
  copy.w->apply();
  std::string other;
  std::thread writer;
  sync_point::Scope sp;
  bool once = false;
  sync_point::set_callback("move_spilled:AfterBatch", [&](void*) {
    if (once) return;
    once = true;
    writer = std::thread([&] {
      auto txn = store_->begin(RC);
      auto view = txn->statement_view();
      auto w = txn->writer(*view);
      Datum row[2] = {int_datum(2999), int_datum(29990)};  // in the COPY's last step
      other = sqlstate_of([&] {
        w->insert(*kv_, row);
        w->apply();
        txn->commit();
      });
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  });
  copy.txn->commit();
  writer.join();
  EXPECT_TRUE(once);
  EXPECT_TRUE(other == "40001" || other == "23505") << other;
  EXPECT_EQ(count(*store_->read_view(), kv_), 3000u);
  EXPECT_EQ(count(*store_->read_view(), kv_, true), 3000u);
}

// A write of the move fails after the commit record: the COPY's commit fails with 58030 (it is committed,
// its rows not visible yet); a later commit fails with 58030 instead of waiting for ever for it to become
// visible; the next open finishes the move, and both are there.
TEST_F(SpillTest, FailedMoveFailsLaterCommitsInsteadOfHangingAndTheOpenFinishesIt) {
  Copy copy(*store_);
  copy.insert(*kv_, 1, 3001);
  copy.w->apply();
  {
    sync_point::Scope sp;
    sync_point::set_callback("move_spilled:AfterBatch", [&](void* arg) {
      *static_cast<rocksdb::Status*>(arg) = rocksdb::Status::IOError("injected");
    });
    EXPECT_EQ(sqlstate_of([&] { copy.txn->commit(); }), "58030");
  }
  EXPECT_EQ(count(*store_->read_view(), kv_), 0u);
  EXPECT_EQ(sqlstate_of([&] { seed(*store_, *kv_, 5000); }), "58030");
  copy.w.reset();  // (the failed transaction goes before the store closes)
  copy.view.reset();
  copy.txn.reset();
  store_.reset();
  store_ = Store::open(spill_options(dir_.path()));
  kv_ = store_->catalog().find("kv");
  EXPECT_EQ(count(*store_->read_view(), kv_), 3001u);  // the COPY's 3,000 rows and the later one
  EXPECT_EQ(count(*store_->read_view(), kv_, true), 3001u);
  EXPECT_EQ(meta_keys(*store_, 'P'), 0u);
  EXPECT_EQ(meta_keys(*store_, 'R'), 0u);
}

// ---- Crashes: a child process runs the COPY and exits at a sync point (no cleanup, as kill -9).

const char* kChildDir = "OMEN_SPILL_CHILD_DIR";
const char* kChildMode = "OMEN_SPILL_CHILD_MODE";

// The child's side (skipped unless the crash tests run it): seeds row 0, COPYs ids 1..20000 and exits
// with 0 where the mode says, 3 if it got past it.
TEST(SpillChild, Run) {
  const char* dir = std::getenv(kChildDir);
  const char* mode_env = std::getenv(kChildMode);
  if (!dir || !mode_env) GTEST_SKIP() << "run by the SpillCrash tests";
  const std::string mode = mode_env;
  auto store = Store::open(spill_options(dir));
  TableDefPtr kv = kv_table(*store);
  seed(*store, *kv, 0);
  sync_point::enable();
  const char* point = mode == "before_record"  ? "TransactionImpl::commit_spilled:BeforeRecord"
                      : mode == "after_record" ? "TransactionImpl::commit_spilled:AfterRecord"
                                               : "move_spilled:AfterBatch";
  sync_point::set_callback(point, [](void*) { ::_exit(0); });
  Copy copy(*store);
  copy.insert(*kv, 1, 20001);
  copy.w->apply();
  if (mode == "spilled") ::_exit(0);
  copy.txn->commit();
  ::_exit(3);
}

int run_child(const std::string& dir, const std::string& mode) {
  char self[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return -1;
  self[n] = '\0';
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setenv(kChildDir, dir.c_str(), 1);
    ::setenv(kChildMode, mode.c_str(), 1);
    ::execl(self, self, "--gtest_filter=SpillChild.Run", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

void crash_and_reopen(const std::string& mode, uint64_t rows_after) {
  TempDir dir;
  ASSERT_EQ(run_child(dir.path(), mode), 0) << mode;
  auto store = Store::open(spill_options(dir.path()));
  TableDefPtr kv = store->catalog().find("kv");
  ASSERT_TRUE(kv);
  EXPECT_EQ(count(*store->read_view(), kv), rows_after) << mode;
  EXPECT_EQ(count(*store->read_view(), kv, true), rows_after) << mode;
  EXPECT_EQ(meta_keys(*store, 'P'), 0u) << mode;
  EXPECT_EQ(meta_keys(*store, 'R'), 0u) << mode;
  // The store goes on: another spilled COPY (transaction ids start again after a restart).
  {
    Copy copy(*store);
    copy.insert(*kv, 100001, 103001);
    copy.commit();
  }
  EXPECT_EQ(count(*store->read_view(), kv), rows_after + 3000) << mode;
  // And once more after a clean reopen.
  kv.reset();
  store.reset();
  store = Store::open(spill_options(dir.path()));
  kv = store->catalog().find("kv");
  EXPECT_EQ(count(*store->read_view(), kv), rows_after + 3000) << mode;
}

TEST(SpillCrash, BeforeTheCommitNothingIsCommitted) {
  crash_and_reopen("spilled", 1);
  crash_and_reopen("before_record", 1);
}

TEST(SpillCrash, AfterTheCommitRecordEverythingIsCommitted) {
  crash_and_reopen("after_record", 20001);
  crash_and_reopen("mid_move", 20001);
}

}  // namespace
}  // namespace omendb::storage
