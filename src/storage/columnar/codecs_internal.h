// The codec singletons, one per file (plain_codec.cpp, bitmap_codec.cpp, ...). Use codec_for().
#pragma once

#include "storage/columnar/codec.h"

namespace omendb::storage::columnar::internal {

// The rows [from, to) of chunks [first, end) of n values (Codec::decode_chunks).
struct ChunkRows {
  uint64_t from = 0, to = 0;
};

// The rows of chunks [first, end) of n values; false when the range is not first <= end <=
// decode_chunk_count(n).
inline bool chunk_rows(uint64_t n, uint64_t first, uint64_t end, ChunkRows& rows) {
  if (first > end || end > decode_chunk_count(n)) return false;
  rows.from = first * kDecodeChunk < n ? first * kDecodeChunk : n;
  rows.to = end * kDecodeChunk < n ? end * kDecodeChunk : n;
  return true;
}

const Codec& plain_codec();
const Codec& bitmap_codec();
const Codec& frame_of_ref_codec();
const Codec& delta_delta_codec();
const Codec& alp_codec();
const Codec& gorilla_codec();
const Codec& dictionary_codec();
const Codec& plain_text_codec();

}  // namespace omendb::storage::columnar::internal
