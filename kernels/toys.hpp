// The pseudo-experiments of the Feldman–Cousins construction (SPEC §11), written once for both
// backends. One work item is one (true point θ, toy j): draw the toy's counts per bin (Poisson
// around the prediction at θ with the nuisances at their best fit to the reference data) and the
// centres of the pull constraints (Gaussian around that best fit), then evaluate the scan's own
// statistic — pulls profiled — at every point of the grid, and return
//   t(θ) = χ²_toy(θ) − min_p χ²_toy(p).
//
// Cost. The signal of grid point p is a short linear combination of a few basis vectors of its
// row (a run of consecutive points):
//   N_p,b = Σ_k coef[p][k] · basis[row(p)][k][b],
// nine vectors for the quadratic form of sin²θ_W and NSI (three moments × three fluxes, SPEC §9),
// (a, D_row) for the sterile table and (A, B_row, C_row) for the mediator tables (SPEC §10.5); any
// other model has one row per point holding its own counts. With the Gaussian χ² of SPEC §7 the
// only toy-dependent sum of a point is Σ_b w_b n_b N_p,b = Σ_k coef[p][k] · (Σ_b w_b n_b
// basis[row][k][b]): the K sums per row are formed once per toy, and a point then costs K
// multiply-adds and the closed-form pulls. A toy costs ~ rows × K × bins + points × K, not
// points × bins. The Poisson likelihood (Baker–Cousins, kernels/poisson.hpp) has no such
// shortcut: its pulls are profiled at every point.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "kernels/hd.hpp"
#include "kernels/poisson.hpp"
#include "kernels/random.hpp"

namespace cevns {

inline constexpr int kMaxToyBasis = 9;

// Everything a toy reads, on the device. Points are the grid's points (axis 0 fastest).
struct ToyView {
  std::size_t n_points;
  int n_bins;
  // Signal per point and bin from the row bases.
  int n_basis;                   // K ≤ kMaxToyBasis
  int n_rows;                    // rows of consecutive points
  const std::size_t* row_first;  // [row], n_rows + 1
  const double* basis;           // [row][k][bin]
  const double* coef;            // [point][k]
  // Statistic: background templates [template][bin] and the σ of every normalisation (signal
  // first; 0 fixes it, +∞ leaves it free: kernels/poisson.hpp).
  int poisson;  // 0: the Gaussian χ² with closed-form pulls (SPEC §7), 1: Baker–Cousins
  int n_backgrounds;
  const double* backgrounds;
  const double* sigmas;
  // Gaussian: weights 1/σ_b² = 1/N_exp of the reference data, and per point the data-free parts
  // of the closed form: tt = Σ w N², tg = Σ w N g and the inverse of its 2×2 matrix.
  const double* weight;          // [bin]
  double gg;                     // Σ w g²
  const double* point_gaussian;  // [point][5]: tt, tg, inv11, inv12, inv22
  // The toys' sources: per true point, the Poisson tables of its bins and the nuisances' best fit
  // to the reference data (one per normalisation). Source s of a call is the grid point
  // first + s, or extra sources beyond the grid (the truth of a forecast).
  const PoissonTable* source_bins;  // [source][bin]
  const double* source_nuisance;    // [source][1 + n_backgrounds]
  std::uint64_t seed;
  // Poisson toys: the minimum over the grid screened by a quadratic surrogate (below) instead of
  // profiling every point; the grid's points per row of axis 0 for its neighbourhoods.
  int screen;
  std::size_t grid_n0;
  // The surrogate's weights per bin (1/max(n, 1) of the reference data) and Gram sums per row
  // ([row][K·K signal × signal, then K·n_backgrounds signal × background]).
  const double* surrogate_weight;
  const double* surrogate_gram;
};

// The toy's data, drawn into `counts` (n_bins), and its constraint centres into `centre`.
CEVNS_HD inline void draw_toy(const ToyView& v, std::size_t source, std::uint64_t key_point,
                              std::uint32_t toy, double* counts, double* centre) {
  const PoissonTable* table = v.source_bins + source * static_cast<std::size_t>(v.n_bins);
  for (int b = 0; b < v.n_bins; ++b)
    counts[b] = poisson_inverse(
        table[b], philox_uniforms(v.seed, key_point, toy, static_cast<std::uint32_t>(b)).u);
  const int n_pulls = 1 + v.n_backgrounds;
  const double* hat = v.source_nuisance + source * static_cast<std::size_t>(n_pulls);
  for (int k = 0; k < n_pulls; ++k) {
    const double s = v.sigmas[k];
    centre[k] = 0.0;
    if (s > 0.0 && s < 1e300)
      centre[k] =
          hat[k] + s * philox_normal(v.seed, key_point, toy,
                                     kGaussianStream + 256u * static_cast<std::uint32_t>(k));
  }
}

// The signal template of point p in bin b.
CEVNS_HD inline double toy_signal(const ToyView& v, std::size_t row, std::size_t p, int b) {
  const double* base = v.basis + row * v.n_basis * static_cast<std::size_t>(v.n_bins);
  const double* c = v.coef + p * v.n_basis;
  double n = 0.0;
  for (int k = 0; k < v.n_basis; ++k) n += c[k] * base[static_cast<std::size_t>(k) * v.n_bins + b];
  return n;
}

// Templates of one grid point against a toy (kernels/poisson.hpp's view).
struct ToyTemplates {
  const ToyView& v;
  std::size_t row, point;
  const double* counts;
  const double* centres;
  CEVNS_HD int n_bins() const { return v.n_bins; }
  CEVNS_HD int n_templates() const { return 1 + v.n_backgrounds; }
  CEVNS_HD double data(int i) const { return counts[i]; }
  CEVNS_HD double sigma(int k) const { return v.sigmas[k]; }
  CEVNS_HD double centre(int k) const { return centres[k]; }
  CEVNS_HD void values(int i, double* t) const {
    t[0] = toy_signal(v, row, point, i);
    for (int k = 0; k < v.n_backgrounds; ++k)
      t[1 + k] = v.backgrounds[static_cast<std::size_t>(k) * v.n_bins + i];
  }
};

// The toy's statistic at every grid point, handed to sink(p, χ²) in point order.
template <class Sink>
CEVNS_HD void toy_grid_chi2(const ToyView& v, const double* counts, const double* centre,
                            Sink& sink) {
  if (v.poisson) {
    for (int r = 0; r < v.n_rows; ++r)
      for (std::size_t p = v.row_first[r]; p < v.row_first[r + 1]; ++p)
        sink(p,
             profile_poisson(ToyTemplates{v, static_cast<std::size_t>(r), p, counts, centre}).chi2);
    return;
  }
  // SPEC §7 with constraint centres c: min over (α, β) of
  //   Σ w (n − (1+α) N − (1+β) g)² + ia (α − c_α)² + ib (β − c_β)²
  //   = rr + ia c_α² + ib c_β² − bᵀ A⁻¹ b,  b = (rt + ia c_α, rg + ib c_β),
  // with r = n − N − g: rr = Snn − 2d − 2Sng + tt + 2tg + gg, rt = d − tt − tg,
  // rg = Sng − tg − gg, where only d = Σ w n N depends on the point and the toy together.
  double snn = 0.0, sng = 0.0;
  for (int b = 0; b < v.n_bins; ++b) {
    const double wn = v.weight[b] * counts[b];
    snn += wn * counts[b];
    sng += wn * v.backgrounds[b];
  }
  const double sa = v.sigmas[0], sb = v.sigmas[1];
  const double ia = sa > 0.0 ? 1.0 / (sa * sa) : 0.0, ib = sb > 0.0 ? 1.0 / (sb * sb) : 0.0;
  const double fa = sa > 0.0 ? 1.0 : 0.0, fb = sb > 0.0 ? 1.0 : 0.0;
  const double pull_a = ia * centre[0], pull_b = ib * centre[1];
  const double constant = snn - 2.0 * sng + v.gg + pull_a * centre[0] + pull_b * centre[1];
  double row_sums[kMaxToyBasis];
  for (int r = 0; r < v.n_rows; ++r) {
    const double* base = v.basis + static_cast<std::size_t>(r) * v.n_basis * v.n_bins;
    for (int k = 0; k < v.n_basis; ++k) {
      double s = 0.0;
      const double* vec = base + static_cast<std::size_t>(k) * v.n_bins;
      for (int b = 0; b < v.n_bins; ++b) s += v.weight[b] * counts[b] * vec[b];
      row_sums[k] = s;
    }
    for (std::size_t p = v.row_first[r]; p < v.row_first[r + 1]; ++p) {
      const double* c = v.coef + p * v.n_basis;
      double d = 0.0;
      for (int k = 0; k < v.n_basis; ++k) d += c[k] * row_sums[k];
      const double* g = v.point_gaussian + 5 * p;
      const double tt = g[0], tg = g[1];
      const double b1 = fa * (d - tt - tg + pull_a);
      const double b2 = fb * (sng - tg - v.gg + pull_b);
      const double rr = constant - 2.0 * d + tt + 2.0 * tg;
      sink(p, rr - (g[2] * b1 * b1 + 2.0 * g[3] * b1 * b2 + g[4] * b2 * b2));
    }
  }
}

// t(θ) of one toy at the true grid point `truth` (its source index `source`).
struct ToyStatisticSink {
  std::size_t truth;
  double at_truth, minimum;
  CEVNS_HD void operator()(std::size_t p, double chi2) {
    if (p == truth) at_truth = chi2;
    if (chi2 < minimum) minimum = chi2;
  }
};

// Adds the toy's statistic of one data set to a running sum per grid point (joint fits).
struct ToyAddSink {
  double* sum;
  CEVNS_HD void operator()(std::size_t p, double chi2) { sum[p] += chi2; }
};

// Every grid point's χ²_toy, for the spread of the expected limit (then Δχ² after the minimum).
struct ToyGridSink {
  double* out;
  double minimum;
  CEVNS_HD void operator()(std::size_t p, double chi2) {
    out[p] = chi2;
    if (chi2 < minimum) minimum = chi2;
  }
};

}  // namespace cevns

namespace cevns {

// ---------------------------------------------------------------------------------------------
// The minimum over the grid of the Poisson statistic (data fits), exact and without profiling
// every point. Profiling the pulls of −2 ln λ costs a few Newton iterations over every bin, so a
// toy minimised over a plane of thousands of points by profiling each costs thousands of
// profiles. Instead, a branch and bound over the grid's points:
//  1. a quadratic surrogate of the toy's −2 ln λ at every point, built per row like the Gaussian
//     χ² of the forecasts (add_surrogate below), picks kScreenCandidates points; the exact
//     statistic (pulls profiled) at the true point, then at each candidate whose bound (2.) is
//     still below U − ε, gives the best value U so far;
//  2. every point profiled so far (an *anchor*) gives a rigorous lower bound of the profiled
//     statistic at every grid point, from K sums over bins per row (raise_dual_bound below: the
//     tangents of the Poisson terms at the anchor's fit, a bound linear in the counts, minimised
//     over the pulls in closed form); a point's bound is the largest of its anchors';
//  3. the point of smallest bound is profiled next (and becomes an anchor), until the smallest
//     bound of the points not profiled exceeds U − ε, ε = kSearchTolerance · (1 + |U|).
// Every point not profiled then has −2 ln λ > U − ε: the minimum returned is the minimum over
// every point of the grid to ε (and to the profile's own tolerance, kernels/poisson.hpp), for
// every toy; only the number of profiles depends on how tight the bounds are.

inline constexpr int kScreenCandidates = 12;
inline constexpr int kMaxJointSets = 8;
// The search stops when every point not profiled has a bound above U − kSearchTolerance·(1 + |U|):
// far below any Δχ² of interest, and above the rounding of the bounds' sums (≲ 1e-12 relative).
inline constexpr double kSearchTolerance = 1e-9;

// The row of point p.
CEVNS_HD inline std::size_t toy_row_of(const ToyView& v, std::size_t p) {
  int lo = 0, hi = v.n_rows;  // row_first[lo] ≤ p < row_first[hi]
  while (hi - lo > 1) {
    const int mid = (lo + hi) / 2;
    if (v.row_first[mid] <= p)
      lo = mid;
    else
      hi = mid;
  }
  return static_cast<std::size_t>(lo);
}

// Adds the surrogate of one data set's toy at every grid point to sum[p]: Neyman's χ² with the
// reference data's weights w, the backgrounds held at their best fit to the reference data at
// the true point (x_k = 1 + θ̂_k), the signal normalisation x₀ profiled in closed form:
//   Q = Σ w r² − 2 x₀ Σ w r s + x₀² Σ w s² + ip (x₀ − c)²,  r = n − Σ x_k B_k,
// where Σ w r s = Σ_j coef_j Σ_b w r basis_j is K sums per row and Σ w s² = coefᵀ G coef with
// the Gram matrix G of the row's basis (made once on the host): a point costs ~K² operations.
CEVNS_HD inline void add_surrogate(const ToyView& v, std::size_t source, const double* counts,
                                   const double* centre, double* sum) {
  const int K = v.n_basis, nb = v.n_backgrounds, n_bins = v.n_bins;
  const double* hat = v.source_nuisance + source * static_cast<std::size_t>(1 + nb);
  const double sg = v.sigmas[0];
  const double ip = sg > 0.0 && sg < 1e300 ? 1.0 / (sg * sg) : 0.0;
  const bool free_signal = sg > 0.0;
  const double target = 1.0 + centre[0];
  const auto residual = [&](int b) {
    double r = counts[b];
    for (int a = 0; a < nb; ++a)
      r -= (1.0 + hat[1 + a]) * v.backgrounds[static_cast<std::size_t>(a) * n_bins + b];
    return r;
  };
  double srr = 0.0;
  for (int b = 0; b < n_bins; ++b) {
    const double r = residual(b);
    srr += v.surrogate_weight[b] * r * r;
  }
  for (int r = 0; r < v.n_rows; ++r) {
    const double* base = v.basis + static_cast<std::size_t>(r) * K * n_bins;
    const double* gram = v.surrogate_gram + static_cast<std::size_t>(r) * K * (K + nb);
    double hs[kMaxToyBasis];
    for (int j = 0; j < K; ++j) hs[j] = 0.0;
    for (int b = 0; b < n_bins; ++b) {
      const double wr = v.surrogate_weight[b] * residual(b);
      for (int j = 0; j < K; ++j) hs[j] += wr * base[static_cast<std::size_t>(j) * n_bins + b];
    }
    for (std::size_t p = v.row_first[r]; p < v.row_first[r + 1]; ++p) {
      const double* cf = v.coef + p * K;
      double srs = 0.0, sss = 0.0;
      for (int j = 0; j < K; ++j) {
        srs += cf[j] * hs[j];
        double t = 0.0;
        for (int c = 0; c < K; ++c) t += gram[j * K + c] * cf[c];
        sss += cf[j] * t;
      }
      double q;
      if (free_signal && sss + ip > 0.0) {
        const double b1 = srs + ip * target;
        q = srr + ip * target * target - b1 * b1 / (sss + ip);
      } else {
        q = srr - 2.0 * srs + sss;  // x₀ = 1
      }
      sum[p] += q;
    }
  }
}

// The exact statistic (pulls profiled) of the sets' toys at point p, summed in set order; each
// set's profile starts from `start` (its pulls at a neighbouring point, [set][kMaxPulls]) when
// given, and leaves its minimising pulls in `theta`.
CEVNS_HD inline double joint_exact_chi2(const ToyView* views, int n_sets, std::size_t p,
                                        const double* counts, const double* centres,
                                        const double* start, double* theta) {
  double sum = 0.0;
  for (int s = 0; s < n_sets; ++s) {
    const ToyView& v = views[s];
    const PoissonProfile prof =
        profile_poisson(ToyTemplates{v, toy_row_of(v, p), p, counts, centres + s * kMaxPulls},
                        start ? start + s * kMaxPulls : nullptr);
    for (int k = 0; k < kMaxPulls; ++k) theta[s * kMaxPulls + k] = prof.theta[k];
    sum += prof.chi2;
    counts += v.n_bins;
  }
  return sum;
}

inline constexpr double kToyInfinity = std::numeric_limits<double>::infinity();

// min over x of g·x + (x − 1 − c)²/σ²: the pull of one normalisation x = 1 + θ against a linear
// term g·x. σ = 0 fixes x = 1; σ = +∞ (a free normalisation) has no finite minimum unless g = 0,
// so it gives −∞ (no bound).
CEVNS_HD inline double linear_pull_minimum(double g, double sigma, double c) {
  if (!(sigma > 0.0)) return g;
  if (!(sigma < 1e300)) return g == 0.0 ? 0.0 : -kToyInfinity;
  return g * (1.0 + c) - 0.25 * g * g * sigma * sigma;
}

// A lower bound of one data set's profiled statistic at every grid point, from the fit at one
// anchor point a with pulls θ^a; lb[p] is raised to it where it is larger.
//
// The statistic at point p, for normalisations x_k = 1 + θ_k and μ_b = Σ_k x_k T_k,b(p) (T_0 the
// point's signal, T_k≥1 the backgrounds, kernels/poisson.hpp):
//   F_p(x) = Σ_b f_b(μ_b) + Σ_k (x_k − 1 − c_k)²/σ_k²,  f_b(μ) = 2[μ − n_b + n_b ln(n_b/μ)],
// with f_b(μ) = +∞ for μ ≤ 0 < n_b and f_b(μ) = 2μ for n_b = 0 (any μ); a pull of σ_k = 0 holds
// x_k = 1 and has no term.
// Proof. For n_b > 0 and any u_b > 0, the concavity of ln (ln μ ≤ ln μ₀ + (μ − μ₀)/μ₀ at
// μ₀ = n_b/u_b) gives, for every μ > 0,
//   f_b(μ) ≥ 2(1 − u_b) μ + 2 n_b ln u_b,
// and it holds for μ ≤ 0 too (f_b = +∞); for n_b = 0 it is an equality with u_b = 0. Summing,
//   F_p(x) ≥ Σ_b 2 n_b ln u_b + Σ_k [g_k x_k + (x_k − 1 − c_k)²/σ_k²],
//   g_k = Σ_b 2(1 − u_b) T_k,b(p),
// for every x. The right side separates in the x_k, so its minimum over x is the sum over k of
// linear_pull_minimum(g_k, σ_k, c_k) plus the constant: a lower bound of min_x F_p(x), the
// profiled statistic (its Lagrange dual, at the multipliers u). It holds for any u; taking
// u_b = n_b/μ_b^a (the anchor's fitted counts) makes it tight at the anchor (equal to the profile
// there, the tangents being at its minimum) and close near it. The u being the same for every
// point, g_0(p) = Σ_j coef[p][j] · (Σ_b 2(1 − u_b) basis[row][j][b]): K sums over bins per row
// and K multiply-adds per point, like the surrogate; the backgrounds' g_k do not depend on p.
// A free normalisation (σ = +∞) gives no bound (−∞): the search then profiles every point.
// `slope` is scratch of n_bins doubles.
CEVNS_HD inline void raise_dual_bound(const ToyView& v, const double* counts, const double* centre,
                                      std::size_t anchor, const double* theta, double* slope,
                                      double* lb) {
  const int K = v.n_basis, nb = v.n_backgrounds, n_bins = v.n_bins, nk = 1 + nb;
  for (int k = 0; k < nk; ++k)
    if (!(v.sigmas[k] < 1e300)) return;  // a free normalisation: no finite bound
  const ToyTemplates at{v, toy_row_of(v, anchor), anchor, counts, centre};
  double constant = 0.0;
  double t[kMaxPulls];
  for (int b = 0; b < n_bins; ++b) {
    at.values(b, t);
    double mu = 0.0;
    for (int k = 0; k < nk; ++k) mu += (1.0 + theta[k]) * t[k];
    const double n = counts[b];
    double u = 0.0;
    if (n > 0.0) {
      u = mu > 0.0 ? n / mu : 1.0;  // any u > 0 gives a bound
      constant += 2.0 * n * std::log(u);
    }
    slope[b] = 2.0 * (1.0 - u);
  }
  for (int k = 1; k < nk; ++k) {
    const double* bk = v.backgrounds + static_cast<std::size_t>(k - 1) * n_bins;
    double g = 0.0;
    for (int b = 0; b < n_bins; ++b) g += slope[b] * bk[b];
    constant += linear_pull_minimum(g, v.sigmas[k], centre[k]);
  }
  double rs[kMaxToyBasis];
  for (int r = 0; r < v.n_rows; ++r) {
    const double* base = v.basis + static_cast<std::size_t>(r) * K * n_bins;
    for (int j = 0; j < K; ++j) {
      const double* vec = base + static_cast<std::size_t>(j) * n_bins;
      double sum = 0.0;
      for (int b = 0; b < n_bins; ++b) sum += slope[b] * vec[b];
      rs[j] = sum;
    }
    for (std::size_t p = v.row_first[r]; p < v.row_first[r + 1]; ++p) {
      const double* cf = v.coef + p * K;
      double g0 = 0.0;
      for (int j = 0; j < K; ++j) g0 += cf[j] * rs[j];
      const double value = constant + linear_pull_minimum(g0, v.sigmas[0], centre[0]);
      if (value > lb[p]) lb[p] = value;
    }
  }
}

// t = χ²_toy(truth) − min over the grid of χ²_toy for one toy of every set, the minimum by the
// branch and bound described above. `counts` holds Σ n_bins doubles; `work` Σ n_bins +
// n_sets · n_points (the dual slopes, then every set's bound per point). `n_profiles`, when
// given, receives the number of points profiled.
CEVNS_HD inline double screened_toy_statistic(const ToyView* views, int n_sets, std::size_t truth,
                                              std::uint32_t toy, double* counts, double* work,
                                              int* n_profiles = nullptr) {
  const ToyView& v0 = views[0];
  const std::size_t n_points = v0.n_points;
  int bins_total = 0;
  for (int s = 0; s < n_sets; ++s) bins_total += views[s].n_bins;
  double* slope = work;
  double* lb = work + bins_total;  // [set][point]; first the surrogate (n_points)
  double centres[kMaxJointSets * kMaxPulls];
  double* surrogate = lb;
  for (std::size_t p = 0; p < n_points; ++p) surrogate[p] = 0.0;
  {
    double* c = counts;
    for (int s = 0; s < n_sets; ++s) {
      draw_toy(views[s], truth, truth, toy, c, centres + s * kMaxPulls);
      add_surrogate(views[s], truth, c, centres + s * kMaxPulls, surrogate);
      c += views[s].n_bins;
    }
  }
  // The candidates: the lowest surrogate values (ascending; ties to the lower index).
  std::size_t cand[kScreenCandidates];
  double cand_value[kScreenCandidates];
  int n_cand = 0;
  for (std::size_t p = 0; p < n_points; ++p) {
    const double q = surrogate[p];
    if (!(q == q)) continue;  // NaN
    if (n_cand == kScreenCandidates && !(q < cand_value[n_cand - 1])) continue;
    int i = n_cand < kScreenCandidates ? n_cand++ : n_cand - 1;
    while (i > 0 && q < cand_value[i - 1]) {
      cand_value[i] = cand_value[i - 1];
      cand[i] = cand[i - 1];
      --i;
    }
    cand_value[i] = q;
    cand[i] = p;
  }
  const std::size_t n_lb = static_cast<std::size_t>(n_sets) * n_points;
  for (std::size_t i = 0; i < n_lb; ++i) lb[i] = -kToyInfinity;
  // Profiles every set at p, makes p an anchor of every set's bound and marks it done (+∞ in
  // every set's bound: never chosen again). Every profile starts from θ = 0, as the loop over
  // every point does (toy_grid_chi2): a point's value does not depend on the order of the search.
  double theta[kMaxJointSets * kMaxPulls];
  int profiles = 0;
  const auto profile = [&](std::size_t p) {
    const double value = joint_exact_chi2(views, n_sets, p, counts, centres, nullptr, theta);
    ++profiles;
    const double* c = counts;
    for (int s = 0; s < n_sets; ++s) {
      raise_dual_bound(views[s], c, centres + s * kMaxPulls, p, theta + s * kMaxPulls, slope,
                       lb + s * n_points);
      c += views[s].n_bins;
    }
    for (int s = 0; s < n_sets; ++s) lb[s * n_points + p] = kToyInfinity;
    return value;
  };
  const double at_truth = profile(truth);
  double best_value = at_truth;
  const auto consider = [&](std::size_t p) {
    const double value = profile(p);
    if (value < best_value) best_value = value;
  };
  // The joint bound at p (the sum of the sets' bounds; a NaN is no bound), and the level above
  // which a point cannot improve on U by more than ε.
  const auto joint_bound = [&](std::size_t p) {
    double bound = 0.0;
    for (int s = 0; s < n_sets; ++s) bound += lb[s * n_points + p];
    return bound == bound ? bound : -kToyInfinity;
  };
  const auto cutoff = [&] {
    const double scale = best_value < 0.0 ? -best_value : best_value;
    return best_value - kSearchTolerance * (1.0 + scale);
  };
  // A candidate whose bound already exceeds U − ε is not profiled: its statistic cannot lower U by
  // more than ε, and the search below would not profile it either.
  for (int i = 0; i < n_cand; ++i)
    if (!(lb[cand[i]] == kToyInfinity) && !(joint_bound(cand[i]) > cutoff())) consider(cand[i]);
  // Branch and bound: the point of smallest bound next, until every bound exceeds U − ε.
  for (;;) {
    std::size_t next = n_points;
    double next_bound = kToyInfinity;
    for (std::size_t p = 0; p < n_points; ++p) {
      if (lb[p] == kToyInfinity) continue;  // profiled
      const double bound = joint_bound(p);
      if (bound < next_bound || next == n_points) {
        next_bound = bound;
        next = p;
      }
    }
    if (next == n_points || next_bound > cutoff()) break;
    consider(next);
  }
  if (n_profiles) *n_profiles = profiles;
  return at_truth - best_value;
}

}  // namespace cevns
