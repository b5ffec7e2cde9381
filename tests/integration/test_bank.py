#!/usr/bin/python3
"""The bank test: 32 sessions (one thread and connection each) move random amounts between 10 accounts for
~15 s (OMENDB_BANK_SECONDS) in REPEATABLE READ transactions (BEGIN; UPDATE a; UPDATE b; INSERT log; COMMIT),
retrying on 40001 (counted), while 4 read-only sessions repeatedly read SUM(balance), every balance and the
transfer log in one REPEATABLE READ transaction.

Checked: every snapshot a reader sees is consistent (the sum is the initial total, the per-account rows add
up to it, sum(transfers) = 2 * count(log), and every balance equals its initial value plus what the log in
the same snapshot says moved); at the end the total is unchanged, the log holds exactly the transfers the
clients saw commit (modulo in-doubt ones whose COMMIT lost its connection, none expected here), each
account's `transfers` counter and balance match the log and the client-side record.

`--host/--port` runs against a running server (e.g. PostgreSQL, where 40P01 deadlocks also count as
retries)."""

import os
import random
import sys
import threading
import time

import psycopg2
import psycopg2.extensions as ext

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import connector, run_main, run_tests  # noqa: E402

ACCOUNTS = 10
INITIAL = 1000
WRITERS = 32
READERS = 4
RETRYABLE = ("40001", "40P01")


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.acked = {}        # transfer id -> (src, dst, amount)
        self.in_doubt = {}     # transfer id -> (src, dst, amount): COMMIT sent, connection lost
        self.retries = 0
        self.gave_up = 0
        self.reads = 0
        self.full_reads = 0
        self.errors = []

    def error(self, msg):
        with self.lock:
            self.errors.append(msg)


def writer(connect, n, deadline, stats, seed):
    rnd = random.Random(seed)
    seq = 0
    retries = 0
    try:
        conn = connect()
        cur = conn.cursor()
        while time.monotonic() < deadline:
            seq += 1
            tid = n * 10_000_000 + seq
            src = rnd.randrange(ACCOUNTS)
            dst = rnd.choice([a for a in range(ACCOUNTS) if a != src])
            amount = rnd.randint(1, 100)
            while True:
                stage = "BEGIN"
                try:
                    cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
                    stage = "UPDATE"
                    cur.execute("UPDATE accounts SET balance = balance - %d, transfers = transfers + 1 WHERE id = %d"
                                % (amount, src))
                    assert cur.rowcount == 1, "UPDATE of account %d touched %d rows" % (src, cur.rowcount)
                    cur.execute("UPDATE accounts SET balance = balance + %d, transfers = transfers + 1 WHERE id = %d"
                                % (amount, dst))
                    assert cur.rowcount == 1, "UPDATE of account %d touched %d rows" % (dst, cur.rowcount)
                    cur.execute("INSERT INTO log VALUES (%d, %d, %d, %d)" % (tid, src, dst, amount))
                    stage = "COMMIT"
                    cur.execute("COMMIT")
                    assert cur.statusmessage == "COMMIT", "COMMIT answered %r" % cur.statusmessage
                    with stats.lock:
                        stats.acked[tid] = (src, dst, amount)
                    break
                except psycopg2.Error as e:
                    if e.pgcode in RETRYABLE:
                        retries += 1
                        if conn.info.transaction_status != ext.TRANSACTION_STATUS_IDLE:
                            cur.execute("ROLLBACK")
                        if time.monotonic() >= deadline:
                            with stats.lock:
                                stats.gave_up += 1
                            break
                        continue
                    if stage == "COMMIT" and e.pgcode is None:  # connection lost with the COMMIT in flight
                        with stats.lock:
                            stats.in_doubt[tid] = (src, dst, amount)
                    raise
        conn.close()
    except Exception as e:
        stats.error("writer %d, transfer %d: %s %r" % (n, seq, getattr(e, "pgcode", ""), e))
    finally:
        with stats.lock:
            stats.retries += retries


def reader(connect, n, deadline, stats):
    total = ACCOUNTS * INITIAL
    reads = full = 0
    try:
        conn = connect()
        cur = conn.cursor()
        while time.monotonic() < deadline:
            cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
            cur.execute("SELECT sum(balance), sum(transfers), count(*) FROM accounts")
            s, st, cnt = cur.fetchone()
            cur.execute("SELECT id, balance, transfers FROM accounts ORDER BY id")
            accounts = cur.fetchall()
            cur.execute("SELECT count(*) FROM log")
            logged = cur.fetchone()[0]
            moves = None
            if reads % 10 == 0:
                cur.execute("SELECT src, dst, amount FROM log")
                moves = cur.fetchall()
            cur.execute("COMMIT")
            assert cur.statusmessage == "COMMIT", "read-only COMMIT answered %r" % cur.statusmessage
            reads += 1
            assert (s, cnt) == (total, ACCOUNTS), "read %d: sum(balance) %s over %s accounts, expected %d over %d" % (
                reads, s, cnt, total, ACCOUNTS)
            assert sum(a[1] for a in accounts) == total, "read %d: balances %r add up to %d" % (
                reads, accounts, sum(a[1] for a in accounts))
            assert sum(a[2] for a in accounts) == st, "read %d: sum(transfers) %s but rows say %r" % (reads, st, accounts)
            assert st == 2 * logged, "read %d: sum(transfers) %s but the log has %d rows in the same snapshot" % (
                reads, st, logged)
            if moves is not None:
                assert len(moves) == logged, "read %d: count(*) %d but %d log rows" % (reads, logged, len(moves))
                bal = [INITIAL] * ACCOUNTS
                for src, dst, amount in moves:
                    bal[src] -= amount
                    bal[dst] += amount
                assert [a[1] for a in accounts] == bal, "read %d: balances %r, the log in the same snapshot says %r" % (
                    reads, [a[1] for a in accounts], bal)
                full += 1
        conn.close()
    except Exception as e:
        stats.error("reader %d, read %d: %s %r" % (n, reads, getattr(e, "pgcode", ""), e))
    finally:
        with stats.lock:
            stats.reads += reads
            stats.full_reads += full


def run_bank(connect, seconds, seed):
    setup = connect()
    cur = setup.cursor()
    cur.execute("DROP TABLE IF EXISTS accounts")
    cur.execute("DROP TABLE IF EXISTS log")
    cur.execute("CREATE TABLE accounts (id INT PRIMARY KEY, balance BIGINT NOT NULL, transfers BIGINT NOT NULL)")
    cur.execute("CREATE TABLE log (id BIGINT PRIMARY KEY, src INT NOT NULL, dst INT NOT NULL, amount INT NOT NULL)")
    cur.execute("INSERT INTO accounts VALUES " + ", ".join("(%d, %d, 0)" % (a, INITIAL) for a in range(ACCOUNTS)))

    stats = Stats()
    t0 = time.monotonic()
    deadline = t0 + seconds
    threads = [threading.Thread(target=writer, args=(connect, n, deadline, stats, seed * 1000 + n))
               for n in range(WRITERS)]
    threads += [threading.Thread(target=reader, args=(connect, n, deadline, stats)) for n in range(READERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 120)
    hung = [t for t in threads if t.is_alive()]
    took = time.monotonic() - t0
    print("  %.1fs: %d transfers committed (%.0f/s), %d retries on 40001, %d given up at the deadline, "
          "%d consistent reads (%d with the whole log), %d in doubt"
          % (took, len(stats.acked), len(stats.acked) / took, stats.retries, stats.gave_up, stats.reads,
             stats.full_reads, len(stats.in_doubt)), flush=True)
    assert not hung, "%d threads still running %ds after the deadline" % (len(hung), 120)
    assert not stats.errors, "%d errors:\n  %s" % (len(stats.errors), "\n  ".join(stats.errors[:20]))
    assert stats.acked, "no transfer committed"
    assert stats.reads >= READERS, "readers read only %d times" % stats.reads

    # the end state
    cur.execute("SELECT sum(balance), sum(transfers) FROM accounts")
    s, st = cur.fetchone()
    assert s == ACCOUNTS * INITIAL, "final sum(balance) %s, expected %d" % (s, ACCOUNTS * INITIAL)
    cur.execute("SELECT id, src, dst, amount FROM log")
    logged = {r[0]: tuple(r[1:]) for r in cur.fetchall()}
    missing = sorted(set(stats.acked) - set(logged))
    assert not missing, "%d acknowledged transfers are not in the log, e.g. %r" % (len(missing), missing[:10])
    extra = sorted(set(logged) - set(stats.acked) - set(stats.in_doubt))
    assert not extra, "%d transfers in the log were never acknowledged, e.g. %r" % (len(extra), extra[:10])
    for tid in stats.acked:
        assert logged[tid] == stats.acked[tid], "transfer %d: log says %r, client %r" % (tid, logged[tid], stats.acked[tid])
    assert st == 2 * len(logged), "sum(transfers) %s, but %d transfers committed" % (st, len(logged))
    bal = [INITIAL] * ACCOUNTS
    cnt = [0] * ACCOUNTS
    for src, dst, amount in logged.values():
        bal[src] -= amount
        bal[dst] += amount
        cnt[src] += 1
        cnt[dst] += 1
    cur.execute("SELECT id, balance, transfers FROM accounts ORDER BY id")
    got = cur.fetchall()
    expected = [(a, bal[a], cnt[a]) for a in range(ACCOUNTS)]
    assert got == expected, "accounts %r, the committed transfers say %r" % (got, expected)
    setup.close()


def main():
    def extra(ap):
        ap.add_argument("--seconds", type=float, default=float(os.environ.get("OMENDB_BANK_SECONDS", "15")))
        ap.add_argument("--seed", type=int, default=int(os.environ.get("OMENDB_BANK_SEED", time.time_ns() % 100000)))

    def run(args):
        print("seed %d (OMENDB_BANK_SEED to repeat the random choices)" % args.seed)
        connect = connector(args)
        return run_tests([("bank", lambda: run_bank(lambda: connect(True), args.seconds, args.seed))], args)

    return run_main(run, extra)


if __name__ == "__main__":
    sys.exit(1 if main() else 0)
