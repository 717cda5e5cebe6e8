// Facts of the physics kernels that hold for every input in their range, checked on random
// inputs (rapidcheck): each property's name states the fact, its comment why it must hold.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <vector>

#include "kernels/chi2.hpp"
#include "kernels/cross_section.hpp"
#include "kernels/flux.hpp"
#include "kernels/form_factors.hpp"
#include "kernels/oscillation.hpp"
#include "tests/golden_section.hpp"
#include "tests/property/property_util.hpp"

namespace cevns {
namespace {

using property::log_uniform;
using property::uniform;

// A form factor of any model for an rms radius the config accepts (SPEC §4 shapes; nuclei from
// ⁴He to beyond ²⁰⁸Pb), built as the engine builds it from the rms radius.
struct RandomFormFactor {
  FormFactor ff;
  double rms_fm;
};
RandomFormFactor random_form_factor() {
  const int model = *rc::gen::element<int>(kHelm, kSymmetrizedFermi, kKleinNystrand);
  const double shape = default_shape_fm(model);
  // The smallest rms radius the model describes with this shape, with a margin.
  const double r_min = std::sqrt(-0.6 * model_radius_squared_fm2(model, 0.0, shape)) * 1.001;
  const double rms = uniform(std::max(r_min, 1.7), 6.0);
  return {make_form_factor(model, rms, shape), rms};
}

// The Fourier transform of a non-negative density normalised to one is at most 1 in modulus:
// |F(q)| ≤ F(0) = 1 for every model, radius and momentum (q up to 5 fm⁻¹, far beyond the
// ~0.6 fm⁻¹ a π-DAR neutrino can transfer).
RC_GTEST_PROP(FormFactorProperties, StaysWithinMinusOneAndOneForAnyMomentumAndRadius, ()) {
  property::count_case();
  const RandomFormFactor r = random_form_factor();
  const double q = uniform(0.0, 5.0);
  const double f = form_factor(r.ff, q);
  RC_LOG() << "model " << r.ff.model << ", rms " << r.rms_fm << " fm, q " << q
           << " fm^-1: F = " << f;
  RC_ASSERT(std::isfinite(f));
  RC_ASSERT(std::fabs(f) <= 1.0 + 4e-16);
}

// F(q) = 1 − q²⟨r²⟩/6 + O(q⁴) for any density: the form factor goes to one at q → 0, with the
// slope fixed by the rms radius the model was built from (which checks the model-radius relation
// of SPEC §4 for every model). With x = q r_rms ≤ 1e-2 the O(q⁴) term is below x²⟨r⁴⟩/(20 r⁴)
// ≲ 1e-5 of the q² term, and rounding (ε/(x²/6) ≲ 1e-9) is smaller still.
RC_GTEST_PROP(FormFactorProperties, GoesToOneAtZeroMomentumWithTheRmsRadiusAsSlope, ()) {
  property::count_case();
  const RandomFormFactor r = random_form_factor();
  const double x = log_uniform(1e-3, 1e-2);
  const double q = x / r.rms_fm;
  const double f = form_factor(r.ff, q);
  RC_LOG() << "model " << r.ff.model << ", rms " << r.rms_fm << " fm, q " << q
           << " fm^-1: F = " << f;
  RC_ASSERT(std::fabs(form_factor(r.ff, 0.0) - 1.0) <= 1e-15);
  RC_ASSERT(std::fabs((1.0 - f) / (x * x / 6.0) - 1.0) <= 1e-4);
}

// E_min(T) is defined as the inverse of T_max(E) = 2E²/(M + 2E): the energy at which T is the
// largest recoil. Round trips agree to 1e-12 relative for every target mass (¹H-like to beyond
// ²⁰⁸Pb) and every recoil from 1 eV to 1 GeV.
RC_GTEST_PROP(KinematicsProperties, MaxRecoilOfMinEnergyIsTheRecoilItself, ()) {
  property::count_case();
  const double mass = log_uniform(900.0, 2.5e5);
  const double t = log_uniform(1e-6, 1e3);
  const double back = max_recoil_MeV(min_energy_MeV(t, mass), mass);
  RC_LOG() << "M " << mass << " MeV, T " << t << " MeV: T_max(E_min(T)) = " << back;
  RC_ASSERT(std::fabs(back / t - 1.0) <= 1e-12);
  const double e = log_uniform(1e-3, 1e3);
  RC_ASSERT(std::fabs(min_energy_MeV(max_recoil_MeV(e, mass), mass) / e - 1.0) <= 1e-12);
}

// The kinematic factor 1 − MT/(2E²) lies in [0, 1] on 0 ≤ T ≤ T_max(E) (at T_max it is
// 2E/(M + 2E) > 0) and is zero beyond T_max: no negative cross-section anywhere.
RC_GTEST_PROP(KinematicsProperties, KinematicFactorIsWithinZeroAndOneUpToMaxRecoilAndZeroBeyond,
              ()) {
  property::count_case();
  const double mass = log_uniform(900.0, 2.5e5);
  const double e = uniform(0.1, 60.0);
  const double tmax = max_recoil_MeV(e, mass);
  const double t = uniform(0.0, 1.0) * tmax;
  const double k = kinematic_factor(e, t, mass, false);
  RC_LOG() << "M " << mass << ", E " << e << ", T " << t << " (T_max " << tmax << "): " << k;
  RC_ASSERT(k >= 0.0);
  RC_ASSERT(k <= 1.0);
  RC_ASSERT(kinematic_factor(e, tmax * (1.0 + uniform(1e-9, 1.0)), mass, false) == 0.0);
}

// P(ν_α → ν_α) = 1 − sin²2θ sin²(φ) lies in [1 − sin²2θ, 1] for every Δm², L and E.
RC_GTEST_PROP(SterileProperties, SurvivalProbabilityIsBetweenOneMinusSin22ThetaAndOne, ()) {
  property::count_case();
  const double s22 = uniform(0.0, 1.0);
  PhysicsModel s{};
  s.sterile_channel = *rc::gen::element<int>(kNuEDisappearance, kNuMuDisappearance);
  s.value[kSin22Theta] = s22;
  s.value[kDm2] = log_uniform(1e-3, 1e3);
  const int flux = *rc::gen::element<int>(kPromptNuMu, kDelayedNuMuBar, kDelayedNuE);
  const double p = survival_probability(s, flux, uniform(1.0, 100.0), 0.0, uniform(1.0, 53.0));
  RC_ASSERT(p >= 1.0 - s22 - 1e-15);
  RC_ASSERT(p <= 1.0);
}

// χ² of SPEC §7, Eq. 9 at given pulls, term by term (long double): the reference.
struct Bin {
  double n_th, n_exp, n_bg;
};
long double chi2_at(const std::vector<Bin>& bins, long double alpha, long double beta,
                    double sigma_alpha, double sigma_beta) {
  long double sum = 0.0L;
  for (const Bin& b : bins) {
    const long double r = b.n_exp - (1.0L + alpha) * b.n_th - (1.0L + beta) * b.n_bg;
    sum += r * r / b.n_exp;
  }
  if (sigma_alpha > 0.0) sum += (alpha / sigma_alpha) * (alpha / sigma_alpha);
  if (sigma_beta > 0.0) sum += (beta / sigma_beta) * (beta / sigma_beta);
  return sum;
}

struct Chi2Case {
  std::vector<Bin> bins;
  double sigma_alpha, sigma_beta;
  Chi2Accumulator acc;
};
Chi2Case random_chi2_case() {
  Chi2Case c;
  const int n = *rc::gen::inRange(1, 8);
  for (int i = 0; i < n; ++i) {
    // Counts from 0.1 to 1e4 events, the data off the prediction by up to ±50%.
    const double th = log_uniform(0.1, 1e4);
    const double bg = uniform(0.0, 0.5) * th;
    const double exp = (th + bg) * uniform(0.5, 1.5);
    c.bins.push_back({th, exp, bg});
    c.acc.add(th, exp, bg);
  }
  // σ = 0 fixes that pull (SPEC §7's ideal scenario); otherwise 1% to 100%.
  c.sigma_alpha = *rc::gen::inRange(0, 4) == 0 ? 0.0 : log_uniform(0.01, 1.0);
  c.sigma_beta = *rc::gen::inRange(0, 4) == 0 ? 0.0 : log_uniform(0.01, 1.0);
  return c;
}

// The closed-form minimum over the pulls is a lower bound of χ² at any pulls (α, β): here
// random pulls within ±3σ and the unpulled point. Allowance: rounding of rr − bᵀA⁻¹b in double,
// ≲ 1e-15 rr ≤ 1e-10 for these counts.
RC_GTEST_PROP(Chi2Properties, ClosedFormMinimumIsAtMostChi2AtAnyPulls, ()) {
  property::count_case();
  const Chi2Case c = random_chi2_case();
  const double min = c.acc.minimum(c.sigma_alpha, c.sigma_beta);
  const double alpha = c.sigma_alpha * uniform(-3.0, 3.0), beta = c.sigma_beta * uniform(-3.0, 3.0);
  for (const auto& [a, b] : {std::pair<double, double>{alpha, beta}, {0.0, 0.0}}) {
    const double at = double(chi2_at(c.bins, a, b, c.sigma_alpha, c.sigma_beta));
    RC_LOG() << "min " << min << ", chi2(" << a << ", " << b << ") = " << at;
    RC_ASSERT(min <= at * (1.0 + 1e-12) + 1e-10);
  }
}

// ... and it is the minimum: nested golden-section searches over (α, β), which use nothing but
// χ² values, find the same value to 1e-9 relative (1e-9 absolute near zero, where the closed
// form's rr − bᵀA⁻¹b cancels down to its rounding, ≲ 1e-15 rr). The search range holds the
// minimiser: (α/σ_α)² ≤ χ²_min ≤ χ²(0, 0), so |α| ≤ σ_α √χ²(0, 0), likewise β.
RC_GTEST_PROP(Chi2Properties, ClosedFormMinimumEqualsBruteForceMinimisation, ()) {
  property::count_case();
  const Chi2Case c = random_chi2_case();
  const double min = c.acc.minimum(c.sigma_alpha, c.sigma_beta);
  const long double chi2_0 = chi2_at(c.bins, 0.0L, 0.0L, c.sigma_alpha, c.sigma_beta);
  const long double ra = c.sigma_alpha * std::sqrt(chi2_0) * 1.01L + 1e-30L;
  const long double rb = c.sigma_beta * std::sqrt(chi2_0) * 1.01L + 1e-30L;
  const auto profile = [&](long double a) {
    const auto at = [&](long double b) {
      return chi2_at(c.bins, a, b, c.sigma_alpha, c.sigma_beta);
    };
    return at(testing::golden_section_argmin(at, -rb, rb, 120));
  };
  const long double brute = profile(testing::golden_section_argmin(profile, -ra, ra, 120));
  RC_LOG() << "closed form " << min << ", brute force " << double(brute);
  RC_ASSERT(std::fabs(double(brute) - min) <= 1e-9 * double(brute) + 1e-9);
}

}  // namespace
}  // namespace cevns
