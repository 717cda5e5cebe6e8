// The Feldman–Cousins construction (SPEC §11; host/engine/feldman_cousins.hpp, kernels/toys.hpp):
// its limits (t_c → 2.71 in a near-linear case, → 1.64 at a one-parameter boundary), coverage
// by fresh toys, and invariance of the critical values under chunking and backend.
//
// Monte Carlo errors: the p-quantile of N toys has a standard error √(p(1 − p)/N)/f(t_c), f the
// density of t at t_c. For χ²₁ at 2.706, f = 0.0625; for ½δ₀ + ½χ²₁ at 1.642, f = 0.0685. With
// N = 4000 both are about 0.07; the tests allow four of them.
#include <gtest/gtest.h>

#include <cmath>

#include "host/config/study.hpp"
#include "host/engine/feldman_cousins.hpp"
#include "host/engine/study_run.hpp"
#include "kernels/toys.hpp"
#include "tests/test_util.hpp"
#include "tests/toy_view.hpp"

namespace cevns {
namespace {

using testing::source_path;

constexpr int kToys = 4000;
constexpr double kQuantileError = 0.075;  // see the header

Study ar_study(const Json& scan, const std::string& scenario = "ideal",
               const std::string& likelihood = "gaussian") {
  return parse_study(
      Json{{"name", "fc"},
           {"detectors", {source_path("configs/detectors/ar.json")}},
           {"scenarios", {scenario}},
           {"analysis", {{"binning", "total"}}},
           {"quadrature", {{"recoil_nodes", 8}, {"energy_nodes", 8}, {"energy_panels", 2}}},
           {"statistics",
            {{"method", "feldman_cousins"}, {"toys", kToys}, {"likelihood", likelihood}}},
           {"scans", {scan}}},
      "fc.json");
}

struct Fixture {
  Study study;
  std::unique_ptr<Backend> backend = make_cpu_backend();
  std::unique_ptr<PreparedDetector> detector;
  std::unique_ptr<ScanModel> model;
  explicit Fixture(Study s) : study(std::move(s)) {
    detector = std::make_unique<PreparedDetector>(
        prepare_detector(study.detectors[0], study.analysis, *backend));
    model = make_study_model(*detector, study, study.scans[0], study.scenarios[0],
                             Method::kFactorised, *backend);
  }
  // The t of `toys` pseudo-experiments at grid point p.
  std::vector<double> t_at(std::size_t p, std::uint64_t seed, int toys = kToys) const {
    auto evaluator = backend->prepare_toys(make_toy_input(*model, seed));
    std::vector<double> t(toys);
    evaluator->statistics(p, 1, 0, static_cast<std::uint32_t>(toys), t.data());
    return t;
  }
};

// sin²θ_W over ±4σ around the truth 0.23865 in steps of 0.1σ (σ ≈ 0.0022 for Ar, ideal).
Json weak_mixing_scan() {
  return Json{{"name", "w"},
              {"axes",
               {{{"parameter", "sin2_theta_W"},
                 {"min", 0.23865 - 40 * 0.0002},
                 {"max", 0.23865 + 40 * 0.0002},
                 {"points", 81}}}}};
}

TEST(FeldmanCousins, CriticalValueIsWilksFarFromBoundariesInANearLinearCase) {
  for (const std::string likelihood : {"gaussian", "poisson"}) {
    const Fixture f(ar_study(weak_mixing_scan(), "ideal", likelihood));
    ASSERT_EQ(f.model->input().evaluator, ScanInput::kQuadratic);
    const double tc = toy_quantile(f.t_at(40, 1), 0.90);  // the truth, in the middle of the grid
    EXPECT_NEAR(tc, 2.706, 4 * kQuantileError) << likelihood;
  }
}

TEST(FeldmanCousins, PoissonToyStatisticEqualsTheScanStatisticAtTheReferenceData) {
  // Baker–Cousins with the pulls profiled by Newton's method: the toy path at the Asimov data
  // (constraint centres 0) gives the scan's −2 ln λ at every point.
  const Fixture f(ar_study(weak_mixing_scan(), "sys15", "poisson"));
  const ToyInput in = make_toy_input(*f.model, 1);
  ASSERT_TRUE(in.poisson);
  const std::vector<double> data = f.model->input().data;
  const ToyView v = testing::host_toy_view(in);
  std::vector<double> chi2(in.n_points);
  const double centre[2] = {0.0, 0.0};
  ToyGridSink sink{chi2.data(), 1e308};
  toy_grid_chi2(v, data.data(), centre, sink);
  for (std::size_t p = 0; p < in.n_points; p += 8) {
    const double expected = f.model->chi2(f.model->model_at({f.model->input().axis[0][p]}));
    EXPECT_NEAR(chi2[p], expected, 1e-8 * std::max(1.0, expected)) << p;
  }
}

// sin²2θ from 0 at Δm² = 1 eV², the SM truth s = 0 on the boundary; the axis reaches about 8σ.
Json sterile_line_scan(double s_max) {
  return Json{
      {"name", "s"},
      {"channel", "nue"},
      {"fixed", {{"dm2_eV2", 1.0}}},
      {"axes", {{{"parameter", "sin2_2theta"}, {"min", 0.0}, {"max", s_max}, {"points", 81}}}}};
}

double sterile_eight_sigma() {
  const Fixture probe(ar_study(sterile_line_scan(1.0)));
  const double n0 = probe.model->counts(probe.model->model_at({0.0}))[0];
  const double n1 = probe.model->counts(probe.model->model_at({1.0}))[0];
  return 8.0 * std::sqrt(1.1 * n0) / (n0 - n1);
}

TEST(FeldmanCousins, CriticalValueAtAOneParameterBoundaryIsTheMixtureQuantile) {
  const Fixture f(ar_study(sterile_line_scan(sterile_eight_sigma())));
  ASSERT_EQ(f.model->input().evaluator, ScanInput::kSterile);
  // ½δ₀ + ½χ²₁: P(t > 1.642) = ½ P(χ²₁ > 1.642) = 0.10.
  const double tc = toy_quantile(f.t_at(0, 1), 0.90);
  EXPECT_NEAR(tc, 1.642, 4 * kQuantileError);
  EXPECT_LT(tc, 2.706 - 8 * kQuantileError);  // well away from Wilks' value
}

TEST(FeldmanCousins, FreshToysShowTheRegionCoversTheTruthWhereWilksOvercovers) {
  // Critical values from seed 1; 4000 fresh toys (seed 2) at the boundary truth s = 0. The FC
  // region holds the truth when Δχ²_toy(0) ≤ t_c(0): in 90% ± 0.47% (binomial) ± 0.5% (t_c's
  // own error, 0.07 × density 0.0685); Wilks' Δχ² ≤ 2.71 holds it in ½ + ½ · 0.90 = 95%.
  Fixture f(ar_study(sterile_line_scan(sterile_eight_sigma())));
  const double tc = toy_quantile(f.t_at(0, 1), 0.90);
  const std::size_t n = f.model->input().n_points();
  auto fresh = f.backend->prepare_toys(make_toy_input(*f.model, 2, {f.model->model_at({0.0})}));
  std::vector<double> delta(kToys * n);
  fresh->delta_chi2(n, n, 0, kToys, delta.data());
  int fc_covers = 0, wilks_covers = 0;
  for (int j = 0; j < kToys; ++j) {
    fc_covers += delta[j * n + 0] <= tc;
    wilks_covers += delta[j * n + 0] <= 2.71;
  }
  const double sigma = std::sqrt(0.0047 * 0.0047 + 0.005 * 0.005);
  EXPECT_NEAR(static_cast<double>(fc_covers) / kToys, 0.90, 3 * sigma);
  EXPECT_NEAR(static_cast<double>(wilks_covers) / kToys, 0.95, 3 * 0.0035);
  EXPECT_GT(static_cast<double>(wilks_covers) / kToys, 0.90 + 3 * sigma);
}

TEST(FeldmanCousins, ToysAreTheSameInAnyChunkingAndToyRange) {
  const Fixture f(ar_study(weak_mixing_scan(), "sys15"));
  auto a = f.backend->prepare_toys(make_toy_input(*f.model, 9));
  auto b = f.backend->prepare_toys(make_toy_input(*f.model, 9));
  const int toys = 64;
  std::vector<double> whole(81 * toys);
  a->statistics(0, 81, 0, toys, whole.data());
  for (std::size_t first : {0, 17, 40, 80}) {
    std::vector<double> part(toys);
    b->statistics(first, 1, 0, toys, part.data());
    for (int j = 0; j < toys; ++j) EXPECT_EQ(part[j], whole[first * toys + j]);
  }
  std::vector<double> tail(toys / 2);
  b->statistics(40, 1, toys / 2, toys, tail.data());
  for (int j = 0; j < toys / 2; ++j) EXPECT_EQ(tail[j], whole[40 * toys + toys / 2 + j]);
  // Critical values in batches of any size are bit-identical.
  Progress quiet(Progress::Mode::kQuiet);
  const auto all = critical_values(*a, 0, 81, toys, 0.9, quiet);
  for (std::size_t p = 0; p < 81; p += 20)
    EXPECT_EQ(critical_values(*b, p, 1, toys, 0.9, quiet)[0], all[p]);
}

TEST(FeldmanCousins, GaussianToyChi2EqualsTheScanChi2AtTheReferenceData) {
  // With the toy's counts set to the Asimov data and the constraint centres at 0, the
  // factorised toy χ² of every point is the scan's own χ² (kernels/chi2.hpp), to rounding.
  for (const std::string scenario : {"ideal", "sys15", "eff50"}) {
    const Fixture f(ar_study(weak_mixing_scan(), scenario));
    const ToyInput in = make_toy_input(*f.model, 1);
    const std::vector<double> n_exp = f.model->input().n_exp;
    const ToyView v = testing::host_toy_view(in);
    std::vector<double> chi2(in.n_points);
    const double centre[2] = {0.0, 0.0};
    ToyGridSink sink{chi2.data(), 1e308};
    toy_grid_chi2(v, n_exp.data(), centre, sink);
    for (std::size_t p = 0; p < in.n_points; p += 8) {
      const double expected = f.model->chi2(f.model->model_at({f.model->input().axis[0][p]}));
      EXPECT_NEAR(chi2[p], expected, 1e-9 * std::max(1.0, expected)) << scenario << " " << p;
    }
  }
}

TEST(FeldmanCousins, StudyResultsUseTheCriticalValues) {
  Study st = ar_study(weak_mixing_scan());
  st.statistics.toys = 200;
  auto backend = make_cpu_backend();
  Progress quiet(Progress::Mode::kQuiet);
  const auto results = run_study(st, *backend, Method::kFactorised, 1 << 20, quiet);
  ASSERT_EQ(results.size(), 1u);
  const ScanResult& r = results[0];
  ASSERT_EQ(r.critical_delta_chi2.size(), 81u);
  ASSERT_EQ(r.intervals.size(), 1u);
  // The interval's ends are where Δχ² meets t_c (interpolated between grid points).
  for (double x : {r.intervals[0].lo, r.intervals[0].hi}) {
    const std::size_t i = static_cast<std::size_t>((x - r.axes[0][0]) / 0.0002);
    const double tc_lo = std::min(r.critical_delta_chi2[i], r.critical_delta_chi2[i + 1]);
    const double tc_hi = std::max(r.critical_delta_chi2[i], r.critical_delta_chi2[i + 1]);
    EXPECT_GE(r.delta_chi2[i], tc_lo - 1e-9);  // the grid's Δχ² brackets t_c at the end
    EXPECT_TRUE(r.delta_chi2[i] <= tc_hi || r.delta_chi2[i + 1] >= tc_lo);
  }
  ASSERT_TRUE(r.expected_limit_bands.has_value());
  ASSERT_TRUE(r.expected_limit_bands->upper.has_value());
  const LimitBands& u = *r.expected_limit_bands->upper;
  EXPECT_LE(u.minus_2sigma, u.minus_1sigma);
  EXPECT_LE(u.minus_1sigma, u.median);
  EXPECT_LE(u.median, u.plus_1sigma);
  EXPECT_LE(u.plus_1sigma, u.plus_2sigma);
  EXPECT_GT(u.median, 0.23865);  // the upper limit lies above the truth
}

TEST(StatisticsConfig, ErrorsNameTheKeyAndTheExpectation) {
  const auto error_of = [](const Json& statistics) {
    try {
      Json j = {{"name", "t"},
                {"detectors", {source_path("configs/detectors/ar.json")}},
                {"statistics", statistics},
                {"scans", {weak_mixing_scan()}}};
      parse_study(j, "s.json");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error_of({{"method", "bayes"}}).find("s.json: /statistics/method: expected one of"),
            std::string::npos)
      << error_of({{"method", "bayes"}});
  EXPECT_NE(error_of({{"method", "feldman_cousins"}, {"toys", 5}})
                .find("s.json: /statistics/toys: expected an integer from 10 to 10000000"),
            std::string::npos)
      << error_of({{"method", "feldman_cousins"}, {"toys", 5}});
  EXPECT_NE(error_of({{"toys", 100}}).find("s.json: /statistics/toys: expected no toys or seed"),
            std::string::npos)
      << error_of({{"toys", 100}});
  EXPECT_NE(error_of({{"likelihood", "cash"}}).find("s.json: /statistics/likelihood: expected"),
            std::string::npos)
      << error_of({{"likelihood", "cash"}});
  EXPECT_NE(error_of({{"method", "feldman_cousins"}, {"seeds", 1}})
                .find("s.json: /statistics/seeds: unknown key"),
            std::string::npos)
      << error_of({{"method", "feldman_cousins"}, {"seeds", 1}});
}

TEST(StatisticsConfig, FixedParametersAreValidated) {
  const auto error_of = [](const Json& scan) {
    try {
      parse_study(Json{{"name", "t"},
                       {"detectors", {source_path("configs/detectors/ar.json")}},
                       {"scans", {scan}}},
                  "s.json");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  Json on_axis = weak_mixing_scan();
  on_axis["fixed"] = {{"sin2_theta_W", 0.2}};
  EXPECT_NE(error_of(on_axis).find(
                "s.json: /scans/0/fixed/sin2_theta_W: expected a parameter that is not on the "
                "scan's axes"),
            std::string::npos)
      << error_of(on_axis);
  Json unknown = weak_mixing_scan();
  unknown["fixed"] = {{"mass", 1.0}};
  EXPECT_NE(error_of(unknown).find("s.json: /scans/0/fixed/mass: expected a parameter ("),
            std::string::npos)
      << error_of(unknown);
  Json line = sterile_line_scan(0.1);
  line.erase("fixed");
  EXPECT_NE(error_of(line).find("s.json: /scans/0/axes: expected two axes (sin2_2theta, "
                                "dm2_eV2) for a sterile scan, or a sin2_2theta axis with "
                                "\"fixed\": {\"dm2_eV2\": ...}"),
            std::string::npos)
      << error_of(line);
}

}  // namespace
}  // namespace cevns
