// `cevns fit` as the command runs it: options that select what is computed.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "host/cli/commands.hpp"
#include "host/core/error.hpp"
#include "host/core/json_reader.hpp"
#include "host/io/h5io.hpp"
#include "tests/test_util.hpp"

namespace cevns {
namespace {

#define SKIP_WITHOUT_DATA() CEVNS_SKIP_WITHOUT_DATA("csi2021")

// `cevns fit CONFIGS --only ONLY --grid-points N --backend cpu` on the shared data, its JSON
// written to fit.json in `dir` and, with `hdf5`, its file to fit.h5.
FitOptions fit_options(const testing::ScratchDir& dir, const std::vector<std::string>& configs,
                       const std::vector<std::string>& only, int grid_points, bool hdf5) {
  FitOptions o;
  o.config_files = configs;
  o.data_dir = std::string(CEVNS_SHARED_DATA_DIR);
  o.backend = "cpu";
  o.only = only;
  o.grid_points = grid_points;
  o.json_output = dir.file("fit.json");
  if (hdf5) o.output = dir.file("fit.h5");
  return o;
}

// The shipped CsI 2021 and LAr 2020 configs.
std::vector<std::string> csi_and_lar() {
  return {testing::source_path("configs/data/csi2021.json"),
          testing::source_path("configs/data/lar2020.json")};
}

TEST(FitCommand, OnlyAndGridPointsOptionsLimitWhatIsComputed) {
  SKIP_WITHOUT_DATA();
  testing::ScratchDir dir;
  FitOptions o = fit_options(dir, csi_and_lar(), {"sterile_numu"}, 11, false);
  ASSERT_EQ(run_fit(o), 0);
  const Json j = Json::parse(testing::read_file(dir.file("fit.json")));
  const Json& ds = j["data_sets"][0];
  EXPECT_FALSE(ds.contains("n_cevns"));
  EXPECT_FALSE(ds.contains("profiles"));
  ASSERT_TRUE(ds["planes"].contains("sterile_numu"));
  EXPECT_FALSE(ds["planes"].contains("sterile_nue"));
  const Json& joint = j["combined"]["planes"]["sterile_numu"];
  EXPECT_EQ(joint["parameter"], Json({"sin2_2theta", "dm2_eV2"}));
  EXPECT_EQ(joint["channel"], "numu");
  ASSERT_EQ(joint["exclusion"].size(), 4u);
  EXPECT_EQ(joint["exclusion"][0]["dm2"].get<double>(), 0.1);
  EXPECT_EQ(joint["exclusion"][3]["dm2"].get<double>(), 100.0);
  EXPECT_TRUE(joint["contours"].is_array());

  o.only = {"no_such_study"};
  try {
    run_fit(o);
    ADD_FAILURE() << "an unknown --only name is an error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("sterile_numu"), std::string::npos) << e.what();
  }
}

TEST(FitCommand, MediatorPlanesPerDataSetAndJointlyTheJointGridIsTheSumOfTheSingles) {
  SKIP_WITHOUT_DATA();
  testing::ScratchDir dir;
  const FitOptions o = fit_options(dir, csi_and_lar(), {"vector_universal", "scalar"}, 9, true);
  ASSERT_EQ(run_fit(o), 0);
  const Json j = Json::parse(testing::read_file(dir.file("fit.json")));
  for (const Json* block : {&j["data_sets"][0], &j["data_sets"][1], &j["combined"]}) {
    EXPECT_FALSE(block->contains("profiles"));
    for (const char* name : {"vector_universal", "scalar"}) {
      const Json& p = (*block)["planes"][name];
      EXPECT_EQ(p["mediator"], name);
      EXPECT_EQ(p["parameter"], Json({"mediator_coupling", "mediator_mass_MeV"}));
      ASSERT_EQ(p["exclusion"].size(), 4u) << name;
      ASSERT_EQ(p["allowed_bands"].size(), 4u) << name;
      const double masses[] = {1.0, 10.0, 100.0, 1000.0};
      for (std::size_t k = 0; k < 4; ++k) {
        EXPECT_EQ(p["exclusion"][k]["mass_MeV"].get<double>(), masses[k]);
        EXPECT_TRUE(p["exclusion"][k]["coupling"].is_number() ||
                    p["exclusion"][k]["coupling"].is_null());
        EXPECT_EQ(p["allowed_bands"][k]["mass_MeV"].get<double>(), masses[k]);
        EXPECT_TRUE(p["allowed_bands"][k]["bands"].is_array());
      }
      EXPECT_FALSE(p.contains("channel"));
    }
  }
  // The joint −2 ln λ is the sum of the data sets' at every grid point (independent nuisances).
  h5::File f = h5::File::open_read(dir.file("fit.h5"));
  for (const char* name : {"vector_universal", "scalar"}) {
    h5::Group csi = f.root().group(std::string("CsI2021/") + name);
    h5::Group lar = f.root().group(std::string("LAr2020/") + name);
    h5::Group joint = f.root().group(std::string("combined/") + name);
    std::vector<std::size_t> shape;
    const std::vector<double> a = csi.read("chi2", &shape), b = lar.read("chi2"),
                              c = joint.read("chi2");
    EXPECT_EQ(shape, (std::vector<std::size_t>{9, 9}));
    ASSERT_EQ(a.size(), c.size());
    ASSERT_EQ(b.size(), c.size());
    for (std::size_t i = 0; i < c.size(); ++i) EXPECT_EQ(c[i], a[i] + b[i]) << name << " " << i;
    for (h5::Group* g : {&csi, &lar, &joint}) {
      EXPECT_EQ(g->attr_string("mediator"), name);
      EXPECT_EQ(g->read("exclusion_coupling").size(), 9u);
      EXPECT_EQ(g->attr_doubles("exclusion_mass_MeV"),
                (std::vector<double>{1.0, 10.0, 100.0, 1000.0}));
      EXPECT_EQ(g->dataset_attr_string("mediator_mass_MeV", "units"), "MeV");
    }
  }
}

TEST(FitCommand, FeldmanCousinsPlanesAndJointProfilesCarryCriticalValues) {
  SKIP_WITHOUT_DATA();
  testing::ScratchDir dir;
  // The releases with a Feldman–Cousins `statistics` (the same in both: the joint fit's), a
  // 5 × 5 sterile plane and a profile, 10 toys per point.
  std::vector<std::string> configs;
  for (const char* release : {"csi2021", "lar2020"}) {
    Json c = Json::parse(
        testing::read_file(testing::source_path(std::string("configs/data/") + release + ".json")));
    c["statistics"] = {{"method", "feldman_cousins"}, {"toys", 10}, {"seed", 4}};
    configs.push_back(dir.write(std::string(release) + ".json", c.dump()));
  }
  FitOptions o = fit_options(dir, configs, {"sterile_nue", "sin2_theta_W"}, 5, true);
  ASSERT_EQ(run_fit(o), 0);
  const Json j = Json::parse(testing::read_file(dir.file("fit.json")));
  for (const Json* block : {&j["data_sets"][0], &j["data_sets"][1], &j["combined"]}) {
    for (const Json* r :
         {&(*block)["planes"]["sterile_nue"], &(*block)["profiles"]["sin2_theta_W"]}) {
      EXPECT_EQ((*r)["delta_chi2_threshold"], "critical_delta_chi2");
      EXPECT_EQ((*r)["statistics"]["method"], "feldman_cousins");
      EXPECT_EQ((*r)["statistics"]["toys"], 10);
      EXPECT_EQ((*r)["statistics"]["seed"], 4);
    }
  }
  h5::File f = h5::File::open_read(dir.file("fit.h5"));
  for (const char* path : {"CsI2021/sterile_nue", "LAr2020/sterile_nue", "combined/sterile_nue",
                           "combined/profile_sin2_theta_W", "LAr2020/profile_sin2_theta_W"}) {
    h5::Group g = f.root().group(path);
    std::vector<std::size_t> delta_shape, critical_shape, toys_shape;
    g.read("delta_chi2", &delta_shape);
    const std::vector<double> critical = g.read("critical_delta_chi2", &critical_shape);
    const std::vector<double> toys = g.read("toys", &toys_shape);
    EXPECT_EQ(critical_shape, delta_shape) << path;
    EXPECT_EQ(toys_shape, delta_shape) << path;
    for (double t : toys) EXPECT_EQ(t, 10.0) << path;
    for (double c : critical) EXPECT_TRUE(c >= 0.0) << path;  // the true point is on the grid
    EXPECT_EQ(g.attr_string("delta_chi2_threshold"), "critical_delta_chi2") << path;
    EXPECT_EQ(g.attr_string("statistics_method"), "feldman_cousins") << path;
  }

  // Statistics that differ between the data sets of a joint fit: exit 2 before any output.
  Json c = Json::parse(testing::read_file(configs[1]));
  c["statistics"]["toys"] = 20;
  configs[1] = dir.write("lar2020_20.json", c.dump());
  o.config_files = configs;
  o.output = dir.file("other.h5");
  o.json_output = dir.file("other.json");
  try {
    run_fit(o);
    ADD_FAILURE() << "different statistics in a joint fit are an error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("lar2020_20.json: /statistics: expected the statistics of "
                                         "every data set fitted jointly to agree"),
              std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(testing::file_exists(dir.file("other.h5")));
}

}  // namespace
}  // namespace cevns
