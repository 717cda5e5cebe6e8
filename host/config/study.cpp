#include "host/config/study.hpp"

#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "host/config/limits.hpp"
#include "host/config/neutron_radius.hpp"

namespace cevns {

std::vector<double> Axis::values() const {
  std::vector<double> v(points);
  for (int i = 0; i < points; ++i) {
    const double f = points == 1 ? 0.0 : double(i) / (points - 1);
    v[i] = log ? std::pow(10.0, std::log10(min) + f * (std::log10(max) - std::log10(min)))
               : min + f * (max - min);
  }
  if (points > 1) v.back() = max;  // exact end points, free of pow() rounding
  v.front() = min;
  return v;
}

bool ScanSpec::is_sterile() const {
  for (const auto& a : axes)
    if (parameter_info(a.id).role == kMixingRole || parameter_info(a.id).role == kSplittingRole)
      return true;
  return false;
}

bool ScanSpec::is_mediator() const {
  for (const auto& a : axes)
    if (parameter_info(a.id).role == kMediatorCouplingRole ||
        parameter_info(a.id).role == kMediatorMassRole)
      return true;
  return false;
}

bool ScanSpec::is_mediator_plane() const {
  return axes.size() == 2 && axes[0].id == kMediatorCoupling && axes[1].id == kMediatorMass;
}

const char* mediator_name(int mediator) {
  switch (mediator) {
    case kVectorUniversal:
      return "vector_universal";
    case kVectorBMinusL:
      return "vector_b_minus_l";
    case kVectorLmuLtau:
      return "vector_lmu_ltau";
    case kScalar:
      return "scalar";
    default:
      return "none";
  }
}

bool ScanSpec::is_quadratic() const {
  for (const auto& a : axes)
    if (parameter_info(a.id).role != kCouplingRole) return false;
  return true;
}

double delta_chi2_for_cl(double cl, int parameters, bool exact) {
  double q;
  if (parameters == 2) {
    q = -2.0 * std::log(1.0 - cl);
  } else {
    // (Φ⁻¹((1 + CL)/2))²: solve erf(z/√2) = CL by bisection.
    double lo = 0.0, hi = 40.0;
    for (int i = 0; i < 200; ++i) {
      const double mid = 0.5 * (lo + hi);
      (std::erf(mid / std::sqrt(2.0)) < cl ? lo : hi) = mid;
    }
    q = 0.25 * (lo + hi) * (lo + hi);
  }
  return exact ? q : std::round(q * 100.0) / 100.0;
}

int parse_mediator(JsonObject& o, const std::string& key) {
  const std::string m =
      o.one_of(key, {"vector_universal", "vector_b_minus_l", "vector_lmu_ltau", "scalar"});
  for (int k : {kVectorUniversal, kVectorBMinusL, kVectorLmuLtau, kScalar})
    if (m == mediator_name(k)) return k;
  return kNoMediator;
}

namespace {

Scenario parse_scenario(const Json& item, const std::string& file, const std::string& path,
                        const std::string& base_dir) {
  // A string ending in .json is a scenario file (configs/scenarios/), any other a built-in name.
  if (item.is_string() && item.get<std::string>().size() > 5 &&
      item.get<std::string>().rfind(".json") == item.get<std::string>().size() - 5) {
    // Held while its content is parsed: a scenario file may itself be a file name.
    const JsonFile f(resolve_relative(base_dir, item.get<std::string>()), file, path);
    return parse_scenario(f.json(), f.path(), "", directory_of(f.path()));
  }
  if (item.is_string()) {
    for (const auto& s : builtin_scenarios())
      if (s.name == item.get<std::string>()) return s;
    throw InputError(file, path,
                     "expected a scenario name (ideal, eff50, sys15, sys30), a scenario file or "
                     "object, got " +
                         describe_json_value(item));
  }
  JsonObject o(item, file, path);
  Scenario s;
  s.name = o.name("name");
  s.efficiency = o.number(
      "efficiency", [](double x) { return x > 0.0 && x <= 1.0; }, "a number in (0, 1]", 1.0);
  s.sigma_alpha = o.non_negative("sigma_alpha", 0.0);
  s.sigma_beta = o.non_negative("sigma_beta", 0.0);
  o.finish();
  return s;
}

}  // namespace

Axis parse_axis(const Json& item, const std::string& file, const std::string& path) {
  JsonObject o(item, file, path);
  Axis a;
  a.parameter = o.string("parameter");
  const std::optional<int> id = find_parameter(a.parameter);
  if (!id)
    o.fail("parameter", "expected " + parameter_names_help() + ", got \"" + a.parameter + "\"");
  a.id = *id;
  a.min = o.finite("min");
  a.max = o.finite("max");
  const double points = o.number(
      "points", [](double x) { return x >= 2 && x == std::floor(x); },
      "an integer number of grid points, at least 2");
  if (points > limits::kMaxAxisPoints)
    o.fail("points", "expected at most " + std::to_string(limits::kMaxAxisPoints) +
                         " grid points per axis, got " + describe_json_value(item["points"]));
  a.points = static_cast<int>(points);
  a.log = o.one_of("scale", {"linear", "log"}, std::string("linear")) == "log";
  o.finish();
  if (!(a.max > a.min))
    o.fail("max", "expected max > min, got min " + describe_json_value(item["min"]) + ", max " +
                      describe_json_value(item["max"]));
  if (a.log && !(a.min > 0.0)) o.fail("min", "expected a positive min on a log axis");
  for (const auto& [key, value] : {std::pair<const char*, double>{"min", a.min}, {"max", a.max}})
    if (!parameter_in_range(a.id, value))
      o.fail(key, "expected " + a.parameter + " " + parameter_range_text(a.id) + ", got " +
                      describe_json_value(item[key]));
  return a;
}

namespace {

ScanSpec parse_scan(const Json& item, const std::string& file, const std::string& path,
                    Method method) {
  JsonObject o(item, file, path);
  ScanSpec s;
  s.name = o.name("name");
  const auto axes = o.array("axes");
  if (axes.size() > 2)
    o.fail("axes", "expected one or two axes, got " + std::to_string(axes.size()));
  for (const auto& [a, p] : axes) s.axes.push_back(parse_axis(*a, file, p));
  if (s.axes.size() == 2 && s.axes[0].parameter == s.axes[1].parameter)
    o.fail("axes", "expected two different parameters, got \"" + s.axes[0].parameter + "\" twice");
  if (o.has("channel")) {
    s.sterile_channel =
        o.one_of("channel", {"nue", "numu"}) == "nue" ? kNuEDisappearance : kNuMuDisappearance;
  }
  if (o.has("mediator")) s.mediator = parse_mediator(o, "mediator");
  s.raster = o.boolean("raster", false);
  if (o.has("fixed")) {
    JsonObject f = o.object("fixed");
    for (const auto& item : o.raw("fixed").items()) {
      const std::optional<int> id = find_parameter(item.key());
      if (!id)
        f.fail(item.key(), "expected a parameter (" + parameter_names_help() + ") as a fixed key");
      for (const auto& a : s.axes)
        if (a.id == *id) f.fail(item.key(), "expected a parameter that is not on the scan's axes");
      s.fixed.emplace_back(*id,
                           f.number(
                               item.key(), [&](double x) { return parameter_in_range(*id, x); },
                               "a value " + parameter_range_text(*id)));
    }
    f.finish();
  }
  o.finish();
  if (s.is_mediator() && s.mediator == kNoMediator)
    o.fail("mediator",
           "missing required key for a mediator scan (expected \"vector_universal\", "
           "\"vector_b_minus_l\", \"vector_lmu_ltau\" or \"scalar\")");
  if (!s.is_mediator() && s.mediator != kNoMediator)
    o.fail("mediator",
           "expected no mediator: this scan has no mediator_coupling or mediator_mass_MeV axis");
  if (s.is_mediator() && s.axes.size() == 2 && s.axes[1].id == kMediatorCoupling &&
      s.axes[0].id == kMediatorMass)
    o.fail("axes",
           "expected a mediator scan's axes in the order mediator_coupling, mediator_mass_MeV");
  if (s.is_sterile() && s.sterile_channel == kNoSterile)
    o.fail("channel", "missing required key for a sterile scan (expected \"nue\" or \"numu\")");
  if (!s.is_sterile() && s.sterile_channel != kNoSterile)
    o.fail("channel", "expected no channel: this scan has no sin2_2theta or dm2_eV2 axis");
  if (s.is_sterile() && s.is_quadratic() == false && s.axes.size() == 2 &&
      !(s.axes[0].id == kSin22Theta && s.axes[1].id == kDm2))
    o.fail("axes", "expected a sterile scan's axes in the order sin2_2theta, dm2_eV2");
  bool fixed_dm2 = false;
  for (const auto& [id, value] : s.fixed) fixed_dm2 = fixed_dm2 || id == kDm2;
  if (s.is_sterile() && s.axes.size() == 1 && !(s.axes[0].id == kSin22Theta && fixed_dm2))
    o.fail("axes",
           "expected two axes (sin2_2theta, dm2_eV2) for a sterile scan, or a sin2_2theta axis "
           "with \"fixed\": {\"dm2_eV2\": ...}");
  if (s.raster && !(s.is_sterile() && s.axes.size() == 2))
    o.fail("raster", "expected raster only on a 2-D sterile scan");
  if (s.is_sterile() && s.is_mediator())
    o.fail("axes", "expected sterile and mediator axes not to be mixed in one scan");
  if (s.is_sterile() && !s.is_quadratic()) {
    bool mixed = false;
    for (const auto& a : s.axes) mixed = mixed || parameter_info(a.id).role == kCouplingRole;
    if (mixed && method != Method::kDirect)
      o.fail("axes",
             "expected sterile and coupling axes not to be mixed in one scan unless the "
             "study sets \"method\": \"direct\"");
  }
  return s;
}

}  // namespace

namespace {

// `combinations: [{name, detectors, correlated}]` of a study whose detectors are parsed.
std::vector<Combination> parse_combinations(JsonObject& study,
                                            const std::vector<DetectorConfig>& detectors,
                                            const StatisticsOptions& statistics) {
  const std::string& file = study.file();
  std::string known;
  for (const auto& d : detectors) known += (known.empty() ? "" : ", ") + d.name;
  const auto detector_index = [&](const std::string& name) {
    for (std::size_t i = 0; i < detectors.size(); ++i)
      if (detectors[i].name == name) return static_cast<int>(i);
    return -1;
  };
  std::vector<Combination> out;
  std::set<std::string> seen;
  for (const auto& [item, path] : study.array("combinations")) {
    JsonObject o(*item, file, path);
    Combination c;
    c.name = o.name("name");
    if (detector_index(c.name) >= 0)
      o.fail("name", "expected a combination name that is not a detector's, got \"" + c.name +
                         "\" (detectors: " + known + ")");
    if (!seen.insert(c.name).second)
      o.fail("name", "expected distinct combination names, got \"" + c.name + "\" twice");
    const Json& list = o.raw("detectors");
    if (!list.is_array() || list.empty())
      o.fail("detectors", "expected a non-empty list of detector names (" + known + "), got " +
                              describe_json_value(list));
    for (std::size_t k = 0; k < list.size(); ++k) {
      const std::string at = o.path_of("detectors") + "/" + std::to_string(k);
      const int index = list[k].is_string() ? detector_index(list[k].get<std::string>()) : -1;
      if (index < 0)
        throw InputError(file, at,
                         "expected the name of one of the study's detectors (" + known + "), got " +
                             describe_json_value(list[k]));
      for (int previous : c.detectors)
        if (previous == index)
          throw InputError(file, at,
                           "expected distinct detectors in a combination, got \"" +
                               detectors[index].name + "\" twice");
      c.detectors.push_back(index);
    }
    if (c.detectors.size() > static_cast<std::size_t>(limits::kMaxCombinedDetectors))
      o.fail("detectors", "expected at most " + std::to_string(limits::kMaxCombinedDetectors) +
                              " detectors in a combination, got " +
                              std::to_string(c.detectors.size()));
    if (o.has("correlated")) {
      const Json& pulls = o.raw("correlated");
      if (!pulls.is_array())
        o.fail("correlated", "expected a list of shared pulls ([\"signal\"] or []), got " +
                                 describe_json_value(pulls));
      for (std::size_t k = 0; k < pulls.size(); ++k) {
        const std::string at = o.path_of("correlated") + "/" + std::to_string(k);
        if (!pulls[k].is_string() || pulls[k].get<std::string>() != "signal")
          throw InputError(file, at,
                           "expected \"signal\" (the signal-normalisation pull; background pulls "
                           "stay per detector), got " +
                               describe_json_value(pulls[k]));
        if (c.shared_signal)
          throw InputError(file, at, "expected each shared pull once, got \"signal\" twice");
        c.shared_signal = true;
      }
    }
    o.finish();
    // The Poisson profile holds the shared signal and every detector's background template.
    if (c.shared_signal && statistics.poisson &&
        c.detectors.size() + 1 > static_cast<std::size_t>(limits::kMaxPoissonTemplates))
      o.fail("detectors", "expected at most " + std::to_string(limits::kMaxPoissonTemplates - 1) +
                              " detectors in a combination with a shared signal under the Poisson "
                              "likelihood, got " +
                              std::to_string(c.detectors.size()));
    out.push_back(std::move(c));
  }
  if (statistics.feldman_cousins)
    throw InputError(file, "/combinations",
                     "expected no combinations with \"statistics\": {\"method\": "
                     "\"feldman_cousins\"} (the toys are drawn per detector; combinations use "
                     "Wilks' thresholds)");
  return out;
}

// `responses`: {detector name: a binned response (host/config/binned_response.hpp)}. A binned
// detector has several background templates, which only the Poisson likelihood holds.
void parse_study_responses(JsonObject& o, const std::string& base_dir, Study* st) {
  st->responses.assign(st->detectors.size(), nullptr);
  if (!o.has("responses")) return;
  const std::string& file = o.file();
  JsonObject all = o.object("responses");
  for (const auto& item : o.raw("responses").items()) {
    const std::string at = o.path_of("responses") + "/" + JsonObject::pointer_token(item.key());
    std::size_t d = 0;
    while (d < st->detectors.size() && st->detectors[d].name != item.key()) ++d;
    if (d == st->detectors.size()) {
      std::string known;
      for (const auto& det : st->detectors) known += (known.empty() ? "" : ", ") + det.name;
      throw InputError(file, at,
                       "expected the name of one of the study's detectors (" + known + "), got \"" +
                           item.key() + "\"");
    }
    (void)all.raw(item.key());
    st->responses[d] = std::make_shared<const BinnedResponse>(
        parse_binned_response(item.value(), file, at, base_dir, st->detectors[d]));
    st->json["responses"][item.key()]["data_dir"] = st->responses[d]->data_dir;
    if (!st->statistics.poisson)
      throw InputError(file, at,
                       "expected \"statistics\": {\"likelihood\": \"poisson\"} in a study with a "
                       "binned detector response (its background templates need the Poisson "
                       "likelihood)");
  }
  all.finish();
}

// Under a shared signal the Poisson profile holds the signal and every member's templates.
void check_combined_templates(JsonObject& o, const Study& st) {
  for (std::size_t k = 0; k < st.combinations.size(); ++k) {
    const Combination& c = st.combinations[k];
    if (!c.shared_signal || !st.statistics.poisson) continue;
    int templates = 1;
    for (int d : c.detectors)
      templates += st.responses[d] ? static_cast<int>(st.responses[d]->backgrounds.size()) : 1;
    if (templates > limits::kMaxPoissonTemplates)
      throw InputError(o.file(), o.path_of("combinations") + "/" + std::to_string(k) + "/detectors",
                       "expected at most " + std::to_string(limits::kMaxPoissonTemplates) +
                           " Poisson templates in a combination with a shared signal (the signal "
                           "and every detector's backgrounds), got " +
                           std::to_string(templates));
  }
}

Json combinations_json(const std::vector<Combination>& combinations,
                       const std::vector<DetectorConfig>& detectors) {
  Json out = Json::array();
  for (const auto& c : combinations) {
    Json names = Json::array();
    for (int d : c.detectors) names.push_back(detectors[d].name);
    out.push_back(Json{{"name", c.name},
                       {"detectors", names},
                       {"correlated", c.shared_signal ? Json::array({"signal"}) : Json::array()}});
  }
  return out;
}

}  // namespace

Json StatisticsOptions::to_json() const {
  return Json{{"method", feldman_cousins ? "feldman_cousins" : "wilks"},
              {"toys", toys},
              {"seed", seed},
              {"likelihood", poisson ? "poisson" : "gaussian"}};
}

StatisticsOptions parse_statistics(const Json& item, const std::string& file,
                                   const std::string& path) {
  JsonObject o(item, file, path);
  StatisticsOptions s;
  s.feldman_cousins =
      o.one_of("method", {"wilks", "feldman_cousins"}, std::string("wilks")) == "feldman_cousins";
  s.toys = o.integer_in("toys", 10, 10000000, 1000);
  s.seed = static_cast<std::uint64_t>(o.integer_in("seed", 0, 2147483647, 1));
  s.poisson = o.one_of("likelihood", {"gaussian", "poisson"}, std::string("gaussian")) == "poisson";
  o.finish();
  if (!s.feldman_cousins && (o.has("toys") || o.has("seed")))
    o.fail(o.has("toys") ? "toys" : "seed",
           "expected no toys or seed with \"method\": \"wilks\" (they set the "
           "Feldman-Cousins construction)");
  return s;
}

Study load_study(const std::string& path) {
  const JsonFile file(path);
  return parse_study(file.json(), path);
}

Study parse_study(const Json& json, const std::string& file) {
  JsonObject o(json, file, "");
  const std::string base_dir = directory_of(file);
  Study st;
  st.file = file;
  st.json = json;
  st.name = o.string("name");
  st.description = o.string("description", std::string());
  st.method = o.one_of("method", {"factorised", "direct"}, std::string("factorised")) == "direct"
                  ? Method::kDirect
                  : Method::kFactorised;

  bool have_source = false;
  SourceConfig source;
  if (o.has("source")) {
    const Json& src = o.raw("source");
    if (src.is_string()) {
      const JsonFile f(resolve_relative(base_dir, src.get<std::string>()), file, "/source");
      source = parse_source(f.json(), f.path(), "");
    } else {
      source = parse_source(src, file, "/source");
    }
    have_source = true;
  }
  bool have_quadrature = false;
  QuadratureConfig quadrature;
  if (o.has("quadrature")) {
    quadrature = parse_quadrature(o.object("quadrature"));
    have_quadrature = true;
  }

  // Per-detector runs (SPEC §12), by detector name: they replace the detectors' own.
  std::map<std::string, ExposureConfig> exposures;
  if (o.has("exposures")) {
    JsonObject e = o.object("exposures");
    for (const auto& [name, value] : o.raw("exposures").items())
      exposures[name] =
          parse_exposure(value, file, o.path_of("exposures") + "/" + JsonObject::pointer_token(name));
    (void)e;
  }
  Json resolved_detectors = Json::array();
  std::set<std::string> names;
  for (const auto& [item, path] : o.array("detectors")) {
    DetectorConfig d;
    if (item->is_string()) {
      const JsonFile f(resolve_relative(base_dir, item->get<std::string>()), file, path);
      d = parse_detector(f.json(), f.path(), "", directory_of(f.path()));
    } else {
      d = parse_detector(*item, file, path, base_dir);
    }
    if (!names.insert(d.name).second)
      throw InputError(file, path,
                       "expected detectors with distinct names, got \"" + d.name + "\" twice");
    if (have_source) {
      if (!d.sources.empty())
        throw InputError(file, "/source",
                         "expected no study-wide source: detector \"" + d.name +
                             "\" lists its own \"sources\"");
      d.source = source;
      d.json["source"] = source.json;
    }
    if (have_quadrature) {
      d.quadrature = quadrature;
      d.json["quadrature"] = quadrature.to_json();
    }
    if (const auto it = exposures.find(d.name); it != exposures.end())
      apply_study_exposure(d, it->second);  // resolves the exposures again
    else
      resolve_exposure(d);  // again: the study's source may differ from the file's
    resolved_detectors.push_back(d.json);
    st.detectors.push_back(std::move(d));
  }

  for (const auto& [name, exposure] : exposures)
    if (!names.count(name)) {
      std::string known;
      for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
      throw InputError(file, exposure.path,
                       "expected the name of one of the study's detectors (" + known + ")");
    }
  Json resolved_scenarios = Json::array();
  if (o.has("scenarios")) {
    std::set<std::string> seen;
    for (const auto& [item, path] : o.array("scenarios")) {
      st.scenarios.push_back(parse_scenario(*item, file, path, base_dir));
      if (!seen.insert(st.scenarios.back().name).second)
        throw InputError(
            file, path,
            "expected distinct scenario names, got \"" + st.scenarios.back().name + "\" twice");
    }
  } else {
    st.scenarios = builtin_scenarios();
  }
  for (const auto& s : st.scenarios)
    resolved_scenarios.push_back(Json{{"name", s.name},
                                      {"efficiency", s.efficiency},
                                      {"sigma_alpha", s.sigma_alpha},
                                      {"sigma_beta", s.sigma_beta}});

  Analysis& an = st.analysis;
  if (o.has("analysis")) {
    JsonObject a = o.object("analysis");
    an.total_only = a.one_of("binning", {"total", "recoil"}, std::string("total")) == "total";
    if (!an.total_only) {
      an.bin_width_keV = a.positive("bin_width_keV");
      for (const auto& d : st.detectors)
        check_recoil_bin_count(d, an.bin_width_keV, file, a.path_of("bin_width_keV"));
    }
    an.background_fraction = a.non_negative("background_fraction", 0.10);
    an.cl = a.number(
        "cl", [](double x) { return x > 0.0 && x < 1.0; }, "a confidence level in (0, 1)", 0.90);
    an.exact_quantiles =
        a.one_of("quantiles", {"rounded", "exact"}, std::string("rounded")) == "exact";
    an.delta_chi2_1d = a.positive("delta_chi2_1d", delta_chi2_for_cl(an.cl, 1, an.exact_quantiles));
    an.delta_chi2_2d = a.positive("delta_chi2_2d", delta_chi2_for_cl(an.cl, 2, an.exact_quantiles));
    a.finish();
  } else {
    an.delta_chi2_1d = delta_chi2_for_cl(an.cl, 1, false);
    an.delta_chi2_2d = delta_chi2_for_cl(an.cl, 2, false);
  }

  // The truth: any parameter; a sterile signal also names its channel.
  st.truth = standard_model();
  if (o.has("truth")) {
    JsonObject t = o.object("truth");
    bool sterile_signal = false, mediator_signal = false;
    for (const auto& item : o.raw("truth").items()) {
      if (item.key() == "sterile_channel" || item.key() == "mediator") continue;
      const std::optional<int> id = find_parameter(item.key());
      if (!id)
        t.fail(item.key(), "expected a parameter (" + parameter_names_help() +
                               "), \"sterile_channel\" or \"mediator\" as a truth key");
      st.truth.value[*id] = t.number(
          item.key(), [&](double x) { return parameter_in_range(*id, x); },
          "a value " + parameter_range_text(*id));
      const int role = parameter_info(*id).role;
      sterile_signal = sterile_signal || role == kMixingRole || role == kSplittingRole;
      mediator_signal =
          mediator_signal || role == kMediatorCouplingRole || role == kMediatorMassRole;
    }
    if (t.has("mediator")) st.truth.mediator = parse_mediator(t, "mediator");
    if (mediator_signal && st.truth.mediator == kNoMediator)
      t.fail("mediator",
             "missing required key for a mediator truth (expected \"vector_universal\", "
             "\"vector_b_minus_l\", \"vector_lmu_ltau\" or \"scalar\")");
    if (t.has("sterile_channel"))
      st.truth.sterile_channel = t.one_of("sterile_channel", {"nue", "numu"}) == "nue"
                                     ? kNuEDisappearance
                                     : kNuMuDisappearance;
    if (sterile_signal && st.truth.sterile_channel == kNoSterile)
      t.fail("sterile_channel",
             "missing required key for a sterile truth (expected \"nue\" or \"numu\")");
    t.finish();
  }

  if (o.has("statistics"))
    st.statistics = parse_statistics(o.raw("statistics"), file, "/statistics");

  std::set<std::string> scan_names;
  for (const auto& [item, path] : o.array("scans")) {
    st.scans.push_back(parse_scan(*item, file, path, st.method));
    if (!scan_names.insert(st.scans.back().name).second)
      throw InputError(file, path + "/name",
                       "expected distinct scan names, got \"" + st.scans.back().name + "\" twice");
    // SPEC §10.4: a neutron-radius axis needs its element in every detector and stays inside
    // each neutron form factor's domain.
    const auto& axes = st.scans.back().axes;
    for (std::size_t k = 0; k < axes.size(); ++k)
      if (is_neutron_radius_parameter(axes[k].id))
        for (const auto& d : st.detectors)
          check_neutron_radius(axes[k].id, axes[k].min, axes[k].max, d, file,
                               path + "/axes/" + std::to_string(k) + "/min");
  }
  parse_study_responses(o, base_dir, &st);
  if (o.has("combinations")) {
    st.combinations = parse_combinations(o, st.detectors, st.statistics);
    check_combined_templates(o, st);
    st.json["combinations"] = combinations_json(st.combinations, st.detectors);
  }
  o.finish();
  // A true neutron radius replaces the configured ones: the Asimov data and every table hold it.
  for (int id = 0; id < kNumParameters; ++id)
    if (is_neutron_radius_parameter(id) && st.truth.value[id] != 0.0)
      for (auto& d : st.detectors)
        check_neutron_radius(id, st.truth.value[id], st.truth.value[id], d, file,
                             std::string("/truth/") + parameter_info(id).name);
  resolved_detectors = Json::array();
  for (auto& d : st.detectors) {
    apply_neutron_radii(st.truth, &d);
    resolved_detectors.push_back(d.json);
  }

  st.json["detectors"] = resolved_detectors;
  st.json["scenarios"] = resolved_scenarios;
  st.json["analysis"] = Json{{"binning", an.total_only ? "total" : "recoil"},
                             {"background_fraction", an.background_fraction},
                             {"cl", an.cl},
                             {"quantiles", an.exact_quantiles ? "exact" : "rounded"},
                             {"delta_chi2_1d", an.delta_chi2_1d},
                             {"delta_chi2_2d", an.delta_chi2_2d}};
  if (!an.total_only) st.json["analysis"]["bin_width_keV"] = an.bin_width_keV;
  st.json["method"] = st.method == Method::kDirect ? "direct" : "factorised";
  if (o.has("statistics")) st.json["statistics"] = st.statistics.to_json();
  st.json.erase("source");
  st.json.erase("quadrature");
  return st;
}

}  // namespace cevns
