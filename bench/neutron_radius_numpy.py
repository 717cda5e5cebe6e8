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

import numpy as np

from numpy_reference import (
    GF, HBARC_CM, HBARC_FM, S2W, ar_study, ar_target, check_agreement, delayed_spectra, e_min,
    helm, program_dataset, recoil_nodes, reference_arguments, sym_fermi, sys15_chi2, t_max)
from timing import report, time_cevns, time_numpy


def chi2_grid(n_points=1000, s_range=(0.1, 0.4), r_range=(2.5, 5.5)):
    ar = ar_target()
    z, n, mass, t_th = ar.z, ar.n, ar.mass, ar.t_th
    r_point = ar.point_rms  # also R_n's truth
    xt, wt = np.polynomial.legendre.leggauss(32)
    xe, we = np.polynomial.legendre.leggauss(32)

    # Energy nodes: the prompt line, and 32 nodes on [E_min(T_th), m_mu/2] weighted by both
    # delayed spectra (the SM charges are flavour blind).
    a, b = e_min(t_th, mass), ar.e_max
    energies = 0.5 * (a + b) + 0.5 * (b - a) * xe
    nue, numubar = delayed_spectra(energies)
    spectra = nue + numubar
    e_all = np.concatenate([[ar.e_p], energies])
    w_all = ar.eta * np.concatenate([[1.0], 0.5 * (b - a) * we * spectra])

    # Recoil nodes of every energy node: T in [T_th, T_max(E)].
    t_hi = t_max(e_all, mass)
    t = recoil_nodes(t_th, t_hi, xt)
    q = np.sqrt(2 * mass * t) / HBARC_FM
    kin = 1 - mass * t / (2 * e_all[:, None] ** 2)
    weight = (w_all * 0.5 * (t_hi - t_th))[:, None] * wt * kin  # [E][T]
    pref = GF**2 * mass / np.pi * HBARC_CM**2 * ar.nuclei
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
    return sys15_chi2(n_th, total)  # rows: R_n


def main():
    args = reference_arguments(__doc__).parse_args()

    t_numpy, cpu_numpy, grid = time_numpy(chi2_grid, args.repeat)
    label = "per-R_n-row moments, quadratic in g_V^p, 1000x1000 (Ar, sys15)"
    print(f"numpy, {label}: {t_numpy * 1e3:7.1f} ms (best of {args.repeat})")

    if args.check:
        study = ar_study("numpy-check", {"recoil_nodes": 32, "energy_nodes": 32, "energy_panels": 1},
                         {"name": "p", "axes": [
                             {"parameter": "sin2_theta_W", "min": 0.1, "max": 0.4, "points": 1000},
                             {"parameter": "rn_fm", "min": 2.5, "max": 5.5, "points": 1000}]})
        chi2 = program_dataset(args.check, study, "p/Ar/sys15/chi2")
        check_agreement(chi2, grid)

    if args.bench:
        name = "scan/cpu/sin2_theta_W-rn_fm/factorised/1000x1000"
        report(label, t_numpy, cpu_numpy, name, *time_cevns(args.bench, name, args.repeat), args.repeat)

if __name__ == "__main__":
    main()
