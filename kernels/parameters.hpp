// The physics parameters a scan, a fit or an Asimov truth can set, declared once.
//
// A PhysicsModel is one value per parameter (plus the sterile channel, which is a choice, not a
// number), so setting a parameter is `model.value[id] = x` on both backends and the physics reads
// `model.value[kSin2ThetaW]`. To add a parameter: add its row to CEVNS_PARAMETER_TABLE (name,
// units, long name, valid range, role), then read it where it enters the physics. The command
// line, configs, outputs, axes and truths pick it up from this table.
#pragma once

#include "kernels/hd.hpp"

namespace cevns {

// How a parameter enters the counts, which decides the factorised evaluator that scans it
// (SPEC §9): couplings enter the coherent charge linearly (the counts are a quadratic form in
// them); sin²2θ enters affinely given the depletion table of its Δm² row; Δm² selects that row.
// A light mediator's coupling g enters the counts as a polynomial in g² given the recoil tables
// of its mass row (SPEC §10.5); the mass selects that row.
// The neutrino charge radii shift the proton charge linearly and the magnetic moments add μ²
// times their own recoil moment (SPEC §10.3, kernels/electromagnetic.hpp): couplings too.
enum ParameterRole : int {
  kCouplingRole = 0,
  kMixingRole = 1,
  kSplittingRole = 2,
  kMediatorCouplingRole = 3,
  kMediatorMassRole = 4,
  kNeutronRadiusRole = 5
};

// Valid ranges: sin²θ_W and sin²2θ are squared sines; |ε| above 100 is a coupling 200 times the
// SM neutron charge, beyond any use; Δm² up to 1e6 eV² (oscillation lengths of microns); a
// mediator of 1 keV to 100 GeV (below, the propagator is 1/q² at every recoil of these
// detectors; above, the contact limit), coupling g up to 10 (beyond perturbative).
// Magnetic moments in 1e-10 μ_B from 0 (only μ² enters) to 1e4 (1e-6 μ_B, far above every
// bound); charge radii in 1e-32 cm² within ±1000 (a g_V^p shift of ±24, a thousand times the SM
// proton charge).
// Neutron rms radii (SPEC §10.4): rn_fm sets every isotope's, rn_<element>_fm one element's
// (it wins over rn_fm); 0 means "not set: the detector's configured radius". Each form factor
// has its own lower bound (host/config/neutron_radius.hpp); 20 fm is beyond any nucleus. A
// per-element parameter exists for the elements listed here: to scan another, add its row.
// X(id, name, units, long name, min, max, role)
#define CEVNS_PARAMETER_TABLE(X)                                                                   \
  X(kSin2ThetaW, "sin2_theta_W", "1", "weak mixing angle sin^2(theta_W)", 0.0, 1.0, kCouplingRole) \
  X(kEpsEEu, "eps_ee_uV", "1", "NSI coupling epsilon_ee^uV", -100.0, 100.0, kCouplingRole)         \
  X(kEpsEMuu, "eps_emu_uV", "1", "NSI coupling epsilon_emu^uV", -100.0, 100.0, kCouplingRole)      \
  X(kEpsETauu, "eps_etau_uV", "1", "NSI coupling epsilon_etau^uV", -100.0, 100.0, kCouplingRole)   \
  X(kEpsMuMuu, "eps_mumu_uV", "1", "NSI coupling epsilon_mumu^uV", -100.0, 100.0, kCouplingRole)   \
  X(kEpsMuTauu, "eps_mutau_uV", "1", "NSI coupling epsilon_mutau^uV", -100.0, 100.0,               \
    kCouplingRole)                                                                                 \
  X(kEpsTauTauu, "eps_tautau_uV", "1", "NSI coupling epsilon_tautau^uV", -100.0, 100.0,            \
    kCouplingRole)                                                                                 \
  X(kEpsEEd, "eps_ee_dV", "1", "NSI coupling epsilon_ee^dV", -100.0, 100.0, kCouplingRole)         \
  X(kEpsEMud, "eps_emu_dV", "1", "NSI coupling epsilon_emu^dV", -100.0, 100.0, kCouplingRole)      \
  X(kEpsETaud, "eps_etau_dV", "1", "NSI coupling epsilon_etau^dV", -100.0, 100.0, kCouplingRole)   \
  X(kEpsMuMud, "eps_mumu_dV", "1", "NSI coupling epsilon_mumu^dV", -100.0, 100.0, kCouplingRole)   \
  X(kEpsMuTaud, "eps_mutau_dV", "1", "NSI coupling epsilon_mutau^dV", -100.0, 100.0,               \
    kCouplingRole)                                                                                 \
  X(kEpsTauTaud, "eps_tautau_dV", "1", "NSI coupling epsilon_tautau^dV", -100.0, 100.0,            \
    kCouplingRole)                                                                                 \
  X(kSin22Theta, "sin2_2theta", "1", "sterile mixing sin^2(2 theta)", 0.0, 1.0, kMixingRole)       \
  X(kDm2, "dm2_eV2", "eV^2", "mass splitting Delta m^2_41", 0.0, 1.0e6, kSplittingRole)            \
  X(kMediatorCoupling, "mediator_coupling", "1", "light mediator coupling g", 0.0, 10.0,           \
    kMediatorCouplingRole)                                                                         \
  X(kMediatorMass, "mediator_mass_MeV", "MeV", "light mediator mass", 1.0e-3, 1.0e5,               \
    kMediatorMassRole)                                                                             \
  X(kMuNuE, "mu_nu_e", "1e-10 mu_B", "magnetic moment of nu_e", 0.0, 1.0e4, kCouplingRole)         \
  X(kMuNuMu, "mu_nu_mu", "1e-10 mu_B", "magnetic moment of nu_mu and anti-nu_mu", 0.0, 1.0e4,      \
    kCouplingRole)                                                                                 \
  X(kR2NuE, "r2_nu_e", "1e-32 cm^2", "charge radius <r^2> of nu_e", -1.0e3, 1.0e3, kCouplingRole)  \
  X(kR2NuMu, "r2_nu_mu", "1e-32 cm^2", "charge radius <r^2> of nu_mu and anti-nu_mu", -1.0e3,      \
    1.0e3, kCouplingRole)                                                                                 \
  X(kNeutronRadius, "rn_fm", "fm", "neutron rms radius", 0.0, 20.0, kNeutronRadiusRole)            \
  X(kNeutronRadiusNa, "rn_Na_fm", "fm", "neutron rms radius of Na", 0.0, 20.0, kNeutronRadiusRole) \
  X(kNeutronRadiusAr, "rn_Ar_fm", "fm", "neutron rms radius of Ar", 0.0, 20.0, kNeutronRadiusRole) \
  X(kNeutronRadiusGe, "rn_Ge_fm", "fm", "neutron rms radius of Ge", 0.0, 20.0, kNeutronRadiusRole) \
  X(kNeutronRadiusI, "rn_I_fm", "fm", "neutron rms radius of I", 0.0, 20.0, kNeutronRadiusRole)    \
  X(kNeutronRadiusXe, "rn_Xe_fm", "fm", "neutron rms radius of Xe", 0.0, 20.0, kNeutronRadiusRole) \
  X(kNeutronRadiusCs, "rn_Cs_fm", "fm", "neutron rms radius of Cs", 0.0, 20.0, kNeutronRadiusRole)

enum ParameterIndex : int {
#define CEVNS_PARAMETER_ENUM(id, name, units, long_name, min, max, role) id,
  CEVNS_PARAMETER_TABLE(CEVNS_PARAMETER_ENUM)
#undef CEVNS_PARAMETER_ENUM
      kNumParameters
};

enum SterileChannel : int { kNoSterile = 0, kNuEDisappearance = 1, kNuMuDisappearance = 2 };

// Which light boson mediator_coupling and mediator_mass_MeV describe (SPEC §10.1, §10.2;
// kernels/mediators.hpp).
enum MediatorModel : int {
  kNoMediator = 0,
  kVectorUniversal = 1,
  kVectorBMinusL = 2,
  kVectorLmuLtau = 3,
  kScalar = 4
};

// Trivially copyable: it travels by value to every grid point of both backends.
struct PhysicsModel {
  double value[kNumParameters];
  int sterile_channel;  // SterileChannel: which flux sin²2θ and Δm² act on
  int mediator;         // MediatorModel: what the mediator parameters describe
  int couplings;        // CouplingScheme (kernels/couplings.hpp): tree level (0) or radiative
};

enum Quark : int { kUp = 0, kDown = 1 };
enum Flavour : int { kE = 0, kMu = 1, kTau = 2 };

// ε_{αβ}^{qV} = ε_{βα}^{qV} (real, Hermitian): one parameter per unordered flavour pair, in the
// table's order ee, eμ, eτ, μμ, μτ, ττ for each quark.
CEVNS_HD inline int epsilon_index(int quark, int alpha, int beta) {
  const int i = alpha < beta ? alpha : beta, j = alpha < beta ? beta : alpha;
  return kEpsEEu + 6 * quark + 3 * i - i * (i - 1) / 2 + (j - i);
}

// Host-side description of each parameter (the table's strings and ranges).
struct ParameterInfo {
  const char* name;
  const char* units;
  const char* long_name;
  double min, max;
  int role;
};

inline const ParameterInfo& parameter_info(int id) {
  static const ParameterInfo table[kNumParameters] = {
#define CEVNS_PARAMETER_INFO(id, name, units, long_name, min, max, role) \
  {name, units, long_name, min, max, role},
      CEVNS_PARAMETER_TABLE(CEVNS_PARAMETER_INFO)
#undef CEVNS_PARAMETER_INFO
  };
  return table[id];
}

}  // namespace cevns
