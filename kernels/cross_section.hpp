// CEvNS kinematics and differential cross-section (SPEC §4, Eqs. 4, 7).
#pragma once

#include <cmath>

#include "kernels/constants.hpp"
#include "kernels/hd.hpp"

namespace cevns {

// T_max(E) = 2E²/(M + 2E).
CEVNS_HD inline double max_recoil_MeV(double energy_MeV, double mass_MeV) {
  return 2.0 * energy_MeV * energy_MeV / (mass_MeV + 2.0 * energy_MeV);
}

// E_min(T) = (T + √(T² + 2MT))/2, the inverse of max_recoil_MeV.
CEVNS_HD inline double min_energy_MeV(double recoil_MeV, double mass_MeV) {
  return 0.5 * (recoil_MeV + std::sqrt(recoil_MeV * recoil_MeV + 2.0 * mass_MeV * recoil_MeV));
}

CEVNS_HD inline double momentum_transfer_per_fm(double recoil_MeV, double mass_MeV) {
  return std::sqrt(2.0 * mass_MeV * recoil_MeV) / constants::hbar_c_MeV_fm;
}

// G_F² M / π in cm²/MeV: multiplies [Z g_p F_Z + N g_n F_N]² × kinematic factor.
CEVNS_HD inline double cross_section_prefactor_cm2_per_MeV(double mass_MeV) {
  constexpr double gf = constants::fermi_constant_per_MeV2;
  constexpr double hc = constants::hbar_c_MeV_cm;
  return gf * gf * mass_MeV / constants::pi * hc * hc;
}

// (1 − M T / 2E²), times the optional g_c = 1 + M T/(m_N E) of Eq. 7; zero beyond T_max.
CEVNS_HD inline double kinematic_factor(double energy_MeV, double recoil_MeV, double mass_MeV,
                                        bool with_gc) {
  if (recoil_MeV > max_recoil_MeV(energy_MeV, mass_MeV)) return 0.0;
  double k = 1.0 - mass_MeV * recoil_MeV / (2.0 * energy_MeV * energy_MeV);
  if (with_gc) k *= 1.0 + mass_MeV * recoil_MeV / (constants::nucleon_mass_MeV * energy_MeV);
  return k;
}

// Standard-Model dσ/dT in cm²/MeV for given charges (per nucleon) and form factors.
CEVNS_HD inline double cevns_cross_section_cm2_per_MeV(double energy_MeV, double recoil_MeV,
                                                       double mass_MeV, double z, double n,
                                                       double proton_charge, double neutron_charge,
                                                       double ff_proton, double ff_neutron,
                                                       bool with_gc) {
  const double coherent = z * proton_charge * ff_proton + n * neutron_charge * ff_neutron;
  return cross_section_prefactor_cm2_per_MeV(mass_MeV) *
         kinematic_factor(energy_MeV, recoil_MeV, mass_MeV, with_gc) * coherent * coherent;
}

}  // namespace cevns
