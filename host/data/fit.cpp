// Fits to COHERENT data: data sets assembled from a config and a release,
// their predictions through the response matrix, and the Poisson fits — CEvNS count, 1-D profiles,
// 2-D planes. The command around them (printing, JSON, HDF5) is host/command_fit.cpp.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <limits>
#include <numeric>
#include <tuple>

#include "host/engine/backend_select.hpp"
#include "host/data/coherent_data.hpp"
#include "host/data/fit.hpp"
#include "host/stats/minimise.hpp"
#include "host/stats/likelihood.hpp"
#include "host/engine/quadrature.hpp"
#include "kernels/flux.hpp"

namespace cevns {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

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

// The quadrature entries of the fine true bins and their Moments, detector efficiency applied.
std::pair<RateProblem, std::vector<Moments>> entry_tables(const DetectorConfig& det,
                                                          const std::vector<double>& edges,
                                                          Backend& backend) {
  RateProblem problem = build_rate_problem(det, edges);
  std::vector<Moments> m = backend.entry_moments(problem);
  for (Moments& x : m) {
    x.zz *= det.efficiency;
    x.zn *= det.efficiency;
    x.nn *= det.efficiency;
  }
  return {std::move(problem), std::move(m)};
}

// Moments summed per (flux, true bin).
std::vector<Moments> true_bin_moments(const RateProblem& problem, const std::vector<Moments>& m) {
  const int nb = problem.n_bins();
  std::vector<Moments> out(static_cast<std::size_t>(kNumFluxes) * nb, Moments{0.0, 0.0, 0.0});
  for (std::size_t e = 0; e < m.size(); ++e) {
    const QuadEntry& q = problem.entries[e];
    Moments& o = out[static_cast<std::size_t>(q.flux) * nb + q.bin];
    o.zz += m[e].zz;
    o.zn += m[e].zn;
    o.nn += m[e].nn;
  }
  return out;
}

std::vector<Moments> true_bin_moments(const DetectorConfig& det, const std::vector<double>& edges,
                                      Backend& backend) {
  const auto [problem, m] = entry_tables(det, edges, backend);
  return true_bin_moments(problem, m);
}

// Counts per (flux, true bin) at given couplings.
std::vector<double> true_bin_counts(const std::vector<Moments>& moments, const Couplings& c) {
  const std::size_t nb = moments.size() / kNumFluxes;
  std::vector<double> out(moments.size());
  for (int f = 0; f < kNumFluxes; ++f) {
    const NucleonCharges q = nucleon_charges(c, flux_flavour(f));
    for (std::size_t b = 0; b < nb; ++b) out[f * nb + b] = charge_weighted(q, moments[f * nb + b]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The first-measurement check (CsI 2017): see Check in host/fit.hpp.

std::vector<double> time_integrated_spectrum(const DataSet& d, const std::vector<Moments>& moments,
                                             const std::vector<double>& time_range) {
  const std::vector<double> per_flux =
      fold_counts(d.matrix, true_bin_counts(moments, standard_model().couplings));
  std::vector<double> out(d.n_energy, 0.0);
  for (int f = 0; f < kNumFluxes; ++f) {
    double w = 0.0;
    for (int t = 0; t < d.n_time; ++t)
      if (inside(d.time_edges_us[t], d.time_edges_us[t + 1], time_range))
        w += d.time_pdf[static_cast<std::size_t>(f) * d.n_time + t];
    for (int j = 0; j < d.n_energy; ++j) out[j] += w * per_flux[static_cast<std::size_t>(f) * d.n_energy + j];
  }
  return out;
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
  const int k0 = p.axes[0].id.kind, k1 = p.axes[1].id.kind;
  if (p.is_sterile() && !(k0 == kSin22Theta && k1 == kDm2))
    o.fail("axes", "expected the axes [sin2_2theta, dm2_eV2] on a sterile plane");
  const auto quadratic = [](int k) { return k == kSin2ThetaW || k == kEpsilon; };
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
        if (!parse_parameter_name(req.parameter, &req.id) || req.id.kind == kSin22Theta ||
            req.id.kind == kDm2)
          s.fail("parameter", "expected sin2_theta_W or an NSI coupling eps_<ab>_<q>V, got \"" +
                                  req.parameter + "\"");
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

  // Signal tables: fine true bins → Moments → response fold.
  d.true_edges_keV = fine_true_edges_keV(d.detector.threshold_keV, d.detector.endpoint_keV(),
                                         d.response.true_bin_width_keV);
  d.matrix = build_response_matrix(d.response, d.true_edges_keV, d.energy_edges);
  std::tie(d.problem, d.entry_moments) = entry_tables(d.detector, d.true_edges_keV, backend);
  d.true_moments = true_bin_moments(d.problem, d.entry_moments);
  d.folded = fold_moments(d.matrix, d.true_moments);

  // Keep the bins inside the fit region where some template predicts events (a bin that no
  // template reaches carries no information about them and would make −2 ln λ infinite).
  const std::vector<double> sig = d.signal_full(standard_model().couplings);
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

  if (check && !check->pe_edges.empty()) {
    check->predicted = time_integrated_spectrum(d, d.true_moments, check->time_range_us);
    DetectorConfig with_gc = d.detector;
    with_gc.kinematic_correction = !d.detector.kinematic_correction;
    const std::vector<Moments> gc = true_bin_moments(with_gc, d.true_edges_keV, backend);
    check->predicted_gc = time_integrated_spectrum(d, gc, check->time_range_us);
    if (d.detector.kinematic_correction) std::swap(check->predicted, check->predicted_gc);
  }
  return d;
}

std::vector<const std::vector<double>*> template_list(const DataSet& d, const std::vector<double>& signal) {
  std::vector<const std::vector<double>*> t{&signal};
  for (const auto& b : d.backgrounds) t.push_back(&b);
  return t;
}

}  // namespace

std::vector<double> DataSet::folded_counts(const Couplings& c) const {
  std::vector<double> out(static_cast<std::size_t>(kNumFluxes) * n_energy);
  for (int f = 0; f < kNumFluxes; ++f) {
    const NucleonCharges q = nucleon_charges(c, flux_flavour(f));
    for (int j = 0; j < n_energy; ++j) {
      const std::size_t i = static_cast<std::size_t>(f) * n_energy + j;
      out[i] = charge_weighted(q, folded[i]);
    }
  }
  return out;
}

std::vector<double> DataSet::folded_depletion(const Couplings& c, int channel, double dm2_eV2) const {
  const int nb = problem.n_bins();
  NucleonCharges q[kNumFluxes];
  for (int f = 0; f < kNumFluxes; ++f) q[f] = nucleon_charges(c, flux_flavour(f));
  std::vector<double> per_true(static_cast<std::size_t>(kNumFluxes) * nb, 0.0);
  for (std::size_t e = 0; e < problem.entries.size(); ++e) {
    const QuadEntry& en = problem.entries[e];
    if (!sterile_affects(channel, en.flux)) continue;
    per_true[static_cast<std::size_t>(en.flux) * nb + en.bin] +=
        charge_weighted(q[en.flux], entry_moments[e]) *
        oscillation_factor(dm2_eV2, problem.baseline_m, en.energy_MeV);
  }
  return fold_counts(matrix, per_true);
}

std::vector<double> DataSet::signal_from_folded(const std::vector<double>& pfe) const {
  std::vector<double> out(used.size());
  const int per_energy = n_extra * n_time;
  for (std::size_t u = 0; u < used.size(); ++u) {
    const int i = used[u], j = i / per_energy, k = (i / n_time) % n_extra, t = i % n_time;
    double s = 0.0;
    for (int f = 0; f < kNumFluxes; ++f)
      s += pfe[static_cast<std::size_t>(f) * n_energy + j] * time_pdf[static_cast<std::size_t>(f) * n_time + t];
    out[u] = s * extra_fraction[static_cast<std::size_t>(j) * n_extra + k];
  }
  return out;
}

std::vector<double> DataSet::signal_full(const Couplings& c) const {
  const std::vector<double> pfe = folded_counts(c);
  std::vector<double> out(static_cast<std::size_t>(n_full()), 0.0);
  for (int f = 0; f < kNumFluxes; ++f) {
    for (int j = 0; j < n_energy; ++j) {
      const double e = pfe[static_cast<std::size_t>(f) * n_energy + j];
      for (int k = 0; k < n_extra; ++k) {
        const double ek = e * extra_fraction[static_cast<std::size_t>(j) * n_extra + k];
        for (int t = 0; t < n_time; ++t)
          out[(static_cast<std::size_t>(j) * n_extra + k) * n_time + t] +=
              ek * time_pdf[static_cast<std::size_t>(f) * n_time + t];
      }
    }
  }
  return out;
}

std::vector<double> DataSet::signal(const Couplings& c) const {
  return signal_from_folded(folded_counts(c));
}

std::vector<double> DataSet::signal(const PhysicsModel& m) const {
  if (m.sterile.channel == kNoSterile || m.sterile.sin2_2theta == 0.0) return signal(m.couplings);
  std::vector<double> pfe = folded_counts(m.couplings);
  const std::vector<double> dep = folded_depletion(m.couplings, m.sterile.channel, m.sterile.dm2_eV2);
  for (std::size_t i = 0; i < pfe.size(); ++i) pfe[i] -= m.sterile.sin2_2theta * dep[i];
  return signal_from_folded(pfe);
}

DataSet load_data_set(const std::string& config_file, const std::optional<std::string>& data_dir,
                      Backend& backend, Check* check) {
  return load_data_set_impl(config_file, data_dir, backend, check);
}

std::vector<double> asimov_data(const DataSet& d, const PhysicsModel& model) {
  std::vector<double> mu = d.signal(model);
  for (const auto& b : d.backgrounds)
    for (std::size_t i = 0; i < mu.size(); ++i) mu[i] += b[i];
  return mu;
}

double profiled_chi2_of_signal(const DataSet& d, const std::vector<double>& data,
                               const std::vector<double>& signal) {
  std::vector<double> sigmas{d.signal_sigma};
  sigmas.insert(sigmas.end(), d.background_sigmas.begin(), d.background_sigmas.end());
  return profile_normalisations(data, template_list(d, signal), sigmas).chi2;
}

double profiled_chi2(const DataSet& d, const std::vector<double>& data, const PhysicsModel& model) {
  return profiled_chi2_of_signal(d, data, d.signal(model));
}

CountFit fit_cevns_count(const DataSet& d, const std::vector<double>& data) {
  CountFit r;
  const std::vector<double> shape = d.signal(standard_model().couplings);
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

ProfileScan scan_parameter(const std::vector<const DataSet*>& sets,
                           const std::vector<std::vector<double>>& data, const ScanRequest& scan,
                           double threshold) {
  ProfileScan p;
  p.parameter = scan.parameter;
  p.id = scan.id;
  p.values = scan.values;
  p.threshold = threshold;
  const auto chi2_at = [&](double x) {
    PhysicsModel m = standard_model();
    set_parameter(m, scan.id, x);
    double c = 0.0;
    for (std::size_t i = 0; i < sets.size(); ++i) c += profiled_chi2(*sets[i], data[i], m);
    return c;
  };
  for (double x : p.values) p.chi2.push_back(chi2_at(x));
  const double tol = 1e-6 * (p.values.back() - p.values.front());
  const auto [best, fmin] = minimise_1d(p.values, p.chi2, chi2_at, tol);
  p.best = best;
  p.chi2_min = fmin;
  for (double c : p.chi2) p.delta_chi2.push_back(c - fmin);
  p.intervals = allowed_intervals(p.values, p.chi2, fmin, threshold, chi2_at, tol);
  return p;
}

// ---------------------------------------------------------------------------------------------
// Two-parameter planes.

namespace {

PhysicsModel plane_model(const PlaneRequest& plane, double x0, double x1) {
  PhysicsModel m = standard_model();
  m.sterile = Sterile{plane.channel, 0.0, 0.0};
  set_parameter(m, plane.axes[0].id, x0);
  set_parameter(m, plane.axes[1].id, x1);
  return m;
}

}  // namespace

std::vector<double> plane_chi2_grid(const DataSet& d, const std::vector<double>& data,
                                    const PlaneRequest& plane) {
  const std::vector<double> x0 = plane.axes[0].values(), x1 = plane.axes[1].values();
  const long n0 = static_cast<long>(x0.size()), n1 = static_cast<long>(x1.size());
  std::vector<double> grid(static_cast<std::size_t>(n0 * n1));
  if (plane.is_sterile()) {
    // Per Δm² row one depletion table D (a sum over the quadrature entries); along the row the
    // signal is linear in sin²2θ: folded − sin²2θ · D (SPEC §9's sterile fast path).
    const Couplings sm = standard_model().couplings;
    const std::vector<double> base = d.folded_counts(sm);
#pragma omp parallel for schedule(dynamic)
    for (long r = 0; r < n1; ++r) {
      const std::vector<double> dep = d.folded_depletion(sm, plane.channel, x1[r]);
      std::vector<double> pfe(base.size());
      for (long i = 0; i < n0; ++i) {
        for (std::size_t k = 0; k < pfe.size(); ++k) pfe[k] = base[k] - x0[i] * dep[k];
        grid[r * n0 + i] = profiled_chi2_of_signal(d, data, d.signal_from_folded(pfe));
      }
    }
  } else {
#pragma omp parallel for schedule(dynamic, 16)
    for (long p = 0; p < n0 * n1; ++p)
      grid[p] = profiled_chi2(d, data, plane_model(plane, x0[p % n0], x1[p / n0]));
  }
  return grid;
}

PlaneScan analyse_plane(const std::vector<const DataSet*>& sets,
                        const std::vector<std::vector<double>>& data, const PlaneRequest& plane,
                        std::vector<double> grid, double threshold_2d, double threshold_1d) {
  PlaneScan r;
  r.request = plane;
  r.axes = {plane.axes[0].values(), plane.axes[1].values()};
  r.chi2 = std::move(grid);
  r.threshold = threshold_2d;
  const std::size_t n0 = r.axes[0].size(), n1 = r.axes[1].size();
  const auto chi2_at = [&](double a, double b) {
    const PhysicsModel m = plane_model(plane, a, b);
    double c = 0.0;
    for (std::size_t i = 0; i < sets.size(); ++i) c += profiled_chi2(*sets[i], data[i], m);
    return c;
  };
  // Sterile planes have near-degenerate valleys (Δm² values whose phases give similar spectra),
  // so the minimisation starts from each of the lowest local minima of the grid (at most 5; a
  // point no higher than its 8 neighbours) and keeps the best.
  std::vector<std::size_t> starts;
  for (std::size_t i1 = 0; i1 < n1; ++i1)
    for (std::size_t i0 = 0; i0 < n0; ++i0) {
      const double v = r.chi2[i1 * n0 + i0];
      bool lowest = std::isfinite(v);
      for (int a = -1; a <= 1 && lowest; ++a)
        for (int b = -1; b <= 1 && lowest; ++b) {
          const long j0 = static_cast<long>(i0) + a, j1 = static_cast<long>(i1) + b;
          if ((a || b) && j0 >= 0 && j1 >= 0 && j0 < static_cast<long>(n0) && j1 < static_cast<long>(n1))
            lowest = !(r.chi2[j1 * n0 + j0] < v);
        }
      if (lowest) starts.push_back(i1 * n0 + i0);
    }
  std::sort(starts.begin(), starts.end(), [&](std::size_t a, std::size_t b) { return r.chi2[a] < r.chi2[b]; });
  if (starts.size() > 5) starts.resize(5);
  if (starts.empty()) starts.push_back(static_cast<std::size_t>(
      std::min_element(r.chi2.begin(), r.chi2.end()) - r.chi2.begin()));
  const double grid_min = r.chi2[starts[0]];
  r.chi2_min = grid_min;
  r.best_fit = {r.axes[0][starts[0] % n0], r.axes[1][starts[0] / n0]};
  for (std::size_t s : starts) {
    const auto [x_min, f_min] = minimise_2d(
        [&](const std::vector<double>& x) { return chi2_at(x[0], x[1]); },
        {r.axes[0][s % n0], r.axes[1][s / n0]}, plane.axes);
    if (f_min < r.chi2_min) {
      r.chi2_min = f_min;
      r.best_fit = x_min;
    }
  }
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
  r.contours = contour_lines(r.axes[0], r.axes[1], r.delta_chi2, threshold_2d, plane.axes[0].log,
                             plane.axes[1].log);
  if (plane.is_sterile()) {
    // Raster scan (the per-Δm² exclusion that sterile searches quote): each row against its own
    // minimum at the one-parameter Δ(−2 ln λ).
    r.raster_threshold = threshold_1d;
    r.raster_exclusion = raster_exclusion(r.axes[0], n1, r.chi2, threshold_1d, plane.axes[0].log);
    const Axis& dm2_axis = plane.axes[1];
    for (double dm2 : {0.1, 1.0, 10.0, 100.0}) {
      if (dm2 < dm2_axis.min || dm2 > dm2_axis.max) continue;
      const auto g = [&](double s) { return chi2_at(s, dm2); };
      std::vector<double> row(n0);
      for (std::size_t i = 0; i < n0; ++i) row[i] = g(r.axes[0][i]);
      const auto [s_min, row_min] = minimise_1d(r.axes[0], row, g);
      double excluded = kNaN;
      for (const Interval& iv : allowed_intervals(r.axes[0], row, row_min, threshold_1d, g))
        if (iv.lo <= s_min && s_min <= iv.hi) excluded = iv.open_hi ? kNaN : iv.hi;
      r.exclusion.emplace_back(dm2, excluded);
    }
  }
  return r;
}

}  // namespace cevns
