#!/usr/bin/python3
"""INSERT ... ON CONFLICT under concurrency, as PostgreSQL 15 behaves (docs/schema.md).

  * counters: WRITERS threads upsert `n = n + 1` on overlapping keys (autocommit, READ COMMITTED), one row
    per statement and several sorted rows per statement: the sums are exact and nothing fails (no 23505,
    no 40001);
  * rc_waits_then_updates: a second session's upsert waits for a first session's uncommitted insert of the
    key, then (READ COMMITTED) updates the committed row: "INSERT 0 1", n = 2; after a ROLLBACK instead it
    inserts;
  * repeatable_read: a row committed after a REPEATABLE READ snapshot makes DO UPDATE and DO NOTHING fail
    with 40001, also when the upsert waited for the committing session;
  * deadlock: two sessions each holding a key and upserting the other's: one gets 40P01, the other goes
    on once it rolled back;
  * twice_and_tags: a key proposed twice in one DO UPDATE is 21000 with PostgreSQL's message and hint;
    DO NOTHING skips it; command tags count inserted plus updated rows;
  * row_locks: an upsert and a concurrent UPDATE, SELECT FOR UPDATE or DELETE of the same row wait for
    each other through the one row-lock manager: the waiter goes on from the committed result (READ
    COMMITTED), NOWAIT gives 55P03, lock_timeout applies to the upsert (55P03), an upsert and an UPDATE
    locking rows in opposite orders deadlock (40P01 for one), DO NOTHING waits for an uncommitted DELETE
    of its row and then inserts;
  * copy_defaults: COPY FROM with a column list fills the other columns with their DEFAULTs;
  * restart: upserted rows and column defaults survive kill -9.

`--host/--port` runs everything but `restart` against a running server: PostgreSQL 15 passes it too."""

import os
import random
import sys
import threading
import time

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, fresh, in_thread, run_main_connected, scalar  # noqa: E402

WRITERS = 8
PER_WRITER = 150
KEYS = 10


def test_counters(connect):
    admin = fresh(connect, "counters", "CREATE TABLE counters (k INT PRIMARY KEY, n BIGINT NOT NULL)")
    errors = []

    def writer(seed):
        rnd = random.Random(seed)
        c = connect(True)
        cur = c.cursor()
        try:
            for i in range(PER_WRITER):
                if i % 3 == 2:  # a statement of several keys, sorted (unsorted ones may deadlock, as in PostgreSQL)
                    keys = sorted(rnd.sample(range(KEYS), 3))
                    cur.execute("INSERT INTO counters VALUES " + ", ".join("(%d, 1)" % k for k in keys) +
                                " ON CONFLICT (k) DO UPDATE SET n = counters.n + excluded.n")
                    assert cur.statusmessage == "INSERT 0 3", cur.statusmessage
                else:
                    cur.execute("INSERT INTO counters VALUES (%s, 1) ON CONFLICT (k) DO UPDATE "
                                "SET n = counters.n + excluded.n", (rnd.randrange(KEYS),))
                    assert cur.statusmessage == "INSERT 0 1", cur.statusmessage
        except Exception as e:  # noqa: BLE001
            errors.append(e)
        finally:
            c.close()

    threads = [threading.Thread(target=writer, args=(s,)) for s in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, "upserters failed: %s" % "; ".join("%s %s" % (getattr(e, "pgcode", ""), e) for e in errors)
    expected = WRITERS * sum(3 if i % 3 == 2 else 1 for i in range(PER_WRITER))
    total = scalar(admin, "SELECT sum(n) FROM counters")
    assert total == expected, "sum %s, expected %d" % (total, expected)
    assert scalar(admin, "SELECT count(*) FROM counters") <= KEYS
    admin.close()


def test_rc_waits_then_updates(connect):
    admin = fresh(connect, "rc", "CREATE TABLE rc (k INT PRIMARY KEY, n INT)")
    upsert = "INSERT INTO rc VALUES (%d, 1) ON CONFLICT (k) DO UPDATE SET n = rc.n + 1"
    for outcome in ("commit", "rollback"):
        k = 1 if outcome == "commit" else 2
        s1 = connect(False)
        s1.cursor().execute(upsert % k)  # psycopg2 opened a transaction: the insert is not committed
        s2 = connect(True)

        def second():
            cur = s2.cursor()
            cur.execute(upsert % k)
            return cur.statusmessage

        t, out = in_thread(second)
        time.sleep(0.5)
        assert t.is_alive(), "the second upsert did not wait for the first session's insert: %s" % out
        if outcome == "commit":
            s1.commit()
        else:
            s1.rollback()
        t.join(10)
        assert not t.is_alive(), "the second upsert still waits after the first session's %s" % outcome
        assert "error" not in out, "second upsert failed: %s %s" % (getattr(out["error"], "pgcode", ""), out["error"])
        assert out["value"] == "INSERT 0 1", out["value"]
        n = scalar(admin, "SELECT n FROM rc WHERE k = %d" % k)
        assert n == (2 if outcome == "commit" else 1), "after %s: n = %s" % (outcome, n)
        s1.close()
        s2.close()
    admin.close()


def test_repeatable_read(connect):
    admin = fresh(connect, "rr", "CREATE TABLE rr (k INT PRIMARY KEY, n INT)")
    admin.cursor().execute("INSERT INTO rr VALUES (0, 0)")
    for action in ("DO UPDATE SET n = rr.n + 1", "DO NOTHING"):
        admin.cursor().execute("DELETE FROM rr WHERE k > 0")
        # Committed after the snapshot.
        s = connect(False)
        cur = s.cursor()
        cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        cur.execute("SELECT count(*) FROM rr")
        admin.cursor().execute("INSERT INTO rr VALUES (1, 1)")
        try:
            cur.execute("INSERT INTO rr VALUES (1, 5) ON CONFLICT (k) " + action)
            raise AssertionError("%s on a row committed after the snapshot did not fail" % action)
        except psycopg2.Error as e:
            assert e.pgcode == "40001", "%s: %s %s" % (action, e.pgcode, e)
            assert "could not serialize access due to concurrent update" in str(e), str(e)
        s.rollback()
        # Committed while the upsert waited.
        s1 = connect(False)
        s1.cursor().execute("INSERT INTO rr VALUES (2, 1) ON CONFLICT (k) DO NOTHING")
        cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        cur.execute("SELECT count(*) FROM rr")
        t, out = in_thread(lambda: cur.execute("INSERT INTO rr VALUES (2, 5) ON CONFLICT (k) " + action))
        time.sleep(0.5)
        assert t.is_alive(), "the REPEATABLE READ upsert did not wait"
        s1.commit()
        t.join(10)
        assert not t.is_alive()
        assert "error" in out and out["error"].pgcode == "40001", "%s after a wait: %s" % (action, out)
        s.rollback()
        assert scalar(admin, "SELECT n FROM rr WHERE k = 2") == 1
        s.close()
        s1.close()
    admin.close()


def test_deadlock(connect):
    admin = fresh(connect, "dl", "CREATE TABLE dl (k INT PRIMARY KEY, n INT)")
    upsert = "INSERT INTO dl VALUES (%d, 1) ON CONFLICT (k) DO UPDATE SET n = dl.n + 1"
    s1, s2 = connect(False), connect(False)
    s1.cursor().execute(upsert % 1)
    s2.cursor().execute(upsert % 2)
    t1, out1 = in_thread(lambda: s1.cursor().execute(upsert % 2))
    time.sleep(0.3)
    t2, out2 = in_thread(lambda: s2.cursor().execute(upsert % 1))
    # One of them is chosen as the victim (PostgreSQL after deadlock_timeout, 1 s); it rolls back and
    # the other goes on.
    deadline = time.monotonic() + 10
    victim = None
    while victim is None and time.monotonic() < deadline:
        for conn, out in ((s1, out1), (s2, out2)):
            if "error" in out:
                victim = conn
                assert out["error"].pgcode == "40P01", "%s %s" % (out["error"].pgcode, out["error"])
                assert str(out["error"]).startswith("deadlock detected"), str(out["error"])
        time.sleep(0.05)
    assert victim is not None, "no session was told about the deadlock"
    victim.rollback()
    t1.join(10)
    t2.join(10)
    assert not t1.is_alive() and not t2.is_alive()
    assert ("error" in out1) != ("error" in out2), "both failed: %s %s" % (out1, out2)
    survivor = s2 if victim is s1 else s1
    survivor.commit()
    # The victim's key was inserted by the survivor once the victim rolled back.
    cur = admin.cursor()
    cur.execute("SELECT k, n FROM dl ORDER BY k")
    rows = cur.fetchall()
    assert rows == [(1, 1), (2, 1)], rows
    s1.close()
    s2.close()
    admin.close()


def test_twice_and_tags(connect):
    admin = fresh(connect, "tw", "CREATE TABLE tw (k INT PRIMARY KEY, v TEXT)")
    cur = admin.cursor()
    cur.execute("INSERT INTO tw VALUES (1, 'a'), (2, 'b') ON CONFLICT DO NOTHING")
    assert cur.statusmessage == "INSERT 0 2", cur.statusmessage
    cur.execute("INSERT INTO tw VALUES (1, 'x'), (3, 'c'), (3, 'd') ON CONFLICT (k) DO NOTHING")
    assert cur.statusmessage == "INSERT 0 1", cur.statusmessage
    cur.execute("INSERT INTO tw VALUES (1, 'x'), (2, 'y') ON CONFLICT ON CONSTRAINT tw_pkey "
                "DO UPDATE SET v = tw.v || excluded.v WHERE tw.k = 1")
    assert cur.statusmessage == "INSERT 0 1", cur.statusmessage
    try:
        cur.execute("INSERT INTO tw VALUES (4, 'p'), (4, 'q') ON CONFLICT (k) DO UPDATE SET v = excluded.v")
        raise AssertionError("a row affected twice did not fail")
    except psycopg2.Error as e:
        assert e.pgcode == "21000", e.pgcode
        assert e.diag.message_primary == "ON CONFLICT DO UPDATE command cannot affect row a second time"
        assert e.diag.message_hint == ("Ensure that no rows proposed for insertion within the same command have "
                                       "duplicate constrained values."), e.diag.message_hint
    cur.execute("SELECT k, v FROM tw ORDER BY k")
    assert cur.fetchall() == [(1, "ax"), (2, "b"), (3, "c")]
    admin.close()


def wait_blocked(t, out, what):
    time.sleep(0.5)
    assert t.is_alive(), "%s did not wait: %s" % (what, out)


def finish(t, out, what):
    t.join(10)
    assert not t.is_alive(), "%s still waits" % what
    assert "error" not in out, "%s failed: %s %s" % (what, getattr(out["error"], "pgcode", ""), out["error"])
    return out.get("value")


def test_row_locks(connect):
    admin = fresh(connect, "rl", "CREATE TABLE rl (k INT PRIMARY KEY, n INT)")
    acur = admin.cursor()
    upsert = "INSERT INTO rl VALUES (%d, 100) ON CONFLICT (k) DO UPDATE SET n = rl.n + 1"

    def run(conn, sql):
        def go():
            cur = conn.cursor()
            cur.execute(sql)
            return cur.statusmessage
        return go

    # 1. Another transaction holds the row; the upsert waits, then works on what it committed.
    for other, sql, expect in (("UPDATE", "UPDATE rl SET n = n + 10 WHERE k = %d", 11),
                               ("SELECT FOR UPDATE", "SELECT n FROM rl WHERE k = %d FOR UPDATE", 1),
                               ("DELETE", "DELETE FROM rl WHERE k = %d", 100)):
        acur.execute("DELETE FROM rl")
        acur.execute("INSERT INTO rl VALUES (1, 0)")
        s1, s2 = connect(False), connect(True)
        s1.cursor().execute(sql % 1)
        t, out = in_thread(run(s2, upsert % 1))
        wait_blocked(t, out, "an upsert of a row held by " + other)
        s1.commit()
        assert finish(t, out, "the upsert after " + other) == "INSERT 0 1"
        assert scalar(admin, "SELECT n FROM rl WHERE k = 1") == expect, other
        s1.close()
        s2.close()

    # 2. The upsert holds the row; the others wait for it (or fail at once with NOWAIT).
    acur.execute("DELETE FROM rl")
    acur.execute("INSERT INTO rl VALUES (1, 0), (2, 0)")
    s1, s2 = connect(False), connect(False)
    s1.cursor().execute(upsert % 1)
    s1.cursor().execute(upsert % 2)
    try:
        s2.cursor().execute("SELECT n FROM rl WHERE k = 1 FOR UPDATE NOWAIT")
        raise AssertionError("FOR UPDATE NOWAIT on a row an upsert holds did not fail")
    except psycopg2.Error as e:
        assert e.pgcode == "55P03", "%s %s" % (e.pgcode, e)
    s2.rollback()
    t, out = in_thread(run(s2, "UPDATE rl SET n = n * 10 WHERE k = 1"))
    wait_blocked(t, out, "an UPDATE of a row an upsert holds")
    s1.commit()
    assert finish(t, out, "the UPDATE after the upsert") == "UPDATE 1"
    s2.commit()
    assert scalar(admin, "SELECT n FROM rl WHERE k = 1") == 10
    s1.cursor().execute(upsert % 2)
    t, out = in_thread(run(s2, "DELETE FROM rl WHERE k = 2"))
    wait_blocked(t, out, "a DELETE of a row an upsert holds")
    s1.commit()
    assert finish(t, out, "the DELETE after the upsert") == "DELETE 1"
    s2.commit()
    assert scalar(admin, "SELECT count(*) FROM rl WHERE k = 2") == 0

    # 3. lock_timeout applies to the upsert's wait.
    s1.cursor().execute("SELECT n FROM rl WHERE k = 1 FOR UPDATE")
    cur2 = s2.cursor()
    cur2.execute("SET lock_timeout = '200ms'")
    s2.commit()
    t0 = time.monotonic()
    try:
        cur2.execute(upsert % 1)
        raise AssertionError("the upsert did not time out")
    except psycopg2.Error as e:
        assert e.pgcode == "55P03", "%s %s" % (e.pgcode, e)
        assert "lock timeout" in str(e), str(e)
    assert time.monotonic() - t0 < 5
    s2.rollback()
    cur2.execute("SET lock_timeout = 0")
    s2.commit()
    s1.rollback()

    # 4. An upsert and an UPDATE taking two rows in opposite orders: one of them gets 40P01.
    acur.execute("DELETE FROM rl")
    acur.execute("INSERT INTO rl VALUES (1, 0), (2, 0)")
    s1.cursor().execute(upsert % 1)
    s2.cursor().execute("UPDATE rl SET n = n + 5 WHERE k = 2")
    t1, out1 = in_thread(run(s1, upsert % 2))
    time.sleep(0.3)
    t2, out2 = in_thread(run(s2, "UPDATE rl SET n = n + 5 WHERE k = 1"))
    t1.join(15)
    if "error" in out1:
        s1.rollback()
    t2.join(15)
    if "error" in out2:
        s2.rollback()
    t1.join(15)
    assert not t1.is_alive() and not t2.is_alive()
    codes = [o["error"].pgcode for o in (out1, out2) if "error" in o]
    assert codes == ["40P01"], "expected one 40P01: %s %s" % (out1, out2)
    s1.commit()
    s2.commit()

    # 5. DO NOTHING waits for an uncommitted DELETE of its row, then inserts.
    acur.execute("DELETE FROM rl")
    acur.execute("INSERT INTO rl VALUES (1, 0)")
    s1.cursor().execute("DELETE FROM rl WHERE k = 1")
    t, out = in_thread(run(s2, "INSERT INTO rl VALUES (1, 7) ON CONFLICT DO NOTHING"))
    wait_blocked(t, out, "DO NOTHING on a row being deleted")
    s1.commit()
    assert finish(t, out, "DO NOTHING after the DELETE") == "INSERT 0 1"
    s2.commit()
    assert scalar(admin, "SELECT n FROM rl WHERE k = 1") == 7
    s1.close()
    s2.close()
    admin.close()


def test_copy_defaults(connect):
    """COPY FROM with a column list fills the other columns with their DEFAULTs; listed columns keep NULLs."""
    import io
    c = fresh(connect, "cd", "CREATE TABLE cd (id INT PRIMARY KEY, n INT DEFAULT 7, s TEXT DEFAULT 'x' || 'y', "
                             "ts TIMESTAMPTZ DEFAULT now(), d DATE DEFAULT current_date, v VARCHAR(3) DEFAULT 'abc')")
    c.autocommit = False
    cur = c.cursor()
    cur.copy_expert("COPY cd (id) FROM STDIN", io.StringIO("1\n2\n"))
    cur.copy_expert("COPY cd (id, n, v) FROM STDIN WITH (FORMAT csv)", io.StringIO("3,,z\n"))
    cur.execute("SELECT id, n, s, ts = now(), d = current_date, v FROM cd ORDER BY id")
    rows = cur.fetchall()
    assert rows == [(1, 7, "xy", True, True, "abc"), (2, 7, "xy", True, True, "abc"),
                    (3, None, "xy", True, True, "z")], rows
    c.commit()
    c.close()


def test_restart(server_bin):
    srv = Server(server_bin)
    try:
        srv.start()
        c = psycopg2.connect(host="127.0.0.1", port=srv.port, user="postgres", dbname="postgres")
        c.autocommit = True
        cur = c.cursor()
        cur.execute("CREATE TABLE pts (k INT PRIMARY KEY, n BIGINT DEFAULT 1, tag TEXT DEFAULT 'a' || 'b')")
        for i in range(300):
            cur.execute("INSERT INTO pts (k) VALUES (%s) ON CONFLICT (k) DO UPDATE SET n = pts.n + 1", (i % 37,))
        c.close()
        srv.kill()  # SIGKILL
        srv.start()
        c = psycopg2.connect(host="127.0.0.1", port=srv.port, user="postgres", dbname="postgres")
        c.autocommit = True
        cur = c.cursor()
        cur.execute("SELECT count(*), sum(n) FROM pts")
        assert cur.fetchone() == (37, 300)
        # The column defaults came back with the catalog.
        cur.execute("INSERT INTO pts (k) VALUES (1000)")
        cur.execute("SELECT n, tag FROM pts WHERE k = 1000")
        assert cur.fetchone() == (1, "ab")
        c.close()
        srv.stop()
    finally:
        srv.cleanup()


def main():
    return run_main_connected([test_counters, test_rc_waits_then_updates, test_repeatable_read, test_deadlock,
                               test_twice_and_tags, test_row_locks, test_copy_defaults],
                              [test_restart])


if __name__ == "__main__":
    sys.exit(main())
