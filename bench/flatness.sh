#!/usr/bin/env bash
# List latency against database size (issue 7: "flat from 1,000 to 1,000,000 applications"):
#
#   bash bench/flatness.sh                 # ~3 min: 1k, 10k, 100k, 1M applications
#   BENCH_DURATION=3s bash bench/flatness.sh
#
# Builds appreg-fcgi (Release) like bench/run.sh, starts lighttpd (conf/lighttpd.conf) in front of it, and grows
# one database through the sizes (each step seeded straight into SQLite while the worker is stopped). At each
# size it measures GET /api/v2/applications/ (first page of 25, default order) and the filtered list, with one
# connection (the latency of a lone request) and with 16 (under load), and prints p50/p99 at every size and
# the ratio between the two ends. Writes bench/results/<UTC time>-flatness.txt and .tsv. No baseline here:
# the question is whether appreg's own latency depends on the table size.
#
# Settings (environment), defaults in brackets; the rest as in bench/run.sh (BENCH_REF, BENCH_APPREG_BIN,
# BENCH_SYNCHRONOUS, APPREG_THREADS, BENCH_LIST_CACHE_BYTES, BENCH_AUTH, BENCH_AUTHORIZATION, BENCH_PORT, BENCH_KEEP,
# BENCH_RESULTS, ...):
#   BENCH_FLAT_SIZES ["1000 10000 100000 1000000"]  ascending
#   BENCH_FLAT_CONNS ["1 16"]
#   BENCH_FLAT_CASES ["list list_filter"]   (list_filter = ?client_type=public&order_by=-id)
#   BENCH_DURATION [5s]  BENCH_WARMUP [1s]  BENCH_WRK_TIMEOUT [10s]  BENCH_MAX_SECONDS [600]
set -euo pipefail
# The rest is one compound command, which bash reads whole before running it: editing this file while a run is
# in progress (it takes minutes) cannot change what that run does.
{
bench_name=flatness.sh
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BENCH_FLAT_SIZES=${BENCH_FLAT_SIZES:-1000 10000 100000 1000000}
BENCH_FLAT_CONNS=${BENCH_FLAT_CONNS:-1 16}
BENCH_FLAT_CASES=${BENCH_FLAT_CASES:-list list_filter}
BENCH_MAX_SECONDS=${BENCH_MAX_SECONDS:-600}
BENCH_RESULTS=${BENCH_RESULTS:-$bench_dir/results}
BENCH_WRK_TIMEOUT=${BENCH_WRK_TIMEOUT:-10s}
export BENCH_WRK_TIMEOUT

previous=0
for n in $BENCH_FLAT_SIZES; do
    case "$n" in '' | *[!0-9]* | 0) die "BENCH_FLAT_SIZES: '$n' is not a positive number" ;; esac
    [ "$n" -gt "$previous" ] || die "BENCH_FLAT_SIZES must be ascending"
    previous=$n
done
flat_path() {
    case $1 in
        list) echo "/api/v2/applications/" ;;
        list_filter) echo "/api/v2/applications/?client_type=public&order_by=-id" ;;
        *) die "unknown case '$1' (known: list list_filter)" ;;
    esac
}
for c in $BENCH_FLAT_CASES; do flat_path "$c" >/dev/null; done

ensure_dependencies
build_appreg
make_workdir
start_time_box "$BENCH_MAX_SECONDS"

stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$BENCH_RESULTS"
report=$BENCH_RESULTS/$stamp-flatness.txt
tsv=$BENCH_RESULTS/$stamp-flatness.tsv
wrklog=$work/wrk.log

write_appreg_config
create_schema
start_lighttpd appreg "$BENCH_PORT" "$(appreg_socket)"
# Credentials first (a token needs the worker; it survives the restarts below).
start_worker
wait_http "http://127.0.0.1:$BENCH_PORT/api/v2/ping/" "lighttpd + appreg"
authenticate "$BENCH_PORT"

{
    echo "appreg list latency against database size, $stamp"
    echo
    machine_description
    echo "appreg: $appreg_desc; db.synchronous=$BENCH_SYNCHRONOUS, threads=$APPREG_THREADS, $(running_desc), log.requests=$BENCH_LOG_REQUESTS (to a file), $(list_cache_desc), $(malloc_desc)"
    echo "front end: lighttpd with conf/lighttpd.conf, unix socket; client: wrk -c{$BENCH_FLAT_CONNS} -d$BENCH_DURATION --latency --timeout $BENCH_WRK_TIMEOUT"
    echo "database: grown through $BENCH_FLAT_SIZES applications in $BENCH_ORGS organizations$([ "$BENCH_SEED_ACTIVITY" = 1 ] && echo ", one activity entry each")"
    echo "authentication: $auth_desc"
    echo "cases: list = GET /api/v2/applications/ (page 1 of 25, default order: organization name, name, id)"
    echo "       list_filter = GET /api/v2/applications/?client_type=public&order_by=-id (page 1)"
    echo
} >"$report"
cat "$report" >&2

printf 'apps\tcase\tconns\trequests\trps\tp50_us\tp99_us\tmax_us\tnon2xx\tsocket_errors\tcpu_us_per_req\tbytes_per_resp\tseed_s\n' >"$tsv"

previous=0
for n in $BENCH_FLAT_SIZES; do
    need=$(($(wc -w <<<"$BENCH_FLAT_CASES") * $(wc -w <<<"$BENCH_FLAT_CONNS") * ($(duration_seconds "$BENCH_DURATION") + 1) + 5))
    if [ "$(time_left)" -lt "$need" ]; then
        say "skipping $n and larger: the time box (BENCH_MAX_SECONDS=$BENCH_MAX_SECONDS) is spent"
        echo "$n applications and larger: skipped (time box)" >>"$work/skipped.txt"
        break
    fi
    stop_worker
    say "seeding applications $((previous + 1))..$n"
    t0=$SECONDS
    seed_applications $((previous + 1)) "$n" >/dev/null
    seed_s=$((SECONDS - t0))
    previous=$n
    start_worker
    wait_http "http://127.0.0.1:$BENCH_PORT/api/v2/ping/" "lighttpd + appreg"
    warm_credentials "$BENCH_PORT"
    for name in $BENCH_FLAT_CASES; do
        if [ "$BENCH_WARMUP" != 0 ]; then
            run_wrk "$BENCH_PORT" list "$(flat_path "$name")" 1 "$BENCH_WARMUP" "$n" "$worker_pid" "$work/warmup.log"
        fi
        for conns in $BENCH_FLAT_CONNS; do
            run_wrk "$BENCH_PORT" list "$(flat_path "$name")" "$conns" "$BENCH_DURATION" "$n" "$worker_pid" "$wrklog"
            # shellcheck disable=SC2086 # a list of numbers
            set -- $wrk_result
            printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$name" "$conns" "$@" "$seed_s" >>"$tsv"
            say "$(printf '%8s apps %-11s c%-3s %8s req/s  p50 %8.2f ms  p99 %8.2f ms%s' "$n" "$name" "$conns" "$2" \
                "$(awk -v u="$3" 'BEGIN{print u/1000}')" "$(awk -v u="$4" 'BEGIN{print u/1000}')" \
                "$([ "$6" -eq 0 ] && [ "$7" -eq 0 ] || echo "  non-2xx $6, socket errors/timeouts $7")")"
        done
    done
done

ms() { awk -v u="$1" 'BEGIN {printf "%.2f", u / 1000}'; }
field() { # APPS CASE CONNS COLUMN
    awk -F'\t' -v a="$1" -v c="$2" -v n="$3" -v k="$4" 'NR > 1 && $1 == a && $2 == c && $3 == n {print $k}' "$tsv"
}
{
    echo "results (latency in ms; one run of $BENCH_DURATION per line)"
    echo
    printf '%9s %-12s %5s | %9s %9s %9s %9s | %8s %8s | %7s %7s\n' apps case conns "req/s" p50 p99 max completed "errors" "cpu us" "bytes"
    tail -n +2 "$tsv" | while IFS=$'\t' read -r apps name conns requests rps p50 p99 max non2xx sockerr cpu bytes _; do
        if [ "$requests" -eq 0 ]; then
            printf '%9s %-12s %5s | no request completed within %s (each takes longer)\n' "$apps" "$name" "$conns" "$BENCH_DURATION"
            continue
        fi
        printf '%9s %-12s %5s | %9.1f %9s %9s %9s | %8s %8s | %7.0f %7s\n' "$apps" "$name" "$conns" "$rps" "$(ms "$p50")" \
            "$(ms "$p99")" "$(ms "$max")" "$requests" "$((non2xx + sockerr))" "$cpu" "$bytes"
    done
    [ ! -f "$work/skipped.txt" ] || cat "$work/skipped.txt"
    echo
    first=$(tail -n +2 "$tsv" | head -n 1 | cut -f1)
    last=$(tail -n 1 "$tsv" | cut -f1)
    if [ -n "$first" ] && [ "$first" != "$last" ]; then
        echo "the two ends ($first and $last applications):"
        for name in $BENCH_FLAT_CASES; do
            for conns in $BENCH_FLAT_CONNS; do
                a50=$(field "$first" "$name" "$conns" 6) a99=$(field "$first" "$name" "$conns" 7)
                b50=$(field "$last" "$name" "$conns" 6) b99=$(field "$last" "$name" "$conns" 7)
                if [ -z "$a50" ] || [ -z "$b50" ]; then continue; fi
                if [ "$(field "$last" "$name" "$conns" 4)" -eq 0 ]; then
                    printf '  %-12s c%-3s p50 %8s ms -> no request completed within %s at %s\n' "$name" "$conns" \
                        "$(ms "$a50")" "$BENCH_DURATION" "$last"
                    continue
                fi
                printf '  %-12s c%-3s p50 %8s -> %8s ms (x%s)   p99 %8s -> %8s ms (x%s)\n' "$name" "$conns" \
                    "$(ms "$a50")" "$(ms "$b50")" "$(awk -v a="$a50" -v b="$b50" 'BEGIN {printf "%.1f", (a > 0 ? b / a : 0)}')" \
                    "$(ms "$a99")" "$(ms "$b99")" "$(awk -v a="$a99" -v b="$b99" 'BEGIN {printf "%.1f", (a > 0 ? b / a : 0)}')"
            done
        done
        echo "  (flat means x1.0; wrk counts a request slower than $BENCH_WRK_TIMEOUT as an error, not in the percentiles)"
    fi
    echo "appreg-fcgi resident memory at the end: $(awk -v k="$(rss_kib "$worker_pid")" 'BEGIN {printf "%.1f", k / 1024}') MiB"
    echo "authentication: $auth_desc"
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
exit
}
