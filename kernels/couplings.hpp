// Weak charges with non-standard vector interactions (SPEC §4, Eqs. 10–11), and the form-factor
// moments that make the counts a quadratic form in them (SPEC §9).
#pragma once

#include "kernels/electromagnetic.hpp"
#include "kernels/hd.hpp"
#include "kernels/parameters.hpp"

namespace cevns {

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
  q.proton[alpha] += 0.5 - 2.0 * m.value[kSin2ThetaW];  // g_V^p
  q.neutron[alpha] += -0.5;                             // g_V^n
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
