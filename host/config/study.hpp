// Study files: which detectors, scenarios, statistics and parameter grids to scan
// (configs/studies/*.json; schema in README.md).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "host/config/binned_response.hpp"
#include "host/config/config.hpp"

namespace cevns {

struct Axis {
  std::string parameter;  // as written, e.g. "sin2_theta_W", "eps_taue_uV", "dm2_eV2"
  int id = 0;             // its ParameterIndex
  double min = 0.0, max = 0.0;
  int points = 0;
  bool log = false;
  std::vector<double> values() const;
};

// How regions are drawn (SPEC §7, §11): Wilks' thresholds (the default), or the Feldman–Cousins
// construction with `toys` pseudo-experiments per grid point drawn with `seed`; `poisson` makes
// the statistic the Baker–Cousins likelihood instead of the Gaussian χ² of SPEC §7.
struct StatisticsOptions {
  bool feldman_cousins = false;
  int toys = 1000;
  std::uint64_t seed = 1;
  bool poisson = false;
  Json to_json() const;
};

// `statistics` of a study or a data-set config: {method, toys, seed, likelihood}.
StatisticsOptions parse_statistics(const Json& item, const std::string& file,
                                   const std::string& path);

struct ScanSpec {
  std::string name;
  std::vector<Axis> axes;  // one or two
  int sterile_channel = kNoSterile;
  int mediator = kNoMediator;  // the light boson of mediator axes (SPEC §10.1, §10.2)
  bool raster = false;         // sterile exclusions per Δm² row at the 1-parameter Δχ²
  // Parameters off the axes held at given values in this scan (`fixed`: {parameter: value}),
  // instead of the study's truth: e.g. the mediator mass of a coupling scan.
  std::vector<std::pair<int, double>> fixed;
  bool is_sterile() const;   // a sin2_2theta or dm2_eV2 axis
  bool is_mediator() const;  // a mediator_coupling or mediator_mass_MeV axis
  // (mediator_coupling, mediator_mass_MeV): exclusions per mass (host/engine/study_run.hpp)
  bool is_mediator_plane() const;
  bool is_quadratic() const;  // only coupling axes (sin²θ_W, ε): the quadratic-form evaluator
};

struct Analysis {
  bool total_only = true;      // one total count, or recoil bins
  double bin_width_keV = 0.0;  // when binned
  double background_fraction = 0.10;
  double cl = 0.90;
  bool exact_quantiles = false;  // default: quantiles rounded to two decimals (2.71, 4.61)
  double delta_chi2_1d = 0.0, delta_chi2_2d = 0.0;  // derived (or set explicitly)
};

enum class Method { kFactorised, kDirect };

// Several of a study's detectors in one statistic (SPEC §12): `correlated: ["signal"]` shares the
// signal-normalisation pull α across them (the SNS flux), otherwise each keeps its own; the
// background pulls stay per detector. Evaluated per scenario, every detector under that scenario.
struct Combination {
  std::string name;
  std::vector<int> detectors;  // indices into Study::detectors, in the listed order
  bool shared_signal = false;
};

struct Study {
  std::string name, file, description;
  std::vector<DetectorConfig> detectors;
  std::vector<Scenario> scenarios;
  Analysis analysis;
  std::vector<ScanSpec> scans;
  std::vector<Combination> combinations;
  PhysicsModel truth{};  // the Asimov data's model (SM unless set); other parameters are fixed
                         // at their true values in every scan
  Method method = Method::kFactorised;
  StatisticsOptions statistics;
  // Per detector (in `detectors`' order): its response and (observed energy × time) bins when the
  // study's "responses" name it, else null (the detector counts true recoils).
  std::vector<std::shared_ptr<const BinnedResponse>> responses;
  Json json;  // resolved config: detectors and source inlined, defaults filled in
};

// One axis of a grid: {parameter, min, max, points, scale}, validated.
Axis parse_axis(const Json& item, const std::string& file, const std::string& path);

// The mediator of a config's "mediator" value ("vector_universal", "vector_b_minus_l",
// "vector_lmu_ltau", "scalar"), read from the key `key` of `o`, and its name.
int parse_mediator(JsonObject& o, const std::string& key);
const char* mediator_name(int mediator);

Study load_study(const std::string& path);
Study parse_study(const Json& json, const std::string& file);

// Δχ² for a confidence level and 1 or 2 parameters (chi-square quantile), optionally rounded to
// two decimals as in the forecast's tables.
double delta_chi2_for_cl(double cl, int parameters, bool exact);

}  // namespace cevns
