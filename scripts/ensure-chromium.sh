#!/usr/bin/env bash
# Make sure Debian's chromium is installed at /usr/bin/chromium for the browser tests
# (Playwright drives it through `executable_path`; no browser is ever downloaded). Idempotent.
set -euo pipefail
BROWSER=/usr/bin/chromium
sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if [ -x "$BROWSER" ]; then
  exit 0
fi
echo "Chromium is not installed: installing Debian's chromium package" >&2
sudo_ apt-get update -qq
sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
[ -x "$BROWSER" ] || { echo "chromium did not install at $BROWSER" >&2; exit 1; }
