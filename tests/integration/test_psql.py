#!/usr/bin/python3
"""The real psql client: a script file with several statements and an error in the middle (the session goes
on with ON_ERROR_STOP=0), -c with several statements in one string, and psql's aligned table output."""

import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, parse_args, query, run_tests  # noqa: E402

PSQL = shutil.which("psql") or "/usr/bin/psql"


def psql(srv, *extra, input=None):
    env = dict(os.environ, PGCONNECT_TIMEOUT="10", PGPASSWORD="x", PGSSLMODE="prefer", PAGER="", PSQLRC="/dev/null")
    cmd = [PSQL, "-X", "-h", "127.0.0.1", "-p", str(srv.port), "-U", "omendb", "omendb", "-v", "ON_ERROR_STOP=0"] + list(extra)
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
        # DDL is not transactional yet: refused in a string with other statements, and nothing runs
        r = psql(srv, "-c", "INSERT INTO t VALUES (5, 'v'); CREATE TABLE u (a INT PRIMARY KEY)")
        assert "DDL is not transactional" in r.stderr and r.returncode != 0, r.stderr
        c = srv.connect()
        assert query(c, "SELECT count(*) FROM t") == [(2,)]
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


if __name__ == "__main__":
    if not os.path.exists(PSQL):
        print("psql not found: skipped (apt-get install postgresql-client)")
        sys.exit(0)
    sys.exit(1 if run_tests([test_script_file, test_dash_c_multiple_statements, test_aligned_output_and_stdin],
                            parse_args()) else 0)
