// The engine (host/engine/scan_model.hpp, grid_driver.hpp, study_run.hpp): every evaluator
// (quadratic form, sterile table, direct integral) with every statistic (Gaussian pulls, Poisson
// likelihood) gives one grid whatever the loop structure (segments of one point as on the GPU, or
// long ones) and the chunking; the host's evaluation off the grid is the same function; truths of
// any parameter are recovered; the fixed-Δm² exclusion follows its definition.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "host/config/parameters.hpp"
#include "host/config/study.hpp"
#include "host/core/error.hpp"
#include "host/engine/grid_driver.hpp"
#include "host/engine/study_run.hpp"
#include "host/stats/likelihood.hpp"
#include "tests/study_json.hpp"
#include "tests/test_util.hpp"

namespace cevns {
namespace {

using testing::axis;
using testing::source_path;

// A CsI study in 4-keV recoil bins (so the sterile rows take their per-row sums) with a coarse
// quadrature (so the direct integral stays quick), written as a user would.
Study engine_study(const Json& scans, const Json& truth = nullptr,
                   const std::string& detector = "csi", double bin_width_keV = 4.0,
                   const std::string& scenario = "sys15") {
  Json j = {{"name", "engine"},
            {"detectors", {source_path("configs/detectors/" + detector + ".json")}},
            {"scenarios", {scenario}},
            {"analysis", {{"binning", "recoil"}, {"bin_width_keV", bin_width_keV}}},
            {"quadrature", {{"recoil_nodes", 8}, {"energy_nodes", 8}, {"energy_panels", 2}}},
            {"scans", scans}};
  if (!truth.is_null()) j["truth"] = truth;
  return parse_study(j, "engine-study.json");
}

// The grids below avoid the truth's exact coordinates, so no χ² is a rounding-level zero.
const Study& grids_study() {
  static const Study st = engine_study(Json::array(
      {{{"name", "nsi"},
        {"axes", {axis("eps_ee_uV", -0.5, 0.55, 13), axis("eps_etau_uV", -0.45, 0.5, 7)}}},
       {{"name", "sterile"},
        {"channel", "nue"},
        {"axes", {axis("sin2_2theta", 1e-2, 1, 13, true), axis("dm2_eV2", 1e-1, 1e2, 7, true)}}},
       {{"name", "direct"},
        {"axes", {axis("sin2_theta_W", 0.1, 0.4, 6), axis("eps_mumu_dV", -0.3, 0.35, 5)}}}}));
  return st;
}

Backend& cpu() {
  static auto b = make_cpu_backend();
  return *b;
}

const PreparedDetector& detector() {
  static const PreparedDetector d =
      prepare_detector(grids_study().detectors[0], grids_study().analysis, cpu());
  return d;
}

// Poisson statistic of a forecast, as the data fits build theirs (host/data/fit.cpp, data_grid):
// "observed" counts = Asimov signal of the truth + a background template of another shape, a
// Gaussian pull on the signal normalisation and one on the background's.
Statistic poisson_statistic(const CountsModel& counts, const PhysicsModel& truth) {
  Statistic s;
  s.kind = ScanInput::kPoisson;
  const std::vector<double> signal = counts.counts(truth);
  std::vector<double> background(signal.size());
  for (std::size_t b = 0; b < signal.size(); ++b) background[b] = 0.3 * signal[b] + 2.0 + 0.5 * b;
  s.data.resize(signal.size());
  for (std::size_t b = 0; b < signal.size(); ++b) s.data[b] = signal[b] + background[b];
  s.backgrounds = {background};
  s.sigmas = {0.1, 0.25};
  return s;
}

struct EngineCase {
  std::string name;
  ScanInput::Evaluator evaluator;
  std::unique_ptr<ScanModel> model;
};

// Every evaluator × statistic: the study's three scans with Gaussian pulls and with the Poisson
// statistic. Built once (the direct path integrates at every point).
const std::vector<EngineCase>& cases() {
  static const std::vector<EngineCase> all = [] {
    const Study& st = grids_study();
    std::vector<EngineCase> out;
    const ScanInput::Evaluator evaluators[] = {ScanInput::kQuadratic, ScanInput::kSterile,
                                               ScanInput::kDirect};
    for (std::size_t k = 0; k < st.scans.size(); ++k) {
      const ScanSpec& scan = st.scans[k];
      const Method method =
          evaluators[k] == ScanInput::kDirect ? Method::kDirect : Method::kFactorised;
      out.push_back(
          EngineCase{scan.name + "/gaussian", evaluators[k],
                     make_study_model(detector(), st, scan, st.scenarios[0], method, cpu())});
      PhysicsModel base = st.truth;
      if (scan.is_sterile()) base.sterile_channel = scan.sterile_channel;
      out.push_back(
          EngineCase{scan.name + "/poisson", evaluators[k],
                     std::make_unique<ScanModel>(detector().counts, grid_axes(scan.axes), base,
                                                 poisson_statistic(*detector().counts, st.truth),
                                                 method, cpu())});
    }
    return out;
  }();
  return all;
}

std::vector<double> grid_of(const ScanModel& model, Backend& backend, std::size_t chunk_points) {
  Progress quiet(Progress::Mode::kQuiet);
  return compute_grid(model, backend, quiet, "engine", chunk_points);
}

// The evaluator called directly on consecutive ranges of `piece` points, which need not be whole
// rows (run_grids only cuts at rows).
std::vector<double> grid_in_pieces(const ScanModel& model, Backend& backend, std::size_t piece) {
  const std::size_t n = model.input().n_points();
  std::vector<double> out(n, std::nan(""));
  const auto evaluator = backend.prepare(model.input());
  for (std::size_t first = 0; first < n; first += piece)
    evaluator->chi2(first, std::min(piece, n - first), out.data() + first);
  return out;
}

// Bit for bit, NaN included.
void expect_identical(const std::vector<double>& a, const std::vector<double>& b,
                      const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (std::size_t i = 0; i < a.size(); ++i)
    EXPECT_EQ(std::memcmp(&a[i], &b[i], sizeof(double)), 0)
        << what << ": point " << i << ": " << a[i] << " vs " << b[i];
}

TEST(EngineCases, CoverEveryEvaluatorAndStatistic) {
  ASSERT_EQ(cases().size(), 6u);
  for (const EngineCase& c : cases()) {
    EXPECT_EQ(c.model->input().evaluator, c.evaluator) << c.name;
    const bool poisson = c.name.find("poisson") != std::string::npos;
    EXPECT_EQ(c.model->input().statistic, poisson ? ScanInput::kPoisson : ScanInput::kGaussianPulls)
        << c.name;
  }
}

TEST(EngineGrids, OnePointSegmentsLongSegmentsAndEveryChunkingAreBitIdentical) {
  auto one = make_cpu_backend(1);  // the CUDA backend's loop structure
  auto long_segments = make_cpu_backend(1024);
  for (const EngineCase& c : cases()) {
    SCOPED_TRACE(c.name);
    const std::size_t n0 = c.model->input().axis[0].size();
    const std::vector<double> reference = grid_of(*c.model, *long_segments, std::size_t{1} << 20);
    for (double v : reference) ASSERT_TRUE(std::isfinite(v));
    for (Backend* b : {one.get(), long_segments.get()}) {
      const std::string name = b == one.get() ? "segments of 1" : "segments of 1024";
      expect_identical(grid_of(*c.model, *b, std::size_t{1} << 20), reference, name + ", whole");
      for (std::size_t chunk : {std::size_t{1}, n0, 2 * n0 + 1, 3 * n0})
        expect_identical(grid_of(*c.model, *b, chunk), reference,
                         name + ", chunks of " + std::to_string(chunk) + " points");
      for (std::size_t piece : {std::size_t{1}, std::size_t{5}, n0 + 4})
        expect_identical(grid_in_pieces(*c.model, *b, piece), reference,
                         name + ", evaluator on ranges of " + std::to_string(piece) + " points");
    }
  }
}

TEST(EngineGrids, SegmentLengthsThatEndInsideARowGiveTheSameGrid) {
  // Segments that end inside a row: the sterile rows' sums are summed again for each segment.
  for (const EngineCase& c : cases()) {
    if (c.evaluator != ScanInput::kSterile) continue;
    const std::vector<double> reference = grid_of(*c.model, cpu(), std::size_t{1} << 20);
    for (std::size_t length : {2, 3, 5, 12, 14})
      expect_identical(grid_of(*c.model, *make_cpu_backend(length), 3), reference,
                       c.name + ", segments of " + std::to_string(length));
  }
}

TEST(EngineGrids, PointsBeyondTwoToThe33AreEvaluatedAtTheirOwnCoordinates) {
  // A 2^17 × 2^17 NSI plane (2^34 points; only its axes are stored): a range of points past 2^33
  // that crosses a row is computed alone, with 64-bit point indices all the way to the segments.
  // Built directly on the engine: a grid of 2^34 points is far beyond any memory.
  std::vector<double> values(std::size_t{1} << 17);
  for (std::size_t i = 0; i < values.size(); ++i)
    values[i] = -1.0 + 2.0 * i / (values.size() - 1.0);
  const PhysicsModel truth = grids_study().truth;
  const auto model = std::make_unique<ScanModel>(
      detector().counts, std::vector<GridAxis>{{kEpsEEu, values}, {kEpsETauu, values}}, truth,
      asimov_statistic(detector().counts->counts(truth), 0.1, 0.15, 0.10), Method::kFactorised,
      cpu());
  const ScanInput& in = model->input();
  ASSERT_EQ(in.n_points(), std::size_t{1} << 34);
  const std::size_t n0 = in.axis[0].size();
  const std::size_t first = ((std::size_t{1} << 33) / n0 + 1) * n0 - 150, count = 300;
  for (std::size_t length : {1, 1024}) {
    std::vector<double> out(count, std::nan(""));
    make_cpu_backend(length)->prepare(in)->chi2(first, count, out.data());
    for (std::size_t k = 0; k < count; ++k) {
      const std::size_t p = first + k;
      const double host = model->chi2(model->model_at({in.axis[0][p % n0], in.axis[1][p / n0]}));
      EXPECT_LE(std::fabs(out[k] - host), 1e-12 * std::fabs(host))
          << "segments of " << length << ", point " << p;
    }
  }
}

// The grid point p of a model: its axis values.
std::vector<double> point_values(const ScanInput& in, std::size_t p) {
  const std::size_t n0 = in.axis[0].size();
  std::vector<double> v = {in.axis[0][p % n0]};
  if (in.n_axes == 2) v.push_back(in.axis[1][p / n0]);
  return v;
}

TEST(EngineHost, ChiSquareOffTheGridEqualsTheGridAtEveryPoint) {
  for (const EngineCase& c : cases()) {
    const std::vector<double> grid = grid_of(*c.model, cpu(), std::size_t{1} << 20);
    double worst = 0.0;
    for (std::size_t p = 0; p < grid.size(); ++p) {
      const double host = c.model->chi2(c.model->model_at(point_values(c.model->input(), p)));
      // The sterile rows' per-row sums (kernels/scan_point.hpp) are quadratics in sin²2θ whose
      // terms cancel near no mixing: there χ² ~ 1e-8 and the two agree to ~1e-20 absolutely, so
      // values below 1e-6 are compared to 1e-18 absolutely.
      worst = std::max(worst, std::fabs(host - grid[p]) / std::max(std::fabs(grid[p]), 1e-6));
    }
    EXPECT_LT(worst, 1e-12) << c.name;
  }
}

// χ² with the two pulls of SPEC §7, Eq. 9, minimised by solving the normal equations for (α, β)
// and evaluating the sum at them — not the accumulator's closed form.
double gaussian_chi2_by_hand(const std::vector<double>& n_th, const std::vector<double>& n_exp,
                             const std::vector<double>& n_bg, double sigma_alpha,
                             double sigma_beta) {
  double a11 = 1.0 / (sigma_alpha * sigma_alpha), a22 = 1.0 / (sigma_beta * sigma_beta), a12 = 0.0;
  double b1 = 0.0, b2 = 0.0;
  for (std::size_t b = 0; b < n_th.size(); ++b) {
    const double w = 1.0 / n_exp[b], r = n_exp[b] - n_th[b] - n_bg[b];
    a11 += w * n_th[b] * n_th[b];
    a22 += w * n_bg[b] * n_bg[b];
    a12 += w * n_th[b] * n_bg[b];
    b1 += w * r * n_th[b];
    b2 += w * r * n_bg[b];
  }
  const double det = a11 * a22 - a12 * a12;
  const double alpha = (a22 * b1 - a12 * b2) / det, beta = (a11 * b2 - a12 * b1) / det;
  double chi2 =
      alpha * alpha / (sigma_alpha * sigma_alpha) + beta * beta / (sigma_beta * sigma_beta);
  for (std::size_t b = 0; b < n_th.size(); ++b) {
    const double d = n_exp[b] - (1.0 + alpha) * n_th[b] - (1.0 + beta) * n_bg[b];
    chi2 += d * d / n_exp[b];
  }
  return chi2;
}

// The truth in the coordinates of a case's grid (the sterile grid tests its own channel).
PhysicsModel truth_of(const EngineCase& c) {
  PhysicsModel m = grids_study().truth;
  m.sterile_channel = c.model->input().base.sterile_channel;
  return m;
}

TEST(EngineHost, CountsAtTheTruthAreTheAsimovSignalAndGiveZeroChiSquare) {
  for (const EngineCase& c : cases()) {
    SCOPED_TRACE(c.name);
    const ScanInput& in = c.model->input();
    const std::vector<double> counts = c.model->counts(truth_of(c));
    ASSERT_EQ(static_cast<int>(counts.size()), in.n_bins());
    for (int b = 0; b < in.n_bins(); ++b) {
      const double signal = in.statistic == ScanInput::kGaussianPulls
                                ? in.n_exp[b] - in.n_bg[b]
                                : in.data[b] - in.backgrounds[b];  // one template
      EXPECT_GT(signal, 0.0) << "bin " << b;
      EXPECT_LT(std::fabs(counts[b] - signal), 1e-12 * signal) << "bin " << b;
    }
    EXPECT_LT(std::fabs(c.model->chi2(truth_of(c))), 1e-9);
  }
}

TEST(EngineHost, ChiSquareIsTheStatisticOfTheCountsAtEveryPoint) {
  for (const EngineCase& c : cases()) {
    SCOPED_TRACE(c.name);
    const ScanInput& in = c.model->input();
    for (std::size_t p = 0; p < in.n_points(); p += 3) {
      const PhysicsModel m = c.model->model_at(point_values(in, p));
      const std::vector<double> n_th = c.model->counts(m);
      double expected;
      if (in.statistic == ScanInput::kGaussianPulls) {
        expected = gaussian_chi2_by_hand(n_th, in.n_exp, in.n_bg, in.sigma_alpha, in.sigma_beta);
      } else {
        const std::vector<double> background(in.backgrounds.begin(), in.backgrounds.end());
        expected = profile_normalisations(in.data, {&n_th, &background}, in.sigmas).chi2;
      }
      EXPECT_NEAR(c.model->chi2(m), expected, 1e-9 * expected) << "point " << p;
    }
  }
}

// A Poisson statistic whose templates or σ do not match the data is refused before any kernel
// could read past an array.
TEST(ScanModelInput, PoissonTemplatesAndSigmasMustMatchTheBins) {
  const auto& counts = detector().counts;
  const auto axes = grid_axes(grids_study().scans[0].axes);
  const std::vector<double> sig = counts->counts(grids_study().truth);
  Statistic s;
  s.kind = ScanInput::kPoisson;
  s.data = sig;
  s.backgrounds = {std::vector<double>(sig.size() - 1, 1.0)};
  s.sigmas = {0.1, 0.2};
  EXPECT_THROW(ScanModel(counts, axes, grids_study().truth, s, Method::kFactorised, cpu()),
               std::invalid_argument);
  s.backgrounds = {std::vector<double>(sig.size(), 1.0)};
  s.sigmas = {0.1};
  EXPECT_THROW(ScanModel(counts, axes, grids_study().truth, s, Method::kFactorised, cpu()),
               std::invalid_argument);
  s.sigmas = {0.1, 0.2};
  EXPECT_NO_THROW(ScanModel(counts, axes, grids_study().truth, s, Method::kFactorised, cpu()));
}

TEST(MultiplySubtract, CpuBackendRoundsTheProductBeforeSubtracting) {
  // (1 + 2^-30)(1 − 2^-30) = 1 − 2^-60 rounds to 1 in double, so the unfused a·b − c is 0 exactly;
  // a fused multiply-add would keep the product exact and give −2^-60.
  const double a = 1.0 + std::ldexp(1.0, -30), b = 1.0 - std::ldexp(1.0, -30);
  for (std::size_t length : {1, 1024}) {
    const double r = make_cpu_backend(length)->multiply_subtract(a, b, 1.0);
    EXPECT_EQ(r, 0.0);
    EXPECT_NE(r, -std::ldexp(1.0, -60));
  }
}

// ---------------------------------------------------------------------------------------------
// Truths of any parameter.

// The truths are tested on the 2-t NaI detector in 8-keV bins without systematics (the ideal
// scenario): a sterile ν_e signal of sin²2θ = 0.2 is then far beyond the SM's 90% CL contour, and
// the spectrum tells Δm² apart.
Study truth_study(const Json& scans, const Json& truth = nullptr) {
  return engine_study(scans, truth, "nai", 8.0, "ideal");
}

// The analysis of the first scan of a study, as `cevns scan` does it.
ScanResult analysed_first_scan(const Study& st) {
  const PreparedDetector det = prepare_detector(st.detectors[0], st.analysis, cpu());
  const auto model =
      make_study_model(det, st, st.scans[0], st.scenarios[0], Method::kFactorised, cpu());
  ScanResult r = describe_result(st, st.scans[0], det, st.scenarios[0], *model);
  Progress quiet(Progress::Mode::kQuiet);
  r.chi2 = compute_grid(*model, cpu(), quiet, st.scans[0].name);
  analyse_grid(*model, st, &r);
  return r;
}

// Log axes with the sterile truth (0.2, 2 eV²) on a node (sin²2θ node 20 of 30 intervals over
// 1.5 decades, Δm² node 10 of 20 over 2 decades): the spectrum's valley of near-degenerate Δm² is
// narrower than a cell, and the minimum must be found at the truth, not just near it.
constexpr double kSin22ThetaMax = 0.6324555320336759;  // 0.2 · 10^0.5
Json sterile_scan() {
  return Json::array({{{"name", "s"},
                       {"channel", "nue"},
                       {"axes",
                        {axis("sin2_2theta", 0.02, kSin22ThetaMax, 31, true),
                         axis("dm2_eV2", 0.2, 20.0, 21, true)}}}});
}

// One grid cell in log10 of the sterile scan's axes.
constexpr double kCellSin22Theta = 1.5 / 30, kCellDm2 = 2.0 / 20;

TEST(StudyTruth, SterileTruthIsRecoveredAtTheMinimum) {
  const Study st = truth_study(
      sterile_scan(), {{"sin2_2theta", 0.2}, {"dm2_eV2", 2.0}, {"sterile_channel", "nue"}});
  ASSERT_EQ(st.truth.sterile_channel, kNuEDisappearance);
  EXPECT_EQ(st.truth.value[kSin22Theta], 0.2);
  EXPECT_EQ(st.truth.value[kDm2], 2.0);
  EXPECT_EQ(st.truth.value[kSin2ThetaW], standard_model().value[kSin2ThetaW]);  // others at the SM
  const ScanResult r = analysed_first_scan(st);
  EXPECT_NEAR(r.chi2_min, 0.0, 1e-8);
  ASSERT_EQ(r.best_fit.size(), 2u);
  EXPECT_LE(std::fabs(std::log10(r.best_fit[0]) - std::log10(0.2)), kCellSin22Theta)
      << r.best_fit[0];
  EXPECT_LE(std::fabs(std::log10(r.best_fit[1]) - std::log10(2.0)), kCellDm2) << r.best_fit[1];
  ASSERT_EQ(r.truth.size(), 2u);
  EXPECT_EQ(r.truth[0], 0.2);
  EXPECT_EQ(r.truth[1], 2.0);
}

TEST(StudyTruth, StandardModelTruthPutsTheSterileMinimumAtSmallMixing) {
  const ScanResult r = analysed_first_scan(truth_study(sterile_scan()));
  EXPECT_NEAR(r.chi2_min, 0.0, 1e-3);
  ASSERT_EQ(r.best_fit.size(), 2u);
  EXPECT_LE(r.best_fit[0], r.axes[0][1]);  // at the grid's smallest sin²2θ
  // And the grid sees the sterile truth of the other test: it is excluded here.
  const std::size_t n0 = r.axes[0].size();
  double at_truth = 0.0;
  for (std::size_t p = 0; p < r.chi2.size(); ++p)
    if (std::fabs(std::log10(r.axes[0][p % n0] / 0.2)) <= kCellSin22Theta / 2 &&
        std::fabs(std::log10(r.axes[1][p / n0] / 2.0)) <= kCellDm2 / 2)
      at_truth = std::max(at_truth, r.delta_chi2[p]);
  EXPECT_GT(at_truth, r.threshold);
}

std::string truth_error(const Json& truth, std::string* json_path = nullptr) {
  try {
    truth_study(sterile_scan(), truth);
  } catch (const InputError& e) {
    if (json_path) *json_path = e.json_path();
    return e.what();
  }
  return "";
}

TEST(StudyTruth, SterileTruthWithoutChannelIsAnInputErrorNamingTheKey) {
  std::string path;
  const std::string message = truth_error({{"sin2_2theta", 0.2}}, &path);
  EXPECT_EQ(path, "/truth/sterile_channel");
  EXPECT_NE(message.find("/truth/sterile_channel"), std::string::npos) << message;
  EXPECT_NE(message.find("engine-study.json"), std::string::npos) << message;
}

TEST(StudyTruth, OutOfRangeTruthIsAnInputErrorNamingTheRange) {
  std::string path;
  const std::string message = truth_error({{"sin2_theta_W", 1.5}}, &path);
  EXPECT_EQ(path, "/truth/sin2_theta_W");
  EXPECT_NE(message.find("in [0, 1]"), std::string::npos) << message;
  EXPECT_NE(message.find("1.5"), std::string::npos) << message;
}

// ---------------------------------------------------------------------------------------------
// fixed_dm2_exclusion on synthetic rows.

std::vector<double> linspace(double lo, double hi, int n) {
  std::vector<double> x(n);
  for (int i = 0; i < n; ++i) x[i] = lo + (hi - lo) * i / (n - 1);
  return x;
}

std::vector<double> sampled(const std::vector<double>& s, const std::function<double(double)>& f) {
  std::vector<double> row;
  for (double x : s) row.push_back(f(x));
  return row;
}

double parabola(double s) { return ((s - 0.2) / 0.1) * ((s - 0.2) / 0.1); }

TEST(FixedDm2Exclusion, ParabolaIsExcludedAboveTheThresholdCrossing) {
  const std::vector<double> s = linspace(0.0, 1.0, 41);
  EXPECT_NEAR(fixed_dm2_exclusion(s, sampled(s, parabola), parabola, 0.0, 2.71),
              0.2 + 0.1 * std::sqrt(2.71), 1e-8);
}

TEST(FixedDm2Exclusion, RasterReferenceIsTheRowMinimum) {
  const auto shifted = [](double s) { return parabola(s) + 5.0; };
  const std::vector<double> s = linspace(0.0, 1.0, 41);
  EXPECT_NEAR(fixed_dm2_exclusion(s, sampled(s, shifted), shifted, std::nullopt, 2.71),
              0.2 + 0.1 * std::sqrt(2.71), 1e-8);
}

TEST(FixedDm2Exclusion, NaNWhenTheAllowedIntervalReachesTheEndOfTheAxis) {
  const std::vector<double> s = linspace(0.0, 0.3, 31);  // the crossing, 0.3646, is beyond
  EXPECT_TRUE(std::isnan(fixed_dm2_exclusion(s, sampled(s, parabola), parabola, 0.0, 2.71)));
}

TEST(FixedDm2Exclusion, NaNWhenNothingIsAllowed) {
  const std::vector<double> s = linspace(0.0, 1.0, 41);
  // The reference lies 10 below the row's minimum: no point is within 2.71 of it.
  EXPECT_TRUE(std::isnan(fixed_dm2_exclusion(s, sampled(s, parabola), parabola, -10.0, 2.71)));
}

TEST(FixedDm2Exclusion, TwoIslandsGiveTheUpperEndOfTheIslandHoldingTheMinimum) {
  // Two valleys: at 0.2 with minimum 1 (allowed: 1 < 2.71) and at 0.7 with minimum 0. The
  // allowed islands are 0.2 ± 0.1·√1.71 and 0.7 ± 0.1·√2.71; the row's minimum is in the second.
  const auto two_valleys = [](double s) {
    const double first = parabola(s) + 1.0, second = ((s - 0.7) / 0.1) * ((s - 0.7) / 0.1);
    return std::min(first, second);
  };
  const std::vector<double> s = linspace(0.0, 1.0, 51);
  const double r = fixed_dm2_exclusion(s, sampled(s, two_valleys), two_valleys, 0.0, 2.71);
  EXPECT_NEAR(r, 0.7 + 0.1 * std::sqrt(2.71), 1e-8);
  EXPECT_GT(std::fabs(r - (0.2 + 0.1 * std::sqrt(1.71))), 0.1);  // not the first island's end
}

}  // namespace
}  // namespace cevns
