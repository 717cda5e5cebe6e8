// Feldman–Cousins for fits to data (SPEC §11; host/data/fit.hpp, kernels/toys.hpp): the screened
// minimum of the Poisson toys against the minimum over every point, joint toys in any chunking
// and equal to the sum of the data sets', the agreement of the joint statistics, and the
// coverage of a data-fit critical value checked with fresh toys.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "host/core/error.hpp"
#include "host/data/coherent_data.hpp"
#include "host/data/fit.hpp"
#include "host/engine/backend_select.hpp"
#include "host/engine/feldman_cousins.hpp"
#include "tests/test_util.hpp"

namespace cevns {
namespace {

#define SKIP_WITHOUT_DATA() CEVNS_SKIP_WITHOUT_DATA("csi2021")

Backend& backend() {
  static auto b = make_cpu_backend();
  return *b;
}

const DataSet& data_set(const std::string& release) {
  static std::map<std::string, DataSet> cache;
  auto it = cache.find(release);
  if (it == cache.end())
    it = cache
             .emplace(release,
                      load_data_set(testing::source_path("configs/data/" + release + ".json"),
                                    std::string(CEVNS_SHARED_DATA_DIR), backend()))
             .first;
  return it->second;
}

Axis log_axis(const std::string& name, int id, double lo, double hi, int points) {
  Axis a;
  a.parameter = name;
  a.id = id;
  a.min = lo;
  a.max = hi;
  a.points = points;
  a.log = true;
  return a;
}

// A small sterile ν_e plane of a data set: its grid model.
DataGrid small_sterile_plane(const DataSet& d, int n0, int n1) {
  PlaneRequest plane;
  plane.name = "sterile_nue";
  plane.channel = kNuEDisappearance;
  plane.axes = {log_axis("sin2_2theta", kSin22Theta, 1e-3, 1.0, n0),
                log_axis("dm2_eV2", kDm2, 1e-2, 1e2, n1)};
  Progress quiet(Progress::Mode::kQuiet);
  return plane_grid(d, d.data, plane, backend(), quiet);
}

// t of every (point, toy) of the given sets' toys, screened or profiled at every point.
std::vector<double> toy_statistics(const std::vector<const ScanModel*>& models, bool screen,
                                   std::uint32_t toys, std::uint64_t seed = 5,
                                   std::size_t max_points = static_cast<std::size_t>(-1)) {
  std::vector<ToyInput> inputs;
  for (std::size_t i = 0; i < models.size(); ++i) {
    inputs.push_back(make_toy_input(*models[i], data_set_seed(seed, i)));
    inputs.back().screen = screen;
  }
  const auto ev =
      models.size() == 1 ? backend().prepare_toys(inputs[0]) : backend().prepare_joint_toys(inputs);
  const std::size_t n = std::min(inputs[0].n_points, max_points);
  std::vector<double> t(n * toys);
  ev->statistics(0, n, 0, toys, t.data());
  return t;
}

TEST(FitFeldmanCousins, ScreenedMinimumIsTheMinimumOverEveryPoint) {
  SKIP_WITHOUT_DATA();
  // A sterile plane of CsI 2021 alone and with LAr 2020 jointly (each point's statistic a sum of
  // two profiles), 6 × 5 points × 8 toys: the screened minimum (surrogate candidates and a
  // descent with the exact statistic) against the minimum over every point. It is never below
  // it (it is one of the grid's values), equal for at least 95% of the toys; the others ended in
  // a local minimum the surrogate pointed to, and their t is too small (on this coarse grid,
  // whose neighbours are far apart, by up to a few tenths).
  const DataGrid a = small_sterile_plane(data_set("csi2021"), 6, 5);
  const DataGrid b = small_sterile_plane(data_set("lar2020"), 6, 5);
  for (const std::vector<const ScanModel*>& models :
       {std::vector<const ScanModel*>{a.model.get()},
        std::vector<const ScanModel*>{a.model.get(), b.model.get()}}) {
    const std::vector<double> screened = toy_statistics(models, true, 8);
    const std::vector<double> full = toy_statistics(models, false, 8);
    ASSERT_EQ(screened.size(), full.size());
    std::size_t same = 0;
    double worst = 0.0;
    for (std::size_t i = 0; i < full.size(); ++i) {
      // The profiles may start elsewhere (a neighbour's pulls): rounding apart, t is the same.
      const double tol = 1e-8 * (1.0 + std::fabs(full[i]));
      same += std::fabs(screened[i] - full[i]) <= tol;
      worst = std::max(worst, full[i] - screened[i]);
      EXPECT_LE(screened[i], full[i] + tol) << models.size() << " set(s), item " << i;
    }
    EXPECT_GE(same, full.size() - full.size() / 20)
        << models.size() << " set(s): largest shortfall of t " << worst;
  }
}

TEST(FitFeldmanCousins, JointToysAreTheSameInAnyChunkingAndSumTheSetsStatistics) {
  SKIP_WITHOUT_DATA();
  const DataGrid a = small_sterile_plane(data_set("csi2021"), 5, 4);
  const DataGrid b = small_sterile_plane(data_set("lar2020"), 5, 4);
  std::vector<ToyInput> inputs{make_toy_input(*a.model, data_set_seed(3, 0)),
                               make_toy_input(*b.model, data_set_seed(3, 1))};
  for (auto& in : inputs) in.screen = true;
  const auto whole = backend().prepare_joint_toys(inputs);
  const std::uint32_t toys = 8;
  std::vector<double> all(20 * toys);
  whole->statistics(0, 20, 0, toys, all.data());
  // Point by point, and the toys of one point in two ranges, from a fresh evaluator.
  const auto parts = backend().prepare_joint_toys(inputs);
  for (std::size_t p = 0; p < 20; ++p) {
    std::vector<double> one(toys);
    parts->statistics(p, 1, 0, toys / 2, one.data());
    parts->statistics(p, 1, toys / 2, toys, one.data() + toys / 2);
    for (std::uint32_t j = 0; j < toys; ++j) EXPECT_EQ(one[j], all[p * toys + j]) << p << " " << j;
  }
  // The keys of the two sets differ: the joint toys are not the first set's toys twice.
  EXPECT_NE(inputs[0].seed, inputs[1].seed);
  EXPECT_EQ(inputs[0].seed, 3u);  // a single data set's toys are the first set's of a joint fit
  // t ≥ 0 (the true point is on the grid), and the joint statistic is not either set's alone.
  const std::vector<double> csi = toy_statistics({a.model.get()}, true, toys, 3);
  std::size_t differ = 0;
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_GE(all[i], 0.0);
    differ += all[i] != csi[i];
  }
  EXPECT_GT(differ, all.size() / 2);
}

TEST(FitFeldmanCousins, CriticalValuesAgreeWithTheCudaBackend) {
  SKIP_WITHOUT_DATA();
  if (cuda_device_count() == 0) GTEST_SKIP() << "no GPU";
  const DataGrid a = small_sterile_plane(data_set("csi2021"), 6, 5);
  const DataGrid b = small_sterile_plane(data_set("lar2020"), 6, 5);
  StatisticsOptions st;
  st.feldman_cousins = true;
  st.toys = 40;
  st.seed = 9;
  auto cuda = make_cuda_backend();
  Progress quiet(Progress::Mode::kQuiet);
  const std::vector<const ScanModel*> models{a.model.get(), b.model.get()};
  const auto cpu_t = feldman_cousins_critical_values(models, st, 0.9, backend(), quiet, "cpu");
  const auto gpu_t = feldman_cousins_critical_values(models, st, 0.9, *cuda, quiet, "gpu");
  ASSERT_EQ(cpu_t.size(), gpu_t.size());
  // Same toys (Philox and arithmetic only); the statistic's logarithms may differ in the last
  // bits between the C library and CUDA.
  for (std::size_t i = 0; i < cpu_t.size(); ++i)
    EXPECT_NEAR(cpu_t[i], gpu_t[i], 1e-9 * (1.0 + cpu_t[i])) << i;
}

TEST(FitFeldmanCousins, JointStatisticsMustAgree) {
  SKIP_WITHOUT_DATA();
  DataSet a = data_set("csi2021"), b = data_set("lar2020");
  a.statistics.feldman_cousins = b.statistics.feldman_cousins = true;
  a.statistics.toys = 100;
  b.statistics.toys = 200;
  try {
    joint_statistics({&a, &b});
    ADD_FAILURE() << "different toys are an error";
  } catch (const InputError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find(b.file +
                     ": /statistics: expected the statistics of every data set fitted "
                     "jointly to agree: " +
                     a.file +
                     " has {method: feldman_cousins, toys: 100, seed: 1}, this one "
                     "{method: feldman_cousins, toys: 200, seed: 1}"),
              std::string::npos)
        << m;
  }
  b.statistics.feldman_cousins = false;
  EXPECT_THROW(joint_statistics({&a, &b}), InputError);
  b.statistics = a.statistics;
  EXPECT_EQ(joint_statistics({&a, &b}).toys, 100);
}

TEST(FitFeldmanCousins, FreshToysShowTheCriticalValueCovers) {
  SKIP_WITHOUT_DATA();
  // sin²θ_W from CsI 2021 at 0.24 (near its best fit), on a grid 0.10 … 0.40: the critical value
  // from 2000 toys with seed 1; 2000 fresh toys (seed 2) at the same point fall below it 90% of
  // the time within binomial error (3σ = 0.020, plus the critical value's own Monte Carlo error,
  // ≈ 0.01 in probability).
  const DataSet& d = data_set("csi2021");
  std::vector<double> values;
  for (int i = 0; i <= 30; ++i) values.push_back(0.10 + 0.01 * i);
  Progress quiet(Progress::Mode::kQuiet);
  const DataGrid g = data_grid(d, d.data, {GridAxis{kSin2ThetaW, values}}, standard_model(),
                               backend(), quiet, "sin2_theta_W");
  const std::uint32_t n = 2000;
  const std::size_t truth = 14;  // 0.24
  std::vector<ToyInput> inputs{make_toy_input(*g.model, 1), make_toy_input(*g.model, 2)};
  std::vector<double> reference(n), fresh(n);
  for (int k = 0; k < 2; ++k) {
    inputs[k].screen = true;
    backend().prepare_toys(inputs[k])->statistics(truth, 1, 0, n,
                                                  k == 0 ? reference.data() : fresh.data());
  }
  const double tc = toy_quantile(reference, 0.9);
  int covered = 0;
  for (std::uint32_t j = 0; j < n; ++j) covered += fresh[j] <= tc;
  const double sigma = std::sqrt(0.9 * 0.1 / n);
  EXPECT_NEAR(covered / double(n), 0.9, 3.0 * sigma + 0.01) << "t_c " << tc;
  EXPECT_GT(tc, 1.0);  // a one-parameter critical value (Wilks: 2.71), not a degenerate one
  EXPECT_LT(tc, 5.0);
}

}  // namespace
}  // namespace cevns
