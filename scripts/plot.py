#!/usr/bin/env python3
"""Figures from the HDF5 files cevns-scan writes: the command line of the cevns.plot package
(python/cevns/plot/, installed as `cevns-plot` by `pip install .`).

Usage:
    python3 scripts/plot.py FILE.h5 [FILE2.h5 ...] -o DIR     draw every figure, PNG and PDF
    python3 scripts/plot.py FILE.h5 [FILE2.h5 ...] --list     say what would be drawn

Runs from the repository whether or not the package is installed (it puts python/ on the path;
the figures need only numpy, h5py and matplotlib, not the compiled extension). Importable as
before: ``figures_for``, ``draw``, ``save`` and every figure function are those of cevns.plot.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "python"))

from cevns.plot import *  # noqa: E402,F401,F403
from cevns.plot._common import *  # noqa: E402,F401,F403
from cevns.plot.exclusion import *  # noqa: E402,F401,F403
from cevns.plot.figures import *  # noqa: E402,F401,F403
from cevns.plot.fits import *  # noqa: E402,F401,F403
from cevns.plot.profiles import *  # noqa: E402,F401,F403
from cevns.plot.rates import *  # noqa: E402,F401,F403
from cevns.plot.regions import *  # noqa: E402,F401,F403
from cevns.plot.__main__ import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
