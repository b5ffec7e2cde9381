#!/usr/bin/python3
"""statement_timeout is enforced: a statement running past it fails with 57014 "canceling statement due to
statement timeout" (checked per scan batch and per result row, like a cancel request), inside a
transaction block the block is aborted (25P02 until ROLLBACK), the session goes on, and 0 turns it off."""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import psycopg2  # noqa: E402
from harness import Server, expect_error, parse_args, query, run_tests  # noqa: E402

ROWS = 200000


class S:
    conn = None
    srv = None


def slow_query():
    # Enough work to take well over 50 ms anywhere: a sort of every row by a computed key.
    return "SELECT id, v * 7 % 1000 AS k FROM big ORDER BY k, id DESC"


def test_timeout_cancels_with_57014(args):
    conn = S.conn
    query(conn, "SET statement_timeout = '50ms'")
    t0 = time.monotonic()
    e = expect_error(conn, slow_query(), "57014")
    elapsed = time.monotonic() - t0
    assert "statement timeout" in str(e), e
    print("cancelled after %.3f s" % elapsed)
    # The session goes on. The limit counts parse, plan and compile time too (as in PostgreSQL), so on a
    # loaded CI machine even a tiny query can exceed 50 ms: check the session with a generous limit.
    query(conn, "SET statement_timeout = '60s'")
    assert query(conn, "SELECT count(*) FROM big WHERE id < 10") == [(10,)]
    query(conn, "SET statement_timeout = 0")
    rows = query(conn, slow_query())
    assert len(rows) == ROWS, len(rows)


def test_timeout_aborts_the_block(args):
    conn = S.conn
    query(conn, "SET statement_timeout = 0")  # independent of the previous test's outcome
    conn.autocommit = False
    cur = conn.cursor()
    cur.execute("SET statement_timeout = '50ms'")
    try:
        cur.execute(slow_query())
        raise AssertionError("expected 57014")
    except psycopg2.Error as e:
        assert e.pgcode == "57014", e.pgcode
    try:
        cur.execute("SELECT 1")
        raise AssertionError("expected 25P02")
    except psycopg2.Error as e:
        assert e.pgcode == "25P02", e.pgcode
    conn.rollback()
    cur.execute("SHOW statement_timeout")
    assert cur.fetchall() == [("0",)]  # the SET was rolled back with its block
    conn.rollback()
    conn.autocommit = True


def test_timeouts_from_startup_options(args):
    """statement_timeout, lock_timeout and idle_in_transaction_session_timeout given at connection startup
    (libpq's PGOPTIONS, psycopg2's options=) are the session's settings, as SET would make them (they were
    dropped); a bad value refuses the connection with 22023."""
    conn = S.srv.connect(options="-c statement_timeout=50 -c lock_timeout=1s "
                                 "-c idle_in_transaction_session_timeout=5min")
    try:
        assert query(conn, "SHOW statement_timeout") == [("50ms",)]
        assert query(conn, "SHOW lock_timeout") == [("1s",)]
        assert query(conn, "SHOW idle_in_transaction_session_timeout") == [("5min",)]
        expect_error(conn, slow_query(), "57014")
        query(conn, "RESET ALL")  # back to the startup values, as PostgreSQL
        assert query(conn, "SHOW statement_timeout") == [("50ms",)]
    finally:
        conn.close()
    try:
        S.srv.connect(options="-c statement_timeout=bogus").close()
        raise AssertionError("a bad startup statement_timeout was accepted")
    except psycopg2.Error as e:
        assert e.pgcode == "22023" or "22023" in str(e) or "invalid value" in str(e), e


def main():
    args = parse_args()
    with Server(args.server_bin) as srv:
        S.srv = srv
        S.conn = srv.connect()
        cur = S.conn.cursor()
        cur.execute("CREATE TABLE big (id BIGINT PRIMARY KEY, v INT)")
        for start in range(0, ROWS, 20000):
            cur.execute("INSERT INTO big VALUES " +
                        ", ".join("(%d, %d)" % (i, i % 977) for i in range(start, start + 20000)))
        failed = run_tests([test_timeout_cancels_with_57014, test_timeout_aborts_the_block,
                            test_timeout_in_nested_loop, test_timeout_in_joins_of_small_tables,
                            test_cancel_in_joins_of_small_tables, test_timeout_inside_one_value,
                            test_cancel_inside_one_value, test_global_regexp_replace_is_linear,
                            test_timeouts_from_startup_options], args)
        S.conn.close()
    sys.exit(1 if failed else 0)


def test_timeout_in_nested_loop(args):
    """A nested loop join's pass over its build rows checks too, not only each probe batch: 1024 probe
    rows times 50,000 build rows is 51 million row pairs between two batches (soak test, 35 s late)."""
    conn = S.conn
    query(conn, "SET statement_timeout = '200ms'")
    t0 = time.monotonic()
    expect_error(conn, "SELECT count(*) FROM big a, (SELECT v FROM big WHERE id < 50000) b WHERE a.v + b.v < 0",
                 "57014")
    elapsed = time.monotonic() - t0
    print("nested loop cancelled after %.3f s" % elapsed)
    # Without the checks it runs 10^10 row pairs (tens of seconds); generous for a loaded machine.
    assert elapsed < 10, elapsed
    query(conn, "SET statement_timeout = 0")


def small_tables(conn):
    query(conn, "CREATE TABLE IF NOT EXISTS ten (k INT PRIMARY KEY, same INT)")
    query(conn, "DELETE FROM ten")
    query(conn, "INSERT INTO ten VALUES " + ", ".join("(%d, 1)" % i for i in range(10)))
    query(conn, "CREATE TABLE IF NOT EXISTS skew (k INT PRIMARY KEY, same INT)")
    query(conn, "DELETE FROM skew")
    query(conn, "INSERT INTO skew VALUES " + ", ".join("(%d, 7)" % i for i in range(2000)))


# 10^10 row pairs, all inside one probe batch: each nested loop's build side has 10 rows, so a check per
# probe row's pass (the old code: every 4096th build row) never came. Found when a server stop waited
# 36 s for this query.
CROSS_TEN = "SELECT count(*) FROM ten a, ten b, ten c, ten d, ten e, ten f, ten g, ten h, ten i, ten j"
# 8 * 10^9 row pairs through hash joins whose every probe row meets a 2,000-entry chain of equal keys.
SKEWED = ("SELECT count(*) FROM skew a JOIN skew b ON a.same = b.same JOIN skew c ON b.same = c.same "
          "WHERE a.k + b.k + c.k < 0")
# Endless recursions: one row per iteration, computed, and walked through a table (each iteration checks).
ENDLESS = "WITH RECURSIVE r(n) AS (SELECT 1::bigint UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r"
ENDLESS_WALK = ("WITH RECURSIVE w(n) AS (SELECT 0 UNION ALL SELECT (w.n + 1) % 10 FROM w JOIN ten ON ten.k = w.n) "
                "SELECT count(*) FROM w")


def test_timeout_in_joins_of_small_tables(args):
    conn = S.conn
    small_tables(conn)
    for sql in (CROSS_TEN, SKEWED, ENDLESS, ENDLESS_WALK):
        query(conn, "SET statement_timeout = '200ms'")
        t0 = time.monotonic()
        expect_error(conn, sql, "57014")
        elapsed = time.monotonic() - t0
        print("%s... ended by statement_timeout after %.3f s" % (sql[:40], elapsed))
        # Without the checks these run for a minute or more; generous for a loaded machine.
        assert elapsed < 10, elapsed
        query(conn, "SET statement_timeout = 0")


def cancelled(conn, sql):
    """Runs `sql`, which must end with 57014, while another thread sends cancel requests: again every
    second until the statement ends, since a first request that beats the Query message to the server is
    ignored, as in PostgreSQL. Returns the error and the times the requests were sent."""
    ended = threading.Event()
    sent = []

    def cancel():
        while not ended.wait(0.3 if not sent else 1.0):
            conn.cancel()
            sent.append(time.monotonic())
    th = threading.Thread(target=cancel)
    th.start()
    try:
        e = expect_error(conn, sql, "57014")
    finally:
        ended.set()
        th.join()
    return e, sent


def test_cancel_in_joins_of_small_tables(args):
    conn = S.conn
    small_tables(conn)
    for sql in (CROSS_TEN, SKEWED, ENDLESS, ENDLESS_WALK):
        _, sent = cancelled(conn, sql)
        late = time.monotonic() - sent[0]
        print("%s... cancelled %.3f s after the first request (%d sent)" % (sql[:40], late, len(sent)))
        assert late < 10, late


# One row whose value takes long to compute: the loops inside a function poll for cancel and
# statement_timeout (poll_interrupt), as PostgreSQL's CHECK_FOR_INTERRUPTS; before, a statement_timeout
# of 300 ms ended a 100 MB regexp_replace after minutes, and a server stop waited for it.
ONE_LONG_VALUE = [
    # 50 million matches of a regular expression in one text (seconds anywhere).
    "SELECT regexp_count(repeat('abcdefghij', 5000000), '[a-j]')",
    # lpad builds 200 million characters one at a time.
    "SELECT length(lpad('', 200000000, 'ab'))",
]


def test_timeout_inside_one_value(args):
    conn = S.conn
    for sql in ONE_LONG_VALUE:
        query(conn, "SET statement_timeout = '200ms'")
        t0 = time.monotonic()
        e = expect_error(conn, sql, "57014")
        elapsed = time.monotonic() - t0
        assert "statement timeout" in str(e), e
        print("%s... ended by statement_timeout after %.3f s" % (sql[:50], elapsed))
        assert elapsed < 10, elapsed
    query(conn, "SET statement_timeout = 0")


def test_cancel_inside_one_value(args):
    conn = S.conn
    e, sent = cancelled(conn, ONE_LONG_VALUE[0])
    assert "user request" in str(e), e
    late = time.monotonic() - sent[0]
    print("regexp_count cancelled %.3f s after the first request (%d sent)" % (late, len(sent)))
    assert late < 10, late


def test_global_regexp_replace_is_linear(args):
    """PCRE2 checks the whole text's UTF-8 on every match call unless told it was checked: a 'g' replace
    over a 1 MB text with 500,000 matches took minutes (quadratic); now the text is checked once."""
    conn = S.conn
    query(conn, "SET statement_timeout = '60s'")  # a failure is then a 57014, not a hang
    assert query(conn, "SELECT length(regexp_replace(repeat('ab', 500000), 'b', 'cc', 'g')), "
                       "regexp_count(repeat('ab', 500000), 'b')") == [(1500000, 500000)]
    # Invalid UTF-8 never reaches the matcher (text input is checked), and a match after a multi-byte
    # character still starts on a character boundary.
    assert query(conn, "SELECT regexp_replace(repeat('é', 3) || 'x', '', '-', 'g')") == [("-é-é-é-x-",)]
    query(conn, "SET statement_timeout = 0")


if __name__ == "__main__":
    main()
