#include "storage/store.h"

#include <rocksdb/cache.h>
#include <rocksdb/compaction_filter.h>
#include <rocksdb/convenience.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/table_properties.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <system_error>
#include <unordered_map>

#include "common/datetime_sql.h"
#include "common/error.h"
#include "common/sync_point.h"
#include "common/value.h"
#include "storage/internal.h"
#include "storage/key_codec.h"
#include "storage/row_codec.h"

namespace omendb::storage {

// ---------------------------------------------------------------------------------------------------
// Errors

void throw_rocksdb_error(const rocksdb::Status& status, std::string_view context) {
  std::string msg = "I/O error while " + std::string(context) + ": " + status.ToString();
  if (status.IsIOError() && status.ToString().find("lock") != std::string::npos) {
    msg += " (the data directory is locked: is another OmenDB server using it?)";
  }
  throw SqlError(SqlState::IoError, std::move(msg));
}

namespace {

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

rocksdb::Options make_options(const StoreOptions& options) {
  rocksdb::Options o;
  o.create_if_missing = options.create_if_missing;
  o.max_background_jobs = 4;
  o.bytes_per_sync = 1 << 20;
  o.write_buffer_size = 64 << 20;
  o.max_write_buffer_number = 3;
  o.level_compaction_dynamic_level_bytes = true;
  o.keep_log_file_num = 5;
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

// PostgreSQL text form of a value for error details.
std::string datum_text(TypeId type, const Datum& d) {
  if (d.is_null) return "null";
  switch (type) {
    case TypeId::Bool:
      return d.i64 ? "t" : "f";
    case TypeId::Int32:
    case TypeId::Int64:
      return std::to_string(d.i64);
    case TypeId::Float64: {
      std::string s;
      append_float8_text(d.f64, s);
      return s;
    }
    case TypeId::Text:
    case TypeId::Unknown:
      return std::string(d.str.view());
    case TypeId::Date:
    case TypeId::Time:
    case TypeId::Timestamp:
    case TypeId::TimestampTz:
    case TypeId::Interval: {
      std::string s;
      dtsql::append_text(type, d, dt::TimeZone::utc(), s);  // no session here: timestamptz in UTC
      return s;
    }
  }
  return {};
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
  return std::move(SqlError(SqlState::UniqueViolation,
                            "duplicate key value violates unique constraint \"" + table.name + "_pkey\"")
                       .with_detail("Key (" + cols + ")=(" + vals + ") already exists."));
}

SqlError duplicate_key_error(const TableDef& table, const Datum* row) {
  std::vector<std::string> vals;
  for (int k : table.primary_key) vals.push_back(datum_text(table.columns[k].type, row[k]));
  return duplicate_key_error(table, vals);
}

size_t utf8_length(StrRef s) {
  size_t n = 0;
  for (uint64_t i = 0; i < s.len; ++i) n += (static_cast<uint8_t>(s.ptr[i]) & 0xC0) != 0x80;
  return n;
}

bool has_user_key(const rocksdb::Slice& versioned, std::string_view user_key) {
  return versioned.size() == user_key.size() + keycodec::kVersionSize &&
         std::memcmp(versioned.data(), user_key.data(), user_key.size()) == 0;
}

// ---------------------------------------------------------------------------------------------------
// Scans

// Reads the newest version of each key with a commit timestamp <= the snapshot, merged in key order
// with the reading transaction's own writes (which win over stored versions).
class ScanCursorImpl final : public ScanCursor {
 public:
  ScanCursorImpl(rocksdb::DB* db, uint64_t snapshot_ts, const WriteSet* writes, const ScanSpec& spec)
      : table_(spec.table),
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
    buffers_.resize(ncols);
    null_buffers_.resize(ncols);
    decode_limit_ = 0;
    for (size_t i = 0; i < ncols; ++i) {
      cols_[i].type = table_->columns[i].type;
      cols_[i].wanted = i < spec.columns.size() && spec.columns[i];
      if (!cols_[i].wanted) continue;
      decode_limit_ = i + 1;
      size_t width = 8;
      switch (physical_type(cols_[i].type)) {
        case PhysType::Bool:
          width = 1;
          break;
        case PhysType::Int32:
          width = 4;
          break;
        case PhysType::Int64:
        case PhysType::Float64:
          width = 8;
          break;
        case PhysType::Interval:
          width = 16;
          break;
        case PhysType::Text:
          width = sizeof(StrRef);
          text_columns_.push_back(i);
          break;
      }
      buffers_[i].reset(new uint64_t[(width * batch_rows_ + 7) / 8]);
      null_buffers_[i].reset(new uint8_t[batch_rows_]);
      vectors_[i].data = buffers_[i].get();
      vectors_[i].nulls = null_buffers_[i].get();
    }
    if (want_keys_) keys_.resize(batch_rows_);
    batch_.count = 0;
    batch_.columns = vectors_.data();
    batch_.keys = want_keys_ ? keys_.data() : nullptr;

    if (writes_) {
      write_it_ = writes_->lower_bound(lower_);
      // An empty or inverted range (WHERE id > 5 AND id < 3) holds none of the transaction's writes.
      write_end_ = upper_ <= lower_ ? write_it_ : writes_->lower_bound(upper_);
    }
    rocksdb::ReadOptions ro;  // visibility comes from commit timestamps, not a RocksDB snapshot
    ro.total_order_seek = true;
    ro.iterate_upper_bound = &upper_slice_;
    ro.adaptive_readahead = true;
    it_.reset(db->NewIterator(ro));
  }

  const ColumnBatch* next() override {
    if (done_) return nullptr;
    if (!started_) {
      it_->Seek(lower_);
      started_ = true;
    }
    arena_.clear();
    uint64_t count = 0;
    while (count < batch_rows_) {
      bool db_valid = settle();
      bool write_valid = writes_ && write_it_ != write_end_;
      if (!db_valid && !write_valid) break;
      std::string_view db_key;
      if (db_valid) db_key = std::string_view(it_->key().data(), it_->key().size() - keycodec::kVersionSize);
      int order = !db_valid ? 1 : !write_valid ? -1 : db_key.compare(write_it_->first);
      std::string_view user_key;
      const uint8_t* value = nullptr;
      size_t value_size = 0;
      bool live = true;
      if (order < 0) {  // stored version only
        user_key = db_key;
        rocksdb::Slice v = it_->value();
        value = reinterpret_cast<const uint8_t*>(v.data());
        value_size = v.size();
      } else {  // this transaction's own write (shadowing any stored version of the key)
        const WriteOp& op = write_it_->second;
        user_key = write_it_->first;
        live = !op.is_delete;
        value = reinterpret_cast<const uint8_t*>(op.value.data());
        value_size = op.value.size();
      }
      if (live && decode_row(value, value_size, count)) {
        if (want_keys_) {
          keys_[count].ptr = reinterpret_cast<const char*>(static_cast<uintptr_t>(arena_.size()));
          keys_[count].len = user_key.size();
          arena_.append(user_key);
        }
        ++count;
      }
      if (order <= 0) {  // the stored key is consumed: skip its older versions
        prev_user_key_.assign(db_key);
        have_prev_ = true;
        it_->Next();
      }
      if (order >= 0) ++write_it_;
    }
    if (count == 0) done_ = true;
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
    return &batch_;
  }

 private:
  struct Col {
    TypeId type = TypeId::Unknown;
    bool wanted = false;
  };

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
    if (p[0] != rowcodec::kKindRow) {
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
      const Col& c = cols_[i];
      ColumnVector& v = vectors_[i];
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
          if (p + 4 > end) throw_corrupt(*table_, "truncated row");
          if (c.wanted) {
            std::memcpy(static_cast<int32_t*>(v.data) + r, p, 4);
            v.nulls[r] = 0;
          }
          p += 4;
          break;
        case PhysType::Int64:
        case PhysType::Float64:
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
    for (size_t i = limit; i < decode_limit_; ++i) {  // columns the stored row predates: NULL
      if (cols_[i].wanted) vectors_[i].nulls[r] = 1;
    }
    return true;
  }

  TableDefPtr table_;
  uint32_t batch_rows_;
  bool want_keys_;
  uint64_t snapshot_ts_;
  const WriteSet* writes_;
  WriteSet::const_iterator write_it_, write_end_;
  std::string lower_, upper_;
  rocksdb::Slice upper_slice_;
  std::vector<Col> cols_;
  size_t decode_limit_ = 0;  // columns to walk in each row: last requested column + 1
  std::vector<size_t> text_columns_;
  std::vector<std::unique_ptr<uint64_t[]>> buffers_;
  std::vector<std::unique_ptr<uint8_t[]>> null_buffers_;
  std::vector<ColumnVector> vectors_;
  std::vector<StrRef> keys_;
  std::string arena_;  // text values and keys of the current batch
  std::string prev_user_key_;
  bool have_prev_ = false;
  bool started_ = false;
  bool done_ = false;
  ColumnBatch batch_{};
  std::unique_ptr<rocksdb::Iterator> it_;  // last: destroyed before the bound it points to
};

// What one statement reads: committed versions at `snapshot_ts` plus its transaction's writes.
class ReadViewImpl final : public ReadView {
 public:
  // `owns_snapshot`: the view registered snapshot_ts itself and releases it when destroyed (otherwise its
  // transaction holds the registration).
  ReadViewImpl(rocksdb::DB* db, StoreState& state, uint64_t snapshot_ts, bool owns_snapshot,
               const WriteSet* writes)
      : db_(db), state_(state), snapshot_ts_(snapshot_ts), owns_snapshot_(owns_snapshot), writes_(writes) {}
  ~ReadViewImpl() override {
    if (owns_snapshot_) state_.release_snapshot(snapshot_ts_);
  }

  std::unique_ptr<ScanCursor> scan(const ScanSpec& spec) const override {
    return std::make_unique<ScanCursorImpl>(db_, snapshot_ts_, writes_, spec);
  }

  bool exists(std::string_view key) const override {
    if (writes_) {
      auto it = writes_->find(key);
      if (it != writes_->end()) return !it->second.is_delete;
    }
    if (ascending_probe(key)) return probe_exists(key);
    std::string target(key);
    target.append(keycodec::kVersionSize, '\0');  // sorts before every version of the key
    rocksdb::ReadOptions ro;
    if (in_row_domain(target)) {
      ro.prefix_same_as_start = true;
    } else {
      ro.total_order_seek = true;
    }
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
    for (it->Seek(target); it->Valid() && has_user_key(it->key(), key); it->Next()) {
      if (keycodec::decode_version(std::string_view(it->key().data(), it->key().size())) > snapshot_ts_)
        continue;
      rocksdb::Slice v = it->value();
      return rowcodec::value_kind(std::string_view(v.data(), v.size())) != rowcodec::ValueKind::Tombstone;
    }
    check_status(it->status(), "looking up a row");
    return false;
  }

  uint64_t snapshot_ts() const { return snapshot_ts_; }

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
    return false;
  }

  static constexpr uint64_t kProbeRefresh = 1 << 18;

  rocksdb::DB* db_;
  StoreState& state_;
  uint64_t snapshot_ts_;
  bool owns_snapshot_;
  const WriteSet* writes_;
  // The forward probe (exists() is const: a view is used by one statement on one thread).
  mutable std::string probe_last_;
  mutable std::string probe_upper_;
  mutable rocksdb::Slice probe_upper_slice_;
  mutable uint64_t probe_uses_ = 0;
  mutable std::unique_ptr<rocksdb::Iterator> probe_;  // last: destroyed before the bound it points to
};

// Newest committed version's timestamp of a storage key (0 if none), counting commits that have a
// timestamp but are still being written. Caller holds commit_mutex.
uint64_t newest_version_ts(StoreState& state, rocksdb::Iterator& it, std::string_view key, bool* live) {
  auto inflight = state.inflight_keys.find(key);
  if (inflight != state.inflight_keys.end()) {
    *live = true;
    return inflight->second;
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

class StatementWriterImpl;

class TransactionImpl final : public Transaction {
 public:
  TransactionImpl(Store& store, StoreState& state, IsolationLevel isolation)
      : store_(store), state_(state), isolation_(isolation), id_(state.next_txn_id.fetch_add(1)) {}
  ~TransactionImpl() override { end(); }

  IsolationLevel isolation() const override { return isolation_; }

  std::unique_ptr<ReadView> statement_view() override {
    if (isolation_ == IsolationLevel::ReadCommitted)
      return std::make_unique<ReadViewImpl>(store_.db(), state_, state_.acquire_snapshot(), true, &writes_);
    if (!snapshot_) snapshot_ = state_.acquire_snapshot();  // taken by the first statement, as in PostgreSQL
    return std::make_unique<ReadViewImpl>(store_.db(), state_, *snapshot_, false, &writes_);
  }

  std::unique_ptr<StatementWriter> writer(const ReadView& view) override;

  void commit() override;

  void rollback() override {
    writes_.clear();
    savepoints_.clear();
    end();
  }

  size_t savepoint() override {
    savepoints_.push_back({writes_, tables_});
    return savepoints_.size() - 1;
  }
  void rollback_to(size_t mark) override {
    if (mark >= savepoints_.size()) return;
    writes_ = savepoints_[mark].writes;
    tables_ = savepoints_[mark].tables;
    savepoints_.resize(mark + 1);
  }
  void release(size_t mark) override {
    if (mark < savepoints_.size()) savepoints_.resize(mark);
  }
  bool has_writes() const override { return !writes_.empty(); }
  void set_synchronous_commit(bool on) override { sync_ = on; }
  void set_lock_wait(const LockWait& wait) override { lock_wait_ = wait; }

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
    auto outcome = state_.locks.lock({id_, lock_wait_.pid}, key, mode, how, lock_wait_, table.name);
    if (outcome == LockManager::Outcome::Busy) return outcome;
    if (it != locked_.end()) {
      it->second = std::max(it->second, mode);
    } else {
      locked_.emplace(std::string(key), mode);
    }
    return outcome;
  }
  bool row_locks() const { return store_.options().row_locks; }
  // Whether an earlier statement of this transaction wrote the key (then it holds the row's lock since).
  bool wrote(std::string_view key) const { return writes_.find(key) != writes_.end(); }

  // A statement's writes join the transaction's.
  void merge(WriteSet& ops, const std::map<uint32_t, std::string>& tables) {
    pin_read_ts(ops);
    if (writes_.empty()) {  // the first writing statement (a COPY): take its set as it is, no copy
      writes_.swap(ops);
      tables_.insert(tables.begin(), tables.end());
      return;
    }
    for (auto& [key, op] : ops) {
      auto it = writes_.find(key);
      if (it == writes_.end()) {
        writes_.emplace(key, std::move(op));
        continue;
      }
      WriteOp& mine = it->second;
      if (mine.must_not_exist) {  // inserted earlier in this transaction: nothing stored under the key
        if (op.is_delete) {
          writes_.erase(it);
        } else {
          mine.value = std::move(op.value);
        }
        continue;
      }
      // Stored under the key before this transaction: keep the earliest read for the conflict check.
      uint64_t read_ts = std::min(mine.read_ts, op.read_ts);
      bool fresh = mine.fresh_rowid;
      mine = std::move(op);
      mine.must_not_exist = false;
      mine.fresh_rowid = fresh;
      mine.read_ts = read_ts;
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
  }

  struct Savepoint {
    WriteSet writes;
    std::map<uint32_t, std::string> tables;
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
  std::vector<Savepoint> savepoints_;
};

class StatementWriterImpl final : public StatementWriter {
 public:
  StatementWriterImpl(Store& store, StoreState& state, const ReadViewImpl& view, TransactionImpl& txn)
      : store_(store), state_(state), view_(&view), txn_(txn) {}

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
    put_new(table, std::move(key), row);
  }

  bool update(const TableDef& table, std::string_view key, const Datum* row) override {
    check_key(table, key);
    std::string new_key;
    if (table.has_hidden_rowid()) {
      new_key = key;
    } else {
      new_key = make_key(table, row);
    }
    const bool same_key = new_key == key;
    if (!lock_existing(table, key, same_key ? RowLockMode::NoKeyUpdate : RowLockMode::Update)) return false;
    validate(table, row);
    note_table(table);
    if (same_key) {
      auto it = ops_.find(key);
      if (it == ops_.end()) it = ops_.emplace(std::string(key), new_op()).first;
      it->second.is_delete = false;
      rowcodec::encode_row(table, row, it->second.value);
      return true;
    }
    remove_locked(key);
    put_new(table, std::move(new_key), row);
    return true;
  }

  bool remove(const TableDef& table, std::string_view key) override {
    check_key(table, key);
    if (!lock_existing(table, key, RowLockMode::Update)) return false;
    note_table(table);
    remove_locked(key);
    return true;
  }

  void set_view(const ReadView& view) override { view_ = &static_cast<const ReadViewImpl&>(view); }

  LockResult lock(const TableDef& table, std::string_view key, RowLockMode mode, LockWaitMode how) override {
    check_key(table, key);
    if (!txn_.row_locks()) return LockResult::Locked;
    if (txn_.lock_row(table, key, mode, how) == LockManager::Outcome::Busy) return LockResult::Skipped;
    return txn_.wrote(key) || unchanged(key) ? LockResult::Locked : LockResult::Changed;
  }

  void apply() override;

 private:
  using Op = WriteOp;

  // Locks a stored row this statement is about to change. False: another transaction changed it
  // after this statement's snapshot (READ COMMITTED: re-check on the newest version).
  bool lock_existing(const TableDef& table, std::string_view key, RowLockMode mode) {
    if (!txn_.row_locks()) return true;
    if (ops_.find(key) != ops_.end()) return true;  // written by this statement: locked already
    txn_.lock_row(table, key, mode, LockWaitMode::Wait);
    return txn_.wrote(key) || unchanged(key);
  }

  // Whether the newest committed version of a row this transaction holds locked is one this statement's
  // snapshot sees. If not: false at READ COMMITTED, 40001 at REPEATABLE READ (PostgreSQL's "could not
  // serialize access due to concurrent update").
  bool unchanged(std::string_view key) {
    // Nothing committed since the snapshot (a bulk UPDATE without concurrent writers): no row can be
    // newer, no lookup needed. A committer releases its locks only once visible, so a newer version of
    // a row locked here is always at or below visible_ts.
    if (state_.visible_ts.load() <= view_->snapshot_ts()) return true;
    bool live = false;
    if (newest_committed(key, &live) <= view_->snapshot_ts()) return true;
    if (txn_.isolation() == IsolationLevel::RepeatableRead)
      throw SqlError(SqlState::SerializationFailure, "could not serialize access due to concurrent update");
    return false;
  }

  // Timestamp of the newest committed version of a row (0: none), for a row this transaction holds
  // locked. A committer releases its locks only once its commit is visible, so every version of a
  // locked row is at or below visible_ts: one iterator serves the whole statement, refreshed only
  // when visible_ts moved since it was made.
  uint64_t newest_committed(std::string_view key, bool* live) {
    rocksdb::DB* db = store_.db();
    uint64_t visible = state_.visible_ts.load();
    if (!latest_) {
      rocksdb::ReadOptions ro;
      ro.prefix_same_as_start = true;
      latest_.reset(db->NewIterator(ro));
      latest_ts_ = visible;
    } else if (visible != latest_ts_) {
      check_status(latest_->Refresh(), "looking up a row");
      latest_ts_ = visible;
    }
    std::string target(key);
    target.append(keycodec::kVersionSize, '\0');
    latest_->Seek(target);
    if (latest_->Valid() && has_user_key(latest_->key(), key)) {
      rocksdb::Slice v = latest_->value();
      *live = rowcodec::value_kind(std::string_view(v.data(), v.size())) == rowcodec::ValueKind::Row;
      return keycodec::decode_version(std::string_view(latest_->key().data(), latest_->key().size()));
    }
    check_status(latest_->status(), "looking up a row");
    *live = false;
    return 0;
  }

  // Buffers the delete of a row (locked).
  void remove_locked(std::string_view key) {
    auto it = ops_.find(key);
    if (it != ops_.end()) {
      if (it->second.must_not_exist) {  // inserted by this statement: nothing stored to delete
        ops_.erase(it);
      } else {
        it->second.is_delete = true;
        it->second.value.clear();
      }
      return;
    }
    Op op = new_op();
    op.is_delete = true;
    ops_.emplace(std::string(key), std::move(op));
  }

  static SqlError not_null_error(const TableDef& table, const ColumnDef& c, const Datum* row) {
    std::string failing = "Failing row contains (";
    for (size_t i = 0; i < table.columns.size(); ++i) {
      if (i) failing += ", ";
      failing += datum_text(table.columns[i].type, row[i]);
    }
    failing += ").";
    return std::move(SqlError(SqlState::NotNullViolation, "null value in column \"" + c.name +
                                                              "\" of relation \"" + table.name +
                                                              "\" violates not-null constraint")
                         .with_detail(std::move(failing)));
  }

  static void validate(const TableDef& table, const Datum* row) {
    const size_t n = table.columns.size();
    for (size_t i = 0; i < n; ++i) {
      const ColumnDef& c = table.columns[i];
      if (c.max_length >= 0 && !row[i].is_null && (c.type == TypeId::Text || c.type == TypeId::Unknown) &&
          row[i].str.len > static_cast<uint64_t>(c.max_length) &&
          utf8_length(row[i].str) > static_cast<size_t>(c.max_length)) {
        throw SqlError(SqlState::StringDataRightTruncation,
                       "value too long for type character varying(" + std::to_string(c.max_length) + ")");
      }
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

  // Buffers a put of a row under a key that must not hold a row (insert, or the new key of an update).
  void put_new(const TableDef& table, std::string key, const Datum* row) {
    if (table.has_hidden_rowid()) {
      Op op = new_op();
      op.must_not_exist = true;
      op.fresh_rowid = true;
      rowcodec::encode_row(table, row, op.value);
      ops_.emplace(std::move(key), std::move(op));
      return;
    }
    auto it = ops_.find(key);
    if (it != ops_.end()) {
      if (!it->second.is_delete) throw duplicate_key_error(table, row);
      it->second.is_delete = false;  // re-insert of a row deleted earlier in this statement
      rowcodec::encode_row(table, row, it->second.value);
      return;
    }
    // Wait for a transaction that holds the key (its uncommitted insert or delete), then check the newest
    // committed version, not the snapshot, as PostgreSQL's unique check does: a row committed meanwhile
    // is a duplicate (23505), one deleted meanwhile is not.
    uint64_t read_ts = view_->snapshot_ts();
    if (txn_.row_locks()) txn_.lock_row(table, key, RowLockMode::Update, LockWaitMode::Wait);
    if (!txn_.row_locks() || txn_.wrote(key)) {
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
    rowcodec::encode_row(table, row, op.value);
    ops_.emplace(std::move(key), std::move(op));
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
  std::unique_ptr<rocksdb::Iterator> latest_;  // newest_committed()
  uint64_t latest_ts_ = 0;                     // visible_ts when latest_ was made or refreshed
  WriteSet ops_;
  std::map<uint32_t, std::string> tables_;  // tables written, for the dropped-meanwhile check
  uint32_t last_table_id_ = 0;
};

std::unique_ptr<StatementWriter> TransactionImpl::writer(const ReadView& view) {
  return std::make_unique<StatementWriterImpl>(store_, state_, static_cast<const ReadViewImpl&>(view), *this);
}

void StatementWriterImpl::apply() {
  txn_.merge(ops_, tables_);
  ops_.clear();
  tables_.clear();
}

// First committer wins: under commit_mutex, every written key is checked against the newest committed
// (or committing) version; then the transaction gets its timestamp and its batch is written outside the
// lock, so that concurrent commits share WAL fsyncs. New snapshots see the commit once every commit with
// a smaller timestamp is written too.
void TransactionImpl::commit() {
  if (writes_.empty()) {
    end();
    return;
  }
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
    rocksdb::ReadOptions ro;
    ro.prefix_same_as_start = true;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro));
    for (const auto& [key, op] : writes_) {
      if (op.fresh_rowid) continue;
      bool live = false;
      uint64_t newest = newest_version_ts(state_, *it, key, &live);
      if (newest > op.read_ts) {
        // Let the winner become visible first, so that a retry at once reads its version instead of
        // conflicting with it again.
        state_.visible_advanced.wait(lock, [&] { return state_.visible_ts.load() >= newest; });
        throw SqlError(SqlState::SerializationFailure, "could not serialize access due to concurrent update")
            .with_hint("Retry the transaction.");
      }
    }
    ts = ++state_.last_assigned_ts;
    if (ts > state_.reserved_ts) {
      uint64_t reserve = ts + StoreState::kReserveBlock;
      std::string v;
      meta::append_be(reserve, 8, v);
      rocksdb::WriteOptions sync;
      sync.sync = true;
      check_status(db->Put(sync, meta::commit_ts_key(), v), "reserving commit timestamps");
      state_.reserved_ts = reserve;
    }
    std::string vkey;
    for (const auto& [key, op] : writes_) {
      vkey = key;
      keycodec::append_version(ts, vkey);
      if (op.is_delete) {
        check_status(batch.Put(vkey, std::string(1, static_cast<char>(rowcodec::kKindTombstone))),
                     "committing");
      } else {
        check_status(batch.Put(vkey, op.value), "committing");
      }
      state_.inflight_keys[key] = ts;
    }
    state_.inflight_ts.insert(ts);
  }
  OMEN_SYNC_POINT_CALLBACK("TransactionImpl::commit:BeforeWrite", this);
  rocksdb::WriteOptions wo;
  wo.sync = sync_;
  rocksdb::Status status = db->Write(wo, &batch);
  {
    std::unique_lock lock(state_.commit_mutex);
    for (const auto& [key, op] : writes_) {
      auto it = state_.inflight_keys.find(key);
      if (it != state_.inflight_keys.end() && it->second == ts) state_.inflight_keys.erase(it);
    }
    state_.inflight_ts.erase(ts);
    if (state_.inflight_ts.empty() && state_.ddl_pending > 0) state_.visible_advanced.notify_all();
    uint64_t visible = state_.inflight_ts.empty() ? state_.last_assigned_ts : *state_.inflight_ts.begin() - 1;
    if (visible > state_.visible_ts.load()) {
      state_.visible_ts.store(visible);
      state_.visible_advanced.notify_all();
    }
    // Earlier commits still writing hold visible_ts below ts: wait for them (they are in the same
    // WAL write group or the one before, so this is short).
    if (status.ok()) state_.visible_advanced.wait(lock, [&] { return state_.visible_ts.load() >= ts; });
  }
  check_status(status, "committing");
  writes_.clear();
  tables_.clear();
  savepoints_.clear();
  end();
}

// Garbage collection of versions: for each key, versions newer than the oldest active snapshot stay, and
// so does the newest version at or below it (what that snapshot reads); older versions go.
// In a full compaction every version of a key is in the input, so a tombstone that is the version the
// oldest snapshot reads can go too (with everything older): deleted rows leave nothing behind.
class VersionGcFilter final : public rocksdb::CompactionFilter {
 public:
  VersionGcFilter(uint64_t oldest_snapshot, bool full_compaction)
      : oldest_(oldest_snapshot), full_(full_compaction) {}
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
      return full_ && rowcodec::value_kind(std::string_view(value.data(), value.size())) ==
                          rowcodec::ValueKind::Tombstone;
    }
    return true;
  }

 private:
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
    return std::make_unique<VersionGcFilter>(state_.oldest_snapshot(), context.is_full_compaction);
  }

 private:
  StoreState& state_;
};

}  // namespace

// ---------------------------------------------------------------------------------------------------
// Store

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
    it = next_rowid.emplace(table_id, std::max<int64_t>(last, 0) + 1).first;
  }
  return it->second++;
}

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
  store->catalog_ = std::make_unique<Catalog>(*store);
  store->catalog_->load();
  spdlog::info("storage opened at {} (commit timestamps continue after {})", options.data_dir,
               store->state_->last_assigned_ts);
  return store;
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

uint64_t Store::visible_ts() const {
  return state_->visible_ts.load();
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
  if (file_bytes == 0) return mem_count;

  // Average stored bytes per entry, from the properties of the files overlapping the table.
  rocksdb::TablePropertiesCollection props;
  check_status(db_->GetPropertiesOfTablesInRange(cf, &range, 1, &props), "estimating table size");
  uint64_t data_bytes = 0, entries = 0;
  for (const auto& [name, p] : props) {
    data_bytes += p->data_size;
    entries += p->num_entries;
  }
  uint64_t avg = entries ? std::max<uint64_t>(1, data_bytes / entries) : 64;
  return mem_count + file_bytes / avg;
}

}  // namespace omendb::storage
