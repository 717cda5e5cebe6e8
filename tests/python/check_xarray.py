#!/usr/bin/env python3
"""Checks that cevns output files open in xarray as docs/output-format.md promises.

Usage: check_xarray.py FILE [FILE...]

Every group that holds datasets must open with
`xarray.open_dataset(FILE, engine="h5netcdf", group=GROUP)`, show every HDF5 dataset of the group
as a variable, give every variable and coordinate `units` and `long_name`, have a coordinate for
every dimension, and return string attributes as str (not bytes) in both h5py and xarray.
Prints one line per group; exits 1 with a message at the first violation, 0 when every file
passes.
"""

import sys

import h5py
import xarray


class Violation(Exception):
    pass


def groups_with_datasets(path):
    """Names of the groups that directly hold at least one dataset, root first."""
    found = []

    def visit(name, obj):
        if isinstance(obj, h5py.Group) and any(
            isinstance(obj[child], h5py.Dataset) for child in obj
        ):
            found.append("/" + name)

    with h5py.File(path, "r") as f:
        if any(isinstance(f[child], h5py.Dataset) for child in f):
            found.append("/")
        f.visititems(visit)
    return found


def dataset_names(path, group):
    with h5py.File(path, "r") as f:
        g = f[group]
        return sorted(name for name in g if isinstance(g[name], h5py.Dataset))


def check_attrs_are_str(where, attrs):
    for key, value in attrs.items():
        if isinstance(value, bytes):
            raise Violation(f"{where}: attribute {key!r} reads back as bytes, not str")


def check_group(path, group):
    try:
        ds = xarray.open_dataset(path, engine="h5netcdf", group=group)
    except Exception as err:  # any failure to open is the violation being looked for
        raise Violation(f"{group}: xarray cannot open the group ({type(err).__name__}: {err})")
    with ds:
        check_attrs_are_str(f"{group}", ds.attrs)
        missing = sorted(set(dataset_names(path, group)) - set(ds.variables))
        if missing:
            raise Violation(f"{group}: datasets {missing} do not appear in the xarray Dataset")
        for name, var in ds.variables.items():
            kind = "coordinate" if name in ds.coords else "variable"
            where = f"{group}: {kind} {name!r}"
            for attr in ("units", "long_name"):
                # CF decoding may move `units` into the encoding (time-like units); still present.
                if attr not in var.attrs and attr not in var.encoding:
                    raise Violation(f"{where} has no {attr!r} attribute")
            check_attrs_are_str(where, var.attrs)
            for dim in var.dims:
                if dim not in ds.coords:
                    raise Violation(f"{where}: dimension {dim!r} is not a coordinate")
        sizes = {dim: int(n) for dim, n in ds.sizes.items()}
        print(f"{group}: dims {sizes}, {len(ds.data_vars)} variables")


# Written by the HDF5 dimension-scale API as fixed-length strings or references, not by us.
DIMENSION_SCALE_ATTRS = {"CLASS", "NAME", "DIMENSION_LIST", "REFERENCE_LIST"}


def check_h5py_attrs_are_str(path):
    """Our string attributes are variable-length UTF-8, which h5py returns as str; h5netcdf
    would decode fixed-length ones too, but plain h5py users would get bytes."""

    def check(name, obj):
        attrs = {k: v for k, v in obj.attrs.items() if k not in DIMENSION_SCALE_ATTRS}
        check_attrs_are_str("/" + name, attrs)

    with h5py.File(path, "r") as f:
        check("", f)
        f.visititems(check)


def check_file(path):
    try:
        groups = groups_with_datasets(path)
    except OSError as err:
        raise Violation(f"cannot be read as HDF5 ({err})")
    if not groups:
        raise Violation("holds no datasets")
    check_h5py_attrs_are_str(path)
    for group in groups:
        check_group(path, group)


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    for path in argv[1:]:
        try:
            check_file(path)
        except Violation as err:
            print(f"check_xarray: {path}: {err}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
