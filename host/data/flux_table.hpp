// A release's simulated SNS neutrino flux, tabulated in neutrino energy × arrival time per flavour
// (the CsI 2021 release's snsFlux2D.root, COHERENT arXiv:2109.11049), as the text table that
// scripts/convert_root_flux.py writes from the ROOT file:
//
//   # comment lines (the converter's provenance)
//   time_lo_us time_hi_us energy_lo_MeV energy_hi_MeV nu_e anti_nu_e nu_mu anti_nu_mu
//
// one row per (time bin, energy bin), time slowest, energy fastest, on one regular grid of edges;
// the contents are neutrinos per bin in any common unit (only their ratios are used).
//
// What the fits take from it (host/data/data_set.cpp): per flux class of kernels/flux.hpp the
// energy spectrum (the projection on energy) and the arrival-time PDF (the projection on time) —
// prompt ν_μ from nu_mu, delayed ν̄_μ from anti_nu_mu, delayed ν_e from nu_e plus anti_nu_e (the
// same coherent cross-section, flavour e) — each normalised so that the three flavours ν_e, ν_μ,
// ν̄_μ hold three neutrinos together: the config's ν per flavour per POT stays their mean. The
// energy and time structures are taken as independent per flavour (the projections' product).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "host/engine/quadrature.hpp"
#include "kernels/flux.hpp"

namespace cevns {

struct FluxTable {
  std::string path, sha256;
  std::vector<double> energy_edges_MeV, time_edges_us;
  // Per flux class: neutrinos per energy bin (normalised as above) and the arrival-time PDF per
  // time bin (sums to 1).
  std::array<std::vector<double>, kNumFluxes> energy, time;
};

// Reads a converted flux table; a malformed one is an InputError naming the file and line.
FluxTable load_flux_table(const std::string& path);

// The table's energy spectra as the quadrature's tabulated spectra (density per MeV).
TabulatedSpectra tabulated_spectra(const FluxTable& table);

// The probability of each flux class to arrive in [lo_us, hi_us), the table's PDF taken flat
// within each of its time bins.
double table_arrival_probability(const FluxTable& table, int flux, double lo_us, double hi_us);

}  // namespace cevns
