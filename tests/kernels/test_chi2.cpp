#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <utility>
#include <vector>

#include "kernels/chi2.hpp"
#include "tests/golden_section.hpp"

namespace cevns {
namespace {

struct Bin {
  double n_th, n_exp, n_bg;
};

// SPEC §7, Eq. 9 written out term by term in long double, at given pulls: the reference that the
// closed form is checked against. A zero σ fixes its pull at 0, so its penalty term is absent.
long double chi2_at_pulls(const std::vector<Bin>& bins, long double alpha, long double beta,
                          double sigma_alpha, double sigma_beta) {
  long double sum = 0.0L;
  for (const Bin& b : bins) {
    if (!(b.n_exp > 0.0)) continue;
    const long double residual = b.n_exp - (1.0L + alpha) * b.n_th - (1.0L + beta) * b.n_bg;
    sum += residual * residual / b.n_exp;
  }
  if (sigma_alpha > 0.0) sum += (alpha / sigma_alpha) * (alpha / sigma_alpha);
  if (sigma_beta > 0.0) sum += (beta / sigma_beta) * (beta / sigma_beta);
  return sum;
}

// (σ_α, σ_β) of SPEC §7's scenarios, plus the two one-pull cases.
const std::vector<std::pair<double, double>> kScenarioSigmas = {
    {0.0, 0.0}, {0.05, 0.1}, {0.15, 0.1}, {0.30, 0.1}, {0.15, 0.0}, {0.0, 0.1}};

struct BruteForce {
  long double chi2, alpha, beta;
};

// Numerical minimum over the free pulls: nested golden sections, β inside α.
BruteForce brute_force_minimum(const std::vector<Bin>& bins, double sigma_alpha,
                               double sigma_beta) {
  const long double range = 50.0L;  // far beyond any pull these inputs produce
  const auto best_beta = [&](long double alpha, long double* beta) {
    if (!(sigma_beta > 0.0)) {
      *beta = 0.0L;
      return chi2_at_pulls(bins, alpha, 0.0L, sigma_alpha, sigma_beta);
    }
    const auto at = [&](long double b) {
      return chi2_at_pulls(bins, alpha, b, sigma_alpha, sigma_beta);
    };
    *beta = testing::golden_section_argmin(at, -range, range);
    return at(*beta);
  };
  BruteForce out{0.0L, 0.0L, 0.0L};
  if (sigma_alpha > 0.0) {
    out.alpha = testing::golden_section_argmin(
        [&](long double a) {
          long double b;
          return best_beta(a, &b);
        },
        -range, range);
  }
  out.chi2 = best_beta(out.alpha, &out.beta);
  return out;
}

std::vector<Bin> random_bins(std::mt19937& rng) {
  std::uniform_int_distribution<int> n_bins(1, 8);
  std::uniform_real_distribution<double> n_sm(20.0, 3000.0), shift(-0.3, 0.3), bg(0.02, 0.3);
  std::vector<Bin> bins(n_bins(rng));
  for (Bin& b : bins) {
    const double sm = n_sm(rng);
    b.n_bg = bg(rng) * sm;
    b.n_exp = sm + b.n_bg;
    b.n_th = sm * (1.0 + shift(rng));
  }
  return bins;
}

void expect_closed_form_matches_brute_force(bool alpha_free, bool beta_free) {
  std::mt19937 rng(20240611);
  std::uniform_real_distribution<double> sigma(0.02, 0.5);
  for (int trial = 0; trial < 25; ++trial) {
    const std::vector<Bin> bins = random_bins(rng);
    const double sigma_alpha = alpha_free ? sigma(rng) : 0.0;
    const double sigma_beta = beta_free ? sigma(rng) : 0.0;
    Chi2Accumulator acc;
    for (const Bin& b : bins) acc.add(b.n_th, b.n_exp, b.n_bg);
    const BruteForce ref = brute_force_minimum(bins, sigma_alpha, sigma_beta);
    const double ref_chi2 = static_cast<double>(ref.chi2);

    EXPECT_NEAR(acc.minimum(sigma_alpha, sigma_beta), ref_chi2, 1e-9 * (1.0 + ref_chi2))
        << "trial " << trial << ", " << bins.size() << " bins";
    double alpha, beta;
    acc.pulls(sigma_alpha, sigma_beta, &alpha, &beta);
    EXPECT_NEAR(alpha, static_cast<double>(ref.alpha), 1e-7) << "trial " << trial;
    EXPECT_NEAR(beta, static_cast<double>(ref.beta), 1e-7) << "trial " << trial;
    if (!alpha_free) {
      EXPECT_EQ(alpha, 0.0);
    }
    if (!beta_free) {
      EXPECT_EQ(beta, 0.0);
    }
    // The reported pulls reproduce the reported minimum.
    EXPECT_NEAR(static_cast<double>(chi2_at_pulls(bins, alpha, beta, sigma_alpha, sigma_beta)),
                acc.minimum(sigma_alpha, sigma_beta), 1e-9 * (1.0 + ref_chi2));
  }
}

TEST(Chi2Accumulator, MinimumMatchesBruteForceWithBothPullsFree) {
  expect_closed_form_matches_brute_force(true, true);
}

TEST(Chi2Accumulator, MinimumMatchesBruteForceWithSignalPullFixedByZeroSigma) {
  expect_closed_form_matches_brute_force(false, true);
}

TEST(Chi2Accumulator, MinimumMatchesBruteForceWithBackgroundPullFixedByZeroSigma) {
  expect_closed_form_matches_brute_force(true, false);
}

TEST(Chi2Accumulator, MinimumMatchesBruteForceWithBothPullsFixed) {
  expect_closed_form_matches_brute_force(false, false);
}

TEST(Chi2Accumulator, IsZeroWhenPredictionEqualsTheTruth) {
  std::mt19937 rng(7);
  const std::vector<Bin> bins = random_bins(rng);
  Chi2Accumulator acc;
  // Asimov data: N_exp = N_th(SM) + N_bg, and the prediction is N_th(SM) itself.
  for (const Bin& b : bins) acc.add(b.n_exp - b.n_bg, b.n_exp, b.n_bg);
  for (const auto& [sa, sb] : kScenarioSigmas) {
    EXPECT_NEAR(acc.minimum(sa, sb), 0.0, 1e-12) << sa << " " << sb;
    double alpha, beta;
    acc.pulls(sa, sb, &alpha, &beta);
    EXPECT_NEAR(alpha, 0.0, 1e-12);
    EXPECT_NEAR(beta, 0.0, 1e-12);
  }
}

TEST(Chi2Accumulator, SkipsBinsWithZeroExpectedCounts) {
  std::mt19937 rng(11);
  const std::vector<Bin> bins = random_bins(rng);
  Chi2Accumulator with_empty, without;
  for (const Bin& b : bins) {
    with_empty.add(b.n_th, b.n_exp, b.n_bg);
    without.add(b.n_th, b.n_exp, b.n_bg);
  }
  with_empty.add(12.0, 0.0, 1.5);  // σ = √0: no information, must not divide by zero
  for (const auto& [sa, sb] : kScenarioSigmas) {
    EXPECT_EQ(with_empty.minimum(sa, sb), without.minimum(sa, sb));
    EXPECT_TRUE(std::isfinite(with_empty.minimum(sa, sb)));
  }
}

}  // namespace
}  // namespace cevns
