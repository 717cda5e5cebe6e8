// The one driver of every grid: scans of a study (in memory or checkpointed, whole or one shard),
// and the profiles and planes of the fits to data. A grid is computed in chunks of whole rows on
// one backend, each chunk written into the grid and handed to the caller (checkpoints), with the
// chunks a resumed run already has skipped and a stop request honoured between chunks.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "host/core/progress.hpp"
#include "host/engine/scan_model.hpp"
#include "kernels/backend.hpp"

namespace cevns {

// The rows of a grid as stored: the first dimension of the `chi2` dataset, i.e. rows of axis 1
// for a 2-D grid (n0 points each) and single points of axis 0 for a 1-D grid. Checkpoints and
// shards work in whole rows; a chunk is `rows_per_chunk` consecutive rows.
struct GridRows {
  std::size_t n_rows = 0;          // n1 (2-D) or n0 (1-D)
  std::size_t row_points = 0;      // n0 (2-D) or 1 (1-D)
  std::size_t rows_per_chunk = 1;  // max(1, chunk_points / row_points)
};
GridRows grid_rows(const ScanInput& input, std::size_t chunk_points);

struct Shard {
  std::size_t index = 0, count = 1;
};
// "K/N" with 0 <= K < N; anything else throws
// InputError("--shard", "", "expected K/N with 0 <= K < N, got \"...\"").
Shard parse_shard(const std::string& text);

// Rows [first, second) of shard `index` of `count`: contiguous blocks, balanced to one row.
std::pair<std::size_t, std::size_t> shard_row_range(std::size_t n_rows, std::size_t index,
                                                    std::size_t count);

// Number of chunks covering rows [row_begin, row_end); chunk c holds rows
// [row_begin + c * rows_per_chunk, min(row_begin + (c + 1) * rows_per_chunk, row_end)).
std::size_t chunk_count(const GridRows& rows, std::size_t row_begin, std::size_t row_end);

// One grid to compute: rows [row_begin, row_end) of `model`'s grid into `chi2` (resized to the
// whole grid and NaN-filled when its size is wrong; values of skipped chunks are kept). With
// `chi2` null the grid is streamed: each chunk is computed into a buffer of one chunk and exists
// only for the `finished` hook (which must store it).
struct GridJob {
  const ScanModel* model = nullptr;
  std::vector<double>* chi2 = nullptr;
  std::size_t row_begin = 0, row_end = static_cast<std::size_t>(-1);
  std::string label;
};

struct GridHooks {
  // Asked before each chunk: true when the chunk is already done (a resumed checkpoint).
  std::function<bool(std::size_t job, std::size_t chunk)> done;
  // Called before every slice of work (a chunk is computed in slices of about a quarter of a
  // second, whatever its size); may throw to stop the run (a signal arrived). A chunk stopped
  // part-way is not handed to `finished`: it is computed again by a resumed run.
  std::function<void()> poll;
  // Sees every computed chunk: its rows [first_row, first_row + n_rows) of the grid.
  std::function<void(std::size_t job, std::size_t chunk, std::size_t first_row, std::size_t n_rows,
                     const double* chi2)>
      finished;
};

// Computes the jobs one after the other, each prepared once on the backend (its tables stay on
// the device for all its chunks). Before every slice a pending SIGINT/SIGTERM (host/core/
// interrupt.hpp) stops the run with ScanInterrupted. Each chunk is evaluated in slices sized from
// the measured speed to take about kSliceSeconds each, so that a stop request is honoured within
// about that time; slices give the same values as whole chunks, bit for bit (segments are aligned
// to the grid). Returns the number of chunks computed (not skipped).
inline constexpr double kSliceSeconds = 0.25;
std::size_t run_grids(const std::vector<GridJob>& jobs, Backend& backend, std::size_t chunk_points,
                      Progress& progress, const GridHooks& hooks = {});

// A whole grid in memory: run_grids of one job over every row.
std::vector<double> compute_grid(const ScanModel& model, Backend& backend, Progress& progress,
                                 const std::string& label,
                                 std::size_t chunk_points = std::size_t{1} << 20);

}  // namespace cevns
