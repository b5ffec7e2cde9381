// The engine: one open database (storage + catalog + JIT) and the sessions that run SQL on it.
// It wires the stages: parser -> planner -> codegen -> runtime over storage. The pgwire server talks to
// it through pgwire::SessionFactory / pgwire::Session; benchmarks and tests can drive a Session
// in-process with their own ResultWriter, through exactly the same path.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

#include "frontend/pgwire/server.h"
#include "server/table_locks.h"

namespace omendb::storage {
class Store;
}
namespace omendb::codegen {
class Jit;
enum class TierPolicy : int;  // codegen/jit.h
}  // namespace omendb::codegen

namespace omendb::engine {

struct EngineOptions {
  std::string data_dir;
  bool sync_commits = true;                 // fsync the WAL at every commit
  size_t max_row_bytes = size_t{64} << 20;  // storage::StoreOptions::max_row_bytes
  size_t plan_cache_capacity = 4096;
  codegen::TierPolicy jit_tiers{};  // Auto: by expected rows
  // The compile budget (codegen::CompileBudget, docs/architecture.md): pipelines with more generated IR
  // instructions than this get the cheap tier; optimisation passes past this CPU time stop and the
  // pipeline gets the cheap backend; statements with more IR instructions than this fail with 54001.
  uint64_t jit_optimize_max_instructions = 5'000;
  uint64_t jit_optimize_budget_ms = 500;
  uint64_t jit_max_instructions = 1'000'000;
  // Memory one query's runtime structures (sorts, aggregate states, text) may hold: past it the query
  // fails with 53200. A session changes it with SET omendb.query_memory_limit = '256MB'.
  uint64_t query_memory_limit = uint64_t{1} << 30;
  // Memory one transaction's buffered writes (write set, savepoint copies, row locks) may take: past it
  // the statement fails with 53200. SET omendb.transaction_memory_limit changes it per session.
  uint64_t transaction_memory_limit = uint64_t{1} << 30;
  // What all running queries and open transactions may hold together (0: no cap).
  uint64_t query_memory_cap = 0;
  uint64_t seal_block_rows = 16384;  // rows per sealed column block (VACUUM)
  // Background sealing (docs/columnar.md, "Sealing by age"): every seal_interval_seconds (0: never; VACUUM
  // only) the sealer looks at each table: the versions older than its seal_after (the table's storage
  // parameter, else seal_after_micros; storage::kSealAfterOff: never) are sealed, and a table whose row
  // store holds about seal_min_rows rows or more is sealed whatever their age.
  uint32_t seal_interval_seconds = 10;
  int64_t seal_after_micros = int64_t{600} * 1'000'000;  // 10 minutes
  uint64_t seal_min_rows = 100000;
  // A point lookup whose last run (same cache key) took less than this runs on the connection's I/O
  // thread (docs/architecture.md); tests raise it so that what they check does not depend on timing.
  uint64_t short_statement_micros = 250;
};

class Database : public pgwire::SessionFactory {
 public:
  // Opens (or creates) the database. Throws SqlError 58030 when the data directory cannot be opened.
  explicit Database(const EngineOptions& options);
  ~Database() override;

  std::unique_ptr<pgwire::Session> open(const pgwire::StartupInfo& info) override;

  storage::Store& store() { return *store_; }
  const EngineOptions& options() const { return options_; }
  codegen::Jit& jit() { return *jit_; }

  // Statements hold the tables they use in shared mode while they run, DDL holds its tables exclusively:
  // no table is changed or dropped under a running statement (table_locks.h).
  TableLocks& table_locks() { return table_locks_; }
  // DDL statements change the catalog one at a time (after taking their tables' locks).
  std::mutex& ddl_mutex() { return ddl_mutex_; }

  // Statements that ran on a connection's I/O thread (pgwire::ResultWriter::on_io_thread): SHOW
  // omendb.io_thread_statements.
  void count_io_thread_statement() { io_thread_statements_.fetch_add(1, std::memory_order_relaxed); }
  uint64_t io_thread_statements() const { return io_thread_statements_.load(std::memory_order_relaxed); }
  // Simple-protocol statements that reused a session's parsed tree (the statement cache,
  // docs/architecture.md): SHOW omendb.simple_cache_hits.
  void count_simple_cache_hit() { simple_cache_hits_.fetch_add(1, std::memory_order_relaxed); }
  uint64_t simple_cache_hits() const { return simple_cache_hits_.load(std::memory_order_relaxed); }
  // ... of which those that also reused the plan made for other literal values (no binding or planning):
  // SHOW omendb.simple_plan_reuses.
  void count_simple_plan_reuse() { simple_plan_reuses_.fetch_add(1, std::memory_order_relaxed); }
  uint64_t simple_plan_reuses() const { return simple_plan_reuses_.load(std::memory_order_relaxed); }

 private:
  EngineOptions options_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<codegen::Jit> jit_;
  TableLocks table_locks_;
  std::mutex ddl_mutex_;
  std::atomic<uint64_t> io_thread_statements_{0};
  std::atomic<uint64_t> simple_cache_hits_{0};
  std::atomic<uint64_t> simple_plan_reuses_{0};
  // Background sealing (EngineOptions::seal_interval_seconds).
  void seal_loop();
  void seal_round();
  // What the sealer remembers of a table between rounds (its thread only).
  struct SealerTable {
    uint64_t sealed_to = 0;  // horizon of its last age seal: commits at or below it were handled
    std::chrono::steady_clock::time_point next_age_check{};               // no age seal before this
    std::optional<std::chrono::steady_clock::time_point> deferred_since;  // a seal left deferred versions
  };
  std::unordered_map<uint32_t, SealerTable> sealer_tables_;
  std::mutex sealer_mutex_;
  std::condition_variable sealer_wake_;
  bool stopping_ = false;  // sealer_mutex_
  std::thread sealer_;
};

}  // namespace omendb::engine
