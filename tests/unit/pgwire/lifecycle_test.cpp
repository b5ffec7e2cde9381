// Cancellation, disconnects, shutdown and connection limits.
#include <gtest/gtest.h>

#include "pgwire_test_support.h"

namespace omendb::pgwire::testing {
namespace {

using namespace std::chrono_literals;

TEST(PgwireLifecycle, CancelRequestSetsTheFlag) {
  TestServer s;
  RawClient c(s.port());
  c.startup();
  c.send(query_message("SLEEP 30000"));
  ASSERT_TRUE(wait_until([&] { return s.factory.counters.sleeping == 1; }));
  {  // wrong secret: ignored
    RawClient x(s.port());
    x.send(cancel_packet(c.pid, c.secret + 1));
    EXPECT_TRUE(x.wait_closed());
  }
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(s.factory.counters.sleeping, 1);
  {
    RawClient x(s.port());
    x.send(cancel_packet(c.pid, c.secret));
    EXPECT_TRUE(x.wait_closed());  // no answer, just close
  }
  auto r = c.read_until_ready();
  ASSERT_EQ(types_of(r), "EZ");
  EXPECT_EQ(r[0].sqlstate(), "57014");
  EXPECT_EQ(s.factory.counters.canceled, 1);
  // The flag is reset for the next query.
  EXPECT_EQ(types_of(c.query("SLEEP 20")), "CZ");
}

TEST(PgwireLifecycle, CancelWhileIdleDoesNotAffectNextQuery) {
  TestServer s;
  RawClient c(s.port());
  c.startup();
  {
    RawClient x(s.port());
    x.send(cancel_packet(c.pid, c.secret));
    EXPECT_TRUE(x.wait_closed());
  }
  EXPECT_EQ(types_of(c.query("SLEEP 20")), "CZ");
}

TEST(PgwireLifecycle, DisconnectDuringSlowQuery) {
  TestServer s;
  {
    RawClient c(s.port());
    c.startup();
    c.send(query_message("SLEEP 30000"));
    ASSERT_TRUE(wait_until([&] { return s.factory.counters.sleeping == 1; }));
  }  // closes the socket mid-query
  EXPECT_TRUE(wait_until([&] { return s.factory.counters.canceled == 1; }));
  EXPECT_TRUE(wait_until([&] { return s.factory.counters.destroyed == 1; }));
  EXPECT_EQ(s.factory.counters.use_after_destroy, 0);
  RawClient c2(s.port());
  c2.startup();
  EXPECT_EQ(types_of(c2.query("SELECT 1")), "TDCZ");
}

TEST(PgwireLifecycle, DisconnectDuringLargeResult) {
  TestServer s;
  {
    RawClient c(s.port());
    c.startup();
    c.send(query_message("ROWS 100000000"));
    ASSERT_TRUE(wait_until([&] { return s.factory.counters.rows_emitted > 1000; }));
    c.read_msg();
  }
  EXPECT_TRUE(wait_until([&] { return s.factory.counters.canceled == 1; }));
  EXPECT_TRUE(wait_until([&] { return s.factory.counters.destroyed == 1; }));
  RawClient c2(s.port());
  c2.startup();
  EXPECT_EQ(types_of(c2.query("SELECT 1")), "TDCZ");
}

TEST(PgwireLifecycle, StopWithIdleConnection) {
  TestServer s;
  RawClient c(s.port());
  c.startup();
  auto elapsed = s.stop_and_join();
  EXPECT_LT(elapsed, 1500ms);
  auto m = c.read_msg();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->type, 'E');
  EXPECT_EQ(m->fields()['S'], "FATAL");
  EXPECT_EQ(m->sqlstate(), "57P01");
  EXPECT_EQ(m->fields()['M'], "terminating connection due to administrator command");
  EXPECT_TRUE(c.wait_closed());
  EXPECT_EQ(s.factory.counters.destroyed, 1);
  // No longer accepting.
  RawClient late(s.port(), 1000);
  EXPECT_FALSE(late.connected() && late.startup().size() > 1);
}

TEST(PgwireLifecycle, StopWithRunningQuery) {
  TestServer s;
  RawClient c(s.port());
  c.startup();
  c.send(query_message("SLEEP 60000"));
  ASSERT_TRUE(wait_until([&] { return s.factory.counters.sleeping == 1; }));
  auto elapsed = s.stop_and_join();
  EXPECT_LT(elapsed, 1500ms);
  EXPECT_EQ(s.factory.counters.canceled, 1);
  EXPECT_EQ(s.factory.counters.destroyed, 1);
  // As PostgreSQL's fast shutdown ends a running statement: FATAL 57P01 and the connection closes, with
  // no ERROR 57014 and no ReadyForQuery before it.
  auto m = c.read_msg();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->type, 'E');
  EXPECT_EQ(m->fields()['S'], "FATAL");
  EXPECT_EQ(m->sqlstate(), "57P01");
  EXPECT_EQ(m->fields()['M'], "terminating connection due to administrator command");
  EXPECT_TRUE(c.wait_closed());
}

TEST(PgwireLifecycle, StopWithClientThatDoesNotRead) {
  TestServer s;
  RawClient c(s.port());
  c.startup();
  c.send(query_message("ROWS 100000000"));
  long last = -1;
  ASSERT_TRUE(wait_until(
      [&] {
        long now = s.factory.counters.rows_emitted.load();
        if (now == last && now > 0) return true;
        last = now;
        std::this_thread::sleep_for(200ms);
        return false;
      },
      20s));
  // The worker is blocked on back-pressure; stop still finishes (forcibly after the grace period).
  auto elapsed = s.stop_and_join();
  EXPECT_LT(elapsed, 4000ms);
  EXPECT_EQ(s.factory.counters.destroyed, 1);
  EXPECT_EQ(s.factory.counters.use_after_destroy, 0);
}

// A client that sends a query and reads nothing: once its results have waited send_timeout, the
// statement fails with 57014 (freeing its worker), after the rows already queued; the session goes on
// and other clients are served meanwhile.
TEST(PgwireLifecycle, SendTimeoutCancelsTheStatementOfAClientThatDoesNotRead) {
  ServerOptions opts = TestServer::make_options();
  opts.send_timeout = 300ms;
  TestServer s(opts);
  RawClient c(s.port(), 20000);
  c.startup();
  const long n = 100000000;
  c.send(query_message("ROWS " + std::to_string(n)));
  // The worker stalls once the socket and the output queue are full; send_timeout later fails the row
  // it is sending.
  ASSERT_TRUE(wait_until([&] { return s.factory.counters.row_sends_failed.load() == 1; }, 30s));
  RawClient other(s.port());
  other.startup();
  EXPECT_NE(find_type(other.query("SELECT 7"), 'D'), nullptr);
  long rows = 0;
  std::optional<Msg> error;
  for (;;) {
    auto m = c.read_msg();
    ASSERT_TRUE(m);
    if (m->type == 'D') ++rows;
    if (m->type == 'E') error = *m;
    if (m->type == 'Z') break;
  }
  EXPECT_LT(rows, n);
  // The row whose chunk failed is still sent (push_from_worker), though data_row threw for it.
  const long emitted = s.factory.counters.rows_emitted.load();
  EXPECT_GE(rows, emitted);
  EXPECT_LE(rows, emitted + 1);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->sqlstate(), "57014");
  EXPECT_NE(error->fields()['M'].find("send_timeout"), std::string::npos) << error->fields()['M'];
  EXPECT_NE(find_type(c.query("SELECT 1"), 'D'), nullptr);
}

TEST(PgwireLifecycle, StopIsIdempotentAndWorksWithoutClients) {
  TestServer s;
  EXPECT_LT(s.stop_and_join(), 500ms);
  EXPECT_TRUE(s.returned());
  s.stop_and_join();
}

TEST(PgwireLifecycle, StopBeforeRunAndDestroyWithoutRun) {
  TestFactory f;
  ServerOptions o;
  o.port = 0;
  o.worker_threads = 1;
  {
    Server server(o, f);
    server.start();
    EXPECT_NE(server.port(), 0);
    server.stop();
    server.stop();
    server.run();  // returns at once
  }
  {
    Server server(o, f);
    server.start();
  }  // destructor alone shuts down
}

TEST(PgwireLifecycle, BindFailureThrows) {
  TestServer s;
  TestFactory f;
  ServerOptions o;
  o.port = s.port();
  o.worker_threads = 1;
  Server other(o, f);
  EXPECT_THROW(other.start(), std::runtime_error);
}

TEST(PgwireLifecycle, TooManyConnections) {
  ServerOptions o = TestServer::make_options();
  o.max_connections = 2;
  TestServer s(o);
  auto a = std::make_unique<RawClient>(s.port());
  RawClient b(s.port());
  ASSERT_EQ(a->startup().back().type, 'Z');
  ASSERT_EQ(b.startup().back().type, 'Z');
  {
    RawClient c(s.port());
    auto msgs = c.startup();
    ASSERT_EQ(msgs.size(), 1u);
    EXPECT_EQ(msgs[0].sqlstate(), "53300");
    EXPECT_EQ(msgs[0].fields()['M'], "sorry, too many clients already");
    EXPECT_TRUE(c.wait_closed());
  }
  // Cancel requests are not sessions and still work at the limit.
  b.send(query_message("SLEEP 30000"));
  ASSERT_TRUE(wait_until([&] { return s.factory.counters.sleeping == 1; }));
  {
    RawClient x(s.port());
    x.send(cancel_packet(b.pid, b.secret));
    x.wait_closed();
  }
  EXPECT_EQ(b.read_until_ready().front().sqlstate(), "57014");
  a.reset();
  EXPECT_TRUE(wait_until([&] { return s.factory.counters.destroyed == 1; }));
  RawClient d(s.port());
  EXPECT_EQ(d.startup().back().type, 'Z');
}

void many_idle_connections(size_t io_threads) {
  ServerOptions o = TestServer::make_options();
  o.io_threads = io_threads;
  TestServer s(o);
  constexpr int kClients = 200;
  std::vector<std::unique_ptr<RawClient>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<RawClient>(s.port()));
    ASSERT_TRUE(clients.back()->connected());
    clients.back()->send(startup_packet({{"user", "u" + std::to_string(i)}}));
  }
  for (auto& c : clients) {
    auto msgs = c->read_until_ready();
    ASSERT_FALSE(msgs.empty());
    ASSERT_EQ(msgs.back().type, 'Z');
  }
  EXPECT_EQ(s.factory.counters.opened, kClients);
  for (int i = 0; i < kClients; ++i) clients[i]->send(query_message("SELECT " + std::to_string(i)));
  for (int i = 0; i < kClients; ++i) {
    auto r = clients[i]->read_until_ready();
    ASSERT_EQ(types_of(r), "TDCZ");
    EXPECT_NE(r[1].body.find(std::to_string(i)), std::string::npos);
  }
  // Stop with all of them idle.
  EXPECT_LT(s.stop_and_join(), 2000ms);
  EXPECT_EQ(s.factory.counters.destroyed, kClients);
  for (auto& c : clients) {
    auto m = c->read_msg();
    ASSERT_TRUE(m);
    EXPECT_EQ(m->sqlstate(), "57P01");
  }
}

TEST(PgwireLifecycle, TwoHundredIdleConnections) {
  many_idle_connections(1);
}
TEST(PgwireLifecycle, TwoHundredIdleConnectionsTwoIoThreads) {
  many_idle_connections(2);
}

}  // namespace
}  // namespace omendb::pgwire::testing
