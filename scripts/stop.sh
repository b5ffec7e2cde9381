#!/usr/bin/env bash
# Stops the server started by scripts/start.sh (SIGTERM, then waits up to 30 s for a clean exit).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
pidfile=data/omendb.pid
if [ ! -f "$pidfile" ]; then echo "stop: not running (no $pidfile)"; exit 0; fi
pid="$(cat "$pidfile")"
if ! kill -0 "$pid" 2>/dev/null; then echo "stop: not running (stale pid $pid)"; rm -f "$pidfile"; exit 0; fi
kill -TERM "$pid"
for _ in $(seq 1 300); do
  if ! kill -0 "$pid" 2>/dev/null; then rm -f "$pidfile"; echo "omendb stopped"; exit 0; fi
  sleep 0.1
done
echo "stop: omendb (pid $pid) did not exit within 30 s of SIGTERM; sending SIGKILL" >&2
kill -KILL "$pid" 2>/dev/null || true
rm -f "$pidfile"
exit 1
