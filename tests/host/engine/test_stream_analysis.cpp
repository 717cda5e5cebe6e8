// analyse_grid_streamed (a grid read back in blocks of rows) against analyse_grid (the grid held
// whole): the same best fit, minimum, contours, exclusions and Δχ² rows, bit for bit, for every
// kind of 2-D scan and any block size.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "host/config/study.hpp"
#include "host/engine/stream_analysis.hpp"
#include "host/engine/study_run.hpp"
#include "tests/study_json.hpp"
#include "tests/test_util.hpp"

namespace cevns {
namespace {

using testing::axis;
using testing::source_path;

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

Study study_of(const Json& scan, const Json& statistics = nullptr) {
  Json j = {{"name", "stream"},
            {"detectors", {source_path("configs/detectors/ar.json")}},
            {"scenarios", {"sys15"}},
            {"analysis", {{"binning", "recoil"}, {"bin_width_keV", 8.0}}},
            {"quadrature", {{"recoil_nodes", 8}, {"energy_nodes", 8}, {"energy_panels", 2}}},
            {"scans", {scan}}};
  if (!statistics.is_null()) j["statistics"] = statistics;
  return parse_study(j, "stream-study.json");
}

void expect_streamed_equals_whole(const Study& study) {
  auto backend = make_cpu_backend();
  StudyModels models = build_study_models(study, *backend, Method::kFactorised);
  ASSERT_EQ(models.results.size(), 1u);
  const ScanModel& model = *models.models[0];
  Progress quiet(Progress::Mode::kQuiet);
  ScanResult whole = models.results[0];
  whole.chi2 = compute_grid(model, *backend, quiet, "whole");
  if (study.statistics.feldman_cousins)
    compute_critical_values(model, study, &whole, *backend, quiet);
  const std::vector<double> chi2 = whole.chi2;
  analyse_grid(model, study, &whole);
  const std::size_t n0 = whole.axes[0].size(), n1 = whole.axes[1].size();

  for (std::size_t block : {std::size_t{1}, std::size_t{2}, std::size_t{3}, n1 - 1, n1 + 5}) {
    SCOPED_TRACE("rows per block " + std::to_string(block));
    ScanResult r = models.results[0];
    r.critical_delta_chi2 = whole.critical_delta_chi2;
    std::vector<double> written_chi2, written_delta;
    std::size_t next_row = 0, reads = 0;
    analyse_grid_streamed(
        model, study, &r,
        [&](std::size_t first, std::size_t n, double* out) {
          ASSERT_LE(first + n, n1);
          ASSERT_LE(n, block + 2);  // a block and its two neighbouring rows at most
          std::copy(chi2.begin() + first * n0, chi2.begin() + (first + n) * n0, out);
          ++reads;
        },
        block,
        [&](const GridRowBlock& b) {
          EXPECT_EQ(b.first_row, next_row);  // in order, each row once
          next_row = b.first_row + b.n_rows;
          written_chi2.insert(written_chi2.end(), b.chi2, b.chi2 + b.n_rows * n0);
          written_delta.insert(written_delta.end(), b.delta_chi2, b.delta_chi2 + b.n_rows * n0);
        });
    EXPECT_EQ(next_row, n1);
    EXPECT_EQ(reads, 2 * ((n1 + block - 1) / block));  // two passes
    EXPECT_TRUE(r.chi2.empty());
    EXPECT_TRUE(same_bits(written_chi2, chi2));
    EXPECT_TRUE(same_bits(written_delta, whole.delta_chi2));
    EXPECT_TRUE(same_bits(r.best_fit, whole.best_fit));
    EXPECT_EQ(std::memcmp(&r.chi2_min, &whole.chi2_min, sizeof(double)), 0);
    EXPECT_EQ(r.threshold, whole.threshold);
    ASSERT_EQ(r.contours.size(), whole.contours.size());
    for (std::size_t k = 0; k < r.contours.size(); ++k) {
      EXPECT_TRUE(same_bits(r.contours[k].x, whole.contours[k].x)) << k;
      EXPECT_TRUE(same_bits(r.contours[k].y, whole.contours[k].y)) << k;
      EXPECT_EQ(r.contours[k].closed, whole.contours[k].closed) << k;
    }
    EXPECT_TRUE(same_bits(r.raster_exclusion, whole.raster_exclusion));
    EXPECT_TRUE(same_bits(r.row_exclusion, whole.row_exclusion));
    ASSERT_EQ(r.exclusion.size(), whole.exclusion.size());
    for (std::size_t k = 0; k < r.exclusion.size(); ++k) {
      EXPECT_TRUE(same_bits({r.exclusion[k].first, r.exclusion[k].second},
                            {whole.exclusion[k].first, whole.exclusion[k].second}))
          << k;
    }
    ASSERT_EQ(r.allowed_bands.size(), whole.allowed_bands.size());
    for (std::size_t k = 0; k < r.allowed_bands.size(); ++k) {
      ASSERT_EQ(r.allowed_bands[k].size(), whole.allowed_bands[k].size());
      for (std::size_t m = 0; m < r.allowed_bands[k].size(); ++m)
        EXPECT_TRUE(same_bits({r.allowed_bands[k][m].lo, r.allowed_bands[k][m].hi},
                              {whole.allowed_bands[k][m].lo, whole.allowed_bands[k][m].hi}));
    }
  }
  // Something was there to compare.
  EXPECT_FALSE(whole.contours.empty());
}

TEST(StreamAnalysis, SterilePlaneEqualsTheWholeGrid) {
  expect_streamed_equals_whole(study_of(
      {{"name", "s"},
       {"channel", "nue"},
       {"axes",
        {axis("sin2_2theta", 1e-3, 1.0, 23, true), axis("dm2_eV2", 1e-2, 1e2, 19, true)}}}));
}

TEST(StreamAnalysis, RasterSterilePlaneEqualsTheWholeGrid) {
  expect_streamed_equals_whole(study_of(
      {{"name", "s"},
       {"channel", "numu"},
       {"raster", true},
       {"axes",
        {axis("sin2_2theta", 1e-3, 1.0, 17, true), axis("dm2_eV2", 1e-2, 1e2, 15, true)}}}));
}

TEST(StreamAnalysis, NsiPlaneWithTwoValleysEqualsTheWholeGrid) {
  expect_streamed_equals_whole(
      study_of({{"name", "nsi"},
                {"axes", {axis("eps_ee_uV", -1.0, 1.5, 31), axis("eps_etau_uV", -1.0, 1.0, 21)}}}));
}

TEST(StreamAnalysis, MediatorPlaneEqualsTheWholeGrid) {
  expect_streamed_equals_whole(study_of({{"name", "z"},
                                         {"mediator", "vector_universal"},
                                         {"axes",
                                          {axis("mediator_coupling", 1e-7, 1e-1, 21, true),
                                           axis("mediator_mass_MeV", 1e-2, 1e4, 13, true)}}}));
}

TEST(StreamAnalysis, FeldmanCousinsSterilePlaneEqualsTheWholeGrid) {
  expect_streamed_equals_whole(study_of(
      {{"name", "s"},
       {"channel", "nue"},
       {"axes", {axis("sin2_2theta", 1e-2, 1.0, 9, true), axis("dm2_eV2", 0.1, 100.0, 7, true)}}},
      {{"method", "feldman_cousins"}, {"toys", 200}}));
}

}  // namespace
}  // namespace cevns
