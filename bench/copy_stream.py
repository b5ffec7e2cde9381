#!/usr/bin/python3
"""bench/copy_stream.py: rows/s of one large COPY FROM STDIN of narrow time-series rows, over a real connection.

The rows (t bigint primary key, device int, v double precision), in key order, are generated as psycopg2's
copy_expert reads them (no file in memory). Prints the time, rows/s and, with --pid, the server's peak RSS
(VmHWM) before and after. The COPY is its own transaction (autocommit), as an ingest job runs it.

  bench/copy_stream.py --port 5433 --pid $(pgrep -n omendb) 3000000
  bench/copy_stream.py --port 5514 --user postgres --dbname postgres 3000000    (PostgreSQL 15)
"""
import argparse
import time

import psycopg2


class Lines:
    def __init__(self, n):
        self.n, self.i, self.buf = n, 0, b""

    def read(self, size=65536):
        while len(self.buf) < size and self.i < self.n:
            m = min(10000, self.n - self.i)
            self.buf += "".join("%d\t%d\t%d.5\n" % (t, t % 64, t % 1000)
                                for t in range(self.i + 1, self.i + 1 + m)).encode()
            self.i += m
        chunk, self.buf = self.buf[:size], self.buf[size:]
        return chunk

    readline = read


def hwm(pid):
    if not pid:
        return None
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=5433)
    ap.add_argument("--user", default="postgres")
    ap.add_argument("--dbname", default="postgres")
    ap.add_argument("--pid", type=int, default=0, help="the server's process id, for its peak RSS")
    ap.add_argument("--setting", action="append", default=[], help="a SET before the COPY (name=value)")
    ap.add_argument("rows", type=int)
    args = ap.parse_args()
    conn = psycopg2.connect(host=args.host, port=args.port, user=args.user, dbname=args.dbname)
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("DROP TABLE IF EXISTS bench_copy")
    cur.execute("CREATE TABLE bench_copy (t bigint PRIMARY KEY, device int NOT NULL, v double precision)")
    for s in args.setting:
        name, value = s.split("=", 1)
        cur.execute("SET %s = '%s'" % (name, value))
    before = hwm(args.pid)
    started = time.monotonic()
    try:
        cur.copy_expert("COPY bench_copy FROM STDIN", Lines(args.rows))
        outcome = "COPY %d" % cur.rowcount
    except psycopg2.Error as e:
        outcome = "failed: %s %s" % (e.pgcode, str(e).splitlines()[0])
    elapsed = time.monotonic() - started
    after = hwm(args.pid)
    print("%s in %.1f s: %.0f rows/s%s" % (outcome, elapsed, args.rows / elapsed,
                                             "" if before is None else "; peak RSS %d MB -> %d MB" % (before, after)))
    cur.execute("DROP TABLE bench_copy")


if __name__ == "__main__":
    main()
