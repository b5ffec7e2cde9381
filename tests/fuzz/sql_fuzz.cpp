// libFuzzer target for the SQL path: parse, bind, plan, compile and run arbitrary SQL in-process
// through the engine (engine::Database + a Session, exactly what the pgwire server drives), on a real
// RocksDB store in a temporary directory. Built only with -DOMENDB_FUZZ=ON and clang; see
// tests/fuzz/README.md for how to run it.
//
// The input is one simple-query string (cut at its first NUL, as the wire protocol's Query message
// is; inputs over kMaxInput bytes are skipped). Every input starts from the same fixed schema: t1 and t2,
// each with a column of every type and a few rows, NULLs included (recreated after any input that may
// have written). The only property checked is "no crash, and every failure is a SqlError with a valid
// SQLSTATE" (anything else thrown aborts); sanitizer findings abort too. A watchdog cancels a statement
// after kStatementTimeout (57014, as statement_timeout would), and a query may hold at most 64 MB of
// runtime memory (53200). SQL_FUZZ_VERBOSE=1 prints each error (useful when running one input).
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "common/error.h"
#include "common/sqlstate.h"
#include "frontend/pgwire/server.h"
#include "server/engine.h"

using namespace omendb;

namespace {

constexpr size_t kMaxInput = 4096;
constexpr auto kStatementTimeout = std::chrono::seconds(2);

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "sql_fuzz: %s\n", what.c_str());
  std::abort();
}

// Discards results; cancel_flag() is what the watchdog sets.
class DiscardWriter final : public pgwire::ResultWriter {
 public:
  void row_description(const std::vector<pgwire::ResultColumn>&) override {}
  void data_row(const std::string_view* values, const bool* nulls, size_t count) override {
    for (size_t i = 0; i < count; ++i) {
      if (!nulls[i]) sink_ += values[i].size();  // touch every value: ASan checks its bytes are live
      if (!nulls[i] && !values[i].empty()) sink_ += static_cast<unsigned char>(values[i].back());
    }
  }
  void command_complete(std::string_view) override {}
  void empty_query() override {}
  void notice(std::string_view, std::string_view) override {}
  const std::atomic<bool>* cancel_flag() const override { return &cancel; }

  std::atomic<bool> cancel{false};

 private:
  size_t sink_ = 0;
};

// Sets the writer's cancel flag when a statement runs past its deadline.
class Watchdog {
 public:
  Watchdog() : thread_([this] { loop(); }) {}
  ~Watchdog() {
    {
      std::lock_guard lk(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void arm(DiscardWriter* w) {
    std::lock_guard lk(mu_);
    writer_ = w;
    deadline_ = std::chrono::steady_clock::now() + kStatementTimeout;
    cv_.notify_all();
  }
  void disarm() {
    std::lock_guard lk(mu_);
    writer_ = nullptr;
  }

 private:
  void loop() {
    std::unique_lock lk(mu_);
    while (!stop_) {
      if (writer_ == nullptr) {
        cv_.wait(lk);
      } else if (cv_.wait_until(lk, deadline_) == std::cv_status::timeout && writer_ != nullptr &&
                 std::chrono::steady_clock::now() >= deadline_) {
        writer_->cancel.store(true);
        writer_ = nullptr;
      }
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  DiscardWriter* writer_ = nullptr;
  std::chrono::steady_clock::time_point deadline_;
  bool stop_ = false;
  std::thread thread_;
};

void check_sqlstate(const SqlError& e, std::string_view sql) {
  std::string_view code = sqlstate_code(e.state());
  bool ok = code.size() == 5;
  for (char c : code) ok = ok && ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'));
  if (!ok) fail("invalid SQLSTATE for: " + std::string(sql));
}

// One statement per string: DDL must be alone in its query string.
const char* const kSchema[] = {
    "DROP TABLE IF EXISTS t1",
    "DROP TABLE IF EXISTS t2",
    "CREATE TABLE t1 (id BIGINT PRIMARY KEY, a INT, b DOUBLE PRECISION, c TEXT, d BOOLEAN, e VARCHAR(8))",
    "CREATE TABLE t2 (k INT PRIMARY KEY, x BIGINT NOT NULL, y DOUBLE PRECISION, z TEXT, w BOOLEAN)",
    "INSERT INTO t1 VALUES (1, 10, 1.5, 'one', true, 'a'), (2, 20, -2.25, 'two', false, 'bb'),"
    " (3, NULL, NULL, NULL, NULL, NULL), (4, -2147483648, 1e300, '', true, 'dddddddd'),"
    " (5, 2147483647, 'NaN', 'x''y', false, 'e')",
    "INSERT INTO t2 VALUES (1, 9223372036854775807, 0.5, 'one', true), (2, -9223372036854775808, -0.0, "
    "'two', NULL),"
    " (3, 0, 'Infinity', NULL, false), (10, 42, NULL, 'ten', true)",
};

struct Fixture {
  std::filesystem::path dir;
  std::unique_ptr<engine::Database> db;
  Watchdog watchdog;

  Fixture() {
    spdlog::set_level(spdlog::level::err);
    std::string tmpl = (std::filesystem::temp_directory_path() / "omendb-sql-fuzz-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) fail("mkdtemp failed");
    dir = tmpl;
    engine::EngineOptions options;
    options.data_dir = dir.string();
    options.sync_commits = false;
    options.query_memory_limit = uint64_t{64} << 20;
    db = std::make_unique<engine::Database>(options);
  }
  ~Fixture() {
    db.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

Fixture* fixture() {
  static Fixture* f = new Fixture();  // never destroyed: libFuzzer exits without running destructors
  return f;
}

std::unique_ptr<pgwire::Session> open_session() {
  pgwire::StartupInfo info;
  info.user = "fuzz";
  info.database = "fuzz";
  info.parameters["user"] = "fuzz";
  return fixture()->db->open(info);
}

// Runs sql; returns the SqlError's SQLSTATE check result. Anything but SqlError aborts.
void run(pgwire::Session& s, std::string_view sql, bool must_succeed) {
  DiscardWriter out;
  fixture()->watchdog.arm(&out);
  try {
    s.execute(sql, out);
  } catch (const SqlError& e) {
    fixture()->watchdog.disarm();
    if (must_succeed) fail("schema setup failed: " + e.message());
    check_sqlstate(e, sql);
    static const bool verbose = std::getenv("SQL_FUZZ_VERBOSE") != nullptr;  // for running one input
    if (verbose)
      std::fprintf(stderr, "sql_fuzz: %s %s\n", sqlstate_code(e.state()).data(), e.message().c_str());
    return;
  } catch (const std::exception& e) {
    fail(std::string("non-SqlError exception: ") + e.what() + " for: " + std::string(sql));
  } catch (...) {
    fail("unknown exception for: " + std::string(sql));
  }
  fixture()->watchdog.disarm();
}

// Whether sql may change the catalog or rows (a superset: any of these words anywhere).
bool may_write(std::string_view sql) {
  std::string lower(sql);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* w :
       {"insert", "update", "delete", "drop", "create", "alter", "truncate", "copy", "execute"}) {
    if (lower.find(w) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > kMaxInput) return 0;
  std::string_view sql(reinterpret_cast<const char*>(data), size);
  sql = sql.substr(0, sql.find('\0'));
  // Recreate the schema only after an input that may have changed it (or the data): the catalog and
  // rows are then exactly the fixed ones before every input, as when one input runs alone.
  static bool dirty = true;
  if (dirty) {
    auto setup = open_session();
    for (const char* stmt : kSchema) run(*setup, stmt, true);
  }
  dirty = may_write(sql);
  auto session = open_session();
  run(*session, sql, false);
  if (session->transaction_status() != 'I') run(*session, "ROLLBACK", false);
  return 0;
}
