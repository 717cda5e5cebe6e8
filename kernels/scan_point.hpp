// One grid point of a scan or fit: the physics model it stands for, its predicted counts per
// analysis bin by one of three evaluators, and its statistic (the Gaussian χ² with closed-form
// pulls of SPEC §7, or the Poisson likelihood with profiled normalisations of the data fits).
// Both backends run row_chi2 over segments of grid rows; the host runs the same functions
// serially at points off the grid (minimisation, root finding, exclusions).
#pragma once

#include <cstddef>

#include "kernels/chi2.hpp"
#include "kernels/couplings.hpp"
#include "kernels/hd.hpp"
#include "kernels/oscillation.hpp"
#include "kernels/parameters.hpp"
#include "kernels/poisson.hpp"
#include "kernels/rate_problem.hpp"

namespace cevns {

// A 1D or 2D grid, flattened with axis 0 fastest: point p ↔ (p mod n0, p div n0).
struct GridView {
  int n_axes;
  int id[2];  // ParameterIndex of each axis
  const double* values[2];
  int n[2];  // n[1] = 1 for a 1D grid
  PhysicsModel base;

  CEVNS_HD PhysicsModel model_at_indices(int i0, int i1) const {
    PhysicsModel m = base;
    m.value[id[0]] = values[0][i0];
    if (n_axes == 2) m.value[id[1]] = values[1][i1];
    return m;
  }
};

// ---------------------------------------------------------------------------------------------
// Statistics.

// SPEC §7: Asimov data N_exp, background N_bg, weights 1/σ² = 1/N_exp (0 where N_exp ≤ 0), and
// the pulls' prior weights (negative: fixed) with their free/fixed masks.
struct GaussianStats {
  const double* n_exp;
  const double* n_bg;
  const double* weight;
  int n_bins;
  double inv_var_alpha, inv_var_beta;
  double free_alpha, free_beta;
};

// Data fits: observed counts, background templates [template][bin] and the σ of each
// normalisation (signal first; kernels/poisson.hpp gives their meaning).
struct PoissonStats {
  const double* data;
  const double* backgrounds;
  int n_backgrounds;
  const double* sigmas;
  int n_bins;
};

// ---------------------------------------------------------------------------------------------
// Counts evaluators. Each has a Point (what a grid point needs, prepared once per point) and
// bin(point, b), the predicted count in analysis bin b.

// Factorised, quadratic in the couplings (sin²θ_W, NSI): per flux and bin the three moments.
struct QuadraticCounts {
  const Moments* table;  // [flux][bin], efficiency and response included
  int n_bins;
  struct Point {
    NucleonCharges charges[kNumFluxes];
  };
  CEVNS_HD Point at(const PhysicsModel& m) const {
    Point p;
    for (int f = 0; f < kNumFluxes; ++f) p.charges[f] = nucleon_charges(m, flux_flavour(f));
    return p;
  }
  CEVNS_HD Point prepare(const GridView& g, int i0, int i1) const {
    return at(g.model_at_indices(i0, i1));
  }
  CEVNS_HD double bin(const Point& p, int b) const {
    double n = 0.0;
    for (int f = 0; f < kNumFluxes; ++f) n += charge_weighted(p.charges[f], table[f * n_bins + b]);
    return n;
  }
};

// Factorised neutrino magnetic moments (SPEC §10.3): with only μ_νe and μ_νμ changing from point
// to point, the counts are N_b = A_b + μ_e² M_e,b + μ_μ² M_μ,b (A_b the counts of the point's
// other parameters at μ = 0 on the axes, M_α,b the magnetic-moment moments of the fluxes of
// flavour α): two multiply-adds per bin instead of the charge form of every flux.
struct MagneticCounts {
  const double* base;       // A [bin]
  const double* moment[2];  // M_e, M_μ [bin]
  int n_bins;
  struct Point {
    double mu2[2];  // μ_e², μ_μ²
  };
  CEVNS_HD Point at(const PhysicsModel& m) const {
    return Point{{m.value[kMuNuE] * m.value[kMuNuE], m.value[kMuNuMu] * m.value[kMuNuMu]}};
  }
  // Only the moments matter: read them off the axes, no model is built.
  CEVNS_HD Point prepare(const GridView& g, int i0, int i1) const {
    double mu[2] = {g.base.value[kMuNuE], g.base.value[kMuNuMu]};
    for (int k = 0; k < g.n_axes; ++k) {
      const double v = g.values[k][k == 0 ? i0 : i1];
      if (g.id[k] == kMuNuE) mu[0] = v;
      if (g.id[k] == kMuNuMu) mu[1] = v;
    }
    return Point{{mu[0] * mu[0], mu[1] * mu[1]}};
  }
  CEVNS_HD double bin(const Point& p, int b) const {
    return base[b] + p.mu2[0] * moment[0][b] + p.mu2[1] * moment[1][b];
  }
};

// Factorised neutron radius (SPEC §10.4–10.5): with F_N depending on R_n the counts stay a
// quadratic form in the couplings, whose moments depend on the radius row. The moments per flux
// and bin are those of the isotopes no axis sets (`fixed`) plus, per radius axis, those of the
// isotopes it sets at the point's row (`rows[k]`, [row][flux][bin]; null for a coupling axis).
struct RadiusCounts {
  const Moments* fixed;    // [flux][bin]
  const Moments* rows[2];  // [row][flux][bin] per axis, or null
  int n_bins;
  struct Point {
    NucleonCharges charges[kNumFluxes];
    const Moments* rows[2];  // the point's row of each radius axis, or null
  };
  CEVNS_HD Point prepare(const GridView& g, int i0, int i1) const {
    const PhysicsModel m = g.model_at_indices(i0, i1);
    Point p;
    for (int f = 0; f < kNumFluxes; ++f) p.charges[f] = nucleon_charges(m, flux_flavour(f));
    const std::size_t per_row = static_cast<std::size_t>(kNumFluxes) * n_bins;
    p.rows[0] = rows[0] ? rows[0] + static_cast<std::size_t>(i0) * per_row : nullptr;
    p.rows[1] = rows[1] ? rows[1] + static_cast<std::size_t>(i1) * per_row : nullptr;
    return p;
  }
  CEVNS_HD double bin(const Point& p, int b) const {
    double n = 0.0;
    for (int f = 0; f < kNumFluxes; ++f) {
      const std::size_t i = static_cast<std::size_t>(f) * n_bins + b;
      Moments m = fixed[i];
      for (int k = 0; k < 2; ++k) {
        if (!p.rows[k]) continue;
        m.zz += p.rows[k][i].zz;
        m.zn += p.rows[k][i].zn;
        m.nn += p.rows[k][i].nn;
        m.magnetic += p.rows[k][i].magnetic;
      }
      n += charge_weighted(p.charges[f], m);
    }
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
    double sin2_2theta;
    const double* depletion;  // D_b of the point's Δm²
  };
  // Only sin²2θ and the Δm² row matter: read them off the axes, no model is built.
  CEVNS_HD Point prepare(const GridView& g, int i0, int i1) const {
    double s = g.base.value[kSin22Theta];
    if (g.id[0] == kSin22Theta) s = g.values[0][i0];
    if (g.n_axes == 2 && g.id[1] == kSin22Theta) s = g.values[1][i1];
    const int row = dm2_axis == 0 ? i0 : dm2_axis == 1 ? i1 : 0;
    return Point{s, depletion + static_cast<std::size_t>(row) * n_bins};
  }
  CEVNS_HD double bin(const Point& p, int b) const {
    return unaffected[b] + affected[b] - p.sin2_2theta * p.depletion[b];
  }
};

// Factorised light mediator (SPEC §10.5): at a fixed mass the counts are a polynomial in the
// coupling, N_b = A_b + g² B_b(m) + g⁴ C_b(m) (A the counts at g = 0; the scalar has B = 0), B and
// C tabulated once per mass row (Backend::mediator_tables). g = 0 gives A exactly.
// The rows are masses, or at a fixed mass neutron radii (a (mediator_coupling, rn) plane), whose
// A differs per row too (sm_per_row).
struct MediatorCounts {
  const double* sm;         // A [bin], or [row][bin] when sm_per_row
  const double* quadratic;  // B [row][bin]
  const double* quartic;    // C [row][bin]
  int n_bins;
  int mass_axis;  // the rows' axis: 1, or −1 when the mass is fixed (a single row)
  int sm_per_row = 0;
  struct Point {
    double g2;
    const double* quadratic;  // B_b of the point's mass
    const double* quartic;    // C_b
    const double* sm;         // A_b
  };
  // Only g and the row matter: read them off the axes, no model is built.
  CEVNS_HD Point prepare(const GridView& g, int i0, int i1) const {
    double c = g.base.value[kMediatorCoupling];
    if (g.id[0] == kMediatorCoupling) c = g.values[0][i0];
    if (g.n_axes == 2 && g.id[1] == kMediatorCoupling) c = g.values[1][i1];
    const std::size_t row = static_cast<std::size_t>(mass_axis == 1 ? i1 : mass_axis == 0 ? i0 : 0);
    return Point{c * c, quadratic + row * n_bins, quartic + row * n_bins,
                 sm + (sm_per_row ? row * n_bins : 0)};
  }
  CEVNS_HD double bin(const Point& p, int b) const {
    return p.sm[b] + p.g2 * (p.quadratic[b] + p.g2 * p.quartic[b]);
  }
};

// B_b and C_b of one mass and one bin: the entries' moments summed in entry order.
CEVNS_HD inline MediatorMoments mediator_bin_sum(const MediatorMoments* entry_moments,
                                                 const int* bin_offsets, int b, double efficiency) {
  MediatorMoments m{0.0, 0.0};
  for (int e = bin_offsets[b]; e < bin_offsets[b + 1]; ++e) {
    m.quadratic += entry_moments[e].quadratic;
    m.quartic += entry_moments[e].quartic;
  }
  m.quadratic *= efficiency;
  m.quartic *= efficiency;
  return m;
}

// The same for one source bin of a response fold (flux `flux`, recoil bin `b`): the bin's entries
// of that flux, in entry order.
CEVNS_HD inline MediatorMoments mediator_source_sum(const MediatorMoments* entry_moments,
                                                    const QuadEntry* entries,
                                                    const int* bin_offsets, int flux, int b,
                                                    double efficiency) {
  MediatorMoments m{0.0, 0.0};
  for (int e = bin_offsets[b]; e < bin_offsets[b + 1]; ++e) {
    if (entries[e].flux != flux) continue;
    m.quadratic += entry_moments[e].quadratic;
    m.quartic += entry_moments[e].quartic;
  }
  m.quadratic *= efficiency;
  m.quartic *= efficiency;
  return m;
}

// Direct: the full double integral at every point (the reference; any model).
struct DirectCounts {
  RateView rates;
  const int* bin_offsets;
  double efficiency;
  struct Point {
    PhysicsModel model;
  };
  CEVNS_HD Point at(const PhysicsModel& m) const { return Point{m}; }
  CEVNS_HD Point prepare(const GridView& g, int i0, int i1) const {
    return Point{g.model_at_indices(i0, i1)};
  }
  CEVNS_HD double bin(const Point& p, int b) const {
    double n = 0.0;
    for (int e = bin_offsets[b]; e < bin_offsets[b + 1]; ++e) n += entry_direct(rates, e, p.model);
    return efficiency * n;
  }
};

// ---------------------------------------------------------------------------------------------
// The statistic of one point.

template <class Counts>
CEVNS_HD double point_chi2(const Counts& counts, const typename Counts::Point& pt,
                           const GaussianStats& s) {
  Chi2Accumulator acc;
  for (int b = 0; b < s.n_bins; ++b)
    acc.add_weighted(counts.bin(pt, b), s.n_exp[b], s.n_bg[b], s.weight[b]);
  return acc.minimum_masked(s.inv_var_alpha, s.free_alpha, s.inv_var_beta, s.free_beta);
}

// The same minimum written as a sum of squares at the minimising pulls, solved for the scale
// factors s = 1 + α, b = 1 + β instead of the pulls:
//   (Σ w t² + 1/σ_α²) s + Σ w t g b = Σ w t N_exp + 1/σ_α²,   likewise for b,
//   χ² = Σ w (N_exp − s t − b g)² + (s − 1)²/σ_α² + (b − 1)²/σ_β²
// (t = N_th, g = N_bg; a fixed pull keeps its factor at 1). Equal to Chi2Accumulator's minimum in
// exact arithmetic, it never cancels: light mediators at large couplings predict up to 1e16 times
// the data, where rr − bᵀA⁻¹b of the accumulator loses every digit (and can go negative). Used
// for every model with a mediator, on both paths, so they stay comparable; other models keep the
// accumulator.
// One bin (a total count): the same minimum in closed form. With r₀ = N_exp − t − g the residual
// at zero pulls, minimising w (r₀ − α t − β g)² + α²/σ_α² + β²/σ_β² over the free pulls gives
//   χ² = w r₀² / (1 + w (σ_α² t² + σ_β² g²))
// (the 2×2 system solved symbolically; a fixed pull's σ² is 0). The denominator is a sum of
// non-negative terms: no cancellation at any coupling, and one division a point.
struct SingleBinPulls {
  double weight;         // w = 1/N_exp (0 where N_exp ≤ 0)
  double data_minus_bg;  // N_exp − g
  double var_alpha;      // σ_α², 0 when fixed
  double bg_term;        // σ_β² g², 0 when fixed
};

CEVNS_HD inline SingleBinPulls single_bin_pulls(const GaussianStats& s) {
  const double var_alpha = s.free_alpha > 0.0 ? 1.0 / s.inv_var_alpha : 0.0;
  const double var_beta = s.free_beta > 0.0 ? 1.0 / s.inv_var_beta : 0.0;
  return SingleBinPulls{s.weight[0], s.n_exp[0] - s.n_bg[0], var_alpha,
                        var_beta * s.n_bg[0] * s.n_bg[0]};
}

CEVNS_HD inline double single_bin_chi2(const SingleBinPulls& p, double t) {
  const double r = p.data_minus_bg - t;
  return p.weight * r * r / (1.0 + p.weight * (p.var_alpha * t * t + p.bg_term));
}

template <class Counts>
CEVNS_HD double point_chi2_by_residuals(const Counts& counts, const typename Counts::Point& pt,
                                        const GaussianStats& s) {
  if (s.n_bins == 1) return single_bin_chi2(single_bin_pulls(s), counts.bin(pt, 0));
  double tt = 0.0, tg = 0.0, gg = 0.0, tn = 0.0, gn = 0.0;
  for (int b = 0; b < s.n_bins; ++b) {
    const double w = s.weight[b], t = counts.bin(pt, b), g = s.n_bg[b], n = s.n_exp[b];
    tt += w * t * t;
    tg += w * t * g;
    gg += w * g * g;
    tn += w * t * n;
    gn += w * g * n;
  }
  const double fa = s.free_alpha, fb = s.free_beta;
  const double ia = fa * s.inv_var_alpha, ib = fb * s.inv_var_beta;
  const double a11 = fa * (tt + ia) + (1.0 - fa), a22 = fb * (gg + ib) + (1.0 - fb);
  const double a12 = fa * fb * tg;
  const double r1 = fa * (tn + ia - (1.0 - fb) * tg) + (1.0 - fa);
  const double r2 = fb * (gn + ib - (1.0 - fa) * tg) + (1.0 - fb);
  const double inverse_det = 1.0 / (a11 * a22 - a12 * a12);
  const double scale_signal = (a22 * r1 - a12 * r2) * inverse_det;
  const double scale_background = (a11 * r2 - a12 * r1) * inverse_det;
  double chi2 = ia * (scale_signal - 1.0) * (scale_signal - 1.0) +
                ib * (scale_background - 1.0) * (scale_background - 1.0);
  for (int b = 0; b < s.n_bins; ++b) {
    const double r = s.n_exp[b] - scale_signal * counts.bin(pt, b) - scale_background * s.n_bg[b];
    chi2 += s.weight[b] * r * r;
  }
  return chi2;
}

CEVNS_HD inline double point_chi2(const MediatorCounts& counts, const MediatorCounts::Point& pt,
                                  const GaussianStats& s) {
  return point_chi2_by_residuals(counts, pt, s);
}

CEVNS_HD inline double point_chi2(const DirectCounts& counts, const DirectCounts::Point& pt,
                                  const GaussianStats& s) {
  if (pt.model.mediator != kNoMediator) return point_chi2_by_residuals(counts, pt, s);
  Chi2Accumulator acc;
  for (int b = 0; b < s.n_bins; ++b)
    acc.add_weighted(counts.bin(pt, b), s.n_exp[b], s.n_bg[b], s.weight[b]);
  return acc.minimum_masked(s.inv_var_alpha, s.free_alpha, s.inv_var_beta, s.free_beta);
}

// The signal template of one point beside the data's background templates.
template <class Counts>
struct PointTemplates {
  const Counts& counts;
  const typename Counts::Point& point;
  const PoissonStats& stats;
  CEVNS_HD int n_bins() const { return stats.n_bins; }
  CEVNS_HD int n_templates() const { return 1 + stats.n_backgrounds; }
  CEVNS_HD double data(int i) const { return stats.data[i]; }
  CEVNS_HD double sigma(int k) const { return stats.sigmas[k]; }
  CEVNS_HD void values(int i, double* t) const {
    t[0] = counts.bin(point, i);
    for (int k = 0; k < stats.n_backgrounds; ++k)
      t[1 + k] = stats.backgrounds[static_cast<std::size_t>(k) * stats.n_bins + i];
  }
};

template <class Counts>
CEVNS_HD double point_chi2(const Counts& counts, const typename Counts::Point& pt,
                           const PoissonStats& s) {
  return profile_poisson(PointTemplates<Counts>{counts, pt, s}).chi2;
}

// ---------------------------------------------------------------------------------------------
// Rows.

// Statistic of the points i0 ∈ [i0_begin, i0_end) of row i1, into out[0 ..). Within a row
// nothing but axis 0 changes, so the loop carries no index arithmetic.
template <class Counts, class Stats>
CEVNS_HD void row_chi2(const Counts& counts, const GridView& grid, const Stats& stats, int i1,
                       int i0_begin, int i0_end, double* out) {
  for (int i0 = i0_begin; i0 < i0_end; ++i0)
    out[i0 - i0_begin] = point_chi2(counts, counts.prepare(grid, i0, i1), stats);
}

// Sterile rows with sin²2θ along the row and the Gaussian χ²: N_b = a_b − s d_b is affine in s,
// so every sum of the χ² accumulator is a quadratic in s whose coefficients are summed over bins
// once per row. A point then costs a few multiply-adds and the closed-form pulls, whatever the
// number of bins; the result equals the generic per-bin accumulation to rounding (ScanPaths.*).
CEVNS_HD inline void row_chi2(const SterileCounts& counts, const GridView& grid,
                              const GaussianStats& stats, int i1, int i0_begin, int i0_end,
                              double* out) {
  if (grid.id[0] != kSin22Theta) {
    for (int i0 = i0_begin; i0 < i0_end; ++i0)
      out[i0 - i0_begin] = point_chi2(counts, counts.prepare(grid, i0, i1), stats);
    return;
  }
  const double* depletion = counts.prepare(grid, i0_begin, i1).depletion;
  // With r = c + s d, t = a − s d, g the background (SPEC §7 notation of Chi2Accumulator):
  double rr0 = 0, rr1 = 0, dd = 0, tt0 = 0, tt1 = 0, gg = 0, tg0 = 0, tg1 = 0, rt0 = 0, rg0 = 0;
  for (int b = 0; b < stats.n_bins; ++b) {
    const double w = stats.weight[b];
    const double a = counts.unaffected[b] + counts.affected[b];
    const double d = depletion[b];
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

// A mediator row of one analysis bin (a total count): the closed form of single_bin_chi2 per
// point, a loop over the row's points that the compiler vectorises (one division a point).
#if defined(__CUDACC__) || !defined(__GNUC__)
#define CEVNS_ALWAYS_INLINE
#else
#define CEVNS_ALWAYS_INLINE __attribute__((always_inline))
#endif
template <bool kAlong>
CEVNS_HD CEVNS_ALWAYS_INLINE inline void mediator_single_bin_points(
    const SingleBinPulls& pulls, const double* coupling, double fixed_g2, double a, double q,
    double c, int i0_begin, int i0_end, double* out) {
  for (int i0 = i0_begin; i0 < i0_end; ++i0) {
    const double g2 = kAlong ? coupling[i0] * coupling[i0] : fixed_g2;
    out[i0 - i0_begin] = single_bin_chi2(pulls, a + g2 * (q + g2 * c));
  }
}

CEVNS_HD CEVNS_ALWAYS_INLINE inline void mediator_single_bin_row(const MediatorCounts& counts,
                                                                 const GridView& grid,
                                                                 const GaussianStats& s, int i1,
                                                                 int i0_begin, int i0_end,
                                                                 double* out) {
  const MediatorCounts::Point row = counts.prepare(grid, i0_begin, i1);
  const SingleBinPulls pulls = single_bin_pulls(s);
  // The coupling along the row (axis 0, not overridden by axis 1, as prepare() reads it), or
  // fixed for the row.
  const bool along = grid.id[0] == kMediatorCoupling &&
                     !(grid.n_axes == 2 && grid.id[1] == kMediatorCoupling);
  if (along)
    mediator_single_bin_points<true>(pulls, grid.values[0], row.g2, row.sm[0], row.quadratic[0],
                                     row.quartic[0], i0_begin, i0_end, out);
  else
    mediator_single_bin_points<false>(pulls, nullptr, row.g2, row.sm[0], row.quadratic[0],
                                      row.quartic[0], i0_begin, i0_end, out);
}

// Mediator rows with the Gaussian χ²: point_chi2_by_residuals, operation for operation (so the same
// bits as the host's chi2()), for a block of points at a time with the bins outside and the points
// inside, so that the compiler vectorises across points (the coupling changes along the row, the
// mass row's B and C do not). The background's sums Σ w g², Σ w g N_exp are the same for every
// point and made once. On the GPU a segment is one point: a block of one. One analysis bin (a
// total count) takes mediator_single_bin_row, as point_chi2_by_residuals takes single_bin_chi2.
// AVX2 where the CPU has it (dispatched_row_chi2 below).
CEVNS_HD CEVNS_ALWAYS_INLINE inline void mediator_row_chi2(const MediatorCounts& counts,
                                                           const GridView& grid,
                                                           const GaussianStats& s, int i1,
                                                           int i0_begin, int i0_end, double* out) {
#ifdef __CUDA_ARCH__
  constexpr int kBlock = 1;
#else
  constexpr int kBlock = 64;
#endif
  if (s.n_bins == 1) return mediator_single_bin_row(counts, grid, s, i1, i0_begin, i0_end, out);
  double gg = 0.0, gn = 0.0;
  for (int b = 0; b < s.n_bins; ++b) {
    const double w = s.weight[b], g = s.n_bg[b], n = s.n_exp[b];
    gg += w * g * g;
    gn += w * g * n;
  }
  const double fa = s.free_alpha, fb = s.free_beta;
  const double ia = fa * s.inv_var_alpha, ib = fb * s.inv_var_beta;
  const MediatorCounts::Point row = counts.prepare(grid, i0_begin, i1);
  const bool both_free = fa == 1.0 && fb == 1.0;
  const double a22_free = gg + ib, r2_free = gn + ib;  // fb (gg + ib) + 0, fb (gn + ib − 0) + 0
  for (int start = i0_begin; start < i0_end; start += kBlock) {
    const int np = i0_end - start < kBlock ? i0_end - start : kBlock;
    double g2[kBlock], tt[kBlock], tg[kBlock], tn[kBlock], scale_s[kBlock], scale_b[kBlock],
        chi2[kBlock];
    for (int p = 0; p < np; ++p) {
      g2[p] = counts.prepare(grid, start + p, i1).g2;
      tt[p] = 0.0;
      tg[p] = 0.0;
      tn[p] = 0.0;
    }
    for (int b = 0; b < s.n_bins; ++b) {
      const double w = s.weight[b], g = s.n_bg[b], n = s.n_exp[b];
      const double a = row.sm[b], q = row.quadratic[b], c = row.quartic[b];
      for (int p = 0; p < np; ++p) {
        const double t = a + g2[p] * (q + g2[p] * c);
        tt[p] += w * t * t;
        tg[p] += w * t * g;
        tn[p] += w * t * n;
      }
    }
    if (both_free) {  // fa = fb = 1: the same values with the exact ×1 and +0 left out
      for (int p = 0; p < np; ++p) {
        const double a11 = tt[p] + ia, a12 = tg[p], r1 = tn[p] + ia;
        const double inverse_det = 1.0 / (a11 * a22_free - a12 * a12);
        scale_s[p] = (a22_free * r1 - a12 * r2_free) * inverse_det;
        scale_b[p] = (a11 * r2_free - a12 * r1) * inverse_det;
        chi2[p] = ia * (scale_s[p] - 1.0) * (scale_s[p] - 1.0) +
                  ib * (scale_b[p] - 1.0) * (scale_b[p] - 1.0);
      }
    } else {
      for (int p = 0; p < np; ++p) {
        const double a11 = fa * (tt[p] + ia) + (1.0 - fa), a22 = fb * (gg + ib) + (1.0 - fb);
        const double a12 = fa * fb * tg[p];
        const double r1 = fa * (tn[p] + ia - (1.0 - fb) * tg[p]) + (1.0 - fa);
        const double r2 = fb * (gn + ib - (1.0 - fa) * tg[p]) + (1.0 - fb);
        const double inverse_det = 1.0 / (a11 * a22 - a12 * a12);
        scale_s[p] = (a22 * r1 - a12 * r2) * inverse_det;
        scale_b[p] = (a11 * r2 - a12 * r1) * inverse_det;
        chi2[p] = ia * (scale_s[p] - 1.0) * (scale_s[p] - 1.0) +
                  ib * (scale_b[p] - 1.0) * (scale_b[p] - 1.0);
      }
    }
    for (int b = 0; b < s.n_bins; ++b) {
      const double w = s.weight[b], g = s.n_bg[b], n = s.n_exp[b];
      const double a = row.sm[b], q = row.quadratic[b], c = row.quartic[b];
      for (int p = 0; p < np; ++p) {
        const double t = a + g2[p] * (q + g2[p] * c);
        const double r = n - scale_s[p] * t - scale_b[p] * g;
        chi2[p] += w * r * r;
      }
    }
    for (int p = 0; p < np; ++p) out[start - i0_begin + p] = chi2[p];
  }
}

// Magnetic-moment rows with the Gaussian χ²: point_chi2 (Chi2Accumulator, then minimum_masked),
// operation for operation, for a block of points at a time with the bins outside, so that the
// points vectorise (as mediator_row_chi2; AVX2 where the CPU has it).
CEVNS_HD CEVNS_ALWAYS_INLINE inline void magnetic_row_chi2(const MagneticCounts& counts,
                                                           const GridView& grid,
                                                           const GaussianStats& s, int i1,
                                                           int i0_begin, int i0_end, double* out) {
#ifdef __CUDA_ARCH__
  constexpr int kBlock = 1;
#else
  constexpr int kBlock = 64;
#endif
  for (int start = i0_begin; start < i0_end; start += kBlock) {
    const int np = i0_end - start < kBlock ? i0_end - start : kBlock;
    double mu2e[kBlock], mu2m[kBlock], rr[kBlock], tt[kBlock], gg[kBlock], tg[kBlock], rt[kBlock],
        rg[kBlock];
    for (int p = 0; p < np; ++p) {
      const MagneticCounts::Point pt = counts.prepare(grid, start + p, i1);
      mu2e[p] = pt.mu2[0];
      mu2m[p] = pt.mu2[1];
      rr[p] = tt[p] = gg[p] = tg[p] = rt[p] = rg[p] = 0.0;
    }
    for (int b = 0; b < s.n_bins; ++b) {
      const double w = s.weight[b], n_exp = s.n_exp[b], n_bg = s.n_bg[b];
      const double a = counts.base[b], me = counts.moment[0][b], mm = counts.moment[1][b];
      for (int p = 0; p < np; ++p) {  // Chi2Accumulator::add_weighted
        const double n_th = a + mu2e[p] * me + mu2m[p] * mm;
        const double r = n_exp - n_th - n_bg;
        rr[p] += w * r * r;
        tt[p] += w * n_th * n_th;
        gg[p] += w * n_bg * n_bg;
        tg[p] += w * n_th * n_bg;
        rt[p] += w * r * n_th;
        rg[p] += w * r * n_bg;
      }
    }
    const double ia = s.inv_var_alpha, fa = s.free_alpha, ib = s.inv_var_beta, fb = s.free_beta;
    for (int p = 0; p < np; ++p) {  // Chi2Accumulator::minimum_masked
      const double a11 = fa * (tt[p] + ia) + (1.0 - fa);
      const double a22 = fb * (gg[p] + ib) + (1.0 - fb);
      const double a12 = fa * fb * tg[p];
      const double b1 = fa * rt[p], b2 = fb * rg[p];
      const double det = a11 * a22 - a12 * a12;
      out[start - i0_begin + p] =
          rr[p] - (a22 * b1 * b1 - 2.0 * a12 * b1 * b2 + a11 * b2 * b2) / det;
    }
  }
}

// The blocked rows of the evaluators that have them (vectorised_row_chi2: mediator_row_chi2,
// magnetic_row_chi2). On x86-64 CPUs with AVX2 the same code is compiled a second time for AVX2
// and chosen at run time: 4 points per instruction instead of SSE2's 2, the same IEEE operations
// (no contraction, no FMA), so the same bits.
CEVNS_HD CEVNS_ALWAYS_INLINE inline void vectorised_row_chi2(const MediatorCounts& counts,
                                                             const GridView& grid,
                                                             const GaussianStats& s, int i1,
                                                             int i0_begin, int i0_end,
                                                             double* out) {
  mediator_row_chi2(counts, grid, s, i1, i0_begin, i0_end, out);
}

CEVNS_HD CEVNS_ALWAYS_INLINE inline void vectorised_row_chi2(const MagneticCounts& counts,
                                                             const GridView& grid,
                                                             const GaussianStats& s, int i1,
                                                             int i0_begin, int i0_end,
                                                             double* out) {
  magnetic_row_chi2(counts, grid, s, i1, i0_begin, i0_end, out);
}

#if !defined(__CUDACC__) && defined(__GNUC__) && defined(__x86_64__)
#define CEVNS_AVX2_ROWS 1
template <class Counts>
__attribute__((target("avx2"))) inline void vectorised_row_chi2_avx2(
    const Counts& counts, const GridView& grid, const GaussianStats& s, int i1, int i0_begin,
    int i0_end, double* out) {
  vectorised_row_chi2(counts, grid, s, i1, i0_begin, i0_end, out);
}
#endif

template <class Counts>
CEVNS_HD inline void dispatched_row_chi2(const Counts& counts, const GridView& grid,
                                         const GaussianStats& s, int i1, int i0_begin, int i0_end,
                                         double* out) {
#ifdef CEVNS_AVX2_ROWS
  static const bool avx2 = __builtin_cpu_supports("avx2");
  if (avx2) return vectorised_row_chi2_avx2(counts, grid, s, i1, i0_begin, i0_end, out);
#endif
  vectorised_row_chi2(counts, grid, s, i1, i0_begin, i0_end, out);
}

CEVNS_HD inline void row_chi2(const MediatorCounts& counts, const GridView& grid,
                              const GaussianStats& s, int i1, int i0_begin, int i0_end,
                              double* out) {
  dispatched_row_chi2(counts, grid, s, i1, i0_begin, i0_end, out);
}

CEVNS_HD inline void row_chi2(const MagneticCounts& counts, const GridView& grid,
                              const GaussianStats& s, int i1, int i0_begin, int i0_end,
                              double* out) {
  dispatched_row_chi2(counts, grid, s, i1, i0_begin, i0_end, out);
}

// The points [first, first + count) of a grid of rows of n0 points, cut into segments of at
// most `length` points that never cross a row. Segments are aligned to the whole grid (segment
// g of row r holds i0 ∈ [g·length, (g+1)·length)), clipped to the range, so a point lands in the
// same segment position whatever the chunking. Both backends loop over these segments; the CPU
// backend takes long segments (tight loops, the sterile row sums once per segment), the CUDA
// backend segments of one point (one thread each). 64-bit point indices throughout.
struct Segments {
  std::size_t first, count;
  std::size_t n0;
  std::size_t length;
  std::size_t per_row;  // segments per row
  std::size_t g_begin, g_end;

  CEVNS_HD Segments(std::size_t first_point, std::size_t n_points, std::size_t row_points,
                    std::size_t segment_length)
      : first(first_point), count(n_points), n0(row_points), length(segment_length) {
    per_row = (n0 + length - 1) / length;
    const std::size_t last = first + count - 1;
    g_begin = (first / n0) * per_row + (first % n0) / length;
    g_end = count == 0 ? g_begin : (last / n0) * per_row + (last % n0) / length + 1;
  }
  CEVNS_HD std::size_t size() const { return g_end - g_begin; }
  // Segment s: row, [i0_begin, i0_end) and where its first point goes in the range's output.
  CEVNS_HD void get(std::size_t s, int* row, int* i0_begin, int* i0_end,
                    std::size_t* out_offset) const {
    const std::size_t g = g_begin + s;
    const std::size_t r = g / per_row, k = g % per_row;
    std::size_t lo = r * n0 + k * length;
    std::size_t hi = r * n0 + ((k + 1) * length < n0 ? (k + 1) * length : n0);
    if (lo < first) lo = first;
    if (hi > first + count) hi = first + count;
    *row = static_cast<int>(r);
    *i0_begin = static_cast<int>(lo - r * n0);
    *i0_end = static_cast<int>(hi - r * n0);
    *out_offset = lo - first;
  }
};

// ---------------------------------------------------------------------------------------------
// The sterile depletion table D (SPEC §9).

// For one Δm² and one source bin, Σ over the entries the channel depletes of rate ×
// sin²(Δm² × phase), phase = 1.27 L/E, averaged over the baseline spread when there is one
// (SPEC §12). The entries come compacted per source bin (structure of arrays), so the
// point-like loop is a plain vectorisable reduction. A detector that sees several neutrino
// sources has one such block per source (its baseline in the phases, its flux share in the
// rates, its spread), and the blocks add.
struct DepletionView {
  const double* rate;
  const double* phase_per_dm2;
  const int* offsets;  // [neutrino source][source bin], n_baselines × n_sources + 1
  int n_sources;
  int n_baselines;
  double spread_ratio[kMaxSources];  // a / L₀ per neutrino source
};

CEVNS_HD inline double depletion_sum(const DepletionView& v, double dm2_eV2, int source) {
  double d = 0.0;
  for (int l = 0; l < v.n_baselines; ++l) {
    const int* offsets = v.offsets + static_cast<std::size_t>(l) * v.n_sources;
    const double spread = v.spread_ratio[l];
    if (spread == 0.0) {
      for (int k = offsets[source]; k < offsets[source + 1]; ++k)
        d += v.rate[k] * sin_squared(dm2_eV2 * v.phase_per_dm2[k]);
    } else {
      for (int k = offsets[source]; k < offsets[source + 1]; ++k)
        d += v.rate[k] * averaged_sin_squared(dm2_eV2 * v.phase_per_dm2[k], spread);
    }
  }
  return d;
}

// A detector response between source bins (flux × true-recoil bin) and analysis bins:
//   out[u] = Σ_f weight[f][u] Σ_b response[b][energy_of_bin[u]] · source[f][b],
// the response matrix of a data release (true recoil → observed energy) and, per flux, the
// arrival-time and pulse-shape fractions of each analysis bin (host/data/data_set.hpp).
// Forecasts have none: their source bins are the analysis bins.
struct FoldView {
  const double* response;  // [true bin][energy bin]
  int n_true, n_energy;
  const double* weight;  // [flux][analysis bin]
  const int* energy_of_bin;
  int n_bins;
};

// Σ_b response[b][j] · source[f][b].
CEVNS_HD inline double fold_energy(const FoldView& f, const double* source, int flux, int j) {
  double s = 0.0;
  const double* src = source + static_cast<std::size_t>(flux) * f.n_true;
  for (int b = 0; b < f.n_true; ++b)
    s += f.response[static_cast<std::size_t>(b) * f.n_energy + j] * src[b];
  return s;
}

// Σ_f weight[f][u] · energy[f][energy_of_bin[u]].
CEVNS_HD inline double fold_bin(const FoldView& f, const double* energy, int u) {
  double s = 0.0;
  const int j = f.energy_of_bin[u];
  for (int flux = 0; flux < kNumFluxes; ++flux)
    s += f.weight[static_cast<std::size_t>(flux) * f.n_bins + u] *
         energy[static_cast<std::size_t>(flux) * f.n_energy + j];
  return s;
}

}  // namespace cevns
