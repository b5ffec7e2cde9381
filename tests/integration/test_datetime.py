"""Date/time types through real drivers: psycopg2 (text results parsed into datetime objects with tzinfo),
psycopg 3 in text and binary formats (server-side parameters typed date/timestamptz/interval, inferred
parameter types), the session TimeZone and its ParameterStatus, and node-pg (JS Date objects).

    /usr/bin/python3 tests/integration/test_datetime.py --server-bin build/omendb
    /usr/bin/python3 tests/integration/test_datetime.py --host 127.0.0.1 --port 5432 --user postgres --dbname postgres

The second form runs the same checks against a real PostgreSQL 15 (they pass there too).
"""

import datetime as dt
import json
import os
import shutil
import subprocess
import sys

import psycopg
import psycopg2
from psycopg import errors

from harness import HERE, run_main

UTC = dt.timezone.utc
ROWS = [
    (1, dt.datetime(2024, 3, 10, 6, 30, tzinfo=UTC), dt.date(2024, 2, 29), dt.time(23, 59, 59, 999999),
     dt.datetime(2024, 3, 10, 2, 30), dt.timedelta(days=1, hours=2, microseconds=5)),
    (1, dt.datetime(2024, 11, 3, 5, 30, 0, 250000, tzinfo=UTC), dt.date(1999, 12, 31), dt.time(0, 0),
     dt.datetime(1970, 1, 1), dt.timedelta(hours=-1)),
    (2, dt.datetime(2038, 1, 19, 3, 14, 8, tzinfo=UTC), None, None, None, None),
]


def setup(args, table):
    with psycopg.connect(host=args.host, port=args.port, user=args.user, dbname=args.dbname,
                         autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS %s" % table)
        conn.execute("CREATE TABLE %s (device INT, ts TIMESTAMPTZ, d DATE, t TIME, lt TIMESTAMP, iv INTERVAL, "
                      "PRIMARY KEY (device, ts))" % table)


def test_psycopg2(args):
    setup(args, "dt_pg2")
    conn = psycopg2.connect(host=args.host, port=args.port, user=args.user, dbname=args.dbname)
    conn.autocommit = True
    cur = conn.cursor()
    # psycopg2 sends parameters as literals: '...'::timestamptz, '...'::date, '... seconds'::interval
    cur.executemany("INSERT INTO dt_pg2 VALUES (%s, %s, %s, %s, %s, %s)", ROWS)
    cur.execute("SELECT device, ts, d, t, lt, iv FROM dt_pg2 ORDER BY device, ts")
    got = cur.fetchall()
    assert got == ROWS, got
    assert got[0][1].utcoffset() == dt.timedelta(0), got[0][1]
    # the session zone changes the text, hence the tzinfo psycopg2 builds, not the instant
    cur.execute("SET TIME ZONE 'America/New_York'")
    assert conn.get_parameter_status("TimeZone") == "America/New_York", conn.get_parameter_status("TimeZone")
    cur.execute("SELECT ts FROM dt_pg2 WHERE device = 1 ORDER BY ts")
    a, b = [r[0] for r in cur.fetchall()]
    assert a == ROWS[0][1] and a.utcoffset() == dt.timedelta(hours=-5), a  # 01:30 EST, before the gap
    assert b == ROWS[1][1] and b.utcoffset() == dt.timedelta(hours=-4), b  # 01:30 EDT, before the overlap
    cur.execute("SELECT %s::timestamptz - %s::timestamptz", ["2024-03-11 00:00", "2024-03-10 00:00"])
    assert cur.fetchone()[0] == dt.timedelta(hours=23)
    # a range over the (device, ts) key with a datetime parameter
    cur.execute("SELECT count(*) FROM dt_pg2 WHERE device = 1 AND ts >= %s AND ts < %s",
                [dt.datetime(2024, 3, 1, tzinfo=UTC), dt.datetime(2024, 4, 1, tzinfo=UTC)])
    assert cur.fetchone() == (1,)
    try:
        cur.execute("SELECT '2024-02-30'::date")
        raise AssertionError("no error")
    except psycopg2.Error as e:
        assert e.pgcode == "22008", e.pgcode
    conn.close()


def connect3(args, **kw):
    return psycopg.connect(host=args.host, port=args.port, user=args.user, dbname=args.dbname, autocommit=True,
                           **kw)


def test_psycopg3_text_and_binary(args):
    setup(args, "dt_pg3")
    with connect3(args) as conn:
        for binary in (False, True):
            conn.execute("DELETE FROM dt_pg3")
            cur = conn.cursor(binary=binary)
            # server-side parameters: psycopg 3 types them (timestamptz 1184, date 1082, interval 1186 ...),
            # in binary format when binary=True
            cur.executemany("INSERT INTO dt_pg3 VALUES (%s, %s, %s, %s, %s, %s)", ROWS)
            cur.execute("SELECT device, ts, d, t, lt, iv FROM dt_pg3 ORDER BY device, ts")
            got = cur.fetchall()
            assert got == ROWS, (binary, got)
            assert [d.type_code for d in cur.description] == [23, 1184, 1082, 1083, 1114, 1186], cur.description
            # an untyped string parameter compared with a timestamptz column is inferred as timestamptz
            cur.execute("SELECT count(*) FROM dt_pg3 WHERE ts > %s", ["2024-06-01 00:00+00"])
            assert cur.fetchone() == (2,), binary
            # infinities and the interval parts that timedelta cannot hold
            cur.execute("SELECT 'infinity'::date = %s::date", [dt.date(2024, 1, 1)])
            assert cur.fetchone() == (False,)
            cur.execute("SELECT time_bucket('15 minutes', %s::timestamptz)" if args.omendb else
                        "SELECT date_bin('15 minutes', %s::timestamptz, '2000-01-03 00:00+00')",
                        [dt.datetime(2024, 1, 1, 10, 37, tzinfo=UTC)])
            assert cur.fetchone()[0] == dt.datetime(2024, 1, 1, 10, 30, tzinfo=UTC)
        conn.execute("SET TIME ZONE 'Asia/Kolkata'")
        assert conn.info.parameter_status("TimeZone") == "Asia/Kolkata"
        row = conn.execute("SELECT ts, ts::timestamp FROM dt_pg3 WHERE device = 2").fetchone()
        assert row[0] == ROWS[2][1] and row[0].utcoffset() == dt.timedelta(hours=5, minutes=30), row
        assert row[1] == dt.datetime(2038, 1, 19, 8, 44, 8), row
        conn.execute("RESET timezone")
        with conn.cursor(binary=True) as cur:
            try:
                cur.execute("SELECT %s::timestamp", ["not a time"])
                raise AssertionError("no error")
            except errors.InvalidDatetimeFormat:
                pass


def test_node_pg(args):
    node_dir = os.path.join(HERE, "node")
    if not shutil.which("node") or not os.path.isdir(os.path.join(node_dir, "node_modules", "pg")):
        print("skipped: node or the pg package is missing (scripts/setup.sh)")
        return
    script = r"""
const { Client } = require('pg');
(async () => {
  const c = new Client();
  await c.connect();
  await c.query("SET TIME ZONE 'Europe/Berlin'");
  const r = await c.query("SELECT $1::timestamptz AS ts, '2024-07-01 12:00+00'::timestamptz AS at, " +
                          "'1 day 02:00:00'::interval AS iv, '2024-02-29'::date::text AS d",
                          [new Date(Date.UTC(2024, 0, 1, 10, 30))]);
  const row = r.rows[0];
  console.log(JSON.stringify({ts: row.ts.getTime(), at: row.at.getTime(), days: row.iv.days,
                              hours: row.iv.hours, d: row.d}));
  await c.end();
})().catch((e) => { console.error(e); process.exit(1); });
"""
    env = dict(os.environ, PGHOST=args.host, PGPORT=str(args.port), PGUSER=args.user, PGDATABASE=args.dbname)
    r = subprocess.run(["node", "-e", script], cwd=node_dir, env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout.strip().splitlines()[-1])
    assert got["ts"] == int(dt.datetime(2024, 1, 1, 10, 30, tzinfo=UTC).timestamp() * 1000), got
    assert got["at"] == int(dt.datetime(2024, 7, 1, 12, 0, tzinfo=UTC).timestamp() * 1000), got
    assert got["days"] == 1 and got["hours"] == 2, got
    assert got["d"] == "2024-02-29", got


def main():
    return run_main([test_psycopg2, test_psycopg3_text_and_binary, test_node_pg])


if __name__ == "__main__":
    sys.exit(1 if main() else 0)
