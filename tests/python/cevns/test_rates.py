"""cevns.rates: the program's spectrum and totals (`cevns rates --json` and `-o`), to the last
bit, as one labelled Dataset."""

import json

import numpy as np
import pytest
import xarray as xr

import cevns
from cevns._results import open_tree
from conftest import REPO, assert_same_tree, bits

CSI = REPO / "configs" / "detectors" / "csi.json"
GE_NATURAL = REPO / "configs" / "detectors" / "ge_natural.json"


@pytest.mark.parametrize("options,flags", [
    ({}, []),
    ({"bin_width_keV": 1.71, "gc": True}, ["--bin-width", "1.71", "--gc"]),
    ({"neutron_radius_fm": 4.9, "ff_neutron": "klein_nystrand", "gc": False},
     ["--neutron-radius", "4.9", "--ff-neutron", "klein_nystrand", "--no-gc"]),
])
def test_rates_equal_the_program_to_the_last_bit(options, flags, tmp_path, run_cli):
    ds = cevns.rates(CSI, backend="cpu", **options)
    table = json.loads(run_cli("--backend", "cpu", "rates", CSI, "--json", *flags).stdout)
    run_cli("--backend", "cpu", "rates", CSI, "-o", tmp_path / "r.h5", *flags)
    assert bits(ds.total.values) == bits(np.float64(table["total"]))
    assert bits(ds.total_by_flux.values) == bits(
        [table["by_flavor"][k] for k in ("nu_mu", "nu_mu_bar", "nu_e")])
    assert list(ds.isotope.values) == list(table["by_isotope"])
    assert bits(ds.total_by_isotope.values) == bits(list(table["by_isotope"].values()))
    assert bits(ds.counts.values) == bits(table["bins"]["counts"])
    # the group of the program's file, variables and attributes, is in the Dataset unchanged
    group = open_tree(tmp_path / "r.h5")[table["detector"]].to_dataset()
    for name, var in group.variables.items():
        assert bits(ds[name].values) == bits(var.values) and ds[name].attrs == var.attrs, name
    for k, v in group.attrs.items():
        assert bits(ds.attrs[k]) == bits(v), k


def test_rates_dataset_adds_up():
    ds = cevns.rates(GE_NATURAL, backend="cpu")
    assert isinstance(ds, xr.Dataset)
    assert ds.sizes["isotope"] == 5 and ds.sizes["flux"] == 3
    assert ds.total.attrs["units"] == "events" and ds.counts.attrs["units"] == "events"
    assert list(ds.flux_name.values) == ["nu_mu", "nu_mu_bar", "nu_e"]
    # the totals are sums of the same terms in other orders: equal to rounding
    assert float(ds.total_by_isotope.sum()) == pytest.approx(float(ds.total), rel=1e-12)
    assert float(ds.total_by_flux.sum()) == pytest.approx(float(ds.total), rel=1e-12)
    assert float(ds.counts.sum()) == pytest.approx(float(ds.total), rel=1e-12)
    np.testing.assert_allclose(ds.counts_by_flux.sum("flux"), ds.counts, rtol=1e-12)
    assert ds.attrs["file_kind"] == "rates" and ds.attrs["detector"] == "Ge-natural"


def test_rates_of_a_dict_equal_those_of_its_file():
    config = json.loads(CSI.read_text())
    config["source"] = str(REPO / "configs" / "sources" / config["source"].split("/")[-1])
    a, b = cevns.rates(CSI, backend="cpu"), cevns.rates(config, backend="cpu")
    assert bits(a.counts.values) == bits(b.counts.values)
    assert bits(a.total_by_isotope.values) == bits(b.total_by_isotope.values)
