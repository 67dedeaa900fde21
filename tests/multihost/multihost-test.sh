#!/usr/bin/env bash
# Multi-host test of the PostgreSQL backend (issue 8): two appreg-fcgi workers on two "hosts" (network
# namespaces made here, each joined to this host by a veth pair), each behind its own lighttpd, sharing one
# PostgreSQL server, under concurrent load from this host; then the same load while PostgreSQL restarts.
# No acknowledged write may be lost or duplicated (tests/multihost/load.py drives the load and checks the
# answers and the database).
#
#   sudo bash tests/multihost/multihost-test.sh build/appreg-fcgi
#
# Runs as root (ip netns, veth; PostgreSQL runs as the postgres user via scripts/postgres-test-server.sh).
# Needs: iproute2, lighttpd (/usr/sbin/lighttpd), postgresql-15, psql, python3. Takes 15-30 s when it passes.
#
# Layout (N = 1, 2; $$ = this script's pid, which names everything it makes):
#   host side  mh$$hN  10.231.N.1/24          PostgreSQL listens on 127.0.0.1, 10.231.1.1, 10.231.2.1 port
#                                              55433, data in /tmp/appreg-pg-multihost-$$, trusts 10.231/16
#   namespace  appreg-mh-$$-N, veth mh$$nN 10.231.N.2/24:
#              appreg-fcgi --db postgresql://postgres@10.231.N.1:55433/appreg_multihost --listen unix:... --threads 4
#              lighttpd on 10.231.N.2:8080 -> the worker's unix socket (mod_fastcgi)
# Everything (processes by pid, namespaces, veths, the PostgreSQL server and its directory, the scratch
# directory) is removed on exit, whatever the outcome. Set APPREG_MULTIHOST_KEEP_LOGS=DIR to keep the logs.
set -euo pipefail

me=$(basename "$0")
die() { echo "$me: $*" >&2; exit 1; }

if [ "$(id -u)" -ne 0 ]; then
    die "must run as root (it creates network namespaces and veth pairs, and runs PostgreSQL as postgres)"
fi
[ $# -eq 1 ] || { echo "usage: $0 PATH/TO/appreg-fcgi" >&2; exit 2; }
worker_bin=$(readlink -f "$1")
[ -x "$worker_bin" ] || die "$1 is not an executable (the appreg-fcgi worker binary)"

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
pg_script=$repo/scripts/postgres-test-server.sh
lighttpd_bin=/usr/sbin/lighttpd
for tool in ip psql python3 runuser "$lighttpd_bin" /usr/lib/postgresql/15/bin/pg_ctl; do
    command -v "$tool" >/dev/null || die "$tool is missing"
done
[ -f "$pg_script" ] || die "$pg_script is missing"

id=$$
pg_port=55433
pg_dir=/tmp/appreg-pg-multihost-$id
pg_env=(APPREG_PG_PORT=$pg_port APPREG_PG_LISTEN='127.0.0.1,10.231.1.1,10.231.2.1' APPREG_PG_TRUST=10.231.0.0/16)
db_name=appreg_multihost
hosts=(1 2)
front_port=8080

# ---- cleanup: everything this script made, by name or pid --------------------------------------------------

pids=()          # workers and lighttpds, children of this shell
namespaces=()
veths=()
pg_started=0
work=""
status_word=FAILED

stop_pid() {
    local pid=$1 i state
    kill -TERM "$pid" 2>/dev/null || return 0
    for i in $(seq 100); do
        state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || true)
        { [ -z "$state" ] || [ "$state" = Z ]; } && break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

show_logs() {
    local f
    for f in "$work"/host*/worker.log; do
        [ -f "$f" ] || continue
        echo "---- $f: first 30 lines other than 200/201/400 answers" >&2
        grep -v -E ' (200|201|400) [0-9.]+ms ' "$f" | head -n 30 >&2 || true
    done
    for f in "$work"/host*/lighttpd-error.log; do
        [ -f "$f" ] || continue
        echo "---- $f: last lines" >&2
        tail -n 10 "$f" >&2 || true
    done
    if [ -f "$pg_dir/server.log" ]; then
        echo "---- $pg_dir/server.log: last lines, without the expected duplicate-key errors" >&2
        grep -v -E 'duplicate key value|DETAIL:  Key \(name|STATEMENT:  INSERT INTO applications' "$pg_dir/server.log" |
            tail -n 15 >&2 || true
    fi
}

cleanup() {
    local rc=$?
    set +e
    trap - EXIT INT TERM
    [ "$rc" -eq 0 ] || [ -z "$work" ] || show_logs
    if [ -n "${APPREG_MULTIHOST_KEEP_LOGS:-}" ] && [ -n "$work" ]; then
        mkdir -p "$APPREG_MULTIHOST_KEEP_LOGS"
        for n in "${hosts[@]}"; do
            for f in worker.log lighttpd-error.log; do
                [ -f "$work/host$n/$f" ] && cp "$work/host$n/$f" "$APPREG_MULTIHOST_KEEP_LOGS/host$n-$f"
            done
        done
        [ -f "$pg_dir/server.log" ] && cp "$pg_dir/server.log" "$APPREG_MULTIHOST_KEEP_LOGS/postgresql.log"
    fi
    local pid ns veth
    for pid in "${pids[@]}"; do stop_pid "$pid"; done
    for ns in "${namespaces[@]}"; do ip netns del "$ns" 2>/dev/null; done
    for veth in "${veths[@]}"; do
        ip link show "$veth" >/dev/null 2>&1 && ip link del "$veth" 2>/dev/null
    done
    if [ "$pg_started" -eq 1 ]; then
        env "${pg_env[@]}" bash "$pg_script" stop "$pg_dir" >/dev/null 2>&1 ||
            echo "$me: could not stop PostgreSQL in $pg_dir" >&2
        rm -rf "$pg_dir"
    fi
    [ -z "$work" ] || rm -rf "$work"
    echo "$me: $status_word (exit status $rc)" >&2
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- preconditions: nothing of ours may exist already -----------------------------------------------------

if ss -Hltn "sport = :$pg_port" 2>/dev/null | grep -q .; then
    die "port $pg_port is already in use (another run of this test?)"
fi
if ip -4 -o addr show | grep -qE ' 10\.231\.[0-9]+\.[0-9]+/'; then
    die "an interface already has a 10.231.x.x address (another run of this test?): $(ip -4 -o addr show | grep ' 10\.231\.')"
fi
[ ! -e "$pg_dir" ] || die "$pg_dir already exists (left by a run with the same pid?); remove it first"

work=$(mktemp -d "/tmp/appreg-multihost-$id.XXXXXX")
chmod 755 "$work"

# ---- network: one namespace per host, joined to this host by a veth pair ----------------------------------

for n in "${hosts[@]}"; do
    ns=appreg-mh-$id-$n
    host_if=mh${id}h$n
    ns_if=mh${id}n$n
    ip netns add "$ns"
    namespaces+=("$ns")
    ip link add "$host_if" type veth peer name "$ns_if"
    veths+=("$host_if")
    ip link set "$ns_if" netns "$ns"
    ip addr add "10.231.$n.1/24" dev "$host_if"
    ip link set "$host_if" up
    ip -n "$ns" link set lo up
    ip -n "$ns" addr add "10.231.$n.2/24" dev "$ns_if"
    ip -n "$ns" link set "$ns_if" up
done
echo "namespaces ${namespaces[*]} joined by ${veths[*]}"

# ---- PostgreSQL (it listens on the host ends of the veths, so they exist first) ---------------------------

pg_started=1
env "${pg_env[@]}" bash "$pg_script" start "$pg_dir" >/dev/null
psql_cmd=(psql -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -v ON_ERROR_STOP=1)
"${psql_cmd[@]}" -d postgres -c "CREATE DATABASE $db_name" >/dev/null
echo "PostgreSQL on port $pg_port (data $pg_dir), database $db_name"

cat >"$work/restart-postgres.sh" <<EOF
#!/bin/sh
exec env ${pg_env[*]@Q} bash '$pg_script' restart '$pg_dir'
EOF
chmod 755 "$work/restart-postgres.sh"

# ---- the superuser, once, for the shared database ---------------------------------------------------------

cat >"$work/appreg.properties" <<'EOF'
# Cheap password hashes: the test is about the database, not PBKDF2.
auth.password_iterations = 1000
EOF
password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
echo "$password" | "$worker_bin" create-superuser --config "$work/appreg.properties" \
    --db "postgresql://postgres@10.231.1.1:$pg_port/$db_name" --username admin >"$work/create-superuser.log" 2>&1 ||
    { cat "$work/create-superuser.log" >&2; die "create-superuser failed"; }

# ---- on each host: a worker and a lighttpd in front of it -------------------------------------------------

for n in "${hosts[@]}"; do
    ns=appreg-mh-$id-$n
    dir=$work/host$n
    mkdir -p "$dir/empty"
    ip netns exec "$ns" "$worker_bin" --config "$work/appreg.properties" \
        --db "postgresql://postgres@10.231.$n.1:$pg_port/$db_name" \
        --listen "unix:$dir/appreg.sock" --threads 4 >"$dir/worker.log" 2>&1 &
    pids+=($!)
    echo $! >"$dir/worker.pid"
    cat >"$dir/lighttpd.conf" <<EOF
server.modules += ( "mod_fastcgi" )
server.bind          = "10.231.$n.2"
server.port          = $front_port
server.errorlog      = "$dir/lighttpd-error.log"
server.pid-file      = "$dir/lighttpd.pid"
server.document-root = "$dir/empty"
server.tag           = "lighttpd"
server.max-request-size = 1024
server.max-read-idle  = 30
server.max-write-idle = 60
fastcgi.server = (
    "/api" => ((
        "socket"          => "$dir/appreg.sock",
        "check-local"     => "disable",
        "connect-timeout" => 5,
        "write-timeout"   => 60,
        "read-timeout"    => 60,
    )),
)
EOF
    "$lighttpd_bin" -tt -f "$dir/lighttpd.conf" >"$dir/lighttpd-check.log" 2>&1 ||
        { cat "$dir/lighttpd-check.log" >&2; die "lighttpd refuses $dir/lighttpd.conf"; }
done

alive() {
    local state
    state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || true)
    [ -n "$state" ] && [ "$state" != Z ]
}

for n in "${hosts[@]}"; do
    dir=$work/host$n
    for i in $(seq 200); do
        [ -S "$dir/appreg.sock" ] && break
        alive "$(cat "$dir/worker.pid")" || die "the worker of host $n exited: $(tail -n 5 "$dir/worker.log")"
        sleep 0.1
    done
    [ -S "$dir/appreg.sock" ] || die "the worker of host $n made no socket within 20 s"
    ip netns exec "appreg-mh-$id-$n" "$lighttpd_bin" -D -f "$dir/lighttpd.conf" >"$dir/lighttpd.out" 2>&1 &
    pids+=($!)
    echo $! >"$dir/lighttpd.pid.shell"
done

ping_front() {
    python3 - "$1" <<'EOF'
import json, sys, urllib.request
try:
    with urllib.request.urlopen("http://%s:8080/api/v2/ping/" % sys.argv[1], timeout=2) as r:
        sys.exit(0 if r.status == 200 and json.load(r).get("database") == "ok" else 1)
except Exception:
    sys.exit(1)
EOF
}
for n in "${hosts[@]}"; do
    for i in $(seq 100); do
        ping_front "10.231.$n.2" && break
        alive "$(cat "$work/host$n/lighttpd.pid.shell")" || die "lighttpd of host $n exited"
        sleep 0.2
    done
    ping_front "10.231.$n.2" || die "http://10.231.$n.2:$front_port/api/v2/ping/ does not answer 200 within 20 s"
done
echo "front servers http://10.231.1.2:$front_port and http://10.231.2.2:$front_port answer; loading"

# ---- load, restart, verify ----------------------------------------------------------------------------------

psql_json=$(python3 -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "${psql_cmd[@]}" -d "$db_name")
rc=0
python3 "$here/load.py" \
    --front "http://10.231.1.2:$front_port" --front "http://10.231.2.2:$front_port" \
    --auth "admin:$password" --psql "$psql_json" --restart-cmd "$work/restart-postgres.sh" \
    --worker-log "$work/host1/worker.log" --worker-log "$work/host2/worker.log" \
    --prefix "mh$id" --threads 8 --creates 300 --races 20 --timeout 20 --recover-timeout 15 || rc=$?

# The workers and front servers must have lived through it all, never restarted.
for n in "${hosts[@]}"; do
    if ! alive "$(cat "$work/host$n/worker.pid")"; then
        echo "$me: the worker of host $n is gone" >&2
        rc=1
    fi
    if ! alive "$(cat "$work/host$n/lighttpd.pid.shell")"; then
        echo "$me: lighttpd of host $n is gone" >&2
        rc=1
    fi
    log=$work/host$n/worker.log
    echo "worker of host $n: $(grep -c ' 201 ' "$log" || true) lines with 201, $(grep -c ' 503 ' "$log" || true)" \
         "with 503, $(grep -ci 'lost the connection' "$log" || true) 'lost the connection'," \
         "$(grep -ci 'cannot connect' "$log" || true) 'cannot connect'"
done

[ "$rc" -eq 0 ] && status_word=PASSED
exit "$rc"
