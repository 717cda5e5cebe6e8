"""Shared by the figure modules: styles, labels, reading cevns-scan HDF5 files (inventories),
panel layout, and FigureSpec."""

import argparse
import json
import math
import os
import re
import sys

import h5py
import numpy as np

__all__ = [
    "matplotlib",
    "Figure",
    "Line2D",
    "PathPatch",
    "Path",
    "_mpl",
    "STYLE",
    "FIG_W",
    "SCENARIO_STYLES",
    "EXTRA_STYLES",
    "NotCevnsFile",
    "_text",
    "_attr_text",
    "_attr_float",
    "_attr_floats",
    "open_cevns",
    "_config",
    "_ordered",
    "_subgroups",
    "_inventory",
    "_fit_inventory",
    "_read",
    "_read_leaf",
    "_FLAVOUR",
    "param_symbol",
    "param_label",
    "MEDIATOR_LABELS",
    "_pct",
    "scenario_label",
    "scenario_style",
    "_cl_text",
    "_panel_grid",
    "_panels",
    "_figure_legend",
    "_nice_title",
    "_finite_range",
    "_pad_range",
    "FigureSpec",
    "_plain",
]


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
    # The figure modules take these names with `from ._common import *`, while still None: set
    # them there too.
    for module in list(sys.modules.values()):
        if getattr(module, "__name__", "").startswith(__package__ + ".") and \
                getattr(module, "Figure", Figure) is None:
            module.matplotlib, module.Figure, module.Line2D = matplotlib, Figure, Line2D
            module.PathPatch, module.Path = PathPatch, Path


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
            # Feldman-Cousins groups name their critical values in delta_chi2_threshold and keep
            # Wilks' value, for comparison, in wilks_delta_chi2_threshold.
            "threshold": _attr_float(g, "delta_chi2_threshold",
                                     _attr_float(g, "wilks_delta_chi2_threshold")),
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
