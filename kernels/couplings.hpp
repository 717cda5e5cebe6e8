// Weak charges with non-standard vector interactions (SPEC §4, Eqs. 10–11), and the form-factor
// moments that make the counts a quadratic form in them (SPEC §9).
#pragma once

#include "kernels/electromagnetic.hpp"
#include "kernels/hd.hpp"
#include "kernels/parameters.hpp"

namespace cevns {

// The Standard Model's vector couplings of the nucleons (SPEC §4). Tree level: g_V^p = 1/2 −
// 2 sin²θ_W, g_V^n = −1/2, the same for every flavour (the forecast's studies). Radiative: the
// values of COHERENT's public rate code dukecevns (github.com/schol/dukecevns, xscns.cc at commit
// 0f70bbd6f00c91a2b2156e0e75d3b0bae562e9f3: sm_vector_couplings' default g_V^p = 0.0227,
// g_V^n = −0.5117, "Erler and Su" / PDG, and chgradcorr type 2, the flavour-dependent
// neutrino charge-radius corrections to g_V^p after Giunti et al.: ν_e +0.0212196,
// ν_μ +0.0122716, ν_τ +0.00766972, the same for ν̄). Their g_V^p equals the tree value at this
// program's sin²θ_W = 0.23865, so the radiative couplings are the tree ones plus constant shifts:
//   g_V^p(α) = 1/2 − 2 sin²θ_W + δ_α,  g_V^n = −1/2 + δ_n,  δ_n = −0.0117,
// exactly dukecevns' numbers at the SM sin²θ_W, with sin²θ_W entering at tree level when it is
// fitted (the shifts carry the loops, which hardly depend on it).
enum CouplingScheme : int { kTreeCouplings = 0, kRadiativeCouplings = 1 };

namespace radiative {
inline constexpr double neutron_shift = -0.5117 - (-0.5);  // δ_n
// δ_α of g_V^p per flavour e, μ, τ.
inline constexpr double proton_shift_e = 0.0212196;
inline constexpr double proton_shift_mu = 0.0122716;
inline constexpr double proton_shift_tau = 0.00766972;
}  // namespace radiative

struct NucleonCouplings {
  double proton, neutron;
};

// g_V^p and g_V^n seen by a neutrino of flavour α in a scheme, at the given sin²θ_W.
CEVNS_HD inline NucleonCouplings sm_nucleon_couplings(int scheme, double sin2_theta_w, int alpha) {
  NucleonCouplings g{0.5 - 2.0 * sin2_theta_w, -0.5};
  if (scheme == kRadiativeCouplings) {
    g.proton += alpha == kE    ? radiative::proton_shift_e
                : alpha == kMu ? radiative::proton_shift_mu
                               : radiative::proton_shift_tau;
    g.neutron += radiative::neutron_shift;
  }
  return g;
}

inline const char* coupling_scheme_name(int scheme) {
  return scheme == kRadiativeCouplings ? "radiative" : "tree";
}

// Per-nucleon coherent charges seen by a neutrino of flavour α: the cross-section is
//   Σ_β [Z proton[β] F_Z + N neutron[β] F_N]²,
// β = α the flavour-conserving term (with the SM couplings), β ≠ α the flavour-changing ones.
// `magnetic` is μ_α² (in (1e-10 μ_B)², SPEC §10.3): the weight of the magnetic-moment moment,
// which adds to the charges' square without interference.
struct NucleonCharges {
  double proton[3];
  double neutron[3];
  double magnetic;
};

CEVNS_HD inline NucleonCharges nucleon_charges(const PhysicsModel& m, int alpha) {
  // The rows of ε_{βα}^{uV} and ε_{βα}^{dV} (epsilon_index written out: a grid point's hot path).
  constexpr int up[3][3] = {{kEpsEEu, kEpsEMuu, kEpsETauu},
                            {kEpsEMuu, kEpsMuMuu, kEpsMuTauu},
                            {kEpsETauu, kEpsMuTauu, kEpsTauTauu}};
  constexpr int down[3][3] = {{kEpsEEd, kEpsEMud, kEpsETaud},
                              {kEpsEMud, kEpsMuMud, kEpsMuTaud},
                              {kEpsETaud, kEpsMuTaud, kEpsTauTaud}};
  NucleonCharges q{};
  for (int beta = 0; beta < 3; ++beta) {
    const double eu = m.value[up[beta][alpha]];
    const double ed = m.value[down[beta][alpha]];
    q.proton[beta] = 2.0 * eu + ed;
    q.neutron[beta] = eu + 2.0 * ed;
  }
  const NucleonCouplings g = sm_nucleon_couplings(m.couplings, m.value[kSin2ThetaW], alpha);
  q.proton[alpha] += g.proton;
  q.neutron[alpha] += g.neutron;
  // SPEC §10.3: the charge radius shifts g_V^p of the flavour-conserving charge (adds exactly 0
  // at ⟨r²⟩ = 0).
  q.proton[alpha] -= charge_radius_shift_per_unit() * charge_radius_of(m, alpha);
  const double mu = magnetic_moment_of(m, alpha);
  q.magnetic = mu * mu;
  return q;
}

// Rate of one quadrature entry from its three form-factor moments (SPEC §9) and the
// magnetic-moment moment ⟨Z²F_Z² w_μ⟩ (w_μ = magnetic_moment_weight, SPEC §10.3):
//   Σ_β proton² ⟨Z²F_Z²⟩ + 2 proton neutron ⟨ZN F_Z F_N⟩ + neutron² ⟨N²F_N²⟩ + μ_α² ⟨Z²F_Z² w_μ⟩.
struct Moments {
  double zz, zn, nn;
  double magnetic;
};

CEVNS_HD inline double charge_weighted(const NucleonCharges& q, const Moments& m) {
  double sum = 0.0;
  for (int beta = 0; beta < 3; ++beta) {
    const double p = q.proton[beta], n = q.neutron[beta];
    sum += p * p * m.zz + 2.0 * p * n * m.zn + n * n * m.nn;
  }
  return sum + q.magnetic * m.magnetic;
}

}  // namespace cevns
