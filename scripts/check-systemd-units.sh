#!/usr/bin/env bash
# Checks the systemd units in systemd/ without a running systemd (CI's PID 1 is not systemd):
#
#   bash scripts/check-systemd-units.sh [WORKER_BINARY]      (ctest runs it as "systemd-units")
#
#  1. systemd-analyze verify: appreg.socket + appreg.service, and the templates as an instance
#     (appreg@ci.socket + appreg@ci.service). ExecStart's /usr/bin/appreg-fcgi is replaced by
#     WORKER_BINARY (default build/appreg-fcgi), because verify refuses a command that does not exist.
#     Any message from verify fails the check, not only a non-zero exit status.
#  2. systemd-analyze security --offline=yes: the "Overall exposure level" of both services must be
#     at most APPREG_MAX_EXPOSURE (default 2.0).
#  3. The template is the plain unit plus the instance name: after mapping the instance-specific values
#     back, appreg@.service equals appreg.service and appreg@.socket equals appreg.socket (comments and
#     Description aside), so hardening added to one cannot be forgotten in the other.
#  4. systemd/postgresql.conf, the drop-in for PostgreSQL on another host, applied to appreg.service: verify,
#     security (same bound), and that it is in effect (Internet sockets allowed, no --db in ExecStart).
#  5. conf/apache-fcgid.conf gives its workers the GLIBC_TUNABLES of appreg.service.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
binary=${1:-$PWD/build/appreg-fcgi}
max_exposure=${APPREG_MAX_EXPOSURE:-2.0}
units=systemd

if ! command -v systemd-analyze >/dev/null 2>&1; then
    echo "check-systemd-units: systemd-analyze is missing; install it with: apt-get install systemd" \
        "(scripts/install-deps.sh --test does)" >&2
    exit 1
fi
if [ ! -x "$binary" ]; then
    echo "check-systemd-units: $binary is not an executable; build first (cmake --build build)" >&2
    exit 1
fi
binary=$(readlink -f "$binary")

work=$(mktemp -d /tmp/appreg-units.XXXXXX)
trap 'rm -rf "$work"' EXIT
failed=0
fail() {
    echo "check-systemd-units: FAILED: $*" >&2
    failed=1
}

for unit in appreg.socket appreg.service 'appreg@.socket' 'appreg@.service'; do
    if [ ! -f "$units/$unit" ]; then
        fail "$units/$unit is missing"
        continue
    fi
    grep -q '/usr/bin/appreg-fcgi' "$units/$unit" || [ "${unit##*.}" = socket ] ||
        fail "$units/$unit does not start /usr/bin/appreg-fcgi"
    target=${unit/@./@ci.}
    sed "s|/usr/bin/appreg-fcgi|$binary|g" "$units/$unit" >"$work/$target"
done
[ "$failed" -eq 0 ] || exit 1

# 1. verify
for pair in "appreg.socket appreg.service" "appreg@ci.socket appreg@ci.service"; do
    read -r socket service <<<"$pair"
    out=$(cd "$work" && systemd-analyze verify "./$socket" "./$service" 2>&1) || fail "systemd-analyze verify $pair exited non-zero"
    if [ -n "$out" ]; then
        fail "systemd-analyze verify $pair printed:"
        printf '%s\n' "$out" >&2
    else
        echo "check-systemd-units: systemd-analyze verify $socket $service: OK"
    fi
done

# 2. security
for service in appreg.service appreg@ci.service; do
    out=$(cd "$work" && systemd-analyze security --offline=yes "./$service" 2>&1) || true
    level=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9][0-9.]*\).*/\1/p' | tail -n 1)
    if [ -z "$level" ]; then
        fail "systemd-analyze security --offline=yes $service printed no exposure level:"
        printf '%s\n' "$out" >&2
    elif awk -v l="$level" -v m="$max_exposure" 'BEGIN { exit !(l > m) }'; then
        fail "$service: exposure level $level is above $max_exposure:"
        printf '%s\n' "$out" | grep -E '^✗' >&2 || true
    else
        echo "check-systemd-units: systemd-analyze security --offline=yes $service: exposure $level (max $max_exposure)"
    fi
done

# 3. template == plain unit
normalise() {
    # Drops comments, blank lines and Description=; maps the instance-specific values to the plain ones.
    grep -vE '^[[:space:]]*(#|$)|^Description=' "$1" | sed \
        -e 's|appreg@%i\.socket|appreg.socket|g' \
        -e 's|/etc/appreg/%i\.properties|/etc/appreg/appreg.properties|g' \
        -e 's|/var/lib/appreg/%i/appreg\.db|/var/lib/appreg/appreg.db|g' \
        -e 's|^StateDirectory=appreg/%i$|StateDirectory=appreg|' \
        -e 's|^ListenStream=/run/appreg/%i\.sock$|ListenStream=/run/appreg/appreg.sock|'
}
for kind in service socket; do
    if ! difference=$(diff <(normalise "$units/appreg.$kind") <(normalise "$units/appreg@.$kind")); then
        fail "appreg@.$kind differs from appreg.$kind beyond the instance name (< plain, > template):"
        printf '%s\n' "$difference" >&2
    else
        echo "check-systemd-units: appreg@.$kind matches appreg.$kind"
    fi
done

# 4. The PostgreSQL drop-in (systemd/postgresql.conf) on appreg.service: still valid, still within the
#    exposure bound, and in effect: no --db on the command line (db.path from the configuration wins), Internet
#    sockets and the host's network allowed.
dropin=$work/appreg.service.d
mkdir -p "$dropin"
if [ ! -f "$units/postgresql.conf" ]; then
    fail "$units/postgresql.conf is missing"
else
    sed "s|/usr/bin/appreg-fcgi|$binary|g" "$units/postgresql.conf" >"$dropin/postgresql.conf"
    out=$(cd "$work" && systemd-analyze verify ./appreg.socket ./appreg.service 2>&1) ||
        fail "systemd-analyze verify with postgresql.conf exited non-zero"
    [ -z "$out" ] || { fail "systemd-analyze verify with postgresql.conf printed:"; printf '%s
' "$out" >&2; }
    grep -q -- '--db' <(grep '^ExecStart=.' "$dropin/postgresql.conf") && fail "postgresql.conf's ExecStart passes --db"
    out=$(cd "$work" && systemd-analyze security --offline=yes ./appreg.service 2>&1) || true
    level=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9][0-9.]*\).*/\1/p' | tail -n 1)
    if ! printf '%s\n' "$out" | grep -q 'Service may allocate Internet sockets'; then
        fail "postgresql.conf is not in effect (Internet sockets still forbidden)"
    elif [ -z "$level" ] || awk -v l="$level" -v m="$max_exposure" 'BEGIN { exit !(l > m) }'; then
        fail "appreg.service with postgresql.conf: exposure level '$level' is above $max_exposure"
    else
        echo "check-systemd-units: appreg.service with postgresql.conf: verify OK, exposure $level (max $max_exposure)"
    fi
fi

# 5. conf/apache-fcgid.conf starts its workers itself: it must give them the unit's GLIBC_TUNABLES (the
#    quick start and bench/ read it from the unit).
tunables=$(sed -n 's/^Environment=GLIBC_TUNABLES=//p' "$units/appreg.service")
fcgid=$(sed -n 's/^FcgidInitialEnv GLIBC_TUNABLES //p' conf/apache-fcgid.conf)
if [ -z "$tunables" ] || [ "$fcgid" != "$tunables" ]; then
    fail "GLIBC_TUNABLES: appreg.service has '$tunables', conf/apache-fcgid.conf '$fcgid'"
fi

if [ "$failed" -ne 0 ]; then
    exit 1
fi
echo "check-systemd-units: all checks passed"
