#!/usr/bin/python3
"""bench/savepoints.py: the cost of savepoints in one long transaction, over a real connection.

Two patterns (docs/mvcc.md, "Savepoints"):
  release N   SAVEPOINT s; INSERT one row; RELEASE s   N times in one transaction (psql's ON_ERROR_ROLLBACK,
              pgjdbc's autosave, ORMs' nested atomic blocks do this per statement)
  nested N    SAVEPOINT s; INSERT one 100-byte row     N times, never released (N nested savepoints)
Each prints the time at every quarter of N and the total; the cost per row should stay flat as the
transaction grows (a savepoint that copied the write set made the first pattern quadratic, and the second
ran out of transaction memory after a few thousand rows).

  bench/savepoints.py --port 5433 release 40000
  bench/savepoints.py --port 5499 --user postgres --dbname postgres nested 3000   (PostgreSQL 15)
"""
import argparse
import sys
import time

import psycopg2


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=5433)
    ap.add_argument("--user", default="postgres")
    ap.add_argument("--dbname", default="postgres")
    ap.add_argument("mode", choices=("release", "nested"))
    ap.add_argument("rows", type=int)
    args = ap.parse_args()
    c = psycopg2.connect(host=args.host, port=args.port, user=args.user, dbname=args.dbname)
    c.autocommit = True
    cur = c.cursor()
    cur.execute("drop table if exists bench_savepoints")
    cur.execute("create table bench_savepoints (id int primary key, v text)")
    value = "x" if args.mode == "release" else "x" * 100
    marks = []
    t0 = time.monotonic()
    cur.execute("begin")
    try:
        for i in range(args.rows):
            cur.execute("savepoint s")
            cur.execute("insert into bench_savepoints values (%s, %s)", (i, value))
            if args.mode == "release":
                cur.execute("release savepoint s")
            if (i + 1) % max(1, args.rows // 4) == 0:
                marks.append("%d: %.1f s" % (i + 1, time.monotonic() - t0))
        cur.execute("commit")
    except psycopg2.Error as e:
        print("%s %d rows: FAILED at row %d after %.1f s: %s %s (%s)" % (
            args.mode, args.rows, i, time.monotonic() - t0, e.pgcode, str(e).split("\n")[0], ", ".join(marks)))
        cur.execute("rollback")
        return 1
    total = time.monotonic() - t0
    print("%s %d rows: %s; total %.1f s" % (args.mode, args.rows, ", ".join(marks), total))
    cur.execute("drop table bench_savepoints")
    return 0


if __name__ == "__main__":
    sys.exit(main())
