// Running a study: for every scan, detector and scenario, the χ² grid on the chosen backend and
// what is derived from it (best fit, intervals, contours, exclusions).
//
// One grid point's way: study JSON → Axis values → GridView::model_at (the PhysicsModel of the
// point) → counts per bin (factorised tables or the direct double integral) → Chi2Accumulator
// (closed-form pulls) → chi2[point] → HDF5 dataset `chi2` (host/scan_output.cpp).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "host/stats/contours.hpp"
#include "host/stats/intervals.hpp"
#include "host/core/progress.hpp"
#include "host/config/study.hpp"
#include "kernels/backend.hpp"

namespace cevns {

// A detector's quadrature and response tables, computed once and shared by all its scans.
struct PreparedDetector {
  const DetectorConfig* config = nullptr;
  std::vector<double> edges_keV;
  RateProblem problem;
  std::vector<Moments> moments;
};

PreparedDetector prepare_detector(const DetectorConfig& detector, const Analysis& analysis,
                                  Backend& backend);

// The counts model of one (detector, scenario, scan): the backend's ScanInput, plus serial
// evaluation on the host at any parameter point (for minimisation and root finding).
class ScanModel {
 public:
  ScanModel(const PreparedDetector& detector, const Study& study, const ScanSpec& scan,
            const Scenario& scenario, Method method, Backend& backend);

  const ScanInput& input() const { return input_; }
  // Predicted counts per bin at a model (efficiency applied).
  std::vector<double> counts(const PhysicsModel& model) const;
  double chi2(const PhysicsModel& model) const;
  PhysicsModel model_at(const std::vector<double>& values) const;  // base + one value per axis

 private:
  const PreparedDetector* detector_;
  const ScanSpec* scan_;
  Method method_;
  double efficiency_;
  std::vector<double> entry_rates_;  // base couplings, no oscillation, efficiency applied
  ScanInput input_;
};

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
  double threshold = 0.0;  // Δχ² of the intervals / contours
  std::vector<double> edges_keV;
  // 1-D
  std::vector<double> predicted_counts;  // [point][bin]
  std::vector<Interval> intervals;
  std::optional<double> sensitivity_percent;  // sin²θ_W scans
  // 2-D
  std::vector<Polyline> contours;
  std::vector<double> raster_exclusion;  // per Δm² row (sterile), NaN where none
  double raster_threshold = 0.0;
  std::vector<std::pair<double, double>> exclusion;  // (Δm², excluded sin²2θ) at 0.1, 1, 10, 100
  bool complete = true;
};

struct ScanOptions {
  Method method = Method::kFactorised;
  std::size_t chunk_points = std::size_t{1} << 20;  // grid points per backend call
  // Rows of axis 1 to compute (for shards): [row_begin, row_end); default all.
  std::size_t row_begin = 0, row_end = static_cast<std::size_t>(-1);
};

// Computes χ² over the selected rows of the grid, chunk by chunk; `on_chunk(first_point, chi2)`
// sees every finished chunk (for checkpoints). Points outside the rows stay NaN.
std::vector<double> compute_chi2_grid(
    const ScanModel& model, Backend& backend, const ScanOptions& options, Progress& progress,
    const std::string& label,
    const std::function<void(std::size_t, const std::vector<double>&)>& on_chunk = {},
    const std::function<bool(std::size_t)>& chunk_done = {});

// The rows of a grid as stored: the first dimension of the `chi2` dataset, i.e. rows of axis 1
// for a 2-D grid (n0 points each) and single points of axis 0 for a 1-D grid. Checkpoints and
// shards work in whole rows; a chunk is `rows_per_chunk` consecutive rows.
struct GridRows {
  std::size_t n_rows = 0;          // n1 (2-D) or n0 (1-D)
  std::size_t row_points = 0;      // n0 (2-D) or 1 (1-D)
  std::size_t rows_per_chunk = 1;  // max(1, chunk_points / row_points)
};
GridRows grid_rows(const ScanInput& input, std::size_t chunk_points);

// Rows [first, second) of shard `index` of `count`: contiguous blocks, balanced to one row.
std::pair<std::size_t, std::size_t> shard_row_range(std::size_t n_rows, std::size_t index,
                                                    std::size_t count);

// Number of chunks covering rows [row_begin, row_end); chunk c holds rows
// [row_begin + c * rows_per_chunk, min(row_begin + (c + 1) * rows_per_chunk, row_end)).
std::size_t chunk_count(const GridRows& rows, std::size_t row_begin, std::size_t row_end);

// Like compute_chi2_grid, but in the rows of GridRows (so 1-D grids are chunked and sharded by
// points too) and with chunk indices: χ² of rows [row_begin, row_end) of `grid` (resized to the
// whole grid and NaN-filled when its size is wrong; values of skipped chunks are kept), chunk by
// chunk. `skip(chunk)` is asked before each chunk (true: already done; it may also throw to stop
// the scan); `finished(chunk, first_row, n_rows, chi2_of_those_rows)` sees every computed chunk.
// Each point's value is the same as compute_chi2_grid's, bit for bit.
// Returns the number of chunks computed.
std::size_t compute_chi2_rows(
    const ScanModel& model, Backend& backend, const GridRows& rows, std::size_t row_begin,
    std::size_t row_end, Progress& progress, const std::string& label, std::vector<double>* grid,
    const std::function<bool(std::size_t)>& skip = {},
    const std::function<void(std::size_t, std::size_t, std::size_t, const double*)>& finished = {});

// The models and (described, not yet computed) results of every scan × detector × scenario of a
// study, in run_study's order. `results[i].spec` points into `study`, which must outlive this.
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

// Runs every scan × detector × scenario of a study.
std::vector<ScanResult> run_study(const Study& study, Backend& backend, const ScanOptions& options,
                                  Progress& progress);

}  // namespace cevns
