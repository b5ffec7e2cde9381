#!/usr/bin/python3
"""VACUUM observes statement_timeout and cancel (as PostgreSQL's does): the seal it runs checks them
between units of work (every few thousand keys or rows) and the compaction after it is cancelled through
RocksDB, so VACUUM ends with 57014 soon after the deadline or the cancel request. What it leaves is
consistent: every row reads back unchanged, writes go on, and a later VACUUM completes and seals all of it.

A table of 300,000 rows is vacuumed with statement_timeouts that grow until one is long enough, so that
the interruptions land at different stages (counting, building blocks, compaction); after each one every
row is checked. Then a cancel request from another thread ends a VACUUM, and a last VACUUM completes.
"""

import io
import os
import sys
import threading
import time

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, parse_args, query, run_tests  # noqa: E402

ROWS = 300000


class S:
    srv = None
    conn = None
    model = {}  # id -> (g, s)


def load(conn):
    buf = io.StringIO()
    for i in range(ROWS):
        g, s = i % 97, "row-%d-%s" % (i, "x" * (i % 40))
        S.model[i] = (g, s)
        buf.write("%d\t%d\t%s\n" % (i, g, s))
    buf.seek(0)
    cur = conn.cursor()
    cur.execute("CREATE TABLE v (id BIGINT PRIMARY KEY, g INT, s TEXT)")
    cur.copy_expert("COPY v FROM STDIN", buf)
    cur.close()


def check_rows(conn, label):
    rows = query(conn, "SELECT count(*), sum(id), sum(g) FROM v")
    want = (len(S.model), sum(S.model), sum(g for g, _ in S.model.values()))
    assert rows == [want], (label, rows, want)
    # every row, exactly
    cur = conn.cursor()
    cur.execute("SELECT id, g, s FROM v ORDER BY id")
    got = {i: (g, s) for i, g, s in cur.fetchall()}
    cur.close()
    assert got == S.model, "%s: rows differ (%d vs %d)" % (label, len(got), len(S.model))


def change_some(conn, round_):
    # Writes between VACUUMs: updates spread over the table and new rows, so the next seal has work.
    query(conn, "UPDATE v SET g = g + 1000 WHERE id %% 5000 = %d" % round_)
    for i in [i for i in S.model if i % 5000 == round_]:
        g, s = S.model[i]
        S.model[i] = (g + 1000, s)
    new = ROWS + 1000 * round_
    query(conn, "INSERT INTO v VALUES " + ", ".join("(%d, 1, 'new')" % i for i in range(new, new + 1000)))
    for i in range(new, new + 1000):
        S.model[i] = (1, "new")


def test_statement_timeout_interrupts_vacuum(args):
    conn = S.conn
    outcomes = []
    timeout_ms = 20
    for round_ in range(1, 12):
        query(conn, "SET statement_timeout = %d" % timeout_ms)
        t0 = time.monotonic()
        try:
            query(conn, "VACUUM v")
            outcomes.append("%d ms: done in %.3f s" % (timeout_ms, time.monotonic() - t0))
            done = True
        except psycopg2.Error as e:
            elapsed = time.monotonic() - t0
            assert e.pgcode == "57014" and "statement timeout" in str(e), e
            outcomes.append("%d ms: 57014 after %.3f s" % (timeout_ms, elapsed))
            assert elapsed < timeout_ms / 1000 + 5, outcomes  # ends soon after the deadline
            done = False
        query(conn, "SET statement_timeout = 0")
        check_rows(conn, outcomes[-1])
        if done:
            break
        change_some(conn, round_)
        timeout_ms *= 2
    print("; ".join(outcomes))
    assert any("57014" in o for o in outcomes), outcomes
    assert "done" in outcomes[-1], "VACUUM never finished: %s" % outcomes


def test_cancel_interrupts_vacuum(args):
    conn = S.conn
    change_some(conn, 40)
    change_some(conn, 41)
    # 200,000 rows more, so that the seal itself has work for the cancel to land in
    buf = io.StringIO()
    for i in range(10 ** 6, 10 ** 6 + 200000):
        S.model[i] = (i % 13, "more-%d" % i)
        buf.write("%d\t%d\tmore-%d\n" % (i, i % 13, i))
    buf.seek(0)
    cur = conn.cursor()
    cur.copy_expert("COPY v FROM STDIN", buf)
    cur.close()
    result = {}

    def run():
        try:
            query(conn, "VACUUM v")
            result["error"] = None
        except psycopg2.Error as e:
            result["error"] = e
        result["end"] = time.monotonic()

    tries = []
    for delay in (0.05, 0.1, 0.2, 0.4):
        th = threading.Thread(target=run)
        th.start()
        time.sleep(delay)
        t_cancel = time.monotonic()
        conn.cancel()
        th.join(60)
        assert not th.is_alive(), "the cancel did not end VACUUM within 60 s"
        e = result["error"]
        if e is None:
            tries.append("cancel after %.2f s: VACUUM had finished" % delay)
            change_some(conn, 42 + len(tries))  # work for the next try
            continue
        assert e.pgcode == "57014" and "user request" in str(e), e
        tries.append("cancel after %.2f s: 57014 %.3f s after the request" % (delay, result["end"] - t_cancel))
        assert result["end"] - t_cancel < 5, tries
        break
    print("; ".join(tries))
    assert "57014" in tries[-1], tries
    check_rows(conn, "after the cancelled VACUUM")
    # A later VACUUM completes and seals every row (the table has no newer versions left).
    t0 = time.monotonic()
    query(conn, "VACUUM v")
    print("full VACUUM: %.3f s" % (time.monotonic() - t0))
    check_rows(conn, "after the last VACUUM")
    # VACUUM VERBOSE reports the rows in blocks: every row is sealed, none left in the row store.
    notices_before = len(conn.notices)
    query(conn, "VACUUM VERBOSE v")
    text = "".join(conn.notices[notices_before:])
    assert "%d rows sealed" % len(S.model) in text and "0 newer row versions kept" in text, text


def main():
    args = parse_args()
    # --seal-interval 0: the 300,000 rows would pass the background sealer's size trigger, and every
    # VACUUM here must find them unsealed.
    with Server(args.server_bin, extra_args=["--seal-block-rows", "1024", "--seal-interval", "0"]) as srv:
        S.srv = srv
        S.conn = srv.connect()
        load(S.conn)
        check_rows(S.conn, "loaded")
        failed = run_tests([test_statement_timeout_interrupts_vacuum, test_cancel_interrupts_vacuum], args)
        S.conn.close()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
