// Column codecs: one codec per file, all behind this interface.
//
// A codec turns n values of one codec type (codec_type(): Bool, Int32, Int64, Float64, Text) into bytes
// and back. Values are laid out as in storage::ColumnVector (column_batch.h): Bool -> uint8_t 0/1,
// Int32 -> int32_t, Int64 -> int64_t, Float64 -> double, Text -> StrRef. Column types are encoded as their
// codec type (a date as its Int32 days, a timestamptz as its Int64 microseconds, a numeric, bytea or uuid
// as its bytes), so one integer codec serves integers and timestamps alike. Codecs see no NULLs: the column
// layer (column_chunk.h) stores the null bitmap and fills NULL slots with a neighbouring value before
// encoding.
//
// Contract every codec keeps (and tests/unit/storage/columnar_codec_test.cpp and
// tests/fuzz/codec_fuzz.cpp check):
//   - lossless: decode(encode(v)) equals v bit for bit (doubles included: NaN payloads, -0.0, inf);
//   - decode writes exactly n values into `out` and nothing else, straight into the caller's array;
//   - decode_chunks of chunks [first, end) (kDecodeChunk values each, the last one possibly partial)
//     writes exactly those chunks' values, at their row positions in `out`, equal to what decode writes
//     there; decode is decode_chunks of every chunk (one implementation per codec). A partial decode
//     checks what it reads; a damaged chunk it does not decode may go unnoticed;
//   - decode of any bytes either succeeds or returns Corruption: it never reads outside `in`, never
//     writes outside out[0..n), and never has undefined behaviour. Garbage that happens to be
//     well-formed decodes to some values of the right type (Bool values are always 0 or 1);
//   - Text values decoded point into `in`, which must outlive them.
// The ids are stored in blocks: never renumber them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/types.h"
#include "storage/columnar/status.h"

namespace omendb::storage::columnar {

enum class CodecId : uint8_t {
  Plain = 0,       // fixed-width values as little-endian bytes (Bool, Int32, Int64, Float64)
  Bitmap = 1,      // one bit per Bool
  FrameOfRef = 2,  // frame-of-reference bit packing per 1024 values (Int32, Int64)
  DeltaDelta = 3,  // delta-of-delta, bit packed (Int32, Int64: timestamps, counters, keys)
  Alp = 4,         // decimal-scaled integers with exceptions, ALP-style (Float64)
  Gorilla = 5,     // XOR with the previous value (Float64)
  Dictionary = 6,  // dictionary + run-length or packed codes (Text)
  PlainText = 7,   // packed lengths + bytes (Text)
};
constexpr uint8_t kMaxCodecId = 7;

// Values per chunk of a partial decode (decode_chunks): the frame-of-reference chunk (bitpack.h), so the
// packed codecs reach a chunk by skipping the headers before it.
constexpr uint64_t kDecodeChunk = 1024;

// Number of kDecodeChunk-value chunks of n values.
inline uint64_t decode_chunk_count(uint64_t n) {
  return (n + kDecodeChunk - 1) / kDecodeChunk;
}

class Codec {
 public:
  virtual ~Codec() = default;
  virtual CodecId id() const = 0;
  virtual std::string_view name() const = 0;
  virtual bool supports(TypeId type) const = 0;
  // Appends the encoding of values[0..n) to `out`. `type` must be supported.
  virtual void encode(TypeId type, const void* values, uint64_t n, std::string& out) const = 0;
  // Decodes exactly n values from all of `in` into out[0..n). Corruption when `in` is not exactly one
  // well-formed encoding of n values.
  Status decode(TypeId type, std::string_view in, uint64_t n, void* out) const {
    return decode_chunks(type, in, n, 0, decode_chunk_count(n), out);
  }
  // Decodes the values of chunks [first, end) of the encoding of n values in `in` (rows
  // [first * kDecodeChunk, min(n, end * kDecodeChunk))) into the same rows of out, the base of an n-value
  // array; writes no other row. InvalidArgument unless first <= end <= decode_chunk_count(n). Every chunk
  // of the range is checked as decode checks it; chunks outside it may not be.
  virtual Status decode_chunks(TypeId type, std::string_view in, uint64_t n, uint64_t first, uint64_t end,
                               void* out) const = 0;
};

// The codec with this id, or nullptr for an unknown id.
const Codec* codec_for(CodecId id);
const Codec* codec_for(uint8_t id);

// The codec type column blocks encode a column type as: its physical type (common/types.h) as one of
// Bool, Int32, Int64, Float64, Text. Date -> Int32; Time, Timestamp, TimestampTz -> Int64; Numeric, Bytea,
// Uuid -> Text. Unknown for the types blocks do not hold: interval (16-byte values), arrays, the catalog
// types (never table columns) and Unknown itself.
TypeId codec_type(TypeId type);

// Size in bytes of one decoded value of `type` (any column type; Text-like: sizeof(StrRef)); 0 for the
// types blocks do not hold.
size_t value_size(TypeId type);

// Encode-side helper shared by the integer codecs: values (codec type Int32 or Int64) widened to int64.
void widen_to_int64(TypeId type, const void* values, uint64_t n, int64_t* out);

}  // namespace omendb::storage::columnar
