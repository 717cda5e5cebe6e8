#include "host/data/flux_table.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "host/core/error.hpp"
#include "host/core/sha256.hpp"
#include "host/data/coherent_data.hpp"

namespace cevns {

namespace {

constexpr int kColumns = 8;  // time lo, hi, energy lo, hi, nu_e, anti_nu_e, nu_mu, anti_nu_mu

bool same_edge(double a, double b) { return std::fabs(a - b) <= 1e-9 * std::max(1.0, std::fabs(b)); }

}  // namespace

FluxTable load_flux_table(const std::string& path) {
  const std::vector<TableRow> rows = read_numeric_table(path, kColumns);
  const auto fail = [&](const TableRow& r, const std::string& what) {
    throw InputError(path, "line " + std::to_string(r.line), what);
  };
  if (rows.empty())
    throw InputError(path, "",
                     "expected rows of \"time_lo_us time_hi_us energy_lo_MeV energy_hi_MeV nu_e "
                     "anti_nu_e nu_mu anti_nu_mu\" (scripts/convert_root_flux.py), found none");
  FluxTable t;
  t.path = path;
  {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    t.sha256 = sha256_hex(ss.str());
  }
  // The energy edges from the first time bin's rows, the time edges from every first row.
  for (const TableRow& r : rows) {
    if (!same_edge(r.values[0], rows.front().values[0])) break;
    if (t.energy_edges_MeV.empty()) t.energy_edges_MeV.push_back(r.values[2]);
    if (!same_edge(r.values[2], t.energy_edges_MeV.back()))
      fail(r, "expected the energy bins of a time bin in order, each starting where the last "
              "ended (" + std::to_string(t.energy_edges_MeV.back()) + " MeV)");
    t.energy_edges_MeV.push_back(r.values[3]);
  }
  const std::size_t ne = t.energy_edges_MeV.size() - 1;
  if (rows.size() % ne != 0)
    throw InputError(path, "line " + std::to_string(rows.back().line + 1),
                     "file ends early: expected whole time bins of " + std::to_string(ne) +
                         " energy rows, found " + std::to_string(rows.size()) + " rows");
  const std::size_t nt = rows.size() / ne;
  std::array<std::vector<double>, 4> content;  // nu_e, anti_nu_e, nu_mu, anti_nu_mu [time][energy]
  for (auto& c : content) c.assign(nt * ne, 0.0);
  for (std::size_t i = 0; i < nt; ++i)
    for (std::size_t j = 0; j < ne; ++j) {
      const TableRow& r = rows[i * ne + j];
      const std::vector<double>& v = r.values;
      if (j == 0) {
        if (i == 0) t.time_edges_us.push_back(v[0]);
        if (!same_edge(v[0], t.time_edges_us.back()))
          fail(r, "expected the time bins in order, each starting where the last ended");
        if (!(v[1] > v[0])) fail(r, "expected time_hi_us > time_lo_us");
        t.time_edges_us.push_back(v[1]);
      }
      if (!same_edge(v[0], t.time_edges_us[i]) || !same_edge(v[1], t.time_edges_us[i + 1]))
        fail(r, "expected the time bin of the rows above it");
      if (!same_edge(v[2], t.energy_edges_MeV[j]) || !same_edge(v[3], t.energy_edges_MeV[j + 1]))
        fail(r, "expected the energy bin [" + std::to_string(t.energy_edges_MeV[j]) + ", " +
                    std::to_string(t.energy_edges_MeV[j + 1]) + "] MeV, as in the first time bin");
      if (!(v[3] > v[2]) || v[2] < 0.0)
        fail(r, "expected 0 <= energy_lo_MeV < energy_hi_MeV");
      for (int f = 0; f < 4; ++f) {
        if (v[4 + f] < 0.0) fail(r, "expected non-negative contents");
        content[f][i * ne + j] = v[4 + f];
      }
    }
  // Flux classes: prompt ν_μ ← nu_mu, delayed ν̄_μ ← anti_nu_mu, delayed ν_e ← nu_e + anti_nu_e.
  std::array<std::vector<double>, kNumFluxes> joint;
  joint[kPromptNuMu] = content[2];
  joint[kDelayedNuMuBar] = content[3];
  joint[kDelayedNuE] = content[0];
  for (std::size_t k = 0; k < joint[kDelayedNuE].size(); ++k) joint[kDelayedNuE][k] += content[1][k];
  const double flavours = sum(content[0]) + sum(content[2]) + sum(content[3]);
  if (!(sum(content[0]) > 0.0) || !(sum(content[2]) > 0.0) || !(sum(content[3]) > 0.0))
    throw InputError(path, "", "expected neutrinos of every flavour nu_e, nu_mu, anti_nu_mu");
  const double per_flavour = flavours / 3.0;
  for (int f = 0; f < kNumFluxes; ++f) {
    t.energy[f].assign(ne, 0.0);
    t.time[f].assign(nt, 0.0);
    const double total = sum(joint[f]);
    for (std::size_t i = 0; i < nt; ++i)
      for (std::size_t j = 0; j < ne; ++j) {
        t.energy[f][j] += joint[f][i * ne + j] / per_flavour;
        t.time[f][i] += joint[f][i * ne + j] / total;
      }
  }
  return t;
}

TabulatedSpectra tabulated_spectra(const FluxTable& table) {
  TabulatedSpectra s;
  s.edges_MeV = table.energy_edges_MeV;
  for (int f = 0; f < kNumFluxes; ++f) {
    s.density_per_MeV[f].resize(table.energy[f].size());
    for (std::size_t j = 0; j < table.energy[f].size(); ++j)
      s.density_per_MeV[f][j] =
          table.energy[f][j] / (table.energy_edges_MeV[j + 1] - table.energy_edges_MeV[j]);
  }
  return s;
}

double table_arrival_probability(const FluxTable& table, int flux, double lo_us, double hi_us) {
  double p = 0.0;
  const std::vector<double>& e = table.time_edges_us;
  for (std::size_t i = 0; i + 1 < e.size(); ++i) {
    const double a = std::max(lo_us, e[i]), b = std::min(hi_us, e[i + 1]);
    if (b > a) p += table.time[flux][i] * (b - a) / (e[i + 1] - e[i]);
  }
  return p;
}

}  // namespace cevns
