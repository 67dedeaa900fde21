#!/usr/bin/env bash
# Installs the Debian 12 packages appreg needs to build and run; with --test, also what the test
# suites, the sanitizer builds and the fuzzers need. Idempotent: when every package is already
# installed it does not touch apt at all, so reruns take well under a second.
#
#   bash scripts/install-deps.sh          build + run (worker, lighttpd, curl)
#   bash scripts/install-deps.sh --test   also clang + libFuzzer runtime, python3 (protocol tests), the other
#                                         front servers of the e2e suites (apache2, libapache2-mod-fcgid,
#                                         nginx), systemd (systemd-analyze), dpkg-dev and adduser (the .deb),
#                                         postgresql-15 (the suites' PostgreSQL server, see
#                                         scripts/postgres-test-server.sh) and iproute2 (ip netns)
#
# Runs as root, or through sudo when not root.
set -euo pipefail

usage() { echo "usage: $0 [--test]" >&2; exit 2; }

packages=(
    g++ cmake make pkg-config
    libpoco-dev libsqlite3-dev sqlite3 libpq-dev
    libfcgi-dev libfcgi-bin spawn-fcgi
    libcppunit-dev
    lighttpd curl ca-certificates
)
case "${1-}" in
    "") ;;
    --test)
        packages+=(clang libclang-rt-14-dev python3
            apache2 libapache2-mod-fcgid nginx
            systemd dpkg-dev adduser
            postgresql-15 iproute2)
        ;;
    *) usage ;;
esac
[ $# -le 1 ] || usage

# A package counts as installed only in state "ii" (not "rc": removed, config files left).
missing=()
for p in "${packages[@]}"; do
    if [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null)" != "ii " ]; then
        missing+=("$p")
    fi
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all ${#packages[@]} packages already installed"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
else
    echo "install-deps: not root and no sudo; install these as root: ${missing[*]}" >&2
    exit 1
fi

echo "install-deps: installing ${missing[*]}"
"${as_root[@]}" apt-get update
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"
