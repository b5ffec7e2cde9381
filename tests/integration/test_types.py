"""SMALLINT as its own type (docs/types.md, "SMALLINT") through real drivers: psycopg 3 in text and binary
formats (int2 results are two bytes on the wire, RowDescription OID 21 and typlen 2; Python ints bound as
int2 parameters), psycopg2, COPY text, CSV and binary in and out, 22003 on values out of range, and a
sealed columnar block of smallint columns.

    /usr/bin/python3 tests/integration/test_types.py --server-bin build/omendb
    /usr/bin/python3 tests/integration/test_types.py --host 127.0.0.1 --port 5432 --user postgres --dbname postgres

The second form runs the same checks against a real PostgreSQL 15 (they pass there too).
"""

import sys

import psycopg
import psycopg2
from psycopg import errors
from psycopg.types.numeric import Int2

from harness import run_main

VALUES = [0, 1, -1, 255, 256, -256, 32767, -32768, 12345, None]


def connect3(args):
    return psycopg.connect(host=args.host, port=args.port, user=args.user, dbname=args.dbname, autocommit=True)


def test_psycopg3_text_and_binary(args):
    with connect3(args) as conn:
        conn.execute("DROP TABLE IF EXISTS t2_pg3")
        conn.execute("CREATE TABLE t2_pg3 (k smallint PRIMARY KEY, v smallint, a smallint[])")
        for binary in (False, True):
            conn.execute("DELETE FROM t2_pg3")
            cur = conn.cursor(binary=binary)
            rows = [(Int2(i), None if v is None else Int2(v), [v, None]) for i, v in enumerate(VALUES)]
            cur.executemany("INSERT INTO t2_pg3 VALUES (%s, %s, %s)", rows)
            cur.execute("SELECT k, v, a, v * 1::int2 FROM t2_pg3 ORDER BY k")
            assert [d.type_code for d in cur.description] == [21, 21, 1005, 21], cur.description
            assert [d.internal_size for d in cur.description][:2] == [2, 2], cur.description
            got = cur.fetchall()
            assert got == [(i, v, [v, None], v) for i, v in enumerate(VALUES)], got
            # the raw result bytes: two big-endian bytes in binary, the digits in text
            res = conn.pgconn.exec_params(b"SELECT (-2)::int2", [], result_format=1 if binary else 0)
            assert res.ftype(0) == 21 and res.fsize(0) == 2, (res.ftype(0), res.fsize(0))
            assert res.get_value(0, 0) == (b"\xff\xfe" if binary else b"-2"), res.get_value(0, 0)
            # an int2 parameter, bound in binary as two bytes
            cur.execute("SELECT k FROM t2_pg3 WHERE v = %s", (Int2(-32768),))
            assert cur.fetchall() == [(VALUES.index(-32768),)]
            cur.execute("SELECT pg_typeof(%s)::text, %s + %s", (Int2(3), Int2(3), Int2(4)))
            assert cur.fetchone() == ("smallint", 7)
            try:
                cur.execute("SELECT %s + %s", (Int2(32767), Int2(1)))
                raise AssertionError("smallint overflow accepted")
            except errors.NumericValueOutOfRange as e:
                assert str(e).startswith("smallint out of range"), str(e)
            try:
                cur.execute("INSERT INTO t2_pg3 VALUES (%s, %s)", (100, 40000))
                raise AssertionError("40000 stored in a smallint")
            except errors.NumericValueOutOfRange as e:
                assert str(e).startswith("smallint out of range"), str(e)


def test_psycopg2(args):
    conn = psycopg2.connect(host=args.host, port=args.port, user=args.user, dbname=args.dbname)
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("DROP TABLE IF EXISTS t2_pg2")
    cur.execute("CREATE TABLE t2_pg2 (k int PRIMARY KEY, v smallint)")
    cur.executemany("INSERT INTO t2_pg2 VALUES (%s, %s)", list(enumerate(VALUES)))
    cur.execute("SELECT v, pg_typeof(v)::text FROM t2_pg2 WHERE k = 6")
    assert cur.fetchone() == (32767, "smallint")
    assert cur.description[0].type_code == 21
    cur.execute("SELECT sum(v), pg_typeof(sum(v))::text, min(v), max(v) FROM t2_pg2")
    assert cur.fetchone() == (sum(v for v in VALUES if v is not None), "bigint", -32768, 32767)
    try:
        cur.execute("INSERT INTO t2_pg2 VALUES (100, %s)", ("-32769",))
        raise AssertionError("-32769 stored in a smallint")
    except psycopg2.errors.NumericValueOutOfRange as e:
        assert 'value "-32769" is out of range for type smallint' in str(e), str(e)
    conn.close()


def test_copy(args):
    with connect3(args) as conn:
        conn.execute("DROP TABLE IF EXISTS t2_copy")
        conn.execute("CREATE TABLE t2_copy (n int PRIMARY KEY, s smallint, a smallint[])")
        rows = [(i, v, [v, 7]) for i, v in enumerate(VALUES)]
        for fmt in ("", " (FORMAT binary)"):
            cur = conn.cursor()
            cur.execute("DELETE FROM t2_copy")
            with cur.copy("COPY t2_copy FROM STDIN" + fmt) as copy:
                if "binary" in fmt:
                    copy.set_types(["int4", "int2", "int2[]"])
                for r in rows:
                    copy.write_row(r)
            cur.execute("SELECT n, s, a FROM t2_copy ORDER BY n")
            assert cur.fetchall() == rows, fmt
            with cur.copy("COPY (SELECT n, s, a FROM t2_copy ORDER BY n) TO STDOUT" + fmt) as copy:
                if "binary" in fmt:
                    copy.set_types(["int4", "int2", "int2[]"])
                back = list(copy.rows())
            if "binary" in fmt:
                assert back == rows, back
            else:
                assert [r[1] for r in back] == [None if v is None else str(v) for v in VALUES], back
        # CSV in and out
        cur = conn.cursor()
        cur.execute("DELETE FROM t2_copy")
        with cur.copy("COPY t2_copy FROM STDIN (FORMAT csv)") as copy:
            copy.write('1,-32768,"{1,-2}"\n2,,\n3, 32767 ,{}\n')
        out = b""
        with cur.copy("COPY (SELECT n, s, a FROM t2_copy ORDER BY n) TO STDOUT (FORMAT csv)") as copy:
            for data in copy:
                out += bytes(data)
        assert out == b'1,-32768,"{1,-2}"\n2,,\n3,32767,{}\n', out
        # a binary field of the wrong width, a text field out of range
        cur.execute("DELETE FROM t2_copy")
        try:
            with cur.copy("COPY t2_copy (n, s) FROM STDIN") as copy:
                copy.write("1\t32768\n")
            raise AssertionError("32768 copied into a smallint")
        except errors.NumericValueOutOfRange as e:
            assert 'value "32768" is out of range for type smallint' in str(e), str(e)
        try:
            with cur.copy("COPY t2_copy (n, s) FROM STDIN (FORMAT binary)") as copy:
                copy.set_types(["int4", "int4"])
                copy.write_row((1, 5))
            raise AssertionError("a 4-byte int2 field accepted")
        except errors.InvalidBinaryRepresentation:
            pass


def test_columnar(args):
    if not args.omendb:
        return  # VACUUM seals blocks in OmenDB only
    with connect3(args) as conn:
        conn.execute("DROP TABLE IF EXISTS t2_col")
        conn.execute("CREATE TABLE t2_col (ts bigint PRIMARY KEY, s smallint, g smallint)")
        conn.execute("INSERT INTO t2_col SELECT i, ((i * 37) % 65536) - 32768, i % 5 "
                     "FROM generate_series(1, 3000) i")
        want = conn.execute("SELECT sum(s), min(s), max(s), count(*) FILTER (WHERE s < 0) FROM t2_col").fetchone()
        conn.execute("VACUUM t2_col")
        sealed = conn.execute("SELECT blocks, sealed_rows FROM omendb_sealed_tables WHERE relname = 't2_col'")
        assert sealed.fetchone() == (1, 3000), "not sealed"
        codecs = conn.execute("SELECT attname, codecs, bytes_per_value FROM omendb_sealed_columns "
                              "WHERE relname = 't2_col' AND attname = 's'").fetchone()
        assert codecs is not None and codecs[2] <= 2, codecs  # at most two bytes a value
        got = conn.execute("SELECT sum(s), min(s), max(s), count(*) FILTER (WHERE s < 0) FROM t2_col").fetchone()
        assert got == want, (got, want)
        assert conn.execute("SELECT s FROM t2_col WHERE ts = 1000").fetchone() == ((1000 * 37) % 65536 - 32768,)
        assert conn.execute("SELECT count(*) FROM t2_col WHERE s > 32000").fetchone()[0] == \
            sum(1 for i in range(1, 3001) if (i * 37) % 65536 - 32768 > 32000)
        rows = conn.execute("SELECT g, count(*), pg_typeof(min(g))::text FROM t2_col GROUP BY g ORDER BY g").fetchall()
        assert rows == [(g, 600, "smallint") for g in range(5)], rows


def main():
    return run_main([test_psycopg3_text_and_binary, test_psycopg2, test_copy, test_columnar])


if __name__ == "__main__":
    sys.exit(1 if main() else 0)
