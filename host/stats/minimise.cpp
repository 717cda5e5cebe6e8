#include "host/stats/minimise.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace cevns {

std::pair<std::vector<double>, double> minimise_2d(
    const std::function<double(const std::vector<double>&)>& f, const std::vector<double>& start,
    const std::vector<Axis>& axes) {
  double lo[2], hi[2], cell[2];
  for (int k = 0; k < 2; ++k) {
    lo[k] = axes[k].log ? std::log10(axes[k].min) : axes[k].min;
    hi[k] = axes[k].log ? std::log10(axes[k].max) : axes[k].max;
    cell[k] = (hi[k] - lo[k]) / (axes[k].points - 1);
  }
  const auto to_x = [&](const std::array<double, 2>& u) {
    std::vector<double> x(2);
    for (int k = 0; k < 2; ++k) {
      const double c = std::clamp(u[k], lo[k], hi[k]);
      x[k] = axes[k].log ? std::pow(10.0, c) : c;
    }
    return x;
  };
  std::array<double, 2> u0{};
  for (int k = 0; k < 2; ++k) u0[k] = axes[k].log ? std::log10(start[k]) : start[k];
  // The first simplex steps towards the inside of the grid, so no vertex is clamped onto another.
  const double s0 = u0[0] + cell[0] <= hi[0] ? cell[0] : -cell[0];
  const double s1 = u0[1] + cell[1] <= hi[1] ? cell[1] : -cell[1];
  std::array<std::array<double, 2>, 3> v{u0, std::array<double, 2>{u0[0] + s0, u0[1]},
                                         std::array<double, 2>{u0[0], u0[1] + s1}};
  std::array<double, 3> fv{};
  for (int i = 0; i < 3; ++i) fv[i] = f(to_x(v[i]));
  for (int iter = 0; iter < 300; ++iter) {
    std::array<int, 3> o{0, 1, 2};
    std::sort(o.begin(), o.end(), [&](int a, int b) { return fv[a] < fv[b]; });
    const int b = o[0], m = o[1], w = o[2];
    if (std::fabs(fv[w] - fv[b]) < 1e-10 * (1.0 + std::fabs(fv[b]))) break;
    const std::array<double, 2> c{(v[b][0] + v[m][0]) / 2, (v[b][1] + v[m][1]) / 2};
    const auto along = [&](double t) {
      return std::array<double, 2>{c[0] + t * (v[w][0] - c[0]), c[1] + t * (v[w][1] - c[1])};
    };
    const auto r = along(-1.0);
    const double fr = f(to_x(r));
    if (fr < fv[b]) {
      const auto e = along(-2.0);
      const double fe = f(to_x(e));
      if (fe < fr)
        v[w] = e, fv[w] = fe;
      else
        v[w] = r, fv[w] = fr;
    } else if (fr < fv[m]) {
      v[w] = r, fv[w] = fr;
    } else {
      const auto k = along(0.5);
      const double fk = f(to_x(k));
      if (fk < fv[w]) {
        v[w] = k, fv[w] = fk;
      } else {
        for (int i : {m, w}) {
          v[i] = {(v[i][0] + v[b][0]) / 2, (v[i][1] + v[b][1]) / 2};
          fv[i] = f(to_x(v[i]));
        }
      }
    }
  }
  const int b = static_cast<int>(std::min_element(fv.begin(), fv.end()) - fv.begin());
  return {to_x(v[b]), fv[b]};
}

GridMinimumStarts::GridMinimumStarts(std::size_t n0, std::size_t n1, std::size_t max_starts)
    : n0_(n0), n1_(n1), max_starts_(max_starts) {}

void GridMinimumStarts::add_row(std::size_t i1, const double* below, const double* row,
                                const double* above) {
  const std::size_t n0 = n0_;
  const double* rows[3] = {below, row, above};
  for (std::size_t i0 = 0; i0 < n0; ++i0) {
    const double v = row[i0];
    const std::size_t index = i1 * n0 + i0;
    // std::min_element over the whole grid: the first point below every earlier one.
    if (index == 0 || v < first_min_value_) {
      first_min_ = index;
      first_min_value_ = v;
    }
    bool lowest = std::isfinite(v);
    for (int a = -1; a <= 1 && lowest; ++a)
      for (int b = -1; b <= 1 && lowest; ++b) {
        const long j0 = static_cast<long>(i0) + a, j1 = static_cast<long>(i1) + b;
        if ((a || b) && j0 >= 0 && j1 >= 0 && j0 < static_cast<long>(n0) &&
            j1 < static_cast<long>(n1_))
          lowest = !(rows[b + 1][j0] < v);
      }
    if (!lowest || max_starts_ == 0) continue;
    // Ties keep grid order (a stable sort by value): a later point enters only when lower.
    const std::pair<double, std::size_t> candidate{v, index};
    if (best_.size() == max_starts_ && !(candidate < best_.back())) continue;
    best_.insert(std::upper_bound(best_.begin(), best_.end(), candidate), candidate);
    if (best_.size() > max_starts_) best_.pop_back();
  }
  any_ = true;
}

std::vector<std::pair<std::size_t, double>> GridMinimumStarts::starts() const {
  std::vector<std::pair<std::size_t, double>> s;
  for (const auto& [v, index] : best_) s.emplace_back(index, v);
  if (s.empty() && any_) s.emplace_back(first_min_, first_min_value_);
  return s;
}

std::pair<std::vector<double>, double> minimise_from_starts(
    const std::function<double(const std::vector<double>&)>& f, const std::vector<double>& x0,
    const std::vector<double>& x1, const std::vector<std::pair<std::size_t, double>>& starts,
    const std::vector<Axis>& axes) {
  const std::size_t n0 = x0.size();
  std::vector<double> best = {x0[starts[0].first % n0], x1[starts[0].first / n0]};
  double best_value = starts[0].second;
  for (std::size_t k = 0; k < starts.size(); ++k) {
    const std::size_t s = starts[k].first;
    const auto [x_min, f_min] = minimise_2d(f, {x0[s % n0], x1[s / n0]}, axes);
    const double margin = k == 0 ? 0.0 : 1e-12 * (1.0 + std::fabs(best_value));
    if (f_min < best_value - margin || (k == 0 && f_min <= best_value)) {
      best_value = f_min;
      best = x_min;
    }
  }
  return {best, best_value};
}

std::pair<std::vector<double>, double> minimise_grid_2d(
    const std::function<double(const std::vector<double>&)>& f, const std::vector<double>& x0,
    const std::vector<double>& x1, const std::vector<double>& grid, const std::vector<Axis>& axes,
    std::size_t max_starts) {
  const std::size_t n0 = x0.size(), n1 = x1.size();
  GridMinimumStarts starts(n0, n1, max_starts);
  for (std::size_t i1 = 0; i1 < n1; ++i1)
    starts.add_row(i1, i1 > 0 ? grid.data() + (i1 - 1) * n0 : nullptr, grid.data() + i1 * n0,
                   i1 + 1 < n1 ? grid.data() + (i1 + 1) * n0 : nullptr);
  return minimise_from_starts(f, x0, x1, starts.starts(), axes);
}

}  // namespace cevns
