// The detector response as a matrix from fine true-recoil bins to observed bins, and the fold of
// per-flux rates (or form-factor moments) into observed (energy × time) bins.
//
//   R[b][j] = (1/n) Σ_{sub-nodes T in true bin b} Σ_{s} P(x ∈ sub-bin s of j | T) · A(centre_s),
//   observed[f][j][t] = Σ_b R[b][j] · counts[f][b] · time[f][t].
//
// R is linear in the counts, so it folds the Moments ⟨Z²F_Z²⟩, ⟨ZN F_Z F_N⟩, ⟨N²F_N²⟩ (and the
// magnetic-moment one) of
// every (flux, true bin) just as well: the couplings-quadratic factorisation of SPEC §9 survives
// the response — the response folds into the response tables.
#pragma once

#include <string>
#include <vector>

#include "host/core/json_reader.hpp"
#include "kernels/couplings.hpp"
#include "kernels/response.hpp"

namespace cevns {

struct ResponseConfig {
  Response response{Quenching{{1.0, 0.0, 0.0, 0.0}}, kObservedKeVee, 1.0, kPerfectResolution, 0.0};
  int acceptance_model = kUnitAcceptance;
  double acceptance_params[4] = {0.0, 0.0, 0.0, 0.0};
  std::vector<double> acceptance_x, acceptance_value;  // kTabulatedAcceptance
  std::string acceptance_file;                         // where the table came from, if a file
  // Sub-bins per observed bin at whose centres the acceptance is evaluated (the CsI 2017 release
  // evaluates its acceptance at 1-PE bin centres: 2 sub-bins for its 2-PE bins).
  int acceptance_subbins = 1;
  double true_bin_width_keV = 0.25;  // width of the fine true-recoil bins
  int sub_nodes = 8;                 // midpoint sub-nodes per true bin for the average
  Json json;                         // as read, for the output's metadata

  AcceptanceCurve acceptance_curve() const;
  std::string observable_name() const {
    return response.observable == kObservedPE ? "PE" : "keVee";
  }
};

// Reads the "response" object of a data-set config (schema in configs/data/README, and in the
// comments of host/response_matrix.cpp). A tabulated acceptance "file" is resolved against
// `data_dir` and read with read_numeric_table (columns x, value by "x_column"/"value_column").
ResponseConfig parse_response(const Json& json, const std::string& file, const std::string& path,
                              const std::string& data_dir);

struct ResponseMatrix {
  std::vector<double> true_edges_keV, observed_edges;
  std::vector<double> r;  // [true bin][observed bin]
  int n_true() const { return static_cast<int>(true_edges_keV.size()) - 1; }
  int n_observed() const { return static_cast<int>(observed_edges.size()) - 1; }
  double at(int b, int j) const { return r[static_cast<std::size_t>(b) * n_observed() + j]; }
};

ResponseMatrix build_response_matrix(const ResponseConfig& config,
                                     const std::vector<double>& true_edges_keV,
                                     const std::vector<double>& observed_edges);

// Fine true-recoil edges from `lo_keV` to `hi_keV` in steps of `width_keV` (last bin narrower).
std::vector<double> fine_true_edges_keV(double lo_keV, double hi_keV, double width_keV);

// Σ_b R[b][j] m[f][b] for per-flux tables [flux][true bin] → [flux][observed bin].
std::vector<Moments> fold_moments(const ResponseMatrix& r, const std::vector<Moments>& per_flux);
std::vector<double> fold_counts(const ResponseMatrix& r, const std::vector<double>& per_flux);

// The full (energy × time) fold: counts [flux][true bin], time [flux][time bin] →
// [flux][observed bin][time bin].
std::vector<double> fold_energy_time(const ResponseMatrix& r, const std::vector<double>& counts,
                                     const std::vector<double>& time_pdf, int n_time);

// ---------------------------------------------------------------------------------------------
// Arrival time (the "timing" object of a data-set config, and of a forecast detector's response).

// PDG 2024: τ_π± = 26.033 ns, τ_μ = 2196.98 ns.
inline constexpr double kPionLifetime_us = 0.026033;
inline constexpr double kMuonLifetime_us = 2.1969811;

// Per-flux arrival-time PDFs on the data set's time bins: the release's tables (CsI 2017) or the
// beam model of kernels/response.hpp.
struct Timing {
  bool release = false;
  BeamTiming beam{0.44, 0.15, kPionLifetime_us, kMuonLifetime_us};
  double plateau_us = 0.0, rate_per_us = 0.0;  // time efficiency (rate 0: none)
};

Timing parse_timing(JsonObject& obj);

// Mean time efficiency over [lo, hi) µs (1 without one).
double time_efficiency(const Timing& t, double lo_us, double hi_us);

// The beam model's arrival-time probability of each flux in each time bin, time efficiency
// applied: [flux][time bin].
std::vector<double> beam_time_pdf(const Timing& t, const std::vector<double>& edges_us);

}  // namespace cevns
