#!/usr/bin/python3
"""pgjdbc (Debian libpostgresql-jdbc-java, with a headless JDK; scripts/setup.sh installs both) against
OmenDB: runs java/JdbcTest.java (in the JDK's source-file mode) against a server it starts.

    /usr/bin/python3 tests/integration/test_jdbc.py --server-bin build/omendb [--only TEST ...]
    /usr/bin/python3 tests/integration/test_jdbc.py --host 127.0.0.1 --port 5432 --user postgres \\
        --dbname postgres --engine postgresql

The second form runs the same Java checks against PostgreSQL 15 (tests/sqllogictest/pg_reference.sh starts
one): there every test, the pending ones too, must pass. What does not work on OmenDB yet is listed in
JdbcTest.java (the pending tests) and docs/clients.md.
"""

import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import HERE, run_main  # noqa: E402

JAR = "/usr/share/java/postgresql.jar"
SOURCE = os.path.join(HERE, "java", "JdbcTest.java")


def run(args):
    java = shutil.which("java")
    if not java or not os.path.exists(JAR):
        print("java or %s is missing: run scripts/setup.sh (default-jdk-headless, libpostgresql-jdbc-java)" % JAR)
        return 1
    cmd = [java, "-Duser.timezone=" + args.java_timezone, "-cp", JAR, SOURCE, args.host, str(args.port), args.user,
           args.dbname, "omendb" if args.omendb else "postgresql"] + args.only
    r = subprocess.run(cmd, timeout=240)
    return r.returncode


def extra(ap):
    ap.add_argument("--only", nargs="*", default=[], help="run only these tests of JdbcTest.java")
    # pgjdbc sends the JVM's time zone as the session's TimeZone at startup: not UTC, so that timestamptz
    # values cross a real offset.
    ap.add_argument("--java-timezone", default="America/New_York")


if __name__ == "__main__":
    sys.exit(1 if run_main(run, extra) else 0)
