// Speed of the two hot paths, per backend: one full `rates` evaluation per detector, and scans
// (grid points per second) for each scan kind by the factorised and the direct path, and the
// Feldman–Cousins toys (fc/…; bench/fc_numpy.py times a numpy version of the same loop). The CUDA
// variants register only where a GPU is present. Figures and machines are in README.md.
#include <benchmark/benchmark.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "host/config/config.hpp"
#include "host/config/study.hpp"
#include "host/engine/feldman_cousins.hpp"
#include "host/engine/quadrature.hpp"
#include "host/engine/rates.hpp"
#include "host/engine/study_run.hpp"

namespace cevns {
namespace {

std::string detector_path(const std::string& name) {
  return std::string(CEVNS_SOURCE_DIR) + "/configs/detectors/" + name + ".json";
}

std::unique_ptr<Backend> backend_named(const std::string& name) {
  return name == "cuda" ? make_cuda_backend() : make_cpu_backend();
}

void BM_Rates(benchmark::State& state, std::string backend_name, std::string detector) {
  auto backend = backend_named(backend_name);
  const DetectorConfig d = load_detector(detector_path(detector));
  const auto edges = recoil_bin_edges_keV(d, 1.0);
  for (auto _ : state) {
    const RatesResult r = compute_rates(d, edges, standard_model(), *backend);
    benchmark::DoNotOptimize(r.counts.data());
  }
}

Json axis(const std::string& p, double lo, double hi, int n, bool log) {
  return {
      {"parameter", p}, {"min", lo}, {"max", hi}, {"points", n}, {"scale", log ? "log" : "linear"}};
}

// The studies being timed: one detector (Ar), one scenario (sys15: both pulls free).
Study bench_study(const std::string& kind, int n, const Json& quadrature) {
  Json scan;
  if (kind == "sterile_nue" || kind == "sterile_numu") {
    scan = {
        {"name", kind},
        {"channel", kind == "sterile_nue" ? "nue" : "numu"},
        {"axes", {axis("sin2_2theta", 1e-3, 1.0, n, true), axis("dm2_eV2", 1e-2, 1e2, n, true)}}};
  } else if (kind.rfind("vector_", 0) == 0 || kind == "scalar") {
    // The light_mediators study's plane (configs/studies/light_mediators.json).
    scan = {{"name", kind},
            {"mediator", kind},
            {"axes",
             {axis("mediator_coupling", 1e-7, 1e-1, n, true),
              axis("mediator_mass_MeV", 1e-2, 1e4, n, true)}}};
  } else if (kind == "em_moments") {
    // The magnetic-moment plane of configs/studies/em_properties.json (SPEC §10.3).
    scan = {{"name", kind},
            {"axes", {axis("mu_nu_e", 0, 200, n, false), axis("mu_nu_mu", 0, 200, n, false)}}};
  } else if (kind == "sin2_theta_W-rn_fm") {
    // The neutron_radius study's plane (configs/studies/neutron_radius.json): a radius row per
    // R_n (the recoil moments with F_N at that radius), then a quadratic form per point.
    scan = {
        {"name", kind},
        {"axes", {axis("sin2_theta_W", 0.1, 0.4, n, false), axis("rn_fm", 2.5, 5.5, n, false)}}};
  } else if (kind == "nsi_2d") {
    scan = {{"name", kind},
            {"axes", {axis("eps_ee_uV", -1, 1, n, false), axis("eps_etau_uV", -1, 1, n, false)}}};
  } else {
    scan = {{"name", kind}, {"axes", {axis("sin2_theta_W", 0.1, 0.4, n * n, false)}}};
  }
  Json j = {{"name", "bench"},
            {"detectors", {detector_path("ar")}},
            {"scenarios", {"sys15"}},
            {"quadrature", quadrature},
            {"scans", {scan}}};
  return parse_study(j, "bench");
}

// Whole scan of one detector and scenario: response tables, tables of the scan, χ² grid.
void BM_Scan(benchmark::State& state, std::string backend_name, std::string kind, Method method,
             int n, Json quadrature) {
  auto backend = backend_named(backend_name);
  const Study study = bench_study(kind, n, quadrature);
  Progress quiet(Progress::Mode::kQuiet);
  for (auto _ : state) {
    const PreparedDetector det = prepare_detector(study.detectors[0], study.analysis, *backend);
    const auto model =
        make_study_model(det, study, study.scans[0], study.scenarios[0], method, *backend);
    const auto chi2 = compute_grid(*model, *backend, quiet, kind);
    benchmark::DoNotOptimize(chi2.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(n) * n);
  state.counters["points"] = static_cast<double>(n) * n;
}

// Feldman–Cousins critical values of a whole grid (SPEC §11): toy tables, then `toys`
// pseudo-experiments at every point, each minimised over every point of the grid.
void BM_FeldmanCousins(benchmark::State& state, std::string backend_name, std::string kind, int n,
                       int toys, Json quadrature) {
  auto backend = backend_named(backend_name);
  Study study = bench_study(kind, n, quadrature);
  if (kind == "sin2_theta_W") {  // n points around the truth (bench_study's axis has n²)
    study.scans[0].axes[0].points = n;
    study.scans[0].axes[0].min = 0.22;
    study.scans[0].axes[0].max = 0.26;
  }
  const PreparedDetector det = prepare_detector(study.detectors[0], study.analysis, *backend);
  const auto model = make_study_model(det, study, study.scans[0], study.scenarios[0],
                                      Method::kFactorised, *backend);
  const std::size_t points = model->input().n_points();
  Progress quiet(Progress::Mode::kQuiet);
  for (auto _ : state) {
    const auto evaluator = backend->prepare_toys(make_toy_input(*model, 1));
    const auto tc = critical_values(*evaluator, 0, points, toys, 0.9, quiet);
    benchmark::DoNotOptimize(tc.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(points) * toys);
  state.counters["points"] = static_cast<double>(points);
  state.counters["toys"] = toys;
}

// A combination of detectors (SPEC §12) against its detectors' own scans, in one run: Ge, NaI
// and Ar under sys15 with the signal pull shared. Each iteration computes the three single
// grids (response tables, tables of the scan, χ² grid each) and then the combination's grid on
// their tables; the counters give both costs (ms per iteration) and their ratios — to the
// single scans whole (`combined_over_singles`) and to their grids alone
// (`combined_over_single_grids`).
void BM_Combination(benchmark::State& state, std::string backend_name, std::string kind, int n,
                    Json quadrature) {
  auto backend = backend_named(backend_name);
  Study study = bench_study(kind, n, quadrature);
  study.detectors.clear();
  for (const char* d : {"ge72", "nai", "ar"}) {
    Json j = load_json_file(detector_path(d));
    j["source"] = std::string(CEVNS_SOURCE_DIR) + "/configs/sources/sns.json";
    j["quadrature"] = quadrature;
    study.detectors.push_back(parse_detector(j, detector_path(d), "", ""));
  }
  study.combinations = {Combination{"Ge+NaI+Ar", {0, 1, 2}, true}};
  Progress quiet(Progress::Mode::kQuiet);
  using clock = std::chrono::steady_clock;
  const auto seconds = [](clock::time_point a, clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
  };
  double singles = 0.0, single_grids = 0.0, combined = 0.0;
  for (auto _ : state) {
    const auto t0 = clock::now();
    std::vector<std::unique_ptr<PreparedDetector>> detectors;
    std::vector<std::unique_ptr<ScanModel>> models;
    for (const auto& d : study.detectors) {
      detectors.push_back(
          std::make_unique<PreparedDetector>(prepare_detector(d, study.analysis, *backend)));
      models.push_back(make_study_model(*detectors.back(), study, study.scans[0],
                                        study.scenarios[0], Method::kFactorised, *backend));
      const auto g0 = clock::now();
      const auto chi2 = compute_grid(*models.back(), *backend, quiet, kind);
      single_grids += seconds(g0, clock::now());
      benchmark::DoNotOptimize(chi2.data());
    }
    const auto t1 = clock::now();
    const ScanModel combination({models[0].get(), models[1].get(), models[2].get()}, true);
    const auto chi2 = compute_grid(combination, *backend, quiet, kind);
    benchmark::DoNotOptimize(chi2.data());
    const auto t2 = clock::now();
    singles += seconds(t0, t1);
    combined += seconds(t1, t2);
  }
  const double it = static_cast<double>(state.iterations());
  state.counters["singles_ms"] = 1e3 * singles / it;
  state.counters["single_grids_ms"] = 1e3 * single_grids / it;
  state.counters["combined_ms"] = 1e3 * combined / it;
  state.counters["combined_over_singles"] = combined / singles;
  state.counters["combined_over_single_grids"] = combined / single_grids;
  state.counters["points"] = static_cast<double>(n) * n;
}

void register_all() {
  std::vector<std::string> backends = {"cpu"};
  if (cuda_device_count() > 0) backends.push_back("cuda");
  const Json sterile_quadrature = {
      {"recoil_nodes", 16}, {"energy_nodes", 32}, {"energy_panels", 7}};
  const Json default_quadrature = {
      {"recoil_nodes", 32}, {"energy_nodes", 32}, {"energy_panels", 1}};
  for (const auto& b : backends) {
    for (const char* d : {"csi", "ge72", "ge_natural", "nai", "ar"})
      benchmark::RegisterBenchmark(("rates/" + b + "/" + d).c_str(), BM_Rates, b, std::string(d))
          ->Unit(benchmark::kMillisecond);
    // The headline: a 1000 × 1000 sterile grid, response tables included.
    for (const char* kind : {"sterile_nue", "sterile_numu"})
      benchmark::RegisterBenchmark(("scan/" + b + "/" + kind + "/factorised/1000x1000").c_str(),
                                   BM_Scan, b, std::string(kind), Method::kFactorised, 1000,
                                   sterile_quadrature)
          ->Unit(benchmark::kMillisecond);
    // Light mediators: a table row per mass (the recoil integral with the propagator inside, by
    // q² clusters), then per point the polynomial in g² and, for the one total count, the pulls'
    // minimum in closed form (one division); the shipped study's quadrature. The whole scan is
    // timed: response tables (form factors once per group of entries sharing their recoil
    // nodes), mass-row tables and the 10⁶ points. bench/mediator_numpy.py times the same per-row
    // method in numpy in the same run.
    const Json mediator_quadrature = {
        {"recoil_nodes", 24}, {"energy_nodes", 32}, {"energy_panels", 7}};
    for (const char* kind : {"vector_universal", "scalar"})
      benchmark::RegisterBenchmark(("scan/" + b + "/" + kind + "/factorised/1000x1000").c_str(),
                                   BM_Scan, b, std::string(kind), Method::kFactorised, 1000,
                                   mediator_quadrature)
          ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("scan/" + b + "/sin2_theta_W-rn_fm/factorised/1000x1000").c_str(),
                                 BM_Scan, b, std::string("sin2_theta_W-rn_fm"), Method::kFactorised,
                                 1000, default_quadrature)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("scan/" + b + "/nsi_2d/factorised/1000x1000").c_str(), BM_Scan, b,
                                 std::string("nsi_2d"), Method::kFactorised, 1000,
                                 default_quadrature)
        ->Unit(benchmark::kMillisecond);
    // Neutrino magnetic moments: the quadratic-form tables with the magnetic moment's own
    // recoil moment (bench/em_numpy.py is the same method in numpy).
    benchmark::RegisterBenchmark(("scan/" + b + "/em_moments/factorised/1000x1000").c_str(),
                                 BM_Scan, b, std::string("em_moments"), Method::kFactorised, 1000,
                                 default_quadrature)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("scan/" + b + "/sin2_theta_W/factorised/1e6").c_str(), BM_Scan, b,
                                 std::string("sin2_theta_W"), Method::kFactorised, 1000,
                                 default_quadrature)
        ->Unit(benchmark::kMillisecond);
    // Feldman–Cousins: 200 points × 10^4 toys (sin²θ_W) and 50 × 50 points × 1000 toys
    // (sterile ν_e), every toy minimised over the whole grid (items: toys).
    benchmark::RegisterBenchmark(("fc/" + b + "/sin2_theta_W/200x10000toys").c_str(),
                                 BM_FeldmanCousins, b, std::string("sin2_theta_W"), 200, 10000,
                                 default_quadrature)
        ->Unit(benchmark::kMillisecond)
        ->Iterations(1);
    benchmark::RegisterBenchmark(("fc/" + b + "/sterile_nue/50x50x1000toys").c_str(),
                                 BM_FeldmanCousins, b, std::string("sterile_nue"), 50, 1000,
                                 sterile_quadrature)
        ->Unit(benchmark::kMillisecond)
        ->Iterations(1);
    // Combinations (SPEC §12): Ge+NaI+Ar, shared signal, on the shipped studies' grid sizes.
    for (const char* kind : {"nsi_2d", "sterile_nue", "vector_universal"}) {
      const std::string k = kind;
      benchmark::RegisterBenchmark(("combination/" + b + "/" + k + "/400x400").c_str(),
                                   BM_Combination, b, k, 400,
                                   k == "nsi_2d"             ? default_quadrature
                                   : k == "vector_universal" ? mediator_quadrature
                                                             : sterile_quadrature)
          ->Unit(benchmark::kMillisecond);
    }
    // The direct path evaluates the double integral at every point: a smaller grid. For the
    // light mediator it is the path of models that do not factorise (the propagator inside the
    // recoil integral at every point).
    const int n_direct = b == "cuda" ? 1000 : 32;
    for (const char* kind : {"sterile_nue", "nsi_2d", "vector_universal"}) {
      const std::string k = kind;
      benchmark::RegisterBenchmark(("scan/" + b + "/" + k + "/direct/" + std::to_string(n_direct) +
                                    "x" + std::to_string(n_direct))
                                       .c_str(),
                                   BM_Scan, b, k, Method::kDirect, n_direct,
                                   k == "nsi_2d"             ? default_quadrature
                                   : k == "vector_universal" ? mediator_quadrature
                                                             : sterile_quadrature)
          ->Unit(benchmark::kMillisecond);
    }
  }
}

}  // namespace
}  // namespace cevns

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  cevns::register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
