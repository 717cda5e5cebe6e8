// Sterile-neutrino disappearance in the two-flavour, short-baseline approximation (SPEC §5).
#pragma once

#include <cmath>

#include "kernels/constants.hpp"
#include "kernels/flux.hpp"
#include "kernels/hd.hpp"

namespace cevns {

enum SterileChannel : int { kNoSterile = 0, kNuEDisappearance = 1, kNuMuDisappearance = 2 };

struct Sterile {
  int channel;
  double sin2_2theta;
  double dm2_eV2;
};

// sin²(1.27 Δm² L / E): the oscillating factor that multiplies sin²2θ.
CEVNS_HD inline double oscillation_factor(double dm2_eV2, double baseline_m, double energy_MeV) {
  const double s = std::sin(constants::oscillation_phase_coefficient * dm2_eV2 * baseline_m /
                            energy_MeV);
  return s * s;
}

// Does this channel remove neutrinos of this flux class? ν_e disappearance acts on the delayed
// ν_e; ν_μ disappearance on the prompt ν_μ and the delayed ν̄_μ.
CEVNS_HD inline bool sterile_affects(int channel, int flux) {
  if (channel == kNuEDisappearance) return flux == kDelayedNuE;
  if (channel == kNuMuDisappearance) return flux == kPromptNuMu || flux == kDelayedNuMuBar;
  return false;
}

CEVNS_HD inline double survival_probability(const Sterile& sterile, int flux, double baseline_m,
                                            double energy_MeV) {
  if (!sterile_affects(sterile.channel, flux)) return 1.0;
  return 1.0 - sterile.sin2_2theta * oscillation_factor(sterile.dm2_eV2, baseline_m, energy_MeV);
}

}  // namespace cevns
