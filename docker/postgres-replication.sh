#!/bin/sh
# Mounted into /docker-entrypoint-initdb.d by docker-compose.yml (run once, on an empty volume):
# let the `scale` profile's streaming replica (postgres-replica) copy and follow this server as
# POSTGRES_USER, with its password, from the compose network. wal_level=replica and
# max_wal_senders=10 are PostgreSQL 15's defaults.
set -eu
echo "host replication ${POSTGRES_USER} all scram-sha-256" >> "$PGDATA/pg_hba.conf"
