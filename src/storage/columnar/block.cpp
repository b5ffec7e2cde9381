#include "storage/columnar/block.h"

#include <cmath>
#include <cstring>

#include "common/error.h"
#include "common/numeric.h"
#include "storage/columnar/bytes.h"
#include "storage/columnar/column.h"

namespace omendb::storage::columnar {

namespace {

constexpr char kMagic[3] = {'O', 'C', 'B'};
constexpr uint8_t kHasMinMax = 1;
constexpr uint8_t kHasSum = 2;
constexpr uint8_t kMinIsPrefix = 4;
constexpr uint8_t kMaxIsPrefix = 8;
constexpr uint8_t kKnownFlags = kHasMinMax | kHasSum | kMinIsPrefix | kMaxIsPrefix;

// PostgreSQL's float8 order: NaN equals NaN and sorts above everything; -0.0 == 0.0.
int compare_double(double a, double b) {
  bool an = std::isnan(a), bn = std::isnan(b);
  if (an || bn) return an == bn ? 0 : (an ? 1 : -1);
  return a < b ? -1 : (a > b ? 1 : 0);
}

int compare_text(std::string_view a, std::string_view b) {
  int c = a.compare(b);  // char_traits<char> compares as unsigned char, like memcmp
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

bool valid_type(uint8_t t) {
  return valid_type_id(t) && codec_type(static_cast<TypeId>(t)) != TypeId::Unknown;
}

// Text-like columns whose bounds are cut to kZoneTextMax bytes and compared bytewise: text, bytea, uuid.
// Numeric's bytes are not ordered bytewise: its bounds are whole values, compared by num::compare (and
// one too long to keep is replaced by -Infinity / NaN, bounds below / above every value).
bool bytewise_bounds(TypeId t) {
  return codec_type(t) == TypeId::Text && t != TypeId::Numeric;
}

// A stored numeric bound is read by num::compare: it must be well-formed numeric bytes, as written.
bool valid_numeric(std::string_view v) {
  try {
    return num::from_wire(v) == v;
  } catch (const SqlError&) {
    return false;
  }
}

const std::string& numeric_bound(bool low) {
  static const std::string neg_inf = num::parse("-Infinity"), nan = num::parse("NaN");
  return low ? neg_inf : nan;
}

struct Stats {
  uint64_t null_count = 0;
  bool has_min_max = false;
  Datum min{}, max{};
  bool min_is_prefix = false, max_is_prefix = false;
  bool has_sum = false;
  int64_t sum = 0;
};

Stats compute_stats(const ColumnInput& c, uint64_t rows) {
  Stats s;
  auto is_null = [&](uint64_t i) { return c.nulls != nullptr && c.nulls[i] != 0; };
  const TypeId ct = codec_type(c.type);
  auto int_at = [&](uint64_t i) -> int64_t {
    switch (ct) {
      case TypeId::Bool:
        return static_cast<const uint8_t*>(c.data)[i] != 0;
      case TypeId::Int32:
        return static_cast<const int32_t*>(c.data)[i];
      default:
        return static_cast<const int64_t*>(c.data)[i];
    }
  };
  __int128 sum = 0;
  std::string_view tmin, tmax;
  for (uint64_t i = 0; i < rows; ++i) {
    if (is_null(i)) {
      ++s.null_count;
      continue;
    }
    bool first = !s.has_min_max;
    s.has_min_max = true;
    switch (ct) {
      case TypeId::Bool:
      case TypeId::Int32:
      case TypeId::Int64: {  // dates and timestamps too: their integers order as the values do
        int64_t v = int_at(i);
        if (first || v < s.min.i64) s.min.i64 = v;
        if (first || v > s.max.i64) s.max.i64 = v;
        sum += v;
        break;
      }
      case TypeId::Float64: {
        double v = static_cast<const double*>(c.data)[i];
        if (first || compare_double(v, s.min.f64) < 0) s.min.f64 = v;
        if (first || compare_double(v, s.max.f64) > 0) s.max.f64 = v;
        break;
      }
      case TypeId::Text: {
        std::string_view v = static_cast<const StrRef*>(c.data)[i].view();
        if (c.type == TypeId::Numeric) {
          if (first || num::compare(v, tmin) < 0) tmin = v;
          if (first || num::compare(v, tmax) > 0) tmax = v;
        } else {
          if (first || compare_text(v, tmin) < 0) tmin = v;
          if (first || compare_text(v, tmax) > 0) tmax = v;
        }
        break;
      }
      default:  // not held in blocks (write_block refuses the type)
        break;
    }
  }
  if (is_integer(c.type) && s.has_min_max && sum >= INT64_MIN && sum <= INT64_MAX) {
    s.has_sum = true;
    s.sum = static_cast<int64_t>(sum);
  }
  if (ct == TypeId::Text && s.has_min_max) {
    if (c.type == TypeId::Numeric) {
      if (tmin.size() > kZoneTextMax) tmin = numeric_bound(true);
      if (tmax.size() > kZoneTextMax) tmax = numeric_bound(false);
    } else {
      s.min_is_prefix = tmin.size() > kZoneTextMax;
      s.max_is_prefix = tmax.size() > kZoneTextMax;
      tmin = tmin.substr(0, kZoneTextMax);
      tmax = tmax.substr(0, kZoneTextMax);
    }
    s.min.str = {tmin.data(), tmin.size()};
    s.max.str = {tmax.data(), tmax.size()};
  }
  return s;
}

void put_bound(TypeId type, const Datum& d, std::string& out) {
  switch (codec_type(type)) {
    case TypeId::Bool:
      put_u8(out, static_cast<uint8_t>(d.i64 != 0));
      break;
    case TypeId::Int32:
    case TypeId::Int64:
      put_varint(out, zigzag(d.i64));
      break;
    case TypeId::Float64: {
      uint64_t bits;
      std::memcpy(&bits, &d.f64, 8);
      put_u64(out, bits);
      break;
    }
    case TypeId::Text:
      put_varint(out, d.str.len);
      out.append(d.str.ptr, d.str.len);
      break;
    default:  // not held in blocks
      break;
  }
}

bool read_bound(TypeId type, Reader& r, Datum& d) {
  d = Datum{};
  switch (codec_type(type)) {
    case TypeId::Bool: {
      uint8_t b;
      if (!r.u8(b) || b > 1) return false;
      d.i64 = b;
      return true;
    }
    case TypeId::Int32:
      return r.zigzag_varint(d.i64) && d.i64 >= INT32_MIN && d.i64 <= INT32_MAX;
    case TypeId::Int64:
      return r.zigzag_varint(d.i64);
    case TypeId::Float64: {
      uint64_t bits;
      if (!r.u64(bits)) return false;
      std::memcpy(&d.f64, &bits, 8);
      return true;
    }
    case TypeId::Text: {
      uint64_t len;
      const uint8_t* p;
      if (!r.varint(len) || len > kZoneTextMax || !r.bytes(len, p)) return false;
      d.str = {reinterpret_cast<const char*>(p), len};
      // a numeric bound must be a well-formed numeric: num::compare reads its header and digits
      return type != TypeId::Numeric || valid_numeric(d.str.view());
    }
    default:  // not held in blocks
      break;
  }
  return false;
}

int compare_bound(TypeId type, const Datum& a, const Datum& b) {
  if (type == TypeId::Numeric) return num::compare(a.str.view(), b.str.view());
  switch (codec_type(type)) {
    case TypeId::Float64:
      return compare_double(a.f64, b.f64);
    case TypeId::Text:
      return compare_text(a.str.view(), b.str.view());
    default:
      return a.i64 < b.i64 ? -1 : (a.i64 > b.i64 ? 1 : 0);
  }
}

}  // namespace

Status write_block(const std::vector<ColumnInput>& columns, uint64_t rows, std::string& out) {
  if (rows > kMaxBlockRows) return Status::invalid_argument("block: too many rows");
  if (columns.size() > kMaxBlockColumns) return Status::invalid_argument("block: too many columns");
  uint64_t row_bytes = 0;
  for (const ColumnInput& c : columns) row_bytes += value_size(c.type) + 1;
  if (rows * row_bytes > kMaxBlockDecodedBytes) return Status::invalid_argument("block: too large decoded");
  std::string header, chunks;
  header.append(kMagic, sizeof(kMagic));
  put_u8(header, kBlockVersion);
  put_varint(header, rows);
  put_varint(header, columns.size());
  for (const ColumnInput& c : columns) {
    if (!valid_type(static_cast<uint8_t>(c.type)))
      return Status::invalid_argument("block: unknown column type");
    if (rows > 0 && c.data == nullptr) return Status::invalid_argument("block: column without data");
    Stats s = compute_stats(c, rows);
    CodecId codec;
    if (c.codec.has_value()) {
      codec = *c.codec;
    } else if (s.null_count == rows) {
      codec = candidate_codecs(c.type).front();  // nothing to encode
    } else {
      codec = choose_codec(c.type, c.data, c.nulls, rows);
    }
    size_t before = chunks.size();
    OMENDB_COLUMNAR_RETURN_IF_ERROR(encode_column(c.type, codec, c.data, c.nulls, rows, chunks));
    uint8_t flags = (s.has_min_max ? kHasMinMax : 0) | (s.has_sum ? kHasSum : 0) |
                    (s.min_is_prefix ? kMinIsPrefix : 0) | (s.max_is_prefix ? kMaxIsPrefix : 0);
    put_u8(header, static_cast<uint8_t>(c.type));
    put_u8(header, static_cast<uint8_t>(codec));
    put_u8(header, flags);
    put_varint(header, s.null_count);
    if (s.has_min_max) {
      put_bound(c.type, s.min, header);
      put_bound(c.type, s.max, header);
    }
    if (s.has_sum) put_varint(header, zigzag(s.sum));
    put_varint(header, chunks.size() - before);
  }
  out = std::move(header);
  out += chunks;
  return Status::ok();
}

Status BlockReader::open(std::string_view bytes) {
  bytes_ = {};
  rows_ = 0;
  columns_.clear();
  Reader r(bytes);
  const uint8_t* magic;
  uint8_t version;
  if (!r.bytes(sizeof(kMagic), magic) || std::memcmp(magic, kMagic, sizeof(kMagic)) != 0) {
    return Status::corruption("block: bad magic");
  }
  if (!r.u8(version)) return Status::corruption("block: truncated header");
  if (version != kBlockVersion) return Status::corruption("block: unknown format version");
  uint64_t rows, ncols;
  if (!r.varint(rows) || rows > kMaxBlockRows || !r.varint(ncols) || ncols > kMaxBlockColumns) {
    return Status::corruption("block: bad row or column count");
  }
  std::vector<BlockColumn> columns(ncols);
  uint64_t data_bytes = 0, row_bytes = 0;
  for (BlockColumn& c : columns) {
    uint8_t type, codec, flags;
    if (!r.u8(type) || !r.u8(codec) || !r.u8(flags) || !r.varint(c.null_count)) {
      return Status::corruption("block: truncated column header");
    }
    if (!valid_type(type)) return Status::corruption("block: unknown column type");
    c.type = static_cast<TypeId>(type);
    row_bytes += value_size(c.type) + 1;
    if (rows * row_bytes > kMaxBlockDecodedBytes)
      return Status::corruption("block: decoded size over the limit");
    const Codec* k = codec_for(codec);
    if (k == nullptr || !k->supports(codec_type(c.type)))
      return Status::corruption("block: codec does not fit column type");
    c.codec = static_cast<CodecId>(codec);
    if ((flags & ~kKnownFlags) != 0 || c.null_count > rows)
      return Status::corruption("block: bad column flags");
    c.has_min_max = flags & kHasMinMax;
    c.has_sum = flags & kHasSum;
    c.min_is_prefix = flags & kMinIsPrefix;
    c.max_is_prefix = flags & kMaxIsPrefix;
    if (c.has_min_max != (c.null_count < rows) || (c.has_sum && (!c.has_min_max || !is_integer(c.type))) ||
        ((c.min_is_prefix || c.max_is_prefix) && (!bytewise_bounds(c.type) || !c.has_min_max))) {
      return Status::corruption("block: zone map flags disagree with the column");
    }
    if (c.has_min_max) {
      if (!read_bound(c.type, r, c.min) || !read_bound(c.type, r, c.max)) {
        return Status::corruption("block: bad zone map");
      }
      // A prefix max may sort below the min (the min may be a longer string with that prefix).
      if (!c.max_is_prefix && compare_bound(c.type, c.min, c.max) > 0) {
        return Status::corruption("block: zone map min above max");
      }
    }
    if (c.has_sum && !r.zigzag_varint(c.sum)) return Status::corruption("block: bad sum");
    if (!r.varint(c.length) || c.length > bytes.size()) return Status::corruption("block: bad chunk length");
    c.offset = data_bytes;  // relative for now
    data_bytes += c.length;
    if (data_bytes > bytes.size()) return Status::corruption("block: chunks longer than the block");
  }
  if (data_bytes != r.remaining())
    return Status::corruption("block: chunk lengths disagree with the block size");
  uint64_t base = bytes.size() - r.remaining();
  for (BlockColumn& c : columns) c.offset += base;
  bytes_ = bytes;
  rows_ = rows;
  columns_ = std::move(columns);
  return Status::ok();
}

bool column_may_contain(const BlockColumn& c, uint64_t rows, const Datum* lo, const Datum* hi) {
  if (rows == 0 || !c.has_min_max) return false;  // no non-NULL value at all
  if (bytewise_bounds(c.type)) {
    if (lo != nullptr) {
      std::string_view l = lo->str.view();
      if (c.max_is_prefix) {
        // every value is <= some string starting with max: lo is above them all only if its first
        // kZoneTextMax bytes already sort above max
        if (compare_text(l.substr(0, kZoneTextMax), c.max.str.view()) > 0) return false;
      } else if (compare_text(c.max.str.view(), l) < 0) {
        return false;
      }
    }
    if (hi != nullptr && compare_text(c.min.str.view(), hi->str.view()) > 0) return false;
    return true;
  }
  if (lo != nullptr && compare_bound(c.type, c.max, *lo) < 0) return false;
  if (hi != nullptr && compare_bound(c.type, c.min, *hi) > 0) return false;
  return true;
}

bool BlockReader::may_contain(size_t col, const Datum* lo, const Datum* hi) const {
  if (col >= columns_.size()) return true;
  return column_may_contain(columns_[col], rows_, lo, hi);
}

BlockHeader BlockReader::header() const {
  BlockHeader h;
  h.rows = rows_;
  h.columns = columns_;
  size_t text_bytes = 0;
  for (const BlockColumn& c : columns_)
    if (c.has_min_max && codec_type(c.type) == TypeId::Text) text_bytes += c.min.str.len + c.max.str.len;
  if (text_bytes == 0) return h;
  h.text = std::make_unique<char[]>(text_bytes);
  char* p = h.text.get();
  auto repoint = [&p](Datum& d) {
    if (d.str.len > 0) std::memcpy(p, d.str.ptr, d.str.len);
    d.str.ptr = p;
    p += d.str.len;
  };
  for (BlockColumn& c : h.columns) {
    if (!c.has_min_max || codec_type(c.type) != TypeId::Text) continue;
    repoint(c.min);
    repoint(c.max);
  }
  return h;
}

Status BlockReader::decode_column(size_t col, void* data, uint8_t* nulls) const {
  return decode_column_chunks(col, 0, decode_chunk_count(rows_), data, nulls);
}

Status BlockReader::decode_column_chunks(size_t col, uint64_t first, uint64_t end, void* data,
                                         uint8_t* nulls) const {
  if (col >= columns_.size()) return Status::invalid_argument("block: no such column");
  const BlockColumn& c = columns_[col];
  return columnar::decode_column_chunks(c.type, c.codec, bytes_.substr(c.offset, c.length), rows_,
                                        c.null_count, first, end, data, nulls);
}

Status BlockReader::scan(const std::vector<bool>& wanted, uint32_t batch_rows, BlockScan& out) const {
  if (batch_rows == 0 || batch_rows > kMaxBlockRows) return Status::invalid_argument("block: bad batch size");
  // Reuse the scan's buffers when they are large enough (one BlockScan can read block after block).
  out.rows_ = rows_;
  out.pos_ = 0;
  out.batch_rows_ = batch_rows;
  size_t n = columns_.size();
  out.types_.resize(n);
  out.decoded_.assign(n, false);
  if (out.data_.size() < n) {
    out.data_.resize(n);
    out.nulls_.resize(n);
    out.data_words_.resize(n, 0);
    out.null_bytes_.resize(n, 0);
  }
  out.vectors_.assign(n, ColumnVector{nullptr, nullptr});
  for (size_t i = 0; i < n; ++i) {
    out.types_[i] = columns_[i].type;
    if (i >= wanted.size() || !wanted[i]) continue;
    size_t words = (rows_ * value_size(columns_[i].type) + 7) / 8 + 1;
    if (out.data_words_[i] < words) {
      out.data_[i] = std::make_unique_for_overwrite<uint64_t[]>(words);
      out.data_words_[i] = words;
    }
    if (out.null_bytes_[i] < rows_ + 1) {
      out.nulls_[i] = std::make_unique_for_overwrite<uint8_t[]>(rows_ + 1);
      out.null_bytes_[i] = rows_ + 1;
    }
    Status s = decode_column(i, out.data_[i].get(), out.nulls_[i].get());
    if (!s.is_ok()) {
      out.rows_ = 0;  // nothing to hand out
      return s;
    }
    out.decoded_[i] = true;
  }
  out.batch_.columns = out.vectors_.data();
  out.batch_.keys = nullptr;
  return Status::ok();
}

const ColumnBatch* BlockScan::next() {
  if (pos_ >= rows_) return nullptr;
  uint64_t count = rows_ - pos_ < batch_rows_ ? rows_ - pos_ : batch_rows_;
  for (size_t i = 0; i < vectors_.size(); ++i) {
    if (!decoded_[i]) continue;
    vectors_[i].data = reinterpret_cast<uint8_t*>(data_[i].get()) + pos_ * value_size(types_[i]);
    vectors_[i].nulls = nulls_[i].get() + pos_;
  }
  batch_.count = count;
  batch_.columns = vectors_.data();
  pos_ += count;
  return &batch_;
}

}  // namespace omendb::storage::columnar
