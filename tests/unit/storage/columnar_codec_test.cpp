// Round-trip property tests for every column codec over random and adversarial data, the column layer
// (NULL bitmaps), the codec selector, and clean failure on truncated or corrupted bytes.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <random>

#include "columnar_test_util.h"
#include "common/numeric.h"
#include "storage/columnar/bitpack.h"
#include "storage/columnar/codec.h"
#include "storage/columnar/column.h"

namespace omendb::storage::columnar {
namespace {

using testing::expect_same_values;
using testing::kAllTypes;
using testing::kSqlTypes;
using testing::shapes;
using testing::sql_type_shapes;
using testing::TestColumn;
using testing::with_null_patterns;

constexpr uint8_t kCodecIds[] = {0, 1, 2, 3, 4, 5, 6, 7};

// A decode target with guard bytes after it, so writing past n values shows up.
struct Target {
  explicit Target(TypeId type, uint64_t n) : size(value_size(type)), n(n), buf((n + 4) * size + 64, 0xA5) {}
  void* data() { return buf.data(); }
  bool guard_intact() const {
    for (size_t i = n * size; i < buf.size(); ++i) {
      if (buf[i] != 0xA5) return false;
    }
    return true;
  }
  size_t size;
  uint64_t n;
  std::vector<uint8_t> buf;
};

// Checks what any successful decode of arbitrary bytes must still guarantee: Bool values are 0/1 and
// text points inside the input.
void expect_well_formed(TypeId type, const void* data, uint64_t n, std::string_view in) {
  for (uint64_t i = 0; i < n; ++i) {
    if (type == TypeId::Bool) {
      ASSERT_LE(static_cast<const uint8_t*>(data)[i], 1);
    } else if (type == TypeId::Text) {
      StrRef s = static_cast<const StrRef*>(data)[i];
      if (s.len == 0) continue;
      ASSERT_GE(s.ptr, in.data());
      ASSERT_LE(s.len, in.size());
      ASSERT_LE(s.ptr + s.len, in.data() + in.size());
    }
  }
}

TEST(ColumnarBitpack, RoundTripsEveryWidth) {
  std::mt19937_64 rng(1);
  for (unsigned w = 0; w <= 64; ++w) {
    for (size_t n : {size_t{1}, size_t{63}, size_t{1024}, size_t{2049}}) {
      std::vector<int64_t> v(n);
      uint64_t mask = w == 64 ? ~uint64_t{0} : (uint64_t{1} << w) - 1;
      for (auto& x : v) x = static_cast<int64_t>((rng() & mask) + 12345);
      std::string out;
      pack_int64(v.data(), n, out);
      std::vector<int64_t> back(n);
      Reader r(out);
      ASSERT_TRUE(unpack_int64_to(r, n, back.data())) << "width " << w;
      EXPECT_EQ(r.remaining(), 0u);
      ASSERT_EQ(back, v) << "width " << w << " n " << n;
    }
  }
}

TEST(ColumnarCodec, RegistryIsConsistent) {
  for (uint8_t id : kCodecIds) {
    const Codec* c = codec_for(id);
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(static_cast<uint8_t>(c->id()), id);
    EXPECT_FALSE(c->name().empty());
  }
  EXPECT_EQ(codec_for(uint8_t{8}), nullptr);
  EXPECT_EQ(codec_for(uint8_t{255}), nullptr);
  for (TypeId t : kAllTypes) {
    for (CodecId id : candidate_codecs(t)) EXPECT_TRUE(codec_for(id)->supports(t));
  }
  Target t(TypeId::Text, 1);
  EXPECT_EQ(codec_for(CodecId::Plain)->decode(TypeId::Text, "", 0, t.data()).code(),
            Status::Code::InvalidArgument);
}

// Every codec, every type it supports, every shape: decode(encode(v)) == v bit for bit, exactly n values
// written; every strict prefix of the encoding fails cleanly; single-byte corruptions never crash.
TEST(ColumnarCodec, RoundTripAllShapes) {
  std::mt19937_64 rng(3);
  int checked = 0;
  for (TypeId type : kAllTypes) {
    for (const TestColumn& c : shapes(type)) {
      uint64_t n = c.size();
      for (uint8_t id : kCodecIds) {
        const Codec* codec = codec_for(id);
        if (!codec->supports(type)) continue;
        std::string ctx = std::string(codec->name()) + " " + c.name;
        std::string enc;
        codec->encode(type, c.data(), n, enc);
        Target t(type, n);
        Status s = codec->decode(type, enc, n, t.data());
        ASSERT_TRUE(s.is_ok()) << ctx << ": " << s.message();
        ASSERT_TRUE(t.guard_intact()) << ctx;
        expect_same_values(c, t.data(), nullptr, 0, n, ctx);
        ++checked;

        // Asking for more values than were encoded never writes past them (some formats cannot tell:
        // a bitmap's spare bits, a XOR stream's spare '0' bits; the block header holds the row count).
        if (n > 0) {
          Target t2(type, n + 1);
          (void)codec->decode(type, enc, n + 1, t2.data());
          EXPECT_TRUE(t2.guard_intact()) << ctx;
        }
        // Truncation: every strict prefix (all of them for small encodings, a spread for large).
        size_t step = enc.size() > 600 ? enc.size() / 300 : 1;
        for (size_t len = 0; len < enc.size(); len += step) {
          Target t3(type, n);
          std::string_view prefix(enc.data(), len);
          std::string copy(prefix);  // own allocation, so ASan sees reads past it
          Status st = codec->decode(type, copy, n, t3.data());
          EXPECT_FALSE(st.is_ok()) << ctx << " prefix " << len << " of " << enc.size();
          EXPECT_EQ(st.code(), Status::Code::Corruption) << ctx;
          ASSERT_TRUE(t3.guard_intact()) << ctx;
        }
        // Corruption: random byte flips decode to an error or to well-formed values.
        for (int k = 0; k < 20 && !enc.empty(); ++k) {
          std::string bad = enc;
          bad[rng() % bad.size()] ^= static_cast<char>(1 + rng() % 255);
          Target t4(type, n);
          if (codec->decode(type, bad, n, t4.data()).is_ok()) expect_well_formed(type, t4.data(), n, bad);
          ASSERT_TRUE(t4.guard_intact()) << ctx;
        }
      }
    }
  }
  EXPECT_GT(checked, 150);
}

// Every chunk range [first, end) of n values (all of them for up to 8 chunks, else a spread).
std::vector<std::pair<uint64_t, uint64_t>> chunk_ranges(uint64_t n) {
  const uint64_t chunks = decode_chunk_count(n);
  std::vector<std::pair<uint64_t, uint64_t>> out;
  for (uint64_t first = 0; first <= chunks; ++first) {
    for (uint64_t end = first; end <= chunks; ++end) {
      if (chunks <= 8 || end - first <= 2 || end == chunks || first == 0) out.emplace_back(first, end);
    }
  }
  return out;
}

// Checks a partial decode against a whole one: the rows of chunks [first, end) equal byte for byte (text:
// the same pointers into the input), every other byte of the buffer untouched (still 0xA5).
void expect_partial_matches(const std::vector<uint8_t>& full, const std::vector<uint8_t>& part, uint64_t n,
                            size_t size, uint64_t first, uint64_t end, const std::string& ctx) {
  const uint64_t from = std::min(first * kDecodeChunk, n), to = std::min(end * kDecodeChunk, n);
  for (uint64_t b = 0; b < part.size(); ++b) {
    const uint64_t row = b / size;
    if (row >= from && row < to) {
      ASSERT_EQ(part[b], full[b]) << ctx << " chunks [" << first << ", " << end << ") row " << row;
    } else {
      ASSERT_EQ(part[b], 0xA5) << ctx << " chunks [" << first << ", " << end << ") wrote row " << row;
    }
  }
}

// Extra sizes around the chunk edges (delta-of-delta's second differences start at row 2, so its packed
// chunks end two rows after the decode chunks do).
std::vector<TestColumn> chunk_edge_shapes(TypeId type) {
  std::vector<TestColumn> out = shapes(type);
  std::mt19937_64 rng(17);
  for (uint64_t n : {uint64_t{1026}, uint64_t{1027}, uint64_t{2048}, uint64_t{2050}, uint64_t{3073},
                     uint64_t{16384 + 5}}) {
    TestColumn c;
    c.name = "edge/" + std::to_string(n);
    c.type = type;
    int64_t walk = 1700000000;
    for (uint64_t i = 0; i < n; ++i) {
      // a random walk with rare jumps: narrow chunks next to wide ones
      walk +=
          static_cast<int64_t>(rng() % 61) - 30 + (rng() % 500 == 0 ? static_cast<int64_t>(rng() >> 20) : 0);
      switch (codec_type(type)) {
        case TypeId::Bool:
          c.bools.push_back(rng() % 3 == 0);
          break;
        case TypeId::Int32:
          c.i32.push_back(static_cast<int32_t>(walk));
          break;
        case TypeId::Int64:
          c.i64.push_back(walk * 1000);
          break;
        case TypeId::Float64:
          c.f64.push_back(rng() % 97 == 0 ? std::nan("") : static_cast<double>(walk % 100000) / 100.0);
          break;
        case TypeId::Text:
          c.add_text(rng() % 4 == 0 ? std::to_string(rng() % 100000) : "region-" + std::to_string(i / 700));
          break;
        default:
          break;
      }
    }
    out.push_back(std::move(c));
  }
  return out;
}

// decode_chunks of every codec equals the whole decode on the chunks it is asked for and writes nothing
// else: random data, every shape, edge sizes (1023, 1024, 1025, 1026, 2050, a last chunk of 1, 5 or 904
// values), every range of chunks; a bad range is InvalidArgument.
TEST(ColumnarCodec, ChunkDecodeMatchesWholeDecode) {
  int checked = 0;
  for (TypeId type : kAllTypes) {
    for (const TestColumn& c : chunk_edge_shapes(type)) {
      const uint64_t n = c.size();
      const size_t size = value_size(type);
      for (uint8_t id : kCodecIds) {
        const Codec* codec = codec_for(id);
        if (!codec->supports(type)) continue;
        const std::string ctx = std::string(codec->name()) + " " + c.name;
        std::string enc;
        codec->encode(type, c.data(), n, enc);
        std::vector<uint8_t> full(n * size + 1, 0xA5);
        ASSERT_TRUE(codec->decode(type, enc, n, full.data()).is_ok()) << ctx;
        for (auto [first, end] : chunk_ranges(n)) {
          std::vector<uint8_t> part(n * size + 1, 0xA5);
          Status s = codec->decode_chunks(type, enc, n, first, end, part.data());
          ASSERT_TRUE(s.is_ok()) << ctx << " chunks [" << first << ", " << end << "): " << s.message();
          expect_partial_matches(full, part, n, size, first, end, ctx);
          ++checked;
        }
        std::vector<uint8_t> t(n * size + 1, 0xA5);
        const uint64_t chunks = decode_chunk_count(n);
        EXPECT_EQ(codec->decode_chunks(type, enc, n, 0, chunks + 1, t.data()).code(),
                  Status::Code::InvalidArgument)
            << ctx;
        if (chunks > 0) {
          EXPECT_EQ(codec->decode_chunks(type, enc, n, 1, 0, t.data()).code(), Status::Code::InvalidArgument)
              << ctx;
        }
      }
    }
  }
  EXPECT_GT(checked, 2000);
}

// The column layer: NULL bitmaps and the NULL fill, over every shape and NULL pattern and every codec.
TEST(ColumnarColumn, RoundTripWithNulls) {
  int checked = 0;
  for (TypeId type : kAllTypes) {
    for (const TestColumn& c : with_null_patterns(shapes(type, 11))) {
      uint64_t n = c.size();
      uint64_t null_count = 0;
      for (uint8_t f : c.nulls) null_count += f;
      for (uint8_t id : kCodecIds) {
        auto codec = static_cast<CodecId>(id);
        if (!codec_for(codec)->supports(type)) continue;
        std::string ctx = std::string(codec_for(codec)->name()) + " " + c.name;
        std::string enc;
        ASSERT_TRUE(encode_column(type, codec, c.data(), c.null_flags(), n, enc).is_ok());
        Target t(type, n);
        std::vector<uint8_t> nulls(n + 1, 0xA5);
        Status s = decode_column(type, codec, enc, n, null_count, t.data(), nulls.data());
        ASSERT_TRUE(s.is_ok()) << ctx << ": " << s.message();
        ASSERT_TRUE(t.guard_intact()) << ctx;
        ASSERT_EQ(nulls[n], 0xA5) << ctx;
        expect_same_values(c, t.data(), nulls.data(), 0, n, ctx);
        // A NULL count that disagrees with the chunk is corruption.
        if (n > 0) {
          Target t2(type, n);
          EXPECT_FALSE(
              decode_column(type, codec, enc, n, (null_count + 1) % (n + 1), t2.data(), nulls.data()).is_ok())
              << ctx;
        }
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 500);
  // A codec that does not support the type is the caller's mistake.
  int64_t v = 1;
  std::string out;
  EXPECT_EQ(encode_column(TypeId::Int64, CodecId::Gorilla, &v, nullptr, 1, out).code(),
            Status::Code::InvalidArgument);
}

// decode_column_chunks (NULL bitmap and values of some chunks) equals decode_column on those rows, with
// every NULL pattern (10%, leading, trailing, all NULL), and writes no other row.
TEST(ColumnarColumn, ChunkDecodeWithNulls) {
  int checked = 0;
  for (TypeId type : kAllTypes) {
    for (const TestColumn& c : with_null_patterns(chunk_edge_shapes(type))) {
      const uint64_t n = c.size();
      const size_t size = value_size(type);
      uint64_t null_count = 0;
      for (uint8_t f : c.nulls) null_count += f;
      for (uint8_t id : kCodecIds) {
        auto codec = static_cast<CodecId>(id);
        if (!codec_for(codec)->supports(type)) continue;
        const std::string ctx = std::string(codec_for(codec)->name()) + " " + c.name;
        std::string enc;
        ASSERT_TRUE(encode_column(type, codec, c.data(), c.null_flags(), n, enc).is_ok());
        std::vector<uint8_t> full(n * size + 1, 0xA5), full_nulls(n + 1, 0xA5);
        ASSERT_TRUE(decode_column(type, codec, enc, n, null_count, full.data(), full_nulls.data()).is_ok())
            << ctx;
        expect_same_values(c, full.data(), full_nulls.data(), 0, n, ctx);
        for (auto [first, end] : chunk_ranges(n)) {
          if (decode_chunk_count(n) > 3 && end - first > 1 && first != 0) continue;  // keep it quick
          std::vector<uint8_t> part(n * size + 1, 0xA5), part_nulls(n + 1, 0xA5);
          Status s = decode_column_chunks(type, codec, enc, n, null_count, first, end, part.data(),
                                          part_nulls.data());
          ASSERT_TRUE(s.is_ok()) << ctx << ": " << s.message();
          expect_partial_matches(full_nulls, part_nulls, n, 1, first, end, ctx + " (nulls)");
          // Values under NULLs are unspecified: compare the non-NULL rows only, and untouched bytes.
          std::vector<uint8_t> masked = full;
          for (uint64_t i = 0; i < n; ++i) {
            if (full_nulls[i]) std::memcpy(masked.data() + i * size, part.data() + i * size, size);
          }
          expect_partial_matches(masked, part, n, size, first, end, ctx);
          ++checked;
        }
      }
    }
  }
  EXPECT_GT(checked, 2000);
}

// Dates, times, timestamps, numeric, bytea and uuid go through the codecs of their codec type: the same
// candidates, the same round trips (NULLs included) bit for bit, the selector picking what the data looks
// like (delta-of-delta for regular timestamps, dictionary for a few uuids). Interval and arrays have none.
TEST(ColumnarColumn, SqlTypesRoundTripAsTheirCodecType) {
  EXPECT_EQ(codec_type(TypeId::Date), TypeId::Int32);
  EXPECT_EQ(codec_type(TypeId::TimestampTz), TypeId::Int64);
  EXPECT_EQ(codec_type(TypeId::Numeric), TypeId::Text);
  EXPECT_EQ(codec_type(TypeId::Uuid), TypeId::Text);
  for (TypeId none : {TypeId::Interval, TypeId::TimestampTzArray, TypeId::NumericArray, TypeId::Oid,
                      TypeId::Name, TypeId::Unknown}) {
    EXPECT_EQ(codec_type(none), TypeId::Unknown) << type_name(none);
    EXPECT_TRUE(candidate_codecs(none).empty());
    EXPECT_EQ(value_size(none), 0u);
    int64_t v[2] = {1, 2};
    std::string out;
    EXPECT_EQ(encode_column(none, CodecId::Plain, v, nullptr, 1, out).code(), Status::Code::InvalidArgument);
  }
  auto parse = [](const std::string& text) { return num::parse(text); };
  int checked = 0;
  for (TypeId type : kSqlTypes) {
    EXPECT_EQ(candidate_codecs(type), candidate_codecs(codec_type(type))) << type_name(type);
    EXPECT_EQ(value_size(type), value_size(codec_type(type)));
    for (const TestColumn& c : with_null_patterns(sql_type_shapes(type, parse))) {
      const uint64_t n = c.size();
      uint64_t null_count = 0;
      for (uint8_t f : c.nulls) null_count += f;
      std::vector<CodecId> codecs = candidate_codecs(type);
      codecs.push_back(choose_codec(type, c.data(), c.null_flags(), n));
      for (CodecId codec : codecs) {
        std::string ctx =
            std::string(type_name(type)) + " " + std::string(codec_for(codec)->name()) + " " + c.name;
        std::string enc;
        ASSERT_TRUE(encode_column(type, codec, c.data(), c.null_flags(), n, enc).is_ok()) << ctx;
        Target t(type, n);
        std::vector<uint8_t> nulls(n + 1, 0xA5);
        Status st = decode_column(type, codec, enc, n, null_count, t.data(), nulls.data());
        ASSERT_TRUE(st.is_ok()) << ctx << ": " << st.message();
        ASSERT_TRUE(t.guard_intact()) << ctx;
        expect_same_values(c, t.data(), nulls.data(), 0, n, ctx);
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 300);
  auto pick = [&](TypeId type, const std::string& name) {
    for (const TestColumn& c : sql_type_shapes(type, parse))
      if (c.name == name) return choose_codec(type, c.data(), c.null_flags(), c.size());
    ADD_FAILURE() << "no shape " << name;
    return CodecId::Plain;
  };
  EXPECT_EQ(pick(TypeId::TimestampTz, "every-10s-jitter"), CodecId::DeltaDelta);
  EXPECT_EQ(pick(TypeId::Timestamp, "every-10s-jitter"), CodecId::DeltaDelta);
  EXPECT_EQ(pick(TypeId::Date, "monotonic/5000"), CodecId::DeltaDelta);
  EXPECT_EQ(pick(TypeId::Uuid, "few-devices"), CodecId::Dictionary);
  EXPECT_EQ(pick(TypeId::Numeric, "constant"), CodecId::Dictionary);
}

// The selector picks what the data looks like, and never something bigger than the plain fallback.
TEST(ColumnarSelector, PicksTheSmallestCodec) {
  auto pick = [](const TestColumn& c) { return choose_codec(c.type, c.data(), c.null_flags(), c.size()); };
  auto find = [](TypeId type, const std::string& name) {
    for (const TestColumn& c : shapes(type)) {
      if (c.name == name) return c;
    }
    ADD_FAILURE() << "no shape " << name;
    return TestColumn{};
  };
  EXPECT_EQ(pick(find(TypeId::Int64, "timestamps")), CodecId::DeltaDelta);
  EXPECT_EQ(pick(find(TypeId::Int64, "counter")), CodecId::DeltaDelta);
  EXPECT_EQ(pick(find(TypeId::Int64, "low-cardinality")), CodecId::FrameOfRef);
  {
    TestColumn c = find(TypeId::Int64, "constant/5000");
    std::string enc;
    codec_for(pick(c))->encode(TypeId::Int64, c.data(), c.size(), enc);
    EXPECT_LT(enc.size(), 64u);  // frame-of-reference or delta-of-delta, both width 0
  }
  EXPECT_EQ(pick(find(TypeId::Int64, "random/5000")), CodecId::Plain);
  EXPECT_EQ(pick(find(TypeId::Float64, "two-decimals/5000")), CodecId::Alp);
  EXPECT_EQ(pick(find(TypeId::Float64, "one-decimal")), CodecId::Alp);
  EXPECT_EQ(pick(find(TypeId::Float64, "random-bits/5000")), CodecId::Plain);
  EXPECT_EQ(pick(find(TypeId::Text, "regions/5000")), CodecId::Dictionary);
  EXPECT_EQ(pick(find(TypeId::Text, "distinct/5000")), CodecId::PlainText);
  EXPECT_EQ(pick(find(TypeId::Bool, "random/5000")), CodecId::Bitmap);

  // Large columns are sampled in windows; each window is encoded on its own (a delta codec must not pay
  // for the jump between windows: it once picked frame-of-reference for timestamps because of that).
  {
    std::vector<int64_t> ts(65536), counter(65536);
    std::mt19937_64 rng(5);
    int64_t c = 0;
    for (size_t k = 0; k < ts.size(); ++k) {
      ts[k] = 1700000000000 + int64_t(k) * 10000 + int64_t(rng() % 1001) - 500;
      counter[k] = c += int64_t(rng() % 1000);
    }
    EXPECT_EQ(choose_codec(TypeId::Int64, ts.data(), nullptr, ts.size()), CodecId::DeltaDelta);
    EXPECT_EQ(choose_codec(TypeId::Int64, counter.data(), nullptr, counter.size()), CodecId::DeltaDelta);
  }

  // Whatever it picks is no larger than any candidate on the whole column (sampling is representative
  // for these shapes), within a few bytes of chunk overhead.
  for (TypeId type : kAllTypes) {
    for (const TestColumn& c : shapes(type, 5)) {
      if (c.size() < 1000) continue;
      std::string chosen;
      codec_for(pick(c))->encode(type, c.data(), c.size(), chosen);
      for (CodecId id : candidate_codecs(type)) {
        std::string other;
        codec_for(id)->encode(type, c.data(), c.size(), other);
        EXPECT_LE(chosen.size(), other.size() + other.size() / 10 + 16)
            << c.name << " vs " << codec_for(id)->name();
      }
    }
  }
}

// Compression on metrics-like data: the figures docs/columnar.md quotes are the bench's; this guards the
// shape (delta-of-delta on regular timestamps is well under a byte per value, ALP on 2-decimal gauges
// under two bytes).
TEST(ColumnarCodec, CompressesMetricsLikeData) {
  std::vector<int64_t> ts(10000);
  for (size_t i = 0; i < ts.size(); ++i) ts[i] = 1700000000000 + int64_t(i) * 10000;
  std::string enc;
  codec_for(CodecId::DeltaDelta)->encode(TypeId::Int64, ts.data(), ts.size(), enc);
  EXPECT_LT(enc.size(), ts.size() / 8);
  std::mt19937_64 rng(9);
  std::vector<double> gauge(10000);
  for (auto& g : gauge) g = double(rng() % 10000) / 100.0;
  enc.clear();
  codec_for(CodecId::Alp)->encode(TypeId::Float64, gauge.data(), gauge.size(), enc);
  EXPECT_LT(enc.size(), gauge.size() * 2);
}

// Bytes that are not an encoding at all: random garbage for every codec and type.
TEST(ColumnarCodec, RandomBytesNeverCrash) {
  std::mt19937_64 rng(17);
  int ok = 0, failed = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    uint8_t id = kCodecIds[rng() % 8];
    TypeId type = kAllTypes[rng() % 5];
    const Codec* codec = codec_for(id);
    if (!codec->supports(type)) continue;
    std::string bytes(rng() % 64, '\0');
    for (auto& b : bytes) b = static_cast<char>(rng() % 4 == 0 ? rng() : rng() % 3);  // mostly small bytes
    uint64_t n = rng() % 40;
    Target t(type, n);
    if (codec->decode(type, bytes, n, t.data()).is_ok()) {
      ++ok;
      expect_well_formed(type, t.data(), n, bytes);
    } else {
      ++failed;
    }
    ASSERT_TRUE(t.guard_intact());
  }
  EXPECT_GT(failed, 0);
}

}  // namespace
}  // namespace omendb::storage::columnar
