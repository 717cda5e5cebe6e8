// Pieces of study configs (JSON) that several tests use.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "tests/test_util.hpp"

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

// A small study named `name`: the Ar and CsI detectors, scenarios ideal and sys15, a 1-D scan
// of sin²θ_W ("w", `w_points` points) and a 2-D sterile ν_e scan ("s", 21 × 17 points).
inline nlohmann::json two_detector_study(const std::string& name, int w_points = 31) {
  return {
      {"name", name},
      {"detectors",
       {source_path("configs/detectors/ar.json"), source_path("configs/detectors/csi.json")}},
      {"scenarios", {"ideal", "sys15"}},
      {"quadrature", {{"recoil_nodes", 8}, {"energy_nodes", 8}, {"energy_panels", 2}}},
      {"scans",
       {{{"name", "w"},
         {"axes",
          {{{"parameter", "sin2_theta_W"}, {"min", 0.1}, {"max", 0.4}, {"points", w_points}}}}},
        {{"name", "s"},
         {"channel", "nue"},
         {"axes",
          {axis("sin2_2theta", 1e-2, 1.0, 21, true), axis("dm2_eV2", 0.1, 100.0, 17, true)}}}}}};
}

}  // namespace cevns::testing
