// One column of a block: the NULL bitmap plus the values through a codec (codec.h), and the selector
// that picks the codec.
//
// Column chunk format:
//   u8 null mode
//     0  no NULLs: the codec's encoding of the n values follows
//     1  some NULLs: bitmap of the NULL flags (null_bitmap.h, ceil(n/8) bytes), then the codec's encoding
//        of n values, NULL slots filled with the previous non-NULL value (the first one for leading NULLs)
//        so they cost nothing in delta, run-length or dictionary codecs
//     2  all NULL: nothing follows
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/types.h"
#include "storage/columnar/codec.h"
#include "storage/columnar/status.h"

namespace omendb::storage::columnar {

// Candidate codecs for a column type (those of its codec_type(): a timestamp's are the integer codecs),
// fastest to decode first; empty for a type blocks do not hold.
const std::vector<CodecId>& candidate_codecs(TypeId type);

// Picks the candidate codec that encodes an evenly spread sample (up to 8 windows of 1024 consecutive
// rows) of the column into the fewest bytes; ties go to the faster codec. `nulls` may be null.
CodecId choose_codec(TypeId type, const void* data, const uint8_t* nulls, uint64_t n);

// Appends the column chunk of n rows. `nulls` may be null (no NULLs); data slots under NULLs are
// ignored. InvalidArgument if the codec does not support the type.
Status encode_column(TypeId type, CodecId codec, const void* data, const uint8_t* nulls, uint64_t n,
                     std::string& out);

// Decodes a column chunk of exactly n rows with `null_count` NULLs (from the block header) into data
// (n values, see codec.h) and nulls (n bytes, 1 = NULL). Data under NULLs is some valid value of the type
// (zero or a neighbour). Corruption if the chunk is malformed or disagrees with null_count.
Status decode_column(TypeId type, CodecId codec, std::string_view in, uint64_t n, uint64_t null_count,
                     void* data, uint8_t* nulls);

// decode_column of the rows of chunks [first, end) only (Codec::decode_chunks): writes data and nulls of
// rows [first * kDecodeChunk, min(n, end * kDecodeChunk)) and of no other row (data and nulls are the
// bases of n-row arrays). decode_column is this of every chunk. InvalidArgument for a bad range.
Status decode_column_chunks(TypeId type, CodecId codec, std::string_view in, uint64_t n, uint64_t null_count,
                            uint64_t first, uint64_t end, void* data, uint8_t* nulls);

}  // namespace omendb::storage::columnar
