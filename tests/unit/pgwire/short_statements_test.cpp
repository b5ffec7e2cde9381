// Short statements on the connection's I/O thread (server.cpp, ResultWriter::on_io_thread): the scripted
// session runs a lone "SELECT <n>" there and sends everything else to the worker pool (RunOnWorker).
#include <gtest/gtest.h>

#include "pgwire_test_support.h"

namespace omendb::pgwire::testing {
namespace {

using namespace std::chrono_literals;

TEST(PgwireShortStatements, ShortRunsOnIoThreadOthersOnPool) {
  TestServer s;
  RawClient c(s.port());
  c.startup();
  auto r = c.query("SELECT 5");
  ASSERT_EQ(types_of(r), "TDCZ");
  EXPECT_NE(r[1].body.find('5'), std::string::npos);
  EXPECT_EQ(s.factory.counters.io_thread_runs, 1);
  // Two statements, or one that is not short: the pool, with the same answers.
  EXPECT_EQ(types_of(c.query("SELECT 1; SELECT 2")), "TDCTDCZ");
  EXPECT_EQ(types_of(c.query("ECHO x")), "TDCZ");
  EXPECT_EQ(types_of(c.query("select 1")), "EZ");  // tried there (any case), refused, failed on the pool
  EXPECT_EQ(s.factory.counters.io_thread_runs, 1);
}

TEST(PgwireShortStatements, PipelinedShortAndLongStatementsAnsweredInOrder) {
  TestServer s;
  RawClient c(s.port());
  c.startup();
  // More short statements than one turn of the strand runs, around a statement for the pool.
  std::string batch;
  for (int i = 0; i < 40; ++i) batch += query_message("SELECT " + std::to_string(i));
  batch += query_message("SLEEP 50") + query_message("ERROR");
  for (int i = 40; i < 80; ++i) batch += query_message("SELECT " + std::to_string(i));
  c.send(batch);
  for (int i = 0; i < 40; ++i) {
    auto r = c.read_until_ready();
    ASSERT_EQ(types_of(r), "TDCZ");
    EXPECT_NE(r[1].body.find(std::to_string(i)), std::string::npos);
  }
  EXPECT_EQ(types_of(c.read_until_ready()), "CZ");
  EXPECT_EQ(types_of(c.read_until_ready()), "EZ");
  for (int i = 40; i < 80; ++i) {
    auto r = c.read_until_ready();
    ASSERT_EQ(types_of(r), "TDCZ");
    EXPECT_NE(r[1].body.find(std::to_string(i)), std::string::npos);
  }
  EXPECT_EQ(s.factory.counters.io_thread_runs, 80);
}

// One I/O thread: a long statement on one connection (on the pool) never delays another connection's
// short statements, and a client pipelining many short statements leaves room for the others.
TEST(PgwireShortStatements, LongQueryDoesNotDelayShortOnesOnAnotherConnection) {
  TestServer s;
  RawClient slow(s.port());
  slow.startup();
  RawClient busy(s.port());
  busy.startup();
  RawClient c(s.port());
  c.startup();
  slow.send(query_message("SLEEP 3000"));
  ASSERT_TRUE(wait_until([&] { return s.factory.counters.sleeping == 1; }));
  std::string many;
  for (int i = 0; i < 2000; ++i) many += query_message("SELECT 1");
  busy.send(many);
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 200; ++i) ASSERT_EQ(types_of(c.query("SELECT 7")), "TDCZ");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2000ms);
  EXPECT_EQ(s.factory.counters.sleeping, 1);  // the long one still runs
  for (int i = 0; i < 2000; ++i) ASSERT_EQ(types_of(busy.read_until_ready()), "TDCZ");
  EXPECT_EQ(types_of(slow.read_until_ready()), "CZ");
}

// A cancel request that arrives around short statements cancels nothing that comes after them, and a
// long statement after short ones is still canceled.
TEST(PgwireShortStatements, CancelAroundShortStatements) {
  TestServer s;
  RawClient c(s.port());
  c.startup();
  for (int i = 0; i < 20; ++i) {
    c.send(query_message("SELECT 1"));
    {
      RawClient x(s.port());
      x.send(cancel_packet(c.pid, c.secret));
      EXPECT_TRUE(x.wait_closed());
    }
    EXPECT_EQ(types_of(c.read_until_ready()), "TDCZ");
  }
  EXPECT_EQ(types_of(c.query("SLEEP 20")), "CZ");
  c.send(query_message("SELECT 2") + query_message("SLEEP 30000"));
  EXPECT_EQ(types_of(c.read_until_ready()), "TDCZ");
  ASSERT_TRUE(wait_until([&] { return s.factory.counters.sleeping == 1; }));
  {
    RawClient x(s.port());
    x.send(cancel_packet(c.pid, c.secret));
    EXPECT_TRUE(x.wait_closed());
  }
  auto r = c.read_until_ready();
  ASSERT_EQ(types_of(r), "EZ");
  EXPECT_EQ(r[0].sqlstate(), "57014");
  EXPECT_EQ(types_of(c.query("SELECT 3")), "TDCZ");
}

// A client that reads none of its results: short statements stop running on the I/O thread once its
// unsent output passes the limit (the pool's back-pressure applies instead), and the server stays
// responsive to others.
TEST(PgwireShortStatements, ClientThatDoesNotReadGetsNoIoThreadTime) {
  TestServer s;
  RawClient lazy(s.port());
  lazy.startup();
  std::string big(4000, 'x');
  std::string many;
  for (int i = 0; i < 3000; ++i) many += query_message("SELECT " + big);
  std::thread writer([&] { lazy.send(many); });
  RawClient c(s.port());
  c.startup();
  for (int i = 0; i < 50; ++i) ASSERT_EQ(types_of(c.query("SELECT 1")), "TDCZ");
  int ran = 0;
  for (int i = 0; i < 3000; ++i) {
    auto r = lazy.read_until_ready();
    ASSERT_EQ(types_of(r), "TDCZ");
    ++ran;
  }
  writer.join();
  EXPECT_EQ(ran, 3000);
}

}  // namespace
}  // namespace omendb::pgwire::testing
