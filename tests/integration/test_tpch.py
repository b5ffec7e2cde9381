"""TPC-H at scale factor 0.01 (issue 8): bench/tpch/dbgen.py generates the data (deterministic, seed 1),
COPY loads it into a real server, and all 22 queries (plus Q18 with QUANTITY 250, "18b", since Q18's own
parameter finds no order at SF 0.01) run and are compared with PostgreSQL 15's answers, stored in
tests/integration/tpch_sf001_answers.json. Values are compared as the text the servers send.

    /usr/bin/python3 tests/integration/test_tpch.py --server-bin build/omendb
    /usr/bin/python3 tests/integration/test_tpch.py --host 127.0.0.1 --port P --user postgres --dbname postgres \\
        --engine postgresql                          (every answer must be exact there)

The answers are regenerated (after a change to the generator or the queries) against PostgreSQL 15 with
    bench/tpch/run.py --sf 0.01 --engines pg-nojit --queries 1-22,18b \\
        --write-answers tests/integration/tpch_sf001_answers.json
Against OmenDB the server started here runs the queries at the default JIT tier, then a second server at
--jit-tier=optimizing runs them again (both tiers must give PostgreSQL's answers).
"""

import json
import os
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "bench", "tpch"))

import dbgen  # noqa: E402
import queries  # noqa: E402
import run as tpch  # noqa: E402
from harness import Server, run_main  # noqa: E402

ANSWERS = os.path.join(HERE, "tpch_sf001_answers.json")

# Queries OmenDB refuses with 0A000, and the feature it names. Each must still fail with 0A000: when one
# starts to work, this test fails until it is removed from here (and then its answer is checked).
KNOWN_UNSUPPORTED = {}


def check_all(conn, answers, omendb, label):
    """Runs every query; returns the list of failures (strings)."""
    failures = []
    for qid in queries.IDS + sorted(set(answers["queries"]) - set(queries.IDS)):
        dt, cols, rows = tpch.run_pg(conn, queries.query(qid, answers["sf"]))
        base = qid if qid in queries.IDS else str(queries.VARIANTS[qid][0])
        if omendb and base in KNOWN_UNSUPPORTED:
            if cols is not None or not rows.startswith("0A000"):
                failures.append("Q%s is listed as unsupported (%s) but gave %s" % (
                    qid, KNOWN_UNSUPPORTED[base], "an answer" if cols is not None else rows))
            print("  %s Q%s: 0A000 as listed (%s)" % (label, qid, KNOWN_UNSUPPORTED[base]))
            continue
        if cols is None:
            failures.append("Q%s failed: %s" % (qid, rows))
            continue
        exp = answers["queries"][qid]
        got_rows, exp_rows = rows, exp["rows"]
        if cols != exp["columns"]:
            failures.append("Q%s columns %s, PostgreSQL's %s" % (qid, cols, exp["columns"]))
        if got_rows != exp_rows:
            first = next((i for i in range(max(len(got_rows), len(exp_rows)))
                          if i >= len(got_rows) or i >= len(exp_rows) or got_rows[i] != exp_rows[i]), None)
            failures.append("Q%s: %d rows, PostgreSQL %d; first difference at row %s: %s, PostgreSQL %s" % (
                qid, len(got_rows), len(exp_rows), first,
                got_rows[first] if first is not None and first < len(got_rows) else None,
                exp_rows[first] if first is not None and first < len(exp_rows) else None))
            continue
        print("  %s Q%s: %d rows as PostgreSQL, %.3f s" % (label, qid, len(rows), dt), flush=True)
    return failures


def run(args):
    with open(ANSWERS) as f:
        answers = json.load(f)
    tmp = tempfile.mkdtemp(prefix="omendb-tpch-test-")
    failures = []
    try:
        t0 = time.monotonic()
        dbgen.generate(answers["sf"], tmp, answers["seed"])
        md5 = tpch.data_md5(tmp)
        assert md5 == answers["data_md5"], (
            "bench/tpch/dbgen.py no longer generates the data the answers were computed from (%s); "
            "regenerate the answers (see this file's docstring)" % md5)
        print("generated SF %s in %.1f s" % (answers["sf"], time.monotonic() - t0))

        def load_and_check(host, port, label):
            conn = tpch.pg_connect(host, port, args.user, args.dbname)
            t1 = time.monotonic()
            tpch.load_pg(conn, tmp)
            print("  %s loaded in %.1f s" % (label, time.monotonic() - t1))
            try:
                return check_all(conn, answers, args.omendb, label)
            finally:
                cur = conn.cursor()
                for t in reversed(dbgen.TABLES):
                    cur.execute("DROP TABLE IF EXISTS " + t)
                conn.close()

        label = "omendb" if args.omendb else "server"
        failures += load_and_check(args.host, args.port, label)
        if args.server_pid:  # a server of our own: the same at the optimising tier
            with Server(args.server_bin, extra_args=["--jit-tier=optimizing"]) as srv:
                failures += load_and_check("127.0.0.1", srv.port, "optimizing")
                assert srv.alive(), "server died\n" + srv.log_tail()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for f in failures:
        print("FAIL  " + f)
    print("%d failures" % len(failures))
    return len(failures)


if __name__ == "__main__":
    sys.exit(1 if run_main(run) else 0)
