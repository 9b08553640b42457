#!/usr/bin/env bash
# Peak RSS of the gateway started as `npm start` starts it (192 MB heap) while it streams one huge
# WFS page per format. Usage: DATABASE_URL=postgres://... bench/memory.sh [COUNT]
# The database should hold more observations than fit the heap (docs/benchmarks.md: ~670k rows).
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-1000000}
: "${DATABASE_URL:?set DATABASE_URL to a database with many observations}"
for q in "VERSION=2.0.0&TYPENAMES=reef:Observation&OUTPUTFORMAT=csv" "VERSION=2.0.0&TYPENAMES=reef:Observation" \
         "VERSION=2.0.0&TYPENAMES=reef:Observation&OUTPUTFORMAT=application/json" "VERSION=1.1.0&TYPENAME=reef:Observation" \
         "VERSION=1.0.0&TYPENAME=reef:Observation"; do
  PORT=$((20000 + RANDOM % 10000))
  # WORKERS=1: the peak read below is this pid's, so it must be the process that streams.
  WORKERS=1 PORT=$PORT HOST=127.0.0.1 LOG_LEVEL=warn node --max-old-space-size=192 dist/src/main.js serve >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.5; done
  out=$(curl -s -o /dev/null -w "%{http_code} %{size_download} %{time_total}" \
    "http://127.0.0.1:$PORT/wfs?SERVICE=WFS&REQUEST=GetFeature&$q&COUNT=$COUNT&MAXFEATURES=$COUNT")
  hwm=$(awk '/VmHWM/{print $2}' "/proc/$pid/status" 2>/dev/null || echo dead)
  ready=$(curl -s -o /dev/null -w "%{http_code}" "http://127.0.0.1:$PORT/readyz" || true)
  echo "$q COUNT=$COUNT -> status bytes seconds: $out; peak RSS (VmHWM): ${hwm} kB; readyz $ready"
  kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
done
