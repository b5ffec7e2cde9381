// bench_driver: the timed loops of bench/run. One invocation runs one task against one system and prints
// one JSON object on stdout; bench/run orchestrates, checks answers and writes the reports. All timing
// happens here, around the client calls, so every system is measured by the same code:
//   omendb   OmenDB over pgwire (libpq, simple protocol)        --conninfo
//   pg       PostgreSQL over loopback (the same libpq)           --conninfo [--set jit=on ...] [--prepared]
//   inproc   OmenDB in-process: engine::Database + pgwire::Session::execute, as the server uses it
//   sqlite   SQLite 3 through its C API, WAL, --sync FULL|NORMAL, prepared statements
//   hand     a hand-written C++ loop over in-memory column arrays (scan workloads only)
#include <libpq-fe.h>
#include <rocksdb/db.h>
#include <rocksdb/table_properties.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "codegen/jit.h"
#include "common/error.h"
#include "common/sqlstate.h"
#include "server/engine.h"
#include "storage/key_codec.h"
#include "storage/store.h"

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

using Rows = std::vector<std::vector<std::string>>;

// A failed statement, with the SQLSTATE the system reported ("" when it has none).
struct Failure : std::runtime_error {
  Failure(std::string state, const std::string& message)
      : std::runtime_error(message), sqlstate(std::move(state)) {}
  std::string sqlstate;
};

// ---------------------------------------------------------------------------------------------------
// Command line: --key value pairs and --flag.
struct Args {
  std::map<std::string, std::string> values;
  std::vector<std::string> sets;  // repeated --set name=value
  std::string get(const std::string& k, const std::string& def = "") const {
    auto it = values.find(k);
    return it == values.end() ? def : it->second;
  }
  double num(const std::string& k, double def) const {
    auto it = values.find(k);
    return it == values.end() ? def : std::stod(it->second);
  }
};

Args parse_args(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    if (k.rfind("--", 0) != 0) throw std::runtime_error("unexpected argument " + k);
    k = k.substr(2);
    std::string v = (i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0) ? argv[++i] : "1";
    if (k == "set")
      a.sets.push_back(v);
    else
      a.values[k] = v;
  }
  return a;
}

// ---------------------------------------------------------------------------------------------------
// JSON output (flat objects; rows as arrays of strings).
std::string quote(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      o += '\\';
      o += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char b[8];
      snprintf(b, sizeof b, "\\u%04x", c);
      o += b;
    } else {
      o += c;
    }
  }
  return o + "\"";
}

struct Json {
  std::vector<std::pair<std::string, std::string>> fields;
  Json& num(const std::string& k, double v) {
    char b[64];
    snprintf(b, sizeof b, "%.9g", std::isfinite(v) ? v : 0.0);
    fields.emplace_back(k, b);
    return *this;
  }
  Json& str(const std::string& k, const std::string& v) {
    fields.emplace_back(k, quote(v));
    return *this;
  }
  Json& boolean(const std::string& k, bool v) {
    fields.emplace_back(k, v ? "true" : "false");
    return *this;
  }
  Json& rows(const std::string& k, const Rows& rows) {
    std::string o = "[";
    for (size_t r = 0; r < rows.size(); ++r) {
      o += r ? ",[" : "[";
      for (size_t c = 0; c < rows[r].size(); ++c) o += (c ? "," : "") + quote(rows[r][c]);
      o += "]";
    }
    fields.emplace_back(k, o + "]");
    return *this;
  }
  void print() const {
    std::string o = "{";
    for (size_t i = 0; i < fields.size(); ++i)
      o += (i ? ", " : "") + quote(fields[i].first) + ": " + fields[i].second;
    printf("%s}\n", o.c_str());
    fflush(stdout);
  }
};

// ---------------------------------------------------------------------------------------------------
// The data set: a time series of 1,000 devices reporting every `interval` seconds over 7 days, so that
// "one device's last day" always spans 24 hours whatever the row count. Deterministic: row i is the same
// on every system and in the hand-written arrays.
constexpr int64_t kT0 = 1'700'000'000;
constexpr int kDevices = 1000;
constexpr int64_t kSpanSeconds = 7 * 86400;
const char* const kRegions[] = {"eu-west", "us-east", "us-west", "ap-south", "sa-east"};

struct Row {
  int64_t ts;
  int32_t device_id;
  int region;
  double cpu, mem, temp;
  int32_t status;
};

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

int64_t interval_for(uint64_t n) {
  return std::max<int64_t>(1, kSpanSeconds * kDevices / static_cast<int64_t>(std::max<uint64_t>(n, 1)));
}

// Row i of a table of n rows; `device_base` and `ts_base` shift keys for the HTAP writers.
Row make_row(uint64_t i, int64_t interval, int32_t device_base = 0, int64_t ts_base = kT0) {
  uint64_t h = splitmix64(i);
  Row r;
  r.device_id = device_base + static_cast<int32_t>(i % kDevices);
  r.ts = ts_base + static_cast<int64_t>(i / kDevices) * interval;
  r.region = r.device_id % 5;
  r.cpu = static_cast<double>(h % 10000) / 100.0;
  r.mem = static_cast<double>((h >> 14) % 10000) / 100.0;
  r.temp = 20.0 + static_cast<double>((h >> 28) % 6000) / 100.0;
  r.status = ((h >> 42) % 100) < 95 ? 0 : 1 + static_cast<int32_t>((h >> 50) % 2);
  return r;
}

// One row as "(ts,device,'region',cpu,mem,temp,status)" or as a COPY text line.
void append_row(const Row& r, bool copy_format, std::string& out) {
  char b[160];
  if (copy_format)
    snprintf(b, sizeof b, "%lld\t%d\t%s\t%.2f\t%.2f\t%.2f\t%d\n", static_cast<long long>(r.ts), r.device_id,
             kRegions[r.region], r.cpu, r.mem, r.temp, r.status);
  else
    snprintf(b, sizeof b, "(%lld,%d,'%s',%.2f,%.2f,%.2f,%d)", static_cast<long long>(r.ts), r.device_id,
             kRegions[r.region], r.cpu, r.mem, r.temp, r.status);
  out += b;
}

std::string metrics_ddl(const std::string& table) {
  return "CREATE TABLE " + table +
         " (ts BIGINT NOT NULL, device_id INT NOT NULL, region TEXT, cpu DOUBLE PRECISION, "
         "mem DOUBLE PRECISION, temp DOUBLE PRECISION, status INT, PRIMARY KEY (device_id, ts))";
}

// ---------------------------------------------------------------------------------------------------
// Connections. query() runs one or more statements and returns the last one's rows (text format).
class Conn {
 public:
  virtual ~Conn() = default;
  virtual Rows query(const std::string& sql) = 0;
  // Prepares `sql` with $1..$n placeholders. By default the statement is not prepared on the server:
  // run_prepared() substitutes the values as literals and sends plain SQL (the simple protocol).
  virtual void prepare(const std::string& sql) { prepared_sql_ = sql; }
  virtual Rows run_prepared(const std::vector<std::string>& params) {
    std::string sql = prepared_sql_;
    for (size_t i = params.size(); i-- > 0;) {  // $10 before $1
      std::string ph = "$" + std::to_string(i + 1);
      for (size_t p; (p = sql.find(ph)) != std::string::npos;) sql.replace(p, ph.size(), params[i]);
    }
    return query(sql);
  }
  // The system's fastest bulk load path for `rows` rows of the metrics table.
  virtual void bulk_load(const std::string& table, uint64_t rows, int64_t interval) {
    query("COPY " + table + " FROM STDIN");  // fails with the system's own error when it has no COPY
    throw Failure("", "COPY FROM STDIN is not available through this client");
  }
  virtual std::string bulk_path() const { return "COPY FROM STDIN (text)"; }
  // Sends `sql`, waits `after_s`, sends a cancel request and returns the seconds from the cancel request
  // to the statement's end (its error, 57014). `finished` says the statement ended before the cancel.
  virtual double cancel_after(const std::string& sql, double after_s, bool* finished) {
    throw Failure("", "cancel is not measured for this system");
  }

 protected:
  std::string prepared_sql_;
};

class PqConn : public Conn {
 public:
  PqConn(const std::string& conninfo, const std::vector<std::string>& sets, bool server_prepared)
      : server_prepared_(server_prepared) {
    conn_ = PQconnectdb(conninfo.c_str());
    if (PQstatus(conn_) != CONNECTION_OK) throw Failure("08006", PQerrorMessage(conn_));
    for (const std::string& s : sets) {
      auto eq = s.find('=');
      query("SET " + s.substr(0, eq) + " = " + s.substr(eq + 1));
    }
  }
  ~PqConn() override { PQfinish(conn_); }

  Rows query(const std::string& sql) override { return take(PQexec(conn_, sql.c_str())); }

  void prepare(const std::string& sql) override {
    Conn::prepare(sql);
    if (server_prepared_) take(PQprepare(conn_, "bench", sql.c_str(), 0, nullptr));
  }
  Rows run_prepared(const std::vector<std::string>& params) override {
    if (!server_prepared_) return Conn::run_prepared(params);
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p.c_str());
    return take(
        PQexecPrepared(conn_, "bench", static_cast<int>(values.size()), values.data(), nullptr, nullptr, 0));
  }

  void bulk_load(const std::string& table, uint64_t rows, int64_t interval) override {
    PGresult* r = PQexec(conn_, ("COPY " + table + " FROM STDIN").c_str());
    if (PQresultStatus(r) != PGRES_COPY_IN) take(r);  // throws the server's error
    PQclear(r);
    std::string chunk;
    for (uint64_t i = 0; i < rows; ++i) {
      append_row(make_row(i, interval), true, chunk);
      if (chunk.size() > (1 << 20) || i + 1 == rows) {
        if (PQputCopyData(conn_, chunk.data(), static_cast<int>(chunk.size())) != 1)
          throw Failure("", PQerrorMessage(conn_));
        chunk.clear();
      }
    }
    if (PQputCopyEnd(conn_, nullptr) != 1) throw Failure("", PQerrorMessage(conn_));
    take(PQgetResult(conn_));
    while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);
  }

  double cancel_after(const std::string& sql, double after_s, bool* finished) override {
    if (PQsendQuery(conn_, sql.c_str()) != 1) throw Failure("", PQerrorMessage(conn_));
    std::this_thread::sleep_for(std::chrono::duration<double>(after_s));
    PGcancel* cancel = PQgetCancel(conn_);
    char err[256];
    Clock::time_point t0 = Clock::now();
    int sent = PQcancel(cancel, err, sizeof err);
    PQfreeCancel(cancel);
    if (!sent) throw Failure("", err);
    std::string state;
    *finished = true;
    while (PGresult* r = PQgetResult(conn_)) {
      if (PQresultStatus(r) == PGRES_FATAL_ERROR) {
        const char* st = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        state = st ? st : "";
        *finished = false;
      }
      PQclear(r);
    }
    double latency = seconds_since(t0);
    if (!*finished && state != "57014") throw Failure(state, "cancelled statement failed with " + state);
    return latency;
  }

 private:
  Rows take(PGresult* r) {
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE || st == PGRES_NONFATAL_ERROR) {
      const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
      std::string msg = PQresultErrorMessage(r);
      PQclear(r);
      while (!msg.empty() && (msg.back() == '\n')) msg.pop_back();
      throw Failure(state ? state : "", msg);
    }
    Rows rows;
    if (st == PGRES_TUPLES_OK) {
      int n = PQntuples(r), m = PQnfields(r);
      rows.resize(n);
      for (int i = 0; i < n; ++i)
        for (int j = 0; j < m; ++j) rows[i].push_back(PQgetisnull(r, i, j) ? "NULL" : PQgetvalue(r, i, j));
    }
    PQclear(r);
    return rows;
  }
  PGconn* conn_ = nullptr;
  bool server_prepared_;
};

class SqliteConn : public Conn {
 public:
  SqliteConn(const std::string& path, const std::string& sync) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) throw Failure("", sqlite3_errmsg(db_));
    sqlite3_busy_timeout(db_, 60000);
    query("PRAGMA journal_mode=WAL; PRAGMA synchronous=" + sync + "; PRAGMA cache_size=-262144");
  }
  ~SqliteConn() override {
    if (stmt_) sqlite3_finalize(stmt_);
    sqlite3_close(db_);
  }
  Rows query(const std::string& sql) override {
    Rows rows;
    const char* tail = sql.c_str();
    while (tail && *tail) {
      sqlite3_stmt* st = nullptr;
      if (sqlite3_prepare_v2(db_, tail, -1, &st, &tail) != SQLITE_OK) fail();
      if (!st) break;  // trailing whitespace
      rows = step_all(st);
      sqlite3_finalize(st);
    }
    return rows;
  }
  void prepare(const std::string& sql) override {
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK) fail();
  }
  Rows run_prepared(const std::vector<std::string>& params) override {
    sqlite3_reset(stmt_);
    for (size_t i = 0; i < params.size(); ++i) bind(stmt_, static_cast<int>(i + 1), params[i]);
    return step_all(stmt_);
  }
  // SQLite has no COPY: its fastest bulk path is one prepared INSERT, bound per row, in one transaction.
  void bulk_load(const std::string& table, uint64_t rows, int64_t interval) override {
    query("BEGIN");
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, ("INSERT INTO " + table + " VALUES (?,?,?,?,?,?,?)").c_str(), -1, &st,
                           nullptr))
      fail();
    for (uint64_t i = 0; i < rows; ++i) {
      Row r = make_row(i, interval);
      sqlite3_bind_int64(st, 1, r.ts);
      sqlite3_bind_int(st, 2, r.device_id);
      sqlite3_bind_text(st, 3, kRegions[r.region], -1, SQLITE_STATIC);
      sqlite3_bind_double(st, 4, r.cpu);
      sqlite3_bind_double(st, 5, r.mem);
      sqlite3_bind_double(st, 6, r.temp);
      sqlite3_bind_int(st, 7, r.status);
      if (sqlite3_step(st) != SQLITE_DONE) fail();
      sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    query("COMMIT");
  }
  std::string bulk_path() const override { return "one prepared INSERT bound per row, one transaction"; }

 private:
  static void bind(sqlite3_stmt* st, int i, const std::string& v) {
    char* end = nullptr;
    long long n = strtoll(v.c_str(), &end, 10);
    if (end && *end == 0 && !v.empty())
      sqlite3_bind_int64(st, i, n);
    else
      sqlite3_bind_text(st, i, v.c_str(), -1, SQLITE_TRANSIENT);
  }
  Rows step_all(sqlite3_stmt* st) {
    Rows rows;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      int m = sqlite3_column_count(st);
      rows.emplace_back();
      for (int j = 0; j < m; ++j) {
        const unsigned char* t = sqlite3_column_text(st, j);
        rows.back().push_back(t ? reinterpret_cast<const char*>(t) : "NULL");
      }
    }
    if (rc != SQLITE_DONE) fail();
    return rows;
  }
  [[noreturn]] void fail() { throw Failure("", sqlite3_errmsg(db_)); }
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

// OmenDB in-process: one engine::Database per driver process, one Session per connection.
omendb::engine::Database* g_database = nullptr;

class CollectingWriter : public omendb::pgwire::ResultWriter {
 public:
  void row_description(const std::vector<omendb::pgwire::ResultColumn>&) override { rows.clear(); }
  void data_row(const std::string_view* values, const bool* nulls, size_t count) override {
    auto& row = rows.emplace_back();
    for (size_t i = 0; i < count; ++i)
      row.emplace_back(nulls[i] ? std::string("NULL") : std::string(values[i]));
  }
  void command_complete(std::string_view) override {}
  void empty_query() override {}
  void notice(std::string_view, std::string_view) override {}
  const std::atomic<bool>* cancel_flag() const override { return &cancel_; }
  Rows rows;

 private:
  std::atomic<bool> cancel_{false};
};

class InprocConn : public Conn {
 public:
  InprocConn() {
    omendb::pgwire::StartupInfo info;
    info.user = "bench";
    info.database = "bench";
    session_ = g_database->open(info);
  }
  Rows query(const std::string& sql) override {
    CollectingWriter w;
    try {
      session_->execute(sql, w);
    } catch (const omendb::SqlError& e) {
      throw Failure(std::string(omendb::sqlstate_code(e.state())), e.message());
    }
    return std::move(w.rows);
  }
  std::string bulk_path() const override { return "COPY (through Session::execute)"; }

 private:
  std::unique_ptr<omendb::pgwire::Session> session_;
};

struct Target {
  std::string system;
  Args args;
  std::unique_ptr<Conn> connect() const {
    if (system == "omendb" || system == "pg")
      return std::make_unique<PqConn>(args.get("conninfo"), args.sets, args.values.count("prepared"));
    if (system == "sqlite") return std::make_unique<SqliteConn>(args.get("path"), args.get("sync", "NORMAL"));
    if (system == "inproc") return std::make_unique<InprocConn>();
    throw std::runtime_error("unknown --system " + system);
  }
};

Json failure_json(const Failure& f) {
  Json j;
  j.boolean("ok", false).str("sqlstate", f.sqlstate).str("error", f.what());
  return j;
}

// ---------------------------------------------------------------------------------------------------
// Tasks.

// exec: run SQL once, print its rows (answer checks, DDL, EXPLAIN).
Json task_exec(const Target& t) {
  auto c = t.connect();
  Json j;
  Clock::time_point t0 = Clock::now();
  Rows rows = c->query(t.args.get("sql"));
  j.boolean("ok", true).num("seconds", seconds_since(t0)).rows("rows", rows);
  return j;
}

std::string devices_insert() {
  std::string sql = "INSERT INTO devices VALUES ";
  for (int d = 0; d < kDevices; ++d)
    sql += (d ? "," : "") + ("(" + std::to_string(d) + ",'" + kRegions[d % 5] + "','model-" +
                             std::to_string(d % 7) + "'," + std::to_string(d / 40) + ")");
  return sql;
}

// ingest: (re)create a metrics-shaped table and load rows, by multi-row INSERTs grouped in transactions
// (autocommit when the system refuses BEGIN: the note says so) or by the system's bulk path.
Json task_ingest(const Target& t) {
  auto c = t.connect();
  std::string table = t.args.get("table", "metrics");
  uint64_t rows = static_cast<uint64_t>(t.args.num("rows", 100000));
  int64_t interval = interval_for(static_cast<uint64_t>(t.args.num("data-rows", static_cast<double>(rows))));
  uint64_t batch = static_cast<uint64_t>(t.args.num("batch", 1000));
  uint64_t per_tx = static_cast<uint64_t>(t.args.num("tx", 10));
  std::string method = t.args.get("method", "insert");
  c->query("DROP TABLE IF EXISTS " + table);
  c->query(metrics_ddl(table));
  if (t.args.values.count("devices")) {
    c->query("DROP TABLE IF EXISTS devices");
    c->query(
        "CREATE TABLE devices (device_id INT NOT NULL, region TEXT, model TEXT, rack INT, PRIMARY KEY "
        "(device_id))");
    c->query(devices_insert());
  }
  std::string note;
  Clock::time_point t0 = Clock::now();
  if (method == "copy") {
    note = c->bulk_path();
    c->bulk_load(table, rows, interval);
  } else {
    bool transactions = true;
    try {
      c->query("BEGIN");
      c->query("COMMIT");
    } catch (const Failure& f) {
      transactions = false;
      note = "autocommit per statement: BEGIN refused (" + f.sqlstate + " " + f.what() + ")";
    }
    if (transactions)
      note = std::to_string(batch) + " rows per INSERT, " + std::to_string(per_tx) + " per transaction";
    t0 = Clock::now();
    std::string sql;
    uint64_t statements = 0;
    for (uint64_t i = 0; i < rows; i += batch) {
      if (transactions && statements % per_tx == 0) c->query("BEGIN");
      sql = "INSERT INTO " + table + " VALUES ";
      for (uint64_t k = i; k < std::min(rows, i + batch); ++k) {
        if (k != i) sql += ',';
        append_row(make_row(k, interval), false, sql);
      }
      c->query(sql);
      ++statements;
      if (transactions && (statements % per_tx == 0 || i + batch >= rows)) c->query("COMMIT");
    }
  }
  double s = seconds_since(t0);
  Json j;
  j.boolean("ok", true)
      .num("seconds", s)
      .num("rows", static_cast<double>(rows))
      .num("rows_per_s", rows / s)
      .str("note", note);
  return j;
}

// The hand-written limit: the metrics table as in-memory column arrays (region dictionary-coded), and the
// scan queries as plain loops. Answers print in the same shape as the SQL ones.
struct Columns {
  std::vector<int64_t> ts;
  std::vector<int32_t> device_id, status;
  std::vector<uint8_t> region;
  std::vector<double> cpu, mem, temp;
  explicit Columns(uint64_t n) {
    int64_t interval = interval_for(n);
    for (uint64_t i = 0; i < n; ++i) {
      Row r = make_row(i, interval);
      ts.push_back(r.ts);
      device_id.push_back(r.device_id);
      status.push_back(r.status);
      region.push_back(static_cast<uint8_t>(r.region));
      cpu.push_back(r.cpu);
      mem.push_back(r.mem);
      temp.push_back(r.temp);
    }
  }
};

std::string fmt_num(double v) {
  char b[64];
  snprintf(b, sizeof b, "%.10g", v);
  return b;
}

// q6: SELECT sum(cpu * mem), count(*) WHERE ts >= lo AND ts < hi AND cpu >= 20 AND cpu < 40 AND status = 0
// q1: SELECT region, status, count(*), sum(cpu), avg(mem), avg(temp) WHERE temp < 77 GROUP BY region, status
Rows hand_query(const Columns& c, const std::string& which, const Args& a) {
  size_t n = c.ts.size();
  if (which == "q6") {
    int64_t lo = static_cast<int64_t>(a.num("lo", 0)), hi = static_cast<int64_t>(a.num("hi", 0));
    double sum = 0;
    int64_t count = 0;
    for (size_t i = 0; i < n; ++i) {
      bool hit = c.ts[i] >= lo && c.ts[i] < hi && c.cpu[i] >= 20 && c.cpu[i] < 40 && c.status[i] == 0;
      sum += hit ? c.cpu[i] * c.mem[i] : 0.0;
      count += hit;
    }
    return {{fmt_num(sum), std::to_string(count)}};
  }
  struct Agg {
    int64_t count = 0;
    double cpu = 0, mem = 0, temp = 0;
  } groups[5][3] = {};
  for (size_t i = 0; i < n; ++i) {
    if (!(c.temp[i] < 77)) continue;
    Agg& g = groups[c.region[i]][c.status[i]];
    ++g.count;
    g.cpu += c.cpu[i];
    g.mem += c.mem[i];
    g.temp += c.temp[i];
  }
  std::vector<int> order = {0, 1, 2, 3, 4};
  std::sort(order.begin(), order.end(), [](int x, int y) { return strcmp(kRegions[x], kRegions[y]) < 0; });
  Rows rows;
  for (int r : order)
    for (int s = 0; s < 3; ++s)
      if (const Agg& g = groups[r][s]; g.count)
        rows.push_back({kRegions[r], std::to_string(s), std::to_string(g.count), fmt_num(g.cpu),
                        fmt_num(g.mem / g.count), fmt_num(g.temp / g.count)});
  return rows;
}

// query: run once cold, then repeatedly for --min-time seconds (at least --min-iters times). Reports the
// cold time, the mean of the warm runs and the first answer.
Json task_query(const Target& t) {
  std::function<Rows()> run;
  std::unique_ptr<Conn> conn;
  std::unique_ptr<Columns> columns;
  if (t.system == "hand") {
    columns = std::make_unique<Columns>(static_cast<uint64_t>(t.args.num("rows", 100000)));
    run = [&] { return hand_query(*columns, t.args.get("hand"), t.args); };
  } else {
    conn = t.connect();
    run = [&] { return conn->query(t.args.get("sql")); };
  }
  double min_time = t.args.num("min-time", 0.5);
  int min_iters = static_cast<int>(t.args.num("min-iters", 3));
  Clock::time_point t0 = Clock::now();
  Rows rows = run();
  double cold = seconds_since(t0);
  std::vector<double> times;
  Clock::time_point start = Clock::now();
  while (times.empty() || static_cast<int>(times.size()) < min_iters || seconds_since(start) < min_time) {
    Clock::time_point q = Clock::now();
    run();
    times.push_back(seconds_since(q));
    if (times.size() >= 10000) break;
  }
  std::sort(times.begin(), times.end());
  double mean = 0;
  for (double x : times) mean += x;
  Json j;
  j.boolean("ok", true)
      .num("cold_s", cold)
      .num("seconds", times[times.size() / 2])
      .num("mean_s", mean / times.size());
  j.num("iters", static_cast<double>(times.size())).rows("rows", rows);
  return j;
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

// Closed-loop clients: `clients` threads, each with its own connection (`setup` runs on it first), call
// `body(conn, rng, client)` repeatedly for `seconds` once all have connected; every call's latency is
// recorded. An error in any client is rethrown.
struct ClientRun {
  std::vector<double> latencies;  // seconds, every call of every client
  double elapsed;
};
ClientRun run_clients(const Target& t, int clients, double duration,
                      const std::function<void(Conn&, std::mt19937_64&, int)>& body,
                      const std::function<void(Conn&)>& setup = {}) {
  std::vector<std::vector<double>> latencies(clients);
  std::vector<std::string> errors(clients);
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c)
    threads.emplace_back([&, c] {
      try {
        auto conn = t.connect();
        if (setup) setup(*conn);
        std::mt19937_64 rng(c + 1);
        ++ready;
        while (!go) std::this_thread::yield();
        Clock::time_point start = Clock::now();
        while (seconds_since(start) < duration) {
          Clock::time_point q = Clock::now();
          body(*conn, rng, c);
          latencies[c].push_back(seconds_since(q));
        }
      } catch (const std::exception& e) {
        errors[c] = e.what();
        ++ready;
      }
    });
  while (ready < clients) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  Clock::time_point start = Clock::now();
  go = true;
  for (auto& th : threads) th.join();
  ClientRun run{{}, seconds_since(start)};
  for (auto& e : errors)
    if (!e.empty()) throw Failure("", e);
  for (auto& l : latencies) run.latencies.insert(run.latencies.end(), l.begin(), l.end());
  return run;
}

// point: --clients threads, each with its own connection, look up random existing primary keys for
// --seconds. The statement is prepared where the system supports it (see Conn::prepare).
Json task_point(const Target& t) {
  uint64_t rows = static_cast<uint64_t>(t.args.num("rows", 100000));
  int clients = static_cast<int>(t.args.num("clients", 1));
  int64_t interval = interval_for(rows);
  std::string sql =
      "SELECT ts, device_id, region, cpu, mem, temp, status FROM metrics WHERE device_id = $1 AND ts = $2";
  ClientRun run = run_clients(
      t, clients, t.args.num("seconds", 2),
      [&](Conn& conn, std::mt19937_64& rng, int) {
        Row r = make_row(rng() % rows, interval);
        Rows got = conn.run_prepared({std::to_string(r.device_id), std::to_string(r.ts)});
        if (got.size() != 1)
          throw Failure("", "point lookup returned " + std::to_string(got.size()) + " rows");
      },
      [&](Conn& conn) { conn.prepare(sql); });
  std::vector<double>& all = run.latencies;
  Json j;
  j.boolean("ok", true).num("qps", all.size() / run.elapsed).num("count", static_cast<double>(all.size()));
  j.num("p50_us", percentile(all, 0.5) * 1e6).num("p99_us", percentile(all, 0.99) * 1e6);
  j.num("seconds", run.elapsed / std::max<size_t>(1, all.size()) * clients);
  return j;
}

// ilookup: point lookups by an indexed column that is not the primary key, on
// lk(id BIGINT PRIMARY KEY, code BIGINT, note TEXT) with --rows rows, code = id * 7919 mod rows (a
// permutation: every code is in exactly one row), CREATE INDEX lk_code ON lk (code). --setup (re)creates
// the table and the index (timing the load and the build); otherwise one client looks up random existing
// values for --seconds, by `code` (--by code, the secondary index) or by `id` (--by id, the primary key),
// prepared where the system supports it.
Json task_ilookup(const Target& t) {
  const int64_t rows = static_cast<int64_t>(t.args.num("rows", 1000000));
  if (t.args.values.count("setup")) {
    auto c = t.connect();
    c->query("DROP TABLE IF EXISTS lk");
    c->query("CREATE TABLE lk (id BIGINT NOT NULL, code BIGINT, note TEXT, PRIMARY KEY (id))");
    Clock::time_point t0 = Clock::now();
    for (int64_t i = 0; i < rows; i += 1000) {
      std::string sql = "INSERT INTO lk VALUES ";
      for (int64_t k = i; k < std::min(rows, i + 1000); ++k)
        sql += (k != i ? ",(" : "(") + std::to_string(k) + "," + std::to_string(k * 7919 % rows) + ",'note " +
               std::to_string(k) + "')";
      c->query(sql);
    }
    double load = seconds_since(t0);
    Clock::time_point t1 = Clock::now();
    c->query("CREATE INDEX lk_code ON lk (code)");
    Json j;
    j.boolean("ok", true).num("seconds", load).num("index_build_s", seconds_since(t1));
    return j;
  }
  const bool by_code = t.args.get("by", "code") == "code";
  std::string sql = std::string("SELECT id, code, note FROM lk WHERE ") + (by_code ? "code" : "id") + " = $1";
  ClientRun run = run_clients(
      t, 1, t.args.num("seconds", 2),
      [&](Conn& conn, std::mt19937_64& rng, int) {
        Rows got =
            conn.run_prepared({std::to_string(static_cast<int64_t>(rng() % static_cast<uint64_t>(rows)))});
        if (got.size() != 1) throw Failure("", "lookup returned " + std::to_string(got.size()) + " rows");
      },
      [&](Conn& conn) { conn.prepare(sql); });
  std::vector<double>& all = run.latencies;
  Json j;
  j.boolean("ok", true).num("qps", all.size() / run.elapsed).num("count", static_cast<double>(all.size()));
  j.num("p50_us", percentile(all, 0.5) * 1e6).num("p99_us", percentile(all, 0.99) * 1e6);
  j.num("seconds", run.elapsed / std::max<size_t>(1, all.size()));
  return j;
}

// htap: --writers threads insert fresh rows (100 per statement, each statement its own transaction) while
// one reader repeats --sql, for --seconds. --mode read|write runs one side alone for the baseline.
// cancel: --count times, sends --sql, cancels it after --after seconds (default: half of a warm uncancelled
// run) and times the cancel request's round trip to the statement's 57014, as a client sees it.
Json task_cancel(const Target& t) {
  auto conn = t.connect();
  // By default the cancel comes halfway through the statement, as timed by a warm uncancelled run.
  double after = t.args.num("after", -1);
  if (after < 0) {
    conn->query(t.args.get("sql"));  // compiles and warms caches, as the cancelled runs find them
    Clock::time_point t0 = Clock::now();
    conn->query(t.args.get("sql"));
    after = seconds_since(t0) / 2;
  }
  int count = static_cast<int>(t.args.num("count", 5));
  std::vector<double> latencies;
  int finished_first = 0;
  for (int i = 0; i < count; ++i) {
    bool finished = false;
    double s = conn->cancel_after(t.args.get("sql"), after, &finished);
    if (finished)
      ++finished_first;
    else
      latencies.push_back(s);
  }
  if (latencies.empty()) throw Failure("", "the statement always ended before the cancel: use a longer one");
  std::sort(latencies.begin(), latencies.end());
  Json j;
  j.boolean("ok", true).num("seconds", latencies[latencies.size() / 2]).num("max_s", latencies.back());
  j.num("after_s", after);
  j.num("cancelled", static_cast<double>(latencies.size())).num("finished_first", finished_first);
  return j;
}

Json task_htap(const Target& t) {
  int writers = static_cast<int>(t.args.num("writers", 4));
  double duration = t.args.num("seconds", 3);
  std::string mode = t.args.get("mode", "mixed");
  int32_t key_base = static_cast<int32_t>(t.args.num("key-base", 0));
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> written{0};
  std::vector<std::string> errors(writers + 1);
  std::vector<double> reads;
  std::vector<std::thread> threads;
  Clock::time_point start = Clock::now();
  if (mode != "read")
    for (int w = 0; w < writers; ++w)
      threads.emplace_back([&, w] {
        try {
          auto conn = t.connect();
          int32_t device = 1'000'000 + key_base * 64 + w * kDevices;  // keys no other writer or run uses
          for (uint64_t i = 0; !stop; i += 100) {
            std::string sql = "INSERT INTO metrics VALUES ";
            for (uint64_t k = i; k < i + 100; ++k) {
              if (k != i) sql += ',';
              append_row(make_row(k, 60, device, kT0), false, sql);
            }
            conn->query(sql);
            written += 100;
          }
        } catch (const std::exception& e) {
          errors[w] = e.what();
        }
      });
  if (mode != "write") {
    try {
      auto conn = t.connect();
      while (seconds_since(start) < duration) {
        Clock::time_point q = Clock::now();
        conn->query(t.args.get("sql"));
        reads.push_back(seconds_since(q));
      }
    } catch (const std::exception& e) {
      errors[writers] = e.what();
    }
  } else {
    std::this_thread::sleep_for(std::chrono::duration<double>(duration));
  }
  stop = true;
  double elapsed = seconds_since(start);
  for (auto& th : threads) th.join();
  for (auto& e : errors)
    if (!e.empty()) throw Failure("", e);
  Json j;
  j.boolean("ok", true)
      .num("read_median_s", percentile(reads, 0.5))
      .num("reads", static_cast<double>(reads.size()));
  j.num("write_rows_per_s", written / elapsed);
  j.num("seconds", mode == "write" ? 1.0 / std::max(1.0, written / elapsed) : percentile(reads, 0.5));
  return j;
}

// (Re)creates `table` (id BIGINT PRIMARY KEY, bal BIGINT) with rows 0..rows-1, bal = 0.
void create_balances(Conn& c, const std::string& table, int64_t rows) {
  c.query("DROP TABLE IF EXISTS " + table);
  c.query("CREATE TABLE " + table + " (id BIGINT NOT NULL, bal BIGINT NOT NULL, PRIMARY KEY (id))");
  for (int64_t i = 0; i < rows; i += 1000) {
    std::string sql = "INSERT INTO " + table + " VALUES ";
    for (int64_t k = i; k < std::min(rows, i + 1000); ++k)
      sql += (k != i ? ",(" : "(") + std::to_string(k) + ",0)";
    c.query(sql);
  }
}

// commit: --clients threads, each with its own connection, run small write transactions on
// acc(id, bal) for --seconds: --mode autocommit (one UPDATE per transaction) or block (BEGIN; two
// UPDATEs; COMMIT). A transaction that fails with 40001 (or 40P01) is rolled back and retried; its
// latency runs from its first attempt to the successful COMMIT. --setup (re)creates acc with
// --accounts rows instead.
Json task_commit(const Target& t) {
  int64_t accounts = static_cast<int64_t>(t.args.num("accounts", 10000));
  if (t.args.values.count("setup")) {
    create_balances(*t.connect(), "acc", accounts);
    Json j;
    j.boolean("ok", true).num("seconds", 0).num("accounts", static_cast<double>(accounts));
    return j;
  }
  int clients = static_cast<int>(t.args.num("clients", 1));
  bool block = t.args.get("mode", "autocommit") == "block";
  std::vector<uint64_t> retries(clients, 0);
  ClientRun run =
      run_clients(t, clients, t.args.num("seconds", 3), [&](Conn& conn, std::mt19937_64& rng, int c) {
        std::string a = std::to_string(static_cast<int64_t>(rng() % accounts));
        std::string b = std::to_string(static_cast<int64_t>(rng() % accounts));
        for (;;) {
          try {
            if (block)
              conn.query("BEGIN; UPDATE acc SET bal = bal - 1 WHERE id = " + a +
                         "; UPDATE acc SET bal = bal + 1 WHERE id = " + b + "; COMMIT");
            else
              conn.query("UPDATE acc SET bal = bal + 1 WHERE id = " + a);
            return;
          } catch (const Failure& f) {
            if (f.sqlstate != "40001" && f.sqlstate != "40P01") throw;
            ++retries[c];
            if (block) try {
                conn.query("ROLLBACK");  // PostgreSQL leaves the block aborted; OmenDB has ended it
              } catch (const Failure&) {
              }
          }
        }
      });
  std::vector<double>& all = run.latencies;
  uint64_t retried = 0;
  for (uint64_t r : retries) retried += r;
  Json j;
  j.boolean("ok", true)
      .num("commits_per_s", all.size() / run.elapsed)
      .num("commits", static_cast<double>(all.size()));
  j.num("retries", static_cast<double>(retried))
      .num("retries_per_commit", retried / std::max<double>(1, all.size()));
  j.num("p50_us", percentile(all, 0.5) * 1e6).num("p99_us", percentile(all, 0.99) * 1e6);
  j.num("seconds", run.elapsed / std::max<size_t>(1, all.size()) * clients);
  return j;
}

// versions: the SQL-level cost of MVCC versions in a scan. (Re)creates vt(id, bal) with --rows rows,
// times `SELECT sum(bal) FROM vt` (median over --min-time), then, while a second connection holds a
// REPEATABLE READ snapshot taken before, updates every row --versions - 1 times (each round in
// committed transactions of 50,000 rows), so that no garbage collection or vacuum may drop the old
// versions, and times the same scan again. In-process (system inproc) it counts the stored versions of
// every 100th key with Store::count_versions.
Json task_versions(const Target& t) {
  int64_t rows = static_cast<int64_t>(t.args.num("rows", 200000));
  int versions = static_cast<int>(t.args.num("versions", 10));
  double min_time = t.args.num("min-time", 1);
  auto c = t.connect();
  create_balances(*c, "vt", rows);
  if (t.system == "pg") c->query("VACUUM ANALYZE vt");  // visibility map and hint bits, as after a load
  auto scan = [&](int64_t expect) {
    std::vector<double> times;
    Clock::time_point start = Clock::now();
    while (times.size() < 3 || seconds_since(start) < min_time) {
      Clock::time_point q = Clock::now();
      Rows r = c->query("SELECT sum(bal) FROM vt");
      times.push_back(seconds_since(q));
      if (r.size() != 1 || r[0][0] != std::to_string(expect))
        throw Failure("", "sum(bal) = " + (r.empty() ? std::string("nothing") : r[0][0]) + ", expected " +
                              std::to_string(expect));
    }
    return percentile(times, 0.5);
  };
  auto stored_versions = [&]() -> double {
    if (t.system != "inproc") return -1;
    auto& store = g_database->store();
    uint32_t id = store.catalog().find("vt")->id;
    double n = 0, keys = 0;
    for (int64_t k = 0; k < rows; k += 100, ++keys) {
      std::string key;
      omendb::storage::keycodec::append_table_prefix(id, key);
      omendb::storage::keycodec::append_int(k, key);
      n += static_cast<double>(store.count_versions(key));
    }
    return n / keys;
  };
  double one = scan(0), one_versions = stored_versions();
  auto holder = t.connect();
  holder->query("BEGIN ISOLATION LEVEL REPEATABLE READ");
  holder->query("SELECT count(*) FROM vt");  // the snapshot is taken at the first statement
  Clock::time_point u = Clock::now();
  for (int v = 1; v < versions; ++v)
    for (int64_t i = 0; i < rows; i += 50000)
      c->query("UPDATE vt SET bal = bal + 1 WHERE id >= " + std::to_string(i) + " AND id < " +
               std::to_string(i + 50000));
  double update_s = seconds_since(u);
  double many = scan(static_cast<int64_t>(versions - 1) * rows), many_versions = stored_versions();
  Rows old = holder->query("SELECT sum(bal) FROM vt");  // the held snapshot still sees the first version
  holder->query("COMMIT");
  if (old.size() != 1 || old[0][0] != "0") throw Failure("", "the held snapshot does not see the old rows");
  Json j;
  j.boolean("ok", true).num("seconds_1v", one).num("seconds_nv", many).num("versions", versions);
  j.num("ns_per_row_1v", one / rows * 1e9).num("ns_per_row_nv", many / rows * 1e9);
  j.num("stored_versions_1v", one_versions).num("stored_versions_nv", many_versions);
  j.num("update_rows_per_s", (versions - 1) * rows / update_s).num("seconds", many);
  return j;
}

// compile (in-process): per statement, the cold run (compiles), warm runs (must not add JIT misses), and
// the compile figures of EXPLAIN (CODEGEN).
Json task_compile(const Target& t) {
  auto c = t.connect();
  std::string sql = t.args.get("sql");
  auto& jit = g_database->jit();
  if (t.args.values.count("warmup")) c->query(t.args.get("warmup"));  // pays the JIT's one-time costs first
  uint64_t misses0 = jit.cache_stats().misses;
  Clock::time_point t0 = Clock::now();
  c->query(sql);
  double cold = seconds_since(t0);
  uint64_t misses1 = jit.cache_stats().misses;
  std::vector<double> warm;
  for (int i = 0; i < static_cast<int>(t.args.num("warm", 20)); ++i) {
    Clock::time_point q = Clock::now();
    c->query(sql);
    warm.push_back(seconds_since(q));
  }
  uint64_t misses2 = jit.cache_stats().misses;
  Rows explain = c->query("EXPLAIN (CODEGEN) " + sql);
  double compile_ms = 0;
  std::string tiers, lines;
  for (auto& r : explain) {
    const std::string& line = r[0];
    if (line.rfind("Pipeline", 0) != 0) continue;
    lines += line + "\n";
    auto p = line.find("compile: ");
    if (p != std::string::npos) compile_ms += std::stod(line.substr(p + 9));
    auto o = line.find("optimization: ");
    if (o != std::string::npos) tiers += (tiers.empty() ? "" : ",") + line.substr(o + 14, 2);
  }
  Json j;
  j.boolean("ok", true)
      .num("cold_s", cold)
      .num("warm_median_s", percentile(warm, 0.5))
      .num("compile_ms", compile_ms);
  j.num("cold_misses", static_cast<double>(misses1 - misses0))
      .num("warm_misses", static_cast<double>(misses2 - misses1));
  j.str("tiers", tiers).str("explain", lines).num("seconds", cold);
  return j;
}

// memory (in-process): index and filter bytes of every SST (what must stay in memory for lookups), per key.
Json task_memory(const Target&) {
  std::shared_ptr<const rocksdb::TableProperties> props;
  rocksdb::DB* db = g_database->store().db();
  db->Flush(rocksdb::FlushOptions());
  rocksdb::TablePropertiesCollection all;
  db->GetPropertiesOfAllTables(&all);
  uint64_t entries = 0, index = 0, filter = 0, data = 0;
  for (auto& [file, p] : all) {
    entries += p->num_entries;
    index += p->index_size;
    filter += p->filter_size;
    data += p->data_size;
  }
  uint64_t block_cache = 0, memtables = 0;
  db->GetIntProperty("rocksdb.block-cache-usage", &block_cache);
  db->GetIntProperty("rocksdb.cur-size-all-mem-tables", &memtables);
  Json j;
  j.boolean("ok", true)
      .num("entries", static_cast<double>(entries))
      .num("index_bytes", static_cast<double>(index));
  j.num("filter_bytes", static_cast<double>(filter)).num("data_bytes", static_cast<double>(data));
  j.num("index_filter_bytes_per_key", entries ? static_cast<double>(index + filter) / entries : 0);
  j.num("block_cache_bytes", static_cast<double>(block_cache))
      .num("memtable_bytes", static_cast<double>(memtables));
  j.num("seconds", 0);
  return j;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Args args = parse_args(argc, argv);
    Target target{args.get("system"), args};
    std::string task = args.get("task");
    std::unique_ptr<omendb::engine::Database> database;
    if (target.system == "inproc") {
      omendb::engine::EngineOptions o;
      o.data_dir = args.get("data-dir");
      o.sync_commits = !args.values.count("no-sync");
      o.seal_interval_seconds = 0;  // the row store is measured; VACUUM seals where a task wants blocks
      database = std::make_unique<omendb::engine::Database>(o);
      g_database = database.get();
    }
    static const std::map<std::string, Json (*)(const Target&)> tasks = {
        {"exec", task_exec},     {"ingest", task_ingest},  {"query", task_query},
        {"point", task_point},   {"htap", task_htap},      {"compile", task_compile},
        {"memory", task_memory}, {"commit", task_commit},  {"versions", task_versions},
        {"cancel", task_cancel}, {"ilookup", task_ilookup}};
    auto it = tasks.find(task);
    if (it == tasks.end()) throw std::runtime_error("unknown --task " + task);
    try {
      it->second(target).print();
    } catch (const Failure& f) {
      failure_json(f).print();
    }
    return 0;
  } catch (const std::exception& e) {
    Json().boolean("ok", false).str("sqlstate", "").str("error", e.what()).print();
    return 1;
  }
}
