#!/usr/bin/env bash
# NetCDF export benchmark: every dataset of an imported database to OceanSITES files + THREDDS catalog,
# then a full read-back of the largest file with ncdump. Usage (database imported by bench/import.sh or
# any copy of the 7.6M set):
#   npm run build && bash bench/export-netcdf.sh postgres://root@127.0.0.1:5432/<db>
set -euo pipefail
export DATABASE_URL=${1:?database URL}
OUT=$(mktemp -d /tmp/rg-bench-nc-XXXXXX)
trap 'rm -rf "$OUT"' EXIT
psql "$DATABASE_URL" -Atc "SELECT 'datasets: ' || count(*) || ', observations: ' || sum(obs_count) FROM dataset"
LOG_LEVEL=warn /usr/bin/time -f "wall %e s, peak RSS %M KB" node bin/reefgate.js export-netcdf "$OUT" 2>&1 | grep -v ' records$' || true
du -sh "$OUT" | sed 's/^/output: /'
BIG=$(ls -S "$OUT"/*.nc | head -n 1)
/usr/bin/time -f "ncdump of the largest file: wall %e s" ncdump "$BIG" > /dev/null
