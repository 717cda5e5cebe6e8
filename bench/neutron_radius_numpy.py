#!/usr/bin/env python3
"""The factorised (sin^2 theta_W, R_n) scan written as vectorised numpy, for comparison with the C++
backend.

Same method and inputs as `scan/cpu/sin2_theta_W-rn_fm/factorised/1000x1000` in bench_cevns.cpp:
the Ar detector of configs/detectors/ar.json, scenario sys15, one total count, Gauss-Legendre
quadrature (32 nodes in E on [E_min(T_th), m_mu/2], 32 nodes in T), response tables included in
the timing. Per R_n row the recoil moments of Z^2 F_Z^2, Z N F_Z F_N and N^2 F_N^2 (SPEC §10.5),
then per point the quadratic form in g_V^p and the closed-form pulls (SPEC §7). It is also an
independent implementation of SPEC §2-7 and §10.4, so its chi^2 grid must agree with the
program's: `--check CEVNS` runs the program on the same grid and compares.

Usage: python3 bench/neutron_radius_numpy.py [--repeat N] [--check PATH_TO_CEVNS] [--bench PATH_TO_CEVNS_BENCH]
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
HBARC_FM = 197.3269804
HBARC_CM = 197.3269804e-13
M_PI, M_MU, U, M_E, N_A = 139.57039, 105.6583755, 931.49410242, 0.51099895, 6.02214076e23
S2W = 0.23865
R_P, R2_N = 0.8409, -0.1161  # nucleon charge radius (fm) and mean-square radius (fm^2)


def helm(q, rms, s=0.9):
    r0 = np.sqrt(5.0 / 3.0 * (rms**2 - 3 * s**2))
    x = q * r0
    return 3 * (np.sin(x) - x * np.cos(x)) / x**3 * np.exp(-(q * s) ** 2 / 2)


def sym_fermi(q, rms, a=0.52):
    c = np.sqrt(5.0 / 3.0 * (rms**2 - 7.0 / 5.0 * np.pi**2 * a**2))
    qc, pqa = q * c, np.pi * q * a
    return 3 / (qc * (qc**2 + pqa**2)) * (pqa / np.sinh(pqa)) * ((pqa / np.tanh(pqa)) * np.sin(qc) - qc * np.cos(qc))


def chi2_grid(n_points=1000, s_range=(0.1, 0.4), r_range=(2.5, 5.5)):
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
    r_point = np.sqrt(iso["charge_radius_fm"] ** 2 - R_P**2 - n / z * R2_N)  # also R_n's truth

    tmax = lambda e: 2 * e**2 / (mass + 2 * e)
    emin = lambda t: 0.5 * (t + np.sqrt(t * t + 2 * mass * t))
    xt, wt = np.polynomial.legendre.leggauss(32)
    xe, we = np.polynomial.legendre.leggauss(32)

    # Energy nodes: the prompt line, and 32 nodes on [E_min(T_th), m_mu/2] weighted by both
    # delayed spectra (the SM charges are flavour blind).
    a, b = emin(t_th), e_max
    energies = 0.5 * (a + b) + 0.5 * (b - a) * xe
    spectra = (192 * energies**2 / M_MU**3 * (0.5 - energies / M_MU)
               + 64 * energies**2 / M_MU**3 * (0.75 - energies / M_MU))
    e_all = np.concatenate([[e_p], energies])
    w_all = eta * np.concatenate([[1.0], 0.5 * (b - a) * we * spectra])

    # Recoil nodes of every energy node: T in [T_th, T_max(E)].
    t_hi = tmax(e_all)
    t = 0.5 * (t_th + t_hi)[:, None] + 0.5 * (t_hi - t_th)[:, None] * xt
    q = np.sqrt(2 * mass * t) / HBARC_FM
    kin = 1 - mass * t / (2 * e_all[:, None] ** 2)
    weight = (w_all * 0.5 * (t_hi - t_th))[:, None] * wt * kin  # [E][T]
    pref = GF**2 * mass / np.pi * HBARC_CM**2 * nuclei
    fz = z * sym_fermi(q, r_point)

    # Per R_n row, the three moments (SPEC §10.5).
    s2w = np.linspace(*s_range, n_points)
    radii = np.linspace(*r_range, n_points)
    zz = pref * (weight * fz * fz).sum()
    zn = np.empty(n_points)
    nn = np.empty(n_points)
    for i in range(0, n_points, 100):  # blocks of rows: [row][E][T]
        fn = n * helm(q[None], radii[i:i + 100, None, None])
        zn[i:i + 100] = pref * (weight * fz * fn).sum(axis=(1, 2))
        nn[i:i + 100] = pref * (weight * fn * fn).sum(axis=(1, 2))

    gp, gn = 0.5 - 2 * s2w, -0.5
    n_th = gp[None, :] ** 2 * zz + 2 * gp[None, :] * gn * zn[:, None] + gn**2 * nn[:, None]

    # Asimov data at the SM and the configured radius; closed-form pulls (SPEC §7), sys15.
    fn0 = n * helm(q, r_point)
    g0 = 0.5 - 2 * S2W
    total = pref * (weight * (g0 * fz + gn * fn0) ** 2).sum()
    sa, sb = 0.15, 0.10
    n_bg = 0.1 * total
    n_exp = total + n_bg
    w = 1 / n_exp
    r = n_exp - n_th - n_bg
    rr, tt, rt = w * r * r, w * n_th * n_th, w * r * n_th
    gg, tg, rg = w * n_bg * n_bg, w * n_th * n_bg, w * r * n_bg
    a11, a22 = tt + 1 / sa**2, gg + 1 / sb**2
    det_ = a11 * a22 - tg * tg
    return rr - (a22 * rt * rt - 2 * tg * rt * rg + a11 * rg * rg) / det_  # rows: R_n


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--check", help="path to the cevns binary: compare chi^2 grids")
    ap.add_argument("--bench", help="path to cevns_bench: time the C++ path in the same run")
    args = ap.parse_args()

    t_numpy, cpu_numpy, grid = time_numpy(chi2_grid, args.repeat)
    label = "per-R_n-row moments, quadratic in g_V^p, 1000x1000 (Ar, sys15)"
    print(f"numpy, {label}: {t_numpy * 1e3:7.1f} ms (best of {args.repeat})")

    if args.check:
        study = {
            "name": "numpy-check", "detectors": [os.path.join(ROOT, "configs/detectors/ar.json")],
            "scenarios": ["sys15"],
            "quadrature": {"recoil_nodes": 32, "energy_nodes": 32, "energy_panels": 1},
            "scans": [{"name": "p", "axes": [
                {"parameter": "sin2_theta_W", "min": 0.1, "max": 0.4, "points": 1000},
                {"parameter": "rn_fm", "min": 2.5, "max": 5.5, "points": 1000}]}]}
        import h5py
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "study.json")
            json.dump(study, open(path, "w"))
            out = os.path.join(tmp, "out.h5")
            subprocess.run([args.check, "scan", path, "-o", out, "-q", "--backend", "cpu"], check=True,
                           stdout=subprocess.DEVNULL)
            with h5py.File(out) as f:
                chi2 = f["p/Ar/sys15/chi2"][...]
        worst = np.max(np.abs(chi2 - grid) / np.maximum(np.abs(grid), 1e-3))
        print(f"agreement with cevns: worst relative difference {worst:.2e}")
        if worst > 1e-9:
            print("MISMATCH")
            sys.exit(1)

    if args.bench:
        name = "scan/cpu/sin2_theta_W-rn_fm/factorised/1000x1000"
        report(label, t_numpy, cpu_numpy, name, *time_cevns(args.bench, name, args.repeat), args.repeat)

if __name__ == "__main__":
    main()
