// Bad input on the command line: one line, exit status 2, no output file (nor its .partial or
// .tmp-* companions) left behind, and nothing computed before the check.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <nlohmann/json.hpp>

#include "tests/test_util.hpp"

namespace cevns {
namespace {

using testing::run_cevns;
using testing::ScratchDir;
using testing::source_path;

const std::string kCsi = "configs/detectors/csi.json";

void expect_error(const testing::CommandResult& r, const std::string& message) {
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "cevns: error: " + message + "\n");
  EXPECT_EQ(r.out, "");
}

std::string csi_with(const ScratchDir& dir, const std::function<void(nlohmann::json&)>& edit) {
  auto j = nlohmann::json::parse(testing::read_file(source_path(kCsi)));
  j["source"] = source_path("configs/sources/sns.json");
  edit(j);
  return dir.write("det.json", j.dump(2));
}

std::string small_study(const ScratchDir& dir, const nlohmann::json& scenarios = {"ideal"}) {
  const nlohmann::json study = {
      {"name", "small"},
      {"detectors", {source_path(kCsi)}},
      {"scenarios", scenarios},
      {"quadrature", {{"recoil_nodes", 8}, {"energy_nodes", 8}}},
      {"scans",
       {{{"name", "w"},
         {"axes", {{{"parameter", "sin2_theta_W"}, {"min", 0.1}, {"max", 0.4}, {"points", 5}}}}}}}};
  return dir.write("study.json", study.dump(2));
}

TEST(CliValidation, NeutronRadiusMustBeAPositiveNumber) {
  for (const std::string v : {"inf", "-inf", "nan", "-3", "0"}) {
    SCOPED_TRACE(v);
    expect_error(run_cevns("rates " + kCsi + " --backend cpu --neutron-radius " + v),
                 "--neutron-radius: expected a positive radius in fm, got " + v);
  }
}

TEST(CliValidation, LargeNeutronRadiusWarnsAndRuns) {
  const auto r = run_cevns("rates " + kCsi + " --backend cpu --json --neutron-radius 20");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.err,
            "cevns: warning: --neutron-radius: 20 fm is larger than any nucleus (more than "
            "15 fm); is the unit fm?\n");
  EXPECT_GT(nlohmann::json::parse(r.out)["total"].get<double>(), 0.0);
}

TEST(CliValidation, BinWidthBoundsTheNumberOfBins) {
  ScratchDir dir;
  expect_error(
      run_cevns("rates " + kCsi + " --backend cpu --bin-width 1e-9 -o " + dir.file("r.h5")),
      "--bin-width: expected a bin width giving at most 100000 recoil bins, got 1e-09 "
      "keV: 4.21881e+10 bins from the threshold 5 keV to the end point 47.1881 keV");
  expect_error(run_cevns("rates " + kCsi + " --bin-width inf"),
               "--bin-width: expected a positive bin width in keV, got inf");
  expect_error(run_cevns("rates " + kCsi + " --bin-width 0"),
               "--bin-width: expected a positive bin width in keV, got 0");
  EXPECT_TRUE(dir.entries().empty());
}

TEST(CliValidation, ZeroThresholdIsRejectedAndATinyOneGivesFiniteTotals) {
  ScratchDir dir;
  const std::string det = csi_with(dir, [](nlohmann::json& j) { j["threshold_keV"] = 0; });
  expect_error(run_cevns("rates " + det + " --backend cpu -o " + dir.file("r.h5")),
               det + ": /threshold_keV: expected a positive number, got 0");
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"det.json"});

  csi_with(dir, [](nlohmann::json& j) { j["threshold_keV"] = 1e-3; });
  const auto r = run_cevns("rates " + det + " --backend cpu --json");
  ASSERT_EQ(r.status, 0) << r.err;
  const double total = nlohmann::json::parse(r.out)["total"].get<double>();
  EXPECT_TRUE(std::isfinite(total));
  EXPECT_GT(total, 0.0);
}

TEST(CliValidation, ImplausibleConfigValueWarnsOnOneLineAndRuns) {
  ScratchDir dir;
  const std::string det = csi_with(dir, [](nlohmann::json& j) { j["baseline_m"] = 0.0193;
    j["baseline_spread_m"] = 0.001;
  });
  const auto r = run_cevns("rates " + det + " --backend cpu --json");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.err, "cevns: warning: " + det +
                       ": /baseline_m: 0.0193 m is less than 1 m from the "
                       "target; is it in km instead of m?\n");
}

TEST(CliValidation, DirectoryAsConfigIsNamed) {
  ScratchDir dir;
  expect_error(run_cevns("rates " + dir.path()),
               dir.path() + ": is a directory, expected a JSON file");
  const std::string empty = dir.write("empty.json", "");
  expect_error(run_cevns("rates " + empty), empty + ": is empty, expected a JSON document");
}

TEST(CliValidation, RatesOutputMustBeARegularFile) {
  ScratchDir dir;
  expect_error(
      run_cevns("rates " + kCsi + " --backend cpu -o /dev/null"),
      "/dev/null: is a device, not a regular file (expected a new or regular file for -o)");
  expect_error(run_cevns("rates " + kCsi + " --backend cpu -o " + dir.path()),
               dir.path() +
                   ": is a directory, not a regular file (expected a new or regular file "
                   "for -o)");
}

TEST(CliValidation, ScanChecksEveryOutputBeforeComputing) {
  ScratchDir dir;
  const std::string study = small_study(dir);
  const auto r = run_cevns("scan " + study + " --backend cpu -q -o " + dir.file("out.h5") +
                           " --json /nonexistent/x.json");
  expect_error(r, "/nonexistent/x.json: cannot be written (No such file or directory)");
  // Neither out.h5 nor out.h5.partial nor a temporary out.h5.tmp-*.
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"study.json"});
}

TEST(CliValidation, ScanOutputsMustDiffer) {
  ScratchDir dir;
  const std::string study = small_study(dir);
  expect_error(run_cevns("scan " + study + " -q -o " + dir.file("x") + " --json " + dir.file("x")),
               dir.file("x") + ": is the output of both -o and --json (expected different files)");
  expect_error(
      run_cevns("scan " + study + " -q -o /dev/null"),
      "/dev/null: is a device, not a regular file (expected a new or regular file for -o)");
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"study.json"});
}

TEST(CliValidation, ChunkPointsMustBePositiveAndBounded) {
  ScratchDir dir;
  const std::string study = small_study(dir);
  expect_error(run_cevns("scan " + study + " -q --chunk-points 0 -o " + dir.file("out.h5")),
               "--chunk-points: expected a number of grid points from 1 to 1073741824, got 0");
  expect_error(
      run_cevns("scan " + study + " -q --chunk-points 2000000000"),
      "--chunk-points: expected a number of grid points from 1 to 1073741824, got 2000000000");
  expect_error(run_cevns("scan " + study + " -q --chunk-points -1"),
               "--chunk-points: expected a number of grid points from 1 to 1073741824, got a "
               "negative number");
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"study.json"});
}

TEST(CliValidation, SelfReferencingScenarioFileStopsTheScan) {
  ScratchDir dir;
  dir.write("loop.json", "\"loop.json\"");
  const std::string study = small_study(dir, {"loop.json"});
  const std::string loop = dir.file("loop.json");
  expect_error(run_cevns("scan " + study + " -q -o " + dir.file("out.h5")),
               loop + ": /: references itself (" + loop + " -> " + loop + ")");
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"loop.json", "study.json"}));
}

TEST(CliValidation, MissingDetectorOfAStudyIsReportedAtTheStudy) {
  ScratchDir dir;
  const nlohmann::json study = {
      {"name", "s"},
      {"detectors", {"detectors/csi.json"}},
      {"scans",
       {{{"name", "w"},
         {"axes", {{{"parameter", "sin2_theta_W"}, {"min", 0.1}, {"max", 0.4}, {"points", 5}}}}}}}};
  const std::string path = dir.write("study.json", study.dump());
  expect_error(run_cevns("scan " + path + " -q"),
               path + ": /detectors/0: \"" + dir.file("detectors/csi.json") +
                   "\" cannot be read (No such file or directory)");
}

TEST(CliValidation, MergeOutputMustBeARegularFile) {
  ScratchDir dir;
  const std::string part = dir.write("part.h5", "not read: the output is checked first");
  expect_error(run_cevns("merge -q -o " + dir.path() + " " + part),
               dir.path() +
                   ": is a directory, not a regular file (expected a new or regular file "
                   "for -o)");
}

TEST(CliValidation, FitGridPointsAndOutputsAreCheckedFirst) {
  // The checks come before the data sets are read, so no COHERENT data is needed here.
  const std::string config = "configs/data/csi2017.json";
  expect_error(run_cevns("fit " + config + " --grid-points 2"),
               "--grid-points: expected a number of points per axis from 3 to 10000000, got 2");
  expect_error(run_cevns("fit " + config + " --grid-points 20000000"),
               "--grid-points: expected a number of points per axis from 3 to 10000000, got 20000000");
  expect_error(
      run_cevns("fit " + config + " -o /dev/null"),
      "/dev/null: is a device, not a regular file (expected a new or regular file for -o)");
  ScratchDir dir;
  expect_error(
      run_cevns("fit " + config + " -o " + dir.file("f.h5") + " --json " + dir.file("f.h5")),
      dir.file("f.h5") + ": is the output of both -o and --json (expected different files)");
  EXPECT_TRUE(dir.entries().empty());
}

TEST(CliValidation, DataSetNameMustBeUsableAsAnHdf5Group) {
  ScratchDir dir;
  auto j = nlohmann::json::parse(testing::read_file(source_path("configs/data/csi2017.json")));
  j["name"] = "CsI/2017";
  const std::string config = dir.write("csi.json", j.dump());
  expect_error(run_cevns("fit " + config + " -o " + dir.file("f.h5")),
               config +
                   ": /name: expected a name usable as an HDF5 group (non-empty, printable, "
                   "no '/', not starting with '.'), got \"CsI/2017\"");
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"csi.json"});
}

}  // namespace
}  // namespace cevns
