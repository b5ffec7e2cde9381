// Storage-internal helpers shared by store.cpp and catalog.cpp. Not part of the public interface: this
// header includes RocksDB.
//
// Key spaces in the single (default) column family:
//   [00 00 00 00] 'C' [table id: 4 bytes BE]   catalog: one serialized TableDef per table
//   [00 00 00 00] 'N'                          catalog: next table id to assign (4 bytes BE)
//   [00 00 00 00] 'T'                          highest commit timestamp written (8 bytes BE)
//   [table id >= 1: 4 bytes BE] ...            table rows (see key_codec.h, row_codec.h)
// Table id 0 is reserved for this metadata and is never assigned to a table.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/status.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "storage/key_codec.h"
#include "storage/store.h"

namespace omendb::storage {

// The one place RocksDB failures become SQL errors (58030 io_error).
[[noreturn]] void throw_rocksdb_error(const rocksdb::Status& status, std::string_view context);
inline void check_status(const rocksdb::Status& status, std::string_view context) {
  if (!status.ok()) throw_rocksdb_error(status, context);
}

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
inline std::string commit_ts_key() {
  return std::string("\0\0\0\0T", 5);
}

inline void append_be(uint64_t v, int bytes, std::string& out) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
inline uint64_t read_be(std::string_view s) {
  uint64_t v = 0;
  for (char c : s) v = (v << 8) | static_cast<uint8_t>(c);
  return v;
}
}  // namespace meta

// Store's shared mutable state. Store::State (private in store.h) derives from it so that storage-internal
// classes can name it.
struct StoreState {
  // Highest commit timestamp handed out (persisted with every commit batch).
  std::atomic<uint64_t> last_commit_ts{0};
  // Serializes commits (timestamp assignment + write) and DROP TABLE, so commit timestamps become
  // visible in order and the persisted timestamp never goes backwards. Lock order: commit_mutex before
  // Catalog::mutex_.
  std::mutex commit_mutex;
  // Hidden row id counters: next id per table, initialized lazily from the table's last key.
  std::mutex rowid_mutex;
  std::unordered_map<uint32_t, int64_t> next_rowid;

  int64_t allocate_rowid(rocksdb::DB* db, uint32_t table_id);
  void forget_table(uint32_t table_id) {
    std::lock_guard lock(rowid_mutex);
    next_rowid.erase(table_id);
  }
};

struct Store::State : StoreState {};

}  // namespace omendb::storage
