// χ² with a signal pull α and a background pull β, minimised in closed form (SPEC §7, Eq. 9):
//   χ² = min_{α,β} Σ_b [(N_exp − (1+α) N_th − (1+β) N_bg)/σ_b]² + (α/σ_α)² + (β/σ_β)²,
// σ_b = √N_exp. χ² is quadratic in (α, β); its minimum follows from the 2×2 normal equations,
// accumulated bin by bin so no per-bin array is needed.
#pragma once

#include "kernels/hd.hpp"

namespace cevns {

struct Chi2Accumulator {
  // Weighted sums over bins of r = N_exp − N_th − N_bg, t = N_th, g = N_bg.
  double rr = 0.0, tt = 0.0, gg = 0.0, tg = 0.0, rt = 0.0, rg = 0.0;

  // A bin with N_exp ≤ 0 has σ = 0 and carries no information: it is skipped.
  CEVNS_HD void add(double n_th, double n_exp, double n_bg) {
    if (!(n_exp > 0.0)) return;
    add_weighted(n_th, n_exp, n_bg, 1.0 / n_exp);
  }

  // The same with the weight 1/σ² = 1/N_exp precomputed (0 skips the bin): scans call this.
  CEVNS_HD void add_weighted(double n_th, double n_exp, double n_bg, double w) {
    const double r = n_exp - n_th - n_bg;
    rr += w * r * r;
    tt += w * n_th * n_th;
    gg += w * n_bg * n_bg;
    tg += w * n_th * n_bg;
    rt += w * r * n_th;
    rg += w * r * n_bg;
  }

  // Minimum over the pulls. A zero σ fixes its pull at 0 (that row drops out).
  CEVNS_HD double minimum(double sigma_alpha, double sigma_beta) const {
    return minimum_inverse(sigma_alpha > 0.0 ? 1.0 / (sigma_alpha * sigma_alpha) : -1.0,
                           sigma_beta > 0.0 ? 1.0 / (sigma_beta * sigma_beta) : -1.0);
  }

  // The same from the prior weights 1/σ_α², 1/σ_β² (negative: that pull is fixed at 0).
  // Branch-free, so that loops over grid points vectorise: a fixed pull's row of the 2×2 system
  // becomes the identity row with zero right-hand side, which gives it the value 0 exactly and
  // leaves the other pull's 1×1 problem (multiplications by exact 0 and 1 change no digit).
  CEVNS_HD double minimum_inverse(double inv_var_alpha, double inv_var_beta) const {
    return minimum_masked(inv_var_alpha, inv_var_alpha >= 0.0 ? 1.0 : 0.0, inv_var_beta,
                          inv_var_beta >= 0.0 ? 1.0 : 0.0);
  }

  // fa, fb: 1 for a free pull, 0 for a fixed one (precomputed by loops over grid points).
  CEVNS_HD double minimum_masked(double inv_var_alpha, double fa, double inv_var_beta,
                                 double fb) const {
    const double a11 = fa * (tt + inv_var_alpha) + (1.0 - fa);
    const double a22 = fb * (gg + inv_var_beta) + (1.0 - fb);
    const double a12 = fa * fb * tg;
    const double b1 = fa * rt, b2 = fb * rg;
    const double det = a11 * a22 - a12 * a12;
    // b^T A^{-1} b for the symmetric positive-definite A.
    return rr - (a22 * b1 * b1 - 2.0 * a12 * b1 * b2 + a11 * b2 * b2) / det;
  }

  // The minimising pulls (α, β), for reporting.
  CEVNS_HD void pulls(double sigma_alpha, double sigma_beta, double* alpha, double* beta) const {
    const bool free_alpha = sigma_alpha > 0.0, free_beta = sigma_beta > 0.0;
    *alpha = 0.0;
    *beta = 0.0;
    if (free_alpha && free_beta) {
      const double a11 = tt + 1.0 / (sigma_alpha * sigma_alpha);
      const double a22 = gg + 1.0 / (sigma_beta * sigma_beta);
      const double det = a11 * a22 - tg * tg;
      *alpha = (a22 * rt - tg * rg) / det;
      *beta = (a11 * rg - tg * rt) / det;
    } else if (free_alpha) {
      *alpha = rt / (tt + 1.0 / (sigma_alpha * sigma_alpha));
    } else if (free_beta) {
      *beta = rg / (gg + 1.0 / (sigma_beta * sigma_beta));
    }
  }
};

// Several detectors in one χ² with the signal pull α shared and a background pull β_d per
// detector (SPEC §12):
//   χ² = min_{α, β_1..β_D} Σ_d [χ²_d(α, β_d) without priors] + (α/σ_α)² + Σ_d (β_d/σ_β)².
// Each β_d enters only its own detector's terms, so it is eliminated first: at fixed α its
// minimum is β_d = (rg_d − α tg_d)/G_d with G_d = gg_d + 1/σ_β², and what remains of detector d
// is the Schur complement of its 2×2 block, c0_d − 2α c1_d + α² c2_d with
//   c0_d = rr_d − rg_d²/G_d,  c1_d = rt_d − tg_d rg_d/G_d,  c2_d = tt_d − tg_d²/G_d.
// Summed over detectors, the minimum over α is c0 − c1²/(c2 + 1/σ_α²): a point costs D small
// updates and one division, whatever D. A fixed pull (σ = 0) keeps its value 0 as in
// Chi2Accumulator::minimum_masked: its row becomes the identity with a zero right-hand side.
struct SharedSignalChi2 {
  double c0 = 0.0, c1 = 0.0, c2 = 0.0;

  // Detector d's sums, its background pull eliminated; fb: 1 free, 0 fixed.
  CEVNS_HD void add_detector(const Chi2Accumulator& d, double inv_var_beta, double fb) {
    const double g = fb * (d.gg + inv_var_beta) + (1.0 - fb);
    const double tg = fb * d.tg, rg = fb * d.rg;
    c0 += d.rr - rg * rg / g;
    c1 += d.rt - tg * rg / g;
    c2 += d.tt - tg * tg / g;
  }

  // Minimum over the shared α (fa: 1 free, 0 fixed).
  CEVNS_HD double minimum_masked(double inv_var_alpha, double fa) const {
    const double a = fa * (c2 + inv_var_alpha) + (1.0 - fa);
    const double b = fa * c1;
    return c0 - b * b / a;
  }

  // The minimising α, and detector d's β_d at it (for reporting and tests).
  CEVNS_HD double alpha(double sigma_alpha) const {
    return sigma_alpha > 0.0 ? c1 / (c2 + 1.0 / (sigma_alpha * sigma_alpha)) : 0.0;
  }
  CEVNS_HD static double beta(const Chi2Accumulator& d, double alpha, double sigma_beta) {
    return sigma_beta > 0.0 ? (d.rg - alpha * d.tg) / (d.gg + 1.0 / (sigma_beta * sigma_beta))
                            : 0.0;
  }
};

}  // namespace cevns
