// Plain: fixed-width values as their little-endian bytes, n * sizeof(value) bytes. The fallback every
// fixed-width type can use, and the fastest to decode (one memcpy).
#include <cstring>

#include "storage/columnar/codecs_internal.h"

namespace omendb::storage::columnar::internal {

namespace {

class PlainCodec final : public Codec {
 public:
  CodecId id() const override { return CodecId::Plain; }
  std::string_view name() const override { return "plain"; }
  bool supports(TypeId type) const override {
    return type == TypeId::Bool || type == TypeId::Int32 || type == TypeId::Int64 || type == TypeId::Float64;
  }
  void encode(TypeId type, const void* values, uint64_t n, std::string& out) const override {
    if (n > 0) out.append(static_cast<const char*>(values), n * value_size(type));
  }
  Status decode_chunks(TypeId type, std::string_view in, uint64_t n, uint64_t first, uint64_t end,
                       void* out) const override {
    size_t size = value_size(type);
    if (!supports(type)) return Status::invalid_argument("plain codec: unsupported type");
    ChunkRows rows;
    if (!chunk_rows(n, first, end, rows)) return Status::invalid_argument("plain codec: bad chunk range");
    if (in.size() / size != n || in.size() % size != 0) return Status::corruption("plain: wrong length");
    if (rows.from == rows.to) return Status::ok();
    std::memcpy(static_cast<char*>(out) + rows.from * size, in.data() + rows.from * size,
                (rows.to - rows.from) * size);
    if (type == TypeId::Bool) {
      auto* b = static_cast<uint8_t*>(out);
      for (uint64_t i = rows.from; i < rows.to; ++i) b[i] = b[i] != 0;
    }
    return Status::ok();
  }
};

}  // namespace

const Codec& plain_codec() {
  static const PlainCodec codec;
  return codec;
}

}  // namespace omendb::storage::columnar::internal
