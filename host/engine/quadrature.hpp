// Placement of the quadrature nodes of the rate integral (SPEC §6): the (E, T) domain of every
// isotope and recoil bin is cut where the integrand has kinks, and Gauss–Legendre nodes are laid
// on each smooth piece.
#pragma once

#include <vector>

#include "host/config/config.hpp"
#include "kernels/rate_problem.hpp"

namespace cevns {

struct GaussLegendre {
  std::vector<double> nodes, weights;  // on [−1, 1]
};

// n-point Gauss–Legendre rule (Newton iteration on P_n, exact to rounding).
GaussLegendre gauss_legendre(int n);

// Recoil bin edges in keV: from the threshold in steps of `width_keV`; the last bin ends at the
// end point of the spectrum (and may be narrower).
std::vector<double> recoil_bin_edges_keV(const DetectorConfig& detector, double width_keV);

// One bin from threshold to end point: the total count.
std::vector<double> total_bin_edges_keV(const DetectorConfig& detector);

// SPEC §12: the detector's sources as the kernels see them: per source its baseline, spread and
// share of the summed flux normalisation η_s / Σ η (the quadrature weights carry Σ η).
Baselines detector_baselines(const DetectorConfig& detector);

RateProblem build_rate_problem(const DetectorConfig& detector,
                               const std::vector<double>& edges_keV);

// Neutrino spectra given as histograms instead of SPEC §2's analytic shapes (a release's
// simulated flux, host/data/flux_table.hpp): per flux class a piecewise-constant dN/dE on common
// energy edges, in neutrinos per MeV per neutrino of the source's ν per flavour (the analytic
// shapes hold one each).
struct TabulatedSpectra {
  std::vector<double> edges_MeV;
  std::vector<double> density_per_MeV[kNumFluxes];
};

// The rate problem with tabulated spectra: every flux class is integrated over the histogram's
// bins, each cut where its recoil range changes form (E_min of the recoil bin's edges), with
// kTabulatedNodes Gauss–Legendre nodes per piece. As the bins narrow, a histogram of the analytic
// spectra converges to build_rate_problem's counts (the prompt line's bin to the δ-function).
inline constexpr int kTabulatedNodes = 3;
RateProblem build_rate_problem(const DetectorConfig& detector, const std::vector<double>& edges_keV,
                               const TabulatedSpectra& spectra);

}  // namespace cevns
