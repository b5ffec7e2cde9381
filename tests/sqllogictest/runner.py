#!/usr/bin/python3
"""OmenDB's sqllogictest runner, over the PostgreSQL wire protocol (psycopg2, simple query protocol).

Runs .test files in SQLite's sqllogictest format, as described in ../shared/sqllogictest/README.md:

  * records separated by blank lines (a line of only spaces/tabs is blank); lines starting with '#' are
    comments and are removed first, even inside a record; CRLF line endings are accepted;
  * ``statement ok`` / ``statement error`` followed by one SQL statement;
  * ``query <types> [nosort|rowsort|valuesort] [label]``, the SQL, ``----``, the expected values (one per
    line) or ``N values hashing to <md5>``; no ``----`` means no rows are expected;
  * ``hash-threshold N``, ``halt``, and the prefixes ``skipif NAME`` / ``onlyif NAME`` (this runner's engine
    name is ``postgresql`` unless ``--engine`` says otherwise; names compare case-insensitively);
  * rendering: NULL -> ``NULL``; ``I`` -> %d, non-integers truncated toward zero, booleans 1/0, text that is
    not a number -> its leading numeric prefix or 0 (like the C runner's atoi); ``R`` -> %.3f (booleans 1.000 /
    0.000); ``T`` -> the text as the server sent it, '' -> ``(empty)``, every character outside 0x20..0x7E ->
    ``@`` (a boolean in a T column is the server's text, ``t``/``f``);
  * rowsort compares rendered rows column by column as byte strings, valuesort sorts all values; the md5 is
    over the (sorted) rendered values, each followed by ``\\n``; either expected form (list or hash) is accepted;
  * queries sharing a label must give the first expected result recorded under that label.

OmenDB extensions (for our own tests under tests/sql; absent from SQLite's corpus):

  * ``statement error <SQLSTATE>``: the statement must fail with exactly this five-character SQLSTATE,
    e.g. ``statement error 23505``. Plain ``statement error`` accepts any error.
  * ``query error [<SQLSTATE>]``: same, written as a query record (the SQL follows, no ``----``), for
    SELECTs that must fail, e.g. ``query error 22012`` / ``SELECT 1/0``.
  * ``hash-threshold 0`` disables hashing (as in SQLite's runner).

Server: either ``--server-bin build/omendb`` (a fresh server on a free port and a fresh temporary data dir
for every file, since each file starts from an empty database; a crash is detected and reported) or
``--host/--port`` of a running server. With ``--fresh-database`` (PostgreSQL only) each file runs in a newly
created database; otherwise the tables/views/indexes a file created are dropped after it.

Modes:
  * default: run, print per-file results and the first failures, end with the line
    ``N passed, N failed, N skipped``; exit 1 if anything failed.
  * ``--no-fail``: for the external corpus: always exit 0 unless the server crashed, and compare the pass
    rate per folder with PostgreSQL 15's figures from the corpus README.
  * ``--dry-run``: parse only (no server), count records per folder and compare with the corpus README.
  * ``--complete``: rewrite the files with the engine's actual results (expected values and, for
    statements, ``ok`` / ``error <SQLSTATE>``): used with tests/sqllogictest/pg_reference.sh to compute our
    tests' expected results on a real PostgreSQL 15.
"""

import argparse
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal, InvalidOperation

try:
    import psycopg2
    import psycopg2.extensions
except ImportError:  # --dry-run works without it
    psycopg2 = None

# ---------------------------------------------------------------------------------------------- parsing


class Record:
    __slots__ = ("kind", "line", "conditions", "sql", "types", "sort", "label", "expected", "sqlstate",
                 "threshold", "header_idx", "sep_idx", "end_idx", "error")

    def __init__(self, kind, line):
        self.kind = kind          # 'statement_ok', 'statement_error', 'query', 'query_error', 'hash', 'halt', 'bad'
        self.line = line          # 1-based line number of the record's first line
        self.conditions = []      # [('skipif'|'onlyif', name)]
        self.sql = ""
        self.types = ""
        self.sort = "nosort"
        self.label = None
        self.expected = None      # list of strings, or ('hash', n, md5)
        self.sqlstate = None
        self.threshold = None
        self.header_idx = None    # 0-based index of the header line in the file's lines (for --complete)
        self.sep_idx = None       # index of '----'
        self.end_idx = None       # index of the record's last line
        self.error = None


HASH_RE = re.compile(r"^(\d+) values hashing to ([0-9a-f]{32})$")
SQLSTATE_RE = re.compile(r"^[0-9A-Z]{5}$")


def read_lines(path):
    with open(path, "rb") as f:
        data = f.read()
    text = data.decode("utf-8", errors="replace")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [l[:-1] if l.endswith("\r") else l for l in lines]


def parse(path, lines=None):
    """Returns the list of records of a file (halt and hash-threshold included, as records)."""
    if lines is None:
        lines = read_lines(path)
    records = []
    group = []  # [(idx, text)]

    def flush():
        if group:
            records.append(make_record(group))
            group.clear()

    for idx, line in enumerate(lines):
        if line.startswith("#"):
            continue
        if line.strip(" \t") == "":
            flush()
            continue
        group.append((idx, line))
    flush()
    return records


def make_record(group):
    pos = 0
    conditions = []
    while pos < len(group):
        words = group[pos][1].split()
        if words and words[0] in ("skipif", "onlyif") and len(words) >= 2:
            conditions.append((words[0], words[1].lower()))
            pos += 1
        else:
            break
    if pos >= len(group):
        r = Record("bad", group[0][0] + 1)
        r.error = "record has only skipif/onlyif lines"
        return r
    idx, header = group[pos]
    words = header.split()
    r = Record("bad", idx + 1)  # reported line: the statement/query line, after any skipif/onlyif lines
    r.conditions = conditions
    r.header_idx = idx
    r.end_idx = group[-1][0]
    body = group[pos + 1:]
    cmd = words[0] if words else ""
    if cmd == "statement" and len(words) >= 2 and words[1] in ("ok", "error"):
        r.kind = "statement_ok" if words[1] == "ok" else "statement_error"
        if r.kind == "statement_error" and len(words) >= 3 and SQLSTATE_RE.match(words[2]):
            r.sqlstate = words[2]
        r.sql = "\n".join(t for _, t in body)
    elif cmd == "query" and len(words) >= 2 and words[1] == "error":
        r.kind = "query_error"
        if len(words) >= 3 and SQLSTATE_RE.match(words[2]):
            r.sqlstate = words[2]
        r.sql = "\n".join(t for _, t in body)
    elif cmd == "query" and len(words) >= 2:
        r.kind = "query"
        r.types = words[1]
        if len(words) >= 3:
            r.sort = words[2]
        if len(words) >= 4:
            r.label = words[3]
        sql_lines, exp = [], None
        for i, t in body:
            if exp is None and t.strip() == "----":
                exp = []
                r.sep_idx = i
            elif exp is None:
                sql_lines.append(t)
            else:
                exp.append(t)
        r.sql = "\n".join(sql_lines)
        exp = exp or []
        if len(exp) == 1 and HASH_RE.match(exp[0].strip()):
            m = HASH_RE.match(exp[0].strip())
            r.expected = ("hash", int(m.group(1)), m.group(2))
        else:
            r.expected = [e.strip() for e in exp]
        if r.sort not in ("nosort", "rowsort", "valuesort"):
            r.kind = "bad"
            r.error = "unknown sort mode %r" % r.sort
        elif not r.types or any(c not in "ITR" for c in r.types):
            r.kind = "bad"
            r.error = "bad type string %r" % r.types
    elif cmd == "hash-threshold" and len(words) >= 2 and words[1].isdigit():
        r.kind = "hash"
        r.threshold = int(words[1])
    elif cmd == "halt":
        r.kind = "halt"
    else:
        r.error = "unknown record %r" % header
    return r


def applies(record, engine):
    for kind, name in record.conditions:
        if kind == "skipif" and name == engine:
            return False
        if kind == "onlyif" and name != engine:
            return False
    return True


# -------------------------------------------------------------------------------------------- rendering

NUM_PREFIX_RE = re.compile(r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")
BOOL_OID = 16


def _number(text):
    """Decimal value of a server text, or of its leading numeric prefix, or 0."""
    try:
        return Decimal(text)
    except InvalidOperation:
        m = NUM_PREFIX_RE.match(text)
        return Decimal(m.group(0)) if m else Decimal(0)


def render(value, letter, oid):
    if value is None:
        return "NULL"
    if letter == "I":
        if oid == BOOL_OID:
            return "1" if value in ("t", "true") else "0"
        if re.match(r"^-?\d+$", value):
            return str(int(value))
        d = _number(value)
        if not d.is_finite():
            return value
        return str(int(d))  # int() truncates toward zero
    if letter == "R":
        if oid == BOOL_OID:
            return "1.000" if value in ("t", "true") else "0.000"
        try:
            f = float(value)
        except ValueError:
            f = float(_number(value))
        return "%.3f" % f
    # T
    if value == "":
        return "(empty)"
    return "".join(c if " " <= c <= "~" else "@" for c in value)


def hash_values(values):
    h = hashlib.md5()
    for v in values:
        h.update(v.encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


def sorted_values(rows, sort):
    if sort == "rowsort":
        rows = sorted(rows)
    values = [v for row in rows for v in row]
    if sort == "valuesort":
        values.sort()
    return values


# -------------------------------------------------------------------------------------------- connections


class ConnectionLost(Exception):
    pass


def _raw(value, cur):
    return value


def register_raw_types():
    # Every value as the server's text, so rendering works on exactly what the server sent.
    oids = (16, 17, 18, 19, 20, 21, 23, 25, 26, 700, 701, 1042, 1043, 1082, 1083, 1114, 1184, 1186, 1266, 1700,
            2950, 114, 3802,
            # arrays of those ('{...}' as sent), and aclitem[]
            1000, 1001, 1002, 1003, 1005, 1007, 1009, 1014, 1015, 1016, 1021, 1022, 1028, 1034, 1115, 1182,
            1183, 1185, 1187, 1231, 1270, 2951, 199, 3807)
    psycopg2.extensions.register_type(psycopg2.extensions.new_type(oids, "OMENDB_RAW", _raw))


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Watchdog:
    """One thread per runner: cancels a statement that runs past its deadline, then cuts the socket."""

    def __init__(self):
        self.lock = threading.Lock()
        self.conn = None
        self.deadline = None
        self.fired = 0  # 0 none, 1 cancel sent, 2 socket shut down
        t = threading.Thread(target=self._loop, daemon=True)
        t.start()

    def arm(self, conn, seconds):
        with self.lock:
            self.conn, self.deadline, self.fired = conn, (time.monotonic() + seconds if seconds else None), 0

    def disarm(self):
        with self.lock:
            self.deadline = None
            fired, self.fired = self.fired, 0
            return fired

    def _loop(self):
        while True:
            time.sleep(0.2)
            with self.lock:
                if self.deadline is None or time.monotonic() < self.deadline:
                    continue
                conn = self.conn
                if self.fired == 0:
                    self.fired = 1
                    self.deadline = time.monotonic() + 5
                    try:
                        conn.cancel()
                    except Exception:
                        pass
                elif self.fired == 1:
                    self.fired = 2
                    self.deadline = None
                    try:
                        s = socket.socket(fileno=os.dup(conn.fileno()))
                        s.shutdown(socket.SHUT_RDWR)
                        s.close()
                    except Exception:
                        pass


class OwnServer:
    def __init__(self, binary, extra_args, keep=False):
        self.binary = binary
        self.extra_args = extra_args
        self.keep = keep
        self.proc = None
        self.dir = None
        self.port = None

    def start(self, timeout=30):
        self.dir = tempfile.mkdtemp(prefix="omendb-slt-")
        self.port = free_port()
        self.log_path = os.path.join(self.dir, "omendb.log")
        self.log = open(self.log_path, "wb")
        cmd = [self.binary, "--data-dir", os.path.join(self.dir, "data"), "--port", str(self.port),
               "--listen", "127.0.0.1"] + self.extra_args
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited with %s during start-up:\n%s" % (self.proc.returncode, self.log_tail()))
            try:
                c = psycopg2.connect(host="127.0.0.1", port=self.port, user="omendb", dbname="omendb", connect_timeout=5)
                c.autocommit = True
                cur = c.cursor()
                cur.execute("SELECT 1")
                cur.fetchall()
                c.close()
                return
            except Exception as e:
                last = e
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("server not ready after %ss: %s\n%s" % (timeout, last, self.log_tail()))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, n=30):
        try:
            with open(self.log_path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
            return "\n".join("    | " + l for l in lines[-n:])
        except OSError:
            return ""

    def stop(self, timeout=15):
        """Stops with SIGTERM; returns None if the exit was clean, else a description of what went wrong."""
        problem = None
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
                    problem = "server did not exit within %ss of SIGTERM (killed)" % timeout
            if problem is None and self.proc.returncode != 0:
                problem = "server exited with %s after SIGTERM" % describe_exit(self.proc.returncode)
            self.log.close()
        if self.dir and not self.keep and problem is None:
            shutil.rmtree(self.dir, ignore_errors=True)
        elif self.dir and problem:
            problem += " (data dir and log kept in %s)" % self.dir
        self.proc = None
        return problem


def describe_exit(code):
    if code is None:
        return "still running"
    if code < 0:
        try:
            return "signal %s" % signal.Signals(-code).name
        except ValueError:
            return "signal %d" % -code
    return "exit code %d" % code


# ------------------------------------------------------------------------------------------- execution


class FileResult:
    def __init__(self, path):
        self.path = path
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.not_run = 0
        self.failures = []   # (line, message)
        self.crash = None    # description of a server crash
        self.timeout = False
        self.seconds = 0.0
        self.pg_like_failures = 0  # failures on records PostgreSQL 15 fails as well


class Runner:
    def __init__(self, args):
        self.args = args
        self.engine = args.engine.lower()
        self.watchdog = Watchdog() if not args.dry_run else None
        self.db_counter = 0

    # --- connection helpers
    def connect(self, host, port, dbname):
        c = psycopg2.connect(host=host, port=port, user=self.args.user, dbname=dbname, connect_timeout=10,
                             application_name="omendb-slt")
        c.autocommit = True
        return c

    def execute(self, conn, sql):
        """Runs one statement; returns (columns, rows) or raises psycopg2.Error / ConnectionLost."""
        cur = conn.cursor()
        self.watchdog.arm(conn, self.args.statement_timeout)
        try:
            cur.execute(sql)
            if cur.description is None:
                return None, None
            rows = cur.fetchall()
            return [(d.name, d.type_code) for d in cur.description], rows
        except psycopg2.Error as e:
            if e.pgcode is None or isinstance(e, psycopg2.InterfaceError) or conn.closed:
                fired = self.watchdog.disarm()
                msg = str(e).strip() or type(e).__name__
                if fired:
                    msg = "statement timeout (%ss): %s" % (self.args.statement_timeout, msg)
                raise ConnectionLost(msg)
            raise
        finally:
            fired = self.watchdog.disarm()
            if fired == 1:
                pass  # cancelled: the error (57014) is reported as the statement's error
            try:
                cur.close()
            except Exception:
                pass

    # --- one file
    def run_file(self, path, tsv_failures):
        res = FileResult(path)
        t0 = time.monotonic()
        lines = read_lines(path)
        records = parse(path, lines)
        server = None
        conn = None
        admin = None
        dbname = self.args.dbname
        created = []
        edits = []
        try:
            if self.args.server_bin:
                server = OwnServer(self.args.server_bin, self.args.server_arg or [], keep=self.args.keep_data)
                try:
                    server.start()
                except Exception as e:
                    res.crash = "server did not start: %s" % e
                    res.failed += 1
                    res.failures.append((0, res.crash))
                    return res
                host, port = "127.0.0.1", server.port
            else:
                host, port = self.args.host, self.args.port
            if self.args.fresh_database:
                admin = self.connect(host, port, self.args.dbname)
                self.db_counter += 1
                dbname = "slt_%d_%d" % (os.getpid(), self.db_counter)
                admin.cursor().execute("DROP DATABASE IF EXISTS %s" % dbname)
                admin.cursor().execute("CREATE DATABASE %s" % dbname)
            try:
                conn = self.connect(host, port, dbname)
            except psycopg2.Error as e:
                res.crash = "cannot connect: %s" % str(e).strip()
                res.failed += 1
                res.failures.append((0, res.crash))
                return res

            threshold = 8
            labels = {}
            halted = False
            for rec in records:
                if halted:
                    if rec.kind in ("statement_ok", "statement_error", "query", "query_error"):
                        res.not_run += 0  # records after halt count as neither
                    continue
                if rec.kind == "bad":
                    res.failed += 1
                    res.failures.append((rec.line, "parse error: %s; the rest of the file is not run" % rec.error))
                    break
                if not applies(rec, self.engine):
                    if rec.kind in ("statement_ok", "statement_error", "query", "query_error"):
                        res.skipped += 1
                    continue
                if rec.kind == "halt":
                    halted = True
                    continue
                if rec.kind == "hash":
                    threshold = rec.threshold
                    continue
                if self.args.max_seconds_per_file and time.monotonic() - t0 > self.args.max_seconds_per_file:
                    res.timeout = True
                    remaining = sum(1 for r in records[records.index(rec):]
                                    if r.kind in ("statement_ok", "statement_error", "query", "query_error"))
                    res.not_run = remaining
                    res.failed += 1
                    res.failures.append((rec.line, "file time limit (%ss) reached: %d records not run"
                                         % (self.args.max_seconds_per_file, remaining)))
                    break
                try:
                    ok, msg = self.run_record(conn, rec, threshold, labels, edits, created)
                except ConnectionLost as e:
                    ok, msg = False, "connection lost: %s" % e
                    alive = None
                    if server:
                        try:  # a dying server may take a moment to exit
                            server.proc.wait(2)
                        except subprocess.TimeoutExpired:
                            pass
                        alive = server.alive()
                    reconnect_error = None
                    if alive is not False:
                        try:
                            conn = self.connect(host, port, dbname)
                        except psycopg2.Error as e2:
                            reconnect_error = str(e2).strip()
                    if alive is False or reconnect_error:
                        what = ("server process died: %s" % describe_exit(server.proc.returncode)) if alive is False \
                            else "server not accepting connections: %s" % reconnect_error
                        res.crash = "%s (at line %d: %s)" % (what, rec.line, one_line(rec.sql))
                        if server:
                            res.crash += "\n  server log tail:\n" + server.log_tail()
                        res.failed += 1
                        res.failures.append((rec.line, "SERVER CRASH: " + what + "\n    SQL: " + one_line(rec.sql, 300)))
                        break
                if ok:
                    res.passed += 1
                else:
                    res.failed += 1
                    if (os.path.relpath(path, self.args.corpus_root) if self.args.corpus_root else None, rec.line) in tsv_failures:
                        res.pg_like_failures += 1
                    res.failures.append((rec.line, msg))
        finally:
            if conn is not None:
                if not self.args.fresh_database and not self.args.server_bin and not res.crash:
                    self.drop_created(conn, created)
                try:
                    conn.close()
                except Exception:
                    pass
            if admin is not None:
                try:
                    admin.cursor().execute("DROP DATABASE IF EXISTS %s" % dbname)
                    admin.close()
                except Exception:
                    pass
            if server is not None:
                problem = server.stop()
                if problem and not res.crash:
                    res.crash = problem + "\n  server log tail:\n" + server.log_tail()
                    res.failed += 1
                    res.failures.append((0, "SERVER: " + problem))
            res.seconds = time.monotonic() - t0
        if self.args.complete and edits:
            apply_edits(path, lines, edits)
        return res

    def drop_created(self, conn, created):
        for kind, name in reversed(created):
            for sql in ("DROP %s IF EXISTS %s CASCADE" % (kind, name), "DROP %s IF EXISTS %s" % (kind, name),
                        "DROP %s %s" % (kind, name)):
                try:
                    self.execute(conn, sql)
                    break
                except psycopg2.Error:
                    continue
                except ConnectionLost:
                    return

    CREATE_RE = re.compile(r"^\s*create\s+(?:unique\s+)?(table|view|index)\s+(?:if\s+not\s+exists\s+)?([A-Za-z_][\w.]*)",
                           re.I)

    def run_record(self, conn, rec, threshold, labels, edits, created):
        """Returns (passed, failure message)."""
        if rec.kind in ("statement_ok", "statement_error", "query_error"):
            try:
                self.execute(conn, rec.sql)
            except psycopg2.Error as e:
                code = e.pgcode
                if self.args.complete:
                    words = "query error" if rec.kind == "query_error" else "statement error"
                    edits.append((rec.header_idx, rec.header_idx, ["%s %s" % (words, code)]))
                if rec.kind == "statement_ok":
                    return False, "statement failed: %s %s\n    SQL: %s" % (code, first_line(e), one_line(rec.sql, 300))
                if rec.sqlstate and code != rec.sqlstate:
                    return False, "expected error %s, got %s %s\n    SQL: %s" % (rec.sqlstate, code, first_line(e),
                                                                            one_line(rec.sql, 300))
                return True, None
            m = self.CREATE_RE.match(rec.sql)
            if m:
                created.append((m.group(1).upper(), m.group(2)))
            if self.args.complete and rec.kind != "statement_ok":
                edits.append((rec.header_idx, rec.header_idx, ["statement ok"]))
            if rec.kind == "statement_ok":
                return True, None
            return False, "statement succeeded but an error%s was expected\n    SQL: %s" % (
                " (%s)" % rec.sqlstate if rec.sqlstate else "", one_line(rec.sql, 300))

        # query
        try:
            cols, rows = self.execute(conn, rec.sql)
        except psycopg2.Error as e:
            return False, "query failed: %s %s\n    SQL: %s" % (e.pgcode, first_line(e), one_line(rec.sql, 300))
        if cols is None:
            return False, "query returned no result set\n    SQL: %s" % one_line(rec.sql, 300)
        if len(cols) != len(rec.types):
            return False, "query returned %d columns, type string %r has %d\n    SQL: %s" % (
                len(cols), rec.types, len(rec.types), one_line(rec.sql, 300))
        rendered = [[render(v, rec.types[i], cols[i][1]) for i, v in enumerate(row)] for row in rows]
        values = sorted_values(rendered, rec.sort)
        if self.args.complete:
            hashed = self.args.complete_hash and threshold > 0 and len(values) > threshold
            new = ["----"] + (["%d values hashing to %s" % (len(values), hash_values(values))] if hashed else values)
            if not values:
                new = []
            if rec.sep_idx is not None:
                edits.append((rec.sep_idx, rec.end_idx, new))
            elif new:
                edits.append((rec.end_idx + 1, rec.end_idx, new))
        msg = None
        exp = rec.expected
        if isinstance(exp, tuple):
            got = (len(values), hash_values(values))
            if got != (exp[1], exp[2]):
                msg = "expected %d values hashing to %s, got %d values hashing to %s" % (exp[1], exp[2], got[0], got[1])
                if len(values) <= 20:
                    msg += ": " + " ".join(values)
        elif [v.strip() for v in values] != exp:  # expected lines are stripped of surrounding spaces
            msg = "wrong result\n    expected: %s\n    got:      %s" % (show(exp), show(values))
        if msg is None and rec.label:
            key = rec.label
            mine = (len(values), hash_values(values))
            if key in labels:
                if labels[key][0] != mine:
                    msg = "result differs from the first query labelled %s (line %d)" % (key, labels[key][1])
            else:
                if isinstance(exp, tuple):
                    labels[key] = ((exp[1], exp[2]), rec.line)
                else:
                    labels[key] = ((len(exp), hash_values(exp)), rec.line)
        if msg:
            return False, msg + "\n    SQL: " + one_line(rec.sql, 300)
        return True, None


def apply_edits(path, lines, edits):
    lines = list(lines)
    for start, end, new in sorted(edits, key=lambda e: e[0], reverse=True):
        lines[start:end + 1] = new
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def first_line(e):
    s = (getattr(e, "pgerror", None) or str(e)).strip().splitlines()
    return s[0] if s else type(e).__name__


def one_line(sql, limit=160):
    s = " ".join(sql.split())
    return s if len(s) <= limit else s[:limit] + "..."


def show(values, limit=30):
    if len(values) > limit:
        return " ".join(values[:limit]) + " ... (%d values)" % len(values)
    return " ".join(values) if values else "(no rows)"


# ------------------------------------------------------------------------------------------- corpus info


def find_corpus_root(paths):
    for p in paths:
        d = os.path.abspath(p if os.path.isdir(p) else os.path.dirname(p))
        while True:
            if os.path.isfile(os.path.join(d, "postgresql-15-failures.tsv")) and os.path.isfile(os.path.join(d, "README.md")):
                return d
            parent = os.path.dirname(d)
            if parent == d:
                break
            d = parent
    return None


def folder_of(rel):
    d = os.path.dirname(rel)
    return d if d else "."


def readme_table(root):
    """{folder: {'records':..,'skip':..,'halt':..,'run':..,'passed':..,'failed':..}} from the corpus README."""
    table = {}
    try:
        with open(os.path.join(root, "README.md")) as f:
            for line in f:
                m = re.match(r"^\|\s*`([^`]+)`[^|]*\|(.*)\|\s*$", line)
                if not m:
                    continue
                cells = [c.strip().replace(",", "").replace("*", "") for c in m.group(2).split("|")]
                if len(cells) < 9:
                    continue
                try:
                    nums = [float(c.rstrip("%")) if "." in c else int(c) for c in cells[:8]]
                except ValueError:
                    continue
                table[m.group(1)] = dict(files=nums[0], records=nums[2], skip=nums[3], halt=nums[4], run=nums[5],
                                         passed=nums[6], failed=nums[7])
    except OSError:
        pass
    return table


def load_tsv(root):
    out = set()
    if not root:
        return out
    try:
        with open(os.path.join(root, "postgresql-15-failures.tsv")) as f:
            next(f)
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) >= 2 and parts[1].isdigit():
                    out.add((parts[0], int(parts[1])))
    except OSError:
        pass
    return out


def collect(paths):
    files = []
    for p in paths:
        if os.path.isdir(p):
            for dirpath, dirnames, filenames in os.walk(p):
                dirnames.sort()
                for n in sorted(filenames):
                    if n.endswith(".test"):
                        files.append(os.path.join(dirpath, n))
        elif os.path.isfile(p):
            files.append(p)
        else:
            print("runner: no such file or directory: %s" % p, file=sys.stderr)
            sys.exit(2)
    return files


def dry_run(args, files):
    engine = args.engine.lower()
    per_folder = {}
    total = dict(records=0, skip=0, halt=0, run=0, statements=0, queries=0, bad=0)
    for path in files:
        records = parse(path)
        rel = os.path.relpath(path, args.corpus_root) if args.corpus_root else path
        key = folder_of(rel) if args.corpus_root else os.path.dirname(path) or "."
        c = per_folder.setdefault(key, dict(files=0, records=0, skip=0, halt=0, run=0, statements=0, queries=0, bad=0))
        c["files"] += 1
        halted = False
        for r in records:
            if r.kind == "bad":
                c["bad"] += 1
                print("%s:%d: %s" % (path, r.line, r.error))
                if not halted:
                    halted = True
                continue
            if r.kind not in ("statement_ok", "statement_error", "query", "query_error"):
                if r.kind == "halt" and applies(r, engine):
                    halted = True
                continue
            c["records"] += 1
            c["statements" if r.kind.startswith("statement") else "queries"] += 1
            if halted:
                c["halt"] += 1
            elif not applies(r, engine):
                c["skip"] += 1
            else:
                c["run"] += 1
    ref = readme_table(args.corpus_root) if args.corpus_root else {}
    print("%-28s %5s %9s %8s %6s %9s  %s" % ("folder", "files", "records", "skipped", "halt", "run", "README"))
    mismatches = 0
    for key in sorted(per_folder):
        c = per_folder[key]
        for k in total:
            total[k] += c[k]
        r = ref.get(key)
        verdict = ""
        if r:
            same = (r["files"], r["records"], r["skip"], r["halt"], r["run"]) == (c["files"], c["records"], c["skip"], c["halt"], c["run"])
            verdict = "matches" if same else "DIFFERS (README: %d files, %d records, %d skipped, %d halt, %d run)" % (
                r["files"], r["records"], r["skip"], r["halt"], r["run"])
            mismatches += 0 if same else 1
        print("%-28s %5d %9d %8d %6d %9d  %s" % (key, c["files"], c["records"], c["skip"], c["halt"], c["run"], verdict))
    print("total: %d records (%d statements, %d queries), %d skipped, %d after halt, %d run, %d parse errors" % (
        total["records"], total["statements"], total["queries"], total["skip"], total["halt"], total["run"], total["bad"]))
    print("%d passed, %d failed" % (len(per_folder) - mismatches if ref else 0, mismatches))
    return 1 if mismatches or total["bad"] else 0


# ------------------------------------------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("paths", nargs="+", help=".test files or directories (searched recursively for *.test)")
    ap.add_argument("--server-bin", help="start this omendb binary for each file (fresh data dir)")
    ap.add_argument("--server-arg", action="append", help="extra argument for the server (repeatable)")
    ap.add_argument("--keep-data", action="store_true", help="keep the temporary data dirs")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=int(os.environ.get("OMENDB_PORT", "5433")))
    ap.add_argument("--user", default="omendb")
    ap.add_argument("--dbname", default="omendb")
    ap.add_argument("--fresh-database", action="store_true",
                    help="CREATE DATABASE for each file (PostgreSQL); default: drop what the file created")
    ap.add_argument("--engine", default="postgresql", help="engine name for skipif/onlyif (default postgresql)")
    ap.add_argument("--statement-timeout", type=float, default=30.0, help="seconds per statement (0: none)")
    ap.add_argument("--max-seconds-per-file", type=float, default=0, help="stop a file after this many seconds")
    ap.add_argument("--no-fail", action="store_true",
                    help="external corpus: exit 0 unless the server crashed; compare with PostgreSQL 15")
    ap.add_argument("--show-failures", type=int, default=5, help="failures printed per file (default 5)")
    ap.add_argument("--dry-run", action="store_true", help="parse and count only")
    ap.add_argument("--complete", action="store_true", help="rewrite the files with the engine's results")
    ap.add_argument("--complete-hash", action="store_true", help="with --complete: hash results over the threshold")
    ap.add_argument("--quiet", action="store_true", help="print only files with failures, and the summary")
    ap.add_argument("--failures-tsv", help="write every failure (file, line, reason) to this TSV file")
    args = ap.parse_args()

    files = collect(args.paths)
    args.corpus_root = find_corpus_root(args.paths)
    if args.dry_run:
        return dry_run(args, files)
    if psycopg2 is None:
        print("runner: psycopg2 is missing: run under /usr/bin/python3 with python3-psycopg2 installed", file=sys.stderr)
        return 2
    if args.server_bin and not os.access(args.server_bin, os.X_OK):
        print("runner: server binary %s not found or not executable" % args.server_bin, file=sys.stderr)
        return 2
    register_raw_types()
    tsv = load_tsv(args.corpus_root) if args.no_fail else set()
    runner = Runner(args)
    tsv_out = open(args.failures_tsv, "w") if args.failures_tsv else None
    if tsv_out:
        tsv_out.write("file\tline\treason\n")
    totals = dict(passed=0, failed=0, skipped=0, not_run=0, pg_like=0)
    crashes = []
    per_folder = {}
    t_start = time.monotonic()
    for path in files:
        res = runner.run_file(path, tsv)
        totals["passed"] += res.passed
        totals["failed"] += res.failed
        totals["skipped"] += res.skipped
        totals["not_run"] += res.not_run
        totals["pg_like"] += res.pg_like_failures
        if res.crash:
            crashes.append((path, res.crash))
        if tsv_out:
            rel = os.path.relpath(path, args.corpus_root) if args.corpus_root else path
            for line, msg in res.failures:
                tsv_out.write("%s\t%d\t%s\n" % (rel, line, " ".join(msg.split())))
        if args.corpus_root:
            key = folder_of(os.path.relpath(path, args.corpus_root))
            f = per_folder.setdefault(key, dict(files=0, passed=0, failed=0, full=0, pg_like=0))
            f["files"] += 1
            f["passed"] += res.passed
            f["failed"] += res.failed
            f["pg_like"] += res.pg_like_failures
            f["full"] += 1 if res.failed == 0 else 0
        status = "CRASH" if res.crash else ("TIMEOUT" if res.timeout else ("FAIL" if res.failed else "ok"))
        if args.quiet and status == "ok":
            continue
        print("%-7s %s: %d passed, %d failed, %d skipped%s (%.1fs)" % (
            status, path, res.passed, res.failed, res.skipped,
            ", %d not run" % res.not_run if res.not_run else "", res.seconds), flush=True)
        if res.crash:
            print("  !!! SERVER CRASH in %s: %s" % (path, res.crash), flush=True)
        for line, msg in res.failures[:args.show_failures]:
            print("  %s:%d: %s" % (path, line, msg))
        if len(res.failures) > args.show_failures:
            print("  ... %d more failures" % (len(res.failures) - args.show_failures))
        sys.stdout.flush()

    if tsv_out:
        tsv_out.close()
    if args.no_fail and per_folder:
        ref = readme_table(args.corpus_root)
        print()
        print("%-26s %9s %9s %8s   %s" % ("folder", "passed", "failed", "rate", "PostgreSQL 15 (README)"))
        for key in sorted(per_folder):
            f = per_folder[key]
            run = f["passed"] + f["failed"]
            rate = 100.0 * f["passed"] / run if run else 0.0
            r = ref.get(key)
            pg = ""
            if r:
                pg_rate = 100.0 * r["passed"] / r["run"] if r["run"] else 0.0
                pg = "%.2f%% (%d/%d, all %d files)" % (pg_rate, r["passed"], r["run"], r["files"])
            print("%-26s %9d %9d %7.2f%%   %s   [%d/%d files fully passed; %d failures also fail on PG15]" % (
                key, f["passed"], f["failed"], rate, pg, f["full"], f["files"], f["pg_like"]))
        run = totals["passed"] + totals["failed"]
        print("total pass rate: %.2f%% (PostgreSQL 15 on the whole selection: 99.51%%)" % (
            100.0 * totals["passed"] / run if run else 0.0))
    if crashes:
        print()
        print("!!! %d SERVER CRASH(ES) — a crash is never acceptable:" % len(crashes))
        for path, what in crashes:
            print("  %s: %s" % (path, what.splitlines()[0]))
    if totals["not_run"]:
        print("%d records not run (file time limit)" % totals["not_run"])
    print("%d files in %.1fs" % (len(files), time.monotonic() - t_start))
    print("%d passed, %d failed, %d skipped" % (totals["passed"], totals["failed"], totals["skipped"]))
    sys.stdout.flush()
    if crashes:
        return 1
    if args.no_fail:
        return 0
    return 1 if totals["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
