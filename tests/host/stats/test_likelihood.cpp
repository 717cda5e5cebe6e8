// Poisson (Baker–Cousins) likelihood and the profiling of normalisation nuisances.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

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

TEST(ProfileNormalisations, ModelFarAboveTheDataConvergesToTheStationaryPoint) {
  // A signal 1e12 times the data (a light mediator at a large coupling) with a free background
  // and a signal pull σ = 0.3: the minimum has θ_s ≈ −1. Stationarity in each θ_k:
  //   Σ_i 2 T_k,i (1 − n_i/μ_i) + 2 θ_k/σ_k² = 0,
  // checked relative to the size of either term, to the resolution of 1 + θ_s next to −1
  // (2.2e-16/|1 + θ_s| ≈ 1e-4 relative here), and few iterations are needed.
  const std::vector<double> s{4e12, 7e12, 1e12, 2e12}, b{3, 5, 2, 8}, n{9, 14, 4, 12};
  const ProfileResult r = profile_normalisations(n, {&s, &b}, {0.3, kFreeNormalisation});
  ASSERT_TRUE(r.converged);
  EXPECT_LT(r.iterations, 30);
  const std::vector<double> mu = expected_counts({&s, &b}, r.theta);
  double g_s = 0.0, g_b = 0.0, scale_s = 0.0;
  for (std::size_t i = 0; i < n.size(); ++i) {
    g_s += 2 * s[i] * (1 - n[i] / mu[i]);
    g_b += 2 * b[i] * (1 - n[i] / mu[i]);
    scale_s += 2 * s[i];
  }
  g_s += 2 * r.theta[0] / (0.3 * 0.3);
  const double resolution = 2.2e-16 / (1 + r.theta[0]);
  EXPECT_NEAR(g_s / scale_s, 0.0, 3 * resolution);
  EXPECT_NEAR(g_b / (2 * (3 + 5 + 2 + 8)), 0.0, 3 * resolution);
  EXPECT_GT(1 + r.theta[0], 0.0);
  EXPECT_LT(1 + r.theta[0], 1e-11);
  // The same −2 ln λ as a brute-force scan of the signal scale (background profiled in closed
  // form for each: one free template over all bins scales to the remaining total).
  double best = std::numeric_limits<double>::infinity();
  for (double lx = -14.0; lx <= -10.0; lx += 1e-4) {
    const double x = std::pow(10.0, lx);
    // The background scale y minimises Σ 2[x s + y b − n ln(x s + y b)]: one Newton solve.
    double y = 1.0;
    for (int it = 0; it < 60; ++it) {
      double g = 0, h = 0;
      for (std::size_t i = 0; i < n.size(); ++i) {
        const double m = x * s[i] + y * b[i];
        g += 2 * b[i] * (1 - n[i] / m);
        h += 2 * b[i] * b[i] * n[i] / (m * m);
      }
      y = std::max(y - g / h, 0.5 * y);
    }
    std::vector<double> m(n.size());
    for (std::size_t i = 0; i < n.size(); ++i) m[i] = x * s[i] + y * b[i];
    best = std::min(best, baker_cousins(m, n) + (x - 1) * (x - 1) / (0.3 * 0.3));
  }
  EXPECT_NEAR(r.chi2, best, 1e-6 * best);
}

}  // namespace
}  // namespace cevns
