#!/usr/bin/env bash
# Provision the local PostgreSQL that Verity runs and tests against.
#
#   scripts/provision.sh            server reachable, pgvector installed, role + database `verity`
#   scripts/provision.sh --test-db  the same, then a fresh `verity_test` database
#
# It can also be sourced: it then only defines the provision_* functions and sets nothing else
# (no `set -e`, no traps) in the caller's shell.
#
# Every step checks first and skips what is already there, so running it again is cheap.
# Progress goes to stderr, one short line per step.
#
# Environment:
#   PGHOST, PGPORT          server address (default 127.0.0.1, 5432)
#   VERITY_PG_SUPERUSER     superuser to connect as (default postgres; trust auth or PGPASSWORD)
#   VERITY_DB_NAME          application database (default verity)
#   VERITY_TEST_DB_NAME     test database (default verity_test)
#   VERITY_DEBIAN_MIRROR    Debian mirror to fetch the pgvector source from (default: from apt sources)
#   VERITY_PG_LIBDIR        where Debian puts PostgreSQL's versions (default /usr/lib/postgresql)
#   VERITY_PG_ETCDIR        where Debian puts the clusters' settings (default /etc/postgresql)

: "${PGHOST:=127.0.0.1}"
: "${PGPORT:=5432}"
: "${VERITY_PG_SUPERUSER:=postgres}"
: "${VERITY_DB_NAME:=verity}"
: "${VERITY_TEST_DB_NAME:=verity_test}"
: "${VERITY_PG_LIBDIR:=/usr/lib/postgresql}"
: "${VERITY_PG_ETCDIR:=/etc/postgresql}"
# The application role: its name and password are part of the contract with the Java side.
VERITY_DB_USER=verity
VERITY_DB_PASSWORD=verity

# Debian's own package (postgresql-<major>-pgvector) is used when apt serves one at least this
# new (iterative index scans came with 0.8.0). Debian 12 has none for PostgreSQL 15, but Debian's
# pool keeps the upstream tarball of a later release's package; the checksum pins exactly that file.
PGVECTOR_MIN_VERSION=0.8.0
PGVECTOR_VERSION=0.8.0
PGVECTOR_POOL_PATH="pool/main/p/pgvector/pgvector_${PGVECTOR_VERSION}.orig.tar.gz"
PGVECTOR_SHA256=867a2c328d4928a5a9d6f052cd3bc78c7d60228a9b914ad32aa3db88e9de27b0

_provision_apt_updated=
# How the superuser connects: tcp (PGHOST, trust or PGPASSWORD) or peer (as the postgres OS user
# over the local socket, what a fresh Debian install allows). Decided by provision_server.
_provision_su_mode=tcp

provision_log() { printf '%s\n' "$*" >&2; }
provision_die() { printf 'provision: error: %s\n' "$*" >&2; return 1; }

# psql as the superuser; -X ignores ~/.psqlrc so output stays parseable.
_psql_su() {
  if [[ $_provision_su_mode == peer ]]; then
    _as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$PGPORT" "$@"
  else
    psql -X -w -q -v ON_ERROR_STOP=1 -h "$PGHOST" -p "$PGPORT" -U "$VERITY_PG_SUPERUSER" "$@"
  fi
}

# Single value from a query, on the given database.
_psql_value() {
  local db=$1 sql=$2
  _psql_su -d "$db" -tA -c "$sql"
}

_pg_ready() {
  pg_isready -q -h "$PGHOST" -p "$PGPORT" -t 3 >/dev/null 2>&1
}

_pg_is_local() {
  case $PGHOST in 127.0.0.1 | localhost | ::1 | /*) return 0 ;; *) return 1 ;; esac
}

# Commands that change the system (apt, make install) need root; use sudo when we are not.
_as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    provision_die "need root (or sudo) to run: $*"
  fi
}

# As the postgres OS user, which Debian's pg_hba.conf lets in over the local socket (peer).
_as_postgres() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    sudo -n -u postgres "$@"
  fi
}

# --- server --------------------------------------------------------------------------------

# Any PostgreSQL server binaries from Debian's packages on this machine.
_pg_installed() {
  compgen -G "$VERITY_PG_LIBDIR/*/bin/postgres" >/dev/null 2>&1 || command -v postgres >/dev/null 2>&1
}

# The superuser over TCP first (this project's machines trust loopback); on a fresh Debian
# install loopback wants a password the postgres role does not have, so fall back to peer.
_provision_choose_su() {
  _provision_su_mode=tcp
  psql -X -w -q -h "$PGHOST" -p "$PGPORT" -U "$VERITY_PG_SUPERUSER" -d postgres -tAc 'select 1' >/dev/null 2>&1 &&
    return 0
  if _pg_is_local && [[ $VERITY_PG_SUPERUSER == postgres ]] && id postgres >/dev/null 2>&1; then
    _provision_su_mode=peer
    if _psql_su -d postgres -tAc 'select 1' >/dev/null 2>&1; then
      provision_log "postgres: connecting as the postgres OS user over the local socket (peer)"
      return 0
    fi
    _provision_su_mode=tcp
  fi
  provision_die "postgres: cannot connect as superuser $VERITY_PG_SUPERUSER on $PGHOST:$PGPORT (trust auth, PGPASSWORD, or peer as root)"
}

# First contact: a Debian machine with no PostgreSQL at all gets Debian's `postgresql` package,
# which creates and configures the default cluster of its major version.
provision_install_server() {
  _pg_installed && return 0
  command -v apt-get >/dev/null 2>&1 ||
    provision_die "postgres: not installed, and this is not a Debian-like system with apt-get; install PostgreSQL 15 or later" ||
    return 1
  provision_log "postgres: not installed on this machine"
  _apt_install postgresql || return 1
  _pg_installed || provision_die "postgres: installed the postgresql package, but no server binaries in $VERITY_PG_LIBDIR"
}

# Start the local cluster(s) if nothing answers; machines come up with PostgreSQL installed but
# not always running.
provision_server() {
  if _pg_ready; then
    provision_log "postgres: reachable on $PGHOST:$PGPORT"
    _provision_choose_su
    return
  fi
  _pg_is_local || provision_die "postgres: nothing answers on $PGHOST:$PGPORT (not a local host, not starting it)" || return 1
  provision_install_server || return 1
  command -v pg_ctlcluster >/dev/null 2>&1 && [[ -d $VERITY_PG_ETCDIR ]] ||
    provision_die "postgres: not reachable on $PGHOST:$PGPORT and pg_ctlcluster is not available" || return 1

  local dir version
  for dir in "$VERITY_PG_ETCDIR"/*/main; do
    [[ -d $dir ]] || continue
    version=${dir#"$VERITY_PG_ETCDIR"/}
    version=${version%/main}
    provision_log "postgres: starting cluster $version/main"
    _as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  done

  local i
  for ((i = 0; i < 30; i++)); do
    _pg_ready && { provision_log "postgres: reachable on $PGHOST:$PGPORT"; _provision_choose_su; return; }
    sleep 1
  done
  provision_die "postgres: still not reachable on $PGHOST:$PGPORT after starting (see /var/log/postgresql/)"
}

# Major version of the running server (e.g. 15), from server_version_num (150020 -> 15).
_pg_server_major() {
  local num
  num=$(_psql_value postgres 'show server_version_num') || return 1
  printf '%s\n' $((num / 10000))
}

# --- pgvector ------------------------------------------------------------------------------

# The running server is the authority: it lists what its own extension directory holds.
_pgvector_available() {
  [[ -n $(_psql_value postgres "select 1 from pg_available_extensions where name = 'vector'") ]]
}

_pkg_installed() {
  [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]
}

_apt_install() {
  _apt_update_once || return 1
  provision_log "apt: installing $*"
  _as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# Headers for the server's major, a compiler and a downloader; only what is missing.
_pgvector_build_deps() {
  local major=$1 missing=() pkg
  for pkg in "postgresql-server-dev-$major" make gcc curl ca-certificates; do
    _pkg_installed "$pkg" || missing+=("$pkg")
  done
  if ((${#missing[@]} == 0)); then
    provision_log "apt: build packages already installed"
    return 0
  fi
  _apt_install "${missing[@]}"
}

# Debian mirror base URLs from the machine's apt sources (deb822 and one-line formats), the main
# archive before the security one; the mirror is never written into the project.
_debian_mirrors() {
  if [[ -n ${VERITY_DEBIAN_MIRROR:-} ]]; then
    printf '%s\n' "${VERITY_DEBIAN_MIRROR%/}"
    return 0
  fi
  local files=()
  shopt -s nullglob
  files=(/etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list /etc/apt/sources.list)
  shopt -u nullglob
  ((${#files[@]})) || return 0
  awk '
    /^[[:space:]]*URIs:/ { for (i = 2; i <= NF; i++) print $i }
    $1 == "deb" || $1 == "deb-src" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z+]+:\/\//) { print $i; break } }
  ' "${files[@]}" 2>/dev/null |
    grep -E '^https?://' | sed 's:/*$::' | awk '!seen[$0]++' |
    awk '/security/ { later[++n] = $0; next } { print } END { for (i = 1; i <= n; i++) print later[i] }'
}

# Download the source tarball from the first mirror that serves the pinned file.
_pgvector_fetch() {
  local dest=$1 mirror
  while read -r mirror; do
    [[ -n $mirror ]] || continue
    provision_log "pgvector: fetching $mirror/$PGVECTOR_POOL_PATH"
    if curl -fsSL --retry 3 --connect-timeout 15 -o "$dest" "$mirror/$PGVECTOR_POOL_PATH" &&
      printf '%s  %s\n' "$PGVECTOR_SHA256" "$dest" | sha256sum -c --status; then
      return 0
    fi
    provision_log "pgvector: not usable from $mirror"
  done < <(_debian_mirrors)
  provision_die "pgvector: could not fetch $PGVECTOR_POOL_PATH with sha256 $PGVECTOR_SHA256 from any apt source"
}

# Build and install into the server's own tree, portably: OPTFLAGS='' drops pgvector's default
# -march=native, and loses no speed for it. pgvector 0.8 compiles its float distance functions
# twice (target_clones "default" and "fma", which implies AVX) and glibc picks the clone for the
# CPU it runs on, so the library uses 256-bit AVX/FMA wherever the CPU has it and still loads on
# one that has not. -march=native would only add AVX-512 on this machine: a serial HNSW build of
# 20,000 x 1536 took 53 s of CPU with it and 54-59 s without (AMD EPYC, AVX-512 double-pumped),
# and such a library dies with SIGILL when the disk or VM image moves to an older CPU.
_pgvector_build() {
  local major=$1 pg_config="$VERITY_PG_LIBDIR/$1/bin/pg_config" work rc=0
  [[ -x $pg_config ]] || provision_die "pgvector: $pg_config not found" || return 1
  work=$(mktemp -d)
  # An explicit && chain: `set -e` would be ignored here, since the caller tests our status.
  _pgvector_fetch "$work/pgvector.tar.gz" &&
    tar -xzf "$work/pgvector.tar.gz" -C "$work" &&
    provision_log "pgvector: building $PGVECTOR_VERSION for PostgreSQL $major" &&
    make -s -C "$work/pgvector-$PGVECTOR_VERSION" -j"$(nproc 2>/dev/null || echo 2)" \
      PG_CONFIG="$pg_config" OPTFLAGS='' >/dev/null &&
    _as_root make -s -C "$work/pgvector-$PGVECTOR_VERSION" install \
      PG_CONFIG="$pg_config" OPTFLAGS='' >/dev/null ||
    rc=$?
  rm -rf "$work"
  return "$rc"
}

# The shared library the server loads for `vector`.
_pgvector_library() {
  local pkglibdir
  pkglibdir=$("$VERITY_PG_LIBDIR/$1/bin/pg_config" --pkglibdir 2>/dev/null) || return 1
  printf '%s/vector.so\n' "$pkglibdir"
}

_cpu_has() {
  grep -qw -- "$1" /proc/cpuinfo 2>/dev/null
}

# How a pgvector library computes distances, read from its machine code (symbols are not
# needed, so a stripped package's library works too):
#   dispatch   packed FMA on 256-bit registers in run-time clones (IRELATIVE relocations): portable
#   avx512     AVX-512 code outside any clone: built with -march for a CPU that has it
#   avx2       AVX2/FMA code outside any clone: built with -march for such a CPU
#   none       neither: SSE2 at best (an old compiler, or dispatch turned off)
#   unknown    objdump/readelf (binutils) not installed, or no library
pgvector_simd() {
  local lib=$1 code
  [[ -f $lib ]] && command -v objdump >/dev/null 2>&1 && command -v readelf >/dev/null 2>&1 ||
    { printf 'unknown\n'; return 0; }
  code=$(objdump -d --no-show-raw-insn "$lib" 2>/dev/null | grep -E 'vfmadd[0-9]+ps' || true)
  if [[ -z $code ]]; then
    printf 'none\n'
  elif grep -q zmm <<<"$code"; then
    printf 'avx512\n'
  elif readelf -rW "$lib" 2>/dev/null | grep -q IRELATIVE; then
    printf 'dispatch\n'
  else
    printf 'avx2\n'
  fi
}

# One line for people: what the library does on this CPU.
pgvector_simd_text() {
  case $1 in
    dispatch)
      if _cpu_has fma; then printf 'SIMD: AVX/FMA, chosen at run time (portable build)\n'
      else printf 'SIMD: portable build; this CPU has no FMA, so it runs the SSE2 clone\n'; fi ;;
    avx512) printf 'SIMD: AVX-512, built for one CPU (-march)%s\n' "$(_cpu_has avx512f || printf '; THIS CPU LACKS AVX-512')" ;;
    avx2) printf 'SIMD: AVX2/FMA, built for one CPU (-march)%s\n' "$(_cpu_has fma || printf '; THIS CPU LACKS FMA')" ;;
    none) printf 'SIMD: none beyond SSE2 (no AVX/FMA code at all)\n' ;;
    *) printf 'SIMD: unknown (objdump/readelf from binutils not installed)\n' ;;
  esac
}

# A library worth replacing: it has no AVX code at all, or code for instructions this CPU lacks
# (the image moved to another machine). Never one that a package owns: apt manages that file.
_pgvector_needs_rebuild() {
  local lib=$1 simd=$2
  dpkg-query -S "$lib" >/dev/null 2>&1 && return 1
  case $simd in
    none) return 0 ;;
    avx512) ! _cpu_has avx512f ;;
    avx2) ! _cpu_has fma ;;
    *) return 1 ;;
  esac
}

# postgresql-<major>-pgvector when apt serves one new enough, else nothing.
_pgvector_package() {
  local pkg="postgresql-$1-pgvector" candidate
  command -v apt-cache >/dev/null 2>&1 || return 1
  candidate=$(apt-cache policy "$pkg" 2>/dev/null | awk '$1 == "Candidate:" { print $2 }')
  [[ -n $candidate && $candidate != '(none)' ]] || return 1
  dpkg --compare-versions "$candidate" ge "$PGVECTOR_MIN_VERSION" || return 1
  printf '%s\n' "$pkg"
}

_apt_update_once() {
  [[ -z $_provision_apt_updated ]] || return 0
  command -v apt-get >/dev/null 2>&1 || return 0
  provision_log "apt: updating package lists"
  _as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || return 1
  _provision_apt_updated=1
}

provision_pgvector() {
  local major lib simd pkg
  if _pgvector_available; then
    if ! _pg_is_local; then
      provision_log "pgvector: installed on $PGHOST"
      return 0
    fi
    major=$(_pg_server_major) || return 1
    lib=$(_pgvector_library "$major") || lib=
    simd=$(pgvector_simd "$lib")
    if ! _pgvector_needs_rebuild "$lib" "$simd"; then
      provision_log "pgvector: already installed ($(pgvector_simd_text "$simd"))"
      return 0
    fi
    provision_log "pgvector: the installed library is not right for this CPU ($(pgvector_simd_text "$simd")); building it again"
  else
    _pg_is_local || provision_die "pgvector: missing on $PGHOST, which is not this machine; install it there" || return 1
    major=$(_pg_server_major) || return 1
    _apt_update_once || return 1
    if pkg=$(_pgvector_package "$major"); then
      _apt_install "$pkg" || return 1
      _pgvector_available || provision_die "pgvector: installed $pkg, but the server does not list it" || return 1
      provision_log "pgvector: installed Debian's $pkg"
      return 0
    fi
    provision_log "pgvector: apt has no postgresql-$major-pgvector >= $PGVECTOR_MIN_VERSION; building from source"
  fi
  _pgvector_build_deps "$major" || return 1
  _pgvector_build "$major" || return 1
  _pgvector_available || provision_die "pgvector: installed, but the server does not list it" || return 1
  lib=$(_pgvector_library "$major") || lib=
  provision_log "pgvector: installed $PGVECTOR_VERSION ($(pgvector_simd_text "$(pgvector_simd "$lib")"))"
}

# --- role and databases --------------------------------------------------------------------

provision_role() {
  if [[ -n $(_psql_value postgres "select 1 from pg_roles where rolname = '$VERITY_DB_USER'") ]]; then
    provision_log "role $VERITY_DB_USER: exists"
    return 0
  fi
  _psql_su -d postgres -c \
    "create role $VERITY_DB_USER login password '$VERITY_DB_PASSWORD' createrole nosuperuser" || return 1
  provision_log "role $VERITY_DB_USER: created"
}

# vector is not a trusted extension, so the superuser creates it; the app role then only uses it.
_create_vector_extension() {
  _psql_su -d "$1" -c 'set client_min_messages = warning' -c 'create extension if not exists vector'
}

_valid_db_name() {
  [[ $1 =~ ^[a-z_][a-z0-9_]*$ ]] || provision_die "invalid database name: $1"
}

provision_database() {
  local db=${1:-$VERITY_DB_NAME}
  _valid_db_name "$db" || return 1
  if [[ -n $(_psql_value postgres "select 1 from pg_database where datname = '$db'") ]]; then
    provision_log "database $db: exists"
  else
    _psql_su -d postgres -c "create database $db owner $VERITY_DB_USER" || return 1
    provision_log "database $db: created"
  fi
  _create_vector_extension "$db" || return 1
  provision_log "database $db: extension vector $(_psql_value "$db" "select extversion from pg_extension where extname = 'vector'")"
}

# A fresh, empty test database every time, so test runs never see an earlier run's events.
provision_test_database() {
  local db=${1:-$VERITY_TEST_DB_NAME}
  _valid_db_name "$db" || return 1
  _psql_su -d postgres -c "set client_min_messages = warning" -c "drop database if exists $db with (force)" || return 1
  _psql_su -d postgres -c "create database $db owner $VERITY_DB_USER" || return 1
  _create_vector_extension "$db" || return 1
  provision_log "database $db: recreated (empty, with vector)"
}

provision_all() {
  provision_server &&
    provision_pgvector &&
    provision_role &&
    provision_database "$VERITY_DB_NAME"
}

_provision_usage() {
  cat <<EOF
Usage: scripts/provision.sh [--test-db]
  Ensures PostgreSQL on $PGHOST:$PGPORT, pgvector, role '$VERITY_DB_USER' and database '$VERITY_DB_NAME'.
  --test-db   also drop and recreate the test database '$VERITY_TEST_DB_NAME'
EOF
}

_provision_main() {
  local test_db=
  while (($#)); do
    case $1 in
      --test-db) test_db=1 ;;
      -h | --help) _provision_usage; return 0 ;;
      *) _provision_usage >&2; return 2 ;;
    esac
    shift
  done
  provision_all || return 1
  if [[ -n $test_db ]]; then
    provision_test_database "$VERITY_TEST_DB_NAME" || return 1
  fi
}

# Run only when executed, not when sourced.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -euo pipefail
  _provision_main "$@"
fi
