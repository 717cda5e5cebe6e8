#include "host/data/fit.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

#include "host/core/error.hpp"
#include "host/data/coherent_data.hpp"
#include "host/engine/feldman_cousins.hpp"
#include "host/engine/grid_driver.hpp"
#include "host/engine/study_run.hpp"
#include "host/stats/likelihood.hpp"
#include "host/stats/minimise.hpp"

namespace cevns {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<const std::vector<double>*> template_list(const DataSet& d,
                                                      const std::vector<double>& signal) {
  std::vector<const std::vector<double>*> t{&signal};
  for (const auto& b : d.backgrounds) t.push_back(&b);
  return t;
}

}  // namespace

std::vector<double> asimov_data(const DataSet& d, const PhysicsModel& model) {
  std::vector<double> mu = d.signal(model);
  for (const auto& b : d.backgrounds)
    for (std::size_t i = 0; i < mu.size(); ++i) mu[i] += b[i];
  return mu;
}

double profiled_chi2_of_signal(const DataSet& d, const std::vector<double>& data,
                               const std::vector<double>& signal) {
  return profile_normalisations(data, template_list(d, signal), d.normalisation_sigmas()).chi2;
}

double profiled_chi2(const DataSet& d, const std::vector<double>& data, const PhysicsModel& model) {
  return profiled_chi2_of_signal(d, data, d.signal(model));
}

CountFit fit_cevns_count(const DataSet& d, const std::vector<double>& data) {
  CountFit r;
  const std::vector<double> shape = d.signal(standard_model());
  r.predicted = sum(shape);
  std::vector<double> sigmas{0.0};  // the count itself is the parameter: no signal pull
  sigmas.insert(sigmas.end(), d.background_sigmas.begin(), d.background_sigmas.end());
  const auto chi2_at = [&](double n) {
    std::vector<double> s(shape);
    for (double& x : s) x *= n / r.predicted;
    return profile_normalisations(data, template_list(d, s), sigmas).chi2;
  };
  const double top = d.count_max_factor * r.predicted;
  std::vector<double> chi2;
  for (int i = 0; i < d.count_points; ++i) {
    r.grid.push_back(top * i / (d.count_points - 1));
    chi2.push_back(chi2_at(r.grid.back()));
  }
  const auto [best, fmin] = minimise_1d(r.grid, chi2, chi2_at, 1e-6 * r.predicted);
  r.best = best;
  r.chi2_min = fmin;
  for (double c : chi2) r.delta_chi2.push_back(c - fmin);
  r.lo = r.hi = kNaN;
  for (const Interval& iv : allowed_intervals(r.grid, chi2, fmin, 1.0, chi2_at, 1e-6 * r.predicted))
    if (iv.lo <= best && best <= iv.hi) {
      r.lo = iv.lo;
      r.hi = iv.hi;
    }
  return r;
}

DataGrid data_grid(const DataSet& d, const std::vector<double>& data,
                   const std::vector<GridAxis>& axes, const PhysicsModel& base, Backend& backend,
                   Progress& progress, const std::string& label) {
  Statistic stats;
  stats.kind = ScanInput::kPoisson;
  stats.data = data;
  stats.backgrounds = d.backgrounds;
  stats.sigmas = d.normalisation_sigmas();
  DataGrid g;
  g.model = std::make_unique<ScanModel>(d.counts, axes, base, std::move(stats), Method::kFactorised,
                                        backend);
  g.chi2 = compute_grid(*g.model, backend, progress, label);
  return g;
}

ProfileScan analyse_profile(const std::vector<const ScanModel*>& models, const ScanRequest& scan,
                            std::vector<double> grid, double threshold) {
  ProfileScan p;
  p.parameter = scan.parameter;
  p.id = scan.id;
  p.values = scan.values;
  p.threshold = threshold;
  p.chi2 = std::move(grid);
  const auto chi2_at = [&](double x) {
    double c = 0.0;
    for (const ScanModel* m : models) c += m->chi2(m->model_at({x}));
    return c;
  };
  const double tol = 1e-6 * (p.values.back() - p.values.front());
  const auto [best, fmin] = minimise_1d(p.values, p.chi2, chi2_at, tol);
  p.best = best;
  p.chi2_min = fmin;
  for (double c : p.chi2) p.delta_chi2.push_back(c - fmin);
  p.intervals = allowed_intervals(p.values, p.chi2, fmin, threshold, chi2_at, tol);
  return p;
}

std::uint64_t data_set_seed(std::uint64_t seed, std::size_t set) {
  return seed | (static_cast<std::uint64_t>(set) << 32);
}

double cl_of_threshold(double threshold, int n_parameters) {
  return n_parameters == 1 ? std::erf(std::sqrt(0.5 * threshold))  // χ²₁ CDF
                           : 1.0 - std::exp(-0.5 * threshold);     // χ²₂ CDF
}

StatisticsOptions joint_statistics(const std::vector<const DataSet*>& sets) {
  const StatisticsOptions& first = sets.front()->statistics;
  const auto describe = [](const StatisticsOptions& s) {
    return s.feldman_cousins ? "{method: feldman_cousins, toys: " + std::to_string(s.toys) +
                                   ", seed: " + std::to_string(s.seed) + "}"
                             : std::string("{method: wilks}");
  };
  for (const DataSet* d : sets) {
    const StatisticsOptions& s = d->statistics;
    const bool same = s.feldman_cousins == first.feldman_cousins &&
                      (!s.feldman_cousins || (s.toys == first.toys && s.seed == first.seed));
    if (!same)
      throw InputError(d->file, "/statistics",
                       "expected the statistics of every data set fitted jointly to agree: " +
                           sets.front()->file + " has " + describe(first) + ", this one " +
                           describe(s));
  }
  return first;
}

std::vector<double> feldman_cousins_critical_values(const std::vector<const ScanModel*>& models,
                                                    const StatisticsOptions& statistics, double cl,
                                                    Backend& backend, Progress& progress,
                                                    const std::string& label, bool screen) {
  std::vector<ToyInput> inputs;
  for (std::size_t i = 0; i < models.size(); ++i) {
    inputs.push_back(make_toy_input(*models[i], data_set_seed(statistics.seed, i)));
    inputs.back().screen = screen;
  }
  const auto toys = models.size() == 1 ? backend.prepare_toys(inputs.front())
                                       : backend.prepare_joint_toys(inputs);
  const std::size_t n = inputs.front().n_points;
  progress.start(label + " toys", n);
  std::vector<double> critical = critical_values(*toys, 0, n, statistics.toys, cl, progress);
  progress.finish();
  return critical;
}

void feldman_cousins_profile(const std::vector<const ScanModel*>& models,
                             const StatisticsOptions& statistics, Backend& backend,
                             Progress& progress, ProfileScan* p) {
  p->critical_delta_chi2 = feldman_cousins_critical_values(
      models, statistics, cl_of_threshold(p->threshold, 1), backend, progress, p->parameter);
  p->toys = statistics.toys;
  p->seed = statistics.seed;
  std::vector<double> margin(p->chi2.size());
  for (std::size_t i = 0; i < margin.size(); ++i)
    margin[i] = p->chi2[i] - p->critical_delta_chi2[i];
  const auto margin_at = [&](double x) {
    double c = 0.0;
    for (const ScanModel* m : models) c += m->chi2(m->model_at({x}));
    return c - interpolate_on_grid({p->values}, {false}, p->critical_delta_chi2, {x});
  };
  const double tol = 1e-6 * (p->values.back() - p->values.front());
  p->intervals = allowed_intervals(p->values, margin, p->chi2_min, 0.0, margin_at, tol);
}

ProfileScan scan_parameter(const std::vector<const DataSet*>& sets,
                           const std::vector<std::vector<double>>& data, const ScanRequest& scan,
                           double threshold, Backend& backend, Progress& progress) {
  std::vector<DataGrid> grids;
  std::vector<const ScanModel*> models;
  std::vector<double> sum_grid(scan.values.size(), 0.0);
  for (std::size_t i = 0; i < sets.size(); ++i) {
    grids.push_back(data_grid(*sets[i], data[i], {GridAxis{scan.id, scan.values}}, standard_model(),
                              backend, progress, sets[i]->name + "/" + scan.parameter));
    models.push_back(grids.back().model.get());
    for (std::size_t k = 0; k < sum_grid.size(); ++k) sum_grid[k] += grids.back().chi2[k];
  }
  return analyse_profile(models, scan, std::move(sum_grid), threshold);
}

// ---------------------------------------------------------------------------------------------
// Two-parameter planes.

PhysicsModel plane_base(const PlaneRequest& plane) {
  PhysicsModel base = standard_model();
  base.sterile_channel = plane.channel;
  base.mediator = plane.mediator;
  return base;
}

DataGrid plane_grid(const DataSet& d, const std::vector<double>& data, const PlaneRequest& plane,
                    Backend& backend, Progress& progress) {
  return data_grid(d, data, grid_axes(plane.axes), plane_base(plane), backend, progress,
                   d.name + "/" + plane.name);
}

PlaneScan analyse_plane(const std::vector<const ScanModel*>& models, const PlaneRequest& plane,
                        std::vector<double> grid, double threshold_2d, double threshold_1d,
                        std::vector<double> critical) {
  PlaneScan r;
  r.critical_delta_chi2 = std::move(critical);
  // Feldman–Cousins: allowed where Δ − t_c ≤ 0, t_c interpolated between grid points (in log10
  // along a log axis), as the scans draw it (host/engine/study_run.cpp, analyse_grid).
  const bool fc = !r.critical_delta_chi2.empty();
  const auto critical_at = [&](double a, double b) {
    return fc ? interpolate_on_grid(r.axes, {plane.axes[0].log, plane.axes[1].log},
                                    r.critical_delta_chi2, {a, b})
              : 0.0;
  };
  r.request = plane;
  r.axes = {plane.axes[0].values(), plane.axes[1].values()};
  r.chi2 = std::move(grid);
  r.threshold = threshold_2d;
  const std::size_t n1 = r.axes[1].size();
  const auto chi2_at = [&](double a, double b) {
    double c = 0.0;
    for (const ScanModel* m : models) c += m->chi2(m->model_at({a, b}));
    return c;
  };
  const auto off_grid_margin = [&](double a, double b) {
    return chi2_at(a, b) - critical_at(a, b);
  };
  // Sterile planes have near-degenerate valleys: the minimisation starts from each of the lowest
  // local minima of the grid.
  std::tie(r.best_fit, r.chi2_min) =
      minimise_grid_2d([&](const std::vector<double>& x) { return chi2_at(x[0], x[1]); }, r.axes[0],
                       r.axes[1], r.chi2, plane.axes);
  if (plane.is_sterile()) {
    // No mixing (sin²2θ = 0) belongs to the plane but not to its log grid: when it fits best the
    // minimum is there, at no particular Δm² (best fit {0, NaN}).
    const double no_mixing = chi2_at(0.0, r.axes[1][0]);
    if (no_mixing < r.chi2_min) {
      r.chi2_min = no_mixing;
      r.best_fit = {0.0, kNaN};
    }
    r.delta_chi2_no_mixing = no_mixing - r.chi2_min;
  }
  r.delta_chi2.resize(r.chi2.size());
  for (std::size_t i = 0; i < r.chi2.size(); ++i) r.delta_chi2[i] = r.chi2[i] - r.chi2_min;
  std::vector<double> margin = r.delta_chi2, chi2_margin = r.chi2;  // Δ − t_c, −2 ln λ − t_c
  if (fc)
    for (std::size_t i = 0; i < margin.size(); ++i) {
      margin[i] -= r.critical_delta_chi2[i];
      chi2_margin[i] -= r.critical_delta_chi2[i];
    }
  r.contours = contour_lines(r.axes[0], r.axes[1], margin, fc ? 0.0 : threshold_2d,
                             plane.axes[0].log, plane.axes[1].log);
  if (plane.is_sterile()) {
    // Raster scan (the per-Δm² exclusion that sterile searches quote): each row against its own
    // minimum at the one-parameter Δ(−2 ln λ).
    r.raster_threshold = threshold_1d;
    r.raster_exclusion = raster_exclusion(r.axes[0], n1, r.chi2, threshold_1d, plane.axes[0].log);
    // Wilks: the raster convention; Feldman–Cousins: the global construction with t_c.
    append_fixed_row_exclusions(r.axes[0], plane.axes[1], false, off_grid_margin,
                                fc ? std::optional<double>(r.chi2_min) : std::nullopt,
                                fc ? 0.0 : threshold_1d, &r.exclusion, &r.allowed_bands);
  }
  if (plane.is_mediator()) {
    // SPEC §10.5, as the scans (host/engine/study_run.cpp, analyse_grid): per mass the upper end
    // of the allowed coupling interval around the row's minimum, relative to the global minimum
    // at the two-parameter threshold, and the allowed bands above it.
    r.row_exclusion = grid_row_exclusion(r.axes[0], n1, chi2_margin, r.chi2_min,
                                         fc ? 0.0 : threshold_2d, plane.axes[0].log);
    append_fixed_row_exclusions(r.axes[0], plane.axes[1], true, off_grid_margin, r.chi2_min,
                                fc ? 0.0 : threshold_2d, &r.exclusion, &r.allowed_bands);
  }
  return r;
}

}  // namespace cevns
