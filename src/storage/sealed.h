// Storage-internal: sealed column blocks as RocksDB stores them, and one block loaded for a scan.
// (docs/columnar.md, "Sealed data in the store".)
//
// A sealed block lives under meta::block_key(first row's storage key). Its value:
//   u8 envelope version (1)
//   varint horizon     the seal's horizon timestamp: the rows are those visible at it
//   varint length + bytes   the storage key of the block's last row
//   the column block (columnar/block.h): the table's columns in table order, then, for a table without a
//   primary key, its hidden row id as one more Int64 column
// A table's manifest (meta::sealed_manifest_key) holds u8 version (2), varint horizon, blocks, rows,
// bytes (what sealed_info() and the row estimate read without touching the blocks), then the block index:
// per block, in key order, varint length + first row's storage key, varint length + last row's storage
// key, varint rows, varint bytes (of the stored value). An incremental seal reads the index instead of
// the blocks to find which blocks changed rows touch. Version 1 (the first sealing code) had no index:
// the seal rebuilds it from the blocks' envelopes once.
//
// A time-partitioned table (storage parameter seal_bucket, catalog.h SealBucket) has one run of blocks per
// bucket of its partition column; runs overlap in key space, a key lives in the run of its own bucket. Its
// blocks live under meta::block_prefix(table) + u64 bucket (sign bit flipped, big-endian) + first row's
// storage key (stored_block_key), and its manifest is version 3: version 2's fields, then varint key
// position, varint column, varint width of the partition column, and per block its bucket (varint of the
// int64's bits) before version 2's fields, blocks ordered by (bucket, first key). A table without
// seal_bucket keeps version 2 and today's keys: one run.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage/catalog.h"
#include "storage/column_batch.h"
#include "storage/columnar/block.h"

namespace omendb::storage::sealed {

constexpr uint8_t kEnvelopeVersion = 1;

// Bytes per value of a column type in a ColumnVector (Text: a StrRef), from its physical type.
size_t value_width(TypeId type);

// Builds a block value (envelope + block) into `out`.
void encode_value(uint64_t horizon, std::string_view last_key, std::string_view block, std::string& out);

// Splits a block value into its envelope fields and the column block. False when malformed.
bool parse_value(std::string_view value, uint64_t& horizon, std::string_view& last_key,
                 std::string_view& block);
inline bool block_bytes(std::string_view value, std::string_view& block) {
  uint64_t horizon;
  std::string_view last_key;
  return parse_value(value, horizon, last_key, block);
}

constexpr uint8_t kManifestVersion = 2;
constexpr uint8_t kPartitionedManifestVersion = 3;

// The RocksDB key of a block of table `table_id` in run `bucket` (the bucket is left out when the table
// is not partitioned) whose first row has storage key `first_key`.
std::string stored_block_key(const SealBucket& part, int64_t bucket, std::string_view first_key);
// The inverse: splits a stored block key of a table with layout `part` into bucket and first storage key.
bool parse_block_key(const SealBucket& part, std::string_view key, int64_t& bucket, std::string_view& first);

// One block in the manifest's index.
struct BlockMeta {
  int64_t bucket = 0;               // its run (0 when the table is not partitioned)
  std::string first_key, last_key;  // storage keys (table prefix + primary key) of its first and last rows
  uint64_t rows = 0;
  uint64_t bytes = 0;  // of the stored value (envelope + block)
};

struct Manifest {
  uint64_t horizon = 0;  // of the latest seal (blocks keep their own in the envelope)
  uint64_t blocks = 0;
  uint64_t rows = 0;
  uint64_t bytes = 0;
  bool has_index = false;        // false: a version 1 manifest, `index` is empty
  SealBucket part;               // the layout the blocks were sealed in (off: version 1 or 2)
  std::vector<BlockMeta> index;  // ordered by (bucket, first key)
};
// Encodes m's totals and m.index (m.blocks/rows/bytes must agree with it).
void encode_manifest(const Manifest& m, std::string& out);
// Decodes a manifest of version 1, 2 or 3; the index only when `with_index` (totals are all sealed_info
// needs). False when malformed.
bool decode_manifest(std::string_view value, Manifest& m, bool with_index = false);

// One sealed block as the in-memory block index holds it: what a scan needs to decide whether to read the
// block (key range, zone maps) without touching its stored bytes.
struct BlockSummary {
  int64_t bucket = 0;               // its run (0 when the table is not partitioned)
  std::string first_key, last_key;  // storage keys of its first and last rows
  uint64_t rows = 0;
  uint64_t bytes = 0;  // of the stored value (envelope + block)
  columnar::BlockHeader header;

  bool may_contain(size_t col, const Datum* lo, const Datum* hi) const {
    return header.may_contain(col, lo, hi);
  }
};
using BlockSummaryPtr = std::shared_ptr<const BlockSummary>;

// Parses a stored block value (envelope + block) under storage key `first_key` into a summary; nullptr
// when it is malformed.
BlockSummaryPtr summarize(std::string_view first_key, std::string_view value, int64_t bucket = 0);

// A table's sealed blocks at one moment (docs/columnar.md, "Block metadata in memory"): immutable, shared
// by the scans that read at that moment. Blocks are ordered by (bucket, first key); a run is the blocks of
// one bucket, in key order, never overlapping (a table that is not partitioned has one run, bucket 0).
struct BlockIndex {
  struct Run {
    int64_t bucket = 0;
    size_t begin = 0, end = 0;  // its blocks: [begin, end) of `blocks`
  };
  SealBucket part;  // the layout (off: one run)
  std::vector<BlockSummaryPtr> blocks;
  std::vector<Run> runs;  // by bucket
  uint64_t rows = 0;
  uint64_t bytes = 0;

  // Index of the first block of [begin, end) (a run) whose last key is >= key (end if none).
  size_t first_ending_at_or_after(std::string_view key, size_t begin, size_t end) const;
  // Index of the first block of [begin, end) whose first key is >= key (end if none).
  size_t first_starting_at_or_after(std::string_view key, size_t begin, size_t end) const;
  // The block whose key range holds `key` in the run `key` belongs to, or nullptr (`table`: to read a
  // partitioned key's bucket).
  const BlockSummary* covering(const TableDef& table, std::string_view key) const;
};
using BlockIndexPtr = std::shared_ptr<const BlockIndex>;
// `blocks` ordered by (bucket, first key).
BlockIndexPtr make_index(std::vector<BlockSummaryPtr> blocks, const SealBucket& part = {});

// Columns a block of `table` holds: the table's, plus the hidden row id for a table without a key.
size_t block_columns(const TableDef& table);

// One sealed block loaded for reading: reads its bytes in place (the caller keeps them alive and unchanged
// while the block and the batches sliced from it are used: a RocksDB iterator left on the block), decodes the
// rows of the columns it is asked for into 8-byte aligned arrays (reused from block to block) and builds the
// storage keys of its rows on demand (from the key columns). Decoding is by 1024-row chunk
// (columnar::kDecodeChunk), each chunk of a column at most once per load: a point lookup or a short key range
// decodes the key columns' chunks its binary search visits and one or two chunks of the wanted columns, not
// the whole block.
class LoadedBlock {
 public:
  // Parses the envelope and the block header. Throws SqlError XX001 when either is malformed or the
  // block does not match the table's columns.
  void load(const TableDefPtr& table, std::string_view first_key, std::string_view value);

  uint64_t rows() const { return reader_.row_count(); }
  uint64_t horizon() const { return horizon_; }
  const std::string& first_key() const { return first_key_; }
  const std::string& last_key() const { return last_key_; }
  const columnar::BlockReader& reader() const { return reader_; }
  size_t bytes() const { return bytes_.size(); }

  // Decodes rows [from, to) of column `col` (the chunks holding them that are not decoded yet, in one
  // pass). Throws XX001 on corruption.
  void decode_rows(size_t col, uint64_t from, uint64_t to);
  // Decodes every row of column `col`.
  void decode(size_t col) { decode_rows(col, 0, rows()); }
  // Decodes rows [from, to) of the key columns: before reading many keys of a range, so its chunks are
  // decoded in one pass rather than one by one.
  void decode_keys(uint64_t from, uint64_t to);
  // Chunks of column `col` decoded since load() (what a lookup cost; the tests check it).
  uint64_t chunks_decoded(size_t col) const;
  // Column `col` from row `pos` on; the rows read must have been decoded.
  ColumnVector slice(size_t col, uint64_t pos) const;

  // Storage key of row i, appended to `out` (decodes the key columns' chunk of row i if needed).
  void append_key(uint64_t i, std::string& out);
  // <0, 0, >0 as row i's storage key compares with `key`. Builds the key column by column and stops at
  // the first that decides, so a later key column's chunk is decoded only when the earlier ones are equal.
  int compare_key(uint64_t i, std::string_view key);
  // First row in [from, to) whose key is >= key (to if none): binary search, O(log n) keys built.
  uint64_t lower_bound(uint64_t from, uint64_t to, std::string_view key);

 private:
  // Appends key column c's datum of row i (decoded) to out.
  void append_key_column(size_t c, uint64_t i, std::string& out);

  TableDefPtr table_;
  std::string_view bytes_;  // the block (envelope removed), owned by the caller
  std::string first_key_, last_key_;
  uint64_t horizon_ = 0;
  columnar::BlockReader reader_;
  std::vector<std::vector<uint8_t>> decoded_;  // per column, per chunk: decoded by this load
  std::vector<std::unique_ptr<uint64_t[]>> data_;
  std::vector<std::unique_ptr<uint8_t[]>> nulls_;
  std::vector<size_t> capacity_;  // rows data_[i] / nulls_[i] can hold
  std::vector<size_t> key_columns_;
  std::string scratch_;
};

}  // namespace omendb::storage::sealed
