#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/test_util.hpp"

namespace cevns {
namespace {

using testing::run_cevns;
using testing::ScratchDir;

TEST(CliRates, PrintsTotalsSplitsAndSpectrum) {
  const auto r = run_cevns("rates configs/detectors/csi.json --backend cpu");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("total expected events"), std::string::npos);
  EXPECT_NE(r.out.find("prompt nu_mu"), std::string::npos);
  EXPECT_NE(r.out.find("Cs133"), std::string::npos);
  EXPECT_NE(r.out.find("recoil spectrum"), std::string::npos);
}

TEST(CliRates, JsonHasTheDocumentedKeysAndConsistentSums) {
  const auto r = run_cevns("rates configs/detectors/nai.json --json --bin-width 2 --backend cpu");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["detector"], "NaI");
  const double total = j["total"];
  double flav = 0, iso = 0, bins = 0;
  for (const char* k : {"nu_mu", "nu_mu_bar", "nu_e"}) flav += j["by_flavor"][k].get<double>();
  for (const char* k : {"Na23", "I127"}) iso += j["by_isotope"][k].get<double>();
  for (double c : j["bins"]["counts"]) bins += c;
  EXPECT_NEAR(flav, total, 1e-9 * total);
  EXPECT_NEAR(iso, total, 1e-9 * total);
  EXPECT_NEAR(bins, total, 1e-9 * total);
  EXPECT_EQ(j["bins"]["edges_keV"].size(), j["bins"]["counts"].size() + 1);
  EXPECT_DOUBLE_EQ(
      j["bins"]["edges_keV"][1].get<double>() - j["bins"]["edges_keV"][0].get<double>(), 2.0);
}

TEST(CliRates, OverridesChangeThePhysics) {
  auto total = [](const std::string& extra) {
    const auto r = run_cevns("rates configs/detectors/csi.json --json --backend cpu " + extra);
    EXPECT_EQ(r.status, 0) << r.err;
    return nlohmann::json::parse(r.out)["total"].get<double>();
  };
  const double base = total("");
  EXPECT_GT(total("--gc"), base);
  EXPECT_GT(total("--neutron-radius 4.5"), base);  // smaller nucleus, less suppression
  EXPECT_NE(total("--ff-neutron klein_nystrand"), base);
}

TEST(CliRates, BadInputIsOneLineAndExitCodeTwo) {
  ScratchDir dir;
  const std::string bad = dir.write("bad.json", "{\"name\": \"X\", \"mass_kg\": -1}");
  const auto r = run_cevns("rates " + bad);
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "cevns: error: " + bad + ": /mass_kg: expected a positive number, got -1\n");
  EXPECT_EQ(r.out, "");
}

TEST(CliRates, BadOptionsExitWithCodeTwo) {
  EXPECT_EQ(run_cevns("rates configs/detectors/csi.json --ff-neutron gauss").status, 2);
  EXPECT_EQ(run_cevns("rates configs/detectors/csi.json --backend tpu").status, 2);
  EXPECT_EQ(run_cevns("rates").status, 2);
  EXPECT_EQ(run_cevns("rates configs/detectors/csi.json --neutron-radius -3").status, 2);
}

}  // namespace
}  // namespace cevns
