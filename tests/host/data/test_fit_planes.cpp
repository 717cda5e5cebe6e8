// Two-parameter studies of the COHERENT data (host/data/fit.hpp: plane_grid, analyse_plane):
// Asimov data made by the program at a non-zero sterile or NSI point give back that point, and
// the CL contour encloses it; the sterile prediction acts on the right fluxes.
#include <gtest/gtest.h>

#include <cmath>

#include "host/data/coherent_data.hpp"
#include "host/data/fit.hpp"
#include "host/engine/backend_select.hpp"
#include "tests/host/data/shipped_data.hpp"
#include "tests/test_util.hpp"

namespace cevns {
namespace {

#define SKIP_WITHOUT_DATA() CEVNS_SKIP_WITHOUT_DATA("csi2021")

using testing::backend;
using testing::plane_named;
using testing::shipped_data_set;

// Even–odd rule over the contour polylines (in log10 of log axes): inside the allowed region.
// A polyline that ends on the grid boundary (the region is cut by the grid) is closed along the
// boundary: by a chord when both ends lie on the same edge, through the shared corner when they
// lie on adjacent edges.
bool enclosed(const PlaneScan& r, double x, double y) {
  const bool lx = r.request.axes[0].log, ly = r.request.axes[1].log;
  const auto tx = [&](double v) { return lx ? std::log10(v) : v; };
  const auto ty = [&](double v) { return ly ? std::log10(v) : v; };
  const double x_lo = tx(r.axes[0].front()), x_hi = tx(r.axes[0].back());
  const double y_lo = ty(r.axes[1].front()), y_hi = ty(r.axes[1].back());
  const auto edges = [&](double u, double v) {  // bit mask: 1 left, 2 right, 4 bottom, 8 top
    const double eps = 1e-9 * (1.0 + std::fabs(x_hi - x_lo) + std::fabs(y_hi - y_lo));
    return (std::fabs(u - x_lo) < eps ? 1 : 0) | (std::fabs(u - x_hi) < eps ? 2 : 0) |
           (std::fabs(v - y_lo) < eps ? 4 : 0) | (std::fabs(v - y_hi) < eps ? 8 : 0);
  };
  const double px = tx(x), py = ty(y);
  bool inside = false;
  for (const auto& pl : r.contours) {
    std::vector<double> u, v;
    for (std::size_t i = 0; i < pl.x.size(); ++i) {
      u.push_back(tx(pl.x[i]));
      v.push_back(ty(pl.y[i]));
    }
    if (!pl.closed) {
      const int a = edges(u.front(), v.front()), b = edges(u.back(), v.back());
      if (!(a & b)) {
        const int ab = a | b;
        if ((ab & 3) == 0 || (ab & 12) == 0) continue;  // opposite edges: no closure
        u.push_back(ab & 1 ? x_lo : x_hi);
        v.push_back(ab & 4 ? y_lo : y_hi);
      }
      u.push_back(u.front());
      v.push_back(v.front());
    }
    for (std::size_t i = 0, j = u.size() - 1; i < u.size(); j = i++)
      if ((v[i] > py) != (v[j] > py) && px < (u[j] - u[i]) * (py - v[i]) / (v[j] - v[i]) + u[i])
        inside = !inside;
  }
  return inside;
}

// Grid-cell size of an axis, in its own coordinate (log10 on a log axis).
double cell(const Axis& a) {
  return ((a.log ? std::log10(a.max) - std::log10(a.min) : a.max - a.min)) / (a.points - 1);
}
double coordinate(const Axis& a, double v) { return a.log ? std::log10(v) : v; }

PlaneScan asimov_plane(const DataSet& d, const PlaneRequest& plane, double x0, double x1) {
  PhysicsModel truth = standard_model();
  truth.sterile_channel = plane.channel;
  truth.value[kSin22Theta] = 0.0;
  truth.value[kDm2] = 0.0;
  truth.value[plane.axes[0].id] = x0;
  truth.value[plane.axes[1].id] = x1;
  const std::vector<double> data = asimov_data(d, truth);
  EXPECT_NEAR(profiled_chi2(d, data, truth), 0.0, 1e-8) << plane.name << ": -2 ln L at the truth";
  Progress quiet(Progress::Mode::kQuiet);
  const DataGrid g = plane_grid(d, data, plane, backend(), quiet);
  return analyse_plane({g.model.get()}, plane, g.chi2, d.delta_chi2_2d, d.delta_chi2);
}

// CsI 2021 with 20 times its exposure (signal tables × 20, backgrounds as measured): the Asimov
// sterile point must stand out of the normalisation uncertainty for a closed contour.
DataSet csi2021_high_exposure() {
  DataSet d = shipped_data_set("csi2021");
  d.counts =
      std::make_shared<const CountsModel>(d.counts->with_efficiency(20 * d.counts->efficiency()));
  return d;
}

TEST(FitPlanes, AsimovSterileFitsReturnTheTrueMixingAndDm2) {
  SKIP_WITHOUT_DATA();
  const DataSet d = csi2021_high_exposure();
  // Strong mixing at Δm² where the phase 1.27 Δm² L/E ≈ 1–2 over the spectrum: the spectral and
  // timing distortion fixes Δm² (at Δm² ≫ 10 eV² only the averaged deficit would remain).
  for (const auto& [name, s2t, dm2] :
       {std::tuple<std::string, double, double>{"sterile_nue", 0.5, 3.0},
        std::tuple<std::string, double, double>{"sterile_numu", 0.3, 2.0}}) {
    const PlaneRequest& plane = plane_named(d, name);
    const PlaneScan r = asimov_plane(d, plane, s2t, dm2);
    ASSERT_EQ(r.best_fit.size(), 2u);
    EXPECT_NEAR(r.chi2_min, 0.0, 1e-6) << name;
    EXPECT_NEAR(coordinate(plane.axes[0], r.best_fit[0]), std::log10(s2t), cell(plane.axes[0]))
        << name;
    EXPECT_NEAR(coordinate(plane.axes[1], r.best_fit[1]), std::log10(dm2), cell(plane.axes[1]))
        << name;
    EXPECT_GT(r.delta_chi2_no_mixing, r.threshold) << name << ": the Asimov mixing is significant";
    EXPECT_FALSE(r.contours.empty()) << name;
    EXPECT_TRUE(enclosed(r, s2t, dm2)) << name << ": the 90% CL contour encloses the truth";
  }
}

TEST(FitPlanes, AsimovNsiPlaneHasZeroAtTheTruthAndItsContourEnclosesIt) {
  SKIP_WITHOUT_DATA();
  const DataSet& d = shipped_data_set("csi2021");
  const PlaneRequest& plane = plane_named(d, "eps_ee_etau");
  const double ee = 0.15, etau = 0.10;
  const PlaneScan r = asimov_plane(d, plane, ee, etau);
  // The ν_e charge is a circle in (ε_ee, ε_eτ) (Eq. 10): the minimum is a ring through the truth,
  // so the best fit is some point of it at −2 ln λ = 0, not necessarily the truth itself.
  EXPECT_NEAR(r.chi2_min, 0.0, 1e-6);
  PhysicsModel at_best = standard_model();
  at_best.value[plane.axes[0].id] = r.best_fit[0];
  at_best.value[plane.axes[1].id] = r.best_fit[1];
  PhysicsModel truth = standard_model();
  truth.value[plane.axes[0].id] = ee;
  truth.value[plane.axes[1].id] = etau;
  EXPECT_NEAR(profiled_chi2(d, asimov_data(d, truth), at_best), 0.0, 1e-6);
  ASSERT_FALSE(r.contours.empty());
  for (const auto& pl : r.contours) EXPECT_TRUE(pl.closed) << "the band lies inside the grid";
  EXPECT_TRUE(enclosed(r, ee, etau));
  EXPECT_FALSE(enclosed(r, 0.9, 0.9)) << "a far point is excluded";
}

TEST(FitPlanes, SterileDepletionActsOnlyOnTheChannelsFluxesAndVanishesAtSmallDm2) {
  SKIP_WITHOUT_DATA();
  const DataSet& d = shipped_data_set("csi2021");
  const PhysicsModel sm = standard_model();
  const auto tables = [&](int channel) {
    PhysicsModel base = sm;
    base.sterile_channel = channel;
    return d.counts->sterile_tables(base);
  };
  const CountsModel::SterileTables e = tables(kNuEDisappearance), mu = tables(kNuMuDisappearance);
  const std::vector<double> n = d.signal(sm);
  // ν_e disappearance acts on the delayed ν_e alone, ν_μ disappearance on the prompt ν_μ and the
  // delayed ν̄_μ: the two channels split every bin's counts between them.
  for (std::size_t u = 0; u < n.size(); ++u) {
    EXPECT_NEAR(e.affected[u] + mu.affected[u], n[u], 1e-12 * n[u]) << u;
    EXPECT_NEAR(e.unaffected[u], mu.affected[u], 1e-12 * n[u]) << u;
  }
  const std::vector<double> de = CountsModel::depletion_row(e.depletion, 3.0);
  const std::vector<double> dm = CountsModel::depletion_row(mu.depletion, 3.0);
  for (std::size_t u = 0; u < n.size(); ++u) {
    EXPECT_GE(de[u], 0.0);
    EXPECT_LE(de[u], e.affected[u] * (1 + 1e-12));
    EXPECT_LE(dm[u], mu.affected[u] * (1 + 1e-12));
  }
  EXPECT_GT(sum(de), 0.0);
  EXPECT_GT(sum(dm), 0.0);
  // sin²(1.27 Δm² L/E) ≈ (1.27 Δm² L/E)² ≈ 1e-6 at Δm² = 1e-3 eV², L = 19.3 m, E ≥ 10 MeV.
  const std::vector<double> tiny = CountsModel::depletion_row(mu.depletion, 1e-3);
  EXPECT_LT(sum(tiny), 1e-5 * sum(mu.affected));
  // Full mixing: the predicted signal is the unoscillated one minus the depletion.
  PhysicsModel m = standard_model();
  m.sterile_channel = kNuMuDisappearance;
  m.value[kSin22Theta] = 1.0;
  m.value[kDm2] = 3.0;
  const double with = sum(d.signal(m)), without = sum(d.signal(sm));
  EXPECT_LT(with, without);
  EXPECT_GT(with, 0.0);
}

}  // namespace
}  // namespace cevns
