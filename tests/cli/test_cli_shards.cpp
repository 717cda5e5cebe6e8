// cevns scan --shard / --resume and cevns merge, end to end.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "host/io/h5io.hpp"
#include "tests/cli/h5_compare.hpp"
#include "tests/study_json.hpp"
#include "tests/test_util.hpp"

namespace cevns {
namespace {

using testing::expect_same_datasets;
using testing::file_exists;
using testing::run_cevns;
using testing::ScratchDir;
using testing::source_path;

// Two detectors, two scenarios, a 1-D scan (31 points) and a 2-D sterile scan (21 x 17).
std::string write_study(const ScratchDir& dir, const std::string& name = "study.json",
                        int points = 31) {
  const nlohmann::json study = testing::two_detector_study("shards", points);
  return dir.write(name, study.dump(2));
}

// Runs cevns with one environment variable set (the test-only kill hook).
testing::CommandResult run_cevns_with(const char* var, const std::string& value,
                                      const std::string& args) {
  setenv(var, value.c_str(), 1);
  auto r = run_cevns(args);
  unsetenv(var);
  return r;
}

TEST(CliShards, MergedShardsEqualAnUnshardedRun) {
  ScratchDir dir;
  const std::string study = write_study(dir);
  const std::string common = "--backend cpu -q --chunk-points 40 ";
  ASSERT_EQ(run_cevns("scan " + study + " " + common + "-o " + dir.file("full.h5")).status, 0);
  std::string parts;
  for (int k = 0; k < 3; ++k) {
    const std::string part = dir.file("part-" + std::to_string(k) + ".h5");
    const auto r = run_cevns("scan " + study + " " + common + "--shard " + std::to_string(k) +
                             "/3 -o " + part);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_FALSE(file_exists(part + ".partial"));
    parts += " " + part;
  }
  {
    // A shard holds its rows only, says which, and is never taken for a finished scan.
    h5::File f = h5::File::open_read(dir.file("part-1.h5"));
    h5::Group root = f.root();
    EXPECT_EQ(root.attr_string("file_kind"), "scan_shard");
    EXPECT_EQ(root.attr_int("complete"), 0);
    EXPECT_EQ(root.attr_int("shard_index"), 1);
    EXPECT_EQ(root.attr_int("shard_count"), 3);
    EXPECT_EQ(root.attr_string("study_hash").size(), 64u);
    h5::Group s = root.group("s/Ar/ideal"), w = root.group("w/CsI/sys15");
    EXPECT_EQ(s.attr_int("row_begin"), 6);  // 17 dm2 rows: 6, 6, 5
    EXPECT_EQ(s.attr_int("row_end"), 12);
    EXPECT_EQ(w.attr_int("row_begin"), 11);  // 31 points: 11, 10, 10
    EXPECT_EQ(w.attr_int("row_end"), 21);
    EXPECT_FALSE(s.has("delta_chi2"));
    EXPECT_FALSE(w.has("intervals"));
    EXPECT_FALSE(s.has("chunk_done"));
    const auto chi2 = s.read("chi2");
    for (std::size_t i = 0; i < chi2.size(); ++i)
      EXPECT_EQ(std::isnan(chi2[i]), i < 6 * 21 || i >= 12 * 21) << i;
  }
  const auto m = run_cevns("merge --backend cpu -o " + dir.file("merged.h5") + parts);
  ASSERT_EQ(m.status, 0) << m.err;
  EXPECT_NE(m.out.find("excluded sin^2(2theta)"), std::string::npos);  // the results table
  EXPECT_GT(expect_same_datasets(dir.file("full.h5"), dir.file("merged.h5")), 60u);
  h5::File merged = h5::File::open_read(dir.file("merged.h5"));
  EXPECT_EQ(merged.root().attr_int("complete"), 1);
  EXPECT_EQ(merged.root().attr_string("file_kind"), "scan");
  EXPECT_EQ(merged.root().attr_int("merged_shards"), 3);
}

TEST(CliShards, ScanKilledBySigkillResumesWithoutRecomputingFinishedChunks) {
  ScratchDir dir;
  const std::string study = write_study(dir);
  // 40 chunks: four 1-D grids of one chunk, four 2-D grids of 9 chunks (2 rows of 21 points).
  const std::string args =
      "scan " + study + " --backend cpu --chunk-points 42 -o " + dir.file("r.h5");
  ASSERT_EQ(run_cevns("scan " + study + " --backend cpu -q -o " + dir.file("plain.h5")).status, 0);

  const auto killed = run_cevns_with("CEVNS_TEST_KILL_AFTER_CHUNKS", "7", args);
  EXPECT_NE(killed.status, 0);
  EXPECT_FALSE(file_exists(dir.file("r.h5")));  // a partial file never has the final name
  ASSERT_TRUE(file_exists(dir.file("r.h5.partial")));
  {
    h5::File p = h5::File::open_read(dir.file("r.h5.partial"));
    EXPECT_EQ(p.root().attr_int("complete"), 0);
    EXPECT_EQ(p.root().attr_int("checkpoint"), 1);
  }

  // Without --resume the partial run is not silently thrown away.
  const auto again = run_cevns(args);
  EXPECT_EQ(again.status, 2);
  EXPECT_NE(again.err.find("cevns: error: " + dir.file("r.h5.partial") +
                           ": exists: an interrupted run of this output; add --resume to continue "
                           "it, or remove it to start over\n"),
            std::string::npos)
      << again.err;

  // Killed again, after 5 more chunks; then resumed to the end.
  const auto killed2 = run_cevns_with("CEVNS_TEST_KILL_AFTER_CHUNKS", "5", args + " --resume");
  EXPECT_NE(killed2.status, 0);
  EXPECT_NE(killed2.err.find("resuming " + dir.file("r.h5.partial") +
                             ": 7 of 40 chunks were already done"),
            std::string::npos)
      << killed2.err;
  const auto resumed = run_cevns(args + " --resume");
  ASSERT_EQ(resumed.status, 0) << resumed.err;
  EXPECT_NE(resumed.err.find("resuming " + dir.file("r.h5.partial") +
                             ": 12 of 40 chunks were already done"),
            std::string::npos)
      << resumed.err;
  EXPECT_NE(resumed.err.find("computed 28 chunks, 12 restored from a checkpoint"),
            std::string::npos)
      << resumed.err;
  EXPECT_FALSE(file_exists(dir.file("r.h5.partial")));
  EXPECT_GT(expect_same_datasets(dir.file("plain.h5"), dir.file("r.h5")), 60u);
  EXPECT_EQ(h5::File::open_read(dir.file("r.h5")).root().attr_int("complete"), 1);

  // Resuming a finished run computes nothing.
  const auto done = run_cevns(args + " --resume");
  EXPECT_EQ(done.status, 0);
  EXPECT_NE(done.err.find("computed 0 chunks: " + dir.file("r.h5") + " is already complete"),
            std::string::npos)
      << done.err;
}

TEST(CliShards, SigtermSavesFinishedChunksAndSaysHowToResume) {
  ScratchDir dir;
  const std::string study = write_study(dir);
  const std::string base = "scan " + study + " --backend cpu -q --shard 1/2 -o " + dir.file("p.h5");
  const std::string args = base + " --chunk-points 42";
  const auto r = run_cevns_with("CEVNS_TEST_KILL_AFTER_CHUNKS", "3:TERM", args);
  EXPECT_EQ(r.status, 143);
  EXPECT_NE(
      r.err.find("cevns: interrupted by SIGTERM: 3 of 20 chunks are saved in " +
                 dir.file("p.h5.partial") + "; run the same command with --resume to continue\n"),
      std::string::npos)
      << r.err;
  EXPECT_FALSE(file_exists(dir.file("p.h5")));

  // The checkpoint belongs to this study, shard and chunk layout only.
  auto err = run_cevns(base + " --resume --chunk-points 21").err;
  EXPECT_NE(err.find("cannot be resumed: it was started with --chunk-points 42, this run has 21"),
            std::string::npos)
      << err;
  err = run_cevns("scan " + write_study(dir, "other.json", 32) +
                  " --backend cpu -q --chunk-points 42 --shard 1/2 --resume -o " + dir.file("p.h5"))
            .err;
  EXPECT_NE(err.find("cannot be resumed: it is from another study"), std::string::npos) << err;
  err = run_cevns("scan " + study + " --backend cpu -q --chunk-points 42 --shard 0/2 --resume -o " +
                  dir.file("p.h5"))
            .err;
  EXPECT_NE(err.find("it was started with --shard 1/2, this run has --shard 0/2"),
            std::string::npos)
      << err;

  ASSERT_EQ(run_cevns(args + " --resume").status, 0);
  ASSERT_EQ(run_cevns("scan " + study + " --backend cpu -q --chunk-points 42 --shard 0/2 -o " +
                      dir.file("q.h5"))
                .status,
            0);
  ASSERT_EQ(run_cevns("scan " + study + " --backend cpu -q -o " + dir.file("full.h5")).status, 0);
  ASSERT_EQ(run_cevns("merge --backend cpu -q -o " + dir.file("m.h5") + " " + dir.file("q.h5") +
                      " " + dir.file("p.h5"))
                .status,
            0);
  EXPECT_GT(expect_same_datasets(dir.file("full.h5"), dir.file("m.h5")), 60u);
}

TEST(CliShards, MergeRejectsForeignMissingAndDuplicateParts) {
  ScratchDir dir;
  const std::string study = write_study(dir), other = write_study(dir, "other.json", 33);
  const std::string common = " --backend cpu -q -o ";
  for (int k = 0; k < 3; ++k)
    ASSERT_EQ(run_cevns("scan " + study + " --shard " + std::to_string(k) + "/3" + common +
                        dir.file("p" + std::to_string(k) + ".h5"))
                  .status,
              0);
  ASSERT_EQ(run_cevns("scan " + other + " --shard 2/3" + common + dir.file("x2.h5")).status, 0);
  ASSERT_EQ(run_cevns("scan " + study + " --shard 1/4" + common + dir.file("y1.h5")).status, 0);
  const std::string p0 = dir.file("p0.h5"), p1 = dir.file("p1.h5"), p2 = dir.file("p2.h5");
  const std::string out = dir.file("out.h5");
  auto merge = [&](const std::string& parts) {
    return run_cevns("merge -q -o " + out + " " + parts);
  };

  auto r = merge(p0 + " " + p1 + " " + dir.file("x2.h5"));
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err.rfind("cevns: error: " + dir.file("x2.h5") + ": is from another study than " +
                            p0 + " (study_hash ",
                        0),
            0u)
      << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1);

  r = merge(p0 + " " + p2);
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err,
            "cevns: error: merge: missing shard 1 of 3 (shards 0 to 2 are needed, each once)\n");

  r = merge(p0 + " " + p1 + " " + p1 + " " + p2);
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "cevns: error: " + p1 + ": is shard 1/3 again (duplicate of " + p1 + ")\n");

  r = merge(p0 + " " + dir.file("y1.h5") + " " + p2);
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "cevns: error: " + dir.file("y1.h5") + ": is shard 1/4 but " + p0 +
                       " is shard 0/3 (different shard counts)\n");

  ASSERT_EQ(run_cevns("scan " + study + common + dir.file("full.h5")).status, 0);
  r = merge(p0 + " " + dir.file("full.h5"));
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "cevns: error: " + dir.file("full.h5") +
                       ": is not a shard file (file_kind \"scan\"); cevns merge takes the outputs "
                       "of cevns scan --shard K/N\n");
  EXPECT_FALSE(file_exists(out));
  for (const auto& name : {"out.h5.partial"}) EXPECT_FALSE(file_exists(dir.file(name)));

  ASSERT_EQ(merge(p2 + " " + p0 + " " + p1).status, 0);  // any order
  EXPECT_TRUE(file_exists(out));
}

TEST(CliShards, RunShardsScriptRunsLocalShardsAndMerges) {
  ScratchDir dir;
  const std::string study = write_study(dir);
  ASSERT_EQ(run_cevns("scan " + study + " --backend cpu -q -o " + dir.file("full.h5")).status, 0);
  const std::string cmd = std::string("CEVNS='") + CEVNS_BINARY + "' bash '" +
                          source_path("scripts/run_shards.sh") + "' " + study + " 3 -o " +
                          dir.file("rs.h5") + " --backend cpu -q --chunk-points 50 > " +
                          dir.file("rs.out") + " 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << testing::read_file(dir.file("rs.out"));
  EXPECT_GT(expect_same_datasets(dir.file("full.h5"), dir.file("rs.h5")), 60u);
  EXPECT_FALSE(file_exists(dir.file("rs.parts")));  // parts removed after the merge
}

TEST(CliShards, BadShardOptionsExitWithCodeTwo) {
  ScratchDir dir;
  const std::string study = write_study(dir);
  for (const char* bad : {"3/3", "x", "1/0", "-1/2"}) {
    const auto r =
        run_cevns("scan " + study + " -q --shard=" + std::string(bad) + " -o " + dir.file("o.h5"));
    EXPECT_EQ(r.status, 2) << bad;
    EXPECT_EQ(r.err, std::string("cevns: error: --shard: expected K/N with 0 <= K < N, got \"") +
                         bad + "\"\n");
  }
  auto r = run_cevns("scan " + study + " -q --shard 0/2");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "cevns: error: --shard: needs -o FILE.h5 (the shard's output file)\n");
  r = run_cevns("scan " + study + " -q --resume");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err,
            "cevns: error: --resume: needs -o FILE.h5 (the output of the run to continue)\n");
  EXPECT_FALSE(file_exists(dir.file("o.h5")));
  EXPECT_FALSE(file_exists(dir.file("o.h5.partial")));
}

}  // namespace
}  // namespace cevns

namespace cevns {
namespace {

TEST(CliShards, FeldmanCousinsCriticalValuesAreTheSameShardedMergedAndResumed) {
  // Toys keyed by (seed, grid point, toy): shards, merge and a resumed checkpoint (killed in the
  // middle of the critical values) reproduce an uninterrupted run bit for bit, critical values
  // and expected-limit bands included.
  ScratchDir dir;
  nlohmann::json study = nlohmann::json::parse(testing::read_file(write_study(dir)));
  study["detectors"] = {source_path("configs/detectors/ar.json")};
  study["scenarios"] = {"sys15"};
  study["scans"][1]["axes"][0]["points"] = 9;
  study["scans"][1]["axes"][1]["points"] = 7;
  study["statistics"] = {{"method", "feldman_cousins"}, {"toys", 50}, {"seed", 3}};
  const std::string path = dir.write("fc.json", study.dump(2));
  const std::string common = "--backend cpu -q --chunk-points 20 ";
  ASSERT_EQ(run_cevns("scan " + path + " " + common + "-o " + dir.file("full.h5")).status, 0);
  std::string parts;
  for (int k = 0; k < 3; ++k) {
    const std::string part = dir.file("part-" + std::to_string(k) + ".h5");
    ASSERT_EQ(
        run_cevns("scan " + path + " " + common + "--shard " + std::to_string(k) + "/3 -o " + part)
            .status,
        0);
    parts += " " + part;
  }
  ASSERT_EQ(run_cevns("merge -q -o " + dir.file("merged.h5") + parts).status, 0);
  // 31/20 → 2 chi2 chunks of the 1-D grid and 63/20 → 7 rows of 9 in 3 chunks: 5 chi2 chunks,
  // then the critical values; killing after the 7th flushed chunk stops inside the latter.
  const auto killed = run_cevns_with("CEVNS_TEST_KILL_AFTER_CHUNKS", "7",
                                     "scan " + path + " " + common + "-o " + dir.file("r.h5"));
  EXPECT_NE(killed.status, 0);
  ASSERT_TRUE(file_exists(dir.file("r.h5.partial")));
  ASSERT_EQ(run_cevns("scan " + path + " " + common + "--resume -o " + dir.file("r.h5")).status, 0);
  for (const char* other : {"merged.h5", "r.h5"}) {
    EXPECT_GT(expect_same_datasets(dir.file("full.h5"), dir.file(other)), 0u) << other;
  }
  h5::File f = h5::File::open_read(dir.file("full.h5"));
  h5::Group w = f.root().group("w/Ar/sys15");
  EXPECT_TRUE(w.has("critical_delta_chi2"));
  EXPECT_TRUE(w.has("expected_limit_bands"));
  EXPECT_TRUE(f.root().group("s/Ar/sys15").has("critical_delta_chi2"));
  EXPECT_TRUE(f.root().group("s/Ar/sys15").has("expected_limit_bands"));  // per Δm² row
}

}  // namespace
}  // namespace cevns
