#!/usr/bin/env bash
# Faults from outside, as a batch system or a full disk deals them:
#  1. SIGKILL at random moments of `cevns scan -o` (every chunk is fsync'ed, so a kill can land
#     anywhere), then `--resume` until done: the file equals an uninterrupted run bit for bit, and
#     no killed run ever leaves a file at the final path;
#  2. SIGKILL at random moments of `cevns merge` and `cevns fit`: afterwards the outputs are
#     either absent or complete, and a rerun gives the uninterrupted result;
#  3. SIGTERM during a long chunk of a direct scan is honoured within a second (exit 143);
#  4. a file-size limit (`ulimit -f`, a full disk as the program sees it): a clear error, exit
#     status non-zero, and nothing at the final path.
#   test_faults.sh CEVNS PYTHON [DATA_DIR]
# PYTHON must have h5py (the project's .venv). Kill moments come from a seeded generator, printed.
set -euo pipefail
cevns=$1 python=$2 data=${3:-}
src=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
log() { echo "test_faults: $*"; }
"$python" -c 'import h5py' 2>/dev/null || fail "$python has no h5py to compare the files with"
seed=${CEVNS_FAULT_SEED:-$RANDOM}
RANDOM=$seed
log "seed $seed (CEVNS_FAULT_SEED=$seed reproduces the kill moments)"

# Same chi2 and delta_chi2 bits in every group of two scan files.
same_grids() {
  "$python" - "$1" "$2" <<'EOF'
import sys, h5py
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
found = []
def visit(name, obj):
    if isinstance(obj, h5py.Dataset) and name.rsplit("/", 1)[-1] in ("chi2", "delta_chi2"):
        found.append(name)
a.visititems(visit)
assert found, "no grids compared"
bad = [n for n in found if n not in b or a[n][()].tobytes() != b[n][()].tobytes()]
assert not bad, f"differ: {bad[:5]}"
assert b.attrs["complete"] == 1
print(f"{len(found)} grids identical")
EOF
}

# Sleep a random time in [0, max_ms] ms.
nap() { sleep "$(printf '0.%03d' $((RANDOM % $1)))"; }

# --- 1. scan ------------------------------------------------------------------------------------
cat >"$tmp/study.json" <<EOF
{"name": "faults", "method": "direct",
 "detectors": ["$src/configs/detectors/ar.json", "$src/configs/detectors/csi.json"],
 "scenarios": ["ideal", "sys15"],
 "analysis": {"binning": "recoil", "bin_width_keV": 8},
 "quadrature": {"recoil_nodes": 8, "energy_nodes": 8, "energy_panels": 2},
 "scans": [
  {"name": "s", "channel": "numu",
   "axes": [{"parameter": "sin2_2theta", "min": 0.001, "max": 1.0, "points": 40, "scale": "log"},
            {"parameter": "dm2_eV2", "min": 0.01, "max": 100.0, "points": 30, "scale": "log"}]},
  {"name": "w", "axes": [{"parameter": "sin2_theta_W", "min": 0.1, "max": 0.4, "points": 120}]}]}
EOF
"$cevns" scan "$tmp/study.json" --backend cpu -q --chunk-points 40 -o "$tmp/whole.h5" >/dev/null
kills=0
for attempt in $(seq 1 40); do
  "$cevns" scan "$tmp/study.json" --backend cpu -q --chunk-points 40 --resume -o "$tmp/out.h5" \
    >/dev/null 2>"$tmp/scan.err" &
  pid=$!
  nap 400
  if kill -KILL "$pid" 2>/dev/null; then
    kills=$((kills + 1))
    wait "$pid" 2>/dev/null || true
    if [[ -e $tmp/out.h5 ]]; then
      "$python" -c 'import h5py,sys; sys.exit(0 if h5py.File(sys.argv[1],"r").attrs["complete"] == 1 else 1)' \
        "$tmp/out.h5" || fail "a killed scan left an incomplete $tmp/out.h5"
    fi
  else
    wait "$pid" || fail "scan --resume failed: $(cat "$tmp/scan.err")"
  fi
  [[ -e $tmp/out.h5 && ! -e $tmp/out.h5.partial ]] && break
done
[[ -e $tmp/out.h5 ]] || "$cevns" scan "$tmp/study.json" --backend cpu -q --chunk-points 40 --resume \
  -o "$tmp/out.h5" >/dev/null
same_grids "$tmp/whole.h5" "$tmp/out.h5" >/dev/null || fail "the resumed scan differs from the uninterrupted one"
[[ $kills -gt 0 ]] || fail "no scan was killed (nothing tested)"
log "scan: $kills SIGKILLs at random moments, resumed: grids identical to an uninterrupted run"

# --- 2. merge and fit ---------------------------------------------------------------------------
for k in 0 1 2; do
  "$cevns" scan "$tmp/study.json" --backend cpu -q --shard "$k/3" -o "$tmp/part-$k.h5" >/dev/null
done
merge_kills=0
for attempt in $(seq 1 8); do
  "$cevns" merge -q -o "$tmp/merged.h5" "$tmp"/part-{0,1,2}.h5 >/dev/null 2>&1 &
  pid=$!
  nap 300
  if kill -KILL "$pid" 2>/dev/null; then merge_kills=$((merge_kills + 1)); fi
  wait "$pid" 2>/dev/null || true
  if [[ -e $tmp/merged.h5 ]]; then
    same_grids "$tmp/whole.h5" "$tmp/merged.h5" >/dev/null || fail "a merge left a wrong $tmp/merged.h5"
    rm -f "$tmp/merged.h5"
  fi
done
"$cevns" merge -q -o "$tmp/merged.h5" "$tmp"/part-{0,1,2}.h5 >/dev/null
same_grids "$tmp/whole.h5" "$tmp/merged.h5" >/dev/null || fail "merge differs from the unsharded run"
log "merge: $merge_kills SIGKILLs, never a wrong file; the rerun equals the unsharded run"

if [[ -n $data && -d $data/csi2021 ]]; then
  fit_kills=0
  for attempt in $(seq 1 6); do
    "$cevns" fit "$src/configs/data/csi2021.json" --data-dir "$data" --grid-points 9 \
      -o "$tmp/fit.h5" --json "$tmp/fit.json" >/dev/null 2>&1 &
    pid=$!
    nap 900
    if kill -KILL "$pid" 2>/dev/null; then fit_kills=$((fit_kills + 1)); fi
    wait "$pid" 2>/dev/null || true
    if [[ -e $tmp/fit.h5 ]]; then
      "$python" -c 'import h5py,sys; sys.exit(0 if h5py.File(sys.argv[1],"r").attrs["complete"] == 1 else 1)' \
        "$tmp/fit.h5" || fail "a killed fit left an incomplete fit.h5"
    fi
    rm -f "$tmp/fit.h5" "$tmp/fit.json"
  done
  log "fit: $fit_kills SIGKILLs, never an incomplete output"
else
  log "fit: not tried (no COHERENT data at ${data:-(none given)})"
fi

# --- 3. SIGTERM during a long direct chunk --------------------------------------------------------
cat >"$tmp/direct.json" <<EOF
{"name": "slow", "method": "direct", "detectors": ["$src/configs/detectors/nai.json"],
 "scenarios": ["sys15"],
 "scans": [{"name": "s", "channel": "nue",
   "axes": [{"parameter": "sin2_2theta", "min": 0.001, "max": 1.0, "points": 400, "scale": "log"},
            {"parameter": "dm2_eV2", "min": 0.01, "max": 100.0, "points": 400, "scale": "log"}]}]}
EOF
"$cevns" scan "$tmp/direct.json" --backend cpu -q -o "$tmp/direct.h5" 2>"$tmp/term.err" &
pid=$!
sleep 1.5
start=$(date +%s%N)
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
[[ $status -eq 143 ]] || fail "SIGTERM gave exit status $status, expected 143: $(cat "$tmp/term.err")"
[[ $elapsed_ms -lt 1500 ]] || fail "SIGTERM took ${elapsed_ms} ms to be honoured (one chunk is 160000 direct points)"
grep -q "run the same command with --resume" "$tmp/term.err" || fail "no resume hint: $(cat "$tmp/term.err")"
[[ ! -e $tmp/direct.h5 ]] || fail "an interrupted scan left $tmp/direct.h5"
log "SIGTERM in a long direct chunk honoured in ${elapsed_ms} ms, exit 143"

# --- 4. a full disk -------------------------------------------------------------------------------
status=0
(ulimit -f 64; exec "$cevns" scan "$tmp/study.json" --backend cpu -q -o "$tmp/full.h5") \
  >/dev/null 2>"$tmp/full.err" || status=$?
[[ $status -eq 1 ]] || fail "a scan under a 64 kB file-size limit exited with $status, expected 1: $(cat "$tmp/full.err")"
grep -q "cevns: error: .*File too large (the disk is full or a file-size limit was reached)" "$tmp/full.err" ||
  fail "no clear error: $(cat "$tmp/full.err")"
[[ ! -e $tmp/full.h5 ]] || fail "a failed scan left $tmp/full.h5"
log "full disk: exit $status, '$(head -c 160 "$tmp/full.err")', no final file"
echo "PASS: faults ($kills + $merge_kills SIGKILLs, SIGTERM, full disk): 0 files lost or wrong"
