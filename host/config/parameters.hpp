// Names of the physics parameters in configs and on the command line, looked up in the one table
// of kernels/parameters.hpp. The NSI couplings are symmetric in their flavours, so both orders
// name the same parameter (eps_taue_uV is eps_etau_uV).
#pragma once

#include <optional>
#include <string>

#include "kernels/parameters.hpp"

namespace cevns {

// The parameter a name stands for, or nullopt.
std::optional<int> find_parameter(const std::string& name);

// "sin2_theta_W, sin2_2theta, dm2_eV2 or eps_<ab>_<q>V (...)": what a
// message about an unknown name lists.
std::string parameter_names_help();
std::string neutron_radius_names_help();

inline std::string parameter_units(int id) { return parameter_info(id).units; }
inline std::string parameter_long_name(int id) { return parameter_info(id).long_name; }

// "in [0, 1]" style text of a parameter's valid range, for messages.
std::string parameter_range_text(int id);
bool parameter_in_range(int id, double value);

// The Standard Model: sin²θ_W = 0.23865 (SPEC §1), every other parameter 0, no sterile channel.
PhysicsModel standard_model();

}  // namespace cevns
