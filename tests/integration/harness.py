"""Tiny shared harness for the integration tests: starts/stops an omendb server on a free port with a
temporary data dir and hands out psycopg2 connections (autocommit: OmenDB refuses BEGIN for now).

Each test file is a plain script: `/usr/bin/python3 test_x.py --server-bin build/omendb`, plain asserts, exit
code 0 on success. ctest runs them (tests/integration/CMakeLists.txt).
"""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

import psycopg2
import psycopg2.extensions

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def parse_args(extra=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--server-bin", default=os.environ.get("OMENDB_BIN", os.path.join(ROOT, "build", "omendb")))
    if extra:
        extra(ap)
    args = ap.parse_args()
    if not os.access(args.server_bin, os.X_OK):
        print("server binary %s not found" % args.server_bin)
        sys.exit(2)
    return args


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    """An omendb process. `with Server(bin) as srv:` starts it and stops it (SIGTERM) at the end."""

    def __init__(self, binary, data_dir=None, port=None, extra_args=(), keep=False, env=None):
        self.binary = binary
        self.env = dict(os.environ, **env) if env else None  # added to the server's environment
        self.own_dir = data_dir is None
        self.base = tempfile.mkdtemp(prefix="omendb-it-")
        self.data_dir = data_dir or os.path.join(self.base, "data")
        self.port = port or free_port()
        self.extra_args = list(extra_args)
        self.keep = keep
        self.proc = None
        self.log_path = os.path.join(self.base, "omendb.log")
        self.log = None

    def start(self, timeout=30):
        self.log = open(self.log_path, "ab")
        cmd = [self.binary, "--data-dir", self.data_dir, "--port", str(self.port), "--listen", "127.0.0.1"] \
            + self.extra_args
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, env=self.env)
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("server exited with %s during start-up\n%s" % (self.proc.returncode, self.log_tail()))
            try:
                c = self.connect(connect_timeout=2)
                cur = c.cursor()
                cur.execute("SELECT 1")
                assert cur.fetchall() == [(1,)]
                c.close()
                return self
            except Exception as e:  # not ready yet
                last = e
                time.sleep(0.1)
        self.kill()
        raise AssertionError("server not ready within %ss: %s\n%s" % (timeout, last, self.log_tail()))

    def connect(self, connect_timeout=10, **kw):
        c = psycopg2.connect(host="127.0.0.1", port=self.port, user=kw.pop("user", "omendb"),
                             dbname=kw.pop("dbname", "omendb"), connect_timeout=connect_timeout, **kw)
        c.autocommit = True
        return c

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=15):
        """Sends `sig` and waits; returns the exit code (asserting the process exited in time)."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("server did not exit within %ss of %s\n%s" % (timeout, sig.name, self.log_tail()))
        code = self.proc.returncode
        self.proc = None
        if self.log:
            self.log.close()
            self.log = None
        return code

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def log_tail(self, n=40):
        try:
            with open(self.log_path, "rb") as f:
                return "\n".join("    | " + l for l in f.read().decode("utf-8", "replace").splitlines()[-n:])
        except OSError:
            return ""

    def cleanup(self):
        self.kill()
        if not self.keep:
            shutil.rmtree(self.base, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, exc_type, exc, tb):
        try:
            if self.proc is not None:
                if exc_type is None:
                    code = self.stop()
                    assert code == 0, "server exited with %s on SIGTERM\n%s" % (code, self.log_tail())
                else:
                    print("server log:\n" + self.log_tail(), file=sys.stderr)
                    self.kill()
        finally:
            if exc_type is None:
                self.cleanup()
            else:
                self.kill()
                print("data dir and log kept in %s" % self.base, file=sys.stderr)
        return False


def query(conn, sql):
    cur = conn.cursor()
    cur.execute(sql)
    rows = cur.fetchall() if cur.description is not None else None
    cur.close()
    return rows


def expect_error(conn, sql, sqlstate):
    """Runs sql, asserting it fails with `sqlstate`; returns the exception."""
    cur = conn.cursor()
    try:
        cur.execute(sql)
    except psycopg2.Error as e:
        assert e.pgcode == sqlstate, "%s: expected %s, got %s %s" % (sql[:200], sqlstate, e.pgcode, e)
        return e
    finally:
        cur.close()
    raise AssertionError("%s: expected error %s, but it succeeded" % (sql[:200], sqlstate))


def fresh(connect, names, *ddl):
    """An autocommit connection after DROP TABLE IF EXISTS of `names` (one name or a list) and the `ddl`."""
    c = connect(True)
    cur = c.cursor()
    for name in [names] if isinstance(names, str) else names:
        cur.execute("DROP TABLE IF EXISTS " + name)
    for d in ddl:
        cur.execute(d)
    return c


def scalar(conn, sql, args=None):
    cur = conn.cursor()
    cur.execute(sql, args)
    return cur.fetchone()[0]


def in_thread(fn):
    """Runs fn() in a thread; returns (thread, result dict with 'value' or 'error')."""
    out = {}

    def run():
        try:
            out["value"] = fn()
        except Exception as e:  # noqa: BLE001
            out["error"] = e

    t = threading.Thread(target=run)
    t.start()
    return t, out


def check_waits(connect, cases, wait=0.5):
    """Each case (first, second, outcome, expected): a session runs `first` in an open transaction, another
    runs `second` in autocommit, which must wait until the first ends by `outcome` ("commit" or "rollback"),
    then succeed ("ok") or fail with the SQLSTATE `expected`."""
    for first, second, outcome, expected in cases:
        s1 = connect(False)
        s1.cursor().execute(first)  # psycopg2 opened a transaction: not committed
        s2 = connect(True)

        def run_second(s2=s2, second=second):
            cur = s2.cursor()
            cur.execute(second)
            return cur.statusmessage

        t, out = in_thread(run_second)
        time.sleep(wait)
        assert t.is_alive(), "%r did not wait for %r: %s" % (second, first, out)
        if outcome == "commit":
            s1.commit()
        else:
            s1.rollback()
        t.join(10)
        assert not t.is_alive(), "%r still waits after the first session's %s" % (second, outcome)
        if expected == "ok":
            assert "error" not in out, "%r after %s of %r: %s" % (second, outcome, first, out.get("error"))
        else:
            assert "error" in out and out["error"].pgcode == expected, \
                "%r after %s of %r: expected %s, got %s" % (second, outcome, first, expected, out)
        s1.close()
        s2.close()


def run_tests(tests, args):
    """Runs each test(args) (or each (name, fn) pair: fn()) in order, printing ok/FAIL; returns the number of failures
    (scripts end with sys.exit(1 if failed else 0), outside any `with Server`)."""
    failed = 0
    for t in tests:
        name, fn = t if isinstance(t, tuple) else (t.__name__, lambda t=t: t(args))
        t0 = time.monotonic()
        try:
            fn()
            print("ok    %s (%.1fs)" % (name, time.monotonic() - t0), flush=True)
        except Exception:
            failed += 1
            print("FAIL  %s (%.1fs)" % (name, time.monotonic() - t0), flush=True)
            traceback.print_exc()
            sys.stdout.flush()
    print("%d passed, %d failed" % (len(tests) - failed, failed))
    return failed


def run_main(tests, extra=None):
    """main() of a test script. Options: --server-bin, --host / --port (run against that server instead
    of starting one), --user, --dbname, --engine (omendb | postgresql: the kind of server at --host), and
    what `extra(ap)` adds. `tests` is a list of test(args) functions (run_tests) or one run(args) function
    returning the number of failures. Against a server started here, args.omendb is True and
    args.server_pid its pid. Returns the number of failures; the caller exits with it."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--server-bin", default=os.environ.get("OMENDB_BIN", os.path.join(ROOT, "build", "omendb")))
    ap.add_argument("--host", help="run against this running server instead of starting one")
    ap.add_argument("--port", type=int)
    ap.add_argument("--user", default="omendb")
    ap.add_argument("--dbname", default="omendb")
    ap.add_argument("--engine", choices=("omendb", "postgresql"), default="omendb")
    if extra:
        extra(ap)
    args = ap.parse_args()
    run = tests if callable(tests) else (lambda a: run_tests(tests, a))
    if args.host:
        args.omendb = args.engine == "omendb"
        args.server_pid = None
        return run(args)
    if not os.access(args.server_bin, os.X_OK):
        print("server binary %s not found" % args.server_bin)
        return 2
    args.host = "127.0.0.1"
    args.omendb = True
    with Server(args.server_bin) as srv:
        args.port = srv.port
        args.server_pid = srv.proc.pid
        failed = run(args)
        assert srv.alive(), "server died\n" + srv.log_tail()
    return failed


def run_main_connected(tests, own_server_tests=()):
    """main() of a script whose tests take connect (connector(args)): each test_x(connect) runs as "x";
    own_server_tests, test_y(server_bin) that start servers of their own (a restart), run only when the
    script started its server itself (not against --host). Returns the number of failures."""
    def name(fn):
        return fn.__name__[len("test_"):] if fn.__name__.startswith("test_") else fn.__name__

    def run(args):
        connect = connector(args)
        pairs = [(name(fn), lambda fn=fn: fn(connect)) for fn in tests]
        if args.server_pid:
            pairs += [(name(fn), lambda fn=fn: fn(args.server_bin)) for fn in own_server_tests]
        return run_tests(pairs, args)
    return run_main(run)


def connector(args):
    """connect(autocommit) for the server of args (--host / --port / --user / --dbname)."""
    def connect(autocommit, **kw):
        c = psycopg2.connect(host=args.host, port=args.port, user=args.user, dbname=args.dbname,
                             connect_timeout=10, **kw)
        c.autocommit = autocommit
        return c
    return connect
