// Speed of the Feldman–Cousins toys of fits to data (fc_data/…): the sterile ν_e plane of CsI 2021
// alone and of CsI 2021 and LAr 2020 fitted jointly, 41 × 81 points as shipped, every toy
// minimised over the 3321 points with the Poisson likelihood, both ways in one run: `bounded` is
// the method `cevns fit` uses (kernels/toys.hpp: a branch and bound over the grid with a lower
// bound of every point's profile, exact), `every_point` profiles the pulls at every point of the
// grid for every toy (the reference, slow: timed on a few true points). `all_points_x1toy` draws
// one toy at every point of the plane, the mix of true points of a real run. Items are toys.
// Registered when the COHERENT data are present (shared/data/coherent beside the repository, or
// $CEVNS_DATA).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "host/data/coherent_data.hpp"
#include "host/data/fit.hpp"
#include "host/engine/feldman_cousins.hpp"

namespace cevns {
namespace {

std::string data_dir() {
  const char* env = std::getenv("CEVNS_DATA");
  return env ? std::string(env) : std::string(CEVNS_SOURCE_DIR) + "/../shared/data/coherent";
}

void BM_FeldmanCousinsDataPlane(benchmark::State& state, bool screen, bool joint,
                                std::size_t true_points, int toys) {
  auto backend = make_cpu_backend();
  Progress quiet(Progress::Mode::kQuiet);
  std::vector<DataSet> sets;
  std::vector<DataGrid> grids;
  std::vector<ToyInput> inputs;
  for (const char* release : {"csi2021", "lar2020"}) {
    if (!joint && sets.size() == 1) break;
    sets.push_back(
        load_data_set(std::string(CEVNS_SOURCE_DIR) + "/configs/data/" + release + ".json",
                      data_dir(), *backend));
  }
  for (std::size_t i = 0; i < sets.size(); ++i) {
    const DataSet& d = sets[i];
    for (const PlaneRequest& p : d.planes)
      if (p.name == "sterile_nue") grids.push_back(plane_grid(d, d.data, p, *backend, quiet));
    inputs.push_back(make_toy_input(*grids.back().model, data_set_seed(1, i)));
    inputs.back().screen = screen;
  }
  const std::size_t points = inputs[0].n_points;
  if (true_points == 0) true_points = points;
  for (auto _ : state) {
    const auto toys_ev = backend->prepare_joint_toys(inputs);
    const auto tc = critical_values(*toys_ev, 0, true_points, toys, 0.9, quiet);
    benchmark::DoNotOptimize(tc.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(true_points) * toys);
  state.counters["grid_points"] = static_cast<double>(points);
  state.counters["true_points"] = static_cast<double>(true_points);
  state.counters["toys"] = toys;
}

const bool registered = [] {
  if (access((data_dir() + "/csi2021").c_str(), F_OK) != 0) return false;
  struct Run {
    const char* name;
    bool screen, joint;
    std::size_t true_points;
    int toys;
  };
  for (const Run& r : {
           Run{"sterile_nue_csi2021/41x81/10points_x10toys/every_point", false, false, 10, 10},
           Run{"sterile_nue_csi2021/41x81/10points_x10toys/bounded", true, false, 10, 10},
           Run{"sterile_nue_csi2021/41x81/all_points_x1toy/bounded", true, false, 0, 1},
           Run{"sterile_nue_csi2021+lar2020/41x81/4points_x10toys/every_point", false, true, 4,
               10},
           Run{"sterile_nue_csi2021+lar2020/41x81/4points_x10toys/bounded", true, true, 4, 10},
           Run{"sterile_nue_csi2021+lar2020/41x81/all_points_x1toy/bounded", true, true, 0, 1},
       })
    benchmark::RegisterBenchmark((std::string("fc_data/cpu/") + r.name).c_str(),
                                 BM_FeldmanCousinsDataPlane, r.screen, r.joint, r.true_points,
                                 r.toys)
        ->Unit(benchmark::kMillisecond)
        ->Iterations(1)
        ->MeasureProcessCPUTime()
        ->UseRealTime();
  return true;
}();

}  // namespace
}  // namespace cevns
