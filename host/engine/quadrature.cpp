#include "host/engine/quadrature.hpp"

#include <algorithm>
#include <cmath>

#include "host/config/neutron_radius.hpp"
#include "kernels/constants.hpp"
#include "kernels/cross_section.hpp"
#include "kernels/flux.hpp"

namespace cevns {

GaussLegendre gauss_legendre(int n) {
  GaussLegendre gl;
  gl.nodes.resize(n);
  gl.weights.resize(n);
  for (int i = 0; i < (n + 1) / 2; ++i) {
    double x = std::cos(constants::pi * (i + 0.75) / (n + 0.5));  // Tricomi's first guess
    double dp = 0.0;
    for (int iter = 0; iter < 100; ++iter) {
      double p0 = 1.0, p1 = x;  // P_0, P_1; recurrence up to P_n
      for (int k = 2; k <= n; ++k) {
        const double p2 = ((2.0 * k - 1.0) * x * p1 - (k - 1.0) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      if (n == 1) p0 = 1.0;
      dp = n * (x * p1 - p0) / (x * x - 1.0);
      const double dx = p1 / dp;
      x -= dx;
      if (std::fabs(dx) < 1e-16) break;
    }
    gl.nodes[i] = -x;
    gl.nodes[n - 1 - i] = x;
    gl.weights[i] = gl.weights[n - 1 - i] = 2.0 / ((1.0 - x * x) * dp * dp);
  }
  return gl;
}

std::vector<double> recoil_bin_edges_keV(const DetectorConfig& detector, double width_keV) {
  const double end = detector.endpoint_keV();
  std::vector<double> edges{detector.threshold_keV};
  // Edges closer than 1e-9 keV to the end point would make a degenerate last bin.
  for (int k = 1;; ++k) {
    const double e = detector.threshold_keV + k * width_keV;
    if (e >= end - 1e-9) break;
    edges.push_back(e);
  }
  edges.push_back(end);
  return edges;
}

std::vector<double> total_bin_edges_keV(const DetectorConfig& detector) {
  return {detector.threshold_keV, detector.endpoint_keV()};
}

namespace {

// Composite Gauss–Legendre nodes on [a, b]: `panels` panels of the rule `gl`, equally spaced in
// 1/E. The oscillation phase 1.27 Δm² L/E is linear in 1/E, so every panel spans the same phase
// and the nodes resolve fast oscillations (large Δm², low E) as well as slow ones; without
// oscillation the panels are just a composite rule.
void add_energy_nodes(double a, double b, int panels, const GaussLegendre& gl,
                      std::vector<double>* energies, std::vector<double>* weights) {
  const double inv_a = 1.0 / a, inv_b = 1.0 / b;
  for (int p = 0; p < panels; ++p) {
    const double lo = 1.0 / (inv_a + (inv_b - inv_a) * p / panels);
    const double hi = p + 1 == panels ? b : 1.0 / (inv_a + (inv_b - inv_a) * (p + 1) / panels);
    const double half = 0.5 * (hi - lo);
    for (std::size_t k = 0; k < gl.nodes.size(); ++k) {
      energies->push_back(lo + half * (1.0 + gl.nodes[k]));
      weights->push_back(half * gl.weights[k]);
    }
  }
}

}  // namespace

Baselines detector_baselines(const DetectorConfig& detector) {
  const std::vector<DetectorSource> sources = detector.resolved_sources();
  Baselines b;
  b.n = static_cast<int>(sources.size());
  const double eta = detector.flux_normalisation_per_cm2();
  for (int s = 0; s < b.n; ++s) {
    // One source: its weight is 1 exactly, and the survival that of a point source.
    b.weight[s] = b.n == 1 ? 1.0 : sources[s].flux_normalisation_per_cm2() / eta;
    b.baseline_m[s] = sources[s].baseline_m;
    b.spread_m[s] = sources[s].baseline_spread_m;
  }
  return b;
}

namespace {

// Everything of a rate problem but its entries: isotopes, recoil rule, acceptance, baselines.
RateProblem problem_without_entries(const DetectorConfig& detector) {
  RateProblem p;
  p.baselines = detector_baselines(detector);
  p.with_gc = detector.kinematic_correction;
  p.couplings = detector.couplings;
  p.acceptance_recoil_keV = detector.acceptance_recoil_keV;
  p.acceptance_value = detector.acceptance_value;
  const GaussLegendre t_rule = gauss_legendre(detector.quadrature.recoil_nodes);
  p.t_nodes = t_rule.nodes;
  p.t_weights = t_rule.weights;
  const double formula_units = detector.formula_units();
  for (const auto& iso : detector.isotopes) {
    const FormFactor fp =
        make_form_factor(detector.proton_form_factor.model, iso.proton_rms_radius_fm,
                         detector.proton_form_factor.shape_fm);
    const FormFactor fn =
        make_form_factor(detector.neutron_form_factor.model, iso.neutron_rms_radius_fm,
                         detector.neutron_form_factor.shape_fm);
    p.isotopes.push_back(IsotopeTarget{double(iso.z), double(iso.n), iso.nuclear_mass_MeV(),
                                       formula_units * iso.count, fp, fn,
                                       element_neutron_radius_parameter(iso.z).value_or(-1)});
  }
  return p;
}

}  // namespace

RateProblem build_rate_problem(const DetectorConfig& detector,
                               const std::vector<double>& edges_keV) {
  RateProblem p = problem_without_entries(detector);
  const GaussLegendre e_rule = gauss_legendre(detector.quadrature.energy_nodes);
  const int panels = detector.quadrature.energy_panels;
  const double eta = detector.flux_normalisation_per_cm2();
  const double e_prompt = constants::prompt_energy_MeV;
  const double e_max = constants::delayed_endpoint_MeV;
  const int n_bins = static_cast<int>(edges_keV.size()) - 1;
  p.bin_offsets.push_back(0);
  std::vector<double> energies, weights;
  for (int b = 0; b < n_bins; ++b) {
    const double t_lo = edges_keV[b] * 1e-3, t_hi = edges_keV[b + 1] * 1e-3;
    for (int i = 0; i < static_cast<int>(p.isotopes.size()); ++i) {
      const double mass = p.isotopes[i].mass_MeV;
      // Prompt line: the δ-function integrated exactly, recoil up to T_max(E_p).
      const double t_prompt = std::min(t_hi, max_recoil_MeV(e_prompt, mass));
      if (t_lo < t_prompt)
        p.entries.push_back(QuadEntry{i, kPromptNuMu, b, e_prompt, eta, t_lo, t_prompt});
      // Delayed: E from E_min(t_lo); below E_min(t_hi) the recoil range ends at T_max(E)
      // (segment A), above it at t_hi (segment B). Each segment is smooth in E.
      const double e_lo = min_energy_MeV(t_lo, mass);
      if (e_lo >= e_max) continue;
      const double e_split = std::min(e_max, min_energy_MeV(t_hi, mass));
      for (int segment = 0; segment < 2; ++segment) {
        const double a = segment == 0 ? e_lo : e_split, z = segment == 0 ? e_split : e_max;
        if (!(z > a)) continue;
        energies.clear();
        weights.clear();
        add_energy_nodes(a, z, panels, e_rule, &energies, &weights);
        for (int flux : {kDelayedNuMuBar, kDelayedNuE}) {
          for (std::size_t k = 0; k < energies.size(); ++k) {
            const double e = energies[k];
            const double t_up = segment == 0 ? std::min(t_hi, max_recoil_MeV(e, mass)) : t_hi;
            p.entries.push_back(QuadEntry{
                i, flux, b, e, weights[k] * eta * delayed_spectrum_per_MeV(flux, e), t_lo, t_up});
          }
        }
      }
    }
    p.bin_offsets.push_back(static_cast<int>(p.entries.size()));
  }
  return p;
}

RateProblem build_rate_problem(const DetectorConfig& detector, const std::vector<double>& edges_keV,
                               const TabulatedSpectra& spectra) {
  RateProblem p = problem_without_entries(detector);
  const GaussLegendre rule = gauss_legendre(kTabulatedNodes);
  const double eta = detector.flux_normalisation_per_cm2();
  const std::vector<double>& edges = spectra.edges_MeV;
  const int n_bins = static_cast<int>(edges_keV.size()) - 1;
  p.bin_offsets.push_back(0);
  for (int b = 0; b < n_bins; ++b) {
    const double t_lo = edges_keV[b] * 1e-3, t_hi = edges_keV[b + 1] * 1e-3;
    for (int i = 0; i < static_cast<int>(p.isotopes.size()); ++i) {
      const double mass = p.isotopes[i].mass_MeV;
      // Below E_min(t_lo) the bin gets nothing; up to E_min(t_hi) its recoil range ends at
      // T_max(E), above at t_hi: the cuts of every histogram bin.
      const double e_lo = min_energy_MeV(t_lo, mass), e_split = min_energy_MeV(t_hi, mass);
      for (int flux = 0; flux < kNumFluxes; ++flux) {
        const std::vector<double>& density = spectra.density_per_MeV[flux];
        for (std::size_t h = 0; h + 1 < edges.size(); ++h) {
          if (!(density[h] > 0.0) || edges[h + 1] <= e_lo) continue;
          const double a0 = std::max(edges[h], e_lo), z0 = edges[h + 1];
          const double cuts[3] = {a0, std::clamp(e_split, a0, z0), z0};
          for (int piece = 0; piece < 2; ++piece) {
            const double a = cuts[piece], z = cuts[piece + 1];
            if (!(z > a)) continue;
            const double half = 0.5 * (z - a);
            for (std::size_t k = 0; k < rule.nodes.size(); ++k) {
              const double e = a + half * (1.0 + rule.nodes[k]);
              const double t_up = std::min(t_hi, max_recoil_MeV(e, mass));
              if (!(t_up > t_lo)) continue;
              p.entries.push_back(QuadEntry{i, flux, b, e, half * rule.weights[k] * eta * density[h],
                                            t_lo, t_up});
            }
          }
        }
      }
    }
    p.bin_offsets.push_back(static_cast<int>(p.entries.size()));
  }
  return p;
}

}  // namespace cevns
