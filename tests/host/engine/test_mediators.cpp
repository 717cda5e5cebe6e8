// Light-mediator scans through the engine (host/engine/scan_model.cpp, study_run.cpp): the heavy
// universal Z′ is NSI, g → 0 is the SM, L_μ−L_τ leaves the ν_e counts alone; the row-factorised
// grids equal the direct integral and do not depend on the loop structure; the shipped study's
// quadrature resolves the propagator down to its smallest mass; the exclusions scale as the
// contact limit says; the configs name the mediator where and only where it acts.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "host/config/parameters.hpp"
#include "host/config/study.hpp"
#include "host/core/error.hpp"
#include "host/engine/study_run.hpp"
#include "kernels/chi2.hpp"
#include "kernels/constants.hpp"
#include "tests/test_util.hpp"

namespace cevns {
namespace {

using testing::source_path;

const char* const kMediators[] = {"vector_universal", "vector_b_minus_l", "vector_lmu_ltau",
                                  "scalar"};

Json axis(const std::string& p, double lo, double hi, int n, bool log = true) {
  return {
      {"parameter", p}, {"min", lo}, {"max", hi}, {"points", n}, {"scale", log ? "log" : "linear"}};
}

Json plane_scan(const std::string& mediator, int n_coupling, int n_mass, double m_lo = 1e-2,
                double m_hi = 1e4) {
  return {{"name", mediator},
          {"mediator", mediator},
          {"axes",
           {axis("mediator_coupling", 1e-7, 1e-1, n_coupling),
            axis("mediator_mass_MeV", m_lo, m_hi, n_mass)}}};
}

Study mediator_study(const Json& scans, const std::string& detector = "csi",
                     const std::string& scenario = "sys15", const Json& quadrature = nullptr) {
  Json j = {
      {"name", "mediators"},
      {"detectors", {source_path("configs/detectors/" + detector + ".json")}},
      {"scenarios", {scenario}},
      {"analysis", {{"binning", "recoil"}, {"bin_width_keV", 8.0}}},
      {"quadrature", quadrature.is_null()
                         ? Json{{"recoil_nodes", 8}, {"energy_nodes", 8}, {"energy_panels", 2}}
                         : quadrature},
      {"scans", scans}};
  return parse_study(j, "mediator-study.json");
}

Backend& cpu() {
  static auto b = make_cpu_backend();
  return *b;
}

PhysicsModel with_mediator(int mediator, double g, double mass_MeV) {
  PhysicsModel m = standard_model();
  m.mediator = mediator;
  m.value[kMediatorCoupling] = g;
  m.value[kMediatorMass] = mass_MeV;
  return m;
}

double worst_relative(const std::vector<double>& a, const std::vector<double>& b) {
  double worst = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::fabs(a[i] / b[i] - 1.0));
  return worst;
}

TEST(MediatorCounts, HeavyUniversalZPrimeIsFlavourUniversalNsi) {
  // SPEC §10.1: for m² ≫ q² the universal term is ε^uV = ε^dV = g²/(√2 G_F m²) for every flavour.
  // q² ≤ 2 M T_max ≈ 4 E_max² ≈ 1.1e4 MeV² here, so at m = 1e5 MeV the propagator differs from
  // 1/m² by at most 1.1e-6 relative; g is set so that ε = 0.01, where the counts change by ~10%:
  // the counts then differ from NSI by at most 2 × 1.1e-6 × (its share of the charge) < 1e-6.
  for (const char* name : {"csi", "ge72", "nai", "ar"}) {
    const Study s = mediator_study(Json::array({plane_scan("vector_universal", 4, 4)}), name);
    const PreparedDetector det = prepare_detector(s.detectors[0], s.analysis, cpu());
    const double mass = 1e5, eps = 0.01;
    const double g =
        std::sqrt(eps * std::sqrt(2.0) * constants::fermi_constant_per_MeV2 * mass * mass);
    PhysicsModel nsi = standard_model();
    for (int alpha : {kE, kMu, kTau})
      for (int q : {kUp, kDown}) nsi.value[epsilon_index(q, alpha, alpha)] = eps;
    const auto zprime = det.counts->counts(with_mediator(kVectorUniversal, g, mass));
    const auto contact = det.counts->counts(nsi);
    const auto sm = det.counts->counts(standard_model());
    EXPECT_LT(worst_relative(zprime, contact), 1e-6) << name;
    EXPECT_GT(worst_relative(contact, sm), 1e-2) << name;  // the test is not trivially passed
  }
}

TEST(MediatorCounts, ZeroCouplingGivesTheStandardModel) {
  const Study st = mediator_study(Json::array({plane_scan("scalar", 4, 4)}));
  const PreparedDetector det = prepare_detector(st.detectors[0], st.analysis, cpu());
  const auto sm = det.counts->counts(standard_model());
  for (int mediator : {kVectorUniversal, kVectorBMinusL, kVectorLmuLtau, kScalar}) {
    // The direct integrand with g = 0, and the counts as g → 0.
    const RateProblem& p = det.counts->problem();
    std::vector<double> direct(p.n_bins(), 0.0), direct_sm(p.n_bins(), 0.0);
    for (int b = 0; b < p.n_bins(); ++b)
      for (int e = p.bin_offsets[b]; e < p.bin_offsets[b + 1]; ++e) {
        direct[b] += entry_direct(p.host_view(), e, with_mediator(mediator, 0.0, 0.01));
        direct_sm[b] += entry_direct(p.host_view(), e, standard_model());
      }
    for (int b = 0; b < p.n_bins(); ++b) EXPECT_EQ(direct[b], direct_sm[b]);
    EXPECT_LT(worst_relative(det.counts->counts(with_mediator(mediator, 1e-9, 0.01)), sm), 1e-6);
  }
}

TEST(MediatorCounts, LmuLtauLeavesTheElectronNeutrinoCountsUntouched) {
  const Study st = mediator_study(Json::array({plane_scan("vector_lmu_ltau", 4, 4)}), "ar");
  const PreparedDetector det = prepare_detector(st.detectors[0], st.analysis, cpu());
  const RateProblem& p = det.counts->problem();
  const PhysicsModel z = with_mediator(kVectorLmuLtau, 1e-2, 10.0);
  double nue = 0.0, nue_sm = 0.0, numu = 0.0, numu_sm = 0.0;
  for (std::size_t e = 0; e < p.entries.size(); ++e) {
    const double a = entry_direct(p.host_view(), static_cast<int>(e), z);
    const double b = entry_direct(p.host_view(), static_cast<int>(e), standard_model());
    if (p.entries[e].flux == kDelayedNuE) {
      EXPECT_EQ(a, b);
      nue += a;
      nue_sm += b;
    } else {
      numu += a;
      numu_sm += b;
    }
  }
  EXPECT_EQ(nue, nue_sm);
  EXPECT_GT(numu, 1.01 * numu_sm);  // constructive for ν_μ, ν̄_μ (SPEC §10.1)
}

TEST(MediatorCounts, ScalarNeverLowersTheCounts) {
  const Study st = mediator_study(Json::array({plane_scan("scalar", 4, 4)}), "nai");
  const PreparedDetector det = prepare_detector(st.detectors[0], st.analysis, cpu());
  const auto sm = det.counts->counts(standard_model());
  for (double mass : {1e-2, 1.0, 100.0, 1e4})
    for (double g : {1e-7, 1e-5, 1e-3, 1e-1}) {
      const auto c = det.counts->counts(with_mediator(kScalar, g, mass));
      // The SM counts come from the moments, these from the full integrand: equal to rounding.
      for (std::size_t b = 0; b < c.size(); ++b)
        EXPECT_GE(c[b], sm[b] * (1.0 - 1e-13)) << mass << " " << g;
    }
}

// A model's grid computed on a backend.
std::vector<double> grid_of(const ScanModel& model, Backend& backend) {
  Progress quiet(Progress::Mode::kQuiet);
  return compute_grid(model, backend, quiet, "mediators", std::size_t{1} << 20);
}

TEST(MediatorScans, RowFactorisedEqualsDirectOn64x64GridsOfEveryModel) {
  for (const char* mediator : kMediators) {
    const Study st =
        mediator_study(Json::array({plane_scan(mediator, 64, 64)}), "ar", "sys15",
                       Json{{"recoil_nodes", 6}, {"energy_nodes", 6}, {"energy_panels", 1}});
    const PreparedDetector det = prepare_detector(st.detectors[0], st.analysis, cpu());
    const auto f =
        make_study_model(det, st, st.scans[0], st.scenarios[0], Method::kFactorised, cpu());
    const auto d = make_study_model(det, st, st.scans[0], st.scenarios[0], Method::kDirect, cpu());
    ASSERT_EQ(f->input().evaluator, ScanInput::kMediator);
    ASSERT_EQ(d->input().evaluator, ScanInput::kDirect);
    const auto a = grid_of(*f, cpu()), b = grid_of(*d, cpu());
    double worst = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i)
      worst = std::max(worst, std::fabs(a[i] - b[i]) / std::max(std::fabs(b[i]), 1e-3));
    EXPECT_LT(worst, 1e-9) << mediator;
    // The counts themselves, off the grid on the host, at points between the grid's.
    for (double g : {3e-6, 4e-4, 2e-2})
      for (double m : {0.02, 7.0, 300.0, 5000.0}) {
        const PhysicsModel pt = f->model_at({g, m});
        EXPECT_LT(worst_relative(f->counts(pt), d->counts(pt)), 1e-9)
            << mediator << " " << g << " " << m;
      }
  }
}

TEST(MediatorScans, OnePointSegmentsEqualLongSegmentsBitForBit) {
  auto one = make_cpu_backend(1);
  auto long_segments = make_cpu_backend(1024);
  for (const char* mediator : kMediators) {
    const Study st = mediator_study(Json::array({plane_scan(mediator, 37, 23)}));
    const PreparedDetector det = prepare_detector(st.detectors[0], st.analysis, cpu());
    const auto m1 =
        make_study_model(det, st, st.scans[0], st.scenarios[0], Method::kFactorised, *one);
    const auto m2 = make_study_model(det, st, st.scans[0], st.scenarios[0], Method::kFactorised,
                                     *long_segments);
    const auto a = grid_of(*m1, *one), b = grid_of(*m2, *long_segments);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      ASSERT_TRUE(std::isfinite(a[i]));
      EXPECT_EQ(std::memcmp(&a[i], &b[i], sizeof(double)), 0) << mediator << " point " << i;
    }
  }
}

TEST(MediatorScans, HostRowsEqualTheBackendTablesBitForBit) {
  // Off the grid the host computes a mass row node by node; the backend precomputes the nodes
  // once for all rows: the same operations, so the same bits.
  const Study st = mediator_study(Json::array({plane_scan("scalar", 4, 4)}), "nai");
  const PreparedDetector det = prepare_detector(st.detectors[0], st.analysis, cpu());
  const std::vector<double> masses = {1e-3, 0.37, 42.0, 9e4};
  for (int mediator : {kVectorUniversal, kVectorBMinusL, kVectorLmuLtau, kScalar}) {
    PhysicsModel base = standard_model();
    base.mediator = mediator;
    const auto t =
        cpu().mediator_tables(det.counts->problem(), base, masses, det.counts->efficiency(), {});
    const std::size_t nb = static_cast<std::size_t>(det.counts->n_bins());
    for (std::size_t r = 0; r < masses.size(); ++r) {
      const auto row = det.counts->mediator_row(base, masses[r]);
      for (std::size_t b = 0; b < nb; ++b) {
        EXPECT_EQ(row.quadratic[b], t.quadratic[r * nb + b]) << mediator << " " << masses[r];
        EXPECT_EQ(row.quartic[b], t.quartic[r * nb + b]) << mediator << " " << masses[r];
      }
    }
  }
}

TEST(MediatorScans, ClusterTablesEqualTheNodeByNodeSumsToRounding) {
  // The tables sum per q² cluster a convergent expansion of the propagator
  // (kernels/mediator_tables.hpp); summed node by node (one division per node) they must agree to
  // rounding, at masses far below, among and far above the nodes' q, per recoil bin of two
  // isotopes (CsI) and in the total count of one (Ar), for every model.
  for (const char* name : {"csi", "ar"}) {
    const Study st = mediator_study(Json::array({plane_scan("scalar", 4, 4)}), name, "sys15",
                                    Json{{"recoil_nodes", 24}, {"energy_nodes", 16},
                                         {"energy_panels", 3}});
    const PreparedDetector det = prepare_detector(st.detectors[0], st.analysis, cpu());
    const RateProblem& p = det.counts->problem();
    const int n_t = static_cast<int>(p.t_nodes.size());
    for (int mediator : {kVectorUniversal, kVectorBMinusL, kVectorLmuLtau, kScalar}) {
      PhysicsModel base = standard_model();
      base.mediator = mediator;
      const CountsModel::MediatorNodes nodes = det.counts->mediator_nodes(base);
      ASSERT_LT(nodes.clusters.clusters.size(), nodes.nodes.size() / 10) << name;
      for (double mass : {1e-3, 0.05, 3.0, 40.0, 120.0, 900.0, 1e5}) {
        const auto row = det.counts->mediator_row(nodes, mass);
        std::vector<MediatorMoments> entries(p.entries.size());
        for (std::size_t e = 0; e < entries.size(); ++e)
          entries[e] = mediator_moments_at(nodes.nodes.data() + e * n_t, n_t, nodes.scale[e], mass);
        for (int b = 0; b < p.n_bins(); ++b) {
          const MediatorMoments m =
              mediator_bin_sum(entries.data(), p.bin_offsets.data(), b, det.counts->efficiency());
          const std::string where = std::string(name) + " " + std::to_string(mediator) + " " +
                                    std::to_string(mass) + " bin " + std::to_string(b);
          EXPECT_NEAR(row.quartic[b], m.quartic, 1e-13 * std::fabs(m.quartic)) << where;
          EXPECT_NEAR(row.quadratic[b], m.quadratic, 1e-13 * std::fabs(m.quadratic)) << where;
          EXPECT_GT(m.quartic, 0.0) << where;
        }
      }
    }
  }
}

TEST(MediatorScans, GridRowsEqualTheHostPointByPointBitForBit) {
  // The blocked, vectorised rows (kernels/scan_point.hpp, mediator_row_chi2) do the operations of
  // the host's point_chi2_by_residuals: the grid holds the host's chi2() at its points, with both
  // pulls free (sys15) and with both fixed (ideal).
  for (const char* scenario : {"sys15", "ideal"}) {
    const Study st = mediator_study(Json::array({plane_scan("vector_universal", 70, 9)}), "csi",
                                    scenario);
    const PreparedDetector det = prepare_detector(st.detectors[0], st.analysis, cpu());
    const auto f =
        make_study_model(det, st, st.scans[0], st.scenarios[0], Method::kFactorised, cpu());
    const auto a = grid_of(*f, cpu());
    const auto& x = f->input().axis;
    for (std::size_t i = 0; i < a.size(); ++i) {
      const double host = f->chi2(f->model_at({x[0][i % 70], x[1][i / 70]}));
      EXPECT_EQ(std::memcmp(&a[i], &host, sizeof(double)), 0) << scenario << " point " << i;
    }
  }
}

TEST(MediatorScans, OneTotalCountGridsEqualTheHostAndTheGeneralPullMinimum) {
  // One analysis bin (the light_mediators study's total count): the pulls' minimum is the closed
  // form of single_bin_chi2 (kernels/scan_point.hpp), on the grid and on the host alike, bit for
  // bit; it must equal the 2×2 minimum of Chi2Accumulator (a different method) wherever that one
  // keeps its digits, with both pulls free (sys15, sys30) and both fixed (ideal).
  for (const char* scenario : {"sys15", "ideal", "sys30"}) {
    Json j = {{"name", "mediators"},
              {"detectors", {source_path("configs/detectors/ar.json")}},
              {"scenarios", {scenario}},
              {"analysis", {{"binning", "total"}}},
              {"quadrature", {{"recoil_nodes", 8}, {"energy_nodes", 8}, {"energy_panels", 2}}},
              {"scans", Json::array({plane_scan("vector_universal", 67, 11)})}};
    const Study st = parse_study(j, "mediator-total.json");
    const PreparedDetector det = prepare_detector(st.detectors[0], st.analysis, cpu());
    const auto f =
        make_study_model(det, st, st.scans[0], st.scenarios[0], Method::kFactorised, cpu());
    ASSERT_EQ(f->input().n_bins(), 1);
    const auto a = grid_of(*f, cpu());
    const auto& x = f->input().axis;
    const ScanInput& in = f->input();
    const double ia = in.sigma_alpha > 0.0 ? 1.0 / (in.sigma_alpha * in.sigma_alpha) : -1.0;
    const double ib = in.sigma_beta > 0.0 ? 1.0 / (in.sigma_beta * in.sigma_beta) : -1.0;
    int compared = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
      const PhysicsModel pt = f->model_at({x[0][i % 67], x[1][i / 67]});
      const double host = f->chi2(pt);
      EXPECT_EQ(std::memcmp(&a[i], &host, sizeof(double)), 0) << scenario << " point " << i;
      const double t = f->counts(pt)[0];
      if (t > 10.0 * in.n_exp[0]) continue;  // the accumulator cancels there
      Chi2Accumulator acc;
      acc.add_weighted(t, in.n_exp[0], in.n_bg[0], 1.0 / in.n_exp[0]);
      const double general = acc.minimum_inverse(ia, ib);
      EXPECT_NEAR(a[i], general, 1e-9 * std::max(general, 1e-3)) << scenario << " point " << i;
      ++compared;
    }
    EXPECT_GT(compared, 300) << scenario;
  }
}

TEST(MediatorScans, CouplingAloneAtAFixedMassUsesOneRow) {
  Json scan = {{"name", "g"},
               {"mediator", "vector_b_minus_l"},
               {"axes", {axis("mediator_coupling", 1e-6, 1e-2, 30)}}};
  Json j = {{"name", "m"},
            {"detectors", {source_path("configs/detectors/ge72.json")}},
            {"scenarios", {"ideal"}},
            {"quadrature", {{"recoil_nodes", 8}, {"energy_nodes", 8}, {"energy_panels", 2}}},
            {"truth", {{"mediator", "vector_b_minus_l"}, {"mediator_mass_MeV", 20.0}}},
            {"scans", {scan}}};
  const Study st = parse_study(j, "m.json");
  const PreparedDetector det = prepare_detector(st.detectors[0], st.analysis, cpu());
  const auto f =
      make_study_model(det, st, st.scans[0], st.scenarios[0], Method::kFactorised, cpu());
  const auto d = make_study_model(det, st, st.scans[0], st.scenarios[0], Method::kDirect, cpu());
  ASSERT_EQ(f->input().evaluator, ScanInput::kMediator);
  const auto a = grid_of(*f, cpu()), b = grid_of(*d, cpu());
  for (std::size_t i = 0; i < a.size(); ++i)
    EXPECT_NEAR(a[i], b[i], 1e-9 * std::max(std::fabs(b[i]), 1e-3)) << i;
}

TEST(MediatorScans, ShippedStudyQuadratureResolvesThePropagatorDownToItsSmallestMass) {
  // Doubling every node count changes no bin of the tables A + g²B + g⁴C by more than 1e-6,
  // at the shipped masses' ends and between, in the total count of every detector and in the
  // 4-keV bins of CsI. B and C weigh low recoils as 1/q² and 1/q⁴ when m² ≪ q²: over
  // NaI's Na range [13, 260] keV the pole at T ≈ 0 needs more recoil nodes than the SM's moments.
  Json j = load_json_file(source_path("configs/studies/light_mediators.json"));
  for (const std::string binning : {"total", "recoil"}) {
    j["analysis"] = {{"binning", binning}};
    if (binning == "recoil") {
      j["analysis"]["bin_width_keV"] = 4.0;
      j["detectors"] = {"../detectors/csi.json"};
    }
    j["scenarios"] = {"ideal"};
    Json fine_json = j;
    for (const char* key : {"recoil_nodes", "energy_nodes", "energy_panels"})
      fine_json["quadrature"][key] = 2 * j["quadrature"][key].get<int>();
    const Study base = parse_study(j, source_path("configs/studies/light_mediators.json"));
    const Study fine = parse_study(fine_json, source_path("configs/studies/light_mediators.json"));
    const std::vector<double> masses = {1e-2, 1.0, 30.0, 1e4};
    for (std::size_t d = 0; d < base.detectors.size(); ++d) {
      const PreparedDetector pb = prepare_detector(base.detectors[d], base.analysis, cpu());
      const PreparedDetector pf = prepare_detector(fine.detectors[d], fine.analysis, cpu());
      for (int mediator : {kVectorUniversal, kVectorBMinusL, kVectorLmuLtau, kScalar}) {
        PhysicsModel m = standard_model();
        m.mediator = mediator;
        const auto tb = cpu().mediator_tables(pb.counts->problem(), m, masses, 1.0, {});
        const auto tf = cpu().mediator_tables(pf.counts->problem(), m, masses, 1.0, {});
        const std::size_t nb = static_cast<std::size_t>(pf.counts->n_bins());
        for (std::size_t k = 0; k < tb.quartic.size(); ++k) {
          const std::string where =
              base.detectors[d].name + " " + binning + " mediator " + std::to_string(mediator) +
              " mass " + std::to_string(masses[k / nb]) + " bin " + std::to_string(k % nb);
          EXPECT_NEAR(tb.quartic[k] / tf.quartic[k], 1.0, 1e-6) << where;
          if (mediator != kScalar && tf.quadratic[k] != 0.0) {
            EXPECT_NEAR(tb.quadratic[k] / tf.quadratic[k], 1.0, 1e-6) << where;
          }
        }
      }
    }
  }
}

std::vector<ScanResult> run_csi_study(const Json& scans, const std::string& scenario) {
  Json j = {{"name", "m"},
            {"detectors", {source_path("configs/detectors/csi.json")}},
            {"scenarios", {scenario}},
            {"quadrature", {{"recoil_nodes", 8}, {"energy_nodes", 8}, {"energy_panels", 2}}},
            {"scans", scans}};
  const Study st = parse_study(j, "m.json");
  Progress quiet(Progress::Mode::kQuiet);
  return run_study(st, cpu(), Method::kFactorised, std::size_t{1} << 20, quiet);
}

TEST(MediatorStudy, ExclusionFollowsTheContactLimitAtLargeMassAndNoMassAtSmall) {
  // Heavy mediators: the counts depend on g²/m² only, so the excluded coupling grows ∝ m
  // (q² ≤ 1.1e4 MeV² is 1% of m² at 1 GeV); light ones: on g alone (m² ≪ q² ≥ 2 M T_th).
  const auto results = run_csi_study(
      Json::array({plane_scan("vector_universal", 200, 61), plane_scan("vector_b_minus_l", 200, 61),
                   plane_scan("scalar", 200, 61)}),
      "sys15");
  ASSERT_EQ(results.size(), 3u);
  for (const ScanResult& r : results) {
    SCOPED_TRACE(r.scan);
    ASSERT_EQ(r.exclusion.size(), 4u);
    ASSERT_EQ(r.allowed_bands.size(), 4u);
    for (const auto& [mass, g] : r.exclusion) ASSERT_TRUE(std::isfinite(g)) << mass;
    ASSERT_EQ(r.row_exclusion.size(), 61u);
    // Rows 0 and 5: m = 0.01 and 0.1 MeV, both far below q ≈ 50 MeV at threshold.
    EXPECT_NEAR(r.row_exclusion[5] / r.row_exclusion[0], 1.0, 1e-3);
    // Rows 50 and 60: 1 GeV and 10 GeV; the scalar's rate goes as g⁴/m⁴, so g ∝ m too.
    EXPECT_NEAR(r.row_exclusion[60] / r.row_exclusion[50], 10.0, 0.2);
    // The solved exclusion at 1 GeV and the grid's interpolation agree to the grid's spacing.
    EXPECT_NEAR(r.exclusion[3].second / r.row_exclusion[50], 1.0, 0.05);
    for (double d : r.delta_chi2) EXPECT_GE(d, -1e-9);
  }
}

TEST(MediatorStudy, DestructiveInterferenceOpensAnAllowedBandAboveTheExclusion) {
  // Universal: where the Z′ term reverses the SM charge the counts return to the SM's, an allowed
  // band above the exclusion (narrow: a fine coupling axis); B−L adds to the charge, so none.
  Json universal = plane_scan("vector_universal", 1200, 3, 1.0, 100.0);
  Json b_minus_l = plane_scan("vector_b_minus_l", 1200, 3, 1.0, 100.0);
  for (Json* s : {&universal, &b_minus_l}) {
    (*s)["axes"][0]["min"] = 1e-7;
    (*s)["axes"][0]["max"] = 1e-4;
  }
  const auto results = run_csi_study(Json::array({universal, b_minus_l}), "ideal");
  ASSERT_EQ(results.size(), 2u);
  ASSERT_EQ(results[0].exclusion.size(), 3u);  // 1, 10, 100 MeV
  for (std::size_t k = 0; k < 2; ++k) {
    const double excluded = results[0].exclusion[k].second;
    ASSERT_TRUE(std::isfinite(excluded));
    ASSERT_FALSE(results[0].allowed_bands[k].empty()) << results[0].exclusion[k].first;
    EXPECT_GT(results[0].allowed_bands[k][0].lo, excluded);
    // Counts back at the SM's where the Z′ term is twice the SM charge; the exclusion is where it
    // is ~9% of it (±18% in counts: Δχ² = 4.61 at N ≈ 165 with 10% background), so the band
    // sits near √(2/0.09) ≈ 4.7 × the exclusion, give or take the q-dependence of the term.
    EXPECT_GT(results[0].allowed_bands[k][0].lo, 3.0 * excluded);
    EXPECT_LT(results[0].allowed_bands[k][0].hi, 8.0 * excluded);
  }
  for (const auto& bands : results[1].allowed_bands) EXPECT_TRUE(bands.empty());
}

TEST(MediatorConfig, ScanNamesItsMediatorWhereAndOnlyWhereItActs) {
  const auto error_path = [](const Json& scan) {
    try {
      mediator_study(Json::array({scan}));
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  Json missing = plane_scan("scalar", 4, 4);
  missing.erase("mediator");
  EXPECT_NE(error_path(missing).find("mediator"), std::string::npos);
  Json stray = {
      {"name", "w"}, {"mediator", "scalar"}, {"axes", {axis("sin2_theta_W", 0.2, 0.3, 5, false)}}};
  EXPECT_NE(error_path(stray).find("expected no mediator"), std::string::npos);
  Json bad = plane_scan("vector_dark_photon", 4, 4);
  EXPECT_NE(error_path(bad).find("vector_b_minus_l"), std::string::npos);
  Json swapped = plane_scan("scalar", 4, 4);
  std::swap(swapped["axes"][0], swapped["axes"][1]);
  EXPECT_NE(error_path(swapped).find("order"), std::string::npos);
  EXPECT_EQ(error_path(plane_scan("scalar", 4, 4)), "");
  const Study st = mediator_study(Json::array({plane_scan("vector_lmu_ltau", 4, 4)}));
  EXPECT_EQ(st.scans[0].mediator, kVectorLmuLtau);
  EXPECT_EQ(st.truth.mediator, kNoMediator);
}

TEST(MediatorConfig, TruthWithACouplingNamesItsMediator) {
  Json j = {{"name", "m"},
            {"detectors", {source_path("configs/detectors/ge72.json")}},
            {"scenarios", {"ideal"}},
            {"truth", {{"mediator_coupling", 1e-4}, {"mediator_mass_MeV", 10.0}}},
            {"scans", {{{"name", "w"}, {"axes", {axis("sin2_theta_W", 0.2, 0.3, 5, false)}}}}}};
  EXPECT_THROW(parse_study(j, "m.json"), InputError);
  j["truth"]["mediator"] = "scalar";
  const Study st = parse_study(j, "m.json");
  EXPECT_EQ(st.truth.mediator, kScalar);
  EXPECT_EQ(st.truth.value[kMediatorCoupling], 1e-4);
}

}  // namespace
}  // namespace cevns
