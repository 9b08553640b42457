#!/usr/bin/env bash
# WORKERS=1 against WORKERS=2 (issue 16): req/s and CPU per request of the same requests, the two
# gateways taking turns round by round so that both see the same machine load. On a shared box req/s
# follows the other jobs; CPU per request (node: the primary and its workers; PostgreSQL: the backends
# of the gateway's pool) says whether a worker costs more per request or only gets more cores.
#
#   npm run build && DATABASE_URL=postgres://root@127.0.0.1:5432/rg_bench7m bash bench/workers.sh
#
# Knobs: ONLY (scenario names, space-separated; default all), ROUNDS (3), DURATION (20 s per run), CONNECTIONS (16), THREADS (2, wrk's), WINDOW (the SOS
# temporalFilter period, a month of 2020), PG_POOL_MAX (10: 10 per gateway as by default, shared out
# by the workers). Needs wrk. Reads only.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?set DATABASE_URL to a database holding the benchmark set}"
DURATION=${DURATION:-20}
# ROUNDS, CONNECTIONS, THREADS; ticks, used, tree, wait_ready, warm_up, measure
source bench/lib/wrk-rounds.sh
WINDOW=${WINDOW:-2020-01-01T00:00:00Z/2020-01-31T00:00:00Z}
OFFERING=$(psql -At "$DATABASE_URL" -c "select code from dataset order by obs_count desc, code limit 1")
DBNAME=$(psql -At "$DATABASE_URL" -c "select current_database()")
enc() { node -e 'process.stdout.write(encodeURIComponent(process.argv[1]))' "$1"; }
# (ticks/used: pool connections live 30 s idle, so few backends come or go in a run.)
# The PostgreSQL backends serving these node processes: their client ports (ss) matched in pg_stat_activity.
backends() {
  local ports
  ports=$(ss -Htnp state established '( dport = :5432 )' | grep -E "pid=($(IFS='|'; echo "$*"))," | awk '{print $3}' | sed 's/.*://' | paste -sd, -)
  [ -n "$ports" ] && psql -At "$DATABASE_URL" -c "select pid from pg_stat_activity where datname = '$DBNAME' and client_port in ($ports)"
}

declare -A SCENARIO=(
  [wfs-capabilities]="/wfs?service=WFS&version=2.0.0&request=GetCapabilities"
  [sos-month-csv]="/sos?service=SOS&version=2.0.0&request=GetObservation&offering=${OFFERING}&responseFormat=$(enc text/csv)&temporalFilter=$(enc "om:phenomenonTime,${WINDOW}")"
  [sos-month-om20]="/sos?service=SOS&version=2.0.0&request=GetObservation&offering=${OFFERING}&responseFormat=$(enc http://www.opengis.net/om/2.0)&temporalFilter=$(enc "om:phenomenonTime,${WINDOW}")"
  [wfs-stations-geojson]="/wfs?service=WFS&version=2.0.0&request=GetFeature&typeNames=reef:Station&outputFormat=$(enc application/json)"
)
declare -A PORT=([1]=18371 [2]=18372) PID=()
for w in 1 2; do
  WORKERS=$w DATABASE_URL=$DATABASE_URL PORT=${PORT[$w]} LOG_LEVEL=warn PG_POOL_MAX=${PG_POOL_MAX:-10} \
    node --max-old-space-size=192 dist/src/main.js serve >/dev/null 2>&1 &
  PID[$w]=$!
done
trap 'kill ${PID[1]} ${PID[2]} 2>/dev/null || true' EXIT
for w in 1 2; do wait_ready "${PORT[$w]}" "${PID[$w]}" "$([ "$w" = 1 ] && echo 0 || echo 2)"; done
sleep 2

echo "| scenario | round | WORKERS | req/s | node CPU ms/request | PostgreSQL CPU ms/request | load (1 min) |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for name in ${ONLY:-${!SCENARIO[@]}}; do
  for round in $(seq 1 "$ROUNDS"); do
    for w in 1 2; do
      url="http://127.0.0.1:${PORT[$w]}${SCENARIO[$name]}"
      warm_up "$url"
      read -ra nodes <<<"$(tree "${PID[$w]}")"
      mapfile -t pg < <(backends "${nodes[@]}")
      n0=$(ticks "${nodes[@]}"); p0=$(ticks "${pg[@]}")
      reqs=$(measure "$url" "$name WORKERS=$w")
      mapfile -t pg < <(backends "${nodes[@]}")
      n1=$(ticks "${nodes[@]}"); p1=$(ticks "${pg[@]}")
      nodeTicks=$(used "$n0" "$n1"); pgTicks=$(used "$p0" "$p1")
      printf '| %s | %d | %d | %.0f | %.3f | %.3f | %s |\n' "$name" "$round" "$w" "$(echo "$reqs/$DURATION" | bc -l)" \
        "$(ms_per_request "$nodeTicks" "$reqs")" "$(ms_per_request "$pgTicks" "$reqs")" "$(cut -d' ' -f1 /proc/loadavg)"
    done
  done
done
