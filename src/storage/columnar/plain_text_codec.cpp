// Plain text: the packed run (bitpack.h) of the n byte lengths, then the n strings back to back. For
// text with many distinct values; decoded StrRefs point into the input.
#include <vector>

#include "storage/columnar/bitpack.h"
#include "storage/columnar/codecs_internal.h"

namespace omendb::storage::columnar::internal {

namespace {

class PlainTextCodec final : public Codec {
 public:
  CodecId id() const override { return CodecId::PlainText; }
  std::string_view name() const override { return "plain-text"; }
  bool supports(TypeId type) const override { return type == TypeId::Text; }

  void encode(TypeId type, const void* values, uint64_t n, std::string& out) const override {
    auto* v = static_cast<const StrRef*>(values);
    std::vector<int64_t> lengths(n);
    for (uint64_t i = 0; i < n; ++i) lengths[i] = static_cast<int64_t>(v[i].len);
    pack_int64(lengths.data(), n, out);
    for (uint64_t i = 0; i < n; ++i) {
      if (v[i].len > 0) out.append(v[i].ptr, v[i].len);
    }
  }

  // A value's bytes start after every earlier value's: a partial decode sums the lengths of the chunks
  // before its rows (without storing them) and skips the chunks after; only a decode that reaches the
  // last row checks that the lengths add up to the bytes exactly.
  Status decode_chunks(TypeId type, std::string_view in, uint64_t n, uint64_t first, uint64_t end,
                       void* out) const override {
    if (!supports(type)) return Status::invalid_argument("plain-text codec: unsupported type");
    ChunkRows rows;
    if (!chunk_rows(n, first, end, rows))
      return Status::invalid_argument("plain-text codec: bad chunk range");
    auto* o = static_cast<StrRef*>(out);
    Reader r(in);
    uint64_t before = 0, total = 0;  // bytes of the rows before `from`, and up to `to`
    bool ok = unpack_int64(r, n, 0, end, [&](size_t start, size_t len, uint64_t min, const uint64_t* l) {
      const bool store = start >= rows.from;
      for (size_t i = 0; i < len; ++i) {
        uint64_t s = min + l[i];
        if (store) o[start + i].len = s;
        total = s > in.size() || total + s > in.size() ? in.size() + 1 : total + s;
      }
      if (!store) before = total;
    });
    if (!ok || total > r.remaining() || (rows.to == n && total != r.remaining()))
      return Status::corruption("plain-text: malformed");
    const char* p = reinterpret_cast<const char*>(r.pos()) + before;
    for (uint64_t i = rows.from; i < rows.to; ++i) {
      o[i].ptr = p;
      p += o[i].len;
    }
    return Status::ok();
  }
};

}  // namespace

const Codec& plain_text_codec() {
  static const PlainTextCodec codec;
  return codec;
}

}  // namespace omendb::storage::columnar::internal
