#!/usr/bin/python3
"""Sealed column blocks over a real server (docs/columnar.md).

1. Snapshots: REPEATABLE READ readers hold snapshots while VACUUM seals the table again and again and
   writers move money between rows (40001 retried), insert rows with balance 0 and delete rows whose
   balance is 0. Every reader's (count, sum(bal), sum(bal * id)) stays constant inside its transaction,
   sum(bal) is always the initial total, and the final table has exactly the rows the writers' acknowledged
   statements leave.
2. Background sealing: with --seal-interval 1 --seal-min-rows 500 the server seals a table by itself
   (EXPLAIN shows its blocks) and the answers stay the same. By age (docs/columnar.md, "Sealing by age"):
   with --seal-interval 1, a table WITH (seal_after = '2 seconds') is sealed by itself (the size trigger
   set out of reach), a table with seal_after '1 hour' and one with 'off' are not, whatever rounds ran;
   updates and appends to the sealed table are folded once old enough; ALTER TABLE SET / RESET change it;
   every answer stays the same throughout.
3. Crash: VACUUM runs in a loop while a writer inserts and deletes rows; the server is SIGKILLed at a
   random moment (OMENDB_COLUMNAR_CRASH_CYCLES cycles, default 4) and restarted on the same data dir:
   every acknowledged insert and delete is there, nothing else changed (the statement in flight at the
   kill may have gone either way).
"""

import os
import random
import sys
import threading
import time

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, parse_args  # noqa: E402

ROWS = 3000
BLOCK_ROWS = ["--seal-block-rows", "64"]


def connect(srv):
    c = srv.connect()
    c.autocommit = True
    return c


def snapshots(args):
    with Server(args.server_bin, extra_args=BLOCK_ROWS) as srv:
        c = connect(srv)
        cur = c.cursor()
        cur.execute("CREATE TABLE acc (id INT PRIMARY KEY, bal BIGINT NOT NULL, note TEXT)")
        for base in range(0, ROWS, 500):
            cur.execute("INSERT INTO acc VALUES " + ", ".join(
                "(%d, 100, 'n%d')" % (i, i % 7) for i in range(base, base + 500)))
        total = ROWS * 100
        cur.execute("VACUUM acc")

        stop = threading.Event()
        errors = []
        stats = {"reads": 0, "snapshots": 0, "vacuums": 0, "transfers": 0, "inserts": 0, "deletes": 0}
        inserted, deleted = set(), set()
        lock = threading.Lock()

        def guard(fn):
            def run(*a):
                try:
                    fn(*a)
                except Exception as e:  # noqa: BLE001 - reported by the main thread
                    errors.append(repr(e))
                    stop.set()
            return run

        @guard
        def reader():
            conn = connect(srv)
            cur = conn.cursor()
            while not stop.is_set():
                cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
                cur.execute("SELECT count(*), sum(bal), sum(bal * id) FROM acc")
                first = cur.fetchone()
                assert first[1] == total, "sum(bal) %s != %s" % (first[1], total)
                cur.execute("SELECT count(*), sum(bal) FROM acc WHERE id >= 1000 AND id < 2000")
                first_range = cur.fetchone()
                for _ in range(6):
                    time.sleep(0.05)
                    cur.execute("SELECT count(*), sum(bal), sum(bal * id) FROM acc")
                    again = cur.fetchone()
                    assert again == first, "snapshot changed: %s then %s" % (first, again)
                    cur.execute("SELECT count(*), sum(bal) FROM acc WHERE id >= 1000 AND id < 2000")
                    assert cur.fetchone() == first_range, "range changed inside a snapshot"
                    with lock:
                        stats["reads"] += 1
                cur.execute("COMMIT")
                with lock:
                    stats["snapshots"] += 1

        @guard
        def writer(seed):
            r = random.Random(seed)
            conn = connect(srv)
            cur = conn.cursor()
            next_id = 100000 * (seed + 1)
            while not stop.is_set():
                x = r.random()
                try:
                    if x < 0.6:
                        a, b = r.randrange(ROWS), r.randrange(ROWS)
                        # REPEATABLE READ: the read-then-write below must not lose a concurrent update
                        # (at READ COMMITTED it would, in PostgreSQL as here); a conflict is 40001.
                        cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
                        cur.execute("UPDATE acc SET bal = bal - 7 WHERE id = %d" % a)
                        cur.execute("UPDATE acc SET bal = bal + 7 WHERE id = %d" % b)
                        if cur.rowcount == 1 and a != b:
                            cur.execute("SELECT count(*) FROM acc WHERE id = %d" % a)
                            if cur.fetchone()[0] == 1:
                                cur.execute("COMMIT")
                                with lock:
                                    stats["transfers"] += 1
                                continue
                        cur.execute("ROLLBACK")
                    elif x < 0.8:
                        cur.execute("INSERT INTO acc VALUES (%d, 0, 'fresh')" % next_id)
                        with lock:
                            inserted.add(next_id)
                            stats["inserts"] += 1
                        next_id += 1
                    else:
                        victim = r.randrange(ROWS)
                        cur.execute("DELETE FROM acc WHERE id = %d AND bal = 0" % victim)
                        if cur.rowcount == 1:
                            with lock:
                                deleted.add(victim)
                                stats["deletes"] += 1
                        # make some rows reach 0: move a row's whole balance away
                        # REPEATABLE READ: the read-then-write below must not lose a concurrent update
                        # (at READ COMMITTED it would, in PostgreSQL as here); a conflict is 40001.
                        cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
                        cur.execute("SELECT bal FROM acc WHERE id = %d" % victim)
                        row = cur.fetchone()
                        if row and row[0] > 0:
                            to = r.randrange(ROWS)
                            cur.execute("UPDATE acc SET bal = bal + %d WHERE id = %d" % (row[0], to))
                            if cur.rowcount == 1 and to != victim:
                                cur.execute("UPDATE acc SET bal = 0 WHERE id = %d" % victim)
                                cur.execute("COMMIT")
                                continue
                        cur.execute("ROLLBACK")
                except psycopg2.Error as e:
                    if e.pgcode != "40001":
                        raise
                    if conn.get_transaction_status() != psycopg2.extensions.TRANSACTION_STATUS_IDLE:
                        cur.execute("ROLLBACK")

        @guard
        def vacuumer():
            conn = connect(srv)
            cur = conn.cursor()
            while not stop.is_set():
                cur.execute("VACUUM acc")
                with lock:
                    stats["vacuums"] += 1
                time.sleep(0.1)

        threads = [threading.Thread(target=reader) for _ in range(3)]
        threads += [threading.Thread(target=writer, args=(i,)) for i in range(2)]
        threads.append(threading.Thread(target=vacuumer))
        for t in threads:
            t.start()
        time.sleep(float(os.environ.get("OMENDB_COLUMNAR_SECONDS", "8")))
        stop.set()
        for t in threads:
            t.join()
        assert not errors, errors
        print("snapshots: %s" % stats)
        assert stats["vacuums"] >= 3 and stats["snapshots"] >= 3 and stats["transfers"] > 0, stats
        cur.execute("VACUUM acc")
        cur.execute("SELECT id FROM acc")
        ids = {r[0] for r in cur.fetchall()}
        expect = (set(range(ROWS)) - deleted) | inserted
        assert ids == expect, "rows differ: missing %s, extra %s" % (sorted(expect - ids)[:10], sorted(ids - expect)[:10])
        cur.execute("SELECT sum(bal) FROM acc")
        assert cur.fetchone()[0] == total


def crash(args):
    cycles = int(os.environ.get("OMENDB_COLUMNAR_CRASH_CYCLES", "4"))
    rng = random.Random(int(os.environ.get("OMENDB_CRASH_SEED", "12")))
    srv = Server(args.server_bin, extra_args=BLOCK_ROWS)
    srv.start()
    try:
        c = connect(srv)
        cur = c.cursor()
        cur.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT, s TEXT)")
        for base in range(0, 20000, 1000):
            cur.execute("INSERT INTO t VALUES " + ", ".join("(%d, %d, 's%d')" % (i, i, i % 11)
                                                            for i in range(base, base + 1000)))
        c.close()
        present = set(range(20000))
        next_id = 1000000
        for cycle in range(cycles):
            acked_ins, acked_del, doubt = set(), set(), set()
            dead = threading.Event()

            def vacuum_loop():
                try:
                    conn = connect(srv)
                    cur = conn.cursor()
                    while not dead.is_set():
                        cur.execute("VACUUM t")
                except psycopg2.Error:
                    pass

            def write_loop(start):
                k = start
                try:
                    conn = connect(srv)
                    cur = conn.cursor()
                    r = random.Random(k)
                    while not dead.is_set():
                        if r.random() < 0.5:
                            ids = list(range(k, k + 50))
                            doubt.update(ids)
                            cur.execute("INSERT INTO t VALUES " + ", ".join("(%d, 0, 'new')" % i for i in ids))
                            doubt.difference_update(ids)
                            acked_ins.update(ids)
                            k += 50
                        else:
                            victim = r.choice(sorted(present - acked_del)[:5000])
                            doubt.add(victim)
                            cur.execute("DELETE FROM t WHERE id = %d" % victim)
                            doubt.discard(victim)
                            acked_del.add(victim)
                except psycopg2.Error:
                    pass

            tv = threading.Thread(target=vacuum_loop)
            tw = threading.Thread(target=write_loop, args=(next_id,))
            tv.start()
            tw.start()
            time.sleep(rng.uniform(0.3, 2.0))
            srv.kill()  # SIGKILL
            dead.set()
            tv.join()
            tw.join()
            srv.start()
            conn = connect(srv)
            cur = conn.cursor()
            cur.execute("SELECT id FROM t")
            ids = {r[0] for r in cur.fetchall()}
            expect = (present | acked_ins) - acked_del
            missing = expect - ids - doubt
            extra = ids - expect - doubt
            assert not missing and not extra, "cycle %d: missing %s extra %s" % (cycle, sorted(missing)[:10], sorted(extra)[:10])
            cur.execute("SELECT count(*), count(s) FROM t WHERE v = 0 OR v > 0")  # every row decodes
            n, ns = cur.fetchone()
            assert n == ns == len(ids)
            present = ids
            next_id += 100000
            conn.close()
            print("crash cycle %d: %d rows, %d inserted, %d deleted acknowledged" %
                  (cycle, len(ids), len(acked_ins), len(acked_del)))
        srv.stop()
    finally:
        srv.cleanup()


def background(args):
    """--seal-interval: the server seals a table by itself once its row store holds --seal-min-rows rows."""
    with Server(args.server_bin, extra_args=BLOCK_ROWS + ["--seal-interval", "1", "--seal-min-rows", "500"]) as srv:
        c = connect(srv)
        cur = c.cursor()
        cur.execute("CREATE TABLE b (id INT PRIMARY KEY, v INT)")
        cur.execute("INSERT INTO b VALUES " + ", ".join("(%d, %d)" % (i, i % 10) for i in range(5000)))
        cur.execute("DELETE FROM b WHERE id < 100")
        deadline = time.monotonic() + 30
        plan = ""
        while time.monotonic() < deadline:
            cur.execute("EXPLAIN SELECT sum(v) FROM b")
            plan = "\n".join(r[0] for r in cur.fetchall())
            if "sealed:" in plan:
                break
            time.sleep(0.2)
        assert "sealed:" in plan, "no background seal within 30 s:\n" + plan
        cur.execute("SELECT count(*), sum(v), min(id) FROM b")
        assert cur.fetchone() == (4900, sum(i % 10 for i in range(100, 5000)), 100)


def by_age(args):
    """seal_after: rows older than a table's seal_after are sealed by the background sealer, younger ones not."""
    srv = Server(args.server_bin, extra_args=BLOCK_ROWS + ["--seal-interval", "1", "--seal-min-rows", "100000000"])
    cur = None

    def answers(t):
        cur.execute("SELECT count(*), sum(v), sum(v::bigint * id), min(id), max(id), "
                    "count(*) FILTER (WHERE s = 's3') FROM %s" % t)
        whole = cur.fetchone()
        cur.execute("SELECT count(*), sum(v) FROM %s WHERE id >= 500 AND id < 700" % t)
        return whole, cur.fetchone()

    def sealed(t):
        cur.execute("SELECT blocks, sealed_rows FROM omendb_sealed_tables WHERE relname = %s", (t,))
        r = cur.fetchone()
        return r if r else (0, 0)

    def wait_until(cond, what, t):
        expected = answers(t)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert answers(t) == expected, "answers changed while waiting for " + what
            if cond():
                return
            time.sleep(0.2)
        raise AssertionError("not within 30 s: " + what)

    def row_store_rows(t):
        cur.execute("EXPLAIN ANALYZE SELECT sum(v) FROM %s" % t)
        plan = "\n".join(r[0] for r in cur.fetchall())
        return int(plan.split("from the row store ")[1].split(";")[0])

    try:
        srv.start()
        cur = connect(srv).cursor()
        for name, after in (("aged", "'2 seconds'"), ("young", "'1 hour'"), ("never", "off")):
            cur.execute("CREATE TABLE %s (id INT PRIMARY KEY, v INT, s TEXT) WITH (seal_after = %s)" % (name, after))
            cur.execute("INSERT INTO %s SELECT i, i %% 10, 's' || (i %% 7) FROM generate_series(0, 1999) i" % name)
        cur.execute("SELECT relname, reloptions FROM pg_class WHERE relname IN ('aged', 'young', 'never') "
                    "ORDER BY relname")
        assert cur.fetchall() == [("aged", ["seal_after=2 seconds"]), ("never", ["seal_after=off"]),
                                  ("young", ["seal_after=1 hour"])]
        expected = answers("aged")
        assert answers("young") == expected and answers("never") == expected
        wait_until(lambda: sealed("aged")[1] == 2000, "age seal of aged", "aged")
        cur.execute("EXPLAIN SELECT sum(v) FROM aged")
        assert "sealed:" in "\n".join(r[0] for r in cur.fetchall())
        # The sealer has run rounds over every table: the younger and the 'off' tables stay in the row store.
        assert sealed("young") == (0, 0) and sealed("never") == (0, 0), (sealed("young"), sealed("never"))
        assert answers("aged") == expected and answers("young") == expected and answers("never") == expected

        # Updates of sealed rows and appends stay in the row store, then are folded once two seconds old.
        cur.execute("UPDATE aged SET v = v + 100 WHERE id < 300")
        cur.execute("INSERT INTO aged SELECT i, 1, 'new' FROM generate_series(2000, 2099) i")
        assert row_store_rows("aged") > 0
        wait_until(lambda: sealed("aged")[1] == 2100 and row_store_rows("aged") == 0, "age seal of the changes",
                   "aged")

        # ALTER TABLE: young now seals after a second; never goes back to the default (10 minutes).
        cur.execute("ALTER TABLE young SET (seal_after = '1 second')")
        cur.execute("ALTER TABLE never RESET (seal_after)")
        cur.execute("SELECT relname, reloptions FROM pg_class WHERE relname IN ('young', 'never') ORDER BY relname")
        assert cur.fetchall() == [("never", None), ("young", ["seal_after=1 second"])]
        wait_until(lambda: sealed("young")[1] == 2000, "age seal of young after ALTER TABLE", "young")
        assert sealed("never") == (0, 0)
        srv.stop()

        # After a restart, commits from before it count as made at the restart: sealed two seconds later.
        srv.start()
        cur = connect(srv).cursor()
        cur.execute("ALTER TABLE never SET (seal_after = '2 s')")
        wait_until(lambda: sealed("never")[1] == 2000, "age seal after a restart", "never")
        assert answers("never") == expected
        srv.stop()
    finally:
        srv.cleanup()
    print("by age: aged, young and never sealed as their seal_after says")


def explain_analyze_counts(args):
    """EXPLAIN ANALYZE of a correlated subquery: its scan, reopened per outer row, reports every run's rows
    (from sealed blocks and the row store) and the number of runs; its operators' actual rows are summed."""
    with Server(args.server_bin, extra_args=BLOCK_ROWS) as srv:
        cur = connect(srv).cursor()
        cur.execute("CREATE TABLE ec (id INT PRIMARY KEY, g INT)")
        cur.execute("INSERT INTO ec SELECT i, i % 3 FROM generate_series(1, 200) i")
        cur.execute("VACUUM ec")
        cur.execute("INSERT INTO ec VALUES (201, 0)")
        cur.execute("EXPLAIN ANALYZE SELECT id, (SELECT count(*) FROM ec b WHERE b.g = a.g AND b.id < a.id) "
                    "FROM ec a WHERE a.id <= 4")
        plan = [r[0] for r in cur.fetchall()]
        # The inner scan reads ids below 1, 2, 3 and 4: 0 + 1 + 2 + 3 rows, in 4 runs.
        scans = [line for line in plan if line.startswith("Scan of ec:")]
        assert len(scans) == 2, plan
        assert "rows from sealed blocks 6, from the row store 0" in scans[0] and scans[0].endswith("(4 scans)"), plan
        assert "rows from sealed blocks 4, from the row store 0" in scans[1], plan
        inner = [line for line in plan if "TableScan ec (range: id < outer.id)" in line]
        assert len(inner) == 1 and inner[0].endswith("(actual rows=6)"), plan
        assert any(line.startswith("Pipeline ") and "(actual time=" in line for line in plan), plan
        assert "Rows: 4" in plan, plan
    print("explain analyze: a correlated scan's rows summed over its 4 runs")


if __name__ == "__main__":
    a = parse_args()
    explain_analyze_counts(a)
    snapshots(a)
    background(a)
    by_age(a)
    crash(a)
    print("ok")
