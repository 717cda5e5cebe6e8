// A COHERENT data release ready to fit (CsI 2017, CsI 2021, CENNS-10 LAr 2020): observed counts
// and background templates on the fitted bins, and the CEvNS signal as a CountsModel whose fold
// is the release's detector response.
//
// One data set's way: data-set JSON (configs/data/*.json) → DetectorConfig + ResponseConfig →
// fine true-recoil bins (build_rate_problem) → form-factor Moments per quadrature entry on the
// backend → fold: the response matrix (true recoil → observed energy), then per flux the
// arrival-time PDF (× F90 fraction for LAr) of each fitted (energy, [F90,] time) bin → signal
// counts at any model → Poisson likelihood (kernels/poisson.hpp) with the release's background
// templates, normalisation pulls profiled. Being linear, the fold goes into the factorised tables:
// couplings stay a quadratic form, and a sterile Δm² row is one folded depletion table.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "host/config/config.hpp"
#include "host/config/study.hpp"
#include "host/config/response_matrix.hpp"
#include "host/data/flux_table.hpp"
#include "host/engine/counts_model.hpp"
#include "kernels/backend.hpp"

namespace cevns {

// A one-parameter profile of the data (configs/data/*.json, "fit"/"scans").
struct ScanRequest {
  std::string parameter;
  int id = 0;  // ParameterIndex
  std::vector<double> values;
};

// A two-parameter study of the data: the (ε_ee^uV, ε_eτ^uV) plane, a sterile (sin²2θ, Δm²)
// plane or a light mediator's (g, m) plane ("fit"/"planes").
struct PlaneRequest {
  std::string name;
  std::vector<Axis> axes;      // two; axis 0 varies fastest in the grids
  int channel = kNoSterile;    // sterile planes: kNuEDisappearance or kNuMuDisappearance
  int mediator = kNoMediator;  // mediator planes (axes [mediator_coupling, mediator_mass_MeV])
  bool is_sterile() const { return channel != kNoSterile; }
  bool is_mediator() const { return mediator != kNoMediator; }
};

// One entry of a data config's "fit"/"planes" (at JSON path `path` of `file`), validated.
PlaneRequest parse_plane(const Json& item, const std::string& file, const std::string& path);

// A number the collaboration published for a release ("published" in the data config): a cited
// input to compare with, never computed here. `key` is one of kPublishedKeys; value ± uncertainty
// (lo, hi when asymmetric). `independent`: a determination from the same data by others, set
// beside the program's because the collaboration's own could not be read or was never published
// (the source says whose).
struct PublishedValue {
  std::string key;
  double value = 0.0, lo = 0.0, hi = 0.0;  // lo ≤ value ≤ hi: the stated 1σ range
  double theory_uncertainty = -1.0;        // the theory part of a prediction's; < 0: not stated
  bool independent = false;
  std::string region;  // where a count refers to, when the source says
  // README heading that explains the program's number lying beyond the published 1σ (for a
  // prediction with a stated theory uncertainty: beyond that).
  std::string difference_explained_in;
  std::string source;
  bool has_theory_uncertainty() const { return theory_uncertainty >= 0.0; }
};
// The "published" keys: counts in the release's region, flux-averaged cross-sections per nucleus
// (measured, and the collaboration's SM one), and fitted parameters, each set beside the profile
// of the same name: the weak mixing angle and the neutron rms radius (common to the isotopes).
inline const std::vector<std::string> kPublishedKeys = {
    "cevns_predicted", "cevns_fitted", "flux_averaged_cross_section_cm2",
    "flux_averaged_cross_section_sm_cm2", "sin2_theta_W", "rn_fm"};

struct DataSet {
  std::string name, release, file, data_dir;
  std::vector<PublishedValue> published;
  const PublishedValue* published_value(const std::string& key) const {
    for (const auto& p : published)
      if (p.key == key) return &p;
    return nullptr;
  }
  DetectorConfig detector;
  ResponseConfig response;
  ResponseMatrix matrix;
  std::vector<double> true_edges_keV;
  std::vector<double> energy_edges, extra_edges, time_edges_us;  // extra: F90 (LAr), else one bin
  std::string energy_units;
  int n_energy = 0, n_extra = 1, n_time = 0;
  std::vector<int> used;  // full-grid index ([energy][extra][time]) of each fitted bin
  std::vector<double> data;
  std::vector<std::string> background_names;
  std::vector<std::vector<double>> backgrounds;  // on the fitted bins
  std::vector<double> background_sigmas;
  // The "nuisances" that are on (their templates are among the backgrounds, named
  // nuisance_<name>, with the fixed nuisance_offset after them).
  std::vector<std::string> nuisance_names;
  std::vector<double> full_signal_sm;  // SM signal on every bin of the release's grid
  double signal_sigma = 0.0;
  std::vector<double> time_pdf;        // [flux][time bin], time efficiency applied
  // The neutrino flux ("flux" in the config): the release's simulated energy × time table when
  // its file is present (host/data/flux_table.hpp), else null — SPEC §2's analytic π-DAR spectra
  // and the config's "timing" model. `flux_source` says which, for the output's provenance.
  std::shared_ptr<const FluxTable> flux_table;
  std::string flux_source = "analytic pi-DAR spectra (SPEC 2) and the config's timing model";
  std::vector<double> extra_fraction;  // [energy bin][extra bin]
  // The signal on the fitted bins: quadrature entries of the fine true bins (detector efficiency
  // applied) folded through the response.
  std::shared_ptr<const CountsModel> counts;
  double delta_chi2 = 2.705543454095404;  // 90% CL, one parameter
  int count_points = 121;
  double count_max_factor = 3.0;
  std::vector<ScanRequest> scans;
  std::vector<PlaneRequest> planes;
  double delta_chi2_2d = 4.605170185988091;  // 90% CL, two parameters
  // "statistics" (as in studies): Feldman–Cousins critical values for this data set's own
  // one-parameter profiles (SPEC §11), at the CL of delta_chi2; the likelihood is Poisson.
  StatisticsOptions statistics;
  Json json;

  int n_full() const { return n_energy * n_extra * n_time; }
  // Signal counts on the fitted bins at any model (couplings, sterile disappearance).
  std::vector<double> signal(const PhysicsModel& m) const { return counts->counts(m); }
  // The Poisson statistic's σ per normalisation: the signal's, then each background's.
  std::vector<double> normalisation_sigmas() const;
};

// The first-measurement check (CsI 2017): predicted CEvNS spectrum in the release's PE bins with
// and without g_c, against beam-on coincidence minus anti-coincidence counts.
struct Check {
  std::vector<double> pe_edges, predicted, predicted_gc, prompt_neutrons, measured, error;
  std::vector<double> time_range_us;
};

// Reads a data-set config and the release it names. The data directory is --data-dir, else
// $CEVNS_DATA, else the config's "data_dir" (relative to the config file). A config with a
// "check" block fills `check` (when given) with the first-measurement check.
DataSet load_data_set(const std::string& config_file, const std::optional<std::string>& data_dir,
                      Backend& backend, Check* check = nullptr);

// The fold of a data set's signal onto analysis bins given by their full-grid indices
// ([energy][extra][time]), with per-flux weights time_pdf × extra_fraction.
FoldTables data_fold(const DataSet& d, const std::vector<int>& full_indices);

}  // namespace cevns
