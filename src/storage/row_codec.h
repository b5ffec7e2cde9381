// Storage-internal: the value format of a row stored in RocksDB.
//
// Every stored value starts with a one-byte header, the value kind:
//   0x01  live row       followed by a format-version byte and the row payload
//   0x02  tombstone      no further bytes: the version written by a DELETE; readers treat the key as
//                        absent at snapshots that see this version. (An UPDATE that changed the primary
//                        key appends the row's new storage key: see encode_tombstone.)
//   0x03  new live row   as 0x01 (same format-version byte and payload), written by an INSERT of a key
//                        whose previous row the same transaction deleted (DELETE then INSERT of one key):
//                        the version is a new row, not the next version of the one it replaces
//                        (PostgreSQL's new tuple, with no update chain to the deleted one), so a READ
//                        COMMITTED writer that waited for the deleted row skips it (docs/mvcc.md). Readers
//                        treat it as 0x01. Data written before this kind existed has none of it.
// Unknown kinds and unknown format versions are reported as corruption (XX001), so a later format can
// be added under a new version byte and readers dispatch on it.
//
// Row payload, format version 1 (kRowFormatV1):
//   varint  n            number of slots stored (LEB128): slot j holds the column with attribute number
//                        j + 1 (TableDef::attnum); a dropped column's slot keeps its bytes in old rows
//                        and is NULL in new ones. Columns beyond n (added by ALTER TABLE ADD COLUMN
//                        after the row was written) read as their ColumnDef::missing value or NULL.
//   bitmap  ceil(n/8)    bit i (LSB first within byte i/8) set = column i is NULL
//   then, for every non-NULL column in table order:
//     Bool     1 byte 0/1
//     Int16    2 bytes little-endian two's complement
//     Int32    4 bytes little-endian two's complement
//     Float32  4 bytes little-endian IEEE-754 single bits
//     Int64    8 bytes little-endian two's complement
//     Float64  8 bytes little-endian IEEE-754 bits
//     Text     varint byte length, then the bytes (UTF-8, may contain 0x00)
// Primary key columns are stored in the value too (the key is only used for ordering and lookups), so
// decoding a row never needs its key.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/datum.h"
#include "common/value.h"
#include "storage/catalog.h"

namespace omendb::storage::rowcodec {

constexpr uint8_t kKindRow = 0x01;
constexpr uint8_t kKindTombstone = 0x02;
constexpr uint8_t kKindNewRow = 0x03;
constexpr uint8_t kRowFormatV1 = 0x01;

enum class ValueKind { Row, Tombstone, Invalid };

inline ValueKind value_kind(std::string_view value) {
  if (value.empty()) return ValueKind::Invalid;
  uint8_t k = static_cast<uint8_t>(value[0]);
  if (k == kKindTombstone) return ValueKind::Tombstone;
  if ((k == kKindRow || k == kKindNewRow) && value.size() >= 2) return ValueKind::Row;
  return ValueKind::Invalid;
}

// Whether a stored value is a live row that begins a new row rather than updating the key's previous
// one (kind 0x03).
inline bool is_new_row(std::string_view value) {
  return value.size() >= 2 && static_cast<uint8_t>(value[0]) == kKindNewRow;
}
// `row` (an encoded live row) as the value of a new row (kind 0x03).
inline std::string as_new_row(std::string_view row) {
  std::string out(row);
  if (!out.empty()) out[0] = static_cast<char>(kKindNewRow);
  return out;
}

inline void append_varint(uint64_t v, std::string& out) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

// Reads a varint at p (< end); returns the position after it, or nullptr if malformed.
inline const uint8_t* read_varint(const uint8_t* p, const uint8_t* end, uint64_t& v) {
  uint64_t r = 0;
  for (int shift = 0; shift < 64 && p < end; shift += 7) {
    uint8_t b = *p++;
    r |= uint64_t{b & 0x7Fu} << shift;
    if (!(b & 0x80)) {
      v = r;
      return p;
    }
  }
  return nullptr;
}

// Encodes a row (values in table column order) as a live row value, replacing `out`.
void encode_row(const TableDef& table, const Datum* row, std::string& out);

// The value of one column as ColumnDef::missing holds it: fixed-width types as a row stores them, text
// as its bytes (no length).
void encode_missing(TypeId type, const Datum& d, std::string& out);
// The value encode_missing wrote for a fixed-width (not Text) type, as a Datum (a smallint's two bytes, a
// real's four ...); false when `missing` is too short.
bool decode_missing(TypeId type, std::string_view missing, Datum& out);

// Appends a tombstone value to `out`: a deleted row's version. `moved_to`: when an UPDATE changed the
// row's primary key, the storage key it moved to (PostgreSQL's update chain: a READ COMMITTED writer that
// waited for the row follows it there); empty for a DELETE.
void encode_tombstone(std::string& out, std::string_view moved_to = {});
// The storage key a tombstone names as its row's new key (empty: a plain delete, or not a tombstone).
inline std::string_view tombstone_moved_to(std::string_view value) {
  if (value.size() <= 1 || static_cast<uint8_t>(value[0]) != kKindTombstone) return {};
  return value.substr(1);
}

// Slow-path decode of a live row into owned values (tests, error messages). Returns false if malformed
// or not a live row.
bool decode_row(const TableDef& table, std::string_view value, std::vector<Value>& out);

}  // namespace omendb::storage::rowcodec
