"""Fixtures of the cevns package tests: the repository, the `cevns` program to compare with,
small studies (dicts) that run in a second."""

import os
import pathlib
import subprocess

import numpy as np
import pytest

REPO = pathlib.Path(__file__).resolve().parents[3]
DETECTORS = [str(REPO / "configs" / "detectors" / d) for d in ("ar.json", "csi.json")]
QUADRATURE = {"recoil_nodes": 16, "energy_nodes": 16, "energy_panels": 4}


def study(name, scans, scenarios=("ideal", "sys15"), quadrature=None):
    s = {"name": name, "description": f"cevns package test {name}", "detectors": DETECTORS,
         "scenarios": list(scenarios),
         "analysis": {"binning": "total", "background_fraction": 0.10, "cl": 0.90},
         "scans": scans}
    if quadrature:
        s["quadrature"] = quadrature
    return s


def axis(parameter, lo, hi, points, scale=None):
    a = {"parameter": parameter, "min": lo, "max": hi, "points": points}
    if scale:
        a["scale"] = scale
    return a


@pytest.fixture(scope="session")
def repo():
    return REPO


@pytest.fixture(scope="session")
def cevns_binary():
    """The program (CEVNS_BINARY, else build/cevns); tests comparing with it skip without it."""
    path = pathlib.Path(os.environ.get("CEVNS_BINARY", REPO / "build" / "cevns"))
    if not path.is_file():
        pytest.skip(f"no cevns program at {path} (set CEVNS_BINARY)")
    return path


@pytest.fixture(scope="session")
def run_cli(cevns_binary):
    def run(*args, check=True):
        r = subprocess.run([str(cevns_binary), *map(str, args)], capture_output=True, text=True,
                           timeout=600)
        if check and r.returncode != 0:
            raise AssertionError(f"cevns {' '.join(map(str, args))}: {r.returncode}\n{r.stderr}")
        return r
    return run


def bits(values):
    """The bytes of an array: equal bits, NaNs included."""
    a = np.ascontiguousarray(np.asarray(values))
    return a.dtype.str, a.shape, a.tobytes()


def assert_same_tree(python, cli, ignore_root_attrs=("created", "command", "git_commit")):
    """The tree cevns returned equals the program's file read by xarray: the same nodes,
    variables, dimensions, coordinates and attributes, values equal to the last bit. The root's
    creation time, command and git commit describe the run and the build (the package and the
    program may be built from different commits), not the results."""
    nodes = {n.path: n for n in python.subtree}
    assert sorted(nodes) == sorted(n.path for n in cli.subtree)
    for node in cli.subtree:
        mine = nodes[node.path]
        assert sorted(mine.ds.variables) == sorted(node.ds.variables), node.path
        attrs_cli = {k: v for k, v in node.attrs.items()
                     if not (node.path == "/" and k in ignore_root_attrs)}
        attrs_py = {k: v for k, v in mine.attrs.items()
                    if not (node.path == "/" and k in ignore_root_attrs)}
        assert sorted(attrs_py) == sorted(attrs_cli), node.path
        for k, v in attrs_cli.items():
            assert bits(attrs_py[k]) == bits(v), f"{node.path} attribute {k}"
        for name, var in node.ds.variables.items():
            other = mine.ds.variables[name]
            assert other.dims == var.dims, f"{node.path}/{name}"
            assert other.attrs.keys() == var.attrs.keys(), f"{node.path}/{name}"
            for k, v in var.attrs.items():
                assert bits(other.attrs[k]) == bits(v), f"{node.path}/{name} attribute {k}"
            assert bits(other.values) == bits(var.values), f"{node.path}/{name} values"
