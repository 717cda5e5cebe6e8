#include "host/io/scan_output.hpp"

#include <cmath>
#include <ctime>

#include "kernels/electromagnetic.hpp"
#include "version.hpp"

namespace cevns {

namespace {

std::string utc_now() {
  char buf[32];
  const std::time_t t = std::time(nullptr);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

std::string join(const std::vector<std::string>& parts, const char* sep) {
  std::string s;
  for (const auto& p : parts) s += (s.empty() ? "" : sep) + p;
  return s;
}

std::vector<std::string> grid_dims(const ScanResult& r) {
  std::vector<std::string> dims;
  for (auto it = r.spec->axes.rbegin(); it != r.spec->axes.rend(); ++it)
    dims.push_back(it->parameter);
  return dims;  // slowest axis first: (p1, p0)
}

Json nan_to_null(double x) { return std::isnan(x) ? Json(nullptr) : Json(x); }

// A binned axis: the bin centres as the coordinate `name`, the edges beside it as `lo` and `hi`
// (long names "<what>, bin centre" and "lower/upper edge of the <noun> bin").
void write_bin_axis(h5::Group g, const std::vector<double>& edges, const std::string& name,
                    const std::string& lo_name, const std::string& hi_name,
                    const std::string& units, const std::string& what, const std::string& noun) {
  std::vector<double> centres, lo, hi;
  for (std::size_t b = 0; b + 1 < edges.size(); ++b) {
    lo.push_back(edges[b]);
    hi.push_back(edges[b + 1]);
    centres.push_back(0.5 * (lo.back() + hi.back()));
  }
  g.coordinate(name, centres, units, what + ", bin centre");
  g.variable(lo_name, {name}, lo, units, "lower edge of the " + noun + " bin");
  g.variable(hi_name, {name}, hi, units, "upper edge of the " + noun + " bin");
}

// The recoil-bin coordinate (bin centres) with the bin edges beside it.
void write_recoil_bins(h5::Group g, const std::vector<double>& edges_keV) {
  write_bin_axis(g, edges_keV, "recoil_keV", "recoil_lo_keV", "recoil_hi_keV", "keV",
                 "nuclear recoil energy", "recoil");
}

// A binned detector's (observed energy × arrival time) bins: centres as coordinates, edges beside.
void write_observed_bins(h5::Group g, const BinnedResponse& binned) {
  const std::string energy = "observed energy (" + binned.energy_units() + ")";
  write_bin_axis(g, binned.energy_edges, "observed_energy", "observed_energy_lo",
                 "observed_energy_hi", binned.energy_units(), energy, energy);
  const std::string time = "arrival time after the proton pulse";
  write_bin_axis(g, binned.time_edges_us, "arrival_time", "arrival_time_lo", "arrival_time_hi",
                 "us", time, time);
}

}  // namespace

void write_provenance(h5::Group root, const Provenance& p, const std::string& file_kind) {
  root.set_attr("program", std::string(kProgramName));
  root.set_attr("version", std::string(kVersion));
  root.set_attr("git_commit", std::string(kGitCommit));
  root.set_attr("created", utc_now());
  root.set_attr("command", p.command);
  root.set_attr("backend", p.backend);
  root.set_attr("file_kind", file_kind);
  root.set_attr("config_json", p.config.dump());
  root.set_attr("proton_radius",
                std::string("proton form factors at the point-proton rms radius R_p^2 = R_ch^2 - "
                            "r_p^2 - (N/Z) <r_n^2> of each isotope's charge_radius_fm, r_p = "
                            "0.8409 fm (CODATA 2018), <r_n^2> = -0.1161 fm^2 (PDG 2020); "
                            "config_json gives proton_rms_radius_fm per isotope"));
  root.set_attr("complete", 0LL);
}

void write_scan_layout(h5::Group g, const ScanResult& r) {
  std::vector<std::string> names;
  for (std::size_t k = 0; k < r.spec->axes.size(); ++k) {
    const Axis& a = r.spec->axes[k];
    g.coordinate(a.parameter, r.axes[k], parameter_units(a.id), parameter_long_name(a.id));
    g.set_dataset_attr(a.parameter, "scale", a.log ? "log" : "linear");
    names.push_back(a.parameter);
  }
  g.create_variable("chi2", grid_dims(r), "1", "profiled chi^2 (pulls minimised)");
  g.set_attr("detector", r.detector);
  if (!r.combined_detectors.empty()) {
    g.set_attr("combination_detectors", join(r.combined_detectors, ","));
    g.set_attr("correlated", std::string(r.shared_signal ? "signal" : "none"));
  }
  g.set_attr("scenario", r.scenario);
  g.set_attr("efficiency", r.scenario_config.efficiency);
  g.set_attr("sigma_alpha", r.scenario_config.sigma_alpha);
  g.set_attr("sigma_beta", r.scenario_config.sigma_beta);
  g.set_attr("background_fraction", r.background_fraction);
  g.set_attr("parameters", join(names, ","));
  g.set_attr("method", r.method);
  g.set_attr("true_values", r.truth);
  if (r.spec->sterile_channel != kNoSterile)
    g.set_attr("channel",
               std::string(r.spec->sterile_channel == kNuEDisappearance ? "nue" : "numu"));
  bool electromagnetic = false;
  for (const Axis& a : r.spec->axes)
    electromagnetic = electromagnetic || is_magnetic_moment(a.id) || is_charge_radius(a.id);
  if (electromagnetic)
    g.set_attr("electromagnetic_convention", std::string(electromagnetic_convention()));
  if (r.spec->mediator != kNoMediator) write_mediator_attributes(g, r.spec->mediator);
}

void write_mediator_attributes(h5::Group g, int mediator) {
  g.set_attr("mediator", std::string(mediator_name(mediator)));
  g.set_attr("mediator_convention",
             std::string(mediator == kScalar
                             ? "Cerdeno et al. arXiv:1604.01025: no interference, "
                               "Q_phi = g^2 (15.1 Z F_Z + 14 N F_N)"
                             : "Cadeddu et al. arXiv:2008.05022: g^2 charge/(sqrt2 G_F (q^2+m^2)) "
                               "added to Z g_V^p F_Z + N g_V^n F_N (SPEC 10.1 signs)"));
}

void write_scan_analysis(h5::Group g, const ScanResult& r) {
  const auto dims = grid_dims(r);
  const std::size_t n1 = r.axes.size() == 2 ? r.axes[1].size() : 1;
  // A streamed grid (no chi2 in memory) has its chi2 and delta_chi2 rows written already.
  if (!r.chi2.empty())
    g.write_rows("chi2", 0, r.axes.size() == 2 ? n1 : r.axes[0].size(), r.chi2.data());
  if (!g.has("delta_chi2"))
    g.variable("delta_chi2", dims, r.delta_chi2, "1", "chi^2 minus its global minimum");
  g.set_attr("best_fit", r.best_fit);
  g.set_attr("chi2_min", r.chi2_min);
  // Under Feldman–Cousins the regions use the critical values per point, not Wilks' threshold:
  // the attribute names the dataset that holds them.
  if (r.critical_delta_chi2.empty())
    g.set_attr("delta_chi2_threshold", r.threshold);
  else
    g.set_attr("delta_chi2_threshold", std::string("critical_delta_chi2"));
  if (!r.critical_delta_chi2.empty())  // for comparison figures: what Wilks' would have been
    g.set_attr("wilks_delta_chi2_threshold", r.threshold);
  g.set_attr("cl", r.cl);
  write_feldman_cousins(g, r);
  if (r.axes.size() == 1) {
    const Axis& a = r.spec->axes[0];
    if (!r.edges_keV.empty()) {  // a combination's counts are in its detectors' groups
      write_recoil_bins(g, r.edges_keV);
      g.variable("predicted_counts", {a.parameter, "recoil_keV"}, r.predicted_counts, "events",
                 "predicted CEvNS events (efficiency applied, no background)");
    } else if (r.binned) {
      write_observed_bins(g, *r.binned);
      g.variable("predicted_counts", {a.parameter, "observed_energy", "arrival_time"},
                 r.predicted_counts, "events",
                 "predicted CEvNS events per (observed energy, arrival time) bin of the "
                 "detector's response (efficiency and acceptance applied, no background)");
    }
    g.index_coordinate("interval", r.intervals.size(), "allowed interval index");
    g.index_coordinate("bound", 2, "interval bound: 0 lower, 1 upper");
    std::vector<double> bounds;
    std::vector<long long> open;
    for (const auto& iv : r.intervals) {
      bounds.insert(bounds.end(), {iv.lo, iv.hi});
      open.insert(open.end(), {iv.open_lo ? 1LL : 0LL, iv.open_hi ? 1LL : 0LL});
    }
    g.variable("intervals", {"interval", "bound"}, bounds, parameter_units(a.id),
               "allowed intervals at the confidence level");
    g.variable_int("interval_open", {"interval", "bound"}, open, "1",
                   "1 where the bound is the scan edge (the interval continues beyond the grid)");
    if (r.sensitivity_percent) g.set_attr("sensitivity_percent", *r.sensitivity_percent);
    if (is_magnetic_moment(a.id))
      g.set_attr("upper_limit", r.upper_limit ? *r.upper_limit : std::nan(""));
  } else {
    write_contours(g, r.contours, r.spec->axes[0], r.spec->axes[1]);
    if (r.spec->is_sterile()) {
      g.variable("exclusion_sin2_2theta", {r.spec->axes[1].parameter}, r.raster_exclusion, "1",
                 "smallest excluded sin^2(2 theta) per dm2 row (raster scan)");
      g.set_attr("raster_delta_chi2_threshold", r.raster_threshold);
    }
    if (r.spec->is_mediator_plane()) {
      g.variable("exclusion_coupling", {r.spec->axes[1].parameter}, r.row_exclusion, "1",
                 "smallest excluded mediator coupling per mass row (grid, global minimum, "
                 "two-parameter threshold)");
    }
  }
}

namespace {

std::vector<double> band_values(const std::optional<LimitBands>& b) {
  if (!b) return std::vector<double>(5, std::nan(""));
  return {b->minus_2sigma, b->minus_1sigma, b->median, b->plus_1sigma, b->plus_2sigma};
}

Json band_json(const std::optional<LimitBands>& b) {
  if (!b) return Json(nullptr);
  return Json{{"minus_2sigma", nan_to_null(b->minus_2sigma)},
              {"minus_1sigma", nan_to_null(b->minus_1sigma)},
              {"median", nan_to_null(b->median)},
              {"plus_1sigma", nan_to_null(b->plus_1sigma)},
              {"plus_2sigma", nan_to_null(b->plus_2sigma)}};
}

}  // namespace

void write_feldman_cousins(h5::Group g, const ScanResult& r) {
  g.set_attr("statistics_method",
             std::string(r.critical_delta_chi2.empty() ? "wilks" : "feldman_cousins"));
  g.set_attr("likelihood", r.likelihood);
  if (r.critical_delta_chi2.empty()) return;
  const auto dims = grid_dims(r);
  g.set_attr("fc_toys", static_cast<long long>(r.toys));
  g.set_attr("fc_seed", static_cast<long long>(r.seed));
  g.set_attr("random_numbers",
             std::string("Philox4x32-10 (Random123) keyed by (seed, grid point, toy)"));
  if (!g.has("critical_delta_chi2")) {  // a streamed grid has them written row by row
    g.variable("critical_delta_chi2", dims, r.critical_delta_chi2, "1", kCriticalDeltaChi2LongName);
    std::vector<long long> toys(r.critical_delta_chi2.size(), static_cast<long long>(r.toys));
    for (std::size_t i = 0; i < toys.size(); ++i)
      if (std::isnan(r.critical_delta_chi2[i])) toys[i] = 0;
    g.variable_int("toys", dims, toys, "1", kToysLongName);
  }
  if (r.expected_limit_bands && !r.expected_limit_bands->rows.empty()) {
    const Axis& a = r.spec->axes[0];
    g.coordinate("band_quantile", {0.02275, 0.158655, 0.5, 0.841345, 0.97725}, "1",
                 "quantile over toys at the truth: -2 sigma, -1 sigma, median, +1, +2 sigma");
    std::vector<double> v;
    for (const auto& b : r.expected_limit_bands->rows) {
      const auto row = band_values(b);
      v.insert(v.end(), row.begin(), row.end());
    }
    g.variable("expected_limit_bands", {r.spec->axes[1].parameter, "band_quantile"}, v,
               parameter_units(a.id),
               "spread over toys at the truth of the smallest excluded " + a.parameter +
                   " per row (Feldman-Cousins; NaN: nothing excluded)");
    g.set_dataset_attr("expected_limit_bands", "toys",
                       std::to_string(r.expected_limit_bands->toys));
  } else if (r.expected_limit_bands) {
    const Axis& a = r.spec->axes[0];
    g.index_coordinate("limit_side", 2, "limit side: 0 lower, 1 upper");
    g.coordinate("band_quantile", {0.02275, 0.158655, 0.5, 0.841345, 0.97725}, "1",
                 "quantile over toys at the truth: -2 sigma, -1 sigma, median, +1, +2 sigma");
    std::vector<double> v = band_values(r.expected_limit_bands->lower);
    const std::vector<double> up = band_values(r.expected_limit_bands->upper);
    v.insert(v.end(), up.begin(), up.end());
    g.variable("expected_limit_bands", {"limit_side", "band_quantile"}, v, parameter_units(a.id),
               "spread of the expected Feldman-Cousins limit over toys at the truth (NaN: "
               "the allowed interval reaches the end of the axis)");
    g.set_dataset_attr("expected_limit_bands", "toys",
                       std::to_string(r.expected_limit_bands->toys));
  }
}

Json feldman_cousins_json(const ScanResult& r) {
  Json j{{"method", r.critical_delta_chi2.empty() ? "wilks" : "feldman_cousins"},
         {"likelihood", r.likelihood}};
  if (r.critical_delta_chi2.empty()) return j;
  j["toys"] = r.toys;
  j["seed"] = r.seed;
  if (r.expected_limit_bands && !r.expected_limit_bands->rows.empty()) {
    Json rows = Json::array();
    for (std::size_t k = 0; k < r.expected_limit_bands->rows.size(); ++k) {
      Json b = band_json(r.expected_limit_bands->rows[k]);
      b[r.spec->axes[1].parameter] = r.axes[1][k];
      rows.push_back(b);
    }
    j["expected_limit_bands"] = Json{{"toys", r.expected_limit_bands->toys}, {"rows", rows}};
  } else if (r.expected_limit_bands) {
    j["expected_limit_bands"] = Json{{"toys", r.expected_limit_bands->toys},
                                     {"lower", band_json(r.expected_limit_bands->lower)},
                                     {"upper", band_json(r.expected_limit_bands->upper)}};
  }
  return j;
}

void write_contours(h5::Group g, const std::vector<Polyline>& contours, const Axis& x,
                    const Axis& y) {
  std::vector<double> xs, ys;
  std::vector<long long> starts, lengths;
  for (const auto& pl : contours) {
    starts.push_back(static_cast<long long>(xs.size()));
    lengths.push_back(static_cast<long long>(pl.x.size()));
    xs.insert(xs.end(), pl.x.begin(), pl.x.end());
    ys.insert(ys.end(), pl.y.begin(), pl.y.end());
  }
  g.index_coordinate("contour_point", xs.size(), "contour point index");
  g.index_coordinate("contour", contours.size(), "contour polyline index");
  g.variable("contour_x", {"contour_point"}, xs, parameter_units(x.id),
             parameter_long_name(x.id) + " along the contours");
  g.variable("contour_y", {"contour_point"}, ys, parameter_units(y.id),
             parameter_long_name(y.id) + " along the contours");
  g.variable_int("contour_start", {"contour"}, starts, "1", "first point of each polyline");
  g.variable_int("contour_length", {"contour"}, lengths, "1", "number of points of each polyline");
}

Json contours_json(const std::vector<Polyline>& contours) {
  Json out = Json::array();
  for (const auto& pl : contours) out.push_back({{"x", pl.x}, {"y", pl.y}, {"closed", pl.closed}});
  return out;
}

Json exclusion_json(const std::vector<std::pair<double, double>>& exclusion) {
  Json out = Json::array();
  for (const auto& [dm2, s] : exclusion)
    out.push_back({{"dm2", dm2}, {"sin2_2theta", nan_to_null(s)}});
  return out;
}

Json mediator_exclusion_json(const std::vector<std::pair<double, double>>& exclusion) {
  Json out = Json::array();
  for (const auto& [mass, coupling] : exclusion)
    out.push_back({{"mass_MeV", mass}, {"coupling", nan_to_null(coupling)}});
  return out;
}

Json allowed_bands_json(const std::vector<std::pair<double, double>>& exclusion,
                        const std::vector<std::vector<Interval>>& bands) {
  Json out = Json::array();
  for (std::size_t k = 0; k < exclusion.size(); ++k) {
    Json ivs = Json::array();
    for (const auto& iv : bands[k]) ivs.push_back({iv.lo, iv.hi});
    out.push_back({{"mass_MeV", exclusion[k].first}, {"bands", ivs}});
  }
  return out;
}

void write_rates_group(h5::Group g, const RatesResult& r, const DetectorConfig& d) {
  write_recoil_bins(g, r.edges_keV);
  g.index_coordinate("flux", kNumFluxes, "neutrino flux class");
  g.set_dataset_attr("flux", "labels", "nu_mu,nu_mu_bar,nu_e");
  g.variable("counts", {"recoil_keV"}, r.bin_counts(), "events", "expected CEvNS events per bin");
  std::vector<double> by_flux;
  for (int f = 0; f < kNumFluxes; ++f) {
    for (int b = 0; b < r.n_bins(); ++b) {
      double s = 0.0;
      for (std::size_t i = 0; i < r.isotopes.size(); ++i) s += r.at(static_cast<int>(i), f, b);
      by_flux.push_back(s);
    }
  }
  g.variable("counts_by_flux", {"flux", "recoil_keV"}, by_flux, "events",
             "expected CEvNS events per bin and flux class");
  g.set_attr("detector", r.detector);
  g.set_attr("total", r.total());
  g.set_attr("kinematic_correction", d.kinematic_correction ? 1LL : 0LL);
  g.set_attr("bin_width_keV", d.bin_width_keV);
}

Json scan_results_json(const Study& study, const std::vector<ScanResult>& results) {
  Json out = Json::array();
  for (const auto& r : results) {
    Json j;
    j["study"] = study.name;
    j["scan"] = r.scan;
    j["detector"] = r.detector;
    if (!r.combined_detectors.empty())
      j["combination"] =
          Json{{"detectors", r.combined_detectors},
               {"correlated", r.shared_signal ? Json::array({"signal"}) : Json::array()}};
    for (const auto& d : study.detectors)  // SPEC §12: the sources it saw, baselines and POT
      if (r.combined_detectors.empty() && d.name == r.detector)
        j["sources"] = sources_summary_json(d);
    j["scenario"] = r.scenario;
    std::vector<std::string> params;
    for (const auto& a : r.spec->axes) params.push_back(a.parameter);
    j["parameter"] = params.size() == 1 ? Json(params[0]) : Json(params);
    j["best_fit"] = r.best_fit;
    j["chi2_min"] = r.chi2_min;
    j["delta_chi2_threshold"] =
        r.critical_delta_chi2.empty() ? Json(r.threshold) : Json("critical_delta_chi2");
    if (!r.critical_delta_chi2.empty()) {
      const Json fc = feldman_cousins_json(r);
      j["statistics"] = fc;
      if (fc.contains("expected_limit_bands"))
        j["expected_limit_bands"] = fc["expected_limit_bands"];
    }
    if (r.axes.size() == 1) {
      Json ivs = Json::array();
      Json open = Json::array();
      for (const auto& iv : r.intervals) {
        ivs.push_back({iv.lo, iv.hi});
        open.push_back({iv.open_lo, iv.open_hi});
      }
      j["intervals"] = ivs;
      j["interval_open"] = open;
      if (r.sensitivity_percent) j["sensitivity_percent"] = *r.sensitivity_percent;
      if (is_magnetic_moment(r.spec->axes[0].id))
        j["upper_limit"] = r.upper_limit ? Json(*r.upper_limit) : Json(nullptr);
    } else {
      j["contours"] = contours_json(r.contours);
      if (r.spec->is_sterile()) j["exclusion"] = exclusion_json(r.exclusion);
      if (r.spec->is_mediator_plane()) {
        j["exclusion"] = mediator_exclusion_json(r.exclusion);
        j["allowed_bands"] = allowed_bands_json(r.exclusion, r.allowed_bands);
      }
    }
    out.push_back(j);
  }
  return out;
}

}  // namespace cevns
