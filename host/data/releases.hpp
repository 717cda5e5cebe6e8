// The release-specific parts of a data set (host/data/data_set.hpp): timing models, background
// templates, and the assembly of each COHERENT release's data, binning and backgrounds.
#pragma once

#include <string>
#include <vector>

#include "host/data/data_set.hpp"
#include "kernels/response.hpp"

namespace cevns::releases {

// PDG 2024: τ_π± = 26.033 ns, τ_μ = 2196.98 ns.
inline constexpr double kPionLifetime_us = 0.026033;
inline constexpr double kMuonLifetime_us = 2.1969811;

// [lo, hi] with lo < hi under `key`, or `fallback` when absent.
std::vector<double> range_pair(JsonObject& obj, const std::string& key,
                               std::vector<double> fallback);
// At least two strictly increasing bin edges under `key`.
std::vector<double> increasing(JsonObject& obj, const std::string& key);
// [lo, hi) inside `range` (to 1e-9).
bool inside(double lo, double hi, const std::vector<double>& range);

// Per-flux arrival-time PDFs on the data set's time bins: the release's tables (CsI 2017) or the
// beam model of kernels/response.hpp.
struct Timing {
  bool release = false;
  BeamTiming beam{0.44, 0.15, kPionLifetime_us, kMuonLifetime_us};
  double plateau_us = 0.0, rate_per_us = 0.0;  // time efficiency (rate 0: none)
};

Timing parse_timing(JsonObject& obj);

// The background templates of a data set on its full (energy × extra × time) grid, with their
// normalisation σ from the config's "backgrounds" object.
struct Backgrounds {
  JsonObject obj;
  DataSet* d;
  std::vector<std::vector<double>> full;
  void add(const std::string& name, std::vector<double> full_grid);
};

void assemble_csi2017(DataSet& d, JsonObject& obj, Backgrounds& bg, const Timing& timing,
                      Check* check);
void assemble_csi2021(DataSet& d, JsonObject& obj, Backgrounds& bg, const Timing& timing);
void assemble_lar2020(DataSet& d, JsonObject& obj, Backgrounds& bg, const Timing& timing);

}  // namespace cevns::releases
