// The Feldman–Cousins construction of SPEC §11 over a grid: the tables of its pseudo-experiments
// (kernels/toys.hpp) made from a ScanModel, the critical values t_c(θ) per grid point from toys on
// the backend, and for forecasts the spread of the expected limit over toys at the truth.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "host/core/progress.hpp"
#include "host/engine/scan_model.hpp"
#include "kernels/backend.hpp"

namespace cevns {

// The toys' tables of `model`'s grid, seeded with `seed`; `extra_sources` are models off the grid
// whose toys can be drawn too (sources n_points, n_points + 1, …: the truth of a forecast).
ToyInput make_toy_input(const ScanModel& model, std::uint64_t seed,
                        const std::vector<PhysicsModel>& extra_sources = {});

// P(X = mode) and P(X ≤ mode) of a Poisson mean (kernels/random.hpp's sampler reads them).
PoissonTable poisson_table(double mean);

// The CL quantile of t over toys: the smallest value whose empirical distribution function
// reaches cl (the ⌈cl·N⌉-th smallest of N). Its Monte Carlo error is about
// √(cl(1 − cl)/N) / f(t_c), f the density of t at t_c.
double toy_quantile(std::vector<double> t, double cl);

// Critical values t_c of the grid points [first, first + count): `toys` pseudo-experiments each,
// computed in batches that call `poll` before each (it may throw to stop) and advance `progress`
// by a point per finished point.
std::vector<double> critical_values(ToyEvaluator& toys, std::size_t first, std::size_t count,
                                    int n_toys, double cl, Progress& progress,
                                    const std::function<void()>& poll = {});

// The spread of the expected limit of a 1-D scan over toys at the truth: per toy, the allowed
// set {x : Δχ²_toy(x) ≤ t_c(x)} on the grid, and the ends of its interval around the toy's best
// fit (interpolated linearly between the last allowed and the first excluded grid point; NaN
// where it reaches the end of the axis). Quantiles 2.275%, 15.87%, 50%, 84.13%, 97.725%: the
// median and the ±1σ, ±2σ bands.
struct LimitBands {
  double minus_2sigma, minus_1sigma, median, plus_1sigma, plus_2sigma;
};
struct ExpectedLimitBands {
  int toys = 0;
  std::optional<LimitBands> lower, upper;  // absent where every toy's interval is open that side
  // 2-D planes (sterile, mediator): per row of axis 1, the smallest excluded value of axis 0
  // (above the row's minimum of Δχ²_toy − t_c) over toys at the truth; NaN where the toys'
  // quantile excludes nothing.
  std::vector<LimitBands> rows;
};
ExpectedLimitBands expected_limit_bands(ToyEvaluator& toys, std::size_t truth_source,
                                        const std::vector<double>& axis,
                                        const std::vector<double>& critical, int n_toys);

// The same for a plane: per row of axis 1, the excluded axis-0 value of each toy (the first
// crossing of Δχ²_toy − t_c through 0 above the row's minimum, interpolated in log10 x along a log
// axis; +∞ where none), and its quantiles.
ExpectedLimitBands expected_exclusion_bands(ToyEvaluator& toys, std::size_t truth_source,
                                            const std::vector<double>& x, std::size_t n_rows,
                                            bool log_x, const std::vector<double>& critical,
                                            int n_toys);

// The critical value at any point of a grid (axes[0] fastest), interpolated linearly (in log10
// along a log axis) between grid points and held constant beyond the ends.
double interpolate_on_grid(const std::vector<std::vector<double>>& axes,
                           const std::vector<bool>& log_axes, const std::vector<double>& values,
                           const std::vector<double>& x);

}  // namespace cevns
