#include "host/data/published.hpp"

#include <algorithm>

#include "host/engine/rates.hpp"

namespace cevns {

double flux_averaged_cross_section_cm2(const DetectorConfig& detector, const PhysicsModel& model,
                                       Backend& backend) {
  DetectorConfig d = detector;
  // The whole recoil range: from 1e-6 keV (a threshold must be positive; below it the integrand
  // adds ~1e-6 keV × dσ/dT(0), a relative 1e-8) to the end point, every recoil accepted.
  d.threshold_keV = 1e-6;
  d.acceptance_recoil_keV.clear();
  d.acceptance_value.clear();
  d.efficiency = 1.0;
  d.quadrature.recoil_nodes = std::max(d.quadrature.recoil_nodes, 32);
  d.quadrature.energy_nodes = std::max(d.quadrature.energy_nodes, 32);
  const double counts =
      compute_rates(d, {d.threshold_keV, d.endpoint_keV()}, model, backend).total();
  double nuclei_per_unit = 0.0;
  for (const IsotopeConfig& iso : d.isotopes) nuclei_per_unit += iso.count;
  const double flux = 3.0 * d.flux_normalisation_per_cm2();  // prompt ν_μ, ν̄_μ, ν_e: η each
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
