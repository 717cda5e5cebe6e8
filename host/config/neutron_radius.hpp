// Nuclear radii beyond the configured ones: the neutron rms radius as a scan parameter (SPEC
// §10.4: rn_fm for every isotope, rn_<element>_fm per element) with the domain of each form
// factor, and the point-proton rms radius derived from a measured charge radius.
#pragma once

#include <optional>
#include <string>

#include "host/config/config.hpp"
#include "kernels/parameters.hpp"

namespace cevns {

// The nucleons' own charge radii: r_p = 0.8409 fm (CODATA 2018, the muonic-hydrogen value) and
// ⟨r_n²⟩ = −0.1161 fm² (PDG 2020, neutron mean-square charge radius).
inline constexpr double kProtonChargeRadius_fm = 0.8409;
inline constexpr double kNeutronChargeRadiusSquared_fm2 = -0.1161;

// Point-proton rms radius of a nucleus from its charge radius:
//   R_p² = R_ch² − r_p² − (N/Z) ⟨r_n²⟩
// (the charge distribution is the point distributions folded with the nucleons' own; relativistic
// and spin–orbit terms, below 0.01 fm², are neglected).
double point_proton_radius_fm(double charge_radius_fm, int z, int n);

// "Cs" for Z = 55 (Z from 1 to 118), "" otherwise.
std::string element_symbol(int z);

// The rn_<element>_fm parameter of element Z, when the parameter table has one.
std::optional<int> element_neutron_radius_parameter(int z);

bool is_neutron_radius_parameter(int id);

// The smallest neutron rms radius the detector's neutron form factor can describe (exclusive):
// Helm √3·s, symmetrised Fermi √(7/5)·π·a, Klein–Nystrand √6·a_k.
double neutron_radius_lower_bound_fm(const FormFactorConfig& ff);

// Throws InputError(file, path, …) when radius parameter `id` with values in [lo, hi] cannot
// apply to `detector`: a per-element radius of an element the detector lacks, or a range reaching
// to or below the lower bound of its neutron form factor.
void check_neutron_radius(int id, double lo, double hi, const DetectorConfig& detector,
                          const std::string& file, const std::string& path);

// Sets the configured neutron radii of the isotopes whose radius `model` sets (a study's truth).
void apply_neutron_radii(const PhysicsModel& model, DetectorConfig* detector);

// The neutron rms radius `id` stands for in a detector, when its isotopes agree on one: the
// configured value of a scan's truth; NaN when they differ or the element is absent.
double configured_neutron_radius_fm(int id, const DetectorConfig& detector);

}  // namespace cevns
