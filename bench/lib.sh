# shellcheck shell=bash
# Shared by bench/run.sh and bench/flatness.sh (sourced, never run alone): dependencies, builds, the
# lighttpd + worker + baseline processes, seeding, one wrk run, and stopping everything on exit.
#
# The caller sets `set -euo pipefail` and bench_name before sourcing this file.
# Variables set here for the callers (appreg_desc, duration_s, wrk_result, ...) look unused to shellcheck:
# shellcheck disable=SC2034,SC2154

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$bench_dir/.." && pwd)

say() { printf '%s: %s\n' "$bench_name" "$*" >&2; }
die() { say "$*"; exit 1; }

# ---- settings (environment) ----------------------------------------------------------------------------------

BENCH_DURATION=${BENCH_DURATION:-5s}      # one measured wrk run
BENCH_WARMUP=${BENCH_WARMUP:-1s}          # unrecorded run of each target before each case; 0 skips it
BENCH_WRK_THREADS=${BENCH_WRK_THREADS:-2}
BENCH_PORT=${BENCH_PORT:-18080}           # lighttpd in front of appreg; the baseline's lighttpd gets +1
BENCH_ORGS=${BENCH_ORGS:-20}
BENCH_SEED_ACTIVITY=${BENCH_SEED_ACTIVITY:-1}  # one activity-stream 'create' entry per seeded application
BENCH_SYNCHRONOUS=${BENCH_SYNCHRONOUS:-FULL}
# appreg's db.checkpoint_pages, also given to the create ceiling (--checkpoint-pages); 0: SQLite's own checkpoints
BENCH_CHECKPOINT_PAGES=${BENCH_CHECKPOINT_PAGES:-16000}
APPREG_THREADS=${APPREG_THREADS:-48}  # the worker's default on SQLite (postgres.sh: 16, its default there)
APPREG_RUNNING=${APPREG_RUNNING:-}     # threads.running; empty: the worker's default (two per core on SQLite)
BASELINE_THREADS=${BASELINE_THREADS:-4}
BENCH_LOG_REQUESTS=${BENCH_LOG_REQUESTS:-true}
# The worker's GLIBC_TUNABLES: systemd/appreg.service's Environment= value unless set (empty: glibc's defaults).
if [ -z "${BENCH_GLIBC_TUNABLES+set}" ]; then
    BENCH_GLIBC_TUNABLES=$(sed -n 's/^Environment=GLIBC_TUNABLES=//p' "$root/systemd/appreg.service")
    [ -n "$BENCH_GLIBC_TUNABLES" ] || die "systemd/appreg.service has no Environment=GLIBC_TUNABLES= line"
fi
BENCH_LIST_CACHE_BYTES=${BENCH_LIST_CACHE_BYTES:-}
# Authentication: every request of every case carries BENCH_AUTHORIZATION (common.lua, the curl checks). Unset,
# it is made for the superuser the scripts create (BENCH_USERNAME / BENCH_PASSWORD, `appreg-fcgi
# create-superuser`): their Basic credentials (BENCH_AUTH=basic) or a token of theirs (BENCH_AUTH=bearer).
BENCH_AUTHORIZATION=${BENCH_AUTHORIZATION:-}
export BENCH_AUTHORIZATION
BENCH_AUTH=${BENCH_AUTH:-basic}
BENCH_USERNAME=${BENCH_USERNAME:-admin}
BENCH_PASSWORD=${BENCH_PASSWORD:-admin-password}
BENCH_PASSWORD_ITERATIONS=${BENCH_PASSWORD_ITERATIONS:-}  # PBKDF2 iterations of that hash; empty: the worker's default

case "$BENCH_AUTH" in basic | bearer) ;; *) die "BENCH_AUTH must be basic or bearer, not '$BENCH_AUTH'" ;; esac
case "$BENCH_PASSWORD_ITERATIONS" in *[!0-9]*) die "BENCH_PASSWORD_ITERATIONS must be a number" ;; esac

case "$BENCH_PORT" in '' | *[!0-9]*) die "BENCH_PORT must be a number, not '$BENCH_PORT'" ;; esac
case "$BENCH_CHECKPOINT_PAGES" in '' | *[!0-9]*) die "BENCH_CHECKPOINT_PAGES must be a number" ;; esac
case "$BENCH_ORGS" in '' | *[!0-9]* | 0) die "BENCH_ORGS must be a positive number, not '$BENCH_ORGS'" ;; esac

# wrk's durations: "5s", "1m", "1h" (a bare number is seconds) -> whole seconds, for time boxes.
duration_seconds() {
    local d=$1
    case "$d" in
        *s) echo "${d%s}" ;;
        *m) echo $((${d%m} * 60)) ;;
        *h) echo $((${d%h} * 3600)) ;;
        *) echo "$d" ;;
    esac
}
for d in "$BENCH_DURATION" "$BENCH_WARMUP"; do
    case "${d%[smh]}" in
        '' | *[!0-9]*) die "bad duration '$d': wrk takes whole seconds, minutes or hours (5s, 1m)" ;;
    esac
done
duration_s=$(duration_seconds "$BENCH_DURATION")

# ---- refusing to run where numbers mean nothing ----------------------------------------------------------------

if [ -n "${CI:-}" ] && [ "${BENCH_FORCE:-}" != 1 ]; then
    say "CI is set: benchmarks do not run in CI (nothing there is timed). BENCH_FORCE=1 overrides."
    exit 0
fi

# ---- dependencies ----------------------------------------------------------------------------------------------

ensure_dependencies() {
    bash "$root/scripts/install-deps.sh" >&2
    if ! command -v wrk >/dev/null 2>&1; then
        say "installing wrk (Debian package) with apt-get"
        local as_root=()
        [ "$(id -u)" -eq 0 ] || as_root=(sudo)
        "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends wrk >&2 ||
            { "${as_root[@]}" apt-get update >&2 &&
                "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends wrk >&2; } ||
            die "cannot install wrk"
    fi
    local c
    for c in wrk lighttpd sqlite3 gcc cmake curl git timeout; do
        command -v "$c" >/dev/null 2>&1 || die "'$c' is missing"
    done
    sqlite3 :memory: "SELECT count(*) FROM generate_series(1, 2)" >/dev/null 2>&1 ||
        die "this sqlite3 shell has no generate_series (Debian 12's has)"
}

# ---- builds ----------------------------------------------------------------------------------------------------

build_root=$root/build-bench   # ignored by git (/build*/)

# Sets appreg_bin and appreg_desc. BENCH_APPREG_BIN=path uses a binary built elsewhere; BENCH_REF=<commit-ish>
# builds that commit from a snapshot (git archive), leaving the working tree alone; otherwise the working tree.
build_appreg() {
    if [ -n "${BENCH_APPREG_BIN:-}" ]; then
        [ -x "$BENCH_APPREG_BIN" ] || die "BENCH_APPREG_BIN=$BENCH_APPREG_BIN is not an executable"
        appreg_bin=$(cd "$(dirname "$BENCH_APPREG_BIN")" && pwd)/$(basename "$BENCH_APPREG_BIN")
        appreg_desc="prebuilt binary $appreg_bin"
        return
    fi
    local src=$root build=$build_root/appreg
    if [ -n "${BENCH_REF:-}" ]; then
        local sha
        sha=$(git -C "$root" rev-parse --verify "${BENCH_REF}^{commit}") || die "BENCH_REF=$BENCH_REF is not a commit"
        src=$build_root/src-$sha
        build=$build_root/appreg-$sha
        if [ ! -f "$src/CMakeLists.txt" ]; then
            rm -rf "$src"
            mkdir -p "$src"
            git -C "$root" archive "$sha" | tar -x -C "$src"
        fi
        appreg_desc="commit $sha (BENCH_REF=$BENCH_REF), Release"
    else
        local head dirty=""
        head=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
        [ -z "$(git -C "$root" status --porcelain -- src include CMakeLists.txt 2>/dev/null)" ] ||
            dirty=" + uncommitted changes in src/include/CMakeLists.txt"
        appreg_desc="working tree at $head$dirty, Release"
    fi
    mkdir -p "$build"
    say "building appreg-fcgi (Release) in ${build#"$root"/}"
    # -Wno-error=restrict: at -O3 (Release) g++ 12 reports a false -Wrestrict inside std::string's operator+
    # (a known GCC 12 false positive); the project's -Werror would otherwise stop the Release build.
    if ! { cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DAPPREG_BUILD_TESTS=OFF \
        -DCMAKE_CXX_FLAGS=-Wno-error=restrict &&
        cmake --build "$build" -j"$(nproc)" --target appreg-fcgi; } >"$build/bench-build.log" 2>&1; then
        tail -n 30 "$build/bench-build.log" >&2
        die "the appreg build failed (log: $build/bench-build.log)"
    fi
    appreg_bin=$build/appreg-fcgi
}

build_baseline() {
    baseline_bin=$build_root/empty_responder
    mkdir -p "$build_root"
    if [ ! -x "$baseline_bin" ] || [ "$bench_dir/empty_responder.c" -nt "$baseline_bin" ]; then
        say "building the baseline (bench/empty_responder.c)"
        gcc -O2 -Wall -Wextra -Werror -o "$baseline_bin" "$bench_dir/empty_responder.c" -lfcgi -lsqlite3 -lpthread ||
            die "the baseline build failed"
    fi
}

# ---- processes -------------------------------------------------------------------------------------------------

work=
pids=()
names=()

# Stops what this script started, newest first: SIGTERM, up to 10 s, then SIGKILL; by PID only.
stop_pid() {
    local pid=$1 name=$2
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    kill -TERM "$pid" 2>/dev/null || true
    local i
    for i in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        say "$name (pid $pid) ignored SIGTERM for 10 s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

forget_pid() {
    local pid=$1 i
    for i in "${!pids[@]}"; do
        if [ "${pids[$i]}" = "$pid" ]; then
            unset 'pids[i]' 'names[i]'
        fi
    done
}

# shellcheck disable=SC2317 # runs from the EXIT trap
cleanup() {
    trap - EXIT INT TERM
    local i order=()
    for i in "${!pids[@]}"; do order=("$i" "${order[@]}"); done
    for i in "${order[@]}"; do
        stop_pid "${pids[$i]}" "${names[$i]}"
    done
    # wrk runs in the foreground under `timeout`; nothing else to stop.
    if [ -n "$work" ] && [ -d "$work" ]; then
        if [ "${BENCH_KEEP:-}" = 1 ]; then
            say "kept $work (BENCH_KEEP=1)"
        else
            rm -rf "$work"
        fi
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

make_workdir() {
    work=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/appreg-bench.XXXXXX")
    # sun_path holds 107 bytes.
    [ ${#work} -lt 80 ] || die "temporary directory path too long for unix sockets: $work (set BENCH_TMPDIR)"
    mkdir -p "$work/appreg-lighttpd" "$work/baseline-lighttpd" "$work/ceiling-lighttpd"
    if [ "$(df --output=fstype "$work" | tail -n 1)" = tmpfs ]; then
        say "WARNING: $work is on tmpfs: fsync costs nothing there, so synchronous=FULL writes are not measured"
        say "         as durable writes; set BENCH_TMPDIR to a directory on a real disk"
    fi
}

port_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# lighttpd from conf/lighttpd.conf with only its var.* lines rewritten (as scripts/quickstart.sh does).
# start_lighttpd NAME PORT SOCKET -> sets last_pid
start_lighttpd() {
    local name=$1 port=$2 socket=$3 state=$work/$1-lighttpd
    port_free "$port" || die "port $port on 127.0.0.1 is taken (BENCH_PORT=N picks another pair)"
    sed -E \
        -e "s|^var\.appreg_bind[[:space:]]*=.*|var.appreg_bind   = \"127.0.0.1\"|" \
        -e "s|^var\.appreg_port[[:space:]]*=.*|var.appreg_port   = $port|" \
        -e "s|^var\.appreg_socket[[:space:]]*=.*|var.appreg_socket = \"$socket\"|" \
        -e "s|^var\.appreg_state[[:space:]]*=.*|var.appreg_state  = \"$state\"|" \
        -e "s|^var\.appreg_user[[:space:]]*=.*|var.appreg_user   = \"\"|" \
        "$root/conf/lighttpd.conf" >"$state/lighttpd.conf"
    lighttpd -tt -f "$state/lighttpd.conf" >/dev/null || die "lighttpd refuses $state/lighttpd.conf"
    lighttpd -D -f "$state/lighttpd.conf" >"$state/stdout.log" 2>&1 &
    last_pid=$!
    pids+=("$last_pid")
    names+=("lighttpd ($name)")
}

wait_socket() {
    local socket=$1 pid=$2 what=$3 i
    for i in $(seq 300); do
        [ -S "$socket" ] && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    die "$what did not create $socket"
}

wait_http() {
    local url=$1 what=$2 i
    for i in $(seq 100); do
        curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
        sleep 0.1
    done
    die "$url ($what) did not answer within 10 s"
}

appreg_socket() { echo "$work/appreg.sock"; }
baseline_socket() { echo "$work/baseline.sock"; }

write_appreg_config() {
    cat >"$work/appreg.properties" <<EOF
# written by bench/$bench_name
db.synchronous = $BENCH_SYNCHRONOUS
db.checkpoint_pages = $BENCH_CHECKPOINT_PAGES
threads = $APPREG_THREADS
log.requests = $BENCH_LOG_REQUESTS
EOF
    [ -z "$BENCH_PASSWORD_ITERATIONS" ] ||
        echo "auth.password_iterations = $BENCH_PASSWORD_ITERATIONS" >>"$work/appreg.properties"
    [ -z "$BENCH_LIST_CACHE_BYTES" ] ||
        echo "cache.list_bytes = $BENCH_LIST_CACHE_BYTES" >>"$work/appreg.properties"
    [ -z "$APPREG_RUNNING" ] || echo "threads.running = $APPREG_RUNNING" >>"$work/appreg.properties"
}
running_desc() {
    if [ -n "$APPREG_RUNNING" ]; then echo "threads.running=$APPREG_RUNNING"; else echo "threads.running default"; fi
}

# What the report says of the worker's malloc setting.
malloc_desc() {
    echo "GLIBC_TUNABLES=${BENCH_GLIBC_TUNABLES:-(none)}"
}

# What the report says of the worker's list cache.
list_cache_desc() {
    case ${BENCH_LIST_CACHE_BYTES:-} in
        "") echo "cache.list_bytes default (list pages remembered until the next commit)" ;;
        0) echo "cache.list_bytes=0 (every list read and rendered)" ;;
        *) echo "cache.list_bytes=$BENCH_LIST_CACHE_BYTES" ;;
    esac
}

worker_pid=
start_worker() {
    local socket
    socket=$(appreg_socket)
    rm -f "$socket"
    GLIBC_TUNABLES=$BENCH_GLIBC_TUNABLES "$appreg_bin" --config "$work/appreg.properties" \
        --db "$work/appreg.db" --listen "unix:$socket" >>"$work/appreg.log" 2>&1 &
    worker_pid=$!
    pids+=("$worker_pid")
    names+=("appreg-fcgi")
    wait_socket "$socket" "$worker_pid" "appreg-fcgi (log: $work/appreg.log)"
}

stop_worker() {
    [ -n "$worker_pid" ] || return 0
    stop_pid "$worker_pid" appreg-fcgi
    forget_pid "$worker_pid"
    worker_pid=
}

baseline_pid=
start_baseline() {
    "$baseline_bin" --listen "$(baseline_socket)" --threads "$BASELINE_THREADS" >"$work/baseline.log" 2>&1 &
    baseline_pid=$!
    pids+=("$baseline_pid")
    names+=("empty_responder")
    wait_socket "$(baseline_socket)" "$baseline_pid" "empty_responder"
}

# The ceiling of appreg's architecture (run.sh's "ceiling" target): the baseline's binary with as many threads
# as appreg (so its groups can grow as large). start_ceiling DB [--body-for URI FILE]...: with DB (not empty),
# --create-db writes appreg's create SQL into that copy of the seeded database through one writer thread with
# group commit; each --body-for answers a list's GET with appreg's own response bytes.
ceiling_pid=
ceiling_socket() { echo "$work/ceiling.sock"; }
start_ceiling() {
    local db=$1 args=()
    shift
    [ -z "$db" ] || args=(--create-db "$db" --synchronous "${BENCH_SYNCHRONOUS^^}"
        --checkpoint-pages "$BENCH_CHECKPOINT_PAGES" --create-sql "$BENCH_CEILING_SQL")
    "$baseline_bin" --listen "$(ceiling_socket)" --threads "$APPREG_THREADS" "${args[@]}" "$@" \
        >"$work/ceiling.log" 2>&1 &
    ceiling_pid=$!
    pids+=("$ceiling_pid")
    names+=("empty_responder (ceiling)")
    wait_socket "$(ceiling_socket)" "$ceiling_pid" "empty_responder (ceiling; log: $work/ceiling.log)"
}
stop_ceiling() {
    [ -n "$ceiling_pid" ] || return 0
    stop_pid "$ceiling_pid" "empty_responder (ceiling)"
    forget_pid "$ceiling_pid"
    ceiling_pid=
}

# ---- seeding ---------------------------------------------------------------------------------------------------

# seed_applications FIRST LAST: applications FIRST..LAST (ids = numbers) in BENCH_ORGS organizations, in one
# transaction, straight into the database file (the worker must have created the schema; it should be stopped).
# Names are unique per organization, client ids unique; half are public; a quarter use authorization-code with a
# redirect URI (so every row passes the model checks a PATCH runs); client_secret_hash is a well-formed
# sha256$salt$hex value of no known secret.
seed_applications() {
    local first=$1 last=$2 db=$work/appreg.db
    [ "$last" -ge "$first" ] || return 0
    local activity=""
    if [ "$BENCH_SEED_ACTIVITY" = 1 ]; then
        activity="INSERT INTO activity_stream (timestamp, operation, object1, object1_id, changes)
  SELECT created, 'create', 'o_auth2_application', id,
         json_object('name', name, 'description', description, 'client_type', client_type,
                     'redirect_uris', redirect_uris, 'authorization_grant_type', authorization_grant_type,
                     'skip_authorization', json(CASE WHEN skip_authorization THEN 'true' ELSE 'false' END),
                     'organization', printf('org-%04d-%d', organization_id, organization_id), 'id', id)
  FROM applications WHERE id BETWEEN $first AND $last;"
    fi
    sqlite3 "$db" <<EOF
.bail on
PRAGMA foreign_keys = ON;
BEGIN;
INSERT OR IGNORE INTO organizations (id, name, description, created, modified)
  SELECT value, printf('org-%04d', value), 'Benchmark organization',
         '2025-01-01T00:00:00.000000Z', '2025-01-01T00:00:00.000000Z'
  FROM generate_series(1, $BENCH_ORGS);
INSERT INTO applications (id, name, description, client_id, client_secret_hash, client_type, redirect_uris,
                          authorization_grant_type, skip_authorization, organization_id, created, modified)
  SELECT value, printf('app-%08d', value), 'Seeded application ' || value, printf('bench%035d', value),
         'sha256\$' || printf('%016d', value) || '\$' || lower(hex(randomblob(32))),
         CASE WHEN value % 2 = 0 THEN 'public' ELSE 'confidential' END,
         CASE WHEN value % 4 = 1 THEN 'https://app' || value || '.example.com/callback' ELSE '' END,
         CASE WHEN value % 4 = 1 THEN 'authorization-code' ELSE 'password' END,
         value % 10 = 0, (value - 1) % $BENCH_ORGS + 1,
         printf('2025-01-01T00:00:00.%06dZ', value % 1000000), printf('2025-01-01T00:00:00.%06dZ', value % 1000000)
  FROM generate_series($first, $last);
$activity
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
EOF
}

# Creates the schema by starting the worker once on a fresh database, then stops it; then the superuser.
create_schema() {
    rm -f "$work/appreg.db" "$work/appreg.db-wal" "$work/appreg.db-shm"
    start_worker
    stop_worker
    sqlite3 "$work/appreg.db" "SELECT 1 FROM applications LIMIT 0" >/dev/null ||
        die "the worker did not create the schema (log: $work/appreg.log)"
    create_superuser
}

# ---- authentication --------------------------------------------------------------------------------------------

# Whether the binary under test has users (and so answers 401 without credentials); a BENCH_REF from before
# authentication has none, and is measured without an Authorization header.
has_users=0
auth_desc="not measured (no Authorization header sent)"

# The superuser every request authenticates as, created as an operator does: `appreg-fcgi create-superuser`,
# the password on its standard input.
create_superuser() {
    sqlite3 "$work/appreg.db" "SELECT 1 FROM users LIMIT 0" >/dev/null 2>&1 || return 0
    has_users=1
    printf '%s\n' "$BENCH_PASSWORD" |
        "$appreg_bin" create-superuser --config "$work/appreg.properties" --db "$work/appreg.db" \
            --username "$BENCH_USERNAME" >>"$work/appreg.log" 2>&1 ||
        die "appreg-fcgi create-superuser failed (log: $work/appreg.log)"
}

# authenticate PORT: sets BENCH_AUTHORIZATION (exported: the wrk scripts read it) and auth_desc, once. For a
# token, the worker must be serving behind lighttpd on PORT. BENCH_AUTHORIZATION given by the caller wins.
authenticate() {
    local port=$1 basic token
    if [ -n "$BENCH_AUTHORIZATION" ]; then
        auth_desc="every request sends 'Authorization: ${BENCH_AUTHORIZATION%% *} …' (BENCH_AUTHORIZATION)"
        return 0
    fi
    if [ "$has_users" != 1 ]; then
        auth_desc="not measured: this appreg-fcgi has no users, so no Authorization header is sent"
        return 0
    fi
    basic="Basic $(printf '%s:%s' "$BENCH_USERNAME" "$BENCH_PASSWORD" | base64 -w 0)"
    if [ "$BENCH_AUTH" = basic ]; then
        BENCH_AUTHORIZATION=$basic
        local iterations=${BENCH_PASSWORD_ITERATIONS:-default}
        auth_desc="every request sends Basic credentials of superuser $BENCH_USERNAME (password hash with"
        auth_desc+=" $iterations PBKDF2 iterations; BENCH_AUTH=basic)"
        return 0
    fi
    token=$(curl -fsS -H "Authorization: $basic" -H 'Content-Type: application/json' \
        --data '{"description": "bench", "scope": "write"}' "http://127.0.0.1:$port/api/v2/tokens/" |
        grep -o '"token": *"[^"]*"' | head -n 1 | cut -d '"' -f 4) ||
        die "creating a token for $BENCH_USERNAME failed (log: $work/appreg.log)"
    [ -n "$token" ] || die "POST /api/v2/tokens/ answered no token"
    BENCH_AUTHORIZATION="Bearer $token"
    auth_desc="every request sends a Bearer token of superuser $BENCH_USERNAME (BENCH_AUTH=bearer)"
}

# warm_credentials PORT: one authenticated request, not measured. A freshly started worker checks Basic
# credentials against their PBKDF2 hash (~0.7 s at the default iterations) before its credential cache knows
# them; no measured run should pay for that. Fails when the credentials are refused.
warm_credentials() {
    local port=$1 got
    [ -n "$BENCH_AUTHORIZATION" ] || return 0
    got=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: $BENCH_AUTHORIZATION" \
        "http://127.0.0.1:$port/api/v2/applications/?page_size=1")
    [ "$got" = 200 ] || die "GET /api/v2/applications/ with the benchmark's credentials answered $got"
}

# ---- measuring -------------------------------------------------------------------------------------------------

cpu_ticks() { # utime + stime of a process, in clock ticks
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
    stat=${stat##*) }
    awk '{print $12 + $13}' <<<"$stat"
}
clk_tck=$(getconf CLK_TCK)

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# Waits (at most BENCH_IDLE_WAIT seconds, default 60) until process PID has used no CPU for two 0.1 s samples
# in a row. After a run whose requests were slower than the run itself, the worker is still computing answers
# nobody waits for; measuring the next run on top of that would charge it for the previous one.
wait_idle() {
    local pid=$1 start=$SECONDS quiet=0 before after
    before=$(cpu_ticks "$pid")
    while [ $quiet -lt 2 ] && [ $((SECONDS - start)) -lt "${BENCH_IDLE_WAIT:-60}" ]; do
        sleep 0.1
        after=$(cpu_ticks "$pid")
        if [ "$after" -eq "$before" ]; then quiet=$((quiet + 1)); else quiet=0; fi
        before=$after
    done
    [ $((SECONDS - start)) -lt 2 ] || say "waited $((SECONDS - start)) s for pid $pid to finish earlier requests"
}

run_serial=0
# run_wrk PORT SCRIPT PATH CONNS DURATION MAX_ID PID LOGFILE
# Sets wrk_result to "requests rps p50_us p99_us max_us non2xx socket_errors cpu_us_per_req bytes_per_resp"
# (the CPU time process PID used per request; the size of a whole HTTP response) and appends wrk's own
# output to LOGFILE. Not for $(...): it sets globals and may exit.
run_wrk() {
    local port=$1 script=$2 path=$3 conns=$4 duration=$5 max_id=$6 pid=$7 log=$8
    run_serial=$((run_serial + 1))
    local tag threads=$BENCH_WRK_THREADS
    tag=$(date +%s)-$$-$run_serial
    [ "$threads" -le "$conns" ] || threads=$conns
    local out=$work/wrk.out cpu0 cpu1 limit
    limit=$(($(duration_seconds "$duration") + 30))
    wait_idle "$pid"
    cpu0=$(cpu_ticks "$pid")
    if ! BENCH_LUA_DIR=$bench_dir timeout "$limit" wrk -t"$threads" -c"$conns" -d"$duration" --latency \
        --timeout "${BENCH_WRK_TIMEOUT:-5s}" -s "$bench_dir/$script.lua" "http://127.0.0.1:$port$path" \
        -- "$max_id" "$BENCH_ORGS" "$tag" >"$out" 2>&1; then
        cat "$out" >&2
        die "wrk failed"
    fi
    cpu1=$(cpu_ticks "$pid")
    {
        echo "### wrk -t$threads -c$conns -d$duration --latency -s bench/$script.lua http://127.0.0.1:$port$path"
        cat "$out"
        echo
    } >>"$log"
    local line
    line=$(grep '^BENCH_RESULT ' "$out") || die "wrk printed no result (see $log)"
    wrk_result=$(awk -v cpu="$((cpu1 - cpu0))" -v hz="$clk_tck" '{
        for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        sockerr = v["connect_err"] + v["read_err"] + v["write_err"] + v["timeouts"]
        cpu_us = v["requests"] > 0 ? cpu * 1e6 / hz / v["requests"] : 0
        bytes = v["requests"] > 0 ? v["bytes"] / v["requests"] : 0
        printf "%d %.1f %d %d %d %d %d %.1f %d\n", v["requests"], v["rps"], v["p50_us"], v["p99_us"], v["max_us"],
               v["non2xx"], sockerr, cpu_us, bytes
    }' <<<"$line")
}

machine_description() {
    local cpu
    cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
    echo "machine: $(nproc) cores ($cpu), $(awk '{print $1 / 1024 / 1024}' <<<"$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)" | cut -c1-5) GiB RAM, Linux $(uname -r), load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "database directory: $work ($(df --output=fstype "$work" | tail -n 1) file system)"
    echo "versions: $(lighttpd -v 2>&1 | head -n1 | cut -d' ' -f1), $(wrk -v 2>&1 | head -n1 | cut -d' ' -f1-2), sqlite3 $(sqlite3 --version | cut -d' ' -f1), $(gcc --version | head -n1)"
}

# ---- time box --------------------------------------------------------------------------------------------------

deadline=
start_time_box() { deadline=$((SECONDS + $1)); }
time_left() { echo $((deadline - SECONDS)); }
