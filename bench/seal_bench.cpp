// Incremental sealing benchmark (docs/columnar.md, "Incremental sealing"): an in-process engine loads N
// rows of the bench's metrics table (bench/driver.cpp's data: 1,000 devices, cpu/mem/temp with 2 decimals,
// status 95% zeros), seals them with VACUUM, then `--rounds` times inserts `--percent` % more rows (the
// next timestamps of every device, in time order) and seals again. It prints each seal's time and what
// it wrote, the block count and sizes, and the W4-q6 filter-and-sum query time after the first seal and
// after the incremental ones (and, with --full, after rewriting every block in one seal).
//
//   build/bench/bench_seal --rows 10000000 --rounds 5 --percent 1 [--key device_ts|ts_device] [--full]
//                          [--threshold N]   seal as the background sealer does: blocks with fewer than N
//                                            changed keys wait (Store::SealOptions::min_block_changes)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "server/engine.h"
#include "storage/store.h"

namespace {

using namespace omendb;
using Clock = std::chrono::steady_clock;

constexpr int64_t kT0 = 1'700'000'000;
constexpr int kDevices = 1000;
constexpr int64_t kSpanSeconds = 7 * 86400;
const char* const kRegions[] = {"eu-west", "us-east", "us-west", "ap-south", "sa-east"};

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// Row i, as bench/driver.cpp's make_row (columns ts, device_id, region, cpu, mem, temp, status).
void make_row(uint64_t i, int64_t interval, Datum* r) {
  uint64_t h = splitmix64(i);
  for (int c = 0; c < 7; ++c) r[c] = Datum{};
  const int32_t device = static_cast<int32_t>(i % kDevices);
  r[0].i64 = kT0 + static_cast<int64_t>(i / kDevices) * interval;
  r[1].i64 = device;
  const char* region = kRegions[device % 5];
  r[2].str = StrRef{region, std::strlen(region)};
  r[3].f64 = static_cast<double>(h % 10000) / 100.0;
  r[4].f64 = static_cast<double>((h >> 14) % 10000) / 100.0;
  r[5].f64 = 20.0 + static_cast<double>((h >> 28) % 6000) / 100.0;
  r[6].i64 = ((h >> 42) % 100) < 95 ? 0 : 1 + static_cast<int64_t>((h >> 50) % 2);
}

struct Capture : pgwire::ResultWriter {
  std::atomic<bool> cancel{false};
  std::vector<std::string> last_row;
  void row_description(const std::vector<pgwire::ResultColumn>&) override {}
  void data_row(const std::string_view* values, const bool* nulls, size_t count) override {
    last_row.clear();
    for (size_t i = 0; i < count; ++i) last_row.emplace_back(nulls[i] ? "NULL" : std::string(values[i]));
  }
  void command_complete(std::string_view) override {}
  void empty_query() override {}
  void notice(std::string_view, std::string_view message) override {
    std::fprintf(stderr, "notice: %.*s\n", static_cast<int>(message.size()), message.data());
  }
  const std::atomic<bool>* cancel_flag() const override { return &cancel; }
};

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t rows = 1'000'000, rounds = 5, block_rows = 16384, threshold = 1;
  double percent = 1.0;
  int queries = 5;
  bool ts_first = false, full = false;
  std::string dir;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (a == "--rows")
      rows = std::stoull(next());
    else if (a == "--rounds")
      rounds = std::stoull(next());
    else if (a == "--percent")
      percent = std::stod(next());
    else if (a == "--block-rows")
      block_rows = std::stoull(next());
    else if (a == "--queries")
      queries = std::stoi(next());
    else if (a == "--threshold")
      threshold = std::stoull(next());
    else if (a == "--key")
      ts_first = next() == "ts_device";
    else if (a == "--full")
      full = true;
    else if (a == "--dir")
      dir = next();
    else {
      std::fprintf(stderr, "unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  if (dir.empty()) {
    char tmpl[] = "/tmp/omendb-seal-bench-XXXXXX";
    dir = mkdtemp(tmpl);
  }
  const int64_t interval = std::max<int64_t>(1, kSpanSeconds * kDevices / static_cast<int64_t>(rows));
  engine::EngineOptions o;
  o.data_dir = dir;
  o.sync_commits = false;
  o.seal_block_rows = block_rows;
  o.seal_interval_seconds = 0;  // only the seals this benchmark runs
  auto db = std::make_unique<engine::Database>(o);
  auto session = db->open({});
  Capture out;
  session->execute(
      std::string("CREATE TABLE metrics (ts BIGINT NOT NULL, device_id INT NOT NULL, region TEXT, "
                  "cpu DOUBLE PRECISION, mem DOUBLE PRECISION, temp DOUBLE PRECISION, status INT, "
                  "PRIMARY KEY ") +
          (ts_first ? "(ts, device_id))" : "(device_id, ts))"),
      out);
  storage::Store& store = db->store();
  storage::TableDefPtr table = store.catalog().find("metrics");

  auto insert = [&](uint64_t from, uint64_t to) {
    Datum row[7];
    for (uint64_t base = from; base < to; base += 100'000) {
      auto tx = store.begin(storage::IsolationLevel::ReadCommitted);
      auto view = tx->statement_view();
      auto writer = tx->writer(*view);
      for (uint64_t i = base; i < std::min(to, base + 100'000); ++i) {
        make_row(i, interval, row);
        writer->insert(*table, row);
      }
      writer->apply();
      tx->commit();
    }
  };
  auto vacuum = [&] {
    auto t = Clock::now();
#ifndef SEAL_BENCH_NO_FULL
    if (threshold > 1) {  // as the background sealer: blocks with fewer changed keys wait
      storage::Store::SealOptions so;
      so.min_block_changes = threshold;
      if (store.seal(table->id, so).versions_sealed > 0) store.compact_table(table->id);
      return seconds_since(t);
    }
#endif
    session->execute("VACUUM metrics", out);
    return seconds_since(t);
  };
  const std::string q6 =
      "SELECT sum(cpu * mem), count(*) FROM metrics WHERE ts >= " + std::to_string(kT0 + 100'000) +
      " AND ts < " + std::to_string(kT0 + 400'000) + " AND cpu >= 20 AND cpu < 40 AND status = 0";
  auto query = [&](const char* label) {
    std::vector<double> times;
    for (int i = 0; i < queries + 1; ++i) {  // the first run compiles and warms the cache
      auto t = Clock::now();
      session->execute(q6, out);
      if (i > 0) times.push_back(seconds_since(t));
    }
    std::sort(times.begin(), times.end());
    storage::Store::SealedInfo info = store.sealed_info(table->id);
    std::printf(
        "q6 %-22s median %.4f s  min %.4f s  (count %s)  blocks %llu, %.0f rows/block, %.2f bytes/row\n",
        label, times[times.size() / 2], times[0], out.last_row.size() > 1 ? out.last_row[1].c_str() : "?",
        static_cast<unsigned long long>(info.blocks),
        info.blocks ? static_cast<double>(info.rows) / static_cast<double>(info.blocks) : 0.0,
        info.rows ? static_cast<double>(info.bytes) / static_cast<double>(info.rows) : 0.0);
  };

  auto t = Clock::now();
  insert(0, rows);
  std::printf("key %s, %llu rows loaded in %.2f s (block rows %llu)\n",
              ts_first ? "(ts, device_id)" : "(device_id, ts)", static_cast<unsigned long long>(rows),
              seconds_since(t), static_cast<unsigned long long>(block_rows));
  double s = vacuum();
  storage::Store::SealedInfo info = store.sealed_info(table->id);
  std::printf("seal 0 (all rows)        %8.3f s  -> %llu blocks, %llu rows\n", s,
              static_cast<unsigned long long>(info.blocks), static_cast<unsigned long long>(info.rows));
  query("after one seal");

  uint64_t next = rows;
  const uint64_t step =
      std::max<uint64_t>(1, static_cast<uint64_t>(static_cast<double>(rows) * percent / 100.0));
  double total = 0;
  for (uint64_t r = 1; r <= rounds; ++r) {
    t = Clock::now();
    insert(next, next + step);
    double ins = seconds_since(t);
    next += step;
    s = vacuum();
    total += s;
    info = store.sealed_info(table->id);
    std::printf(
        "seal %llu (+%llu rows)    %8.3f s  (insert %.2f s) -> %llu blocks, %llu rows, %.2f bytes/row\n",
        static_cast<unsigned long long>(r), static_cast<unsigned long long>(step), s, ins,
        static_cast<unsigned long long>(info.blocks), static_cast<unsigned long long>(info.rows),
        static_cast<double>(info.bytes) / static_cast<double>(info.rows));
  }
  if (rounds > 0) std::printf("mean incremental seal   %8.3f s\n", total / static_cast<double>(rounds));
  t = Clock::now();
  s = vacuum();
  std::printf("seal with nothing to do %8.4f s\n", s);
  query("after incremental seals");
#ifndef SEAL_BENCH_NO_FULL
  if (full) {
    storage::Store::SealOptions so;
    so.rewrite_all = true;
    t = Clock::now();
    storage::Store::SealResult res = store.seal(table->id, so);
    std::printf("full rewrite            %8.3f s  -> %llu blocks\n", seconds_since(t),
                static_cast<unsigned long long>(res.blocks));
    store.compact_table(table->id);
    query("after a full rewrite");
  }
#endif
  session.reset();
  db.reset();
  std::filesystem::remove_all(dir);
  return 0;
}
