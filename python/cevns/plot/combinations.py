"""Combinations of detectors (SPEC §12): the single detectors and their combinations in one panel
per scenario, with what the combination gains (1-D: the sensitivity; 2-D: the area of the CL
region against the best single detector's)."""

import numpy as np

from ._common import *  # noqa: F401,F403
from .regions import _polylines

__all__ = [
    "combination_names",
    "region_area",
    "draw_combined_profiles",
    "draw_combined_regions",
]

# Single detectors in grey tones and thin lines; combinations in colour and thick.
_SINGLE = ["#555555", "#888888", "#AAAAAA", "#333333", "#BBBBBB", "#777777"]
_SINGLE_STYLES = ["-", "--", ":", "-.", (0, (5, 1, 1, 1)), (0, (1, 1))]
_COMBINED = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"]


def combination_names(config):
    """Names of the combinations of a scan file's resolved config (its ``combinations``)."""
    return [c.get("name") for c in config.get("combinations", []) if isinstance(c, dict)]


def region_area(d):
    """Area of the region Delta chi^2 <= threshold of a two-parameter group (a dict of
    _read_leaf): every grid point stands for its cell (half-way to its neighbours, half cells at
    the edges), in the axes' units, or decades on a log axis. Regions reaching the grid's edge
    are cut there."""
    x, y, z = d["axes"][0], d["axes"][1], d["delta_chi2"]
    coords = [np.log10(a) if s == "log" else a for a, s in zip((x, y), d["scales"])]
    widths = []
    for a in coords:
        w = np.empty_like(a)
        w[1:-1] = 0.5 * (a[2:] - a[:-2])
        w[0], w[-1] = 0.5 * (a[1] - a[0]), 0.5 * (a[-1] - a[-2])
        widths.append(w)
    inside = np.asarray(z) <= d["threshold"]
    return float(np.sum(inside * np.outer(widths[1], widths[0])))


def _split(scan, inv):
    combos = [c for c in combination_names(inv["config"]) if c in scan["detectors"]]
    singles = [d for d in scan["detectors"] if d not in combos]
    return singles, combos


def _style(det, singles, combos):
    if det in combos:
        return {"color": _COMBINED[combos.index(det) % len(_COMBINED)], "linestyle": "-",
                "linewidth": 2.2}
    k = singles.index(det)
    return {"color": _SINGLE[k % len(_SINGLE)], "linestyle": _SINGLE_STYLES[k % len(_SINGLE_STYLES)],
            "linewidth": 1.2}


def draw_combined_profiles(scan, inv):
    """Delta chi^2 of a one-parameter scan: a panel per scenario, a curve per single detector and
    per combination, the sensitivity (sin^2 theta_W) or the interval widths in the legend."""
    _mpl()
    singles, combos = _split(scan, inv)
    param = scan["parameters"][0]
    leaves = {k: _read_leaf(scan["path"], v) for k, v in scan["leaves"].items()}
    any_leaf = next(iter(leaves.values()))
    thr = any_leaf["threshold"]
    title = _nice_title(inv, f"{param_symbol(param)}: single detectors and their combinations "
                             f"({_cl_text(any_leaf['cl'])} line at " + rf"$\Delta\chi^2$ = {thr:g})")
    with matplotlib.rc_context(STYLE):
        fig, axes = _panels(len(scan["scenarios"]), title)
        handles = {}
        lo, hi = np.inf, -np.inf
        for ax, scen in zip(axes, scan["scenarios"]):
            for det in singles + combos:
                d = leaves.get((det, scen))
                if d is None:
                    continue
                x, dc = d["axes"][0], d["delta_chi2"]
                ax.plot(x, dc, gid=f"profile:{det}:{scen}",
                        **_style(det, singles, combos))
                handles.setdefault(det, Line2D([], [], **_style(det, singles, combos)))
                inside = x[np.asarray(dc) <= 2 * thr]
                if inside.size:
                    lo, hi = min(lo, inside.min()), max(hi, inside.max())
            ax.axhline(thr, color="k", linewidth=0.8, linestyle=":")
            ax.set_ylim(0, 3 * thr)
            ax.set_title(scenario_label(leaves[(scan["detectors"][0], scen)])
                         if (scan["detectors"][0], scen) in leaves else scen)
            ax.set_xlabel(param_label(param, scan.get("channel")))
            ax.set_ylabel(r"$\Delta\chi^2$")
            if param == "sin2_theta_W":
                lines = [f"{det}: {leaves[(det, scen)]['sensitivity']:.2f}%"
                         for det in singles + combos if (det, scen) in leaves
                         and np.isfinite(leaves[(det, scen)]["sensitivity"])]
                ax.text(0.98, 0.97, "sensitivity\n" + "\n".join(lines), transform=ax.transAxes,
                        ha="right", va="top", fontsize=7,
                        bbox={"facecolor": "white", "edgecolor": "0.7", "alpha": 0.9})
        if np.isfinite(lo):
            pad = 0.1 * (hi - lo)
            for ax in axes[:len(scan["scenarios"])]:
                ax.set_xlim(lo - pad, hi + pad)
        names = [d for d in singles + combos if d in handles]
        _figure_legend(fig, [handles[d] for d in names], names, ncols=min(len(names), 6))
    return fig


def draw_combined_regions(scan, inv):
    """CL regions of a two-parameter scan: a panel per scenario, the boundary of every single
    detector and of every combination, each combination's area as a fraction of the smallest
    single-detector area in the legend."""
    _mpl()
    singles, combos = _split(scan, inv)
    px, py = scan["parameters"]
    leaves = {k: _read_leaf(scan["path"], v) for k, v in scan["leaves"].items()}
    any_leaf = next(iter(leaves.values()))
    logx, logy = (s == "log" for s in any_leaf["scales"])
    title = _nice_title(inv, f"{_cl_text(any_leaf['cl'])} regions in ({param_symbol(px)}, "
                             f"{param_symbol(py)}): single detectors and their combinations"
                             "\n(area relative to the best single detector's, within the grid)")
    with matplotlib.rc_context(STYLE):
        fig, axes = _panels(len(scan["scenarios"]), title)
        handles = {}
        for ax, scen in zip(axes, scan["scenarios"]):
            areas = {det: region_area(leaves[(det, scen)]) for det in singles + combos
                     if (det, scen) in leaves}
            best = min((areas[d] for d in singles if d in areas), default=float("nan"))
            for det in singles + combos:
                if (det, scen) not in leaves:
                    continue
                style = _style(det, singles, combos)
                for cx, cy in _polylines(leaves[(det, scen)]):
                    ax.plot(cx, cy, gid=f"contour:{det}:{scen}", **style)
                handles.setdefault(det, Line2D([], [], **style))
            ratios = [f"{det}: {areas[det] / best:.3g}" for det in combos if det in areas]
            if ratios:
                ax.text(0.98, 0.97, "area / best single\n" + "\n".join(ratios),
                        transform=ax.transAxes, ha="right", va="top", fontsize=8,
                        bbox={"facecolor": "white", "edgecolor": "0.7", "alpha": 0.9})
            truth = any_leaf["true_values"]
            if len(truth) == 2 and all(np.isfinite(truth)):
                ax.plot([truth[0]], [truth[1]], marker="+", color="k", markersize=9,
                        linestyle="none", markeredgewidth=1.4, zorder=5)
            gx, gy = _finite_range(any_leaf["axes"][0]), _finite_range(any_leaf["axes"][1])
            if logx:
                ax.set_xscale("log")
            if logy:
                ax.set_yscale("log")
            if gx:
                ax.set_xlim(*gx)
            if gy:
                ax.set_ylim(*gy)
            first = (scan["detectors"][0], scen)
            ax.set_title(scenario_label(leaves[first]) if first in leaves else scen)
            ax.set_xlabel(param_label(px, scan.get("channel")))
            ax.set_ylabel(param_label(py, scan.get("channel")))
        names = [d for d in singles + combos if d in handles]
        _figure_legend(fig, [handles[d] for d in names], names, ncols=min(len(names), 6))
    return fig
