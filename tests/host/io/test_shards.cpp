// Shards and checkpoints in the library: row ranges, chunking, hashes, resuming a checkpoint.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "host/config/study.hpp"
#include "host/core/error.hpp"
#include "host/engine/study_run.hpp"
#include "host/io/checkpoint.hpp"
#include "tests/study_json.hpp"
#include "tests/test_util.hpp"

namespace cevns {
namespace {

using testing::axis;
using testing::source_path;

Study tiny_study(const Json& scans) {
  const Json j = {{"name", "tiny"},
                  {"detectors", {source_path("configs/detectors/ar.json")}},
                  {"scenarios", {"sys15"}},
                  {"quadrature", {{"recoil_nodes", 8}, {"energy_nodes", 8}, {"energy_panels", 2}}},
                  {"scans", scans}};
  return parse_study(j, "tiny.json");
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

TEST(Shards, RowRangesAreContiguousCompleteAndBalancedToOneRow) {
  for (std::size_t n_rows : {0, 1, 2, 7, 17, 100, 401}) {
    for (std::size_t count : {1, 2, 3, 4, 7, 16, 500}) {
      std::size_t next = 0, smallest = n_rows, largest = 0;
      for (std::size_t k = 0; k < count; ++k) {
        const auto [begin, end] = shard_row_range(n_rows, k, count);
        EXPECT_EQ(begin, next) << n_rows << " rows, shard " << k << "/" << count;
        ASSERT_LE(begin, end);
        smallest = std::min(smallest, end - begin);
        largest = std::max(largest, end - begin);
        next = end;
      }
      EXPECT_EQ(next, n_rows);
      EXPECT_LE(largest - smallest, 1u) << n_rows << " rows in " << count << " shards";
    }
  }
}

TEST(Shards, ParsesKOverNAndRejectsEverythingElse) {
  const Shard s = parse_shard("3/8");
  EXPECT_EQ(s.index, 3u);
  EXPECT_EQ(s.count, 8u);
  EXPECT_EQ(parse_shard("0/1").count, 1u);
  for (const char* bad :
       {"8/8", "1/0", "-1/4", "1", "a/b", "1/2/3", "", "/4", "2/", " 1/4", "1.0/4"}) {
    try {
      parse_shard(bad);
      ADD_FAILURE() << "accepted \"" << bad << "\"";
    } catch (const InputError& e) {
      EXPECT_EQ(std::string(e.what()),
                std::string("--shard: expected K/N with 0 <= K < N, got \"") + bad + "\"");
    }
  }
}

TEST(Shards, Sha256MatchesTheStandardVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000, 'a')),
            "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
}

TEST(Shards, StudyHashFollowsEverythingThatChangesTheNumbers) {
  const Json scans = Json::array({{{"name", "w"}, {"axes", {axis("sin2_theta_W", 0.1, 0.4, 11)}}}});
  const Study a = tiny_study(scans);
  EXPECT_EQ(study_hash(a), study_hash(tiny_study(scans)));
  // Re-parsing the stored config (as cevns merge does) gives the same study and hash.
  EXPECT_EQ(study_hash(parse_study(Json::parse(a.json.dump()), "x.h5")), study_hash(a));
  const Study b =
      tiny_study(Json::array({{{"name", "w"}, {"axes", {axis("sin2_theta_W", 0.1, 0.4, 12)}}}}));
  EXPECT_NE(study_hash(a), study_hash(b));
}

// Rows of GridRows, chunked and sharded, give the whole grid's values bit for bit, in 1-D
// (rows are points) and 2-D (rows of axis 1).
TEST(Shards, ChunkedShardedRowsEqualTheWholeGrid) {
  const Json scans = Json::array(
      {{{"name", "n"}, {"axes", {axis("eps_ee_uV", -1, 1, 13), axis("eps_etau_uV", -1, 1, 11)}}},
       {{"name", "w"}, {"axes", {axis("sin2_theta_W", 0.1, 0.4, 29)}}}});
  const Study st = tiny_study(scans);
  auto backend = make_cpu_backend();
  Progress quiet(Progress::Mode::kQuiet);
  const StudyModels models = build_study_models(st, *backend, Method::kFactorised);
  ASSERT_EQ(models.models.size(), 2u);
  for (const auto& model : models.models) {
    const auto whole = compute_grid(*model, *backend, quiet, "whole");
    for (std::size_t chunk_points : {1, 5, 26, 1000}) {
      const GridRows rows = grid_rows(model->input(), chunk_points);
      std::vector<double> merged(whole.size(), NAN);
      std::size_t chunks = 0;
      for (std::size_t k = 0; k < 3; ++k) {
        const auto [begin, end] = shard_row_range(rows.n_rows, k, 3);
        std::vector<double> part;
        chunks += run_grids({GridJob{model.get(), &part, begin, end, "part"}}, *backend,
                            chunk_points, quiet);
        for (std::size_t i = begin * rows.row_points; i < end * rows.row_points; ++i)
          merged[i] = part[i];
        for (std::size_t i = 0; i < part.size(); ++i)
          if (i < begin * rows.row_points || i >= end * rows.row_points) {
            EXPECT_TRUE(std::isnan(part[i]));
          }
      }
      EXPECT_TRUE(same_bits(whole, merged)) << "chunk_points " << chunk_points;
      std::size_t expected_chunks = 0;
      for (std::size_t k = 0; k < 3; ++k) {
        const auto [begin, end] = shard_row_range(rows.n_rows, k, 3);
        expected_chunks += chunk_count(rows, begin, end);
      }
      EXPECT_EQ(chunks, expected_chunks);
    }
  }
}

TEST(Shards, CheckpointKeepsFinishedChunksAndRejectsAnotherLayout) {
  testing::ScratchDir dir;
  const std::string path = dir.file("c.h5.partial");
  const Study st = tiny_study(Json::array(
      {{{"name", "n"}, {"axes", {axis("eps_ee_uV", -1, 1, 7), axis("eps_etau_uV", -1, 1, 9)}}}}));
  auto backend = make_cpu_backend();
  Progress quiet(Progress::Mode::kQuiet);
  StudyModels models = build_study_models(st, *backend, Method::kFactorised);
  const ScanModel& model = *models.models[0];
  ScanFileInfo info;
  info.provenance = Provenance{"test", backend->name(), st.json};
  info.study_hash = study_hash(st);
  info.chunk_points = 14;  // two rows a chunk: 9 rows in chunks of 2, 2, 2, 2, 1
  const GridRows rows = grid_rows(model.input(), info.chunk_points);
  const std::vector<std::pair<std::size_t, std::size_t>> ranges = {{0, rows.n_rows}};
  std::vector<double> first;
  {
    Checkpoint c = Checkpoint::create(path, info);
    c.add_groups(models.results, {rows}, ranges);
    // Only chunks 1 and 3 finish.
    GridHooks hooks;
    hooks.done = [](std::size_t, std::size_t k) { return k != 1 && k != 3; };
    hooks.finished = [&](std::size_t job, std::size_t k, std::size_t r0, std::size_t n,
                         const double* v) { c.write_chunk(job, k, r0, n, v); };
    run_grids({GridJob{&model, &first, 0, rows.n_rows, "n"}}, *backend, info.chunk_points, quiet,
              hooks);
    c.close();
  }
  auto resumed = Checkpoint::resume(path, info);
  ASSERT_TRUE(resumed.has_value());
  resumed->add_groups(models.results, {rows}, ranges);
  std::vector<double> grid;
  const std::vector<bool> done = resumed->restore(0, &grid);
  EXPECT_EQ(done, (std::vector<bool>{false, true, false, true, false}));
  const auto whole = compute_grid(model, *backend, quiet, "n");
  for (std::size_t i = 0; i < grid.size(); ++i) {
    const std::size_t chunk = i / 7 / 2;
    if (chunk == 1 || chunk == 3)
      EXPECT_EQ(grid[i], whole[i]);
    else
      EXPECT_TRUE(std::isnan(grid[i]));
  }
  resumed->close();

  ScanFileInfo other = info;
  other.chunk_points = 21;
  EXPECT_THROW(Checkpoint::resume(path, other), InputError);
  other = info;
  other.shard = Shard{0, 2};
  EXPECT_THROW(Checkpoint::resume(path, other), InputError);
  other = info;
  other.study_hash = sha256_hex("another study");
  EXPECT_THROW(Checkpoint::resume(path, other), InputError);
}

}  // namespace
}  // namespace cevns
