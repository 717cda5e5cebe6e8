// Configs: detectors, sources, scenarios and studies, parsed from JSON and validated.
// The schema is documented in README.md ("Config reference").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "host/config/parameters.hpp"
#include "host/core/json_reader.hpp"
#include "kernels/form_factors.hpp"
#include "kernels/rate_problem.hpp"

namespace cevns {

struct IsotopeConfig {
  std::string name;
  int z = 0, n = 0;
  double atomic_mass_u = 0.0;
  double count = 0.0;  // per formula unit: stoichiometry × natural abundance
  double proton_rms_radius_fm = 0.0;
  double neutron_rms_radius_fm = 0.0;

  double nuclear_mass_MeV() const;  // atomic mass − Z electron masses
};

struct SourceConfig {
  std::string name = "SNS";
  double nu_per_flavour_per_pot = 0.08;
  double protons_on_target = 1.76e23;  // the exposure of detectors that state none (SPEC §2)
  // SPEC §12: what turns a detector's run time into protons on target; 0 where not given.
  double beam_power_MW = 0.0;        // nominal beam power
  double protons_per_MW_year = 0.0;  // protons on target per MW of beam power per year
  Json json;
};

// A detector's run (SPEC §12): `years` at `beam_power_MW` (0: the source's nominal power).
struct ExposureConfig {
  double years = 0.0;
  double beam_power_MW = 0.0;
  std::string file, path;  // where it was stated, for messages
};

// One neutrino source a detector sees (SPEC §12: the second target station is a second source
// with its own baseline), from a detector's `sources` list.
struct DetectorSource {
  SourceConfig source;
  double baseline_m = 0.0;
  double baseline_spread_m = 0.0;          // as DetectorConfig::baseline_spread_m
  std::optional<ExposureConfig> exposure;  // none: the source's protons_on_target
  double protons_on_target = 0.0;          // resolved by resolve_exposure
  std::string path;                        // JSON path of the entry, for messages

  double flux_normalisation_per_cm2() const;  // η = r N_POT / (4π L²) of this source
};

struct QuadratureConfig {
  int recoil_nodes = 32;  // Gauss–Legendre nodes per recoil range
  int energy_nodes = 32;  // Gauss–Legendre nodes per energy panel
  int energy_panels = 1;  // panels per smooth energy segment (raise for fast oscillations)
  Json to_json() const;
};

// {recoil_nodes, energy_nodes, energy_panels}, each defaulting as above.
QuadratureConfig parse_quadrature(JsonObject q);

struct FormFactorConfig {
  int model = kHelm;
  double shape_fm = helm_skin_thickness_fm;
};

struct DetectorConfig {
  std::string name, file, description;
  double mass_kg = 0.0, baseline_m = 0.0, threshold_keV = 0.0, efficiency = 1.0;
  // Half-width of the uniform distribution of baselines seen by the detector (SPEC §12): the
  // oscillation is averaged over [baseline_m − a, baseline_m + a]; 0 is a point-like baseline.
  double baseline_spread_m = 0.0;
  double bin_width_keV = 1.0;
  std::vector<IsotopeConfig> isotopes;
  FormFactorConfig proton_form_factor{kSymmetrizedFermi, fermi_diffuseness_fm};
  FormFactorConfig neutron_form_factor{kHelm, helm_skin_thickness_fm};
  bool kinematic_correction = false;  // g_c of Eq. 7
  int couplings = 0;                  // CouplingScheme: "tree" (SPEC §4) or "radiative"
  std::vector<double> acceptance_recoil_keV, acceptance_value;
  SourceConfig source;
  std::optional<ExposureConfig> exposure;  // none: the source's protons_on_target
  double protons_on_target = 0.0;          // resolved by resolve_exposure
  QuadratureConfig quadrature;
  Json json;  // the resolved config, as recorded in outputs
  // The `sources` form (SPEC §12): every source the detector sees, each with its baseline and
  // run; empty for the single form (`source`, `baseline_m`, `exposure` above). With a list, the
  // fields above repeat its first entry, and the counts are the sum over the list.
  std::vector<DetectorSource> sources;
  // Every source the detector sees: `sources`, or the single form as a one-element list.
  std::vector<DetectorSource> resolved_sources() const;

  double molar_mass_g_per_mol() const;
  double formula_units() const;  // N_D = N_A M_det / M_molar
  double endpoint_keV() const;   // largest T_max(m_μ/2) over the isotopes
  double flux_normalisation_per_cm2() const;  // summed over the sources
};

struct Scenario {
  std::string name;
  double efficiency = 1.0, sigma_alpha = 0.0, sigma_beta = 0.0;
};

// The four scenarios of the forecast (SPEC §7).
const std::vector<Scenario>& builtin_scenarios();

DetectorConfig load_detector(const std::string& path);
DetectorConfig parse_detector(const Json& json, const std::string& file, const std::string& path,
                              const std::string& base_dir);
// Throws InputError(file, json_path, ...) when bins of `width_keV` from the detector's threshold
// to its end point would be more than limits::kMaxRecoilBins.
void check_recoil_bin_count(const DetectorConfig& detector, double width_keV,
                            const std::string& file, const std::string& json_path);
SourceConfig parse_source(const Json& json, const std::string& file, const std::string& path);

// Reads an `exposure` object ({years, beam_power_MW?}) at `path` of `file`.
ExposureConfig parse_exposure(const Json& json, const std::string& file, const std::string& path);

// Sets d.protons_on_target from d.exposure and d.source (years × power × protons per MW-year),
// or to the source's protons_on_target when the detector states no exposure, and records it in
// d.json. Throws InputError at the exposure when the source has no protons_per_MW_year or no
// beam power is given anywhere.
void resolve_exposure(DetectorConfig& d);

// SPEC §12: a study's run for a detector of the `sources` form (`exposures` of a study): `years`
// replaces every source's run time, each keeping its own beam power; a beam power in it is an
// error (the sources' powers differ). Resolves the exposures again.
void apply_study_exposure(DetectorConfig& d, const ExposureConfig& e);

// Provenance of a detector's sources for `--json` outputs: [{name, baseline_m, baseline_spread_m,
// protons_on_target}], one entry per source it sees.
Json sources_summary_json(const DetectorConfig& d);

// Directory part of a path ("." for a bare file name).
std::string directory_of(const std::string& path);
std::string resolve_relative(const std::string& base_dir, const std::string& path);

}  // namespace cevns
