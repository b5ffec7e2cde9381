// Bit-per-value bitmaps (LSB first within each byte, ceil(n/8) bytes, unused high bits of the last byte
// zero): Bool values and NULL flags.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace omendb::storage::columnar {

inline size_t bitmap_bytes(uint64_t n) {
  return static_cast<size_t>((n + 7) / 8);
}

// Appends the bitmap of flags[0..n) (a flag is set when its byte is non-zero).
inline void append_bitmap(const uint8_t* flags, uint64_t n, std::string& out) {
  size_t base = out.size();
  out.resize(base + bitmap_bytes(n), '\0');
  auto* p = reinterpret_cast<uint8_t*>(out.data() + base);
  for (uint64_t i = 0; i < n; ++i) p[i >> 3] |= static_cast<uint8_t>((flags[i] != 0) << (i & 7));
}

// Expands rows [from, to) of a bitmap of exactly bitmap_bytes(n) bytes into out[from..to) as 0/1 bytes
// (from a multiple of 8, to <= n). False when the size is wrong or an unused bit is set.
inline bool read_bitmap(const uint8_t* p, size_t size, uint64_t n, uint64_t from, uint64_t to, uint8_t* out) {
  if (size != bitmap_bytes(n)) return false;
  if ((n & 7) != 0 && (p[size - 1] >> (n & 7)) != 0) return false;
  uint64_t full = to >> 3;
  for (uint64_t b = from >> 3; b < full; ++b) {
    uint8_t byte = p[b];
    uint8_t* o = out + b * 8;
    for (int j = 0; j < 8; ++j) o[j] = (byte >> j) & 1;
  }
  for (uint64_t i = full * 8 > from ? full * 8 : from; i < to; ++i) out[i] = (p[i >> 3] >> (i & 7)) & 1;
  return true;
}

// Expands a whole bitmap: read_bitmap of rows [0, n).
inline bool read_bitmap(const uint8_t* p, size_t size, uint64_t n, uint8_t* out) {
  return read_bitmap(p, size, n, 0, n, out);
}

// Number of set bits in a bitmap of `size` bytes.
inline uint64_t bitmap_popcount(const uint8_t* p, size_t size) {
  uint64_t c = 0;
  for (size_t i = 0; i < size; ++i) c += static_cast<uint64_t>(__builtin_popcount(p[i]));
  return c;
}

}  // namespace omendb::storage::columnar
