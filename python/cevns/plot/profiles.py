"""One-parameter figures: Delta chi^2 profiles, a panel per detector, a curve per scenario."""

import argparse
import json
import math
import os
import re
import sys

import h5py
import numpy as np

from ._common import *  # noqa: F401,F403

__all__ = [
    "_free_side",
    "draw_profiles",
]


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
