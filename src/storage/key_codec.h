// Order-preserving ("memcomparable") key encoding: comparing encoded keys bytewise gives the same
// order as comparing the SQL values, so primary-key ranges become RocksDB key ranges.
//
// A stored key is   [table id: 4 bytes big-endian] [primary key columns...] [version: 8 bytes]
// Each primary key column is encoded as:
//   Bool            1 byte 0x00/0x01
//   Int32, Int64    8 bytes big-endian with the sign bit flipped (both widths encode alike, so a
//                   bigint bound works against an integer column)
//   Float64, Float32 8 bytes (a real: its double): IEEE bits, sign bit flipped for positives, all bits
//                   flipped for negatives
//                   (-0.0 is normalized to +0.0; NaN sorts above +Infinity, as in PostgreSQL)
//   Text            bytes with 0x00 escaped as 0x00 0xFF, terminated by 0x00 0x01
//   BpChar          its bytes without trailing spaces (bpchar_significant), as Text
//   Numeric         num::append_key (common/numeric.h): a class byte (-Infinity, negative, zero,
//                   positive, Infinity, NaN), then for non-zero finite values the base-10000 weight and
//                   digits (+1), ended by 0x0000, all inverted for negatives. Equal values with different
//                   display scales (1.0, 1.00) encode alike; the row keeps the value itself.
// A hidden row id is encoded as Int64. The version suffix is the bitwise NOT of the commit timestamp,
// big-endian, so that the newest version of a key sorts first.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/datum.h"
#include "common/types.h"

namespace omendb::storage::keycodec {

constexpr size_t kTablePrefixSize = 4;
constexpr size_t kVersionSize = 8;

void append_table_prefix(uint32_t table_id, std::string& out);
void append_bool(bool v, std::string& out);
void append_int(int64_t v, std::string& out);
void append_double(double v, std::string& out);
void append_text(std::string_view v, std::string& out);
// Appends `d` encoded as `type` (d must not be NULL: key columns are NOT NULL).
void append_datum(TypeId type, const Datum& d, std::string& out);
void append_version(uint64_t commit_ts, std::string& out);

// Secondary index entries (catalog.h, IndexDef): each indexed value is a marker byte, then for a
// non-NULL value its encoding above. NULL sorts after every value (PostgreSQL's ASC NULLS LAST).
constexpr char kIndexValue = 0x01;
constexpr char kIndexNull = 0x02;
void append_index_datum(TypeId type, const Datum& d, std::string& out);

// Decoders: read one value at `pos`, advance `pos`. Return false on malformed input.
bool decode_bool(std::string_view key, size_t& pos, bool& v);
bool decode_int(std::string_view key, size_t& pos, int64_t& v);
bool decode_double(std::string_view key, size_t& pos, double& v);
bool decode_text(std::string_view key, size_t& pos, std::string& v);
uint32_t decode_table_id(std::string_view key);
uint64_t decode_version(std::string_view versioned_key);  // reads the last 8 bytes

// The smallest key greater than every key that starts with `prefix` ("" if there is none).
std::string prefix_successor(std::string_view prefix);

}  // namespace omendb::storage::keycodec
