#!/usr/bin/env bash
# Runs the libFuzzer targets of a fuzz build directory on the committed seed corpora, all at once (one process
# each), each for a fixed time.
#
#   fuzz/run.sh BUILD_DIR [SECONDS_PER_TARGET] [TARGET...]   (defaults: 60 s; fuzz_request fuzz_json_body)
#
# New inputs that add coverage go to BUILD_DIR/fuzz-corpus/<target>/ (the committed seeds in fuzz/corpus/ are
# read, never written), so a second run continues where the first stopped. Exit status 1 if any target found
# something: a crash, a sanitizer report (ASan, UBSan, LeakSanitizer), an input running over 10 s, more than
# 2 GB of memory, or a response outside the documented statuses or not JSON ("==== appreg fuzz" in the log).
# The input is saved as BUILD_DIR/fuzz-artifacts/<target>/crash-* (or leak-*, timeout-*, oom-*) and the end
# of the log is printed. Reproduce with: BUILD_DIR/fuzz/<target> <that file>
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=${1:?usage: fuzz/run.sh BUILD_DIR [SECONDS] [TARGET...]}
seconds=${2:-60}
shift $(($# < 2 ? $# : 2))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_request fuzz_json_body)

declare -A corpus=([fuzz_request]=request [fuzz_json_body]=json_body)
declare -A dict=([fuzz_request]=request.dict [fuzz_json_body]=json_body.dict)

# Leaks are findings; UBSan aborts at its first report (the targets are built with -fno-sanitize-recover).
export ASAN_OPTIONS=${FUZZ_ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${FUZZ_UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

status=0
pids=()
marker=$(mktemp "${TMPDIR:-/tmp}/fuzz-run.XXXXXX")  # findings of this run are newer than this file
trap 'rm -f "$marker"' EXIT
for t in "${targets[@]}"; do
    bin=$build/fuzz/$t
    if [ ! -x "$bin" ] || [ -z "${corpus[$t]-}" ]; then
        echo "fuzz/run.sh: $bin is missing or unknown (build the fuzz targets first)" >&2
        status=1
        continue
    fi
    mkdir -p "$build/fuzz-corpus/$t" "$build/fuzz-artifacts/$t"
    echo "fuzz/run.sh: $t for $seconds s (log $build/fuzz-$t.log)"
    "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 \
        -dict="$here/${dict[$t]}" -artifact_prefix="$build/fuzz-artifacts/$t/" \
        "$build/fuzz-corpus/$t" "$here/corpus/${corpus[$t]}" >"$build/fuzz-$t.log" 2>&1 &
    pids+=("$t:$!")
done

for entry in "${pids[@]}"; do
    t=${entry%%:*}
    wait "${entry#*:}"
    rc=$?
    log=$build/fuzz-$t.log
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -n 1)
    echo "fuzz/run.sh: $t: ${runs:-?} executions, ${rate:-?}/s, ${cov:-no coverage line}"
    if [ $rc -ne 0 ] ||
        grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|==== appreg fuzz' "$log"; then
        echo "fuzz/run.sh: $t FAILED (exit $rc); end of $log:" >&2
        grep -vE '^#[0-9]+ ' "$log" | tail -n 60 >&2
        echo "fuzz/run.sh: reproducer(s):" $(find "$build/fuzz-artifacts/$t" -type f -newer "$marker") >&2
        status=1
    fi
done
exit $status
