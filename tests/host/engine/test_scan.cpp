#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "host/config/study.hpp"
#include "host/engine/study_run.hpp"
#include "tests/study_json.hpp"
#include "tests/test_util.hpp"

namespace cevns {
namespace {

using testing::axis;
using testing::source_path;

// A study of one detector with a coarse quadrature (so the direct path stays quick) and the
// given scans, written as JSON the way a user would.
Study small_study(const Json& scans, const std::string& detector = "ar",
                  const std::string& binning = "total") {
  Json j = {{"name", "test"},
            {"detectors",
             {detector.find('/') == std::string::npos
                  ? source_path("configs/detectors/" + detector + ".json")
                  : detector}},
            {"scenarios", {"sys15"}},
            {"analysis", {{"binning", binning}}},
            {"quadrature", {{"recoil_nodes", 8}, {"energy_nodes", 8}, {"energy_panels", 2}}},
            {"scans", scans}};
  if (binning == "recoil") j["analysis"]["bin_width_keV"] = 8.0;
  return parse_study(j, "test-study.json");
}

std::vector<double> grid(const Study& st, Method method, Backend& backend,
                         std::size_t chunk = 1 << 20) {
  const PreparedDetector det = prepare_detector(st.detectors[0], st.analysis, backend);
  const auto model_ptr = make_study_model(det, st, st.scans[0], st.scenarios[0], method, backend);
  const ScanModel& model = *model_ptr;
  Progress quiet(Progress::Mode::kQuiet);
  return compute_grid(model, backend, quiet, "test", chunk);
}

void expect_factorised_equals_direct(const Study& st) {
  auto backend = make_cpu_backend();
  const auto f = grid(st, Method::kFactorised, *backend);
  const auto d = grid(st, Method::kDirect, *backend);
  ASSERT_EQ(f.size(), d.size());
  double worst = 0.0;
  for (std::size_t i = 0; i < f.size(); ++i) {
    const double scale = std::max(std::fabs(d[i]), 1e-3);  // χ² near 0 compared absolutely
    worst = std::max(worst, std::fabs(f[i] - d[i]) / scale);
  }
  EXPECT_LT(worst, 1e-9) << st.scans[0].name;
}

TEST(ScanPaths, FactorisedEqualsDirectForSterileNuE) {
  expect_factorised_equals_direct(small_study(Json::array(
      {{{"name", "s"},
        {"channel", "nue"},
        {"axes",
         {axis("sin2_2theta", 1e-3, 1, 64, true), axis("dm2_eV2", 1e-2, 1e2, 64, true)}}}})));
}

TEST(ScanPaths, FactorisedEqualsDirectForSterileNuMuInBins) {
  expect_factorised_equals_direct(small_study(
      Json::array(
          {{{"name", "s"},
            {"channel", "numu"},
            {"axes",
             {axis("sin2_2theta", 1e-3, 1, 64, true), axis("dm2_eV2", 1e-2, 1e2, 64, true)}}}}),
      "csi", "recoil"));
}

// A copy of a shipped detector with its baseline spread (SPEC §12) replaced, in `dir`.
std::string detector_with_spread(const testing::ScratchDir& dir, const std::string& name,
                                 double spread_m) {
  Json det = load_json_file(source_path("configs/detectors/" + name + ".json"));
  det["baseline_spread_m"] = spread_m;
  det["source"] = source_path("configs/sources/sns.json");
  return dir.write(name + "_spread.json", det.dump());
}

// The shipped detectors carry a baseline spread; the forecast's point-like baseline (spread 0)
// takes the other branch of the depletion tables and of the direct integrand.
TEST(ScanPaths, FactorisedEqualsDirectForSterileWithAPointLikeBaseline) {
  testing::ScratchDir dir;
  expect_factorised_equals_direct(small_study(
      Json::array(
          {{{"name", "s"},
            {"channel", "nue"},
            {"axes",
             {axis("sin2_2theta", 1e-3, 1, 64, true), axis("dm2_eV2", 1e-2, 1e2, 64, true)}}}}),
      detector_with_spread(dir, "ar", 0.0)));
}

// SPEC §12: over baselines uniform in [L₀ − a, L₀ + a] the oscillating part of the depletion is
// multiplied by sin(2ka)/(2ka), k = 1.27 Δm²/E. For the prompt ν_μ line (E = 29.79 MeV), which
// dominates ν_μ disappearance, that factor is below 0.22 in magnitude beyond its first zero,
// Δm² > π E / (2.54 a). There the point-like exclusion curve of the shipped study zigzags from
// row to row (the phase moves by about a period between neighbouring rows), and the averaged
// one must be flat to within the same factor: its range in log10 sin²2θ under 0.35 of the
// point-like range (0.22 and a margin for the delayed ν̄_μ and the χ²'s non-linearity).
TEST(ScanAnalysis, BaselineSpreadSmoothsTheNuMuExclusionWhereTheAverageActs) {
  Json j = load_json_file(source_path("configs/studies/sterile_numu.json"));
  testing::ScratchDir dir;
  j["scenarios"] = {"ideal"};
  auto backend = make_cpu_backend();
  Progress quiet(Progress::Mode::kQuiet);
  auto range_above = [&](const std::string& detector, double dm2_min) {
    j["detectors"] = {detector};
    const Study study = parse_study(j, "sterile_numu.json");
    const auto results = run_study(study, *backend, Method::kFactorised, 1 << 22, quiet);
    const ScanResult& r = results.at(0);
    double lo = INFINITY, hi = -INFINITY;
    int rows = 0;
    for (std::size_t row = 0; row < r.axes[1].size(); ++row)
      if (r.axes[1][row] > dm2_min) {
        EXPECT_TRUE(std::isfinite(r.raster_exclusion[row])) << r.axes[1][row];
        lo = std::min(lo, std::log10(r.raster_exclusion[row]));
        hi = std::max(hi, std::log10(r.raster_exclusion[row]));
        ++rows;
      }
    EXPECT_GE(rows, 10) << detector;
    return hi - lo;
  };
  for (const char* name : {"ar", "nai"}) {
    SCOPED_TRACE(name);
    const std::string shipped = source_path(std::string("configs/detectors/") + name + ".json");
    const double spread = load_json_file(shipped).at("baseline_spread_m").get<double>();
    ASSERT_GT(spread, 0.0);
    const double first_zero = M_PI * 29.79 / (2.0 * 1.27 * spread);
    const double averaged = range_above(shipped, first_zero);
    const double point_like = range_above(detector_with_spread(dir, name, 0.0), first_zero);
    EXPECT_GT(point_like, 0.05);  // there is a zigzag to remove
    EXPECT_LT(averaged, 0.35 * point_like);
  }
}

// A neutron-radius plane whose truth has a magnetic moment: the radius rows carry the
// magnetic-moment moment (SPEC §10.3, which does not depend on R_n) like the fixed tables.
TEST(ScanPaths, FactorisedEqualsDirectForARadiusPlaneWithAMagneticMoment) {
  Study st = small_study(Json::array(
      {{{"name", "s"},
        {"axes", {axis("sin2_theta_W", 0.15, 0.35, 24), axis("rn_fm", 3.0, 5.0, 20)}}}}));
  st.truth.value[kMuNuE] = 60.0;
  st.truth.value[kMuNuMu] = 40.0;
  expect_factorised_equals_direct(st);
}

TEST(ScanPaths, FactorisedEqualsDirectForNsiPair) {
  expect_factorised_equals_direct(small_study(
      Json::array({{{"name", "n"},
                    {"axes", {axis("eps_ee_uV", -1, 1, 64), axis("eps_etau_uV", -1, 1, 64)}}}})));
  expect_factorised_equals_direct(small_study(
      Json::array(
          {{{"name", "n"},
            {"axes", {axis("eps_ee_uV", -0.5, 0.5, 64), axis("eps_ee_dV", -0.5, 0.5, 64)}}}}),
      "nai", "recoil"));
}

TEST(ScanPaths, FactorisedEqualsDirectForWeakAngleWithACoupling) {
  expect_factorised_equals_direct(small_study(Json::array(
      {{{"name", "w"},
        {"axes", {axis("sin2_theta_W", 0.1, 0.4, 64), axis("eps_mumu_dV", -0.3, 0.3, 64)}}}})));
}

// The radiative couplings (kernels/couplings.hpp) are the detector's choice: both paths take the
// scheme from the detector, and they agree; the scheme changes the counts (the χ² grid).
TEST(ScanPaths, FactorisedEqualsDirectWithRadiativeCouplings) {
  testing::ScratchDir dir;
  Json det = load_json_file(source_path("configs/detectors/ar.json"));
  det["source"] = source_path("configs/sources/sns.json");
  det["couplings"] = "radiative";
  const std::string path = dir.write("ar_radiative.json", det.dump());
  const Json scans = Json::array(
      {{{"name", "w"},
        {"axes", {axis("sin2_theta_W", 0.1, 0.4, 48), axis("eps_ee_uV", -0.3, 0.3, 32)}}}});
  const Study radiative = small_study(scans, path);
  expect_factorised_equals_direct(radiative);
  auto backend = make_cpu_backend();
  const auto rad = grid(radiative, Method::kFactorised, *backend);
  const auto tree = grid(small_study(scans), Method::kFactorised, *backend);
  ASSERT_EQ(rad.size(), tree.size());
  double largest = 0.0;
  for (std::size_t i = 0; i < rad.size(); ++i)
    largest = std::max(largest, std::fabs(rad[i] - tree[i]));
  EXPECT_GT(largest, 1e-3);
}

TEST(ScanPaths, FactorisedEqualsDirectInOneDimension) {
  expect_factorised_equals_direct(
      small_study(Json::array({{{"name", "w"}, {"axes", {axis("sin2_theta_W", 0.1, 0.4, 101)}}}})));
}

TEST(ScanPaths, NoMixingGivesZeroDeltaChi2Everywhere) {
  Study st = small_study(Json::array(
      {{{"name", "s"},
        {"channel", "nue"},
        {"axes",
         {axis("sin2_2theta", 1e-3, 1, 16, true), axis("dm2_eV2", 1e-2, 1e2, 16, true)}}}}));
  st.scans[0].axes[0].min = st.scans[0].axes[0].max = 0.0;  // sin²2θ = 0 on every point
  st.scans[0].axes[0].log = false;
  auto backend = make_cpu_backend();
  for (Method m : {Method::kFactorised, Method::kDirect})
    for (double c : grid(st, m, *backend)) EXPECT_LT(std::fabs(c), 1e-12);
}

TEST(ScanPaths, ChunkedAndUnchunkedGridsAreIdentical) {
  const Study st = small_study(Json::array(
      {{{"name", "n"}, {"axes", {axis("eps_ee_uV", -1, 1, 33), axis("eps_etau_uV", -1, 1, 17)}}}}));
  auto backend = make_cpu_backend();
  const auto whole = grid(st, Method::kFactorised, *backend);
  const auto chunked = grid(st, Method::kFactorised, *backend, 33 * 2);  // two rows a chunk
  ASSERT_EQ(whole.size(), chunked.size());
  for (std::size_t i = 0; i < whole.size(); ++i) EXPECT_EQ(whole[i], chunked[i]);
}

// The first scan of a study, computed and analysed as `cevns scan` does.
ScanResult analysed(const Study& st, const PreparedDetector& det, const ScanModel& model,
                    Backend& backend) {
  ScanResult r = describe_result(st, st.scans[0], det, st.scenarios[0], model);
  Progress quiet(Progress::Mode::kQuiet);
  r.chi2 = compute_grid(model, backend, quiet, st.scans[0].name);
  analyse_grid(model, st, &r);
  return r;
}

// The first scan of a study on the CPU backend (factorised), with its analysed result.
struct AnalysedScan {
  explicit AnalysedScan(const Study& st)
      : backend(make_cpu_backend()),
        det(prepare_detector(st.detectors[0], st.analysis, *backend)),
        model(
            make_study_model(det, st, st.scans[0], st.scenarios[0], Method::kFactorised, *backend)),
        result(analysed(st, det, *model, *backend)) {}
  std::unique_ptr<Backend> backend;
  PreparedDetector det;
  std::unique_ptr<ScanModel> model;
  ScanResult result;
};

TEST(ScanAnalysis, WeakAngleIntervalContainsTruthAndMatchesHostRoots) {
  const Study st =
      small_study(Json::array({{{"name", "w"}, {"axes", {axis("sin2_theta_W", 0.1, 0.4, 61)}}}}));
  const AnalysedScan a(st);
  const ScanModel& model = *a.model;
  const ScanResult& r = a.result;
  ASSERT_EQ(r.intervals.size(), 1u);
  // The minimum is found, not assumed: it is the truth (Asimov), to the minimiser's precision.
  EXPECT_NEAR(r.best_fit[0], 0.23865, 1e-6);
  EXPECT_NEAR(r.chi2_min, 0.0, 1e-10);
  // The interval ends are roots of Δχ² = 2.71 to far better than 1e-6 in sin²θ_W.
  for (double x : {r.intervals[0].lo, r.intervals[0].hi})
    EXPECT_NEAR(model.chi2(model.model_at({x})) - r.chi2_min, 2.71, 1e-6);
  ASSERT_TRUE(r.sensitivity_percent.has_value());
  EXPECT_NEAR(*r.sensitivity_percent,
              100.0 * (r.intervals[0].hi - r.intervals[0].lo) / 2.0 / 0.23865, 1e-9);
}

TEST(ScanAnalysis, NonUniversalCouplingHasTwoDisjointIntervals) {
  // ε_ee^uV shifts the ν_e charge; a second, degenerate solution flips its sign (SPEC §7).
  Study st = small_study(Json::array({{{"name", "e"}, {"axes", {axis("eps_ee_uV", -1, 1, 401)}}}}));
  st.scenarios = {builtin_scenarios()[0]};  // ideal
  const AnalysedScan a(st);
  const ScanResult& r = a.result;
  ASSERT_EQ(r.intervals.size(), 2u);
  EXPECT_LT(r.intervals[0].lo, 0.0);
  EXPECT_GT(r.intervals[0].hi, 0.0);
  // Argon: Q_ν_e(ε) = Q_SM + ε (2Z + N) vanishes... and returns to |Q_SM| at ε = −2 Q_SM/(2Z+N).
  const double qsm = (0.5 - 2 * 0.23865) * 18 - 0.5 * 22;
  const double mirror = -2.0 * qsm / (2 * 18 + 22);
  EXPECT_LT(r.intervals[1].lo, mirror);
  EXPECT_GT(r.intervals[1].hi, mirror);
}

TEST(StudyConfig, RejectsEmptyGridsAndBadAxes) {
  auto error = [](const Json& scans) {
    try {
      small_study(scans);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(error(Json::array({{{"name", "w"}, {"axes", {axis("sin2_theta_W", 0.1, 0.4, 0)}}}})),
            "test-study.json: /scans/0/axes/0/points: expected an integer number of grid points, "
            "at least 2, got 0");
  EXPECT_EQ(error(Json::array({{{"name", "w"}, {"axes", {axis("sin2_theta_W", 0.4, 0.1, 10)}}}})),
            "test-study.json: /scans/0/axes/0/max: expected max > min, got min 0.4, max 0.1");
  EXPECT_EQ(
      error(Json::array({{{"name", "w"}, {"axes", {axis("eps_xx_uV", 0.1, 0.4, 10)}}}})),
      "test-study.json: /scans/0/axes/0/parameter: expected sin2_theta_W, sin2_2theta, dm2_eV2, "
      "mediator_coupling, mediator_mass_MeV, mu_nu_e, mu_nu_mu, r2_nu_e, r2_nu_mu, "
      "eps_<ab>_<q>V (a, b in e, mu, tau; q in u, d), "
      "rn_fm or rn_<X>_fm (X in Na, Ar, Ge, I, Xe, Cs), got \"eps_xx_uV\"");
  EXPECT_EQ(error(Json::array(
                {{{"name", "s"},
                  {"axes", {axis("sin2_2theta", 1e-3, 1, 10), axis("dm2_eV2", 1, 10, 10)}}}})),
            "test-study.json: /scans/0/channel: missing required key for a sterile scan (expected "
            "\"nue\" or \"numu\")");
  EXPECT_EQ(error(Json::array()), "test-study.json: /scans: expected a non-empty array, got []");
}

}  // namespace
}  // namespace cevns

namespace cevns {
namespace {

TEST(StudyConfig, ScenarioFilesEqualTheBuiltInScenarios) {
  for (const auto& builtin : builtin_scenarios()) {
    const Study st = parse_study(
        Json{{"name", "t"},
             {"detectors", {testing::source_path("configs/detectors/ar.json")}},
             {"scenarios", {testing::source_path("configs/scenarios/" + builtin.name + ".json")}},
             {"scans",
              {{{"name", "w"},
                {"axes",
                 {{{"parameter", "sin2_theta_W"}, {"min", 0.1}, {"max", 0.4}, {"points", 3}}}}}}}},
        "t.json");
    ASSERT_EQ(st.scenarios.size(), 1u);
    EXPECT_EQ(st.scenarios[0].name, builtin.name);
    EXPECT_EQ(st.scenarios[0].efficiency, builtin.efficiency);
    EXPECT_EQ(st.scenarios[0].sigma_alpha, builtin.sigma_alpha);
    EXPECT_EQ(st.scenarios[0].sigma_beta, builtin.sigma_beta);
  }
}

TEST(StudyConfig, ThresholdsFollowTheConfidenceLevel) {
  EXPECT_DOUBLE_EQ(delta_chi2_for_cl(0.90, 1, false), 2.71);
  EXPECT_DOUBLE_EQ(delta_chi2_for_cl(0.90, 2, false), 4.61);
  EXPECT_NEAR(delta_chi2_for_cl(0.90, 1, true), 2.705543454, 1e-8);
  EXPECT_NEAR(delta_chi2_for_cl(0.6826894921, 1, true), 1.0, 1e-8);  // 1σ
  EXPECT_NEAR(delta_chi2_for_cl(0.95, 2, true), 5.991464547, 1e-8);
}

}  // namespace
}  // namespace cevns

namespace cevns {
namespace {

// The shipped sterile studies' quadrature resolves the fastest oscillations they meet (Δm² up to
// 100 eV² at the lowest neutrino energies): doubling every node count moves no χ² by more than
// 1e-6 relative. Ge (lowest E_min × longest phase) and NaI (light ²³Na) are the hardest cases.
TEST(ScanPaths, SterileStudyQuadratureIsConverged) {
  for (const char* study_name : {"sterile_nue", "sterile_numu"}) {
    Json j = load_json_file(
        testing::source_path(std::string("configs/studies/") + study_name + ".json"));
    j["detectors"] = {testing::source_path("configs/detectors/ge72.json"),
                      testing::source_path("configs/detectors/nai.json")};
    j["scenarios"] = {"ideal"};
    j["scans"][0]["axes"][0]["points"] = 12;
    j["scans"][0]["axes"][1]["points"] = 60;
    j["scans"][0]["axes"][1]["min"] = 1.0;
    const Study base = parse_study(j, study_name);
    Json fine_json = j;
    for (const char* key : {"recoil_nodes", "energy_nodes", "energy_panels"})
      fine_json["quadrature"][key] = 2 * j["quadrature"][key].get<int>();
    const Study fine = parse_study(fine_json, study_name);
    auto backend = make_cpu_backend();
    Progress quiet(Progress::Mode::kQuiet);
    for (std::size_t d = 0; d < base.detectors.size(); ++d) {
      const PreparedDetector pb = prepare_detector(base.detectors[d], base.analysis, *backend);
      const PreparedDetector pf = prepare_detector(fine.detectors[d], fine.analysis, *backend);
      const auto mb_ptr = make_study_model(pb, base, base.scans[0], base.scenarios[0],
                                           Method::kFactorised, *backend);
      const ScanModel& mb = *mb_ptr;
      const auto mf_ptr = make_study_model(pf, fine, fine.scans[0], fine.scenarios[0],
                                           Method::kFactorised, *backend);
      const ScanModel& mf = *mf_ptr;
      const auto a = compute_grid(mb, *backend, quiet, "base");
      const auto b = compute_grid(mf, *backend, quiet, "fine");
      double worst = 0.0;
      for (std::size_t i = 0; i < a.size(); ++i)
        worst = std::max(worst, std::fabs(a[i] - b[i]) / std::max(std::fabs(b[i]), 1e-3));
      EXPECT_LT(worst, 1e-6) << study_name << " " << base.detectors[d].name;
    }
  }
}

}  // namespace
}  // namespace cevns
