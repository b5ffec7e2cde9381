#!/usr/bin/python3
"""Schemas over real connections (docs/schema.md, "Schemas"):

  * psql_describe: psql's \\dn, \\dt s.*, \\dt (what the search_path shows) and \\d s.t print a schema's
    tables as PostgreSQL does;
  * prepared: a prepared statement over an unqualified name is planned again when the search_path
    changes (it reads the table the name resolves to now, as PostgreSQL re-resolves); COPY s.t TO reads s.t
    whatever the path;
  * sessions: another session sees a schema only once it is committed; a concurrent CREATE SCHEMA of the
    same name waits for the first transaction, then fails with 42P06 (or succeeds after its rollback);
  * restart: schemas, their tables, rows, SERIAL sequences and indexes survive a clean restart and a
    kill -9; a schema created in a transaction open at the kill is gone.
"""

import os
import signal
import subprocess
import sys
import threading
import time

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, expect_error, parse_args, query, run_tests, scalar  # noqa: E402


def _psql(srv, *commands):
    env = dict(os.environ, PGCONNECT_TIMEOUT="10")
    cmd = ["/usr/bin/psql", "-X", "-h", "127.0.0.1", "-p", str(srv.port), "-U", "omendb", "-d", "omendb"]
    for c in commands:
        cmd += ["-c", c]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout


def psql_describe(args):
    if not os.access("/usr/bin/psql", os.X_OK):
        print("skipped: no psql")
        return
    with Server(args.server_bin) as srv:
        _psql(srv, "CREATE SCHEMA app", "CREATE TABLE app.items (id serial PRIMARY KEY, name text NOT NULL)",
              "CREATE INDEX items_name ON app.items (name)", "CREATE TABLE pub (a int)")
        dn = _psql(srv, "\\dn")
        rows = [[c.strip() for c in l.split("|")] for l in dn.splitlines() if "|" in l]
        assert ["app", "omendb"] in rows and ["public", "pg_database_owner"] in rows, dn
        dt = _psql(srv, "\\dt app.*")
        rows = [[c.strip() for c in l.split("|")] for l in dt.splitlines() if "| table |" in l]
        assert rows == [["app", "items", "table", "omendb"]], dt
        # Not on the search_path: \dt lists public's only; with app on it, both.
        dt = _psql(srv, "\\dt")
        assert "pub" in dt and "items" not in dt, dt
        dt = _psql(srv, "SET search_path TO app, public", "\\dt")
        assert "items" in dt and "pub" in dt, dt
        d = _psql(srv, "\\d app.items")
        assert 'Table "app.items"' in d, d
        assert "nextval('app.items_id_seq'::regclass)" in d, d
        assert '"items_pkey" PRIMARY KEY, btree (id)' in d, d
        assert '"items_name" btree (name)' in d, d


def prepared(args):
    with Server(args.server_bin) as srv:
        c = srv.connect()
        query(c, "CREATE SCHEMA s1")
        query(c, "CREATE SCHEMA s2")
        query(c, "CREATE TABLE s1.t (v text)")
        query(c, "CREATE TABLE s2.t (v text)")
        query(c, "INSERT INTO s1.t VALUES ('one')")
        query(c, "INSERT INTO s2.t VALUES ('two')")
        query(c, "SET search_path TO s1")
        query(c, "PREPARE p AS SELECT v FROM t")
        assert query(c, "EXECUTE p") == [("one",)]
        query(c, "SET search_path TO s2")
        assert query(c, "EXECUTE p") == [("two",)]
        query(c, "PREPARE cs AS SELECT current_schema()")
        assert query(c, "EXECUTE cs") == [("s2",)]
        query(c, "SET search_path TO s1")
        assert query(c, "EXECUTE cs") == [("s1",)]
        assert query(c, "EXECUTE p") == [("one",)]
        # COPY of a qualified table reads that table whatever the search_path.
        import io
        query(c, "SET search_path TO s2")
        buf = io.StringIO()
        c.cursor().copy_expert("COPY s1.t TO STDOUT", buf)
        assert buf.getvalue() == "one\n", buf.getvalue()
        # The extended protocol (psycopg2 binds client-side; the statement text is the same each time).
        for path, want in (("s2", "two"), ("s1", "one"), ("s2", "two")):
            query(c, "SET search_path TO " + path)
            assert query(c, "SELECT v FROM t") == [(want,)]
        c.close()


def sessions(args):
    with Server(args.server_bin) as srv:
        a, b = srv.connect(), srv.connect()
        a.autocommit = False
        cur = a.cursor()
        cur.execute("CREATE SCHEMA shared")
        cur.execute("CREATE TABLE shared.t (x int)")
        expect_error(b, "SELECT * FROM shared.t", "42P01")
        assert scalar(b, "SELECT count(*) FROM pg_namespace WHERE nspname = 'shared'") == 0
        result = {}
        t = threading.Thread(target=create_schema, args=(b, "shared", result))
        t.start()
        time.sleep(0.5)
        assert t.is_alive(), "CREATE SCHEMA of a name another transaction holds did not wait"
        a.commit()
        t.join(30)
        assert result == {"code": "42P06"}, result
        assert scalar(b, "SELECT count(*) FROM shared.t") == 0
        # After a rollback the name is free.
        cur.execute("CREATE SCHEMA other")
        t = threading.Thread(target=create_schema, args=(b, "other", result))
        result.clear()
        t.start()
        time.sleep(0.5)
        a.rollback()
        t.join(30)
        assert result == {"ok": True}, result
        a.close()
        b.close()


def create_schema(conn, name, result):
    try:
        query(conn, "CREATE SCHEMA " + name)
        result["ok"] = True
    except psycopg2.Error as e:
        result["code"] = e.pgcode


def restart(args):
    srv = Server(args.server_bin)
    try:
        srv.start()
        c = srv.connect()
        query(c, "CREATE SCHEMA app")
        query(c, "CREATE TABLE app.t (id serial PRIMARY KEY, v text)")
        query(c, "CREATE INDEX t_v ON app.t (v)")
        query(c, "CREATE TABLE t (id serial PRIMARY KEY, v text)")  # the same names in public
        query(c, "INSERT INTO app.t (v) SELECT 'a' || g FROM generate_series(1, 100) g")
        query(c, "INSERT INTO t (v) VALUES ('public')")
        query(c, "CREATE SCHEMA renamed_from")
        query(c, "ALTER SCHEMA renamed_from RENAME TO renamed_to")
        c.close()
        assert srv.stop() == 0
        srv.start()
        c = srv.connect()
        assert scalar(c, "SELECT count(*) FROM app.t") == 100
        assert scalar(c, "SELECT count(*) FROM t") == 1
        assert scalar(c, "SELECT count(*) FROM pg_namespace WHERE nspname IN ('app', 'renamed_to')") == 2
        assert scalar(c, "SELECT count(*) FROM pg_namespace WHERE nspname = 'renamed_from'") == 0
        query(c, "INSERT INTO app.t (v) VALUES ('after')")
        assert scalar(c, "SELECT id FROM app.t WHERE v = 'after'") > 100
        assert scalar(c, "SELECT id FROM app.t WHERE v = 'a7'") == 7  # through the index
        # kill -9 with a schema created in an open transaction and committed rows in app.t.
        b = srv.connect()
        b.autocommit = False
        cur = b.cursor()
        cur.execute("CREATE SCHEMA uncommitted")
        cur.execute("CREATE TABLE uncommitted.x (a int)")
        query(c, "CREATE SCHEMA committed")
        query(c, "CREATE TABLE committed.y (a int)")
        query(c, "INSERT INTO committed.y VALUES (1), (2)")
        srv.proc.send_signal(signal.SIGKILL)
        srv.proc.wait()
        srv.proc = None
        for conn in (b, c):
            try:
                conn.close()
            except psycopg2.Error:
                pass
        srv.start()
        c = srv.connect()
        assert scalar(c, "SELECT count(*) FROM committed.y") == 2
        assert scalar(c, "SELECT count(*) FROM app.t") == 101
        expect_error(c, "SELECT * FROM uncommitted.x", "42P01")
        assert scalar(c, "SELECT count(*) FROM pg_namespace WHERE nspname = 'uncommitted'") == 0
        query(c, "CREATE SCHEMA uncommitted")  # the name is free
        query(c, "DROP SCHEMA app CASCADE")
        expect_error(c, "SELECT * FROM app.t", "42P01")
        assert scalar(c, "SELECT count(*) FROM t") == 1
        c.close()
        assert srv.stop() == 0
        srv.start()
        c = srv.connect()
        assert scalar(c, "SELECT count(*) FROM pg_namespace WHERE nspname = 'app'") == 0
        assert scalar(c, "SELECT count(*) FROM t") == 1
        c.close()
        assert srv.stop() == 0
    finally:
        srv.cleanup()


def main():
    args = parse_args()
    failed = run_tests([psql_describe, prepared, sessions, restart], args)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
