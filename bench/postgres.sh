#!/usr/bin/env bash
# appreg on PostgreSQL against appreg on SQLite, with one and with two workers, in one invocation (issue 8):
#
#   bash bench/postgres.sh                                # ~4 min: 20,000 applications, 5 s runs, 2 rounds
#   BENCH_DURATION=3s BENCH_ROUNDS=1 bash bench/postgres.sh
#
# It builds appreg-fcgi (Release, build-bench/) and the empty libfcgi responder (the baseline, as bench/run.sh),
# starts a throwaway PostgreSQL 15 server (scripts/postgres-test-server.sh, port BENCH_PG_PORT, fsync on,
# default settings otherwise), seeds a SQLite database with BENCH_APPS applications and copies it into
# PostgreSQL with `appreg-fcgi copy-database` (so both hold the same rows), and measures, alternating:
#   baseline   the empty responder behind lighttpd
#   sqlite     one worker on the SQLite file
#   pg1        one worker on PostgreSQL
#   pg2        two workers on PostgreSQL, each behind its own lighttpd (as two hosts would be), loaded at once
#              by two wrk processes with half the connections each; their req/s are added up
# for every case in BENCH_CASES, at BENCH_CONNS connections in all. Everything runs on this machine's cores,
# the database server included: the figures compare the engines on one machine, they do not measure what a
# second host adds. Writes are durable on both (SQLite synchronous=FULL; PostgreSQL synchronous_commit=on).
# Writes bench/results/<UTC time>-postgres.txt. Not a test: CI does not run it.
#
# Settings: BENCH_APPS [20000], BENCH_ORGS [20], BENCH_DURATION [5s], BENCH_WARMUP [1s], BENCH_ROUNDS [2],
# BENCH_CONNS [16], BENCH_CASES ["detail list create"], BENCH_PG_PORT [55490], APPREG_THREADS [16],
# BENCH_PORT [18080] (lighttpd ports BENCH_PORT..BENCH_PORT+4), BENCH_AUTH [basic], as in bench/run.sh.
set -euo pipefail
# The rest is one compound command, which bash reads whole before running it: editing this file while a run is
# in progress (it takes minutes) cannot change what that run does.
{
bench_name=postgres.sh
APPREG_THREADS=${APPREG_THREADS:-16}  # the worker's default on PostgreSQL; the SQLite worker here gets the same
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BENCH_APPS=${BENCH_APPS:-20000}
BENCH_ROUNDS=${BENCH_ROUNDS:-2}
BENCH_CONNS=${BENCH_CONNS:-16}
BENCH_CASES=${BENCH_CASES:-detail list create}
BENCH_PG_PORT=${BENCH_PG_PORT:-55490}
BENCH_RESULTS=${BENCH_RESULTS:-$bench_dir/results}
BENCH_SEED_ACTIVITY=0  # the copy carries every table; activity rows would only lengthen it

case_script() { case $1 in detail) echo detail ;; list) echo list ;; create) echo create ;; *) die "unknown case '$1'" ;; esac; }
case_path() { case $1 in detail) echo "/api/v2/applications/1/" ;; *) echo "/api/v2/applications/" ;; esac; }
for c in $BENCH_CASES; do case_script "$c" >/dev/null; done

ensure_dependencies
build_appreg
build_baseline
make_workdir

pg_dir=/tmp/appreg-bench-pg-$$
pg() { APPREG_PG_PORT=$BENCH_PG_PORT bash "$root/scripts/postgres-test-server.sh" "$@" "$pg_dir"; }
# shellcheck disable=SC2317 # runs from the EXIT trap
stop_pg() { pg stop >/dev/null 2>&1 || true; rm -rf "$pg_dir"; }
trap 'cleanup; stop_pg' EXIT
pg_server=$(pg start)
pg_url="postgresql://postgres@127.0.0.1:$BENCH_PG_PORT/appreg_bench"
psql -q "$pg_server" -c "CREATE DATABASE appreg_bench" >/dev/null

stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$BENCH_RESULTS"
report=$BENCH_RESULTS/$stamp-postgres.txt
wrklog=$work/wrk.log

write_appreg_config
say "seeding $BENCH_APPS applications into SQLite and copying them into PostgreSQL"
create_schema
seed_applications 1 "$BENCH_APPS" >/dev/null
"$appreg_bin" copy-database --config "$work/appreg.properties" --db "$pg_url" --from "$work/appreg.db" \
    >"$work/copy.log" 2>&1 || { cat "$work/copy.log" >&2; die "copy-database failed"; }

# Workers: sqlite (the file), pg1 and pg2a/pg2b (PostgreSQL), one lighttpd each, plus the baseline's.
declare -A wpid port
start_named_worker() { # NAME DB
    local name=$1 db=$2 socket=$work/$1.sock
    rm -f "$socket"
    GLIBC_TUNABLES=$BENCH_GLIBC_TUNABLES "$appreg_bin" --config "$work/appreg.properties" \
        --db "$db" --listen "unix:$socket" >>"$work/$name.log" 2>&1 &
    wpid[$name]=$!
    pids+=("$!")
    names+=("appreg-fcgi ($name)")
    wait_socket "$socket" "$!" "appreg-fcgi $name (log: $work/$name.log)"
}
start_named_worker sqlite "$work/appreg.db"
start_named_worker pg1 "$pg_url"
start_named_worker pg2a "$pg_url"
start_named_worker pg2b "$pg_url"
start_baseline
i=0
for name in sqlite pg1 pg2a pg2b; do
    port[$name]=$((BENCH_PORT + i))
    mkdir -p "$work/$name-lighttpd"
    start_lighttpd "$name" "${port[$name]}" "$work/$name.sock"
    i=$((i + 1))
done
port[baseline]=$((BENCH_PORT + 4))
start_lighttpd baseline "${port[baseline]}" "$(baseline_socket)"
for name in sqlite pg1 pg2a pg2b baseline; do wait_http "http://127.0.0.1:${port[$name]}/api/v2/ping/" "$name"; done
has_users=1
authenticate "${port[sqlite]}"
for name in sqlite pg1 pg2a pg2b; do warm_credentials "${port[$name]}"; done

# One wrk run against one or two front servers at once. Sets result to "rps p50_us p99_us non2xx+errors".
serial=0
wrk_one() { # PORT SCRIPT PATH CONNS DURATION OUT TAG (TAG: unique per wrk process, for the names it creates)
    BENCH_LUA_DIR=$bench_dir timeout $(($(duration_seconds "$5") + 30)) wrk -t"$(($4 < 2 ? 1 : 2))" -c"$4" -d"$5" \
        --latency --timeout 5s -s "$bench_dir/$2.lua" "http://127.0.0.1:$1$3" -- "$BENCH_APPS" "$BENCH_ORGS" \
        "$7" >"$6" 2>&1
}
measure() { # TARGET CASE ROUND
    local target=$1 name=$2 duration=$BENCH_DURATION conns=$BENCH_CONNS
    local script path tag
    script=$(case_script "$name") path=$(case_path "$name")
    serial=$((serial + 1))
    tag=$(date +%s)-$$-$serial
    if [ "$target" = pg2 ]; then
        wrk_one "${port[pg2a]}" "$script" "$path" $((conns / 2)) "$duration" "$work/a.out" "$tag-a" &
        local a=$!
        wrk_one "${port[pg2b]}" "$script" "$path" $((conns - conns / 2)) "$duration" "$work/b.out" "$tag-b" || die "wrk failed"
        wait "$a" || die "wrk failed"
        cat "$work/a.out" "$work/b.out" >>"$wrklog"
        result=$(grep -h '^BENCH_RESULT ' "$work/a.out" "$work/b.out" | awk '{
            for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
            rps += v["rps"]; bad += v["non2xx"] + v["connect_err"] + v["read_err"] + v["write_err"] + v["timeouts"]
            if (v["p50_us"] > p50) p50 = v["p50_us"]; if (v["p99_us"] > p99) p99 = v["p99_us"]
        } END { printf "%.1f %d %d %d\n", rps, p50, p99, bad }')
    else
        wrk_one "${port[$target]}" "$script" "$path" "$conns" "$duration" "$work/a.out" "$tag" || die "wrk failed"
        cat "$work/a.out" >>"$wrklog"
        result=$(grep -h '^BENCH_RESULT ' "$work/a.out" | awk '{
            for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
            printf "%.1f %d %d %d\n", v["rps"], v["p50_us"], v["p99_us"], v["non2xx"] + v["connect_err"] + v["read_err"] + v["write_err"] + v["timeouts"]
        }')
    fi
    printf '%s\t%s\t%s\t%s\n' "$name" "$round" "$target" "$result" | tr ' ' '\t' >>"$work/runs.tsv"
    say "$name round $round $target: $result (req/s p50_us p99_us failed)"
}

{
    echo "appreg on SQLite and on PostgreSQL, $stamp"
    echo
    machine_description
    echo "PostgreSQL: $(psql -tA "$pg_server" -c 'SHOW server_version'), throwaway server on 127.0.0.1:$BENCH_PG_PORT (fsync=$(psql -tA "$pg_server" -c 'SHOW fsync'), synchronous_commit=$(psql -tA "$pg_server" -c 'SHOW synchronous_commit'), shared_buffers=$(psql -tA "$pg_server" -c 'SHOW shared_buffers')), over TCP loopback"
    echo "appreg: $appreg_desc; threads=$APPREG_THREADS per worker, $(running_desc), db.synchronous=$BENCH_SYNCHRONOUS (SQLite), $(list_cache_desc), $(malloc_desc)"
    echo "data: $BENCH_APPS applications in $BENCH_ORGS organizations, seeded into SQLite and copied into PostgreSQL (copy-database)"
    echo "client: wrk, $BENCH_CONNS connections in all, $BENCH_DURATION per run, $BENCH_ROUNDS rounds, targets alternating; pg2 = two workers, each behind its own lighttpd, two wrk at once with half the connections each (req/s added, latency the worse of the two)"
    echo "authentication: $auth_desc"
    echo
} >"$report"

targets=(baseline sqlite pg1 pg2)
for name in $BENCH_CASES; do
    for t in "${targets[@]}"; do
        [ "$BENCH_WARMUP" = 0 ] || { round=warmup; measure "$t" "$name" >/dev/null 2>&1 || true; }
    done
    sed -i '/\twarmup\t/d' "$work/runs.tsv" 2>/dev/null || true
    for round in $(seq "$BENCH_ROUNDS"); do
        order=("${targets[@]}")
        [ $((round % 2)) -eq 1 ] || order=(pg2 pg1 sqlite baseline)
        for t in "${order[@]}"; do measure "$t" "$name" "$round"; done
    done
done

median() { sort -g | awk '{v[NR] = $1} END {if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
col() { awk -F'\t' -v c="$1" -v t="$2" -v k="$3" '$1 == c && $3 == t {print $k}' "$work/runs.tsv" | median; }
{
    echo "results (median of $BENCH_ROUNDS rounds; req/s; p50/p99 in ms; failed = non-2xx + socket errors, summed over rounds)"
    echo
    printf '%-8s | %9s | %9s %6s %6s | %9s %6s %6s %5s | %9s %6s %6s %5s | %s\n' case baseline sqlite p50 p99 pg1 p50 p99 "/sql" pg2 p50 p99 "/pg1" failed
    for name in $BENCH_CASES; do
        b=$(col "$name" baseline 4) s=$(col "$name" sqlite 4) p1=$(col "$name" pg1 4) p2=$(col "$name" pg2 4)
        printf '%-8s | %9.0f | %9.0f %6.2f %6.2f | %9.0f %6.2f %6.2f %5.2f | %9.0f %6.2f %6.2f %5.2f | %s\n' "$name" "$b" \
            "$s" "$(awk -v u="$(col "$name" sqlite 5)" 'BEGIN{print u/1000}')" "$(awk -v u="$(col "$name" sqlite 6)" 'BEGIN{print u/1000}')" \
            "$p1" "$(awk -v u="$(col "$name" pg1 5)" 'BEGIN{print u/1000}')" "$(awk -v u="$(col "$name" pg1 6)" 'BEGIN{print u/1000}')" \
            "$(awk -v a="$p1" -v b="$s" 'BEGIN{printf "%.2f", (b > 0 ? a / b : 0)}')" \
            "$p2" "$(awk -v u="$(col "$name" pg2 5)" 'BEGIN{print u/1000}')" "$(awk -v u="$(col "$name" pg2 6)" 'BEGIN{print u/1000}')" \
            "$(awk -v a="$p2" -v b="$p1" 'BEGIN{printf "%.2f", (b > 0 ? a / b : 0)}')" \
            "$(awk -F'\t' -v c="$name" '$1 == c && $3 != "baseline" {s += $7} END {print s + 0}' "$work/runs.tsv")"
    done
    echo
    echo "/sql = pg1 req/s / sqlite req/s; /pg1 = pg2 req/s / pg1 req/s (what the second worker adds on this machine)"
    echo "rows in PostgreSQL at the end: $(psql -tA "$pg_url" -c 'SELECT count(*) FROM applications')"
    echo
    echo "every run (case, round, target, req/s, p50 us, p99 us, failed):"
    cat "$work/runs.tsv"
} >"$work/summary.txt"
cat "$work/summary.txt" >>"$report"
{ echo; echo "wrk's own output:"; cat "$wrklog"; } >>"$report"
cat "$work/summary.txt"
echo
echo "report: ${report#"$root"/}"
exit
}
