// Fits of the CEvNS prediction, folded through a detector response, to the public COHERENT data
// releases (host/data/data_set.hpp): the CEvNS count, one-parameter profiles and two-parameter
// planes, per data set and jointly. Profiles and planes are grids of the engine
// (host/engine/grid_driver.hpp) with the Poisson statistic, on the chosen backend. The command
// around them (printing, JSON, HDF5) is host/cli/command_fit.cpp.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "host/core/progress.hpp"
#include "host/data/data_set.hpp"
#include "host/engine/scan_model.hpp"
#include "host/stats/contours.hpp"
#include "host/stats/intervals.hpp"
#include "kernels/backend.hpp"

namespace cevns {

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
  int id = 0;
  std::vector<double> values, chi2, delta_chi2;
  double best = 0.0, chi2_min = 0.0, threshold = 0.0;
  std::vector<Interval> intervals;
  std::vector<double> critical_delta_chi2;  // Feldman–Cousins; empty under Wilks
  int toys = 0;
  std::uint64_t seed = 0;
};

// The grid of one data set over `axes` (the other parameters, the sterile channel and the
// mediator those of `base`), with the Poisson statistic of `data`, computed by the engine on the
// backend: the model (which also evaluates the statistic off the grid) and −2 ln λ at every point.
struct DataGrid {
  std::unique_ptr<ScanModel> model;
  std::vector<double> chi2;
};
DataGrid data_grid(const DataSet& d, const std::vector<double>& data,
                   const std::vector<GridAxis>& axes, const PhysicsModel& base, Backend& backend,
                   Progress& progress, const std::string& label);

// The model off a plane's axes: the SM with the plane's sterile channel or mediator.
PhysicsModel plane_base(const PlaneRequest& plane);

// The profile of one parameter over data sets fitted jointly (shared physics, separate
// nuisances): `models` are the sets' grids of the scan, `grid` the sum of their −2 ln λ.
ProfileScan analyse_profile(const std::vector<const ScanModel*>& models, const ScanRequest& scan,
                            std::vector<double> grid, double threshold);

// Feldman–Cousins (SPEC §11) for fits to data: critical values from toys around every grid
// point — per data set, Poisson counts around the prediction with that set's nuisances at their
// best fit to its data, and constraint centres drawn around them — with the statistic of the fit
// (for several sets, the sum of theirs) minimised over the grid. `models` are the data sets'
// grids of one profile or plane (the same points), fitted jointly when there are several; set i
// draws its toys with the key data_set_seed(seed, i), so every (seed, data set, point, toy) has
// its own random numbers. `cl` is the confidence level of the critical values. The minimum over
// the grid is found by a branch and bound with lower bounds of the profiles (kernels/toys.hpp,
// screened_toy_statistic: exact, to 1e-9 relative); `screen = false` profiles every point
// instead (slow: for tests and benchmarks).
std::vector<double> feldman_cousins_critical_values(const std::vector<const ScanModel*>& models,
                                                    const StatisticsOptions& statistics, double cl,
                                                    Backend& backend, Progress& progress,
                                                    const std::string& label, bool screen = true);

// The Philox key of data set `set`'s toys: the seed (< 2³¹) in the low 32 bits, the set's index
// in the high ones; set 0 keeps the seed itself, so a single data set's toys are the same alone
// and as the first set of a joint fit.
std::uint64_t data_set_seed(std::uint64_t seed, std::size_t set);

// The CL of a Wilks threshold: of one parameter (χ²₁) or of two (χ²₂).
double cl_of_threshold(double threshold, int n_parameters);

// The statistics of a fit of several data sets: their `statistics` must agree (method, toys,
// seed); otherwise an InputError naming the first set that differs, at /statistics.
StatisticsOptions joint_statistics(const std::vector<const DataSet*>& sets);

// Feldman–Cousins for a profile (one data set or several jointly): its critical values at the
// CL of its threshold, and its intervals drawn with them.
void feldman_cousins_profile(const std::vector<const ScanModel*>& models,
                             const StatisticsOptions& statistics, Backend& backend,
                             Progress& progress, ProfileScan* profile);

// 1-D profile of one physics parameter over data sets fitted jointly; `data[i]` are the counts
// of `sets[i]`.
ProfileScan scan_parameter(const std::vector<const DataSet*>& sets,
                           const std::vector<std::vector<double>>& data, const ScanRequest& scan,
                           double threshold, Backend& backend, Progress& progress);

// A two-parameter plane measured from data: −2 ln λ over the grid (nuisances profiled at every
// point), its minimum refined off the grid, the CL contours, for sterile planes the raster
// exclusion per Δm² row, and for mediator planes the exclusion per mass as in the scans
// (host/engine/study_run.hpp: the global minimum and the two-parameter threshold).
struct PlaneScan {
  PlaneRequest request;
  std::vector<std::vector<double>> axes;  // values per axis
  std::vector<double> chi2, delta_chi2;   // [axis 1][axis 0]
  std::vector<double> best_fit;           // two values
  double chi2_min = 0.0, threshold = 0.0, raster_threshold = 0.0;
  std::vector<Polyline> contours;        // Δ(−2 ln λ) = threshold
  std::vector<double> raster_exclusion;  // sterile: per Δm² row, NaN where nothing excluded
  // sterile: (Δm², sin²2θ) at 0.1, 1, 10, 100 eV²; mediator: (mass, coupling) at 1 … 1000 MeV
  std::vector<std::pair<double, double>> exclusion;
  double delta_chi2_no_mixing = 0.0;  // sterile: −2 ln λ(sin²2θ = 0) − minimum
  // mediator: per entry of `exclusion`, the allowed coupling intervals above it; per mass row the
  // smallest excluded coupling on the grid (NaN where none)
  std::vector<std::vector<Interval>> allowed_bands;
  std::vector<double> row_exclusion;
  // Feldman–Cousins (a data set's `statistics`): the critical Δ(−2 ln λ) per grid point, with
  // which contours and exclusions are drawn; empty under Wilks' thresholds.
  std::vector<double> critical_delta_chi2;
  int toys = 0;
  std::uint64_t seed = 0;
};

// One data set's grid of a plane (axis 0 fastest).
DataGrid plane_grid(const DataSet& d, const std::vector<double>& data, const PlaneRequest& plane,
                    Backend& backend, Progress& progress);

// The analysis of a plane over data sets fitted jointly: `models` are their plane_grid models,
// `grid` the sum of their −2 ln λ; off-grid values are evaluated by every model. With
// Feldman–Cousins `critical` values (one per grid point) the contours are those of Δ − t_c at 0
// and the exclusions those of the global construction with t_c (interpolated between points);
// the sterile raster exclusion stays the per-row Wilks construction at threshold_1d.
PlaneScan analyse_plane(const std::vector<const ScanModel*>& models, const PlaneRequest& plane,
                        std::vector<double> grid, double threshold_2d, double threshold_1d,
                        std::vector<double> critical = {});

}  // namespace cevns
