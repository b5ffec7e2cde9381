#!/usr/bin/python3
"""Temporary tables over real connections (docs/schema.md, "Temporary tables"):

  * two_sessions: two sessions create a temporary table of the same name, each sees only its own rows;
    a session cannot see another's temporary tables (42P01, not in its pg_class); creating one inside an
    open transaction does not make another session's CREATE of the same name wait;
  * shadowing: a temporary table hides a permanent one of the same name in its session only; public.name
    still reaches the permanent one; after DROP the permanent one is back;
  * rollback: CREATE TEMP TABLE in a rolled-back transaction leaves nothing;
  * copy: COPY into and out of a temporary table;
  * psql_describe: psql's \\dt and \\d show the table in pg_temp_N, as PostgreSQL;
  * disconnect: the tables of a session that disconnects, or whose client vanishes (SIGKILL), are dropped
    at once: a restart then finds none to remove;
  * crash: after kill -9 with temporary tables open, the restart removes them (the log says so), no
    temporary table or row is visible, permanent data is intact.
"""

import os
import signal
import subprocess
import sys
import time

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, expect_error, parse_args, query, run_tests, scalar  # noqa: E402

PURGE_MESSAGE = b"temporary tables and"  # Catalog::load removed what a previous run left
DROP_MESSAGE = b"session end: dropped the temporary relations"


def two_sessions(args):
    with Server(args.server_bin) as srv:
        a, b = srv.connect(), srv.connect()
        for conn, who in ((a, "a"), (b, "b")):
            query(conn, "CREATE TEMP TABLE t (id int PRIMARY KEY, who text)")
            query(conn, "INSERT INTO t VALUES (1, '%s'), (2, '%s')" % (who, who))
        assert query(a, "SELECT who FROM t ORDER BY id") == [("a",), ("a",)]
        assert query(b, "SELECT who FROM t ORDER BY id") == [("b",), ("b",)]
        query(a, "CREATE TEMP TABLE only_a (x int)")
        expect_error(b, "SELECT * FROM only_a", "42P01")
        assert scalar(b, "SELECT count(*) FROM pg_class WHERE relname = 'only_a'") == 0
        assert scalar(a, "SELECT count(*) FROM pg_class WHERE relname = 'only_a'") == 1
        # The same name inside a's open transaction does not hold up b's CREATE.
        a.autocommit = False
        query(a, "CREATE TEMP TABLE u (x int)")
        query(b, "SET statement_timeout = '5s'")
        query(b, "CREATE TEMP TABLE u (y int)")
        query(b, "INSERT INTO u VALUES (5)")
        a.rollback()
        a.autocommit = True
        expect_error(a, "SELECT * FROM u", "42P01")
        assert query(b, "SELECT y FROM u") == [(5,)]
        # A third session creates a permanent t: the temporary ones still hide it from a and b.
        c = srv.connect()
        query(c, "CREATE TABLE t (id int, who text)")
        query(c, "INSERT INTO t VALUES (1, 'permanent')")
        assert query(a, "SELECT who FROM t ORDER BY id") == [("a",), ("a",)]
        assert query(a, "SELECT who FROM public.t") == [("permanent",)]
        assert query(c, "SELECT who FROM t") == [("permanent",)]
        for conn in (a, b, c):
            conn.close()


def shadowing(args):
    with Server(args.server_bin) as srv:
        a, other = srv.connect(), srv.connect()
        query(a, "CREATE TABLE s (id int PRIMARY KEY, v text)")
        query(a, "INSERT INTO s VALUES (1, 'permanent')")
        query(a, "CREATE TEMP TABLE s (id int PRIMARY KEY, v text)")
        query(a, "INSERT INTO s VALUES (2, 'temporary')")
        assert query(a, "SELECT v FROM s") == [("temporary",)]
        assert query(a, "SELECT v FROM public.s") == [("permanent",)]
        assert query(a, "SELECT v FROM pg_temp.s") == [("temporary",)]
        assert query(other, "SELECT v FROM s") == [("permanent",)]
        # A join of the two.
        assert query(a, "SELECT p.v, t.v FROM public.s p JOIN s t ON t.id = p.id + 1") == [("permanent", "temporary")]
        query(a, "UPDATE s SET v = 'changed'")
        query(a, "DELETE FROM public.s WHERE id = 99")
        assert query(other, "SELECT v FROM s") == [("permanent",)]
        query(a, "DROP TABLE s")
        assert query(a, "SELECT v FROM s") == [("permanent",)]
        a.close()
        other.close()


def rollback(args):
    with Server(args.server_bin) as srv:
        a = srv.connect()
        a.autocommit = False
        cur = a.cursor()
        cur.execute("CREATE TEMP TABLE r (x serial, y int)")
        cur.execute("INSERT INTO r (y) VALUES (1)")
        cur.execute("SELECT count(*) FROM r")
        assert cur.fetchone() == (1,)
        a.rollback()
        a.autocommit = True
        expect_error(a, "SELECT * FROM r", "42P01")
        assert scalar(a, "SELECT count(*) FROM pg_class WHERE relname IN ('r', 'r_x_seq')") == 0
        query(a, "CREATE TEMP TABLE r (x int)")  # the name is free again
        assert scalar(a, "SELECT count(*) FROM r") == 0
        a.close()


def copy(args):
    import io
    with Server(args.server_bin) as srv:
        a = srv.connect()
        query(a, "CREATE TEMP TABLE c (id int PRIMARY KEY, v text)")
        cur = a.cursor()
        cur.copy_expert("COPY c FROM STDIN", io.StringIO("1\tone\n2\ttwo\n"))
        out = io.StringIO()
        cur.copy_expert("COPY c TO STDOUT", out)
        assert out.getvalue() == "1\tone\n2\ttwo\n", out.getvalue()
        assert scalar(a, "SELECT count(*) FROM c") == 2
        a.close()


def psql_describe(args):
    psql = "/usr/bin/psql"
    if not os.access(psql, os.X_OK):
        print("skipped: no psql")
        return
    with Server(args.server_bin) as srv:
        env = dict(os.environ, PGCONNECT_TIMEOUT="10")
        out = subprocess.run([psql, "-X", "-h", "127.0.0.1", "-p", str(srv.port), "-U", "omendb", "-d", "omendb",
                              "-c", "CREATE TABLE pt (a int)", "-c", "CREATE TEMP TABLE tt (id int PRIMARY KEY)",
                              "-c", "\\dt", "-c", "\\d tt"],
                             capture_output=True, text=True, env=env, timeout=60)
        assert out.returncode == 0, out.stderr
        lines = out.stdout.splitlines()
        rows = [l for l in lines if "| table |" in l]
        assert any(l.split("|")[0].strip().startswith("pg_temp_") and l.split("|")[1].strip() == "tt" for l in rows), \
            out.stdout
        assert any(l.split("|")[0].strip() == "public" and l.split("|")[1].strip() == "pt" for l in rows), out.stdout
        assert any(l.strip().startswith('Table "pg_temp_') and l.strip().endswith('.tt"') for l in lines), out.stdout
        assert any('"tt_pkey" PRIMARY KEY, btree (id)' in l for l in lines), out.stdout


def _log(srv):
    with open(srv.log_path, "rb") as f:
        return f.read()


def disconnect(args):
    srv = Server(args.server_bin)
    try:
        srv.start()
        a = srv.connect()
        query(a, "CREATE TEMP TABLE d1 (id serial PRIMARY KEY, v text)")
        query(a, "INSERT INTO d1 (v) SELECT 'x' FROM generate_series(1, 100)")
        a.close()
        # A client that vanishes: a process that creates a temporary table, then is SIGKILLed.
        script = ("import psycopg2, os, signal, sys; c = psycopg2.connect(host='127.0.0.1', port=%d, user='omendb', "
                  "dbname='omendb'); c.autocommit = True; cur = c.cursor(); "
                  "cur.execute('CREATE TEMP TABLE d2 (x int)'); cur.execute('INSERT INTO d2 VALUES (1)'); "
                  "print('ready', flush=True); os.kill(os.getpid(), signal.SIGKILL)" % srv.port)
        p = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
        assert "ready" in p.stdout, p.stderr
        b = srv.connect()
        expect_error(b, "SELECT * FROM d1", "42P01")
        expect_error(b, "SELECT * FROM d2", "42P01")
        b.close()
        # Both sessions' ends dropped their tables (the vanished client's once the server saw the socket
        # close), before any shutdown.
        deadline = time.monotonic() + 20
        while _log(srv).count(DROP_MESSAGE) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _log(srv).count(DROP_MESSAGE) == 2, srv.log_tail()
        assert srv.stop() == 0
        assert PURGE_MESSAGE not in _log(srv), "a session's temporary tables outlived it"
        srv.start()
        assert PURGE_MESSAGE not in _log(srv), "a session's temporary tables outlived it:\n" + srv.log_tail()
        assert srv.stop() == 0
    finally:
        srv.cleanup()


def crash(args):
    srv = Server(args.server_bin)
    try:
        srv.start()
        a = srv.connect()
        query(a, "CREATE TABLE keep (id int PRIMARY KEY, v text)")
        query(a, "INSERT INTO keep SELECT g, 'k' FROM generate_series(1, 50) g")
        query(a, "CREATE TEMP TABLE keep (id int PRIMARY KEY, v text)")  # hides the permanent one
        query(a, "CREATE TEMP TABLE gone (id serial PRIMARY KEY, v text UNIQUE)")
        query(a, "CREATE INDEX gone_v ON gone (v)")
        query(a, "INSERT INTO gone (v) SELECT 'v' || g FROM generate_series(1, 1000) g")
        query(a, "INSERT INTO keep VALUES (1, 'temporary')")
        b = srv.connect()
        b.autocommit = False
        cur = b.cursor()
        cur.execute("CREATE TEMP TABLE gone_uncommitted (x int)")  # in a transaction when the server dies
        cur.execute("INSERT INTO gone_uncommitted VALUES (1)")
        srv.proc.send_signal(signal.SIGKILL)
        srv.proc.wait()
        srv.proc = None
        for conn in (a, b):
            try:
                conn.close()
            except psycopg2.Error:
                pass
        srv.start()
        assert PURGE_MESSAGE in _log(srv), "no temporary table removed at startup:\n" + srv.log_tail()
        c = srv.connect()
        expect_error(c, "SELECT * FROM gone", "42P01")
        expect_error(c, "SELECT * FROM gone_uncommitted", "42P01")
        assert scalar(c, "SELECT count(*) FROM keep") == 50
        assert scalar(c, "SELECT count(*) FROM keep WHERE v = 'temporary'") == 0
        assert scalar(c, "SELECT count(*) FROM pg_class WHERE relname LIKE 'gone%'") == 0
        # The names are free, the new tables empty.
        query(c, "CREATE TEMP TABLE gone (id serial PRIMARY KEY, v text UNIQUE)")
        assert scalar(c, "SELECT count(*) FROM gone") == 0
        query(c, "INSERT INTO gone (v) VALUES ('v1')")
        c.close()
        assert srv.stop() == 0
    finally:
        srv.cleanup()


def main():
    args = parse_args()
    failed = run_tests([two_sessions, shadowing, rollback, copy, psql_describe, disconnect, crash], args)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
