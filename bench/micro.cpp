// Google Benchmark micro-benchmarks of the costs under every query: key encoding, row decoding, the scan
// cursor's cost per row over real RocksDB (and with 10 MVCC versions per row), hash table insert/probe, and
// LLVM compile time of a fixed pipeline at O0 and O2. Run with `bench/run --micro` (or
// build/bench/bench_micro directly).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "codegen/jit.h"
#include "common/value.h"
#include "frontend/parser/parser.h"
#include "planner/planner.h"
#include "server/engine.h"
#include "storage/key_codec.h"
#include "storage/row_codec.h"
#include "storage/store.h"

namespace {

using namespace omendb;

constexpr uint64_t kScanRows = 1'000'000;
const char* const kRegions[] = {"eu-west", "us-east", "us-west", "ap-south", "sa-east"};

// Discards the results of setup statements.
struct IgnoreWriter : pgwire::ResultWriter {
  std::atomic<bool> cancel{false};
  void row_description(const std::vector<pgwire::ResultColumn>&) override {}
  void data_row(const std::string_view*, const bool*, size_t) override {}
  void command_complete(std::string_view) override {}
  void empty_query() override {}
  void notice(std::string_view, std::string_view) override {}
  const std::atomic<bool>* cancel_flag() const override { return &cancel; }
};

// A database in a temporary directory holding `metrics` with kScanRows rows, written straight through the
// storage API (the SQL path is measured by bench/run), shared by the benchmarks that need it.
struct Fixture {
  std::string dir;
  std::unique_ptr<engine::Database> db;
  storage::TableDefPtr table;

  Fixture() {
    char tmpl[] = "/tmp/omendb-micro-XXXXXX";
    dir = mkdtemp(tmpl);
    engine::EngineOptions o;
    o.data_dir = dir;
    o.sync_commits = false;
    db = std::make_unique<engine::Database>(o);
    IgnoreWriter out;
    db->open({})->execute(
        "CREATE TABLE metrics (ts BIGINT NOT NULL, device_id INT NOT NULL, region TEXT, cpu DOUBLE "
        "PRECISION, "
        "mem DOUBLE PRECISION, temp DOUBLE PRECISION, status INT, PRIMARY KEY (device_id, ts))",
        out);
    table = db->store().catalog().find("metrics");
    storage::Store& store = db->store();
    for (uint64_t base = 0; base < kScanRows; base += 100'000) {
      auto tx = store.begin(storage::IsolationLevel::ReadCommitted);
      auto view = tx->statement_view();
      auto writer = tx->writer(*view);
      for (uint64_t i = base; i < base + 100'000; ++i) {
        std::vector<Datum> row = make_row(i);
        writer->insert(*table, row.data());
      }
      writer->apply();
      tx->commit();
    }
  }
  ~Fixture() {
    db.reset();
    std::filesystem::remove_all(dir);
  }

  static std::vector<Datum> make_row(uint64_t i) {
    std::vector<Datum> r(7);
    for (auto& d : r) d = Datum{};
    r[0].i64 = 1'700'000'000 + static_cast<int64_t>(i / 1000) * 60;
    r[1].i64 = static_cast<int64_t>(i % 1000);
    r[2].str = StrRef{kRegions[i % 5], std::char_traits<char>::length(kRegions[i % 5])};
    r[3].f64 = static_cast<double>(i % 10000) / 100.0;
    r[4].f64 = static_cast<double>(i % 7777) / 100.0;
    r[5].f64 = 20.0 + static_cast<double>(i % 6000) / 100.0;
    r[6].i64 = static_cast<int64_t>(i % 20 == 0);
    return r;
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void BM_KeyEncodeComposite(benchmark::State& state) {
  std::string key;
  int64_t i = 0;
  for (auto _ : state) {
    key.clear();
    storage::keycodec::append_table_prefix(7, key);
    storage::keycodec::append_int(i % 1000, key);
    storage::keycodec::append_int(1'700'000'000 + i, key);
    storage::keycodec::append_version(static_cast<uint64_t>(i), key);
    benchmark::DoNotOptimize(key.data());
    ++i;
  }
}
BENCHMARK(BM_KeyEncodeComposite);

void BM_KeyEncodeText(benchmark::State& state) {
  std::string key;
  for (auto _ : state) {
    key.clear();
    storage::keycodec::append_table_prefix(7, key);
    storage::keycodec::append_text("device-000123/region-eu-west", key);
    benchmark::DoNotOptimize(key.data());
  }
}
BENCHMARK(BM_KeyEncodeText);

void BM_RowEncode(benchmark::State& state) {
  const auto& table = *fixture().table;
  std::vector<Datum> row = Fixture::make_row(12345);
  std::string out;
  for (auto _ : state) {
    storage::rowcodec::encode_row(table, row.data(), out);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_RowEncode);

// The slow-path decoder into owned Values (tests and error messages use it; scans decode in the cursor).
void BM_RowDecodeToValues(benchmark::State& state) {
  const auto& table = *fixture().table;
  std::vector<Datum> row = Fixture::make_row(12345);
  std::string encoded;
  storage::rowcodec::encode_row(table, row.data(), encoded);
  std::vector<Value> values;
  for (auto _ : state) {
    storage::rowcodec::decode_row(table, encoded, values);
    benchmark::DoNotOptimize(values.data());
  }
}
BENCHMARK(BM_RowDecodeToValues);

// The scan cursor over real RocksDB: every row of a 1M-row table into column batches. Reported per row.
void BM_ScanCursor(benchmark::State& state) {
  Fixture& f = fixture();
  storage::ScanSpec spec;
  spec.table = f.table;
  spec.columns.assign(f.table->columns.size(), false);
  for (int64_t c = 0; c < state.range(0); ++c) spec.columns[c] = true;
  uint64_t rows = 0;
  for (auto _ : state) {
    auto view = f.db->store().read_view();
    auto cursor = view->scan(spec);
    while (const storage::ColumnBatch* b = cursor->next()) rows += b->count;
  }
  // (rows / 1e9) per second, inverted: nanoseconds per row.
  state.counters["ns_per_row"] = benchmark::Counter(
      static_cast<double>(rows) / 1e9, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.SetItemsProcessed(static_cast<int64_t>(rows));
}
BENCHMARK(BM_ScanCursor)->Arg(1)->Arg(7)->Unit(benchmark::kMillisecond)->Iterations(3);

// Per-row cost of MVCC visibility in the scan cursor: a 200k-row table where every row has 1 version,
// or 10 (9 updates of every row, each round in committed transactions of 50k rows) while a REPEATABLE
// READ transaction opened before the updates holds its snapshot, so garbage collection may drop none.
// The timed scan reads the newest state (a fresh read view) and must skip 9 older versions per row.
// range(1): 0 = no compaction (memtables and L0 files as written), 1 = Store::compact() with the old
// snapshot still held (versions stay; one sorted run), 2 = snapshot released, then compact() (GC leaves
// 1 version per row). The versions_per_row counter is Store::count_versions over every key.
void BM_ScanVersions(benchmark::State& state) {
  constexpr int64_t kRows = 200'000, kBatch = 50'000;
  const int64_t versions = state.range(0), mode = state.range(1);
  char tmpl[] = "/tmp/omendb-micro-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  {
    engine::EngineOptions o;
    o.data_dir = dir;
    o.sync_commits = false;
    engine::Database db(o);
    IgnoreWriter out;
    db.open({})->execute("CREATE TABLE acc (id BIGINT NOT NULL, bal BIGINT NOT NULL, PRIMARY KEY (id))", out);
    storage::Store& store = db.store();
    storage::TableDefPtr table = store.catalog().find("acc");
    std::vector<Datum> row(2);
    auto write_round = [&](int64_t bal, const std::vector<std::string>* keys) {
      for (int64_t base = 0; base < kRows; base += kBatch) {
        auto tx = store.begin(storage::IsolationLevel::ReadCommitted);
        auto view = tx->statement_view();
        auto writer = tx->writer(*view);
        for (int64_t i = base; i < base + kBatch; ++i) {
          for (auto& d : row) d = Datum{};
          row[0].i64 = i;
          row[1].i64 = bal;
          if (keys)
            writer->update(*table, (*keys)[i], row.data());
          else
            writer->insert(*table, row.data());
        }
        writer->apply();
        tx->commit();
      }
    };
    write_round(0, nullptr);
    storage::ScanSpec spec;
    spec.table = table;
    spec.columns.assign(table->columns.size(), true);
    std::vector<std::string> keys;
    {
      spec.want_keys = true;
      auto view = store.read_view();
      auto cursor = view->scan(spec);
      while (const storage::ColumnBatch* b = cursor->next())
        for (uint64_t i = 0; i < b->count; ++i) keys.emplace_back(b->keys[i].ptr, b->keys[i].len);
      spec.want_keys = false;
    }
    // The long reader: its snapshot predates every update.
    auto holder = store.begin(storage::IsolationLevel::RepeatableRead);
    auto held_view = holder->statement_view();
    for (int64_t v = 1; v < versions; ++v) write_round(v, &keys);
    if (mode == 1) store.compact();
    if (mode == 2) {
      held_view.reset();
      holder.reset();
      store.compact();
    }
    double stored = 0;
    for (const std::string& k : keys) stored += static_cast<double>(store.count_versions(k));
    uint64_t rows = 0;
    int64_t sum = 0;
    for (auto _ : state) {
      auto view = store.read_view();
      auto cursor = view->scan(spec);
      while (const storage::ColumnBatch* b = cursor->next()) {
        rows += b->count;
        const int64_t* bal = static_cast<const int64_t*>(b->columns[1].data);
        for (uint64_t i = 0; i < b->count; ++i) sum += bal[i];
      }
    }
    if (sum != (versions - 1) * kRows * static_cast<int64_t>(state.iterations()))
      state.SkipWithError("the scan did not read the newest version of every row");
    state.counters["ns_per_row"] = benchmark::Counter(
        static_cast<double>(rows) / 1e9, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
    state.counters["versions_per_row"] = stored / static_cast<double>(keys.size());
    state.SetItemsProcessed(static_cast<int64_t>(rows));
    state.SetLabel(mode == 0   ? "no compaction"
                   : mode == 1 ? "compacted, old snapshot held"
                               : "compacted after GC");
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_ScanVersions)
    ->Args({1, 0})
    ->Args({10, 0})
    ->Args({10, 1})
    ->Args({10, 2})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5);

// There is no runtime hash table yet (GROUP BY and joins are pending): std::unordered_map is the
// placeholder the future one must beat.
void BM_HashInsert(benchmark::State& state) {
  const int64_t n = state.range(0);
  for (auto _ : state) {
    std::unordered_map<int64_t, int64_t> m;
    m.reserve(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) m[i * 0x9E3779B97F4A7C15ll] += i;
    benchmark::DoNotOptimize(m.size());
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_HashInsert)->Arg(1000)->Arg(1'000'000)->Unit(benchmark::kMicrosecond);

void BM_HashProbe(benchmark::State& state) {
  const int64_t n = state.range(0);
  std::unordered_map<int64_t, int64_t> m;
  for (int64_t i = 0; i < n; ++i) m[i * 0x9E3779B97F4A7C15ll] = i;
  std::mt19937_64 rng(1);
  int64_t sum = 0;
  for (auto _ : state) {
    auto it = m.find(static_cast<int64_t>(rng() % static_cast<uint64_t>(n)) * 0x9E3779B97F4A7C15ll);
    sum += it->second;
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HashProbe)->Arg(1000)->Arg(1'000'000);

// LLVM compile time of a fixed pipeline (a Q6-style filtered sum over metrics: scan -> filter -> aggregate
// and the result pipeline), planned once, compiled afresh every iteration under a new cache key. The
// row estimate picks the tier: 0 rows -> O0, 1e9 rows -> O2 (Jit::kOptimizeRowThreshold).
void BM_CompilePipeline(benchmark::State& state) {
  Fixture& f = fixture();
  const bool optimize = state.range(0) != 0;
  auto stmts = parser::parse(
      "SELECT sum(cpu * mem), count(*) FROM metrics WHERE ts >= 1700100000 AND ts < 1700400000 AND cpu >= 20 "
      "AND cpu < 40 AND status = 0");
  planner::PlannerContext ctx;
  ctx.catalog = &f.db->store().catalog();
  ctx.row_estimate = [optimize](uint32_t) -> uint64_t { return optimize ? 1'000'000'000 : 0; };
  planner::PlannedStatement planned = planner::plan_statement(*stmts[0], ctx);
  static uint64_t key = 0;
  double ir = 0;
  for (auto _ : state) {
    bool hit = false;
    auto compiled = f.db->jit().get_or_compile("micro-compile-" + std::to_string(key++), planned.plan, &hit);
    ir = 0;
    for (const auto& s : compiled->stats) ir += static_cast<double>(s.ir_instructions);
    benchmark::DoNotOptimize(compiled.get());
  }
  state.counters["ir_instructions"] = ir;
  state.SetLabel(optimize ? "O2" : "O0");
}
BENCHMARK(BM_CompilePipeline)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
