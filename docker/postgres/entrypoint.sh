#!/bin/sh
# First start: initdb (password authentication over TCP, peer on the socket), then one login role and
# database it owns per entry of POSTGRES_DATABASES ("database:role:password-file ..."), the password read
# from the secret file. Then PostgreSQL on loopback only.
set -eu
PGDATA=/var/lib/postgresql/data
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    "$bin/initdb" -D "$PGDATA" -U postgres --auth-local=peer --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    "$bin/pg_ctl" -D "$PGDATA" -o "-c listen_addresses=" -w -s start
    for spec in ${POSTGRES_DATABASES:-}; do
        db=${spec%%:*}; rest=${spec#*:}; role=${rest%%:*}; file=${rest#*:}
        [ -s "$file" ] || { echo "postgres: no password in $file for role $role" >&2; exit 2; }
        printf "%s\n" "create role \"$role\" login password :'pw';" "create database \"$db\" owner \"$role\";" \
            | "$bin/psql" -h /run/postgresql -q -v ON_ERROR_STOP=1 -v pw="$(cat "$file")" -d postgres
    done
    "$bin/pg_ctl" -D "$PGDATA" -m fast -w -s stop
fi
exec "$bin/postgres" -D "$PGDATA" -c listen_addresses=127.0.0.1 -c unix_socket_directories=/run/postgresql
