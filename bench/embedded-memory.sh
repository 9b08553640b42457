#!/usr/bin/env bash
# Memory of the embedded gateway (PGlite) under its heaviest requests: starts it exactly as `npm start`
# does (no DATABASE_URL, fresh DATA_DIR under /tmp, demo network), then per request kind sends N copies
# at once and reports their status and size, the highest VmRSS sampled each second, and afterwards
# VmRSS, VmHWM (peak since start, start-up included) and PGlite's WebAssembly memory from /metrics.
# Usage: npm ci && bash bench/embedded-memory.sh [N]     (other settings from the environment,
# e.g. MAX_HEAVY_REQUESTS=2 bash bench/embedded-memory.sh 8)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-8}
PORT=${PORT:-18090}
DIR=$(mktemp -d /tmp/reefgate-embedded-memory-XXXX)
trap 'kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -rf "$DIR"' EXIT
START=$(node -p 'require("./package.json").scripts.start')
# shellcheck disable=SC2086 # the start script is a plain command line (node, flags, file, serve)
env -u DATABASE_URL PORT=$PORT HOST=127.0.0.1 DATA_DIR="$DIR/data" LOG_LEVEL=info $START >"$DIR/log" 2>&1 &
PID=$!
until curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; do
  kill -0 "$PID" 2>/dev/null || { echo "gateway exited"; tail -20 "$DIR/log"; exit 1; }
  sleep 0.5
done
B="http://127.0.0.1:$PORT"
mem() {
  awk '/^VmRSS|^VmHWM/{printf "%s %d MiB, ", $1, $2/1024}' "/proc/$PID/status"
  curl -s "$B/metrics" | awk '/^reefgate_pglite_wasm_memory_bytes/{printf "WebAssembly memory %d MiB", $2/1048576}'
}
echo "$START, fresh DATA_DIR, N=$N, MAX_HEAVY_REQUESTS=${MAX_HEAVY_REQUESTS:-8 (default)}"
echo "ready: $(mem); load average $(cut -d' ' -f1-3 /proc/loadavg)"
TOTAL=$(curl -s "$B/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=reef:Observation&RESULTTYPE=hits" | grep -o 'numberMatched="[0-9]*"' | grep -o '[0-9]*')
PAGE="wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=reef:Observation&COUNT=$TOTAL"
for q in "$PAGE&OUTPUTFORMAT=csv" "$PAGE" "$PAGE&OUTPUTFORMAT=application/json" \
         "wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=reef:Observation&SORTBY=value%20DESC" \
         "sos?service=SOS&version=2.0.0&request=GetObservation&responseFormat=text/csv" \
         "sos?service=SOS&version=2.0.0&request=GetObservation&temporalFilter=om:phenomenonTime,latest"; do
  pids=()
  for i in $(seq 1 "$N"); do curl -s -o /dev/null -w "%{http_code} %{size_download}\n" "$B/$q" >"$DIR/c$i" & pids+=($!); done
  max=0
  while kill -0 "${pids[0]}" 2>/dev/null; do
    rss=$(awk '/^VmRSS/{print $2}' "/proc/$PID/status"); [ "$rss" -gt "$max" ] && max=$rss
    sleep 1
  done
  wait "${pids[@]}"
  echo "$N x /${q:0:100}: $(sort "$DIR"/c* | uniq -c | tr -s ' \n' ' '); highest VmRSS sampled $((max / 1024)) MiB"
done
echo "after: $(mem); load average $(cut -d' ' -f1-3 /proc/loadavg)"
grep -q 'full PostGIS bundle' "$DIR/log" && echo "(the full PostGIS bundle was loaded: run npm run pglite-template)"
grep -E '"level":(40|50)' "$DIR/log" | cut -c1-300 || true
