#!/usr/bin/env bash
# Browser tests drive Debian's Chromium at /usr/bin/chromium (nothing downloads a browser).
# Installs it when missing and this user may (root); otherwise says how.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser tests (about 30 s)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "The browser tests need /usr/bin/chromium: run 'sudo apt-get install -y chromium' and try again." >&2
exit 1
