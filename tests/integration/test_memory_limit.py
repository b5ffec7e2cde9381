#!/usr/bin/python3
"""Per-query memory accounting: a sort or a GROUP BY that needs more than the query's memory limit fails with 53200
"out of memory" (the session, other sessions and the server go on), the limit is a session setting
(SET / SHOW / RESET omendb.query_memory_limit, undone by ROLLBACK), and the server-wide cap
(--query-memory-cap) stops queries that would exceed it together.

A transaction's buffered writes (its write set, savepoint copies and row locks) are counted too, against
omendb.transaction_memory_limit and the same server-wide cap: an INSERT ... SELECT of a huge cross join or an
UPDATE of every row past the limit fails with 53200, leaves its transaction aborted as any error does, and
other sessions go on; open transactions of many sessions, each under its own limit, cannot together pass the
cap."""

import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import psycopg2  # noqa: E402
from harness import Server, expect_error, parse_args, query, run_tests  # noqa: E402

ROWS = 40000  # sorting (id, v, s) keeps 3 Datums of 32 bytes per row plus the text: about 4.5 MB


class S:
    srv = None


def load(conn):
    cur = conn.cursor()
    cur.execute("CREATE TABLE big (id BIGINT PRIMARY KEY, v INT, s TEXT)")
    for start in range(0, ROWS, 2000):  # 2000 rows (~1 MB of write set) per transaction
        cur.execute("INSERT INTO big VALUES " +
                    ", ".join("(%d, %d, 'text-%08d')" % (i, (i * 7919) % 1000, i) for i in range(start, start + 2000)))
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


def test_write_set_over_the_transaction_limit(args):
    """INSERT ... SELECT of a cross join (1.6 billion rows) fails with 53200 once its buffered rows pass
    omendb.transaction_memory_limit; nothing is written; the session and others go on."""
    conn = S.srv.connect()
    assert query(conn, "SHOW omendb.transaction_memory_limit") == [("1GB",)]
    query(conn, "CREATE TABLE w (id BIGINT PRIMARY KEY, v INT, s TEXT)")
    query(conn, "SET omendb.transaction_memory_limit = '1MB'")
    assert query(conn, "SHOW omendb.transaction_memory_limit") == [("1MB",)]
    e = expect_error(conn, "INSERT INTO w SELECT a.id * 100000 + b.id, a.v, a.s FROM big a, big b", "53200")
    assert str(e).startswith("out of memory"), e
    assert e.diag.message_detail == ("The transaction's writes need more than its memory limit of 1 MB "
                                     "(omendb.transaction_memory_limit)."), e.diag.message_detail
    assert "omendb.transaction_memory_limit" in (e.diag.message_hint or ""), e.diag.message_hint
    assert query(conn, "SELECT count(*) FROM w") == [(0,)]
    # Within the limit: fine (and the query limit does not count the written rows).
    query(conn, "SET omendb.query_memory_limit = '1MB'")
    query(conn, "INSERT INTO w SELECT id, v, s FROM big WHERE id < 1000")
    assert query(conn, "SELECT count(*), sum(v) FROM w") == [(1000, sum((i * 7919) % 1000 for i in range(1000)))]
    query(conn, "RESET omendb.query_memory_limit")
    query(conn, "RESET omendb.transaction_memory_limit")
    assert query(conn, "SHOW omendb.transaction_memory_limit") == [("1GB",)]
    query(conn, "DROP TABLE w")
    conn.close()


def test_update_every_row_in_a_block(args):
    """A block that updates every row of `big` past its limit: 53200, the block is aborted (25P02) until
    ROLLBACK, nothing changed; another session updates and reads meanwhile; then the same UPDATE fits a
    larger limit."""
    conn = S.srv.connect()
    other = S.srv.connect()
    conn.autocommit = False
    cur = conn.cursor()
    cur.execute("SET omendb.transaction_memory_limit = '4MB'")
    cur.execute("UPDATE big SET v = v + 1 WHERE id < 100")  # fits
    try:
        cur.execute("UPDATE big SET v = v + 1")
        raise AssertionError("expected 53200")
    except psycopg2.Error as e:
        assert e.pgcode == "53200", (e.pgcode, str(e))
        assert "4 MB" in (e.diag.message_detail or ""), e.diag.message_detail
    # Other sessions are not affected, nor blocked by the rows the failed statement touched.
    other.cursor().execute("UPDATE big SET v = v WHERE id = %d" % (ROWS - 1))
    assert query(other, "SELECT count(*), sum(v) FROM big") == [(ROWS, S.sum_v)]
    try:
        cur.execute("SELECT 1")
        raise AssertionError("expected 25P02")
    except psycopg2.Error as e:
        assert e.pgcode == "25P02", (e.pgcode, str(e))
    conn.rollback()
    assert query(other, "SELECT count(*), sum(v) FROM big") == [(ROWS, S.sum_v)]
    # A savepoint copies the write set: counted, and given back by RELEASE.
    cur.execute("SET omendb.transaction_memory_limit = '64MB'")
    cur.execute("UPDATE big SET v = v + 1")
    cur.execute("SAVEPOINT a")
    cur.execute("RELEASE a")
    conn.rollback()
    cur.execute("SET omendb.transaction_memory_limit = '64MB'")
    cur.execute("UPDATE big SET v = v + 1")
    cur.execute("UPDATE big SET v = v - 1")
    conn.commit()
    assert query(other, "SELECT count(*), sum(v) FROM big") == [(ROWS, S.sum_v)]
    assert query(other, "SHOW omendb.memory_used") == [("0",)]
    conn.close()
    other.close()


def test_transaction_limit_server_option(args):
    with Server(args.server_bin, extra_args=["--transaction-memory-limit", "2"]) as srv:
        conn = srv.connect()
        assert query(conn, "SHOW omendb.transaction_memory_limit") == [("2MB",)]
        query(conn, "CREATE TABLE w (id BIGINT PRIMARY KEY, s TEXT)")
        load(conn)
        e = expect_error(conn, "INSERT INTO w SELECT id, s FROM big", "53200")
        assert "2 MB" in (e.diag.message_detail or ""), e.diag.message_detail
        query(conn, "SET omendb.transaction_memory_limit = '64MB'")
        query(conn, "INSERT INTO w SELECT id, s FROM big")
        assert query(conn, "SELECT count(*) FROM w") == [(ROWS,)]
        assert srv.alive()
        conn.close()


def test_open_transactions_share_the_server_cap(args):
    """Sessions each under their own transaction limit cannot together pass the server-wide cap: with a cap
    of 6 MB and 1 MB per transaction, open transactions holding about 0.7 MB each fill it, the session that
    crosses it fails with 53200 (DETAIL names the cap), and once the others commit it succeeds."""
    with Server(args.server_bin, extra_args=["--query-memory-cap", "6"]) as srv:
        setup = srv.connect()
        load(setup)
        query(setup, "CREATE TABLE w (id BIGINT PRIMARY KEY, s TEXT)")
        sessions, failed = [], None
        for n in range(16):
            c = srv.connect()
            c.autocommit = False
            cur = c.cursor()
            cur.execute("SET omendb.transaction_memory_limit = '1MB'")
            try:
                for chunk in range(14):  # 1400 rows: about 0.7 MB, under this transaction's 1 MB
                    base = n * 100000 + chunk * 100
                    cur.execute("INSERT INTO w VALUES " +
                                ", ".join("(%d, 'row-%06d')" % (base + i, base + i) for i in range(100)))
            except psycopg2.Error as e:
                assert e.pgcode == "53200", (e.pgcode, str(e))
                assert "server's memory cap of 6 MB" in (e.diag.message_detail or ""), e.diag.message_detail
                failed = (n, c)
                break
            sessions.append(c)
        assert failed is not None, "16 sessions of 1400 rows each fitted in a 6 MB cap"
        assert 4 <= len(sessions) <= 12, len(sessions)
        # Queries are under the same cap: this sort fits in 3 MB alone, but not in what is left now.
        sort = "SELECT id, v, s FROM big WHERE id < 8000 ORDER BY v, id"
        e = expect_error(setup, sort, "53200")
        assert "cap" in (e.diag.message_detail or ""), e.diag.message_detail
        for c in sessions:
            c.commit()
            c.close()
        n, c = failed
        c.rollback()
        cur = c.cursor()
        for chunk in range(14):
            base = n * 100000 + chunk * 100
            cur.execute("INSERT INTO w VALUES " +
                        ", ".join("(%d, 'row-%06d')" % (base + i, base + i) for i in range(100)))
        c.commit()
        c.close()
        assert query(setup, "SELECT count(*) FROM w") == [((len(sessions) + 1) * 1400,)]
        assert len(query(setup, sort)) == 8000  # the cap is free again
        assert query(setup, "SHOW omendb.memory_used") == [("0",)]  # everything counted was given back
        assert srv.alive()
        setup.close()


def test_concurrent_writers_under_the_cap(args):
    """8 sessions at once, each inserting in its own transaction until its limit: every statement either
    succeeds or fails with 53200; the server stays up and every committed transaction is complete."""
    with Server(args.server_bin, extra_args=["--query-memory-cap", "4"]) as srv:
        setup = srv.connect()
        query(setup, "CREATE TABLE w (id BIGINT PRIMARY KEY, s TEXT)")
        results, errors = {}, []

        def writer(n):
            try:
                c = srv.connect()
                c.autocommit = False
                cur = c.cursor()
                rows = 0
                try:
                    for chunk in range(20):
                        base = n * 100000 + chunk * 100
                        cur.execute("INSERT INTO w VALUES " +
                                    ", ".join("(%d, 'r')" % (base + i) for i in range(100)))
                        rows += 100
                    c.commit()
                    results[n] = rows
                except psycopg2.Error as e:
                    if e.pgcode != "53200":
                        errors.append(e)
                    c.rollback()
                    results[n] = 0
                c.close()
            except Exception as e:  # noqa: BLE001
                errors.append(e)

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert not errors, errors
        assert len(results) == 8, results
        assert query(setup, "SELECT count(*) FROM w") == [(sum(results.values()),)]
        assert query(setup, "SHOW omendb.memory_used") == [("0",)]
        for n, rows in results.items():
            assert query(setup, "SELECT count(*) FROM w WHERE id >= %d AND id < %d" % (n * 100000, n * 100000 + 2000)) \
                == [(rows,)]
        assert srv.alive()
        setup.close()


def main():
    args = parse_args()
    with Server(args.server_bin) as srv:
        S.srv = srv
        conn = srv.connect()
        load(conn)
        S.sum_v = query(conn, "SELECT sum(v) FROM big")[0][0]
        conn.close()
        failed = run_tests([test_sort_over_the_limit_fails_with_53200, test_group_by_over_the_limit_fails_with_53200,
                            test_setting_is_transactional_and_validated,
                            test_other_sessions_are_not_affected, test_server_wide_cap,
                            test_write_set_over_the_transaction_limit, test_update_every_row_in_a_block,
                            test_transaction_limit_server_option, test_open_transactions_share_the_server_cap,
                            test_concurrent_writers_under_the_cap], args)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
