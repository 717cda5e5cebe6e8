"""Feldman-Cousins figures (SPEC §11): Wilks' region beside the region from the toys' critical
values, with the expected-limit bands."""

import h5py
import numpy as np

from ._common import *  # noqa: F401,F403

__all__ = [
    "draw_feldman_cousins",
]


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
