// The releases as the collaboration analysed them: the flux-averaged CEvNS cross-section that
// COHERENT quotes, computed the same way here, to set beside the published numbers of the data
// configs ("published", DataSet::published).
#pragma once

#include "host/config/config.hpp"
#include "host/data/fit.hpp"
#include "kernels/backend.hpp"
#include "kernels/parameters.hpp"

namespace cevns {

// Σ_a ∫ φ_a(E) σ_a(E) dE / Σ_a ∫ φ_a(E) dE per nucleus (the detector's nuclei averaged by their
// counts): SPEC §6 with no threshold, acceptance or efficiency, divided by the number of nuclei
// and the total flux 3η. The detector's form factors and coupling scheme apply, at `model`.
double flux_averaged_cross_section_cm2(const DetectorConfig& detector, const PhysicsModel& model,
                                       Backend& backend);

// The measured flux-averaged cross-section: the SM one scaled by the fitted CEvNS count over the
// predicted one, with the count's 1σ range (the collaboration's definition: the measured rate
// over the predicted one, times the predicted cross-section).
struct MeasuredCrossSection {
  double sm_cm2 = 0.0, best_cm2 = 0.0, lo_cm2 = 0.0, hi_cm2 = 0.0;
};
MeasuredCrossSection measured_cross_section(double sm_cm2, const CountFit& count);

}  // namespace cevns
