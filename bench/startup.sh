#!/usr/bin/env bash
# Time from `npm start` (embedded PGlite, fresh data directory) to /readyz answering 200, and for a
# second start on the same directory. Usage: npm ci && bash bench/startup.sh [PORT]
set -euo pipefail
PORT=${1:-18080}
DIR=$(mktemp -d)
trap 'kill -- -$PID 2>/dev/null || true; rm -rf "$DIR"' EXIT
measure() {
  local t0; t0=$(date +%s.%N)
  # Own process group, so SIGTERM reaches the node process behind npm.
  env -u DATABASE_URL PORT=$PORT HOST=127.0.0.1 DATA_DIR="$DIR" LOG_LEVEL=warn setsid npm start --silent >/dev/null 2>&1 &
  PID=$!
  until curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; do sleep 0.2; done
  echo "$1: ready after $(echo "$(date +%s.%N) - $t0" | bc) s"
  kill -TERM -- -$PID; wait $PID || true
  while curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; do sleep 0.2; done
}
measure "first start (creates PostGIS, loads demo data)"
measure "second start (same data directory)"
