#!/bin/sh
# The `scale` profile's streaming replica (docker-compose.yml): on an empty volume, copy the primary
# with pg_basebackup -R (standby.signal and primary_conninfo), then run as a hot standby.
# scripts/topology.py does the same on one machine without Docker.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_isready -q -h postgres -U "$POSTGRES_USER"; do sleep 1; done
  PGPASSWORD="$POSTGRES_PASSWORD" pg_basebackup -h postgres -U "$POSTGRES_USER" -D "$PGDATA" -R -X stream -c fast
  chmod 700 "$PGDATA"
fi
exec postgres -c hot_standby=on
