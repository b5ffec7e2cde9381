// Frame of reference: integers packed per 1024-value chunk as (value - chunk min) in the fewest bits
// (bitpack.h). Constant chunks cost two or three bytes; small-range columns (status codes, device ids)
// a few bits per value. Decoding is one shift-and-mask per value.
#include <vector>

#include "storage/columnar/bitpack.h"
#include "storage/columnar/codecs_internal.h"

namespace omendb::storage::columnar::internal {

namespace {

// The packed chunks are the decode chunks: chunk c of the column is packed chunk c.
static_assert(kChunkValues == kDecodeChunk);

class FrameOfRefCodec final : public Codec {
 public:
  CodecId id() const override { return CodecId::FrameOfRef; }
  std::string_view name() const override { return "for"; }
  bool supports(TypeId type) const override { return is_integer(type); }
  void encode(TypeId type, const void* values, uint64_t n, std::string& out) const override {
    std::vector<int64_t> wide(n);
    widen_to_int64(type, values, n, wide.data());
    pack_int64(wide.data(), n, out);
  }
  Status decode_chunks(TypeId type, std::string_view in, uint64_t n, uint64_t first, uint64_t end,
                       void* out) const override {
    if (!supports(type)) return Status::invalid_argument("frame-of-reference codec: unsupported type");
    ChunkRows rows;
    if (!chunk_rows(n, first, end, rows))
      return Status::invalid_argument("frame-of-reference codec: bad chunk range");
    Reader r(in);
    bool ok = type == TypeId::Int32 ? unpack_int64_to(r, n, first, end, static_cast<int32_t*>(out))
                                    : unpack_int64_to(r, n, first, end, static_cast<int64_t*>(out));
    if (!ok || r.remaining() != 0) return Status::corruption("frame-of-reference: malformed");
    return Status::ok();
  }
};

}  // namespace

const Codec& frame_of_ref_codec() {
  static const FrameOfRefCodec codec;
  return codec;
}

}  // namespace omendb::storage::columnar::internal
