#!/usr/bin/env bash
# Time partitions benchmark (issue 16.4): plain against yearly-partitioned observation, same rows, same run.
#
#   npm run build
#   node ../shared/data/generate.mjs --out /work/benchdata/7m --stations 30 --years 10 --interval-min 30 --gzip     # 7.6M, ~25 s
#   node ../shared/data/generate.mjs --out /work/benchdata/100m --stations 75 --years 20 --interval-min 10 --gzip   # 113M, ~6 min, 690 MB
#   bash bench/partitions.sh /work/benchdata/7m 7m full        # import A/B/A/B from empty, then increments, then reads
#   bash bench/partitions.sh /work/benchdata/100m 100m convert # one import (plain), a copy converted, then increments, then reads
#
# Data sets stay outside the repository. Databases: rg_part_<label>p (plain) and rg_part_<label>x (partitioned),
# kept for inspection: drop them with `KEEP=0` or by hand. Every figure is printed with the load average when
# it was taken (the machine is shared); the layouts take turns so that load falls on both alike.
#   full:    IMPORT_ROUNDS (2) imports of the whole set into a fresh database per layout, alternating
#            (partitioned = `partition-observations` on the empty database, then the import creates the years);
#   reuse:   both databases as a previous run left them (then INCREMENT_FIRST=3 shifts the increments
#            past the years earlier runs added);
#   convert: the plain database imported once (or reused when it holds the set: REUSE=1), then copied
#            (CREATE DATABASE ... TEMPLATE) and converted by `partition-observations` (timed).
# Then both: INCREMENT_ROUNDS (2) increments (the last three months of every series shifted k years on, into
# a year with no partition for k = 1) imported into each layout in turn: the import rate into a table already
# holding the set. Then bench/partitions.mjs (reads, same order rules).
set -euo pipefail
DIR=${1:?data directory}
LABEL=${2:?label, e.g. 7m}
MODE=${3:-full}
SERVER=${SERVER:-postgres://root@127.0.0.1:5432}
IMPORT_ROUNDS=${IMPORT_ROUNDS:-2}
INCREMENT_ROUNDS=${INCREMENT_ROUNDS:-2}
INCREMENT_FIRST=${INCREMENT_FIRST:-1}
PLAIN=rg_part_${LABEL}p
PARTED=rg_part_${LABEL}x
cd "$(dirname "$0")/.."

load() { cut -d' ' -f1-3 /proc/loadavg; }
rows_in() { psql -X "$SERVER/$1" -Atc "SELECT count(*) FROM observation"; }

# Imports DIR into a fresh database $1, partitioned first when $2 = partitioned; prints obs/s.
import_into() {
  local db=$1 layout=$2
  psql -X "$SERVER/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
  DATABASE_URL="$SERVER/$db" node bin/reefgate.js migrate 2>/dev/null
  [ "$layout" = partitioned ] && DATABASE_URL="$SERVER/$db" node bin/reefgate.js partition-observations
  local l0; l0=$(load)
  local t0; t0=$(date +%s.%N)
  DATABASE_URL="$SERVER/$db" node bin/reefgate.js import "$DIR" 2>&1 | grep -v 'rows/s)$' | grep observations
  local t1; t1=$(date +%s.%N)
  local n; n=$(rows_in "$db")
  echo "IMPORT $LABEL $layout: $n rows in $(echo "$t1 - $t0" | bc) s = $(echo "$n / ($t1 - $t0)" | bc) obs/s; load before $l0, after $(load)"
}

if [ "$MODE" = reuse ]; then
  echo "reusing $PLAIN and $PARTED"
elif [ "$MODE" = full ]; then
  for r in $(seq 1 "$IMPORT_ROUNDS"); do
    if [ $((r % 2)) = 1 ]; then order="plain partitioned"; else order="partitioned plain"; fi
    for layout in $order; do
      if [ "$layout" = plain ]; then import_into "$PLAIN" plain; else import_into "$PARTED" partitioned; fi
    done
  done
else
  if [ "${REUSE:-0}" != 1 ]; then import_into "$PLAIN" plain; fi
  psql -X "$SERVER/postgres" -qc "DROP DATABASE IF EXISTS $PARTED WITH (FORCE)"
  l0=$(load); t0=$(date +%s)
  psql -X "$SERVER/postgres" -qc "CREATE DATABASE $PARTED TEMPLATE $PLAIN"
  t1=$(date +%s)
  DATABASE_URL="$SERVER/$PARTED" node bin/reefgate.js partition-observations
  t2=$(date +%s)
  echo "CONVERT $LABEL: copy $((t1 - t0)) s, partition-observations $((t2 - t1)) s; load before $l0, after $(load)"
fi
for db in "$PLAIN" "$PARTED"; do psql -X "$SERVER/$db" -qc "VACUUM ANALYZE"; done

# Increments: the last three months of every series (the generator ends series on 2024-12-31), shifted k
# years on (same rows for both layouts).
INC=$(mktemp -d)
trap 'rm -rf "$INC"' EXIT
for k in $(seq "$INCREMENT_FIRST" $((INCREMENT_FIRST + INCREMENT_ROUNDS - 1))); do
  mkdir -p "$INC/$k"
  psql -X "$SERVER/$PLAIN" -qc "\copy (SELECT d.code AS dataset_id, to_char((o.time + interval '$k year') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS time, o.value, o.qc
      FROM observation o JOIN dataset d ON d.id = o.dataset_id
     WHERE o.time >= '2024-10-01Z' AND o.time < '2025-01-01Z' ORDER BY d.code, o.time) TO '$INC/$k/observations.csv' CSV HEADER"
  if [ $((k % 2)) = 1 ]; then order="$PLAIN $PARTED"; else order="$PARTED $PLAIN"; fi
  for db in $order; do
    l0=$(load); t0=$(date +%s.%N)
    out=$(DATABASE_URL="$SERVER/$db" node bin/reefgate.js import "$INC/$k" 2>&1 | grep -v 'rows/s)$' | grep observations)
    t1=$(date +%s.%N)
    n=$(echo "$out" | grep written | sed -E 's/[^0-9]*([0-9,]+)\/.*/\1/; s/,//g')
    echo "INCREMENT $LABEL +$k year(s) into $db: $n rows in $(echo "$t1 - $t0" | bc) s = $(echo "$n / ($t1 - $t0)" | bc) obs/s; load before $l0, after $(load)"
  done
done

node bench/partitions.mjs "$SERVER/$PLAIN" "$SERVER/$PARTED"
if [ "${KEEP:-1}" = 0 ]; then
  psql -X "$SERVER/postgres" -qc "DROP DATABASE IF EXISTS $PLAIN WITH (FORCE)" -c "DROP DATABASE IF EXISTS $PARTED WITH (FORCE)"
fi
