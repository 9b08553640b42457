#!/bin/bash
# Entrypoint of the hot standby (compose service "db-standby"): on its first start, with no data
# directory yet, it copies the primary with pg_basebackup -R (which writes standby.signal and
# primary_conninfo), then it runs PostgreSQL as a hot standby streaming from the primary. Later starts
# find the data directory and start at once; the standby catches up from the primary (the replication
# slot keeps the WAL it has not received, up to the primary's max_slot_wal_keep_size). The password
# stays out of the copy: primary_conninfo names no password, libpq finds it in PGPASSFILE.
#
# The copy is made in "$PGDATA.partial" and renamed to "$PGDATA" only when complete, so an interrupted
# first start (container killed, primary gone) starts over instead of running on half a copy.
# Arguments are passed to postgres (e.g. -c max_connections=200).
#
# Environment: PGDATA (a directory below the volume, so the rename stays on one file system),
# PRIMARY_HOST, PRIMARY_PORT (default 5432), REPLICATION_USER (default replicator),
# REPLICATION_PASSWORD, REPLICATION_SLOT (default reefgate_standby), PRIMARY_WAIT_S (default 300).
set -euo pipefail

: "${PGDATA:?PGDATA must be set}"
: "${PRIMARY_HOST:?PRIMARY_HOST must be set}"
: "${REPLICATION_PASSWORD:?REPLICATION_PASSWORD must be set (compose/.env)}"
port="${PRIMARY_PORT:-5432}"
user="${REPLICATION_USER:-replicator}"
slot="${REPLICATION_SLOT:-reefgate_standby}"
wait_s="${PRIMARY_WAIT_S:-300}"

# Started as root (the image's default): own the volume, then run the rest as postgres (the server
# refuses to run as root). gosu is the image's tool; runuser is its util-linux equivalent elsewhere.
if [ "$(id -u)" = 0 ]; then
  parent="$(dirname "$PGDATA")"
  mkdir -p "$parent"
  chown postgres:postgres "$parent"
  chmod 700 "$parent"
  if command -v gosu > /dev/null; then exec gosu postgres bash "${BASH_SOURCE[0]}" "$@"; fi
  exec runuser -u postgres -- bash "${BASH_SOURCE[0]}" "$@"
fi

# The password in a file of our own beside the data directory (not on a command line, visible in ps),
# rewritten at every start so a changed REPLICATION_PASSWORD takes effect. pg_basebackup reads it, and
# so does the server's WAL receiver (libpq, PGPASSFILE) whenever it connects to the primary.
export PGPASSFILE="$(dirname "$PGDATA")/.pgpass"
pgpass_field() { local v="${1//\\/\\\\}"; printf '%s' "${v//:/\\:}"; } # \ and : escaped, as libpq reads them
(umask 077 && printf '%s:%s:replication:%s:%s\n' "$(pgpass_field "$PRIMARY_HOST")" "$port" "$(pgpass_field "$user")" "$(pgpass_field "$REPLICATION_PASSWORD")" > "$PGPASSFILE")

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  echo "standby: no data directory at $PGDATA; copying the primary ${PRIMARY_HOST}:${port}"
  for ((i = 0; ; i++)); do
    pg_isready -q -h "$PRIMARY_HOST" -p "$port" && break
    if ((i >= wait_s)); then echo "standby: the primary ${PRIMARY_HOST}:${port} did not answer within ${wait_s} s" >&2; exit 1; fi
    sleep 1
  done
  # The slot first, if it is not there yet (a retried first start finds it): the primary keeps the WAL
  # from the copy's start until the standby streams it.
  pg_receivewal -h "$PRIMARY_HOST" -p "$port" -U "$user" -w --slot="$slot" --create-slot --if-not-exists
  rm -rf "$PGDATA.partial"
  pg_basebackup -h "$PRIMARY_HOST" -p "$port" -U "$user" -w -D "$PGDATA.partial" -R -X stream -S "$slot" --checkpoint=fast
  [ -d "$PGDATA" ] && rmdir "$PGDATA" # an empty directory left by a mount or an earlier attempt
  mv "$PGDATA.partial" "$PGDATA"
  echo "standby: copy complete"
fi

# standby.signal marks a standby; a data directory without it (promoted by hand) starts as a primary,
# which the gateway's replica check sees and stops reading from (docs/deployment.md, Read replicas).
[ -f "$PGDATA/standby.signal" ] || echo "standby: $PGDATA has no standby.signal: starting as a primary (promoted?)" >&2
exec postgres -D "$PGDATA" -c hot_standby=on "$@"
