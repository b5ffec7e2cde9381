#!/usr/bin/env python3
"""Writes the seed corpora of pgwire_fuzz and sql_fuzz (tests/fuzz/README.md).

usage: make_text_seeds.py <repo root>
  tests/fuzz/corpus/pgwire/: one valid message of each frontend type (startup packet, SSLRequest,
    CancelRequest, Query, Parse, Bind, Describe, Execute, Sync, Close, Flush, Terminate), a whole
    extended-protocol exchange and garbage.
  tests/fuzz/corpus/sql/: statements written for the fuzzer's fixed schema (t1, t2; see sql_fuzz.cpp)
    and the first four statements of each tests/sql/**/*.test file.
"""
import hashlib
import pathlib
import re
import struct
import sys

root = pathlib.Path(sys.argv[1])


def write(dir_, name, data):
    dir_.mkdir(parents=True, exist_ok=True)
    (dir_ / name).write_bytes(data)


def msg(t, body):
    return t + struct.pack("!I", len(body) + 4) + body


def cstr(s):
    return s.encode() + b"\0"


def startup(params, version=3 << 16):
    body = struct.pack("!I", version) + b"".join(cstr(k) + cstr(v) for k, v in params) + b"\0"
    return struct.pack("!I", len(body) + 4) + body


def i16(v):
    return struct.pack("!h", v)


def i32(v):
    return struct.pack("!i", v)


pg = root / "tests/fuzz/corpus/pgwire"
st = startup([("user", "alice"), ("database", "omendb"), ("application_name", "psql")])
parse = msg(b"P", cstr("s1") + cstr("SELECT $1::int + $2") + i16(2) + i32(23) + i32(0))
bind = msg(b"B", cstr("p1") + cstr("s1") + i16(1) + i16(0) + i16(2) + i32(1) + b"7" + i32(-1)
           + i16(1) + i16(1))
describe = msg(b"D", b"S" + cstr("s1"))
execute = msg(b"E", cstr("p1") + i32(10))
sync = msg(b"S", b"")
close = msg(b"C", b"P" + cstr("p1"))
flush = msg(b"H", b"")
terminate = msg(b"X", b"")
query = msg(b"Q", cstr("SELECT 1; SELECT 'a'"))
seeds = {
    "startup": st,
    "startup_pq_options": startup([("user", "bob"), ("_pq_.compression", "on")], (3 << 16) | 1),
    "ssl_request": struct.pack("!II", 8, (1234 << 16) | 5679) + st,
    "gssenc_request": struct.pack("!II", 8, (1234 << 16) | 5680) + st,
    "cancel_request": struct.pack("!IIii", 16, (1234 << 16) | 5678, 42, 12345),
    "query": b"R" + query,
    "parse": b"R" + parse,
    "bind": b"R" + bind,
    "describe_statement": b"R" + describe,
    "describe_portal": b"R" + msg(b"D", b"P" + cstr("")),
    "execute": b"R" + execute,
    "sync": b"R" + sync,
    "close": b"R" + close,
    "flush": b"R" + flush,
    "terminate": b"R" + terminate,
    "session": st + query + parse + bind + describe + execute + flush + close + sync + terminate,
    "garbage": bytes(range(256)),
}
for name, data in seeds.items():
    write(pg, name, data)

# ---- SQL ----
sql_dir = root / "tests/fuzz/corpus/sql"
own = [
    "SELECT * FROM t1 ORDER BY id",
    "SELECT a, count(*), sum(b), min(c), max(e) FROM t1 GROUP BY a ORDER BY 1",
    "SELECT t1.id, t2.z FROM t1, t2 WHERE t1.id = t2.k",
    "SELECT DISTINCT d FROM t1 WHERE c IS NOT NULL",
    "SELECT id FROM t1 WHERE id BETWEEN 2 AND 4 AND a IN (10, 20, NULL) ORDER BY id DESC LIMIT 2 OFFSET 1",
    "SELECT CASE WHEN a > 0 THEN 'pos' WHEN a < 0 THEN 'neg' ELSE NULL END, a / 0 FROM t1",
    "SELECT x + 1, x * 2, -x FROM t2",
    "SELECT CAST(b AS INT), CAST(c AS BIGINT), e::text || c FROM t1",
    "SELECT avg(y), count(DISTINCT w), bool_and(w) FROM t2 GROUP BY w HAVING count(*) > 0",
    "BEGIN; UPDATE t1 SET a = a + 1 WHERE id = 1; DELETE FROM t2 WHERE k > 2; SELECT * FROM t2; COMMIT",
    "BEGIN ISOLATION LEVEL SERIALIZABLE; INSERT INTO t1 VALUES (9, 1, 2, 'n', true, 'x'); ROLLBACK",
    "INSERT INTO t1 (id, c) VALUES (1, 'dup')",
    "INSERT INTO t2 VALUES (7, NULL, 1, 'z', true)",
    "UPDATE t1 SET e = 'too long for eight' WHERE id = 2",
    "PREPARE q(int) AS SELECT * FROM t2 WHERE k = $1; EXECUTE q(1); DEALLOCATE q",
    "SET omendb.query_memory_limit = '1MB'; SELECT c FROM t1 ORDER BY c",
    "SHOW transaction_isolation",
    "CREATE TABLE t3 (a INT PRIMARY KEY, b TEXT NOT NULL); INSERT INTO t3 SELECT id, c FROM t1 WHERE c IS NOT NULL",
    "DROP TABLE t2; SELECT * FROM t2",
    "SELECT 1 WHERE NULL AND (NULL OR true) AND NOT false",
    "SELECT 'abc' < 'abd', 1.0 / 3, 9223372036854775807 + 1",
    "WITH RECURSIVE r AS (SELECT 1) SELECT * FROM r",
    "SELECT lower(c), length(c), substr(c, 2) FROM t1",
    ";;",
    "",
]
stmts = list(own)
# statements from the sqllogictest files
head = re.compile(r"^(statement|query)\b")
for test in sorted((root / "tests/sql").rglob("*.test")):
    lines = test.read_text().splitlines()
    i = 0
    taken = 0
    while i < len(lines) and taken < 4:
        if head.match(lines[i]):
            j = i + 1
            body = []
            while j < len(lines) and lines[j].strip() and lines[j] != "----":
                body.append(lines[j])
                j += 1
            if body:
                stmts.append("\n".join(body))
                taken += 1
            i = j
        else:
            i += 1
seen = set()
for s in stmts:
    data = s.encode()
    if len(data) > 4096 or data in seen:
        continue
    seen.add(data)
    write(sql_dir, hashlib.sha1(data).hexdigest()[:16], data)
print(f"pgwire: {len(seeds)} seeds, sql: {len(seen)} seeds")
