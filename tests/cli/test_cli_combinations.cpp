// Combinations of detectors on the command line (SPEC §12): their results beside the single
// detectors' in the table, --json and HDF5, and every malformed `combinations` entry refused with
// one line, exit status 2 and no output file.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "host/io/h5io.hpp"
#include "tests/test_util.hpp"

namespace cevns {
namespace {

using testing::run_cevns;
using testing::ScratchDir;
using testing::source_path;

nlohmann::json study_with(const nlohmann::json& combinations) {
  return {
      {"name", "combo"},
      {"detectors",
       {source_path("configs/detectors/ge72.json"), source_path("configs/detectors/ar.json"),
        source_path("configs/detectors/nai.json")}},
      {"scenarios", {"ideal", "sys15"}},
      {"quadrature", {{"recoil_nodes", 8}, {"energy_nodes", 8}}},
      {"scans",
       {{{"name", "w"},
         {"axes", {{{"parameter", "sin2_theta_W"}, {"min", 0.1}, {"max", 0.4}, {"points", 61}}}}},
        {{"name", "nsi"},
         {"axes",
          {{{"parameter", "eps_ee_uV"}, {"min", -1.0}, {"max", 1.0}, {"points", 21}},
           {{"parameter", "eps_ee_dV"}, {"min", -1.0}, {"max", 1.0}, {"points", 21}}}}}}},
      {"combinations", combinations}};
}

TEST(CliCombinations, ResultsAppearBesideTheDetectorsInTableJsonAndHdf5) {
  ScratchDir dir;
  const std::string study = dir.write(
      "study.json",
      study_with(
          {{{"name", "Ge+NaI+Ar"}, {"detectors", {"Ge", "NaI", "Ar"}}, {"correlated", {"signal"}}}})
          .dump());
  const auto r = run_cevns("scan " + study + " --backend cpu -q -o " + dir.file("o.h5") +
                           " --json " + dir.file("o.json"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("  Ge+NaI+Ar    sys15    ["), std::string::npos) << r.out;
  const auto table = nlohmann::json::parse(testing::read_file(dir.file("o.json")));
  int combined = 0;
  for (const auto& e : table) {
    if (e["detector"] != "Ge+NaI+Ar") continue;
    ++combined;
    EXPECT_EQ(e["combination"]["detectors"], nlohmann::json({"Ge", "NaI", "Ar"}));
    EXPECT_EQ(e["combination"]["correlated"], nlohmann::json({"signal"}));
    EXPECT_TRUE(e.contains(e["scan"] == "w" ? "sensitivity_percent" : "contours")) << e["scan"];
  }
  EXPECT_EQ(combined, 4);  // two scans × two scenarios
  h5::File f = h5::File::open_read(dir.file("o.h5"));
  for (const std::string group : {"w/Ge+NaI+Ar/sys15", "nsi/Ge+NaI+Ar/ideal"}) {
    ASSERT_TRUE(f.root().is_group(group)) << group;
    h5::Group g = f.root().group(group);
    EXPECT_EQ(g.attr_string("detector"), "Ge+NaI+Ar");
    EXPECT_EQ(g.attr_string("combination_detectors"), "Ge,NaI,Ar");
    EXPECT_EQ(g.attr_string("correlated"), "signal");
  }
}

TEST(CliCombinations, ShardedAndMergedEqualsOneRunBitForBit) {
  ScratchDir dir;
  const std::string study = dir.write(
      "study.json",
      study_with(
          {{{"name", "all"}, {"detectors", {"Ge", "NaI", "Ar"}}, {"correlated", {"signal"}}}})
          .dump());
  const std::string base = "scan " + study + " --backend cpu -q --chunk-points 50 ";
  ASSERT_EQ(run_cevns(base + "-o " + dir.file("one.h5")).status, 0);
  ASSERT_EQ(run_cevns(base + "--shard 0/2 -o " + dir.file("p0.h5")).status, 0);
  ASSERT_EQ(run_cevns(base + "--shard 1/2 -o " + dir.file("p1.h5")).status, 0);
  const auto m = run_cevns("merge --backend cpu -q -o " + dir.file("merged.h5") + " " +
                           dir.file("p0.h5") + " " + dir.file("p1.h5"));
  ASSERT_EQ(m.status, 0) << m.err;
  h5::File one = h5::File::open_read(dir.file("one.h5"));
  h5::File merged = h5::File::open_read(dir.file("merged.h5"));
  for (const std::string group : {"w/all/sys15", "nsi/all/ideal", "nsi/all/sys15"}) {
    const auto a = one.root().group(group).read("chi2");
    const auto b = merged.root().group(group).read("chi2");
    ASSERT_EQ(a.size(), b.size()) << group;
    for (std::size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i], b[i]) << group << " " << i;
  }
}

void expect_refused(const nlohmann::json& combinations, const std::string& message,
                    const nlohmann::json& extra = nlohmann::json::object()) {
  ScratchDir dir;
  nlohmann::json j = study_with(combinations);
  for (const auto& item : extra.items()) j[item.key()] = item.value();
  const std::string study = dir.write("study.json", j.dump());
  const auto r = run_cevns("scan " + study + " --backend cpu -q -o " + dir.file("o.h5"));
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "cevns: error: " + study + ": " + message + "\n");
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"study.json"});
}

TEST(CliCombinations, MalformedCombinationsAreRefusedWithFileJsonPathAndExpectation) {
  expect_refused({{{"name", "c"}, {"detectors", {"Ge", "Xe"}}}},
                 "/combinations/0/detectors/1: expected the name of one of the study's detectors "
                 "(Ge, Ar, NaI), got \"Xe\"");
  expect_refused({{{"name", "c"}, {"detectors", {"Ge", "Ar", "Ge"}}}},
                 "/combinations/0/detectors/2: expected distinct detectors in a combination, got "
                 "\"Ge\" twice");
  expect_refused({{{"name", "c"}, {"detectors", nlohmann::json::array()}}},
                 "/combinations/0/detectors: expected a non-empty list of detector names (Ge, Ar, "
                 "NaI), got []");
  expect_refused({{{"name", "Ar"}, {"detectors", {"Ge", "Ar"}}}},
                 "/combinations/0/name: expected a combination name that is not a detector's, got "
                 "\"Ar\" (detectors: Ge, Ar, NaI)");
  expect_refused(
      {{{"name", "c"}, {"detectors", {"Ge", "Ar"}}}, {{"name", "c"}, {"detectors", {"Ge", "NaI"}}}},
      "/combinations/1/name: expected distinct combination names, got \"c\" twice");
  expect_refused({{{"name", "c"}, {"detectors", {"Ge", "Ar"}}, {"correlated", {"background"}}}},
                 "/combinations/0/correlated/0: expected \"signal\" (the signal-normalisation "
                 "pull; background pulls stay per detector), got \"background\"");
  expect_refused({{{"name", "c"}, {"detectors", {"Ge", "Ar"}}, {"correlated", "signal"}}},
                 "/combinations/0/correlated: expected a list of shared pulls ([\"signal\"] or "
                 "[]), got \"signal\"");
  expect_refused(nlohmann::json::array(), "/combinations: expected a non-empty array, got []");
  expect_refused({{{"name", "c"}, {"detectors", {"Ge", "Ar"}}}},
                 "/combinations: expected no combinations with \"statistics\": {\"method\": "
                 "\"feldman_cousins\"} (the toys are drawn per detector; combinations use Wilks' "
                 "thresholds)",
                 {{"statistics", {{"method", "feldman_cousins"}, {"toys", 100}}}});
}

}  // namespace
}  // namespace cevns
