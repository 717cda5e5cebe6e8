#include "host/data/data_set.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "host/data/coherent_data.hpp"
#include "host/engine/quadrature.hpp"
#include "kernels/flux.hpp"

namespace cevns {

namespace {

// PDG 2024: τ_π± = 26.033 ns, τ_μ = 2196.98 ns.
constexpr double kPionLifetime_us = 0.026033;
constexpr double kMuonLifetime_us = 2.1969811;

std::vector<double> range_pair(JsonObject& obj, const std::string& key, std::vector<double> fallback) {
  if (!obj.has(key)) return fallback;
  std::vector<double> v = obj.numbers(key);
  if (v.size() != 2 || !(v[1] > v[0])) obj.fail(key, "expected [lo, hi] with lo < hi");
  return v;
}

std::vector<double> increasing(JsonObject& obj, const std::string& key) {
  std::vector<double> v = obj.numbers(key);
  if (v.size() < 2) obj.fail(key, "expected at least two bin edges");
  for (std::size_t i = 1; i < v.size(); ++i)
    if (!(v[i] > v[i - 1])) obj.fail(key, "expected strictly increasing bin edges");
  return v;
}

bool inside(double lo, double hi, const std::vector<double>& range) {
  return lo >= range[0] - 1e-9 && hi <= range[1] + 1e-9;
}

// Per-flux arrival-time PDFs on the data set's time bins: the release's tables (CsI 2017) or the
// beam model of kernels/response.hpp.
struct Timing {
  bool release = false;
  BeamTiming beam{0.44, 0.15, kPionLifetime_us, kMuonLifetime_us};
  double plateau_us = 0.0, rate_per_us = 0.0;  // time efficiency (rate 0: none)
};

Timing parse_timing(JsonObject& obj) {
  Timing t;
  JsonObject o = obj.object("timing");
  const std::string model = o.one_of("model", {"release", "beam"});
  t.release = model == "release";
  if (!t.release) {
    t.beam.mean_us = o.finite("mean_us");
    t.beam.width_us = o.positive("width_us");
    t.beam.pion_lifetime_us = o.positive("pion_lifetime_us", kPionLifetime_us);
    t.beam.muon_lifetime_us = o.positive("muon_lifetime_us", kMuonLifetime_us);
  }
  if (o.has("efficiency")) {
    JsonObject e = o.object("efficiency");
    t.plateau_us = e.finite("plateau_us");
    t.rate_per_us = e.non_negative("rate_per_us");
    e.string("description", std::string());
    e.finish();
  }
  o.string("description", std::string());
  o.finish();
  return t;
}

double time_efficiency(const Timing& t, double lo, double hi) {
  return mean_time_efficiency(t.plateau_us, t.rate_per_us, lo, hi);
}

std::vector<double> beam_time_pdf(const Timing& t, const std::vector<double>& edges) {
  const int nt = static_cast<int>(edges.size()) - 1;
  std::vector<double> pdf(static_cast<std::size_t>(kNumFluxes) * nt);
  for (int f = 0; f < kNumFluxes; ++f)
    for (int i = 0; i < nt; ++i)
      pdf[static_cast<std::size_t>(f) * nt + i] =
          arrival_probability(t.beam, f != kPromptNuMu, edges[i], edges[i + 1]) *
          time_efficiency(t, edges[i], edges[i + 1]);
  return pdf;
}

struct Backgrounds {
  JsonObject obj;
  DataSet* d;
  std::vector<std::vector<double>> full;
  void add(const std::string& name, std::vector<double> full_grid) {
    JsonObject b = obj.object(name);
    d->background_names.push_back(name);
    d->background_sigmas.push_back(b.non_negative("sigma"));
    b.string("description", std::string());
    b.finish();
    full.push_back(std::move(full_grid));
  }
};

// The CEvNS counts of a detector in fine true-recoil bins: its quadrature entries with their
// Moments (on the backend), detector efficiency applied, to be folded by `fold`.
std::shared_ptr<const CountsModel> fine_counts(const DetectorConfig& det,
                                               const std::vector<double>& true_edges,
                                               Backend& backend, FoldTables fold) {
  auto problem = std::make_shared<const RateProblem>(build_rate_problem(det, true_edges));
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
    for (int j = 0; j < d.n_energy; ++j) f.weight[static_cast<std::size_t>(fl) * d.n_energy + j] = w;
  }
  for (int j = 0; j < d.n_energy; ++j) f.energy_of_bin.push_back(j);
  return f;
}

// A [pe][time] histogram replaced by the product of its projections, h(pe) h(t) / Σh.
std::vector<double> factorised_projection(const std::vector<double>& h, int np, int nt) {
  std::vector<double> pe(np, 0.0), t(nt, 0.0);
  for (int j = 0; j < np; ++j)
    for (int k = 0; k < nt; ++k) {
      pe[j] += h[static_cast<std::size_t>(j) * nt + k];
      t[k] += h[static_cast<std::size_t>(j) * nt + k];
    }
  const double total = sum(pe);
  std::vector<double> out(h.size(), 0.0);
  if (total > 0.0)
    for (int j = 0; j < np; ++j)
      for (int k = 0; k < nt; ++k) out[static_cast<std::size_t>(j) * nt + k] = pe[j] * t[k] / total;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Two-parameter planes ("fit"/"planes"): the axes as in a study's scans (configs/studies), two
// per plane; a sterile plane names its "channel" and has axes [sin2_2theta, dm2_eV2].

PlaneRequest parse_plane(const Json& item, const std::string& file, const std::string& path) {
  JsonObject o(item, file, path);
  PlaneRequest p;
  p.name = o.string("name");
  if (p.name.empty() || p.name.find_first_of("/ ,") != std::string::npos)
    o.fail("name", "expected a non-empty name without '/', ',' or spaces (it names an HDF5 group)");
  const std::string channel = o.one_of("channel", {"none", "nue", "numu"}, std::string("none"));
  p.channel = channel == "nue" ? kNuEDisappearance : channel == "numu" ? kNuMuDisappearance : kNoSterile;
  o.string("description", std::string());
  const auto axes = o.array("axes");
  if (axes.size() != 2) o.fail("axes", "expected two axes");
  for (const auto& [a, apath] : axes) p.axes.push_back(parse_axis(*a, file, apath));
  o.finish();
  const int k0 = p.axes[0].id, k1 = p.axes[1].id;
  if (p.is_sterile() && !(k0 == kSin22Theta && k1 == kDm2))
    o.fail("axes", "expected the axes [sin2_2theta, dm2_eV2] on a sterile plane");
  const auto quadratic = [](int k) { return parameter_info(k).role == kCouplingRole; };
  if (!p.is_sterile() && !(quadratic(k0) && quadratic(k1)))
    o.fail("axes", "expected sin2_theta_W or eps_<ab>_<q>V axes (sin2_2theta and dm2_eV2 need "
                   "\"channel\": \"nue\" or \"numu\")");
  if (p.axes[0].parameter == p.axes[1].parameter) o.fail("axes", "expected two different parameters");
  return p;
}

// ---------------------------------------------------------------------------------------------
// Release-specific assembly of data, backgrounds, signal timing.

void assemble_csi2017(DataSet& d, JsonObject& obj, Backgrounds& bg, const Timing& timing,
                      Check* check) {
  Csi2017Files files;
  if (obj.has("files")) {
    JsonObject f = obj.object("files");
    files.coincidence_beam_on = f.string("coincidence_beam_on", files.coincidence_beam_on);
    files.anticoincidence_beam_on = f.string("anticoincidence_beam_on", files.anticoincidence_beam_on);
    files.coincidence_beam_off = f.string("coincidence_beam_off", files.coincidence_beam_off);
    files.anticoincidence_beam_off = f.string("anticoincidence_beam_off", files.anticoincidence_beam_off);
    files.prompt_neutrino_time = f.string("prompt_neutrino_time", files.prompt_neutrino_time);
    files.delayed_neutrino_time = f.string("delayed_neutrino_time", files.delayed_neutrino_time);
    files.prompt_neutron_time = f.string("prompt_neutron_time", files.prompt_neutron_time);
    files.prompt_neutron_pe = f.string("prompt_neutron_pe", files.prompt_neutron_pe);
    f.finish();
  }
  const Csi2017Release rel = load_csi2017(d.data_dir, files);
  d.energy_edges = rel.pe_edges;
  d.time_edges_us = rel.time_edges_us;
  d.n_energy = rel.n_pe();
  d.n_time = rel.n_time();
  const double exposure = obj.positive("exposure_GWh");

  if (timing.release) {
    d.time_pdf.clear();
    for (int f = 0; f < kNumFluxes; ++f)
      for (int t = 0; t < d.n_time; ++t)
        d.time_pdf.push_back((f == kPromptNuMu ? rel.prompt_neutrino_time : rel.delayed_neutrino_time)[t] *
                             time_efficiency(timing, d.time_edges_us[t], d.time_edges_us[t + 1]));
  } else {
    d.time_pdf = beam_time_pdf(timing, d.time_edges_us);
  }

  // Steady state: the anti-coincidence (beam-on) window, as long as the coincidence one. Its
  // counts enter as the product of their PE and time projections, AC(PE) AC(t) / AC: that keeps
  // the measured shapes (the AC rate is not flat in time: it falls from ~80 to ~35 per 0.5 µs
  // bin over the window) without making every sparse (PE, t) bin's fluctuation a template.
  const int nt = d.n_time, np = d.n_energy;
  const std::vector<double> ss = factorised_projection(rel.ac_on, np, nt);
  bg.add("steady_state", ss);

  // Prompt neutrons: promptPDF (per GW·hr, 1-PE bins) × exposure × the release acceptance at each
  // 1-PE bin centre (coherent_parameters.yaml: "must be applied ... to the prompt-neutron
  // distribution"), summed into the 2-PE bins, × the prompt-neutron arrival-time PDF.
  const AcceptanceCurve acc = d.response.acceptance_curve();
  std::vector<double> pn_pe(np, 0.0);
  for (std::size_t i = 0; i + 1 < rel.prompt_neutron_pe_edges.size(); ++i) {
    const double c = 0.5 * (rel.prompt_neutron_pe_edges[i] + rel.prompt_neutron_pe_edges[i + 1]);
    const int j = std::min(np - 1, static_cast<int>(c / 2.0));
    pn_pe[j] += rel.prompt_neutron_per_GWh[i] * exposure * acceptance_value(acc, c);
  }
  std::vector<double> pn(static_cast<std::size_t>(np) * nt);
  for (int j = 0; j < np; ++j)
    for (int t = 0; t < nt; ++t) pn[static_cast<std::size_t>(j) * nt + t] = pn_pe[j] * rel.prompt_neutron_time[t];
  bg.add("prompt_neutrons", pn);

  d.data = rel.c_on;  // full grid for now; reduced to the fitted bins by the caller

  if (check && obj.has("check")) {
    JsonObject c = obj.object("check");
    check->time_range_us = range_pair(c, "time_range_us", {0.0, 12.0});
    c.string("description", std::string());
    c.finish();
    check->pe_edges = rel.pe_edges;
    check->measured.assign(np, 0.0);
    check->error.assign(np, 0.0);
    check->prompt_neutrons.assign(np, 0.0);
    for (int j = 0; j < np; ++j)
      for (int t = 0; t < nt; ++t) {
        if (!inside(d.time_edges_us[t], d.time_edges_us[t + 1], check->time_range_us)) continue;
        const std::size_t i = static_cast<std::size_t>(j) * nt + t;
        check->measured[j] += rel.c_on[i] - rel.ac_on[i];
        check->error[j] += rel.c_on[i] + rel.ac_on[i];
        check->prompt_neutrons[j] += pn[i];
      }
    for (double& e : check->error) e = std::sqrt(e);
  }
}

void assemble_csi2021(DataSet& d, JsonObject& obj, Backgrounds& bg, const Timing& timing) {
  Csi2021Files files;
  if (obj.has("files")) {
    JsonObject f = obj.object("files");
    files.coincidence_beam_on = f.string("coincidence_beam_on", files.coincidence_beam_on);
    files.anticoincidence_beam_on = f.string("anticoincidence_beam_on", files.anticoincidence_beam_on);
    files.brn_pe = f.string("brn_pe", files.brn_pe);
    files.brn_time = f.string("brn_time", files.brn_time);
    files.nin_pe = f.string("nin_pe", files.nin_pe);
    files.nin_time = f.string("nin_time", files.nin_time);
    files.efficiency = f.string("efficiency", files.efficiency);
    files.scintillation = f.string("scintillation", files.scintillation);
    f.finish();
  }
  const Csi2021Release rel = load_csi2021(d.data_dir, files);
  JsonObject b = obj.object("binning");
  d.energy_edges = increasing(b, "pe_edges");
  d.time_edges_us = increasing(b, "time_edges_us");
  b.finish();
  d.n_energy = static_cast<int>(d.energy_edges.size()) - 1;
  d.n_time = static_cast<int>(d.time_edges_us.size()) - 1;
  const int np = d.n_energy, nt = d.n_time;
  if (timing.release)
    throw InputError(d.file, "/timing/model", "expected \"beam\": the CsI 2021 release has no "
                                              "arrival-time PDFs of the neutrino classes");
  d.time_pdf = beam_time_pdf(timing, d.time_edges_us);

  // Steady state: anti-coincidence events in the fitted PE bins and time window, as the product
  // of their PE and time projections (as for CsI 2017). The AC sample already carries every cut,
  // so no efficiency is applied to it.
  const std::vector<double> ss =
      factorised_projection(histogram_events(rel.anticoincidence, d.energy_edges, d.time_edges_us), np, nt);
  bg.add("steady_state", ss);

  // BRN and NIN: the time PDFs (brnTrec, ninTrec) carry the counts over all PE; the PE PDFs the
  // shape (their sum over 0–60 PE is 1 and over 0–250 PE 1.498 and 1.334): counts in a PE bin
  // = PE content / total PE content × time content, × the time efficiency (the PE PDFs already
  // include the energy efficiency; Newtrinos.jl's coherent_csi.jl builds them the same way).
  // This gives 18.4 BRN and 5.7 NIN events over 0–60 PE, 0–6 µs before the time efficiency.
  const auto neutron_template = [&](const BinnedPdf& pe, const BinnedPdf& time) {
    const double pe_total = sum(pe.values);
    std::vector<double> out(static_cast<std::size_t>(np) * nt);
    for (int j = 0; j < np; ++j)
      for (int t = 0; t < nt; ++t)
        out[static_cast<std::size_t>(j) * nt + t] =
            pdf_content(pe, d.energy_edges[j], d.energy_edges[j + 1]) / pe_total *
            pdf_content(time, d.time_edges_us[t], d.time_edges_us[t + 1]) *
            time_efficiency(timing, d.time_edges_us[t], d.time_edges_us[t + 1]);
    return out;
  };
  bg.add("brn", neutron_template(rel.brn_pe, rel.brn_time));
  bg.add("nin", neutron_template(rel.nin_pe, rel.nin_time));
  d.data = histogram_events(rel.coincidence, d.energy_edges, d.time_edges_us);
}

void assemble_lar2020(DataSet& d, JsonObject& obj, Backgrounds& bg, const Timing& timing) {
  Lar2020Files files;
  if (obj.has("files")) {
    JsonObject f = obj.object("files");
    files.cevns = f.string("cevns", files.cevns);
    files.brn = f.string("brn", files.brn);
    files.delayed_brn = f.string("delayed_brn", files.delayed_brn);
    files.steady_state = f.string("steady_state", files.steady_state);
    files.data = f.string("data", files.data);
    files.efficiency = f.string("efficiency", files.efficiency);
    f.finish();
  }
  const Lar2020Release rel = load_lar2020(d.data_dir, files);
  d.energy_edges = rel.energy_edges_keVee;
  d.extra_edges = rel.f90_edges;
  d.time_edges_us = rel.time_edges_us;
  d.n_energy = rel.n_energy();
  d.n_extra = rel.n_f90();
  d.n_time = rel.n_time();
  if (timing.release)
    throw InputError(d.file, "/timing/model", "expected \"beam\": the LAr release has no "
                                              "arrival-time PDFs of the neutrino classes");
  d.time_pdf = beam_time_pdf(timing, d.time_edges_us);
  // F90 of nuclear recoils per energy bin: the release's CEvNS PDF summed over time (the
  // response to F90 is not modelled; this keeps the pulse-shape discrimination of the release).
  const int ne = d.n_energy, nf = d.n_extra, nt = d.n_time;
  d.extra_fraction.assign(static_cast<std::size_t>(ne) * nf, 1.0 / nf);
  for (int j = 0; j < ne; ++j) {
    double tot = 0.0;
    std::vector<double> row(nf, 0.0);
    for (int k = 0; k < nf; ++k)
      for (int t = 0; t < nt; ++t) row[k] += rel.cevns[(static_cast<std::size_t>(j) * nf + k) * nt + t];
    tot = sum(row);
    if (tot > 0.0)
      for (int k = 0; k < nf; ++k) d.extra_fraction[static_cast<std::size_t>(j) * nf + k] = row[k] / tot;
  }
  bg.add("brn", rel.brn);
  bg.add("delayed_brn", rel.delayed_brn);
  bg.add("steady_state", rel.steady_state);
  d.data = rel.data;
}

// ---------------------------------------------------------------------------------------------

DataSet load_data_set_impl(const std::string& config_file, const std::optional<std::string>& cli_dir,
                           Backend& backend, Check* check) {
  const Json json = load_json_file(config_file);
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
        if (!id || parameter_info(*id).role != kCouplingRole)
          s.fail("parameter", "expected sin2_theta_W or an NSI coupling eps_<ab>_<q>V, got \"" +
                                  req.parameter + "\"");
        req.id = *id;
        const double lo = s.finite("min"), hi = s.finite("max");
        if (!(hi > lo)) s.fail("max", "expected max > min");
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
        for (std::size_t k = 0; k + 1 < d.planes.size(); ++k)
          if (d.planes[k].name == d.planes.back().name)
            throw InputError(config_file, path + "/name", "expected a unique plane name, \"" +
                                                              d.planes.back().name + "\" is repeated");
      }
    }
    f.finish();
  }
  obj.finish({"check"});

  // Signal: fine true bins → Moments → response fold. First over the whole grid, to keep the
  // bins inside the fit region where some template predicts events (a bin that no template
  // reaches carries no information about them and would make −2 ln λ infinite).
  d.true_edges_keV = fine_true_edges_keV(d.detector.threshold_keV, d.detector.endpoint_keV(),
                                         d.response.true_bin_width_keV);
  d.matrix = build_response_matrix(d.response, d.true_edges_keV, d.energy_edges);
  std::vector<int> all(d.n_full());
  for (int i = 0; i < d.n_full(); ++i) all[i] = i;
  const auto full = fine_counts(d.detector, d.true_edges_keV, backend, data_fold(d, all));
  const std::vector<double> sig = full->counts(standard_model());
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
    check->predicted_gc = fine_counts(with_gc, d.true_edges_keV, backend, window)->counts(standard_model());
    if (d.detector.kinematic_correction) std::swap(check->predicted, check->predicted_gc);
  }
  return d;
}

}  // namespace

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

DataSet load_data_set(const std::string& config_file, const std::optional<std::string>& data_dir,
                      Backend& backend, Check* check) {
  return load_data_set_impl(config_file, data_dir, backend, check);
}

}  // namespace cevns
