#include "host/stats/likelihood.hpp"

#include <cmath>
#include <stdexcept>

namespace cevns {

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

namespace {

// Templates held as vectors, for kernels/poisson.hpp.
struct VectorTemplates {
  const std::vector<double>& counts;
  const std::vector<const std::vector<double>*>& templates;
  const std::vector<double>& sigmas;
  int n_bins() const { return static_cast<int>(counts.size()); }
  int n_templates() const { return static_cast<int>(templates.size()); }
  double data(int i) const { return counts[i]; }
  double sigma(int k) const { return sigmas[k]; }
  void values(int i, double* t) const {
    for (std::size_t k = 0; k < templates.size(); ++k) t[k] = (*templates[k])[i];
  }
};

}  // namespace

ProfileResult profile_normalisations(const std::vector<double>& data,
                                     const std::vector<const std::vector<double>*>& templates,
                                     const std::vector<double>& sigmas) {
  const std::size_t nk = templates.size(), nb = data.size();
  if (sigmas.size() != nk)
    throw std::invalid_argument("profile_normalisations: one sigma per template");
  if (nk > static_cast<std::size_t>(kMaxPulls))
    throw std::invalid_argument("profile_normalisations: more than kMaxPulls templates");
  for (const auto* t : templates)
    if (t->size() != nb) throw std::invalid_argument("profile_normalisations: template length");
  const PoissonProfile p = profile_poisson(VectorTemplates{data, templates, sigmas});
  ProfileResult r;
  r.chi2 = p.chi2;
  r.theta.assign(p.theta, p.theta + nk);
  r.iterations = p.iterations;
  r.converged = p.converged;
  return r;
}

}  // namespace cevns
