#!/usr/bin/python3
"""The real psql client: a script file with several statements and an error in the middle (the session goes
on with ON_ERROR_STOP=0), -c with several statements in one string, psql's aligned table output, and psql's
describe commands (\\d, \\dt, \\di, \\dn ...) over the system catalogs, whose output must be the text
PostgreSQL 15 prints for the same schema.

CATALOG_EXPECTED is that text, captured from PostgreSQL 15 with
    PG_REFERENCE_CMD='/usr/bin/python3 tests/integration/test_psql.py --print-reference' \\
        tests/sqllogictest/pg_reference.sh
which creates CATALOG_DDL on the reference cluster and prints every command's output."""

import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, parse_args, query, run_tests  # noqa: E402

PSQL = shutil.which("psql") or "/usr/bin/psql"


def psql(srv, *extra, input=None, user="omendb"):
    env = dict(os.environ, PGCONNECT_TIMEOUT="10", PGPASSWORD="x", PGSSLMODE="prefer", PAGER="", PSQLRC="/dev/null")
    cmd = [PSQL, "-X", "-h", "127.0.0.1", "-p", str(srv.port), "-U", user, "omendb", "-v", "ON_ERROR_STOP=0"] + list(extra)
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env, input=input)
    return r


SCRIPT = """
CREATE TABLE fruit (id INT PRIMARY KEY, name TEXT, price DOUBLE PRECISION);
INSERT INTO fruit VALUES (1, 'apple', 0.5), (2, 'banana', 0.25), (3, 'cherry', 4);
SELECT name FROM nosuch_table;
INSERT INTO fruit VALUES (1, 'duplicate', 0);
SELECT 1 / 0;
INSERT INTO fruit VALUES (4, 'date', 2.75);
UPDATE fruit SET price = price * 2 WHERE id = 2;
DELETE FROM fruit WHERE id = 3;
SELECT id, name, price FROM fruit ORDER BY id;
SELECT count(*) AS n FROM fruit;
"""


def test_script_file(args):
    with Server(args.server_bin) as srv:
        d = tempfile.mkdtemp()
        try:
            path = os.path.join(d, "script.sql")
            with open(path, "w") as f:
                f.write(SCRIPT)
            r = psql(srv, "-A", "-F", "|", "-f", path)
        finally:
            shutil.rmtree(d)
        print(r.stdout)
        print(r.stderr)
        assert r.returncode == 0, r.returncode  # ON_ERROR_STOP=0: errors do not change the exit code
        err = r.stderr
        assert 'relation "nosuch_table" does not exist' in err or "nosuch_table" in err, err
        assert err.count("ERROR:") == 3, err
        assert "division by zero" in err, err
        assert "duplicate key" in err, err
        out = r.stdout
        assert "CREATE TABLE" in out and "INSERT 0 3" in out and "INSERT 0 1" in out, out
        assert "UPDATE 1" in out and "DELETE 1" in out, out
        assert "id|name|price\n1|apple|0.5\n2|banana|0.5\n4|date|2.75\n(3 rows)" in out, out
        assert "n\n3\n(1 row)" in out, out


def test_dash_c_multiple_statements(args):
    with Server(args.server_bin) as srv:
        r = psql(srv, "-c", "CREATE TABLE t (a INT PRIMARY KEY, b TEXT)")
        assert r.returncode == 0, (r.stdout, r.stderr)
        r = psql(srv, "-A", "-t", "-c", "INSERT INTO t VALUES (1, 'x'), (2, 'y'); SELECT count(*) FROM t")
        assert r.returncode == 0, (r.stdout, r.stderr)
        assert r.stdout.strip().splitlines()[-1] == "2", r.stdout
        # an error in the middle: the string is one implicit transaction, as in PostgreSQL: nothing of it
        # stays, the following statements do not run, psql reports the error
        r = psql(srv, "-A", "-t", "-c", "INSERT INTO t VALUES (3, 'z'); SELECT 1/0; INSERT INTO t VALUES (4, 'w')")
        assert "division by zero" in r.stderr, r.stderr
        assert r.returncode != 0
        c = srv.connect()
        rows = query(c, "SELECT a FROM t ORDER BY a")
        assert rows == [(1,), (2,)], "the failed string left rows behind: %r" % rows
        c.close()
        # DDL is part of the string's transaction: an error undoes it with the rows
        r = psql(srv, "-c", "INSERT INTO t VALUES (5, 'v'); CREATE TABLE u (a INT PRIMARY KEY); SELECT 1/0")
        assert "division by zero" in r.stderr and r.returncode != 0, r.stderr
        c = srv.connect()
        assert query(c, "SELECT count(*) FROM t") == [(2,)]
        assert query(c, "SELECT count(*) FROM pg_class WHERE relname = 'u'") == [(0,)]
        c.close()
        r = psql(srv, "-c", "INSERT INTO t VALUES (5, 'v'); CREATE TABLE u (a INT PRIMARY KEY)")
        assert r.returncode == 0, r.stderr
        c = srv.connect()
        assert query(c, "SELECT count(*) FROM t") == [(3,)]
        assert query(c, "SELECT count(*) FROM u") == [(0,)]
        c.close()


def test_aligned_output_and_stdin(args):
    with Server(args.server_bin) as srv:
        r = psql(srv, input="CREATE TABLE p (id BIGINT PRIMARY KEY, flag BOOLEAN, note TEXT);\n"
                            "INSERT INTO p VALUES (10, true, 'ten'), (2, false, NULL);\n"
                            "SELECT * FROM p ORDER BY id;\n"
                            "\\q\n")
        assert r.returncode == 0, r.stderr
        out = r.stdout
        print(out)
        lines = [l.rstrip() for l in out.splitlines()]
        assert " id | flag | note" in lines, out
        assert "----+------+------" in lines, out
        assert "  2 | f    |" in lines, out
        assert " 10 | t    | ten" in lines, out
        assert "(2 rows)" in lines, out
        # psql's \conninfo and a NOTICE-free DROP TABLE IF EXISTS on a missing table
        r = psql(srv, "-c", "DROP TABLE IF EXISTS never_there")
        assert r.returncode == 0 and "DROP TABLE" in r.stdout, (r.stdout, r.stderr)


# The schema the describe commands are compared on (one statement per psql call: OmenDB's DDL is not
# transactional yet, so it is refused inside a multi-statement string).
CATALOG_DDL = [
    "CREATE TABLE t (id BIGINT PRIMARY KEY, a INT NOT NULL, b TEXT, c DOUBLE PRECISION)",
    "CREATE TABLE s (k TEXT PRIMARY KEY, v VARCHAR(20), ts TIMESTAMPTZ, d DATE)",
    'CREATE TABLE "Mixed Case" (x INT, y BOOLEAN, z INTERVAL, PRIMARY KEY (x, y))',
    "CREATE TABLE nokey (x INT, y TIME)",
]

# Commands whose output must equal PostgreSQL's. psql runs them as user "postgres" on both servers, so the
# Owner columns agree (OmenDB shows the session's user as the owner of every table).
# \\l lists the one database OmenDB has: the pattern keeps PostgreSQL's template databases out of the
# comparison (the reference cluster gets a database named omendb).
CATALOG_COMMANDS = ["\\d", "\\dt", "\\di", "\\dn", "\\dt s*", "\\di t*", "\\dt nosuch*", '\\dt "Mixed Case"',
                    "\\dtS pg_cl*", "\\dv pg_rol*", "\\l omendb", "\\du", "\\d t", "\\d nokey", "\\d+ t"]

# Commands that do not work yet, with what they wait on: they must fail cleanly (an ERROR naming the
# missing feature, SQLSTATE 0A000 or 42P01/42883 for a catalog OmenDB lacks), never print wrong output.
# When one starts to work, move it to CATALOG_COMMANDS (its expected text is in CATALOG_EXPECTED).
CATALOG_PENDING = {}


def run_catalog_commands(run):
    """{command: stdout or 'ERROR: ...'} for every command, through run(command) -> CompletedProcess."""
    out = {}
    for cmd in CATALOG_COMMANDS + list(CATALOG_PENDING):
        r = run(cmd)
        out[cmd] = r.stdout if r.returncode == 0 and not r.stderr else "ERROR: " + r.stderr.strip()
    return out


# PostgreSQL 15.18's output (see the module's docstring for how it was captured).
CATALOG_EXPECTED = {
    '\\d':
        '           List of relations\n Schema |    Name    | Type  |  Owner   \n--------+------------+-------+----------\n public | Mixed Case | table | postgres\n public | nokey      | table | postgres\n public | s          | table | postgres\n public | t          | table | postgres\n(4 rows)\n\n',
    '\\d nokey':
        '                       Table "public.nokey"\n Column |          Type          | Collation | Nullable | Default \n--------+------------------------+-----------+----------+---------\n x      | integer                |           |          | \n y      | time without time zone |           |          | \n\n',
    '\\d t':
        '                      Table "public.t"\n Column |       Type       | Collation | Nullable | Default \n--------+------------------+-----------+----------+---------\n id     | bigint           |           | not null | \n a      | integer          |           | not null | \n b      | text             |           |          | \n c      | double precision |           |          | \nIndexes:\n    "t_pkey" PRIMARY KEY, btree (id)\n\n',
    '\\d+ t':
        '                                                 Table "public.t"\n Column |       Type       | Collation | Nullable | Default | Storage  | Compression | Stats target | Description \n--------+------------------+-----------+----------+---------+----------+-------------+--------------+-------------\n id     | bigint           |           | not null |         | plain    |             |              | \n a      | integer          |           | not null |         | plain    |             |              | \n b      | text             |           |          |         | extended |             |              | \n c      | double precision |           |          |         | plain    |             |              | \nIndexes:\n    "t_pkey" PRIMARY KEY, btree (id)\nAccess method: heap\n\n',
    '\\di':
        '                    List of relations\n Schema |      Name       | Type  |  Owner   |   Table    \n--------+-----------------+-------+----------+------------\n public | Mixed Case_pkey | index | postgres | Mixed Case\n public | s_pkey          | index | postgres | s\n public | t_pkey          | index | postgres | t\n(3 rows)\n\n',
    '\\di t*':
        '             List of relations\n Schema |  Name  | Type  |  Owner   | Table \n--------+--------+-------+----------+-------\n public | t_pkey | index | postgres | t\n(1 row)\n\n',
    '\\dn':
        '      List of schemas\n  Name  |       Owner       \n--------+-------------------\n public | pg_database_owner\n(1 row)\n\n',
    '\\dt':
        '           List of relations\n Schema |    Name    | Type  |  Owner   \n--------+------------+-------+----------\n public | Mixed Case | table | postgres\n public | nokey      | table | postgres\n public | s          | table | postgres\n public | t          | table | postgres\n(4 rows)\n\n',
    '\\dt "Mixed Case"':
        '           List of relations\n Schema |    Name    | Type  |  Owner   \n--------+------------+-------+----------\n public | Mixed Case | table | postgres\n(1 row)\n\n',
    '\\dt nosuch*':
        'ERROR: Did not find any relation named "nosuch*".',
    '\\dt s*':
        '        List of relations\n Schema | Name | Type  |  Owner   \n--------+------+-------+----------\n public | s    | table | postgres\n(1 row)\n\n',
    '\\dtS pg_cl*':
        '            List of relations\n   Schema   |   Name   | Type  |  Owner   \n------------+----------+-------+----------\n pg_catalog | pg_class | table | postgres\n(1 row)\n\n',
    '\\l omendb':
        '                                          List of databases\n  Name  |  Owner   | Encoding | Collate |  Ctype  | ICU Locale | Locale Provider | Access privileges \n--------+----------+----------+---------+---------+------------+-----------------+-------------------\n omendb | postgres | UTF8     | C.UTF-8 | C.UTF-8 |            | libc            | \n(1 row)\n\n',
    '\\du':
        '                                   List of roles\n Role name |                         Attributes                         | Member of \n-----------+------------------------------------------------------------+-----------\n postgres  | Superuser, Create role, Create DB, Replication, Bypass RLS | {}\n\n',
    '\\dv pg_rol*':
        '            List of relations\n   Schema   |   Name   | Type |  Owner   \n------------+----------+------+----------\n pg_catalog | pg_roles | view | postgres\n(1 row)\n\n',
}


def test_describe_commands(args):
    with Server(args.server_bin) as srv:
        for ddl in CATALOG_DDL:
            r = psql(srv, "-c", ddl)
            assert r.returncode == 0, (ddl, r.stderr)
        got = run_catalog_commands(lambda cmd: psql(srv, "-c", cmd, user="postgres"))
    for cmd in CATALOG_COMMANDS:
        assert got[cmd] == CATALOG_EXPECTED[cmd], "%s differs from PostgreSQL 15:\n--- omendb\n%s\n--- postgresql\n%s" % (
            cmd, got[cmd], CATALOG_EXPECTED[cmd])
    for cmd, waits_on in CATALOG_PENDING.items():
        if got[cmd] == CATALOG_EXPECTED[cmd]:
            raise AssertionError("%s now prints what PostgreSQL prints: move it to CATALOG_COMMANDS" % cmd)
        assert got[cmd].startswith("ERROR: ") and "ERROR:" in got[cmd], (cmd, got[cmd])
        print("pending (%s): %s -> %s" % (waits_on, cmd, got[cmd].splitlines()[0]))


def test_echo_hidden_queries(args):
    """The catalog queries psql sends (\\dt+ shows sizes: pg_table_size is not there yet), with -E."""
    with Server(args.server_bin) as srv:
        psql(srv, "-c", CATALOG_DDL[0])
        # the regex operators psql's patterns use, and the catalog types in a plain query
        r = psql(srv, "-A", "-t", "-c", "SELECT c.relname, c.relkind, c.oid > 16383, pg_catalog.format_type(a.atttypid, "
                 "a.atttypmod) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid "
                 "WHERE c.relname OPERATOR(pg_catalog.~) '^(t)$' COLLATE pg_catalog.default ORDER BY a.attnum",
                 user="postgres")
        assert r.returncode == 0 and not r.stderr, r.stderr
        assert r.stdout.split() == ["t|r|t|bigint", "t|r|t|integer", "t|r|t|text", "t|r|t|double", "precision"], r.stdout


def print_reference():
    """Runs CATALOG_DDL and the commands against the PostgreSQL that PGHOST/PGPORT name; prints the dict."""
    import json
    env = dict(os.environ, PAGER="", PSQLRC="/dev/null")
    subprocess.run([PSQL, "-X", "-q", "-c", "CREATE DATABASE omendb"], check=True, env=env)
    for ddl in CATALOG_DDL:
        subprocess.run([PSQL, "-X", "-q", "-c", ddl], check=True, env=env)
    got = run_catalog_commands(lambda cmd: subprocess.run([PSQL, "-X", "-c", cmd], capture_output=True, text=True,
                                                          env=env))
    print(json.dumps(got, indent=1, sort_keys=True))


if __name__ == "__main__":
    if "--print-reference" in sys.argv:
        print_reference()
        sys.exit(0)
    if not os.path.exists(PSQL):
        print("psql not found: skipped (apt-get install postgresql-client)")
        sys.exit(0)
    sys.exit(1 if run_tests([test_script_file, test_dash_c_multiple_statements, test_aligned_output_and_stdin,
                             test_describe_commands, test_echo_hidden_queries],
                            parse_args()) else 0)
