#include "host/engine/scan.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "host/stats/minimise.hpp"
#include "host/engine/quadrature.hpp"
#include "host/engine/rates.hpp"
#include "kernels/scan_point.hpp"

namespace cevns {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

PreparedDetector prepare_detector(const DetectorConfig& detector, const Analysis& analysis,
                                  Backend& backend) {
  PreparedDetector p;
  p.config = &detector;
  p.edges_keV = analysis.total_only ? total_bin_edges_keV(detector)
                                    : recoil_bin_edges_keV(detector, analysis.bin_width_keV);
  p.problem = build_rate_problem(detector, p.edges_keV);
  p.moments = backend.entry_moments(p.problem);
  return p;
}

ScanModel::ScanModel(const PreparedDetector& detector, const Study& study, const ScanSpec& scan,
                     const Scenario& scenario, Method method, Backend& backend)
    : detector_(&detector), scan_(&scan), method_(method) {
  efficiency_ = detector.config->efficiency * scenario.efficiency;
  const RateProblem& problem = detector.problem;
  const int n_bins = problem.n_bins();

  input_.n_axes = static_cast<int>(scan.axes.size());
  for (int k = 0; k < input_.n_axes; ++k) {
    input_.ids[k] = scan.axes[k].id;
    input_.axis[k] = scan.axes[k].values();
  }
  input_.base = study.truth;
  input_.base.sterile = Sterile{scan.sterile_channel, 0.0, 0.0};

  // Factorised tables fall back to the direct path for models that do not factorise.
  if (method_ == Method::kFactorised && !scan.is_quadratic() && !scan.is_sterile())
    method_ = Method::kDirect;

  if (method_ == Method::kDirect) {
    input_.evaluator = ScanInput::kDirect;
    input_.rates = &problem;
    input_.efficiency = efficiency_;
  } else if (scan.is_quadratic()) {
    input_.evaluator = ScanInput::kQuadratic;
    input_.quadratic_table.assign(static_cast<std::size_t>(kNumFluxes) * n_bins, Moments{0, 0, 0});
    for (std::size_t e = 0; e < problem.entries.size(); ++e) {
      const QuadEntry& q = problem.entries[e];
      Moments& t = input_.quadratic_table[static_cast<std::size_t>(q.flux) * n_bins + q.bin];
      t.zz += efficiency_ * detector.moments[e].zz;
      t.zn += efficiency_ * detector.moments[e].zn;
      t.nn += efficiency_ * detector.moments[e].nn;
    }
  } else {
    input_.evaluator = ScanInput::kSterile;
    entry_rates_ = entry_rates(problem, detector.moments, input_.base.couplings);
    for (double& r : entry_rates_) r *= efficiency_;
    input_.unaffected.assign(n_bins, 0.0);
    input_.affected.assign(n_bins, 0.0);
    for (std::size_t e = 0; e < entry_rates_.size(); ++e) {
      const QuadEntry& q = problem.entries[e];
      (sterile_affects(scan.sterile_channel, q.flux) ? input_.affected : input_.unaffected)[q.bin] +=
          entry_rates_[e];
    }
    input_.dm2_axis = -1;
    for (int k = 0; k < input_.n_axes; ++k)
      if (scan.axes[k].id.kind == kDm2) input_.dm2_axis = k;
    input_.depletion = backend.sterile_depletion(problem, entry_rates_, scan.sterile_channel,
                                                 input_.axis[input_.dm2_axis]);
  }
  if (entry_rates_.empty()) {
    entry_rates_ = entry_rates(problem, detector.moments, input_.base.couplings);
    for (double& r : entry_rates_) r *= efficiency_;
  }

  // Asimov data (SPEC §7): the truth's counts plus a background f_bg × N_th(SM truth).
  PhysicsModel truth = study.truth;
  truth.sterile = Sterile{kNoSterile, 0.0, 0.0};
  const std::vector<double> n_true = counts(truth);
  input_.n_exp.resize(n_bins);
  input_.n_bg.resize(n_bins);
  for (int b = 0; b < n_bins; ++b) {
    input_.n_bg[b] = study.analysis.background_fraction * n_true[b];
    input_.n_exp[b] = n_true[b] + input_.n_bg[b];
  }
  input_.sigma_alpha = scenario.sigma_alpha;
  input_.sigma_beta = scenario.sigma_beta;
}

std::vector<double> ScanModel::counts(const PhysicsModel& model) const {
  const RateProblem& problem = detector_->problem;
  const int n_bins = problem.n_bins();
  std::vector<double> out(n_bins, 0.0);
  if (input_.evaluator == ScanInput::kQuadratic) {
    const QuadraticCounts q{input_.quadratic_table.data(), n_bins};
    const auto pt = q.prepare(model);
    for (int b = 0; b < n_bins; ++b) out[b] = q.bin(pt, b);
  } else if (input_.evaluator == ScanInput::kSterile) {
    for (std::size_t e = 0; e < entry_rates_.size(); ++e) {
      const QuadEntry& q = problem.entries[e];
      out[q.bin] += entry_rates_[e] *
                    survival_probability(model.sterile, q.flux, problem.baseline_m, q.energy_MeV);
    }
  } else {
    const DirectCounts d{problem.host_view(), problem.bin_offsets.data(), efficiency_};
    for (int b = 0; b < n_bins; ++b) out[b] = d.bin(DirectCounts::Point{model}, b);
  }
  return out;
}

double ScanModel::chi2(const PhysicsModel& model) const {
  const std::vector<double> n = counts(model);
  Chi2Accumulator acc;
  for (std::size_t b = 0; b < n.size(); ++b) acc.add(n[b], input_.n_exp[b], input_.n_bg[b]);
  return acc.minimum(input_.sigma_alpha, input_.sigma_beta);
}

PhysicsModel ScanModel::model_at(const std::vector<double>& values) const {
  PhysicsModel m = input_.base;
  for (std::size_t k = 0; k < values.size(); ++k) set_parameter(m, input_.ids[k], values[k]);
  return m;
}

std::vector<double> compute_chi2_grid(
    const ScanModel& model, Backend& backend, const ScanOptions& options, Progress& progress,
    const std::string& label,
    const std::function<void(std::size_t, const std::vector<double>&)>& on_chunk,
    const std::function<bool(std::size_t)>& chunk_done) {
  const ScanInput& in = model.input();
  const std::size_t n0 = in.axis[0].size();
  const std::size_t n1 = in.n_axes == 2 ? in.axis[1].size() : 1;
  const std::size_t row_end = std::min(options.row_end, n1);
  const std::size_t rows_per_chunk = std::max<std::size_t>(1, options.chunk_points / n0);
  std::vector<double> chi2(n0 * n1, kNaN);
  progress.start(label, (row_end - std::min(options.row_begin, row_end)) * n0);
  for (std::size_t row = options.row_begin; row < row_end; row += rows_per_chunk) {
    const std::size_t rows = std::min(rows_per_chunk, row_end - row);
    const std::size_t first = row * n0, count = rows * n0;
    if (chunk_done && chunk_done(first)) {
      progress.advance(count);
      continue;
    }
    backend.scan_chi2(in, first, count, chi2.data() + first);
    if (on_chunk) on_chunk(first, std::vector<double>(chi2.begin() + first, chi2.begin() + first + count));
    progress.advance(count);
  }
  progress.finish();
  return chi2;
}

GridRows grid_rows(const ScanInput& in, std::size_t chunk_points) {
  GridRows g;
  const std::size_t n0 = in.axis[0].size();
  g.n_rows = in.n_axes == 2 ? in.axis[1].size() : n0;
  g.row_points = in.n_axes == 2 ? n0 : 1;
  g.rows_per_chunk = std::max<std::size_t>(1, chunk_points / g.row_points);
  return g;
}

std::pair<std::size_t, std::size_t> shard_row_range(std::size_t n_rows, std::size_t index,
                                                    std::size_t count) {
  const auto begin = [&](std::size_t k) {
    return k * (n_rows / count) + std::min(k, n_rows % count);
  };
  return {begin(index), begin(index + 1)};
}

std::size_t chunk_count(const GridRows& rows, std::size_t row_begin, std::size_t row_end) {
  if (row_end <= row_begin) return 0;
  return (row_end - row_begin + rows.rows_per_chunk - 1) / rows.rows_per_chunk;
}

std::size_t compute_chi2_rows(
    const ScanModel& model, Backend& backend, const GridRows& rows, std::size_t row_begin,
    std::size_t row_end, Progress& progress, const std::string& label, std::vector<double>* grid,
    const std::function<bool(std::size_t)>& skip,
    const std::function<void(std::size_t, std::size_t, std::size_t, const double*)>& finished) {
  const std::size_t total = rows.n_rows * rows.row_points;
  if (grid->size() != total) grid->assign(total, kNaN);
  row_end = std::min(row_end, rows.n_rows);
  row_begin = std::min(row_begin, row_end);
  const std::size_t n_chunks = chunk_count(rows, row_begin, row_end);
  std::size_t computed = 0;
  progress.start(label, (row_end - row_begin) * rows.row_points);
  for (std::size_t c = 0; c < n_chunks; ++c) {
    const std::size_t row = row_begin + c * rows.rows_per_chunk;
    const std::size_t n = std::min(rows.rows_per_chunk, row_end - row);
    const std::size_t first = row * rows.row_points, count = n * rows.row_points;
    if (skip && skip(c)) {
      progress.advance(count);
      continue;
    }
    backend.scan_chi2(model.input(), first, count, grid->data() + first);
    ++computed;
    if (finished) finished(c, row, n, grid->data() + first);
    progress.advance(count);
  }
  progress.finish();
  return computed;
}

StudyModels build_study_models(const Study& study, Backend& backend, Method method) {
  StudyModels s;
  for (const auto& detector : study.detectors)
    s.detectors.push_back(
        std::make_unique<PreparedDetector>(prepare_detector(detector, study.analysis, backend)));
  for (const auto& scan : study.scans) {
    for (const auto& detector : s.detectors) {
      for (const auto& scenario : study.scenarios) {
        s.models.push_back(
            std::make_unique<ScanModel>(*detector, study, scan, scenario, method, backend));
        s.results.push_back(describe_result(study, scan, *detector, scenario, *s.models.back()));
      }
    }
  }
  return s;
}

void analyse_grid(const ScanModel& model, const Study& study, ScanResult* r) {
  const ScanSpec& scan = *r->spec;
  const std::size_t n0 = r->axes[0].size();
  const std::size_t best =
      static_cast<std::size_t>(std::min_element(r->chi2.begin(), r->chi2.end()) - r->chi2.begin());
  const double grid_min = r->chi2[best];

  if (scan.axes.size() == 1) {
    r->threshold = study.analysis.delta_chi2_1d;
    const auto f = [&](double x) { return model.chi2(model.model_at({x})); };
    const auto [x_min, f_min] = minimise_1d(r->axes[0], r->chi2, f);
    r->chi2_min = std::min(f_min, grid_min);
    r->best_fit = {f_min <= grid_min ? x_min : r->axes[0][best]};
    r->intervals = allowed_intervals(r->axes[0], r->chi2, r->chi2_min, r->threshold, f);
    if (scan.axes[0].id.kind == kSin2ThetaW) {
      for (const auto& iv : r->intervals)
        if (iv.lo <= r->truth[0] && r->truth[0] <= iv.hi)
          r->sensitivity_percent = symmetrised_sensitivity_percent(iv, r->truth[0]);
    }
    const std::size_t n_bins = r->edges_keV.size() - 1;
    r->predicted_counts.resize(n0 * n_bins);
    for (std::size_t i = 0; i < n0; ++i) {
      const auto c = model.counts(model.model_at({r->axes[0][i]}));
      std::copy(c.begin(), c.end(), r->predicted_counts.begin() + i * n_bins);
    }
  } else {
    r->threshold = study.analysis.delta_chi2_2d;
    const std::vector<double> start = {r->axes[0][best % n0], r->axes[1][best / n0]};
    const auto [x_min, f_min] = minimise_2d(
        [&](const std::vector<double>& x) { return model.chi2(model.model_at(x)); }, start,
        scan.axes);
    r->chi2_min = std::min(f_min, grid_min);
    r->best_fit = f_min <= grid_min ? x_min : start;
    r->contours = contour_lines(r->axes[0], r->axes[1], [&] {
      std::vector<double> d(r->chi2.size());
      for (std::size_t i = 0; i < d.size(); ++i) d[i] = r->chi2[i] - r->chi2_min;
      return d;
    }(), r->threshold, scan.axes[0].log, scan.axes[1].log);

    if (scan.is_sterile()) {
      r->raster_threshold = study.analysis.delta_chi2_1d;
      r->raster_exclusion =
          raster_exclusion(r->axes[0], r->axes[1].size(), r->chi2, r->raster_threshold, scan.axes[0].log);
      const Axis& dm2_axis = scan.axes[1];
      for (double dm2 : {0.1, 1.0, 10.0, 100.0}) {
        if (dm2 < dm2_axis.min || dm2 > dm2_axis.max) continue;
        const auto g = [&](double s) { return model.chi2(model.model_at({s, dm2})); };
        std::vector<double> row(n0);
        for (std::size_t i = 0; i < n0; ++i) row[i] = g(r->axes[0][i]);
        double ref = r->chi2_min, thr = r->threshold;
        if (scan.raster) {
          ref = minimise_1d(r->axes[0], row, g).second;
          thr = r->raster_threshold;
        }
        const auto ivs = allowed_intervals(r->axes[0], row, ref, thr, g);
        const double excluded = ivs.empty() || ivs.front().open_hi ? kNaN : ivs.front().hi;
        r->exclusion.emplace_back(dm2, excluded);
      }
    }
  }
  r->delta_chi2.resize(r->chi2.size());
  for (std::size_t i = 0; i < r->chi2.size(); ++i) r->delta_chi2[i] = r->chi2[i] - r->chi2_min;
}

std::vector<ScanResult> run_study(const Study& study, Backend& backend, const ScanOptions& options,
                                  Progress& progress) {
  // Response tables once per detector, shared by every scan and scenario.
  std::vector<PreparedDetector> prepared;
  for (const auto& detector : study.detectors)
    prepared.push_back(prepare_detector(detector, study.analysis, backend));
  std::vector<ScanResult> results;
  for (const auto& scan : study.scans) {
    for (const auto& detector : prepared) {
      for (const auto& scenario : study.scenarios) {
        const ScanModel model(detector, study, scan, scenario, options.method, backend);
        ScanResult r = describe_result(study, scan, detector, scenario, model);
        r.chi2 = compute_chi2_grid(model, backend, options, progress, result_label(r));
        analyse_grid(model, study, &r);
        results.push_back(std::move(r));
      }
    }
  }
  return results;
}

std::string result_label(const ScanResult& r) {
  return r.scan + "/" + r.detector + "/" + r.scenario;
}

ScanResult describe_result(const Study& study, const ScanSpec& scan,
                           const PreparedDetector& detector, const Scenario& scenario,
                           const ScanModel& model) {
  ScanResult r;
  r.scan = scan.name;
  r.detector = detector.config->name;
  r.scenario = scenario.name;
  r.spec = &scan;
  r.scenario_config = scenario;
  r.background_fraction = study.analysis.background_fraction;
  r.cl = study.analysis.cl;
  r.method = model.input().evaluator == ScanInput::kDirect ? "direct" : "factorised";
  r.edges_keV = detector.edges_keV;
  for (const auto& a : scan.axes) {
    r.axes.push_back(a.values());
    r.truth.push_back(get_parameter(model.input().base, a.id));
  }
  return r;
}

}  // namespace cevns
