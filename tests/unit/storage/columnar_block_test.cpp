// Column blocks: write/read round trips through batches, column projection, zone maps (min, max, NULL
// count, sums, may_contain) and clean failure on truncated or corrupted blocks.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "columnar_test_util.h"
#include "common/numeric.h"
#include "storage/columnar/block.h"

namespace omendb::storage::columnar {
namespace {

using testing::expect_same_values;
using testing::TestColumn;

// A metrics-like table slice: ts, device_id, region, cpu, status (with NULLs), ok (bool), note (all NULL).
std::vector<TestColumn> metrics(uint64_t rows, uint32_t seed = 1) {
  std::mt19937_64 rng(seed);
  const char* regions[] = {"eu-west", "us-east", "us-west", "ap-south", "sa-east"};
  std::vector<TestColumn> cols(7);
  cols[0].name = "ts";
  cols[0].type = TypeId::Int64;
  cols[1].name = "device_id";
  cols[1].type = TypeId::Int32;
  cols[2].name = "region";
  cols[2].type = TypeId::Text;
  cols[3].name = "cpu";
  cols[3].type = TypeId::Float64;
  cols[4].name = "status";
  cols[4].type = TypeId::Int32;
  cols[5].name = "ok";
  cols[5].type = TypeId::Bool;
  cols[6].name = "note";
  cols[6].type = TypeId::Text;
  for (uint64_t i = 0; i < rows; ++i) {
    cols[0].i64.push_back(1700000000000 + int64_t(i) * 10000 + int64_t(rng() % 100) - 50);
    cols[1].i32.push_back(int32_t(i % 100));
    cols[2].add_text(regions[(i / 100) % 5]);
    cols[3].f64.push_back(double(rng() % 10000) / 100.0);
    cols[4].i32.push_back(int32_t(200 + rng() % 3));
    cols[4].nulls.push_back(rng() % 20 == 0);
    cols[5].bools.push_back(rng() % 2);
    cols[6].add_text("ignored");
    cols[6].nulls.push_back(1);
  }
  return cols;
}

std::vector<ColumnInput> inputs(const std::vector<TestColumn>& cols) {
  std::vector<ColumnInput> in;
  for (const TestColumn& c : cols) in.push_back({c.type, c.data(), c.null_flags(), std::nullopt});
  return in;
}

Datum i(int64_t v) {
  Datum d{};
  d.i64 = v;
  return d;
}
Datum f(double v) {
  Datum d{};
  d.f64 = v;
  return d;
}
Datum t(std::string_view s) {
  Datum d{};
  d.str = {s.data(), s.size()};
  return d;
}

TEST(ColumnarBlock, RoundTripThroughBatches) {
  for (uint64_t rows : {uint64_t{0}, uint64_t{1}, uint64_t{1023}, uint64_t{1024}, uint64_t{5000}}) {
    auto cols = metrics(rows);
    std::string block;
    ASSERT_TRUE(write_block(inputs(cols), rows, block).is_ok());
    BlockReader reader;
    Status s = reader.open(block);
    ASSERT_TRUE(s.is_ok()) << s.message();
    ASSERT_EQ(reader.row_count(), rows);
    ASSERT_EQ(reader.column_count(), cols.size());
    BlockScan scan;
    ASSERT_TRUE(reader.scan(std::vector<bool>(cols.size(), true), 1024, scan).is_ok());
    uint64_t seen = 0;
    while (const ColumnBatch* b = scan.next()) {
      ASSERT_GT(b->count, 0u);
      ASSERT_LE(b->count, 1024u);
      EXPECT_EQ(b->keys, nullptr);
      for (size_t c = 0; c < cols.size(); ++c) {
        expect_same_values(cols[c], b->columns[c].data, b->columns[c].nulls, seen, b->count, cols[c].name);
      }
      seen += b->count;
    }
    EXPECT_EQ(seen, rows);
    EXPECT_EQ(scan.next(), nullptr);
  }
}

TEST(ColumnarBlock, DecodesOnlyRequestedColumns) {
  auto cols = metrics(3000);
  std::string block;
  ASSERT_TRUE(write_block(inputs(cols), 3000, block).is_ok());
  BlockReader reader;
  ASSERT_TRUE(reader.open(block).is_ok());
  // Corrupt the region column's chunk: a scan that does not ask for it still works.
  const BlockColumn& region = reader.column(2);
  std::string damaged = block;
  for (uint64_t k = 0; k < region.length; ++k) damaged[region.offset + k] = '\x7f';
  BlockReader r2;
  ASSERT_TRUE(r2.open(damaged).is_ok());
  BlockScan scan;
  ASSERT_TRUE(r2.scan({true, false, false, true}, 700, scan).is_ok());
  uint64_t seen = 0;
  while (const ColumnBatch* b = scan.next()) {
    EXPECT_LE(b->count, 700u);
    EXPECT_EQ(b->columns[1].data, nullptr);
    EXPECT_EQ(b->columns[1].nulls, nullptr);
    EXPECT_EQ(b->columns[2].data, nullptr);
    EXPECT_EQ(b->columns[6].data, nullptr);  // beyond `wanted`
    expect_same_values(cols[0], b->columns[0].data, b->columns[0].nulls, seen, b->count, "ts");
    expect_same_values(cols[3], b->columns[3].data, b->columns[3].nulls, seen, b->count, "cpu");
    seen += b->count;
  }
  EXPECT_EQ(seen, 3000u);
  BlockScan bad;
  EXPECT_EQ(r2.scan({false, false, true}, 1024, bad).code(), Status::Code::Corruption);
  EXPECT_EQ(reader.scan({true}, 0, bad).code(), Status::Code::InvalidArgument);
}

// One BlockScan reads block after block, reusing its buffers; a failed scan hands out nothing.
TEST(ColumnarBlock, ScanIsReusable) {
  BlockScan scan;
  std::vector<std::string> blocks;
  std::vector<std::vector<TestColumn>> data;
  for (uint64_t rows : {uint64_t{2000}, uint64_t{5000}, uint64_t{300}}) {
    data.push_back(metrics(rows, static_cast<uint32_t>(rows)));
    blocks.emplace_back();
    ASSERT_TRUE(write_block(inputs(data.back()), rows, blocks.back()).is_ok());
  }
  const std::vector<bool> masks[] = {
      {true, false, true}, {false, true, true, true, true, true, true}, {true}};
  for (size_t k = 0; k < blocks.size(); ++k) {
    BlockReader r;
    ASSERT_TRUE(r.open(blocks[k]).is_ok());
    ASSERT_TRUE(r.scan(masks[k], 1024, scan).is_ok());
    uint64_t seen = 0;
    while (const ColumnBatch* b = scan.next()) {
      for (size_t c = 0; c < data[k].size(); ++c) {
        bool wanted = c < masks[k].size() && masks[k][c];
        ASSERT_EQ(b->columns[c].data != nullptr, wanted) << "block " << k << " column " << c;
        if (wanted) {
          expect_same_values(data[k][c], b->columns[c].data, b->columns[c].nulls, seen, b->count,
                             data[k][c].name);
        }
      }
      seen += b->count;
    }
    EXPECT_EQ(seen, r.row_count());
  }
  std::string damaged = blocks[0];
  BlockReader r;
  ASSERT_TRUE(r.open(damaged).is_ok());
  for (uint64_t k = 0; k < r.column(2).length; ++k) damaged[r.column(2).offset + k] = '\x7f';
  ASSERT_TRUE(r.open(damaged).is_ok());
  EXPECT_FALSE(r.scan({true, true, true}, 1024, scan).is_ok());
  EXPECT_EQ(scan.next(), nullptr);
}

TEST(ColumnarBlock, ZoneMapsAndSums) {
  auto cols = metrics(4000);
  std::string block;
  ASSERT_TRUE(write_block(inputs(cols), 4000, block).is_ok());
  BlockReader r;
  ASSERT_TRUE(r.open(block).is_ok());
  // ts
  int64_t tmin = *std::min_element(cols[0].i64.begin(), cols[0].i64.end());
  int64_t tmax = *std::max_element(cols[0].i64.begin(), cols[0].i64.end());
  const BlockColumn& ts = r.column(0);
  EXPECT_EQ(ts.codec, CodecId::DeltaDelta);
  EXPECT_TRUE(ts.has_min_max);
  EXPECT_EQ(ts.min.i64, tmin);
  EXPECT_EQ(ts.max.i64, tmax);
  EXPECT_EQ(ts.null_count, 0u);
  int64_t sum = 0;
  for (int64_t v : cols[0].i64) sum += v;
  EXPECT_TRUE(ts.has_sum);
  EXPECT_EQ(ts.sum, sum);
  // status: NULLs excluded from min/max/sum
  const BlockColumn& st = r.column(4);
  uint64_t nulls = 0;
  int64_t ssum = 0;
  for (size_t k = 0; k < 4000; ++k) {
    if (cols[4].nulls[k]) {
      ++nulls;
    } else {
      ssum += cols[4].i32[k];
    }
  }
  EXPECT_EQ(st.null_count, nulls);
  EXPECT_EQ(st.min.i64, 200);
  EXPECT_EQ(st.max.i64, 202);
  EXPECT_EQ(st.sum, ssum);
  EXPECT_EQ(r.column(2).codec, CodecId::Dictionary);
  EXPECT_EQ(r.column(2).min.str.view(), "ap-south");
  EXPECT_EQ(r.column(2).max.str.view(), "us-west");
  EXPECT_EQ(r.column(3).codec, CodecId::Alp);
  EXPECT_FALSE(r.column(3).has_sum);  // float sums depend on order: not stored
  // all-NULL column: no bounds, never matches
  EXPECT_FALSE(r.column(6).has_min_max);
  EXPECT_EQ(r.column(6).null_count, 4000u);
  EXPECT_FALSE(r.may_contain(6, nullptr, nullptr));

  // may_contain on ts
  Datum lo = i(tmin), hi = i(tmax), below = i(tmin - 1), above = i(tmax + 1), mid = i((tmin + tmax) / 2);
  EXPECT_TRUE(r.may_contain(0, nullptr, nullptr));
  EXPECT_TRUE(r.may_contain(0, &lo, &lo));
  EXPECT_TRUE(r.may_contain(0, &hi, &hi));
  EXPECT_TRUE(r.may_contain(0, &mid, nullptr));
  EXPECT_TRUE(r.may_contain(0, &below, &lo));
  EXPECT_FALSE(r.may_contain(0, &above, nullptr));
  EXPECT_FALSE(r.may_contain(0, nullptr, &below));
  EXPECT_FALSE(r.may_contain(0, &above, &above));
  EXPECT_TRUE(r.may_contain(0, nullptr, &lo));
  // region text
  Datum a = t("a"), z = t("z"), eu = t("eu-west"), ap = t("ap-south"), aq = t("aq");
  EXPECT_TRUE(r.may_contain(2, &eu, &eu));
  EXPECT_FALSE(r.may_contain(2, &z, nullptr));
  EXPECT_FALSE(r.may_contain(2, nullptr, &a));
  EXPECT_TRUE(r.may_contain(2, nullptr, &ap));
  EXPECT_TRUE(r.may_contain(2, &aq, nullptr));
}

TEST(ColumnarBlock, DoubleZoneMapsFollowPostgresOrder) {
  TestColumn c;
  c.type = TypeId::Float64;
  c.f64 = {1.5, -0.0, 3.25, std::numeric_limits<double>::quiet_NaN(), -2.0};
  std::string block;
  ASSERT_TRUE(write_block({{c.type, c.data(), nullptr, std::nullopt}}, 5, block).is_ok());
  BlockReader r;
  ASSERT_TRUE(r.open(block).is_ok());
  EXPECT_EQ(r.column(0).min.f64, -2.0);
  EXPECT_TRUE(std::isnan(r.column(0).max.f64));  // NaN sorts above everything in PostgreSQL
  Datum big = f(1e300), inf = f(std::numeric_limits<double>::infinity()), nan = f(NAN), lo = f(-5),
        m3 = f(-3);
  EXPECT_TRUE(r.may_contain(0, &big, nullptr));  // the NaN row satisfies v >= 1e300
  EXPECT_TRUE(r.may_contain(0, &nan, &nan));
  EXPECT_TRUE(r.may_contain(0, &inf, nullptr));
  EXPECT_FALSE(r.may_contain(0, &lo, &m3));
  EXPECT_FALSE(r.may_contain(0, nullptr, &m3));

  TestColumn d;
  d.type = TypeId::Float64;
  d.f64 = {0.0, 1.0, 2.0};
  ASSERT_TRUE(write_block({{d.type, d.data(), nullptr, std::nullopt}}, 3, block).is_ok());
  ASSERT_TRUE(r.open(block).is_ok());
  Datum z = f(-0.0);
  EXPECT_TRUE(r.may_contain(0, nullptr, &z));  // -0.0 == 0.0
  EXPECT_FALSE(r.may_contain(0, &nan, nullptr));
  EXPECT_FALSE(r.may_contain(0, &inf, nullptr));
}

// A metrics block with SQL types: the header keeps each column's own type, timestamps and dates get
// integer codecs and integer zone maps (infinities are the extreme integers, no sums), numeric bounds
// are whole values ordered by value (too long ones become -Infinity / NaN), uuid and bytea bounds bytes.
TEST(ColumnarBlock, TimestampDateNumericUuidZoneMaps) {
  const int64_t kSec = 1000000, kDay = 86400 * kSec, t0 = 9497 * kDay;  // 2026-01-01 00:00 UTC
  const uint64_t rows = 3000;
  std::vector<TestColumn> cols(5);
  cols[0].type = TypeId::TimestampTz;
  cols[1].type = TypeId::Date;
  cols[2].type = TypeId::Numeric;
  cols[3].type = TypeId::Uuid;
  cols[4].type = TypeId::Bytea;
  for (uint64_t k = 0; k < rows; ++k) {
    cols[0].i64.push_back(t0 + int64_t(k) * 10 * kSec);
    cols[1].i32.push_back(9497 + int32_t(k / 1000));
    cols[2].add_text(num::parse(std::to_string(k % 500) + ".25"));
    cols[2].nulls.push_back(k % 10 == 0);
    cols[3].add_text(std::string(15, '\x22') + static_cast<char>(k % 3));
    cols[4].add_text(std::string(k % 7, '\xff'));
  }
  std::string block;
  ASSERT_TRUE(write_block(inputs(cols), rows, block).is_ok());
  BlockReader r;
  ASSERT_TRUE(r.open(block).is_ok());
  for (size_t c = 0; c < cols.size(); ++c) EXPECT_EQ(r.column(c).type, cols[c].type);
  EXPECT_EQ(r.column(0).codec, CodecId::DeltaDelta);
  EXPECT_EQ(r.column(0).min.i64, t0);
  EXPECT_EQ(r.column(0).max.i64, t0 + int64_t(rows - 1) * 10 * kSec);
  EXPECT_FALSE(r.column(0).has_sum);  // sums only for integer columns
  EXPECT_EQ(r.column(1).min.i64, 9497);
  EXPECT_EQ(r.column(1).max.i64, 9499);
  EXPECT_EQ(r.column(2).null_count, rows / 10);
  EXPECT_EQ(num::to_text(r.column(2).min.str.view()), "1.25");  // row 0 (0.25) is NULL
  EXPECT_EQ(num::to_text(r.column(2).max.str.view()), "499.25");
  EXPECT_EQ(r.column(3).codec, CodecId::Dictionary);
  EXPECT_EQ(r.column(4).max.str.len, 6u);
  BlockScan scan;
  ASSERT_TRUE(r.scan(std::vector<bool>(cols.size(), true), 1000, scan).is_ok());
  uint64_t seen = 0;
  while (const ColumnBatch* b = scan.next()) {
    for (size_t c = 0; c < cols.size(); ++c)
      expect_same_values(cols[c], b->columns[c].data, b->columns[c].nulls, seen, b->count, "col");
    seen += b->count;
  }
  EXPECT_EQ(seen, rows);

  // time ranges: [2026-01-01 08:00, 2026-01-01 09:00) is inside, the next day is outside
  Datum a = i(t0 + 8 * 3600 * kSec), b = i(t0 + 9 * 3600 * kSec), next = i(t0 + kDay), before = i(t0 - 1);
  EXPECT_TRUE(r.may_contain(0, &a, &b));
  EXPECT_FALSE(r.may_contain(0, &next, nullptr));
  EXPECT_FALSE(r.may_contain(0, nullptr, &before));
  Datum inf = i(INT64_MAX), ninf = i(INT64_MIN);
  EXPECT_FALSE(r.may_contain(0, &inf, nullptr));
  EXPECT_TRUE(r.may_contain(0, &ninf, nullptr));
  Datum d0 = i(9500);
  EXPECT_FALSE(r.may_contain(1, &d0, nullptr));
  // numeric by value, not by bytes: 1000 > 499.25 although its bytes sort below
  std::string n1000 = num::parse("1000"), n2 = num::parse("2.0"), nneg = num::parse("-1");
  Datum big = t(n1000), two = t(n2), neg = t(nneg);
  EXPECT_FALSE(r.may_contain(2, &big, nullptr));
  EXPECT_TRUE(r.may_contain(2, &two, &two));
  EXPECT_FALSE(r.may_contain(2, nullptr, &neg));
  std::string u_lo = std::string(15, '\x22') + '\x01', u_hi = std::string(15, '\x22') + '\x03';
  Datum ulo = t(u_lo), uhi = t(u_hi);
  EXPECT_TRUE(r.may_contain(3, &ulo, nullptr));
  EXPECT_FALSE(r.may_contain(3, &uhi, nullptr));

  // a numeric too long for the header: the bounds become -Infinity and NaN, still bounds
  TestColumn longnum;
  longnum.type = TypeId::Numeric;
  longnum.add_text(num::parse("5"));
  longnum.add_text(num::parse(std::string(300, '9')));
  longnum.add_text(num::parse("-" + std::string(300, '8')));
  ASSERT_TRUE(write_block({{longnum.type, longnum.data(), nullptr, std::nullopt}}, 3, block).is_ok());
  ASSERT_TRUE(r.open(block).is_ok());
  EXPECT_EQ(num::kind(r.column(0).min.str.view()), num::Kind::NegInf);
  EXPECT_EQ(num::kind(r.column(0).max.str.view()), num::Kind::NaN);
  EXPECT_TRUE(r.may_contain(0, &big, &big));

  // interval and arrays are not held in blocks
  int64_t raw[4] = {};
  EXPECT_EQ(write_block({{TypeId::Interval, raw, nullptr, std::nullopt}}, 1, block).code(),
            Status::Code::InvalidArgument);
}

TEST(ColumnarBlock, LongTextBoundsArePrefixes) {
  TestColumn c;
  c.type = TypeId::Text;
  std::string longmin = std::string(100, 'b') + "1";
  std::string longmax = std::string(100, 'y') + "9";
  c.add_text(longmax);
  c.add_text("m");
  c.add_text(longmin);
  std::string block;
  ASSERT_TRUE(write_block({{c.type, c.data(), nullptr, std::nullopt}}, 3, block).is_ok());
  BlockReader r;
  ASSERT_TRUE(r.open(block).is_ok());
  const BlockColumn& col = r.column(0);
  EXPECT_TRUE(col.min_is_prefix);
  EXPECT_TRUE(col.max_is_prefix);
  EXPECT_EQ(col.min.str.len, kZoneTextMax);
  EXPECT_EQ(col.max.str.len, kZoneTextMax);
  Datum exact_max = t(longmax), exact_min = t(longmin);
  std::string above_s = std::string(100, 'y') + "99", below_s = std::string(100, 'b');
  std::string past = std::string(kZoneTextMax - 1, 'y') + "z";
  Datum above = t(above_s), below = t(below_s), beyond = t(past);
  EXPECT_TRUE(r.may_contain(0, &exact_max, nullptr));
  EXPECT_TRUE(r.may_contain(0, &above, nullptr));  // conservative: shares the stored prefix
  EXPECT_FALSE(r.may_contain(0, &beyond, nullptr));
  EXPECT_TRUE(r.may_contain(0, nullptr, &exact_min));
  EXPECT_TRUE(r.may_contain(0, nullptr, &below));  // conservative: below_s sorts above the stored prefix
  Datum a = t("a");
  EXPECT_FALSE(r.may_contain(0, nullptr, &a));
}

TEST(ColumnarBlock, ForcedCodecsAndBadArguments) {
  auto cols = metrics(100);
  auto in = inputs(cols);
  in[0].codec = CodecId::Plain;
  in[3].codec = CodecId::Gorilla;
  in[2].codec = CodecId::PlainText;
  std::string block;
  ASSERT_TRUE(write_block(in, 100, block).is_ok());
  BlockReader r;
  ASSERT_TRUE(r.open(block).is_ok());
  EXPECT_EQ(r.column(0).codec, CodecId::Plain);
  EXPECT_EQ(r.column(3).codec, CodecId::Gorilla);
  std::vector<double> cpu(100);
  std::vector<uint8_t> nulls(100);
  ASSERT_TRUE(r.decode_column(3, cpu.data(), nulls.data()).is_ok());
  expect_same_values(cols[3], cpu.data(), nulls.data(), 0, 100, "cpu");
  EXPECT_EQ(r.decode_column(99, cpu.data(), nulls.data()).code(), Status::Code::InvalidArgument);

  in[3].codec = CodecId::Dictionary;  // text codec on a double column
  EXPECT_EQ(write_block(in, 100, block).code(), Status::Code::InvalidArgument);
  std::vector<int64_t> many(kMaxBlockRows + 1);
  EXPECT_EQ(write_block({{TypeId::Int64, many.data(), nullptr, std::nullopt}}, many.size(), block).code(),
            Status::Code::InvalidArgument);
  EXPECT_EQ(write_block({{TypeId::Unknown, many.data(), nullptr, std::nullopt}}, 1, block).code(),
            Status::Code::InvalidArgument);
}

// Every strict prefix of a block fails (at open or at decode); single-byte corruptions and random
// garbage never crash and never produce malformed batches.
TEST(ColumnarBlock, TruncatedAndCorruptBlocksFailCleanly) {
  auto cols = metrics(1500, 5);
  std::string block;
  ASSERT_TRUE(write_block(inputs(cols), 1500, block).is_ok());
  std::vector<bool> all(cols.size(), true);
  auto read_all = [&](const std::string& bytes) -> Status {
    BlockReader r;
    OMENDB_COLUMNAR_RETURN_IF_ERROR(r.open(bytes));
    BlockScan scan;
    OMENDB_COLUMNAR_RETURN_IF_ERROR(r.scan(all, 1024, scan));
    uint64_t seen = 0;
    while (const ColumnBatch* b = scan.next()) {
      for (size_t c = 0; c < r.column_count(); ++c) {
        for (uint64_t k = 0; k < b->count; ++k) {
          EXPECT_LE(b->columns[c].nulls[k], 1);
          if (r.column(c).type == TypeId::Bool) {
            EXPECT_LE(static_cast<uint8_t*>(b->columns[c].data)[k], 1);
          }
          if (r.column(c).type == TypeId::Text) {
            StrRef s = static_cast<StrRef*>(b->columns[c].data)[k];
            if (s.len > 0) {
              EXPECT_GE(s.ptr, bytes.data());
              EXPECT_LE(s.ptr + s.len, bytes.data() + bytes.size());
            }
          }
        }
      }
      seen += b->count;
    }
    EXPECT_EQ(seen, r.row_count());
    return Status::ok();
  };
  ASSERT_TRUE(read_all(block).is_ok());
  for (size_t len = 0; len < block.size(); len += (len < 200 ? 1 : 37)) {
    Status s = read_all(block.substr(0, len));
    EXPECT_EQ(s.code(), Status::Code::Corruption) << "prefix " << len;
  }
  std::mt19937_64 rng(23);
  int failures = 0;
  for (int k = 0; k < 3000; ++k) {
    std::string bad = block;
    size_t pos = k < 200 ? size_t(k) % bad.size() : rng() % bad.size();  // the header, then anywhere
    bad[pos] ^= static_cast<char>(1 + rng() % 255);
    failures += !read_all(bad).is_ok();
  }
  EXPECT_GT(failures, 0);
  std::string wrong_version = block;
  wrong_version[3] = 2;
  EXPECT_EQ(read_all(wrong_version).code(), Status::Code::Corruption);
  EXPECT_EQ(read_all("").code(), Status::Code::Corruption);
  EXPECT_EQ(read_all(block + "x").code(), Status::Code::Corruption);
}

// A tiny header must not make the reader allocate gigabytes: blocks whose decoded size exceeds
// kMaxBlockDecodedBytes are refused by the writer and by the reader.
TEST(ColumnarBlock, DecodedSizeIsBounded) {
  auto varint = [](std::string& out, uint64_t v) {
    while (v >= 0x80) {
      out.push_back(static_cast<char>((v & 0x7F) | 0x80));
      v >>= 7;
    }
    out.push_back(static_cast<char>(v));
  };
  auto all_null_text_block = [&](uint64_t rows, uint64_t cols) {
    std::string b = "OCB";
    b.push_back(static_cast<char>(kBlockVersion));
    varint(b, rows);
    varint(b, cols);
    for (uint64_t c = 0; c < cols; ++c) {
      b.push_back(static_cast<char>(TypeId::Text));
      b.push_back(static_cast<char>(CodecId::Dictionary));
      b.push_back(0);  // no min/max: every row is NULL
      varint(b, rows);
      varint(b, 1);
    }
    b.append(cols, '\x02');  // each chunk: "all NULL"
    return b;
  };
  BlockReader r;
  std::string small = all_null_text_block(1000, 3);
  ASSERT_TRUE(r.open(small).is_ok());  // the hand-made header is well-formed
  BlockScan scan;
  ASSERT_TRUE(r.scan({true, true, true}, 1024, scan).is_ok());
  std::string huge = all_null_text_block(kMaxBlockRows, 40);  // 40 x 1M x 17 bytes decoded
  EXPECT_LT(huge.size(), 400u);
  EXPECT_EQ(r.open(huge).code(), Status::Code::Corruption);

  int64_t dummy = 0;
  std::vector<ColumnInput> wide(40, ColumnInput{TypeId::Text, &dummy, nullptr, std::nullopt});
  std::string out;
  EXPECT_EQ(write_block(wide, kMaxBlockRows, out).code(), Status::Code::InvalidArgument);
}

TEST(ColumnarBlock, EmptyBlockAndAllNullColumns) {
  std::string block;
  ASSERT_TRUE(write_block({}, 0, block).is_ok());
  BlockReader r;
  ASSERT_TRUE(r.open(block).is_ok());
  EXPECT_EQ(r.row_count(), 0u);
  BlockScan scan;
  ASSERT_TRUE(r.scan({}, 1024, scan).is_ok());
  EXPECT_EQ(scan.next(), nullptr);

  std::vector<int64_t> v(10, 5);
  std::vector<uint8_t> nulls(10, 1);
  ASSERT_TRUE(write_block({{TypeId::Int64, v.data(), nulls.data(), std::nullopt}}, 10, block).is_ok());
  ASSERT_TRUE(r.open(block).is_ok());
  EXPECT_FALSE(r.column(0).has_min_max);
  EXPECT_FALSE(r.column(0).has_sum);
  Datum z = i(5);
  EXPECT_FALSE(r.may_contain(0, &z, &z));
  ASSERT_TRUE(r.scan({true}, 4, scan).is_ok());
  const ColumnBatch* b = scan.next();
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->count, 4u);
  for (int k = 0; k < 4; ++k) EXPECT_EQ(b->columns[0].nulls[k], 1);

  // Sums that overflow int64 are not stored.
  std::vector<int64_t> big(3, INT64_MAX);
  ASSERT_TRUE(write_block({{TypeId::Int64, big.data(), nullptr, std::nullopt}}, 3, block).is_ok());
  ASSERT_TRUE(r.open(block).is_ok());
  EXPECT_FALSE(r.column(0).has_sum);
  EXPECT_EQ(r.column(0).max.i64, INT64_MAX);
}

}  // namespace
}  // namespace omendb::storage::columnar
