#!/usr/bin/env python3
"""Tests of scripts/plot.py against files the real program writes.

Usage: python3 tests/python/test_plot.py PATH_TO_CEVNS_BINARY

Writes tiny studies (41 points per axis, detectors Ar and CsI, scenarios ideal and sys30) into a
temporary directory, runs the binary to make rates and scan files, then checks `plot.py --list`
on each kind of file, the figures through matplotlib's objects (panels, curves, contour lines,
threshold lines, labels, scales), robustness (NaN exclusions, zero contours, no stored contours,
empty intervals, an incomplete checkpoint), the exit status 2 for files that are not cevns-scan
outputs, and that the command line writes non-empty PNG and PDF files; and, when the COHERENT
data are beside the repository (../shared/data/coherent), the figures of a `cevns fit` file.
Plain Python, no pytest.
Prints `plot tests: N passed, M failed` last; exits 1 when any check fails.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import h5py  # noqa: E402
import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
PLOT = REPO / "scripts" / "plot.py"
sys.path.insert(0, str(REPO / "scripts"))
import plot  # noqa: E402

DETECTORS = [str(REPO / "configs" / "detectors" / "ar.json"),
             str(REPO / "configs" / "detectors" / "csi.json")]
DET_NAMES = ["Ar", "CsI"]
SCENARIOS = ["ideal", "sys30"]
N = 41

PASSED = 0
FAILED = 0


def check(cond, what):
    global PASSED, FAILED
    if cond:
        PASSED += 1
    else:
        FAILED += 1
        print(f"FAIL: {what}")


def section(name, fn, *args):
    """Runs one group of checks; an exception counts as one failure and the rest go on."""
    global FAILED
    try:
        fn(*args)
    except Exception:
        FAILED += 1
        print(f"FAIL: {name} raised")
        traceback.print_exc()


def run(cmd, timeout=540, **kw):
    # The joint fit of the three releases computes every plane of each; on a 2-core machine
    # shared with other work it can take minutes. The bound stays under ctest's 600 s.
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout,
                          **kw)


def study(name, scans, quadrature=None):
    s = {"name": name, "description": f"plot test {name}", "detectors": DETECTORS,
         "scenarios": SCENARIOS,
         "analysis": {"binning": "total", "background_fraction": 0.10, "cl": 0.90},
         "scans": scans}
    if quadrature:
        s["quadrature"] = quadrature
    return s


def axis(p, lo, hi, scale=None):
    a = {"parameter": p, "min": lo, "max": hi, "points": N}
    if scale:
        a["scale"] = scale
    return a


def make_files(binary, tmp):
    q = {"recoil_nodes": 16, "energy_nodes": 16, "energy_panels": 4}
    studies = {
        "t_wm": study("t_wm", [{"name": "sin2_theta_W", "axes": [axis("sin2_theta_W", 0.0, 0.5)]}]),
        "t_nsi1": study("t_nsi1", [
            {"name": "eps_ee_uV", "axes": [axis("eps_ee_uV", -1.0, 1.0)]},
            {"name": "eps_taue_uV", "axes": [axis("eps_taue_uV", -1.0, 1.0)]}]),
        "t_nsi2": study("t_nsi2", [
            {"name": "ee-etau", "axes": [axis("eps_ee_uV", -1.0, 1.0),
                                         axis("eps_etau_uV", -1.0, 1.0)]}]),
        "t_nue": study("t_nue", [
            {"name": "t_nue", "channel": "nue",
             "axes": [axis("sin2_2theta", 1e-3, 1.0, "log"), axis("dm2_eV2", 1e-2, 1e2, "log")]}],
            q),
        "t_numu": study("t_numu", [
            {"name": "numu", "channel": "numu",
             "axes": [axis("sin2_2theta", 1e-3, 1.0, "log"), axis("dm2_eV2", 1e-2, 1e2, "log")]}],
            q),
        "t_em": study("t_em", [
            {"name": "mu_nu_mu", "axes": [axis("mu_nu_mu", 0.0, 500.0)]},
            {"name": "r2", "axes": [axis("r2_nu_e", -100.0, 40.0), axis("r2_nu_mu", -100.0, 40.0)]}]),
    }
    files = {}
    for name, s in studies.items():
        cfg = tmp / f"{name}.json"
        cfg.write_text(json.dumps(s, indent=1))
        out = tmp / f"{name}.h5"
        r = run([binary, "scan", cfg, "-o", out, "-q"])
        if r.returncode != 0:
            raise RuntimeError(f"cevns scan {name} failed: {r.stderr.strip()}")
        files[name] = out
    for det, name in zip(DETECTORS, DET_NAMES):
        for gc in (False, True):
            out = tmp / f"rates_{name}{'_gc' if gc else ''}.h5"
            cmd = [binary, "rates", det, "--bin-width", "1.71", "-o", out]
            if gc:
                cmd.append("--gc")
            r = run(cmd)
            if r.returncode != 0:
                raise RuntimeError(f"cevns rates {name} failed: {r.stderr.strip()}")
            files[out.stem] = out
    return files


def check_combinations(binary, tmp):
    """A study with a combination of its two detectors: the _combined figures (a panel per
    scenario, a curve or boundary per detector and combination) and region_area against the
    area of a disc."""
    from cevns.plot import region_area
    s = study("t_combo", [
        {"name": "w", "axes": [axis("sin2_theta_W", 0.0, 0.5)]},
        {"name": "nsi", "axes": [axis("eps_ee_uV", -1.0, 1.0), axis("eps_ee_dV", -1.0, 1.0)]}])
    s["combinations"] = [{"name": "Ar+CsI", "detectors": ["Ar", "CsI"], "correlated": ["signal"]}]
    cfg = tmp / "t_combo.json"
    cfg.write_text(json.dumps(s, indent=1))
    out = tmp / "t_combo.h5"
    r = run([binary, "scan", cfg, "-o", out, "-q"])
    check(r.returncode == 0, f"cevns scan with a combination exits 0 ({r.stderr.strip()})")
    specs = {sp.name: sp for sp in plot.figures_for(str(out))}
    check({"t_combo_w_combined", "t_combo_nsi_combined"} <= set(specs),
          f"figures of a study with a combination: {sorted(specs)}")
    fig = specs["t_combo_w_combined"].draw()
    axes = visible_axes(fig)
    check(len(axes) == len(SCENARIOS), f"combined profiles: a panel per scenario ({len(axes)})")
    for ax, scen in zip(axes, SCENARIOS):
        dets = {ln.get_gid().split(":")[1] for ln in gid_lines(ax, "profile:")}
        check(dets == {"Ar", "CsI", "Ar+CsI"}, f"combined profiles {scen}: curves of {dets}")
    fig = specs["t_combo_nsi_combined"].draw()
    texts = fig_texts(fig)
    check(any("area / best single" in t and "Ar+CsI" in t for t in texts),
          f"combined regions state the area ratio: {texts}")
    x = np.linspace(-1.0, 1.0, 401)
    xx, yy = np.meshgrid(x, x)
    disc = {"axes": [x, x], "scales": ["linear", "linear"], "threshold": 4.61,
            "delta_chi2": 4.61 * (xx ** 2 + yy ** 2) / 0.5 ** 2}
    area = region_area(disc)
    check(abs(area - np.pi * 0.25) < 5e-3 * np.pi * 0.25,
          f"region_area of a disc of radius 0.5: {area} against {np.pi * 0.25}")


# ---------------------------------------------------------------------------------------------
# helpers over matplotlib objects


def visible_axes(fig):
    return [ax for ax in fig.axes if ax.get_visible()]


def gid_lines(ax, prefix):
    return [ln for ln in ax.get_lines() if (ln.get_gid() or "").startswith(prefix)]


def fig_texts(fig):
    out = [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
    return [t for t in out if t]


def min_font(fig):
    sizes = [t.get_fontsize() for t in fig.findobj(matplotlib.text.Text)
             if t.get_text() and t.get_visible()]
    return min(sizes) if sizes else 0


def legend_labels(fig):
    labels = []
    for leg in fig.legends + [ax.get_legend() for ax in fig.axes if ax.get_legend()]:
        labels += [t.get_text() for t in leg.get_texts()]
    return labels


def contour_counts(path, scan):
    """{(det, scen): number of stored polylines}."""
    out = {}
    with h5py.File(path, "r") as f:
        for det in f[scan]:
            for scen in f[scan][det]:
                out[(det, scen)] = len(f[scan][det][scen]["contour_start"])
    return out


def curves_inside_axes(ax, prefix):
    """Each curve's finite data lies within the axes' limits somewhere (it can be seen)."""
    x0, x1 = sorted(ax.get_xlim())
    y0, y1 = sorted(ax.get_ylim())
    ok = True
    for ln in gid_lines(ax, prefix):
        x, y = np.asarray(ln.get_xdata(), float), np.asarray(ln.get_ydata(), float)
        m = np.isfinite(x) & np.isfinite(y)
        if m.any():
            inside = (x[m] >= x0) & (x[m] <= x1) & (y[m] >= y0) & (y[m] <= y1)
            ok = ok and bool(inside.any())
    return ok


# ---------------------------------------------------------------------------------------------
# checks


def check_list(files):
    r = run([sys.executable, PLOT, files["rates_CsI"], files["rates_CsI_gc"], "--list"])
    check(r.returncode == 0, f"--list on rates files exits 0 ({r.stderr.strip()})")
    lines = r.stdout.splitlines()
    check(len(lines) == 2, f"--list on two CsI rates files gives a header and one figure: {lines}")
    check(any(l.split()[0] == "spectrum_CsI" and "with g_c" in l and "without g_c" in l
              for l in lines[1:]), f"--list names spectrum_CsI with and without g_c: {lines}")

    r = run([sys.executable, PLOT, files["rates_Ar"], files["rates_CsI"], "--list"])
    names = [l.split()[0] for l in r.stdout.splitlines() if l.startswith("  ")]
    check(names == ["spectrum_Ar", "spectrum_CsI", "rates_totals"],
          f"--list on Ar and CsI rates: spectra and totals, got {names}")

    expect = {
        "t_wm": ["t_wm_sin2_theta_W"],
        "t_nsi1": ["t_nsi1_eps_ee_uV", "t_nsi1_eps_taue_uV"],
        "t_nsi2": ["t_nsi2_ee-etau"],
        "t_nue": ["t_nue", "t_nue_regions"],
        "t_numu": ["t_numu_numu", "t_numu_numu_regions"],
    }
    for key, want in expect.items():
        r = run([sys.executable, PLOT, files[key], "--list"])
        check(r.returncode == 0, f"--list {key} exits 0")
        lines = r.stdout.splitlines()
        check(lines and lines[0].startswith(str(files[key])) and "scan" in lines[0],
              f"--list {key}: header names the file and kind: {lines[:1]}")
        got = [l.split()[0] for l in lines[1:]]
        check(got == want, f"--list {key}: figures {got}, expected {want}")
        check(all(len(l.split(None, 1)) == 2 for l in lines[1:]),
              f"--list {key}: every figure line has a description")
    r = run([sys.executable, PLOT, files["t_wm"], "--list"])
    check("Delta chi^2 vs sin^2(theta_W)" in r.stdout, "--list t_wm describes the profile")
    r = run([sys.executable, PLOT, files["t_nue"], "--list"])
    check("exclusion curves" in r.stdout and "nu_e" in r.stdout, "--list t_nue describes exclusion")


def check_spectrum(files):
    specs = plot.figures_for([files["rates_CsI"], files["rates_CsI_gc"]])
    check([s.name for s in specs] == ["spectrum_CsI"], "figures_for merges the two CsI files")
    name, desc, fn = specs[0]  # a plain (name, description, draw) triple
    fig = fn()
    axes = visible_axes(fig)
    check(len(axes) == 2, f"spectrum with and without g_c: main and ratio panels ({len(axes)})")
    main, ratio = axes
    stairs = [p for p in main.patches if (p.get_gid() or "").startswith("spectrum:")]
    check(len(stairs) == 2, f"two step histograms on the main panel ({len(stairs)})")
    check({p.get_gid() for p in stairs} == {"spectrum:gc", "spectrum:no_gc"},
          "one histogram with g_c, one without")
    with h5py.File(files["rates_CsI"], "r") as f:
        counts = f["CsI/counts"][()]
        edges = np.append(f["CsI/recoil_lo_keV"][()], f["CsI/recoil_hi_keV"][-1])
    no_gc = next(p for p in stairs if p.get_gid() == "spectrum:no_gc")
    vals, edg = no_gc.get_data().values, no_gc.get_data().edges
    check(np.allclose(vals, counts) and np.allclose(edg, edges), "histogram holds the file's bins")
    check(main.get_ylabel() == "events / 1.71 keV", f"y label: {main.get_ylabel()!r}")
    check(ratio.get_xlabel() == "nuclear recoil energy T [keV]", f"x label: {ratio.get_xlabel()!r}")
    check(len([p for p in ratio.patches if p.get_gid() == "ratio"]) == 1, "ratio panel histogram")
    check("CsI" in main.get_title(), "title names the detector")
    labels = legend_labels(fig)
    check(any("without $g_c$" in l for l in labels) and any(l.startswith("with $g_c$") for l in labels),
          f"legend says with/without g_c: {labels}")
    check(min_font(fig) >= 9, f"fonts >= 9 pt ({min_font(fig)})")

    fig = plot.figures_for(files["rates_CsI_gc"])[0].draw()
    axes = visible_axes(fig)
    check(len(axes) == 1 and len(axes[0].patches) == 1, "one file: one panel, one histogram")

    specs = plot.figures_for([files["rates_Ar"], files["rates_Ar_gc"], files["rates_CsI"],
                              files["rates_CsI_gc"]])
    tot = next(s for s in specs if s.name == "rates_totals").draw()
    ax = visible_axes(tot)[0]
    check(len(ax.patches) == 4, f"totals: 2 detectors x 2 variants bars ({len(ax.patches)})")
    check([t.get_text() for t in ax.get_xticklabels()] == DET_NAMES, "totals: detector ticks")


def check_profiles(files):
    for key, scan in (("t_wm", "sin2_theta_W"), ("t_nsi1", "eps_ee_uV"), ("t_nsi1", "eps_taue_uV")):
        name = f"{key}_{scan}"
        fig = plot.draw(files[key], name)
        axes = visible_axes(fig)
        check(len(axes) == 2, f"{name}: one panel per detector ({len(axes)})")
        check([ax.get_title() for ax in axes] == DET_NAMES, f"{name}: panel titles name detectors")
        with h5py.File(files[key], "r") as f:
            thr = float(f[f"{scan}/Ar/ideal"].attrs["delta_chi2_threshold"])
        for ax in axes:
            curves = gid_lines(ax, "curve:")
            check(len(curves) == 2, f"{name}/{ax.get_title()}: two scenario curves ({len(curves)})")
            check(len(ax.get_lines()) == 3, f"{name}/{ax.get_title()}: curves + CL line "
                                            f"({len(ax.get_lines())})")
            th = gid_lines(ax, "threshold")
            check(len(th) == 1 and np.allclose(th[0].get_ydata(), thr),
                  f"{name}: CL line at delta_chi2_threshold {thr}")
            check(any(t.get_text() == "90% CL" for t in ax.texts), f"{name}: line labelled 90% CL")
            check(curves_inside_axes(ax, "curve:"), f"{name}: curves inside the axes")
            check(ax.get_ylim()[0] == 0 and ax.get_ylim()[1] > thr, f"{name}: y range shows CL")
            check("$" in ax.get_xlabel(), f"{name}: mathtext x label {ax.get_xlabel()!r}")
        check(axes[0].get_ylabel() == r"$\Delta\chi^2$", f"{name}: y label")
        labels = legend_labels(fig)
        check(any(l.startswith("ideal") for l in labels) and any(l.startswith("sys30") for l in labels),
              f"{name}: legend names scenarios")
        check(min_font(fig) >= 9, f"{name}: fonts >= 9 pt ({min_font(fig)})")
        if scan == "sin2_theta_W":
            check(axes[0].get_xlabel() == r"$\sin^2\theta_W$", "sin2_theta_W x label")
            for ax in axes:
                leg = ax.get_legend()
                check(leg is not None and len(leg.get_texts()) == 2
                      and all(t.get_text().endswith("%") for t in leg.get_texts()),
                      "sin2_theta_W: per-panel sensitivity legend")
        if scan == "eps_ee_uV":
            check(axes[0].get_xlabel() == r"$\varepsilon_{e e}^{uV}$", "eps_ee x label")


def check_em(files):
    """Magnetic moment profiles carry the upper limit per scenario; the radius plane is drawn."""
    fig = plot.draw(files["t_em"], "t_em_mu_nu_mu")
    axes = visible_axes(fig)
    check(len(axes) == 2, f"t_em_mu_nu_mu: one panel per detector ({len(axes)})")
    check("10^{-10}" in axes[0].get_xlabel() and "mu" in axes[0].get_xlabel(),
          f"x label names mu_nu_mu and its units: {axes[0].get_xlabel()!r}")
    with h5py.File(files["t_em"], "r") as f:
        for ax in axes:
            leg = ax.get_legend()
            check(leg is not None and "limit" in leg.get_title().get_text(),
                  f"{ax.get_title()}: a per-panel upper-limit legend")
            want = [f"{float(f[f'mu_nu_mu/{ax.get_title()}/{sc}'].attrs['upper_limit']):.3g}"
                    for sc in ("ideal", "sys30")]
            got = [t.get_text() for t in leg.get_texts()] if leg else []
            check(got == want, f"{ax.get_title()}: legend holds the file's upper limits {want}: {got}")
    fig = plot.draw(files["t_em"], "t_em_r2")
    check(len(visible_axes(fig)) >= 2, "t_em_r2: the radius plane is drawn per detector")
    check(any("r^2" in ax.get_xlabel() for ax in visible_axes(fig)), "t_em_r2: x label <r^2_nu_e>")


def check_regions(files):
    name = "t_nsi2_ee-etau"
    fig = plot.draw(files["t_nsi2"], name)
    axes = visible_axes(fig)
    counts = contour_counts(files["t_nsi2"], "ee-etau")
    check(len(axes) == 2, f"{name}: two panels")
    check(sum(counts.values()) > 0, f"{name}: the file holds contours")
    for ax, det in zip(axes, DET_NAMES):
        for scen in SCENARIOS:
            n = len(gid_lines(ax, f"contour:{scen}"))
            check(n == counts[(det, scen)], f"{name}/{det}/{scen}: {n} polylines drawn, "
                                            f"{counts[(det, scen)]} stored")
        check(len(gid_lines(ax, "truth")) == 1, f"{name}/{det}: truth marked")
        check(len(ax.get_lines()) == sum(counts[(det, s)] for s in SCENARIOS) + 1,
              f"{name}/{det}: no stray lines")
        check(curves_inside_axes(ax, "contour:"), f"{name}/{det}: contours inside the axes")
        check(ax.get_xscale() == "linear", f"{name}: linear axes")
    # stored polylines drawn as they are, closed ones stay closed
    with h5py.File(files["t_nsi2"], "r") as f:
        g = f["ee-etau/Ar/ideal"]
        s0, n0 = int(g["contour_start"][0]), int(g["contour_length"][0])
        x0 = g["contour_x"][s0:s0 + n0]
    first = gid_lines(axes[0], "contour:ideal")[0]
    check(np.allclose(first.get_xdata(), x0), f"{name}: first polyline is the stored one")

    for key, scan, ch in (("t_nue", "t_nue", "nue"), ("t_numu", "numu", "numu")):
        excl_name = "t_nue" if key == "t_nue" else "t_numu_numu"
        fig = plot.draw(files[key], excl_name)
        axes = visible_axes(fig)
        check(len(axes) == 2, f"{excl_name}: two panels")
        for ax in axes:
            check(len(gid_lines(ax, "curve:")) == 2, f"{excl_name}: two exclusion curves per panel")
            check(ax.get_xscale() == "log" and ax.get_yscale() == "log", f"{excl_name}: log-log")
            lo, hi = ax.get_ylim()
            check(lo <= 0.0100001 and hi >= 99.999, f"{excl_name}: dm2 axis covers 0.01-100")
        check(r"\Delta m^2_{41}" in axes[0].get_ylabel() and "eV$^2$" in axes[0].get_ylabel(),
              f"{excl_name}: dm2 label {axes[0].get_ylabel()!r}")
        check(r"\sin^2 2\theta" in axes[-1].get_xlabel(), f"{excl_name}: sin^2 2theta label")
        nu = r"\nu_e" if ch == "nue" else r"\nu_\mu"
        check(nu in fig.get_suptitle(), f"{excl_name}: title names the channel")
        fig = plot.draw(files[key], excl_name + "_regions")
        counts = contour_counts(files[key], scan)
        for ax, det in zip(visible_axes(fig), DET_NAMES):
            n = len(gid_lines(ax, "contour:"))
            check(n == sum(counts[(det, s)] for s in SCENARIOS),
                  f"{excl_name}_regions/{det}: polylines drawn {n}")
            check(ax.get_xscale() == "log" and ax.get_yscale() == "log", "regions: log-log")


def modified_copy(src, dst, edit):
    shutil.copy(src, dst)
    with h5py.File(dst, "r+") as f:
        edit(f)
    return dst


def check_robustness(files, tmp):
    # NaN everywhere in the exclusion arrays
    def nan_exclusion(f):
        for det in f["t_nue"]:
            for scen in f["t_nue"][det]:
                ds = f["t_nue"][det][scen]["exclusion_sin2_2theta"]
                ds[...] = np.nan
    p = modified_copy(files["t_nue"], tmp / "nan_excl.h5", nan_exclusion)
    fig = plot.draw(p, "t_nue")
    for ax in visible_axes(fig):
        check(len(gid_lines(ax, "curve:")) == 2, "all-NaN exclusion: curves still there")
        check(any("nothing excluded" in t.get_text() for t in ax.texts), "all-NaN: says so")
        check(ax.get_xlim()[0] > 0, "all-NaN: x limits stay finite and positive")
    plot.save(fig, tmp / "robust", "nan_excl")
    check((tmp / "robust" / "nan_excl.png").stat().st_size > 0, "all-NaN figure saves")

    # zero contours
    def no_contours(f):
        for det in f["ee-etau"]:
            for scen in f["ee-etau"][det]:
                g = f["ee-etau"][det][scen]
                for n in ("contour_x", "contour_y", "contour_start", "contour_length"):
                    dtype = g[n].dtype
                    del g[n]
                    g.create_dataset(n, shape=(0,), dtype=dtype)
    p = modified_copy(files["t_nsi2"], tmp / "zero_contours.h5", no_contours)
    fig = plot.draw(p, "t_nsi2_ee-etau")
    for ax in visible_axes(fig):
        check(len(gid_lines(ax, "contour:")) == 0, "zero contours: nothing drawn")
        check(any("no boundary" in t.get_text() for t in ax.texts), "zero contours: says so")
    plot.save(fig, tmp / "robust", "zero_contours")

    # no stored contours at all: drawn from delta_chi2
    def drop_contours(f):
        for det in f["ee-etau"]:
            for scen in f["ee-etau"][det]:
                g = f["ee-etau"][det][scen]
                for n in ("contour_x", "contour_y", "contour_start", "contour_length"):
                    del g[n]
    p = modified_copy(files["t_nsi2"], tmp / "no_contours.h5", drop_contours)
    fig = plot.draw(p, "t_nsi2_ee-etau")
    check(all(len(gid_lines(ax, "contour:ideal")) >= 1 for ax in visible_axes(fig)),
          "no stored contours: drawn from delta_chi2")

    # empty intervals, no sensitivity
    def empty_intervals(f):
        for det in f["sin2_theta_W"]:
            for scen in f["sin2_theta_W"][det]:
                g = f["sin2_theta_W"][det][scen]
                for n in ("intervals", "interval_open"):
                    dtype = g[n].dtype
                    del g[n]
                    g.create_dataset(n, shape=(0, 2), dtype=dtype)
                g.attrs["sensitivity_percent"] = np.nan
    p = modified_copy(files["t_wm"], tmp / "empty_intervals.h5", empty_intervals)
    fig = plot.draw(p, "t_wm_sin2_theta_W")
    ax = visible_axes(fig)[0]
    check(len(gid_lines(ax, "curve:")) == 2, "empty intervals: curves drawn")
    check([t.get_text() for t in ax.get_legend().get_texts()] == ["n/a", "n/a"],
          "empty intervals: sensitivity n/a")

    # NaN holes in delta_chi2 and an incomplete checkpoint
    def incomplete(f):
        f.attrs["complete"] = np.int64(0)
        ds = f["sin2_theta_W/Ar/ideal/delta_chi2"]
        v = ds[()]
        v[::3] = np.nan
        ds[...] = v
    p = modified_copy(files["t_wm"], tmp / "incomplete.h5", incomplete)
    fig = plot.draw(p, "t_wm_sin2_theta_W")
    check("incomplete" in fig.get_suptitle(), "incomplete checkpoint: said in the title")
    r = run([sys.executable, PLOT, p, "--list"])
    check(r.returncode == 0 and "incomplete" in r.stdout.splitlines()[0], "--list says incomplete")

    # files that are not cevns-scan outputs: exit 2, one line
    txt = tmp / "notes.h5"
    txt.write_text("not hdf5\n")
    bare = tmp / "bare.h5"
    with h5py.File(bare, "w") as f:
        f.create_dataset("x", data=np.arange(3))
    odd = tmp / "odd_kind.h5"
    with h5py.File(odd, "w") as f:
        f.attrs["file_kind"] = "histogram"
    for bad in (txt, bare, odd, tmp / "missing.h5"):
        modes = [["--list"]] + ([["-o", str(tmp / "out_bad")]] if bad in (txt, odd) else [])
        for extra in modes:
            r = run([sys.executable, PLOT, files["t_wm"], bad] + extra)
            err = r.stderr.strip().splitlines()
            check(r.returncode == 2, f"{bad.name} {extra[0]}: exit 2 (got {r.returncode})")
            check(len(err) == 1 and err[0].startswith("plot.py: error:") and bad.name in err[0],
                  f"{bad.name}: one-line error naming the file: {err}")
            check(r.stdout == "", f"{bad.name}: nothing listed or drawn before the error")
        try:
            plot.figures_for(bad)
            check(False, f"figures_for({bad.name}) raises NotCevnsFile")
        except plot.NotCevnsFile:
            check(True, "")
    check(not (tmp / "out_bad").exists(), "no output directory made for a bad file")


def check_cli(files, tmp):
    out = tmp / "figs"
    args = [files[k] for k in ("rates_CsI", "rates_CsI_gc", "t_wm", "t_nsi1", "t_nsi2", "t_nue",
                               "t_numu")]
    r = run([sys.executable, PLOT] + args + ["-o", out])
    check(r.returncode == 0, f"plot.py on all files exits 0 ({r.stderr.strip()[-300:]})")
    want = ["spectrum_CsI", "t_wm_sin2_theta_W", "t_nsi1_eps_ee_uV", "t_nsi1_eps_taue_uV",
            "t_nsi2_ee-etau", "t_nue", "t_nue_regions", "t_numu_numu", "t_numu_numu_regions"]
    for name in want:
        png, pdf = out / f"{name}.png", out / f"{name}.pdf"
        check(png.exists() and png.stat().st_size > 1000
              and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{name}.png written")
        check(pdf.exists() and pdf.stat().st_size > 1000 and pdf.read_bytes()[:5] == b"%PDF-",
              f"{name}.pdf written")
    extra = sorted(p.name for p in out.iterdir()) if out.exists() else []
    check(len(extra) == 2 * len(want), f"exactly the figures, no temporaries: {extra}")
    r = run([sys.executable, PLOT, files["t_wm"]])
    check(r.returncode == 2, "without -o and --list: usage error, exit 2")


# ---------------------------------------------------------------------------------------------
# fit files (cevns fit on the COHERENT releases)

DATA_DIR = os.environ.get("CEVNS_DATA") or os.path.join(str(REPO), "..", "shared", "data", "coherent")
FIT_CONFIGS = [str(REPO / "configs" / "data" / f"{n}.json") for n in ("csi2017", "csi2021", "lar2020")]


def make_fit_file(binary, tmp):
    out = tmp / "fit.h5"
    r = run([binary, "fit", *FIT_CONFIGS, "--data-dir", DATA_DIR, "-o", out])
    if r.returncode != 0:
        raise RuntimeError(f"cevns fit failed: {r.stderr.strip()}")
    return out


def check_fit(binary, tmp):
    path = make_fit_file(binary, tmp)
    with h5py.File(path, "r") as f:
        check(f.attrs["file_kind"] == "fit", "fit file: file_kind fit")
        sets = ["CsI2017", "CsI2021", "LAr2020", "combined"]
        check(all(s in f for s in sets), f"fit file: groups {list(f)}")
        planes = ["eps_ee_etau", "sterile_nue", "sterile_numu"]
        mediators = ["vector_universal", "vector_b_minus_l", "vector_lmu_ltau", "scalar"]
    names = [s.name for s in plot.figures_for(path)]
    # In the configs' order: profiles (fit.scans), then planes (fit.planes).
    want = (["fit_check_CsI2017", "fit_n_cevns"]
            + [f"fit_profile_{p}" for p in ("sin2_theta_W", "mu_nu_e", "mu_nu_mu", "r2_nu_e",
                                            "r2_nu_mu", "eps_ee_uV", "eps_taue_uV", "rn_fm")]
            + ["fit_eps_ee_etau", "fit_mu_nu_e_mu", "fit_sterile_nue", "fit_sterile_nue_regions",
               "fit_sterile_numu", "fit_sterile_numu_regions"]
            + [f"fit_{m}" for m in mediators]
            + ["fit_sin2_theta_W-rn_fm", "fit_rn_Cs-rn_I"])
    check(names == want, f"fit figures {names}")
    r = run([sys.executable, PLOT, path, "--list"])
    check(r.returncode == 0 and r.stdout.splitlines()[0].endswith("[fit]"),
          f"--list on a fit file: {r.stdout.splitlines()[:1]}")

    # first-measurement check: two step histograms (with and without g_c) and the measured points
    fig = plot.draw(path, "fit_check_CsI2017")
    ax = visible_axes(fig)[0]
    stairs = {p.get_gid(): p for p in ax.patches if (p.get_gid() or "").startswith("spectrum:")}
    check(set(stairs) == {"spectrum:gc", "spectrum:no_gc"}, f"check: with and without g_c {set(stairs)}")
    with h5py.File(path, "r") as f:
        g = f["CsI2017/first_measurement_check"]
        pred, pred_gc, meas = g["predicted"][()], g["predicted_gc"][()], g["measured"][()]
        edges = np.append(g["pe_lo"][()], g["pe_hi"][-1])
    check(np.allclose(stairs["spectrum:no_gc"].get_data().values, pred)
          and np.allclose(stairs["spectrum:no_gc"].get_data().edges, edges),
          "check: histogram holds the predicted counts per PE bin")
    check(np.allclose(stairs["spectrum:gc"].get_data().values, pred_gc), "check: g_c histogram")
    check(pred_gc.sum() > pred.sum(), "check: g_c raises the prediction")
    bars = [c for c in ax.containers if getattr(c, "has_yerr", False)]
    check(len(bars) == 1 and np.allclose(bars[0].lines[0].get_ydata(), meas),
          "check: measured C - AC with error bars")
    check("PE" in ax.get_xlabel() and "PE" in ax.get_ylabel(), f"check: PE units {ax.get_xlabel()!r}")
    check(any("$g_c$" in t for t in legend_labels(fig)), "check: legend names g_c in mathtext")
    check(min_font(fig) >= 9, "check: fonts >= 9 pt")

    # profiles: a curve per data set and the joint fit, the 90% line
    for p in ("sin2_theta_W", "eps_ee_uV", "eps_taue_uV", "rn_fm"):
        fig = plot.draw(path, f"fit_profile_{p}")
        ax = visible_axes(fig)[0]
        curves = gid_lines(ax, "curve:")
        check([c.get_gid() for c in curves] == [f"curve:{s}" for s in sets],
              f"profile {p}: curves {[c.get_gid() for c in curves]}")
        th = gid_lines(ax, "threshold")
        check(len(th) == 1 and np.allclose(th[0].get_ydata(), 2.705543454095404, atol=1e-6),
              f"profile {p}: 90% CL line at 2.71")
        check(curves_inside_axes(ax, "curve:"), f"profile {p}: curves inside the axes")
        check("$" in ax.get_xlabel() and "ln" in ax.get_ylabel(), f"profile {p}: mathtext labels")
        check("joint fit" in legend_labels(fig), f"profile {p}: legend names the joint fit")
    fig = plot.draw(path, "fit_n_cevns")
    axes = visible_axes(fig)
    check([a.get_title() for a in axes] == sets[:3], "n_cevns: a panel per data set")
    check(all(len(gid_lines(a, "predicted")) == 1 for a in axes), "n_cevns: SM prediction marked")

    # planes: stored polylines drawn, one colour per data set
    with h5py.File(path, "r") as f:
        counts = {(s, pl): len(f[f"{s}/{pl}/contour_start"]) for s in sets for pl in planes}
    for pl, fname in (("eps_ee_etau", "fit_eps_ee_etau"), ("sterile_nue", "fit_sterile_nue_regions"),
                      ("sterile_numu", "fit_sterile_numu_regions")):
        ax = visible_axes(plot.draw(path, fname))[0]
        for s in sets:
            n = len(gid_lines(ax, f"contour:{s}"))
            check(n == counts[(s, pl)], f"{fname}/{s}: {n} polylines drawn, {counts[(s, pl)]} stored")
        sterile = pl.startswith("sterile")
        check((ax.get_xscale(), ax.get_yscale()) == (("log", "log") if sterile else ("linear", "linear")),
              f"{fname}: scales")
    check(counts[("combined", "eps_ee_etau")] >= 1, "the joint eps plane has a contour")
    # light-mediator planes: the stored polylines per data set and the joint fit, log-log, the whole
    # mass axis, the model named in the title
    with h5py.File(path, "r") as f:
        mcounts = {(s, m): len(f[f"{s}/{m}/contour_start"]) for s in sets for m in mediators}
        masses = f["combined/vector_universal/mediator_mass_MeV"][()]
    for m in mediators:
        fig = plot.draw(path, f"fit_{m}")
        ax = visible_axes(fig)[0]
        for s in sets:
            n = len(gid_lines(ax, f"contour:{s}"))
            check(n == mcounts[(s, m)], f"fit_{m}/{s}: {n} polylines drawn, {mcounts[(s, m)]} stored")
        check((ax.get_xscale(), ax.get_yscale()) == ("log", "log"), f"fit_{m}: log-log")
        lo, hi = ax.get_ylim()
        check(np.isclose(lo, masses[0]) and np.isclose(hi, masses[-1]), f"fit_{m}: the whole mass axis")
        check("MeV" in ax.get_ylabel() and "$g$" in ax.get_xlabel(), f"fit_{m}: axis labels")
        check("COHERENT" in fig._suptitle.get_text(), f"fit_{m}: title")
        check(mcounts[("combined", m)] >= 1, f"fit_{m}: the joint fit has a boundary")
    for ch in ("nue", "numu"):
        fig = plot.draw(path, f"fit_sterile_{ch}")
        ax = visible_axes(fig)[0]
        check(len(gid_lines(ax, "curve:")) == 4, f"sterile {ch}: 4 exclusion curves")
        lo, hi = ax.get_ylim()
        check(lo <= 0.0100001 and hi >= 99.999, f"sterile {ch}: dm2 axis 0.01-100")
        check("eV$^2$" in ax.get_ylabel(), f"sterile {ch}: dm2 units")
    out = tmp / "fit_figs"
    r = run([sys.executable, PLOT, path, "-o", out])
    check(r.returncode == 0, f"plot.py on the fit file exits 0 ({r.stderr.strip()[-300:]})")
    check(sorted(p.name for p in out.iterdir()) == sorted(f"{n}.{e}" for n in want for e in ("png", "pdf")),
          "plot.py writes every fit figure as PNG and PDF")


def main():
    # --fit: only the fit-file checks, which need the COHERENT data; without the data they exit
    # 77, which ctest reports as skipped (SKIP_RETURN_CODE), not passed.
    fit_only = sys.argv[2:] == ["--fit"]
    if len(sys.argv) != 2 and not fit_only:
        print("usage: test_plot.py PATH_TO_CEVNS_BINARY [--fit]", file=sys.stderr)
        return 2
    binary = Path(sys.argv[1]).resolve()
    if fit_only and not os.path.isdir(DATA_DIR):
        print(f"SKIP: fit-file checks: COHERENT data not found at {os.path.normpath(DATA_DIR)}")
        return 77
    t0 = time.time()
    tmp = Path(tempfile.mkdtemp(prefix="cevns_plot_test_"))
    try:
        if fit_only:
            section("fit", check_fit, binary, tmp)
            print(f"({time.time() - t0:.1f} s)")
            print(f"plot tests (fit files): {PASSED} passed, {FAILED} failed")
            return 1 if FAILED or not PASSED else 0
        try:
            files = make_files(binary, tmp)
        except Exception as err:
            print(f"FAIL: making the input files: {err}")
            print("plot tests: 0 passed, 1 failed")
            return 1
        section("list", check_list, files)
        section("spectrum", check_spectrum, files)
        section("profiles", check_profiles, files)
        section("regions", check_regions, files)
        section("electromagnetic", check_em, files)
        section("robustness", check_robustness, files, tmp)
        section("cli", check_cli, files, tmp)
        section("combinations", check_combinations, binary, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"({time.time() - t0:.1f} s)")
    print(f"plot tests: {PASSED} passed, {FAILED} failed")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
