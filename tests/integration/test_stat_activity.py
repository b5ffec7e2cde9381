#!/usr/bin/python3
"""pg_stat_activity, pg_cancel_backend and pg_terminate_backend over real, concurrent sessions
(docs/catalogs.md, "Backends"):

  - pg_stat_activity lists each session once, by the pid BackendKeyData gave it (pg_backend_pid()), with
    its state (idle, active, idle in transaction, idle in transaction (aborted)), the text of its running
    or last statement, its application_name (startup packet, then SET), client address and port,
    backend_start / xact_start / query_start / state_change as PostgreSQL sets them;
  - pg_cancel_backend(pid) ends another session's running statement with 57014, the session goes on;
  - pg_terminate_backend(pid) ends another session (FATAL 57P01): its next statement fails, its row locks
    are released and a writer waiting on them proceeds; a running statement is ended too; with a timeout
    it waits for the backend to be gone;
  - a session can cancel (57014) and terminate (57P01) itself; an unknown pid gives false with PostgreSQL's
    WARNING, a negative timeout 22003;
  - sessions reading pg_stat_activity while others connect, run statements and disconnect see consistent
    rows (the TSan build runs this too).

The same script runs against PostgreSQL 15:

    PG_REFERENCE_CMD='/usr/bin/python3 tests/integration/test_stat_activity.py --host $PGHOST --port $PGPORT \
        --user $PGUSER --dbname $PGDATABASE --engine postgresql' tests/sqllogictest/pg_reference.sh
"""

import os
import socket
import sys
import threading
import time

import psycopg2

import pgraw

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import connector, expect_error, fresh, in_thread, query, run_main, run_tests, scalar  # noqa: E402

TIMEOUT = 30
# Runs until it is cancelled (10^10 row pairs), on PostgreSQL and OmenDB alike.
LONG = "SELECT count(*) FROM generate_series(1, 100000) a, generate_series(1, 100000) b WHERE a + b < 0"
NO_SUCH_PID = 2147483647


def activity(conn, pid):
    """pid's row of pg_stat_activity as a dict (None if it is not listed)."""
    cur = conn.cursor()
    cur.execute("SELECT pid, state, query, application_name, usename, datname, backend_type, client_addr::text, "
                "client_port, backend_start, xact_start, query_start, state_change, wait_event_type, "
                "wait_event, leader_pid, query_id FROM pg_stat_activity WHERE pid = %s", (pid,))
    row = cur.fetchone()
    if row is None:
        return None
    return dict(zip([d[0] for d in cur.description], row))


def wait_for(conn, pid, pred, what):
    deadline = time.monotonic() + TIMEOUT
    while True:
        a = activity(conn, pid)
        if pred(a):
            return a
        assert time.monotonic() < deadline, "%s: pid %d is %r" % (what, pid, a)
        time.sleep(0.01)


def test_states(connect):
    watcher = connect(True)
    idle = connect(True, application_name="statact_idle")
    query(idle, "SELECT 41 + 1")
    in_txn = connect(False)
    query(in_txn, "SELECT 'in a block'")  # psycopg2 sent BEGIN first
    aborted = connect(False)
    try:
        query(aborted, "SELECT 1 / 0")
    except psycopg2.Error as e:
        assert e.pgcode == "22012", e.pgcode
    runner = connect(True)
    runner_pid = runner.get_backend_pid()
    t, out = in_thread(lambda: query(runner, LONG))
    try:
        # The pid is the one BackendKeyData gave (psycopg2's get_backend_pid).
        assert scalar(watcher, "SELECT pg_backend_pid()") == watcher.get_backend_pid()
        a = activity(watcher, idle.get_backend_pid())
        assert a["state"] == "idle" and a["query"] == "SELECT 41 + 1", a
        assert a["application_name"] == "statact_idle", a
        assert a["backend_type"] == "client backend" and a["xact_start"] is None, a
        assert a["wait_event_type"] == "Client" and a["wait_event"] == "ClientRead", a
        assert a["leader_pid"] is None and a["query_id"] is None, a
        assert a["client_addr"] in ("127.0.0.1", "127.0.0.1/32", "::1", "::1/128"), a
        assert a["client_port"] > 0, a
        assert a["usename"] == scalar(watcher, "SELECT current_user"), a
        assert a["datname"] == scalar(watcher, "SELECT current_database()"), a
        assert a["backend_start"] <= a["query_start"] <= a["state_change"], a
        a = activity(watcher, in_txn.get_backend_pid())
        assert a["state"] == "idle in transaction" and a["query"] == "SELECT 'in a block'", a
        assert a["xact_start"] is not None and a["xact_start"] <= a["query_start"], a
        a = activity(watcher, aborted.get_backend_pid())
        assert a["state"] == "idle in transaction (aborted)" and a["query"] == "SELECT 1 / 0", a
        a = wait_for(watcher, runner_pid, lambda a: a and a["state"] == "active" and a["query"] == LONG,
                     "the long query")
        assert a["xact_start"] is not None and a["xact_start"] <= a["query_start"] <= a["state_change"], a
        # The session reading the view sees itself running that statement.
        me = activity(watcher, watcher.get_backend_pid())
        assert me["state"] == "active" and me["query"].startswith("SELECT pid, state, query"), me
        # SET application_name shows.
        query(idle, "SET application_name = 'renamed'")
        assert activity(watcher, idle.get_backend_pid())["application_name"] == "renamed"
        # Each session once.
        pids = [r[0] for r in query(watcher, "SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend'")]
        for c in (idle, in_txn, aborted, runner, watcher):
            assert pids.count(c.get_backend_pid()) == 1, (c.get_backend_pid(), pids)
    finally:
        runner.cancel()
        t.join(TIMEOUT)
    assert out.get("error") is not None and out["error"].pgcode == "57014", out
    in_txn.rollback()
    query(in_txn, "SELECT 2")
    in_txn.commit()
    assert activity(watcher, in_txn.get_backend_pid())["state"] == "idle"
    for c in (idle, in_txn, aborted, runner):
        c.close()
    # A closed session leaves the view.
    wait_for(watcher, runner_pid, lambda a: a is None, "a closed session")
    watcher.close()


def test_cancel_backend(connect):
    watcher = connect(True)
    runner = connect(True)
    pid = runner.get_backend_pid()
    # An idle backend: true, and nothing happens to it.
    assert scalar(watcher, "SELECT pg_cancel_backend(%s)", (pid,)) is True
    assert scalar(runner, "SELECT 1") == 1
    t, out = in_thread(lambda: query(runner, LONG))
    wait_for(watcher, pid, lambda a: a["state"] == "active" and a["query"] == LONG, "the long query")
    t0 = time.monotonic()
    assert scalar(watcher, "SELECT pg_cancel_backend(%s)", (pid,)) is True
    t.join(TIMEOUT)
    assert not t.is_alive(), "pg_cancel_backend did not end the statement"
    assert out.get("error") is not None and out["error"].pgcode == "57014", out
    assert "canceling statement due to user request" in str(out["error"]), out["error"]
    print("cancelled after %.3f s" % (time.monotonic() - t0))
    # The session goes on.
    assert scalar(runner, "SELECT 2") == 2
    wait_for(watcher, pid, lambda a: a["state"] == "idle", "after the cancel")
    runner.close()
    watcher.close()


def test_terminate_releases_locks(connect):
    c = fresh(connect, "statact_t", "CREATE TABLE statact_t (id int PRIMARY KEY, v int)",
              "INSERT INTO statact_t VALUES (1, 0), (2, 0)")
    holder = connect(False)
    query(holder, "UPDATE statact_t SET v = 1 WHERE id = 1")  # holds the row lock, idle in transaction
    pid = holder.get_backend_pid()
    writer = connect(True)
    t, out = in_thread(lambda: query(writer, "UPDATE statact_t SET v = 2 WHERE id = 1"))
    time.sleep(0.5)
    assert t.is_alive(), "the writer did not wait for the row lock: %r" % out
    assert activity(c, pid)["state"] == "idle in transaction"
    assert scalar(c, "SELECT pg_terminate_backend(%s)", (pid,)) is True
    t.join(TIMEOUT)
    assert not t.is_alive(), "the writer still waits after pg_terminate_backend"
    assert "error" not in out, out
    # The terminated session's next statement fails: the server sent FATAL 57P01 and closed it.
    try:
        query(holder, "SELECT 1")
        raise AssertionError("the terminated session still runs statements")
    except psycopg2.Error as e:
        assert e.pgcode in ("57P01", None), (e.pgcode, e)
        assert "terminating connection due to administrator command" in str(e) or holder.closed, e
    wait_for(c, pid, lambda a: a is None, "a terminated session")
    # Its update was rolled back, the writer's committed.
    assert query(c, "SELECT v FROM statact_t ORDER BY id") == [(2,), (0,)]
    writer.close()
    c.close()


def test_terminate_running_statement(args):
    """The running statement ends with FATAL 57P01 (no ERROR, no ReadyForQuery) and the connection closes;
    with a timeout, pg_terminate_backend waits until the backend is gone."""
    watcher = args.connect(True)
    raw, pid = raw_session(args)
    raw.send(pgraw.query(LONG))
    wait_for(watcher, pid, lambda a: a["state"] == "active" and a["query"] == LONG, "the long query")
    assert scalar(watcher, "SELECT pg_terminate_backend(%s, 20000)", (pid,)) is True
    assert activity(watcher, pid) is None
    messages = until_closed(raw)
    assert errors_of(messages) == [FATAL_57P01] and not [m for m in messages if m[0] in "DZ"], messages
    # Through psycopg2: the statement fails, the connection is unusable.
    runner = args.connect(True)
    pid = runner.get_backend_pid()
    t, out = in_thread(lambda: query(runner, LONG))
    wait_for(watcher, pid, lambda a: a["state"] == "active" and a["query"] == LONG, "the long query")
    assert scalar(watcher, "SELECT pg_terminate_backend(%s)", (pid,)) is True
    t.join(TIMEOUT)
    assert not t.is_alive() and isinstance(out.get("error"), psycopg2.Error), out
    assert runner.closed or query_fails(runner)
    watcher.close()


def query_fails(conn):
    try:
        query(conn, "SELECT 1")
    except psycopg2.Error:
        return True
    return False


def raw_session(args):
    """A pgraw connection and its pid."""
    raw = pgraw.Conn(args.port, user=args.user, db=args.dbname, host=args.host)
    # DataRow: int16 column count, int32 length, the value's text.
    row = [b for t, b in raw.run(pgraw.query("SELECT pg_backend_pid()")) if t == "D"][0]
    pid = int(row[6:].decode())
    return raw, pid


def until_closed(raw):
    """The messages the server sends until it closes the connection."""
    out = []
    try:
        while True:
            out.append(raw.read())
    except (EOFError, ConnectionResetError, socket.timeout):
        return out


FATAL_57P01 = ("FATAL", "57P01", "terminating connection due to administrator command")


def errors_of(messages):
    return [(pgraw.fields(b).get("S"), pgraw.fields(b).get("C"), pgraw.fields(b).get("M"))
            for t, b in messages if t == "E"]


def test_self(args):
    connect = args.connect
    c = connect(True)
    e = expect_error(c, "SELECT pg_cancel_backend(pg_backend_pid())", "57014")
    assert "canceling statement due to user request" in str(e), e
    assert scalar(c, "SELECT 1") == 1
    c.close()
    # Terminating itself: its row (PostgreSQL sends it before its next interrupt check), then FATAL 57P01
    # instead of ReadyForQuery, and the connection closes.
    raw, pid = raw_session(args)
    raw.send(pgraw.query("SELECT pg_terminate_backend(pg_backend_pid())"))
    messages = until_closed(raw)
    assert errors_of(messages) == [FATAL_57P01] and messages[-1][0] == "E", messages
    assert ("D", b"\x00\x01\x00\x00\x00\x01t") in messages and not [m for m in messages if m[0] == "Z"], messages


def test_terminate_idle(args):
    """An idle session gets FATAL 57P01 at once, unprompted, and the connection closes."""
    raw, pid = raw_session(args)
    c = args.connect(True)
    assert scalar(c, "SELECT state FROM pg_stat_activity WHERE pid = %s", (pid,)) == "idle"
    assert scalar(c, "SELECT pg_terminate_backend(%s)", (pid,)) is True
    assert errors_of(until_closed(raw)) == [FATAL_57P01]
    wait_for(c, pid, lambda a: a is None, "a terminated session")
    c.close()


def test_unknown_pid(connect):
    c = connect(True)
    del c.notices[:]
    assert scalar(c, "SELECT pg_cancel_backend(%s)" % NO_SUCH_PID) is False
    assert scalar(c, "SELECT pg_terminate_backend(%s)" % NO_SUCH_PID) is False
    assert scalar(c, "SELECT pg_terminate_backend(%s, 100)" % NO_SUCH_PID) is False
    assert c.notices == ["WARNING:  PID %d is not a PostgreSQL backend process\n" % NO_SUCH_PID] * 3, c.notices
    e = expect_error(c, "SELECT pg_terminate_backend(%s, -1)" % NO_SUCH_PID, "22003")
    assert '"timeout" must not be negative' in str(e), e
    assert scalar(c, "SELECT pg_cancel_backend(NULL)") is None
    # Types as PostgreSQL's.
    assert query(c, "SELECT pg_typeof(pg_cancel_backend(%d))::text, pg_typeof(pid)::text, "
                    "pg_typeof(backend_start)::text, pg_typeof(query)::text FROM pg_stat_activity "
                    "WHERE pid = pg_backend_pid()" % NO_SUCH_PID) == \
        [("boolean", "integer", "timestamp with time zone", "text")]
    c.close()


def test_concurrent_readers(connect):
    """Readers of pg_stat_activity while sessions connect, run statements, change state and disconnect."""
    stop = threading.Event()
    errors = []
    seen = [0]

    def reader():
        try:
            c = connect(True)
            while not stop.is_set():
                for pid, state, q in query(c, "SELECT pid, state, query FROM pg_stat_activity "
                                              "WHERE backend_type = 'client backend'"):
                    # (PostgreSQL lists a backend still in its startup with a NULL state; OmenDB does not.)
                    assert pid > 0 and state in ("active", "idle", "idle in transaction",
                                                 "idle in transaction (aborted)", None), (pid, state, q)
                    seen[0] += 1
            c.close()
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    def churn(n):
        try:
            for i in range(15):
                c = connect(i % 2 == 0, application_name="churn%d" % n)
                query(c, "SELECT %d AS n, repeat('x', %d)" % (i, i * 100))
                query(c, "SET application_name = 'churn%d_%d'" % (n, i))
                if not c.autocommit:
                    c.commit()
                c.close()
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    readers = [threading.Thread(target=reader) for _ in range(3)]
    churners = [threading.Thread(target=churn, args=(n,)) for n in range(4)]
    for t in readers + churners:
        t.start()
    for t in churners:
        t.join(120)
    stop.set()
    for t in readers:
        t.join(60)
    assert not errors, errors
    assert seen[0] > 0


def main():
    tests = [test_states, test_cancel_backend, test_terminate_releases_locks, test_unknown_pid,
             test_concurrent_readers]
    raw_tests = [test_self, test_terminate_idle, test_terminate_running_statement]

    def run(args):
        args.connect = connect = connector(args)
        pairs = [(fn.__name__[len("test_"):], lambda fn=fn: fn(connect)) for fn in tests]
        pairs += [(fn.__name__[len("test_"):], lambda fn=fn: fn(args)) for fn in raw_tests]
        return run_tests(pairs, args)
    return run_main(run)


if __name__ == "__main__":
    sys.exit(1 if main() else 0)
