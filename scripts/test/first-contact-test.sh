#!/usr/bin/env bash
# Tests of first contact (issue 11, section 5) without uninstalling anything from this machine:
#
#  1. `./verity doctor` on a bare machine: PATH holds only basic shell tools, Debian's PostgreSQL
#     directories point at empty folders and PGPORT at a port nothing listens on. It must name
#     what is missing and what it would install, and exit 1.
#  2. `./verity doctor` on this machine as it is: PostgreSQL and pgvector reported with versions.
#  3. `./verity provision` on a machine without PostgreSQL: the same bare PATH plus two stand-ins
#     for the system tools that would change the machine. `apt-get install postgresql` "installs"
#     by linking this machine's real PostgreSQL binaries into the empty folder and creating the
#     cluster's settings folder, as the package does; `pg_ctlcluster ... start` starts a real,
#     throw-away server (scripts/scratch-postgres.sh) on a spare port. Everything after that is
#     real: provision waits for the server, connects, finds pgvector, and creates role and
#     database. The test checks the commands it ran and what is in the server afterwards.
#
#   scripts/test/first-contact-test.sh [PORT]   (default 18081; root, PostgreSQL 15 installed)
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PORT=${1:-18081}
WORK=$(mktemp -d)
# The throw-away server runs as the postgres OS user, which must reach its folder inside.
chmod 755 "$WORK"
REAL_PATH=$PATH
failures=0

cleanup() {
  PATH=$REAL_PATH VERITY_PG_BINDIR=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1) \
    "$ROOT/scripts/scratch-postgres.sh" stop "$WORK/server" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

pass() { printf 'ok    %s\n' "$1"; }
fail() { printf 'FAIL  %s\n' "$1"; failures=$((failures + 1)); }

# expect NAME FILE PATTERN: the file has a line matching the extended regex.
expect() {
  if grep -Eq -- "$3" "$2"; then pass "$1"; else fail "$1 (no line matching /$3/ in:)"; sed 's/^/      | /' "$2"; fi
}

expect_not() {
  if grep -Eq -- "$3" "$2"; then fail "$1 (unexpected /$3/ in:)"; sed 's/^/      | /' "$2"; else pass "$1"; fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A PATH with the basic tools a bare Debian has, and none of java, psql, jq, chromium, wrk, curl,
# apt-get, dpkg or pg_ctlcluster.
bare_bin=$WORK/bare-bin
mkdir -p "$bare_bin"
for tool in bash sh env cat grep sed awk head tail tr cut sort uname id dirname basename mkdir rm ls \
  mktemp sleep printf chmod chown tee ln runuser nproc; do
  target=$(command -v "$tool") && [[ $target == /* ]] && ln -s "$target" "$bare_bin/$tool"
done
mkdir -p "$WORK/empty-lib" "$WORK/empty-etc"

if port_open "$PORT"; then
  printf 'first-contact-test: port %s is in use; pass a free one\n' "$PORT" >&2
  exit 2
fi

# --- 1. doctor on a bare machine --------------------------------------------------------------
env -i HOME="$WORK" PATH="$bare_bin" PGHOST=127.0.0.1 PGPORT="$PORT" \
  VERITY_PG_LIBDIR="$WORK/empty-lib" VERITY_PG_ETCDIR="$WORK/empty-etc" \
  "$ROOT/verity" doctor >"$WORK/doctor-bare.out" 2>&1
rc=$?
if ((rc == 1)); then pass "bare doctor exits 1"; else fail "bare doctor exits 1 (got $rc)"; fi
out=$WORK/doctor-bare.out
expect "bare doctor: java missing" "$out" '^  missing +java '
expect "bare doctor: the wrapper counts as maven" "$out" '^  ok +maven +\./mvnw'
expect "bare doctor: PostgreSQL not installed" "$out" "^  missing +postgresql +not installed: no server in $WORK/empty-lib, nothing on 127.0.0.1:$PORT"
expect "bare doctor: pgvector waits for a server" "$out" '^  missing +pgvector '
expect "bare doctor: jq missing" "$out" '^  missing +jq '
expect "bare doctor: chromium optional" "$out" '^  optional +chromium +no chromium, no chromedriver'
expect "bare doctor: wrk optional" "$out" '^  optional +wrk '
expect "bare doctor: would install the Debian packages" "$out" \
  '^  apt-get install openjdk-17-jdk-headless postgresql curl openssl jq chromium chromium-driver wrk '
expect "bare doctor: says apt-get is missing here" "$out" 'apt-get is not available here'
expect "bare doctor: would start the cluster" "$out" 'pg_ctlcluster --skip-systemctl-redirect <version> main start'
expect "bare doctor: would provide pgvector" "$out" "pgvector: Debian's postgresql-<major>-pgvector"

# --- 2. doctor on this machine ------------------------------------------------------------------
"$ROOT/verity" doctor >"$WORK/doctor-here.out" 2>&1
out=$WORK/doctor-here.out
expect "doctor here: PostgreSQL reachable with its version" "$out" '^  ok +postgresql +server [0-9]+\.[0-9]+.* reachable on '
expect "doctor here: pgvector version and SIMD" "$out" '^  ok +pgvector +0\.[0-9]+\.[0-9]+.*SIMD: '
expect "doctor here: java ok" "$out" '^  ok +java '

# --- 3. provision when PostgreSQL is not installed ---------------------------------------------
major=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
fake_bin=$WORK/fake-bin
mkdir -p "$fake_bin"
# Stand-in for apt-get: records the call; `install ... postgresql` puts this machine's real
# server into the empty folder and creates the cluster folder, as the package's postinst does.
cat >"$fake_bin/apt-get" <<EOF
#!/bin/bash
printf 'apt-get %s\n' "\$*" >>"$WORK/calls"
for arg in "\$@"; do
  if [[ \$arg == postgresql ]]; then
    ln -s /usr/lib/postgresql/$major "$WORK/empty-lib/$major"
    mkdir -p "$WORK/empty-etc/$major/main"
  fi
done
EOF
# Stand-in for pg_ctlcluster: records the call and starts a real throw-away server on PORT.
cat >"$fake_bin/pg_ctlcluster" <<EOF
#!/bin/bash
printf 'pg_ctlcluster %s\n' "\$*" >>"$WORK/calls"
[[ \$* == "--skip-systemctl-redirect $major main start" ]] || exit 1
PATH='$REAL_PATH' VERITY_PG_BINDIR=/usr/lib/postgresql/$major/bin "$ROOT/scripts/scratch-postgres.sh" start $PORT "$WORK/server"
EOF
chmod +x "$fake_bin/apt-get" "$fake_bin/pg_ctlcluster"
# psql and pg_isready are the client tools the postgresql package would bring.
ln -s "/usr/lib/postgresql/$major/bin/psql" "$fake_bin/psql"
ln -s "/usr/lib/postgresql/$major/bin/pg_isready" "$fake_bin/pg_isready"

env -i HOME="$WORK" PATH="$fake_bin:$bare_bin" PGHOST=127.0.0.1 PGPORT="$PORT" \
  VERITY_PG_LIBDIR="$WORK/empty-lib" VERITY_PG_ETCDIR="$WORK/empty-etc" \
  "$ROOT/verity" provision >"$WORK/provision.out" 2>&1
rc=$?
if ((rc == 0)); then pass "provision on a machine without PostgreSQL succeeds"; else fail "provision succeeds (got $rc)"; sed 's/^/      | /' "$WORK/provision.out"; fi
out=$WORK/provision.out
expect "provision: notices PostgreSQL is missing" "$out" '^postgres: not installed on this machine'
expect "provision: installs Debian's postgresql" "$out" '^apt: installing postgresql$'
expect "provision: starts the new cluster" "$out" "^postgres: starting cluster $major/main"
expect "provision: then goes on as before" "$out" "^database verity: extension vector [0-9.]+"
expect "provision: ran apt-get update, then install" "$WORK/calls" '^apt-get update -qq$'
expect "provision: apt-get install postgresql" "$WORK/calls" '^apt-get install -y -qq --no-install-recommends postgresql$'
expect "provision: pg_ctlcluster as this machine's services start" "$WORK/calls" \
  "^pg_ctlcluster --skip-systemctl-redirect $major main start$"
tables=$("/usr/lib/postgresql/$major/bin/psql" -X -h 127.0.0.1 -p "$PORT" -U verity -d verity -tAc \
  "select extversion from pg_extension where extname = 'vector'" 2>&1)
if [[ $tables =~ ^0\.[0-9]+\.[0-9]+$ ]]; then pass "the new server has database verity with vector $tables"; else fail "vector in database verity ($tables)"; fi

# Again: already right, so nothing is installed or started a second time.
: >"$WORK/calls"
env -i HOME="$WORK" PATH="$fake_bin:$bare_bin" PGHOST=127.0.0.1 PGPORT="$PORT" \
  VERITY_PG_LIBDIR="$WORK/empty-lib" VERITY_PG_ETCDIR="$WORK/empty-etc" \
  "$ROOT/verity" provision >"$WORK/provision2.out" 2>&1
rc=$?
if ((rc == 0)); then pass "provision again succeeds"; else fail "provision again succeeds (got $rc)"; fi
expect "provision again: reachable at once" "$WORK/provision2.out" '^postgres: reachable on '
expect_not "provision again: no apt-get, no pg_ctlcluster" "$WORK/calls" '.'

if ((failures)); then
  printf '%d check(s) failed\n' "$failures"
  exit 1
fi
printf 'all first-contact checks passed\n'
