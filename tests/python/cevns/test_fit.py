"""cevns.fit: the same tree as `cevns fit -o FILE` read by xarray, to the last bit. Needs the
COHERENT releases ($CEVNS_DATA, else ../shared/data/coherent beside the repository)."""

import json
import os
import pathlib

import pytest

import cevns
from cevns._results import open_tree
from conftest import REPO, assert_same_tree

DATA = pathlib.Path(os.environ.get("CEVNS_DATA", REPO.parent / "shared" / "data" / "coherent"))
CSI2017 = REPO / "configs" / "data" / "csi2017.json"
LAR2020 = REPO / "configs" / "data" / "lar2020.json"

pytestmark = pytest.mark.skipif(not (DATA / "csi2017").is_dir(),
                                reason=f"no COHERENT releases at {DATA}")


def test_fit_equals_the_programs_file_to_the_last_bit(tmp_path, run_cli):
    only = ["n_cevns", "sin2_theta_W", "eps_ee_etau"]
    run_cli("--backend", "cpu", "fit", CSI2017, LAR2020, "--data-dir", DATA, "--only",
            ",".join(only), "--grid-points", "15", "-o", tmp_path / "cli.h5")
    cli = open_tree(tmp_path / "cli.h5")
    python = cevns.fit([CSI2017, LAR2020], data_dir=DATA, backend="cpu", only=only,
                       grid_points=15, progress=False)
    assert_same_tree(python, cli)
    assert {"CsI2017", "LAr2020", "combined"} <= set(python.children) or \
        len(python.children) == 3


def test_fit_of_a_dict_names_it_in_errors():
    config = json.loads(CSI2017.read_text())
    config["fit"] = 3
    with pytest.raises(cevns.ConfigError) as err:
        cevns.fit(config, data_dir=DATA, progress=False)
    assert err.value.file == "<dict>"
    with pytest.raises(cevns.ConfigError) as err:
        cevns.fit(CSI2017, data_dir=DATA, only="no_such_thing", progress=False)
    assert err.value.file == "--only"
