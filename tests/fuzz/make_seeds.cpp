// Writes the seed corpus for codec_fuzz (tests/fuzz/corpus/codec): small real blocks and codec
// encodings of metrics-like data, so fuzzing starts from well-formed inputs. Built with OMENDB_FUZZ=ON;
// run: build-fuzz/tests/fuzz/codec_fuzz_make_seeds tests/fuzz/corpus/codec
#include <cstdio>
#include <string>
#include <vector>

#include "storage/columnar/block.h"
#include "storage/columnar/codec.h"

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
  return 0;
}
