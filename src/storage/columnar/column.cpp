#include "storage/columnar/column.h"

#include <algorithm>
#include <cstring>

#include "storage/columnar/bytes.h"
#include "storage/columnar/null_bitmap.h"

namespace omendb::storage::columnar {

namespace {

constexpr uint8_t kNoNulls = 0;
constexpr uint8_t kSomeNulls = 1;
constexpr uint8_t kAllNull = 2;

// A copy of the values with NULL slots filled by a neighbouring non-NULL value.
std::vector<uint64_t> filled_copy(TypeId type, const void* data, const uint8_t* nulls, uint64_t n) {
  size_t size = value_size(type);
  std::vector<uint64_t> buf((n * size + 7) / 8);
  auto* dst = reinterpret_cast<uint8_t*>(buf.data());
  auto* src = static_cast<const uint8_t*>(data);
  uint64_t first = 0;
  while (first < n && nulls[first]) ++first;
  if (first == n) return buf;  // all NULL: zeros
  const uint8_t* prev = src + first * size;
  for (uint64_t i = 0; i < n; ++i) {
    if (!nulls[i]) prev = src + i * size;
    std::memcpy(dst + i * size, prev, size);
  }
  return buf;
}

}  // namespace

const std::vector<CodecId>& candidate_codecs(TypeId type) {
  static const std::vector<CodecId> kBool = {CodecId::Bitmap, CodecId::Plain};
  static const std::vector<CodecId> kInt = {CodecId::FrameOfRef, CodecId::DeltaDelta, CodecId::Plain};
  static const std::vector<CodecId> kFloat = {CodecId::Alp, CodecId::Gorilla, CodecId::Plain};
  static const std::vector<CodecId> kText = {CodecId::Dictionary, CodecId::PlainText};
  static const std::vector<CodecId> kNone;
  switch (codec_type(type)) {  // dates and timestamps are integers, numeric, bytea and uuid bytes
    case TypeId::Bool:
      return kBool;
    case TypeId::Int32:
    case TypeId::Int64:
      return kInt;
    case TypeId::Float64:
      return kFloat;
    case TypeId::Text:
      return kText;
    default:  // not held in blocks (codec_type)
      break;
  }
  return kNone;
}

CodecId choose_codec(TypeId type, const void* data, const uint8_t* nulls, uint64_t n) {
  const auto& candidates = candidate_codecs(type);
  if (candidates.empty()) return CodecId::Plain;
  size_t size = value_size(type);
  std::vector<uint64_t> filled;
  if (nulls != nullptr) {
    filled = filled_copy(type, data, nulls, n);
    data = filled.data();
  }
  // Windows of consecutive rows, each encoded on its own: a delta codec must not see the jump from one
  // window to the next as data.
  constexpr uint64_t kWindow = 1024, kWindows = 8;
  std::vector<std::pair<uint64_t, uint64_t>> windows;  // (first row, rows)
  if (n <= kWindow * kWindows) {
    windows.emplace_back(0, n);
  } else {
    uint64_t stride = (n - kWindow) / (kWindows - 1);
    for (uint64_t w = 0; w < kWindows; ++w) windows.emplace_back(w * stride, kWindow);
  }
  auto* base = static_cast<const uint8_t*>(data);
  CodecId best = candidates[0];
  size_t best_size = SIZE_MAX;
  std::string scratch;
  for (CodecId id : candidates) {
    size_t total = 0;
    for (auto [first, rows] : windows) {
      scratch.clear();
      codec_for(id)->encode(codec_type(type), base + first * size, rows, scratch);
      total += scratch.size();
    }
    if (total < best_size) {
      best_size = total;
      best = id;
    }
  }
  return best;
}

Status encode_column(TypeId type, CodecId codec_id, const void* data, const uint8_t* nulls, uint64_t n,
                     std::string& out) {
  const Codec* codec = codec_for(codec_id);
  const TypeId ct = codec_type(type);
  if (codec == nullptr || ct == TypeId::Unknown || !codec->supports(ct)) {
    return Status::invalid_argument("codec does not support the column type");
  }
  uint64_t null_count = 0;
  if (nulls != nullptr) {
    for (uint64_t i = 0; i < n; ++i) null_count += nulls[i] != 0;
  }
  if (null_count == 0) {
    put_u8(out, kNoNulls);
    codec->encode(ct, data, n, out);
  } else if (null_count == n) {
    put_u8(out, kAllNull);
  } else {
    put_u8(out, kSomeNulls);
    append_bitmap(nulls, n, out);
    std::vector<uint64_t> filled = filled_copy(type, data, nulls, n);
    codec->encode(ct, filled.data(), n, out);
  }
  return Status::ok();
}

Status decode_column(TypeId type, CodecId codec_id, std::string_view in, uint64_t n, uint64_t null_count,
                     void* data, uint8_t* nulls) {
  return decode_column_chunks(type, codec_id, in, n, null_count, 0, decode_chunk_count(n), data, nulls);
}

Status decode_column_chunks(TypeId type, CodecId codec_id, std::string_view in, uint64_t n,
                            uint64_t null_count, uint64_t first, uint64_t end, void* data, uint8_t* nulls) {
  const Codec* codec = codec_for(codec_id);
  const TypeId ct = codec_type(type);
  if (codec == nullptr || ct == TypeId::Unknown || !codec->supports(ct))
    return Status::corruption("column: codec does not fit type");
  if (first > end || end > decode_chunk_count(n)) return Status::invalid_argument("column: bad chunk range");
  const uint64_t from = std::min(first * kDecodeChunk, n), to = std::min(end * kDecodeChunk, n);
  if (null_count > n) return Status::corruption("column: more NULLs than rows");
  Reader r(in);
  uint8_t mode;
  if (!r.u8(mode)) return Status::corruption("column: empty chunk");
  switch (mode) {
    case kNoNulls:
      if (null_count != 0 && n > 0) return Status::corruption("column: NULL count mismatch");
      if (to > from) std::memset(nulls + from, 0, to - from);
      break;
    case kAllNull:
      if (null_count != n || r.remaining() != 0) return Status::corruption("column: NULL count mismatch");
      if (to > from) {
        const size_t size = value_size(type);
        std::memset(nulls + from, 1, to - from);
        std::memset(static_cast<uint8_t*>(data) + from * size, 0, (to - from) * size);
      }
      return Status::ok();
    case kSomeNulls: {
      const uint8_t* bitmap;
      size_t size = bitmap_bytes(n);
      if (null_count == 0 || null_count == n || !r.bytes(size, bitmap)) {
        return Status::corruption("column: bad NULL bitmap");
      }
      if (!read_bitmap(bitmap, size, n, from, to, nulls) || bitmap_popcount(bitmap, size) != null_count) {
        return Status::corruption("column: NULL bitmap disagrees with the header");
      }
      break;
    }
    default:
      return Status::corruption("column: unknown NULL mode");
  }
  std::string_view values(reinterpret_cast<const char*>(r.pos()), r.remaining());
  return codec->decode_chunks(ct, values, n, first, end, data);
}

}  // namespace omendb::storage::columnar
