// What a study's run needs, known before it starts: grid points, memory, disk. Every grid of a
// study is held in memory whole (χ² and Δχ², for the analysis of the complete grid), a run with
// an output file writes the grids to its checkpoint and then to the final file, and the
// backend holds one chunk at a time.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "host/config/study.hpp"

namespace cevns {

struct ResourceEstimate {
  std::size_t grids = 0;
  std::size_t points = 0;        // grid points of every scan × detector × scenario
  std::size_t memory_bytes = 0;  // host memory of the grids and their analysis
  std::size_t disk_bytes = 0;    // checkpoint and final file side by side, with -o
};

// `shard_fraction`: the share of the rows a shard computes (its file holds only those; the
// grids in memory are whole).
ResourceEstimate estimate_resources(const Study& study, std::size_t chunk_points, bool with_output,
                                    double shard_fraction = 1.0);

// Memory the system can give this process now (MemAvailable), free space of the file system of
// `directory`; nullopt where they cannot be read.
std::optional<std::size_t> available_memory_bytes();
std::optional<std::size_t> free_disk_bytes(const std::string& directory);

// "1.2 GB"-style text.
std::string format_bytes(std::size_t bytes);

}  // namespace cevns
