"""cevns.rates, cevns.scan, cevns.fit: the program's commands run in-process (the extension
cevns._cevns calls the same functions as `cevns rates|scan|fit`), their HDF5 output read back as
xarray objects."""

import json
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Mapping

from ._errors import ConfigError
from ._results import open_tree, rates_dataset


def _ext():
    try:
        from . import _cevns
    except ImportError as err:
        raise ImportError(
            "cevns: the compiled extension cevns._cevns is missing; install the package with "
            "`pip install .` from the repository (cevns.plot works without it)") from err
    return _cevns


def info():
    """The engine: version, git commit, and whether the CUDA backend was compiled in."""
    ext = _ext()
    return {"version": ext.version, "git_commit": ext.git_commit,
            "cuda_compiled": ext.cuda_compiled}


def _json_default(value):
    # numpy scalars and arrays in a config dict
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not a JSON value")


class _Configs:
    """Configs as paths or dicts: a dict is handed to the engine as JSON text under a stand-in
    name (``<dict>``) that its error messages use; relative paths inside it are resolved from the
    working directory."""

    def __init__(self):
        self.documents = {}

    def add(self, config, name="<dict>"):
        if isinstance(config, Mapping):
            try:
                self.documents[name] = json.dumps(config, allow_nan=False, default=_json_default)
            except (TypeError, ValueError) as err:
                raise ConfigError(name, "", f"expected a JSON document ({err})") from None
            return name
        if isinstance(config, (str, os.PathLike)):
            return os.fspath(config)
        raise TypeError(f"a config is a path or a dict, not {type(config).__name__}")


class _ProgressBar:
    """The engine's progress as tqdm bars (one per grid), notes as lines beside them."""

    def __init__(self):
        try:
            import ipywidgets  # noqa: F401  (tqdm.auto draws a widget in notebooks with it)
            from tqdm.auto import tqdm
        except ImportError:
            from tqdm import tqdm
        self.tqdm, self.bar = tqdm, None

    def start(self, label, total):
        self.close(None, None)
        self.bar = self.tqdm(total=total, desc=label, unit="pt", unit_scale=True,
                             dynamic_ncols=True, file=sys.stderr)

    def update(self, done, total):
        if self.bar is not None:
            self.bar.update(done - self.bar.n)

    def close(self, done, total):
        if self.bar is not None:
            if done is not None:
                self.bar.update(done - self.bar.n)
            self.bar.close()
            self.bar = None

    def note(self, line):
        self.tqdm.write(line, file=sys.stderr)


def _progress(progress):
    if progress is True:
        return _ProgressBar()
    if progress is False or progress is None:
        return None
    return progress  # an object with start, update, close and note


def _run(function, *args, progress=None, documents=None):
    """Runs an engine command; returns what it printed. Ctrl-C (SIGINT) during the run ends it
    within about a quarter of a second as KeyboardInterrupt; SIGTERM terminates as usual."""
    main_thread = threading.current_thread() is threading.main_thread()
    bar = _progress(progress)
    # The engine's standard output is captured during the call (its table, its JSON): what
    # Python buffered goes out first.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, ValueError, OSError):
            pass
    try:
        status, text = function(*args, progress=bar, catch_signals=main_thread,
                                documents=documents or {})
    finally:
        if bar is not None and hasattr(bar, "close"):
            bar.close(None, None)
    if status == 0:
        return text
    if status == 128 + signal.SIGINT:
        raise KeyboardInterrupt
    if status == 128 + signal.SIGTERM:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.raise_signal(signal.SIGTERM)
    raise RuntimeError(f"cevns: the command ended with status {status}\n{text}")


def _shown(config):
    return "<dict>" if isinstance(config, Mapping) else os.fspath(config)


def rates(detector, *, backend="auto", bin_width_keV=None, neutron_radius_fm=None,
          ff_proton=None, ff_neutron=None, gc=None):
    """Expected CEvNS events of one detector (`cevns rates`): an xarray.Dataset with the recoil
    spectrum ``counts`` and ``counts_by_flux`` (as `cevns rates -o` writes them, attributes
    included), the totals ``total``, ``total_by_flux`` and ``total_by_isotope``.

    detector: a detector config, path or dict. backend: "cpu", "cuda" or "auto".
    bin_width_keV, neutron_radius_fm, ff_proton, ff_neutron ("helm", "symmetrized_fermi",
    "klein_nystrand"), gc (the kinematic correction g_c, True or False): the options of the
    command (None: the config's values)."""
    configs = _Configs()
    path = configs.add(detector)
    command = f"cevns.rates({_shown(detector)!r}, backend={backend!r})"
    with tempfile.TemporaryDirectory(prefix="cevns-") as tmp:
        out = os.path.join(tmp, "rates.h5")
        text = _run(lambda *a, progress, catch_signals, documents: _ext().rates(
            path, out, backend, bin_width_keV, neutron_radius_fm, ff_proton, ff_neutron, gc,
            command, documents), documents=configs.documents)
        tree = open_tree(out)
    return rates_dataset(tree, json.loads(text))


def scan(study, *, backend="auto", method=None, chunk_points=1 << 20, progress=True,
         verbose=False):
    """Runs a study (`cevns scan STUDY -o FILE`): an xarray.DataTree holding what FILE holds, node
    for node (groups ``/<scan>/<detector>/<scenario>``), variables, attributes and units included.

    study: a study config, path or dict. backend: "cpu", "cuda" or "auto"; method: "factorised"
    or "direct" (None: the study's); chunk_points: grid points per backend call. progress: True
    (a tqdm bar), False, or an object with start(label, total), update(done, total),
    close(done, total) and note(line). verbose: print the program's results table."""
    configs = _Configs()
    path = configs.add(study)
    command = f"cevns.scan({_shown(study)!r}, backend={backend!r}, method={method!r})"
    with tempfile.TemporaryDirectory(prefix="cevns-") as tmp:
        out = os.path.join(tmp, "scan.h5")
        text = _run(_ext().scan, path, out, "", backend, method, int(chunk_points), command,
                    progress=progress, documents=configs.documents)
        tree = open_tree(out)
    if verbose:
        print(text.strip("\n"))
    return tree


def fit(configs, *, data_dir=None, backend="auto", only=None, grid_points=None, progress=True,
        verbose=False):
    """Fits to COHERENT data releases (`cevns fit CONFIG... -o FILE`): an xarray.DataTree holding
    what FILE holds (a group per data set, ``combined`` for several).

    configs: one data-set config or a list (paths or dicts). data_dir: the releases' directory
    (else $CEVNS_DATA, else the configs' data_dir). only: names to compute ("n_cevns", profile
    parameters, plane names); grid_points: points per axis of the planes. progress, verbose: as
    for scan."""
    if isinstance(configs, (str, os.PathLike, Mapping)):
        configs = [configs]
    configs = list(configs)
    documents = _Configs()
    dicts = sum(isinstance(c, Mapping) for c in configs)
    paths, k = [], 0
    for c in configs:
        if isinstance(c, Mapping):
            k += 1
        paths.append(documents.add(c, "<dict>" if dicts == 1 else f"<dict {k}>"))
    if isinstance(only, str):
        only = [only]
    command = "cevns.fit([" + ", ".join(repr(_shown(c)) for c in configs) + f"], backend={backend!r})"
    with tempfile.TemporaryDirectory(prefix="cevns-") as tmp:
        out = os.path.join(tmp, "fit.h5")
        text = _run(_ext().fit, paths, out, "", backend,
                    None if data_dir is None else os.fspath(data_dir), list(only or []),
                    int(grid_points or 0), command, progress=progress,
                    documents=documents.documents)
        tree = open_tree(out)
    if verbose:
        print(text.strip("\n"))
    return tree
