// The CUDA backend runs the same physics as the CPU backend: results agree to 1e-12 relative.
// Skipped where no GPU is present (the CUDA backend is still compiled wherever nvcc exists).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "host/config/config.hpp"
#include "host/config/study.hpp"
#include "host/engine/quadrature.hpp"
#include "host/engine/study_run.hpp"
#include "tests/study_json.hpp"
#include "tests/test_util.hpp"

namespace cevns {
namespace {

using testing::axis;
using testing::source_path;

double relative(double a, double b) { return std::fabs(a - b) / std::max(std::fabs(b), 1e-300); }

// The CsI detector in 4-keV recoil bins under scenario sys15, with `scans`.
Study csi_study(const Json& scans) {
  return parse_study(
      Json{{"name", "t"},
           {"detectors", {source_path("configs/detectors/csi.json")}},
           {"scenarios", {"sys15"}},
           {"analysis", {{"binning", "recoil"}, {"bin_width_keV", 4.0}}},
           {"quadrature", {{"recoil_nodes", 12}, {"energy_nodes", 12}, {"energy_panels", 2}}},
           {"scans", scans}},
      "t.json");
}

class CpuVsCuda : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!cuda_backend_built()) GTEST_SKIP() << "this build has no CUDA backend (no nvcc)";
    if (cuda_device_count() == 0) GTEST_SKIP() << "no CUDA GPU present on this machine";
    cpu_ = make_cpu_backend();
    cuda_ = make_cuda_backend();
  }
  std::unique_ptr<Backend> cpu_, cuda_;
};

TEST_F(CpuVsCuda, ResponseMomentsAgreeForEveryDetector) {
  for (const char* name : {"csi", "ge72", "ge_natural", "nai", "ar"}) {
    const DetectorConfig d =
        load_detector(source_path(std::string("configs/detectors/") + name + ".json"));
    const RateProblem p = build_rate_problem(d, recoil_bin_edges_keV(d, 1.0));
    const auto a = cpu_->entry_moments(p), b = cuda_->entry_moments(p);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t e = 0; e < a.size(); ++e) {
      EXPECT_LT(relative(b[e].zz, a[e].zz), 1e-12) << name << " entry " << e;
      EXPECT_LT(relative(b[e].nn, a[e].nn), 1e-12) << name << " entry " << e;
      EXPECT_LT(relative(b[e].magnetic, a[e].magnetic), 1e-12) << name << " entry " << e;
    }
  }
}

TEST_F(CpuVsCuda, ScansAgreeOnBothPaths) {
  const Json scans = Json::array(
      {{{"name", "s"},
        {"channel", "numu"},
        {"axes", {axis("sin2_2theta", 1e-3, 1, 48, true), axis("dm2_eV2", 1e-2, 1e2, 40, true)}}},
       {{"name", "n"},
        {"axes", {axis("eps_ee_uV", -1, 1, 48, false), axis("eps_etau_uV", -1, 1, 40, false)}}},
       {{"name", "zprime"},
        {"mediator", "vector_universal"},
        {"axes",
         {axis("mediator_coupling", 1e-7, 1e-1, 48, true),
          axis("mediator_mass_MeV", 1e-2, 1e4, 40, true)}}},
       {{"name", "scalar"},
        {"mediator", "scalar"},
        {"axes",
         {axis("mediator_coupling", 1e-7, 1e-1, 48, true),
          axis("mediator_mass_MeV", 1e-2, 1e4, 40, true)}}},
       {{"name", "magnetic"},
        {"axes", {axis("mu_nu_e", 0, 200, 48, false), axis("mu_nu_mu", 0, 200, 40, false)}}},
       {{"name", "radius"},
        {"axes", {axis("r2_nu_e", -80, 30, 48, false), axis("r2_nu_mu", -80, 30, 40, false)}}},
       {{"name", "sw_rn"},
        {"axes",
         {axis("sin2_theta_W", 0.15, 0.35, 48, false), axis("rn_fm", 3.0, 8.0, 40, false)}}},
       {{"name", "cs_i"},
        {"axes", {axis("rn_Cs_fm", 3.0, 8.0, 48, false), axis("rn_I_fm", 3.0, 8.0, 40, false)}}}});
  const Study st = csi_study(scans);
  Progress quiet(Progress::Mode::kQuiet);
  for (const auto& scan : st.scans) {
    for (Method m : {Method::kFactorised, Method::kDirect}) {
      const PreparedDetector dc = prepare_detector(st.detectors[0], st.analysis, *cpu_);
      const PreparedDetector dg = prepare_detector(st.detectors[0], st.analysis, *cuda_);
      const auto mc_ptr = make_study_model(dc, st, scan, st.scenarios[0], m, *cpu_);
      const ScanModel& mc = *mc_ptr;
      const auto mg_ptr = make_study_model(dg, st, scan, st.scenarios[0], m, *cuda_);
      const ScanModel& mg = *mg_ptr;
      const auto a = compute_grid(mc, *cpu_, quiet, "cpu");
      const auto b = compute_grid(mg, *cuda_, quiet, "cuda");
      ASSERT_EQ(a.size(), b.size());
      double worst = 0.0;
      for (std::size_t i = 0; i < a.size(); ++i)
        worst = std::max(worst, std::fabs(a[i] - b[i]) / std::max(std::fabs(a[i]), 1e-6));
      EXPECT_LT(worst, 1e-12) << scan.name << (m == Method::kDirect ? " direct" : " factorised");
    }
  }
}

TEST_F(CpuVsCuda, MultiplySubtractIsUnfusedOnBothBackends) {
  // (1 + 2^-30)(1 − 2^-30) = 1 − 2^-60 rounds to 1: unfused, a·b − c is 0 exactly; a fused
  // multiply-add (nvcc's default contraction) would give −2^-60.
  const double a = 1.0 + std::ldexp(1.0, -30), b = 1.0 - std::ldexp(1.0, -30);
  const double on_gpu = cuda_->multiply_subtract(a, b, 1.0);
  EXPECT_EQ(on_gpu, 0.0);
  EXPECT_EQ(on_gpu, cpu_->multiply_subtract(a, b, 1.0));
}

// A forecast with the Poisson statistic of the data fits (host/data/fit.cpp, data_grid): Asimov
// signal of the SM plus a background template as the "observed" counts, pulls on both
// normalisations.
std::unique_ptr<ScanModel> poisson_model(const Study& st, const ScanSpec& scan, Backend& backend,
                                         const PreparedDetector& det) {
  Statistic s;
  s.kind = ScanInput::kPoisson;
  const std::vector<double> signal = det.counts->counts(st.truth);
  std::vector<double> background(signal.size());
  for (std::size_t b = 0; b < signal.size(); ++b) background[b] = 0.3 * signal[b] + 2.0 + 0.5 * b;
  for (std::size_t b = 0; b < signal.size(); ++b) s.data.push_back(signal[b] + background[b]);
  s.backgrounds = {background};
  s.sigmas = {0.1, 0.25};
  PhysicsModel base = st.truth;
  if (scan.is_sterile()) base.sterile_channel = scan.sterile_channel;
  return std::make_unique<ScanModel>(det.counts, grid_axes(scan.axes), base, std::move(s),
                                     Method::kFactorised, backend);
}

Study poisson_study() {
  return csi_study(Json::array(
      {{{"name", "s"},
        {"channel", "nue"},
        {"axes", {axis("sin2_2theta", 1e-3, 1, 48, true), axis("dm2_eV2", 1e-2, 1e2, 40, true)}}},
       {{"name", "n"},
        {"axes", {axis("eps_ee_uV", -1, 1, 48, false), axis("eps_etau_uV", -1, 1, 40, false)}}}}));
}

TEST_F(CpuVsCuda, PoissonGridsAgree) {
  const Study st = poisson_study();
  Progress quiet(Progress::Mode::kQuiet);
  const PreparedDetector dc = prepare_detector(st.detectors[0], st.analysis, *cpu_);
  const PreparedDetector dg = prepare_detector(st.detectors[0], st.analysis, *cuda_);
  for (const auto& scan : st.scans) {
    const auto mc = poisson_model(st, scan, *cpu_, dc);
    const auto mg = poisson_model(st, scan, *cuda_, dg);
    ASSERT_EQ(mg->input().statistic, ScanInput::kPoisson);
    const auto a = compute_grid(*mc, *cpu_, quiet, "cpu");
    const auto b = compute_grid(*mg, *cuda_, quiet, "cuda");
    ASSERT_EQ(a.size(), b.size());
    double worst = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) {
      ASSERT_TRUE(std::isfinite(a[i])) << scan.name << " point " << i;
      worst = std::max(worst, relative(b[i], a[i]));
    }
    EXPECT_LT(worst, 1e-12) << scan.name;
  }
}

TEST_F(CpuVsCuda, CombinationsAgreeForEveryEvaluatorAndStatistic) {
  // Ge, Ar and NaI with a shared signal pull and without (SPEC §12; kernels/combination.hpp):
  // quadratic form, sterile table, mediator tables (sum of squares), Gaussian and Poisson.
  const Json scans = {
      {{"name", "nsi"},
       {"axes",
        {axis("eps_ee_uV", -0.6, 0.6, 33, false), axis("eps_ee_dV", -0.6, 0.6, 31, false)}}},
      {{"name", "s"},
       {"channel", "nue"},
       {"axes", {axis("sin2_2theta", 1e-3, 1.0, 25, true), axis("dm2_eV2", 0.1, 100.0, 21, true)}}},
      {{"name", "z"},
       {"mediator", "vector_universal"},
       {"axes",
        {axis("mediator_coupling", 1e-6, 1e-3, 25, true),
         axis("mediator_mass_MeV", 1.0, 1000.0, 9, true)}}}};
  for (const char* likelihood : {"gaussian", "poisson"}) {
    const Json j = {
        {"name", "combined"},
        {"detectors",
         {source_path("configs/detectors/ge72.json"), source_path("configs/detectors/ar.json"),
          source_path("configs/detectors/nai.json")}},
        {"scenarios", {"sys15"}},
        {"quadrature", {{"recoil_nodes", 8}, {"energy_nodes", 8}, {"energy_panels", 2}}},
        {"statistics", {{"likelihood", likelihood}}},
        {"scans", scans},
        {"combinations",
         {{{"name", "c"}, {"detectors", {"Ge", "Ar", "NaI"}}, {"correlated", {"signal"}}},
          {{"name", "u"}, {"detectors", {"Ge", "Ar", "NaI"}}}}}};
    const Study st = parse_study(j, "combined.json");
    Progress quiet(Progress::Mode::kQuiet);
    const auto a = run_study(st, *cpu_, Method::kFactorised, std::size_t{1} << 20, quiet);
    const auto b = run_study(st, *cuda_, Method::kFactorised, std::size_t{1} << 20, quiet);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t r = 0; r < a.size(); ++r) {
      if (a[r].combined_detectors.empty()) continue;
      double worst = 0.0;
      for (std::size_t i = 0; i < a[r].chi2.size(); ++i)
        worst = std::max(worst, relative(b[r].chi2[i], a[r].chi2[i]));
      EXPECT_LT(worst, 1e-12) << likelihood << " " << result_label(a[r]);
    }
  }
}

TEST_F(CpuVsCuda, CudaChunksEqualTheWholeGridBitForBit) {
  const Study st = poisson_study();
  Progress quiet(Progress::Mode::kQuiet);
  const PreparedDetector dg = prepare_detector(st.detectors[0], st.analysis, *cuda_);
  for (const auto& scan : st.scans) {
    std::vector<std::unique_ptr<ScanModel>> models;
    models.push_back(poisson_model(st, scan, *cuda_, dg));
    models.push_back(make_study_model(dg, st, scan, st.scenarios[0], Method::kFactorised, *cuda_));
    for (const auto& m : models) {
      const std::string what =
          scan.name + (m->input().statistic == ScanInput::kPoisson ? " poisson" : " gaussian");
      const std::size_t n = m->input().n_points(), n0 = m->input().axis[0].size();
      const auto whole = compute_grid(*m, *cuda_, quiet, "whole");
      ASSERT_EQ(whole.size(), n);
      auto same = [&](const std::vector<double>& g, const std::string& how) {
        ASSERT_EQ(g.size(), n);
        for (std::size_t i = 0; i < n; ++i)
          EXPECT_EQ(std::memcmp(&g[i], &whole[i], sizeof(double)), 0)
              << what << ", " << how << ", point " << i;
      };
      for (std::size_t chunk : {std::size_t{1}, n0, 2 * n0 + 1, 7 * n0})
        same(compute_grid(*m, *cuda_, quiet, "chunks", chunk),
             "chunks of " + std::to_string(chunk));
      // The evaluator on ranges that are not whole rows.
      const auto evaluator = cuda_->prepare(m->input());
      for (std::size_t piece : {std::size_t{1}, std::size_t{5}, n0 + 4, std::size_t{1000}}) {
        std::vector<double> g(n);
        for (std::size_t first = 0; first < n; first += piece)
          evaluator->chi2(first, std::min(piece, n - first), g.data() + first);
        same(g, "ranges of " + std::to_string(piece));
      }
    }
  }
}

// A binned forecast (a study's "responses": response matrix, arrival-time bins, Poisson templates)
// on both backends: every evaluator goes through the fold, the direct path included.
TEST_F(CpuVsCuda, BinnedForecastGridsAgreeOnBothPaths) {
  const Json response = testing::binned_response();
  const Json scans = Json::array(
      {{{"name", "nsi"},
        {"axes", {axis("eps_ee_uV", -0.5, 0.5, 9, false), axis("eps_ee_dV", -0.5, 0.5, 8, false)}}},
       {{"name", "sterile"},
        {"channel", "nue"},
        {"axes", {axis("sin2_2theta", 1e-2, 1.0, 8, true), axis("dm2_eV2", 0.1, 50.0, 9, true)}}}});
  const Study st = parse_study(
      Json{{"name", "binned"},
           {"detectors", {source_path("configs/detectors/ar.json")}},
           {"scenarios", {"sys15"}},
           {"statistics", {{"likelihood", "poisson"}}},
           {"quadrature", {{"recoil_nodes", 8}, {"energy_nodes", 8}, {"energy_panels", 2}}},
           {"responses", {{"Ar", response}}},
           {"scans", scans}},
      "binned.json");
  const PreparedDetector dc =
      prepare_detector(st.detectors[0], st.analysis, *cpu_, st.responses[0]);
  const PreparedDetector dg =
      prepare_detector(st.detectors[0], st.analysis, *cuda_, st.responses[0]);
  Progress quiet(Progress::Mode::kQuiet);
  for (const auto& scan : st.scans)
    for (Method method : {Method::kFactorised, Method::kDirect}) {
      const auto mc = make_study_model(dc, st, scan, st.scenarios[0], method, *cpu_);
      const auto mg = make_study_model(dg, st, scan, st.scenarios[0], method, *cuda_);
      const auto a = compute_grid(*mc, *cpu_, quiet, "cpu"),
                 b = compute_grid(*mg, *cuda_, quiet, "cuda");
      ASSERT_EQ(a.size(), b.size());
      for (std::size_t i = 0; i < a.size(); ++i)
        EXPECT_NEAR(b[i], a[i], 1e-9 * std::max(std::fabs(a[i]), 1e-3))
            << scan.name << (method == Method::kDirect ? " direct" : " factorised") << " point "
            << i;
    }
}

}  // namespace
}  // namespace cevns
