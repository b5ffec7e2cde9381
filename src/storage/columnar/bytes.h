// Byte-level helpers shared by the codecs: little-endian fixed-width values, LEB128 varints, zigzag,
// and a bounds-checked reader. Every read of untrusted bytes goes through Reader, which reports
// running past the end instead of doing it.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace omendb::storage::columnar {

static_assert(std::endian::native == std::endian::little, "the columnar format is little-endian");

inline void put_u8(std::string& out, uint8_t v) {
  out.push_back(static_cast<char>(v));
}
inline void put_u64(std::string& out, uint64_t v) {
  char b[8];
  std::memcpy(b, &v, 8);
  out.append(b, 8);
}
inline void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
inline uint64_t zigzag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t unzigzag(uint64_t v) {
  return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
}
inline uint64_t load_u64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// Reads from [p, end). Every method returns false (and consumes nothing) when the bytes are missing
// or malformed.
class Reader {
 public:
  Reader(const uint8_t* p, size_t n) : p_(p), end_(p + n) {}
  explicit Reader(std::string_view s) : Reader(reinterpret_cast<const uint8_t*>(s.data()), s.size()) {}

  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  const uint8_t* pos() const { return p_; }

  bool u8(uint8_t& v) {
    if (p_ == end_) return false;
    v = *p_++;
    return true;
  }
  bool u64(uint64_t& v) {
    if (remaining() < 8) return false;
    v = load_u64(p_);
    p_ += 8;
    return true;
  }
  bool varint(uint64_t& v) {
    uint64_t r = 0;
    const uint8_t* p = p_;
    for (int shift = 0; shift < 64 && p < end_; shift += 7) {
      uint8_t b = *p++;
      if (shift == 63 && b > 1) return false;  // more than 64 bits
      r |= uint64_t{b & 0x7Fu} << shift;
      if (!(b & 0x80)) {
        v = r;
        p_ = p;
        return true;
      }
    }
    return false;
  }
  bool zigzag_varint(int64_t& v) {
    uint64_t u;
    if (!varint(u)) return false;
    v = unzigzag(u);
    return true;
  }
  // Points `out` at the next n bytes and skips them.
  bool bytes(size_t n, const uint8_t*& out) {
    if (remaining() < n) return false;
    out = p_;
    p_ += n;
    return true;
  }
  bool skip(size_t n) {
    if (remaining() < n) return false;
    p_ += n;
    return true;
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

}  // namespace omendb::storage::columnar
