#include "host/config/neutron_radius.hpp"

#include <cmath>
#include <cstdio>
#include <limits>

#include "host/core/error.hpp"
#include "kernels/form_factors.hpp"

namespace cevns {

namespace {

constexpr const char* kSymbols[] = {
    "H",  "He", "Li", "Be", "B",  "C",  "N",  "O",  "F",  "Ne", "Na", "Mg", "Al", "Si", "P",
    "S",  "Cl", "Ar", "K",  "Ca", "Sc", "Ti", "V",  "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn",
    "Ga", "Ge", "As", "Se", "Br", "Kr", "Rb", "Sr", "Y",  "Zr", "Nb", "Mo", "Tc", "Ru", "Rh",
    "Pd", "Ag", "Cd", "In", "Sn", "Sb", "Te", "I",  "Xe", "Cs", "Ba", "La", "Ce", "Pr", "Nd",
    "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Hf", "Ta", "W",  "Re",
    "Os", "Ir", "Pt", "Au", "Hg", "Tl", "Pb", "Bi", "Po", "At", "Rn", "Fr", "Ra", "Ac", "Th",
    "Pa", "U",  "Np", "Pu", "Am", "Cm", "Bk", "Cf", "Es", "Fm", "Md", "No", "Lr", "Rf", "Db",
    "Sg", "Bh", "Hs", "Mt", "Ds", "Rg", "Cn", "Nh", "Fl", "Mc", "Lv", "Ts", "Og"};

std::string format_number(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return buf;
}

std::string element_list(const DetectorConfig& d) {
  std::string s;
  std::string seen = ",";
  for (const auto& iso : d.isotopes) {
    const std::string e = element_symbol(iso.z);
    if (seen.find("," + e + ",") != std::string::npos) continue;
    seen += e + ",";
    s += (s.empty() ? "" : ", ") + e;
  }
  return s;
}

// Does parameter `id` set the radius of this isotope (ignoring precedence)?
bool applies_to(int id, const IsotopeConfig& iso) {
  return id == kNeutronRadius || element_neutron_radius_parameter(iso.z) == id;
}

}  // namespace

double point_proton_radius_fm(double charge_radius_fm, int z, int n) {
  return std::sqrt(charge_radius_fm * charge_radius_fm -
                   kProtonChargeRadius_fm * kProtonChargeRadius_fm -
                   double(n) / double(z) * kNeutronChargeRadiusSquared_fm2);
}

std::string element_symbol(int z) {
  return z >= 1 && z <= static_cast<int>(std::size(kSymbols)) ? kSymbols[z - 1] : "";
}

std::optional<int> element_neutron_radius_parameter(int z) {
  const std::string symbol = element_symbol(z);
  if (symbol.empty()) return std::nullopt;
  const std::string name = "rn_" + symbol + "_fm";
  for (int id = 0; id < kNumParameters; ++id)
    if (id != kNeutronRadius && name == parameter_info(id).name) return id;
  return std::nullopt;
}

bool is_neutron_radius_parameter(int id) { return parameter_info(id).role == kNeutronRadiusRole; }

double neutron_radius_lower_bound_fm(const FormFactorConfig& ff) {
  return std::sqrt(-0.6 * model_radius_squared_fm2(ff.model, 0.0, ff.shape_fm));
}

void check_neutron_radius(int id, double lo, double hi, const DetectorConfig& d,
                          const std::string& file, const std::string& path) {
  const std::string name = parameter_info(id).name;
  bool any = false;
  for (const auto& iso : d.isotopes) any = any || applies_to(id, iso);
  if (!any)
    throw InputError(file, path,
                     "expected a neutron radius of an element of detector \"" + d.name + "\" (" +
                         element_list(d) + "), got " + name);
  const double bound = neutron_radius_lower_bound_fm(d.neutron_form_factor);
  if (!(lo > bound)) {
    static const char* const kModels[] = {"helm", "symmetrized_fermi", "klein_nystrand"};
    const std::string range =
        lo == hi ? format_number(lo) : "[" + format_number(lo) + ", " + format_number(hi) + "]";
    throw InputError(file, path,
                     "expected " + name + " in (" + format_number(bound) + ", " +
                         format_number(parameter_info(id).max) + "] fm, the domain of the " +
                         kModels[d.neutron_form_factor.model] +
                         " neutron form factor of detector \"" + d.name + "\", got " + range);
  }
}

void apply_neutron_radii(const PhysicsModel& model, DetectorConfig* d) {
  for (std::size_t i = 0; i < d->isotopes.size(); ++i) {
    IsotopeConfig& iso = d->isotopes[i];
    const std::optional<int> own = element_neutron_radius_parameter(iso.z);
    double r = model.value[kNeutronRadius];
    if (own && model.value[*own] > 0.0) r = model.value[*own];
    if (!(r > 0.0)) continue;
    iso.neutron_rms_radius_fm = r;
    if (d->json.contains("isotopes") && i < d->json["isotopes"].size())
      d->json["isotopes"][i]["neutron_rms_radius_fm"] = r;
  }
}

double configured_neutron_radius_fm(int id, const DetectorConfig& d) {
  double r = std::numeric_limits<double>::quiet_NaN();
  bool first = true;
  for (const auto& iso : d.isotopes) {
    if (!applies_to(id, iso)) continue;
    if (first) r = iso.neutron_rms_radius_fm;
    if (!first && iso.neutron_rms_radius_fm != r) return std::numeric_limits<double>::quiet_NaN();
    first = false;
  }
  return r;
}

}  // namespace cevns
