#!/usr/bin/env python3
"""Background templates of the CsI 2021 release in a forecast's (PE x arrival time) bins.

Prints the "backgrounds" object of a study's "responses" entry (configs/studies/coherent_future.json)
from the release files in DATA_DIR/csi2021 (arXiv:2110.07730 ancillary files), each template as its
energy marginal (counts per PE bin over all time bins) and its time fractions, at the release's
exposure (3.198e23 POT); the program scales them to the detector's exposure:

  steady_state  anti-coincidence beam-on events (dataBeamOnAC.txt) histogrammed in the bins, as
                the product of their PE and time projections (as `cevns fit` builds it);
  brn, nin      brnPE x brnTrec, ninPE x ninTrec: PE content of a bin / total PE content x time
                content, times the time efficiency (plateau 0.52 us, then exp(-0.0494/us (t -
                0.52)); release supplement), the PDFs flat within their own bins.

Usage: scripts/csi2021_backgrounds.py DATA_DIR [PE_EDGES TIME_EDGES]  (edges as comma lists)
"""
import json
import math
import sys

import numpy as np

PE_EDGES = [0, 12, 16, 20, 24, 28, 32, 36, 40, 46, 52, 60]
TIME_EDGES = [0, 0.5, 1, 1.5, 2, 3, 4, 6]
POT = 3.198e23  # 13.99 GW hr (arXiv:2110.07730)


def table(path, columns):
    rows = []
    for line in open(path):
        t = line.strip()
        if not t or t.startswith("#"):
            continue
        v = [float(x) for x in t.replace(",", " ").split()]
        assert len(v) == columns, (path, t)
        rows.append(v)
    return np.array(rows)


def content(centres, values, lo, hi):
    step = centres[1] - centres[0]
    edges = np.append(centres - step / 2, centres[-1] + step / 2)
    a = np.maximum(lo, edges[:-1])
    b = np.minimum(hi, edges[1:])
    return float(np.sum(np.where(b > a, values * (b - a) / step, 0.0)))


def time_efficiency(lo, hi, plateau=0.52, rate=0.0494):
    def integral(t):
        return t if t <= plateau else plateau + (1 - math.exp(-rate * (t - plateau))) / rate
    return (integral(hi) - integral(lo)) / (hi - lo)


def main():
    data = sys.argv[1]
    pe = [float(x) for x in sys.argv[2].split(",")] if len(sys.argv) > 2 else PE_EDGES
    tm = [float(x) for x in sys.argv[3].split(",")] if len(sys.argv) > 3 else TIME_EDGES
    out = {}
    ac = table(f"{data}/csi2021/dataBeamOnAC.txt", 2)
    h, _, _ = np.histogram2d(ac[:, 0], ac[:, 1], bins=[pe, tm])
    out["steady_state"] = {
        "sigma": 0.021,
        "energy": [round(float(x), 6) for x in h.sum(axis=1)],
        "time": [round(float(x), 9) for x in h.sum(axis=0) / h.sum()],
    }
    for name, sigma in (("brn", 0.25), ("nin", 0.36)):
        p = table(f"{data}/csi2021/{name}PE.txt", 2)
        t = table(f"{data}/csi2021/{name}Trec.txt", 2)
        pe_frac = [content(p[:, 0], p[:, 1], pe[j], pe[j + 1]) / p[:, 1].sum()
                   for j in range(len(pe) - 1)]
        time = [content(t[:, 0], t[:, 1], tm[k], tm[k + 1]) * time_efficiency(tm[k], tm[k + 1])
                for k in range(len(tm) - 1)]
        total = sum(time)
        out[name] = {
            "sigma": sigma,
            "energy": [round(f * total, 6) for f in pe_frac],
            "time": [round(x / total, 9) for x in time],
        }
    for v in out.values():
        v["protons_on_target"] = POT
        # fractions rounded to 9 digits: renormalise the last so they sum to 1 within 1e-9
        v["time"][-1] = round(1.0 - sum(v["time"][:-1]), 9)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
