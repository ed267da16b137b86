#!/usr/bin/env bash
# The main job: set up, build and validate the graph, write the views, print a summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/allkg build
