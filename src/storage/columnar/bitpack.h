// Frame-of-reference bit packing, the integer primitive under most codecs.
//
// A packed run of n int64 values is a sequence of chunks of up to kChunkValues values, then
// kPackPadding zero bytes:
//   chunk:   varint zigzag(min)   the chunk's smallest value (signed)
//            u8     width         bits per value, 0..64
//            ceil(len*width/8) bytes: value - min (mod 2^64), LSB-first, value i at bit i*width
// The padding lets the decoder load 8 bytes at any packed value's byte without a bounds check; the
// decoder verifies that the padding is present before it unpacks anything. Differences are computed
// modulo 2^64, so any int64 input (INT64_MIN next to INT64_MAX included) round-trips.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "storage/columnar/bytes.h"

namespace omendb::storage::columnar {

constexpr size_t kChunkValues = 1024;
constexpr size_t kPackPadding = 8;

// Appends n values as packed chunks plus padding.
void pack_int64(const int64_t* values, size_t n, std::string& out);

// Bits needed for the unsigned value v (0 for 0).
inline unsigned bit_width(uint64_t v) {
  return v == 0 ? 0u : 64u - static_cast<unsigned>(__builtin_clzll(v));
}

// Unpacks `n` values of `width` bits starting at p into out[0..n). p must have
// ceil(n*width/8) + 8 readable bytes.
void unpack_bits(const uint8_t* p, size_t n, unsigned width, uint64_t* out);

// Unpacks like unpack_bits and writes static_cast<T>(static_cast<int64_t>(min + value)) to out[0..n).
// T is int32_t, int64_t or uint64_t.
template <class T>
void unpack_bits_add(const uint8_t* p, size_t n, unsigned width, uint64_t min, T* out);

// Number of kChunkValues-value chunks of n values (the last one may be partial).
inline size_t chunk_count(size_t n) {
  return (n + kChunkValues - 1) / kChunkValues;
}

// Decodes chunks [first, end) of a packed run of exactly n values from r (chunk c holds values
// [c * kChunkValues, ...)), calling sink(start, len, min, deltas) once per decoded chunk in order, where
// value start+i == static_cast<int64_t>(min + deltas[i]) for i < len. The other chunks' headers are read
// and their bits skipped, so r ends after the whole run and the run's structure (headers, lengths,
// padding) is checked whatever the range. Returns false when the bytes are truncated or malformed (the
// sink may have been called for earlier chunks). first <= end <= chunk_count(n).
template <class Sink>
bool unpack_int64(Reader& r, size_t n, size_t first, size_t end, Sink&& sink) {
  alignas(64) uint64_t deltas[kChunkValues];
  for (size_t c = 0, start = 0; start < n; ++c, start += kChunkValues) {
    size_t len = n - start < kChunkValues ? n - start : kChunkValues;
    int64_t min;
    uint8_t width;
    if (!r.zigzag_varint(min) || !r.u8(width) || width > 64) return false;
    size_t bytes = (len * width + 7) / 8;
    if (r.remaining() < bytes + kPackPadding) return false;
    if (c >= first && c < end) {
      unpack_bits(r.pos(), len, width, deltas);
      sink(start, len, static_cast<uint64_t>(min), static_cast<const uint64_t*>(deltas));
    }
    r.skip(bytes);
  }
  const uint8_t* pad;
  return r.bytes(kPackPadding, pad);
}

// unpack_int64 of every chunk.
template <class Sink>
bool unpack_int64(Reader& r, size_t n, Sink&& sink) {
  return unpack_int64(r, n, 0, chunk_count(n), sink);
}

// Decodes chunks [first, end) of a packed run of n values straight into out[start..) (out is the base of
// an n-value array; nothing outside those chunks' values is written), converting each to T (wrapping); T
// is int32_t, int64_t or uint64_t. Reads and checks the whole run as unpack_int64 does. False when the
// bytes are truncated or malformed.
template <class T>
bool unpack_int64_to(Reader& r, size_t n, size_t first, size_t end, T* out) {
  for (size_t c = 0, start = 0; start < n; ++c, start += kChunkValues) {
    size_t len = n - start < kChunkValues ? n - start : kChunkValues;
    int64_t min;
    uint8_t width;
    if (!r.zigzag_varint(min) || !r.u8(width) || width > 64) return false;
    size_t bytes = (len * width + 7) / 8;
    if (r.remaining() < bytes + kPackPadding) return false;
    if (c >= first && c < end) unpack_bits_add(r.pos(), len, width, static_cast<uint64_t>(min), out + start);
    r.skip(bytes);
  }
  const uint8_t* pad;
  return r.bytes(kPackPadding, pad);
}

// unpack_int64_to of every chunk.
template <class T>
bool unpack_int64_to(Reader& r, size_t n, T* out) {
  return unpack_int64_to(r, n, 0, chunk_count(n), out);
}

}  // namespace omendb::storage::columnar
