"""Figures of cevns-scan results: HDF5 files the program writes (layout: docs/output-format.md), or
the objects cevns.rates, cevns.scan and cevns.fit return.

Usage (``cevns-plot`` once the package is installed, ``python3 -m cevns.plot``, or
``scripts/plot.py`` from the repository, which needs no installation):
    cevns-plot FILE.h5 [FILE2.h5 ...] -o DIR     draw every figure, PNG and PDF
    cevns-plot FILE.h5 [FILE2.h5 ...] --list     say what would be drawn

Modules by figure kind: ``rates`` (spectra, totals), ``profiles`` (one-parameter Delta chi^2),
``regions`` (two-parameter CL regions), ``exclusion`` (sterile exclusion curves), ``fits``
(COHERENT data fits), ``combinations`` (single detectors beside their combinations);
``figures`` says what a set of inputs gives.

A file is recognised by its root attribute ``file_kind``:

* ``rates``: one recoil spectrum per detector (step histogram, events per bin). Rates files of
  the same detector given together, with and without the kinematic correction g_c (group
  attribute ``kinematic_correction``), share one figure with a ratio panel. Rates files of two
  or more detectors given together also give a figure of the expected totals.
* ``scan``: per scan group, by its ``parameters`` attribute,
    - one parameter (sin2_theta_W, eps_*, ...): Delta chi^2 profiles, a panel per detector, a
      curve per scenario, the threshold ``delta_chi2_threshold`` drawn as the CL line;
    - two parameters: the CL regions from the stored contour polylines (contour_x, contour_y,
      contour_start, contour_length), a panel per detector, a colour and line style per
      scenario; sterile scans (``channel`` nue/numu, axes sin2_2theta, dm2_eV2) on log-log axes,
      plus the raster exclusion curves ``exclusion_sin2_2theta`` when the file holds them;
    - a scan with combinations of detectors (groups with ``combination_detectors``) also gives
      <study>_<scan>_combined: a panel per scenario with every single detector and every
      combination (1-D: Delta chi^2 with the sensitivity; 2-D: the CL boundaries with each
      combination's region area relative to the best single detector's, ``region_area``).

* ``fit`` (``cevns fit`` on COHERENT data): one group per data set plus ``combined`` (the joint
  fit), each holding
    - ``first_measurement_check`` (CsI 2017): the predicted CEvNS spectrum in PE bins with and
      without g_c as step histograms against the measured beam-on coincidence minus
      anti-coincidence counts with their errors (figure fit_check_<dataset>);
    - ``n_cevns`` and ``profile_<parameter>``: Delta(-2 ln L) curves, one figure per parameter
      with a curve per data set and the joint fit, the 90% CL line (fit_n_cevns,
      fit_profile_<parameter>);
    - two-parameter planes (attribute ``parameters``): the (eps_ee, eps_etau) CL regions
      (fit_<plane>) and, for sterile planes, the raster exclusion curves (fit_<plane>) and the
      2-parameter contours (fit_<plane>_regions), a colour per data set.

Importable: ``figures_for(inputs)`` (paths, or objects returned by cevns.rates/scan/fit) returns ``(name, description, draw)`` triples whose
``draw()`` returns a matplotlib Figure (no pyplot state involved); ``draw(paths, name)`` draws
one figure by name; ``save(fig, directory, name)`` writes NAME.png and NAME.pdf.

Figure names: spectrum_<detector>, rates_totals, and <study>_<scan> for scans (just <scan> when
it equals the study name), with _regions for the 2-D contours of a sterile scan that also has
exclusion curves. Options: --only NAME,NAME..., --dpi (PNG, default 150), --format (default png,pdf).

Exit status: 0 on success; 2 (one line on stderr) for a file that is not a cevns-scan output or
for bad arguments; 1 when a figure failed to draw (one line each; the others are still drawn).
"""

from ._common import FigureSpec, NotCevnsFile, open_cevns, param_label, param_symbol  # noqa: F401
from ._common import scenario_label, scenario_style, STYLE  # noqa: F401
from .combinations import draw_combined_profiles, draw_combined_regions, region_area  # noqa: F401
from .exclusion import draw_exclusion  # noqa: F401
from .feldman_cousins import draw_feldman_cousins  # noqa: F401
from .figures import draw, figures_for, save  # noqa: F401
from .fits import dataset_label, dataset_style, draw_fit_check, draw_fit_plane  # noqa: F401
from .fits import draw_fit_profiles  # noqa: F401
from .profiles import draw_profiles  # noqa: F401
from .rates import draw_spectrum, draw_totals  # noqa: F401
from .regions import draw_regions  # noqa: F401
