// Two-parameter studies of the COHERENT data (host/fit.hpp: plane_chi2_grid, analyse_plane):
// Asimov data made by the program at a non-zero sterile or NSI point give back that point, and
// the CL contour encloses it; the sterile prediction acts on the right fluxes.
#include <gtest/gtest.h>

#include <cmath>

#include "host/engine/backend_select.hpp"
#include "host/data/coherent_data.hpp"
#include "host/data/fit.hpp"
#include "tests/test_util.hpp"

namespace cevns {
namespace {

#define SKIP_WITHOUT_DATA() CEVNS_SKIP_WITHOUT_DATA("csi2021")

const DataSet& csi2021() {
  static auto backend = make_cpu_backend();
  static const DataSet d = load_data_set(testing::source_path("configs/data/csi2021.json"),
                                         std::string(CEVNS_SHARED_DATA_DIR), *backend);
  return d;
}

const PlaneRequest& plane_named(const DataSet& d, const std::string& name) {
  for (const auto& p : d.planes)
    if (p.name == name) return p;
  throw std::runtime_error("configs/data/csi2021.json has no plane " + name);
}

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
  truth.sterile = Sterile{plane.channel, 0.0, 0.0};
  set_parameter(truth, plane.axes[0].id, x0);
  set_parameter(truth, plane.axes[1].id, x1);
  const std::vector<double> data = asimov_data(d, truth);
  EXPECT_NEAR(profiled_chi2(d, data, truth), 0.0, 1e-8) << plane.name << ": -2 ln L at the truth";
  return analyse_plane({&d}, {data}, plane, plane_chi2_grid(d, data, plane), d.delta_chi2_2d,
                       d.delta_chi2);
}

// CsI 2021 with 20 times its exposure (signal tables × 20, backgrounds as measured): the Asimov
// sterile point must stand out of the normalisation uncertainty for a closed contour.
DataSet csi2021_high_exposure() {
  DataSet d = csi2021();
  for (auto* table : {&d.folded, &d.entry_moments, &d.true_moments})
    for (Moments& m : *table) m = Moments{20 * m.zz, 20 * m.zn, 20 * m.nn};
  return d;
}

TEST(FitPlanes, AsimovSterileFitsReturnTheTrueMixingAndDm2) {
  SKIP_WITHOUT_DATA();
  const DataSet d = csi2021_high_exposure();
  // Strong mixing at Δm² where the phase 1.27 Δm² L/E ≈ 1–2 over the spectrum: the spectral and
  // timing distortion fixes Δm² (at Δm² ≫ 10 eV² only the averaged deficit would remain).
  for (const auto& [name, s2t, dm2] : {std::tuple<std::string, double, double>{"sterile_nue", 0.5, 3.0},
                                       std::tuple<std::string, double, double>{"sterile_numu", 0.3, 2.0}}) {
    const PlaneRequest& plane = plane_named(d, name);
    const PlaneScan r = asimov_plane(d, plane, s2t, dm2);
    ASSERT_EQ(r.best_fit.size(), 2u);
    EXPECT_NEAR(r.chi2_min, 0.0, 1e-6) << name;
    EXPECT_NEAR(coordinate(plane.axes[0], r.best_fit[0]), std::log10(s2t), cell(plane.axes[0])) << name;
    EXPECT_NEAR(coordinate(plane.axes[1], r.best_fit[1]), std::log10(dm2), cell(plane.axes[1])) << name;
    EXPECT_GT(r.delta_chi2_no_mixing, r.threshold) << name << ": the Asimov mixing is significant";
    EXPECT_FALSE(r.contours.empty()) << name;
    EXPECT_TRUE(enclosed(r, s2t, dm2)) << name << ": the 90% CL contour encloses the truth";
  }
}

TEST(FitPlanes, AsimovNsiPlaneHasZeroAtTheTruthAndItsContourEnclosesIt) {
  SKIP_WITHOUT_DATA();
  const DataSet& d = csi2021();
  const PlaneRequest& plane = plane_named(d, "eps_ee_etau");
  const double ee = 0.15, etau = 0.10;
  const PlaneScan r = asimov_plane(d, plane, ee, etau);
  // The ν_e charge is a circle in (ε_ee, ε_eτ) (Eq. 10): the minimum is a ring through the truth,
  // so the best fit is some point of it at −2 ln λ = 0, not necessarily the truth itself.
  EXPECT_NEAR(r.chi2_min, 0.0, 1e-6);
  PhysicsModel at_best = standard_model();
  set_parameter(at_best, plane.axes[0].id, r.best_fit[0]);
  set_parameter(at_best, plane.axes[1].id, r.best_fit[1]);
  PhysicsModel truth = standard_model();
  set_parameter(truth, plane.axes[0].id, ee);
  set_parameter(truth, plane.axes[1].id, etau);
  EXPECT_NEAR(profiled_chi2(d, asimov_data(d, truth), at_best), 0.0, 1e-6);
  ASSERT_FALSE(r.contours.empty());
  for (const auto& pl : r.contours) EXPECT_TRUE(pl.closed) << "the band lies inside the grid";
  EXPECT_TRUE(enclosed(r, ee, etau));
  EXPECT_FALSE(enclosed(r, 0.9, 0.9)) << "a far point is excluded";
}

TEST(FitPlanes, SterileDepletionActsOnlyOnTheChannelsFluxesAndVanishesAtSmallDm2) {
  SKIP_WITHOUT_DATA();
  const DataSet& d = csi2021();
  const Couplings sm = standard_model().couplings;
  const std::vector<double> n = d.folded_counts(sm);
  const int ne = d.n_energy;
  const auto flux_sum = [&](const std::vector<double>& v, int f) {
    double s = 0.0;
    for (int j = 0; j < ne; ++j) s += v[static_cast<std::size_t>(f) * ne + j];
    return s;
  };
  const std::vector<double> de = d.folded_depletion(sm, kNuEDisappearance, 3.0);
  EXPECT_EQ(flux_sum(de, kPromptNuMu), 0.0);
  EXPECT_EQ(flux_sum(de, kDelayedNuMuBar), 0.0);
  EXPECT_GT(flux_sum(de, kDelayedNuE), 0.0);
  EXPECT_LE(flux_sum(de, kDelayedNuE), flux_sum(n, kDelayedNuE));
  const std::vector<double> dm = d.folded_depletion(sm, kNuMuDisappearance, 3.0);
  EXPECT_EQ(flux_sum(dm, kDelayedNuE), 0.0);
  EXPECT_GT(flux_sum(dm, kPromptNuMu), 0.0);
  EXPECT_GT(flux_sum(dm, kDelayedNuMuBar), 0.0);
  // sin²(1.27 Δm² L/E) ≈ (1.27 Δm² L/E)² ≈ 1e-6 at Δm² = 1e-3 eV², L = 19.3 m, E ≥ 10 MeV.
  const std::vector<double> tiny = d.folded_depletion(sm, kNuMuDisappearance, 1e-3);
  EXPECT_LT(flux_sum(tiny, kPromptNuMu), 1e-5 * flux_sum(n, kPromptNuMu));
  // Full mixing: the predicted signal is the unoscillated one minus the depletion.
  PhysicsModel m = standard_model();
  m.sterile = Sterile{kNuMuDisappearance, 1.0, 3.0};
  const double with = sum(d.signal(m)), without = sum(d.signal(sm));
  EXPECT_LT(with, without);
  EXPECT_GT(with, 0.0);
}

TEST(FitPlanes, OnlyAndGridPointsOptionsLimitWhatIsComputed) {
  SKIP_WITHOUT_DATA();
  testing::ScratchDir dir;
  FitOptions o;
  o.config_files = {testing::source_path("configs/data/csi2021.json"),
                    testing::source_path("configs/data/lar2020.json")};
  o.data_dir = std::string(CEVNS_SHARED_DATA_DIR);
  o.backend = "cpu";
  o.only = {"sterile_numu"};
  o.grid_points = 11;
  o.json_output = dir.file("fit.json");
  ASSERT_EQ(run_fit(o), 0);
  const Json j = Json::parse(testing::read_file(dir.file("fit.json")));
  const Json& ds = j["data_sets"][0];
  EXPECT_FALSE(ds.contains("n_cevns"));
  EXPECT_FALSE(ds.contains("profiles"));
  ASSERT_TRUE(ds["planes"].contains("sterile_numu"));
  EXPECT_FALSE(ds["planes"].contains("sterile_nue"));
  const Json& joint = j["combined"]["planes"]["sterile_numu"];
  EXPECT_EQ(joint["parameter"], Json({"sin2_2theta", "dm2_eV2"}));
  EXPECT_EQ(joint["channel"], "numu");
  ASSERT_EQ(joint["exclusion"].size(), 4u);
  EXPECT_EQ(joint["exclusion"][0]["dm2"].get<double>(), 0.1);
  EXPECT_EQ(joint["exclusion"][3]["dm2"].get<double>(), 100.0);
  EXPECT_TRUE(joint["contours"].is_array());

  o.only = {"no_such_study"};
  try {
    run_fit(o);
    ADD_FAILURE() << "an unknown --only name is an error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("sterile_numu"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace cevns
