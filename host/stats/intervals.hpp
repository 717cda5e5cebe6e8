// One-parameter confidence intervals from a Δχ² curve sampled on a scan grid (SPEC §7): the
// grid locates the minimum and the threshold crossings, Brent's methods refine them against the
// exact χ² (`eval`), so the reported bounds do not depend on the grid spacing.
#pragma once

#include <functional>
#include <utility>
#include <vector>

namespace cevns {

// An allowed interval. open_lo / open_hi: that bound is the scan edge and the allowed region
// continues beyond the grid — reported as such, never silently clipped.
struct Interval {
  double lo, hi;
  bool open_lo, open_hi;
};

// Global minimum of a 1-D function sampled on a strictly increasing grid `x` (values `f`, NaN =
// no value): starts at the grid minimum and refines it with Brent's minimisation (parabolic +
// golden section) inside the neighbouring grid cells — the one neighbouring cell when the grid
// minimum is on the edge — to |dx| <= x_tol. Returns {x_min, f_min}, never a point worse than the
// best grid point; {NaN, NaN} when every grid value is NaN.
std::pair<double, double> minimise_1d(const std::vector<double>& x, const std::vector<double>& f,
                                      const std::function<double(double)>& eval,
                                      double x_tol = 1e-9);

// The allowed region {x : f(x) − f_min <= threshold} as sorted, disjoint intervals. Every
// crossing is bracketed on the grid (a sign change of f − f_min − threshold between neighbouring
// grid points) and solved with Brent's root finder to |dx| <= x_tol; intervals that touch or
// overlap (a gap no wider than x_tol) are merged. A region reaching the first/last grid point
// takes that grid value as bound, with open_lo/open_hi set. A NaN grid value counts as excluded;
// a crossing next to it cannot be bracketed, so the bound stays at the last allowed grid point.
std::vector<Interval> allowed_intervals(const std::vector<double>& x, const std::vector<double>& f,
                                        double f_min, double threshold,
                                        const std::function<double(double)>& eval,
                                        double x_tol = 1e-9);

// Symmetrised relative half-width in percent, 100 · (hi − lo) / 2 / |truth| (SPEC §7: the
// weak-mixing sensitivity), of the interval containing the truth. For an open interval this is
// only a lower bound on the true half-width: the caller checks open_lo/open_hi.
double symmetrised_sensitivity_percent(const Interval& iv, double truth);

}  // namespace cevns
