#!/usr/bin/python3
"""UNIQUE constraints and unique indexes under concurrency, as PostgreSQL 15 behaves (docs/schema.md).

  * error_fields: 23505's message, DETAIL and the schema / table / constraint fields of the ErrorResponse
    (psycopg2's e.diag), for an insert, for a unique index build over duplicates, and for the primary key;
  * races: 16 sessions insert overlapping keys of a UNIQUE column (autocommit and in transactions that
    insert several keys, in random order) while a reader checks, in one snapshot, that no value is ever
    there twice; at the end exactly one row per key committed, every other attempt failed with 23505 (or
    40P01 for a transaction that deadlocked on two keys), and the numbers of winners add up;
  * waits: a second session inserting a value another session inserted but has not committed waits; after
    a COMMIT it fails with 23505, after a ROLLBACK it succeeds; the same for an UPDATE onto the value, and
    for a DELETE of the value's row (the inserter waits, then succeeds after the COMMIT);
  * upsert_race: 16 sessions upsert `n = n + 1` through a UNIQUE arbiter (no primary key): exact sums;
  * restart: the constraints and their enforcement survive kill -9.

`--host/--port` runs everything but `restart` against a running server: PostgreSQL 15 passes it too."""

import os
import random
import sys
import threading

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, check_waits, expect_error, fresh, in_thread, run_main_connected, scalar  # noqa: E402

SESSIONS = 16
KEYS = 40


def test_error_fields(connect):
    c = fresh(connect, "uf", "CREATE TABLE uf (id INT PRIMARY KEY, a INT, b TEXT, UNIQUE (a, b))")
    c.cursor().execute("INSERT INTO uf VALUES (1, 1, 'x')")
    e = expect_error(c, "INSERT INTO uf VALUES (2, 1, 'x')", "23505")
    assert e.diag.message_primary == 'duplicate key value violates unique constraint "uf_a_b_key"', e.diag.message_primary
    assert e.diag.message_detail == "Key (a, b)=(1, x) already exists.", e.diag.message_detail
    assert (e.diag.schema_name, e.diag.table_name, e.diag.constraint_name) == ("public", "uf", "uf_a_b_key"), \
        (e.diag.schema_name, e.diag.table_name, e.diag.constraint_name)
    e = expect_error(c, "INSERT INTO uf VALUES (1, 2, 'y')", "23505")
    assert e.diag.message_detail == "Key (id)=(1) already exists.", e.diag.message_detail
    assert e.diag.constraint_name == "uf_pkey", e.diag.constraint_name
    c.cursor().execute("INSERT INTO uf VALUES (3, 3, 'x'), (4, 3, 'y')")
    e = expect_error(c, "CREATE UNIQUE INDEX uf_a ON uf (a)", "23505")
    assert e.diag.message_primary == 'could not create unique index "uf_a"', e.diag.message_primary
    assert e.diag.message_detail == "Key (a)=(3) is duplicated.", e.diag.message_detail
    e = expect_error(c, "ALTER TABLE uf ADD UNIQUE (a)", "23505")
    assert e.diag.message_primary == 'could not create unique index "uf_a_key"', e.diag.message_primary
    e = expect_error(c, "UPDATE uf SET a = 3, b = 'x' WHERE id = 1", "23505")
    assert e.diag.message_detail == "Key (a, b)=(3, x) already exists.", e.diag.message_detail
    c.cursor().execute("DROP TABLE uf")
    c.close()


def test_races(connect):
    admin = fresh(connect, "ur", "CREATE TABLE ur (id SERIAL PRIMARY KEY, k INT UNIQUE, who INT)")
    stop = threading.Event()
    stats = {"won": 0, "dup": 0, "deadlock": 0, "other": []}
    lock = threading.Lock()

    def session(seed):
        rnd = random.Random(seed)
        c = connect(True)
        cur = c.cursor()
        keys = list(range(KEYS))
        rnd.shuffle(keys)
        i = 0
        while i < len(keys):
            try:
                if rnd.random() < 0.5:
                    cur.execute("INSERT INTO ur (k, who) VALUES (%s, %s)", (keys[i], seed))
                    won = 1
                    i += 1
                else:  # a transaction of two inserts; either both commit or neither
                    batch = keys[i:i + 2]
                    cur.execute("BEGIN")
                    for k in batch:
                        cur.execute("INSERT INTO ur (k, who) VALUES (%s, %s)", (k, seed))
                    cur.execute("COMMIT")
                    won = len(batch)
                    i += len(batch)
                with lock:
                    stats["won"] += won
            except psycopg2.Error as e:
                cur.execute("ROLLBACK")  # ends the failed BEGIN ... block (a warning otherwise)
                with lock:
                    if e.pgcode == "23505":
                        stats["dup"] += 1
                    elif e.pgcode == "40P01":
                        stats["deadlock"] += 1
                    else:
                        stats["other"].append((e.pgcode, str(e)))
                i += 1  # a lost key (or the first of a lost pair) is not tried again
        c.close()

    def reader():
        c = connect(True)
        cur = c.cursor()
        checks = 0
        while not stop.is_set() or checks == 0:
            cur.execute("SELECT k, count(*) FROM ur GROUP BY k HAVING count(*) > 1")
            rows = cur.fetchall()
            assert not rows, "a value is there twice: %s" % rows
            checks += 1
        c.close()
        return checks

    rt, rout = in_thread(reader)
    threads = [threading.Thread(target=session, args=(s,)) for s in range(SESSIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    stop.set()
    rt.join(30)
    assert not any(t.is_alive() for t in threads), "a session did not finish"
    assert "error" not in rout, "reader: %s" % rout.get("error")
    assert not stats["other"], "unexpected errors: %s" % stats["other"][:5]
    rows = admin.cursor()
    rows.execute("SELECT k, count(*) FROM ur GROUP BY k ORDER BY k")
    got = rows.fetchall()
    assert all(n == 1 for _, n in got), "duplicates stored: %s" % [r for r in got if r[1] != 1]
    keys = [k for k, _ in got]
    # Every key is taken by someone: a session skips a key only after losing it (23505) or when its pair
    # deadlocked; a key whose every attempt deadlocked could stay free, so check the count adds up.
    assert stats["won"] == len(keys), "winners %d != stored keys %d" % (stats["won"], len(keys))
    assert stats["dup"] > 0, "no session ever lost a race: the test did not race"
    assert len(keys) >= KEYS - stats["deadlock"] * 2, (len(keys), stats)
    assert scalar(admin, "SELECT count(*) FROM ur") == len(keys)
    print("      races: %d keys, %d won, %d x 23505, %d x 40P01, %d reader checks"
          % (len(keys), stats["won"], stats["dup"], stats["deadlock"], rout.get("value", 0)), flush=True)
    admin.cursor().execute("DROP TABLE ur")
    admin.close()


def test_waits(connect):
    admin = fresh(connect, "uw", "CREATE TABLE uw (id INT PRIMARY KEY, k INT UNIQUE)")
    admin.cursor().execute("INSERT INTO uw VALUES (100, 100)")
    cases = [
        # (first session's statement, second session's statement, outcome of the first, expected second)
        ("INSERT INTO uw VALUES (1, 1)", "INSERT INTO uw VALUES (2, 1)", "commit", "23505"),
        ("INSERT INTO uw VALUES (3, 3)", "INSERT INTO uw VALUES (4, 3)", "rollback", "ok"),
        ("INSERT INTO uw VALUES (5, 5)", "UPDATE uw SET k = 5 WHERE id = 100", "commit", "23505"),
        ("INSERT INTO uw VALUES (6, 6)", "UPDATE uw SET k = 6 WHERE id = 100", "rollback", "ok"),
        ("DELETE FROM uw WHERE k = 6", "INSERT INTO uw VALUES (7, 6)", "commit", "ok"),
        ("DELETE FROM uw WHERE k = 6", "INSERT INTO uw VALUES (8, 6)", "commit", "ok"),
        ("UPDATE uw SET k = 9 WHERE id = 8", "INSERT INTO uw VALUES (10, 6)", "rollback", "23505"),
        ("INSERT INTO uw VALUES (11, 11)", "INSERT INTO uw VALUES (12, 11) ON CONFLICT (k) DO NOTHING",
         "rollback", "ok"),
        ("INSERT INTO uw VALUES (13, 13)", "INSERT INTO uw VALUES (14, 13) ON CONFLICT (k) DO UPDATE SET id = 15",
         "commit", "ok"),
    ]
    check_waits(connect, cases)
    cur = admin.cursor()
    cur.execute("SELECT id, k FROM uw ORDER BY id")
    got = cur.fetchall()
    want = [(1, 1), (4, 3), (5, 5), (8, 6), (12, 11), (15, 13)]
    assert got == want, "rows %s, want %s" % (got, want)
    admin.cursor().execute("DROP TABLE uw")
    admin.close()


def test_upsert_race(connect):
    admin = fresh(connect, "uu", "CREATE TABLE uu (name TEXT, n INT, CONSTRAINT uu_name UNIQUE (name))")
    per = 40
    errors = []

    def session(seed):
        rnd = random.Random(seed)
        c = connect(True)
        cur = c.cursor()
        try:
            for _ in range(per):
                cur.execute("INSERT INTO uu VALUES (%s, 1) ON CONFLICT ON CONSTRAINT uu_name DO UPDATE SET n = uu.n + 1",
                            ("k%d" % rnd.randrange(5),))
        except psycopg2.Error as e:
            errors.append((e.pgcode, str(e)))
        c.close()

    threads = [threading.Thread(target=session, args=(s,)) for s in range(SESSIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors[:5]
    assert scalar(admin, "SELECT sum(n) FROM uu") == SESSIONS * per
    cur = admin.cursor()
    cur.execute("SELECT name FROM uu")
    names = [r[0] for r in cur.fetchall()]
    assert len(names) == len(set(names)) and len(names) <= 5, names
    admin.cursor().execute("DROP TABLE uu")
    admin.close()


def test_restart(server_bin):
    with Server(server_bin) as srv:
        c = psycopg2.connect(host="127.0.0.1", port=srv.port, user="postgres", dbname="postgres")
        c.autocommit = True
        cur = c.cursor()
        cur.execute("CREATE TABLE ux (id INT PRIMARY KEY, a INT UNIQUE, b INT, c INT)")
        cur.execute("ALTER TABLE ux ADD CONSTRAINT ux_bc UNIQUE NULLS NOT DISTINCT (b, c)")
        cur.execute("CREATE UNIQUE INDEX ux_c ON ux (c)")
        cur.execute("INSERT INTO ux VALUES (1, 1, NULL, NULL), (2, 2, 1, 2)")
        c.close()
        srv.kill()
        srv.start()
        c = psycopg2.connect(host="127.0.0.1", port=srv.port, user="postgres", dbname="postgres")
        c.autocommit = True
        cur = c.cursor()
        expect_error(c, "INSERT INTO ux VALUES (3, 1, 5, 5)", "23505")
        expect_error(c, "INSERT INTO ux VALUES (3, 3, NULL, NULL)", "23505")
        expect_error(c, "INSERT INTO ux VALUES (3, 3, 7, 2)", "23505")
        cur.execute("INSERT INTO ux VALUES (3, 3, 7, 3)")
        cur.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'u' ORDER BY 1")
        got = cur.fetchall()
        assert got == [("ux_a_key", "UNIQUE (a)"), ("ux_bc", "UNIQUE NULLS NOT DISTINCT (b, c)")], got
        c.close()


def main():
    return run_main_connected([test_error_fields, test_races, test_waits, test_upsert_race],
                              [test_restart])


if __name__ == "__main__":
    sys.exit(main())
