// One grid point of a scan: the physics model it stands for, its predicted counts per bin by one
// of three evaluators, and its profiled χ². Both backends run point_chi2 for every point; the
// host runs it serially for root finding on 1D profiles.
#pragma once

#include <cstddef>

#include "kernels/chi2.hpp"
#include "kernels/couplings.hpp"
#include "kernels/hd.hpp"
#include "kernels/oscillation.hpp"
#include "kernels/rate_problem.hpp"

namespace cevns {

// A 1D or 2D grid, flattened with axis 0 fastest: point p ↔ (p mod n0, p div n0).
struct GridView {
  int n_axes;
  ParameterId id[2];
  const double* values[2];
  int n[2];  // n[1] = 1 for a 1D grid
  PhysicsModel base;

  // Grid indices of point p; 32-bit division where it suffices (several times faster).
  CEVNS_HD void indices(std::size_t p, int* i0, int* i1) const {
    if (p < 0xffffffffu) {
      const unsigned q = static_cast<unsigned>(p) / static_cast<unsigned>(n[0]);
      *i1 = static_cast<int>(q);
      *i0 = static_cast<int>(static_cast<unsigned>(p) - q * static_cast<unsigned>(n[0]));
    } else {
      *i0 = static_cast<int>(p % static_cast<std::size_t>(n[0]));
      *i1 = static_cast<int>(p / static_cast<std::size_t>(n[0]));
    }
  }

  CEVNS_HD PhysicsModel model_at(std::size_t p, int* i0, int* i1) const {
    indices(p, i0, i1);
    return model_at_indices(*i0, *i1);
  }

  CEVNS_HD PhysicsModel model_at_indices(int i0, int i1) const {
    PhysicsModel m = base;
    set_parameter(m, id[0], values[0][i0]);
    if (n_axes == 2) set_parameter(m, id[1], values[1][i1]);
    return m;
  }
};

struct StatsView {
  const double* n_exp;   // Asimov data per bin
  const double* n_bg;    // background per bin
  const double* weight;  // 1/σ² = 1/N_exp per bin, 0 where N_exp ≤ 0
  int n_bins;
  double inv_var_alpha, inv_var_beta;  // 1/σ², negative for a pull fixed at 0
  double free_alpha, free_beta;        // 1 for a free pull, 0 for a fixed one
};

// Factorised, quadratic in the couplings (sin²θ_W, NSI): per flux and bin the three moments.
struct QuadraticCounts {
  const Moments* table;  // [flux][bin], efficiency included
  int n_bins;
  struct Point {
    NucleonCharges charges[kNumFluxes];
  };
  CEVNS_HD Point prepare(const PhysicsModel& m) const {
    Point p;
    for (int f = 0; f < kNumFluxes; ++f) p.charges[f] = nucleon_charges(m.couplings, flux_flavour(f));
    return p;
  }
  CEVNS_HD Point prepare(const GridView& g, int i0, int i1) const {
    return prepare(g.model_at_indices(i0, i1));
  }
  CEVNS_HD double bin(const Point& p, int b) const {
    double n = 0.0;
    for (int f = 0; f < kNumFluxes; ++f) n += charge_weighted(p.charges[f], table[f * n_bins + b]);
    return n;
  }
};

// Factorised sterile disappearance: N_b = unaffected_b + affected_b − sin²2θ · D_b(Δm²), where
// D_b(Δm²) = Σ_entries rate × sin²(1.27 Δm² L/E) is tabulated once per Δm² row.
struct SterileCounts {
  const double* unaffected;  // [bin]
  const double* affected;    // [bin]
  const double* depletion;   // [row][bin]
  int n_bins;
  int dm2_axis;  // 0, 1, or −1 when Δm² is fixed (a single row)
  struct Point {
    int row;
    double sin2_2theta;
  };
  // Only sin²2θ and the Δm² row matter: read them off the axes, no model is built.
  CEVNS_HD Point prepare(const GridView& g, int i0, int i1) const {
    double s = g.base.sterile.sin2_2theta;
    if (g.id[0].kind == kSin22Theta) s = g.values[0][i0];
    if (g.n_axes == 2 && g.id[1].kind == kSin22Theta) s = g.values[1][i1];
    return Point{dm2_axis == 0 ? i0 : dm2_axis == 1 ? i1 : 0, s};
  }
  CEVNS_HD double bin(const Point& p, int b) const {
    return unaffected[b] + affected[b] - p.sin2_2theta * depletion[p.row * n_bins + b];
  }
};

// Direct: the full double integral at every point (the reference; any model).
struct DirectCounts {
  RateView rates;
  const int* bin_offsets;
  double efficiency;
  struct Point {
    PhysicsModel model;
  };
  CEVNS_HD Point prepare(const GridView& g, int i0, int i1) const {
    return Point{g.model_at_indices(i0, i1)};
  }
  CEVNS_HD double bin(const Point& p, int b) const {
    double n = 0.0;
    for (int e = bin_offsets[b]; e < bin_offsets[b + 1]; ++e) n += entry_direct(rates, e, p.model);
    return efficiency * n;
  }
};

// Profiled χ² of the points i0 ∈ [i0_begin, i0_end) of row i1, into out[0 ..). Within a row
// nothing but axis 0 changes, so the loop carries no index arithmetic.
template <class Counts>
CEVNS_HD void row_chi2_generic(const Counts& counts, const GridView& grid, const StatsView& stats,
                               int i1, int i0_begin, int i0_end, double* out) {
  for (int i0 = i0_begin; i0 < i0_end; ++i0) {
    const typename Counts::Point pt = counts.prepare(grid, i0, i1);
    Chi2Accumulator acc;
    for (int b = 0; b < stats.n_bins; ++b)
      acc.add_weighted(counts.bin(pt, b), stats.n_exp[b], stats.n_bg[b], stats.weight[b]);
    out[i0 - i0_begin] = acc.minimum_masked(stats.inv_var_alpha, stats.free_alpha,
                                            stats.inv_var_beta, stats.free_beta);
  }
}

template <class Counts>
CEVNS_HD void row_chi2(const Counts& counts, const GridView& grid, const StatsView& stats, int i1,
                       int i0_begin, int i0_end, double* out) {
  row_chi2_generic(counts, grid, stats, i1, i0_begin, i0_end, out);
}

// Sterile rows with sin²2θ along the row: N_b = a_b − s d_b is affine in s, so every sum of the
// χ² accumulator is a quadratic in s whose coefficients are summed over bins once per row. A point
// then costs a few multiply-adds and the closed-form pulls, whatever the number of bins; the
// result equals the generic per-bin accumulation to rounding (tests: ScanPaths.*).
CEVNS_HD inline void row_chi2(const SterileCounts& counts, const GridView& grid,
                              const StatsView& stats, int i1, int i0_begin, int i0_end,
                              double* out) {
  if (grid.id[0].kind != kSin22Theta) {
    row_chi2_generic(counts, grid, stats, i1, i0_begin, i0_end, out);
    return;
  }
  const int row = counts.dm2_axis == 1 ? i1 : 0;
  // With r = c + s d, t = a − s d, g the background (SPEC §7 notation of Chi2Accumulator):
  double rr0 = 0, rr1 = 0, dd = 0, tt0 = 0, tt1 = 0, gg = 0, tg0 = 0, tg1 = 0, rt0 = 0, rg0 = 0;
  for (int b = 0; b < stats.n_bins; ++b) {
    const double w = stats.weight[b];
    const double a = counts.unaffected[b] + counts.affected[b];
    const double d = counts.depletion[row * counts.n_bins + b];
    const double g = stats.n_bg[b];
    const double c = stats.n_exp[b] - a - g;
    rr0 += w * c * c;
    rr1 += w * c * d;
    dd += w * d * d;
    tt0 += w * a * a;
    tt1 += w * a * d;
    gg += w * g * g;
    tg0 += w * a * g;
    tg1 += w * d * g;
    rt0 += w * c * a;
    rg0 += w * c * g;
  }
  const double* s_values = grid.values[0];
  for (int i0 = i0_begin; i0 < i0_end; ++i0) {
    const double s = s_values[i0];
    Chi2Accumulator acc;
    acc.rr = rr0 + s * (2.0 * rr1 + s * dd);
    acc.tt = tt0 + s * (s * dd - 2.0 * tt1);
    acc.gg = gg;
    acc.tg = tg0 - s * tg1;
    acc.rt = rt0 + s * ((tt1 - rr1) - s * dd);
    acc.rg = rg0 + s * tg1;
    out[i0 - i0_begin] = acc.minimum_masked(stats.inv_var_alpha, stats.free_alpha,
                                            stats.inv_var_beta, stats.free_beta);
  }
}

template <class Counts>
CEVNS_HD double point_chi2(const Counts& counts, const GridView& grid, const StatsView& stats,
                           std::size_t p) {
  int i0, i1;
  grid.indices(p, &i0, &i1);
  double chi2;
  row_chi2(counts, grid, stats, i1, i0, i0 + 1, &chi2);
  return chi2;
}

// The sterile depletion table D (SPEC §9): for one Δm² and one bin, Σ over the entries the
// channel depletes of rate × sin²(Δm² × phase), phase = 1.27 L/E. The entries come compacted
// per bin (structure of arrays) so that the loop is a plain vectorisable reduction.
struct DepletionView {
  const double* rate;
  const double* phase_per_dm2;
  const int* bin_offsets;
};

CEVNS_HD inline double depletion_sum(const DepletionView& v, double dm2_eV2, int bin) {
  double d = 0.0;
  for (int k = v.bin_offsets[bin]; k < v.bin_offsets[bin + 1]; ++k)
    d += v.rate[k] * sin_squared(dm2_eV2 * v.phase_per_dm2[k]);
  return d;
}

}  // namespace cevns
