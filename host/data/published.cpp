#include "host/data/published.hpp"

#include <algorithm>
#include <vector>

#include "host/engine/quadrature.hpp"
#include "host/engine/rates.hpp"
#include "kernels/cross_section.hpp"

namespace cevns {

double flux_averaged_cross_section_cm2(const DetectorConfig& detector, const PhysicsModel& model,
                                       Backend& backend, const FluxTable* flux_table) {
  DetectorConfig d = detector;
  // The whole recoil range: from 1e-6 keV (a threshold must be positive; below it the integrand
  // adds ~1e-6 keV × dσ/dT(0), a relative 1e-8) to the end point, every recoil accepted.
  d.threshold_keV = 1e-6;
  d.acceptance_recoil_keV.clear();
  d.acceptance_value.clear();
  d.efficiency = 1.0;
  d.quadrature.recoil_nodes = std::max(d.quadrature.recoil_nodes, 32);
  d.quadrature.energy_nodes = std::max(d.quadrature.energy_nodes, 32);
  // Up to the largest recoil: of m_μ/2 (the analytic spectra's end point), or of the table's top
  // energy where that is higher (a simulated flux has decay-in-flight neutrinos above it).
  double top_keV = d.endpoint_keV();
  if (flux_table)
    for (const IsotopeConfig& iso : d.isotopes)
      top_keV = std::max(top_keV, 1e3 * max_recoil_MeV(flux_table->energy_edges_MeV.back(),
                                                        iso.nuclear_mass_MeV()));
  const std::vector<double> edges{d.threshold_keV, top_keV};
  const double counts =
      flux_table ? compute_rates(d, build_rate_problem(d, edges, tabulated_spectra(*flux_table)),
                                 edges, model, backend)
                       .total()
                 : compute_rates(d, edges, model, backend).total();
  double nuclei_per_unit = 0.0;
  for (const IsotopeConfig& iso : d.isotopes) nuclei_per_unit += iso.count;
  // Prompt ν_μ, ν̄_μ, ν_e: η each; a table's ν_μ, ν̄_μ, ν_e hold 3η together, and its ν̄_e adds.
  double neutrinos = 3.0;
  if (flux_table) {
    neutrinos = 0.0;
    for (const std::vector<double>& e : flux_table->energy)
      for (double x : e) neutrinos += x;
  }
  const double flux = neutrinos * d.flux_normalisation_per_cm2();
  return counts / (d.formula_units() * nuclei_per_unit * flux);
}

MeasuredCrossSection measured_cross_section(double sm_cm2, const CountFit& count) {
  MeasuredCrossSection m;
  m.sm_cm2 = sm_cm2;
  m.best_cm2 = sm_cm2 * count.best / count.predicted;
  m.lo_cm2 = sm_cm2 * count.lo / count.predicted;
  m.hi_cm2 = sm_cm2 * count.hi / count.predicted;
  return m;
}

}  // namespace cevns
