#include "host/config/binned_response.hpp"

#include <cmath>
#include <cstdio>
#include <optional>

#include "host/config/limits.hpp"
#include "host/core/text_table.hpp"

namespace cevns {

namespace {

// At least two strictly increasing bin edges under `key`.
std::vector<double> increasing_edges(JsonObject& o, const std::string& key) {
  std::vector<double> v = o.numbers(key);
  if (v.size() < 2) o.fail(key, "expected at least two bin edges");
  for (std::size_t i = 1; i < v.size(); ++i)
    if (!(v[i] > v[i - 1])) o.fail(key, "expected strictly increasing bin edges");
  return v;
}

std::string count_text(std::size_t n) { return std::to_string(n); }

// Sub-nodes and acceptance sub-bins of the response matrix: the releases use 4 to 8.
constexpr int kMaxResponseSubdivisions = 1000;

}  // namespace

FoldTables BinnedResponse::fold() const {
  const ResponseMatrix matrix = build_response_matrix(response, true_edges_keV, energy_edges);
  const std::vector<double> time_pdf = beam_time_pdf(timing, time_edges_us);
  FoldTables f;
  f.response = matrix.r;
  f.n_true = matrix.n_true();
  f.n_energy = n_energy();
  const int nt = n_time(), n = n_bins();
  f.weight.assign(static_cast<std::size_t>(kNumFluxes) * n, 0.0);
  for (int u = 0; u < n; ++u) {
    f.energy_of_bin.push_back(u / nt);
    for (int fl = 0; fl < kNumFluxes; ++fl)
      f.weight[static_cast<std::size_t>(fl) * n + u] =
          time_pdf[static_cast<std::size_t>(fl) * nt + u % nt];
  }
  return f;
}

BinnedResponse parse_binned_response(const Json& json, const std::string& file,
                                     const std::string& path, const std::string& base_dir,
                                     const DetectorConfig& detector) {
  JsonObject o(json, file, path);
  BinnedResponse r;
  r.detector = detector.name;
  r.json = json;
  o.string("description", std::string());
  std::optional<std::string> config_dir;
  if (o.has("data_dir")) config_dir = resolve_relative(base_dir, o.string("data_dir"));
  r.data_dir = choose_data_dir(std::nullopt, config_dir).value_or(base_dir);
  r.response = parse_response(o.raw("response"), file, o.path_of("response"), r.data_dir);

  // SPEC §2: the π-DAR flavours arrive with the proton pulse (prompt ν_μ) and the muon lifetime
  // (delayed ν_e, ν̄_μ); without a timing model the time bins have no meaning.
  if (!o.has("timing"))
    o.fail("timing",
           "missing required key: the arrival-time model of the detector's source "
           "({\"model\": \"beam\", \"mean_us\", \"width_us\"})");
  r.timing = parse_timing(o);
  if (r.timing.release)
    throw InputError(file, o.path_of("timing") + "/model",
                     "expected \"beam\": a forecast has no release's arrival-time tables");

  {
    JsonObject b = o.object("binning");
    const char* energy_key =
        r.response.response.observable == kObservedPE ? "pe_edges" : "keVee_edges";
    if (!b.has(energy_key))
      b.fail(energy_key, std::string("missing required key: the observed-energy bin edges (") +
                             r.response.observable_name() + ", the response's observable)");
    r.energy_edges = increasing_edges(b, energy_key);
    if (r.energy_edges.front() < 0.0) b.fail(energy_key, "expected non-negative bin edges");
    r.time_edges_us = increasing_edges(b, "time_edges_us");
    b.finish();
  }

  // The fine true bins, bounded like any recoil binning (limits.hpp).
  const double n_true =
      (detector.endpoint_keV() - detector.threshold_keV) / r.response.true_bin_width_keV;
  if (!(n_true <= limits::kMaxRecoilBins))
    throw InputError(file, o.path_of("response") + "/true_bin_width_keV",
                     "expected at most " + std::to_string(limits::kMaxRecoilBins) +
                         " true-recoil bins from the threshold to the end point of detector \"" +
                         detector.name + "\"");
  if (r.response.sub_nodes > kMaxResponseSubdivisions ||
      r.response.acceptance_subbins > kMaxResponseSubdivisions)
    throw InputError(file,
                     o.path_of("response") + (r.response.sub_nodes > kMaxResponseSubdivisions
                                                  ? "/sub_nodes"
                                                  : "/acceptance_subbins"),
                     "expected at most " + std::to_string(kMaxResponseSubdivisions));
  r.true_edges_keV = fine_true_edges_keV(detector.threshold_keV, detector.endpoint_keV(),
                                         r.response.true_bin_width_keV);

  const int ne = r.n_energy(), nt = r.n_time();
  if (o.has("backgrounds")) {
    JsonObject all = o.object("backgrounds");
    for (const auto& item : o.raw("backgrounds").items()) {
      JsonObject g = all.object(item.key());
      BinnedResponse::Background bg;
      bg.name = item.key();
      if (bg.name.empty() || bg.name.find_first_of("/ ,") != std::string::npos)
        all.fail(bg.name, "expected a background name without '/', ',' or spaces");
      bg.sigma = g.non_negative("sigma");
      g.string("description", std::string());
      const std::vector<double> energy = g.numbers("energy");
      if (static_cast<int>(energy.size()) != ne)
        g.fail("energy", "expected " + count_text(ne) +
                             " counts, one per observed-energy bin, got " +
                             count_text(energy.size()));
      for (double e : energy)
        if (!(e >= 0.0)) g.fail("energy", "expected non-negative counts");
      std::vector<double> time(nt);
      if (g.has("time") && g.raw("time").is_string()) {
        if (g.string("time") != "flat")
          g.fail("time", "expected \"flat\" or a fraction per time bin");
        const double span = r.time_edges_us.back() - r.time_edges_us.front();
        for (int t = 0; t < nt; ++t) time[t] = (r.time_edges_us[t + 1] - r.time_edges_us[t]) / span;
      } else {
        time = g.numbers("time");
        if (static_cast<int>(time.size()) != nt)
          g.fail("time", "expected " + count_text(nt) + " fractions, one per time bin, got " +
                             count_text(time.size()));
        double sum = 0.0;
        for (double t : time) {
          if (!(t >= 0.0)) g.fail("time", "expected non-negative fractions");
          sum += t;
        }
        if (std::fabs(sum - 1.0) > 1e-6) {
          char buf[64];
          std::snprintf(buf, sizeof buf, "%.9g", sum);
          g.fail("time", std::string("expected fractions that sum to 1, got a sum of ") + buf);
        }
      }
      // The counts were stated at `protons_on_target`; beam-related and steady-state
      // backgrounds alike grow with the run, so they scale with the detector's exposure.
      const double scale = detector.protons_on_target / g.positive("protons_on_target");
      bg.counts.resize(static_cast<std::size_t>(ne) * nt);
      for (int j = 0; j < ne; ++j)
        for (int t = 0; t < nt; ++t)
          bg.counts[static_cast<std::size_t>(j) * nt + t] = scale * energy[j] * time[t];
      g.finish();
      r.backgrounds.push_back(std::move(bg));
    }
    all.finish();
  }
  o.finish();
  return r;
}

}  // namespace cevns
