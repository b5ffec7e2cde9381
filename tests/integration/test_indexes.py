#!/usr/bin/python3
"""Secondary indexes over a real server (docs/schema.md, "Secondary indexes").

The check everywhere: in one REPEATABLE READ snapshot, the rows an index scan finds (`WHERE g >= ...`,
EXPLAIN shows an IndexScan) are exactly the rows a table scan finds (`WHERE g + 0 >= ...`, which no index
serves): every visible row is found through the index, and the index finds no row that is not there.

1. concurrent: writers insert, update the indexed column, change primary keys, delete and upsert, while
   REPEATABLE READ readers compare index and table, VACUUM seals the table every few hundred ms, and one
   session creates and drops a second index over and over (writers caught by a build retry on 40001).
2. crash: the same writers, the server SIGKILLed at a random moment and restarted on the same data dir,
   several times: index and table agree after each restart, before and after a VACUUM.
3. copy: COPY FROM STDIN into an indexed table; the rows are found through the index.
4. build_interrupt: CREATE INDEX over 300,000 rows ends with 57014 under a short statement_timeout and by
   a cancel request, leaving no index; then it builds.
"""

import io
import os
import random
import sys
import threading
import time

import psycopg2
import psycopg2.extensions

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, expect_error, parse_args, query, run_tests  # noqa: E402

BLOCK_ROWS = ["--seal-block-rows", "64"]
ROWS = 2000


def setup(srv):
    c = srv.connect()
    cur = c.cursor()
    cur.execute("CREATE TABLE t (id INT PRIMARY KEY, g INT, note TEXT)")
    for base in range(0, ROWS, 500):
        cur.execute("INSERT INTO t VALUES " + ", ".join(
            "(%d, %d, 'n%d')" % (i, i % 50, i % 13) for i in range(base, base + 500)))
    cur.execute("CREATE INDEX t_g ON t (g)")
    return c


def compare(conn, where="g >= -1000000", column="g"):
    """Index scan and table scan in one snapshot: returns the rows (asserting they agree)."""
    conn.set_session(isolation_level="REPEATABLE READ", autocommit=False)
    try:
        cur = conn.cursor()
        cur.execute("EXPLAIN SELECT id, %s FROM t WHERE %s" % (column, where))
        plan = "\n".join(r[0] for r in cur.fetchall())
        via_index = query(conn, "SELECT id, %s FROM t WHERE %s ORDER BY id" % (column, where))
        # The same predicate over an expression no index serves: a table scan.
        full = where.replace(column, ("%s || ''" if column == "note" else "%s + 0") % column)
        via_table = query(conn, "SELECT id, %s FROM t WHERE %s ORDER BY id" % (column, full))
        conn.commit()
    finally:
        conn.rollback()
        conn.set_session(isolation_level="READ COMMITTED", autocommit=True)
    return plan, via_index, via_table


def check(conn, where="g >= -1000000", column="g", index="t_g"):
    plan, via_index, via_table = compare(conn, where, column)
    assert "IndexScan t using %s" % index in plan, plan
    assert via_index == via_table, "index and table disagree: %d rows through the index, %d in the table; " \
        "only in the index: %s; only in the table: %s" % (
            len(via_index), len(via_table), sorted(set(via_index) - set(via_table))[:10],
            sorted(set(via_table) - set(via_index))[:10])
    return via_index


def writer(srv, stop, errors, stats, seed):
    rnd = random.Random(seed)
    c = srv.connect()
    cur = c.cursor()
    while not stop.is_set():
        op = rnd.random()
        i = rnd.randrange(ROWS * 2)
        g = rnd.randrange(60) if rnd.random() < 0.95 else None
        gv = "NULL" if g is None else str(g)
        try:
            if op < 0.25:
                cur.execute("INSERT INTO t VALUES (%d, %s, 'w') ON CONFLICT (id) DO NOTHING" % (i, gv))
            elif op < 0.5:
                cur.execute("UPDATE t SET g = %s WHERE id = %d" % (gv, i))
            elif op < 0.6:
                cur.execute("UPDATE t SET note = 'u' WHERE id = %d" % i)
            elif op < 0.7:
                cur.execute("UPDATE t SET id = id + %d WHERE id = %d" % (ROWS * 2, i))
            elif op < 0.8:
                cur.execute("DELETE FROM t WHERE id = %d" % i)
            elif op < 0.9:
                cur.execute("INSERT INTO t VALUES (%d, %s, 'x') ON CONFLICT (id) DO UPDATE SET g = excluded.g"
                            % (i, gv))
            else:
                cur.execute("BEGIN")
                cur.execute("UPDATE t SET g = g + 1 WHERE g = %d" % rnd.randrange(60))
                cur.execute("DELETE FROM t WHERE g = %d AND id %% 3 = 0" % rnd.randrange(60))
                cur.execute("COMMIT" if rnd.random() < 0.7 else "ROLLBACK")
            stats["writes"] += 1
        except psycopg2.Error as e:
            # A concurrent index build's fence, a deadlock, or a key change onto a key that is taken (as in
            # PostgreSQL): the statement failed as a whole; index and table must still agree.
            if e.pgcode in ("40001", "40P01", "23505"):
                stats["retries"] += 1
                try:
                    cur.execute("ROLLBACK")
                except psycopg2.Error:
                    pass
                continue
            if stop.is_set():
                return
            errors.append("writer: %s %s" % (e.pgcode, e))
            return
        except psycopg2.OperationalError:
            return


def concurrent(args):
    with Server(args.server_bin, extra_args=BLOCK_ROWS) as srv:
        setup(srv)
        stop = threading.Event()
        errors = []
        stats = {"writes": 0, "retries": 0, "checks": 0, "vacuums": 0, "builds": 0}
        threads = [threading.Thread(target=writer, args=(srv, stop, errors, stats, s)) for s in range(4)]

        def reader():
            c = srv.connect()
            while not stop.is_set():
                try:
                    check(c, "g >= -1000000")
                    check(c, "g = %d" % random.randrange(60))
                    check(c, "g > 10 AND g < 20")
                    stats["checks"] += 3
                except AssertionError as e:
                    errors.append(str(e))
                    return
                except psycopg2.Error as e:
                    errors.append("reader: %s %s" % (e.pgcode, e))
                    return

        def vacuum():
            c = srv.connect()
            while not stop.is_set():
                c.cursor().execute("VACUUM t")
                stats["vacuums"] += 1
                time.sleep(0.3)

        def builder():
            c = srv.connect()
            cur = c.cursor()
            while not stop.is_set():
                cur.execute("CREATE INDEX t_note ON t (note)")
                stats["builds"] += 1
                conn = srv.connect()
                try:
                    plan, via_index, via_table = compare(conn, "note >= ''", "note")
                    assert "IndexScan t using t_note" in plan, plan
                    assert via_index == via_table, "t_note and the table disagree (%d vs %d rows)" % (
                        len(via_index), len(via_table))
                except AssertionError as e:
                    errors.append(str(e))
                    return
                finally:
                    conn.close()
                cur.execute("DROP INDEX t_note")
                time.sleep(0.2)

        threads += [threading.Thread(target=reader) for _ in range(2)]
        threads += [threading.Thread(target=vacuum), threading.Thread(target=builder)]
        for t in threads:
            t.start()
        # At least OMENDB_INDEX_SECONDS, and on until every kind of work happened often enough (a slow,
        # sanitized or busy build needs longer), at most 120 s: the assertion below then fails.
        start = time.time()
        time.sleep(float(os.environ.get("OMENDB_INDEX_SECONDS", "8")))
        while not errors and time.time() - start < 120 and not (
                stats["writes"] > 100 and stats["checks"] > 10 and stats["builds"] > 1):
            time.sleep(0.5)
        stop.set()
        for t in threads:
            t.join(60)
        assert not errors, errors
        c = srv.connect()
        rows = check(c)
        c.cursor().execute("VACUUM t")
        assert check(c) == rows
        print("    %d writes (%d retried), %d checks, %d seals, %d index builds, %d rows at the end" % (
            stats["writes"], stats["retries"], stats["checks"], stats["vacuums"], stats["builds"], len(rows)))
        assert stats["writes"] > 100 and stats["checks"] > 10 and stats["builds"] > 1, stats


def crash(args):
    cycles = int(os.environ.get("OMENDB_INDEX_CRASH_CYCLES", "3"))
    srv = Server(args.server_bin, extra_args=BLOCK_ROWS, keep=False)
    srv.start()
    try:
        setup(srv)
        for cycle in range(cycles):
            stop = threading.Event()
            errors = []
            stats = {"writes": 0, "retries": 0}
            threads = [threading.Thread(target=writer, args=(srv, stop, errors, stats, cycle * 10 + s))
                       for s in range(3)]

            def vacuum():
                try:
                    c = srv.connect()
                    while not stop.is_set():
                        c.cursor().execute("VACUUM t")
                        time.sleep(0.1)
                except psycopg2.Error:
                    pass

            threads.append(threading.Thread(target=vacuum))
            for t in threads:
                t.start()
            time.sleep(random.uniform(1.0, 3.0))
            srv.kill()  # SIGKILL in the middle of the writes
            stop.set()
            for t in threads:
                t.join(30)
            srv.start()
            c = srv.connect()
            rows = check(c)
            check(c, "g = 7")
            c.cursor().execute("VACUUM t")
            assert check(c) == rows
            c.close()
            print("    cycle %d: %d writes before the kill, %d rows, index and table agree" % (
                cycle, stats["writes"], len(rows)))
        srv.stop()
    finally:
        srv.cleanup()


def copy(args):
    with Server(args.server_bin) as srv:
        c = setup(srv)
        data = "".join("%d\t%d\tc\n" % (i, i % 50) for i in range(100000, 120000))
        c.cursor().copy_expert("COPY t FROM STDIN", io.StringIO(data))
        rows = check(c, "g = 7")
        assert len(rows) == ROWS // 50 + 20000 // 50, len(rows)
        check(c)


def build_interrupt(args):
    with Server(args.server_bin) as srv:
        c = srv.connect()
        cur = c.cursor()
        cur.execute("CREATE TABLE big (id INT PRIMARY KEY, g INT)")
        for base in range(0, 300000, 5000):
            cur.execute("INSERT INTO big VALUES " + ", ".join(
                "(%d, %d)" % (i, i % 1000) for i in range(base, base + 5000)))
        cur.execute("SET statement_timeout = '30ms'")
        expect_error(c, "CREATE INDEX big_g ON big (g)", "57014")
        cur.execute("SET statement_timeout = 0")
        assert query(c, "SELECT count(*) FROM pg_class WHERE relname = 'big_g'") == [(0,)]
        # A cancel request (psycopg2's cancel from another thread) while the index builds.
        timer = threading.Timer(0.05, c.cancel)
        timer.start()
        expect_error(c, "CREATE INDEX big_g ON big (g)", "57014")
        timer.join()
        assert query(c, "SELECT count(*) FROM pg_class WHERE relname = 'big_g'") == [(0,)]
        cur.execute("CREATE INDEX big_g ON big (g)")
        plan = "\n".join(r[0] for r in query(c, "EXPLAIN SELECT id FROM big WHERE g = 7"))
        assert "IndexScan big using big_g" in plan, plan
        assert query(c, "SELECT count(*) FROM big WHERE g = 7") == [(300,)]


if __name__ == "__main__":
    args = parse_args()
    sys.exit(1 if run_tests([concurrent, crash, copy, build_interrupt], args) else 0)
