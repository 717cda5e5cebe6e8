// Physical constants and unit conversions, all in one place (SPEC §1). Internal units: MeV, fm,
// m, kg, cm².
#pragma once

namespace cevns::constants {

inline constexpr double pi = 3.14159265358979323846;

inline constexpr double fermi_constant_per_MeV2 = 1.1663787e-11;  // G_F = 1.1663787e-5 GeV⁻²
inline constexpr double hbar_c_MeV_fm = 197.3269804;
inline constexpr double hbar_c_MeV_cm = 197.3269804e-13;
inline constexpr double pion_mass_MeV = 139.57039;  // m_π±
inline constexpr double muon_mass_MeV = 105.6583755;
inline constexpr double tau_mass_MeV = 1776.86;             // SPEC §10 (PDG)
inline constexpr double fine_structure = 1.0 / 137.035999;  // SPEC §10: α at q² → 0
inline constexpr double atomic_mass_unit_MeV = 931.49410242;
inline constexpr double electron_mass_MeV = 0.51099895;
inline constexpr double nucleon_mass_MeV = 938.92;  // SPEC §1: m_N of the g_c correction
inline constexpr double avogadro_per_mol = 6.02214076e23;
inline constexpr double sin2_theta_w_low_energy = 0.23865;

// SPEC §5: P = 1 − sin²2θ sin²(1.27 Δm²[eV²] L[m] / E[MeV]); 1.26693 is the unrounded
// 1/(4 ħc) in these units. We keep the forecast's 1.27 so results compare line by line.
inline constexpr double oscillation_phase_coefficient = 1.27;

// SPEC §2: prompt line from π⁺ → μ⁺ ν_μ at rest, and the μ⁺-decay end point.
inline constexpr double prompt_energy_MeV =
    (pion_mass_MeV * pion_mass_MeV - muon_mass_MeV * muon_mass_MeV) / (2.0 * pion_mass_MeV);
inline constexpr double delayed_endpoint_MeV = muon_mass_MeV / 2.0;

inline constexpr double kg_per_u = 1.66053906660e-27;
inline constexpr double cm_per_m = 100.0;

}  // namespace cevns::constants
