#!/usr/bin/python3
"""TPC-H on OmenDB, PostgreSQL 15 (JIT on and off) and SQLite, in one run.

    bench/tpch/run.py --sf 0.1                          generate (once, cached), load, run all 22 queries
    bench/tpch/run.py --sf 1 --engines omendb,pg-jit,pg-nojit,sqlite --repeat 3 --timeout 600
    bench/tpch/run.py --sf 0.01 --engines pg-nojit --write-answers tests/integration/tpch_sf001_answers.json
    bench/tpch/run.py --sf 0.01 --engines omendb --host 127.0.0.1 --port 5433   an OmenDB already running

Data: bench/tpch/dbgen.py writes SF's tables to --data (default /tmp/omendb-tpch-sf<SF>, reused when it is
there). OmenDB: --omendb-bin (default build/omendb) on a temporary data directory and a free port. PostgreSQL:
a throwaway 15 cluster (initdb in a temporary directory, loopback, fsync=off, max_parallel_workers_per_gather
= 0: one core per query, as OmenDB), JIT switched per session (`SET jit = on|off`); both PostgreSQL engines
use the same cluster. SQLite: the python3 sqlite3 module on a file in a temporary directory, with the
per-query dialect rewrites of queries.sqlite_query. Each table is loaded by COPY (psycopg2 copy_expert,
text format; into OmenDB 500k rows per COPY, --omendb-copy-rows, since it buffers a COPY's rows in memory
until commit) or executemany for SQLite, then ANALYZE.

Per repetition, each query runs on every engine in turn (interleaved). Printed: per query, each engine's
median time, its row count or error, and the ratio of each engine's time to OmenDB's. OmenDB's and
PostgreSQL's answers are compared as text (they must be identical); SQLite's after rounding numbers to
2 decimals (its numerics are doubles).
"""
import argparse
import hashlib
import io
import itertools
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import psycopg2
import psycopg2.errors
import psycopg2.extensions

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import dbgen  # noqa: E402
import queries  # noqa: E402

PGBIN = "/usr/lib/postgresql/15/bin"
# Every value as the text the server sent (PostgreSQL's output format), so answers compare exactly.
_TEXT_OIDS = (16, 18, 19, 20, 21, 23, 25, 26, 700, 701, 1042, 1043, 1082, 1083, 1114, 1184, 1186, 1700)
AS_TEXT = psycopg2.extensions.new_type(_TEXT_OIDS, "OMENDB_TPCH_TEXT", lambda v, cur: v)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def pg_connect(host, port, user, dbname):
    c = psycopg2.connect(host=host, port=port, user=user, dbname=dbname, connect_timeout=10)
    c.autocommit = True
    psycopg2.extensions.register_type(AS_TEXT, c)
    return c


def data_dir(sf, seed, path=None):
    """The generated files of sf (generated now unless a complete set is already there)."""
    path = path or os.path.join(tempfile.gettempdir(), "omendb-tpch-sf%g-seed%d" % (sf, seed))
    done = os.path.join(path, ".complete")
    if not os.path.exists(done):
        t0 = time.monotonic()
        dbgen.generate(sf, path, seed, log=log)
        open(done, "w").close()
        log("generated SF %g in %s (%.1f s)" % (sf, path, time.monotonic() - t0))
    return path


def data_md5(data):
    """{table: md5 of its generated file}: the answers hold it, so a generator change shows."""
    out = {}
    for t in dbgen.TABLES:
        h = hashlib.md5()
        with open(os.path.join(data, t + ".tbl"), "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        out[t] = h.hexdigest()
    return out


def schema_statements():
    with open(os.path.join(HERE, "schema.sql")) as f:
        text = "\n".join(l for l in f.read().splitlines() if not l.lstrip().startswith("--"))
    return [s.strip() for s in text.split(";") if s.strip()]


def copy_chunks(cur, table, f, rows):
    """COPY f into table, `rows` lines per COPY statement (each its own transaction under autocommit)."""
    while True:
        chunk = list(itertools.islice(f, rows))
        if not chunk:
            return
        cur.copy_expert("COPY %s FROM STDIN" % table, io.StringIO("".join(chunk)), size=1 << 20)


def load_pg(conn, data, analyze=True, copy_rows=None):
    """Creates the schema and COPYs every table (works for OmenDB and PostgreSQL). Returns seconds per table.
    copy_rows: at most this many rows per COPY (OmenDB buffers a COPY's rows in memory until it commits,
    within omendb.transaction_memory_limit, 1 GB by default: about 1.6M lineitem rows; docs/copy.md)."""
    cur = conn.cursor()
    for t in reversed(dbgen.TABLES):
        cur.execute("DROP TABLE IF EXISTS " + t)
    for s in schema_statements():
        cur.execute(s)
    times = {}
    for t in dbgen.TABLES:
        t0 = time.monotonic()
        with open(os.path.join(data, t + ".tbl")) as f:
            if copy_rows:
                copy_chunks(cur, t, f, copy_rows)
            else:
                cur.copy_expert("COPY %s FROM STDIN" % t, f, size=1 << 20)
        times[t] = time.monotonic() - t0
    if analyze:
        t0 = time.monotonic()
        try:
            cur.execute("ANALYZE")
            times["analyze"] = time.monotonic() - t0
        except psycopg2.errors.FeatureNotSupported:  # OmenDB: 0A000 (it keeps no statistics yet)
            pass
    cur.close()
    return times


def load_sqlite(conn, data):
    times = {}
    for s in schema_statements():
        conn.execute(s)
    for t in dbgen.TABLES:
        t0 = time.monotonic()
        with open(os.path.join(data, t + ".tbl")) as f:
            first = f.readline()
            f.seek(0)
            marks = ",".join("?" * len(first.rstrip("\n").split("\t")))
            conn.executemany("INSERT INTO %s VALUES (%s)" % (t, marks), (l.rstrip("\n").split("\t") for l in f))
        conn.commit()
        times[t] = time.monotonic() - t0
    conn.execute("ANALYZE")
    return times


class PgCluster:
    """A throwaway PostgreSQL 15 cluster (as tests/sqllogictest/pg_reference.sh starts one)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="omendb-tpch-pg-")
        os.chmod(self.dir, 0o755)
        self.as_pg = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        if os.getuid() == 0:
            shutil.chown(self.dir, "postgres")
        self.port = free_port()

    def start(self):
        subprocess.run(self.as_pg + [PGBIN + "/initdb", "-D", self.dir + "/data", "-U", "postgres", "-A", "trust",
                                     "-E", "UTF8", "--locale=C.UTF-8"], check=True, stdout=subprocess.DEVNULL)
        opts = ("-p %d -c listen_addresses=127.0.0.1 -c unix_socket_directories=%s -c fsync=off "
                "-c shared_buffers=512MB -c work_mem=64MB -c max_parallel_workers_per_gather=0 "
                "-c max_wal_size=4GB" % (self.port, self.dir))
        subprocess.run(self.as_pg + [PGBIN + "/pg_ctl", "-D", self.dir + "/data", "-l", self.dir + "/pg.log", "-w",
                                     "-o", opts, "start"], check=True, stdout=subprocess.DEVNULL)
        return self

    def stop(self):
        subprocess.run(self.as_pg + [PGBIN + "/pg_ctl", "-D", self.dir + "/data", "-m", "fast", "-w", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)


class OmenServer:
    def __init__(self, binary, extra=()):
        self.base = tempfile.mkdtemp(prefix="omendb-tpch-")
        self.port = free_port()
        self.log = open(os.path.join(self.base, "omendb.log"), "ab")
        self.proc = subprocess.Popen([binary, "--data-dir", os.path.join(self.base, "data"), "--port", str(self.port),
                                      "--listen", "127.0.0.1"] + list(extra), stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            try:
                pg_connect("127.0.0.1", self.port, "omendb", "omendb").close()
                break
            except psycopg2.OperationalError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(30)
        self.log.close()
        shutil.rmtree(self.base, ignore_errors=True)


def run_pg(conn, sql):
    """(seconds, columns, rows as text) or (seconds, None, 'SQLSTATE message')."""
    cur = conn.cursor()
    t0 = time.monotonic()
    try:
        cur.execute(sql)
        rows = cur.fetchall()
        dt = time.monotonic() - t0
        cols = [d.name for d in cur.description]
        return dt, cols, [list(r) for r in rows]
    except psycopg2.Error as e:
        return time.monotonic() - t0, None, "%s %s" % (e.pgcode, (e.pgerror or str(e)).strip().splitlines()[0])
    finally:
        cur.close()


def run_sqlite(conn, sql, timeout=None):
    """As run_pg; a query running longer than timeout seconds is interrupted (error 'timeout')."""
    t0 = time.monotonic()
    if timeout:
        conn.set_progress_handler(lambda: time.monotonic() - t0 > timeout, 100000)
    try:
        cur = conn.execute(sql)
        rows = cur.fetchall()
        return time.monotonic() - t0, [d[0] for d in cur.description], [list(r) for r in rows]
    except Exception as e:  # noqa: BLE001
        dt = time.monotonic() - t0
        return dt, None, "timeout after %.0f s" % dt if timeout and dt > timeout else "error %s" % e
    finally:
        conn.set_progress_handler(None, 0)


def loose(rows):
    """Rows with numbers as floats and char(n) padding removed: SQLite against PostgreSQL."""
    out = []
    for r in rows:
        o = []
        for v in r:
            try:
                o.append(float(v))
            except (TypeError, ValueError):
                o.append(v.rstrip() if isinstance(v, str) else v)
        out.append(o)
    return out


def unpadded(rows):
    return [[v.rstrip(" ") if isinstance(v, str) else v for v in r] for r in rows]


def same_loosely(a, b):
    """SQLite's answer against PostgreSQL's: numbers within 0.01 + 1e-9 relative (SQLite sums doubles)."""
    a, b = loose(a), loose(b)
    if len(a) != len(b):
        return False
    for ra, rb in zip(a, b):
        if len(ra) != len(rb):
            return False
        for x, y in zip(ra, rb):
            if isinstance(x, float) and isinstance(y, float):
                if abs(x - y) > 0.01 + 1e-9 * abs(y):
                    return False
            elif x != y:
                return False
    return True


def dump_answers(out):
    """JSON with one line per row (readable diffs when an answer changes)."""
    lines = ["{", '"sf": %s, "seed": %s, "engine": %s,' % (json.dumps(out["sf"]), json.dumps(out["seed"]),
                                                         json.dumps(out["engine"])),
             '"data_md5": %s,' % json.dumps(out["data_md5"], sort_keys=True), '"queries": {']
    qs = list(out["queries"].items())
    for i, (q, r) in enumerate(qs):
        lines.append('%s: {"columns": %s, "rows": [' % (json.dumps(q), json.dumps(r["columns"])))
        lines += ["  " + json.dumps(row) + ("," if j + 1 < len(r["rows"]) else "") for j, row in enumerate(r["rows"])]
        lines.append("]}" + ("," if i + 1 < len(qs) else ""))
    lines += ["}", "}"]
    return "\n".join(lines) + "\n"


def parse_queries(spec):
    """'1-22,18b' -> ['1', ..., '22', '18b']."""
    out = []
    for part in spec.split(","):
        if "-" in part:
            a, b = part.split("-")
            out += [str(n) for n in range(int(a), int(b) + 1)]
        else:
            out.append(part)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sf", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--data", help="directory of generated .tbl files (default: a cache under /tmp)")
    ap.add_argument("--engines", default="omendb,pg-jit,pg-nojit,sqlite")
    ap.add_argument("--queries", default="1-22")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--timeout", type=int, default=300, help="statement timeout, seconds (statement_timeout; SQLite: a progress handler)")
    ap.add_argument("--omendb-bin", default=os.path.join(ROOT, "build", "omendb"))
    ap.add_argument("--omendb-arg", action="append", default=[])
    ap.add_argument("--omendb-copy-rows", type=int, default=500000,
                    help="rows per COPY statement into OmenDB (0: one COPY per table)")
    ap.add_argument("--omendb-vacuum", action="store_true", help="VACUUM every table after loading (sealed blocks)")
    ap.add_argument("--host", help="use this running server for the first engine instead of starting one")
    ap.add_argument("--port", type=int)
    ap.add_argument("--user")
    ap.add_argument("--dbname")
    ap.add_argument("--write-answers", help="write the first engine's answers to this JSON file")
    ap.add_argument("--json", help="write every measurement to this JSON file")
    a = ap.parse_args()

    engines = a.engines.split(",")
    qs = parse_queries(a.queries)
    data = data_dir(a.sf, a.seed, a.data)
    conns, cleanup, loads = {}, [], {}
    try:
        pg = None
        for e in engines:
            t0 = time.monotonic()
            if e == "omendb":
                if a.host and e == engines[0]:
                    c = pg_connect(a.host, a.port, a.user or "omendb", a.dbname or "omendb")
                else:
                    srv = OmenServer(a.omendb_bin, a.omendb_arg)
                    cleanup.append(srv.stop)
                    c = pg_connect("127.0.0.1", srv.port, "omendb", "omendb")
                loads[e] = load_pg(c, data, copy_rows=a.omendb_copy_rows)
                if a.omendb_vacuum:
                    for t in dbgen.TABLES:
                        c.cursor().execute("VACUUM " + t)
                c.cursor().execute("SET statement_timeout = %d" % (a.timeout * 1000))
            elif e in ("pg-jit", "pg-nojit"):
                if a.host and e == engines[0]:
                    c = pg_connect(a.host, a.port, a.user or "postgres", a.dbname or "postgres")
                    loads[e] = load_pg(c, data)
                else:
                    if pg is None:
                        pg = PgCluster().start()
                        cleanup.append(pg.stop)
                        c = pg_connect("127.0.0.1", pg.port, "postgres", "postgres")
                        loads[e] = load_pg(c, data)
                    else:
                        c = pg_connect("127.0.0.1", pg.port, "postgres", "postgres")
                c.cursor().execute("SET jit = %s" % ("on" if e == "pg-jit" else "off"))
                c.cursor().execute("SET statement_timeout = %d" % (a.timeout * 1000))
            elif e == "sqlite":
                import sqlite3
                d = tempfile.mkdtemp(prefix="omendb-tpch-sqlite-")
                cleanup.append(lambda d=d: shutil.rmtree(d, ignore_errors=True))
                c = sqlite3.connect(os.path.join(d, "tpch.db"))
                c.execute("PRAGMA cache_size = -262144")
                loads[e] = load_sqlite(c, data)
            else:
                sys.exit("unknown engine %s" % e)
            conns[e] = c
            if e in loads:
                log("loaded %s in %.1f s (%s)" % (e, time.monotonic() - t0,
                                                 ", ".join("%s %.1f" % kv for kv in loads[e].items())))

        results = {e: {} for e in engines}  # engine -> q -> {"times": [...], "cols", "rows"/"error"}
        for rep in range(a.repeat):
            for q in qs:
                for e in engines:
                    sql = queries.sqlite_query(q, a.sf) if e == "sqlite" else queries.query(q, a.sf)
                    r = results[e].setdefault(q, {"times": []})
                    if r.get("error"):
                        continue  # an error repeats: do not wait for a timeout again
                    if e == "sqlite":
                        dt, cols, rows = run_sqlite(conns[e], sql, a.timeout)
                    else:
                        dt, cols, rows = run_pg(conns[e], sql)
                    if cols is None:
                        r["error"] = rows
                    else:
                        r["times"].append(dt)
                        r["cols"], r["rows"] = cols, rows
                log("rep %d Q%s: %s" % (rep + 1, q, "  ".join(
                    "%s %s" % (e, ("%.3fs" % results[e][q]["times"][-1]) if results[e][q]["times"] else "ERR")
                    for e in engines)))

        # Answers compared with the reference (PostgreSQL if it ran, else the first engine).
        ref = next((e for e in engines if e.startswith("pg-")), engines[0])
        print("TPC-H SF %g, seed %d, median of %d; ratio = engine's time / OmenDB's time" % (a.sf, a.seed, a.repeat))
        others = [e for e in engines if e != "omendb"] if "omendb" in engines else []
        header = ["Q"] + engines + ["%s/omendb" % e for e in others] + ["rows", "answer"]
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for q in qs:
            cells, med = [], {}
            for e in engines:
                r = results[e][q]
                if r.get("error"):
                    cells.append("ERR " + r["error"].split()[0])
                else:
                    med[e] = statistics.median(r["times"])
                    cells.append("%.3f s" % med[e])
            ratios = ["%.3g" % (med[e] / med["omendb"]) if e in med and "omendb" in med else "-" for e in others]
            rr = results[ref][q]
            nrows = len(rr["rows"]) if "rows" in rr else "-"
            verdicts = []
            for e in engines:
                if e == ref or "rows" not in results[e][q] or "rows" not in rr:
                    continue
                if e == "sqlite":
                    ok = same_loosely(results[e][q]["rows"], rr["rows"])
                elif results[e][q]["rows"] == rr["rows"]:
                    ok = True
                else:  # OmenDB sends char(n) values without their padding (docs/schema.md)
                    ok = unpadded(results[e][q]["rows"]) == unpadded(rr["rows"])
                    if ok:
                        verdicts.append("%s same but char(n) unpadded" % e)
                if not ok:
                    verdicts.append("%s differs" % e)
            print("| " + " | ".join(["Q%s" % q] + cells + ratios + [str(nrows), ", ".join(verdicts) or "same"]) + " |")
        for e in engines:
            errs = {q: r["error"] for q, r in results[e].items() if r.get("error")}
            for q, msg in errs.items():
                print("%s Q%s: %s" % (e, q, msg))

        if a.write_answers:
            e = engines[0]
            out = {"sf": a.sf, "seed": a.seed, "engine": e, "data_md5": data_md5(data), "queries": {}}
            for q in qs:
                r = results[e][q]
                assert not r.get("error"), "Q%s failed on %s: %s" % (q, e, r["error"])
                out["queries"][q] = {"columns": r["cols"], "rows": r["rows"]}
            with open(a.write_answers, "w") as f:
                f.write(dump_answers(out))
            log("wrote %s" % a.write_answers)
        if a.json:
            with open(a.json, "w") as f:
                json.dump({"sf": a.sf, "loads": loads, "results": {
                    e: {q: {k: v for k, v in r.items() if k != "rows"} for q, r in res.items()}
                    for e, res in results.items()}}, f, indent=1)
    finally:
        for c in conns.values():
            try:
                c.close()
            except Exception:  # noqa: BLE001
                pass
        for fn in reversed(cleanup):
            fn()


if __name__ == "__main__":
    main()
