#include "storage/store.h"

#include <rocksdb/cache.h>
#include <rocksdb/compaction_filter.h>
#include <rocksdb/convenience.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/listener.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/table_properties.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <unordered_map>

#include "common/array.h"
#include "common/bytea.h"
#include "common/datetime_sql.h"
#include "common/error.h"
#include "common/interrupt.h"
#include "common/json.h"
#include "common/numeric.h"
#include "common/sync_point.h"
#include "common/text_sql.h"
#include "common/value.h"
#include "storage/internal.h"
#include "storage/key_codec.h"
#include "storage/row_codec.h"
#include "storage/sealed.h"

namespace omendb::storage {

// ---------------------------------------------------------------------------------------------------
// Errors

void throw_rocksdb_error(const rocksdb::Status& status, std::string_view context) {
  // A full disk fails the write only: RocksDB keeps the database read-only meanwhile (reads go on) and
  // makes it writable again by itself once enough space is free (its SstFileManager polls; it wants
  // room for a memtable flush and some headroom), as PostgreSQL's backend gets 53100 and goes on.
  if (status.IsNoSpace())
    throw SqlError(SqlState::DiskFull,
                   "could not write while " + std::string(context) + ": No space left on device")
        .with_hint("Check free disk space.");
  std::string msg = "I/O error while " + std::string(context) + ": " + status.ToString();
  if (status.IsIOError() && status.ToString().find("lock") != std::string::npos) {
    msg += " (the data directory is locked: is another OmenDB server using it?)";
  }
  throw SqlError(SqlState::IoError, std::move(msg));
}

namespace {
// TSan's stacks list the call sites of instrumented functions, so it is the call to this function that
// puts a frame named write_to_rocksdb into the stack of every access made inside DB::Write. Neither
// function may be inlined or merged into its caller (gcc's noipa; clang, which builds build-asan, has no
// noipa and merges no functions at -O2, so noinline is enough there).
#if defined(__clang__)
#define OMENDB_NOIPA [[gnu::noinline]]
#else
#define OMENDB_NOIPA [[gnu::noipa]]
#endif
OMENDB_NOIPA rocksdb::Status rocksdb_db_write(rocksdb::DB& db, const rocksdb::WriteOptions& options,
                                              rocksdb::WriteBatch& batch) {
  return db.Write(options, &batch);
}
}  // namespace

OMENDB_NOIPA rocksdb::Status write_to_rocksdb(rocksdb::DB& db, const rocksdb::WriteOptions& options,
                                              rocksdb::WriteBatch& batch) {
  return rocksdb_db_write(db, options, batch);
}

namespace {

// A commit whose write failed (docs/reliability.md "A failed fsync"): after any I/O error but a full disk
// the store refuses writes until restart (IoErrorPolicy) and the WAL holds nothing of this commit
// (WalFile), so the transaction did not commit, now or after the restart.
[[noreturn]] void throw_commit_error(const rocksdb::Status& status) {
  if (status.IsNoSpace() || !status.IsIOError()) throw_rocksdb_error(status, "committing");
  throw SqlError(SqlState::IoError,
                 "could not commit: I/O error on the write-ahead log: " + status.ToString())
      .with_detail(
          "The transaction was not committed. After a failed write or fsync the database accepts no more "
          "writes until the server is restarted, which recovers every acknowledged commit from the "
          "write-ahead log.")
      .with_hint("Check the storage device and the kernel log, then restart the server.");
}

[[noreturn]] void throw_corrupt(const TableDef& table, std::string_view what) {
  throw SqlError(SqlState::DataCorrupted,
                 "could not decode a stored row of table \"" + table.name + "\": " + std::string(what));
}

// ---------------------------------------------------------------------------------------------------
// Prefix bloom filters: the "prefix" of a row key is the key without its 8-byte version suffix, i.e.
// the user key, so all versions of one row share a filter entry and point lookups (exists(), commit's
// lookup of the previous version) skip files that do not hold the row. Metadata keys (table id 0) are
// out of the domain. Row keys of one table are prefix-free (fixed-width or 0x00 0x01 terminated
// columns), so keys with the same prefix are contiguous, as RocksDB requires. Prefix seeks always seek
// to `user key + 8 zero bytes` (the newest possible version); range scans use total order seeks.

bool in_row_domain(const rocksdb::Slice& key) {
  return key.size() >= keycodec::kTablePrefixSize + 1 + keycodec::kVersionSize &&
         (key[0] != 0 || key[1] != 0 || key[2] != 0 || key[3] != 0);
}

class UserKeyPrefix final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "omendb.UserKeyPrefix.v1"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), key.size() - keycodec::kVersionSize);
  }
  bool InDomain(const rocksdb::Slice& key) const override { return in_row_domain(key); }
};

bool has_compression(rocksdb::CompressionType type) {
  auto supported = rocksdb::GetSupportedCompressions();
  return std::find(supported.begin(), supported.end(), type) != supported.end();
}

// RocksDB's informational log goes to the server's log, not to a LOG file in the data directory: on a
// full disk a failed append to that file left its writer in an error state, and RocksDB's next log
// line (the one reporting the full disk) aborted the server on an assertion. RocksDB's INFO lines
// (compaction and flush statistics) are debug lines here; its warnings and errors stay visible.
class SpdlogLogger final : public rocksdb::Logger {
 public:
  SpdlogLogger()
      : rocksdb::Logger(spdlog::should_log(spdlog::level::debug) ? rocksdb::InfoLogLevel::INFO_LEVEL
                                                                 : rocksdb::InfoLogLevel::WARN_LEVEL) {}
  using rocksdb::Logger::Logv;
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < GetInfoLogLevel()) return;
    try {  // RocksDB is not exception-safe: nothing may escape into it
      char buf[1024];
      va_list copy;
      va_copy(copy, ap);
      int n = std::vsnprintf(buf, sizeof buf, format, copy);
      va_end(copy);
      if (n < 0) return;
      std::string_view line(buf, std::min<size_t>(static_cast<size_t>(n), sizeof buf - 1));
      spdlog::log(spdlog_level(level), "rocksdb: {}", line);
    } catch (...) {
    }
  }

 private:
  static spdlog::level::level_enum spdlog_level(rocksdb::InfoLogLevel level) {
    switch (level) {
      case rocksdb::InfoLogLevel::WARN_LEVEL:
        return spdlog::level::warn;
      case rocksdb::InfoLogLevel::ERROR_LEVEL:
        return spdlog::level::err;
      case rocksdb::InfoLogLevel::FATAL_LEVEL:
        return spdlog::level::critical;
      case rocksdb::InfoLogLevel::DEBUG_LEVEL:
        return spdlog::level::trace;
      default:
        return spdlog::level::debug;
    }
  }
};

// ---------------------------------------------------------------------------------------------------
// I/O errors: never continue after one (docs/reliability.md, "A failed fsync"). After fsync fails, Linux
// may have dropped the dirty pages and marked them clean, so a retried fsync succeeds without the data
// (PostgreSQL's "fsyncgate"). RocksDB does not retry a failed WAL sync, and stops writes after it; two
// things remain to make sure of:
//  - every background error except a full disk stops writes until the server restarts (no automatic
//    recovery, no resume): OnBackgroundError raises its severity to fatal. A full disk stays RocksDB's
//    recoverable error (writes resume by themselves once space is free: its recovery flushes the
//    memtables to new files and starts a new WAL).
//  - a commit whose WAL write or sync failed did not commit, so it must not come back when the WAL is
//    replayed at the next start: its record is in the file (only the sync failed) and usually still in the
//    page cache. WalFile cuts the WAL back to the length of its last successful sync when a write or
//    sync of it fails (not on a full disk: RocksDB goes on appending to that WAL after recovering from
//    one, and a cut would misalign its records). Nothing past that length was acknowledged: only synced
//    commits are, and writes stop at the failure.

bool is_wal_file(const std::string& name) {
  return name.size() > 4 && name.compare(name.size() - 4, 4, ".log") == 0;
}

class WalFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  WalFile(std::string name, std::unique_ptr<rocksdb::FSWritableFile> file)
      : FSWritableFileOwnerWrapper(std::move(file)), name_(std::move(name)) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
    return checked(target()->Append(data, options, dbg), options, dbg);
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& info, rocksdb::IODebugContext* dbg) override {
    return checked(target()->Append(data, options, info, dbg), options, dbg);
  }
  rocksdb::IOStatus Flush(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    return checked(target()->Flush(options, dbg), options, dbg);
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    uint64_t size = target()->GetFileSize(options, dbg);
    return synced(target()->Sync(options, dbg), size, options, dbg);
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    uint64_t size = target()->GetFileSize(options, dbg);
    return synced(target()->Fsync(options, dbg), size, options, dbg);
  }
  rocksdb::IOStatus RangeSync(uint64_t offset, uint64_t nbytes, const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* dbg) override {
    return checked(target()->RangeSync(offset, nbytes, options, dbg), options, dbg);
  }

 private:
  rocksdb::IOStatus synced(rocksdb::IOStatus s, uint64_t size, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) {
    if (s.ok()) {
      std::lock_guard lock(mutex_);
      synced_ = std::max(synced_, size);
      return s;
    }
    return checked(std::move(s), options, dbg);
  }
  rocksdb::IOStatus checked(rocksdb::IOStatus s, const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* dbg) {
    if (s.ok() || s.IsNoSpace()) return s;
    std::lock_guard lock(mutex_);
    rocksdb::IOStatus cut = target()->Truncate(synced_, options, dbg);
    spdlog::critical(
        "write-ahead log {}: {}; cut back to its last synced length {} ({}); no more writes until "
        "the server restarts",
        name_, s.ToString(), synced_, cut.ok() ? "done" : cut.ToString());
    return s;
  }

  std::string name_;
  std::mutex mutex_;
  uint64_t synced_ = 0;  // a new WAL file starts empty
};

class WalGuardFs final : public rocksdb::FileSystemWrapper {
 public:
  explicit WalGuardFs(const std::shared_ptr<rocksdb::FileSystem>& target) : FileSystemWrapper(target) {}
  const char* Name() const override { return "omendb.WalGuardFs"; }
  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->NewWritableFile(name, options, result, dbg);
    if (s.ok() && is_wal_file(name)) *result = std::make_unique<WalFile>(name, std::move(*result));
    return s;
  }
};

// The Env of every store: the default one with WalGuardFs. Never destroyed (as Env::Default()), so that
// no store can outlive it at exit.
rocksdb::Env* guarded_env() {
  static rocksdb::Env* env =
      rocksdb::NewCompositeEnv(std::make_shared<WalGuardFs>(rocksdb::FileSystem::Default())).release();
  return env;
}

class IoErrorPolicy final : public rocksdb::EventListener {
 public:
  const char* Name() const override { return "omendb.IoErrorPolicy"; }
  void OnBackgroundError(rocksdb::BackgroundErrorReason reason, rocksdb::Status* error) override {
    if (error->ok() || error->IsNoSpace()) return;
    if (error->severity() < rocksdb::Status::Severity::kFatalError)
      *error = rocksdb::Status(*error, rocksdb::Status::Severity::kFatalError);
    spdlog::critical("storage: {} ({}); the database accepts no more writes until the server restarts",
                     error->ToString(), reason_name(reason));
  }
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status error,
                            bool* auto_recovery) override {
    if (!error.IsNoSpace()) *auto_recovery = false;
  }

 private:
  static const char* reason_name(rocksdb::BackgroundErrorReason reason) {
    switch (reason) {
      case rocksdb::BackgroundErrorReason::kFlush:
      case rocksdb::BackgroundErrorReason::kFlushNoWAL:
        return "flush";
      case rocksdb::BackgroundErrorReason::kCompaction:
        return "compaction";
      case rocksdb::BackgroundErrorReason::kWriteCallback:
        return "write-ahead log";
      case rocksdb::BackgroundErrorReason::kMemTable:
        return "memtable";
      case rocksdb::BackgroundErrorReason::kManifestWrite:
      case rocksdb::BackgroundErrorReason::kManifestWriteNoWAL:
        return "MANIFEST";
    }
    return "unknown";
  }
};

rocksdb::Options make_options(const StoreOptions& options) {
  rocksdb::Options o;
  o.env = guarded_env();
  o.listeners.push_back(std::make_shared<IoErrorPolicy>());
  o.paranoid_checks = true;  // (the default) a failed WAL write is a background error, which stops writes
  o.info_log = std::make_shared<SpdlogLogger>();
  o.create_if_missing = options.create_if_missing;
  o.max_background_jobs = 4;
  o.bytes_per_sync = 1 << 20;
  o.write_buffer_size = 64 << 20;
  o.max_write_buffer_number = 3;
  o.level_compaction_dynamic_level_bytes = true;
  o.prefix_extractor = std::make_shared<UserKeyPrefix>();
  o.memtable_prefix_bloom_size_ratio = 0.05;
  if (has_compression(rocksdb::kLZ4Compression)) {
    o.compression = rocksdb::kLZ4Compression;
  } else if (has_compression(rocksdb::kSnappyCompression)) {
    o.compression = rocksdb::kSnappyCompression;
  } else {
    o.compression = rocksdb::kNoCompression;
  }
  if (has_compression(rocksdb::kZSTD)) o.bottommost_compression = rocksdb::kZSTD;

  rocksdb::BlockBasedTableOptions t;
  t.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  t.whole_key_filtering = false;  // rows are never read with Get(); the prefix filter serves seeks
  // Partitioned filters and a two-level index: a large SST's full filter is megabytes, more than one
  // shard of the block cache holds, so every point lookup re-read and re-checksummed it (ingest of a
  // 10M-row table fell to ~2k rows/s). Partitions are small cache entries; the top levels stay pinned.
  t.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
  t.partition_filters = true;
  t.metadata_block_size = 4096;
  t.cache_index_and_filter_blocks = true;
  t.cache_index_and_filter_blocks_with_high_priority = true;
  t.pin_top_level_index_and_filter = true;
  t.pin_l0_filter_and_index_blocks_in_cache = true;
  t.block_size = 16 * 1024;
  t.format_version = 5;
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  return o;
}

std::string table_prefix(uint32_t table_id) {
  std::string p;
  keycodec::append_table_prefix(table_id, p);
  return p;
}

}  // namespace

namespace {

// The values of an expression or partial index's key columns for `row` (expression columns computed by
// `eval`, plain columns as stored), with their types. False: the row has no entry.
bool computed_key(const TableDef& table, const IndexDef& index, const Datum* row, const IndexEvaluator* eval,
                  std::vector<Value>& values, std::vector<Datum>& key, std::vector<TypeId>& types) {
  if (!eval) throw SqlError(SqlState::InternalError, "no evaluator for index \"" + index.name + "\"");
  values.clear();
  if (!eval->evaluate(table, index, row, values)) return false;
  if (values.size() != index.exprs.size())
    throw SqlError(SqlState::InternalError,
                   "index \"" + index.name + "\": wrong number of expression values");
  key.clear();
  types.clear();
  size_t e = 0;
  for (int32_t a : index.attnums) {
    if (a == 0) {
      key.push_back(dtsql::to_datum(values[e]));
      types.push_back(index.exprs[e++].type);
      continue;
    }
    const int c = table.column_of_attnum(a);
    if (c < 0) throw SqlError(SqlState::InternalError, "index \"" + index.name + "\" names a dropped column");
    key.push_back(row[c]);
    types.push_back(table.columns[static_cast<size_t>(c)].type);
  }
  return true;
}

}  // namespace

std::string index_entry_prefix(const TableDef& table, const IndexDef& index, const Datum* row, bool* has_null,
                               const IndexEvaluator* eval) {
  std::string k;
  if (has_null) *has_null = false;
  if (index.computed()) {
    std::vector<Value> values;
    std::vector<Datum> key;
    std::vector<TypeId> types;
    if (!computed_key(table, index, row, eval, values, key, types)) return k;
    keycodec::append_table_prefix(index.id, k);
    for (size_t i = 0; i < key.size(); ++i) {
      if (has_null && key[i].is_null) *has_null = true;
      keycodec::append_index_datum(types[i], key[i], k);
    }
    return k;
  }
  keycodec::append_table_prefix(index.id, k);
  for (int32_t a : index.attnums) {
    const int c = table.column_of_attnum(a);
    if (c < 0) throw SqlError(SqlState::InternalError, "index \"" + index.name + "\" names a dropped column");
    if (has_null && row[c].is_null) *has_null = true;
    keycodec::append_index_datum(table.columns[static_cast<size_t>(c)].type, row[c], k);
  }
  return k;
}

std::string index_entry_key(const TableDef& table, const IndexDef& index, const Datum* row,
                            std::string_view storage_key, const IndexEvaluator* eval) {
  std::string k = index_entry_prefix(table, index, row, nullptr, eval);
  if (!k.empty()) k.append(storage_key.substr(keycodec::kTablePrefixSize));
  return k;
}

std::string index_entry_value(std::string_view storage_key) {
  std::string v(1, static_cast<char>(rowcodec::kKindRow));
  v.append(storage_key);
  return v;
}

namespace {

// PostgreSQL text form of a value for error details.
std::string datum_text(TypeId type, const Datum& d) {
  if (d.is_null) return "null";
  switch (type) {
    case TypeId::Bool:
      return d.i64 ? "t" : "f";
    case TypeId::Int16:
    case TypeId::Int32:
    case TypeId::Int64:
    case TypeId::Oid:
      return std::to_string(d.i64);
    case TypeId::Float32:
    case TypeId::Float64: {
      std::string s;
      append_text_out(type, d, dt::TimeZone::utc(), OutputSettings{}, s);
      return s;
    }
    case TypeId::Text:
    case TypeId::Unknown:
    case TypeId::Name:
    case TypeId::Char:
    case TypeId::BpChar:
      return std::string(d.str.view());
    case TypeId::Numeric:
      return num::to_text(d.str.view());
    case TypeId::Bytea:
      return bytea::to_text(d.str.view(), false);
    case TypeId::Uuid:
      return bytea::uuid_to_text(d.str.view());
    case TypeId::Json:
      return std::string(d.str.view());
    case TypeId::Jsonb:
      return json::to_text(d.str.view());
    case TypeId::Date:
    case TypeId::Time:
    case TypeId::Timestamp:
    case TypeId::TimestampTz:
    case TypeId::Interval: {
      std::string s;
      dtsql::append_text(type, d, dt::TimeZone::utc(), s);  // no session here: timestamptz in UTC
      return s;
    }
    default:  // arrays
      return arr::to_text(d.str.view(), type, dt::TimeZone::utc(), OutputSettings{});
  }
  return {};
}

// Row r of a scan batch's column of `type`, as a Value.
Value batch_value(const ColumnVector& v, uint64_t r, TypeId type) {
  if (v.nulls[r]) return Value::null(type);
  switch (physical_type(type)) {
    case PhysType::Bool:
      return Value::boolean(static_cast<const uint8_t*>(v.data)[r] != 0);
    case PhysType::Int32:
      return type == TypeId::Int32 ? Value::int32(static_cast<const int32_t*>(v.data)[r])
                                   : Value::datetime(type, static_cast<const int32_t*>(v.data)[r]);
    case PhysType::Int64:
      return type == TypeId::Int64 ? Value::int64(static_cast<const int64_t*>(v.data)[r])
                                   : Value::datetime(type, static_cast<const int64_t*>(v.data)[r]);
    case PhysType::Float64:
      if (type == TypeId::Float32)
        return Value::float32(static_cast<float>(static_cast<const double*>(v.data)[r]));
      return Value::float64(static_cast<const double*>(v.data)[r]);
    case PhysType::Text: {
      const StrRef& s = static_cast<const StrRef*>(v.data)[r];
      return Value::text(std::string(s.ptr, s.len), type);
    }
    case PhysType::Interval: {
      const auto* p = static_cast<const uint8_t*>(v.data) + r * 16;
      int64_t time;
      int32_t day, month;
      std::memcpy(&time, p, 8);
      std::memcpy(&day, p + 8, 4);
      std::memcpy(&month, p + 12, 4);
      return Value::interval(time, day, month);
    }
  }
  return Value::null(type);
}

SqlError duplicate_key_error(const TableDef& table, const std::vector<std::string>& key_values) {
  std::string cols, vals;
  for (size_t i = 0; i < table.primary_key.size(); ++i) {
    if (i) {
      cols += ", ";
      vals += ", ";
    }
    cols += table.columns[table.primary_key[i]].name;
    if (i < key_values.size()) vals += key_values[i];
  }
  return std::move(SqlError(SqlState::UniqueViolation, "duplicate key value violates unique constraint \"" +
                                                           table.primary_key_name() + "\"")
                       .with_detail("Key (" + cols + ")=(" + vals + ") already exists.")
                       .with_constraint("public", table.name, table.primary_key_name()));
}

SqlError duplicate_key_error(const TableDef& table, const Datum* row) {
  std::vector<std::string> vals;
  for (int k : table.primary_key) vals.push_back(datum_text(table.columns[k].type, row[k]));
  return duplicate_key_error(table, vals);
}

}  // namespace

std::string failing_row_detail(const TableDef& table, const Datum* row) {
  constexpr size_t kMaxField = 64;  // PostgreSQL's ExecBuildSlotValueDescription cuts longer values
  std::string failing = "Failing row contains (";
  for (size_t i = 0; i < table.columns.size(); ++i) {
    if (i) failing += ", ";
    std::string v = datum_text(table.columns[i].type, row[i]);
    if (v.size() > kMaxField) {
      size_t n = kMaxField;  // never inside a UTF-8 character
      while (n > 0 && (static_cast<uint8_t>(v[n]) & 0xC0) == 0x80) --n;
      v.resize(n);
      v += "...";
    }
    failing += v;
  }
  return failing + ").";
}

SqlError not_null_violation_error(const TableDef& table, const ColumnDef& c, const Datum* row) {
  return std::move(SqlError(SqlState::NotNullViolation, "null value in column \"" + c.name +
                                                            "\" of relation \"" + table.name +
                                                            "\" violates not-null constraint")
                       .with_detail(failing_row_detail(table, row))
                       .with_column("public", table.name, c.name));
}

SqlError check_violation_error(const TableDef& table, size_t check, const Datum* row) {
  for (size_t i = 0; i < table.columns.size(); ++i) {  // PostgreSQL checks NOT NULL first
    const ColumnDef& c = table.columns[i];
    const bool required = c.not_null || std::find(table.primary_key.begin(), table.primary_key.end(),
                                                  static_cast<int>(i)) != table.primary_key.end();
    if (required && row[i].is_null) return not_null_violation_error(table, c, row);
  }
  const std::string& name = table.checks.at(check).name;
  return std::move(SqlError(SqlState::CheckViolation, "new row for relation \"" + table.name +
                                                          "\" violates check constraint \"" + name + "\"")
                       .with_detail(failing_row_detail(table, row))
                       .with_constraint("public", table.name, name));
}

SqlError unique_violation_error(const TableDef& table, const IndexDef& index, const Datum* row, bool build,
                                const IndexEvaluator* eval) {
  std::string cols, vals;
  std::vector<Value> values;
  std::vector<Datum> key;
  std::vector<TypeId> types;
  const bool computed = index.computed() && computed_key(table, index, row, eval, values, key, types);
  for (size_t i = 0; i < index.attnums.size(); ++i) {
    if (i) {
      cols += ", ";
      vals += ", ";
    }
    if (computed) {  // as PostgreSQL's pg_get_indexdef_columns names the key columns
      cols += index.attnums[i] == 0
                  ? index_column_text(index.exprs[index.expr_of(i)].expr)
                  : table.columns[static_cast<size_t>(table.column_of_attnum(index.attnums[i]))].name;
      vals += datum_text(types[i], key[i]);
      continue;
    }
    const int c = table.column_of_attnum(index.attnums[i]);
    if (c < 0) continue;
    cols += table.columns[static_cast<size_t>(c)].name;
    vals += datum_text(table.columns[static_cast<size_t>(c)].type, row[c]);
  }
  if (build)
    return std::move(
        SqlError(SqlState::UniqueViolation, "could not create unique index \"" + index.name + "\"")
            .with_detail("Key (" + cols + ")=(" + vals + ") is duplicated.")
            .with_constraint("public", table.name, index.name));
  return std::move(SqlError(SqlState::UniqueViolation,
                            "duplicate key value violates unique constraint \"" + index.name + "\"")
                       .with_detail("Key (" + cols + ")=(" + vals + ") already exists.")
                       .with_constraint("public", table.name, index.name));
}

namespace {

bool has_user_key(const rocksdb::Slice& versioned, std::string_view user_key) {
  return versioned.size() == user_key.size() + keycodec::kVersionSize &&
         std::memcmp(versioned.data(), user_key.data(), user_key.size()) == 0;
}

// ---------------------------------------------------------------------------------------------------
// Scans

// The block index of a table's stored blocks as `snapshot` sees them (nullptr: now), read from the blocks.
sealed::BlockIndexPtr read_stored_index(rocksdb::DB* db, uint32_t table_id, const rocksdb::Snapshot* snapshot,
                                        uint64_t* blocks_read = nullptr);
// For a scan or lookup whose snapshot has no in-memory index (a block write landing as it started): the
// stored index when the table is partitioned (its runs overlap, so the walk of the stored blocks in key
// order does not serve), nullptr otherwise. Counts the blocks read in `headers_read`.
sealed::BlockIndexPtr partitioned_index_at(rocksdb::DB* db, uint32_t table_id,
                                           const rocksdb::Snapshot* snapshot, uint64_t* headers_read) {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  std::string v;
  rocksdb::Status s = db->Get(ro, meta::sealed_manifest_key(table_id), &v);
  if (s.IsNotFound()) return nullptr;
  check_status(s, "reading the sealed-data manifest");
  sealed::Manifest m;
  if (!sealed::decode_manifest(v, m) || !m.part.on()) return nullptr;  // the walk reports the damage
  return read_stored_index(db, table_id, snapshot, headers_read);
}

// Reads the newest version of each key with a commit timestamp <= the snapshot, merged in key order
// with the reading transaction's own writes (which win over stored versions) and with the table's sealed
// column blocks (docs/columnar.md). The row store masks the blocks: a key that has a version visible
// to the snapshot in the row store (or a write of the transaction) is read from there, a tombstone
// included, so a sealed row replaced or deleted after sealing is not produced. Runs of sealed rows
// that nothing masks are handed out as slices of the decoded block columns (no copy); blocks whose
// zone maps exclude a pushed-down predicate are not decoded at all. One RocksDB snapshot serves the row
// store and the blocks, so a seal that commits during the scan is not half seen.
class ScanCursorImpl final : public ScanCursor {
 public:
  // A seal of a partitioned table reads the runs it rewrites only: the blocks of those buckets' runs and
  // the row-store keys of those buckets.
  struct RunFilter {
    const TableDef* table;
    const SealBucket* part;
    const std::set<int64_t>* buckets;
    bool admits(std::string_view key) const {
      int64_t b = 0;
      if (!part->key_bucket(*table, key, b)) throw_corrupt(*table, "malformed key");
      return buckets->count(b) > 0;
    }
  };

  // `truncated`: the reading transaction truncated the table, so only its own writes are rows. `filter`:
  // only the runs and keys of some buckets (the index's layout must be the filter's).
  ScanCursorImpl(rocksdb::DB* db, const StoreState& state, uint64_t snapshot_ts, const WriteSet* writes,
                 const ScanSpec& spec, bool truncated = false, const RunFilter* filter = nullptr)
      : db_(db),
        filter_(filter),
        table_(spec.table),
        batch_rows_(std::max<uint32_t>(1, spec.batch_rows)),
        want_keys_(spec.want_keys),
        snapshot_ts_(snapshot_ts),
        writes_(writes) {
    if (!table_) throw SqlError(SqlState::InternalError, "scan without a table");
    std::string prefix = table_prefix(table_->id);
    lower_ = prefix + spec.lower;
    if (spec.upper_unbounded || spec.upper.empty()) {
      upper_ = keycodec::prefix_successor(prefix);
    } else {
      upper_ = prefix + spec.upper;
    }
    upper_slice_ = rocksdb::Slice(upper_);

    const size_t ncols = table_->columns.size();
    cols_.resize(ncols);
    vectors_.assign(ncols, ColumnVector{nullptr, nullptr});
    sealed_vectors_.assign(ncols, ColumnVector{nullptr, nullptr});
    buffers_.resize(ncols);
    null_buffers_.resize(ncols);
    decode_limit_ = 0;
    for (size_t i = 0; i < ncols; ++i) {
      cols_[i].type = table_->columns[i].type;
      cols_[i].wanted = i < spec.columns.size() && spec.columns[i];
      if (!cols_[i].wanted) continue;
      if (physical_type(cols_[i].type) == PhysType::Text) text_columns_.push_back(i);
      buffers_[i].reset(new uint64_t[(sealed::value_width(cols_[i].type) * batch_rows_ + 7) / 8]);
      null_buffers_[i].reset(new uint8_t[batch_rows_]);
      vectors_[i].data = buffers_[i].get();
      vectors_[i].nulls = null_buffers_[i].get();
    }
    // Stored rows hold one slot per attribute number (dropped columns too, ALTER TABLE): walk slots.
    const std::vector<int> slot_columns = table_->slot_columns();
    const std::vector<TypeId> slot_types = table_->slot_types();
    slots_.resize(slot_columns.size());
    for (size_t j = 0; j < slots_.size(); ++j) {
      const int c = slot_columns[j];
      slots_[j] = Col{slot_types[j], c >= 0 && cols_[static_cast<size_t>(c)].wanted};
      slot_column_.push_back(c < 0 ? 0 : static_cast<size_t>(c));
      if (slots_[j].wanted) decode_limit_ = j + 1;
    }
    if (want_keys_) keys_.resize(batch_rows_);
    batch_.count = 0;
    batch_.columns = vectors_.data();
    batch_.keys = want_keys_ ? keys_.data() : nullptr;
    sealed_batch_.count = 0;
    sealed_batch_.columns = sealed_vectors_.data();
    sealed_batch_.keys = want_keys_ ? keys_.data() : nullptr;

    zone_ = spec.zone;
    for (ZoneBound& z : zone_) {
      if (z.column < 0 || static_cast<size_t>(z.column) >= ncols) continue;
      if (physical_type(table_->columns[static_cast<size_t>(z.column)].type) == PhysType::Text) {
        z.lo.str = StrRef{z.lo_text.data(), z.lo_text.size()};
        z.hi.str = StrRef{z.hi_text.data(), z.hi_text.size()};
      }
    }

    if (writes_) {
      write_it_ = writes_->lower_bound(lower_);
      // An empty or inverted range (WHERE id > 5 AND id < 3) holds none of the transaction's writes.
      write_end_ = upper_ <= lower_ ? write_it_ : writes_->lower_bound(upper_);
    }
    if (truncated) {  // nothing stored is read: an empty row-store range and no blocks
      upper_ = lower_;
      upper_slice_ = rocksdb::Slice(upper_);
    }
    snapshot_ = db->GetSnapshot();
    rocksdb::ReadOptions ro;  // visibility comes from commit timestamps; the snapshot ties rows to blocks
    ro.snapshot = snapshot_;
    ro.total_order_seek = true;
    ro.iterate_upper_bound = &upper_slice_;
    ro.adaptive_readahead = true;
    it_.reset(db->NewIterator(ro));

    // A table never sealed needs no block iterator. The seal marks its table before it writes, and the
    // RocksDB snapshot above was taken before this check: a seal the snapshot sees has marked the table.
    block_lower_ = meta::block_prefix(table_->id);
    if (truncated || !state.table_sealed(table_->id)) return;
    block_upper_ = keycodec::prefix_successor(block_lower_);
    block_lower_slice_ = rocksdb::Slice(block_lower_);
    block_upper_slice_ = rocksdb::Slice(block_upper_);
    block_ro_.snapshot = snapshot_;
    block_ro_.total_order_seek = true;
    block_ro_.iterate_lower_bound = &block_lower_slice_;
    block_ro_.iterate_upper_bound = &block_upper_slice_;
    // The in-memory block index of exactly the blocks this snapshot sees (when known; for a partitioned
    // table one read from the stored blocks otherwise): the blocks of each run that overlap the key range,
    // without reading any block the zone maps exclude. A run whose bucket a bound on the partition column
    // excludes is skipped whole.
    index_ = state.block_index(table_->id, snapshot_->GetSequenceNumber());
    if (!index_) index_ = partitioned_index_at(db, table_->id, snapshot_, &stats_.headers_read);
    if (!index_) {  // the stored blocks, walked with their headers read: one run
      if (filter_) throw SqlError(SqlState::InternalError, "a run filter on a table that is not partitioned");
      runs_.resize(1);
      return;
    }
    // A key range within one value of the key columns before the partition column (a point lookup, one
    // device's time range) holds only the buckets between its bounds' partition values.
    int64_t first_run = INT64_MIN, last_run = INT64_MAX;
    if (index_->part.on()) {
      size_t lo_at = 0, hi_at = 0;
      int64_t lo_b = 0, hi_b = 0;
      if (index_->part.key_bucket(*table_, lower_, lo_b, &lo_at) &&
          index_->part.key_bucket(*table_, upper_, hi_b, &hi_at) && lo_at == hi_at &&
          std::string_view(lower_).substr(0, lo_at) == std::string_view(upper_).substr(0, hi_at)) {
        first_run = lo_b;
        last_run = hi_b;
      }
    }
    runs_.reserve(index_->runs.size());
    for (const sealed::BlockIndex::Run& run : index_->runs) {
      if (run.bucket < first_run || run.bucket > last_run) continue;
      const size_t b = index_->first_ending_at_or_after(lower_, run.begin, run.end);
      const size_t e = index_->first_starting_at_or_after(upper_, b, run.end);
      if (b >= e || (filter_ && !filter_->buckets->count(run.bucket))) continue;
      if (!run_in_zone(run.bucket)) {
        stats_.blocks_skipped += e - b;
        continue;
      }
      runs_.emplace_back();
      runs_.back().bucket = run.bucket;
      runs_.back().next_block = b;
      runs_.back().end_block = e;
    }
    unordered_ = spec.unordered && !filter_ && runs_.size() > 1;
  }

  ~ScanCursorImpl() override {
    it_.reset();
    runs_.clear();
    db_->ReleaseSnapshot(snapshot_);
  }

  const ColumnBatch* next() override {
    if (done_) return nullptr;
    if (!started_) {
      it_->Seek(lower_);
      seek_blocks();
      started_ = true;
    }
    arena_.clear();
    if (unordered_) return next_unordered();
    for (;;) {
      load_runs();
      Run* second = nullptr;
      Run* r = head_run(&second);
      Entry e;
      const bool have_e = peek(e);
      if (r) {
        // Sealed rows before the next row-store entry and before the next row of any other run go out as
        // one slice of the block.
        uint64_t stop = r->end;
        std::string_view last = r->block.last_key();
        if (have_e && e.key <= last) {
          r->block.decode_keys(r->pos, r->end);  // the keys of the rest of the range, in one pass
          stop = r->block.lower_bound(r->pos, r->end, e.key);
        }
        if (second && std::string_view(second->head) <= last) {
          if (second->head == r->head) throw_corrupt(*table_, "a key sealed in two runs");
          r->block.decode_keys(r->pos, r->end);
          stop = r->block.lower_bound(r->pos, stop, second->head);
        }
        if (stop > r->pos) return sealed_slice(*r, std::min<uint64_t>(stop, r->pos + batch_rows_));
      } else if (!have_e) {
        done_ = true;
        return nullptr;
      }
      if (const ColumnBatch* b = row_store_batch()) return b;
    }
  }

  ScanStats stats() const override { return stats_; }

 private:
  // ScanSpec::unordered with several runs: first the row store (and the transaction's writes) in key
  // order, each entry's key of a run's bucket kept in that run's mask (the keys the row store holds for
  // the run: a key lives in the run of its bucket only); then each run in turn, its blocks in key order,
  // the rows whose key is in its mask passed over. The same rows as the merge, without switching runs.
  const ColumnBatch* next_unordered() {
    while (!row_store_done_) {
      if (const ColumnBatch* b = row_store_batch()) return b;
      Entry e;
      if (!peek(e)) row_store_done_ = true;
    }
    while (current_run_ < runs_.size()) {
      Run& r = runs_[current_run_];
      if (!r.have_block && !r.done) load_next_block(r);
      if (!r.have_block) {  // the run is done: its iterator, block and mask may go
        r.it.reset();
        r.block = sealed::LoadedBlock();
        std::vector<std::string>().swap(r.mask);
        ++current_run_;
        continue;
      }
      // Mask keys before the run's next row belong to no row of its blocks in the range.
      while (r.mask_pos < r.mask.size() && r.block.compare_key(r.pos, r.mask[r.mask_pos]) > 0) ++r.mask_pos;
      uint64_t stop = r.end;
      if (r.mask_pos < r.mask.size()) {
        const std::string& m = r.mask[r.mask_pos];
        if (r.block.compare_key(r.pos, m) == 0) {  // the row store has this key: its row went out there
          ++r.mask_pos;
          advance(r, r.pos + 1);
          continue;
        }
        if (std::string_view(m) <= std::string_view(r.block.last_key())) {
          r.block.decode_keys(r.pos, r.end);
          stop = r.block.lower_bound(r.pos, r.end, m);
        }
      }
      return sealed_slice(r, std::min<uint64_t>(stop, r.pos + batch_rows_));
    }
    done_ = true;
    return nullptr;
  }

  // Unordered scans: keeps row-store key `key` in the mask of the run of its bucket, if one is read.
  void mask_key(std::string_view key) {
    int64_t b = 0;
    if (!index_->part.key_bucket(*table_, key, b)) throw_corrupt(*table_, "malformed key");
    auto it =
        std::lower_bound(runs_.begin(), runs_.end(), b, [](const Run& r, int64_t x) { return r.bucket < x; });
    if (it != runs_.end() && it->bucket == b) it->mask.emplace_back(key);
  }

  struct Col {
    TypeId type = TypeId::Unknown;
    bool wanted = false;
  };

  // The next row-store entry: the newest visible stored version of a key, or the transaction's own
  // write of it (order >= 0), whichever key comes first.
  struct Entry {
    std::string_view key;
    const uint8_t* value = nullptr;
    size_t size = 0;
    bool live = true;
    int order = 0;  // <0 stored version only, 0 both (the write wins), >0 the write only
  };

  bool peek(Entry& e) {
    bool db_valid = settle();
    bool write_valid = writes_ && write_it_ != write_end_;
    if (!db_valid && !write_valid) return false;
    std::string_view db_key;
    if (db_valid) db_key = std::string_view(it_->key().data(), it_->key().size() - keycodec::kVersionSize);
    e.order = !db_valid ? 1 : !write_valid ? -1 : db_key.compare(write_it_->first);
    if (e.order < 0) {
      e.key = db_key;
      rocksdb::Slice v = it_->value();
      e.value = reinterpret_cast<const uint8_t*>(v.data());
      e.size = v.size();
      e.live = true;  // decode_row tells a tombstone
    } else {
      const WriteOp& op = write_it_->second;
      e.key = write_it_->first;
      e.live = !op.is_delete;
      e.value = reinterpret_cast<const uint8_t*>(op.value.data());
      e.size = op.value.size();
    }
    return true;
  }

  void consume(const Entry& e) {
    if (e.order <= 0) {  // the stored key is consumed: skip its older versions
      prev_user_key_.assign(e.key);
      have_prev_ = true;
      it_->Next();
    }
    if (e.order >= 0) ++write_it_;
  }

  // Rows of the row store (and the transaction's writes) up to the current block's next row; an entry
  // with that row's key replaces it (a newer version) or removes it (a tombstone). nullptr when every
  // entry taken was a tombstone.
  const ColumnBatch* row_store_batch() {
    uint64_t count = 0;
    while (count < batch_rows_) {
      // A block ran out (its last rows masked): the run's next block may come before the next entry.
      if (!unordered_ && run_needs_block()) break;
      Entry e;
      if (!peek(e)) break;
      if (unordered_) {
        mask_key(e.key);
      } else if (Run* r = head_run(nullptr)) {  // a key lives in one run (that of its bucket), so only
                                                // the first run's next row can be e's key
        int cmp = r->block.compare_key(r->pos, e.key);
        if (cmp < 0) break;  // the block's next row comes first
        if (cmp == 0) advance(*r, r->pos + 1);
      }
      if (e.live && decode_row(e.value, e.size, count)) {
        if (want_keys_) {
          keys_[count].ptr = reinterpret_cast<const char*>(static_cast<uintptr_t>(arena_.size()));
          keys_[count].len = e.key.size();
          arena_.append(e.key);
        }
        ++count;
      }
      consume(e);
    }
    if (count == 0) return nullptr;
    // Text and keys were appended to the arena as offsets (it may have moved while growing): rebase.
    const char* base = arena_.data();
    for (size_t c : text_columns_) {
      StrRef* refs = static_cast<StrRef*>(vectors_[c].data);
      uint8_t* nulls = vectors_[c].nulls;
      for (uint64_t r = 0; r < count; ++r) {
        if (!nulls[r]) refs[r].ptr = base + reinterpret_cast<uintptr_t>(refs[r].ptr);
      }
    }
    if (want_keys_) {
      for (uint64_t r = 0; r < count; ++r) keys_[r].ptr = base + reinterpret_cast<uintptr_t>(keys_[r].ptr);
    }
    batch_.count = count;
    stats_.row_store_rows += count;
    return &batch_;
  }

  // Sealed blocks: one run per bucket of a partitioned table, one run otherwise. Each run holds its
  // current block (rows [pos, end) still to produce) and its own iterator, left on that block's bytes.
  struct Run {
    int64_t bucket = 0;
    size_t next_block = 0, end_block = 0;  // with index_: the run's blocks still to consider
    sealed::LoadedBlock block;
    bool have_block = false;   // block holds rows [pos, end) still to produce
    bool done = false;         // no block after `block`
    bool it_on_block = false;  // `it` is on the block `block` reads
    uint64_t pos = 0, end = 0;
    std::string head;  // with several runs merged: the storage key of row `pos`
    std::unique_ptr<rocksdb::Iterator> it;
    std::vector<std::string> mask;  // unordered: the row store's keys in the run's bucket, in key order
    size_t mask_pos = 0;
  };

  // Several runs merged in key order (each run's rows decoded slice by slice, a head key per run).
  bool merging() const { return runs_.size() > 1 && !unordered_; }

  // Moves run r to row `to` of its block, its head key with it.
  void advance(Run& r, uint64_t to) {
    r.pos = to;
    if (r.pos >= r.end) {
      r.have_block = false;
    } else if (merging()) {
      r.head.clear();
      r.block.append_key(r.pos, r.head);
    }
  }

  // Loads the next block of every run whose block ran out.
  void load_runs() {
    for (Run& r : runs_)
      if (!r.have_block && !r.done) load_next_block(r);
  }

  bool run_needs_block() const {
    for (const Run& r : runs_)
      if (!r.have_block && !r.done) return true;
    return false;
  }

  // The run whose next row comes first (nullptr: none has rows left), and in `second` the one after it.
  Run* head_run(Run** second) {
    if (runs_.size() == 1) {
      if (second) *second = nullptr;
      return runs_[0].have_block ? &runs_[0] : nullptr;
    }
    Run* first = nullptr;
    Run* next = nullptr;
    for (Run& r : runs_) {
      if (!r.have_block) continue;
      if (!first || r.head < first->head) {
        next = first;
        first = &r;
      } else if (!next || r.head < next->head) {
        next = &r;
      }
    }
    if (second) *second = next;
    return first;
  }

  // Whether run `bucket` can hold a row the zone bounds on the partition column let through.
  bool run_in_zone(int64_t bucket) const {
    const SealBucket& part = index_->part;
    if (!part.on()) return true;
    for (const ZoneBound& z : zone_) {
      if (z.column != part.column) continue;
      if (z.has_lo && part.bucket_max(bucket) < z.lo.i64) return false;
      if (z.has_hi && part.bucket_min(bucket) > z.hi.i64) return false;
    }
    return true;
  }

  // Rows [r.pos, to) of run r's block, as slices of its decoded columns.
  const ColumnBatch* sealed_slice(Run& r, uint64_t to) {
    const uint64_t count = to - r.pos;
    for (size_t c = 0; c < cols_.size(); ++c) {
      if (!cols_[c].wanted) continue;
      if (merging()) r.block.decode_rows(c, r.pos, to);
      sealed_vectors_[c] = r.block.slice(c, r.pos);
    }
    if (want_keys_) {
      r.block.decode_keys(r.pos, to);
      std::vector<size_t>& offsets = key_offsets_;
      offsets.resize(count + 1);
      for (uint64_t i = 0; i < count; ++i) {
        offsets[i] = arena_.size();
        r.block.append_key(r.pos + i, arena_);
      }
      offsets[count] = arena_.size();
      for (uint64_t i = 0; i < count; ++i)
        keys_[i] = StrRef{arena_.data() + offsets[i], offsets[i + 1] - offsets[i]};
    }
    sealed_batch_.count = count;
    stats_.sealed_rows += count;
    advance(r, to);
    return &sealed_batch_;
  }

  // Without an index (one run): positions the block iterator on the block holding `lower_` (the last
  // block starting at or before it), or on the first block after it.
  void seek_blocks() {
    if (runs_.empty() || index_) return;
    Run& r = runs_[0];
    r.it.reset(db_->NewIterator(block_ro_));
    r.it->SeekForPrev(meta::block_key(lower_));
    if (!r.it->Valid()) {
      check_status(r.it->status(), "scanning table \"" + table_->name + "\"");
      r.it->Seek(block_lower_);
    }
  }

  // Loads run r's next block that overlaps [lower_, upper_) and that the zone maps do not exclude, trimmed
  // to the range, with the wanted columns decoded; r.done when there is none.
  void load_next_block(Run& r) {
    if (index_) return load_next_indexed_block(r);
    if (r.it_on_block) {  // the previous block is done: its bytes may go
      r.it->Next();
      r.it_on_block = false;
    }
    for (; r.it->Valid(); r.it->Next()) {
      rocksdb::Slice k = r.it->key();
      std::string_view first(k.data() + block_lower_.size() - keycodec::kTablePrefixSize,
                             k.size() - (block_lower_.size() - keycodec::kTablePrefixSize));
      if (!upper_.empty() && first >= std::string_view(upper_)) break;
      rocksdb::Slice v = r.it->value();
      std::string_view value(v.data(), v.size());
      {  // a block before the range (where the seek landed) is neither read nor counted as skipped
        uint64_t horizon = 0;
        std::string_view last, bytes;
        if (sealed::parse_value(value, horizon, last, bytes) && last < std::string_view(lower_)) continue;
      }
      ++stats_.headers_read;
      if (!zone_.empty() && !zone_match_stored(value)) {
        ++stats_.blocks_skipped;
        continue;
      }
      r.block.load(table_, first, value);
      if (std::string_view(r.block.last_key()) < std::string_view(lower_)) continue;
      if (!trim_and_decode(r)) continue;
      r.it_on_block = true;  // the block reads the iterator's value in place: stay on it
      return;
    }
    check_status(r.it->status(), "scanning table \"" + table_->name + "\"");
    r.done = true;
  }

  // Trims run r's loaded block to [lower_, upper_) and decodes the wanted columns of what is left; false
  // when nothing is (the range falls between two of its rows).
  bool trim_and_decode(Run& r) {
    r.pos = 0;
    r.end = r.block.rows();
    if (std::string_view(r.block.first_key()) < std::string_view(lower_))
      r.pos = r.block.lower_bound(0, r.end, lower_);
    if (!upper_.empty() && std::string_view(r.block.last_key()) >= std::string_view(upper_))
      r.end = r.block.lower_bound(r.pos, r.end, upper_);
    if (r.pos >= r.end) return false;
    // One run: the wanted columns of the range in one pass. Several: by slice (sealed_slice), so the rows a
    // slice hands out were decoded just before, not when the block was loaded, many slices of other runs ago.
    if (!merging())
      for (size_t c = 0; c < cols_.size(); ++c)
        if (cols_[c].wanted) r.block.decode_rows(c, r.pos, r.end);
    ++stats_.blocks_read;
    r.have_block = true;
    if (merging()) {
      r.head.clear();
      r.block.append_key(r.pos, r.head);
    }
    return true;
  }

  // load_next_block with the block index: the run's blocks of [next_block, end_block) overlap the range;
  // those the zone maps exclude are counted and passed over without a read, the next one is read by its key.
  void load_next_indexed_block(Run& r) {
    r.it_on_block = false;  // the previous block is done: the seek below lets its bytes go
    for (; r.next_block < r.end_block; ++r.next_block) {
      const sealed::BlockSummary& b = *index_->blocks[r.next_block];
      if (!zone_.empty() && !zone_match(b)) {
        ++stats_.blocks_skipped;
        continue;
      }
      const std::string key = sealed::stored_block_key(index_->part, b.bucket, b.first_key);
      if (!r.it) r.it.reset(db_->NewIterator(block_ro_));
      r.it->Seek(key);
      if (!r.it->Valid() || r.it->key() != rocksdb::Slice(key)) {
        check_status(r.it->status(), "scanning table \"" + table_->name + "\"");
        throw SqlError(SqlState::DataCorrupted, "sealed block of table \"" + table_->name +
                                                    "\" listed in the block index is not stored");
      }
      rocksdb::Slice v = r.it->value();
      r.block.load(table_, b.first_key, std::string_view(v.data(), v.size()));
      if (!trim_and_decode(r)) continue;
      ++r.next_block;
      r.it_on_block = true;
      return;
    }
    r.done = true;
  }

  // Zone maps: false when some pushed-down predicate holds for no row of the block (`zones`: a block
  // summary from the index, or a BlockReader on the stored header).
  template <class Zones>
  bool zone_match(const Zones& zones) const {
    for (const ZoneBound& z : zone_) {
      if (z.column < 0 || static_cast<size_t>(z.column) >= cols_.size()) continue;
      if (!zones.may_contain(static_cast<size_t>(z.column), z.has_lo ? &z.lo : nullptr,
                             z.has_hi ? &z.hi : nullptr))
        return false;
    }
    return true;
  }

  // zone_match on a stored block value: reads the header only.
  bool zone_match_stored(std::string_view value) const {
    std::string_view block;
    if (!sealed::block_bytes(value, block)) return true;  // load() reports the damage
    columnar::BlockReader reader;
    if (!reader.open(block).is_ok()) return true;
    return zone_match(reader);
  }

  // Positions it_ on the version of the next user key that this snapshot sees: skips older versions of
  // the key just produced and versions committed after the snapshot. False at the end of the range.
  bool settle() {
    while (it_->Valid()) {
      rocksdb::Slice key = it_->key();
      if (key.size() < keycodec::kTablePrefixSize + keycodec::kVersionSize)
        throw_corrupt(*table_, "short key");
      std::string_view user_key(key.data(), key.size() - keycodec::kVersionSize);
      if ((have_prev_ && user_key == prev_user_key_) ||
          keycodec::decode_version(std::string_view(key.data(), key.size())) > snapshot_ts_) {
        it_->Next();
        continue;
      }
      if (filter_ && !filter_->admits(user_key)) {  // a key of a run the seal leaves: all its versions
        prev_user_key_.assign(user_key);
        have_prev_ = true;
        it_->Next();
        continue;
      }
      return true;
    }
    check_status(it_->status(), "scanning table \"" + table_->name + "\"");
    return false;
  }

  // Decodes the requested columns of one stored value into row `r` of the batch. Returns false for a
  // tombstone (the row does not exist at this snapshot).
  bool decode_row(const uint8_t* p, size_t size, uint64_t r) {
    const uint8_t* end = p + size;
    if (size < 2) {
      if (size == 1 && p[0] == rowcodec::kKindTombstone) return false;
      throw_corrupt(*table_, "truncated value");
    }
    if (p[0] != rowcodec::kKindRow && p[0] != rowcodec::kKindNewRow) {
      if (p[0] == rowcodec::kKindTombstone) return false;
      throw_corrupt(*table_, "unknown value kind");
    }
    if (p[1] != rowcodec::kRowFormatV1) throw_corrupt(*table_, "unknown row format version");
    p += 2;
    uint64_t n;
    if (p < end && *p < 0x80) {
      n = *p++;
    } else if (!(p = rowcodec::read_varint(p, end, n))) {
      throw_corrupt(*table_, "bad column count");
    }
    const size_t bitmap_bytes = (n + 7) / 8;
    if (static_cast<size_t>(end - p) < bitmap_bytes) throw_corrupt(*table_, "truncated null bitmap");
    const uint8_t* bitmap = p;
    p += bitmap_bytes;
    const size_t limit = std::min<size_t>(n, decode_limit_);
    for (size_t i = 0; i < limit; ++i) {
      const Col& c = slots_[i];
      ColumnVector& v = vectors_[slot_column_[i]];
      if ((bitmap[i >> 3] >> (i & 7)) & 1) {
        if (c.wanted) v.nulls[r] = 1;
        continue;
      }
      switch (physical_type(c.type)) {
        case PhysType::Bool:
          if (p + 1 > end) throw_corrupt(*table_, "truncated row");
          if (c.wanted) {
            static_cast<uint8_t*>(v.data)[r] = *p != 0;
            v.nulls[r] = 0;
          }
          p += 1;
          break;
        case PhysType::Int32:
          if (c.type == TypeId::Int16) {  // two bytes in the row, an int4 in the batch
            if (p + 2 > end) throw_corrupt(*table_, "truncated row");
            if (c.wanted) {
              int16_t x;
              std::memcpy(&x, p, 2);
              static_cast<int32_t*>(v.data)[r] = x;
              v.nulls[r] = 0;
            }
            p += 2;
            break;
          }
          if (p + 4 > end) throw_corrupt(*table_, "truncated row");
          if (c.wanted) {
            std::memcpy(static_cast<int32_t*>(v.data) + r, p, 4);
            v.nulls[r] = 0;
          }
          p += 4;
          break;
        case PhysType::Int64:
        case PhysType::Float64:
          if (c.type == TypeId::Float32) {  // four bytes in the row, a double in the batch
            if (p + 4 > end) throw_corrupt(*table_, "truncated row");
            if (c.wanted) {
              float x;
              std::memcpy(&x, p, 4);
              static_cast<double*>(v.data)[r] = x;
              v.nulls[r] = 0;
            }
            p += 4;
            break;
          }
          if (p + 8 > end) throw_corrupt(*table_, "truncated row");
          if (c.wanted) {
            std::memcpy(static_cast<uint64_t*>(v.data) + r, p, 8);
            v.nulls[r] = 0;
          }
          p += 8;
          break;
        case PhysType::Interval:
          if (p + 16 > end) throw_corrupt(*table_, "truncated row");
          if (c.wanted) {
            std::memcpy(static_cast<char*>(v.data) + r * 16, p, 16);
            v.nulls[r] = 0;
          }
          p += 16;
          break;
        case PhysType::Text: {
          uint64_t len;
          if (p < end && *p < 0x80) {
            len = *p++;
          } else if (!(p = rowcodec::read_varint(p, end, len))) {
            throw_corrupt(*table_, "bad text length");
          }
          if (static_cast<uint64_t>(end - p) < len) throw_corrupt(*table_, "truncated text");
          if (c.wanted) {
            StrRef& s = static_cast<StrRef*>(v.data)[r];
            s.ptr = reinterpret_cast<const char*>(static_cast<uintptr_t>(arena_.size()));
            s.len = len;
            arena_.append(reinterpret_cast<const char*>(p), len);
            v.nulls[r] = 0;
          }
          p += len;
          break;
        }
      }
    }
    for (size_t i = limit; i < decode_limit_; ++i) {  // columns the stored row predates: NULL or the
      if (!slots_[i].wanted) continue;                // value ADD COLUMN gave them
      const size_t col = slot_column_[i];
      const ColumnDef& def = table_->columns[col];
      ColumnVector& v = vectors_[col];
      if (!def.has_missing) {
        v.nulls[r] = 1;
        continue;
      }
      const uint8_t* m = reinterpret_cast<const uint8_t*>(def.missing.data());
      const size_t w = sealed::value_width(def.type);
      if (physical_type(def.type) == PhysType::Text) {
        StrRef& s = static_cast<StrRef*>(v.data)[r];
        s.ptr = reinterpret_cast<const char*>(static_cast<uintptr_t>(arena_.size()));
        s.len = def.missing.size();
        arena_.append(reinterpret_cast<const char*>(m), def.missing.size());
      } else if (physical_type(def.type) == PhysType::Bool) {
        static_cast<uint8_t*>(v.data)[r] = def.missing.empty() ? 0 : m[0];
      } else {  // a smallint's two bytes, a real's four: the batch's width from the Datum
        Datum d;
        if (!rowcodec::decode_missing(def.type, def.missing, d)) throw_corrupt(*table_, "bad missing value");
        char* slot = static_cast<char*>(v.data) + r * w;
        switch (physical_type(def.type)) {
          case PhysType::Int32: {
            const auto x = static_cast<int32_t>(d.i64);
            std::memcpy(slot, &x, 4);
            break;
          }
          case PhysType::Float64:
            std::memcpy(slot, &d.f64, 8);
            break;
          case PhysType::Interval:
            std::memcpy(slot, &d.i64, 8);
            std::memcpy(slot + 8, &d.dm, 8);
            break;
          default:
            std::memcpy(slot, &d.i64, 8);
            break;
        }
      }
      v.nulls[r] = 0;
    }
    return true;
  }

  rocksdb::DB* db_;
  const RunFilter* filter_;
  TableDefPtr table_;
  uint32_t batch_rows_;
  bool want_keys_;
  uint64_t snapshot_ts_;
  const WriteSet* writes_;
  WriteSet::const_iterator write_it_, write_end_;
  std::string lower_, upper_;
  rocksdb::Slice upper_slice_;
  std::vector<Col> cols_;
  std::vector<Col> slots_;           // per stored slot: its type, whether its column is wanted
  std::vector<size_t> slot_column_;  // per stored slot: its column (0 for a dropped column's slot)
  size_t decode_limit_ = 0;          // slots to walk in each row: last requested slot + 1
  std::vector<size_t> text_columns_;
  std::vector<std::unique_ptr<uint64_t[]>> buffers_;
  std::vector<std::unique_ptr<uint8_t[]>> null_buffers_;
  std::vector<ColumnVector> vectors_;         // row-store batches: the cursor's own buffers
  std::vector<ColumnVector> sealed_vectors_;  // sealed batches: slices of the block's columns
  std::vector<StrRef> keys_;
  std::vector<size_t> key_offsets_;
  std::string arena_;  // text values and keys of the current batch
  std::string prev_user_key_;
  bool have_prev_ = false;
  bool started_ = false;
  bool done_ = false;
  bool unordered_ = false;       // ScanSpec::unordered with several runs: next_unordered
  bool row_store_done_ = false;  // unordered: the row store is read
  size_t current_run_ = 0;       // unordered: the run being read
  ColumnBatch batch_{};
  ColumnBatch sealed_batch_{};
  std::vector<ZoneBound> zone_;
  ScanStats stats_;
  // Sealed blocks
  std::string block_lower_, block_upper_;
  rocksdb::Slice block_lower_slice_, block_upper_slice_;
  rocksdb::ReadOptions block_ro_;                    // the runs' iterators: the snapshot, the table's blocks
  std::shared_ptr<const sealed::BlockIndex> index_;  // null: walk the stored blocks, reading their headers
  const rocksdb::Snapshot* snapshot_ = nullptr;
  std::unique_ptr<rocksdb::Iterator> it_;  // last: destroyed before the bounds they point to
  std::vector<Run> runs_;                  // empty: no blocks
};

// What one statement reads: committed versions at `snapshot_ts` plus its transaction's writes.
class ReadViewImpl final : public ReadView {
 public:
  // `owns_snapshot`: the view registered snapshot_ts itself and releases it when destroyed (otherwise its
  // transaction holds the registration).
  // `truncated`: tables the view's transaction truncated (their stored rows are not read), or null.
  ReadViewImpl(rocksdb::DB* db, StoreState& state, uint64_t snapshot_ts, bool owns_snapshot,
               const WriteSet* writes, const std::map<uint32_t, std::string>* truncated = nullptr)
      : db_(db),
        state_(state),
        snapshot_ts_(snapshot_ts),
        owns_snapshot_(owns_snapshot),
        writes_(writes),
        truncated_(truncated) {}
  ~ReadViewImpl() override {
    if (owns_snapshot_) state_.release_snapshot(snapshot_ts_);
  }

  std::unique_ptr<ScanCursor> scan(const ScanSpec& spec) const override;

  // A view of the same transaction's writes over the newest committed rows (a new snapshot).
  std::unique_ptr<ReadViewImpl> latest() const {
    return std::make_unique<ReadViewImpl>(db_, state_, state_.acquire_snapshot(), true, writes_, truncated_);
  }

  // Whether the view's transaction truncated the table (TRUNCATE): its stored rows are gone for it.
  bool truncated(uint32_t table_id) const { return truncated_ && truncated_->count(table_id) != 0; }
  bool truncated_key(std::string_view key) const {
    return truncated_ && !truncated_->empty() && key.size() >= keycodec::kTablePrefixSize &&
           truncated(keycodec::decode_table_id(key));
  }

  bool exists(std::string_view key) const override {
    if (writes_) {
      auto it = writes_->find(key);
      if (it != writes_->end()) return !it->second.is_delete;
    }
    if (truncated_key(key)) return false;
    if (ascending_probe(key)) return probe_exists(key);
    std::string target(key);
    target.append(keycodec::kVersionSize, '\0');  // sorts before every version of the key
    rocksdb::ManagedSnapshot snapshot(db_);       // the row store and the blocks as of one moment
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot.snapshot();
    if (in_row_domain(target)) {
      ro.prefix_same_as_start = true;
    } else {
      ro.total_order_seek = true;
    }
    {
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
      for (it->Seek(target); it->Valid() && has_user_key(it->key(), key); it->Next()) {
        if (keycodec::decode_version(std::string_view(it->key().data(), it->key().size())) > snapshot_ts_)
          continue;
        rocksdb::Slice v = it->value();
        return rowcodec::value_kind(std::string_view(v.data(), v.size())) != rowcodec::ValueKind::Tombstone;
      }
      check_status(it->status(), "looking up a row");
    }
    // No version in the row store at or below the snapshot: the key's sealed row, if any, is visible.
    return sealed_contains(key, ro.snapshot);
  }

  // Whether a sealed block holds a row with this storage key.
  bool sealed_contains(std::string_view key, const rocksdb::Snapshot* snapshot) const {
    if (key.size() < keycodec::kTablePrefixSize || truncated_key(key)) return false;
    const uint32_t table_id = keycodec::decode_table_id(key);
    if (!state_.table_sealed(table_id)) return false;  // checked after the snapshot was taken (see the scan)
    std::optional<rocksdb::ManagedSnapshot> latest;
    if (!snapshot) {  // the newest rows: those of a snapshot taken now
      latest.emplace(db_);
      snapshot = latest->snapshot();
    }
    sealed::BlockIndexPtr index = state_.block_index(table_id, snapshot->GetSequenceNumber());
    if (!index) index = partitioned_index_at(db_, table_id, snapshot, nullptr);
    if (index) {
      // The block whose key range holds the key in the key's run, from the index: no other block is read.
      TableDefPtr table = state_.catalog ? state_.catalog->find(table_id) : nullptr;
      if (!table) return false;
      const sealed::BlockSummary* b = index->covering(*table, key);
      if (!b) return false;
      rocksdb::ReadOptions ro;
      ro.snapshot = snapshot;
      rocksdb::PinnableSlice value;
      rocksdb::Status s = db_->Get(ro, db_->DefaultColumnFamily(),
                                   sealed::stored_block_key(index->part, b->bucket, b->first_key), &value);
      if (s.IsNotFound())
        throw SqlError(SqlState::DataCorrupted, "sealed block of table \"" + table->name +
                                                    "\" listed in the block index is not stored");
      check_status(s, "looking up a row");
      sealed::LoadedBlock loaded;
      loaded.load(table, b->first_key, std::string_view(value.data(), value.size()));
      uint64_t i = loaded.lower_bound(0, loaded.rows(), key);
      return i < loaded.rows() && loaded.compare_key(i, key) == 0;
    }
    std::string lower = meta::block_prefix(table_id);
    std::string upper = keycodec::prefix_successor(lower);
    rocksdb::Slice lower_slice(lower), upper_slice(upper);
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot;
    ro.total_order_seek = true;
    ro.iterate_lower_bound = &lower_slice;
    ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
    it->SeekForPrev(meta::block_key(key));
    if (!it->Valid()) {
      check_status(it->status(), "looking up a row");
      return false;
    }
    rocksdb::Slice v = it->value();
    std::string_view value(v.data(), v.size()), last_key, block;
    uint64_t horizon = 0;
    if (sealed::parse_value(value, horizon, last_key, block) && key > last_key) return false;
    TableDefPtr table = state_.catalog ? state_.catalog->find(table_id) : nullptr;
    if (!table) return false;
    rocksdb::Slice k = it->key();
    sealed::LoadedBlock loaded;
    loaded.load(table, std::string_view(k.data() + 5, k.size() - 5), value);
    uint64_t i = loaded.lower_bound(0, loaded.rows(), key);
    return i < loaded.rows() && loaded.compare_key(i, key) == 0;
  }

  uint64_t snapshot_ts() const { return snapshot_ts_; }

  // The transaction's writes before this statement (nullptr: none).
  const WriteSet* own_writes() const { return writes_; }

  // The transaction's own write of `key` (nullptr if none).
  const WriteOp* own_write(std::string_view key) const {
    if (!writes_) return nullptr;
    auto it = writes_->find(key);
    return it == writes_->end() ? nullptr : &it->second;
  }

 private:
  // Keys that arrive in ascending order (COPY or a multi-row INSERT of keys in order: time series) are
  // checked with one iterator moving forward instead of a seek per key. The iterator stands at the
  // first stored entry at or after the previous key; a key before that entry is absent without any
  // I/O, and once it has run off the table's end every later key is absent. A key out of order goes
  // back to the point lookup (prefix bloom filters serve random keys better). Whether the previous key
  // was below this one is decided on the first two keys, so single-row statements never pay for it.
  bool ascending_probe(std::string_view key) const {
    if (key.size() <= keycodec::kTablePrefixSize) return false;
    bool ascending = !probe_last_.empty() && probe_last_.size() >= keycodec::kTablePrefixSize &&
                     std::memcmp(probe_last_.data(), key.data(), keycodec::kTablePrefixSize) == 0 &&
                     std::string_view(probe_last_) < key;
    if (!ascending) probe_.reset();
    probe_last_.assign(key);
    return ascending;
  }

  bool probe_exists(std::string_view key) const {
    std::string target(key);
    target.append(keycodec::kVersionSize, '\0');  // sorts before every version of the key
    if (!probe_ || ++probe_uses_ > kProbeRefresh) {
      // A fresh iterator now and then: an old one pins memtables and files that were flushed meanwhile.
      probe_upper_ = keycodec::prefix_successor(std::string(key.substr(0, keycodec::kTablePrefixSize)));
      probe_upper_slice_ = rocksdb::Slice(probe_upper_);
      rocksdb::ReadOptions ro;
      ro.total_order_seek = true;
      ro.iterate_upper_bound = &probe_upper_slice_;
      probe_.reset(db_->NewIterator(ro));
      probe_uses_ = 0;
      probe_->Seek(target);
    } else if (probe_->Valid() && probe_->key().compare(rocksdb::Slice(target)) < 0) {
      probe_->Seek(target);
    }
    for (; probe_->Valid() && has_user_key(probe_->key(), key); probe_->Next()) {
      if (keycodec::decode_version(std::string_view(probe_->key().data(), probe_->key().size())) >
          snapshot_ts_)
        continue;
      rocksdb::Slice v = probe_->value();
      return rowcodec::value_kind(std::string_view(v.data(), v.size())) != rowcodec::ValueKind::Tombstone;
    }
    check_status(probe_->status(), "looking up a row");
    // No version in the row store: the key's sealed row, if any (sealed rows lie below every snapshot).
    return sealed_contains(key, nullptr);
  }

  static constexpr uint64_t kProbeRefresh = 1 << 18;

  rocksdb::DB* db_;
  StoreState& state_;
  uint64_t snapshot_ts_;
  bool owns_snapshot_;
  const WriteSet* writes_;
  const std::map<uint32_t, std::string>* truncated_;
  // The forward probe (exists() is const: a view is used by one statement on one thread).
  mutable std::string probe_last_;
  mutable std::string probe_upper_;
  mutable rocksdb::Slice probe_upper_slice_;
  mutable uint64_t probe_uses_ = 0;
  mutable std::unique_ptr<rocksdb::Iterator> probe_;  // last: destroyed before the bound it points to
};

// An index scan (ScanSpec::index_id): the index's entries visible to the view, merged with the view's
// transaction's own entries (which win), in index order; each live entry's row is read by a one-key scan
// of the table (ScanCursorImpl: the row store's visible version, the transaction's writes, sealed blocks),
// and its one-row batch handed out as it is.
class IndexScanCursor final : public ScanCursor {
 public:
  IndexScanCursor(rocksdb::DB* db, const ReadViewImpl& view, uint64_t snapshot_ts, const WriteSet* writes,
                  const ScanSpec& spec, bool truncated)
      : view_(view), snapshot_ts_(snapshot_ts), only_key_(spec.only_key) {
    row_spec_ = spec;
    row_spec_.index_id = 0;
    row_spec_.only_key.clear();
    row_spec_.batch_rows = 1;
    row_spec_.upper_unbounded = false;
    std::string prefix = table_prefix(spec.index_id);
    lower_ = prefix + spec.lower;
    upper_ =
        spec.upper_unbounded || spec.upper.empty() ? keycodec::prefix_successor(prefix) : prefix + spec.upper;
    if (writes) {
      write_it_ = writes->lower_bound(lower_);
      write_end_ = upper_ <= lower_ ? write_it_ : writes->lower_bound(upper_);
    }
    if (truncated || upper_ <= lower_) return;  // nothing stored is read
    upper_slice_ = rocksdb::Slice(upper_);
    rocksdb::ReadOptions ro;
    ro.total_order_seek = true;
    ro.iterate_upper_bound = &upper_slice_;
    it_.reset(db->NewIterator(ro));
    it_->Seek(lower_);
  }

  const ColumnBatch* next() override {
    row_.reset();
    std::string storage_key;
    while (next_entry(storage_key)) {
      if (storage_key.size() <= keycodec::kTablePrefixSize) continue;
      if (!only_key_.empty() && storage_key != only_key_) continue;
      row_spec_.lower.assign(storage_key, keycodec::kTablePrefixSize);
      // Above every version of this key and below every other key (primary keys are prefix-free).
      row_spec_.upper = keycodec::prefix_successor(row_spec_.lower);
      row_spec_.upper_unbounded = row_spec_.upper.empty();
      row_ = view_.scan(row_spec_);
      if (const ColumnBatch* b = row_->next()) {
        ++stats_.row_store_rows;
        return b;
      }
      row_.reset();  // an entry without its row (not expected: they are written together)
    }
    return nullptr;
  }
  ScanStats stats() const override { return stats_; }

 private:
  // The next live entry's row storage key, in index order.
  bool next_entry(std::string& storage_key) {
    for (;;) {
      if (!have_stored_) have_stored_ = next_stored();
      const bool have_write = write_it_ != write_end_;
      if (!have_stored_ && !have_write) return false;
      if (have_write &&
          (!have_stored_ || std::string_view(write_it_->first) <= std::string_view(stored_key_))) {
        if (have_stored_ && write_it_->first == stored_key_) have_stored_ = false;  // our write wins
        const WriteOp& op = write_it_->second;
        ++write_it_;
        if (op.is_delete || op.value.size() < 2) continue;
        storage_key.assign(op.value, 1);
        return true;
      }
      have_stored_ = false;
      if (rowcodec::value_kind(stored_value_) != rowcodec::ValueKind::Row) continue;
      storage_key.assign(stored_value_, 1);
      return true;
    }
  }

  // The next entry key's newest version visible at the snapshot (a tombstone included).
  bool next_stored() {
    if (!it_) return false;
    for (; it_->Valid(); it_->Next()) {
      rocksdb::Slice k = it_->key();
      if (k.size() < keycodec::kVersionSize) continue;
      std::string_view user(k.data(), k.size() - keycodec::kVersionSize);
      if (user == last_user_) continue;  // an older version of a key already resolved
      if (keycodec::decode_version(std::string_view(k.data(), k.size())) > snapshot_ts_) continue;
      last_user_.assign(user);
      stored_key_.assign(user);
      stored_value_.assign(it_->value().data(), it_->value().size());
      it_->Next();
      return true;
    }
    check_status(it_->status(), "reading an index");
    return false;
  }

  const ReadViewImpl& view_;
  uint64_t snapshot_ts_;
  std::string only_key_;
  ScanSpec row_spec_;
  std::string lower_, upper_;
  rocksdb::Slice upper_slice_;
  std::unique_ptr<rocksdb::Iterator> it_;
  std::string last_user_, stored_key_, stored_value_;
  bool have_stored_ = false;
  WriteSet::const_iterator write_it_{}, write_end_{};
  std::unique_ptr<ScanCursor> row_;  // the row handed out last (its batch lives as long as it)
  ScanStats stats_;
};

std::unique_ptr<ScanCursor> ReadViewImpl::scan(const ScanSpec& spec) const {
  if (spec.index_id != 0) {
    if (snapshot_ts_ >= spec.index_valid_from)
      return std::make_unique<IndexScanCursor>(db_, *this, snapshot_ts_, writes_, spec,
                                               truncated(spec.index_id));
    // A snapshot older than the index's build: the table itself (the caller re-checks every row).
    ScanSpec whole = spec;
    whole.index_id = 0;
    whole.lower.clear();
    whole.upper.clear();
    whole.upper_unbounded = true;
    if (!spec.only_key.empty()) {
      whole.lower.assign(spec.only_key, keycodec::kTablePrefixSize);
      whole.upper = keycodec::prefix_successor(whole.lower);
      whole.upper_unbounded = whole.upper.empty();
    }
    whole.only_key.clear();
    return scan(whole);
  }
  return std::make_unique<ScanCursorImpl>(db_, state_, snapshot_ts_, writes_, spec,
                                          spec.table && truncated(spec.table->id));
}

// A spilled write as stored under meta::spill_prefix(txn) + its storage key: u8 flags (kSpillChecked: its
// read_ts is checked for conflicts, kSpillFreshRowid), u64 BE read_ts, the row. Only puts are spilled.
constexpr uint8_t kSpillChecked = 1;
constexpr uint8_t kSpillFreshRowid = 2;
std::string encode_spilled_op(const WriteOp& op) {
  std::string v;
  v.reserve(9 + op.value.size());
  v.push_back(static_cast<char>((op.read_ts != kNoConflictCheck ? kSpillChecked : 0) |
                                (op.fresh_rowid ? kSpillFreshRowid : 0)));
  meta::append_be(op.read_ts == kNoConflictCheck ? 0 : op.read_ts, 8, v);
  v.append(op.value);
  return v;
}
bool decode_spilled_op(std::string_view v, uint8_t* flags, uint64_t* read_ts, std::string_view* row) {
  if (v.size() < 9) return false;
  *flags = static_cast<uint8_t>(v[0]);
  *read_ts = meta::read_be(v.substr(1, 8));
  *row = v.substr(9);
  return true;
}

// Newest committed version's timestamp of a storage key (0 if none), counting commits that have a
// timestamp but are still being written (their keys, and the spilled keys of spilled commits). Caller holds
// commit_mutex.
uint64_t newest_version_ts(StoreState& state, rocksdb::Iterator& it, std::string_view key, bool* live) {
  auto inflight = state.inflight_keys.find(key);
  if (inflight != state.inflight_keys.end()) {
    *live = true;
    return inflight->second;
  }
  for (const StoreState::InflightSpill& spill : state.inflight_spills) {
    if (key < spill.min_key || key > spill.max_key) continue;
    std::string v;
    rocksdb::Status st =
        state.db->Get(rocksdb::ReadOptions(), meta::spill_prefix(spill.txn) + std::string(key), &v);
    if (st.ok() && !v.empty() && (static_cast<uint8_t>(v[0]) & kSpillChecked)) {
      *live = true;
      return spill.ts;
    }
    if (!st.ok() && !st.IsNotFound()) check_status(st, "checking for conflicts");
  }
  std::string target(key);
  target.append(keycodec::kVersionSize, '\0');
  it.Seek(target);
  if (it.Valid() && has_user_key(it.key(), key)) {
    rocksdb::Slice v = it.value();
    *live = rowcodec::value_kind(std::string_view(v.data(), v.size())) == rowcodec::ValueKind::Row;
    return keycodec::decode_version(std::string_view(it.key().data(), it.key().size()));
  }
  check_status(it.status(), "checking for conflicts");
  *live = false;
  return 0;
}

// Calls f(key without `prefix`, value) for every key that starts with `prefix`, in key order, until f returns
// false. Returns the iterator's status.
rocksdb::Status for_each_with_prefix(rocksdb::DB& db, const std::string& prefix,
                                     const std::function<bool(std::string_view, std::string_view)>& f) {
  const std::string upper = keycodec::prefix_successor(prefix);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(ro));
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    if (!f(std::string_view(it->key().data() + prefix.size(), it->key().size() - prefix.size()),
           std::string_view(it->value().data(), it->value().size())))
      break;
  }
  return it->status();
}

// Moves the spilled writes of transaction `txn` into the tables as versions of commit timestamp `ts`, in
// batches of about `batch_bytes` (without sync: its commit record is durable already, and a crash before
// the end repeats the move at the next open, which writes the same versions again), then deletes the
// spilled writes and the commit record in one last batch. Writes under an id `skip` says is gone (an index
// dropped meanwhile) are left out. Returns the first failed write's status.
rocksdb::Status move_spilled(rocksdb::DB& db, uint64_t txn, uint64_t ts, uint64_t batch_bytes,
                             const std::function<bool(uint32_t)>& skip) {
  const std::string lower = meta::spill_prefix(txn);
  rocksdb::WriteBatch batch;
  std::string vkey;
  rocksdb::Status st;
  rocksdb::Status read = for_each_with_prefix(db, lower, [&](std::string_view key, std::string_view value) {
    uint8_t flags = 0;
    uint64_t read_ts = 0;
    std::string_view row;
    if (key.size() <= keycodec::kTablePrefixSize || !decode_spilled_op(value, &flags, &read_ts, &row)) {
      st = rocksdb::Status::Corruption("malformed spilled write of transaction " + std::to_string(txn));
      return false;
    }
    if (skip && skip(keycodec::decode_table_id(key))) return true;
    vkey.assign(key);
    keycodec::append_version(ts, vkey);
    st = batch.Put(vkey, rocksdb::Slice(row.data(), row.size()));
    if (st.ok() && batch.GetDataSize() >= batch_bytes) {
      OMEN_SYNC_POINT("move_spilled:BeforeBatch");
      st = write_to_rocksdb(db, rocksdb::WriteOptions(), batch);
      batch.Clear();
      OMEN_SYNC_POINT_CALLBACK("move_spilled:AfterBatch", &st);  // (tests: a failed write)
    }
    return st.ok();
  });
  if (!st.ok()) return st;
  if (!read.ok()) return read;
  st = batch.DeleteRange(lower, keycodec::prefix_successor(lower));
  if (st.ok()) st = batch.Delete(meta::spill_commit_key(txn));
  if (st.ok()) st = write_to_rocksdb(db, rocksdb::WriteOptions(), batch);
  return st;
}

class StatementWriterImpl;

class TransactionImpl final : public Transaction {
 public:
  TransactionImpl(Store& store, StoreState& state, IsolationLevel isolation)
      : store_(store), state_(state), isolation_(isolation), id_(state.next_txn_id.fetch_add(1)) {
    overlay_.owner = id_;
  }
  ~TransactionImpl() override { end(); }

  IsolationLevel isolation() const override { return isolation_; }

  std::unique_ptr<ReadView> statement_view() override {
    if (isolation_ == IsolationLevel::ReadCommitted)
      return std::make_unique<ReadViewImpl>(store_.db(), state_, state_.acquire_snapshot(), true, &writes_,
                                            &truncated_);
    if (!snapshot_) snapshot_ = state_.acquire_snapshot();  // taken by the first statement, as in PostgreSQL
    return std::make_unique<ReadViewImpl>(store_.db(), state_, *snapshot_, false, &writes_, &truncated_);
  }

  std::unique_ptr<StatementWriter> writer(const ReadView& view) override;

  void commit() override;
  void commit_ordered();
  void commit_spilled();
  CatalogOverlay& catalog_overlay() override { return overlay_; }
  void alter_rows(const TableDef& def, const TableDefPtr& old, const Store::AlterWork& work) override;
  // An empty overlay, of the same session (its temporary namespace stays).
  void reset_overlay() {
    const uint32_t temp_namespace = overlay_.temp_namespace;
    auto search_path = std::move(overlay_.search_path);
    overlay_ = CatalogOverlay{};
    overlay_.owner = id_;
    overlay_.temp_namespace = temp_namespace;
    overlay_.search_path = std::move(search_path);
  }
  // Indexes the transaction wrote entries of that were dropped since (DROP INDEX): their entries are left
  // out of the commit (they would stay for ever under an id that is never used again). Caller holds
  // commit_mutex, so no DROP INDEX runs meanwhile.
  std::set<uint32_t> dropped_indexes() const {
    std::set<uint32_t> out;
    for (auto it = writes_.begin(); it != writes_.end();) {
      const uint32_t id = keycodec::decode_table_id(it->first);
      if (overlay_.discarded.count(id) ||
          (!tables_.count(id) && !store_.catalog().index_exists(id, &overlay_)))
        out.insert(id);
      it = writes_.lower_bound(keycodec::prefix_successor(table_prefix(id)));
    }
    return out;
  }
  void check_table_resets(std::unique_lock<std::mutex>& commit_lock);

  void rollback() override {
    writes_.clear();
    truncated_.clear();
    catalog_touched_ = catalog_touched_ || overlay_.changed;
    reset_overlay();
    savepoints_.clear();
    lock_undo_.clear();
    end();
  }

  // O(1) in the size of the write set: a savepoint records where the undo logs are (the writes after it log
  // what they replace, see note_undo), and copies only the small per-table maps and the catalog overlay.
  size_t savepoint() override {
    memory_.reserve(kSavepointCharge);  // 53200 past the limit
    try {
      savepoints_.push_back({tables_, truncated_, lock_undo_.size(), write_undo_.size(), overlay_});
    } catch (...) {
      memory_.release(kSavepointCharge);
      throw;
    }
    return savepoints_.size() - 1;
  }
  // Also gives back the row locks taken after the savepoint, and weakens to their old mode the locks a
  // later statement strengthened, as PostgreSQL's subtransaction abort does.
  void rollback_to(size_t mark) override {
    if (mark >= savepoints_.size()) return;
    undo_writes(savepoints_[mark].writes);
    tables_ = savepoints_[mark].tables;
    truncated_ = savepoints_[mark].truncated;
    if (overlay_.changed) {
      catalog_touched_ = true;
      overlay_ = savepoints_[mark].overlay;
      store_.catalog().invalidate();  // plans made against the undone changes are stale
    }
    memory_.release(kSavepointCharge * (savepoints_.size() - mark - 1));
    std::vector<std::string> released;
    for (size_t i = lock_undo_.size(); i-- > savepoints_[mark].locks;) {
      LockUndo& u = lock_undo_[i];
      if (u.before) {
        locked_[u.key] = *u.before;
        state_.locks.downgrade(id_, u.key, *u.before);
      } else {
        locked_.erase(u.key);
        release_lock_charge(u.key);
        released.push_back(std::move(u.key));
      }
    }
    lock_undo_.resize(savepoints_[mark].locks);
    state_.locks.release(id_, released);
    savepoints_.resize(mark + 1);
  }
  // The writes and locks after the released savepoints stay (an outer savepoint's undo logs cover them).
  void release(size_t mark) override {
    if (mark >= savepoints_.size()) return;
    memory_.release(kSavepointCharge * (savepoints_.size() - mark));
    savepoints_.resize(mark);
    if (savepoints_.empty()) {  // the writes and locks belong to the transaction now
      lock_undo_.clear();
      forget_write_undo();
    }
  }
  bool has_writes() const override {
    return spilled_ || !writes_.empty() || !truncated_.empty() || !overlay_.empty();
  }

  // ---- Spilled writes (StatementWriter::allow_spill; docs/mvcc.md, "Spilled writes of a large COPY").
  // Whether a statement's writes may be spilled: the transaction has nothing else to commit or undo.
  bool can_spill() const {
    return writes_.empty() && truncated_.empty() && overlay_.empty() && !overlay_.changed &&
           savepoints_.empty() && moved_on_.empty();
  }
  bool spilled() const { return spilled_; }
  // Writes `ops` (puts only) under meta::spill_prefix(id_) and empties it; the caller gives back their
  // memory. The first spill gives back the row locks (the statement takes no more).
  void spill(WriteSet& ops) {
    if (ops.empty()) return;
    pin_read_ts(ops);  // garbage collection keeps what the commit's check compares with
    if (!spilled_) {
      spilled_ = true;
      if (!locked_.empty()) {
        std::vector<std::string> keys;
        keys.reserve(locked_.size());
        for (auto& [key, mode] : locked_) keys.push_back(key);
        locked_.clear();
        state_.locks.release(id_, keys);
        memory_.release(lock_bytes_);
        lock_bytes_ = 0;
      }
    }
    const std::string prefix = meta::spill_prefix(id_);
    rocksdb::WriteBatch batch;
    std::string skey;
    for (const auto& [key, op] : ops) {
      if (op.is_delete || op.new_row) throw SqlError(SqlState::InternalError, "only inserts can be spilled");
      skey = prefix;
      skey.append(key);
      check_status(batch.Put(skey, encode_spilled_op(op)), "spilling rows");
      if (op.read_ts != kNoConflictCheck) spill_read_ts_ = std::min(spill_read_ts_, op.read_ts);
      const uint32_t id = keycodec::decode_table_id(key);
      if (id != last_spill_id_) spill_ids_.insert(last_spill_id_ = id);
    }
    if (spill_min_.empty() || ops.begin()->first < spill_min_) spill_min_ = ops.begin()->first;
    if (ops.rbegin()->first > spill_max_) spill_max_ = ops.rbegin()->first;
    OMEN_SYNC_POINT("TransactionImpl::spill:BeforeWrite");
    check_status(write_to_rocksdb(*store_.db(), rocksdb::WriteOptions(), batch), "spilling rows");
    ops.clear();
  }
  // Whether a spilled write of this transaction puts a row under `key`. Keys past the spilled ones (rows
  // arriving in key order) cost no read.
  bool spilled_put(std::string_view key) const {
    if (!spilled_ || key < spill_min_ || key > spill_max_) return false;
    std::string v;
    rocksdb::Status st =
        store_.db()->Get(rocksdb::ReadOptions(), meta::spill_prefix(id_) + std::string(key), &v);
    if (st.IsNotFound()) return false;
    check_status(st, "reading spilled rows");
    return true;
  }

  void truncate(const TableDef& table) override {
    std::vector<uint32_t> ids{table.id};  // the table's rows and its indexes' entries
    for (const IndexDef& index : table.indexes) ids.push_back(index.id);
    for (uint32_t id : ids) {
      std::string lower = table_prefix(id);
      std::string upper = keycodec::prefix_successor(lower);
      auto from = writes_.lower_bound(lower), to = writes_.lower_bound(upper);
      uint64_t bytes = 0;
      for (auto it = from; it != to; ++it) bytes += write_charge(it->first, it->second);
      if (!savepoints_.empty()) {  // ROLLBACK TO brings them back
        size_t n = 0;
        uint64_t undo = 0;
        for (auto it = from; it != to; ++it, ++n) undo += undo_charge(it->first, &it->second);
        reserve_undo(n, undo);
        for (auto it = from; it != to; ++it) write_undo_.push_back({it->first, std::move(it->second)});
      }
      writes_.erase(from, to);  // its own rows go too
      set_writes_bytes(writes_bytes_ - bytes);
      truncated_[id] = table.name;
    }
    tables_[table.id] = table.name;
  }
  void set_synchronous_commit(bool on) override { sync_ = on; }
  void set_lock_wait(const LockWait& wait) override { lock_wait_ = wait; }
  void set_memory_limit(uint64_t bytes) override { memory_.set_limit(bytes); }
  uint64_t memory_used() const override { return memory_.used(); }
  // Where the transaction's statement writers count their rows.
  MemoryTracker& memory() { return memory_; }

  // At most this many row locks per transaction, so that a huge UPDATE cannot fill memory with lock
  // entries: rows past the limit are written without a lock, and a concurrent writer of one of them is
  // found by the commit check (40001) instead of waiting.
  static constexpr size_t kMaxRowLocks = 1 << 20;

  // Locks a row until the transaction ends (LockManager::lock; Held also for an untracked row).
  LockManager::Outcome lock_row(const TableDef& table, std::string_view key, RowLockMode mode,
                                LockWaitMode how) {
    auto it = locked_.find(key);
    if (it != locked_.end() && it->second >= mode) return LockManager::Outcome::Held;
    if (it == locked_.end() && locked_.size() >= kMaxRowLocks) return LockManager::Outcome::Held;
    OMEN_SYNC_POINT_CALLBACK("TransactionImpl::lock_row:Before", this);
    const uint64_t charge = it == locked_.end() ? lock_charge(key) : 0;
    memory_.reserve(charge);  // a new lock entry (53200 past the limit)
    LockManager::Outcome outcome;
    try {
      outcome = state_.locks.lock({id_, lock_wait_.pid}, key, mode, how, lock_wait_, table.name);
    } catch (...) {
      memory_.release(charge);
      throw;
    }
    if (outcome == LockManager::Outcome::Busy) {
      memory_.release(charge);
      return outcome;
    }
    lock_bytes_ += charge;
    if (it != locked_.end()) {
      if (!savepoints_.empty()) lock_undo_.push_back({std::string(key), it->second});
      it->second = std::max(it->second, mode);
    } else {
      if (!savepoints_.empty()) lock_undo_.push_back({std::string(key), std::nullopt});
      locked_.emplace(std::string(key), mode);
    }
    return outcome;
  }
  bool row_locks() const { return store_.options().row_locks; }
  // Whether the transaction holds a lock on the row.
  bool holds(std::string_view key) const { return locked_.find(key) != locked_.end(); }
  // Gives back a row lock the transaction took but does not need (DO NOTHING waiting for a deleter).
  void unlock_row(std::string_view key) {
    auto it = locked_.find(key);
    if (it == locked_.end()) return;
    // Its savepoint undo entry goes with it (ROLLBACK TO would give the lock and its charge back again).
    for (size_t i = lock_undo_.size(); i-- > 0;) {
      if (lock_undo_[i].key == key) {
        if (!lock_undo_[i].before) lock_undo_.erase(lock_undo_.begin() + static_cast<ptrdiff_t>(i));
        break;
      }
    }
    std::vector<std::string> keys{it->first};
    locked_.erase(it);
    release_lock_charge(keys[0]);
    state_.locks.release(id_, keys);
  }
  // Whether an earlier statement of this transaction wrote the key (then it holds the row's lock since).
  bool wrote(std::string_view key) const { return writes_.find(key) != writes_.end(); }

  // A statement's writes join the transaction's. `charged`: what the statement counted for them in
  // memory(), at least what each of its writes costs; it is exchanged for the exact change of the
  // transaction's write set (never more than `charged`, so this cannot fail).
  void merge(WriteSet& ops, const std::map<uint32_t, std::string>& tables, uint64_t charged) {
    pin_read_ts(ops);
    uint64_t added = 0, removed = 0;
    struct Settle {  // also when an allocation below throws: the counts stay consistent
      TransactionImpl& txn;
      uint64_t charged;
      uint64_t& added;
      uint64_t& removed;
      ~Settle() {
        txn.memory_.release(charged + removed);
        txn.memory_.force_reserve(added);
        txn.writes_bytes_ = txn.writes_bytes_ + added - removed;
      }
    } settle{*this, charged, added, removed};
    if (!savepoints_.empty()) {  // log what each write replaces, for ROLLBACK TO (53200 here changes nothing)
      uint64_t undo = 0;
      for (const auto& [key, op] : ops) {
        auto it = writes_.find(key);
        undo += undo_charge(key, it == writes_.end() ? nullptr : &it->second);
      }
      reserve_undo(ops.size(), undo);
    } else if (writes_.empty()) {  // the first writing statement (a COPY): take its set as it is, no copy
      for (const auto& [key, op] : ops) added += write_charge(key, op);
      writes_.swap(ops);
      tables_.insert(tables.begin(), tables.end());
      return;
    }
    for (auto& [key, op] : ops) {
      auto it = writes_.find(key);
      if (it == writes_.end()) {
        note_undo(key, nullptr);
        added += write_charge(key, op);
        writes_.emplace(key, std::move(op));
        continue;
      }
      WriteOp& mine = it->second;
      note_undo(key, &mine);
      removed += write_charge(it->first, mine);
      if (mine.must_not_exist) {  // inserted earlier in this transaction: nothing stored under the key
        if (op.is_delete) {
          // A row this transaction moved here and now moves on (or deletes): a tombstone that names
          // this key must name where the row went (commit resolves it through moved_on_).
          if (!op.value.empty())
            moved_on_[key] = op.value;
          else
            moved_on_.erase(key);
          writes_.erase(it);
        } else {
          mine.value = std::move(op.value);
          added += write_charge(it->first, mine);
        }
        continue;
      }
      // Stored under the key before this transaction: keep the earliest read for the conflict check.
      uint64_t read_ts = std::min(mine.read_ts, op.read_ts);
      bool fresh = mine.fresh_rowid;
      // A put after this transaction deleted the stored row (or a later write of such a put) is a new row.
      const bool new_row = !op.is_delete && (op.new_row || mine.is_delete || mine.new_row);
      mine = std::move(op);
      mine.must_not_exist = false;
      mine.fresh_rowid = fresh;
      mine.read_ts = read_ts;
      mine.new_row = new_row;
      added += write_charge(it->first, mine);
    }
    tables_.insert(tables.begin(), tables.end());
  }

  // Keeps the oldest read timestamp of the transaction's writes registered until the transaction ends.
  // The commit-time conflict check compares each write's read_ts with the newest committed version of
  // its key; garbage collection must therefore keep every version newer than read_ts (and a tombstone
  // among them) until then. A READ COMMITTED statement's own snapshot is released when the statement
  // ends, so without this pin a full compaction could drop a concurrent delete's tombstone and the
  // commit would resurrect the row. Called while the statement's snapshot is still registered, so GC
  // cannot have passed the timestamp yet.
  void pin_read_ts(const WriteSet& ops) {
    if (ops.empty()) return;
    uint64_t oldest = ops.begin()->second.read_ts;
    for (const auto& [key, op] : ops) oldest = std::min(oldest, op.read_ts);
    if (snapshot_ && *snapshot_ <= oldest) return;  // REPEATABLE READ: the snapshot is held already
    if (write_pin_ && *write_pin_ <= oldest) return;
    state_.pin_snapshot(oldest);
    if (write_pin_) state_.release_snapshot(*write_pin_);
    write_pin_ = oldest;
  }

 private:
  // Releases the snapshot, the pinned read timestamp and the row locks (after commit: once the commit
  // is visible, so that a waiter that takes a lock reads the version written under it).
  void end() {
    if (spilled_) discard_spill();
    memory_.reset();  // the write set, savepoints' undo logs and lock entries go (or went) with it
    writes_bytes_ = 0;
    write_undo_.clear();
    undo_bytes_ = 0;
    lock_bytes_ = 0;
    if (!locked_.empty()) {
      std::vector<std::string> keys;
      keys.reserve(locked_.size());
      for (auto& [key, mode] : locked_) keys.push_back(key);
      locked_.clear();
      state_.locks.release(id_, keys);
    }
    if (snapshot_) state_.release_snapshot(*snapshot_);
    snapshot_.reset();
    if (write_pin_) state_.release_snapshot(*write_pin_);
    write_pin_.reset();
    if (catalog_touched_ || overlay_.changed) {  // its uncommitted sequences go, its plans are stale
      store_.catalog().end_overlay(id_);
      catalog_touched_ = false;
      reset_overlay();
    }
  }

  // Drops the spilled writes of a transaction that did not commit (a range delete; a crash before it
  // leaves them to the next open, which drops every spilled write without a commit record).
  void discard_spill() noexcept {
    spilled_ = false;
    try {
      const std::string lower = meta::spill_prefix(id_);
      rocksdb::WriteBatch batch;
      rocksdb::Status st = batch.DeleteRange(lower, keycodec::prefix_successor(lower));
      if (st.ok()) st = write_to_rocksdb(*store_.db(), rocksdb::WriteOptions(), batch);
      if (!st.ok()) spdlog::warn("dropping the spilled rows of transaction {}: {}", id_, st.ToString());
    } catch (const std::exception& e) {
      spdlog::warn("dropping the spilled rows of transaction {}: {}", id_, e.what());
    }
  }

  struct Savepoint {
    std::map<uint32_t, std::string> tables;
    std::map<uint32_t, std::string> truncated;
    size_t locks;   // lock_undo_'s size when it was taken
    size_t writes;  // write_undo_'s size when it was taken
    CatalogOverlay overlay;
  };
  // What a savepoint counts against the transaction's memory (its entry, the maps and overlay it copies
  // are small), so that nested savepoints without writes are bounded too.
  static constexpr uint64_t kSavepointCharge = 512;

  // A change of the write set while a savepoint exists: the key's entry before it (none: the key had none).
  // ROLLBACK TO a savepoint puts back, newest first, the entries its later changes replaced, so its cost
  // is that of the writes it undoes, and a savepoint costs nothing until something is written after it.
  struct WriteUndo {
    std::string key;
    std::optional<WriteOp> before;
  };
  // What an undo entry counts: its key, and the entry it keeps (as the write set counted it).
  static uint64_t undo_charge(std::string_view key, const WriteOp* before) {
    return 64 + key.size() + (before ? write_charge(key, *before) : 0);
  }
  // Counts `bytes` for `n` undo entries about to be logged, and makes room for them, before the write set
  // changes: 53200 (or an allocation failure) leaves everything as it was.
  void reserve_undo(size_t n, uint64_t bytes) {
    memory_.reserve(bytes);
    try {
      const size_t want = write_undo_.size() + n;
      if (want > write_undo_.capacity()) write_undo_.reserve(std::max(want, 2 * write_undo_.capacity()));
    } catch (...) {
      memory_.release(bytes);
      throw;
    }
    undo_bytes_ += bytes;
  }
  // Logs the entry `key` has before a change (nullptr: none), while a savepoint exists (after
  // reserve_undo counted it).
  void note_undo(std::string_view key, const WriteOp* before) {
    if (savepoints_.empty()) return;
    write_undo_.push_back({std::string(key), before ? std::optional<WriteOp>(*before) : std::nullopt});
  }
  // Undoes the write set's changes logged after position `to` of the undo log, newest first.
  void undo_writes(size_t to) {
    while (write_undo_.size() > to) {
      WriteUndo& u = write_undo_.back();
      const uint64_t charge = undo_charge(u.key, u.before ? &*u.before : nullptr);
      memory_.release(charge);
      undo_bytes_ -= std::min(undo_bytes_, charge);
      auto it = writes_.find(u.key);
      if (it != writes_.end()) set_writes_bytes(writes_bytes_ - write_charge(it->first, it->second));
      if (u.before) {
        set_writes_bytes(writes_bytes_ + write_charge(u.key, *u.before));  // no more than its entry held
        if (it != writes_.end()) {
          it->second = std::move(*u.before);
        } else {
          writes_.emplace(std::move(u.key), std::move(*u.before));
        }
      } else if (it != writes_.end()) {
        writes_.erase(it);
      }
      write_undo_.pop_back();
    }
  }
  // The last savepoint is gone: no change can be undone any more.
  void forget_write_undo() {
    memory_.release(undo_bytes_);
    undo_bytes_ = 0;
    write_undo_.clear();
    if (write_undo_.capacity() > 1024) write_undo_.shrink_to_fit();
  }

  // The write set now costs `bytes` (a rollback to a savepoint restores its copy, TRUNCATE drops rows).
  void set_writes_bytes(uint64_t bytes) {
    if (bytes > writes_bytes_) {
      memory_.force_reserve(bytes - writes_bytes_);  // no more than the savepoint's copy held
    } else {
      memory_.release(writes_bytes_ - bytes);
    }
    writes_bytes_ = bytes;
  }
  void release_lock_charge(std::string_view key) {
    const uint64_t charge = lock_charge(key);
    memory_.release(charge);
    lock_bytes_ -= std::min(lock_bytes_, charge);
  }
  // A row lock taken or strengthened while a savepoint exists: its mode before (none: not held).
  struct LockUndo {
    std::string key;
    std::optional<RowLockMode> before;
  };

  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  Store& store_;
  StoreState& state_;
  IsolationLevel isolation_;
  uint64_t id_;
  LockWait lock_wait_;
  std::unordered_map<std::string, RowLockMode, KeyHash, std::equal_to<>> locked_;  // row locks held
  bool sync_ = store_.options().sync_commits;
  std::optional<uint64_t> snapshot_;   // RepeatableRead: registered until the transaction ends
  std::optional<uint64_t> write_pin_;  // oldest read_ts of the writes, registered until the end
  WriteSet writes_;
  std::map<uint32_t, std::string> tables_;  // tables written, for the dropped-meanwhile check
  // Tables this transaction truncated: its reads see none of their stored rows, and its commit deletes
  // their key ranges and sealed blocks before it writes its own rows.
  std::map<uint32_t, std::string> truncated_;
  // Its catalog changes (transactional DDL); catalog_touched_: it had some (its end tells the catalog).
  CatalogOverlay overlay_;
  bool catalog_touched_ = false;
  std::vector<Savepoint> savepoints_;
  std::vector<LockUndo> lock_undo_;    // only while savepoints exist
  std::vector<WriteUndo> write_undo_;  // only while savepoints exist
  uint64_t undo_bytes_ = 0;            // undo_charge over write_undo_
  // The transaction's memory: writes_bytes_ (write_charge over writes_), lock_bytes_ (lock_charge over
  // locked_), the savepoints' copies and the rows of statements not yet applied (StatementWriterImpl).
  MemoryTracker memory_{kDefaultMemoryLimit, MemoryTracker::Owner::Transaction};
  uint64_t writes_bytes_ = 0;
  uint64_t lock_bytes_ = 0;
  // Keys this transaction inserted (as the new key of a moved row) and then moved on: where the row went.
  // A tombstone of the transaction that names such a key is written naming the row's last key.
  std::map<std::string, std::string, std::less<>> moved_on_;
  // Spilled writes (spill()): whether there are any, their key range and their oldest read_ts.
  bool spilled_ = false;
  std::string spill_min_, spill_max_;
  uint64_t spill_read_ts_ = UINT64_MAX;
  std::set<uint32_t> spill_ids_;  // tables and indexes spilled writes are under
  uint32_t last_spill_id_ = 0;

 public:
  // Adds the version `op` commits under `key` to the commit's batch (`vkey`: `key` with its version): its
  // row (kind 0x03 for a new row of a table, see WriteOp::new_row), or its tombstone.
  void put_version(rocksdb::WriteBatch& batch, const std::string& vkey, std::string_view key,
                   const WriteOp& op) const {
    if (op.is_delete) {
      check_status(batch.Put(vkey, tombstone(op)), "committing");
    } else if (op.new_row && tables_.count(keycodec::decode_table_id(key))) {
      check_status(batch.Put(vkey, rowcodec::as_new_row(op.value)), "committing");
    } else {
      check_status(batch.Put(vkey, op.value), "committing");
    }
  }
  // The tombstone of `op` (a delete) as committed: a moved row's forward key resolved through moved_on_.
  std::string tombstone(const WriteOp& op) const {
    std::string forward = op.value;
    for (int step = 0; !forward.empty() && step < 64; ++step) {
      auto put = writes_.find(forward);
      if (put != writes_.end() && !put->second.is_delete) break;  // the row is there
      auto on = moved_on_.find(forward);
      if (on == moved_on_.end()) break;
      forward = on->second;
    }
    std::string out;
    rowcodec::encode_tombstone(out, forward);
    return out;
  }
};

class StatementWriterImpl final : public StatementWriter {
 public:
  StatementWriterImpl(Store& store, StoreState& state, const ReadViewImpl& view, TransactionImpl& txn)
      : store_(store), state_(state), view_(&view), txn_(txn) {}
  ~StatementWriterImpl() override { txn_.memory().release(charged_); }  // rows never applied

  std::string make_key(const TableDef& table, const Datum* row) override {
    std::string key = table_prefix(table.id);
    if (table.has_hidden_rowid()) {
      keycodec::append_int(state_.allocate_rowid(store_.db(), table.id), key);
      return key;
    }
    for (int k : table.primary_key) {
      const ColumnDef& c = table.columns[k];
      if (row[k].is_null) throw not_null_error(table, c, row);
      keycodec::append_datum(c.type, row[k], key);
    }
    return key;
  }

  void insert(const TableDef& table, const Datum* row) override {
    validate(table, row);
    note_table(table);
    std::string key = make_key(table, row);
    check_second_write(key, true);
    put_new(table, std::move(key), row);
    if (spill_bytes_ && charged_ >= spill_bytes_) spill(table);
  }

  void allow_spill(uint64_t bytes) override {
    const uint64_t limit = txn_.memory().limit();
    spill_bytes_ = std::max<uint64_t>(1, limit ? std::min(bytes, limit / 4) : bytes);
  }

  bool update(const TableDef& table, std::string_view key, const Datum* row) override {
    check_key(table, key);
    std::string new_key = table.has_hidden_rowid() ? std::string(key) : make_key(table, row);
    check_second_write(key);
    check_second_write(new_key);
    const bool same_key = new_key == key;
    if (!lock_existing(table, key, same_key ? RowLockMode::NoKeyUpdate : RowLockMode::Update)) return false;
    update_locked(table, key, std::move(new_key), row);
    return true;
  }

  void set_defaults(DefaultsFn defaults) override { defaults_ = std::move(defaults); }
  void set_row_checks(RowChecksFn checks) override { row_checks_ = std::move(checks); }

 private:
  // Buffers the update of a locked row at `key` to `row`, stored at `new_key` (`key` unless the primary
  // key changes).
  void update_locked(const TableDef& table, std::string_view key, std::string new_key, const Datum* row) {
    validate(table, row);
    note_table(table);
    if (new_key == key) {
      if (needs_old_row(table) && current_row(table, key))
        maintain_indexes(table, key, old_row_.data(), key, row);
      auto it = ops_.find(key);
      uint64_t before = 0;
      if (it == ops_.end()) {
        it = ops_.emplace(std::string(key), new_op()).first;
      } else {
        before = write_charge(it->first, it->second);
      }
      it->second.is_delete = false;
      encode(table, row, it->second.value);
      charge(it->first, it->second, before);
      return;
    }
    moving_to_ = row;  // the delete half of the move is an update of the row for its foreign keys
    try {
      remove_locked(table, key, new_key);
    } catch (...) {
      moving_to_ = nullptr;
      throw;
    }
    moving_to_ = nullptr;
    put_new(table, std::move(new_key), row);
  }

 public:
  bool remove(const TableDef& table, std::string_view key) override {
    check_key(table, key);
    check_second_write(key);
    if (!lock_existing(table, key, RowLockMode::Update)) return false;
    note_table(table);
    remove_locked(table, key);
    return true;
  }

  void set_view(const ReadView& view) override { view_ = &static_cast<const ReadViewImpl&>(view); }
  void refuse_second_writes() override { refuse_second_writes_ = true; }
  // `insert`: a key this statement inserted or updated stays 23505 (put_new), as in PostgreSQL whatever
  // the order; one it deleted is refused.
  void check_second_write(std::string_view key, bool insert = false) const {
    if (!refuse_second_writes_) return;
    auto it = ops_.find(key);
    if (it != ops_.end() && (!insert || it->second.is_delete))
      throw_unsupported("changing a row twice in one statement (data-modifying statements in WITH)");
  }

  std::optional<std::string> moved_to(std::string_view key) override {
    auto seen = changed_.find(key);
    const uint64_t since = seen == changed_.end() ? 0 : seen->second.since;
    std::optional<std::string> at = follow(key, since, view_->snapshot_ts());
    if (seen != changed_.end()) {
      // The row is gone: the lock this statement took on its key protects nothing it will write (a row
      // inserted under the key since is not the one it waited for), so another writer of it need not wait.
      if (!at && seen->second.locked_here) txn_.unlock_row(key);
      changed_.erase(seen);
    }
    return at;
  }
  static constexpr int kMaxMoves = 64;

  LockResult lock(const TableDef& table, std::string_view key, RowLockMode mode, LockWaitMode how) override {
    check_key(table, key);
    if (!txn_.row_locks()) return LockResult::Locked;
    const bool held = txn_.holds(key);
    if (txn_.lock_row(table, key, mode, how) == LockManager::Outcome::Busy) return LockResult::Skipped;
    if (txn_.wrote(key)) return LockResult::Locked;
    // FOR KEY SHARE at REPEATABLE READ: updates since the snapshot that kept the row under its key, in
    // place (UPDATE of non-key columns takes NO KEY UPDATE, which does not conflict with KEY SHARE), leave
    // the lock to succeed on the snapshot's version, as in PostgreSQL; a delete or a key change is 40001.
    if (mode == RowLockMode::KeyShare && txn_.isolation() == IsolationLevel::RepeatableRead &&
        updated_in_place(key))
      return LockResult::Locked;
    if (unchanged(key, true)) return LockResult::Locked;
    // READ COMMITTED, changed since the snapshot. A row deleted since (by a DELETE, or by a DELETE and an
    // INSERT of a new row under its key) is skipped, as PostgreSQL's FOR UPDATE skips a deleted tuple;
    // a row updated or moved makes the statement run again at a new snapshot.
    if (follow(key, view_->snapshot_ts(), state_.visible_ts.load())) return LockResult::Changed;
    if (!held) txn_.unlock_row(key);
    return LockResult::Skipped;
  }

  UpsertOutcome upsert(const TableDef& table, const Datum* row, bool do_update, bool key_update,
                       int arbiter) override {
    validate(table, row);
    note_table(table);
    std::string key = make_key(table, row);
    if (arbiter >= 0) return upsert_unique(table, std::move(key), row, do_update, key_update, arbiter);
    if (table.has_hidden_rowid()) {  // no primary key: the unique indexes are the only arbiters
      return insert_arbitrated(table, std::move(key), row, arbiter);
    }
    auto mine = ops_.find(key);
    if (mine != ops_.end()) {
      if (mine->second.is_delete) {  // a stored row this statement moved away (locked): insert again
        return insert_arbitrated(table, std::move(key), row, arbiter);
      }
      if (do_update)  // inserted or updated by this statement
        throw SqlError(SqlState::CardinalityViolation,
                       "ON CONFLICT DO UPDATE command cannot affect row a second time")
            .with_hint(
                "Ensure that no rows proposed for insertion within the same command have duplicate "
                "constrained values.");
      return UpsertOutcome::Skipped;
    }
    const uint64_t snapshot = view_->snapshot_ts();
    if (txn_.wrote(key)) {  // an earlier statement of this transaction wrote the key: it holds the lock
      const WriteOp* w = view_->own_write(key);
      if (!w || w->is_delete) {
        return insert_arbitrated(table, std::move(key), row, arbiter);
      }
      if (!do_update) return UpsertOutcome::Skipped;
      return conflict(table, std::move(key), w->value, snapshot);
    }
    // The newest committed version, re-read after every lock wait: a lock holder releases its lock only
    // once its commit is visible, so what a granted lock lets us read is current and stays so.
    const bool locks = txn_.row_locks();
    const bool held = txn_.holds(key);
    bool live = false;
    uint64_t ts = 0;
    if (do_update) {
      // Lock the row as UPDATE would (FOR NO KEY UPDATE, FOR UPDATE if the SET changes the key): waits
      // for a concurrent UPDATE, DELETE, SELECT FOR UPDATE / SHARE or insert of the key.
      if (locks)
        txn_.lock_row(table, key, key_update ? RowLockMode::Update : RowLockMode::NoKeyUpdate,
                      LockWaitMode::Wait);
      ts = newest_committed(key, &live, &conflict_value_);
    } else {
      ts = newest_committed(key, &live, &conflict_value_);
      if (live && locks && !held) {
        // DO NOTHING takes no lock on the row it finds, as PostgreSQL's, but waits for a transaction
        // that is deleting it (or changing its key): whichever lock conflicts with FOR KEY SHARE.
        if (txn_.lock_row(table, key, RowLockMode::KeyShare, LockWaitMode::Wait) ==
            LockManager::Outcome::Acquired)
          txn_.unlock_row(key);
        ts = newest_committed(key, &live, &conflict_value_);
      }
    }
    if (!live) {
      // No row: lock the key as an insert does (a concurrent upserter of the key waits for us), then
      // insert unless a row was committed meanwhile.
      if (locks) {
        txn_.lock_row(table, key, RowLockMode::Update, LockWaitMode::Wait);
        ts = newest_committed(key, &live, &conflict_value_);
      }
      if (!live) {
        return insert_arbitrated(table, std::move(key), row, arbiter);
      }
      if (!do_update && !held) txn_.unlock_row(key);
    }
    // A row that this statement's snapshot does not see: REPEATABLE READ cannot go on from it (PostgreSQL
    // fails with 40001); READ COMMITTED uses that newest version.
    if (ts > snapshot && txn_.isolation() == IsolationLevel::RepeatableRead)
      throw SqlError(SqlState::SerializationFailure, "could not serialize access due to concurrent update");
    if (!do_update) return UpsertOutcome::Skipped;
    return conflict_at(table, std::move(key), ts, snapshot);
  }

  // The conflicting row `key` (newest committed version at `ts`, 0: in a sealed block; its value in
  // conflict_value_) for the upsert's DO UPDATE.
  UpsertOutcome conflict_at(const TableDef& table, std::string key, uint64_t ts, uint64_t snapshot) {
    if (ts == 0) {  // no version in the row store: the row lives in a sealed block
      conflict_value_.clear();
      sealed_row(table, key);
      conflict_key_ = std::move(key);
      conflict_read_ts_ = snapshot;
      return UpsertOutcome::Conflict;
    }
    return conflict(table, std::move(key), conflict_value_, std::max(snapshot, ts));
  }

  // The upsert's insert of a row no primary-key arbiter conflicts with: with every unique index as arbiter
  // too (DO NOTHING without a target), a row whose value one of them holds is skipped.
  UpsertOutcome insert_arbitrated(const TableDef& table, std::string key, const Datum* row, int arbiter) {
    if (arbiter == kArbiterAll) {
      std::vector<uint32_t> all;
      for (const IndexDef& index : table.indexes)
        if (index.unique) all.push_back(index.id);
      if (!all.empty() && unique_violation(table, nullptr, key, row, &all)) return UpsertOutcome::Skipped;
    }
    put_new(table, std::move(key), row);
    return UpsertOutcome::Inserted;
  }

  // ON CONFLICT with a unique index as arbiter (table.indexes[arbiter]): its value is locked as an insert
  // locks it; a live entry with it is the conflicting row, locked (DO UPDATE) as UPDATE locks it and read
  // at its newest committed version, as upsert() does for the primary key.
  UpsertOutcome upsert_unique(const TableDef& table, std::string key, const Datum* row, bool do_update,
                              bool key_update, int arbiter) {
    if (static_cast<size_t>(arbiter) >= table.indexes.size() ||
        !table.indexes[static_cast<size_t>(arbiter)].unique)
      throw SqlError(SqlState::InternalError, "ON CONFLICT arbiter is not a unique index");
    const IndexDef& index = table.indexes[static_cast<size_t>(arbiter)];
    bool has_null = false;
    std::string prefix = index_entry_prefix(table, index, row, &has_null, store_.index_evaluator());
    // A NULL conflicts with nothing, nor does a row a partial index leaves out (its other unique indexes
    // are checked by put_new).
    if (prefix.empty() || (has_null && !index.nulls_not_distinct)) {
      put_new(table, std::move(key), row);
      return UpsertOutcome::Inserted;
    }
    lock_unique_value(table, prefix);
    std::string self = prefix;
    self.append(std::string_view(key).substr(keycodec::kTablePrefixSize));
    Taken taken;
    if (!unique_value_taken(prefix, self, &taken)) {
      put_new(table, std::move(key), row);
      return UpsertOutcome::Inserted;
    }
    const uint64_t snapshot = view_->snapshot_ts();
    if (taken.where == Taken::Where::Statement || ops_.find(taken.row_key) != ops_.end()) {
      if (do_update)
        throw SqlError(SqlState::CardinalityViolation,
                       "ON CONFLICT DO UPDATE command cannot affect row a second time")
            .with_hint(
                "Ensure that no rows proposed for insertion within the same command have duplicate "
                "constrained values.");
      return UpsertOutcome::Skipped;
    }
    if (taken.where == Taken::Where::Transaction) {
      if (!do_update) return UpsertOutcome::Skipped;
      const WriteOp* w = view_->own_write(taken.row_key);
      if (!w || w->is_delete)
        throw SqlError(SqlState::InternalError, "unique index \"" + index.name + "\" points to no row");
      return conflict(table, std::move(taken.row_key), w->value, snapshot);
    }
    // A committed row: at REPEATABLE READ one the snapshot does not see is a serialization failure.
    if (taken.ts > snapshot && txn_.isolation() == IsolationLevel::RepeatableRead)
      throw SqlError(SqlState::SerializationFailure, "could not serialize access due to concurrent update");
    if (!do_update) return UpsertOutcome::Skipped;
    std::string row_key = std::move(taken.row_key);
    if (txn_.row_locks())
      txn_.lock_row(table, row_key, key_update ? RowLockMode::Update : RowLockMode::NoKeyUpdate,
                    LockWaitMode::Wait);
    bool live = false;
    const uint64_t ts = newest_committed(row_key, &live, &conflict_value_);
    if (!live)  // the row's writers lock its unique value, which this transaction holds
      throw SqlError(SqlState::SerializationFailure, "could not serialize access due to concurrent update");
    if (ts > snapshot && txn_.isolation() == IsolationLevel::RepeatableRead)
      throw SqlError(SqlState::SerializationFailure, "could not serialize access due to concurrent update");
    return conflict_at(table, std::move(row_key), ts, snapshot);
  }

  const Datum* conflicting_row() const override { return conflict_row_.data(); }

  void update_conflicting(const TableDef& table, const Datum* row) override {
    validate(table, row);
    std::string new_key = make_key(table, row);
    if (new_key == conflict_key_) {
      maintain_indexes(table, conflict_key_, conflict_row_.data(), new_key, row);
      auto it = ops_.find(conflict_key_);
      uint64_t before = 0;
      if (it == ops_.end()) {
        Op op = new_op();
        op.read_ts = conflict_read_ts_;
        it = ops_.emplace(conflict_key_, std::move(op)).first;
      } else {
        before = write_charge(it->first, it->second);
      }
      it->second.is_delete = false;
      encode(table, row, it->second.value);
      charge(it->first, it->second, before);
      return;
    }
    // The key changes: the old row is deleted (FOR UPDATE strength), the new key inserted (23505 if taken).
    if (txn_.row_locks()) txn_.lock_row(table, conflict_key_, RowLockMode::Update, LockWaitMode::Wait);
    moving_to_ = row;  // for the foreign keys that reference the row, an update (see update_locked)
    try {
      maintain_indexes(table, conflict_key_, conflict_row_.data(), {}, nullptr);
    } catch (...) {
      moving_to_ = nullptr;
      throw;
    }
    moving_to_ = nullptr;
    Op op = new_op();
    op.read_ts = conflict_read_ts_;
    op.is_delete = true;
    op.value = new_key;  // the row moved: the tombstone names its new key
    charge(conflict_key_, op, [&] {
      auto it = ops_.find(conflict_key_);
      return it == ops_.end() ? 0 : write_charge(it->first, it->second);
    }());
    ops_[conflict_key_] = std::move(op);
    put_new(table, std::move(new_key), row);
  }

  void apply() override;

 private:
  using Op = WriteOp;

  // The DO UPDATE's conflicting row from its encoded value, into conflict_row_.
  UpsertOutcome conflict(const TableDef& table, std::string key, std::string_view value, uint64_t read_ts) {
    conflict_values_.clear();
    if (!rowcodec::decode_row(table, value, conflict_values_))
      throw SqlError(SqlState::DataCorrupted, "could not decode a row of table \"" + table.name + "\"");
    conflict_row_.assign(table.columns.size(), Datum{});
    for (size_t i = 0; i < conflict_row_.size() && i < conflict_values_.size(); ++i)
      conflict_row_[i] = dtsql::to_datum(conflict_values_[i]);
    conflict_key_ = std::move(key);
    conflict_read_ts_ = read_ts;
    return UpsertOutcome::Conflict;
  }

  // The DO UPDATE's conflicting row from a sealed block (a one-key scan: no row-store version masks it,
  // so every snapshot sees it), into conflict_row_.
  void sealed_row(const TableDef& table, std::string_view key) {
    sealed_row(table, key, conflict_values_, conflict_row_);
  }
  void sealed_row(const TableDef& table, std::string_view key, std::vector<Value>& values,
                  std::vector<Datum>& datums) {
    ScanSpec spec;
    spec.table = store_.catalog().find(table.id);
    if (!spec.table)
      throw SqlError(SqlState::UndefinedTable, "relation \"" + table.name + "\" does not exist");
    spec.lower.assign(key.substr(keycodec::kTablePrefixSize));
    spec.upper = spec.lower;
    spec.upper.push_back('\0');  // the smallest key after `key`
    spec.upper_unbounded = false;
    spec.columns.assign(table.columns.size(), true);
    spec.batch_rows = 1;
    auto cursor = view_->scan(spec);
    const ColumnBatch* batch = cursor->next();
    if (!batch || batch->count == 0)
      throw SqlError(SqlState::DataCorrupted, "sealed row of table \"" + table.name + "\" not found");
    values.clear();
    for (size_t c = 0; c < table.columns.size(); ++c)
      values.push_back(batch_value(batch->columns[c], 0, table.columns[c].type));
    datums.assign(table.columns.size(), Datum{});
    for (size_t i = 0; i < datums.size(); ++i) datums[i] = dtsql::to_datum(values[i]);
  }

  // Locks a stored row this statement is about to change. False: another transaction changed it
  // after this statement's snapshot (READ COMMITTED: re-check on the newest version).
  bool lock_existing(const TableDef& table, std::string_view key, RowLockMode mode) {
    if (!txn_.row_locks()) return true;
    if (ops_.find(key) != ops_.end()) return true;  // written by this statement: locked already
    const bool held = txn_.holds(key);
    txn_.lock_row(table, key, mode, LockWaitMode::Wait);
    if (txn_.wrote(key) || unchanged(key)) return true;
    changed_[std::string(key)] = {view_->snapshot_ts(), !held};  // for moved_to
    return false;
  }

  // One version of a row's key: its commit timestamp, and what it did to the row that the version before
  // it held.
  struct Change {
    enum class Kind { Updated, Moved, Deleted } kind;  // Deleted: a tombstone, or a new row (kind 0x03)
    uint64_t ts = 0;
    std::string moved_to;  // Moved: the row's new storage key
  };
  // The versions of `key` committed after `since` and at or before `upto`, oldest first.
  std::vector<Change> changes(rocksdb::Iterator& it, std::string_view key, uint64_t since, uint64_t upto) {
    std::vector<Change> out;
    std::string target(key);
    keycodec::append_version(upto, target);
    for (it.Seek(target); it.Valid() && has_user_key(it.key(), key); it.Next()) {
      const uint64_t ts = keycodec::decode_version(std::string_view(it.key().data(), it.key().size()));
      if (ts <= since) break;
      const std::string_view v(it.value().data(), it.value().size());
      Change c{Change::Kind::Updated, ts, {}};
      if (rowcodec::value_kind(v) == rowcodec::ValueKind::Tombstone) {
        const std::string_view forward = rowcodec::tombstone_moved_to(v);
        c.kind = forward.empty() || keycodec::decode_table_id(forward) != keycodec::decode_table_id(key)
                     ? Change::Kind::Deleted
                     : Change::Kind::Moved;
        c.moved_to.assign(forward);
      } else if (rowcodec::is_new_row(v)) {
        c.kind = Change::Kind::Deleted;
      }
      out.push_back(std::move(c));
    }
    check_status(it.status(), "following a changed row");
    std::reverse(out.begin(), out.end());
    return out;
  }

  // Where the row that a snapshot at `since` saw under `key` is at snapshot `upto` (PostgreSQL's update
  // chain): the key's versions committed in between, oldest first, are the row's history. An update in
  // place leaves it there; a tombstone naming a new key (an UPDATE changed the primary key) moves it on,
  // where the versions committed after the move continue its history; a tombstone without one, or a new
  // row inserted under the key after a DELETE of the row (kind 0x03), ends it: nullopt, the row is gone.
  std::optional<std::string> follow(std::string_view key, uint64_t since, uint64_t upto) {
    rocksdb::ReadOptions ro;
    ro.prefix_same_as_start = true;
    std::unique_ptr<rocksdb::Iterator> it(store_.db()->NewIterator(ro));
    std::string at(key);
    for (int step = 0; step < kMaxMoves && !view_->truncated_key(at); ++step) {
      bool moved = false;
      for (Change& c : changes(*it, at, since, upto)) {
        if (c.kind == Change::Kind::Deleted) return std::nullopt;
        if (c.kind == Change::Kind::Moved) {
          at = std::move(c.moved_to);
          since = c.ts;  // the row's version at its new key has the move's timestamp
          moved = true;
          break;
        }
      }
      if (!moved) break;
    }
    return at;
  }

  // Whether the newest committed version of a row this transaction holds locked is one this statement's
  // snapshot sees. If not: false at READ COMMITTED, 40001 at REPEATABLE READ (PostgreSQL's "could not
  // serialize access due to concurrent update", or "... delete" for an UPDATE or DELETE of a row deleted
  // meanwhile, as PostgreSQL; a row locked FOR UPDATE / SHARE (`locking`) always says "update").
  // Whether every version of `key` committed after the snapshot is an update in place (none deleted the
  // row, moved it to another key or replaced it by a new row).
  bool updated_in_place(std::string_view key) {
    const uint64_t visible = state_.visible_ts.load();
    if (visible <= view_->snapshot_ts()) return true;
    for (const Change& c : changes(*latest(), key, view_->snapshot_ts(), visible))
      if (c.kind != Change::Kind::Updated) return false;
    return true;
  }

  bool unchanged(std::string_view key, bool locking = false) {
    // Nothing committed since the snapshot (a bulk UPDATE without concurrent writers): no row can be
    // newer, no lookup needed. A committer releases its locks only once visible, so a newer version of
    // a row locked here is always at or below visible_ts.
    if (state_.visible_ts.load() <= view_->snapshot_ts()) return true;
    bool live = false;
    if (newest_committed(key, &live) <= view_->snapshot_ts()) return true;
    if (txn_.isolation() == IsolationLevel::RepeatableRead) {
      // What the first version after the snapshot did to the row: a delete (a tombstone, or a new row
      // inserted after a DELETE of the row) or an update (in place, or a tombstone that names a new key:
      // PostgreSQL's updated tuple).
      bool deleted = false;
      if (!locking) {
        std::vector<Change> after = changes(*latest_, key, view_->snapshot_ts(), state_.visible_ts.load());
        deleted = !after.empty() && after.front().kind == Change::Kind::Deleted;
      }
      throw SqlError(SqlState::SerializationFailure,
                     deleted ? "could not serialize access due to concurrent delete"
                             : "could not serialize access due to concurrent update");
    }
    return false;
  }

  // An iterator over the newest committed versions, made (`total_order`: for ranges of user keys; else per
  // user key, with the prefix bloom filters) or refreshed now if visible_ts moved since it was.
  rocksdb::Iterator* fresh_iterator(std::unique_ptr<rocksdb::Iterator>& it, uint64_t& made_at,
                                    bool total_order) {
    const uint64_t visible = state_.visible_ts.load();
    if (!it) {
      rocksdb::ReadOptions ro;
      ro.total_order_seek = total_order;
      ro.prefix_same_as_start = !total_order;
      it.reset(store_.db()->NewIterator(ro));
      made_at = visible;
    } else if (visible != made_at) {
      check_status(it->Refresh(), "looking up a row");
      made_at = visible;
    }
    return it.get();
  }
  rocksdb::Iterator* latest() { return fresh_iterator(latest_, latest_ts_, false); }

  // Timestamp of the newest committed version of a row (0: none), for a row this transaction holds
  // locked. A committer releases its locks only once its commit is visible, so every version of a
  // locked row is at or below visible_ts: one iterator serves the whole statement, refreshed only
  // when visible_ts moved since it was made.
  // With `value`: a live row-store version's encoded row goes there.
  uint64_t newest_committed(std::string_view key, bool* live, std::string* value = nullptr) {
    if (view_->truncated_key(key)) {  // this transaction truncated the table: nothing stored counts
      *live = false;
      return 0;
    }
    latest();
    std::string target(key);
    target.append(keycodec::kVersionSize, '\0');
    latest_->Seek(target);
    if (latest_->Valid() && has_user_key(latest_->key(), key)) {
      rocksdb::Slice v = latest_->value();
      *live = rowcodec::value_kind(std::string_view(v.data(), v.size())) == rowcodec::ValueKind::Row;
      if (value && *live) value->assign(v.data(), v.size());
      return keycodec::decode_version(std::string_view(latest_->key().data(), latest_->key().size()));
    }
    check_status(latest_->status(), "looking up a row");
    // No version in the row store: a sealed row with this key is live, and older than every snapshot.
    *live = view_->sealed_contains(key, nullptr);
    return 0;
  }

  // Buffers the delete of a row (locked); `moved_to`: the row's new storage key when an UPDATE changes its
  // primary key (kept in the tombstone for writers that follow the row).
  void remove_locked(const TableDef& table, std::string_view key, std::string_view moved_to = {}) {
    if (needs_old_row(table) && current_row(table, key))
      maintain_indexes(table, key, old_row_.data(), {}, nullptr);
    auto it = ops_.find(key);
    if (it != ops_.end()) {
      if (it->second.must_not_exist) {  // inserted by this statement: nothing stored to delete
        ops_.erase(it);
      } else {
        const uint64_t before = write_charge(it->first, it->second);
        it->second.is_delete = true;
        it->second.value.assign(moved_to);
        charge(it->first, it->second, before);
      }
      return;
    }
    Op op = new_op();
    op.is_delete = true;
    op.value.assign(moved_to);
    charge(key, op);
    ops_.emplace(std::string(key), std::move(op));
  }

  static SqlError not_null_error(const TableDef& table, const ColumnDef& c, const Datum* row) {
    return not_null_violation_error(table, c, row);
  }

  // Encodes a row to store, at most StoreOptions::max_row_bytes long (54000 past it, as PostgreSQL's "row is
  // too big"); its strings are measured first so that an oversized row is not copied.
  void encode(const TableDef& table, const Datum* row, std::string& out) const {
    const size_t limit = store_.options().max_row_bytes;
    if (limit > 0) {
      size_t strings = 0;
      for (size_t i = 0; i < table.columns.size(); ++i) {
        TypeId t = table.columns[i].type;
        if (!row[i].is_null && physical_type(t) == PhysType::Text) strings += row[i].str.len;
      }
      if (strings > limit) throw row_too_big(strings, limit);
    }
    rowcodec::encode_row(table, row, out);
    if (limit > 0 && out.size() > limit) throw row_too_big(out.size(), limit);
  }

  static SqlError row_too_big(size_t size, size_t limit) {
    return SqlError(SqlState::ProgramLimitExceeded, "row is too big: size " + std::to_string(size) +
                                                        ", maximum size " + std::to_string(limit))
        .with_hint("The server's --max-row-bytes option sets the largest row it stores.");
  }

  static void validate(const TableDef& table, const Datum* row) {
    const size_t n = table.columns.size();
    for (size_t i = 0; i < n; ++i) {
      const ColumnDef& c = table.columns[i];
      // Writers coerce varchar(n) / char(n) values before (textsql::char_assign_length, bpchar_typmod):
      // its values are stored as they come, a value it would change is a writer's bug.
      if (c.max_length >= 0 && !row[i].is_null &&
          ((c.type == TypeId::Text || c.type == TypeId::Unknown)
               ? textsql::char_assign_length(row[i].str.view(), c.max_length) != row[i].str.len
           : c.type == TypeId::BpChar  // (rows stored before bpchar hold the value without its padding)
               ? textsql::char_count(row[i].str.view()) > c.max_length
               : false))
        throw SqlError(SqlState::InternalError, "a value for column \"" + c.name + "\" of relation \"" +
                                                    table.name + "\" was not coerced to its length");
    }
    for (size_t i = 0; i < n; ++i) {
      if (!row[i].is_null) continue;
      const ColumnDef& c = table.columns[i];
      bool required = c.not_null || std::find(table.primary_key.begin(), table.primary_key.end(),
                                              static_cast<int>(i)) != table.primary_key.end();
      if (required) throw not_null_error(table, c, row);
    }
  }

  static void check_key(const TableDef& table, std::string_view key) {
    if (key.size() <= keycodec::kTablePrefixSize || keycodec::decode_table_id(key) != table.id) {
      throw SqlError(SqlState::InternalError, "storage key does not belong to table \"" + table.name + "\"");
    }
  }

  void note_table(const TableDef& table) {
    if (table.id == last_table_id_) return;
    last_table_id_ = table.id;
    tables_.emplace(table.id, table.name);
  }

  // allow_spill(): the statement's writes go to the transaction's spilled writes, if it and `table` can
  // (else the statement never spills).
  void spill(const TableDef& table) {
    bool can = txn_.can_spill() && table.foreign_keys.empty() && pending_fk_.empty() &&
               !refuse_second_writes_ && changed_.empty();
    for (const IndexDef& index : table.indexes) can = can && !index.unique;
    for (const auto& [key, op] : ops_) can = can && !op.is_delete && !op.new_row;
    if (!can) {
      spill_bytes_ = 0;
      return;
    }
    txn_.spill(ops_);
    txn_.memory().release(charged_);
    charged_ = 0;
  }

  // Buffers a put of a row under a key that must not hold a row (insert, or the new key of an update).
  void put_new(const TableDef& table, std::string key, const Datum* row) {
    if (table.has_hidden_rowid()) {
      Op op = new_op();
      op.must_not_exist = true;
      op.fresh_rowid = true;
      encode(table, row, op.value);
      charge(key, op);
      maintain_indexes(table, {}, nullptr, key, row);
      ops_.emplace(std::move(key), std::move(op));
      return;
    }
    auto it = ops_.find(key);
    if (it != ops_.end()) {
      if (!it->second.is_delete) throw duplicate_key_error(table, row);
      const uint64_t before = write_charge(it->first, it->second);
      it->second.is_delete = false;  // re-insert of a row deleted earlier in this statement: a new row
      it->second.new_row = true;
      encode(table, row, it->second.value);
      charge(it->first, it->second, before);
      maintain_indexes(table, {}, nullptr, key, row);
      return;
    }
    // Wait for a transaction that holds the key (its uncommitted insert or delete), then check the newest
    // committed version, not the snapshot, as PostgreSQL's unique check does: a row committed meanwhile
    // is a duplicate (23505), one deleted meanwhile is not.
    uint64_t read_ts = view_->snapshot_ts();
    // Spilling (allow_spill): an earlier row of the statement that was spilled; no row lock, and the
    // snapshot's check (commit checks the newest version).
    const bool spilling = txn_.spilled();
    if (spilling && txn_.spilled_put(key)) throw duplicate_key_error(table, row);
    if (txn_.row_locks() && !spilling) txn_.lock_row(table, key, RowLockMode::Update, LockWaitMode::Wait);
    if (!txn_.row_locks() || spilling || txn_.wrote(key)) {
      if (view_->exists(key)) throw duplicate_key_error(table, row);  // the view holds the txn's writes
    } else {
      bool live = false;
      uint64_t newest = newest_committed(key, &live);
      if (live) throw duplicate_key_error(table, row);
      read_ts = std::max(read_ts, newest);  // locked and checked: a newer tombstone is no conflict
    }
    Op op = new_op();
    op.read_ts = read_ts;
    op.must_not_exist = true;
    encode(table, row, op.value);
    charge(key, op);
    maintain_indexes(table, {}, nullptr, key, row);
    ops_.emplace(std::move(key), std::move(op));
  }

  // ---- Secondary indexes (catalog.h, IndexDef). Every row write goes through put_new, remove_locked or
  // an update in place, and each calls maintain_indexes with the row before and after: the entries of
  // the indexes whose key changed are replaced (a tombstone for the old entry, a put of the new one) in
  // the statement's write set, so they commit (or roll back) with the row.

  // The row stored under `key` as this statement would change it (into old_row_): its own write, its
  // transaction's, else the newest committed version (the caller holds the row's lock), from the row store
  // or a sealed block. False: no row.
  bool current_row(const TableDef& table, std::string_view key) {
    std::string_view value;
    auto mine = ops_.find(key);
    if (mine != ops_.end()) {
      if (mine->second.is_delete) return false;
      value = mine->second.value;
    } else if (const WriteOp* w = view_->own_write(key)) {
      if (w->is_delete) return false;
      value = w->value;
    } else {
      bool live = false;
      old_value_.clear();
      uint64_t ts = newest_committed(key, &live, &old_value_);
      if (!live) return false;
      if (ts == 0) {  // a sealed row
        sealed_row(table, key, old_values_, old_row_);
        return true;
      }
      value = old_value_;
    }
    old_values_.clear();
    if (!rowcodec::decode_row(table, value, old_values_))
      throw SqlError(SqlState::DataCorrupted, "could not decode a row of table \"" + table.name + "\"");
    old_row_.assign(table.columns.size(), Datum{});
    for (size_t i = 0; i < old_row_.size() && i < old_values_.size(); ++i)
      old_row_[i] = dtsql::to_datum(old_values_[i]);
    return true;
  }

  // The row at `old_key` (`old_row`, nullptr: none) becomes `new_row` at `new_key` (nullptr: none).
  void maintain_indexes(const TableDef& table, std::string_view old_key, const Datum* old_row,
                        std::string_view new_key, const Datum* new_row) {
    note_foreign_keys(table, old_row, new_row, new_key);
    if (const IndexDef* violated = unique_violation(table, old_row, new_key, new_row, nullptr))
      throw unique_violation_error(table, *violated, new_row, false, store_.index_evaluator());
    for (const IndexDef& index : table.indexes) {
      const IndexEvaluator* eval = store_.index_evaluator();
      std::string before = old_row ? index_entry_key(table, index, old_row, old_key, eval) : std::string();
      std::string after = new_row ? index_entry_key(table, index, new_row, new_key, eval) : std::string();
      if (before == after) continue;  // an UPDATE that changes neither the indexed columns nor the key
      if (!before.empty()) put_index_write(std::move(before), true, {});
      if (!after.empty()) put_index_write(std::move(after), false, new_key);
    }
  }

  // ---- UNIQUE (docs/schema.md, "UNIQUE"). For each unique index whose value the write changes, the value
  // (index prefix + the encoded values) is locked like a row, FOR UPDATE strength, until the transaction
  // ends: the old value (a delete or an update away from it: a concurrent insert of it waits for the
  // outcome, as PostgreSQL's waits for the deleting transaction) and the new one (concurrent inserters of
  // one value queue; the second waits for the first to commit or roll back, as PostgreSQL's does). Holding
  // the new value's lock, it looks for a live entry with that value: among this statement's writes, its
  // transaction's, then the newest committed versions (not the snapshot: a row committed after it is a
  // duplicate too, as PostgreSQL's unique check sees it). A holder releases its locks only once its
  // commit is visible, so what the lookup reads is current and stays so while the lock is held. Values
  // with a NULL never conflict (unless NULLS NOT DISTINCT) and are not locked.
  //
  // Returns the first unique index the new row violates (nullptr: none). `arbiters`: with an upsert's
  // arbiters, a violated index that is not one of them throws 23505 at once (PostgreSQL raises the
  // conflicts of non-arbiter indexes), one that is is returned.
  const IndexDef* unique_violation(const TableDef& table, const Datum* old_row, std::string_view new_key,
                                   const Datum* new_row, const std::vector<uint32_t>* arbiters) {
    const IndexDef* found = nullptr;
    for (const IndexDef& index : table.indexes) {
      if (!index.unique) continue;
      bool old_null = false, new_null = false;
      const IndexEvaluator* eval = store_.index_evaluator();
      std::string before =
          old_row ? index_entry_prefix(table, index, old_row, &old_null, eval) : std::string();
      std::string after =
          new_row ? index_entry_prefix(table, index, new_row, &new_null, eval) : std::string();
      if (before == after) continue;  // the row keeps its value (its entry may move to a new key)
      if (!before.empty() && (!old_null || index.nulls_not_distinct)) lock_unique_value(table, before);
      if (after.empty() || (new_null && !index.nulls_not_distinct)) continue;
      lock_unique_value(table, after);
      std::string self = after;
      self.append(new_key.substr(keycodec::kTablePrefixSize));
      if (!unique_value_taken(after, self)) continue;
      if (arbiters && std::find(arbiters->begin(), arbiters->end(), index.id) == arbiters->end())
        throw unique_violation_error(table, index, new_row, false, eval);
      if (!found) found = &index;
      if (!arbiters) return found;
    }
    return found;
  }

  // ---- FOREIGN KEY (docs/schema.md, "FOREIGN KEY"). Each row change notes the checks it needs; apply()
  // runs them at the end of the statement, as PostgreSQL's RI triggers run after it:
  //  - a new or changed referencing value (none of its columns NULL: MATCH SIMPLE) locks the referenced
  //    key FOR KEY SHARE (the parent row's key, or the UNIQUE value it holds) until the transaction ends,
  //    then requires a live parent row with it (this transaction's writes, else the newest committed
  //    version): 23503 otherwise. A concurrent DELETE of the parent (or an UPDATE of its key) holds that
  //    key FOR UPDATE, so one of the two waits for the other's end;
  //  - a deleted or changed referenced value (the parent already holds its lock FOR UPDATE, which waited
  //    for every transaction holding it FOR KEY SHARE) requires that no row of a referencing table has
  //    it, in this transaction's writes or the newest committed rows: 23503 otherwise. NO ACTION first
  //    looks whether a row with that key exists again (deleted and inserted by the statement).
  struct ForeignKeyCheck {
    bool parent_side = false;   // false: a referencing row's new value; true: a referenced row's old value
    bool deleted = false;       // parent side: the row was deleted (ON DELETE), else updated (ON UPDATE)
    TableDefPtr child;          // the table holding the constraint
    size_t fk = 0;              // child->foreign_keys[fk]
    std::vector<Value> values;  // the key, in the order of the constraint's columns
    std::vector<Value> new_values;  // parent side, ON UPDATE CASCADE: the key the row has now (NULLs too)
    std::string row_key;            // referencing side: the row's storage key (empty: not known)
  };

  bool needs_old_row(const TableDef& table) {
    return !table.indexes.empty() || !table.foreign_keys.empty() || !referencing(table).empty();
  }

  // The constraints of other tables (or this one) that reference `table`, as this transaction sees them.
  const std::vector<std::pair<TableDefPtr, size_t>>& referencing(const TableDef& table) {
    auto found = referencing_.find(table.id);
    if (found != referencing_.end()) return found->second;
    std::vector<std::pair<TableDefPtr, size_t>> out;
    for (const TableDefPtr& t : store_.catalog().tables(&txn_.catalog_overlay()))
      for (size_t i = 0; i < t->foreign_keys.size(); ++i)
        if (t->foreign_keys[i].ref_table == table.id) out.emplace_back(t, i);
    return referencing_.emplace(table.id, std::move(out)).first->second;
  }

  // The values of `attnums` in `row` (false: one is NULL).
  static bool key_values(const TableDef& table, const std::vector<int32_t>& attnums, const Datum* row,
                         std::vector<Value>& out) {
    out.clear();
    for (int32_t a : attnums) {
      const int c = table.column_of_attnum(a);
      if (c < 0 || row[c].is_null) return false;
      out.push_back(dtsql::from_datum(table.columns[static_cast<size_t>(c)].type, row[c]));
    }
    return true;
  }

  // A value as the key codec encodes it for a column of `type` (equal values, equal bytes).
  static std::string key_bytes(TypeId type, const Value& v) {
    std::string out;
    keycodec::append_datum(type, dtsql::to_datum(v), out);
    return out;
  }

  static bool same_key(const TableDef& table, const std::vector<int32_t>& attnums,
                       const std::vector<Value>& a, const std::vector<Value>& b) {
    for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
      const TypeId t = table.columns[static_cast<size_t>(table.column_of_attnum(attnums[i]))].type;
      if (key_bytes(t, a[i]) != key_bytes(t, b[i])) return false;
    }
    return a.size() == b.size();
  }

  void note_foreign_keys(const TableDef& table, const Datum* old_row, const Datum* new_row,
                         std::string_view new_key) {
    std::vector<Value> before, after;
    if (new_row && !table.foreign_keys.empty()) {
      TableDefPtr self;
      for (size_t i = 0; i < table.foreign_keys.size(); ++i) {
        const ForeignKeyDef& fk = table.foreign_keys[i];
        if (!key_values(table, fk.attnums, new_row, after)) continue;
        if (old_row && key_values(table, fk.attnums, old_row, before) &&
            same_key(table, fk.attnums, before, after))
          continue;
        if (!self) self = store_.catalog().find(table.id, &txn_.catalog_overlay());
        if (!self) throw SqlError(SqlState::UndefinedTable, "relation \"" + table.name + "\" does not exist");
        pending_fk_.push_back({false, false, self, i, after, {}, std::string(new_key)});
      }
    }
    if (!old_row) return;
    // An UPDATE that moves the row to a new primary key removes it first: for the constraints that
    // reference it, that is an update to the row it becomes (ON UPDATE), not a delete.
    if (!new_row) new_row = moving_to_;
    for (const auto& [child, i] : referencing(table)) {
      const ForeignKeyDef& fk = child->foreign_keys[i];
      if (!key_values(table, fk.ref_attnums, old_row, before)) continue;
      if (new_row && key_values(table, fk.ref_attnums, new_row, after) &&
          same_key(table, fk.ref_attnums, before, after))
        continue;
      std::vector<Value> now;
      if (new_row && fk.on_update == 'c')
        for (int32_t a : fk.ref_attnums) {
          const size_t c = static_cast<size_t>(table.column_of_attnum(a));
          now.push_back(dtsql::from_datum(table.columns[c].type, new_row[c]));
        }
      pending_fk_.push_back({true, new_row == nullptr, child, i, before, std::move(now), {}});
    }
  }

  // The lock key of a referenced key of `parent` (its row's storage key when the columns are its primary
  // key, else the value of its UNIQUE index on them) and whether it is the primary key.
  static std::pair<std::string, bool> referenced_key(const TableDef& parent, const ForeignKeyDef& fk,
                                                     const std::vector<Value>& values) {
    std::vector<Datum> row(parent.columns.size(), Datum{});
    for (Datum& d : row) d.is_null = 1;
    for (size_t j = 0; j < fk.ref_attnums.size(); ++j) {
      const int c = parent.column_of_attnum(fk.ref_attnums[j]);
      if (c >= 0) row[static_cast<size_t>(c)] = dtsql::to_datum(values[j]);
    }
    auto same_columns = [&](std::vector<int32_t> a) {
      std::vector<int32_t> b = fk.ref_attnums;
      std::sort(a.begin(), a.end());
      std::sort(b.begin(), b.end());
      return a == b;
    };
    std::vector<int32_t> pk;
    for (int k : parent.primary_key) pk.push_back(parent.attnum(static_cast<size_t>(k)));
    if (!pk.empty() && same_columns(pk)) {
      std::string key = table_prefix(parent.id);
      for (int k : parent.primary_key)
        keycodec::append_datum(parent.columns[static_cast<size_t>(k)].type, row[static_cast<size_t>(k)], key);
      return {std::move(key), true};
    }
    for (const IndexDef& index : parent.indexes)
      if (index.unique && !index.computed() && same_columns(index.attnums))
        return {index_entry_prefix(parent, index, row.data(), nullptr, nullptr), false};
    throw SqlError(
        SqlState::InvalidForeignKey,
        "there is no unique constraint matching given keys for referenced table \"" + parent.name + "\"");
  }

  // Whether a live row of `parent` holds the referenced key (this transaction's writes, else the newest
  // committed version; the caller holds the key's lock).
  bool referenced_key_live(const std::pair<std::string, bool>& key) {
    if (!key.second) return unique_value_taken(key.first, {});
    if (const WriteOp* w = view_->own_write(key.first)) return !w->is_delete;
    bool live = false;
    newest_committed(key.first, &live);
    return live;
  }

  // The storage keys of the rows of `child` with `values` in the constraint's columns, as the newest
  // committed state with this transaction's writes shows them (at most `limit` of them): an index scan
  // of an index whose first columns they are, else a scan of the table (each row re-checked either way).
  std::vector<std::string> referencing_rows(const TableDefPtr& child, const ForeignKeyDef& fk,
                                            const std::vector<Value>& values, size_t limit = SIZE_MAX) {
    std::unique_ptr<ReadViewImpl> fresh = view_->latest();
    ScanSpec spec;
    spec.table = child;
    spec.columns.assign(child->columns.size(), false);
    spec.want_keys = true;
    std::vector<int> cols;
    std::vector<std::string> wanted;
    for (size_t j = 0; j < fk.attnums.size(); ++j) {
      cols.push_back(child->column_of_attnum(fk.attnums[j]));
      spec.columns[static_cast<size_t>(cols.back())] = true;
      wanted.push_back(key_bytes(child->columns[static_cast<size_t>(cols.back())].type, values[j]));
    }
    for (const IndexDef& index : child->indexes) {
      if (index.computed() || index.attnums.size() < fk.attnums.size() ||
          !std::equal(fk.attnums.begin(), fk.attnums.end(), index.attnums.begin()))
        continue;
      spec.index_id = index.id;
      spec.index_valid_from = index.valid_from_ts;
      for (size_t j = 0; j < fk.attnums.size(); ++j)
        keycodec::append_index_datum(child->columns[static_cast<size_t>(cols[j])].type,
                                     dtsql::to_datum(values[j]), spec.lower);
      spec.upper = keycodec::prefix_successor(spec.lower);
      spec.upper_unbounded = spec.upper.empty();
      break;
    }
    std::vector<std::string> out;
    auto cursor = fresh->scan(spec);
    while (const ColumnBatch* batch = cursor->next()) {
      for (uint64_t r = 0; r < batch->count; ++r) {
        bool match = true;
        for (size_t j = 0; j < cols.size() && match; ++j) {
          const size_t c = static_cast<size_t>(cols[j]);
          const Value v = batch_value(batch->columns[c], r, child->columns[c].type);
          match = !v.is_null() && key_bytes(child->columns[c].type, v) == wanted[j];
        }
        if (match) out.emplace_back(batch->keys[r].ptr, batch->keys[r].len);
        if (out.size() >= limit) return out;
      }
    }
    return out;
  }

  // ON DELETE CASCADE: the statement deletes the rows of the referencing table that hold the deleted key,
  // as a DELETE of them would (remove_locked: indexes maintained, and the checks of the constraints that
  // reference them noted, so a chain of cascades continues in the next round of check_foreign_keys()).
  // Each row is locked FOR UPDATE first and read again at its newest version, which must still hold the
  // key (READ COMMITTED; at REPEATABLE READ a row changed after the snapshot is 40001, unchanged()).
  void cascade_delete(const ForeignKeyCheck& check) {
    const TableDef& child = *check.child;
    for (const std::string& key : referencing_rows(check.child, child.foreign_keys[check.fk], check.values)) {
      uint64_t newest = 0;
      if (!lock_referencing_row(check, key, RowLockMode::Update, &newest)) continue;
      note_table(child);
      remove_locked(child, key);
      note_read_version(key, newest);
    }
  }

  // ON UPDATE CASCADE and the SET NULL / SET DEFAULT actions: the statement updates the rows of the
  // referencing table that hold the old key, setting the constraint's columns (ON DELETE SET's column
  // list, when given) to the parent's new key, NULL, or their DEFAULTs (evaluated per row, as
  // PostgreSQL's RI triggers do), as an UPDATE of them would (update_locked: NOT NULL and length checks,
  // indexes and unique values maintained, the new values' own foreign-key checks and the checks of the
  // constraints that reference the rows noted, so a chain continues in the next round of
  // check_foreign_keys()). Rows are locked and read again as cascade_delete does.
  void cascade_update(const ForeignKeyCheck& check, char action) {
    const TableDef& child = *check.child;
    const ForeignKeyDef& fk = child.foreign_keys[check.fk];
    std::vector<std::pair<size_t, size_t>> set;  // (column, position in the constraint)
    bool key_changes = false;
    for (size_t j = 0; j < fk.attnums.size(); ++j) {
      const std::vector<int32_t>& only = fk.delete_set_attnums;
      if (check.deleted && !only.empty() && std::find(only.begin(), only.end(), fk.attnums[j]) == only.end())
        continue;
      const size_t c = static_cast<size_t>(child.column_of_attnum(fk.attnums[j]));
      set.emplace_back(c, j);
      key_changes = key_changes || std::find(child.primary_key.begin(), child.primary_key.end(),
                                             static_cast<int>(c)) != child.primary_key.end();
    }
    if (action == 'd' && !defaults_)
      throw SqlError(SqlState::InternalError, "ON DELETE / ON UPDATE SET DEFAULT without the defaults");
    std::vector<Value> values;
    std::vector<Datum> row;
    for (const std::string& key : referencing_rows(check.child, fk, check.values)) {
      uint64_t newest = 0;
      if (!lock_referencing_row(check, key, key_changes ? RowLockMode::Update : RowLockMode::NoKeyUpdate,
                                &newest))
        continue;
      values.clear();
      for (size_t c = 0; c < child.columns.size(); ++c)
        values.push_back(dtsql::from_datum(child.columns[c].type, old_row_[c]));
      std::vector<Value> defaults;
      if (action == 'd') defaults = defaults_(child);
      for (const auto& [c, j] : set) {
        const TypeId type = child.columns[c].type;
        Value v = action == 'c'   ? check.new_values.at(j)
                  : action == 'd' ? (c < defaults.size() ? defaults[c] : Value::null(type))
                                  : Value::null(type);
        if (is_integer(type) && is_integer(v.type()) && !v.is_null() &&
            (v.as_int() < integer_min(type) || v.as_int() > integer_max(type)))  // a wider key
          throw SqlError(SqlState::NumericValueOutOfRange, std::string(integer_out_of_range(type)));
        values[c] = v.is_null() ? Value::null(type) : std::move(v);
      }
      row.assign(child.columns.size(), Datum{});
      for (size_t c = 0; c < row.size(); ++c) row[c] = dtsql::to_datum(values[c]);
      if (row_checks_) row_checks_(child, row.data());  // the table's CHECK constraints (23514)
      std::string new_key = child.has_hidden_rowid() ? key : make_key(child, row.data());
      update_locked(child, key, std::move(new_key), row.data());
      note_read_version(key, newest);
    }
  }

  // Locks a row of the referencing table that an action changes (as an UPDATE or DELETE of it would)
  // and reads it again, at its newest version (current_row(), into old_row_): false if it is gone or no
  // longer holds the key. At READ COMMITTED a row changed after the statement's snapshot is taken as it
  // is now, its newest version's timestamp set in `newest` (the version the write replaces, where the
  // commit's conflict check starts); at REPEATABLE READ that is 40001 (unchanged()).
  bool lock_referencing_row(const ForeignKeyCheck& check, const std::string& key, RowLockMode mode,
                            uint64_t* newest) {
    const TableDef& child = *check.child;
    if (txn_.row_locks() && ops_.find(key) == ops_.end()) {
      txn_.lock_row(child, key, mode, LockWaitMode::Wait);
      if (!txn_.wrote(key) && !unchanged(key)) {
        bool live = false;
        *newest = newest_committed(key, &live);
      }
    }
    if (!current_row(child, key)) return false;  // deleted meanwhile, or by this statement already
    std::vector<Value> now;
    const ForeignKeyDef& fk = child.foreign_keys[check.fk];
    return key_values(child, fk.attnums, old_row_.data(), now) &&
           same_key(child, fk.attnums, now, check.values);
  }

  void note_read_version(const std::string& key, uint64_t newest) {
    auto op = ops_.find(key);
    if (op != ops_.end()) op->second.read_ts = std::max(op->second.read_ts, newest);
  }

  static std::string key_text(const TableDef& table, const std::vector<int32_t>& attnums,
                              const std::vector<Value>& values, std::string* cols) {
    std::string vals;
    for (size_t j = 0; j < attnums.size() && j < values.size(); ++j) {
      const int c = table.column_of_attnum(attnums[j]);
      if (j) {
        *cols += ", ";
        vals += ", ";
      }
      *cols += c < 0 ? "?" : table.columns[static_cast<size_t>(c)].name;
      vals += datum_text(c < 0 ? values[j].type() : table.columns[static_cast<size_t>(c)].type,
                         dtsql::to_datum(values[j]));
    }
    return vals;
  }

  void check_foreign_key(const ForeignKeyCheck& check) {
    const ForeignKeyDef& fk = check.child->foreign_keys[check.fk];
    TableDefPtr parent = store_.catalog().find(fk.ref_table, &txn_.catalog_overlay());
    if (!parent)
      throw SqlError(SqlState::UndefinedTable,
                     "relation with OID " + std::to_string(fk.ref_table) + " does not exist");
    const std::pair<std::string, bool> key = referenced_key(*parent, fk, check.values);
    if (!check.parent_side) {
      // The row may have changed again since, by an action of this statement (a self-referencing table
      // whose keys one UPDATE renumbers): what it holds now is what is checked (its new value was noted).
      if (!check.row_key.empty()) {
        std::vector<Value> now;
        if (!current_row(*check.child, check.row_key) ||
            !key_values(*check.child, fk.attnums, old_row_.data(), now) ||
            !same_key(*check.child, fk.attnums, now, check.values))
          return;
      }
      if (txn_.row_locks()) txn_.lock_row(*parent, key.first, RowLockMode::KeyShare, LockWaitMode::Wait);
      if (referenced_key_live(key)) return;
      std::string cols;
      std::string vals = key_text(*check.child, fk.attnums, check.values, &cols);
      throw std::move(SqlError(SqlState::ForeignKeyViolation,
                               "insert or update on table \"" + check.child->name +
                                   "\" violates foreign key constraint \"" + fk.name + "\"")
                          .with_detail("Key (" + cols + ")=(" + vals + ") is not present in table \"" +
                                       parent->name + "\".")
                          .with_constraint("public", check.child->name, fk.name));
    }
    const char action = check.deleted ? fk.on_delete : fk.on_update;
    if ((action == 'a' || action == 'd') && referenced_key_live(key)) return;  // the key exists again
    if (referencing_rows(check.child, fk, check.values, 1).empty()) return;
    std::string cols;
    std::string vals = key_text(*parent, fk.ref_attnums, check.values, &cols);
    throw std::move(SqlError(SqlState::ForeignKeyViolation, "update or delete on table \"" + parent->name +
                                                                "\" violates foreign key constraint \"" +
                                                                fk.name + "\" on table \"" +
                                                                check.child->name + "\"")
                        .with_detail("Key (" + cols + ")=(" + vals + ") is still referenced from table \"" +
                                     check.child->name + "\".")
                        .with_constraint("public", check.child->name, fk.name));
  }

 public:
  // Transaction::alter_rows: the entry of an index being built for the row stored under `row_key` (no
  // conflict check, as every index entry: the caller holds the table exclusively).
  void put_built_entry(std::string entry, std::string_view row_key) {
    put_index_write(std::move(entry), false, row_key);
  }

  // The statement's writes become the transaction's (the foreign-key checks see them).
  void merge_ops() {
    const uint64_t charged = charged_;
    charged_ = 0;  // the transaction's count from now on
    txn_.merge(ops_, tables_, charged);
    ops_.clear();
    tables_.clear();
  }

  // The referential actions first, in rounds until none is left (a cascade's deletes note the checks of
  // the constraints that reference the rows it deleted; a cycle ends, as the rows are gone), each
  // round's writes merged into the transaction; then the checks, on the state after every action.
  void check_foreign_keys() {
    std::vector<ForeignKeyCheck> checks;
    while (!pending_fk_.empty()) {
      std::vector<ForeignKeyCheck> work = std::move(pending_fk_);
      pending_fk_.clear();
      for (ForeignKeyCheck& check : work) {
        const ForeignKeyDef& fk = check.child->foreign_keys[check.fk];
        const char action = check.deleted ? fk.on_delete : fk.on_update;
        if (check.parent_side && check.deleted && action == 'c')
          cascade_delete(check);
        else if (check.parent_side && (action == 'c' || action == 'n'))
          cascade_update(check, action);
        else if (check.parent_side && action == 'd') {
          cascade_update(check, action);
          // A default equal to the old key leaves rows referencing it; NO ACTION's check finds them
          // (PostgreSQL's ri_set runs RI_FKey_noaction_del / _upd for SET DEFAULT likewise).
          checks.push_back(std::move(check));
        } else
          checks.push_back(std::move(check));
      }
      if (!ops_.empty() || !tables_.empty()) merge_ops();
    }
    for (const ForeignKeyCheck& check : checks) check_foreign_key(check);
  }

 private:
  void lock_unique_value(const TableDef& table, std::string_view value) {
    if (txn_.row_locks()) txn_.lock_row(table, value, RowLockMode::Update, LockWaitMode::Wait);
  }

  // Where unique_value_taken() found the live entry, and the row it points to.
  struct Taken {
    enum class Where { Statement, Transaction, Committed } where = Where::Committed;
    std::string row_key;  // the row's storage key
    uint64_t ts = 0;      // Committed: the entry version's commit timestamp
  };
  static std::string entry_row_key(std::string_view value) {
    return value.empty() ? std::string() : std::string(value.substr(1));
  }

  // Whether a live entry of the unique value `prefix`, other than `self`, exists: written by this statement,
  // by its transaction, or committed (newest version; the caller holds the value's lock).
  bool unique_value_taken(std::string_view prefix, std::string_view self, Taken* taken = nullptr) {
    const std::string end = keycodec::prefix_successor(prefix);
    for (auto it = ops_.lower_bound(prefix); it != ops_.end() && it->first < end; ++it)
      if (!it->second.is_delete && it->first != self) {
        if (taken) *taken = {Taken::Where::Statement, entry_row_key(it->second.value), 0};
        return true;
      }
    const WriteSet* mine = view_->own_writes();
    if (mine) {
      for (auto it = mine->lower_bound(prefix); it != mine->end() && it->first < end; ++it)
        if (!it->second.is_delete && it->first != self && ops_.find(it->first) == ops_.end()) {
          if (taken) *taken = {Taken::Where::Transaction, entry_row_key(it->second.value), 0};
          return true;
        }
    }
    if (view_->truncated_key(prefix)) return false;  // this transaction truncated the table
    // A range of user keys: a total-order iterator (the prefix bloom filters are per user key).
    rocksdb::Iterator* it = fresh_iterator(unique_it_, unique_it_ts_, true);
    for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size())); it->Valid();) {
      rocksdb::Slice k = it->key();
      if (k.size() < prefix.size() + keycodec::kVersionSize ||
          std::memcmp(k.data(), prefix.data(), prefix.size()) != 0)
        break;
      std::string user(k.data(), k.size() - keycodec::kVersionSize);  // newest version first
      rocksdb::Slice v = it->value();
      const bool live =
          rowcodec::value_kind(std::string_view(v.data(), v.size())) == rowcodec::ValueKind::Row;
      if (live && user != self && ops_.find(user) == ops_.end() &&
          !(mine && mine->find(user) != mine->end())) {
        if (taken)
          *taken = {Taken::Where::Committed, entry_row_key(std::string_view(v.data(), v.size())),
                    keycodec::decode_version(std::string_view(k.data(), k.size()))};
        return true;
      }
      for (it->Next(); it->Valid() && has_user_key(it->key(), user); it->Next()) {
      }
    }
    check_status(it->status(), "checking a unique index");
    return false;
  }

  void put_index_write(std::string key, bool is_delete, std::string_view row_key) {
    Op op;
    op.read_ts = kNoConflictCheck;
    op.is_delete = is_delete;
    if (!is_delete) op.value = index_entry_value(row_key);
    auto it = ops_.find(key);
    if (it == ops_.end()) {
      charge(key, op);
      ops_.emplace(std::move(key), std::move(op));
      return;
    }
    const uint64_t before = write_charge(it->first, it->second);
    it->second = std::move(op);
    charge(it->first, it->second, before);
  }

  // Counts the growth of a write of this statement (`before`: what it counted until now, 0 for a new
  // one) against the transaction's memory limit: 53200 past it, or past the server-wide cap. A write that
  // shrinks is not credited until apply() settles the exact amount.
  void charge(std::string_view key, const Op& op, uint64_t before = 0) {
    const uint64_t after = write_charge(key, op);
    if (after <= before) return;
    txn_.memory().reserve(after - before);
    charged_ += after - before;
  }

  Op new_op() const {
    Op op;
    op.read_ts = view_->snapshot_ts();
    return op;
  }

  Store& store_;
  StoreState& state_;
  const ReadViewImpl* view_;
  TransactionImpl& txn_;
  std::unique_ptr<rocksdb::Iterator> latest_;     // newest_committed()
  uint64_t latest_ts_ = 0;                        // visible_ts when latest_ was made or refreshed
  std::unique_ptr<rocksdb::Iterator> unique_it_;  // unique_value_taken(), as latest_
  uint64_t unique_it_ts_ = 0;
  std::vector<ForeignKeyCheck> pending_fk_;  // checked by apply()
  DefaultsFn defaults_;                      // set_defaults()
  RowChecksFn row_checks_;                   // set_row_checks()
  const Datum* moving_to_ = nullptr;         // update_locked(): the new row while the old key is removed
  std::unordered_map<uint32_t, std::vector<std::pair<TableDefPtr, size_t>>> referencing_;
  WriteSet ops_;
  bool refuse_second_writes_ = false;       // refuse_second_writes()
  uint64_t charged_ = 0;                    // counted in txn_.memory() for ops_ (charge())
  uint64_t spill_bytes_ = 0;                // allow_spill(): spill ops_ once charged_ reaches it (0: never)
  std::map<uint32_t, std::string> tables_;  // tables written, for the dropped-meanwhile check
  uint32_t last_table_id_ = 0;
  // The row the last upsert() conflicted with (Conflict), for the DO UPDATE that follows.
  std::string conflict_key_;
  uint64_t conflict_read_ts_ = 0;
  std::string conflict_value_;
  std::vector<Value> conflict_values_;
  std::vector<Datum> conflict_row_;
  // Rows update() or remove() found changed since the snapshot they were read at (READ COMMITTED), until
  // moved_to() looks them up: that snapshot, and whether this statement took the row's lock.
  struct Changed {
    uint64_t since = 0;
    bool locked_here = false;
  };
  std::map<std::string, Changed, std::less<>> changed_;
  // current_row()'s row.
  std::string old_value_;
  std::vector<Value> old_values_;
  std::vector<Datum> old_row_;
};

std::unique_ptr<StatementWriter> TransactionImpl::writer(const ReadView& view) {
  return std::make_unique<StatementWriterImpl>(store_, state_, static_cast<const ReadViewImpl&>(view), *this);
}

void StatementWriterImpl::apply() {
  merge_ops();
  check_foreign_keys();  // its actions' writes are merged too
}

// First committer wins: under commit_mutex, every written key is checked against the newest committed
// (or committing) version; then the transaction gets its timestamp and its batch is written outside the
// lock, so that concurrent commits share WAL fsyncs. New snapshots see the commit once every commit with
// a smaller timestamp is written too.
void TransactionImpl::commit() {
  if (spilled_) return commit_spilled();
  if (writes_.empty() && truncated_.empty() && overlay_.empty()) {
    end();
    return;
  }
  // A table created and dropped again leaves an empty overlay, but rows of it to leave out (discarded).
  if (!truncated_.empty() || !overlay_.empty() || !overlay_.discarded.empty()) return commit_ordered();
  rocksdb::DB* db = store_.db();
  rocksdb::WriteBatch batch;
  uint64_t ts = 0;
  OMEN_SYNC_POINT_CALLBACK("TransactionImpl::commit:Start", this);
  {
    std::unique_lock lock(state_.commit_mutex);
    state_.ddl_done.wait(lock, [&] { return state_.ddl_pending == 0; });
    for (const auto& [id, name] : tables_) {
      if (!store_.catalog().find(id))
        throw SqlError(SqlState::UndefinedTable, "relation \"" + name + "\" does not exist");
    }
    check_table_resets(lock);
    rocksdb::ReadOptions ro;
    ro.prefix_same_as_start = true;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro));
    for (const auto& [key, op] : writes_) {
      if (op.fresh_rowid || op.read_ts == kNoConflictCheck) continue;
      bool live = false;
      uint64_t newest = newest_version_ts(state_, *it, key, &live);
      if (newest > op.read_ts) {
        // Let the winner become visible first, so that a retry at once reads its version instead of
        // conflicting with it again.
        state_.wait_visible(lock, [&] { return state_.visible_ts.load() >= newest; });
        throw SqlError(SqlState::SerializationFailure, "could not serialize access due to concurrent update")
            .with_hint("Retry the transaction.");
      }
    }
    ts = state_.assign_commit_ts(db);
    for (const auto& [id, name] : tables_) state_.table_commit_ts[id] = ts;
    const std::set<uint32_t> dropped = dropped_indexes();
    std::string vkey;
    for (const auto& [key, op] : writes_) {
      if (!dropped.empty() && dropped.count(keycodec::decode_table_id(key))) continue;
      vkey = key;
      keycodec::append_version(ts, vkey);
      put_version(batch, vkey, key, op);
      state_.inflight_keys[key] = ts;
    }
    state_.inflight_ts.insert(ts);
  }
  OMEN_SYNC_POINT_CALLBACK("TransactionImpl::commit:BeforeWrite", this);
  rocksdb::WriteOptions wo;
  wo.sync = sync_;
  rocksdb::Status status = write_to_rocksdb(*db, wo, batch);
  {
    std::unique_lock lock(state_.commit_mutex);
    for (const auto& [key, op] : writes_) {
      auto it = state_.inflight_keys.find(key);
      if (it != state_.inflight_keys.end() && it->second == ts) state_.inflight_keys.erase(it);
    }
    state_.inflight_ts.erase(ts);
    if (state_.inflight_ts.empty() && state_.ddl_pending > 0) state_.visible_advanced.notify_all();
    uint64_t visible = state_.inflight_ts.empty() ? state_.last_assigned_ts : *state_.inflight_ts.begin() - 1;
    if (visible > state_.visible_ts.load()) state_.publish_visible(visible);
    // Earlier commits still writing hold visible_ts below ts: wait for them (they are in the same
    // WAL write group or the one before, so this is short).
    if (status.ok()) state_.wait_visible(lock, [&] { return state_.visible_ts.load() >= ts; });
  }
  if (!status.ok()) throw_commit_error(status);
  writes_.clear();
  tables_.clear();
  savepoints_.clear();
  lock_undo_.clear();
  end();
}

// The commit of a transaction whose writes were spilled (docs/mvcc.md, "Spilled writes of a large COPY").
// The rest of its writes are spilled too; then, under commit_mutex, the tables-exist and truncate checks
// and first committer wins: only when a commit wrote one of its tables after its snapshot (else no key of
// it can have a newer version), by walking its spilled keys in order. It gets its timestamp and is in
// flight (visible_ts stays below it; other commits' conflict checks find its keys among the spilled
// ones). Outside the mutex: the commit record (txn id -> timestamp, synced unless synchronous_commit is
// off) makes it durable and atomic: from there on, a crash is followed by the move at the next open.
// Then the spilled writes move into the tables (move_spilled) and the commit becomes visible.
void TransactionImpl::commit_spilled() {
  rocksdb::DB* db = store_.db();
  if (!writes_.empty()) {
    spill(writes_);
    set_writes_bytes(0);
  }
  uint64_t ts = 0;
  std::set<uint32_t> dropped;
  OMEN_SYNC_POINT_CALLBACK("TransactionImpl::commit:Start", this);
  {
    std::unique_lock lock(state_.commit_mutex);
    state_.ddl_done.wait(lock, [&] { return state_.ddl_pending == 0; });
    bool others_wrote = false;
    for (const auto& [id, name] : tables_) {
      if (!store_.catalog().find(id))
        throw SqlError(SqlState::UndefinedTable, "relation \"" + name + "\" does not exist");
      auto reset = state_.table_reset_ts.find(id);
      if (reset != state_.table_reset_ts.end() && reset->second > spill_read_ts_)
        throw SqlError(SqlState::SerializationFailure, "could not serialize access due to concurrent update")
            .with_detail("Table \"" + name + "\" was truncated or rewritten by a concurrent transaction.")
            .with_hint("Retry the transaction.");
      auto c = state_.table_commit_ts.find(id);
      if (c != state_.table_commit_ts.end() && c->second > spill_read_ts_) others_wrote = true;
    }
    if (others_wrote) {
      rocksdb::ReadOptions ro;
      ro.prefix_same_as_start = true;
      std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro));
      check_status(for_each_with_prefix(
                       *db, meta::spill_prefix(id_),
                       [&](std::string_view key, std::string_view value) {
                         uint8_t flags = 0;
                         uint64_t read_ts = 0;
                         std::string_view row;
                         if (!decode_spilled_op(value, &flags, &read_ts, &row))
                           throw SqlError(SqlState::DataCorrupted, "malformed spilled write");
                         if (!(flags & kSpillChecked) || (flags & kSpillFreshRowid)) return true;
                         bool live = false;
                         const uint64_t newest = newest_version_ts(state_, *it, key, &live);
                         if (newest <= read_ts) return true;
                         state_.wait_visible(lock, [&] { return state_.visible_ts.load() >= newest; });
                         throw SqlError(SqlState::SerializationFailure,
                                        "could not serialize access due to concurrent update")
                             .with_hint("Retry the transaction.");
                       }),
                   "checking for conflicts");
    }
    for (uint32_t id : spill_ids_)  // indexes dropped since (their entries would stay for ever)
      if (!tables_.count(id) && !store_.catalog().index_exists(id, &overlay_)) dropped.insert(id);
    ts = state_.assign_commit_ts(db);
    for (const auto& [id, name] : tables_) state_.table_commit_ts[id] = ts;
    state_.inflight_ts.insert(ts);
    state_.inflight_spills.push_back({id_, ts, spill_min_, spill_max_});
  }
  OMEN_SYNC_POINT("TransactionImpl::commit_spilled:BeforeRecord");
  rocksdb::WriteOptions wo;
  wo.sync = sync_;
  rocksdb::WriteBatch record;
  std::string tsv;
  meta::append_be(ts, 8, tsv);
  rocksdb::Status status = record.Put(meta::spill_commit_key(id_), tsv);
  if (status.ok()) status = write_to_rocksdb(*db, wo, record);
  const bool recorded = status.ok();
  OMEN_SYNC_POINT("TransactionImpl::commit_spilled:AfterRecord");
  if (recorded)
    status = move_spilled(*db, id_, ts, store_.options().spill_move_batch_bytes,
                          [&](uint32_t id) { return dropped.count(id) != 0; });
  {
    std::unique_lock lock(state_.commit_mutex);
    std::erase_if(state_.inflight_spills, [&](const StoreState::InflightSpill& s) { return s.txn == id_; });
    if (recorded && !status.ok()) {
      // Committed (its record is durable) but not all moved: it stays in flight, so no snapshot sees a
      // part of it; after a failed write the database takes no more writes, and the next open finishes
      // the move.
      spilled_ = false;  // the next open needs the spilled writes
      spdlog::critical("commit {} of transaction {}: moving its spilled rows failed: {}", ts, id_,
                       status.ToString());
      state_.commit_stuck = true;  // later commits fail instead of waiting for it (wait_visible)
      state_.visible_advanced.notify_all();
      throw SqlError(SqlState::IoError, "could not finish the commit of spilled rows: " + status.ToString())
          .with_detail("The transaction is committed; its rows become visible when the server restarts.")
          .with_hint("Check the storage device and the kernel log, then restart the server.");
    }
    state_.inflight_ts.erase(ts);
    if (state_.inflight_ts.empty() && state_.ddl_pending > 0) state_.visible_advanced.notify_all();
    uint64_t visible = state_.inflight_ts.empty() ? state_.last_assigned_ts : *state_.inflight_ts.begin() - 1;
    if (visible > state_.visible_ts.load()) state_.publish_visible(visible);
    if (status.ok()) state_.wait_visible(lock, [&] { return state_.visible_ts.load() >= ts; });
  }
  if (!status.ok()) throw_commit_error(status);  // no record: not committed (end() drops the rows)
  spilled_ = false;                              // moved, and their range deleted
  tables_.clear();
  end();
}

// A transaction that wrote a table that a later commit truncated (or an ALTER TABLE rewrote) fails: its
// writes were based on rows that are gone. PostgreSQL would have made the TRUNCATE wait for it (or it for
// the TRUNCATE); OmenDB's DDL does not wait for open transactions, so the later of the two fails.
void TransactionImpl::check_table_resets(std::unique_lock<std::mutex>&) {
  if (state_.table_reset_ts.empty()) return;
  for (const auto& [key, op] : writes_) {
    const uint32_t table_id = keycodec::decode_table_id(key);
    if (truncated_.count(table_id)) continue;
    auto r = state_.table_reset_ts.find(table_id);
    if (r != state_.table_reset_ts.end() && r->second > op.read_ts)
      throw SqlError(SqlState::SerializationFailure, "could not serialize access due to concurrent update")
          .with_detail("Table \"" + tables_[table_id] +
                       "\" was truncated or rewritten by a concurrent transaction.")
          .with_hint("Retry the transaction.");
  }
}

// The commit of a transaction that ran TRUNCATE or DDL: ordered with other commits as DROP TABLE is
// (docs/mvcc.md "DDL and commits are ordered"): no new commit starts its checks, commits in flight finish
// writing, then one synced batch deletes each truncated table's key range and sealed blocks, applies the
// catalog changes (Catalog::commit_overlay: definitions, dropped tables' and indexes' ranges, sequences)
// and writes the transaction's rows, under the commit mutex, so no commit can land between the range
// delete and the rows. Snapshots taken before see a truncated table empty afterwards (as PostgreSQL's
// TRUNCATE, which is not MVCC-safe), and a transaction that wrote a truncated table on an older snapshot
// fails at COMMIT (40001).
void TransactionImpl::commit_ordered() {
  rocksdb::DB* db = store_.db();
  // A seal of a table the changes drop or alter finishes first (lock order: seal mutexes, commit_mutex).
  std::vector<std::shared_ptr<std::mutex>> seal_mutexes;
  std::vector<std::unique_lock<std::mutex>> seal_locks;
  // Tables whose blocks the batch deletes (truncated or dropped): their block indexes change with it.
  std::set<uint32_t> blocks_gone;
  for (const auto& [id, name] : truncated_)
    if (tables_.count(id)) blocks_gone.insert(id);
  std::set<uint32_t> locked;  // in id order
  for (const auto& [id, def] : overlay_.tables) {
    if (overlay_.created.count(id)) continue;
    locked.insert(id);
    if (!def) blocks_gone.insert(id);
  }
  locked.insert(blocks_gone.begin(), blocks_gone.end());
  for (uint32_t id : locked) seal_mutexes.push_back(state_.seal_mutex(id));
  for (const auto& m : seal_mutexes) seal_locks.emplace_back(*m);
  std::unique_lock lock(state_.commit_mutex);
  state_.ddl_done.wait(lock, [&] { return state_.ddl_pending == 0; });
  ++state_.ddl_pending;
  struct Done {
    StoreState& state;
    ~Done() {
      if (--state.ddl_pending == 0) state.ddl_done.notify_all();
    }
  } done{state_};
  if (!state_.inflight_ts.empty()) state_.wait_visible(lock, [&] { return state_.inflight_ts.empty(); });
  for (const auto& [id, name] : tables_) {
    if (!overlay_.discarded.count(id) && !store_.catalog().find(id, &overlay_))
      throw SqlError(SqlState::UndefinedTable, "relation \"" + name + "\" does not exist");
  }
  check_table_resets(lock);
  // ALTER TABLE / CREATE INDEX read the table's rows at rows_read_at (alter_rows): a commit to the table
  // since brought rows they did not check or index.
  for (const auto& [id, read_ts] : overlay_.rows_read_at) {
    auto c = state_.table_commit_ts.find(id);
    if (c == state_.table_commit_ts.end() || c->second <= read_ts) continue;
    TableDefPtr t = store_.catalog().find(id, &overlay_);
    throw SqlError(SqlState::SerializationFailure, "could not serialize access due to concurrent update")
        .with_detail("Table \"" + (t ? t->name : std::to_string(id)) +
                     "\" was written by a transaction that committed after ALTER TABLE or CREATE INDEX read "
                     "its rows.")
        .with_hint("Retry the transaction.");
  }
  rocksdb::ReadOptions ro;
  ro.prefix_same_as_start = true;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro));
  for (const auto& [key, op] : writes_) {
    if (op.fresh_rowid || op.read_ts == kNoConflictCheck ||
        truncated_.count(keycodec::decode_table_id(key)) ||
        overlay_.created.count(keycodec::decode_table_id(key)))
      continue;
    bool live = false;
    if (newest_version_ts(state_, *it, key, &live) > op.read_ts)
      throw SqlError(SqlState::SerializationFailure, "could not serialize access due to concurrent update")
          .with_hint("Retry the transaction.");
  }
  const uint64_t ts = state_.assign_commit_ts(db);
  // Indexes alter_rows built: valid from this commit (older snapshots read the table instead).
  if (!overlay_.built_indexes.empty()) {
    for (auto& [id, table] : overlay_.tables) {
      if (!table) continue;
      std::optional<TableDef> changed;
      for (size_t i = 0; i < table->indexes.size(); ++i) {
        if (!overlay_.built_indexes.count(table->indexes[i].id)) continue;
        if (!changed) changed = *table;
        changed->indexes[i].valid_from_ts = ts;
      }
      if (changed) table = std::make_shared<const TableDef>(std::move(*changed));
    }
  }
  rocksdb::WriteBatch batch;
  for (const auto& [id, name] : truncated_) {
    std::string begin = table_prefix(id);
    check_status(batch.DeleteRange(begin, keycodec::prefix_successor(begin)), "truncating");
    std::string blocks = meta::block_prefix(id);
    check_status(batch.DeleteRange(blocks, keycodec::prefix_successor(blocks)), "truncating");
    check_status(batch.Delete(meta::sealed_manifest_key(id)), "truncating");
  }
  const std::set<uint32_t> dropped = dropped_indexes();  // before commit_overlay takes the catalog's mutex
  auto write = [&] {
    std::string vkey;
    for (const auto& [key, op] : writes_) {  // after the range deletes in the batch: they stay
      if (!dropped.empty() && dropped.count(keycodec::decode_table_id(key))) continue;
      vkey = key;
      keycodec::append_version(ts, vkey);
      put_version(batch, vkey, key, op);
    }
    OMEN_SYNC_POINT("TransactionImpl::commit_truncating:BeforeWrite");
    rocksdb::WriteOptions wo;
    wo.sync = true;  // DDL is always synced, as DROP TABLE
    std::vector<std::unique_ptr<BlocksChange>> changes;
    for (uint32_t id : blocks_gone) changes.push_back(std::make_unique<BlocksChange>(state_, *db, id));
    check_status(write_to_rocksdb(*db, wo, batch), "committing");
    for (auto& change : changes) change->done(sealed::make_index({}));
    for (const auto& [id, name] : truncated_) state_.table_reset_ts[id] = ts;
    // As after Store::alter_table: a transaction that wrote the table without the checks or index entries
    // (an older snapshot) fails at COMMIT.
    for (const auto& [id, read_ts] : overlay_.rows_read_at) state_.table_reset_ts[id] = ts;
    for (const auto& [id, name] : tables_) state_.table_commit_ts[id] = ts;
    state_.publish_visible(ts);  // nothing else is in flight
  };
  if (overlay_.empty()) {
    write();
  } else {
    // Rows become visible before the catalog shows the changes: a statement that finds a new table
    // takes its snapshot after, so it reads the rows committed with it.
    store_.catalog().commit_overlay(overlay_, batch, write);
  }
  lock.unlock();
  writes_.clear();
  tables_.clear();
  truncated_.clear();
  savepoints_.clear();
  lock_undo_.clear();
  end();
}

// Garbage collection of versions: for each key, versions newer than the oldest active snapshot stay, and
// so does the newest version at or below it (what that snapshot reads); older versions go.
// In a full compaction every version of a key is in the input, so a tombstone that is the version the
// oldest snapshot reads can go too (with everything older): deleted rows leave nothing behind.
class VersionGcFilter final : public rocksdb::CompactionFilter {
 public:
  VersionGcFilter(const StoreState& state, uint64_t oldest_snapshot, bool full_compaction)
      : state_(state), oldest_(oldest_snapshot), full_(full_compaction) {}
  const char* Name() const override { return "omendb.VersionGc"; }
  bool Filter(int, const rocksdb::Slice& key, const rocksdb::Slice& value, std::string*,
              bool*) const override {
    if (!in_row_domain(key)) return false;
    std::string_view user(key.data(), key.size() - keycodec::kVersionSize);
    if (user != current_) {
      current_.assign(user);
      kept_visible_ = false;
    }
    if (keycodec::decode_version(std::string_view(key.data(), key.size())) > oldest_) return false;
    if (!kept_visible_) {
      kept_visible_ = true;
      // A tombstone of a sealed table may mask a sealed row: it stays until a seal rewrites the blocks.
      return full_ &&
             rowcodec::value_kind(std::string_view(value.data(), value.size())) ==
                 rowcodec::ValueKind::Tombstone &&
             !state_.table_sealed(keycodec::decode_table_id(user));
    }
    return true;
  }

 private:
  const StoreState& state_;
  uint64_t oldest_;
  bool full_;
  mutable std::string current_;  // one filter per (sub)compaction: keys arrive in order, single-threaded
  mutable bool kept_visible_ = false;
};

class VersionGcFactory final : public rocksdb::CompactionFilterFactory {
 public:
  explicit VersionGcFactory(StoreState& state) : state_(state) {}
  const char* Name() const override { return "omendb.VersionGcFactory"; }
  std::unique_ptr<rocksdb::CompactionFilter> CreateCompactionFilter(
      const rocksdb::CompactionFilter::Context& context) override {
    return std::make_unique<VersionGcFilter>(state_, state_.oldest_snapshot(), context.is_full_compaction);
  }

 private:
  StoreState& state_;
};

}  // namespace

// ---------------------------------------------------------------------------------------------------
// Store

uint64_t StoreState::assign_commit_ts(rocksdb::DB* db) {
  uint64_t ts = ++last_assigned_ts;
  if (ts > reserved_ts) {
    uint64_t reserve = ts + kReserveBlock;
    std::string v;
    meta::append_be(reserve, 8, v);
    rocksdb::WriteOptions sync;
    sync.sync = true;
    rocksdb::WriteBatch batch;
    check_status(batch.Put(meta::commit_ts_key(), v), "reserving commit timestamps");
    check_status(write_to_rocksdb(*db, sync, batch), "reserving commit timestamps");
    reserved_ts = reserve;
  }
  return ts;
}

int64_t StoreState::allocate_rowid(rocksdb::DB* db, uint32_t table_id) {
  std::lock_guard lock(rowid_mutex);
  auto it = next_rowid.find(table_id);
  if (it == next_rowid.end()) {
    std::string lower = table_prefix(table_id);
    std::string upper = keycodec::prefix_successor(lower);
    rocksdb::Slice lower_slice(lower), upper_slice(upper);
    rocksdb::ReadOptions ro;
    ro.total_order_seek = true;
    ro.iterate_lower_bound = &lower_slice;
    ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> iter(db->NewIterator(ro));
    iter->SeekToLast();
    int64_t last = 0;
    if (iter->Valid()) {
      rocksdb::Slice k = iter->key();
      size_t pos = keycodec::kTablePrefixSize;
      if (k.size() != keycodec::kTablePrefixSize + 8 + keycodec::kVersionSize ||
          !keycodec::decode_int(std::string_view(k.data(), k.size()), pos, last)) {
        throw SqlError(SqlState::DataCorrupted,
                       "malformed hidden row id key in table id " + std::to_string(table_id));
      }
    }
    check_status(iter->status(), "reading the last row id");
    // Sealed rows count too: the last block's last key holds the largest sealed row id.
    std::string block_lower = meta::block_prefix(table_id);
    std::string block_upper = keycodec::prefix_successor(block_lower);
    rocksdb::Slice bl(block_lower), bu(block_upper);
    ro.iterate_lower_bound = &bl;
    ro.iterate_upper_bound = &bu;
    std::unique_ptr<rocksdb::Iterator> blocks(db->NewIterator(ro));
    blocks->SeekToLast();
    if (blocks->Valid()) {
      rocksdb::Slice v = blocks->value();
      std::string_view last_key, block;
      uint64_t horizon = 0;
      int64_t sealed_last = 0;
      size_t pos = keycodec::kTablePrefixSize;
      if (!sealed::parse_value(std::string_view(v.data(), v.size()), horizon, last_key, block) ||
          !keycodec::decode_int(last_key, pos, sealed_last)) {
        throw SqlError(SqlState::DataCorrupted,
                       "malformed sealed block of table id " + std::to_string(table_id));
      }
      last = std::max(last, sealed_last);
    }
    check_status(blocks->status(), "reading the last row id");
    it = next_rowid.emplace(table_id, std::max<int64_t>(last, 0) + 1).first;
  }
  return it->second++;
}

namespace {

// A table's statistics as stored under meta::table_stats_key: u8 format (1), f64 reltuples, i64 time,
// u32 columns; per column: u32 name length, name, u8 type, f32 null_frac, i32 avg_width, f32 n_distinct,
// u8 has correlation, f32 correlation. Numbers in host byte order (read back by this build's format only).
constexpr uint8_t kTableStatsFormatV1 = 1;

template <typename T>
void put_raw(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}
template <typename T>
bool get_raw(std::string_view& in, T& v) {
  if (in.size() < sizeof v) return false;
  std::memcpy(&v, in.data(), sizeof v);
  in.remove_prefix(sizeof v);
  return true;
}

std::string encode_table_stats(const TableStats& t) {
  std::string out;
  put_raw<uint8_t>(out, kTableStatsFormatV1);
  put_raw(out, t.reltuples);
  put_raw(out, t.analyzed_unix_us);
  put_raw(out, static_cast<uint32_t>(t.columns.size()));
  for (const ColumnStats& c : t.columns) {
    put_raw(out, static_cast<uint32_t>(c.column.size()));
    out += c.column;
    put_raw(out, static_cast<uint8_t>(c.type));
    put_raw(out, c.null_frac);
    put_raw(out, c.avg_width);
    put_raw(out, c.n_distinct);
    put_raw<uint8_t>(out, c.correlation ? 1 : 0);
    put_raw(out, c.correlation.value_or(0.0f));
  }
  return out;
}

// Null when the bytes are not a statistics record this build reads (statistics are advisory: a table
// without them is planned with the defaults, and the next ANALYZE writes them again).
std::shared_ptr<TableStats> decode_table_stats(std::string_view in) {
  auto t = std::make_shared<TableStats>();
  uint8_t format = 0;
  uint32_t n = 0;
  if (!get_raw(in, format) || format != kTableStatsFormatV1 || !get_raw(in, t->reltuples) ||
      !get_raw(in, t->analyzed_unix_us) || !get_raw(in, n))
    return nullptr;
  for (uint32_t i = 0; i < n; ++i) {
    ColumnStats c;
    uint32_t len = 0;
    uint8_t type = 0, has_corr = 0;
    float corr = 0;
    if (!get_raw(in, len) || in.size() < len) return nullptr;
    c.column.assign(in.data(), len);
    in.remove_prefix(len);
    if (!get_raw(in, type) || !get_raw(in, c.null_frac) || !get_raw(in, c.avg_width) ||
        !get_raw(in, c.n_distinct) || !get_raw(in, has_corr) || !get_raw(in, corr))
      return nullptr;
    c.type = static_cast<TypeId>(type);
    if (has_corr) c.correlation = corr;
    t->columns.push_back(std::move(c));
  }
  return in.empty() ? t : nullptr;
}

}  // namespace

std::unique_ptr<Store> Store::open(const StoreOptions& options) {
  std::unique_ptr<Store> store(new Store());
  store->options_ = options;
  store->state_ = std::make_unique<State>();
  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) {
    throw SqlError(SqlState::IoError,
                   "could not create data directory \"" + options.data_dir + "\": " + ec.message());
  }
  rocksdb::Options ro = make_options(options);
  ro.compaction_filter_factory = std::make_shared<VersionGcFactory>(*store->state_);
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(ro, options.data_dir, &db);
  check_status(s, "opening the database in \"" + options.data_dir + "\"");
  store->db_ = db;

  // Continue above every timestamp reserved before (and so above every one used).
  std::string ts;
  s = db->Get(rocksdb::ReadOptions(), meta::commit_ts_key(), &ts);
  if (s.ok()) {
    uint64_t reserved = meta::read_be(ts);
    store->state_->last_assigned_ts = reserved;
    store->state_->reserved_ts = reserved;
    store->state_->visible_ts = reserved;
  } else if (!s.IsNotFound()) {
    check_status(s, "reading the commit timestamp");
  }
  store->state_->clock = options.clock;
  store->state_->opened_visible_ts = store->state_->visible_ts.load();
  store->state_->commit_clock.note(store->state_->now(), store->state_->opened_visible_ts);
  store->catalog_ = std::make_unique<Catalog>(*store);
  store->catalog_->load();
  store->state_->catalog = store->catalog_.get();
  // Per-table metadata keys ("\0\0\0\0" + letter + table id): calls f(table id, value) for each.
  auto for_each_table_meta = [db](const std::string& lower, std::string_view what,
                                  const std::function<void(uint32_t, std::string_view)>& f) {
    const std::string upper = keycodec::prefix_successor(lower);
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions ro;
    ro.total_order_seek = true;
    ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro));
    for (it->Seek(lower); it->Valid(); it->Next()) {
      rocksdb::Slice k = it->key();
      if (k.size() != lower.size() + keycodec::kTablePrefixSize) continue;
      f(keycodec::decode_table_id(std::string_view(k.data() + lower.size(), 4)),
        std::string_view(it->value().data(), it->value().size()));
    }
    check_status(it->status(), what);
  };
  store->state_->db = db;
  store->recover_spills();
  // Tables with sealed blocks (their manifests).
  for_each_table_meta(std::string("\0\0\0\0S", 5), "reading the sealed-data manifests",
                      [&](uint32_t id, std::string_view) { store->state_->note_sealed(id); });
  // ANALYZE's statistics.
  for_each_table_meta(
      meta::table_stats_prefix(), "reading table statistics", [&](uint32_t id, std::string_view v) {
        if (auto stats = decode_table_stats(v))
          store->state_->table_stats[id] = std::move(stats);
        else
          spdlog::warn("statistics of table id {} unreadable: ignored until the next ANALYZE", id);
      });
  // The in-memory block index of every sealed table (nothing writes yet).
  const std::set<uint32_t> sealed_tables = store->state_->sealed_tables;
  for (uint32_t table_id : sealed_tables) {
    try {
      store->publish_block_index(table_id);
    } catch (const SqlError& e) {  // scans of the table read the stored headers, and report the damage
      spdlog::warn("no block index for table id {}: {}", table_id, e.what());
    }
  }
  spdlog::info("storage opened at {} (commit timestamps continue after {})", options.data_dir,
               store->state_->last_assigned_ts);
  return store;
}

// Spilled writes left by the previous run (docs/mvcc.md, "Spilled writes of a large COPY"): those of a
// transaction with a commit record were committed, and move into the tables now (the commit's own move
// may have stopped part way: it writes the same versions again); every other one belongs to a transaction
// that never committed, and goes.
void Store::recover_spills() {
  std::vector<std::pair<uint64_t, uint64_t>> committed;  // txn, commit ts
  check_status(for_each_with_prefix(*db_, meta::spill_commit_prefix(),
                                    [&](std::string_view txn, std::string_view ts) {
                                      if (txn.size() != 8 || ts.size() != 8)
                                        throw SqlError(SqlState::DataCorrupted,
                                                       "malformed commit record of spilled rows");
                                      committed.emplace_back(meta::read_be(txn), meta::read_be(ts));
                                      return true;
                                    }),
               "reading spilled rows");
  for (const auto& [txn, ts] : committed) {
    spdlog::info("storage: finishing the commit {} of spilled rows of transaction {}", ts, txn);
    check_status(
        move_spilled(*db_, txn, ts, options_.spill_move_batch_bytes,
                     [this](uint32_t id) { return !catalog_->find(id) && !catalog_->index_exists(id); }),
        "finishing the commit of spilled rows");
  }
  const std::string spilled = meta::spill_all_prefix();
  bool left = false;
  check_status(
      for_each_with_prefix(*db_, spilled, [&](std::string_view, std::string_view) { return !(left = true); }),
      "reading spilled rows");
  if (!left) return;
  spdlog::info("storage: dropping the spilled rows of transactions that did not commit");
  const std::string upper = keycodec::prefix_successor(spilled);
  rocksdb::WriteBatch batch;
  check_status(batch.DeleteRange(spilled, upper), "dropping spilled rows");
  rocksdb::WriteOptions wo;
  wo.sync = true;
  check_status(write_to_rocksdb(*db_, wo, batch), "dropping spilled rows");
  rocksdb::Slice b(spilled), e(upper);
  check_status(db_->CompactRange(rocksdb::CompactRangeOptions(), &b, &e), "dropping spilled rows");
}

Store::~Store() {
  catalog_.reset();
  if (db_) {
    rocksdb::Status s = db_->Close();
    if (!s.ok()) spdlog::warn("closing RocksDB: {}", s.ToString());
    delete db_;
    db_ = nullptr;
  }
}

std::unique_ptr<ReadView> Store::read_view() {
  return std::make_unique<ReadViewImpl>(db_, *state_, state_->acquire_snapshot(), true, nullptr);
}

std::unique_ptr<Transaction> Store::begin(IsolationLevel isolation) {
  return std::make_unique<TransactionImpl>(*this, *state_, isolation);
}

uint64_t Store::oldest_active_snapshot() const {
  return state_->oldest_snapshot();
}

uint64_t Store::row_lock_waiters() const {
  return state_->locks.waiters();
}

WaitGraph& Store::wait_graph() {
  return state_->wait_graph;
}

uint64_t Store::visible_ts() const {
  return state_->visible_ts.load();
}

std::chrono::steady_clock::time_point Store::now() const {
  return state_->now();
}

uint64_t Store::visible_at(std::chrono::steady_clock::time_point t) const {
  return state_->commit_clock.visible_at(t);
}

uint64_t Store::table_last_commit_ts(uint32_t table_id) const {
  std::lock_guard lock(state_->commit_mutex);
  auto it = state_->table_commit_ts.find(table_id);
  return it == state_->table_commit_ts.end() ? state_->opened_visible_ts : it->second;
}

void CommitClock::note(TimePoint now, uint64_t visible) {
  std::lock_guard lock(mutex_);
  if (!entries_.empty() && visible <= entries_.back().second) return;  // the earlier time is the better one
  const size_t n = entries_.size();
  if (n >= 2 && now - entries_[n - 2].first < std::chrono::seconds(1)) {
    entries_.back() = {now, visible};  // the newest observation always stays exact
    return;
  }
  entries_.emplace_back(now, visible);
  if (entries_.size() <= kMaxEntries) return;
  // Thin out the older half: every other entry goes (the remaining ones are still true observations).
  std::deque<std::pair<TimePoint, uint64_t>> kept;
  const size_t half = entries_.size() / 2;
  for (size_t i = 0; i < entries_.size(); ++i)
    if (i >= half || i % 2 == 0) kept.push_back(entries_[i]);
  entries_.swap(kept);
}

uint64_t CommitClock::visible_at(TimePoint t) const {
  std::lock_guard lock(mutex_);
  auto it =
      std::upper_bound(entries_.begin(), entries_.end(), t,
                       [](TimePoint x, const std::pair<TimePoint, uint64_t>& e) { return x < e.first; });
  return it == entries_.begin() ? 0 : std::prev(it)->second;
}

void Store::compact() {
  rocksdb::CompactRangeOptions o;
  o.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  check_status(db_->CompactRange(o, nullptr, nullptr), "compacting");
}

uint64_t Store::count_versions(std::string_view key) const {
  std::string target(key);
  target.append(keycodec::kVersionSize, '\0');
  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  uint64_t n = 0;
  for (it->Seek(target); it->Valid() && has_user_key(it->key(), key); it->Next()) ++n;
  check_status(it->status(), "counting versions");
  return n;
}

void Store::set_table_stats(uint32_t table_id, TableStats stats) {
  auto shared = std::make_shared<const TableStats>(std::move(stats));
  rocksdb::WriteBatch batch;
  check_status(batch.Put(meta::table_stats_key(table_id), encode_table_stats(*shared)), "storing statistics");
  std::lock_guard lock(state_->table_stats_mutex);  // one writer at a time: memory and disk agree
  check_status(write_to_rocksdb(*db_, rocksdb::WriteOptions(), batch), "storing statistics");
  state_->table_stats[table_id] = std::move(shared);
}

std::shared_ptr<const TableStats> Store::table_stats(uint32_t table_id) const {
  std::lock_guard lock(state_->table_stats_mutex);
  auto it = state_->table_stats.find(table_id);
  return it == state_->table_stats.end() ? nullptr : it->second;
}

uint64_t Store::approximate_row_count(uint32_t table_id) const {
  std::string start = table_prefix(table_id);
  std::string limit = keycodec::prefix_successor(start);
  rocksdb::Range range(start, limit);
  rocksdb::ColumnFamilyHandle* cf = db_->DefaultColumnFamily();

  uint64_t mem_count = 0, mem_bytes = 0;
  db_->GetApproximateMemTableStats(cf, range, &mem_count, &mem_bytes);

  rocksdb::SizeApproximationOptions so;
  so.include_memtables = false;
  so.include_files = true;
  so.files_size_error_margin = 0.1;
  uint64_t file_bytes = 0;
  check_status(db_->GetApproximateSizes(so, cf, &range, 1, &file_bytes), "estimating table size");
  // Sealed rows count too: a table sealed whole has an empty row store but is not small.
  const uint64_t sealed = sealed_info(table_id).rows;
  if (file_bytes == 0) return mem_count + sealed;

  // Average stored bytes per entry, from the properties of the files overlapping the table.
  rocksdb::TablePropertiesCollection props;
  check_status(db_->GetPropertiesOfTablesInRange(cf, &range, 1, &props), "estimating table size");
  uint64_t data_bytes = 0, entries = 0;
  for (const auto& [name, p] : props) {
    data_bytes += p->data_size;
    entries += p->num_entries;
  }
  uint64_t avg = entries ? std::max<uint64_t>(1, data_bytes / entries) : 64;
  return mem_count + file_bytes / avg + sealed;
}

uint64_t Store::approximate_size(uint32_t relation_id) const {
  std::string start = table_prefix(relation_id);
  std::string limit = keycodec::prefix_successor(start);
  rocksdb::Range range(start, limit);
  rocksdb::SizeApproximationOptions so;
  so.include_memtables = true;
  so.include_files = true;
  uint64_t bytes = 0;
  check_status(db_->GetApproximateSizes(so, db_->DefaultColumnFamily(), &range, 1, &bytes),
               "estimating table size");
  return bytes;
}

Store::SealedInfo Store::sealed_info(uint32_t table_id) const {
  std::string v;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), meta::sealed_manifest_key(table_id), &v);
  if (s.IsNotFound()) return {};
  check_status(s, "reading the sealed-data manifest");
  sealed::Manifest m;
  if (!sealed::decode_manifest(v, m))
    throw SqlError(SqlState::DataCorrupted,
                   "malformed sealed-data manifest of table id " + std::to_string(table_id));
  return SealedInfo{m.blocks, m.rows, m.bytes};
}

namespace {

// Accumulates rows for sealed blocks: fixed-width values in byte buffers, text as offsets into an arena
// (turned into StrRefs when a block is written), and each row's storage key. A block is cut from the
// first rows (emit), so a seal can hold back rows to balance the last two blocks of a key range.
class BlockBuilder {
 public:
  BlockBuilder(const TableDef& table, uint64_t block_rows) : table_(table) {
    const size_t n = sealed::block_columns(table);
    types_.resize(n);
    for (size_t i = 0; i < table.columns.size(); ++i)
      types_[i] = table.columns[i].type == TypeId::Unknown ? TypeId::Text : table.columns[i].type;
    if (table.has_hidden_rowid()) types_[n - 1] = TypeId::Int64;
    data_.resize(n);
    nulls_.resize(n);
    size_t row_bytes = 0;
    for (TypeId t : types_) row_bytes += sealed::value_width(t) + 1;
    hard_max_rows_ = std::max<uint64_t>(
        1, std::min<uint64_t>(columnar::kMaxBlockRows,
                              columnar::kMaxBlockDecodedBytes / std::max<size_t>(1, row_bytes)));
    max_rows_ = std::clamp<uint64_t>(block_rows, 1, hard_max_rows_);
  }

  uint64_t rows() const { return keys_.size(); }
  uint64_t max_rows() const { return max_rows_; }            // rows per block (--seal-block-rows)
  uint64_t hard_max_rows() const { return hard_max_rows_; }  // what the block format takes
  const std::string& first_key() const { return keys_.front(); }

  // Row r of a batch (every table column decoded) with its storage key.
  void add(const ColumnBatch& b, uint64_t r, std::string_view key) {
    keys_.emplace_back(key);
    for (size_t c = 0; c < table_.columns.size(); ++c) {
      const ColumnVector& v = b.columns[c];
      const bool null = v.nulls[r] != 0;
      nulls_[c].push_back(null ? 1 : 0);
      const size_t w = sealed::value_width(types_[c]);
      if (physical_type(types_[c]) == PhysType::Text) {  // text, numeric, bytea, uuid: bytes into the arena
        StrRef s = null ? StrRef{nullptr, 0} : static_cast<const StrRef*>(v.data)[r];
        uint64_t off = text_.size();
        text_.append(s.ptr ? s.ptr : "", s.len);
        data_[c].append(reinterpret_cast<const char*>(&off), 8);
        data_[c].append(reinterpret_cast<const char*>(&s.len), 8);
      } else if (null) {
        data_[c].append(w, '\0');
      } else {
        data_[c].append(static_cast<const char*>(v.data) + r * w, w);
      }
    }
    if (table_.has_hidden_rowid()) {
      int64_t rowid = 0;
      size_t pos = keycodec::kTablePrefixSize;
      if (!keycodec::decode_int(key, pos, rowid)) throw_corrupt(table_, "malformed row id key");
      const size_t c = types_.size() - 1;
      nulls_[c].push_back(0);
      data_[c].append(reinterpret_cast<const char*>(&rowid), 8);
    }
  }

  // Encodes the first k rows (1 <= k <= rows()) as a block with its envelope into `out` and describes it
  // in `meta` (but for bytes); the other rows stay.
  void emit(uint64_t k, uint64_t horizon, std::string& out, sealed::BlockMeta& meta) {
    std::vector<columnar::ColumnInput> inputs(types_.size());
    std::vector<std::vector<StrRef>> refs(types_.size());
    for (size_t c = 0; c < types_.size(); ++c) {
      inputs[c].type = types_[c];
      inputs[c].data = data_[c].data();
      inputs[c].nulls = reinterpret_cast<const uint8_t*>(nulls_[c].data());
      if (physical_type(types_[c]) == PhysType::Text) {  // offsets -> pointers into the arena
        refs[c].resize(k);
        for (uint64_t r = 0; r < k; ++r) {
          uint64_t off, len;
          std::memcpy(&off, data_[c].data() + r * 16, 8);
          std::memcpy(&len, data_[c].data() + r * 16 + 8, 8);
          refs[c][r] = StrRef{text_.data() + off, len};
        }
        inputs[c].data = refs[c].data();
      }
    }
    columnar::Status s = columnar::write_block(inputs, k, block_);
    if (!s.is_ok())
      throw SqlError(SqlState::InternalError, "sealing table \"" + table_.name + "\": " + s.message());
    sealed::encode_value(horizon, keys_[k - 1], block_, out);
    meta.first_key = keys_.front();
    meta.last_key = keys_[k - 1];
    meta.rows = k;
    for (size_t c = 0; c < types_.size(); ++c) {
      data_[c].erase(0, k * sealed::value_width(types_[c]));
      nulls_[c].erase(0, k);
    }
    keys_.erase(keys_.begin(), keys_.begin() + static_cast<ptrdiff_t>(k));
    if (keys_.empty()) text_.clear();
  }

 private:
  const TableDef& table_;
  std::vector<TypeId> types_;
  std::vector<std::string> data_;
  std::vector<std::string> nulls_;
  std::vector<std::string> keys_;
  std::string text_;
  std::string block_;
  uint64_t max_rows_ = 0;
  uint64_t hard_max_rows_ = 0;
};

}  // namespace

namespace {

// Row r of a batch as Datums (text points into the batch).
void batch_row(const TableDef& table, const ColumnBatch& b, uint64_t r, std::vector<Datum>& out) {
  out.resize(table.columns.size());
  for (size_t c = 0; c < table.columns.size(); ++c)
    out[c] = batch_datum(table.columns[c].type, b.columns[c], r);
}

// Unique indexes being built (Store::alter_table, Transaction::alter_rows): the values seen so far, for
// duplicates (23505 "could not create unique index"); memory grows with the table.
class UniqueSeen {
 public:
  UniqueSeen(const TableDef& def, size_t indexes, const IndexEvaluator* eval)
      : def_(def), seen_(indexes), eval_(eval) {}
  // Row `row` of `def` gets an entry in `index`, the i-th index built.
  void check(size_t i, const IndexDef& index, const Datum* row) {
    if (!index.unique) return;
    bool has_null = false;
    std::string value = index_entry_prefix(def_, index, row, &has_null, eval_);
    if (value.empty() || (has_null && !index.nulls_not_distinct)) return;
    if (!seen_[i].insert(std::move(value)).second)
      throw unique_violation_error(def_, index, row, true, eval_);
  }

 private:
  const TableDef& def_;
  std::vector<std::set<std::string>> seen_;
  const IndexEvaluator* eval_;
};

// The rows of a table read through its current definition `old` as rows of its new definition `def`
// (ALTER TABLE, CREATE INDEX): columns matched by attribute number; a column `def` adds reads its missing
// value (ADD COLUMN ... DEFAULT); a NULL in a column of work.not_null is 23502. Store::alter_table and
// Transaction::alter_rows read the rows this one way.
class RowsAsAltered {
 public:
  RowsAsAltered(const TableDef& def, TableDefPtr old)
      : def_(def),
        old_(std::move(old)),
        from_(def.columns.size(), -1),
        missing_(def.columns.size()),
        missing_text_(def.columns.size()) {
    for (size_t i = 0; i < def.columns.size(); ++i)
      for (size_t j = 0; j < old_->columns.size(); ++j)
        if (old_->attnum(j) == def.attnum(i)) from_[i] = static_cast<int>(j);
    for (size_t i = 0; i < def.columns.size(); ++i) {
      Datum& m = missing_[i];
      m.is_null = 1;
      const ColumnDef& c = def.columns[i];
      if (from_[i] >= 0 || !c.has_missing) continue;
      if (physical_type(c.type) == PhysType::Text) {
        missing_text_[i] = c.missing;
        m.str = StrRef{missing_text_[i].data(), missing_text_[i].size()};
      } else if (!rowcodec::decode_missing(c.type, c.missing, m)) {
        m = Datum{};  // a short value reads as zero, as before
      }
      m.is_null = 0;
    }
  }

  // fn(row of `def`, storage key) for every row `view` shows; checks work.cancel / work.deadline.
  template <typename Fn>
  void read(const ReadView& view, const Store::AlterWork& work, Fn&& fn) {
    ScanSpec spec;
    spec.table = old_;
    spec.columns.assign(old_->columns.size(), true);
    spec.want_keys = true;
    auto cursor = view.scan(spec);
    std::vector<Datum> old_row, row(def_.columns.size());
    uint64_t rows_read = 0;
    while (const ColumnBatch* b = cursor->next()) {
      for (uint64_t r = 0; r < b->count; ++r) {
        if (++rows_read % 4096 == 0) check_interrupt(work.cancel, work.deadline);
        batch_row(*old_, *b, r, old_row);
        for (size_t i = 0; i < def_.columns.size(); ++i)
          row[i] = from_[i] >= 0 ? old_row[static_cast<size_t>(from_[i])] : missing_[i];
        if (work.convert) work.convert(old_row.data(), row);
        for (int c : work.not_null) {
          if (row[static_cast<size_t>(c)].is_null)
            throw SqlError(SqlState::NotNullViolation,
                           "column \"" + def_.columns[static_cast<size_t>(c)].name + "\" of relation \"" +
                               def_.name + "\" contains null values")
                .with_column("public", def_.name, def_.columns[static_cast<size_t>(c)].name);
        }
        fn(row, std::string_view(b->keys[r].ptr, b->keys[r].len));
      }
    }
  }

 private:
  const TableDef& def_;
  TableDefPtr old_;
  std::vector<int> from_;  // new column -> old column
  std::vector<Datum> missing_;
  std::vector<std::string> missing_text_;
};

}  // namespace

void Store::alter_table(TableDef def, const AlterWork& work) {
  StoreState& st = *state_;
  std::shared_ptr<std::mutex> seal_mutex = st.seal_mutex(def.id);
  std::lock_guard seal_lock(*seal_mutex);  // no seal of the table meanwhile
  TableDefPtr old = catalog_->find(def.id);
  if (!old) throw SqlError(SqlState::UndefinedTable, "relation \"" + def.name + "\" does not exist");
  std::unique_lock lock(st.commit_mutex);
  st.ddl_done.wait(lock, [&] { return st.ddl_pending == 0; });
  ++st.ddl_pending;
  struct Done {
    StoreState& state;
    ~Done() {
      if (--state.ddl_pending == 0) state.ddl_done.notify_all();
    }
  } done{st};
  if (!st.inflight_ts.empty()) st.wait_visible(lock, [&] { return st.inflight_ts.empty(); });

  if (work.validate) {
    ReadViewImpl view(db_, st, st.acquire_snapshot(), true, nullptr);  // (releases its snapshot)
    work.validate(view);
  }
  const bool rewrite = work.rekey || (work.unseal && sealed_info(def.id).blocks > 0);
  // Indexes to (re)build: every index after a rekey (the primary keys they point to change).
  std::vector<IndexDef*> build;
  for (IndexDef& index : def.indexes)
    if (work.rekey ||
        std::find(work.build_indexes.begin(), work.build_indexes.end(), index.id) != work.build_indexes.end())
      build.push_back(&index);
  rocksdb::WriteBatch batch;
  for (uint32_t id : work.drop_indexes) {
    std::string begin = table_prefix(id);
    check_status(batch.DeleteRange(begin, keycodec::prefix_successor(begin)), "altering table");
  }
  uint64_t ts = 0;
  if (rewrite || work.fence || !build.empty()) ts = st.assign_commit_ts(db_);
  for (IndexDef* index : build) {
    index->valid_from_ts = ts;
    std::string begin = table_prefix(index->id);
    check_status(batch.DeleteRange(begin, keycodec::prefix_successor(begin)), "altering table");
  }
  if (rewrite || !work.not_null.empty() || !build.empty()) {
    // Every committed row (nothing is in flight and no commit starts).
    const uint64_t snapshot = st.acquire_snapshot();
    struct Release {
      StoreState& state;
      uint64_t ts;
      ~Release() { state.release_snapshot(ts); }
    } release{st, snapshot};
    ReadViewImpl view(db_, st, snapshot, false, nullptr);
    RowsAsAltered rows(def, old);
    if (rewrite) {
      std::string begin = table_prefix(def.id);
      check_status(batch.DeleteRange(begin, keycodec::prefix_successor(begin)), "altering table");
      std::string blocks = meta::block_prefix(def.id);
      check_status(batch.DeleteRange(blocks, keycodec::prefix_successor(blocks)), "altering table");
      check_status(batch.Delete(meta::sealed_manifest_key(def.id)), "altering table");
    }
    std::set<std::string> keys;  // ADD PRIMARY KEY: the new keys, for duplicates
    UniqueSeen unique(def, build.size(), index_evaluator());
    auto check_unique = [&](size_t i, const Datum* row) { unique.check(i, *build[i], row); };
    int64_t rowid = 0;
    std::string key, value, entry;
    rows.read(view, work, [&](const std::vector<Datum>& row, std::string_view storage_key) {
      {
        if (!rewrite) {
          if (!build.empty()) {
            for (size_t i = 0; i < build.size(); ++i) {
              const IndexDef* index = build[i];
              check_unique(i, row.data());
              entry = index_entry_key(def, *index, row.data(), storage_key, index_evaluator());
              if (entry.empty()) continue;  // left out by a partial index
              keycodec::append_version(ts, entry);
              check_status(batch.Put(entry, index_entry_value(storage_key)), "creating index");
            }
          }
          return;
        }
        if (work.rekey && !def.has_hidden_rowid()) {
          key = table_prefix(def.id);
          for (int k : def.primary_key) {
            const Datum& d = row[static_cast<size_t>(k)];
            if (d.is_null)
              throw SqlError(SqlState::NotNullViolation,
                             "column \"" + def.columns[static_cast<size_t>(k)].name + "\" of relation \"" +
                                 def.name + "\" contains null values")
                  .with_column("public", def.name, def.columns[static_cast<size_t>(k)].name);
            keycodec::append_datum(def.columns[static_cast<size_t>(k)].type, d, key);
          }
          if (!keys.insert(key).second) {
            std::string cols, vals;
            for (size_t i = 0; i < def.primary_key.size(); ++i) {
              const size_t k = static_cast<size_t>(def.primary_key[i]);
              if (i) {
                cols += ", ";
                vals += ", ";
              }
              cols += def.columns[k].name;
              vals += datum_text(def.columns[k].type, row[k]);
            }
            throw SqlError(SqlState::UniqueViolation,
                           "could not create unique index \"" + def.primary_key_name() + "\"")
                .with_detail("Key (" + cols + ")=(" + vals + ") is duplicated.");
          }
        } else if (work.rekey) {  // DROP CONSTRAINT t_pkey: hidden row ids, numbered again from 1
          key = table_prefix(def.id);
          keycodec::append_int(++rowid, key);
        } else {
          key.assign(storage_key);
        }
        rowcodec::encode_row(def, row.data(), value);
        for (size_t i = 0; i < build.size(); ++i) {
          const IndexDef* index = build[i];
          check_unique(i, row.data());
          entry = index_entry_key(def, *index, row.data(), key, index_evaluator());
          if (entry.empty()) continue;
          keycodec::append_version(ts, entry);
          check_status(batch.Put(entry, index_entry_value(key)), "altering table");
        }
        keycodec::append_version(ts, key);
        check_status(batch.Put(key, value), "altering table");
      }
    });
  }
  OMEN_SYNC_POINT("Store::alter_table:BeforeWrite");
  std::optional<BlocksChange> change;  // a rewrite deletes the blocks
  if (rewrite) change.emplace(st, *db_, old->id);
  catalog_->replace_table(std::move(def), batch);  // one synced write with the rows
  if (change) change->done(sealed::make_index({}));
  if (work.rekey) st.forget_table(old->id);  // the hidden row id counter starts again
  if (ts) {
    st.table_reset_ts[old->id] = ts;
    st.publish_visible(ts);  // nothing else is in flight
  }
}

void TransactionImpl::alter_rows(const TableDef& def, const TableDefPtr& old, const Store::AlterWork& work) {
  // The newest committed rows with this transaction's writes (the table is held exclusively).
  ReadViewImpl view(store_.db(), state_, state_.acquire_snapshot(), true, &writes_, &truncated_);
  if (work.validate) work.validate(view);
  std::vector<const IndexDef*> build;
  for (const IndexDef& index : def.indexes)
    if (std::find(work.build_indexes.begin(), work.build_indexes.end(), index.id) != work.build_indexes.end())
      build.push_back(&index);
  if (!work.not_null.empty() || !build.empty()) {
    StatementWriterImpl writer(store_, state_, view, *this);
    const IndexEvaluator* eval = store_.index_evaluator();
    UniqueSeen unique(def, build.size(), eval);
    RowsAsAltered rows(def, old);
    std::string entry;
    rows.read(view, work, [&](const std::vector<Datum>& row, std::string_view key) {
      for (size_t i = 0; i < build.size(); ++i) {
        unique.check(i, *build[i], row.data());
        entry = index_entry_key(def, *build[i], row.data(), key, eval);
        if (!entry.empty()) writer.put_built_entry(std::move(entry), key);  // (empty: a partial index's)
      }
    });
    writer.merge_ops();
  }
  auto [at, fresh] = overlay_.rows_read_at.emplace(def.id, view.snapshot_ts());
  if (!fresh) at->second = std::min(at->second, view.snapshot_ts());
  for (const IndexDef* index : build) overlay_.built_indexes.insert(index->id);
  overlay_.changed = true;
}

bool Store::sealable(const TableDef& table) {
  if (table.is_view()) return false;  // no rows of its own
  for (const ColumnDef& c : table.columns) {
    // Unknown-typed columns are stored as text; interval and array columns have no codec yet
    if (c.type != TypeId::Unknown && columnar::codec_type(c.type) == TypeId::Unknown) return false;
  }
  return true;
}

namespace {

// Reads a table's manifest, with its block index when `with_index`. A version 1 manifest (no index) gets
// one rebuilt from the blocks' envelopes (once: the next seal writes version 2).
sealed::Manifest read_manifest(rocksdb::DB* db, uint32_t table_id, bool with_index) {
  sealed::Manifest m;
  std::string v;
  rocksdb::Status s = db->Get(rocksdb::ReadOptions(), meta::sealed_manifest_key(table_id), &v);
  if (s.IsNotFound()) {
    m.has_index = true;
    return m;
  }
  check_status(s, "reading the sealed-data manifest");
  if (!sealed::decode_manifest(v, m, with_index))
    throw SqlError(SqlState::DataCorrupted,
                   "malformed sealed-data manifest of table id " + std::to_string(table_id));
  if (!with_index || m.has_index) return m;
  const std::string lower = meta::block_prefix(table_id);
  const std::string upper = keycodec::prefix_successor(lower);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro));
  for (it->Seek(lower); it->Valid(); it->Next()) {
    sealed::BlockMeta b;
    const size_t skip = lower.size() - keycodec::kTablePrefixSize;  // "\0\0\0\0B"
    b.first_key.assign(it->key().data() + skip, it->key().size() - skip);
    uint64_t horizon = 0;
    std::string_view last, block;
    columnar::BlockReader reader;
    if (!sealed::parse_value(std::string_view(it->value().data(), it->value().size()), horizon, last,
                             block) ||
        !reader.open(block).is_ok())
      throw SqlError(SqlState::DataCorrupted,
                     "malformed sealed block of table id " + std::to_string(table_id));
    b.last_key.assign(last);
    b.rows = reader.row_count();
    b.bytes = it->value().size();
    m.index.push_back(std::move(b));
  }
  check_status(it->status(), "reading sealed blocks");
  m.has_index = true;
  return m;
}

sealed::BlockIndexPtr read_stored_index(rocksdb::DB* db, uint32_t table_id, const rocksdb::Snapshot* snapshot,
                                        uint64_t* blocks_read) {
  // The manifest and the blocks are written together: the manifest at the same snapshot gives the layout.
  sealed::Manifest m;
  {
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot;
    std::string v;
    rocksdb::Status s = db->Get(ro, meta::sealed_manifest_key(table_id), &v);
    if (!s.IsNotFound()) {
      check_status(s, "reading the sealed-data manifest");
      if (!sealed::decode_manifest(v, m))
        throw SqlError(SqlState::DataCorrupted,
                       "malformed sealed-data manifest of table id " + std::to_string(table_id));
    }
  }
  const std::string lower = meta::block_prefix(table_id);
  const std::string upper = keycodec::prefix_successor(lower);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  ro.total_order_seek = true;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro));
  std::vector<sealed::BlockSummaryPtr> out;
  for (it->Seek(lower); it->Valid(); it->Next()) {
    int64_t bucket = 0;
    std::string_view first;
    sealed::BlockSummaryPtr b;
    if (sealed::parse_block_key(m.part, std::string_view(it->key().data(), it->key().size()), bucket, first))
      b = sealed::summarize(first, std::string_view(it->value().data(), it->value().size()), bucket);
    if (!b)
      throw SqlError(SqlState::DataCorrupted,
                     "malformed sealed block of table id " + std::to_string(table_id));
    out.push_back(std::move(b));
    if (blocks_read) ++*blocks_read;
  }
  check_status(it->status(), "reading sealed blocks");
  return sealed::make_index(std::move(out), m.part);
}

// The smallest RocksDB key above every version of user key `k` (k + eight 0xFF bytes + 0x00). Storage
// keys of one table are prefix-free (key_codec.h), so every user key above k sorts above it too.
std::string after_versions_of(std::string_view k) {
  std::string s(k);
  s.append(keycodec::kVersionSize, '\xff');
  s.push_back('\0');
  return s;
}

}  // namespace

namespace {

// Calls fn(versioned key) for every stored version of `table`'s rows, in key order; `tick` every 4,096
// versions (a seal's interrupt checks).
template <class Fn>
void for_each_version(rocksdb::DB& db, const TableDef& table, const std::function<void()>& tick, Fn&& fn) {
  const std::string lower = table_prefix(table.id);
  const std::string upper = keycodec::prefix_successor(lower);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(ro));
  uint64_t seen = 0;
  for (it->Seek(lower); it->Valid(); it->Next()) {
    if (++seen % 4096 == 0) tick();
    rocksdb::Slice k = it->key();
    if (k.size() < keycodec::kTablePrefixSize + keycodec::kVersionSize) throw_corrupt(table, "short key");
    fn(std::string_view(k.data(), k.size()));
  }
  check_status(it->status(), "sealing table \"" + table.name + "\"");
}

// One durable step of a seal: puts manifest `m` (or deletes it when it lists no block) into `batch`,
// writes the batch atomically and synced, and publishes the block index of the blocks it leaves
// (`summaries`, in m's order) for the snapshots after it (BlocksChange). `check` runs before the write:
// the synced write is the longest unit of work, not started past the deadline.
void write_seal_step(StoreState& st, rocksdb::DB& db, const TableDef& table, rocksdb::WriteBatch& batch,
                     const sealed::Manifest& m, std::vector<sealed::BlockSummaryPtr> summaries,
                     const std::function<void()>& check) {
  if (m.blocks == 0) {
    check_status(batch.Delete(meta::sealed_manifest_key(table.id)), "sealing");
  } else {
    std::string mv;
    sealed::encode_manifest(m, mv);
    check_status(batch.Put(meta::sealed_manifest_key(table.id), mv), "sealing");
  }
  check();
  st.note_sealed(table.id);  // before the blocks exist: full compactions keep this table's tombstones
  OMEN_SYNC_POINT("Store::seal:BeforeWrite");
  rocksdb::WriteOptions wo;
  wo.sync = true;
  BlocksChange change(st, db, table.id);
  check_status(write_to_rocksdb(db, wo, batch), "sealing table \"" + table.name + "\"");
  OMEN_SYNC_POINT("Store::seal:WrittenBeforeIndex");
  change.done(sealed::make_index(std::move(summaries), m.part));
  OMEN_SYNC_POINT("Store::seal:Written");
}

}  // namespace

// Incremental sealing (docs/columnar.md, "Incremental sealing"). In short:
//  1. the horizon H (oldest registered snapshot) is registered for the seal's duration;
//  2. one pass over the table's row store counts, per block of the manifest's index and per gap between
//     blocks, the keys that have versions <= H (versions > H are never touched);
//  3. blocks with at least min_block_changes such keys are rewritten; keys in gaps are always sealed,
//     extending a neighbouring block that is not full; small untouched blocks next to rewritten ones are
//     merged in. The key space between two untouched blocks that holds work is a "range";
//  4. each range is read at H with the ordinary merged scan (its old blocks + the row store) and cut into
//     new blocks; the write deletes the range's old blocks and the row-store versions <= H of the range's
//     keys (point deletes: a concurrent commit's versions are all > H and stay), puts the new blocks and
//     the manifest. Large seals are written in several atomic steps, cut only between old blocks: each
//     step leaves a state in which every key is either sealed at H or as before.
Store::SealResult Store::seal(uint32_t table_id, const SealOptions& options) {
  StoreState& st = *state_;
  std::shared_ptr<std::mutex> seal_mutex = st.seal_mutex(table_id);
  std::lock_guard seal_lock(*seal_mutex);  // one seal of the table at a time; DROP TABLE waits for it
  TableDefPtr table = catalog_->find(table_id);
  if (!table)
    throw SqlError(SqlState::UndefinedTable,
                   "relation with id " + std::to_string(table_id) + " does not exist");
  if (!sealable(*table))
    throw SqlError(SqlState::FeatureNotSupported,
                   "OmenDB does not seal tables with interval or array columns into column blocks yet");

  // Every registered snapshot (and every later one) reads at or above the horizon, so the rows visible at
  // it are what every reader sees of the versions at or below it; every commit at or below it is written
  // (visible_ts), so those versions no longer change. Registering it keeps garbage collection from
  // dropping the version visible at H while the seal reads.
  uint64_t horizon = 0;
  {
    std::lock_guard lock(st.snapshot_mutex);
    horizon = st.active_snapshots.empty() ? st.visible_ts.load() : *st.active_snapshots.begin();
    // The age rule's cap (SealOptions::max_horizon). Below the oldest snapshot it is safe too: a version a
    // garbage collection already dropped at or below it has a newer one above it that every reader sees
    // first (docs/columnar.md, "Sealing by age").
    horizon = std::min(horizon, options.max_horizon);
    st.active_snapshots.insert(horizon);
  }
  struct Release {
    StoreState& st;
    uint64_t ts;
    ~Release() { st.release_snapshot(ts); }
  } release{st, horizon};
  OMEN_SYNC_POINT("Store::seal:Horizon");
  // Cancel and statement_timeout, between units of work: what is in `batch` then is dropped, every step
  // written before is a consistent state.
  auto check_interrupts = [&options] { check_interrupt(options.cancel, options.deadline); };
  constexpr uint64_t kCheckEvery = 4096;  // keys between two checks
  uint64_t keys_seen = 0;
  check_interrupts();

  const sealed::Manifest manifest = read_manifest(db_, table_id, true);
  const std::vector<sealed::BlockMeta>& blocks = manifest.index;
  const size_t n = blocks.size();
  // The blocks' summaries, for the block index each step publishes: from the in-memory index (built if a
  // failed write dropped it), matched with the manifest's index block by block.
  if (!st.latest_block_index(table_id)) publish_block_index(table_id);
  std::vector<sealed::BlockSummaryPtr> old_summaries(n);
  {
    sealed::BlockIndexPtr current = st.latest_block_index(table_id);
    auto matches = [&blocks, n](const sealed::BlockIndexPtr& index) {
      return index && index->blocks.size() == n &&
             std::equal(blocks.begin(), blocks.end(), index->blocks.begin(),
                        [](const sealed::BlockMeta& m, const sealed::BlockSummaryPtr& b) {
                          return m.first_key == b->first_key && m.last_key == b->last_key &&
                                 m.rows == b->rows && m.bytes == b->bytes;
                        });
    };
    const bool same = matches(current);
    if (!same) {  // rebuilt from the stored blocks, which the manifest describes
      publish_block_index(table_id);
      current = st.latest_block_index(table_id);
    }
    if (!matches(current))
      throw SqlError(SqlState::DataCorrupted, "the block index of table \"" + table->name +
                                                  "\" disagrees with its sealed-data manifest");
    std::copy(current->blocks.begin(), current->blocks.end(), old_summaries.begin());
  }
  SealResult result;
  result.horizon_ts = horizon;
  // A time-partitioned table, or one whose layout changes: runs rewritten whole (seal_runs).
  const SealBucket target = table->seal_bucket();
  if (target.on() || manifest.part.on())
    return seal_runs(*table, target, manifest, old_summaries, horizon, options, std::move(result));

  // 2. Keys with versions <= H, counted per block (key inside its range) and per gap (gap g lies between
  // blocks g-1 and g).
  const std::string row_lower = table_prefix(table_id);
  const std::string row_upper = keycodec::prefix_successor(row_lower);
  std::vector<uint64_t> block_keys(n, 0), block_versions(n, 0), gap_keys(n + 1, 0);
  uint64_t newer = 0;
  {
    std::string prev;
    bool have_prev = false;
    size_t b = 0;  // blocks [0, b) start at or before the current key
    for_each_version(*db_, *table, check_interrupts, [&](std::string_view kv) {
      if (keycodec::decode_version(kv) > horizon) {
        ++newer;
        return;
      }
      const std::string_view user = kv.substr(0, kv.size() - keycodec::kVersionSize);
      while (b < n && std::string_view(blocks[b].first_key) <= user) ++b;
      const bool in_block = b > 0 && user <= std::string_view(blocks[b - 1].last_key);
      if (in_block) ++block_versions[b - 1];
      if (have_prev && user == prev) return;
      prev.assign(user);
      have_prev = true;
      ++(in_block ? block_keys[b - 1] : gap_keys[b]);
    });
  }

  // 3. What to rewrite.
  BlockBuilder builder(*table, options_.seal_block_rows);
  const uint64_t max_rows = builder.max_rows();
  const uint64_t slack_rows = std::min(max_rows + max_rows / 2, builder.hard_max_rows());
  std::vector<bool> rw(n, false);
  for (size_t b = 0; b < n; ++b)
    rw[b] = options.rewrite_all || block_keys[b] >= std::max<uint64_t>(1, options.min_block_changes);
  for (size_t g = 0; g <= n; ++g) {  // new keys extend a neighbour that is not full (the tail, in appends)
    if (gap_keys[g] == 0 || (g > 0 && rw[g - 1]) || (g < n && rw[g])) continue;
    if (g > 0 && blocks[g - 1].rows < max_rows) {
      rw[g - 1] = true;
    } else if (g < n && blocks[g].rows < max_rows) {
      rw[g] = true;
    }
  }
  // Small blocks next to work are merged into it, so repeated small seals do not leave fragments.
  auto has_work_next_to = [&](size_t b) {
    return gap_keys[b] > 0 || gap_keys[b + 1] > 0 || (b > 0 && rw[b - 1]) || (b + 1 < n && rw[b + 1]);
  };
  for (size_t b = 0; b < n; ++b)
    if (!rw[b] && blocks[b].rows < max_rows / 2 && has_work_next_to(b)) rw[b] = true;

  // 4. The ranges between untouched blocks that hold work, in key order; writes in atomic steps.
  std::vector<sealed::BlockMeta> out;                  // the new index: untouched and new blocks so far
  std::vector<sealed::BlockSummaryPtr> out_summaries;  // theirs, for the block index
  size_t next_old = 0;  // old blocks [next_old, n) are still in the stored index
  rocksdb::WriteBatch batch;
  std::set<std::string> put_keys;  // block keys put in `batch` (an old block with the same key is replaced)
  bool wrote = false;
  auto write_step = [&] {
    sealed::Manifest m;
    m.horizon = horizon;
    m.has_index = true;
    m.index = out;
    m.index.insert(m.index.end(), blocks.begin() + static_cast<ptrdiff_t>(next_old), blocks.end());
    for (const sealed::BlockMeta& b : m.index) {
      ++m.blocks;
      m.rows += b.rows;
      m.bytes += b.bytes;
    }
    std::vector<sealed::BlockSummaryPtr> summaries = out_summaries;
    summaries.insert(summaries.end(), old_summaries.begin() + static_cast<ptrdiff_t>(next_old),
                     old_summaries.end());
    write_seal_step(st, *db_, *table, batch, m, std::move(summaries), check_interrupts);
    batch.Clear();
    put_keys.clear();
    wrote = true;
  };
  // Deletes the row-store versions <= H of user keys in [lo, hi) (hi empty: to the table's end) and the
  // old blocks of the range that start below hi (none straddles hi).
  auto finish_chunk = [&](const std::string& lo, const std::string& hi, size_t range_end) {
    while (next_old < range_end && (hi.empty() || blocks[next_old].first_key < hi)) {
      std::string k = meta::block_key(blocks[next_old].first_key);
      if (!put_keys.count(k)) check_status(batch.Delete(k), "sealing");
      ++result.blocks_removed;
      ++next_old;
    }
    const std::string& upper = hi.empty() ? row_upper : hi;
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions ro;
    ro.total_order_seek = true;
    ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
    for (it->Seek(lo); it->Valid(); it->Next()) {
      if (++keys_seen % kCheckEvery == 0) check_interrupts();
      rocksdb::Slice k = it->key();
      if (k.size() < keycodec::kTablePrefixSize + keycodec::kVersionSize) throw_corrupt(*table, "short key");
      const std::string_view kv(k.data(), k.size());
      const std::string_view user = kv.substr(0, kv.size() - keycodec::kVersionSize);
      if (user < std::string_view(lo)) continue;
      if (!hi.empty() && user >= std::string_view(hi)) break;
      if (keycodec::decode_version(kv) > horizon) continue;  // committed after H: stays
      check_status(batch.Delete(k), "sealing");
      ++result.versions_sealed;
    }
    check_status(it->status(), "sealing table \"" + table->name + "\"");
  };

  std::string value;
  for (size_t b = 0; b <= n;) {
    size_t s_next = b;  // the untouched block ending this range (n: none)
    while (s_next < n && rw[s_next]) ++s_next;
    bool work = s_next > b;
    for (size_t g = b; g <= s_next && !work; ++g) work = gap_keys[g] > 0;
    if (work) {
      const std::string lo = b > 0 ? after_versions_of(blocks[b - 1].last_key) : row_lower;
      const std::string hi = s_next < n ? blocks[s_next].first_key : std::string();
      ScanSpec spec;
      spec.table = table;
      spec.columns.assign(table->columns.size(), true);
      spec.want_keys = true;
      spec.batch_rows = 4096;
      spec.lower = lo.substr(keycodec::kTablePrefixSize);
      if (!hi.empty()) {
        spec.upper = hi.substr(keycodec::kTablePrefixSize);
        spec.upper_unbounded = false;
      }
      ScanCursorImpl cursor(db_, st, horizon, nullptr, spec);
      std::string chunk_lo = lo;
      uint64_t chunk_rows = 0;
      // Blocks of max_rows rows; up to 1.5 x max_rows are held back, and a range between untouched blocks
      // ends in one block of up to that size: a block that grew a little stays one block (it is split in
      // a full block and a half one only once it reaches 1.5 x), and no small block is left in the middle
      // of the table. The table's tail keeps full blocks and a last one that later appends fill.
      auto flush = [&](uint64_t k) {
        sealed::BlockMeta meta;
        builder.emit(k, horizon, value, meta);
        meta.bytes = value.size();
        std::string key = meta::block_key(meta.first_key);
        check_status(batch.Put(key, value), "sealing");
        put_keys.insert(std::move(key));
        ++result.blocks_written;
        result.rows_written += meta.rows;
        sealed::BlockSummaryPtr summary = sealed::summarize(meta.first_key, value);
        if (!summary) throw SqlError(SqlState::InternalError, "sealing: a new block does not parse");
        out_summaries.push_back(std::move(summary));
        out.push_back(std::move(meta));
      };
      // A step may end before key k when no old block of the range holds keys on both sides of it.
      auto can_cut_before = [&](std::string_view k) {
        for (size_t i = next_old; i < s_next && std::string_view(blocks[i].first_key) < k; ++i)
          if (std::string_view(blocks[i].last_key) >= k) return false;
        return true;
      };
      while (const ColumnBatch* cb = cursor.next()) {
        check_interrupts();  // per batch of rows read (4096)
        for (uint64_t r = 0; r < cb->count; ++r) {
          builder.add(*cb, r, cb->keys[r].view());
          if (builder.rows() < slack_rows) continue;
          flush(max_rows);
          chunk_rows += max_rows;  // the row-store deletes for them come at the end of the step
          if (batch.GetDataSize() + chunk_rows * 48 > options.step_bytes &&
              can_cut_before(builder.first_key())) {
            const std::string cut = builder.first_key();  // every row below it is in `batch`
            finish_chunk(chunk_lo, cut, s_next);
            write_step();
            chunk_lo = cut;
            chunk_rows = 0;
          }
        }
      }
      if (hi.empty()) {
        while (builder.rows() > max_rows) flush(max_rows);
      }
      if (builder.rows() > 0) flush(builder.rows());
      OMEN_SYNC_POINT("Store::seal:BlocksBuilt");
      finish_chunk(chunk_lo, hi, s_next);
    }
    if (s_next < n) {
      out.push_back(blocks[s_next]);
      out_summaries.push_back(old_summaries[s_next]);
      next_old = s_next + 1;
    }
    b = s_next + 1;
  }
  if (batch.Count() > 0) write_step();

  // What is sealed now, and what stays in the row store.
  const std::vector<sealed::BlockMeta>& now = wrote ? out : blocks;
  for (const sealed::BlockMeta& m : now) {
    ++result.blocks;
    result.rows += m.rows;
    result.bytes += m.bytes;
  }
  for (size_t b = 0; b < n; ++b)
    if (!rw[b]) result.versions_deferred += block_versions[b];
  result.versions_kept = newer + result.versions_deferred;
  return result;
}

// Sealing a time-partitioned table (docs/columnar.md, "Time-partitioned blocks"): the seal of Store::seal
// with runs as the unit of rewriting. One pass over the row store counts, per bucket, the keys with
// versions <= H; a run with at least min_block_changes of them (or a bucket without a run yet) is rewritten
// whole: its blocks and its bucket's rows of the row store, read at H with the merged scan restricted to
// the run, are cut into new blocks in key order; the others stay untouched. A change of layout (seal_bucket
// set, changed or reset) rewrites every block. The seal is one atomic write (blocks, point deletes of the
// versions <= H of the rewritten buckets' keys, the manifest), so every crash leaves the state before or
// after it; unlike Store::seal's key ranges, it is not cut into steps.
Store::SealResult Store::seal_runs(const TableDef& table, const SealBucket& target,
                                   const sealed::Manifest& manifest,
                                   const std::vector<sealed::BlockSummaryPtr>& old_summaries,
                                   uint64_t horizon, const SealOptions& options, SealResult result) {
  StoreState& st = *state_;
  const uint32_t table_id = table.id;
  const std::function<void()> check_interrupts = [&options] {
    check_interrupt(options.cancel, options.deadline);
  };
  const std::vector<sealed::BlockMeta>& blocks = manifest.index;
  const bool relayout = !(manifest.part == target);
  const bool all = relayout || options.rewrite_all;
  auto bucket_of = [&](std::string_view user_key) {
    int64_t b = 0;
    if (target.on() && !target.key_bucket(table, user_key, b)) throw_corrupt(table, "malformed key");
    return b;
  };

  // Keys and versions <= H per bucket.
  std::map<int64_t, uint64_t> changed_keys, changed_versions;
  uint64_t newer = 0;
  {
    std::string prev;
    bool have_prev = false;
    for_each_version(*db_, table, check_interrupts, [&](std::string_view kv) {
      if (keycodec::decode_version(kv) > horizon) {
        ++newer;
        return;
      }
      const std::string_view user = kv.substr(0, kv.size() - keycodec::kVersionSize);
      const int64_t b = bucket_of(user);
      ++changed_versions[b];
      if (have_prev && user == prev) return;
      prev.assign(user);
      have_prev = true;
      ++changed_keys[b];
    });
  }

  // The runs to rewrite.
  std::set<int64_t> runs;  // buckets of the old blocks (in the old layout)
  for (const sealed::BlockMeta& b : blocks) runs.insert(b.bucket);
  std::set<int64_t> rewrite;
  for (const auto& [b, keys] : changed_keys)
    if (all || keys >= std::max<uint64_t>(1, options.min_block_changes) || !runs.count(b)) rewrite.insert(b);
  if (all && !relayout) rewrite.insert(runs.begin(), runs.end());
  for (const auto& [b, versions] : changed_versions)
    if (!rewrite.count(b)) result.versions_deferred += versions;
  auto rewritten = [&](int64_t old_bucket) { return relayout || rewrite.count(old_bucket) > 0; };

  rocksdb::WriteBatch batch;
  std::vector<std::pair<sealed::BlockMeta, sealed::BlockSummaryPtr>> now;  // the blocks after the seal
  bool work = relayout ? !blocks.empty() || !changed_keys.empty() : !rewrite.empty();
  if (work) {
    // Old blocks of the rewritten runs go first in the batch: a new block under the same key replaces it.
    for (size_t i = 0; i < blocks.size(); ++i) {
      if (!rewritten(blocks[i].bucket)) {
        now.emplace_back(blocks[i], old_summaries[i]);
        continue;
      }
      check_status(
          batch.Delete(sealed::stored_block_key(manifest.part, blocks[i].bucket, blocks[i].first_key)),
          "sealing");
      ++result.blocks_removed;
    }
    // The rows visible at H of the rewritten runs, in key order, routed to one builder per bucket.
    ScanSpec spec;
    spec.table = catalog_->find(table_id);
    spec.columns.assign(table.columns.size(), true);
    spec.want_keys = true;
    spec.batch_rows = 4096;
    ScanCursorImpl::RunFilter filter{&table, &target, &rewrite};
    ScanCursorImpl cursor(db_, st, horizon, nullptr, spec, false, relayout ? nullptr : &filter);
    std::map<int64_t, BlockBuilder> builders;
    std::string value;
    auto flush = [&](int64_t bucket, BlockBuilder& builder, uint64_t k) {
      sealed::BlockMeta meta;
      builder.emit(k, horizon, value, meta);
      meta.bytes = value.size();
      meta.bucket = bucket;
      check_status(batch.Put(sealed::stored_block_key(target, bucket, meta.first_key), value), "sealing");
      ++result.blocks_written;
      result.rows_written += meta.rows;
      sealed::BlockSummaryPtr summary = sealed::summarize(meta.first_key, value, bucket);
      if (!summary) throw SqlError(SqlState::InternalError, "sealing: a new block does not parse");
      now.emplace_back(std::move(meta), std::move(summary));
    };
    while (const ColumnBatch* cb = cursor.next()) {
      check_interrupts();  // per batch of rows read (4096)
      for (uint64_t r = 0; r < cb->count; ++r) {
        const std::string_view key = cb->keys[r].view();
        const int64_t bucket = bucket_of(key);
        auto it = builders.find(bucket);
        if (it == builders.end()) it = builders.try_emplace(bucket, table, options_.seal_block_rows).first;
        BlockBuilder& builder = it->second;
        builder.add(*cb, r, key);
        const uint64_t max_rows = builder.max_rows();
        if (builder.rows() >= std::min(max_rows + max_rows / 2, builder.hard_max_rows()))
          flush(bucket, builder, max_rows);
      }
    }
    for (auto& [bucket, builder] :
         builders) {  // full blocks, then one of up to 1.5 x (as Store::seal's ranges)
      const uint64_t max_rows = builder.max_rows();
      while (builder.rows() > std::min(max_rows + max_rows / 2, builder.hard_max_rows()))
        flush(bucket, builder, max_rows);
      if (builder.rows() > 0) flush(bucket, builder, builder.rows());
    }
    OMEN_SYNC_POINT("Store::seal:BlocksBuilt");
    // The row-store versions <= H of the rewritten buckets' keys: now in blocks.
    for_each_version(*db_, table, check_interrupts, [&](std::string_view kv) {
      if (keycodec::decode_version(kv) > horizon) return;
      if (!relayout && !rewrite.count(bucket_of(kv.substr(0, kv.size() - keycodec::kVersionSize)))) return;
      check_status(batch.Delete(rocksdb::Slice(kv.data(), kv.size())), "sealing");
      ++result.versions_sealed;
    });
    std::sort(now.begin(), now.end(), [](const auto& a, const auto& b) {
      return a.first.bucket != b.first.bucket ? a.first.bucket < b.first.bucket
                                              : a.first.first_key < b.first.first_key;
    });
    sealed::Manifest m;
    m.horizon = horizon;
    m.has_index = true;
    m.part = target;
    std::vector<sealed::BlockSummaryPtr> summaries;
    for (auto& [meta, summary] : now) {
      ++m.blocks;
      m.rows += meta.rows;
      m.bytes += meta.bytes;
      m.index.push_back(meta);
      summaries.push_back(summary);
    }
    write_seal_step(st, *db_, table, batch, m, std::move(summaries), check_interrupts);
  } else {
    for (size_t i = 0; i < blocks.size(); ++i) now.emplace_back(blocks[i], old_summaries[i]);
  }
  for (const auto& [meta, summary] : now) {
    ++result.blocks;
    result.rows += meta.rows;
    result.bytes += meta.bytes;
  }
  result.versions_kept = newer + result.versions_deferred;
  return result;
}

std::vector<Store::SealedBlock> Store::sealed_blocks(uint32_t table_id) const {
  sealed::BlockIndexPtr index = state_->latest_block_index(table_id);
  if (!index) {  // a block write is under way: its table's blocks as they are now
    rocksdb::ManagedSnapshot snapshot(db_);
    index = state_->block_index(table_id, snapshot.snapshot()->GetSequenceNumber());
    if (!index) index = read_stored_index(db_, table_id, snapshot.snapshot());
  }
  std::vector<SealedBlock> out;
  out.reserve(index->blocks.size());
  for (const sealed::BlockSummaryPtr& b : index->blocks) {
    SealedBlock block;
    block.rows = b->rows;
    block.bytes = b->bytes;
    for (const columnar::BlockColumn& c : b->header.columns) {
      const columnar::Codec* codec = columnar::codec_for(static_cast<uint8_t>(c.codec));
      const bool fixed_width = columnar::codec_type(c.type) != TypeId::Text;
      block.columns.push_back(SealedColumn{codec ? std::string(codec->name()) : std::string("unknown"),
                                           c.length, c.null_count,
                                           fixed_width ? b->rows * columnar::value_size(c.type) : 0});
    }
    out.push_back(std::move(block));
  }
  return out;
}

void Store::publish_block_index(uint32_t table_id) {
  rocksdb::ManagedSnapshot snapshot(db_);
  const uint64_t seq = snapshot.snapshot()->GetSequenceNumber();
  sealed::BlockIndexPtr index = read_stored_index(db_, table_id, snapshot.snapshot());
  // Valid from the snapshot on: the caller keeps every other writer of the table's blocks out.
  state_->begin_blocks_change(table_id, seq);
  state_->end_blocks_change(table_id, std::move(index), seq);
}

namespace {

// Whether two block summaries agree (key range, size, every column's header fields and zone maps).
bool same_summary(const sealed::BlockSummary& a, const sealed::BlockSummary& b) {
  if (a.bucket != b.bucket || a.first_key != b.first_key || a.last_key != b.last_key || a.rows != b.rows ||
      a.bytes != b.bytes || a.header.rows != b.header.rows ||
      a.header.columns.size() != b.header.columns.size())
    return false;
  for (size_t i = 0; i < a.header.columns.size(); ++i) {
    const columnar::BlockColumn& x = a.header.columns[i];
    const columnar::BlockColumn& y = b.header.columns[i];
    if (x.type != y.type || x.codec != y.codec || x.null_count != y.null_count ||
        x.has_min_max != y.has_min_max || x.min_is_prefix != y.min_is_prefix ||
        x.max_is_prefix != y.max_is_prefix || x.has_sum != y.has_sum || x.sum != y.sum ||
        x.offset != y.offset || x.length != y.length)
      return false;
    if (!x.has_min_max) continue;
    if (columnar::codec_type(x.type) == TypeId::Text) {
      if (x.min.str.view() != y.min.str.view() || x.max.str.view() != y.max.str.view()) return false;
    } else if (x.min.i64 != y.min.i64 || x.max.i64 != y.max.i64) {  // integers, and doubles' bits
      return false;
    }
  }
  return true;
}

}  // namespace

std::string Store::check_sealed(uint32_t table_id) const {
  // No seal of the table meanwhile: the manifest, the blocks and the block index are read as of one state.
  std::shared_ptr<std::mutex> seal_mutex = state_->seal_mutex(table_id);
  std::lock_guard seal_lock(*seal_mutex);
  std::string error = check_manifest(table_id);
  if (!error.empty()) return error;
  // The in-memory block index: the same blocks, key ranges and zone maps as stored.
  sealed::BlockIndexPtr index = state_->latest_block_index(table_id);
  sealed::BlockIndexPtr stored_index;
  try {
    stored_index = read_stored_index(db_, table_id, nullptr);
  } catch (const SqlError& e) {
    return e.what();
  }
  const std::vector<sealed::BlockSummaryPtr>& stored = stored_index->blocks;
  if (!index) return stored.empty() ? "" : "no block index for a table with sealed blocks";
  if (!(index->part == stored_index->part)) return "the block index's layout differs from the manifest's";
  if (index->runs.size() != stored_index->runs.size())
    return "the block index's runs differ from the blocks'";
  for (size_t i = 0; i < index->runs.size(); ++i)
    if (index->runs[i].bucket != stored_index->runs[i].bucket ||
        index->runs[i].begin != stored_index->runs[i].begin ||
        index->runs[i].end != stored_index->runs[i].end)
      return "the block index's runs differ from the blocks'";
  if (index->blocks.size() != stored.size())
    return "the block index lists " + std::to_string(index->blocks.size()) + " blocks, " +
           std::to_string(stored.size()) + " are stored";
  uint64_t rows = 0, bytes = 0;
  for (size_t i = 0; i < stored.size(); ++i) {
    if (!same_summary(*index->blocks[i], *stored[i]))
      return "block " + std::to_string(i) + " differs from its entry in the block index";
    rows += stored[i]->rows;
    bytes += stored[i]->bytes;
  }
  if (index->rows != rows || index->bytes != bytes) return "block index totals differ from its blocks";
  return {};
}

std::string Store::check_manifest(uint32_t table_id) const {
  sealed::Manifest m;
  try {
    m = read_manifest(db_, table_id, true);
  } catch (const SqlError& e) {
    return e.what();
  }
  const std::string lower = meta::block_prefix(table_id);
  const std::string upper = keycodec::prefix_successor(lower);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  size_t i = 0;
  uint64_t rows = 0, bytes = 0;
  std::string prev_last;
  int64_t prev_bucket = 0;
  for (it->Seek(lower); it->Valid(); it->Next(), ++i) {
    int64_t bucket = 0;
    std::string_view first_view;
    const std::string where = "block " + std::to_string(i);
    if (!sealed::parse_block_key(m.part, std::string_view(it->key().data(), it->key().size()), bucket,
                                 first_view))
      return where + ": malformed key";
    const std::string first(first_view);
    if (i >= m.index.size()) return where + " is not in the manifest";
    const sealed::BlockMeta& b = m.index[i];
    if (bucket != b.bucket) return where + ": bucket differs from the manifest's";
    uint64_t horizon = 0;
    std::string_view last, block;
    columnar::BlockReader reader;
    if (!sealed::parse_value(std::string_view(it->value().data(), it->value().size()), horizon, last, block))
      return where + ": malformed envelope";
    if (!reader.open(block).is_ok()) return where + ": malformed header";
    if (first != b.first_key || last != b.last_key) return where + ": key range differs from the manifest's";
    if (reader.row_count() != b.rows || it->value().size() != b.bytes)
      return where + ": rows or bytes differ from the manifest's";
    if (first > last || (i > 0 && bucket < prev_bucket) ||
        (i > 0 && bucket == prev_bucket && first <= prev_last))
      return where + ": key ranges overlap or are out of order";
    if (reader.row_count() == 0) return where + ": empty";
    if (m.part.on()) {  // every row in its bucket: the partition column's zone map within the bucket's values
      const size_t c = static_cast<size_t>(m.part.column);
      if (c >= reader.column_count() || !reader.column(c).has_min_max ||
          reader.column(c).min.i64 < m.part.bucket_min(bucket) ||
          reader.column(c).max.i64 > m.part.bucket_max(bucket))
        return where + ": holds rows of another bucket";
    }
    prev_last.assign(last);
    prev_bucket = bucket;
    rows += b.rows;
    bytes += b.bytes;
  }
  if (!it->status().ok()) return it->status().ToString();
  if (i != m.index.size())
    return "the manifest lists " + std::to_string(m.index.size()) + " blocks, " + std::to_string(i) +
           " are stored";
  if (m.blocks != i || m.rows != rows || m.bytes != bytes) return "manifest totals differ from its index";
  return {};
}

void Store::compact_table(uint32_t table_id, const std::atomic<bool>* cancel,
                          std::chrono::steady_clock::time_point deadline) {
  const std::string lower = table_prefix(table_id);
  const std::string upper = keycodec::prefix_successor(lower);
  rocksdb::Slice l(lower), u(upper);
  rocksdb::CompactRangeOptions o;
  const bool interruptible = cancel || deadline != std::chrono::steady_clock::time_point::max();
  if (!interruptible) {
    check_status(db_->CompactRange(o, &l, &u), "compacting");
    return;
  }
  auto interrupted = [&] { return pending_interrupt(cancel, deadline); };
  // CompactRange first flushes the memtable (a seal's writes are there), which `canceled` does not stop:
  // the flush is started here and waited for with the interrupts checked; an interrupted statement
  // leaves it to finish in the background.
  // A flush that fails (a failed fsync: IoErrorPolicy stops writes) stays pending for ever: a new
  // background error ends the wait, and CompactRange below reports it.
  uint64_t errors_before = 0;
  db_->GetIntProperty(rocksdb::DB::Properties::kBackgroundErrors, &errors_before);
  rocksdb::FlushOptions flush;
  flush.wait = false;
  flush.allow_write_stall = true;
  check_status(db_->Flush(flush), "flushing");
  for (;;) {
    uint64_t pending = 0, running = 0, errors = 0;
    db_->GetIntProperty(rocksdb::DB::Properties::kMemTableFlushPending, &pending);
    db_->GetIntProperty(rocksdb::DB::Properties::kNumRunningFlushes, &running);
    db_->GetIntProperty(rocksdb::DB::Properties::kBackgroundErrors, &errors);
    if ((pending == 0 && running == 0) || errors > errors_before) break;
    if (Interrupt why = interrupted(); why != Interrupt::None) throw interrupt_error(why);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // RocksDB stops a manual compaction when `canceled` is set (its output so far is either installed
  // whole or dropped): a watcher turns the statement's cancel flag and deadline into it.
  std::atomic<bool> canceled{false};
  o.canceled = &canceled;
  std::mutex mutex;
  std::condition_variable wake;
  bool finished = false;
  Interrupt reason = Interrupt::None;  // why the watcher cancelled, once it did
  std::thread watcher([&] {
    std::unique_lock lock(mutex);
    while (!finished) {
      reason = interrupted();
      if (reason != Interrupt::None) {
        canceled = true;
        return;
      }
      wake.wait_until(lock,
                      std::min(std::chrono::steady_clock::now() + std::chrono::milliseconds(10), deadline));
    }
  });
  rocksdb::Status s = db_->CompactRange(o, &l, &u);
  {
    std::lock_guard lock(mutex);
    finished = true;
  }
  wake.notify_all();
  watcher.join();
  if (!s.ok() && reason != Interrupt::None) throw interrupt_error(reason);
  check_status(s, "compacting");
}

}  // namespace omendb::storage
