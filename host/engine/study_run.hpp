// Running a study (configs/studies/*.json): for every scan, detector and scenario, the model of
// its grid, the grid on the backend (host/engine/grid_driver.hpp) and what is derived from it —
// best fit, intervals, contours, exclusions.
//
// One grid point's way: study JSON → Axis values → GridView::model_at_indices (the PhysicsModel of
// the point) → counts per bin (factorised tables or the direct double integral) →
// Chi2Accumulator (closed-form pulls) → chi2[point] → HDF5 dataset `chi2`
// (host/io/scan_output.cpp).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "host/config/study.hpp"
#include "host/core/progress.hpp"
#include "host/engine/feldman_cousins.hpp"
#include "host/engine/grid_driver.hpp"
#include "host/engine/scan_model.hpp"
#include "host/stats/contours.hpp"
#include "host/stats/intervals.hpp"
#include "kernels/backend.hpp"

namespace cevns {

// A detector's quadrature and response tables, computed once and shared by all its scans.
struct PreparedDetector {
  const DetectorConfig* config = nullptr;
  std::vector<double> edges_keV;              // the recoil bins; empty for a binned response
  std::shared_ptr<const CountsModel> counts;  // the detector's own efficiency applied
  // A binned response (a study's "responses"): the counts are its (observed energy × time) bins,
  // folded from fine true-recoil bins, and its backgrounds are the Poisson templates.
  std::shared_ptr<const BinnedResponse> binned;
};

PreparedDetector prepare_detector(const DetectorConfig& detector, const Analysis& analysis,
                                  Backend& backend,
                                  std::shared_ptr<const BinnedResponse> binned = nullptr);

// The Asimov data of a binned detector under the Poisson likelihood: its prediction at the truth
// (`true_counts`, the scenario's efficiency applied) plus its background templates, the templates
// scaled by the scenario's efficiency, σ_α for the signal, each template's σ (0 when the scenario
// has σ_β = 0).
Statistic binned_asimov_statistic(const std::vector<double>& true_counts,
                                  const BinnedResponse& binned, const Scenario& scenario);

// The model of one (detector, scenario, scan) of a study: Asimov data of the study's truth, the
// scenario's efficiency and pulls, the other parameters at their true values.
std::unique_ptr<ScanModel> make_study_model(const PreparedDetector& detector, const Study& study,
                                            const ScanSpec& scan, const Scenario& scenario,
                                            Method method, Backend& backend);

struct ScanResult {
  std::string scan, detector, scenario;
  const ScanSpec* spec = nullptr;
  Scenario scenario_config;
  double background_fraction = 0.0;
  std::string method;
  std::vector<std::vector<double>> axes;  // values per axis
  std::vector<double> chi2, delta_chi2;   // axis 0 fastest
  double chi2_min = 0.0;
  std::vector<double> best_fit, truth;
  double cl = 0.9;
  double threshold = 0.0;         // Δχ² of the intervals / contours
  std::vector<double> edges_keV;  // empty for a combination and a binned detector
  // A binned detector's response: its counts are (observed energy × arrival time) bins.
  std::shared_ptr<const BinnedResponse> binned;
  // A combination of detectors (SPEC §12): `detector` is its name, these its detectors and
  // whether they share the signal pull.
  std::vector<std::string> combined_detectors;
  bool shared_signal = false;
  // 1-D
  // [point][bin] (a binned detector: [point][observed energy][time]); none for a combination
  std::vector<double> predicted_counts;
  std::vector<Interval> intervals;
  std::optional<double> sensitivity_percent;  // sin²θ_W scans
  // Magnetic-moment scans: the upper end of the highest allowed interval (the CL's upper limit;
  // none when that interval runs to the end of the axis).
  std::optional<double> upper_limit;
  // 2-D
  std::vector<Polyline> contours;
  std::vector<double> raster_exclusion;  // per Δm² row (sterile), NaN where none
  double raster_threshold = 0.0;
  std::vector<std::pair<double, double>> exclusion;  // (Δm², excluded sin²2θ) at 0.1, 1, 10, 100
                                                     // or (mass, excluded coupling) at 1 … 1000 MeV
  // Mediator planes: per entry of `exclusion`, the allowed coupling intervals above the excluded
  // one (opened by destructive interference); per mass row, the smallest excluded coupling on
  // the grid (`row_exclusion`, NaN where none).
  std::vector<std::vector<Interval>> allowed_bands;
  std::vector<double> row_exclusion;
  bool complete = true;
  // Feldman–Cousins (SPEC §11; the study's statistics): the critical Δχ² per grid point, the toys
  // per point, and for 1-D forecasts the spread of the expected limit over toys at the truth.
  // Empty under Wilks' thresholds; when present, intervals, contours and exclusions are drawn
  // where Δχ² < critical_delta_chi2.
  std::vector<double> critical_delta_chi2;
  int toys = 0;
  std::uint64_t seed = 0;
  std::string likelihood = "gaussian";
  std::optional<ExpectedLimitBands> expected_limit_bands;
};

// The Δm² values at which tables and JSON report a sterile exclusion.
inline constexpr double kExclusionDm2_eV2[] = {0.1, 1.0, 10.0, 100.0};

// The mediator masses (MeV) at which tables and JSON report the excluded coupling.
inline constexpr double kExclusionMass_MeV[] = {1.0, 10.0, 100.0, 1000.0};

// The exclusion along one row of a grid (a fixed Δm² or mediator mass; `x_axis` the sterile
// sin²2θ or the coupling): the smallest excluded x, the upper end of the allowed interval
// {x : χ²(x) − reference ≤ threshold} that holds the row's minimum (NaN when that interval runs
// to the end of the axis or no point is allowed), and the allowed intervals above it.
struct RowExclusion {
  double excluded;
  std::vector<Interval> bands_above;
};
RowExclusion fixed_row_exclusion(const std::vector<double>& x_axis, const std::vector<double>& row,
                                 const std::function<double(double)>& eval,
                                 std::optional<double> reference, double threshold);

// The same on the grid alone, for every row: the smallest x above the row's minimum where
// values − reference rises through `threshold`, interpolated linearly (in log10 x if log_x); NaN
// where the row never gets there or its minimum is not allowed.
std::vector<double> grid_row_exclusion(const std::vector<double>& x, std::size_t ny,
                                       const std::vector<double>& values, double reference,
                                       double threshold, bool log_x);

// The smallest excluded sin²2θ at a fixed Δm² (the row `row` of grid values over `s_axis`, `eval`
// the statistic at any sin²2θ of that Δm²): the upper end of the allowed interval
// {s : χ²(s) − reference ≤ threshold} that holds the row's minimum; NaN when that interval runs
// to the end of the axis (nothing excluded) or no point is allowed. Scans call it with the
// global minimum and the two-parameter threshold (or, with `raster`, the row's own minimum and
// the one-parameter threshold); the data fits with the raster convention.
double fixed_dm2_exclusion(const std::vector<double>& s_axis, const std::vector<double>& row,
                           const std::function<double(double)>& eval,
                           std::optional<double> reference, double threshold);

// The exclusions at the fixed rows of a plane (SPEC §6, §10.5): at each Δm² of kExclusionDm2_eV2
// (sterile, `mediator` false) or mass of kExclusionMass_MeV (mediator plane) inside `row_axis`,
// the row over `x_axis` evaluated through `margin(x, row value)` (the statistic less the critical
// value there; 0 under Wilks) and passed to fixed_dm2_exclusion or fixed_row_exclusion with
// `reference` and `threshold`. Appends (row value, excluded x) to `exclusion` and, for mediator
// planes, the allowed bands above it to `allowed_bands`. Scans, streamed scans and data fits share
// it.
void append_fixed_row_exclusions(const std::vector<double>& x_axis, const Axis& row_axis,
                                 bool mediator, const std::function<double(double, double)>& margin,
                                 std::optional<double> reference, double threshold,
                                 std::vector<std::pair<double, double>>* exclusion,
                                 std::vector<std::vector<Interval>>* allowed_bands);

// The models and (described, not yet computed) results of every scan × detector × scenario of a
// study, in the study's order; after each scan's detectors, its combinations × scenarios.
// `results[i].spec` points into `study`, which must outlive this.
struct StudyModels {
  std::vector<std::unique_ptr<PreparedDetector>> detectors;
  std::vector<std::unique_ptr<ScanModel>> models;
  std::vector<ScanResult> results;
};
StudyModels build_study_models(const Study& study, Backend& backend, Method method);

// Everything derived from a complete χ² grid: minimum, Δχ², intervals, contours, exclusions.
void analyse_grid(const ScanModel& model, const Study& study, ScanResult* result);

// The descriptive part of a result (names, axes, truth), before its grid is computed.
ScanResult describe_result(const Study& study, const ScanSpec& scan,
                           const PreparedDetector& detector, const Scenario& scenario,
                           const ScanModel& model);
std::string result_label(const ScanResult& r);  // "scan/detector/scenario"

// The Feldman–Cousins critical values of grid points [first, first + count) of a result's model
// (the whole grid by default), on the backend; then, for a whole 1-D grid, the expected-limit
// bands at the truth.
void compute_critical_values(const ScanModel& model, const Study& study, ScanResult* result,
                             Backend& backend, Progress& progress, std::size_t first = 0,
                             std::size_t count = static_cast<std::size_t>(-1));
void compute_expected_limit_bands(const ScanModel& model, const Study& study, ScanResult* result,
                                  Backend& backend);

// Runs every scan × detector × scenario of a study in memory.
std::vector<ScanResult> run_study(const Study& study, Backend& backend, Method method,
                                  std::size_t chunk_points, Progress& progress);

}  // namespace cevns
