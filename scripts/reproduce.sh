#!/usr/bin/env bash
# The main job: installs what is missing, builds, and reproduces the forecast's studies into
# results/ (HDF5 grids, JSON tables, figures in results/figures/, tables in results/SUMMARY.md).
# Extra arguments go to cevns (e.g. --backend cpu).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
step() { printf '\n== %s\n' "$*"; }

step "setting up"
bash scripts/setup.sh
step "building"
bash scripts/build.sh
cevns=build/cevns
py=.venv/bin/python3
mkdir -p results/figures

step "event rates (SPEC §8.1)"
for d in csi ge72 ge_natural nai ar; do
  "$cevns" rates "configs/detectors/$d.json" --json "$@" > "results/rates_$d.json"
  printf '  %-10s %s events\n' "$d" "$($py -c "import json,sys; print(round(json.load(open(sys.argv[1]))['total'], 2))" "results/rates_$d.json")"
done
"$cevns" rates configs/detectors/csi.json --bin-width 1.71 --no-gc -o results/csi_spectrum.h5 "$@" > /dev/null
"$cevns" rates configs/detectors/csi.json --bin-width 1.71 --gc -o results/csi_spectrum_gc.h5 "$@" > /dev/null
echo "  CsI spectrum per 1.71 keV, with and without g_c: results/csi_spectrum{,_gc}.h5"

for study in weak_mixing nsi_1d nsi_2d sterile_nue sterile_numu; do
  step "study $study"
  "$cevns" scan "configs/studies/$study.json" -o "results/$study.h5" --json "results/$study.json" "$@" \
    | tee "results/$study.txt"
done

step "figures"
$py scripts/plot.py results/csi_spectrum.h5 results/csi_spectrum_gc.h5 results/weak_mixing.h5 \
  results/nsi_1d.h5 results/nsi_2d.h5 results/sterile_nue.h5 results/sterile_numu.h5 -o results/figures

step "summary"
$py scripts/summary.py results -o results/SUMMARY.md
echo "done in $(( $(date +%s) - start )) s: results/SUMMARY.md, results/figures/"
