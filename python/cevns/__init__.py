"""cevns: CEvNS forecasts and fits at spallation sources, on the cevns-scan engine.

The functions mirror the program's commands and return what its HDF5 files hold, as xarray objects:

    import cevns
    r = cevns.rates("configs/detectors/csi.json")          # xarray.Dataset: totals, spectrum
    tree = cevns.scan("configs/studies/nsi_2d.json")        # xarray.DataTree, as `cevns scan -o`
    fits = cevns.fit(["configs/data/csi2017.json"])         # xarray.DataTree, as `cevns fit -o`
    cevns.plot.figures_for(tree)                            # the figures of scripts/plot.py

Configs are paths or dicts; bad input raises cevns.ConfigError (file, json_path, expectation).
Long runs release the GIL, show a progress bar (tqdm) and stop on Ctrl-C (KeyboardInterrupt).
"""

from ._errors import ConfigError
from ._api import fit, info, rates, scan

__all__ = ["ConfigError", "fit", "info", "plot", "rates", "scan"]


def __getattr__(name):
    # cevns.plot imports matplotlib only when drawing; import it on first use.
    if name == "plot":
        import importlib
        return importlib.import_module(".plot", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
