// Light-mediator tables (SPEC §10.5) by clusters of recoil nodes. A table row at mass m needs, per
// output bin, B(m) = Σ_nodes w₂/(q² + m²) and C(m) = Σ_nodes w₄/(q² + m²)² over every (quadrature
// entry, recoil node) of the bin (w the node's weight times its entry's scale). The nodes of a bin
// are grouped by q² into clusters of relative half-width ρ: within cluster k, of centre c,
// q² = c + δ with |δ| ≤ ρc, and with u = 1/(c + m²)
//   1/(q² + m²)  = u Σ_i (−δu)^i,          1/(q² + m²)² = u² Σ_i (i + 1)(−δu)^i,
// both convergent for every m ≥ 0 since |δu| ≤ ρc/(c + m²) ≤ ρ. So a cluster contributes
//   u Σ_i a_i u^i  and  u² Σ_i b_i u^i,   a_i = Σ w₂ (−δ)^i,  b_i = (i + 1) Σ w₄ (−δ)^i,
// power sums made once for every mass. With ρ = 0.1 and kMediatorTerms = 18 terms the truncation
// is below Σ_{i≥18} (i + 1) ρ^i < 2.2e-17 of each node's magnitude, under the rounding of the
// sums themselves: the tables equal the node-by-node sums to rounding (tests compare both), and a
// row costs one division per cluster instead of one per node (Ar, 449 entries × 24 nodes: about
// ten clusters).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "kernels/hd.hpp"
#include "kernels/rate_problem.hpp"

namespace cevns {

inline constexpr int kMediatorTerms = 18;
// Adjacent clusters' q² ranges in ratio r = (1 + ρ)/(1 − ρ), ρ = 0.1.
inline constexpr double kMediatorClusterRho = 0.1;

struct MediatorCluster {
  double centre;                       // c, MeV²
  double quadratic[kMediatorTerms];    // a_i
  double quartic[kMediatorTerms];      // b_i
};

// Clusters of every output slot (a recoil bin, or with a response fold a (flux, recoil bin)
// source bin): slot s owns clusters [offsets[s], offsets[s + 1]).
struct MediatorClusters {
  std::vector<MediatorCluster> clusters;
  std::vector<int> offsets;
  int n_slots() const { return static_cast<int>(offsets.size()) - 1; }
};

// The slot of an entry: its recoil bin, or (flux, bin) when `per_flux`.
inline int mediator_slot(const QuadEntry& q, int n_bins, bool per_flux) {
  return per_flux ? q.flux * n_bins + q.bin : q.bin;
}

// Groups the nodes [entry][node], their weights times their entry's scale [entry], by slot and q²
// cluster. Clusters are fixed intervals in log q² (cluster k: q² ∈ [q0 r^k, q0 r^(k+1)), q0 the
// smallest q² of all nodes), filled in entry then node order: the result depends only on the
// nodes, so the host and every backend make the same clusters from the same nodes.
inline MediatorClusters make_mediator_clusters(const std::vector<MediatorNode>& nodes,
                                               const std::vector<double>& scale, int n_t,
                                               const std::vector<QuadEntry>& entries, int n_bins,
                                               bool per_flux) {
  const int n_slots = per_flux ? kNumFluxes * n_bins : n_bins;
  const double ratio = (1.0 + kMediatorClusterRho) / (1.0 - kMediatorClusterRho);
  const double log_ratio = std::log(ratio);
  double q0 = 0.0;
  for (const MediatorNode& n : nodes)
    if (n.q2_MeV2 > 0.0 && (q0 == 0.0 || n.q2_MeV2 < q0)) q0 = n.q2_MeV2;
  // Cluster index of each node (nodes at q² = 0, if any, get a cluster of their own: index 0 of
  // a cluster centred at 0, where δ = 0 and the expansion is exact).
  const auto index_of = [&](double q2) {
    if (!(q2 > 0.0)) return 0;
    const int k = static_cast<int>(std::floor(std::log(q2 / q0) / log_ratio));
    return 1 + (k < 0 ? 0 : k);
  };
  int n_index = 1;
  for (const MediatorNode& n : nodes) n_index = std::max(n_index, index_of(n.q2_MeV2) + 1);
  const auto centre_of = [&](int index) {
    return index == 0 ? 0.0 : q0 * std::pow(ratio, index - 1) * 0.5 * (1.0 + ratio);
  };

  std::vector<std::vector<int>> entries_of(n_slots);
  for (std::size_t e = 0; e < entries.size(); ++e)
    entries_of[mediator_slot(entries[e], n_bins, per_flux)].push_back(static_cast<int>(e));

  MediatorClusters out;
  out.offsets.push_back(0);
  std::vector<int> where(n_index);
  std::vector<int> cluster_of(n_t);
  std::vector<std::vector<double>> power_rows(kMediatorTerms, std::vector<double>(n_t));
  double* power[kMediatorTerms];
  for (int i = 0; i < kMediatorTerms; ++i) power[i] = power_rows[i].data();
  for (int s = 0; s < n_slots; ++s) {
    std::fill(where.begin(), where.end(), -1);
    const std::size_t first = out.clusters.size();
    // Clusters in order of first appearance. An entry's nodes at a time: their powers of −δ are
    // independent products, made side by side (the same products as node by node), then added to
    // their clusters in node order.
    for (int e : entries_of[s]) {
      for (int j = 0; j < n_t; ++j) {
        const MediatorNode& n = nodes[static_cast<std::size_t>(e) * n_t + j];
        cluster_of[j] = -1;
        power[1][j] = 0.0;
        if (n.quadratic * scale[e] == 0.0 && n.quartic * scale[e] == 0.0) continue;
        const int index = index_of(n.q2_MeV2);
        if (where[index] < 0) {
          where[index] = static_cast<int>(out.clusters.size() - first);
          MediatorCluster c{};
          c.centre = centre_of(index);
          out.clusters.push_back(c);
        }
        cluster_of[j] = where[index];
        power[0][j] = 1.0;
        power[1][j] = out.clusters[first + where[index]].centre - n.q2_MeV2;
      }
      for (int i = 2; i < kMediatorTerms; ++i)
        for (int j = 0; j < n_t; ++j) power[i][j] = power[i - 1][j] * power[1][j];
      for (int j = 0; j < n_t; ++j) {
        if (cluster_of[j] < 0) continue;
        const MediatorNode& n = nodes[static_cast<std::size_t>(e) * n_t + j];
        const double w2 = n.quadratic * scale[e], w4 = n.quartic * scale[e];
        MediatorCluster& c = out.clusters[first + cluster_of[j]];
        for (int i = 0; i < kMediatorTerms; ++i) c.quadratic[i] += w2 * power[i][j];
        for (int i = 0; i < kMediatorTerms; ++i) c.quartic[i] += w4 * power[i][j];
      }
    }
    for (std::size_t k = first; k < out.clusters.size(); ++k)
      for (int i = 1; i < kMediatorTerms; ++i) out.clusters[k].quartic[i] *= (i + 1);
    out.offsets.push_back(static_cast<int>(out.clusters.size()));
  }
  return out;
}

// B and C of one slot at one mass: Σ over its clusters, efficiency applied.
CEVNS_HD inline MediatorMoments mediator_slot_moments(const MediatorCluster* clusters, int begin,
                                                      int end, double mediator_mass_MeV,
                                                      double efficiency) {
  const double m2 = mediator_mass_MeV * mediator_mass_MeV;
  MediatorMoments m{0.0, 0.0};
  for (int k = begin; k < end; ++k) {
    const MediatorCluster& c = clusters[k];
    const double u = 1.0 / (c.centre + m2);
    double a = c.quadratic[kMediatorTerms - 1], b = c.quartic[kMediatorTerms - 1];
    for (int i = kMediatorTerms - 2; i >= 0; --i) {
      a = a * u + c.quadratic[i];
      b = b * u + c.quartic[i];
    }
    m.quadratic += a * u;
    m.quartic += b * u * u;
  }
  m.quadratic *= efficiency;
  m.quartic *= efficiency;
  return m;
}

}  // namespace cevns
