#!/usr/bin/python3
"""Transactional DDL (docs/schema.md, "Transactional DDL") with real clients: psycopg2 in its default mode
(BEGIN before the first statement) creates tables and commits them; a rollback, an error or a disconnect
leaves nothing; other sessions see nothing until COMMIT and wait for tables the transaction dropped or
altered; a concurrent CREATE of the same name waits, then gets 42P07 if the first one committed; a reader
running during a schema change sees the old or the new table, never a mix; a kill -9 at any point leaves all
of a transaction's DDL and rows or nothing. Each wait that must end runs under a timeout, so a regression
fails instead of hanging.
"""

import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import psycopg2  # noqa: E402
from harness import Server, expect_error, parse_args, query, run_tests  # noqa: E402


def run_in_thread(fn):
    """Runs fn() in a thread; returns (thread, result) where result gets 'ok' + value or the pgcode."""
    result = {}

    def body():
        try:
            result["value"] = fn()
            result["code"] = "ok"
        except psycopg2.Error as e:
            result["code"] = e.pgcode
            result["error"] = str(e)
    th = threading.Thread(target=body, daemon=True)
    th.start()
    return th, result


def waiting(conn, sql, what):
    """Starts `sql` on conn in a thread and asserts that it waits; finish(other, end) ends the transaction
    of `other` with `end` and returns what the waiting statement got (see run_in_thread)."""
    th, res = run_in_thread(lambda: query(conn, sql))
    th.join(0.5)
    assert th.is_alive(), "%s did not wait" % what

    def finish(other, end):
        query(other, end)
        th.join(10)
        assert not th.is_alive(), "%s still waits after %s" % (what, end)
        return res
    return finish


def test_psycopg2_default_mode(args):
    with Server(args.server_bin) as srv:
        # psycopg2 without autocommit: BEGIN is sent before the first statement, COMMIT by conn.commit().
        conn = psycopg2.connect(host="127.0.0.1", port=srv.port, user="omendb", dbname="omendb")
        cur = conn.cursor()
        cur.execute("CREATE TABLE users (id SERIAL PRIMARY KEY, name TEXT NOT NULL)")
        cur.execute("CREATE INDEX users_name ON users (name)")
        cur.execute("INSERT INTO users (name) VALUES (%s), (%s) RETURNING id", ("ann", "bob"))
        assert cur.fetchall() == [(1,), (2,)]
        other = srv.connect()
        expect_error(other, "SELECT * FROM users", "42P01")  # not committed: invisible
        assert query(other, "SELECT count(*) FROM pg_class WHERE relname LIKE 'users%'") == [(0,)]
        conn.commit()
        assert query(other, "SELECT id, name FROM users ORDER BY id") == [(1, "ann"), (2, "bob")]
        assert query(other, "SELECT name FROM users WHERE name = 'bob'") == [("bob",)]
        assert query(other, "SELECT relname FROM pg_class WHERE relname LIKE 'users%' ORDER BY 1") == [
            ("users",), ("users_id_seq",), ("users_name",), ("users_pkey",)]
        query(other, "INSERT INTO users (name) VALUES ('cy')")
        assert query(other, "SELECT max(id) FROM users") == [(3,)]
        # a rolled-back migration leaves no trace, and the name is free again
        cur.execute("CREATE TABLE orders (id BIGSERIAL PRIMARY KEY, user_id INT)")
        cur.execute("INSERT INTO orders (user_id) VALUES (1)")
        cur.execute("ALTER TABLE users ADD COLUMN email TEXT")
        conn.rollback()
        expect_error(other, "SELECT * FROM orders", "42P01")
        expect_error(other, "SELECT email FROM users", "42703")
        assert query(other, "SELECT count(*) FROM pg_class WHERE relname LIKE 'orders%'") == [(0,)]
        cur.execute("CREATE TABLE orders (id INT PRIMARY KEY)")
        conn.commit()
        assert query(other, "SELECT count(*) FROM orders") == [(0,)]
        conn.close()
        # a query string of several statements is one transaction: an error undoes the DDL in it
        expect_error(other, "CREATE TABLE m (a INT); INSERT INTO m VALUES (1); SELECT 1/0", "22012")
        expect_error(other, "SELECT * FROM m", "42P01")
        query(other, "CREATE TABLE m (a INT); INSERT INTO m VALUES (1)")
        assert query(other, "SELECT a FROM m") == [(1,)]
        other.close()


def test_other_sessions_wait_for_dropped_and_altered_tables(args):
    with Server(args.server_bin) as srv:
        a = srv.connect()
        b = srv.connect()
        query(a, "CREATE TABLE t (id INT PRIMARY KEY, v INT)")
        query(a, "INSERT INTO t VALUES (1, 10), (2, 20)")
        query(a, "BEGIN")
        query(a, "ALTER TABLE t ADD COLUMN w INT DEFAULT 5")
        assert query(a, "SELECT id, w FROM t ORDER BY id") == [(1, 5), (2, 5)]
        # b waits for a's transaction: lock_timeout and statement_timeout end the wait
        query(b, "SET lock_timeout = 300")
        e = expect_error(b, "SELECT * FROM t", "55P03")
        assert str(e).startswith("canceling statement due to lock timeout"), str(e)
        query(b, "SET lock_timeout = 0")
        query(b, "SET statement_timeout = 300")
        expect_error(b, "INSERT INTO t VALUES (3, 30)", "57014")
        query(b, "SET statement_timeout = 20000")
        finish = waiting(b, "SELECT id, v, w FROM t ORDER BY id", "a reader of a table being altered")
        res = finish(a, "COMMIT")
        assert res.get("code") == "ok", res
        assert res["value"] == [(1, 10, 5), (2, 20, 5)], res  # the committed result, planned again
        # DROP TABLE in a block: readers wait, then find it gone; ROLLBACK instead gives it back
        query(a, "BEGIN")
        query(a, "DROP TABLE t")
        res = waiting(b, "SELECT count(*) FROM t", "a reader of a dropped table")(a, "ROLLBACK")
        assert res == {"code": "ok", "value": [(2,)]}, res
        query(a, "BEGIN")
        query(a, "DROP TABLE t")
        res = waiting(b, "SELECT count(*) FROM t", "a reader of a dropped table")(a, "COMMIT")
        assert res.get("code") == "42P01", res
        # statements on other tables never wait for a's DDL
        query(a, "CREATE TABLE u (id INT)")
        query(a, "CREATE TABLE other (id INT)")
        query(a, "BEGIN")
        query(a, "DROP TABLE u")
        query(b, "SET statement_timeout = 2000")
        query(b, "INSERT INTO other VALUES (1)")
        assert query(b, "SELECT count(*) FROM other") == [(1,)]
        # an error aborts a's block: its locks go at once, before the ROLLBACK
        expect_error(a, "SELECT 1/0", "22012")
        assert query(b, "SELECT count(*) FROM u") == [(0,)]
        query(a, "ROLLBACK")
        a.close()
        b.close()


def test_views_and_concurrent_ddl(args):
    """A view created in an open transaction keeps the tables it reads from being dropped until it commits
    (then DROP TABLE finds it: 2BP01); a replaced or dropped view makes readers wait for the transaction."""
    with Server(args.server_bin) as srv:
        a = srv.connect()
        b = srv.connect()
        query(a, "CREATE TABLE vt (id INT PRIMARY KEY, v INT)")
        query(a, "INSERT INTO vt VALUES (1, 10), (2, 20)")
        query(a, "BEGIN")
        query(a, "CREATE VIEW vv AS SELECT id, v FROM vt WHERE v > 10")
        expect_error(b, "SELECT * FROM vv", "42P01")  # not committed: b does not see it
        query(b, "SET statement_timeout = 20000")
        res = waiting(b, "DROP TABLE vt", "DROP TABLE of a table a new view reads")(a, "COMMIT")
        assert res.get("code") == "2BP01", res
        assert query(b, "SELECT * FROM vv") == [(2, 20)]
        # OR REPLACE in a block: readers wait, then read the new definition
        query(a, "BEGIN")
        query(a, "CREATE OR REPLACE VIEW vv AS SELECT id, v FROM vt")
        res = waiting(b, "SELECT count(*) FROM vv", "a reader of a view being replaced")(a, "COMMIT")
        assert res == {"code": "ok", "value": [(2,)]}, res
        # DROP VIEW in a block: readers wait, then find it gone
        query(a, "BEGIN")
        query(a, "DROP VIEW vv")
        res = waiting(b, "SELECT count(*) FROM vv", "a reader of a dropped view")(a, "COMMIT")
        assert res.get("code") == "42P01", res
        query(b, "DROP TABLE vt")  # nothing depends on it any more
        a.close()
        b.close()


def test_concurrent_create_same_name(args):
    with Server(args.server_bin) as srv:
        a = srv.connect()
        b = srv.connect()
        query(b, "SET statement_timeout = 20000")
        for finish, expected in (("COMMIT", "42P07"), ("ROLLBACK", "ok")):
            query(a, "BEGIN")
            query(a, "CREATE TABLE n (a INT)")
            res = waiting(b, "CREATE TABLE n (b TEXT)", "the second CREATE TABLE")(a, finish)
            assert res.get("code") == expected, (finish, res)
            if expected == "42P07":
                assert res["error"].startswith('relation "n" already exists'), res
            # whichever committed, its columns are the table's
            cols = query(b, "SELECT attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                            "WHERE c.relname = 'n' AND a.attnum > 0")
            assert cols == ([("a",)] if finish == "COMMIT" else [("b",)]), cols
            query(b, "DROP TABLE n")
        # two transactions: the second waits inside its block, then fails; its block is aborted
        c = srv.connect()
        query(c, "SET statement_timeout = 20000")
        query(a, "BEGIN")
        query(a, "CREATE SEQUENCE s1")
        query(c, "BEGIN")
        res = waiting(c, "CREATE SEQUENCE s1", "the second CREATE SEQUENCE")(a, "COMMIT")
        assert res.get("code") == "42P07", res
        query(c, "ROLLBACK")
        assert query(c, "SELECT nextval('s1')") == [(1,)]
        for conn in (a, b, c):
            conn.close()


def test_disconnect_leaves_no_trace(args):
    with Server(args.server_bin) as srv:
        a = srv.connect()
        query(a, "BEGIN")
        query(a, "CREATE TABLE gone (id SERIAL PRIMARY KEY, v TEXT)")
        query(a, "INSERT INTO gone (v) VALUES ('x')")
        a.close()  # the transaction ends with the connection
        b = srv.connect()
        query(b, "SET statement_timeout = 20000")  # waits (briefly) until the server has noticed
        query(b, "CREATE TABLE gone (id INT)")
        assert query(b, "SELECT count(*) FROM gone") == [(0,)]
        assert query(b, "SELECT count(*) FROM pg_class WHERE relname = 'gone_id_seq'") == [(0,)]
        b.close()


def test_reader_sees_old_or_new(args):
    """A migration that swaps a table (rename, create, fill, drop) in one transaction, while readers run:
    every read sees one whole version of the table."""
    rows = 200
    with Server(args.server_bin) as srv:
        w = srv.connect()
        query(w, "CREATE TABLE r (id INT PRIMARY KEY, ver INT)")
        query(w, "INSERT INTO r VALUES %s" % ",".join("(%d, 0)" % i for i in range(1, rows + 1)))
        stop = threading.Event()
        seen, problems = set(), []

        def reader():
            c = srv.connect()
            query(c, "SET statement_timeout = 30000")
            while not stop.is_set():
                try:
                    (n, lo, hi), = query(c, "SELECT count(*), min(ver), max(ver) FROM r")
                except psycopg2.Error as e:
                    problems.append("%s %s" % (e.pgcode, e))
                    continue
                if n != rows or lo != hi:
                    problems.append("half a migration: count %s, versions %s..%s" % (n, lo, hi))
                seen.add(lo)
            c.close()
        readers = [threading.Thread(target=reader, daemon=True) for _ in range(2)]
        for th in readers:
            th.start()
        versions = 15
        for v in range(1, versions + 1):
            query(w, "BEGIN")
            query(w, "ALTER TABLE r RENAME TO r_old")
            query(w, "CREATE TABLE r (id INT PRIMARY KEY, ver INT, note TEXT)")
            query(w, "INSERT INTO r SELECT id, %d, 'v' FROM r_old" % v)
            query(w, "DROP TABLE r_old")
            time.sleep(0.02)  # readers queue up behind the uncommitted change
            query(w, "COMMIT")
            time.sleep(0.02)
        stop.set()
        for th in readers:
            th.join(30)
            assert not th.is_alive()
        assert not problems, problems[:5]
        assert versions in seen and len(seen) > 2, seen
        assert query(w, "SELECT count(*), min(ver) FROM r") == [(rows, versions)]
        w.close()


def test_row_work_in_a_block_with_concurrent_writers(args):
    """CREATE INDEX and SET NOT NULL inside a transaction block on a populated table read the committed rows
    with the block's own (docs/schema.md, "Transactional DDL"). A transaction that wrote the table before
    and commits while the block is open is caught at COMMIT, whichever commits second fails with 40001
    (PostgreSQL would make the DDL wait for it instead); autocommit writers running during a block's CREATE
    INDEX leave no committed row without its entry."""
    with Server(args.server_bin) as srv:
        def connect(autocommit=True):
            conn = psycopg2.connect(host="127.0.0.1", port=srv.port, user="omendb", dbname="omendb")
            conn.autocommit = autocommit
            return conn
        a = connect()
        query(a, "CREATE TABLE rw (id int PRIMARY KEY, v int)")
        query(a, "INSERT INTO rw SELECT g, g % 10 FROM generate_series(1, 1000) g")

        # The writer commits first: its NULL was not seen by SET NOT NULL, so the block's COMMIT fails.
        w, d = connect(False), connect(False)
        w.cursor().execute("INSERT INTO rw VALUES (2001, NULL)")
        d.cursor().execute("ALTER TABLE rw ALTER COLUMN v SET NOT NULL")
        def commit_fails(conn, what):
            try:
                conn.commit()
            except psycopg2.Error as e:
                assert e.pgcode == "40001", (e.pgcode, str(e))
                return str(e)
            raise AssertionError(what)

        w.commit()
        e = commit_fails(d, "COMMIT of SET NOT NULL succeeded over a NULL committed meanwhile")
        assert "committed after ALTER TABLE or CREATE INDEX read its rows" in e, e
        assert query(a, "SELECT is_nullable FROM information_schema.columns WHERE table_name = 'rw' "
                        "AND column_name = 'v'") == [("YES",)]
        assert query(a, "SELECT count(*) FROM rw WHERE v IS NULL") == [(1,)]

        # The block commits first: the writer, which wrote without the index's entries, fails at COMMIT.
        w.cursor().execute("INSERT INTO rw VALUES (2002, 5)")
        d.cursor().execute("CREATE INDEX rw_v ON rw (v)")
        d.commit()
        commit_fails(w, "a transaction that wrote the table before CREATE INDEX committed after it")
        assert query(a, "SELECT count(*) FROM rw WHERE id = 2002") == [(0,)]
        cur = a.cursor()
        cur.execute("EXPLAIN SELECT id FROM rw WHERE v = 5")
        plan = "\n".join(r[0] for r in cur.fetchall())
        assert "IndexScan rw using rw_v" in plan, plan
        assert query(a, "SELECT count(*) FROM rw WHERE v = 5") == [(100,)]
        query(a, "DROP INDEX rw_v")

        # Autocommit writers meanwhile: each of their rows is either read by the build or written after it
        # with the index in place (they wait for the block's table lock); a block that fails (40001) is
        # retried, as an application retries a serialization failure.
        stop = threading.Event()
        errors = []

        def writer(base):
            conn = connect()
            cur = conn.cursor()
            i = 0
            while not stop.is_set():
                try:
                    cur.execute("INSERT INTO rw VALUES (%s, %s)", (base + i, i % 10))
                except psycopg2.Error as e:
                    errors.append("%s %s" % (e.pgcode, e))
                    return
                i += 1
            conn.close()
        threads = [threading.Thread(target=writer, args=(b,), daemon=True) for b in (100000, 200000)]
        for th in threads:
            th.start()
        built, retries = 0, 0
        while built < 4 and retries < 40:
            try:
                d.cursor().execute("CREATE INDEX rw_v%d ON rw (v, id)" % built)
                time.sleep(0.05)  # the writers wait for the table meanwhile
                d.commit()
                built += 1
            except psycopg2.Error as e:
                assert e.pgcode == "40001", (e.pgcode, str(e))
                d.rollback()
                retries += 1
        stop.set()
        for th in threads:
            th.join(10)
        assert not errors, errors
        assert built == 4, "only %d of 4 blocks committed (%d retries)" % (built, retries)
        total = query(a, "SELECT count(*) FROM rw")[0][0]
        assert total > 1001, total
        # Every row through each built index (the others dropped one by one) and through the table.
        per_value = query(a, "SELECT v, count(*) FROM rw WHERE v IS NOT NULL GROUP BY v ORDER BY v")
        assert sum(n for _, n in per_value) == total - 1, (per_value, total)
        for k in range(4):
            for v, n in per_value:
                cur.execute("EXPLAIN SELECT count(*) FROM rw WHERE v = %s", (v,))
                plan = "\n".join(r[0] for r in cur.fetchall())
                assert "IndexScan rw using rw_v%d" % k in plan, plan
                assert query(a, "SELECT count(*) FROM rw WHERE v = %d" % v) == [(n,)], (k, v)
            query(a, "DROP INDEX rw_v%d" % k)
        a.close()
        w.close()
        d.close()


def test_kill_during_ddl_transactions(args):
    """kill -9 while transactions create tables (with a sequence, an index and rows) and drop earlier ones:
    after the restart every acknowledged transaction is there whole, an unacknowledged one whole or not
    at all, never a table without its rows or a sequence without its table."""
    rng = random.Random(int(os.environ.get("OMENDB_CRASH_SEED", "7")))
    cycles = int(os.environ.get("OMENDB_DDL_CRASH_CYCLES", "4"))
    rows = 50
    with Server(args.server_bin) as srv:
        committed, dropped = set(), set()  # acknowledged creates / drops
        doubt = set()  # names whose transaction was in flight at a kill
        next_id = 0
        for cycle in range(cycles):
            stop = threading.Event()
            state = {"n": next_id, "inflight": None}

            def writer():
                c = srv.connect()
                c.autocommit = False
                cur = c.cursor()
                try:
                    while not stop.is_set():
                        name = "k%d" % state["n"]
                        victim = rng.choice(sorted(committed - dropped)) if len(committed - dropped) > 3 else None
                        state["inflight"] = (name, victim)
                        cur.execute("CREATE TABLE %s (id SERIAL PRIMARY KEY, v INT)" % name)
                        cur.execute("CREATE INDEX %s_v ON %s (v)" % (name, name))
                        cur.execute("INSERT INTO %s (v) VALUES %s" % (name, ",".join("(%d)" % i for i in range(1, rows + 1))))
                        if victim:
                            cur.execute("DROP TABLE %s" % victim)
                        c.commit()
                        committed.add(name)
                        if victim:
                            dropped.add(victim)
                        state["inflight"] = None
                        state["n"] += 1
                except psycopg2.Error:
                    pass  # the kill
            th = threading.Thread(target=writer, daemon=True)
            th.start()
            time.sleep(rng.uniform(0.3, 1.5))
            srv.kill()
            th.join(10)
            if state["inflight"]:
                doubt.add(state["inflight"][0])
                if state["inflight"][1]:
                    doubt.add(state["inflight"][1])
            next_id = state["n"] + 1
            srv.start()
            c = srv.connect()
            tables = {r[0] for r in query(c, "SELECT relname FROM pg_class WHERE relkind = 'r' AND relname LIKE 'k%'")}
            seqs = {r[0] for r in query(c, "SELECT relname FROM pg_class WHERE relkind = 'S'")}
            for name in committed - dropped:
                assert name in tables or name in doubt, "acknowledged table %s lost (cycle %d)" % (name, cycle)
            for name in dropped:
                assert name not in tables, "acknowledged drop of %s undone" % name
            for name in tables:
                assert name in committed or name in doubt, "table %s was never committed" % name
                assert query(c, "SELECT count(*), sum(v) FROM %s" % name) == [(rows, rows * (rows + 1) // 2)], name
                assert query(c, "SELECT count(*) FROM %s WHERE v = 7" % name) == [(1,)], name
            assert seqs == {"%s_id_seq" % t for t in tables}, (seqs, tables)
            # what a lost transaction created is free again
            for name in doubt - tables:
                if name not in committed:
                    query(c, "CREATE TABLE %s (x INT)" % name)
                    query(c, "DROP TABLE %s" % name)
            for name in doubt:  # settled now
                if name in tables:
                    committed.add(name)
                else:
                    if name in committed:
                        dropped.add(name)
            doubt.clear()
            c.close()
            print("  cycle %d: %d tables, %d dropped" % (cycle, len(tables), len(dropped)), flush=True)
        assert len(committed) > 0


if __name__ == "__main__":
    args = parse_args()
    sys.exit(1 if run_tests([
        test_psycopg2_default_mode,
        test_other_sessions_wait_for_dropped_and_altered_tables,
        test_views_and_concurrent_ddl,
        test_concurrent_create_same_name,
        test_disconnect_leaves_no_trace,
        test_reader_sees_old_or_new,
        test_row_work_in_a_block_with_concurrent_writers,
        test_kill_during_ddl_transactions,
    ], args) else 0)
