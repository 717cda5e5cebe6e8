// Joint fits of the three COHERENT releases with every nuisance of their configs on
// (host/data/data_set.cpp), on the CPU backend: loading the releases (each nuisance's ±1σ signals
// included), the CEvNS count of each and the joint sin²θ_W profile; and the whole fit, every
// profile and plane of the configs, per release and jointly. Skipped without the data
// ($CEVNS_DATA, else shared/data/coherent beside the repository). Figures in README.md.
#include <benchmark/benchmark.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <initializer_list>
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

// Skips the benchmark, with the reason, without the COHERENT data.
bool skipped_without_data(benchmark::State& state) {
  struct stat st;
  if (stat((data_dir() + "/csi2021").c_str(), &st) == 0) return false;
  state.SkipWithError("COHERENT data not found");
  return true;
}

// The data sets of the shipped configs `names`, every nuisance on.
std::vector<DataSet> load_all_nuisances_on(std::initializer_list<const char*> names,
                                           Backend& backend) {
  std::vector<DataSet> sets;
  for (const char* name : names)
    sets.push_back(load_data_set(all_nuisances_on(name), data_dir(), backend));
  return sets;
}

void BM_JointFitAllNuisances(benchmark::State& state) {
  if (skipped_without_data(state)) return;
  auto backend = make_cpu_backend();
  Progress quiet(Progress::Mode::kQuiet);
  for (auto _ : state) {
    const std::vector<DataSet> sets =
        load_all_nuisances_on({"csi2017", "csi2021", "lar2020"}, *backend);
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

// The whole `cevns fit` of the three releases with every nuisance on, less its printing and
// files: loading, the CEvNS count of each, every profile and plane of each config (grids on the
// backend and their analysis: minimum off the grid, intervals, contours, exclusions), and the joint
// profiles and planes that every release computes.
void BM_FullJointFitAllNuisances(benchmark::State& state) {
  if (skipped_without_data(state)) return;
  auto backend = make_cpu_backend();
  Progress quiet(Progress::Mode::kQuiet);
  for (auto _ : state) {
    const std::vector<DataSet> sets =
        load_all_nuisances_on({"csi2017", "csi2021", "lar2020"}, *backend);
    std::vector<std::vector<DataGrid>> profiles(sets.size()), planes(sets.size());
    for (std::size_t i = 0; i < sets.size(); ++i) {
      const DataSet& d = sets[i];
      benchmark::DoNotOptimize(fit_cevns_count(d, d.data).best);
      for (const ScanRequest& req : d.scans) {
        profiles[i].push_back(data_grid(d, d.data, {GridAxis{req.id, req.values}},
                                        standard_model(), *backend, quiet, req.parameter));
        const DataGrid& g = profiles[i].back();
        benchmark::DoNotOptimize(analyse_profile({g.model.get()}, req, g.chi2, d.delta_chi2).best);
      }
      for (const PlaneRequest& req : d.planes) {
        planes[i].push_back(plane_grid(d, d.data, req, *backend, quiet));
        const DataGrid& g = planes[i].back();
        benchmark::DoNotOptimize(
            analyse_plane({g.model.get()}, req, g.chi2, d.delta_chi2_2d, d.delta_chi2).chi2_min);
      }
    }
    // Joint: the profiles and planes of the first release that the others have too (by name).
    for (std::size_t k = 0; k < sets[0].scans.size(); ++k) {
      const ScanRequest& req = sets[0].scans[k];
      std::vector<const ScanModel*> models;
      std::vector<double> sum(req.values.size(), 0.0);
      for (std::size_t i = 0; i < sets.size(); ++i)
        for (std::size_t q = 0; q < sets[i].scans.size(); ++q)
          if (sets[i].scans[q].parameter == req.parameter && sets[i].scans[q].values == req.values) {
            models.push_back(profiles[i][q].model.get());
            for (std::size_t p = 0; p < sum.size(); ++p) sum[p] += profiles[i][q].chi2[p];
          }
      if (models.size() == sets.size())
        benchmark::DoNotOptimize(analyse_profile(models, req, sum, sets[0].delta_chi2).best);
    }
    for (std::size_t k = 0; k < sets[0].planes.size(); ++k) {
      const PlaneRequest& req = sets[0].planes[k];
      std::vector<const ScanModel*> models;
      std::vector<double> sum(planes[0][k].chi2.size(), 0.0);
      for (std::size_t i = 0; i < sets.size(); ++i)
        for (std::size_t q = 0; q < sets[i].planes.size(); ++q)
          if (sets[i].planes[q].name == req.name &&
              planes[i][q].chi2.size() == sum.size()) {
            models.push_back(planes[i][q].model.get());
            for (std::size_t p = 0; p < sum.size(); ++p) sum[p] += planes[i][q].chi2[p];
          }
      if (models.size() == sets.size())
        benchmark::DoNotOptimize(
            analyse_plane(models, req, sum, sets[0].delta_chi2_2d, sets[0].delta_chi2).chi2_min);
    }
  }
}

BENCHMARK(BM_FullJointFitAllNuisances)
    ->Name("fit/joint/all_nuisances/every_profile_and_plane")
    ->Unit(benchmark::kSecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime()
    ->Iterations(1);

}  // namespace
}  // namespace cevns
