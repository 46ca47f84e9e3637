#!/usr/bin/env bash
# Set up a virtual environment in .venv with the program and its test tools.
# With --system (as root, e.g. on CI), also install the Debian packages the window needs:
# a Thai font, Qt's runtime libraries, Xvfb, and a C compiler for the compiled CRF decoding
# (annotator/nlp/_crfc.c; without one the program decodes with numpy, which is slower).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" == "--system" ]]; then
    if command -v apt-get >/dev/null 2>&1 && [[ "$(id -u)" == 0 ]]; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends \
            fonts-thai-tlwg fontconfig xvfb xauth gcc libc6-dev python3-dev \
            libegl1 libgl1 libopengl0 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libfreetype6 \
            libdbus-1-3 libglib2.0-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 \
            libxcb-render-util0 libxcb-image0 libxcb-xinerama0 libxcb-randr0 libx11-xcb1 >/dev/null
    else
        echo "setup: --system needs root and apt-get; skipping Debian packages" >&2
    fi
fi

PY=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
    "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"
