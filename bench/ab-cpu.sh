#!/usr/bin/env bash
# Two builds side by side: node CPU time per SOS GetObservation (one month) on each, both gateways up,
# taking turns round by round. CPU per request moves far less with the machine's load than req/s does,
# so this separates a change from the noise of a busy box (docs/benchmarks.md, "One core").
#
#   git worktree add --detach /tmp/before <commit> && (cd /tmp/before && npm ci && npm run build)
#   DATABASE_URL=postgres://root@127.0.0.1:5432/rg_bench7m \
#     BEFORE=/tmp/before/dist/src/main.js AFTER=dist/src/main.js bash bench/ab-cpu.sh
#
# Knobs: N (requests per round, 1500), ROUNDS (3), FORMATS (space-separated responseFormats),
# WINDOW (the temporalFilter period, one month of 2020 by default).
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL to a database holding the benchmark set}"
BEFORE=${BEFORE:?compiled main.js of the first build}
AFTER=${AFTER:-dist/src/main.js}
N=${N:-1500}
ROUNDS=${ROUNDS:-3}
FORMATS=${FORMATS:-text/csv application/json http://www.opengis.net/om/2.0}
WINDOW=${WINDOW:-2020-01-01T00:00:00Z/2020-01-31T00:00:00Z}
OFFERING=$(psql -At "$DATABASE_URL" -c "select code from dataset order by obs_count desc, code limit 1")
enc() { node -e 'process.stdout.write(encodeURIComponent(process.argv[1]))' "$1"; }
# utime+stime in clock ticks (100 Hz) of the gateway and its workers (WORKERS > 1: the primary's children)
cpu() { for p in "$1" $(pgrep -P "$1"); do awk '{print $14+$15}' "/proc/$p/stat"; done | awk '{s+=$1} END {print s}'; }

declare -A ENTRY=([before]=$BEFORE [after]=$AFTER) PORT=([before]=18091 [after]=18092) PID=()
for b in before after; do
  DATABASE_URL=$DATABASE_URL PORT=${PORT[$b]} LOG_LEVEL=warn node --max-old-space-size=192 "${ENTRY[$b]}" serve >/dev/null 2>&1 &
  PID[$b]=$!
done
trap 'kill ${PID[before]} ${PID[after]} 2>/dev/null || true' EXIT
for b in before after; do
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:${PORT[$b]}/readyz" >/dev/null && break; sleep 0.5; done
done

echo "| format | round | build | node CPU ms/request | req/s | load |"
echo "|---|---:|---|---:|---:|---:|"
for fmt in $FORMATS; do
  for round in $(seq 1 "$ROUNDS"); do
    for b in before after; do
      url="http://127.0.0.1:${PORT[$b]}/sos?service=SOS&version=2.0.0&request=GetObservation&offering=${OFFERING}&responseFormat=$(enc "$fmt")&temporalFilter=$(enc "om:phenomenonTime,${WINDOW}")"
      c0=$(cpu "${PID[$b]}"); t0=$(date +%s.%N)
      npx --no-install autocannon -c 4 -a "$N" "$url" >/dev/null 2>&1
      c1=$(cpu "${PID[$b]}"); t1=$(date +%s.%N)
      printf '| %s | %d | %s | %.3f | %.0f | %s |\n' "$fmt" "$round" "$b" "$(echo "($c1-$c0)*10/$N" | bc -l)" "$(echo "$N/($t1-$t0)" | bc -l)" "$(cut -d' ' -f1 /proc/loadavg)"
    done
  done
done
