// Light mediators in the integrand (kernels/mediators.hpp, rate_problem.hpp): dσ/dT of each model
// at one point against the formulas of SPEC §10.1, §10.2 evaluated here from the constants; g = 0
// is the SM; the scalar only adds; L_μ−L_τ leaves ν_e alone; the per-entry polynomial moments
// reproduce the full integrand.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "kernels/constants.hpp"
#include "kernels/mediators.hpp"
#include "kernels/rate_problem.hpp"

namespace cevns {
namespace {

constexpr double kSin2 = 0.23865;

PhysicsModel model(int mediator, double g, double mass_MeV) {
  PhysicsModel m{};
  m.value[kSin2ThetaW] = kSin2;
  m.value[kMediatorCoupling] = g;
  m.value[kMediatorMass] = mass_MeV;
  m.sterile_channel = kNoSterile;
  m.mediator = mediator;
  return m;
}

// One entry of a point-like ¹³³Cs (F = 1) at E = 30 MeV over [T − h, T + h], integrated with one
// Gauss–Legendre node at its middle: entry_direct = 2h × dσ/dT(E, T) × weight × nuclei, so with
// weight 1/(2h) and one nucleus it is dσ/dT(E, T) in cm²/MeV.
struct PointProblem {
  std::vector<IsotopeTarget> isotopes;
  std::vector<QuadEntry> entries;
  std::vector<double> nodes{0.0}, weights{2.0};
  static constexpr double kZ = 55, kN = 78, kMass = 123800.0, kEnergy = 30.0, kRecoil = 0.01;
  static constexpr double kHalf = 1e-4;

  PointProblem() {
    isotopes.push_back(IsotopeTarget{kZ, kN, kMass, 1.0, FormFactor{kHelm, 0.0, 0.0},
                                     FormFactor{kHelm, 0.0, 0.0}});
    for (int flux : {kPromptNuMu, kDelayedNuMuBar, kDelayedNuE})
      entries.push_back(
          QuadEntry{0, flux, 0, kEnergy, 1.0 / (2.0 * kHalf), kRecoil - kHalf, kRecoil + kHalf});
  }
  RateView view() const {
    Baselines at_20m;  // one point-like source at 20 m
    at_20m.baseline_m[0] = 20.0;
    return RateView{isotopes.data(),
                    entries.data(),
                    static_cast<int>(entries.size()),
                    nodes.data(),
                    weights.data(),
                    1,
                    Acceptance{0, nullptr, nullptr},
                    at_20m,
                    0};
  }
  double dsigma(int flux, const PhysicsModel& m) const { return entry_direct(view(), flux, m); }
};

// SPEC §4 and §10 by hand, in cm²/MeV.
double hand_cross_section(int mediator, int flavour, double g, double mass_MeV) {
  using namespace constants;
  const double Z = PointProblem::kZ, N = PointProblem::kN, M = PointProblem::kMass;
  const double E = PointProblem::kEnergy, T = PointProblem::kRecoil;
  const double gf = fermi_constant_per_MeV2, hc2 = hbar_c_MeV_cm * hbar_c_MeV_cm;
  const double q2 = 2.0 * M * T;
  double charge = Z * (0.5 - 2.0 * kSin2) - 0.5 * N;
  const double prop = g * g / (std::sqrt(2.0) * gf * (q2 + mass_MeV * mass_MeV));
  if (mediator == kVectorUniversal) charge += 3.0 * prop * (Z + N);
  if (mediator == kVectorBMinusL) charge -= prop * (Z + N);
  if (mediator == kVectorLmuLtau && flavour == kMu)
    charge -= fine_structure / (3.0 * pi) *
              std::log(tau_mass_MeV * tau_mass_MeV / (muon_mass_MeV * muon_mass_MeV)) * prop * Z;
  double sigma = gf * gf * M / pi * (1.0 - M * T / (2.0 * E * E)) * charge * charge * hc2;
  if (mediator == kScalar) {
    const double q_phi = g * g * (15.1 * Z + 14.0 * N);
    sigma += hc2 * M * M * T * q_phi * q_phi /
             (4.0 * pi * E * E * (q2 + mass_MeV * mass_MeV) * (q2 + mass_MeV * mass_MeV));
  }
  return sigma;
}

TEST(Mediators, CrossSectionAtOnePointMatchesTheFormulaOfEachModel) {
  const PointProblem p;
  for (int mediator : {kVectorUniversal, kVectorBMinusL, kVectorLmuLtau, kScalar})
    for (double mass : {0.5, 30.0, 2000.0})
      for (int flux : {kPromptNuMu, kDelayedNuMuBar, kDelayedNuE}) {
        const double g = mediator == kScalar ? 3e-4 : 2e-4 * (1.0 + mass / 30.0);
        const double expected = hand_cross_section(mediator, flux_flavour(flux), g, mass);
        EXPECT_NEAR(p.dsigma(flux, model(mediator, g, mass)) / expected, 1.0, 1e-13)
            << "mediator " << mediator << " mass " << mass << " flux " << flux;
      }
}

TEST(Mediators, EachModelChangesTheRateAtTheseCouplings) {
  // The point test above is only meaningful if the mediator term is not negligible there.
  const PointProblem p;
  const double sm = hand_cross_section(kNoMediator, kMu, 0.0, 1.0);
  for (int mediator : {kVectorUniversal, kVectorBMinusL, kVectorLmuLtau, kScalar})
    EXPECT_GT(std::fabs(hand_cross_section(mediator, kMu, 3e-4, 30.0) / sm - 1.0), 1e-3)
        << mediator;
  EXPECT_GT(p.dsigma(kPromptNuMu, model(kNoMediator, 0, 0)), 0.0);
}

TEST(Mediators, ZeroCouplingIsTheStandardModelBitForBit) {
  const PointProblem p;
  for (int mediator : {kVectorUniversal, kVectorBMinusL, kVectorLmuLtau, kScalar})
    for (int flux : {kPromptNuMu, kDelayedNuMuBar, kDelayedNuE})
      EXPECT_EQ(p.dsigma(flux, model(mediator, 0.0, 0.01)),
                p.dsigma(flux, model(kNoMediator, 0.0, 0.0)));
}

TEST(Mediators, ScalarNeverLowersTheRate) {
  const PointProblem p;
  const double sm = p.dsigma(kDelayedNuE, model(kNoMediator, 0.0, 0.0));
  for (double mass : {1e-3, 1.0, 100.0, 1e5})
    for (double g : {1e-9, 1e-6, 1e-4, 1e-2, 1.0})
      for (int flux : {kPromptNuMu, kDelayedNuMuBar, kDelayedNuE})
        EXPECT_GE(p.dsigma(flux, model(kScalar, g, mass)), sm) << mass << " " << g;
}

TEST(Mediators, LmuLtauLeavesElectronNeutrinosAlone) {
  const PointProblem p;
  const double sm = p.dsigma(kDelayedNuE, model(kNoMediator, 0.0, 0.0));
  for (double g : {1e-5, 1e-3, 1.0}) {
    EXPECT_EQ(p.dsigma(kDelayedNuE, model(kVectorLmuLtau, g, 10.0)), sm);
    EXPECT_NE(p.dsigma(kPromptNuMu, model(kVectorLmuLtau, g, 10.0)), sm);
    EXPECT_NE(p.dsigma(kDelayedNuMuBar, model(kVectorLmuLtau, g, 10.0)), sm);
  }
}

TEST(Mediators, UniversalInterferesDestructivelyBMinusLConstructively) {
  // SPEC §10.1: the SM charge is negative, the universal term positive, the B−L term negative.
  const PointProblem p;
  // At g = 5e-5, m = 10 MeV the universal term is ~60% of the SM charge (below twice it, where
  // the charge would come back reversed).
  const double sm = p.dsigma(kPromptNuMu, model(kNoMediator, 0.0, 0.0));
  EXPECT_LT(p.dsigma(kPromptNuMu, model(kVectorUniversal, 5e-5, 10.0)), sm);
  EXPECT_GT(p.dsigma(kPromptNuMu, model(kVectorBMinusL, 5e-5, 10.0)), sm);
  EXPECT_GT(p.dsigma(kPromptNuMu, model(kVectorLmuLtau, 5e-5, 10.0)), sm);
}

TEST(Mediators, PolynomialMomentsReproduceTheIntegrandAtAnyCoupling) {
  // SPEC §10.5: rate(g) = rate(0) + g² B + g⁴ C per entry at a fixed mass.
  const PointProblem p;
  for (int mediator : {kVectorUniversal, kVectorBMinusL, kVectorLmuLtau, kScalar})
    for (double mass : {0.01, 50.0})
      for (int flux : {kPromptNuMu, kDelayedNuMuBar, kDelayedNuE}) {
        const MediatorMoments m =
            entry_mediator_moments(p.view(), flux, model(mediator, 0.0, mass), mass);
        const double a = p.dsigma(flux, model(mediator, 0.0, mass));
        for (double g : {1e-6, 1e-4, 1e-2}) {
          const double g2 = g * g;
          EXPECT_NEAR(
              (a + g2 * (m.quadratic + g2 * m.quartic)) / p.dsigma(flux, model(mediator, g, mass)),
              1.0, 1e-12)
              << mediator << " " << mass << " " << flux << " " << g;
        }
      }
}

}  // namespace
}  // namespace cevns
