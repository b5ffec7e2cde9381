// ALP-style exact doubles (Afroozeh, Kuffo, Boncz: "ALP: Adaptive Lossless floating-Point Compression",
// SIGMOD 2024). Metrics such as 42.17 are decimals stored as doubles: v * 10^e * 10^-f rounds to an
// integer k, and k * 10^f * 10^-e gives v back bit for bit. The integers are frame-of-reference packed.
// Values for which that is not exact (NaN, +-inf, -0.0, too many digits, too large) are exceptions,
// stored verbatim with their positions, so the codec is lossless for every bit pattern.
//
//   u8 e, u8 f                 exponent and factor, f <= e <= 18, one pair per column (chosen by sampling)
//   varint exception count
//   packed run of n integers   exception slots hold the previous encodable integer (keeps chunks narrow)
//   packed run of the exception positions (strictly increasing, < n)
//   8 bytes per exception      the original bits
#include <cmath>
#include <cstring>
#include <vector>

#include "storage/columnar/bitpack.h"
#include "storage/columnar/codecs_internal.h"

namespace omendb::storage::columnar::internal {

namespace {

constexpr int kMaxExponent = 18;
constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8, 1e9,
                             1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18};
constexpr double kNegPow10[] = {1e0,   1e-1,  1e-2,  1e-3,  1e-4,  1e-5,  1e-6,  1e-7,  1e-8, 1e-9,
                                1e-10, 1e-11, 1e-12, 1e-13, 1e-14, 1e-15, 1e-16, 1e-17, 1e-18};
// |x| below this rounds exactly with the add-and-subtract trick, and every encoded integer k then has
// |k| <= 2^51, where int_to_double's bit trick is exact.
constexpr double kEncodeLimit = 2251799813685248.0;  // 2^51
constexpr double kMagic = 6755399441055744.0;        // 2^52 + 2^51
constexpr uint64_t kMagicBits = 0x4338000000000000;  // the bits of kMagic

// static_cast<double>(k) for |k| <= 2^51, as an integer add and a double subtract, which vectorize on
// plain x86-64 (SSE2 has no int64 -> double conversion). Other k (only from corrupt input) give some
// other finite double, never undefined behaviour.
inline double int_to_double(int64_t k) {
  uint64_t bits = kMagicBits + static_cast<uint64_t>(k);
  double d;
  std::memcpy(&d, &bits, 8);
  return d - kMagic;
}

uint64_t bits_of(double d) {
  uint64_t b;
  std::memcpy(&b, &d, 8);
  return b;
}

inline double alp_decode(int64_t k, int e, int f) {
  return int_to_double(k) * kPow10[f] * kNegPow10[e];
}

// Encodes v with (e, f); false when v is not exactly recoverable.
inline bool alp_encode(double v, int e, int f, int64_t& k) {
  double scaled = v * kPow10[e] * kNegPow10[f];
  if (!(std::fabs(scaled) < kEncodeLimit)) return false;  // also NaN and inf
  double rounded = (scaled + kMagic) - kMagic;
  k = static_cast<int64_t>(rounded);
  return bits_of(alp_decode(k, e, f)) == bits_of(v);
}

// Picks (e, f) minimizing the estimated size on an evenly spaced sample of up to 256 values.
void choose_exponents(const double* v, uint64_t n, int& best_e, int& best_f) {
  constexpr uint64_t kSample = 256;
  uint64_t step = n <= kSample ? 1 : n / kSample;
  best_e = 0;
  best_f = 0;
  uint64_t best_bits = ~uint64_t{0};
  for (int e = kMaxExponent; e >= 0; --e) {
    for (int f = e; f >= 0; --f) {
      uint64_t count = 0, exceptions = 0;
      int64_t lo = INT64_MAX, hi = INT64_MIN;
      for (uint64_t i = 0; i < n; i += step) {
        ++count;
        int64_t k;
        if (alp_encode(v[i], e, f, k)) {
          lo = k < lo ? k : lo;
          hi = k > hi ? k : hi;
        } else {
          ++exceptions;
        }
      }
      unsigned width = lo <= hi ? bit_width(static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo)) : 0;
      uint64_t bits = count * width + exceptions * (64 + 16);
      if (bits < best_bits) {
        best_bits = bits;
        best_e = e;
        best_f = f;
      }
    }
  }
}

class AlpCodec final : public Codec {
 public:
  CodecId id() const override { return CodecId::Alp; }
  std::string_view name() const override { return "alp"; }
  bool supports(TypeId type) const override { return type == TypeId::Float64; }

  void encode(TypeId type, const void* values, uint64_t n, std::string& out) const override {
    auto* v = static_cast<const double*>(values);
    int e = 0, f = 0;
    if (n > 0) choose_exponents(v, n, e, f);
    put_u8(out, static_cast<uint8_t>(e));
    put_u8(out, static_cast<uint8_t>(f));
    std::vector<int64_t> ints(n);
    std::vector<int64_t> positions;
    std::vector<uint64_t> exceptions;
    bool have_prev = false;
    int64_t prev = 0;
    for (uint64_t i = 0; i < n; ++i) {
      int64_t k;
      if (alp_encode(v[i], e, f, k)) {
        ints[i] = k;
        if (!have_prev) {
          // leading exceptions take the first encodable value
          for (uint64_t j : positions) ints[j] = k;
          have_prev = true;
        }
        prev = k;
      } else {
        ints[i] = prev;
        positions.push_back(static_cast<int64_t>(i));
        exceptions.push_back(bits_of(v[i]));
      }
    }
    put_varint(out, positions.size());
    pack_int64(ints.data(), n, out);
    pack_int64(positions.data(), positions.size(), out);
    for (uint64_t b : exceptions) put_u64(out, b);
  }

  Status decode_chunks(TypeId type, std::string_view in, uint64_t n, uint64_t first, uint64_t end,
                       void* out) const override {
    if (!supports(type)) return Status::invalid_argument("alp codec: unsupported type");
    ChunkRows rows;
    if (!chunk_rows(n, first, end, rows)) return Status::invalid_argument("alp codec: bad chunk range");
    auto* o = static_cast<double*>(out);
    Reader r(in);
    uint8_t e, f;
    uint64_t exceptions;
    if (!r.u8(e) || !r.u8(f) || e > kMaxExponent || f > e || !r.varint(exceptions) || exceptions > n) {
      return Status::corruption("alp: bad header");
    }
    const double mul = kPow10[f], scale = kNegPow10[e];
    // Captures by value: the stores to dst must not look like they could change mul or scale.
    bool ok = unpack_int64(r, n, first, end,
                           [o, mul, scale](size_t start, size_t len, uint64_t min, const uint64_t* d) {
                             double* dst = o + start;
                             for (size_t i = 0; i < len; ++i) {
                               dst[i] = int_to_double(static_cast<int64_t>(min + d[i])) * mul * scale;
                             }
                           });
    if (!ok) return Status::corruption("alp: malformed integers");
    // Positions: validated strictly increasing and < n before any value is patched.
    std::vector<int64_t> positions(exceptions);
    if (!unpack_int64_to(r, exceptions, positions.data()))
      return Status::corruption("alp: malformed positions");
    for (uint64_t i = 0; i < exceptions; ++i) {
      uint64_t p = static_cast<uint64_t>(positions[i]);
      if (p >= n || (i > 0 && p <= static_cast<uint64_t>(positions[i - 1]))) {
        return Status::corruption("alp: bad exception position");
      }
    }
    if (r.remaining() != exceptions * 8) return Status::corruption("alp: wrong exception bytes");
    const uint8_t* p = r.pos();
    for (uint64_t i = 0; i < exceptions; ++i) {
      const uint64_t row = static_cast<uint64_t>(positions[i]);
      if (row >= rows.from && row < rows.to) std::memcpy(&o[row], p + i * 8, 8);
    }
    return Status::ok();
  }
};

}  // namespace

const Codec& alp_codec() {
  static const AlpCodec codec;
  return codec;
}

}  // namespace omendb::storage::columnar::internal
