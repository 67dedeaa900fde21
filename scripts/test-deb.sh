#!/usr/bin/env bash
# The Debian package, end to end, on this machine (run as root by scripts/test.sh):
#
#   bash scripts/test-deb.sh [BUILD_DIR]        (default: build; configured with -DCMAKE_INSTALL_PREFIX=/usr)
#
#  1. builds it: cpack -G DEB in BUILD_DIR -> appreg_<version>_amd64.deb, and checks its name, its Depends
#     (the Poco, libfcgi and SQLite libraries, adduser), its conffiles and its maintainer scripts;
#  2. installs it with apt-get install ./appreg_<version>_amd64.deb;
#  3. checks the installed files (binary, /etc/appreg, units, docs), the conffiles, the system user and group
#     "appreg" and /var/lib/appreg, and runs systemd-analyze verify on the INSTALLED units;
#  4. runs the INSTALLED binary as user appreg on /var/lib/appreg/appreg.db behind lighttpd configured from
#     the INSTALLED /etc/appreg/lighttpd.conf (only its var.* lines rewritten): POST an organization, then
#     the documented application create call -> 201 each;
#  5. purges it (apt-get purge) and checks that the files, the state directory, the user and the group are
#     gone.
# Whatever happens, the package is purged and the processes started here are stopped before it exits.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
build=$(readlink -f "${1:-build}")
start=$SECONDS

say() { printf 'test-deb: %s\n' "$*"; }
failures=0
check() { # check DESCRIPTION COMMAND...: runs the command, counts a failure when it fails
    local what=$1
    shift
    if "$@" >/dev/null 2>&1; then
        say "ok: $what"
    else
        say "FAILED: $what"
        failures=$((failures + 1))
    fi
}
die() {
    say "FAILED: $*"
    exit 1
}

[ "$(id -u)" -eq 0 ] || die "must run as root (it installs and purges a package)"
for tool in cpack dpkg-deb dpkg-shlibdeps apt-get lighttpd curl setpriv python3 systemd-analyze; do
    command -v "$tool" >/dev/null 2>&1 ||
        die "$tool is missing; scripts/install-deps.sh --test installs what this test needs"
done
[ -f "$build/CMakeCache.txt" ] || die "$build is not a configured build directory"
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
[ "$prefix" = /usr ] || die "$build is configured with CMAKE_INSTALL_PREFIX=$prefix; the package needs /usr" \
    "(cmake -S . -B $build -DCMAKE_INSTALL_PREFIX=/usr)"
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
deb=$build/appreg_${version}_amd64.deb

work=$(mktemp -d /tmp/appreg-deb.XXXXXX)
chmod 0755 "$work"
worker_pid=
lighttpd_pid=
# shellcheck disable=SC2317 # runs from the EXIT trap
cleanup() {
    local pid
    for pid in "$lighttpd_pid" "$worker_pid"; do
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null || true
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    if dpkg-query -W -f='${db:Status-Abbrev}' appreg 2>/dev/null | grep -qv '^un'; then
        say "purging the package left installed by this run"
        DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq appreg >/dev/null 2>&1 || dpkg --purge appreg || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

if dpkg-query -W -f='${db:Status-Abbrev}' appreg 2>/dev/null | grep -qv '^un'; then
    die "a package named appreg is already installed here ($(dpkg-query -W -f='${Version}' appreg)); purge it first"
fi
if getent passwd appreg >/dev/null || [ -e /var/lib/appreg ] || [ -e /etc/appreg ]; then
    die "user appreg, /var/lib/appreg or /etc/appreg exists without the package; this test would not prove" \
        "that the package creates and removes them (remove them first)"
fi

# ---- 1. build -----------------------------------------------------------------------------------------
say "cpack -G DEB in $build"
rm -f "$build"/appreg_*.deb
(cd "$build" && cpack -G DEB) >"$work/cpack.log" 2>&1 || { cat "$work/cpack.log"; die "cpack -G DEB failed"; }
[ -f "$deb" ] || { ls "$build"/*.deb 2>/dev/null; die "cpack did not produce $deb"; }
say "built $(basename "$deb"): $(stat -c %s "$deb") bytes"

depends=$(dpkg-deb -f "$deb" Depends)
say "Depends: $depends"
depends_names=$(tr ',' '\n' <<<"$depends" | awk '{ print $1 }')
for dependency in libpocofoundation80 libpocoutil80 libpocojson80 libpocodata80 libpocodatasqlite80 \
    libpocodatapostgresql80 libpq5 libfcgi0ldbl libsqlite3-0 libstdc++6 libc6 adduser; do
    check "Depends names $dependency" grep -Fxq "$dependency" <<<"$depends_names"
done
# From dpkg-shlibdeps alone: the newest SQLite symbol the worker calls (sqlite3_total_changes64, 3.37).
check "Depends asks for SQLite >= 3.37" grep -Fq "libsqlite3-0 (>= 3.37" <<<"$depends"
check "Depends names each package once" test "$(sort <<<"$depends_names" | uniq -d)" = ""
dpkg-deb -e "$deb" "$work/control"
check "the control archive has postinst, prerm, postrm" test -x "$work/control/postinst" -a -x "$work/control/prerm" \
    -a -x "$work/control/postrm"
conffiles=(/etc/appreg/appreg.properties /etc/appreg/lighttpd.conf /etc/appreg/apache-proxy-fcgi.conf
    /etc/appreg/apache-fcgid.conf /etc/appreg/nginx.conf)
check "conffiles lists exactly the 5 files of /etc/appreg" \
    diff <(printf '%s\n' "${conffiles[@]}" | sort) <(sort "$work/control/conffiles")
dpkg-deb -c "$deb" >"$work/contents"
check "the package holds nothing under /usr/local" bash -c "! grep -q ' \./usr/local' '$work/contents'"

# ---- 2. install ---------------------------------------------------------------------------------------
say "apt-get install ./$(basename "$deb")"
(cd "$build" && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "./$(basename "$deb")") \
    >"$work/install.log" 2>&1 || { cat "$work/install.log"; die "apt-get install failed"; }
check "dpkg reports appreg $version installed" \
    test "$(dpkg-query -W -f='${db:Status-Abbrev} ${Version}' appreg)" = "ii  $version"

# ---- 3. files, conffiles, user ------------------------------------------------------------------------
unitdir=/usr/lib/systemd/system
check "/usr/bin/appreg-fcgi is executable" test -x /usr/bin/appreg-fcgi
check "/usr/bin/appreg-fcgi --help runs" /usr/bin/appreg-fcgi --help
for file in "${conffiles[@]}"; do
    check "$file installed" test -f "$file"
done
for unit in appreg.socket appreg.service appreg@.socket appreg@.service; do
    check "$unitdir/$unit installed, identical to systemd/$unit" cmp "$unitdir/$unit" "systemd/$unit"
done
check "docs in /usr/share/doc/appreg" test -f /usr/share/doc/appreg/README.md -a -f /usr/share/doc/appreg/decisions.md
check "the PostgreSQL drop-in example in /usr/share/doc/appreg/examples" test -f /usr/share/doc/appreg/examples/postgresql.conf
check "dpkg knows the conffiles" bash -c "diff <(printf '%s\n' ${conffiles[*]} | sort) \
    <(dpkg-query -W -f='\${Conffiles}\n' appreg | awk 'NF { print \$1 }' | sort)"
check "installed units pass systemd-analyze verify" systemd-analyze verify "$unitdir/appreg.socket" "$unitdir/appreg.service"
check "user appreg exists" getent passwd appreg
uid=$(getent passwd appreg | cut -d: -f3 || echo 99999)
check "user appreg is a system user (uid $uid < 1000)" test "$uid" -lt 1000
check "user appreg has no login shell" test "$(getent passwd appreg | cut -d: -f7)" = /usr/sbin/nologin
check "user appreg's home is /var/lib/appreg" test "$(getent passwd appreg | cut -d: -f6)" = /var/lib/appreg
check "group appreg exists" getent group appreg
check "/var/lib/appreg is appreg:appreg 755" test "$(stat -c '%U:%G %a' /var/lib/appreg 2>/dev/null)" = "appreg:appreg 755"

# ---- 4. the installed binary behind lighttpd -----------------------------------------------------------
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
socket=/var/lib/appreg/deb-test.sock
mkdir -p "$work/lighttpd"
# The first superuser, as an operator creates it after installing: from the command line, as user appreg.
admin_password=deb-test-$(head -c 9 /dev/urandom | base64 | tr -d '+/=')
printf '%s\n' "$admin_password" | env -i PATH=/usr/bin:/bin setpriv --reuid=appreg --regid=appreg --clear-groups \
    /usr/bin/appreg-fcgi create-superuser --config /etc/appreg/appreg.properties --db /var/lib/appreg/appreg.db \
    --username admin >"$work/create-superuser.log" 2>&1 ||
    { cat "$work/create-superuser.log"; die "the installed appreg-fcgi create-superuser failed"; }
# As systemd would run it: user and group appreg (setpriv execs, no fork), the unit's environment.
env -i PATH=/usr/bin:/bin \
    setpriv --reuid=appreg --regid=appreg --clear-groups \
    /usr/bin/appreg-fcgi --config /etc/appreg/appreg.properties --db /var/lib/appreg/appreg.db \
    --listen "unix:$socket" >"$work/worker.log" 2>&1 &
worker_pid=$!
for _ in $(seq 100); do
    [ -S "$socket" ] && break
    kill -0 "$worker_pid" 2>/dev/null || break
    sleep 0.1
done
[ -S "$socket" ] || { cat "$work/worker.log"; die "the installed worker did not create $socket"; }
sed -E \
    -e "s|^var\.appreg_bind[[:space:]]*=.*|var.appreg_bind   = \"127.0.0.1\"|" \
    -e "s|^var\.appreg_port[[:space:]]*=.*|var.appreg_port   = $port|" \
    -e "s|^var\.appreg_socket[[:space:]]*=.*|var.appreg_socket = \"$socket\"|" \
    -e "s|^var\.appreg_state[[:space:]]*=.*|var.appreg_state  = \"$work/lighttpd\"|" \
    -e "s|^var\.appreg_user[[:space:]]*=.*|var.appreg_user   = \"\"|" \
    /etc/appreg/lighttpd.conf >"$work/lighttpd.conf"
lighttpd -tt -f "$work/lighttpd.conf" >/dev/null || die "lighttpd refuses the installed lighttpd.conf"
lighttpd -D -f "$work/lighttpd.conf" >"$work/lighttpd.log" 2>&1 &
lighttpd_pid=$!
base=http://127.0.0.1:$port
for _ in $(seq 100); do
    curl -fsS -o /dev/null "$base/api/v2/ping/" 2>/dev/null && break
    kill -0 "$lighttpd_pid" 2>/dev/null || break
    sleep 0.1
done
status() { # status METHOD PATH [BODY]: prints the HTTP status, keeps the body in $work/body (as the superuser)
    curl -sS -o "$work/body" -w '%{http_code}' -u "admin:$admin_password" -X "$1" \
        -H 'Content-Type: application/json' ${3:+--data-binary "$3"} "$base$2"
}
code=$(status GET /api/v2/ping/ || true)
check "GET /api/v2/ping/ through lighttpd -> 200 (got $code)" test "$code" = 200
code=$(curl -sS -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    --data-binary '{"name": "Anonymous"}' "$base/api/v2/organizations/" || true)
check "an anonymous POST /api/v2/organizations/ -> 401 (got $code)" test "$code" = 401
code=$(status POST /api/v2/organizations/ '{"name": "Default"}' || true)
check "POST /api/v2/organizations/ -> 201 (got $code: $(cat "$work/body" 2>/dev/null))" test "$code" = 201
seed='{"authorization_grant_type":"password","client_type":"confidential","name":"test app","organization":1}'
code=$(status POST /api/v2/applications/ "$seed" || true)
check "POST /api/v2/applications/ with the seed body -> 201 (got $code)" test "$code" = 201
check "the 201 shows the client secret once" grep -q '"client_secret":"[A-Za-z0-9]\{128\}"' "$work/body"
check "the database is owned by appreg" test "$(stat -c %U /var/lib/appreg/appreg.db 2>/dev/null)" = appreg
kill -TERM "$lighttpd_pid"
wait "$lighttpd_pid" || true
lighttpd_pid=
kill -TERM "$worker_pid"
worker_status=0
wait "$worker_pid" || worker_status=$?
worker_pid=
check "the installed worker exits 0 on SIGTERM (got $worker_status)" test "$worker_status" -eq 0
if [ "$failures" -ne 0 ]; then
    say "--- worker log ---"
    cat "$work/worker.log"
    say "--- lighttpd log ---"
    cat "$work/lighttpd.log" "$work/lighttpd/error.log" 2>/dev/null || true
fi

# ---- 5. purge -----------------------------------------------------------------------------------------
say "apt-get purge appreg"
DEBIAN_FRONTEND=noninteractive apt-get purge -y appreg >"$work/purge.log" 2>&1 ||
    { cat "$work/purge.log"; die "apt-get purge failed"; }
check "dpkg no longer knows appreg" bash -c "! dpkg-query -W -f='\${db:Status-Abbrev}' appreg 2>/dev/null | grep -qv '^un'"
check "/usr/bin/appreg-fcgi is gone" test ! -e /usr/bin/appreg-fcgi
check "/etc/appreg is gone" test ! -e /etc/appreg
check "/var/lib/appreg (database included) is gone" test ! -e /var/lib/appreg
check "the units are gone" bash -c "! ls $unitdir/appreg*.s* 2>/dev/null | grep -q ."
check "/usr/share/doc/appreg is gone" test ! -e /usr/share/doc/appreg
check "user appreg is gone" bash -c "! getent passwd appreg"
check "group appreg is gone" bash -c "! getent group appreg"

say "$failures failed check(s), $((SECONDS - start)) s"
[ "$failures" -eq 0 ]
