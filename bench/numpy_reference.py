"""What the numpy references of bench/ (*_numpy.py) share: constants, the nuclear form factors,
the Ar detector of configs/detectors/ar.json, the pi-DAR spectra, Gauss-Legendre nodes, the
closed-form pulls of scenario sys15 and a run of the program on the same grid.

Written from SPEC §2-7, independently of the C++ code, so that the references check it.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
from types import SimpleNamespace

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

GF = 1.1663787e-11  # MeV^-2
ALPHA = 1.0 / 137.035999
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


def ar_target():
    """The Ar detector of configs/detectors/ar.json at the SNS (0.08 nu per flavour per proton,
    1.76e23 protons): nuclear mass (MeV), nuclei, flux normalisation eta (cm^-2) at the baseline
    (m) and its half-width of a uniform spread (m), threshold (MeV),
    the prompt line and the delayed end point (MeV), and the point-proton rms radius (fm) from the
    charge radius, as the detector configs state; the neutron radius equals it."""
    det = json.load(open(os.path.join(ROOT, "configs/detectors/ar.json")))
    iso = det["isotopes"][0]
    z, n = iso["Z"], iso["N"]
    baseline = det["baseline_m"]
    return SimpleNamespace(
        z=z, n=n, baseline=baseline, spread=det.get("baseline_spread_m", 0.0),
        mass=iso["atomic_mass_u"] * U - z * M_E,
        nuclei=N_A * det["mass_kg"] * 1000.0 / iso["atomic_mass_u"],
        eta=0.08 * 1.76e23 / (4 * np.pi * (baseline * 100.0) ** 2),
        t_th=det["threshold_keV"] * 1e-3,
        e_p=(M_PI**2 - M_MU**2) / (2 * M_PI),
        e_max=M_MU / 2,
        point_rms=np.sqrt(iso["charge_radius_fm"] ** 2 - R_P**2 - n / z * R2_N))


def averaged_sin_squared(k, baseline, spread):
    """sin^2(k L) averaged over L uniform in [baseline - spread, baseline + spread] (SPEC 12), as
    the integral itself: 1/2 - [sin 2k(L0 + a) - sin 2k(L0 - a)] / (8 k a); sin^2(k L0) at a = 0."""
    k = np.asarray(k, dtype=float)
    if spread == 0.0:
        return np.sin(k * baseline) ** 2
    return 0.5 - (np.sin(2 * k * (baseline + spread)) - np.sin(2 * k * (baseline - spread))) / (8 * k * spread)


def t_max(e, mass):
    """The largest recoil (MeV) of a nucleus of `mass` by a neutrino of energy e."""
    return 2 * e**2 / (mass + 2 * e)


def e_min(t, mass):
    """The smallest neutrino energy (MeV) that gives a recoil t."""
    return 0.5 * (t + np.sqrt(t * t + 2 * mass * t))


def delayed_spectra(e):
    """The delayed nu_e and anti-nu_mu spectra of muon decay at rest, per MeV (SPEC §2)."""
    return (192 * e**2 / M_MU**3 * (0.5 - e / M_MU),
            64 * e**2 / M_MU**3 * (0.75 - e / M_MU))


def energy_panels(lo, hi, panels, nodes):
    """Composite Gauss-Legendre nodes and weights on [lo, hi], the panels equally spaced in 1/E."""
    x, w = np.polynomial.legendre.leggauss(nodes)
    edges = 1.0 / np.linspace(1.0 / lo, 1.0 / hi, panels + 1)
    edges[-1] = hi
    left, half = edges[:-1, None], 0.5 * np.diff(edges)[:, None]
    return (left + half * (1 + x)).ravel(), (half * w).ravel()


def recoil_nodes(lo, hi, x):
    """The Gauss-Legendre nodes x (on [-1, 1]) mapped to [lo, hi] for each upper end: [E][T]."""
    return 0.5 * (lo + hi)[:, None] + 0.5 * (hi - lo)[:, None] * x


def sys15_chi2(n_th, total):
    """chi^2 with the closed-form pulls (SPEC §7) of one total count in scenario sys15: Asimov data
    `total` plus a 10% background, signal and background normalisations free with 15% and 10%."""
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


def ar_study(name, quadrature, scan):
    """A study of the Ar detector in scenario sys15 with one scan."""
    return {"name": name, "detectors": [os.path.join(ROOT, "configs/detectors/ar.json")],
            "scenarios": ["sys15"], "quadrature": quadrature, "scans": [scan]}


def program_dataset(cevns, study, dataset):
    """`cevns scan` (CPU backend) of `study`: the dataset at path `dataset` of its output."""
    import h5py
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "study.json")
        with open(path, "w") as f:
            json.dump(study, f)
        out = os.path.join(tmp, "out.h5")
        subprocess.run([cevns, "scan", path, "-o", out, "-q", "--backend", "cpu"], check=True,
                       stdout=subprocess.DEVNULL)
        with h5py.File(out) as f:
            return f[dataset][...]


def reference_arguments(doc, compared="chi^2 grids"):
    """The options every reference takes: --repeat, --check CEVNS (what it compares), --bench."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--check", help=f"path to the cevns binary: compare {compared}")
    ap.add_argument("--bench", help="path to cevns_bench: time the C++ path in the same run")
    return ap


def check_agreement(program, reference, where="", note=""):
    """Prints the worst relative difference of the program's chi^2 from the reference's (`where`:
    which grid; `note` is appended) and exits with status 1, after MISMATCH, beyond 1e-9."""
    worst = np.max(np.abs(program - reference) / np.maximum(np.abs(reference), 1e-3))
    print(f"agreement with cevns{where}: worst relative difference {worst:.2e}{note}")
    if not worst <= 1e-9:
        print("MISMATCH")
        sys.exit(1)
