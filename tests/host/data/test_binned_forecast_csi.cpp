// configs/studies/coherent_future.json's CsI 2021 detector at the release's own exposure against
// the data fit of configs/data/csi2021.json: the forecast's binned prediction (study parser, the
// study engine's fold) and the fit's (data-set loader, the release assembly's fold) are two code
// paths to the same SM counts; the forecast's inline background templates (derived by
// scripts/csi2021_backgrounds.py, in Python) against the data set's, built from the release files.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "host/config/study.hpp"
#include "host/data/data_set.hpp"
#include "host/engine/study_run.hpp"
#include "tests/test_util.hpp"

namespace cevns {
namespace {

TEST(BinnedForecastCsI, AtTheReleaseExposureTheForecastPredictsTheFitsSmCounts) {
  CEVNS_SKIP_WITHOUT_DATA("csi2021");
  auto backend = make_cpu_backend();
  const std::string data_dir = CEVNS_SHARED_DATA_DIR;
  const DataSet d =
      load_data_set(testing::source_path("configs/data/csi2021.json"), data_dir, *backend);

  Json study = load_json_file(testing::source_path("configs/studies/coherent_future.json"));
  Json csi;
  for (const Json& det : study["detectors"])
    if (det.is_object() && det["name"] == "CsI2021x10") csi = det;
  ASSERT_TRUE(csi.is_object());
  csi["source"]["protons_on_target"] = 3.198e23;  // ×1: the release's exposure
  csi["quadrature"] =
      load_json_file(testing::source_path("configs/data/csi2021.json"))["detector"]["quadrature"];
  study["detectors"] = Json::array({csi});
  study.erase("quadrature");
  study.erase("combinations");
  study["responses"]["CsI2021x10"]["data_dir"] = data_dir;
  study["scans"] = Json::array({study["scans"][0]});
  const Study st = parse_study(study, testing::source_path("configs/studies/coherent_future.json"));
  ASSERT_TRUE(st.responses[0]);
  const PreparedDetector p =
      prepare_detector(st.detectors[0], st.analysis, *backend, st.responses[0]);
  const std::vector<double> forecast = p.counts->counts(standard_model());
  const std::vector<double> fit = d.counts->counts(standard_model());
  ASSERT_EQ(d.n_extra, 1);
  ASSERT_EQ(static_cast<int>(forecast.size()), d.n_full());
  double total_forecast = 0.0, total_fit = 0.0;
  for (std::size_t u = 0; u < d.used.size(); ++u) {
    EXPECT_NEAR(forecast[d.used[u]], fit[u], 1e-10 * fit[u] + 1e-14) << "bin " << d.used[u];
    total_forecast += forecast[d.used[u]];
    total_fit += fit[u];
  }
  EXPECT_NEAR(total_forecast, total_fit, 1e-10 * total_fit);
  EXPECT_GT(total_fit, 300.0);  // README: 323.7 SM CEvNS events in the fitted region

  // Backgrounds: the same templates, to the rounding of the inline numbers (1e-6 counts, 1e-9 in
  // the time fractions).
  const BinnedResponse& r = *st.responses[0];
  ASSERT_EQ(r.backgrounds.size(), 3u);
  for (const auto& bg : r.backgrounds) {
    std::size_t k = 0;
    while (k < d.background_names.size() && d.background_names[k] != bg.name) ++k;
    ASSERT_LT(k, d.background_names.size()) << bg.name;
    EXPECT_EQ(bg.sigma, d.background_sigmas[k]) << bg.name;
    for (std::size_t u = 0; u < d.used.size(); ++u)
      EXPECT_NEAR(bg.counts[d.used[u]], d.backgrounds[k][u], 1e-5 * d.backgrounds[k][u] + 2e-6)
          << bg.name << " bin " << d.used[u];
  }
}

}  // namespace
}  // namespace cevns
