"""`python -m cevns.plot` and the `cevns-plot` console script (scripts/plot.py runs it too)."""

import argparse
import json
import math
import os
import re
import sys

import h5py
import numpy as np

from ._common import *  # noqa: F401,F403
from .figures import *  # noqa: F401,F403

# ---------------------------------------------------------------------------------------------
# Command line


def _kind_text(paths):
    texts = []
    for p in paths:
        inv = _inventory(p)
        t = inv["kind"] + (f", study {inv['study']}" if inv["study"] else "")
        if not inv["complete"]:
            t += ", incomplete"
        texts.append(t)
    return "; ".join(dict.fromkeys(texts))


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="plot.py",
        description="Draw the figures of cevns-scan HDF5 outputs (rates, scan and fit files).")
    parser.add_argument("files", nargs="+", metavar="FILE.h5", help="cevns-scan output files")
    parser.add_argument("-o", "--output", metavar="DIR", help="directory for the PNG and PDF files")
    parser.add_argument("--list", action="store_true",
                        help="print the figures each file gives (name and description); draw nothing")
    parser.add_argument("--only", metavar="NAME[,NAME...]",
                        help="draw (or list) only these figures, comma-separated")
    parser.add_argument("--dpi", type=float, default=150.0, help="PNG resolution (default 150)")
    parser.add_argument("--format", default="png,pdf",
                        help="comma-separated output formats (default png,pdf)")
    args = parser.parse_args(argv)
    if not args.list and not args.output:
        parser.error("-o DIR is required unless --list is given")
    try:
        specs = figures_for(args.files)
    except NotCevnsFile as err:
        print(f"plot.py: error: {err}", file=sys.stderr)
        return 2
    if args.only:
        args.only = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = [n for n in args.only if n not in {s.name for s in specs}]
        if unknown:
            print(f"plot.py: error: no figure named {', '.join(unknown)} (see --list)",
                  file=sys.stderr)
            return 2
        specs = [s for s in specs if s.name in args.only]

    if args.list:
        groups = {}
        for spec in specs:
            groups.setdefault(spec.files, []).append(spec)
        shown = set()
        for files, group in groups.items():
            head = " + ".join(files) if len(files) <= 2 else f"{len(files)} files together"
            print(head + f" [{_kind_text(files)}]")
            shown.update(files)
            width = max(len(s.name) for s in group)
            for spec in group:
                print(f"  {spec.name:<{width}}  {spec.description}")
        for p in args.files:
            if p not in shown:
                print(f"{p} [{_kind_text([p])}]")
                print("  (nothing to draw)")
        return 0

    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    if not specs:
        print("plot.py: nothing to draw in " + ", ".join(args.files), file=sys.stderr)
        return 0
    failed = 0
    for spec in specs:
        try:
            fig = spec.draw()
            written = save(fig, args.output, spec.name, formats, dpi=args.dpi)
        except Exception as err:  # one bad figure should not stop the others
            failed += 1
            print(f"plot.py: error: figure {spec.name} from {', '.join(spec.files)}: "
                  f"{type(err).__name__}: {err}", file=sys.stderr)
            continue
        print(f"{spec.name}: " + ", ".join(written))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
