// The lower bound of the profiled Poisson statistic that the toys of fits to data search with
// (kernels/toys.hpp, raise_dual_bound), checked on random inputs (rapidcheck): random templates,
// counts, pull widths and constraint centres, and random pulls at the anchor.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <cstddef>
#include <vector>

#include "kernels/toys.hpp"
#include "tests/property/property_util.hpp"

namespace cevns {
namespace {

using property::log_uniform;
using property::uniform;

// A grid of two rows of two points, the signal of point p = Σ_j coef[p][j] basis[row][j] with
// K = 2 non-negative basis vectors per row, 0 to 3 backgrounds (one of them, when there are
// three, a signed shift as the releases' nuisance templates are), random counts around a random
// prediction (some bins empty) and pulls of σ = 0 (fixed) or 0.01 to 1.
struct RandomToy {
  int n_bins = 0, n_backgrounds = 0;
  std::vector<std::size_t> row_first{0, 2, 4};
  std::vector<double> basis, coef, backgrounds, sigmas, counts, centres;
  ToyView view() const {
    ToyView v{};  // no Gaussian tables, no sources: the bound and the profile read neither
    v.n_points = 4;
    v.n_bins = n_bins;
    v.n_basis = 2;
    v.n_rows = 2;
    v.row_first = row_first.data();
    v.basis = basis.data();
    v.coef = coef.data();
    v.poisson = 1;
    v.n_backgrounds = n_backgrounds;
    v.backgrounds = backgrounds.data();
    v.sigmas = sigmas.data();
    v.screen = 1;
    v.grid_n0 = 2;
    return v;
  }
};

RandomToy random_toy() {
  RandomToy t;
  t.n_bins = *rc::gen::inRange(1, 13);
  t.n_backgrounds = *rc::gen::inRange(0, 4);
  const int nb = t.n_bins;
  for (int i = 0; i < 2 * 2 * nb; ++i) t.basis.push_back(log_uniform(1e-2, 1e2));
  for (int i = 0; i < 4 * 2; ++i) t.coef.push_back(uniform(0.0, 1.5));
  for (int k = 0; k < t.n_backgrounds; ++k)
    for (int b = 0; b < nb; ++b)
      t.backgrounds.push_back(k == 2 ? uniform(-0.5, 0.5) : log_uniform(1e-2, 1e2));
  if (t.backgrounds.empty()) t.backgrounds.push_back(0.0);
  for (int k = 0; k <= t.n_backgrounds; ++k) {
    const double s = *rc::gen::element(0, 1, 2) == 0 ? 0.0 : log_uniform(1e-2, 1.0);
    t.sigmas.push_back(s);
    t.centres.push_back(s > 0.0 ? uniform(-2.0 * s, 2.0 * s) : 0.0);
  }
  t.centres.resize(kMaxPulls, 0.0);
  // Counts: integers around the prediction of point 0 scaled, some bins empty.
  for (int b = 0; b < nb; ++b) {
    double mu = t.coef[0] * t.basis[b] + t.coef[1] * t.basis[nb + b];
    for (int k = 0; k < t.n_backgrounds; ++k) mu += std::fabs(t.backgrounds[k * nb + b]);
    t.counts.push_back(*rc::gen::element(0, 1, 2, 3) == 0 ? 0.0
                                                          : std::floor(uniform(0.0, 3.0 * mu)));
  }
  return t;
}

// For any anchor pulls θ^a and every point p: the bound ≤ −2 ln λ at any pulls x (it minorises
// the statistic, then is minimised over the pulls), hence ≤ its minimum over the pulls, the
// profile (which is above that minimum by at most its tolerance, 1e-13 (1 + F)). Allowed excess:
// rounding, 1e-11 (1 + F).
RC_GTEST_PROP(ToyBoundProperties, DualBoundIsBelowTheStatisticAtAnyPullsAndBelowTheProfile, ()) {
  property::count_case();
  const RandomToy t = random_toy();
  const ToyView v = t.view();
  const int nk = 1 + t.n_backgrounds;
  std::vector<double> anchor_theta(kMaxPulls, 0.0);
  for (int k = 0; k < nk; ++k) anchor_theta[k] = uniform(-0.6, 0.6);
  const std::size_t anchor = static_cast<std::size_t>(*rc::gen::inRange(0, 4));
  std::vector<double> slope(t.n_bins), lb(4, -kToyInfinity);
  raise_dual_bound(v, t.counts.data(), t.centres.data(), anchor, anchor_theta.data(), slope.data(),
                   lb.data());
  for (std::size_t p = 0; p < 4; ++p) {
    const ToyTemplates tp{v, p / 2, p, t.counts.data(), t.centres.data()};
    const PoissonProfile prof = profile_poisson(tp);
    RC_LOG() << "point " << p << ": bound " << lb[p] << ", profile " << prof.chi2;
    RC_ASSERT(!std::isnan(lb[p]));
    RC_ASSERT(lb[p] <= prof.chi2 + 1e-11 * (1.0 + std::fabs(prof.chi2)));
    std::vector<double> x(kMaxPulls, 0.0);
    for (int trial = 0; trial < 4; ++trial) {
      for (int k = 0; k < nk; ++k) x[k] = t.sigmas[k] > 0.0 ? uniform(-0.9, 0.9) : 0.0;
      const double f = detail::poisson_objective(tp, x.data());
      RC_ASSERT(lb[p] <= f + 1e-11 * (1.0 + std::fabs(f)));
    }
  }
}

// With the anchor's own fitted pulls the bound at the anchor is the Lagrange dual at the optimal
// multipliers: equal to the profile there (to 1e-7), whenever the profile converged to a finite
// minimum.
RC_GTEST_PROP(ToyBoundProperties, DualBoundIsTheProfileAtItsAnchor, ()) {
  property::count_case();
  const RandomToy t = random_toy();
  const ToyView v = t.view();
  const std::size_t anchor = static_cast<std::size_t>(*rc::gen::inRange(0, 4));
  const PoissonProfile prof =
      profile_poisson(ToyTemplates{v, anchor / 2, anchor, t.counts.data(), t.centres.data()});
  RC_PRE(prof.converged && std::isfinite(prof.chi2));
  std::vector<double> slope(t.n_bins), lb(4, -kToyInfinity);
  raise_dual_bound(v, t.counts.data(), t.centres.data(), anchor, prof.theta, slope.data(),
                   lb.data());
  RC_LOG() << "bound " << lb[anchor] << ", profile " << prof.chi2;
  RC_ASSERT(std::fabs(lb[anchor] - prof.chi2) <= 1e-7 * (1.0 + std::fabs(prof.chi2)));
}

// A free normalisation (σ = +∞) has no finite minimum against a linear term: no bound at all.
TEST(ToyBoundProperties, FreeNormalisationGivesNoBound) {
  RandomToy t;
  t.n_bins = 2;
  t.basis = {1.0, 2.0, 0.5, 0.5, 1.0, 1.0, 0.2, 0.3};
  t.coef = {1.0, 0.0, 1.0, 0.5, 1.0, 1.0, 0.5, 0.5};
  t.backgrounds = {0.0};
  t.sigmas = {kToyInfinity};
  t.centres.assign(kMaxPulls, 0.0);
  t.counts = {3.0, 1.0};
  const ToyView v = t.view();
  std::vector<double> slope(2), lb(4, -kToyInfinity), theta(kMaxPulls, 0.0);
  raise_dual_bound(v, t.counts.data(), t.centres.data(), 0, theta.data(), slope.data(), lb.data());
  for (double b : lb) EXPECT_EQ(b, -kToyInfinity);
}

}  // namespace
}  // namespace cevns
