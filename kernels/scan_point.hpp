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

template <class Counts>
CEVNS_HD double point_chi2(const Counts& counts, const GridView& grid, const StatsView& stats,
                           std::size_t p) {
  int i0, i1;
  grid.indices(p, &i0, &i1);
  const typename Counts::Point pt = counts.prepare(grid, i0, i1);
  Chi2Accumulator acc;
  for (int b = 0; b < stats.n_bins; ++b)
    acc.add_weighted(counts.bin(pt, b), stats.n_exp[b], stats.n_bg[b], stats.weight[b]);
  return acc.minimum_inverse(stats.inv_var_alpha, stats.inv_var_beta);
}

// Σ over the entries of bin `row_bin % n_bins` that the channel depletes, for Δm² of row
// `row_bin / n_bins`: the sterile depletion table D.
CEVNS_HD inline double depletion_sum(const RateView& v, const int* bin_offsets,
                                     const double* entry_rates, int channel, double dm2_eV2,
                                     int bin) {
  double d = 0.0;
  for (int e = bin_offsets[bin]; e < bin_offsets[bin + 1]; ++e) {
    const QuadEntry q = v.entries[e];
    if (sterile_affects(channel, q.flux))
      d += entry_rates[e] * oscillation_factor(dm2_eV2, v.baseline_m, q.energy_MeV);
  }
  return d;
}

}  // namespace cevns
