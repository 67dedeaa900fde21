#!/usr/bin/env bash
# Quick start: installs the Debian packages, builds the worker, and serves the API at
# http://127.0.0.1:${APPREG_PORT:-8080}/api/v2/ until Ctrl-C.
#
#   bash scripts/quickstart.sh            (APPREG_PORT=9090 bash scripts/quickstart.sh for another port)
#
# Everything lives under ./var/ (database, worker socket, lighttpd's config, log and pid file), and
# both processes run as the current user: nothing is installed outside the Debian packages.
# Ctrl-C (or SIGTERM to this script) stops lighttpd, then the worker. The database stays.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
port=${APPREG_PORT:-8080}
var=$root/var
socket=$var/run/appreg.sock

case "$port" in ''|*[!0-9]*) echo "quickstart: APPREG_PORT must be a number, not '$port'" >&2; exit 2 ;; esac
case "$root" in *[\"\|\\]*) printf 'quickstart: the repository path must not contain %s: %s\n' "\", | or \\" "$root" >&2; exit 2 ;; esac
# sun_path holds 107 bytes plus the terminating NUL.
if [ ${#socket} -gt 107 ]; then
    echo "quickstart: socket path too long for a unix socket (${#socket} > 107 bytes): $socket" >&2
    echo "quickstart: clone the repository to a shorter path" >&2
    exit 2
fi

bash scripts/install-deps.sh

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j2 --target appreg-fcgi

mkdir -p "$var/run" "$var/lighttpd"
# The five var.* lines at the top of conf/lighttpd.conf are the only things that change:
# local address, chosen port, our socket, our state directory, no user switch.
sed -E \
    -e "s|^var\.appreg_bind[[:space:]]*=.*|var.appreg_bind   = \"127.0.0.1\"|" \
    -e "s|^var\.appreg_port[[:space:]]*=.*|var.appreg_port   = $port|" \
    -e "s|^var\.appreg_socket[[:space:]]*=.*|var.appreg_socket = \"$socket\"|" \
    -e "s|^var\.appreg_state[[:space:]]*=.*|var.appreg_state  = \"$var/lighttpd\"|" \
    -e "s|^var\.appreg_user[[:space:]]*=.*|var.appreg_user   = \"\"|" \
    conf/lighttpd.conf >"$var/lighttpd.conf"
lighttpd -tt -f "$var/lighttpd.conf"

worker_pid=
lighttpd_pid=

# Sends SIGTERM and waits up to 10 s, then SIGKILL. Prints how the process ended.
# shellcheck disable=SC2317 # stop and cleanup run from the EXIT trap
stop() {
    local name=$1 pid=$2 status=0
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "quickstart: $name (pid $pid) did not stop within 10 s of SIGTERM; killing it" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || status=$?
    case $status in
        127) ;; # `wait -n` below has already collected it and said so
        [0-9]*) echo "quickstart: $name stopped (exit status $status)" ;;
        *) echo "quickstart: $name stopped" ;; # bash reports -1 when Ctrl-C reached it first
    esac
}

# shellcheck disable=SC2317
cleanup() {
    trap - EXIT INT TERM
    # The front server first, so that no new request reaches the worker while it drains.
    stop lighttpd "$lighttpd_pid"
    stop appreg-fcgi "$worker_pid"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The first superuser comes from the command line, never over HTTP. Its password is made once, kept in
# var/admin-password (mode 0600, only for this local setup), and reused on later starts.
if [ ! -s "$var/admin-password" ]; then
    (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '+/=\n' >"$var/admin-password")
    if ! build/appreg-fcgi create-superuser --db var/appreg.db --username admin <"$var/admin-password"; then
        rm -f "$var/admin-password"
        echo "quickstart: could not create the superuser (see above); rm -r var/ starts from scratch" >&2
        exit 1
    fi
fi

# The malloc setting of systemd/appreg.service (see there), read from it.
tunables=$(sed -n 's/^Environment=GLIBC_TUNABLES=//p' systemd/appreg.service)
GLIBC_TUNABLES=$tunables build/appreg-fcgi --db var/appreg.db --listen unix:var/run/appreg.sock &
worker_pid=$!

for _ in $(seq 100); do
    [ -S "$socket" ] && break
    kill -0 "$worker_pid" 2>/dev/null || break
    sleep 0.1
done
if [ ! -S "$socket" ]; then
    echo "quickstart: the worker did not create $socket (see its messages above)" >&2
    exit 1
fi

lighttpd -D -f "$var/lighttpd.conf" &
lighttpd_pid=$!

base=http://127.0.0.1:$port
ready=
for _ in $(seq 100); do
    if curl -fsS -o /dev/null "$base/api/v2/ping/" 2>/dev/null; then
        ready=1
        break
    fi
    kill -0 "$lighttpd_pid" 2>/dev/null || break
    kill -0 "$worker_pid" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$ready" ]; then
    if ! kill -0 "$lighttpd_pid" 2>/dev/null; then
        echo "quickstart: lighttpd did not start (see above; is port $port taken? APPREG_PORT=N picks another)" >&2
    elif ! kill -0 "$worker_pid" 2>/dev/null; then
        echo "quickstart: the worker exited (see its messages above)" >&2
    else
        echo "quickstart: $base/api/v2/ping/ did not answer within 10 s; see var/lighttpd/error.log" >&2
    fi
    exit 1
fi

cat <<EOF

appreg is serving $base/api/v2/  (database: var/appreg.db, lighttpd log: var/lighttpd/error.log)
The worker logs one line per request below. Ctrl-C stops both.

Every route but /api/v2/ping/ needs credentials. The superuser is "admin"; its password is in
var/admin-password. Try, in another terminal:

  curl -s $base/api/v2/ping/

  curl -s -u admin:\$(cat var/admin-password) -H 'Content-Type: application/json' -d '{"name":"Default"}' \\
       $base/api/v2/organizations/

  curl -s -u admin:\$(cat var/admin-password) -H 'Content-Type: application/json' \\
       -d '{"authorization_grant_type":"password","client_type":"confidential","name":"test app","organization":1}' \\
       $base/api/v2/applications/

  curl -s -u admin:\$(cat var/admin-password) $base/api/v2/applications/

EOF

# Runs until Ctrl-C, or until one of the two exits on its own (then the other one is stopped too).
status=0
wait -n "$lighttpd_pid" "$worker_pid" || status=$?
if ! kill -0 "$worker_pid" 2>/dev/null; then
    echo "quickstart: the worker exited on its own" >&2
elif ! kill -0 "$lighttpd_pid" 2>/dev/null; then
    echo "quickstart: lighttpd exited on its own; its log: $var/lighttpd/error.log" >&2
fi
exit $((status == 0 ? 1 : status))
