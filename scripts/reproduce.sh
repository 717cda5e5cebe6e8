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

for study in weak_mixing nsi_1d nsi_2d sterile_nue sterile_numu sterile_two_sources light_mediators \
  em_properties neutron_radius; do
  step "study $study"
  "$cevns" scan "configs/studies/$study.json" -o "results/$study.h5" --json "results/$study.json" "$@" \
    | tee "results/$study.txt"
done

# Feldman-Cousins regions from toys (SPEC §11): about 10 s (weak mixing), 40 s (light mediator)
# and 30 s (sterile, 50 x 50 points x 1000 toys) on the CPU backend of a 2-core machine.
for study in fc_weak_mixing fc_light_mediator fc_sterile_nue; do
  step "study $study"
  "$cevns" scan "configs/studies/$study.json" -o "results/$study.h5" --json "results/$study.json" "$@" \
    | tee "results/$study.txt"
done

# The same machinery on the data that exist: COHERENT's releases, where they are on this machine
# (--data-dir, $CEVNS_DATA, or ../shared/data/coherent beside the repository).
fits=()
data_dir=${CEVNS_DATA:-$(cd .. && pwd)/shared/data/coherent}
if [ -d "$data_dir" ]; then
  step "fits to the COHERENT CsI 2017, CsI 2021 and LAr 2020 releases ($data_dir)"
  "$cevns" fit configs/data/csi2017.json configs/data/csi2021.json configs/data/lar2020.json \
    --data-dir "$data_dir" -o results/coherent_fit.h5 --json results/coherent_fit.json "$@" \
    | tee results/coherent_fit.txt
  fits=(results/coherent_fit.h5)
else
  step "no COHERENT data at $data_dir: data fits skipped (scripts/fetch_coherent_data.sh fetches them)"
fi

# The future program (SPEC §12): Ge, NaI, Ar and the CsI 2021 detector at ten times its exposure,
# binned in (PE x time) with the release's response, whose files it reads from the same directory.
if [ -d "$data_dir/csi2021" ]; then
  step "study coherent_future"
  CEVNS_DATA="$data_dir" "$cevns" scan configs/studies/coherent_future.json \
    -o results/coherent_future.h5 --json results/coherent_future.json "$@" | tee results/coherent_future.txt
  fits+=(results/coherent_future.h5)
else
  step "no CsI 2021 release at $data_dir: study coherent_future skipped (its detector response reads it)"
fi

step "figures"
$py scripts/plot.py results/csi_spectrum.h5 results/csi_spectrum_gc.h5 results/weak_mixing.h5 \
  results/nsi_1d.h5 results/nsi_2d.h5 results/sterile_nue.h5 results/sterile_numu.h5 \
  results/sterile_two_sources.h5 \
  results/light_mediators.h5 results/em_properties.h5 results/neutron_radius.h5 \
  results/fc_weak_mixing.h5 results/fc_light_mediator.h5 results/fc_sterile_nue.h5 \
  "${fits[@]+"${fits[@]}"}" -o results/figures

step "summary"
$py scripts/summary.py results -o results/SUMMARY.md
echo "done in $(( $(date +%s) - start )) s: results/SUMMARY.md, results/figures/"
