// Neutrino electromagnetic properties (SPEC §10.3): a magnetic moment μ_να, whose scattering adds
// to the weak one without interference, and a charge radius ⟨r²_να⟩, which shifts the proton's
// vector charge seen by flavour α. Per flavour α = e, μ; ν̄_μ shares ν_μ's (the delayed ν̄_μ of
// the source has flavour μ, kernels/flux.hpp).
//
// Magnetic moment (Vogel & Engel, PRD 39, 3378, their electron cross-section with the nuclear
// charge Z F_Z in place of the electron's; the convention of Cadeddu et al., PRD 98, 113010 and
// SPEC §10.3): with μ_να in Bohr magnetons,
//   dσ_μ/dT = (π α² μ_να² / m_e²) (1/T − 1/E) Z² F_Z²(q),
// zero beyond T_max; no T/(4E²) term, no kinematic factor, no g_c. Parameters in units of
// 1e-10 μ_B.
//
// Charge radius (Cadeddu et al., PRD 98, 113010, Eq. for g_V^p with the radius term):
//   g_V^p → g_V^p − (√2 π α / (3 G_F)) ⟨r²_να⟩,
// the same shift for ν_α and ν̄_α (the radius enters the vector coupling of the neutrino current
// like the Z exchange, and both change sign together for ν̄, so the square is the same), only in
// the flavour-conserving charge (no transition radii). ⟨r²⟩ = 0 is this program's SM: SPEC §4's
// g_V^p = 1/2 − 2 sin²θ_W at sin²θ_W = 0.23865 carries no separate SM radius, so the parameter is
// the radius beyond what that sin²θ_W holds. Parameters in units of 1e-32 cm²; 1e-32 cm² shifts
// g_V^p by 0.0238.
#pragma once

#include "kernels/constants.hpp"
#include "kernels/cross_section.hpp"
#include "kernels/hd.hpp"
#include "kernels/parameters.hpp"

namespace cevns {

inline constexpr double kMagneticMomentUnit_muB = 1e-10;  // mu_nu_e, mu_nu_mu
inline constexpr double kChargeRadiusUnit_cm2 = 1e-32;    // r2_nu_e, r2_nu_mu

// The g_V^p shift per unit of r2_nu_*: √2 π α/(3 G_F) × 1e-32 cm²/(ħc)², dimensionless.
CEVNS_HD inline double charge_radius_shift_per_unit() {
  constexpr double sqrt2 = 1.41421356237309504880;
  constexpr double hc = constants::hbar_c_MeV_cm;
  return sqrt2 * constants::pi * constants::fine_structure /
         (3.0 * constants::fermi_constant_per_MeV2) * (kChargeRadiusUnit_cm2 / (hc * hc));
}

// The parameters of flavour α (e or μ; τ has none here).
CEVNS_HD inline double magnetic_moment_of(const PhysicsModel& m, int alpha) {
  return alpha == kE ? m.value[kMuNuE] : alpha == kMu ? m.value[kMuNuMu] : 0.0;
}
CEVNS_HD inline double charge_radius_of(const PhysicsModel& m, int alpha) {
  return alpha == kE ? m.value[kR2NuE] : alpha == kMu ? m.value[kR2NuMu] : 0.0;
}

inline bool is_magnetic_moment(int id) { return id == kMuNuE || id == kMuNuMu; }
inline bool is_charge_radius(int id) { return id == kR2NuE || id == kR2NuMu; }

// The convention above in one line, for output metadata.
inline const char* electromagnetic_convention() {
  return "SPEC 10.3: dsigma_mu/dT = (pi alpha^2 mu^2/m_e^2)(1/T - 1/E) Z^2 F_Z^2, no "
         "interference, no T/4E^2 term (Vogel & Engel PRD 39, 3378); g_V^p -> g_V^p - "
         "(sqrt2 pi alpha/(3 G_F)) <r^2> for nu and anti-nu of the flavour, no transition radii "
         "(Cadeddu et al. PRD 98, 113010); <r^2> = 0 is the SM of sin2_theta_W; anti-nu_mu "
         "shares nu_mu's moment and radius; units 1e-10 mu_B and 1e-32 cm^2";
}

// dσ_μ/dT per (1e-10 μ_B)² and per Z²F_Z², in units of the SM prefactor G_F² M/π
// (cross_section_prefactor_cm2_per_MeV): π² α² (1e-10)² (1/T − 1/E) / (m_e² G_F² M), zero beyond
// T_max. Times Z²F_Z² it adds to kinematic factor × charge² of the SM integrand (the (ħc)² of
// both cancels).
CEVNS_HD inline double magnetic_moment_weight(double energy_MeV, double recoil_MeV,
                                              double mass_MeV) {
  if (recoil_MeV > max_recoil_MeV(energy_MeV, mass_MeV)) return 0.0;
  constexpr double a = constants::fine_structure, me = constants::electron_mass_MeV;
  constexpr double gf = constants::fermi_constant_per_MeV2, u = kMagneticMomentUnit_muB;
  constexpr double c = constants::pi * constants::pi * a * a * u * u / (me * me * gf * gf);
  return c / mass_MeV * (1.0 / recoil_MeV - 1.0 / energy_MeV);
}

// dσ_μ/dT in cm²/MeV for μ_να in Bohr magnetons, written directly from SPEC §10.3 (tests).
inline double magnetic_moment_cross_section_cm2_per_MeV(double energy_MeV, double recoil_MeV,
                                                        double mass_MeV, double z, double ff_proton,
                                                        double mu_muB) {
  if (recoil_MeV > max_recoil_MeV(energy_MeV, mass_MeV)) return 0.0;
  constexpr double a = constants::fine_structure, me = constants::electron_mass_MeV;
  constexpr double hc = constants::hbar_c_MeV_cm;
  return constants::pi * a * a * mu_muB * mu_muB / (me * me) * hc * hc *
         (1.0 / recoil_MeV - 1.0 / energy_MeV) * z * z * ff_proton * ff_proton;
}

}  // namespace cevns
