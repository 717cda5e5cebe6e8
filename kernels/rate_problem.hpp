// The event-rate double integral of SPEC §6, laid out as a list of quadrature entries.
//
// N = Σ_isotopes Σ_fluxes ∫ dE dN/dE P(E) ∫ dT A(T) dσ/dT. The host (host/quadrature.cpp) cuts
// the (E, T) domain of every isotope and recoil bin into pieces on which the integrand is smooth
// and places Gauss–Legendre nodes in E; each (isotope, flux, bin, E node) is one QuadEntry
// carrying its E weight × flux and its recoil range. The recoil integral of an entry is done here,
// on the device, with n_t Gauss–Legendre nodes. The prompt line is one entry per isotope and bin
// at E_p with weight η: the δ-function integrated exactly (SPEC §2).
#pragma once

#include <cmath>
#include <vector>

#include "kernels/couplings.hpp"
#include "kernels/cross_section.hpp"
#include "kernels/electromagnetic.hpp"
#include "kernels/flux.hpp"
#include "kernels/form_factors.hpp"
#include "kernels/hd.hpp"
#include "kernels/interpolate.hpp"
#include "kernels/mediators.hpp"
#include "kernels/oscillation.hpp"

namespace cevns {

struct IsotopeTarget {
  double z, n;
  double mass_MeV;  // nuclear mass
  double nuclei;    // number of these nuclei in the detector (N_D × count per formula unit)
  FormFactor proton, neutron;
  int neutron_radius_parameter = -1;  // rn_<element>_fm of its element, −1 when there is none
};

// SPEC §10.4: the neutron rms radius a model sets for an isotope — its element's rn_<X>_fm when
// set, else rn_fm — or 0 when neither is set (the configured form factor applies).
CEVNS_HD inline double model_neutron_radius_fm(const IsotopeTarget& iso, const PhysicsModel& m) {
  if (iso.neutron_radius_parameter >= 0 && m.value[iso.neutron_radius_parameter] > 0.0)
    return m.value[iso.neutron_radius_parameter];
  return m.value[kNeutronRadius];
}

// The isotope's neutron form factor at a model: the configured one, or the same model and shape
// at the model's radius (the host checks every radius against the model's domain first).
CEVNS_HD inline FormFactor model_neutron_form_factor(const IsotopeTarget& iso,
                                                     const PhysicsModel& m) {
  const double r = model_neutron_radius_fm(iso, m);
  if (!(r > 0.0)) return iso.neutron;
  return FormFactor{
      iso.neutron.model, iso.neutron.shape_fm,
      std::sqrt(model_radius_squared_fm2(iso.neutron.model, r, iso.neutron.shape_fm))};
}

struct QuadEntry {
  int isotope, flux, bin;
  double energy_MeV;
  double weight_per_cm2;  // E-quadrature weight × dN/dE × η (prompt: η)
  double t_lo_MeV, t_hi_MeV;
};

// Acceptance A(T) tabulated in true recoil energy, linearly interpolated and held constant
// beyond the table's ends; n = 0 means A = 1.
struct Acceptance {
  int n;
  const double* recoil_keV;
  const double* value;
};

CEVNS_HD inline double acceptance_at(const Acceptance& a, double recoil_MeV) {
  if (a.n == 0) return 1.0;
  return interpolate_clamped(a.recoil_keV, a.value, a.n, recoil_MeV * 1e3);
}

// What the kernels read: pointers into memory of the backend's system.
struct RateView {
  const IsotopeTarget* isotopes;
  const QuadEntry* entries;
  int n_entries;
  const double* t_nodes;  // Gauss–Legendre on [−1, 1]
  const double* t_weights;
  int n_t;
  Acceptance acceptance;
  Baselines baselines;  // one per source; spreads: half-widths of uniform distributions (SPEC §12)
  int with_gc;
};

// The three form-factor moments of one entry (SPEC §9): ∫ dT A kin × {Z²F_Z², ZN F_Z F_N, N²F_N²}
// × prefactor × nuclei × weight, and the magnetic-moment moment ∫ dT A w_μ Z²F_Z² of SPEC §10.3
// (kernels/electromagnetic.hpp) with the same factors. Independent of couplings and oscillation.
// Entries that share their recoil nodes (isotope, bin, energy and recoil range; different fluxes
// at the same energy) have the same sums before their scale: entry_moment_sums, then ×
// entry_moment_scale, is entry_moments operation for operation.
CEVNS_HD inline Moments entry_moment_sums(const RateView& v, int e) {
  const QuadEntry q = v.entries[e];
  const IsotopeTarget iso = v.isotopes[q.isotope];
  const double half = 0.5 * (q.t_hi_MeV - q.t_lo_MeV), mid = 0.5 * (q.t_hi_MeV + q.t_lo_MeV);
  Moments m{0.0, 0.0, 0.0, 0.0};
  for (int j = 0; j < v.n_t; ++j) {
    const double t = mid + half * v.t_nodes[j];
    const double qf = momentum_transfer_per_fm(t, iso.mass_MeV);
    const double fz = iso.z * form_factor(iso.proton, qf);
    const double fn = iso.n * form_factor(iso.neutron, qf);
    const double a = v.t_weights[j] * acceptance_at(v.acceptance, t);
    const double w = a * kinematic_factor(q.energy_MeV, t, iso.mass_MeV, v.with_gc != 0);
    m.zz += w * fz * fz;
    m.zn += w * fz * fn;
    m.nn += w * fn * fn;
    m.magnetic += a * magnetic_moment_weight(q.energy_MeV, t, iso.mass_MeV) * fz * fz;
  }
  return m;
}

CEVNS_HD inline Moments scaled_entry_moments(const RateView& v, int e, Moments m) {
  const QuadEntry q = v.entries[e];
  const IsotopeTarget iso = v.isotopes[q.isotope];
  const double scale = 0.5 * (q.t_hi_MeV - q.t_lo_MeV) * q.weight_per_cm2 * iso.nuclei *
                       cross_section_prefactor_cm2_per_MeV(iso.mass_MeV);
  m.zz *= scale;
  m.zn *= scale;
  m.nn *= scale;
  m.magnetic *= scale;
  return m;
}

CEVNS_HD inline Moments entry_moments(const RateView& v, int e) {
  return scaled_entry_moments(v, e, entry_moment_sums(v, e));
}

// The same entry evaluated in full for one physics model: the direct path's integrand, with the
// couplings, the neutrino charge radius and magnetic moment (kernels/electromagnetic.hpp) and a
// light mediator (kernels/mediators.hpp) inside the recoil integral and the survival probability
// applied. Without a mediator the arithmetic is the SM's, operation for
// operation; with g = 0 the mediator adds exact zeros.
CEVNS_HD inline double entry_direct(const RateView& v, int e, const PhysicsModel& model) {
  const QuadEntry q = v.entries[e];
  const IsotopeTarget iso = v.isotopes[q.isotope];
  const FormFactor neutron = model_neutron_form_factor(iso, model);
  const int alpha = flux_flavour(q.flux);
  const NucleonCharges c = nucleon_charges(model, alpha);
  const bool vector = is_vector_mediator(model.mediator), scalar = model.mediator == kScalar;
  const VectorMediatorCharge x = vector_mediator_charge(model.mediator, alpha);
  const double g2 = model.value[kMediatorCoupling] * model.value[kMediatorCoupling];
  const double mass = model.value[kMediatorMass];
  const double half = 0.5 * (q.t_hi_MeV - q.t_lo_MeV), mid = 0.5 * (q.t_hi_MeV + q.t_lo_MeV);
  double sum = 0.0;
  for (int j = 0; j < v.n_t; ++j) {
    const double t = mid + half * v.t_nodes[j];
    const double qf = momentum_transfer_per_fm(t, iso.mass_MeV);
    const double fz = iso.z * form_factor(iso.proton, qf);
    const double fn = iso.n * form_factor(neutron, qf);
    double charge2 = 0.0;
    for (int beta = 0; beta < 3; ++beta) {
      double coherent = c.proton[beta] * fz + c.neutron[beta] * fn;
      if (vector && beta == alpha)  // SPEC §10.1: the Z′ term joins the flavour-conserving charge
        coherent +=
            g2 * (x.z * fz + x.n * fn) * mediator_propagator_per_MeV2(t, iso.mass_MeV, mass);
      charge2 += coherent * coherent;
    }
    sum += v.t_weights[j] * acceptance_at(v.acceptance, t) *
           kinematic_factor(q.energy_MeV, t, iso.mass_MeV, v.with_gc != 0) * charge2;
    if (c.magnetic != 0.0)  // SPEC §10.3: adds without interference
      sum += v.t_weights[j] * acceptance_at(v.acceptance, t) * c.magnetic *
             magnetic_moment_weight(q.energy_MeV, t, iso.mass_MeV) * fz * fz;
    if (scalar)  // SPEC §10.2: adds without interference
      sum += v.t_weights[j] * acceptance_at(v.acceptance, t) * g2 * g2 *
             scalar_mediator_rate_per_g4(q.energy_MeV, t, iso.mass_MeV, mass, fz, fn);
  }
  return sum * half * q.weight_per_cm2 * iso.nuclei *
         cross_section_prefactor_cm2_per_MeV(iso.mass_MeV) *
         survival_probability(model, q.flux, v.baselines, q.energy_MeV);
}

// The recoil moments of one entry that make its rate a polynomial in the mediator coupling at a
// fixed mass (SPEC §10.5): rate = rate(g = 0) + g² quadratic + g⁴ quartic. Vector: with Q₀ the
// flavour-conserving charge of `base` and X = (c_Z Z F_Z + c_N N F_N)/(q² + m²),
// (Q₀ + g²X)² = Q₀² + g² 2Q₀X + g⁴ X², the flavour-changing terms unchanged; scalar: g⁴ dσ_φ/dT.
struct MediatorMoments {
  double quadratic, quartic;
};

// Only the propagator depends on the mass: per recoil node the rest is a weight, so that
//   quadratic = scale Σ_j quadratic_j/(q_j² + m²),  quartic = scale Σ_j quartic_j/(q_j² + m²)²,
// and a table of many masses computes the form factors once (Backend::mediator_tables).
struct MediatorNode {
  double quadratic, quartic, q2_MeV2;
};

// Z F_Z and N F_N at recoil node j of entry e, the neutron's form factor at `base` (SPEC §10.4).
// Entries that share their recoil nodes share these (Backend::mediator_tables makes them once).
struct NodeFormFactors {
  double fz, fn;
};

CEVNS_HD inline NodeFormFactors mediator_node_form_factors(const RateView& v, int e,
                                                           const PhysicsModel& base, int j) {
  const QuadEntry q = v.entries[e];
  const IsotopeTarget iso = v.isotopes[q.isotope];
  const double half = 0.5 * (q.t_hi_MeV - q.t_lo_MeV), mid = 0.5 * (q.t_hi_MeV + q.t_lo_MeV);
  const double t = mid + half * v.t_nodes[j];
  const double qf = momentum_transfer_per_fm(t, iso.mass_MeV);
  return NodeFormFactors{iso.z * form_factor(iso.proton, qf),
                         iso.n * form_factor(model_neutron_form_factor(iso, base), qf)};
}

// The node from its form factors (those of mediator_node_form_factors).
CEVNS_HD inline MediatorNode mediator_node(const RateView& v, int e, const PhysicsModel& base,
                                           int j, const NodeFormFactors& ff) {
  const QuadEntry q = v.entries[e];
  const IsotopeTarget iso = v.isotopes[q.isotope];
  const int alpha = flux_flavour(q.flux);
  const double half = 0.5 * (q.t_hi_MeV - q.t_lo_MeV), mid = 0.5 * (q.t_hi_MeV + q.t_lo_MeV);
  const double t = mid + half * v.t_nodes[j];
  const double fz = ff.fz, fn = ff.fn;
  const double w = v.t_weights[j] * acceptance_at(v.acceptance, t);
  MediatorNode node{0.0, 0.0, 2.0 * iso.mass_MeV * t};
  if (base.mediator == kScalar) {
    node.quartic = w * scalar_mediator_numerator_per_g4(q.energy_MeV, t, iso.mass_MeV, fz, fn);
  } else {
    const NucleonCharges c = nucleon_charges(base, alpha);
    const VectorMediatorCharge x = vector_mediator_charge(base.mediator, alpha);
    const double k = w * kinematic_factor(q.energy_MeV, t, iso.mass_MeV, v.with_gc != 0);
    const double q0 = c.proton[alpha] * fz + c.neutron[alpha] * fn;
    const double extra = x.z * fz + x.n * fn;
    node.quadratic = k * 2.0 * q0 * extra;
    node.quartic = k * extra * extra;
  }
  return node;
}

CEVNS_HD inline MediatorNode mediator_node(const RateView& v, int e, const PhysicsModel& base,
                                           int j) {
  return mediator_node(v, e, base, j, mediator_node_form_factors(v, e, base, j));
}

// What multiplies an entry's node sums: recoil half-width, weight, nuclei, prefactor, survival.
CEVNS_HD inline double mediator_entry_scale(const RateView& v, int e, const PhysicsModel& base) {
  const QuadEntry q = v.entries[e];
  const IsotopeTarget iso = v.isotopes[q.isotope];
  return 0.5 * (q.t_hi_MeV - q.t_lo_MeV) * q.weight_per_cm2 * iso.nuclei *
         cross_section_prefactor_cm2_per_MeV(iso.mass_MeV) *
         survival_probability(base, q.flux, v.baselines, q.energy_MeV);
}

// The node sums at one mass; nodes[j] for j < n_t, `scale` from mediator_entry_scale.
CEVNS_HD inline MediatorMoments mediator_moments_at(const MediatorNode* nodes, int n_t,
                                                    double scale, double mediator_mass_MeV) {
  const double m2 = mediator_mass_MeV * mediator_mass_MeV;
  MediatorMoments m{0.0, 0.0};
  for (int j = 0; j < n_t; ++j) {
    const double p = 1.0 / (nodes[j].q2_MeV2 + m2);
    m.quadratic += nodes[j].quadratic * p;
    m.quartic += nodes[j].quartic * p * p;
  }
  m.quadratic *= scale;
  m.quartic *= scale;
  return m;
}

// One entry at one mass, node by node (the host's rows; the same arithmetic as the tables).
CEVNS_HD inline MediatorMoments entry_mediator_moments(const RateView& v, int e,
                                                       const PhysicsModel& base,
                                                       double mediator_mass_MeV) {
  const double m2 = mediator_mass_MeV * mediator_mass_MeV;
  MediatorMoments m{0.0, 0.0};
  for (int j = 0; j < v.n_t; ++j) {
    const MediatorNode node = mediator_node(v, e, base, j);
    const double p = 1.0 / (node.q2_MeV2 + m2);
    m.quadratic += node.quadratic * p;
    m.quartic += node.quartic * p * p;
  }
  const double scale = mediator_entry_scale(v, e, base);
  m.quadratic *= scale;
  m.quartic *= scale;
  return m;
}

// Host-side owner of a rate problem. Entries are sorted by bin; bin b owns
// entries [bin_offsets[b], bin_offsets[b+1]).
struct RateProblem {
  std::vector<IsotopeTarget> isotopes;
  std::vector<QuadEntry> entries;
  std::vector<int> bin_offsets;
  std::vector<double> t_nodes, t_weights;
  std::vector<double> acceptance_recoil_keV, acceptance_value;
  Baselines baselines;  // the sources' baselines and shares of the flux (kernels/oscillation.hpp)
  bool with_gc = false;
  int couplings = 0;  // CouplingScheme of the detector (kernels/couplings.hpp): models take it
  int n_bins() const { return static_cast<int>(bin_offsets.size()) - 1; }

  // A view over this problem's own (host) memory, for serial evaluation on the host.
  RateView host_view() const {
    return RateView{isotopes.data(),
                    entries.data(),
                    static_cast<int>(entries.size()),
                    t_nodes.data(),
                    t_weights.data(),
                    static_cast<int>(t_nodes.size()),
                    Acceptance{static_cast<int>(acceptance_recoil_keV.size()),
                               acceptance_recoil_keV.data(), acceptance_value.data()},
                    baselines,
                    with_gc ? 1 : 0};
  }
};

}  // namespace cevns
