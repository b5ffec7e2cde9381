#!/usr/bin/python3
"""CHECK and FOREIGN KEY constraints through a real client, as PostgreSQL 15 behaves (docs/schema.md).

  * check_fields: 23514's message, DETAIL ("Failing row contains (...)", long values cut at 64 bytes) and
    the schema / table / constraint fields of the ErrorResponse (psycopg2's e.diag), for INSERT, UPDATE,
    ON CONFLICT DO UPDATE and COPY; 23514 for ALTER TABLE ADD CHECK over a row that breaks it;
  * fk_fields: 23503's messages and DETAILs for the referencing and the referenced side;
  * fk_waits: a child insert and a parent delete of the same key in two sessions: the second waits for the
    first; after its COMMIT it fails with 23503, after its ROLLBACK it succeeds;
  * fk_race: 16 sessions insert children of random parents while others delete random parents, in
    autocommit and in transactions; at the end no child row lacks its parent (no orphan);
  * pkey_names: a primary key's own name (CONSTRAINT zz PRIMARY KEY, ADD CONSTRAINT zz PRIMARY KEY) in
    23505's message and fields, in ON CONFLICT ON CONSTRAINT, kept when the table is renamed;
  * restart: the constraints and their enforcement survive kill -9 (and primary keys' names).

`--host/--port` runs everything but `restart` against a running server: PostgreSQL 15 passes it too."""

import io
import os
import random
import sys
import threading
import time

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, check_waits, fresh, run_main_connected, scalar  # noqa: E402

SESSIONS = 16
PARENTS = 30


def expect_sqlstate(conn, sql, sqlstate, args=None):
    try:
        conn.cursor().execute(sql, args)
    except psycopg2.Error as e:
        assert e.pgcode == sqlstate, "%s: expected %s, got %s %s" % (sql, sqlstate, e.pgcode, e)
        return e
    raise AssertionError("%s: expected %s, it succeeded" % (sql, sqlstate))


def fields(e):
    return (e.diag.schema_name, e.diag.table_name, e.diag.constraint_name)


def test_check_fields(connect):
    c = fresh(connect, ["ckf"], "CREATE TABLE ckf (id INT PRIMARY KEY, a INT CHECK (a > 0), b TEXT, "
                                "CONSTRAINT b_allowed CHECK (b <> 'forbidden'))")
    e = expect_sqlstate(c, "INSERT INTO ckf VALUES (1, -1, 'x')", "23514")
    assert e.diag.message_primary == 'new row for relation "ckf" violates check constraint "ckf_a_check"', \
        e.diag.message_primary
    assert e.diag.message_detail == "Failing row contains (1, -1, x).", e.diag.message_detail
    assert fields(e) == ("public", "ckf", "ckf_a_check"), fields(e)
    e = expect_sqlstate(c, "INSERT INTO ckf VALUES (1, 1, 'forbidden')", "23514")
    assert e.diag.constraint_name == "b_allowed", e.diag.constraint_name
    e = expect_sqlstate(c, "INSERT INTO ckf VALUES (1, -1, %s)", "23514", ("y" * 120,))
    assert e.diag.message_detail == "Failing row contains (1, -1, %s...)." % ("y" * 64), e.diag.message_detail
    # NOT NULL is checked first, as PostgreSQL does
    e = expect_sqlstate(c, "INSERT INTO ckf VALUES (NULL, -1, 'x')", "23502")
    c.cursor().execute("INSERT INTO ckf VALUES (1, 1, 'x'), (2, NULL, NULL)")
    e = expect_sqlstate(c, "UPDATE ckf SET a = a - 1", "23514")
    assert e.diag.message_detail == "Failing row contains (1, 0, x).", e.diag.message_detail
    e = expect_sqlstate(c, "INSERT INTO ckf VALUES (1, 5, 'z') ON CONFLICT (id) DO UPDATE SET a = -excluded.a",
                        "23514")
    assert e.diag.message_detail == "Failing row contains (1, -5, x).", e.diag.message_detail
    # COPY checks every row; the error names the line
    cur = c.cursor()
    try:
        cur.copy_expert("COPY ckf FROM STDIN", io.StringIO("3\t3\tok\n4\t-4\tbad\n"))
        raise AssertionError("COPY of a row breaking a CHECK succeeded")
    except psycopg2.Error as e:
        assert e.pgcode == "23514", (e.pgcode, str(e))
        assert e.diag.message_detail == "Failing row contains (4, -4, bad).", e.diag.message_detail
        assert e.diag.constraint_name == "ckf_a_check", e.diag.constraint_name
        assert "line 2" in (e.diag.context or ""), e.diag.context
    cur.copy_expert("COPY ckf FROM STDIN", io.StringIO("3\t3\tok\n4\t\\N\tnull passes\n"))
    assert scalar(c, "SELECT count(*) FROM ckf") == 4
    e = expect_sqlstate(c, "ALTER TABLE ckf ADD CONSTRAINT a_small CHECK (a < 3)", "23514")
    assert e.diag.message_primary == 'check constraint "a_small" of relation "ckf" is violated by some row', \
        e.diag.message_primary
    assert fields(e) == ("public", "ckf", "a_small"), fields(e)
    c.cursor().execute("DROP TABLE ckf")
    c.close()


def test_not_null_fields(connect):
    """23502 names the column too (psycopg2's e.diag.column_name): INSERT, UPDATE, COPY, and ALTER TABLE
    ... SET NOT NULL over a NULL."""
    c = fresh(connect, ["nnf"], "CREATE TABLE nnf (id INT PRIMARY KEY, a INT NOT NULL, b TEXT)")
    c.autocommit = True
    for sql in ("INSERT INTO nnf VALUES (1, NULL, 'x')", "INSERT INTO nnf (id) VALUES (2)"):
        e = expect_sqlstate(c, sql, "23502")
        assert (e.diag.schema_name, e.diag.table_name, e.diag.column_name) == ("public", "nnf", "a"), \
            (sql, e.diag.schema_name, e.diag.table_name, e.diag.column_name)
        assert e.diag.message_primary == 'null value in column "a" of relation "nnf" violates not-null constraint'
    c.cursor().execute("INSERT INTO nnf VALUES (3, 3, NULL)")
    e = expect_sqlstate(c, "UPDATE nnf SET a = NULL WHERE id = 3", "23502")
    assert (e.diag.table_name, e.diag.column_name) == ("nnf", "a"), (e.diag.table_name, e.diag.column_name)
    try:
        c.cursor().copy_expert("COPY nnf FROM STDIN", io.StringIO("4\t\\N\tz\n"))
        raise AssertionError("COPY of a NULL into a NOT NULL column succeeded")
    except psycopg2.Error as e:
        assert e.pgcode == "23502" and e.diag.column_name == "a", (e.pgcode, e.diag.column_name)
    e = expect_sqlstate(c, "ALTER TABLE nnf ALTER COLUMN b SET NOT NULL", "23502")
    assert (e.diag.schema_name, e.diag.table_name, e.diag.column_name) == ("public", "nnf", "b"), \
        (e.diag.schema_name, e.diag.table_name, e.diag.column_name)
    assert e.diag.message_primary == 'column "b" of relation "nnf" contains null values', e.diag.message_primary


def test_fk_fields(connect):
    c = fresh(connect, ["fkc", "fkp"], "CREATE TABLE fkp (a INT, b INT, PRIMARY KEY (a, b))",
              "CREATE TABLE fkc (x INT, y INT, FOREIGN KEY (x, y) REFERENCES fkp)")
    e = expect_sqlstate(c, "INSERT INTO fkc VALUES (1, 2)", "23503")
    assert e.diag.message_primary == 'insert or update on table "fkc" violates foreign key constraint "fkc_x_y_fkey"', \
        e.diag.message_primary
    assert e.diag.message_detail == 'Key (x, y)=(1, 2) is not present in table "fkp".', e.diag.message_detail
    assert fields(e) == ("public", "fkc", "fkc_x_y_fkey"), fields(e)
    c.cursor().execute("INSERT INTO fkp VALUES (1, 2)")
    c.cursor().execute("INSERT INTO fkc VALUES (1, 2), (1, NULL)")
    e = expect_sqlstate(c, "DELETE FROM fkp", "23503")
    assert e.diag.message_primary == \
        'update or delete on table "fkp" violates foreign key constraint "fkc_x_y_fkey" on table "fkc"', \
        e.diag.message_primary
    assert e.diag.message_detail == 'Key (a, b)=(1, 2) is still referenced from table "fkc".', e.diag.message_detail
    assert fields(e) == ("public", "fkc", "fkc_x_y_fkey"), fields(e)
    e = expect_sqlstate(c, "DROP TABLE fkp", "2BP01")
    assert e.diag.message_detail == "constraint fkc_x_y_fkey on table fkc depends on table fkp", e.diag.message_detail
    c.cursor().execute("DROP TABLE fkc")
    c.cursor().execute("DROP TABLE fkp")
    c.close()


def test_fk_waits(connect):
    admin = fresh(connect, ["fwc", "fwp"], "CREATE TABLE fwp (id INT PRIMARY KEY, u INT UNIQUE)",
                  "CREATE TABLE fwc (id INT PRIMARY KEY, p INT REFERENCES fwp, q INT REFERENCES fwp (u))")
    admin.cursor().execute("INSERT INTO fwp SELECT i, i FROM (VALUES (1), (2), (3), (4), (5), (6), (7), (8)) v(i)")
    cases = [
        # (first session's statement, second session's statement, outcome of the first, expected second)
        ("INSERT INTO fwc VALUES (1, 1, NULL)", "DELETE FROM fwp WHERE id = 1", "commit", "23503"),
        ("INSERT INTO fwc VALUES (2, 2, NULL)", "DELETE FROM fwp WHERE id = 2", "rollback", "ok"),
        ("DELETE FROM fwp WHERE id = 3", "INSERT INTO fwc VALUES (3, 3, NULL)", "commit", "23503"),
        ("DELETE FROM fwp WHERE id = 4", "INSERT INTO fwc VALUES (4, 4, NULL)", "rollback", "ok"),
        ("INSERT INTO fwc VALUES (5, NULL, 5)", "UPDATE fwp SET u = 50 WHERE id = 5", "commit", "23503"),
        ("UPDATE fwp SET u = 60 WHERE id = 6", "INSERT INTO fwc VALUES (6, NULL, 6)", "commit", "23503"),
        ("UPDATE fwp SET u = 70 WHERE id = 7", "INSERT INTO fwc VALUES (7, NULL, 7)", "rollback", "ok"),
    ]
    check_waits(connect, cases)
    cur = admin.cursor()
    cur.execute("SELECT id, p, q FROM fwc ORDER BY id")
    got = cur.fetchall()
    want = [(1, 1, None), (4, 4, None), (5, None, 5), (7, None, 7)]
    assert got == want, "children %s, want %s" % (got, want)
    cur.execute("SELECT id, u FROM fwp ORDER BY id")
    got = cur.fetchall()
    want = [(1, 1), (4, 4), (5, 5), (6, 60), (7, 7), (8, 8)]
    assert got == want, "parents %s, want %s" % (got, want)
    admin.cursor().execute("DROP TABLE fwc")
    admin.cursor().execute("DROP TABLE fwp")
    admin.close()


def test_fk_cascade_waits(connect):
    """ON DELETE CASCADE against a concurrent child insert or change: no orphan, whichever commits first."""
    admin = fresh(connect, ["fcc", "fcp"], "CREATE TABLE fcp (id INT PRIMARY KEY)",
                  "CREATE TABLE fcc (id INT PRIMARY KEY, p INT REFERENCES fcp ON DELETE CASCADE, v INT)")
    admin.cursor().execute("INSERT INTO fcp VALUES (1), (2), (3), (4), (5)")
    admin.cursor().execute("INSERT INTO fcc VALUES (40, 4, 0), (50, 5, 0)")
    cases = [
        # the child committed first: the cascade deletes it too
        ("INSERT INTO fcc VALUES (1, 1, 0)", "DELETE FROM fcp WHERE id = 1", "commit", "ok"),
        # the cascade committed first: the child has no parent
        ("DELETE FROM fcp WHERE id = 2", "INSERT INTO fcc VALUES (2, 2, 0)", "commit", "23503"),
        ("DELETE FROM fcp WHERE id = 3", "INSERT INTO fcc VALUES (3, 3, 0)", "rollback", "ok"),
        # a cascade and a write of the same child row conflict as writes do
        ("UPDATE fcc SET v = 1 WHERE id = 40", "DELETE FROM fcp WHERE id = 4", "commit", "ok"),
        ("DELETE FROM fcp WHERE id = 5", "UPDATE fcc SET v = 1 WHERE id = 50", "commit", "ok"),
    ]
    check_waits(connect, cases)
    cur = admin.cursor()
    cur.execute("SELECT id, p FROM fcc ORDER BY id")
    got = cur.fetchall()
    want = [(3, 3)]
    assert got == want, "children %s, want %s" % (got, want)
    cur.execute("SELECT id FROM fcp ORDER BY id")
    got = [r[0] for r in cur.fetchall()]
    assert got == [3], "parents %s" % got
    admin.cursor().execute("DROP TABLE fcc")
    admin.cursor().execute("DROP TABLE fcp")
    admin.close()


def test_fk_update_actions_wait(connect):
    """ON UPDATE CASCADE and ON DELETE SET NULL against concurrent child inserts and changes: no orphan."""
    admin = fresh(connect, ["fuc", "fup"], "CREATE TABLE fup (id INT PRIMARY KEY)",
                  "CREATE TABLE fuc (id INT PRIMARY KEY, "
                  "p INT REFERENCES fup ON UPDATE CASCADE ON DELETE SET NULL, v INT)")
    admin.cursor().execute("INSERT INTO fup VALUES (1), (2), (3), (4), (5)")
    admin.cursor().execute("INSERT INTO fuc VALUES (40, 4, 0), (50, 5, 0)")
    cases = [
        # the child committed first: the cascade renumbers it too
        ("INSERT INTO fuc VALUES (1, 1, 0)", "UPDATE fup SET id = 11 WHERE id = 1", "commit", "ok"),
        # the cascade committed first: the old key is gone
        ("UPDATE fup SET id = 12 WHERE id = 2", "INSERT INTO fuc VALUES (2, 2, 0)", "commit", "23503"),
        ("UPDATE fup SET id = 13 WHERE id = 3", "INSERT INTO fuc VALUES (3, 3, 0)", "rollback", "ok"),
        # an action and a write of the same child row conflict as writes do
        ("UPDATE fuc SET v = 1 WHERE id = 40", "DELETE FROM fup WHERE id = 4", "commit", "ok"),
        ("UPDATE fup SET id = 15 WHERE id = 5", "UPDATE fuc SET v = 1 WHERE id = 50", "commit", "ok"),
    ]
    check_waits(connect, cases)
    cur = admin.cursor()
    cur.execute("SELECT id, p, v FROM fuc ORDER BY id")
    got = cur.fetchall()
    want = [(1, 11, 0), (3, 3, 0), (40, None, 1), (50, 15, 1)]
    assert got == want, "children %s, want %s" % (got, want)
    cur.execute("SELECT id FROM fup ORDER BY id")
    got = [r[0] for r in cur.fetchall()]
    assert got == [3, 11, 12, 15], "parents %s" % got
    admin.cursor().execute("DROP TABLE fuc")
    admin.cursor().execute("DROP TABLE fup")
    admin.close()


def test_fk_race(connect):
    admin = fresh(connect, ["frc", "frp"], "CREATE TABLE frp (id INT PRIMARY KEY)",
                  "CREATE TABLE frc (id SERIAL PRIMARY KEY, p INT NOT NULL REFERENCES frp)")
    admin.cursor().execute("INSERT INTO frp VALUES " + ", ".join("(%d)" % i for i in range(PARENTS)))
    stop = threading.Event()
    stats = {"child": 0, "deleted": 0, "fk": 0, "retry": 0, "other": []}
    lock = threading.Lock()

    def failed(e):
        with lock:
            if e.pgcode == "23503":
                stats["fk"] += 1
            elif e.pgcode in ("40001", "40P01"):
                stats["retry"] += 1
            else:
                stats["other"].append((e.pgcode, str(e)))

    def inserter(seed):
        rnd = random.Random(seed)
        c = connect(True)
        cur = c.cursor()
        while not stop.is_set():
            try:
                r = rnd.random()
                if r < 0.3:  # children go too: their parents can be deleted again
                    cur.execute("DELETE FROM frc WHERE p = %s", (rnd.randrange(PARENTS),))
                    n = -cur.rowcount
                elif r < 0.65:
                    cur.execute("INSERT INTO frc (p) VALUES (%s)", (rnd.randrange(PARENTS),))
                    n = 1
                else:
                    cur.execute("BEGIN")
                    for _ in range(2):
                        cur.execute("INSERT INTO frc (p) VALUES (%s)", (rnd.randrange(PARENTS),))
                    time.sleep(rnd.random() * 0.01)
                    cur.execute("COMMIT")
                    n = 2
                with lock:
                    stats["child"] += n
            except psycopg2.Error as e:
                cur.execute("ROLLBACK")
                failed(e)
        c.close()

    def deleter(seed):
        rnd = random.Random(seed)
        c = connect(True)
        cur = c.cursor()
        while not stop.is_set():
            k = rnd.randrange(PARENTS)
            try:
                if rnd.random() < 0.5:
                    cur.execute("DELETE FROM frp WHERE id = %s", (k,))
                    n = cur.rowcount
                else:
                    cur.execute("BEGIN")
                    cur.execute("DELETE FROM frp WHERE id = %s", (k,))
                    n = cur.rowcount
                    time.sleep(rnd.random() * 0.01)
                    cur.execute("COMMIT")
                with lock:
                    stats["deleted"] += max(n, 0)
            except psycopg2.Error as e:
                cur.execute("ROLLBACK")
                failed(e)
            # deleted parents come back (ignored when present): the race goes on over all keys
            try:
                cur.execute("INSERT INTO frp VALUES (%s) ON CONFLICT DO NOTHING", (rnd.randrange(PARENTS),))
            except psycopg2.Error as e:
                failed(e)
        c.close()

    threads = [threading.Thread(target=inserter, args=(s,)) for s in range(SESSIONS // 2)]
    threads += [threading.Thread(target=deleter, args=(100 + s,)) for s in range(SESSIONS // 2)]
    for t in threads:
        t.start()
    time.sleep(8)
    stop.set()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "a session did not finish"
    assert not stats["other"], "unexpected errors: %s" % stats["other"][:5]
    orphans = scalar(admin, "SELECT count(*) FROM frc LEFT JOIN frp ON frp.id = frc.p WHERE frp.id IS NULL")
    assert orphans == 0, "%d children without their parent" % orphans
    assert stats["fk"] > 0 and stats["deleted"] > 0, "no 23503 or no parent deleted: the test did not race: %s" % stats
    assert scalar(admin, "SELECT count(*) FROM frc") == stats["child"], \
        (scalar(admin, "SELECT count(*) FROM frc"), stats)
    print("      fk_race: %d children, %d parents deleted, %d x 23503, %d retries"
          % (stats["child"], stats["deleted"], stats["fk"], stats["retry"]), flush=True)
    admin.cursor().execute("DROP TABLE frc")
    admin.cursor().execute("DROP TABLE frp")
    admin.close()


def test_pkey_names(connect):
    c = fresh(connect, ["pkn", "pkn2", "pkn3", "pkn3r"],
              "CREATE TABLE pkn (id INT, v INT, CONSTRAINT pkn_key PRIMARY KEY (id))")
    cur = c.cursor()
    cur.execute("INSERT INTO pkn VALUES (1, 1)")
    e = expect_sqlstate(c, "INSERT INTO pkn VALUES (1, 2)", "23505")
    assert e.diag.message_primary == 'duplicate key value violates unique constraint "pkn_key"', e.diag.message_primary
    assert e.diag.message_detail == "Key (id)=(1) already exists.", e.diag.message_detail
    assert fields(e) == ("public", "pkn", "pkn_key"), fields(e)
    cur.execute("INSERT INTO pkn VALUES (1, 5) ON CONFLICT ON CONSTRAINT pkn_key DO UPDATE SET v = excluded.v")
    e = expect_sqlstate(c, "INSERT INTO pkn VALUES (1, 5) ON CONFLICT ON CONSTRAINT pkn_pkey DO NOTHING", "42704")
    assert e.diag.message_primary == 'constraint "pkn_pkey" for table "pkn" does not exist', e.diag.message_primary
    # ADD CONSTRAINT ... PRIMARY KEY over duplicates names the key's index
    cur.execute("CREATE TABLE pkn2 (id INT, v INT)")
    cur.execute("INSERT INTO pkn2 VALUES (1, 1), (1, 2)")
    e = expect_sqlstate(c, "ALTER TABLE pkn2 ADD CONSTRAINT pkn2_named PRIMARY KEY (id)", "23505")
    assert e.diag.message_primary == 'could not create unique index "pkn2_named"', e.diag.message_primary
    cur.execute("DELETE FROM pkn2 WHERE v = 2")
    cur.execute("ALTER TABLE pkn2 ADD CONSTRAINT pkn2_named PRIMARY KEY (id)")
    e = expect_sqlstate(c, "INSERT INTO pkn2 VALUES (1, 3)", "23505")
    assert fields(e) == ("public", "pkn2", "pkn2_named"), fields(e)
    # a name another relation has: 42P07
    e = expect_sqlstate(c, "CREATE TABLE pkn3 (id INT CONSTRAINT pkn PRIMARY KEY)", "42P07")
    assert e.diag.message_primary == 'relation "pkn" already exists', e.diag.message_primary
    # renaming the table keeps its key's name (generated or given)
    cur.execute("CREATE TABLE pkn3 (id INT PRIMARY KEY)")
    cur.execute("ALTER TABLE pkn3 RENAME TO pkn3r")
    cur.execute("SELECT conname, (SELECT relname FROM pg_class WHERE oid = conindid) FROM pg_constraint "
                "WHERE conrelid = 'pkn3r'::regclass")
    assert cur.fetchall() == [("pkn3_pkey", "pkn3_pkey")]
    e = expect_sqlstate(c, "INSERT INTO pkn3r VALUES (1), (1)", "23505")
    assert e.diag.constraint_name == "pkn3_pkey", e.diag.constraint_name
    cur.execute("ALTER TABLE pkn3r DROP CONSTRAINT pkn3_pkey")
    cur.execute("ALTER TABLE pkn3r ADD PRIMARY KEY (id)")  # a generated name: the table's name now
    cur.execute("SELECT conname FROM pg_constraint WHERE conrelid = 'pkn3r'::regclass")
    assert cur.fetchall() == [("pkn3r_pkey",)]


def test_restart(server_bin):
    with Server(server_bin) as srv:
        c = srv.connect()
        cur = c.cursor()
        cur.execute("CREATE TABLE rp (id INT PRIMARY KEY, v INT CHECK (v <> 13))")
        cur.execute("CREATE TABLE rc (id INT PRIMARY KEY, p INT REFERENCES rp ON DELETE RESTRICT)")
        cur.execute("ALTER TABLE rc ADD CONSTRAINT rc_even CHECK (id % 2 = 0) NOT VALID")
        cur.execute("INSERT INTO rp VALUES (1, 1)")
        cur.execute("INSERT INTO rc VALUES (2, 1)")
        # an ON DELETE SET NULL column list (catalog format 8)
        cur.execute("CREATE TABLE kp (a INT, b INT, PRIMARY KEY (a, b))")
        cur.execute("CREATE TABLE kc (id INT PRIMARY KEY, a INT, b INT, "
                    "FOREIGN KEY (a, b) REFERENCES kp ON UPDATE CASCADE ON DELETE SET NULL (b))")
        cur.execute("INSERT INTO kp VALUES (1, 1), (1, 2)")
        cur.execute("INSERT INTO kc VALUES (1, 1, 1), (2, 1, 2)")
        # primary keys' own names (the catalog's 'K' trailer), and a renamed table's old key name
        cur.execute("CREATE TABLE nk (id INT CONSTRAINT nk_named PRIMARY KEY)")
        cur.execute("CREATE TABLE nk2 (id INT PRIMARY KEY)")
        cur.execute("ALTER TABLE nk2 RENAME TO nk2r")
        cur.execute("INSERT INTO nk VALUES (1)")
        c.close()
        srv.kill()
        srv.start()
        c = srv.connect()
        cur = c.cursor()
        expect_sqlstate(c, "INSERT INTO rp VALUES (2, 13)", "23514")
        expect_sqlstate(c, "INSERT INTO rc VALUES (4, 7)", "23503")
        expect_sqlstate(c, "INSERT INTO rc VALUES (3, 1)", "23514")
        expect_sqlstate(c, "DELETE FROM rp", "23503")
        cur.execute("DELETE FROM kp WHERE b = 1")
        cur.execute("UPDATE kp SET a = 5")
        cur.execute("SELECT id, a, b FROM kc ORDER BY id")
        got = cur.fetchall()
        assert got == [(1, 1, None), (2, 5, 2)], got
        cur.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype IN ('c', 'f') "
                    "ORDER BY 1")
        got = cur.fetchall()
        assert got == [("kc_a_b_fkey", "FOREIGN KEY (a, b) REFERENCES kp(a, b) ON UPDATE CASCADE ON DELETE SET NULL (b)"),
                       ("rc_even", "CHECK (((id % 2) = 0)) NOT VALID"),
                       ("rc_p_fkey", "FOREIGN KEY (p) REFERENCES rp(id) ON DELETE RESTRICT"),
                       ("rp_v_check", "CHECK ((v <> 13))")], got
        cur.execute("SELECT conname, conrelid::regclass::text FROM pg_constraint WHERE contype = 'p' ORDER BY 1")
        got = cur.fetchall()
        assert got == [("kc_pkey", "kc"), ("kp_pkey", "kp"), ("nk2_pkey", "nk2r"), ("nk_named", "nk"),
                       ("rc_pkey", "rc"), ("rp_pkey", "rp")], got
        e = expect_sqlstate(c, "INSERT INTO nk VALUES (1)", "23505")
        assert e.diag.constraint_name == "nk_named", e.diag.constraint_name
        c.close()


def main():
    return run_main_connected([test_check_fields, test_pkey_names, test_not_null_fields, test_fk_fields, test_fk_waits, test_fk_cascade_waits,
                               test_fk_update_actions_wait, test_fk_race],
                              [test_restart])


if __name__ == "__main__":
    sys.exit(main())
