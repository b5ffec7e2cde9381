#!/usr/bin/python3
"""ALTER TABLE ... ALTER COLUMN TYPE on real RocksDB files (docs/schema.md, "ALTER COLUMN TYPE"): the
rewritten rows (sealed blocks and row-store rows alike), their new keys and index entries survive a clean
restart and a kill -9 right after the ALTER; a failed conversion leaves every row as it was across a restart.
"""

import os
import shutil
import signal
import sys
import tempfile

from harness import Server, expect_error, parse_args, query, run_tests

ROWS = 3000


def state(conn):
    return {
        "types": query(conn, "SELECT column_name, data_type, character_maximum_length, numeric_precision, "
                             "numeric_scale FROM information_schema.columns WHERE table_name = 'ty' "
                             "ORDER BY ordinal_position"),
        "rows": query(conn, "SELECT k, x::text, s, n::text FROM ty ORDER BY k"),
        "by_key": query(conn, "SELECT s FROM ty WHERE k = '1234'"),
        "by_index": query(conn, "SELECT k FROM ty WHERE s = 's00077'"),
        "sum": query(conn, "SELECT sum(x), count(*) FROM ty"),
    }


def on_server(args, data, fn, crash=False):
    """Starts a server on `data`, runs fn(conn), then stops it with SIGTERM (exit code 0) or kill -9."""
    srv = Server(args.server_bin, data_dir=data).start()
    try:
        conn = srv.connect()
        result = fn(conn)
        conn.close()
        if not crash:
            assert srv.stop(signal.SIGTERM) == 0, srv.log_tail()
        return result
    finally:
        srv.kill()
        srv.cleanup()


def first_run(conn):
    query(conn, "CREATE TABLE ty (k INT PRIMARY KEY, x INT, s TEXT, n NUMERIC(8,2))")
    query(conn, "CREATE INDEX ty_s ON ty (s)")
    query(conn, "INSERT INTO ty SELECT g, g * 2, 's' || lpad(g::text, 5, '0'), g / 3.0 "
                "FROM generate_series(1, %d) g" % ROWS)
    query(conn, "VACUUM ty")  # sealed blocks
    query(conn, "INSERT INTO ty VALUES (%d, 1, 'late', 0.5)" % (ROWS + 1))  # a row-store row
    assert query(conn, "SELECT blocks > 0 FROM omendb_sealed_tables WHERE relname = 'ty'") == [(True,)]
    # a conversion that fails on one row leaves the table as it was
    query(conn, "UPDATE ty SET s = 'toolong' WHERE k = 10")
    before_failure = state(conn)
    expect_error(conn, "ALTER TABLE ty ALTER s TYPE VARCHAR(6)", "22001")
    assert state(conn) == before_failure
    query(conn, "UPDATE ty SET s = 's00010' WHERE k = 10")
    # the key becomes text (its order changes), x bigint, n numeric(6,1), s varchar(6)
    query(conn, "ALTER TABLE ty ALTER k TYPE TEXT, ALTER x TYPE BIGINT USING x::bigint * 1000000000, "
                "ALTER n TYPE NUMERIC(6,1), ALTER s TYPE VARCHAR(6)")
    after = state(conn)
    assert after["by_key"] == [("s01234",)], after["by_key"]
    assert after["by_index"] == [("77",)], after["by_index"]
    assert after["sum"] == [(sum(g * 2 for g in range(1, ROWS + 1)) * 1000000000 + 1000000000, ROWS + 1)], \
        after["sum"]
    assert after["rows"][0] == ("1", "2000000000", "s00001", "0.3"), after["rows"][0]
    assert after["types"][0] == ("k", "text", None, None, None), after["types"]
    assert after["types"][3] == ("n", "numeric", None, 6, 1), after["types"]
    return after


def second_run(conn, after):
    assert state(conn) == after
    # again, then kill -9 at once: the rewrite was one synced batch
    query(conn, "ALTER TABLE ty ALTER k TYPE BIGINT USING k::bigint")
    after2 = state(conn)
    assert after2["by_key"] == after["by_key"]
    return after2


def third_run(conn, after2):
    assert state(conn) == after2
    expect_error(conn, "INSERT INTO ty VALUES (1234, 0, 'dup', 0)", "23505")
    query(conn, "INSERT INTO ty VALUES (-1, 0, 'neg', 0)")
    assert query(conn, "SELECT k FROM ty ORDER BY k LIMIT 2") == [(-1,), (1,)]


def test_alter_type_restart(args):
    base = tempfile.mkdtemp(prefix="omendb-altertype-")
    data = os.path.join(base, "data")
    try:
        after = on_server(args, data, first_run)
        after2 = on_server(args, data, lambda conn: second_run(conn, after), crash=True)
        on_server(args, data, lambda conn: third_run(conn, after2))
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(1 if run_tests([test_alter_type_restart], parse_args()) else 0)
