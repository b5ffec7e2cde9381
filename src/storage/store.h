// The storage engine's public face: a RocksDB database holding the catalog and every table, with our
// own multi-version concurrency control on top (see docs/mvcc.md):
//   - every row key carries the commit timestamp of the transaction that wrote it (key_codec.h);
//     deletes write tombstone versions; old versions are garbage-collected by a compaction filter once
//     no snapshot can see them;
//   - a reader sees, for each key, the newest version whose commit timestamp is <= its snapshot
//     timestamp, plus its own transaction's uncommitted writes;
//   - a transaction buffers its writes and applies them at commit in one atomic RocksDB write batch
//     through the WAL, after checking that no other transaction committed a newer version of any key
//     it writes since it read it (first committer wins: 40001).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/datum.h"
#include "common/error.h"
#include "common/value.h"
#include "storage/catalog.h"
#include "storage/column_batch.h"

namespace rocksdb {
class DB;
class Snapshot;
class Iterator;
}  // namespace rocksdb

namespace omendb::storage {

namespace sealed {
struct Manifest;
struct BlockSummary;
}  // namespace sealed

struct StoreOptions {
  std::string data_dir;
  bool create_if_missing = true;
  bool sync_commits = true;  // fsync the WAL on every commit
  size_t block_cache_bytes = 256u << 20;
  // Row locks (lock_manager.h): writers of one row queue. Off only in tests of the commit-time
  // first-committer-wins check on its own (then every write conflict is a 40001 at COMMIT).
  bool row_locks = true;
  uint64_t seal_block_rows = 16384;  // rows per sealed column block (smaller in tests, to get many blocks)
  // The largest row (its encoded bytes) an INSERT, UPDATE or COPY may store: larger ones fail with 54000
  // (0: no limit). A row is one RocksDB value, held whole in memory, the memtable and the WAL.
  size_t max_row_bytes = size_t{64} << 20;
  // Spilled writes of a large COPY (StatementWriter::allow_spill) move into the tables at commit in
  // atomic steps of about this many bytes (smaller in tests, to crash between steps).
  uint64_t spill_move_batch_bytes = uint64_t{8} << 20;
  // The clock that dates commits for sealing by age (Store::visible_at); tests inject their own.
  std::function<std::chrono::steady_clock::time_point()> clock;  // empty: steady_clock::now
};

// What ANALYZE learnt about one column from its sample (PostgreSQL's pg_statistic, in part). Kept under
// the column's name and type: a column renamed, dropped or given another type since has none.
struct ColumnStats {
  std::string column;
  TypeId type = TypeId::Unknown;
  float null_frac = 0;    // fraction of rows whose value is NULL
  int32_t avg_width = 0;  // average stored width of the non-NULL values (PostgreSQL's stawidth)
  float n_distinct = 0;   // > 0: number of distinct values; < 0: minus that number per row; 0: unknown
  std::optional<float> correlation;  // of the values' order with the rows' stored order
};
struct TableStats {
  double reltuples = 0;          // live rows counted by the ANALYZE
  int64_t analyzed_unix_us = 0;  // when
  std::vector<ColumnStats> columns;
  const ColumnStats* find(std::string_view column, TypeId type) const {
    for (const ColumnStats& c : columns)
      if (c.column == column && c.type == type) return &c;
    return nullptr;
  }
};

class ReadView;
class StatementWriter;

// What StatementWriter::upsert did with a proposed row.
enum class UpsertOutcome {
  Inserted,  // no row under its key: inserted
  Skipped,   // a row is there and the action is DO NOTHING (or this statement already wrote the key)
  Conflict,  // a row is there and the action is DO UPDATE: conflicting_row() holds it
};
class Transaction;
class WaitGraph;

enum class IsolationLevel {
  ReadCommitted,   // a fresh snapshot for every statement
  RepeatableRead,  // one snapshot for the whole transaction (snapshot isolation)
};

// Row-level lock strengths, weakest first (PostgreSQL's FOR KEY SHARE, FOR SHARE, FOR NO KEY UPDATE,
// FOR UPDATE). UPDATE takes NoKeyUpdate, or Update if it changes the primary key; DELETE and INSERT
// take Update. See lock_manager.h.
enum class RowLockMode : uint8_t { KeyShare, Share, NoKeyUpdate, Update };

// What a lock request does when another transaction holds a conflicting lock.
enum class LockWaitMode : uint8_t {
  Wait,        // wait (bounded by LockWait)
  NoWait,      // fail at once with 55P03
  SkipLocked,  // give up on the row at once
};

// How long one statement may wait for row locks, and who it is (for deadlock reports).
struct LockWait {
  std::chrono::steady_clock::time_point deadline =
      std::chrono::steady_clock::time_point::max();  // statement_timeout: 57014
  uint64_t lock_timeout_ms = 0;                      // 0: none; else 55P03 after that long
  uint64_t deadlock_timeout_ms = 1000;               // wait this long before checking for a deadlock
  const std::atomic<bool>* cancel = nullptr;         // cancel request or client gone: 57014
  int32_t pid = 0;                                   // the session's process id, for 40P01's detail
};

// The values of an expression or partial index's entry (catalog.h, IndexDef::exprs / predicate), which
// storage cannot compute itself (it knows no SQL): the engine evaluates them with compiled code and gives
// storage this object (Store::set_index_evaluator). Called for every row written to a table with such an
// index, from the writing thread; thread-safe. Errors (22012 ...) are thrown as SqlError.
class IndexEvaluator {
 public:
  virtual ~IndexEvaluator() = default;
  // `row` in table column order. False: the row does not satisfy the index's predicate (no entry); else
  // `values` holds the value of each of index.exprs, in order.
  virtual bool evaluate(const TableDef& table, const IndexDef& index, const Datum* row,
                        std::vector<Value>& values) const = 0;
};

class Store {
 public:
  // Opens (or creates) the database in options.data_dir and loads the catalog.
  // Throws SqlError 58030 (io_error) when RocksDB cannot open it (locked by another process, corrupt...).
  static std::unique_ptr<Store> open(const StoreOptions& options);
  ~Store();  // flushes and closes RocksDB

  Catalog& catalog() { return *catalog_; }
  // Set once, before any statement writes a table with an expression or partial index (their writes fail
  // with XX000 without one).
  void set_index_evaluator(std::shared_ptr<const IndexEvaluator> evaluator) {
    index_evaluator_ = std::move(evaluator);
  }
  const IndexEvaluator* index_evaluator() const { return index_evaluator_.get(); }

  // Starts a transaction. Nothing it writes is visible to others until Transaction::commit().
  std::unique_ptr<Transaction> begin(IsolationLevel isolation);

  // A consistent snapshot of every table as of now, outside any transaction (read-only statements).
  std::unique_ptr<ReadView> read_view();

  // The oldest snapshot timestamp any reader still uses (what garbage collection must keep visible).
  uint64_t oldest_active_snapshot() const;
  // Timestamp of the newest commit visible to new snapshots.
  uint64_t visible_ts() const;
  // Sealing by age (docs/columnar.md, "Sealing by age"). now(): StoreOptions::clock. visible_at(t): the
  // newest commit timestamp known to have been visible at time t (every commit at or below it was),
  // from a small in-memory record of when visible_ts advanced (two entries a second at most, thinned as it
  // ages); commits from before the store opened count as made when it opened. 0: none that old.
  std::chrono::steady_clock::time_point now() const;
  uint64_t visible_at(std::chrono::steady_clock::time_point t) const;
  // Commit timestamp of the newest commit that wrote the table since the store opened; visible_ts() at
  // open when none did (its rows may be anything older).
  uint64_t table_last_commit_ts(uint32_t table_id) const;
  // Compacts every table's key range now (garbage-collects old versions); for tests and maintenance.
  void compact();
  // Number of stored versions (including tombstones) under one storage key; for tests and diagnostics.
  uint64_t count_versions(std::string_view key) const;

  // Transactions waiting for a row lock now (SHOW omendb.lock_waiters; tests order sessions with it).
  uint64_t row_lock_waiters() const;
  // The wait-for graph of row locks, which other kinds of locks join (the engine's table locks): one
  // deadlock check sees every kind of wait (wait_graph.h).
  WaitGraph& wait_graph();

  // ANALYZE's statistics of a table (docs/schema.md, "ANALYZE"): durable, read by pg_stats, pg_class and
  // the planner's selectivities. set_table_stats replaces what is kept for the table (the caller merges);
  // DROP TABLE deletes it. table_stats: null when the table was never analyzed.
  void set_table_stats(uint32_t table_id, TableStats stats);
  std::shared_ptr<const TableStats> table_stats(uint32_t table_id) const;

  // Rough number of rows in a table (from RocksDB's size estimates); for planning decisions only.
  uint64_t approximate_row_count(uint32_t table_id) const;
  // RocksDB's estimate of the bytes a relation's key range (a table's rows or an index's entries) takes
  // in files and memtables (pg_table_size).
  uint64_t approximate_size(uint32_t relation_id) const;

  // Sealing (docs/columnar.md): moves the rows of a table that every snapshot sees (those visible at the
  // oldest registered snapshot, the horizon) into immutable compressed column blocks, ordered by primary
  // key, and removes the row-store versions at or below the horizon that it sealed, in one atomic, synced
  // RocksDB write (a seal of more than ~64 MB: several, each leaving a consistent state). Incremental: only
  // blocks whose key range holds such versions are rewritten (with the keys between them); rows past (or
  // between) the blocks go into new blocks or extend a block that is not full; every other block and every
  // other key is left alone, so a seal with nothing to do writes nothing. Versions newer than the horizon
  // stay in the row store and mask the sealed rows they replace. Answers of every snapshot are unchanged.
  // Neither commits nor readers wait for a seal; DROP TABLE does. Throws 42P01 if the table is gone.
  struct SealOptions {
    // A block is rewritten when at least this many of its keys have versions at or below the horizon;
    // fewer are left in the row store (masking the block's rows) for a later seal. Keys outside every
    // block's range are always sealed.
    uint64_t min_block_changes = 1;
    // The horizon is at most this (the background sealer's age rule: Store::visible_at(now - seal_after)),
    // so versions committed after it stay in the row store. Any value is safe: the seal reads at
    // min(this, the oldest snapshot), which every reader is at or above.
    uint64_t max_horizon = UINT64_MAX;
    bool rewrite_all = false;  // rewrite every block (VACUUM FULL-like; benchmarks compare with it)
    uint64_t step_bytes = uint64_t{64} << 20;  // a seal writes in atomic steps of about this size
    // VACUUM's cancel request and statement_timeout: checked between units of work (every few thousand
    // keys or rows, and between atomic steps), they end the seal with 57014. What it wrote by then are
    // whole steps, each a consistent state; the rest stays in the row store for a later seal.
    const std::atomic<bool>* cancel = nullptr;
    std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  };
  struct SealResult {
    uint64_t horizon_ts = 0;         // rows visible at this timestamp were sealed
    uint64_t rows = 0;               // rows in the table's blocks now
    uint64_t blocks = 0;             // blocks now
    uint64_t bytes = 0;              // block bytes now
    uint64_t versions_kept = 0;      // row-store versions left: newer than the horizon, or deferred
    uint64_t versions_sealed = 0;    // row-store versions folded into blocks (and deleted)
    uint64_t versions_deferred = 0;  // of versions_kept: at or below the horizon, in blocks left as they were
    uint64_t blocks_written = 0;     // blocks this seal wrote (the others were not touched)
    uint64_t blocks_removed = 0;     // blocks it replaced
    uint64_t rows_written = 0;       // rows in the blocks it wrote
  };
  SealResult seal(uint32_t table_id, const SealOptions& options);
  SealResult seal(uint32_t table_id) { return seal(table_id, SealOptions{}); }
  // Consistency check of a table's sealed data: the manifest's block index matches the stored blocks
  // (keys, rows, bytes, non-overlapping key ranges in order, headers that parse), and so does the in-memory
  // block index (the same blocks, key ranges, sizes and zone maps). Empty when consistent, else what is
  // wrong. Waits for a running seal of the table.
  std::string check_sealed(uint32_t table_id) const;
  // Whether the column block format takes every column of `table` (not interval or arrays yet): seal()
  // refuses the others with 0A000, VACUUM and background sealing leave them in the row store.
  static bool sealable(const TableDef& table);
  // Compacts one table's row range now, so that the versions a seal replaced leave the disk (and scans
  // stop stepping over them). VACUUM calls it after seal(). A cancel request or `deadline` stops it
  // (RocksDB's manual-compaction cancel, which leaves the database consistent) with 57014.
  void compact_table(
      uint32_t table_id, const std::atomic<bool>* cancel = nullptr,
      std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max());
  // What is sealed for a table now (from the in-memory block index): blocks, rows, bytes.
  struct SealedInfo {
    uint64_t blocks = 0;
    uint64_t rows = 0;
    uint64_t bytes = 0;
  };
  SealedInfo sealed_info(uint32_t table_id) const;
  // A table's sealed blocks now, in key order, from its in-memory block index (the omendb_sealed_* system
  // views): rows and stored bytes per block, and per column (table order; a table without a primary key
  // has its hidden row id last) its codec, encoded bytes and NULL count. Empty when nothing is sealed.
  struct SealedColumn {
    std::string codec;
    uint64_t bytes = 0;
    uint64_t null_count = 0;
    uint64_t plain_bytes = 0;  // rows x the value's in-memory width; 0 for text-like types (no fixed width)
  };
  struct SealedBlock {
    uint64_t rows = 0;
    uint64_t bytes = 0;
    std::vector<SealedColumn> columns;
  };
  std::vector<SealedBlock> sealed_blocks(uint32_t table_id) const;

  // ALTER TABLE: replaces the definition of table `def.id` by `def`, ordered with commits as DROP TABLE
  // is (no new commit starts, commits in flight finish first). `def`'s columns are matched with the
  // stored rows by attribute number (TableDef::attnums), so adding, dropping and renaming columns writes
  // no row. Before the definition changes, over every row committed by then:
  struct AlterWork {
    std::vector<int> not_null;  // columns of `def` that must not be NULL in any row (23502, PostgreSQL's
                                // "column "c" of relation "t" contains null values")
    bool rekey = false;         // ADD PRIMARY KEY: every row is written again under its new key (23505
                                // "could not create unique index" on a duplicate)
    bool unseal = false;        // the column set changes: a table with sealed blocks is written back to
                                // the row store (blocks hold exactly the table's columns)
    bool fence = false;         // transactions that wrote the table on an older snapshot fail at COMMIT
    // CREATE INDEX: ids of `def`'s indexes to build, with an entry for every committed row (implies fence:
    // a transaction that wrote the table without the index fails at COMMIT). A rekey rebuilds every index.
    std::vector<uint32_t> build_indexes;
    std::vector<uint32_t> drop_indexes;  // DROP INDEX (or DROP COLUMN of an indexed column): their entries go
    // ALTER COLUMN TYPE (with rekey: every row is written again in the new types): sets the changed
    // columns of `row` (`def`'s columns) from `old_row` (the old definition's); the values it sets stay
    // valid until its next call. Throws to refuse the change (22P02, 22003, 22001 ...).
    std::function<void(const Datum* old_row, std::vector<Datum>& row)> convert;
    // ADD CHECK / VALIDATE CONSTRAINT: called with a view of every committed row of the table (nothing in
    // flight, no commit starts meanwhile) before anything changes; throws to refuse the change.
    std::function<void(const ReadView&)> validate;
    // The statement's cancel request and statement_timeout, checked while the rows are read (57014).
    const std::atomic<bool>* cancel = nullptr;
    std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  };
  // A rewrite (rekey, unseal) writes the rows at a new commit timestamp in the same synced batch as the
  // definition: snapshots taken before see the table empty afterwards, as after PostgreSQL's table
  // rewrites. Index entries a build writes carry the same new commit timestamp (IndexDef::valid_from_ts).
  // Throws 42P01 if the table is gone, 42P07 if a rename takes another table's name.
  void alter_table(TableDef def, const AlterWork& work);

  rocksdb::DB* db() { return db_; }  // for the catalog and storage-internal code
  // At open: finishes the commits of spilled writes that have a commit record, drops the others.
  void recover_spills();
  const StoreOptions& options() const { return options_; }

 private:
  Store() = default;
  // Builds a table's in-memory block index from its stored blocks and publishes it. The caller holds the
  // table's seal mutex (or nothing else runs yet).
  void publish_block_index(uint32_t table_id);
  std::string check_manifest(uint32_t table_id) const;  // check_sealed's manifest half
  // seal() of a time-partitioned table, or of one whose layout changes (store.cpp).
  SealResult seal_runs(const TableDef& table, const SealBucket& target, const sealed::Manifest& manifest,
                       const std::vector<std::shared_ptr<const sealed::BlockSummary>>& old_summaries,
                       uint64_t horizon, const SealOptions& options, SealResult result);
  StoreOptions options_;
  rocksdb::DB* db_ = nullptr;
  std::unique_ptr<Catalog> catalog_;
  std::shared_ptr<const IndexEvaluator> index_evaluator_;
  struct State;
  std::unique_ptr<State> state_;
  friend class Catalog;
};

// A range predicate on one column pushed down to the scan: rows of sealed blocks whose zone maps show no
// value in [lo, hi] (inclusive; a strict SQL bound is passed as inclusive) are skipped. Only an
// optimisation: the rows of blocks that are read still go through the query's filter.
struct ZoneBound {
  int column = -1;  // table column
  bool has_lo = false, has_hi = false;
  // The column's physical type: Bool/Int32/Int64 (dates, times, timestamps) in i64, Float64 in f64,
  // Text (numeric, bytea, uuid) in str (-> *_text).
  Datum lo{}, hi{};
  std::string lo_text, hi_text;
  int64_t slack = 0;  // integer bounds: whoever sets lo/hi widens them by this much (saturating)
};

// Which rows of one table a scan reads, and which columns it decodes.
struct ScanSpec {
  TableDefPtr table;
  // Encoded primary-key bounds *without* the table prefix (keycodec::append_* output), so that the
  // empty string means "from the table's first row" / "to its last row".
  std::string lower;            // inclusive
  std::string upper;            // exclusive; empty = no upper bound
  bool upper_unbounded = true;  // ignore `upper`
  std::vector<bool> columns;    // columns[i]: decode column i (missing entries: false)
  bool want_keys = false;       // fill ColumnBatch::keys (UPDATE / DELETE need them)
  uint32_t batch_rows = 1024;
  std::vector<ZoneBound> zone;  // zone-map predicates (sealed blocks only)
  // No consumer needs primary-key order: a partitioned table's runs are read one after another (the row
  // store first, then each run's blocks in key order with the row store's keys of its bucket masked), not
  // merged. Rows are the same multiset; a table in one run reads in key order either way.
  bool unordered = false;
  // An index scan: `index_id` names one of `table`'s indexes (IndexDef), `lower` / `upper` bound its
  // entries (encoded as the entries are, without the index's prefix). The scan reads the entries visible
  // to the view (its transaction's own included) in index order and hands out each entry's row, read
  // through the same visible-version lookup as a table scan (sealed blocks, own writes): a batch per row.
  // A view older than the index's build (`index_valid_from`) reads the whole table instead; either way
  // the caller re-checks its predicate on every row.
  uint32_t index_id = 0;
  uint64_t index_valid_from = 0;
  std::string only_key;  // index scans: only the row with this storage key (READ COMMITTED re-check)
};

// What a scan read, for EXPLAIN ANALYZE and tests.
struct ScanStats {
  uint64_t blocks_read = 0;     // sealed blocks decoded
  uint64_t blocks_skipped = 0;  // sealed blocks in the key range skipped by their zone maps
  uint64_t sealed_rows = 0;     // rows produced from sealed blocks
  uint64_t row_store_rows = 0;  // rows produced from the row store or the transaction's writes
  // Stored blocks whose header the scan read to decide on them: 0 when the table's in-memory block index
  // served the scan (docs/columnar.md, "Block metadata in memory"), which decides without reading.
  uint64_t headers_read = 0;

  ScanStats& operator+=(const ScanStats& o) {
    blocks_read += o.blocks_read;
    blocks_skipped += o.blocks_skipped;
    sealed_rows += o.sealed_rows;
    row_store_rows += o.row_store_rows;
    headers_read += o.headers_read;
    return *this;
  }
};

// Produces a table's rows in primary-key order (ScanSpec::unordered: in some order) as column batches. Not
// thread-safe; one per scan.
class ScanCursor {
 public:
  virtual ~ScanCursor() = default;
  // The next batch of rows, or nullptr at the end. The batch and the memory its columns and StrRefs
  // point to stay valid until the next call to next() or the cursor is destroyed.
  // Throws SqlError XX001 (data_corrupted) when a stored row does not decode.
  virtual const ColumnBatch* next() = 0;
  virtual ScanStats stats() const { return {}; }
};

class ReadView {
 public:
  virtual ~ReadView() = default;
  virtual std::unique_ptr<ScanCursor> scan(const ScanSpec& spec) const = 0;
  // Whether a row with this storage key (table prefix + primary key, no version) exists.
  virtual bool exists(std::string_view key) const = 0;
};

// Collects one statement's inserts, updates and deletes. apply() adds them to the statement's
// transaction (at the end of a successful statement); dropping a writer without apply() discards them,
// so a failed statement leaves its transaction's writes as they were. The statement's own scans never see
// its writes (no Halloween problem); later statements of the transaction do.
// PostgreSQL's DETAIL "Failing row contains (1, null, x)." for a row of `table` (table column order).
std::string failing_row_detail(const TableDef& table, const Datum* row);
// 23502 "null value in column ... violates not-null constraint" for column `c` of `row`.
SqlError not_null_violation_error(const TableDef& table, const ColumnDef& c, const Datum* row);
// 23514 "new row for relation "t" violates check constraint "c"" for table.checks[check] and `row`, with
// the failing row and the constraint fields; 23502 instead when a NOT NULL column of `row` is NULL
// (PostgreSQL checks those first).
SqlError check_violation_error(const TableDef& table, size_t check, const Datum* row);

class StatementWriter {
 public:
  virtual ~StatementWriter() = default;
  // Encodes the storage key for a row: table prefix + primary key columns (or a newly allocated hidden
  // row id for tables without a primary key).
  virtual std::string make_key(const TableDef& table, const Datum* row) = 0;
  // Inserts a row (values in table column order). Throws SqlError 23505 if the key exists in the view
  // or was written earlier in this statement, 23502 if a NOT NULL column is NULL, 22001 if text is
  // longer than a varchar(n) column allows.
  virtual void insert(const TableDef& table, const Datum* row) = 0;
  // Replaces the row stored under `key` with `row`. If the new row's primary key differs, the old key is
  // deleted and the new key inserted (23505 if it exists). Same NOT NULL / length checks as insert.
  virtual bool update(const TableDef& table, std::string_view key, const Datum* row) = 0;
  // Deletes the row stored under `key`.
  //
  // update() and remove() first lock the row (waiting for a transaction that holds a conflicting lock,
  // per Transaction::set_lock_wait: 55P03, 57014, 40P01). If the newest committed version of the row
  // is newer than this statement's snapshot (another transaction changed or deleted it meanwhile), they
  // write nothing and return false at READ COMMITTED: the caller re-evaluates the statement on the
  // newest version (set_view with a newer snapshot; PostgreSQL's EvalPlanQual). At REPEATABLE READ
  // they throw 40001 instead. insert() waits for a transaction that holds the key, then 23505 if a row
  // with the key was committed.
  virtual bool remove(const TableDef& table, std::string_view key) = 0;
  // Later reads and writes of this statement use `view` (a newer snapshot of the same transaction),
  // for the READ COMMITTED re-check. `view` must outlive the writer's use of it.
  virtual void set_view(const ReadView& view) = 0;
  // A statement with several INSERT / UPDATE / DELETE steps (data-modifying WITH items): insert(),
  // update() and remove() of a row an earlier step of the statement already wrote fail with 0A000 instead
  // (PostgreSQL lets one of the two changes take place, depending on the order in which it runs them).
  virtual void refuse_second_writes() = 0;
  // READ COMMITTED re-check of a row update() or remove() found changed: where the row they saw under
  // `key` is in the current view, following PostgreSQL's update chain through the versions committed
  // since. The key itself when the row was updated in place; the key it moved to, followed to its end,
  // when an UPDATE changed its primary key (a writer that waited for a concurrent key change re-checks
  // and writes the row under its new key); nullopt when the row was deleted, also when a new row was
  // inserted under its key after the DELETE (in the same transaction or another: not the row the
  // statement saw, so it is skipped; the row lock the statement took for it is given back). For a key
  // neither found changed: the key's history from its first version.
  virtual std::optional<std::string> moved_to(std::string_view key) = 0;
  // Locks one row for SELECT ... FOR UPDATE / SHARE (55P03 for NoWait). Skipped: SKIP LOCKED found it
  // locked, or (READ COMMITTED) a concurrent transaction deleted it after this statement's snapshot (also
  // when it inserted a new row under its key: see moved_to), as PostgreSQL skips a deleted row. Changed: a
  // concurrent transaction updated it after this statement's snapshot (READ COMMITTED: the statement runs
  // again at a newer snapshot; REPEATABLE READ throws 40001).
  enum class LockResult { Locked, Skipped, Changed };
  virtual LockResult lock(const TableDef& table, std::string_view key, RowLockMode mode,
                          LockWaitMode how) = 0;

  // INSERT ... ON CONFLICT (primary key) DO NOTHING / DO UPDATE, atomic under concurrency as in
  // PostgreSQL. Checks the row like insert(), then looks at the newest committed row under its key (the
  // row store or a sealed block), not only the snapshot's, through the row locks that UPDATE, DELETE and
  // SELECT FOR UPDATE take (per Transaction::set_lock_wait: 55P03, 57014, 40P01):
  //   - none (or deleted): locks the key as insert() does and inserts the row -> Inserted;
  //   - a row, DO NOTHING: waits while a transaction holds the row for a delete, a key change or an insert
  //     (a lock that conflicts with FOR KEY SHARE), keeps no lock -> Skipped (or Inserted if it was deleted);
  //   - a row, DO UPDATE: locks it (`key_update`: the SET changes a primary-key column, FOR UPDATE
  //     strength, else FOR NO KEY UPDATE) -> Conflict, its newest committed version in conflicting_row();
  //   - REPEATABLE READ and that row was committed after the transaction's snapshot: 40001, as
  //     PostgreSQL ("could not serialize access due to concurrent update");
  //   - this statement already inserted or updated the key: DO NOTHING -> Skipped, DO UPDATE -> 21000
  //     ("ON CONFLICT DO UPDATE command cannot affect row a second time").
  // Under READ COMMITTED the update is based on the newest committed row, so a session that waited for
  // another's insert updates that row instead of failing. A table without a primary key has no
  // arbiter: the row is inserted.
  //
  // `arbiter`: which conflicts the action is for. kArbiterPrimaryKey: the primary key (a table without
  // one inserts every row); kArbiterAll (DO NOTHING without a target): the primary key and every unique
  // index; >= 0: the unique index table.indexes[arbiter] alone (its value is locked as an insert locks it,
  // and the row holding it is the conflicting row). A conflict with a constraint that is not an arbiter
  // is 23505, as in PostgreSQL.
  static constexpr int kArbiterPrimaryKey = -1;
  static constexpr int kArbiterAll = -2;
  virtual UpsertOutcome upsert(const TableDef& table, const Datum* row, bool do_update, bool key_update,
                               int arbiter = kArbiterPrimaryKey) = 0;
  // After Conflict: the conflicting row (table column order), valid until the next call.
  virtual const Datum* conflicting_row() const = 0;
  // After Conflict: replaces the conflicting row with `row` (the DO UPDATE result). A changed primary
  // key moves the row (23505 if the new key holds one). Same checks as update().
  virtual void update_conflicting(const TableDef& table, const Datum* row) = 0;
  // The DEFAULT of every column of a table (NULL for a column without one), evaluated when the
  // statement needs it: apply() calls it for each row an ON DELETE / ON UPDATE SET DEFAULT action
  // changes (storage knows no expressions; the engine evaluates them).
  using DefaultsFn = std::function<std::vector<Value>(const TableDef&)>;
  virtual void set_defaults(DefaultsFn defaults) = 0;
  // Checks a row against its table's CHECK constraints (23514), for the rows those actions change.
  using RowChecksFn = std::function<void(const TableDef&, const Datum*)>;
  virtual void set_row_checks(RowChecksFn checks) = 0;
  // Adds this statement's writes to its transaction, after running the referential actions of the
  // foreign keys they touch and checking those keys.
  virtual void apply() = 0;
  // Streaming inserts (an autocommit COPY, docs/mvcc.md "Spilled writes of a large COPY"): once the
  // statement's buffered rows take `bytes` (at most a quarter of the transaction's memory limit), they
  // are written into RocksDB as spilled writes of the transaction, invisible to every reader, and the
  // memory is given back; commit() then checks and moves them into the tables, all or nothing, and a
  // rollback (or a crash before the commit record) drops them. Only when the transaction has no other
  // writes, no savepoint, TRUNCATE or catalog change, and for tables without foreign keys and without
  // unique secondary indexes (else this does nothing: the rows stay in memory as before). A spilling
  // statement takes no row locks (those taken before the first spill are given back): a concurrent
  // writer of one of its keys is found by the commit's first-committer-wins check (40001). The
  // transaction must commit or roll back after the statement, with no other statement between.
  virtual void allow_spill(uint64_t bytes) = 0;
};

// A transaction: a snapshot (per transaction or per statement, by isolation level) and a write set.
// Not thread-safe: one session uses it. Destroying an uncommitted transaction rolls it back.
class Transaction {
 public:
  virtual ~Transaction() = default;
  virtual IsolationLevel isolation() const = 0;
  // The view one statement reads: the snapshot plus this transaction's writes so far. For
  // ReadCommitted each call takes a new snapshot. The view must not outlive the transaction.
  virtual std::unique_ptr<ReadView> statement_view() = 0;
  // A writer for one statement reading `view` (which must come from statement_view()).
  virtual std::unique_ptr<StatementWriter> writer(const ReadView& view) = 0;
  // Checks for write-write conflicts, then applies every write atomically and durably (WAL fsync unless
  // set_synchronous_commit(false)). Throws SqlError 40001 when another transaction committed a newer
  // version of a key this transaction writes (nothing is applied then), 42P01 if a written table was
  // dropped, 58030 on I/O failure. A transaction without writes commits without touching the disk.
  virtual void commit() = 0;
  // Discards every write.
  virtual void rollback() = 0;
  // Savepoints: mark the write set; rollback_to restores it (the mark stays), release forgets marks
  // from `mark` on.
  virtual size_t savepoint() = 0;
  virtual void rollback_to(size_t mark) = 0;
  virtual void release(size_t mark) = 0;
  virtual bool has_writes() const = 0;  // rows (also spilled ones), TRUNCATE or catalog changes
  // TRUNCATE: from now on the transaction reads none of the table's stored rows (nor its own earlier
  // writes to it); its commit deletes the table's rows and sealed blocks, then writes the rows it wrote
  // after the truncate, in one synced batch ordered with other commits as DROP TABLE is. Concurrent
  // snapshots see the table empty after that commit (PostgreSQL's TRUNCATE is not MVCC-safe either);
  // a transaction that wrote the table on an older snapshot fails at COMMIT with 40001.
  virtual void truncate(const TableDef& table) = 0;
  // Transactional DDL (docs/schema.md, "Transactional DDL"): the transaction's catalog changes, made and
  // read through the Catalog methods that take an overlay. Savepoints copy it; commit() applies it in
  // the same synced batch as the rows, ordered with other commits as DROP TABLE is (its rows under
  // tables and indexes it dropped are left out); a rollback drops it.
  virtual CatalogOverlay& catalog_overlay() = 0;
  // ALTER TABLE / CREATE INDEX inside a transaction block on a table with rows (docs/schema.md,
  // "Transactional DDL"): the row work of `work` over the newest committed rows with this transaction's
  // writes, read through `old` (the table as the transaction sees it now) as rows of `def` (its new
  // definition): the not_null columns (23502), work.validate, and an entry of each of work.build_indexes
  // for every row (23505 on a duplicate of a unique one), written into this transaction's writes. The
  // caller holds the table exclusively, so no statement writes it meanwhile; a transaction that wrote it
  // before and commits later is caught at COMMIT (CatalogOverlay::rows_read_at: this transaction fails
  // with 40001 if that one committed first, else that one fails). rekey and unseal are not done here.
  virtual void alter_rows(const TableDef& def, const TableDefPtr& old, const Store::AlterWork& work) = 0;
  // How the next statements wait for row locks (statement_timeout, lock_timeout, cancel...). Row locks
  // are held until the transaction ends.
  virtual void set_lock_wait(const LockWait& wait) = 0;
  // Whether commit() waits for the WAL fsync (default: StoreOptions::sync_commits). Off: a machine or OS
  // crash may lose the last acknowledged commits (never a part of one); a process crash loses nothing.
  virtual void set_synchronous_commit(bool on) = 0;
  // The memory the transaction's buffered writes may take (53200 past it, or past the server-wide cap of
  // common/memory.h): its write set (with what its commit copies into the write batch), the statement
  // writers' rows not yet applied, savepoint copies and row-lock entries. Counted from the next write on;
  // a limit below what is held already fails the next write. See docs/mvcc.md ("Memory").
  static constexpr uint64_t kDefaultMemoryLimit = uint64_t{1} << 30;  // 1 GiB
  virtual void set_memory_limit(uint64_t bytes) = 0;
  // Bytes counted now (tests and diagnostics).
  virtual uint64_t memory_used() const = 0;
};

}  // namespace omendb::storage
