#!/usr/bin/env python3
"""The factorised (mu_nu_e, mu_nu_mu) scan written as vectorised numpy, for comparison with the
C++ CPU backend.

Same method and inputs as `scan/cpu/em_moments/factorised/1000x1000` in bench_cevns.cpp: the Ar
detector of configs/detectors/ar.json, scenario sys15, one total count, Gauss-Legendre quadrature
(one panel of 32 nodes in E, 32 nodes in T), the response tables included in the timing. The
magnetic moments add without interference (SPEC §10.3), so the counts are
N = A + mu_e^2 M_e + mu_mu^2 M_mu with A the SM count and M_alpha the recoil moments of
(pi alpha^2 / m_e^2)(1/T - 1/E) Z^2 F_Z^2 of the fluxes of flavour alpha (anti-nu_mu shares
nu_mu's moment); the chi^2 has the closed-form pulls of SPEC §7. It is an independent
implementation of SPEC §2-7 and §10.3, so `--check CEVNS` runs the program on a subgrid of the
same points and compares the chi^2.

Usage: python3 bench/em_numpy.py [--repeat N] [--check PATH_TO_CEVNS] [--bench PATH_TO_CEVNS_BENCH]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

from timing import report, time_cevns, time_numpy

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

GF = 1.1663787e-11  # MeV^-2
ALPHA = 1.0 / 137.035999
HBARC_FM = 197.3269804
HBARC_CM = 197.3269804e-13
M_PI, M_MU, U, M_E, N_A = 139.57039, 105.6583755, 931.49410242, 0.51099895, 6.02214076e23
S2W = 0.23865
MU_MAX = 200.0  # the axes: 0 ... 200 (1e-10 mu_B)


def helm(q, rms, s=0.9):
    r0 = np.sqrt(5.0 / 3.0 * (rms**2 - 3 * s**2))
    x = q * r0
    return 3 * (np.sin(x) - x * np.cos(x)) / x**3 * np.exp(-(q * s) ** 2 / 2)


def sym_fermi(q, rms, a=0.52):
    c = np.sqrt(5.0 / 3.0 * (rms**2 - 7.0 / 5.0 * np.pi**2 * a**2))
    qc, pqa = q * c, np.pi * q * a
    return 3 / (qc * (qc**2 + pqa**2)) * (pqa / np.sinh(pqa)) * ((pqa / np.tanh(pqa)) * np.sin(qc) - qc * np.cos(qc))


def chi2_grid(n_points=1000):
    det = json.load(open(os.path.join(ROOT, "configs/detectors/ar.json")))
    iso = det["isotopes"][0]
    z, n = iso["Z"], iso["N"]
    mass = iso["atomic_mass_u"] * U - z * M_E
    nuclei = N_A * det["mass_kg"] * 1000.0 / iso["atomic_mass_u"]
    eta = 0.08 * 1.76e23 / (4 * np.pi * (det["baseline_m"] * 100.0) ** 2)
    t_th = det["threshold_keV"] * 1e-3
    e_p = (M_PI**2 - M_MU**2) / (2 * M_PI)
    e_max = M_MU / 2

    tmax = lambda e: 2 * e**2 / (mass + 2 * e)
    emin = lambda t: 0.5 * (t + np.sqrt(t * t + 2 * mass * t))
    xt, wt = np.polynomial.legendre.leggauss(32)
    xe, we = np.polynomial.legendre.leggauss(32)
    a, b = emin(t_th), e_max
    energies = a + 0.5 * (b - a) * (1 + xe)
    e_weights = 0.5 * (b - a) * we
    nue = 192 * energies**2 / M_MU**3 * (0.5 - energies / M_MU)
    numubar = 64 * energies**2 / M_MU**3 * (0.75 - energies / M_MU)

    def recoil_integrals(e):
        """Per E: the SM integral ∫ dT dσ/dT and the magnetic one per (1e-10 mu_B)^2, in cm^2."""
        e = np.atleast_1d(e)
        lo, hi = t_th, tmax(e)
        t = 0.5 * (lo + hi)[:, None] + 0.5 * (hi - lo)[:, None] * xt
        q = np.sqrt(2 * mass * t) / HBARC_FM
        # The point-proton rms radius from the charge radius (the nucleons' own: r_p = 0.8409 fm,
        # r_n^2 = -0.1161 fm^2), as the detector configs state; the neutron radius equals it.
        rms = np.sqrt(iso["charge_radius_fm"] ** 2 - 0.8409**2 - iso["N"] / iso["Z"] * -0.1161)
        fz, fn = sym_fermi(q, rms), helm(q, rms)
        coh = z * (0.5 - 2 * S2W) * fz + n * (-0.5) * fn
        sm = GF**2 * mass / np.pi * (1 - mass * t / (2 * e[:, None] ** 2)) * coh**2
        mm = np.pi * ALPHA**2 * 1e-20 / M_E**2 * (1 / t - 1 / e[:, None]) * (z * fz) ** 2
        half = 0.5 * (hi - lo)
        return (half * (wt * sm).sum(axis=1) * HBARC_CM**2,
                half * (wt * mm).sum(axis=1) * HBARC_CM**2)

    sm_p, mm_p = recoil_integrals(e_p)
    sm_d, mm_d = recoil_integrals(energies)
    scale = eta * nuclei
    total = scale * (sm_p[0] + (e_weights * sm_d * (nue + numubar)).sum())
    m_e = scale * (e_weights * mm_d * nue).sum()
    m_mu = scale * (mm_p[0] + (e_weights * mm_d * numubar).sum())

    mu = np.linspace(0.0, MU_MAX, n_points)
    # rows: mu_nu_mu, columns: mu_nu_e (axis 0 fastest, as the program stores it)
    n_th = total + np.add.outer(mu**2 * m_mu, mu**2 * m_e)

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
    ap.add_argument("--check", help="path to the cevns binary: compare chi^2 on a subgrid")
    ap.add_argument("--bench", help="path to cevns_bench: time the C++ path in the same run")
    args = ap.parse_args()

    t_numpy, cpu_numpy, grid = time_numpy(chi2_grid, args.repeat)
    label = "A + mu_e^2 M_e + mu_mu^2 M_mu, 1000x1000 (Ar, sys15)"
    print(f"numpy, {label}: {t_numpy * 1e3:7.1f} ms (best of {args.repeat})")

    if args.check:
        # Every 27th point of the 1000-point axes: 38 x 38 points of the same grid (999 = 27 x 37).
        step, m = 27, 38
        study = {
            "name": "numpy-check", "detectors": [os.path.join(ROOT, "configs/detectors/ar.json")],
            "scenarios": ["sys15"],
            "quadrature": {"recoil_nodes": 32, "energy_nodes": 32, "energy_panels": 1},
            "scans": [{"name": "m", "axes": [
                {"parameter": "mu_nu_e", "min": 0.0, "max": MU_MAX, "points": m},
                {"parameter": "mu_nu_mu", "min": 0.0, "max": MU_MAX, "points": m}]}]}
        import h5py
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "study.json")
            json.dump(study, open(path, "w"))
            out = os.path.join(tmp, "out.h5")
            subprocess.run([args.check, "scan", path, "-o", out, "-q", "--backend", "cpu"], check=True,
                           stdout=subprocess.DEVNULL)
            with h5py.File(out) as f:
                chi2 = f["m/Ar/sys15/chi2"][...]
        sub = grid[::step, ::step]
        worst = np.max(np.abs(chi2 - sub) / np.maximum(np.abs(sub), 1e-3))
        print(f"agreement with cevns on {m}x{m} points of the grid: worst relative difference {worst:.2e}")
        if worst > 1e-9:
            print("MISMATCH")
            sys.exit(1)

    if args.bench:
        name = "scan/cpu/em_moments/factorised/1000x1000"
        report(label, t_numpy, cpu_numpy, name, *time_cevns(args.bench, name, args.repeat), args.repeat)

if __name__ == "__main__":
    main()
