#!/usr/bin/env bash
# appreg against the ceiling of its own architecture, on this machine, in one invocation (issue 7):
#
#   bash bench/run.sh                      # ~10 min: 100,000 applications, 5 s runs, 3 rounds
#   BENCH_DURATION=3s BENCH_ROUNDS=2 bash bench/run.sh   # shorter
#
# It builds appreg-fcgi (Release, in build-bench/) and bench/empty_responder.c (the baseline), starts two
# lighttpd instances from conf/lighttpd.conf (one in front of each, unix sockets, 127.0.0.1 only), seeds a fresh
# database with BENCH_APPS applications, and runs wrk (bench/*.lua) against the baseline and appreg in
# alternation, for every case at every connection count. It prints req/s, p50/p99 and appreg/baseline ratios,
# and writes bench/results/<UTC time>.txt (the report, with every run) and .tsv (one line per run).
# The create and list cases have a third target in the same alternation, the ceiling of the architecture for
# them: the baseline's binary behind a third lighttpd on BENCH_PORT+2, with --create-db (appreg's create SQL
# through one writer thread with group commit, on a copy of the same database; nothing else appreg does) and
# --body-for (each list case's GET answered with appreg's own ~20 KB response to it, captured before
# measuring: the same bytes, none of the work).
# Everything it starts is stopped on exit. Not a test: CI does not run it (it exits when CI is set).
#
# Settings (environment), defaults in brackets:
#   BENCH_APPS [100000]       applications seeded before measuring
#   BENCH_ORGS [20]           organizations they belong to
#   BENCH_DURATION [5s]       one measured wrk run;  BENCH_WARMUP [1s] one unrecorded run per target and case
#   BENCH_ROUNDS [3]          measured runs per target, case and connection count (baseline/appreg alternate)
#   BENCH_CONNS ["16 64"]     wrk connections;  BENCH_WRK_THREADS [2]
#   BENCH_CASES ["detail list list_filter create patch"]
#   BENCH_MAX_SECONDS [900]   time box for everything after the build; runs that would not fit are skipped
#   BENCH_SYNCHRONOUS [FULL]  the worker's db.synchronous;  APPREG_THREADS [48];  BASELINE_THREADS [4]
#   BENCH_CHECKPOINT_PAGES [16000]  the worker's db.checkpoint_pages, and the create ceiling's
#   APPREG_RUNNING            the worker's threads.running (default: the worker's, two per core on SQLite)
#   BENCH_LOG_REQUESTS [true] the worker's log.requests (its log goes to a file)
#   BENCH_GLIBC_TUNABLES      the worker's GLIBC_TUNABLES (default: systemd/appreg.service's; empty: glibc's defaults)
#   BENCH_LIST_CACHE_BYTES    the worker's cache.list_bytes (default: the worker's; 0 reads every list)
#   BENCH_AUTH [basic]        how every request authenticates as the superuser the script creates
#                             (BENCH_USERNAME [admin], BENCH_PASSWORD [admin-password]): basic, or bearer
#                             (a token of theirs); BENCH_PASSWORD_ITERATIONS [the worker's default]
#   BENCH_AUTHORIZATION       instead: this Authorization header value with every request ('Bearer …' / 'Basic …')
#   BENCH_REF                 build this commit (from a git archive snapshot) instead of the working tree
#   BENCH_APPREG_BIN          use this appreg-fcgi binary instead of building one
#   BENCH_PORT [18080]        lighttpd port for appreg; the baseline's is BENCH_PORT+1, the ceiling's +2
#   BENCH_CEILING [1]         0: measure creates and lists without the ceiling target
#   BENCH_CEILING_SQL [appreg]  minimal: the create ceiling inserts one row into a table of its own instead
#                             (what a create with next to no SQL allows on this machine; not appreg's ceiling)
#   BENCH_AFTER_SEED_SQL      SQL run on the seeded database before anything starts (for upper-bound
#                             experiments, e.g. dropping an index; the report says so)
#   BENCH_RESULTS [bench/results]   BENCH_KEEP=1 keeps the temporary directory (database, logs)
#   BENCH_PROFILE [0]         1: after each case one more appreg run under perf; the profile goes to
#                             bench/results/<UTC time>-profile.txt
set -euo pipefail
# The rest is one compound command, which bash reads whole before running it: editing this file while a run is
# in progress (it takes minutes) cannot change what that run does.
{
bench_name=run.sh
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BENCH_APPS=${BENCH_APPS:-100000}
BENCH_ROUNDS=${BENCH_ROUNDS:-3}
BENCH_CONNS=${BENCH_CONNS:-16 64}
BENCH_CASES=${BENCH_CASES:-detail list list_filter create patch}
BENCH_MAX_SECONDS=${BENCH_MAX_SECONDS:-900}
BENCH_RESULTS=${BENCH_RESULTS:-$bench_dir/results}
BENCH_CEILING=${BENCH_CEILING:-1}
BENCH_CEILING_SQL=${BENCH_CEILING_SQL:-appreg}
BENCH_AFTER_SEED_SQL=${BENCH_AFTER_SEED_SQL:-}
case "$BENCH_CEILING_SQL" in appreg | minimal) ;; *) die "BENCH_CEILING_SQL must be appreg or minimal" ;; esac
ceiling_sql_desc() {
    if [ "$BENCH_CEILING_SQL" = appreg ]; then echo "appreg's create SQL"; else
        echo "one INSERT of one row into a table of its own (BENCH_CEILING_SQL=minimal: not appreg's SQL)"
    fi
}

case "$BENCH_APPS" in '' | *[!0-9]* | 0) die "BENCH_APPS must be a positive number" ;; esac
case "$BENCH_ROUNDS" in '' | *[!0-9]* | 0) die "BENCH_ROUNDS must be a positive number" ;; esac

# case -> wrk script, path (with query), ratio target and p99 target at 64 connections from issue 7.
case_script() {
    case $1 in
        detail) echo detail ;; list | list_filter) echo list ;; create) echo create ;; patch) echo patch ;;
        *) die "unknown case '$1' (known: detail list list_filter create patch)" ;;
    esac
}
case_path() {
    case $1 in
        detail | patch) echo "/api/v2/applications/1/" ;;  # the scripts pick a random seeded id
        list | create) echo "/api/v2/applications/" ;;
        list_filter) echo "/api/v2/applications/?client_type=public&order_by=-id" ;;
    esac
}
case_describe() {
    case $1 in
        detail) echo "GET /api/v2/applications/{random id}/" ;;
        list) echo "GET /api/v2/applications/ (first page of 25, default order)" ;;
        list_filter) echo "GET /api/v2/applications/?client_type=public&order_by=-id (first page of 25)" ;;
        create) echo "POST /api/v2/applications/ (unique name per request; durable with synchronous=FULL)" ;;
        patch) echo "PATCH /api/v2/applications/{random id}/ {\"description\": …}" ;;
    esac
}
ratio_target() { case $1 in detail) echo 0.70 ;; list | list_filter) echo 0.50 ;; create) echo 0.35 ;; *) echo - ;; esac; }
p99_target_ms() { case $1 in detail | list | list_filter) echo 5 ;; create) echo 10 ;; *) echo - ;; esac; }
for c in $BENCH_CASES; do case_script "$c" >/dev/null; done
# Targets measured for a case, in the order of odd rounds (even rounds reverse it).
# The cases with a ceiling target: creates (the same SQL) and lists (the same ~20 KB of response). A detail's
# response is no larger than the baseline's fixed body, so the baseline is its ceiling already.
has_ceiling() { case $1 in create | list | list_filter) [ "$BENCH_CEILING" != 0 ] ;; *) false ;; esac; }
with_ceiling=0 ceiling_cases=""
for c in $BENCH_CASES; do has_ceiling "$c" && with_ceiling=1 ceiling_cases="$ceiling_cases $c"; done
with_create_ceiling=0
! has_ceiling create || case " $BENCH_CASES " in *" create "*) with_create_ceiling=1 ;; esac
case_targets() { if has_ceiling "$1"; then echo baseline appreg ceiling; else echo baseline appreg; fi; }

ensure_dependencies
build_appreg
build_baseline
make_workdir
start_time_box "$BENCH_MAX_SECONDS"

stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$BENCH_RESULTS"
report=$BENCH_RESULTS/$stamp.txt
tsv=$BENCH_RESULTS/$stamp.tsv
wrklog=$work/wrk.log

write_appreg_config
say "creating the schema and seeding $BENCH_APPS applications"
seed_start=$SECONDS
create_schema
seed_applications 1 "$BENCH_APPS" >/dev/null
[ -z "$BENCH_AFTER_SEED_SQL" ] || sqlite3 "$work/appreg.db" "$BENCH_AFTER_SEED_SQL" ||
    die "BENCH_AFTER_SEED_SQL failed"
seed_seconds=$((SECONDS - seed_start))
db_mib=$(($(stat -c %s "$work/appreg.db") / 1048576))
# The ceiling writes into a copy made now, so both start from the same rows (sqlite3 closed the file: no WAL).
[ "$with_create_ceiling" = 0 ] || cp "$work/appreg.db" "$work/ceiling.db"

start_worker
start_baseline
appreg_port=$BENCH_PORT
baseline_port=$((BENCH_PORT + 1))
start_lighttpd appreg "$appreg_port" "$(appreg_socket)"
start_lighttpd baseline "$baseline_port" "$(baseline_socket)"
wait_http "http://127.0.0.1:$appreg_port/api/v2/ping/" "lighttpd + appreg"
wait_http "http://127.0.0.1:$baseline_port/api/v2/ping/" "lighttpd + baseline"
authenticate "$appreg_port"

# Each kind of request once through the real front end: a case answered with an error would measure nothing.
auth=()
[ -z "$BENCH_AUTHORIZATION" ] || auth=(-H "Authorization: $BENCH_AUTHORIZATION")
check() { # WANT METHOD PATH [BODY [PORT]]
    local want=$1 method=$2 path=$3 body=${4:-} port=${5:-$appreg_port} got
    if [ -n "$body" ]; then
        got=$(curl -s -o "$work/check.out" -w '%{http_code}' "${auth[@]}" -X "$method" \
            -H 'Content-Type: application/json' --data "$body" "http://127.0.0.1:$port$path") || true
    else
        got=$(curl -s -o "$work/check.out" -w '%{http_code}' "${auth[@]}" -X "$method" \
            "http://127.0.0.1:$port$path") || true
    fi
    [ "$got" = "$want" ] || { cat "$work/check.out" >&2; die "$method $path on port $port answered $got, expected $want"; }
}
check 200 GET "/api/v2/applications/$BENCH_APPS/"
ceiling_bodies=()
for c in list list_filter; do
    check 200 GET "$(case_path "$c")"
    # The list ceiling answers this URI with these bytes (lighttpd passes REQUEST_URI as the client sent it).
    cp "$work/check.out" "$work/ceiling-$c.json"
    ! has_ceiling "$c" || ceiling_bodies+=(--body-for "$(case_path "$c")" "$work/ceiling-$c.json")
done
check 201 POST "/api/v2/applications/" \
    '{"name":"bench-check","client_type":"confidential","authorization_grant_type":"password","organization":1}'
check 200 PATCH "/api/v2/applications/1/" '{"description":"bench check"}'
check 200 PATCH "/api/v2/applications/2/" '{"description":"bench check"}'
ceiling_port=$((BENCH_PORT + 2))
if [ "$with_ceiling" = 1 ]; then
    ceiling_db=
    [ "$with_create_ceiling" = 0 ] || ceiling_db=$work/ceiling.db
    start_ceiling "$ceiling_db" "${ceiling_bodies[@]}"
    start_lighttpd ceiling "$ceiling_port" "$(ceiling_socket)"
    wait_http "http://127.0.0.1:$ceiling_port/api/v2/ping/" "lighttpd + ceiling"
fi
if [ "$with_create_ceiling" = 1 ]; then
    created_table=applications
    [ "$BENCH_CEILING_SQL" = appreg ] || created_table=minimal_creates
    before=$(sqlite3 "$work/ceiling.db" "SELECT count(*) FROM $created_table")
    check 201 POST "/api/v2/applications/" '{"name":"bench-check"}' "$ceiling_port"
    [ "$(sqlite3 "$work/ceiling.db" "SELECT count(*) FROM $created_table")" = $((before + 1)) ] ||
        die "the create ceiling answered 201 without adding a row to $created_table (log: $work/ceiling.log)"
fi
for c in $ceiling_cases; do # the list ceilings measured in this invocation
    [ "$c" != create ] || continue
    check 200 GET "$(case_path "$c")" "" "$ceiling_port"
    cmp -s "$work/check.out" "$work/ceiling-$c.json" ||
        die "the list ceiling's answer to $(case_path "$c") is not appreg's (log: $work/ceiling.log)"
done

# ---- the plan, and the report header --------------------------------------------------------------------------

n_conns=$(wc -w <<<"$BENCH_CONNS")
warm_s=$(duration_seconds "$BENCH_WARMUP")
[ "$BENCH_WARMUP" != 0 ] || warm_s=0
per_target=$((warm_s + BENCH_ROUNDS * (duration_s + 1)))
case_seconds() { echo $(($(wc -w <<<"$(case_targets "$1")") * per_target)); }
planned=0
for c in $BENCH_CASES; do planned=$((planned + n_conns * $(case_seconds "$c"))); done

{
    echo "appreg benchmark, $stamp"
    echo
    machine_description
    echo "appreg: $appreg_desc; db.synchronous=$BENCH_SYNCHRONOUS, db.checkpoint_pages=$BENCH_CHECKPOINT_PAGES, threads=$APPREG_THREADS, $(running_desc), log.requests=$BENCH_LOG_REQUESTS (to a file), $(list_cache_desc), $(malloc_desc)"
    echo "baseline: bench/empty_responder.c (libfcgi, $BASELINE_THREADS threads, no database, fixed $(grep -o '[0-9]*-byte' "$work/baseline.log" || echo '~950-byte') JSON body)"
    [ "$with_create_ceiling" = 0 ] ||
        echo "create ceiling: bench/empty_responder.c --create-db ($APPREG_THREADS threads; each POST runs $(ceiling_sql_desc) through one writer thread with group commit, synchronous=${BENCH_SYNCHRONOUS^^}, checkpoints as appreg's (--checkpoint-pages $BENCH_CHECKPOINT_PAGES), on a copy of the seeded database; no authentication, parsing, validation, rendering or log)"
    [ -z "$BENCH_AFTER_SEED_SQL" ] || echo "after seeding, before measuring (BENCH_AFTER_SEED_SQL): $BENCH_AFTER_SEED_SQL"
    for c in list list_filter; do
        ! has_ceiling "$c" ||
            echo "$c ceiling: bench/empty_responder.c --body-for (the same process; its GET answered with appreg's own response to it, $(stat -c %s "$work/ceiling-$c.json") bytes of body, captured before measuring; no authentication, database or rendering)"
    done
    echo "front end: lighttpd with conf/lighttpd.conf (var.* lines rewritten), unix socket to each worker, one lighttpd per target"
    echo "client: wrk -t$BENCH_WRK_THREADS -c{$BENCH_CONNS} -d$BENCH_DURATION --latency, on the same cores; $BENCH_ROUNDS rounds per case, baseline and appreg$([ "$with_ceiling" = 0 ] || echo " (and the ceiling, in:$ceiling_cases)") alternating (order flipped each round), $BENCH_WARMUP unrecorded warm-up of each first"
    echo "database: $BENCH_APPS applications in $BENCH_ORGS organizations$([ "$BENCH_SEED_ACTIVITY" = 1 ] && echo ", one activity entry each") (${db_mib} MiB, seeded in ${seed_seconds} s); creates add rows as the run goes"
    echo "authentication: $auth_desc"
    echo "planned: $planned s of measuring (time box ${BENCH_MAX_SECONDS} s)"
    echo
    echo "cases:"
    for c in $BENCH_CASES; do printf '  %-12s %s\n' "$c" "$(case_describe "$c")"; done
    echo
} >"$report"
cat "$report" >&2

printf 'case\tconns\tround\ttarget\trequests\trps\tp50_us\tp99_us\tmax_us\tnon2xx\tsocket_errors\tcpu_us_per_req\tbytes_per_resp\n' >"$tsv"

# ---- measuring -------------------------------------------------------------------------------------------------

declare -A rss_after skipped
max_id=$BENCH_APPS

target_port_pid() { # TARGET -> port, pid
    case $1 in
        appreg) port=$appreg_port pid=$worker_pid ;;
        ceiling) port=$ceiling_port pid=$ceiling_pid ;;
        *) port=$baseline_port pid=$baseline_pid ;;
    esac
}

measure() { # TARGET CASE CONNS ROUND
    local target=$1 name=$2 conns=$3 round=$4 port pid
    target_port_pid "$target"
    run_wrk "$port" "$(case_script "$name")" "$(case_path "$name")" "$conns" "$BENCH_DURATION" "$max_id" "$pid" "$wrklog"
    # shellcheck disable=SC2086 # wrk_result is a list of numbers
    set -- $wrk_result
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$conns" "$round" "$target" "$@" >>"$tsv"
    printf '%s: %-11s c%-3s round %s %-8s %9s req/s  p50 %6.2f ms  p99 %7.2f ms%s\n' "$bench_name" "$name" "$conns" \
        "$round" "$target" "$2" "$(awk -v u="$3" 'BEGIN{print u/1000}')" "$(awk -v u="$4" 'BEGIN{print u/1000}')" \
        "$([ "$6" -eq 0 ] && [ "$7" -eq 0 ] || echo "  non-2xx $6, socket errors $7")" >&2
}

# One more, unrecorded appreg run with perf attached (BENCH_PROFILE=1): where appreg-fcgi's CPU time goes, by
# function including callees and by function itself, written to bench/results/<time>-profile.txt. perf slows the worker down, which is
# why these runs are not among the measured ones.
profile() { # CASE CONNS
    local name=$1 conns=$2 data=$work/perf-$1-$2.data seconds
    seconds=$(duration_seconds "$BENCH_DURATION")
    (sleep 1 && perf record -q -F 499 --call-graph dwarf,16384 -p "$worker_pid" -o "$data" -- sleep $((seconds > 2 ? seconds - 2 : 1)) >/dev/null 2>&1) &
    local perf_pid=$!
    run_wrk "$appreg_port" "$(case_script "$name")" "$(case_path "$name")" "$conns" "$BENCH_DURATION" "$max_id" "$worker_pid" "$work/warmup.log"
    wait "$perf_pid" || true
    {
        echo "### $name, $conns connections: share of appreg-fcgi's sampled CPU time by function, callees included (top 60)"
        perf report -i "$data" --children --sort symbol -g none --percent-limit 1.5 2>/dev/null |
            grep -v '^#' | grep '%' | sed 's/  */ /g' | cut -c1-170 | awk 'NR <= 60' # no head: SIGPIPE + pipefail
        echo
        echo "### $name, $conns connections: share of appreg-fcgi's sampled CPU time by function, itself only (top 30)"
        perf report -i "$data" --no-children --sort dso,symbol -g none --percent-limit 0.5 2>/dev/null |
            grep -v '^#' | grep '%' | sed 's/  */ /g' | cut -c1-170 | awk 'NR <= 30'
        echo
    } >>"$profile_report"
    [ "${BENCH_KEEP:-0}" != 0 ] || rm -f "$data"  # BENCH_KEEP=1 keeps it for perf report
}
profile_report=${report%.txt}-profile.txt
if [ "${BENCH_PROFILE:-0}" != 0 ] && ! command -v perf >/dev/null; then
    die "BENCH_PROFILE=1 needs perf: apt-get install linux-perf"
fi

for conns in $BENCH_CONNS; do
    for name in $BENCH_CASES; do
        if [ "$(time_left)" -lt "$(case_seconds "$name")" ]; then
            skipped["$name/$conns"]=1
            say "skipping $name at $conns connections: the time box (BENCH_MAX_SECONDS=$BENCH_MAX_SECONDS) is spent"
            continue
        fi
        read -r -a targets <<<"$(case_targets "$name")"
        if [ "$BENCH_WARMUP" != 0 ]; then
            for target in "${targets[@]}"; do
                target_port_pid "$target"
                run_wrk "$port" "$(case_script "$name")" "$(case_path "$name")" "$conns" "$BENCH_WARMUP" "$max_id" "$pid" "$work/warmup.log"
            done
        fi
        for round in $(seq "$BENCH_ROUNDS"); do
            order=("${targets[@]}")
            [ $((round % 2)) -eq 1 ] || mapfile -t order < <(printf '%s\n' "${targets[@]}" | tac)
            for target in "${order[@]}"; do measure "$target" "$name" "$conns" "$round"; done
        done
        rss_after["$name/$conns"]=$(rss_kib "$worker_pid")
        [ "${BENCH_PROFILE:-0}" = 0 ] || profile "$name" "$conns"
    done
done
created=$(sqlite3 "$work/appreg.db" "SELECT count(*) FROM applications WHERE id > $BENCH_APPS")
# The worker sums up its group commits when it stops (creates and patches of every case together).
stop_worker
group_commits=$(grep -o 'group commit: .*' "$work/appreg.log" | tail -n 1)
checkpoints=$(grep -o 'checkpoints: .*' "$work/appreg.log" | tail -n 1 || true)
stop_ceiling
ceiling_commits=$(grep -o 'group commit: .*' "$work/ceiling.log" 2>/dev/null | tail -n 1 || true)

# ---- the summary -----------------------------------------------------------------------------------------------

median() { sort -g | awk '{v[NR] = $1} END {if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
column_of() { # CASE CONNS TARGET COLUMN-NUMBER -> median over the rounds
    awk -F'\t' -v c="$1" -v n="$2" -v t="$3" -v k="$4" 'NR > 1 && $1 == c && $2 == n && $4 == t {print $k}' "$tsv" | median
}
sum_of() {
    awk -F'\t' -v c="$1" -v n="$2" -v t="$3" -v k="$4" 'NR > 1 && $1 == c && $2 == n && $4 == t {s += $k} END {print s + 0}' "$tsv"
}

{
    echo "results (median of $BENCH_ROUNDS rounds; latency in ms; ratio = appreg req/s / baseline req/s; targets from issue 7)"
    echo
    printf '%-12s %5s | %9s %6s %6s | %9s %7s %7s %7s | %5s %-11s %-12s | %6s %6s %7s\n' \
        case conns "base r/s" p50 p99 "appreg r/s" p50 p99 max ratio "ratio tgt" "p99@64 tgt" "cpu us" bytes "rss MiB"
    for conns in $BENCH_CONNS; do
        for name in $BENCH_CASES; do
            if [ -n "${skipped[$name/$conns]:-}" ]; then
                printf '%-12s %5s | skipped (time box)\n' "$name" "$conns"
                continue
            fi
            b_rps=$(column_of "$name" "$conns" baseline 6)
            a_rps=$(column_of "$name" "$conns" appreg 6)
            b50=$(column_of "$name" "$conns" baseline 7) b99=$(column_of "$name" "$conns" baseline 8)
            a50=$(column_of "$name" "$conns" appreg 7) a99=$(column_of "$name" "$conns" appreg 8)
            amax=$(column_of "$name" "$conns" appreg 9)
            cpu=$(column_of "$name" "$conns" appreg 12)
            bytes=$(column_of "$name" "$conns" appreg 13)
            rt=$(ratio_target "$name") pt=$(p99_target_ms "$name")
            ratio=$(awk -v a="$a_rps" -v b="$b_rps" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')
            verdict=-
            [ "$rt" = - ] || verdict=$(awk -v r="$ratio" -v t="$rt" 'BEGIN {print (r >= t + 0 ? ">=" t " ok" : ">=" t " MISS")}')
            p99v=-
            if [ "$pt" != - ] && [ "$conns" -ge 64 ]; then
                p99v=$(awk -v p="$a99" -v t="$pt" 'BEGIN {print (p / 1000 < t + 0 ? "<" t "ms ok" : "<" t "ms MISS")}')
            fi
            printf '%-12s %5s | %9.0f %6.2f %6.2f | %9.0f %7.2f %7.2f %7.1f | %5s %-11s %-12s | %6.0f %6.0f %7.1f\n' \
                "$name" "$conns" "$b_rps" "$(awk -v u="$b50" 'BEGIN{print u/1000}')" "$(awk -v u="$b99" 'BEGIN{print u/1000}')" \
                "$a_rps" "$(awk -v u="$a50" 'BEGIN{print u/1000}')" "$(awk -v u="$a99" 'BEGIN{print u/1000}')" \
                "$(awk -v u="$amax" 'BEGIN{print u/1000}')" "$ratio" "$verdict" "$p99v" "$cpu" "$bytes" \
                "$(awk -v k="${rss_after[$name/$conns]:-0}" 'BEGIN{print k/1024}')"
            [ "$(sum_of "$name" "$conns" appreg 5)" -gt 0 ] ||
                echo "             ^ appreg completed no request within $BENCH_DURATION: its latencies above mean nothing"
            bad=$(($(sum_of "$name" "$conns" appreg 10) + $(sum_of "$name" "$conns" appreg 11)))
            [ "$bad" -eq 0 ] || echo "             ^ appreg: $(sum_of "$name" "$conns" appreg 10) non-2xx responses, $(sum_of "$name" "$conns" appreg 11) socket errors/timeouts in the measured runs"
        done
    done
    echo
    echo "columns: max = appreg's slowest response in a run (median over rounds); cpu us = appreg-fcgi CPU time per"
    echo "request (user+system, all threads); bytes = appreg's whole HTTP response; rss = appreg-fcgi resident memory after the case."
    echo "The baseline answers every case with the same ~1 KB response: for lists (~20 KB from appreg) the ratio includes that."
    if [ "$with_ceiling" = 1 ]; then
        echo
        echo "ceiling (median of $BENCH_ROUNDS rounds): for creates $(ceiling_sql_desc) through one writer with group commit, nothing else;"
        echo "for lists the same response bytes, nothing else"
        for conns in $BENCH_CONNS; do
            for name in $ceiling_cases; do
                [ -z "${skipped[$name/$conns]:-}" ] || continue
                c_rps=$(column_of "$name" "$conns" ceiling 6) c99=$(column_of "$name" "$conns" ceiling 8)
                c_cpu=$(column_of "$name" "$conns" ceiling 12)
                b_rps=$(column_of "$name" "$conns" baseline 6) a_rps=$(column_of "$name" "$conns" appreg 6)
                printf '  %-12s %3s conns: %6.0f req/s, p99 %6.2f ms, %4.0f cpu us | ceiling / baseline %s | appreg / ceiling %s\n' \
                    "$name" "$conns" "$c_rps" "$(awk -v u="$c99" 'BEGIN{print u/1000}')" "$c_cpu" \
                    "$(awk -v a="$c_rps" -v b="$b_rps" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')" \
                    "$(awk -v a="$a_rps" -v b="$c_rps" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')"
                bad=$(($(sum_of "$name" "$conns" ceiling 10) + $(sum_of "$name" "$conns" ceiling 11)))
                [ "$bad" -eq 0 ] || echo "    ^ the ceiling: $(sum_of "$name" "$conns" ceiling 10) non-2xx responses, $(sum_of "$name" "$conns" ceiling 11) socket errors/timeouts"
            done
        done
        [ "$with_create_ceiling" = 0 ] || echo "  the create ceiling's ${ceiling_commits:-group commit: not reported}"
    fi
    echo "applications created during the run: $created"
    echo "appreg's ${group_commits:-group commit: no write}"
    [ -z "$checkpoints" ] || echo "appreg's $checkpoints"
    echo "authentication: $auth_desc"
    echo
    echo "every run (tab-separated, also in $(basename "$tsv")):"
    column -t -s $'\t' "$tsv" 2>/dev/null || cat "$tsv"
} >"$work/summary.txt"

cat "$work/summary.txt" >>"$report"
{
    echo
    echo "wrk's own output for every measured run:"
    cat "$wrklog"
} >>"$report"
echo >&2
cat "$work/summary.txt"
echo
echo "report: ${report#"$root"/}   runs: ${tsv#"$root"/}"
[ "${BENCH_PROFILE:-0}" = 0 ] || echo "profile: ${profile_report#"$root"/}"
exit
}
