"""extra_float_digits and bytea_output through real drivers (docs/types.md): two sessions with different
settings run the same statements, whose compiled code the plan cache shares, and each gets its own
setting's text (results, casts to text, arrays, json, COPY TO in text and CSV); binary results are
unaffected; SET LOCAL ends with its transaction; both apply when set at connection startup.

    /usr/bin/python3 tests/integration/test_output_settings.py --server-bin build/omendb
    /usr/bin/python3 tests/integration/test_output_settings.py --host 127.0.0.1 --port 5432 --user postgres --dbname postgres

The second form runs the same checks against a real PostgreSQL 15 (they pass there too).
"""

import io
import re
import struct
import sys

import psycopg
import psycopg2

from harness import run_main

# The same statement texts for both sessions; the casts run in compiled code (a table's columns).
QUERY = ("SELECT d, d::text, r, r::text, b, b::text, array[d, d * 10]::text, array[b]::text, "
         "to_json(d)::text, b || 'z' FROM os_t WHERE id = %s")
# What each setting makes of the row (PostgreSQL 15's answers).
DEFAULT = ("0.30000000000000004", "0.30000000000000004", "3.3000002", "3.3000002", "\\x5c0041",
           "\\x5c0041", "{0.30000000000000004,3.0000000000000004}", '{"\\\\x5c0041"}', "0.30000000000000004",
           "\\x5c00417a")
CHANGED = ("0.3", "0.3", "3.3", "3.3", "\\\\\\000A", "\\\\\\000A", "{0.3,3}", '{"\\\\\\\\\\\\000A"}', "0.3",
           "\\\\\\000Az")
LITERALS = "SELECT 1e22::float8, 123456789012345678::float8, '-0'::float8, 16777217::real, '\\x01ff'::bytea"
LITERALS_DEFAULT = ("1e+22", "1.2345678901234568e+17", "-0", "1.6777216e+07", "\\x01ff")
LITERALS_CHANGED = ("1e+22", "1.23456789012346e+17", "-0", "1.67772e+07", "\\001\\377")


def connect(args, **kw):
    conn = psycopg2.connect(host=args.host, port=args.port, user=args.user, dbname=args.dbname, **kw)
    conn.autocommit = True
    # psycopg2 parses float8 and bytea results; the test compares the server's text.
    for oid in (700, 701, 17):
        psycopg2.extensions.register_type(psycopg2.extensions.new_type((oid,), "T%d" % oid, lambda v, c: v),
                                          conn)
    return conn


def setup(args):
    conn = connect(args)
    cur = conn.cursor()
    cur.execute("DROP TABLE IF EXISTS os_t")
    cur.execute("CREATE TABLE os_t (id int PRIMARY KEY, d float8, r real, b bytea)")
    cur.execute("INSERT INTO os_t VALUES (1, 0.1::float8 + 0.2, 1.1::real * 3::real, '\\x5c0041')")
    conn.close()


def test_two_sessions_share_plans(args):
    setup(args)
    a, b = connect(args), connect(args)
    ca, cb = a.cursor(), b.cursor()
    ca.execute("SET extra_float_digits = 0")
    ca.execute("SET bytea_output = 'escape'")
    for i in range(40):  # often enough for the plan cache to serve (and re-tier) the shared code
        for cur, want, lit_want in ((ca, CHANGED, LITERALS_CHANGED), (cb, DEFAULT, LITERALS_DEFAULT)):
            cur.execute(QUERY, (1,))
            got = cur.fetchone()
            assert got == want, (i, cur is ca, got)
            cur.execute(LITERALS)
            got = cur.fetchone()
            assert got == lit_want, (i, cur is ca, got)
    if args.omendb:  # the two sessions did share the compiled code: B's run of A's statement is a cache hit
        cb.execute("EXPLAIN (CODEGEN) " + QUERY, (1,))
        stats = [r[0] for r in cb.fetchall() if re.search(r"instructions", r[0], re.I)]
        assert stats and all(re.search(r"cache\W*(hit|yes|true)", l, re.I) for l in stats), stats
    # the other way round, in the same sessions
    ca.execute("RESET ALL")
    cb.execute("SET extra_float_digits = 0; SET bytea_output = escape")
    for cur, want in ((ca, DEFAULT), (cb, CHANGED)):
        cur.execute(QUERY, (1,))
        assert cur.fetchone() == want
    a.close()
    b.close()


def test_set_local(args):
    setup(args)
    conn = connect(args)
    conn.autocommit = False
    cur = conn.cursor()
    cur.execute("SET LOCAL extra_float_digits = 0")
    cur.execute("SET LOCAL bytea_output = escape")
    cur.execute(QUERY, (1,))
    assert cur.fetchone() == CHANGED
    conn.rollback()
    cur.execute(QUERY, (1,))
    assert cur.fetchone() == DEFAULT
    conn.rollback()
    conn.close()


def copy_out(cur, sql):
    buf = io.StringIO()
    cur.copy_expert(sql, buf)
    return buf.getvalue()


def test_copy_to(args):
    setup(args)
    conn = connect(args)
    cur = conn.cursor()
    sql = "COPY (SELECT d, r, b, array[d] FROM os_t) TO STDOUT"
    assert copy_out(cur, sql) == "0.30000000000000004\t3.3000002\t\\\\x5c0041\t{0.30000000000000004}\n"
    cur.execute("SET extra_float_digits = 0")
    cur.execute("SET bytea_output = escape")
    # text COPY escapes the backslashes of the bytea's escape text once more
    assert copy_out(cur, sql) == "0.3\t3.3\t\\\\\\\\\\\\000A\t{0.3}\n", copy_out(cur, sql)
    assert copy_out(cur, "COPY os_t TO STDOUT (FORMAT csv)") == "1,0.3,3.3,\\\\\\000A\n"
    conn.close()


def test_binary_unaffected(args):
    setup(args)
    with psycopg.connect(host=args.host, port=args.port, user=args.user, dbname=args.dbname,
                         autocommit=True) as conn:
        conn.execute("SET extra_float_digits = -15")
        conn.execute("SET bytea_output = escape")
        cur = conn.cursor(binary=True)
        cur.execute("SELECT d, r, b FROM os_t WHERE id = %s", (1,))
        d, r, b = cur.fetchone()
        assert d == 0.1 + 0.2 and r == struct.unpack("f", struct.pack("f", 3.3000002))[0], (d, r)
        assert bytes(b) == b"\\\x00A", b
        cur = conn.cursor(binary=False)
        cur.execute("SELECT d::text, b::text FROM os_t WHERE id = %s", (1,))
        assert cur.fetchone() == ("0.3", "\\\\\\000A")


def test_startup_options(args):
    """Set at connection startup (libpq's PGOPTIONS, psycopg2's options=): applied, not ignored."""
    setup(args)
    conn = connect(args, options="-c extra_float_digits=0 -c bytea_output=escape")
    cur = conn.cursor()
    cur.execute(QUERY, (1,))
    assert cur.fetchone() == CHANGED
    conn.close()
    try:
        psycopg2.connect(host=args.host, port=args.port, user=args.user, dbname=args.dbname,
                         options="-c extra_float_digits=7").close()
        raise AssertionError("extra_float_digits=7 accepted at startup")
    except psycopg2.OperationalError as e:
        assert "extra_float_digits" in str(e), e


def main():
    return run_main([test_two_sessions_share_plans, test_set_local, test_copy_to, test_binary_unaffected,
                     test_startup_options])


if __name__ == "__main__":
    sys.exit(1 if main() else 0)
