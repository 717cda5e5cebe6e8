// Detector response of a real CEvNS detector: true nuclear recoil T (keVnr) → electron-equivalent
// energy (quenching) → observed quantity (keVee, or photoelectrons through the light yield) →
// smeared observation (resolution) → acceptance in the observed variable; and the arrival-time
// distribution of each neutrino class. Pure functions of small trivially-copyable structs, so the
// host (host/response_matrix.cpp) and a device kernel can both call them.
#pragma once

#include <cmath>

#include "kernels/constants.hpp"
#include "kernels/hd.hpp"
#include "kernels/interpolate.hpp"

namespace cevns {

// ---------------------------------------------------------------------------------------------
// Quenching: E_ee[keVee] = Σ_{k=1..4} c_k T^k with T in keVnr, clipped at 0. This one form holds
//  - a constant quenching factor QF (CsI 2017 release: QF = 0.0878): c = {QF, 0, 0, 0};
//  - a linear QF(T) = a + b T (CENNS-10 LAr release: a = 0.246, b = 0.00078/keVnr):
//    E_ee = a T + b T², c = {a, b, 0, 0};
//  - the CsI 2021 release's scintRespCoefficients.txt, E_ee[MeVee] = a x + b x² + c x³ + d x⁴
//    with x in MeVnr: in keV, c_k = coefficient_k × (1e-3)^(k−1) (host/response_matrix.cpp).
// The quartic turns over far above the CsI region of interest, and is negative nowhere there;
// the clip only guards extrapolation (Newtrinos.jl clips the same way).
struct Quenching {
  double coeff[4];
};

CEVNS_HD inline double electron_equivalent_keV(const Quenching& q, double recoil_keV) {
  const double t = recoil_keV;
  const double e = t * (q.coeff[0] + t * (q.coeff[1] + t * (q.coeff[2] + t * q.coeff[3])));
  return e > 0.0 ? e : 0.0;
}

// ---------------------------------------------------------------------------------------------
// Observable and resolution.
enum ObservedVariable : int { kObservedKeVee = 0, kObservedPE = 1 };

enum ResolutionModel : int {
  // No smearing: the observation is its mean.
  kPerfectResolution = 0,
  // Gaussian in keVee with σ/E = a/√E (E in keVee, a in √keVee): the CENNS-10 LAr release,
  // LArParametersAnlA.yaml, a = 0.58. With a PE observable the Gaussian is applied to PE with the
  // same relative width.
  kGaussianResolution = 1,
  // Gamma-distributed photoelectron count, the CsI[Na] 2021 response (COHERENT, arXiv:2110.07730
  // supplemental material; the same form and numbers are used by Newtrinos.jl's coherent_csi.jl
  // and by De Romeri et al., arXiv:2211.11905):
  //   P(x | E_ee) = (a(1+b))^{1+b} / Γ(1+b) · x^b · exp(−a(1+b) x),
  //   a = 1/(LY E_ee) = 0.0749/E_ee[keVee], b = 9.56 · E_ee[keVee].
  // That is a gamma distribution of shape k = 1 + b and mean 1/a = LY E_ee: its mean is the
  // light yield times E_ee and its relative width is 1/√(1 + 9.56 E_ee). Here `a` holds the
  // slope 9.56 /keVee of b.
  kGammaResolution = 2,
};

struct Response {
  Quenching quenching;
  int observable;                   // ObservedVariable
  double light_yield_PE_per_keVee;  // kObservedPE only
  int resolution;                   // ResolutionModel
  double resolution_a;              // Gaussian: a in √keVee; gamma: b per keVee (9.56)
};

// Mean observed value (keVee or PE) of a recoil.
CEVNS_HD inline double mean_observed(const Response& r, double recoil_keV) {
  const double ee = electron_equivalent_keV(r.quenching, recoil_keV);
  return r.observable == kObservedPE ? ee * r.light_yield_PE_per_keVee : ee;
}

CEVNS_HD inline double standard_normal_cdf(double z) {
  return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

// Regularised lower incomplete gamma function P(s, x) (Numerical Recipes, 3rd ed., §6.2: the
// series for x < s + 1, Lentz's continued fraction for Q = 1 − P beyond). Both converge in
// O(√s) terms; 1000 terms cover shapes s up to ~10⁵, far beyond the 1 + 9.56 E_ee of CsI.
CEVNS_HD inline double regularized_lower_gamma(double s, double x) {
  if (!(x > 0.0)) return 0.0;
  const double log_prefactor = s * std::log(x) - x - std::lgamma(s);
  if (x < s + 1.0) {
    double term = 1.0 / s, sum = term;
    for (int n = 1; n < 1000; ++n) {
      term *= x / (s + n);
      sum += term;
      if (std::fabs(term) < std::fabs(sum) * 1e-16) break;
    }
    return sum * std::exp(log_prefactor);
  }
  const double tiny = 1e-300;
  double b = x + 1.0 - s, c = 1.0 / tiny, d = 1.0 / b, h = d;
  for (int i = 1; i < 1000; ++i) {
    const double an = -i * (i - s);
    b += 2.0;
    d = an * d + b;
    if (std::fabs(d) < tiny) d = tiny;
    c = b + an / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1.0 / d;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1.0) < 1e-16) break;
  }
  return 1.0 - std::exp(log_prefactor) * h;
}

// Probability that a recoil of `recoil_keV` is observed in [lo, hi) of the observed variable.
// Perfect resolution: 1 when the mean falls in the bin (a sub-node average over a true bin then
// yields the fraction of it that maps into the observed bin).
CEVNS_HD inline double observed_bin_probability(const Response& r, double recoil_keV, double lo,
                                                double hi) {
  const double mean = mean_observed(r, recoil_keV);
  switch (r.resolution) {
    case kGaussianResolution: {
      const double ee = electron_equivalent_keV(r.quenching, recoil_keV);
      if (!(ee > 0.0)) return lo <= 0.0 && 0.0 < hi ? 1.0 : 0.0;
      const double sigma = mean * r.resolution_a / std::sqrt(ee);  // σ/E = a/√E_ee
      return standard_normal_cdf((hi - mean) / sigma) - standard_normal_cdf((lo - mean) / sigma);
    }
    case kGammaResolution: {
      const double ee = electron_equivalent_keV(r.quenching, recoil_keV);
      if (!(ee > 0.0)) return lo <= 0.0 && 0.0 < hi ? 1.0 : 0.0;
      const double shape = 1.0 + r.resolution_a * ee;
      const double rate = shape / mean;  // a(1 + b) with a = 1/mean
      return regularized_lower_gamma(shape, rate * hi) -
             regularized_lower_gamma(shape, rate * (lo > 0.0 ? lo : 0.0));
    }
    default:
      return (mean >= lo && mean < hi) ? 1.0 : 0.0;
  }
}

// ---------------------------------------------------------------------------------------------
// Acceptance in the observed variable x (PE or keVee).
enum AcceptanceModel : int {
  kUnitAcceptance = 0,
  // CsI 2017 release (coherent_parameters.yaml): f(x) = a/(1 + exp(−k(x − x₀))) · H(x − 5),
  // x in PE, H = 0 below 5 PE, ½ for 5 ≤ x < 6, 1 from 6 PE; a = 0.6655, k = 0.4942,
  // x₀ = 10.8507. The release evaluates it at the centre of 1-PE bins.
  kSigmoidStep2017 = 1,
  // CsI 2021 release (effCoefficients.txt): f(x) = a/(1 + exp(−b(x − c))) + d, x in PE, clipped
  // at 0 (it is negative below ~7 PE, where the analysis has no acceptance; Newtrinos.jl clips
  // the same way) and at 1.
  kSigmoidOffset2021 = 2,
  // A tabulated curve, linearly interpolated, constant beyond its ends (CENNS-10's
  // CENNS10AnlAEfficiency.txt in keVee).
  kTabulatedAcceptance = 3,
};

struct AcceptanceCurve {
  int model;
  double a, b, c, d;  // 2017: a, k, x₀; 2021: a, b, c, d
  int n;
  const double* x;
  const double* value;
};

CEVNS_HD inline double acceptance_value(const AcceptanceCurve& f, double x) {
  switch (f.model) {
    case kSigmoidStep2017: {
      if (x < 5.0) return 0.0;
      const double s = f.a / (1.0 + std::exp(-f.b * (x - f.c)));
      return x < 6.0 ? 0.5 * s : s;
    }
    case kSigmoidOffset2021: {
      const double v = f.a / (1.0 + std::exp(-f.b * (x - f.c))) + f.d;
      return v < 0.0 ? 0.0 : (v > 1.0 ? 1.0 : v);
    }
    case kTabulatedAcceptance: {
      if (f.n == 0) return 1.0;
      return interpolate_clamped(f.x, f.value, f.n, x);
    }
    default:
      return 1.0;
  }
}

// ---------------------------------------------------------------------------------------------
// Arrival time. Prompt ν_μ follow the proton pulse, delayed by the π⁺ lifetime; delayed ν_e and
// ν̄_μ are further delayed by the μ⁺ lifetime. With the proton-on-target trace a Gaussian
// (CENNS-10 LAr release, LArParametersAnlA.yaml: mean 440 ns, width 150 ns, "convolved with the
// π⁺ and μ⁺ ... lifetimes to estimate the CEvNS signal"), the CDFs are closed forms:
//   prompt:  Gaussian ⊗ Exp(τ_π)              — the exponentially modified Gaussian;
//   delayed: Gaussian ⊗ Exp(τ_π) ⊗ Exp(τ_μ)  = [τ_μ F(τ_μ) − τ_π F(τ_π)]/(τ_μ − τ_π),
// F(τ) the exponentially modified Gaussian CDF (the hypoexponential density is that mixture).
// When a release provides binned arrival-time PDFs (CsI 2017), those tables are used instead.
struct BeamTiming {
  double mean_us, width_us;
  double pion_lifetime_us;  // PDG: 26.033 ns
  double muon_lifetime_us;  // PDG: 2196.98 ns
};

// exp(a) Φ(w), without overflow of exp(a) where Φ(w) is tiny.
CEVNS_HD inline double exp_times_normal_cdf(double a, double w) {
  if (w > -26.0) return std::exp(a + std::log(standard_normal_cdf(w)));
  // Φ(w) = φ(w) R(−w), Mills-ratio continued fraction (converges fast for −w ≥ 26).
  const double x = -w;
  double r = x;
  for (int k = 40; k >= 1; --k) r = x + k / r;
  return std::exp(a - 0.5 * w * w) / (std::sqrt(2.0 * constants::pi) * r);
}

// CDF of a Gaussian(mean, width) plus an Exp(τ) delay, at t.
CEVNS_HD inline double exgauss_cdf(double t_us, double mean_us, double width_us, double tau_us) {
  const double z = (t_us - mean_us) / width_us;
  const double a = -(t_us - mean_us) / tau_us + 0.5 * width_us * width_us / (tau_us * tau_us);
  return standard_normal_cdf(z) - exp_times_normal_cdf(a, z - width_us / tau_us);
}

CEVNS_HD inline double arrival_cdf(const BeamTiming& b, bool delayed, double t_us) {
  const double f_pi = exgauss_cdf(t_us, b.mean_us, b.width_us, b.pion_lifetime_us);
  if (!delayed) return f_pi;
  const double f_mu = exgauss_cdf(t_us, b.mean_us, b.width_us, b.muon_lifetime_us);
  return (b.muon_lifetime_us * f_mu - b.pion_lifetime_us * f_pi) /
         (b.muon_lifetime_us - b.pion_lifetime_us);
}

// Probability of arrival in [lo, hi).
CEVNS_HD inline double arrival_probability(const BeamTiming& b, bool delayed, double lo_us,
                                           double hi_us) {
  return arrival_cdf(b, delayed, hi_us) - arrival_cdf(b, delayed, lo_us);
}

// Mean over [lo, hi) of a time-dependent efficiency that is 1 up to `plateau_us` and falls as
// exp(−rate (t − plateau)) after it (CsI 2021 release supplement: 520 ns, 0.0494 /µs; the same
// numbers in Newtrinos.jl's get_timing_efficiency).
CEVNS_HD inline double mean_time_efficiency(double plateau_us, double rate_per_us, double lo_us,
                                            double hi_us) {
  if (!(rate_per_us > 0.0)) return 1.0;
  const auto integral = [&](double t) {  // ∫_{-∞}^{t} of (efficiency − 1 before the plateau)
    return t <= plateau_us
               ? t
               : plateau_us + (1.0 - std::exp(-rate_per_us * (t - plateau_us))) / rate_per_us;
  };
  return (integral(hi_us) - integral(lo_us)) / (hi_us - lo_us);
}

}  // namespace cevns
