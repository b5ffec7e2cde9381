// PostgreSQL wire protocol v3 server (asio). Connections are served asynchronously on a few I/O threads
// (no thread per idle connection); each query runs on a worker pool through the Session interface,
// which the engine implements, except a statement the session knows to be short (a point lookup whose
// code is compiled), which runs on the connection's I/O thread (ResultWriter::on_io_thread, RunOnWorker).
// SqlError thrown by a Session becomes an ErrorResponse here, and only here.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/backend.h"

namespace omendb::pgwire {

struct ServerOptions {
  std::string listen_address = "127.0.0.1";
  uint16_t port = 5432;                         // 0: pick a free port (see Server::port())
  size_t max_message_bytes = size_t{64} << 20;  // larger messages: 54000 error, connection closed
  size_t worker_threads = 0;                    // 0: hardware concurrency; more while some wait for row locks
  size_t io_threads = 1;          // each runs connections' I/O and their short statements (on_io_thread)
  size_t max_connections = 2000;  // more: 53300 error at startup
  // A query whose client has read nothing for this long while its results wait to be sent (the output
  // queue is full) is cancelled with 57014, freeing its worker, snapshot, locks and the catalog. 0: never.
  std::chrono::milliseconds send_timeout{60'000};
};

struct ResultColumn {
  std::string name;
  uint32_t type_oid = 25;
  int16_t type_length = -1;
  int32_t type_modifier = -1;  // varchar(n): n + 4, as PostgreSQL
  int16_t format = 0;          // 0 text, 1 binary (only a bound portal's columns can be binary)
};

// Extended query protocol: what Describe answers.
struct StatementDescription {
  std::vector<uint32_t> param_types;  // ParameterDescription: PostgreSQL type OIDs
  bool returns_rows = false;          // false: NoData
  std::vector<ResultColumn> columns;  // RowDescription (formats are 0: not bound yet)
};

// Bind's parameters, as the message carries them: values (nullopt = NULL), each with its format code.
struct BindParams {
  std::vector<int16_t> formats;  // one per value (the message's 0/1/n codes already expanded)
  std::vector<std::optional<std::string_view>> values;
};

// COPY ... FROM STDIN: the client's CopyData, as a stream of chunks (message boundaries mean nothing:
// a chunk may end inside a row). Backed by a bounded queue that the connection fills as the messages
// arrive, so a COPY of any size holds only a few hundred kB of input at a time.
class CopyInStream {
 public:
  virtual ~CopyInStream() = default;
  // The next CopyData message's bytes, replacing `chunk`; false after CopyDone. Throws SqlError 57014
  // "COPY from stdin failed: <message>" on CopyFail, 08P01 for another message type during the COPY
  // and 08006 when the client disconnected.
  virtual bool next(std::string& chunk) = 0;
};

// Thrown by a Session called for a writer whose on_io_thread() is true, for a statement that is not
// known to be short or that would have to wait (a table lock, a compile, a commit's fsync), before the
// statement had any effect: the server then runs the same message again on a worker thread.
struct RunOnWorker {};

// Receives one statement's results, in PostgreSQL's text format. Called on a worker thread, or on the
// connection's I/O thread when on_io_thread() says so.
class ResultWriter {
 public:
  virtual ~ResultWriter() = default;
  virtual void row_description(const std::vector<ResultColumn>& columns) = 0;
  // values[i] is ignored when nulls[i] is true. Rows are streamed to the client in chunks; a
  // vanished client makes cancel_flag() true and further rows are discarded.
  virtual void data_row(const std::string_view* values, const bool* nulls, size_t count) = 0;
  virtual void command_complete(std::string_view tag) = 0;
  virtual void empty_query() = 0;
  // A NoticeResponse with severity NOTICE (WARNING for SQLSTATE class 01), as PostgreSQL's
  // ereport(NOTICE, ...); warning() sends severity WARNING, as ereport(WARNING, ...) (psql prints
  // "WARNING:  <message>"). Neither ends the statement.
  virtual void notice(std::string_view sqlstate, std::string_view message) = 0;
  virtual void warning(std::string_view sqlstate, std::string_view message) { notice(sqlstate, message); }
  // Severity INFO (ereport(INFO, ...): sent whatever client_min_messages says), as VERBOSE output.
  virtual void info(std::string_view sqlstate, std::string_view message) { notice(sqlstate, message); }
  // Set when the client disconnected, sent a CancelRequest, or the server is shutting down; long
  // running work polls it and stops with 57014 (or simply returns if the client is gone).
  virtual const std::atomic<bool>* cancel_flag() const = 0;
  // The running statement's statement_timeout deadline. A writer that waits for a slow client to read
  // stops waiting there with 57014, as the statement itself would.
  virtual void set_deadline(std::chrono::steady_clock::time_point) {}
  // True while the statement runs on the connection's I/O thread, which serves other connections too:
  // the session must throw RunOnWorker (before any effect) unless the statement is known to be short
  // and needs no wait. Short statements save the two thread hand-offs per statement of the worker pool.
  virtual bool on_io_thread() const { return false; }

  // COPY (the defaults refuse it: writers that are not a client connection).
  // copy_in: sends CopyInResponse (format 0 text, 1 binary; one code per column) and returns the stream
  // of the client's CopyData, valid until the statement returns. An error before the stream ended makes
  // the connection discard the rest of the COPY's messages, as PostgreSQL does.
  virtual CopyInStream& copy_in(int8_t format, size_t columns);
  // copy_out: CopyOutResponse, then copy_data (one CopyData message each) and copy_done (CopyDone).
  virtual void copy_out(int8_t format, size_t columns);
  virtual void copy_data(std::string_view data);
  virtual void copy_done();
};

// The server's client backends, for pg_stat_activity, pg_cancel_backend and pg_terminate_backend.
// Thread-safe: any session's worker calls it while other connections run and change.
class Backends {
 public:
  virtual ~Backends() = default;
  // Every backend whose session is open, by pid.
  virtual std::vector<BackendActivity> activity() const = 0;
  // Sets the cancel flag of backend `pid`'s running statement (57014 there), as a CancelRequest does;
  // false if no backend has that pid.
  virtual bool cancel_backend(int32_t pid) = 0;
  // Ends backend `pid`'s connection with FATAL 57P01 "terminating connection due to administrator
  // command": its running statement is cancelled first; the session (its transaction, locks, snapshot)
  // is freed when the connection closes. False if no backend has that pid.
  virtual bool terminate_backend(int32_t pid) = 0;
  // Whether a connection with process id `pid` is still there.
  virtual bool backend_exists(int32_t pid) const = 0;
};

struct StartupInfo {
  std::string user;
  std::string database;
  std::map<std::string, std::string> parameters;  // every startup parameter the client sent
  int32_t process_id = 0;                         // the BackendKeyData process id the session got
  std::string local_address;                      // the connection's server side ("127.0.0.1", "::1")
  uint16_t local_port = 0;
  Backends* backends = nullptr;  // the server's backends (null where there is no server)
};

// One client session. Created at startup, destroyed when the connection ends.
class Session {
 public:
  virtual ~Session() = default;
  // Runs every statement in `sql` (the simple query protocol) in order, writing each one's results.
  // On the first failing statement it throws SqlError after the earlier statements' results were
  // written; later statements do not run.
  virtual void execute(std::string_view sql, ResultWriter& out) = 0;
  // 'I' idle, 'T' in a transaction block, 'E' in a failed transaction block (for ReadyForQuery).
  virtual char transaction_status() const { return 'I'; }
  // Reported settings (PostgreSQL's GUC_REPORT ones, e.g. TimeZone) whose value changed since the last
  // call: the server sends a ParameterStatus for each before ReadyForQuery, as PostgreSQL does.
  virtual std::vector<std::pair<std::string, std::string>> changed_parameters() { return {}; }
  // idle_in_transaction_session_timeout in milliseconds (0: none): a session that waits this long for
  // the client inside a transaction block is ended (FATAL 25P03), so that it releases its locks.
  virtual uint64_t idle_in_transaction_timeout_ms() const { return 0; }

  // The extended query protocol. Every method may throw SqlError; the server then sends an
  // ErrorResponse and discards messages until Sync. The defaults refuse it (0A000).
  // Parse: names a statement ("" = the unnamed one, replaced by the next Parse). param_types are the
  // OIDs the client gave (0 = infer).
  virtual void parse(const std::string& statement, std::string_view sql,
                     const std::vector<uint32_t>& param_types);
  // Bind: creates a portal ("" = the unnamed one) from a statement with parameter values and the
  // result columns' format codes (empty: all text; one: for all columns; else one per column).
  virtual void bind(const std::string& portal, const std::string& statement, const BindParams& params,
                    const std::vector<int16_t>& result_formats);
  virtual StatementDescription describe_statement(const std::string& statement);
  // nullopt: the portal returns no rows (NoData).
  virtual std::optional<std::vector<ResultColumn>> describe_portal(const std::string& portal);
  // Execute: sends DataRows (never a RowDescription) and CommandComplete, or at most max_rows rows
  // (0 = no limit) and returns true when the portal is suspended (the server sends PortalSuspended).
  virtual bool execute_portal(const std::string& portal, int64_t max_rows, ResultWriter& out);
  // Close: closing what does not exist is not an error.
  virtual void close_statement(const std::string& statement);
  virtual void close_portal(const std::string& portal);
  // The text of the statement portal `portal` runs ("" if there is none): pg_stat_activity's query while
  // an Execute runs. Called on the connection's strand while no message of the session runs.
  virtual std::string portal_query(const std::string& portal) const;
  // Sync: ends the implicit transaction of the messages since the last Sync (commit; may throw).
  virtual void sync() {}
  // Whether sync() now would commit writes (a WAL write, maybe an fsync): then the server calls it on a
  // worker, never on the I/O thread.
  virtual bool sync_commits_writes() const { return false; }
};

class SessionFactory {
 public:
  virtual ~SessionFactory() = default;
  // May throw SqlError (e.g. 3D000 unknown database) to refuse the connection.
  virtual std::unique_ptr<Session> open(const StartupInfo& info) = 0;
};

class Server {
 public:
  Server(ServerOptions options, SessionFactory& factory);
  ~Server();
  // Binds and listens; throws std::runtime_error if the address cannot be bound. Ignores SIGPIPE.
  void start();
  // Serves until stop(); returns after every connection is closed and every running query returned.
  // Runs the I/O loop on the calling thread plus io_threads - 1 more. Installs no signal handlers:
  // main() calls stop() from its own asio::signal_set (SIGINT/SIGTERM) handler or another thread.
  void run();
  // Thread-safe and idempotent (not async-signal-safe): stops accepting, cancels running queries,
  // sends 57P01 to and closes idle connections, and closes the rest once their query returns
  // (connections still open 2 s later are closed forcibly). Returns at once; run() returns when done.
  // Before destroying a Server that ran, call stop() and wait for run() to return.
  void stop();
  uint16_t port() const;  // the bound port (useful with port 0)

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace omendb::pgwire
