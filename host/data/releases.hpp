// The release-specific parts of a data set (host/data/data_set.hpp): timing models, background
// templates, and the assembly of each COHERENT release's data, binning and backgrounds.
#pragma once

#include <string>
#include <vector>

#include "host/data/data_set.hpp"
#include "kernels/response.hpp"

namespace cevns::releases {

// [lo, hi] with lo < hi under `key`, or `fallback` when absent.
std::vector<double> range_pair(JsonObject& obj, const std::string& key,
                               std::vector<double> fallback);
// At least two strictly increasing bin edges under `key`.
std::vector<double> increasing(JsonObject& obj, const std::string& key);
// [lo, hi) inside `range` (to 1e-9).
bool inside(double lo, double hi, const std::vector<double>& range);

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
