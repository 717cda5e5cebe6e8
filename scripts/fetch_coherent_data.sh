#!/usr/bin/env bash
# Downloads COHERENT's public data releases for `cevns fit`, with checksum verification, into
# DEST/{csi2017,csi2021,lar2020}/ (outside the repository: the data are never committed).
#
#   scripts/fetch_coherent_data.sh DEST          download and verify
#   scripts/fetch_coherent_data.sh --verify DIR  verify existing copies, download nothing
#
# Then: cevns fit configs/data/csi2017.json --data-dir DEST (or export CEVNS_DATA=DEST).
#
# Sources (cite the papers when using the data):
#   CsI 2017  Zenodo record 1228631 (arXiv:1804.09459)     provider MD5 from the record's metadata
#   LAr 2020  Zenodo record 3903810 (arXiv:2006.12659)     provider MD5 from the record's metadata
#   CsI 2021  arXiv:2110.07730v2 ancillary files            no provider checksum exists
# Every file is also checked against the SHA-256 of the copies this project was validated with
# (list below). A Zenodo file whose provider MD5 matches but whose SHA-256 differs from that list is
# kept and reported: the validated copies of a few CsI 2017 files were reformatted by the
# repositories that vendored them (see the data's PROVENANCE.md), so the official bytes differ.
set -euo pipefail

usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[ $# -ge 1 ] || usage

# SHA-256 of the validated copies.
PINS=$(cat <<'PINS_END'
6d8b4054173ca7d4f612b2ead7ce563e99eb99af9f4fc8d7b8b47c06cd5b640f  csi2017/arrivalTimePDF_delayedNeutrinos.txt
2c92dd58f1366b7844e6ea0c73f016069a2c9b7d4538374259c00c370b9eb66a  csi2017/arrivalTimePDF_promptNeutrinos.txt
f3992ea6d88a3da80f5134a00e4a7b784c119c9adeed9bc9649f4134e203fb11  csi2017/arrivalTimePDF_promptNeutrons.txt
daa4f3feaeb5499cb1d876f8ea39f3cfd571f998a6ab92e9cdf552afc78b67e8  csi2017/coherent_parameters.yaml
efc91013ae0859631882513155761b423ddd08cb5062b6dfd9c17a7bd34f1e7d  csi2017/data_anticoincidence_beamOff.txt
8b180f9395dc8886f8be02f619e35903f151f8b15f7cbc5a0171ac7e59e59523  csi2017/data_anticoincidence_beamOn.txt
47e7904cd55929f6f84e9a58567b223cfcd6741af38f8b54091bbcc8756e9ae8  csi2017/data_coincidence_beamOff.txt
f9e8b795a48eb1f3a22cdca33cad978e5dc17fe56ea8f6a0bf32d18967051765  csi2017/data_coincidence_beamOn.txt
6e74171096abb2e9a3fac3c1b1c85f3973501627b88b2a83de7e7e5121601efa  csi2017/promptPDF.txt
31046d48092e619eb84f06acdf09ea8e86c642da6aa368c10fe338480b90a04f  csi2017/qfData_chicago.txt
9e3c83e669c52be27ce47d588bbeb5d5400fadbc5625c41aa665d03c99186f94  csi2017/qfData_tunl.txt
0000b042b8d0d28b90370eb70d1409db1d8c510fcf2b3e636370b0d4443ac0b0  csi2021/brnPE.txt
6f279d835242a868dfc048abaa42b8c400bf961036de7bc7e64636efdd46466f  csi2021/brnTrec.txt
f530d4a50e889333ada0e739db2e36d7f9f3b783822c8c6e932dae88ce071639  csi2021/dataBeamOnAC.txt
0a188a0291af06dd023d966d1c9fea7a82ec32d8c1a10750fd09c2b17f10a749  csi2021/dataBeamOnC.txt
f1e58e6b8ec4db53da3be21fe44ebc4621e9b248b920be09759b1000dada8c51  csi2021/effCoefficients.txt
41cae0376003cc2dcd028a3913e7c16395471f612b56d311f80e2a6071c9950c  csi2021/ninPE.txt
2bb034d648b312f4ee329ae95078dc748ff3f83b999c411b08f86d82ddf8e151  csi2021/ninTrec.txt
ea6b8f34b296bf6e99f2a4ac504030d99155daba3e3c252f51c87d2470319d13  csi2021/scintRespCoefficients.txt
21ce25451c1ed552752ff4a22496deab3ff5dba178bf360813eaff1d25be89e2  lar2020/CENNS10AnlAEfficiency.txt
a206a77220436d0173c4783ae8fddeab97adf5e144f3d65005eff0870257693e  lar2020/LArParametersAnlA.yaml
36c89291dde3032a19ca7a8e64510d036d7b40c34b0805ce475a13ccfa739dd1  lar2020/bkgpdf.txt
7f06099e1bba0d2e328555c61cb255bb290607a44202327d29eb3ae3e05c1cd5  lar2020/brnpdf+1sigBRNTimingMean.txt
fb6fdaf99c9941653d33e1a909d8000b81c1ee9bb8e8ad3bf31839561faf6661  lar2020/brnpdf+1sigEnergy.txt
b5c1c8d0cb8b2319d093d38418da5ac2ccda59108755fb23e7f4a559cfe154f8  lar2020/brnpdf-1sigBRNTimingMean.txt
20bcad29e716f3fb0f1e9eeb8ffb049b4b3d8b3b3a150800b9c8711e2b177be6  lar2020/brnpdf-1sigEnergy.txt
02664ce6a84eca8c6146b6502497bc5d8165df945da132193622334ff4ff826f  lar2020/brnpdf.txt
304dba1553989d7c0cd3f745df9731a5306ec07ecc1044c20efbe2952707b270  lar2020/brnpdfBRNTimingWidthSyst.txt
308f78e19b7fb3e54399dc29c207bd2a89b91825df5309d48068a3495e1c92e2  lar2020/cevnspdf+1sigF90.txt
b4e8071f87aa22a562e0c00654a0989915251acf2c7e569068b9b78c3ae5ac35  lar2020/cevnspdf-1sigF90.txt
3b1d5b25749e8d8e1cfdf5c32e48f026ce4aafec0a80632b3a63273e6e0e1f37  lar2020/cevnspdf.txt
3170dafd4cf44df35bde0795e1245606d8144c05f3e50f015648c57bcdba97f5  lar2020/cevnspdfCEvNSTimingMeanSyst.txt
dabf3d80f13959f4b94b77c9b56f7347a645105801e8cc177424e7ffcf7c7f66  lar2020/datanobkgsub.txt
ebccca6c1650b0ace71fdbaade7a80ea289a99ff3c120266ae6ecf0083df5c63  lar2020/delbrnpdf.txt
d691284e875fb24e72787016f118c171974ca68fa6005da7ea653ca66059aa04  lar2020/energydata1d.txt
e82988ec2fdb871f21850ceea866213310ee81dca656ee4448282748037f1579  lar2020/f90data1d.txt
09fd74b1bc242f1638dae465eefc97e374a2e6efa0aaa1b4452f1ee20dd42aed  lar2020/systerrors1denergy.txt
a553c63ce5861d63c139aa18d3ece0f5e9d32be2029eb2a7474b8e4e39000c0f  lar2020/systerrors1dpsd.txt
a7719f21aa5c8820f6ed65d385d7ba14f55631976a6ca289d8685081599529be  lar2020/systerrors1dtime.txt
fb1054fac8baf2f527b51e6bd45e4341da45fe80dadce815a3d1cad08d729554  lar2020/timingdata1d.txt
PINS_END
)

verify_dir() {
  local dir=$1 ok=0 bad=0 missing=0
  while read -r sum rel; do
    [ -n "$rel" ] || continue
    if [ ! -f "$dir/$rel" ]; then
      echo "missing   $rel"; missing=$((missing + 1)); continue
    fi
    if [ "$(sha256sum "$dir/$rel" | cut -d' ' -f1)" = "$sum" ]; then
      ok=$((ok + 1))
    else
      echo "differs   $rel"; bad=$((bad + 1))
    fi
  done <<< "$PINS"
  echo "verified $ok files against the validated copies, $bad differ, $missing missing"
  [ "$bad" -eq 0 ] && [ "$missing" -eq 0 ]
}

if [ "$1" = "--verify" ]; then
  [ $# -eq 2 ] || usage
  verify_dir "$2"
  exit $?
fi

dest=$1
command -v curl >/dev/null || { echo "fetch_coherent_data: curl is needed" >&2; exit 2; }
mkdir -p "$dest"

# A Zenodo record: every file listed by the record's API, checked against the MD5 it publishes,
# archives unpacked, the release's files gathered flat into DEST/NAME.
fetch_zenodo() {
  local record=$1 name=$2 tmp
  tmp=$(mktemp -d)
  echo "== $name: Zenodo record $record"
  curl -fsSL "https://zenodo.org/api/records/$record" -o "$tmp/record.json"
  python3 - "$tmp/record.json" > "$tmp/files.tsv" <<'PY'
import json, sys
rec = json.load(open(sys.argv[1]))
for f in rec["files"]:
    algo, _, digest = f["checksum"].partition(":")
    print(f["key"], algo, digest, f["links"]["self"], sep="\t")
PY
  while IFS=$'\t' read -r key algo digest url; do
    curl -fsSL "$url" -o "$tmp/$key"
    got=$(${algo}sum "$tmp/$key" | cut -d' ' -f1)
    if [ "$got" != "$digest" ]; then
      echo "fetch_coherent_data: $key: $algo $got does not match the record's $digest" >&2
      exit 1
    fi
    echo "  $key: $algo ok"
    case "$key" in
      *.zip) (cd "$tmp" && python3 -m zipfile -e "$key" unpacked/) ;;
      *.tar.gz|*.tgz) mkdir -p "$tmp/unpacked" && tar -xzf "$tmp/$key" -C "$tmp/unpacked" ;;
    esac
  done < "$tmp/files.tsv"
  mkdir -p "$dest/$name"
  while read -r sum rel; do
    case "$rel" in "$name"/*) ;; *) continue ;; esac
    base=${rel#"$name"/}
    found=$(find "$tmp" -type f -name "$base" | head -n 1)
    [ -n "$found" ] && cp "$found" "$dest/$name/$base"
  done <<< "$PINS"
  rm -rf "$tmp"
}

fetch_arxiv_anc() {
  local name=csi2021
  echo "== $name: arXiv:2110.07730v2 ancillary files"
  mkdir -p "$dest/$name"
  while read -r sum rel; do
    case "$rel" in "$name"/*) ;; *) continue ;; esac
    base=${rel#"$name"/}
    curl -fsSL "https://arxiv.org/src/2110.07730v2/anc/$base" -o "$dest/$name/$base"
  done <<< "$PINS"
}

# The CsI 2021 release's simulated SNS flux (energy x time per flavour, ROOT format): best effort.
# Converted to the text table that configs/data/csi2021.json names ("flux") with
# scripts/convert_root_flux.py (uproot, scripts/requirements.txt). Without it the fits use the
# analytic pi-DAR spectra and the config's timing model, and say so.
fetch_sns_flux() {
  local dir="$dest/csi2021" py
  py=$(dirname "$0")/../.venv/bin/python3
  [ -x "$py" ] || py=python3
  echo "== csi2021: snsFlux2D.root (optional)"
  if ! curl -fsSL "https://arxiv.org/src/2110.07730v2/anc/snsFlux2D.root" -o "$dir/snsFlux2D.root.partial"; then
    rm -f "$dir/snsFlux2D.root.partial"
    echo "  snsFlux2D.root could not be downloaded: the fits will use the analytic pi-DAR spectra"
    return 0
  fi
  mv "$dir/snsFlux2D.root.partial" "$dir/snsFlux2D.root"
  if "$py" "$(dirname "$0")/convert_root_flux.py" "$dir/snsFlux2D.root" "$dir/snsFlux2D.txt"; then
    echo "  snsFlux2D.txt written: the CsI 2021 fits use the simulated flux"
  else
    echo "  snsFlux2D.root not converted (uproot missing or the file unreadable): the fits will use the analytic pi-DAR spectra"
  fi
}

fetch_zenodo 1228631 csi2017
fetch_zenodo 3903810 lar2020
fetch_arxiv_anc
fetch_sns_flux
if verify_dir "$dest"; then
  echo "all files match the validated copies"
else
  echo "some files differ from the validated copies (expected for a few CsI 2017 files; see above)"
fi
