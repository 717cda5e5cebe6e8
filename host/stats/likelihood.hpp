// Poisson likelihood of binned counts with normalisation nuisances (the fits to COHERENT data),
// for templates held in vectors: the Baker–Cousins −2 ln λ and its profile over the
// normalisations, by the one implementation of kernels/poisson.hpp that the grids run too.
#pragma once

#include <limits>
#include <vector>

#include "kernels/poisson.hpp"

namespace cevns {

double baker_cousins(const std::vector<double>& mu, const std::vector<double>& n);

// Gaussian χ² Σ (n − μ)²/μ (Pearson), the high-count limit.
double pearson_chi2(const std::vector<double>& mu, const std::vector<double>& n);

// σ of a normalisation pull: > 0 a Gaussian pull of that width; 0 fixes θ = 0; kFreeNormalisation
// leaves θ free (no pull term).
inline constexpr double kFreeNormalisation = std::numeric_limits<double>::infinity();

struct ProfileResult {
  double chi2 = 0.0;          // −2 ln λ at the minimum, pull terms included
  std::vector<double> theta;  // per template
  int iterations = 0;
  bool converged = false;
};

// Minimises −2 ln λ over the θ_k of the templates `templates[k]` (each a vector of expected
// counts per bin, all of the length of `data`), from θ = 0; at most kMaxPulls templates.
ProfileResult profile_normalisations(const std::vector<double>& data,
                                     const std::vector<const std::vector<double>*>& templates,
                                     const std::vector<double>& sigmas);

// μ_i = Σ_k (1 + θ_k) T_k,i.
std::vector<double> expected_counts(const std::vector<const std::vector<double>*>& templates,
                                    const std::vector<double>& theta);

}  // namespace cevns
