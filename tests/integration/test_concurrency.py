#!/usr/bin/python3
"""16 client threads, each inserting, updating and reading its own rows at the same time (plus readers of
the whole table); afterwards every row is there and the server is still fine."""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, parse_args, query, run_tests  # noqa: E402

THREADS = 16
BATCHES = 20
PER_BATCH = 50


def worker(srv, n, errors):
    try:
        conn = srv.connect()
        cur = conn.cursor()
        base = n * 1_000_000
        for b in range(BATCHES):
            ids = range(base + b * PER_BATCH, base + (b + 1) * PER_BATCH)
            cur.execute("INSERT INTO t VALUES " + ", ".join("(%d, %d, 'thread %d')" % (i, n, n) for i in ids))
            cur.execute("SELECT count(*) FROM t WHERE id >= %d AND id < %d" % (base, base + 1_000_000))
            got = cur.fetchall()[0][0]
            assert got == (b + 1) * PER_BATCH, "thread %d sees %d of its rows, expected %d" % (n, got, (b + 1) * PER_BATCH)
            cur.execute("UPDATE t SET v = v + 1 WHERE id = %d" % (base + b * PER_BATCH))
            cur.execute("SELECT v FROM t WHERE id = %d" % (base + b * PER_BATCH))
            assert cur.fetchall() == [(n + 1,)]
        cur.execute("DELETE FROM t WHERE id = %d" % (base + 1))
        conn.close()
    except Exception as e:  # reported by the main thread
        errors.append("thread %d: %r" % (n, e))


def reader(srv, stop, errors):
    try:
        conn = srv.connect()
        while not stop.is_set():
            n = query(conn, "SELECT count(*) FROM t")[0][0]
            assert 0 <= n <= THREADS * BATCHES * PER_BATCH
        conn.close()
    except Exception as e:
        errors.append("reader: %r" % e)


def test_concurrent_clients(args):
    with Server(args.server_bin) as srv:
        conn = srv.connect()
        conn.cursor().execute("CREATE TABLE t (id BIGINT PRIMARY KEY, v INT, s TEXT)")
        errors = []
        stop = threading.Event()
        readers = [threading.Thread(target=reader, args=(srv, stop, errors)) for _ in range(2)]
        workers = [threading.Thread(target=worker, args=(srv, n, errors)) for n in range(THREADS)]
        t0 = time.monotonic()
        for t in readers + workers:
            t.start()
        for t in workers:
            t.join(240)
        stop.set()
        for t in readers:
            t.join(30)
        assert not any(t.is_alive() for t in workers + readers), "threads still running after 240 s"
        print("  %d threads done in %.1fs" % (THREADS, time.monotonic() - t0))
        assert not errors, "\n".join(errors)
        assert srv.alive()
        total = THREADS * BATCHES * PER_BATCH - THREADS
        assert query(conn, "SELECT count(*) FROM t") == [(total,)]
        for n in range(THREADS):
            base = n * 1_000_000
            rows = query(conn, "SELECT id, v FROM t WHERE id >= %d AND id < %d ORDER BY id" % (base, base + 1_000_000))
            expected = [(i, n + (1 if (i - base) % PER_BATCH == 0 else 0))
                        for i in range(base, base + BATCHES * PER_BATCH) if i != base + 1]
            assert rows == expected, "thread %d's rows differ" % n
        assert query(conn, "SELECT sum(v) FROM t") == [(sum(n * (BATCHES * PER_BATCH - 1) + BATCHES for n in range(THREADS)),)]
        conn.close()


def test_concurrent_ddl_and_errors(args):
    """Threads creating/dropping their own tables and hitting errors while others insert."""
    with Server(args.server_bin) as srv:
        errors = []

        def ddl(n):
            try:
                c = srv.connect()
                cur = c.cursor()
                for i in range(20):
                    cur.execute("CREATE TABLE tt_%d (k INT PRIMARY KEY, v TEXT)" % n)
                    cur.execute("INSERT INTO tt_%d VALUES (1, 'a'), (2, 'b')" % n)
                    try:
                        cur.execute("INSERT INTO tt_%d VALUES (1, 'dup')" % n)
                        errors.append("thread %d: duplicate accepted" % n)
                    except Exception as e:
                        if getattr(e, "pgcode", None) != "23505":
                            raise
                    cur.execute("SELECT count(*) FROM tt_%d" % n)
                    assert cur.fetchall() == [(2,)]
                    cur.execute("DROP TABLE tt_%d" % n)
                c.close()
            except Exception as e:
                errors.append("ddl thread %d: %r" % (n, e))

        threads = [threading.Thread(target=ddl, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(240)
        assert not errors, "\n".join(errors)
        assert srv.alive()


if __name__ == "__main__":
    sys.exit(1 if run_tests([test_concurrent_clients, test_concurrent_ddl_and_errors], parse_args()) else 0)
