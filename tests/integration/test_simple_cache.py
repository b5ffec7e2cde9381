#!/usr/bin/python3
"""The simple protocol's statement cache (docs/architecture.md, "The simple protocol's statement cache").

A SELECT / INSERT / UPDATE / DELETE sent as a simple Query is kept parsed per session under a key of its text
with the literals left out; the same text with other literals reuses the parsed tree with the new values.
SHOW omendb.simple_cache_hits counts those reuses (server-wide). Checked here, over a real socket with
psycopg2 (which sends every statement as a simple Query): the cache is used (the counter moves) for point
lookups, DML and expressions, and not for statements it must not take; error SQLSTATEs and positions are
those of the normal path when a literal's length changes where the error points after it; DDL and
search_path between two runs of one text give the new answer. Runs against PostgreSQL too (--host, --port,
--engine postgresql): then the counter checks are skipped and the answers and positions are PostgreSQL's.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import psycopg2  # noqa: E402
from harness import expect_error, query, run_main_connected  # noqa: E402


def hits(c):
    """SHOW omendb.simple_cache_hits, or None on PostgreSQL."""
    cur = c.cursor()
    try:
        cur.execute("SHOW omendb.simple_cache_hits")
        return int(cur.fetchone()[0])
    except psycopg2.Error:
        return None
    finally:
        cur.close()


def setup(connect):
    c = connect(True)
    cur = c.cursor()
    cur.execute("DROP TABLE IF EXISTS sc_m")
    cur.execute("CREATE TABLE sc_m (device_id INT, ts BIGINT, v DOUBLE PRECISION, PRIMARY KEY (device_id, ts))")
    cur.execute("INSERT INTO sc_m SELECT g % 10, 1700000000 + g, g * 0.5 FROM generate_series(1, 200) g")
    cur.close()
    return c


def test_point_lookups_hit(connect):
    c = setup(connect)
    before = hits(c)
    for i in range(1, 101):
        rows = query(c, "SELECT * FROM sc_m WHERE device_id = %d AND ts = %d" % (i % 10, 1700000000 + i))
        assert rows == [(i % 10, 1700000000 + i, i * 0.5)], rows
    after = hits(c)
    if before is not None:
        # The first run parses; every later one is served from the cache (none of these goes elsewhere).
        assert after - before == 99, (before, after)
    # Literal kinds change: the tree takes each value as the parser would (int4, int8, numeric, text).
    assert query(c, "SELECT * FROM sc_m WHERE device_id = 1 AND ts = 99999999999999999999") == []
    assert query(c, "SELECT * FROM sc_m WHERE device_id = 1 AND ts = 1700000011.0") == [(1, 1700000011, 5.5)]
    assert query(c, "SELECT * FROM sc_m WHERE device_id = 1 AND ts = '1700000021'") == [(1, 1700000021, 10.5)]
    expect_error(c, "SELECT * FROM sc_m WHERE device_id = 1 AND ts = 'x'", "22P02")
    if before is not None:
        # The string literal is another key (a first parse); the numbers and the second string hit.
        assert hits(c) - after == 3, (after, hits(c))
    c.close()


def test_dml_and_expressions_hit(connect):
    c = setup(connect)
    before = hits(c)
    for i in range(5):
        query(c, "INSERT INTO sc_m VALUES (%d, %d, %s)" % (100 + i, i, "1.5" if i % 2 else "2"))
        query(c, "UPDATE sc_m SET v = v + %d WHERE device_id = %d" % (i, 100 + i))
    for i in range(5):
        query(c, "DELETE FROM sc_m WHERE device_id = %d" % (100 + i))
    assert query(c, "SELECT count(*) FROM sc_m WHERE device_id >= 100") == [(0,)]
    if before is not None:
        assert hits(c) - before == 4 + 4 + 4, hits(c) - before
    # Statements the cache does not take: several statements, SET, transaction control.
    before = hits(c)
    for _ in range(3):
        query(c, "SELECT 1; SELECT 2")
        query(c, "SET application_name = 'x'")
        query(c, "BEGIN")
        query(c, "COMMIT")
    if before is not None:
        assert hits(c) == before
    c.close()


def test_error_positions(connect):
    c = setup(connect)
    # The error points after a literal whose length changes between runs of one text: the position is the
    # one of this text, as when it is parsed anew.
    for lit in ("1", "123456", "'a'", "'a much longer string'", "1"):
        sql = "SELECT %s AS x,   nosuch FROM sc_m" % lit
        e = expect_error(c, sql, "42703")
        assert e.diag.statement_position == str(sql.index("nosuch") + 1), (sql, e.diag.statement_position)
    for lit in ("'garbage'", "'g'", "  'a longer garbage'"):
        sql = "SELECT * FROM sc_m WHERE ts =%s" % lit
        e = expect_error(c, sql, "22P02")
        assert e.diag.statement_position == str(sql.index("'") + 1), (sql, e.diag.statement_position)
    for d in ("0", "00", "0.0"):
        expect_error(c, "SELECT 10 / %s FROM sc_m WHERE device_id = 1 AND ts = 1700000001" % d, "22012")
    # A syntax error is libpg_query's: never cached, always the same.
    for _ in range(2):
        e = expect_error(c, "SELECT * FROM sc_m WHERE ts = = 1", "42601")
        assert e.diag.statement_position == "31", e.diag.statement_position
    c.close()


def test_ddl_and_search_path(connect):
    c = connect(True)
    cur = c.cursor()
    cur.execute("DROP TABLE IF EXISTS sc_t")
    cur.execute("DROP SCHEMA IF EXISTS sc_s CASCADE")
    cur.execute("CREATE TABLE sc_t (a INT)")
    cur.execute("INSERT INTO sc_t VALUES (5), (7)")
    assert query(c, "SELECT a FROM sc_t WHERE a = '5'") == [(5,)]
    assert query(c, "SELECT a FROM sc_t WHERE a = '7'") == [(7,)]
    cur.execute("DROP TABLE sc_t")
    cur.execute("CREATE TABLE sc_t (a TEXT)")
    cur.execute("INSERT INTO sc_t VALUES ('05'), ('5')")
    # The same text, now over a text column: '5' is text, not an integer.
    assert query(c, "SELECT a FROM sc_t WHERE a = '5'") == [("5",)]
    cur.execute("CREATE SCHEMA sc_s")
    cur.execute("CREATE TABLE sc_s.sc_t (a TEXT)")
    cur.execute("INSERT INTO sc_s.sc_t VALUES ('5'), ('5')")
    cur.execute("SET search_path = sc_s, public")
    assert query(c, "SELECT a FROM sc_t WHERE a = '5'") == [("5",), ("5",)]
    cur.execute("RESET search_path")
    assert query(c, "SELECT a FROM sc_t WHERE a = '5'") == [("5",)]
    cur.execute("DROP SCHEMA sc_s CASCADE")
    cur.execute("DROP TABLE sc_t")
    expect_error(c, "SELECT a FROM sc_t WHERE a = '5'", "42P01")
    c.close()


if __name__ == "__main__":
    sys.exit(1 if run_main_connected([test_point_lookups_hit, test_dml_and_expressions_hit, test_error_positions,
                                      test_ddl_and_search_path]) else 0)
