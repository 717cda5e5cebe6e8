// The releases as the collaboration analysed them: the flux-averaged CEvNS cross-section that
// COHERENT quotes, computed the same way here, to set beside the published numbers of the data
// configs ("published", DataSet::published).
#pragma once

#include "host/config/config.hpp"
#include "host/data/fit.hpp"
#include "host/data/flux_table.hpp"
#include "kernels/backend.hpp"
#include "kernels/parameters.hpp"

namespace cevns {

// Σ_a ∫ φ_a(E) σ_a(E) dE / Σ_a ∫ φ_a(E) dE per nucleus (the detector's nuclei averaged by their
// counts): SPEC §6 with no threshold, acceptance or efficiency, divided by the number of nuclei
// and the total flux 3η. The detector's form factors and coupling scheme apply, at `model`. The
// spectra φ_a are the flux table's where one is given (the release's simulated flux as the fit's
// counts use it, host/data/flux_table.hpp: ν_e, ν_μ, ν̄_μ holding 3η together, ν̄_e added to
// ν_e's, and the average over all four; the recoil range up to the table's top energy), else
// SPEC §2's analytic π-DAR spectra.
double flux_averaged_cross_section_cm2(const DetectorConfig& detector, const PhysicsModel& model,
                                       Backend& backend, const FluxTable* flux_table = nullptr);

// The measured flux-averaged cross-section: the SM one scaled by the fitted CEvNS count over the
// predicted one, with the count's 1σ range (the collaboration's definition: the measured rate
// over the predicted one, times the predicted cross-section).
struct MeasuredCrossSection {
  double sm_cm2 = 0.0, best_cm2 = 0.0, lo_cm2 = 0.0, hi_cm2 = 0.0;
};
MeasuredCrossSection measured_cross_section(double sm_cm2, const CountFit& count);

}  // namespace cevns
