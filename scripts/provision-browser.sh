#!/usr/bin/env bash
# Headless Chromium and its driver for the console's browser tests (query-side *BrowserTest).
# Idempotent: it installs Debian's `chromium` and `chromium-driver` only when one is missing, and
# says plainly when it cannot (not root, no apt-get), so the browser tests then fail with a
# message naming what is missing instead of being skipped.
set -uo pipefail

log() { printf 'provision-browser: %s\n' "$*" >&2; }

present() { command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; }

if present; then
  log "chromium and chromedriver present ($(chromium --version 2>/dev/null | head -n 1))"
  exit 0
fi
if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
  log "chromium or chromedriver missing and cannot be installed here (needs root and apt-get);"
  log "install Debian's chromium and chromium-driver, or the browser tests will fail"
  exit 0
fi
log "installing Debian's chromium and chromium-driver"
if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
         chromium chromium-driver; } >/dev/null; then
  log "apt-get could not install chromium; the browser tests will fail and say so"
  exit 0
fi
present && log "installed $(chromium --version 2>/dev/null | head -n 1)"
exit 0
