#!/usr/bin/env python3
"""The CsI 2021 release's simulated flux (snsFlux2D.root) read through scripts/convert_root_flux.py,
and the analytic fallback when it is absent.

    test_flux_table.py CEVNS_BINARY        (data: $CEVNS_DATA; exit 77, skipped, without them)

1. Fallback: configs/data/csi2021.json names csi2021/snsFlux2D.txt; without it `cevns fit` says
   so on its output, in --json and in the HDF5 file's provenance, and predicts with the analytic
   pi-DAR spectra and the beam timing model.
2. Convergence: a ROOT file written here with uproot holds, per flavour, the analytic spectra of
   SPEC §2 binned in energy (the bin integrals of the closed-form shapes; the prompt line in its
   bin, centred on it) times the arrival-time PDF of the beam model (a Gaussian proton pulse convolved with the
   pion and muon decays — numerically here, in closed form in the program), binned in time. Its
   converted table predicts the analytic count, closer as the energy bins narrow; so does the SM
   flux-averaged cross-section, which `cevns fit` then takes over the table's spectra and says so
   (the analytic spectra's in the fallback).
3. Errors: a file that is not ROOT, and a malformed table, stop with one line naming the file,
   exit status 2, and no output file.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import uproot

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CONFIG = os.path.join(ROOT, "configs", "data", "csi2021.json")
CONVERT = os.path.join(ROOT, "scripts", "convert_root_flux.py")

# SPEC §2 (PDG masses, MeV).
M_MU, M_PI = 105.6583755, 139.57039
E_PROMPT = (M_PI**2 - M_MU**2) / (2 * M_PI)
E_MAX = M_MU / 2
TAU_PI, TAU_MU = 0.026033, 2.1969811  # µs
FLAVOURS = ("nu_e", "anti_nu_e", "nu_mu", "anti_nu_mu")


def cumulative_numubar(e):  # ∫_0^e 64 x²/m³ (3/4 − x/m) dx
    e = np.clip(e, 0.0, E_MAX)
    return 64 / M_MU**3 * (0.25 * e**3 - e**4 / (4 * M_MU))


def cumulative_nue(e):  # ∫_0^e 192 x²/m³ (1/2 − x/m) dx
    e = np.clip(e, 0.0, E_MAX)
    return 192 / M_MU**3 * (e**3 / 6 - e**4 / (4 * M_MU))


def beam_time_pdfs(edges_us, mean_us, width_us):
    """Prompt and delayed arrival probabilities per time bin: the Gaussian pulse convolved with
    the decays on a 1-ns grid."""
    dt = 1e-3
    t = np.arange(-2.0, edges_us[-1] + 1e-9, dt)
    pulse = np.exp(-0.5 * ((t - mean_us) / width_us) ** 2)
    pulse /= pulse.sum()
    lag = np.arange(0.0, 40.0, dt)
    # Exponential decays as bin integrals on the grid (exact per step, no discretisation bias).
    pion = np.exp(-lag / TAU_PI) * (1 - np.exp(-dt / TAU_PI))
    muon = np.exp(-lag / TAU_MU) * (1 - np.exp(-dt / TAU_MU))
    prompt = np.convolve(pulse, pion)[: len(t)]
    delayed = np.convolve(prompt, muon)[: len(t)]
    out = []
    for density in (prompt, delayed):
        cdf = np.concatenate([[0.0], np.cumsum(density)])
        grid = np.concatenate([t - 0.5 * dt, [t[-1] + 0.5 * dt]])
        c = np.interp(edges_us, grid, cdf)
        out.append(np.diff(c))
    return out


def write_root(path, energy_width, time_model):
    # The prompt line at the centre of its bin (a line's histogram is exact to first order in the
    # bin width only there), the bins running from 0 to above the delayed end point.
    k = np.arange(-np.floor(E_PROMPT / energy_width - 0.5), np.ceil((60 - E_PROMPT) / energy_width))
    e_edges = np.concatenate([[0.0], E_PROMPT + (k + 0.5) * energy_width])
    # 0.5-µs bins to 40 µs: every neutrino arrives inside (the table is normalised over its time
    # range), and the data's time bins are unions of the table's, so their contents are exact.
    t_edges_ns = np.arange(0.0, 40000.0 + 1e-9, 500.0)
    prompt_t, delayed_t = beam_time_pdfs(t_edges_ns * 1e-3, *time_model)
    numubar = np.diff(cumulative_numubar(e_edges))
    nue = np.diff(cumulative_nue(e_edges))
    line = np.zeros(len(e_edges) - 1)
    line[np.searchsorted(e_edges, E_PROMPT) - 1] = 1.0
    energy = {"nu_e": nue, "anti_nu_e": 0 * nue, "nu_mu": line, "anti_nu_mu": numubar}
    time = {"nu_e": delayed_t, "anti_nu_e": delayed_t, "nu_mu": prompt_t, "anti_nu_mu": delayed_t}
    with uproot.recreate(path) as f:
        for fl in FLAVOURS:
            # uproot writes a (values, x edges, y edges) tuple as a TH2D: time on the x axis.
            f["convolved_energy_time_of_" + fl] = (
                np.outer(time[fl], energy[fl]) * 1e6, t_edges_ns, e_edges)


def run(args, expect=0):
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != expect:
        print(r.stdout, r.stderr)
        raise SystemExit(f"FAIL: {' '.join(args)} exited {r.returncode}, expected {expect}")
    return r


def fit(cevns, data_dir, work, tag):
    out_json = os.path.join(work, tag + ".json")
    args = [cevns, "--backend", "cpu", "fit", CONFIG, "--data-dir", data_dir, "--only", "n_cevns",
            "--json", out_json]
    out_h5 = None
    if tag == "fallback":
        out_h5 = os.path.join(work, tag + ".h5")
        args += ["-o", out_h5]
    r = run(args)
    with open(out_json) as fh:
        j = json.load(fh)["data_sets"][0]
    return r.stdout, j, out_h5


def main():
    cevns = os.path.abspath(sys.argv[1])
    data = os.environ.get("CEVNS_DATA", os.path.join(ROOT, "..", "shared", "data", "coherent"))
    if not os.path.isdir(os.path.join(data, "csi2021")):
        print(f"skipped: no CsI 2021 release in {data} (set CEVNS_DATA)")
        return 77
    with open(CONFIG) as fh:
        cfg = json.load(fh)
    table_name = cfg["flux"]["file"]
    timing = (cfg["timing"]["mean_us"], cfg["timing"]["width_us"])
    failures = []
    with tempfile.TemporaryDirectory() as work:
        d = os.path.join(work, "data")
        os.makedirs(os.path.join(d, "csi2021"))
        for name in os.listdir(os.path.join(data, "csi2021")):
            if name != os.path.basename(table_name):
                os.symlink(os.path.join(os.path.abspath(data), "csi2021", name),
                           os.path.join(d, "csi2021", name))

        # 1. Fallback.
        stdout, j, h5 = fit(cevns, d, work, "fallback")
        analytic = j["n_cevns_predicted"]
        expected = "flux table " + os.path.join(d, table_name) + " not found"
        if expected not in j["flux_source"] or expected not in stdout:
            failures.append(f"fallback: output and --json should say '{expected}': {j['flux_source']}")
        import h5py
        with h5py.File(h5, "r") as f:
            attr = f["CsI2021"].attrs["flux_source"]
            attr = attr.decode() if isinstance(attr, bytes) else str(attr)
            if expected not in attr:
                failures.append(f"fallback: HDF5 flux_source attribute is '{attr}'")
        print(f"analytic spectra and beam timing: {analytic:.4f} CEvNS events")
        xs_analytic = j["flux_averaged_cross_section_cm2"]["sm"]
        if j["flux_averaged_cross_section_cm2"]["flux_source"] != "analytic pi-DAR spectra (SPEC 2)":
            failures.append("fallback: the cross-section's flux_source is "
                            f"'{j['flux_averaged_cross_section_cm2']['flux_source']}'")
        if "over the analytic pi-DAR spectra (SPEC 2)" not in stdout:
            failures.append("fallback: the output does not say the cross-section's spectra")

        # 2. Convergence of the binned analytic flux.
        errors, xs_errors = [], []
        for width in (1.0, 0.25):
            root = os.path.join(work, "snsFlux2D.root")
            write_root(root, width, timing)
            run([sys.executable, CONVERT, root, os.path.join(d, table_name)])
            stdout, j, _ = fit(cevns, d, work, f"table{width}")
            if "flux table " + os.path.join(d, table_name) not in j["flux_source"]:
                failures.append(f"table: flux_source is '{j['flux_source']}'")
            rel = j["n_cevns_predicted"] / analytic - 1
            errors.append(abs(rel))
            print(f"table with {width} MeV energy bins: {j['n_cevns_predicted']:.4f} "
                  f"(relative difference {rel:+.2e})")
            xs = j["flux_averaged_cross_section_cm2"]
            if xs["flux_source"] != "flux table " + os.path.join(d, table_name):
                failures.append(f"table: the cross-section's flux_source is '{xs['flux_source']}'")
            if "over the flux table " + os.path.join(d, table_name) not in stdout:
                failures.append("table: the output does not say the cross-section's spectra")
            xs_rel = xs["sm"] / xs_analytic - 1
            xs_errors.append(abs(xs_rel))
            print(f"  SM flux-averaged cross-section {xs['sm'] * 1e40:.4f}e-40 cm2 "
                  f"(relative difference {xs_rel:+.2e})")
        if not errors[1] < errors[0]:
            failures.append(f"no convergence as the energy bins narrow: {errors}")
        if not errors[1] < 3e-4:
            failures.append(f"0.25 MeV bins: relative difference {errors[1]:.2e} > 3e-4")
        if not xs_errors[1] < xs_errors[0] / 4:
            failures.append(f"cross-section: no second-order convergence: {xs_errors}")
        if not xs_errors[1] < 1e-4:
            failures.append(f"cross-section, 0.25 MeV bins: relative difference {xs_errors[1]:.2e} > 1e-4")

        # 3. Errors.
        bad = os.path.join(work, "not_root.root")
        with open(bad, "w") as fh:
            fh.write("not a ROOT file\n")
        out = os.path.join(work, "out.txt")
        r = run([sys.executable, CONVERT, bad, out], expect=2)
        if bad not in r.stderr or "expected a ROOT file" not in r.stderr or os.path.exists(out):
            failures.append(f"converter on a non-ROOT file: {r.stderr!r}")
        with open(os.path.join(d, table_name), "a") as fh:
            fh.write("0 0.01 0 1 1 2\n")
        r = run([cevns, "--backend", "cpu", "fit", CONFIG, "--data-dir", d, "--only", "n_cevns",
                 "-o", out + ".h5"], expect=2)
        if table_name.split("/")[-1] not in r.stderr or "line" not in r.stderr or os.path.exists(out + ".h5"):
            failures.append(f"malformed table: {r.stderr!r}")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
