#!/bin/sh
# Initialize the data directory on first start, with the password from the secret file.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  /usr/lib/postgresql/15/bin/initdb --auth-host=scram-sha-256 --auth-local=peer \
    --username=postgres --pwfile="${POSTGRES_PASSWORD_FILE:-/run/secrets/db-password}" -D "$PGDATA"
  echo "host all all 0.0.0.0/0 scram-sha-256" >> "$PGDATA/pg_hba.conf"
fi
exec "$@"
