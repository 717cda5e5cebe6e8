// Two-parameter exclusion and allowed regions from a Δχ² map on a scan grid (SPEC §7, 4.61 for
// two parameters): the level set by marching squares, and the per-row raster scan that sterile
// searches quote.
#pragma once

#include <cstddef>
#include <vector>

namespace cevns {

// A piece of a level set. closed: the chain returned to its start, and the last point repeats
// the first; open: it ends on the grid boundary (or next to a NaN cell).
struct Polyline {
  std::vector<double> x, y;
  bool closed;
};

// The level set values == level by marching squares with linear interpolation along cell edges.
// values are row-major (ny = y.size() rows, nx = x.size() columns): values[iy * nx + ix] at
// (x[ix], y[iy]); both axes strictly increasing. The segments of adjacent cells are stitched into
// maximal chains. A saddle cell (diagonal corners on the same side) is resolved by the average of
// its four corners, taken as the value at its centre. log_x / log_y: interpolate in log10 of that
// axis (a log-spaced axis, positive values) and return real values. A cell touching a NaN has no
// contour.
std::vector<Polyline> contour_lines(const std::vector<double>& x, const std::vector<double>& y,
                                    const std::vector<double>& values, double level,
                                    bool log_x = false, bool log_y = false);

// Raster-scan exclusion: for each row iy (one Δm² value) with row minimum m_iy, the smallest x
// above the row's minimum at which values − m_iy rises through `threshold`, by linear
// interpolation (in log10 x if log_x); NaN where the row never gets there — or meets a NaN
// first. values as for contour_lines, with ny rows of x.size() columns.
std::vector<double> raster_exclusion(const std::vector<double>& x, std::size_t ny,
                                     const std::vector<double>& values, double threshold,
                                     bool log_x);

}  // namespace cevns
