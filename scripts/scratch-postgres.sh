#!/usr/bin/env bash
# A throw-away PostgreSQL server for tests that crash the database (the fault suite), so the
# shared server on 5432 is never stopped. Loopback only, trust auth, gone with its folder.
#
#   scripts/scratch-postgres.sh start PORT DIR   initdb in DIR (an empty folder) unless done, start on
#                                                127.0.0.1:PORT, role and database verity (with vector)
#   scripts/scratch-postgres.sh crash DIR        pg_ctl stop -m immediate: every backend dies at once
#   scripts/scratch-postgres.sh resume DIR       start again; the server replays its WAL
#   scripts/scratch-postgres.sh stop DIR         stop (immediately) and delete DIR
#
# It uses the PostgreSQL installation that holds pgvector (scripts/provision.sh puts it into the
# running server's own tree), or VERITY_PG_BINDIR. initdb and postgres refuse to run as root, so
# as root they run as the postgres OS user, which then owns DIR.
set -euo pipefail

die() { printf 'scratch-postgres: error: %s\n' "$*" >&2; exit 1; }

bindir() {
  if [[ -n ${VERITY_PG_BINDIR:-} ]]; then
    printf '%s' "$VERITY_PG_BINDIR"
    return
  fi
  local dir fallback=''
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
    [[ -x $dir/initdb && -x $dir/pg_ctl ]] || continue
    [[ -n $fallback ]] || fallback=$dir
    if [[ -f $("$dir/pg_config" --sharedir)/extension/vector.control ]]; then
      printf '%s' "$dir"
      return
    fi
  done
  [[ -n $fallback ]] || fallback=$(dirname "$(command -v initdb 2>/dev/null)" 2>/dev/null || true)
  [[ -n $fallback && -x $fallback/initdb ]] || die "no PostgreSQL installation with initdb found (set VERITY_PG_BINDIR)"
  printf '%s' "$fallback"
}

# The server's own user: postgres when we are root, ourselves otherwise.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg_ctl_() {
  local dir=$1
  shift
  as_owner "$(bindir)/pg_ctl" -D "$dir/data" "$@"
}

start_server() {
  local dir=$1 port
  port=$(cat "$dir/port")
  # fsync off: an immediate stop kills processes, not the kernel, so every write survives in the
  # page cache and crash recovery still replays the WAL; only a power cut would need fsync.
  pg_ctl_ "$dir" start -w -t 60 -l "$dir/postgres.log" \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=150" >/dev/null
}

psql_su() {
  local dir=$1
  shift
  as_owner "$(bindir)/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$(cat "$dir/port")" -U postgres "$@"
}

cmd_start() {
  local port=${1:?PORT} dir=${2:?DIR}
  [[ $port =~ ^[0-9]+$ ]] || die "invalid port: $port"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if [[ ! -f $dir/data/PG_VERSION ]]; then
    [[ $(id -u) -ne 0 ]] || chown postgres:postgres "$dir"
    chmod 700 "$dir"
    as_owner "$(bindir)/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale --no-sync >/dev/null
    printf '%s\n' "$port" | as_owner tee "$dir/port" >/dev/null
    start_server "$dir"
    psql_su "$dir" -d postgres -c "create role verity login password 'verity' createrole nosuperuser" \
      -c "create database verity owner verity"
    # vector is not a trusted extension: the superuser creates it, as scripts/provision.sh does.
    psql_su "$dir" -d verity -c 'set client_min_messages = warning' -c 'create extension if not exists vector'
  else
    start_server "$dir"
  fi
}

cmd_crash() {
  pg_ctl_ "${1:?DIR}" stop -m immediate -w >/dev/null
}

cmd_resume() {
  start_server "${1:?DIR}"
}

cmd_stop() {
  local dir=${1:?DIR}
  [[ -d $dir ]] || return 0
  if [[ -f $dir/data/postmaster.pid ]]; then
    pg_ctl_ "$dir" stop -m immediate -w >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case ${1:-} in
  start) cmd_start "${@:2}" ;;
  crash) cmd_crash "${@:2}" ;;
  resume) cmd_resume "${@:2}" ;;
  stop) cmd_stop "${@:2}" ;;
  *) die "usage: $0 start PORT DIR | crash DIR | resume DIR | stop DIR" ;;
esac
