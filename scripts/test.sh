#!/usr/bin/env bash
# Set up everything the tests need on a fresh Debian machine, then run them all.
# Needs root (or sudo) once, to install Debian's chromium for the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi

bash scripts/setup.sh test
# Browser tests check pages with axe-core (accessibility): a pinned copy from npm, cached outside git.
if command -v npm >/dev/null 2>&1 && [ ! -f .cache/npm/node_modules/axe-core/axe.min.js ]; then
  npm install --silent --no-audit --no-fund --prefix .cache/npm axe-core@4.10.3 >/dev/null || echo "axe-core not installed: the accessibility tests will skip" >&2
fi
exec .venv/bin/python -m pytest "$@"
