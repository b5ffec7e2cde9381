#!/usr/bin/env bash
# Runs the sqllogictest runner against a real, temporary PostgreSQL 15 cluster: the reference for our
# tests' expected results (and the best check of the runner itself).
#
#   tests/sqllogictest/pg_reference.sh [runner args...]
#       e.g.  tests/sqllogictest/pg_reference.sh tests/sql                    check our tests on PostgreSQL
#             tests/sqllogictest/pg_reference.sh --complete tests/sql/null_logic/x.test   fill in results
#             tests/sqllogictest/pg_reference.sh --no-fail ../shared/sqllogictest/evidence
#   PG_REFERENCE_CMD="psql -c 'select 1'" tests/sqllogictest/pg_reference.sh
#       runs any command instead, with PGHOST/PGPORT/PGUSER/PGDATABASE set.
#
# Needs Debian's postgresql-15 (/usr/lib/postgresql/15/bin). The cluster (initdb, encoding UTF8, locale
# C.UTF-8, as in the corpus README) lives in a temporary directory, listens on a free loopback port, runs as
# the `postgres` user when started as root, and is stopped and removed on exit.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
pgbin=/usr/lib/postgresql/15/bin
[ -x "$pgbin/initdb" ] || { echo "pg_reference: $pgbin/initdb not found (apt-get install postgresql-15)" >&2; exit 2; }

as_pg=()
if [ "$(id -u)" -eq 0 ]; then as_pg=(runuser -u postgres --); fi
dir="$(mktemp -d /tmp/omendb-pgref.XXXXXX)"
chmod 755 "$dir"
[ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
port="$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"

cleanup() {
  "${as_pg[@]}" "$pgbin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

"${as_pg[@]}" "$pgbin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 2; }
"${as_pg[@]}" "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/pg.log" -w \
  -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c fsync=off" start >/dev/null \
  || { cat "$dir/pg.log" >&2; exit 2; }

export PGHOST=127.0.0.1 PGPORT="$port" PGUSER=postgres PGDATABASE=postgres
if [ -n "${PG_REFERENCE_CMD:-}" ]; then
  bash -c "$PG_REFERENCE_CMD"
else
  /usr/bin/python3 "$here/runner.py" --host 127.0.0.1 --port "$port" --user postgres --dbname postgres \
    --fresh-database --engine postgresql "$@"
fi
