#include "storage/columnar/bitpack.h"

#include <array>
#include <utility>

namespace omendb::storage::columnar {

namespace {

// Value J of a group of 8 packed W-bit values starting at `base` (8 values fill exactly W bytes, so every
// group starts on a byte and all offsets and shifts are constants).
template <unsigned W, unsigned J>
inline uint64_t extract(const uint8_t* base) {
  constexpr uint64_t mask = W == 64 ? ~uint64_t{0} : (uint64_t{1} << W) - 1;
  constexpr unsigned bit = J * W;
  constexpr unsigned byte = bit >> 3, s = bit & 7;
  uint64_t v = load_u64(base + byte) >> s;
  if constexpr (s != 0 && W + s > 64) {
    v |= uint64_t{base[byte + 8]} << (64 - s);  // the value reaches past the 8 loaded bytes
  }
  return v & mask;
}

template <class T>
inline T add_min(uint64_t min, uint64_t v) {
  return static_cast<T>(static_cast<int64_t>(min + v));
}

template <unsigned W, class T, size_t... J>
inline void unpack_group(const uint8_t* base, uint64_t min, T* out, std::index_sequence<J...>) {
  ((out[J] = add_min<T>(min, extract<W, J>(base))), ...);
}

// One unpacker per width and output type, so shifts and masks are constants the compiler can schedule
// and vectorize, and the chunk minimum is added on the way out (no second pass).
template <unsigned W, class T>
void unpack_w(const uint8_t* p, size_t n, uint64_t min, T* out) {
  if constexpr (W == 0) {
    T v = add_min<T>(min, 0);
    for (size_t i = 0; i < n; ++i) out[i] = v;
  } else {
    constexpr uint64_t mask = W == 64 ? ~uint64_t{0} : (uint64_t{1} << W) - 1;
    size_t groups = n / 8;
    for (size_t g = 0; g < groups; ++g) {
      unpack_group<W>(p + g * W, min, out + g * 8, std::make_index_sequence<8>{});
    }
    for (size_t i = groups * 8; i < n; ++i) {
      size_t bit = i * W;
      const uint8_t* q = p + (bit >> 3);
      unsigned s = bit & 7;
      uint64_t v = load_u64(q) >> s;
      if constexpr (W > 57) {
        if (s != 0) v |= uint64_t{q[8]} << (64 - s);
      }
      out[i] = add_min<T>(min, v & mask);
    }
  }
}

template <class T>
using UnpackFn = void (*)(const uint8_t*, size_t, uint64_t, T*);

template <class T, size_t... W>
constexpr std::array<UnpackFn<T>, sizeof...(W)> make_table(std::index_sequence<W...>) {
  return {&unpack_w<static_cast<unsigned>(W), T>...};
}

template <class T>
constexpr auto kUnpack = make_table<T>(std::make_index_sequence<65>{});

void pack_chunk(const int64_t* v, size_t len, std::string& out) {
  int64_t min = v[0], max = v[0];
  for (size_t i = 1; i < len; ++i) {
    if (v[i] < min) min = v[i];
    if (v[i] > max) max = v[i];
  }
  unsigned w = bit_width(static_cast<uint64_t>(max) - static_cast<uint64_t>(min));
  put_varint(out, zigzag(min));
  put_u8(out, static_cast<uint8_t>(w));
  if (w == 0) return;
  size_t bytes = (len * w + 7) / 8;
  size_t base = out.size();
  out.resize(base + bytes, '\0');
  auto* p = reinterpret_cast<uint8_t*>(out.data() + base);
  uint64_t umin = static_cast<uint64_t>(min);
  size_t bit = 0;
  for (size_t i = 0; i < len; ++i, bit += w) {
    uint64_t d = static_cast<uint64_t>(v[i]) - umin;
    // write d at `bit`, byte by byte (the encoder is not on the query path)
    size_t byte = bit >> 3;
    unsigned s = bit & 7;
    unsigned left = w;
    p[byte] |= static_cast<uint8_t>(d << s);
    unsigned written = 8 - s;
    while (written < left) {
      p[++byte] |= static_cast<uint8_t>(d >> written);
      written += 8;
    }
  }
}

}  // namespace

void unpack_bits(const uint8_t* p, size_t n, unsigned width, uint64_t* out) {
  kUnpack<uint64_t>[width](p, n, 0, out);
}

template <class T>
void unpack_bits_add(const uint8_t* p, size_t n, unsigned width, uint64_t min, T* out) {
  kUnpack<T>[width](p, n, min, out);
}
template void unpack_bits_add<int32_t>(const uint8_t*, size_t, unsigned, uint64_t, int32_t*);
template void unpack_bits_add<int64_t>(const uint8_t*, size_t, unsigned, uint64_t, int64_t*);
template void unpack_bits_add<uint64_t>(const uint8_t*, size_t, unsigned, uint64_t, uint64_t*);

void pack_int64(const int64_t* values, size_t n, std::string& out) {
  for (size_t start = 0; start < n; start += kChunkValues) {
    size_t len = n - start < kChunkValues ? n - start : kChunkValues;
    pack_chunk(values + start, len, out);
  }
  out.append(kPackPadding, '\0');
}

}  // namespace omendb::storage::columnar
