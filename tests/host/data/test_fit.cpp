// Fits to the COHERENT releases: Asimov data return the true parameters; the CLI runs.
#include <gtest/gtest.h>

#include <cmath>

#include "host/data/coherent_data.hpp"
#include "host/data/fit.hpp"
#include "host/engine/backend_select.hpp"
#include "tests/host/data/shipped_data.hpp"
#include "tests/test_util.hpp"

namespace cevns {
namespace {

#define SKIP_WITHOUT_DATA() CEVNS_SKIP_WITHOUT_DATA("csi2017")

using testing::backend;
using testing::shipped_data_set;

TEST(Fit, AsimovCountFitReturnsThePredictedNumberOfEvents) {
  SKIP_WITHOUT_DATA();
  const DataSet& d = shipped_data_set("csi2017");
  const CountFit f = fit_cevns_count(d, asimov_data(d, standard_model()));
  EXPECT_NEAR(f.best / f.predicted, 1.0, 1e-4);
  EXPECT_NEAR(f.chi2_min, 0.0, 1e-6);
  EXPECT_LT(f.lo, f.best);
  EXPECT_GT(f.hi, f.best);
}

TEST(Fit, AsimovProfileReturnsTheTrueWeakMixingAngleAndNsiCoupling) {
  SKIP_WITHOUT_DATA();
  const DataSet& d = shipped_data_set("csi2017");
  for (const auto& [name, truth] : {std::pair<std::string, double>{"sin2_theta_W", 0.30},
                                    std::pair<std::string, double>{"eps_taue_uV", 0.20}}) {
    ScanRequest req;
    req.parameter = name;
    ASSERT_TRUE(find_parameter(name).has_value());
    req.id = *find_parameter(name);
    for (int i = 0; i <= 40; ++i) req.values.push_back(0.05 + 0.01 * i);
    PhysicsModel m = standard_model();
    m.value[req.id] = truth;
    Progress quiet(Progress::Mode::kQuiet);
    const ProfileScan p =
        scan_parameter({&d}, {asimov_data(d, m)}, req, 2.705543454095404, backend(), quiet);
    EXPECT_NEAR(p.best, truth, 1e-5) << name;
    EXPECT_NEAR(p.chi2_min, 0.0, 1e-6) << name;
  }
}

TEST(Fit, AsimovNeutronRadiusProfilesReturnTheTrueRadius) {
  // The radius rows folded through the response (ScanModel, kRadius) against the per-point
  // counts (CountsModel::counts, entry moments at the point's radius, then the fold): the grid
  // equals −2 ln λ evaluated point by point, and the minimum sits at the truth.
  SKIP_WITHOUT_DATA();
  const DataSet& d = shipped_data_set("csi2017");
  for (const auto& [name, truth] : {std::pair<std::string, double>{"rn_fm", 4.8},
                                    std::pair<std::string, double>{"rn_I_fm", 6.3}}) {
    ScanRequest req;
    req.parameter = name;
    req.id = *find_parameter(name);
    for (int i = 0; i <= 40; ++i) req.values.push_back(3.0 + 0.1 * i);
    PhysicsModel m = standard_model();
    m.value[req.id] = truth;
    const std::vector<double> data = asimov_data(d, m);
    Progress quiet(Progress::Mode::kQuiet);
    const DataGrid g =
        data_grid(d, data, {GridAxis{req.id, req.values}}, standard_model(), backend(), quiet, name);
    ASSERT_EQ(g.model->input().evaluator, ScanInput::kRadius);
    for (std::size_t i = 0; i < req.values.size(); i += 7) {
      PhysicsModel p = standard_model();
      p.value[req.id] = req.values[i];
      EXPECT_NEAR(g.chi2[i], profiled_chi2(d, data, p), 1e-9 * std::max(1.0, g.chi2[i])) << name;
    }
    const ProfileScan p = scan_parameter({&d}, {data}, req, 2.705543454095404, backend(), quiet);
    EXPECT_NEAR(p.best, truth, 1e-4) << name;
    EXPECT_NEAR(p.chi2_min, 0.0, 1e-6) << name;
  }
}

TEST(Fit, ResponseFoldedSignalIsQuadraticInTheCouplings) {
  SKIP_WITHOUT_DATA();
  const DataSet& d = shipped_data_set("csi2017");
  // N(ε) for the flavour-changing ε_τe is N(0) + c ε²: second differences are constant.
  const auto total = [&](double eps) {
    PhysicsModel m = standard_model();
    m.value[epsilon_index(kUp, kTau, kE)] = m.value[epsilon_index(kUp, kE, kTau)] = eps;
    return sum(d.signal(m));
  };
  const double n0 = total(0.0), n1 = total(0.1), n2 = total(0.2);
  EXPECT_NEAR((n2 - n0) / (n1 - n0), 4.0, 1e-9);
}

TEST(FitCommand, PrintsTheFirstMeasurementCheckAndWritesJson) {
  SKIP_WITHOUT_DATA();
  testing::ScratchDir dir;
  const auto r = testing::run_cevns("--backend cpu fit configs/data/csi2017.json --data-dir '" +
                                    std::string(CEVNS_SHARED_DATA_DIR) + "' --json '" +
                                    dir.file("fit.json") + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("first-measurement check"), std::string::npos);
  const Json j = Json::parse(testing::read_file(dir.file("fit.json")));
  const Json& ds = j["data_sets"][0];
  EXPECT_EQ(ds["name"], "CsI2017");
  EXPECT_LT(ds["n_cevns"]["lo"].get<double>(), ds["n_cevns"]["best"].get<double>());
  EXPECT_TRUE(ds["profiles"]["sin2_theta_W"]["intervals"].is_array());
}

TEST(FitCommand, MissingDataDirectoryIsAnInputErrorNamingTheFile) {
  const auto r =
      testing::run_cevns("fit configs/data/csi2017.json --data-dir /nonexistent-cevns-data");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(
      r.err.find("/nonexistent-cevns-data/csi2017/data_coincidence_beamOn.txt: cannot be read"),
      std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace cevns
