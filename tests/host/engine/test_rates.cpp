#include <gtest/gtest.h>

#include <cmath>

#include "host/config/config.hpp"
#include "host/engine/quadrature.hpp"
#include "host/engine/rates.hpp"
#include "kernels/constants.hpp"
#include "tests/test_util.hpp"

namespace cevns {
namespace {

using testing::source_path;

DetectorConfig detector(const std::string& name) {
  return load_detector(source_path("configs/detectors/" + name + ".json"));
}

// A toy target with point-like nuclei (F = 1): Helm with zero radius and zero skin.
DetectorConfig toy_detector() {
  DetectorConfig d = detector("ar");
  d.proton_form_factor = FormFactorConfig{kHelm, 0.0};
  d.neutron_form_factor = FormFactorConfig{kHelm, 0.0};
  d.isotopes[0].proton_rms_radius_fm = d.isotopes[0].neutron_rms_radius_fm = 0.0;
  return d;
}

TEST(Rates, ToyTargetMatchesAnalyticIntegral) {
  const DetectorConfig d = toy_detector();
  auto backend = make_cpu_backend();
  const auto edges = total_bin_edges_keV(d);
  const RatesResult r = compute_rates(d, edges, standard_model(), *backend);

  const IsotopeConfig& iso = d.isotopes[0];
  const double mass = iso.nuclear_mass_MeV();
  const double qw2 = std::pow(iso.n - (1.0 - 4.0 * constants::sin2_theta_w_low_energy) * iso.z, 2) / 4.0;
  const double pref = cross_section_prefactor_cm2_per_MeV(mass) * qw2 * d.formula_units() *
                      d.flux_normalisation_per_cm2();
  const double t0 = d.threshold_keV * 1e-3;
  // ∫_{t0}^{T_max(E)} (1 − M T / 2E²) dT in closed form.
  auto inner = [&](long double e) {
    const long double tmax = 2.0L * e * e / (mass + 2.0L * e);
    if (tmax <= t0) return 0.0L;
    return (tmax - t0) - mass * (tmax * tmax - t0 * t0) / (4.0L * e * e);
  };
  // Prompt: the δ line, fully analytic.
  EXPECT_NEAR(r.flux_total(kPromptNuMu) / (pref * double(inner(constants::prompt_energy_MeV))), 1.0,
              1e-12);
  // Delayed: the outer E integral by an independent composite Simpson rule in long double.
  for (int flux : {kDelayedNuMuBar, kDelayedNuE}) {
    const long double m = constants::muon_mass_MeV;
    const long double a = min_energy_MeV(t0, mass), b = m / 2.0L;
    const int n = 200000;
    const long double h = (b - a) / n;
    long double s = 0.0L;
    for (int k = 0; k <= n; ++k) {
      const long double e = a + k * h;
      const long double phi = flux == kDelayedNuE ? 192.0L * e * e / (m * m * m) * (0.5L - e / m)
                                                  : 64.0L * e * e / (m * m * m) * (0.75L - e / m);
      s += (k == 0 || k == n ? 1 : (k % 2 ? 4 : 2)) * phi * inner(e);
    }
    EXPECT_NEAR(r.flux_total(flux) / (pref * double(s * h / 3.0L)), 1.0, 1e-10) << "flux " << flux;
  }
}

TEST(Rates, SplitsAddUpToTheTotal) {
  auto backend = make_cpu_backend();
  const DetectorConfig d = detector("csi");
  const RatesResult r = compute_rates(d, recoil_bin_edges_keV(d, 1.0), standard_model(), *backend);
  double by_flux = 0.0, by_iso = 0.0, by_bin = 0.0;
  for (int f = 0; f < kNumFluxes; ++f) by_flux += r.flux_total(f);
  for (int i = 0; i < 2; ++i) by_iso += r.isotope_total(i);
  for (double c : r.bin_counts()) by_bin += c;
  EXPECT_NEAR(by_flux, r.total(), 1e-12 * r.total());
  EXPECT_NEAR(by_iso, r.total(), 1e-12 * r.total());
  EXPECT_NEAR(by_bin, r.total(), 1e-12 * r.total());
  // Binning is a partition: the total does not depend on the bin width.
  const RatesResult one = compute_rates(d, total_bin_edges_keV(d), standard_model(), *backend);
  EXPECT_NEAR(one.total() / r.total(), 1.0, 1e-9);
}

TEST(Rates, BinsStartAtThresholdAndEndAtTheEndPoint) {
  const DetectorConfig d = detector("ge72");
  const auto edges = recoil_bin_edges_keV(d, 1.0);
  EXPECT_EQ(edges.front(), 5.0);
  const double mass = d.isotopes[0].nuclear_mass_MeV();
  EXPECT_NEAR(edges.back(), max_recoil_MeV(constants::delayed_endpoint_MeV, mass) * 1e3, 1e-12);
  for (std::size_t i = 1; i + 1 < edges.size(); ++i) EXPECT_NEAR(edges[i] - edges[i - 1], 1.0, 1e-12);
}

TEST(Rates, CompoundIsTheSumOfItsIsotopes) {
  // NaI = Na + I with one nucleus each per formula unit: each isotope's rate equals that of a
  // single-isotope detector holding the same number of nuclei.
  auto backend = make_cpu_backend();
  const DetectorConfig nai = detector("nai");
  const RatesResult r = compute_rates(nai, total_bin_edges_keV(nai), standard_model(), *backend);
  for (int i = 0; i < 2; ++i) {
    DetectorConfig single = nai;
    single.isotopes = {nai.isotopes[i]};
    single.mass_kg = nai.mass_kg * nai.isotopes[i].atomic_mass_u / nai.molar_mass_g_per_mol();
    const RatesResult s = compute_rates(single, total_bin_edges_keV(nai), standard_model(), *backend);
    EXPECT_NEAR(s.total() / r.isotope_total(i), 1.0, 1e-12) << nai.isotopes[i].name;
  }
}

TEST(Rates, NaturalGermaniumAbundancesWeightTheIsotopes) {
  auto backend = make_cpu_backend();
  const DetectorConfig nat = detector("ge_natural");
  const RatesResult r = compute_rates(nat, total_bin_edges_keV(nat), standard_model(), *backend);
  // Per nucleus the rate grows with N², so the per-abundance rate must increase with A.
  double previous = 0.0;
  for (std::size_t i = 0; i < nat.isotopes.size(); ++i) {
    const double per_abundance = r.isotope_total(static_cast<int>(i)) / nat.isotopes[i].count;
    EXPECT_GT(per_abundance, previous) << nat.isotopes[i].name;
    previous = per_abundance;
  }
}

TEST(Rates, KinematicCorrectionRaisesTotalsByAtMostFivePercent) {
  auto backend = make_cpu_backend();
  for (const char* name : {"csi", "ge72", "nai", "ar"}) {
    DetectorConfig d = detector(name);
    const double off = compute_rates(d, total_bin_edges_keV(d), standard_model(), *backend).total();
    d.kinematic_correction = true;
    const double on = compute_rates(d, total_bin_edges_keV(d), standard_model(), *backend).total();
    EXPECT_GT(on, off) << name;
    EXPECT_LT(on / off, 1.05) << name;
  }
}

// Same rms radius, different shapes: the totals move by 0.10% (Ge) to 0.31% (NaI, whose light
// ²³Na is most sensitive to the surface shape). The forecast quotes ≤ 0.1% for its own check.
TEST(Rates, HelmAndFermiNeutronFormFactorsAgreeWithinHalfAPercent) {
  auto backend = make_cpu_backend();
  for (const char* name : {"csi", "ge72", "nai", "ar"}) {
    DetectorConfig d = detector(name);
    const double helm = compute_rates(d, total_bin_edges_keV(d), standard_model(), *backend).total();
    d.neutron_form_factor = FormFactorConfig{kSymmetrizedFermi, fermi_diffuseness_fm};
    const double fermi = compute_rates(d, total_bin_edges_keV(d), standard_model(), *backend).total();
    EXPECT_NEAR(fermi / helm, 1.0, 4e-3) << name;
    EXPECT_NE(fermi, helm) << name;
  }
}

TEST(Rates, QuadratureConvergedUnderDoublingEveryNodeCount) {
  auto backend = make_cpu_backend();
  for (const char* name : {"csi", "ge72", "ge_natural", "nai", "ar"}) {
    DetectorConfig d = detector(name);
    const auto edges = recoil_bin_edges_keV(d, 1.0);
    for (bool gc : {false, true}) {
      d.kinematic_correction = gc;
      d.quadrature = QuadratureConfig{};
      const RatesResult base = compute_rates(d, edges, standard_model(), *backend);
      d.quadrature.recoil_nodes *= 2;
      d.quadrature.energy_nodes *= 2;
      d.quadrature.energy_panels *= 2;
      const RatesResult fine = compute_rates(d, edges, standard_model(), *backend);
      ASSERT_EQ(base.counts.size(), fine.counts.size());
      double worst = 0.0;
      for (std::size_t k = 0; k < base.counts.size(); ++k)
        if (fine.counts[k] > 0.0)
          worst = std::max(worst, std::fabs(base.counts[k] / fine.counts[k] - 1.0));
      EXPECT_LT(worst, 1e-6) << name << (gc ? " with g_c" : "");
      EXPECT_NEAR(base.total() / fine.total(), 1.0, 1e-6) << name;
    }
  }
}

TEST(Rates, TabulatedAcceptanceWeightsTheRecoilSpectrum) {
  auto backend = make_cpu_backend();
  DetectorConfig d = detector("ge72");
  const auto edges = recoil_bin_edges_keV(d, 1.0);
  const RatesResult full = compute_rates(d, edges, standard_model(), *backend);
  // A flat acceptance scales every bin; a table zero below 10 keV and one above 11 keV removes
  // the bins below 10 keV and keeps those above 11 keV untouched.
  d.acceptance_recoil_keV = {0.0, 100.0};
  d.acceptance_value = {0.5, 0.5};
  const RatesResult half = compute_rates(d, edges, standard_model(), *backend);
  EXPECT_NEAR(half.total() / full.total(), 0.5, 1e-13);
  d.acceptance_recoil_keV = {10.0, 11.0};
  d.acceptance_value = {0.0, 1.0};
  const RatesResult step = compute_rates(d, edges, standard_model(), *backend);
  const auto a = full.bin_counts(), b = step.bin_counts();
  for (std::size_t i = 0; i + 1 < edges.size(); ++i) {
    if (edges[i + 1] <= 10.0) {
      EXPECT_EQ(b[i], 0.0) << edges[i];
    }
    if (edges[i] >= 11.0) {
      EXPECT_NEAR(b[i] / a[i], 1.0, 1e-13) << edges[i];
    }
  }
}

TEST(Rates, SterileDisappearanceRemovesOnlyItsFlavour) {
  auto backend = make_cpu_backend();
  const DetectorConfig d = detector("ar");
  const auto edges = total_bin_edges_keV(d);
  const RatesResult sm = compute_rates(d, edges, standard_model(), *backend);
  PhysicsModel m = standard_model();
  m.sterile_channel = kNuEDisappearance;
  m.value[kSin22Theta] = 0.2;
  m.value[kDm2] = 1000.0;  // fast oscillation: ⟨P⟩ → 1 − 0.1
  m.value[kDm2] = 1e-6;  // ...or none at all at tiny Δm²
  const RatesResult slow = compute_rates(d, edges, m, *backend);
  EXPECT_NEAR(slow.total() / sm.total(), 1.0, 1e-9);
  m.value[kDm2] = 1.0;
  const RatesResult osc = compute_rates(d, edges, m, *backend);
  EXPECT_DOUBLE_EQ(osc.flux_total(kPromptNuMu), sm.flux_total(kPromptNuMu));
  EXPECT_DOUBLE_EQ(osc.flux_total(kDelayedNuMuBar), sm.flux_total(kDelayedNuMuBar));
  EXPECT_LT(osc.flux_total(kDelayedNuE), sm.flux_total(kDelayedNuE));
  EXPECT_GT(osc.flux_total(kDelayedNuE), 0.8 * sm.flux_total(kDelayedNuE));
}

}  // namespace
}  // namespace cevns
