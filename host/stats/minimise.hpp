// Refining the best point of a 2-D grid to the minimum of the function it samples.
#pragma once

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

}  // namespace cevns
