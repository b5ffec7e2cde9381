#!/usr/bin/python3
"""EXPLAIN shows the plan tree with a key range for primary-key predicates (not a full scan), and a full
scan otherwise; EXPLAIN (CODEGEN) shows per-pipeline codegen stats, with a plan-cache hit the second time the
same statement shape runs with a different literal."""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, expect_error, parse_args, query, run_tests  # noqa: E402


def explain(conn, sql):
    cur = conn.cursor()
    cur.execute(sql)
    assert cur.description is not None and len(cur.description) == 1, cur.description
    rows = cur.fetchall()
    cur.close()
    assert rows and all(isinstance(r[0], str) for r in rows), rows
    return [r[0] for r in rows]


class S:
    srv = None
    conn = None


def setup(srv):
    S.srv = srv
    S.conn = srv.connect()
    cur = S.conn.cursor()
    cur.execute("CREATE TABLE t (id BIGINT PRIMARY KEY, v INT, s TEXT)")
    cur.execute("INSERT INTO t VALUES " + ", ".join("(%d, %d, 's%d')" % (i, i % 10, i) for i in range(1000)))
    cur.execute("CREATE TABLE c (a INT, b INT, v TEXT, PRIMARY KEY (a, b))")
    cur.execute("INSERT INTO c VALUES (1, 1, 'x'), (1, 2, 'y'), (2, 1, 'z')")


def test_point_lookup_is_a_range(args):
    lines = explain(S.conn, "EXPLAIN SELECT * FROM t WHERE id = 5")
    text = "\n".join(lines)
    print(text)
    scan = [l for l in lines if re.search(r"scan", l, re.I)]
    assert scan, "no scan node in:\n" + text
    assert not re.search(r"full", text, re.I), "a point lookup on the key must not be a full scan:\n" + text
    # literals may be shown as parameters ($0: lifted for the plan cache)
    assert re.search(r"range|key|lookup|seek", scan[0], re.I), text
    assert re.search(r"id\s*=\s*(5|\$\d+)", scan[0]), text


def test_key_ranges(args):
    text = "\n".join(explain(S.conn, "EXPLAIN SELECT v FROM t WHERE id >= 10 AND id < 20"))
    print(text)
    assert not re.search(r"full", text, re.I), text
    assert re.search(r"id\s*>=\s*(10|\$\d+)", text) and re.search(r"id\s*<\s*(20|\$\d+)", text), text
    text = "\n".join(explain(S.conn, "EXPLAIN SELECT * FROM c WHERE a = 1 AND b > 1"))
    print(text)
    assert not re.search(r"full", text, re.I), text
    assert re.search(r"a\s*=\s*(1|\$\d+)", text) and re.search(r"b\s*>\s*(1|\$\d+)", text), text


def test_full_scan_otherwise(args):
    for sql in ("EXPLAIN SELECT * FROM t WHERE v = 5", "EXPLAIN SELECT * FROM t",
                "EXPLAIN SELECT * FROM c WHERE b = 1"):
        lines = explain(S.conn, sql)
        text = "\n".join(lines)
        print(text)
        assert re.search(r"full", text, re.I), "expected a full scan for %s:\n%s" % (sql, text)
    # a tree: more than one node, children indented
    lines = explain(S.conn, "EXPLAIN SELECT s FROM t WHERE v = 5 ORDER BY s LIMIT 3")
    text = "\n".join(lines)
    print(text)
    assert len(lines) >= 3, text
    assert any(l.startswith(" ") for l in lines[1:]), "children are not indented:\n" + text
    assert re.search(r"sort", text, re.I) and re.search(r"limit", text, re.I), text
    # EXPLAIN does not run the statement
    explain(S.conn, "EXPLAIN DELETE FROM t WHERE id < 500")
    assert query(S.conn, "SELECT count(*) FROM t") == [(1000,)]


STAT_WORDS = ["instructions", "opt", "compile", "bytes", "cache"]


def codegen_lines(sql):
    lines = explain(S.conn, "EXPLAIN (CODEGEN) " + sql)
    text = "\n".join(lines)
    stats = [l for l in lines if re.search(r"instructions", l, re.I)]
    assert stats, "no per-pipeline codegen stats in:\n" + text
    for l in stats:
        for w in STAT_WORDS:
            assert re.search(w, l, re.I), "%r missing in %r" % (w, l)
        assert re.search(r"\d+(\.\d+)?\s*ms", l), "no compile time in ms: %r" % l
        assert re.search(r"\d+\s*bytes", l), "no machine code size: %r" % l
    return text, stats


def test_codegen_stats_and_cache(args):
    text, stats = codegen_lines("SELECT s, v * 2 FROM t WHERE v = 3 AND id > 100")
    print(text)
    for l in stats:
        m = re.search(r"(\d+)\s*(IR )?instructions|instructions\D*(\d+)", l, re.I)
        assert m, l
    # the same statement with another literal: a plan/code cache hit
    text2, stats2 = codegen_lines("SELECT s, v * 2 FROM t WHERE v = 7 AND id > 200")
    print(text2)
    assert all(re.search(r"cache\W*(hit|yes|true)", l, re.I) for l in stats2), \
        "expected a cache hit for the same statement with other literals:\n" + text2
    # and it still gives the right answer
    rows = query(S.conn, "SELECT count(*) FROM t WHERE v = 7 AND id > 200")
    assert rows == [(80,)], rows


def ir_instructions(sql):
    _, stats = codegen_lines(sql)
    return sum(int(re.search(r"IR instructions: (\d+)", l).group(1)) for l in stats)


def test_code_does_not_grow_with_in_lists(args):
    # A long IN list of literals is one probe of a runtime hash set: the same code for 10 and for 100,000
    # elements (an OR chain of 10,000 comparisons once took minutes to compile).
    small = ir_instructions("SELECT id FROM t WHERE v IN (%s)" % ", ".join(str(i) for i in range(10)))
    large = ir_instructions("SELECT id FROM t WHERE v IN (%s)" % ", ".join(str(i) for i in range(100000)))
    print("IR instructions: 10 elements %d, 100000 elements %d" % (small, large))
    assert large == small, (small, large)
    in_list = ", ".join(str(i * 2) for i in range(10000))
    rows = query(S.conn, "SELECT count(*) FROM t WHERE v IN (%s)" % in_list)
    assert rows == [(500,)], rows  # v = id % 10: the even values 0..8, 100 rows each
    rows = query(S.conn, "SELECT count(*) FROM t WHERE v NOT IN (%s, NULL)" % in_list)
    assert rows == [(0,)], rows  # NOT IN with a NULL in the list is never true


def test_subqueries(args):
    # An uncorrelated IN: a subquery tree after the query's, ending in a hash set, in a pipeline that runs
    # before the one reading it.
    lines = explain(S.conn, "EXPLAIN SELECT id FROM t WHERE v IN (SELECT b FROM c WHERE a = 1)")
    text = "\n".join(lines)
    print(text)
    assert re.search(r"Filter \(\(v IN \$sub0\)\)", text), text
    assert any(l.startswith("Subquery $sub0 (hash set)") for l in lines), text
    pipes = [l for l in lines if l.startswith("Pipeline")]
    assert re.match(r"Pipeline 0: TableScan c .*-> Subquery \$sub0$", pipes[0]), text
    assert re.match(r"Pipeline 1: TableScan t .*-> result \(after 0\)$", pipes[1]), text
    # A scalar subquery on the key becomes the scan's key range.
    text = "\n".join(explain(S.conn, "EXPLAIN SELECT v FROM t WHERE id = (SELECT max(a) FROM c)"))
    print(text)
    assert re.search(r"TableScan t \(range: id = \(\$sub0\)::bigint\)", text), text
    assert "Subquery $sub0 (one row)" in text, text
    # A correlated EXISTS: a hash semi join, building the subquery's rows; NOT EXISTS an anti join.
    text = "\n".join(explain(S.conn, "EXPLAIN SELECT id FROM t WHERE EXISTS (SELECT 1 FROM c WHERE c.a = t.v)"))
    print(text)
    assert re.search(r"HashJoin semi \(keys: \(?v\)?(::bigint)? = \(?a\)?(::bigint)?", text), text
    assert "Subquery" not in text, text
    assert re.search(r"Pipeline 0: TableScan c -> HashJoin semi \(build\)", text), text
    assert re.search(r"Pipeline 1: TableScan t -> HashJoin semi \(probe\) .*\(after 0\)", text), text
    text = "\n".join(explain(S.conn, "EXPLAIN SELECT id FROM t WHERE NOT EXISTS (SELECT 1 FROM c WHERE c.b < t.v)"))
    print(text)
    assert "NestedLoopJoin anti (filter: (b < v)" in text, text
    assert query(S.conn, "SELECT count(*) FROM t WHERE EXISTS (SELECT 1 FROM c WHERE c.a = t.v)") == [(200,)]


def test_explain_errors(args):
    expect_error(S.conn, "EXPLAIN SELECT * FROM nosuch", "42P01")
    expect_error(S.conn, "EXPLAIN SELECT nosuch FROM t", "42703")


def main():
    args = parse_args()
    with Server(args.server_bin) as srv:
        setup(srv)
        failed = run_tests([test_point_lookup_is_a_range, test_key_ranges, test_full_scan_otherwise,
                            test_codegen_stats_and_cache, test_code_does_not_grow_with_in_lists,
                            test_subqueries, test_explain_errors], args)
        S.conn.close()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
