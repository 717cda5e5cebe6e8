"""Event-rate figures: recoil spectra (with the g_c ratio) and totals per detector."""

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
    "_read_rates",
    "_gc_label",
    "_exposure_text",
    "draw_spectrum",
    "draw_totals",
    "_rates_figures",
]


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
