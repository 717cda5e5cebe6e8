#!/usr/bin/env bash
# The COHERENT copies the tests read (../shared/data/coherent beside the repository) are the ones
# the project was validated with: scripts/fetch_coherent_data.sh --verify checks every SHA-256.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
data=${CEVNS_DATA:-$root/../shared/data/coherent}
# Without the data there is nothing to verify: exit 77, which ctest reports as skipped
# (SKIP_RETURN_CODE in tests/CMakeLists.txt), with the reason.
if [ ! -d "$data" ]; then
  echo "SKIP: no COHERENT data at $data (set CEVNS_DATA or run scripts/fetch_coherent_data.sh)"
  exit 77
fi
bash "$root/scripts/fetch_coherent_data.sh" --verify "$data"
