"""One-dimensional arrays through real drivers: psycopg2 (lists sent as ARRAY[...] literals, results parsed
from PostgreSQL's '{...}' text), psycopg 3 in text and binary formats (lists bound as int4[] / text[] ...
parameters, results in array_send's binary layout), NULLs, quoting, empty arrays, arrays in a table,
= ANY(%s) with a list parameter.

    /usr/bin/python3 tests/integration/test_arrays.py --server-bin build/omendb
    /usr/bin/python3 tests/integration/test_arrays.py --host 127.0.0.1 --port 5432 --user postgres --dbname postgres

The second form runs the same checks against a real PostgreSQL 15 (they pass there too).
"""

import datetime
import sys
from decimal import Decimal

import psycopg
import psycopg2

from harness import run_main

TEXTS = ["plain", "two words", 'a "quote"', "back\\slash", "", "NULL", "null", "{braces}", "com,ma", "ünïcödé", None]
INTS = [1, -2, None, 2147483647, -2147483648]
BIGINTS = [9223372036854775807, -9223372036854775808, 0]
FLOATS = [1.5, -0.0, 1e-300, float("inf"), float("-inf")]
NUMERICS = [Decimal("1.10"), Decimal("-12345678901234567890.5"), Decimal("0"), None]
BOOLS = [True, False, None]
DATES = [datetime.date(2024, 2, 29), datetime.date(1999, 12, 31)]


def test_psycopg2(args):
    conn = psycopg2.connect(host=args.host, port=args.port, user=args.user, dbname=args.dbname)
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("DROP TABLE IF EXISTS arr_pg2")
    cur.execute("CREATE TABLE arr_pg2 (id int PRIMARY KEY, i int[], b bigint[], t text[], f float8[], "
                "n numeric[], z bool[], d date[])")
    rows = [(1, INTS, BIGINTS, TEXTS, FLOATS, NUMERICS, BOOLS, DATES),
            (2, [], [], [], [], [], [], []),
            (3, None, None, None, None, None, None, None)]
    # psycopg2 sends an empty list as '{}' and others as ARRAY[...]
    cur.executemany("INSERT INTO arr_pg2 VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", rows)
    cur.execute("SELECT id, i, b, t, f, n, z, d FROM arr_pg2 ORDER BY id")
    got = cur.fetchall()
    assert got == rows, got
    # a list parameter with = ANY
    cur.execute("SELECT id FROM arr_pg2 WHERE %s = ANY(t) ORDER BY id", ("two words",))
    assert cur.fetchall() == [(1,)]
    cur.execute("SELECT %s = ANY(%s), %s <> ALL(%s)", (3, [1, 2, None], 3, [1, 2]))
    assert cur.fetchone() == (None, True)
    cur.execute("SELECT i[1], i[3], i[9], t[2], cardinality(t) FROM arr_pg2 WHERE id = 1")
    assert cur.fetchone() == (1, None, None, "two words", len(TEXTS))
    cur.execute("SELECT ARRAY(SELECT id FROM arr_pg2 ORDER BY id DESC), array_agg(id) FROM arr_pg2")
    a, b = cur.fetchone()
    assert a == [3, 2, 1] and sorted(b) == [1, 2, 3], (a, b)
    cur.execute("SELECT '{1,2}'::int[]::text, array_to_string(ARRAY['a', NULL, 'c'], '-', '?')")
    assert cur.fetchone() == ("{1,2}", "a-?-c")
    cur.execute("SELECT '[0:1]={5,6}'::int[]::text, ('[0:1]={5,6}'::int[])[0]")
    assert cur.fetchone() == ("[0:1]={5,6}", 5)
    conn.close()


def test_psycopg3_text_and_binary(args):
    with psycopg.connect(host=args.host, port=args.port, user=args.user, dbname=args.dbname,
                         autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS arr_pg3")
        conn.execute("CREATE TABLE arr_pg3 (id int PRIMARY KEY, i int[], b bigint[], t text[], f float8[], "
                     "n numeric[], z bool[], d date[])")
        for binary in (False, True):
            with conn.cursor(binary=binary) as cur:
                cur.execute("DELETE FROM arr_pg3")
                rows = [(1, INTS, BIGINTS, TEXTS, FLOATS, NUMERICS, BOOLS, DATES),
                        (2, [], [], [], [], [], [], [])]
                cur.executemany("INSERT INTO arr_pg3 VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", rows)
                cur.execute("SELECT id, i, b, t, f, n, z, d FROM arr_pg3 ORDER BY id")
                got = cur.fetchall()
                assert got == rows, (binary, got)
                cur.execute("SELECT id FROM arr_pg3 WHERE %s = ANY(i) ORDER BY id", (2147483647,))
                assert cur.fetchall() == [(1,)], binary
                cur.execute("SELECT %s::int[] = %s::int[]", ([1, None], [1, None]))
                assert cur.fetchone() == (True,), binary
        # a malformed array parameter: 22P02 with PostgreSQL's detail, and the session goes on
        with conn.cursor() as cur:
            try:
                cur.execute("SELECT %s::text::int[]", ("{1,",))
                raise AssertionError("bad array accepted")
            except psycopg.Error as e:
                assert e.sqlstate == "22P02", e.sqlstate
                assert e.diag.message_detail == "Unexpected end of input.", e.diag.message_detail
            cur.execute("SELECT 1")
            assert cur.fetchone() == (1,)


def main():
    return run_main([test_psycopg2, test_psycopg3_text_and_binary])


if __name__ == "__main__":
    sys.exit(1 if main() else 0)
