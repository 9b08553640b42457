#!/usr/bin/env bash
# Import benchmark: the 7.6M-observation set into a fresh PostgreSQL/PostGIS database, then the same
# files again (idempotent path). Usage:
#   node ../shared/data/generate.mjs --out /tmp/bench7m --stations 30 --years 10 --interval-min 30 --gzip
#   npm run build && bash bench/import.sh /tmp/bench7m [postgres://root@127.0.0.1:5432]
set -euo pipefail
DIR=${1:?data directory}
SERVER=${2:-postgres://root@127.0.0.1:5432}
DB=rg_bench_import_$$
psql "$SERVER/postgres" -qc "CREATE DATABASE $DB"
trap 'psql "$SERVER/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)"' EXIT
export DATABASE_URL="$SERVER/$DB"
node bin/reefgate.js migrate
echo "== first import (empty database)"
/usr/bin/time -f "wall %e s, peak RSS %M KB" node bin/reefgate.js import "$DIR" 2>&1 | grep -v 'rows/s)$' || true
echo "== second import (same files: nothing may change)"
/usr/bin/time -f "wall %e s, peak RSS %M KB" node bin/reefgate.js import "$DIR" 2>&1 | grep -v 'rows/s)$' || true
psql "$DATABASE_URL" -Atc "SELECT 'observations: ' || count(*) FROM observation" -c "SELECT 'sum(obs_count): ' || sum(obs_count) FROM dataset" -c "SELECT 'runs: ' || string_agg(id || '=' || changed, ', ' ORDER BY id) FROM import_run"
