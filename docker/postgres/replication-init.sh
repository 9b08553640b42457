#!/bin/bash
# Primary side of streaming replication (compose service "db"): the role the standby replicates as,
# and the pg_hba.conf line that lets it in. The postgis/postgres image runs this once, from
# /docker-entrypoint-initdb.d, when it creates the database (empty volume). It is idempotent, so on a
# database created before it existed run it by hand:
#   docker compose exec db bash /docker-entrypoint-initdb.d/20-replication.sh
# Environment: REPLICATION_USER (default replicator), REPLICATION_PASSWORD (required),
# REPLICATION_HBA_ADDRESS (who may replicate: "all", or the standby machine's address/32; default all),
# POSTGRES_USER and POSTGRES_DB (the image's; psql connects as that superuser over the local socket).
set -euo pipefail

: "${REPLICATION_PASSWORD:?REPLICATION_PASSWORD must be set (compose/.env)}"
user="${REPLICATION_USER:-replicator}"
address="${REPLICATION_HBA_ADDRESS:-all}"
psql_() { psql -v ON_ERROR_STOP=1 -X -q --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" "$@"; }

# The role: created, or its password brought in line with .env. Name and password are psql variables
# quoted by format() (%I, %L), never pasted into the SQL text.
psql_ -v user="$user" -v pw="$REPLICATION_PASSWORD" <<'SQL'
SELECT format(CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'user')
                   THEN 'ALTER ROLE %I WITH REPLICATION LOGIN PASSWORD %L'
                   ELSE 'CREATE ROLE %I WITH REPLICATION LOGIN PASSWORD %L' END, :'user', :'pw')
\gexec
SQL

# "all" in the database column of pg_hba.conf does not cover replication connections: they need a line
# of their own. The file is the one the server reads (SHOW hba_file: inside PGDATA in the image).
hba="$(psql_ -tAc 'SHOW hba_file')"
line="host replication ${user} ${address} scram-sha-256"
if ! grep -qxF "$line" "$hba"; then
  printf '# reefgate: the standby (docker/postgres/replication-init.sh)\n%s\n' "$line" >> "$hba"
fi
psql_ -tAc 'SELECT pg_reload_conf()' > /dev/null
echo "replication: role ${user}, pg_hba.conf: ${line}"
