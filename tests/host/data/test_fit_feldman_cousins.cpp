// Feldman–Cousins for fits to data (SPEC §11; host/data/fit.hpp, kernels/toys.hpp): the dual lower
// bound of the profiled statistic below the profile at every point, the branch-and-bound minimum
// of the Poisson toys equal to the minimum over every point, joint toys in any chunking and equal
// to the sum of the data sets', the agreement of the joint statistics, and the coverage of a
// data-fit critical value checked with fresh toys.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <map>

#include "host/core/error.hpp"
#include "host/data/coherent_data.hpp"
#include "host/data/fit.hpp"
#include "host/engine/backend_select.hpp"
#include "host/engine/feldman_cousins.hpp"
#include "kernels/toys.hpp"
#include "tests/host/data/shipped_data.hpp"
#include "tests/test_util.hpp"
#include "tests/toy_view.hpp"

namespace cevns {
namespace {

#define SKIP_WITHOUT_DATA() CEVNS_SKIP_WITHOUT_DATA("csi2021")

using testing::backend;
using testing::shipped_data_set;

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

Axis linear_axis(const std::string& name, int id, double lo, double hi, int points) {
  Axis a = log_axis(name, id, lo, hi, points);
  a.log = false;
  return a;
}

// Small planes of a data set: sterile ν_e, the NSI pair (ε_ee^uV, ε_eτ^uV) and the universal
// vector mediator (coupling × mass), n0 × n1 points each.
DataGrid small_plane(const DataSet& d, const std::string& kind, int n0, int n1) {
  if (kind == "sterile") return small_sterile_plane(d, n0, n1);
  PlaneRequest plane;
  plane.name = kind;
  if (kind == "nsi") {
    plane.axes = {linear_axis("eps_ee_uV", kEpsEEu, -0.5, 0.9, n0),
                  linear_axis("eps_etau_uV", kEpsETauu, -0.6, 0.6, n1)};
  } else {
    plane.mediator = kVectorUniversal;
    plane.axes = {log_axis("mediator_coupling", kMediatorCoupling, 1e-6, 1e-1, n0),
                  log_axis("mediator_mass_MeV", kMediatorMass, 1e-2, 1e4, n1)};
  }
  Progress quiet(Progress::Mode::kQuiet);
  return plane_grid(d, d.data, plane, backend(), quiet);
}

// The toys of data sets fitted jointly, read by the kernels directly from host memory (the CPU
// backend's memory): for the bound, the exact statistic and the search one toy at a time.
struct HostToys {
  std::vector<ToyInput> inputs;
  std::vector<ToyView> views;
  int bins_total = 0;
  HostToys(const std::vector<const ScanModel*>& models, std::uint64_t seed) {
    for (std::size_t i = 0; i < models.size(); ++i) {
      inputs.push_back(make_toy_input(*models[i], data_set_seed(seed, i)));
      inputs.back().screen = true;
      bins_total += inputs.back().n_bins;
    }
    for (const ToyInput& in : inputs) views.push_back(testing::host_toy_view(in));
  }
  int n_sets() const { return static_cast<int>(views.size()); }
  std::size_t n_points() const { return views[0].n_points; }
  // Every set's toy `toy` at the true point: counts (Σ n_bins) and constraint centres.
  void draw(std::size_t truth, std::uint32_t toy, std::vector<double>* counts,
            std::vector<double>* centres) const {
    counts->resize(bins_total);
    centres->assign(kMaxJointSets * kMaxPulls, 0.0);
    double* c = counts->data();
    for (int s = 0; s < n_sets(); ++s) {
      draw_toy(views[s], truth, truth, toy, c, centres->data() + s * kMaxPulls);
      c += views[s].n_bins;
    }
  }
};

TEST(FitFeldmanCousins, DualBoundIsBelowTheProfileAtEveryPoint) {
  SKIP_WITHOUT_DATA();
  // kernels/toys.hpp, raise_dual_bound: from an anchor's fitted pulls (or any pulls), a lower
  // bound of every point's profiled −2 ln λ. Against profile_poisson at every point of small
  // sterile, NSI and mediator planes of CsI 2021 and a sterile plane of LAr 2020, for 6 toys at
  // each of 3 true points. profile_poisson stops when the Newton decrement λ² = −g·δ falls below
  // 1e-13 (1 + F); −2 ln λ being self-concordant in the pulls (2n ≥ 1 for every count n > 0), the
  // value it returns is then above the minimum F* by at most λ² (Boyd & Vandenberghe, §9.6.3):
  // bound ≤ F* ≤ profile, so the bound must not exceed the profile by more than the rounding of
  // its own sums (allowed: 1e-11 (1 + F)). At its anchor, with the anchor's fitted pulls, the
  // bound is the Lagrange dual at the optimal multipliers: equal to the profile (to 1e-7) where
  // the profile resolves the signal normalisation.
  struct Case {
    const char* release;
    const char* kind;
  };
  for (const Case& c : {Case{"csi2021", "sterile"}, Case{"csi2021", "nsi"},
                        Case{"csi2021", "mediator"}, Case{"lar2020", "sterile"}}) {
    const DataGrid g = small_plane(shipped_data_set(c.release), c.kind, 6, 5);
    const HostToys toys({g.model.get()}, 11);
    const ToyView& v = toys.views[0];
    const std::size_t n = toys.n_points();
    std::vector<double> counts, centres, slope(v.n_bins), exact(n), lb(n);
    std::vector<std::vector<double>> theta(n, std::vector<double>(kMaxPulls));
    double worst = -1e300, worst_anchor = 0.0;
    int checked = 0;
    for (std::size_t truth : {std::size_t{0}, n / 2, n - 1})
      for (std::uint32_t toy = 0; toy < 6; ++toy) {
        toys.draw(truth, toy, &counts, &centres);
        for (std::size_t p = 0; p < n; ++p) {
          const PoissonProfile prof = profile_poisson(
              ToyTemplates{v, toy_row_of(v, p), p, counts.data(), centres.data()});
          exact[p] = prof.chi2;
          std::copy(prof.theta, prof.theta + kMaxPulls, theta[p].begin());
        }
        std::vector<double> arbitrary(kMaxPulls, 0.0);
        for (int k = 0; k < kMaxPulls; ++k) arbitrary[k] = 0.05 * (k % 3) - 0.04;
        for (std::size_t anchor : {truth, (truth + 7) % n, (truth + 19) % n, n}) {
          std::fill(lb.begin(), lb.end(), -kToyInfinity);
          const double* th = anchor < n ? theta[anchor].data() : arbitrary.data();
          raise_dual_bound(v, counts.data(), centres.data(), anchor < n ? anchor : truth, th,
                           slope.data(), lb.data());
          for (std::size_t p = 0; p < n; ++p) {
            ASSERT_TRUE(std::isfinite(lb[p])) << c.release << " " << c.kind << " point " << p;
            EXPECT_LE(lb[p], exact[p] + 1e-11 * (1.0 + exact[p]))
                << c.release << " " << c.kind << " truth " << truth << " toy " << toy
                << " anchor " << anchor << " point " << p;
            worst = std::max(worst, (lb[p] - exact[p]) / (1.0 + exact[p]));
            ++checked;
          }
          // Tight at the anchor where the signal's normalisation x₀ = 1 + θ₀ is not far below 1.
          // A mediator's prediction at large couplings (up to 1e16 times the data) puts x₀ near
          // 0, where the curvature of −2 ln λ in x₀, ~ 2N/x₀², dwarfs the pull's 2/σ²: the
          // gradient the profile stops at (its decrement ≤ 1e-13 (1 + F)) may then be ~ 1/x₀,
          // and the bound, which sees only the pull's curvature, is below the profile by about
          // σ²g²/4 (still a valid bound).
          if (anchor < n && 1.0 + theta[anchor][0] > 1e-2) {
            EXPECT_NEAR(lb[anchor], exact[anchor], 1e-7 * (1.0 + exact[anchor]))
                << c.release << " " << c.kind << " anchor " << anchor;
            worst_anchor = std::max(worst_anchor, std::fabs(lb[anchor] - exact[anchor]));
          }
        }
      }
    RecordProperty(std::string(c.release) + "_" + c.kind + "_bound_checks", checked);
    std::cout << c.release << " " << c.kind << ": " << checked
              << " bounds, largest (bound - profile)/(1 + profile) " << worst
              << ", largest |bound - profile| at an anchor " << worst_anchor << "\n";
  }
}

TEST(FitFeldmanCousins, ScreenedMinimumIsTheMinimumOverEveryPoint) {
  SKIP_WITHOUT_DATA();
  // The minimum of the Poisson toys by branch and bound (kernels/toys.hpp) against the minimum
  // of the profiles at every point (the backend's exhaustive loop), for every toy: 8 toys at every
  // point of 6 × 5 planes — sterile ν_e, the NSI pair (ε_ee^uV, ε_eτ^uV) and the universal vector
  // mediator of CsI 2021 alone, and jointly with LAr 2020 (sterile and NSI; each point's statistic
  // a sum of two profiles). The search returns one of the grid's profiled values and stops only
  // when no other point's bound is below it by more than ε = kSearchTolerance (1 + F), and each
  // point's profile is the one the exhaustive loop takes (from θ = 0): equal to the exhaustive
  // minimum within ε, for 100% of the toys. F (≥ the minimum) is taken at the true point.
  struct Case {
    std::vector<const char*> releases;
    const char* kind;
  };
  std::map<std::string, DataGrid> grids;
  for (const Case& c :
       {Case{{"csi2021"}, "sterile"}, Case{{"csi2021"}, "nsi"}, Case{{"csi2021"}, "mediator"},
        Case{{"csi2021", "lar2020"}, "sterile"}, Case{{"csi2021", "lar2020"}, "nsi"}}) {
    std::vector<const ScanModel*> models;
    std::string label;
    for (const char* r : c.releases) {
      const std::string key = std::string(r) + "/" + c.kind;
      if (!grids.count(key)) grids.emplace(key, small_plane(shipped_data_set(r), c.kind, 6, 5));
      models.push_back(grids.at(key).model.get());
      label += key + " ";
    }
    const std::uint32_t n_toys = 8;
    const std::vector<double> screened = toy_statistics(models, true, n_toys);
    const std::vector<double> full = toy_statistics(models, false, n_toys);
    ASSERT_EQ(screened.size(), full.size());
    // The same toys on the host: F at the true point for the tolerance, and the number of
    // profiles the search took.
    const HostToys toys(models, 5);
    const std::size_t n = toys.n_points();
    std::vector<double> counts, centres, theta(kMaxJointSets * kMaxPulls);
    std::vector<double> work(toys.bins_total + toys.n_sets() * n);
    long profiles = 0;
    int max_profiles = 0;
    for (std::size_t i = 0; i < full.size(); ++i) {
      const std::size_t truth = i / n_toys;
      const std::uint32_t toy = static_cast<std::uint32_t>(i % n_toys);
      toys.draw(truth, toy, &counts, &centres);
      const double f_truth = joint_exact_chi2(toys.views.data(), toys.n_sets(), truth,
                                              counts.data(), centres.data(), nullptr, theta.data());
      const double tol = kSearchTolerance * (1.0 + f_truth);
      EXPECT_NEAR(screened[i], full[i], tol) << label << "item " << i;
      int k = 0;
      const double t = screened_toy_statistic(toys.views.data(), toys.n_sets(), truth, toy,
                                              counts.data(), work.data(), &k);
      EXPECT_EQ(t, screened[i]) << label << "item " << i;  // the backend runs the same search
      profiles += k;
      max_profiles = std::max(max_profiles, k);
    }
    std::cout << label << ": " << full.size() << " toys, " << n << " points, profiles per toy "
              << double(profiles) / full.size() << " (at most " << max_profiles << ")\n";
  }
}

TEST(FitFeldmanCousins, JointToysAreTheSameInAnyChunkingAndSumTheSetsStatistics) {
  SKIP_WITHOUT_DATA();
  const DataGrid a = small_sterile_plane(shipped_data_set("csi2021"), 5, 4);
  const DataGrid b = small_sterile_plane(shipped_data_set("lar2020"), 5, 4);
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
  const DataGrid a = small_sterile_plane(shipped_data_set("csi2021"), 6, 5);
  const DataGrid b = small_sterile_plane(shipped_data_set("lar2020"), 6, 5);
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
  DataSet a = shipped_data_set("csi2021"), b = shipped_data_set("lar2020");
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
  const DataSet& d = shipped_data_set("csi2021");
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
