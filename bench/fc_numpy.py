#!/usr/bin/env python3
"""The Feldman-Cousins toy loop (SPEC §11) written as vectorised numpy, beside the C++ backends.

Same loop as `fc/cpu/...` in bench_cevns.cpp, on the same grids and statistic (Ar detector, one
total count, scenario sys15: both pulls free, closed-form 2x2 minimisation of SPEC §7):
for every true grid point, toys with a Poisson count around the prediction (nuisances at their
best fit to the Asimov data, all zero there) and Gaussian constraint centres, the chi^2 of every
toy at every grid point, t = chi^2(true point) - min over the grid, and the 90% quantile.

  1-D: sin^2(theta_W) on [0.22, 0.26], 200 points x 10^4 toys; the predicted counts come from the
       program (`cevns scan` writes them as `predicted_counts`).
  2-D: sterile nu_e on the forecast's log axes at 50 x 50 points x 1000 toys; the counts come
       from bench/sterile_numpy.py (an independent implementation of SPEC §2-7).

numpy draws its own random numbers (not Philox), so the critical values agree with the program's
within Monte Carlo error only; the 2-D loop is timed on --true-points of the 2500 true points and
scaled to all of them (every true point costs the same).

Usage: python3 bench/fc_numpy.py CEVNS [--bench CEVNS_BENCH] [--true-points N]
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sterile_numpy  # noqa: E402
from numpy_reference import ar_study, program_dataset  # noqa: E402

SIGMA_ALPHA, SIGMA_BETA, F_BG = 0.15, 0.10, 0.10


def critical_values(n_th, n_exp, n_bg, toys, true_points, rng, cl=0.9):
    """t_c at the given true points of a grid of predicted counts n_th (flattened)."""
    w = 1.0 / n_exp
    ia, ib = 1 / SIGMA_ALPHA**2, 1 / SIGMA_BETA**2
    tt, tg, gg = w * n_th * n_th, w * n_th * n_bg, w * n_bg * n_bg
    a11, a22, a12 = tt + ia, gg + ib, tg
    det = a11 * a22 - a12 * a12
    # Best-fit pulls at each true point against the Asimov data (closed form).
    r0 = n_exp - n_th - n_bg
    b1, b2 = w * r0 * n_th, w * r0 * n_bg
    alpha_hat, beta_hat = (a22 * b1 - a12 * b2) / det, (a11 * b2 - a12 * b1) / det
    out = []
    for p in true_points:
        mean = max((1 + alpha_hat[p]) * n_th[p] + (1 + beta_hat[p]) * n_bg, 0.0)
        n = rng.poisson(mean, toys).astype(float)[:, None]
        ca = rng.normal(alpha_hat[p], SIGMA_ALPHA, toys)[:, None]
        cb = rng.normal(beta_hat[p], SIGMA_BETA, toys)[:, None]
        r = n - n_th[None, :] - n_bg
        c1 = w * r * n_th[None, :] + ia * ca
        c2 = w * r * n_bg + ib * cb
        chi2 = w * r * r + ia * ca * ca + ib * cb * cb - (a22 * c1 * c1 - 2 * a12 * c1 * c2 + a11 * c2 * c2) / det
        t = chi2[:, p] - chi2.min(axis=1)
        out.append(np.quantile(t, cl, method="inverted_cdf"))
    return np.array(out)


def program_counts_1d(cevns):
    study = ar_study("fc-numpy", {"recoil_nodes": 32, "energy_nodes": 32, "energy_panels": 1},
                     {"name": "w", "axes": [{"parameter": "sin2_theta_W", "min": 0.22, "max": 0.26,
                                             "points": 200}]})
    return program_dataset(cevns, study, "w/Ar/sys15/predicted_counts")[:, 0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cevns", help="path to the cevns binary (predicted counts of the 1-D grid)")
    ap.add_argument("--bench", help="path to cevns_bench: time the C++ loops in the same run")
    ap.add_argument("--true-points", type=int, default=250,
                    help="true points of the 2-D grid timed in numpy (scaled to 2500)")
    args = ap.parse_args()
    rng = np.random.default_rng(1)

    counts = program_counts_1d(args.cevns)
    total = counts[np.argmin(np.abs(np.linspace(0.22, 0.26, 200) - 0.23865))]
    t0 = time.perf_counter()
    tc = critical_values(counts, total * (1 + F_BG), F_BG * total, 10000, range(200), rng)
    t_1d = time.perf_counter() - t0
    print(f"numpy 1-D sin^2 theta_W, 200 points x 10^4 toys:      {t_1d:8.2f} s "
          f"(t_c from {tc.min():.2f} to {tc.max():.2f})")

    n_th, sm_total = sterile_numpy.sterile_counts(50, "nue")
    n_th = n_th.ravel()  # dm2 rows, sin^2 2theta fastest: the program's point order
    sel = np.linspace(0, n_th.size - 1, args.true_points).astype(int)
    t0 = time.perf_counter()
    critical_values(n_th, sm_total * (1 + F_BG), F_BG * sm_total, 1000, sel, rng)
    t_2d = (time.perf_counter() - t0) * n_th.size / len(sel)
    print(f"numpy 2-D sterile nu_e, 50x50 points x 1000 toys:      {t_2d:8.2f} s "
          f"(timed on {len(sel)} true points, scaled)")

    if args.bench:
        res = subprocess.run([args.bench, "--benchmark_filter=fc/cpu/", "--benchmark_format=json"],
                             check=True, capture_output=True, text=True)
        for b in json.loads(res.stdout)["benchmarks"]:
            t = b["real_time"] * {"ms": 1e-3, "us": 1e-6, "ns": 1e-9, "s": 1.0}[b["time_unit"]]
            ref = t_1d if "sin2_theta_W" in b["name"] else t_2d
            print(f"cevns {b['name']}: {t:8.2f} s ({b['items_per_second']:.3g} toys/s), "
                  f"{ref / t:.1f}x the numpy loop")


if __name__ == "__main__":
    main()
