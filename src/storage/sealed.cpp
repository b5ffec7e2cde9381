#include "storage/sealed.h"

#include <algorithm>
#include <cstring>

#include "common/error.h"
#include "storage/key_codec.h"
#include "storage/row_codec.h"

namespace omendb::storage::sealed {

namespace {

[[noreturn]] void corrupt(const TableDef& table, std::string_view what) {
  throw SqlError(SqlState::DataCorrupted,
                 "could not decode a sealed block of table \"" + table.name + "\": " + std::string(what));
}

}  // namespace

size_t value_width(TypeId type) {
  switch (physical_type(type)) {
    case PhysType::Bool:
      return 1;
    case PhysType::Int32:
      return 4;
    case PhysType::Int64:
    case PhysType::Float64:
      return 8;
    case PhysType::Interval:
      return 16;
    case PhysType::Text:
      return sizeof(StrRef);
  }
  return 8;
}

void encode_value(uint64_t horizon, std::string_view last_key, std::string_view block, std::string& out) {
  out.clear();
  out.push_back(static_cast<char>(kEnvelopeVersion));
  rowcodec::append_varint(horizon, out);
  rowcodec::append_varint(last_key.size(), out);
  out.append(last_key);
  out.append(block);
}

bool parse_value(std::string_view value, uint64_t& horizon, std::string_view& last_key,
                 std::string_view& block) {
  const auto* p = reinterpret_cast<const uint8_t*>(value.data());
  const auto* end = p + value.size();
  uint64_t len = 0;
  if (p == end || *p++ != kEnvelopeVersion) return false;
  if (!(p = rowcodec::read_varint(p, end, horizon)) || !(p = rowcodec::read_varint(p, end, len)) ||
      static_cast<uint64_t>(end - p) < len)
    return false;
  last_key = std::string_view(reinterpret_cast<const char*>(p), len);
  p += len;
  block = std::string_view(reinterpret_cast<const char*>(p), static_cast<size_t>(end - p));
  return true;
}

std::string stored_block_key(const SealBucket& part, int64_t bucket, std::string_view first_key) {
  std::string k("\0\0\0\0B", 5);
  if (part.on()) {
    k.append(first_key.substr(0, keycodec::kTablePrefixSize));
    keycodec::append_int(bucket, k);
  }
  k.append(first_key);
  return k;
}

bool parse_block_key(const SealBucket& part, std::string_view key, int64_t& bucket, std::string_view& first) {
  constexpr size_t kMeta = 5;  // "\0\0\0\0B"
  bucket = 0;
  if (!part.on()) {
    if (key.size() < kMeta + keycodec::kTablePrefixSize) return false;
    first = key.substr(kMeta);
    return true;
  }
  size_t pos = kMeta + keycodec::kTablePrefixSize;
  if (key.size() < pos + 8 + keycodec::kTablePrefixSize || !keycodec::decode_int(key, pos, bucket))
    return false;
  first = key.substr(pos);
  return first.substr(0, keycodec::kTablePrefixSize) == key.substr(kMeta, keycodec::kTablePrefixSize);
}

BlockSummaryPtr summarize(std::string_view first_key, std::string_view value, int64_t bucket) {
  uint64_t horizon = 0;
  std::string_view last, block;
  columnar::BlockReader reader;
  if (!parse_value(value, horizon, last, block) || !reader.open(block).is_ok()) return nullptr;
  auto s = std::make_shared<BlockSummary>();
  s->bucket = bucket;
  s->first_key.assign(first_key);
  s->last_key.assign(last);
  s->rows = reader.row_count();
  s->bytes = value.size();
  s->header = reader.header();
  return s;
}

size_t BlockIndex::first_ending_at_or_after(std::string_view key, size_t begin, size_t end) const {
  auto it = std::partition_point(
      blocks.begin() + static_cast<std::ptrdiff_t>(begin), blocks.begin() + static_cast<std::ptrdiff_t>(end),
      [key](const BlockSummaryPtr& b) { return std::string_view(b->last_key) < key; });
  return static_cast<size_t>(it - blocks.begin());
}

size_t BlockIndex::first_starting_at_or_after(std::string_view key, size_t begin, size_t end) const {
  auto it = std::partition_point(
      blocks.begin() + static_cast<std::ptrdiff_t>(begin), blocks.begin() + static_cast<std::ptrdiff_t>(end),
      [key](const BlockSummaryPtr& b) { return std::string_view(b->first_key) < key; });
  return static_cast<size_t>(it - blocks.begin());
}

const BlockSummary* BlockIndex::covering(const TableDef& table, std::string_view key) const {
  int64_t bucket = 0;
  if (part.on() && !part.key_bucket(table, key, bucket)) return nullptr;
  auto run =
      std::partition_point(runs.begin(), runs.end(), [bucket](const Run& r) { return r.bucket < bucket; });
  if (run == runs.end() || run->bucket != bucket) return nullptr;
  const size_t i = first_ending_at_or_after(key, run->begin, run->end);
  if (i == run->end || std::string_view(blocks[i]->first_key) > key) return nullptr;
  return blocks[i].get();
}

BlockIndexPtr make_index(std::vector<BlockSummaryPtr> blocks, const SealBucket& part) {
  auto index = std::make_shared<BlockIndex>();
  index->part = part;
  for (size_t i = 0; i < blocks.size(); ++i) {
    const BlockSummaryPtr& b = blocks[i];
    index->rows += b->rows;
    index->bytes += b->bytes;
    if (index->runs.empty() || index->runs.back().bucket != b->bucket)
      index->runs.push_back(BlockIndex::Run{b->bucket, i, i});
    index->runs.back().end = i + 1;
  }
  index->blocks = std::move(blocks);
  return index;
}

void encode_manifest(const Manifest& m, std::string& out) {
  out.clear();
  out.push_back(static_cast<char>(m.part.on() ? kPartitionedManifestVersion : kManifestVersion));
  rowcodec::append_varint(m.horizon, out);
  rowcodec::append_varint(m.blocks, out);
  rowcodec::append_varint(m.rows, out);
  rowcodec::append_varint(m.bytes, out);
  if (m.part.on()) {
    rowcodec::append_varint(static_cast<uint64_t>(m.part.key_pos), out);
    rowcodec::append_varint(static_cast<uint64_t>(m.part.column), out);
    rowcodec::append_varint(static_cast<uint64_t>(m.part.width), out);
  }
  for (const BlockMeta& b : m.index) {
    if (m.part.on()) rowcodec::append_varint(static_cast<uint64_t>(b.bucket), out);
    rowcodec::append_varint(b.first_key.size(), out);
    out.append(b.first_key);
    rowcodec::append_varint(b.last_key.size(), out);
    out.append(b.last_key);
    rowcodec::append_varint(b.rows, out);
    rowcodec::append_varint(b.bytes, out);
  }
}

bool decode_manifest(std::string_view value, Manifest& m, bool with_index) {
  const auto* p = reinterpret_cast<const uint8_t*>(value.data());
  const auto* end = p + value.size();
  if (p == end) return false;
  const uint8_t version = *p++;
  if (version != 1 && version != kManifestVersion && version != kPartitionedManifestVersion) return false;
  for (uint64_t* f : {&m.horizon, &m.blocks, &m.rows, &m.bytes}) {
    if (!(p = rowcodec::read_varint(p, end, *f))) return false;
  }
  m.index.clear();
  m.part = SealBucket{};
  m.has_index = version != 1;
  if (version == kPartitionedManifestVersion) {
    uint64_t key_pos = 0, column = 0, width = 0;
    if (!(p = rowcodec::read_varint(p, end, key_pos)) || !(p = rowcodec::read_varint(p, end, column)) ||
        !(p = rowcodec::read_varint(p, end, width)) || key_pos == 0 || key_pos > 1600 || column >= 1600 ||
        width == 0 || width > static_cast<uint64_t>(INT64_MAX))
      return false;
    m.part.key_pos = static_cast<int>(key_pos);
    m.part.column = static_cast<int>(column);
    m.part.width = static_cast<int64_t>(width);
  }
  if (version == 1) return p == end;
  if (!with_index) return true;
  m.index.reserve(std::min<uint64_t>(m.blocks, value.size()));
  uint64_t rows = 0, bytes = 0;
  while (p != end) {
    BlockMeta b;
    if (m.part.on()) {
      uint64_t bucket = 0;
      if (!(p = rowcodec::read_varint(p, end, bucket))) return false;
      b.bucket = static_cast<int64_t>(bucket);
    }
    for (std::string* k : {&b.first_key, &b.last_key}) {
      uint64_t len = 0;
      if (!(p = rowcodec::read_varint(p, end, len)) || static_cast<uint64_t>(end - p) < len) return false;
      k->assign(reinterpret_cast<const char*>(p), len);
      p += len;
    }
    if (!(p = rowcodec::read_varint(p, end, b.rows)) || !(p = rowcodec::read_varint(p, end, b.bytes)))
      return false;
    if (b.first_key > b.last_key) return false;
    if (!m.index.empty()) {  // ordered by (bucket, key), blocks of a run not overlapping
      const BlockMeta& prev = m.index.back();
      if (prev.bucket > b.bucket || (prev.bucket == b.bucket && prev.last_key >= b.first_key)) return false;
    }
    rows += b.rows;
    bytes += b.bytes;
    m.index.push_back(std::move(b));
  }
  return m.index.size() == m.blocks && rows == m.rows && bytes == m.bytes;
}

size_t block_columns(const TableDef& table) {
  return table.columns.size() + (table.has_hidden_rowid() ? 1 : 0);
}

void LoadedBlock::load(const TableDefPtr& table, std::string_view first_key, std::string_view value) {
  table_ = table;
  first_key_.assign(first_key);
  std::string_view last_key, block;
  if (!parse_value(value, horizon_, last_key, block)) corrupt(*table_, "malformed envelope");
  last_key_.assign(last_key);
  bytes_ = block;
  columnar::Status s = reader_.open(bytes_);
  if (!s.is_ok()) corrupt(*table_, s.message());
  const size_t ncols = block_columns(*table_);
  if (reader_.column_count() != ncols) corrupt(*table_, "column count differs from the table's");
  for (size_t i = 0; i < table_->columns.size(); ++i) {
    TypeId want = table_->columns[i].type == TypeId::Unknown ? TypeId::Text : table_->columns[i].type;
    TypeId have = reader_.column(i).type;
    // Blocks sealed before char(n) became bpchar hold its values as text (unpadded, as the row store's
    // rows of that time): the same physical values, read as they are.
    if (have == TypeId::Text && want == TypeId::BpChar) have = want;
    if (have != want) corrupt(*table_, "column type differs from the table's");
  }
  if (table_->has_hidden_rowid() && reader_.column(ncols - 1).type != TypeId::Int64)
    corrupt(*table_, "bad row id column");
  if (reader_.row_count() == 0 || first_key_ > last_key_) corrupt(*table_, "bad key range");
  if (decoded_.size() < ncols) decoded_.resize(ncols);
  const uint64_t chunks = columnar::decode_chunk_count(reader_.row_count());
  for (size_t c = 0; c < ncols; ++c) decoded_[c].assign(chunks, 0);
  if (data_.size() < ncols) {
    data_.resize(ncols);
    nulls_.resize(ncols);
    capacity_.resize(ncols, 0);
  }
  key_columns_.clear();
  if (table_->has_hidden_rowid()) {
    key_columns_.push_back(ncols - 1);
  } else {
    for (int k : table_->primary_key) key_columns_.push_back(static_cast<size_t>(k));
  }
}

void LoadedBlock::decode_rows(size_t col, uint64_t from, uint64_t to) {
  if (from >= to) return;
  std::vector<uint8_t>& done = decoded_[col];
  uint64_t first = from / columnar::kDecodeChunk,
           end = (to + columnar::kDecodeChunk - 1) / columnar::kDecodeChunk;
  while (first < end && done[first]) ++first;
  while (end > first && done[end - 1]) --end;
  if (first == end) return;
  const uint64_t n = reader_.row_count();
  if (capacity_[col] < n) {
    const size_t width = value_width(reader_.column(col).type);
    data_[col].reset(new uint64_t[(n * width + 7) / 8]);
    nulls_[col].reset(new uint8_t[n]);
    capacity_[col] = n;
  }
  // One pass over [first, end), chunks decoded before in the middle included: a codec whose chunks depend
  // on the ones before (delta-of-delta) sums its way to `first` once, not once per chunk.
  columnar::Status s = reader_.decode_column_chunks(col, first, end, data_[col].get(), nulls_[col].get());
  if (!s.is_ok()) corrupt(*table_, s.message());
  std::fill(done.begin() + static_cast<std::ptrdiff_t>(first),
            done.begin() + static_cast<std::ptrdiff_t>(end), 1);
}

void LoadedBlock::decode_keys(uint64_t from, uint64_t to) {
  for (size_t c : key_columns_) decode_rows(c, from, to);
}

uint64_t LoadedBlock::chunks_decoded(size_t col) const {
  return static_cast<uint64_t>(std::count(decoded_[col].begin(), decoded_[col].end(), 1));
}

ColumnVector LoadedBlock::slice(size_t col, uint64_t pos) const {
  const size_t width = value_width(reader_.column(col).type);
  return ColumnVector{reinterpret_cast<uint8_t*>(data_[col].get()) + pos * width, nulls_[col].get() + pos};
}

void LoadedBlock::append_key_column(size_t c, uint64_t i, std::string& out) {
  decode_rows(c, i, i + 1);
  if (nulls_[c][i]) corrupt(*table_, "NULL key column");
  const TypeId type = reader_.column(c).type;
  const uint8_t* base = reinterpret_cast<const uint8_t*>(data_[c].get());
  Datum d{};
  switch (columnar::codec_type(type)) {  // a date is its Int32, a timestamp its Int64, numeric its bytes
    case TypeId::Bool:
      d.i64 = base[i];
      break;
    case TypeId::Int32: {
      int32_t v;
      std::memcpy(&v, base + i * 4, 4);
      d.i64 = v;
      break;
    }
    case TypeId::Int64:
      std::memcpy(&d.i64, base + i * 8, 8);
      break;
    case TypeId::Float64:
      std::memcpy(&d.f64, base + i * 8, 8);
      break;
    case TypeId::Text:
      std::memcpy(&d.str, base + i * sizeof(StrRef), sizeof(StrRef));
      break;
    default:  // LoadedBlock::load checked the block's types against the table's
      corrupt(*table_, "a key column of a type blocks do not hold");
  }
  keycodec::append_datum(type, d, out);
}

void LoadedBlock::append_key(uint64_t i, std::string& out) {
  keycodec::append_table_prefix(table_->id, out);
  for (size_t c : key_columns_) append_key_column(c, i, out);
}

int LoadedBlock::compare_key(uint64_t i, std::string_view key) {
  scratch_.clear();
  keycodec::append_table_prefix(table_->id, scratch_);
  for (size_t c : key_columns_) {
    append_key_column(c, i, scratch_);
    // The full key extends scratch_: a difference within the common length, or a key shorter than
    // scratch_, decides the comparison as it would with every column built.
    const size_t common = std::min(scratch_.size(), key.size());
    if (int cmp = std::string_view(scratch_).substr(0, common).compare(key.substr(0, common)); cmp != 0)
      return cmp;
    if (key.size() < scratch_.size()) return 1;
  }
  return std::string_view(scratch_).compare(key);
}

uint64_t LoadedBlock::lower_bound(uint64_t from, uint64_t to, std::string_view key) {
  while (from < to) {
    uint64_t mid = from + (to - from) / 2;
    if (compare_key(mid, key) < 0) {
      from = mid + 1;
    } else {
      to = mid;
    }
  }
  return from;
}

}  // namespace omendb::storage::sealed
