#!/usr/bin/env bash
# `pip install .` from a clean virtual environment, then the package's pytest suite against the
# installed package (tests/python/cevns/), compared with the program CEVNS_BINARY.
#
#   tests/python/package_install.sh CEVNS_BINARY WORK_DIR
#
# The environment is made afresh in WORK_DIR/venv at every run; pip's cache (wheels of the pinned
# packages) and the extension's build directory WORK_DIR/build (with ccache when present) are
# reused, so a repeated run compiles only what changed. CEVNS_PACKAGE_CUDA (default OFF) is the
# CEVNS_CUDA of the package build: AUTO builds the CUDA backend where nvcc is found.
set -euo pipefail
binary=$(realpath "$1")
work=$(mkdir -p "$2" && realpath "$2")
repo=$(cd "$(dirname "$0")/../.." && pwd)
start=$(date +%s)

rm -rf "$work/venv"
python3 -m venv "$work/venv"
py="$work/venv/bin/python3"
pip=("$py" -m pip --disable-pip-version-check -q)
"${pip[@]}" install -r "$repo/scripts/requirements.txt" -r "$repo/tests/requirements.txt"

launcher=()
if command -v ccache >/dev/null 2>&1; then
  launcher=(-Ccmake.define.CMAKE_CXX_COMPILER_LAUNCHER=ccache
            -Ccmake.define.CMAKE_CUDA_COMPILER_LAUNCHER=ccache)
fi
(cd "$repo" && CEVNS_CUDA="${CEVNS_PACKAGE_CUDA:-OFF}" "${pip[@]}" install . \
   -Cbuild-dir="$work/build" "${launcher[@]+"${launcher[@]}"}")
installed=$(cd "$work" && "$py" -c 'import cevns; print(cevns.__file__)')
case "$installed" in
  "$work/venv/"*) ;;
  *) echo "cevns imported from $installed, not from the virtual environment" >&2; exit 1 ;;
esac
echo "pip install . took $(( $(date +%s) - start )) s; testing $installed"

cd "$repo/tests/python/cevns"
CEVNS_BINARY="$binary" "$py" -m pytest -q -p no:cacheprovider .
echo "package test took $(( $(date +%s) - start )) s in all"
