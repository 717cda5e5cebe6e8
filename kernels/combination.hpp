// Combinations of detectors (SPEC §12): one statistic over several detectors at each grid point,
// with the signal-normalisation pull shared across them (the SNS flux) or each detector keeping
// its own. Written once for both backends (backend_impl.inl) and for the host's evaluation off
// the grid (host/engine/scan_model.cpp).
//
// Without a shared pull the statistic is the sum of the detectors' own minima, computed by the
// very functions of a single detector's grid (row_chi2), so it equals the sum of their grids
// exactly. With the signal shared:
//  * Gaussian χ² (SPEC §7): each detector's sums go into SharedSignalChi2 (kernels/chi2.hpp),
//    which eliminates its background pull β_d and then minimises over the one α.
//  * Gaussian χ² of a light mediator: the same minimum written as a sum of squares at the
//    minimising scale factors (as point_chi2_by_residuals does for one detector).
//  * Poisson likelihood (kernels/poisson.hpp): the detectors' bins side by side, one signal
//    template over all of them and every detector's background templates, each non-zero in its
//    own detector's bins only; the profile is then the single-detector one.
#pragma once

#include <cstddef>

#include "kernels/chi2.hpp"
#include "kernels/hd.hpp"
#include "kernels/poisson.hpp"
#include "kernels/scan_point.hpp"

namespace cevns {

// At most this many detectors in one combination (the device keeps one point per detector).
inline constexpr int kMaxCombinedDetectors = 8;

// Whether a detector's Gaussian χ² is taken as a sum of squared residuals (a model with a light
// mediator, whose counts can exceed the data's by 1e16: kernels/scan_point.hpp).
template <class Counts>
CEVNS_HD bool uses_residuals(const Counts&, const typename Counts::Point&) {
  return false;
}
CEVNS_HD inline bool uses_residuals(const MediatorCounts&, const MediatorCounts::Point&) {
  return true;
}
CEVNS_HD inline bool uses_residuals(const DirectCounts&, const DirectCounts::Point& p) {
  return p.model.mediator != kNoMediator;
}

// Counts already evaluated, one value per bin: how the host hands a combination its detectors'
// counts at a point off the grid (each computed by that detector's own evaluator).
struct TabulatedCounts {
  const double* values;
  struct Point {};
  CEVNS_HD double bin(const Point&, int b) const { return values[b]; }
};

// The sums of Chi2Accumulator of one detector at one point.
template <class Counts>
CEVNS_HD Chi2Accumulator point_sums(const Counts& counts, const typename Counts::Point& pt,
                                    const GaussianStats& s) {
  Chi2Accumulator acc;
  for (int b = 0; b < s.n_bins; ++b)
    acc.add_weighted(counts.bin(pt, b), s.n_exp[b], s.n_bg[b], s.weight[b]);
  return acc;
}

// Gaussian χ² with the signal pull shared by detectors d = 0 … n−1 (counts[d], points[d],
// stats[d]); σ_α is stats[0]'s (every detector of a combination runs under the same scenario),
// each detector's β_d has its own stats' σ_β. `residuals`: the sum-of-squares form.
template <class Counts>
CEVNS_HD double shared_signal_chi2(const Counts* counts, const typename Counts::Point* points,
                                   const GaussianStats* stats, int n, bool residuals) {
  const double fa = stats[0].free_alpha;
  if (!residuals) {
    SharedSignalChi2 shared;
    for (int d = 0; d < n; ++d)
      shared.add_detector(point_sums(counts[d], points[d], stats[d]), stats[d].inv_var_beta,
                          stats[d].free_beta);
    return shared.minimum_masked(stats[0].inv_var_alpha, fa);
  }
  // Scale factors s = 1 + α (shared) and b_d = 1 + β_d. At fixed s each b_d solves its own row,
  //   (Σ w g² + 1/σ_β²) b_d = Σ w g N_exp + 1/σ_β² − s Σ w t g   ⇒   b_d = q_d − p_d s,
  // and s then solves (Σ_d [Σ w t² − p_d Σ w t g] + 1/σ_α²) s = Σ_d [Σ w t N_exp − q_d Σ w t g]
  // + 1/σ_α² (t = N_th, g = N_bg; a fixed pull keeps its factor at 1).
  const double ia = fa * stats[0].inv_var_alpha;
  double q[kMaxCombinedDetectors], p[kMaxCombinedDetectors];
  double lhs = 0.0, rhs = 0.0;
  for (int d = 0; d < n; ++d) {
    const GaussianStats& s = stats[d];
    double tt = 0.0, tg = 0.0, gg = 0.0, tn = 0.0, gn = 0.0;
    for (int b = 0; b < s.n_bins; ++b) {
      const double w = s.weight[b], t = counts[d].bin(points[d], b), g = s.n_bg[b], e = s.n_exp[b];
      tt += w * t * t;
      tg += w * t * g;
      gg += w * g * g;
      tn += w * t * e;
      gn += w * g * e;
    }
    const double fb = s.free_beta, ib = fb * s.inv_var_beta;
    const double g_row = fb * (gg + ib) + (1.0 - fb);
    q[d] = (fb * (gn + ib) + (1.0 - fb)) / g_row;
    p[d] = fb * tg / g_row;
    lhs += tt - tg * p[d];
    rhs += tn - tg * q[d];
  }
  const double scale_signal = (fa * (rhs + ia) + (1.0 - fa)) / (fa * (lhs + ia) + (1.0 - fa));
  double chi2 = ia * (scale_signal - 1.0) * (scale_signal - 1.0);
  for (int d = 0; d < n; ++d) {
    const GaussianStats& s = stats[d];
    const double ib = s.free_beta * s.inv_var_beta;
    const double scale_background = q[d] - p[d] * scale_signal;
    chi2 += ib * (scale_background - 1.0) * (scale_background - 1.0);
    for (int b = 0; b < s.n_bins; ++b) {
      const double r =
          s.n_exp[b] - scale_signal * counts[d].bin(points[d], b) - scale_background * s.n_bg[b];
      chi2 += s.weight[b] * r * r;
    }
  }
  return chi2;
}

// The Poisson templates of a combination with a shared signal (kernels/poisson.hpp's view): bin
// i of detector d is bin bin_first[d] + i; template 0 is the signal of every detector, templates
// template_first[d] … template_first[d + 1] − 1 are detector d's backgrounds. The signal's σ is
// stats[0]'s.
template <class Counts>
struct CombinedTemplates {
  const Counts* counts;
  const typename Counts::Point* points;
  const PoissonStats* stats;
  int n_members;
  int bin_first[kMaxCombinedDetectors + 1];
  int template_first[kMaxCombinedDetectors + 1];

  CEVNS_HD CombinedTemplates(const Counts* c, const typename Counts::Point* p,
                             const PoissonStats* s, int n)
      : counts(c), points(p), stats(s), n_members(n) {
    bin_first[0] = 0;
    template_first[0] = 1;
    for (int d = 0; d < n; ++d) {
      bin_first[d + 1] = bin_first[d] + s[d].n_bins;
      template_first[d + 1] = template_first[d] + s[d].n_backgrounds;
    }
  }
  CEVNS_HD int member_of(int i) const {
    int d = 0;
    while (i >= bin_first[d + 1]) ++d;
    return d;
  }
  CEVNS_HD int n_bins() const { return bin_first[n_members]; }
  CEVNS_HD int n_templates() const { return template_first[n_members]; }
  CEVNS_HD double data(int i) const {
    const int d = member_of(i);
    return stats[d].data[i - bin_first[d]];
  }
  CEVNS_HD double sigma(int k) const {
    if (k == 0) return stats[0].sigmas[0];
    int d = 0;
    while (k >= template_first[d + 1]) ++d;
    return stats[d].sigmas[1 + k - template_first[d]];
  }
  CEVNS_HD void values(int i, double* t) const {
    const int d = member_of(i), b = i - bin_first[d];
    for (int k = 0; k < n_templates(); ++k) t[k] = 0.0;
    t[0] = counts[d].bin(points[d], b);
    const PoissonStats& s = stats[d];
    for (int k = 0; k < s.n_backgrounds; ++k)
      t[template_first[d] + k] = s.backgrounds[static_cast<std::size_t>(k) * s.n_bins + b];
  }
};

template <class Counts>
CEVNS_HD double shared_signal_chi2(const Counts* counts, const typename Counts::Point* points,
                                   const PoissonStats* stats, int n, bool /*residuals*/) {
  return profile_poisson(CombinedTemplates<Counts>(counts, points, stats, n)).chi2;
}

// A combination on the device: per detector its counts evaluator and statistic (Stats is
// GaussianStats or PoissonStats), and whether the signal pull is shared.
template <class Counts, class Stats>
struct CombinationView {
  const Counts* counts;  // [member]
  const Stats* stats;    // [member]
  int n_members;
  int shared_signal;
};

// Statistic of the points i0 ∈ [i0_begin, i0_end) of row i1 of a combination's grid, into
// out[0 ..).
template <class Counts, class Stats>
CEVNS_HD void combined_row_chi2(const CombinationView<Counts, Stats>& c, const GridView& grid,
                                int i1, int i0_begin, int i0_end, double* out) {
  if (!c.shared_signal) {
    // The sum of the detectors' own grids, each by its own row function, in blocks of points.
    constexpr int kBlock = 64;
    double block[kBlock];
    for (int lo = i0_begin; lo < i0_end; lo += kBlock) {
      const int hi = lo + kBlock < i0_end ? lo + kBlock : i0_end;
      for (int d = 0; d < c.n_members; ++d) {
        row_chi2(c.counts[d], grid, c.stats[d], i1, lo, hi, block);
        for (int i = lo; i < hi; ++i)
          out[i - i0_begin] = d == 0 ? block[i - lo] : out[i - i0_begin] + block[i - lo];
      }
    }
    return;
  }
  typename Counts::Point points[kMaxCombinedDetectors];
  for (int i0 = i0_begin; i0 < i0_end; ++i0) {
    for (int d = 0; d < c.n_members; ++d) points[d] = c.counts[d].prepare(grid, i0, i1);
    out[i0 - i0_begin] = shared_signal_chi2(c.counts, points, c.stats, c.n_members,
                                            uses_residuals(c.counts[0], points[0]));
  }
}

}  // namespace cevns
