// Nuclear form factors (SPEC §4). Each is fixed by an rms radius and one shape parameter, goes to
// 1 as q → 0, and is evaluated without 0/0: every expression that cancels at small argument is
// rewritten through a function with its own series branch.
#pragma once

#include <cmath>

#include "kernels/constants.hpp"
#include "kernels/hd.hpp"

namespace cevns {

enum FormFactorModel : int { kHelm = 0, kSymmetrizedFermi = 1, kKleinNystrand = 2 };

// SPEC §4 shape parameters.
inline constexpr double helm_skin_thickness_fm = 0.9;          // s
inline constexpr double fermi_diffuseness_fm = 0.52;           // a
inline constexpr double klein_nystrand_yukawa_range_fm = 0.7;  // a_k

// Trivially copyable description passed to kernels. `radius_fm` is the model's own radius
// (Helm R₀, Fermi half-density c, Klein–Nystrand R_A), derived once from the rms radius.
struct FormFactor {
  int model;
  double shape_fm;   // s, a or a_k
  double radius_fm;  // R₀, c or R_A
};

// 3 j₁(x)/x, with its Taylor series below x = 0.3 (the direct form loses ~3ε/x² there; the
// series' first omitted term is below 1e-19 at the switch).
CEVNS_HD inline double three_j1_over_x(double x) {
  const double x2 = x * x;
  if (x < 0.3) {
    return 1.0 + x2 * (-1.0 / 10.0 +
                       x2 * (1.0 / 280.0 +
                             x2 * (-1.0 / 15120.0 + x2 * (1.0 / 1330560.0 - x2 / 172972800.0))));
  }
  return 3.0 * (std::sin(x) - x * std::cos(x)) / (x2 * x);
}

// (y coth y − 1)/y², series below y = 0.1 (first omitted term below 1e-17 there).
CEVNS_HD inline double ycothy_minus_one_over_y2(double y) {
  const double y2 = y * y;
  if (y < 0.1) {
    return 1.0 / 3.0 +
           y2 * (-1.0 / 45.0 +
                 y2 * (2.0 / 945.0 +
                       y2 * (-1.0 / 4725.0 + y2 * (2.0 / 93555.0 - y2 * 1382.0 / 638512875.0))));
  }
  return (y / std::tanh(y) - 1.0) / y2;
}

CEVNS_HD inline double helm_form_factor(double q_per_fm, double r0_fm, double s_fm) {
  return three_j1_over_x(q_per_fm * r0_fm) * std::exp(-0.5 * q_per_fm * q_per_fm * s_fm * s_fm);
}

// Symmetrised Fermi, with x = qc, y = πqa rewritten as
//   F = 3 (y / sinh y) [sinc(x) y² g(y) + x² h(x)] / (x² + y²),
// g(y) = (y coth y − 1)/y², h(x) = (sin x − x cos x)/x³ = (3 j₁(x)/x)/3; algebraically the
// closed form of SPEC §4, free of cancellation as q → 0.
CEVNS_HD inline double symmetrized_fermi_form_factor(double q_per_fm, double c_fm, double a_fm) {
  const double x = q_per_fm * c_fm;
  const double y = constants::pi * q_per_fm * a_fm;
  if (x == 0.0 && y == 0.0) return 1.0;
  if (y > 700.0) return 0.0;  // e^{-y} underflows long before: F is 0 to double precision
  const double y_over_sinh = y < 1e-8 ? 1.0 : y / std::sinh(y);
  const double sinc = x < 1e-8 ? 1.0 : std::sin(x) / x;
  const double x2 = x * x, y2 = y * y;
  return 3.0 * y_over_sinh *
         (sinc * y2 * ycothy_minus_one_over_y2(y) + x2 * three_j1_over_x(x) / 3.0) / (x2 + y2);
}

CEVNS_HD inline double klein_nystrand_form_factor(double q_per_fm, double ra_fm, double ak_fm) {
  return three_j1_over_x(q_per_fm * ra_fm) / (1.0 + q_per_fm * q_per_fm * ak_fm * ak_fm);
}

CEVNS_HD inline double form_factor(const FormFactor& ff, double q_per_fm) {
  switch (ff.model) {
    case kSymmetrizedFermi:
      return symmetrized_fermi_form_factor(q_per_fm, ff.radius_fm, ff.shape_fm);
    case kKleinNystrand:
      return klein_nystrand_form_factor(q_per_fm, ff.radius_fm, ff.shape_fm);
    default:
      return helm_form_factor(q_per_fm, ff.radius_fm, ff.shape_fm);
  }
}

// Squared model radius from the rms radius (SPEC §4); ≤ 0 means the rms radius is too small for
// the model's shape parameter.
CEVNS_HD inline double model_radius_squared_fm2(int model, double rms_radius_fm, double shape_fm) {
  const double r2 = rms_radius_fm * rms_radius_fm;
  switch (model) {
    case kSymmetrizedFermi:  // R² = (3/5) c² + (7/5) π² a²
      return (5.0 / 3.0) * (r2 - (7.0 / 5.0) * constants::pi * constants::pi * shape_fm * shape_fm);
    case kKleinNystrand:  // R² = (3/5) R_A² + 6 a_k²
      return (5.0 / 3.0) * (r2 - 6.0 * shape_fm * shape_fm);
    default:  // Helm: R₀² = (5/3)(R² − 3 s²)
      return (5.0 / 3.0) * (r2 - 3.0 * shape_fm * shape_fm);
  }
}

// The rms radius of a Helm distribution with box radius R₀ and skin s: R² = (3/5) R₀² + 3 s²
// (the inverse of the Helm line of model_radius_squared_fm2).
inline double helm_rms_radius_fm(double r0_fm, double s_fm) {
  return std::sqrt(0.6 * r0_fm * r0_fm + 3.0 * s_fm * s_fm);
}

CEVNS_HD inline double default_shape_fm(int model) {
  return model == kSymmetrizedFermi ? fermi_diffuseness_fm
         : model == kKleinNystrand  ? klein_nystrand_yukawa_range_fm
                                    : helm_skin_thickness_fm;
}

// The caller checks model_radius_squared_fm2 > 0 first (configs report it as an error).
inline FormFactor make_form_factor(int model, double rms_radius_fm, double shape_fm) {
  return FormFactor{model, shape_fm,
                    std::sqrt(model_radius_squared_fm2(model, rms_radius_fm, shape_fm))};
}

}  // namespace cevns
