#!/usr/bin/env bash
# Shared set-up for scripts/main.sh and scripts/test.sh: a virtual environment
# with the package installed. Idempotent: re-running only installs what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
extras="${1:-}"
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${extras:+[$extras]}"
# Compile the package's bytecode now, as pip does when it installs a wheel: an editable install leaves it to the
# first run, which cannot save it where PYTHONDONTWRITEBYTECODE is set, so every command would compile again.
.venv/bin/python -m compileall -q allkg >/dev/null
