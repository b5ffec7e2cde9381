// Google Benchmark micro-benchmarks of the costs under every query: key encoding, row decoding, the scan
// cursor's cost per row over real RocksDB (and with 10 MVCC versions per row), hash table insert/probe,
// LLVM compile time of a fixed pipeline at O0 and O2, and the columnar codecs' decode cost and size per
// value on metrics-like data (BM_ColumnarDecode, BM_ColumnarBlockScan). Run with `bench/run --micro` (or
// build/bench/bench_micro directly).
#include <benchmark/benchmark.h>

#include <cmath>
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
#include "storage/columnar/block.h"
#include "storage/columnar/codec.h"
#include "storage/columnar/column.h"
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
    o.seal_interval_seconds = 0;  // no background sealing under the measurements
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
    o.seal_interval_seconds = 0;  // no background sealing under the measurements
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

// ---- Columnar codecs (src/storage/columnar) -------------------------------------------------------------
// Decode cost per value and encoded size per value of each codec on metrics-like columns of one block
// (65,536 values), decoded straight into the arrays a compiled loop reads.
namespace columnar_bench {

namespace col = storage::columnar;
constexpr uint64_t kValues = 65536;

uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

struct Column {
  explicit Column(TypeId t) : type(t) {}
  TypeId type;
  std::vector<int64_t> i64;
  std::vector<int32_t> i32;
  std::vector<double> f64;
  std::vector<StrRef> text;
  std::vector<uint8_t> bools;
  const void* data() const {
    switch (type) {
      case TypeId::Int64:
        return i64.data();
      case TypeId::Int32:
        return i32.data();
      case TypeId::Float64:
        return f64.data();
      case TypeId::Text:
        return text.data();
      default:
        return bools.data();
    }
  }
};

// The data sets: name -> column of kValues values.
const std::vector<std::pair<std::string, Column>>& data_sets() {
  static const auto sets = [] {
    std::vector<std::pair<std::string, Column>> s;
    Column ts(TypeId::Int64);          // ms timestamps every 10 s with +-500 ms jitter
    Column gauge(TypeId::Float64);     // a gauge with 1-2 decimals (random walk, cents)
    Column counter(TypeId::Int64);     // a monotonic counter with irregular increments
    Column region(TypeId::Text);       // 5 regions, interleaved (rows in time order)
    Column region_runs(TypeId::Text);  // 5 regions in runs (rows in (device, ts) key order)
    Column status(TypeId::Int32);      // 95% zeros
    Column flag(TypeId::Bool);
    int64_t c = 0;
    double g = 50.0;
    for (uint64_t i = 0; i < kValues; ++i) {
      uint64_t h = mix(i);
      ts.i64.push_back(1'700'000'000'000 + static_cast<int64_t>(i) * 10'000 + static_cast<int64_t>(h % 1001) -
                       500);
      g += static_cast<double>(static_cast<int64_t>((h >> 10) % 201) - 100) / 100.0;
      if (g < 0) g = -g;
      gauge.f64.push_back(std::round(g * 100.0) / 100.0);
      c += static_cast<int64_t>((h >> 20) % 1000);
      counter.i64.push_back(c);
      const char* r = kRegions[(h >> 30) % 5];
      region.text.push_back(StrRef{r, std::char_traits<char>::length(r)});
      const char* rr = kRegions[(i / 10080) % 5];
      region_runs.text.push_back(StrRef{rr, std::char_traits<char>::length(rr)});
      status.i32.push_back(((h >> 42) % 100) < 95 ? 0 : 1 + static_cast<int32_t>((h >> 50) % 2));
      flag.bools.push_back((h >> 55) & 1);
    }
    s.emplace_back("ts", std::move(ts));
    s.emplace_back("gauge", std::move(gauge));
    s.emplace_back("counter", std::move(counter));
    s.emplace_back("region", std::move(region));
    s.emplace_back("region_runs", std::move(region_runs));
    s.emplace_back("status", std::move(status));
    s.emplace_back("bool", std::move(flag));
    return s;
  }();
  return sets;
}

void decode_bench(benchmark::State& state, const Column* column, col::CodecId id) {
  const col::Codec* codec = col::codec_for(id);
  std::string enc;
  codec->encode(column->type, column->data(), kValues, enc);
  std::vector<uint64_t> out((kValues * col::value_size(column->type) + 7) / 8);
  for (auto _ : state) {
    auto st = codec->decode(column->type, enc, kValues, out.data());
    if (!st.is_ok()) state.SkipWithError(st.message().c_str());
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.counters["ns_per_value"] =
      benchmark::Counter(static_cast<double>(kValues) / 1e9,
                         benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  state.counters["bytes_per_value"] = static_cast<double>(enc.size()) / kValues;
  state.counters["chosen"] = col::choose_codec(column->type, column->data(), nullptr, kValues) == id
                                 ? 1
                                 : 0;  // the selector's pick?
}

// One 1024-value chunk of the same 65,536-value columns (Codec::decode_chunks): what a point lookup or a
// short key range pays per column instead of a whole decode. Arg: the chunk (0, 32, 63 of 64); delta-of-delta
// sums its way to it, Gorilla reads its stream up to it. ns_per_value is per value of the chunk.
void chunk_decode_bench(benchmark::State& state, const Column* column, col::CodecId id) {
  const col::Codec* codec = col::codec_for(id);
  std::string enc;
  codec->encode(column->type, column->data(), kValues, enc);
  std::vector<uint64_t> out((kValues * col::value_size(column->type) + 7) / 8);
  const auto chunk = static_cast<uint64_t>(state.range(0));
  for (auto _ : state) {
    auto st = codec->decode_chunks(column->type, enc, kValues, chunk, chunk + 1, out.data());
    if (!st.is_ok()) state.SkipWithError(st.message().c_str());
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.counters["ns_per_value"] =
      benchmark::Counter(static_cast<double>(col::kDecodeChunk) / 1e9,
                         benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

// A block of the bench's metrics table in primary-key order (device_id, ts): 65,536 rows, 7 columns,
// codecs chosen by the selector. Scans every column into 1024-row batches; reports bytes per row.
void BM_ColumnarBlockScan(benchmark::State& state) {
  constexpr uint64_t kRows = kValues;
  std::vector<int64_t> ts(kRows);
  std::vector<int32_t> device(kRows), status(kRows);
  std::vector<StrRef> region(kRows);
  std::vector<double> cpu(kRows), mem(kRows), temp(kRows);
  for (uint64_t k = 0; k < kRows; ++k) {
    uint64_t i = (k % 10080) * 1000 + k / 10080;  // row i of the driver's data, taken in key order
    uint64_t h = mix(i);
    device[k] = static_cast<int32_t>(i % 1000);
    ts[k] = 1'700'000'000 + static_cast<int64_t>(i / 1000) * 60;
    const char* r = kRegions[device[k] % 5];
    region[k] = StrRef{r, std::char_traits<char>::length(r)};
    cpu[k] = static_cast<double>(h % 10000) / 100.0;
    mem[k] = static_cast<double>((h >> 14) % 10000) / 100.0;
    temp[k] = 20.0 + static_cast<double>((h >> 28) % 6000) / 100.0;
    status[k] = ((h >> 42) % 100) < 95 ? 0 : 1 + static_cast<int32_t>((h >> 50) % 2);
  }
  std::string block;
  auto st = col::write_block({{TypeId::Int64, ts.data(), nullptr, std::nullopt},
                              {TypeId::Int32, device.data(), nullptr, std::nullopt},
                              {TypeId::Text, region.data(), nullptr, std::nullopt},
                              {TypeId::Float64, cpu.data(), nullptr, std::nullopt},
                              {TypeId::Float64, mem.data(), nullptr, std::nullopt},
                              {TypeId::Float64, temp.data(), nullptr, std::nullopt},
                              {TypeId::Int32, status.data(), nullptr, std::nullopt}},
                             kRows, block);
  if (!st.is_ok()) {
    state.SkipWithError(st.message().c_str());
    return;
  }
  col::BlockReader reader;
  if (!reader.open(block).is_ok()) {
    state.SkipWithError("open failed");
    return;
  }
  std::vector<bool> wanted(7, true);
  uint64_t rows = 0;
  col::BlockScan scan;  // reused block after block, as a table scan would
  for (auto _ : state) {
    if (!reader.scan(wanted, 1024, scan).is_ok()) state.SkipWithError("scan failed");
    while (const storage::ColumnBatch* b = scan.next()) rows += b->count;
  }
  state.counters["ns_per_row"] = benchmark::Counter(
      static_cast<double>(rows) / 1e9, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["bytes_per_row"] = static_cast<double>(block.size()) / kRows;
  std::string label;
  for (size_t c = 0; c < reader.column_count(); ++c) {
    label += std::string(col::codec_for(reader.column(c).codec)->name()) +
             (c + 1 < reader.column_count() ? "," : "");
  }
  state.SetLabel(label);
}
BENCHMARK(BM_ColumnarBlockScan)->Unit(benchmark::kMicrosecond);

[[maybe_unused]] const bool registered = [] {
  for (const auto& [name, column] : data_sets()) {
    for (uint8_t id = 0; id <= col::kMaxCodecId; ++id) {
      const col::Codec* codec = col::codec_for(id);
      if (!codec->supports(column.type)) continue;
      benchmark::RegisterBenchmark(("BM_ColumnarDecode/" + name + "/" + std::string(codec->name())).c_str(),
                                   decode_bench, &column, codec->id())
          ->Unit(benchmark::kMicrosecond);
      benchmark::RegisterBenchmark(
          ("BM_ColumnarChunkDecode/" + name + "/" + std::string(codec->name())).c_str(), chunk_decode_bench,
          &column, codec->id())
          ->Arg(0)
          ->Arg(32)
          ->Arg(63)
          ->Unit(benchmark::kNanosecond);
    }
  }
  return true;
}();

}  // namespace columnar_bench

}  // namespace

BENCHMARK_MAIN();
