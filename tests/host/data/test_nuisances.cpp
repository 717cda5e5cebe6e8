// "nuisances" of a data config: each the release's signal at ±1σ inputs, entering the Poisson
// likelihood as a unit Gaussian pull on the template (S₊ − S₋)/2 (host/data/data_set.cpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "host/data/coherent_data.hpp"
#include "host/data/fit.hpp"
#include "host/engine/backend_select.hpp"
#include "tests/host/data/shipped_data.hpp"
#include "tests/test_util.hpp"

namespace cevns {
namespace {

#define SKIP_WITHOUT_DATA() CEVNS_SKIP_WITHOUT_DATA("csi2021")

using testing::backend;

// The InputError of loading the data config at `path`, or "no error".
std::string load_error(const std::string& path) {
  try {
    load_data_set(path, std::string(CEVNS_SHARED_DATA_DIR), backend());
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

// The shipped CsI 2021 config with only the named nuisances on, written to a scratch directory.
DataSet with_nuisances(const testing::ScratchDir& dir, const std::vector<std::string>& on,
                       Json* json_out = nullptr) {
  Json j = load_json_file(testing::source_path("configs/data/csi2021.json"));
  for (auto& item : j["nuisances"].items()) item.value()["on"] = false;
  for (const auto& name : on) j["nuisances"][name]["on"] = true;
  j.erase("fit");
  if (json_out) *json_out = j;
  return load_data_set(dir.write("csi2021.json", j.dump()), std::string(CEVNS_SHARED_DATA_DIR),
                       backend());
}

// The signal is linear in the neutrinos per POT: ±10% gives Δ = 0.1 S exactly, and the fixed
// offset template cancels it, so the Asimov data and the nominal prediction do not move.
TEST(DataNuisances, FluxNuisanceIsTenPercentOfTheSignalAndCancelsAtZeroPull) {
  SKIP_WITHOUT_DATA();
  testing::ScratchDir dir;
  const DataSet off = with_nuisances(dir, {});
  const DataSet d = with_nuisances(dir, {"flux"});
  ASSERT_EQ(d.backgrounds.size(), off.backgrounds.size() + 2);
  ASSERT_EQ(d.used, off.used);
  const std::vector<double> s = d.signal(standard_model());
  const std::vector<double>& delta = d.backgrounds[off.backgrounds.size()];
  const std::vector<double>& offset = d.backgrounds.back();
  for (std::size_t u = 0; u < s.size(); ++u) {
    EXPECT_NEAR(delta[u], 0.1 * s[u], 1e-12 * s[u] + 1e-15) << u;
    EXPECT_NEAR(offset[u], -delta[u], 1e-15) << u;
  }
  EXPECT_EQ(d.background_names[off.backgrounds.size()], "nuisance_flux");
  EXPECT_EQ(d.background_sigmas[off.backgrounds.size()], 1.0);
  EXPECT_EQ(d.background_sigmas.back(), 0.0);
  const std::vector<double> a = asimov_data(d, standard_model()),
                            b = asimov_data(off, standard_model());
  for (std::size_t u = 0; u < a.size(); ++u) EXPECT_NEAR(a[u], b[u], 1e-12 * b[u]);
  EXPECT_NEAR(profiled_chi2(d, a, standard_model()), 0.0, 1e-9);
}

// Data with the signal scaled by 1.1 and the signal normalisation fixed: the flux pull θ absorbs
// it. −2 ln λ(θ) = BC(θ) + θ² with BC's minimum 0 at θ = 1, so the profile lies in (0, 1) (the
// Gaussian limit F/(F + 1), F the Fisher information of the 10% template), far below the
// statistic without the nuisance.
TEST(DataNuisances, FluxPullAbsorbsAScaledSignalAtMostAtTheCostOfItsPullTerm) {
  SKIP_WITHOUT_DATA();
  testing::ScratchDir dir;
  DataSet d = with_nuisances(dir, {"flux"});
  DataSet off = with_nuisances(dir, {});
  d.signal_sigma = off.signal_sigma = 0.0;
  std::vector<double> data = asimov_data(d, standard_model());
  const std::vector<double> s = d.signal(standard_model());
  double fisher = 0.0;
  for (std::size_t u = 0; u < data.size(); ++u) {
    data[u] += 0.1 * s[u];
    fisher += 0.01 * s[u] * s[u] / data[u];
  }
  const double with = profiled_chi2(d, data, standard_model());
  EXPECT_GT(with, 0.0);
  EXPECT_LT(with, 1.0);
  EXPECT_NEAR(with, fisher / (fisher + 1.0), 0.05);
  EXPECT_GT(profiled_chi2(off, data, standard_model()), with);
}

TEST(DataNuisances, APatchThatIsNotAnObjectIsNamed) {
  SKIP_WITHOUT_DATA();
  testing::ScratchDir dir;
  Json j = load_json_file(testing::source_path("configs/data/csi2021.json"));
  j["nuisances"] = {{"flux", {{"plus", 3}}}};
  const std::string path = dir.write("bad.json", j.dump());
  EXPECT_EQ(load_error(path), path +
                                  ": /nuisances/flux/plus: expected an object (a JSON merge "
                                  "patch of this config)");
}

// ---------------------------------------------------------------------------------------------
// CsI 2017: the release's QF, light yield, acceptance parameters a, k, x_0 (coherent_parameters.yaml),
// the flux and R_n. All shipped off; here all on at once, each template checked against what the
// response's form implies, derived without the program: PE = QF × LY × T (constant QF, no
// smearing), the acceptance a/(1 + exp(−k(x − x_0))) H(x − 5) at 1-PE sub-bin centres x.

// The shipped CsI 2017 config with every nuisance on and `extra` nuisances added.
Json csi2017_all_on(const Json& extra = Json::object()) {
  Json j = load_json_file(testing::source_path("configs/data/csi2017.json"));
  for (auto& item : j["nuisances"].items()) item.value()["on"] = true;
  for (auto& item : extra.items()) j["nuisances"][item.key()] = item.value();
  j.erase("fit");
  return j;
}

const std::vector<double>& template_of(const DataSet& d, const std::string& nuisance) {
  const auto it =
      std::find(d.background_names.begin(), d.background_names.end(), "nuisance_" + nuisance);
  if (it == d.background_names.end()) throw std::runtime_error("no template " + nuisance);
  return d.backgrounds[static_cast<std::size_t>(it - d.background_names.begin())];
}

TEST(DataNuisances, Csi2017EachNuisanceMovesTheSignalAsTheResponseImplies) {
  CEVNS_SKIP_WITHOUT_DATA("csi2017");
  testing::ScratchDir dir;
  const Json shipped = load_json_file(testing::source_path("configs/data/csi2017.json"));
  // The light yield's ±1σ expressed as the same change of the QF: the same PE per keVnr, so the
  // same template as "light_yield" (to rounding).
  const double qf = shipped["response"]["quenching"]["factor"].get<double>();
  const double ly = shipped["response"]["light_yield_PE_per_keVee"].get<double>();
  const double ly_plus = shipped["nuisances"]["light_yield"]["plus"]["response"]
                                ["light_yield_PE_per_keVee"].get<double>();
  const double ly_minus = shipped["nuisances"]["light_yield"]["minus"]["response"]
                                 ["light_yield_PE_per_keVee"].get<double>();
  const Json extra = {
      {"ly_as_qf",
       {{"plus", {{"response", {{"quenching", {{"factor", qf * ly_plus / ly}}}}}}},
        {"minus", {{"response", {{"quenching", {{"factor", qf * ly_minus / ly}}}}}}}}}};
  const Json j = csi2017_all_on(extra);
  const DataSet d = load_data_set(dir.write("csi2017.json", j.dump()),
                                  std::string(CEVNS_SHARED_DATA_DIR), backend());
  // Two backgrounds, eight nuisances and their offset: the limit of kMaxPulls − 1 exactly.
  ASSERT_EQ(d.backgrounds.size(), 11u);
  const std::vector<double> s = d.signal(standard_model());
  const double total = std::accumulate(s.begin(), s.end(), 0.0);
  const auto sum_of = [](const std::vector<double>& v) {
    return std::accumulate(v.begin(), v.end(), 0.0);
  };
  const auto lower_pe = [&](std::size_t u) {
    return d.energy_edges[static_cast<std::size_t>(d.used[u] / (d.n_extra * d.n_time))];
  };

  // a: the accepted counts scale by a exactly, Δ/S = (a₊ − a₋)/(2a) in every bin.
  const Json& acc = shipped["response"]["acceptance"];
  const Json& na = shipped["nuisances"]["acceptance_a"];
  const double a = acc["a"].get<double>();
  const double ratio_a = (na["plus"]["response"]["acceptance"]["a"].get<double>() -
                          na["minus"]["response"]["acceptance"]["a"].get<double>()) /
                         (2.0 * a);
  const std::vector<double>& da = template_of(d, "acceptance_a");
  for (std::size_t u = 0; u < s.size(); ++u) EXPECT_NEAR(da[u], ratio_a * s[u], 1e-12 * s[u]) << u;

  // The flux: linear in ν per POT, Δ/S = (0.088 − 0.072)/(2 × 0.08) = 0.1.
  const std::vector<double>& df = template_of(d, "flux");
  for (std::size_t u = 0; u < s.size(); ++u) EXPECT_NEAR(df[u], 0.1 * s[u], 1e-12 * s[u]) << u;

  // x_0 higher: the sigmoid lower at every x, so fewer counts in every bin.
  const std::vector<double>& dx = template_of(d, "acceptance_x0");
  for (std::size_t u = 0; u < s.size(); ++u) EXPECT_LT(dx[u], 0.0) << u;

  // k higher: the sigmoid lower below x_0 and higher above it — fewer counts in bins whose 1-PE
  // sub-bin centres all lie below x_0 (including those H(x − 5) halves), more where all lie above.
  const double x0 = acc["x0"].get<double>();
  const std::vector<double>& dk = template_of(d, "acceptance_k");
  int below = 0, above = 0;
  for (std::size_t u = 0; u < s.size(); ++u) {
    const double lo = lower_pe(u);
    if (lo + 1.5 < x0 && lo + 1.5 > 5.0) {
      EXPECT_LT(dk[u], 0.0) << "bin from " << lo << " PE";
      ++below;
    } else if (lo + 0.5 > x0) {
      EXPECT_GT(dk[u], 0.0) << "bin from " << lo << " PE";
      ++above;
    }
  }
  EXPECT_GT(below, 0);
  EXPECT_GT(above, 0);

  // QF higher: every recoil gives more PE, and the acceptance rises with PE up to the fit
  // region's 50 PE, which the hardest recoils (≤ 46 keVnr × 0.1044 × 13.348 = 64 PE) barely reach:
  // more counts in all.
  EXPECT_GT(sum_of(template_of(d, "quenching")), 0.0);
  EXPECT_GT(sum_of(template_of(d, "light_yield")), 0.0);
  // The light yield enters as the QF does (PE = QF × LY × T): the same template.
  const std::vector<double>& dl = template_of(d, "light_yield");
  const std::vector<double>& dq = template_of(d, "ly_as_qf");
  for (std::size_t u = 0; u < s.size(); ++u) EXPECT_NEAR(dl[u], dq[u], 1e-9 * total) << u;
  EXPECT_GT(std::fabs(sum_of(dl)), 1e-4 * total);  // not trivially zero

  // R_n larger: the Helm form factor smaller below its first zero (qR < 4.49 for every CsI
  // recoil of π-DAR neutrinos), so fewer counts in every bin.
  const std::vector<double>& dr = template_of(d, "neutron_radius");
  for (std::size_t u = 0; u < s.size(); ++u) EXPECT_LT(dr[u], 0.0) << u;

  // No nuisance's plus and minus give the same signal.
  for (const auto& item : j["nuisances"].items()) {
    double largest = 0.0;
    for (double x : template_of(d, item.key())) largest = std::max(largest, std::fabs(x));
    EXPECT_GT(largest, 1e-6 * total) << item.key();
  }
}

// One template more than kMaxPulls allows is named, with the limit's reason.
TEST(DataNuisances, Csi2017OneNuisanceBeyondTheLimitIsNamed) {
  CEVNS_SKIP_WITHOUT_DATA("csi2017");
  testing::ScratchDir dir;
  const Json flux = {{"plus", {{"detector", {{"source", {{"nu_per_flavour_per_pot", 0.09}}}}}}}};
  const Json j = csi2017_all_on({{"extra_1", flux}, {"extra_2", flux}});
  const std::string path = dir.write("csi2017.json", j.dump());
  EXPECT_EQ(load_error(path),
            path +
                ": /nuisances: expected at most 11 templates besides the signal (backgrounds, "
                "nuisances and their offset: kMaxPulls = 12 in kernels/poisson.hpp), got 12; "
                "turn some nuisances off (\"on\": false)");
}

}  // namespace
}  // namespace cevns
