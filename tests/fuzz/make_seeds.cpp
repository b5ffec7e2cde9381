// Writes the seed corpus for codec_fuzz (tests/fuzz/corpus/codec): small real blocks (metrics-like, and one
// of the SQL types blocks hold as integers or bytes: timestamptz, date, numeric, uuid, bytea) and codec
// encodings of metrics-like data, stored rows and keys, and rows and keys of every type in the format
// codec_fuzz's modes 5 and 7 read (codec_fuzz.cpp), so fuzzing starts from well-formed inputs. Built with
// OMENDB_FUZZ=ON; run: build-asan/tests/fuzz/codec_fuzz_make_seeds tests/fuzz/corpus/codec
#include <cstdio>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include "common/numeric.h"
#include "storage/catalog.h"
#include "storage/columnar/block.h"
#include "storage/columnar/codec.h"
#include "storage/key_codec.h"
#include "storage/row_codec.h"

using namespace omendb;
using namespace omendb::storage::columnar;

namespace {

void write(const std::string& dir, const std::string& name, uint8_t mode, const std::string& body) {
  std::string path = dir + "/" + name;
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    std::perror(path.c_str());
    std::exit(1);
  }
  std::fputc(mode, f);
  std::fwrite(body.data(), 1, body.size(), f);
  std::fclose(f);
}

// Bytes in the format codec_fuzz's Reader reads: fixed-width values little-endian, text as a length
// byte and the bytes.
struct Bytes {
  std::string s;
  Bytes& u8(uint8_t b) {
    s.push_back(static_cast<char>(b));
    return *this;
  }
  template <typename T>
  Bytes& fixed(T v) {
    char buf[sizeof(T)];
    std::memcpy(buf, &v, sizeof(T));
    s.append(buf, sizeof(T));
    return *this;
  }
  Bytes& text(const std::string& t) {
    u8(static_cast<uint8_t>(t.size()));
    s += t;
    return *this;
  }
  // A numeric as codec_fuzz's make_numeric builds it: sign flag 0x10, digits, the point before digit
  // `point`, no exponent.
  Bytes& numeric(bool negative, const std::string& digits, uint8_t point) {
    u8(negative ? 0x13 : 0x03).u8(static_cast<uint8_t>(digits.size() - 1)).u8(point);
    for (char c : digits) u8(static_cast<uint8_t>(c - '0'));
    return *this;
  }
};

// Indexes into codec_fuzz's kStorable / kKeyTypes.
enum : uint8_t {
  kBool,
  kInt32,
  kInt64,
  kFloat64,
  kText,
  kDate,
  kTime,
  kTimestamp,
  kTimestampTz,
  kInterval,
  kNumeric
};

void write_row_and_key_seeds(const std::string& dir) {
  using namespace omendb::storage;
  // mode 5: rows of every storable type. Table: column count - 1, dropped-slot mask, one type byte per
  // column; then the NULL mask, the "last column added later" flag, the values.
  Bytes a;
  a.u8(7).u8(0);
  for (uint8_t t : {kBool, kInt32, kInt64, kFloat64, kText, kDate, kTime, kTimestamp}) a.u8(t);
  a.u8(0).u8(0);
  a.u8(1).fixed<int32_t>(-2147483647 - 1).fixed<int64_t>(INT64_MAX).fixed<double>(-0.0);
  a.text(std::string("a\0b\xff\x01", 5)).fixed<int32_t>(-730120).fixed<int64_t>(86399999999);
  a.fixed<int64_t>(-210866803200000000);
  write(dir, "row-types-1", 5, a.s);
  Bytes b;
  b.u8(4).u8(0x05);  // two dropped slots, before columns 0 and 2
  for (uint8_t t : {kTimestampTz, kInterval, kNumeric, kFloat64, kText})
    b.u8(static_cast<uint8_t>(t | (kText << 4)));
  b.u8(0x10).u8(1);  // column 4 NULL; the last column added after the row
  b.fixed<int64_t>(1700000000000000).fixed<int64_t>(-3600000000).fixed<int32_t>(-1).fixed<int32_t>(14);
  b.numeric(true, "12345678901234567890", 7).fixed<double>(__builtin_nan("0x5"));
  write(dir, "row-types-2", 5, b.s);

  // mode 4: a stored row of the same first table, after its table bytes and the has-missing mask.
  TableDef t;
  for (TypeId type : {TypeId::Bool, TypeId::Int32, TypeId::Int64, TypeId::Float64, TypeId::Text}) {
    ColumnDef col;
    col.name = "c" + std::to_string(t.columns.size());
    col.type = type;
    t.columns.push_back(col);
  }
  std::string s = "text";
  Datum row[5] = {};
  row[0].i64 = 1;
  row[1].i64 = -5;
  row[2].i64 = 1LL << 40;
  row[3].f64 = 2.5;
  row[4].str = {s.data(), s.size()};
  std::string value;
  rowcodec::encode_row(t, row, value);
  Bytes c;
  c.u8(4).u8(0).u8(kBool).u8(kInt32).u8(kInt64).u8(kFloat64).u8(kText).u8(0);
  write(dir, "row-stored", 4, c.s + value);
  Bytes d;  // the same row read by a table with a sixth column added later (missing value 'x')
  d.u8(5).u8(0).u8(kBool).u8(kInt32).u8(kInt64).u8(kFloat64).u8(kText).u8(kText).u8(0x20).text("x");
  write(dir, "row-stored-missing", 4, d.s + value);
  std::string tomb;
  rowcodec::encode_tombstone(tomb, "moved");
  write(dir, "row-tombstone", 4, c.s + tomb);

  // mode 6: a stored key (table, int, text with a NUL, double, version) and the decoders to read it.
  std::string key;
  keycodec::append_table_prefix(16384, key);
  keycodec::append_int(-42, key);
  keycodec::append_text(std::string("k\0ey", 4), key);
  keycodec::append_double(-1.5, key);
  keycodec::append_version(7, key);
  write(dir, "key-stored", 6, std::string(1, static_cast<char>(1 | (3 << 2) | (2 << 4) | (1 << 6))) + key);

  // mode 7: two keys. Column count - 1, key type indexes, the share mask (b's column i is a's), table
  // id, two versions, then a's and b's values.
  Bytes e;  // (text, int) with equal text: the int decides
  e.u8(1).u8(kText).u8(kInt64).u8(1).fixed<uint32_t>(16384).fixed<uint64_t>(5).fixed<uint64_t>(9);
  e.text(std::string("ab\0", 3)).fixed<int64_t>(-1).fixed<int64_t>(1);
  write(dir, "key-text-int", 7, e.s);
  Bytes f;  // (double, numeric, date): -0.0 = 0.0 and 1.00 = 1.000, the date decides
  f.u8(2).u8(kFloat64).u8(kNumeric).u8(kDate).u8(0).fixed<uint32_t>(1).fixed<uint64_t>(3).fixed<uint64_t>(3);
  f.fixed<double>(-0.0).numeric(false, "100", 1).fixed<int32_t>(0);
  f.fixed<double>(0.0).numeric(false, "1000", 1).fixed<int32_t>(-1);
  write(dir, "key-float-numeric-date", 7, f.s);
  Bytes g;  // (numeric, bool, timestamptz): a negative and a special numeric
  g.u8(2)
      .u8(kNumeric)
      .u8(kBool)
      .u8(kTimestampTz)
      .u8(0)
      .fixed<uint32_t>(2)
      .fixed<uint64_t>(1)
      .fixed<uint64_t>(2);
  g.numeric(true, "5000001", 3).u8(1).fixed<int64_t>(0);
  g.u8(0x01).u8(0).fixed<int64_t>(-1);  // Infinity
  write(dir, "key-numeric-bool-ts", 7, g.s);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  std::string dir = argv[1];
  const int rows = 40;
  std::vector<int64_t> ts;
  std::vector<int32_t> status;
  std::vector<double> cpu;
  std::vector<StrRef> region;
  std::vector<uint8_t> ok, nulls;
  const char* regions[] = {"eu-west", "us-east", "us-west"};
  for (int i = 0; i < rows; ++i) {
    ts.push_back(1700000000000 + i * 10000 + (i * 37) % 41 - 20);
    status.push_back(200 + i % 3);
    cpu.push_back((i * 7919 % 10000) / 100.0);
    region.push_back({regions[i / 15], 7});
    ok.push_back(i % 3 == 0);
    nulls.push_back(i % 9 == 0);
  }
  cpu[5] = -0.0;
  cpu[6] = 1e300;
  std::string block;
  if (!write_block({{TypeId::Int64, ts.data(), nullptr, std::nullopt},
                    {TypeId::Int32, status.data(), nulls.data(), std::nullopt},
                    {TypeId::Float64, cpu.data(), nullptr, std::nullopt},
                    {TypeId::Text, region.data(), nullptr, std::nullopt},
                    {TypeId::Bool, ok.data(), nullptr, std::nullopt}},
                   rows, block)
           .is_ok()) {
    return 1;
  }
  write(dir, "block-metrics", 0, block);
  if (!write_block({{TypeId::Float64, cpu.data(), nullptr, CodecId::Gorilla},
                    {TypeId::Text, region.data(), nulls.data(), CodecId::PlainText},
                    {TypeId::Int64, ts.data(), nullptr, CodecId::FrameOfRef}},
                   rows, block)
           .is_ok()) {
    return 1;
  }
  write(dir, "block-forced", 0, block);
  {
    // SQL types held as codec types: timestamptz (with an infinity), date, numeric (one longer than a zone
    // bound), uuid, bytea
    std::vector<int64_t> tstz;
    std::vector<int32_t> day;
    std::deque<std::string> store;
    std::vector<StrRef> numeric, uuid, bytes;
    for (int i = 0; i < rows; ++i) {
      tstz.push_back(i == rows - 1 ? INT64_MAX : int64_t{820540800000000} + i * int64_t{10000000});
      day.push_back(9497 + i / 10);
      store.push_back(num::parse(i == 7 ? std::string(90, '9') : std::to_string(i * 3) + ".25"));
      numeric.push_back({store.back().data(), store.back().size()});
      store.push_back(std::string(15, '\x5a') + static_cast<char>(i % 4));
      uuid.push_back({store.back().data(), 16});
      store.push_back(std::string(static_cast<size_t>(i % 5), '\xde'));
      bytes.push_back({store.back().data(), store.back().size()});
    }
    if (!write_block({{TypeId::TimestampTz, tstz.data(), nullptr, std::nullopt},
                      {TypeId::Date, day.data(), nulls.data(), std::nullopt},
                      {TypeId::Numeric, numeric.data(), nulls.data(), std::nullopt},
                      {TypeId::Uuid, uuid.data(), nullptr, std::nullopt},
                      {TypeId::Bytea, bytes.data(), nullptr, std::nullopt}},
                     rows, block)
             .is_ok()) {
      return 1;
    }
    write(dir, "block-sql-types", 0, block);
  }

  struct One {
    CodecId codec;
    TypeId type;
    const void* data;
  };
  const One ones[] = {
      {CodecId::DeltaDelta, TypeId::Int64, ts.data()},    {CodecId::FrameOfRef, TypeId::Int32, status.data()},
      {CodecId::Alp, TypeId::Float64, cpu.data()},        {CodecId::Gorilla, TypeId::Float64, cpu.data()},
      {CodecId::Dictionary, TypeId::Text, region.data()}, {CodecId::PlainText, TypeId::Text, region.data()},
      {CodecId::Bitmap, TypeId::Bool, ok.data()},         {CodecId::Plain, TypeId::Int64, ts.data()}};
  for (const One& o : ones) {
    std::string body;
    body.push_back(static_cast<char>(o.codec));
    body.push_back(static_cast<char>(static_cast<uint8_t>(o.type) - 1));
    body.push_back(static_cast<char>(rows & 0xFF));
    body.push_back(static_cast<char>(rows >> 8));
    codec_for(o.codec)->encode(o.type, o.data, rows, body);
    write(dir, std::string("codec-") + std::string(codec_for(o.codec)->name()), 1, body);
  }
  // round-trip seeds: raw values of each type
  std::string raw_ts(reinterpret_cast<const char*>(ts.data()), ts.size() * 8);
  std::string raw_cpu(reinterpret_cast<const char*>(cpu.data()), cpu.size() * 8);
  write(dir, "values-int64", 2, std::string("\x02\x00", 2) + raw_ts);
  write(dir, "values-float64", 2, std::string("\x03\x11", 2) + raw_cpu);
  write(dir, "values-text", 2, std::string("\x04\x00", 2) + "eu-west\xffus-east\xff\xffus-west\xffus-west");
  write(dir, "block-pair", 3, std::string("\x02\x03\x21", 3) + raw_ts + raw_cpu);
  write_row_and_key_seeds(dir);
  return 0;
}
