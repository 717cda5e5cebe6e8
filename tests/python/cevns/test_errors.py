"""Bad input: one exception type, cevns.ConfigError, with the file, the JSON path and the
expectation as attributes, the message the program prints; no file left behind."""

import json
import pickle

import pytest

import cevns
from conftest import REPO, axis, study

CSI = REPO / "configs" / "detectors" / "csi.json"


def test_a_dict_is_named_dict_and_the_path_points_at_the_key():
    s = study("t_err", [{"name": "wm", "axes": [axis("sin2_theta_W", 0.1, 0.4, 0)]}])
    with pytest.raises(cevns.ConfigError) as err:
        cevns.scan(s, progress=False)
    e = err.value
    assert e.file == "<dict>"
    assert e.json_path == "/scans/0/axes/0/points"
    assert "expected" in e.expectation
    assert str(e) == f"<dict>: /scans/0/axes/0/points: {e.expectation}"


def test_a_file_is_named_with_its_path(tmp_path):
    bad = tmp_path / "bad.json"
    d = json.loads(CSI.read_text())
    d["mas_kg"] = d.pop("mass_kg")
    d["source"] = str(REPO / "configs" / "sources" / "sns.json")
    bad.write_text(json.dumps(d))
    with pytest.raises(cevns.ConfigError) as err:
        cevns.rates(bad)
    assert err.value.file == str(bad)
    assert err.value.json_path == "/mass_kg"
    assert 'did you mean "mass_kg"?' in err.value.expectation


def test_a_missing_file_and_malformed_json(tmp_path):
    with pytest.raises(cevns.ConfigError) as err:
        cevns.scan(tmp_path / "absent.json", progress=False)
    assert err.value.file == str(tmp_path / "absent.json") and err.value.json_path == ""
    assert "cannot be read" in err.value.expectation
    broken = tmp_path / "broken.json"
    broken.write_text('{"name": ')
    with pytest.raises(cevns.ConfigError) as err:
        cevns.scan(broken, progress=False)
    assert err.value.expectation.startswith("malformed JSON at line 1")


def test_a_file_named_inside_a_dict_is_reported_at_the_dict():
    s = study("t_err", [{"name": "wm", "axes": [axis("sin2_theta_W", 0.1, 0.4, 5)]}])
    s["detectors"] = ["no/such/detector.json"]
    with pytest.raises(cevns.ConfigError) as err:
        cevns.scan(s, progress=False)
    assert (err.value.file, err.value.json_path) == ("<dict>", "/detectors/0")
    assert '"./no/such/detector.json"' in err.value.expectation


def test_options_are_named_like_the_programs():
    with pytest.raises(cevns.ConfigError) as err:
        cevns.rates(CSI, bin_width_keV=-1.0)
    assert (err.value.file, err.value.json_path) == ("--bin-width", "")
    with pytest.raises(cevns.ConfigError) as err:
        cevns.scan(REPO / "configs" / "studies" / "weak_mixing.json", method="fast",
                   progress=False)
    assert err.value.file == "--method"
    assert err.value.expectation == 'expected factorised or direct, got "fast"'
    with pytest.raises(cevns.ConfigError) as err:
        cevns.rates(CSI, backend="gpu")
    assert "cpu" in err.value.expectation


def test_values_that_are_not_json_are_config_errors():
    s = study("t_err", [{"name": "wm", "axes": [axis("sin2_theta_W", 0.1, float("nan"), 5)]}])
    with pytest.raises(cevns.ConfigError) as err:
        cevns.scan(s, progress=False)
    assert err.value.file == "<dict>"
    with pytest.raises(TypeError):
        cevns.scan(42)


def test_config_error_is_one_type_that_survives_pickling():
    e = cevns.ConfigError("a.json", "/x", "expected a number")
    assert isinstance(e, ValueError)
    f = pickle.loads(pickle.dumps(e))
    assert (f.file, f.json_path, f.expectation, str(f)) == (e.file, e.json_path, e.expectation,
                                                           "a.json: /x: expected a number")
