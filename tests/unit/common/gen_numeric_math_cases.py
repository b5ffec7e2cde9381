#!/usr/bin/env python3
"""Computes the expected answers of numeric_math_test.cpp on a real PostgreSQL 15.

    PG_REFERENCE_CMD="/usr/bin/python3 tests/unit/common/gen_numeric_math_cases.py" tests/sqllogictest/pg_reference.sh

writes tests/unit/common/numeric_math_cases.tsv in numeric_cases.tsv's format (kind, args, status, result):
the numeric sqrt, exp, ln, log, power, div, gcd, lcm, trim_scale and min_scale over edge values and random
ones, for their digits and their result scales.
"""
import os
import random

from gen_numeric_cases import write_cases

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "numeric_math_cases.tsv")

SQL = {
    "sqrt": "select sqrt(%s::numeric)::text",
    "exp": "select exp(%s::numeric)::text",
    "ln": "select ln(%s::numeric)::text",
    "log10": "select log(%s::numeric)::text",
    "log": "select log(%s::numeric, %s::numeric)::text",
    "power": "select power(%s::numeric, %s::numeric)::text",
    "div_trunc": "select div(%s::numeric, %s::numeric)::text",
    "gcd": "select gcd(%s::numeric, %s::numeric)::text",
    "lcm": "select lcm(%s::numeric, %s::numeric)::text",
    "trim_scale": "select trim_scale(%s::numeric)::text",
    "min_scale": "select coalesce(min_scale(%s::numeric)::text, 'NULL')",
}

EDGE = [
    "0", "0.0", "1", "1.00", "-1", "2", "0.5", "-0.5", "10", "100", "1e-7", "1e7", "0.9", "1.1", "0.99999999",
    "1.00000001", "2.718281828459045", "3.14159265358979323846264338327950288", "12345678901234567890",
    "123456789012345678901234567890.123456789", "1e-100", "1e100", "7", "0.001", "9999.9999", "1e-1000", "1e1000",
    "NaN", "Infinity", "-Infinity", "-7.5",
]


def rand_num(r, digits=30, signed=True):
    if r.random() < 0.15:
        return r.choice(EDGE)
    d = "".join(r.choice("0123456789") for _ in range(r.randint(1, digits)))
    point = r.randint(0, len(d))
    s = d[:point] + ("." + d[point:] if point < len(d) else "")
    if s.startswith("."):
        s = "0" + s
    if signed and r.random() < 0.25:
        s = "-" + s
    if r.random() < 0.15:
        s += "e" + str(r.randint(-40, 40))
    return s


def cases():
    r = random.Random(20261206)
    for op in ("sqrt", "exp", "ln", "log10", "trim_scale", "min_scale"):
        for a in EDGE:
            yield op, (a,)
        for _ in range(120):
            yield op, (rand_num(r, signed=op not in ("sqrt", "ln", "log10")),)
    for _ in range(60):  # exp near its limits and of small values
        yield "exp", (str(round(r.uniform(-6100, 6100), r.randint(0, 12))),)
        yield "exp", (str(round(r.uniform(-3, 3), r.randint(0, 30))),)
    for op in ("log", "power", "div_trunc", "gcd", "lcm"):
        for a in EDGE[::2]:
            for b in EDGE[::3]:
                yield op, (a, b)
        for _ in range(150):
            yield op, (rand_num(r, 20, signed=op != "log"), rand_num(r, 20, signed=op != "log"))
    for _ in range(150):  # power with integer and small fractional exponents, and bases near 1
        base = rand_num(r, 12)
        yield "power", (base, str(r.randint(-40, 40)))
        yield "power", (rand_num(r, 12, signed=False), str(round(r.uniform(-30, 30), r.randint(1, 8))))
        yield "power", ("1." + "0" * r.randint(0, 10) + str(r.randint(1, 99)), str(r.randint(1, 100000)))


def main():
    # results longer than 1,200 characters (huge powers) are left out: their digits add little
    write_cases(OUT, SQL, cases(), max_result=1200)


if __name__ == "__main__":
    main()
