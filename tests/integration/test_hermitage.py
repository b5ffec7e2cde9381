#!/usr/bin/python3
"""Hermitage (github.com/ept/hermitage): the isolation anomaly tests G0, G1a, G1b, G1c, OTV, PMP, P4,
G-single, G2-item and G2, scripted over separate connections, each at READ COMMITTED and REPEATABLE READ,
on Hermitage's table `test (id int primary key, value int)` holding (1, 10), (2, 20).

Every step asserts OmenDB's outcome; where PostgreSQL 15 differs, the PostgreSQL result is asserted too
(run with --engine postgresql against a real PostgreSQL to check those: the script then expects PostgreSQL's
behaviour, including its blocking), so the comments are checked, not folklore:

    PG_REFERENCE_CMD='/usr/bin/python3 tests/integration/test_hermitage.py --host $PGHOST --port $PGPORT \
        --user $PGUSER --dbname $PGDATABASE --engine postgresql' tests/sqllogictest/pg_reference.sh

OmenDB behaves as PostgreSQL in every case: writers take row locks, so where Hermitage says "T2 BLOCKS"
the statement waits for T1 (the script waits until the server reports the waiter: SHOW omendb.lock_waiters
on OmenDB, pg_stat_activity on PostgreSQL, and checks the statement has not returned); at READ COMMITTED it
then re-evaluates the row on T1's committed version (EvalPlanQual) and goes on, at REPEATABLE READ it fails
with 40001 once T1 commits.

Expected outcomes. REPEATABLE READ: everything prevented except G2-item and G2 (write skew; snapshot
isolation allows it), with the write-write cases ending in 40001 at the blocked statement. READ COMMITTED:
G0, G1a, G1b, G1c, OTV prevented; PMP, P4 (lost update), G-single and G2 allowed, as PostgreSQL."""

import argparse
import concurrent.futures
import os
import sys
import time
import traceback

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ROOT, Server  # noqa: E402

RC, RR = "read committed", "repeatable read"
STEP_TIMEOUT = 10      # seconds a statement may take before it counts as hung
WAIT_TIMEOUT = 10      # seconds within which a blocked statement must show up as a lock waiter


class Session:
    """One connection whose statements run on its own thread, so a statement that blocks (PostgreSQL)
    does not stop the script."""

    def __init__(self, h, name):
        self.h, self.name = h, name
        self.conn = h.connect()
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        self.last = None

    def _exec(self, sql):
        cur = self.conn.cursor()
        try:
            cur.execute(sql)
            return sorted(cur.fetchall()) if cur.description is not None else cur.statusmessage
        finally:
            cur.close()

    def send(self, sql):
        self.last = self.pool.submit(self._exec, sql)
        return Step(self, sql, self.last)

    def ok(self, sql, rows=None):
        """Runs sql, which must succeed at once; checks its rows if given."""
        return self.send(sql).ok(rows)

    def fails(self, sql, sqlstate):
        return self.send(sql).fails(sqlstate)

    def close(self):
        if self.last is not None and not self.last.done():  # still blocked (a failed PostgreSQL case)
            try:
                self.conn.cancel()
            except Exception:
                pass
        self.pool.shutdown(wait=True)
        try:
            self.conn.close()
        except Exception:
            pass


class Step:
    def __init__(self, s, sql, fut):
        self.s, self.sql, self.fut = s, sql, fut

    def what(self):
        return "%s: %s" % (self.s.name, self.sql)

    def result(self, timeout=STEP_TIMEOUT):
        try:
            return self.fut.result(timeout)
        except concurrent.futures.TimeoutError:
            raise AssertionError("%s: no answer within %ss" % (self.what(), timeout))

    def ok(self, rows=None):
        try:
            got = self.result()
        except psycopg2.Error as e:
            raise AssertionError("%s: failed with %s %s" % (self.what(), e.pgcode, str(e).strip()))
        if rows is not None:
            assert got == sorted(rows), "%s: got %r, expected %r" % (self.what(), got, sorted(rows))
        return got

    def fails(self, sqlstate):
        try:
            got = self.result()
        except psycopg2.Error as e:
            assert e.pgcode == sqlstate, "%s: failed with %s (%s), expected %s" % (
                self.what(), e.pgcode, str(e).strip(), sqlstate)
            return e
        raise AssertionError("%s: succeeded (%r), expected error %s" % (self.what(), got, sqlstate))

    def blocks(self):
        """Hermitage's "T2 BLOCKS": waits until the server reports a session waiting for a lock, then checks
        that the statement has not returned. Returns self, to be awaited later."""
        self.s.h.wait_for_lock_waiters(1)
        assert not self.fut.done(), "%s: returned instead of blocking (%r)" % (self.what(), self.fut.result())
        return self


class Hermitage:
    def __init__(self, args, port):
        self.args, self.port = args, port
        self.pg = args.engine == "postgresql"
        self.sessions = []

    def connect(self):
        c = psycopg2.connect(host=self.args.host, port=self.port, user=self.args.user, dbname=self.args.dbname,
                             connect_timeout=10)
        c.autocommit = True
        return c

    def setup(self):
        c = self.connect()
        cur = c.cursor()
        cur.execute("DROP TABLE IF EXISTS test")
        cur.execute("CREATE TABLE test (id int primary key, value int)")
        cur.execute("INSERT INTO test (id, value) VALUES (1, 10), (2, 20)")
        c.close()

    def begin(self, level, name):
        """Hermitage's opening: begin; set transaction isolation level ...;"""
        s = Session(self, name)
        self.sessions.append(s)
        s.ok("begin")
        s.ok("set transaction isolation level " + level)
        return s

    def final(self, rows):
        c = self.connect()
        cur = c.cursor()
        cur.execute("SELECT id, value FROM test ORDER BY id")
        got = cur.fetchall()
        c.close()
        assert got == rows, "final table: got %r, expected %r" % (got, rows)

    def lock_waiters(self):
        c = self.connect()
        cur = c.cursor()
        if self.pg:
            cur.execute("select count(*) from pg_stat_activity where wait_event_type = 'Lock'")
        else:
            cur.execute("show omendb.lock_waiters")
        n = int(cur.fetchone()[0])
        c.close()
        return n

    def wait_for_lock_waiters(self, n):
        deadline = time.monotonic() + WAIT_TIMEOUT
        while self.lock_waiters() < n:
            assert time.monotonic() < deadline, "no session waits for a lock after %ss" % WAIT_TIMEOUT
            time.sleep(0.01)

    def close_all(self):
        for s in self.sessions:
            s.close()
        self.sessions = []


# Each test gets the harness `h` and the isolation level; `pg` is True when running against PostgreSQL.

def g0(h, level):
    """Write cycles (dirty writes): prevented at both levels."""
    t1, t2 = h.begin(level, "T1"), h.begin(level, "T2")
    t1.ok("update test set value = 11 where id = 1")
    u = t2.send("update test set value = 12 where id = 1").blocks()
    t1.ok("update test set value = 21 where id = 2")
    t1.ok("commit")
    t1.ok("select * from test", [(1, 11), (2, 21)])
    if level == RC:
        u.ok()
        t2.ok("update test set value = 22 where id = 2")
        t2.ok("commit")
        h.final([(1, 12), (2, 22)])  # RC: T2 waits for T1, then overwrites both rows
    else:
        u.fails("40001")  # RR: could not serialize access due to concurrent update
        t2.ok("abort")
        h.final([(1, 11), (2, 21)])


def g1a(h, level):
    """Aborted reads: prevented at both levels."""
    t1, t2 = h.begin(level, "T1"), h.begin(level, "T2")
    t1.ok("update test set value = 101 where id = 1")
    t2.ok("select * from test", [(1, 10), (2, 20)])
    t1.ok("abort")
    t2.ok("select * from test", [(1, 10), (2, 20)])
    t2.ok("commit")
    h.final([(1, 10), (2, 20)])


def g1b(h, level):
    """Intermediate reads: prevented at both levels."""
    t1, t2 = h.begin(level, "T1"), h.begin(level, "T2")
    t1.ok("update test set value = 101 where id = 1")
    t2.ok("select * from test", [(1, 10), (2, 20)])
    t1.ok("update test set value = 11 where id = 1")
    t1.ok("commit")
    # never the intermediate 101: RC sees the final committed 11, RR keeps its snapshot
    t2.ok("select * from test", [(1, 11), (2, 20)] if level == RC else [(1, 10), (2, 20)])
    t2.ok("commit")
    h.final([(1, 11), (2, 20)])


def g1c(h, level):
    """Circular information flow: prevented at both levels."""
    t1, t2 = h.begin(level, "T1"), h.begin(level, "T2")
    t1.ok("update test set value = 11 where id = 1")
    t2.ok("update test set value = 22 where id = 2")
    t1.ok("select * from test where id = 2", [(2, 20)])
    t2.ok("select * from test where id = 1", [(1, 10)])
    t1.ok("commit")
    t2.ok("commit")
    h.final([(1, 11), (2, 22)])


def otv(h, level):
    """Observed transaction vanishes: prevented at both levels (T3 never sees T2's writes half-applied)."""
    t1, t2, t3 = h.begin(level, "T1"), h.begin(level, "T2"), h.begin(level, "T3")
    t1.ok("update test set value = 11 where id = 1")
    t1.ok("update test set value = 19 where id = 2")
    u = t2.send("update test set value = 12 where id = 1").blocks()
    t1.ok("commit")
    t3.ok("select * from test where id = 1", [(1, 11)])
    if level == RC:
        u.ok()
        t2.ok("update test set value = 18 where id = 2")
        t3.ok("select * from test where id = 2", [(2, 19)])
        t2.ok("commit")
        t3.ok("select * from test where id = 2", [(2, 18)])
        t3.ok("select * from test where id = 1", [(1, 12)])
        t3.ok("commit")
        h.final([(1, 12), (2, 18)])  # RC: T2 re-evaluates after T1 and commits
        return
    u.fails("40001")  # RR: T2 fails once T1 commits
    t2.ok("abort")
    t3.ok("select * from test where id = 2", [(2, 19)])
    t3.ok("select * from test where id = 1", [(1, 11)])
    t3.ok("commit")
    h.final([(1, 11), (2, 19)])


def pmp(h, level):
    """Predicate-many-preceders (read predicates): RC allows it, RR prevents it."""
    t1, t2 = h.begin(level, "T1"), h.begin(level, "T2")
    t1.ok("select * from test where value = 30", [])
    t2.ok("insert into test (id, value) values (3, 30)")
    t2.ok("commit")
    t1.ok("select * from test where value % 3 = 0", [(3, 30)] if level == RC else [])
    t1.ok("commit")
    h.final([(1, 10), (2, 20), (3, 30)])


def pmp_write(h, level):
    """Predicate-many-preceders (write predicates): at RC T2's DELETE waits for T1, then re-evaluates
    row 2 on T1's version (now 30) and deletes nothing, while row 1 (20 after T1) was never a candidate:
    the anomaly. RR: 40001 at the DELETE."""
    t1, t2 = h.begin(level, "T1"), h.begin(level, "T2")
    t1.ok("update test set value = value + 10")
    d = t2.send("delete from test where value = 20").blocks()
    t1.ok("commit")
    if level == RC:
        d.ok()
        t2.ok("select * from test where value = 20", [(1, 20)])  # "despite ostensibly having been deleted"
        t2.ok("commit")
    else:
        d.fails("40001")
        t2.ok("abort")
    h.final([(1, 20), (2, 30)])


def p4(h, level):
    """Lost update: RC allows it (T2 waits for T1, then both commit), RR prevents it (40001)."""
    t1, t2 = h.begin(level, "T1"), h.begin(level, "T2")
    t1.ok("select * from test where id = 1", [(1, 10)])
    t2.ok("select * from test where id = 1", [(1, 10)])
    t1.ok("update test set value = 11 where id = 1")
    u = t2.send("update test set value = 11 where id = 1").blocks()
    t1.ok("commit")
    if level == RC:
        u.ok()
        t2.ok("commit")  # RC: the lost update happens
    else:
        u.fails("40001")
        t2.ok("abort")
    h.final([(1, 11), (2, 20)])


def g_single(h, level):
    """Single anti-dependency cycles (read skew): RC allows it, RR prevents it."""
    t1, t2 = h.begin(level, "T1"), h.begin(level, "T2")
    t1.ok("select * from test where id = 1", [(1, 10)])
    t2.ok("select * from test where id = 1", [(1, 10)])
    t2.ok("select * from test where id = 2", [(2, 20)])
    t2.ok("update test set value = 12 where id = 1")
    t2.ok("update test set value = 18 where id = 2")
    t2.ok("commit")
    t1.ok("select * from test where id = 2", [(2, 18)] if level == RC else [(2, 20)])  # RC: read skew
    t1.ok("commit")
    h.final([(1, 12), (2, 18)])


def g_single_dependencies(h, level):
    """G-single with predicate dependencies: RC allows it, RR prevents it."""
    t1, t2 = h.begin(level, "T1"), h.begin(level, "T2")
    t1.ok("select * from test where value % 5 = 0", [(1, 10), (2, 20)])
    t2.ok("update test set value = 12 where value = 10")
    t2.ok("commit")
    t1.ok("select * from test where value % 3 = 0", [(1, 12)] if level == RC else [])
    t1.ok("commit")
    h.final([(1, 12), (2, 20)])


def g_single_write_1(h, level):
    """G-single write 1: at RC T1's DELETE sees T2's committed 18 and deletes nothing (no anomaly: T1 is
    after T2); at RR it would delete a row T2 changed: 40001 at the DELETE."""
    t1, t2 = h.begin(level, "T1"), h.begin(level, "T2")
    t1.ok("select * from test where id = 1", [(1, 10)])
    t2.ok("select * from test", [(1, 10), (2, 20)])
    t2.ok("update test set value = 12 where id = 1")
    t2.ok("update test set value = 18 where id = 2")
    t2.ok("commit")
    if level == RC:
        t1.ok("delete from test where value = 20")
        t1.ok("commit")
    else:
        t1.fails("delete from test where value = 20", "40001")
        t1.ok("abort")
    h.final([(1, 12), (2, 18)])


def g_single_write_2(h, level):
    """G-single write 2: T1 deletes row 2 and aborts; T2's update of row 2 (PostgreSQL: blocked until T1
    aborts) then commits. Prevented at both levels on both systems."""
    t1, t2 = h.begin(level, "T1"), h.begin(level, "T2")
    t1.ok("select * from test where id = 1", [(1, 10)])
    t2.ok("select * from test", [(1, 10), (2, 20)])
    t2.ok("update test set value = 12 where id = 1")
    t1.ok("delete from test where value = 20")
    u = t2.send("update test set value = 18 where id = 2").blocks()
    t1.ok("abort")
    u.ok()
    t2.ok("commit")
    h.final([(1, 12), (2, 18)])


def g2_item(h, level):
    """Write skew: allowed at RC and RR (snapshot isolation), both commit."""
    t1, t2 = h.begin(level, "T1"), h.begin(level, "T2")
    t1.ok("select * from test where id in (1, 2)", [(1, 10), (2, 20)])
    t2.ok("select * from test where id in (1, 2)", [(1, 10), (2, 20)])
    t1.ok("update test set value = 11 where id = 1")
    t2.ok("update test set value = 21 where id = 2")
    t1.ok("commit")
    t2.ok("commit")
    h.final([(1, 11), (2, 21)])


def g2(h, level):
    """Anti-dependency cycles (predicate write skew): allowed at RC and RR, both commit."""
    t1, t2 = h.begin(level, "T1"), h.begin(level, "T2")
    t1.ok("select * from test where value % 3 = 0", [])
    t2.ok("select * from test where value % 3 = 0", [])
    t1.ok("insert into test (id, value) values (3, 30)")
    t2.ok("insert into test (id, value) values (4, 42)")
    t1.ok("commit")
    t2.ok("commit")
    t1.ok("select * from test where value % 3 = 0", [(3, 30), (4, 42)])
    h.final([(1, 10), (2, 20), (3, 30), (4, 42)])


def g2_two_edges(h, level):
    """G2 with two anti-dependency edges: allowed at RC and RR (only SERIALIZABLE prevents it)."""
    t1, t2 = h.begin(level, "T1"), h.begin(level, "T2")
    t1.ok("select * from test", [(1, 10), (2, 20)])
    t2.ok("update test set value = value + 5 where id = 2")
    t2.ok("commit")
    t3 = h.begin(level, "T3")
    t3.ok("select * from test", [(1, 10), (2, 25)])
    t3.ok("commit")
    t1.ok("update test set value = 0 where id = 1")
    t1.ok("commit")
    h.final([(1, 0), (2, 25)])


CASES = [g0, g1a, g1b, g1c, otv, pmp, pmp_write, p4, g_single, g_single_dependencies, g_single_write_1,
         g_single_write_2, g2_item, g2, g2_two_edges]


def run_all(args, port):
    h = Hermitage(args, port)
    failed = total = 0
    for level in (RC, RR):
        for case in CASES:
            total += 1
            name = "%s @ %s" % (case.__name__, level)
            t0 = time.monotonic()
            try:
                h.setup()
                case(h, level)
                print("ok    %s (%.1fs)" % (name, time.monotonic() - t0), flush=True)
            except Exception:
                failed += 1
                print("FAIL  %s (%.1fs)" % (name, time.monotonic() - t0), flush=True)
                traceback.print_exc()
                sys.stdout.flush()
            finally:
                h.close_all()
    print("%d passed, %d failed" % (total - failed, failed))
    return failed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server-bin", default=os.environ.get("OMENDB_BIN", os.path.join(ROOT, "build", "omendb")))
    ap.add_argument("--host", help="run against this running server instead of starting one")
    ap.add_argument("--port", type=int)
    ap.add_argument("--user", default="omendb")
    ap.add_argument("--dbname", default="omendb")
    ap.add_argument("--engine", choices=("omendb", "postgresql"), default="omendb",
                    help="the server's kind (how the script sees lock waits); the expectations are the same")
    args = ap.parse_args()
    if args.host:
        if not args.port:
            ap.error("--host needs --port")
        return run_all(args, args.port)
    if not os.access(args.server_bin, os.X_OK):
        print("server binary %s not found" % args.server_bin)
        return 2
    args.host = "127.0.0.1"
    with Server(args.server_bin) as srv:
        failed = run_all(args, srv.port)
        assert srv.alive(), "server died\n" + srv.log_tail()
    return failed


if __name__ == "__main__":
    sys.exit(1 if main() else 0)
