// Detector response (kernels/response.hpp) and the response matrix fold (host/response_matrix.*).
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "host/config/response_matrix.hpp"
#include "kernels/response.hpp"

namespace cevns {
namespace {

ResponseConfig simple_config(int resolution, double a) {
  ResponseConfig c;
  c.response = Response{Quenching{{0.1, 0.0, 0.0, 0.0}}, kObservedPE, 13.0, resolution, a};
  return c;
}

std::vector<double> edges(double lo, double hi, double step) {
  std::vector<double> e;
  for (double x = lo; x < hi + 1e-12; x += step) e.push_back(x);
  return e;
}

TEST(ResponseMatrix, PerfectResolutionUnitAcceptanceNoThresholdConservesCounts) {
  const ResponseConfig c = simple_config(kPerfectResolution, 0.0);
  // True 1–50 keVnr → 1.3–65 PE; observed bins 0–70 PE cover it all.
  const ResponseMatrix r =
      build_response_matrix(c, fine_true_edges_keV(1.0, 50.0, 0.25), edges(0, 70, 2));
  for (int b = 0; b < r.n_true(); ++b) {
    double row = 0.0;
    for (int j = 0; j < r.n_observed(); ++j) row += r.at(b, j);
    EXPECT_NEAR(row, 1.0, 1e-12) << "true bin " << b;
  }
  std::vector<double> counts(3 * r.n_true());
  for (std::size_t i = 0; i < counts.size(); ++i) counts[i] = 1.0 + std::sin(0.1 * i);
  const std::vector<double> folded = fold_counts(r, counts);
  EXPECT_NEAR(std::accumulate(folded.begin(), folded.end(), 0.0),
              std::accumulate(counts.begin(), counts.end(), 0.0), 1e-9);
}

TEST(ResponseMatrix, GammaSmearingConservesCountsOverTheWholeAxis) {
  const ResponseConfig c = simple_config(kGammaResolution, 9.56);
  const ResponseMatrix r =
      build_response_matrix(c, fine_true_edges_keV(2.0, 40.0, 0.5), {0, 10, 30, 1e4});
  for (int b = 0; b < r.n_true(); ++b)
    EXPECT_NEAR(r.at(b, 0) + r.at(b, 1) + r.at(b, 2), 1.0, 1e-10) << "true bin " << b;
}

TEST(ResponseMatrix, PerfectResolutionMapsATrueBinIntoTheObservedBinOfItsMeans) {
  ResponseConfig c = simple_config(kPerfectResolution, 0.0);
  c.response.light_yield_PE_per_keVee = 10.0;  // 1 PE per keVnr
  const ResponseMatrix r = build_response_matrix(c, {4.0, 5.0}, {0.0, 4.5, 10.0});
  EXPECT_NEAR(r.at(0, 0), 0.5, 1e-12);
  EXPECT_NEAR(r.at(0, 1), 0.5, 1e-12);
}

TEST(ResponseMatrix, FoldsMomentsLinearlySoChargesFactorOut) {
  const ResponseConfig c = simple_config(kGammaResolution, 9.56);
  const ResponseMatrix r =
      build_response_matrix(c, fine_true_edges_keV(2.0, 20.0, 1.0), edges(0, 40, 4));
  std::vector<Moments> m(3 * r.n_true());
  for (std::size_t i = 0; i < m.size(); ++i)
    m[i] = Moments{1.0 + i, 0.5 * i, 2.0 + std::cos(1.0 * i), 0.3 + 0.1 * i};
  PhysicsModel cp{};
  cp.value[kSin2ThetaW] = 0.23865;
  cp.value[epsilon_index(kUp, 0, 0)] = 0.3;
  cp.value[kMuNuE] = 5.0;  // the magnetic-moment moment folds like the others
  cp.value[kR2NuE] = 0.7;
  const NucleonCharges q = nucleon_charges(cp, 0);
  std::vector<double> counts(m.size());
  for (std::size_t i = 0; i < m.size(); ++i) counts[i] = charge_weighted(q, m[i]);
  const std::vector<Moments> fm = fold_moments(r, m);
  const std::vector<double> fc = fold_counts(r, counts);
  for (std::size_t i = 0; i < fc.size(); ++i)
    EXPECT_NEAR(charge_weighted(q, fm[i]), fc[i], 1e-9 * (1 + fc[i]));
}

TEST(Quenching, CsI2021PolynomialInMeVMatchesTheReleaseFormula) {
  // scintRespCoefficients.txt nominal: E_ee[MeVee] = a x + b x² + c x³ + d x⁴, x in MeVnr.
  const double a = 0.0554628, b = 4.30681, c = -111.707, d = 840.384;
  const Quenching q{{a, b * 1e-3, c * 1e-6, d * 1e-9}};
  const double x = 0.02;  // 20 keVnr
  EXPECT_NEAR(electron_equivalent_keV(q, 20.0),
              1e3 * (a * x + b * x * x + c * x * x * x + d * x * x * x * x), 1e-12);
}

TEST(Acceptance, CsI2017SigmoidHasTheHalfStepBetweenFiveAndSixPE) {
  const AcceptanceCurve f{kSigmoidStep2017, 0.6655, 0.4942, 10.8507, 0.0, 0, nullptr, nullptr};
  const auto sigmoid = [](double x) { return 0.6655 / (1.0 + std::exp(-0.4942 * (x - 10.8507))); };
  EXPECT_EQ(acceptance_value(f, 4.5), 0.0);
  EXPECT_DOUBLE_EQ(acceptance_value(f, 5.5), 0.5 * sigmoid(5.5));
  EXPECT_DOUBLE_EQ(acceptance_value(f, 6.5), sigmoid(6.5));
}

TEST(Acceptance, CsI2021SigmoidIsClippedAtZero) {
  const AcceptanceCurve f{kSigmoidOffset2021, 1.32045, 0.285979, 10.8646,
                          -0.333322,          0,       nullptr,  nullptr};
  EXPECT_EQ(acceptance_value(f, 2.0), 0.0);
  EXPECT_NEAR(acceptance_value(f, 30.0), 1.32045 / (1 + std::exp(-0.285979 * 19.1354)) - 0.333322,
              1e-15);
}

TEST(Acceptance, TableInterpolatesLinearlyAndIsFlatBeyondItsEnds) {
  const double x[] = {1.0, 3.0}, v[] = {0.2, 0.6};
  const AcceptanceCurve f{kTabulatedAcceptance, 0, 0, 0, 0, 2, x, v};
  EXPECT_DOUBLE_EQ(acceptance_value(f, 0.0), 0.2);
  EXPECT_DOUBLE_EQ(acceptance_value(f, 2.0), 0.4);
  EXPECT_DOUBLE_EQ(acceptance_value(f, 9.0), 0.6);
}

TEST(GammaFunction, RegularizedLowerGammaMatchesClosedForms) {
  EXPECT_NEAR(regularized_lower_gamma(1.0, 2.0), 1.0 - std::exp(-2.0), 1e-14);
  // P(3, x) = 1 − e^{−x}(1 + x + x²/2)
  for (double x : {0.5, 3.0, 12.0})
    EXPECT_NEAR(regularized_lower_gamma(3.0, x), 1.0 - std::exp(-x) * (1 + x + 0.5 * x * x), 1e-13);
}

TEST(ArrivalTime, PromptAndDelayedPdfsIntegrateToOneAndDelayedArrivesLater) {
  const BeamTiming b{0.44, 0.15, 0.026033, 2.1969811};
  EXPECT_NEAR(arrival_probability(b, false, -5.0, 50.0), 1.0, 1e-12);
  EXPECT_NEAR(arrival_probability(b, true, -5.0, 60.0), 1.0, 1e-10);
  EXPECT_GT(arrival_probability(b, false, 0.0, 1.0), 0.95);
  // Delayed: 1 − e^{−(t−…)/τ_μ}: about e^{−1} of it is left after mean + τ_μ.
  EXPECT_NEAR(1.0 - arrival_cdf(b, true, 0.44 + 0.026 + 2.197), std::exp(-1.0), 0.02);
  EXPECT_EQ(mean_time_efficiency(0.52, 0.0494, 0.0, 0.5), 1.0);
  EXPECT_NEAR(mean_time_efficiency(0.52, 0.0494, 1.52, 1.52 + 1e-6), std::exp(-0.0494), 1e-6);
}

}  // namespace
}  // namespace cevns
