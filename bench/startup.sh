#!/usr/bin/env bash
# Time from `npm start` (embedded PGlite, fresh data directory) to /readyz answering 200, and for a
# second start on the same directory, each with the phases the gateway logs ("start-up: <phase> done
# in N s"), its peak RSS (VmHWM) when ready and the load average (the machine may be shared).
# Usage: npm ci && bash bench/startup.sh [PORT]
set -euo pipefail
PORT=${1:-18080}
DIR=$(mktemp -d)
LOG=$(mktemp)
trap 'kill -- -$PID 2>/dev/null || true; rm -rf "$DIR" "$LOG"' EXIT
measure() {
  local t0; t0=$(date +%s.%N)
  # Own process group, so SIGTERM reaches the node process behind npm. Info level: the phase lines.
  env -u DATABASE_URL PORT=$PORT HOST=127.0.0.1 DATA_DIR="$DIR" LOG_LEVEL=info setsid npm start --silent >"$LOG" 2>&1 &
  PID=$!
  until curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; do sleep 0.2; done
  local ready; ready=$(echo "$(date +%s.%N) - $t0" | bc)
  local node; node=$(pgrep -g "$PID" -f '^node .*dist/src/main.js serve' | head -1)
  echo "$1: ready after ${ready} s; peak RSS $(awk '/VmHWM/{printf "%d MiB", $2/1024}' "/proc/$node/status"); load average $(cut -d' ' -f1-3 /proc/loadavg)"
  node -e '
    for (const l of require("fs").readFileSync(process.argv[1], "utf8").split("\n")) {
      try {
        const o = JSON.parse(l);
        if (o.msg && o.msg.startsWith("start-up: ") && o.seconds !== undefined) console.log(`  ${String(o.seconds).padStart(5)} s  ${o.phase}`);
        if (o.msg === "ready") console.log(`  ${String(o.seconds).padStart(5)} s  total logged by the gateway (from process start)`);
      } catch {}
    }' "$LOG"
  grep -q 'full PostGIS bundle' "$LOG" && echo "  (the full PostGIS bundle was loaded: run npm run pglite-template)"
  kill -TERM -- -$PID; wait $PID || true
  while curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; do sleep 0.2; done
}
measure "first start (creates the database, loads demo data)"
measure "second start (same data directory)"
