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

// Decodes into int64 slots; the caller narrows for Int32.
bool decode_dd(Reader& r, uint64_t n, int64_t* out) {
  if (n == 0) return true;
  int64_t v0;
  if (!r.zigzag_varint(v0)) return false;
  out[0] = v0;
  if (n == 1) return true;
  int64_t d0;
  if (!r.zigzag_varint(d0)) return false;
  uint64_t v = static_cast<uint64_t>(v0) + static_cast<uint64_t>(d0);
  uint64_t d = static_cast<uint64_t>(d0);
  out[1] = static_cast<int64_t>(v);
  int64_t* rest = out + 2;
  return unpack_int64(r, n - 2, [&](size_t start, size_t len, uint64_t min, const uint64_t* dd) {
    // Local copies: stores to o (int64_t) may alias d and v (uint64_t) as far as the compiler knows.
    int64_t* o = rest + start;
    uint64_t dl = d, vl = v;
    for (size_t i = 0; i < len; ++i) {
      dl += min + dd[i];
      vl += dl;
      o[i] = static_cast<int64_t>(vl);
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
  Status decode(TypeId type, std::string_view in, uint64_t n, void* out) const override {
    if (!supports(type)) return Status::invalid_argument("delta-delta codec: unsupported type");
    Reader r(in);
    bool ok;
    if (type == TypeId::Int64) {
      ok = decode_dd(r, n, static_cast<int64_t*>(out));
    } else {
      // Int32: decode wide in chunks-sized pieces would complicate the prefix sums; a block holds at most
      // kMaxBlockRows values, so one temporary is fine.
      std::vector<int64_t> wide(n);
      ok = decode_dd(r, n, wide.data());
      auto* o = static_cast<int32_t*>(out);
      if (ok) {
        for (uint64_t i = 0; i < n; ++i) o[i] = static_cast<int32_t>(wide[i]);
      }
    }
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
