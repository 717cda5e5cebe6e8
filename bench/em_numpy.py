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

import numpy as np

from numpy_reference import (
    ALPHA, GF, HBARC_CM, HBARC_FM, M_E, S2W, ar_study, ar_target, check_agreement, delayed_spectra,
    e_min, helm, program_dataset, recoil_nodes, reference_arguments, sym_fermi, sys15_chi2, t_max)
from timing import report, time_cevns, time_numpy

MU_MAX = 200.0  # the axes: 0 ... 200 (1e-10 mu_B)


def chi2_grid(n_points=1000):
    ar = ar_target()
    z, n, mass, t_th = ar.z, ar.n, ar.mass, ar.t_th
    xt, wt = np.polynomial.legendre.leggauss(32)
    xe, we = np.polynomial.legendre.leggauss(32)
    a, b = e_min(t_th, mass), ar.e_max
    energies = a + 0.5 * (b - a) * (1 + xe)
    e_weights = 0.5 * (b - a) * we
    nue, numubar = delayed_spectra(energies)

    def recoil_integrals(e):
        """Per E: the SM integral ∫ dT dσ/dT and the magnetic one per (1e-10 mu_B)^2, in cm^2."""
        e = np.atleast_1d(e)
        lo, hi = t_th, t_max(e, mass)
        t = recoil_nodes(lo, hi, xt)
        q = np.sqrt(2 * mass * t) / HBARC_FM
        fz, fn = sym_fermi(q, ar.point_rms), helm(q, ar.point_rms)
        coh = z * (0.5 - 2 * S2W) * fz + n * (-0.5) * fn
        sm = GF**2 * mass / np.pi * (1 - mass * t / (2 * e[:, None] ** 2)) * coh**2
        mm = np.pi * ALPHA**2 * 1e-20 / M_E**2 * (1 / t - 1 / e[:, None]) * (z * fz) ** 2
        half = 0.5 * (hi - lo)
        return (half * (wt * sm).sum(axis=1) * HBARC_CM**2,
                half * (wt * mm).sum(axis=1) * HBARC_CM**2)

    sm_p, mm_p = recoil_integrals(ar.e_p)
    sm_d, mm_d = recoil_integrals(energies)
    scale = ar.eta * ar.nuclei
    total = scale * (sm_p[0] + (e_weights * sm_d * (nue + numubar)).sum())
    m_e = scale * (e_weights * mm_d * nue).sum()
    m_mu = scale * (mm_p[0] + (e_weights * mm_d * numubar).sum())

    mu = np.linspace(0.0, MU_MAX, n_points)
    # rows: mu_nu_mu, columns: mu_nu_e (axis 0 fastest, as the program stores it)
    n_th = total + np.add.outer(mu**2 * m_mu, mu**2 * m_e)
    return sys15_chi2(n_th, total)


def main():
    args = reference_arguments(__doc__, "chi^2 on a subgrid").parse_args()

    t_numpy, cpu_numpy, grid = time_numpy(chi2_grid, args.repeat)
    label = "A + mu_e^2 M_e + mu_mu^2 M_mu, 1000x1000 (Ar, sys15)"
    print(f"numpy, {label}: {t_numpy * 1e3:7.1f} ms (best of {args.repeat})")

    if args.check:
        # Every 27th point of the 1000-point axes: 38 x 38 points of the same grid (999 = 27 x 37).
        step, m = 27, 38
        study = ar_study("numpy-check", {"recoil_nodes": 32, "energy_nodes": 32, "energy_panels": 1},
                         {"name": "m", "axes": [
                             {"parameter": "mu_nu_e", "min": 0.0, "max": MU_MAX, "points": m},
                             {"parameter": "mu_nu_mu", "min": 0.0, "max": MU_MAX, "points": m}]})
        chi2 = program_dataset(args.check, study, "m/Ar/sys15/chi2")
        check_agreement(chi2, grid[::step, ::step], f" on {m}x{m} points of the grid")

    if args.bench:
        name = "scan/cpu/em_moments/factorised/1000x1000"
        report(label, t_numpy, cpu_numpy, name, *time_cevns(args.bench, name, args.repeat), args.repeat)

if __name__ == "__main__":
    main()
