#include <gtest/gtest.h>

#include <functional>

#include "host/config/config.hpp"
#include "tests/test_util.hpp"

namespace cevns {
namespace {

using testing::ScratchDir;
using testing::source_path;

Json csi_json() { return load_json_file(source_path("configs/detectors/csi.json")); }

// Loads `json` from a file in a scratch directory and returns the error message ("" if none).
std::string load_error(const Json& json, std::string* file = nullptr) {
  ScratchDir dir;
  const std::string path = dir.write("det.json", json.dump(2));
  if (file) *file = path;
  try {
    load_detector(path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

std::string error_after(const std::function<void(Json&)>& edit, std::string* file) {
  Json j = csi_json();
  j.erase("source");  // keep the scratch file self-contained
  edit(j);
  return load_error(j, file);
}

TEST(DetectorConfig, ShippedConfigsLoad) {
  for (const char* name : {"csi", "ge72", "ge_natural", "nai", "ar"})
    EXPECT_NO_THROW(load_detector(source_path(std::string("configs/detectors/") + name + ".json")));
}

TEST(DetectorConfig, MalformedJsonNamesLineAndColumn) {
  ScratchDir dir;
  const std::string path = dir.write("bad.json", "{\n  \"name\": \"CsI\",\n  \"mass_kg\": ,\n}\n");
  try {
    load_detector(path);
    FAIL() << "no error";
  } catch (const InputError& e) {
    const std::string prefix = path + ": malformed JSON at line 3, column 14: ";
    EXPECT_EQ(std::string(e.what()).substr(0, prefix.size()), prefix);
    EXPECT_GT(std::string(e.what()).size(), prefix.size());  // with the parser's reason
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
  }
}

TEST(DetectorConfig, UnreadableFileIsNamed) {
  try {
    load_detector("/nonexistent/det.json");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "/nonexistent/det.json: cannot be read (No such file or directory)");
  }
}

TEST(DetectorConfig, UnknownKeyListsTheKnownOnes) {
  std::string f;
  const std::string msg = error_after([](Json& j) { j["mass_kgs"] = 3; }, &f);
  EXPECT_EQ(msg, f + ": /mass_kgs: unknown key (expected one of: acceptance, baseline_m, "
                     "bin_width_keV, description, efficiency, form_factors, isotopes, "
                     "kinematic_correction, mass_kg, name, neutron_skin_fm, quadrature, "
                     "references, source, threshold_keV)");
}

TEST(DetectorConfig, UnknownKeyInsideAnIsotope) {
  std::string f;
  const std::string msg = error_after([](Json& j) { j["isotopes"][1]["spin"] = 2.5; }, &f);
  EXPECT_EQ(msg, f + ": /isotopes/1/spin: unknown key (expected one of: N, Z, abundance, "
                     "atomic_mass_u, charge_radius_fm, count, name, neutron_rms_radius_fm, "
                     "proton_rms_radius_fm, source)");
}

TEST(DetectorConfig, MissingFieldIsNamed) {
  std::string f;
  {
    const std::string msg = error_after([](Json& j) { j.erase("baseline_m"); }, &f);
    EXPECT_EQ(msg,
            f + ": /baseline_m: missing required key (expected a positive number)");
  }
  {
    const std::string msg = error_after([](Json& j) { j["isotopes"][0].erase("Z"); }, &f);
    EXPECT_EQ(msg,
            f + ": /isotopes/0/Z: missing required key (expected a positive integer)");
  }
}

TEST(DetectorConfig, WrongTypeIsNamed) {
  std::string f;
  {
    const std::string msg = error_after([](Json& j) { j["mass_kg"] = "heavy"; }, &f);
    EXPECT_EQ(msg,
            f + ": /mass_kg: expected a positive number, got \"heavy\"");
  }
  {
    const std::string msg = error_after([](Json& j) { j["isotopes"] = Json::object(); }, &f);
    EXPECT_EQ(msg,
            f + ": /isotopes: expected a non-empty array, got {}");
  }
  {
    const std::string msg = error_after([](Json& j) { j["kinematic_correction"] = 1; }, &f);
    EXPECT_EQ(msg,
            f + ": /kinematic_correction: expected true or false, got 1");
  }
  {
    const std::string msg = error_after([](Json& j) { j["form_factors"]["neutron"] = "gauss"; }, &f);
    EXPECT_EQ(msg,
            f + ": /form_factors/neutron: expected one of \"helm\", \"symmetrized_fermi\", "
                "\"klein_nystrand\", got \"gauss\"");
  }
}

TEST(DetectorConfig, UnphysicalValuesAreRejected) {
  std::string f;
  {
    const std::string msg = error_after([](Json& j) { j["mass_kg"] = -14.6; }, &f);
    EXPECT_EQ(msg,
            f + ": /mass_kg: expected a positive number, got -14.6");
  }
  {
    const std::string msg = error_after([](Json& j) { j["baseline_m"] = 0.0; }, &f);
    EXPECT_EQ(msg,
            f + ": /baseline_m: expected a positive number, got 0.0");
  }
  {
    const std::string msg = error_after([](Json& j) { j["threshold_keV"] = 60.0; }, &f);
    EXPECT_EQ(msg,
            f + ": /threshold_keV: expected a threshold below the end point of the recoil "
                "spectrum (47.1881 keV), got 60");
  }
  {
    const std::string msg = error_after([](Json& j) { j["isotopes"][0]["atomic_mass_u"] = -1.0; }, &f);
    EXPECT_EQ(msg,
            f + ": /isotopes/0/atomic_mass_u: expected a positive number, got -1.0");
  }
  {
    const std::string msg = error_after([](Json& j) { j["isotopes"][0]["atomic_mass_u"] = 50.0; }, &f);
    EXPECT_EQ(msg,
            f + ": /isotopes/0/atomic_mass_u: expected an atomic mass near A = Z + N = 133 u, "
                "got 50");
  }
  {
    const std::string msg = error_after([](Json& j) { j["isotopes"][0]["neutron_rms_radius_fm"] = 1.2; }, &f);
    EXPECT_EQ(msg,
            f + ": /isotopes/0/neutron_rms_radius_fm: rms radius 1.2 fm is too small for the helm "
                "form factor (expected more than 1.55885 fm)");
  }
  {
    const std::string msg = error_after([](Json& j) { j["efficiency"] = 1.5; }, &f);
    EXPECT_EQ(msg,
            f + ": /efficiency: expected a number in (0, 1], got 1.5");
  }
  {
    const std::string msg = error_after([](Json& j) { j["isotopes"][0]["abundance"] = 0.5; }, &f);
    EXPECT_EQ(msg,
            f + ": /isotopes/0: expected exactly one of \"count\" (atoms per formula unit) or "
                "\"abundance\" (natural abundance, a fraction)");
  }
}

TEST(DetectorConfig, SourceFileIsResolvedRelativeToTheDetector) {
  ScratchDir dir;
  Json j = csi_json();
  j["source"] = "missing_source.json";
  const std::string path = dir.write("det.json", j.dump());
  try {
    load_detector(path);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              dir.path() + "/missing_source.json: cannot be read (No such file or directory)");
  }
}

TEST(ParameterNames, EveryCouplingInEitherFlavourOrderAndNoNonsense) {
  EXPECT_EQ(find_parameter("eps_taue_uV"), std::optional<int>(kEpsETauu));
  EXPECT_EQ(find_parameter("eps_etau_uV"), std::optional<int>(kEpsETauu));
  EXPECT_EQ(find_parameter("eps_mue_dV"), std::optional<int>(kEpsEMud));
  EXPECT_EQ(find_parameter("eps_tautau_dV"), std::optional<int>(kEpsTauTaud));
  EXPECT_EQ(find_parameter("sin2_theta_W"), std::optional<int>(kSin2ThetaW));
  EXPECT_EQ(find_parameter("dm2_eV2"), std::optional<int>(kDm2));
  for (const char* bad : {"eps_ee", "eps_eee_uV", "eps_ex_uV", "eps_ee_sV", "sin2theta", ""})
    EXPECT_FALSE(find_parameter(bad).has_value()) << bad;
}

// Every row of the table is reachable by its own name, and the ε rows sit where epsilon_index
// (the physics' accessor) puts each (quark, α, β), symmetric in α and β.
TEST(ParameterTable, NamesAndEpsilonIndicesAgree) {
  for (int id = 0; id < kNumParameters; ++id)
    EXPECT_EQ(find_parameter(parameter_info(id).name), std::optional<int>(id)) << id;
  const char* flavour[] = {"e", "mu", "tau"};
  for (int q = 0; q < 2; ++q)
    for (int a = 0; a < 3; ++a)
      for (int b = 0; b < 3; ++b) {
        const std::string name = std::string("eps_") + flavour[a] + flavour[b] + (q == 0 ? "_uV" : "_dV");
        EXPECT_EQ(find_parameter(name), std::optional<int>(epsilon_index(q, a, b))) << name;
        EXPECT_EQ(epsilon_index(q, a, b), epsilon_index(q, b, a));
      }
}

}  // namespace
}  // namespace cevns
