#!/usr/bin/python3
"""Table locks (docs/architecture.md, "Schema changes and running statements"): DDL waits only for the
statements that use its table, and a statement never waits for DDL on another table. Each wait that
must not happen runs under statement_timeout, so a regression fails with 57014 instead of hanging.
"""

import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import psycopg2  # noqa: E402
from harness import Server, expect_error, parse_args, query, run_tests  # noqa: E402


def setup(srv):
    c = srv.connect()
    for t in ("t1", "t2"):
        query(c, "CREATE TABLE %s (id int PRIMARY KEY, v int)" % t)
        query(c, "INSERT INTO %s VALUES %s" % (t, ",".join("(%d, %d)" % (i, i % 10) for i in range(1000))))
    return c


def open_cursor(srv):
    """A session inside a block with a cursor over t1 that has read one row: it holds t1."""
    a = srv.connect()
    a.autocommit = False
    cur = a.cursor()
    cur.execute("DECLARE c CURSOR FOR SELECT id FROM t1 ORDER BY id")
    cur.execute("FETCH 1 FROM c")
    assert cur.fetchall() == [(0,)]
    return a, cur


def test_other_tables_do_not_wait(args):
    with Server(args.server_bin) as srv:
        setup(srv)
        a, cur = open_cursor(srv)
        b = srv.connect()
        query(b, "SET statement_timeout = 10000")  # a wait here is the bug: 57014 instead of a hang
        query(b, "CREATE TABLE t3 (x int PRIMARY KEY)")
        query(b, "INSERT INTO t3 VALUES (1)")
        query(b, "DROP TABLE t3")
        query(b, "DROP TABLE t2")
        query(b, "VACUUM t1")  # shares t1 with the cursor
        assert query(b, "SELECT count(*) FROM t1") == [(1000,)]
        cur.execute("FETCH 2 FROM c")
        assert cur.fetchall() == [(1,), (2,)]
        a.commit()
        a.close()


def test_drop_waits_for_users(args):
    with Server(args.server_bin) as srv:
        setup(srv)
        a, cur = open_cursor(srv)
        b = srv.connect()
        query(b, "SET lock_timeout = 300")
        e = expect_error(b, "DROP TABLE t1", "55P03")
        assert str(e).startswith("canceling statement due to lock timeout"), str(e)
        query(b, "SET lock_timeout = 0")
        query(b, "SET statement_timeout = 300")
        expect_error(b, "DROP TABLE t1", "57014")
        query(b, "SET statement_timeout = 0")
        # A cancel request ends the wait too.
        errors = []

        def drop():
            try:
                query(b, "DROP TABLE t1")
            except psycopg2.Error as e:
                errors.append(e.pgcode)
        th = threading.Thread(target=drop)
        th.start()
        th.join(0.5)
        assert th.is_alive(), "DROP TABLE did not wait for the cursor"
        b.cancel()
        th.join(10)
        assert not th.is_alive() and errors == ["57014"], errors
        # While a DROP waits, other sessions still read the table (see the docs: PostgreSQL would queue
        # them behind the DROP); once the block ends, the DROP goes through.
        errors.clear()
        th = threading.Thread(target=drop)
        th.start()
        th.join(0.3)
        assert th.is_alive()
        c = srv.connect()
        query(c, "SET statement_timeout = 10000")
        assert query(c, "SELECT count(*) FROM t1") == [(1000,)]
        cur.execute("FETCH 1 FROM c")
        assert cur.fetchall() == [(1,)]
        a.commit()
        th.join(10)
        assert not th.is_alive() and errors == [], errors
        expect_error(c, "SELECT count(*) FROM t1", "42P01")
        a.close()


def test_own_hold_cursor(args):
    """A WITH HOLD cursor declared outside a block reads lazily; DROP TABLE in the same session reads
    it to the end first (PostgreSQL materialises it at COMMIT), then drops: no wait for itself."""
    with Server(args.server_bin) as srv:
        c = setup(srv)
        query(c, "SET statement_timeout = 10000")
        cur = c.cursor()
        cur.execute("DECLARE h CURSOR WITH HOLD FOR SELECT id FROM t1 WHERE id < 5 ORDER BY id")
        cur.execute("FETCH 2 FROM h")
        assert cur.fetchall() == [(0,), (1,)]
        query(c, "DROP TABLE t1")
        cur.execute("FETCH ALL FROM h")
        assert cur.fetchall() == [(2,), (3,), (4,)]
        cur.execute("CLOSE h")
        expect_error(c, "SELECT 1 FROM t1", "42P01")


def test_replanned_after_ddl(args):
    """A prepared statement planned before a DROP / CREATE of its table runs against the new table."""
    with Server(args.server_bin) as srv:
        c = setup(srv)
        query(c, "PREPARE q AS SELECT count(*) FROM t2 WHERE v = 1")
        assert query(c, "EXECUTE q") == [(100,)]
        query(c, "DROP TABLE t2")
        expect_error(c, "EXECUTE q", "42P01")
        query(c, "CREATE TABLE t2 (v int PRIMARY KEY)")
        query(c, "INSERT INTO t2 VALUES (1), (2)")
        assert query(c, "EXECUTE q") == [(1,)]


def test_lock_table(args):
    """LOCK TABLE (docs/mvcc.md, "LOCK TABLE"): ACCESS SHARE keeps DDL off the table until the transaction
    ends and lets reads and writes through (its own DDL upgrades it); ACCESS EXCLUSIVE keeps everyone else off;
    other modes 0A000."""
    with Server(args.server_bin) as srv:
        setup(srv)
        query(srv.connect(), "CREATE VIEW v1 AS SELECT id FROM t1")
        query(srv.connect(), "CREATE SEQUENCE s1")
        a = srv.connect()
        b = srv.connect()
        expect_error(a, "LOCK TABLE t1 IN ACCESS SHARE MODE", "25P01")  # outside a block, as PostgreSQL
        query(a, "BEGIN")
        query(a, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")  # as pg_dump
        assert query(a, "SELECT count(*) FROM t1") == [(1000,)]  # the snapshot (LOCK takes none)
        query(a, "LOCK TABLE public.t1 IN ACCESS SHARE MODE")
        query(b, "SET lock_timeout = 300")
        expect_error(b, "DROP TABLE t1", "55P03")
        expect_error(b, "ALTER TABLE t1 ADD COLUMN w int", "55P03")
        expect_error(b, "CREATE INDEX t1_v ON t1 (v)", "55P03")
        assert query(b, "SELECT count(*) FROM t1") == [(1000,)]  # reads and writes go on
        query(b, "INSERT INTO t1 VALUES (1000, 0)")
        query(b, "DROP TABLE t2")  # another table
        assert query(a, "SELECT count(*) FROM t1") == [(1000,)]  # its snapshot
        expect_error(a, "ALTER TABLE t1 ADD COLUMN w int", "25006")  # READ ONLY
        query(a, "ROLLBACK")
        query(b, "ALTER TABLE t1 ADD COLUMN w int")  # released at the end of the transaction
        # DDL on a table the transaction locked IN ACCESS SHARE MODE upgrades its lock (one transaction's
        # locks never conflict, as in PostgreSQL).
        query(a, "BEGIN")
        query(a, "LOCK TABLE t1 IN ACCESS SHARE MODE")
        query(a, "ALTER TABLE t1 ADD COLUMN z int")
        expect_error(b, "SELECT count(*) FROM t1", "55P03")
        query(a, "ROLLBACK")
        assert query(b, "SELECT count(*) FROM t1") == [(1001,)]
        # ACCESS EXCLUSIVE (LOCK's default): other sessions' statements on the table wait; its own do not.
        query(a, "BEGIN")
        query(a, "LOCK t1")
        expect_error(b, "SELECT count(*) FROM t1", "55P03")
        assert query(a, "SELECT count(*) FROM t1") == [(1001,)]
        query(a, "ALTER TABLE t1 DROP COLUMN w")
        query(a, "COMMIT")
        assert query(b, "SELECT count(*) FROM t1") == [(1001,)]
        # Modes and objects not supported: 0A000 naming them; errors as PostgreSQL's otherwise.
        query(a, "BEGIN")
        for sql in ("LOCK TABLE t1 IN ROW EXCLUSIVE MODE", "LOCK TABLE t1 IN SHARE MODE",
                    "LOCK TABLE t1 IN ACCESS SHARE MODE NOWAIT", "LOCK TABLE v1 IN ACCESS SHARE MODE",
                    "LOCK TABLE pg_class IN ACCESS SHARE MODE"):
            e = expect_error(a, sql, "0A000")
            assert "OmenDB does not support" in str(e), str(e)
            query(a, "ROLLBACK")
            query(a, "BEGIN")
        e = expect_error(a, "LOCK TABLE t1 IN SHARE MODE", "0A000")
        assert "LOCK TABLE ... IN SHARE MODE" in str(e), str(e)
        query(a, "ROLLBACK")
        query(a, "BEGIN")
        expect_error(a, "LOCK TABLE s1 IN ACCESS SHARE MODE", "42809")
        query(a, "ROLLBACK")
        query(a, "BEGIN")
        expect_error(a, "LOCK TABLE nope IN ACCESS SHARE MODE", "42P01")
        query(a, "ROLLBACK")
        a.close()
        b.close()


if __name__ == "__main__":
    args = parse_args()
    sys.exit(1 if run_tests([test_other_tables_do_not_wait, test_drop_waits_for_users, test_own_hold_cursor,
                             test_replanned_after_ddl, test_lock_table], args) else 0)
