#!/usr/bin/python3
"""Row locks and READ COMMITTED re-checks (docs/mvcc.md, "Row locks"), over real connections:

  - 32 sessions incrementing one counter with UPDATE ... SET n = n + 1 at READ COMMITTED: no error, no
    increment lost; 32 sessions doing transfers between a few hot accounts (UPDATE ... SET balance =
    balance - x, both rows in id order) at READ COMMITTED: no error, money conserved;
  - lost update at REPEATABLE READ: the second writer waits, then 40001; if the first aborts, it goes on;
  - concurrent INSERT of one key: the second waits, then 23505 (first committed) or success (first aborted);
  - deadlock (two sessions, opposite order): exactly one 40P01, with PostgreSQL's message, the other goes on;
  - lock_timeout (55P03), statement_timeout (57014) and a cancel request (57014) end a wait;
  - a client that disconnects while holding locks frees its waiters; one that disconnects while waiting
    leaves nothing behind;
  - more waiting sessions than worker threads (--workers 2): the lock holder's COMMIT still runs;
  - SELECT ... FOR UPDATE / SHARE / KEY SHARE with NOWAIT and SKIP LOCKED: a job queue with 6 consumers
    processes every job exactly once; FOR UPDATE after a wait returns the new version at READ COMMITTED;
  - idle_in_transaction_session_timeout ends an idle session (FATAL 25P03) and frees its locks;
  - UPDATE ... FROM / DELETE ... USING joining a row with several rows: updated once per statement from
    8 sessions, re-checked on the newest version after a wait (READ COMMITTED), 40001 at REPEATABLE READ.

Sessions are ordered by waiting until the server reports the waiter (SHOW omendb.lock_waiters on OmenDB,
pg_stat_activity on PostgreSQL), never by sleeping. The same script runs against PostgreSQL 15:

    PG_REFERENCE_CMD='/usr/bin/python3 tests/integration/test_row_locks.py --host $PGHOST --port $PGPORT \
        --user $PGUSER --dbname $PGDATABASE --engine postgresql' tests/sqllogictest/pg_reference.sh
"""

import argparse
import concurrent.futures
import os
import random
import socket
import sys
import threading
import time
import traceback

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ROOT, Server  # noqa: E402

TIMEOUT = 30
WRITERS = 32


class Env:
    def __init__(self, args, port):
        self.args, self.port = args, port
        self.pg = args.engine == "postgresql"
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=64)

    def connect(self, level=None):
        c = psycopg2.connect(host=self.args.host, port=self.port, user=self.args.user, dbname=self.args.dbname,
                             connect_timeout=10)
        c.autocommit = True
        return c

    def sql(self, sql, params=None):
        c = self.connect()
        try:
            cur = c.cursor()
            cur.execute(sql, params)
            return cur.fetchall() if cur.description is not None else None
        finally:
            c.close()

    def lock_waiters(self):
        if self.pg:
            return self.sql("select count(*) from pg_stat_activity where wait_event_type = 'Lock'")[0][0]
        return int(self.sql("show omendb.lock_waiters")[0][0])

    def wait_for_lock_waiters(self, n):
        deadline = time.monotonic() + TIMEOUT
        while self.lock_waiters() != n:
            assert time.monotonic() < deadline, "expected %d lock waiters, have %d" % (n, self.lock_waiters())
            time.sleep(0.005)

    def run(self, conn, sql):
        """Runs sql on conn on another thread; returns the future (result rows or status)."""
        def go():
            cur = conn.cursor()
            cur.execute(sql)
            return cur.fetchall() if cur.description is not None else cur.statusmessage
        return self.pool.submit(go)


def error_of(fut):
    try:
        fut.result(TIMEOUT)
    except psycopg2.Error as e:
        return e
    return None


def begin(env, level="read committed"):
    c = env.connect()
    c.cursor().execute("begin isolation level " + level)
    return c


def setup_counter(env):
    env.sql("drop table if exists counter")
    env.sql("create table counter (id int primary key, n bigint not null)")
    env.sql("insert into counter values (1, 0), (2, 0)")


def test_counter_read_committed(env):
    """The classic: 32 sessions, UPDATE counter SET n = n + 1 in autocommit (READ COMMITTED). PostgreSQL
    serialises them on the row lock and re-reads the row: nothing lost, no error."""
    setup_counter(env)
    per = 40
    errors = repeat_in_sessions(env, WRITERS, per, "update counter set n = n + 1 where id = 1", 1)
    assert not errors, "errors: %r" % errors[:3]
    assert env.sql("select n from counter where id = 1") == [(WRITERS * per,)]


def repeat_in_sessions(env, sessions, per, sql, rowcount):
    """Runs `sql` `per` times in each of `sessions` autocommit sessions at once; each run must affect
    `rowcount` rows. Returns the errors."""
    errors = []

    def worker(_):
        c = env.connect()
        cur = c.cursor()
        try:
            for _ in range(per):
                cur.execute(sql)
                assert cur.rowcount == rowcount, cur.rowcount
        except Exception as e:  # noqa: BLE001
            errors.append(e)
        finally:
            c.close()

    list(env.pool.map(worker, range(sessions)))
    return errors


def test_bank_read_committed(env):
    """32 sessions moving money between 5 hot accounts at READ COMMITTED with UPDATE ... SET balance =
    balance -/+ x (rows locked in id order, as applications avoid deadlocks): zero errors, total kept."""
    env.sql("drop table if exists acct")
    env.sql("create table acct (id int primary key, balance bigint not null)")
    env.sql("insert into acct values (1, 1000), (2, 1000), (3, 1000), (4, 1000), (5, 1000)")
    seconds = float(os.environ.get("OMENDB_ROW_LOCK_SECONDS", "3"))
    stop = time.monotonic() + seconds
    errors, done = [], [0]
    lock = threading.Lock()

    def worker(seed):
        rnd = random.Random(seed)
        c = env.connect()
        cur = c.cursor()
        n = 0
        try:
            while time.monotonic() < stop:
                a, b = rnd.sample(range(1, 6), 2)
                x = rnd.randint(1, 50)
                lo, hi = min(a, b), max(a, b)
                cur.execute("begin")  # READ COMMITTED
                cur.execute("update acct set balance = balance + %s where id = %s", (-x if lo == a else x, lo))
                assert cur.rowcount == 1
                cur.execute("update acct set balance = balance + %s where id = %s", (-x if hi == a else x, hi))
                assert cur.rowcount == 1
                cur.execute("commit")
                n += 1
        except Exception as e:  # noqa: BLE001
            errors.append(e)
        finally:
            c.close()
            with lock:
                done[0] += n

    list(env.pool.map(worker, range(WRITERS)))
    assert not errors, "errors: %r" % [str(e) for e in errors[:3]]
    assert env.sql("select sum(balance) from acct") == [(5000,)]
    assert done[0] > 0
    print("      %d transfers committed by %d sessions in %.1f s, 0 errors" % (done[0], WRITERS, seconds))


def test_lost_update_repeatable_read(env):
    """RR: the second writer waits for the first; 40001 when the first commits, goes on if it aborts."""
    setup_counter(env)
    for first_commits in (True, False):
        t1, t2 = begin(env, "repeatable read"), begin(env, "repeatable read")
        t1.cursor().execute("select n from counter where id = 1")
        t2.cursor().execute("select n from counter where id = 1")
        t1.cursor().execute("update counter set n = n + 1 where id = 1")
        f = env.run(t2, "update counter set n = n + 10 where id = 1")
        env.wait_for_lock_waiters(1)
        assert not f.done()
        t1.cursor().execute("commit" if first_commits else "rollback")
        e = error_of(f)
        if first_commits:
            assert e is not None and e.pgcode == "40001", e
            assert "could not serialize access due to concurrent update" in str(e)
            t2.cursor().execute("rollback")
        else:
            assert e is None, e
            t2.cursor().execute("commit")
        t1.close()
        t2.close()
    assert env.sql("select n from counter where id = 1") == [(11,)]


def test_read_committed_recheck_skips(env):
    """RC: a waiting DELETE re-checks its WHERE on the new version (no longer matching: skipped), a
    waiting UPDATE of a row deleted meanwhile updates nothing."""
    setup_counter(env)
    t1, t2 = begin(env), begin(env)
    t1.cursor().execute("update counter set n = 5 where id = 1")
    f = env.run(t2, "delete from counter where n = 0")
    env.wait_for_lock_waiters(1)
    t1.cursor().execute("commit")
    assert f.result(TIMEOUT) == "DELETE 1"  # row 2 only: row 1 now has n = 5
    t2.cursor().execute("commit")
    assert env.sql("select id, n from counter order by id") == [(1, 5)]
    t1.cursor().execute("begin")
    t1.cursor().execute("delete from counter where id = 1")
    f = env.run(t2, "update counter set n = n + 1")
    env.wait_for_lock_waiters(1)
    t1.cursor().execute("commit")
    assert f.result(TIMEOUT) == "UPDATE 0"
    assert env.sql("select count(*) from counter") == [(0,)]
    t1.close()
    t2.close()


def test_insert_same_key(env):
    """Concurrent INSERT of one key: the second waits; 23505 if the first commits, success if it aborts."""
    setup_counter(env)
    for level in ("read committed", "repeatable read"):
        for first_commits in (True, False):
            env.sql("delete from counter where id = 7")
            t1, t2 = begin(env, level), begin(env, level)
            t2.cursor().execute("select count(*) from counter")  # RR: snapshot before t1's insert
            t1.cursor().execute("insert into counter values (7, 1)")
            f = env.run(t2, "insert into counter values (7, 2)")
            env.wait_for_lock_waiters(1)
            t1.cursor().execute("commit" if first_commits else "rollback")
            e = error_of(f)
            if first_commits:
                assert e is not None and e.pgcode == "23505", (level, e)
                t2.cursor().execute("rollback")
                assert env.sql("select n from counter where id = 7") == [(1,)]
            else:
                assert e is None, (level, e)
                t2.cursor().execute("commit")
                assert env.sql("select n from counter where id = 7") == [(2,)]
            t1.close()
            t2.close()


def test_deadlock(env):
    """Two sessions lock rows 1 and 2 in opposite order: exactly one gets 40P01 "deadlock detected" (after
    deadlock_timeout), its transaction aborts, the other one goes on and commits."""
    setup_counter(env)
    t1, t2 = begin(env), begin(env)
    for t in (t1, t2):
        t.cursor().execute("set deadlock_timeout = '100ms'")
    t1.cursor().execute("update counter set n = 1 where id = 1")
    t2.cursor().execute("update counter set n = 2 where id = 2")
    f1 = env.run(t1, "update counter set n = 1 where id = 2")
    env.wait_for_lock_waiters(1)
    f2 = env.run(t2, "update counter set n = 2 where id = 1")
    errors = {}
    for name, f in (("t1", f1), ("t2", f2)):
        errors[name] = error_of(f)
    failed = [n for n, e in errors.items() if e is not None]
    assert len(failed) == 1, errors
    e = errors[failed[0]]
    assert e.pgcode == "40P01", e
    assert e.pgerror.startswith("ERROR:  deadlock detected"), e.pgerror
    assert e.diag.message_detail.startswith("Process "), e.diag.message_detail
    assert " waits for ShareLock on transaction " in e.diag.message_detail, e.diag.message_detail
    assert e.diag.message_hint == "See server log for query details.", e.diag.message_hint
    winner, loser = (t2, t1) if failed[0] == "t1" else (t1, t2)
    loser.cursor().execute("rollback")
    winner.cursor().execute("commit")
    want = [(1, 1), (2, 1)] if winner is t1 else [(1, 2), (2, 2)]
    assert env.sql("select id, n from counter order by id") == want
    t1.close()
    t2.close()


def test_lock_timeout_statement_timeout_cancel(env):
    setup_counter(env)
    holder = begin(env)
    holder.cursor().execute("update counter set n = 1 where id = 1")
    # lock_timeout
    w = begin(env)
    w.cursor().execute("set lock_timeout = '150ms'")
    e = error_of(env.run(w, "update counter set n = 2 where id = 1"))
    assert e is not None and e.pgcode == "55P03", e
    assert "canceling statement due to lock timeout" in str(e), e
    w.cursor().execute("rollback")
    # statement_timeout
    w.cursor().execute("set statement_timeout = '150ms'")
    e = error_of(env.run(w, "update counter set n = 2 where id = 1"))
    assert e is not None and e.pgcode == "57014", e
    assert "canceling statement due to statement timeout" in str(e), e
    w.cursor().execute("set statement_timeout = 0")
    # cancel request
    f = env.run(w, "update counter set n = 3 where id = 1")
    env.wait_for_lock_waiters(1)
    w.cancel()
    e = error_of(f)
    assert e is not None and e.pgcode == "57014", e
    assert "canceling statement due to user request" in str(e), e
    env.wait_for_lock_waiters(0)
    # the holder was never disturbed, the waiter's session goes on
    holder.cursor().execute("commit")
    cur = w.cursor()
    cur.execute("update counter set n = 4 where id = 1")
    assert env.sql("select n from counter where id = 1") == [(4,)]
    holder.close()
    w.close()


def test_disconnects(env):
    """A holder that disconnects frees its waiters; a waiter that disconnects leaves no lock behind."""
    setup_counter(env)
    holder = begin(env)
    holder.cursor().execute("update counter set n = 1 where id = 1")
    w = env.connect()
    f = env.run(w, "update counter set n = n + 10 where id = 1")
    env.wait_for_lock_waiters(1)
    holder.close()  # the client goes away inside its transaction: it rolls back
    assert f.result(TIMEOUT) == "UPDATE 1"
    assert env.sql("select n from counter where id = 1") == [(10,)]
    w.close()

    holder = begin(env)
    holder.cursor().execute("update counter set n = 1 where id = 2")
    w = begin(env)
    # PostgreSQL notices a vanished client during a lock wait only with this set; OmenDB always does.
    w.cursor().execute("set client_connection_check_interval = '10ms'")
    w.cursor().execute("update counter set n = 99 where id = 1")  # w holds row 1
    f = env.run(w, "update counter set n = 99 where id = 2")
    env.wait_for_lock_waiters(1)
    # The client vanishes while waiting (its socket shut down under psycopg2, whose close() would wait for
    # the running statement): the wait ends, its transaction and its lock on row 1 go.
    sock = socket.socket(fileno=os.dup(w.fileno()))
    sock.shutdown(socket.SHUT_RDWR)
    sock.close()
    assert error_of(f) is not None
    w.close()
    env.wait_for_lock_waiters(0)
    holder.cursor().execute("update counter set n = 1 where id = 1")  # row 1 is free again
    holder.cursor().execute("commit")
    assert env.sql("select id, n from counter order by id") == [(1, 1), (2, 1)]
    holder.close()


def test_more_waiters_than_workers(env):
    """Six sessions wait for one row on a server with two worker threads: the holder's COMMIT still runs
    and every waiter then finishes (the pool adds threads while some wait for locks)."""
    setup_counter(env)
    holder = begin(env)
    holder.cursor().execute("update counter set n = 1 where id = 1")
    conns = [env.connect() for _ in range(6)]
    futs = [env.run(c, "update counter set n = n + 1 where id = 1") for c in conns]
    env.wait_for_lock_waiters(6)
    assert env.sql("select n from counter where id = 2") == [(0,)]  # another session is served meanwhile
    holder.cursor().execute("commit")
    for f in futs:
        assert f.result(TIMEOUT) == "UPDATE 1"
    assert env.sql("select n from counter where id = 1") == [(7,)]
    for c in conns + [holder]:
        c.close()


def setup_jobs(env, n):
    env.sql("drop table if exists jobs")
    env.sql("drop table if exists processed")
    env.sql("create table jobs (id int primary key, state text not null, payload text)")
    env.sql("create table processed (job int primary key, worker int not null)")
    c = env.connect()
    cur = c.cursor()
    cur.execute("begin")
    for i in range(1, n + 1):
        cur.execute("insert into jobs values (%s, 'new', %s)", (i, "p%d" % i))
    cur.execute("commit")
    c.close()


def test_skip_locked_queue(env):
    """A job queue: 6 consumers each take the next job with FOR UPDATE SKIP LOCKED, mark it done and
    record it, at READ COMMITTED. Every job is processed exactly once (processed.job is the primary key:
    a second processing would be 23505), with no error."""
    n = 150
    setup_jobs(env, n)
    errors, counts = [], {}

    def consumer(me):
        c = env.connect()
        cur = c.cursor()
        done = 0
        try:
            while True:
                cur.execute("begin")
                cur.execute("select id from jobs where state = 'new' order by id limit 1 for update skip locked")
                row = cur.fetchone()
                if row is None:
                    cur.execute("commit")
                    break
                cur.execute("update jobs set state = 'done' where id = %s", row)
                assert cur.rowcount == 1
                cur.execute("insert into processed values (%s, %s)", (row[0], me))
                cur.execute("commit")
                done += 1
        except Exception as e:  # noqa: BLE001
            errors.append(e)
        finally:
            counts[me] = done
            c.close()

    list(env.pool.map(consumer, range(6)))
    assert not errors, "errors: %r" % [str(e) for e in errors[:3]]
    # processed.job is the primary key: n rows between 1 and n are every job, once
    assert env.sql("select count(*), min(job), max(job) from processed") == [(n, 1, n)]
    assert env.sql("select count(*) from jobs where state = 'done'") == [(n,)]
    assert sum(counts.values()) == n, counts
    print("      %d jobs, each processed once; per consumer: %s" % (n, sorted(counts.values())))


def test_for_update_nowait_and_strengths(env):
    setup_jobs(env, 3)
    t1, t2 = begin(env), begin(env)
    cur = t1.cursor()
    cur.execute("select id from jobs where id = 1 for update")
    assert cur.fetchall() == [(1,)]
    e = error_of(env.run(t2, "select id from jobs where id <= 2 for update nowait"))
    assert e is not None and e.pgcode == "55P03", e
    assert e.diag.message_primary == 'could not obtain lock on row in relation "jobs"', e.diag.message_primary
    t2.cursor().execute("rollback")
    # SKIP LOCKED passes over row 1
    t2.cursor().execute("begin")
    assert env.run(t2, "select id from jobs order by id for update skip locked").result(TIMEOUT) == [(2,), (3,)]
    t2.cursor().execute("rollback")
    t1.cursor().execute("rollback")
    # FOR KEY SHARE lets an UPDATE of a non-key column through (NO KEY UPDATE), not a DELETE
    t1.cursor().execute("begin")
    t1.cursor().execute("select id from jobs where id = 1 for key share")
    t2.cursor().execute("begin")
    assert env.run(t2, "update jobs set state = 'x' where id = 1").result(TIMEOUT) == "UPDATE 1"
    t2.cursor().execute("set lock_timeout = '100ms'")
    e = error_of(env.run(t2, "delete from jobs where id = 1"))
    assert e is not None and e.pgcode == "55P03", e
    t2.cursor().execute("rollback")
    # FOR SHARE holders share; an UPDATE waits for them
    t2.cursor().execute("begin")
    t1.cursor().execute("select id from jobs where id = 2 for share")
    assert env.run(t2, "select id from jobs where id = 2 for share nowait").result(TIMEOUT) == [(2,)]
    f = env.run(t2, "update jobs set state = 'y' where id = 2")
    env.wait_for_lock_waiters(1)
    t1.cursor().execute("commit")
    assert f.result(TIMEOUT) == "UPDATE 1"
    t2.cursor().execute("commit")
    t1.close()
    t2.close()


def test_for_update_waits_then_sees_new_version(env):
    """FOR UPDATE waits for a writer; READ COMMITTED then returns the row's new version (or nothing if it no
    longer matches); REPEATABLE READ fails with 40001."""
    for level in ("read committed", "repeatable read"):
        setup_jobs(env, 3)
        t1, t2 = begin(env), begin(env, level)
        t2.cursor().execute("select count(*) from jobs")  # RR: the snapshot is taken here
        t1.cursor().execute("update jobs set payload = 'z' where id = 1")
        t1.cursor().execute("update jobs set state = 'done' where id = 2")
        f = env.run(t2, "select id, payload from jobs where state = 'new' order by id for update")
        env.wait_for_lock_waiters(1)
        t1.cursor().execute("commit")
        if level == "read committed":
            assert f.result(TIMEOUT) == [(1, "z"), (3, "p3")]
            t2.cursor().execute("commit")
        else:
            e = error_of(f)
            assert e is not None and e.pgcode == "40001", e
            t2.cursor().execute("rollback")
        t1.close()
        t2.close()


def test_insert_select_for_update_read_committed(env):
    """INSERT ... SELECT ... FOR UPDATE waits for a writer of a row it locks; at READ COMMITTED the statement
    then succeeds on the row's new version (PostgreSQL's EvalPlanQual; OmenDB runs the statement again at a
    new snapshot, its first run's rows dropped), RETURNING gives each row once; REPEATABLE READ fails with
    40001 (review 2, item 8: it failed with 40001 at READ COMMITTED too)."""
    for level in ("read committed", "repeatable read"):
        env.sql("drop table if exists rc_src")
        env.sql("drop table if exists rc_log")
        env.sql("create table rc_src (id int primary key, v int, tag text)")
        env.sql("insert into rc_src select g, g, 't' from generate_series(1, 6) g")
        env.sql("create table rc_log (id int, v int, tag text)")
        t1, t2 = begin(env), begin(env, level)
        t2.cursor().execute("select count(*) from rc_src")  # RR: the snapshot is taken here
        t1.cursor().execute("update rc_src set tag = 'x' where id = 3")
        t1.cursor().execute("update rc_src set v = 10 where id = 4")
        f = env.run(t2, "insert into rc_log select id, v, tag from rc_src where v < 5 order by id for update "
                        "returning id, tag")
        env.wait_for_lock_waiters(1)
        t1.cursor().execute("commit")
        if level == "read committed":
            assert f.result(TIMEOUT) == [(1, "t"), (2, "t"), (3, "x")], level
            t2.cursor().execute("commit")
            assert env.sql("select id, v, tag from rc_log order by id") == [(1, 1, "t"), (2, 2, "t"), (3, 3, "x")]
        else:
            e = error_of(f)
            assert e is not None and e.pgcode == "40001", e
            t2.cursor().execute("rollback")
            assert env.sql("select count(*) from rc_log") == [(0,)]
        t1.close()
        t2.close()


def test_key_share_repeatable_read_after_non_key_update(env):
    """REPEATABLE READ: FOR KEY SHARE of a row whose non-key columns another transaction updated after the
    snapshot succeeds on the snapshot's version (NO KEY UPDATE does not conflict with KEY SHARE); FOR SHARE,
    and FOR KEY SHARE after a key change or a delete, fail with 40001 (review 2, item 10)."""
    cases = [("for key share", "update q set st = 'z' where id = 4", None),
             ("for share", "update q set st = 'z' where id = 4", "40001"),
             ("for key share", "update q set id = 40 where id = 4", "40001"),
             ("for key share", "delete from q where id = 4", "40001")]
    for clause, change, code in cases:
        env.sql("drop table if exists q")
        env.sql("create table q (id int primary key, st text)")
        env.sql("insert into q select g, 'new' from generate_series(1, 5) g")
        env.sql("update q set st = 'y' where id = 4")
        a = begin(env, "repeatable read")
        cur = a.cursor()
        cur.execute("select count(*) from q")  # the snapshot
        env.sql(change)
        try:
            cur.execute("select id, st from q where id = 4 " + clause)
            got = cur.fetchall()
            assert code is None, (clause, change, got)
            assert got == [(4, "y")], (clause, change, got)
            cur.execute("select id, st from q where id = 4")
            assert cur.fetchall() == [(4, "y")]
        except psycopg2.Error as e:
            assert e.pgcode == code, (clause, change, e.pgcode, str(e))
        cur.execute("rollback")
        a.close()


def test_idle_in_transaction_timeout(env):
    """A session idle inside a transaction block for idle_in_transaction_session_timeout is ended (FATAL
    25P03): its transaction rolls back and its locks go, so a waiter proceeds."""
    setup_counter(env)
    t1 = begin(env)
    t1.cursor().execute("set idle_in_transaction_session_timeout = '300ms'")
    t1.cursor().execute("update counter set n = 1 where id = 1")
    w = env.connect()
    assert env.run(w, "update counter set n = n + 10 where id = 1").result(TIMEOUT) == "UPDATE 1"
    e = error_of(env.run(t1, "select 1"))
    assert e is not None, "the idle session still answers"
    # libpq reports the FATAL message or, having read nothing yet when it sends, the closed connection
    assert isinstance(e, psycopg2.OperationalError), repr(e)
    assert ("terminating connection due to idle-in-transaction timeout" in str(e)
            or "server closed the connection unexpectedly" in str(e)), str(e)
    assert env.sql("select n from counter where id = 1") == [(10,)]
    w.close()
    t1.close()


def test_rollback_to_savepoint_releases_locks(env):
    """Row locks taken after a savepoint go with ROLLBACK TO it (a FOR UPDATE, an UPDATE's lock); a lock
    held before the savepoint stays, at its old strength when a later statement strengthened it."""
    setup_jobs(env, 3)
    t1, t2 = begin(env), begin(env)
    t2.cursor().execute("set lock_timeout = '200ms'")
    c1 = t1.cursor()
    c1.execute("select id from jobs where id = 2 for share")
    c1.execute("savepoint s")
    c1.execute("select id from jobs where id = 1 for update")
    c1.execute("update jobs set state = 'held' where id = 2")
    c1.execute("update jobs set state = 'gone' where id = 3")
    e = error_of(env.run(t2, "select id from jobs where id = 1 for update nowait"))
    assert e is not None and e.pgcode == "55P03", e
    t2.cursor().execute("rollback")
    c1.execute("rollback to savepoint s")
    t2.cursor().execute("begin")
    t2.cursor().execute("set lock_timeout = '200ms'")
    # row 1 (locked after the savepoint) and row 3 (written after it) are free now
    assert env.run(t2, "select id from jobs where id = 1 for update nowait").result(TIMEOUT) == [(1,)]
    assert env.run(t2, "update jobs set state = 'mine' where id = 3").result(TIMEOUT) == "UPDATE 1"
    # row 2: FOR SHARE from before the savepoint still holds (shared with t2, not with its UPDATE)
    assert env.run(t2, "select id from jobs where id = 2 for share nowait").result(TIMEOUT) == [(2,)]
    e = error_of(env.run(t2, "update jobs set state = 'x' where id = 2"))
    assert e is not None and e.pgcode == "55P03", e
    t2.cursor().execute("rollback")
    c1.execute("commit")
    assert env.sql("select id, state from jobs order by id") == [(1, "new"), (2, "new"), (3, "new")]
    # An error after a savepoint gives back the locks taken since it at once; older ones stay.
    c1.execute("begin")
    c1.execute("select id from jobs where id = 2 for update")
    c1.execute("savepoint a")
    c1.execute("select id from jobs where id = 1 for update")
    try:
        c1.execute("select 1 / 0")
        raise AssertionError("expected 22012")
    except psycopg2.Error as e:
        assert e.pgcode == "22012", e.pgcode
    t2.cursor().execute("begin")
    t2.cursor().execute("set lock_timeout = '200ms'")
    assert env.run(t2, "select id from jobs where id = 1 for update nowait").result(TIMEOUT) == [(1,)]
    e = error_of(env.run(t2, "select id from jobs where id = 2 for update nowait"))
    assert e is not None and e.pgcode == "55P03", e
    t2.cursor().execute("rollback")
    c1.execute("rollback to savepoint a")
    c1.execute("update jobs set state = 'kept' where id = 2")
    c1.execute("commit")
    assert env.sql("select id, state from jobs order by id") == [(1, "new"), (2, "kept"), (3, "new")]
    t1.close()
    t2.close()


def setup_moved(env):
    env.sql("drop table if exists mv")
    env.sql("create table mv (id int primary key, v int not null)")
    env.sql("insert into mv values (1, 10), (2, 20), (3, 10), (4, 40)")


def moved_case(env, mover, waiter, level="read committed", table="mv"):
    """Session 1 runs `mover` (statements) and holds its locks; session 2 runs `waiter` and waits for them;
    session 1 commits. Returns (session 2's future, its connection), the waiter having finished."""
    t1, t2 = begin(env), begin(env, level)
    t2.cursor().execute("select count(*) from " + table)  # REPEATABLE READ: the snapshot is taken here
    for sql in mover:
        t1.cursor().execute(sql)
    f = env.run(t2, waiter)
    env.wait_for_lock_waiters(1)
    assert not f.done()
    t1.cursor().execute("commit")
    t1.close()
    return f, t2


def test_moved_row_read_committed(env):
    """RC: a writer that waited for a transaction that changed the row's primary key follows the row to its
    new key (PostgreSQL follows the update chain), re-checks its WHERE there and writes it."""
    setup_moved(env)
    # UPDATE follows the moved row: 101 (was 1) and 3 both still have v = 10.
    f, t2 = moved_case(env, ["update mv set id = id + 100 where id = 1"], "update mv set v = v + 1 where v = 10")
    assert f.result(TIMEOUT) == "UPDATE 2"
    t2.cursor().execute("commit")
    assert env.sql("select id, v from mv order by id") == [(2, 20), (3, 11), (4, 40), (101, 11)]
    # The new version no longer matches: skipped. A WHERE on the old key does not match the new key.
    f, t2 = moved_case(env, ["update mv set id = 102, v = 99 where id = 2"], "update mv set v = v + 1 where v = 20")
    assert f.result(TIMEOUT) == "UPDATE 0"
    t2.cursor().execute("commit")
    f, t2 = moved_case(env, ["update mv set id = 103 where id = 3"], "update mv set v = v + 1 where id = 3")
    assert f.result(TIMEOUT) == "UPDATE 0"
    t2.cursor().execute("commit")
    assert env.sql("select id, v from mv order by id") == [(4, 40), (101, 11), (102, 99), (103, 11)]
    # Moved twice by one transaction (two statements): followed to the end of the chain.
    f, t2 = moved_case(env, ["update mv set id = 201 where id = 101", "update mv set id = 301 where id = 201"],
                       "update mv set v = v * 2 where v = 11")
    assert f.result(TIMEOUT) == "UPDATE 2"
    t2.cursor().execute("commit")
    assert env.sql("select id, v from mv order by id") == [(4, 40), (102, 99), (103, 22), (301, 22)]
    # The waiter's own UPDATE changes the key of the followed row.
    f, t2 = moved_case(env, ["update mv set id = 404 where id = 4"], "update mv set id = id + 1000 where v = 40")
    assert f.result(TIMEOUT) == "UPDATE 1"
    t2.cursor().execute("commit")
    assert env.sql("select id, v from mv order by id") == [(102, 99), (103, 22), (301, 22), (1404, 40)]
    # DELETE follows the row too.
    f, t2 = moved_case(env, ["update mv set id = 501 where id = 301"], "delete from mv where v = 22")
    assert f.result(TIMEOUT) == "DELETE 2"
    t2.cursor().execute("commit")
    assert env.sql("select id, v from mv order by id") == [(102, 99), (1404, 40)]
    # A row moved and then deleted by the holder: nothing to follow.
    f, t2 = moved_case(env, ["update mv set id = 602 where id = 102", "delete from mv where id = 602"],
                       "update mv set v = 0 where v = 99")
    assert f.result(TIMEOUT) == "UPDATE 0"
    t2.cursor().execute("commit")
    # SELECT ... FOR UPDATE returns (and locks) the row under its new key.
    f, t2 = moved_case(env, ["update mv set id = 1505 where id = 1404"], "select id, v from mv where v = 40 for update")
    assert f.result(TIMEOUT) == [(1505, 40)]
    f2 = env.run(env.connect(), "update mv set v = 41 where id = 1505")  # locked by session 2 now
    env.wait_for_lock_waiters(1)
    t2.cursor().execute("commit")
    assert f2.result(TIMEOUT) == "UPDATE 1"
    t2.close()
    assert env.sql("select id, v from mv order by id") == [(1505, 41)]


def test_moved_row_repeatable_read(env):
    """RR: a writer that waited for a committed key change fails with 40001, as for any concurrent update."""
    for waiter in ("update mv set v = v + 1 where v = 10", "delete from mv where v = 10",
                   "select id from mv where v = 10 for update"):
        setup_moved(env)
        f, t2 = moved_case(env, ["update mv set id = id + 100 where id = 1"], waiter, "repeatable read")
        e = error_of(f)
        assert e is not None and e.pgcode == "40001", (waiter, e)
        assert "could not serialize access due to concurrent update" in str(e), (waiter, str(e))
        t2.cursor().execute("rollback")
        t2.close()
        assert env.sql("select id, v from mv order by id") == [(2, 20), (3, 10), (4, 40), (101, 10)]
    # A plain DELETE: PostgreSQL says "concurrent delete" to UPDATE and DELETE, "concurrent update" to FOR UPDATE.
    for waiter, word in (("update mv set v = v + 1 where v = 10", "delete"), ("delete from mv where v = 10", "delete"),
                         ("select id from mv where v = 10 for update", "update")):
        setup_moved(env)
        f, t2 = moved_case(env, ["delete from mv where id = 1"], waiter, "repeatable read")
        e = error_of(f)
        assert e is not None and e.pgcode == "40001", (waiter, e)
        assert "could not serialize access due to concurrent " + word in str(e), (waiter, str(e))
        t2.cursor().execute("rollback")
        t2.close()


def setup_reinserted(env):
    env.sql("drop table if exists ri")
    env.sql("create table ri (k int primary key, v int not null)")
    env.sql("insert into ri values (3, 30), (4, 40), (5, 50), (6, 60), (7, 70)")


def reinserted_case(env, k, waiter, level="read committed"):
    """Session 1 deletes row k and inserts a new row (k, k * 111) under the same key, and holds its locks;
    session 2 runs `waiter` and waits; session 1 commits. Returns (session 2's future, its connection)."""
    holder = ["delete from ri where k = %d" % k, "insert into ri values (%d, %d)" % (k, k * 111)]
    return moved_case(env, holder, waiter, level, table="ri")


def not_locked(env, k):
    """Whether another session can lock row k at once (FOR UPDATE NOWAIT)."""
    c = env.connect()
    try:
        c.cursor().execute("begin")
        return env.run(c, "select k from ri where k = %d for update nowait" % k).result(TIMEOUT) == [(k,)]
    finally:
        c.close()


def test_deleted_and_reinserted_read_committed(env):
    """RC: the holder deleted the row and inserted a new one under its key. The row the waiter saw is
    deleted (PostgreSQL: its update chain ends in the delete; the new row is another tuple), so UPDATE,
    DELETE and SELECT ... FOR UPDATE skip it and leave the new row alone (and unlocked). An upsert's
    DO UPDATE acts on the conflicting row, which is the new one, as in PostgreSQL."""
    setup_reinserted(env)
    f, t2 = reinserted_case(env, 3, "update ri set v = v + 1 where k = 3")
    assert f.result(TIMEOUT) == "UPDATE 0"
    assert not_locked(env, 3)
    t2.cursor().execute("commit")
    f, t2 = reinserted_case(env, 4, "delete from ri where k = 4")
    assert f.result(TIMEOUT) == "DELETE 0"
    assert not_locked(env, 4)
    t2.cursor().execute("commit")
    f, t2 = reinserted_case(env, 5, "select k, v from ri where k = 5 for update")
    assert f.result(TIMEOUT) == []
    assert not_locked(env, 5)
    t2.cursor().execute("commit")
    # A scan over several rows: the others are updated as usual.
    f, t2 = reinserted_case(env, 7, "update ri set v = v + 1 where k >= 6")
    assert f.result(TIMEOUT) == "UPDATE 1"
    t2.cursor().execute("commit")
    assert env.sql("select k, v from ri order by k") == [(3, 333), (4, 444), (5, 555), (6, 61), (7, 777)]
    f, t2 = reinserted_case(env, 6, "insert into ri values (6, 1) on conflict (k) do update set v = ri.v + 1")
    assert f.result(TIMEOUT) == "INSERT 0 1"
    t2.cursor().execute("commit")
    f, t2 = reinserted_case(env, 7, "insert into ri values (7, 1) on conflict (k) do nothing")
    assert f.result(TIMEOUT) == "INSERT 0 0"
    t2.cursor().execute("commit")
    t2.close()
    assert env.sql("select k, v from ri order by k") == [(3, 333), (4, 444), (5, 555), (6, 667), (7, 777)]


def test_deleted_and_reinserted_repeatable_read(env):
    """RR: the same waits end in 40001. PostgreSQL says "concurrent delete" to UPDATE and DELETE (the row
    they saw was deleted), "concurrent update" to FOR UPDATE and to an upsert's DO UPDATE."""
    for waiter, word in (("update ri set v = v + 1 where k = 3", "delete"), ("delete from ri where k = 3", "delete"),
                         ("select k from ri where k = 3 for update", "update"),
                         ("insert into ri values (3, 1) on conflict (k) do update set v = ri.v + 1", "update")):
        setup_reinserted(env)
        f, t2 = reinserted_case(env, 3, waiter, "repeatable read")
        e = error_of(f)
        assert e is not None and e.pgcode == "40001", (waiter, e)
        assert "could not serialize access due to concurrent " + word in str(e), (waiter, str(e))
        t2.cursor().execute("rollback")
        t2.close()
        assert env.sql("select k, v from ri where k = 3") == [(3, 333)]


def test_limit_locks_only_the_rows_it_returns(env):
    """ORDER BY .. LIMIT n [OFFSET m] FOR UPDATE locks the rows it returns (and, as in PostgreSQL, the
    OFFSET rows before them) and no other: the scan stops once LIMIT has its rows, so the next row is
    neither locked nor evaluated (it was locked, and hidden from SKIP LOCKED consumers, before). LIMIT 0
    locks nothing, not even the OFFSET rows."""
    for limit, offset, taken in ((1, 0, [1]), (2, 0, [1, 2]), (1, 2, [1, 2, 3]), (0, 0, []), (0, 2, [])):
        setup_jobs(env, 5)
        t1, t2 = begin(env), begin(env)
        q = "select id from jobs order by id limit %d offset %d for update" % (limit, offset)
        assert env.run(t1, q).result(TIMEOUT) == [(i,) for i in taken[offset:]]
        free = [i for i in range(1, 6) if i not in taken]
        rows = env.run(t2, "select id from jobs order by id for update skip locked").result(TIMEOUT)
        assert rows == [(i,) for i in free], (q, rows)
        t2.cursor().execute("rollback")
        t2.cursor().execute("begin")
        nxt = max(taken, default=0) + 1
        assert env.run(t2, "select id from jobs where id = %d for update nowait" % nxt).result(TIMEOUT) == [(nxt,)]
        t2.cursor().execute("rollback")
        t1.cursor().execute("rollback")
        t1.close()
        t2.close()


def test_view_then_alter_in_one_transaction(env):
    """CREATE VIEW holds its base table (shared) to the end of the transaction; an ALTER TABLE of that table
    in the same transaction upgrades the lock instead of waiting for itself (it waited for ever). Two
    transactions that each hold the table and both want to change it would wait for each other: the
    second gets 40P01."""
    env.sql("drop view if exists lv1")
    env.sql("drop view if exists lv2")
    env.sql("drop table if exists lt")
    env.sql("create table lt (a int primary key, z int)")
    t1 = begin(env)
    assert env.run(t1, "create view lv1 as select a from lt").result(TIMEOUT) is not None
    assert env.run(t1, "alter table lt add column b int").result(TIMEOUT) == "ALTER TABLE"
    assert env.run(t1, "alter table lt rename column z to y").result(TIMEOUT) == "ALTER TABLE"
    t1.cursor().execute("commit")
    assert env.sql("select a, y, b from lt") == []
    t1.cursor().execute("begin")
    t2 = begin(env)
    env.run(t1, "create view lv2 as select a from lt").result(TIMEOUT)
    env.run(t2, "select count(*) from lv1").result(TIMEOUT)
    env.run(t2, "create view lv3 as select a from lt").result(TIMEOUT)  # t2 holds lt too
    first = env.run(t1, "alter table lt add column c int")  # waits for t2's lock
    env.wait_for_lock_waiters(1)
    e = error_of(env.run(t2, "alter table lt add column d int"))
    assert e is not None and e.pgcode == "40P01", e
    t2.cursor().execute("rollback")
    assert first.result(TIMEOUT) == "ALTER TABLE"
    t1.cursor().execute("commit")
    assert [r[0] for r in env.sql("select column_name from information_schema.columns where table_name = 'lt' "
                                  "order by ordinal_position")] == ["a", "y", "b", "c"]
    env.sql("drop view lv2")
    env.sql("drop view lv1")
    t1.close()
    t2.close()


def setup_join(env):
    env.sql("drop table if exists jt")
    env.sql("drop table if exists jm")
    env.sql("create table jt (id int primary key, g int, v int not null)")
    env.sql("insert into jt values (1, 1, 0), (2, 2, 0)")
    env.sql("create table jm (g int, k int)")
    env.sql("insert into jm values (1, 10), (1, 10), (2, 20)")  # row 1 joins two rows


def behind(env, holder, waiter, sql, meanwhile=None):
    """Runs `sql` on `waiter` until it waits for a row lock `holder` holds; then runs `meanwhile` (if any)
    and commits `holder`. Returns the future of `sql`."""
    f = env.run(waiter, sql)
    env.wait_for_lock_waiters(1)
    if meanwhile:
        meanwhile()
    holder.cursor().execute("commit")
    return f


def test_update_from_counter_read_committed(env):
    """UPDATE ... FROM joining each target row with two rows, from 8 sessions at READ COMMITTED: every
    statement adds its increment once per row (no row updated twice, no update lost)."""
    setup_join(env)
    per, sessions = 15, 8
    errors = repeat_in_sessions(env, sessions, per, "update jt set v = jt.v + jm.k / 10 from jm where jm.g = jt.g", 2)
    assert not errors, errors[0]
    assert env.sql("select id, v from jt order by id") == [(1, per * sessions), (2, 2 * per * sessions)]


def test_update_from_recheck_read_committed(env):
    """RC: an UPDATE ... FROM that waits for a row lock re-evaluates the row's newest version: its SET sees
    the committed change (once, though the row joins two rows), and a row that no longer joins is skipped;
    DELETE ... USING likewise, and a row deleted meanwhile is not counted."""
    setup_join(env)
    t1, t2 = begin(env), begin(env)
    t1.cursor().execute("update jt set v = 5 where id = 1")
    f = behind(env, t1, t2, "update jt set v = jt.v + jm.k from jm where jm.g = jt.g returning jt.id, jt.v")
    assert sorted(f.result(TIMEOUT)) == [(1, 15), (2, 20)]
    t2.cursor().execute("commit")
    t1.cursor().execute("begin")
    t1.cursor().execute("update jt set g = 3 where id = 1")
    f = behind(env, t1, t2, "update jt set v = 0 from jm where jm.g = jt.g")
    assert f.result(TIMEOUT) == "UPDATE 1"
    assert env.sql("select id, g, v from jt order by id") == [(1, 3, 15), (2, 2, 0)]
    env.sql("insert into jt values (3, 1, 7)")
    t1.cursor().execute("begin")
    t1.cursor().execute("delete from jt where id = 3")
    f = behind(env, t1, t2, "delete from jt using jm where jm.g = jt.g")
    assert f.result(TIMEOUT) == "DELETE 1"  # row 2; row 3 is gone, row 1 no longer joins
    assert env.sql("select id from jt order by id") == [(1,)]
    t1.close()
    t2.close()


def test_update_from_recheck_keeps_first_snapshot(env):
    """RC: the re-check after the wait reads the new version of the target row only; the FROM table is
    read as of the statement's snapshot (PostgreSQL's EvalPlanQual re-uses the joined rows): rows deleted
    there meanwhile are still joined, a row inserted there meanwhile is not."""
    setup_join(env)
    t1, t2 = begin(env), begin(env)
    t1.cursor().execute("update jt set v = 5 where id = 1")
    f = behind(env, t1, t2, "update jt set v = jt.v + jm.k from jm where jm.g = jt.g returning jt.id, jt.v",
               lambda: (env.sql("delete from jm where g = 1"), env.sql("insert into jm values (1, 1000), (2, 2000)")))
    assert sorted(f.result(TIMEOUT)) == [(1, 15), (2, 20)]
    t2.cursor().execute("commit")
    t1.close()
    t2.close()


def test_update_from_repeatable_read(env):
    """RR: an UPDATE ... FROM / DELETE ... USING that finds its row changed by a concurrent commit fails
    with 40001."""
    for stmt in ("update jt set v = jt.v + jm.k from jm where jm.g = jt.g",
                 "delete from jt using jm where jm.g = jt.g"):
        setup_join(env)
        t1, t2 = begin(env), begin(env, "repeatable read")
        t2.cursor().execute("select count(*) from jt")
        t1.cursor().execute("update jt set v = 5 where id = 1")
        e = error_of(behind(env, t1, t2, stmt))
        assert e is not None and e.pgcode == "40001", e
        t2.cursor().execute("rollback")
        assert env.sql("select id, v from jt order by id") == [(1, 5), (2, 0)]
        t1.close()
        t2.close()


CASES = [test_counter_read_committed, test_bank_read_committed, test_lost_update_repeatable_read,
         test_read_committed_recheck_skips, test_insert_same_key, test_deadlock,
         test_lock_timeout_statement_timeout_cancel, test_disconnects, test_more_waiters_than_workers,
         test_skip_locked_queue, test_for_update_nowait_and_strengths, test_for_update_waits_then_sees_new_version,
         test_insert_select_for_update_read_committed,
         test_key_share_repeatable_read_after_non_key_update, test_idle_in_transaction_timeout, test_rollback_to_savepoint_releases_locks,
         test_moved_row_read_committed, test_moved_row_repeatable_read,
         test_deleted_and_reinserted_read_committed, test_deleted_and_reinserted_repeatable_read,
         test_limit_locks_only_the_rows_it_returns, test_view_then_alter_in_one_transaction,
         test_update_from_counter_read_committed, test_update_from_recheck_read_committed,
         test_update_from_recheck_keeps_first_snapshot, test_update_from_repeatable_read]


def run_all(env):
    failed = 0
    for case in CASES:
        t0 = time.monotonic()
        try:
            case(env)
            print("ok    %s (%.1fs)" % (case.__name__, time.monotonic() - t0), flush=True)
        except Exception:  # noqa: BLE001
            failed += 1
            print("FAIL  %s (%.1fs)" % (case.__name__, time.monotonic() - t0), flush=True)
            traceback.print_exc()
            sys.stdout.flush()
    print("%d passed, %d failed" % (len(CASES) - failed, failed))
    return failed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server-bin", default=os.environ.get("OMENDB_BIN", os.path.join(ROOT, "build", "omendb")))
    ap.add_argument("--host")
    ap.add_argument("--port", type=int)
    ap.add_argument("--user", default="omendb")
    ap.add_argument("--dbname", default="omendb")
    ap.add_argument("--engine", choices=("omendb", "postgresql"), default="omendb")
    ap.add_argument("--only", help="run only the case with this name")
    args = ap.parse_args()
    if args.only:
        global CASES
        CASES = [c for c in CASES if c.__name__ == args.only]
    if args.host:
        return run_all(Env(args, args.port))
    if not os.access(args.server_bin, os.X_OK):
        print("server binary %s not found" % args.server_bin)
        return 2
    args.host = "127.0.0.1"
    # Two worker threads: lock waits must not starve the pool (test_more_waiters_than_workers).
    with Server(args.server_bin, extra_args=["--workers", "2"]) as srv:
        failed = run_all(Env(args, srv.port))
        assert srv.alive(), "server died\n" + srv.log_tail()
    return failed


if __name__ == "__main__":
    sys.exit(1 if main() else 0)
