#!/usr/bin/env bash
# The main job: set up, build and validate the graph, write the views, print a summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/allkg build
.venv/bin/allkg view   # the whole graph as an offline page; prints its path under build/views/
