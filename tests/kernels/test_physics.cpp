#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "host/engine/quadrature.hpp"
#include "kernels/couplings.hpp"
#include "kernels/cross_section.hpp"
#include "kernels/flux.hpp"
#include "kernels/oscillation.hpp"

namespace cevns {
namespace {

double integrate(double (*f)(double), double a, double b, int n = 64) {
  const GaussLegendre gl = gauss_legendre(n);
  double s = 0.0;
  for (int k = 0; k < n; ++k) s += gl.weights[k] * f(0.5 * (a + b) + 0.5 * (b - a) * gl.nodes[k]);
  return 0.5 * (b - a) * s;
}

TEST(Flux, PromptLineFromPionKinematics) {
  EXPECT_NEAR(constants::prompt_energy_MeV, 29.792, 1e-3);
  EXPECT_NEAR(constants::delayed_endpoint_MeV, 52.829, 1e-3);
}

TEST(Flux, DelayedSpectraAreNormalisedToOne) {
  const double end = constants::delayed_endpoint_MeV;
  EXPECT_NEAR(integrate(numubar_spectrum_per_MeV, 0.0, end), 1.0, 1e-13);
  EXPECT_NEAR(integrate(nue_spectrum_per_MeV, 0.0, end), 1.0, 1e-13);
}

TEST(Flux, DelayedSpectraEndAtHalfTheMuonMass) {
  const double end = constants::delayed_endpoint_MeV;
  EXPECT_NEAR(nue_spectrum_per_MeV(end), 0.0, 1e-15);  // ν_e vanishes at the end point
  // 64 E²/m³ (3/4 − E/m) at E = m/2 is 4/m.
  EXPECT_NEAR(numubar_spectrum_per_MeV(end), 4.0 / constants::muon_mass_MeV, 1e-14);
  EXPECT_EQ(nue_spectrum_per_MeV(end + 1e-9), 0.0);
  EXPECT_EQ(numubar_spectrum_per_MeV(end + 1e-9), 0.0);
  EXPECT_EQ(numubar_spectrum_per_MeV(-1.0), 0.0);
}

TEST(Flux, NormalisationFallsAsInverseSquareOfBaseline) {
  const double eta = flux_normalisation_per_cm2(0.08, 1.76e23, 19.3);
  EXPECT_NEAR(eta, 0.08 * 1.76e23 / (4.0 * constants::pi * 1930.0 * 1930.0), 1e-6 * eta);
  EXPECT_NEAR(flux_normalisation_per_cm2(0.08, 1.76e23, 38.6), eta / 4.0, 1e-9 * eta);
}

TEST(Kinematics, MaxRecoilAndMinEnergyAreInverses) {
  for (double mass : {37211.0, 67000.0, 123800.0}) {
    for (double e : {5.0, 29.79, 52.8}) {
      const double t = max_recoil_MeV(e, mass);
      EXPECT_NEAR(min_energy_MeV(t, mass), e, 1e-12 * e);
    }
    for (double t : {1e-3, 5e-3, 3e-2})
      EXPECT_NEAR(max_recoil_MeV(min_energy_MeV(t, mass), mass), t, 1e-12 * t);
  }
}

// T_max = 2E²/(M + 2E), not its heavy-nucleus limit 2E²/M: the two differ by the factor
// 1 + 2E/M, here 1/30 and 6e-6, each far beyond the tolerances (1e-15 and 1e-13 relative).
TEST(Kinematics, MaxRecoilIsTwoESquaredOverMPlusTwoE) {
  // E = 50 MeV on M = 3000 MeV: 2·2500/(3000 + 100) = 50/31 MeV (2E²/M would give 5/3 MeV).
  EXPECT_NEAR(max_recoil_MeV(50.0, 3000.0), 50.0 / 31.0, 1e-15 * 50.0 / 31.0);
  // E = 30 MeV on M = 1e7 MeV: 1800/(1e7 + 60) MeV; 2E²/M = 1.8e-4 MeV is 6e-6 above it.
  EXPECT_NEAR(max_recoil_MeV(30.0, 1e7) / (1800.0 / (1e7 + 60.0)), 1.0, 1e-13);
}

TEST(CrossSection, MatchesClosedFormWithUnitFormFactors) {
  // SPEC §4: G_F² M Q_W² (1 − MT/2E²)/(4π), Q_W = N − (1 − 4 sin²θ_W) Z; in cm² via (ħc)².
  const double z = 55, n = 78, mass = 123800.0, s2w = 0.23865;
  const double e = 30.0, t = 0.01;
  const double qw = n - (1.0 - 4.0 * s2w) * z;
  const double gf = 1.1663787e-11, hc_cm = 197.3269804e-13;
  const double expected = gf * gf * mass * qw * qw * (1.0 - mass * t / (2.0 * e * e)) /
                          (4.0 * constants::pi) * hc_cm * hc_cm;
  PhysicsModel c{};
  c.value[kSin2ThetaW] = s2w;
  const NucleonCharges q = nucleon_charges(c, kMu);
  const double got = cevns_cross_section_cm2_per_MeV(e, t, mass, z, n, q.proton[kMu],
                                                     q.neutron[kMu], 1.0, 1.0, false);
  EXPECT_NEAR(got / expected, 1.0, 1e-13);
  // ~1e-36 cm²/MeV for Cs at 30 MeV and 10 keV: σ ≈ 2e-38 cm² over a ~40 keV recoil range.
  EXPECT_GT(expected, 1e-37);
  EXPECT_LT(expected, 1e-35);
}

TEST(CrossSection, KinematicCorrectionIsOnePlusMTOverMnE) {
  const double e = 40.0, t = 0.02, mass = 67000.0;
  EXPECT_NEAR(kinematic_factor(e, t, mass, true) / kinematic_factor(e, t, mass, false),
              1.0 + mass * t / (constants::nucleon_mass_MeV * e), 1e-14);
}

TEST(CrossSection, VanishesBeyondMaxRecoil) {
  const double mass = 67000.0, e = 30.0;
  EXPECT_EQ(kinematic_factor(e, max_recoil_MeV(e, mass) * 1.0001, mass, false), 0.0);
  EXPECT_GT(kinematic_factor(e, max_recoil_MeV(e, mass) * 0.9999, mass, false), 0.0);
}

// kernels/couplings.hpp: the radiatively corrected couplings of dukecevns (xscns.cc at
// 0f70bbd6: g_V^p = 0.0227, g_V^n = −0.5117, charge-radius corrections ν_e +0.0212196,
// ν_μ +0.0122716, ν_τ +0.00766972). The weak charges Z g_V^p + N g_V^n of ¹³³Cs, by hand.
TEST(RadiativeCouplings, WeakChargeOfCaesiumFromTheCitedCouplingsByHand) {
  PhysicsModel m{};
  m.value[kSin2ThetaW] = 0.23865;
  m.couplings = kRadiativeCouplings;
  const double z = 55, n = 78;
  const auto weak_charge = [&](int alpha) {
    const NucleonCharges q = nucleon_charges(m, alpha);
    return z * q.proton[alpha] + n * q.neutron[alpha];
  };
  EXPECT_NEAR(weak_charge(kE), 55 * (0.0227 + 0.0212196) + 78 * (-0.5117), 1e-12);   // −37.4970
  EXPECT_NEAR(weak_charge(kMu), 55 * (0.0227 + 0.0122716) + 78 * (-0.5117), 1e-12);  // −37.9892
  EXPECT_NEAR(weak_charge(kTau), 55 * (0.0227 + 0.00766972) + 78 * (-0.5117), 1e-12);
  EXPECT_NEAR(weak_charge(kMu), -37.989162, 1e-9);
  // Tree level at the same sin²θ_W: −(N − (1 − 4 sin²θ_W) Z)/2 = 55 × 0.0227 − 39.
  m.couplings = kTreeCouplings;
  EXPECT_NEAR(weak_charge(kE), 55 * 0.0227 - 39.0, 1e-12);
  EXPECT_NEAR(weak_charge(kMu), weak_charge(kE), 1e-15);
}

TEST(RadiativeCouplings, FollowSin2ThetaWAtTreeLevelAndAddToNsi) {
  PhysicsModel m{};
  m.couplings = kRadiativeCouplings;
  m.value[kSin2ThetaW] = 0.20;
  m.value[epsilon_index(kUp, kE, kE)] = 0.1;
  const NucleonCharges q = nucleon_charges(m, kE);
  EXPECT_NEAR(q.proton[kE], 0.5 - 2 * 0.20 + 0.0212196 + 2 * 0.1, 1e-15);
  EXPECT_NEAR(q.neutron[kE], -0.5117 + 0.1, 1e-15);
  EXPECT_DOUBLE_EQ(q.proton[kMu], 0.0);  // no flavour-changing charge appears
}

TEST(NsiCharges, ReduceToStandardModelWithoutCouplings) {
  PhysicsModel c{};
  c.value[kSin2ThetaW] = 0.25;  // g_V^p = 0 exactly
  const NucleonCharges q = nucleon_charges(c, kE);
  EXPECT_DOUBLE_EQ(q.proton[kE], 0.0);
  EXPECT_DOUBLE_EQ(q.neutron[kE], -0.5);
  EXPECT_DOUBLE_EQ(q.proton[kMu], 0.0);
  EXPECT_DOUBLE_EQ(q.neutron[kTau], 0.0);
}

TEST(NsiCharges, FollowEquationTenForEveryCoupling) {
  PhysicsModel c{};
  c.value[kSin2ThetaW] = 0.23865;
  c.value[epsilon_index(kUp, kE, kE)] = 0.3;
  c.value[epsilon_index(kDown, kE, kE)] = -0.1;
  c.value[epsilon_index(kUp, kTau, kE)] = c.value[epsilon_index(kUp, kE, kTau)] = 0.2;
  c.value[epsilon_index(kDown, kMu, kE)] = c.value[epsilon_index(kDown, kE, kMu)] = 0.05;
  const NucleonCharges q = nucleon_charges(c, kE);
  const double gp = 0.5 - 2 * 0.23865;
  EXPECT_DOUBLE_EQ(q.proton[kE], gp + 2 * 0.3 - 0.1);
  EXPECT_DOUBLE_EQ(q.neutron[kE], -0.5 + 0.3 - 2 * 0.1);
  EXPECT_DOUBLE_EQ(q.proton[kTau], 2 * 0.2);
  EXPECT_DOUBLE_EQ(q.neutron[kTau], 0.2);  // the last N term carries F_N (SPEC's typo note)
  EXPECT_DOUBLE_EQ(q.proton[kMu], 0.05);
  EXPECT_DOUBLE_EQ(q.neutron[kMu], 2 * 0.05);
  // ν_μ sees only the flavour-changing ε_eμ beside its SM charge.
  const NucleonCharges qm = nucleon_charges(c, kMu);
  EXPECT_DOUBLE_EQ(qm.proton[kE], 0.05);
  EXPECT_DOUBLE_EQ(qm.proton[kMu], gp);
}

TEST(NsiCharges, MomentsReproduceTheFullSquare) {
  PhysicsModel c{};
  c.value[kSin2ThetaW] = 0.23;
  c.value[epsilon_index(kUp, kE, kE)] = 0.4;
  c.value[epsilon_index(kUp, kTau, kE)] = c.value[epsilon_index(kUp, kE, kTau)] = -0.3;
  const NucleonCharges q = nucleon_charges(c, kE);
  const double z = 32, n = 40, fz = 0.93, fn = 0.91;
  const Moments m{z * z * fz * fz, z * n * fz * fn, n * n * fn * fn, 0.0};
  double direct = 0.0;
  for (int b = 0; b < 3; ++b) direct += std::pow(z * q.proton[b] * fz + n * q.neutron[b] * fn, 2);
  EXPECT_NEAR(charge_weighted(q, m), direct, 1e-12 * direct);
}

PhysicsModel sterile_model(int channel, double sin2_2theta, double dm2_eV2) {
  PhysicsModel m{};
  m.sterile_channel = channel;
  m.value[kSin22Theta] = sin2_2theta;
  m.value[kDm2] = dm2_eV2;
  return m;
}

TEST(Sterile, SurvivalProbabilityFollowsTwoFlavourFormula) {
  const PhysicsModel nue = sterile_model(kNuEDisappearance, 0.1, 1.0);
  const double l = 20.0, e = 30.0;
  EXPECT_NEAR(survival_probability(nue, kDelayedNuE, l, 0.0, e),
              1.0 - 0.1 * std::pow(std::sin(1.27 * 1.0 * l / e), 2), 1e-15);
  EXPECT_EQ(survival_probability(nue, kPromptNuMu, l, 0.0, e), 1.0);
  EXPECT_EQ(survival_probability(nue, kDelayedNuMuBar, l, 0.0, e), 1.0);
  const PhysicsModel numu = sterile_model(kNuMuDisappearance, 0.2, 3.0);
  EXPECT_LT(survival_probability(numu, kPromptNuMu, l, 0.0, e), 1.0);
  EXPECT_LT(survival_probability(numu, kDelayedNuMuBar, l, 0.0, e), 1.0);
  EXPECT_EQ(survival_probability(numu, kDelayedNuE, l, 0.0, e), 1.0);
  EXPECT_EQ(survival_probability(sterile_model(kNuEDisappearance, 0.0, 5.0), kDelayedNuE, l, 0.0, e),
            1.0);
}

// SPEC §12: the closed form of ⟨sin²(kL)⟩ over L uniform in [L₀ − a, L₀ + a] against the average
// taken numerically (composite Simpson in L with std::sin, fine enough for 150 rad of phase).
TEST(Sterile, BaselineAveragedOscillationEqualsTheNumericalAverage) {
  for (double phase : {0.3, 2.0, 17.0, 250.0})
    for (double spread : {1e-3, 0.01, 0.05, 0.3}) {
      const int n = 20000;  // even
      const double lo = 1.0 - spread, h = 2.0 * spread / n;
      double sum = 0.0;
      for (int i = 0; i <= n; ++i) {
        const double w = (i == 0 || i == n) ? 1.0 : (i % 2 ? 4.0 : 2.0);
        sum += w * std::pow(std::sin(phase * (lo + i * h)), 2);
      }
      const double numerical = sum * h / 3.0 / (2.0 * spread);
      EXPECT_NEAR(averaged_sin_squared(phase, spread), numerical, 1e-11)
          << "phase " << phase << " spread " << spread;
    }
  // No spread is the point-like factor bit for bit; a spread much wider than the oscillation
  // length averages to one half; a tiny spread is continuous with none.
  EXPECT_EQ(averaged_sin_squared(2.0, 0.0), sin_squared(2.0));
  EXPECT_NEAR(averaged_sin_squared(5000.0, 0.3), 0.5, 1e-3);
  EXPECT_NEAR(averaged_sin_squared(2.0, 1e-9), std::pow(std::sin(2.0), 2), 1e-15);
  // The survival probability uses it for the depleted fluxes only.
  const PhysicsModel nue = sterile_model(kNuEDisappearance, 0.1, 50.0);
  EXPECT_NEAR(survival_probability(nue, kDelayedNuE, 20.0, 2.0, 30.0),
              1.0 - 0.1 * averaged_sin_squared(1.27 * 50.0 * 20.0 / 30.0, 0.1), 1e-15);
  EXPECT_EQ(survival_probability(nue, kPromptNuMu, 20.0, 2.0, 30.0), 1.0);
}

TEST(Sterile, BranchFreeSinSquaredMatchesTheLibrary) {
  // Every phase a scan can meet (1.27 Δm² L/E up to ~1e4), and the quadrant boundaries.
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(-1e4, 1e4);
  double worst = 0.0;
  for (int i = 0; i < 200000; ++i) {
    const double x = i < 100000 ? u(rng) : (i - 150000) * (constants::pi / 4.0) * 1.0000001;
    const double s = std::sin(x);
    worst = std::max(worst, std::fabs(sin_squared(x) - s * s));
  }
  EXPECT_LT(worst, 2e-15);
  EXPECT_EQ(sin_squared(0.0), 0.0);
  EXPECT_NEAR(sin_squared(constants::pi / 2), 1.0, 1e-16);
}

TEST(GaussLegendre, IntegratesPolynomialsExactly) {
  for (int n : {1, 2, 5, 16, 33}) {
    const GaussLegendre gl = gauss_legendre(n);
    for (int k = 0; k <= 2 * n - 1; ++k) {
      double s = 0.0;
      for (int i = 0; i < n; ++i) s += gl.weights[i] * std::pow(gl.nodes[i], k);
      EXPECT_NEAR(s, k % 2 ? 0.0 : 2.0 / (k + 1), 1e-13) << "n=" << n << " k=" << k;
    }
  }
}

}  // namespace
}  // namespace cevns
