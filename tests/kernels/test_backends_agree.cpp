// The CUDA backend runs the same physics as the CPU backend: results agree to 1e-12 relative.
// Skipped where no GPU is present (the CUDA backend is still compiled wherever nvcc exists).
#include <gtest/gtest.h>

#include <cmath>

#include "host/config/config.hpp"
#include "host/engine/quadrature.hpp"
#include "host/engine/study_run.hpp"
#include "host/config/study.hpp"
#include "tests/test_util.hpp"

namespace cevns {
namespace {

using testing::source_path;

double relative(double a, double b) { return std::fabs(a - b) / std::max(std::fabs(b), 1e-300); }

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
    const DetectorConfig d = load_detector(source_path(std::string("configs/detectors/") + name + ".json"));
    const RateProblem p = build_rate_problem(d, recoil_bin_edges_keV(d, 1.0));
    const auto a = cpu_->entry_moments(p), b = cuda_->entry_moments(p);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t e = 0; e < a.size(); ++e) {
      EXPECT_LT(relative(b[e].zz, a[e].zz), 1e-12) << name << " entry " << e;
      EXPECT_LT(relative(b[e].nn, a[e].nn), 1e-12) << name << " entry " << e;
    }
  }
}

TEST_F(CpuVsCuda, ScansAgreeOnBothPaths) {
  auto ax = [](const char* p, double lo, double hi, int n, bool log) {
    return Json{{"parameter", p}, {"min", lo}, {"max", hi}, {"points", n}, {"scale", log ? "log" : "linear"}};
  };
  const Json scans = Json::array(
      {{{"name", "s"}, {"channel", "numu"}, {"axes", {ax("sin2_2theta", 1e-3, 1, 48, true), ax("dm2_eV2", 1e-2, 1e2, 40, true)}}},
       {{"name", "n"}, {"axes", {ax("eps_ee_uV", -1, 1, 48, false), ax("eps_etau_uV", -1, 1, 40, false)}}}});
  const Study st = parse_study(Json{{"name", "t"},
                                    {"detectors", {source_path("configs/detectors/csi.json")}},
                                    {"scenarios", {"sys15"}},
                                    {"analysis", {{"binning", "recoil"}, {"bin_width_keV", 4.0}}},
                                    {"quadrature", {{"recoil_nodes", 12}, {"energy_nodes", 12}, {"energy_panels", 2}}},
                                    {"scans", scans}},
                               "t.json");
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

}  // namespace
}  // namespace cevns
