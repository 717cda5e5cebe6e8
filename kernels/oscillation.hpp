// Sterile-neutrino disappearance in the two-flavour, short-baseline approximation (SPEC §5).
#pragma once

#include <cmath>

#include "kernels/constants.hpp"
#include "kernels/flux.hpp"
#include "kernels/hd.hpp"
#include "kernels/parameters.hpp"

namespace cevns {

// sin²x without branches or library calls, so that the sterile depletion loops vectorise on the
// CPU and stay cheap on the GPU (it is the hot function of every sterile scan). Cody–Waite
// reduction by π/2 with a three-part constant (exact for |x| < 2^20 π/2, far beyond the
// phases of SPEC §5) and the fdlibm minimax polynomials of sin and cos on [−π/4, π/4]:
// agrees with std::sin(x)² to a few ulp (tests/kernels/test_physics.cpp).
CEVNS_HD inline double sin_squared(double x) {
  constexpr double two_over_pi = 6.36619772367581382433e-01;
  constexpr double pio2_1 = 1.57079632673412561417e+00;  // first 33 bits of π/2
  constexpr double pio2_2 = 6.07710050630396597660e-11;  // next 33 bits
  constexpr double pio2_3 = 2.02226624871116645580e-21;  // the rest
  // Round to nearest by the 1.5·2^52 trick (baseline x86-64 has no rounding instruction;
  // valid for |x| < 2^51, and kept exact by the absence of -ffast-math).
  constexpr double round_shift = 6755399441055744.0;
  const double k = (x * two_over_pi + round_shift) - round_shift;
  const double r = ((x - k * pio2_1) - k * pio2_2) - k * pio2_3;
  const double z = r * r;
  const double sin_r =
      r + r * z *
              (-1.66666666666666324348e-01 +
               z * (8.33333333332248946124e-03 +
                    z * (-1.98412698298579493134e-04 +
                         z * (2.75573137070700676789e-06 + z * (-2.50507602534068634195e-08 +
                                                                z * 1.58969099521155010221e-10)))));
  const double cos_r =
      1.0 - 0.5 * z +
      z * z *
          (4.16666666666666019037e-02 +
           z * (-1.38888888888741095749e-03 +
                z * (2.48015872894767294178e-05 +
                     z * (-2.75573143513906633035e-07 +
                          z * (2.08757232129817482790e-09 + z * -1.13596475577881948265e-11)))));
  // sin²(r + kπ/2) is sin²r for even k and cos²r for odd k: even = 1 − 2|k/2 − round(k/2)|
  // is exactly 1 or 0, and selecting by multiplication keeps the loop free of branches.
  const double half_k = 0.5 * k;
  const double even = 1.0 - 2.0 * std::fabs(half_k - ((half_k + round_shift) - round_shift));
  return even * (sin_r * sin_r) + (1.0 - even) * (cos_r * cos_r);
}

// sin(y)/y, with its Taylor series where the quotient loses digits (|y| < 1e-4: the first
// omitted term, y⁴/120, is below 1e-18).
CEVNS_HD inline double sinc(double y) {
  if (std::fabs(y) < 1.0e-4) return 1.0 - y * y / 6.0;
  return std::sin(y) / y;
}

// sin²φ averaged over baselines uniform in [L₀ − a, L₀ + a], φ = kL₀ and spread = a/L₀ (SPEC §12):
//   ⟨sin²(kL)⟩ = ½ − ½ cos(2kL₀) · sin(2ka)/(2ka),
// with cos 2φ = 1 − 2 sin²φ. At spread 0 it is sin²φ itself, bit for bit (the point-like
// baseline of the forecast).
CEVNS_HD inline double averaged_sin_squared(double phase, double spread) {
  const double s2 = sin_squared(phase);
  if (spread == 0.0) return s2;
  return 0.5 - 0.5 * (1.0 - 2.0 * s2) * sinc(2.0 * phase * spread);
}

// ⟨sin²(1.27 Δm² L / E)⟩ over the baseline spread: the oscillating factor that multiplies sin²2θ.
CEVNS_HD inline double oscillation_factor(double dm2_eV2, double baseline_m, double spread_m,
                                          double energy_MeV) {
  return averaged_sin_squared(
      constants::oscillation_phase_coefficient * dm2_eV2 * baseline_m / energy_MeV,
      spread_m / baseline_m);
}

// Does this channel remove neutrinos of this flux class? ν_e disappearance acts on the delayed
// ν_e; ν_μ disappearance on the prompt ν_μ and the delayed ν̄_μ.
CEVNS_HD inline bool sterile_affects(int channel, int flux) {
  if (channel == kNuEDisappearance) return flux == kDelayedNuE;
  if (channel == kNuMuDisappearance) return flux == kPromptNuMu || flux == kDelayedNuMuBar;
  return false;
}

// Survival of flux class `flux` at baseline L₀ ± spread (half-width of a uniform distribution).
CEVNS_HD inline double survival_probability(const PhysicsModel& m, int flux, double baseline_m,
                                            double spread_m, double energy_MeV) {
  if (!sterile_affects(m.sterile_channel, flux)) return 1.0;
  return 1.0 - m.value[kSin22Theta] *
                   oscillation_factor(m.value[kDm2], baseline_m, spread_m, energy_MeV);
}

// The baselines of a detector that sees several sources (SPEC §12: the second target station is
// a second source with its own baseline): per source its share of the summed flux normalisation,
// w_s = η_s / Σ η (η_s = r_s N_POT,s / 4πL_s²), its baseline L_s and spread a_s. The quadrature
// weights carry Σ η; the oscillation is the flux-weighted survival Σ_s w_s P(L_s, a_s).
constexpr int kMaxSources = 4;
struct Baselines {
  int n = 1;
  double weight[kMaxSources] = {1.0, 0.0, 0.0, 0.0};
  double baseline_m[kMaxSources] = {0.0, 0.0, 0.0, 0.0};
  double spread_m[kMaxSources] = {0.0, 0.0, 0.0, 0.0};
};

// Survival of flux class `flux` over a detector's sources. With one source it is the one-source
// survival itself, bit for bit.
CEVNS_HD inline double survival_probability(const PhysicsModel& m, int flux, const Baselines& b,
                                            double energy_MeV) {
  if (b.n == 1)
    return survival_probability(m, flux, b.baseline_m[0], b.spread_m[0], energy_MeV);
  if (!sterile_affects(m.sterile_channel, flux)) return 1.0;
  double p = 0.0;
  for (int s = 0; s < b.n; ++s)
    p += b.weight[s] * survival_probability(m, flux, b.baseline_m[s], b.spread_m[s], energy_MeV);
  return p;
}

}  // namespace cevns
