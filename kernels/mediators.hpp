// Light mediators (SPEC §10.1, §10.2): a vector Z′ whose exchange adds a q²-dependent term to the
// coherent charge of §4, and a scalar φ whose cross-section adds to the SM one without
// interference. q² = 2MT in MeV², masses in MeV, G_F in MeV⁻².
//
// Vector (Cadeddu et al., arXiv:2008.05022, their Eqs. for Q_Z′ of the universal, B−L and
// L_μ−L_τ models): the charge of §4, Z g_V^p F_Z + N g_V^n F_N, gains for flavour α
//   g² (c_Z Z F_Z + c_N N F_N) / (q² + m²)
// with (c_Z, c_N) = (3, 3)/(√2 G_F) (universal: every quark and neutrino has charge 1, a nucleon
// 3), −(1, 1)/(√2 G_F) (B−L: quarks 1/3, neutrinos −1), and for L_μ−L_τ only ν_μ, ν̄_μ, through
// the kinetic mixing of the μ and τ loops, c_Z = −α ln(m_τ²/m_μ²)/(3√2 π G_F), c_N = 0. We follow
// that paper's convention, which SPEC §10.1 quotes: the SM charge is negative (−N/2 dominates),
// so the universal term interferes destructively, B−L and L_μ−L_τ (for ν_μ) constructively. The
// L_μ−L_τ sign follows from the loop: Σ_f Q_f^em Q_f^X ln(1/m_f²) = −ln(m_τ²/m_μ²) for μ (−1, +1)
// and τ (−1, −1), so the Z′ couples to the proton's charge with the sign opposite to ν_μ's.
// The universal term agrees with Cerdeño et al. (arXiv:1604.01025), whose vector factor
// G_V = 1 − √2 Q′/(G_F Q_V (q² + m²)), Q′ = 3A g², Q_V = N − (1 − 4 sin²θ_W) Z = −2 × ours, is the
// same (Q_SM + 3A g²/(√2 G_F (q² + m²)))² up to the factor 4 of the normalisation.
// The same term applies to the antineutrino of the flavour (the vector coupling changes sign for
// ν̄ together with the SM one, so the square is the same).
//
// Scalar (Cerdeño et al., arXiv:1604.01025, Eq. for dσ_φ/dE_R with Q_φ ≈ (14A + 1.1Z) g_ν g_q;
// SPEC §10.2 with g_ν = g_q = g and the form factors of §4):
//   dσ_φ/dT = M² T Q_φ² / (4π E² (q² + m²)²),  Q_φ = g² (15.1 Z F_Z + 14 N F_N),
// zero beyond T_max, with no kinematic factor and no g_c (the paper's expression is the full
// leading term in T/E).
#pragma once

#include <cmath>

#include "kernels/constants.hpp"
#include "kernels/cross_section.hpp"
#include "kernels/hd.hpp"
#include "kernels/parameters.hpp"

namespace cevns {

CEVNS_HD inline bool is_vector_mediator(int mediator) {
  return mediator == kVectorUniversal || mediator == kVectorBMinusL || mediator == kVectorLmuLtau;
}

// Is the mediator of a model on (a model and a non-zero coupling)?
CEVNS_HD inline bool mediator_active(const PhysicsModel& m) {
  return m.mediator != kNoMediator && m.value[kMediatorCoupling] != 0.0;
}

// (c_Z, c_N) in MeV² of the vector term for flavour α: the extra charge is
// g² (c_Z Z F_Z + c_N N F_N)/(q² + m²). Zero for no mediator or a scalar.
struct VectorMediatorCharge {
  double z, n;
};

CEVNS_HD inline VectorMediatorCharge vector_mediator_charge(int mediator, int alpha) {
  const double inv_sqrt2_gf = 1.0 / (std::sqrt(2.0) * constants::fermi_constant_per_MeV2);
  switch (mediator) {
    case kVectorUniversal:
      return {3.0 * inv_sqrt2_gf, 3.0 * inv_sqrt2_gf};
    case kVectorBMinusL:
      return {-inv_sqrt2_gf, -inv_sqrt2_gf};
    case kVectorLmuLtau: {
      if (alpha != kMu) return {0.0, 0.0};
      const double r = constants::tau_mass_MeV / constants::muon_mass_MeV;
      return {-constants::fine_structure * std::log(r * r) / (3.0 * constants::pi) * inv_sqrt2_gf,
              0.0};
    }
    default:
      return {0.0, 0.0};
  }
}

// 1/(q² + m²) in MeV⁻², q² = 2MT.
CEVNS_HD inline double mediator_propagator_per_MeV2(double recoil_MeV, double nucleus_mass_MeV,
                                                    double mediator_mass_MeV) {
  return 1.0 / (2.0 * nucleus_mass_MeV * recoil_MeV + mediator_mass_MeV * mediator_mass_MeV);
}

// Q_φ / g² of SPEC §10.2, with fz = Z F_Z and fn = N F_N.
CEVNS_HD inline double scalar_mediator_charge(double fz, double fn) {
  return 15.1 * fz + 14.0 * fn;
}

// dσ_φ/dT per g⁴ in units of the SM prefactor G_F² M/π (cross_section_prefactor_cm2_per_MeV),
// without its propagator²: M T (15.1 Z F_Z + 14 N F_N)² / (4 G_F² E²), zero beyond T_max. Times
// 1/(q² + m²)² it adds to kinematic factor × charge² of the SM integrand.
CEVNS_HD inline double scalar_mediator_numerator_per_g4(double energy_MeV, double recoil_MeV,
                                                        double nucleus_mass_MeV, double fz,
                                                        double fn) {
  if (recoil_MeV > max_recoil_MeV(energy_MeV, nucleus_mass_MeV)) return 0.0;
  constexpr double gf = constants::fermi_constant_per_MeV2;
  const double q = scalar_mediator_charge(fz, fn);
  return nucleus_mass_MeV * recoil_MeV * q * q / (4.0 * gf * gf * energy_MeV * energy_MeV);
}

CEVNS_HD inline double scalar_mediator_rate_per_g4(double energy_MeV, double recoil_MeV,
                                                   double nucleus_mass_MeV,
                                                   double mediator_mass_MeV, double fz, double fn) {
  const double p = mediator_propagator_per_MeV2(recoil_MeV, nucleus_mass_MeV, mediator_mass_MeV);
  return scalar_mediator_numerator_per_g4(energy_MeV, recoil_MeV, nucleus_mass_MeV, fz, fn) * p * p;
}

}  // namespace cevns
