// The shipped data-fit configs (configs/data/*.json) with the COHERENT releases they read, for the
// data-fit suites: one CPU backend, and each config's data set loaded once per test program.
#pragma once

#include <map>
#include <stdexcept>
#include <string>

#include "host/data/fit.hpp"
#include "host/engine/backend_select.hpp"
#include "tests/test_util.hpp"

namespace cevns::testing {

inline Backend& backend() {
  static auto b = make_cpu_backend();
  return *b;
}

// The data set of configs/data/<release>.json on the releases in CEVNS_SHARED_DATA_DIR (a node of
// a map, so references to earlier ones stay valid when another is loaded).
inline const DataSet& shipped_data_set(const std::string& release) {
  static std::map<std::string, DataSet> loaded;
  auto it = loaded.find(release);
  if (it == loaded.end())
    it = loaded
             .emplace(release, load_data_set(source_path("configs/data/" + release + ".json"),
                                             std::string(CEVNS_SHARED_DATA_DIR), backend()))
             .first;
  return it->second;
}

// The plane of that name in a data set's config.
inline const PlaneRequest& plane_named(const DataSet& d, const std::string& name) {
  for (const auto& p : d.planes)
    if (p.name == name) return p;
  throw std::runtime_error(d.file + " has no plane " + name);
}

}  // namespace cevns::testing
