"""JSON and JSONB through real drivers: psycopg2 (json and jsonb results decoded to Python objects, Json()
parameters), psycopg 3 in text and binary formats (jsonb's binary form: version 1 and the text; Jsonb()
parameters bound as jsonb), COPY text, CSV and binary in and out, VACUUM on a table with a jsonb column, extended-protocol parameters typed by
the server (`$1` compared with a jsonb column).

    /usr/bin/python3 tests/integration/test_json.py --server-bin build/omendb
    /usr/bin/python3 tests/integration/test_json.py --host 127.0.0.1 --port 5432 --user postgres --dbname postgres

The second form runs the same checks against a real PostgreSQL 15 (they pass there too).
"""

import decimal
import sys

import psycopg
import psycopg2
import psycopg2.extras
from psycopg import errors
from psycopg.types.json import Json, Jsonb

from harness import run_main

DOCS = [
    {"device": "d1", "temp": 21.5, "tags": ["in", "x"]},
    {"device": "d2", "temp": 30, "nested": {"a": [1, 2, {"b": None}]}, "ok": True},
    [1, "two", 3.25, None, False],
    "just a string with \u00e9 and \U0001F600",
    12345678901234567890,
    None,
    {},
    [],
]


def connect3(args):
    return psycopg.connect(host=args.host, port=args.port, user=args.user, dbname=args.dbname, autocommit=True)


def test_psycopg2(args):
    conn = psycopg2.connect(host=args.host, port=args.port, user=args.user, dbname=args.dbname)
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("DROP TABLE IF EXISTS js_pg2")
    cur.execute("CREATE TABLE js_pg2 (n int PRIMARY KEY, doc jsonb, raw json)")
    rows = [(i, psycopg2.extras.Json(d), psycopg2.extras.Json(d)) for i, d in enumerate(DOCS)]
    cur.executemany("INSERT INTO js_pg2 VALUES (%s, %s, %s)", rows)
    cur.execute("SELECT n, doc, raw FROM js_pg2 ORDER BY n")
    got = cur.fetchall()
    assert [(n, d, r) for n, d, r in got] == [(i, d, d) for i, d in enumerate(DOCS)], got
    cur.execute("SELECT doc -> 'tags', doc ->> 'device', (doc ->> 'temp')::numeric FROM js_pg2 WHERE n = 0")
    assert cur.fetchone() == (["in", "x"], "d1", decimal.Decimal("21.5"))
    cur.execute("SELECT n FROM js_pg2 WHERE doc @> %s ORDER BY n", (psycopg2.extras.Json({"device": "d2"}),))
    assert cur.fetchall() == [(1,)]
    cur.execute("SELECT pg_typeof(doc)::text, pg_typeof(raw)::text FROM js_pg2 WHERE n = 0")
    assert cur.fetchone() == ("jsonb", "json")
    cur.execute("SELECT '{\"b\": 1, \"a\": 1.50}'::jsonb::text, '{\"b\": 1,  \"a\": 2}'::json::text")
    assert cur.fetchone() == ('{"a": 1.50, "b": 1}', '{"b": 1,  "a": 2}')
    try:
        cur.execute("SELECT %s::jsonb", ("{bad",))
        raise AssertionError("bad json accepted")
    except psycopg2.errors.InvalidTextRepresentation as e:
        assert e.pgerror and "invalid input syntax for type json" in e.pgerror, e.pgerror
        assert e.diag.message_detail == 'Token "bad" is invalid.', e.diag.message_detail
    conn.close()


def test_psycopg3_text_and_binary(args):
    with connect3(args) as conn:
        conn.execute("DROP TABLE IF EXISTS js_pg3")
        conn.execute("CREATE TABLE js_pg3 (n int PRIMARY KEY, doc jsonb, raw json)")
        for binary in (False, True):
            conn.execute("DELETE FROM js_pg3")
            with conn.cursor(binary=binary) as cur:
                cur.executemany("INSERT INTO js_pg3 VALUES (%s, %s, %s)",
                                [(i, Jsonb(d), Json(d)) for i, d in enumerate(DOCS)])
                cur.execute("SELECT n, doc, raw FROM js_pg3 ORDER BY n")
                got = cur.fetchall()
                assert got == [(i, d, d) for i, d in enumerate(DOCS)], (binary, got)
                # the column's type gives $1 its type (jsonb): a Python string parameter is parsed
                cur.execute("SELECT n FROM js_pg3 WHERE doc = %s", ('{"temp": 30.0, "ok": true, "device": "d2",'
                                                                     ' "nested": {"a": [1, 2, {"b": null}]}}',))
                assert cur.fetchall() == [(1,)], binary
                cur.execute("SELECT jsonb_build_object('k', %s::int, 'v', %s::text), jsonb_agg(n ORDER BY n) "
                            "FROM js_pg3 WHERE n < 3", (7, "x"))
                assert cur.fetchone() == ({"k": 7, "v": "x"}, [0, 1, 2]), binary
                cur.execute("SELECT key, value FROM jsonb_each(%s) ORDER BY key", (Jsonb({"b": [1], "a": 2}),))
                assert cur.fetchall() == [("a", 2), ("b", [1])], binary
        try:
            conn.execute("SELECT %s::jsonb", ("[1,",))
            raise AssertionError("bad json accepted")
        except errors.InvalidTextRepresentation as e:
            assert e.diag.message_detail == "The input string ended unexpectedly.", e.diag.message_detail


def test_copy(args):
    with connect3(args) as conn:
        conn.execute("DROP TABLE IF EXISTS js_copy")
        conn.execute("CREATE TABLE js_copy (n int PRIMARY KEY, doc jsonb, raw json)")
        rows = [(i, Jsonb(d), Json(d)) for i, d in enumerate(DOCS)]
        for fmt in ("", " (FORMAT binary)"):
            with conn.cursor() as cur:
                cur.execute("DELETE FROM js_copy")
                with cur.copy("COPY js_copy FROM STDIN" + fmt) as copy:
                    if "binary" in fmt:
                        copy.set_types(["int4", "jsonb", "json"])
                    for r in rows:
                        copy.write_row(r)
                cur.execute("SELECT n, doc, raw FROM js_copy ORDER BY n")
                assert cur.fetchall() == [(i, d, d) for i, d in enumerate(DOCS)], fmt
                with cur.copy("COPY (SELECT n, doc, raw FROM js_copy ORDER BY n) TO STDOUT" + fmt) as copy:
                    if "binary" in fmt:
                        copy.set_types(["int4", "jsonb", "json"])
                    back = list(copy.rows())
                if "binary" in fmt:
                    assert back == [(i, d, d) for i, d in enumerate(DOCS)], back
                else:
                    assert [int(r[0]) for r in back] == list(range(len(DOCS))), back
        with conn.cursor() as cur:  # CSV: quotes around values with commas and quotes
            cur.execute("DELETE FROM js_copy")
            with cur.copy("COPY js_copy FROM STDIN (FORMAT csv)") as copy:
                copy.write('1,"{""b"": [1, 2], ""a"": 1.50}","[1,  2]"\n2,,\n')
            cur.execute("SELECT n, doc::text, raw::text FROM js_copy ORDER BY n")
            assert cur.fetchall() == [(1, '{"a": 1.50, "b": [1, 2]}', "[1,  2]"), (2, None, None)]
            data = b""
            with cur.copy("COPY (SELECT * FROM js_copy ORDER BY n) TO STDOUT (FORMAT csv)") as copy:
                for chunk in copy:
                    data += bytes(chunk)
            assert data == b'1,"{""a"": 1.50, ""b"": [1, 2]}","[1,  2]"\n2,,\n', data
        with conn.cursor() as cur:
            cur.execute("DELETE FROM js_copy")
            with cur.copy("COPY js_copy FROM STDIN") as copy:
                copy.write('1\t{"b": 1, "a": [1.50, "\\\\u00e9"]}\t{"b" : 1}\n')
            cur.execute("SELECT doc::text, raw::text FROM js_copy")
            assert cur.fetchall() == [('{"a": [1.50, "é"], "b": 1}', '{"b" : 1}')]
            data = b""
            with cur.copy("COPY js_copy TO STDOUT") as copy:
                for chunk in copy:
                    data += bytes(chunk)
            assert data == '1\t{"a": [1.50, "é"], "b": 1}\t{"b" : 1}\n'.encode(), data
            try:
                with cur.copy("COPY js_copy FROM STDIN") as copy:
                    copy.write("2\t{bad}\t{}\n")
                raise AssertionError("bad json accepted by COPY")
            except errors.InvalidTextRepresentation:
                pass


def test_vacuum(args):
    """VACUUM (sealing) on a table with a jsonb column keeps every value readable and comparable."""
    with connect3(args) as conn:
        conn.execute("DROP TABLE IF EXISTS js_vac")
        conn.execute("CREATE TABLE js_vac (n int PRIMARY KEY, doc jsonb)")
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO js_vac VALUES (%s, %s)",
                            [(i, Jsonb({"i": i, "even": i % 2 == 0, "v": [i, str(i)]})) for i in range(3000)])
        conn.execute("VACUUM js_vac")
        got = conn.execute("SELECT count(*), sum((doc ->> 'i')::int) FROM js_vac WHERE doc @> '{\"even\": true}'"
                           ).fetchone()
        assert got == (1500, sum(range(0, 3000, 2))), got
        assert conn.execute("SELECT doc FROM js_vac WHERE n = 2999").fetchone() == (
            {"i": 2999, "even": False, "v": [2999, "2999"]},)
        groups = conn.execute("SELECT doc -> 'even', count(*) FROM js_vac GROUP BY 1 ORDER BY 1").fetchall()
        assert groups == [(False, 1500), (True, 1500)], groups


def main():
    return run_main([test_psycopg2, test_psycopg3_text_and_binary, test_copy, test_vacuum])


if __name__ == "__main__":
    sys.exit(1 if main() else 0)
