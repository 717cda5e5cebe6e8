// Exposures (SPEC §12): a detector's run in years at a beam power, turned into protons on target
// by the source's protons per MW-year; a study may set them per detector.
#include <gtest/gtest.h>

#include "host/config/config.hpp"
#include "host/config/parameters.hpp"
#include "host/config/study.hpp"
#include "host/engine/quadrature.hpp"
#include "host/engine/rates.hpp"
#include "kernels/backend.hpp"
#include "tests/host/engine/detector_file.hpp"
#include "tests/test_util.hpp"

namespace cevns {
namespace {

using testing::detector_load_error;
using testing::load_detector_json;
using testing::ScratchDir;
using testing::source_path;
using testing::study_error;

// The shipped source's numbers, as written in configs/sources/sns.json.
constexpr double kProtonsPerMWYear = 1.177e23, kNominalPower_MW = 1.4, kDefaultPot = 1.76e23;

Json ge_with(const Json& exposure) {
  Json j = load_json_file(source_path("configs/detectors/ge72.json"));
  j["source"] = source_path("configs/sources/sns.json");
  if (!exposure.is_null()) j["exposure"] = exposure;
  return j;
}

TEST(Exposure, YearsTimesPowerTimesProtonsPerMWYear) {
  ScratchDir dir;
  EXPECT_EQ(load_detector_json(dir, ge_with(nullptr)).protons_on_target, kDefaultPot);
  EXPECT_DOUBLE_EQ(
      load_detector_json(dir, ge_with({{"years", 3.0}, {"beam_power_MW", 2.0}})).protons_on_target,
      3.0 * 2.0 * kProtonsPerMWYear);
  // Without a power, the source's nominal one.
  const DetectorConfig d = load_detector_json(dir, ge_with({{"years", 2.0}}));
  EXPECT_DOUBLE_EQ(d.protons_on_target, 2.0 * kNominalPower_MW * kProtonsPerMWYear);
  // The outputs' resolved config says what was used.
  EXPECT_EQ(d.json.at("exposure").at("beam_power_MW").get<double>(), kNominalPower_MW);
  EXPECT_DOUBLE_EQ(d.json.at("exposure").at("protons_on_target").get<double>(),
                   d.protons_on_target);
}

TEST(Exposure, RatesScaleWithProtonsOnTarget) {
  ScratchDir dir;
  const DetectorConfig base = load_detector_json(dir, ge_with(nullptr));
  const DetectorConfig run =
      load_detector_json(dir, ge_with({{"years", 3.0}, {"beam_power_MW", 1.4}}));
  auto backend = make_cpu_backend();
  auto total = [&](const DetectorConfig& d) {
    return compute_rates(d, total_bin_edges_keV(d), standard_model(), *backend).total();
  };
  const double ratio = total(run) / total(base);
  EXPECT_NEAR(ratio, 3.0 * 1.4 * kProtonsPerMWYear / kDefaultPot, 1e-12 * ratio);
}

TEST(Exposure, StudySetsRunsPerDetectorByName) {
  const Json j = {{"name", "runs"},
                  {"detectors",
                   {source_path("configs/detectors/ge72.json"),
                    source_path("configs/detectors/ar.json")}},
                  {"exposures",
                   {{"Ge", {{"years", 3.0}, {"beam_power_MW", 1.4}}},
                    {"Ar", {{"years", 2.0}, {"beam_power_MW", 2.0}}}}},
                  {"scans",
                   {{{"name", "w"},
                     {"axes", {{{"parameter", "sin2_theta_W"}, {"min", 0.2}, {"max", 0.3},
                                {"points", 5}}}}}}}};
  const Study st = parse_study(j, "runs.json");
  EXPECT_DOUBLE_EQ(st.detectors.at(0).protons_on_target, 3.0 * 1.4 * kProtonsPerMWYear);
  EXPECT_DOUBLE_EQ(st.detectors.at(1).protons_on_target, 2.0 * 2.0 * kProtonsPerMWYear);
  EXPECT_EQ(st.json.at("detectors").at(1).at("exposure").at("years").get<double>(), 2.0);

  Json wrong = j;
  wrong["exposures"]["Xe"] = {{"years", 1.0}};
  EXPECT_EQ(study_error(wrong, "runs.json"),
            "runs.json: /exposures/Xe: expected the name of one of the study's detectors "
            "(Ar, Ge)");
}

TEST(Exposure, BadExposuresAreErrors) {
  ScratchDir dir;
  const std::string f = dir.file("det.json");
  EXPECT_EQ(detector_load_error(dir, ge_with({{"years", -1.0}})),
            f + ": /exposure/years: expected a positive number, got -1.0");
  EXPECT_EQ(detector_load_error(dir, ge_with({{"beam_power_MW", 1.0}})),
            f + ": /exposure/years: missing required key (expected a positive number)");
  EXPECT_EQ(detector_load_error(dir, ge_with({{"years", 1.0}, {"power", 1.0}})),
            f + ": /exposure/power: unknown key (expected one of: beam_power_MW, years)");
  // A source that cannot turn years into protons.
  Json j = ge_with({{"years", 1.0}});
  j["source"] = {{"name", "Old"}, {"nu_per_flavour_per_pot", 0.08}, {"protons_on_target", 1e23}};
  EXPECT_EQ(detector_load_error(dir, j),
            f + ": /exposure: expected a source with protons_per_MW_year to turn an exposure into "
                "protons on target (source \"Old\" gives none)");
  j["source"]["protons_per_MW_year"] = 1e23;
  EXPECT_EQ(detector_load_error(dir, j),
            f + ": /exposure/beam_power_MW: missing required key (expected a positive beam power "
                "in MW; source \"Old\" gives no beam_power_MW)");
}

}  // namespace
}  // namespace cevns
