// Poisson likelihood of binned counts with normalisation nuisances (the fits to COHERENT data):
//
//   −2 ln λ = Σ_i 2[μ_i − n_i + n_i ln(n_i/μ_i)] + Σ_k (θ_k/σ_k)²,   μ_i = Σ_k (1 + θ_k) T_k,i,
//
// the Baker–Cousins likelihood-ratio χ² (S. Baker and R. D. Cousins, Nucl. Instrum. Meth. 221
// (1984) 437): it is −2 ln of the Poisson likelihood over the saturated one, so it is ≥ 0, tends
// to Pearson's χ² at high counts, and its minimum is a goodness-of-fit statistic. Unlike the
// Gaussian χ² of SPEC §7 it is not quadratic in the pulls θ, so they are profiled numerically, by
// a damped Newton iteration: −2 ln λ is convex in θ (μ is linear in θ and the Poisson term is
// convex in μ), so Newton steps with a backtracking line search converge to the one minimum.
#pragma once

#include <limits>
#include <vector>

namespace cevns {

// 2[μ − n + n ln(n/μ)]; 2μ for n = 0; +∞ for μ ≤ 0 < n.
double baker_cousins_term(double mu, double n);
double baker_cousins(const std::vector<double>& mu, const std::vector<double>& n);

// Gaussian χ² Σ (n − μ)²/μ (Pearson), the high-count limit.
double pearson_chi2(const std::vector<double>& mu, const std::vector<double>& n);

// σ of a normalisation pull: > 0 a Gaussian pull of that width; 0 fixes θ = 0; kFreeNormalisation
// leaves θ free (no pull term).
inline constexpr double kFreeNormalisation = std::numeric_limits<double>::infinity();

struct ProfileResult {
  double chi2 = 0.0;           // −2 ln λ at the minimum, pull terms included
  std::vector<double> theta;   // per template
  int iterations = 0;
  bool converged = false;
};

// Minimises −2 ln λ over the θ_k of the templates `templates[k]` (each a vector of expected
// counts per bin, all of the length of `data`), from `start` (zeros when empty).
ProfileResult profile_normalisations(const std::vector<double>& data,
                                     const std::vector<const std::vector<double>*>& templates,
                                     const std::vector<double>& sigmas,
                                     const std::vector<double>& start = {});

// μ_i = Σ_k (1 + θ_k) T_k,i.
std::vector<double> expected_counts(const std::vector<const std::vector<double>*>& templates,
                                    const std::vector<double>& theta);

}  // namespace cevns
