// A study with a binned detector response on the command line: it runs to a complete output, and
// a malformed response, or a response file that is not there, is refused with one line, exit
// status 2 and no output file.
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "tests/study_json.hpp"
#include "tests/test_util.hpp"

namespace cevns {
namespace {

using testing::binned_response;
using testing::run_cevns;
using testing::ScratchDir;
using testing::source_path;

nlohmann::json binned_study(const nlohmann::json& response) {
  return {{"name", "binned"},
          {"detectors",
           {source_path("configs/detectors/ar.json"), source_path("configs/detectors/ge72.json")}},
          {"scenarios", {"sys15"}},
          {"statistics", {{"likelihood", "poisson"}}},
          {"quadrature", {{"recoil_nodes", 8}, {"energy_nodes", 8}}},
          {"responses", {{"Ar", response}}},
          {"combinations",
           {{{"name", "Ar+Ge"}, {"detectors", {"Ar", "Ge"}}, {"correlated", {"signal"}}}}},
          {"scans",
           {{{"name", "w"},
             {"axes",
              {{{"parameter", "sin2_theta_W"}, {"min", 0.1}, {"max", 0.4}, {"points", 31}}}}}}}};
}

TEST(CliBinnedForecast, RunsBesideAnUnbinnedDetectorAndTheirCombination) {
  ScratchDir dir;
  const std::string study = dir.write("study.json", binned_study(binned_response()).dump());
  const auto r = run_cevns("scan " + study + " --backend cpu -q -o " + dir.file("o.h5") +
                           " --json " + dir.file("o.json"));
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(testing::read_file(dir.file("o.json")));
  std::vector<std::string> detectors;
  for (const auto& e : j) detectors.push_back(e["detector"]);
  EXPECT_EQ(detectors, (std::vector<std::string>{"Ar", "Ge", "Ar+Ge"}));
  for (const auto& e : j) EXPECT_FALSE(e["intervals"].empty()) << e["detector"];
}

void expect_refused(const nlohmann::json& response, const std::string& message) {
  ScratchDir dir;
  const std::string study = dir.write("study.json", binned_study(response).dump());
  const auto r = run_cevns("scan " + study + " --backend cpu -q -o " + dir.file("o.h5"));
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "cevns: error: " + message + "\n");
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"study.json"});
}

TEST(CliBinnedForecast, BadResponsesAreRefusedWithFileJsonPathAndExpectation) {
  nlohmann::json r = binned_response();
  r["binning"]["time_edges_us"] = {0.0, 6.0, 1.0};
  {
    ScratchDir d2;
    const std::string study = d2.write("study.json", binned_study(r).dump());
    const auto out = run_cevns("scan " + study + " --backend cpu -q -o " + d2.file("o.h5"));
    EXPECT_EQ(out.status, 2);
    EXPECT_EQ(out.err,
              "cevns: error: " + study +
                  ": /responses/Ar/binning/time_edges_us: expected strictly increasing bin "
                  "edges\n");
    EXPECT_EQ(d2.entries(), std::vector<std::string>{"study.json"});
  }
  r = binned_response();
  r["data_dir"] = "/nonexistent-release-dir";
  r["response"]["quenching"] = {{"model", "polynomial_MeV"},
                                {"file", "csi2021/scintRespCoefficients.txt"}};
  setenv("CEVNS_DATA", "", 1);  // the config's data_dir, not one of the environment's
  expect_refused(r,
                 "/nonexistent-release-dir/csi2021/scintRespCoefficients.txt: cannot be read (No "
                 "such file or directory)");
}

}  // namespace
}  // namespace cevns
