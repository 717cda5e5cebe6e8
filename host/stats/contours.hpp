// Two-parameter exclusion and allowed regions from a Δχ² map on a scan grid (SPEC §7, 4.61 for
// two parameters): the level set by marching squares, and the per-row raster scan that sterile
// searches quote.
#pragma once

#include <cstddef>
#include <memory>
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

// contour_lines in row blocks, for grids too large to hold (streamed scans): the cells between
// rows iy and iy + 1 are added once, in any order of blocks; lines() then gives exactly what
// contour_lines gives for the whole grid (the same polylines in the same order, bit for bit).
// Only the crossed edges and their crossings are kept (O(length of the contour)).
class ContourBuilder {
 public:
  ContourBuilder(std::vector<double> x, std::vector<double> y, double level, bool log_x = false,
                 bool log_y = false);
  ~ContourBuilder();
  ContourBuilder(ContourBuilder&&) noexcept;
  ContourBuilder& operator=(ContourBuilder&&) noexcept;
  // The cells of rows [first_row, first_row + n_cell_rows) from `values`, which holds grid rows
  // first_row … first_row + n_cell_rows (n_cell_rows + 1 rows of x.size() values, row-major).
  void add_cells(std::size_t first_row, std::size_t n_cell_rows, const double* values);
  std::vector<Polyline> lines() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Raster-scan exclusion: for each row iy (one Δm² value) with row minimum m_iy, the smallest x
// above the row's minimum at which values − m_iy rises through `threshold`, by linear
// interpolation (in log10 x if log_x); NaN where the row never gets there — or meets a NaN
// first. values as for contour_lines, with ny rows of x.size() columns.
std::vector<double> raster_exclusion(const std::vector<double>& x, std::size_t ny,
                                     const std::vector<double>& values, double threshold,
                                     bool log_x);

}  // namespace cevns
