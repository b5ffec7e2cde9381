#!/usr/bin/env bash
# README's first command: installs what is missing, builds the server and starts it in the background on
# 127.0.0.1:${OMENDB_PORT:-5433} with its data in ./data (log: data/omendb.log, pid: data/omendb.pid).
# Stop it with scripts/stop.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"
port="${OMENDB_PORT:-5433}"
bash scripts/setup.sh
cmake -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -B build -S . >/dev/null
cmake --build build --target omendb

mkdir -p data
pidfile="$root/data/omendb.pid"
if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
  echo "start: omendb is already running (pid $(cat "$pidfile")); scripts/stop.sh stops it" >&2
  exit 1
fi
nohup "$root/build/omendb" --data-dir "$root/data" --port "$port" --listen 127.0.0.1 \
  >>"$root/data/omendb.log" 2>&1 </dev/null &
pid=$!
echo "$pid" >"$pidfile"

# Ready when it accepts a connection and answers SELECT 1.
for _ in $(seq 1 300); do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "start: omendb exited during start-up; last lines of data/omendb.log:" >&2
    tail -n 20 "$root/data/omendb.log" >&2
    rm -f "$pidfile"
    exit 1
  fi
  if /usr/bin/python3 - "$port" <<'PY' 2>/dev/null
import sys, psycopg2
c = psycopg2.connect(host="127.0.0.1", port=int(sys.argv[1]), user="omendb", dbname="omendb", connect_timeout=2)
c.autocommit = True
cur = c.cursor(); cur.execute("SELECT 1"); cur.fetchall(); c.close()
PY
  then
    echo "omendb is running (pid $pid) on 127.0.0.1:$port, data in data/, log in data/omendb.log"
    echo "connect with:  psql -h 127.0.0.1 -p $port -U omendb omendb"
    echo "stop with:     scripts/stop.sh"
    exit 0
  fi
  sleep 0.1
done
echo "start: omendb did not answer within 30 s; last lines of data/omendb.log:" >&2
tail -n 20 "$root/data/omendb.log" >&2
exit 1
