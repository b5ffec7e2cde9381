// Real client libraries (libpq through psql, psycopg2) against the server.
#include <gtest/gtest.h>

#include "pgwire_test_support.h"

namespace omendb::pgwire::testing {
namespace {

TEST(PgwirePsql, ReturnsRows) {
  TestServer s;
  auto r = psql(s.port(), {"SELECT 7"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "7\n");
  r = psql(s.port(), {"ROWS 3", "NULLS"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "1\n2\n3\n1|\n");
  EXPECT_EQ(s.factory.last_user(), "alice");
  EXPECT_EQ(s.factory.last_database(), "shop");
}

TEST(PgwirePsql, DefaultSslModeFallsBackToPlain) {
  TestServer s;
  auto r = psql(s.port(), {"SELECT 8"}, "sslmode=prefer");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "8\n");
  r = psql(s.port(), {"SELECT 8"}, "sslmode=require");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("SSL"), std::string::npos) << r.output;
}

TEST(PgwirePsql, ErrorThenConnectionStillUsable) {
  TestServer s;
  auto r = psql(s.port(), {"ERROR", "SELECT 5", "THROW", "SELECT 6"});
  EXPECT_NE(r.output.find("ERROR:  42P01: relation \"x\" does not exist"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("DETAIL:  d"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("HINT:  h"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("ERROR:  XX000: boom"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("5\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("6\n"), std::string::npos) << r.output;
  EXPECT_EQ(s.factory.counters.opened, 1);  // one connection throughout
}

TEST(PgwirePsql, LargeResult) {
  TestServer s;
  auto r = run_command("env PGCONNECT_TIMEOUT=5 timeout 60 psql -X -A -t 'host=127.0.0.1 port=" +
                       std::to_string(s.port()) + " user=a sslmode=disable' -c 'ROWS 300000' | tail -n 1");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "300000\n");
}

TEST(PgwirePsql, FatalStartupErrorReported) {
  TestServer s;
  auto r = run_command("env PGCONNECT_TIMEOUT=5 timeout 30 psql -X 'host=127.0.0.1 port=" +
                       std::to_string(s.port()) + " user=baduser sslmode=disable' -c 'SELECT 1'");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("not permitted to log in"), std::string::npos) << r.output;
}

class PgwirePsycopg2 : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!system_python_has_psycopg2()) GTEST_SKIP() << "/usr/bin/python3 has no psycopg2";
  }
};

TEST_F(PgwirePsycopg2, QueriesErrorsAndNotices) {
  TestServer s;
  auto r = python(s.port(), R"PY(
import sys, psycopg2
conn = psycopg2.connect(host="127.0.0.1", port=int(sys.argv[1]), user="pyuser", dbname="pydb", sslmode="disable")
conn.autocommit = True
assert conn.server_version == 150000, conn.server_version
cur = conn.cursor()
cur.execute("SELECT 11")
assert cur.fetchall() == [(11,)], "int4 column parsed"
assert cur.description[0].name == "?column?"
cur.execute("NULLS")
assert cur.fetchall() == [(1, None)]
cur.execute("ROWS 5")
assert [r[0] for r in cur.fetchall()] == [1, 2, 3, 4, 5]
try:
    cur.execute("ERROR")
    raise SystemExit("no error")
except psycopg2.Error as e:
    assert e.pgcode == "42P01", e.pgcode
    assert e.diag.severity == "ERROR"
    assert e.diag.message_primary == 'relation "x" does not exist'
    assert e.diag.message_detail == "d"
    assert e.diag.message_hint == "h"
    assert e.diag.statement_position == "5"
try:
    cur.execute("THROW")
    raise SystemExit("no error")
except psycopg2.InternalError as e:
    assert e.pgcode == "XX000" and e.diag.message_primary == "boom"
cur.execute("SELECT 12")
assert cur.fetchone() == (12,)
cur.execute("NOTICE")
assert any("hello notice" in n for n in conn.notices), conn.notices
conn.autocommit = False
cur.execute("SELECT 13")
assert conn.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_INTRANS
conn.commit()
assert conn.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_IDLE
conn.close()
print("OK")
)PY");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "OK\n");
}

TEST_F(PgwirePsycopg2, CancelRunningQuery) {
  TestServer s;
  auto r = python(s.port(), R"PY(
import sys, time, threading, psycopg2, psycopg2.errors
conn = psycopg2.connect(host="127.0.0.1", port=int(sys.argv[1]), user="u", sslmode="disable")
conn.autocommit = True
cur = conn.cursor()
threading.Timer(0.3, conn.cancel).start()
t0 = time.time()
try:
    cur.execute("SLEEP 20000")
    raise SystemExit("not canceled")
except psycopg2.errors.QueryCanceled as e:
    assert e.pgcode == "57014"
assert time.time() - t0 < 5
cur.execute("SELECT 1")
assert cur.fetchone() == (1,)
print("OK")
)PY");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "OK\n");
  EXPECT_EQ(s.factory.counters.canceled, 1);
}

}  // namespace
}  // namespace omendb::pgwire::testing
