// Pieces of study configs (JSON) that several tests use.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace cevns::testing {

// An axis of a scan: `points` values of `parameter` from `lo` to `hi`, evenly spaced in the value
// or, with `log`, in its logarithm.
inline nlohmann::json axis(const std::string& parameter, double lo, double hi, int points,
                           bool log = false) {
  return {{"parameter", parameter},
          {"min", lo},
          {"max", hi},
          {"points", points},
          {"scale", log ? "log" : "linear"}};
}

// A binned detector response of a study's "responses" (README, "Realistic forecast: binned
// detectors"): a linear quenching factor and Gaussian smearing in keVee, the beam timing, three
// observed-energy by two arrival-time bins and one steady background.
inline nlohmann::json binned_response() {
  return {
      {"response",
       {{"quenching", {{"model", "linear"}, {"a", 0.246}, {"b_per_keVnr", 0.00078}}},
        {"observable", "keVee"},
        {"resolution", {{"model", "gaussian"}, {"a_sqrt_keVee", 0.58}}},
        {"true_bin_width_keV", 4.0}}},
      {"timing", {{"model", "beam"}, {"mean_us", 0.44}, {"width_us", 0.15}}},
      {"binning", {{"keVee_edges", {0.0, 10.0, 20.0, 40.0}}, {"time_edges_us", {0.0, 1.0, 6.0}}}},
      {"backgrounds",
       {{"steady",
         {{"sigma", 0.05},
          {"energy", {4.0, 3.0, 2.0}},
          {"time", "flat"},
          {"protons_on_target", 1.76e23}}}}}};
}

}  // namespace cevns::testing
