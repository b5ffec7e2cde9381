// libFuzzer target for the columnar codecs and blocks (src/storage/columnar). Built only with
// -DOMENDB_FUZZ=ON and clang; see tests/fuzz/README.md for how to run it.
//
// The first input byte picks what the rest means:
//   0  a column block: open it, scan every column, probe the zone maps
//   1  one codec's encoding: byte 1 codec id, byte 2 type, bytes 3-4 value count, the rest the encoding
//   2  values to round-trip through every codec that supports their type and through the selector:
//      byte 1 type, byte 2 NULL pattern, the rest the values
//   3  a block of two columns made from the rest, written and read back
// Decoding must fail cleanly or produce well-formed values; round trips must be bit-exact. Any
// violation aborts (a crash libFuzzer reports), as do sanitizer findings.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "storage/columnar/block.h"
#include "storage/columnar/codec.h"
#include "storage/columnar/column.h"

using namespace omendb;
using namespace omendb::storage;
using namespace omendb::storage::columnar;

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "codec_fuzz: %s\n", what);
  std::abort();
}

TypeId type_from(uint8_t b) {
  return static_cast<TypeId>(1 + b % 5);
}

// A successful decode of untrusted bytes must still give 0/1 bools and NULL flags, and text inside `in`.
void check_well_formed(TypeId type, const void* data, const uint8_t* nulls, uint64_t n, std::string_view in) {
  for (uint64_t i = 0; i < n; ++i) {
    if (nulls != nullptr && nulls[i] > 1) fail("NULL flag not 0/1");
    if (type == TypeId::Bool && static_cast<const uint8_t*>(data)[i] > 1) fail("bool not 0/1");
    if (type == TypeId::Text) {
      StrRef s = static_cast<const StrRef*>(data)[i];
      if (s.len == 0) continue;
      if (s.ptr < in.data() || s.len > in.size() || s.ptr + s.len > in.data() + in.size()) {
        fail("text outside the input");
      }
    }
  }
}

// Values of one type parsed from fuzz bytes, with storage for text.
struct Values {
  TypeId type;
  std::vector<uint8_t> raw;  // fixed-width values
  std::vector<StrRef> text;
  std::deque<std::string> strings;
  std::vector<uint8_t> nulls;
  uint64_t n = 0;
  const void* data() const {
    return type == TypeId::Text ? static_cast<const void*>(text.data()) : raw.data();
  }
};

Values parse_values(TypeId type, uint8_t null_pattern, const uint8_t* p, size_t size) {
  Values v;
  v.type = type;
  if (type == TypeId::Text) {
    // strings separated by 0xFF
    size_t start = 0;
    for (size_t i = 0; i <= size; ++i) {
      if (i == size || p[i] == 0xFF) {
        v.strings.emplace_back(reinterpret_cast<const char*>(p + start), i - start);
        v.text.push_back({v.strings.back().data(), v.strings.back().size()});
        start = i + 1;
      }
    }
    v.n = v.text.size();
  } else {
    size_t w = value_size(type);
    v.n = size / w;
    v.raw.assign(p, p + v.n * w);
    if (type == TypeId::Bool) {
      for (auto& b : v.raw) b = b & 1;
    }
  }
  // NULL pattern: 0 none; otherwise row i is NULL when bit (i % 8) of the pattern is set
  if (null_pattern != 0) {
    v.nulls.resize(v.n);
    for (uint64_t i = 0; i < v.n; ++i) v.nulls[i] = (null_pattern >> (i % 8)) & 1;
  }
  return v;
}

bool same_value(TypeId type, const void* a, const void* b, uint64_t i) {
  size_t w = value_size(type);
  if (type == TypeId::Text) {
    return static_cast<const StrRef*>(a)[i].view() == static_cast<const StrRef*>(b)[i].view();
  }
  return std::memcmp(static_cast<const uint8_t*>(a) + i * w, static_cast<const uint8_t*>(b) + i * w, w) == 0;
}

void expect_round_trip(const Values& v, CodecId codec) {
  std::string enc;
  const uint8_t* nulls = v.nulls.empty() ? nullptr : v.nulls.data();
  if (!encode_column(v.type, codec, v.data(), nulls, v.n, enc).is_ok()) fail("encode_column failed");
  uint64_t null_count = 0;
  for (uint8_t f : v.nulls) null_count += f;
  std::vector<uint8_t> out(v.n * value_size(v.type));
  std::vector<uint8_t> out_nulls(v.n);
  if (!decode_column(v.type, codec, enc, v.n, null_count, out.data(), out_nulls.data()).is_ok()) {
    fail("decode of a fresh encoding failed");
  }
  for (uint64_t i = 0; i < v.n; ++i) {
    bool is_null = nulls != nullptr && nulls[i];
    if (out_nulls[i] != is_null) fail("NULL flag changed");
    if (!is_null && !same_value(v.type, v.data(), out.data(), i)) fail("value changed in a round trip");
  }
}

void fuzz_block(std::string_view bytes, const uint8_t* probe, size_t probe_size) {
  BlockReader r;
  if (!r.open(bytes).is_ok()) return;
  std::vector<bool> all(r.column_count(), true);
  BlockScan scan;
  if (r.scan(all, 1 + (probe_size > 0 ? probe[0] : 0) * 8, scan).is_ok()) {
    uint64_t seen = 0;
    while (const ColumnBatch* b = scan.next()) {
      for (size_t c = 0; c < r.column_count(); ++c) {
        check_well_formed(r.column(c).type, b->columns[c].data, b->columns[c].nulls, b->count, bytes);
      }
      seen += b->count;
    }
    if (seen != r.row_count()) fail("scan lost rows");
  }
  for (size_t c = 0; c < r.column_count(); ++c) {
    Datum lo{}, hi{};
    if (probe_size >= 16) {
      std::memcpy(&lo.i64, probe, 8);
      std::memcpy(&hi.i64, probe + 8, 8);
    }
    lo.str = {reinterpret_cast<const char*>(probe), probe_size / 2};
    hi.str = {reinterpret_cast<const char*>(probe) + probe_size / 2, probe_size - probe_size / 2};
    (void)r.may_contain(c, &lo, &hi);
    (void)r.may_contain(c, nullptr, &hi);
    (void)r.may_contain(c, &lo, nullptr);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t mode = data[0] % 4;
  const uint8_t* p = data + 1;
  size_t n = size - 1;
  switch (mode) {
    case 0: {
      // an own copy, so any read past its end is an ASan finding
      std::string bytes(reinterpret_cast<const char*>(p), n);
      fuzz_block(bytes, p, n < 16 ? n : 16);
      break;
    }
    case 1: {
      if (n < 4) return 0;
      const Codec* codec = codec_for(p[0]);
      TypeId type = type_from(p[1]);
      uint64_t count = p[2] | (uint64_t{p[3]} << 8);
      if (codec == nullptr || !codec->supports(type)) return 0;
      std::string in(reinterpret_cast<const char*>(p + 4), n - 4);
      std::vector<uint8_t> out(count * value_size(type));  // exactly n values: ASan catches overruns
      if (codec->decode(type, in, count, out.data()).is_ok())
        check_well_formed(type, out.data(), nullptr, count, in);
      break;
    }
    case 2: {
      if (n < 2) return 0;
      Values v = parse_values(type_from(p[0]), p[1], p + 2, n - 2);
      for (CodecId id : candidate_codecs(v.type)) expect_round_trip(v, id);
      expect_round_trip(v, choose_codec(v.type, v.data(), v.nulls.empty() ? nullptr : v.nulls.data(), v.n));
      break;
    }
    case 3: {
      if (n < 3) return 0;
      size_t half = (n - 3) / 2;
      Values a = parse_values(type_from(p[0]), p[2], p + 3, half);
      Values b = parse_values(type_from(p[1]), static_cast<uint8_t>(p[2] >> 4), p + 3 + half, n - 3 - half);
      uint64_t rows = a.n < b.n ? a.n : b.n;
      std::vector<ColumnInput> cols = {
          {a.type, a.data(), a.nulls.empty() ? nullptr : a.nulls.data(), std::nullopt},
          {b.type, b.data(), b.nulls.empty() ? nullptr : b.nulls.data(), std::nullopt}};
      std::string block;
      if (!write_block(cols, rows, block).is_ok()) fail("write_block failed");
      BlockReader r;
      if (!r.open(block).is_ok()) fail("open of a fresh block failed");
      for (size_t c = 0; c < 2; ++c) {
        const Values& v = c == 0 ? a : b;
        std::vector<uint8_t> out(rows * value_size(v.type) + 1), nulls(rows + 1);
        if (!r.decode_column(c, out.data(), nulls.data()).is_ok()) fail("decode of a fresh block failed");
        for (uint64_t i = 0; i < rows; ++i) {
          bool is_null = !v.nulls.empty() && v.nulls[i];
          if (nulls[i] != is_null) fail("block NULL flag changed");
          if (!is_null && !same_value(v.type, v.data(), out.data(), i)) fail("block value changed");
        }
      }
      break;
    }
  }
  return 0;
}
