#!/usr/bin/env bash
# Configures and builds cevns-scan in build/ (Release). The CUDA backend is built when nvcc is
# found (CEVNS_CUDA=AUTO); pass extra CMake arguments through, e.g. -DCEVNS_CUDA=OFF.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCEVNS_PYTHON="$PWD/.venv/bin/python3" "$@" >/dev/null
cmake --build build -j "$jobs"
