// The analysis of a 2-D grid too large to hold (a streamed scan, README "Resources, signals,
// faults"): the grid is read back in blocks of rows from where it was stored, twice.
//
//  1. First pass: the local minima that start the minimisation (each row with its neighbours,
//     one row of overlap between blocks) and the sterile raster exclusion (row by row); then the
//     global minimum χ²_min, by the same minimisation as the in-memory analysis.
//  2. Second pass: Δχ² = χ² − χ²_min per block, handed to the caller to write, the marching-
//     squares cells of the block (with the last row of the previous block, so that every cell is
//     added once) and the mediator row exclusions.
// The fixed-row exclusions evaluate the model itself, as analyse_grid does. The results equal
// analyse_grid's on the same grid bit for bit (tests/host/engine/test_stream_analysis.cpp); the
// memory held is a few blocks, plus a Feldman–Cousins study's critical values (whole, as the
// expected-exclusion bands already need n_toys values per point).
#pragma once

#include <cstddef>
#include <functional>

#include "host/engine/study_run.hpp"

namespace cevns {

// Rows [first_row, first_row + n_rows) of a stored grid into `out` (n_rows × row length).
using GridRowReader = std::function<void(std::size_t first_row, std::size_t n_rows, double* out)>;

struct GridRowBlock {
  std::size_t first_row = 0, n_rows = 0;
  const double* chi2 = nullptr;
  const double* delta_chi2 = nullptr;
};

// Bytes per grid point that the blocks of analyse_grid_streamed hold at most, and the rows per
// block within `memory_bytes` (at least one row).
inline constexpr std::size_t kStreamBytesPerPoint = 40;
// Blocks larger than this gain nothing (the passes are bound by the disk): a streamed run keeps its
// blocks within min(memory limit, kStreamBlockLimit).
inline constexpr std::size_t kStreamBlockLimit = std::size_t{1} << 30;
std::size_t stream_rows_per_block(std::size_t row_points, std::size_t memory_bytes);

// analyse_grid for a 2-D result whose grid is read through `chi2` in blocks of `rows_per_block`
// rows; result->critical_delta_chi2 is whole for Feldman–Cousins, empty under Wilks.
// result->chi2 and result->delta_chi2 stay empty: every block of them goes to `write`, in order.
void analyse_grid_streamed(const ScanModel& model, const Study& study, ScanResult* result,
                           const GridRowReader& chi2, std::size_t rows_per_block,
                           const std::function<void(const GridRowBlock&)>& write);

}  // namespace cevns
