#include "host/config/response_matrix.hpp"

#include <algorithm>
#include <cmath>

#include "host/core/text_table.hpp"
#include "kernels/flux.hpp"

namespace cevns {

namespace {

std::string resolve_relative_local(const std::string& base, const std::string& p) {
  if (!p.empty() && p[0] == '/') return p;
  return base + "/" + p;
}

// The rows of the release file `path` named by obj's `key`. A file that cannot be opened is an
// error of the config's key (like a missing detector file); an error inside the file names the
// file and its line.
std::vector<TableRow> release_table(JsonObject& obj, const std::string& key,
                                    const std::string& path, int columns) {
  try {
    return read_numeric_table(path, columns);
  } catch (const InputError& e) {
    // The reader's error of the file as a whole (it names no line): the file could not be opened.
    if (e.file() == path && e.json_path().empty())
      obj.fail(key, "\"" + path + "\" " + e.expectation());
    throw;
  }
}

// Coefficients a b c d: given inline ("coefficients") or as row `row` of a release file ("file",
// relative to the data directory).
std::vector<double> coefficients(JsonObject& obj, const std::string& data_dir) {
  if (obj.has("file")) {
    const std::string path = resolve_relative_local(data_dir, obj.string("file"));
    const int row = obj.non_negative_integer("row", 0);
    const auto rows = release_table(obj, "file", path, 4);
    if (row >= static_cast<int>(rows.size()))
      obj.fail("row", "expected a row index below " + std::to_string(rows.size()) + " (rows of " +
                          path + ")");
    return rows[row].values;
  }
  std::vector<double> c = obj.numbers("coefficients");
  if (c.size() != 4) obj.fail("coefficients", "expected four coefficients a, b, c, d");
  return c;
}

}  // namespace

AcceptanceCurve ResponseConfig::acceptance_curve() const {
  return AcceptanceCurve{acceptance_model,     acceptance_params[0],
                         acceptance_params[1], acceptance_params[2],
                         acceptance_params[3], static_cast<int>(acceptance_x.size()),
                         acceptance_x.data(),  acceptance_value.data()};
}

ResponseConfig parse_response(const Json& json, const std::string& file, const std::string& path,
                              const std::string& data_dir) {
  JsonObject obj(json, file, path);
  ResponseConfig c;
  c.json = json;

  {
    JsonObject q = obj.object("quenching");
    const std::string model = q.one_of("model", {"constant", "linear", "polynomial_MeV"});
    Quenching& qu = c.response.quenching;
    qu = Quenching{{0.0, 0.0, 0.0, 0.0}};
    if (model == "constant") {
      qu.coeff[0] = q.positive("factor");
    } else if (model == "linear") {  // QF = a + b T → E_ee = a T + b T²
      qu.coeff[0] = q.positive("a");
      qu.coeff[1] = q.finite("b_per_keVnr");
    } else {  // E_ee[MeVee] = Σ c_k x^k, x in MeVnr → keV: c_k (1e-3)^(k−1)
      const std::vector<double> m = coefficients(q, data_dir);
      for (int k = 0; k < 4; ++k) qu.coeff[k] = m[k] * std::pow(1e-3, k);
    }
    q.string("description", std::string());
    q.finish();
  }

  const std::string observable = obj.one_of("observable", {"PE", "keVee"});
  c.response.observable = observable == "PE" ? kObservedPE : kObservedKeVee;
  if (c.response.observable == kObservedPE)
    c.response.light_yield_PE_per_keVee = obj.positive("light_yield_PE_per_keVee");

  if (obj.has("resolution")) {
    JsonObject r = obj.object("resolution");
    const std::string model = r.one_of("model", {"none", "gaussian", "gamma"});
    if (model == "gaussian") {
      c.response.resolution = kGaussianResolution;
      c.response.resolution_a = r.positive("a_sqrt_keVee");
    } else if (model == "gamma") {
      if (c.response.observable != kObservedPE)
        r.fail("model",
               "expected \"none\" or \"gaussian\": the gamma model smears photoelectrons "
               "(observable \"PE\")");
      c.response.resolution = kGammaResolution;
      c.response.resolution_a = r.positive("b_per_keVee");
    }
    r.string("description", std::string());
    r.finish();
  }

  if (obj.has("acceptance")) {
    JsonObject a = obj.object("acceptance");
    const std::string model =
        a.one_of("model", {"none", "csi2017_sigmoid", "csi2021_sigmoid", "table"});
    if (model == "csi2017_sigmoid") {
      c.acceptance_model = kSigmoidStep2017;
      c.acceptance_params[0] = a.positive("a");
      c.acceptance_params[1] = a.positive("k");
      c.acceptance_params[2] = a.finite("x0");
    } else if (model == "csi2021_sigmoid") {
      c.acceptance_model = kSigmoidOffset2021;
      const std::vector<double> m = coefficients(a, data_dir);
      std::copy(m.begin(), m.end(), c.acceptance_params);
    } else if (model == "table") {
      c.acceptance_model = kTabulatedAcceptance;
      if (a.has("file")) {
        c.acceptance_file = resolve_relative_local(data_dir, a.string("file"));
        const int columns = a.positive_integer("columns", 2);
        const int xc = a.positive_integer("x_column", 1),
                  vc = a.positive_integer("value_column", 2);
        if (xc > columns || vc > columns)
          a.fail("columns", "expected at least as many columns as x_column and value_column");
        for (const auto& row : release_table(a, "file", c.acceptance_file, columns)) {
          c.acceptance_x.push_back(row.values[xc - 1]);
          c.acceptance_value.push_back(row.values[vc - 1]);
        }
      } else {
        c.acceptance_x = a.numbers("x");
        c.acceptance_value = a.numbers("value");
      }
      if (c.acceptance_x.size() != c.acceptance_value.size() || c.acceptance_x.empty())
        a.fail("value", "expected as many acceptance values as x values");
      for (std::size_t i = 1; i < c.acceptance_x.size(); ++i)
        if (!(c.acceptance_x[i] > c.acceptance_x[i - 1]))
          a.fail(a.has("file") ? "file" : "x", "expected strictly increasing x values");
    }
    a.string("description", std::string());
    a.finish();
  }
  c.acceptance_subbins = obj.positive_integer("acceptance_subbins", 1);
  c.true_bin_width_keV = obj.positive("true_bin_width_keV", 0.25);
  c.sub_nodes = obj.positive_integer("sub_nodes", 8);
  obj.string("description", std::string());
  obj.finish();
  return c;
}

std::vector<double> fine_true_edges_keV(double lo_keV, double hi_keV, double width_keV) {
  std::vector<double> edges{lo_keV};
  for (int k = 1;; ++k) {
    const double e = lo_keV + k * width_keV;
    if (e >= hi_keV - 1e-9) break;
    edges.push_back(e);
  }
  edges.push_back(hi_keV);
  return edges;
}

namespace {

// Recoil whose mean observation is x, inside [lo, hi] (the response is increasing in T there:
// constant and linear QF trivially, the CsI 2021 quartic up to ~150 keVnr).
double inverse_mean_observed(const Response& r, double x, double lo, double hi) {
  if (mean_observed(r, lo) >= x) return lo;
  if (mean_observed(r, hi) <= x) return hi;
  for (int i = 0; i < 200 && hi - lo > 1e-13 * hi; ++i) {
    const double mid = 0.5 * (lo + hi);
    (mean_observed(r, mid) < x ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

}  // namespace

ResponseMatrix build_response_matrix(const ResponseConfig& config,
                                     const std::vector<double>& true_edges_keV,
                                     const std::vector<double>& observed_edges) {
  ResponseMatrix m;
  m.true_edges_keV = true_edges_keV;
  m.observed_edges = observed_edges;
  const int nb = m.n_true(), nj = m.n_observed(), ns = config.acceptance_subbins;
  m.r.assign(static_cast<std::size_t>(nb) * nj, 0.0);
  const AcceptanceCurve acc = config.acceptance_curve();
  const Response& resp = config.response;
  for (int b = 0; b < nb; ++b) {
    const double t_lo = true_edges_keV[b], t_hi = true_edges_keV[b + 1];
    for (int j = 0; j < nj; ++j) {
      const double h = (observed_edges[j + 1] - observed_edges[j]) / ns;
      double sum = 0.0;
      for (int s = 0; s < ns; ++s) {
        const double lo = observed_edges[j] + s * h, hi = lo + h;
        const double a = acceptance_value(acc, lo + 0.5 * h);
        if (a == 0.0) continue;
        double p = 0.0;
        if (resp.resolution == kPerfectResolution) {
          // Exact fraction of the (uniformly weighted) true bin whose mean lands in [lo, hi).
          p = (inverse_mean_observed(resp, hi, t_lo, t_hi) -
               inverse_mean_observed(resp, lo, t_lo, t_hi)) /
              (t_hi - t_lo);
        } else {
          // Midpoint average over sub-nodes of the true bin.
          for (int k = 0; k < config.sub_nodes; ++k) {
            const double t = t_lo + (k + 0.5) * (t_hi - t_lo) / config.sub_nodes;
            p += observed_bin_probability(resp, t, lo, hi);
          }
          p /= config.sub_nodes;
        }
        sum += a * p;
      }
      m.r[static_cast<std::size_t>(b) * nj + j] = sum;
    }
  }
  return m;
}

std::vector<Moments> fold_moments(const ResponseMatrix& r, const std::vector<Moments>& per_flux) {
  const int nb = r.n_true(), nj = r.n_observed();
  const int nf = static_cast<int>(per_flux.size()) / nb;
  std::vector<Moments> out(static_cast<std::size_t>(nf) * nj, Moments{0.0, 0.0, 0.0, 0.0});
  for (int f = 0; f < nf; ++f)
    for (int b = 0; b < nb; ++b) {
      const Moments& m = per_flux[static_cast<std::size_t>(f) * nb + b];
      for (int j = 0; j < nj; ++j) {
        const double w = r.at(b, j);
        if (w == 0.0) continue;
        Moments& o = out[static_cast<std::size_t>(f) * nj + j];
        o.zz += w * m.zz;
        o.zn += w * m.zn;
        o.nn += w * m.nn;
        o.magnetic += w * m.magnetic;
      }
    }
  return out;
}

std::vector<double> fold_counts(const ResponseMatrix& r, const std::vector<double>& per_flux) {
  const int nb = r.n_true(), nj = r.n_observed();
  const int nf = static_cast<int>(per_flux.size()) / nb;
  std::vector<double> out(static_cast<std::size_t>(nf) * nj, 0.0);
  for (int f = 0; f < nf; ++f)
    for (int b = 0; b < nb; ++b)
      for (int j = 0; j < nj; ++j)
        out[static_cast<std::size_t>(f) * nj + j] +=
            r.at(b, j) * per_flux[static_cast<std::size_t>(f) * nb + b];
  return out;
}

std::vector<double> fold_energy_time(const ResponseMatrix& r, const std::vector<double>& counts,
                                     const std::vector<double>& time_pdf, int n_time) {
  const std::vector<double> energy = fold_counts(r, counts);
  const int nj = r.n_observed();
  const int nf = static_cast<int>(energy.size()) / nj;
  std::vector<double> out(static_cast<std::size_t>(nf) * nj * n_time);
  for (int f = 0; f < nf; ++f)
    for (int j = 0; j < nj; ++j)
      for (int t = 0; t < n_time; ++t)
        out[(static_cast<std::size_t>(f) * nj + j) * n_time + t] =
            energy[static_cast<std::size_t>(f) * nj + j] *
            time_pdf[static_cast<std::size_t>(f) * n_time + t];
  return out;
}

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

}  // namespace cevns
