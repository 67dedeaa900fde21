#!/usr/bin/env bash
# Builds and tests everything; exit status 0 only if every step passed.
#
#   bash scripts/test.sh
#
#  1. installs the Debian packages (scripts/install-deps.sh --test)
#  2. builds build/ (RelWithDebInfo, -Werror)
#  3. builds build-asan/ (-DAPPREG_SANITIZE=ON: ASan + UBSan) and runs the unit and integration suites there
#  4. runs every suite in build/ (unit, integration, e2e)
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

# Sanitizer runtime settings: stop at the first report and say where it came from.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=0:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
step() { printf '\n==== test.sh: %s (%d s elapsed)\n' "$1" $((SECONDS - start)); }

step "dependencies"
bash scripts/install-deps.sh --test

step "build/ (RelWithDebInfo)"
main_built=
if cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo && cmake --build build -j"$jobs"; then
    main_built=1
else
    failed+=("build")
fi

step "build-asan/ (ASan + UBSan)"
if cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DAPPREG_SANITIZE=ON &&
    cmake --build build-asan -j"$jobs"; then
    step "ASan + UBSan: unit and integration suites"
    ctest --test-dir build-asan -R 'unit|integration' --no-tests=error --output-on-failure \
        -j"$jobs" --timeout "$test_timeout" || failed+=("ASan+UBSan tests")
else
    failed+=("ASan+UBSan build")
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
