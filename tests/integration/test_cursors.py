#!/usr/bin/python3
"""Cursors: SQL's DECLARE / FETCH / MOVE / CLOSE with psycopg2 (its named cursors), psycopg 3 (its server
cursors, with parameters and binary results) and psql (FETCH_COUNT). Every expectation is PostgreSQL 15's:
run with --host/--port --engine postgresql to check them (the few deliberate differences say `pg=`).

A cursor's rows are produced on demand, so paging through a result far larger than the query memory limit
works while holding one batch."""

import argparse
import os
import socket
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import psycopg2  # noqa: E402
from harness import ROOT, Server, run_tests  # noqa: E402

ROWS = 100000


def connect(args, autocommit=True):
    c = psycopg2.connect(host=args.host or "127.0.0.1", port=args.port, user=args.user, dbname=args.dbname,
                         connect_timeout=10)
    c.autocommit = autocommit
    return c


def q(cur, sql):
    cur.execute(sql)
    return cur.fetchall() if cur.description is not None else cur.statusmessage


def err(cur, sql, sqlstate):
    try:
        cur.execute(sql)
    except psycopg2.Error as e:
        assert e.pgcode == sqlstate, "%s: expected %s, got %s %s" % (sql, sqlstate, e.pgcode, e)
        return e
    raise AssertionError("%s: expected %s, it succeeded" % (sql, sqlstate))


def setup(args):
    c = connect(args)
    cur = c.cursor()
    cur.execute("DROP TABLE IF EXISTS cur_big")
    cur.execute("DROP TABLE IF EXISTS cur_t")
    cur.execute("CREATE TABLE cur_t (id int PRIMARY KEY, v text)")
    cur.execute("INSERT INTO cur_t VALUES " + ",".join("(%d, 'v%d')" % (i, i) for i in range(1, 11)))
    cur.execute("CREATE TABLE cur_big (id bigint PRIMARY KEY, payload text)")
    for start in range(0, ROWS, 20000):
        cur.execute("INSERT INTO cur_big VALUES " +
                    ",".join("(%d, '%s')" % (i, "p" * 40) for i in range(start, start + 20000)))
    c.close()


def test_fetch_move_close(args):
    c = connect(args, autocommit=False)
    cur = c.cursor()
    assert q(cur, "DECLARE c NO SCROLL CURSOR FOR SELECT id, v FROM cur_t ORDER BY id") == "DECLARE CURSOR"
    assert q(cur, "FETCH 2 FROM c") == [(1, "v1"), (2, "v2")]
    assert cur.statusmessage == "FETCH 2"
    assert q(cur, "FETCH NEXT c") == [(3, "v3")]
    assert q(cur, "FETCH FORWARD 2 IN c") == [(4, "v4"), (5, "v5")]
    assert q(cur, "MOVE 2 c") == "MOVE 2"
    assert q(cur, "FETCH RELATIVE 2 FROM c") == [(9, "v9")]
    assert q(cur, "FETCH ALL FROM c") == [(10, "v10")]
    assert q(cur, "FETCH c") == [] and cur.statusmessage == "FETCH 0"
    assert cur.description[0].name == "id" and cur.description[1].name == "v"
    assert q(cur, "CLOSE c") == "CLOSE CURSOR"
    err(cur, "FETCH c", "34000")
    c.rollback()
    q(cur, "DECLARE d NO SCROLL CURSOR FOR SELECT id FROM cur_t ORDER BY id")
    assert q(cur, "FETCH ABSOLUTE 4 FROM d") == [(4,)]
    assert q(cur, "MOVE FORWARD ALL IN d") == "MOVE 6"
    err(cur, "FETCH PRIOR FROM d", "55000")
    c.rollback()
    q(cur, "DECLARE e NO SCROLL CURSOR FOR SELECT id FROM cur_t")
    err(cur, "DECLARE e CURSOR FOR SELECT 1", "42P03")
    c.rollback()
    q(cur, "DECLARE f CURSOR FOR SELECT id FROM cur_t")
    q(cur, "DECLARE g CURSOR FOR SELECT id FROM cur_t")
    assert q(cur, "CLOSE ALL") == "CLOSE CURSOR ALL"
    err(cur, "FETCH g", "34000")
    c.rollback()
    c.close()
    a = connect(args)
    err(a.cursor(), "DECLARE c CURSOR FOR SELECT 1", "25P01")  # only inside a transaction block
    a.close()


def test_snapshot_and_own_writes(args):
    """A cursor reads the snapshot of its DECLARE: neither a later write of its own transaction nor another
    session's later commit shows in its rows."""
    c = connect(args, autocommit=False)
    other = connect(args)
    cur = c.cursor()
    q(cur, "DECLARE s CURSOR FOR SELECT id, v FROM cur_t ORDER BY id")
    assert q(cur, "FETCH 1 FROM s") == [(1, "v1")]
    assert q(cur, "UPDATE cur_t SET v = 'mine' WHERE id IN (2, 3)") == "UPDATE 2"
    q(other.cursor(), "UPDATE cur_t SET v = 'theirs' WHERE id = 4")
    assert q(cur, "FETCH 3 FROM s") == [(2, "v2"), (3, "v3"), (4, "v4")]
    assert q(cur, "SELECT v FROM cur_t WHERE id IN (2, 3) ORDER BY id") == [("mine",), ("mine",)]
    c.rollback()
    q(other.cursor(), "UPDATE cur_t SET v = 'v4' WHERE id = 4")
    c.close()
    other.close()


def test_hold_and_savepoints(args):
    c = connect(args, autocommit=False)
    cur = c.cursor()
    q(cur, "DECLARE h CURSOR WITH HOLD FOR SELECT id FROM cur_t WHERE id > 7 ORDER BY id")
    assert q(cur, "FETCH 1 FROM h") == [(8,)]
    c.commit()
    assert q(cur, "FETCH ALL FROM h") == [(9,), (10,)]  # survives COMMIT
    c.commit()
    assert q(cur, "CLOSE h") == "CLOSE CURSOR"
    c.commit()
    q(cur, "DECLARE gone CURSOR WITH HOLD FOR SELECT 1")
    c.rollback()  # a WITH HOLD cursor of a transaction that rolls back goes with it
    err(cur, "FETCH gone", "34000")
    c.rollback()
    q(cur, "DECLARE before_sp CURSOR FOR SELECT id FROM cur_t ORDER BY id")
    q(cur, "SAVEPOINT sp")
    q(cur, "DECLARE after_sp CURSOR FOR SELECT id FROM cur_t ORDER BY id")
    q(cur, "ROLLBACK TO SAVEPOINT sp")
    assert q(cur, "FETCH 2 FROM before_sp") == [(1,), (2,)]
    err(cur, "FETCH after_sp", "34000")
    c.rollback()
    a = connect(args)  # WITH HOLD outside a block: allowed, its rows are produced at once
    ac = a.cursor()
    assert q(ac, "DECLARE outside CURSOR WITH HOLD FOR SELECT id FROM cur_t ORDER BY id") == "DECLARE CURSOR"
    assert q(ac, "FETCH 3 FROM outside") == [(1,), (2,), (3,)]
    q(ac, "CLOSE outside")
    a.close()
    c.close()


def test_errors_at_the_fetch_that_reaches_them(args):
    c = connect(args, autocommit=False)
    cur = c.cursor()
    q(cur, "DECLARE k CURSOR FOR SELECT 1 / (id - 5) FROM cur_t ORDER BY id")
    assert q(cur, "FETCH 2 FROM k") == [(0,), (0,)]
    err(cur, "FETCH 4 FROM k", "22012")
    err(cur, "FETCH 1 FROM k", "25P02")
    c.rollback()
    # Settled by a write before the error was reached: still raised by the FETCH that reaches it.
    q(cur, "DECLARE k2 CURSOR FOR SELECT 1 / (id - 5) FROM cur_t ORDER BY id")
    assert q(cur, "FETCH 2 FROM k2") == [(0,), (0,)]
    q(cur, "UPDATE cur_t SET v = v WHERE id = 1")
    assert q(cur, "FETCH 2 FROM k2") == [(0,), (-1,)]
    err(cur, "FETCH 1 FROM k2", "22012")
    c.rollback()
    c.close()


def test_psycopg2_named_cursor_streams(args):
    """psycopg2's named cursor pages through 100k rows in batches of 1000 with a 1 MB query memory limit:
    the whole result (~6 MB of text) is never held."""
    c = connect(args, autocommit=False)
    if args.engine == "omendb":
        c.cursor().execute("SET omendb.query_memory_limit = '1MB'")
    cur = c.cursor(name="big_reader")
    cur.itersize = 1000
    cur.execute("SELECT id, payload FROM cur_big ORDER BY id")
    n = 0
    total = 0
    for row in cur:
        assert row[0] == n and len(row[1]) == 40, row
        total += row[0]
        n += 1
    assert n == ROWS and total == ROWS * (ROWS - 1) // 2, (n, total)
    cur.close()
    c.rollback()
    c.close()


def test_psycopg3_server_cursor(args):
    try:
        import psycopg
    except ImportError:
        print("  psycopg 3 not installed: skipped")
        return
    with psycopg.connect(host=args.host or "127.0.0.1", port=args.port, user=args.user, dbname=args.dbname,
                         autocommit=False) as conn:
        with conn.cursor(name="p3", binary=True) as cur:
            cur.execute("SELECT id, payload FROM cur_big WHERE id >= %s AND id < %s ORDER BY id", (1000, 3500))
            got = cur.fetchmany(10)
            assert [r[0] for r in got] == list(range(1000, 1010)), got
            rest = cur.fetchall()
            assert [r[0] for r in rest] == list(range(1010, 3500)), (rest[:3], len(rest))
        conn.rollback()


def test_psycopg3_hold_cursor_past_commit(args):
    """A WITH HOLD cursor declared through the extended protocol (psycopg 3's withhold=True) survives the
    COMMIT, inside a transaction and on an autocommit connection (Sync dropped every portal, held
    cursors too: 34000 at the next fetch)."""
    import psycopg
    dsn = dict(host=args.host or "127.0.0.1", port=args.port, user=args.user, dbname=args.dbname)
    with psycopg.connect(autocommit=False, **dsn) as conn:
        cur = conn.cursor(name="h3", withhold=True)
        cur.execute("SELECT id FROM cur_t WHERE id <= %s ORDER BY id", (6,))
        assert cur.fetchmany(2) == [(1,), (2,)]
        conn.commit()
        assert cur.fetchall() == [(3,), (4,), (5,), (6,)]
        cur.close()
        conn.commit()
    with psycopg.connect(autocommit=True, **dsn) as conn:
        cur = conn.cursor(name="h4", withhold=True)
        cur.execute("SELECT id FROM cur_t WHERE id > %s ORDER BY id", (7,))
        assert cur.fetchmany(1) == [(8,)]
        assert cur.fetchall() == [(9,), (10,)]
        cur.close()


def test_psql_fetch_count(args):
    env = dict(os.environ, PGHOST=args.host or "127.0.0.1", PGPORT=str(args.port), PGUSER=args.user,
               PGDATABASE=args.dbname, PGCONNECT_TIMEOUT="10")
    p = subprocess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-v", "FETCH_COUNT=7",
                        "-c", "SELECT id FROM cur_big WHERE id < 50 ORDER BY id"],
                       capture_output=True, text=True, env=env, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == [str(i) for i in range(50)], p.stdout


def test_disconnect_with_open_cursor(args):
    """A client that vanishes with a paused cursor frees it; the server and the other sessions go on."""
    c = connect(args, autocommit=False)
    cur = c.cursor()
    q(cur, "DECLARE v CURSOR FOR SELECT id FROM cur_big ORDER BY id")
    assert q(cur, "FETCH 5 FROM v") == [(i,) for i in range(5)]
    sock = socket.socket(fileno=os.dup(c.fileno()))
    sock.shutdown(socket.SHUT_RDWR)
    sock.close()
    try:
        c.close()
    except psycopg2.Error:
        pass
    other = connect(args)
    assert q(other.cursor(), "SELECT count(*) FROM cur_big") == [(ROWS,)]
    other.close()


def test_many_cursors_concurrently(args):
    """Sessions paging through cursors at the same time each read exactly their rows."""
    errors = []

    def reader(k):
        try:
            c = connect(args, autocommit=False)
            cur = c.cursor()
            lo = k * 1000
            q(cur, "DECLARE r CURSOR FOR SELECT id FROM cur_big WHERE id >= %d AND id < %d ORDER BY id"
              % (lo, lo + 3000))
            got = []
            while True:
                rows = q(cur, "FETCH 250 FROM r")
                if not rows:
                    break
                got += [r[0] for r in rows]
            assert got == list(range(lo, lo + 3000)), (k, got[:3], len(got))
            c.rollback()
            c.close()
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=reader, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server-bin", default=os.environ.get("OMENDB_BIN", os.path.join(ROOT, "build", "omendb")))
    ap.add_argument("--host", help="run against this running server instead of starting one")
    ap.add_argument("--port", type=int)
    ap.add_argument("--user", default="omendb")
    ap.add_argument("--dbname", default="omendb")
    ap.add_argument("--engine", choices=("omendb", "postgresql"), default="omendb")
    args = ap.parse_args()
    tests = [test_fetch_move_close, test_snapshot_and_own_writes, test_hold_and_savepoints,
             test_errors_at_the_fetch_that_reaches_them, test_psycopg2_named_cursor_streams,
             test_psycopg3_server_cursor, test_psycopg3_hold_cursor_past_commit, test_psql_fetch_count, test_many_cursors_concurrently,
             test_disconnect_with_open_cursor]
    if args.host:
        setup(args)
        return run_tests(tests, args)
    with Server(args.server_bin) as srv:
        args.port = srv.port
        args.host = None
        setup(args)
        failed = run_tests(tests, args)
        assert srv.alive(), "server died\n" + srv.log_tail()
    return failed


if __name__ == "__main__":
    sys.exit(1 if main() else 0)
