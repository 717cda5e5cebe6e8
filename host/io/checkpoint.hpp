// Shards, checkpoints and the final scan file (docs/output-format.md, "Shards and checkpoints").
//
// A scan with an output file first writes FILE.h5.partial: every group's layout, with the rows it
// must compute pre-allocated (NaN) and a `chunk_done` flag per chunk, written as
// FILE.h5.partial.new and renamed once complete and fsync'ed (HDF5 writes metadata in many pieces:
// a kill in between must not leave a torn checkpoint); after that, only raw data is written in
// place (a chunk's rows of chi2, then its flag, then a flush), so a crash or SIGKILL at any moment
// leaves a file whose flagged chunks are intact. When every chunk is present the final file is
// written afresh under a temporary name, renamed to FILE.h5, and the partial file is removed.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "host/config/study.hpp"
#include "host/core/sha256.hpp"
#include "host/engine/study_run.hpp"
#include "host/io/h5io.hpp"
#include "host/io/scan_output.hpp"

namespace cevns {

// The hash recorded as `study_hash`: SHA-256 of the resolved config JSON (`study.json.dump()`,
// exactly the text stored as `config_json`), which holds everything that affects the numbers.
std::string study_hash(const Study& study);

// What the root of a scan file (partial, shard or final) records besides the provenance.
struct ScanFileInfo {
  Provenance provenance;
  std::string study_hash;
  std::optional<Shard> shard;     // a shard's file: file_kind "scan_shard"
  std::size_t chunk_points = 0;   // checkpoints only
  std::size_t merged_shards = 0;  // merged files: the number of parts, else 0
};

// The checkpoint file FILE.h5.partial of a scan in progress.
class Checkpoint {
 public:
  // A new checkpoint at `path`: root attributes now; the groups' layout in add_groups(), which
  // publishes the file at `path` (written under a temporary name until then: a kill before
  // leaves no file at `path`, and never a torn one).
  static Checkpoint create(const std::string& path, const ScanFileInfo& info);
  // An existing checkpoint, after checking that it belongs to the same study, shard and chunk
  // layout; a mismatch throws InputError(path, "", ...). Returns nullopt when the file holds no
  // layout yet (the previous run died before its first flush: nothing was computed).
  static std::optional<Checkpoint> resume(const std::string& path, const ScanFileInfo& info);

  // Creates (new checkpoint) or checks (resumed one) each group: its rows [row_begin, row_end)
  // of the grid in chunks of `rows`. Flushes.
  void add_groups(const std::vector<ScanResult>& results, const std::vector<GridRows>& rows,
                  const std::vector<std::pair<std::size_t, std::size_t>>& ranges);

  std::size_t done_chunks() const;  // finished chunks of every group, after add_groups()
  // Group i's finished chunks: their values are copied into `grid` (whole grid, NaN elsewhere).
  std::vector<bool> restore(std::size_t i, std::vector<double>* grid);
  // Writes chunk `chunk` of group i (rows [first_row, first_row + n_rows)), marks it done and
  // flushes the file.
  void write_chunk(std::size_t i, std::size_t chunk, std::size_t first_row, std::size_t n_rows,
                   const double* chi2);

  // The same for a streamed scan, without the grid: the finished chunks of group i (of chi2, or
  // of critical_delta_chi2 with `critical`), each checked for missing values one chunk at a time.
  std::vector<bool> done_flags(std::size_t i, bool critical = false);

  // Feldman–Cousins studies (a result with toys > 0): the critical values of group i, chunk by
  // chunk like chi2 (dataset critical_delta_chi2, flags critical_done), computed after the grid.
  std::vector<bool> restore_critical(std::size_t i, std::vector<double>* critical);
  void write_critical_chunk(std::size_t i, std::size_t chunk, std::size_t first_row,
                            std::size_t n_rows, const double* critical);

  const std::string& path() const { return file_.path(); }
  void close();  // flushes and closes (the file stays)

 private:
  explicit Checkpoint(h5::File file) : file_(std::move(file)) {}
  static std::optional<Checkpoint> resume_unchecked(const std::string& path,
                                                    const ScanFileInfo& info);
  h5::File file_;
  std::vector<h5::Group> groups_;
  bool resumed_ = false;
};

// Writes the final file of a scan (every group's whole grid and its analysis: file_kind "scan",
// complete = 1) or of a shard (its rows of every grid, no analysis: file_kind "scan_shard",
// complete = 0, `row_begin`/`row_end` per group), under a temporary name renamed on success.
void write_scan_file(const std::string& path, const ScanFileInfo& info,
                     const std::vector<ScanResult>& results,
                     const std::vector<std::pair<std::size_t, std::size_t>>& ranges);

// Where the grids of a streamed scan are stored (a checkpoint, or the parts of a merge): rows
// [first_row, first_row + n_rows) of result i's chi2, and of its critical_delta_chi2 under
// Feldman–Cousins, into `out`.
struct StoredGrids {
  std::function<void(std::size_t i, std::size_t first_row, std::size_t n_rows, double*out)> chi2,
      critical;
};

// write_scan_file for grids too large to hold: each result's grid is read from `grids` in blocks
// of rows that fit `memory_bytes`, analysed on the way (analyse_grid_streamed; 1-D grids, at most
// 10^7 points, whole with analyse_grid) and written to chunked datasets block by block; the
// results get their analysis (best fit, intervals, contours, exclusions) but no grids. A shard
// (info.shard) copies its rows [ranges[i]) of chi2 (and critical_delta_chi2) block by block.
// Under a temporary name renamed on success, as write_scan_file.
void write_streamed_scan_file(const std::string& path, const ScanFileInfo& info, const Study& study,
                              StudyModels& models,
                              const std::vector<std::pair<std::size_t, std::size_t>>& ranges,
                              const StoredGrids& grids, Backend& backend, std::size_t memory_bytes);

}  // namespace cevns
