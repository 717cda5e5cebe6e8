// `cevns fit` as the command runs it: options that select what is computed.
#include <gtest/gtest.h>

#include "host/cli/commands.hpp"
#include "host/core/error.hpp"
#include "host/core/json_reader.hpp"
#include "tests/test_util.hpp"

namespace cevns {
namespace {

#define SKIP_WITHOUT_DATA() CEVNS_SKIP_WITHOUT_DATA("csi2021")

TEST(FitCommand, OnlyAndGridPointsOptionsLimitWhatIsComputed) {
  SKIP_WITHOUT_DATA();
  testing::ScratchDir dir;
  FitOptions o;
  o.config_files = {testing::source_path("configs/data/csi2021.json"),
                    testing::source_path("configs/data/lar2020.json")};
  o.data_dir = std::string(CEVNS_SHARED_DATA_DIR);
  o.backend = "cpu";
  o.only = {"sterile_numu"};
  o.grid_points = 11;
  o.json_output = dir.file("fit.json");
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

}  // namespace
}  // namespace cevns
