// The counter-based variates of the Feldman–Cousins toys (kernels/random.hpp): uniforms, the
// arithmetic logarithm, the polar-method normal and the Poisson sampler by inversion from the mode.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <vector>

#include "host/engine/feldman_cousins.hpp"
#include "kernels/random.hpp"

namespace cevns {
namespace {

// P(X ≤ k) of a Poisson mean by summing the pmf upwards from 0 in log space (independent of the
// sampler's downward walk from the mode and of poisson_table's sum).
double poisson_cdf(double mean, double k) {
  double s = 0.0;
  for (double j = 0.0; j <= k; j += 1.0)
    s += std::exp(j * std::log(mean) - mean - std::lgamma(j + 1.0));
  return s;
}

TEST(PhiloxUniforms, AreInTheOpenUnitIntervalAndDependOnEveryKeyPart) {
  const UniformPair a = philox_uniforms(7, 3, 5, 11);
  EXPECT_GT(a.u, 0.0);
  EXPECT_LT(a.u, 1.0);
  EXPECT_NE(a.u, philox_uniforms(8, 3, 5, 11).u);
  EXPECT_NE(a.u, philox_uniforms(7, 4, 5, 11).u);
  EXPECT_NE(a.u, philox_uniforms(7, 3, 6, 11).u);
  EXPECT_NE(a.u, philox_uniforms(7, 3, 5, 12).u);
  EXPECT_NE(a.u, philox_uniforms(7, 3 + (std::uint64_t{1} << 32), 5, 11).u);  // 64-bit points
  EXPECT_EQ(a.u, philox_uniforms(7, 3, 5, 11).u);  // a pure function of its key
}

TEST(PhiloxUniforms, HaveTheMomentsOfTheUniformDistribution) {
  // Mean 1/2 and variance 1/12; with N = 2·10^5 draws the mean's standard error is 6.5e-4.
  const int n = 100000;
  double sum = 0.0, sum2 = 0.0;
  for (int i = 0; i < n; ++i) {
    const UniformPair p = philox_uniforms(1, static_cast<std::uint64_t>(i), 0, 0);
    sum += p.u + p.v;
    sum2 += p.u * p.u + p.v * p.v;
  }
  const double mean = sum / (2 * n), var = sum2 / (2 * n) - mean * mean;
  EXPECT_NEAR(mean, 0.5, 5 * 6.5e-4);
  EXPECT_NEAR(var, 1.0 / 12.0, 5 * 1.9e-4);  // standard error of the variance √(1/180/N)
}

TEST(ArithmeticLog, AgreesWithTheLibraryLogarithmToAFewUlp) {
  for (double x : {1e-300, 1e-17, 0.1, 0.5, 0.7071, 0.70711, 0.999999, 1.0, 1.000001, 2.0, 3.14159,
                   1e5, 1e300})
    EXPECT_NEAR(arithmetic_log(x), std::log(x), 4e-16 * std::max(1.0, std::fabs(std::log(x)))) << x;
  EXPECT_EQ(arithmetic_log(1.0), 0.0);
}

TEST(PhiloxNormal, HasZeroMeanUnitVarianceAndNormalTails) {
  // N = 10^5: standard errors 0.0032 (mean), 0.0045 (variance); P(|z| > 2) = 0.0455 ± 0.00066.
  const int n = 100000;
  double sum = 0.0, sum2 = 0.0;
  int beyond_two = 0;
  for (int i = 0; i < n; ++i) {
    const double z = philox_normal(3, static_cast<std::uint64_t>(i), 1, kGaussianStream);
    sum += z;
    sum2 += z * z;
    beyond_two += std::fabs(z) > 2.0;
  }
  EXPECT_NEAR(sum / n, 0.0, 5 * 0.0032);
  EXPECT_NEAR(sum2 / n, 1.0, 5 * 0.0045);
  EXPECT_NEAR(static_cast<double>(beyond_two) / n, 0.0455003, 5 * 0.00066);
}

TEST(PoissonTable, HoldsThePmfAndCdfAtTheMode) {
  for (double mean : {0.3, 1.0, 4.5, 37.2, 812.4}) {
    const PoissonTable t = poisson_table(mean);
    EXPECT_EQ(t.mode, std::floor(mean));
    EXPECT_NEAR(t.p_mode, poisson_cdf(mean, t.mode) - poisson_cdf(mean, t.mode - 1), 1e-12);
    EXPECT_NEAR(t.cdf_mode, poisson_cdf(mean, t.mode), 1e-12);
  }
}

TEST(PoissonInverse, ReturnsTheSmallestCountWhoseCdfReachesTheUniform) {
  // Inversion, checked against the independently summed cdf: F(k − 1) < u ≤ F(k).
  for (double mean : {0.3, 4.5, 37.2, 812.4}) {
    const PoissonTable t = poisson_table(mean);
    for (int i = 0; i < 400; ++i) {
      const double u = philox_uniforms(5, static_cast<std::uint64_t>(i), 0, 0).u;
      const double k = poisson_inverse(t, u);
      EXPECT_LE(u, poisson_cdf(mean, k) + 1e-12) << mean << " " << u;
      if (k > 0) {
        EXPECT_GT(u, poisson_cdf(mean, k - 1) - 1e-12) << mean << " " << u;
      }
    }
  }
  EXPECT_EQ(poisson_inverse(poisson_table(0.0), 0.7), 0.0);
}

TEST(PoissonInverse, SamplesFollowThePoissonDistribution) {
  // Pearson's χ² of 2·10^5 draws against the pmf, cells merged to ≥ 20 expected counts: for the
  // ν degrees of freedom the statistic has mean ν and σ √(2ν); the bound ν + 6√(2ν) fails a
  // correct sampler with probability < 1e-6.
  const int n = 200000;
  for (double mean : {0.3, 4.5, 37.2, 2500.7}) {
    const PoissonTable t = poisson_table(mean);
    std::map<long, long> seen;
    double sum = 0.0, sum2 = 0.0;
    for (int i = 0; i < n; ++i) {
      const double k =
          poisson_inverse(t, philox_uniforms(11, static_cast<std::uint64_t>(i), 2, 0).u);
      ++seen[static_cast<long>(k)];
      sum += k;
      sum2 += k * k;
    }
    const double m = sum / n, var = sum2 / n - m * m;
    EXPECT_NEAR(m, mean, 5 * std::sqrt(mean / n)) << mean;
    EXPECT_NEAR(var, mean, 5 * mean * std::sqrt(2.0 / n) + 5 * std::sqrt(mean / n)) << mean;
    double chi2 = 0.0, cell_expected = 0.0, cell_seen = 0.0, previous_cdf = 0.0;
    int cells = 0;
    const long k_max = static_cast<long>(mean + 10 * std::sqrt(mean) + 10);
    for (long k = 0; k <= k_max; ++k) {
      const double cdf = k == k_max ? 1.0 : poisson_cdf(mean, static_cast<double>(k));
      cell_expected += n * (cdf - previous_cdf);
      previous_cdf = cdf;
      cell_seen += seen.count(k) ? seen[k] : 0;
      if (cell_expected >= 20.0 && (1.0 - cdf) * n >= 20.0) {
        chi2 += (cell_seen - cell_expected) * (cell_seen - cell_expected) / cell_expected;
        ++cells;
        cell_expected = cell_seen = 0.0;
      }
    }
    for (const auto& [k, c] : seen)
      if (k > k_max) cell_seen += c;
    chi2 += (cell_seen - cell_expected) * (cell_seen - cell_expected) / cell_expected;
    ++cells;
    const double dof = cells - 1;
    EXPECT_LT(chi2, dof + 6 * std::sqrt(2 * dof)) << "mean " << mean << ", " << cells << " cells";
  }
}

}  // namespace
}  // namespace cevns
