// "nuisances" of a data config: each the release's signal at ±1σ inputs, entering the Poisson
// likelihood as a unit Gaussian pull on the template (S₊ − S₋)/2 (host/data/data_set.cpp).
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
  try {
    load_data_set(path, std::string(CEVNS_SHARED_DATA_DIR), backend());
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              path +
                  ": /nuisances/flux/plus: expected an object (a JSON merge patch of this "
                  "config)");
  }
}

}  // namespace
}  // namespace cevns
