// Refining the best point of a 2-D grid to the minimum of the function it samples.
#pragma once

#include <cstddef>
#include <functional>
#include <utility>
#include <vector>

#include "host/config/study.hpp"

namespace cevns {

// Nelder–Mead in the axes' own coordinates (log10 on log axes), clamped to the grid's range,
// from `start` (the best grid point) with a first simplex of one grid cell pointing into the
// grid. Returns the minimum point and value; never worse than f(start).
std::pair<std::vector<double>, double> minimise_2d(
    const std::function<double(const std::vector<double>&)>& f, const std::vector<double>& start,
    const std::vector<Axis>& axes);

// The minimum of a function sampled on a 2-D grid (`grid[i1 * n0 + i0]` at (x0[i0], x1[i1])):
// minimise_2d from each of the lowest local minima of the grid (a point no higher than its 8
// neighbours; at most `max_starts`, lowest first), keeping the best. Valleys that are nearly
// degenerate (sterile Δm² values whose phases give similar spectra, the mirror solution of
// ε_ee) each get their own start; a later start replaces the best only when it is lower by more
// than 1e-12 (1 + |best|), so exact degeneracies keep the lowest grid point's valley. Never worse
// than the best grid point.
std::pair<std::vector<double>, double> minimise_grid_2d(
    const std::function<double(const std::vector<double>&)>& f, const std::vector<double>& x0,
    const std::vector<double>& x1, const std::vector<double>& grid, const std::vector<Axis>& axes,
    std::size_t max_starts = 5);

// minimise_grid_2d in row blocks, for grids too large to hold (streamed scans): each row is
// added with its neighbours, in order, and the starts are those minimise_grid_2d would take from
// the whole grid (the lowest `max_starts` local minima, ties in grid order; without any, the
// first lowest point).
class GridMinimumStarts {
 public:
  GridMinimumStarts(std::size_t n0, std::size_t n1, std::size_t max_starts = 5);
  // Row i1 (n0 values) with the rows i1 - 1 (`below`, null for the first row) and i1 + 1
  // (`above`, null for the last row). Rows must come in increasing order.
  void add_row(std::size_t i1, const double* below, const double* row, const double* above);
  // The starts as (grid index, value), lowest first.
  std::vector<std::pair<std::size_t, double>> starts() const;

 private:
  std::size_t n0_, n1_, max_starts_;
  std::vector<std::pair<double, std::size_t>> best_;  // sorted by (value, index)
  bool any_ = false;
  std::size_t first_min_ = 0;
  double first_min_value_ = 0.0;
};

// minimise_2d from each start (grid index into x0 × x1, value), keeping the best as
// minimise_grid_2d does.
std::pair<std::vector<double>, double> minimise_from_starts(
    const std::function<double(const std::vector<double>&)>& f, const std::vector<double>& x0,
    const std::vector<double>& x1, const std::vector<std::pair<std::size_t, double>>& starts,
    const std::vector<Axis>& axes);

}  // namespace cevns
