"""BYTEA and UUID through real drivers: psycopg2 (bytes parameters as escaped literals, bytea results as
memoryview, uuid.UUID with register_uuid), psycopg 3 in text and binary formats (bytes bound as bytea,
UUID as uuid: raw bytes and 16 bytes on the wire), COPY text, CSV and binary in and out, node-pg (Buffer
parameters in binary, node/test_bytea_uuid.js).

    /usr/bin/python3 tests/integration/test_bytea_uuid.py --server-bin build/omendb
    /usr/bin/python3 tests/integration/test_bytea_uuid.py --host 127.0.0.1 --port 5432 --user postgres --dbname postgres

The second form runs the same checks against a real PostgreSQL 15 (they pass there too).
"""

import os
import random
import shutil
import subprocess
import sys
import uuid

import psycopg
import psycopg2
import psycopg2.extras
from psycopg import errors

from harness import HERE, run_main

RND = random.Random(17)
BLOBS = [b"", b"\x00", b"\x00\x00", b"\x00\x01", b"\x01", b"\\", b"\\x41", b"\xff\x00\xff", b"a\tb\nc\r,\"'",
         "héllo".encode(), bytes(range(256)), bytes(RND.randrange(256) for _ in range(1000))]


def connect3(args):
    return psycopg.connect(host=args.host, port=args.port, user=args.user, dbname=args.dbname, autocommit=True)


def test_psycopg2(args):
    conn = psycopg2.connect(host=args.host, port=args.port, user=args.user, dbname=args.dbname)
    conn.autocommit = True
    psycopg2.extras.register_uuid(conn_or_curs=conn)
    cur = conn.cursor()
    cur.execute("DROP TABLE IF EXISTS bu_pg2")
    cur.execute("CREATE TABLE bu_pg2 (k bytea PRIMARY KEY, id uuid, n int)")
    ids = [uuid.UUID(int=RND.getrandbits(128)) for _ in BLOBS]
    rows = [(psycopg2.Binary(b), ids[i], i) for i, b in enumerate(BLOBS)]
    cur.executemany("INSERT INTO bu_pg2 VALUES (%s, %s, %s)", rows)
    cur.execute("SELECT k, id, n FROM bu_pg2 ORDER BY k")
    got = cur.fetchall()
    assert all(isinstance(k, memoryview) for k, _, _ in got), [type(r[0]) for r in got]
    assert all(isinstance(u, uuid.UUID) for _, u, _ in got)
    want = sorted(((b, ids[i], i) for i, b in enumerate(BLOBS)), key=lambda r: r[0])
    assert [(bytes(k), u, n) for k, u, n in got] == want
    cur.execute("SELECT n FROM bu_pg2 WHERE k = %s AND id = %s", (psycopg2.Binary(BLOBS[7]), ids[7]))
    assert cur.fetchall() == [(7,)]
    cur.execute("SELECT %s::bytea || %s::bytea, encode(%s::bytea, 'base64')",
                (psycopg2.Binary(b"\x01"), psycopg2.Binary(b"\x02"), psycopg2.Binary(b"abc")))
    cat, b64 = cur.fetchone()
    assert bytes(cat) == b"\x01\x02" and b64 == "YWJj", (cat, b64)
    try:
        cur.execute("SELECT %s::uuid", ("x",))
        raise AssertionError("bad uuid accepted")
    except psycopg2.errors.InvalidTextRepresentation as e:
        assert str(e).startswith('invalid input syntax for type uuid: "x"'), str(e)
    try:
        cur.execute("SELECT '\\x0g'::bytea")
        raise AssertionError("bad hex accepted")
    except psycopg2.errors.InvalidParameterValue as e:
        assert str(e).startswith('invalid hexadecimal digit: "g"'), str(e)
    conn.close()


def test_psycopg3_text_and_binary(args):
    with connect3(args) as conn:
        conn.execute("DROP TABLE IF EXISTS bu_pg3")
        conn.execute("CREATE TABLE bu_pg3 (k bytea PRIMARY KEY, id uuid, tags bytea[])")
        conn.execute("CREATE INDEX bu_pg3_id ON bu_pg3 (id)")
        for binary in (False, True):
            conn.execute("DELETE FROM bu_pg3")
            cur = conn.cursor(binary=binary)
            ids = [uuid.uuid4() for _ in BLOBS]
            cur.executemany("INSERT INTO bu_pg3 VALUES (%s, %s, %s)",
                            [(b, ids[i], [b, None]) for i, b in enumerate(BLOBS)])
            cur.execute("SELECT k, id, tags FROM bu_pg3 ORDER BY k")
            got = cur.fetchall()
            want = sorted(((b, ids[i], [b, None]) for i, b in enumerate(BLOBS)), key=lambda r: r[0])
            assert got == want, binary
            cur.execute("SELECT k FROM bu_pg3 WHERE id = %s", (ids[4],))
            assert cur.fetchall() == [(BLOBS[4],)], binary
            cur.execute("SELECT id FROM bu_pg3 WHERE k > %s AND k < %s ORDER BY k", (b"\x00", b"\x01"))
            between = sorted((b, ids[i]) for i, b in enumerate(BLOBS) if b"\x00" < b < b"\x01")
            assert [r[0] for r in cur.fetchall()] == [u for _, u in between], binary
            cur.execute("SELECT %s::uuid::text, %s::bytea::text, pg_typeof(%s)::text",
                        (ids[0], b"\x00\xff", uuid.UUID(int=0)))
            assert cur.fetchone() == (str(ids[0]), "\\x00ff", "uuid"), binary
            try:
                cur.execute("INSERT INTO bu_pg3 VALUES (%s, %s, NULL)", (BLOBS[1], uuid.uuid4()))
                raise AssertionError("duplicate key accepted")
            except errors.UniqueViolation:
                pass


def test_copy(args):
    with connect3(args) as conn:
        conn.execute("DROP TABLE IF EXISTS bu_copy")
        conn.execute("CREATE TABLE bu_copy (n int PRIMARY KEY, b bytea, u uuid)")
        ids = [uuid.uuid4() for _ in BLOBS]
        rows = [(i, b, ids[i]) for i, b in enumerate(BLOBS)] + [(len(BLOBS), None, None)]
        with conn.cursor() as cur:
            for binary in (False, True):
                fmt = " (FORMAT binary)" if binary else ""
                cur.execute("DELETE FROM bu_copy")
                with cur.copy("COPY bu_copy FROM STDIN" + fmt) as copy:
                    if binary:
                        copy.set_types(["int4", "bytea", "uuid"])
                    for r in rows:
                        copy.write_row(r)
                cur.execute("SELECT n, b, u FROM bu_copy ORDER BY n")
                assert cur.fetchall() == rows, fmt
                with cur.copy("COPY (SELECT n, b, u FROM bu_copy ORDER BY n) TO STDOUT" + fmt) as copy:
                    if binary:
                        copy.set_types(["int4", "bytea", "uuid"])
                    back = list(copy.rows())
                if not binary:  # text rows: the bytea and uuid output functions' text
                    back = [(int(n), None if b is None else bytes.fromhex(b[2:]), None if u is None else uuid.UUID(u))
                            for n, b, u in back]
                assert back == rows, fmt
            # CSV: the output functions' text, quoted only where CSV needs it
            csv = bytearray()
            with cur.copy("COPY (SELECT n, b, u FROM bu_copy WHERE n <= 1 OR n = %d ORDER BY n) TO STDOUT "
                          "(FORMAT csv)" % len(BLOBS)) as copy:
                for data in copy:
                    csv += data
            assert bytes(csv) == ("0,\\x,%s\n1,\\x00,%s\n%d,,\n" % (ids[0], ids[1], len(BLOBS))).encode(), bytes(csv)
            cur.execute("DELETE FROM bu_copy")
            with cur.copy("COPY bu_copy FROM STDIN (FORMAT csv)") as copy:
                copy.write(bytes(csv))
                copy.write('7,"\\x2c22",{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11}\n')
            cur.execute("SELECT n, b, u FROM bu_copy ORDER BY n")
            assert cur.fetchall() == [(0, b"", ids[0]), (1, b"\x00", ids[1]), (7, b',"', uuid.UUID(
                "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")), (len(BLOBS), None, None)]
            cur.execute("DELETE FROM bu_copy")
            with cur.copy("COPY bu_copy FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(r)
            out = bytearray()
            with cur.copy("COPY (SELECT b, u FROM bu_copy WHERE n = 1) TO STDOUT") as copy:
                for data in copy:
                    out += data
            assert bytes(out) == b"\\\\x00\t%s\n" % str(ids[1]).encode(), bytes(out)
            with cur.copy("COPY bu_copy FROM STDIN") as copy:
                copy.write("100\t\\\\x4142\tA0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11\n")
                copy.write("101\tabc\\\\001\t{a0eebc999c0b4ef8bb6d6bb9bd380a12}\n")
            cur.execute("SELECT n, b, u::text FROM bu_copy WHERE n >= 100 ORDER BY n")
            assert cur.fetchall() == [(100, b"AB", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
                                      (101, b"abc\x01", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12")]
            try:
                with cur.copy("COPY bu_copy FROM STDIN") as copy:
                    copy.write("102\t\\\\x0\tA0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11\n")
                raise AssertionError("odd hex accepted by COPY")
            except errors.InvalidParameterValue:
                pass


def test_node_pg(args):
    node_dir = os.path.join(HERE, "node")
    if not shutil.which("node") or not os.path.isdir(os.path.join(node_dir, "node_modules", "pg")):
        raise AssertionError("node or the pg package is missing: run scripts/setup.sh")
    env = dict(os.environ, PGHOST=args.host, PGPORT=str(args.port), PGUSER=args.user, PGDATABASE=args.dbname)
    r = subprocess.run(["node", "test_bytea_uuid.js"], cwd=node_dir, env=env, timeout=120, capture_output=True,
                       text=True)
    print(r.stdout, end="")
    assert r.returncode == 0, r.stdout + r.stderr


def main():
    return run_main([test_psycopg2, test_psycopg3_text_and_binary, test_copy, test_node_pg])


if __name__ == "__main__":
    sys.exit(1 if main() else 0)
