// Poisson (Baker–Cousins) likelihood and the profiling of normalisation nuisances.
#include <gtest/gtest.h>

#include <cmath>

#include "host/stats/likelihood.hpp"

namespace cevns {
namespace {

TEST(BakerCousins, IsZeroWhenPredictionEqualsDataAndTwiceMuForEmptyBins) {
  EXPECT_EQ(baker_cousins_term(7.0, 7.0), 0.0);
  EXPECT_DOUBLE_EQ(baker_cousins_term(2.5, 0.0), 5.0);
  EXPECT_TRUE(std::isinf(baker_cousins_term(0.0, 3.0)));
}

TEST(BakerCousins, ApproachesTheGaussianChi2AtHighCounts) {
  // n = μ + z √μ: −2 ln λ → z² with corrections O(z³/√μ).
  for (double mu : {1e2, 1e4, 1e6, 1e8}) {
    const std::vector<double> m{mu, mu, mu},
        n{mu + std::sqrt(mu), mu - 2 * std::sqrt(mu), mu + 0.5 * std::sqrt(mu)};
    const double bc = baker_cousins(m, n), gauss = pearson_chi2(m, n);
    EXPECT_NEAR(gauss, 1 + 4 + 0.25, 1e-6);
    EXPECT_NEAR(bc / gauss, 1.0, 2.0 / std::sqrt(mu)) << "mu = " << mu;
  }
}

TEST(ProfileNormalisations, RecoversTheNormalisationsOfAsimovData) {
  const std::vector<double> a{10, 20, 30, 5, 1}, b{50, 40, 30, 20, 10}, c{1, 1, 1, 1, 1};
  const double ta = 0.3, tb = -0.2;
  std::vector<double> data(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) data[i] = (1 + ta) * a[i] + (1 + tb) * b[i] + c[i];
  const ProfileResult r =
      profile_normalisations(data, {&a, &b, &c}, {kFreeNormalisation, kFreeNormalisation, 0.0});
  ASSERT_TRUE(r.converged);
  EXPECT_NEAR(r.theta[0], ta, 1e-7);
  EXPECT_NEAR(r.theta[1], tb, 1e-7);
  EXPECT_EQ(r.theta[2], 0.0);
  EXPECT_NEAR(r.chi2, 0.0, 1e-10);
}

TEST(ProfileNormalisations, OneFreeTemplateScalesToTheTotalCount) {
  // ∂/∂θ Σ 2[(1+θ)T − n + …] = 0 ⇒ (1 + θ) ΣT = Σn.
  const std::vector<double> t{3, 5, 2}, n{4, 9, 1};
  const ProfileResult r = profile_normalisations(n, {&t}, {kFreeNormalisation});
  EXPECT_NEAR(1 + r.theta[0], 14.0 / 10.0, 1e-8);
}

TEST(ProfileNormalisations, PullTermBalancesTheDataAgainstTheConstraint) {
  // One bin, one template T = 100 with σ = 0.1, data 120: minimise 2[μ − n + n ln(n/μ)] + (θ/σ)².
  const std::vector<double> t{100}, n{120};
  const ProfileResult r = profile_normalisations(n, {&t}, {0.1});
  const double theta = r.theta[0];
  // Stationarity: 2·100·(1 − 120/μ) + 2θ/σ² = 0.
  EXPECT_NEAR(200.0 * (1 - 120.0 / (100 * (1 + theta))) + 2 * theta / 0.01, 0.0, 1e-6);
  EXPECT_GT(theta, 0.0);
  EXPECT_LT(theta, 0.2);
}

}  // namespace
}  // namespace cevns
