// Bitmap: one bit per Bool value, LSB first within each byte, ceil(n/8) bytes. Unused high bits of the
// last byte must be zero. The column layer stores NULL bitmaps the same way (null_bitmap.h).
#include "storage/columnar/codecs_internal.h"
#include "storage/columnar/null_bitmap.h"

namespace omendb::storage::columnar::internal {

namespace {

class BitmapCodec final : public Codec {
 public:
  CodecId id() const override { return CodecId::Bitmap; }
  std::string_view name() const override { return "bitmap"; }
  bool supports(TypeId type) const override { return type == TypeId::Bool; }
  void encode(TypeId type, const void* values, uint64_t n, std::string& out) const override {
    append_bitmap(static_cast<const uint8_t*>(values), n, out);
  }
  Status decode_chunks(TypeId type, std::string_view in, uint64_t n, uint64_t first, uint64_t end,
                       void* out) const override {
    if (!supports(type)) return Status::invalid_argument("bitmap codec: unsupported type");
    ChunkRows rows;
    if (!chunk_rows(n, first, end, rows)) return Status::invalid_argument("bitmap codec: bad chunk range");
    if (!read_bitmap(reinterpret_cast<const uint8_t*>(in.data()), in.size(), n, rows.from, rows.to,
                     static_cast<uint8_t*>(out))) {
      return Status::corruption("bitmap: wrong length or stray bits");
    }
    return Status::ok();
  }
};

}  // namespace

const Codec& bitmap_codec() {
  static const BitmapCodec codec;
  return codec;
}

}  // namespace omendb::storage::columnar::internal
