#include "host/engine/resources.hpp"

#include <sys/statvfs.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

#include "host/core/error.hpp"
#include "host/engine/stream_analysis.hpp"

namespace cevns {

ResourceEstimate estimate_resources(const Study& study, std::size_t chunk_points, bool with_output,
                                    double shard_fraction,
                                    std::optional<std::size_t> memory_limit) {
  ResourceEstimate e;
  std::size_t largest = 0, longest_row = 0;
  for (const auto& scan : study.scans) {
    std::size_t n = 1;
    for (const auto& a : scan.axes) n *= static_cast<std::size_t>(a.points);
    const std::size_t copies =
        (study.detectors.size() + study.combinations.size()) * study.scenarios.size();
    e.grids += copies;
    e.points += n * copies;
    largest = std::max(largest, n);
    longest_row = std::max<std::size_t>(
        longest_row, scan.axes.size() == 2 ? static_cast<std::size_t>(scan.axes[0].points) : 1);
  }
  const bool fc = study.statistics.feldman_cousins;
  // A chunk holds whole rows: at least one row, however small --chunk-points.
  const std::size_t chunk = std::min(largest, std::max(chunk_points, longest_row));
  // χ² and Δχ² per point (8 bytes each; critical values too under Feldman–Cousins), and one
  // chunk of χ² on the backend.
  e.in_memory_bytes = (fc ? 24 : 16) * e.points;
  e.memory_bytes = e.in_memory_bytes + 8 * chunk;
  if (with_output && memory_limit && e.in_memory_bytes > *memory_limit) {
    e.streamed = true;
    // Blocks of whole rows within the limit (at least one row); 1-D grids are analysed whole.
    std::size_t block =
        std::max(std::min(*memory_limit, kStreamBlockLimit), kStreamBytesPerPoint * longest_row);
    for (const auto& scan : study.scans)
      if (scan.axes.size() == 1)
        block = std::max<std::size_t>(block, 16 * static_cast<std::size_t>(scan.axes[0].points));
    e.block_bytes = block;
    e.memory_bytes = std::min(block, e.in_memory_bytes) + 8 * chunk + (fc ? 8 * largest : 0);
  }
  // Checkpoint (χ²) and final file (χ² and Δχ², or a shard's χ² rows) exist together for a
  // moment before the checkpoint is removed.
  if (with_output)
    e.disk_bytes = static_cast<std::size_t>((shard_fraction < 1.0 ? 16.0 : 24.0) * shard_fraction *
                                            static_cast<double>(e.points));
  return e;
}

std::size_t default_memory_limit() {
  const auto available = available_memory_bytes();
  return available ? *available / 2 : std::size_t{4} << 30;
}

std::size_t parse_byte_size(const std::string& text, const std::string& option) {
  const auto bad = [&]() {
    return InputError(option, "",
                      "expected a size in bytes of at least 1K, with an optional K, M, G or T "
                      "suffix (e.g. 512M, 8G), got \"" +
                          text + "\"");
  };
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0 || digits > 15) throw bad();
  std::string suffix = text.substr(digits);
  for (const char* tail : {"iB", "B"})
    if (suffix.size() >= std::strlen(tail) &&
        suffix.compare(suffix.size() - std::strlen(tail), std::string::npos, tail) == 0 &&
        suffix.size() > std::strlen(tail)) {
      suffix.resize(suffix.size() - std::strlen(tail));
      break;
    }
  int shift = 0;
  if (suffix == "K" || suffix == "k")
    shift = 10;
  else if (suffix == "M" || suffix == "m")
    shift = 20;
  else if (suffix == "G" || suffix == "g")
    shift = 30;
  else if (suffix == "T" || suffix == "t")
    shift = 40;
  else if (!suffix.empty() && suffix != "B")
    throw bad();
  const std::size_t value = static_cast<std::size_t>(std::stoull(text.substr(0, digits)));
  if (shift > 0 && value > (std::numeric_limits<std::size_t>::max() >> shift)) throw bad();
  const std::size_t bytes = value << shift;
  if (bytes < 1024) throw bad();
  return bytes;
}

std::optional<std::size_t> available_memory_bytes() {
  std::ifstream in("/proc/meminfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("MemAvailable:", 0) != 0) continue;
    std::istringstream s(line.substr(13));
    std::size_t kb = 0;
    if (s >> kb) return kb * 1024;
  }
  return std::nullopt;
}

std::optional<std::size_t> free_disk_bytes(const std::string& directory) {
  struct statvfs st;
  if (statvfs(directory.c_str(), &st) != 0) return std::nullopt;
  return static_cast<std::size_t>(st.f_bavail) * st.f_frsize;
}

std::string format_bytes(std::size_t bytes) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1000.0 && u < 4) {
    v /= 1000.0;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.3g %s", v, units[u]);
  return buf;
}

}  // namespace cevns
