// What a study's run needs, known before it starts: grid points, memory, disk. The grids of a
// study are held in memory whole (χ² and Δχ², for the analysis of the complete grid) unless they
// exceed the memory limit in a run with an output file, which streams them; a run with an output
// file writes the grids to its checkpoint and then to the final file, and the backend holds one
// chunk at a time.
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
  // Held whole, every grid needs this much (χ² and Δχ², 16 bytes a point, plus the critical
  // values of Feldman–Cousins); more than the memory limit, a run with -o streams (below).
  std::size_t in_memory_bytes = 0;
  bool streamed = false;
  std::size_t block_bytes = 0;  // a streamed run's blocks of rows
};

// `shard_fraction`: the share of the rows a shard computes (its file holds only those; the
// grids in memory are whole). `memory_limit`: with an output file, grids whose whole size
// exceeds it are streamed (computed chunk by chunk into the checkpoint, analysed and written in
// blocks of rows of at most that size); the estimate is then the blocks', one chunk's and, under
// Feldman–Cousins, the largest grid's critical values (8 bytes a point).
ResourceEstimate estimate_resources(const Study& study, std::size_t chunk_points, bool with_output,
                                    double shard_fraction = 1.0,
                                    std::optional<std::size_t> memory_limit = std::nullopt);

// The memory limit of a run without --memory-limit: half of what the system has available now
// (4 GiB where that cannot be read).
std::size_t default_memory_limit();

// "512M", "2G", "1048576": bytes, with an optional K, M, G or T (powers of 1024) and an optional
// trailing B or iB; at least 1 kB. Anything else throws InputError(option, "", ...).
std::size_t parse_byte_size(const std::string& text, const std::string& option);

// Memory the system can give this process now (MemAvailable), free space of the file system of
// `directory`; nullopt where they cannot be read.
std::optional<std::size_t> available_memory_bytes();
std::optional<std::size_t> free_disk_bytes(const std::string& directory);

// "1.2 GB"-style text.
std::string format_bytes(std::size_t bytes);

}  // namespace cevns
