#include "host/engine/feldman_cousins.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "host/core/interrupt.hpp"
#include "kernels/chi2.hpp"
#include "kernels/couplings.hpp"
#include "kernels/poisson.hpp"
#include "kernels/scan_point.hpp"
#include "kernels/toys.hpp"

namespace cevns {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The signal of every grid point as rows of basis vectors (kernels/toys.hpp).
void fill_basis(const ScanModel& model, ToyInput* t) {
  const ScanInput& in = model.input();
  const std::size_t n0 = in.axis[0].size(), P = in.n_points();
  const std::size_t B = static_cast<std::size_t>(in.n_bins());
  const std::size_t n1 = in.n_axes == 2 ? in.axis[1].size() : 1;
  GridView grid{in.n_axes,
                {in.ids[0], in.ids[1]},
                {in.axis[0].data(), in.n_axes == 2 ? in.axis[1].data() : nullptr},
                {static_cast<int>(n0), static_cast<int>(n1)},
                in.base};
  const auto rows_of_axis1 = [&] {
    t->row_first.clear();
    for (std::size_t r = 0; r <= n1; ++r) t->row_first.push_back(r * n0);
  };
  switch (in.evaluator) {
    case ScanInput::kQuadratic: {
      // N_b = Σ_f Σ_β p² zz + 2pn zn + n² nn: nine coefficients per point (SPEC §9).
      t->n_basis = 3 * kNumFluxes;
      t->row_first = {0, P};
      t->basis.resize(t->n_basis * B);
      for (int f = 0; f < kNumFluxes; ++f)
        for (std::size_t b = 0; b < B; ++b) {
          const Moments& m = in.quadratic_table[f * B + b];
          t->basis[(3 * f + 0) * B + b] = m.zz;
          t->basis[(3 * f + 1) * B + b] = m.zn;
          t->basis[(3 * f + 2) * B + b] = m.nn;
        }
      const QuadraticCounts counts{nullptr, in.n_bins()};
      t->coef.resize(P * t->n_basis);
      for (std::size_t p = 0; p < P; ++p) {
        const auto pt = counts.prepare(grid, static_cast<int>(p % n0), static_cast<int>(p / n0));
        for (int f = 0; f < kNumFluxes; ++f) {
          double pp = 0.0, pn = 0.0, nn = 0.0;
          for (int beta = 0; beta < 3; ++beta) {
            const double q_p = pt.charges[f].proton[beta], q_n = pt.charges[f].neutron[beta];
            pp += q_p * q_p;
            pn += 2.0 * q_p * q_n;
            nn += q_n * q_n;
          }
          t->coef[p * t->n_basis + 3 * f + 0] = pp;
          t->coef[p * t->n_basis + 3 * f + 1] = pn;
          t->coef[p * t->n_basis + 3 * f + 2] = nn;
        }
      }
      return;
    }
    case ScanInput::kSterile: {
      // N_b = (unaffected + affected)_b − sin²2θ · D_b(Δm² row): rows of axis 1.
      t->n_basis = 2;
      rows_of_axis1();
      t->basis.resize(n1 * 2 * B);
      for (std::size_t r = 0; r < n1; ++r)
        for (std::size_t b = 0; b < B; ++b) {
          t->basis[(r * 2 + 0) * B + b] = in.unaffected[b] + in.affected[b];
          t->basis[(r * 2 + 1) * B + b] = in.depletion[r * B + b];
        }
      t->coef.resize(P * 2);
      for (std::size_t p = 0; p < P; ++p) {
        t->coef[2 * p] = 1.0;
        t->coef[2 * p + 1] = -in.axis[0][p % n0];
      }
      return;
    }
    case ScanInput::kMediator: {
      // N_b = A_b + g² B_b(m) + g⁴ C_b(m): rows of mass (axis 1) or one row at a fixed mass; rows
      // of neutron radius (axis 1) at a fixed mass, A_b per row.
      t->n_basis = 3;
      const std::size_t rows = in.mass_axis == 1 ? n1 : 1;
      if (in.mass_axis == 1)
        rows_of_axis1();
      else
        t->row_first = {0, P};
      t->basis.resize(rows * 3 * B);
      for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t b = 0; b < B; ++b) {
          t->basis[(r * 3 + 0) * B + b] = in.sm[(in.sm_per_row ? r * B : 0) + b];
          t->basis[(r * 3 + 1) * B + b] = in.quadratic[r * B + b];
          t->basis[(r * 3 + 2) * B + b] = in.quartic[r * B + b];
        }
      const MediatorCounts counts{nullptr, nullptr, nullptr, in.n_bins(), in.mass_axis, 0};
      t->coef.resize(P * 3);
      for (std::size_t p = 0; p < P; ++p) {
        const double g2 =
            counts.prepare(grid, static_cast<int>(p % n0), static_cast<int>(p / n0)).g2;
        t->coef[3 * p] = 1.0;
        t->coef[3 * p + 1] = g2;
        t->coef[3 * p + 2] = g2 * g2;
      }
      return;
    }
    case ScanInput::kMagnetic: {
      // N_b = A_b + μ_e² M_e,b + μ_μ² M_μ,b: one row for the whole grid.
      t->n_basis = 3;
      t->row_first = {0, P};
      t->basis.resize(3 * B);
      for (std::size_t b = 0; b < B; ++b) {
        t->basis[0 * B + b] = in.magnetic_base[b];
        t->basis[1 * B + b] = in.magnetic_moment[0][b];
        t->basis[2 * B + b] = in.magnetic_moment[1][b];
      }
      const MagneticCounts counts{nullptr, {nullptr, nullptr}, in.n_bins()};
      t->coef.resize(P * 3);
      for (std::size_t p = 0; p < P; ++p) {
        const MagneticCounts::Point pt =
            counts.prepare(grid, static_cast<int>(p % n0), static_cast<int>(p / n0));
        t->coef[3 * p] = 1.0;
        t->coef[3 * p + 1] = pt.mu2[0];
        t->coef[3 * p + 2] = pt.mu2[1];
      }
      return;
    }
    case ScanInput::kDirect:
    default: {
      // No factorised form: every point is a row holding its own counts.
      t->n_basis = 1;
      t->row_first.resize(P + 1);
      t->basis.resize(P * B);
      t->coef.assign(P, 1.0);
      for (std::size_t p = 0; p <= P; ++p) t->row_first[p] = p;
      for (std::size_t p = 0; p < P; ++p) {
        const auto m = grid.model_at_indices(static_cast<int>(p % n0), static_cast<int>(p / n0));
        const std::vector<double> c = model.counts(m);
        std::copy(c.begin(), c.end(), t->basis.begin() + p * B);
      }
      return;
    }
  }
}

// The signal of point p from the basis (kernels/toys.hpp's toy_signal, on the host).
std::vector<double> basis_counts(const ToyInput& t, std::size_t p) {
  const std::size_t row =
      static_cast<std::size_t>(std::upper_bound(t.row_first.begin(), t.row_first.end(), p) -
                               t.row_first.begin()) -
      1;
  std::vector<double> n(t.n_bins, 0.0);
  for (int b = 0; b < t.n_bins; ++b)
    for (int k = 0; k < t.n_basis; ++k)
      n[b] += t.coef[p * t.n_basis + k] * t.basis[(row * t.n_basis + k) * t.n_bins + b];
  return n;
}

// The view profile_poisson reads: signal and background templates against data.
struct HostTemplates {
  const std::vector<double>& signal;
  const std::vector<double>& backgrounds;  // [template][bin]
  const std::vector<double>& observed;
  const std::vector<double>& sigmas;
  int n_bkg;
  int n_bins() const { return static_cast<int>(observed.size()); }
  int n_templates() const { return 1 + n_bkg; }
  double data(int i) const { return observed[i]; }
  double sigma(int k) const { return sigmas[k]; }
  void values(int i, double* t) const {
    t[0] = signal[i];
    for (int k = 0; k < n_bkg; ++k) t[1 + k] = backgrounds[k * observed.size() + i];
  }
};

// One source of toys: the Poisson tables of its bins around the prediction with the nuisances
// at their best fit to the reference data, and that best fit.
void add_source(const ScanInput& in, ToyInput* t, const std::vector<double>& signal) {
  const int B = t->n_bins;
  std::vector<double> hat(1 + t->n_backgrounds, 0.0);
  if (!t->poisson) {
    Chi2Accumulator acc;
    for (int b = 0; b < B; ++b) acc.add_weighted(signal[b], in.n_exp[b], in.n_bg[b], t->weight[b]);
    acc.pulls(in.sigma_alpha, in.sigma_beta, &hat[0], &hat[1]);
  } else {
    const PoissonProfile prof = profile_poisson(
        HostTemplates{signal, t->backgrounds, in.data, t->sigmas, t->n_backgrounds});
    for (int k = 0; k <= t->n_backgrounds; ++k) hat[k] = prof.theta[k];
  }
  for (int b = 0; b < B; ++b) {
    double mean = (1.0 + hat[0]) * signal[b];
    for (int k = 0; k < t->n_backgrounds; ++k)
      mean += (1.0 + hat[1 + k]) * t->backgrounds[static_cast<std::size_t>(k) * B + b];
    t->source_bins.push_back(poisson_table(std::max(mean, 0.0)));
  }
  t->source_nuisance.insert(t->source_nuisance.end(), hat.begin(), hat.end());
}

// The Gram sums of the search's surrogate (kernels/toys.hpp, add_surrogate): weights
// 1/max(n, 1) of the reference data (Neyman's χ²), per row the signal basis against itself and
// against the backgrounds.
void fill_surrogate(const ScanInput& in, ToyInput* t) {
  const int B = t->n_bins, K = t->n_basis, nb = t->n_backgrounds;
  const std::size_t rows = t->row_first.size() - 1;
  t->surrogate_weight.resize(B);
  for (int b = 0; b < B; ++b) t->surrogate_weight[b] = 1.0 / std::max(in.data[b], 1.0);
  const auto bkg = [&](int a, int b) {
    return t->backgrounds[static_cast<std::size_t>(a) * B + b];
  };
  const std::size_t per_row = static_cast<std::size_t>(K) * (K + nb);
  t->surrogate_gram.assign(rows * per_row, 0.0);
  for (std::size_t r = 0; r < rows; ++r) {
    const double* base = t->basis.data() + r * K * B;
    double* g = t->surrogate_gram.data() + r * per_row;
    for (int j = 0; j < K; ++j) {
      for (int c = 0; c < K; ++c)
        for (int b = 0; b < B; ++b)
          g[j * K + c] += t->surrogate_weight[b] * base[j * B + b] * base[c * B + b];
      for (int a = 0; a < nb; ++a)
        for (int b = 0; b < B; ++b)
          g[K * K + j * nb + a] += t->surrogate_weight[b] * base[j * B + b] * bkg(a, b);
    }
  }
}

double quantile_sorted(const std::vector<double>& sorted, double q) {
  const std::size_t n = sorted.size();
  std::size_t k = static_cast<std::size_t>(std::ceil(q * static_cast<double>(n)));
  k = std::min(std::max<std::size_t>(k, 1), n);
  return sorted[k - 1];
}

}  // namespace

PoissonTable poisson_table(double mean) {
  if (!(mean > 0.0)) return PoissonTable{0.0, 0.0, 1.0, 1.0};
  const double mode = std::floor(mean);
  const double p_mode = std::exp(mode * std::log(mean) - mean - std::lgamma(mode + 1.0));
  // P(X ≤ mode) summed from the mode down, until the terms no longer change the sum.
  double cdf = 0.0, p = p_mode;
  for (double k = mode; k >= 0.0; k -= 1.0) {
    cdf += p;
    if (p < 1e-18 * cdf) break;
    p = p * k / mean;
  }
  return PoissonTable{mean, mode, p_mode, std::min(cdf, 1.0)};
}

ToyInput make_toy_input(const ScanModel& model, std::uint64_t seed,
                        const std::vector<PhysicsModel>& extra_sources) {
  const ScanInput& in = model.input();
  ToyInput t;
  t.n_points = in.n_points();
  t.n_bins = in.n_bins();
  t.seed = seed;
  t.poisson = in.statistic == ScanInput::kPoisson;
  t.grid_n0 = in.axis[0].size();
  fill_basis(model, &t);
  if (!t.poisson) {
    t.n_backgrounds = 1;
    t.backgrounds = in.n_bg;
    t.sigmas = {in.sigma_alpha, in.sigma_beta};
    t.weight.resize(t.n_bins);
    for (int b = 0; b < t.n_bins; ++b) t.weight[b] = in.n_exp[b] > 0.0 ? 1.0 / in.n_exp[b] : 0.0;
    for (int b = 0; b < t.n_bins; ++b) t.gg += t.weight[b] * in.n_bg[b] * in.n_bg[b];
  } else {
    t.n_backgrounds = in.n_backgrounds;
    t.backgrounds = in.backgrounds.empty() ? std::vector<double>{0.0} : in.backgrounds;
    t.sigmas = in.sigmas;
  }
  const double ia = in.sigma_alpha > 0.0 ? 1.0 / (in.sigma_alpha * in.sigma_alpha) : 0.0;
  const double ib = in.sigma_beta > 0.0 ? 1.0 / (in.sigma_beta * in.sigma_beta) : 0.0;
  const double fa = in.sigma_alpha > 0.0 ? 1.0 : 0.0, fb = in.sigma_beta > 0.0 ? 1.0 : 0.0;
  if (!t.poisson) t.point_gaussian.resize(5 * t.n_points);
  for (std::size_t p = 0; p < t.n_points; ++p) {
    const std::vector<double> signal = basis_counts(t, p);
    if (!t.poisson) {
      double tt = 0.0, tg = 0.0;
      for (int b = 0; b < t.n_bins; ++b) {
        tt += t.weight[b] * signal[b] * signal[b];
        tg += t.weight[b] * signal[b] * in.n_bg[b];
      }
      // The 2×2 matrix of the pulls, a fixed pull's row the identity (kernels/chi2.hpp).
      const double a11 = fa * (tt + ia) + (1.0 - fa), a22 = fb * (t.gg + ib) + (1.0 - fb);
      const double a12 = fa * fb * tg, det = a11 * a22 - a12 * a12;
      double* g = &t.point_gaussian[5 * p];
      g[0] = tt;
      g[1] = tg;
      g[2] = a22 / det;
      g[3] = -a12 / det;
      g[4] = a11 / det;
    }
    add_source(in, &t, signal);
  }
  for (const PhysicsModel& m : extra_sources) add_source(in, &t, model.counts(m));
  if (t.poisson) fill_surrogate(in, &t);
  return t;
}

double toy_quantile(std::vector<double> t, double cl) {
  if (t.empty()) return kNaN;
  std::sort(t.begin(), t.end());
  return quantile_sorted(t, cl);
}

std::vector<double> critical_values(ToyEvaluator& toys, std::size_t first, std::size_t count,
                                    int n_toys, double cl, Progress& progress,
                                    const std::function<void()>& poll) {
  std::vector<double> out(count, kNaN);
  // Batches of whole points, about 2^20 toys each, so that a stop request is honoured soon.
  const std::size_t per_batch =
      std::max<std::size_t>(1, (std::size_t{1} << 20) / static_cast<std::size_t>(n_toys));
  std::vector<double> t;
  for (std::size_t done = 0; done < count;) {
    throw_if_interrupted();
    if (poll) poll();
    const std::size_t n = std::min(per_batch, count - done);
    t.resize(n * n_toys);
    toys.statistics(first + done, n, 0, static_cast<std::uint32_t>(n_toys), t.data());
    for (std::size_t i = 0; i < n; ++i)
      out[done + i] = toy_quantile(
          std::vector<double>(t.begin() + i * n_toys, t.begin() + (i + 1) * n_toys), cl);
    done += n;
    progress.advance(n);
  }
  return out;
}

ExpectedLimitBands expected_limit_bands(ToyEvaluator& toys, std::size_t truth_source,
                                        const std::vector<double>& axis,
                                        const std::vector<double>& critical, int n_toys) {
  const std::size_t n = axis.size();
  std::vector<double> delta(static_cast<std::size_t>(n_toys) * n);
  toys.delta_chi2(truth_source, truth_source, 0, static_cast<std::uint32_t>(n_toys), delta.data());
  std::vector<double> lows, highs;
  for (int j = 0; j < n_toys; ++j) {
    const double* d = delta.data() + static_cast<std::size_t>(j) * n;
    const std::size_t best = static_cast<std::size_t>(std::min_element(d, d + n) - d);
    const auto margin = [&](std::size_t i) { return d[i] - critical[i]; };  // ≤ 0: allowed
    const auto crossing = [&](std::size_t in, std::size_t out) {
      const double a = margin(in), b = margin(out);
      return axis[in] + (axis[out] - axis[in]) * (a / (a - b));
    };
    std::size_t hi = best;
    while (hi + 1 < n && margin(hi + 1) <= 0.0) ++hi;
    std::size_t lo = best;
    while (lo > 0 && margin(lo - 1) <= 0.0) --lo;
    highs.push_back(hi + 1 < n ? crossing(hi, hi + 1) : kNaN);
    lows.push_back(lo > 0 ? crossing(lo, lo - 1) : kNaN);
  }
  const auto bands = [](std::vector<double> v) -> std::optional<LimitBands> {
    // A toy whose interval reaches the end of the axis has no limit on that side: it counts as
    // +∞ (upper) or −∞ (lower), so the quantiles stay those of all toys.
    std::sort(v.begin(), v.end(), [](double a, double b) {
      return std::isnan(b) ? !std::isnan(a) : (!std::isnan(a) && a < b);
    });
    if (v.empty() || std::isnan(v.front())) return std::nullopt;
    const auto q = [&](double p) { return quantile_sorted(v, p); };
    return LimitBands{q(0.02275), q(0.158655), q(0.5), q(0.841345), q(0.97725)};
  };
  ExpectedLimitBands e;
  e.toys = n_toys;
  e.upper = bands(highs);
  // Lower ends: NaN (open) counts as −∞, so reverse the order by negation.
  for (double& x : lows) x = -x;
  if (auto b = bands(lows))
    e.lower = LimitBands{-b->plus_2sigma, -b->plus_1sigma, -b->median, -b->minus_1sigma,
                         -b->minus_2sigma};
  return e;
}

ExpectedLimitBands expected_exclusion_bands(ToyEvaluator& toys, std::size_t truth_source,
                                            const std::vector<double>& x, std::size_t n_rows,
                                            bool log_x, const std::vector<double>& critical,
                                            int n_toys) {
  const std::size_t nx = x.size(), n = nx * n_rows;
  std::vector<double> delta(static_cast<std::size_t>(n_toys) * n);
  toys.delta_chi2(truth_source, truth_source, 0, static_cast<std::uint32_t>(n_toys), delta.data());
  std::vector<std::vector<double>> per_row(n_rows);
  for (int j = 0; j < n_toys; ++j) {
    const double* d = delta.data() + static_cast<std::size_t>(j) * n;
    for (std::size_t r = 0; r < n_rows; ++r) {
      const double* v = d + r * nx;
      const double* c = critical.data() + r * nx;
      std::size_t i_min = 0;
      for (std::size_t i = 1; i < nx; ++i)
        if (v[i] - c[i] < v[i_min] - c[i_min]) i_min = i;
      double excluded = std::numeric_limits<double>::infinity();
      for (std::size_t i = i_min + 1; i < nx && v[i_min] - c[i_min] <= 0.0; ++i) {
        const double a = v[i - 1] - c[i - 1], b = v[i] - c[i];
        if (b > 0.0) {
          const double f = a / (a - b);
          const double x0 = log_x ? std::log10(x[i - 1]) : x[i - 1];
          const double x1 = log_x ? std::log10(x[i]) : x[i];
          excluded = log_x ? std::pow(10.0, x0 + f * (x1 - x0)) : x0 + f * (x1 - x0);
          break;
        }
      }
      per_row[r].push_back(excluded);
    }
  }
  ExpectedLimitBands e;
  e.toys = n_toys;
  for (auto& v : per_row) {
    std::sort(v.begin(), v.end());
    const auto q = [&](double p) {
      const double value = quantile_sorted(v, p);
      return std::isinf(value) ? kNaN : value;
    };
    e.rows.push_back(LimitBands{q(0.02275), q(0.158655), q(0.5), q(0.841345), q(0.97725)});
  }
  return e;
}

double interpolate_on_grid(const std::vector<std::vector<double>>& axes,
                           const std::vector<bool>& log_axes, const std::vector<double>& values,
                           const std::vector<double>& x) {
  // Per axis: the cell [i, i + 1] and the weight of i + 1.
  std::size_t index[2] = {0, 0};
  double weight[2] = {0.0, 0.0};
  for (std::size_t k = 0; k < axes.size(); ++k) {
    const auto& a = axes[k];
    if (a.size() == 1 || x[k] <= a.front()) continue;
    if (x[k] >= a.back()) {
      index[k] = a.size() - 2;
      weight[k] = 1.0;
      continue;
    }
    const std::size_t i =
        static_cast<std::size_t>(std::upper_bound(a.begin(), a.end(), x[k]) - a.begin()) - 1;
    index[k] = i;
    const auto u = [&](double v) { return log_axes[k] ? std::log10(v) : v; };
    weight[k] = (u(x[k]) - u(a[i])) / (u(a[i + 1]) - u(a[i]));
  }
  const std::size_t n0 = axes[0].size();
  if (axes.size() == 1) {
    if (n0 == 1) return values[0];
    return (1.0 - weight[0]) * values[index[0]] + weight[0] * values[index[0] + 1];
  }
  const auto v = [&](std::size_t i0, std::size_t i1) { return values[i1 * n0 + i0]; };
  const std::size_t j0 = std::min(index[0] + 1, n0 - 1);
  const std::size_t j1 = std::min(index[1] + 1, axes[1].size() - 1);
  return (1.0 - weight[1]) *
             ((1.0 - weight[0]) * v(index[0], index[1]) + weight[0] * v(j0, index[1])) +
         weight[1] * ((1.0 - weight[0]) * v(index[0], j1) + weight[0] * v(j0, j1));
}

}  // namespace cevns
