// Neutron-radius tables (SPEC §10.5) node by node. Per quadrature entry and recoil node, what no
// radius row changes — the recoil weight with acceptance and kinematic factor, Z F_Z and q — is
// computed once; a row then evaluates only F_N at its radius, once per recoil node of a group of
// entries sharing their nodes, as the mediator tables evaluate only the propagator per mass. The sums are those of entry_moments, operation for operation, so
// a row at the configured radius gives the entries' own moments bit for bit.
#pragma once

#include <cstddef>
#include <map>
#include <tuple>
#include <vector>

#include "kernels/hd.hpp"
#include "kernels/rate_problem.hpp"

namespace cevns {

struct RadiusNode {
  double weight;           // Gauss–Legendre weight × A(T) × kinematic factor
  double magnetic_weight;  // Gauss–Legendre weight × A(T) × w_μ (SPEC §10.3)
  double fz;               // Z F_Z
  double q_per_fm;         // momentum transfer
};

CEVNS_HD inline RadiusNode radius_node(const RateView& v, int e, int j) {
  const QuadEntry q = v.entries[e];
  const IsotopeTarget iso = v.isotopes[q.isotope];
  const double half = 0.5 * (q.t_hi_MeV - q.t_lo_MeV), mid = 0.5 * (q.t_hi_MeV + q.t_lo_MeV);
  const double t = mid + half * v.t_nodes[j];
  const double qf = momentum_transfer_per_fm(t, iso.mass_MeV);
  const double a = v.t_weights[j] * acceptance_at(v.acceptance, t);
  return RadiusNode{a * kinematic_factor(q.energy_MeV, t, iso.mass_MeV, v.with_gc != 0),
                    a * magnetic_moment_weight(q.energy_MeV, t, iso.mass_MeV),
                    iso.z * form_factor(iso.proton, qf), qf};
}

// What multiplies an entry's node sums: recoil half-width, weight, nuclei, prefactor.
CEVNS_HD inline double radius_entry_scale(const RateView& v, int e) {
  const QuadEntry q = v.entries[e];
  const IsotopeTarget iso = v.isotopes[q.isotope];
  return 0.5 * (q.t_hi_MeV - q.t_lo_MeV) * q.weight_per_cm2 * iso.nuclei *
         cross_section_prefactor_cm2_per_MeV(iso.mass_MeV);
}

// Entries that share their recoil nodes — the same isotope, bin, energy and recoil range, as the
// delayed ν_e and ν̄_μ of one energy node — share their node sums too: only their scale and flux
// differ. group[e] numbers them in order of first appearance; first[g] is group g's first entry.
inline void radius_node_groups(const std::vector<QuadEntry>& entries, std::vector<int>* group,
                               std::vector<int>* first) {
  std::map<std::tuple<int, int, double, double, double>, int> index;
  group->resize(entries.size());
  first->clear();
  for (std::size_t e = 0; e < entries.size(); ++e) {
    const QuadEntry& q = entries[e];
    const auto key = std::make_tuple(q.isotope, q.bin, q.energy_MeV, q.t_lo_MeV, q.t_hi_MeV);
    const auto it = index.emplace(key, static_cast<int>(first->size())).first;
    if (it->second == static_cast<int>(first->size())) first->push_back(static_cast<int>(e));
    (*group)[e] = it->second;
  }
}

// The node sums of one group at one radius row (`iso`: its isotope with the row's neutron form
// factor), before the entries' scales: F_N once per recoil node of the group.
CEVNS_HD inline Moments radius_group_moments(const RadiusNode* nodes, int n_t, int first_entry,
                                             const IsotopeTarget& iso) {
  const RadiusNode* node = nodes + static_cast<std::size_t>(first_entry) * n_t;
  Moments m{0.0, 0.0, 0.0, 0.0};
  for (int j = 0; j < n_t; ++j) {
    const double fn = iso.n * form_factor(iso.neutron, node[j].q_per_fm);
    m.zz += node[j].weight * node[j].fz * node[j].fz;
    m.zn += node[j].weight * node[j].fz * fn;
    m.nn += node[j].weight * fn * fn;
    m.magnetic += node[j].magnetic_weight * node[j].fz * node[j].fz;  // no F_N: every row's
  }
  return m;
}

// The moments of recoil bin b per flux at one radius row, summed in entry order over the entries
// of the isotopes with mask[isotope] ≠ 0 from their groups' node sums at the row (`group_moments`,
// [group]); scale [entry]; efficiency applied; into out[flux].
CEVNS_HD inline void radius_row_bin_moments(const Moments* group_moments, const int* group,
                                            const double* scale, const QuadEntry* entries,
                                            const int* bin_offsets, int b, const int* mask,
                                            double efficiency, Moments* out) {
  for (int f = 0; f < kNumFluxes; ++f) out[f] = Moments{0.0, 0.0, 0.0, 0.0};
  for (int e = bin_offsets[b]; e < bin_offsets[b + 1]; ++e) {
    const QuadEntry& q = entries[e];
    if (mask[q.isotope] == 0) continue;
    const Moments& m = group_moments[group[e]];
    Moments& o = out[q.flux];
    o.zz += m.zz * scale[e];
    o.zn += m.zn * scale[e];
    o.nn += m.nn * scale[e];
    o.magnetic += m.magnetic * scale[e];
  }
  for (int f = 0; f < kNumFluxes; ++f) {
    out[f].zz *= efficiency;
    out[f].zn *= efficiency;
    out[f].nn *= efficiency;
    out[f].magnetic *= efficiency;
  }
}

}  // namespace cevns
