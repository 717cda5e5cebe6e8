"""What to draw: the figures a set of files (or results of cevns.scan/fit/rates) give."""

import argparse
import json
import math
import os
import re
import sys

import h5py
import numpy as np

from ._common import *  # noqa: F401,F403
from .combinations import *  # noqa: F401,F403
from .exclusion import *  # noqa: F401,F403
from .feldman_cousins import *  # noqa: F401,F403
from .fits import *  # noqa: F401,F403
from .profiles import *  # noqa: F401,F403
from .rates import *  # noqa: F401,F403
from .regions import *  # noqa: F401,F403

__all__ = [
    "_scan_figures",
    "figures_for",
    "draw",
    "save",
]


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
        if any(c in scan["detectors"] for c in combination_names(inv["config"])):
            what = ("Delta chi^2 profiles" if len(params) == 1 else "CL region boundaries")
            out.append(FigureSpec(
                base + "_combined",
                f"{what} of the single detectors and their combinations, a panel per scenario",
                lambda s=scan: (draw_combined_profiles(s, inv) if len(s["parameters"]) == 1
                                else draw_combined_regions(s, inv)), [inv["path"]]))
    return out



def figures_for(paths):
    """The figures the files PATHS (one path or a list) can give: a list of FigureSpec, each a
    (name, description, draw) triple. Rates files of one detector given together share a
    spectrum figure. Raises NotCevnsFile for a file that is not a cevns-scan output. Results of
    cevns.rates, cevns.scan and cevns.fit (xarray objects) may stand in for files."""
    if isinstance(paths, (str, os.PathLike)) or _is_result(paths):
        paths = [paths]
    paths = [_as_path(p) for p in paths]
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


def _is_result(obj):
    return type(obj).__module__.startswith("xarray") and hasattr(obj, "attrs")


_result_files = []  # temporary files of results being drawn; removed at exit


def _as_path(obj):
    """A path to an HDF5 file holding OBJ: OBJ itself when it is a path, else a temporary file
    with the layout the program writes (xarray writes back what it read from such a file)."""
    if not _is_result(obj):
        return obj
    import atexit
    import shutil
    import tempfile
    import xarray as xr
    if not _result_files:
        _result_files.append(tempfile.mkdtemp(prefix="cevns-plot-"))
        atexit.register(shutil.rmtree, _result_files[0], True)
    kind = obj.attrs.get("file_kind")
    if isinstance(obj, xr.Dataset):
        if kind != "rates":
            raise NotCevnsFile("an xarray.Dataset that is not a result of cevns.rates")
        from .._results import rates_tree
        obj = rates_tree(obj)
    name = f"{kind or 'result'}_{len(_result_files)}"
    if kind == "scan" and obj.attrs.get("config_json"):
        try:
            name = json.loads(obj.attrs["config_json"]).get("name", name)
        except ValueError:
            pass
    path = os.path.join(_result_files[0], f"{len(_result_files)}", f"{name}.h5")
    os.makedirs(os.path.dirname(path))
    _result_files.append(path)
    obj.to_netcdf(path, engine="h5netcdf")
    return path


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
