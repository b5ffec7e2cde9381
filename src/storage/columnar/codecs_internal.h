// The codec singletons, one per file (plain_codec.cpp, bitmap_codec.cpp, ...). Use codec_for().
#pragma once

#include "storage/columnar/codec.h"

namespace omendb::storage::columnar::internal {

const Codec& plain_codec();
const Codec& bitmap_codec();
const Codec& frame_of_ref_codec();
const Codec& delta_delta_codec();
const Codec& alp_codec();
const Codec& gorilla_codec();
const Codec& dictionary_codec();
const Codec& plain_text_codec();

}  // namespace omendb::storage::columnar::internal
