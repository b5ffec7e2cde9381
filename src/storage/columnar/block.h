// Column blocks: the immutable unit sealed time-series data is stored in. A block holds up to
// kMaxBlockRows rows of some columns, each compressed with its own codec (codec.h), behind a header of
// zone maps that lets a scan skip the block or decode only the columns it needs.
//
// Format, version 1 (all integers little-endian; varint = LEB128; docs/columnar.md has the rationale):
//   "OCB"  u8 version (1)
//   varint row count (<= kMaxBlockRows)
//   varint column count (<= kMaxBlockColumns)
//   per column:
//     u8 type (TypeId: the column's SQL type, any with a codec_type()), u8 codec (CodecId, one for the
//     codec type), u8 flags (kHasMinMax | kHasSum | kMinIsPrefix | kMaxIsPrefix)
//     varint NULL count
//     if kHasMinMax (set exactly when some row is not NULL): min, then max, each by codec type
//        Bool u8 0/1 | Int32, Int64 (dates, times, timestamps too) varint zigzag | Float64 8 bytes of
//        IEEE bits | Text (bytea, uuid, numeric too) varint length (<= kZoneTextMax) + bytes;
//        kMinIsPrefix / kMaxIsPrefix (text, bytea): the bound is the first kZoneTextMax bytes of a longer
//        value. A numeric bound is a whole value; a value too long to keep is replaced by -Infinity (min)
//        or NaN (max), which bound every numeric.
//     if kHasSum (integer columns whose sum fits int64): varint zigzag(sum of non-NULL values)
//     varint chunk length
//   the column chunks (column.h), back to back in column order; their lengths add up to the rest of
//   the block exactly.
// Ordering in zone maps is PostgreSQL's: NaN above every other double, -0.0 == 0.0, text, bytea and uuid
// by bytes, numeric by value (num::compare), dates and timestamps as their integers (infinities are the
// extreme integers).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/datum.h"
#include "common/types.h"
#include "storage/column_batch.h"
#include "storage/columnar/codec.h"
#include "storage/columnar/status.h"

namespace omendb::storage::columnar {

constexpr uint8_t kBlockVersion = 1;
constexpr uint64_t kMaxBlockRows = uint64_t{1} << 20;
constexpr uint64_t kMaxBlockColumns = 1600;  // PostgreSQL's limit
constexpr size_t kZoneTextMax = 64;
// Bound on a block's decoded size, rows x sum over columns of (value size + 1 NULL byte): a small block
// header cannot make a reader allocate gigabytes. 256 MiB is 65,536 rows of 240 eight-byte columns.
constexpr uint64_t kMaxBlockDecodedBytes = uint64_t{256} << 20;

// One column to write: `data` holds the rows' values laid out as in ColumnVector (codec.h); `nulls` is
// null (no NULLs) or one byte per row, non-zero = NULL. `codec` forces a codec (tests, benchmarks);
// otherwise choose_codec() picks one.
struct ColumnInput {
  TypeId type = TypeId::Unknown;
  const void* data = nullptr;
  const uint8_t* nulls = nullptr;
  std::optional<CodecId> codec;
};

// Encodes `rows` rows of the columns as one block, replacing `out`. InvalidArgument for more than
// kMaxBlockRows rows or kMaxBlockColumns columns or kMaxBlockDecodedBytes decoded, a type blocks do not
// hold (codec_type() Unknown), or a forced codec that does not support its column's type.
Status write_block(const std::vector<ColumnInput>& columns, uint64_t rows, std::string& out);

// What the header says about one column. Text bounds point into the block's bytes.
struct BlockColumn {
  TypeId type = TypeId::Unknown;
  CodecId codec = CodecId::Plain;
  uint64_t null_count = 0;
  bool has_min_max = false;  // false when every row is NULL (or the block is empty)
  Datum min{};               // by codec type: Bool, Int32, Int64 in i64; Float64 in f64; Text in str
  Datum max{};
  bool min_is_prefix = false;  // text, bytea: min is a prefix of the smallest value (still a lower bound)
  bool max_is_prefix = false;  // text, bytea: max is the first kZoneTextMax bytes of the largest value
  bool has_sum = false;        // integer columns whose sum fits int64
  int64_t sum = 0;
  uint64_t offset = 0;  // of the column chunk, from the start of the block
  uint64_t length = 0;
};

class BlockScan;

// Zone-map test on one column's header: false only when no non-NULL value v of the column can satisfy
// lo <= v <= hi (nullptr leaves a side open). `rows` is the block's row count. BlockReader::may_contain
// and BlockHeader::may_contain both answer through it.
bool column_may_contain(const BlockColumn& c, uint64_t rows, const Datum* lo, const Datum* hi);

// An owning copy of a block's header (row count, per column type, codec, NULL count, zone maps, sum,
// chunk offset and length), to keep in memory without the block: text bounds point into the copy's own
// bytes, which stay put when the header is moved.
struct BlockHeader {
  uint64_t rows = 0;
  std::vector<BlockColumn> columns;
  std::unique_ptr<char[]> text;  // the text bounds' bytes

  bool may_contain(size_t col, const Datum* lo, const Datum* hi) const {
    return col >= columns.size() || column_may_contain(columns[col], rows, lo, hi);
  }
};

// Reads a block. The bytes given to open() must stay alive and unchanged while the reader, its scans
// and the batches they return are used (Text values point into them). Thread-compatible: const
// methods may run concurrently.
class BlockReader {
 public:
  // Parses and checks the header: version, types, codecs, NULL counts, bounds and chunk lengths.
  // Corruption if anything is off; the reader is then unusable.
  Status open(std::string_view bytes);

  uint64_t row_count() const { return rows_; }
  size_t column_count() const { return columns_.size(); }
  const BlockColumn& column(size_t i) const { return columns_[i]; }

  // Zone-map test: false only when no non-NULL value v of column `col` can satisfy lo <= v <= hi.
  // lo/hi have the column's type (Datum fields as in BlockColumn::min); nullptr leaves that side open.
  // Callers with strict bounds pass them as inclusive (conservative).
  bool may_contain(size_t col, const Datum* lo, const Datum* hi) const;

  // The header, copied (the reader's bytes may go away afterwards).
  BlockHeader header() const;

  // Decodes all rows of one column into data (row_count() values) and nulls (row_count() bytes).
  Status decode_column(size_t col, void* data, uint8_t* nulls) const;
  // Decodes rows [first * kDecodeChunk, min(row_count(), end * kDecodeChunk)) of one column into the same
  // rows of data and nulls (arrays of row_count() values and bytes); no other row is written
  // (columnar::decode_column_chunks). The rows a point lookup or a short key range needs cost a chunk
  // or two per column, not the whole block.
  Status decode_column_chunks(size_t col, uint64_t first, uint64_t end, void* data, uint8_t* nulls) const;

  // Decodes the columns with wanted[i] set (missing entries: not wanted) and hands them out as batches of
  // up to batch_rows rows (1..kMaxBlockRows). Columns not wanted have data == nulls == nullptr. `out` may
  // be a scan of an earlier block: its buffers are reused (earlier batches become invalid). On error `out`
  // returns no batches.
  Status scan(const std::vector<bool>& wanted, uint32_t batch_rows, BlockScan& out) const;

 private:
  std::string_view bytes_;
  uint64_t rows_ = 0;
  std::vector<BlockColumn> columns_;
};

// Batches of a block's decoded columns, in row order. Not thread-safe.
class BlockScan {
 public:
  // The next batch, or nullptr at the end. A batch stays valid while this scan lives (slices of the
  // decoded columns; nothing is decoded per batch).
  const ColumnBatch* next();

 private:
  friend class BlockReader;
  uint64_t rows_ = 0;
  uint64_t pos_ = 0;
  uint32_t batch_rows_ = 1024;
  std::vector<TypeId> types_;
  std::vector<bool> decoded_;                      // per column: decoded by the current scan
  std::vector<std::unique_ptr<uint64_t[]>> data_;  // 8-byte aligned decoded values per column
  std::vector<std::unique_ptr<uint8_t[]>> nulls_;
  std::vector<size_t> data_words_;  // capacity of data_[i] in uint64_t
  std::vector<size_t> null_bytes_;  // capacity of nulls_[i]
  std::vector<ColumnVector> vectors_;
  ColumnBatch batch_{};
};

}  // namespace omendb::storage::columnar
