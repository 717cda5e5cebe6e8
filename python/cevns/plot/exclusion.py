"""Sterile-neutrino figures: exclusion curves in (sin^2 2theta, Delta m^2_41)."""

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
    "_sterile_xlim",
    "draw_exclusion",
]


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
