#include "host/engine/study_run.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

#include "host/config/neutron_radius.hpp"
#include "host/engine/quadrature.hpp"
#include "host/stats/minimise.hpp"
#include "kernels/electromagnetic.hpp"

namespace cevns {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

Statistic binned_asimov_statistic(const std::vector<double>& true_counts,
                                  const BinnedResponse& binned, const Scenario& scenario) {
  // The Asimov data are the prediction: the truth's signal plus every background template. The
  // scenario's efficiency scales the backgrounds with the signal (as f_bg N_th does unbinned);
  // σ_α is the signal's normalisation, and a scenario without a background pull (σ_β = 0) fixes
  // every template's normalisation too.
  Statistic s;
  s.kind = ScanInput::kPoisson;
  s.data = true_counts;
  s.sigmas = {scenario.sigma_alpha};
  for (const auto& bg : binned.backgrounds) {
    std::vector<double> t(bg.counts.size());
    for (std::size_t i = 0; i < t.size(); ++i) {
      t[i] = scenario.efficiency * bg.counts[i];
      s.data[i] += t[i];
    }
    s.backgrounds.push_back(std::move(t));
    s.sigmas.push_back(scenario.sigma_beta > 0.0 ? bg.sigma : 0.0);
  }
  return s;
}

PreparedDetector prepare_detector(const DetectorConfig& detector, const Analysis& analysis,
                                  Backend& backend, std::shared_ptr<const BinnedResponse> binned) {
  PreparedDetector p;
  p.config = &detector;
  if (binned) {
    // Fine true-recoil bins folded into the response's (energy × time) bins (SPEC §9: the fold is
    // linear, so it goes into every factorised table).
    auto problem =
        std::make_shared<const RateProblem>(build_rate_problem(detector, binned->true_edges_keV));
    auto moments = std::make_shared<const std::vector<Moments>>(backend.entry_moments(*problem));
    p.counts = std::make_shared<const CountsModel>(std::move(problem), std::move(moments),
                                                   detector.efficiency, binned->fold());
    p.binned = std::move(binned);
    return p;
  }
  p.edges_keV = analysis.total_only ? total_bin_edges_keV(detector)
                                    : recoil_bin_edges_keV(detector, analysis.bin_width_keV);
  auto problem = std::make_shared<const RateProblem>(build_rate_problem(detector, p.edges_keV));
  auto moments = std::make_shared<const std::vector<Moments>>(backend.entry_moments(*problem));
  p.counts = std::make_shared<const CountsModel>(std::move(problem), std::move(moments),
                                                 detector.efficiency);
  return p;
}

std::unique_ptr<ScanModel> make_study_model(const PreparedDetector& detector, const Study& study,
                                            const ScanSpec& scan, const Scenario& scenario,
                                            Method method, Backend& backend) {
  auto counts = std::make_shared<const CountsModel>(
      detector.counts->with_efficiency(detector.config->efficiency * scenario.efficiency));
  // Asimov data (SPEC §7): the truth's counts plus a background f_bg × N_th(truth).
  Statistic stats =
      detector.binned
          ? binned_asimov_statistic(counts->counts(study.truth), *detector.binned, scenario)
          : asimov_statistic(counts->counts(study.truth), study.analysis.background_fraction,
                             scenario.sigma_alpha, scenario.sigma_beta);
  if (study.statistics.poisson && !detector.binned)
    stats = asimov_poisson_statistic(std::move(stats));
  // Parameters off the axes stay at their true values (or the scan's fixed ones); a sterile scan
  // tests its own channel.
  PhysicsModel base = study.truth;
  for (const auto& [id, value] : scan.fixed) base.value[id] = value;
  if (scan.is_sterile()) base.sterile_channel = scan.sterile_channel;
  if (scan.is_mediator()) base.mediator = scan.mediator;
  return std::make_unique<ScanModel>(std::move(counts), grid_axes(scan.axes), base,
                                     std::move(stats), method, backend);
}

RowExclusion fixed_row_exclusion(const std::vector<double>& x_axis, const std::vector<double>& row,
                                 const std::function<double(double)>& eval,
                                 std::optional<double> reference, double threshold) {
  const auto [x_min, row_min] = minimise_1d(x_axis, row, eval);
  RowExclusion r{kNaN, {}};
  bool found = false;
  for (const Interval& iv :
       allowed_intervals(x_axis, row, reference ? *reference : row_min, threshold, eval)) {
    if (found) r.bands_above.push_back(iv);
    if (!found && iv.lo <= x_min && x_min <= iv.hi) {
      found = true;
      r.excluded = iv.open_hi ? kNaN : iv.hi;
    }
  }
  return r;
}

double fixed_dm2_exclusion(const std::vector<double>& s_axis, const std::vector<double>& row,
                           const std::function<double(double)>& eval,
                           std::optional<double> reference, double threshold) {
  return fixed_row_exclusion(s_axis, row, eval, reference, threshold).excluded;
}

std::vector<double> grid_row_exclusion(const std::vector<double>& x, std::size_t ny,
                                       const std::vector<double>& values, double reference,
                                       double threshold, bool log_x) {
  const std::size_t nx = x.size();
  std::vector<double> out(ny, kNaN);
  for (std::size_t iy = 0; iy < ny; ++iy) {
    const double* v = values.data() + iy * nx;
    const std::size_t i_min = static_cast<std::size_t>(std::min_element(v, v + nx) - v);
    if (!(v[i_min] - reference <= threshold)) continue;
    for (std::size_t i = i_min + 1; i < nx; ++i) {
      const double a = v[i - 1] - reference - threshold, b = v[i] - reference - threshold;
      if (std::isnan(b)) break;
      if (b > 0.0) {
        const double f = a / (a - b);
        const double x0 = log_x ? std::log10(x[i - 1]) : x[i - 1];
        const double x1 = log_x ? std::log10(x[i]) : x[i];
        const double xc = x0 + f * (x1 - x0);
        out[iy] = log_x ? std::pow(10.0, xc) : xc;
        break;
      }
    }
  }
  return out;
}

StudyModels build_study_models(const Study& study, Backend& backend, Method method) {
  StudyModels s;
  for (std::size_t d = 0; d < study.detectors.size(); ++d)
    s.detectors.push_back(std::make_unique<PreparedDetector>(
        prepare_detector(study.detectors[d], study.analysis, backend,
                         d < study.responses.size() ? study.responses[d] : nullptr)));
  for (const auto& scan : study.scans) {
    const std::size_t first = s.models.size();  // this scan's (detector, scenario) models
    for (const auto& detector : s.detectors)
      for (const auto& scenario : study.scenarios) {
        s.models.push_back(make_study_model(*detector, study, scan, scenario, method, backend));
        s.results.push_back(describe_result(study, scan, *detector, scenario, *s.models.back()));
      }
    // Combinations (SPEC §12): per scenario, the grids of their detectors under that scenario.
    for (const auto& combination : study.combinations)
      for (std::size_t k = 0; k < study.scenarios.size(); ++k) {
        std::vector<const ScanModel*> members;
        for (int d : combination.detectors)
          members.push_back(s.models[first + d * study.scenarios.size() + k].get());
        ScanResult r = s.results[first + combination.detectors[0] * study.scenarios.size() + k];
        s.models.push_back(std::make_unique<ScanModel>(members, combination.shared_signal));
        r.detector = combination.name;
        r.edges_keV.clear();
        r.binned = nullptr;
        for (int d : combination.detectors) r.combined_detectors.push_back(study.detectors[d].name);
        r.shared_signal = combination.shared_signal;
        s.results.push_back(std::move(r));
      }
  }
  return s;
}

void append_fixed_row_exclusions(const std::vector<double>& x_axis, const Axis& row_axis,
                                 bool mediator, const std::function<double(double, double)>& margin,
                                 std::optional<double> reference, double threshold,
                                 std::vector<std::pair<double, double>>* exclusion,
                                 std::vector<std::vector<Interval>>* allowed_bands) {
  const auto fixed = [&](double y) {
    const auto g = [&](double x) { return margin(x, y); };
    std::vector<double> row(x_axis.size());
    for (std::size_t i = 0; i < x_axis.size(); ++i) row[i] = g(x_axis[i]);
    if (!mediator) {
      exclusion->emplace_back(y, fixed_dm2_exclusion(x_axis, row, g, reference, threshold));
      return;
    }
    const RowExclusion e = fixed_row_exclusion(x_axis, row, g, reference, threshold);
    exclusion->emplace_back(y, e.excluded);
    allowed_bands->push_back(e.bands_above);
  };
  if (mediator) {
    for (double mass : kExclusionMass_MeV)
      if (mass >= row_axis.min && mass <= row_axis.max) fixed(mass);
  } else {
    for (double dm2 : kExclusionDm2_eV2)
      if (dm2 >= row_axis.min && dm2 <= row_axis.max) fixed(dm2);
  }
}

void analyse_grid(const ScanModel& model, const Study& study, ScanResult* r) {
  const ScanSpec& scan = *r->spec;
  const std::size_t n0 = r->axes[0].size();
  const std::size_t best =
      static_cast<std::size_t>(std::min_element(r->chi2.begin(), r->chi2.end()) - r->chi2.begin());
  const double grid_min = r->chi2[best];
  // Δχ² over the whole grid, once its minimum is known (the 2-D contours are traced on it).
  const auto set_delta_chi2 = [&] {
    r->delta_chi2.resize(r->chi2.size());
    for (std::size_t i = 0; i < r->chi2.size(); ++i) r->delta_chi2[i] = r->chi2[i] - r->chi2_min;
  };

  // Feldman–Cousins: allowed where χ² − t_c(x) − χ²_min ≤ 0, t_c interpolated between points.
  const bool fc = !r->critical_delta_chi2.empty();
  std::vector<bool> log_axes;
  for (const auto& a : scan.axes) log_axes.push_back(a.log);
  const auto critical_at = [&](const std::vector<double>& x) {
    return fc ? interpolate_on_grid(r->axes, log_axes, r->critical_delta_chi2, x) : 0.0;
  };
  // χ² − t_c at a point off the grid (a fixed row's exclusion).
  const auto margin = [&](double x, double y) {
    return model.chi2(model.model_at({x, y})) - critical_at({x, y});
  };
  std::vector<double> fc_chi2;  // χ² − t_c on the grid
  if (fc)
    for (std::size_t i = 0; i < r->chi2.size(); ++i)
      fc_chi2.push_back(r->chi2[i] - r->critical_delta_chi2[i]);

  if (scan.axes.size() == 1) {
    r->threshold = study.analysis.delta_chi2_1d;
    const auto f = [&](double x) { return model.chi2(model.model_at({x})); };
    const auto [x_min, f_min] = minimise_1d(r->axes[0], r->chi2, f);
    r->chi2_min = std::min(f_min, grid_min);
    r->best_fit = {f_min <= grid_min ? x_min : r->axes[0][best]};
    if (fc)
      r->intervals = allowed_intervals(r->axes[0], fc_chi2, r->chi2_min, 0.0,
                                       [&](double x) { return f(x) - critical_at({x}); });
    else
      r->intervals = allowed_intervals(r->axes[0], r->chi2, r->chi2_min, r->threshold, f);
    set_delta_chi2();
    if (is_magnetic_moment(scan.axes[0].id) && !r->intervals.empty() &&
        !r->intervals.back().open_hi)
      r->upper_limit = r->intervals.back().hi;
    if (scan.axes[0].id == kSin2ThetaW) {
      for (const auto& iv : r->intervals)
        if (iv.lo <= r->truth[0] && r->truth[0] <= iv.hi)
          r->sensitivity_percent = symmetrised_sensitivity_percent(iv, r->truth[0]);
    }
    const std::size_t n_bins = !r->edges_keV.empty() ? r->edges_keV.size() - 1
                               : r->binned         ? static_cast<std::size_t>(r->binned->n_bins())
                                                   : 0;
    r->predicted_counts.resize(n0 * n_bins);
    for (std::size_t i = 0; i < n0 && n_bins > 0; ++i) {
      const auto c = model.counts(model.model_at({r->axes[0][i]}));
      std::copy(c.begin(), c.end(), r->predicted_counts.begin() + i * n_bins);
    }
  } else {
    r->threshold = study.analysis.delta_chi2_2d;
    std::tie(r->best_fit, r->chi2_min) = minimise_grid_2d(
        [&](const std::vector<double>& x) { return model.chi2(model.model_at(x)); }, r->axes[0],
        r->axes[1], r->chi2, scan.axes);
    set_delta_chi2();
    if (fc) {
      std::vector<double> margin(r->delta_chi2.size());
      for (std::size_t i = 0; i < margin.size(); ++i)
        margin[i] = r->delta_chi2[i] - r->critical_delta_chi2[i];
      r->contours =
          contour_lines(r->axes[0], r->axes[1], margin, 0.0, scan.axes[0].log, scan.axes[1].log);
    } else {
      r->contours = contour_lines(r->axes[0], r->axes[1], r->delta_chi2, r->threshold,
                                  scan.axes[0].log, scan.axes[1].log);
    }

    if (scan.is_sterile()) {
      r->raster_threshold = study.analysis.delta_chi2_1d;
      r->raster_exclusion = raster_exclusion(r->axes[0], r->axes[1].size(), r->chi2,
                                             r->raster_threshold, scan.axes[0].log);
      append_fixed_row_exclusions(
          r->axes[0], scan.axes[1], false, margin,
          fc || !scan.raster ? std::optional<double>(r->chi2_min) : std::nullopt,
          fc            ? 0.0
          : scan.raster ? r->raster_threshold
                        : r->threshold,
          &r->exclusion, &r->allowed_bands);
    }
    if (scan.is_mediator_plane()) {
      // SPEC §10.5: at a fixed mass the coupling is the row's one parameter; the exclusion is the
      // upper end of the allowed interval around the row's minimum (g → 0 for the SM truth),
      // relative to the global minimum at the plane's threshold, as for the sterile plane.
      r->row_exclusion = grid_row_exclusion(r->axes[0], r->axes[1].size(), fc ? fc_chi2 : r->chi2,
                                            r->chi2_min, fc ? 0.0 : r->threshold, scan.axes[0].log);
      append_fixed_row_exclusions(r->axes[0], scan.axes[1], true, margin, r->chi2_min,
                                  fc ? 0.0 : r->threshold, &r->exclusion, &r->allowed_bands);
    }
  }
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
  r.method = model.direct() ? "direct" : "factorised";
  r.likelihood = study.statistics.poisson ? "poisson" : "gaussian";
  if (study.statistics.feldman_cousins) {
    r.toys = study.statistics.toys;
    r.seed = study.statistics.seed;
  }
  r.edges_keV = detector.edges_keV;
  r.binned = detector.binned;
  for (const auto& a : scan.axes) {
    r.axes.push_back(a.values());
    r.truth.push_back(study.truth.value[a.id]);
    // A neutron radius the truth leaves unset is the detector's configured one.
    if (is_neutron_radius_parameter(a.id) && r.truth.back() == 0.0)
      r.truth.back() = configured_neutron_radius_fm(a.id, *detector.config);
  }
  return r;
}

std::string result_label(const ScanResult& r) {
  return r.scan + "/" + r.detector + "/" + r.scenario;
}

void compute_critical_values(const ScanModel& model, const Study& study, ScanResult* r,
                             Backend& backend, Progress& progress, std::size_t first,
                             std::size_t count) {
  const std::size_t n = model.input().n_points();
  first = std::min(first, n);
  count = std::min(count, n - first);
  r->toys = study.statistics.toys;
  r->seed = study.statistics.seed;
  if (r->critical_delta_chi2.size() != n)
    r->critical_delta_chi2.assign(n, std::numeric_limits<double>::quiet_NaN());
  const auto toys = backend.prepare_toys(make_toy_input(model, study.statistics.seed));
  progress.start(result_label(*r) + " toys", count);
  const std::vector<double> t =
      critical_values(*toys, first, count, study.statistics.toys, study.analysis.cl, progress);
  progress.finish();
  std::copy(t.begin(), t.end(), r->critical_delta_chi2.begin() + first);
}

void compute_expected_limit_bands(const ScanModel& model, const Study& study, ScanResult* r,
                                  Backend& backend) {
  if (r->critical_delta_chi2.empty()) return;
  if (r->axes.size() == 2) {
    if (!r->spec->is_sterile() && !r->spec->is_mediator_plane()) return;
    const auto toys = backend.prepare_toys(
        make_toy_input(model, study.statistics.seed, {model.model_at({r->truth[0], r->truth[1]})}));
    r->expected_limit_bands = expected_exclusion_bands(
        *toys, model.input().n_points(), r->axes[0], r->axes[1].size(), r->spec->axes[0].log,
        r->critical_delta_chi2, study.statistics.toys);
    return;
  }
  const auto toys = backend.prepare_toys(
      make_toy_input(model, study.statistics.seed, {model.model_at({r->truth[0]})}));
  r->expected_limit_bands = expected_limit_bands(*toys, model.input().n_points(), r->axes[0],
                                                 r->critical_delta_chi2, study.statistics.toys);
}

std::vector<ScanResult> run_study(const Study& study, Backend& backend, Method method,
                                  std::size_t chunk_points, Progress& progress) {
  StudyModels models = build_study_models(study, backend, method);
  std::vector<GridJob> jobs;
  for (std::size_t i = 0; i < models.results.size(); ++i)
    jobs.push_back(GridJob{models.models[i].get(), &models.results[i].chi2, 0,
                           static_cast<std::size_t>(-1), result_label(models.results[i])});
  run_grids(jobs, backend, chunk_points, progress);
  for (std::size_t i = 0; i < models.results.size(); ++i) {
    if (study.statistics.feldman_cousins) {
      compute_critical_values(*models.models[i], study, &models.results[i], backend, progress);
      compute_expected_limit_bands(*models.models[i], study, &models.results[i], backend);
    }
    analyse_grid(*models.models[i], study, &models.results[i]);
  }
  return std::move(models.results);
}

}  // namespace cevns
