#include <gtest/gtest.h>

#include <cmath>

#include "kernels/form_factors.hpp"

namespace cevns {
namespace {

// Independent evaluations, straight from SPEC §4's closed forms in long double.
long double helm_reference(long double q, long double rms, long double s) {
  const long double r0 = std::sqrt((5.0L / 3.0L) * (rms * rms - 3.0L * s * s));
  const long double x = q * r0;
  return 3.0L * (std::sin(x) - x * std::cos(x)) / (x * x * x) * std::exp(-q * q * s * s / 2.0L);
}

long double fermi_reference(long double q, long double rms, long double a) {
  const long double pi = 3.141592653589793238462643383279L;
  const long double c = std::sqrt((5.0L / 3.0L) * (rms * rms - (7.0L / 5.0L) * pi * pi * a * a));
  const long double qc = q * c, pqa = pi * q * a;
  return 3.0L / (qc * (qc * qc + pqa * pqa)) * (pqa / std::sinh(pqa)) *
         ((pqa / std::tanh(pqa)) * std::sin(qc) - qc * std::cos(qc));
}

long double klein_nystrand_reference(long double q, long double rms, long double ak) {
  const long double ra = std::sqrt((5.0L / 3.0L) * (rms * rms - 6.0L * ak * ak));
  const long double x = q * ra;
  return 3.0L * (std::sin(x) - x * std::cos(x)) / (x * x * x) / (1.0L + q * q * ak * ak);
}

FormFactor make(int model, double rms) {
  return make_form_factor(model, rms, default_shape_fm(model));
}

// dukecevns' nuclear radii (FormFactor.cc at 0f70bbd6): Helm with R₀ = 1.2 A^(1/3) fm, s = 0.9 fm.
// The rms radius of that distribution, and back to R₀ through SPEC §4's Helm relation.
TEST(HelmRadius, RmsOfOnePointTwoCubeRootAIsTheHandValueAndGivesBackR0) {
  const double r0_cs = 1.2 * std::cbrt(133.0);  // 6.12536 fm
  // (3/5) R₀² + 3 s² = 0.6 × 37.5201 + 2.43 = 24.9421 fm², by hand.
  EXPECT_NEAR(helm_rms_radius_fm(r0_cs, 0.9), 4.99420, 1e-5);
  EXPECT_NEAR(helm_rms_radius_fm(1.2 * std::cbrt(127.0), 0.9), 4.92542, 1e-5);
  EXPECT_NEAR(helm_rms_radius_fm(1.2 * std::cbrt(40.0), 0.9), 3.54054, 1e-5);
  const FormFactor ff = make_form_factor(kHelm, helm_rms_radius_fm(r0_cs, 0.9), 0.9);
  EXPECT_NEAR(ff.radius_fm, r0_cs, 1e-13);
}

TEST(FormFactor, GoesToOneAtZeroMomentum) {
  for (int model : {kHelm, kSymmetrizedFermi, kKleinNystrand}) {
    const FormFactor ff = make(model, 4.8);
    EXPECT_EQ(form_factor(ff, 0.0), 1.0) << "model " << model;
    EXPECT_NEAR(form_factor(ff, 1e-6), 1.0, 1e-10) << "model " << model;
  }
}

TEST(FormFactor, SlopeAtZeroGivesTheRmsRadius) {
  // F(q) = 1 − q² R²/6 + O(q⁴) for every model: the rms radius is what fixes each one.
  const double rms = 4.8, q = 1e-3;
  for (int model : {kHelm, kSymmetrizedFermi, kKleinNystrand}) {
    const double f = form_factor(make(model, rms), q);
    EXPECT_NEAR((1.0 - f) * 6.0 / (q * q), rms * rms, 1e-4) << "model " << model;
  }
}

TEST(FormFactor, MatchesIndependentClosedForms) {
  for (double q : {0.05, 0.2, 0.5, 0.8, 1.2}) {
    EXPECT_NEAR(form_factor(make(kHelm, 5.5), q), double(helm_reference(q, 5.5, 0.9)), 1e-12);
    EXPECT_NEAR(form_factor(make(kSymmetrizedFermi, 4.8041), q),
                double(fermi_reference(q, 4.8041, 0.52)), 1e-12);
    EXPECT_NEAR(form_factor(make(kKleinNystrand, 3.4274), q),
                double(klein_nystrand_reference(q, 3.4274, 0.7)), 1e-12);
  }
}

TEST(FormFactor, SmoothThroughSmallArgumentBranch) {
  // The series branches switch at x = 0.3 (Helm, Klein–Nystrand) and y = 0.1 (Fermi): values just
  // below and above must join like the function itself, to rounding.
  for (int model : {kHelm, kSymmetrizedFermi, kKleinNystrand}) {
    const FormFactor ff = make(model, 4.0);
    const double q_switch =
        model == kSymmetrizedFermi ? 0.1 / (constants::pi * ff.shape_fm) : 0.3 / ff.radius_fm;
    const double h = 1e-9;
    const double below = form_factor(ff, q_switch - h), above = form_factor(ff, q_switch + h);
    const double slope =
        (form_factor(ff, q_switch + 1e-5) - form_factor(ff, q_switch - 1e-5)) / 2e-5;
    EXPECT_NEAR(above - below, slope * 2 * h, 1e-14) << "model " << model;
  }
}

TEST(FormFactor, HelmAndFermiAgreeAtLowMomentumForTheSameRadius) {
  // Both are fixed by the same rms radius: at CEvNS momenta they differ at the per-mille level.
  for (double q : {0.1, 0.2, 0.3}) {
    EXPECT_NEAR(form_factor(make(kHelm, 4.8), q), form_factor(make(kSymmetrizedFermi, 4.8), q),
                5e-3);
  }
}

TEST(FormFactor, ModelRadiusFromRmsRadius) {
  EXPECT_NEAR(model_radius_squared_fm2(kHelm, 5.5, 0.9), 5.0 / 3.0 * (5.5 * 5.5 - 3 * 0.81), 1e-12);
  EXPECT_LT(model_radius_squared_fm2(kHelm, 1.5, 0.9), 0.0);           // below √3 s
  EXPECT_LT(model_radius_squared_fm2(kKleinNystrand, 1.7, 0.7), 0.0);  // below √6 a_k
}

}  // namespace
}  // namespace cevns
