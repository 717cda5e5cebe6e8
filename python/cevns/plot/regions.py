"""Two-parameter figures: CL regions from the stored contour polylines."""

import argparse
import json
import math
import os
import re
import sys

import h5py
import numpy as np

from ._common import *  # noqa: F401,F403
from .exclusion import _sterile_xlim  # noqa: F401

__all__ = [
    "_polylines",
    "_closed",
    "_region_path",
    "_has_hole",
    "draw_regions",
]


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
