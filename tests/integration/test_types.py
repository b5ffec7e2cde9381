"""SMALLINT and REAL as their own types (docs/types.md, "SMALLINT", "REAL") through real drivers: psycopg 3
in text and binary formats (int2 results are two bytes on the wire, RowDescription OID 21 and typlen 2;
Python ints bound as int2 parameters; real results four bytes, OID 700 and typlen 4, Float4 parameters),
psycopg2, COPY text, CSV and binary in and out, 22003 on values out of range, and a sealed columnar block
of smallint and of real columns (real also through a restart, against a server this script starts).

    /usr/bin/python3 tests/integration/test_types.py --server-bin build/omendb
    /usr/bin/python3 tests/integration/test_types.py --host 127.0.0.1 --port 5432 --user postgres --dbname postgres

The second form runs the same checks against a real PostgreSQL 15 (they pass there too).
"""

import math
import struct
import sys

import psycopg
import psycopg2
from psycopg import errors
from psycopg.types.numeric import Float4, Int2

from harness import Server, run_main

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


# REAL: values as PostgreSQL 15 prints them (float4out) and as Python reads the float back.
REALS = [("3.14159265358979", "3.1415927"), ("0.1", "0.1"), ("-0", "-0"), ("1e-45", "1e-45"),
         ("3.4028235e38", "3.4028235e+38"), ("16777217", "1.6777216e+07"), ("1e6", "1e+06"),
         ("NaN", "NaN"), ("-Infinity", "-Infinity"), (None, None)]


def f32(x):
    """The float4 nearest x, as a Python float (what a driver reads back)."""
    return struct.unpack("<f", struct.pack("<f", float(x)))[0]


def same_float(a, b):
    return (a is None and b is None) or (a is not None and b is not None and
                                         (a == b or (math.isnan(a) and math.isnan(b))) and
                                         math.copysign(1, a) == math.copysign(1, b))


def test_real_psycopg3(args):
    with connect3(args) as conn:
        conn.execute("DROP TABLE IF EXISTS t4_pg3")
        conn.execute("CREATE TABLE t4_pg3 (k int PRIMARY KEY, v real, a real[])")
        conn.execute("INSERT INTO t4_pg3 SELECT i, v::real, ARRAY[v::real, NULL] FROM "
                     "(VALUES %s) x(i, v)" % ", ".join("(%d, %s)" % (i, "NULL" if v is None else "'%s'" % v)
                                                      for i, (v, _) in enumerate(REALS)))
        for binary in (False, True):
            cur = conn.cursor(binary=binary)
            cur.execute("SELECT v, a, v - 1::real, v::float8 FROM t4_pg3 ORDER BY k")
            assert [d.type_code for d in cur.description] == [700, 1021, 700, 701], cur.description
            assert cur.description[0].internal_size == 4, cur.description
            for (v, a, v1, v8), (text, out) in zip(cur.fetchall(), REALS):
                exact = None if text is None else f32(text)
                # binary: the float itself; text: Python's reading of float4out's shortest text
                want = exact if binary or out is None else float(out)
                assert same_float(v, want) and same_float(v8, exact), (text, v, v8)
                assert same_float(a[0], want) and a[1] is None, (text, a)
                if binary:
                    assert same_float(v1, None if exact is None else f32(exact - 1)), (text, v1)
            # the raw result bytes: four big-endian bytes of the float in binary, float4out in text
            res = conn.pgconn.exec_params(b"SELECT v FROM t4_pg3 ORDER BY k", [], result_format=1 if binary else 0)
            assert res.ftype(0) == 700 and res.fsize(0) == 4, (res.ftype(0), res.fsize(0))
            for row, (text, out) in enumerate(REALS):
                got = res.get_value(row, 0)
                if text is None:
                    assert got is None
                elif binary:
                    assert got == struct.pack(">f", f32(text)), (text, got)
                else:
                    assert got == out.encode(), (text, got)
            # Float4 parameters are bound as float4 (OID 700, four bytes in binary)
            cur.execute("SELECT pg_typeof(%s)::text, %s + %s, k FROM t4_pg3 WHERE v = %s",
                        (Float4(1.5), Float4(0.1), Float4(0.2), Float4(0.1)))
            got = cur.fetchall()
            assert got == [("real", f32(f32(0.1) + f32(0.2)) if binary else 0.3, 1)], got
            try:
                cur.execute("INSERT INTO t4_pg3 (k, v) VALUES (%s, %s)", (100, 1e300))
                raise AssertionError("1e300 stored in a real")
            except errors.NumericValueOutOfRange as e:
                assert str(e).startswith("value out of range: overflow"), str(e)


def test_real_psycopg2(args):
    conn = psycopg2.connect(host=args.host, port=args.port, user=args.user, dbname=args.dbname)
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("DROP TABLE IF EXISTS t4_pg2")
    cur.execute("CREATE TABLE t4_pg2 (k int PRIMARY KEY, v real)")
    # psycopg2 sends Python floats as literals (repr: 17 significant digits): the column rounds them
    values = [3.14159265358979, 0.1, 1e-45, -2.5, 16777217.0, float("inf"), float("nan"), None]
    cur.executemany("INSERT INTO t4_pg2 VALUES (%s, %s)", list(enumerate(values)))
    cur.execute("SELECT v, v::text, pg_typeof(v)::text FROM t4_pg2 ORDER BY k")
    assert cur.description[0].type_code == 700
    got = cur.fetchall()
    texts = ["3.1415927", "0.1", "1e-45", "-2.5", "1.6777216e+07", "Infinity", "NaN", None]
    assert [r[1] for r in got] == texts, got
    for (v, text, typ), want in zip(got, texts):  # psycopg2 reads float4out's text
        assert same_float(v, None if want is None else float(want)), (v, want)
        assert typ in ("real", None), typ
    cur.execute("SELECT sum(v), pg_typeof(sum(v))::text, avg(v), pg_typeof(avg(v))::text FROM t4_pg2 "
                "WHERE k < 4")
    s, st, a, at = cur.fetchone()
    assert (st, at) == ("real", "double precision"), (st, at)
    assert s == 0.74159265, s  # float4pl at each step, printed as float4out: 0.74159265
    try:
        cur.execute("INSERT INTO t4_pg2 VALUES (100, %s)", ("1e39",))
        raise AssertionError("1e39 stored in a real")
    except psycopg2.errors.NumericValueOutOfRange as e:
        assert '"1e39" is out of range for type real' in str(e), str(e)
    conn.close()


def test_real_copy(args):
    with connect3(args) as conn:
        conn.execute("DROP TABLE IF EXISTS t4_copy")
        conn.execute("CREATE TABLE t4_copy (n int PRIMARY KEY, r real, a real[])")
        rows = [(0, f32(0.1), [f32(1.5), None]), (1, None, None), (2, f32(-3.4028235e38), [])]
        cur = conn.cursor()
        with cur.copy("COPY t4_copy FROM STDIN (FORMAT binary)") as copy:
            copy.set_types(["int4", "float4", "float4[]"])
            for r in rows:
                copy.write_row(r)
        with cur.copy("COPY (SELECT n, r, a FROM t4_copy ORDER BY n) TO STDOUT (FORMAT binary)") as copy:
            copy.set_types(["int4", "float4", "float4[]"])
            assert list(copy.rows()) == rows
        out = b""
        with cur.copy("COPY (SELECT n, r, a FROM t4_copy ORDER BY n) TO STDOUT") as copy:
            for data in copy:
                out += bytes(data)
        assert out == b"0\t0.1\t{1.5,NULL}\n1\t\\N\t\\N\n2\t-3.4028235e+38\t{}\n", out
        try:
            with cur.copy("COPY t4_copy (n, r) FROM STDIN") as copy:
                copy.write("5\t1e39\n")
            raise AssertionError("1e39 copied into a real")
        except errors.NumericValueOutOfRange as e:
            assert '"1e39" is out of range for type real' in str(e), str(e)
        try:
            with cur.copy("COPY t4_copy (n, r) FROM STDIN (FORMAT binary)") as copy:
                copy.set_types(["int4", "float8"])
                copy.write_row((1, 5.0))
            raise AssertionError("an 8-byte float4 field accepted")
        except errors.InvalidBinaryRepresentation:
            pass


REAL_QUERIES = [
    "SELECT sum(r)::text, min(r)::text, max(r)::text, count(*) FILTER (WHERE r < 0), "
    "(sum(r) FILTER (WHERE r <> 'NaN'))::text, avg(r) FILTER (WHERE r <> 'NaN') FROM t4_col",
    "SELECT g, count(*), sum(r)::text, pg_typeof(min(r))::text FROM t4_col GROUP BY g ORDER BY g",
    "SELECT ts, r::text, r::float8::text FROM t4_col WHERE ts IN (1, 7, 8, 1000, 2999) ORDER BY ts",
    "SELECT count(*) FROM t4_col WHERE r > 100::real",
    "SELECT r::text FROM t4_col ORDER BY r DESC, ts LIMIT 3",
]


def fill_real_table(conn):
    conn.execute("DROP TABLE IF EXISTS t4_col")
    conn.execute("CREATE TABLE t4_col (ts bigint PRIMARY KEY, r real, g int)")
    conn.execute("INSERT INTO t4_col SELECT i, CASE WHEN i % 1000 = 7 THEN 'NaN' WHEN i % 1000 = 8 THEN '-0' "
                 "ELSE ((i * 37) % 1001 - 500) / 7.0 END, i % 5 FROM generate_series(1, 3000) i")
    conn.execute("UPDATE t4_col SET r = '-0'::real WHERE ts = 8")
    return [conn.execute(q).fetchall() for q in REAL_QUERIES]


def test_real_columnar(args):
    if not args.omendb:
        return  # VACUUM seals blocks in OmenDB only
    with connect3(args) as conn:
        want = fill_real_table(conn)
        conn.execute("VACUUM t4_col")
        sealed = conn.execute("SELECT blocks, sealed_rows FROM omendb_sealed_tables WHERE relname = 't4_col'")
        assert sealed.fetchone() == (1, 3000), "not sealed"
        got = [conn.execute(q).fetchall() for q in REAL_QUERIES]
        assert got == want, (got, want)
        assert got[2][:3] == [(1, "-66.14286", "-66.14286041259766"), (7, "NaN", "NaN"), (8, "-0", "-0")], got[2]


def test_real_restart(args):
    if not args.server_pid:
        return  # a server of its own: only when this script starts servers
    srv = Server(args.server_bin)
    try:
        srv.start()
        with psycopg.connect(host="127.0.0.1", port=srv.port, user="omendb", dbname="omendb",
                             autocommit=True) as conn:
            want = fill_real_table(conn)
            conn.execute("CREATE TABLE t4_rows (k real PRIMARY KEY, v real[])")
            conn.execute("INSERT INTO t4_rows VALUES (0.1, '{0.1,NaN}'), ('-0', NULL), ('NaN', '{}')")
            conn.execute("ALTER TABLE t4_rows ADD COLUMN w real DEFAULT 3.14159265358979")
        srv.stop()
        srv.start()  # the row store through a restart
        with psycopg.connect(host="127.0.0.1", port=srv.port, user="omendb", dbname="omendb",
                             autocommit=True) as conn:
            assert [conn.execute(q).fetchall() for q in REAL_QUERIES] == want
            rows = conn.execute("SELECT k::text, v::text, w::text FROM t4_rows ORDER BY k").fetchall()
            assert rows == [("-0", None, "3.1415927"), ("0.1", "{0.1,NaN}", "3.1415927"), ("NaN", "{}", "3.1415927")], rows
            conn.execute("VACUUM t4_col")
        srv.stop()
        srv.start()  # the sealed block through a restart
        with psycopg.connect(host="127.0.0.1", port=srv.port, user="omendb", dbname="omendb",
                             autocommit=True) as conn:
            assert conn.execute("SELECT sealed_rows FROM omendb_sealed_tables "
                                "WHERE relname = 't4_col'").fetchone() == (3000,)
            assert [conn.execute(q).fetchall() for q in REAL_QUERIES] == want
        srv.stop()
    finally:
        srv.cleanup()


def main():
    return run_main([test_psycopg3_text_and_binary, test_psycopg2, test_copy, test_columnar, test_real_psycopg3,
                     test_real_psycopg2, test_real_copy, test_real_columnar, test_real_restart])


if __name__ == "__main__":
    sys.exit(1 if main() else 0)
