// The releases as the collaboration analysed them: each release's SM prediction, fitted count,
// measured and SM cross-sections and fitted parameters against the published ones (cited inputs
// of the data configs, never this program's output), and the flux-averaged cross-section against
// a hand derivation.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "host/data/coherent_data.hpp"
#include "host/data/fit.hpp"
#include "host/data/flux_table.hpp"
#include "host/data/published.hpp"
#include "host/engine/backend_select.hpp"
#include "tests/test_util.hpp"

namespace cevns {
namespace {

#define SKIP_WITHOUT_DATA() CEVNS_SKIP_WITHOUT_DATA("csi2017")

Backend& backend() {
  static auto b = make_cpu_backend();
  return *b;
}

DataSet load(const std::string& name) {
  return load_data_set(testing::source_path("configs/data/" + name + ".json"),
                       std::string(CEVNS_SHARED_DATA_DIR), backend());
}

bool readme_has(const std::string& text) {
  std::ifstream in(testing::source_path("README.md"));
  const std::string readme((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return readme.find(text) != std::string::npos;
}

// The program's SM prediction against the collaboration's (cited inputs of the configs): within
// the stated theory uncertainty where the source separates it, else within the stated one. Where
// the config names a README section that explains a difference beyond the theory uncertainty,
// the difference must be real (so the note cannot outlive it), within the total uncertainty, and
// the README must carry that section.
TEST(PublishedPredictions, EachPredictionIsWithinTheTheoryUncertaintyOrTheReadmeExplainsIt) {
  SKIP_WITHOUT_DATA();
  int compared = 0;
  for (const char* name : {"csi2017", "csi2021", "lar2020"}) {
    const DataSet d = load(name);
    const PublishedValue* p = d.published_value("cevns_predicted");
    ASSERT_NE(p, nullptr) << name;
    const double predicted = sum(d.signal(standard_model()));
    EXPECT_GE(predicted, p->lo) << name << " (" << p->source << ")";
    EXPECT_LE(predicted, p->hi) << name << " (" << p->source << ")";
    if (p->has_theory_uncertainty()) {
      const bool within = std::abs(predicted - p->value) <= p->theory_uncertainty;
      if (p->difference_explained_in.empty()) {
        EXPECT_TRUE(within) << name << ": " << predicted << " vs " << p->value << " +- "
                            << p->theory_uncertainty << " (theory)";
      } else {
        EXPECT_FALSE(within) << name << ": within the theory uncertainty, yet the config says "
                             << "the README explains a difference";
        EXPECT_TRUE(readme_has(p->difference_explained_in))
            << name << ": README.md has no \"" << p->difference_explained_in << "\"";
      }
    }
    ++compared;
  }
  EXPECT_EQ(compared, 3);
}

// Every other published number of a release beside the program's: within the published 1σ on
// the side of the program's number, or the config names the README section that explains the
// difference (then the difference must be real, so that the note cannot outlive it, and the
// README must carry the section). The published numbers are cited inputs read from the configs
// (counts, cross-sections, sin²θ_W, R_n; some independent determinations, marked so); the
// program's are its count fit, flux-averaged cross-sections and the profiles of the configs'
// scans. The SM prediction, with its theory uncertainty, has the test above.
TEST(PublishedResults, EachIsWithinThePublishedSigmaOrTheReadmeExplainsIt) {
  SKIP_WITHOUT_DATA();
  int compared = 0;
  for (const char* name : {"csi2017", "csi2021", "lar2020"}) {
    const DataSet d = load(name);
    const CountFit n = fit_cevns_count(d, d.data);
    const MeasuredCrossSection xs = measured_cross_section(
        flux_averaged_cross_section_cm2(d.detector, standard_model(), backend()), n);
    for (const PublishedValue& p : d.published) {
      if (p.key == "cevns_predicted") continue;
      double ours = 0.0;
      if (p.key == "cevns_fitted") {
        ours = n.best;
      } else if (p.key == "flux_averaged_cross_section_cm2") {
        ours = xs.best_cm2;
      } else if (p.key == "flux_averaged_cross_section_sm_cm2") {
        ours = xs.sm_cm2;
      } else {
        const ScanRequest* req = nullptr;
        for (const ScanRequest& r : d.scans)
          if (r.parameter == p.key) req = &r;
        ASSERT_NE(req, nullptr) << name << ": published " << p.key << " but no such profile";
        Progress quiet(Progress::Mode::kQuiet);
        ours = scan_parameter({&d}, {d.data}, *req, d.delta_chi2, backend(), quiet).best;
      }
      const double sigma = ours >= p.value ? p.hi - p.value : p.value - p.lo;
      const bool within = std::abs(ours - p.value) <= sigma;
      if (p.difference_explained_in.empty()) {
        EXPECT_TRUE(within) << name << " " << p.key << ": " << ours << " vs " << p.value << " ["
                            << p.lo << ", " << p.hi << "] (" << p.source << ")";
      } else {
        EXPECT_FALSE(within) << name << " " << p.key << ": within 1 sigma, yet the config says "
                             << "the README explains a difference";
        EXPECT_TRUE(readme_has(p.difference_explained_in))
            << name << ": README.md has no \"" << p.difference_explained_in << "\"";
      }
      ++compared;
    }
  }
  // CsI 2017: fitted count, R_n; CsI 2021: fitted count, both cross-sections, sin²θ_W; LAr 2020:
  // fitted count, measured cross-section.
  EXPECT_EQ(compared, 8);
}

// A theory uncertainty larger than the total, and a pointer to an explanation without a theory
// uncertainty to explain a difference from, are named with file and JSON path.
TEST(PublishedPredictions, InconsistentUncertaintiesAreNamed) {
  SKIP_WITHOUT_DATA();
  testing::ScratchDir dir;
  const Json base = load_json_file(testing::source_path("configs/data/lar2020.json"));
  const std::vector<std::pair<Json, std::string>> cases = {
      {{{"value", 128}, {"uncertainty", 17}, {"theory_uncertainty", 18}, {"source", "s"}},
       "/published/cevns_predicted/theory_uncertainty: expected at most the total uncertainty "
       "(the theory part of it)"},
      {{{"value", 128}, {"uncertainty", 17}, {"difference_explained_in", "x"}, {"source", "s"}},
       "/published/cevns_predicted/difference_explained_in: expected only beside a "
       "theory_uncertainty (it names where a difference beyond that is explained)"}};
  for (const auto& [value, message] : cases) {
    Json j = base;
    j["published"]["cevns_predicted"] = value;
    const std::string path = dir.write("bad.json", j.dump());
    try {
      load_data_set(path, std::string(CEVNS_SHARED_DATA_DIR), backend());
      ADD_FAILURE() << "no error for " << message;
    } catch (const InputError& e) {
      EXPECT_EQ(std::string(e.what()), path + ": " + message);
    }
  }
}

// A point-like ⁴He target (Helm skins and radii of 1e-5 and 1e-4 fm, as the rates' hand test),
// σ₀ = G_F² M Q_W²/(4π). Over a release's flux table (host/data/flux_table.hpp) the flux average
// is σ₀ Σ_f Σ_h φ_fh/(E_h+1 − E_h) ∫_h I(E) dE / Σ_f Σ_h φ_fh over the four
// flavours' contents φ_fh (ν̄_e included), with the closed form ∫ I dE = [u² − 5Mu + 4M² ln u + M³/u]/8,
// u = M + 2E (the program integrates by Gauss–Legendre nodes instead; both agree to the 1e-8 of
// the 1e-6 keV threshold, as the hand test below).
struct PointLikeHelium {
  double pi = 3.14159265358979323846, m_mu = 105.6583755, m_pi = 139.57039;
  double mass = 0.0, sigma0 = 0.0;
  DetectorConfig detector;
  PointLikeHelium() {
    const double g_fermi = 1.1663787e-11, hbar_c_cm = 197.3269804e-13, m_e = 0.51099895,
                 u = 931.49410242, a_u = 4.00260325413, sin2_w = 0.23865;
    detector = parse_detector(Json::parse(R"({
      "name": "He4-pointlike", "mass_kg": 1000, "baseline_m": 20, "threshold_keV": 5,
      "source": {"name": "SNS", "nu_per_flavour_per_pot": 0.08, "protons_on_target": 1.76e23},
      "form_factors": {"proton": "helm", "neutron": "helm",
                       "proton_shape_fm": 1e-5, "neutron_shape_fm": 1e-5},
      "isotopes": [{"name": "He4", "Z": 2, "N": 2, "atomic_mass_u": 4.00260325413, "count": 1,
                    "charge_radius_fm": 1e-4, "proton_rms_radius_fm": 1e-4,
                    "neutron_rms_radius_fm": 1e-4}]})"),
                              "he4_pointlike.json", "", ".");
    mass = a_u * u - 2.0 * m_e;
    const double q_weak = 2.0 - (1.0 - 4.0 * sin2_w) * 2.0;
    sigma0 = g_fermi * g_fermi * mass / (4.0 * pi) * hbar_c_cm * hbar_c_cm * q_weak * q_weak;
  }
  double e_prompt() const { return (m_pi * m_pi - m_mu * m_mu) / (2.0 * m_pi); }
  // ∫_a^b I(E) dE in closed form.
  double integral(double a, double b) const {
    const auto f = [&](double e) {
      const double v = mass + 2.0 * e;
      return (v * v - 5.0 * mass * v + 4.0 * mass * mass * std::log(v) + mass * mass * mass / v) /
             8.0;
    };
    return f(b) - f(a);
  }
  // The table-averaged cross-section of contents[f][h] (nu_e, anti_nu_e, nu_mu, anti_nu_mu) on
  // `edges` (tree-level couplings: the same for every flavour).
  double expected(const std::vector<double>& edges,
                  const std::vector<std::vector<double>>& contents) const {
    double folded = 0.0, neutrinos = 0.0;
    for (int f = 0; f < 4; ++f)
      for (std::size_t h = 0; h + 1 < edges.size(); ++h) {
        folded += contents[f][h] * integral(edges[h], edges[h + 1]) / (edges[h + 1] - edges[h]);
        neutrinos += contents[f][h];
      }
    return sigma0 * folded / neutrinos;
  }
  // The loader's format, one time bin.
  static std::string table(const std::vector<double>& edges,
                           const std::vector<std::vector<double>>& contents) {
    std::ostringstream out;
    out.precision(17);
    out << "# time_lo_us time_hi_us energy_lo_MeV energy_hi_MeV nu_e anti_nu_e nu_mu anti_nu_mu\n";
    for (std::size_t h = 0; h + 1 < edges.size(); ++h) {
      out << "0 1 " << edges[h] << " " << edges[h + 1];
      for (int f = 0; f < 4; ++f) out << " " << contents[f][h];
      out << "\n";
    }
    return out.str();
  }
  // SPEC §2's spectra binned on edges of `width` (the prompt line centred in its bin), by their
  // closed-form cumulative distributions: ν_e 192 x²/m³ (1/2 − x/m), ν̄_μ 64 x²/m³ (3/4 − x/m).
  std::pair<std::vector<double>, std::vector<std::vector<double>>> binned_analytic(
      double width) const {
    std::vector<double> edges{0.0};
    const double first = e_prompt() - width * (std::floor(e_prompt() / width - 0.5) + 0.5);
    for (double e = first; e < 60.0; e += width) edges.push_back(e);
    const double end = m_mu / 2.0;
    const auto cdf_nue = [&](double e) {
      e = std::clamp(e, 0.0, end);
      return 192.0 / std::pow(m_mu, 3) * (e * e * e / 6.0 - std::pow(e, 4) / (4.0 * m_mu));
    };
    const auto cdf_numubar = [&](double e) {
      e = std::clamp(e, 0.0, end);
      return 64.0 / std::pow(m_mu, 3) * (0.25 * e * e * e - std::pow(e, 4) / (4.0 * m_mu));
    };
    std::vector<std::vector<double>> c(4, std::vector<double>(edges.size() - 1, 0.0));
    for (std::size_t h = 0; h + 1 < edges.size(); ++h) {
      c[0][h] = cdf_nue(edges[h + 1]) - cdf_nue(edges[h]);
      c[3][h] = cdf_numubar(edges[h + 1]) - cdf_numubar(edges[h]);
      if (edges[h] <= e_prompt() && e_prompt() < edges[h + 1]) c[2][h] = 1.0;
    }
    return {edges, c};
  }
};

// The point-like ⁴He target above: the flux-averaged cross-section is
// σ₀ [I(E_p) + ⟨I⟩_ν̄μ + ⟨I⟩_νe]/3 with I(E) = E²(M + 4E)/(M + 2E)² the recoil integral of
// (1 − MT/2E²) up to T_max (the delayed averages by their power series in 2E/M, as in
// tests/host/engine/test_rates.cpp).
TEST(FluxAveragedCrossSection, PointLikeHeliumEqualsTheHandDerivation) {
  const PointLikeHelium he;
  const double mass = he.mass, m_mu = he.m_mu, e_p = he.e_prompt();
  const double i_prompt = e_p * e_p * (mass + 4.0 * e_p) / std::pow(mass + 2.0 * e_p, 2);
  double i_nue = 0.0, i_numubar = 0.0;
  for (int k = 0; k < 40; ++k) {
    const int j = k + 2;
    const double c = (1.0 - k) * std::pow(-2.0 / mass, k) / mass * std::pow(m_mu / 2.0, j) /
                     ((j + 3.0) * (j + 4.0));
    i_nue += 12.0 * c;
    i_numubar += 2.0 * (j + 6.0) * c;
  }
  const double expected = he.sigma0 * (i_prompt + i_nue + i_numubar) / 3.0;
  // The detector's 5 keV threshold does not apply: the whole recoil range counts.
  EXPECT_NEAR(flux_averaged_cross_section_cm2(he.detector, standard_model(), backend()) / expected,
              1.0, 1e-7);
}

// As the table's bins narrow, the table-averaged cross-section of SPEC §2's spectra converges to
// the analytic one (second order in the width: the prompt line's bin and the histogram's steps),
// and it equals the closed form of the histogram at every width.
TEST(FluxAveragedCrossSection, OverABinnedAnalyticTableConvergesToTheAnalyticSpectra) {
  const PointLikeHelium he;
  testing::ScratchDir dir;
  const double analytic = flux_averaged_cross_section_cm2(he.detector, standard_model(), backend());
  std::vector<double> errors;
  for (double width : {1.0, 0.25}) {
    const auto [edges, contents] = he.binned_analytic(width);
    const FluxTable t = load_flux_table(dir.write("flux.txt", PointLikeHelium::table(edges, contents)));
    const double tabulated =
        flux_averaged_cross_section_cm2(he.detector, standard_model(), backend(), &t);
    EXPECT_NEAR(tabulated / he.expected(edges, contents), 1.0, 1e-7) << width;
    errors.push_back(std::fabs(tabulated / analytic - 1.0));
    std::printf("%g MeV bins: relative difference from the analytic spectra %.3g\n", width,
                tabulated / analytic - 1.0);
  }
  EXPECT_LT(errors[0], 1e-3);
  EXPECT_LT(errors[1], errors[0] / 8.0);  // second order: 1/16 expected
}

// A deliberately different spectrum — ν_μ flat over 20–30 MeV, ν̄_μ flat over 45–60 MeV (above
// m_μ/2: the recoil range follows the table), ν_e split between ν_e and ν̄_e columns —
// gives the closed form of that histogram (averaged over all its neutrinos, ν̄_e included), far
// from the analytic spectra's average.
TEST(FluxAveragedCrossSection, OverADifferentTableEqualsTheClosedFormOfThatSpectrum) {
  const PointLikeHelium he;
  testing::ScratchDir dir;
  const std::vector<double> edges{0.0, 10.0, 20.0, 30.0, 45.0, 60.0};
  const std::vector<std::vector<double>> contents{{0.0, 3.0, 1.0, 0.0, 0.0},
                                                  {0.0, 1.0, 0.0, 0.0, 0.0},
                                                  {0.0, 0.0, 5.0, 0.0, 0.0},
                                                  {0.0, 0.0, 0.0, 0.0, 5.0}};
  const FluxTable t = load_flux_table(dir.write("flux.txt", PointLikeHelium::table(edges, contents)));
  const double tabulated =
      flux_averaged_cross_section_cm2(he.detector, standard_model(), backend(), &t);
  EXPECT_NEAR(tabulated / he.expected(edges, contents), 1.0, 1e-7);
  const double analytic = flux_averaged_cross_section_cm2(he.detector, standard_model(), backend());
  std::printf("different spectrum: relative difference from the analytic spectra %.3g\n",
              tabulated / analytic - 1.0);
  EXPECT_GT(std::fabs(tabulated / analytic - 1.0), 0.05);
}

TEST(MeasuredCrossSection, ScalesTheStandardModelByFittedOverPredicted) {
  CountFit n;
  n.predicted = 200.0;
  n.best = 150.0;
  n.lo = 120.0;
  n.hi = 190.0;
  const MeasuredCrossSection m = measured_cross_section(4e-39, n);
  EXPECT_DOUBLE_EQ(m.best_cm2, 3e-39);
  EXPECT_DOUBLE_EQ(m.lo_cm2, 2.4e-39);
  EXPECT_DOUBLE_EQ(m.hi_cm2, 3.8e-39);
}

}  // namespace
}  // namespace cevns
