#!/usr/bin/python3
"""Clients that stop reading their results cannot hurt the others (docs/reliability.md).

A statement whose results wait for a client that does not read blocks only itself: its worker waits as a
blocking region (the pool serves other sessions meanwhile), a cancel request or statement_timeout ends the
wait with 57014, and once the client has read nothing for --send-timeout-ms the statement fails with 57014,
which frees its snapshot, row locks and the catalog (DDL goes on). The protocol stream stays whole: the
client later reads the rows sent so far, the ErrorResponse and ReadyForQuery, and the session goes on.

Stalled clients are raw sockets with a small receive buffer that send a query returning ~16 MB and then
read nothing.
"""

import os
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import psycopg2  # noqa: E402
import pgraw  # noqa: E402
from harness import Server, parse_args, query, run_tests  # noqa: E402

ROWS = 40000
PAD = 400
STALLED = 64


class Stalled(pgraw.Conn):
    """A raw connection that reads as little as the kernel lets it: a 4 kB receive buffer."""

    def __init__(self, port):
        self.s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.s.settimeout(60)
        self.s.connect(("127.0.0.1", port))
        self.buf = b""
        self.port = port
        body = struct.pack("!i", 196608) + pgraw.cstr("user") + pgraw.cstr("omendb") + pgraw.cstr("database") + \
            pgraw.cstr("omendb") + b"\0"
        self.s.sendall(struct.pack("!i", len(body) + 4) + body)
        for t, b in self.until_ready():
            if t == "K":
                self.pid, self.secret = struct.unpack("!ii", b)

    def cancel(self):
        c = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        c.sendall(struct.pack("!iiii", 16, 80877102, self.pid, self.secret))
        c.close()

    def result(self):
        """Reads one statement's messages through ReadyForQuery: (rows, tag or None, error fields or None, status)."""
        rows, tag, error = 0, None, None
        while True:
            t, b = self.read()
            if t == "D":
                rows += 1
            elif t == "C":
                tag = b.rstrip(b"\0").decode()
            elif t == "E":
                error = pgraw.fields(b)
            elif t == "Z":
                return rows, tag, error, b.decode()


def server_args(send_timeout_ms):
    return ["--workers", "2", "--send-timeout-ms", str(send_timeout_ms)]


class S:
    data_dir = None


def load(args):
    with Server(args.server_bin, data_dir=S.data_dir, keep=True) as srv:
        conn = srv.connect()
        cur = conn.cursor()
        cur.execute("CREATE TABLE big (id INT PRIMARY KEY, pad TEXT)")
        for start in range(0, ROWS, 2000):
            cur.execute("INSERT INTO big VALUES " + ", ".join(
                "(%d, '%s')" % (i, chr(ord('a') + i % 26) * PAD) for i in range(start, start + 2000)))
        conn.close()


def big_select():
    return pgraw.query("SELECT * FROM big")


def test_others_served_cancel_and_statement_timeout(args):
    # No send timeout: stalled statements wait until their client reads, is cancelled or times out.
    with Server(args.server_bin, data_dir=S.data_dir, keep=True, extra_args=server_args(0)) as srv:
        stalled = [Stalled(srv.port) for _ in range(STALLED)]
        timed = stalled[1]
        timed.run(pgraw.query("SET statement_timeout = '1500ms'"))
        for c in stalled:
            c.send(big_select())

        # Another client is served while 64 statements wait for their clients (on 2 worker threads).
        conn = srv.connect(options="-c statement_timeout=60000")
        conn.autocommit = True
        assert query(conn, "SELECT count(*), max(id) FROM big") == [(ROWS, ROWS - 1)]
        query(conn, "UPDATE big SET pad = pad WHERE id = 7")
        conn.autocommit = False
        cur = conn.cursor()
        cur.execute("SELECT pad FROM big WHERE id = 3 FOR UPDATE")
        assert cur.fetchall() == [(chr(ord('a') + 3) * PAD,)]
        conn.commit()

        # A cancel request ends the wait of a stalled statement with 57014 (the rows sent so far come first).
        stalled[0].cancel()
        rows, tag, error, status = stalled[0].result()
        assert error is not None and error["C"] == "57014", error
        assert "user request" in error["M"], error
        assert 0 < rows < ROWS, rows
        assert tag is None and status == "I", (tag, status)
        assert stalled[0].run(pgraw.query("SELECT 1"))[-1][0] == "Z"

        # statement_timeout ends it too (its client reads nothing until well after the limit).
        time.sleep(2.0)
        rows, tag, error, status = timed.result()
        assert error is not None and error["C"] == "57014" and "statement timeout" in error["M"], error
        assert 0 < rows < ROWS, rows

        # Some get every row once they read; the others vanish, which ends their statements (DDL, which
        # waits for every running statement to leave the catalog, then goes on).
        for c in stalled[2:6]:
            rows, tag, error, status = c.result()
            assert error is None and rows == ROWS and tag == "SELECT %d" % ROWS, (rows, tag, error)
        for c in stalled:
            c.s.close()
        conn.autocommit = True
        query(conn, "CREATE TABLE after_vanish (a INT PRIMARY KEY)")
        assert query(conn, "SELECT count(*) FROM after_vanish") == [(0,)]
        conn.close()
        assert srv.alive()


def test_send_timeout_frees_catalog_and_locks(args):
    with Server(args.server_bin, data_dir=S.data_dir, keep=True, extra_args=server_args(1500)) as srv:
        stalled = [Stalled(srv.port) for _ in range(8)]
        locker = stalled[0]
        locker.run(pgraw.query("BEGIN"))
        locker.send(pgraw.query("SELECT * FROM big ORDER BY id FOR UPDATE"))
        for c in stalled[1:]:
            c.send(big_select())

        conn = srv.connect(options="-c statement_timeout=60000")
        conn.autocommit = True
        # The locker's statement must hold row 0's lock before the UPDATE below asks for it (else the
        # UPDATE goes first and the whole test can finish before the send timeout): probe with NOWAIT.
        deadline = time.monotonic() + 30
        while True:
            probe = conn.cursor()
            try:
                probe.execute("BEGIN")
                probe.execute("SELECT id FROM big WHERE id = 0 FOR UPDATE NOWAIT")
            except psycopg2.Error as e:
                assert e.pgcode == "55P03", e
                break
            finally:
                probe.execute("ROLLBACK")
                probe.close()
            assert time.monotonic() < deadline, "the locker never locked row 0"
            time.sleep(0.02)
        # DDL needs every running statement out of the catalog, and the row update needs the lock of a row
        # the locker holds: both go on once the stalled statements fail (send timeout), never before.
        done = {}

        def ddl():
            c = srv.connect(options="-c statement_timeout=60000")
            c.autocommit = True
            query(c, "CREATE TABLE after_stall (a INT PRIMARY KEY)")
            done["ddl"] = True
            c.close()

        t = threading.Thread(target=ddl)
        t.start()
        query(conn, "UPDATE big SET pad = 'changed' WHERE id = 0")
        t.join(120)
        assert done.get("ddl"), "DDL did not finish"
        assert query(conn, "SELECT pad FROM big WHERE id = 0") == [("changed",)]

        rows, tag, error, status = locker.result()
        assert error is not None and error["C"] == "57014" and "send_timeout" in error["M"], error
        assert 0 < rows < ROWS and status == "E", (rows, status)
        t_, b = locker.run(pgraw.query("SELECT 1"))[0]
        assert t_ == "E" and pgraw.fields(b)["C"] == "25P02", (t_, b)
        assert locker.run(pgraw.query("ROLLBACK"))[-1] == ("Z", b"I")
        for c in stalled[1:]:
            rows, tag, error, status = c.result()
            assert error is not None and error["C"] == "57014" and "send_timeout" in error["M"], error
            assert 0 < rows < ROWS and status == "I", (rows, status)
            msgs = c.run(pgraw.query("SELECT count(*) FROM big"))
            assert ("D", struct.pack("!hi", 1, len(str(ROWS))) + str(ROWS).encode()) in msgs, msgs
        for c in stalled:
            c.s.close()
        assert query(conn, "SELECT count(*) FROM after_stall") == [(0,)]
        conn.close()
        assert srv.alive()


def main():
    args = parse_args()
    import tempfile
    base = tempfile.mkdtemp(prefix="omendb-slow-")
    S.data_dir = os.path.join(base, "data")
    load(args)
    failed = run_tests([test_others_served_cancel_and_statement_timeout, test_send_timeout_frees_catalog_and_locks],
                       args)
    if not failed:
        import shutil
        shutil.rmtree(base, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
