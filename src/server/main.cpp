// omendb: the server executable. Parses flags, opens the database, serves the PostgreSQL protocol,
// and shuts down cleanly on SIGTERM / SIGINT.
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <unistd.h>
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <thread>

#include "codegen/jit.h"
#include "common/error.h"
#include "frontend/pgwire/server.h"
#include "server/engine.h"
#include "storage/catalog.h"

int main(int argc, char** argv) {
  CLI::App app{"OmenDB: a PostgreSQL-compatible SQL server with LLVM-compiled queries over RocksDB"};
  std::string data_dir;
  std::string listen = "127.0.0.1";
  uint16_t port = 5433;
  size_t workers = 0;
  size_t io_threads = 0;
  // Limits (docs/reliability.md, "Size limits"): MySQL's max_allowed_packet is 64 MB too; PostgreSQL's
  // 1 GB is the largest value it can hold, not a sane amount for one connection to make the server buffer.
  size_t max_message_bytes = size_t{64} << 20;
  size_t max_row_bytes = size_t{64} << 20;
  size_t max_connections = 2000;
  std::string log_level = "info";
  bool no_sync = false;
  uint64_t query_memory_limit_mb = 1024;
  uint64_t transaction_memory_limit_mb = 1024;
  uint64_t query_memory_cap_mb = 0;
  std::string jit_tier = "auto";
  app.add_option("--data-dir", data_dir, "Directory of the database (created if missing)")->required();
  app.add_option("--port", port, "TCP port to listen on")->capture_default_str();
  app.add_option("--listen", listen, "Address to listen on (127.0.0.1, 0.0.0.0, ::1, ...)")
      ->capture_default_str();
  app.add_option("--workers", workers,
                 "Query worker threads (0: max(32, 4 x cores)). A commit waiting for its WAL fsync holds a "
                 "worker, so more workers than cores let concurrent commits share one fsync")
      ->capture_default_str();
  app.add_option(
         "--io-threads", io_threads,
         "Threads serving connections' I/O and their short statements, such as point lookups by primary "
         "key (0: one per core, plus one); at most io-threads - 1 run statements at once, so one always "
         "serves the others")
      ->capture_default_str();
  app.add_option(
         "--max-message-bytes", max_message_bytes,
         "Largest protocol message accepted (bytes); a larger one gets 54000 and the connection is closed")
      ->check(CLI::Range(size_t{1} << 16, size_t{1} << 30))
      ->capture_default_str();
  app.add_option("--max-row-bytes", max_row_bytes,
                 "Largest row (encoded bytes) INSERT, UPDATE and COPY store; a larger one fails with 54000")
      ->check(CLI::Range(size_t{1} << 10, size_t{1} << 30))
      ->capture_default_str();
  app.add_option("--max-connections", max_connections, "Connections accepted at once")->capture_default_str();
  uint64_t send_timeout_ms = 60'000;
  app.add_option("--send-timeout-ms", send_timeout_ms,
                 "A statement whose client reads none of its waiting results for this long fails with 57014, "
                 "freeing its snapshot, locks and worker (0: wait forever)")
      ->capture_default_str();
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error")->capture_default_str();
  app.add_flag("--no-sync-commit", no_sync,
               "Do not fsync the WAL at commit: faster, but a machine crash may lose the last commits");
  app.add_option("--query-memory-limit", query_memory_limit_mb,
                 "MB one query's sorts, aggregate states and text may hold before it fails with 53200 "
                 "(sessions change it with SET omendb.query_memory_limit)")
      ->capture_default_str();
  app.add_option(
         "--transaction-memory-limit", transaction_memory_limit_mb,
         "MB one transaction's buffered writes (rows written, savepoints, row locks) may hold before "
         "its statement fails with 53200 (sessions change it with SET omendb.transaction_memory_limit)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 24))
      ->capture_default_str();
  app.add_option("--query-memory-cap", query_memory_cap_mb,
                 "MB all running queries and open transactions may hold together before the one asking "
                 "fails with 53200 (0: half the machine's memory)")
      ->capture_default_str();
  app.add_option("--jit-tier", jit_tier,
                 "auto: optimise plans expected to touch many rows; cheap or optimizing: always that tier")
      ->check(CLI::IsMember({"auto", "cheap", "optimizing"}))
      ->capture_default_str();
  omendb::engine::EngineOptions defaults;
  uint64_t jit_optimize_max_instructions = defaults.jit_optimize_max_instructions;
  uint64_t jit_optimize_budget_ms = defaults.jit_optimize_budget_ms;
  uint64_t jit_max_instructions = defaults.jit_max_instructions;
  app.add_option("--jit-optimize-max-instructions", jit_optimize_max_instructions,
                 "A pipeline whose generated code has more IR instructions than this is compiled at the "
                 "cheap tier (the optimiser's time grows faster than the code)")
      ->capture_default_str();
  app.add_option("--jit-optimize-budget-ms", jit_optimize_budget_ms,
                 "CPU ms the optimiser may spend on one pipeline; past it the rest is compiled at the cheap "
                 "tier (0: no limit)")
      ->capture_default_str();
  app.add_option("--jit-max-instructions", jit_max_instructions,
                 "A statement whose code has more IR instructions than this fails with 54001 (0: no limit)")
      ->capture_default_str();
  uint64_t seal_block_rows = 16384;
  app.add_option(
         "--seal-block-rows", seal_block_rows,
         "Rows per sealed column block written by VACUUM (docs/columnar.md); small values are for tests")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 20))
      ->capture_default_str();
  uint32_t seal_interval = 10;
  uint64_t seal_min_rows = 100000;
  std::string seal_after = "10 minutes";
  app.add_option("--seal-interval", seal_interval,
                 "Seconds between background sealing passes (0: seal only on VACUUM); a pass seals the "
                 "versions older than each table's seal_after, and every table whose row store holds at "
                 "least --seal-min-rows rows (docs/columnar.md, \"Sealing by age\")")
      ->capture_default_str();
  app.add_option("--seal-after", seal_after,
                 "The seal_after of tables that do not set it: an interval ('10 minutes', '30s') or off")
      ->check([](const std::string& v) {
        try {
          omendb::storage::parse_seal_after(v);
          return std::string();
        } catch (const omendb::SqlError& e) {
          return e.message();
        }
      })
      ->capture_default_str();
  app.add_option("--seal-min-rows", seal_min_rows,
                 "Rows a table's row store must hold for background sealing whatever their age")
      ->capture_default_str();
  uint64_t short_statement_us = 250;
  app.add_option("--short-statement-us", short_statement_us,
                 "A point lookup whose last run took less than this many microseconds runs on its "
                 "connection's I/O thread")
      ->capture_default_str();
  app.set_version_flag("--version", std::string("omendb ") + OMENDB_VERSION);
  CLI11_PARSE(app, argc, argv);

  spdlog::set_level(spdlog::level::from_str(log_level));

  // Block the shutdown signals in every thread; one thread waits for them and stops the server.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  try {
    omendb::engine::EngineOptions options;
    options.data_dir = data_dir;
    options.sync_commits = !no_sync;
    options.max_row_bytes = max_row_bytes;
    options.seal_block_rows = seal_block_rows;
    options.seal_interval_seconds = seal_interval;
    options.seal_min_rows = seal_min_rows;
    options.seal_after_micros = omendb::storage::parse_seal_after(seal_after);
    options.short_statement_micros = short_statement_us;
    options.query_memory_limit = query_memory_limit_mb << 20;
    options.transaction_memory_limit = transaction_memory_limit_mb << 20;
    options.jit_optimize_max_instructions = jit_optimize_max_instructions;
    options.jit_optimize_budget_ms = jit_optimize_budget_ms;
    options.jit_max_instructions = jit_max_instructions;
    options.jit_tiers = jit_tier == "cheap"        ? omendb::codegen::TierPolicy::Cheap
                        : jit_tier == "optimizing" ? omendb::codegen::TierPolicy::Optimizing
                                                   : omendb::codegen::TierPolicy::Auto;
    uint64_t physical =
        static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<uint64_t>(sysconf(_SC_PAGE_SIZE));
    options.query_memory_cap = query_memory_cap_mb ? query_memory_cap_mb << 20 : physical / 2;
    omendb::engine::Database db(options);

    omendb::pgwire::ServerOptions server_options;
    server_options.listen_address = listen;
    server_options.port = port;
    server_options.worker_threads =
        workers ? workers : std::max<size_t>(32, 4 * std::max(1u, std::thread::hardware_concurrency()));
    server_options.io_threads =
        io_threads ? io_threads : std::max(1u, std::thread::hardware_concurrency()) + 1;
    server_options.max_message_bytes = max_message_bytes;
    server_options.max_connections = max_connections;
    server_options.send_timeout = std::chrono::milliseconds(send_timeout_ms);
    omendb::pgwire::Server server(server_options, db);
    server.start();
    spdlog::info("omendb {} listening on {}:{} (data directory {})", OMENDB_VERSION, listen, server.port(),
                 data_dir);

    std::thread signal_waiter([&] {
      int sig = 0;
      sigwait(&signals, &sig);
      if (sig != 0) spdlog::info("received signal {}, shutting down", sig);
      server.stop();
    });
    server.run();
    // run() also returns if the server stopped for another reason: wake the waiter.
    pthread_kill(signal_waiter.native_handle(), SIGTERM);
    signal_waiter.join();
    spdlog::info("omendb stopped");
  } catch (const omendb::SqlError& e) {
    spdlog::error("{}", e.message());
    return 1;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
  return 0;
}
