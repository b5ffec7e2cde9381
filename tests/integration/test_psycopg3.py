"""psycopg 3 (Debian python3-psycopg) against OmenDB: parameters bound server-side (the extended query
protocol), text and binary formats for every type, prepared statements (prepare=True), executemany, pipeline
mode, transactions and errors.

    /usr/bin/python3 tests/integration/test_psycopg3.py --server-bin build/omendb
    /usr/bin/python3 tests/integration/test_psycopg3.py --host 127.0.0.1 --port 5432 --user postgres --dbname postgres

The second form runs the same checks against a real PostgreSQL 15 (they pass there too).
"""

import argparse
import math
import os
import sys

import psycopg
from psycopg import errors, pq

from harness import ROOT, Server, run_tests

TYPES_ROWS = [
    (1, 7, 1.25, "a", "vv", True),
    (2, -2147483648, float("nan"), "ü€😀 'quoted' \\ back", "", False),
    (3, None, None, None, None, None),
    (4, 2147483647, float("-inf"), "x" * 5000, "12345678", True),
    (5, 0, -0.0, "", "é", False),
    (9007199254740993, -1, 1e308, "\t\n", " ", True),
]


def connect(args, autocommit=True):
    return psycopg.connect(host=args.host, port=args.port, user=args.user, dbname=args.dbname,
                           autocommit=autocommit, connect_timeout=10)


def same(a, b):
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, float) and isinstance(b, float) and a == 0 and b == 0:
        return math.copysign(1, a) == math.copysign(1, b)
    return a == b


def assert_rows(got, want):
    assert len(got) == len(want), (got, want)
    for g, w in zip(got, want):
        assert len(g) == len(w) and all(same(x, y) for x, y in zip(g, w)), (g, w)


def test_parameters(args):
    with connect(args) as conn:
        cur = conn.execute("SELECT %s + 1, %s, %s, %s, %s", [41, "héllo", 1.5, True, None])
        assert cur.fetchall() == [(42, "héllo", 1.5, True, None)]
        assert [d.type_code for d in cur.description] == [23, 25, 701, 16, 25]
        assert conn.execute("SELECT %s::bigint", [2 ** 40]).fetchone() == (2 ** 40,)
        assert conn.execute("SELECT %s::text IS NULL", [None]).fetchone() == (True,)
        # A string parameter goes as "unknown" and takes the type its context needs.
        assert conn.execute("SELECT %s::int * 2", ["21"]).fetchone() == (42,)
        with pytest_raises(errors.InvalidTextRepresentation):
            conn.execute("SELECT %s::int", ["abc"])
        with pytest_raises(errors.UndefinedTable):
            conn.execute("SELECT * FROM no_such_table WHERE a = %s", [1])
        # After errors the connection still works.
        assert conn.execute("SELECT %s::text", ["ok"]).fetchone() == ("ok",)


def test_untyped_parameters_in_lists(args):
    # str parameters go untyped (OID 0); BETWEEN and IN type them from the other operands, as PostgreSQL.
    with connect(args) as conn:
        for prepare in (False, True):
            assert conn.execute("SELECT %s BETWEEN 1 AND %s", ["2", "3"], prepare=prepare).fetchone() == (True,)
            assert conn.execute("SELECT %s NOT BETWEEN 1 AND %s", ["5", "3"], prepare=prepare).fetchone() == (True,)
            assert conn.execute("SELECT %s IN (1, %s)", ["2", "2"], prepare=prepare).fetchone() == (True,)
            assert conn.execute("SELECT %s IN (%s, 1)", ["2", "3"], prepare=prepare).fetchone() == (False,)
            assert conn.execute("SELECT %s IN (1.5, %s)", ["1.5", "2"], prepare=prepare).fetchone() == (True,)
            cur = conn.execute("SELECT %s IN ('a', %s)", ["b", "b"], prepare=prepare)
            assert cur.fetchone() == (True,)


class pytest_raises:
    def __init__(self, exc):
        self.exc = exc

    def __enter__(self):
        return self

    def __exit__(self, et, ev, tb):
        assert et is not None, "expected %s, nothing was raised" % self.exc.__name__
        assert issubclass(et, self.exc), "expected %s, got %s: %s" % (self.exc.__name__, et.__name__, ev)
        return True


def test_types_text_and_binary(args):
    with connect(args) as conn:
        conn.execute("DROP TABLE IF EXISTS p3_types")
        conn.execute("CREATE TABLE p3_types (id bigint PRIMARY KEY, i int, f float8, s text, v varchar(8), b bool)")
        for binary in (False, True):
            conn.execute("DELETE FROM p3_types")
            cur = conn.cursor(binary=binary)  # parameters and results in binary format
            cur.executemany("INSERT INTO p3_types VALUES (%s, %s, %s, %s, %s, %s)", TYPES_ROWS)
            cur.execute("SELECT id, i, f, s, v, b FROM p3_types WHERE id >= %s ORDER BY id", [1])
            assert_rows(cur.fetchall(), TYPES_ROWS)
            assert [(d.name, d.type_code) for d in cur.description] == [
                ("id", 20), ("i", 23), ("f", 701), ("s", 25), ("v", 1043), ("b", 16)]
            assert cur.pgresult.fformat(0) == (1 if binary else 0)
            assert cur.description[4].internal_size is None and cur.pgresult.fmod(4) == 12  # varchar(8)
            # Binary parameters of each type, compared server-side.
            for row in TYPES_ROWS:
                if row[1] is None:
                    continue
                cur.execute("SELECT count(*) FROM p3_types WHERE id = %s AND i = %s AND s = %s AND b = %s",
                            [row[0], row[1], row[3], row[5]])
                assert cur.fetchone() == (1,), row
        conn.execute("DROP TABLE p3_types")


def test_bpchar(args):
    """char(n) is bpchar: OID 1042, typmod n + 4, values padded in text and binary (bpcharsend: the padded
    bytes), keys and comparisons without the trailing spaces, a parameter typed 1042 (no length)."""
    with connect(args) as conn:
        conn.execute("DROP TABLE IF EXISTS p3_bpchar")
        conn.execute("CREATE TABLE p3_bpchar (k char(4) PRIMARY KEY, v int)")
        conn.execute("INSERT INTO p3_bpchar VALUES (%s, 1), ('b', 2)", ["a"])
        for binary in (False, True):
            cur = conn.cursor(binary=binary)
            cur.execute("SELECT k, 'xy'::char(3), 'xy  '::bpchar FROM p3_bpchar WHERE k = %s", ["a  "])
            assert cur.fetchall() == [("a   ", "xy ", "xy  ")]
            assert [d.type_code for d in cur.description] == [1042, 1042, 1042]
            assert [cur.pgresult.fmod(i) for i in range(3)] == [8, 7, -1]
            assert cur.pgresult.get_value(0, 0) == b"a   "
        # A parameter typed bpchar (OID 1042), in text and in binary: compared without trailing spaces.
        res = conn.pgconn.exec_params(b"SELECT v FROM p3_bpchar WHERE k = $1", [b"b  "], [1042], [0])
        assert res.status == pq.ExecStatus.TUPLES_OK and res.get_value(0, 0) == b"2", res.error_message
        res = conn.pgconn.exec_params(b"SELECT $1::text || '|', octet_length($1)", [b"b  "], [1042], [1])
        assert res.get_value(0, 0) == b"b|" and res.get_value(0, 1) == b"3", res.error_message
        conn.execute("DROP TABLE p3_bpchar")


def test_prepared_statements(args):
    with connect(args) as conn:
        conn.execute("DROP TABLE IF EXISTS p3_prep")
        conn.execute("CREATE TABLE p3_prep (id int PRIMARY KEY, s text)")
        for i in range(10):
            conn.execute("INSERT INTO p3_prep VALUES (%s, %s)", [i, "s%d" % i], prepare=True)
        cur = conn.cursor()
        for i in range(10):
            cur.execute("SELECT s FROM p3_prep WHERE id = %s", [i], prepare=True)
            assert cur.fetchone() == ("s%d" % i,)
        # psycopg prepared them server-side under its own names.
        names = [n for n in conn._prepared._names.values()]
        assert len(names) >= 2, names
        # SQL-level PREPARE / EXECUTE through the extended protocol, results in binary too.
        conn.execute("PREPARE by_id (int) AS SELECT id, s FROM p3_prep WHERE id = $1")
        for binary in (False, True):
            cur = conn.cursor(binary=binary)
            cur.execute("EXECUTE by_id (3)")  # binary: the extended protocol (utility statements take no $n)
            assert cur.fetchall() == [(3, "s3")]
            assert [d.type_code for d in cur.description] == [23, 25]
        conn.execute("DEALLOCATE by_id")
        # Automatic preparation after prepare_threshold executions.
        conn.prepare_threshold = 2
        for i in range(6):
            assert conn.execute("SELECT %s::int + id FROM p3_prep WHERE id = 1", [i]).fetchone() == (i + 1,)
        conn.execute("DROP TABLE p3_prep")


def test_pipeline(args):
    with connect(args) as conn:
        conn.execute("DROP TABLE IF EXISTS p3_pipe")
        conn.execute("CREATE TABLE p3_pipe (id int PRIMARY KEY, v int)")
        with conn.pipeline():
            cur = conn.cursor()
            for i in range(50):
                cur.execute("INSERT INTO p3_pipe VALUES (%s, %s)", [i, i * i])
            counter = conn.cursor()
            counter.execute("SELECT count(*), sum(v) FROM p3_pipe")
        assert counter.fetchone() == (50, sum(i * i for i in range(50)))
        # An error in a pipeline: what came before it in the same Sync is rolled back, like PostgreSQL's
        # implicit transaction.
        with pytest_raises(errors.UniqueViolation):
            with conn.pipeline():
                conn.execute("INSERT INTO p3_pipe VALUES (%s, %s)", [100, 1])
                conn.execute("INSERT INTO p3_pipe VALUES (%s, %s)", [100, 2])
                conn.execute("SELECT 1")
        assert conn.execute("SELECT count(*) FROM p3_pipe WHERE id = 100").fetchone() == (0,)
        conn.execute("DROP TABLE p3_pipe")


def test_transactions(args):
    with connect(args) as setup:
        setup.execute("DROP TABLE IF EXISTS p3_tx")
        setup.execute("CREATE TABLE p3_tx (id int PRIMARY KEY)")
    with connect(args, autocommit=False) as t:
        cur = t.cursor()
        cur.execute("INSERT INTO p3_tx VALUES (%s)", [1])
        assert t.info.transaction_status == pq.TransactionStatus.INTRANS
        t.rollback()
        cur.execute("INSERT INTO p3_tx VALUES (%s)", [2])
        t.commit()
        cur.execute("SELECT id FROM p3_tx WHERE id IN (%s, %s) ORDER BY id", [1, 2])
        assert cur.fetchall() == [(2,)]
        with pytest_raises(errors.DivisionByZero):
            cur.execute("SELECT 1 / %s::int", [0])
        assert t.info.transaction_status == pq.TransactionStatus.INERROR
        with pytest_raises(errors.InFailedSqlTransaction):
            cur.execute("SELECT %s::int", [1])
        t.rollback()
        with t.transaction():
            cur.execute("INSERT INTO p3_tx VALUES (%s)", [3])
        t.commit()
    with connect(args) as check:
        assert check.execute("SELECT id FROM p3_tx ORDER BY id").fetchall() == [(2,), (3,)]
        check.execute("DROP TABLE p3_tx")


def test_describe_and_low_level(args):
    with connect(args) as conn:
        pg = conn.pgconn
        r = pg.prepare(b"lowlevel", b"SELECT $1::int + $2, $3 || 'x'", [0, 20, 0])
        assert r.status == pq.ExecStatus.COMMAND_OK, r.error_message
        d = pg.describe_prepared(b"lowlevel")
        assert [d.param_type(i) for i in range(d.nparams)] == [23, 20, 25]
        assert [(d.fname(i), d.ftype(i)) for i in range(d.nfields)] == [(b"?column?", 20), (b"?column?", 25)]
        r = pg.exec_prepared(b"lowlevel", [b"1", b"2", b"a"], result_format=1)
        assert r.status == pq.ExecStatus.TUPLES_OK, r.error_message
        assert r.get_value(0, 0) == (3).to_bytes(8, "big") and r.get_value(0, 1) == b"ax"
        r = pg.prepare(b"", b"SELECT $1 IS NULL")
        assert r.error_field(pq.DiagnosticField.SQLSTATE) == b"42P18"
        r = pg.prepare(b"lowlevel", b"SELECT 1")
        assert r.error_field(pq.DiagnosticField.SQLSTATE) == b"42P05"
        pg.exec_(b"DEALLOCATE lowlevel")


def test_bulk_insert_values(args):
    """A multi-row INSERT with server-side parameters (SQLAlchemy's insertmanyvalues over psycopg 3 sends
    these): small Python ints travel as int2, converted to the bigint column as PostgreSQL assigns them;
    NULLs and literals mix in. On OmenDB the rows run as one compiled loop (EXPLAIN says so)."""
    with connect(args) as conn:
        conn.execute("DROP TABLE IF EXISTS p3_bulk")
        conn.execute("CREATE TABLE p3_bulk (id bigint PRIMARY KEY, device int, v double precision, tag text)")
        n = 1000
        sql = "INSERT INTO p3_bulk VALUES " + ",".join("(%s, %s, %s, 'lit')" if i % 10 else "(%s, %s, %s, NULL)"
                                                       for i in range(n))
        for batch in range(3):
            values = []
            for i in range(n):
                values += [batch * n + i, i % 7, None if i % 13 == 0 else i * 0.25]
            conn.execute(sql, values)
        got = conn.execute("SELECT count(*), sum(device), sum(v), count(v), count(tag) FROM p3_bulk").fetchone()
        want_v = 3 * sum(i * 0.25 for i in range(n) if i % 13)
        assert got[0] == 3 * n and got[1] == 3 * sum(i % 7 for i in range(n)), got
        assert abs(got[2] - want_v) < 1e-6 and got[3] == 3 * sum(1 for i in range(n) if i % 13), got
        assert got[4] == 3 * (n - n // 10), got
        try:
            conn.execute("INSERT INTO p3_bulk VALUES (%s, %s, 1, 'x'), (%s, %s, 2, 'y')",
                         [5000, 1, 5001, 3000000000])
            raise AssertionError("expected 22003")
        except errors.NumericValueOutOfRange:
            pass
        assert conn.execute("SELECT count(*) FROM p3_bulk WHERE id >= 5000").fetchone() == (0,)
        plan = conn.execute("EXPLAIN INSERT INTO p3_bulk VALUES (%s, %s, 1, 'x'), (%s, %s, 2, 'y')",
                            [6000, 1, 6001, 2]).fetchall()
        if "OmenDB" in conn.execute("SELECT version()").fetchone()[0]:
            assert "rows from params" in plan[1][0], plan


def run_all(args):
    return run_tests([test_parameters, test_untyped_parameters_in_lists, test_types_text_and_binary, test_bpchar,
                      test_prepared_statements, test_pipeline, test_transactions, test_describe_and_low_level,
                      test_bulk_insert_values], args)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server-bin", default=os.environ.get("OMENDB_BIN", os.path.join(ROOT, "build", "omendb")))
    ap.add_argument("--host", help="run against this running server instead of starting one")
    ap.add_argument("--port", type=int)
    ap.add_argument("--user", default="omendb")
    ap.add_argument("--dbname", default="omendb")
    args = ap.parse_args()
    print("psycopg %s, libpq %s" % (psycopg.__version__, pq.version()))
    if args.host:
        return run_all(args)
    args.host = "127.0.0.1"
    with Server(args.server_bin) as srv:
        args.port = srv.port
        failed = run_all(args)
        assert srv.alive(), "server died\n" + srv.log_tail()
    return failed


if __name__ == "__main__":
    sys.exit(1 if main() else 0)
