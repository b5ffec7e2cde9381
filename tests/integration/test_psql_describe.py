#!/usr/bin/python3
"""psql's describe commands (\\d NAME, \\d+ NAME, \\d INDEX, \\d SEQUENCE, \\dt+, \\di+, \\ds, \\dn, \\df) run by the
real psql against OmenDB and against a PostgreSQL 15 started on loopback (tests/sqllogictest/pg_reference.sh)
for the same schema; the outputs must be equal.

Commands that do not work yet are in PENDING with what they wait on: they must fail with an ERROR naming the
missing feature; INCOMPLETE ones print all but a section PostgreSQL prints, for the reason given. MASKED
commands are compared with one column masked, for the reason given.
Without PostgreSQL 15's binaries the comparison is skipped (exit 77) after the OmenDB half ran."""

import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, parse_args, run_tests  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PG_REFERENCE = os.path.join(HERE, "..", "sqllogictest", "pg_reference.sh")
PSQL = shutil.which("psql") or "/usr/bin/psql"

# One statement per psql call (each its own transaction). Tables with a primary key, NOT NULL, DEFAULTs,
# SERIAL, an identity column, secondary indexes (expression and partial ones too), sequences, numeric /
# varchar / timestamptz columns.
DDL = [
    "CREATE TABLE t (id SERIAL PRIMARY KEY, a INT NOT NULL, b TEXT DEFAULT 'x', n NUMERIC(10,2), "
    "v VARCHAR(20), ts TIMESTAMPTZ DEFAULT now())",
    "CREATE INDEX t_a_idx ON t (a, b)",
    "CREATE INDEX t_lower_b ON t (lower(b)) WHERE a > 0 AND b IS NOT NULL",
    "CREATE UNIQUE INDEX t_a1 ON t ((a + 1), id)",
    "CREATE SEQUENCE seq",
    "CREATE SEQUENCE seq2 INCREMENT BY 5 START 10",
    "CREATE TABLE u (k BIGINT PRIMARY KEY, c INT DEFAULT 0, d DATE NOT NULL, "
    "g BIGINT GENERATED ALWAYS AS IDENTITY)",
    'CREATE TABLE "Mixed Case" (x INT, y BOOLEAN, PRIMARY KEY (x, y))',
    "CREATE TABLE nokey (x INT, y TIME, z INTERVAL)",
    "CREATE TABLE ck (id INT PRIMARY KEY, a INT CHECK (a > 0), b TEXT, p BIGINT REFERENCES u, "
    "CHECK (a < 100 OR b <> ''))",
    "CREATE VIEW tv AS SELECT id, a, v FROM t WHERE a > 0",
]

# psql commands whose output (aligned, as a user sees it) must be PostgreSQL's.
COMMANDS = [
    "\\d", "\\d t_a_idx", "\\d t_pkey", "\\d t_lower_b", "\\d t_a1",
    "\\d seq", "\\d seq2", "\\d t_id_seq", "\\d u_g_seq", "\\ds", "\\dn", "\\df", "\\di", "\\dt",
    "\\dv", "\\d tv",
    # psql's table queries: correlated subqueries run per row (ARRAY(SELECT ...) by = ANY, generate_series()
    # and unnest() in FROM naming the enclosing query)
    "\\d t", "\\d nokey", '\\d "Mixed Case"', "\\d+ t", "\\d+ seq",
    # tables with foreign keys and referenced by one: pg_class.relhastriggers, pg_partition_ancestors()
    "\\d u", "\\d ck",
]

# Commands compared in unaligned form with a column masked, and why.
MASKED = {
    # Size: OmenDB's pg_table_size is RocksDB's estimate of the relation's key range, PostgreSQL's the
    # 8 kB pages of its heap or index files; the other columns must agree.
    "\\dt+": ("Size", "sizes are RocksDB's bytes, not 8 kB pages"),
    "\\di+": ("Size", "sizes are RocksDB's bytes, not 8 kB pages"),
}

# Commands that do not work yet, with what they wait on (docs/clients.md): psql must print an ERROR naming
# the missing feature (SQLSTATE 0A000), never output that differs from PostgreSQL's. The test fails when one
# starts to print PostgreSQL's text, so that the list stays true.
PENDING = {}

# Commands that print PostgreSQL's text but for a part OmenDB's catalogs cannot give yet, with what is missing:
# each must print without an error, and the test fails once it prints PostgreSQL's text (move it to COMMANDS).
INCOMPLETE = {}


def psql_env():
    return dict(os.environ, PGCONNECT_TIMEOUT="10", PGPASSWORD="x", PAGER="", PSQLRC="/dev/null")


def run_all(run):
    """{command: output} through run(args) -> CompletedProcess (args: psql arguments after the connection)."""
    out = {}
    for cmd in COMMANDS + list(PENDING) + list(INCOMPLETE):
        r = run(["-c", cmd])
        out[cmd] = r.stdout if r.returncode == 0 and not r.stderr else "ERROR: " + r.stderr.strip()
    for cmd, (column, _) in MASKED.items():
        r = run(["-A", "-c", cmd])
        if r.returncode != 0 or r.stderr:
            out[cmd] = "ERROR: " + r.stderr.strip()
            continue
        lines = r.stdout.splitlines()
        header = lines[1].split("|") if len(lines) > 1 else []
        i = header.index(column) if column in header else -1
        masked = []
        for n, line in enumerate(lines):
            cells = line.split("|")
            if n >= 2 and i >= 0 and len(cells) == len(header):
                cells[i] = "<%s>" % column.lower()
            masked.append("|".join(cells))
        out[cmd] = "\n".join(masked)
    return out


def print_reference():
    """Creates DDL on the PostgreSQL that PGHOST/PGPORT name (database omendb) and prints the outputs as JSON."""
    env = psql_env()
    subprocess.run([PSQL, "-X", "-q", "-c", "CREATE DATABASE omendb"], check=True, env=env)
    env["PGDATABASE"] = "omendb"
    for ddl in DDL:
        subprocess.run([PSQL, "-X", "-q", "-c", ddl], check=True, env=env)
    got = run_all(lambda a: subprocess.run([PSQL, "-X"] + a, capture_output=True, text=True, env=env, timeout=60))
    print(json.dumps(got))


def reference_outputs():
    """PostgreSQL 15's outputs, or None when its binaries are not installed."""
    if not os.path.exists("/usr/lib/postgresql/15/bin/initdb"):
        return None
    env = dict(os.environ, PG_REFERENCE_CMD="/usr/bin/python3 %s --print-reference" % os.path.abspath(__file__))
    r = subprocess.run(["bash", PG_REFERENCE], capture_output=True, text=True, env=env, timeout=240)
    assert r.returncode == 0, (r.stdout, r.stderr)
    return json.loads(r.stdout.strip().splitlines()[-1])


def omendb_outputs(srv):
    def run(a):
        cmd = [PSQL, "-X", "-h", "127.0.0.1", "-p", str(srv.port), "-U", "postgres", "omendb", "-v",
               "VERBOSITY=verbose"] + a
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=psql_env())
    for ddl in DDL:
        r = run(["-c", ddl])
        assert r.returncode == 0 and not r.stderr, (ddl, r.stderr)
    return run_all(run)


def test_describe_matches_postgresql(args):
    with Server(args.server_bin) as srv:
        got = omendb_outputs(srv)
    for cmd, text in got.items():
        print("--- %s\n%s" % (cmd, text))
        if cmd in PENDING:
            assert text.startswith("ERROR: ") and "0A000" in text, (cmd, text)
        else:
            assert not text.startswith("ERROR: "), (cmd, text)
    expected = reference_outputs()
    if expected is None:
        print("PostgreSQL 15 not found (/usr/lib/postgresql/15/bin): comparison skipped")
        sys.exit(77)
    failures = []
    for cmd in COMMANDS + list(MASKED):
        if got[cmd] != expected[cmd]:
            failures.append("%s differs from PostgreSQL 15:\n--- omendb\n%s\n--- postgresql\n%s" %
                            (cmd, got[cmd], expected[cmd]))
    for cmd, why in PENDING.items():
        if got[cmd] == expected[cmd]:
            failures.append("%s now prints what PostgreSQL prints (waited on: %s): move it to COMMANDS" % (cmd, why))
    for cmd, why in INCOMPLETE.items():
        if got[cmd] == expected[cmd]:
            failures.append("%s now prints what PostgreSQL prints (lacked: %s): move it to COMMANDS" % (cmd, why))
    assert not failures, "\n\n".join(failures)


if __name__ == "__main__":
    if "--print-reference" in sys.argv:
        print_reference()
        sys.exit(0)
    if not os.path.exists(PSQL):
        print("psql not found: skipped (apt-get install postgresql-client)")
        sys.exit(77)
    sys.exit(1 if run_tests([test_describe_matches_postgresql], parse_args()) else 0)
