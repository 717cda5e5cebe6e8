#!/usr/bin/env python3
"""The factorised sterile scan written as vectorised numpy, for comparison with the C++ backends.

Same method and inputs as `scan/cpu/sterile_nue/factorised/1000x1000` in bench_cevns.cpp: the Ar
detector of configs/detectors/ar.json, scenario sys15, one total count, composite Gauss-Legendre
quadrature (7 panels equally spaced in 1/E x 32 nodes in E, 16 nodes in T), response tables included in the timing.
It is also an independent implementation of SPEC §2-7, so its chi^2 grid must agree with the
program's: `--check CEVNS` runs the program on the same grid and compares.

Usage: python3 bench/sterile_numpy.py [--repeat N] [--check PATH_TO_CEVNS] [--bench PATH_TO_CEVNS_BENCH]
       python3 bench/sterile_numpy.py --check-only --check PATH_TO_CEVNS [--check-points N] [--channel nue|numu]
"""
import json
import subprocess
import time

import numpy as np

from numpy_reference import (
    GF, HBARC_CM, HBARC_FM, S2W, ar_study, ar_target, averaged_sin_squared, check_agreement,
    delayed_spectra, e_min, energy_panels, helm, program_dataset, recoil_nodes, reference_arguments,
    sym_fermi, sys15_chi2, t_max)


def chi2_grid(n_points=1000, channel="nue", per_point=False):
    n_th, total = sterile_counts(n_points, channel, per_point)
    return sys15_chi2(n_th, total)


def sterile_counts(n_points=1000, channel="nue", per_point=False):
    """Predicted counts on the (dm2 rows, sin^2 2theta columns) grid and the SM total."""
    ar = ar_target()
    z, n, mass, baseline, t_th, e_p = ar.z, ar.n, ar.mass, ar.baseline, ar.t_th, ar.e_p
    xt, wt = np.polynomial.legendre.leggauss(16)

    # Energy nodes: 7 panels on [E_min(T_th), m_mu/2], equally spaced in 1/E (equal phase).
    energies, e_weights = energy_panels(e_min(t_th, mass), ar.e_max, 7, 32)
    nue, numubar = delayed_spectra(energies)

    def recoil_integral(e):  # ∫ dT kin (Z g_p F_Z + N g_n F_N)^2 over [T_th, T_max(E)], for each E
        e = np.atleast_1d(e)
        a, b = t_th, t_max(e, mass)
        t = recoil_nodes(a, b, xt)
        q = np.sqrt(2 * mass * t) / HBARC_FM
        rms = ar.point_rms  # the Ar config's neutron radius equals it
        coh = z * (0.5 - 2 * S2W) * sym_fermi(q, rms) + n * (-0.5) * helm(q, rms)
        kin = 1 - mass * t / (2 * e[:, None] ** 2)
        return 0.5 * (b - a) * (wt * kin * coh**2).sum(axis=1)

    pref = GF**2 * mass / np.pi * HBARC_CM**2 * ar.nuclei
    r_prompt = ar.eta * pref * recoil_integral(e_p)[0]
    r_delayed = ar.eta * pref * e_weights * recoil_integral(energies)
    r_nue, r_numubar = r_delayed * nue, r_delayed * numubar
    total = r_prompt + r_nue.sum() + r_numubar.sum()

    s22 = np.logspace(-3, 0, n_points)
    dm2 = np.logspace(-2, 2, n_points)
    # <sin^2(1.27 dm2 L / E)> over the detector's baseline spread.
    osc = averaged_sin_squared(1.27 * np.outer(dm2, 1.0 / energies), baseline, ar.spread)
    if channel == "nue":
        depleted, unaffected = r_nue, total - r_nue.sum()
    else:
        depleted, unaffected = r_numubar, total - r_numubar.sum() - r_prompt
        osc_prompt = averaged_sin_squared(1.27 * dm2 / e_p, baseline, ar.spread)
    if per_point:
        # SPEC §9 as written: every grid point sums over the energy nodes,
        # N = Σ_k r_k (1 − sin²2θ sin²(1.27 Δm² L/E_k)), vectorised over blocks of rows.
        n_th = np.empty((n_points, n_points))
        for i in range(0, n_points, 50):
            survival = 1.0 - s22[None, :, None] * osc[i:i + 50, None, :]
            n_th[i:i + 50] = unaffected + survival @ depleted
            if channel == "numu":
                n_th[i:i + 50] += r_prompt * (1.0 - s22[None, :] * osc_prompt[i:i + 50, None])
    else:
        # Linear in sin²2θ: the depletion is tabulated once per Δm² row.
        depletion = osc @ depleted
        if channel == "numu":
            depletion = depletion + r_prompt * osc_prompt
        n_th = total - np.outer(depletion, s22)  # rows: dm2, columns: sin^2 2theta
    return n_th, total


def program_grid(cevns, n_points, channel):
    """The program's chi^2 on the same n_points x n_points grid (rows dm2, columns sin^2 2theta)."""
    study = ar_study("numpy-check", {"recoil_nodes": 16, "energy_nodes": 32, "energy_panels": 7},
                     {"name": "s", "channel": channel, "axes": [
                         {"parameter": "sin2_2theta", "min": 1e-3, "max": 1.0, "points": n_points, "scale": "log"},
                         {"parameter": "dm2_eV2", "min": 1e-2, "max": 1e2, "points": n_points, "scale": "log"}]})
    return program_dataset(cevns, study, "s/Ar/sys15/chi2")


def main():
    ap = reference_arguments(__doc__)
    ap.add_argument("--check-only", action="store_true",
                    help="only compare with the program (--check), on --check-points per axis, no timing")
    ap.add_argument("--check-points", type=int, default=1000, help="points per axis of the check")
    ap.add_argument("--channel", default="nue", choices=["nue", "numu"], help="disappearance channel of the check")
    args = ap.parse_args()
    if args.check_only:
        n = args.check_points
        check_agreement(program_grid(args.check, n, args.channel), chi2_grid(n, args.channel),
                        f" (sterile {args.channel}, {n}x{n})")
        return

    def best_time(**kw):
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            g = chi2_grid(**kw)
            times.append(time.perf_counter() - t0)
        return min(times), g

    t_per_point, grid_pp = best_time(per_point=True)
    t_numpy, grid = best_time()
    assert np.max(np.abs(grid_pp - grid) / np.maximum(np.abs(grid), 1e-3)) < 1e-9
    print(f"numpy, SPEC §9 per-point sums over E nodes, 1000x1000 (Ar, sys15):   {t_per_point * 1e3:7.1f} ms (best of {args.repeat})")
    print(f"numpy, per-row depletion table, linear in sin^2 2theta (same grid):  {t_numpy * 1e3:7.1f} ms")

    if args.check:
        check_agreement(program_grid(args.check, 1000, "nue"), grid)

    if args.bench:
        res = subprocess.run([args.bench, "--benchmark_filter=scan/cpu/sterile_nue/factorised/1000x1000",
                              "--benchmark_min_time=0.5", "--benchmark_format=json"],
                             check=True, capture_output=True, text=True)
        b = json.loads(res.stdout)["benchmarks"][0]
        t_cpp = b["real_time"] * {"ms": 1e-3, "us": 1e-6, "ns": 1e-9, "s": 1.0}[b["time_unit"]]
        print(f"cevns CPU backend (per-row depletion table), same grid:              {t_cpp * 1e3:7.2f} ms")
        print(f"speed-up: {t_per_point / t_cpp:.0f}x over the per-point numpy, {t_numpy / t_cpp:.1f}x over the per-row numpy")


if __name__ == "__main__":
    main()
