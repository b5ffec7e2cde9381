// PostgreSQL wire protocol v3 server.
//
// Threading model:
//  - I/O threads run the io_context. Each connection is bound to its own strand, so its state is
//    touched by one thread at a time; server-wide I/O (acceptor, timers) runs on the server strand.
//  - Session::open and Session::execute run on a fixed worker pool. While a query runs the connection
//    is `busy_`: it keeps reading (to notice a vanished client, and to buffer a bounded amount of
//    pipelined input) but processes no further message until the worker's completion is posted back.
//  - Except short statements: a small simple query starting with SELECT and Bind/Describe/Execute/Sync/
//    Close/Flush messages are first tried on the strand itself (QueryOutput::on_io_thread). The session
//    runs there only what it knows to be short and wait-free (a compiled point lookup) and throws
//    RunOnWorker for anything else, before it had any effect; the message then goes to the pool as
//    usual. This saves the two thread hand-offs (futex + epoll wake-ups) that otherwise cost more than the
//    lookup itself. At most kMaxInlinePerTurn such statements run before the strand yields to other
//    connections' handlers.
//  - The worker streams results through QueryOutput: messages collect in a buffer that is handed to
//    the strand whenever it passes kFlushBytes; the worker blocks while more than kMaxQueuedBytes are
//    waiting for the socket (back-pressure), and discards everything once the connection is dead.
//  - Each in-flight worker job holds an io_context work guard, so run() cannot return before every
//    running query has returned. The Connection (and the Session it owns) is kept alive by shared_ptr
//    captures in every pending handler and worker job.
#include "frontend/pgwire/server.h"
#include "common/interrupt.h"
#include "frontend/pgwire/worker_pool.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <asio.hpp>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <deque>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "common/blocking.h"
#include "common/error.h"
#include "common/sqlstate.h"
#include "frontend/pgwire/protocol.h"

namespace omendb::pgwire {

namespace {

constexpr size_t kFlushBytes = 64 * 1024;                 // worker hands its buffer over past this
constexpr size_t kMaxQueuedBytes = 256 * 1024;            // worker waits while more is unsent
constexpr size_t kMaxBufferedInputWhileBusy = 64 * 1024;  // stop reading pipelined input past this
constexpr size_t kMaxCopyQueuedBytes = 1 << 20;           // COPY FROM STDIN: input queued for the worker
constexpr size_t kMaxInlineBytes = 8 * 1024;              // larger messages always go to the pool
constexpr size_t kMaxInlinePerTurn = 16;                  // short statements in a row before yielding
constexpr size_t kMaxWriteBuffers = 64;                   // queued chunks gathered into one write
constexpr size_t kReadChunk = 8 * 1024;
constexpr size_t kMaxReadChunk = 1 << 20;
constexpr size_t kShrinkInputAbove = 1 << 20;
constexpr auto kStopGrace = std::chrono::seconds(2);  // then connections are closed forcibly
constexpr auto kAcceptRetry = std::chrono::milliseconds(100);

using Strand = asio::strand<asio::io_context::executor_type>;
using Socket = asio::basic_stream_socket<asio::ip::tcp, Strand>;

#ifndef OMENDB_VERSION
#define OMENDB_VERSION "0.1.0"
#endif
constexpr const char* kServerVersion = "15.0 (OmenDB " OMENDB_VERSION ")";

}  // namespace

class Connection;

class ServerImpl : public Backends {
 public:
  ServerImpl(ServerOptions opts, SessionFactory& f);
  ~ServerImpl() override;

  void start();
  void run();
  void request_stop();
  void run_io();

  void do_accept();
  void on_accept(const asio::error_code& ec, Socket socket);
  void do_stop();
  void force_close_all();

  // Any thread.
  bool try_add_session();
  void remove_connection(const std::shared_ptr<Connection>& conn, bool counted_session);
  void cancel(int32_t pid, int32_t secret);
  // Backends (pg_stat_activity, pg_cancel_backend, pg_terminate_backend).
  std::vector<BackendActivity> activity() const override;
  bool cancel_backend(int32_t pid) override;
  bool terminate_backend(int32_t pid) override;
  bool backend_exists(int32_t pid) const override;
  bool signal_backend(int32_t pid, bool terminate);
  std::shared_ptr<Connection> find_connection(int32_t pid) const;

  ServerOptions options;
  SessionFactory& factory;
  asio::io_context io;  // declared first: destroyed last
  Strand server_strand;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  asio::ip::tcp::acceptor acceptor;
  asio::steady_timer accept_retry_timer;
  asio::steady_timer grace_timer;
  WorkerPool workers;
  std::atomic<bool> stop_requested{false};
  std::atomic<bool> run_called{false};
  std::atomic<uint16_t> bound_port{0};
  std::atomic<size_t> sessions{0};
  // Short statements running on I/O threads now: at most io_threads - 1 at once, so one I/O thread is
  // always free to read, accept connections and deliver CancelRequests, whatever a statement that ran
  // short before costs this time (InlineSlot).
  std::atomic<size_t> inline_running{0};

  mutable std::mutex mu;  // guards the members below
  bool stopping = false;
  std::unordered_set<std::shared_ptr<Connection>> conns;
  std::unordered_map<int32_t, std::weak_ptr<Connection>> by_pid;
  int32_t next_pid = 1000;
  std::mt19937 rng{std::random_device{}()};
};

// Buffers one query's output on the worker thread and streams it to the connection.
class QueryOutput;

// A place for one short statement on an I/O thread (ServerImpl::inline_running), held while it runs.
class InlineSlot {
 public:
  explicit InlineSlot(ServerImpl& server) : running_(server.inline_running) {
    taken_ = running_.fetch_add(1) + 1 < server.options.io_threads;
    if (!taken_) running_.fetch_sub(1);
  }
  ~InlineSlot() {
    if (taken_) running_.fetch_sub(1);
  }
  InlineSlot(const InlineSlot&) = delete;
  InlineSlot& operator=(const InlineSlot&) = delete;
  bool taken() const { return taken_; }

 private:
  std::atomic<size_t>& running_;
  bool taken_ = false;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(ServerImpl& server, Socket socket, int32_t pid, int32_t secret)
      : server_(server),
        socket_(std::move(socket)),
        strand_(socket_.get_executor()),
        pid_(pid),
        secret_(secret) {}

  int32_t pid() const { return pid_; }
  const Strand& strand() const { return strand_; }

  void start(const std::string& peer, const std::string& peer_address, uint16_t peer_port) {
    peer_ = peer;
    {
      std::lock_guard lk(activity_mu_);
      activity_.pid = pid_;
      activity_.client_address = peer_address;
      activity_.client_port = peer_port;
      activity_.backend_start = std::chrono::system_clock::now();
    }
    asio::error_code ec;
    socket_.set_option(asio::ip::tcp::no_delay(true), ec);
    spdlog::debug("pgwire: connection {} accepted from {}", pid_, peer_);
    asio::post(strand_, [self = shared_from_this()] { self->start_read(); });
  }

  // Any thread (CancelRequest). Sets the cancel flag of the running query, if any.
  void request_cancel_if(int32_t secret) {
    if (secret != secret_) {
      spdlog::warn("pgwire: wrong key in cancel request for process {}", pid_);
      return;
    }
    spdlog::debug("pgwire: cancel request for process {}", pid_);
    cancel();
  }

  // Any thread: sets the cancel flag and wakes a worker waiting for the client to read.
  void cancel() {
    {
      std::lock_guard lk(out_mu_);
      cancel_.store(true);
    }
    out_cv_.notify_all();
  }

  // On the strand: server shutdown.
  void admin_shutdown() {
    shutting_down_ = true;
    cancel();
    if (closed_ || closing_ || busy_) return;  // a running query finishes first
    fatal(SqlState::AdminShutdown, "terminating connection due to administrator command");
  }

  // Any thread (pg_terminate_backend): ends the connection as the server's stop does (admin_shutdown):
  // a running statement is cancelled and ends in FATAL 57P01, an idle connection gets it at once.
  void terminate() {
    shutting_down_ = true;
    cancel();
    asio::post(strand_, [self = shared_from_this()] { self->admin_shutdown(); });
  }

  // ---- pg_stat_activity: the backend's state, written by the connection, read by any session ----

  // The backend as pg_stat_activity shows it; nullopt while its session is not open.
  std::optional<BackendActivity> activity() const {
    std::lock_guard lk(activity_mu_);
    if (activity_.state.empty()) return std::nullopt;
    return activity_;
  }

  // A statement (a Query's text, or the text of a Parse or of the portal an Execute runs) starts.
  void begin_activity(std::string_view query) {
    const auto now = std::chrono::system_clock::now();
    std::lock_guard lk(activity_mu_);
    if (!activity_.xact_start) activity_.xact_start = now;  // outside a transaction: it begins now
    activity_.query_start = now;
    activity_.state_change = now;
    activity_.state = "active";
    activity_.query.assign(query);
  }

  // Any thread: the statement's error is the cancel that the server's stop sent (admin_shutdown). It then
  // ends as under PostgreSQL's fast shutdown: no ERROR 57014 and no ReadyForQuery, but FATAL 57P01
  // "terminating connection due to administrator command" (on_query_done) and the connection closes.
  bool ended_by_shutdown(const SqlError& e) const {
    return e.state() == SqlState::QueryCanceled && shutting_down_.load();
  }

  // On the strand: the stop grace period expired.
  void force_close() { do_close(); }

 private:
  friend class QueryOutput;
  enum class Phase { Startup, Ready, SkipToSync };

  // ---- input ----

  void start_read() {
    if (reading_ || closing_ || closed_) return;
    size_t avail = end_ - rpos_;
    if (busy_ && avail >= kMaxBufferedInputWhileBusy && !copy_wants_input(avail)) return;
    compact();
    size_t chunk = kReadChunk;
    if (need_ > avail) chunk = std::clamp(need_ - avail, kReadChunk, kMaxReadChunk);
    if (buf_.size() < end_ + chunk) buf_.resize(end_ + chunk);
    reading_ = true;
    socket_.async_read_some(
        asio::buffer(buf_.data() + end_, chunk),
        [self = shared_from_this()](const asio::error_code& ec, size_t n) { self->on_read(ec, n); });
  }

  // Only while no read is in flight (the read targets buf_ past end_).
  void compact() {
    if (rpos_ == end_) {
      rpos_ = end_ = 0;
    } else if (rpos_ > 0 && (rpos_ >= buf_.size() / 2 || need_ > buf_.size() - rpos_)) {
      std::copy(buf_.begin() + static_cast<ptrdiff_t>(rpos_), buf_.begin() + static_cast<ptrdiff_t>(end_),
                buf_.begin());
      end_ -= rpos_;
      rpos_ = 0;
    }
    if (buf_.size() > kShrinkInputAbove && end_ - rpos_ < kShrinkInputAbove / 2 &&
        need_ < kShrinkInputAbove / 2) {
      std::vector<char> smaller(buf_.begin() + static_cast<ptrdiff_t>(rpos_),
                                buf_.begin() + static_cast<ptrdiff_t>(end_));
      buf_ = std::move(smaller);
      end_ -= rpos_;
      rpos_ = 0;
    }
  }

  void on_read(const asio::error_code& ec, size_t n) {
    reading_ = false;
    if (closed_) return;
    if (ec) {
      if (ec != asio::error::eof && ec != asio::error::connection_reset &&
          ec != asio::error::operation_aborted)
        spdlog::warn("pgwire: connection {}: read failed: {}", pid_, ec.message());
      do_close();  // a running query sees the cancel flag; its output is discarded
      return;
    }
    end_ += n;
    disarm_idle_timer();
    if (busy_) {
      if (copy_mode_) pump_copy();
      start_read();
    } else {
      process();
    }
  }

  // Handles every complete buffered message, in order, until a query makes the connection busy. Short
  // statements run here (try_inline_query, run_extended); after kMaxInlinePerTurn of them the rest waits
  // for a handler posted behind other connections' ones.
  void process() {
    inline_turn_ = 0;
    while (!busy_ && !closing_ && !closed_) {
      if (inline_turn_ >= kMaxInlinePerTurn) {
        asio::post(strand_, [self = shared_from_this()] { self->process(); });
        return;
      }
      size_t avail = end_ - rpos_;
      const char* p = buf_.data() + rpos_;
      if (phase_ == Phase::Startup) {
        if (avail < 4) {
          need_ = 4;
          break;
        }
        uint32_t len = wire::get_u32(p);
        if (len < 8 || len > wire::kMaxStartupPacket) {
          fatal(SqlState::ProtocolViolation, "invalid length of startup packet");
          return;
        }
        if (avail < len) {
          need_ = len;
          break;
        }
        std::string_view body(p + 4, len - 4);
        rpos_ += len;
        need_ = 0;
        handle_startup(body);
      } else {
        if (avail < 5) {
          need_ = 5;
          break;
        }
        char type = 0;
        std::string_view body;
        size_t total = 0;
        Frame f = frame(p, avail, type, body, total);
        if (f == Frame::Bad) return;
        if (f == Frame::Incomplete) break;
        rpos_ += total;
        need_ = 0;
        handle_message(type, body);
      }
    }
    if (!closing_ && !closed_) start_read();
    if (inline_turn_ > 0) arm_idle_timer();
  }

  void handle_startup(std::string_view body) {
    wire::StartupPacket packet;
    try {
      packet = wire::decode_startup(body);
    } catch (const SqlError& e) {
      fatal(e.state(), e.message());
      return;
    }
    using Kind = wire::StartupPacket::Kind;
    if (packet.kind == Kind::SslRequest || packet.kind == Kind::GssEncRequest) {
      send("N");
      // Data sent before our answer could not have been encrypted as negotiated (CVE-2021-23214).
      if (end_ > rpos_) fatal(SqlState::ProtocolViolation, "received unencrypted data after SSL request");
      return;
    }
    if (packet.kind == Kind::CancelRequest) {
      if (packet.cancel_valid) server_.cancel(packet.cancel_pid, packet.cancel_secret);
      do_close();  // no answer, as PostgreSQL
      return;
    }
    StartupInfo& info = packet.info;
    info.process_id = pid_;
    {
      asio::error_code e;
      auto local = socket_.local_endpoint(e);
      if (!e) {
        asio::ip::address a = local.address();
        if (a.is_v6() && a.to_v6().is_v4_mapped())
          a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
        info.local_address = a.to_string();
        info.local_port = local.port();
      }
    }
    if (packet.minor > 0 || !packet.unrecognized.empty()) {
      std::string out;
      wire::negotiate_protocol_version(out, 0, packet.unrecognized);
      send(std::move(out));
    }
    if (!server_.try_add_session()) {
      fatal(SqlState::TooManyConnections, "sorry, too many clients already");
      return;
    }
    counted_session_ = true;
    if (shutting_down_) {
      fatal(SqlState::AdminShutdown, "terminating connection due to administrator command");
      return;
    }
    auto app = info.parameters.find("application_name");
    application_name_ = app != info.parameters.end() ? app->second : "";
    user_ = info.user;
    info.backends = &server_;
    {
      std::lock_guard lk(activity_mu_);
      activity_.user = info.user;
      activity_.database = info.database;
      activity_.application_name = application_name_;
    }
    busy_ = true;
    server_.workers.post(
        [self = shared_from_this(), info = std::move(info),
         guard = asio::make_work_guard(server_.io)]() mutable { self->open_on_worker(info); });
  }

  void open_on_worker(const StartupInfo& info) {
    std::unique_ptr<Session> session;
    std::string out;
    try {
      session = server_.factory.open(info);
      if (!session) throw std::runtime_error("session factory returned no session");
    } catch (const SqlError& e) {
      append_error(out, "FATAL", e);
    } catch (const std::exception& e) {
      spdlog::warn("pgwire: connection {}: opening the session failed: {}", pid_, e.what());
      append_internal_error(out, "FATAL", e.what());
    } catch (...) {
      append_internal_error(out, "FATAL", "unknown error");
    }
    asio::post(strand_,
               [self = shared_from_this(), session = std::move(session), out = std::move(out)]() mutable {
                 self->on_opened(std::move(session), std::move(out));
               });
  }

  void on_opened(std::unique_ptr<Session> session, std::string out) {
    busy_ = false;
    if (closed_) return;  // session destroyed here, after the worker returned
    if (!session) {
      send(std::move(out));
      close_after_flush();
      return;
    }
    session_ = std::move(session);
    wire::authentication_ok(out);
    wire::parameter_status(out, "application_name", application_name_);
    wire::parameter_status(out, "client_encoding", "UTF8");
    wire::parameter_status(out, "DateStyle", "ISO, MDY");
    wire::parameter_status(out, "integer_datetimes", "on");
    wire::parameter_status(out, "IntervalStyle", "postgres");
    wire::parameter_status(out, "is_superuser", "on");
    wire::parameter_status(out, "server_encoding", "UTF8");
    wire::parameter_status(out, "server_version", kServerVersion);
    wire::parameter_status(out, "session_authorization", user_);
    wire::parameter_status(out, "standard_conforming_strings", "on");
    wire::parameter_status(out, "TimeZone", "UTC");
    wire::backend_key_data(out, pid_, secret_);
    append_ready(out);
    send(std::move(out));
    phase_ = Phase::Ready;
    if (shutting_down_) {
      fatal(SqlState::AdminShutdown, "terminating connection due to administrator command");
      return;
    }
    process();
  }

  static bool is_extended(char type) {
    return type == 'P' || type == 'B' || type == 'D' || type == 'E' || type == 'C' || type == 'S' ||
           type == 'H';
  }

  void handle_message(char type, std::string_view body) {
    if (is_extended(type)) {
      run_extended(type, body);
      return;
    }
    if (phase_ == Phase::SkipToSync) {  // after an error, everything up to Sync is discarded
      if (type == 'X') close_after_flush();
      return;
    }
    switch (type) {
      case 'Q': {
        std::string_view sql;
        try {
          sql = wire::decode_query(body);
        } catch (const SqlError& e) {
          fatal(e.state(), e.message());
          return;
        }
        begin_activity(sql);
        if (!try_inline_query(sql)) run_query(std::string(sql));
        return;
      }
      case 'X':
        close_after_flush();
        return;
      case 'F': {
        std::string out;
        append_plain_error(out, "ERROR", SqlState::FeatureNotSupported,
                           "function call protocol is not supported");
        append_ready(out);
        send(std::move(out));
        return;
      }
      case 'd':  // CopyData, CopyDone, CopyFail outside COPY: ignored, as PostgreSQL does
      case 'c':
      case 'f':
        return;
      default:
        fatal(SqlState::ProtocolViolation, fmt::format("invalid frontend message type {}",
                                                       static_cast<int>(static_cast<unsigned char>(type))));
        return;
    }
  }

  // ---- COPY FROM STDIN ----
  // While a COPY reads its input (copy_mode_, on the strand), CopyData / CopyDone / CopyFail go from the
  // input buffer into copy_ for the worker; Flush and Sync are ignored, as PostgreSQL does. The queue is
  // bounded: past kMaxCopyQueuedBytes the strand stops moving messages, the input buffer fills and reading
  // stops (back-pressure on the client); the worker resumes it once it drained half of the queue.
  struct CopyChannel {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<std::string> chunks;
    size_t bytes = 0;
    bool paused = false;  // the strand stopped moving messages because the queue was full
    enum class End { None, Done, Fail, Unexpected } end = End::None;
    std::string fail_message;
    char unexpected = 0;
  };

  // On the strand.
  void pump_copy() {
    while (copy_mode_ && !closing_ && !closed_) {
      size_t avail = end_ - rpos_;
      if (avail < 5) {
        need_ = 5;
        return;
      }
      const char* p = buf_.data() + rpos_;
      char type = 0;
      std::string_view body;
      size_t total = 0;
      if (frame(p, avail, type, body, total) != Frame::Complete) return;
      {
        std::lock_guard lk(copy_.mu);
        if (type == 'd' && copy_.bytes >= kMaxCopyQueuedBytes) {
          copy_.paused = true;
          return;
        }
        rpos_ += total;
        need_ = 0;
        switch (type) {
          case 'd':
            copy_.chunks.emplace_back(body);
            copy_.bytes += body.size();
            break;
          case 'c':
            copy_.end = CopyChannel::End::Done;
            copy_mode_ = false;
            break;
          case 'f':
            copy_.end = CopyChannel::End::Fail;
            copy_.fail_message = std::string(body.substr(0, body.find('\0')));
            copy_mode_ = false;
            break;
          case 'H':
          case 'S':
            break;
          default:
            copy_.end = CopyChannel::End::Unexpected;
            copy_.unexpected = type;
            copy_mode_ = false;
            break;
        }
      }
      copy_.cv.notify_all();
    }
  }

  // On the strand: whether a running COPY FROM STDIN needs more input now: the message being read is
  // incomplete (it may be larger than the busy-input limit) and the queue for the worker has room.
  bool copy_wants_input(size_t avail) {
    if (!copy_mode_) return false;
    std::lock_guard lk(copy_.mu);
    return !copy_.paused && need_ > avail;
  }

  // On the strand: the worker began reading a COPY's input.
  void begin_copy_in() {
    copy_mode_ = true;
    pump_copy();
    start_read();
  }
  // On the strand: the worker drained the queue below half.
  void resume_copy_in() {
    if (!copy_mode_) return;
    pump_copy();
    start_read();
  }
  // On the strand: the COPY statement returned (done or failed). What it did not read stays unread: the
  // queue is dropped, and CopyData still in the input is ignored by process(), as PostgreSQL does.
  void end_copy_in() {
    copy_mode_ = false;
    std::lock_guard lk(copy_.mu);
    copy_.chunks.clear();
    copy_.bytes = 0;
    copy_.paused = false;
    copy_.end = CopyChannel::End::None;
  }

  // ---- query execution ----

  void run_query(std::string sql) {
    busy_ = true;
    cancel_.store(shutting_down_.load());  // a terminate (pg_terminate_backend) stays pending
    server_.workers.post(
        [self = shared_from_this(), sql = std::move(sql),
         guard = asio::make_work_guard(server_.io)]() mutable { self->execute_on_worker(sql); });
  }

  void execute_on_worker(const std::string& sql);  // after QueryOutput
  // Runs a simple query's statements with `out`; returns what remains to be sent, ReadyForQuery included
  // (unless the server's stop ended it). Lets RunOnWorker through.
  std::string execute_query(std::string_view sql, QueryOutput& out);

  // Whether a message of `bytes` may be tried on the strand now: a session is open, no COPY runs, the
  // client reads its results (else the pool's back-pressure applies) and this turn has room.
  bool inline_allowed(size_t bytes) {
    if (!session_ || copy_mode_ || bytes > kMaxInlineBytes || inline_turn_ >= kMaxInlinePerTurn) return false;
    std::lock_guard lk(out_mu_);
    return queued_bytes_ < kFlushBytes;
  }

  // A simple query that may be a short SELECT runs here when the session accepts it; false: it did
  // not run (RunOnWorker) and goes to the pool. Only text starting with SELECT is tried, so other
  // statements are not parsed twice.
  bool try_inline_query(std::string_view sql);  // after QueryOutput

  static bool starts_with_select(std::string_view sql) {
    size_t i = 0;
    while (i < sql.size() && (sql[i] == ' ' || sql[i] == '\t' || sql[i] == '\n' || sql[i] == '\r')) ++i;
    constexpr std::string_view kSelect = "select";
    if (sql.size() - i < kSelect.size()) return false;
    for (size_t k = 0; k < kSelect.size(); ++k)
      if ((sql[i + k] | 0x20) != kSelect[k]) return false;
    return true;
  }

  // After a statement that ran on the strand: as on_query_done, without a worker to return from.
  void finish_inline(std::string tail) {
    send(std::move(tail));
    if (shutting_down_) fatal(SqlState::AdminShutdown, "terminating connection due to administrator command");
  }

  // Extended query protocol: this message and every further complete extended-protocol message
  // already buffered (up to and including a Sync) run as one worker job, in order.
  struct ExtendedMessage {
    char type;
    std::string body;
  };

  void run_extended(char type, std::string_view body) {
    std::vector<ExtendedMessage> batch;
    batch.push_back({type, std::string(body)});
    while (type != 'S') {
      size_t avail = end_ - rpos_;
      if (avail < 5) break;
      const char* p = buf_.data() + rpos_;
      type = p[0];
      uint32_t len = wire::get_u32(p + 1);
      if (!is_extended(type) || len < 4 || len > server_.options.max_message_bytes || avail < size_t{len} + 1)
        break;  // process() handles it next
      batch.push_back({type, std::string(p + 5, len - 4)});
      rpos_ += size_t{len} + 1;
    }
    dispatch_extended(std::move(batch));
  }

  // Runs the batch here as far as the session accepts it (inline_candidate), the rest on a worker.
  void dispatch_extended(std::vector<ExtendedMessage> batch);  // after QueryOutput

  bool inline_candidate(const std::vector<ExtendedMessage>& batch) {
    size_t bytes = 0;
    for (const ExtendedMessage& m : batch) {
      if (m.type == 'P') return false;  // parsing and planning: the pool
      bytes += m.body.size();
    }
    return inline_allowed(bytes);
  }

  // Runs batch[from..] with `out` (on a worker, or on the strand when out.on_io_thread()); returns the
  // index of the message whose session call threw RunOnWorker, or batch.size(). `skipping`: discarding
  // until Sync after an error (in and out).
  size_t run_batch(const std::vector<ExtendedMessage>& batch, size_t from, bool& skipping, QueryOutput& out);
  void extended_on_worker(const std::vector<ExtendedMessage>& batch, size_t from, bool skipping,
                          std::string prefix);  // after QueryOutput
  void extended_message(const ExtendedMessage& m, QueryOutput& out);

  void on_extended_done(std::string tail, bool skipping) {
    if (!closed_) phase_ = skipping ? Phase::SkipToSync : Phase::Ready;
    on_query_done(std::move(tail));
  }

  void on_query_done(std::string tail) {
    busy_ = false;
    if (closed_) {
      session_.reset();  // the worker has returned: now the session may go
      return;
    }
    send(std::move(tail));
    if (shutting_down_) {
      fatal(SqlState::AdminShutdown, "terminating connection due to administrator command");
      return;
    }
    process();
    arm_idle_timer();
  }

  // idle_in_transaction_session_timeout: armed when the connection waits for the client inside a
  // transaction block, disarmed by any input; on expiry the session ends (FATAL 25P03), rolling back and
  // releasing its row locks, as PostgreSQL does.
  void arm_idle_timer() {
    if (closed_ || closing_ || busy_ || !session_) return;
    char status = transaction_status();
    if (status != 'T' && status != 'E') return;
    uint64_t ms = 0;
    try {
      ms = session_->idle_in_transaction_timeout_ms();
    } catch (...) {
      return;
    }
    if (ms == 0) return;
    if (!idle_timer_) idle_timer_.emplace(strand_);
    uint64_t generation = ++idle_generation_;
    idle_timer_->expires_after(std::chrono::milliseconds(ms));
    idle_timer_->async_wait([self = shared_from_this(), generation](const asio::error_code& ec) {
      if (ec || generation != self->idle_generation_ || self->busy_) return;
      self->fatal(SqlState::IdleInTransactionSessionTimeout,
                  "terminating connection due to idle-in-transaction timeout");
    });
  }
  void disarm_idle_timer() {
    ++idle_generation_;
    if (idle_timer_) idle_timer_->cancel();
  }

  // ---- output ----

  char transaction_status() const {
    if (!session_) return 'I';
    try {
      return session_->transaction_status();
    } catch (...) {
      return 'I';
    }
  }

  // ParameterStatus for every reported setting the session changed, then ReadyForQuery; the backend is
  // idle from now on (pg_stat_activity).
  void append_ready(std::string& out) {
    std::optional<std::string> application_name;
    if (session_) {
      try {
        for (const auto& [name, value] : session_->changed_parameters()) {
          wire::parameter_status(out, name, value);
          if (name == "application_name") application_name = value;
        }
      } catch (...) {  // nothing to report rather than no ReadyForQuery
      }
    }
    const char status = transaction_status();
    wire::ready_for_query(out, status);
    if (!session_) return;
    std::lock_guard lk(activity_mu_);
    if (application_name) activity_.application_name = *application_name;
    activity_.state = status == 'T'   ? "idle in transaction"
                      : status == 'E' ? "idle in transaction (aborted)"
                                      : "idle";
    if (status == 'I') activity_.xact_start.reset();
    if (activity_.query_start) activity_.state_change = std::chrono::system_clock::now();
  }

  void send_ready_for_query() {
    std::string out;
    append_ready(out);
    send(std::move(out));
  }

  static void append_error(std::string& out, std::string_view severity, const SqlError& e) {
    wire::error_response(out, {severity, sqlstate_code(e.state()), e.message(), e.detail(), e.hint(),
                               e.position(), e.context(), e.schema_name(), e.table_name(),
                               e.constraint_name(), e.column_name(), e.routine()});
  }
  static void append_plain_error(std::string& out, std::string_view severity, SqlState state,
                                 std::string_view message) {
    wire::error_response(out, {severity, sqlstate_code(state), message, {}, {}, 0});
  }
  static void append_internal_error(std::string& out, std::string_view severity, std::string_view message) {
    append_plain_error(out, severity, SqlState::InternalError, message);
  }

  // Sends a FATAL error and closes the connection once it is written.
  // The regular message at p (type byte, length, body) with `avail` bytes buffered: Incomplete sets need_
  // to its size, Bad (an impossible or oversized length) has ended the connection with fatal().
  enum class Frame { Complete, Incomplete, Bad };
  Frame frame(const char* p, size_t avail, char& type, std::string_view& body, size_t& total) {
    type = p[0];
    uint32_t len = wire::get_u32(p + 1);
    if (len < 4) {
      fatal(SqlState::ProtocolViolation, "invalid message length");
      return Frame::Bad;
    }
    if (len > server_.options.max_message_bytes) {
      fatal(SqlState::ProgramLimitExceeded, fmt::format("message of {} bytes exceeds the maximum of {} bytes",
                                                        len, server_.options.max_message_bytes));
      return Frame::Bad;
    }
    total = size_t{len} + 1;
    if (avail < total) {
      need_ = total;
      return Frame::Incomplete;
    }
    body = std::string_view(p + 5, len - 4);
    return Frame::Complete;
  }

  void fatal(SqlState state, std::string_view message) {
    if (closed_ || closing_) return;
    if (state != SqlState::AdminShutdown)
      spdlog::warn("pgwire: connection {} ({}): {} {}", pid_, peer_, sqlstate_code(state), message);
    std::string out;
    append_plain_error(out, "FATAL", state, message);
    send(std::move(out));
    close_after_flush();
  }

  // On the strand. `counted`: already added to queued_bytes_ by a worker.
  void send(std::string data, bool counted = false) {
    if (closed_) {
      if (counted) release_queued(data.size());
      return;
    }
    if (data.empty()) return;
    if (!counted) {
      std::lock_guard lk(out_mu_);
      queued_bytes_ += data.size();
    }
    out_queue_.push_back(std::move(data));
    if (!writing_) do_write();
  }

  // One write (writev) for everything queued, up to kMaxWriteBuffers chunks.
  void do_write() {
    writing_ = true;
    writing_count_ = std::min(out_queue_.size(), kMaxWriteBuffers);
    write_bufs_.clear();
    for (size_t i = 0; i < writing_count_; ++i) write_bufs_.push_back(asio::buffer(out_queue_[i]));
    asio::async_write(socket_, write_bufs_, [self = shared_from_this()](const asio::error_code& ec, size_t) {
      self->on_write(ec);
    });
  }

  void on_write(const asio::error_code& ec) {
    writing_ = false;
    if (closed_) return;
    size_t bytes = 0;
    for (size_t i = 0; i < writing_count_; ++i) {
      bytes += out_queue_.front().size();
      out_queue_.pop_front();
    }
    release_queued(bytes);
    if (ec) {
      if (ec != asio::error::broken_pipe && ec != asio::error::connection_reset &&
          ec != asio::error::operation_aborted)
        spdlog::warn("pgwire: connection {}: write failed: {}", pid_, ec.message());
      do_close();
      return;
    }
    if (!out_queue_.empty()) {
      do_write();
    } else if (closing_) {
      do_close();
    }
  }

  void release_queued(size_t n) {
    {
      std::lock_guard lk(out_mu_);
      queued_bytes_ -= std::min(queued_bytes_, n);
      ++written_chunks_;
    }
    out_cv_.notify_all();
  }

  // Worker thread: hands a chunk to the strand. While more than kMaxQueuedBytes are unsent (the client
  // reads slower than the query produces) the worker waits, as a blocking region so that the pool serves
  // other sessions meanwhile, until the client has read enough. A client that stopped reading must not
  // hold the query's snapshot, row locks and the catalog forever: once it has read nothing for
  // send_timeout, a chunk of rows (`rows`) fails the statement with 57014, which also ends the wait on a
  // cancel request and at the statement's `deadline` (statement_timeout); any other chunk (a command tag
  // that may follow a commit, a notice) never fails the statement, and closes the connection instead.
  // Discards the chunk once the connection is dead.
  void push_from_worker(std::string data, bool rows, std::chrono::steady_clock::time_point deadline) {
    if (data.empty()) return;
    std::unique_lock lk(out_mu_);
    bool open = true;
    std::exception_ptr failed;
    if (!dead_.load() && queued_bytes_ >= kMaxQueuedBytes) {
      try {
        open = wait_for_reader(lk, rows, deadline);
      } catch (const SqlError&) {
        failed = std::current_exception();  // the chunk still goes (it may end earlier statements)
      }
    }
    if (!open) {
      lk.unlock();
      mark_dead();
      asio::post(strand_, [self = shared_from_this()] { self->do_close(); });
      return;
    }
    if (!dead_.load()) {
      queued_bytes_ += data.size();
      asio::post(strand_, [self = shared_from_this(), data = std::move(data)]() mutable {
        self->send(std::move(data), true);
      });
    }
    lk.unlock();
    if (failed) std::rethrow_exception(failed);
  }

  // push_from_worker's wait, under out_mu_: true once the queue is below the limit or the connection is
  // dead, false when the connection must be closed; throws 57014 (see above).
  bool wait_for_reader(std::unique_lock<std::mutex>& lk, bool rows,
                       std::chrono::steady_clock::time_point deadline) {
    using Clock = std::chrono::steady_clock;
    const std::chrono::milliseconds send_timeout = server_.options.send_timeout;
    BlockingRegion blocking;
    uint64_t seen = written_chunks_;
    Clock::time_point progress = Clock::now();  // the client's last read (or the wait's start)
    for (;;) {
      if (dead_.load() || queued_bytes_ < kMaxQueuedBytes) return true;
      const Clock::time_point now = Clock::now();
      if (written_chunks_ != seen) {
        seen = written_chunks_;
        progress = now;
      }
      if (Interrupt why = pending_interrupt(&cancel_, deadline, now); rows && why != Interrupt::None)
        throw interrupt_error(why);
      Clock::time_point until = rows ? deadline : Clock::time_point::max();
      if (send_timeout.count() > 0) {
        const Clock::time_point stalled = progress + send_timeout;
        if (now >= stalled) {
          spdlog::warn("pgwire: connection {}: the client read no results for {} ms (send_timeout); {}", pid_,
                       send_timeout.count(), rows ? "canceling its statement" : "closing the connection");
          if (!rows) return false;
          throw SqlError(SqlState::QueryCanceled,
                         fmt::format("canceling statement because the client read no results for {} ms "
                                     "(send_timeout)",
                                     send_timeout.count()));
        }
        until = std::min(until, stalled);
      }
      if (until == Clock::time_point::max()) {
        out_cv_.wait(lk);
      } else {
        out_cv_.wait_until(lk, until);
      }
    }
  }

  void mark_dead() {
    {
      std::lock_guard lk(out_mu_);
      dead_.store(true);
    }
    cancel_.store(true);
    out_cv_.notify_all();
    { std::lock_guard lk(copy_.mu); }
    copy_.cv.notify_all();
  }

  void close_after_flush() {
    closing_ = true;
    if (!writing_ && out_queue_.empty()) do_close();
  }

  void do_close() {
    if (closed_) return;
    closed_ = closing_ = true;
    mark_dead();
    asio::error_code ec;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    out_queue_.clear();
    if (!busy_) session_.reset();  // else on_query_done/on_opened does it once the worker returned
    server_.remove_connection(shared_from_this(), counted_session_);
    spdlog::debug("pgwire: connection {} closed", pid_);
  }

  ServerImpl& server_;
  Socket socket_;
  Strand strand_;
  const int32_t pid_;
  const int32_t secret_;
  std::string peer_;
  std::string user_;
  std::string application_name_;
  std::unique_ptr<Session> session_;  // used by the worker while busy_, else on the strand

  // Strand state.
  Phase phase_ = Phase::Startup;
  std::vector<char> buf_;  // input: [rpos_, end_) unconsumed; a read may be filling past end_
  size_t rpos_ = 0, end_ = 0, need_ = 0;
  bool reading_ = false, writing_ = false;
  bool busy_ = false;                       // a worker owns session_ (open or execute)
  bool closing_ = false;                    // close once the output queue is written; read nothing more
  bool closed_ = false;                     // socket closed, connection removed from the server
  std::atomic<bool> shutting_down_{false};  // server stop: close after the running query (set on the strand)
  bool counted_session_ = false;
  size_t inline_turn_ = 0;  // short statements run on the strand in this process() turn
  std::deque<std::string> out_queue_;
  size_t writing_count_ = 0;                    // out_queue_'s first chunks the write in flight sends
  std::vector<asio::const_buffer> write_bufs_;  // their buffers

  // Shared with the worker.
  std::atomic<bool> cancel_{false};
  mutable std::mutex activity_mu_;
  BackendActivity activity_;                      // under activity_mu_
  std::optional<asio::steady_timer> idle_timer_;  // idle_in_transaction_session_timeout, on the strand
  uint64_t idle_generation_ = 0;
  std::atomic<bool> dead_{false};  // output is discarded from now on
  std::mutex out_mu_;
  std::condition_variable out_cv_;
  size_t queued_bytes_ = 0;      // under out_mu_
  uint64_t written_chunks_ = 0;  // under out_mu_: chunks the socket took (the client is reading)
  CopyChannel copy_;             // COPY FROM STDIN input, strand -> worker
  bool copy_mode_ = false;       // strand: the running COPY reads CopyData
};

class QueryOutput final : public ResultWriter {
 public:
  // `io_thread`: the statement runs on the connection's strand (see on_io_thread); `prefix`: output of
  // earlier messages of the same batch.
  explicit QueryOutput(Connection& conn, bool io_thread = false, std::string prefix = {})
      : conn_(conn), buf_(std::move(prefix)), io_thread_(io_thread) {}

  void row_description(const std::vector<ResultColumn>& columns) override {
    if (dead()) return;
    wire::row_description(buf_, columns);
    maybe_flush(false, true);
  }
  void data_row(const std::string_view* values, const bool* nulls, size_t count) override {
    if (dead()) return;
    wire::data_row(buf_, values, nulls, count);
    maybe_flush(false, true);
  }
  void command_complete(std::string_view tag) override {
    if (dead()) return;
    wire::command_complete(buf_, tag);
    maybe_flush();
  }
  void empty_query() override {
    if (dead()) return;
    wire::empty_query_response(buf_);
  }
  void notice(std::string_view sqlstate, std::string_view message) override {
    send_notice(sqlstate.starts_with("01") ? "WARNING" : "NOTICE", sqlstate, message);
  }
  void warning(std::string_view sqlstate, std::string_view message) override {
    send_notice("WARNING", sqlstate, message);
  }
  void info(std::string_view sqlstate, std::string_view message) override {
    send_notice("INFO", sqlstate, message);
  }
  const std::atomic<bool>* cancel_flag() const override { return &conn_.cancel_; }
  void set_deadline(std::chrono::steady_clock::time_point deadline) override { deadline_ = deadline; }
  bool on_io_thread() const override { return io_thread_; }

  CopyInStream& copy_in(int8_t format, size_t columns) override {
    if (!dead()) wire::copy_in_response(buf_, format, columns);
    maybe_flush(true);
    {
      std::lock_guard lk(conn_.copy_.mu);
      conn_.copy_.chunks.clear();
      conn_.copy_.bytes = 0;
      conn_.copy_.paused = false;
      conn_.copy_.end = Connection::CopyChannel::End::None;
    }
    copy_in_started_ = true;
    asio::post(conn_.strand_, [self = conn_.shared_from_this()] { self->begin_copy_in(); });
    return stream_;
  }
  void copy_out(int8_t format, size_t columns) override {
    if (dead()) return;
    wire::copy_out_response(buf_, format, columns);
  }
  void copy_data(std::string_view data) override {
    if (dead()) return;
    wire::copy_data(buf_, data);
    maybe_flush(false, true);
  }
  void copy_done() override {
    if (dead()) return;
    wire::copy_done(buf_);
  }
  // After the statement: a COPY FROM STDIN that did not read to CopyDone leaves its input unread.
  bool copy_in_ran() const { return copy_in_ran_; }
  void end_copy() {
    if (!copy_in_started_) return;
    copy_in_started_ = false;
    copy_in_ran_ = true;
    asio::post(conn_.strand_, [self = conn_.shared_from_this()] { self->end_copy_in(); });
  }

  std::string& buffer() { return buf_; }
  bool dead() const { return conn_.dead_.load(std::memory_order_relaxed); }
  // Hands everything buffered to the connection now (Flush).
  void flush() { maybe_flush(true); }

 private:
  void send_notice(std::string_view severity, std::string_view sqlstate, std::string_view message) {
    if (dead()) return;
    wire::notice_response(buf_, {severity, sqlstate, message, {}, {}, 0});
    maybe_flush();
  }

  // `rows`: the chunk holds a statement's results, before its command tag (see push_from_worker).
  // On the strand (io_thread_) nothing waits for the client: a short statement's output stays in the
  // buffer, which the connection sends at the statement's end, or goes now on Flush.
  void maybe_flush(bool force = false, bool rows = false) {
    if (buf_.empty() || (!force && buf_.size() < kFlushBytes)) return;
    if (io_thread_) {
      if (force) conn_.send(std::exchange(buf_, std::string()));
      return;
    }
    std::string chunk = std::move(buf_);
    buf_ = std::string();
    conn_.push_from_worker(std::move(chunk), rows, deadline_);
    buf_.reserve(kFlushBytes + 1024);
  }

  class Stream final : public CopyInStream {
   public:
    explicit Stream(Connection& conn) : conn_(conn) {}
    bool next(std::string& chunk) override {
      auto& ch = conn_.copy_;
      bool resume = false;
      {
        std::unique_lock lk(ch.mu);
        ch.cv.wait(lk, [&] {
          return !ch.chunks.empty() || ch.end != Connection::CopyChannel::End::None || conn_.dead_.load();
        });
        if (conn_.dead_.load())
          throw SqlError(SqlState::ConnectionFailure, "connection lost during COPY from stdin");
        if (!ch.chunks.empty()) {
          chunk = std::move(ch.chunks.front());
          ch.chunks.pop_front();
          ch.bytes -= chunk.size();
          if (ch.paused && ch.bytes < kMaxCopyQueuedBytes / 2) {
            ch.paused = false;
            resume = true;
          }
        } else {
          switch (ch.end) {
            case Connection::CopyChannel::End::Done:
              return false;
            case Connection::CopyChannel::End::Fail:
              throw SqlError(SqlState::QueryCanceled, "COPY from stdin failed: " + ch.fail_message);
            default:
              throw SqlError(SqlState::ProtocolViolation,
                             fmt::format("unexpected message type 0x{:02X} during COPY from stdin",
                                         static_cast<unsigned>(static_cast<unsigned char>(ch.unexpected))));
          }
        }
      }
      if (resume) asio::post(conn_.strand_, [self = conn_.shared_from_this()] { self->resume_copy_in(); });
      return true;
    }

   private:
    Connection& conn_;
  };

  Connection& conn_;
  std::string buf_;
  const bool io_thread_;
  std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
  Stream stream_{conn_};
  bool copy_in_started_ = false;
  bool copy_in_ran_ = false;  // a COPY FROM STDIN ran in this job (sticky)
};

bool Connection::try_inline_query(std::string_view sql) {
  if (!inline_allowed(sql.size()) || !starts_with_select(sql)) return false;
  InlineSlot slot(server_);
  if (!slot.taken()) return false;
  cancel_.store(shutting_down_.load());  // a terminate (pg_terminate_backend) stays pending
  std::string tail;
  try {
    QueryOutput out(*this, true);
    tail = execute_query(sql, out);
  } catch (const RunOnWorker&) {
    return false;
  }
  ++inline_turn_;
  finish_inline(std::move(tail));
  return true;
}

void Connection::dispatch_extended(std::vector<ExtendedMessage> batch) {
  cancel_.store(shutting_down_.load());  // a terminate (pg_terminate_backend) stays pending
  bool skipping = phase_ == Phase::SkipToSync;
  size_t from = 0;
  std::string prefix;
  InlineSlot slot(server_);
  if (slot.taken() && inline_candidate(batch)) {  // Bind/Execute of a prepared point lookup, say (not Parse)
    QueryOutput out(*this, true);
    from = run_batch(batch, 0, skipping, out);
    if (from == batch.size()) {
      ++inline_turn_;
      phase_ = skipping ? Phase::SkipToSync : Phase::Ready;
      finish_inline(out.dead() ? std::string() : std::move(out.buffer()));
      return;
    }
    if (!out.dead()) prefix = std::move(out.buffer());  // answers to the messages before batch[from]
  }
  busy_ = true;
  server_.workers.post([self = shared_from_this(), batch = std::move(batch), from, skipping,
                        prefix = std::move(prefix), guard = asio::make_work_guard(server_.io)]() mutable {
    self->extended_on_worker(batch, from, skipping, std::move(prefix));
  });
}

void Connection::execute_on_worker(const std::string& sql) {
  QueryOutput out(*this);
  std::string tail = execute_query(sql, out);
  asio::post(strand_, [self = shared_from_this(), tail = std::move(tail)]() mutable {
    self->on_query_done(std::move(tail));
  });
}

std::string Connection::execute_query(std::string_view sql, QueryOutput& out) {
  bool stopped = false;
  try {
    session_->execute(sql, out);
    out.end_copy();
  } catch (const RunOnWorker&) {
    throw;
  } catch (const SqlError& e) {
    spdlog::debug("pgwire: connection {}: {} {}", pid_, sqlstate_code(e.state()), e.message());
    stopped = ended_by_shutdown(e);
    if (!out.dead() && !stopped) append_error(out.buffer(), "ERROR", e);
  } catch (const std::exception& e) {
    spdlog::warn("pgwire: connection {}: internal error: {}", pid_, e.what());
    if (!out.dead()) append_internal_error(out.buffer(), "ERROR", e.what());
  } catch (...) {
    spdlog::warn("pgwire: connection {}: internal error of unknown type", pid_);
    if (!out.dead()) append_internal_error(out.buffer(), "ERROR", "internal error");
  }
  out.end_copy();
  std::string tail;
  if (!out.dead()) {
    tail = std::move(out.buffer());
    // A terminate that arrived while the statement ran (pg_terminate_backend, the server's stop): FATAL
    // 57P01 follows (on_query_done), not ReadyForQuery.
    if (!stopped && !shutting_down_.load()) append_ready(tail);
  }
  return tail;
}

// Malformed messages throw 08P01 (PostgreSQL then discards messages until Sync, as for any error).
void Connection::extended_message(const ExtendedMessage& m, QueryOutput& out) {
  switch (m.type) {
    case 'P': {
      wire::ParseMessage p = wire::decode_parse(m.body);
      begin_activity(p.sql);
      session_->parse(p.name, p.sql, p.param_types);
      wire::parse_complete(out.buffer());
      return;
    }
    case 'B': {
      wire::BindMessage b = wire::decode_bind(m.body);
      session_->bind(b.portal, b.statement, b.params, b.result_formats);
      wire::bind_complete(out.buffer());
      return;
    }
    case 'D': {
      wire::TargetMessage d = wire::decode_describe(m.body);
      if (d.kind == 'S') {
        StatementDescription desc = session_->describe_statement(d.name);
        wire::parameter_description(out.buffer(), desc.param_types);
        if (desc.returns_rows) {
          wire::row_description(out.buffer(), desc.columns);
        } else {
          wire::no_data(out.buffer());
        }
      } else {
        std::optional<std::vector<ResultColumn>> columns = session_->describe_portal(d.name);
        if (columns) {
          wire::row_description(out.buffer(), *columns);
        } else {
          wire::no_data(out.buffer());
        }
      }
      return;
    }
    case 'E': {
      wire::ExecuteMessage e = wire::decode_execute(m.body);
      begin_activity(session_->portal_query(e.portal));
      bool suspended = false;
      try {
        suspended = session_->execute_portal(e.portal, e.max_rows > 0 ? e.max_rows : 0, out);
      } catch (...) {
        out.end_copy();
        throw;
      }
      out.end_copy();
      if (suspended) wire::portal_suspended(out.buffer());
      return;
    }
    case 'C': {
      wire::TargetMessage c = wire::decode_close(m.body);
      if (c.kind == 'S') {
        session_->close_statement(c.name);
      } else {
        session_->close_portal(c.name);
      }
      wire::close_complete(out.buffer());
      return;
    }
    case 'H':
      out.flush();
      return;
    default:
      return;
  }
}

void Connection::extended_on_worker(const std::vector<ExtendedMessage>& batch, size_t from, bool skipping,
                                    std::string prefix) {
  QueryOutput out(*this, false, std::move(prefix));
  run_batch(batch, from, skipping, out);
  std::string tail;
  if (!out.dead()) tail = std::move(out.buffer());
  asio::post(strand_, [self = shared_from_this(), tail = std::move(tail), skipping]() mutable {
    self->on_extended_done(std::move(tail), skipping);
  });
}

size_t Connection::run_batch(const std::vector<ExtendedMessage>& batch, size_t from, bool& skipping,
                             QueryOutput& out) {
  bool after_copy_in = false;
  for (size_t i = from; i < batch.size(); ++i) {
    const ExtendedMessage& m = batch[i];
    if (out.dead()) break;
    // Flush and Sync that arrived before a COPY FROM STDIN's CopyInResponse belong to the COPY, which
    // ignores them (PostgreSQL reads them during the COPY; libpq sends its own Sync after CopyDone).
    if (after_copy_in && (m.type == 'S' || m.type == 'H')) continue;
    if (m.type == 'S') {
      if (out.on_io_thread() && session_->sync_commits_writes()) return i;  // a commit that writes: the pool
      try {
        session_->sync();
      } catch (const SqlError& e) {
        append_error(out.buffer(), "ERROR", e);
      } catch (const std::exception& e) {
        spdlog::warn("pgwire: connection {}: internal error: {}", pid_, e.what());
        append_internal_error(out.buffer(), "ERROR", e.what());
      }
      skipping = false;
      append_ready(out.buffer());
      continue;
    }
    if (skipping) continue;
    try {
      extended_message(m, out);
      if (m.type == 'E' && out.copy_in_ran()) after_copy_in = true;
    } catch (const RunOnWorker&) {
      return i;
    } catch (const SqlError& e) {
      if (m.type == 'E' && out.copy_in_ran()) after_copy_in = true;
      spdlog::debug("pgwire: connection {}: {} {}", pid_, sqlstate_code(e.state()), e.message());
      skipping = true;
      if (ended_by_shutdown(e)) break;  // on_query_done sends FATAL 57P01; the rest of the batch is dropped
      append_error(out.buffer(), "ERROR", e);
    } catch (const std::exception& e) {
      spdlog::warn("pgwire: connection {}: internal error: {}", pid_, e.what());
      append_internal_error(out.buffer(), "ERROR", e.what());
      skipping = true;
    } catch (...) {
      append_internal_error(out.buffer(), "ERROR", "internal error");
      skipping = true;
    }
  }
  return batch.size();
}

// Sessions that do not implement the extended query protocol refuse it.
namespace {
[[noreturn]] void no_extended_protocol() {
  throw SqlError(SqlState::FeatureNotSupported, "extended query protocol is not supported yet");
}
}  // namespace
CopyInStream& ResultWriter::copy_in(int8_t, size_t) {
  throw SqlError(SqlState::FeatureNotSupported, "COPY FROM STDIN is not supported here");
}
void ResultWriter::copy_out(int8_t, size_t) {
  throw SqlError(SqlState::FeatureNotSupported, "COPY TO STDOUT is not supported here");
}
void ResultWriter::copy_data(std::string_view) {}
void ResultWriter::copy_done() {}

void Session::parse(const std::string&, std::string_view, const std::vector<uint32_t>&) {
  no_extended_protocol();
}
void Session::bind(const std::string&, const std::string&, const BindParams&, const std::vector<int16_t>&) {
  no_extended_protocol();
}
StatementDescription Session::describe_statement(const std::string&) {
  no_extended_protocol();
}
std::optional<std::vector<ResultColumn>> Session::describe_portal(const std::string&) {
  no_extended_protocol();
}
bool Session::execute_portal(const std::string&, int64_t, ResultWriter&) {
  no_extended_protocol();
}
void Session::close_statement(const std::string&) {
  no_extended_protocol();
}
void Session::close_portal(const std::string&) {
  no_extended_protocol();
}
std::string Session::portal_query(const std::string&) const {
  return {};
}

// ---------------------------------------------------------------------------------------------------

ServerImpl::ServerImpl(ServerOptions opts, SessionFactory& f)
    : options(std::move(opts)),
      factory(f),
      server_strand(asio::make_strand(io)),
      work(asio::make_work_guard(io)),
      acceptor(server_strand),
      accept_retry_timer(server_strand),
      grace_timer(server_strand),
      workers(options.worker_threads ? options.worker_threads
                                     : std::max<size_t>(1, std::thread::hardware_concurrency())) {
  if (options.io_threads == 0) options.io_threads = 1;
}

ServerImpl::~ServerImpl() {
  request_stop();
  if (!run_called.exchange(true)) {
    io.restart();
    run_io();  // drive the shutdown ourselves
  }
  workers.join();
  std::lock_guard lk(mu);
  conns.clear();
  by_pid.clear();
}

void ServerImpl::start() {
  std::signal(SIGPIPE, SIG_IGN);
  asio::ip::tcp::endpoint endpoint;
  try {
    const std::string& host = options.listen_address;
    if (host.empty() || host == "*" || host == "0.0.0.0") {
      endpoint = asio::ip::tcp::endpoint(asio::ip::tcp::v4(), options.port);
    } else {
      asio::error_code ec;
      auto addr = asio::ip::make_address(host, ec);
      if (!ec) {
        endpoint = asio::ip::tcp::endpoint(addr, options.port);
      } else {
        asio::ip::tcp::resolver resolver(io);
        auto results = resolver.resolve(host, std::to_string(options.port));
        if (results.empty()) throw std::runtime_error("cannot resolve " + host);
        endpoint = results.begin()->endpoint();
      }
    }
    acceptor.open(endpoint.protocol());
    acceptor.set_option(asio::ip::tcp::acceptor::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(asio::socket_base::max_listen_connections);
    bound_port = acceptor.local_endpoint().port();
  } catch (const std::exception& e) {
    asio::error_code ec;
    acceptor.close(ec);
    throw std::runtime_error(
        fmt::format("cannot listen on {}:{}: {}", options.listen_address, options.port, e.what()));
  }
  spdlog::info("pgwire: listening on {}:{}", endpoint.address().to_string(), bound_port.load());
  asio::post(server_strand, [this] { do_accept(); });
}

void ServerImpl::run_io() {
  for (;;) {
    try {
      io.run();
      return;
    } catch (const std::exception& e) {  // handlers do not throw; this is a last resort
      spdlog::error("pgwire: I/O handler failed: {}", e.what());
    } catch (...) {
      spdlog::error("pgwire: I/O handler failed");
    }
  }
}

void ServerImpl::run() {
  run_called = true;
  std::vector<std::thread> threads;
  for (size_t i = 1; i < options.io_threads; ++i) threads.emplace_back([this] { run_io(); });
  run_io();
  for (auto& t : threads) t.join();
}

void ServerImpl::request_stop() {
  if (stop_requested.exchange(true)) return;
  asio::post(server_strand, [this] { do_stop(); });
}

void ServerImpl::do_accept() {
  if (stop_requested || !acceptor.is_open()) return;
  acceptor.async_accept(asio::make_strand(io), [this](const asio::error_code& ec, Socket socket) {
    on_accept(ec, std::move(socket));
  });
}

void ServerImpl::on_accept(const asio::error_code& ec, Socket socket) {
  if (ec) {
    if (ec == asio::error::operation_aborted || stop_requested) return;
    spdlog::warn("pgwire: accept failed: {}", ec.message());
    accept_retry_timer.expires_after(kAcceptRetry);
    accept_retry_timer.async_wait([this](const asio::error_code& e) {
      if (!e) do_accept();
    });
    return;
  }
  std::string peer;
  std::string peer_address;
  uint16_t peer_port = 0;
  {
    asio::error_code e;
    auto remote = socket.remote_endpoint(e);
    if (!e) {
      asio::ip::address a = remote.address();
      if (a.is_v6() && a.to_v6().is_v4_mapped())
        a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
      peer_address = a.to_string();
      peer_port = remote.port();
    }
    peer = e ? "?" : fmt::format("{}:{}", remote.address().to_string(), remote.port());
  }
  std::shared_ptr<Connection> conn;
  {
    std::lock_guard lk(mu);
    // Connections still in startup are not sessions yet; bound them too (against floods).
    if (stopping || conns.size() >= 2 * options.max_connections + 16) {
      if (!stopping) spdlog::warn("pgwire: too many connections, dropping {}", peer);
      asio::error_code e;
      socket.close(e);
    } else {
      int32_t pid = next_pid++;
      if (next_pid <= 0) next_pid = 1000;
      auto secret = static_cast<int32_t>(rng());
      conn = std::make_shared<Connection>(*this, std::move(socket), pid, secret);
      conns.insert(conn);
      by_pid[pid] = conn;
    }
  }
  if (conn) conn->start(peer, peer_address, peer_port);
  do_accept();
}

void ServerImpl::do_stop() {
  spdlog::info("pgwire: shutting down");
  asio::error_code ec;
  acceptor.close(ec);
  accept_retry_timer.cancel();
  std::vector<std::shared_ptr<Connection>> snapshot;
  {
    std::lock_guard lk(mu);
    stopping = true;
    snapshot.assign(conns.begin(), conns.end());
  }
  work.reset();
  for (auto& c : snapshot) asio::post(c->strand(), [c] { c->admin_shutdown(); });
  if (!snapshot.empty()) {
    grace_timer.expires_after(kStopGrace);
    grace_timer.async_wait([this](const asio::error_code& e) {
      if (!e) force_close_all();
    });
  }
}

void ServerImpl::force_close_all() {
  std::vector<std::shared_ptr<Connection>> snapshot;
  {
    std::lock_guard lk(mu);
    snapshot.assign(conns.begin(), conns.end());
  }
  if (!snapshot.empty()) spdlog::warn("pgwire: closing {} connections forcibly", snapshot.size());
  for (auto& c : snapshot) asio::post(c->strand(), [c] { c->force_close(); });
}

bool ServerImpl::try_add_session() {
  size_t n = sessions.load();
  do {
    if (n >= options.max_connections) return false;
  } while (!sessions.compare_exchange_weak(n, n + 1));
  return true;
}

void ServerImpl::remove_connection(const std::shared_ptr<Connection>& conn, bool counted_session) {
  bool last = false;
  {
    std::lock_guard lk(mu);
    conns.erase(conn);
    auto it = by_pid.find(conn->pid());
    if (it != by_pid.end()) by_pid.erase(it);
    last = stopping && conns.empty();
  }
  if (counted_session) sessions.fetch_sub(1);
  if (last) asio::post(server_strand, [this] { grace_timer.cancel(); });
}

void ServerImpl::cancel(int32_t pid, int32_t secret) {
  std::shared_ptr<Connection> conn;
  {
    std::lock_guard lk(mu);
    auto it = by_pid.find(pid);
    if (it != by_pid.end()) conn = it->second.lock();
  }
  if (!conn) {
    spdlog::debug("pgwire: cancel request for unknown process {}", pid);
    return;
  }
  // Compare the secret through the connection so a wrong key reveals nothing about timing.
  conn->request_cancel_if(secret);
}

std::shared_ptr<Connection> ServerImpl::find_connection(int32_t pid) const {
  std::lock_guard lk(mu);
  auto it = by_pid.find(pid);
  return it == by_pid.end() ? nullptr : it->second.lock();
}

// The connections are copied out under `mu`, then each one's activity is read under its own lock: no
// connection waits for another, and one that closes meanwhile stays alive (shared_ptr) while it is read.
std::vector<BackendActivity> ServerImpl::activity() const {
  std::vector<std::shared_ptr<Connection>> snapshot;
  {
    std::lock_guard lk(mu);
    snapshot.reserve(by_pid.size());
    for (const auto& [pid, weak] : by_pid)
      if (auto conn = weak.lock()) snapshot.push_back(std::move(conn));
  }
  std::vector<BackendActivity> out;
  for (const auto& conn : snapshot)
    if (std::optional<BackendActivity> a = conn->activity()) out.push_back(std::move(*a));
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.pid < b.pid; });
  return out;
}

bool ServerImpl::cancel_backend(int32_t pid) {
  return signal_backend(pid, false);
}

bool ServerImpl::terminate_backend(int32_t pid) {
  return signal_backend(pid, true);
}

bool ServerImpl::signal_backend(int32_t pid, bool terminate) {
  std::shared_ptr<Connection> conn = find_connection(pid);
  if (!conn || !conn->activity()) return false;  // none, or its session is not open yet
  spdlog::debug("pgwire: {}({})", terminate ? "pg_terminate_backend" : "pg_cancel_backend", pid);
  if (terminate) {
    conn->terminate();
  } else {
    conn->cancel();
  }
  return true;
}

bool ServerImpl::backend_exists(int32_t pid) const {
  return find_connection(pid) != nullptr;
}

// ---------------------------------------------------------------------------------------------------

struct Server::Impl : ServerImpl {
  using ServerImpl::ServerImpl;
};

Server::Server(ServerOptions options, SessionFactory& factory)
    : impl_(std::make_unique<Impl>(std::move(options), factory)) {}
Server::~Server() = default;
void Server::start() {
  impl_->start();
}
void Server::run() {
  impl_->run();
}
void Server::stop() {
  impl_->request_stop();
}
uint16_t Server::port() const {
  return impl_->bound_port.load();
}

}  // namespace omendb::pgwire
