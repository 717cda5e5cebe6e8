#!/usr/bin/env python3
"""The cost of calling the engine from Python: `cevns.scan(STUDY)` against `cevns scan STUDY -o
FILE`, measured in one run, alternating, median of N repetitions each.

    python3 bench/python_overhead.py [--cevns build/cevns] [--study configs/studies/nsi_2d.json]
                                     [--backend cpu] [--repeat 5]

The program's time is the whole process (start, scan, HDF5 file written); the Python call's is
the same scan and file plus reading the file back into an xarray.DataTree (what cevns.scan
returns). Needs the package installed (`pip install .`).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import cevns


def main():
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cevns", default=os.path.join(here, "build", "cevns"))
    p.add_argument("--study", default=os.path.join(here, "configs", "studies", "nsi_2d.json"))
    p.add_argument("--backend", default="cpu")
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()

    cli, py = [], []
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.h5")
        for k in range(args.repeat + 1):  # the first pair warms the caches, not counted
            t0 = time.perf_counter()
            subprocess.run([args.cevns, "--backend", args.backend, "scan", args.study, "-o", out,
                            "-q"], check=True, stdout=subprocess.DEVNULL)
            t1 = time.perf_counter()
            tree = cevns.scan(args.study, backend=args.backend, progress=False)
            t2 = time.perf_counter()
            os.remove(out)
            if k:
                cli.append(t1 - t0)
                py.append(t2 - t1)
    points = sum(node.ds["chi2"].size for node in tree.subtree if "chi2" in node.ds)
    c, q = statistics.median(cli), statistics.median(py)
    print(f"study {os.path.basename(args.study)}: {points} grid points, backend {args.backend}, "
          f"median of {args.repeat}")
    print(f"  cevns scan -o FILE        {c:8.3f} s  (min {min(cli):.3f}, max {max(cli):.3f})")
    print(f"  cevns.scan() -> DataTree  {q:8.3f} s  (min {min(py):.3f}, max {max(py):.3f})")
    print(f"  overhead of the Python call: {100 * (q - c) / c:+.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
