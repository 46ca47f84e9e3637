#!/usr/bin/env bash
# Set up (first time only) and open the window: on the last project, or on the demo project.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -x .venv/bin/annotator ]]; then
    bash scripts/setup.sh "$@"
fi
exec .venv/bin/annotator
