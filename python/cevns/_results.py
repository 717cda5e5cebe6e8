"""The program's HDF5 files as xarray objects, and back."""

import numpy as np
import xarray as xr

# Root attributes of every output file (host/io/scan_output.cpp, write_provenance).
PROVENANCE_ATTRS = ("program", "version", "git_commit", "created", "command", "backend",
                    "file_kind", "config_json", "complete")
# What cevns.rates adds to the file's group: the totals of `cevns rates --json`.
RATES_TOTALS = ("total", "total_by_flux", "total_by_isotope", "flux_name", "isotope")


def open_tree(path):
    """The whole file, read into memory (the file may go afterwards)."""
    with xr.open_datatree(path, engine="h5netcdf") as tree:
        return tree.load()


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
