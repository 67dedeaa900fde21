#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server for the test suites (Debian's postgresql-15 binaries, its own data
# directory, trust authentication, never a system cluster):
#
#   bash scripts/postgres-test-server.sh start [DIR]    initdb (first time) + start (unless running); prints
#                                                       the server's URL
#   bash scripts/postgres-test-server.sh stop [DIR]     fast shutdown
#   bash scripts/postgres-test-server.sh restart [DIR]  fast shutdown + start (the tests' "restart mid-load")
#   bash scripts/postgres-test-server.sh url [DIR]      the URL only
#
# DIR defaults to /tmp/appreg-postgres (under /tmp because the postgres user must be able to reach it). It listens on the unix socket directory DIR and on
# $APPREG_PG_LISTEN (default 127.0.0.1) port $APPREG_PG_PORT (default 55432); clients from $APPREG_PG_TRUST
# (a CIDR, default 127.0.0.1/32; the multi-host test adds its namespaces' network) are trusted without a
# password, except the role appreg_password, which must give one (scram-sha-256). It is for tests only: trust
# authentication must never face a real network.
#
# PostgreSQL refuses to run as root, so when run as root the data directory belongs to the `postgres` user
# that Debian's package creates. Durability settings are PostgreSQL's defaults (fsync on).
set -euo pipefail

usage() { echo "usage: $0 start|stop|restart|url [DIR]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage
cmd=$1
dir=${2:-/tmp/appreg-postgres}
port=${APPREG_PG_PORT:-55432}
listen=${APPREG_PG_LISTEN:-127.0.0.1}
trust=${APPREG_PG_TRUST:-127.0.0.1/32}
bin=/usr/lib/postgresql/15/bin
data=$dir/data

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

url() { echo "postgresql://postgres@127.0.0.1:$port/postgres"; }

start() {
    [ -x "$bin/initdb" ] || { echo "$0: $bin/initdb missing; install postgresql-15" >&2; exit 1; }
    if [ ! -f "$data/PG_VERSION" ]; then
        mkdir -p "$dir"
        [ "$(id -u)" -ne 0 ] || chown postgres: "$dir"
        as_owner "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C >"$dir/initdb.log"
        {
            echo "listen_addresses = '$listen'"
            echo "port = $port"
            echo "unix_socket_directories = '$dir'"
            echo "max_connections = 200"
            echo "shared_buffers = 128MB"
            echo "logging_collector = off"
        } | as_owner tee -a "$data/postgresql.conf" >/dev/null
        echo "host all all $trust trust" | as_owner tee -a "$data/pg_hba.conf" >/dev/null
    fi
    # One role is the exception to trust: appreg_password must give its password (the tests of
    # db.password_file and PGPASSWORD). First match wins in pg_hba.conf, so it goes on top.
    if ! grep -q appreg_password "$data/pg_hba.conf"; then
        { echo "host all appreg_password all scram-sha-256"; echo "local all appreg_password scram-sha-256";
            cat "$data/pg_hba.conf"; } >"$dir/pg_hba.new"
        [ "$(id -u)" -ne 0 ] || chown postgres: "$dir/pg_hba.new"
        as_owner cp "$dir/pg_hba.new" "$data/pg_hba.conf"
        rm -f "$dir/pg_hba.new"
        if as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
            as_owner "$bin/pg_ctl" -D "$data" reload >/dev/null
        fi
    fi
    if ! as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        as_owner "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 start >/dev/null
    fi
    url
}

stop() {
    if [ -f "$data/postmaster.pid" ]; then
        as_owner "$bin/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null
    fi
}

case "$cmd" in
    start) start ;;
    stop) stop ;;
    restart) stop; start ;;
    url) url ;;
    *) usage ;;
esac
