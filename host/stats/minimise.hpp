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

}  // namespace cevns
