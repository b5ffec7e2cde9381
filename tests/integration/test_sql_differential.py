#!/usr/bin/python3
"""The cross-type differential test (issue 9): thousands of SQL expressions and queries over edge values, whose
answers PostgreSQL 15 gave (tests/differential/sql_cases.tsv, written by gen_sql_cases.py), run on OmenDB
through the real server and compared exactly: result column types, every value's text, or the error's
SQLSTATE, message and DETAIL.

Fails on any disagreement not listed in tests/differential/sql_known_differences.txt, and on a listed
difference that agrees (or is no longer a case). Prints the agreement rate per family and overall.

    /usr/bin/python3 tests/integration/test_sql_differential.py --server-bin build/omendb [--jit-tier optimizing]
    ... --host 127.0.0.1 --port 5512 --user postgres --dbname postgres   (any running server, e.g. PostgreSQL 15)
    ... --show N   (print N unexpected differences; default 20)
"""
import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "differential"))
import sqlcase  # noqa: E402
import pgraw  # noqa: E402
from harness import Server  # noqa: E402

CASES = os.path.join(ROOT, "tests", "differential", "sql_cases.tsv")
KNOWN = os.path.join(ROOT, "tests", "differential", "sql_known_differences.txt")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server-bin")
    ap.add_argument("--jit-tier", help="the server's --jit-tier")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int)
    ap.add_argument("--user", default="omendb")
    ap.add_argument("--dbname", default="omendb")
    ap.add_argument("--show", type=int, default=20)
    ap.add_argument("--family", help="only this family")
    args = ap.parse_args()

    setup, cases = sqlcase.read_cases(CASES)
    known = sqlcase.read_known(KNOWN)
    if args.family:
        cases = [c for c in cases if c[0] == args.family]
    t0 = time.monotonic()
    srv = None
    if args.port is None:
        extra = ["--jit-tier=" + args.jit_tier] if args.jit_tier else []
        srv = Server(args.server_bin, extra_args=extra).start()
        port, user, dbname = srv.port, "omendb", "omendb"
    else:
        port, user, dbname = args.port, args.user, args.dbname
    try:
        conn = pgraw.Conn(port, user=user, db=dbname, host=args.host)
        for s in setup:
            status, result = sqlcase.run(conn, s)
            assert status == "ok", "setup failed: %s: %s %s" % (s[:200], status, result)
        answers = sqlcase.run_many(conn, [c[1] for c in cases])
        if srv is not None:
            assert srv.alive(), "the server died\n" + srv.log_tail()
            assert srv.stop() == 0
    finally:
        if srv is not None:
            srv.cleanup()

    known_set = set(known)
    fams = {}
    unexpected, agreeing_known = [], []
    case_sqls = set()
    for (family, sql, status, result), (got_status, got) in zip(cases, answers):
        case_sqls.add(sql)
        agree = status == got_status and result == got
        n = fams.setdefault(family, [0, 0])
        n[1] += 1
        if agree:
            n[0] += 1
            if sql in known_set:
                agreeing_known.append(sql)
        elif sql not in known_set:
            unexpected.append((family, sql, status, result, got_status, got))
    stale = [k for k in known if k not in case_sqls] if not args.family else []

    total_ok = sum(v[0] for v in fams.values())
    total = sum(v[1] for v in fams.values())
    for family in sorted(fams):
        ok, n = fams[family]
        print("  %-14s %5d/%-5d = %6.2f%%" % (family, ok, n, 100.0 * ok / n))
    print("SQL differential agreement with PostgreSQL 15: %d/%d = %.2f%% (%d known differences, %d unexpected) in %.1fs"
          % (total_ok, total, 100.0 * total_ok / max(total, 1), len(known), len(unexpected), time.monotonic() - t0))
    for family, sql, status, result, got_status, got in unexpected[:args.show]:
        print("DIFF [%s] %s\n    postgres: %s %s\n    omendb:   %s %s" % (family, json.dumps(sql, ensure_ascii=False),
                                                                   status, result, got_status, got))
    for sql in agreeing_known:
        print("a known difference agrees now (remove it from %s): %s" % (os.path.basename(KNOWN),
                                                                         json.dumps(sql, ensure_ascii=False)))
    for sql in stale:
        print("a known difference is no longer a case: %s" % json.dumps(sql, ensure_ascii=False))
    return 1 if unexpected or agreeing_known or stale else 0


if __name__ == "__main__":
    sys.exit(main())
