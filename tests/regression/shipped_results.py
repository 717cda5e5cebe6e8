#!/usr/bin/env python3
"""Every shipped study and data fit gives the numbers it gave before a change of the engine.

Runs `cevns rates` on every shipped detector, `cevns scan` on every shipped study and `cevns fit`
on the three COHERENT releases (when the data are present), and compares what they report — event
totals, intervals, best fits, sensitivities, exclusions, contour summaries and fingerprints of
every chi^2 grid — with tests/regression/reference.json, written by an earlier version of the
program (`--update` writes it anew; do that only for a change that is meant to move the numbers,
and say so in the commit).

  shipped_results.py CEVNS [--update] [--data-dir DIR]

Exit status 0 when everything agrees (derived numbers to 1e-7 relative + 1e-8, grids to
1e-9 relative + 1e-10), 1 when something moved (each difference printed). Without the COHERENT
data the fits are reported as not compared and the rest still runs.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REFERENCE = os.path.join(ROOT, "tests", "regression", "reference.json")
DETECTORS = ["csi", "ge72", "ge_natural", "nai", "ar"]
# The Feldman-Cousins studies are Monte Carlo, but deterministic given their seed (Philox keyed by
# seed, point and toy): their critical values are compared like any grid.
STUDIES = ["weak_mixing", "nsi_1d", "nsi_2d", "sterile_nue", "sterile_numu", "light_mediators",
           "em_properties", "neutron_radius", "fc_weak_mixing", "fc_light_mediator", "fc_sterile_nue",
           "sterile_two_sources"]
FITS = ["csi2017", "csi2021", "lar2020"]
# Studies that read release files (a detector response of configs/studies/coherent_future.json):
# run with CEVNS_DATA set when the data are present, reported as not compared otherwise.
DATA_STUDIES = ["coherent_future"]


def run(cmd, env=None):
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True,
                       env=None if env is None else dict(os.environ, **env))
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stderr}")
    return r.stdout


def fingerprint(values):
    """A few numbers that change when any value of a grid changes (NaN-free grids)."""
    v = np.asarray(values, dtype=float).ravel()
    idx = np.linspace(0, v.size - 1, 17).astype(int)
    w = np.cos(np.arange(v.size) * 0.7548776662466927)  # fixed, irregular weights
    return {"n": int(v.size), "sum": float(v.sum()), "sum_sq": float((v * v).sum()),
            "weighted": float((w * v).sum()), "min": float(v.min()),
            "argmin": int(v.argmin()), "samples": [float(v[i]) for i in idx]}


def contour_summary(contours):
    pts = [(x, y) for c in contours for x, y in zip(c["x"], c["y"])]
    if not pts:
        return {"polylines": 0}
    a = np.array(pts)
    return {"polylines": len(contours), "closed": sum(bool(c["closed"]) for c in contours),
            "bbox": [float(a[:, 0].min()), float(a[:, 0].max()), float(a[:, 1].min()),
                     float(a[:, 1].max())],
            "centroid": [float(a[:, 0].mean()), float(a[:, 1].mean())]}


def summarise_scan_json(entries):
    out = {}
    for e in entries:
        key = f"{e['scan']}/{e['detector']}/{e['scenario']}"
        s = {k: e[k] for k in ("best_fit", "chi2_min", "intervals", "sensitivity_percent",
                               "exclusion", "allowed_bands", "upper_limit",
                               "expected_limit_bands") if k in e}
        if "contours" in e:
            s["contours"] = contour_summary(e["contours"])
        out[key] = s
    return out


def grids(path):
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset) and name.endswith("/chi2"):
                out[name[:-5]] = fingerprint(obj[()])
            elif isinstance(obj, h5py.Dataset) and name.endswith("/critical_delta_chi2"):
                out[name[:-len("/critical_delta_chi2")] + " critical"] = fingerprint(obj[()])
        f.visititems(visit)
    return out


def collect(cevns, data_dir):
    result = {"rates": {}, "studies": {}, "fits": None, "data_studies": None}
    for d in DETECTORS:
        result["rates"][d] = json.loads(run([cevns, "rates", f"configs/detectors/{d}.json", "--json"]))
    with tempfile.TemporaryDirectory() as tmp:
        for s in STUDIES:
            h5, js = os.path.join(tmp, s + ".h5"), os.path.join(tmp, s + ".json")
            run([cevns, "scan", f"configs/studies/{s}.json", "-o", h5, "--json", js, "-q"])
            with open(js) as f:
                result["studies"][s] = {"table": summarise_scan_json(json.load(f)), "grids": grids(h5)}
        if data_dir and os.path.isdir(os.path.join(data_dir, "csi2021")):
            result["data_studies"] = {}
            for s in DATA_STUDIES:
                h5, js = os.path.join(tmp, s + ".h5"), os.path.join(tmp, s + ".json")
                run([cevns, "scan", f"configs/studies/{s}.json", "-o", h5, "--json", js, "-q"],
                    env={"CEVNS_DATA": os.path.abspath(data_dir)})
                with open(js) as f:
                    result["data_studies"][s] = {"table": summarise_scan_json(json.load(f)),
                                                 "grids": grids(h5)}
        if data_dir and all(os.path.isdir(os.path.join(data_dir, r)) for r in FITS):
            h5, js = os.path.join(tmp, "fit.h5"), os.path.join(tmp, "fit.json")
            run([cevns, "fit"] + [f"configs/data/{r}.json" for r in FITS] +
                ["--data-dir", data_dir, "-o", h5, "--json", js])
            with open(js) as f:
                fit = json.load(f)
            for block in fit["data_sets"] + ([fit["combined"]] if "combined" in fit else []):
                # Provenance text naming the data directory, not a result (tests/python/test_flux_table.py).
                block.pop("flux_source", None)
                block.get("flux_averaged_cross_section_cm2", {}).pop("flux_source", None)
                for plane in block.get("planes", {}).values():
                    plane["contours"] = contour_summary(plane["contours"])
            result["fits"] = {"table": fit, "grids": grids(h5)}
    return result


def compare(ref, got, path, tol, problems):
    if isinstance(ref, dict) and isinstance(got, dict):
        for k in sorted(set(ref) | set(got)):
            if k not in got:
                problems.append(f"{path}/{k}: missing now")
            elif k not in ref:
                problems.append(f"{path}/{k}: new, not in the reference")
            elif k == "weighted" and "sum" in ref:
                # A sum with cancelling weights: its rounding is that of the plain sum's terms.
                compare(ref[k], got[k], f"{path}/{k}", (0.0, 1e-9 * abs(ref["sum"]) + 1e-10), problems)
            else:
                grid = k in ("sum", "sum_sq", "min", "samples")
                compare(ref[k], got[k], f"{path}/{k}", (1e-9, 1e-10) if grid else tol, problems)
    elif isinstance(ref, list) and isinstance(got, list):
        if len(ref) != len(got):
            problems.append(f"{path}: {len(ref)} entries before, {len(got)} now")
        for i, (a, b) in enumerate(zip(ref, got)):
            compare(a, b, f"{path}/{i}", tol, problems)
    elif isinstance(ref, (int, float)) and isinstance(got, (int, float)) and \
            not isinstance(ref, bool) and not isinstance(got, bool):
        if math.isnan(ref) and math.isnan(got):
            return
        rtol, atol = tol
        if not abs(ref - got) <= rtol * max(abs(ref), abs(got)) + atol:
            problems.append(f"{path}: {ref!r} before, {got!r} now")
    elif ref != got:
        problems.append(f"{path}: {ref!r} before, {got!r} now")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("cevns")
    ap.add_argument("--update", action="store_true", help="write the reference anew")
    ap.add_argument("--data-dir", default=os.path.join(os.path.dirname(ROOT), "shared", "data", "coherent"))
    args = ap.parse_args()
    got = collect(os.path.abspath(args.cevns), args.data_dir)
    if args.update:
        with open(REFERENCE, "w") as f:
            json.dump(got, f, indent=1, sort_keys=True)
            f.write("\n")
        print(f"wrote {REFERENCE}")
        return 0
    with open(REFERENCE) as f:
        ref = json.load(f)
    problems = []
    if got["fits"] is None or ref["fits"] is None:
        print("fits not compared: the COHERENT data are not at " + args.data_dir)
        ref = dict(ref, fits=None)
        got = dict(got, fits=None)
    if got.get("data_studies") is None or ref.get("data_studies") is None:
        why = ("the COHERENT data are not at " + args.data_dir if got.get("data_studies") is None
               else "the reference has none")
        print("studies on release files not compared (" + ", ".join(DATA_STUDIES) + "): " + why)
        ref = dict(ref, data_studies=None)
        got = dict(got, data_studies=None)
    compare(ref, got, "", (1e-7, 1e-8), problems)
    for p in problems:
        print(p)
    n = sum(len(s["grids"]) for s in got["studies"].values())
    n += sum(len(s["grids"]) for s in (got.get("data_studies") or {}).values())
    print(f"{len(problems)} differences ({len(got['rates'])} detectors, {len(got['studies'])} studies "
          f"with {n} grids{', 3 data fits' if got['fits'] else ''} compared)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
