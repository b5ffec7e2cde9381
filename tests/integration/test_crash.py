#!/usr/bin/python3
"""Crash recovery of transactions: a writer process commits small transactions (several INSERTs, an UPDATE
of its own rows, UPDATEs of shared counter rows) and records each one in a local file, fsync'ed: "try k"
before sending COMMIT, "ok k" once COMMIT is acknowledged. Some transactions are rolled back, fail inside
the block, or are sent as one multi-statement query string (an implicit transaction). The server (started
with synchronous commits, i.e. without --no-sync-commit) is SIGKILLed at a random moment 0.2-2 s into
each cycle and restarted on the same data dir; then:

  * every acknowledged transaction is present in full (all its rows, each updated once);
  * no row of an unacknowledged transaction is present, except the one whose COMMIT was in flight when
    the server died (in doubt), which is all-or-nothing and keeps its fate in later cycles;
  * the shared counters and the `meta.last` row agree with exactly the set of transactions present
    (the UPDATEs are atomic with the INSERTs);
  * rolled-back and failed transactions never appear.

OMENDB_CRASH_CYCLES (default 15) sets the number of kill/restart cycles, OMENDB_CRASH_SEED the seed."""

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ROOT, Server, free_port  # noqa: E402

COUNTERS = 4
ROWS_PER_TXN = 100  # id space per transaction: ids k*100 .. k*100+99


def plan(k):
    """What transaction k does, the same for the writer and the checker."""
    r = random.Random(k * 7919 + 17)
    nrows = 1 + r.randrange(12)
    x = r.random()
    mode = "rollback" if x < 0.08 else "error" if x < 0.14 else "string" if x < 0.30 else "block"
    cuts = sorted(r.sample(range(1, nrows), min(nrows - 1, r.randrange(3)))) if nrows > 1 else []
    chunks, start = [], 0
    for c in cuts + [nrows]:
        chunks.append(list(range(k * ROWS_PER_TXN + start, k * ROWS_PER_TXN + c)))
        start = c
    pad = r.randrange(0, 300)
    return mode, chunks, pad


def statements(k):
    mode, chunks, pad = plan(k)
    sql = ["INSERT INTO items VALUES " + ", ".join("(%d, %d, 0, '%s')" % (i, k, "p" * pad) for i in chunk)
           for chunk in chunks]
    sql.append("UPDATE items SET v = v + 1 WHERE id >= %d AND id < %d" % (k * ROWS_PER_TXN, (k + 1) * ROWS_PER_TXN))
    sql.append("UPDATE counters SET n = n + 1 WHERE id = %d" % (k % COUNTERS))
    sql.append("UPDATE meta SET last = %d WHERE id = 0" % k)
    return mode, sql


# --- the writer process ---------------------------------------------------------------------------------

def writer_main(args):
    log = open(args.log, "a")

    def record(line):
        log.write(line + "\n")
        log.flush()
        os.fsync(log.fileno())

    try:
        conn = psycopg2.connect(host="127.0.0.1", port=args.port, user="omendb", dbname="omendb", connect_timeout=5)
        conn.autocommit = True
        cur = conn.cursor()
    except psycopg2.Error as e:
        print("writer: no connection: %s" % str(e).strip(), file=sys.stderr)
        return 0
    k = args.first
    try:
        while True:
            mode, sql = statements(k)
            if mode == "string":
                record("try %d" % k)
                cur.execute("; ".join(sql))
                record("ok %d" % k)
            else:
                cur.execute("BEGIN")
                for s in sql:
                    cur.execute(s)
                if mode == "rollback":
                    cur.execute("ROLLBACK")
                    record("rolledback %d" % k)
                elif mode == "error":
                    try:
                        cur.execute("SELECT 1/0")
                        raise AssertionError("1/0 succeeded")
                    except psycopg2.DataError:
                        pass
                    cur.execute("COMMIT")
                    assert cur.statusmessage == "ROLLBACK", "COMMIT of a failed block said %r" % cur.statusmessage
                    record("failed %d" % k)
                else:
                    record("try %d" % k)
                    cur.execute("COMMIT")
                    assert cur.statusmessage == "COMMIT", "COMMIT said %r" % cur.statusmessage
                    record("ok %d" % k)
            k += 1
    except (psycopg2.OperationalError, psycopg2.InterfaceError) as e:
        if e.pgcode:  # a real SQL error, not a lost connection
            raise
        print("writer: connection lost at transaction %d: %s" % (k, str(e).strip().splitlines()[0] if str(e).strip() else e),
              file=sys.stderr)
        return 0


# --- the checker ----------------------------------------------------------------------------------------

def read_log(path):
    tried, acked, other = [], set(), set()
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                word, _, k = line.strip().partition(" ")
                if not k:
                    continue  # a torn last line cannot happen (fsync after each), but be lenient
                if word == "try":
                    tried.append(int(k))
                elif word == "ok":
                    acked.add(int(k))
                else:
                    other.add(int(k))
    return tried, acked, other


def check(conn, log_path, decided, cycle):
    """Checks the recovered state; `decided` maps in-doubt transactions of earlier cycles to their fate."""
    cur = conn.cursor()
    cur.execute("SELECT id, txn, v FROM items")
    present = {}
    for i, k, v in cur.fetchall():
        present.setdefault(k, []).append((i, v))
    tried, acked, other = read_log(log_path)
    in_doubt = set(tried) - acked
    for k, rows in present.items():
        mode, chunks, _ = plan(k)
        want = sorted(i for c in chunks for i in c)
        got = sorted(i for i, _ in rows)
        assert got == want, "cycle %d: transaction %d is partly present: rows %r, expected %r" % (cycle, k, got, want)
        bad = [(i, v) for i, v in rows if v != 1]
        assert not bad, "cycle %d: transaction %d's UPDATE of its own rows is lost or doubled: %r" % (cycle, k, bad)
        assert k not in other, "cycle %d: transaction %d (%s) is present" % (cycle, k, mode)
        assert k in acked or k in in_doubt, "cycle %d: transaction %d was never committed by the client, yet is present" % (
            cycle, k)
    missing = sorted(acked - set(present))
    assert not missing, "cycle %d: %d acknowledged transactions are missing, e.g. %r" % (cycle, len(missing), missing[:10])
    for k in sorted(in_doubt):
        fate = k in present
        if k in decided:
            assert decided[k] == fate, "cycle %d: in-doubt transaction %d was %s, now %s" % (
                cycle, k, "present" if decided[k] else "absent", "present" if fate else "absent")
        decided[k] = fate
    cur.execute("SELECT id, n FROM counters ORDER BY id")
    counters = cur.fetchall()
    want = [(c, sum(1 for k in present if k % COUNTERS == c)) for c in range(COUNTERS)]
    assert counters == want, "cycle %d: counters %r, the transactions present say %r" % (cycle, counters, want)
    cur.execute("SELECT last FROM meta WHERE id = 0")
    last = cur.fetchall()
    assert last == [(max(present) if present else -1,)], "cycle %d: meta.last %r, newest transaction present %r" % (
        cycle, last, max(present) if present else None)
    cur.close()
    return len(acked), len(present), len(in_doubt)


def crash_loop(args):
    cycles = int(os.environ.get("OMENDB_CRASH_CYCLES", "15"))
    seed = int(os.environ.get("OMENDB_CRASH_SEED", time.time_ns() % 100000))
    rnd = random.Random(seed)
    print("seed %d (OMENDB_CRASH_SEED), %d cycles (OMENDB_CRASH_CYCLES)" % (seed, cycles), flush=True)
    base = tempfile.mkdtemp(prefix="omendb-crash-")
    data = os.path.join(base, "data")
    log_path = os.path.join(base, "commits.log")
    srv = Server(args.server_bin, data_dir=data)
    assert "--no-sync-commit" not in srv.extra_args
    ok = False
    try:
        srv.start()
        conn = srv.connect()
        cur = conn.cursor()
        cur.execute("CREATE TABLE items (id BIGINT PRIMARY KEY, txn BIGINT NOT NULL, v INT NOT NULL, pad TEXT)")
        cur.execute("CREATE TABLE counters (id INT PRIMARY KEY, n BIGINT NOT NULL)")
        cur.execute("CREATE TABLE meta (id INT PRIMARY KEY, last BIGINT NOT NULL)")
        cur.execute("INSERT INTO counters VALUES " + ", ".join("(%d, 0)" % c for c in range(COUNTERS)))
        cur.execute("INSERT INTO meta VALUES (0, -1)")
        conn.close()
        decided = {}
        first = 0
        for cycle in range(1, cycles + 1):
            w = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--writer", "--port", str(srv.port),
                                  "--log", log_path, "--first", str(first)], stderr=subprocess.PIPE)
            delay = rnd.uniform(0.2, 2.0)
            time.sleep(delay)
            writer_done_early = w.poll() is not None
            srv.proc.send_signal(signal.SIGKILL)
            srv.proc.wait()
            srv.proc = None
            srv.log.close()
            try:
                _, err = w.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                w.kill()
                raise AssertionError("cycle %d: the writer did not notice the dead server" % cycle)
            err = err.decode("utf-8", "replace").strip()
            assert w.returncode == 0 and not writer_done_early, "cycle %d: the writer failed (exit %s):\n%s" % (
                cycle, w.returncode, err)
            srv.port = free_port()
            t0 = time.monotonic()
            srv.start(timeout=60)
            recovery = time.monotonic() - t0
            conn = srv.connect()
            nacked, npresent, ndoubt = check(conn, log_path, decided, cycle)
            conn.close()
            tried, acked, other = read_log(log_path)
            first = max(tried + list(acked) + list(other) + [first - 1]) + 1
            print("  cycle %2d: killed after %.2fs, restart %.2fs; %d acknowledged, %d present, %d in doubt so far "
                  "(%d present); %s" % (cycle, delay, recovery, nacked, npresent, ndoubt,
                                        sum(1 for v in decided.values() if v), err.splitlines()[-1] if err else ""),
                  flush=True)
        # a clean stop and restart keeps everything too
        assert srv.stop(signal.SIGTERM) == 0, "server exited badly on SIGTERM\n" + srv.log_tail()
        srv.port = free_port()
        srv.start()
        conn = srv.connect()
        check(conn, log_path, decided, cycles + 1)
        tried, acked, _ = read_log(log_path)
        assert len(acked) >= cycles, "only %d transactions acknowledged in %d cycles" % (len(acked), cycles)
        conn.close()
        assert srv.stop(signal.SIGTERM) == 0
        ok = True
    finally:
        srv.kill()
        if ok:
            shutil.rmtree(base, ignore_errors=True)
        else:
            print("server log:\n" + srv.log_tail(), file=sys.stderr)
            print("data dir, server log and commit log kept in %s and %s" % (base, srv.base), file=sys.stderr)
    if ok:
        shutil.rmtree(srv.base, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server-bin", default=os.environ.get("OMENDB_BIN", os.path.join(ROOT, "build", "omendb")))
    ap.add_argument("--writer", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--log", help=argparse.SUPPRESS)
    ap.add_argument("--first", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.writer:
        return writer_main(args)
    if not os.access(args.server_bin, os.X_OK):
        print("server binary %s not found" % args.server_bin)
        return 2
    t0 = time.monotonic()
    try:
        crash_loop(args)
    except Exception:
        import traceback
        print("FAIL  crash_loop (%.1fs)" % (time.monotonic() - t0))
        traceback.print_exc()
        print("0 passed, 1 failed")
        return 1
    print("ok    crash_loop (%.1fs)" % (time.monotonic() - t0))
    print("1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
