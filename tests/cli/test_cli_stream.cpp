// Grids larger than the memory limit (cevns scan/merge --memory-limit): streamed through the
// checkpoint and written in blocks of rows, with the same results, bit for bit, as the grids
// held whole; and the checkpoint's own faults (a kill while its layout is written, a damaged
// file given to --resume).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "host/io/h5io.hpp"
#include "tests/cli/h5_compare.hpp"
#include "tests/study_json.hpp"
#include "tests/test_util.hpp"

namespace cevns {
namespace {

using testing::axis;
using testing::expect_same_datasets;
using testing::file_exists;
using testing::read_file;
using testing::run_cevns;
using testing::ScratchDir;
using testing::source_path;

// One detector, two scenarios; a 1-D scan, a sterile plane and a mediator plane.
std::string write_study(const ScratchDir& dir, const nlohmann::json& statistics = nullptr) {
  nlohmann::json study = {
      {"name", "stream"},
      {"detectors", {source_path("configs/detectors/ar.json")}},
      {"scenarios", {"ideal", "sys15"}},
      {"quadrature", {{"recoil_nodes", 8}, {"energy_nodes", 8}, {"energy_panels", 2}}},
      {"scans",
       {{{"name", "w"}, {"axes", {axis("sin2_theta_W", 0.1, 0.4, 31)}}},
        {{"name", "s"},
         {"channel", "nue"},
         {"axes",
          {axis("sin2_2theta", 1e-2, 1.0, 21, true), axis("dm2_eV2", 0.1, 100.0, 17, true)}}},
        {{"name", "z"},
         {"mediator", "vector_universal"},
         {"axes",
          {axis("mediator_coupling", 1e-6, 1e-2, 15, true),
           axis("mediator_mass_MeV", 0.1, 2000.0, 11, true)}}}}}};
  if (!statistics.is_null()) {
    study["statistics"] = statistics;
    study["scenarios"] = {"ideal"};
    study["scans"][1]["axes"] = {axis("sin2_2theta", 1e-2, 1.0, 9, true),
                                 axis("dm2_eV2", 0.1, 100.0, 7, true)};
    study["scans"].erase(2);
  }
  return dir.write("study.json", study.dump(2));
}

// The table of the whole run and the streamed one, as printed and as --json writes it.
void expect_same_tables(const testing::CommandResult& a, const testing::CommandResult& b,
                        const std::string& json_a, const std::string& json_b) {
  EXPECT_EQ(a.out, b.out);
  const std::string ja = read_file(json_a), jb = read_file(json_b);
  EXPECT_GT(ja.size(), 1000u);
  EXPECT_EQ(ja, jb);  // every number printed with all its digits
}

constexpr const char* kStreamNote = "streamed to disk in row blocks";

void expect_streamed_equals_whole(const std::string& method) {
  ScratchDir dir;
  const std::string study = write_study(dir);
  const std::string common = "--backend cpu --chunk-points 40 --method " + method + " ";
  const auto whole = run_cevns("scan " + study + " " + common + "-o " + dir.file("whole.h5") +
                               " --json " + dir.file("whole.json"));
  ASSERT_EQ(whole.status, 0) << whole.err;
  EXPECT_EQ(whole.err.find(kStreamNote), std::string::npos) << whole.err;
  // 2 kB: two rows of a 21-point grid per block, many blocks per grid.
  const auto streamed = run_cevns("scan " + study + " " + common + "--memory-limit 2K -o " +
                                  dir.file("s.h5") + " --json " + dir.file("s.json"));
  ASSERT_EQ(streamed.status, 0) << streamed.err;
  EXPECT_NE(streamed.err.find(kStreamNote), std::string::npos) << streamed.err;
  expect_same_tables(whole, streamed, dir.file("whole.json"), dir.file("s.json"));
  EXPECT_GT(expect_same_datasets(dir.file("whole.h5"), dir.file("s.h5")), 50u);
  EXPECT_FALSE(file_exists(dir.file("s.h5.partial")));
  EXPECT_FALSE(file_exists(dir.file("s.h5.partial.new")));
}

TEST(CliStream, FactorisedStreamedScanEqualsTheWholeGrids) {
  expect_streamed_equals_whole("factorised");
}

TEST(CliStream, DirectStreamedScanEqualsTheWholeGrids) { expect_streamed_equals_whole("direct"); }

TEST(CliStream, FeldmanCousinsStreamedScanEqualsTheWholeGrids) {
  ScratchDir dir;
  const std::string study =
      write_study(dir, {{"method", "feldman_cousins"}, {"toys", 100}, {"seed", 3}});
  const std::string common = "--backend cpu -q --chunk-points 20 ";
  const auto whole = run_cevns("scan " + study + " " + common + "-o " + dir.file("whole.h5") +
                               " --json " + dir.file("whole.json"));
  ASSERT_EQ(whole.status, 0) << whole.err;
  const auto streamed = run_cevns("scan " + study + " " + common + "--memory-limit 1K -o " +
                                  dir.file("s.h5") + " --json " + dir.file("s.json"));
  ASSERT_EQ(streamed.status, 0) << streamed.err;
  expect_same_tables(whole, streamed, dir.file("whole.json"), dir.file("s.json"));
  EXPECT_GT(expect_same_datasets(dir.file("whole.h5"), dir.file("s.h5")), 20u);
  h5::File f = h5::File::open_read(dir.file("s.h5"));
  EXPECT_TRUE(f.root().group("s/Ar/ideal").has("critical_delta_chi2"));
  EXPECT_TRUE(f.root().group("s/Ar/ideal").has("toys"));
}

TEST(CliStream, StreamedShardsAndMergeEqualTheWholeRun) {
  ScratchDir dir;
  const std::string study = write_study(dir);
  const std::string common = "--backend cpu -q --chunk-points 40 ";
  ASSERT_EQ(run_cevns("scan " + study + " " + common + "-o " + dir.file("whole.h5")).status, 0);
  std::string parts, streamed_parts;
  for (int k = 0; k < 2; ++k) {
    const std::string shard = "--shard " + std::to_string(k) + "/2 ";
    const std::string part = dir.file("part-" + std::to_string(k) + ".h5");
    const std::string spart = dir.file("spart-" + std::to_string(k) + ".h5");
    ASSERT_EQ(run_cevns("scan " + study + " " + common + shard + "-o " + part).status, 0);
    const auto r =
        run_cevns("scan " + study + " " + common + shard + "--memory-limit 1K -o " + spart);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_GT(expect_same_datasets(part, spart), 12u);
    parts += " " + part;
    streamed_parts += " " + spart;
  }
  const auto merged = run_cevns("merge --backend cpu -o " + dir.file("merged.h5") + parts);
  ASSERT_EQ(merged.status, 0) << merged.err;
  const auto streamed = run_cevns("merge --backend cpu --memory-limit 1K -o " +
                                  dir.file("smerged.h5") + streamed_parts);
  ASSERT_EQ(streamed.status, 0) << streamed.err;
  EXPECT_NE(streamed.err.find("merging in row blocks"), std::string::npos) << streamed.err;
  EXPECT_EQ(merged.out, streamed.out);  // the table
  EXPECT_GT(expect_same_datasets(dir.file("whole.h5"), dir.file("smerged.h5")), 50u);
}

TEST(CliStream, ResumedStreamedScanEqualsAnUninterruptedOne) {
  ScratchDir dir;
  const std::string study = write_study(dir);
  const std::string base = "scan " + study + " --backend cpu --chunk-points 40 --memory-limit 1K ";
  const std::string args = base + "-q ";
  ASSERT_EQ(run_cevns(args + "-o " + dir.file("whole.h5")).status, 0);
  const std::string out = dir.file("out.h5");
  setenv("CEVNS_TEST_KILL_AFTER_CHUNKS", "7", 1);
  const auto killed = run_cevns(args + "-o " + out);
  unsetenv("CEVNS_TEST_KILL_AFTER_CHUNKS");
  EXPECT_NE(killed.status, 0);
  ASSERT_TRUE(file_exists(out + ".partial"));
  EXPECT_FALSE(file_exists(out));
  const auto resumed = run_cevns(base + "--resume -o " + out);
  ASSERT_EQ(resumed.status, 0) << resumed.err;
  EXPECT_NE(resumed.err.find(": 7 of "), std::string::npos) << resumed.err;  // chunks kept
  EXPECT_GT(expect_same_datasets(dir.file("whole.h5"), out), 50u);
  EXPECT_FALSE(file_exists(out + ".partial"));
}

TEST(CliStream, WithoutAnOutputFileAGridAboveTheLimitIsRefused) {
  ScratchDir dir;
  const std::string study = write_study(dir);
  const auto r = run_cevns("scan " + study + " --backend cpu --memory-limit 1K");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(study + ": needs about "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("more than --memory-limit 1.02 kB (without -o the grids are held whole; "
                       "with -o FILE.h5 they stream to disk in row blocks)"),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST(CliStream, CheckReportsTheStreamedEstimate) {
  ScratchDir dir;
  const std::string study = write_study(dir);
  const auto whole = run_cevns("scan " + study + " --check -o " + dir.file("x.h5"));
  ASSERT_EQ(whole.status, 0) << whole.err;
  EXPECT_EQ(whole.out.find(kStreamNote), std::string::npos) << whole.out;
  const auto r = run_cevns("scan " + study + " --check --memory-limit 1K -o " + dir.file("x.h5"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find(kStreamNote), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("exceed the memory limit 1.02 kB"), std::string::npos) << r.out;
  EXPECT_FALSE(file_exists(dir.file("x.h5")));
}

TEST(CliStream, RejectsAMalformedMemoryLimit) {
  ScratchDir dir;
  const std::string study = write_study(dir);
  for (const char* bad : {"12x", "1.5G", "100", "G", "99999999999999999G"}) {
    const auto r =
        run_cevns("scan " + study + " --memory-limit " + bad + " -o " + dir.file("x.h5"));
    EXPECT_EQ(r.status, 2) << bad;
    EXPECT_NE(r.err.find("--memory-limit: expected a size in bytes of at least 1K, with an "
                         "optional K, M, G or T suffix (e.g. 512M, 8G), got \"" +
                         std::string(bad) + "\""),
              std::string::npos)
        << r.err;
    EXPECT_FALSE(file_exists(dir.file("x.h5.partial")));
  }
}

// --- the checkpoint's faults ---------------------------------------------------------------------

TEST(CliCheckpoint, AKillWhileTheLayoutIsWrittenLeavesNoCheckpoint) {
  ScratchDir dir;
  const std::string study = write_study(dir);
  const std::string args = "scan " + study + " --backend cpu -q --chunk-points 40 ";
  const std::string out = dir.file("out.h5");
  setenv("CEVNS_TEST_KILL_IN_LAYOUT", "1", 1);
  const auto killed = run_cevns(args + "-o " + out);
  unsetenv("CEVNS_TEST_KILL_IN_LAYOUT");
  EXPECT_NE(killed.status, 0);
  // The layout is HDF5 metadata, written in many pieces: never visible half done.
  EXPECT_FALSE(file_exists(out + ".partial"));
  EXPECT_FALSE(file_exists(out));
  const auto resumed = run_cevns(args + "--resume -o " + out);
  ASSERT_EQ(resumed.status, 0) << resumed.err;
  ASSERT_EQ(run_cevns(args + "-o " + dir.file("whole.h5")).status, 0);
  EXPECT_GT(expect_same_datasets(dir.file("whole.h5"), out), 50u);
  EXPECT_FALSE(file_exists(out + ".partial.new"));
}

TEST(CliCheckpoint, ADamagedCheckpointIsRefusedWithOneClearLine) {
  ScratchDir dir;
  const std::string study = write_study(dir);
  const std::string args = "scan " + study + " --backend cpu -q --chunk-points 40 ";
  const std::string out = dir.file("out.h5");
  setenv("CEVNS_TEST_KILL_AFTER_CHUNKS", "2", 1);
  EXPECT_NE(run_cevns(args + "-o " + out).status, 0);
  unsetenv("CEVNS_TEST_KILL_AFTER_CHUNKS");
  const std::string intact = read_file(out + ".partial");
  ASSERT_GT(intact.size(), 8192u);
  // Torn metadata (zeros over the object headers after the superblock) and a truncated file.
  std::string torn = intact;
  std::fill(torn.begin() + 96, torn.begin() + 4096, '\0');
  for (const std::string& damaged : {torn, intact.substr(0, intact.size() / 2)}) {
    std::ofstream(out + ".partial", std::ios::binary) << damaged;
    const auto r = run_cevns(args + "--resume -o " + out);
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_EQ(r.err.rfind("cevns: error: " + out + ".partial: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find("remove it to start over"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
    EXPECT_FALSE(file_exists(out));
  }
}

}  // namespace
}  // namespace cevns
