#!/usr/bin/env bash
# What this machine has for Verity, what is missing, and what `./verity up` (scripts/provision.sh)
# or a Debian install would add. Changes nothing: it only looks.
#
#   scripts/doctor.sh     (or ./verity doctor)
#
# One line per tool: ok, missing or optional-missing, and what it is for. Then the Debian packages
# and builds that would fill the gaps. Exits 0 when everything needed to run and test is there
# (the optional tools only serve the browser tests and the HTTP benchmark), 1 otherwise.
#
# Environment: PGHOST, PGPORT and the rest that scripts/provision.sh reads.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/provision.sh
source "$ROOT/scripts/provision.sh"

DOCTOR_MISSING=0
DOCTOR_APT=()   # Debian packages that would be installed
DOCTOR_OTHER=() # other steps that would be taken

have() { command -v "$1" >/dev/null 2>&1; }

# report STATE NAME TEXT
report() {
  printf '  %-9s %-13s %s\n' "$1" "$2" "$3"
  [[ $1 == missing ]] && DOCTOR_MISSING=1
  return 0
}

check_java() {
  local version
  if ! have java; then
    report missing java "Java 17 or later runs the apps and the build"
    DOCTOR_APT+=(openjdk-17-jdk-headless)
    return
  fi
  version=$(java -version 2>&1 | awk -F'"' '/version/ { print $2; exit }')
  if [[ ${version%%.*} =~ ^[0-9]+$ ]] && ((${version%%.*} >= 17)); then
    report ok java "$version ($(command -v java))"
  else
    report missing java "${version:-unknown version} at $(command -v java); Java 17 or later is needed"
    DOCTOR_APT+=(openjdk-17-jdk-headless)
  fi
}

check_maven() {
  if [[ -x $ROOT/mvnw ]]; then
    report ok maven "./mvnw (the wrapper fetches its Maven from Maven Central on first use)$(have mvn && printf '; mvn also on PATH')"
  elif have mvn; then
    report ok maven "mvn ($(command -v mvn)); ./mvnw is missing from the checkout"
  else
    report missing maven "neither ./mvnw nor mvn"
    DOCTOR_APT+=(maven)
  fi
}

# check_tool STATE TOOL PACKAGE PURPOSE [VERSION_ARGUMENT]
check_tool() {
  local state=$1 tool=$2 package=$3 purpose=$4 version
  if have "$tool"; then
    version=$("$tool" "${5:---version}" 2>&1 | head -n 1 | awk '{ print $1, $2 }')
    report ok "$tool" "${version:-present} ($(command -v "$tool"))"
  else
    report "$state" "$tool" "$purpose"
    DOCTOR_APT+=("$package")
  fi
}

# Whether something answers on PGHOST:PGPORT at all, without psql.
port_open() {
  (exec 3<>"/dev/tcp/$PGHOST/$PGPORT") 2>/dev/null
}

installed_majors() {
  local dir majors=()
  for dir in "$VERITY_PG_LIBDIR"/*/bin/postgres; do
    [[ -x $dir ]] || continue
    dir=${dir#"$VERITY_PG_LIBDIR"/}
    majors+=("${dir%%/*}")
  done
  printf '%s' "${majors[*]}"
}

check_postgres() {
  local majors version
  majors=$(installed_majors)
  if ! port_open; then
    if [[ -n $majors ]]; then
      report missing postgresql "installed ($majors) but nothing answers on $PGHOST:$PGPORT"
      DOCTOR_OTHER+=("start the cluster(s): pg_ctlcluster --skip-systemctl-redirect <version> main start")
    elif _pg_installed; then
      report missing postgresql "a postgres binary is on PATH but nothing answers on $PGHOST:$PGPORT; start it"
    else
      report missing postgresql "not installed: no server in $VERITY_PG_LIBDIR, nothing on $PGHOST:$PGPORT"
      DOCTOR_APT+=(postgresql)
      DOCTOR_OTHER+=("start it: pg_ctlcluster --skip-systemctl-redirect <version> main start")
    fi
    report missing pgvector "needs a running server first"
    DOCTOR_OTHER+=("pgvector: Debian's postgresql-<major>-pgvector if apt serves one >= $PGVECTOR_MIN_VERSION, else build $PGVECTOR_VERSION from Debian's pool tarball (portable, AVX/FMA by run-time dispatch)")
    return
  fi
  if ! have psql; then
    report missing postgresql "something answers on $PGHOST:$PGPORT, but psql is not installed to ask it"
    DOCTOR_APT+=(postgresql-client)
    return
  fi
  if ! version=$(_psql_value postgres 'show server_version' 2>/dev/null); then
    _provision_choose_su 2>/dev/null && version=$(_psql_value postgres 'show server_version' 2>/dev/null)
  fi
  if [[ -z $version ]]; then
    report missing postgresql "answers on $PGHOST:$PGPORT, but superuser $VERITY_PG_SUPERUSER cannot connect"
    return
  fi
  report ok postgresql "server $version reachable on $PGHOST:$PGPORT${majors:+ (installed here: $majors)}"
  check_pgvector
}

check_pgvector() {
  local available installed major lib simd pkg
  available=$(_psql_value postgres "select default_version from pg_available_extensions where name = 'vector'" 2>/dev/null)
  if [[ -z $available ]]; then
    report missing pgvector "the server has no vector extension"
    major=$(_pg_server_major 2>/dev/null)
    if pkg=$(_pgvector_package "$major"); then
      DOCTOR_APT+=("$pkg")
    else
      DOCTOR_OTHER+=("pgvector: build $PGVECTOR_VERSION from Debian's pool tarball (needs postgresql-server-dev-$major make gcc curl)")
    fi
    return
  fi
  installed=$(_psql_value "$VERITY_DB_NAME" "select extversion from pg_extension where extname = 'vector'" 2>/dev/null)
  if ! _pg_is_local; then
    report ok pgvector "$available on $PGHOST${installed:+, $installed in database $VERITY_DB_NAME} (SIMD not checked: another machine)"
    return
  fi
  major=$(_pg_server_major)
  lib=$(_pgvector_library "$major") || lib=
  simd=$(pgvector_simd "$lib")
  if _pgvector_needs_rebuild "$lib" "$simd"; then
    report missing pgvector "$available, $(pgvector_simd_text "$simd")"
    DOCTOR_OTHER+=("pgvector: build $PGVECTOR_VERSION again, portable with run-time AVX/FMA dispatch")
  else
    report ok pgvector "$available${installed:+ (database $VERITY_DB_NAME: $installed)}, $(pgvector_simd_text "$simd")"
  fi
}

check_chromium() {
  local browser='' driver=''
  have chromium && browser=chromium
  have chromium-browser && browser=${browser:-chromium-browser}
  have chromedriver && driver=chromedriver
  if [[ -n $browser && -n $driver ]]; then
    report ok chromium "$("$browser" --version 2>/dev/null | head -n 1), $("$driver" --version 2>/dev/null | awk '{ print $1, $2; exit }')"
    return
  fi
  report optional chromium "${browser:-no chromium}, ${driver:-no chromedriver}: the browser tests need both"
  [[ -n $browser ]] || DOCTOR_APT+=(chromium)
  [[ -n $driver ]] || DOCTOR_APT+=(chromium-driver)
}

doctor_main() {
  printf 'verity doctor: %s, %s\n' "$(uname -srm 2>/dev/null)" \
    "$( (. /etc/os-release 2>/dev/null && printf '%s' "${PRETTY_NAME:-unknown system}") || printf 'unknown system')"
  check_java
  check_maven
  check_postgres
  check_tool missing curl curl "the launcher calls the apps' health and APIs with it"
  check_tool missing openssl openssl "the launcher signs local tokens with it" version
  check_tool missing jq jq "rebuild, verify and digest read JSON with it"
  check_chromium
  check_tool optional wrk wrk "HTTP load for benchmarks" -v

  if ((${#DOCTOR_APT[@]} == 0 && ${#DOCTOR_OTHER[@]} == 0)); then
    printf 'nothing to install\n'
  else
    printf 'would install:\n'
    if ((${#DOCTOR_APT[@]})); then
      printf '  apt-get install %s   (Debian packages; ./verity up installs postgresql, pgvector and jq itself)\n' \
        "$(printf '%s\n' "${DOCTOR_APT[@]}" | awk '!seen[$0]++' | tr '\n' ' ' | sed 's/ $//')"
      have apt-get || printf '  (apt-get is not available here: install the equivalents by hand)\n'
    fi
    local step
    for step in "${DOCTOR_OTHER[@]}"; do printf '  %s\n' "$step"; done
  fi
  return "$DOCTOR_MISSING"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -uo pipefail
  doctor_main
fi
