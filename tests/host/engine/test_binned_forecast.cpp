// Forecasts with a detector response and (observed energy × time) bins (a study's "responses"):
// the fold against unbinned counts in the limits where it is known by hand, the factorised path
// against the direct one through the fold, and the input errors.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "host/config/study.hpp"
#include "host/core/error.hpp"
#include "host/engine/grid_driver.hpp"
#include "host/engine/quadrature.hpp"
#include "host/engine/rates.hpp"
#include "host/engine/study_run.hpp"
#include "kernels/flux.hpp"
#include "tests/study_json.hpp"
#include "tests/test_util.hpp"

namespace cevns {
namespace {

using testing::axis;
using testing::source_path;

constexpr double kPionLifetime = 0.026033, kMuonLifetime = 2.1969811;  // µs, PDG 2024

// A keVee response with a constant quenching factor and no smearing, one broad time bin.
Json unit_response(double quenching, double true_width_keV, const std::vector<double>& edges) {
  return {{"response",
           {{"quenching", {{"model", "constant"}, {"factor", quenching}}},
            {"observable", "keVee"},
            {"true_bin_width_keV", true_width_keV}}},
          {"timing", {{"model", "beam"}, {"mean_us", 0.0}, {"width_us", 0.1}}},
          {"binning", {{"keVee_edges", edges}, {"time_edges_us", {-100.0, 1000.0}}}}};
}

// The Ar detector of the forecast, with or without `response`, under the Poisson likelihood.
Study binned_study(const Json& response, const Json& scans = Json::array(),
                   const Json& quadrature = nullptr) {
  Json j = {
      {"name", "binned"},
      {"detectors", {source_path("configs/detectors/ar.json")}},
      {"scenarios", {"sys15"}},
      {"statistics", {{"likelihood", "poisson"}}},
      {"scans", scans.empty()
                    ? Json::array({{{"name", "s"}, {"axes", {axis("sin2_theta_W", 0.2, 0.3, 3)}}}})
                    : scans}};
  if (!quadrature.is_null()) j["quadrature"] = quadrature;
  if (!response.is_null()) j["responses"] = {{"Ar", response}};
  return parse_study(j, "binned-study.json");
}

std::vector<double> sm_counts(const Study& st, Backend& backend, const Analysis& analysis) {
  const PreparedDetector p = prepare_detector(st.detectors[0], analysis, backend, st.responses[0]);
  return p.counts->counts(standard_model());
}

// The Ar detector's SM counts without a response, in recoil bins of `width_keV` from its
// threshold, and those bins' edges.
struct RecoilCounts {
  std::vector<double> edges_keV, counts;
};
RecoilCounts unbinned_recoil_counts(Backend& backend, double width_keV) {
  const Study plain = binned_study(nullptr);
  Analysis recoil = plain.analysis;
  recoil.total_only = false;
  recoil.bin_width_keV = width_keV;
  return {recoil_bin_edges_keV(plain.detectors[0], width_keV), sm_counts(plain, backend, recoil)};
}

double sum(const std::vector<double>& v) {
  double s = 0.0;
  for (double x : v) s += x;
  return s;
}

TEST(BinnedForecast, UnitResponseAndOneTimeBinGiveTheUnbinnedCounts) {
  auto backend = make_cpu_backend();
  const auto [edges, unbinned] = unbinned_recoil_counts(*backend, 8.0);
  // Quenching 1: keVee = keVnr, so the observed bins are the recoil bins; 0.5-keV true bins
  // tile them exactly. Only the quadrature differs (each converged to 1e-6).
  const Study st = binned_study(unit_response(1.0, 0.5, edges));
  const std::vector<double> binned = sm_counts(st, *backend, st.analysis);
  ASSERT_EQ(binned.size(), unbinned.size());
  for (std::size_t b = 0; b < binned.size(); ++b)
    EXPECT_NEAR(binned[b], unbinned[b], 2e-6 * unbinned[b]) << "bin " << b;
}

TEST(BinnedForecast, TotalIsTheUnbinnedTotalTimesTheMeanAcceptance) {
  auto backend = make_cpu_backend();
  const auto [edges, unbinned] = unbinned_recoil_counts(*backend, 4.0);
  // QF 0.25: recoils of 20–40 keVnr land in [5, 10) keVee with acceptance 0.5, the rest (40 keVnr
  // to the end point, 37.5 keVee) in [10, 40) keVee with acceptance 0.9 (the table is read at
  // each observed bin's centre: 7.5 and 25 keVee).
  double below = 0.0, above = 0.0;
  for (std::size_t b = 0; b + 1 < edges.size(); ++b)
    (edges[b] < 40.0 - 1e-9 ? below : above) += unbinned[b];
  Json response = unit_response(0.25, 0.5, {5.0, 10.0, 40.0});
  response["response"]["acceptance"] = {
      {"model", "table"}, {"x", {7.5, 25.0}}, {"value", {0.5, 0.9}}};
  const Study st = binned_study(response);
  const std::vector<double> binned = sm_counts(st, *backend, st.analysis);
  ASSERT_EQ(binned.size(), 2u);
  EXPECT_NEAR(binned[0], 0.5 * below, 2e-6 * below);
  EXPECT_NEAR(binned[1], 0.9 * above, 2e-6 * above);
  EXPECT_NEAR(sum(binned), 0.5 * below + 0.9 * above, 2e-6 * sum(unbinned));
}

TEST(BinnedForecast, TimeBinsSplitPromptAndDelayedByTheLifetimes) {
  auto backend = make_cpu_backend();
  const Study plain = binned_study(nullptr);
  const RatesResult rates = compute_rates(
      plain.detectors[0], total_bin_edges_keV(plain.detectors[0]), standard_model(), *backend);
  const double prompt = rates.flux_total(kPromptNuMu);
  const double delayed = rates.flux_total(kDelayedNuMuBar) + rates.flux_total(kDelayedNuE);
  // A proton pulse of negligible width at t = 0: beyond T the prompt ν_μ survive as exp(−T/τ_π),
  // the delayed ones (π then μ decay) as (τ_μ e^{−T/τ_μ} − τ_π e^{−T/τ_π}) / (τ_μ − τ_π).
  const double T = 1.5;
  const double tail_prompt = std::exp(-T / kPionLifetime);
  const double tail_delayed = (kMuonLifetime * std::exp(-T / kMuonLifetime) -
                               kPionLifetime * std::exp(-T / kPionLifetime)) /
                              (kMuonLifetime - kPionLifetime);
  Json response = unit_response(1.0, 0.5, {0.0, 1000.0});
  response["timing"]["width_us"] = 1e-5;
  response["binning"]["time_edges_us"] = {-1.0, T, 100.0};
  const Study st = binned_study(response);
  const std::vector<double> binned = sm_counts(st, *backend, st.analysis);
  ASSERT_EQ(binned.size(), 2u);
  const double late = prompt * tail_prompt + delayed * tail_delayed;
  EXPECT_NEAR(binned[1], late, 1e-5 * late);
  EXPECT_NEAR(binned[0], prompt + delayed - late, 1e-5 * (prompt + delayed));
}

// A response with every ingredient: QF, Gaussian smearing, acceptance, three time bins, two
// backgrounds.
Json full_response() {
  return {
      {"response",
       {{"quenching", {{"model", "linear"}, {"a", 0.246}, {"b_per_keVnr", 0.00078}}},
        {"observable", "keVee"},
        {"resolution", {{"model", "gaussian"}, {"a_sqrt_keVee", 0.58}}},
        {"acceptance", {{"model", "table"}, {"x", {0.0, 10.0, 40.0}}, {"value", {0.2, 0.8, 0.9}}}},
        {"true_bin_width_keV", 4.0},
        {"sub_nodes", 4}}},
      {"timing",
       {{"model", "beam"},
        {"mean_us", 0.44},
        {"width_us", 0.15},
        {"efficiency", {{"plateau_us", 0.52}, {"rate_per_us", 0.0494}}}}},
      {"binning",
       {{"keVee_edges", {0.0, 10.0, 20.0, 40.0, 60.0}}, {"time_edges_us", {0.0, 1.0, 2.0, 6.0}}}},
      {"backgrounds",
       {{"steady",
         {{"sigma", 0.05},
          {"energy", {40.0, 30.0, 20.0, 10.0}},
          {"time", "flat"},
          {"protons_on_target", 1.76e23}}},
        {"prompt_neutrons",
         {{"sigma", 0.3},
          {"energy", {5.0, 4.0, 3.0, 1.0}},
          {"time", {0.7, 0.25, 0.05}},
          {"protons_on_target", 1.76e23}}}}}};
}

void expect_factorised_equals_direct(const Json& scan) {
  auto backend = make_cpu_backend();
  const Study st = binned_study(full_response(), Json::array({scan}),
                                {{"recoil_nodes", 8}, {"energy_nodes", 8}, {"energy_panels", 2}});
  const PreparedDetector det =
      prepare_detector(st.detectors[0], st.analysis, *backend, st.responses[0]);
  Progress quiet(Progress::Mode::kQuiet);
  const auto f =
      make_study_model(det, st, st.scans[0], st.scenarios[0], Method::kFactorised, *backend);
  const auto d = make_study_model(det, st, st.scans[0], st.scenarios[0], Method::kDirect, *backend);
  ASSERT_FALSE(f->direct());
  ASSERT_TRUE(d->direct());
  ASSERT_EQ(f->counts_model().n_bins(), 12);
  const std::vector<double> gf = compute_grid(*f, *backend, quiet, "f", 1 << 20);
  const std::vector<double> gd = compute_grid(*d, *backend, quiet, "d", 1 << 20);
  ASSERT_EQ(gf.size(), gd.size());
  double worst = 0.0;
  for (std::size_t i = 0; i < gf.size(); ++i)
    worst = std::max(worst, std::fabs(gf[i] - gd[i]) / std::max(std::fabs(gd[i]), 1e-3));
  EXPECT_LT(worst, 1e-9) << scan.dump();
  // And the counts themselves, at the grid's first point.
  const PhysicsModel m = f->model_at(
      {st.scans[0].axes[0].min, st.scans[0].axes.size() > 1 ? st.scans[0].axes[1].min : 0.0});
  const std::vector<double> cf = f->counts(m), cd = d->counts(m);
  for (std::size_t b = 0; b < cf.size(); ++b) EXPECT_NEAR(cf[b], cd[b], 1e-9 * cd[b]) << b;
}

TEST(BinnedForecast, FactorisedEqualsDirectForCouplings) {
  expect_factorised_equals_direct(
      {{"name", "nsi"},
       {"axes", {axis("eps_ee_uV", -0.5, 0.5, 4), axis("eps_ee_dV", -0.5, 0.5, 3)}}});
}

TEST(BinnedForecast, FactorisedEqualsDirectForSterileRows) {
  expect_factorised_equals_direct(
      {{"name", "sterile"},
       {"channel", "nue"},
       {"axes", {axis("sin2_2theta", 1e-2, 1.0, 3, true), axis("dm2_eV2", 0.1, 50.0, 4, true)}}});
}

TEST(BinnedForecast, FactorisedEqualsDirectForMediatorRows) {
  expect_factorised_equals_direct({{"name", "zprime"},
                                   {"mediator", "vector_b_minus_l"},
                                   {"axes",
                                    {axis("mediator_coupling", 1e-5, 1e-3, 3, true),
                                     axis("mediator_mass_MeV", 1.0, 1e3, 4, true)}}});
}

TEST(BinnedForecast, AsimovDataAreThePredictionPlusTheBackgroundsScaledByExposure) {
  auto backend = make_cpu_backend();
  const Study st = binned_study(full_response());
  const BinnedResponse& r = *st.responses[0];
  // ar.json runs at the source's 1.76e23 POT, the templates' own exposure: unscaled.
  // The templates in name order: prompt_neutrons, steady; [energy bin][time bin].
  ASSERT_EQ(r.backgrounds.size(), 2u);
  ASSERT_EQ(r.backgrounds[0].name, "prompt_neutrons");
  EXPECT_DOUBLE_EQ(r.backgrounds[1].counts[0], 40.0 * 1.0 / 6.0);  // flat: bin width / 6 µs
  EXPECT_DOUBLE_EQ(r.backgrounds[0].counts[3 * 3 + 1], 1.0 * 0.25);
  Json twice = full_response();
  for (auto& [name, b] : twice["backgrounds"].items()) b["protons_on_target"] = 0.88e23;
  const Study st2 = binned_study(twice);
  EXPECT_DOUBLE_EQ(st2.responses[0]->backgrounds[0].counts[3 * 3 + 1], 2.0 * 0.25);
  const PreparedDetector det =
      prepare_detector(st.detectors[0], st.analysis, *backend, st.responses[0]);
  const auto model =
      make_study_model(det, st, st.scans[0], st.scenarios[0], Method::kFactorised, *backend);
  const ScanInput& in = model->input();
  ASSERT_EQ(in.statistic, ScanInput::kPoisson);
  ASSERT_EQ(in.n_backgrounds, 2);
  const std::vector<double> signal = det.counts->counts(standard_model());
  for (int u = 0; u < in.n_bins(); ++u)
    EXPECT_NEAR(in.data[u], signal[u] + r.backgrounds[0].counts[u] + r.backgrounds[1].counts[u],
                1e-12 * in.data[u]);
  EXPECT_EQ(in.sigmas, (std::vector<double>{0.15, 0.3, 0.05}));  // sys15's σ_α, the templates' σ
  // At the truth the statistic is zero: the Asimov data are the prediction.
  EXPECT_NEAR(model->chi2(standard_model()), 0.0, 1e-9);
}

std::string error_of(const Json& response, const Json& statistics = {{"likelihood", "poisson"}},
                     const std::string& name = "Ar") {
  Json j = {
      {"name", "binned"},
      {"detectors", {source_path("configs/detectors/ar.json")}},
      {"scenarios", {"sys15"}},
      {"statistics", statistics},
      {"responses", {{name, response}}},
      {"scans", Json::array({{{"name", "s"}, {"axes", {axis("sin2_theta_W", 0.2, 0.3, 3)}}}})}};
  try {
    parse_study(j, "bad.json");
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

TEST(BinnedForecast, BadInputNamesFilePathAndExpectation) {
  Json r = full_response();
  r["binning"]["keVee_edges"] = {0.0, 20.0, 10.0};
  EXPECT_EQ(error_of(r),
            "bad.json: /responses/Ar/binning/keVee_edges: expected strictly increasing bin edges");
  r = full_response();
  r["colour"] = "blue";
  EXPECT_EQ(error_of(r).rfind("bad.json: /responses/Ar/colour: unknown key", 0), 0u) << error_of(r);
  r = full_response();
  r.erase("timing");
  EXPECT_EQ(error_of(r),
            "bad.json: /responses/Ar/timing: missing required key: the arrival-time model of the "
            "detector's source ({\"model\": \"beam\", \"mean_us\", \"width_us\"})");
  r = full_response();
  r["timing"] = {{"model", "release"}};
  EXPECT_EQ(error_of(r),
            "bad.json: /responses/Ar/timing/model: expected \"beam\": a forecast has no release's "
            "arrival-time tables");
  r = full_response();
  r["backgrounds"]["steady"]["energy"] = {1.0, 2.0};
  EXPECT_EQ(error_of(r),
            "bad.json: /responses/Ar/backgrounds/steady/energy: expected 4 counts, one per "
            "observed-energy bin, got 2");
  r = full_response();
  r["backgrounds"]["prompt_neutrons"]["time"] = {0.5, 0.25, 0.05};
  EXPECT_EQ(error_of(r),
            "bad.json: /responses/Ar/backgrounds/prompt_neutrons/time: expected fractions that sum "
            "to 1, got a sum of 0.8");
  r = full_response();
  r["binning"].erase("keVee_edges");
  r["binning"]["pe_edges"] = {0.0, 10.0};
  EXPECT_EQ(
      error_of(r).rfind("bad.json: /responses/Ar/binning/keVee_edges: missing required key", 0), 0u)
      << error_of(r);
  EXPECT_EQ(error_of(full_response(), {{"likelihood", "gaussian"}}),
            "bad.json: /responses/Ar: expected \"statistics\": {\"likelihood\": \"poisson\"} in a "
            "study with a binned detector response (its background templates need the Poisson "
            "likelihood)");
  EXPECT_EQ(error_of(full_response(), {{"likelihood", "poisson"}}, "CsI"),
            "bad.json: /responses/CsI: expected the name of one of the study's detectors (Ar), got "
            "\"CsI\"");
}

}  // namespace
}  // namespace cevns
