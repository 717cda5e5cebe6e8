// Expected event numbers of a detector (SPEC §6): totals, per flux class, per isotope, per bin.
#pragma once

#include <string>
#include <vector>

#include "host/config/config.hpp"
#include "kernels/backend.hpp"
#include "kernels/rate_problem.hpp"

namespace cevns {

struct RatesResult {
  std::string detector;
  std::vector<std::string> isotopes;
  std::vector<double> edges_keV;
  std::vector<double> counts;  // [isotope][flux][bin], detector efficiency applied
  int n_bins() const { return static_cast<int>(edges_keV.size()) - 1; }
  double at(int isotope, int flux, int bin) const {
    return counts[(static_cast<std::size_t>(isotope) * kNumFluxes + flux) * n_bins() + bin];
  }
  double total() const;
  double flux_total(int flux) const;
  double isotope_total(int isotope) const;
  std::vector<double> bin_counts() const;
};

// Rate of each quadrature entry at the model's couplings: no oscillation, no efficiency.
std::vector<double> entry_rates(const RateProblem& problem, const std::vector<Moments>& moments,
                                const PhysicsModel& model);

RatesResult compute_rates(const DetectorConfig& detector, const std::vector<double>& edges_keV,
                          const PhysicsModel& model, Backend& backend);

// The same for a given rate problem of the detector (e.g. with tabulated spectra), whose recoil
// bins are `edges_keV`.
RatesResult compute_rates(const DetectorConfig& detector, const RateProblem& problem,
                          const std::vector<double>& edges_keV, const PhysicsModel& model,
                          Backend& backend);

}  // namespace cevns
