// A study with a binned detector response on the command line: it runs to a complete output, and
// a malformed response, or a response file that is not there, is refused with one line, exit
// status 2 and no output file.
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "host/config/study.hpp"
#include "host/engine/study_run.hpp"
#include "host/io/h5io.hpp"
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

  // The binned detector's predicted counts, [point][observed energy][time] with the response's
  // bins as coordinates, are the model's counts at each point of the axis; the unbinned
  // detector keeps its recoil bins, and the combination writes none.
  const Study st = load_study(study);
  auto backend = make_cpu_backend();
  const PreparedDetector ar =
      prepare_detector(st.detectors[0], st.analysis, *backend, st.responses[0]);
  const auto model = make_study_model(ar, st, st.scans[0], st.scenarios[0], Method::kFactorised,
                                      *backend);
  h5::File f = h5::File::open_read(dir.file("o.h5"));
  h5::Group g = f.root().group("w/Ar/sys15");
  std::vector<std::size_t> shape;
  const auto counts = g.read("predicted_counts", &shape);
  ASSERT_EQ(shape, (std::vector<std::size_t>{31, 3, 2}));
  EXPECT_EQ(g.dataset_attr_string("predicted_counts", "units"), "events");
  EXPECT_EQ(g.read("observed_energy_lo"), (std::vector<double>{0.0, 10.0, 20.0}));
  EXPECT_EQ(g.read("observed_energy_hi"), (std::vector<double>{10.0, 20.0, 40.0}));
  EXPECT_EQ(g.dataset_attr_string("observed_energy", "units"), "keVee");
  EXPECT_EQ(g.read("arrival_time_lo"), (std::vector<double>{0.0, 1.0}));
  EXPECT_EQ(g.read("arrival_time_hi"), (std::vector<double>{1.0, 6.0}));
  EXPECT_EQ(g.dataset_attr_string("arrival_time", "units"), "us");
  const auto axis = g.read("sin2_theta_W");
  ASSERT_EQ(axis.size(), 31u);
  for (std::size_t i = 0; i < axis.size(); ++i) {
    const auto expected = model->counts(model->model_at({axis[i]}));
    ASSERT_EQ(expected.size(), 6u);
    for (std::size_t b = 0; b < 6; ++b)
      EXPECT_NEAR(counts[i * 6 + b], expected[b], 1e-12 * expected[b]) << i << " " << b;
  }
  EXPECT_TRUE(f.root().group("w/Ge/sys15").has("recoil_keV"));
  EXPECT_FALSE(f.root().group("w/Ar+Ge/sys15").has("predicted_counts"));
}

// `message`: the JSON path and the expectation, after the study's file name.
void expect_refused(const nlohmann::json& response, const std::string& message) {
  ScratchDir dir;
  const std::string study = dir.write("study.json", binned_study(response).dump());
  const auto r = run_cevns("scan " + study + " --backend cpu -q -o " + dir.file("o.h5"));
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "cevns: error: " + study + ": " + message + "\n");
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
  // The study's key that names the file, then the file (as a config's missing detector file).
  expect_refused(r,
                 "/responses/Ar/response/quenching/file: "
                 "\"/nonexistent-release-dir/csi2021/scintRespCoefficients.txt\" cannot be read (No "
                 "such file or directory)");
}

}  // namespace
}  // namespace cevns
