#include "host/io/fit_output.hpp"

#include <cmath>
#include <cstdint>
#include <limits>

#include "host/io/scan_output.hpp"

namespace cevns {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Json intervals_json(const std::vector<Interval>& ivs) {
  Json a = Json::array();
  for (const auto& iv : ivs) a.push_back({iv.lo, iv.hi});
  return a;
}

Json open_json(const std::vector<Interval>& ivs) {
  Json open = Json::array();
  for (const auto& iv : ivs) open.push_back({iv.open_lo, iv.open_hi});
  return open;
}

std::string plane_parameters(const PlaneRequest& p) {
  return p.axes[0].parameter + "," + p.axes[1].parameter;
}

const char* channel_name(int channel) { return channel == kNuEDisappearance ? "nue" : "numu"; }

// What the regions were drawn with: Wilks' threshold, or under Feldman–Cousins the name of the
// dataset of critical values (the threshold is then per grid point, not one number).
Json threshold_json(double threshold, bool feldman_cousins) {
  return feldman_cousins ? Json("critical_delta_chi2") : Json(threshold);
}

Json statistics_json(int toys, std::uint64_t seed) {
  return {{"method", "feldman_cousins"}, {"likelihood", "poisson"}, {"toys", toys}, {"seed", seed}};
}

void set_threshold_attr(h5::Group& g, double threshold, bool feldman_cousins) {
  if (feldman_cousins) {
    g.set_attr("delta_chi2_threshold", std::string("critical_delta_chi2"));
    g.set_attr("wilks_delta_chi2_threshold", threshold);  // for comparison, not used
  } else {
    g.set_attr("delta_chi2_threshold", threshold);
  }
}

// The Feldman–Cousins datasets and attributes beside a delta_chi2 of dimensions `dims`.
void write_critical_values(h5::Group& g, const std::vector<std::string>& dims,
                           const std::vector<double>& critical, int toys, std::uint64_t seed) {
  g.set_attr("statistics_method", std::string("feldman_cousins"));
  g.set_attr("likelihood", std::string("poisson"));
  g.set_attr("fc_toys", static_cast<long long>(toys));
  g.set_attr("fc_seed", static_cast<long long>(seed));
  g.set_attr("random_numbers",
             std::string("Philox4x32-10 (Random123) keyed by (seed + data set << 32, grid point, "
                         "toy)"));
  g.variable("critical_delta_chi2", dims, critical, "1",
             "Feldman-Cousins critical Delta(-2 ln L) from toys at each grid point");
  g.variable_int("toys", dims,
                 std::vector<long long>(critical.size(), static_cast<long long>(toys)), "1",
                 "pseudo-experiments per grid point");
}

}  // namespace

Json plane_json(const PlaneScan& r) {
  Json j;
  j["parameter"] = {r.request.axes[0].parameter, r.request.axes[1].parameter};
  j["best_fit"] = Json::array();
  for (double x : r.best_fit) j["best_fit"].push_back(std::isnan(x) ? Json(nullptr) : Json(x));
  j["chi2_min"] = r.chi2_min;
  j["delta_chi2_threshold"] = threshold_json(r.threshold, !r.critical_delta_chi2.empty());
  if (!r.critical_delta_chi2.empty()) j["statistics"] = statistics_json(r.toys, r.seed);
  j["contours"] = contours_json(r.contours);
  if (r.request.is_sterile()) {
    j["channel"] = channel_name(r.request.channel);
    j["exclusion"] = exclusion_json(r.exclusion);
    j["raster_delta_chi2_threshold"] = r.raster_threshold;
    j["delta_chi2_no_mixing"] = r.delta_chi2_no_mixing;
  }
  if (r.request.is_mediator()) {
    // As `cevns scan --json` gives a mediator plane (host/io/scan_output.cpp).
    j["mediator"] = mediator_name(r.request.mediator);
    j["exclusion"] = mediator_exclusion_json(r.exclusion);
    j["allowed_bands"] = allowed_bands_json(r.exclusion, r.allowed_bands);
  }
  return j;
}

Json profile_json(const ProfileScan& p) {
  Json j = {{"best_fit", p.best},
            {"chi2_min", p.chi2_min},
            {"intervals", intervals_json(p.intervals)},
            {"interval_open", open_json(p.intervals)},
            {"delta_chi2_threshold", threshold_json(p.threshold, !p.critical_delta_chi2.empty())}};
  if (!p.critical_delta_chi2.empty()) j["statistics"] = statistics_json(p.toys, p.seed);
  return j;
}

// The layout of a scan group (docs/output-format.md, `file_kind = scan`, 2-D): the axes as
// coordinates with `scale`, chi2 and delta_chi2 on (p1, p0), the contour polylines end to end,
// the raster exclusion of sterile planes; attributes as a scan's where they apply to data.
void write_plane(h5::Group g, const PlaneScan& r, const std::string& detector) {
  const auto& axes = r.request.axes;
  for (int k = 0; k < 2; ++k) {
    g.coordinate(axes[k].parameter, r.axes[k], parameter_units(axes[k].id),
                 parameter_long_name(axes[k].id));
    g.set_dataset_attr(axes[k].parameter, "scale", axes[k].log ? "log" : "linear");
  }
  const std::vector<std::string> dims{axes[1].parameter, axes[0].parameter};
  g.variable("chi2", dims, r.chi2, "1",
             "-2 ln(likelihood ratio), Baker-Cousins, normalisations profiled");
  g.variable("delta_chi2", dims, r.delta_chi2, "1", "-2 ln(likelihood ratio) minus its minimum");
  write_contours(g, r.contours, axes[0], axes[1]);
  g.set_attr("detector", detector);
  g.set_attr("parameters", plane_parameters(r.request));
  g.set_attr("method", std::string("factorised"));
  g.set_attr("best_fit", r.best_fit);
  g.set_attr("chi2_min", r.chi2_min);
  set_threshold_attr(g, r.threshold, !r.critical_delta_chi2.empty());
  g.set_attr("cl", 0.9);
  if (!r.critical_delta_chi2.empty())
    write_critical_values(g, dims, r.critical_delta_chi2, r.toys, r.seed);
  if (r.request.is_sterile()) {
    g.variable("exclusion_sin2_2theta", {axes[1].parameter}, r.raster_exclusion, "1",
               "smallest excluded sin^2(2 theta) per dm2 row (raster scan)");
    g.set_attr("raster_delta_chi2_threshold", r.raster_threshold);
    g.set_attr("channel", std::string(channel_name(r.request.channel)));
    g.set_attr("delta_chi2_no_mixing", r.delta_chi2_no_mixing);
  }
  if (r.request.is_mediator()) {
    g.variable("exclusion_coupling", {axes[1].parameter}, r.row_exclusion, "1",
               "smallest excluded mediator coupling per mass row (grid, global minimum, "
               "two-parameter threshold)");
    write_mediator_attributes(g, r.request.mediator);
    std::vector<double> masses, couplings;
    for (const auto& [m, c] : r.exclusion) {
      masses.push_back(m);
      couplings.push_back(c);
    }
    g.set_attr("exclusion_mass_MeV", masses);
    g.set_attr("exclusion_coupling_at_mass", couplings);
  }
}

void write_profile(h5::Group g, const ProfileScan& p, const std::string& long_name) {
  g.coordinate(p.parameter, p.values, parameter_units(p.id), parameter_long_name(p.id));
  g.variable("delta_chi2", {p.parameter}, p.delta_chi2, "1", long_name);
  g.set_attr("best_fit", p.best);
  g.set_attr("chi2_min", p.chi2_min);
  set_threshold_attr(g, p.threshold, !p.critical_delta_chi2.empty());
  std::vector<double> flat;
  for (const auto& iv : p.intervals) {
    flat.push_back(iv.lo);
    flat.push_back(iv.hi);
  }
  g.set_attr("intervals", flat);
  if (!p.critical_delta_chi2.empty())  // Feldman–Cousins: the intervals use these
    write_critical_values(g, {p.parameter}, p.critical_delta_chi2, p.toys, p.seed);
}

void write_data_set(h5::Group g, const DataSet& d, const CountFit* n,
                    const std::vector<ProfileScan>& scans, const std::vector<PlaneScan>& planes,
                    const Check* check) {
  g.set_attr("release", d.release);
  g.set_attr("config_file", d.file);
  g.set_attr("data_dir", d.data_dir);
  g.set_attr("chi2_min", n ? n->chi2_min : kNaN);
  g.set_attr("n_fitted_bins", static_cast<long long>(d.used.size()));
  g.set_attr("response_json", d.response.json.dump());
  g.set_attr("flux_source", d.flux_source);
  if (n) {
    g.set_attr("n_cevns_best", n->best);
    g.set_attr("n_cevns_lo", n->lo);
    g.set_attr("n_cevns_hi", n->hi);
    g.set_attr("n_cevns_predicted", n->predicted);
    h5::Group gn = g.group("n_cevns");
    gn.coordinate("n_cevns", n->grid, "1", "number of CEvNS events in the fitted bins");
    gn.variable("delta_chi2", {"n_cevns"}, n->delta_chi2, "1",
                "Delta(-2 ln L), Baker-Cousins, background normalisations profiled");
    gn.set_attr("best_fit", n->best);
    gn.set_attr("predicted", n->predicted);
    gn.set_attr("interval_1sigma", std::vector<double>{n->lo, n->hi});
  }
  // Observed and predicted energy spectra summed over time (and F90).
  std::vector<double> centres, obs(d.n_energy, 0.0), sig(d.n_energy, 0.0);
  const std::vector<double> s = d.signal(standard_model());
  for (int j = 0; j < d.n_energy; ++j)
    centres.push_back(0.5 * (d.energy_edges[j] + d.energy_edges[j + 1]));
  std::vector<std::vector<double>> bgs(d.backgrounds.size(), std::vector<double>(d.n_energy, 0.0));
  for (std::size_t i = 0; i < d.used.size(); ++i) {
    const int j = d.used[i] / (d.n_extra * d.n_time);
    obs[j] += d.data[i];
    sig[j] += s[i];
    for (std::size_t b = 0; b < bgs.size(); ++b) bgs[b][j] += d.backgrounds[b][i];
  }
  h5::Group gs = g.group("spectrum");
  gs.coordinate("energy", centres, d.energy_units, "observed energy bin centre (fitted bins only)");
  gs.variable("observed", {"energy"}, obs, "1", "observed counts");
  gs.variable("cevns_sm", {"energy"}, sig, "1", "predicted CEvNS counts, Standard Model");
  for (std::size_t b = 0; b < bgs.size(); ++b)
    gs.variable("background_" + d.background_names[b], {"energy"}, bgs[b], "1",
                "nominal background " + d.background_names[b]);
  for (const auto& p : scans)
    write_profile(g.group("profile_" + p.parameter), p, "Delta(-2 ln L), nuisances profiled");
  for (const auto& p : planes) write_plane(g.group(p.request.name), p, d.name);
  if (check && !check->pe_edges.empty()) {
    h5::Group gc = g.group("first_measurement_check");
    std::vector<double> c, lo, hi;
    for (std::size_t j = 0; j + 1 < check->pe_edges.size(); ++j) {
      c.push_back(0.5 * (check->pe_edges[j] + check->pe_edges[j + 1]));
      lo.push_back(check->pe_edges[j]);
      hi.push_back(check->pe_edges[j + 1]);
    }
    gc.coordinate("pe", c, "PE", "photoelectron bin centre");
    gc.variable("pe_lo", {"pe"}, lo, "PE", "lower bin edge");
    gc.variable("pe_hi", {"pe"}, hi, "PE", "upper bin edge");
    gc.variable("predicted", {"pe"}, check->predicted, "1", "predicted CEvNS counts without g_c");
    gc.variable("predicted_gc", {"pe"}, check->predicted_gc, "1",
                "predicted CEvNS counts with g_c (Eq. 7)");
    gc.variable("prompt_neutrons", {"pe"}, check->prompt_neutrons, "1",
                "predicted prompt-neutron counts");
    gc.variable("measured", {"pe"}, check->measured, "1",
                "beam-on coincidence minus anti-coincidence counts");
    gc.variable("measured_error", {"pe"}, check->error, "1", "sqrt(C + AC)");
    gc.set_attr("time_range_us", check->time_range_us);
  }
}

}  // namespace cevns
