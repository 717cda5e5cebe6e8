#!/usr/bin/env python3
"""Figures from the HDF5 files cevns-scan writes (layout: docs/output-format.md).

Usage:
    python3 scripts/plot.py FILE.h5 [FILE2.h5 ...] -o DIR     draw every figure, PNG and PDF
    python3 scripts/plot.py FILE.h5 [FILE2.h5 ...] --list     say what would be drawn

A file is recognised by its root attribute ``file_kind``:

* ``rates``: one recoil spectrum per detector (step histogram, events per bin). Rates files of
  the same detector given together, with and without the kinematic correction g_c (group
  attribute ``kinematic_correction``), share one figure with a ratio panel. Rates files of two
  or more detectors given together also give a figure of the expected totals.
* ``scan``: per scan group, by its ``parameters`` attribute,
    - one parameter (sin2_theta_W, eps_*, ...): Delta chi^2 profiles, a panel per detector, a
      curve per scenario, the threshold ``delta_chi2_threshold`` drawn as the CL line;
    - two parameters: the CL regions from the stored contour polylines (contour_x, contour_y,
      contour_start, contour_length), a panel per detector, a colour and line style per
      scenario; sterile scans (``channel`` nue/numu, axes sin2_2theta, dm2_eV2) on log-log axes,
      plus the raster exclusion curves ``exclusion_sin2_2theta`` when the file holds them.

* ``fit`` (``cevns fit`` on COHERENT data): one group per data set plus ``combined`` (the joint
  fit), each holding
    - ``first_measurement_check`` (CsI 2017): the predicted CEvNS spectrum in PE bins with and
      without g_c as step histograms against the measured beam-on coincidence minus
      anti-coincidence counts with their errors (figure fit_check_<dataset>);
    - ``n_cevns`` and ``profile_<parameter>``: Delta(-2 ln L) curves, one figure per parameter
      with a curve per data set and the joint fit, the 90% CL line (fit_n_cevns,
      fit_profile_<parameter>);
    - two-parameter planes (attribute ``parameters``): the (eps_ee, eps_etau) CL regions
      (fit_<plane>) and, for sterile planes, the raster exclusion curves (fit_<plane>) and the
      2-parameter contours (fit_<plane>_regions), a colour per data set.

Importable: ``figures_for(path_or_paths)`` returns ``(name, description, draw)`` triples whose
``draw()`` returns a matplotlib Figure (no pyplot state involved); ``draw(paths, name)`` draws
one figure by name; ``save(fig, directory, name)`` writes NAME.png and NAME.pdf.

Figure names: spectrum_<detector>, rates_totals, and <study>_<scan> for scans (just <scan> when
it equals the study name), with _regions for the 2-D contours of a sterile scan that also has
exclusion curves. Options: --only NAME,NAME..., --dpi (PNG, default 150), --format (default png,pdf).

Exit status: 0 on success; 2 (one line on stderr) for a file that is not a cevns-scan output or
for bad arguments; 1 when a figure failed to draw (one line each; the others are still drawn).
"""

import argparse
import json
import math
import os
import re
import sys

import h5py
import numpy as np

# matplotlib is imported on first drawing (--list and errors stay quick); only its object API is
# used (Figure, not pyplot), so no GUI backend is ever needed.
matplotlib = Figure = Line2D = PathPatch = Path = None


def _mpl():
    global matplotlib, Figure, Line2D, PathPatch, Path
    if Figure is None:
        import matplotlib as mpl
        from matplotlib.figure import Figure as figure_cls
        from matplotlib.lines import Line2D as line_cls
        from matplotlib.patches import PathPatch as patch_cls
        from matplotlib.path import Path as path_cls
        matplotlib, Figure, Line2D, PathPatch, Path = mpl, figure_cls, line_cls, patch_cls, path_cls

# Paper-size defaults: 7 x 5 in, no font below 9 pt.
STYLE = {
    "font.size": 10,
    "axes.titlesize": 10,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.title_fontsize": 9,
    "figure.titlesize": 11,
    "lines.linewidth": 1.6,
    "axes.grid": True,
    "grid.alpha": 0.25,
    "grid.linewidth": 0.6,
    "savefig.dpi": 150,
    "pdf.fonttype": 42,
}
FIG_W = 7.0

# Okabe-Ito colours (colour-blind safe), and line styles so print in grey still separates them.
SCENARIO_STYLES = {
    "ideal": {"color": "#0072B2", "linestyle": "-"},
    "eff50": {"color": "#D55E00", "linestyle": "--"},
    "sys15": {"color": "#009E73", "linestyle": "-."},
    "sys30": {"color": "#CC79A7", "linestyle": (0, (1.2, 1.2)), "linewidth": 2.0},
}
EXTRA_STYLES = [
    {"color": "#E69F00", "linestyle": (0, (5, 1.5, 1, 1.5, 1, 1.5))},
    {"color": "#56B4E9", "linestyle": (0, (8, 2))},
    {"color": "#000000", "linestyle": "-", "linewidth": 1.0},
    {"color": "#F0E442", "linestyle": "--"},
]


class NotCevnsFile(Exception):
    """The file is missing, not HDF5, or not written by cevns-scan."""


# ---------------------------------------------------------------------------------------------
# Reading


def _text(value):
    """An attribute as str (h5py may hand back bytes or numpy strings)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.ndarray) and value.shape == ():
        return _text(value[()])
    return str(value)


def _attr_text(obj, key, default=None):
    if key not in obj.attrs:
        return default
    return _text(obj.attrs[key])


def _attr_float(obj, key, default=float("nan")):
    if key not in obj.attrs:
        return default
    try:
        return float(np.asarray(obj.attrs[key]).ravel()[0])
    except (TypeError, ValueError, IndexError):
        return default


def _attr_floats(obj, key):
    if key not in obj.attrs:
        return []
    try:
        return [float(v) for v in np.asarray(obj.attrs[key]).ravel()]
    except (TypeError, ValueError):
        return []


def open_cevns(path):
    """Opens PATH read-only and checks that cevns-scan wrote it; raises NotCevnsFile."""
    if not os.path.exists(path):
        raise NotCevnsFile(f"{path}: no such file")
    if os.path.isdir(path):
        raise NotCevnsFile(f"{path}: is a directory, not a cevns-scan output file")
    try:
        hdf5 = h5py.is_hdf5(path)
    except OSError as err:
        raise NotCevnsFile(f"{path}: cannot read ({err})")
    if not hdf5:
        raise NotCevnsFile(f"{path}: not an HDF5 file, so not a cevns-scan output")
    try:
        f = h5py.File(path, "r")
    except OSError as err:
        raise NotCevnsFile(f"{path}: cannot open as HDF5 ({err})")
    kind = _attr_text(f, "file_kind")
    if kind not in ("rates", "scan", "fit"):
        f.close()
        what = "no file_kind attribute" if kind is None else f"unknown file_kind {kind!r}"
        raise NotCevnsFile(f"{path}: not a cevns-scan output ({what}; expected rates, scan or fit)")
    return f


def _config(f):
    try:
        return json.loads(_attr_text(f, "config_json", "{}"))
    except ValueError:
        return {}


def _ordered(names, preferred):
    """NAMES with those in PREFERRED first, in its order, then the rest in file order."""
    names = list(names)
    head = [n for n in preferred if n in names]
    return head + [n for n in names if n not in head]


def _subgroups(group):
    return [k for k in group if isinstance(group[k], h5py.Group)]


def _inventory(path):
    """What PATH holds, from attributes only (no large array is read)."""
    with open_cevns(path) as f:
        kind = _attr_text(f, "file_kind")
        cfg = _config(f)
        inv = {
            "path": path,
            "kind": kind,
            "study": cfg.get("name", "") if kind == "scan" else "",
            "complete": _attr_float(f, "complete", 1.0) != 0.0,
            "config": cfg,
        }
        if kind == "fit":
            inv["fit"] = _fit_inventory(f)
            return inv
        if kind == "rates":
            inv["groups"] = []
            for name in _subgroups(f):
                g = f[name]
                if "counts" not in g:
                    continue
                inv["groups"].append({
                    "path": path,
                    "group": name,
                    "detector": _attr_text(g, "detector", name),
                    "gc": _attr_float(g, "kinematic_correction", 0.0) != 0.0,
                    "bin_width": _attr_float(g, "bin_width_keV"),
                    "total": _attr_float(g, "total"),
                })
            return inv
        det_order = [d.get("name") for d in cfg.get("detectors", []) if isinstance(d, dict)]
        scen_order = [s.get("name") if isinstance(s, dict) else s
                      for s in cfg.get("scenarios", [])]
        scan_order = [s.get("name") for s in cfg.get("scans", []) if isinstance(s, dict)]
        inv["scans"] = []
        for scan in _ordered(_subgroups(f), scan_order):
            detectors, scenarios, leaves = [], [], {}
            parameters, channel = None, None
            for det in _ordered(_subgroups(f[scan]), det_order):
                for scen in _ordered(_subgroups(f[scan][det]), scen_order):
                    g = f[scan][det][scen]
                    if "delta_chi2" not in g or "parameters" not in g.attrs:
                        continue
                    params = [p.strip() for p in _attr_text(g, "parameters").split(",") if p.strip()]
                    if parameters is None:
                        parameters = params
                        channel = _attr_text(g, "channel")
                    elif params != parameters:
                        continue
                    if det not in detectors:
                        detectors.append(det)
                    if scen not in scenarios:
                        scenarios.append(scen)
                    leaves[(det, scen)] = f"{scan}/{det}/{scen}"
            if not leaves:
                continue
            scenarios = _ordered(scenarios, scen_order)
            first = f[next(iter(leaves.values()))]
            inv["scans"].append({
                "path": path,
                "name": scan,
                "parameters": parameters,
                "channel": channel,
                "detectors": detectors,
                "scenarios": scenarios,
                "leaves": leaves,
                "has_exclusion": "exclusion_sin2_2theta" in first,
                "has_feldman_cousins": "critical_delta_chi2" in first,
                "has_contours": "contour_x" in first,
            })
        return inv


def _fit_inventory(f):
    """The data sets (groups with a ``release`` attribute, in file order, then ``combined``) of a
    fit file, and what each holds."""
    sets = []
    for name in _subgroups(f):
        g = f[name]
        if "release" not in g.attrs and name != "combined":
            continue
        planes = {}
        for sub in _subgroups(g):
            params = [p for p in _attr_text(g[sub], "parameters", "").split(",") if p]
            if len(params) == 2 and "delta_chi2" in g[sub]:
                planes[sub] = {"parameters": params, "channel": _attr_text(g[sub], "channel"),
                               "mediator": _attr_text(g[sub], "mediator"),
                               "has_exclusion": "exclusion_sin2_2theta" in g[sub]}
        sets.append({
            "name": name,
            "combined": name == "combined",
            "check": "first_measurement_check" in g,
            "n_cevns": "n_cevns" in g,
            "profiles": [k[len("profile_"):] for k in _subgroups(g) if k.startswith("profile_")],
            "planes": planes,
        })
    sets.sort(key=lambda s: s["combined"])  # the joint fit last
    return sets


def _read(g, name, default=None):
    if name not in g:
        return default
    return np.asarray(g[name][()], dtype=float)


def _read_leaf(path, leaf):
    """Everything a figure needs from one scan group."""
    with h5py.File(path, "r") as f:
        g = f[leaf]
        params = [p.strip() for p in _attr_text(g, "parameters").split(",")]
        d = {
            "detector": _attr_text(g, "detector", leaf.split("/")[-2]),
            "scenario": _attr_text(g, "scenario", leaf.split("/")[-1]),
            "parameters": params,
            "axes": [_read(g, p, np.array([])) for p in params],
            "scales": [_attr_text(g[p], "scale", "linear") if p in g else "linear" for p in params],
            "delta_chi2": _read(g, "delta_chi2"),
            "threshold": _attr_float(g, "delta_chi2_threshold"),
            "raster_threshold": _attr_float(g, "raster_delta_chi2_threshold"),
            "cl": _attr_float(g, "cl"),
            "efficiency": _attr_float(g, "efficiency"),
            "sigma_alpha": _attr_float(g, "sigma_alpha"),
            "sigma_beta": _attr_float(g, "sigma_beta"),
            "true_values": _attr_floats(g, "true_values"),
            "best_fit": _attr_floats(g, "best_fit"),
            "sensitivity": _attr_float(g, "sensitivity_percent"),
            "upper_limit": _attr_float(g, "upper_limit"),
            "channel": _attr_text(g, "channel"),
            "exclusion": _read(g, "exclusion_sin2_2theta"),
            "intervals": _read(g, "intervals", np.zeros((0, 2))).reshape(-1, 2),
            "polylines": None,
        }
        if len(params) == 2 and "contour_x" in g and "contour_start" in g:
            x, y = _read(g, "contour_x"), _read(g, "contour_y")
            starts = np.asarray(g["contour_start"][()], dtype=np.int64).ravel()
            lengths = np.asarray(g["contour_length"][()], dtype=np.int64).ravel()
            d["polylines"] = [(x[s:s + n], y[s:s + n]) for s, n in zip(starts, lengths)
                              if n > 0 and s >= 0 and s + n <= len(x)]
    return d


# ---------------------------------------------------------------------------------------------
# Labels

_FLAVOUR = {"e": "e", "mu": r"\mu", "tau": r"\tau"}


def param_symbol(name, channel=None):
    """Mathtext symbol of a scan parameter, without units."""
    if name == "sin2_theta_W":
        return r"$\sin^2\theta_W$"
    if name == "sin2_2theta":
        sub = {"nue": "_{ee}", "numu": r"_{\mu\mu}"}.get(channel or "", "")
        return rf"$\sin^2 2\theta{sub}$"
    if name == "dm2_eV2":
        return r"$\Delta m^2_{41}$"
    if name == "mediator_coupling":
        return r"$g$"
    if name == "mediator_mass_MeV":
        return r"$m_{Z'/\phi}$"
    m = re.fullmatch(r"(mu|r2)_nu_(e|mu)", name)
    if m:
        kind, fl = m.groups()
        return (rf"$\mu_{{\nu_{{{_FLAVOUR[fl]}}}}}$" if kind == "mu"
                else rf"$\langle r^2_{{\nu_{{{_FLAVOUR[fl]}}}}}\rangle$")
    if name == "rn_fm":
        return r"$R_n$"
    m = re.fullmatch(r"rn_([A-Z][a-z]?)_fm", name)
    if m:
        return rf"$R_n(\mathrm{{{m.group(1)}}})$"
    m = re.fullmatch(r"eps_(tau|mu|e)(tau|mu|e)_([ud])([VA])", name)
    if m:
        a, b, q, va = m.groups()
        return rf"$\varepsilon_{{{_FLAVOUR[a]} {_FLAVOUR[b]}}}^{{{q}{va}}}$"
    return name.replace("_", r"\_")


MEDIATOR_LABELS = {"vector_universal": "universal vector $Z'$", "vector_b_minus_l": "$B-L$ vector $Z'$",
                   "vector_lmu_ltau": r"$L_\mu-L_\tau$ vector $Z'$", "scalar": r"scalar $\phi$"}


def param_label(name, channel=None):
    """Axis label: symbol and units."""
    if name == "dm2_eV2":
        return r"$\Delta m^2_{41}$ [eV$^2$]"
    if name == "mediator_mass_MeV":
        return param_symbol(name, channel) + " [MeV]"
    if name in ("mu_nu_e", "mu_nu_mu"):
        return param_symbol(name, channel) + r" [$10^{-10}\,\mu_B$]"
    if name in ("r2_nu_e", "r2_nu_mu"):
        return param_symbol(name, channel) + r" [$10^{-32}$ cm$^2$]"
    if re.fullmatch(r"rn(_[A-Z][a-z]?)?_fm", name):
        return param_symbol(name, channel) + " [fm]"
    return param_symbol(name, channel)


def _pct(x):
    if not np.isfinite(x):
        return "?"
    return f"{100 * x:.0f}%"


def scenario_label(d):
    """'ideal: eff. 100%, sigma_alpha 0%, sigma_beta 0%' from a scan group's attributes."""
    parts = []
    if np.isfinite(d["efficiency"]):
        parts.append(f"eff. {_pct(d['efficiency'])}")
    if np.isfinite(d["sigma_alpha"]):
        parts.append(rf"$\sigma_\alpha$ {_pct(d['sigma_alpha'])}")
    if np.isfinite(d["sigma_beta"]):
        parts.append(rf"$\sigma_\beta$ {_pct(d['sigma_beta'])}")
    return d["scenario"] + (": " + ", ".join(parts) if parts else "")


def scenario_style(name, order):
    if name in SCENARIO_STYLES:
        return dict(SCENARIO_STYLES[name])
    unknown = [s for s in order if s not in SCENARIO_STYLES]
    k = unknown.index(name) if name in unknown else 0
    return dict(EXTRA_STYLES[k % len(EXTRA_STYLES)])


def _cl_text(cl):
    if not np.isfinite(cl):
        return "CL"
    return f"{100 * cl:g}% CL"


# ---------------------------------------------------------------------------------------------
# Layout helpers


def _panel_grid(n):
    if n <= 1:
        return 1, 1
    if n <= 4:
        return 2, 2 if n > 2 else 1
    cols = 3
    return cols, math.ceil(n / cols)


def _panels(n, title, sharex=False, sharey=False, height_per_row=None):
    """A figure with N panels (hidden spares) and a suptitle; returns (fig, axes list)."""
    cols, rows = _panel_grid(n)
    if height_per_row is None:
        height = (3.9 if n > 1 else 5.0) if rows == 1 else 5.0 if rows == 2 else 1.2 + 2.2 * rows
    else:
        height = 1.4 + height_per_row * rows
    fig = Figure(figsize=(FIG_W, height), layout="constrained")
    grid = fig.subplots(rows, cols, squeeze=False, sharex=sharex, sharey=sharey)
    axes = list(grid.ravel())
    for ax in axes[n:]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title)
    return fig, axes[:n]


def _figure_legend(fig, handles, labels, ncols=2):
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncols=ncols, frameon=False,
                   handlelength=2.6, columnspacing=1.6)


def _nice_title(inv, text):
    if not inv["complete"]:
        text += " (incomplete checkpoint)"
    return text


def _finite_range(values):
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return None
    return float(v.min()), float(v.max())


def _pad_range(lo, hi, grid_lo, grid_hi, frac=0.08, log=False):
    if log and lo > 0 and hi > 0:
        llo, lhi = math.log10(lo), math.log10(hi)
        span = max(lhi - llo, 0.2)
        lo, hi = 10 ** (llo - frac * span), 10 ** (lhi + frac * span)
    else:
        span = hi - lo
        if span <= 0:
            span = (grid_hi - grid_lo) * 0.05 or 1.0
        lo, hi = lo - frac * span, hi + frac * span
    return max(lo, grid_lo), min(hi, grid_hi)


# ---------------------------------------------------------------------------------------------
# (a) recoil spectrum


def _read_rates(item):
    with h5py.File(item["path"], "r") as f:
        g = f[item["group"]]
        lo, hi = _read(g, "recoil_lo_keV"), _read(g, "recoil_hi_keV")
        counts = _read(g, "counts")
        centre = _read(g, "recoil_keV")
        if lo is None or hi is None:
            if centre is None or len(centre) == 0:
                lo = hi = np.array([])
            else:
                w = item["bin_width"] if np.isfinite(item["bin_width"]) else (
                    np.diff(centre).mean() if len(centre) > 1 else 1.0)
                lo, hi = centre - w / 2, centre + w / 2
        cfg = _config(f)
    return lo, hi, counts, cfg


def _gc_label(gc):
    return r"with $g_c$" if gc else r"without $g_c$"


def _exposure_text(cfg):
    bits = []
    where = []
    if "mass_kg" in cfg:
        where.append(f"{cfg['mass_kg']:g} kg")
    if "baseline_m" in cfg:
        where.append(f"at {cfg['baseline_m']:g} m")
    if where:
        bits.append(" ".join(where))
    if "threshold_keV" in cfg:
        bits.append(f"threshold {cfg['threshold_keV']:g} keV")
    src = cfg.get("source", {}) if isinstance(cfg.get("source"), dict) else {}
    pot = src.get("protons_on_target")
    if pot:
        e = int(math.floor(math.log10(pot)))
        bits.append(rf"${pot / 10 ** e:g}\times10^{{{e}}}$ POT")
    return ", ".join(bits)


def draw_spectrum(items):
    """Recoil spectrum of one detector as step histograms, one per rates group in ITEMS (dicts
    from _inventory). With one variant with and one without g_c, adds a ratio panel."""
    _mpl()
    variants = [(item, *_read_rates(item)) for item in items]
    detector = items[0]["detector"]
    widths = {round(it["bin_width"], 6) for it in items if np.isfinite(it["bin_width"])}
    gcs = [it["gc"] for it in items]
    ratio = len(items) == 2 and sorted(gcs) == [False, True]
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(FIG_W, 5.0), layout="constrained")
        if ratio:
            ax, rax = fig.subplots(2, 1, sharex=True, height_ratios=[3, 1])
        else:
            ax, rax = fig.subplots(1, 1), None
        colors = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"]
        styles = ["-", "--", "-.", ":"]
        distinct_gc = len(set(gcs)) == len(gcs)
        xmax = 0.0
        for k, (item, lo, hi, counts, _cfg) in enumerate(variants):
            if counts is None or len(counts) == 0:
                continue
            edges = np.append(lo, hi[-1])
            label = _gc_label(item["gc"]) if distinct_gc else os.path.basename(item["path"])
            if np.isfinite(item["total"]):
                label += f" (total {item['total']:.1f} events)"
            ax.stairs(counts, edges, label=label, color=colors[k % len(colors)],
                      gid="spectrum:" + ("gc" if item["gc"] else "no_gc"),
                      linestyle=styles[k % len(styles)], linewidth=1.6)
            nz = np.nonzero(np.nan_to_num(counts) > 1e-3 * np.nanmax(counts))[0]
            xmax = max(xmax, hi[nz[-1]] if len(nz) else hi[-1])
        if xmax > 0:
            lo0 = min(v[1][0] for v in variants if len(v[1]))
            ax.set_xlim(min(0.0, lo0), xmax * 1.02)
        ax.set_ylim(bottom=0)
        width = next(iter(widths)) if len(widths) == 1 else None
        ax.set_ylabel(f"events / {width:g} keV" if width else "events per bin")
        ax.legend(loc="upper right")
        sub = _exposure_text(variants[0][4])
        ax.set_title(f"{detector}: expected CEvNS recoil spectrum" + (f"\n{sub}" if sub else ""))
        if ratio:
            without = next(v for v in variants if not v[0]["gc"])
            withgc = next(v for v in variants if v[0]["gc"])
            if len(without[3]) == len(withgc[3]) and np.allclose(without[1], withgc[1]):
                with np.errstate(divide="ignore", invalid="ignore"):
                    r = np.where(without[3] > 0, withgc[3] / without[3], np.nan)
                rax.stairs(r, np.append(without[1], without[2][-1]), color="k", linewidth=1.4,
                           gid="ratio")
                rax.axhline(1.0, color="0.5", linewidth=0.8)
                rng = _finite_range(r)
                if rng:
                    pad = max(0.01, 0.15 * (rng[1] - rng[0]))
                    rax.set_ylim(min(rng[0], 1.0) - pad, max(rng[1], 1.0) + pad)
            rax.set_ylabel(r"with / without $g_c$")
            rax.set_xlabel("nuclear recoil energy T [keV]")
        else:
            ax.set_xlabel("nuclear recoil energy T [keV]")
    return fig


def draw_totals(items):
    """Expected total events per detector (bars), from rates groups of several detectors."""
    _mpl()
    dets = []
    for it in items:
        if it["detector"] not in dets:
            dets.append(it["detector"])
    variants = sorted({it["gc"] for it in items})
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(FIG_W, 4.5), layout="constrained")
        ax = fig.subplots()
        width = 0.8 / len(variants)
        colors = {False: "#0072B2", True: "#D55E00"}
        for k, gc in enumerate(variants):
            xs, ys = [], []
            for i, det in enumerate(dets):
                tot = [it["total"] for it in items if it["detector"] == det and it["gc"] == gc]
                if tot:
                    xs.append(i + (k - (len(variants) - 1) / 2) * width)
                    ys.append(tot[0])
            bars = ax.bar(xs, ys, width=width * 0.95, color=colors[gc], label=_gc_label(gc))
            ax.bar_label(bars, fmt="%.0f", fontsize=9, padding=2)
        ax.set_xticks(range(len(dets)), dets)
        ax.set_ylabel("expected CEvNS events")
        ax.set_xlabel("detector")
        ax.set_yscale("log")
        tots = [it["total"] for it in items if np.isfinite(it["total"]) and it["total"] > 0]
        if tots:
            ax.set_ylim(10 ** math.floor(math.log10(min(tots))), max(tots) * 3)
        ax.set_title("Expected total CEvNS events above threshold")
        if len(variants) > 1:
            ax.legend(loc="upper left")
        ax.grid(axis="x", visible=False)
    return fig


# ---------------------------------------------------------------------------------------------
# (b), (c) one-parameter Delta chi^2 profiles


def _free_side(ax, curves, y0, y1):
    """'left' or 'right': the end of AX whose strip between y0 and y1 (18% of the width)
    crosses fewer of CURVES (a list of (x, y) arrays)."""
    lo, hi = ax.get_xlim()
    score = {}
    for side, (a, b) in {"left": (lo, lo + 0.18 * (hi - lo)),
                         "right": (hi - 0.18 * (hi - lo), hi)}.items():
        xs = np.linspace(a, b, 200)
        n = 0
        for x, y in curves:
            ok = np.isfinite(y)
            if ok.sum() < 2:
                continue
            order = np.argsort(x[ok])
            yi = np.interp(xs, x[ok][order], y[ok][order], left=np.nan, right=np.nan)
            n += int(np.sum((yi >= y0) & (yi <= y1)))
        score[side] = n
    return "left" if score["left"] <= score["right"] else "right"


def draw_profiles(scan, inv=None):
    """Delta chi^2 against the scan parameter: a panel per detector, a curve per scenario, and
    the CL line at the group's delta_chi2_threshold. The x range is zoomed to where some curve
    stays below twice the threshold (every allowed interval shows, with margin)."""
    _mpl()
    param = scan["parameters"][0]
    leaves = {k: _read_leaf(scan["path"], v) for k, v in scan["leaves"].items()}
    thresholds = [d["threshold"] for d in leaves.values() if np.isfinite(d["threshold"])]
    thr = max(thresholds) if thresholds else float("nan")
    dmax = _finite_range(np.concatenate([np.ravel(d["delta_chi2"]) for d in leaves.values()]))
    ymax = max(10.0, 3 * thr) if np.isfinite(thr) else 10.0
    if dmax:
        ymax = min(ymax, max(dmax[1] * 1.05, 1.3 * thr if np.isfinite(thr) else 1.0))
    zoom = 2 * thr if np.isfinite(thr) else 0.5 * ymax
    any_leaf = next(iter(leaves.values()))
    sym = param_symbol(param)
    is_sw = param == "sin2_theta_W"
    is_mm = param in ("mu_nu_e", "mu_nu_mu")  # magnetic moments: the upper limit per scenario
    title = (rf"$\Delta\chi^2$ profiles of {sym}" + (f", {scan['study']}" if scan.get("study") else ""))
    if inv is not None:
        title = _nice_title(inv, title)
    with matplotlib.rc_context(STYLE):
        fig, axes = _panels(len(scan["detectors"]), title, sharey=True)
        handles, labels = {}, {}
        for ax, det in zip(axes, scan["detectors"]):
            sens_handles, sens_labels, curves, empty = [], [], [], []
            xr = None
            grids = []
            for scen in scan["scenarios"]:
                d = leaves.get((det, scen))
                if d is None:
                    continue
                x, y = d["axes"][0], np.ravel(d["delta_chi2"])
                if len(x) != len(y):
                    continue
                grids.append(x)
                style = scenario_style(scen, scan["scenarios"])
                ax.plot(x, y, label=scenario_label(d), gid=f"curve:{scen}", **style)
                curves.append((x, y))
                handles.setdefault(scen, Line2D([], [], **style))
                labels.setdefault(scen, scenario_label(d))
                if not np.isfinite(y).any():
                    empty.append(scen)
                inside = x[np.isfinite(y) & (y <= zoom)]
                if inside.size:
                    lo, hi = float(inside.min()), float(inside.max())
                    xr = (lo, hi) if xr is None else (min(xr[0], lo), max(xr[1], hi))
                if is_sw:
                    sv = d["sensitivity"]
                    sens_handles.append(Line2D([], [], **style))
                    sens_labels.append(f"{sv:.1f}%" if np.isfinite(sv) else "n/a")
                if is_mm:
                    ul = d["upper_limit"]
                    sens_handles.append(Line2D([], [], **style))
                    sens_labels.append(f"{ul:.3g}" if np.isfinite(ul) else "none")
            grid = _finite_range(np.concatenate(grids)) if grids else None
            if xr is not None and grid is not None:
                ax.set_xlim(*_pad_range(xr[0], xr[1], grid[0], grid[1], frac=0.15))
            elif grid is not None and grid[1] > grid[0]:
                ax.set_xlim(*grid)
            ax.set_ylim(0, ymax)
            det_thr = sorted({d["threshold"] for (dd, _s), d in leaves.items()
                              if dd == det and np.isfinite(d["threshold"])})
            for t in det_thr:
                cl = next(d["cl"] for (dd, _s), d in leaves.items() if dd == det)
                hl = ax.axhline(t, color="0.25", linewidth=1.0, linestyle=(0, (4, 2)), zorder=1,
                                gid="threshold")
                side = _free_side(ax, curves, t, t + 0.13 * ymax)
                ax.annotate(_cl_text(cl), xy=(0.0 if side == "left" else 1.0, t),
                            xycoords=("axes fraction", "data"),
                            xytext=(3 if side == "left" else -3, 2), textcoords="offset points",
                            ha=side, va="bottom", fontsize=9, color="0.25")
                handles.setdefault("__cl__", hl)
                labels.setdefault("__cl__", rf"{_cl_text(cl)} ($\Delta\chi^2$ = {t:g})")
            if empty:
                ax.text(0.5, 0.5, "no data: " + ", ".join(empty), transform=ax.transAxes,
                        fontsize=9, color="0.3", ha="center", va="center")
            ax.set_title(det)
            ax.set_xlabel(param_label(param))
            if ax.get_subplotspec().is_first_col():
                ax.set_ylabel(r"$\Delta\chi^2$")
            if sens_handles:
                ax.legend(sens_handles, sens_labels,
                          title=_cl_text(any_leaf["cl"]).replace(" CL", "")
                          + (" limit" if is_mm else " sens."),
                          loc="center left", bbox_to_anchor=(1.0, 0.5), handlelength=1.6,
                          fontsize=9, frameon=False, borderpad=0.2, borderaxespad=0.2,
                          labelspacing=0.3)
        order = [s for s in scan["scenarios"] if s in handles]
        order += ["__cl__"] if "__cl__" in handles else []
        _figure_legend(fig, [handles[k] for k in order], [labels[k] for k in order])
    return fig


# ---------------------------------------------------------------------------------------------
# (d), (e) two-parameter regions


def _polylines(d):
    """Stored contour polylines, or those matplotlib finds in delta_chi2 when none are stored."""
    _mpl()
    if d["polylines"] is not None:
        return d["polylines"]
    x, y, z = d["axes"][0], d["axes"][1], d["delta_chi2"]
    if z is None or z.shape != (len(y), len(x)) or not np.isfinite(d["threshold"]):
        return []
    rng = _finite_range(z)
    if rng is None or not (rng[0] < d["threshold"] < rng[1]):
        return []
    scratch = Figure()
    cs = scratch.subplots().contour(x, y, z, levels=[d["threshold"]])
    return [(seg[:, 0], seg[:, 1]) for seg in cs.allsegs[0] if len(seg) > 1]


def _closed(px, py):
    return len(px) > 2 and px[0] == px[-1] and py[0] == py[-1]


def _region_path(lines):
    """One compound path of closed polylines whose holes stay empty: a ring nested inside an
    odd number of others runs clockwise, the rest counter-clockwise (nonzero fill rule)."""
    _mpl()
    rings = [np.column_stack([cx, cy]) for cx, cy in lines]
    simple = [Path(r) for r in rings]
    verts, codes = [], []
    for k, r in enumerate(rings):
        depth = sum(1 for j, other in enumerate(simple) if j != k and other.contains_point(r[0]))
        area = 0.5 * np.sum(r[:-1, 0] * r[1:, 1] - r[1:, 0] * r[:-1, 1])
        if (area > 0) == (depth % 2 == 1):
            r = r[::-1]
        verts.append(r)
        codes.append([Path.MOVETO] + [Path.LINETO] * (len(r) - 2) + [Path.CLOSEPOLY])
    return Path(np.concatenate(verts), np.concatenate(codes))


def _has_hole(lines):
    """Whether one closed polyline of LINES lies inside another (a band, not a disc)."""
    _mpl()
    rings = [np.column_stack([cx, cy]) for cx, cy in lines if _closed(cx, cy)]
    return any(Path(outer).contains_point(inner[0])
               for i, outer in enumerate(rings) for j, inner in enumerate(rings) if i != j)


def draw_regions(scan, inv=None, fill=True):
    """The CL regions of a two-parameter scan from the contour polylines: a panel per detector,
    a colour and line style per scenario, the Asimov truth marked."""
    _mpl()
    px_name, py_name = scan["parameters"]
    ch = scan.get("channel")
    leaves = {k: _read_leaf(scan["path"], v) for k, v in scan["leaves"].items()}
    polys = {k: _polylines(d) for k, d in leaves.items()}
    any_leaf = next(iter(leaves.values()))
    logx, logy = (s == "log" for s in any_leaf["scales"])
    sterile = ch in ("nue", "numu") and (px_name, py_name) == ("sin2_2theta", "dm2_eV2")
    thr = any_leaf["threshold"]
    cl = _cl_text(any_leaf["cl"])
    if sterile:
        nu = r"\nu_e" if ch == "nue" else r"\nu_\mu"
        title = (rf"Sterile ${nu}$ disappearance: {cl} contours (2 parameters, "
                 rf"$\Delta\chi^2$ = {thr:g})" + "\nexcluded to the right of each curve")
    else:
        title = (f"{cl} regions in the ({param_symbol(px_name)}, {param_symbol(py_name)}) plane "
                 rf"($\Delta\chi^2$ = {thr:g})")
        if any(_has_hole(pl) for pl in polys.values()):
            title += "\nallowed where a scenario has two nested curves: the band between them"
    if inv is not None:
        title = _nice_title(inv, title)
    with matplotlib.rc_context(STYLE):
        fig, axes = _panels(len(scan["detectors"]), title, sharex=sterile, sharey=sterile)
        handles, labels = {}, {}
        for ax, det in zip(axes, scan["detectors"]):
            xs, ys = [], []
            empty = []
            for scen in scan["scenarios"]:
                d = leaves.get((det, scen))
                if d is None:
                    continue
                style = scenario_style(scen, scan["scenarios"])
                if sterile:
                    style["linewidth"] = style.get("linewidth", 1.6) - 0.3
                lines = polys[(det, scen)]
                if not lines:
                    empty.append(scen)
                for k, (cx, cy) in enumerate(lines):
                    (ln,) = ax.plot(cx, cy, label=scenario_label(d) if k == 0 else "_nolegend_",
                                    gid=f"contour:{scen}",
                                    **style)
                    xs.append(cx)
                    ys.append(cy)
                handles.setdefault(scen, Line2D([], [], **style))
                labels.setdefault(scen, scenario_label(d))
                if fill and len(scan["scenarios"]) == 1 and lines and all(_closed(cx, cy) for cx, cy in lines):
                    ax.add_patch(PathPatch(_region_path(lines), facecolor=style["color"],
                                           alpha=0.10, edgecolor="none", zorder=0))
            det_leaves = [leaves[(det, sc)] for sc in scan["scenarios"] if (det, sc) in leaves]
            truth = det_leaves[0]["true_values"] if det_leaves else []
            if not sterile and len(truth) == 2 and all(np.isfinite(truth)):
                (tm,) = ax.plot([truth[0]], [truth[1]], marker="+", color="k", markersize=9,
                                gid="truth",
                                linestyle="none", markeredgewidth=1.4, zorder=5)
                handles.setdefault("__truth__", tm)
                labels.setdefault("__truth__", "true value (Asimov data)")
            gx = _finite_range(any_leaf["axes"][0])
            gy = _finite_range(any_leaf["axes"][1])
            if logx:
                ax.set_xscale("log")
            if logy:
                ax.set_yscale("log")
            if sterile:
                if gx:
                    ax.set_xlim(*_sterile_xlim(gx, [c for pl in polys.values() for c, _ in pl]))
                if gy:
                    ax.set_ylim(*gy)
            elif not xs:
                if gx:
                    ax.set_xlim(*gx)
                if gy:
                    ax.set_ylim(*gy)
            else:
                rx, ry = _finite_range(np.concatenate(xs)), _finite_range(np.concatenate(ys))
                if gx and rx:
                    ax.set_xlim(*_pad_range(rx[0], rx[1], gx[0], gx[1], frac=0.1, log=logx))
                if gy and ry:
                    ax.set_ylim(*_pad_range(ry[0], ry[1], gy[0], gy[1], frac=0.1, log=logy))
            if empty:
                ax.text(0.03, 0.03, ("nothing excluded: " if sterile else
                                     "no boundary in range: ") + ", ".join(empty),
                        transform=ax.transAxes, fontsize=9, color="0.3", ha="left", va="bottom")
            ax.set_title(det)
            ax.set_xlabel(param_label(px_name, ch))
            ax.set_ylabel(param_label(py_name, ch))
            if sterile:
                ax.label_outer()
        order = [s for s in scan["scenarios"] if s in handles]
        order += ["__truth__"] if "__truth__" in handles else []
        _figure_legend(fig, [handles[k] for k in order], [labels[k] for k in order])
    return fig


def _sterile_xlim(grid, arrays):
    """sin^2 2theta range of a sterile figure: from a little below the smallest value in ARRAYS
    (log axis) to the grid's upper end; the whole grid when ARRAYS hold nothing finite."""
    lo_grid, hi_grid = grid
    vals = [np.asarray(a, dtype=float).ravel() for a in arrays]
    vals = np.concatenate(vals) if vals else np.array([])
    vals = vals[np.isfinite(vals) & (vals > 0)]
    if vals.size == 0 or lo_grid <= 0:
        return lo_grid, hi_grid
    span = math.log10(hi_grid) - math.log10(vals.min())
    lo = 10 ** (math.log10(vals.min()) - max(0.25 * span, 0.3))
    return max(lo, lo_grid), hi_grid


def draw_exclusion(scan, inv=None):
    """Sterile raster exclusion curves: smallest excluded sin^2 2theta per Delta m^2 row, a panel
    per detector, a curve per scenario, log-log axes, the excluded side lightly shaded."""
    _mpl()
    ch = scan.get("channel")
    leaves = {k: _read_leaf(scan["path"], v) for k, v in scan["leaves"].items()}
    any_leaf = next(iter(leaves.values()))
    thr = any_leaf["raster_threshold"]
    cl = _cl_text(any_leaf["cl"])
    nu = r"\nu_e" if ch == "nue" else r"\nu_\mu"
    title = rf"Sterile ${nu}$ disappearance: {cl} exclusion curves"
    if np.isfinite(thr):
        title += rf" (raster in $\Delta m^2$, $\Delta\chi^2$ = {thr:g})"
    title += "\nexcluded to the right of each curve"
    if inv is not None:
        title = _nice_title(inv, title)
    with matplotlib.rc_context(STYLE):
        fig, axes = _panels(len(scan["detectors"]), title, sharex=True, sharey=True)
        handles, labels = {}, {}
        gx = _finite_range(any_leaf["axes"][0])
        gy = _finite_range(any_leaf["axes"][1])
        xlim = _sterile_xlim(gx, [d["exclusion"] for d in leaves.values()
                                  if d["exclusion"] is not None]) if gx else None
        for ax, det in zip(axes, scan["detectors"]):
            none = []
            for scen in scan["scenarios"]:
                d = leaves.get((det, scen))
                if d is None:
                    continue
                style = scenario_style(scen, scan["scenarios"])
                style["linewidth"] = style.get("linewidth", 1.6) - 0.3
                ex, dm2 = d["exclusion"], d["axes"][1]
                if ex is None or len(ex) != len(dm2):
                    ex = np.full(len(dm2), np.nan)
                ok = np.isfinite(ex)
                if not ok.any():
                    none.append(scen)
                ax.plot(ex, dm2, label=scenario_label(d), gid=f"curve:{scen}", **style)
                # A finite value between two NaN would draw nothing: mark it.
                iso = ok & ~np.roll(ok, 1) & ~np.roll(ok, -1)
                if iso.any():
                    ax.plot(ex[iso], dm2[iso], marker="o", markersize=2.5, linestyle="none",
                            gid=f"isolated:{scen}",
                            color=style["color"], label="_nolegend_")
                if ok.any() and gx:
                    ax.fill_betweenx(dm2, np.where(ok, ex, gx[1]), gx[1], where=ok,
                                     color=style["color"], alpha=0.07, linewidth=0)
                handles.setdefault(scen, Line2D([], [], **style))
                labels.setdefault(scen, scenario_label(d))
            ax.set_xscale("log")
            ax.set_yscale("log")
            if gx:
                ax.set_xlim(*xlim)
            if gy:
                ax.set_ylim(*gy)
            if none:
                ax.text(0.03, 0.03, "nothing excluded: " + ", ".join(none),
                        transform=ax.transAxes, fontsize=9, color="0.3", ha="left", va="bottom")
            ax.set_title(det)
            ax.set_xlabel(param_label("sin2_2theta", ch))
            ax.set_ylabel(param_label("dm2_eV2", ch))
            ax.label_outer()
        order = [s for s in scan["scenarios"] if s in handles]
        _figure_legend(fig, [handles[k] for k in order], [labels[k] for k in order])
    return fig


# ---------------------------------------------------------------------------------------------
# What to draw


class FigureSpec(tuple):
    """(name, description, draw) where draw() returns a matplotlib Figure; .files names the
    input files it reads."""

    def __new__(cls, name, description, draw_fn, files=()):
        self = tuple.__new__(cls, (name, description, draw_fn))
        self.files = tuple(files)
        return self

    name = property(lambda self: self[0])
    description = property(lambda self: self[1])
    draw = property(lambda self: self[2])


def _plain(name):
    """Parameter names for descriptions, in plain text."""
    return {"sin2_theta_W": "sin^2(theta_W)", "sin2_2theta": "sin^2(2 theta)",
            "dm2_eV2": "Delta m^2_41", "mu_nu_e": "mu_nu_e", "mu_nu_mu": "mu_nu_mu",
            "r2_nu_e": "<r^2_nu_e>", "r2_nu_mu": "<r^2_nu_mu>"}.get(name, name)


def draw_feldman_cousins(scan, inv=None):
    """Wilks' region beside the Feldman-Cousins region (SPEC §11): a row per detector and
    scenario. 1-D: Delta chi^2 with Wilks' constant threshold (left) and with the critical values
    t_c(x) from the toys (right), allowed where Delta chi^2 is below the line, with the spread of
    the expected limit over toys at the truth (median, +-1 sigma, +-2 sigma bands). 2-D: the
    regions Delta chi^2 < threshold and Delta chi^2 < t_c."""
    _mpl()
    params = scan["parameters"]
    leaves = scan["leaves"]
    rows = len(leaves)
    fig = Figure(figsize=(FIG_W, 1.2 + 2.8 * rows), layout="constrained")
    grid = fig.subplots(rows, 2, squeeze=False)
    title = f"Wilks vs Feldman-Cousins, {scan['name']}"
    fig.suptitle(_nice_title(inv, title) if inv is not None else title)
    for row, ((det, scen), leaf) in enumerate(leaves.items()):
        d = _read_leaf(scan["path"], leaf)
        with h5py.File(scan["path"], "r") as f:
            g = f[leaf]
            critical = np.asarray(g["critical_delta_chi2"][()], dtype=float)
            bands = np.asarray(g["expected_limit_bands"][()], dtype=float) \
                if "expected_limit_bands" in g else None
            toys = int(_attr_float(g, "fc_toys", 0))
        delta = np.asarray(d["delta_chi2"], dtype=float)
        cl = _cl_text(d["cl"])
        ax_w, ax_f = grid[row]
        if len(params) == 1:
            x = d["axes"][0]
            for ax, line, label in ((ax_w, np.full_like(x, d["threshold"]),
                                     f"Wilks: {d['threshold']:.3g}"),
                                    (ax_f, critical, f"Feldman-Cousins $t_c$ ({toys} toys)")):
                ax.plot(x, delta, color="#0072B2", label=r"$\Delta\chi^2$")
                ax.plot(x, line, color="#D55E00", linestyle="--", label=label)
                ax.fill_between(x, 0, 1, where=delta <= line, color="#0072B2", alpha=0.12,
                                transform=ax.get_xaxis_transform(), label="allowed")
                ax.set_ylim(0, max(10.0, 2.5 * float(np.nanmax(critical))))
                ax.set_xlabel(param_label(params[0], d["channel"]))
                ax.set_ylabel(r"$\Delta\chi^2$")
            if bands is not None:
                for side in bands:
                    if np.all(np.isfinite(side)):
                        ax_f.axvspan(side[0], side[4], color="#F0E442", alpha=0.6, lw=0)
                        ax_f.axvspan(side[1], side[3], color="#009E73", alpha=0.45, lw=0)
                        ax_f.axvline(side[2], color="k", linestyle=":", lw=1.0)
                ax_f.plot([], [], color="k", linestyle=":", label="expected limit (median)")
            ax_w.set_title(f"{det}, {scen}: Wilks, {cl}")
            ax_f.set_title(f"{det}, {scen}: Feldman-Cousins, {cl}")
            ax_w.legend(loc="upper center")
            ax_f.legend(loc="upper center")
        else:
            x, y = d["axes"]
            delta2 = delta.reshape(len(y), len(x))
            margin = delta2 - critical.reshape(len(y), len(x))
            for ax, values, level, label in ((ax_w, delta2, d["threshold"], "Wilks"),
                                             (ax_f, margin, 0.0, "Feldman-Cousins")):
                ax.contourf(x, y, values, levels=[-1e300, level], colors=["#0072B2"], alpha=0.25)
                ax.contour(x, y, values, levels=[level], colors=["#0072B2"])
                ax.set_title(f"{det}, {scen}: {label}, {cl}")
                ax.set_xlabel(param_label(params[0], d["channel"]))
                ax.set_ylabel(param_label(params[1], d["channel"]))
                if d["scales"][0] == "log":
                    ax.set_xscale("log")
                if d["scales"][1] == "log":
                    ax.set_yscale("log")
            if bands is not None and bands.ndim == 2 and bands.shape[0] == len(y):
                # The expected exclusion per row over toys at the truth: median, +-1, +-2 sigma.
                ok2 = np.isfinite(bands[:, 0]) & np.isfinite(bands[:, 4])
                ok1 = np.isfinite(bands[:, 1]) & np.isfinite(bands[:, 3])
                ax_f.fill_betweenx(y, bands[:, 0], bands[:, 4], where=ok2, color="#F0E442",
                                   alpha=0.6, lw=0, label=r"expected $\pm2\sigma$")
                ax_f.fill_betweenx(y, bands[:, 1], bands[:, 3], where=ok1, color="#009E73",
                                   alpha=0.45, lw=0, label=r"expected $\pm1\sigma$")
                ax_f.plot(bands[:, 2], y, color="k", linestyle=":", lw=1.0,
                          label="expected (median)")
                ax_f.legend(loc="lower left")
    return fig


def _scan_figures(inv):
    out = []
    study = inv["study"]
    for scan in inv["scans"]:
        scan = dict(scan, study=study)
        params = scan["parameters"]
        base = scan["name"] if (not study or scan["name"] == study) else f"{study}_{scan['name']}"
        base = re.sub(r"[^A-Za-z0-9_.+-]", "_", base)
        dets = ", ".join(scan["detectors"])
        grid = f"{len(scan['detectors'])} detector(s) ({dets}) x {len(scan['scenarios'])} scenario(s)"
        if scan.get("has_feldman_cousins"):
            out.append(FigureSpec(
                base + "_feldman_cousins",
                f"Wilks and Feldman-Cousins regions side by side (critical values from toys), "
                f"with the expected-limit bands, {grid}",
                lambda s=scan: draw_feldman_cousins(s, inv), [inv["path"]]))
        if len(params) == 1:
            out.append(FigureSpec(
                base, f"Delta chi^2 vs {_plain(params[0])} with the CL line, a panel per detector, "
                      f"{grid}", lambda s=scan: draw_profiles(s, inv), [inv["path"]]))
        elif len(params) == 2:
            sterile = scan["channel"] in ("nue", "numu") and params == ["sin2_2theta", "dm2_eV2"]
            if sterile:
                chan = "nu_e" if scan["channel"] == "nue" else "nu_mu"
                if scan["has_exclusion"]:
                    out.append(FigureSpec(
                        base, f"sterile {chan} disappearance: exclusion curves in "
                              f"(sin^2(2 theta), Delta m^2_41), log-log, {grid}",
                        lambda s=scan: draw_exclusion(s, inv), [inv["path"]]))
                out.append(FigureSpec(
                    base + "_regions" if scan["has_exclusion"] else base,
                    f"sterile {chan} disappearance: 2-parameter CL contours in "
                    f"(sin^2(2 theta), Delta m^2_41), log-log, {grid}",
                    lambda s=scan: draw_regions(s, inv, fill=False), [inv["path"]]))
            else:
                out.append(FigureSpec(
                    base, f"CL regions in the ({_plain(params[0])}, {_plain(params[1])}) plane "
                          f"from the contour polylines, {grid}",
                    lambda s=scan: draw_regions(s, inv), [inv["path"]]))
    return out


def _rates_figures(invs):
    groups = [g for inv in invs for g in inv["groups"]]
    out = []
    by_det = {}
    for g in groups:
        by_det.setdefault(g["detector"], []).append(g)
    for det, items in by_det.items():
        gcs = [it["gc"] for it in items]
        safe = re.sub(r"[^A-Za-z0-9_.+-]", "_", det)
        if len(set(gcs)) == len(gcs):
            items = sorted(items, key=lambda it: it["gc"])
            width = ", ".join(sorted({f"{it['bin_width']:g} keV" for it in items}))
            which = " and ".join("with g_c" if it["gc"] else "without g_c" for it in items)
            out.append(FigureSpec(
                f"spectrum_{safe}", f"{det} recoil spectrum per {width} bin, {which}"
                + (", with their ratio" if len(items) == 2 else ""),
                lambda it=items: draw_spectrum(it), sorted({it["path"] for it in items})))
        else:  # the same detector and g_c twice: one figure per file
            for it in items:
                stem = os.path.splitext(os.path.basename(it["path"]))[0]
                out.append(FigureSpec(
                    f"spectrum_{safe}_{re.sub(r'[^A-Za-z0-9_.+-]', '_', stem)}",
                    f"{det} recoil spectrum per {it['bin_width']:g} keV bin, "
                    f"{'with' if it['gc'] else 'without'} g_c",
                    lambda it=it: draw_spectrum([it]), [it["path"]]))
    if len(by_det) >= 2:
        out.append(FigureSpec("rates_totals", "expected total events per detector ("
                              + ", ".join(by_det) + ")", lambda g=groups: draw_totals(g),
                              sorted({g["path"] for g in groups})))
    return out


# ---------------------------------------------------------------------------------------------
# (f) fits to the COHERENT data

DATASET_COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"]
DATASET_LINES = ["-", "--", "-.", (0, (1.2, 1.2)), (0, (5, 1.5, 1, 1.5)), (0, (8, 2))]


def dataset_style(name, names):
    """The joint fit in thick black; data sets in Okabe-Ito colours and distinct dashes."""
    if name == "combined":
        return {"color": "#000000", "linestyle": "-", "linewidth": 2.2}
    k = [n for n in names if n != "combined"].index(name)
    return {"color": DATASET_COLORS[k % len(DATASET_COLORS)],
            "linestyle": DATASET_LINES[k % len(DATASET_LINES)], "linewidth": 1.6}


def dataset_label(name):
    return "joint fit" if name == "combined" else name


def draw_fit_check(path, dataset):
    """CsI 2017 first-measurement check: predicted CEvNS counts per PE bin with and without g_c
    (step histograms) against beam-on coincidence minus anti-coincidence counts (error bars)."""
    _mpl()
    with h5py.File(path, "r") as f:
        g = f[dataset]["first_measurement_check"]
        lo, hi = _read(g, "pe_lo"), _read(g, "pe_hi")
        pred, pred_gc = _read(g, "predicted"), _read(g, "predicted_gc")
        meas, err = _read(g, "measured"), _read(g, "measured_error")
        trange = _attr_floats(g, "time_range_us")
    edges = np.append(lo, hi[-1])
    centres = 0.5 * (lo + hi)
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(FIG_W, 5.0), layout="constrained")
        ax = fig.subplots()
        ax.stairs(pred, edges, color="#0072B2", linewidth=1.8, gid="spectrum:no_gc",
                  label=rf"CEvNS predicted, without $g_c$ ({np.nansum(pred):.0f} events)")
        ax.stairs(pred_gc, edges, color="#D55E00", linewidth=1.6, linestyle="--", gid="spectrum:gc",
                  label=rf"CEvNS predicted, with $g_c$ ({np.nansum(pred_gc):.0f} events)")
        ax.errorbar(centres, meas, yerr=err, fmt="o", color="k", markersize=3.5, capsize=0,
                    elinewidth=1.0, gid="measured",
                    label=f"beam-on C $-$ AC ({np.nansum(meas):.0f} $\\pm$ "
                          f"{np.sqrt(np.nansum(err ** 2)):.0f})")
        ax.axhline(0.0, color="0.5", linewidth=0.8)
        ax.set_xlim(edges[0], edges[-1])
        top = np.nanmax(np.concatenate([pred, pred_gc, meas + err]))
        bottom = np.nanmin(meas - err)
        ax.set_ylim(min(bottom * 1.1, -0.05 * top), top * 1.45)  # head room for the legend
        width = np.diff(edges)
        w = f"{width[0]:g} PE" if np.allclose(width, width[0]) else "bin"
        ax.set_xlabel("reconstructed energy [photoelectrons, PE]")
        ax.set_ylabel(f"events / {w}")
        when = (f", arrival time {trange[0]:g}$-${trange[1]:g} $\\mu$s" if len(trange) == 2 else "")
        ax.set_title(f"{dataset}: first-measurement check{when}\n"
                     "predicted CEvNS vs beam-on coincidence minus anti-coincidence")
        ax.legend(loc="upper right")
    return fig


def _fit_title(inv, text):
    return _nice_title(inv, text)


def draw_fit_profiles(inv, what):
    """Delta(-2 ln L) of one parameter (WHAT: 'n_cevns' or a profile parameter): one panel with a
    curve per data set and the joint fit, the 90% CL line; n_cevns: a panel per data set, the
    Standard-Model prediction marked."""
    _mpl()
    sets = [s for s in inv["fit"] if (s["n_cevns"] if what == "n_cevns" else what in s["profiles"])]
    names = [s["name"] for s in inv["fit"]]
    curves = {}
    with h5py.File(inv["path"], "r") as f:
        for s in sets:
            g = f[s["name"]]["n_cevns" if what == "n_cevns" else "profile_" + what]
            x = _read(g, what if what in g else "n_cevns")
            curves[s["name"]] = {
                "x": x, "y": np.ravel(_read(g, "delta_chi2")),
                "best": _attr_float(g, "best_fit"),
                "thr": _attr_float(g, "delta_chi2_threshold", 2.705543454095404),
                "predicted": _attr_float(g, "predicted"),
                "one_sigma": _attr_floats(g, "interval_1sigma"),
            }
    thr = next((c["thr"] for c in curves.values() if np.isfinite(c["thr"])), 2.705543454095404)
    ymax = max(10.0, 3 * thr)
    with matplotlib.rc_context(STYLE):
        if what == "n_cevns":
            fig, axes = _panels(len(sets), _fit_title(inv, r"Fitted number of CEvNS events: "
                                                           r"$\Delta(-2\ln L)$ profiles"))
            panels = [(ax, [s["name"]]) for ax, s in zip(axes, sets)]
        else:
            fig = Figure(figsize=(FIG_W, 5.0), layout="constrained")
            ax = fig.subplots()
            fig.suptitle(_fit_title(inv, rf"$\Delta(-2\ln L)$ profiles of {param_symbol(what)} "
                                         "from COHERENT data"))
            panels = [(ax, [s["name"] for s in sets])]
        handles, labels = {}, {}
        for ax, members in panels:
            xr = None
            for name in members:
                c = curves[name]
                style = dataset_style(name, names)
                ax.plot(c["x"], c["y"], gid=f"curve:{name}", **style)
                handles.setdefault(name, Line2D([], [], **style))
                labels.setdefault(name, dataset_label(name))
                inside = c["x"][np.isfinite(c["y"]) & (c["y"] <= 2 * ymax / 3)]
                if inside.size:
                    xr = (inside.min(), inside.max()) if xr is None else (
                        min(xr[0], inside.min()), max(xr[1], inside.max()))
                if what == "n_cevns" and np.isfinite(c["predicted"]):
                    vl = ax.axvline(c["predicted"], color="0.35", linestyle=":", linewidth=1.2,
                                    gid="predicted")
                    handles.setdefault("__sm__", vl)
                    labels.setdefault("__sm__", "Standard-Model prediction")
            grid = _finite_range(np.concatenate([curves[n]["x"] for n in members]))
            if xr is not None and grid:
                ax.set_xlim(*_pad_range(xr[0], xr[1], grid[0], grid[1], frac=0.1))
            ax.set_ylim(0, ymax)
            hl = ax.axhline(thr, color="0.25", linewidth=1.0, linestyle=(0, (4, 2)), zorder=1,
                            gid="threshold")
            side = _free_side(ax, [(curves[n]["x"], curves[n]["y"]) for n in members], thr,
                              thr + 0.13 * ymax)
            ax.annotate("90% CL", xy=(0.0 if side == "left" else 1.0, thr),
                        xycoords=("axes fraction", "data"),
                        xytext=(3 if side == "left" else -3, 2), textcoords="offset points",
                        ha=side, va="bottom", fontsize=9, color="0.25")
            handles.setdefault("__cl__", hl)
            labels.setdefault("__cl__", rf"90% CL ($\Delta(-2\ln L)$ = {thr:.2f})")
            if what == "n_cevns":
                ax.set_title(members[0])
                ax.set_xlabel("CEvNS events in the fitted bins")
            else:
                ax.set_xlabel(param_label(what))
            if ax.get_subplotspec().is_first_col():
                ax.set_ylabel(r"$\Delta(-2\ln L)$")
        order = [n for n in names if n in handles] + [k for k in ("__sm__", "__cl__") if k in handles]
        _figure_legend(fig, [handles[k] for k in order], [labels[k] for k in order],
                       ncols=min(5, len(order)))
    return fig


def _read_plane(path, group):
    with h5py.File(path, "r") as f:
        g = f[group]
        params = [p for p in _attr_text(g, "parameters").split(",") if p]
        d = {"axes": [_read(g, p) for p in params],
             "scales": [_attr_text(g[p], "scale", "linear") for p in params],
             "delta_chi2": _read(g, "delta_chi2"), "threshold": _attr_float(g, "delta_chi2_threshold"),
             "raster_threshold": _attr_float(g, "raster_delta_chi2_threshold"),
             "best_fit": _attr_floats(g, "best_fit"), "exclusion": _read(g, "exclusion_sin2_2theta"),
             "no_mixing": _attr_float(g, "delta_chi2_no_mixing"), "polylines": None}
        if "contour_x" in g:
            x, y = _read(g, "contour_x"), _read(g, "contour_y")
            st = np.asarray(g["contour_start"][()], dtype=np.int64).ravel()
            ln = np.asarray(g["contour_length"][()], dtype=np.int64).ravel()
            d["polylines"] = [(x[a:a + n], y[a:a + n]) for a, n in zip(st, ln) if n > 0]
    return d


def draw_fit_plane(inv, plane, mode):
    """A two-parameter plane of the fit, one panel, a colour per data set and the joint fit.
    MODE 'regions': the 90% CL contours (filled for the joint fit), best fits marked;
    'exclusion': the raster exclusion curves of a sterile plane, excluded side shaded."""
    _mpl()
    sets = [s for s in inv["fit"] if plane in s["planes"]]
    names = [s["name"] for s in inv["fit"]]
    info = sets[0]["planes"][plane]
    px, py = info["parameters"]
    ch = info["channel"]
    sterile = ch in ("nue", "numu")
    mediator = info.get("mediator")
    data = {s["name"]: _read_plane(inv["path"], f"{s['name']}/{plane}") for s in sets}
    first = data[sets[0]["name"]]
    logx, logy = (sc == "log" for sc in first["scales"])
    gx, gy = _finite_range(first["axes"][0]), _finite_range(first["axes"][1])
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(FIG_W, 5.6), layout="constrained")
        ax = fig.subplots()
        handles, labels = {}, {}
        xs, ys, none = [], [], []
        for name in [s["name"] for s in sets]:
            d = data[name]
            style = dataset_style(name, names)
            handles[name] = Line2D([], [], **style)
            labels[name] = dataset_label(name)
            if mode == "exclusion":
                ex, dm2 = d["exclusion"], d["axes"][1]
                if ex is None or len(ex) != len(dm2):
                    ex = np.full(len(dm2), np.nan)
                ok = np.isfinite(ex)
                ax.plot(ex, dm2, gid=f"curve:{name}", **style)
                iso = ok & ~np.roll(ok, 1) & ~np.roll(ok, -1)
                if iso.any():
                    ax.plot(ex[iso], dm2[iso], marker="o", markersize=2.5, linestyle="none",
                            color=style["color"], gid=f"isolated:{name}")
                if ok.any() and gx:
                    ax.fill_betweenx(dm2, np.where(ok, ex, gx[1]), gx[1], where=ok,
                                     color=style["color"], alpha=0.07, linewidth=0)
                    xs.append(ex[ok])
                else:
                    none.append(dataset_label(name))
                continue
            lines = _polylines(dict(d, threshold=d["threshold"]))
            if not lines:
                none.append(dataset_label(name))
            for cx, cy in lines:
                ax.plot(cx, cy, gid=f"contour:{name}", **style)
                xs.append(cx)
                ys.append(cy)
            if name == "combined" and lines and all(_closed(cx, cy) for cx, cy in lines):
                ax.add_patch(PathPatch(_region_path(lines), facecolor="0.5", alpha=0.18,
                                       edgecolor="none", zorder=0, gid="joint_region"))
            bf = d["best_fit"]
            if len(bf) == 2 and all(np.isfinite(bf)) and (not logx or bf[0] > 0):
                ax.plot([bf[0]], [bf[1]], marker="x" if name == "combined" else "+",
                        color=style["color"], markersize=8, markeredgewidth=1.5,
                        linestyle="none", gid=f"best:{name}", zorder=5)
        if logx:
            ax.set_xscale("log")
        if logy:
            ax.set_yscale("log")
        if sterile:
            if gx:
                ax.set_xlim(*_sterile_xlim(gx, xs))
            if gy:
                ax.set_ylim(*gy)
        elif mediator:
            # every mass of the grid; couplings from a little left of the curves to the grid's end
            rx = _finite_range(np.concatenate(xs)) if xs else None
            if gx:
                ax.set_xlim(*(_pad_range(rx[0], rx[1], gx[0], gx[1], frac=0.1, log=logx)
                              if rx else gx))
            if gy:
                ax.set_ylim(*gy)
        else:
            rx = _finite_range(np.concatenate(xs)) if xs else None
            ry = _finite_range(np.concatenate(ys)) if ys else None
            if gx:
                ax.set_xlim(*(_pad_range(rx[0], rx[1], gx[0], gx[1], frac=0.12) if rx else gx))
            if gy:
                # room below the curves for the legend, inside the grid
                ylim = _pad_range(ry[0], ry[1], gy[0], gy[1], frac=0.12) if ry else gy
                ax.set_ylim(*ylim)
            ax.set_aspect("auto")
        if none:
            ax.text(0.02, 0.02, ("nothing excluded: " if sterile else "no boundary in range: ")
                    + ", ".join(none), transform=ax.transAxes, fontsize=9, color="0.3",
                    ha="left", va="bottom")
        ax.set_xlabel(param_label(px, ch))
        ax.set_ylabel(param_label(py, ch))
        if sterile:
            nu = r"\nu_e" if ch == "nue" else r"\nu_\mu"
            if mode == "exclusion":
                thr = first["raster_threshold"]
                title = (rf"Sterile ${nu}$ disappearance, COHERENT data: 90% CL raster exclusion"
                         "\n" rf"$\Delta(-2\ln L)$ = {thr:.2f} per $\Delta m^2$ row; "
                         "excluded to the right of each curve")
            else:
                title = (rf"Sterile ${nu}$ disappearance, COHERENT data: 90% CL contours" "\n"
                         rf"$\Delta(-2\ln L)$ = {first['threshold']:.2f} (2 parameters); "
                         "excluded to the right of each curve")
        elif mediator:
            label = MEDIATOR_LABELS.get(mediator, mediator)
            title = (f"{label[0].upper() + label[1:]} from COHERENT data: 90% CL boundaries "
                     rf"($\Delta(-2\ln L)$ = {first['threshold']:.2f})" "\n"
                     "excluded to the right of each curve; + best fits")
            if mediator == "vector_universal":
                title += "\nsmall loops: bands that destructive interference reopens"
        else:
            title = (f"90% CL regions in the ({param_symbol(px)}, {param_symbol(py)}) plane "
                     rf"from COHERENT data ($\Delta(-2\ln L)$ = {first['threshold']:.2f})")
            title += "\nallowed: inside each curve (between nested curves: the band); + best fits"
        fig.suptitle(_fit_title(inv, title))
        order = [n for n in names if n in handles]
        _figure_legend(fig, [handles[k] for k in order], [labels[k] for k in order],
                       ncols=min(5, len(order)))
    return fig


def _fit_figures(inv):
    out = []
    sets = inv["fit"]
    path = inv["path"]
    safe = lambda n: re.sub(r"[^A-Za-z0-9_.+-]", "_", n)  # noqa: E731
    for s in sets:
        if s["check"]:
            out.append(FigureSpec(
                f"fit_check_{safe(s['name'])}",
                f"{s['name']} first-measurement check: predicted CEvNS per PE bin with and without "
                "g_c vs beam-on C - AC counts", lambda n=s["name"]: draw_fit_check(path, n), [path]))
    if any(s["n_cevns"] for s in sets):
        out.append(FigureSpec("fit_n_cevns", "Delta(-2 ln L) of the number of CEvNS events, a panel "
                              "per data set, SM prediction and 90% CL line",
                              lambda: draw_fit_profiles(inv, "n_cevns"), [path]))
    params = []
    for s in sets:
        params += [p for p in s["profiles"] if p not in params]
    for p in params:
        out.append(FigureSpec(f"fit_profile_{safe(p)}", f"Delta(-2 ln L) vs {_plain(p)}, a curve "
                              "per data set and the joint fit, 90% CL line",
                              lambda p=p: draw_fit_profiles(inv, p), [path]))
    planes = []
    for s in sets:
        planes += [p for p in s["planes"] if p not in planes]
    for p in planes:
        info = next(s["planes"][p] for s in sets if p in s["planes"])
        a, b = (_plain(x) for x in info["parameters"])
        if info["channel"] in ("nue", "numu"):
            chan = "nu_e" if info["channel"] == "nue" else "nu_mu"
            if info["has_exclusion"]:
                out.append(FigureSpec(f"fit_{safe(p)}", f"sterile {chan} disappearance: raster "
                                      "exclusion curves per data set and joint fit, log-log",
                                      lambda p=p: draw_fit_plane(inv, p, "exclusion"), [path]))
            out.append(FigureSpec(f"fit_{safe(p)}_regions", f"sterile {chan} disappearance: "
                                  "2-parameter 90% CL contours per data set and joint fit",
                                  lambda p=p: draw_fit_plane(inv, p, "regions"), [path]))
        elif info.get("mediator"):
            out.append(FigureSpec(f"fit_{safe(p)}", f"light mediator ({info['mediator']}): 90% CL "
                                  f"regions in ({a}, {b}) per data set and joint fit, log-log",
                                  lambda p=p: draw_fit_plane(inv, p, "regions"), [path]))
        else:
            out.append(FigureSpec(f"fit_{safe(p)}", f"90% CL regions in the ({a}, {b}) plane per "
                                  "data set and joint fit", lambda p=p: draw_fit_plane(inv, p, "regions"),
                                  [path]))
    return out


def figures_for(paths):
    """The figures the files PATHS (one path or a list) can give: a list of FigureSpec, each a
    (name, description, draw) triple. Rates files of one detector given together share a
    spectrum figure. Raises NotCevnsFile for a file that is not a cevns-scan output."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    invs = [_inventory(os.fspath(p)) for p in paths]
    out = _rates_figures([inv for inv in invs if inv["kind"] == "rates"])
    for inv in invs:
        if inv["kind"] == "scan":
            out.extend(_scan_figures(inv))
        elif inv["kind"] == "fit":
            out.extend(_fit_figures(inv))
    seen = {}
    unique = []
    for spec in out:  # names must not collide across files
        name = spec.name
        if name in seen:
            stem = os.path.splitext(os.path.basename(spec.files[0]))[0] if spec.files else "x"
            name = f"{name}_{stem}"
            k = 2
            while name in seen:
                name, k = f"{spec.name}_{stem}_{k}", k + 1
            spec = FigureSpec(name, spec.description, spec.draw, spec.files)
        seen[name] = True
        unique.append(spec)
    return unique


def draw(paths, name):
    """Draws the figure NAME from PATHS; returns a matplotlib Figure."""
    for spec in figures_for(paths):
        if spec.name == name:
            return spec.draw()
    raise KeyError(f"no figure named {name!r} in {paths}")


def save(fig, directory, name, formats=("png", "pdf"), dpi=None):
    """Writes DIRECTORY/NAME.<fmt> for each format; returns the paths written."""
    _mpl()
    os.makedirs(directory, exist_ok=True)
    written = []
    for fmt in formats:
        out = os.path.join(directory, f"{name}.{fmt}")
        tmp = os.path.join(directory, f".{name}.tmp.{fmt}")
        with matplotlib.rc_context(STYLE):
            fig.savefig(tmp, format=fmt, dpi=dpi)
        os.replace(tmp, out)
        written.append(out)
    return written


# ---------------------------------------------------------------------------------------------
# Command line


def _kind_text(paths):
    texts = []
    for p in paths:
        inv = _inventory(p)
        t = inv["kind"] + (f", study {inv['study']}" if inv["study"] else "")
        if not inv["complete"]:
            t += ", incomplete"
        texts.append(t)
    return "; ".join(dict.fromkeys(texts))


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="plot.py",
        description="Draw the figures of cevns-scan HDF5 outputs (rates, scan and fit files).")
    parser.add_argument("files", nargs="+", metavar="FILE.h5", help="cevns-scan output files")
    parser.add_argument("-o", "--output", metavar="DIR", help="directory for the PNG and PDF files")
    parser.add_argument("--list", action="store_true",
                        help="print the figures each file gives (name and description); draw nothing")
    parser.add_argument("--only", metavar="NAME[,NAME...]",
                        help="draw (or list) only these figures, comma-separated")
    parser.add_argument("--dpi", type=float, default=150.0, help="PNG resolution (default 150)")
    parser.add_argument("--format", default="png,pdf",
                        help="comma-separated output formats (default png,pdf)")
    args = parser.parse_args(argv)
    if not args.list and not args.output:
        parser.error("-o DIR is required unless --list is given")
    try:
        specs = figures_for(args.files)
    except NotCevnsFile as err:
        print(f"plot.py: error: {err}", file=sys.stderr)
        return 2
    if args.only:
        args.only = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = [n for n in args.only if n not in {s.name for s in specs}]
        if unknown:
            print(f"plot.py: error: no figure named {', '.join(unknown)} (see --list)",
                  file=sys.stderr)
            return 2
        specs = [s for s in specs if s.name in args.only]

    if args.list:
        groups = {}
        for spec in specs:
            groups.setdefault(spec.files, []).append(spec)
        shown = set()
        for files, group in groups.items():
            head = " + ".join(files) if len(files) <= 2 else f"{len(files)} files together"
            print(head + f" [{_kind_text(files)}]")
            shown.update(files)
            width = max(len(s.name) for s in group)
            for spec in group:
                print(f"  {spec.name:<{width}}  {spec.description}")
        for p in args.files:
            if p not in shown:
                print(f"{p} [{_kind_text([p])}]")
                print("  (nothing to draw)")
        return 0

    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    if not specs:
        print("plot.py: nothing to draw in " + ", ".join(args.files), file=sys.stderr)
        return 0
    failed = 0
    for spec in specs:
        try:
            fig = spec.draw()
            written = save(fig, args.output, spec.name, formats, dpi=args.dpi)
        except Exception as err:  # one bad figure should not stop the others
            failed += 1
            print(f"plot.py: error: figure {spec.name} from {', '.join(spec.files)}: "
                  f"{type(err).__name__}: {err}", file=sys.stderr)
            continue
        print(f"{spec.name}: " + ", ".join(written))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
