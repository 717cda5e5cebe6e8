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

#include <cstddef>
#include <cstdint>

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
