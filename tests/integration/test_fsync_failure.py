#!/usr/bin/python3
"""A failed fsync (docs/reliability.md, "A failed fsync"): the server runs with tests/faults/faultfs.c
preloaded, which makes fsync / fdatasync of chosen files fail with EIO when its control file says so.

- WAL: a commit whose WAL fdatasync fails gets 58030 and is not committed, now or after a restart; the fault
  fails one fdatasync only and later ones succeed (Linux's behaviour after a writeback error, the fsyncgate
  trap), yet no later write is acknowledged: the database refuses writes until the server restarts, reads
  go on. After kill -9 and a restart every acknowledged commit is there and no failed one.
- A flush's SST file and the MANIFEST: VACUUM flushes and compacts; a failed fsync of either stops writes
  in the same way, and after kill -9 and a restart every acknowledged commit is there (from the WAL).

Usage: test_fsync_failure.py --server-bin build/omendb --faultfs build/tests/faults/libfaultfs.so
"""

import os
import shutil
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import psycopg2  # noqa: E402
from harness import ROOT, Server, expect_error, parse_args, query, run_tests  # noqa: E402


def extra(ap):
    ap.add_argument("--faultfs", default=os.path.join(ROOT, "build", "tests", "faults", "libfaultfs.so"))


class Faults:
    """The faultfs control and log files of one server."""

    def __init__(self, base):
        self.control = os.path.join(base, "faults.control")
        self.log = os.path.join(base, "faults.log")

    def env(self, lib):
        # A preloaded library comes before an ASan runtime (build-asan): allow that.
        asan = os.environ.get("ASAN_OPTIONS", "")
        return {"LD_PRELOAD": os.path.abspath(lib), "OMENDB_FAULT_CONTROL": self.control,
                "OMENDB_FAULT_LOG": self.log,
                "ASAN_OPTIONS": (asan + ":" if asan else "") + "verify_asan_link_order=0"}

    def set(self, rules):
        tmp = self.control + ".tmp"
        with open(tmp, "w") as f:
            f.write(rules + "\n")
        os.replace(tmp, self.control)

    def clear(self):
        if os.path.exists(self.control):
            os.unlink(self.control)

    def injected(self):
        try:
            with open(self.log) as f:
                return [l.split(" ", 1) for l in f.read().splitlines()]
        except FileNotFoundError:
            return []


def insert(conn, i):
    query(conn, "INSERT INTO t VALUES (%d, 'row %d')" % (i, i))


def writes_refused(conn, other, n, first_id):
    """Every write fails with 58030 (none is acknowledged): inserts, an UPDATE in a block, DDL."""
    for k in range(n):
        e = expect_error(conn, "INSERT INTO t VALUES (%d, 'after')" % (first_id + k), "58030")
        assert "restart" in (e.diag.message_detail or ""), e.diag.message_detail
    other.autocommit = False
    cur = other.cursor()
    cur.execute("UPDATE t SET v = 'changed' WHERE id = 0")
    try:
        other.commit()
        raise AssertionError("the COMMIT of an UPDATE after the fsync failure succeeded")
    except psycopg2.Error as e:
        assert e.pgcode == "58030", (e.pgcode, str(e))
    other.autocommit = True
    expect_error(conn, "CREATE TABLE later (a int)", "58030")


def check_after_restart(args, data, acked, failed):
    with Server(args.server_bin, data_dir=data) as srv:
        conn = srv.connect()
        ids = [r[0] for r in query(conn, "SELECT id FROM t ORDER BY id")]
        missing = sorted(set(acked) - set(ids))
        back = sorted(set(failed) & set(ids))
        assert not missing, "acknowledged commits lost after the restart: %s" % missing[:20]
        assert not back, "commits that failed are visible after the restart: %s" % back[:20]
        assert ids == sorted(acked), (len(ids), len(acked))
        assert query(conn, "SELECT v FROM t WHERE id = 0") == [("row 0",)]
        # Writable again, and the table created before the failure is there; the one refused is not.
        insert(conn, -1)
        assert query(conn, "SELECT count(*) FROM t WHERE id = -1") == [(1,)]
        expect_error(conn, "SELECT * FROM later", "42P01")
        conn.close()


def test_wal_fsync_failure(args):
    base = tempfile.mkdtemp(prefix="omendb-fsync-")
    data = os.path.join(base, "data")
    faults = Faults(base)
    acked, failed = [], []
    with Server(args.server_bin, data_dir=data, env=faults.env(args.faultfs)) as srv:
        conn = srv.connect()
        other = srv.connect()
        query(conn, "CREATE TABLE t (id BIGINT PRIMARY KEY, v TEXT)")
        for i in range(50):
            insert(conn, i)
            acked.append(i)
        assert faults.injected() == []
        # The next fdatasync of a WAL file fails; later ones succeed (as Linux after a writeback error).
        faults.set("fsync,fdatasync *.log 1")
        e = expect_error(conn, "INSERT INTO t VALUES (50, 'row 50')", "58030")
        failed.append(50)
        inj = faults.injected()
        assert len(inj) == 1 and inj[0][0] in ("fsync", "fdatasync") and inj[0][1].endswith(".log"), inj
        assert e.diag.message_primary.startswith("could not commit: I/O error on the write-ahead log"), \
            e.diag.message_primary
        assert "was not committed" in e.diag.message_detail, e.diag.message_detail
        print("    commit with a failed WAL fsync: %s %s" % (e.pgcode, e.diag.message_primary))
        # Reads go on and see only the acknowledged rows, in both sessions.
        assert query(conn, "SELECT count(*), sum(id) FROM t") == [(len(acked), sum(acked))]
        assert query(other, "SELECT count(*) FROM t WHERE id = 50") == [(0,)]
        # No later write is acknowledged, though fsync works again.
        writes_refused(conn, other, 20, 100)
        failed.extend(range(100, 120))
        assert len(faults.injected()) == 1, "the fault was meant to fire once: %s" % faults.injected()
        assert query(conn, "SELECT v FROM t WHERE id = 0") == [("row 0",)]
        assert srv.alive()
        conn.close()
        other.close()
        srv.kill()  # kill -9
    faults.clear()
    check_after_restart(args, data, acked, failed)
    shutil.rmtree(base)


def test_wal_fsync_failure_concurrent(args):
    """8 sessions commit concurrently (RocksDB syncs a group of commits at once) when one WAL fdatasync
    fails: every commit after it fails, and after kill -9 and a restart exactly the acknowledged ones are
    there."""
    base = tempfile.mkdtemp(prefix="omendb-fsync-")
    data = os.path.join(base, "data")
    faults = Faults(base)
    acked, failed, errors = [], [], []
    lock = threading.Lock()
    stop = threading.Event()

    def writer(srv, w):
        conn = srv.connect()
        i = w * 1_000_000
        while not stop.is_set():
            i += 1
            try:
                insert(conn, i)
                with lock:
                    acked.append(i)
            except psycopg2.Error as e:
                with lock:
                    failed.append(i)
                    errors.append(e.pgcode)
        conn.close()

    with Server(args.server_bin, data_dir=data, env=faults.env(args.faultfs)) as srv:
        query(srv.connect(), "CREATE TABLE t (id BIGINT PRIMARY KEY, v TEXT)")
        insert(srv.connect(), 0)
        acked.append(0)
        threads = [threading.Thread(target=writer, args=(srv, w + 1)) for w in range(8)]
        for t in threads:
            t.start()
        time.sleep(1.0)
        with lock:
            before = len(acked)
        faults.set("fsync,fdatasync *.log 1")
        deadline = time.monotonic() + 10
        while not faults.injected():
            assert time.monotonic() < deadline, "no WAL fdatasync failed within 10 s"
            time.sleep(0.05)
        time.sleep(1.0)  # the writers go on: each attempt now fails
        stop.set()
        for t in threads:
            t.join()
        assert before > 0 and len(failed) >= 8, (before, len(failed))
        assert set(errors) == {"58030"}, set(errors)
        # After the first failure nothing was acknowledged: each writer's acknowledged ids precede its
        # failed ones.
        for w in range(1, 9):
            lo, hi = w * 1_000_000, (w + 1) * 1_000_000
            mine_ok = [i for i in acked if lo <= i < hi]
            mine_failed = [i for i in failed if lo <= i < hi]
            assert mine_failed and (not mine_ok or max(mine_ok) < min(mine_failed)), (w, mine_ok[-3:], mine_failed[:3])
        assert query(srv.connect(), "SELECT count(*) FROM t") == [(len(acked),)]
        print("    8 writers: %d commits acknowledged, %d failed (%d before the fault)" % (len(acked), len(failed), before))
        srv.kill()
    faults.clear()
    check_after_restart(args, data, acked, failed)
    shutil.rmtree(base)


def background_failure(args, rules, what):
    """Rows are committed (WAL synced), then VACUUM flushes and compacts while `rules` fail its fsyncs."""
    base = tempfile.mkdtemp(prefix="omendb-fsync-")
    data = os.path.join(base, "data")
    faults = Faults(base)
    acked, failed = [], []
    with Server(args.server_bin, data_dir=data, env=faults.env(args.faultfs)) as srv:
        conn = srv.connect()
        other = srv.connect()
        query(conn, "CREATE TABLE t (id BIGINT PRIMARY KEY, v TEXT)")
        query(conn, "INSERT INTO t VALUES " + ",".join("(%d, 'row %d')" % (i, i) for i in range(2000)))
        acked.extend(range(2000))
        faults.set(rules)
        try:
            query(conn, "VACUUM t")
            vacuum = "succeeded"
        except psycopg2.Error as e:
            vacuum = "%s %s" % (e.pgcode, e.diag.message_primary)
            assert e.pgcode == "58030", vacuum
        inj = faults.injected()
        assert inj, "no %s fsync was attempted by VACUUM (the test does not reach what it means to)" % what
        print("    %s: faults injected %s; VACUUM %s" % (what, sorted(set(op for op, _ in inj)), vacuum))
        # The failure is reported in the background or to VACUUM; either way writes stop.
        faults.clear()
        deadline = time.monotonic() + 10
        i = 5000
        while True:
            try:
                insert(conn, i)
            except psycopg2.Error as e:
                assert e.pgcode == "58030", (e.pgcode, str(e))
                failed.append(i)
                break
            acked.append(i)  # acknowledged before the background error arrived: must survive
            i += 1
            assert time.monotonic() < deadline, "writes still acknowledged 10 s after a failed %s fsync" % what
            time.sleep(0.2)
        writes_refused(conn, other, 5, 6000)
        failed.extend(range(6000, 6005))
        assert query(other, "SELECT count(*), sum(id) FROM t") == [(len(acked), sum(acked))]
        conn.close()
        other.close()
        srv.kill()
    check_after_restart(args, data, acked, failed)
    shutil.rmtree(base)


def test_sst_fsync_failure(args):
    background_failure(args, "fsync,fdatasync *.sst", "SST")


def test_manifest_fsync_failure(args):
    background_failure(args, "fsync,fdatasync MANIFEST-*", "MANIFEST")


def main():
    args = parse_args(extra)
    if not os.path.exists(args.faultfs):
        print("faultfs library %s not found" % args.faultfs)
        sys.exit(2)
    failed = run_tests([test_wal_fsync_failure, test_wal_fsync_failure_concurrent, test_sst_fsync_failure, test_manifest_fsync_failure], args)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
