#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <nlohmann/json.hpp>

#include "host/config/study.hpp"
#include "host/engine/study_run.hpp"
#include "host/io/h5io.hpp"
#include "tests/study_json.hpp"
#include "tests/test_util.hpp"
#include "version.hpp"

namespace cevns {
namespace {

using testing::run_cevns;
using testing::ScratchDir;

// A small two-detector, two-scenario study with a 1-D and a 2-D scan.
std::string write_small_study(const ScratchDir& dir) {
  const nlohmann::json study = testing::two_detector_study("small");
  return dir.write("small.json", study.dump(2));
}

TEST(CliScan, WritesTheDocumentedFileAndJsonTable) {
  ScratchDir dir;
  const std::string study = write_small_study(dir);
  const auto r = run_cevns("scan " + study + " -o " + dir.file("out.h5") + " --json " +
                           dir.file("out.json") + " --backend cpu -q");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("90% CL interval"), std::string::npos);
  EXPECT_NE(r.out.find("excluded sin^2(2theta)"), std::string::npos);

  h5::File f = h5::File::open_read(dir.file("out.h5"));
  h5::Group root = f.root();
  EXPECT_EQ(root.attr_string("program"), "cevns-scan");
  EXPECT_EQ(root.attr_string("version"), kVersion);
  EXPECT_EQ(root.attr_string("git_commit"), kGitCommit);
  EXPECT_EQ(root.attr_string("file_kind"), "scan");
  EXPECT_EQ(root.attr_int("complete"), 1);
  EXPECT_FALSE(root.attr_string("created").empty());
  const auto config = nlohmann::json::parse(root.attr_string("config_json"));
  EXPECT_EQ(config["name"], "small");
  EXPECT_EQ(config["detectors"].size(), 2u);
  EXPECT_EQ(config["detectors"][0]["name"], "Ar");  // detectors inlined, not file names
  EXPECT_EQ(config["analysis"]["delta_chi2_1d"], 2.71);

  // Every group's chi2 is the grid the library computes for the same study and scenario.
  const Study st = load_study(study);
  auto backend = make_cpu_backend();
  Progress quiet(Progress::Mode::kQuiet);
  const auto table = nlohmann::json::parse(testing::read_file(dir.file("out.json")));
  std::size_t k = 0;
  for (const auto& scan : st.scans) {
    for (const auto& det : st.detectors) {
      const PreparedDetector prepared = prepare_detector(det, st.analysis, *backend);
      for (const auto& scenario : st.scenarios) {
        const std::string path = scan.name + "/" + det.name + "/" + scenario.name;
        SCOPED_TRACE(path);
        ASSERT_TRUE(root.has(path));
        h5::Group g = root.group(path);
        const auto model_ptr =
            make_study_model(prepared, st, scan, scenario, Method::kFactorised, *backend);
        const ScanModel& model = *model_ptr;
        const auto expected = compute_grid(model, *backend, quiet, path);
        std::vector<std::size_t> shape;
        const auto chi2 = g.read("chi2", &shape);
        ASSERT_EQ(chi2.size(), expected.size());
        for (std::size_t i = 0; i < chi2.size(); ++i) EXPECT_EQ(chi2[i], expected[i]);
        if (scan.axes.size() == 2) {
          EXPECT_EQ(shape, (std::vector<std::size_t>{17, 21}));  // (dm2, sin2_2theta)
          EXPECT_EQ(g.dataset_attr_string("dm2_eV2", "units"), "eV^2");
          EXPECT_EQ(g.dataset_attr_string("sin2_2theta", "scale"), "log");
          EXPECT_EQ(g.read("exclusion_sin2_2theta").size(), 17u);
        } else {
          const auto ivs = g.read("intervals");
          ASSERT_EQ(ivs.size(), 2 * table[k]["intervals"].size());
          for (std::size_t i = 0; i < ivs.size(); ++i)
            EXPECT_EQ(ivs[i], table[k]["intervals"][i / 2][i % 2].get<double>());
          EXPECT_DOUBLE_EQ(g.attr_double("sensitivity_percent"),
                           table[k]["sensitivity_percent"].get<double>());
        }
        for (const char* ds : {"chi2", "delta_chi2"}) {
          EXPECT_FALSE(g.dataset_attr_string(ds, "units").empty());
          EXPECT_FALSE(g.dataset_attr_string(ds, "long_name").empty());
        }
        EXPECT_EQ(table[k]["detector"], det.name);
        EXPECT_EQ(table[k]["scenario"], scenario.name);
        ++k;
      }
    }
  }
  EXPECT_EQ(k, table.size());
}

TEST(CliScan, UnwritableOutputFailsBeforeComputingAndLeavesNothing) {
  ScratchDir dir;
  const std::string study = write_small_study(dir);
  const auto r = run_cevns("scan " + study + " -o " + dir.file("missing/out.h5") + " -q");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "cevns: error: " + dir.file("missing/out.h5") +
                       ": cannot be written (No such file or directory)\n");
}

TEST(CliScan, BadStudyLeavesNoOutputFile) {
  ScratchDir dir;
  const std::string study =
      dir.write("bad.json", "{\"name\": \"x\", \"detectors\": [], \"scans\": []}");
  const auto r = run_cevns("scan " + study + " -o " + dir.file("out.h5") + " -q");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "cevns: error: " + study + ": /detectors: expected a non-empty array, got []\n");
  EXPECT_FALSE(testing::file_exists(dir.file("out.h5")));
}

TEST(CliScan, ProgressIsPlainLinesWhenNotATerminalAndSilentWhenQuiet) {
  ScratchDir dir;
  const std::string study = write_small_study(dir);
  const auto loud = run_cevns("scan " + study + " --backend cpu");
  ASSERT_EQ(loud.status, 0);
  EXPECT_NE(loud.err.find("w/Ar/ideal: 31 points"), std::string::npos) << loud.err;
  EXPECT_NE(loud.err.find("took"), std::string::npos);
  EXPECT_EQ(loud.err.find('\r'), std::string::npos);  // no bar redraws in a log file
  const auto quiet = run_cevns("scan " + study + " --backend cpu -q");
  EXPECT_EQ(quiet.err, "");
}

TEST(CliScan, MethodDirectGivesTheSameIntervals) {
  ScratchDir dir;
  const std::string study = write_small_study(dir);
  ASSERT_EQ(run_cevns("scan " + study + " -q --json " + dir.file("f.json")).status, 0);
  ASSERT_EQ(run_cevns("scan " + study + " -q --method direct --json " + dir.file("d.json")).status,
            0);
  const auto f = nlohmann::json::parse(testing::read_file(dir.file("f.json")));
  const auto d = nlohmann::json::parse(testing::read_file(dir.file("d.json")));
  ASSERT_EQ(f.size(), d.size());
  for (std::size_t k = 0; k < f.size(); ++k) {
    if (!f[k].contains("intervals")) continue;
    for (std::size_t i = 0; i < f[k]["intervals"].size(); ++i)
      for (int b = 0; b < 2; ++b)
        EXPECT_NEAR(f[k]["intervals"][i][b].get<double>(), d[k]["intervals"][i][b].get<double>(),
                    1e-8);
  }
}

}  // namespace
}  // namespace cevns

namespace cevns {
namespace {

TEST(CliScan, ChunkedAndUnchunkedRunsWriteIdenticalDatasets) {
  testing::ScratchDir dir;
  const std::string study = write_small_study(dir);
  ASSERT_EQ(testing::run_cevns("scan " + study + " -q -o " + dir.file("a.h5")).status, 0);
  ASSERT_EQ(
      testing::run_cevns("scan " + study + " -q --chunk-points 7 -o " + dir.file("b.h5")).status,
      0);
  h5::File a = h5::File::open_read(dir.file("a.h5")), b = h5::File::open_read(dir.file("b.h5"));
  std::size_t compared = 0;
  std::function<void(h5::Group, h5::Group)> compare = [&](h5::Group ga, h5::Group gb) {
    EXPECT_EQ(ga.children(), gb.children()) << ga.path();
    for (const auto& name : ga.children()) {
      if (ga.is_group(name)) {
        compare(ga.group(name), gb.group(name));
      } else {
        const auto va = ga.read(name), vb = gb.read(name);
        ASSERT_EQ(va.size(), vb.size());
        // Bit for bit, NaN included.
        EXPECT_EQ(std::memcmp(va.data(), vb.data(), va.size() * sizeof(double)), 0)
            << ga.path() << "/" << name;
        ++compared;
      }
    }
  };
  compare(a.root(), b.root());
  EXPECT_GT(compared, 20u);
}

}  // namespace
}  // namespace cevns
