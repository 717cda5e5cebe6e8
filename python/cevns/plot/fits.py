"""Figures of fits to the COHERENT data: first-measurement check, profiles, planes."""

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
from .profiles import _free_side  # noqa: F401
from .regions import _closed, _polylines, _region_path  # noqa: F401

__all__ = [
    "DATASET_COLORS",
    "DATASET_LINES",
    "dataset_style",
    "dataset_label",
    "draw_fit_check",
    "_fit_title",
    "draw_fit_profiles",
    "_read_plane",
    "draw_fit_plane",
    "_fit_figures",
]


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
                "thr": _attr_float(g, "delta_chi2_threshold",
                                   _attr_float(g, "wilks_delta_chi2_threshold", 2.705543454095404)),
                # Feldman-Cousins: the critical values the intervals were drawn with
                "critical": _read(g, "critical_delta_chi2"),
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
                if c.get("critical") is not None:
                    fc_style = dict(style, linestyle=(0, (1, 1.5)), linewidth=1.2)
                    ax.plot(c["x"], np.ravel(c["critical"]), gid=f"critical:{name}", **fc_style)
                    handles.setdefault("__fc__", Line2D([], [], color="0.25",
                                                        linestyle=(0, (1, 1.5))))
                    labels.setdefault("__fc__", "Feldman-Cousins $t_c$ (dotted)")
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
        order = [n for n in names if n in handles] + [k for k in ("__sm__", "__cl__", "__fc__")
                                                       if k in handles]
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
             "fc_toys": int(_attr_float(g, "fc_toys", 0)) if "critical_delta_chi2" in g else 0,
             "raster_threshold": _attr_float(g, "raster_delta_chi2_threshold"),
             "best_fit": _attr_floats(g, "best_fit"), "exclusion": _read(g, "exclusion_sin2_2theta"),
             "no_mixing": _attr_float(g, "delta_chi2_no_mixing"), "polylines": None}
        if "contour_x" in g:
            x, y = _read(g, "contour_x"), _read(g, "contour_y")
            st = np.asarray(g["contour_start"][()], dtype=np.int64).ravel()
            ln = np.asarray(g["contour_length"][()], dtype=np.int64).ravel()
            d["polylines"] = [(x[a:a + n], y[a:a + n]) for a, n in zip(st, ln) if n > 0]
    return d


def _threshold_text(d):
    """What a plane's regions were drawn with: Wilks' Delta(-2 ln L), or the Feldman-Cousins
    critical values per point."""
    if d.get("fc_toys"):
        return f"Feldman-Cousins, {d['fc_toys']} toys"
    return rf"$\Delta(-2\ln L)$ = {d['threshold']:.2f}"


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
                         f"{_threshold_text(first)} (2 parameters); "
                         "excluded to the right of each curve")
        elif mediator:
            label = MEDIATOR_LABELS.get(mediator, mediator)
            title = (f"{label[0].upper() + label[1:]} from COHERENT data: 90% CL boundaries "
                     f"({_threshold_text(first)})" "\n"
                     "excluded to the right of each curve; + best fits")
            if mediator == "vector_universal":
                title += "\nsmall loops: bands that destructive interference reopens"
        else:
            title = (f"90% CL regions in the ({param_symbol(px)}, {param_symbol(py)}) plane "
                     f"from COHERENT data ({_threshold_text(first)})")
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
