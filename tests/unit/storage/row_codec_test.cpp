#include "storage/row_codec.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <thread>

#include "common/numeric.h"
#include "storage/key_codec.h"
#include "storage/store.h"
#include "test_util.h"

namespace omendb::storage {
namespace {

using testing::col;
using testing::float_datum;
using testing::int_datum;
using testing::null_datum;
using testing::text_datum;

TableDef sample_table() {
  TableDef t;
  t.id = 9;
  t.name = "s";
  t.columns = {col("b", TypeId::Bool), col("i", TypeId::Int32), col("l", TypeId::Int64),
               col("f", TypeId::Float64), col("t", TypeId::Text)};
  return t;
}

TEST(RowCodec, RoundTripWithNullsAndHeader) {
  TableDef t = sample_table();
  std::string text("a\0b", 3);
  Datum row[5] = {int_datum(1), int_datum(-7), int_datum(INT64_MIN), float_datum(-2.25), text_datum(text)};
  std::string enc;
  rowcodec::encode_row(t, row, enc);
  EXPECT_EQ(static_cast<uint8_t>(enc[0]), rowcodec::kKindRow);
  EXPECT_EQ(static_cast<uint8_t>(enc[1]), rowcodec::kRowFormatV1);
  EXPECT_EQ(rowcodec::value_kind(enc), rowcodec::ValueKind::Row);
  // header 2 + count 1 + bitmap 1 + 1 + 4 + 8 + 8 + (1 + 3)
  EXPECT_EQ(enc.size(), 2u + 1 + 1 + 1 + 4 + 8 + 8 + 4);
  std::vector<Value> out;
  ASSERT_TRUE(rowcodec::decode_row(t, enc, out));
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(out[0], Value::boolean(true));
  EXPECT_EQ(out[1], Value::int32(-7));
  EXPECT_EQ(out[2], Value::int64(INT64_MIN));
  EXPECT_EQ(out[3], Value::float64(-2.25));
  EXPECT_EQ(out[4], Value::text(text));

  Datum nulls[5] = {null_datum(), int_datum(3), null_datum(), null_datum(), null_datum()};
  rowcodec::encode_row(t, nulls, enc);
  EXPECT_EQ(enc.size(), 2u + 1 + 1 + 4);  // only the non-null int32 has a payload
  ASSERT_TRUE(rowcodec::decode_row(t, enc, out));
  EXPECT_TRUE(out[0].is_null());
  EXPECT_EQ(out[1], Value::int32(3));
  EXPECT_TRUE(out[4].is_null());

  // Truncated values and tombstones are not rows.
  EXPECT_FALSE(rowcodec::decode_row(t, std::string_view(enc).substr(0, enc.size() - 1), out));
  std::string tomb;
  rowcodec::encode_tombstone(tomb);
  EXPECT_EQ(rowcodec::value_kind(tomb), rowcodec::ValueKind::Tombstone);
  EXPECT_FALSE(rowcodec::decode_row(t, tomb, out));
  EXPECT_EQ(rowcodec::value_kind(""), rowcodec::ValueKind::Invalid);
}

// A numeric column reads back as a numeric value, not as text with the numeric's bytes (found by
// codec_fuzz's row round trip: decode_row gave every variable-length value the type Text).
// A smallint is two bytes in a row and decodes as a smallint, over its whole range.
TEST(RowCodec, SmallintIsTwoBytes) {
  TableDef t;
  t.id = 9;
  t.name = "s2";
  t.columns = {col("a", TypeId::Int16), col("b", TypeId::Int16), col("c", TypeId::Int32)};
  for (int64_t v :
       {int64_t{INT16_MIN}, int64_t{-1}, int64_t{0}, int64_t{255}, int64_t{256}, int64_t{INT16_MAX}}) {
    Datum row[3] = {int_datum(v), null_datum(), int_datum(-v)};
    std::string enc;
    rowcodec::encode_row(t, row, enc);
    EXPECT_EQ(enc.size(), 2u + 1 + 1 + 2 + 4);  // header, count, bitmap, int2, int4
    std::vector<Value> out;
    ASSERT_TRUE(rowcodec::decode_row(t, enc, out));
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(out[0], Value::int16(static_cast<int16_t>(v)));
    EXPECT_EQ(out[0].type(), TypeId::Int16);
    EXPECT_TRUE(out[1].is_null());
    EXPECT_EQ(out[2], Value::int32(static_cast<int32_t>(-v)));
    // one byte short is not a row
    Datum one[3] = {int_datum(v), null_datum(), null_datum()};
    rowcodec::encode_row(t, one, enc);
    EXPECT_FALSE(rowcodec::decode_row(t, std::string_view(enc).substr(0, enc.size() - 1), out));
  }
}

TEST(RowCodec, RealIsFourBytes) {
  TableDef t;
  t.id = 9;
  t.name = "r4";
  t.columns = {col("a", TypeId::Float32), col("b", TypeId::Float32), col("c", TypeId::Float64)};
  for (float v :
       {0.1f, -0.0f, 1e-45f, 3.4028235e38f, std::numeric_limits<float>::infinity(), std::nanf("")}) {
    Datum row[3] = {Datum{}, null_datum(), Datum{}};
    row[0].f64 = v;
    row[2].f64 = 0.1;
    std::string enc;
    rowcodec::encode_row(t, row, enc);
    EXPECT_EQ(enc.size(), 2u + 1 + 1 + 4 + 8);  // header, count, bitmap, float4, float8
    std::vector<Value> out;
    ASSERT_TRUE(rowcodec::decode_row(t, enc, out));
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(out[0].type(), TypeId::Float32);
    const float back = static_cast<float>(out[0].as_double());
    EXPECT_EQ(std::memcmp(&back, &v, 4), 0) << v;  // the same bits: -0 and NaN too
    EXPECT_TRUE(out[1].is_null());
    EXPECT_EQ(out[2], Value::float64(0.1));
    // ADD COLUMN's default: the same four bytes
    std::string missing;
    rowcodec::encode_missing(TypeId::Float32, row[0], missing);
    EXPECT_EQ(missing.size(), 4u);
    Datum d;
    ASSERT_TRUE(rowcodec::decode_missing(TypeId::Float32, missing, d));
    const float m = static_cast<float>(d.f64);
    EXPECT_EQ(std::memcmp(&m, &v, 4), 0) << v;
    EXPECT_FALSE(rowcodec::decode_missing(TypeId::Float32, std::string_view(missing).substr(0, 3), d));
    // one byte short is not a row
    EXPECT_FALSE(rowcodec::decode_row(t, std::string_view(enc).substr(0, enc.size() - 9), out));
  }
  Datum s{};
  s.i64 = -7;
  std::string missing;
  rowcodec::encode_missing(TypeId::Int16, s, missing);
  Datum d;
  ASSERT_TRUE(rowcodec::decode_missing(TypeId::Int16, missing, d));  // two bytes: a smallint's default
  EXPECT_EQ(missing.size(), 2u);
  EXPECT_EQ(d.i64, -7);
}

TEST(RowCodec, NumericColumnDecodesAsNumeric) {
  TableDef t;
  t.columns = {col("n", TypeId::Numeric), col("t", TypeId::Text)};
  std::string n = num::parse("-12.500"), s = "x";
  Datum row[2] = {text_datum(n), text_datum(s)};
  std::string enc;
  rowcodec::encode_row(t, row, enc);
  std::vector<Value> out;
  ASSERT_TRUE(rowcodec::decode_row(t, enc, out));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].type(), TypeId::Numeric);
  EXPECT_EQ(out[0], Value::numeric(n));
  EXPECT_EQ(num::to_text(out[0].as_text()), "-12.500");
  EXPECT_EQ(out[1], Value::text(s));
}

TEST(RowCodec, ReadersSkipTombstonesAndReportCorruption) {
  testing::TempDir dir;
  auto store = Store::open(testing::test_options(dir));
  TableDef d;
  d.name = "t";
  d.columns = {col("id", TypeId::Int64), col("v", TypeId::Int64)};
  d.primary_key = {0};
  TableDefPtr t = store->catalog().create_table(d);
  {
    testing::AutoCommit stmt(*store);
    auto& w = stmt.w;
    for (int i = 0; i < 3; ++i) {
      Datum row[2] = {int_datum(i), int_datum(i * 10)};
      w->insert(*t, row);
    }
    stmt.commit();
  }
  // Advance the commit timestamp (a commit to another table), so that a hand-written version with a
  // timestamp between the rows' commit and visible_ts() is visible to new snapshots.
  uint64_t rows_ts = store->visible_ts();
  {
    TableDef od;
    od.name = "other";
    od.columns = {col("id", TypeId::Int64)};
    od.primary_key = {0};
    TableDefPtr other = store->catalog().create_table(od);
    for (int i = 0; i < 2; ++i) {
      testing::AutoCommit stmt(*store);
      Datum row[1] = {int_datum(i)};
      stmt.w->insert(*other, row);
      stmt.commit();
    }
  }
  const uint64_t newer_ts = store->visible_ts();
  ASSERT_GT(newer_ts, rows_ts);
  // An MVCC newer tombstone version for key 1 hides the row from scans and exists().
  std::string k1;
  keycodec::append_table_prefix(t->id, k1);
  keycodec::append_int(1, k1);
  std::string versioned = k1;
  keycodec::append_version(newer_ts, versioned);
  std::string tomb;
  rowcodec::encode_tombstone(tomb);
  ASSERT_TRUE(store->db()->Put(rocksdb::WriteOptions(), versioned, tomb).ok());
  auto view = store->read_view();
  EXPECT_FALSE(view->exists(k1));
  ScanSpec spec;
  spec.table = t;
  spec.columns = {true, true};
  auto cursor = view->scan(spec);
  const ColumnBatch* b = cursor->next();
  ASSERT_NE(b, nullptr);
  ASSERT_EQ(b->count, 2u);
  EXPECT_EQ(static_cast<int64_t*>(b->columns[0].data)[0], 0);
  EXPECT_EQ(static_cast<int64_t*>(b->columns[0].data)[1], 2);
  EXPECT_EQ(static_cast<int64_t*>(b->columns[1].data)[1], 20);
  EXPECT_EQ(cursor->next(), nullptr);

  // A newer version with an unknown format is corruption: XX001.
  std::string k2;
  keycodec::append_table_prefix(t->id, k2);
  keycodec::append_int(2, k2);
  keycodec::append_version(newer_ts, k2);
  ASSERT_TRUE(store->db()->Put(rocksdb::WriteOptions(), k2, std::string("\x01\x7f", 2)).ok());
  auto view2 = store->read_view();
  auto c2 = view2->scan(spec);
  EXPECT_EQ(testing::sqlstate_of([&] { c2->next(); }), "XX001");
}

TEST(StoreConcurrency, ParallelWritersGetDistinctRowIdsAndKeys) {
  testing::TempDir dir;
  auto store = Store::open(testing::test_options(dir));
  TableDef logd;
  logd.name = "log";
  logd.columns = {col("v", TypeId::Int64)};
  TableDefPtr log = store->catalog().create_table(logd);
  TableDef kvd;
  kvd.name = "kv";
  kvd.columns = {col("k", TypeId::Int64), col("v", TypeId::Int64)};
  kvd.primary_key = {0};
  TableDefPtr kv = store->catalog().create_table(kvd);
  constexpr int kThreads = 4, kStatements = 50, kRows = 5;
  std::vector<std::thread> threads;
  for (int th = 0; th < kThreads; ++th) {
    threads.emplace_back([&, th] {
      for (int s = 0; s < kStatements; ++s) {
        testing::AutoCommit stmt(*store);
        auto& w = stmt.w;
        for (int r = 0; r < kRows; ++r) {
          int64_t v = (th * kStatements + s) * kRows + r;
          Datum row[2] = {int_datum(v), int_datum(th)};
          w->insert(*log, row);
          w->insert(*kv, row);
        }
        stmt.commit();
      }
    });
  }
  for (auto& t : threads) t.join();
  auto view = store->read_view();
  for (TableDefPtr t : {log, kv}) {
    ScanSpec spec;
    spec.table = t;
    spec.columns = {true};
    spec.want_keys = true;
    auto c = view->scan(spec);
    uint64_t rows = 0;
    std::string prev;
    while (const ColumnBatch* b = c->next()) {
      for (uint64_t r = 0; r < b->count; ++r) {
        std::string key(b->keys[r].view());
        EXPECT_LT(prev, key);  // strictly increasing: no two rows share a key
        prev = key;
      }
      rows += b->count;
    }
    EXPECT_EQ(rows, static_cast<uint64_t>(kThreads * kStatements * kRows)) << t->name;
  }
}

}  // namespace
}  // namespace omendb::storage
