#!/usr/bin/env bash
# The consumers too heavy for the main test command (Flair needs torch): in a virtual
# environment of their own, .venv-consumers (or CONSUMER_VENV). Installing takes minutes
# (7.5 min on a shared 2-core machine), so CI does not run it; run it by hand:
#     bash scripts/consumer_suite.sh
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${CONSUMER_VENV:-.venv-consumers}"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    # torch 2.13.0 as a CPU build (a plain `torch` from PyPI is a CUDA build of several GB).
    "$venv/bin/pip" install -q torch==2.13.0 flair==0.15.1 pytest
fi
"$venv/bin/pip" install -q -e . --no-deps
"$venv/bin/pip" install -q pytest pythainlp==5.4.0 python-crfsuite nlpo3 sqlite-utils numpy
PYTHAINLP_OFFLINE=1 "$venv/bin/python" -m pytest -q tests_consumers "$@"
