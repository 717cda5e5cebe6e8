#include "host/data/releases.hpp"

#include <algorithm>
#include <cmath>

#include "host/data/coherent_data.hpp"

namespace cevns::releases {

std::vector<double> range_pair(JsonObject& obj, const std::string& key,
                               std::vector<double> fallback) {
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

// The arrival-time PDFs of the signal when the timing model is "beam": the data set's flux table
// where it has one (host/data/flux_table.hpp), else the beam model; time efficiency applied.
std::vector<double> signal_time_pdf(const DataSet& d, const Timing& t) {
  if (!d.flux_table) return beam_time_pdf(t, d.time_edges_us);
  const std::vector<double>& edges = d.time_edges_us;
  const int nt = static_cast<int>(edges.size()) - 1;
  std::vector<double> pdf(static_cast<std::size_t>(kNumFluxes) * nt);
  for (int f = 0; f < kNumFluxes; ++f)
    for (int i = 0; i < nt; ++i)
      pdf[static_cast<std::size_t>(f) * nt + i] =
          table_arrival_probability(*d.flux_table, f, edges[i], edges[i + 1]) *
          time_efficiency(t, edges[i], edges[i + 1]);
  return pdf;
}

void Backgrounds::add(const std::string& name, std::vector<double> full_grid) {
  JsonObject b = obj.object(name);
  d->background_names.push_back(name);
  d->background_sigmas.push_back(b.non_negative("sigma"));
  b.string("description", std::string());
  b.finish();
  full.push_back(std::move(full_grid));
}

namespace {

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

}  // namespace

// ---------------------------------------------------------------------------------------------
// Release-specific assembly of data, backgrounds, signal timing.

void assemble_csi2017(DataSet& d, JsonObject& obj, Backgrounds& bg, const Timing& timing,
                      Check* check) {
  Csi2017Files files;
  if (obj.has("files")) {
    JsonObject f = obj.object("files");
    files.coincidence_beam_on = f.string("coincidence_beam_on", files.coincidence_beam_on);
    files.anticoincidence_beam_on =
        f.string("anticoincidence_beam_on", files.anticoincidence_beam_on);
    files.coincidence_beam_off = f.string("coincidence_beam_off", files.coincidence_beam_off);
    files.anticoincidence_beam_off =
        f.string("anticoincidence_beam_off", files.anticoincidence_beam_off);
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
        d.time_pdf.push_back(
            (f == kPromptNuMu ? rel.prompt_neutrino_time : rel.delayed_neutrino_time)[t] *
            time_efficiency(timing, d.time_edges_us[t], d.time_edges_us[t + 1]));
  } else {
    d.time_pdf = signal_time_pdf(d, timing);
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
    for (int t = 0; t < nt; ++t)
      pn[static_cast<std::size_t>(j) * nt + t] = pn_pe[j] * rel.prompt_neutron_time[t];
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
    files.anticoincidence_beam_on =
        f.string("anticoincidence_beam_on", files.anticoincidence_beam_on);
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
    throw InputError(d.file, "/timing/model",
                     "expected \"beam\": the CsI 2021 release has no "
                     "arrival-time PDFs of the neutrino classes");
  d.time_pdf = signal_time_pdf(d, timing);

  // Steady state: anti-coincidence events in the fitted PE bins and time window, as the product
  // of their PE and time projections (as for CsI 2017). The AC sample already carries every cut,
  // so no efficiency is applied to it.
  const std::vector<double> ss = factorised_projection(
      histogram_events(rel.anticoincidence, d.energy_edges, d.time_edges_us), np, nt);
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
    throw InputError(d.file, "/timing/model",
                     "expected \"beam\": the LAr release has no "
                     "arrival-time PDFs of the neutrino classes");
  d.time_pdf = signal_time_pdf(d, timing);
  // F90 of nuclear recoils per energy bin: the release's CEvNS PDF summed over time (the
  // response to F90 is not modelled; this keeps the pulse-shape discrimination of the release).
  const int ne = d.n_energy, nf = d.n_extra, nt = d.n_time;
  d.extra_fraction.assign(static_cast<std::size_t>(ne) * nf, 1.0 / nf);
  for (int j = 0; j < ne; ++j) {
    double tot = 0.0;
    std::vector<double> row(nf, 0.0);
    for (int k = 0; k < nf; ++k)
      for (int t = 0; t < nt; ++t)
        row[k] += rel.cevns[(static_cast<std::size_t>(j) * nf + k) * nt + t];
    tot = sum(row);
    if (tot > 0.0)
      for (int k = 0; k < nf; ++k)
        d.extra_fraction[static_cast<std::size_t>(j) * nf + k] = row[k] / tot;
  }
  bg.add("brn", rel.brn);
  bg.add("delayed_brn", rel.delayed_brn);
  bg.add("steady_state", rel.steady_state);
  d.data = rel.data;
}

// ---------------------------------------------------------------------------------------------

}  // namespace cevns::releases
