#!/usr/bin/python3
"""Size limits (docs/reliability.md, "Size limits"): --max-message-bytes (64 MiB by default) and
--max-row-bytes (64 MiB by default). A larger message gets 54000 and its connection is closed; a larger
row fails its INSERT, UPDATE or COPY with 54000 (PostgreSQL's "row is too big") and the session goes on.
Large statements under the limits work: a multi-row INSERT of several MB, a 10 MB value.
"""

import io
import os
import re
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import psycopg2  # noqa: E402
from harness import Server, expect_error, parse_args, query, run_tests  # noqa: E402
from test_robustness import error_fields, raw_connect, wait_closed  # noqa: E402

MIB = 1 << 20
TOO_BIG = re.compile(r"row is too big: size (\d+), maximum size (\d+)")


def lengths(conn, where="true"):
    """{id: length of v} of the rows of t matching `where` (OmenDB has no length() yet)."""
    return {i: len(v) for i, v in query(conn, "SELECT id, v FROM t WHERE " + where)}


def send_oversized_query(port, size):
    """Announces a Query message of `size` bytes; returns the ErrorResponse fields the server sent."""
    s = raw_connect(port)
    body = b"SELECT 1 " + b" " * (size - 4 - 10) + b"\0"
    s.sendall(b"Q" + struct.pack("!I", 4 + len(body)))
    try:
        s.sendall(body)
    except (BrokenPipeError, ConnectionResetError):
        pass
    msgs = wait_closed(s)
    s.close()
    errors = [error_fields(b) for t, b in msgs if t == b"E"]
    assert errors, "no ErrorResponse for an oversized message: %r" % [m[0] for m in msgs]
    return errors[0]


def test_defaults(args):
    with Server(args.server_bin) as srv:
        c = srv.connect()
        query(c, "CREATE TABLE t (id INT PRIMARY KEY, v TEXT)")
        # A multi-row INSERT statement of ~8 MB.
        sql = "INSERT INTO t VALUES " + ",".join("(%d, '%s')" % (i, "x" * 1000) for i in range(8000))
        assert len(sql) > 8 * 1000 * 1000
        query(c, sql)
        assert lengths(c) == {i: 1000 for i in range(8000)}
        # A 10 MB value as a bind parameter and as a literal; a 20 MB row through COPY.
        cur = c.cursor()
        cur.execute("INSERT INTO t VALUES (-1, %s)", ("y" * (10 * MIB),))
        query(c, "UPDATE t SET v = v || '%s' WHERE id = -1" % ("z" * (10 * MIB)))
        cur.copy_expert("COPY t FROM STDIN", io.StringIO("-2\t%s\n" % ("w" * (20 * MIB))))
        assert lengths(c, "id < 0") == {-2: 20 * MIB, -1: 20 * MIB}
        # Past the defaults: a 65 MiB message, a 65 MiB row.
        e = send_oversized_query(srv.port, 65 * MIB)
        assert e.get("C") == "54000", e
        assert e.get("M") == "message of %d bytes exceeds the maximum of %d bytes" % (65 * MIB, 64 * MIB), e
        e = expect_error(c, "UPDATE t SET v = v || v || v || v WHERE id = -2", "54000")
        m = TOO_BIG.fullmatch(e.diag.message_primary)
        assert m and int(m.group(1)) >= 80 * MIB and int(m.group(2)) == 64 * MIB, e.diag.message_primary
        assert lengths(c, "id = -2") == {-2: 20 * MIB}
        c.close()


def test_configured(args):
    limit = 100_000
    with Server(args.server_bin, extra_args=["--max-row-bytes", str(limit), "--max-message-bytes", str(MIB)]) \
            as srv:
        c = srv.connect()
        other = srv.connect()
        query(c, "CREATE TABLE t (id INT PRIMARY KEY, v TEXT, n NUMERIC)")
        cur = c.cursor()
        cur.execute("INSERT INTO t VALUES (1, %s, 1)", ("a" * 90_000,))  # under the limit
        # INSERT: a literal, a parameter, a computed value; the encoded row counts (two 60 kB columns).
        e = expect_error(c, "INSERT INTO t VALUES (2, '%s', 2)" % ("b" * 100_001), "54000")
        m = TOO_BIG.fullmatch(e.diag.message_primary)
        assert m and int(m.group(1)) > limit and int(m.group(2)) == limit, e.diag.message_primary
        assert "--max-row-bytes" in e.diag.message_hint, e.diag.message_hint
        try:
            cur.execute("INSERT INTO t VALUES (3, %s, 3)", ("c" * 200_000,))
            raise AssertionError("expected 54000")
        except psycopg2.Error as e2:
            assert e2.pgcode == "54000", e2.pgcode
        expect_error(c, "INSERT INTO t SELECT 4, '%s' || '%s', 4" % ("d" * 60000, "e" * 60000), "54000")
        # UPDATE that grows a row past the limit; INSERT ... ON CONFLICT DO UPDATE (excluded.v fits, twice not).
        expect_error(c, "UPDATE t SET v = v || v WHERE id = 1", "54000")
        expect_error(c, "INSERT INTO t VALUES (1, '%s', 1) ON CONFLICT (id) DO UPDATE SET v = excluded.v || excluded.v"
                     % ("f" * 60000), "54000")
        # COPY: one row too big fails the COPY, and none of its rows is stored.
        try:
            cur.copy_expert("COPY t FROM STDIN", io.StringIO("5\tsmall\t5\n6\t%s\t6\n" % ("g" * 150_000)))
            raise AssertionError("expected 54000 from COPY")
        except psycopg2.Error as e3:
            assert e3.pgcode == "54000", e3.pgcode
        # Inside a transaction block: the block is aborted, as after any error.
        c.autocommit = False
        cur.execute("INSERT INTO t VALUES (7, 'fine', 7)")
        try:
            cur.execute("UPDATE t SET v = v || %s WHERE id = 7", ("h" * 100_000,))
            raise AssertionError("expected 54000")
        except psycopg2.Error as e4:
            assert e4.pgcode == "54000", e4.pgcode
        c.rollback()
        c.autocommit = True
        # Nothing of the failed statements is stored; the sessions go on.
        assert lengths(c) == {1: 90_000}
        assert query(other, "SELECT count(*) FROM t") == [(1,)]
        # A message over --max-message-bytes: 54000 and that connection closes; others go on.
        e = send_oversized_query(srv.port, 2 * MIB)
        assert e.get("C") == "54000", e
        query(c, "INSERT INTO t VALUES (8, '%s', 8)" % ("i" * 99_000))
        assert query(other, "SELECT count(*) FROM t") == [(2,)]
        c.close()
        other.close()


def test_bad_options(args):
    for opt, value in (("--max-message-bytes", "100"), ("--max-row-bytes", "10")):
        srv = Server(args.server_bin, extra_args=[opt, value])
        try:
            srv.start(timeout=10)
            raise AssertionError("the server started with %s %s" % (opt, value))
        except AssertionError as e:
            assert "exited with" in str(e), e
        finally:
            srv.cleanup()


def main():
    args = parse_args()
    failed = run_tests([test_defaults, test_configured, test_bad_options], args)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
