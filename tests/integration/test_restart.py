#!/usr/bin/python3
"""Durability across restarts: SIGTERM and SIGINT stop the server cleanly (exit code 0, promptly, even
with clients connected), and a restart on the same data dir finds every committed row exactly as before.
Views (their stored query, columns and dependencies) survive too. Also: --version and --help."""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, expect_error, parse_args, query, run_tests  # noqa: E402

TABLES = ["items", "pairs", "bag"]


def snapshot(conn):
    return {
        "items": query(conn, "SELECT id, qty, price, name, flag FROM items ORDER BY id"),
        "pairs": query(conn, "SELECT a, b, v FROM pairs ORDER BY a, b"),
        "bag": sorted(query(conn, "SELECT x, y FROM bag"), key=repr),
        "views": query(conn, "SELECT viewname, definition FROM pg_views WHERE schemaname = 'public' ORDER BY 1"),
        "cheap": query(conn, "SELECT * FROM cheap ORDER BY id"),
        "cheap_names": query(conn, "SELECT * FROM cheap_names ORDER BY 1"),
        # ANALYZE's statistics (docs/schema.md, "ANALYZE"): kept, and a dropped table's gone
        "stats": query(conn, "SELECT tablename::text, attname::text, null_frac::text, avg_width, n_distinct::text, "
                             "correlation::text FROM pg_stats WHERE schemaname = 'public' ORDER BY 1, 2"),
        "reltuples": query(conn, "SELECT relname::text, reltuples::text FROM pg_class "
                                 "WHERE relname IN ('items', 'pairs', 'bag') ORDER BY 1"),
    }


def populate(conn):
    cur = conn.cursor()
    cur.execute("CREATE TABLE items (id BIGINT PRIMARY KEY, qty INT, price DOUBLE PRECISION, name TEXT, flag BOOLEAN)")
    rows = ", ".join("(%d, %d, %s, 'item %d', %s)" % (i, i * 3 % 17, i / 4.0, i, "true" if i % 2 else "false")
                     for i in range(1, 1001))
    cur.execute("INSERT INTO items VALUES " + rows)
    cur.execute("INSERT INTO items VALUES (-1, NULL, NULL, NULL, NULL), (5000000000, -2147483648, -0.0, '', true)")
    cur.execute("UPDATE items SET qty = qty + 100, name = 'updated' WHERE id BETWEEN 10 AND 20")
    cur.execute("UPDATE items SET id = id + 100000 WHERE id > 990 AND id <= 1000")  # key moves
    cur.execute("DELETE FROM items WHERE id % 7 = 0")
    cur.execute("CREATE TABLE pairs (a INT, b TEXT, v DOUBLE PRECISION, PRIMARY KEY (a, b))")
    cur.execute("INSERT INTO pairs VALUES (1, 'x', 1.5), (1, 'y', 2.5), (2, 'x', 1e300), (3, 'héllo', -1e-300)")
    cur.execute("DELETE FROM pairs WHERE a = 1 AND b = 'y'")
    cur.execute("CREATE TABLE bag (x INT, y TEXT)")
    cur.execute("INSERT INTO bag VALUES (1, 'a'), (1, 'a'), (2, NULL), (NULL, 'q''uote')")
    # a dropped table stays dropped, a recreated one has its new schema
    cur.execute("CREATE TABLE gone (k INT PRIMARY KEY)")
    cur.execute("INSERT INTO gone VALUES (1)")
    cur.execute("ANALYZE gone")
    cur.execute("DROP TABLE gone")
    cur.execute("CREATE TABLE again (k INT PRIMARY KEY, old TEXT)")
    cur.execute("DROP TABLE again")
    cur.execute("CREATE TABLE again (n TEXT PRIMARY KEY)")
    cur.execute("INSERT INTO again VALUES ('new')")
    # views: replaced, nested, dropped, and one whose CREATE was rolled back
    cur.execute("CREATE VIEW cheap AS SELECT id, name FROM items WHERE price < 2")
    cur.execute("CREATE OR REPLACE VIEW cheap AS SELECT id, name, qty FROM items WHERE price < 3")
    cur.execute("CREATE VIEW cheap_names (n) AS SELECT name || '!' FROM cheap WHERE id > 5")
    cur.execute("CREATE VIEW dropped_view AS SELECT 1 AS one")
    cur.execute("DROP VIEW dropped_view")
    cur.execute("BEGIN")
    cur.execute("CREATE VIEW rolled_back AS SELECT 1 AS one")
    cur.execute("ROLLBACK")
    cur.execute("ANALYZE items, pairs")
    cur.execute("ANALYZE bag (y)")
    cur.close()


def check_after_restart(conn, before):
    after = snapshot(conn)
    for t in TABLES + ["views", "cheap", "cheap_names", "stats", "reltuples"]:
        assert after[t] == before[t], "table %s differs after restart:\nbefore %r\nafter  %r" % (
            t, before[t][:10], after[t][:10])
    expect_error(conn, "SELECT * FROM gone", "42P01")
    assert query(conn, "SELECT n FROM again") == [("new",)]
    expect_error(conn, "SELECT old FROM again", "42703")
    expect_error(conn, "SELECT * FROM dropped_view", "42P01")
    expect_error(conn, "SELECT * FROM rolled_back", "42P01")
    expect_error(conn, "DROP TABLE items", "2BP01")  # the dependency survived too
    assert len(before["views"]) == 2 and before["cheap"], before["views"]
    # items and pairs analyzed whole (5 + 3 columns), bag only y; gone's statistics went with it
    assert [r[0] for r in before["stats"]].count("items") == 5 and len(before["stats"]) == 9, before["stats"]
    assert before["reltuples"][0] == ("bag", "4"), before["reltuples"]


def restart_with(args, sig):
    base = tempfile.mkdtemp(prefix="omendb-restart-")
    data = os.path.join(base, "data")
    try:
        srv = Server(args.server_bin, data_dir=data).start()
        try:
            conn = srv.connect()
            populate(conn)
            before = snapshot(conn)
            assert len(before["items"]) == 1002 - len([i for i in range(1, 1001) if i % 7 == 0]), len(before["items"])
            idle = srv.connect()  # a client that stays connected across the shutdown
            t0 = time.monotonic()
            code = srv.stop(sig, timeout=10)
            took = time.monotonic() - t0
            assert code == 0, "exit code %s after %s\n%s" % (code, sig.name, srv.log_tail())
            assert took < 10, "shutdown took %.1fs" % took
            print("  %s: clean exit in %.2fs" % (sig.name, took))
            for c in (conn, idle):
                try:
                    c.close()
                except Exception:
                    pass
        finally:
            srv.kill()
        # restart on the same data dir, on another port
        srv2 = Server(args.server_bin, data_dir=data).start()
        try:
            conn = srv2.connect()
            check_after_restart(conn, before)
            # more changes after the restart survive a second restart
            cur = conn.cursor()
            cur.execute("INSERT INTO items VALUES (777777, 1, 1, 'after restart', true)")
            cur.execute("DELETE FROM pairs WHERE a = 2")
            before2 = snapshot(conn)
            conn.close()
            assert srv2.stop(sig, timeout=10) == 0
        finally:
            srv2.kill()
        srv3 = Server(args.server_bin, data_dir=data).start()
        try:
            conn = srv3.connect()
            check_after_restart(conn, before2)
            conn.close()
            assert srv3.stop(signal.SIGTERM, timeout=10) == 0
        finally:
            srv3.kill()
            srv3.cleanup()
        srv2.cleanup()
        srv.cleanup()
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_restart_sigterm(args):
    restart_with(args, signal.SIGTERM)


def test_restart_sigint(args):
    restart_with(args, signal.SIGINT)


def test_version_and_help(args):
    r = subprocess.run([args.server_bin, "--version"], capture_output=True, text=True, timeout=10)
    assert r.returncode == 0, r
    assert re.search(r"^omendb \d+\.\d+\.\d+\s*$", r.stdout, re.M), repr(r.stdout)
    assert "omendb 0.1.0" in r.stdout, repr(r.stdout)
    r = subprocess.run([args.server_bin, "--help"], capture_output=True, text=True, timeout=10)
    assert r.returncode == 0, r
    for opt in ("--data-dir", "--port", "--listen", "--workers", "--max-message-bytes", "--max-row-bytes", "--log-level"):
        assert opt in r.stdout, "--help does not mention %s:\n%s" % (opt, r.stdout)
    r = subprocess.run([args.server_bin, "--no-such-option"], capture_output=True, text=True, timeout=10)
    assert r.returncode != 0, "an unknown option should fail"


def test_port_in_use(args):
    """A second server on a busy port fails to start with a message, instead of hanging."""
    with Server(args.server_bin) as srv:
        base = tempfile.mkdtemp(prefix="omendb-busy-")
        try:
            r = subprocess.run([args.server_bin, "--data-dir", os.path.join(base, "d"), "--port", str(srv.port),
                                "--listen", "127.0.0.1"], capture_output=True, text=True, timeout=20)
            assert r.returncode != 0, "second server on a busy port exited with 0"
            conn = srv.connect()
            assert query(conn, "SELECT 1") == [(1,)]
            conn.close()
        finally:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(1 if run_tests([test_version_and_help, test_restart_sigterm, test_restart_sigint, test_port_in_use],
                            parse_args()) else 0)
