#!/usr/bin/python3
"""Per-query memory accounting: a sort or a GROUP BY that needs more than the query's memory limit fails with 53200
"out of memory" (the session, other sessions and the server go on), the limit is a session setting
(SET / SHOW / RESET omendb.query_memory_limit, undone by ROLLBACK), and the server-wide cap
(--query-memory-cap) stops queries that would exceed it together."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, expect_error, parse_args, query, run_tests  # noqa: E402

ROWS = 40000  # sorting (id, v, s) keeps 3 Datums of 32 bytes per row plus the text: about 4.5 MB


class S:
    srv = None


def load(conn):
    cur = conn.cursor()
    cur.execute("CREATE TABLE big (id BIGINT PRIMARY KEY, v INT, s TEXT)")
    for start in range(0, ROWS, 5000):
        cur.execute("INSERT INTO big VALUES " +
                    ", ".join("(%d, %d, 'text-%08d')" % (i, (i * 7919) % 1000, i) for i in range(start, start + 5000)))
    cur.close()


def test_sort_over_the_limit_fails_with_53200(args):
    conn = S.srv.connect()
    assert query(conn, "SHOW omendb.query_memory_limit") == [("1GB",)]
    query(conn, "SET omendb.query_memory_limit = '1MB'")
    assert query(conn, "SHOW omendb.query_memory_limit") == [("1MB",)]
    e = expect_error(conn, "SELECT id, v, s FROM big ORDER BY v, id", "53200")
    assert "out of memory" in str(e), e
    assert "1 MB" in (e.diag.message_detail or ""), e.diag.message_detail
    # The session goes on: small queries fit, and so does the same sort with a larger limit.
    assert query(conn, "SELECT count(*) FROM big") == [(ROWS,)]
    query(conn, "SET omendb.query_memory_limit = '64MB'")
    rows = query(conn, "SELECT id, v FROM big ORDER BY v, id")
    assert len(rows) == ROWS and rows[0] == (0, 0), rows[:3]
    assert rows == sorted(rows, key=lambda r: (r[1], r[0]))
    query(conn, "RESET omendb.query_memory_limit")
    assert query(conn, "SHOW omendb.query_memory_limit") == [("1GB",)]
    conn.close()


def test_group_by_over_the_limit_fails_with_53200(args):
    # 40,000 groups: each a row of Datums in the aggregation hash table, plus buckets and key text.
    conn = S.srv.connect()
    query(conn, "SET omendb.query_memory_limit = '1MB'")
    for sql in ["SELECT id, count(*), sum(v) FROM big GROUP BY id",
                "SELECT s, max(v) FROM big GROUP BY s",
                "SELECT DISTINCT s FROM big"]:
        e = expect_error(conn, sql, "53200")
        assert "out of memory" in str(e), e
        assert "1 MB" in (e.diag.message_detail or ""), e.diag.message_detail
    # Few groups fit; the session goes on.
    assert query(conn, "SELECT v % 2, count(*) FROM big GROUP BY 1 ORDER BY 1") == [(0, ROWS // 2), (1, ROWS // 2)]
    query(conn, "SET omendb.query_memory_limit = '64MB'")
    rows = query(conn, "SELECT s, max(v) FROM big GROUP BY s ORDER BY s DESC LIMIT 1")
    assert rows == [("text-%08d" % (ROWS - 1), ((ROWS - 1) * 7919) % 1000)], rows
    assert query(conn, "SELECT count(*) FROM big GROUP BY id HAVING count(*) > 1") == []
    query(conn, "RESET omendb.query_memory_limit")
    conn.close()


def test_setting_is_transactional_and_validated(args):
    conn = S.srv.connect()
    conn.autocommit = False
    cur = conn.cursor()
    cur.execute("SET omendb.query_memory_limit = '2048kB'")
    cur.execute("SHOW omendb.query_memory_limit")
    assert cur.fetchall() == [("2MB",)]
    conn.rollback()
    cur.execute("SHOW omendb.query_memory_limit")
    assert cur.fetchall() == [("1GB",)]
    conn.rollback()
    conn.autocommit = True
    expect_error(conn, "SET omendb.query_memory_limit = 'lots'", "22023")
    expect_error(conn, "SET omendb.query_memory_limit = '1kB'", "22023")
    assert query(conn, "SELECT 1") == [(1,)]
    conn.close()


def test_other_sessions_are_not_affected(args):
    low = S.srv.connect()
    other = S.srv.connect()
    query(low, "SET omendb.query_memory_limit = '1MB'")
    expect_error(low, "SELECT id, s FROM big ORDER BY s DESC", "53200")
    rows = query(other, "SELECT id, s FROM big ORDER BY s DESC LIMIT 2")
    assert rows == [(ROWS - 1, "text-%08d" % (ROWS - 1)), (ROWS - 2, "text-%08d" % (ROWS - 2))], rows
    low.close()
    other.close()


def test_server_wide_cap(args):
    # A server whose queries may hold 2 MB together: one big sort fails with 53200, the server goes on.
    with Server(args.server_bin, extra_args=["--query-memory-cap", "2"]) as srv:
        conn = srv.connect()
        load(conn)
        e = expect_error(conn, "SELECT id, v, s FROM big ORDER BY v, id", "53200")
        assert "cap" in (e.diag.message_detail or ""), e.diag.message_detail
        assert query(conn, "SELECT count(*) FROM big") == [(ROWS,)]
        assert srv.alive()
        conn.close()


def main():
    args = parse_args()
    with Server(args.server_bin) as srv:
        S.srv = srv
        conn = srv.connect()
        load(conn)
        conn.close()
        failed = run_tests([test_sort_over_the_limit_fails_with_53200, test_group_by_over_the_limit_fails_with_53200,
                            test_setting_is_transactional_and_validated,
                            test_other_sessions_are_not_affected, test_server_wide_cap], args)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
