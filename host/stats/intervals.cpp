#include "host/stats/intervals.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace cevns {
namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();
constexpr double kInf = std::numeric_limits<double>::infinity();
// Both Brent iterations converge in well under 100 steps for any bracket a double can hold
// (golden section alone shrinks it by 0.618 per step); the cap only guards a pathological eval.
constexpr int kMaxIterations = 300;

void check_grid(const std::vector<double>& x, const std::vector<double>& f, const char* who) {
  if (x.size() != f.size()) {
    throw std::invalid_argument(std::string(who) + ": grid and values differ in length");
  }
}

// NaN (a point where χ² has no value) must never win a comparison: it counts as +∞.
double finite_or_inf(double v) { return std::isnan(v) ? kInf : v; }

// Brent's minimisation (Brent 1973, ch. 5) of `eval` on [a, b], started from a point x0 inside
// (or on the edge of) the bracket whose value fx0 is already known. The best point is replaced
// only by a point no worse, so the result is never worse than (x0, fx0). The relative term of the
// tolerance is machine precision rather than Brent's √ε: x_tol is absolute, and a Δχ² curve is
// near 0 at its minimum, where the function resolves x far better than √ε·|x|.
std::pair<double, double> brent_minimise(const std::function<double(double)>& eval, double a,
                                         double b, double x0, double fx0, double x_tol) {
  const double golden = 0.5 * (3.0 - std::sqrt(5.0));
  double x = x0, w = x0, v = x0;
  double fx = fx0, fw = fx0, fv = fx0;
  double d = 0.0, e = 0.0;
  for (int iter = 0; iter < kMaxIterations; ++iter) {
    const double m = 0.5 * (a + b);
    // The stopping rule leaves x within 2·tol1 of both ends: 2·tol1 <= x_tol.
    const double tol1 = kEps * std::fabs(x) + 0.25 * x_tol, tol2 = 2.0 * tol1;
    if (std::fabs(x - m) <= tol2 - 0.5 * (b - a)) break;
    bool take_golden = true;
    if (std::fabs(e) > tol1) {
      // Parabola through (v, fv), (w, fw), (x, fx); accepted only if it falls inside the bracket
      // and moves less than half the step before last (else it may be cycling).
      double r = (x - w) * (fx - fv);
      double q = (x - v) * (fx - fw);
      double p = (x - v) * q - (x - w) * r;
      q = 2.0 * (q - r);
      if (q > 0.0) p = -p;
      q = std::fabs(q);
      const double e_before = e;
      e = d;
      if (std::fabs(p) < std::fabs(0.5 * q * e_before) && p > q * (a - x) && p < q * (b - x)) {
        d = p / q;
        const double u = x + d;
        if (u - a < tol2 || b - u < tol2) d = (x < m) ? tol1 : -tol1;
        take_golden = false;
      }
    }
    if (take_golden) {
      e = (x >= m) ? a - x : b - x;
      d = golden * e;
    }
    const double u = (std::fabs(d) >= tol1) ? x + d : x + (d > 0.0 ? tol1 : -tol1);
    const double fu = finite_or_inf(eval(u));
    if (fu <= fx) {
      (u >= x ? a : b) = x;
      v = w, fv = fw;
      w = x, fw = fx;
      x = u, fx = fu;
    } else {
      (u < x ? a : b) = u;
      if (fu <= fw || w == x) {
        v = w, fv = fw;
        w = u, fw = fu;
      } else if (fu <= fv || v == x || v == w) {
        v = u, fv = fu;
      }
    }
  }
  return {x, fx};
}

// Brent's root finder (zeroin, Brent 1973 ch. 4) for g on [a, b] with g(a), g(b) of opposite
// signs (or one of them zero): inverse quadratic / secant steps guarded by bisection.
double brent_root(const std::function<double(double)>& g, double a, double b, double ga, double gb,
                  double x_tol) {
  double c = b, gc = gb, d = b - a, e = d;
  for (int iter = 0; iter < kMaxIterations; ++iter) {
    if ((gb > 0.0 && gc > 0.0) || (gb < 0.0 && gc < 0.0)) {
      c = a, gc = ga;
      d = e = b - a;
    }
    if (std::fabs(gc) < std::fabs(gb)) {
      a = b, b = c, c = a;
      ga = gb, gb = gc, gc = ga;
    }
    // The root lies between b and c; stopping at |c − b| <= 2·tol1 keeps |b − root| <= x_tol.
    const double tol1 = 2.0 * kEps * std::fabs(b) + 0.25 * x_tol;
    const double m = 0.5 * (c - b);
    if (std::fabs(m) <= tol1 || gb == 0.0) return b;
    if (std::fabs(e) >= tol1 && std::fabs(ga) > std::fabs(gb)) {
      const double s = gb / ga;
      double p, q;
      if (a == c) {
        p = 2.0 * m * s;
        q = 1.0 - s;
      } else {
        const double qa = ga / gc, r = gb / gc;
        p = s * (2.0 * m * qa * (qa - r) - (b - a) * (r - 1.0));
        q = (qa - 1.0) * (r - 1.0) * (s - 1.0);
      }
      if (p > 0.0) q = -q;
      p = std::fabs(p);
      if (2.0 * p < std::min(3.0 * m * q - std::fabs(tol1 * q), std::fabs(e * q))) {
        e = d;
        d = p / q;
      } else {
        d = e = m;
      }
    } else {
      d = e = m;
    }
    a = b, ga = gb;
    b += (std::fabs(d) > tol1) ? d : (m > 0.0 ? tol1 : -tol1);
    gb = finite_or_inf(g(b));
  }
  return b;
}

}  // namespace

std::pair<double, double> minimise_1d(const std::vector<double>& x, const std::vector<double>& f,
                                      const std::function<double(double)>& eval, double x_tol) {
  check_grid(x, f, "minimise_1d");
  std::size_t best = x.size();
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isnan(f[i]) && (best == x.size() || f[i] < f[best])) best = i;
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (best == x.size()) return {nan, nan};
  if (x.size() == 1) return {x[0], f[0]};
  // The minimum of a function sampled finely enough lies within one cell of the grid minimum.
  const double a = x[best == 0 ? 0 : best - 1];
  const double b = x[std::min(best + 1, x.size() - 1)];
  return brent_minimise(eval, a, b, x[best], f[best], x_tol);
}

std::vector<Interval> allowed_intervals(const std::vector<double>& x, const std::vector<double>& f,
                                        double f_min, double threshold,
                                        const std::function<double(double)>& eval, double x_tol) {
  check_grid(x, f, "allowed_intervals");
  const std::size_t n = x.size();
  const auto excess = [&](double v) { return v - f_min - threshold; };
  const auto allowed = [&](std::size_t i) { return excess(f[i]) <= 0.0; };  // NaN: excluded
  const std::function<double(double)> g = [&](double xv) { return excess(eval(xv)); };
  const auto crossing = [&](std::size_t i, std::size_t j) {
    return brent_root(g, x[i], x[j], excess(f[i]), excess(f[j]), x_tol);
  };

  std::vector<Interval> found;
  for (std::size_t i = 0; i < n;) {
    if (!allowed(i)) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j + 1 < n && allowed(j + 1)) ++j;
    Interval iv{x[i], x[j], i == 0, j == n - 1};
    if (i > 0 && !std::isnan(f[i - 1])) iv.lo = crossing(i - 1, i);
    if (j < n - 1 && !std::isnan(f[j + 1])) iv.hi = crossing(j, j + 1);
    found.push_back(iv);
    i = j + 1;
  }

  // Runs of allowed grid points come out sorted; neighbouring ones can only meet where the
  // excluded gap between them is narrower than the root tolerance, i.e. unresolved.
  std::vector<Interval> merged;
  for (const Interval& iv : found) {
    if (!merged.empty() && iv.lo <= merged.back().hi + x_tol) {
      if (iv.hi >= merged.back().hi) {
        merged.back().hi = iv.hi;
        merged.back().open_hi = iv.open_hi;
      }
    } else {
      merged.push_back(iv);
    }
  }
  return merged;
}

double symmetrised_sensitivity_percent(const Interval& iv, double truth) {
  return 100.0 * (iv.hi - iv.lo) / 2.0 / std::fabs(truth);
}

}  // namespace cevns
