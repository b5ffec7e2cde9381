// The storage engine's public face: a RocksDB database holding the catalog and every table, read
// through consistent snapshots in column batches and written in atomic, durable batches.
//
// Versions: every row key carries a commit-timestamp suffix (see key_codec.h). Until MVCC lands, a
// write replaces the previous version of its key in the same atomic batch, so one version per key is
// stored; readers already pick the newest version of each key and skip older ones.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/datum.h"
#include "storage/catalog.h"
#include "storage/column_batch.h"

namespace rocksdb {
class DB;
class Snapshot;
class Iterator;
}  // namespace rocksdb

namespace omendb::storage {

struct StoreOptions {
  std::string data_dir;
  bool create_if_missing = true;
  bool sync_commits = true;  // fsync the WAL on every commit
  size_t block_cache_bytes = 256u << 20;
};

class ReadView;
class StatementWriter;

class Store {
 public:
  // Opens (or creates) the database in options.data_dir and loads the catalog.
  // Throws SqlError 58030 (io_error) when RocksDB cannot open it (locked by another process, corrupt...).
  static std::unique_ptr<Store> open(const StoreOptions& options);
  ~Store();  // flushes and closes RocksDB

  Catalog& catalog() { return *catalog_; }

  // A consistent snapshot of every table as of now.
  std::unique_ptr<ReadView> read_view();

  // Buffers one statement's writes, read against `view`; nothing is visible until commit().
  std::unique_ptr<StatementWriter> writer(const ReadView& view);

  // Rough number of rows in a table (from RocksDB's size estimates); for planning decisions only.
  uint64_t approximate_row_count(uint32_t table_id) const;

  rocksdb::DB* db() { return db_; }  // for the catalog and storage-internal code
  const StoreOptions& options() const { return options_; }

  // Next commit timestamp (monotonic, survives restart: stored with every commit batch).
  uint64_t next_commit_ts();

 private:
  Store() = default;
  StoreOptions options_;
  rocksdb::DB* db_ = nullptr;
  std::unique_ptr<Catalog> catalog_;
  struct State;
  std::unique_ptr<State> state_;
  friend class StatementWriter;
  friend class Catalog;
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
};

// Produces a table's rows in primary-key order as column batches. Not thread-safe; one per scan.
class ScanCursor {
 public:
  virtual ~ScanCursor() = default;
  // The next batch of rows, or nullptr at the end. The batch and the memory its columns and StrRefs
  // point to stay valid until the next call to next() or the cursor is destroyed.
  // Throws SqlError XX001 (data_corrupted) when a stored row does not decode.
  virtual const ColumnBatch* next() = 0;
};

class ReadView {
 public:
  virtual ~ReadView() = default;
  virtual std::unique_ptr<ScanCursor> scan(const ScanSpec& spec) const = 0;
  // Whether a row with this storage key (table prefix + primary key, no version) exists.
  virtual bool exists(std::string_view key) const = 0;
};

// Collects one statement's inserts, updates and deletes; applies them in one atomic RocksDB write
// through the WAL (fsync'ed when StoreOptions::sync_commits) at commit(). Dropping an uncommitted writer
// discards everything.
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
  virtual void update(const TableDef& table, std::string_view key, const Datum* row) = 0;
  // Deletes the row stored under `key`.
  virtual void remove(const TableDef& table, std::string_view key) = 0;
  // Atomically and durably applies every buffered write. Throws SqlError 58030 on I/O failure.
  virtual void commit() = 0;
};

}  // namespace omendb::storage
