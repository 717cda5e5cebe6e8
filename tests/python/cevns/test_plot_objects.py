"""cevns.plot draws from what cevns.rates/scan/fit return as from the program's files: the same
figures, with the same curves."""

import numpy as np
import pytest

import cevns
import cevns.plot
from conftest import REPO, axis, study

CSI = REPO / "configs" / "detectors" / "csi.json"
AR = REPO / "configs" / "detectors" / "ar.json"


def lines(fig):
    return [np.asarray(line.get_xydata()) for ax in fig.axes for line in ax.get_lines()]


def test_figures_of_a_scan_tree_equal_those_of_its_file(tmp_path, run_cli):
    s = study("t_plot", [{"name": "wm", "axes": [axis("sin2_theta_W", 0.1, 0.4, 41)]},
                         {"name": "ee-etau", "axes": [axis("eps_ee_uV", -1, 1, 21),
                                                      axis("eps_etau_uV", -1, 1, 21)]}])
    path = tmp_path / "t_plot.json"
    path.write_text(__import__("json").dumps(s))
    run_cli("--backend", "cpu", "scan", path, "-o", tmp_path / "t_plot.h5", "-q")
    tree = cevns.scan(path, backend="cpu", progress=False)
    from_file = cevns.plot.figures_for(tmp_path / "t_plot.h5")
    from_tree = cevns.plot.figures_for(tree)
    assert [f.name for f in from_tree] == [f.name for f in from_file] == \
        ["t_plot_wm", "t_plot_ee-etau"]
    for a, b in zip(from_file, from_tree):
        la, lb = lines(a.draw()), lines(b.draw())
        assert len(la) == len(lb) > 0
        for x, y in zip(la, lb):
            np.testing.assert_array_equal(x, y)


def test_spectra_and_totals_from_rates_datasets():
    with_gc = cevns.rates(CSI, backend="cpu", bin_width_keV=1.71, gc=True)
    without = cevns.rates(CSI, backend="cpu", bin_width_keV=1.71, gc=False)
    ar = cevns.rates(AR, backend="cpu")
    names = [f.name for f in cevns.plot.figures_for([with_gc, without, ar])]
    assert names == ["spectrum_CsI", "spectrum_Ar", "rates_totals"]
    fig = cevns.plot.draw([with_gc, without], "spectrum_CsI")
    assert len(fig.axes) >= 2  # the spectrum and the g_c ratio panel


def test_a_dataset_that_is_not_a_rates_result_is_refused():
    import xarray as xr
    with pytest.raises(cevns.plot.NotCevnsFile):
        cevns.plot.figures_for(xr.Dataset(attrs={"file_kind": "scan"}))


def test_console_script_module_runs(tmp_path, run_cli):
    import subprocess
    import sys
    run_cli("--backend", "cpu", "rates", CSI, "-o", tmp_path / "r.h5")
    r = subprocess.run([sys.executable, "-m", "cevns.plot", str(tmp_path / "r.h5"), "--list"],
                       capture_output=True, text=True)
    assert r.returncode == 0 and "spectrum_CsI" in r.stdout, r.stderr
