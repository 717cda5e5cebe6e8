#!/usr/bin/env python3
"""The factorised light-mediator scan written as vectorised numpy, for comparison with the C++ backends.

Same method and inputs as `scan/cpu/<mediator>/factorised/1000x1000` in bench_cevns.cpp: the Ar
detector of configs/detectors/ar.json, scenario sys15, one total count, the light_mediators
study's quadrature (7 panels equally spaced in 1/E x 32 nodes in E, 24 nodes in T) and plane
(g 1e-7 to 0.1, m 0.01 MeV to 10 GeV, log axes), 1000 x 1000 points. The per-row method of
SPEC §10.5: the mass-independent weights of every (quadrature entry, recoil node) once, then per
mass row the node sums with the propagator 1/(q^2 + m^2) (squared for the g^4 table), so that a
grid point is N = A + g^2 B(m) + g^4 C(m) and the closed-form pulls; the row tables are computed
here, vectorised, and included in the timing. It is also an independent implementation of SPEC
§10.1, §10.2, so its chi^2 grid must agree with the program's: `--check CEVNS` runs the program on
a subgrid (--check-points per axis, same ranges) and compares.

Usage: python3 bench/mediator_numpy.py [--mediator vector_universal|scalar] [--repeat N]
                                        [--check PATH_TO_CEVNS] [--check-points N]
                                        [--bench PATH_TO_CEVNS_BENCH]
"""
import argparse

import numpy as np

from numpy_reference import (
    GF, HBARC_CM, HBARC_FM, S2W, ar_study, ar_target, check_agreement, delayed_spectra, e_min,
    energy_panels, helm, program_dataset, recoil_nodes, sym_fermi, t_max)
from timing import report, time_cevns, time_numpy

G_RANGE = (1e-7, 1e-1)  # configs/studies/light_mediators.json
M_RANGE_MEV = (1e-2, 1e4)
QUADRATURE = {"recoil_nodes": 24, "energy_nodes": 32, "energy_panels": 7}


def node_weights(mediator):
    """Per (quadrature entry, recoil node): q^2 and the weights of g^2 and g^4 whose sums with
    1/(q^2 + m^2) and its square are the tables B and C, and A, the SM count (g = 0)."""
    ar = ar_target()
    z, n, mass, t_th = ar.z, ar.n, ar.mass, ar.t_th
    xt, wt = np.polynomial.legendre.leggauss(QUADRATURE["recoil_nodes"])

    # Entries: the prompt nu_mu line, then delayed nu_e and anti-nu_mu at the energy nodes (panels
    # equally spaced in 1/E on [E_min(T_th), m_mu/2]); weight = dN/dE x E-weight x eta.
    energies, e_weights = energy_panels(e_min(t_th, mass), ar.e_max, QUADRATURE["energy_panels"],
                                        QUADRATURE["energy_nodes"])
    nue, numubar = delayed_spectra(energies)
    e = np.concatenate([[ar.e_p], energies, energies])
    weight = ar.eta * np.concatenate([[1.0], e_weights * nue, e_weights * numubar])

    # Recoil nodes of every entry on [T_th, T_max(E)].
    a, b = t_th, t_max(e, mass)
    t = recoil_nodes(a, b, xt)
    q2 = 2 * mass * t  # MeV^2
    q = np.sqrt(q2) / HBARC_FM
    fz, fn = z * sym_fermi(q, ar.point_rms), n * helm(q, ar.point_rms)
    scale = 0.5 * (b - a) * weight * ar.nuclei * GF**2 * mass / np.pi * HBARC_CM**2
    kin = wt * (1 - mass * t / (2 * e[:, None] ** 2)) * scale[:, None]
    q0 = (0.5 - 2 * S2W) * fz - 0.5 * fn  # SM charge, the same for every flavour here
    sm = float((kin * q0 * q0).sum())
    if mediator == "scalar":  # SPEC 10.2: M T (15.1 Z F_Z + 14 N F_N)^2 / (4 G_F^2 E^2), per g^4
        quadratic = np.zeros_like(q2)
        quartic = wt * scale[:, None] * mass * t * (15.1 * fz + 14 * fn) ** 2 / (4 * GF**2 * e[:, None] ** 2)
    elif mediator == "vector_universal":  # SPEC 10.1: Q0 + g^2 3(Z F_Z + N F_N)/(sqrt2 G_F (q^2+m^2))
        x = 3.0 * (fz + fn) / (np.sqrt(2.0) * GF)
        quadratic, quartic = kin * 2 * q0 * x, kin * x * x
    else:
        raise ValueError(f"no numpy reference for the mediator {mediator}")
    return q2.ravel(), quadratic.ravel(), quartic.ravel(), sm


def chi2_grid(mediator="vector_universal", n_mass=1000, n_coupling=1000):
    """chi^2 [mass row][coupling] of the (g, m) plane, rows and grid as the program computes them."""
    q2, quadratic, quartic, sm = node_weights(mediator)
    masses = np.logspace(np.log10(M_RANGE_MEV[0]), np.log10(M_RANGE_MEV[1]), n_mass)
    g2 = np.logspace(np.log10(G_RANGE[0]), np.log10(G_RANGE[1]), n_coupling) ** 2

    # The row tables: one propagator per (mass, entry node), summed against the node weights.
    p = 1.0 / np.add.outer(masses * masses, q2)
    b_row = p @ quadratic
    p *= p
    c_row = p @ quartic

    # Grid points: N = A + g^2 B + g^4 C, then the closed-form pulls of sys15 (both free) written as
    # the sum of squares at the minimising scale factors (kernels/scan_point.hpp,
    # point_chi2_by_residuals, the general form; for one bin the program uses its symbolic solution
    # single_bin_chi2, so this is also a check of that); Asimov data of the SM truth with a 10%
    # background.
    sa, sb = 0.15, 0.10
    n_bg = 0.1 * sm
    n_exp = sm + n_bg
    w = 1.0 / n_exp
    ia, ib = 1 / sa**2, 1 / sb**2
    t = sm + g2[None, :] * (b_row[:, None] + g2[None, :] * c_row[:, None])
    a11 = w * t * t + ia
    a12 = w * t * n_bg
    a22 = w * n_bg * n_bg + ib
    r1 = w * t * n_exp + ia
    r2 = w * n_bg * n_exp + ib
    det = a11 * a22 - a12 * a12
    s = (a22 * r1 - a12 * r2) / det
    bb = (a11 * r2 - a12 * r1) / det
    res = n_exp - s * t - bb * n_bg
    return ia * (s - 1) ** 2 + ib * (bb - 1) ** 2 + w * res * res


def program_grid(cevns, mediator, n):
    """The same plane from `cevns scan` (CPU backend), [mass row][coupling]."""
    axes = [{"parameter": "mediator_coupling", "min": G_RANGE[0], "max": G_RANGE[1], "points": n, "scale": "log"},
            {"parameter": "mediator_mass_MeV", "min": M_RANGE_MEV[0], "max": M_RANGE_MEV[1], "points": n,
             "scale": "log"}]
    study = ar_study("numpy-check", QUADRATURE, {"name": "s", "mediator": mediator, "axes": axes})
    return program_dataset(cevns, study, "s/Ar/sys15/chi2")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mediator", default="vector_universal", choices=["vector_universal", "scalar"])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--check", help="path to the cevns binary: compare chi^2 grids on a subgrid")
    ap.add_argument("--check-points", type=int, default=100, help="points per axis of the check")
    ap.add_argument("--check-only", action="store_true", help="only the check, no timing")
    ap.add_argument("--bench", help="path to cevns_bench: time the C++ path in the same run")
    args = ap.parse_args()

    if args.check:
        n = args.check_points
        ours, theirs = chi2_grid(args.mediator, n, n), program_grid(args.check, args.mediator, n)
        check_agreement(theirs, ours, f" ({args.mediator}, {n}x{n} over the same ranges)",
                        f" (chi^2 from {ours.min():.3g} to {ours.max():.3g})")
    if args.check_only:
        return

    t_numpy, cpu_numpy, grid = time_numpy(lambda: chi2_grid(args.mediator), args.repeat)
    assert grid.shape == (1000, 1000) and np.isfinite(grid).all()
    label = f"per-mass-row tables A + g^2 B + g^4 C, 1000x1000 (Ar, sys15, {args.mediator})"
    if not args.bench:
        print(f"numpy, {label}: {t_numpy * 1e3:7.1f} ms (best of {args.repeat})")
        return
    name = f"scan/cpu/{args.mediator}/factorised/1000x1000"
    report(label, t_numpy, cpu_numpy, name, *time_cevns(args.bench, name, args.repeat), args.repeat)

if __name__ == "__main__":
    main()
