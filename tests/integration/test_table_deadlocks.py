#!/usr/bin/python3
"""Deadlocks over table locks, and over table and row locks together (docs/schema.md, "Transactional
DDL"; docs/mvcc.md, "Deadlocks"; src/storage/wait_graph.h): a session that has waited deadlock_timeout
for a table or row lock checks the one wait-for graph of both kinds, and if its wait closes a cycle (over
two or three tables, through a lock upgrade, or through row locks and table locks) it fails with 40P01 and
PostgreSQL's DETAIL; the error frees its locks (as PostgreSQL's, before its ROLLBACK) and the others go on
and commit. A chain of waits without a cycle is no deadlock. A waiting session shows wait_event_type
Lock in pg_stat_activity. Also runs against PostgreSQL 15 (--host ... --engine
postgresql): the statements, SQLSTATEs and messages are the same (not the error position, which
OmenDB does not give).
"""

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import psycopg2  # noqa: E402
from harness import in_thread, query, run_main_connected, scalar  # noqa: E402

HINT = "See server log for query details."
WAIT = 0.3  # long enough for a statement to start waiting; well below deadlock_timeout (1 s)


def setup(connect, n):
    """Tables t1..tn (one row each) and an autocommit connection."""
    c = connect(True)
    for i in range(1, n + 1):
        query(c, "DROP TABLE IF EXISTS t%d" % i)
        query(c, "CREATE TABLE t%d (id int PRIMARY KEY)" % i)
        query(c, "INSERT INTO t%d VALUES (%d)" % (i, i))
    return c


def sessions(connect, n):
    """n autocommit connections, each in an open block."""
    out = []
    for _ in range(n):
        s = connect(True)
        query(s, "SET statement_timeout = 15000")  # a missed deadlock ends in 57014, not a hang
        query(s, "BEGIN")
        out.append(s)
    return out


def start(conn, sql):
    """Runs sql in a thread and checks that it waits."""
    t, out = in_thread(lambda: query(conn, sql))
    t.join(WAIT)
    assert t.is_alive(), "%r did not wait: %s" % (sql, out)
    return t, out


def oid(c, table):
    return scalar(c, "SELECT '%s'::regclass::oid" % table)


def expected_detail(c, cycle, first):
    """A pattern of PostgreSQL's DETAIL for `cycle` (a list of (session, mode, table, blocking session), each
    waiting for the next; table None: a row lock, which waits for the blocking session's transaction to
    end) as session `first` reports it: its own line first."""
    db = scalar(c, "SELECT oid FROM pg_database WHERE datname = current_database()")
    k = [s for s, _, _, _ in cycle].index(first)
    lines = []
    for s, mode, table, by in cycle[k:] + cycle[:k]:
        what = ("%s on relation %d of database %d" % (mode, oid(c, table), db) if table
                else "ShareLock on transaction ")
        lines.append(re.escape("Process %d waits for %s" % (s.get_backend_pid(), what)) +
                     ("" if table else r"\d+") +
                     re.escape("; blocked by process %d." % by.get_backend_pid()))
    return "\n".join(lines)


def settle(c, waits, cycle):
    """`waits`: (session, thread, out) of the statements that close `cycle`. Exactly one fails with 40P01
    and PostgreSQL's DETAIL; then the others finish one by one, each then committing.
    Returns the failed session."""
    deadline = time.monotonic() + 10
    failed = []
    while time.monotonic() < deadline and not failed:
        time.sleep(0.05)
        failed = [(s, out) for s, t, out in waits if not t.is_alive() and "error" in out]
    assert failed, "no deadlock reported: %s" % [(t.is_alive(), out) for _, t, out in waits]
    time.sleep(0.3)  # a second report would come now (each waiter checks once, when deadlock_timeout passed)
    errors = [(s, out) for s, t, out in waits if not t.is_alive() and "error" in out]
    assert len(errors) == 1, "more than one error: %s" % [str(out["error"]) for _, out in errors]
    loser, out = errors[0]
    e = out["error"]
    assert isinstance(e, psycopg2.Error) and e.pgcode == "40P01", repr(e)
    assert e.diag.message_primary == "deadlock detected", e.diag.message_primary
    assert re.fullmatch(expected_detail(c, cycle, loser), e.diag.message_detail), e.diag.message_detail
    assert e.diag.message_hint == HINT, e.diag.message_hint
    # The error aborts the loser's transaction and frees its locks at once, before its ROLLBACK (as
    # PostgreSQL's AbortTransaction): the session that waited for it goes on.
    pending = [(s, t, out) for s, t, out in waits if s is not loser]
    while all(t.is_alive() for _, t, _ in pending):
        assert time.monotonic() < deadline, "nobody goes on after the loser's error: %s" % [w[2] for w in pending]
        time.sleep(0.05)
    query(loser, "ROLLBACK")
    while pending:
        done = [w for w in pending if not w[1].is_alive()]
        if not done:
            assert time.monotonic() < deadline, "survivors still wait: %s" % [w[2] for w in pending]
            time.sleep(0.05)
            continue
        for s, t, out in done:
            assert "error" not in out, "a survivor failed: %s" % out["error"]
            query(s, "COMMIT")
            pending.remove((s, t, out))
    return loser


def cycle_of_two(connect, c, first_a, first_b, wait_a, wait_b):
    """Sessions a and b run the statements `first_a` / `first_b` in their blocks, then `wait_a` and `wait_b`
    (each (sql, PostgreSQL's mode it waits in, table it waits for)), which close a cycle: settle() it.
    Returns (a, b, a's result, loser)."""
    a, b = sessions(connect, 2)
    for s, sqls in ((a, first_a), (b, first_b)):
        for sql in sqls:
            query(s, sql)
    ta, oa = start(a, wait_a[0])
    tb, ob = start(b, wait_b[0])
    cycle = [(a, wait_a[1], wait_a[2], b), (b, wait_b[1], wait_b[2], a)]
    loser = settle(c, [(a, ta, oa), (b, tb, ob)], cycle)
    for s in (a, b):
        s.close()
    return a, b, oa, loser


def test_two_tables(connect):
    """Each session changed one table and then uses the other's: one gets 40P01, the other commits."""
    c = setup(connect, 2)
    a, _, oa, loser = cycle_of_two(connect, c, ["ALTER TABLE t1 ADD COLUMN x int"], ["ALTER TABLE t2 ADD COLUMN y int"],
                                   ("SELECT * FROM t2", "AccessShareLock", "t2"),
                                   ("INSERT INTO t1 VALUES (10)", "RowExclusiveLock", "t1"))
    if loser is a:  # b's INSERT went in after a's ALTER was rolled back
        assert query(c, "SELECT id FROM t1 ORDER BY id") == [(1,), (10,)]
        assert query(c, "SELECT * FROM t2") == [(2, None)]
    else:  # a read t2 as committed before b's ALTER
        assert oa["value"] == [(2,)], oa
        assert query(c, "SELECT * FROM t1") == [(1, None)]
    # The same with LOCK TABLE (ACCESS EXCLUSIVE).
    cycle_of_two(connect, c, ["LOCK TABLE t1"], ["LOCK TABLE t2"], ("LOCK TABLE t2", "AccessExclusiveLock", "t2"),
                 ("LOCK TABLE t1", "AccessExclusiveLock", "t1"))


def test_three_tables(connect):
    """A waits for B, B for C, C for A over three tables: one of them gets 40P01, the two others commit."""
    c = setup(connect, 3)
    a, b, s3 = sessions(connect, 3)
    for s, t in ((a, "t1"), (b, "t2"), (s3, "t3")):
        query(s, "LOCK TABLE %s IN ACCESS EXCLUSIVE MODE" % t)
    ta, oa = start(a, "SELECT * FROM t2")
    tb, ob = start(b, "SELECT * FROM t3")
    tc, oc = start(s3, "SELECT * FROM t1")
    cycle = [(a, "AccessShareLock", "t2", b), (b, "AccessShareLock", "t3", s3), (s3, "AccessShareLock", "t1", a)]
    loser = settle(c, [(a, ta, oa), (b, tb, ob), (s3, tc, oc)], cycle)
    for s, out, rows in ((a, oa, [(2,)]), (b, ob, [(3,)]), (s3, oc, [(1,)])):
        if s is not loser:
            assert out["value"] == rows, out
    for s in (a, b, s3):
        s.close()


def test_upgrade(connect):
    """A cycle through a lock upgrade: both hold t1 shared, B holds t2 exclusively; A waits for t2, B to
    change t1 (its own shared lock does not hold it back, A's does). Then two sessions that both hold t1
    shared and both want it exclusively: the second fails at once (PostgreSQL's early deadlock check)."""
    c = setup(connect, 2)
    share = "LOCK TABLE t1 IN ACCESS SHARE MODE"
    _, b, _, loser = cycle_of_two(connect, c, [share], [share, "LOCK TABLE t2"],
                                  ("SELECT * FROM t2", "AccessShareLock", "t2"),
                                  ("ALTER TABLE t1 ADD COLUMN u int", "AccessExclusiveLock", "t1"))
    cols = [r[0] for r in query(c, "SELECT column_name FROM information_schema.columns WHERE table_name = 't1'")]
    assert cols == (["id"] if loser is b else ["id", "u"]), cols

    a, b = sessions(connect, 2)
    query(a, share)
    query(b, share)
    ta, oa = start(a, "ALTER TABLE t1 ADD COLUMN v int")
    t0 = time.monotonic()
    try:
        query(b, "ALTER TABLE t1 ADD COLUMN w int")
        raise AssertionError("the second upgrade did not fail")
    except psycopg2.Error as e:
        assert e.pgcode == "40P01", e
        assert time.monotonic() - t0 < 0.9, "not detected at once"
        assert re.fullmatch(expected_detail(
            c, [(b, "AccessExclusiveLock", "t1", a), (a, "AccessExclusiveLock", "t1", b)], b),
            e.diag.message_detail), e.diag.message_detail
        assert e.diag.message_hint == HINT
    ta.join(10)  # b's locks went with its error
    assert not ta.is_alive() and "error" not in oa, oa
    query(b, "ROLLBACK")
    query(a, "COMMIT")
    cols = [r[0] for r in query(c, "SELECT column_name FROM information_schema.columns WHERE table_name = 't1' "
                                   "ORDER BY ordinal_position")]
    assert cols[-1] == "v" and "w" not in cols, cols
    for s in (a, b):
        s.close()


def test_chain_is_no_deadlock(connect):
    """C waits for B, B waits for A, A waits for nothing: past deadlock_timeout nobody fails; when A
    commits, B goes on, then C."""
    c = setup(connect, 2)
    a, b, s3 = sessions(connect, 3)
    query(a, "LOCK TABLE t1")
    query(b, "LOCK TABLE t2")
    tb, ob = start(b, "SELECT * FROM t1 ORDER BY id")
    tc, oc = start(s3, "SELECT * FROM t2")
    time.sleep(1.5)  # past deadlock_timeout of both waits
    assert tb.is_alive() and tc.is_alive(), (ob, oc)
    query(a, "INSERT INTO t1 VALUES (7)")
    query(a, "COMMIT")
    tb.join(10)
    assert not tb.is_alive() and ob.get("value") == [(1,), (7,)], ob
    assert tc.is_alive(), "C did not wait for B's lock on t2: %s" % oc
    query(b, "COMMIT")
    tc.join(10)
    assert not tc.is_alive() and oc.get("value") == [(2,)], oc
    query(s3, "COMMIT")
    for s in (a, b, s3):
        s.close()


ROW = "SELECT id FROM t1 WHERE id = 1 FOR UPDATE"  # a row lock, held to the transaction's end


def test_row_then_table(connect):
    """A holds a row lock and waits for B's table lock; B waits for A's row (a row lock waits for the
    transaction that holds it: "ShareLock on transaction N"). A waited first, so A finds the cycle: 40P01,
    and B goes on (A's row lock went with its error) and commits."""
    c = setup(connect, 2)
    _, b, _, loser = cycle_of_two(connect, c, [ROW], ["LOCK TABLE t2"],
                                   ("LOCK TABLE t2", "AccessExclusiveLock", "t2"),
                                   ("UPDATE t1 SET id = 1 WHERE id = 1", "ShareLock", None))
    assert loser is not b


def test_table_then_row(connect):
    """The same cycle, but B's row wait starts first: B (holding a table lock, waiting for a row) finds it;
    A's table wait then goes on. Then with DDL: B altered t2 and waits for A's row, A's INSERT into t2 waits
    for B (RowExclusiveLock): B finds the cycle, its ALTER is rolled back, A's INSERT goes in."""
    c = setup(connect, 2)
    for b_first, b_waits, a_waits, a_mode in (
            ("LOCK TABLE t2", "DELETE FROM t1 WHERE id = 1", "SELECT * FROM t2", "AccessShareLock"),
            ("ALTER TABLE t2 ADD COLUMN x int", "UPDATE t1 SET id = 1 WHERE id = 1", "INSERT INTO t2 VALUES (5)",
             "RowExclusiveLock")):
        a, b = sessions(connect, 2)
        query(a, ROW)
        query(b, b_first)
        tb, ob = start(b, b_waits)
        ta, oa = start(a, a_waits)
        cycle = [(a, a_mode, "t2", b), (b, "ShareLock", None, a)]
        assert settle(c, [(a, ta, oa), (b, tb, ob)], cycle) is b
        for s in (a, b):
            s.close()
    # A's SELECT read t2 as committed; b's ALTER was rolled back, A's INSERT went in
    assert query(c, "SELECT * FROM t2 ORDER BY id") == [(2,), (5,)]


def test_three_sessions_rows_and_tables(connect):
    """A holds a row of t1 and waits for B's t2; B waits for C's t3; C waits for A's row: A waited first and
    finds the cycle; C gets the row, commits, then B reads t3 and commits."""
    c = setup(connect, 3)
    a, b, s3 = sessions(connect, 3)
    query(a, ROW)
    query(b, "LOCK TABLE t2")
    query(s3, "LOCK TABLE t3")
    ta, oa = start(a, "LOCK TABLE t2")
    tb, ob = start(b, "SELECT * FROM t3")
    tc, oc = start(s3, "DELETE FROM t1 WHERE id = 1")
    cycle = [(a, "AccessExclusiveLock", "t2", b), (b, "AccessShareLock", "t3", s3), (s3, "ShareLock", None, a)]
    assert settle(c, [(a, ta, oa), (b, tb, ob), (s3, tc, oc)], cycle) is a
    assert ob["value"] == [(3,)], ob
    assert query(c, "SELECT count(*) FROM t1") == [(0,)]
    for s in (a, b, s3):
        s.close()


def test_lock_waits_in_pg_stat_activity(connect):
    """A session waiting for a row lock shows wait_event_type Lock / transactionid in pg_stat_activity, one
    waiting for a table lock Lock / relation (no deadlock: both wait for A, which waits for nothing)."""
    c = setup(connect, 2)
    a, b, s3 = sessions(connect, 3)
    query(a, ROW)
    query(a, "LOCK TABLE t2")
    tb, ob = start(b, "UPDATE t1 SET id = 1 WHERE id = 1")
    tc, oc = start(s3, "SELECT * FROM t2")
    rows = query(c, "SELECT pid, state, wait_event_type, wait_event FROM pg_stat_activity WHERE pid IN (%d, %d) "
                    "ORDER BY pid = %d DESC" % (b.get_backend_pid(), s3.get_backend_pid(), b.get_backend_pid()))
    assert rows == [(b.get_backend_pid(), "active", "Lock", "transactionid"),
                    (s3.get_backend_pid(), "active", "Lock", "relation")], rows
    query(a, "COMMIT")
    for t, out in ((tb, ob), (tc, oc)):
        t.join(10)
        assert not t.is_alive() and "error" not in out, out
    for s in (a, b, s3):
        query(s, "COMMIT")
        s.close()


if __name__ == "__main__":
    sys.exit(1 if run_main_connected([test_two_tables, test_three_tables, test_upgrade,
                                      test_chain_is_no_deadlock, test_row_then_table, test_table_then_row,
                                      test_three_sessions_rows_and_tables,
                                      test_lock_waits_in_pg_stat_activity]) else 0)
