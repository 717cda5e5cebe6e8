#!/usr/bin/env python3
"""The factorised sterile scan written as vectorised numpy, for comparison with the C++ backends.

Same method and inputs as `scan/cpu/sterile_nue/factorised/1000x1000` in bench_cevns.cpp: the Ar
detector of configs/detectors/ar.json, scenario sys15, one total count, composite Gauss-Legendre
quadrature (7 panels equally spaced in 1/E x 32 nodes in E, 16 nodes in T), response tables included in the timing.
It is also an independent implementation of SPEC §2-7, so its chi^2 grid must agree with the
program's: `--check CEVNS` runs the program on the same grid and compares.

Usage: python3 bench/sterile_numpy.py [--repeat N] [--check PATH_TO_CEVNS] [--bench PATH_TO_CEVNS_BENCH]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

GF = 1.1663787e-11  # MeV^-2
HBARC_FM = 197.3269804
HBARC_CM = 197.3269804e-13
M_PI, M_MU, U, M_E, N_A = 139.57039, 105.6583755, 931.49410242, 0.51099895, 6.02214076e23
S2W = 0.23865


def helm(q, rms, s=0.9):
    r0 = np.sqrt(5.0 / 3.0 * (rms**2 - 3 * s**2))
    x = q * r0
    return 3 * (np.sin(x) - x * np.cos(x)) / x**3 * np.exp(-(q * s) ** 2 / 2)


def sym_fermi(q, rms, a=0.52):
    c = np.sqrt(5.0 / 3.0 * (rms**2 - 7.0 / 5.0 * np.pi**2 * a**2))
    qc, pqa = q * c, np.pi * q * a
    return 3 / (qc * (qc**2 + pqa**2)) * (pqa / np.sinh(pqa)) * ((pqa / np.tanh(pqa)) * np.sin(qc) - qc * np.cos(qc))


def chi2_grid(n_points=1000, channel="nue", per_point=False):
    n_th, total = sterile_counts(n_points, channel, per_point)
    return sys15_chi2(n_th, total)


def sterile_counts(n_points=1000, channel="nue", per_point=False):
    """Predicted counts on the (dm2 rows, sin^2 2theta columns) grid and the SM total."""
    det = json.load(open(os.path.join(ROOT, "configs/detectors/ar.json")))
    iso = det["isotopes"][0]
    z, n = iso["Z"], iso["N"]
    mass = iso["atomic_mass_u"] * U - z * M_E
    nuclei = N_A * det["mass_kg"] * 1000.0 / iso["atomic_mass_u"]
    baseline = det["baseline_m"]
    eta = 0.08 * 1.76e23 / (4 * np.pi * (baseline * 100.0) ** 2)
    t_th = det["threshold_keV"] * 1e-3
    e_p = (M_PI**2 - M_MU**2) / (2 * M_PI)
    e_max = M_MU / 2

    tmax = lambda e: 2 * e**2 / (mass + 2 * e)
    emin = lambda t: 0.5 * (t + np.sqrt(t * t + 2 * mass * t))
    xt, wt = np.polynomial.legendre.leggauss(16)
    xe, we = np.polynomial.legendre.leggauss(32)

    # Energy nodes: 7 panels on [E_min(T_th), m_mu/2], equally spaced in 1/E (equal phase).
    edges = 1.0 / np.linspace(1.0 / emin(t_th), 1.0 / e_max, 8)
    edges[-1] = e_max
    lo, half = edges[:-1, None], 0.5 * np.diff(edges)[:, None]
    energies = (lo + half * (1 + xe)).ravel()
    e_weights = (half * we).ravel()
    nue = 192 * energies**2 / M_MU**3 * (0.5 - energies / M_MU)
    numubar = 64 * energies**2 / M_MU**3 * (0.75 - energies / M_MU)

    def recoil_integral(e):  # ∫ dT kin (Z g_p F_Z + N g_n F_N)^2 over [T_th, T_max(E)], for each E
        e = np.atleast_1d(e)
        a, b = t_th, tmax(e)
        t = 0.5 * (a + b)[:, None] + 0.5 * (b - a)[:, None] * xt
        q = np.sqrt(2 * mass * t) / HBARC_FM
        # Point-proton radius from the charge radius (r_p = 0.8409 fm, <r_n^2> = -0.1161 fm^2);
        # the Ar config's neutron radius equals it.
        rms = np.sqrt(iso["charge_radius_fm"] ** 2 - 0.8409**2 + n / z * 0.1161)
        coh = z * (0.5 - 2 * S2W) * sym_fermi(q, rms) + n * (-0.5) * helm(q, rms)
        kin = 1 - mass * t / (2 * e[:, None] ** 2)
        return 0.5 * (b - a) * (wt * kin * coh**2).sum(axis=1)

    pref = GF**2 * mass / np.pi * HBARC_CM**2 * nuclei
    r_prompt = eta * pref * recoil_integral(e_p)[0]
    r_delayed = eta * pref * e_weights * recoil_integral(energies)
    r_nue, r_numubar = r_delayed * nue, r_delayed * numubar
    total = r_prompt + r_nue.sum() + r_numubar.sum()

    s22 = np.logspace(-3, 0, n_points)
    dm2 = np.logspace(-2, 2, n_points)
    osc = np.sin(1.27 * np.outer(dm2, baseline / energies)) ** 2
    if channel == "nue":
        depleted, unaffected = r_nue, total - r_nue.sum()
    else:
        depleted, unaffected = r_numubar, total - r_numubar.sum() - r_prompt
        osc_prompt = np.sin(1.27 * dm2 * baseline / e_p) ** 2
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


def sys15_chi2(n_th, total):
    # Closed-form pulls (SPEC §7), one total count, sys15.
    sa, sb = 0.15, 0.10
    n_bg = 0.1 * total
    n_exp = total + n_bg
    w = 1 / n_exp
    r = n_exp - n_th - n_bg
    rr, tt, rt = w * r * r, w * n_th * n_th, w * r * n_th
    gg, tg, rg = w * n_bg * n_bg, w * n_th * n_bg, w * r * n_bg
    a11, a22 = tt + 1 / sa**2, gg + 1 / sb**2
    det_ = a11 * a22 - tg * tg
    return rr - (a22 * rt * rt - 2 * tg * rt * rg + a11 * rg * rg) / det_


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--check", help="path to the cevns binary: compare chi^2 grids")
    ap.add_argument("--bench", help="path to cevns_bench: time the C++ path in the same run")
    args = ap.parse_args()

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
        study = {
            "name": "numpy-check", "detectors": [os.path.join(ROOT, "configs/detectors/ar.json")],
            "scenarios": ["sys15"],
            "quadrature": {"recoil_nodes": 16, "energy_nodes": 32, "energy_panels": 7},
            "scans": [{"name": "s", "channel": "nue", "axes": [
                {"parameter": "sin2_2theta", "min": 1e-3, "max": 1.0, "points": 1000, "scale": "log"},
                {"parameter": "dm2_eV2", "min": 1e-2, "max": 1e2, "points": 1000, "scale": "log"}]}]}
        import h5py
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "study.json")
            json.dump(study, open(path, "w"))
            out = os.path.join(tmp, "out.h5")
            subprocess.run([args.check, "scan", path, "-o", out, "-q", "--backend", "cpu"], check=True,
                           stdout=subprocess.DEVNULL)
            with h5py.File(out) as f:
                chi2 = f["s/Ar/sys15/chi2"][...]
        worst = np.max(np.abs(chi2 - grid) / np.maximum(np.abs(grid), 1e-3))
        print(f"agreement with cevns: worst relative difference {worst:.2e}")
        if worst > 1e-9:
            print("MISMATCH")
            sys.exit(1)

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
