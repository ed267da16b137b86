#!/usr/bin/env bash
# Set up everything the tests need on a fresh Debian machine, then run them all.
# Needs root (or sudo) once, to install Debian's chromium for the browser tests and
# Debian's Virtuoso for the push tests (a second real triple store beside Oxigraph).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=""
command -v chromium >/dev/null 2>&1 || packages="$packages chromium fonts-dejavu-core"
command -v virtuoso-t >/dev/null 2>&1 || packages="$packages virtuoso-opensource"
if [ -n "$packages" ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086  # the list is meant to split into words
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $packages >/dev/null
fi

bash scripts/setup.sh test
# Browser tests check pages with axe-core (accessibility): a pinned copy from npm, cached outside git.
if command -v npm >/dev/null 2>&1 && [ ! -f .cache/npm/node_modules/axe-core/axe.min.js ]; then
  npm install --silent --no-audit --no-fund --prefix .cache/npm axe-core@4.10.3 >/dev/null || echo "axe-core not installed: the accessibility tests will skip" >&2
fi
exec .venv/bin/python -m pytest "$@"
