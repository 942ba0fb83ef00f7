-- Mounted into /docker-entrypoint-initdb.d by docker-compose.yml: the postgres image runs it once,
-- as POSTGRES_USER (sinkron), when it initialises an empty data volume. Sinkron's own database
-- (POSTGRES_DB) exists by then; the mock registry keeps its data in a database of its own.
-- A volume initialised before this file existed needs it run by hand:
--   docker compose exec postgres psql -U sinkron -d sinkron -f /docker-entrypoint-initdb.d/10-mockregistry.sql
CREATE DATABASE mockregistry;
