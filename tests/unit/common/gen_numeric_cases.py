#!/usr/bin/env python3
"""Computes the expected answers of numeric_test.cpp on a real PostgreSQL 15.

    PG_REFERENCE_CMD="/usr/bin/python3 tests/unit/common/gen_numeric_cases.py" tests/sqllogictest/pg_reference.sh

writes tests/unit/common/numeric_cases.tsv: one case a line,
    kind <TAB> arg... <TAB> status <TAB> result
status is "ok" (result = PostgreSQL's text output) or the SQLSTATE of the error (result = its primary
message, then " | " and its DETAIL when there is one). Each kind maps to one SQL template below; the C++
test maps it to the num:: function.
"""
import os
import random

import psycopg2

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "numeric_cases.tsv")

SQL = {
    "in": "select %s::numeric::text",
    "add": "select (%s::numeric + %s::numeric)::text",
    "sub": "select (%s::numeric - %s::numeric)::text",
    "mul": "select (%s::numeric * %s::numeric)::text",
    "div": "select (%s::numeric / %s::numeric)::text",
    "mod": "select (%s::numeric %% %s::numeric)::text",
    "neg": "select (- %s::numeric)::text",
    "abs": "select abs(%s::numeric)::text",
    "round": "select round(%s::numeric, %s::int)::text",
    "trunc": "select trunc(%s::numeric, %s::int)::text",
    "ceil": "select ceil(%s::numeric)::text",
    "floor": "select floor(%s::numeric)::text",
    "sign": "select sign(%s::numeric)::text",
    "cmp": "select case when %s::numeric < %s::numeric then '-1' when %s::numeric = %s::numeric then '0' else '1' end",
    "int4": "select %s::numeric::int4::text",
    "int8": "select %s::numeric::int8::text",
    "float8": "select %s::numeric::float8::text",
    "from_float8": "select %s::float8::numeric::text",
    "typmod": "select %s::numeric(%s, %s)::text",
    "sum": "select sum(x)::text from unnest(string_to_array(%s, ' ')::numeric[]) x",
    "avg": "select avg(x)::text from unnest(string_to_array(%s, ' ')::numeric[]) x",
}
ARGS = {"cmp": lambda a: (a[0], a[1], a[0], a[1])}

EDGE = [
    "0", "-0", "0.0", "-0.00", "1", "-1", "1.0", "1.00", "0.1", "0.2", "0.3", "-0.5", "0.5", "1.5", "2.5",
    "-2.5", "9.99", "10", "99.995", "123.456", "-123.456", "1e-7", "1e7", "1.5e-3", "12345678901234567890",
    "-9223372036854775808", "9223372036854775807", "9223372036854775808", "2147483647.5", "-2147483648.5",
    "0.000000000000000000001", "3.14159265358979323846264338327950288", "1e100", "-1e-100", "7", "3", "0.0001",
    "9999.9999", "10000", "100000000", "0.00009999", "NaN", "Infinity", "-Infinity", "1.23456789e20",
]
BAD = ["", " ", "abc", "1e", "e5", ".", "1.2.3", "--1", "+-1", "1 2", "0x10", "infinityx", "NaNa", "1e2147483647",
       "1e-20000", "1_000", "   12.5   ", "  -Inf ", "+nan", "5.", ".5", "-.5e+2", "1E+3", "1e131072"]


def rand_num(r):
    kind = r.random()
    if kind < 0.1:
        return r.choice(EDGE)
    digits = "".join(r.choice("0123456789") for _ in range(r.randint(1, 40)))
    point = r.randint(0, len(digits))
    s = digits[:point] + ("." + digits[point:] if point < len(digits) else "")
    if s.startswith("."):
        s = "0" + s
    if r.random() < 0.4:
        s = "-" + s
    if r.random() < 0.1:
        s += "e" + str(r.randint(-30, 30))
    return s


def cases():
    r = random.Random(20261205)
    for a in EDGE + BAD:
        yield "in", (a,)
    fin = [e for e in EDGE if e not in ("NaN", "Infinity", "-Infinity")]
    for op in ("add", "sub", "mul", "div", "mod", "cmp"):
        for a in EDGE:
            for b in EDGE[::3]:
                yield op, (a, b)
        for _ in range(400):
            yield op, (rand_num(r), rand_num(r))
    for op in ("neg", "abs", "ceil", "floor", "sign", "int4", "int8", "float8"):
        for a in EDGE:
            yield op, (a,)
        for _ in range(100):
            yield op, (rand_num(r),)
    for op in ("round", "trunc"):
        for a in EDGE:
            for n in (-3, -1, 0, 1, 2, 5, 30):
                yield op, (a, str(n))
        for _ in range(200):
            yield op, (rand_num(r), str(r.randint(-5, 25)))
    for f in ["0.1", "0.2", "1e300", "-1e-300", "1.23456789012345678", "123456789012345678", "NaN", "Infinity",
              "-Infinity", "0", "-0", "5e-324", "1.7976931348623157e308", "3.141592653589793", "100", "0.5"]:
        yield "from_float8", (f,)
    for a in fin + ["NaN", "Infinity"]:
        for p, s in ((5, 2), (3, 0), (1, 0), (10, 5), (3, 5), (2, -3), (20, 10), (1000, 0), (4, 4)):
            yield "typmod", (a, str(p), str(s))
    for _ in range(150):
        n = r.randint(1, 8)
        vals = [rand_num(r) for _ in range(n)]
        if r.random() < 0.1:
            vals.append(r.choice(["NaN", "Infinity", "-Infinity"]))
        yield "sum", (" ".join(vals),)
        yield "avg", (" ".join(vals),)


def write_cases(path, sql, cases, args=None, max_result=None):
    """Runs each (kind, args) case's SQL on the server of the environment and writes the TSV to `path`
    (cases whose result is longer than max_result are left out)."""
    conn = psycopg2.connect("")
    conn.autocommit = True
    cur = conn.cursor()
    seen = set()
    with open(path, "w") as out:
        for kind, case_args in cases:
            if (kind, case_args) in seen:
                continue
            seen.add((kind, case_args))
            params = (args or {}).get(kind, lambda a: a)(case_args)
            try:
                cur.execute(sql[kind], params)
                status, result = "ok", cur.fetchone()[0]
            except psycopg2.Error as e:
                status = e.pgcode
                result = e.diag.message_primary
                if e.diag.message_detail:
                    result += " | " + e.diag.message_detail
            if max_result is not None and len(result) > max_result:
                continue
            out.write("\t".join((kind,) + case_args + (status, result)) + "\n")


def main():
    write_cases(OUT, SQL, cases(), ARGS)


if __name__ == "__main__":
    main()
