#include "storage/columnar/codec.h"

#include <cstring>

#include "storage/columnar/codecs_internal.h"

namespace omendb::storage::columnar {

const Codec* codec_for(CodecId id) {
  return codec_for(static_cast<uint8_t>(id));
}

const Codec* codec_for(uint8_t id) {
  switch (static_cast<CodecId>(id)) {
    case CodecId::Plain:
      return &internal::plain_codec();
    case CodecId::Bitmap:
      return &internal::bitmap_codec();
    case CodecId::FrameOfRef:
      return &internal::frame_of_ref_codec();
    case CodecId::DeltaDelta:
      return &internal::delta_delta_codec();
    case CodecId::Alp:
      return &internal::alp_codec();
    case CodecId::Gorilla:
      return &internal::gorilla_codec();
    case CodecId::Dictionary:
      return &internal::dictionary_codec();
    case CodecId::PlainText:
      return &internal::plain_text_codec();
  }
  return nullptr;
}

size_t value_size(TypeId type) {
  switch (type) {
    case TypeId::Bool:
      return 1;
    case TypeId::Int32:
      return 4;
    case TypeId::Int64:
    case TypeId::Float64:
      return 8;
    case TypeId::Text:
      return sizeof(StrRef);
    case TypeId::Unknown:
    case TypeId::Date:  // date/time types are not sealed into columns yet
    case TypeId::Time:
    case TypeId::Timestamp:
    case TypeId::TimestampTz:
    case TypeId::Interval:
    case TypeId::Oid:  // catalog types are never stored
    case TypeId::Name:
    case TypeId::Char:
    case TypeId::Numeric:  // not sealed into columns yet (Store::sealable)
    default:               // nor arrays
      break;
  }
  return 0;
}

void widen_to_int64(TypeId type, const void* values, uint64_t n, int64_t* out) {
  if (type == TypeId::Int32) {
    auto* v = static_cast<const int32_t*>(values);
    for (uint64_t i = 0; i < n; ++i) out[i] = v[i];
  } else if (n > 0) {
    std::memcpy(out, values, n * sizeof(int64_t));
  }
}

}  // namespace omendb::storage::columnar
