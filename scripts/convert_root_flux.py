#!/usr/bin/env python3
"""Converts the SNS neutrino flux of the CsI 2021 release (snsFlux2D.root, COHERENT's flux
simulation, arXiv:2109.11049) into the text table that `cevns fit` reads (host/data/flux_table.hpp).

    scripts/convert_root_flux.py DATA/csi2021/snsFlux2D.root DATA/csi2021/snsFlux2D.txt

The ROOT file holds one 2-D histogram per flavour, convolved_energy_time_of_{nu_e, anti_nu_e,
nu_mu, anti_nu_mu}, with arrival time on its first axis (ns) and neutrino energy on its second
(MeV). The table has one row per (time bin, energy bin), time slowest:

    time_lo_us time_hi_us energy_lo_MeV energy_hi_MeV nu_e anti_nu_e nu_mu anti_nu_mu

after comment lines naming the source file and its SHA-256. Needs uproot (scripts/requirements.txt).
Exit status 2, with one line naming the file and what was expected, on a file that is not such a
ROOT file; nothing is written then.
"""
import argparse
import hashlib
import os
import sys

import numpy as np

FLAVOURS = ("nu_e", "anti_nu_e", "nu_mu", "anti_nu_mu")
PREFIX = "convolved_energy_time_of_"


def fail(path, message):
    print(f"convert_root_flux: {path}: {message}", file=sys.stderr)
    sys.exit(2)


def read_histograms(path, time_unit_us):
    import uproot  # imported here so that --help works without it

    try:
        f = uproot.open(path)
    except Exception as e:  # uproot raises several kinds for a file that is not ROOT
        fail(path, f"expected a ROOT file ({e.__class__.__name__}: {e})")
    time_edges = energy_edges = None
    contents = {}
    with f:
        for flavour in FLAVOURS:
            name = PREFIX + flavour
            if name not in f:
                fail(path, f"expected a 2-D histogram {name} (keys: {', '.join(f.keys())})")
            h = f[name]
            if not hasattr(h, "axis") or len(getattr(h, "values")().shape) != 2:
                fail(path, f"{name}: expected a 2-D histogram (TH2), got {h.classname}")
            t, e = h.axis(0).edges(), h.axis(1).edges()
            if time_edges is None:
                time_edges, energy_edges = t, e
            elif not (np.array_equal(t, time_edges) and np.array_equal(e, energy_edges)):
                fail(path, f"{name}: expected the same binning as {PREFIX}{FLAVOURS[0]}")
            v = np.asarray(h.values(), dtype=float)
            if not np.all(np.isfinite(v)) or np.any(v < 0):
                fail(path, f"{name}: expected finite, non-negative contents")
            contents[flavour] = v
    if energy_edges[0] < 0:
        fail(path, f"expected energies >= 0 MeV on the second axis, got {energy_edges[0]}")
    return time_edges * time_unit_us, energy_edges, contents


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("root_file")
    ap.add_argument("output", help="the text table (written only when the conversion succeeds)")
    ap.add_argument("--time-unit-ns", type=float, default=1.0,
                    help="ns per unit of the histograms' time axis (default 1: the axis is in ns)")
    args = ap.parse_args()
    if not os.path.isfile(args.root_file):
        fail(args.root_file, "no such file")
    time_edges, energy_edges, contents = read_histograms(args.root_file, args.time_unit_ns * 1e-3)
    with open(args.root_file, "rb") as fh:
        digest = hashlib.sha256(fh.read()).hexdigest()
    nt, ne = len(time_edges) - 1, len(energy_edges) - 1
    tl = np.repeat(time_edges[:-1], ne)
    th = np.repeat(time_edges[1:], ne)
    el = np.tile(energy_edges[:-1], nt)
    eh = np.tile(energy_edges[1:], nt)
    table = np.column_stack([tl, th, el, eh] + [contents[f].reshape(-1) for f in FLAVOURS])
    header = "\n".join([
        "SNS neutrino flux per flavour in arrival time x neutrino energy (COHERENT, arXiv:2109.11049)",
        f"converted by scripts/convert_root_flux.py from {os.path.basename(args.root_file)} "
        f"(sha256 {digest}), histograms {PREFIX}<flavour>",
        "time_lo_us time_hi_us energy_lo_MeV energy_hi_MeV " + " ".join(FLAVOURS),
    ])
    tmp = args.output + ".partial"
    np.savetxt(tmp, table, fmt="%.10g", header=header)
    os.replace(tmp, args.output)
    print(f"{args.output}: {nt} time bins x {ne} energy bins, {len(table)} rows")


if __name__ == "__main__":
    main()
