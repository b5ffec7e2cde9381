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

TypeId codec_type(TypeId type) {
  if (!storable(type) || is_array(type)) return TypeId::Unknown;
  switch (physical_type(type)) {
    case PhysType::Bool:
      return TypeId::Bool;
    case PhysType::Int32:
      return TypeId::Int32;
    case PhysType::Int64:
      return TypeId::Int64;
    case PhysType::Float64:
      return TypeId::Float64;
    case PhysType::Text:
      return TypeId::Text;
    case PhysType::Interval:  // {int64, int32, int32}: no codec yet
      break;
  }
  return TypeId::Unknown;
}

size_t value_size(TypeId type) {
  switch (codec_type(type)) {
    case TypeId::Bool:
      return 1;
    case TypeId::Int32:
      return 4;
    case TypeId::Int64:
    case TypeId::Float64:
      return 8;
    case TypeId::Text:
      return sizeof(StrRef);
    default:
      return 0;
  }
}

void widen_to_int64(TypeId type, const void* values, uint64_t n, int64_t* out) {
  if (codec_type(type) == TypeId::Int32) {
    auto* v = static_cast<const int32_t*>(values);
    for (uint64_t i = 0; i < n; ++i) out[i] = v[i];
  } else if (n > 0) {
    std::memcpy(out, values, n * sizeof(int64_t));
  }
}

}  // namespace omendb::storage::columnar
