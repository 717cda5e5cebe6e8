#include "host/data/data_set.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <utility>

#include "host/config/neutron_radius.hpp"
#include "host/data/coherent_data.hpp"
#include "host/data/releases.hpp"
#include "host/engine/quadrature.hpp"
#include "kernels/flux.hpp"
#include "kernels/poisson.hpp"

namespace cevns {

namespace {

using namespace releases;

// The CEvNS counts of a detector in fine true-recoil bins: its quadrature entries with their
// Moments (on the backend), detector efficiency applied, to be folded by `fold`.
std::shared_ptr<const CountsModel> fine_counts(const DetectorConfig& det,
                                               const std::vector<double>& true_edges,
                                               Backend& backend, FoldTables fold,
                                               const FluxTable* flux_table) {
  auto problem = std::make_shared<const RateProblem>(
      flux_table ? build_rate_problem(det, true_edges, tabulated_spectra(*flux_table))
                 : build_rate_problem(det, true_edges));
  auto moments = std::make_shared<const std::vector<Moments>>(backend.entry_moments(*problem));
  return std::make_shared<const CountsModel>(std::move(problem), std::move(moments), det.efficiency,
                                             std::move(fold));
}

// The first-measurement check (CsI 2017): the predicted spectrum per energy bin over a time
// window, by a fold whose analysis bins are the energy bins, each flux weighted by its
// arrival-time probability inside the window.
FoldTables time_window_fold(const DataSet& d, const std::vector<double>& time_range) {
  FoldTables f;
  f.response = d.matrix.r;
  f.n_true = d.matrix.n_true();
  f.n_energy = d.n_energy;
  f.weight.assign(static_cast<std::size_t>(kNumFluxes) * d.n_energy, 0.0);
  for (int fl = 0; fl < kNumFluxes; ++fl) {
    double w = 0.0;
    for (int t = 0; t < d.n_time; ++t)
      if (inside(d.time_edges_us[t], d.time_edges_us[t + 1], time_range))
        w += d.time_pdf[static_cast<std::size_t>(fl) * d.n_time + t];
    for (int j = 0; j < d.n_energy; ++j)
      f.weight[static_cast<std::size_t>(fl) * d.n_energy + j] = w;
  }
  for (int j = 0; j < d.n_energy; ++j) f.energy_of_bin.push_back(j);
  return f;
}

// "flux": {"file": ..., "description": ...}, the release's simulated flux converted by
// scripts/convert_root_flux.py, relative to the data directory. Used when the file is there;
// when it is not, the analytic spectra and the "timing" model (the documented fallback), and the
// data set's flux_source says so.
void parse_flux(JsonObject& obj, DataSet& d, const Timing& timing) {
  if (!obj.has("flux")) return;
  JsonObject f = obj.object("flux");
  const std::string file = f.string("file");
  if (file.empty()) f.fail("file", "expected a file name (relative to the data directory)");
  f.string("description", std::string());
  f.finish();
  const std::string path = file[0] == '/' ? file : d.data_dir + "/" + file;
  std::ifstream probe(path);
  if (!probe) {
    d.flux_source = "analytic pi-DAR spectra (SPEC 2) and the config's timing model: flux table " +
                    path + " not found (scripts/convert_root_flux.py makes it)";
    return;
  }
  d.flux_table = std::make_shared<const FluxTable>(load_flux_table(path));
  d.flux_source = "flux table " + path + " (sha256 " + d.flux_table->sha256 + ")" +
                  (timing.release ? ": energy spectra; arrival times from the release's PDFs"
                                  : ": energy spectra and arrival times");
}

DataSet load_data_set_impl(const std::string& config_file, const Json& json,
                           const std::optional<std::string>& cli_dir, Backend& backend,
                           Check* check) {
  JsonObject obj(json, config_file, "");
  DataSet d;
  d.file = config_file;
  d.json = json;
  d.name = obj.name("name");  // an HDF5 group name
  d.release = obj.one_of("release", {"csi2017", "csi2021", "lar2020"});
  obj.string("description", std::string());
  const std::string base = directory_of(config_file);
  std::optional<std::string> config_dir;
  if (obj.has("data_dir")) config_dir = resolve_relative(base, obj.string("data_dir"));
  const auto dir = choose_data_dir(cli_dir, config_dir);
  if (!dir)
    throw InputError(config_file, "/data_dir",
                     "no data directory: give --data-dir DIR, set CEVNS_DATA or \"data_dir\"");
  d.data_dir = *dir;

  const Json& det_json = obj.raw("detector");
  d.detector = det_json.is_string()
                   ? load_detector(resolve_relative(base, det_json.get<std::string>()))
                   : parse_detector(det_json, config_file, "/detector", base);
  d.response = parse_response(obj.raw("response"), config_file, "/response", d.data_dir);
  d.energy_units = d.response.observable_name();
  const Timing timing = parse_timing(obj);
  parse_flux(obj, d, timing);
  d.signal_sigma = obj.non_negative("signal_sigma");

  Backgrounds bg{obj.object("backgrounds"), &d, {}};
  if (d.release == "csi2017")
    assemble_csi2017(d, obj, bg, timing, check);
  else if (d.release == "csi2021")
    assemble_csi2021(d, obj, bg, timing);
  else
    assemble_lar2020(d, obj, bg, timing);
  bg.obj.finish();
  if (d.extra_fraction.empty()) d.extra_fraction.assign(d.n_energy, 1.0);
  if (d.extra_edges.empty()) d.extra_edges = {0.0, 1.0};

  // Fitted region: energy and time windows (csi2017; the other releases fit their whole grid).
  std::vector<double> e_range{d.energy_edges.front(), d.energy_edges.back()};
  std::vector<double> t_range{d.time_edges_us.front(), d.time_edges_us.back()};
  if (obj.has("fit_region")) {
    JsonObject r = obj.object("fit_region");
    e_range = range_pair(r, "energy_range", e_range);
    t_range = range_pair(r, "time_range_us", t_range);
    r.finish();
  }

  if (obj.has("fit")) {
    JsonObject f = obj.object("fit");
    d.delta_chi2 = f.positive("delta_chi2", d.delta_chi2);
    d.count_points = f.positive_integer("count_points", d.count_points);
    d.count_max_factor = f.positive("count_max_factor", d.count_max_factor);
    if (f.has("scans")) {
      for (const auto& [item, path] : f.array("scans")) {
        JsonObject s(*item, config_file, path);
        ScanRequest req;
        req.parameter = s.string("parameter");
        const std::optional<int> id = find_parameter(req.parameter);
        if (!id || (parameter_info(*id).role != kCouplingRole &&
                    parameter_info(*id).role != kNeutronRadiusRole))
          s.fail("parameter",
                 "expected sin2_theta_W, an NSI coupling eps_<ab>_<q>V, mu_nu_e, mu_nu_mu, "
                 "r2_nu_e, r2_nu_mu or a neutron radius rn_fm, rn_<X>_fm, got \"" +
                     req.parameter + "\"");
        req.id = *id;
        const double lo = s.finite("min"), hi = s.finite("max");
        for (const auto& [key, x] : {std::pair<const char*, double>{"min", lo}, {"max", hi}})
          if (!parameter_in_range(*id, x))
            s.fail(key, "expected " + req.parameter + " " + parameter_range_text(*id) + ", got " +
                            describe_json_value((*item)[key]));
        if (!(hi > lo)) s.fail("max", "expected max > min");
        if (is_neutron_radius_parameter(*id))
          check_neutron_radius(*id, lo, hi, d.detector, config_file, s.path_of("min"));
        const int n = s.positive_integer("points");
        if (n < 3) s.fail("points", "expected at least 3 points");
        for (int i = 0; i < n; ++i) req.values.push_back(lo + (hi - lo) * i / (n - 1));
        s.finish();
        d.scans.push_back(req);
      }
    }
    d.delta_chi2_2d = f.positive("delta_chi2_2d", d.delta_chi2_2d);
    if (f.has("planes")) {
      for (const auto& [item, path] : f.array("planes")) {
        d.planes.push_back(parse_plane(*item, config_file, path));
        for (std::size_t k = 0; k < 2; ++k)
          if (is_neutron_radius_parameter(d.planes.back().axes[k].id))
            check_neutron_radius(d.planes.back().axes[k].id, d.planes.back().axes[k].min,
                                 d.planes.back().axes[k].max, d.detector, config_file,
                                 path + "/axes/" + std::to_string(k) + "/min");
        for (std::size_t k = 0; k + 1 < d.planes.size(); ++k)
          if (d.planes[k].name == d.planes.back().name)
            throw InputError(
                config_file, path + "/name",
                "expected a unique plane name, \"" + d.planes.back().name + "\" is repeated");
      }
    }
    f.finish();
  }
  if (obj.has("statistics")) {
    d.statistics = parse_statistics(obj.raw("statistics"), config_file, "/statistics");
    if (!d.statistics.poisson && obj.raw("statistics").contains("likelihood"))
      throw InputError(config_file, "/statistics/likelihood",
                       "expected \"poisson\" (fits to data use the Poisson likelihood)");
    d.statistics.poisson = true;
  }
  if (obj.has("published")) {
    JsonObject pub = obj.object("published");
    for (const std::string& key : kPublishedKeys) {
      if (!pub.has(key)) continue;
      JsonObject v = pub.object(key);
      PublishedValue p;
      p.key = key;
      p.value = v.finite("value");
      if (v.has("uncertainty")) {
        const double u = v.non_negative("uncertainty");
        p.lo = p.value - u;
        p.hi = p.value + u;
      } else {
        p.lo = p.value - v.non_negative("minus");
        p.hi = p.value + v.non_negative("plus");
      }
      if (key == "cevns_predicted") {
        if (v.has("theory_uncertainty")) {
          p.theory_uncertainty = v.non_negative("theory_uncertainty");
          if (p.theory_uncertainty > std::min(p.value - p.lo, p.hi - p.value))
            v.fail("theory_uncertainty",
                   "expected at most the total uncertainty (the theory part of it)");
        }
      }
      p.difference_explained_in = v.string("difference_explained_in", "");
      if (key == "cevns_predicted" && !p.difference_explained_in.empty() &&
          !p.has_theory_uncertainty())
        v.fail("difference_explained_in",
               "expected only beside a theory_uncertainty (it names where a difference beyond "
               "that is explained)");
      p.independent = v.boolean("independent", false);
      p.region = v.string("region", "");
      p.source = v.string("source");
      v.finish();
      d.published.push_back(p);
    }
    pub.finish();
  }
  obj.finish({"check", "nuisances"});

  // Signal: fine true bins → Moments → response fold. First over the whole grid, to keep the
  // bins inside the fit region where some template predicts events (a bin that no template
  // reaches carries no information about them and would make −2 ln λ infinite).
  d.true_edges_keV = fine_true_edges_keV(d.detector.threshold_keV, d.detector.endpoint_keV(),
                                         d.response.true_bin_width_keV);
  d.matrix = build_response_matrix(d.response, d.true_edges_keV, d.energy_edges);
  std::vector<int> all(d.n_full());
  for (int i = 0; i < d.n_full(); ++i) all[i] = i;
  const auto full =
      fine_counts(d.detector, d.true_edges_keV, backend, data_fold(d, all), d.flux_table.get());
  const std::vector<double> sig = full->counts(standard_model());
  d.full_signal_sm = sig;
  std::vector<double> data_full = d.data;
  d.data.clear();
  std::vector<std::vector<double>> kept(bg.full.size());
  for (int j = 0; j < d.n_energy; ++j)
    for (int k = 0; k < d.n_extra; ++k)
      for (int t = 0; t < d.n_time; ++t) {
        if (!inside(d.energy_edges[j], d.energy_edges[j + 1], e_range) ||
            !inside(d.time_edges_us[t], d.time_edges_us[t + 1], t_range))
          continue;
        const int i = (j * d.n_extra + k) * d.n_time + t;
        double any = sig[i];
        for (const auto& b : bg.full) any += b[i];
        if (!(any > 0.0)) continue;
        d.used.push_back(i);
        d.data.push_back(data_full[i]);
        for (std::size_t b = 0; b < bg.full.size(); ++b) kept[b].push_back(bg.full[b][i]);
      }
  d.backgrounds = std::move(kept);
  d.counts = std::make_shared<const CountsModel>(full->with_fold(data_fold(d, d.used)));

  if (check && !check->pe_edges.empty()) {
    const FoldTables window = time_window_fold(d, check->time_range_us);
    check->predicted = full->with_fold(window).counts(standard_model());
    DetectorConfig with_gc = d.detector;
    with_gc.kinematic_correction = !d.detector.kinematic_correction;
    check->predicted_gc =
        fine_counts(with_gc, d.true_edges_keV, backend, window, d.flux_table.get())
            ->counts(standard_model());
    if (d.detector.kinematic_correction) std::swap(check->predicted, check->predicted_gc);
  }
  return d;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Two-parameter planes ("fit"/"planes"): the axes as in a study's scans (configs/studies), two
// per plane; a sterile plane names its "channel" and has axes [sin2_2theta, dm2_eV2], a mediator
// plane its "mediator" and axes [mediator_coupling, mediator_mass_MeV].

PlaneRequest parse_plane(const Json& item, const std::string& file, const std::string& path) {
  JsonObject o(item, file, path);
  PlaneRequest p;
  p.name = o.string("name");
  if (p.name.empty() || p.name.find_first_of("/ ,") != std::string::npos)
    o.fail("name", "expected a non-empty name without '/', ',' or spaces (it names an HDF5 group)");
  const std::string channel = o.one_of("channel", {"none", "nue", "numu"}, std::string("none"));
  p.channel = channel == "nue"    ? kNuEDisappearance
              : channel == "numu" ? kNuMuDisappearance
                                  : kNoSterile;
  if (o.has("mediator")) p.mediator = parse_mediator(o, "mediator");
  o.string("description", std::string());
  const auto axes = o.array("axes");
  if (axes.size() != 2) o.fail("axes", "expected two axes");
  for (const auto& [a, apath] : axes) p.axes.push_back(parse_axis(*a, file, apath));
  o.finish();
  const int k0 = p.axes[0].id, k1 = p.axes[1].id;
  const auto mediator_axis = [](int k) {
    return parameter_info(k).role == kMediatorCouplingRole ||
           parameter_info(k).role == kMediatorMassRole;
  };
  if (p.is_mediator() && p.is_sterile())
    o.fail("channel", "expected no channel on a mediator plane");
  if (p.is_mediator() && !(k0 == kMediatorCoupling && k1 == kMediatorMass))
    o.fail("axes", "expected the axes [mediator_coupling, mediator_mass_MeV] on a mediator plane");
  if (!p.is_mediator() && (mediator_axis(k0) || mediator_axis(k1)))
    o.fail("mediator",
           "missing required key for a mediator plane (expected \"vector_universal\", "
           "\"vector_b_minus_l\", \"vector_lmu_ltau\" or \"scalar\")");
  if (p.is_mediator()) return p;
  if (p.is_sterile() && !(k0 == kSin22Theta && k1 == kDm2))
    o.fail("axes", "expected the axes [sin2_2theta, dm2_eV2] on a sterile plane");
  const auto quadratic = [](int k) {
    return parameter_info(k).role == kCouplingRole || parameter_info(k).role == kNeutronRadiusRole;
  };
  if (!p.is_sterile() && !(quadratic(k0) && quadratic(k1)))
    o.fail("axes",
           "expected sin2_theta_W, eps_<ab>_<q>V, mu_nu_e, mu_nu_mu, r2_nu_e, r2_nu_mu or "
           "neutron-radius axes (sin2_2theta and dm2_eV2 need \"channel\": \"nue\" or \"numu\")");
  if (p.axes[0].parameter == p.axes[1].parameter)
    o.fail("axes", "expected two different parameters");
  return p;
}

FoldTables data_fold(const DataSet& d, const std::vector<int>& full_indices) {
  FoldTables f;
  f.response = d.matrix.r;
  f.n_true = d.matrix.n_true();
  f.n_energy = d.n_energy;
  const std::size_t n = full_indices.size();
  f.weight.resize(kNumFluxes * n);
  const int per_energy = d.n_extra * d.n_time;
  for (std::size_t u = 0; u < n; ++u) {
    const int i = full_indices[u], j = i / per_energy, k = (i / d.n_time) % d.n_extra,
              t = i % d.n_time;
    f.energy_of_bin.push_back(j);
    for (int fl = 0; fl < kNumFluxes; ++fl)
      f.weight[static_cast<std::size_t>(fl) * n + u] =
          d.time_pdf[static_cast<std::size_t>(fl) * d.n_time + t] *
          d.extra_fraction[static_cast<std::size_t>(j) * d.n_extra + k];
  }
  return f;
}

std::vector<double> DataSet::normalisation_sigmas() const {
  std::vector<double> s{signal_sigma};
  s.insert(s.end(), background_sigmas.begin(), background_sigmas.end());
  return s;
}

namespace {

// "nuisances" (the releases' systematic uncertainties as pulls): each entry that is "on" gives
// the release's signal at its +1σ ("plus") and −1σ ("minus") inputs — the config with that JSON
// merge patch (RFC 7396) applied, loaded like any data config — and enters the Poisson likelihood
// as linear template morphing (pyhf's histosys, symmetrised): μ = … + θ Δ with
// Δ = (S₊ − S₋)/2 (S₊ − S when there is no "minus"), θ a unit Gaussian pull profiled with the
// others. Δ is taken at the SM signal. In the statistic's form μ = Σ_k (1 + θ_k) T_k
// (kernels/poisson.hpp) it is the template Δ with σ = 1 and, once for all of them, the fixed
// template −Σ Δ (σ = 0), so the engine, both backends and the toys take it as they are.
void add_nuisances(DataSet& d, const std::string& config_file, const Json& json,
                   const std::optional<std::string>& data_dir, Backend& backend) {
  if (!json.contains("nuisances")) return;
  JsonObject obj(json, config_file, "");
  JsonObject all = obj.object("nuisances");
  Json base = json;
  base.erase("nuisances");
  base.erase("check");
  const auto signal_at = [&](const Json& patch) {
    Json variant = base;
    variant.merge_patch(patch);
    const DataSet v = load_data_set_impl(config_file, variant, data_dir, backend, nullptr);
    std::vector<double> s(d.used.size());
    for (std::size_t u = 0; u < s.size(); ++u) s[u] = v.full_signal_sm[d.used[u]];
    return s;
  };
  std::vector<double> offset(d.used.size(), 0.0);
  bool any = false;
  for (const auto& item : json.at("nuisances").items()) {
    const std::string name = item.key();
    JsonObject n = all.object(name);
    const bool on = n.boolean("on", true);
    n.string("description", std::string());
    const Json plus = n.raw("plus");
    const std::optional<Json> minus =
        n.has("minus") ? std::optional<Json>(n.raw("minus")) : std::nullopt;
    n.finish();
    if (!on) continue;
    if (!plus.is_object()) n.fail("plus", "expected an object (a JSON merge patch of this config)");
    if (minus && !minus->is_object())
      n.fail("minus", "expected an object (a JSON merge patch of this config)");
    const std::vector<double> up = signal_at(plus);
    const std::vector<double> down = minus ? signal_at(*minus) : std::vector<double>{};
    std::vector<double> delta(d.used.size());
    const std::vector<double> nominal = d.counts->counts(standard_model());
    for (std::size_t u = 0; u < delta.size(); ++u) {
      delta[u] = minus ? 0.5 * (up[u] - down[u]) : up[u] - nominal[u];
      offset[u] -= delta[u];
    }
    d.backgrounds.push_back(std::move(delta));
    d.background_names.push_back("nuisance_" + name);
    d.background_sigmas.push_back(1.0);
    d.nuisance_names.push_back(name);
    any = true;
  }
  all.finish();
  if (!any) return;
  d.backgrounds.push_back(std::move(offset));
  d.background_names.push_back("nuisance_offset");
  d.background_sigmas.push_back(0.0);
  if (d.backgrounds.size() + 1 > static_cast<std::size_t>(kMaxPulls))
    throw InputError(config_file, "/nuisances",
                     "expected at most " + std::to_string(kMaxPulls - 1) +
                         " templates besides the signal (backgrounds, nuisances and their "
                         "offset: kMaxPulls = " +
                         std::to_string(kMaxPulls) + " in kernels/poisson.hpp), got " +
                         std::to_string(d.backgrounds.size()) +
                         "; turn some nuisances off (\"on\": false)");
}

}  // namespace

DataSet load_data_set(const std::string& config_file, const std::optional<std::string>& data_dir,
                      Backend& backend, Check* check) {
  const Json json = load_json_file(config_file);
  DataSet d = load_data_set_impl(config_file, json, data_dir, backend, check);
  add_nuisances(d, config_file, json, data_dir, backend);
  return d;
}

}  // namespace cevns
