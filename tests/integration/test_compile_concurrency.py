#!/usr/bin/python3
"""Compiles run concurrently: while one session compiles a huge statement (a CASE of 12,000 arms, whose
code does grow with the statement), other sessions keep compiling and running their own new
statements instead of queueing behind it (there was one global compile lock)."""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, parse_args, query, run_tests  # noqa: E402


class S:
    srv = None


def test_long_compile_does_not_stall_others(args):
    setup = S.srv.connect()
    query(setup, "CREATE TABLE t (id BIGINT PRIMARY KEY, a INT, b INT)")
    query(setup, "INSERT INTO t VALUES (1, 5, 2), (2, 7, 7)")
    setup.close()
    arms = 12000
    big = "SELECT sum(CASE %s ELSE 0 END) FROM t" % " ".join(
        "WHEN a = b + %d THEN %d" % (i, i) for i in range(arms))
    result = {}

    def run_big():
        conn = S.srv.connect()
        t0 = time.monotonic()
        result["rows"] = query(conn, big)
        result["seconds"] = time.monotonic() - t0
        conn.close()

    latencies = []
    other = S.srv.connect()
    th = threading.Thread(target=run_big)
    th.start()
    k = 0
    while th.is_alive():
        k += 1
        # a statement shape never seen before: it needs a compile of its own
        sql = "SELECT %s FROM t WHERE id = 1" % ", ".join(["a"] * k)
        t0 = time.monotonic()
        rows = query(other, sql)
        latencies.append(time.monotonic() - t0)
        assert rows == [tuple([5] * k)], rows
    th.join()
    other.close()
    assert result["rows"] == [(3,)], result  # row 1: 5 = 2 + 3; row 2: 7 = 7 + 0 -> 0
    print("big statement: %.2f s; %d other statements meanwhile, slowest %.3f s" %
          (result["seconds"], len(latencies), max(latencies)))
    assert result["seconds"] > 0.5, "the big statement was too quick to show anything: %.2f s" % result["seconds"]
    # Behind a global compile lock, a statement sent during the big compile waited for all of it.
    assert max(latencies) < result["seconds"] / 2, (max(latencies), result["seconds"])
    assert len(latencies) >= 5, latencies


def main():
    args = parse_args()
    with Server(args.server_bin) as srv:
        S.srv = srv
        failed = run_tests([test_long_compile_does_not_stall_others], args)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
