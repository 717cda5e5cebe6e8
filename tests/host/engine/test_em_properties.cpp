// Neutrino magnetic moments and charge radii (SPEC §10.3, kernels/electromagnetic.hpp) through
// the engine: the magnetic-moment rate of a toy detector against a hand integral, the charge
// radius shift against its constants, μ → 0 and ⟨r²⟩ → 0 give the SM, the radius that cancels
// g_V^p leaves the neutron-only rate, each flavour acts on its own fluxes, the quadratic-form
// grids equal the direct integral, and the quadrature resolves the steep 1/T near threshold.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "host/config/parameters.hpp"
#include "host/config/study.hpp"
#include "host/core/error.hpp"
#include "host/engine/quadrature.hpp"
#include "host/engine/study_run.hpp"
#include "kernels/electromagnetic.hpp"
#include "tests/test_util.hpp"

namespace cevns {
namespace {

using testing::source_path;

Backend& cpu() {
  static auto b = make_cpu_backend();
  return *b;
}

DetectorConfig detector(const std::string& name) {
  return load_detector(source_path("configs/detectors/" + name + ".json"));
}

PhysicsModel with(int id, double value, PhysicsModel m = standard_model()) {
  m.value[id] = value;
  return m;
}

double worst_relative(const std::vector<double>& a, const std::vector<double>& b) {
  double worst = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::fabs(a[i] / b[i] - 1.0));
  return worst;
}

// Counts per flux (summed over bins) of a problem for a model, from the moments or the direct
// integrand.
std::vector<double> per_flux(const RateProblem& p, const std::vector<Moments>& moments,
                             const PhysicsModel& m, bool direct) {
  std::vector<double> out(kNumFluxes, 0.0);
  for (std::size_t e = 0; e < p.entries.size(); ++e) {
    const int f = p.entries[e].flux;
    out[f] += direct ? entry_direct(p.host_view(), static_cast<int>(e), m)
                     : charge_weighted(nucleon_charges(m, flux_flavour(f)), moments[e]);
  }
  return out;
}

TEST(ElectromagneticConstants, ChargeRadiusShiftIsTheCitedCombination) {
  // √2 π α / (3 G_F) × ⟨r²⟩ in GeV units: G_F = 1.1663787e-5 GeV⁻², ħc = 1.973269804e-14 GeV cm.
  const double alpha = 1.0 / 137.035999, gf = 1.1663787e-5, hc = 1.973269804e-14;
  const double expected = std::sqrt(2.0) * M_PI * alpha / (3.0 * gf) * 1e-32 / (hc * hc);
  EXPECT_NEAR(charge_radius_shift_per_unit() / expected, 1.0, 1e-13);
  EXPECT_NEAR(charge_radius_shift_per_unit(), 0.024, 0.001);  // SPEC §10.3: "about 0.024"
}

TEST(ElectromagneticCounts, MagneticMomentRateOfAToyDetectorEqualsTheHandIntegral) {
  // One isotope (72Ge), F = 1, the prompt line alone, one bin from threshold to T_max(E_p):
  //   N = η N_nuclei ∫ dT (π α² μ² / m_e²)(ħc)² (1/T − 1/E_p) Z²
  //     = η N_nuclei (π α² μ² / m_e²)(ħc)² Z² [ln(T_max/T_0) − (T_max − T_0)/E_p].
  DetectorConfig d = detector("ge72");
  RateProblem p = build_rate_problem(d, total_bin_edges_keV(d));
  p.isotopes[0].proton = FormFactor{kHelm, 0.0, 0.0};  // 3j₁(0)/0 · e⁰ = 1 exactly
  const std::vector<Moments> moments = cpu().entry_moments(p);

  // Every input restated from the configs and SPEC §1–§2, not taken from the program.
  const double mpi = 139.57039, mmu = 105.6583755, me = 0.51099895, alpha = 1.0 / 137.035999;
  const double hc_cm = 197.3269804e-13;
  const double e_p = (mpi * mpi - mmu * mmu) / (2.0 * mpi);
  const double mass = 71.922075826 * 931.49410242 - 32 * me;
  const double t_max = 2.0 * e_p * e_p / (mass + 2.0 * e_p), t0 = 5e-3;
  const double nuclei = 6.02214076e23 * 10.0e3 / 71.922075826;
  const double eta = 0.08 * 1.76e23 / (4.0 * M_PI * 2200.0 * 2200.0);
  const double mu = 30.0;  // 3e-9 μ_B
  const double hand = eta * nuclei * M_PI * alpha * alpha * (mu * 1e-10) * (mu * 1e-10) /
                      (me * me) * hc_cm * hc_cm * 32.0 * 32.0 *
                      (std::log(t_max / t0) - (t_max - t0) / e_p);

  for (bool direct : {false, true}) {
    const auto sm = per_flux(p, moments, standard_model(), direct);
    const auto mm = per_flux(p, moments, with(kMuNuMu, mu), direct);
    EXPECT_NEAR((mm[kPromptNuMu] - sm[kPromptNuMu]) / hand, 1.0, 1e-9) << direct;
  }
  // The same rate written directly from SPEC §10.3 in cm²/MeV.
  double quad = 0.0;
  const auto gl = gauss_legendre(64);
  for (std::size_t j = 0; j < gl.nodes.size(); ++j) {
    const double t = 0.5 * (t_max + t0) + 0.5 * (t_max - t0) * gl.nodes[j];
    quad += 0.5 * (t_max - t0) * gl.weights[j] *
            magnetic_moment_cross_section_cm2_per_MeV(e_p, t, mass, 32.0, 1.0, mu * 1e-10);
  }
  EXPECT_NEAR(eta * nuclei * quad / hand, 1.0, 1e-9);
}

TEST(ElectromagneticCounts, ZeroMomentsAndRadiiGiveTheStandardModel) {
  for (const char* name : {"csi", "ar"}) {
    const DetectorConfig d = detector(name);
    const RateProblem p = build_rate_problem(d, recoil_bin_edges_keV(d, 4.0));
    const auto moments = cpu().entry_moments(p);
    for (bool direct : {false, true}) {
      const auto sm = per_flux(p, moments, standard_model(), direct);
      // μ enters as μ² alone: the excess scales by 4 when μ doubles, and vanishes with μ.
      for (int id : {kMuNuE, kMuNuMu}) {
        const auto a = per_flux(p, moments, with(id, 10.0), direct);
        const auto b = per_flux(p, moments, with(id, 20.0), direct);
        const auto tiny = per_flux(p, moments, with(id, 1e-4), direct);
        const int f = id == kMuNuE ? kDelayedNuE : kPromptNuMu;
        EXPECT_NEAR((b[f] - sm[f]) / (a[f] - sm[f]), 4.0, 1e-9) << name;
        EXPECT_GT(a[f] - sm[f], 1e-4 * sm[f]) << name;  // the limit is not trivially reached
        EXPECT_LT(std::fabs(tiny[f] / sm[f] - 1.0), 1e-10) << name;
      }
      // ⟨r²⟩: the counts are continuous at 0, with a finite slope.
      for (int id : {kR2NuE, kR2NuMu}) {
        const int f = id == kR2NuE ? kDelayedNuE : kPromptNuMu;
        const auto h = per_flux(p, moments, with(id, 1e-3), direct);
        const auto h2 = per_flux(p, moments, with(id, 2e-3), direct);
        EXPECT_LT(std::fabs(h[f] / sm[f] - 1.0), 1e-3) << name;
        EXPECT_NEAR((h2[f] - sm[f]) / (h[f] - sm[f]), 2.0, 1e-2) << name;
      }
    }
    // The direct integrand at μ = ⟨r²⟩ = 0 is the SM's, operation for operation.
    PhysicsModel zero = standard_model();
    for (int id : {kMuNuE, kMuNuMu, kR2NuE, kR2NuMu}) zero.value[id] = 0.0;
    for (std::size_t e = 0; e < p.entries.size(); ++e)
      ASSERT_EQ(entry_direct(p.host_view(), static_cast<int>(e), zero),
                entry_direct(p.host_view(), static_cast<int>(e), standard_model()));
  }
}

TEST(ElectromagneticCounts, RadiusThatCancelsTheProtonChargeLeavesTheNeutronOnlyRate) {
  for (const char* name : {"csi", "nai", "ar"}) {
    const DetectorConfig d = detector(name);
    const RateProblem p = build_rate_problem(d, recoil_bin_edges_keV(d, 4.0));
    const auto moments = cpu().entry_moments(p);
    // g_V^p = 1/2 − 2 sin²θ_W − k⟨r²⟩ = 0.
    const double r2 =
        (0.5 - 2.0 * constants::sin2_theta_w_low_energy) / charge_radius_shift_per_unit();
    PhysicsModel both = with(kR2NuE, r2);
    both.value[kR2NuMu] = r2;
    // Neutron only, two other ways: the N²F_N² moments times (g_V^n)² = 1/4, and sin²θ_W = 1/4.
    std::vector<double> neutron(kNumFluxes, 0.0);
    for (std::size_t e = 0; e < p.entries.size(); ++e)
      neutron[p.entries[e].flux] += 0.25 * moments[e].nn;
    const auto quarter = per_flux(p, moments, with(kSin2ThetaW, 0.25), false);
    for (bool direct : {false, true}) {
      const auto c = per_flux(p, moments, both, direct);
      EXPECT_LT(worst_relative(c, neutron), 1e-12) << name << direct;
      EXPECT_LT(worst_relative(c, quarter), 1e-12) << name << direct;
      // One flavour's radius: its fluxes only (ν̄_μ shares ν_μ's).
      const auto sm = per_flux(p, moments, standard_model(), direct);
      const auto e_only = per_flux(p, moments, with(kR2NuE, r2), direct);
      EXPECT_NEAR(e_only[kDelayedNuE] / neutron[kDelayedNuE], 1.0, 1e-12) << name;
      EXPECT_EQ(e_only[kPromptNuMu], sm[kPromptNuMu]);
      EXPECT_EQ(e_only[kDelayedNuMuBar], sm[kDelayedNuMuBar]);
      const auto mu_only = per_flux(p, moments, with(kR2NuMu, r2), direct);
      EXPECT_NEAR(mu_only[kPromptNuMu] / neutron[kPromptNuMu], 1.0, 1e-12) << name;
      EXPECT_NEAR(mu_only[kDelayedNuMuBar] / neutron[kDelayedNuMuBar], 1.0, 1e-12) << name;
      EXPECT_EQ(mu_only[kDelayedNuE], sm[kDelayedNuE]);
      // The protons do count in the SM (destructively: g_V^p > 0 > g_V^n).
      EXPECT_LT(sm[kPromptNuMu], 0.99 * neutron[kPromptNuMu]);
    }
  }
}

TEST(ElectromagneticCounts, MagneticMomentAddsWithoutInterferenceToItsOwnFlavours) {
  const DetectorConfig d = detector("csi");
  const RateProblem p = build_rate_problem(d, recoil_bin_edges_keV(d, 4.0));
  const auto moments = cpu().entry_moments(p);
  for (bool direct : {false, true}) {
    // The excess of μ_νμ = 40 is the same at any weak charge (sin²θ_W, NSI, radius).
    double excess[3];
    int k = 0;
    for (PhysicsModel base : {standard_model(), with(kSin2ThetaW, 0.3),
                              with(kR2NuMu, 2.0, with(epsilon_index(kUp, kMu, kMu), 0.2))}) {
      const auto a = per_flux(p, moments, base, direct);
      const auto b = per_flux(p, moments, with(kMuNuMu, 40.0, base), direct);
      excess[k++] = b[kPromptNuMu] - a[kPromptNuMu];
      EXPECT_EQ(b[kDelayedNuE], a[kDelayedNuE]);
      EXPECT_GT(b[kDelayedNuMuBar], a[kDelayedNuMuBar]);  // ν̄_μ shares ν_μ's moment
    }
    EXPECT_NEAR(excess[1] / excess[0], 1.0, 1e-10);
    EXPECT_NEAR(excess[2] / excess[0], 1.0, 1e-10);
    const auto sm = per_flux(p, moments, standard_model(), direct);
    const auto e = per_flux(p, moments, with(kMuNuE, 40.0), direct);
    EXPECT_EQ(e[kPromptNuMu], sm[kPromptNuMu]);
    EXPECT_EQ(e[kDelayedNuMuBar], sm[kDelayedNuMuBar]);
    EXPECT_GT(e[kDelayedNuE], sm[kDelayedNuE]);
  }
}

TEST(ElectromagneticCounts, QuadratureConvergedUnderDoublingEveryNodeCount) {
  // The 1/T of the magnetic-moment rate is steepest at threshold; the moment table of every
  // detector, in 1-keV bins and in one total bin, moves by less than 1e-6 when every node count
  // doubles.
  for (const char* name : {"csi", "ge72", "ge_natural", "nai", "ar"}) {
    DetectorConfig d = detector(name);
    for (bool total : {true, false}) {
      const auto edges = total ? total_bin_edges_keV(d) : recoil_bin_edges_keV(d, 1.0);
      d.quadrature = QuadratureConfig{};
      const auto table = [&] {
        auto problem = std::make_shared<const RateProblem>(build_rate_problem(d, edges));
        auto m = std::make_shared<const std::vector<Moments>>(cpu().entry_moments(*problem));
        return CountsModel(problem, m, 1.0).quadratic_table();
      };
      const auto base = table();
      d.quadrature.recoil_nodes *= 2;
      d.quadrature.energy_nodes *= 2;
      d.quadrature.energy_panels *= 2;
      const auto fine = table();
      d.quadrature = QuadratureConfig{};
      ASSERT_EQ(base.size(), fine.size());
      double worst = 0.0;
      for (std::size_t k = 0; k < base.size(); ++k)
        if (fine[k].magnetic > 0.0)
          worst = std::max(worst, std::fabs(base[k].magnetic / fine[k].magnetic - 1.0));
      EXPECT_LT(worst, 1e-6) << name << (total ? " total" : " 1-keV bins");
    }
  }
}

Json axis(const std::string& p, double lo, double hi, int n) {
  return {{"parameter", p}, {"min", lo}, {"max", hi}, {"points", n}};
}

Study em_study(const Json& scans, const Json& truth = nullptr) {
  Json j = {{"name", "em"},
            {"detectors", {source_path("configs/detectors/ar.json")}},
            {"scenarios", {"sys15"}},
            {"analysis", {{"binning", "recoil"}, {"bin_width_keV", 8.0}}},
            {"quadrature", {{"recoil_nodes", 6}, {"energy_nodes", 6}, {"energy_panels", 1}}},
            {"scans", scans}};
  if (!truth.is_null()) j["truth"] = truth;
  return parse_study(j, "em-study.json");
}

std::vector<double> grid_of(const ScanModel& model) {
  Progress quiet(Progress::Mode::kQuiet);
  return compute_grid(model, cpu(), quiet, "em", std::size_t{1} << 20);
}

TEST(ElectromagneticScans, FactorisedEqualsDirectOn64x64Grids) {
  const Json scans = Json::array(
      {{{"name", "mu"}, {"axes", {axis("mu_nu_e", 0, 100, 64), axis("mu_nu_mu", 0, 100, 64)}}},
       {{"name", "r2"}, {"axes", {axis("r2_nu_e", -5, 5, 64), axis("r2_nu_mu", -5, 5, 64)}}},
       {{"name", "mixed"}, {"axes", {axis("r2_nu_mu", -5, 5, 64), axis("mu_nu_e", 0, 100, 64)}}},
       {{"name", "sw"},
        {"axes", {axis("sin2_theta_W", 0.1, 0.4, 64), axis("mu_nu_mu", 0, 100, 64)}}}});
  // A truth off the SM, so that the Asimov data carry a moment and a radius.
  const Study st = em_study(scans, Json{{"mu_nu_e", 20.0}, {"r2_nu_mu", 1.0}});
  const PreparedDetector det = prepare_detector(st.detectors[0], st.analysis, cpu());
  for (const ScanSpec& scan : st.scans) {
    const auto f = make_study_model(det, st, scan, st.scenarios[0], Method::kFactorised, cpu());
    const auto d = make_study_model(det, st, scan, st.scenarios[0], Method::kDirect, cpu());
    // Moments alone: the polynomial A + μ_e² M_e + μ_μ² M_μ; with a coupling, the charge form.
    ASSERT_EQ(f->input().evaluator,
              scan.name == "mu" ? ScanInput::kMagnetic : ScanInput::kQuadratic);
    ASSERT_EQ(d->input().evaluator, ScanInput::kDirect);
    const auto a = grid_of(*f), b = grid_of(*d);
    double worst = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i)
      worst = std::max(worst, std::fabs(a[i] - b[i]) / std::max(std::fabs(b[i]), 1e-3));
    EXPECT_LT(worst, 1e-9) << scan.name;
    const PhysicsModel pt =
        f->model_at({scan.axes[0].min + 0.37 * (scan.axes[0].max - scan.axes[0].min),
                     scan.axes[1].min + 0.71 * (scan.axes[1].max - scan.axes[1].min)});
    EXPECT_LT(worst_relative(f->counts(pt), d->counts(pt)), 1e-9) << scan.name;
  }
}

TEST(ElectromagneticScans, MagneticPlaneRowsEqualTheHostPointByPointBitForBit) {
  // The blocked, vectorised rows (kernels/scan_point.hpp, magnetic_row_chi2) do the operations of
  // the host's point-by-point chi2(), so the same bits; and one-point segments (the GPU's loop)
  // equal long ones. Both pulls free (sys15) and one fixed (sys_alpha_only style: sigma_beta 0).
  for (const char* scenario : {"sys15", "ideal"}) {
    Json j = {{"name", "em"},
              {"detectors", {source_path("configs/detectors/csi.json")}},
              {"scenarios", {scenario}},
              {"analysis", {{"binning", "recoil"}, {"bin_width_keV", 8.0}}},
              {"quadrature", {{"recoil_nodes", 6}, {"energy_nodes", 6}, {"energy_panels", 1}}},
              {"truth", {{"mu_nu_mu", 10.0}, {"sin2_theta_W", 0.24}}},
              {"scans",
               {{{"name", "mu"},
                 {"axes", {axis("mu_nu_e", 0, 100, 71), axis("mu_nu_mu", 0, 100, 13)}}}}}};
    const Study st = parse_study(j, "em.json");
    const PreparedDetector det = prepare_detector(st.detectors[0], st.analysis, cpu());
    auto one = make_cpu_backend(1);
    const auto f = make_study_model(det, st, st.scans[0], st.scenarios[0], Method::kFactorised,
                                    cpu());
    ASSERT_EQ(f->input().evaluator, ScanInput::kMagnetic);
    Progress quiet(Progress::Mode::kQuiet);
    const auto a = grid_of(*f), b = compute_grid(*f, *one, quiet, "em", std::size_t{1} << 20);
    const auto& x = f->input().axis;
    for (std::size_t i = 0; i < a.size(); ++i) {
      const double host = f->chi2(f->model_at({x[0][i % 71], x[1][i / 71]}));
      EXPECT_EQ(std::memcmp(&a[i], &host, sizeof(double)), 0) << scenario << " point " << i;
      EXPECT_EQ(std::memcmp(&a[i], &b[i], sizeof(double)), 0) << scenario << " point " << i;
    }
  }
}

TEST(ElectromagneticScans, EachParameterAsTruthIsFoundAgainAndMomentsGetAnUpperLimit) {
  const struct {
    const char* name;
    double lo, hi, truth;
  } cases[] = {{"mu_nu_e", 0, 200, 0.0},
               {"mu_nu_mu", 0, 200, 30.0},
               {"r2_nu_e", -5, 5, -1.0},
               {"r2_nu_mu", -5, 5, 0.5}};
  for (const auto& c : cases) {
    const Study st =
        em_study(Json::array({{{"name", c.name}, {"axes", {axis(c.name, c.lo, c.hi, 201)}}}}),
                 Json{{c.name, c.truth}});
    Progress quiet(Progress::Mode::kQuiet);
    const auto results = run_study(st, cpu(), Method::kFactorised, std::size_t{1} << 20, quiet);
    ASSERT_EQ(results.size(), 1u);
    const ScanResult& r = results[0];
    EXPECT_NEAR(r.best_fit[0], c.truth, 1e-3 * (c.hi - c.lo)) << c.name;
    EXPECT_LT(r.chi2_min, 1e-8) << c.name;
    if (is_magnetic_moment(*find_parameter(c.name))) {
      ASSERT_TRUE(r.upper_limit.has_value()) << c.name;
      EXPECT_GT(*r.upper_limit, c.truth);
      ASSERT_FALSE(r.intervals.empty());
      EXPECT_EQ(*r.upper_limit, r.intervals.back().hi);
    } else {
      EXPECT_FALSE(r.upper_limit.has_value());
    }
  }
}

TEST(ElectromagneticScans, ValuesOutsideTheRangeAreClearErrors) {
  try {
    em_study(Json::array({{{"name", "m"}, {"axes", {axis("mu_nu_e", -10, 10, 5)}}}}));
    FAIL() << "a negative magnetic moment was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("expected mu_nu_e in [0, 10000]"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace cevns
