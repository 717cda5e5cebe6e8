// Poisson likelihood of binned counts with normalisation pulls, profiled (the fits to data):
//
//   −2 ln λ = Σ_i 2[μ_i − n_i + n_i ln(n_i/μ_i)] + Σ_k (θ_k/σ_k)²,   μ_i = Σ_k (1 + θ_k) T_k,i,
//
// the Baker–Cousins likelihood-ratio χ² (S. Baker and R. D. Cousins, Nucl. Instrum. Meth. 221
// (1984) 437): −2 ln of the Poisson likelihood over the saturated one, so it is ≥ 0, tends to
// Pearson's χ² at high counts, and its minimum is a goodness-of-fit statistic. It is not quadratic
// in the pulls θ, so they are profiled numerically by a damped Newton iteration: −2 ln λ is convex
// in θ (μ is linear in θ and the Poisson term convex in μ), so Newton steps with a backtracking
// line search converge to the one minimum.
//
// Written once for both backends (every grid point of a fit) and the host
// (host/stats/likelihood.hpp wraps it for vectors): fixed-size arrays, no allocation. The templates
// T_k,i are read through a small view class, so a grid point's signal template is evaluated bin by
// bin where it is needed.
#pragma once

#include <cmath>
#include <limits>
#include <type_traits>
#include <utility>

#include "kernels/hd.hpp"

namespace cevns {

inline constexpr int kMaxPulls = 12;  // signal + up to eleven background or nuisance templates

// 2[μ − n + n ln(n/μ)]; 2μ for n = 0; +∞ for μ ≤ 0 < n.
CEVNS_HD inline double baker_cousins_term(double mu, double n) {
  if (n <= 0.0) return 2.0 * mu;
  if (!(mu > 0.0)) return std::numeric_limits<double>::infinity();
  return 2.0 * (mu - n + n * std::log(n / mu));
}

struct PoissonProfile {
  double chi2;              // −2 ln λ at the minimum, pull terms included
  double theta[kMaxPulls];  // per template
  int iterations;
  bool converged;
};

namespace detail {

// The centre of pull k's constraint: θ_k − c_k enters the pull term. Views without centre()
// (the fits to data) have c = 0; the pseudo-experiments of SPEC §11 draw c (kernels/toys.hpp).
template <class T, class = void>
struct HasCentre : std::false_type {};
template <class T>
struct HasCentre<T, decltype(void(std::declval<const T&>().centre(0)))> : std::true_type {};

template <class Templates>
CEVNS_HD double pull_centre(const Templates& t, int k) {
  if constexpr (HasCentre<Templates>::value)
    return t.centre(k);
  else
    return 0.0;
}

// Solves A x = b for a small symmetric positive-definite A (Cholesky, row-major n × n); false when
// A is not positive definite. A and b are taken by value: the caller keeps its copies.
CEVNS_HD inline bool cholesky_solve(const double* a_in, const double* b_in, int n, double* x) {
  double a[kMaxPulls * kMaxPulls], b[kMaxPulls];
  for (int i = 0; i < n * n; ++i) a[i] = a_in[i];
  for (int i = 0; i < n; ++i) b[i] = b_in[i];
  for (int j = 0; j < n; ++j) {
    double d = a[j * n + j];
    for (int k = 0; k < j; ++k) d -= a[j * n + k] * a[j * n + k];
    if (!(d > 0.0)) return false;
    a[j * n + j] = std::sqrt(d);
    for (int i = j + 1; i < n; ++i) {
      double s = a[i * n + j];
      for (int k = 0; k < j; ++k) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / a[j * n + j];
    }
  }
  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < i; ++k) b[i] -= a[i * n + k] * b[k];
    b[i] /= a[i * n + i];
  }
  for (int i = n - 1; i >= 0; --i) {
    for (int k = i + 1; k < n; ++k) b[i] -= a[k * n + i] * b[k];
    b[i] /= a[i * n + i];
  }
  for (int i = 0; i < n; ++i) x[i] = b[i];
  return true;
}

// −2 ln λ at θ: the Poisson terms over the bins and the pull terms of finite, positive σ.
template <class Templates>
CEVNS_HD double poisson_objective(const Templates& t, const double* theta) {
  const int nk = t.n_templates();
  double value[kMaxPulls];
  double f = 0.0;
  for (int i = 0; i < t.n_bins(); ++i) {
    t.values(i, value);
    double mu = 0.0;
    for (int k = 0; k < nk; ++k) mu += (1.0 + theta[k]) * value[k];
    f += baker_cousins_term(mu, t.data(i));
  }
  for (int k = 0; k < nk; ++k) {
    const double s = t.sigma(k);
    const double d = theta[k] - pull_centre(t, k);
    if (s > 0.0 && std::isfinite(s)) f += d * d / (s * s);
  }
  return f;
}

}  // namespace detail

// Minimises −2 ln λ over the θ_k, starting from θ = 0 (or from `start`, when given and finite
// there: the pseudo-experiments start from a neighbouring point's minimum). Templates: a view with
//   int n_bins() const, int n_templates() const (≤ kMaxPulls), double data(int bin) const,
//   void values(int bin, double* t) const  (T_k,bin for every k), double sigma(int k) const
// where σ > 0 is a Gaussian pull of that width, σ = 0 fixes θ = 0 and σ = +∞ leaves θ free.
template <class Templates>
CEVNS_HD PoissonProfile profile_poisson(const Templates& t, const double* start_theta = nullptr) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  const int nk = t.n_templates(), nb = t.n_bins();
  PoissonProfile r;
  r.iterations = 0;
  r.converged = false;
  int free[kMaxPulls];  // the θ that move
  int n = 0;
  for (int k = 0; k < kMaxPulls; ++k) r.theta[k] = 0.0;
  for (int k = 0; k < nk; ++k)
    if (t.sigma(k) > 0.0) free[n++] = k;
  bool started = false;
  double fx = 0.0;
  if (start_theta != nullptr && n > 0) {
    double trial[kMaxPulls];
    for (int k = 0; k < kMaxPulls; ++k) trial[k] = 0.0;
    for (int a = 0; a < n; ++a) trial[free[a]] = start_theta[free[a]];
    fx = detail::poisson_objective(t, trial);
    started = std::isfinite(fx);
    if (started)
      for (int k = 0; k < kMaxPulls; ++k) r.theta[k] = trial[k];
  }
  if (!started) fx = detail::poisson_objective(t, r.theta);
  if (n == 0 || !std::isfinite(fx)) {
    r.chi2 = fx;
    r.converged = std::isfinite(fx);
    return r;
  }
  // A model far above the data (a light mediator at a large coupling predicts up to 1e16 times
  // the data) would need some log2(model/data) damped Newton steps from θ = 0, each with a long
  // line search. Above twice the data's total, start instead with the free templates scaled by
  // data/model; −2 ln λ being convex in θ, the minimum is the same. Within twice the data the
  // start stays θ = 0.
  if (!started) {
    double value0[kMaxPulls], total_mu = 0.0, total_n = 0.0;
    for (int i = 0; i < nb; ++i) {
      t.values(i, value0);
      for (int k = 0; k < nk; ++k) total_mu += value0[k];
      total_n += t.data(i);
    }
    if (total_n > 0.0 && total_mu > 2.0 * total_n) {
      double start[kMaxPulls];
      for (int k = 0; k < kMaxPulls; ++k) start[k] = 0.0;
      for (int a = 0; a < n; ++a) start[free[a]] = total_n / total_mu - 1.0;
      const double f_start = detail::poisson_objective(t, start);
      if (f_start < fx) {
        for (int k = 0; k < kMaxPulls; ++k) r.theta[k] = start[k];
        fx = f_start;
      }
    }
  }
  double g[kMaxPulls], h[kMaxPulls * kMaxPulls], step[kMaxPulls], neg_g[kMaxPulls];
  double value[kMaxPulls], trial[kMaxPulls];
  for (r.iterations = 0; r.iterations < 200; ++r.iterations) {
    for (int a = 0; a < n; ++a) g[a] = 0.0;
    for (int a = 0; a < n * n; ++a) h[a] = 0.0;
    for (int i = 0; i < nb; ++i) {
      t.values(i, value);
      double mu = 0.0;
      for (int k = 0; k < nk; ++k) mu += (1.0 + r.theta[k]) * value[k];
      const double n_i = t.data(i);
      const double ratio = n_i > 0.0 ? n_i / mu : 0.0;
      const double curv = n_i > 0.0 ? ratio / mu : 0.0;
      for (int a = 0; a < n; ++a) {
        const double ta = value[free[a]];
        if (ta == 0.0) continue;
        g[a] += 2.0 * ta * (1.0 - ratio);
        for (int b = 0; b <= a; ++b) h[a * n + b] += 2.0 * ta * value[free[b]] * curv;
      }
    }
    for (int a = 0; a < n; ++a) {
      for (int b = 0; b < a; ++b) h[b * n + a] = h[a * n + b];
      const double s = t.sigma(free[a]);
      if (std::isfinite(s)) {
        g[a] += 2.0 * (r.theta[free[a]] - detail::pull_centre(t, free[a])) / (s * s);
        h[a * n + a] += 2.0 / (s * s);
      }
    }
    // Levenberg damping only when the Hessian is singular (a free template over empty bins).
    for (int a = 0; a < n; ++a) neg_g[a] = -g[a];
    double lambda = 0.0;
    bool singular = false;
    while (!detail::cholesky_solve(h, neg_g, n, step)) {
      lambda = lambda == 0.0 ? 1e-10 : lambda * 10.0;
      for (int a = 0; a < n; ++a) h[a * n + a] += lambda * (1.0 + h[a * n + a]);
      if (lambda > 1e10) {
        singular = true;
        break;
      }
    }
    if (singular) {
      r.chi2 = fx;
      return r;
    }
    double slope = 0.0;
    for (int a = 0; a < n; ++a) slope += g[a] * step[a];
    // Newton decrement: the predicted decrease −g·δ/2 is far below any Δχ² of interest (and,
    // convergence being quadratic, one more step would cost nothing but rounding).
    if (-slope < 1e-13 * (1.0 + fx)) {
      r.converged = true;
      break;
    }
    double tstep = 1.0, ft = kInf;
    for (int k = 0; k < kMaxPulls; ++k) trial[k] = r.theta[k];
    for (int ls = 0; ls < 60; ++ls, tstep *= 0.5) {
      for (int a = 0; a < n; ++a) trial[free[a]] = r.theta[free[a]] + tstep * step[a];
      ft = detail::poisson_objective(t, trial);
      if (ft <= fx + 1e-4 * tstep * slope) break;  // Armijo; +∞ (μ ≤ 0 < n) never passes
    }
    if (!(ft < fx)) {
      r.converged = true;  // no further decrease at rounding level
      break;
    }
    for (int k = 0; k < kMaxPulls; ++k) r.theta[k] = trial[k];
    fx = ft;
  }
  r.chi2 = fx;
  return r;
}

}  // namespace cevns
