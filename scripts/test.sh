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
exec .venv/bin/python -m pytest "$@"
