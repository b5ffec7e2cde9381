// Gorilla XOR (Pelkonen et al., "Gorilla: A Fast, Scalable, In-Memory Time Series Database", VLDB 2015)
// for doubles that are not short decimals. Works on the raw 64-bit patterns, so it is lossless for
// every value. The bit stream is MSB-first:
//   first value: 64 bits
//   then per value, x = bits ^ previous bits:
//     '0'                         x == 0
//     '10' + meaningful bits      x fits the previous window (leading/length)
//     '11' + 6 bits leading zeros + 6 bits (length - 1) + length bits
// followed by 8 zero bytes of padding so the reader can load 8 bytes at any position in the stream.
#include <cstring>
#include <vector>

#include "storage/columnar/bytes.h"
#include "storage/columnar/codecs_internal.h"

namespace omendb::storage::columnar::internal {

namespace {

constexpr size_t kPadding = 8;

class BitWriter {
 public:
  explicit BitWriter(std::string& out) : out_(out) {}
  void put(uint64_t v, unsigned bits) {  // bits in 1..64, v's low `bits` bits
    for (unsigned i = bits; i-- > 0;) {
      acc_ = static_cast<uint8_t>((acc_ << 1) | ((v >> i) & 1));
      if (++n_ == 8) {
        out_.push_back(static_cast<char>(acc_));
        acc_ = 0;
        n_ = 0;
      }
    }
  }
  void finish() {
    if (n_ > 0) out_.push_back(static_cast<char>(acc_ << (8 - n_)));
    out_.append(kPadding, '\0');
  }

 private:
  std::string& out_;
  uint8_t acc_ = 0;
  unsigned n_ = 0;
};

// Reads MSB-first bits from a stream followed by kPadding bytes; `ok()` turns false if a read goes
// past the stream's end (then reads return 0 and stay in bounds).
class BitReader {
 public:
  BitReader(const uint8_t* p, size_t stream_bytes) : p_(p), total_bits_(uint64_t{stream_bytes} * 8) {}
  uint64_t get(unsigned bits) {  // bits in 1..64
    if (pos_ + bits > total_bits_) {
      ok_ = false;
      return 0;
    }
    const uint8_t* q = p_ + (pos_ >> 3);
    unsigned s = pos_ & 7;
    uint64_t w = __builtin_bswap64(load_u64(q)) << s;  // the next 64 - s bits, left-aligned
    if (bits + s > 64) w |= uint64_t{q[8]} >> (8 - s);
    pos_ += bits;
    return w >> (64 - bits);
  }
  bool ok() const { return ok_; }
  uint64_t pos_bits() const { return pos_; }

 private:
  const uint8_t* p_;
  uint64_t total_bits_;
  uint64_t pos_ = 0;
  bool ok_ = true;
};

class GorillaCodec final : public Codec {
 public:
  CodecId id() const override { return CodecId::Gorilla; }
  std::string_view name() const override { return "gorilla"; }
  bool supports(TypeId type) const override { return type == TypeId::Float64; }

  void encode(TypeId type, const void* values, uint64_t n, std::string& out) const override {
    if (n == 0) return;
    BitWriter w(out);
    auto* bytes = static_cast<const uint8_t*>(values);
    uint64_t prev = load_u64(bytes);
    w.put(prev, 64);
    unsigned lead = 64, len = 0;  // no window yet
    for (uint64_t i = 1; i < n; ++i) {
      uint64_t cur = load_u64(bytes + i * 8);
      uint64_t x = cur ^ prev;
      prev = cur;
      if (x == 0) {
        w.put(0, 1);
        continue;
      }
      unsigned l = static_cast<unsigned>(__builtin_clzll(x));
      unsigned t = static_cast<unsigned>(__builtin_ctzll(x));
      if (len != 0 && l >= lead && t >= 64 - lead - len) {
        w.put(0b10, 2);
        w.put(x >> (64 - lead - len), len);
      } else {
        lead = l;
        len = 64 - l - t;
        w.put(0b11, 2);
        w.put(lead, 6);
        w.put(len - 1, 6);
        w.put(x >> t, len);
      }
    }
    w.finish();
  }

  // The bit stream is sequential: a partial decode reads it from the start up to its last row and stores
  // only the rows asked for; only a decode that reaches the last row checks how the stream ends.
  Status decode_chunks(TypeId type, std::string_view in, uint64_t n, uint64_t first, uint64_t end,
                       void* out) const override {
    if (!supports(type)) return Status::invalid_argument("gorilla codec: unsupported type");
    ChunkRows rows;
    if (!chunk_rows(n, first, end, rows)) return Status::invalid_argument("gorilla codec: bad chunk range");
    if (n == 0) {
      if (!in.empty()) return Status::corruption("gorilla: bytes for no values");
      return Status::ok();
    }
    if (in.size() < kPadding + 8) return Status::corruption("gorilla: truncated");
    size_t stream = in.size() - kPadding;
    auto* p = reinterpret_cast<const uint8_t*>(in.data());
    for (size_t i = stream; i < in.size(); ++i) {
      if (p[i] != 0) return Status::corruption("gorilla: bad padding");
    }
    if (rows.from == rows.to) return Status::ok();
    BitReader r(p, stream);
    auto* o = static_cast<uint8_t*>(out);
    uint64_t prev = r.get(64);
    if (rows.from == 0) std::memcpy(o, &prev, 8);
    unsigned lead = 64, len = 0;
    for (uint64_t i = 1; i < rows.to && r.ok(); ++i) {
      if (r.get(1) != 0) {
        if (r.get(1) != 0) {
          lead = static_cast<unsigned>(r.get(6));
          len = static_cast<unsigned>(r.get(6)) + 1;
          if (lead + len > 64) return Status::corruption("gorilla: bad window");
        } else if (len == 0) {
          return Status::corruption("gorilla: window reused before it was set");
        }
        prev ^= r.get(len) << (64 - lead - len);
      }
      if (i >= rows.from) std::memcpy(o + i * 8, &prev, 8);
    }
    if (!r.ok()) return Status::corruption("gorilla: malformed stream");
    // The stream must end within its last byte: no whole byte left unread.
    if (rows.to == n && (stream * 8 - r.pos_bits()) >= 8)
      return Status::corruption("gorilla: malformed stream");
    return Status::ok();
  }
};

}  // namespace

const Codec& gorilla_codec() {
  static const GorillaCodec codec;
  return codec;
}

}  // namespace omendb::storage::columnar::internal
