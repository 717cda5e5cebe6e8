// Combinations of detectors with a shared signal pull (SPEC §12; kernels/combination.hpp): the
// closed-form minimum over (α, β_1 … β_D) against a brute-force minimisation that uses nothing
// but values of χ² written out term by term.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "kernels/chi2.hpp"
#include "kernels/combination.hpp"
#include "tests/golden_section.hpp"

namespace cevns {
namespace {

// One detector's bins and pull widths.
struct Detector {
  std::vector<double> n_th, n_exp, n_bg, weight;
  double sigma_beta;
};

// SPEC §7/§12 term by term in long double: Σ_d Σ_b w (N_exp − (1+α) N_th − (1+β_d) N_bg)² +
// (α/σ_α)² + Σ_d (β_d/σ_β)², a zero σ fixing its pull at 0.
long double detector_terms(const Detector& d, long double alpha, long double beta) {
  long double sum = 0.0L;
  for (std::size_t b = 0; b < d.n_th.size(); ++b) {
    const long double r = d.n_exp[b] - (1.0L + alpha) * d.n_th[b] - (1.0L + beta) * d.n_bg[b];
    sum += d.weight[b] * r * r;
  }
  if (d.sigma_beta > 0.0) sum += (beta / d.sigma_beta) * (beta / d.sigma_beta);
  return sum;
}

// Brute force: at each α every β_d is minimised by its own golden-section search (β_d enters
// only detector d's terms), and α by an outer one. The brackets hold the minimum: |α|, |β| ≤ 3.
long double brute_force_chi2(const std::vector<Detector>& ds, double sigma_alpha) {
  const auto profile = [&](long double alpha) {
    long double sum = 0.0L;
    for (const Detector& d : ds) {
      if (d.sigma_beta > 0.0) {
        const long double beta = testing::golden_section_argmin(
            [&](long double b) { return detector_terms(d, alpha, b); }, -3.0L, 3.0L);
        sum += detector_terms(d, alpha, beta);
      } else {
        sum += detector_terms(d, alpha, 0.0L);
      }
    }
    if (sigma_alpha > 0.0) sum += (alpha / sigma_alpha) * (alpha / sigma_alpha);
    return sum;
  };
  if (!(sigma_alpha > 0.0)) return profile(0.0L);
  return profile(testing::golden_section_argmin(profile, -3.0L, 3.0L));
}

// Random detectors: 1–6 bins of tens to thousands of events, predictions off the data by up to
// 30%, backgrounds of 5–30% of the data; σ_β per detector from the scenarios' 0 and 10%.
std::vector<Detector> random_detectors(std::mt19937_64& rng, int n, double sigma_beta) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<Detector> ds(n);
  for (Detector& d : ds) {
    const int bins = 1 + static_cast<int>(u(rng) * 6);
    for (int b = 0; b < bins; ++b) {
      const double data = 20.0 * std::pow(200.0, u(rng));
      d.n_exp.push_back(data);
      d.n_bg.push_back(data * (0.05 + 0.25 * u(rng)));
      d.n_th.push_back((data - d.n_bg.back()) * (0.7 + 0.6 * u(rng)));
      d.weight.push_back(1.0 / data);
    }
    d.sigma_beta = sigma_beta;
  }
  return ds;
}

std::vector<GaussianStats> gaussian_stats(const std::vector<Detector>& ds, double sigma_alpha) {
  const auto iv = [](double s) { return s > 0.0 ? 1.0 / (s * s) : -1.0; };
  std::vector<GaussianStats> out;
  for (const Detector& d : ds)
    out.push_back(GaussianStats{d.n_exp.data(), d.n_bg.data(), d.weight.data(),
                                static_cast<int>(d.n_exp.size()), iv(sigma_alpha), iv(d.sigma_beta),
                                sigma_alpha > 0.0 ? 1.0 : 0.0, d.sigma_beta > 0.0 ? 1.0 : 0.0});
  return out;
}

double closed_form(const std::vector<Detector>& ds, double sigma_alpha, bool residuals) {
  std::vector<TabulatedCounts> counts;
  for (const Detector& d : ds) counts.push_back(TabulatedCounts{d.n_th.data()});
  std::vector<TabulatedCounts::Point> points(ds.size());
  const std::vector<GaussianStats> stats = gaussian_stats(ds, sigma_alpha);
  return shared_signal_chi2(counts.data(), points.data(), stats.data(), static_cast<int>(ds.size()),
                            residuals);
}

// (σ_α, σ_β) of SPEC §7's scenarios and the two one-pull cases.
const double kSigmas[][2] = {{0.0, 0.0},  {0.05, 0.1}, {0.15, 0.1},
                             {0.30, 0.1}, {0.15, 0.0}, {0.0, 0.1}};

TEST(SharedSignalChi2, ClosedFormEqualsBruteForceMinimisationOverEveryPull) {
  std::mt19937_64 rng(20240615);
  int cases = 0;
  for (int repeat = 0; repeat < 8; ++repeat)
    for (int n = 1; n <= 5; ++n)
      for (const auto& sigma : kSigmas) {
        const std::vector<Detector> ds = random_detectors(rng, n, sigma[1]);
        const double expected = static_cast<double>(brute_force_chi2(ds, sigma[0]));
        for (bool residuals : {false, true}) {
          const double got = closed_form(ds, sigma[0], residuals);
          EXPECT_NEAR(got, expected, 1e-9 * (1.0 + expected))
              << n << " detectors, sigma_alpha " << sigma[0] << ", sigma_beta " << sigma[1]
              << (residuals ? ", sum of squares" : ", accumulator");
        }
        ++cases;
      }
  EXPECT_EQ(cases, 8 * 5 * 6);
}

TEST(SharedSignalChi2, OneDetectorEqualsTheTwoByTwoMinimum) {
  std::mt19937_64 rng(7);
  for (const auto& sigma : kSigmas)
    for (int repeat = 0; repeat < 20; ++repeat) {
      const std::vector<Detector> ds = random_detectors(rng, 1, sigma[1]);
      Chi2Accumulator acc;
      for (std::size_t b = 0; b < ds[0].n_th.size(); ++b)
        acc.add(ds[0].n_th[b], ds[0].n_exp[b], ds[0].n_bg[b]);
      const double single = acc.minimum(sigma[0], sigma[1]);
      EXPECT_NEAR(closed_form(ds, sigma[0], false), single, 1e-11 * (1.0 + single));
      EXPECT_NEAR(closed_form(ds, sigma[0], true), single, 1e-11 * (1.0 + single));
    }
}

TEST(SharedSignalChi2, PullsAtTheMinimumGiveTheMinimum) {
  // α and β_d of SharedSignalChi2, put into the written-out χ², give its closed-form minimum.
  std::mt19937_64 rng(11);
  for (int repeat = 0; repeat < 20; ++repeat) {
    const std::vector<Detector> ds = random_detectors(rng, 3, 0.1);
    const double sigma_alpha = 0.15;
    SharedSignalChi2 shared;
    std::vector<Chi2Accumulator> sums;
    for (const Detector& d : ds) {
      Chi2Accumulator acc;
      for (std::size_t b = 0; b < d.n_th.size(); ++b) acc.add(d.n_th[b], d.n_exp[b], d.n_bg[b]);
      sums.push_back(acc);
      shared.add_detector(acc, 1.0 / (0.1 * 0.1), 1.0);
    }
    const double alpha = shared.alpha(sigma_alpha);
    long double at_pulls = (alpha / sigma_alpha) * (alpha / sigma_alpha);
    for (std::size_t d = 0; d < ds.size(); ++d)
      at_pulls += detector_terms(ds[d], alpha, SharedSignalChi2::beta(sums[d], alpha, 0.1));
    const double minimum = shared.minimum_masked(1.0 / (sigma_alpha * sigma_alpha), 1.0);
    EXPECT_NEAR(static_cast<double>(at_pulls), minimum, 1e-9 * (1.0 + minimum));
  }
}

// Poisson (kernels/poisson.hpp): −2 ln λ over every detector's bins with one signal
// normalisation and a background normalisation per detector, against nested golden-section
// searches over (θ_s, θ_b,1 … θ_b,D) of the Baker–Cousins terms written out in long double.
TEST(SharedSignalPoisson, ProfileEqualsBruteForceMinimisationOverEveryNormalisation) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (int repeat = 0; repeat < 6; ++repeat)
    for (int n = 1; n <= 3; ++n) {
      struct Member {
        std::vector<double> signal, data, background, sigmas;
      };
      std::vector<Member> ms(n);
      const double sigma_signal = repeat % 2 ? 0.15 : 0.05;
      for (Member& m : ms) {
        const int bins = 1 + static_cast<int>(u(rng) * 4);
        for (int b = 0; b < bins; ++b) {
          const double data = std::floor(5.0 + 400.0 * u(rng));
          m.data.push_back(data);
          m.background.push_back(data * (0.05 + 0.3 * u(rng)));
          m.signal.push_back((data - m.background.back()) * (0.7 + 0.6 * u(rng)));
        }
        m.sigmas = {sigma_signal, 0.1};
      }
      std::vector<TabulatedCounts> counts;
      std::vector<PoissonStats> stats;
      for (const Member& m : ms) {
        counts.push_back(TabulatedCounts{m.signal.data()});
        stats.push_back(PoissonStats{m.data.data(), m.background.data(), 1, m.sigmas.data(),
                                     static_cast<int>(m.data.size())});
      }
      std::vector<TabulatedCounts::Point> points(n);
      const double got = shared_signal_chi2(counts.data(), points.data(), stats.data(), n, false);

      const auto member_terms = [&](const Member& m, long double ts, long double tb) {
        long double f = 0.0L;
        for (std::size_t b = 0; b < m.data.size(); ++b) {
          const long double mu = (1.0L + ts) * m.signal[b] + (1.0L + tb) * m.background[b];
          const long double k = m.data[b];
          f += 2.0L * (mu - k + k * std::log(k / mu));
        }
        return f + (tb / 0.1L) * (tb / 0.1L);
      };
      const auto profile = [&](long double ts) {
        long double f = (ts / sigma_signal) * (ts / sigma_signal);
        for (const Member& m : ms) {
          const long double tb = testing::golden_section_argmin(
              [&](long double t) { return member_terms(m, ts, t); }, -0.9L, 2.0L);
          f += member_terms(m, ts, tb);
        }
        return f;
      };
      const long double expected = profile(testing::golden_section_argmin(profile, -0.5L, 1.0L));
      EXPECT_NEAR(got, static_cast<double>(expected), 1e-8 * (1.0 + static_cast<double>(expected)))
          << n << " detectors";
    }
}

}  // namespace
}  // namespace cevns
