#!/usr/bin/env python3
"""Every file the program writes opens as labelled datasets in xarray (h5netcdf engine).

Usage: test_outputs.py PATH_TO_CEVNS. Runs `cevns rates -o` and `cevns scan -o` on small inputs in a
temporary directory, then checks each file with check_xarray.py and a few values with xarray.
"""
import json
import os
import subprocess
import sys
import tempfile

import xarray as xr

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def main():
    cevns = sys.argv[1]
    passed = failed = 0

    def check(ok, what):
        nonlocal passed, failed
        print(("ok   " if ok else "FAIL ") + what)
        passed += ok
        failed += not ok

    with tempfile.TemporaryDirectory() as tmp:
        rates = os.path.join(tmp, "rates.h5")
        subprocess.run([cevns, "rates", os.path.join(ROOT, "configs/detectors/csi.json"), "--bin-width", "1.71",
                        "-o", rates], check=True, stdout=subprocess.DEVNULL)
        study = {
            "name": "small", "detectors": [os.path.join(ROOT, "configs/detectors/ar.json")],
            "scenarios": ["ideal", "eff50"],
            "quadrature": {"recoil_nodes": 8, "energy_nodes": 8, "energy_panels": 2},
            "scans": [
                {"name": "w", "axes": [{"parameter": "sin2_theta_W", "min": 0.1, "max": 0.4, "points": 31}]},
                {"name": "n", "axes": [{"parameter": "eps_ee_uV", "min": -1, "max": 1, "points": 21},
                                       {"parameter": "eps_etau_uV", "min": -1, "max": 1, "points": 23}]},
                {"name": "s", "channel": "numu", "axes": [
                    {"parameter": "sin2_2theta", "min": 1e-2, "max": 1, "points": 11, "scale": "log"},
                    {"parameter": "dm2_eV2", "min": 0.1, "max": 100, "points": 9, "scale": "log"}]}]}
        study_path = os.path.join(tmp, "study.json")
        json.dump(study, open(study_path, "w"))
        scan = os.path.join(tmp, "scan.h5")
        subprocess.run([cevns, "scan", study_path, "-o", scan, "-q"], check=True, stdout=subprocess.DEVNULL)

        # A detector with a binned response (observed energy x arrival time) under the Poisson likelihood.
        binned_study = {
            "name": "binned", "detectors": [os.path.join(ROOT, "configs/detectors/ar.json")],
            "scenarios": ["ideal"], "statistics": {"likelihood": "poisson"},
            "quadrature": {"recoil_nodes": 8, "energy_nodes": 8},
            "responses": {"Ar": {
                "response": {"quenching": {"model": "linear", "a": 0.246, "b_per_keVnr": 0.00078},
                             "observable": "keVee", "resolution": {"model": "none"}, "true_bin_width_keV": 4.0},
                "timing": {"model": "beam", "mean_us": 0.44, "width_us": 0.15},
                "binning": {"keVee_edges": [0, 10, 20, 40], "time_edges_us": [0, 1, 6]},
                "backgrounds": {"steady": {"sigma": 0.05, "energy": [4, 3, 2], "time": "flat",
                                           "protons_on_target": 1.76e23}}}},
            "scans": [{"name": "w", "axes": [{"parameter": "sin2_theta_W", "min": 0.1, "max": 0.4, "points": 7}]}]}
        binned_path = os.path.join(tmp, "binned.json")
        json.dump(binned_study, open(binned_path, "w"))
        binned = os.path.join(tmp, "binned.h5")
        subprocess.run([cevns, "scan", binned_path, "-o", binned, "-q"], check=True, stdout=subprocess.DEVNULL)

        for path in (rates, scan, binned):
            res = subprocess.run([sys.executable, os.path.join(HERE, "check_xarray.py"), path],
                                 capture_output=True, text=True)
            check(res.returncode == 0, f"check_xarray {os.path.basename(path)}: {res.stdout.strip()} {res.stderr.strip()}")

        ds = xr.open_dataset(rates, engine="h5netcdf", group="CsI")
        check(ds["counts"].dims == ("recoil_keV",), "rates counts labelled by recoil_keV")
        check(ds["recoil_keV"].attrs.get("units") == "keV", "recoil axis in keV")
        check(abs(float(ds["counts"].sum()) - ds.attrs["total"]) < 1e-9 * ds.attrs["total"], "bins add up to total")

        ds = xr.open_dataset(scan, engine="h5netcdf", group="n/Ar/ideal")
        check(ds["chi2"].dims == ("eps_etau_uV", "eps_ee_uV"), "2-D chi2 dims (axis 1, axis 0)")
        check(ds["chi2"].shape == (23, 21), "2-D chi2 shape")
        best = ds["delta_chi2"].where(ds["delta_chi2"] == ds["delta_chi2"].min(), drop=True)
        check(best.size >= 1, "delta_chi2 has its minimum on the grid")
        ds = xr.open_dataset(scan, engine="h5netcdf", group="w/Ar/eff50")
        check(ds["intervals"].dims == ("interval", "bound"), "intervals labelled (interval, bound)")
        lo, hi = float(ds["intervals"][0, 0]), float(ds["intervals"][0, 1])
        check(lo < 0.23865 < hi, "interval contains the true sin^2 theta_W")
        check(abs(ds.attrs["sensitivity_percent"] - 100 * (hi - lo) / 2 / 0.23865) < 1e-9, "sensitivity attribute")
        ds = xr.open_dataset(scan, engine="h5netcdf", group="s/Ar/ideal")
        check(ds["exclusion_sin2_2theta"].dims == ("dm2_eV2",), "sterile exclusion per dm2")
        check(ds["dm2_eV2"].attrs.get("units") == "eV^2", "dm2 in eV^2")
        ds = xr.open_dataset(binned, engine="h5netcdf", group="w/Ar/ideal")
        counts = ds["predicted_counts"]
        check(counts.dims == ("sin2_theta_W", "observed_energy", "arrival_time"),
              "binned predicted_counts labelled (sin2_theta_W, observed_energy, arrival_time)")
        check(counts.shape == (7, 3, 2), "binned predicted_counts shape")
        check(list(ds["observed_energy_hi"].values) == [10, 20, 40] and ds["observed_energy"].attrs.get("units") == "keVee",
              "observed-energy bins and units")
        check(list(ds["arrival_time_lo"].values) == [0, 1] and ds["arrival_time"].attrs.get("units") == "us",
              "arrival-time bins and units")
        check(bool((counts > 0).all()), "every bin has CEvNS events")

    print(f"python output tests: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
