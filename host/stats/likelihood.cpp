#include "host/stats/likelihood.hpp"

#include <cmath>
#include <stdexcept>

namespace cevns {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

struct Objective {
  const std::vector<double>& data;
  const std::vector<const std::vector<double>*>& templates;
  const std::vector<double>& sigmas;

  double operator()(const std::vector<double>& theta) const {
    double f = baker_cousins(expected_counts(templates, theta), data);
    for (std::size_t k = 0; k < theta.size(); ++k)
      if (sigmas[k] > 0.0 && std::isfinite(sigmas[k])) f += theta[k] * theta[k] / (sigmas[k] * sigmas[k]);
    return f;
  }
};

// Solves A x = b for a small symmetric positive-definite A (Cholesky); false when not positive
// definite.
bool cholesky_solve(std::vector<double> a, std::vector<double> b, int n, std::vector<double>* x) {
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
  *x = b;
  return true;
}

}  // namespace

double baker_cousins_term(double mu, double n) {
  if (n <= 0.0) return 2.0 * mu;
  if (!(mu > 0.0)) return kInf;
  return 2.0 * (mu - n + n * std::log(n / mu));
}

double baker_cousins(const std::vector<double>& mu, const std::vector<double>& n) {
  double s = 0.0;
  for (std::size_t i = 0; i < n.size(); ++i) s += baker_cousins_term(mu[i], n[i]);
  return s;
}

double pearson_chi2(const std::vector<double>& mu, const std::vector<double>& n) {
  double s = 0.0;
  for (std::size_t i = 0; i < n.size(); ++i) s += (n[i] - mu[i]) * (n[i] - mu[i]) / mu[i];
  return s;
}

std::vector<double> expected_counts(const std::vector<const std::vector<double>*>& templates,
                                    const std::vector<double>& theta) {
  std::vector<double> mu(templates.empty() ? 0 : templates[0]->size(), 0.0);
  for (std::size_t k = 0; k < templates.size(); ++k) {
    const double scale = 1.0 + (k < theta.size() ? theta[k] : 0.0);
    const std::vector<double>& t = *templates[k];
    for (std::size_t i = 0; i < mu.size(); ++i) mu[i] += scale * t[i];
  }
  return mu;
}

ProfileResult profile_normalisations(const std::vector<double>& data,
                                     const std::vector<const std::vector<double>*>& templates,
                                     const std::vector<double>& sigmas,
                                     const std::vector<double>& start) {
  const std::size_t nk = templates.size(), nb = data.size();
  if (sigmas.size() != nk) throw std::invalid_argument("profile_normalisations: one sigma per template");
  for (const auto* t : templates)
    if (t->size() != nb) throw std::invalid_argument("profile_normalisations: template length");
  ProfileResult r;
  r.theta = start.empty() ? std::vector<double>(nk, 0.0) : start;
  std::vector<int> free;  // the θ that move
  for (std::size_t k = 0; k < nk; ++k) {
    if (sigmas[k] > 0.0) free.push_back(static_cast<int>(k));
    else r.theta[k] = 0.0;
  }
  const Objective f{data, templates, sigmas};
  double fx = f(r.theta);
  const int n = static_cast<int>(free.size());
  if (n == 0 || !std::isfinite(fx)) {
    r.chi2 = fx;
    r.converged = std::isfinite(fx);
    return r;
  }
  std::vector<double> g(n), h(static_cast<std::size_t>(n) * n), step;
  for (r.iterations = 0; r.iterations < 200; ++r.iterations) {
    const std::vector<double> mu = expected_counts(templates, r.theta);
    std::fill(g.begin(), g.end(), 0.0);
    std::fill(h.begin(), h.end(), 0.0);
    for (std::size_t i = 0; i < nb; ++i) {
      const double ratio = data[i] > 0.0 ? data[i] / mu[i] : 0.0;
      const double curv = data[i] > 0.0 ? ratio / mu[i] : 0.0;
      for (int a = 0; a < n; ++a) {
        const double ta = (*templates[free[a]])[i];
        if (ta == 0.0) continue;
        g[a] += 2.0 * ta * (1.0 - ratio);
        for (int b = 0; b <= a; ++b) h[a * n + b] += 2.0 * ta * (*templates[free[b]])[i] * curv;
      }
    }
    for (int a = 0; a < n; ++a) {
      for (int b = 0; b < a; ++b) h[b * n + a] = h[a * n + b];
      const double s = sigmas[free[a]];
      if (std::isfinite(s)) {
        g[a] += 2.0 * r.theta[free[a]] / (s * s);
        h[a * n + a] += 2.0 / (s * s);
      }
    }
    // Levenberg damping only when the Hessian is singular (a free template over empty bins).
    std::vector<double> neg_g(n);
    for (int a = 0; a < n; ++a) neg_g[a] = -g[a];
    double lambda = 0.0;
    while (!cholesky_solve(h, neg_g, n, &step)) {
      lambda = lambda == 0.0 ? 1e-10 : lambda * 10.0;
      for (int a = 0; a < n; ++a) h[a * n + a] += lambda * (1.0 + h[a * n + a]);
      if (lambda > 1e10) {
        r.chi2 = fx;
        return r;
      }
    }
    double slope = 0.0;
    for (int a = 0; a < n; ++a) slope += g[a] * step[a];
    // Newton decrement: the predicted decrease −g·δ/2 is far below any Δχ² of interest (and,
    // convergence being quadratic, one more step would cost nothing but rounding).
    if (-slope < 1e-13 * (1.0 + fx)) {
      r.converged = true;
      break;
    }
    double t = 1.0;
    std::vector<double> trial(r.theta);
    double ft = kInf;
    for (int ls = 0; ls < 60; ++ls, t *= 0.5) {
      for (int a = 0; a < n; ++a) trial[free[a]] = r.theta[free[a]] + t * step[a];
      ft = f(trial);
      if (ft <= fx + 1e-4 * t * slope) break;  // Armijo; +∞ (a bin with μ ≤ 0 < n) never passes
    }
    if (!(ft < fx)) {
      r.converged = true;  // no further decrease at rounding level
      break;
    }
    r.theta = trial;
    fx = ft;
  }
  r.chi2 = fx;
  return r;
}

}  // namespace cevns
