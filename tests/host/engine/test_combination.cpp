// Combinations of a study's detectors (SPEC §12): their grids on both paths and both loop
// structures, against the single detectors' grids of the same run.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "host/config/study.hpp"
#include "host/engine/study_run.hpp"
#include "tests/study_json.hpp"
#include "tests/test_util.hpp"

namespace cevns {
namespace {

using testing::axis;
using testing::source_path;

// Ge, Ar and NaI (coarse quadrature, so that the direct path stays quick) under sys15 and
// eff50, with the combinations given, and the one scan.
Study combined_study(const Json& scan, const Json& combinations,
                     const Json& extra = Json::object()) {
  Json j = {{"name", "combined"},
            {"detectors",
             {source_path("configs/detectors/ge72.json"), source_path("configs/detectors/ar.json"),
              source_path("configs/detectors/nai.json")}},
            {"scenarios", {"sys15", "eff50"}},
            {"quadrature", {{"recoil_nodes", 8}, {"energy_nodes", 8}, {"energy_panels", 2}}},
            {"scans", {scan}},
            {"combinations", combinations}};
  for (const auto& item : extra.items()) j[item.key()] = item.value();
  return parse_study(j, "combined.json");
}

const ScanResult& find(const std::vector<ScanResult>& rs, const std::string& detector,
                       const std::string& scenario) {
  for (const auto& r : rs)
    if (r.detector == detector && r.scenario == scenario) return r;
  throw std::runtime_error("no result " + detector + "/" + scenario);
}

std::vector<ScanResult> run(const Study& st, Method method, std::size_t segment_points = 1024) {
  auto backend = make_cpu_backend(segment_points);
  Progress quiet(Progress::Mode::kQuiet);
  return run_study(st, *backend, method, std::size_t{1} << 20, quiet);
}

const Json kAll = {"Ge", "Ar", "NaI"};

// The scans of every evaluator: quadratic form (1-D and 2-D), sterile table with sin²2θ along
// the rows, light-mediator tables (the sum-of-squares form), neutron-radius tables.
const Json kScans[] = {
    {{"name", "w"}, {"axes", {axis("sin2_theta_W", 0.15, 0.35, 41)}}},
    {{"name", "nsi"},
     {"axes", {axis("eps_ee_uV", -0.6, 0.6, 17), axis("eps_ee_dV", -0.6, 0.6, 15)}}},
    {{"name", "s"},
     {"channel", "nue"},
     {"axes", {axis("sin2_2theta", 1e-3, 1.0, 13, true), axis("dm2_eV2", 0.1, 100.0, 11, true)}}},
    {{"name", "z"},
     {"mediator", "vector_universal"},
     {"axes",
      {axis("mediator_coupling", 1e-6, 1e-3, 13, true),
       axis("mediator_mass_MeV", 1.0, 1000.0, 7, true)}}},
    {{"name", "rn"}, {"axes", {axis("sin2_theta_W", 0.2, 0.3, 9), axis("rn_fm", 3.0, 5.0, 7)}}},
};

TEST(Combination, UncorrelatedEqualsTheSumOfTheSingleDetectorsExactly) {
  for (const Json& scan : kScans)
    for (Method method : {Method::kFactorised, Method::kDirect}) {
      if (method == Method::kDirect && scan["name"] != "w" && scan["name"] != "s") continue;
      const Study st = combined_study(scan, {{{"name", "all"}, {"detectors", kAll}}});
      const auto rs = run(st, method);
      for (const std::string scenario : {"sys15", "eff50"}) {
        const ScanResult& all = find(rs, "all", scenario);
        const auto& ge = find(rs, "Ge", scenario).chi2;
        const auto& ar = find(rs, "Ar", scenario).chi2;
        const auto& nai = find(rs, "NaI", scenario).chi2;
        ASSERT_EQ(all.chi2.size(), ge.size());
        for (std::size_t i = 0; i < ge.size(); ++i)
          ASSERT_EQ(all.chi2[i], (ge[i] + ar[i]) + nai[i]) << scan["name"] << " point " << i;
        EXPECT_EQ(all.combined_detectors, (std::vector<std::string>{"Ge", "Ar", "NaI"}));
      }
    }
}

TEST(Combination, OneDetectorWithASharedSignalEqualsThatDetector) {
  for (const Json& scan : kScans) {
    const Study st = combined_study(
        scan, {{{"name", "only-Ar"}, {"detectors", {"Ar"}}, {"correlated", {"signal"}}}});
    const auto rs = run(st, Method::kFactorised);
    for (const std::string scenario : {"sys15", "eff50"}) {
      const auto& one = find(rs, "only-Ar", scenario).chi2;
      const auto& ar = find(rs, "Ar", scenario).chi2;
      for (std::size_t i = 0; i < ar.size(); ++i)
        ASSERT_NEAR(one[i], ar[i], 1e-10 * (1.0 + std::fabs(ar[i])))
            << scan["name"] << " point " << i;
    }
  }
}

TEST(Combination, SharedSignalIsBoundedByTheSumsItConstrains) {
  // With α_1 = … = α_D = α, independent pulls of width σ_α √D carry the shared pull's prior
  // Σ_d (α/(σ_α √D))² = (α/σ_α)²: the shared minimum is theirs under a constraint, so it lies
  // above their sum; and it lies below the χ² with every pull at 0 (a point it minimises over).
  const Json scan = kScans[0];
  const auto run_with = [&](const Json& scenario, bool shared) {
    const Json c = shared ? Json{{"name", "c"}, {"detectors", kAll}, {"correlated", {"signal"}}}
                          : Json{{"name", "c"}, {"detectors", kAll}};
    const auto rs =
        run(combined_study(scan, Json::array({c}), {{"scenarios", Json::array({scenario})}}),
            Method::kFactorised);
    return find(rs, "c", scenario["name"]).chi2;
  };
  const auto scenario = [](double sa, double sb) {
    return Json{{"name", "s"}, {"efficiency", 1.0}, {"sigma_alpha", sa}, {"sigma_beta", sb}};
  };
  const auto shared = run_with(scenario(0.15, 0.1), true);
  const auto wider = run_with(scenario(0.15 * std::sqrt(3.0), 0.1), false);
  const auto fixed = run_with(scenario(0.0, 0.0), false);
  for (std::size_t i = 0; i < shared.size(); ++i) {
    EXPECT_GE(shared[i], wider[i] * (1.0 - 1e-12)) << i;
    EXPECT_LE(shared[i], fixed[i] * (1.0 + 1e-12)) << i;
  }
  // Not a test that cannot fail: away from the truth both bounds are strict.
  EXPECT_GT(shared.front(), 1.01 * wider.front());
  EXPECT_LT(shared.front(), 0.99 * fixed.front());
}

TEST(Combination, FactorisedEqualsDirectAndBothLoopStructuresAgree) {
  for (const Json& scan : {kScans[0], kScans[2], kScans[3]}) {
    const Study st =
        combined_study(scan, {{{"name", "c"}, {"detectors", kAll}, {"correlated", {"signal"}}}});
    const auto f = run(st, Method::kFactorised);
    const auto f1 = run(st, Method::kFactorised, 1);  // the GPU's loop structure
    const auto d = run(st, Method::kDirect);
    const auto& cf = find(f, "c", "sys15").chi2;
    const auto& cf1 = find(f1, "c", "sys15").chi2;
    const auto& cd = find(d, "c", "sys15").chi2;
    for (std::size_t i = 0; i < cf.size(); ++i) {
      ASSERT_EQ(cf[i], cf1[i]) << scan["name"] << " point " << i;
      ASSERT_NEAR(cf[i], cd[i], 1e-9 * std::max(std::fabs(cd[i]), 1e-3))
          << scan["name"] << " point " << i;
    }
  }
}

TEST(Combination, HostStatisticOffTheGridEqualsTheGrid) {
  // The analysis evaluates χ² off the grid on the host (minimisation, roots); at the grid's
  // points it must give the device's values.
  int checked = 0;
  for (const Json& scan : kScans)
    for (bool poisson : {false, true}) {
      if (poisson && scan["name"] != "w" && scan["name"] != "nsi") continue;
      Json extra = Json::object();
      if (poisson) extra["statistics"] = {{"likelihood", "poisson"}};
      const Study st = combined_study(
          scan, {{{"name", "c"}, {"detectors", kAll}, {"correlated", {"signal"}}}}, extra);
      auto backend = make_cpu_backend();
      StudyModels models = build_study_models(st, *backend, Method::kFactorised);
      const std::size_t i = models.results.size() - 2;  // "c" under sys15
      ASSERT_EQ(models.results[i].detector, "c");
      Progress quiet(Progress::Mode::kQuiet);
      const auto grid = compute_grid(*models.models[i], *backend, quiet, "c");
      const auto& axes = models.results[i].axes;
      const std::size_t n0 = axes[0].size();
      for (std::size_t p = 0; p < grid.size(); p += 7) {
        std::vector<double> x = {axes[0][p % n0]};
        if (axes.size() == 2) x.push_back(axes[1][p / n0]);
        const ScanModel& m = *models.models[i];
        EXPECT_NEAR(m.chi2(m.model_at(x)), grid[p], 1e-9 * (1.0 + std::fabs(grid[p])))
            << scan["name"] << (poisson ? " poisson" : "") << " point " << p;
        ++checked;
      }
    }
  EXPECT_GT(checked, 100);
}

TEST(Combination, PoissonUncorrelatedIsTheSumAndOneDetectorIsThatDetector) {
  const Json extra = {{"statistics", {{"likelihood", "poisson"}}}};
  const Study st =
      combined_study(kScans[1],
                     {{{"name", "u"}, {"detectors", kAll}},
                      {{"name", "one"}, {"detectors", {"NaI"}}, {"correlated", {"signal"}}}},
                     extra);
  const auto rs = run(st, Method::kFactorised);
  const auto& u = find(rs, "u", "sys15").chi2;
  const auto& one = find(rs, "one", "sys15").chi2;
  const auto& ge = find(rs, "Ge", "sys15").chi2;
  const auto& ar = find(rs, "Ar", "sys15").chi2;
  const auto& nai = find(rs, "NaI", "sys15").chi2;
  for (std::size_t i = 0; i < u.size(); ++i) {
    ASSERT_EQ(u[i], (ge[i] + ar[i]) + nai[i]) << i;
    ASSERT_EQ(one[i], nai[i]) << i;  // the very same templates and profile
  }
}

TEST(Combination, ResultsFollowEachScansDetectorsPerScenario) {
  const Study st = combined_study(kScans[0], {{{"name", "c"}, {"detectors", {"NaI", "Ge"}}}});
  auto backend = make_cpu_backend();
  const StudyModels m = build_study_models(st, *backend, Method::kFactorised);
  std::vector<std::string> labels;
  for (const auto& r : m.results) labels.push_back(result_label(r));
  EXPECT_EQ(labels,
            (std::vector<std::string>{"w/Ge/sys15", "w/Ge/eff50", "w/Ar/sys15", "w/Ar/eff50",
                                      "w/NaI/sys15", "w/NaI/eff50", "w/c/sys15", "w/c/eff50"}));
  EXPECT_TRUE(m.models.back()->combination());
  EXPECT_TRUE(m.results.back().edges_keV.empty());
}

}  // namespace
}  // namespace cevns
