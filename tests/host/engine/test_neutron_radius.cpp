// The neutron rms radius as a parameter (SPEC §10.4–10.5; host/engine/scan_model.cpp, kRadius):
// the configured radius gives the shipped counts, a per-element radius moves only its element,
// the row-factorised grids equal the direct integral on 64×64 grids, the host rows equal the
// backend's tables, the quadrature stays converged at other radii, a truth's radius is found
// again; the configs refuse radii outside each form factor's domain and elements a detector
// lacks; proton form factors use the point-proton radius derived from the charge radius.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "host/config/neutron_radius.hpp"
#include "host/config/parameters.hpp"
#include "host/config/study.hpp"
#include "host/core/error.hpp"
#include "host/engine/study_run.hpp"
#include "tests/test_util.hpp"

namespace cevns {
namespace {

using testing::source_path;

Json axis(const std::string& p, double lo, double hi, int n) {
  return {{"parameter", p}, {"min", lo}, {"max", hi}, {"points", n}};
}

// One axis (a brace list of one JSON object is that object) or two.
Json scan(const std::string& name, const Json& axes) {
  return {{"name", name}, {"axes", axes.is_array() ? axes : Json::array({axes})}};
}

Json study_json(const Json& scans, const std::string& detector,
                const Json& quadrature = {
                    {"recoil_nodes", 8}, {"energy_nodes", 8}, {"energy_panels", 1}}) {
  return {{"name", "rn"},
          {"detectors", {source_path("configs/detectors/" + detector + ".json")}},
          {"scenarios", {"sys15"}},
          {"analysis", {{"binning", "recoil"}, {"bin_width_keV", 6.0}}},
          {"quadrature", quadrature},
          {"scans", scans}};
}

Study radius_study(const Json& scans, const std::string& detector = "csi") {
  return parse_study(study_json(scans, detector), "rn-study.json");
}

Backend& cpu() {
  static auto b = make_cpu_backend();
  return *b;
}

std::vector<double> grid_of(const ScanModel& m, Backend& b) {
  Progress quiet(Progress::Mode::kQuiet);
  return compute_grid(m, b, quiet, "rn");
}

double worst_relative(const std::vector<double>& a, const std::vector<double>& b) {
  double worst = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::fabs(a[i] / b[i] - 1.0));
  return worst;
}

PhysicsModel with_radius(int id, double r) {
  PhysicsModel m = standard_model();
  m.value[id] = r;
  return m;
}

// Counts of one isotope's entries per bin, by the direct integrand.
std::vector<double> isotope_counts(const RateProblem& p, int isotope, const PhysicsModel& m) {
  std::vector<double> out(p.n_bins(), 0.0);
  for (int b = 0; b < p.n_bins(); ++b)
    for (int e = p.bin_offsets[b]; e < p.bin_offsets[b + 1]; ++e)
      if (p.entries[e].isotope == isotope) out[b] += entry_direct(p.host_view(), e, m);
  return out;
}

TEST(NeutronRadiusCounts, ConfiguredRadiusGivesTheShippedCounts) {
  // CsI is configured with R_n = 5.5 fm for Cs and I: rn_fm = 5.5 is the shipped model, bit for
  // bit on the direct path (the same form factor is rebuilt from the same radius).
  const Study st = radius_study(Json::array({scan("r", {axis("rn_fm", 4, 7, 4)})}));
  const PreparedDetector det = prepare_detector(st.detectors[0], st.analysis, cpu());
  const RateProblem& p = det.counts->problem();
  for (int id : {int(kNeutronRadius), int(kNeutronRadiusCs), int(kNeutronRadiusI)}) {
    EXPECT_FALSE(det.counts->sets_neutron_radius(with_radius(id, 5.5)));
    EXPECT_EQ(det.counts->counts(with_radius(id, 5.5)), det.counts->counts(standard_model()));
    for (int i = 0; i < 2; ++i)
      EXPECT_EQ(isotope_counts(p, i, with_radius(id, 5.5)), isotope_counts(p, i, standard_model()));
  }
}

TEST(NeutronRadiusCounts, ElementRadiusMovesOnlyItsElementAndWinsOverRnFm) {
  const Study st = radius_study(Json::array({scan("r", {axis("rn_fm", 4, 7, 4)})}));
  const PreparedDetector det = prepare_detector(st.detectors[0], st.analysis, cpu());
  const RateProblem& p = det.counts->problem();
  ASSERT_EQ(p.isotopes[0].neutron_radius_parameter, kNeutronRadiusCs);
  ASSERT_EQ(p.isotopes[1].neutron_radius_parameter, kNeutronRadiusI);
  const PhysicsModel cs = with_radius(kNeutronRadiusCs, 6.5);
  EXPECT_EQ(isotope_counts(p, 1, cs), isotope_counts(p, 1, standard_model()));
  const auto cs_counts = isotope_counts(p, 0, cs), cs_sm = isotope_counts(p, 0, standard_model());
  for (std::size_t b = 0; b < cs_counts.size(); ++b)  // a wider neutron distribution: smaller F_N
    if (cs_sm[b] > 0.0) {
      EXPECT_LT(cs_counts[b], cs_sm[b]) << b;
    }
  PhysicsModel both = cs;
  both.value[kNeutronRadius] = 4.0;  // sets I, not Cs
  EXPECT_EQ(isotope_counts(p, 0, both), cs_counts);
  EXPECT_EQ(isotope_counts(p, 1, both), isotope_counts(p, 1, with_radius(kNeutronRadius, 4.0)));
}

// Every radius grid, by the row tables and by the direct integral: equal to 1e-9.
TEST(NeutronRadiusScans, RowFactorisedEqualsDirectOn64x64Grids) {
  struct Case {
    const char* detector;
    Json scan;
  };
  const Case cases[] = {
      {"csi", scan("sw_rn", {axis("sin2_theta_W", 0.15, 0.35, 64), axis("rn_fm", 3.5, 7.5, 64)})},
      {"csi", scan("cs_i", {axis("rn_Cs_fm", 3.5, 7.5, 64), axis("rn_I_fm", 3.0, 8.0, 64)})},
      {"nai", scan("rn_sw", {axis("rn_fm", 2.5, 6.5, 64), axis("sin2_theta_W", 0.15, 0.35, 64)})},
      {"nai", scan("na_rn", {axis("rn_Na_fm", 2.0, 4.0, 64), axis("rn_fm", 4.0, 6.0, 64)})},
      {"ar", scan("rn", {axis("rn_fm", 2.0, 5.0, 64)})},
      {"ge72", scan("ge_eps", {axis("eps_ee_uV", -0.5, 0.5, 64), axis("rn_Ge_fm", 3, 5, 64)})}};
  for (const Case& c : cases) {
    // A coarse quadrature: the two paths integrate with the same nodes whatever their number.
    Json j = study_json(Json::array({c.scan}), c.detector,
                        {{"recoil_nodes", 6}, {"energy_nodes", 6}, {"energy_panels", 1}});
    j["analysis"]["bin_width_keV"] = 10.0;
    const Study st = parse_study(j, "rn-study.json");
    const PreparedDetector det = prepare_detector(st.detectors[0], st.analysis, cpu());
    const auto f =
        make_study_model(det, st, st.scans[0], st.scenarios[0], Method::kFactorised, cpu());
    const auto d = make_study_model(det, st, st.scans[0], st.scenarios[0], Method::kDirect, cpu());
    ASSERT_EQ(f->input().evaluator, ScanInput::kRadius) << st.scans[0].name;
    ASSERT_EQ(d->input().evaluator, ScanInput::kDirect);
    const auto a = grid_of(*f, cpu()), b = grid_of(*d, cpu());
    double worst = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i)
      worst = std::max(worst, std::fabs(a[i] - b[i]) / std::max(std::fabs(b[i]), 1e-3));
    EXPECT_LT(worst, 1e-9) << st.scans[0].name;
    // Off the grid, on the host: counts between the grid's points.
    for (double x : {0.3, 0.71})
      for (double y : {0.05, 0.5, 0.93}) {
        const auto& ax = st.scans[0].axes;
        std::vector<double> v{ax[0].min + x * (ax[0].max - ax[0].min)};
        if (ax.size() == 2) v.push_back(ax[1].min + y * (ax[1].max - ax[1].min));
        const PhysicsModel pt = f->model_at(v);
        EXPECT_LT(worst_relative(f->counts(pt), d->counts(pt)), 1e-9) << st.scans[0].name;
        EXPECT_NEAR(f->chi2(pt), d->chi2(pt), 1e-9 * std::max(d->chi2(pt), 1e-3));
      }
  }
}

TEST(NeutronRadiusScans, MediatorCouplingAgainstARadiusIsFactorisedPerRadiusRow) {
  // (mediator_coupling, rn) at a fixed mass: A, B and C per radius row (host/engine/scan_model.cpp);
  // equal to the direct integral on every point and off the grid, for every mediator, with
  // rn_fm (both CsI isotopes) and rn_Cs_fm (Cs alone; I keeps its configured radius).
  for (const char* mediator : {"vector_universal", "vector_b_minus_l", "vector_lmu_ltau", "scalar"})
    for (const char* radius : {"rn_fm", "rn_Cs_fm"}) {
      const Json sc = {{"name", "g_rn"},
                       {"mediator", mediator},
                       {"axes", {{{"parameter", "mediator_coupling"}, {"min", 1e-6}, {"max", 1e-2},
                                  {"points", 16}, {"scale", "log"}},
                                 axis(radius, 4.0, 6.5, 12)}},
                       {"fixed", {{"mediator_mass_MeV", 20.0}}}};
      Json j = study_json(Json::array({sc}), "csi",
                          {{"recoil_nodes", 6}, {"energy_nodes", 6}, {"energy_panels", 1}});
      j["analysis"]["bin_width_keV"] = 10.0;
      const Study st = parse_study(j, "rn-study.json");
      const PreparedDetector det = prepare_detector(st.detectors[0], st.analysis, cpu());
      const auto f =
          make_study_model(det, st, st.scans[0], st.scenarios[0], Method::kFactorised, cpu());
      const auto d =
          make_study_model(det, st, st.scans[0], st.scenarios[0], Method::kDirect, cpu());
      ASSERT_EQ(f->input().evaluator, ScanInput::kMediator) << mediator << " " << radius;
      ASSERT_EQ(d->input().evaluator, ScanInput::kDirect);
      const auto a = grid_of(*f, cpu()), b = grid_of(*d, cpu());
      double worst = 0.0;
      for (std::size_t i = 0; i < a.size(); ++i)
        worst = std::max(worst, std::fabs(a[i] - b[i]) / std::max(std::fabs(b[i]), 1e-3));
      EXPECT_LT(worst, 1e-9) << mediator << " " << radius;
      EXPECT_GT(*std::max_element(b.begin(), b.end()), 1.0) << mediator;  // not a flat grid
      for (double g : {3e-5, 2e-3})
        for (double r : {4.3, 5.9}) {
          const PhysicsModel pt = f->model_at({g, r});
          EXPECT_LT(worst_relative(f->counts(pt), d->counts(pt)), 1e-9) << mediator << " " << r;
          EXPECT_NEAR(f->chi2(pt), d->chi2(pt), 1e-9 * std::max(d->chi2(pt), 1e-3));
        }
      // The grid holds the host's χ² at its points, bit for bit.
      const auto& x = f->input().axis;
      for (std::size_t i = 0; i < a.size(); i += 7) {
        const double host = f->chi2(f->model_at({x[0][i % 16], x[1][i / 16]}));
        EXPECT_EQ(std::memcmp(&a[i], &host, sizeof(double)), 0) << mediator << " point " << i;
      }
    }
}

TEST(NeutronRadiusScans, WithAMediatorOrOscillationTheFactorisedMethodIntegratesDirectly) {
  // A radius axis with a mediator mass axis, or with a mediator or sterile truth, has no
  // factorised table (the radius tables hold neither a propagator nor a survival probability;
  // with the mass on an axis a table row would be one point): the factorised method takes the
  // direct integral for it, and the Asimov truth is found again at χ² = 0 (a table without the
  // truth's oscillation would not find it).
  struct Case {
    Json scan;
    Json truth;
  };
  const Case cases[] = {
      {{{"name", "rn_m"},
        {"mediator", "scalar"},
        {"axes", {axis("rn_fm", 4.0, 6.0, 5), axis("mediator_mass_MeV", 1.0, 100.0, 5)}},
        {"fixed", {{"mediator_coupling", 1e-4}}}},
       nullptr},
      {scan("rn", {axis("rn_fm", 3.0, 7.0, 9)}),
       {{"sin2_2theta", 0.3}, {"dm2_eV2", 1.0}, {"sterile_channel", "numu"}}},
      {scan("sw", {axis("sin2_theta_W", 0.2, 0.28, 9)}),
       {{"sin2_2theta", 0.3}, {"dm2_eV2", 1.0}, {"sterile_channel", "nue"}}},
      {scan("rn", {axis("rn_fm", 3.0, 7.0, 9)}),
       {{"mediator", "vector_b_minus_l"}, {"mediator_coupling", 1e-4}, {"mediator_mass_MeV", 10.0}}}};
  for (const Case& c : cases) {
    Json j = study_json(Json::array({c.scan}), "csi",
                        {{"recoil_nodes", 6}, {"energy_nodes", 6}, {"energy_panels", 1}});
    if (!c.truth.is_null()) j["truth"] = c.truth;
    const Study st = parse_study(j, "rn-study.json");
    const PreparedDetector det = prepare_detector(st.detectors[0], st.analysis, cpu());
    const auto f =
        make_study_model(det, st, st.scans[0], st.scenarios[0], Method::kFactorised, cpu());
    EXPECT_EQ(f->input().evaluator, ScanInput::kDirect) << st.scans[0].name;
    if (c.truth.is_null()) continue;
    // The truth's own point: rn at the configured radius of CsI's Cs and I is not one value, so
    // the scan's truth is the study's rn_fm (0: configured) — compare the χ² at the truth model.
    PhysicsModel truth = st.truth;
    truth.sterile_channel = st.truth.sterile_channel;
    EXPECT_LT(f->chi2(truth), 1e-9) << st.scans[0].name;
    const auto a = grid_of(*f, cpu());
    for (double v : a) EXPECT_TRUE(std::isfinite(v));
  }
}

TEST(NeutronRadiusScans, HostRowsEqualTheBackendTablesAndSegmentsDoNotMatter) {
  const Study st = radius_study(
      Json::array({scan("p", {axis("sin2_theta_W", 0.2, 0.3, 37), axis("rn_fm", 3.5, 7.5, 23)})}));
  const PreparedDetector det = prepare_detector(st.detectors[0], st.analysis, cpu());
  auto one = make_cpu_backend(1);
  const auto m1 =
      make_study_model(det, st, st.scans[0], st.scenarios[0], Method::kFactorised, *one);
  const auto m2 =
      make_study_model(det, st, st.scans[0], st.scenarios[0], Method::kFactorised, cpu());
  const auto a = grid_of(*m1, *one), b = grid_of(*m2, cpu());
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_TRUE(std::isfinite(a[i]));
    EXPECT_EQ(std::memcmp(&a[i], &b[i], sizeof(double)), 0) << i;
  }
  // A grid point evaluated off the grid (host row) equals the grid (backend row) bit for bit.
  const auto& ax = m2->input().axis;
  for (std::size_t j : {0u, 11u, 22u})
    for (std::size_t i : {0u, 18u, 36u}) {
      const double c = m2->chi2(m2->model_at({ax[0][i], ax[1][j]}));
      EXPECT_EQ(c, b[j * ax[0].size() + i]) << i << " " << j;
    }
}

TEST(NeutronRadiusScans, QuadratureConvergedUnderDoublingAtOtherRadii) {
  // SPEC §6 asks 1e-6 under doubling; a smaller radius pushes F_N's zeros out, a larger one in.
  const Json nodes = {{"recoil_nodes", 32}, {"energy_nodes", 32}, {"energy_panels", 1}};
  const Json doubled = {{"recoil_nodes", 64}, {"energy_nodes", 64}, {"energy_panels", 2}};
  for (const char* name : {"csi", "ar", "nai", "ge72"}) {
    const Json s = Json::array({scan("r", {axis("rn_fm", 2.5, 9.0, 3)})});
    const Study a = parse_study(study_json(s, name, nodes), "a.json");
    const Study b = parse_study(study_json(s, name, doubled), "b.json");
    const PreparedDetector da = prepare_detector(a.detectors[0], a.analysis, cpu());
    const PreparedDetector db = prepare_detector(b.detectors[0], b.analysis, cpu());
    for (double r : {2.5, 4.0, 6.0, 9.0}) {
      const auto ca = da.counts->counts(with_radius(kNeutronRadius, r));
      const auto cb = db.counts->counts(with_radius(kNeutronRadius, r));
      double ta = 0.0, tb = 0.0;
      for (double x : ca) ta += x;
      for (double x : cb) tb += x;
      EXPECT_LT(std::fabs(ta / tb - 1.0), 1e-6) << name << " " << r;
    }
  }
}

TEST(NeutronRadiusStudy, TruthRadiusIsFoundAgainAndReportedAsTheTruth) {
  Json j = study_json(Json::array({scan("r", {axis("rn_fm", 3.0, 8.0, 41)})}), "csi");
  j["truth"] = {{"rn_fm", 6.1}};
  const Study st = parse_study(j, "t.json");
  EXPECT_EQ(st.detectors[0].isotopes[0].neutron_rms_radius_fm, 6.1);
  EXPECT_EQ(st.json["detectors"][0]["isotopes"][1]["neutron_rms_radius_fm"], 6.1);
  Progress quiet(Progress::Mode::kQuiet);
  const auto results = run_study(st, cpu(), Method::kFactorised, 1 << 20, quiet);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_NEAR(results[0].best_fit[0], 6.1, 1e-4);
  EXPECT_EQ(results[0].truth[0], 6.1);
  ASSERT_EQ(results[0].intervals.size(), 1u);
  EXPECT_LT(results[0].intervals[0].lo, 6.1);
  EXPECT_GT(results[0].intervals[0].hi, 6.1);
  // Without a truth the detector's configured radius is the truth.
  const Study sm = radius_study(Json::array({scan("r", {axis("rn_Cs_fm", 3.0, 8.0, 11)})}));
  const auto r2 = run_study(sm, cpu(), Method::kFactorised, 1 << 20, quiet);
  EXPECT_EQ(r2[0].truth[0], 5.5);
  EXPECT_NEAR(r2[0].best_fit[0], 5.5, 1e-4);
}

std::string study_error(const Json& j) {
  try {
    parse_study(j, "rn-study.json");
  } catch (const InputError& e) {
    return e.what();
  }
  return std::string();
}

TEST(NeutronRadiusConfig, RangesOutsideTheFormFactorDomainAreErrors) {
  // Helm: R² > 3s² (s = 0.9 fm): R > 1.55885 fm; symmetrised Fermi: R² > (7/5)π²a² (a = 0.52 fm):
  // R > 1.93293 fm; Klein–Nystrand: R² > 6a_k² (a_k = 0.7 fm): R > 1.71464 fm.
  EXPECT_NEAR(neutron_radius_lower_bound_fm({kHelm, 0.9}), std::sqrt(3.0) * 0.9, 1e-15);
  EXPECT_NEAR(neutron_radius_lower_bound_fm({kSymmetrizedFermi, 0.52}),
              std::sqrt(1.4) * 3.14159265358979 * 0.52, 1e-12);
  EXPECT_NEAR(neutron_radius_lower_bound_fm({kKleinNystrand, 0.7}), std::sqrt(6.0) * 0.7, 1e-15);
  Json j = study_json(Json::array({scan("r", {axis("rn_fm", 1.5, 6.0, 10)})}), "ar");
  EXPECT_EQ(study_error(j),
            "rn-study.json: /scans/0/axes/0/min: expected rn_fm in (1.55885, 20] fm, the domain of "
            "the helm neutron form factor of detector \"Ar\", got [1.5, 6]");
  Json detector = load_json_file(source_path("configs/detectors/ar.json"));
  detector.erase("source");
  detector["source"] = load_json_file(source_path("configs/sources/sns.json"));
  struct Case {
    std::string model, bound, min;
  };
  for (const Case& c :
       {Case{"symmetrized_fermi", "1.93293", "1.93"}, Case{"klein_nystrand", "1.71464", "1.71"}}) {
    detector["form_factors"]["neutron"] = c.model;
    detector["isotopes"][0]["neutron_rms_radius_fm"] = 3.4;
    Json k = j;
    k["detectors"] = Json::array({detector});
    k["scans"][0]["axes"][0]["min"] = std::stod(c.min);
    EXPECT_EQ(study_error(k), "rn-study.json: /scans/0/axes/0/min: expected rn_fm in (" + c.bound +
                                  ", 20] fm, the domain of the " + c.model +
                                  " neutron form factor of detector \"Ar\", got [" + c.min +
                                  ", 6]");
    k["scans"][0]["axes"][0]["min"] = std::stod(c.bound) + 1e-3;  // just inside: accepted
    EXPECT_EQ(study_error(k), "");
  }
  // The table's own range first: a radius above 20 fm.
  Json big = study_json(Json::array({scan("r", {axis("rn_fm", 3, 25, 10)})}), "ar");
  EXPECT_EQ(study_error(big),
            "rn-study.json: /scans/0/axes/0/max: expected rn_fm in [0, 20], got 25.0");
  // A truth below the domain.
  Json t = study_json(Json::array({scan("r", {axis("rn_fm", 3, 6, 10)})}), "csi");
  t["truth"] = {{"rn_I_fm", 1.2}};
  EXPECT_EQ(study_error(t),
            "rn-study.json: /truth/rn_I_fm: expected rn_I_fm in (1.55885, 20] fm, the domain of "
            "the helm neutron form factor of detector \"CsI\", got 1.2");
}

TEST(NeutronRadiusConfig, AnElementTheDetectorLacksIsAnError) {
  Json j = study_json(Json::array({scan("r", {axis("rn_Ar_fm", 3, 6, 10)})}), "csi");
  EXPECT_EQ(study_error(j),
            "rn-study.json: /scans/0/axes/0/min: expected a neutron radius of an element of "
            "detector \"CsI\" (Cs, I), got rn_Ar_fm");
  Json t = study_json(Json::array({scan("r", {axis("rn_fm", 3, 6, 10)})}), "ge_natural");
  t["truth"] = {{"rn_Xe_fm", 5.0}};
  EXPECT_EQ(study_error(t),
            "rn-study.json: /truth/rn_Xe_fm: expected a neutron radius of an element of detector "
            "\"Ge-natural\" (Ge), got rn_Xe_fm");
  // An element without a parameter of its own is not a parameter name.
  Json u = study_json(Json::array({scan("r", {axis("rn_Fe_fm", 3, 6, 10)})}), "csi");
  EXPECT_NE(study_error(u).find("/scans/0/axes/0/parameter: expected sin2_theta_W"),
            std::string::npos);
}

TEST(PointProtonRadius, DerivedFromTheChargeRadiusWithTheNucleonsOwnRadii) {
  // R_p² = R_ch² − r_p² − (N/Z)⟨r_n²⟩, r_p = 0.8409 fm, ⟨r_n²⟩ = −0.1161 fm²; Cs-133:
  // 4.8041² − 0.8409² + (78/55)·0.1161 = 23.07937681 − 0.70711281 + 0.16465091 = 22.53691491.
  EXPECT_NEAR(point_proton_radius_fm(4.8041, 55, 78), std::sqrt(22.536914909), 1e-9);
  EXPECT_NEAR(point_proton_radius_fm(4.8041, 55, 78), 4.747306, 1e-6);
  const DetectorConfig csi = load_detector(source_path("configs/detectors/csi.json"));
  EXPECT_EQ(csi.isotopes[0].proton_rms_radius_fm, point_proton_radius_fm(4.8041, 55, 78));
  EXPECT_EQ(csi.json["isotopes"][0]["proton_rms_radius_fm"], csi.isotopes[0].proton_rms_radius_fm);
  // An explicit proton_rms_radius_fm is taken as given.
  Json d = load_json_file(source_path("configs/detectors/ar.json"));
  d.erase("source");
  d["isotopes"][0]["proton_rms_radius_fm"] = 3.3;
  const DetectorConfig ar = parse_detector(d, "ar.json", "", source_path("configs/detectors"));
  EXPECT_EQ(ar.isotopes[0].proton_rms_radius_fm, 3.3);
  // A charge radius smaller than the nucleon's own leaves no point-proton distribution.
  d["isotopes"][0].erase("proton_rms_radius_fm");
  d["isotopes"][0]["charge_radius_fm"] = 0.7;
  try {
    parse_detector(d, "ar.json", "", source_path("configs/detectors"));
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "ar.json: /isotopes/0/charge_radius_fm: expected a charge radius above the "
              "nucleons' own (R_ch^2 > 0.565213 fm^2), got 0.7 fm");
  }
}

}  // namespace
}  // namespace cevns
