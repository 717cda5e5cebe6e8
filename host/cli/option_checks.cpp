#include <cmath>
#include <cstdio>
#include <limits>

#include "host/cli/commands.hpp"
#include "host/config/limits.hpp"
#include "host/core/error.hpp"
#include "host/core/warning.hpp"
#include "host/engine/resources.hpp"
#include "host/io/output_path.hpp"

namespace cevns {

namespace {

std::string format_number(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return buf;
}

void require(bool ok, const std::string& option, const std::string& expect,
             const std::string& got) {
  if (!ok) throw InputError(option, "", "expected " + expect + ", got " + got);
}

}  // namespace

void check_options(const RatesOptions& o) {
  if (o.bin_width_keV) {
    // CLI11 reads "inf" and "nan" as doubles, so finiteness is checked as in a config.
    const double w = *o.bin_width_keV;
    require(std::isfinite(w) && w > 0.0, "--bin-width", "a positive bin width in keV",
            format_number(w));
  }
  if (o.neutron_radius_fm) {
    const double r = *o.neutron_radius_fm;
    require(std::isfinite(r) && r > 0.0, "--neutron-radius", "a positive radius in fm",
            format_number(r));
    if (r > limits::kMaxPlausibleRadius_fm)
      warn("--neutron-radius", "",
           format_number(r) + " fm is larger than any nucleus (more than " +
               format_number(limits::kMaxPlausibleRadius_fm) + " fm); is the unit fm?");
  }
  check_output_paths({{"-o", o.output}});
}

void check_options(const ScanCommandOptions& o) {
  // The option is unsigned: CLI11 turns "-1" into 2^64 − 1.
  const bool wrapped = o.chunk_points > std::numeric_limits<std::size_t>::max() / 2;
  require(o.chunk_points >= 1 && o.chunk_points <= limits::kMaxChunkPoints, "--chunk-points",
          "a number of grid points from 1 to " + std::to_string(limits::kMaxChunkPoints),
          wrapped ? std::string("a negative number") : std::to_string(o.chunk_points));
  if (o.memory_limit) parse_byte_size(*o.memory_limit, "--memory-limit");
  check_output_paths({{"-o", o.output}, {"--json", o.json_output}});
}

void check_options(const MergeCommandOptions& o) {
  if (o.memory_limit) parse_byte_size(*o.memory_limit, "--memory-limit");
  check_output_paths({{"-o", o.output}});
}

void check_options(const FitOptions& o) {
  // 0 (the default) keeps the configs' points.
  require(o.grid_points == 0 || (o.grid_points >= 3 && o.grid_points <= limits::kMaxAxisPoints),
          "--grid-points",
          "a number of points per axis from 3 to " + std::to_string(limits::kMaxAxisPoints),
          std::to_string(o.grid_points));
  check_output_paths({{"-o", o.output}, {"--json", o.json_output}});
}

}  // namespace cevns
