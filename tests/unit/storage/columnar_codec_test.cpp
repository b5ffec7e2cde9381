// Round-trip property tests for every column codec over random and adversarial data, the column layer
// (NULL bitmaps), the codec selector, and clean failure on truncated or corrupted bytes.
#include <gtest/gtest.h>

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
