// Light-mediator planes of the COHERENT fits (host/data/fit.hpp: plane_grid, analyse_plane;
// SPEC §10.1, §10.2, §10.5): at g → 0 they give the SM fit's −2 ln λ, the heavy universal Z′ is
// the fit of flavour-universal NSI ε^uV = ε^dV = g²/(√2 G_F m²), and the config's "mediator"
// planes are validated with exact messages.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "host/config/parameters.hpp"
#include "host/core/error.hpp"
#include "host/data/coherent_data.hpp"
#include "host/data/fit.hpp"
#include "kernels/constants.hpp"
#include "kernels/couplings.hpp"
#include "tests/host/data/shipped_data.hpp"
#include "tests/test_util.hpp"

namespace cevns {
namespace {

using testing::backend;
using testing::plane_named;
using testing::shipped_data_set;

const std::vector<std::string> kMediatorPlanes = {"vector_universal", "vector_b_minus_l",
                                                  "vector_lmu_ltau", "scalar"};

// The shipped plane with fewer points (the same ranges and scales).
PlaneRequest coarse(PlaneRequest p, int n0, int n1) {
  p.axes[0].points = n0;
  p.axes[1].points = n1;
  return p;
}

TEST(FitMediators, ShippedPlanesAreTheFourModelsOnLogAxes) {
  CEVNS_SKIP_WITHOUT_DATA("csi2021");
  for (const char* name : {"csi2017", "csi2021", "lar2020"}) {
    const DataSet& d = shipped_data_set(name);
    for (const auto& plane : kMediatorPlanes) {
      const PlaneRequest& p = plane_named(d, plane);
      EXPECT_TRUE(p.is_mediator()) << name << " " << plane;
      EXPECT_STREQ(mediator_name(p.mediator), plane.c_str());
      EXPECT_EQ(p.axes[0].id, kMediatorCoupling);
      EXPECT_EQ(p.axes[1].id, kMediatorMass);
      EXPECT_TRUE(p.axes[0].log && p.axes[1].log);
      // the exclusion masses 1, 10, 100, 1000 MeV lie on the mass axis
      EXPECT_LE(p.axes[1].min, 1.0);
      EXPECT_GE(p.axes[1].max, 1000.0);
    }
  }
}

TEST(FitMediators, FoldedHostRowsEqualTheBackendTablesBitForBit) {
  // Off the grid the analysis folds a mass row on the host; the backend folds all rows on the
  // device: the same operations in the same order (one-point segments: the CUDA loop structure).
  CEVNS_SKIP_WITHOUT_DATA("csi2021");
  const DataSet& d = shipped_data_set("csi2021");
  const std::vector<double> masses = {1e-2, 0.37, 42.0, 9e3};
  auto one = make_cpu_backend(1);
  for (int mediator : {kVectorUniversal, kVectorBMinusL, kVectorLmuLtau, kScalar}) {
    PhysicsModel base = standard_model();
    base.mediator = mediator;
    const auto t = one->mediator_tables(d.counts->problem(), base, masses, d.counts->efficiency(),
                                        d.counts->fold());
    const std::size_t nb = static_cast<std::size_t>(d.counts->n_bins());
    ASSERT_EQ(t.quartic.size(), masses.size() * nb);
    for (std::size_t r = 0; r < masses.size(); ++r) {
      const auto row = d.counts->mediator_row(base, masses[r]);
      for (std::size_t b = 0; b < nb; ++b) {
        EXPECT_EQ(row.quadratic[b], t.quadratic[r * nb + b]) << mediator << " " << masses[r];
        EXPECT_EQ(row.quartic[b], t.quartic[r * nb + b]) << mediator << " " << masses[r];
      }
    }
  }
}

TEST(FitMediators, VanishingCouplingGivesTheStandardModelFit) {
  // −2 ln λ of the SM (normalisations profiled) is the g → 0 limit of every mediator plane: equal
  // at g = 0 (the tables' A term is the SM counts), and approached as g² (vector: interference)
  // or g⁴ (scalar) — a hundredfold smaller g moves it 1e4 (1e8) times less, down to rounding.
  CEVNS_SKIP_WITHOUT_DATA("csi2021");
  Progress quiet(Progress::Mode::kQuiet);
  for (const char* name : {"csi2017", "csi2021", "lar2020"}) {
    const DataSet& d = shipped_data_set(name);
    const double sm = profiled_chi2(d, d.data, standard_model());
    for (const auto& plane_name : kMediatorPlanes) {
      const PlaneRequest plane = coarse(plane_named(d, plane_name), 4, 3);
      const DataGrid g = plane_grid(d, d.data, plane, backend(), quiet);
      const ScanModel& m = *g.model;
      const std::string where = std::string(name) + " " + plane_name;
      for (double mass : {0.01, 1.0, 1e4}) {
        EXPECT_NEAR(m.chi2(m.model_at({0.0, mass})), sm, 1e-12 * sm) << where << " m " << mass;
        const double big = std::fabs(m.chi2(m.model_at({1e-6, mass})) - sm);
        const double small = std::fabs(m.chi2(m.model_at({1e-8, mass})) - sm);
        const double order = plane_name == "scalar" ? 1e-8 : 1e-4;
        EXPECT_LE(small, 1.5 * order * big + 1e-11 * sm) << where << " m " << mass;
      }
      // On the grid: its smallest coupling (1e-6) at the heaviest mass is the SM to 1e-6.
      const std::size_t n0 = static_cast<std::size_t>(plane.axes[0].points);
      EXPECT_NEAR(g.chi2[(plane.axes[1].points - 1) * n0], sm, 1e-6 * sm) << where;
    }
  }
}

TEST(FitMediators, HeavyUniversalPlaneIsTheFlavourUniversalNsiFit) {
  // SPEC §10.1: for m² ≫ q² the universal Z′ is NSI with ε^uV = ε^dV = g²/(√2 G_F m²) for every
  // flavour. With x = q²_max/m² (q² = 2MT at the largest nucleus mass and true recoil of the
  // release) the Z′ term is the contact one times 1/(1 + q²/m²) ∈ [1 − x, 1]; for ε ≤ 0.03 the
  // term is below the SM charge, so |N_Z′ − N_NSI| ≤ x |N_NSI − N_SM| per bin (factor 2 kept as
  // margin), and −2 ln λ moves by about x times its NSI shift (tolerance 10x, and 10x per unit
  // of −2 ln λ). The NSI side is the quadratic-moment counts, not the mediator tables.
  CEVNS_SKIP_WITHOUT_DATA("csi2021");
  Progress quiet(Progress::Mode::kQuiet);
  for (const char* name : {"csi2021", "lar2020"}) {
    const DataSet& d = shipped_data_set(name);
    double q2_max = 0.0;
    for (const auto& iso : d.counts->problem().isotopes)
      q2_max = std::max(q2_max, 2.0 * iso.mass_MeV * d.true_edges_keV.back() * 1e-3);
    PlaneRequest plane = plane_named(d, "vector_universal");
    plane.axes[1].min = 1e3;  // the shipped plane's top mass row, 10 GeV
    plane.axes[1].points = 2;
    const double mass = plane.axes[1].max;
    const double x = q2_max / (mass * mass);
    ASSERT_LT(x, 1e-3) << name;
    const auto eps_of = [&](double g) {
      return g * g / (std::sqrt(2.0) * constants::fermi_constant_per_MeV2 * mass * mass);
    };
    plane.axes[0].min = std::sqrt(0.001 / eps_of(1.0));  // ε from 0.001 to 0.03
    plane.axes[0].max = std::sqrt(0.03 / eps_of(1.0));
    plane.axes[0].points = 7;
    const DataGrid g = plane_grid(d, d.data, plane, backend(), quiet);
    const std::vector<double> couplings = plane.axes[0].values();
    const double sm_chi2 = profiled_chi2(d, d.data, standard_model());
    const std::vector<double> sm = d.signal(standard_model());
    for (std::size_t i = 0; i < couplings.size(); ++i) {
      PhysicsModel nsi = standard_model();
      for (int alpha : {kE, kMu, kTau})
        for (int q : {kUp, kDown}) nsi.value[epsilon_index(q, alpha, alpha)] = eps_of(couplings[i]);
      const std::vector<double> contact = d.signal(nsi);
      const std::vector<double> zprime = g.model->counts(g.model->model_at({couplings[i], mass}));
      double shift = 0.0;
      for (std::size_t u = 0; u < sm.size(); ++u) {
        EXPECT_LE(std::fabs(zprime[u] - contact[u]),
                  2.0 * x * std::fabs(contact[u] - sm[u]) + 1e-12 * sm[u])
            << name << " g " << couplings[i] << " bin " << u;
        shift += std::fabs(contact[u] - sm[u]);
      }
      EXPECT_GT(shift, 1e-3 * sum(sm)) << "the contact term is not negligible";
      const double nsi_chi2 = profiled_chi2(d, d.data, nsi);
      EXPECT_NEAR(g.chi2[couplings.size() + i], nsi_chi2,  // the grid's top mass row
                  10.0 * x * (std::fabs(nsi_chi2 - sm_chi2) + 1.0))
          << name << " g " << couplings[i] << " eps " << eps_of(couplings[i]);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Validation of "fit"/"planes" entries with a mediator (no data needed).

std::string plane_error(const Json& plane) {
  try {
    parse_plane(plane, "data.json", "/fit/planes/4");
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

Json mediator_axes() {
  return Json::array({{{"parameter", "mediator_coupling"},
                       {"min", 1e-6},
                       {"max", 1.0},
                       {"points", 5},
                       {"scale", "log"}},
                      {{"parameter", "mediator_mass_MeV"},
                       {"min", 1e-2},
                       {"max", 1e4},
                       {"points", 4},
                       {"scale", "log"}}});
}

TEST(FitMediatorConfig, AMediatorPlaneParses) {
  const PlaneRequest p =
      parse_plane({{"name", "z"}, {"mediator", "vector_b_minus_l"}, {"axes", mediator_axes()}},
                  "data.json", "/fit/planes/4");
  EXPECT_EQ(p.mediator, kVectorBMinusL);
  EXPECT_FALSE(p.is_sterile());
  EXPECT_EQ(plane_base(p).mediator, kVectorBMinusL);
  EXPECT_EQ(plane_base(p).sterile_channel, kNoSterile);
}

TEST(FitMediatorConfig, BadMediatorPlanesAreNamedWithTheirJsonPath) {
  const std::string at = "data.json: /fit/planes/4";
  EXPECT_EQ(plane_error({{"name", "z"}, {"mediator", "vector"}, {"axes", mediator_axes()}}),
            at + "/mediator: expected one of \"vector_universal\", \"vector_b_minus_l\", "
                 "\"vector_lmu_ltau\", \"scalar\", got \"vector\"");
  EXPECT_EQ(plane_error({{"name", "z"}, {"axes", mediator_axes()}}),
            at + "/mediator: missing required key for a mediator plane (expected "
                 "\"vector_universal\", \"vector_b_minus_l\", \"vector_lmu_ltau\" or "
                 "\"scalar\")");
  EXPECT_EQ(
      plane_error(
          {{"name", "z"}, {"mediator", "scalar"}, {"channel", "nue"}, {"axes", mediator_axes()}}),
      at + "/channel: expected no channel on a mediator plane");
  Json swapped = mediator_axes();
  std::swap(swapped[0], swapped[1]);
  EXPECT_EQ(plane_error({{"name", "z"}, {"mediator", "scalar"}, {"axes", swapped}}),
            at + "/axes: expected the axes [mediator_coupling, mediator_mass_MeV] on a mediator "
                 "plane");
  Json nsi = mediator_axes();
  nsi[1] = {{"parameter", "eps_ee_uV"}, {"min", -1.0}, {"max", 1.0}, {"points", 5}};
  EXPECT_EQ(plane_error({{"name", "z"}, {"mediator", "scalar"}, {"axes", nsi}}),
            at + "/axes: expected the axes [mediator_coupling, mediator_mass_MeV] on a mediator "
                 "plane");
  Json low = mediator_axes();
  low[1]["min"] = 1e-4;
  EXPECT_EQ(plane_error({{"name", "z"}, {"mediator", "scalar"}, {"axes", low}}),
            at + "/axes/1/min: expected mediator_mass_MeV " + parameter_range_text(kMediatorMass) +
                ", got 0.0001");
}

}  // namespace
}  // namespace cevns
