// Weak charges with non-standard vector interactions (SPEC §4, Eqs. 10–11), and the form-factor
// moments that make the counts a quadratic form in them (SPEC §9).
#pragma once

#include "kernels/hd.hpp"
#include "kernels/parameters.hpp"

namespace cevns {

// Per-nucleon coherent charges seen by a neutrino of flavour α: the cross-section is
//   Σ_β [Z proton[β] F_Z + N neutron[β] F_N]²,
// β = α the flavour-conserving term (with the SM couplings), β ≠ α the flavour-changing ones.
struct NucleonCharges {
  double proton[3];
  double neutron[3];
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
  return q;
}

// Rate of one quadrature entry from its three form-factor moments (SPEC §9):
//   Σ_β proton² ⟨Z²F_Z²⟩ + 2 proton neutron ⟨ZN F_Z F_N⟩ + neutron² ⟨N²F_N²⟩.
struct Moments {
  double zz, zn, nn;
};

CEVNS_HD inline double charge_weighted(const NucleonCharges& q, const Moments& m) {
  double sum = 0.0;
  for (int beta = 0; beta < 3; ++beta) {
    const double p = q.proton[beta], n = q.neutron[beta];
    sum += p * p * m.zz + 2.0 * p * n * m.zn + n * n * m.nn;
  }
  return sum;
}

}  // namespace cevns
