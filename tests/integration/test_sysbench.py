#!/usr/bin/env python3
"""sysbench (Debian's 1.0.20, its pgsql driver: libpq, server-side prepared statements) against a real server
(issue 10, docs/clients.md):

  * oltp_read_write: `prepare` (CREATE TABLE with SERIAL and char(n) columns, multi-row INSERTs, CREATE INDEX),
    `run` with 4 threads for a fixed number of events (point selects, range selects with ORDER BY /
    DISTINCT / sum, index and non-index UPDATEs, DELETE + INSERT of one id, in BEGIN ... COMMIT), once with
    server-side prepared statements (--db-ps-mode=auto, the default) and once without (disable); then the
    table invariants: every id 1..N present exactly once (each transaction deletes an id and inserts it
    again), k and c changed by the updates, no error sysbench could not retry. `cleanup` drops the tables.
  * oltp_point_select and select_random_ranges: read-only runs complete with zero errors.

Runs against PostgreSQL too (`--host 127.0.0.1 --port P --user postgres --dbname postgres --engine
postgresql`). Skipped (exit 77) when sysbench is not installed (scripts/setup.sh installs it).
"""

import re
import shutil
import subprocess
import sys

from harness import connector, query, run_main

TABLES = 2
SIZE = 2000


def sysbench(args, test, command, *extra, timeout=300):
    cmd = ["sysbench", test, "--db-driver=pgsql", "--pgsql-host=%s" % args.host, "--pgsql-port=%d" % args.port,
           "--pgsql-user=%s" % args.user, "--pgsql-db=%s" % args.dbname, "--tables=%d" % TABLES,
           "--table-size=%d" % SIZE] + list(extra) + [command]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    out = r.stdout + r.stderr
    assert r.returncode == 0, "%s exited with %d:\n%s" % (" ".join(cmd), r.returncode, out)
    return out


def counts(out):
    """sysbench's summary: transactions, queries, ignored errors, reconnects."""
    got = {}
    for name in ("transactions", "queries", "ignored errors", "reconnects"):
        m = re.search(r"^\s*%s:\s+(\d+)" % name, out, re.M)
        assert m, "no '%s' in sysbench's output:\n%s" % (name, out)
        got[name] = int(m.group(1))
    return got


def check_tables(connect):
    c = connect(True)
    for t in range(1, TABLES + 1):
        name = "sbtest%d" % t
        # DELETE + INSERT of the same id in every transaction: each id 1..SIZE exactly once afterwards
        assert query(c, "SELECT count(*), count(DISTINCT id), min(id), max(id) FROM %s" % name) == [
            (SIZE, SIZE, 1, SIZE)], name
        assert query(c, "SELECT count(*) FROM %s WHERE c = '' OR pad = ''" % name) == [(0,)]
    c.close()


def test_oltp_read_write(args):
    connect = connector(args)
    sysbench(args, "oltp_read_write", "cleanup")  # from an earlier failed run, if any
    out = sysbench(args, "oltp_read_write", "prepare")
    assert "Creating a secondary index on 'sbtest%d'" % TABLES in out, out
    c = connect(True)
    assert query(c, "SELECT count(*) FROM sbtest1") == [(SIZE,)]
    before = query(c, "SELECT sum(k::bigint), md5(string_agg(c, ',' ORDER BY id)) FROM sbtest1")[0]
    c.close()
    for mode in ("auto", "disable"):
        out = sysbench(args, "oltp_read_write", "run", "--threads=4", "--time=0", "--events=400",
                       "--db-ps-mode=%s" % mode)
        got = counts(out)
        # every event is one transaction of 18 queries + BEGIN / COMMIT; a deadlock or serialization failure
        # sysbench retries counts as an ignored error (PostgreSQL has some too: concurrent updates of one row)
        assert got["transactions"] == 400, (mode, got, out)
        assert got["queries"] >= 400 * 20, (mode, got)
        assert got["reconnects"] == 0, (mode, got)
        assert got["ignored errors"] < 200, (mode, got)
        check_tables(connect)
    c = connect(True)
    after = query(c, "SELECT sum(k::bigint), md5(string_agg(c, ',' ORDER BY id)) FROM sbtest1")[0]
    c.close()
    assert after[1] != before[1], "800 transactions updated no c"  # each updates c of a random row
    sysbench(args, "oltp_read_write", "cleanup")
    c = connect(True)
    assert query(c, "SELECT count(*) FROM pg_class WHERE relname LIKE 'sbtest%'") == [(0,)]
    c.close()


def test_read_only(args):
    sysbench(args, "oltp_point_select", "cleanup")
    sysbench(args, "oltp_point_select", "prepare")
    for test in ("oltp_point_select", "select_random_ranges", "oltp_read_only"):
        out = sysbench(args, test, "run", "--threads=2", "--time=0", "--events=300")
        got = counts(out)
        assert got["transactions"] == 300 and got["ignored errors"] == 0 and got["reconnects"] == 0, (test, got)
    sysbench(args, "oltp_point_select", "cleanup")


if __name__ == "__main__":
    if not shutil.which("sysbench"):
        print("sysbench not installed: skipped")
        sys.exit(77)
    sys.exit(1 if run_main([test_oltp_read_write, test_read_only]) else 0)
