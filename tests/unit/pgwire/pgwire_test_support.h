// Test scaffolding for the pgwire server: a scripted Session, a fixture that runs a Server on a free
// port, a raw-socket client, and helpers to run psql / psycopg2 against the server.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/error.h"
#include "frontend/pgwire/server.h"

namespace omendb::pgwire::testing {

struct Counters {
  std::atomic<int> opened{0};
  std::atomic<int> destroyed{0};
  std::atomic<int> sleeping{0};  // queries currently inside SLEEP
  std::atomic<int> canceled{0};  // SLEEP / ROWS queries that saw the cancel flag
  std::atomic<long> rows_emitted{0};
  std::atomic<int> row_sends_failed{0};  // ROWS queries whose data_row threw (send_timeout, ...)
  std::atomic<int> use_after_destroy{0};
  std::atomic<int> io_thread_runs{0};  // statements run on an I/O thread (ResultWriter::on_io_thread)
};

// Statements separated by ';':
//   SELECT <n>        one int4 column "?column?", one row <n>
//   ROWS <n>          int8 column "i", rows 1..n (polls the cancel flag)
//   ECHO <text>       one text row holding <text>
//   NULLS             a row (1, NULL)
//   ERROR             SqlError 42P01 with detail "d", hint "h", position 5
//   THROW             std::runtime_error("boom")
//   NOTICE            a NOTICE then "DO"
//   SLEEP <ms>        polls the cancel flag; on cancel throws 57014
//   BEGIN / COMMIT    transaction status T / I
//   empty             EmptyQueryResponse
// As the engine does with short statements, a query that is one "SELECT <n>" runs on the I/O thread when
// the server tries it there; anything else throws RunOnWorker there.
class TestSession final : public Session {
 public:
  explicit TestSession(Counters& c) : c_(c) { c_.opened++; }
  ~TestSession() override {
    alive_ = false;
    c_.destroyed++;
  }

  void execute(std::string_view sql, ResultWriter& out) override {
    if (out.on_io_thread()) {
      std::string_view one = trim(sql);
      if (!one.starts_with("SELECT ") || one.find(';') != std::string_view::npos) throw RunOnWorker();
      c_.io_thread_runs++;
    }
    size_t start = 0;
    for (;;) {
      size_t semi = sql.find(';', start);
      std::string_view stmt = sql.substr(start, semi == std::string_view::npos ? sql.npos : semi - start);
      run_one(trim(stmt), out);
      if (semi == std::string_view::npos) break;
      start = semi + 1;
      if (trim(sql.substr(start)).empty()) break;
    }
  }
  char transaction_status() const override { return in_tx_ ? 'T' : 'I'; }

 private:
  static std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
  }

  void run_one(std::string_view stmt, ResultWriter& out) {
    if (!alive_) c_.use_after_destroy++;
    auto arg = [&](size_t prefix) { return std::string(trim(stmt.substr(prefix))); };
    const std::atomic<bool>* cancel = out.cancel_flag();
    if (stmt.empty()) {
      out.empty_query();
    } else if (stmt.starts_with("SELECT ")) {
      std::string v = arg(7);
      out.row_description({{"?column?", 23, 4}});
      std::string_view values[] = {v};
      bool nulls[] = {false};
      out.data_row(values, nulls, 1);
      out.command_complete("SELECT 1");
    } else if (stmt.starts_with("ROWS ")) {
      long n = std::stol(arg(5));
      out.row_description({{"i", 20, 8}});
      bool nulls[] = {false};
      for (long i = 1; i <= n; ++i) {
        if (cancel->load()) {
          c_.canceled++;
          throw SqlError(SqlState::QueryCanceled, "canceling statement due to user request");
        }
        std::string v = std::to_string(i);
        std::string_view values[] = {v};
        try {
          out.data_row(values, nulls, 1);
        } catch (...) {
          c_.row_sends_failed++;
          throw;
        }
        c_.rows_emitted++;
      }
      out.command_complete("SELECT " + std::to_string(n));
    } else if (stmt.starts_with("ECHO ")) {
      std::string v(stmt.substr(5));
      out.row_description({{"echo", 25, -1}});
      std::string_view values[] = {v};
      bool nulls[] = {false};
      out.data_row(values, nulls, 1);
      out.command_complete("SELECT 1");
    } else if (stmt == "NULLS") {
      out.row_description({{"a", 23, 4}, {"b", 25, -1}});
      std::string_view values[] = {"1", ""};
      bool nulls[] = {false, true};
      out.data_row(values, nulls, 2);
      out.command_complete("SELECT 1");
    } else if (stmt == "ERROR") {
      throw SqlError(SqlState::UndefinedTable, "relation \"x\" does not exist")
          .with_detail("d")
          .with_hint("h")
          .at(5);
    } else if (stmt == "THROW") {
      throw std::runtime_error("boom");
    } else if (stmt == "NOTICE") {
      out.notice("00000", "hello notice");
      out.command_complete("DO");
    } else if (stmt.starts_with("SLEEP ")) {
      long ms = std::stol(arg(6));
      c_.sleeping++;
      auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
      while (std::chrono::steady_clock::now() < deadline) {
        if (cancel->load()) {
          c_.sleeping--;
          c_.canceled++;
          throw SqlError(SqlState::QueryCanceled, "canceling statement due to user request");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
      c_.sleeping--;
      out.command_complete("SLEEP");
    } else if (stmt == "BEGIN") {
      in_tx_ = true;
      out.command_complete("BEGIN");
    } else if (stmt == "COMMIT" || stmt == "ROLLBACK") {
      in_tx_ = false;
      out.command_complete(std::string(stmt));
    } else {
      throw SqlError(SqlState::SyntaxError, "syntax error at or near \"" + std::string(stmt) + "\"").at(1);
    }
  }

  Counters& c_;
  bool in_tx_ = false;
  std::atomic<bool> alive_{true};
};

class TestFactory final : public SessionFactory {
 public:
  std::unique_ptr<Session> open(const StartupInfo& info) override {
    {
      std::lock_guard lk(mu_);
      last_user_ = info.user;
      last_database_ = info.database;
    }
    backends = info.backends;
    if (info.user == "baduser")
      throw SqlError(SqlState::InvalidAuthorizationSpecification,
                     "role \"baduser\" is not permitted to log in");
    return std::make_unique<TestSession>(counters);
  }
  std::string last_user() {
    std::lock_guard lk(mu_);
    return last_user_;
  }
  std::string last_database() {
    std::lock_guard lk(mu_);
    return last_database_;
  }
  Counters counters;
  std::atomic<Backends*> backends{nullptr};  // the server's (StartupInfo::backends)

 private:
  std::mutex mu_;
  std::string last_user_, last_database_;
};

// Runs a Server on 127.0.0.1 with port 0 on a background thread.
class TestServer {
 public:
  explicit TestServer(ServerOptions opts = make_options()) {
    opts.listen_address = "127.0.0.1";
    opts.port = 0;
    server_ = std::make_unique<Server>(opts, factory);
    server_->start();
    thread_ = std::thread([this] {
      server_->run();
      returned_ = true;
    });
  }
  ~TestServer() { stop_and_join(); }

  static ServerOptions make_options() {
    ServerOptions o;
    o.worker_threads = 4;
    o.io_threads = 2;  // one runs short statements, one stays free (InlineSlot)
    return o;
  }

  uint16_t port() const { return server_->port(); }
  // Returns how long run() took to return after stop().
  std::chrono::milliseconds stop_and_join() {
    auto t0 = std::chrono::steady_clock::now();
    if (thread_.joinable()) {
      server_->stop();
      thread_.join();
    }
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  }
  bool returned() const { return returned_; }

  TestFactory factory;

 private:
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::atomic<bool> returned_{false};
};

inline bool wait_until(const std::function<bool()>& pred,
                       std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return pred();
}

// ---- raw protocol client ----

inline void put_i32(std::string& out, int32_t v) {
  auto u = static_cast<uint32_t>(v);
  out.push_back(static_cast<char>(u >> 24));
  out.push_back(static_cast<char>(u >> 16));
  out.push_back(static_cast<char>(u >> 8));
  out.push_back(static_cast<char>(u));
}
inline int32_t get_i32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return static_cast<int32_t>((uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) | (uint32_t{u[2]} << 8) | u[3]);
}

inline std::string startup_packet(const std::map<std::string, std::string>& params,
                                  int32_t version = 3 << 16) {
  std::string body;
  put_i32(body, version);
  for (const auto& [k, v] : params) {
    body += k;
    body.push_back('\0');
    body += v;
    body.push_back('\0');
  }
  body.push_back('\0');
  std::string out;
  put_i32(out, static_cast<int32_t>(body.size() + 4));
  return out + body;
}

inline std::string message(char type, std::string_view body) {
  std::string out(1, type);
  put_i32(out, static_cast<int32_t>(body.size() + 4));
  out.append(body);
  return out;
}
inline std::string query_message(std::string_view sql) {
  return message('Q', std::string(sql) + '\0');
}

struct Msg {
  char type = 0;
  std::string body;
  // ErrorResponse / NoticeResponse fields.
  std::map<char, std::string> fields() const {
    std::map<char, std::string> f;
    size_t i = 0;
    while (i < body.size() && body[i] != '\0') {
      char code = body[i++];
      size_t end = body.find('\0', i);
      if (end == std::string::npos) break;
      f[code] = body.substr(i, end - i);
      i = end + 1;
    }
    return f;
  }
  std::string sqlstate() const { return fields()['C']; }
};

class RawClient {
 public:
  explicit RawClient(uint16_t port, int timeout_ms = 10000) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawClient() { close(); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  bool send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  bool read_exact(char* p, size_t n) {
    while (n > 0) {
      if (rpos_ == rbuf_.size()) {
        rbuf_.resize(64 * 1024);
        ssize_t r = ::recv(fd_, rbuf_.data(), rbuf_.size(), 0);
        if (r <= 0) {
          rbuf_.clear();
          rpos_ = 0;
          return false;
        }
        rbuf_.resize(static_cast<size_t>(r));
        rpos_ = 0;
      }
      size_t k = std::min(n, rbuf_.size() - rpos_);
      std::memcpy(p, rbuf_.data() + rpos_, k);
      rpos_ += k;
      p += k;
      n -= k;
    }
    return true;
  }

  // One byte (the answer to SSLRequest / GSSENCRequest).
  std::optional<char> read_byte() {
    char c;
    if (!read_exact(&c, 1)) return std::nullopt;
    return c;
  }

  std::optional<Msg> read_msg() {
    char header[5];
    if (!read_exact(header, 5)) return std::nullopt;
    Msg m;
    m.type = header[0];
    int32_t len = get_i32(header + 1);
    if (len < 4) return std::nullopt;
    m.body.resize(static_cast<size_t>(len - 4));
    if (!read_exact(m.body.data(), m.body.size())) return std::nullopt;
    return m;
  }

  // Messages up to and including ReadyForQuery (or until the connection ends).
  std::vector<Msg> read_until_ready() {
    std::vector<Msg> out;
    while (auto m = read_msg()) {
      out.push_back(*m);
      if (m->type == 'Z') break;
    }
    return out;
  }

  // True when the server closes the connection (EOF or reset) before the receive timeout.
  bool wait_closed() {
    if (rpos_ < rbuf_.size()) return false;  // unread data
    char buf[4096];
    for (;;) {
      ssize_t r = ::recv(fd_, buf, sizeof buf, 0);
      if (r == 0) return true;
      if (r < 0) return errno == ECONNRESET;
    }
  }

  // Sends a startup packet and reads through the first ReadyForQuery.
  std::vector<Msg> startup(const std::string& user = "tester", const std::string& db = "testdb") {
    send(startup_packet({{"user", user}, {"database", db}, {"application_name", "rawtest"}}));
    auto msgs = read_until_ready();
    for (const auto& m : msgs) {
      if (m.type == 'K') {
        pid = get_i32(m.body.data());
        secret = get_i32(m.body.data() + 4);
      }
    }
    return msgs;
  }

  std::vector<Msg> query(std::string_view sql) {
    send(query_message(sql));
    return read_until_ready();
  }

  int fd() const { return fd_; }
  int32_t pid = 0, secret = 0;

 private:
  int fd_ = -1;
  bool connected_ = false;
  std::string rbuf_;
  size_t rpos_ = 0;
};

inline std::string cancel_packet(int32_t pid, int32_t secret) {
  std::string out;
  put_i32(out, 16);
  put_i32(out, (1234 << 16) | 5678);
  put_i32(out, pid);
  put_i32(out, secret);
  return out;
}

inline const Msg* find_type(const std::vector<Msg>& msgs, char type) {
  for (const auto& m : msgs)
    if (m.type == type) return &m;
  return nullptr;
}

inline std::string types_of(const std::vector<Msg>& msgs) {
  std::string s;
  for (const auto& m : msgs) s.push_back(m.type);
  return s;
}

// ---- external clients ----

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

inline CommandResult run_command(const std::string& cmd) {
  CommandResult r;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out.push_back(c);
  }
  return out + "'";
}

// psql -X -A -t with each command as its own -c (psql keeps going after an error).
inline CommandResult psql(uint16_t port, const std::vector<std::string>& commands,
                          const std::string& extra_conninfo = "sslmode=disable") {
  std::string cmd =
      "env -u PGSERVICE -u PGSSLMODE PGCONNECT_TIMEOUT=5 timeout 30 psql -X -A -t -v VERBOSITY=verbose " +
      shell_quote("host=127.0.0.1 port=" + std::to_string(port) + " user=alice dbname=shop " +
                  extra_conninfo);
  for (const auto& c : commands) cmd += " -c " + shell_quote(c);
  return run_command(cmd);
}

inline bool system_python_has_psycopg2() {
  static const bool ok = run_command("/usr/bin/python3 -c 'import psycopg2'").exit_code == 0;
  return ok;
}

// Runs a Python script with the system interpreter; `PORT` is passed as argv[1].
inline CommandResult python(uint16_t port, const std::string& script) {
  char path[] = "/tmp/omendb_pgwire_test_XXXXXX";
  int fd = ::mkstemp(path);
  if (fd < 0) return {};
  ::close(fd);
  {
    std::ofstream f(path);
    f << script;
  }
  auto r = run_command("timeout 60 /usr/bin/python3 " + std::string(path) + " " + std::to_string(port));
  ::unlink(path);
  return r;
}

}  // namespace omendb::pgwire::testing
