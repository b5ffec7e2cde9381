#!/usr/bin/python3
"""The functions clients call on connect: version(), current_database(), current_schema, current_user,
session_user, user, current_role, current_catalog, pg_backend_pid(), inet_server_addr(), inet_server_port()
return what PostgreSQL 15 returns for the same connection, with its column names and RowDescription types
(name, OID 19, for the user/database/schema ones). The values come from each session's startup packet and
BackendKeyData: two sessions running the same statement (one compiled plan) each see their own. psycopg2,
psycopg 3 (server-side prepared, binary results), psql and SQLAlchemy (engine.connect(), SELECT 1)."""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import psycopg  # noqa: E402
import psycopg2  # noqa: E402
from harness import Server, expect_error, parse_args, run_tests  # noqa: E402

NAME, TEXT, INT4 = 19, 25, 23


class S:
    srv = None


def described(cur):
    return [(d.name, d.type_code, d.internal_size) for d in cur.description]


def test_values_types_and_names(args):
    conn = S.srv.connect(user="alice", dbname="shop")
    cur = conn.cursor()
    cases = [
        ("SELECT version()", ("version", TEXT, -1), None),
        ("SELECT current_database()", ("current_database", NAME, 64), "shop"),
        ("SELECT current_catalog", ("current_catalog", NAME, 64), "shop"),
        ("SELECT current_schema()", ("current_schema", NAME, 64), "public"),
        ("SELECT current_schema", ("current_schema", NAME, 64), "public"),
        ("SELECT pg_catalog.current_schema()", ("current_schema", NAME, 64), "public"),
        ("SELECT current_user", ("current_user", NAME, 64), "alice"),
        ("SELECT session_user", ("session_user", NAME, 64), "alice"),
        ("SELECT user", ("user", NAME, 64), "alice"),
        ("SELECT current_role", ("current_role", NAME, 64), "alice"),
        ('SELECT "current_user"()', ("current_user", NAME, 64), "alice"),
        ("SELECT pg_backend_pid()", ("pg_backend_pid", INT4, 4), conn.get_backend_pid()),
        ("SELECT inet_server_addr()", ("inet_server_addr", TEXT, -1), "127.0.0.1"),
        ("SELECT inet_server_port()", ("inet_server_port", INT4, 4), S.srv.port),
    ]
    for sql, desc, want in cases:
        cur.execute(sql)
        rows = cur.fetchall()
        assert described(cur) == [desc], (sql, described(cur))
        assert len(rows) == 1 and len(rows[0]) == 1, (sql, rows)
        if want is not None:
            assert rows[0][0] == want, (sql, rows, want)
    cur.execute("SELECT version()")
    v = cur.fetchone()[0]
    assert v.startswith("PostgreSQL 15.0 (OmenDB "), v
    assert " on " in v and ", compiled by " in v and v.endswith("-bit"), v
    assert conn.server_version == 150000, conn.server_version  # from the server_version ParameterStatus
    # Aliases and expressions: an alias keeps the name type; || makes text, as in PostgreSQL.
    cur.execute("SELECT current_user AS u, current_user || '!', current_database() = 'shop'")
    assert cur.fetchall() == [("alice", "alice!", True)]
    assert described(cur) == [("u", NAME, 64), ("?column?", TEXT, -1), ("?column?", 16, 1)], described(cur)
    # In a WHERE clause and next to table columns.
    cur.execute("CREATE TABLE owners (id INT PRIMARY KEY, who TEXT)")
    cur.execute("INSERT INTO owners VALUES (1, 'alice'), (2, 'bob')")
    cur.execute("SELECT id, current_user FROM owners WHERE who = current_user")
    assert cur.fetchall() == [(1, "alice")]
    cur.execute("DROP TABLE owners")
    conn.close()


def test_unsupported_and_errors(args):
    conn = S.srv.connect()
    e = expect_error(conn, "SELECT txid_current()", "0A000")
    assert "txid_current()" in str(e), e
    # current_schemas(bool): name[] (1003), the implicit pg_catalog first when asked (PostgreSQL 15's default
    # search_path "$user", public gives these). pgjdbc's queries subscript it and compare with = ANY.
    cur = conn.cursor()
    cur.execute("SELECT current_schemas(false), current_schemas(true), (current_schemas(true))[1], "
                "'public' = ANY(current_schemas(false)), current_schemas(NULL)")
    assert cur.fetchall() == [(["public"], ["pg_catalog", "public"], "pg_catalog", True, None)]
    assert [d.type_code for d in cur.description] == [1003, 1003, 19, 16, 1003], cur.description
    cur.execute("SELECT current_schemas(%s)", [True])
    assert cur.fetchall() == [(["pg_catalog", "public"],)]
    # pg_postmaster_start_time() is a timestamptz no later than now()
    cur = conn.cursor()
    cur.execute("SELECT pg_postmaster_start_time(), pg_postmaster_start_time() <= now()")
    started, before_now = cur.fetchone()
    assert before_now is True and started.tzinfo is not None, (started, before_now)
    assert [d.type_code for d in cur.description][0] == 1184, cur.description
    # As in PostgreSQL 15: the keywords take no parentheses, and the functions no arguments.
    expect_error(conn, "SELECT session_user()", "42601")
    e = expect_error(conn, "SELECT version(1)", "42883")
    assert "function version(integer) does not exist" in str(e), e
    expect_error(conn, "SELECT current_schemas()", "42883")
    expect_error(conn, "SELECT user()", "42601")
    expect_error(conn, 'SELECT "user"()', "42883")  # USER is a keyword, not a function
    conn.close()


def test_sessions_do_not_share_values(args):
    # The same statement text in two sessions runs the same compiled code with each session's values.
    a = S.srv.connect(user="alice", dbname="shop")
    b = S.srv.connect(user="bob", dbname="stock")
    sql = "SELECT current_user, session_user, current_database(), pg_backend_pid()"
    for _ in range(3):
        for conn, user, db in ((a, "alice", "shop"), (b, "bob", "stock")):
            cur = conn.cursor()
            cur.execute(sql)
            assert cur.fetchall() == [(user, user, db, conn.get_backend_pid())]
    assert a.get_backend_pid() != b.get_backend_pid()
    a.close()
    b.close()


def test_psycopg3_prepared_binary(args):
    # Parse once, Bind/Execute many times (prepare=True), results in binary format.
    conns = []
    for user, db in (("carol", "db1"), ("dave", "db2")):
        c = psycopg.connect(host="127.0.0.1", port=S.srv.port, user=user, dbname=db, autocommit=True,
                            prepare_threshold=0)
        conns.append((c, user, db))
    sql = "SELECT current_user, current_database(), pg_backend_pid(), inet_server_port(), version()"
    for _ in range(3):
        for c, user, db in conns:
            for binary in (False, True):
                cur = c.cursor(binary=binary)
                cur.execute(sql, prepare=True)
                row = cur.fetchone()
                assert row[:4] == (user, db, c.info.backend_pid, S.srv.port), (binary, row)
                assert row[4].startswith("PostgreSQL 15."), row
                assert [d.type_code for d in cur.description] == [NAME, NAME, INT4, INT4, TEXT]
    for c, _, _ in conns:
        c.close()


def test_psql(args):
    env = dict(os.environ, PGPASSWORD="", PGCONNECT_TIMEOUT="10")
    out = subprocess.run(
        ["psql", "-X", "-At", "-h", "127.0.0.1", "-p", str(S.srv.port), "-U", "erin", "-d", "books", "-F", "|",
         "-c", "SELECT current_user, session_user, current_database(), current_schema, inet_server_port()",
         "-c", "SELECT version()"],
        capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "erin|erin|books|public|%d" % S.srv.port, lines
    assert lines[1].startswith("PostgreSQL 15.0 (OmenDB "), lines
    out = subprocess.run(
        ["psql", "-X", "-h", "127.0.0.1", "-p", str(S.srv.port), "-U", "erin", "-d", "books",
         "-c", "SELECT current_user, user"], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[:3] == [" current_user | user ", "--------------+------", " erin         | erin"], \
        out.stdout


def test_sqlalchemy_connect(args):
    import sqlalchemy
    url = "postgresql+psycopg2://frank@127.0.0.1:%d/app" % S.srv.port
    # psycopg2's hstore OID lookup (a pg_type JOIN pg_namespace query) needs joins: see docs/clients.md.
    engine = sqlalchemy.create_engine(url, use_native_hstore=False)
    with engine.connect() as c:
        assert c.execute(sqlalchemy.text("SELECT 1")).scalar() == 1
        assert c.execute(sqlalchemy.text("SELECT current_user")).scalar() == "frank"
    assert engine.dialect.server_version_info[:2] == (15, 0), engine.dialect.server_version_info
    assert engine.dialect.default_schema_name == "public"
    engine.dispose()


def main():
    args = parse_args()
    with Server(args.server_bin) as srv:
        S.srv = srv
        failed = run_tests([test_values_types_and_names, test_unsupported_and_errors,
                            test_sessions_do_not_share_values, test_psycopg3_prepared_binary, test_psql,
                            test_sqlalchemy_connect], args)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
