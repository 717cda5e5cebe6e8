#!/usr/bin/env bash
# Installs what cevns-scan needs and is missing: Debian packages (compiler, CMake, HDF5,
# nlohmann_json, CLI11, GoogleTest, rapidcheck, Google Benchmark; clang with libFuzzer and LLVM's
# OpenMP for the fuzz build of .ci/run; Thrust from Debian when no CUDA toolkit provides it) and a
# Python virtual environment in .venv with the pinned plotting and test packages. Safe to run
# again: it installs only what is absent.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*"; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

packages=(build-essential cmake pkg-config git libhdf5-dev nlohmann-json3-dev libcli11-dev
          libgtest-dev libgmock-dev librapidcheck-dev libbenchmark-dev librandom123-dev python3 python3-venv python3-pip
          clang libclang-rt-dev libomp-dev)
# Thrust/CUB: from the CUDA toolkit when there is one, else Debian's packages.
if ! command -v nvcc >/dev/null 2>&1 && [ ! -x /usr/local/cuda/bin/nvcc ]; then
  packages+=(libthrust-dev libcub-dev)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A python3 that can make virtual environments with pip (e.g. pyenv's) needs none of Debian's
# Python packages; Debian's own python3 lacks ensurepip until python3-venv is installed.
if command -v python3 >/dev/null 2>&1 && python3 -c "import ensurepip, venv" >/dev/null 2>&1; then
  filtered=()
  for p in "${missing[@]}"; do
    case "$p" in python3|python3-venv|python3-pip) ;; *) filtered+=("$p") ;; esac
  done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  log "Debian packages present"
fi

if [ ! -x .venv/bin/python3 ]; then
  log "creating Python environment .venv"
  python3 -m venv .venv
fi
stamp=.venv/.requirements-stamp
want=$(cat scripts/requirements.txt tests/requirements.txt | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  log "installing pinned Python packages"
  .venv/bin/python3 -m pip install -q --disable-pip-version-check \
    -r scripts/requirements.txt -r tests/requirements.txt
  echo "$want" > "$stamp"
else
  log "Python packages present"
fi
