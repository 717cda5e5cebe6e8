// A joint fit of the three COHERENT releases with every nuisance of their configs on
// (host/data/data_set.cpp): loading the releases (each nuisance's ±1σ signals included), the
// CEvNS count of each and the joint sin²θ_W profile, on the CPU backend. Skipped without the data
// ($CEVNS_DATA, else shared/data/coherent beside the repository). Figures in README.md.
#include <benchmark/benchmark.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "host/data/fit.hpp"
#include "host/engine/backend_select.hpp"

namespace cevns {
namespace {

std::string data_dir() {
  const char* env = std::getenv("CEVNS_DATA");
  return env ? env : std::string(CEVNS_SOURCE_DIR) + "/../shared/data/coherent";
}

// The shipped config with every nuisance on, written beside the others in a temporary file.
std::string all_nuisances_on(const std::string& name) {
  Json j = load_json_file(std::string(CEVNS_SOURCE_DIR) + "/configs/data/" + name + ".json");
  if (j.contains("nuisances"))
    for (auto& item : j["nuisances"].items()) item.value()["on"] = true;
  const std::string path = "/tmp/cevns_bench_" + name + ".json";
  std::ofstream(path) << j.dump();
  return path;
}

void BM_JointFitAllNuisances(benchmark::State& state) {
  struct stat st;
  if (stat((data_dir() + "/csi2021").c_str(), &st) != 0) {
    state.SkipWithError("COHERENT data not found");
    return;
  }
  auto backend = make_cpu_backend();
  Progress quiet(Progress::Mode::kQuiet);
  for (auto _ : state) {
    std::vector<DataSet> sets;
    for (const char* name : {"csi2017", "csi2021", "lar2020"})
      sets.push_back(load_data_set(all_nuisances_on(name), data_dir(), *backend));
    std::vector<const DataSet*> ptrs;
    std::vector<std::vector<double>> data;
    for (const DataSet& d : sets) {
      benchmark::DoNotOptimize(fit_cevns_count(d, d.data).best);
      ptrs.push_back(&d);
      data.push_back(d.data);
    }
    ScanRequest scan;
    scan.parameter = "sin2_theta_W";
    scan.id = kSin2ThetaW;
    for (int i = 0; i <= 300; ++i) scan.values.push_back(0.6 * i / 300.0);
    const ProfileScan p = scan_parameter(ptrs, data, scan, 2.705543454095404, *backend, quiet);
    benchmark::DoNotOptimize(p.best);
  }
}

BENCHMARK(BM_JointFitAllNuisances)
    ->Name("fit/joint/all_nuisances/sin2_theta_W")
    ->Unit(benchmark::kSecond)
    ->Iterations(1);

}  // namespace
}  // namespace cevns
