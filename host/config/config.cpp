#include "host/config/config.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "host/config/limits.hpp"
#include "host/config/neutron_radius.hpp"
#include "kernels/constants.hpp"
#include "kernels/cross_section.hpp"
#include "kernels/flux.hpp"

namespace cevns {

namespace {

const std::vector<std::string> kFormFactorNames = {"helm", "symmetrized_fermi", "klein_nystrand"};

std::string format_number(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return buf;
}

FormFactorConfig parse_form_factor(JsonObject& obj, const std::string& model_key,
                                   const std::string& shape_key, FormFactorConfig fallback) {
  const std::string name =
      obj.one_of(model_key, kFormFactorNames, kFormFactorNames[fallback.model]);
  FormFactorConfig ff;
  ff.model = static_cast<int>(std::find(kFormFactorNames.begin(), kFormFactorNames.end(), name) -
                              kFormFactorNames.begin());
  ff.shape_fm = obj.positive(shape_key, default_shape_fm(ff.model));
  return ff;
}

void check_radius(const JsonObject& obj, const std::string& key, double rms_fm,
                  const FormFactorConfig& ff) {
  if (model_radius_squared_fm2(ff.model, rms_fm, ff.shape_fm) > 0.0) return;
  // Smallest rms radius the model can describe with its shape parameter.
  const double r_min = std::sqrt(-0.6 * model_radius_squared_fm2(ff.model, 0.0, ff.shape_fm));
  obj.fail(key, "rms radius " + format_number(rms_fm) + " fm is too small for the " +
                    kFormFactorNames[ff.model] + " form factor (expected more than " +
                    format_number(r_min) + " fm)");
}

// Radii are given in fm; a value beyond the largest nuclei is more likely another unit.
// The rms radius of a Helm distribution with R₀ = r0 A^(1/3) and the form factor's skin (the
// Helm one, 0.9 fm, when the form factor is another model): the radius that, through
// model_radius_squared_fm2, gives back R₀ for a Helm form factor.
double helm_rms_radius_fm(double r0_per_a13_fm, int mass_number, const FormFactorConfig& ff) {
  const double s = ff.model == kHelm ? ff.shape_fm : helm_skin_thickness_fm;
  return cevns::helm_rms_radius_fm(r0_per_a13_fm * std::cbrt(double(mass_number)), s);
}

double radius_fm(JsonObject& obj, const std::string& key, std::optional<double> fallback) {
  const bool given = obj.has(key);
  const double r = obj.positive(key, fallback);
  if (given && r > limits::kMaxPlausibleRadius_fm)
    obj.warn(key, format_number(r) + " fm is larger than any nucleus (more than " +
                      format_number(limits::kMaxPlausibleRadius_fm) + " fm); is the unit fm?");
  return r;
}

// A `source` key: a source file (relative to base_dir) or an inline source object.
SourceConfig source_at(JsonObject& obj, const std::string& key, const std::string& file,
                       const std::string& base_dir) {
  const Json& src = obj.raw(key);
  if (src.is_string()) {
    const JsonFile src_file(resolve_relative(base_dir, src.get<std::string>()), file,
                            obj.path_of(key));
    return parse_source(src_file.json(), src_file.path(), "");
  }
  return parse_source(src, file, obj.path_of(key));
}

void warn_short_baseline(const JsonObject& obj, double baseline_m) {
  if (baseline_m < limits::kMinPlausibleBaseline_m)
    obj.warn("baseline_m", format_number(baseline_m) + " m is less than " +
                               format_number(limits::kMinPlausibleBaseline_m) +
                               " m from the target; is it in km instead of m?");
}

double baseline_spread_at(JsonObject& obj, double baseline) {
  return obj.number(
      "baseline_spread_m", [baseline](double a) { return a >= 0.0 && a < baseline; },
      "a half-width in metres from 0 to less than baseline_m (" + format_number(baseline) + ")",
      0.0);
}

// Protons on target of a run (SPEC §12): years × power (the run's, else the source's nominal)
// × the source's protons per MW-year; `power` receives the power used.
double run_protons_on_target(const ExposureConfig& e, const SourceConfig& source, double* power) {
  if (source.protons_per_MW_year == 0.0)
    throw InputError(e.file, e.path,
                     "expected a source with protons_per_MW_year to turn an exposure into protons "
                     "on target (source \"" + source.name + "\" gives none)");
  *power = e.beam_power_MW > 0.0 ? e.beam_power_MW : source.beam_power_MW;
  if (*power == 0.0)
    throw InputError(e.file, e.path + "/beam_power_MW",
                     "missing required key (expected a positive beam power in MW; source \"" +
                         source.name + "\" gives no beam_power_MW)");
  return e.years * *power * source.protons_per_MW_year;
}

// One entry of a detector's `sources` list: {source, baseline_m, baseline_spread_m?, exposure?}.
DetectorSource parse_detector_source(const Json& json, const std::string& file,
                                     const std::string& path, const std::string& base_dir) {
  JsonObject obj(json, file, path);
  DetectorSource s;
  s.path = path;
  s.source = source_at(obj, "source", file, base_dir);
  s.baseline_m = obj.positive("baseline_m");
  warn_short_baseline(obj, s.baseline_m);
  s.baseline_spread_m = baseline_spread_at(obj, s.baseline_m);
  if (obj.has("exposure"))
    s.exposure = parse_exposure(obj.raw("exposure"), file, obj.path_of("exposure"));
  obj.finish();
  return s;
}

// A detector's `sources` list: 1 to kMaxSources entries with distinct source names.
std::vector<DetectorSource> parse_detector_sources(JsonObject& obj, const std::string& file,
                                                   const std::string& base_dir) {
  std::vector<DetectorSource> out;
  for (const auto& [item, item_path] : obj.array("sources")) {
    out.push_back(parse_detector_source(*item, file, item_path, base_dir));
    for (std::size_t i = 0; i + 1 < out.size(); ++i)
      if (out[i].source.name == out.back().source.name)
        throw InputError(file, item_path + "/source",
                         "expected sources with distinct names, got \"" +
                             out.back().source.name + "\" twice");
  }
  if (out.size() > static_cast<std::size_t>(kMaxSources))
    obj.fail("sources", "expected at most " + std::to_string(kMaxSources) + " sources, got " +
                            std::to_string(out.size()));
  return out;
}

Json source_json(const SourceConfig& source) {
  return source.json.is_null() ? Json{{"name", source.name},
                                      {"nu_per_flavour_per_pot", source.nu_per_flavour_per_pot},
                                      {"protons_on_target", source.protons_on_target}}
                               : source.json;
}

// The `sources` form: every entry's protons on target, recorded in the resolved config; the
// detector's single-source fields repeat the first entry.
void resolve_sources(DetectorConfig& d) {
  Json list = Json::array();
  for (DetectorSource& s : d.sources) {
    Json j{{"source", source_json(s.source)},
           {"baseline_m", s.baseline_m},
           {"baseline_spread_m", s.baseline_spread_m}};
    if (s.exposure) {
      double power = 0.0;
      s.protons_on_target = run_protons_on_target(*s.exposure, s.source, &power);
      j["exposure"] = {{"years", s.exposure->years},
                       {"beam_power_MW", power},
                       {"protons_on_target", s.protons_on_target}};
    } else {
      s.protons_on_target = s.source.protons_on_target;
    }
    j["protons_on_target"] = s.protons_on_target;
    list.push_back(j);
  }
  const DetectorSource& first = d.sources.front();
  d.source = first.source;
  d.baseline_m = first.baseline_m;
  d.baseline_spread_m = first.baseline_spread_m;
  d.exposure = first.exposure;
  d.protons_on_target = first.protons_on_target;
  d.json["sources"] = list;
}

}  // namespace

double DetectorSource::flux_normalisation_per_cm2() const {
  return cevns::flux_normalisation_per_cm2(source.nu_per_flavour_per_pot, protons_on_target,
                                           baseline_m);
}

std::vector<DetectorSource> DetectorConfig::resolved_sources() const {
  if (!sources.empty()) return sources;
  DetectorSource s;
  s.source = source;
  s.baseline_m = baseline_m;
  s.baseline_spread_m = baseline_spread_m;
  s.exposure = exposure;
  s.protons_on_target = protons_on_target;
  return {s};
}

void apply_study_exposure(DetectorConfig& d, const ExposureConfig& e) {
  if (d.sources.empty()) {
    d.exposure = e;
  } else {
    if (e.beam_power_MW > 0.0)
      throw InputError(e.file, e.path + "/beam_power_MW",
                       "expected no beam power for detector \"" + d.name + "\", which sees " +
                           std::to_string(d.sources.size()) +
                           " sources: each source runs at its own (the beam_power_MW of its "
                           "exposure in \"sources\", else the source's)");
    for (DetectorSource& s : d.sources) {
      ExposureConfig run = e;
      run.beam_power_MW = s.exposure ? s.exposure->beam_power_MW : 0.0;
      s.exposure = run;
    }
  }
  resolve_exposure(d);
}

Json sources_summary_json(const DetectorConfig& d) {
  Json out = Json::array();
  for (const DetectorSource& s : d.resolved_sources())
    out.push_back(Json{{"name", s.source.name},
                       {"baseline_m", s.baseline_m},
                       {"baseline_spread_m", s.baseline_spread_m},
                       {"protons_on_target", s.protons_on_target}});
  return out;
}

double IsotopeConfig::nuclear_mass_MeV() const {
  return atomic_mass_u * constants::atomic_mass_unit_MeV - z * constants::electron_mass_MeV;
}

QuadratureConfig parse_quadrature(JsonObject q) {
  QuadratureConfig c;
  c.recoil_nodes = q.integer_in("recoil_nodes", 1, limits::kMaxQuadratureNodes, c.recoil_nodes);
  c.energy_nodes = q.integer_in("energy_nodes", 1, limits::kMaxQuadratureNodes, c.energy_nodes);
  c.energy_panels = q.integer_in("energy_panels", 1, limits::kMaxEnergyPanels, c.energy_panels);
  q.finish();
  return c;
}

Json QuadratureConfig::to_json() const {
  return Json{{"recoil_nodes", recoil_nodes},
              {"energy_nodes", energy_nodes},
              {"energy_panels", energy_panels}};
}

double DetectorConfig::molar_mass_g_per_mol() const {
  double m = 0.0;
  for (const auto& iso : isotopes) m += iso.count * iso.atomic_mass_u;
  return m;
}

double DetectorConfig::formula_units() const {
  return constants::avogadro_per_mol * mass_kg * 1000.0 / molar_mass_g_per_mol();
}

double DetectorConfig::endpoint_keV() const {
  double t = 0.0;
  for (const auto& iso : isotopes)
    t = std::max(t, max_recoil_MeV(constants::delayed_endpoint_MeV, iso.nuclear_mass_MeV()) * 1e3);
  return t;
}

double DetectorConfig::flux_normalisation_per_cm2() const {
  if (!sources.empty()) {
    double eta = 0.0;  // SPEC §12: the sources' fluxes add
    for (const DetectorSource& s : sources) eta += s.flux_normalisation_per_cm2();
    return eta;
  }
  return cevns::flux_normalisation_per_cm2(source.nu_per_flavour_per_pot, protons_on_target,
                                           baseline_m);
}

const std::vector<Scenario>& builtin_scenarios() {
  // SPEC §7: name, efficiency, σ_α, σ_β.
  static const std::vector<Scenario> scenarios = {
      {"ideal", 1.00, 0.00, 0.00},
      {"eff50", 0.50, 0.05, 0.10},
      {"sys15", 1.00, 0.15, 0.10},
      {"sys30", 1.00, 0.30, 0.10},
  };
  return scenarios;
}

std::string directory_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string resolve_relative(const std::string& base_dir, const std::string& path) {
  if (!path.empty() && path[0] == '/') return path;
  return base_dir + "/" + path;
}

SourceConfig parse_source(const Json& json, const std::string& file, const std::string& path) {
  JsonObject obj(json, file, path);
  SourceConfig s;
  s.name = obj.string("name", std::string("SNS"));
  s.nu_per_flavour_per_pot = obj.positive("nu_per_flavour_per_pot");
  s.protons_on_target = obj.positive("protons_on_target");
  if (s.protons_on_target > limits::kMaxPlausibleProtonsOnTarget)
    obj.warn("protons_on_target", format_number(s.protons_on_target) +
                                      " protons on target is more than " +
                                      format_number(limits::kMaxPlausibleProtonsOnTarget) +
                                      " (decades of beam at the SNS); is the exponent right?");
  if (obj.has("beam_power_MW")) s.beam_power_MW = obj.positive("beam_power_MW");
  if (obj.has("protons_per_MW_year")) s.protons_per_MW_year = obj.positive("protons_per_MW_year");
  if (obj.has("references")) obj.raw("references");
  obj.string("description", std::string());
  obj.finish();
  s.json = json;
  return s;
}

ExposureConfig parse_exposure(const Json& json, const std::string& file, const std::string& path) {
  JsonObject obj(json, file, path);
  ExposureConfig e;
  e.file = file;
  e.path = path;
  e.years = obj.positive("years");
  if (obj.has("beam_power_MW")) e.beam_power_MW = obj.positive("beam_power_MW");
  obj.finish();
  return e;
}

void resolve_exposure(DetectorConfig& d) {
  if (!d.sources.empty()) {
    resolve_sources(d);
    return;
  }
  if (!d.exposure) {
    d.protons_on_target = d.source.protons_on_target;
    d.json.erase("exposure");
    return;
  }
  const ExposureConfig& e = *d.exposure;
  double power = 0.0;
  d.protons_on_target = run_protons_on_target(e, d.source, &power);
  d.json["exposure"] = {{"years", e.years},
                        {"beam_power_MW", power},
                        {"protons_on_target", d.protons_on_target}};
}

DetectorConfig parse_detector(const Json& json, const std::string& file, const std::string& path,
                              const std::string& base_dir) {
  JsonObject obj(json, file, path);
  DetectorConfig d;
  d.file = file;
  d.name = obj.name("name");
  d.description = obj.string("description", std::string());
  d.mass_kg = obj.positive("mass_kg");
  if (d.mass_kg > limits::kMaxPlausibleMass_kg)
    obj.warn("mass_kg", format_number(d.mass_kg) + " kg is more than " +
                            format_number(limits::kMaxPlausibleMass_kg) + " kg; is the unit kg?");
  // SPEC §12: either one source (`source`, `baseline_m`, `baseline_spread_m`, `exposure`) or a
  // `sources` list, each entry with its own.
  const bool listed = obj.has("sources");
  if (listed) {
    for (const char* key : {"source", "baseline_m", "baseline_spread_m", "exposure"})
      if (obj.has(key))
        obj.fail(key, std::string("expected no \"") + key +
                          "\" beside \"sources\" (each entry of \"sources\" gives its own source, "
                          "baseline_m, baseline_spread_m and exposure)");
  } else {
    d.baseline_m = obj.positive("baseline_m");
    warn_short_baseline(obj, d.baseline_m);
    d.baseline_spread_m = baseline_spread_at(obj, d.baseline_m);
  }
  // Positive: at T = 0 the energy integral would start at E_min(0) = 0, where the oscillation
  // phase 1.27 Δm² L/E has no bound, so its panels (equal steps in 1/E) cannot be laid out
  // (1/E_min = ∞ turns the panel edges into NaN), and no detector sees recoils of zero energy.
  d.threshold_keV = obj.positive("threshold_keV");
  d.efficiency = obj.number(
      "efficiency", [](double x) { return x > 0.0 && x <= 1.0; }, "a number in (0, 1]", 1.0);
  d.bin_width_keV = obj.positive("bin_width_keV", 1.0);
  d.kinematic_correction = obj.boolean("kinematic_correction", false);
  // SPEC §4: tree-level couplings for the forecast's studies; radiatively corrected ones
  // (kernels/couplings.hpp) for fits to measured data.
  if (obj.has("couplings")) {
    const std::string scheme = obj.string("couplings");
    if (scheme == "radiative")
      d.couplings = kRadiativeCouplings;
    else if (scheme != "tree")
      obj.fail("couplings", "expected \"tree\" or \"radiative\", got \"" + scheme + "\"");
  }
  const double skin_fm = obj.finite("neutron_skin_fm", 0.0);
  // form_factors.helm_r0_per_A13_fm: the nuclear radii of COHERENT's rate code dukecevns
  // (FormFactor.cc: Helm with R0 = 1.2 A^(1/3) fm for protons and neutrons); 0: not given.
  double helm_r0_per_a13_fm = 0.0;

  if (obj.has("form_factors")) {
    JsonObject ff = obj.object("form_factors");
    d.proton_form_factor = parse_form_factor(ff, "proton", "proton_shape_fm", d.proton_form_factor);
    d.neutron_form_factor =
        parse_form_factor(ff, "neutron", "neutron_shape_fm", d.neutron_form_factor);
    helm_r0_per_a13_fm = ff.number(
        "helm_r0_per_A13_fm", [](double r) { return r > 0.0 && r < 5.0; },
        "a radius coefficient in fm between 0 and 5 (R0 = coefficient * A^(1/3))", 0.0);
    ff.finish();
  }

  for (const auto& [item, item_path] : obj.array("isotopes")) {
    JsonObject io(*item, file, item_path);
    IsotopeConfig iso;
    iso.name = io.string("name");
    for (const auto& other : d.isotopes)
      if (other.name == iso.name)
        io.fail("name", "expected distinct isotope names, got \"" + iso.name + "\" twice");
    iso.z = io.integer_in("Z", 1, limits::kMaxZ);
    iso.n = io.integer_in("N", 0, limits::kMaxN);
    iso.atomic_mass_u = io.positive("atomic_mass_u");
    if (std::fabs(iso.atomic_mass_u - (iso.z + iso.n)) > 1.0)
      io.fail("atomic_mass_u",
              "expected an atomic mass near A = Z + N = " + std::to_string(iso.z + iso.n) +
                  " u, got " + format_number(iso.atomic_mass_u));
    const bool has_count = io.has("count"), has_abundance = io.has("abundance");
    if (has_count == has_abundance)
      throw InputError(file, item_path,
                       "expected exactly one of \"count\" (atoms per formula unit) or "
                       "\"abundance\" (natural abundance, a fraction)");
    iso.count = has_count ? io.positive("count")
                          : io.number(
                                "abundance", [](double x) { return x > 0.0 && x <= 1.0; },
                                "a number in (0, 1]");
    const double charge_radius = radius_fm(io, "charge_radius_fm", std::nullopt);
    // The proton form factor describes the point protons: R_p from the measured charge radius
    // (host/config/neutron_radius.hpp), unless a proton_rms_radius_fm is given.
    const double rp2 = charge_radius * charge_radius -
                       kProtonChargeRadius_fm * kProtonChargeRadius_fm -
                       double(iso.n) / double(iso.z) * kNeutronChargeRadiusSquared_fm2;
    if (!io.has("proton_rms_radius_fm") && !(rp2 > 0.0))
      io.fail("charge_radius_fm", "expected a charge radius above the nucleons' own (R_ch^2 > " +
                                      format_number(charge_radius * charge_radius - rp2) +
                                      " fm^2), got " + format_number(charge_radius) + " fm");
    const double point_proton =
        rp2 > 0.0 ? point_proton_radius_fm(charge_radius, iso.z, iso.n) : charge_radius;
    iso.proton_rms_radius_fm =
        radius_fm(io, "proton_rms_radius_fm",
                  helm_r0_per_a13_fm > 0.0
                      ? helm_rms_radius_fm(helm_r0_per_a13_fm, iso.z + iso.n, d.proton_form_factor)
                      : point_proton);
    iso.neutron_rms_radius_fm =
        radius_fm(io, "neutron_rms_radius_fm",
                  helm_r0_per_a13_fm > 0.0
                      ? helm_rms_radius_fm(helm_r0_per_a13_fm, iso.z + iso.n, d.neutron_form_factor)
                      : iso.proton_rms_radius_fm + skin_fm);
    io.string("source", std::string());
    io.finish();
    check_radius(io, io.has("proton_rms_radius_fm") ? "proton_rms_radius_fm" : "charge_radius_fm",
                 iso.proton_rms_radius_fm, d.proton_form_factor);
    check_radius(io, "neutron_rms_radius_fm", iso.neutron_rms_radius_fm, d.neutron_form_factor);
    d.isotopes.push_back(iso);
  }

  if (obj.has("acceptance")) {
    JsonObject acc = obj.object("acceptance");
    d.acceptance_recoil_keV = acc.numbers("recoil_keV");
    d.acceptance_value = acc.numbers("value");
    if (d.acceptance_value.size() != d.acceptance_recoil_keV.size())
      acc.fail("value", "expected as many values as recoil_keV entries (" +
                            std::to_string(d.acceptance_recoil_keV.size()) + ")");
    for (std::size_t i = 1; i < d.acceptance_recoil_keV.size(); ++i)
      if (!(d.acceptance_recoil_keV[i] > d.acceptance_recoil_keV[i - 1]))
        acc.fail("recoil_keV", "expected strictly increasing recoil energies");
    for (double v : d.acceptance_value)
      if (v < 0.0 || v > 1.0) acc.fail("value", "expected acceptances between 0 and 1");
    acc.finish();
  }

  if (listed) d.sources = parse_detector_sources(obj, file, base_dir);
  if (!listed && obj.has("source")) d.source = source_at(obj, "source", file, base_dir);

  if (!listed && obj.has("exposure")) d.exposure = parse_exposure(obj.raw("exposure"), file, obj.path_of("exposure"));
  if (obj.has("quadrature")) d.quadrature = parse_quadrature(obj.object("quadrature"));
  if (obj.has("references")) obj.raw("references");  // documentation of the data's sources
  obj.finish();

  const double endpoint = d.endpoint_keV();
  if (d.threshold_keV >= endpoint)
    obj.fail("threshold_keV", "expected a threshold below the end point of the recoil spectrum (" +
                                  format_number(endpoint) + " keV), got " +
                                  format_number(d.threshold_keV));
  check_recoil_bin_count(d, d.bin_width_keV, file, obj.path_of("bin_width_keV"));

  // The resolved config: what the program actually used, source and defaults included.
  d.json = json;
  // The point-proton radii derived from charge radii, beside them.
  for (std::size_t i = 0; i < d.isotopes.size(); ++i)
    if (!d.json["isotopes"][i].contains("proton_rms_radius_fm"))
      d.json["isotopes"][i]["proton_rms_radius_fm"] = d.isotopes[i].proton_rms_radius_fm;
  if (!listed) d.json["source"] = source_json(d.source);
  d.json["quadrature"] = d.quadrature.to_json();
  resolve_exposure(d);
  return d;
}

DetectorConfig load_detector(const std::string& path) {
  const JsonFile file(path);
  return parse_detector(file.json(), path, "", directory_of(path));
}

void check_recoil_bin_count(const DetectorConfig& detector, double width_keV,
                            const std::string& file, const std::string& json_path) {
  const double span_keV = detector.endpoint_keV() - detector.threshold_keV;
  const double bins = std::ceil(span_keV / width_keV);
  if (bins <= limits::kMaxRecoilBins) return;
  throw InputError(file, json_path,
                   "expected a bin width giving at most " + std::to_string(limits::kMaxRecoilBins) +
                       " recoil bins, got " + format_number(width_keV) +
                       " keV: " + format_number(bins) + " bins from the threshold " +
                       format_number(detector.threshold_keV) + " keV to the end point " +
                       format_number(detector.endpoint_keV()) + " keV");
}

}  // namespace cevns
