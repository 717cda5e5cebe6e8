#!/usr/bin/env bash
# Fresh machine to test results in one command: installs what is missing, builds (CPU backend,
# and the CUDA backend wherever nvcc exists), runs every test. GPU tests skip without a GPU.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh "$@"
cd build
ctest --output-on-failure -j "$(nproc 2>/dev/null || echo 2)"
