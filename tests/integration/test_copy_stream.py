"""COPY FROM streams in constant memory, all or nothing (docs/copy.md, "Memory of a large COPY"; docs/mvcc.md,
"Spilled writes of a large COPY"): an autocommit COPY of many narrow time-series rows, fed by psycopg2's
copy_expert from a generator (no file held in memory), under an omendb.transaction_memory_limit far below the
rows' size; the server's peak RSS stays bounded; no other session sees a row before the commit; every row is
there after it and after a kill -9 restart; a COPY that fails at a late bad line, and one whose server is
killed mid-stream, leave nothing.

Fast by default (ctest: integration_copy_stream). The long run of the issue (6M rows):
    /usr/bin/python3 tests/integration/test_copy_stream.py --server-bin build/omendb --rows 6000000
"""

import os
import sys
import threading
import time

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, parse_args, query  # noqa: E402

# What the server's peak RSS may grow by during a COPY of any size: RocksDB's memtables (3 x 64 MB) and block
# cache (256 MB) fill up to their sizes whatever the COPY does, the COPY's own buffer is a quarter of the
# transaction memory limit, plus the allocator's slack. Measured growth: 74 MB for 400k rows, 576 MB for 6M,
# 662 MB for 12M; rows held in memory (before spilling) grew it by ~400 MB per million rows.
RSS_GROWTH_BOUND_KB = 800 * 1024


def status_kb(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError("no %s in /proc/%d/status" % (field, pid))


class Lines:
    """A file-like object copy_expert reads: rows t = first .. first + n - 1 in key order, generated as read.
    `bad_at`: that row's v is not a number (22P02). `watch(i)` runs every 100,000 rows."""

    def __init__(self, first, n, bad_at=None, watch=None, delay=0.0):
        self.first, self.n, self.bad_at, self.watch, self.delay = first, n, bad_at, watch, delay
        self.i = 0
        self.buf = b""

    def read(self, size=65536):
        while len(self.buf) < size and self.i < self.n:
            out = []
            for _ in range(min(10000, self.n - self.i)):
                t = self.first + self.i
                v = "oops" if t == self.bad_at else "%d.5" % (t % 1000)
                out.append("%d\t%d\t%s\n" % (t, t % 64, v))
                self.i += 1
                if self.watch and self.i % 100000 == 0:
                    self.watch(self.i)
            self.buf += "".join(out).encode()
            if self.delay:
                time.sleep(self.delay)
        chunk, self.buf = self.buf[:size], self.buf[size:]
        return chunk

    readline = read


def check_rows(conn, n, first=1):
    got = query(conn, "SELECT count(*), min(t), max(t), sum(t), sum(device) FROM ts")[0]
    want = (n, first, first + n - 1, sum(range(first, first + n)), sum(t % 64 for t in range(first, first + n)))
    assert tuple(int(x) for x in got) == want, (got, want)


def main():
    args = parse_args(lambda ap: (ap.add_argument("--rows", type=int, default=400000),
                                  ap.add_argument("--memory-limit", default="16MB")))
    n = args.rows
    srv = Server(args.server_bin)
    with srv:
        conn = srv.connect()
        query(conn, "CREATE TABLE ts (t bigint PRIMARY KEY, device int NOT NULL, v double precision)")
        query(conn, "SET omendb.transaction_memory_limit = '%s'" % args.memory_limit)
        pid = srv.proc.pid
        rss_before = status_kb(pid, "VmRSS")
        hwm_before = status_kb(pid, "VmHWM")

        # Another session never sees a row of the COPY before its commit.
        other = srv.connect()
        seen = []

        def watch(i):
            seen.append(query(other, "SELECT count(*) FROM ts")[0][0])

        started = time.monotonic()
        cur = conn.cursor()
        cur.copy_expert("COPY ts FROM STDIN", Lines(1, n, watch=watch))
        elapsed = time.monotonic() - started
        assert cur.rowcount == n, cur.rowcount
        hwm = status_kb(pid, "VmHWM")
        print("COPY of %d rows under transaction_memory_limit %s: %.1f s, %.0f rows/s; server RSS before %d MB, "
              "peak before %d MB, peak after %d MB (growth %d MB)"
              % (n, args.memory_limit, elapsed, n / elapsed, rss_before // 1024, hwm_before // 1024, hwm // 1024,
                 (hwm - max(rss_before, 0)) // 1024))
        assert seen and all(c == 0 for c in seen), seen
        assert hwm - rss_before < RSS_GROWTH_BOUND_KB, (hwm, rss_before)
        check_rows(conn, n)
        check_rows(other, n)
        other.close()

        # A COPY that fails at a late bad line commits nothing (its spilled rows are dropped).
        cur = conn.cursor()
        try:
            cur.copy_expert("COPY ts FROM STDIN", Lines(n + 1, 300000, bad_at=n + 299990))
            raise AssertionError("the bad line was accepted")
        except psycopg2.Error as e:
            assert e.pgcode == "22P02", (e.pgcode, str(e))
            assert "line 299990" in (e.diag.context or ""), e.diag.context
        check_rows(conn, n)
        # A duplicate of an earlier row far behind the input (out of order) is 23505, nothing committed.
        lines = Lines(n + 1, 200000)
        orig = lines.read
        state = {"sent": False}

        def read(size=65536):
            chunk = orig(size)
            if not chunk and not state["sent"]:
                state["sent"] = True
                return b"%d\t1\t1\n" % (n + 5)
            return chunk
        lines.read = lines.readline = read
        try:
            conn.cursor().copy_expert("COPY ts FROM STDIN", lines)
            raise AssertionError("the duplicate was accepted")
        except psycopg2.Error as e:
            assert e.pgcode == "23505", (e.pgcode, str(e))
        check_rows(conn, n)
        conn.close()

        # kill -9 after the commit: every row is there after the restart.
        srv.kill()
        srv.start()
        conn = srv.connect()
        check_rows(conn, n)

        # kill -9 in the middle of a COPY (rows spilled, no commit): nothing of it after the restart.
        query(conn, "SET omendb.transaction_memory_limit = '%s'" % args.memory_limit)
        result = {}

        def slow_copy():
            try:
                conn.cursor().copy_expert("COPY ts FROM STDIN", Lines(n + 1, 2000000, delay=0.02))
                result["done"] = True
            except psycopg2.Error as e:
                result["error"] = e
        th = threading.Thread(target=slow_copy)
        th.start()
        time.sleep(3)
        assert "done" not in result
        srv.kill()
        th.join(30)
        assert not th.is_alive()
        srv.start()
        conn = srv.connect()
        check_rows(conn, n)
        with open(srv.log_path, "rb") as f:
            assert b"dropping the spilled rows" in f.read(), "the restart found no spilled rows to drop"
        # And the table takes the rows after all.
        query(conn, "SET omendb.transaction_memory_limit = '%s'" % args.memory_limit)
        conn.cursor().copy_expert("COPY ts FROM STDIN", Lines(n + 1, 100000))
        check_rows(conn, n + 100000)
        conn.close()
    print("ok    copy_stream: %d rows streamed, bounded memory, all or nothing across kill -9" % n)


if __name__ == "__main__":
    main()
