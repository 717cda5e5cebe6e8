// `cevns fit`: fits of the CEvNS prediction, folded through a detector response, to the public
// COHERENT data releases (CsI 2017, CsI 2021, CENNS-10 LAr 2020).
//
// One data set's way: data-set JSON (configs/data/*.json) → DetectorConfig + ResponseConfig →
// fine true-recoil bins (build_rate_problem) → form-factor Moments per (flux, true bin) on the
// backend → response matrix fold → Moments per (flux, observed energy bin) → × arrival-time PDF
// per flux (× F90 fraction for LAr) → signal counts per (energy, [F90,] time) bin at any
// couplings → Poisson likelihood (host/likelihood.hpp) with background templates from the
// release, normalisation pulls profiled numerically.
//
// Sterile oscillation (SPEC §5) does not factorise into the folded Moments: P(E) multiplies the
// flux inside the energy integral. The data set therefore also keeps the quadrature entries of
// its fine true bins (each at one neutrino energy E) with their Moments, so that a sterile model
// is N_SM − sin²2θ · D(Δm²), D = Σ_entries rate(E) sin²(1.27 Δm² L/E) per (flux, true bin),
// folded through the same response matrix — the per-entry route of host/scan.cpp.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "host/config/config.hpp"
#include "host/stats/contours.hpp"
#include "host/stats/intervals.hpp"
#include "host/data/response_matrix.hpp"
#include "host/config/study.hpp"
#include "kernels/backend.hpp"

namespace cevns {

struct FitOptions {
  std::vector<std::string> config_files;
  std::optional<std::string> data_dir;  // --data-dir
  std::string json_output;              // --json FILE
  std::string output;                   // -o FILE.h5
  std::string backend = "auto";
  std::string command_line;
  // --only NAME,...: compute only these studies: "n_cevns", profile parameters
  // ("sin2_theta_W", "eps_ee_uV", ...) and plane names ("eps_ee_etau", "sterile_nue", ...).
  // Empty: everything the configs ask for.
  std::vector<std::string> only;
  // --grid-points N: points per axis of every two-parameter plane (0: the configs' values).
  int grid_points = 0;
};

int run_fit(const FitOptions& options);

struct ScanRequest {
  std::string parameter;
  ParameterId id{};
  std::vector<double> values;
};

// A two-parameter study of the data: the (ε_ee^uV, ε_eτ^uV) plane or a sterile (sin²2θ, Δm²)
// plane (configs/data/*.json, "fit"/"planes").
struct PlaneRequest {
  std::string name;
  std::vector<Axis> axes;       // two; axis 0 varies fastest in the grids
  int channel = kNoSterile;     // sterile planes: kNuEDisappearance or kNuMuDisappearance
  bool is_sterile() const { return channel != kNoSterile; }
};

// A data set ready to fit: observed counts and background templates on the kept bins, and the
// CEvNS signal as response-folded Moments, quadratic in the couplings.
struct DataSet {
  std::string name, release, file, data_dir;
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
  double signal_sigma = 0.0;
  std::vector<Moments> true_moments;  // [flux][true bin], detector efficiency applied
  RateProblem problem;                // quadrature entries of the fine true bins
  std::vector<Moments> entry_moments; // per entry, detector efficiency applied
  std::vector<Moments> folded;        // [flux][energy bin]
  std::vector<double> time_pdf;       // [flux][time bin], time efficiency applied
  std::vector<double> extra_fraction; // [energy bin][extra bin]
  double delta_chi2 = 2.705543454095404;  // 90% CL, one parameter
  int count_points = 121;
  double count_max_factor = 3.0;
  std::vector<ScanRequest> scans;
  std::vector<PlaneRequest> planes;
  double delta_chi2_2d = 4.605170185988091;  // 90% CL, two parameters
  Json json;

  int n_full() const { return n_energy * n_extra * n_time; }
  std::vector<double> signal_full(const Couplings& c) const;  // every grid bin
  std::vector<double> signal(const Couplings& c) const;       // the fitted bins
  // Any model, sterile disappearance included (applied per quadrature entry, inside the energy
  // integral); without sterile mixing the same numbers as the Couplings overloads.
  std::vector<double> signal(const PhysicsModel& m) const;
  // Signal on the fitted bins from counts per (flux, observed energy bin).
  std::vector<double> signal_from_folded(const std::vector<double>& per_flux_energy) const;
  // Counts per (flux, observed energy bin) without oscillation, and the sterile depletion
  // D(Δm²) per (flux, observed energy bin): the signal at sin²2θ is folded − sin²2θ · D.
  std::vector<double> folded_counts(const Couplings& c) const;
  std::vector<double> folded_depletion(const Couplings& c, int channel, double dm2_eV2) const;
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

// Expected counts on the fitted bins at nominal nuisances: the Asimov data set of a model.
std::vector<double> asimov_data(const DataSet& d, const PhysicsModel& model);

// −2 ln λ at a physics model, signal and background normalisations profiled.
double profiled_chi2(const DataSet& d, const std::vector<double>& data, const PhysicsModel& model);
// The same for a given signal on the fitted bins.
double profiled_chi2_of_signal(const DataSet& d, const std::vector<double>& data,
                               const std::vector<double>& signal);

struct CountFit {
  double predicted = 0.0;  // SM CEvNS count on the fitted bins
  double best = 0.0, lo = 0.0, hi = 0.0, chi2_min = 0.0;
  std::vector<double> grid, delta_chi2;
};

// Best-fit number of CEvNS events (SM shape, free normalisation) and its 1σ interval,
// Δ(−2 ln λ) = 1, backgrounds profiled.
CountFit fit_cevns_count(const DataSet& d, const std::vector<double>& data);

struct ProfileScan {
  std::string parameter;
  ParameterId id{};
  std::vector<double> values, chi2, delta_chi2;
  double best = 0.0, chi2_min = 0.0, threshold = 0.0;
  std::vector<Interval> intervals;
};

// 1-D profile of one physics parameter over a set of data sets fitted jointly (shared physics,
// separate nuisances); `data[i]` are the counts of `sets[i]`.
ProfileScan scan_parameter(const std::vector<const DataSet*>& sets,
                           const std::vector<std::vector<double>>& data, const ScanRequest& scan,
                           double threshold);

// A two-parameter plane measured from data: −2 ln λ over the grid (nuisances profiled at every
// point), its minimum refined off the grid, the CL contours and, for sterile planes, the raster
// exclusion per Δm² row.
struct PlaneScan {
  PlaneRequest request;
  std::vector<std::vector<double>> axes;   // values per axis
  std::vector<double> chi2, delta_chi2;    // [axis 1][axis 0]
  std::vector<double> best_fit;            // two values
  double chi2_min = 0.0, threshold = 0.0, raster_threshold = 0.0;
  std::vector<Polyline> contours;          // Δ(−2 ln λ) = threshold
  std::vector<double> raster_exclusion;    // sterile: per Δm² row, NaN where nothing excluded
  std::vector<std::pair<double, double>> exclusion;  // sterile: (Δm², sin²2θ) at 0.1, 1, 10, 100
  double delta_chi2_no_mixing = 0.0;       // sterile: −2 ln λ(sin²2θ = 0) − minimum
};

// −2 ln λ of one data set over a plane's grid (axis 0 fastest), OpenMP over the points.
std::vector<double> plane_chi2_grid(const DataSet& d, const std::vector<double>& data,
                                    const PlaneRequest& plane);

// The analysis of a plane over data sets fitted jointly: `grid` is the sum of their
// plane_chi2_grid; off-grid values are profiled again for every set.
PlaneScan analyse_plane(const std::vector<const DataSet*>& sets,
                        const std::vector<std::vector<double>>& data, const PlaneRequest& plane,
                        std::vector<double> grid, double threshold_2d, double threshold_1d);

}  // namespace cevns
