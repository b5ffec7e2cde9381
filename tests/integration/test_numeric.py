"""NUMERIC through real drivers: psycopg2 (Decimal parameters sent as literals, results parsed from
text), psycopg 3 in text and binary formats (Decimal parameters bound as numeric, results in
PostgreSQL's NBASE-10000 binary format), a numeric primary key, sums that must not drift, NaN and the
infinities, COPY in and out, COPY and upserts taking numeric DEFAULTs.

    /usr/bin/python3 tests/integration/test_numeric.py --server-bin build/omendb
    /usr/bin/python3 tests/integration/test_numeric.py --host 127.0.0.1 --port 5432 --user postgres --dbname postgres

The second form runs the same checks against a real PostgreSQL 15 (they pass there too).
"""

import io
import random
import sys
from decimal import Decimal

import psycopg
import psycopg2
from psycopg import errors

from harness import run_main

VALUES = [
    Decimal("0"), Decimal("0.00"), Decimal("-0.5"), Decimal("1.10"), Decimal("12345678901234567890.123456789"),
    Decimal("-99999999999999999999999999999999999999.99"), Decimal("1E-30"), Decimal("0.000000000000000000001"),
    Decimal("3.14159265358979323846264338327950288419716939937510"), Decimal("1E+40"), Decimal("-7"),
    Decimal("10000"), Decimal("9999.9999"), Decimal("0.0001"),
]
SPECIAL = [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")]


def scale(d):
    return max(0, -d.as_tuple().exponent)


def same(a, b):
    """Equal as PostgreSQL prints them: the value and its display scale (1.10 is not 1.1 here)."""
    if a is None or b is None:
        return a is b
    if a.is_nan() or b.is_nan():
        return a.is_nan() and b.is_nan()
    if a.is_infinite() or b.is_infinite():
        return a == b
    return a == b and scale(a) == scale(b)


def connect3(args):
    return psycopg.connect(host=args.host, port=args.port, user=args.user, dbname=args.dbname, autocommit=True)


def test_psycopg2(args):
    conn = psycopg2.connect(host=args.host, port=args.port, user=args.user, dbname=args.dbname)
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("DROP TABLE IF EXISTS num_pg2")
    cur.execute("CREATE TABLE num_pg2 (id int PRIMARY KEY, v numeric, m numeric(10,2))")
    # psycopg2 sends a Decimal infinity as 'NaN'::numeric (its adapter predates numeric infinities)
    rows = [(i, v, Decimal("1.005") * i) for i, v in enumerate(VALUES + SPECIAL[:1])]
    cur.executemany("INSERT INTO num_pg2 VALUES (%s, %s, %s)", rows)
    cur.execute("SELECT id, v, m FROM num_pg2 ORDER BY id")
    got = cur.fetchall()
    assert len(got) == len(rows), got
    for (i, v, m), (gi, gv, gm) in zip(rows, got):
        assert gi == i and same(gv, v), (v, gv)
        if m.is_finite():
            assert gm == m.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP") and scale(gm) == 2, (m, gm)
    cur.execute("SELECT 0.1 + 0.2, sum(m) FROM num_pg2 WHERE id < 5")
    a, s = cur.fetchone()
    assert a == Decimal("0.3") and str(a) == "0.3", a
    assert s == sum(Decimal("1.005") * i for i in range(5)).quantize(Decimal("0.01")) or s == Decimal("10.06"), s


def test_psycopg3_text_and_binary(args):
    with connect3(args) as conn:
        conn.execute("DROP TABLE IF EXISTS num_pg3")
        conn.execute("CREATE TABLE num_pg3 (k numeric PRIMARY KEY, v numeric)")
        for binary in (False, True):
            conn.execute("DELETE FROM num_pg3")
            cur = conn.cursor(binary=binary)
            # psycopg 3 binds Decimal parameters as numeric (OID 1700), in binary format when binary=True
            keys = [v for v in VALUES if str(v) != "0.00"] + SPECIAL
            cur.executemany("INSERT INTO num_pg3 VALUES (%s, %s)", [(v, v) for v in keys])
            try:
                cur.execute("INSERT INTO num_pg3 VALUES (%s, 1)", (Decimal("0.00"),))  # 0 and 0.00: one key
                raise AssertionError("duplicate key accepted")
            except errors.UniqueViolation:
                pass
            cur.execute("SELECT k, v FROM num_pg3 ORDER BY k")
            got = cur.fetchall()
            finite = sorted(v for v in keys if v.is_finite())
            want = [Decimal("-Infinity")] + finite + [Decimal("Infinity"), Decimal("NaN")]
            assert len(got) == len(want), (binary, got)
            for (k, v), w in zip(got, want):
                assert same(k, w) and same(v, w), (binary, k, v, w)
            cur.execute("SELECT count(*) FROM num_pg3 WHERE k = %s", (Decimal("0.000"),))
            assert cur.fetchone() == (1,), binary
            cur.execute("SELECT k FROM num_pg3 WHERE k > %s AND k < %s ORDER BY k", (Decimal("0.5"), Decimal("10000")))
            assert [r[0] for r in cur.fetchall()] == [Decimal("1.10"), VALUES[8], Decimal("9999.9999")], binary
            cur.execute("SELECT %s::numeric * 2, %s::numeric / 3", (Decimal("1.25"), Decimal("1")))
            m, d = cur.fetchone()
            assert str(m) == "2.50" and str(d) == "0.33333333333333333333", (binary, m, d)
        with conn.cursor(binary=True) as cur:
            # random values through the binary format both ways
            rnd = random.Random(5)
            for _ in range(200):
                digits = "".join(rnd.choice("0123456789") for _ in range(rnd.randint(1, 60)))
                point = rnd.randint(0, len(digits))
                text = ("-" if rnd.random() < 0.5 else "") + (digits[:point] or "0") + "." + (digits[point:] or "0")
                d = Decimal(text)
                cur.execute("SELECT %s::numeric, %s::numeric::text", (d, d))
                back, as_text = cur.fetchone()
                assert back == d and back.as_tuple().exponent == d.as_tuple().exponent, (d, back)
                assert Decimal(as_text) == d, (d, as_text)
        with conn.cursor() as cur:
            try:
                cur.execute("SELECT 1.5 / 0")
                raise AssertionError("division by zero accepted")
            except errors.DivisionByZero:
                pass
            try:
                cur.execute("SELECT %s::numeric(5,2)", (Decimal("12345.678"),))
                raise AssertionError("overflow accepted")
            except errors.NumericValueOutOfRange as e:
                assert e.diag.message_detail == ("A field with precision 5, scale 2 must round to an absolute "
                                                 "value less than 10^3."), e.diag.message_detail


def test_money_sum_does_not_drift(args):
    with connect3(args) as conn:
        conn.execute("DROP TABLE IF EXISTS num_ledger")
        conn.execute("CREATE TABLE num_ledger (id bigint PRIMARY KEY, amount numeric(12,2), qty bigint)")
        with conn.cursor() as cur:
            with cur.copy("COPY num_ledger FROM STDIN") as copy:
                for i in range(10000):
                    copy.write_row((i, Decimal("0.10") if i % 2 else Decimal("0.20"), 9223372036854775807 - i))
            cur.execute("SELECT sum(amount), avg(amount), sum(qty), count(*) FROM num_ledger")
            s, a, q, n = cur.fetchone()
            assert s == Decimal("1500.00") and str(s) == "1500.00", s
            assert str(a) == "0.15000000000000000000", a
            assert q == sum(9223372036854775807 - i for i in range(10000)), q
            assert n == 10000
            out = io.StringIO()
            with cur.copy("COPY (SELECT id, amount FROM num_ledger WHERE id < 3 ORDER BY id) TO STDOUT") as copy:
                for data in copy:
                    out.write(bytes(data).decode())
            assert out.getvalue() == "0\t0.20\n1\t0.10\n2\t0.20\n", out.getvalue()
            try:
                with cur.copy("COPY num_ledger FROM STDIN") as copy:
                    copy.write("20000\t1e11\t1\n")
                raise AssertionError("overflow accepted by COPY")
            except errors.NumericValueOutOfRange:
                pass


def test_copy_defaults_and_upsert(args):
    with connect3(args) as conn:
        conn.execute("DROP TABLE IF EXISTS num_defaults")
        conn.execute("CREATE TABLE num_defaults (id int PRIMARY KEY, price numeric(8,2) DEFAULT 1.005, "
                     "fee numeric DEFAULT 0.1 + 0.2, total numeric(12,3) DEFAULT 0)")
        with conn.cursor() as cur:
            # the columns COPY does not list take their (numeric) DEFAULTs
            with cur.copy("COPY num_defaults (id) FROM STDIN") as copy:
                for i in range(3):
                    copy.write_row((i,))
            with cur.copy("COPY num_defaults (id, fee) FROM STDIN") as copy:
                copy.write_row((3, Decimal("7.50")))
            cur.execute("SELECT id, price::text, fee::text, total::text FROM num_defaults ORDER BY id")
            assert cur.fetchall() == [(0, "1.01", "0.3", "0.000"), (1, "1.01", "0.3", "0.000"),
                                      (2, "1.01", "0.3", "0.000"), (3, "1.01", "7.50", "0.000")]
        for binary in (False, True):
            with conn.cursor(binary=binary) as cur:
                # upserts adding Decimal parameters (bound as numeric) to the stored row
                for i in range(4):
                    cur.execute("INSERT INTO num_defaults (id, total) VALUES (%s, %s) ON CONFLICT (id) DO UPDATE "
                                "SET total = num_defaults.total + excluded.total, fee = num_defaults.fee * 2",
                                (i, Decimal("0.0005") * (i + 1)))
        with conn.cursor() as cur:
            cur.execute("SELECT id, fee::text, total::text FROM num_defaults ORDER BY id")
            # 0.0005 * (i + 1) rounded to scale 3, twice; fee doubled twice
            assert cur.fetchall() == [(0, "1.2", "0.002"), (1, "1.2", "0.002"), (2, "1.2", "0.004"),
                                      (3, "30.00", "0.004")], "upsert totals"


def main():
    return run_main([test_psycopg2, test_psycopg3_text_and_binary, test_money_sum_does_not_drift,
                     test_copy_defaults_and_upsert])


if __name__ == "__main__":
    sys.exit(1 if main() else 0)
