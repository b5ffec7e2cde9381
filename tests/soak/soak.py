#!/usr/bin/python3
"""Soak test (docs/reliability.md): many clients mix OLTP writes, analytical scans, DDL, cancels,
statement timeouts, vanishing clients and VACUUM (sealing) against one server, which is killed with
SIGKILL and restarted at random moments. It checks invariants throughout and after every restart:

  * bank: transfers between `accounts` rows (READ COMMITTED blocks that UPDATE two rows, REPEATABLE
    READ read-modify-write blocks that retry on 40001) never change the total, seen by any one statement;
  * no lost acknowledged commit: every event row whose INSERT was acknowledged is there after each
    restart; a row whose INSERT failed is never there; one whose INSERT was in flight when the server
    died (in doubt) is there or not, and keeps that fate;
  * read-your-writes: a client counting its own events sees exactly its acknowledged ones;
  * every error is one the operation may meet (e.g. 40001 only at REPEATABLE READ, 57014 only when
    cancelled or timed out, connection errors only while the server is down); anything else, or a server
    exit the script did not cause, is a failure.

Not part of the default ctest run except as a short smoke (`soak_smoke`, 20 s, 16 clients, 2 kills).
A long run:  /usr/bin/python3 tests/soak/soak.py --server-bin build/omendb --duration 1800 --clients 64
"""

import argparse
import os
import random
import signal
import socket
import struct
import sys
import threading
import time
import traceback

import psycopg2
import psycopg2.extensions

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from harness import ROOT, Server  # noqa: E402

ACCOUNTS = 200
START_BALANCE = 1000
TOTAL = ACCOUNTS * START_BALANCE
KINDS = ["transfer_rc", "transfer_rc", "transfer_rr", "insert", "insert", "analyst", "ddl", "cancel",
         "timeout", "vanish"]



def lost_connection(e):
    """psycopg2 raises OperationalError for SQLSTATE classes 40, 53, 57 ... too; a lost connection has none."""
    return isinstance(e, psycopg2.InterfaceError) or (isinstance(e, psycopg2.OperationalError) and e.pgcode is None)


class Shared:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.up = threading.Event()  # set while the server accepts work
        self.outage = False          # True from just before a kill until the restart is verified
        self.parked = 0              # workers waiting for the server after an outage
        self.failures = []
        self.counts = {}
        self.errors = {}
        self.slowest = {}
        self.server = None

    def count(self, key, n=1):
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + n

    def latency(self, kind, seconds):
        with self.lock:
            self.slowest[kind] = max(self.slowest.get(kind, 0), seconds)

    def error(self, kind, code):
        with self.lock:
            self.errors[(kind, code)] = self.errors.get((kind, code), 0) + 1

    def fail(self, what):
        with self.lock:
            self.failures.append(what)
        print("FAIL " + what, file=sys.stderr, flush=True)


class Worker(threading.Thread):
    def __init__(self, shared, n, kind, seed):
        super().__init__(daemon=True)
        self.sh = shared
        self.n = n
        self.kind = kind
        self.rng = random.Random(seed)
        self.conn = None
        self.next_event = n * 1_000_000_000
        self.acked = set()       # event ids whose INSERT was acknowledged
        self.doubt = set()       # ids whose INSERT was in flight when the connection died
        self.absent = set()      # ids that must never appear (failed, or in doubt and found absent)

    # -- connection handling ------------------------------------------------------------------------
    def connect(self):
        self.conn = self.sh.server.connect(connect_timeout=5)

    def drop_connection(self):
        try:
            if self.conn is not None:
                self.conn.close()
        except Exception:
            pass
        self.conn = None

    def park(self):
        """The server went away: wait until the controller has restarted and checked it."""
        self.drop_connection()
        with self.sh.lock:
            self.sh.parked += 1
        while not self.sh.stop.is_set() and not self.sh.up.wait(0.2):
            pass
        with self.sh.lock:
            self.sh.parked -= 1

    def run(self):
        while not self.sh.stop.is_set():
            if not self.sh.up.is_set():
                self.park()
                continue
            try:
                if self.conn is None:
                    self.connect()
                t0 = time.monotonic()
                getattr(self, "op_" + self.kind)()
                self.sh.count(self.kind)
                self.sh.latency(self.kind, time.monotonic() - t0)
            except psycopg2.Error as e:
                if not lost_connection(e):
                    self.unexpected(e)
                    continue
                if not self.sh.outage:
                    self.sh.fail("%s[%d]: connection error while the server was up: %s" % (self.kind, self.n, e))
                self.park()
            except Exception:
                self.sh.fail("%s[%d]: %s" % (self.kind, self.n, traceback.format_exc()))
                self.drop_connection()
        self.drop_connection()

    def unexpected(self, e):
        self.sh.error(self.kind, e.pgcode)
        self.sh.fail("%s[%d]: unexpected error %s: %s" % (self.kind, self.n, e.pgcode, str(e).strip()))
        try:
            self.conn.rollback()
        except Exception:
            self.drop_connection()

    def execute(self, sql, fetch=False):
        cur = self.conn.cursor()
        cur.execute(sql)
        rows = cur.fetchall() if fetch else None
        cur.close()
        return rows

    def block(self, isolation, body, retry_codes):
        """Runs body() in a transaction block; retries on the given SQLSTATEs (counted)."""
        for _ in range(50):
            self.conn.autocommit = False
            self.conn.set_session(isolation_level=isolation)
            try:
                body()
                self.conn.commit()
                return True
            except psycopg2.Error as e:
                if e.pgcode in retry_codes:
                    self.sh.error(self.kind, e.pgcode)
                    self.conn.rollback()
                    continue
                raise
            finally:
                if self.conn is not None and not self.conn.closed:
                    try:
                        self.conn.autocommit = True
                    except psycopg2.Error:
                        pass
        return False

    # -- operations ---------------------------------------------------------------------------------
    def op_transfer_rc(self):
        a, b = self.rng.sample(range(ACCOUNTS), 2)
        amount = self.rng.randint(1, 50)

        def body():
            self.execute("UPDATE accounts SET bal = bal - %d WHERE id = %d" % (amount, a))
            self.execute("UPDATE accounts SET bal = bal + %d WHERE id = %d" % (amount, b))
        # READ COMMITTED: a write conflict waits and re-checks, never 40001; a deadlock is possible.
        self.block(psycopg2.extensions.ISOLATION_LEVEL_READ_COMMITTED, body, {"40P01"})

    def op_transfer_rr(self):
        a, b = self.rng.sample(range(ACCOUNTS), 2)
        amount = self.rng.randint(1, 50)

        def body():
            (ba,), = self.execute("SELECT bal FROM accounts WHERE id = %d" % a, fetch=True)
            (bb,), = self.execute("SELECT bal FROM accounts WHERE id = %d" % b, fetch=True)
            self.execute("UPDATE accounts SET bal = %d WHERE id = %d" % (ba - amount, a))
            self.execute("UPDATE accounts SET bal = %d WHERE id = %d" % (bb + amount, b))
        self.block(psycopg2.extensions.ISOLATION_LEVEL_REPEATABLE_READ, body, {"40001", "40P01"})

    def op_insert(self):
        n = self.rng.randint(1, 20)
        ids = list(range(self.next_event, self.next_event + n))
        self.next_event += n
        values = ",".join("(%d, %d, now(), %f, 'v%d')" % (i, self.n, self.rng.random() * 100, i % 7) for i in ids)
        try:
            self.execute("INSERT INTO events VALUES " + values)
        except psycopg2.Error as e:
            (self.doubt if lost_connection(e) else self.absent).update(ids)
            raise
        self.acked.update(ids)
        if self.rng.random() < 0.2:  # read your own writes
            (cnt,), = self.execute("SELECT count(*) FROM events WHERE client = %d" % self.n, fetch=True)
            if not len(self.acked) <= cnt <= len(self.acked) + len(self.doubt):
                self.sh.fail("insert[%d]: sees %d own events, acknowledged %d (+%d in doubt)" %
                             (self.n, cnt, len(self.acked), len(self.doubt)))

    def op_analyst(self):
        q = self.rng.randrange(4)
        if q == 0:
            (total, cnt), = self.execute("SELECT sum(bal), count(*) FROM accounts", fetch=True)
            if total != TOTAL or cnt != ACCOUNTS:
                self.sh.fail("analyst: accounts sum %s count %s, expected %d %d" % (total, cnt, TOTAL, ACCOUNTS))
        elif q == 1:
            self.execute("SELECT client, count(*), avg(v), max(ts) FROM events GROUP BY client ORDER BY client",
                         fetch=True)
        elif q == 2:
            self.execute("SELECT tag, count(*) FROM events e JOIN accounts a ON a.id = e.client "
                         "WHERE e.v > 50 GROUP BY tag ORDER BY 2 DESC", fetch=True)
        else:
            self.block(psycopg2.extensions.ISOLATION_LEVEL_REPEATABLE_READ, self.rr_snapshot_check, set())

    def rr_snapshot_check(self):
        (s1,), = self.execute("SELECT sum(bal) FROM accounts", fetch=True)
        time.sleep(self.rng.random() * 0.05)
        (s2, c), = self.execute("SELECT sum(bal), count(*) FROM accounts WHERE id >= 0", fetch=True)
        if s1 != TOTAL or s2 != TOTAL or c != ACCOUNTS:
            self.sh.fail("analyst: REPEATABLE READ sums %s, %s over %s rows" % (s1, s2, c))

    def op_ddl(self):
        t = "scratch_%d" % self.n
        self.execute("DROP TABLE IF EXISTS %s" % t)
        self.execute("CREATE TABLE %s (k int PRIMARY KEY, v text)" % t)
        self.execute("INSERT INTO %s VALUES %s" % (t, ",".join("(%d, 'x%d')" % (i, i) for i in range(50))))
        (c,), = self.execute("SELECT count(*) FROM %s WHERE v LIKE 'x%%'" % t, fetch=True)
        if c != 50:
            self.sh.fail("ddl[%d]: %s has %d rows, expected 50" % (self.n, t, c))
        if self.rng.random() < 0.3:
            self.execute("VACUUM %s" % t)

    def slow_query(self):
        # A cross join big enough to run for a while; its answer is not checked.
        return "SELECT count(*) FROM events a, events b WHERE a.v + b.v > 1"

    def stopped_in_time(self, started, after):
        late = time.monotonic() - started - after
        if late > 5:
            self.sh.fail("%s[%d]: the statement ended %.1f s after it was cancelled" % (self.kind, self.n, late))

    def op_cancel(self):
        """Cancels a long statement after 10-300 ms, and again every second until it ends. A cancel request
        that reaches the server before the statement's Query message does is ignored (PostgreSQL ignores a
        cancel while its backend reads a command, and so does OmenDB): on a loaded machine the first request
        can lose that race, as a user's first Ctrl-C can. Lateness counts from the first request."""
        after = self.rng.uniform(0.01, 0.3)
        conn = self.conn
        ended = threading.Event()
        sent = [0]

        def cancel():
            if ended.wait(after):
                return
            while True:
                try:
                    conn.cancel()
                except psycopg2.Error:
                    return  # the server is down (a kill -9): the statement fails with a lost connection anyway
                sent[0] += 1
                if ended.wait(1.0):
                    return
        canceller = threading.Thread(target=cancel, daemon=True)
        started = time.monotonic()
        canceller.start()
        try:
            self.execute(self.slow_query(), fetch=True)
        except psycopg2.extensions.QueryCanceledError:
            self.sh.error(self.kind, "57014")
            if sent[0] > 1:
                self.sh.error(self.kind, "cancel request repeated")
            self.stopped_in_time(started, after)
        finally:
            ended.set()
            canceller.join()

    def op_timeout(self):
        after = self.rng.randint(10, 300)
        self.execute("SET statement_timeout = %d" % after)
        started = time.monotonic()
        try:
            self.execute(self.slow_query(), fetch=True)
        except psycopg2.extensions.QueryCanceledError:
            self.sh.error(self.kind, "57014")
            self.stopped_in_time(started, after / 1000)
        finally:
            self.execute("SET statement_timeout = 0")
        if self.rng.random() < 0.1:
            self.execute("VACUUM accounts" if self.rng.random() < 0.5 else "VACUUM events")

    def op_vanish(self):
        """A client that sends a query and disconnects without waiting, mid-result or mid-transaction."""
        self.drop_connection()
        s = None
        try:
            s = socket.create_connection(("127.0.0.1", self.sh.server.port), timeout=5)
            body = struct.pack("!i", 196608) + b"user\0omendb\0database\0omendb\0\0"
            s.sendall(struct.pack("!i", len(body) + 4) + body)
            buf = b""
            while b"Z\0\0\0\x05" not in buf:
                d = s.recv(65536)
                if not d:
                    raise psycopg2.OperationalError("vanish: server closed the connection during start-up")
                buf += d
            sql = self.rng.choice([self.slow_query(), "SELECT * FROM events",
                                   "BEGIN; UPDATE accounts SET bal = bal WHERE id = %d" % self.rng.randrange(ACCOUNTS)])
            payload = sql.encode() + b"\0"
            s.sendall(b"Q" + struct.pack("!i", len(payload) + 4) + payload)
            time.sleep(self.rng.uniform(0, 0.05))
        except OSError as e:
            raise psycopg2.OperationalError("vanish: %s" % e)
        finally:
            if s is not None:
                s.close()
        time.sleep(0.02)
        self.connect()


# -- controller ---------------------------------------------------------------------------------------

def setup(conn):
    cur = conn.cursor()
    cur.execute("CREATE TABLE accounts (id int PRIMARY KEY, bal bigint NOT NULL)")
    cur.execute("INSERT INTO accounts VALUES " + ",".join("(%d, %d)" % (i, START_BALANCE) for i in range(ACCOUNTS)))
    cur.execute("CREATE TABLE events (id bigint PRIMARY KEY, client int NOT NULL, ts timestamptz, "
                "v double precision, tag text)")
    cur.close()


def verify(sh, workers, when):
    """With every worker parked (or stopped): check the bank total and each client's events exactly."""
    conn = sh.server.connect()
    cur = conn.cursor()
    cur.execute("SELECT sum(bal), count(*) FROM accounts")
    total, cnt = cur.fetchone()
    if total != TOTAL or cnt != ACCOUNTS:
        sh.fail("%s: accounts sum %s count %s, expected %d %d" % (when, total, cnt, TOTAL, ACCOUNTS))
    cur.execute("SELECT client, id FROM events")
    present = {}
    for client, i in cur.fetchall():
        present.setdefault(client, set()).add(i)
    checked = 0
    for w in workers:
        if w.kind != "insert":
            continue
        have = present.get(w.n, set())
        lost = w.acked - have
        if lost:
            sh.fail("%s: client %d lost %d acknowledged events, e.g. %s" % (when, w.n, len(lost), sorted(lost)[:5]))
        ghosts = have & w.absent
        if ghosts:
            sh.fail("%s: client %d has %d events that failed or were found absent before, e.g. %s" %
                    (when, w.n, len(ghosts), sorted(ghosts)[:5]))
        extra = have - w.acked - w.doubt
        if extra:
            sh.fail("%s: client %d has %d events never sent or acknowledged, e.g. %s" %
                    (when, w.n, len(extra), sorted(extra)[:5]))
        # Settle the in-doubt ones: their fate is fixed now.
        w.acked |= w.doubt & have
        w.absent |= w.doubt - have
        w.doubt.clear()
        checked += len(w.acked)
    cur.close()
    conn.close()
    return checked


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server-bin", default=os.environ.get("OMENDB_BIN", os.path.join(ROOT, "build", "omendb")))
    ap.add_argument("--duration", type=float, default=60, help="seconds")
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--kill-every", type=float, default=30, help="mean seconds between kill -9s (0: never)")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--keep", action="store_true", help="keep the data directory and log")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    print("soak: %d clients, %.0f s, kill -9 every ~%.0f s, seed %d" % (args.clients, args.duration, args.kill_every, seed),
          flush=True)

    sh = Shared(args)
    # Background sealing too, so scans run over blocks that change under them.
    srv = Server(args.server_bin, keep=args.keep, extra_args=["--seal-interval", "2", "--seal-min-rows", "2000"])
    sh.server = srv
    srv.start()
    conn = srv.connect()
    setup(conn)
    conn.close()

    workers = [Worker(sh, i, KINDS[i % len(KINDS)], rng.randrange(1 << 30)) for i in range(args.clients)]
    sh.up.set()
    for w in workers:
        w.start()

    start = time.monotonic()
    end = start + args.duration
    kills = 0
    next_kill = start + rng.expovariate(1 / args.kill_every) if args.kill_every > 0 else float("inf")
    try:
        while time.monotonic() < end and not sh.failures:
            time.sleep(0.1)
            if srv.proc is not None and srv.proc.poll() is not None:
                sh.fail("the server exited by itself with %s\n%s" % (srv.proc.returncode, srv.log_tail()))
                break
            if time.monotonic() >= next_kill:
                sh.outage = True
                sh.up.clear()
                srv.kill()
                kills += 1
                # Every worker notices on its next statement and parks.
                deadline = time.monotonic() + 60
                while sh.parked < len(workers) and time.monotonic() < deadline:
                    time.sleep(0.05)
                if sh.parked < len(workers):
                    sh.fail("after kill -9: only %d of %d workers noticed within 60 s" % (sh.parked, len(workers)))
                    break
                srv.start()
                n = verify(sh, workers, "after kill -9 #%d" % kills)
                print("  kill -9 #%d at %.1f s: restarted, bank total and %d acknowledged events verified" %
                      (kills, time.monotonic() - start, n), flush=True)
                sh.outage = False
                sh.up.set()
                next_kill = time.monotonic() + rng.expovariate(1 / args.kill_every)
    finally:
        sh.stop.set()
        sh.up.set()
        for w in workers:
            w.join(30)
        alive = [w for w in workers if w.is_alive()]
        if alive:
            sh.fail("%d workers did not stop within 30 s: %s" % (len(alive), [w.kind for w in alive]))
    if srv.proc is not None and srv.proc.poll() is None:
        n = verify(sh, workers, "at the end")
        code = srv.stop()
        if code != 0:
            sh.fail("server exited with %s on SIGTERM\n%s" % (code, srv.log_tail()))
        srv.start()
        verify(sh, workers, "after a clean restart")
        srv.stop()
    else:
        n = 0
    ops = sum(v for k, v in sh.counts.items())
    print("soak: %.0f s, %d operations %s, %d kill -9s, %d acknowledged events verified" %
          (time.monotonic() - start, ops, dict(sorted(sh.counts.items())), kills, n))
    print("  slowest operation per kind (s): %s" % {k: round(v, 2) for k, v in sorted(sh.slowest.items())})
    print("  expected errors met: %s" % {"%s %s" % k: v for k, v in sorted(sh.errors.items(), key=str)})
    if sh.failures:
        print("soak FAILED: %d failures (seed %d); data and log in %s" % (len(sh.failures), seed, srv.base))
        srv.keep = True
        sys.exit(1)
    srv.cleanup()
    print("ok    soak: every invariant held")


if __name__ == "__main__":
    main()
