// Weak charges with non-standard vector interactions (SPEC §4, Eqs. 10–11), and the physics model
// a scan point stands for.
#pragma once

#include "kernels/hd.hpp"
#include "kernels/oscillation.hpp"

namespace cevns {

enum Quark : int { kUp = 0, kDown = 1 };
enum Flavour : int { kE = 0, kMu = 1, kTau = 2 };

// Vector couplings ε_{αβ}^{qV}, stored symmetric (real, Hermitian): [quark][α][β].
struct Couplings {
  double sin2_theta_w;
  double eps[2][3][3];
};

// Per-nucleon coherent charges seen by a neutrino of flavour α: the cross-section is
//   Σ_β [Z proton[β] F_Z + N neutron[β] F_N]²,
// β = α the flavour-conserving term (with the SM couplings), β ≠ α the flavour-changing ones.
struct NucleonCharges {
  double proton[3];
  double neutron[3];
};

CEVNS_HD inline NucleonCharges nucleon_charges(const Couplings& c, int alpha) {
  NucleonCharges q{};
  for (int beta = 0; beta < 3; ++beta) {
    const double eu = c.eps[kUp][beta][alpha], ed = c.eps[kDown][beta][alpha];
    q.proton[beta] = 2.0 * eu + ed;
    q.neutron[beta] = eu + 2.0 * ed;
  }
  q.proton[alpha] += 0.5 - 2.0 * c.sin2_theta_w;  // g_V^p
  q.neutron[alpha] += -0.5;                       // g_V^n
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

struct PhysicsModel {
  Couplings couplings;
  Sterile sterile;
};

// A scannable parameter: sin²θ_W, one ε_{αβ}^{qV}, sin²2θ or Δm².
enum ParameterKind : int { kSin2ThetaW = 0, kEpsilon = 1, kSin22Theta = 2, kDm2 = 3 };

struct ParameterId {
  int kind;
  int quark, alpha, beta;  // for kEpsilon
};

CEVNS_HD inline void set_parameter(PhysicsModel& m, const ParameterId& id, double value) {
  switch (id.kind) {
    case kSin2ThetaW:
      m.couplings.sin2_theta_w = value;
      break;
    case kEpsilon:
      m.couplings.eps[id.quark][id.alpha][id.beta] = value;
      m.couplings.eps[id.quark][id.beta][id.alpha] = value;
      break;
    case kSin22Theta:
      m.sterile.sin2_2theta = value;
      break;
    default:
      m.sterile.dm2_eV2 = value;
      break;
  }
}

}  // namespace cevns
