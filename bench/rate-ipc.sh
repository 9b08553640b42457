#!/usr/bin/env bash
# What counting RATE_LIMIT_PER_MINUTE in the primary costs (cluster/rateBroker.ts: one IPC message each
# way per request): two WORKERS=2 gateways, the limit off (0) and on (1000000 per minute, so nothing is
# refused and every request makes the round trip), taking turns round by round so both see the same
# machine load. Cheap requests, where a fixed cost per request shows most. CPU per request: user+system
# time of the primary and its workers over the run, divided by the requests served.
#
#   npm run build && DATABASE_URL=postgres://root@127.0.0.1:5432/rg_x bash bench/rate-ipc.sh
#
# Knobs: ROUNDS (3), DURATION (15 s per run), CONNECTIONS (16), THREADS (2, wrk's). Needs wrk.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?set DATABASE_URL (an empty database is enough: the gateway migrates it)}"
DURATION=${DURATION:-15}
# ROUNDS, CONNECTIONS, THREADS; ticks, used, tree, wait_ready, warm_up, measure
source bench/lib/wrk-rounds.sh

declare -A SCENARIO=(
  [ogcapi-conformance]="/ogcapi/conformance?f=json"
  [wfs-capabilities]="/wfs?service=WFS&version=2.0.0&request=GetCapabilities"
)
declare -A PORT=([0]=18381 [1000000]=18382) PID=()
for limit in 0 1000000; do
  WORKERS=2 RATE_LIMIT_PER_MINUTE=$limit DATABASE_URL=$DATABASE_URL PORT=${PORT[$limit]} LOG_LEVEL=warn \
    node --max-old-space-size=192 dist/src/main.js serve >/dev/null 2>&1 &
  PID[$limit]=$!
done
trap 'kill ${PID[0]} ${PID[1000000]} 2>/dev/null || true' EXIT
for limit in 0 1000000; do wait_ready "${PORT[$limit]}" "${PID[$limit]}" 2; done
sleep 2

echo "| scenario | round | RATE_LIMIT_PER_MINUTE | req/s | node CPU ms/request | load (1 min) |"
echo "|---|---:|---:|---:|---:|---:|"
for name in "${!SCENARIO[@]}"; do
  for round in $(seq 1 "$ROUNDS"); do
    for limit in 0 1000000; do
      url="http://127.0.0.1:${PORT[$limit]}${SCENARIO[$name]}"
      warm_up "$url"
      read -ra nodes <<<"$(tree "${PID[$limit]}")"
      n0=$(ticks "${nodes[@]}")
      reqs=$(measure "$url" "$name limit=$limit")
      n1=$(ticks "${nodes[@]}")
      printf '| %s | %d | %d | %.0f | %.3f | %s |\n' "$name" "$round" "$limit" "$(echo "$reqs/$DURATION" | bc -l)" \
        "$(ms_per_request "$(used "$n0" "$n1")" "$reqs")" "$(cut -d' ' -f1 /proc/loadavg)"
    done
  done
done
