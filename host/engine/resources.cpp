#include "host/engine/resources.hpp"

#include <sys/statvfs.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace cevns {

ResourceEstimate estimate_resources(const Study& study, std::size_t chunk_points, bool with_output,
                                    double shard_fraction) {
  ResourceEstimate e;
  std::size_t largest = 0;
  for (const auto& scan : study.scans) {
    std::size_t n = 1;
    for (const auto& a : scan.axes) n *= static_cast<std::size_t>(a.points);
    const std::size_t copies =
        (study.detectors.size() + study.combinations.size()) * study.scenarios.size();
    e.grids += copies;
    e.points += n * copies;
    largest = std::max(largest, n);
  }
  // χ² and Δχ² per point (8 bytes each), and one chunk of χ² on the backend.
  e.memory_bytes = 16 * e.points + 8 * std::min(chunk_points, largest);
  // Checkpoint (χ²) and final file (χ² and Δχ², or a shard's χ² rows) exist together for a
  // moment before the checkpoint is removed.
  if (with_output)
    e.disk_bytes = static_cast<std::size_t>((shard_fraction < 1.0 ? 16.0 : 24.0) * shard_fraction *
                                            static_cast<double>(e.points));
  return e;
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
