// Storage-internal helpers shared by store.cpp and catalog.cpp. Not part of the public interface: this
// header includes RocksDB.
//
// Key spaces in the single (default) column family:
//   [00 00 00 00] 'C' [table id: 4 bytes BE]   catalog: one serialized TableDef per table
//   [00 00 00 00] 'N'                          catalog: next table id to assign (4 bytes BE)
//   [00 00 00 00] 'T'                          commit timestamps reserved so far (8 bytes BE): every
//                                              commit timestamp ever used is <= it (see TimestampOracle)
//   [00 00 00 00] 'B' [first row's storage key] a sealed column block (docs/columnar.md): the storage key
//                                              (table prefix + primary key) of its first row, so a
//                                              table's blocks are contiguous and in key order
//   [00 00 00 00] 'S' [table id: 4 bytes BE]   sealed-data manifest of a table: horizon, blocks, rows, bytes
//   [00 00 00 00] 'A' [table id: 4 bytes BE]   ANALYZE's statistics of a table (Store::set_table_stats)
//   [00 00 00 00] 'P' [txn id: 8 bytes BE] [storage key]  a write a large COPY spilled before its commit
//                                              (docs/mvcc.md, "Spilled writes of a large COPY"): its
//                                              flags, read_ts and row (meta::encode_spilled_op)
//   [00 00 00 00] 'R' [txn id: 8 bytes BE]     commit record of a transaction with spilled writes: its
//                                              commit timestamp (8 bytes BE); present from the commit
//                                              until its spilled writes are in the tables
//   [table id >= 1: 4 bytes BE] ...            table rows (see key_codec.h, row_codec.h), and under an
//                                              index's id its entries (catalog.h, IndexDef)
// Table id 0 is reserved for this metadata and is never assigned to a table.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/status.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/error.h"
#include "common/memory.h"
#include "storage/key_codec.h"
#include "storage/lock_manager.h"
#include "storage/store.h"

namespace omendb::storage {

namespace sealed {
struct BlockIndex;
}  // namespace sealed

// The one place RocksDB failures become SQL errors (58030 io_error).
[[noreturn]] void throw_rocksdb_error(const rocksdb::Status& status, std::string_view context);
inline void check_status(const rocksdb::Status& status, std::string_view context) {
  if (!status.ok()) throw_rocksdb_error(status, context);
}

// Every write into RocksDB goes through here (DB::Write; nothing calls DB::Put and the like, which are
// one-entry batches through DB::Write). Under ThreadSanitizer (build-tsan) RocksDB is Debian's build,
// not instrumented: TSan sees its memory accesses only where it calls an intercepted libc function
// (memcpy, memset: e.g. from std::string), cannot unwind its frames, and does not see the std::atomic
// hand-overs that order its write-group leaders (docs/reliability.md). So an access RocksDB makes inside
// DB::Write, such as each group leader clearing the batch it merged the group into (DBImpl::tmp_batch_),
// shows our caller as its innermost frame and looks unordered with the previous leader's. This function
// is the frame tests/tsan.supp names for such accesses; it does nothing but call DB::Write.
rocksdb::Status write_to_rocksdb(rocksdb::DB& db, const rocksdb::WriteOptions& options,
                                 rocksdb::WriteBatch& batch);

namespace meta {
inline std::string catalog_prefix() {
  return std::string("\0\0\0\0C", 5);
}
inline std::string catalog_key(uint32_t table_id) {
  std::string k = catalog_prefix();
  keycodec::append_table_prefix(table_id, k);
  return k;
}
inline std::string next_table_id_key() {
  return std::string("\0\0\0\0N", 5);
}
// A sequence: its definition and position (catalog.cpp).
inline std::string sequence_key(uint32_t id) {
  std::string k("\0\0\0\0Q", 5);
  keycodec::append_table_prefix(id, k);
  return k;
}
inline std::string sequence_prefix() {
  return std::string("\0\0\0\0Q", 5);
}
// COMMENT ON SCHEMA: the comment of the schema with this namespace OID (catalog.cpp).
inline std::string schema_comment_key(uint32_t namespace_oid) {
  std::string k("\0\0\0\0D", 5);
  keycodec::append_table_prefix(namespace_oid, k);
  return k;
}
inline std::string schema_comment_prefix() {
  return std::string("\0\0\0\0D", 5);
}
// A schema (CREATE SCHEMA): its definition (catalog.cpp). 'H', not 'S': 'S' is the sealed manifests'
// (sealed_manifest_key). Every meta key is "\0\0\0\0" and one letter, each letter one kind: A table
// statistics, B blocks, C tables, D schema comments, H schemas, N next table id, Q sequences, S sealed
// manifests, T commit ts, P spilled writes, R commit records of spilled writes.
inline std::string schema_key(uint32_t id) {
  std::string k("\0\0\0\0H", 5);
  keycodec::append_table_prefix(id, k);
  return k;
}
inline std::string schema_prefix() {
  return std::string("\0\0\0\0H", 5);
}
// ANALYZE's statistics of a table (Store::set_table_stats).
inline std::string table_stats_key(uint32_t table_id) {
  std::string k("\0\0\0\0A", 5);
  keycodec::append_table_prefix(table_id, k);
  return k;
}
inline std::string table_stats_prefix() {
  return std::string("\0\0\0\0A", 5);
}
inline std::string commit_ts_key() {
  return std::string("\0\0\0\0T", 5);
}

// Sealed column blocks of a table: block_key(first row's storage key); the table's blocks all start
// with block_prefix(table id).
inline std::string block_prefix(uint32_t table_id) {
  std::string k("\0\0\0\0B", 5);
  keycodec::append_table_prefix(table_id, k);
  return k;
}
inline std::string block_key(std::string_view first_storage_key) {
  std::string k("\0\0\0\0B", 5);
  k.append(first_storage_key);
  return k;
}
inline std::string sealed_manifest_key(uint32_t table_id) {
  std::string k("\0\0\0\0S", 5);
  keycodec::append_table_prefix(table_id, k);
  return k;
}

inline void append_be(uint64_t v, int bytes, std::string& out) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
inline uint64_t read_be(std::string_view s) {
  uint64_t v = 0;
  for (char c : s) v = (v << 8) | static_cast<uint8_t>(c);
  return v;
}
// Spilled writes of transaction `txn` (every one starts with spill_prefix(txn)) and its commit record.
inline std::string spill_all_prefix() {
  return std::string("\0\0\0\0P", 5);
}
inline std::string spill_prefix(uint64_t txn) {
  std::string k = spill_all_prefix();
  append_be(txn, 8, k);
  return k;
}
inline std::string spill_commit_prefix() {
  return std::string("\0\0\0\0R", 5);
}
inline std::string spill_commit_key(uint64_t txn) {
  std::string k = spill_commit_prefix();
  append_be(txn, 8, k);
  return k;
}
}  // namespace meta

// One buffered write of a transaction or statement, keyed by storage key (table prefix + primary key).
struct WriteOp {
  bool is_delete = false;
  bool must_not_exist = false;  // an insert of a key absent from the reader's view
  bool fresh_rowid = false;     // hidden row id allocated by this transaction: no other writer can have it
  // A put of a key whose stored row this transaction (or statement) deleted first: committed as a new row
  // (rowcodec::kKindNewRow), not as the next version of the deleted one.
  bool new_row = false;
  uint64_t read_ts = 0;  // snapshot the write was based on: a newer committed version is a conflict
                         // (kNoConflictCheck: a secondary index entry, see below)
  // Puts: the encoded row. Deletes: empty, or the storage key the row moved to when an UPDATE changed its
  // primary key; the tombstone written at commit carries it (rowcodec::encode_tombstone), so that a
  // READ COMMITTED writer that waited for the row follows it to its new key (docs/mvcc.md).
  std::string value;
};
using WriteSet = std::map<std::string, WriteOp, std::less<>>;

// read_ts of a secondary index entry's write: the commit does not check it for conflicts. An entry is
// derived from a row write of the same transaction (same primary key, so the same row lock and the
// row's own first-committer-wins check): two transactions can only write one entry by writing one row.
constexpr uint64_t kNoConflictCheck = UINT64_MAX;

// The storage key of `index`'s entry for `row` (values in table column order), stored under
// `storage_key` (table prefix + primary key); and the entry's value (row kind + storage key).
// Empty when the row has no entry (a partial index's predicate is not true for it). `eval` computes an
// expression or partial index's values (XX000 without one).
std::string index_entry_key(const TableDef& table, const IndexDef& index, const Datum* row,
                            std::string_view storage_key, const IndexEvaluator* eval);
std::string index_entry_value(std::string_view storage_key);
// The entry key's first part: index prefix + the indexed values (the unique value a UNIQUE index locks
// and checks); empty when the row has no entry. `has_null`: set to whether one of the values is NULL.
std::string index_entry_prefix(const TableDef& table, const IndexDef& index, const Datum* row, bool* has_null,
                               const IndexEvaluator* eval);
// 23505 for a UNIQUE index: "duplicate key value violates unique constraint" / "Key (a)=(1) already
// exists." or, `build`, "could not create unique index" / "... is duplicated.", with the constraint fields.
SqlError unique_violation_error(const TableDef& table, const IndexDef& index, const Datum* row, bool build,
                                const IndexEvaluator* eval);

// What one buffered write counts against its transaction's memory limit (Transaction::set_memory_limit):
// the map node with its key string and WriteOp (~112 bytes), the key's and the row's bytes, and what the
// commit copies: the key with its version and the row into the RocksDB write batch, and the key into the
// in-flight key set (another map node). Counting the commit's copies with the write means a transaction
// that wrote within its limit never fails it at COMMIT.
inline uint64_t write_charge(std::string_view key, const WriteOp& op) {
  return 200 + 2 * key.size() + 2 * op.value.size();
}
// What one row lock counts: the transaction's entry for it and the lock manager's (key, holders, queue).
inline uint64_t lock_charge(std::string_view key) {
  return 192 + 2 * key.size();
}

// When commit timestamps became visible, for sealing by age (Store::visible_at; docs/columnar.md,
// "Sealing by age"): observations (time, visible_ts), oldest first. Each is true (every commit at or below
// that timestamp was visible at that time), so answering from an older one only seals less. At most two
// entries a second are kept; the newest is always the latest observation; past kMaxEntries
// every other entry of the older half is dropped, so old times get coarser and memory stays bounded.
class CommitClock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  void note(TimePoint now, uint64_t visible);
  uint64_t visible_at(TimePoint t) const;  // 0: nothing known that old

 private:
  static constexpr size_t kMaxEntries = 4096;
  mutable std::mutex mutex_;
  std::deque<std::pair<TimePoint, uint64_t>> entries_;  // mutex_
};

// Store's shared mutable state. Store::State (private in store.h) derives from it so that storage-internal
// classes can name it.
struct StoreState {
  // --- timestamp oracle
  // Commit timestamps are assigned under commit_mutex, strictly increasing. Every timestamp used is
  // <= reserved_ts, which is persisted (synchronously) before it is exceeded, in blocks: after a
  // restart the oracle continues above the reservation, so timestamps never repeat even though commit
  // batches may reach RocksDB out of timestamp order.
  static constexpr uint64_t kReserveBlock = 1 << 20;
  uint64_t last_assigned_ts = 0;  // commit_mutex
  uint64_t reserved_ts = 0;       // commit_mutex
  // Newest timestamp T such that every commit with a timestamp <= T is fully written: new snapshots
  // read at visible_ts.
  std::atomic<uint64_t> visible_ts{0};

  // --- commits
  // Conflict checks, timestamp assignment and DROP TABLE run under commit_mutex; the durable RocksDB
  // write runs outside it, so concurrent committers share WAL fsyncs (RocksDB write groups).
  // Lock order: commit_mutex before Catalog::mutex_.
  std::mutex commit_mutex;
  // DDL and commits are ordered: a DROP TABLE announces itself (ddl_pending), so no new commit starts
  // its conflict check, then waits until no commit is in flight (between its check and the end of its
  // write), so a commit that passed the "table still exists" check writes its rows before the table's
  // range is deleted, never after (which would leave rows under a dropped table id for ever).
  int ddl_pending = 0;               // commit_mutex
  std::condition_variable ddl_done;  // signalled when ddl_pending drops to 0
  // Keys of commits that have a timestamp but are not yet written (for conflict checks) and their
  // timestamps (for visible_ts).
  std::map<std::string, uint64_t, std::less<>> inflight_keys;  // commit_mutex
  std::set<uint64_t> inflight_ts;                              // commit_mutex
  // Commits of spilled writes (a large COPY) that have a timestamp but whose writes are still moving
  // into the tables: their keys are not in inflight_keys but under meta::spill_prefix(txn), between
  // min_key and max_key; a conflict check looks them up there (newest_version_ts).
  struct InflightSpill {
    uint64_t txn = 0;
    uint64_t ts = 0;
    std::string min_key, max_key;
  };
  std::vector<InflightSpill> inflight_spills;  // commit_mutex
  rocksdb::DB* db = nullptr;                   // set at open
  // Commit timestamp of the last TRUNCATE or table rewrite (ALTER TABLE ADD PRIMARY KEY) of a table since
  // the server started: a commit with a write to the table based on an older snapshot fails (40001).
  std::unordered_map<uint32_t, uint64_t> table_reset_ts;  // commit_mutex
  // Commit timestamp of the last commit that wrote each table since the server started (rows or index
  // entries): an ALTER TABLE / CREATE INDEX inside a transaction that read the rows earlier fails at COMMIT
  // (CatalogOverlay::rows_read_at).
  std::unordered_map<uint32_t, uint64_t> table_commit_ts;  // commit_mutex
  // The next commit timestamp (caller holds commit_mutex); persists a new reservation when needed.
  uint64_t assign_commit_ts(rocksdb::DB* db);
  // Sealing by age: when visible_ts advanced (publish_visible notes it), by `clock` (StoreOptions::clock);
  // visible_ts when the store opened stands for every older commit.
  CommitClock commit_clock;
  std::function<std::chrono::steady_clock::time_point()> clock;
  uint64_t opened_visible_ts = 0;
  std::chrono::steady_clock::time_point now() const {
    return clock ? clock() : std::chrono::steady_clock::now();
  }
  // Makes commits up to `ts` visible to new snapshots (caller holds commit_mutex) and notes when.
  void publish_visible(uint64_t ts) {
    visible_ts.store(ts);
    commit_clock.note(now(), ts);
    visible_advanced.notify_all();
  }
  // Signalled when visible_ts advances: a commit is acknowledged only once it is visible, so a client
  // that got COMMIT sees its commit (and every earlier one) in its next snapshot.
  std::condition_variable visible_advanced;
  // A committed transaction whose spilled rows could not be moved (a write failed after its commit record:
  // docs/mvcc.md, "Spilled writes of a large COPY") stays in flight until the next open finishes the move,
  // so visible_ts stops below it. Set under commit_mutex; from then on wait_visible fails instead of
  // waiting for ever.
  bool commit_stuck = false;
  // Waits on visible_advanced (caller holds commit_mutex in `lock`) until `done`; 58030 if a commit is stuck
  // (commit_stuck) and `done` has not come: no later commit can become visible before a restart.
  template <class Done>
  void wait_visible(std::unique_lock<std::mutex>& lock, Done done) {
    visible_advanced.wait(lock, [&] { return done() || commit_stuck; });
    if (!done())
      throw SqlError(
          SqlState::IoError,
          "commits cannot become visible: a committed transaction's spilled rows could not be moved")
          .with_detail(
              "Transactions committed from then on are durable and become visible when the server "
              "restarts.")
          .with_hint("Check the storage device and the kernel log, then restart the server.");
  }

  // --- snapshots in use, for garbage collection
  mutable std::mutex snapshot_mutex;
  std::multiset<uint64_t> active_snapshots;  // snapshot_mutex
  // Takes a snapshot at visible_ts and registers it until release_snapshot.
  uint64_t acquire_snapshot() {
    std::lock_guard lock(snapshot_mutex);
    uint64_t ts = visible_ts.load();
    active_snapshots.insert(ts);
    return ts;
  }
  // Registers one more holder of a timestamp that is registered already (so garbage collection cannot
  // have passed it): a transaction keeps the read timestamp of its writes after their statement ended.
  void pin_snapshot(uint64_t ts) {
    std::lock_guard lock(snapshot_mutex);
    active_snapshots.insert(ts);
  }
  void release_snapshot(uint64_t ts) {
    std::lock_guard lock(snapshot_mutex);
    auto it = active_snapshots.find(ts);
    if (it != active_snapshots.end()) active_snapshots.erase(it);
  }
  uint64_t oldest_snapshot() const {
    std::lock_guard lock(snapshot_mutex);
    return active_snapshots.empty() ? visible_ts.load() : *active_snapshots.begin();
  }
  // --- row locks (lock_manager.h), held by transactions (numbered from next_txn_id) until they end; their
  // waits are edges of wait_graph, which the engine's table locks join too (wait_graph.h)
  WaitGraph wait_graph;
  LockManager locks{wait_graph};
  std::atomic<uint64_t> next_txn_id{1};
  // Sealing (Store::seal): one seal of a table at a time; DROP TABLE and ALTER TABLE take the table's
  // seal mutex too (before commit_mutex), so a seal's writes never land after a drop or across a change
  // of the table's layout. Seals and DDL of different tables do not wait for each other.
  std::shared_ptr<std::mutex> seal_mutex(uint32_t table_id) {
    std::lock_guard lock(seal_mutexes_mutex);
    auto& m = seal_mutexes[table_id];
    if (!m) m = std::make_shared<std::mutex>();
    return m;
  }
  std::mutex seal_mutexes_mutex;
  std::unordered_map<uint32_t, std::shared_ptr<std::mutex>> seal_mutexes;  // seal_mutexes_mutex
  // Tables that have (or had, since the server started) sealed blocks. Garbage collection keeps their
  // tombstones even in a full compaction: a tombstone may mask a sealed row, which no compaction sees.
  mutable std::mutex sealed_tables_mutex;
  std::set<uint32_t> sealed_tables;  // sealed_tables_mutex
  bool table_sealed(uint32_t table_id) const {
    std::lock_guard lock(sealed_tables_mutex);
    return sealed_tables.count(table_id) != 0;
  }
  // ANALYZE's statistics by table id (Store::set_table_stats; loaded at open).
  mutable std::mutex table_stats_mutex;
  std::unordered_map<uint32_t, std::shared_ptr<const TableStats>> table_stats;  // table_stats_mutex
  void note_sealed(uint32_t table_id) {
    std::lock_guard lock(sealed_tables_mutex);
    sealed_tables.insert(table_id);
  }
  // In-memory block index per sealed table (sealed.h BlockIndex; docs/columnar.md, "Block metadata in
  // memory"), versioned by RocksDB sequence numbers so that a reader picks the index of exactly the blocks
  // its RocksDB snapshot sees. Every write that changes a table's blocks (seal steps, TRUNCATE, ALTER TABLE
  // rewrites, DROP TABLE) holds the table's seal mutex and brackets itself with begin_blocks_change (before
  // the write: the latest sequence number, below the write's) and end_blocks_change (after it: the latest
  // sequence number, at or above the write's, and the index of the blocks it leaves). A snapshot at or below
  // the first sees the index before the write, one at or above the second the index after it; one in
  // between (rare: a snapshot taken while the write runs) gets no index and reads the block headers
  // from RocksDB as before. A write that fails drops the table's index (until the next seal rebuilds it).
  struct TableBlocks {
    std::shared_ptr<const sealed::BlockIndex> current;  // the blocks at every sequence >= current_from
    uint64_t current_from = 0;
    std::shared_ptr<const sealed::BlockIndex> previous;  // the blocks at every sequence <= previous_to
    uint64_t previous_to = 0;
    bool changing = false;  // a write is under way, invisible to sequences <= changing_from
    uint64_t changing_from = 0;
  };
  mutable std::mutex block_index_mutex;
  std::unordered_map<uint32_t, TableBlocks> block_indexes;  // block_index_mutex
  // The table's blocks as a snapshot at RocksDB sequence `seq` sees them; nullptr when unknown.
  std::shared_ptr<const sealed::BlockIndex> block_index(uint32_t table_id, uint64_t seq) const {
    std::lock_guard lock(block_index_mutex);
    auto it = block_indexes.find(table_id);
    if (it == block_indexes.end()) return nullptr;
    const TableBlocks& t = it->second;
    if (t.changing && seq > t.changing_from) return nullptr;
    if (t.current && seq >= t.current_from) return t.current;
    if (t.previous && seq <= t.previous_to) return t.previous;
    return nullptr;
  }
  // The latest index, for the table's block writers (who hold its seal mutex); nullptr when unknown.
  std::shared_ptr<const sealed::BlockIndex> latest_block_index(uint32_t table_id) const {
    std::lock_guard lock(block_index_mutex);
    auto it = block_indexes.find(table_id);
    if (it == block_indexes.end() || it->second.changing) return nullptr;
    return it->second.current;
  }
  void begin_blocks_change(uint32_t table_id, uint64_t seq_before) {
    std::lock_guard lock(block_index_mutex);
    TableBlocks& t = block_indexes[table_id];
    t.changing = true;
    t.changing_from = seq_before;
  }
  // `now`: the blocks after the write (nullptr: unknown, e.g. the write failed).
  void end_blocks_change(uint32_t table_id, std::shared_ptr<const sealed::BlockIndex> now,
                         uint64_t seq_after) {
    std::lock_guard lock(block_index_mutex);
    TableBlocks& t = block_indexes[table_id];
    t.previous = t.current;
    t.previous_to = t.changing ? t.changing_from : 0;
    if (!t.changing) t.previous = nullptr;
    t.current = std::move(now);
    t.current_from = seq_after;
    t.changing = false;
  }
  void forget_block_index(uint32_t table_id) {
    std::lock_guard lock(block_index_mutex);
    block_indexes.erase(table_id);
  }

  Catalog* catalog = nullptr;  // set once the catalog is loaded

  // Hidden row id counters: next id per table, initialized lazily from the table's last key.
  std::mutex rowid_mutex;
  std::unordered_map<uint32_t, int64_t> next_rowid;

  int64_t allocate_rowid(rocksdb::DB* db, uint32_t table_id);
  void forget_table(uint32_t table_id) {
    {
      std::lock_guard lock(rowid_mutex);
      next_rowid.erase(table_id);
    }
    // A seal waiting on the mutex keeps it alive and then finds the table gone (table ids are not reused).
    std::lock_guard lock(seal_mutexes_mutex);
    seal_mutexes.erase(table_id);
  }
};

struct Store::State : StoreState {};

// Brackets one RocksDB write that changes a table's sealed blocks (StoreState::TableBlocks). Construct
// it right before the write; call done() with the index of the blocks the write leaves right after it
// succeeded. Destroyed without done() (the write failed or threw), it drops the table's index.
class BlocksChange {
 public:
  BlocksChange(StoreState& st, rocksdb::DB& db, uint32_t table_id) : st_(st), db_(db), table_id_(table_id) {
    st_.begin_blocks_change(table_id_, db_.GetLatestSequenceNumber());
  }
  BlocksChange(const BlocksChange&) = delete;
  BlocksChange& operator=(const BlocksChange&) = delete;
  void done(std::shared_ptr<const sealed::BlockIndex> now) {
    st_.end_blocks_change(table_id_, std::move(now), db_.GetLatestSequenceNumber());
    done_ = true;
  }
  ~BlocksChange() {
    if (!done_) st_.end_blocks_change(table_id_, nullptr, db_.GetLatestSequenceNumber());
  }

 private:
  StoreState& st_;
  rocksdb::DB& db_;
  uint32_t table_id_;
  bool done_ = false;
};

}  // namespace omendb::storage
