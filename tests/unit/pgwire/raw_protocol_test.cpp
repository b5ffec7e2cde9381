// The server driven with hand-written protocol bytes: startup variants, framing errors, pipelining.
#include <gtest/gtest.h>

#include "pgwire_test_support.h"

namespace omendb::pgwire::testing {
namespace {

// The server must keep serving after whatever a previous connection did.
void expect_server_serves(uint16_t port) {
  RawClient c(port);
  ASSERT_TRUE(c.connected());
  auto msgs = c.startup();
  ASSERT_FALSE(msgs.empty());
  ASSERT_EQ(msgs.back().type, 'Z');
  auto r = c.query("SELECT 42");
  ASSERT_EQ(types_of(r), "TDCZ");
  EXPECT_NE(r[1].body.find("42"), std::string::npos);
}

TEST(PgwireRaw, StartupSendsParametersKeyAndReady) {
  TestServer s;
  RawClient c(s.port());
  auto msgs = c.startup("bob", "inventory");
  ASSERT_GE(msgs.size(), 3u);
  EXPECT_EQ(msgs.front().type, 'R');
  EXPECT_EQ(get_i32(msgs.front().body.data()), 0);  // AuthenticationOk
  std::map<std::string, std::string> params;
  for (const auto& m : msgs) {
    if (m.type != 'S') continue;
    std::string name = m.body.c_str();
    params[name] = m.body.c_str() + name.size() + 1;
  }
  EXPECT_TRUE(params["server_version"].starts_with("15."));
  EXPECT_EQ(params["server_encoding"], "UTF8");
  EXPECT_EQ(params["client_encoding"], "UTF8");
  EXPECT_EQ(params["DateStyle"], "ISO, MDY");
  EXPECT_EQ(params["integer_datetimes"], "on");
  EXPECT_EQ(params["standard_conforming_strings"], "on");
  EXPECT_EQ(params["TimeZone"], "UTC");
  EXPECT_EQ(params["application_name"], "rawtest");
  EXPECT_EQ(params["session_authorization"], "bob");
  EXPECT_EQ(params["is_superuser"], "on");
  ASSERT_NE(find_type(msgs, 'K'), nullptr);
  EXPECT_NE(c.pid, 0);
  EXPECT_EQ(msgs.back().body, "I");
  EXPECT_EQ(s.factory.last_user(), "bob");
  EXPECT_EQ(s.factory.last_database(), "inventory");
  EXPECT_EQ(s.factory.counters.opened, 1);
}

TEST(PgwireRaw, DatabaseDefaultsToUser) {
  TestServer s;
  RawClient c(s.port());
  c.send(startup_packet({{"user", "carol"}}));
  auto msgs = c.read_until_ready();
  ASSERT_FALSE(msgs.empty());
  EXPECT_EQ(msgs.back().type, 'Z');
  EXPECT_EQ(s.factory.last_database(), "carol");
}

TEST(PgwireRaw, SslAndGssRequestsAnsweredN) {
  TestServer s;
  RawClient c(s.port());
  std::string ssl;
  put_i32(ssl, 8);
  put_i32(ssl, (1234 << 16) | 5679);
  c.send(ssl);
  EXPECT_EQ(c.read_byte(), 'N');
  std::string gss;
  put_i32(gss, 8);
  put_i32(gss, (1234 << 16) | 5680);
  c.send(gss);
  EXPECT_EQ(c.read_byte(), 'N');
  auto msgs = c.startup();
  ASSERT_FALSE(msgs.empty());
  EXPECT_EQ(msgs.back().type, 'Z');
  EXPECT_EQ(types_of(c.query("SELECT 1")), "TDCZ");
}

TEST(PgwireRaw, DataPipelinedAfterSslRequestIsRejected) {
  TestServer s;
  RawClient c(s.port());
  std::string ssl;
  put_i32(ssl, 8);
  put_i32(ssl, (1234 << 16) | 5679);
  c.send(ssl + startup_packet({{"user", "x"}}));
  EXPECT_EQ(c.read_byte(), 'N');
  auto m = c.read_msg();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->type, 'E');
  EXPECT_EQ(m->sqlstate(), "08P01");
  EXPECT_TRUE(c.wait_closed());
}

TEST(PgwireRaw, OldProtocolVersionRejected) {
  TestServer s;
  RawClient c(s.port());
  c.send(startup_packet({{"user", "x"}}, 2 << 16));
  auto m = c.read_msg();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->type, 'E');
  EXPECT_EQ(m->fields()['S'], "FATAL");
  EXPECT_EQ(m->sqlstate(), "0A000");
  EXPECT_TRUE(c.wait_closed());
  expect_server_serves(s.port());
}

TEST(PgwireRaw, NewerMinorVersionNegotiatedDown) {
  TestServer s;
  RawClient c(s.port());
  c.send(startup_packet({{"user", "x"}, {"_pq_.fancy", "1"}}, (3 << 16) | 2));
  auto msgs = c.read_until_ready();
  ASSERT_FALSE(msgs.empty());
  EXPECT_EQ(msgs.front().type, 'v');
  EXPECT_EQ(get_i32(msgs.front().body.data()), 0);
  EXPECT_EQ(get_i32(msgs.front().body.data() + 4), 1);
  EXPECT_EQ(std::string(msgs.front().body.c_str() + 8), "_pq_.fancy");
  EXPECT_EQ(msgs.back().type, 'Z');
}

TEST(PgwireRaw, MissingUserRejected) {
  TestServer s;
  RawClient c(s.port());
  c.send(startup_packet({{"database", "x"}}));
  auto m = c.read_msg();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->sqlstate(), "28000");
  EXPECT_TRUE(c.wait_closed());
}

TEST(PgwireRaw, FactoryRefusalIsFatal) {
  TestServer s;
  RawClient c(s.port());
  auto msgs = c.startup("baduser");
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].type, 'E');
  EXPECT_EQ(msgs[0].fields()['S'], "FATAL");
  EXPECT_EQ(msgs[0].sqlstate(), "28000");
  EXPECT_TRUE(c.wait_closed());
  expect_server_serves(s.port());
}

TEST(PgwireRaw, GarbageBeforeStartup) {
  TestServer s;
  RawClient c(s.port());
  c.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
  auto m = c.read_msg();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->type, 'E');
  EXPECT_EQ(m->sqlstate(), "08P01");
  EXPECT_TRUE(c.wait_closed());
  expect_server_serves(s.port());
}

TEST(PgwireRaw, OversizedStartupPacketRejected) {
  TestServer s;
  RawClient c(s.port());
  std::string big = startup_packet({{"user", "x"}, {"options", std::string(20000, 'a')}});
  c.send(big.substr(0, 8));  // the length alone is enough to refuse
  auto m = c.read_msg();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->sqlstate(), "08P01");
  EXPECT_TRUE(c.wait_closed());
}

TEST(PgwireRaw, TinyStartupLengthRejected) {
  TestServer s;
  RawClient c(s.port());
  std::string p;
  put_i32(p, 3);
  c.send(p);
  auto m = c.read_msg();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->sqlstate(), "08P01");
  EXPECT_TRUE(c.wait_closed());
}

TEST(PgwireRaw, UnterminatedStartupRejected) {
  TestServer s;
  RawClient c(s.port());
  std::string body;
  put_i32(body, 3 << 16);
  body += std::string("user\0x", 6);  // no terminators
  std::string p;
  put_i32(p, static_cast<int32_t>(body.size() + 4));
  c.send(p + body);
  auto m = c.read_msg();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->sqlstate(), "08P01");
  EXPECT_TRUE(c.wait_closed());
}

TEST(PgwireRaw, AbsurdMessageLengthClosesWithoutAllocating) {
  TestServer s;
  RawClient c(s.port());
  c.startup();
  std::string p(1, 'Q');
  put_i32(p, 0x7fffffff);
  c.send(p + "SELECT");
  auto m = c.read_msg();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->type, 'E');
  EXPECT_EQ(m->fields()['S'], "FATAL");
  EXPECT_EQ(m->sqlstate(), "54000");
  EXPECT_TRUE(c.wait_closed());
  EXPECT_TRUE(wait_until([&] { return s.factory.counters.destroyed == 1; }));
  expect_server_serves(s.port());
}

TEST(PgwireRaw, ConfiguredMessageLimitApplies) {
  ServerOptions o = TestServer::make_options();
  o.max_message_bytes = 64 * 1024;
  TestServer s(o);
  RawClient c(s.port());
  c.startup();
  // Just under the limit works, even though it needs several reads.
  std::string text(60 * 1024, 'x');
  auto r = c.query("ECHO " + text);
  ASSERT_EQ(types_of(r), "TDCZ");
  EXPECT_EQ(r[1].body.size(), 2 + 4 + text.size());
  // Over the limit: 54000 and close.
  c.send(query_message("ECHO " + std::string(70 * 1024, 'y')));
  auto m = c.read_msg();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->sqlstate(), "54000");
  EXPECT_TRUE(c.wait_closed());
}

TEST(PgwireRaw, MessageLengthBelowFour) {
  TestServer s;
  RawClient c(s.port());
  c.startup();
  std::string p(1, 'Q');
  put_i32(p, 2);
  c.send(p);
  auto m = c.read_msg();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->sqlstate(), "08P01");
  EXPECT_TRUE(c.wait_closed());
  expect_server_serves(s.port());
}

TEST(PgwireRaw, UnknownMessageType) {
  TestServer s;
  RawClient c(s.port());
  c.startup();
  c.send(message('~', "abc"));
  auto m = c.read_msg();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->type, 'E');
  EXPECT_EQ(m->sqlstate(), "08P01");
  EXPECT_TRUE(c.wait_closed());
  expect_server_serves(s.port());
}

TEST(PgwireRaw, QueryWithoutTerminatorIsProtocolViolation) {
  TestServer s;
  RawClient c(s.port());
  c.startup();
  c.send(message('Q', "SELECT 1"));
  auto m = c.read_msg();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->sqlstate(), "08P01");
  EXPECT_TRUE(c.wait_closed());
}

TEST(PgwireRaw, SimpleQueryResults) {
  TestServer s;
  RawClient c(s.port());
  c.startup();
  auto r = c.query("SELECT 7; NULLS; NOTICE");
  ASSERT_EQ(types_of(r), "TDCTDCNCZ");
  EXPECT_EQ(std::string(r[2].body.c_str()), "SELECT 1");
  // NULLS row: 2 columns, second is -1.
  const std::string& row = r[4].body;
  ASSERT_EQ(row.size(), 2u + 4 + 1 + 4);
  EXPECT_EQ(get_i32(row.data() + 7), -1);
  EXPECT_EQ(r[6].fields()['S'], "NOTICE");
  EXPECT_EQ(r[6].fields()['M'], "hello notice");
  // Empty query.
  EXPECT_EQ(types_of(c.query("")), "IZ");
}

TEST(PgwireRaw, ErrorResponseFieldsAndRecovery) {
  TestServer s;
  RawClient c(s.port());
  c.startup();
  auto r = c.query("SELECT 1; ERROR; SELECT 2");
  ASSERT_EQ(types_of(r), "TDCEZ");  // later statements do not run
  auto f = r[3].fields();
  EXPECT_EQ(f['S'], "ERROR");
  EXPECT_EQ(f['V'], "ERROR");
  EXPECT_EQ(f['C'], "42P01");
  EXPECT_EQ(f['M'], "relation \"x\" does not exist");
  EXPECT_EQ(f['D'], "d");
  EXPECT_EQ(f['H'], "h");
  EXPECT_EQ(f['P'], "5");
  auto t = c.query("THROW");
  ASSERT_EQ(types_of(t), "EZ");
  EXPECT_EQ(t[0].sqlstate(), "XX000");
  EXPECT_EQ(t[0].fields()['M'], "boom");
  EXPECT_EQ(types_of(c.query("SELECT 3")), "TDCZ");
}

TEST(PgwireRaw, TransactionStatusInReadyForQuery) {
  TestServer s;
  RawClient c(s.port());
  c.startup();
  auto r = c.query("BEGIN");
  ASSERT_EQ(types_of(r), "CZ");
  EXPECT_EQ(r.back().body, "T");
  EXPECT_EQ(c.query("COMMIT").back().body, "I");
}

TEST(PgwireRaw, ExtendedProtocolRejectedUntilSync) {
  TestServer s;
  RawClient c(s.port());
  c.startup();
  std::string parse = message('P', std::string("\0SELECT 1\0\0\0", 12));
  std::string bind = message('B', std::string("\0\0\0\0\0\0\0\0", 8));
  std::string execute = message('E', std::string("\0\0\0\0\0", 5));
  std::string sync = message('S', "");
  c.send(parse + bind + message('D', std::string("P\0", 2)) + execute + query_message("SELECT 9") + sync);
  auto r = c.read_until_ready();
  ASSERT_EQ(types_of(r), "EZ");  // one error; everything up to Sync (even the Q) discarded
  EXPECT_EQ(r[0].sqlstate(), "0A000");
  EXPECT_EQ(r[0].fields()['M'], "extended query protocol is not supported yet");
  EXPECT_EQ(types_of(c.query("SELECT 5")), "TDCZ");
  // A lone Sync answers ReadyForQuery; Flush answers nothing.
  c.send(message('H', "") + sync);
  EXPECT_EQ(types_of(c.read_until_ready()), "Z");
}

TEST(PgwireRaw, FunctionCallAndStrayCopyMessages) {
  TestServer s;
  RawClient c(s.port());
  c.startup();
  c.send(message('F', std::string(10, '\0')));
  auto r = c.read_until_ready();
  ASSERT_EQ(types_of(r), "EZ");
  EXPECT_EQ(r[0].sqlstate(), "0A000");
  c.send(message('d', "stray") + message('c', "") + message('f', std::string("x\0", 2)));
  EXPECT_EQ(types_of(c.query("SELECT 1")), "TDCZ");
}

TEST(PgwireRaw, PipelinedQueriesAnsweredInOrder) {
  TestServer s;
  RawClient c(s.port());
  c.startup();
  c.send(query_message("SLEEP 100") + query_message("SELECT 2") + query_message("ERROR") +
         query_message("SELECT 3"));
  auto a = c.read_until_ready();
  EXPECT_EQ(types_of(a), "CZ");
  EXPECT_EQ(std::string(a[0].body.c_str()), "SLEEP");
  auto b = c.read_until_ready();
  ASSERT_EQ(types_of(b), "TDCZ");
  EXPECT_NE(b[1].body.find('2'), std::string::npos);
  EXPECT_EQ(types_of(c.read_until_ready()), "EZ");
  auto d = c.read_until_ready();
  ASSERT_EQ(types_of(d), "TDCZ");
  EXPECT_NE(d[1].body.find('3'), std::string::npos);
}

TEST(PgwireRaw, MessagesSplitAcrossWrites) {
  TestServer s;
  RawClient c(s.port());
  std::string all = startup_packet({{"user", "x"}}) + query_message("SELECT 77");
  for (char ch : all) {
    c.send(std::string_view(&ch, 1));
  }
  auto msgs = c.read_until_ready();
  ASSERT_FALSE(msgs.empty());
  EXPECT_EQ(msgs.back().type, 'Z');
  auto r = c.read_until_ready();
  ASSERT_EQ(types_of(r), "TDCZ");
}

TEST(PgwireRaw, TerminateClosesAndDestroysSession) {
  TestServer s;
  RawClient c(s.port());
  c.startup();
  c.send(message('X', ""));
  EXPECT_TRUE(c.wait_closed());
  EXPECT_TRUE(wait_until([&] { return s.factory.counters.destroyed == 1; }));
}

TEST(PgwireRaw, LargeResultIsStreamedCompletely) {
  TestServer s;
  RawClient c(s.port());
  c.startup();
  c.send(query_message("ROWS 200000"));
  long rows = 0;
  std::string tag;
  for (;;) {
    auto m = c.read_msg();
    ASSERT_TRUE(m);
    if (m->type == 'D') ++rows;
    if (m->type == 'C') tag = m->body.c_str();
    if (m->type == 'Z') break;
  }
  EXPECT_EQ(rows, 200000);
  EXPECT_EQ(tag, "SELECT 200000");
}

TEST(PgwireRaw, SlowReaderGetsBackPressure) {
  TestServer s;
  RawClient c(s.port(), 20000);
  c.startup();
  const long n = 3000000;  // ~50 MB on the wire
  c.send(query_message("ROWS " + std::to_string(n)));
  // While the client reads nothing the worker must stall once the socket and our queue are full.
  long last = -1;
  bool stable = wait_until(
      [&] {
        long now = s.factory.counters.rows_emitted.load();
        if (now == last && now > 0) return true;
        last = now;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        return false;
      },
      std::chrono::seconds(20));
  EXPECT_TRUE(stable);
  EXPECT_LT(last, n) << "the worker should block while the client does not read";
  long rows = 0;
  for (;;) {
    auto m = c.read_msg();
    ASSERT_TRUE(m);
    if (m->type == 'D') ++rows;
    if (m->type == 'Z') break;
  }
  EXPECT_EQ(rows, n);
}

}  // namespace
}  // namespace omendb::pgwire::testing
