"""One SQL case of the cross-type differential test, run over the raw wire protocol and rendered as text.

Shared by gen_sql_cases.py (which asks PostgreSQL 15) and tests/integration/test_sql_differential.py (which
asks OmenDB), so both sides render an answer the same way: the result columns' type OIDs and every value
exactly as the server sent it (text format), or the error's SQLSTATE, message and DETAIL.
"""
import hashlib
import json
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "integration"))
import pgraw  # noqa: E402

# A value longer than this is compared through its length and md5 (keeps the case file small).
LONG = 200


def _value(b):
    if len(b) > LONG:
        return "md5:%s:%d" % (hashlib.md5(b).hexdigest(), len(b))
    return b.decode("utf-8", "backslashreplace")


def answer(msgs):
    """(status, result) of one simple query's messages: ("ok", JSON [oids, rows]) or (SQLSTATE, JSON
    [message, detail]). Only the first statement's answer counts (cases are single statements)."""
    oids, rows = [], []
    for t, b in msgs:
        if t == "E":
            f = pgraw.fields(b)
            return f.get("C"), json.dumps([f.get("M"), f.get("D")], ensure_ascii=False)
        if t == "T":
            n = struct.unpack("!h", b[:2])[0]
            p = 2
            for _ in range(n):
                p = b.index(b"\0", p) + 1
                oids.append(struct.unpack("!ihIhih", b[p:p + 18])[2])
                p += 18
        elif t == "D":
            n = struct.unpack("!h", b[:2])[0]
            p = 2
            row = []
            for _ in range(n):
                ln = struct.unpack("!i", b[p:p + 4])[0]
                p += 4
                if ln < 0:
                    row.append(None)
                else:
                    row.append(_value(b[p:p + ln]))
                    p += ln
            rows.append(row)
    return "ok", json.dumps([oids, rows], ensure_ascii=False)


def run(conn, sql):
    return answer(conn.run(pgraw.query(sql)))


def run_many(conn, sqls, batch=200):
    """Answers of many single-statement queries, pipelined `batch` at a time (each its own Query message, so
    an error ends only its own statement)."""
    out = []
    for i in range(0, len(sqls), batch):
        part = sqls[i:i + batch]
        conn.send(*[pgraw.query(s) for s in part])
        for _ in part:
            out.append(answer(conn.until_ready()))
    return out


def read_cases(path):
    """(setup statements, cases) of a case file: `setup <TAB> sql` and
    `family <TAB> sql <TAB> status <TAB> result` lines; '#' starts a comment line."""
    setup, cases = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            parts = line.split("\t")
            if parts[0] == "setup":
                setup.append(json.loads(parts[1]))
            else:
                family, sql, status, result = parts
                cases.append((family, json.loads(sql), status, result))
    return setup, cases


def read_known(path):
    """The known differences: one case's SQL (as JSON, as in the case file) a line, after '#' comments."""
    known = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                known.append(json.loads(line))
    return known
