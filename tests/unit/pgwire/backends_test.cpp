// The server's backends (pgwire::Backends): what pg_stat_activity shows of each connection, and
// pg_cancel_backend / pg_terminate_backend, against the scripted session; readers race connections that
// open, run statements and close (the TSan build runs this).
#include <gtest/gtest.h>

#include "pgwire_test_support.h"

namespace omendb::pgwire::testing {
namespace {

using namespace std::chrono_literals;

std::optional<BackendActivity> find(Backends& b, int32_t pid) {
  for (BackendActivity& a : b.activity())
    if (a.pid == pid) return a;
  return std::nullopt;
}

TEST(PgwireBackends, ActivityCancelTerminate) {
  TestServer s;
  RawClient idle(s.port()), running(s.port()), in_block(s.port());
  idle.startup();
  running.startup();
  in_block.startup();
  Backends* b = s.factory.backends.load();
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(types_of(idle.query("ECHO x")), "TDCZ");
  EXPECT_EQ(types_of(in_block.query("BEGIN")), "CZ");
  running.send(query_message("SLEEP 30000"));
  ASSERT_TRUE(wait_until([&] { return s.factory.counters.sleeping == 1; }));

  std::optional<BackendActivity> a = find(*b, idle.pid);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->state, "idle");
  EXPECT_EQ(a->query, "ECHO x");
  EXPECT_EQ(a->user, "tester");
  EXPECT_EQ(a->database, "testdb");
  EXPECT_EQ(a->application_name, "rawtest");
  EXPECT_EQ(a->client_address, "127.0.0.1");
  EXPECT_GT(a->client_port, 0);
  EXPECT_FALSE(a->xact_start);
  ASSERT_TRUE(a->query_start && a->state_change);
  EXPECT_LE(a->backend_start, *a->query_start);
  a = find(*b, running.pid);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->state, "active");
  EXPECT_EQ(a->query, "SLEEP 30000");
  EXPECT_TRUE(a->xact_start);
  a = find(*b, in_block.pid);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->state, "idle in transaction");
  EXPECT_TRUE(a->xact_start);

  // Cancel: the running statement ends with 57014, the connection goes on.
  EXPECT_TRUE(b->cancel_backend(running.pid));
  auto r = running.read_until_ready();
  ASSERT_EQ(types_of(r), "EZ");
  EXPECT_EQ(r[0].sqlstate(), "57014");
  EXPECT_EQ(types_of(running.query("SELECT 1")), "TDCZ");

  // Terminate an idle connection: FATAL 57P01 at once, then the connection closes and leaves the list.
  EXPECT_TRUE(b->terminate_backend(in_block.pid));
  auto m = in_block.read_msg();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->type, 'E');
  EXPECT_EQ(m->fields()['S'], "FATAL");
  EXPECT_EQ(m->sqlstate(), "57P01");
  EXPECT_EQ(m->fields()['M'], "terminating connection due to administrator command");
  EXPECT_TRUE(in_block.wait_closed());
  EXPECT_TRUE(wait_until([&] { return !b->backend_exists(in_block.pid); }));
  EXPECT_FALSE(find(*b, in_block.pid));

  // Terminate a running statement: FATAL 57P01 instead of an ERROR and ReadyForQuery.
  running.send(query_message("SLEEP 30000"));
  ASSERT_TRUE(wait_until([&] { return s.factory.counters.sleeping == 1; }));
  EXPECT_TRUE(b->terminate_backend(running.pid));
  m = running.read_msg();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->type, 'E');
  EXPECT_EQ(m->fields()['S'], "FATAL");
  EXPECT_EQ(m->sqlstate(), "57P01");
  EXPECT_TRUE(running.wait_closed());

  EXPECT_FALSE(b->cancel_backend(2147483647));
  EXPECT_FALSE(b->terminate_backend(2147483647));
  EXPECT_FALSE(b->backend_exists(2147483647));
  EXPECT_TRUE(wait_until([&] { return s.factory.counters.destroyed == 2; }));
}

TEST(PgwireBackends, ReadersRaceConnections) {
  TestServer s;
  RawClient first(s.port());
  first.startup();
  Backends* b = s.factory.backends.load();
  ASSERT_NE(b, nullptr);
  std::atomic<bool> stop{false};
  std::atomic<long> rows{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < 3; ++i)
    readers.emplace_back([&] {
      while (!stop.load()) {
        for (const BackendActivity& a : b->activity()) {
          EXPECT_GT(a.pid, 0);
          EXPECT_FALSE(a.state.empty());
          rows++;
        }
        b->cancel_backend(first.pid);  // idle: changes nothing
      }
    });
  std::vector<std::thread> clients;
  for (int i = 0; i < 4; ++i)
    clients.emplace_back([&, i] {
      for (int k = 0; k < 20; ++k) {
        RawClient c(s.port());
        c.startup();
        EXPECT_EQ(types_of(c.query("ECHO " + std::to_string(i * 100 + k))), "TDCZ");
        EXPECT_EQ(types_of(c.query("BEGIN; SELECT 1")), "CTDCZ");
        if (k % 5 == 0) {
          EXPECT_TRUE(b->terminate_backend(c.pid));
          EXPECT_TRUE(c.wait_closed());
        }
      }
    });
  for (auto& t : clients) t.join();
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_GT(rows.load(), 0);
  EXPECT_EQ(types_of(first.query("SELECT 2")), "TDCZ");
}

}  // namespace
}  // namespace omendb::pgwire::testing
