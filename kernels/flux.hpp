// Pion-decay-at-rest neutrino spectra (SPEC §2, Eqs. 1–3). Each shape is normalised to one
// neutrino; the source normalisation η = r N_POT / (4π L²) multiplies it.
#pragma once

#include "kernels/constants.hpp"
#include "kernels/hd.hpp"

namespace cevns {

// The three neutrino classes of a π-DAR source. The order is the order of every per-flux array.
enum Flux : int { kPromptNuMu = 0, kDelayedNuMuBar = 1, kDelayedNuE = 2, kNumFluxes = 3 };

// Flavour index of each flux class (e = 0, μ = 1, τ = 2): the charge of ν̄_μ is that of ν_μ.
CEVNS_HD inline int flux_flavour(int flux) { return flux == kDelayedNuE ? 0 : 1; }

// dN/dE of delayed ν̄_μ per MeV, normalised to 1 on 0 ≤ E ≤ m_μ/2.
CEVNS_HD inline double numubar_spectrum_per_MeV(double energy_MeV) {
  constexpr double m = constants::muon_mass_MeV;
  if (energy_MeV < 0.0 || energy_MeV > 0.5 * m) return 0.0;
  return 64.0 * energy_MeV * energy_MeV / (m * m * m) * (0.75 - energy_MeV / m);
}

// dN/dE of delayed ν_e per MeV, normalised to 1 on 0 ≤ E ≤ m_μ/2.
CEVNS_HD inline double nue_spectrum_per_MeV(double energy_MeV) {
  constexpr double m = constants::muon_mass_MeV;
  if (energy_MeV < 0.0 || energy_MeV > 0.5 * m) return 0.0;
  return 192.0 * energy_MeV * energy_MeV / (m * m * m) * (0.5 - energy_MeV / m);
}

CEVNS_HD inline double delayed_spectrum_per_MeV(int flux, double energy_MeV) {
  return flux == kDelayedNuE ? nue_spectrum_per_MeV(energy_MeV)
                             : numubar_spectrum_per_MeV(energy_MeV);
}

// Neutrinos per cm² per flavour at the detector: η = r N_POT / (4π L²).
CEVNS_HD inline double flux_normalisation_per_cm2(double nu_per_flavour_per_pot, double pot,
                                                  double baseline_m) {
  const double l_cm = baseline_m * constants::cm_per_m;
  return nu_per_flavour_per_pot * pot / (4.0 * constants::pi * l_cm * l_cm);
}

}  // namespace cevns
