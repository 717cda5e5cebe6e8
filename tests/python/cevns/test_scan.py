"""cevns.scan: the same results as `cevns scan -o FILE` read by xarray, to the last bit."""

import threading

import numpy as np
import pytest
import xarray as xr

import cevns
from cevns._results import open_tree
from conftest import QUADRATURE, assert_same_tree, axis, study

STUDIES = {
    "weak_mixing_1d": study("t_wm", [{"name": "sin2_theta_W",
                                      "axes": [axis("sin2_theta_W", 0.1, 0.4, 61)]}]),
    "nsi_2d": study("t_nsi2", [{"name": "ee-etau", "axes": [axis("eps_ee_uV", -1, 1, 41),
                                                           axis("eps_etau_uV", -1, 1, 41)]}]),
    "sterile_nue": study("t_nue", [{"name": "t_nue", "channel": "nue",
                                    "axes": [axis("sin2_2theta", 1e-3, 1.0, 30, "log"),
                                             axis("dm2_eV2", 1e-2, 1e2, 30, "log")]}],
                         quadrature=QUADRATURE),
}


@pytest.mark.parametrize("name", sorted(STUDIES))
@pytest.mark.parametrize("method", ["factorised", "direct"])
def test_scan_equals_the_programs_file_to_the_last_bit(name, method, tmp_path, run_cli):
    s = dict(STUDIES[name])
    if method == "direct":  # a coarser grid: every point is a double integral
        s = study(s["name"], [dict(sc, axes=[dict(a, points=min(a["points"], 9))
                                             for a in sc["axes"]]) for sc in s["scans"]],
                  quadrature=s.get("quadrature"))
    path = tmp_path / f"{name}.json"
    path.write_text(__import__("json").dumps(s))
    run_cli("scan", path, "-o", tmp_path / "cli.h5", "--backend", "cpu", "--method", method,
            "-q")
    cli = open_tree(tmp_path / "cli.h5")
    python = cevns.scan(path, backend="cpu", method=method, progress=False)
    assert isinstance(python, xr.DataTree)
    assert_same_tree(python, cli)
    assert python.attrs["command"].startswith("cevns.scan(")
    assert python.attrs["git_commit"] == cevns.info()["git_commit"]
    # the same study given as a dict: the same numbers
    from_dict = cevns.scan(s, backend="cpu", method=method, progress=False)
    assert_same_tree(from_dict, cli,
                     ignore_root_attrs=("created", "command", "git_commit", "config_json"))


def test_scan_tree_is_labelled_with_units(tmp_path):
    tree = cevns.scan(STUDIES["nsi_2d"], backend="cpu", progress=False)
    ds = tree["ee-etau/Ar/ideal"].to_dataset()
    assert ds.delta_chi2.dims == ("eps_etau_uV", "eps_ee_uV") or \
        ds.delta_chi2.dims == ("eps_ee_uV", "eps_etau_uV")
    assert ds.delta_chi2.attrs["units"] == "1"
    assert "units" in ds["eps_ee_uV"].attrs
    # Delta chi^2 is zero at the grid's minimum and positive elsewhere
    assert float(ds.delta_chi2.min()) == 0.0
    assert tree.attrs["file_kind"] == "scan"


def test_scan_reports_progress_through_the_given_object():
    events = []

    class Recorder:
        def start(self, label, total):
            events.append(("start", label, total))

        def update(self, done, total):
            events.append(("update", done, total))

        def close(self, done, total):
            events.append(("close", done, total))

        def note(self, line):
            events.append(("note", line))

    cevns.scan(STUDIES["weak_mixing_1d"], backend="cpu", progress=Recorder())
    starts = [e for e in events if e[0] == "start"]
    closes = [e for e in events if e[0] == "close" and e[1] is not None]
    # one grid per scan x detector x scenario: 1 x 2 x 2, each of 61 points, each finished
    assert len(starts) == 4 and all(e[2] == 61 for e in starts)
    assert len(closes) == 4 and all(e[1] == e[2] == 61 for e in closes)
    assert any(e[0] == "note" and "cevns scan t_wm" in e[1] for e in events)


def test_scan_draws_a_tqdm_bar(capsys):
    cevns.scan(STUDIES["weak_mixing_1d"], backend="cpu", progress=True)
    err = capsys.readouterr().err
    assert "sin2_theta_W/Ar/ideal: 100%" in err and "sin2_theta_W/CsI/sys15: 100%" in err


def test_scan_releases_the_gil_while_computing():
    # A direct scan in a second thread; the main thread counts meanwhile. The progress object's
    # start and close run inside the engine's call: between them, the main thread can count only
    # if the call released the GIL.
    s = study("t_gil", [{"name": "ee-etau", "axes": [axis("eps_ee_uV", -1, 1, 16),
                                                    axis("eps_etau_uV", -1, 1, 16)]}])
    count, during = [0], []

    class Counter:
        def start(self, label, total):
            self.at_start = count[0]

        def update(self, done, total):
            pass

        def close(self, done, total):
            if done is not None:
                during.append(count[0] - self.at_start)

        def note(self, line):
            pass

    t = threading.Thread(target=lambda: cevns.scan(s, backend="cpu", method="direct",
                                                   progress=Counter()))
    t.start()
    while t.is_alive():
        count[0] += 1
        t.join(0.001)
    assert len(during) == 4
    assert sum(during) > 0, during


def test_scan_prints_the_programs_table_when_verbose(capsys):
    cevns.scan(STUDIES["weak_mixing_1d"], backend="cpu", progress=False, verbose=True)
    out = capsys.readouterr().out
    assert "study t_wm: 90% CL" in out and "sin2_theta_W" in out
