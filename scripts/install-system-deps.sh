#!/usr/bin/env bash
# Debian packages the test suite needs (Chromium for the board's browser tests).
# Installs only what is missing; needs root (CI and the developer machines run as root).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian packages: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "warning: missing ${need[*]} and cannot install them (not root or no apt-get); browser tests will skip" >&2
  fi
fi
