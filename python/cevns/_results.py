"""The program's HDF5 files as xarray objects, and back."""

import posixpath

import h5py
import numpy as np
import xarray as xr

# Root attributes of every output file (host/io/scan_output.cpp, write_provenance).
PROVENANCE_ATTRS = ("program", "version", "git_commit", "created", "command", "backend",
                    "file_kind", "config_json", "complete")
# What cevns.rates adds to the file's group: the totals of `cevns rates --json`.
RATES_TOTALS = ("total", "total_by_flux", "total_by_isotope", "flux_name", "isotope")


def open_tree(path):
    """The whole file, read into memory (the file may go afterwards): what
    ``xr.open_datatree(path, engine="h5netcdf")`` reads, read directly with h5py. The program's
    layout (host/io/h5io.cpp) is plain netCDF-4: every dimension a coordinate variable (an HDF5
    dimension scale), variables of doubles or 64-bit integers attached to them, attributes of
    strings and numbers, no fill values or scale factors to decode. xarray's reader resolves the
    dimensions variable by variable and costs as much as the scan of a 2-D study; this one reads
    the same objects in a few milliseconds (the tests compare them bit for bit). Anything outside
    that layout is read by xarray."""
    try:
        with h5py.File(path, "r") as f:
            groups = {}
            _read_groups(f, groups)
        return xr.DataTree.from_dict(groups)
    except _OutsideLayout:
        with xr.open_datatree(path, engine="h5netcdf") as tree:
            return tree.load()


class _OutsideLayout(Exception):
    pass


# Attributes of the netCDF-4 / HDF5 dimension-scale machinery, which xarray does not show.
_HIDDEN_ATTRS = {"CLASS", "NAME", "DIMENSION_LIST", "REFERENCE_LIST", "_Netcdf4Dimid",
                 "_Netcdf4Coordinates", "_NCProperties", "_nc3_strict"}
_DECODED_ATTRS = {"_FillValue", "missing_value", "scale_factor", "add_offset", "calendar",
                  "dtype", "_Unsigned", "coordinates"}


def _attrs(obj):
    out = {}
    for key, value in obj.attrs.items():
        if key in _HIDDEN_ATTRS:
            continue
        if key in _DECODED_ATTRS or isinstance(value, bytes) or \
                (isinstance(value, np.ndarray) and value.dtype.kind not in "fiu"):
            raise _OutsideLayout(key)
        out[key] = value
    return out


def _dimension_name(group, ref, scales):
    # Dereferencing is quick, asking HDF5 for the name of the object slow (a search): the
    # group's own dimension scales are recognised by their object identity.
    obj = group.file[ref]
    name = scales.get(hash(obj.id))
    return name if name is not None else posixpath.basename(obj.name)


def _read_groups(group, out):
    coords, variables = {}, {}
    members = [(name, obj) for name, obj in group.items()]
    scales = {hash(obj.id): name for name, obj in members
              if isinstance(obj, h5py.Dataset) and obj.attrs.get("CLASS") == b"DIMENSION_SCALE"}
    for name, obj in members:
        if isinstance(obj, h5py.Group):
            continue
        if obj.dtype.kind not in "fiu":
            raise _OutsideLayout(name)
        attrs = _attrs(obj)
        if "units" in attrs and "since" in str(attrs["units"]):
            raise _OutsideLayout(name)  # a time axis: xarray decodes it
        if obj.attrs.get("CLASS") == b"DIMENSION_SCALE":
            if obj.ndim != 1 or obj.attrs.get("NAME") != name.encode():
                raise _OutsideLayout(name)
            coords[name] = xr.Variable((name,), obj[()], attrs)
            continue
        refs = obj.attrs.get("DIMENSION_LIST")
        if obj.ndim and (refs is None or len(refs) != obj.ndim):
            raise _OutsideLayout(name)
        dims = tuple(_dimension_name(group, r[0], scales) for r in refs) if obj.ndim else ()
        variables[name] = xr.Variable(dims, obj[()], attrs)
    out[group.name] = xr.Dataset(variables, coords=coords, attrs=_attrs(group))
    for _, obj in members:
        if isinstance(obj, h5py.Group):
            _read_groups(obj, out)


def rates_dataset(tree, table):
    """cevns.rates' Dataset: the detector's group of a rates file, the file's provenance as
    attributes, and the totals of `cevns rates --json` (TABLE) as variables."""
    ds = tree[table["detector"]].to_dataset()
    ds.attrs = {**{k: v for k, v in tree.attrs.items()}, **ds.attrs}
    flux_names = str(ds["flux"].attrs.get("labels", "nu_mu,nu_mu_bar,nu_e")).split(",")
    isotopes = list(table["by_isotope"])
    return ds.assign(
        total=xr.DataArray(np.float64(table["total"]), attrs={
            "units": "events", "long_name": "expected CEvNS events, all fluxes and isotopes"}),
        total_by_flux=xr.DataArray(
            np.array([table["by_flavor"][f] for f in flux_names], dtype=np.float64),
            dims=("flux",), attrs={"units": "events",
                                  "long_name": "expected CEvNS events per flux class"}),
        total_by_isotope=xr.DataArray(
            np.array([table["by_isotope"][i] for i in isotopes], dtype=np.float64),
            dims=("isotope",), attrs={"units": "events",
                                     "long_name": "expected CEvNS events per isotope"}),
    ).assign_coords(
        flux_name=("flux", flux_names, {"long_name": "neutrino flux class"}),
        isotope=("isotope", isotopes, {"long_name": "isotope"}),
    )


def rates_tree(ds):
    """A rates Dataset back as the file's tree (for cevns.plot)."""
    root = {k: v for k, v in ds.attrs.items() if k in PROVENANCE_ATTRS}
    group = ds.drop_vars([v for v in RATES_TOTALS if v in ds.variables])
    group.attrs = {k: v for k, v in ds.attrs.items() if k not in PROVENANCE_ATTRS}
    return xr.DataTree.from_dict({"/": xr.Dataset(attrs=root), "/" + ds.attrs["detector"]: group})
