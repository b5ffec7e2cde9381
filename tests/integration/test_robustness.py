#!/usr/bin/python3
"""Robustness on a real socket: protocol garbage, absurd or too-small message lengths, unknown message
types, oversized messages, a client vanishing in the middle of a long query, and SQL errors. After each,
an already-open session and a new session still work and every committed row is still there."""

import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, expect_error, parse_args, query, run_tests  # noqa: E402

BIG_ROWS = 200_000


# ------------------------------------------------------------------ raw protocol helpers

def raw_connect(port, startup=True, timeout=10):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    if startup:
        params = b"user\0omendb\0database\0omendb\0\0"
        s.sendall(struct.pack("!II", 8 + len(params), 196608) + params)
        msgs = read_until(s, b"Z")
        assert msgs and msgs[-1][0] == b"Z", msgs
        assert not any(t == b"E" for t, _ in msgs), msgs
    return s


def read_msg(s):
    head = recv_exact(s, 5)
    if head is None:
        return None
    typ, length = head[:1], struct.unpack("!I", head[1:])[0]
    body = recv_exact(s, length - 4)
    if body is None:
        return None
    return typ, body


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        try:
            chunk = s.recv(n - len(buf))
        except (ConnectionResetError, BrokenPipeError):
            return None
        if not chunk:
            return None
        buf += chunk
    return buf


def read_until(s, typ):
    msgs = []
    while True:
        m = read_msg(s)
        if m is None:
            return msgs
        msgs.append(m)
        if m[0] == typ:
            return msgs


def error_fields(body):
    fields = {}
    for part in body.split(b"\0"):
        if part:
            fields[chr(part[0])] = part[1:].decode("utf-8", "replace")
    return fields


def simple_query(s, sql):
    data = sql.encode() + b"\0"
    s.sendall(b"Q" + struct.pack("!I", 4 + len(data)) + data)
    return read_until(s, b"Z")


def wait_closed(s, timeout=10):
    """Reads until the server closes the connection; returns the messages received before that."""
    s.settimeout(timeout)
    msgs = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            m = read_msg(s)
        except socket.timeout:
            raise AssertionError("server did not close the connection within %ss (got %r)" % (timeout, msgs))
        if m is None:
            return msgs
        msgs.append(m)
    raise AssertionError("server did not close the connection within %ss (got %r)" % (timeout, msgs[:5]))


# ------------------------------------------------------------------ shared state and checks

class State:
    srv = None
    keeper = None   # a session opened at the start and used after every abuse
    expected_rows = None


def setup(srv):
    State.srv = srv
    conn = srv.connect()
    cur = conn.cursor()
    cur.execute("CREATE TABLE kv (k INT PRIMARY KEY, v TEXT)")
    cur.execute("INSERT INTO kv VALUES " + ", ".join("(%d, 'v%d')" % (i, i) for i in range(100)))
    State.expected_rows = query(conn, "SELECT k, v FROM kv ORDER BY k")
    State.keeper = conn


def still_fine(what):
    srv = State.srv
    assert srv.alive(), "server died after: %s\n%s" % (what, srv.log_tail())
    got = query(State.keeper, "SELECT k, v FROM kv ORDER BY k")
    assert got == State.expected_rows, "rows changed after: %s" % what
    c = srv.connect()
    assert query(c, "SELECT count(*) FROM kv") == [(len(State.expected_rows),)]
    c.close()


# ------------------------------------------------------------------ tests

def test_garbage_before_startup(args):
    for garbage in (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", b"\x00\x00\x00\x08\x00\x00\x00\x00",
                    b"\xff" * 64, b"\x00\x00\x00\x03"):
        s = raw_connect(State.srv.port, startup=False)
        s.sendall(garbage)
        wait_closed(s)
        s.close()
        still_fine("garbage %r before startup" % garbage[:10])
    # a client that connects and says nothing, then goes away
    s = raw_connect(State.srv.port, startup=False)
    s.close()
    still_fine("empty connection")


def test_ssl_request_refused(args):
    """psql and libpq start with an SSLRequest; the server must answer 'N' and go on."""
    s = raw_connect(State.srv.port, startup=False)
    s.sendall(struct.pack("!II", 8, 80877103))
    assert recv_exact(s, 1) == b"N"
    params = b"user\0omendb\0database\0omendb\0\0"
    s.sendall(struct.pack("!II", 8 + len(params), 196608) + params)
    msgs = read_until(s, b"Z")
    assert msgs and msgs[-1][0] == b"Z"
    s.close()
    still_fine("SSLRequest")


def test_absurd_length(args):
    s = raw_connect(State.srv.port)
    s.sendall(b"Q" + struct.pack("!I", 0x7FFFFFFF) + b"SELECT 1")
    msgs = wait_closed(s)
    s.close()
    print("  absurd length: server sent %s before closing" % [m[0] for m in msgs])
    still_fine("message length 0x7fffffff")


def test_length_below_four(args):
    for n in (0, 1, 3):
        s = raw_connect(State.srv.port)
        s.sendall(b"Q" + struct.pack("!I", n) + b"xxxxxxxx")
        wait_closed(s)
        s.close()
        still_fine("message length %d" % n)


def test_unknown_message_type(args):
    s = raw_connect(State.srv.port)
    s.sendall(b"\x01" + struct.pack("!I", 4))
    try:
        msgs = wait_closed(s)
        errors = [error_fields(b) for t, b in msgs if t == b"E"]
        print("  unknown message type: errors %s, connection closed" % [e.get("C") for e in errors])
    except AssertionError:
        # staying open is acceptable too, if the session still works
        s.settimeout(10)
        msgs = simple_query(s, "SELECT 1")
        assert any(t == b"D" for t, _ in msgs), msgs
    s.close()
    still_fine("unknown message type")


def test_oversized_message(args):
    """--max-message-bytes 1 MB; a 2 MB query gets an error and the connection is closed."""
    with Server(args.server_bin, extra_args=["--max-message-bytes", str(1 << 20)]) as srv:
        c = srv.connect()
        c.cursor().execute("CREATE TABLE t (id INT PRIMARY KEY)")
        c.cursor().execute("INSERT INTO t VALUES (1), (2)")
        s = raw_connect(srv.port)
        big = "SELECT 1 " + " " * (2 << 20)
        data = big.encode() + b"\0"
        s.sendall(b"Q" + struct.pack("!I", 4 + len(data)))
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        msgs = wait_closed(s)
        s.close()
        errors = [error_fields(b) for t, b in msgs if t == b"E"]
        assert errors, "no ErrorResponse for an oversized message: %r" % [m[0] for m in msgs]
        assert errors[0].get("C") in ("54000", "08P01"), errors
        print("  oversized: %s %s" % (errors[0].get("C"), errors[0].get("M")))
        # a query under the limit still works on other sessions
        assert query(c, "SELECT count(*) FROM t") == [(2,)]
        ok = srv.connect()
        assert query(ok, "SELECT '%s' = 'x'" % ("x" * 500_000)) == [(False,)]
        ok.close()
        c.close()


def test_client_vanishes_mid_query(args):
    srv = State.srv
    conn = srv.connect()
    cur = conn.cursor()
    cur.execute("CREATE TABLE big (id BIGINT PRIMARY KEY, a INT, b DOUBLE PRECISION, c TEXT)")
    step = 20_000
    t0 = time.monotonic()
    for start in range(0, BIG_ROWS, step):
        cur.execute("INSERT INTO big VALUES " + ", ".join(
            "(%d, %d, %d.5, 'row number %d')" % (i, i % 1000, i, i) for i in range(start, start + step)))
    print("  inserted %d rows in %.1fs" % (BIG_ROWS, time.monotonic() - t0))
    assert query(conn, "SELECT count(*) FROM big") == [(BIG_ROWS,)]
    long_sql = "SELECT id, a * 2 + 1, b / 3, c, id % 7 = 0 FROM big ORDER BY c DESC"
    for how in ("close at once", "read a little then reset"):
        s = raw_connect(srv.port)
        data = long_sql.encode() + b"\0"
        s.sendall(b"Q" + struct.pack("!I", 4 + len(data)) + data)
        if how != "close at once":
            s.recv(1000)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST on close
        s.close()
        time.sleep(0.5)
        still_fine("client vanished mid-query (%s)" % how)
        assert query(conn, "SELECT count(*), min(id), max(id) FROM big") == [(BIG_ROWS, 0, BIG_ROWS - 1)]
    # and a session that stops reading the rows, while another session keeps working
    s = raw_connect(srv.port)
    data = long_sql.encode() + b"\0"
    s.sendall(b"Q" + struct.pack("!I", 4 + len(data)) + data)
    time.sleep(1)
    t0 = time.monotonic()
    still_fine("a client not reading its results")
    assert time.monotonic() - t0 < 10, "other sessions blocked by a client not reading"
    s.close()
    time.sleep(0.5)
    still_fine("client not reading, then gone")
    conn.close()


def test_sql_errors_keep_session(args):
    conn = State.srv.connect()
    cases = [
        ("SELECT 2147483647 + 1", "22003"),
        ("SELECT 9223372036854775807 + 1", "22003"),
        ("SELECT 1 / 0", "22012"),
        ("SELECT 5 % 0", "22012"),
        ("SELEC 1", "42601"),
        ("SELECT * FROM", "42601"),
        ("SELECT * FROM no_such_table", "42P01"),
        ("SELECT nosuch FROM kv", "42703"),
        ("SELECT v + 1 FROM kv", "42883"),
        ("INSERT INTO kv VALUES (1, 'dup')", "23505"),
        ("INSERT INTO kv VALUES (NULL, 'x')", "23502"),
        ("SELECT CAST('x' AS INT)", "22P02"),
        ("SELECT count(DISTINCT k) OVER () FROM kv", "0A000"),
        ("BEGIN ISOLATION LEVEL SERIALIZABLE", "0A000"),
    ]
    for sql, code in cases:
        e = expect_error(conn, sql, code)
        assert e.pgerror and "ERROR" in e.pgerror, e.pgerror
        # the same connection goes on
        assert query(conn, "SELECT 1") == [(1,)], sql
    assert query(conn, "SELECT count(*) FROM kv") == [(100,)]
    # several statements in one Query message: the first error stops the rest
    s = raw_connect(State.srv.port)
    msgs = simple_query(s, "SELECT 1; SELECT 1/0; SELECT 3")
    types = [t for t, _ in msgs]
    assert types.count(b"E") == 1 and types[-1] == b"Z", types
    data_rows = [b for t, b in msgs if t == b"D"]
    assert len(data_rows) == 1, "statements after the failing one must not run: %r" % types
    msgs = simple_query(s, "")
    assert [t for t, _ in msgs] == [b"I", b"Z"], msgs  # EmptyQueryResponse
    s.close()
    conn.close()
    still_fine("SQL errors")


def test_many_connections_open_close(args):
    for _ in range(200):
        s = raw_connect(State.srv.port)
        s.sendall(b"X" + struct.pack("!I", 4))  # Terminate
        s.close()
    still_fine("200 connect/terminate cycles")


def main():
    args = parse_args()
    with Server(args.server_bin) as srv:
        setup(srv)
        tests = [test_garbage_before_startup, test_ssl_request_refused, test_absurd_length, test_length_below_four,
                 test_unknown_message_type, test_sql_errors_keep_session, test_many_connections_open_close,
                 test_client_vanishes_mid_query, test_oversized_message]
        try:
            failed = run_tests(tests, args)
        finally:
            State.keeper.close()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
