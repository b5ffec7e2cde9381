// Delta-of-delta for timestamps and other near-monotonic integers (Gorilla's timestamp idea, packed
// like TimescaleDB's deltadelta but with frame-of-reference chunks instead of simple8b):
//   n == 0: nothing
//   varint zigzag(v0)
//   n >= 2: varint zigzag(v1 - v0), then the packed run (bitpack.h) of the n-2 second differences
//           (v[i] - v[i-1]) - (v[i-1] - v[i-2]).
// All arithmetic is modulo 2^64, so deltas that overflow int64 (INT64_MIN after INT64_MAX) still
// round-trip exactly. Regular timestamps have second differences of zero (width 0: ~0 bits per value);
// jittered ones need a few bits.
#include <vector>

#include "storage/columnar/bitpack.h"
#include "storage/columnar/codecs_internal.h"

namespace omendb::storage::columnar::internal {

namespace {

// Decodes rows [from, to) into out[from..to) (T: int64_t, or int32_t narrowed). The running sums reach
// `from` without the per-value dependency chain: a second-difference chunk wholly before it moves the
// state in closed form (v += len*d + sum (len-i)*dd[i], d += sum dd[i]), two independent reductions; the
// chunks after the one holding row to-1 are only skipped.
template <class T>
bool decode_dd(Reader& r, uint64_t n, uint64_t from, uint64_t to, T* out) {
  if (n == 0) return true;
  int64_t v0;
  if (!r.zigzag_varint(v0)) return false;
  if (from == 0 && to > 0) out[0] = static_cast<T>(v0);
  if (n == 1) return true;
  int64_t d0;
  if (!r.zigzag_varint(d0)) return false;
  uint64_t v = static_cast<uint64_t>(v0) + static_cast<uint64_t>(d0);
  uint64_t d = static_cast<uint64_t>(d0);
  if (from <= 1 && to > 1) out[1] = static_cast<T>(v);
  // Second difference j gives row j + 2; the chunks needed are those up to the one holding row to - 1.
  const uint64_t m = n - 2;
  const uint64_t end_chunk = to > 2 && from < to ? (to - 3) / kChunkValues + 1 : 0;
  return unpack_int64(r, m, 0, end_chunk, [&](size_t start, size_t len, uint64_t min, const uint64_t* dd) {
    const uint64_t row = start + 2;  // of dd[0]
    if (row + len <= from) {
      uint64_t sum = 0, weighted = 0;
      for (size_t i = 0; i < len; ++i) {
        sum += dd[i];
        weighted += (len - i) * dd[i];
      }
      const uint64_t l = len;
      v += l * d + weighted + min * (l * (l + 1) / 2);
      d += sum + l * min;
      return;
    }
    // Local copies: stores to o (T) may alias d and v (uint64_t) as far as the compiler knows.
    uint64_t dl = d, vl = v;
    size_t i = 0;
    const size_t skip = from > row ? from - row : 0;
    const size_t stop = to - row < len ? to - row : len;
    for (; i < skip; ++i) {
      dl += min + dd[i];
      vl += dl;
    }
    T* o = out + row;
    for (; i < stop; ++i) {
      dl += min + dd[i];
      vl += dl;
      o[i] = static_cast<T>(static_cast<int64_t>(vl));
    }
    d = dl;
    v = vl;
  });
}

class DeltaDeltaCodec final : public Codec {
 public:
  CodecId id() const override { return CodecId::DeltaDelta; }
  std::string_view name() const override { return "delta-delta"; }
  bool supports(TypeId type) const override { return is_integer(type); }
  void encode(TypeId type, const void* values, uint64_t n, std::string& out) const override {
    if (n == 0) return;
    std::vector<int64_t> v(n);
    widen_to_int64(type, values, n, v.data());
    put_varint(out, zigzag(v[0]));
    if (n == 1) return;
    uint64_t prev_delta = static_cast<uint64_t>(v[1]) - static_cast<uint64_t>(v[0]);
    put_varint(out, zigzag(static_cast<int64_t>(prev_delta)));
    std::vector<int64_t> dd(n - 2);
    for (uint64_t i = 2; i < n; ++i) {
      uint64_t delta = static_cast<uint64_t>(v[i]) - static_cast<uint64_t>(v[i - 1]);
      dd[i - 2] = static_cast<int64_t>(delta - prev_delta);
      prev_delta = delta;
    }
    pack_int64(dd.data(), n - 2, out);
  }
  Status decode_chunks(TypeId type, std::string_view in, uint64_t n, uint64_t first, uint64_t end,
                       void* out) const override {
    if (!supports(type)) return Status::invalid_argument("delta-delta codec: unsupported type");
    ChunkRows rows;
    if (!chunk_rows(n, first, end, rows))
      return Status::invalid_argument("delta-delta codec: bad chunk range");
    Reader r(in);
    bool ok = type == TypeId::Int64 ? decode_dd(r, n, rows.from, rows.to, static_cast<int64_t*>(out))
                                    : decode_dd(r, n, rows.from, rows.to, static_cast<int32_t*>(out));
    if (!ok || r.remaining() != 0) return Status::corruption("delta-delta: malformed");
    return Status::ok();
  }
};

}  // namespace

const Codec& delta_delta_codec() {
  static const DeltaDeltaCodec codec;
  return codec;
}

}  // namespace omendb::storage::columnar::internal
