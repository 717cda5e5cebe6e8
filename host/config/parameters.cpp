#include "host/config/parameters.hpp"

#include <cmath>
#include <cstdio>

#include "kernels/constants.hpp"
#include "kernels/couplings.hpp"

namespace cevns {

namespace {

// The flavour names e, mu, tau are prefix-free: read two of them greedily.
bool parse_flavours(const std::string& s, int* a, int* b) {
  int found[2];
  std::size_t pos = 0;
  for (int k = 0; k < 2; ++k) {
    if (s.compare(pos, 3, "tau") == 0) {
      found[k] = kTau;
      pos += 3;
    } else if (s.compare(pos, 2, "mu") == 0) {
      found[k] = kMu;
      pos += 2;
    } else if (s.compare(pos, 1, "e") == 0) {
      found[k] = kE;
      pos += 1;
    } else {
      return false;
    }
  }
  *a = found[0];
  *b = found[1];
  return pos == s.size();
}

}  // namespace

std::optional<int> find_parameter(const std::string& name) {
  for (int id = 0; id < kNumParameters; ++id)
    if (name == parameter_info(id).name) return id;
  // eps_<flavours>_<q>V in the other flavour order.
  if (name.rfind("eps_", 0) != 0) return std::nullopt;
  const auto underscore = name.find('_', 4);
  if (underscore == std::string::npos) return std::nullopt;
  const std::string quark = name.substr(underscore + 1);
  if (quark != "uV" && quark != "dV") return std::nullopt;
  int a, b;
  if (!parse_flavours(name.substr(4, underscore - 4), &a, &b)) return std::nullopt;
  return epsilon_index(quark == "uV" ? kUp : kDown, a, b);
}

std::string parameter_names_help() {
  return "sin2_theta_W, sin2_2theta, dm2_eV2, mediator_coupling, mediator_mass_MeV, "
         "mu_nu_e, mu_nu_mu, r2_nu_e, r2_nu_mu, "
         "eps_<ab>_<q>V (a, b in e, mu, tau; q in u, d)" +
         neutron_radius_names_help();
}

// ", rn_fm or rn_<X>_fm (X in Na, Ar, …)": the neutron radii of the table.
std::string neutron_radius_names_help() {
  std::string elements;
  for (int id = 0; id < kNumParameters; ++id) {
    const std::string name = parameter_info(id).name;
    if (parameter_info(id).role != kNeutronRadiusRole || id == kNeutronRadius) continue;
    elements += (elements.empty() ? "" : ", ") + name.substr(3, name.size() - 6);
  }
  return ", rn_fm or rn_<X>_fm (X in " + elements + ")";
}

bool parameter_in_range(int id, double value) {
  const ParameterInfo& p = parameter_info(id);
  return std::isfinite(value) && value >= p.min && value <= p.max;
}

std::string parameter_range_text(int id) {
  const ParameterInfo& p = parameter_info(id);
  char buf[96];
  std::snprintf(buf, sizeof buf, "in [%g, %g]", p.min, p.max);
  return buf;
}

PhysicsModel standard_model() {
  PhysicsModel m{};
  m.value[kSin2ThetaW] = constants::sin2_theta_w_low_energy;
  m.sterile_channel = kNoSterile;
  m.mediator = kNoMediator;
  m.couplings = kTreeCouplings;
  return m;
}

}  // namespace cevns
