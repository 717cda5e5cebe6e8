#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>
#include <vector>

#include "host/stats/intervals.hpp"

namespace cevns {
namespace {

constexpr double kDchi2OneParameter90 = 2.71;  // SPEC §7

std::vector<double> linear_grid(double lo, double hi, int n) {
  std::vector<double> x(n);
  for (int i = 0; i < n; ++i) x[i] = lo + (hi - lo) * i / (n - 1);
  return x;
}

std::vector<double> sample(const std::vector<double>& x, const std::function<double(double)>& f) {
  std::vector<double> out(x.size());
  std::transform(x.begin(), x.end(), out.begin(), f);
  return out;
}

TEST(AllowedIntervals, FindsBothRootsOfAParabolaTo1e9) {
  const double x0 = 0.2386, sigma = 0.004;
  const auto f = [&](double x) { return (x - x0) / sigma * ((x - x0) / sigma); };
  const std::vector<double> x = linear_grid(0.20, 0.28, 81);
  const auto iv = allowed_intervals(x, sample(x, f), 0.0, kDchi2OneParameter90, f);
  ASSERT_EQ(iv.size(), 1u);
  EXPECT_NEAR(iv[0].lo, x0 - std::sqrt(kDchi2OneParameter90) * sigma, 1e-9);
  EXPECT_NEAR(iv[0].hi, x0 + std::sqrt(kDchi2OneParameter90) * sigma, 1e-9);
  EXPECT_FALSE(iv[0].open_lo);
  EXPECT_FALSE(iv[0].open_hi);
}

TEST(AllowedIntervals, FindsTwoDisjointIntervalsOfADoubleWell) {
  // 10 (x² − 1)² <= t  ⇔  x² ∈ [1 − √(t/10), 1 + √(t/10)]: two intervals mirrored about 0, the
  // shape of the ε_ee^uV degeneracy.
  const auto f = [](double x) { return 10.0 * (x * x - 1.0) * (x * x - 1.0); };
  const std::vector<double> x = linear_grid(-2.0, 2.0, 401);
  const double t = kDchi2OneParameter90;
  const double inner = std::sqrt(1.0 - std::sqrt(t / 10.0)),
               outer = std::sqrt(1.0 + std::sqrt(t / 10.0));
  const auto iv = allowed_intervals(x, sample(x, f), 0.0, t, f);
  ASSERT_EQ(iv.size(), 2u);
  EXPECT_NEAR(iv[0].lo, -outer, 1e-9);
  EXPECT_NEAR(iv[0].hi, -inner, 1e-9);
  EXPECT_NEAR(iv[1].lo, inner, 1e-9);
  EXPECT_NEAR(iv[1].hi, outer, 1e-9);
  for (const Interval& i : iv) EXPECT_FALSE(i.open_lo || i.open_hi);
}

TEST(AllowedIntervals, MarksARegionCutByTheScanEdgeAsOpen) {
  const double x0 = 0.1, sigma = 0.2;
  const auto f = [&](double x) { return (x - x0) / sigma * ((x - x0) / sigma); };
  const std::vector<double> x = linear_grid(0.0, 1.0, 51);
  const auto iv = allowed_intervals(x, sample(x, f), 0.0, kDchi2OneParameter90, f);
  ASSERT_EQ(iv.size(), 1u);
  // The true lower root, x0 − 1.646 σ < 0, is off the grid: the bound is the edge, flagged.
  EXPECT_EQ(iv[0].lo, 0.0);
  EXPECT_TRUE(iv[0].open_lo);
  EXPECT_NEAR(iv[0].hi, x0 + std::sqrt(kDchi2OneParameter90) * sigma, 1e-9);
  EXPECT_FALSE(iv[0].open_hi);
}

TEST(AllowedIntervals, MarksAnIntervalSpanningTheWholeScanAsOpenAtBothEnds) {
  const auto f = [](double x) { return 0.1 * x * x; };
  const std::vector<double> x = linear_grid(-1.0, 2.0, 31);
  const auto iv = allowed_intervals(x, sample(x, f), 0.0, kDchi2OneParameter90, f);
  ASSERT_EQ(iv.size(), 1u);
  EXPECT_EQ(iv[0].lo, -1.0);
  EXPECT_EQ(iv[0].hi, 2.0);
  EXPECT_TRUE(iv[0].open_lo && iv[0].open_hi);
}

TEST(AllowedIntervals, MergesTwoWellsThatTouchAtTheThreshold) {
  // Each well alone allows [0, 2] and [2, 4]; they meet at x = 2, where f equals the threshold.
  const auto f = [](double x) { return std::min((x - 1.0) * (x - 1.0), (x - 3.0) * (x - 3.0)); };
  const std::vector<double> x = linear_grid(-1.0, 5.0, 61);
  const auto iv = allowed_intervals(x, sample(x, f), 0.0, 1.0, f);
  ASSERT_EQ(iv.size(), 1u);
  EXPECT_NEAR(iv[0].lo, 0.0, 1e-9);
  EXPECT_NEAR(iv[0].hi, 4.0, 1e-9);
}

TEST(AllowedIntervals, MergesRegionsSeparatedByLessThanTheRootTolerance) {
  // A parabola with a spike on the grid point x = 2 that pokes above the threshold only within
  // ±5e-13: two runs of allowed grid points, whose gap the root tolerance cannot resolve.
  const std::vector<double> x = linear_grid(0.0, 4.0, 41);
  const double centre = x[20], t = kDchi2OneParameter90, width = 1e-12;
  const auto f = [&](double v) {
    return (v - 2.0) * (v - 2.0) + std::max(0.0, 2.0 * t * (1.0 - std::fabs(v - centre) / width));
  };
  ASSERT_GT(f(centre), t);
  const auto iv = allowed_intervals(x, sample(x, f), 0.0, t, f);
  ASSERT_EQ(iv.size(), 1u);
  EXPECT_NEAR(iv[0].lo, 2.0 - std::sqrt(t), 1e-9);
  EXPECT_NEAR(iv[0].hi, 2.0 + std::sqrt(t), 1e-9);
}

TEST(AllowedIntervals, KeepsAGapWiderThanTheToleranceOpen) {
  // The same spike, wide enough (±5e-6) to be resolved: two intervals meeting the gap's edges.
  const std::vector<double> x = linear_grid(0.0, 4.0, 41);
  const double centre = x[20], t = kDchi2OneParameter90, width = 1e-5;
  const auto f = [&](double v) {
    return (v - 2.0) * (v - 2.0) + std::max(0.0, 2.0 * t * (1.0 - std::fabs(v - centre) / width));
  };
  const auto iv = allowed_intervals(x, sample(x, f), 0.0, t, f);
  ASSERT_EQ(iv.size(), 2u);
  EXPECT_LT(iv[0].hi, centre);
  EXPECT_GT(iv[1].lo, centre);
  EXPECT_NEAR(iv[1].lo - iv[0].hi, width, 1e-7);  // f − t changes sign at about ±width/2
}

TEST(AllowedIntervals, RejectsValuesOfAnotherLength) {
  const auto f = [](double v) { return v; };
  EXPECT_THROW(allowed_intervals({0.0, 1.0, 2.0}, {0.0, 1.0}, 0.0, 1.0, f), std::invalid_argument);
}

TEST(Minimise1d, FindsAnOffGridMinimumOfAParabolaTo1e9) {
  const double x0 = 0.238674321, sigma = 0.004;
  const auto f = [&](double x) { return (x - x0) / sigma * ((x - x0) / sigma); };
  const std::vector<double> x = linear_grid(0.20, 0.28, 81);  // spacing 1e-3
  const std::vector<double> fx = sample(x, f);
  const auto [x_min, f_min] = minimise_1d(x, fx, f);
  EXPECT_NEAR(x_min, x0, 1e-9);
  EXPECT_LT(f_min, 1e-10);
  EXPECT_LE(f_min, *std::min_element(fx.begin(), fx.end()));
}

TEST(Minimise1d, FindsTheMinimumOfAnAsymmetricCurveWithinThePrecisionOfItsValues) {
  // e^x − 2x: minimum at ln 2, value 2 − 2 ln 2 ≈ 0.61. Values near the minimum resolve x only to
  // about √(ε · f / f'') ≈ 1e-8.
  const auto f = [](double x) { return std::exp(x) - 2.0 * x; };
  const std::vector<double> x = linear_grid(-1.0, 2.0, 31);
  const auto [x_min, f_min] = minimise_1d(x, sample(x, f), f);
  EXPECT_NEAR(x_min, std::log(2.0), 5e-8);
  EXPECT_NEAR(f_min, 2.0 - 2.0 * std::log(2.0), 1e-15);
}

TEST(Minimise1d, RefinesAMinimumInsideTheEdgeCell) {
  const auto f = [](double x) { return (x - 0.003) * (x - 0.003); };
  const std::vector<double> x = linear_grid(0.0, 1.0, 101);  // grid minimum: x = 0
  const auto [x_min, f_min] = minimise_1d(x, sample(x, f), f);
  EXPECT_NEAR(x_min, 0.003, 1e-9);
  EXPECT_LT(f_min, 1e-18);
}

TEST(Minimise1d, StopsAtTheEdgeWhenTheMinimumLiesBeyondIt) {
  const auto f = [](double x) { return (x + 0.5) * (x + 0.5); };
  const std::vector<double> x = linear_grid(0.0, 1.0, 11);
  const auto [x_min, f_min] = minimise_1d(x, sample(x, f), f);
  EXPECT_EQ(x_min, 0.0);
  EXPECT_EQ(f_min, 0.25);
}

TEST(Minimise1d, NeverReturnsAPointWorseThanTheBestGridPoint) {
  const std::vector<double> x = linear_grid(-1.0, 1.0, 21);
  const std::vector<double> fx = sample(x, [](double v) { return (v - 0.04) * (v - 0.04); });
  // An evaluator that disagrees with the grid everywhere off it: higher, or no value at all.
  for (const std::function<double(double)>& eval :
       {std::function<double(double)>([](double v) { return 1.0 + v * v; }),
        std::function<double(double)>(
            [](double) { return std::numeric_limits<double>::quiet_NaN(); })}) {
    const auto [x_min, f_min] = minimise_1d(x, fx, eval);
    EXPECT_NEAR(x_min, 0.0, 1e-15);
    EXPECT_EQ(f_min, fx[10]);
  }
}

TEST(Minimise1d, SkipsNaNGridValues) {
  const std::vector<double> x = linear_grid(-1.0, 1.0, 21);
  const auto f = [](double v) { return (v - 0.513) * (v - 0.513); };
  std::vector<double> fx = sample(x, f);
  fx[0] = std::numeric_limits<double>::quiet_NaN();
  const auto [x_min, f_min] = minimise_1d(x, fx, f);
  EXPECT_NEAR(x_min, 0.513, 1e-9);
  EXPECT_LT(f_min, 1e-18);
}

TEST(SymmetrisedSensitivity, EqualsSqrtThresholdTimesSigmaOverTruthForAGaussianCurve) {
  // Δχ² = ((x − x0)/σ)²: the 90% interval is x0 ± √2.71 σ, so the sensitivity is
  // 100 √2.71 σ / x0 percent.
  const double x0 = 0.23867, sigma = 0.0025;
  const auto f = [&](double x) { return (x - x0) / sigma * ((x - x0) / sigma); };
  const std::vector<double> x = linear_grid(0.20, 0.28, 41);
  const std::vector<double> fx = sample(x, f);
  const double f_min = minimise_1d(x, fx, f).second;
  const auto iv = allowed_intervals(x, fx, f_min, kDchi2OneParameter90, f);
  ASSERT_EQ(iv.size(), 1u);
  const double expected = 100.0 * std::sqrt(kDchi2OneParameter90) * sigma / x0;
  EXPECT_NEAR(symmetrised_sensitivity_percent(iv[0], x0), expected, 1e-6 * expected);
}

TEST(SymmetrisedSensitivity, UsesTheMagnitudeOfANegativeTruth) {
  EXPECT_DOUBLE_EQ(symmetrised_sensitivity_percent({-0.6, -0.4, false, false}, -0.5), 20.0);
}

}  // namespace
}  // namespace cevns
