#!/usr/bin/python3
"""A full disk (docs/reliability.md): with the data directory on a small tmpfs, writes fail with 53100 and
nothing else breaks: reads go on, the server and the other sessions stay up, and once there is space again
writes succeed; every acknowledged commit is there, also after a kill -9, and no failed one is.

Needs to mount a tmpfs (root, or CAP_SYS_ADMIN); exits 77 (skipped) where it cannot.
"""

import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import psycopg2  # noqa: E402
from harness import Server, parse_args, query  # noqa: E402

SKIP = 77
SMALL = "32m"
LARGE = "512m"  # RocksDB makes the database writable again once a flush fits with headroom (~64 MB)


def mount(path, size):
    return subprocess.run(["mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", path],
                          capture_output=True).returncode == 0


def remount(path, size):
    subprocess.run(["mount", "-o", "remount,size=" + size, path], check=True)


def fill(conn, acked, start):
    """Inserts 100-row batches until one fails; returns (next id, the error)."""
    cur = conn.cursor()
    i = start
    while True:
        try:
            cur.execute("INSERT INTO t VALUES " + ",".join("(%d, '%s')" % (i + k, "x" * 1000) for k in range(100)))
        except psycopg2.Error as e:
            return i, e
        acked.extend(range(i, i + 100))
        i += 100
        assert i < 10_000_000, "the disk never filled"


def main():
    args = parse_args()
    base = tempfile.mkdtemp(prefix="omendb-diskfull-")
    if not mount(base, SMALL):
        print("skipped: cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN)")
        sys.exit(SKIP)
    try:
        data = os.path.join(base, "data")
        acked = []
        with Server(args.server_bin, data_dir=data) as srv:
            conn = srv.connect()
            other = srv.connect()
            query(conn, "CREATE TABLE t (id BIGINT PRIMARY KEY, pad TEXT)")
            next_id, err = fill(conn, acked, 0)
            assert err.pgcode == "53100", (err.pgcode, str(err))
            assert "No space left on device" in err.diag.message_primary, err.diag.message_primary
            assert err.diag.message_hint == "Check free disk space.", err.diag.message_hint
            print("disk full after %d rows: %s" % (len(acked), err.diag.message_primary))
            # Reads go on, in this session and another; writes keep failing with 53100, in a block too.
            assert query(conn, "SELECT count(*) FROM t") == [(len(acked),)]
            assert query(other, "SELECT count(*), max(id) FROM t") == [(len(acked), len(acked) - 1)]
            cur = other.cursor()
            try:
                cur.execute("INSERT INTO t VALUES (-1, 'small')")
                raise AssertionError("expected 53100")
            except psycopg2.Error as e:
                assert e.pgcode == "53100", e.pgcode
            other.autocommit = False
            cur.execute("UPDATE t SET pad = 'y' WHERE id = 0")
            try:
                other.commit()
                raise AssertionError("expected 53100")
            except psycopg2.Error as e:
                assert e.pgcode == "53100", e.pgcode
            other.autocommit = True
            assert query(other, "SELECT pad = 'y' FROM t WHERE id = 0") == [(False,)]
            assert srv.alive()

            # Space again: writes succeed once RocksDB has recovered (it polls every few seconds).
            remount(base, LARGE)
            deadline = time.monotonic() + 120
            while True:
                try:
                    query(conn, "INSERT INTO t VALUES (%d, 'after')" % next_id)
                    acked.append(next_id)
                    break
                except psycopg2.Error as e:
                    assert e.pgcode == "53100", (e.pgcode, str(e))
                    assert time.monotonic() < deadline, "writes did not resume after space was freed"
                    time.sleep(0.5)
            query(conn, "UPDATE t SET pad = 'z' WHERE id = 1")
            assert query(conn, "SELECT count(*), sum(id) FROM t") == [(len(acked), sum(acked))]
            conn.close()
            other.close()
            srv.kill()  # kill -9: every acknowledged commit must survive, and no failed one appear
        with Server(args.server_bin, data_dir=data) as srv:
            conn = srv.connect()
            assert query(conn, "SELECT count(*), sum(id), min(id) FROM t") == [(len(acked), sum(acked), 0)]
            assert query(conn, "SELECT pad FROM t WHERE id IN (0, 1) ORDER BY id") == [("x" * 1000,), ("z",)]
            conn.close()
        print("ok    disk full: 53100, reads go on, writes resume, %d acknowledged rows after kill -9" % len(acked))
    finally:
        subprocess.run(["umount", "-l", base])
        os.rmdir(base) if not os.listdir(base) else None


if __name__ == "__main__":
    main()
