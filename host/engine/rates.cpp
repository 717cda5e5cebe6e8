#include "host/engine/rates.hpp"

#include <numeric>

#include "host/engine/quadrature.hpp"
#include "kernels/oscillation.hpp"

namespace cevns {

double RatesResult::total() const { return std::accumulate(counts.begin(), counts.end(), 0.0); }

double RatesResult::flux_total(int flux) const {
  double s = 0.0;
  for (std::size_t i = 0; i < isotopes.size(); ++i)
    for (int b = 0; b < n_bins(); ++b) s += at(static_cast<int>(i), flux, b);
  return s;
}

double RatesResult::isotope_total(int isotope) const {
  double s = 0.0;
  for (int f = 0; f < kNumFluxes; ++f)
    for (int b = 0; b < n_bins(); ++b) s += at(isotope, f, b);
  return s;
}

std::vector<double> RatesResult::bin_counts() const {
  std::vector<double> out(n_bins(), 0.0);
  for (std::size_t i = 0; i < isotopes.size(); ++i)
    for (int f = 0; f < kNumFluxes; ++f)
      for (int b = 0; b < n_bins(); ++b) out[b] += at(static_cast<int>(i), f, b);
  return out;
}

std::vector<double> entry_rates(const RateProblem& problem, const std::vector<Moments>& moments,
                                const PhysicsModel& given) {
  PhysicsModel model = given;
  model.couplings = problem.couplings;  // the detector's coupling scheme
  NucleonCharges charges[kNumFluxes];
  for (int f = 0; f < kNumFluxes; ++f) charges[f] = nucleon_charges(model, flux_flavour(f));
  std::vector<double> rates(moments.size());
  for (std::size_t e = 0; e < moments.size(); ++e)
    rates[e] = charge_weighted(charges[problem.entries[e].flux], moments[e]);
  return rates;
}

RatesResult compute_rates(const DetectorConfig& detector, const std::vector<double>& edges_keV,
                          const PhysicsModel& model, Backend& backend) {
  return compute_rates(detector, build_rate_problem(detector, edges_keV), edges_keV, model,
                       backend);
}

RatesResult compute_rates(const DetectorConfig& detector, const RateProblem& problem,
                          const std::vector<double>& edges_keV, const PhysicsModel& model,
                          Backend& backend) {
  const std::vector<Moments> moments = backend.entry_moments(problem);
  const std::vector<double> rates = entry_rates(problem, moments, model);
  RatesResult r;
  r.detector = detector.name;
  for (const auto& iso : detector.isotopes) r.isotopes.push_back(iso.name);
  r.edges_keV = edges_keV;
  r.counts.assign(detector.isotopes.size() * kNumFluxes * r.n_bins(), 0.0);
  for (std::size_t e = 0; e < rates.size(); ++e) {
    const QuadEntry& q = problem.entries[e];
    const double p = survival_probability(model, q.flux, problem.baselines, q.energy_MeV);
    r.counts[(static_cast<std::size_t>(q.isotope) * kNumFluxes + q.flux) * r.n_bins() + q.bin] +=
        detector.efficiency * p * rates[e];
  }
  return r;
}

}  // namespace cevns
