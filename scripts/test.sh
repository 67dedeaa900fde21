#!/usr/bin/env bash
# Builds and tests everything; exit status 0 only if every step passed.
#
#   bash scripts/test.sh
#
#  1. installs the Debian packages (scripts/install-deps.sh --test)
#  2. builds build/ (RelWithDebInfo, -Werror)
#  3. builds build-asan/ (-DAPPREG_SANITIZE=ON: ASan + UBSan) and runs the unit and integration suites there,
#     and postgres_tests (on a PostgreSQL server ctest starts)
#  3a. builds build-fuzz/ (clang++, -DAPPREG_FUZZ=ON: libFuzzer + ASan + UBSan) and runs both fuzz targets at
#     once for APPREG_FUZZ_SECONDS (default 60) on the seed corpora in fuzz/ (fuzz/run.sh); any crash,
#     sanitizer report, leak or undocumented response fails the run
#  3b. builds the worker in build-tsan/ (-DAPPREG_TSAN=ON: ThreadSanitizer) and runs the integration suites
#     that drive its threads hardest (build/'s test runner, APPREG_TEST_WORKER_BINARY); a TSan report from any
#     worker they start fails the run; ConcurrencyTest, GracefulStopTest and CrashConsistencyTest run once more
#     with the worker on PostgreSQL
#  4. builds the Debian package from build/ (configured for the prefix /usr), installs it, runs the installed
#     worker behind lighttpd, purges it (scripts/test-deb.sh; needs root)
#  5. runs every suite in build/: unit, integration, e2e (lighttpd), e2e.<server> (the e2e scenarios through
#     lighttpd, Apache mod_proxy_fcgi, Apache mod_fcgid and nginx), systemd-units, and on PostgreSQL
#     (label postgresql: a throwaway server that ctest starts and stops, scripts/postgres-test-server.sh)
#     integration.postgresql and e2e.postgresql
#
# The full run comes last so that its ctest summary ("100% tests passed, 0 tests failed out of N")
# is the last line printed. Every test is time-boxed (ctest kills it after APPREG_TEST_TIMEOUT
# seconds, default 300, unless the test sets its own TIMEOUT); a later step still runs when an
# earlier one failed, so one run reports everything.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
start=$SECONDS
jobs=2
test_timeout=${APPREG_TEST_TIMEOUT:-300}
fuzz_seconds=${APPREG_FUZZ_SECONDS:-60}

# Sanitizer runtime settings: stop at the first report and say where it came from.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=0:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
step() { printf '\n==== test.sh: %s (%d s elapsed)\n' "$1" $((SECONDS - start)); }

step "dependencies"
bash scripts/install-deps.sh --test

step "build/ (RelWithDebInfo)"
main_built=
# Prefix /usr: the layout of the Debian package built from this tree in step 4 (it only affects install rules).
if cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr &&
    cmake --build build -j"$jobs"; then
    main_built=1
else
    failed+=("build")
fi

step "build-asan/ (ASan + UBSan)"
if cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DAPPREG_SANITIZE=ON &&
    cmake --build build-asan -j"$jobs"; then
    step "ASan + UBSan: unit and integration suites"
    ctest --test-dir build-asan -R 'unit|integration' -LE postgresql --no-tests=error --output-on-failure \
        -j"$jobs" --timeout "$test_timeout" || failed+=("ASan+UBSan tests")
    # What only PostgreSQL has (its faults, reconnecting, copy-database: postgres_tests, ~20 s here), so the
    # PostgreSQL code of the store runs under the sanitizers too. ctest starts the server (fixture).
    step "ASan + UBSan: postgres_tests on PostgreSQL"
    ctest --test-dir build-asan -R '^postgresql$' --no-tests=error --output-on-failure \
        --timeout "$test_timeout" || failed+=("ASan+UBSan PostgreSQL tests")
else
    failed+=("ASan+UBSan build")
fi

step "build-fuzz/ (clang++, libFuzzer + ASan + UBSan)"
if cmake -S . -B build-fuzz -DAPPREG_FUZZ=ON -DAPPREG_BUILD_TESTS=OFF -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo && cmake --build build-fuzz -j"$jobs" --target fuzz_request fuzz_json_body; then
    step "fuzzing: fuzz_request and fuzz_json_body, $fuzz_seconds s, at once"
    bash fuzz/run.sh build-fuzz "$fuzz_seconds" || failed+=("fuzzing")
else
    failed+=("fuzz build")
fi

step "build-tsan/ (ThreadSanitizer)"
# The suites with the most concurrency: racing writers, kept-alive and aborted connections, SIGTERM and SIGKILL
# under load (also with the checkpointer thread copying all the time), hostile clients next to a well-behaved
# one (~35 s). Only the worker is built with TSan (its threads
# are what TSan checks); the test runner of build/ drives it through APPREG_TEST_WORKER_BINARY, which saves
# compiling every test a third time.
tsan_suites=(ConcurrencyTest FastCgiProtocolTest GracefulStopTest CrashConsistencyTest
    CrashConsistencyWhileCheckpointingTest HostileClientTest)
if [ -z "$main_built" ]; then
    failed+=("TSan (needs build/)")
elif cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAPPREG_TSAN=ON -DAPPREG_BUILD_TESTS=OFF &&
    cmake --build build-tsan -j"$jobs" --target appreg-fcgi; then
    step "TSan: ${tsan_suites[*]}"
    tsan_reports=$PWD/build-tsan/tsan-reports
    rm -rf "$tsan_reports" && mkdir -p "$tsan_reports"
    tsan_ok=1
    # tsan_suite SUITE [NAME=value ...]: one suite against the TSan worker. Every worker the tests start
    # inherits the environment and writes its reports to $tsan_reports/report.<pid>; none may exist afterwards.
    tsan_suite() {
        local suite=$1
        shift
        env "$@" APPREG_TEST_WORKER_BINARY="$PWD/build-tsan/appreg-fcgi" \
            TSAN_OPTIONS="log_path=$tsan_reports/report second_deadlock_stack=1 ${TSAN_OPTIONS-}" \
            timeout "$test_timeout" build/tests/integration_tests "$suite" || tsan_ok=
    }
    for suite in "${tsan_suites[@]}"; do tsan_suite "$suite"; done
    # The suites that write hardest once more with the worker on PostgreSQL (its own code: the writers' lock,
    # reconnecting), on the throwaway server the PostgreSQL suites use.
    tsan_pg_suites=(ConcurrencyTest GracefulStopTest CrashConsistencyTest)
    step "TSan on PostgreSQL: ${tsan_pg_suites[*]}"
    if pg_url=$(bash scripts/postgres-test-server.sh start); then
        for suite in "${tsan_pg_suites[@]}"; do tsan_suite "$suite" "APPREG_TEST_POSTGRESQL=$pg_url"; done
        bash scripts/postgres-test-server.sh stop || true
    else
        tsan_ok=
    fi
    if compgen -G "$tsan_reports/report.*" >/dev/null; then
        echo "test.sh: ThreadSanitizer reports:" >&2
        cat "$tsan_reports"/report.* >&2
        tsan_ok=
    fi
    [ -n "$tsan_ok" ] || failed+=("TSan")
else
    failed+=("TSan build")
fi

if [ -n "$main_built" ]; then
    step "Debian package (scripts/test-deb.sh)"
    if [ "$(id -u)" -eq 0 ]; then
        bash scripts/test-deb.sh build || failed+=("Debian package")
    else
        echo "test.sh: the Debian package test installs a package and needs root; run it as root" >&2
        failed+=("Debian package (not root)")
    fi
fi

summary="test.sh: build/ did not build, so its tests did not run"
if [ -n "$main_built" ]; then
    step "all suites in build/"
    log=build/test-sh-ctest.log
    ctest --test-dir build --no-tests=error --output-on-failure -j"$jobs" --timeout "$test_timeout" 2>&1 |
        tee "$log" || failed+=("tests")
    summary=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1 || true)
    [ -n "$summary" ] || summary="test.sh: ctest printed no summary (see above)"
fi

printf '\n==== test.sh: total wall time %d s\n' $((SECONDS - start))
if [ ${#failed[@]} -gt 0 ]; then
    printf '==== test.sh: FAILED:'
    printf ' [%s]' "${failed[@]}"
    printf '\n'
    # ctest's summary of the full run stays the last line.
    echo "$summary"
    exit 1
fi
printf '==== test.sh: everything passed\n'
echo "$summary"
