#!/usr/bin/env bash
# The load generators `./verity bench` drives: wrk (Debian's package) and pgbench (PostgreSQL's
# client tools, which provision.sh's server already brings). Installs what is missing, once.
set -euo pipefail

have() { command -v "$1" >/dev/null 2>&1; }

missing=()
have wrk || missing+=(wrk)
have pgbench || missing+=(postgresql-client)
if ((${#missing[@]})); then
  printf 'provision-bench: installing %s\n' "${missing[*]}" >&2
  if [[ $(id -u) -ne 0 ]]; then
    printf 'provision-bench: error: run as root, or install %s yourself\n' "${missing[*]}" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
printf 'provision-bench: %s; pgbench %s\n' "$(wrk --version 2>&1 | head -n1 | cut -d' ' -f1-2)" \
  "$(pgbench --version | awk '{print $3}')" >&2
