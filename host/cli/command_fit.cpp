// `cevns fit`: runs the fits of host/fit.cpp on each data set and jointly, and reports them as a
// table, JSON (--json) and HDF5 (-o; docs/output-format.md, file_kind = fit).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <limits>
#include <numeric>
#include <tuple>

#include "host/cli/commands.hpp"
#include "host/data/coherent_data.hpp"
#include "host/data/fit.hpp"
#include "host/data/published.hpp"
#include "host/engine/backend_select.hpp"
#include "kernels/flux.hpp"
#ifdef CEVNS_HAVE_HDF5
#include "host/io/fit_output.hpp"
#include "host/io/h5io.hpp"
#include "host/io/output_path.hpp"
#include "host/io/scan_output.hpp"
#endif

namespace cevns {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

// ---------------------------------------------------------------------------------------------

namespace {

std::string interval_text(const std::vector<Interval>& ivs) {
  std::string s;
  char buf[96];
  for (const auto& iv : ivs) {
    std::snprintf(buf, sizeof buf, "[%s%.4g, %.4g%s]", iv.open_lo ? "<=" : "", iv.lo, iv.hi,
                  iv.open_hi ? "+" : "");
    s += (s.empty() ? "" : " U ") + std::string(buf);
  }
  return s.empty() ? "(none)" : s;
}

// One published number (the config's "published", cited there) beside the program's `ours`:
// printed with its 1σ range and the distance in its σ on the side of the program's number, and
// stored in the JSON beside it. `scale` only sets the printed unit.
void report_published_value(const PublishedValue& p, double ours, double scale, Json& j) {
  const double sigma = ours >= p.value ? p.hi - p.value : p.value - p.lo;
  const double pull = sigma > 0.0 ? (ours - p.value) / sigma : kNaN;
  char theory[48] = "";
  if (p.has_theory_uncertainty())
    std::snprintf(theory, sizeof theory, " (theory +-%.3g)", p.theory_uncertainty * scale);
  std::printf("  published %-34s %.4g [%.4g, %.4g]%s, here %.4g (%+.1f sigma)%s  (%s)\n",
              p.key.c_str(), p.value * scale, p.lo * scale, p.hi * scale, theory, ours * scale,
              pull, p.independent ? " [independent: not the collaboration's]" : "",
              p.source.c_str());
  Json v = {{"value", p.value},  {"lo", p.lo},         {"hi", p.hi},
            {"here", ours},      {"pull_sigma", pull}, {"independent", p.independent},
            {"source", p.source}};
  if (p.has_theory_uncertainty()) v["theory_uncertainty"] = p.theory_uncertainty;
  if (!p.region.empty()) v["region"] = p.region;
  if (!p.difference_explained_in.empty()) v["explained_in"] = p.difference_explained_in;
  j["published"][p.key] = v;
}

// The collaboration's published counts and cross-sections of the release beside the program's:
// the CEvNS count predicted and fitted, and the flux-averaged cross-section, the SM one and the
// measured one (the SM one scaled by fitted/predicted). sin2_theta_W goes beside its profile.
void report_published(const DataSet& d, const CountFit& n, Backend& backend, Json& j) {
  // Over the spectra the counts use: the flux table's where the fit reads one.
  const MeasuredCrossSection xs = measured_cross_section(
      flux_averaged_cross_section_cm2(d.detector, standard_model(), backend, d.flux_table.get()),
      n);
  const std::string over = d.flux_table ? "flux table " + d.flux_table->path
                                        : std::string("analytic pi-DAR spectra (SPEC 2)");
  std::printf(
      "  flux-averaged cross-section (1e-40 cm2): SM %.2f, measured %.2f [%.2f, %.2f], over the "
      "%s\n",
      xs.sm_cm2 * 1e40, xs.best_cm2 * 1e40, xs.lo_cm2 * 1e40, xs.hi_cm2 * 1e40, over.c_str());
  j["flux_averaged_cross_section_cm2"] = {{"sm", xs.sm_cm2},  {"best", xs.best_cm2},
                                          {"lo", xs.lo_cm2},  {"hi", xs.hi_cm2},
                                          {"flux_source", over}};
  for (const PublishedValue& p : d.published) {
    if (p.key == "cevns_predicted") report_published_value(p, n.predicted, 1.0, j);
    if (p.key == "cevns_fitted") report_published_value(p, n.best, 1.0, j);
    if (p.key == "flux_averaged_cross_section_cm2") report_published_value(p, xs.best_cm2, 1e40, j);
    if (p.key == "flux_averaged_cross_section_sm_cm2")
      report_published_value(p, xs.sm_cm2, 1e40, j);
  }
}

void print_check(const DataSet& d, const Check& c) {
  std::printf(
      "\n%s first-measurement check: CEvNS in %s bins, %g-%g us, QF x LY response of the "
      "release\n",
      d.name.c_str(), d.energy_units.c_str(), c.time_range_us[0], c.time_range_us[1]);
  std::printf("  %9s %12s %12s %12s %14s %8s\n", "PE bin", "predicted", "with g_c", "prompt n",
              "C - AC (data)", "+/-");
  double tp = 0, tg = 0, tn = 0, tm = 0, te = 0;
  for (std::size_t j = 0; j < c.measured.size(); ++j) {
    std::printf("  %4.0f-%-4.0f %12.3f %12.3f %12.3f %14.0f %8.1f\n", c.pe_edges[j],
                c.pe_edges[j + 1], c.predicted[j], c.predicted_gc[j], c.prompt_neutrons[j],
                c.measured[j], c.error[j]);
    tp += c.predicted[j];
    tg += c.predicted_gc[j];
    tn += c.prompt_neutrons[j];
    tm += c.measured[j];
    te += c.error[j] * c.error[j];
  }
  std::printf("  %9s %12.2f %12.2f %12.2f %14.0f %8.1f\n", "total", tp, tg, tn, tm, std::sqrt(te));
}

void print_profile(const ProfileScan& p) {
  std::printf("  %-14s best %-10.4g 90%% CL %s%s\n", p.parameter.c_str(), p.best,
              interval_text(p.intervals).c_str(),
              p.critical_delta_chi2.empty() ? "" : " (Feldman-Cousins)");
}

// The threshold a plane's regions were drawn with, as printed.
std::string plane_threshold_text(const PlaneScan& r) {
  if (!r.critical_delta_chi2.empty())
    return "t_c (Feldman-Cousins, " + std::to_string(r.toys) + " toys)";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", r.threshold);
  return buf;
}

void print_plane(const PlaneScan& r) {
  const auto& a = r.request.axes;
  char best[64];
  if (std::isnan(r.best_fit[1]))
    std::snprintf(best, sizeof best, "no mixing");
  else
    std::snprintf(best, sizeof best, "(%.4g, %.4g)", r.best_fit[0], r.best_fit[1]);
  std::printf("  %-14s (%s, %s) best %s, -2lnL min %.2f, %zu contour(s) at %s\n",
              r.request.name.c_str(), a[0].parameter.c_str(), a[1].parameter.c_str(), best,
              r.chi2_min, r.contours.size(), plane_threshold_text(r).c_str());
  if (r.request.is_mediator()) {
    std::printf("  %-14s %s: excluded coupling (Delta -2lnL %s):", "",
                mediator_name(r.request.mediator), plane_threshold_text(r).c_str());
    for (std::size_t k = 0; k < r.exclusion.size(); ++k) {
      const auto& [mass, g] = r.exclusion[k];
      if (std::isnan(g))
        std::printf("  m %g MeV: none", mass);
      else
        std::printf("  m %g MeV: > %.3g", mass, g);
      for (const auto& band : r.allowed_bands[k])
        std::printf(" (allowed again %s)", interval_text({band}).c_str());
    }
    std::printf("\n");
    return;
  }
  if (!r.request.is_sterile()) return;
  if (r.critical_delta_chi2.empty())
    std::printf("  %-14s raster exclusion (Delta -2lnL %.2f):", "", r.raster_threshold);
  else
    std::printf("  %-14s exclusion (Delta -2lnL %s):", "", plane_threshold_text(r).c_str());
  for (const auto& [dm2, s] : r.exclusion) {
    if (std::isnan(s))
      std::printf("  dm2 %g: none", dm2);
    else
      std::printf("  dm2 %g: > %.3g", dm2, s);
  }
  std::printf("\n  %-14s no mixing: Delta -2lnL = %.2f\n", "", r.delta_chi2_no_mixing);
}

// Feldman–Cousins critical values of a plane (empty under Wilks), at the CL of the two-parameter
// threshold.
std::vector<double> plane_critical_values(const std::vector<const ScanModel*>& models,
                                          const StatisticsOptions& statistics, double threshold_2d,
                                          Backend& backend, Progress& progress,
                                          const std::string& label) {
  if (!statistics.feldman_cousins) return {};
  return feldman_cousins_critical_values(models, statistics, cl_of_threshold(threshold_2d, 2),
                                         backend, progress, label);
}

void set_statistics(const StatisticsOptions& statistics, PlaneScan* r) {
  if (!statistics.feldman_cousins) return;
  r->toys = statistics.toys;
  r->seed = statistics.seed;
}

bool same_plane(const PlaneRequest& a, const PlaneRequest& b) {
  if (a.name != b.name || a.channel != b.channel || a.mediator != b.mediator) return false;
  for (int k = 0; k < 2; ++k) {
    const Axis &x = a.axes[k], &y = b.axes[k];
    if (x.parameter != y.parameter || x.min != y.min || x.max != y.max || x.points != y.points ||
        x.log != y.log)
      return false;
  }
  return true;
}

}  // namespace

int run_fit(const FitOptions& options) {
  check_options(options);  // numbers and output paths, before any computation
  if (options.config_files.empty())
    throw InputError("fit", "", "expected at least one data-set config");
#ifndef CEVNS_HAVE_HDF5
  if (!options.output.empty())
    throw InputError(options.output, "", "this build has no HDF5 output");
#endif
  if (options.grid_points != 0 && options.grid_points < 3)
    throw InputError("--grid-points", "", "expected at least 3 points per axis");
  auto backend = select_backend(options.backend);
  std::vector<DataSet> sets;
  std::vector<Check> checks(options.config_files.size());
  for (std::size_t i = 0; i < options.config_files.size(); ++i)
    sets.push_back(load_data_set(options.config_files[i], options.data_dir, *backend, &checks[i]));
  std::vector<const DataSet*> set_list;
  for (const auto& d : sets) set_list.push_back(&d);
  const StatisticsOptions joint_stats = joint_statistics(set_list);

  // --only: every name must be something some config computes.
  std::vector<std::string> known{"n_cevns"};
  const auto know = [&](const std::string& name) {
    if (std::find(known.begin(), known.end(), name) == known.end()) known.push_back(name);
  };
  for (auto& d : sets) {
    for (const auto& r : d.scans) know(r.parameter);
    for (auto& p : d.planes) {
      know(p.name);
      if (options.grid_points > 0)
        for (Axis& a : p.axes) a.points = options.grid_points;
    }
  }
  for (const auto& name : options.only)
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      throw InputError("--only", "", "expected one of " + list + ", got \"" + name + "\"");
    }
  const auto wanted = [&](const std::string& name) {
    return options.only.empty() ||
           std::find(options.only.begin(), options.only.end(), name) != options.only.end();
  };

  Json out;
  out["data_sets"] = Json::array();
  std::vector<std::optional<CountFit>> counts(sets.size());
  std::vector<std::vector<ProfileScan>> scans(sets.size());
  std::vector<std::vector<PlaneScan>> planes(sets.size());
  std::vector<std::vector<DataGrid>> profile_grids(sets.size()), plane_grids(sets.size());
  Progress progress(Progress::Mode::kAuto);
  std::printf("cevns fit on %s\n", backend->name().c_str());
  for (std::size_t i = 0; i < sets.size(); ++i) {
    const DataSet& d = sets[i];
    std::printf("\n%s (%s, %s): %zu bins, %.0f events observed\n", d.name.c_str(),
                d.release.c_str(), d.file.c_str(), d.used.size(), sum(d.data));
    std::printf("  flux: %s\n", d.flux_source.c_str());
    Json j;
    j["name"] = d.name;
    j["release"] = d.release;
    j["n_bins"] = d.used.size();
    j["n_observed"] = sum(d.data);
    j["flux_source"] = d.flux_source;
    if (wanted("n_cevns")) {
      counts[i] = fit_cevns_count(d, d.data);
      const CountFit& n = *counts[i];
      std::printf(
          "  CEvNS predicted (SM) %.1f, fitted %.1f  1 sigma [%.1f, %.1f]  (-2lnL min %.2f)\n",
          n.predicted, n.best, n.lo, n.hi, n.chi2_min);
      j["n_cevns_predicted"] = n.predicted;
      j["n_cevns"] = {{"best", n.best}, {"lo", n.lo}, {"hi", n.hi}};
      j["chi2_min"] = n.chi2_min;
      report_published(d, n, *backend, j);
    }
    for (const auto& req : d.scans) {
      if (!wanted(req.parameter)) continue;
      profile_grids[i].push_back(data_grid(d, d.data, {GridAxis{req.id, req.values}},
                                           standard_model(), *backend, progress,
                                           d.name + "/" + req.parameter));
      const DataGrid& g = profile_grids[i].back();
      scans[i].push_back(analyse_profile({g.model.get()}, req, g.chi2, d.delta_chi2));
      if (d.statistics.feldman_cousins)
        feldman_cousins_profile({g.model.get()}, d.statistics, *backend, progress,
                                &scans[i].back());
      print_profile(scans[i].back());
      j["profiles"][req.parameter] = profile_json(scans[i].back());
      if (const PublishedValue* p = d.published_value(req.parameter))
        report_published_value(*p, scans[i].back().best, 1.0, j);
    }
    for (const auto& req : d.planes) {
      if (!wanted(req.name)) continue;
      plane_grids[i].push_back(plane_grid(d, d.data, req, *backend, progress));
      const DataGrid& g = plane_grids[i].back();
      planes[i].push_back(
          analyse_plane({g.model.get()}, req, g.chi2, d.delta_chi2_2d, d.delta_chi2,
                        plane_critical_values({g.model.get()}, d.statistics, d.delta_chi2_2d,
                                              *backend, progress, d.name + "/" + req.name)));
      set_statistics(d.statistics, &planes[i].back());
      print_plane(planes[i].back());
      j["planes"][req.name] = plane_json(planes[i].back());
    }
    if (!checks[i].pe_edges.empty()) {
      print_check(d, checks[i]);
      Json c;
      c["pe_edges"] = checks[i].pe_edges;
      c["predicted"] = checks[i].predicted;
      c["predicted_gc"] = checks[i].predicted_gc;
      c["prompt_neutrons"] = checks[i].prompt_neutrons;
      c["measured"] = checks[i].measured;
      c["measured_error"] = checks[i].error;
      j["first_measurement_check"] = c;
    }
    out["data_sets"].push_back(j);
  }

  // Joint fit: what every data set computes, with shared physics and separate nuisances. A
  // plane's joint grid is the sum of the data sets' grids (their nuisances are independent).
  // Its statistics are the data sets' (which must agree: checked before anything is computed).
  std::vector<ProfileScan> joint;
  std::vector<PlaneScan> joint_planes;
  if (sets.size() > 1) {
    std::vector<std::string> names;
    for (const auto& d : sets) names.push_back(d.name);
    std::printf("\ncombined (%zu data sets)\n", sets.size());
    out["combined"]["data_sets"] = names;
    for (const auto& p0 : scans[0]) {
      // The same profile (parameter and values) in every data set: the sum of their grids.
      std::vector<const ScanModel*> models;
      std::vector<double> sum_grid(p0.values.size(), 0.0);
      for (std::size_t i = 0; i < sets.size(); ++i)
        for (std::size_t k = 0; k < scans[i].size(); ++k)
          if (scans[i][k].parameter == p0.parameter && scans[i][k].values == p0.values) {
            models.push_back(profile_grids[i][k].model.get());
            for (std::size_t q = 0; q < sum_grid.size(); ++q)
              sum_grid[q] += profile_grids[i][k].chi2[q];
            break;
          }
      if (models.size() != sets.size()) continue;
      ScanRequest req;
      req.parameter = p0.parameter;
      req.id = p0.id;
      req.values = p0.values;
      joint.push_back(analyse_profile(models, req, std::move(sum_grid), sets[0].delta_chi2));
      if (joint_stats.feldman_cousins)
        feldman_cousins_profile(models, joint_stats, *backend, progress, &joint.back());
      print_profile(joint.back());
      out["combined"]["profiles"][req.parameter] = profile_json(joint.back());
    }
    for (std::size_t k = 0; k < planes[0].size(); ++k) {
      const PlaneRequest& req = planes[0][k].request;
      std::vector<double> sum_grid = plane_grids[0][k].chi2;
      std::vector<const ScanModel*> models{plane_grids[0][k].model.get()};
      bool everywhere = true;
      for (std::size_t i = 1; i < sets.size() && everywhere; ++i) {
        const auto it = std::find_if(planes[i].begin(), planes[i].end(), [&](const PlaneScan& p) {
          return same_plane(p.request, req);
        });
        everywhere = it != planes[i].end();
        if (everywhere) {
          const DataGrid& g = plane_grids[i][static_cast<std::size_t>(it - planes[i].begin())];
          models.push_back(g.model.get());
          for (std::size_t q = 0; q < sum_grid.size(); ++q) sum_grid[q] += g.chi2[q];
        }
      }
      if (!everywhere) continue;
      std::vector<double> critical = plane_critical_values(
          models, joint_stats, sets[0].delta_chi2_2d, *backend, progress, "combined/" + req.name);
      joint_planes.push_back(analyse_plane(models, req, std::move(sum_grid), sets[0].delta_chi2_2d,
                                           sets[0].delta_chi2, std::move(critical)));
      set_statistics(joint_stats, &joint_planes.back());
      print_plane(joint_planes.back());
      out["combined"]["planes"][req.name] = plane_json(joint_planes.back());
    }
  }

#ifdef CEVNS_HAVE_HDF5
  if (!options.output.empty()) {
    h5::File file = h5::File::create(options.output);
    Json config = Json::array();
    for (const auto& d : sets) config.push_back(d.json);
    write_provenance(file.root(), Provenance{options.command_line, backend->name(), config}, "fit");
    for (std::size_t i = 0; i < sets.size(); ++i)
      write_data_set(file.root().group(sets[i].name), sets[i], counts[i] ? &*counts[i] : nullptr,
                     scans[i], planes[i], &checks[i]);
    if (sets.size() > 1) {
      h5::Group g = file.root().group("combined");
      std::string names;
      for (const auto& d : sets) names += (names.empty() ? "" : ",") + d.name;
      g.set_attr("data_sets", names);
      for (const auto& p : joint)
        write_profile(g.group("profile_" + p.parameter), p, "Delta(-2 ln L), joint fit");
      for (const auto& p : joint_planes) write_plane(g.group(p.request.name), p, "combined");
    }
    file.root().set_attr("complete", 1LL);
    file.commit();
  }
#endif
  if (!options.json_output.empty()) {
    write_text_file(options.json_output, out.dump(2) + "\n");
  }
  return 0;
}

}  // namespace cevns
