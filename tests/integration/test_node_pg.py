"""node-pg (npm package `pg`, installed by scripts/setup.sh with `npm ci` in tests/integration/node) against
OmenDB: starts a server and runs node/test_node_pg.js against it.

    /usr/bin/python3 tests/integration/test_node_pg.py --server-bin build/omendb
    /usr/bin/python3 tests/integration/test_node_pg.py --host 127.0.0.1 --port 5432 --user postgres --dbname postgres
"""

import argparse
import os
import shutil
import subprocess
import sys

from harness import HERE, ROOT, Server

NODE_DIR = os.path.join(HERE, "node")


def run_node(host, port, user, dbname):
    env = dict(os.environ, PGHOST=host, PGPORT=str(port), PGUSER=user, PGDATABASE=dbname)
    version = subprocess.run(["node", "-e", "console.log(process.version, require('pg/package.json').version)"],
                             cwd=NODE_DIR, capture_output=True, text=True)
    print("node, pg:", version.stdout.strip() or version.stderr.strip())
    r = subprocess.run(["node", "test_node_pg.js"], cwd=NODE_DIR, env=env, timeout=240)
    return r.returncode


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server-bin", default=os.environ.get("OMENDB_BIN", os.path.join(ROOT, "build", "omendb")))
    ap.add_argument("--host", help="run against this running server instead of starting one")
    ap.add_argument("--port", type=int)
    ap.add_argument("--user", default="omendb")
    ap.add_argument("--dbname", default="omendb")
    args = ap.parse_args()
    if not shutil.which("node") or not os.path.isdir(os.path.join(NODE_DIR, "node_modules", "pg")):
        print("node or the pg package is missing: run scripts/setup.sh (npm ci in %s)" % NODE_DIR)
        return 1
    if args.host:
        return run_node(args.host, args.port, args.user, args.dbname)
    with Server(args.server_bin) as srv:
        rc = run_node("127.0.0.1", srv.port, args.user, args.dbname)
        assert srv.alive(), "server died\n" + srv.log_tail()
    return rc


if __name__ == "__main__":
    sys.exit(1 if main() else 0)
