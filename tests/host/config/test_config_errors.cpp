#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cmath>
#include <functional>
#include <vector>

#include "host/config/config.hpp"
#include "host/config/study.hpp"
#include "host/core/warning.hpp"
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
  const std::string msg = error_after([](Json& j) { j["target_mass"] = 3; }, &f);
  EXPECT_EQ(msg,
            f + ": /target_mass: unknown key (expected one of: acceptance, baseline_m, "
                "baseline_spread_m, bin_width_keV, couplings, description, efficiency, exposure, "
                "form_factors, isotopes, kinematic_correction, mass_kg, name, "
                "neutron_skin_fm, quadrature, references, source, sources, threshold_keV)");
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
    EXPECT_EQ(msg, f + ": /baseline_m: missing required key (expected a positive number)");
  }
  {
    const std::string msg = error_after([](Json& j) { j["isotopes"][0].erase("Z"); }, &f);
    EXPECT_EQ(msg, f + ": /isotopes/0/Z: missing required key (expected an integer from 1 to 120)");
  }
}

TEST(DetectorConfig, WrongTypeIsNamed) {
  std::string f;
  {
    const std::string msg = error_after([](Json& j) { j["mass_kg"] = "heavy"; }, &f);
    EXPECT_EQ(msg, f + ": /mass_kg: expected a positive number, got \"heavy\"");
  }
  {
    const std::string msg = error_after([](Json& j) { j["isotopes"] = Json::object(); }, &f);
    EXPECT_EQ(msg, f + ": /isotopes: expected a non-empty array, got {}");
  }
  {
    const std::string msg = error_after([](Json& j) { j["kinematic_correction"] = 1; }, &f);
    EXPECT_EQ(msg, f + ": /kinematic_correction: expected true or false, got 1");
  }
  {
    const std::string msg =
        error_after([](Json& j) { j["form_factors"]["neutron"] = "gauss"; }, &f);
    EXPECT_EQ(msg, f + ": /form_factors/neutron: expected one of \"helm\", \"symmetrized_fermi\", "
                       "\"klein_nystrand\", got \"gauss\"");
  }
  {
    const std::string msg = error_after([](Json& j) { j["couplings"] = "loop"; }, &f);
    EXPECT_EQ(msg, f + ": /couplings: expected \"tree\" or \"radiative\", got \"loop\"");
  }
  {
    const std::string msg =
        error_after([](Json& j) { j["form_factors"]["helm_r0_per_A13_fm"] = -1.2; }, &f);
    EXPECT_EQ(msg, f + ": /form_factors/helm_r0_per_A13_fm: expected a radius coefficient in fm "
                       "between 0 and 5 (R0 = coefficient * A^(1/3)), got -1.2");
  }
}

// form_factors.helm_r0_per_A13_fm (dukecevns' R₀ = 1.2 A^(1/3) fm, s = 0.9 fm): every isotope's
// proton and neutron rms radii are those of that Helm distribution unless the isotope states its
// own; "couplings" chooses the scheme (tree by default).
TEST(DetectorConfig, HelmR0CoefficientSetsBothRadiiAndCouplingsChooseTheScheme) {
  Json j = csi_json();
  j.erase("source");
  j["form_factors"] = {{"proton", "helm"}, {"neutron", "helm"}, {"helm_r0_per_A13_fm", 1.2}};
  for (auto& iso : j["isotopes"]) iso.erase("neutron_rms_radius_fm");
  j["couplings"] = "radiative";
  const DetectorConfig d = parse_detector(j, "det.json", "", ".");
  ASSERT_EQ(d.isotopes.size(), 2u);
  for (const IsotopeConfig& iso : d.isotopes) {
    const double r0 = 1.2 * std::cbrt(double(iso.z + iso.n));
    const double rms = std::sqrt(0.6 * r0 * r0 + 3 * 0.9 * 0.9);
    EXPECT_NEAR(iso.proton_rms_radius_fm, rms, 1e-12) << iso.name;
    EXPECT_NEAR(iso.neutron_rms_radius_fm, rms, 1e-12) << iso.name;
  }
  EXPECT_EQ(d.couplings, kRadiativeCouplings);
  j.erase("couplings");
  EXPECT_EQ(parse_detector(j, "det.json", "", ".").couplings, kTreeCouplings);
}

TEST(DetectorConfig, UnphysicalValuesAreRejected) {
  std::string f;
  {
    const std::string msg = error_after([](Json& j) { j["mass_kg"] = -14.6; }, &f);
    EXPECT_EQ(msg, f + ": /mass_kg: expected a positive number, got -14.6");
  }
  {
    const std::string msg = error_after([](Json& j) { j["baseline_m"] = 0.0; }, &f);
    EXPECT_EQ(msg, f + ": /baseline_m: expected a positive number, got 0.0");
  }
  for (double spread : {-0.1, 19.3, 25.0}) {  // the CsI baseline is 19.3 m
    const std::string msg = error_after([&](Json& j) { j["baseline_spread_m"] = spread; }, &f);
    EXPECT_EQ(msg, f + ": /baseline_spread_m: expected a half-width in metres from 0 to less than "
                       "baseline_m (19.3), got " +
                       Json(spread).dump());
  }
  {
    const std::string msg = error_after([](Json& j) { j["threshold_keV"] = 60.0; }, &f);
    EXPECT_EQ(msg, f + ": /threshold_keV: expected a threshold below the end point of the recoil "
                       "spectrum (47.1881 keV), got 60");
  }
  {
    const std::string msg =
        error_after([](Json& j) { j["isotopes"][0]["atomic_mass_u"] = -1.0; }, &f);
    EXPECT_EQ(msg, f + ": /isotopes/0/atomic_mass_u: expected a positive number, got -1.0");
  }
  {
    const std::string msg =
        error_after([](Json& j) { j["isotopes"][0]["atomic_mass_u"] = 50.0; }, &f);
    EXPECT_EQ(msg,
              f + ": /isotopes/0/atomic_mass_u: expected an atomic mass near A = Z + N = 133 u, "
                  "got 50");
  }
  {
    const std::string msg =
        error_after([](Json& j) { j["isotopes"][0]["neutron_rms_radius_fm"] = 1.2; }, &f);
    EXPECT_EQ(
        msg, f + ": /isotopes/0/neutron_rms_radius_fm: rms radius 1.2 fm is too small for the helm "
                 "form factor (expected more than 1.55885 fm)");
  }
  {
    const std::string msg = error_after([](Json& j) { j["efficiency"] = 1.5; }, &f);
    EXPECT_EQ(msg, f + ": /efficiency: expected a number in (0, 1], got 1.5");
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
    EXPECT_EQ(std::string(e.what()), path + ": /source: \"" + dir.path() +
                                         "/missing_source.json\" cannot be read (No such file or "
                                         "directory)");
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
        const std::string name =
            std::string("eps_") + flavour[a] + flavour[b] + (q == 0 ? "_uV" : "_dV");
        EXPECT_EQ(find_parameter(name), std::optional<int>(epsilon_index(q, a, b))) << name;
        EXPECT_EQ(epsilon_index(q, a, b), epsilon_index(q, b, a));
      }
}

// --- What is validated (README.md): one rule per test, each with its exact message. ---

// Warnings captured for the life of the object.
struct CapturedWarnings {
  std::vector<std::string> lines;
  WarningSink previous;
  CapturedWarnings() {
    previous = set_warning_sink([this](const std::string& line) { lines.push_back(line); });
  }
  ~CapturedWarnings() { set_warning_sink(previous); }
};

// The message for an edited csi.json, its scratch file's name written as "FILE".
std::string csi_error(const std::function<void(Json&)>& edit) {
  std::string f;
  std::string msg = error_after(edit, &f);
  if (!f.empty() && msg.rfind(f, 0) == 0) msg = "FILE" + msg.substr(f.size());
  return msg;
}

TEST(DetectorConfig, ZeroThresholdIsRejected) {
  // At T = 0 the delayed spectrum's energy panels start at E = 0 and the totals were NaN.
  EXPECT_EQ(csi_error([](Json& j) { j["threshold_keV"] = 0; }),
            "FILE: /threshold_keV: expected a positive number, got 0");
  EXPECT_EQ(csi_error([](Json& j) { j["threshold_keV"] = 1e-3; }), "");
}

TEST(DetectorConfig, BinWidthBoundsTheNumberOfRecoilBins) {
  EXPECT_EQ(csi_error([](Json& j) { j["bin_width_keV"] = 1e-9; }),
            "FILE: /bin_width_keV: expected a bin width giving at most 100000 recoil bins, got "
            "1e-09 keV: 4.21881e+10 bins from the threshold 5 keV to the end point 47.1881 keV");
  // (47.1881 − 5) keV / 100000 bins: just above the limit's width is accepted.
  EXPECT_EQ(csi_error([](Json& j) { j["bin_width_keV"] = 4.22e-4; }), "");
}

TEST(DetectorConfig, QuadratureNodeAndPanelCountsAreBounded) {
  EXPECT_EQ(csi_error([](Json& j) {
              j["quadrature"] = {{"recoil_nodes", 5000}};
            }),
            "FILE: /quadrature/recoil_nodes: expected an integer from 1 to 4096, got 5000");
  EXPECT_EQ(csi_error([](Json& j) {
              j["quadrature"] = {{"energy_nodes", 0}};
            }),
            "FILE: /quadrature/energy_nodes: expected an integer from 1 to 4096, got 0");
  EXPECT_EQ(csi_error([](Json& j) {
              j["quadrature"] = {{"energy_panels", 1025}};
            }),
            "FILE: /quadrature/energy_panels: expected an integer from 1 to 1024, got 1025");
  EXPECT_EQ(csi_error([](Json& j) {
              j["quadrature"] = {{"energy_nodes", 12.5}};
            }),
            "FILE: /quadrature/energy_nodes: expected an integer from 1 to 4096, got 12.5");
  EXPECT_EQ(csi_error([](Json& j) { j["quadrature"] = {{"energy_panels", 1024}}; }), "");
}

TEST(DetectorConfig, NucleiBeyondTheChartAreRejected) {
  EXPECT_EQ(csi_error([](Json& j) { j["isotopes"][0]["Z"] = 1000; }),
            "FILE: /isotopes/0/Z: expected an integer from 1 to 120, got 1000");
  EXPECT_EQ(csi_error([](Json& j) { j["isotopes"][0]["N"] = 500; }),
            "FILE: /isotopes/0/N: expected an integer from 0 to 200, got 500");
}

TEST(DetectorConfig, NumberBeyondDoubleRangeIsAnInputError) {
  ScratchDir dir;
  std::string text = csi_json().dump();
  text.replace(text.find("\"mass_kg\":14.6"), 14, "\"mass_kg\":1e400");
  const std::string path = dir.write("det.json", text);
  try {
    load_detector(path);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), path +
                                         ": expected numbers within the range of a double "
                                         "(number overflow parsing '1e400')");
  }
}

TEST(DetectorConfig, NamesMustBeUsableAsHdf5Groups) {
  const std::string expect =
      "expected a name usable as an HDF5 group (non-empty, printable, no '/', not starting with "
      "'.'), got ";
  EXPECT_EQ(csi_error([](Json& j) { j["name"] = "Cs/I"; }), "FILE: /name: " + expect + "\"Cs/I\"");
  EXPECT_EQ(csi_error([](Json& j) { j["name"] = ".CsI"; }), "FILE: /name: " + expect + "\".CsI\"");
  EXPECT_EQ(csi_error([](Json& j) { j["name"] = ""; }), "FILE: /name: " + expect + "\"\"");
  EXPECT_EQ(csi_error([](Json& j) { j["name"] = "Cs\tI"; }),
            "FILE: /name: " + expect + "\"Cs\\tI\"");
  EXPECT_EQ(csi_error([](Json& j) { j["name"] = "CsI[Na] 2017"; }), "");
}

TEST(DetectorConfig, DuplicateIsotopeNamesAreRejected) {
  EXPECT_EQ(csi_error([](Json& j) { j["isotopes"][1]["name"] = j["isotopes"][0]["name"]; }),
            "FILE: /isotopes/1/name: expected distinct isotope names, got \"Cs133\" twice");
}

TEST(DetectorConfig, MisspelledKeyGetsDidYouMean) {
  const std::string known =
      " (expected one of: acceptance, baseline_m, baseline_spread_m, bin_width_keV, couplings, "
      "description, "
      "efficiency, exposure, form_factors, isotopes, kinematic_correction, mass_kg, name, "
      "neutron_skin_fm, quadrature, references, source, sources, threshold_keV)";
  EXPECT_EQ(csi_error([](Json& j) { j["mass_kgs"] = 3; }),
            "FILE: /mass_kgs: unknown key, did you mean \"mass_kg\"?" + known);
  EXPECT_EQ(csi_error([](Json& j) { j["basline_m"] = 3; }),
            "FILE: /basline_m: unknown key, did you mean \"baseline_m\"?" + known);
}

TEST(DetectorConfig, MisspelledRequiredKeyIsReportedWithTheMissingOne) {
  EXPECT_EQ(csi_error([](Json& j) {
              j["mas_kg"] = j["mass_kg"];
              j.erase("mass_kg");
            }),
            "FILE: /mass_kg: missing required key (expected a positive number); found unknown key "
            "\"mas_kg\": did you mean \"mass_kg\"?");
  EXPECT_EQ(csi_error([](Json& j) {
              j["isotopes"][0]["atomic_mass"] = j["isotopes"][0]["atomic_mass_u"];
              j["isotopes"][0].erase("atomic_mass_u");
            }),
            "FILE: /isotopes/0/atomic_mass_u: missing required key (expected a positive number); "
            "found unknown key \"atomic_mass\": did you mean \"atomic_mass_u\"?");
}

TEST(DetectorConfig, DirectoryIsNotMalformedJson) {
  ScratchDir dir;
  try {
    load_detector(dir.path());
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), dir.path() + ": is a directory, expected a JSON file");
  }
}

TEST(DetectorConfig, EmptyFileIsNamed) {
  ScratchDir dir;
  const std::string path = dir.write("det.json", " \n");
  try {
    load_detector(path);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), path + ": is empty, expected a JSON document");
  }
}

TEST(DetectorConfig, SourceNamingTheDetectorItselfIsACycle) {
  ScratchDir dir;
  Json j = csi_json();
  j["source"] = "det.json";
  const std::string path = dir.write("det.json", j.dump());
  try {
    load_detector(path);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              path + ": /source: references itself (" + path + " -> " + path + ")");
  }
}

TEST(DetectorConfig, ImplausibleValuesWarnAndGoOn) {
  std::string f;
  {
    CapturedWarnings w;
    EXPECT_EQ(error_after([](Json&) {}, &f), "");
    EXPECT_TRUE(w.lines.empty());  // the shipped values are plausible
  }
  CapturedWarnings w;
  EXPECT_EQ(error_after(
                [](Json& j) {
                  j["baseline_m"] = 0.0193;
                  j["baseline_spread_m"] = 0.001;
                  j["mass_kg"] = 2e6;
                  j["isotopes"][0]["neutron_rms_radius_fm"] = 55.0;
                  j["source"] = {{"nu_per_flavour_per_pot", 0.08}, {"protons_on_target", 1.76e26}};
                },
                &f),
            "");
  const std::string prefix = "cevns: warning: " + f + ": ";
  EXPECT_EQ(w.lines, (std::vector<std::string>{
                         prefix + "/mass_kg: 2e+06 kg is more than 1e+06 kg; is the unit kg?",
                         prefix + "/baseline_m: 0.0193 m is less than 1 m from the target; is it "
                                  "in km instead of m?",
                         prefix + "/isotopes/0/neutron_rms_radius_fm: 55 fm is larger than any "
                                  "nucleus (more than 15 fm); is the unit fm?",
                         prefix + "/source/protons_on_target: 1.76e+26 protons on target is more "
                                  "than 1e+25 (decades of beam at the SNS); is the exponent "
                                  "right?"}));
}

TEST(ShippedConfigs, LoadWithoutWarnings) {
  CapturedWarnings w;
  for (const char* name : {"csi", "ge72", "ge_natural", "nai", "ar"})
    load_detector(source_path(std::string("configs/detectors/") + name + ".json"));
  for (const char* name : {"nsi_1d", "nsi_2d", "sterile_nue", "sterile_numu", "weak_mixing"})
    load_study(source_path(std::string("configs/studies/") + name + ".json"));
  EXPECT_EQ(w.lines, std::vector<std::string>{});
}

// Studies: file references, names, grid sizes.

Json small_study_json() {
  return Json{
      {"name", "t"},
      {"detectors", {source_path("configs/detectors/csi.json")}},
      {"scans",
       {{{"name", "w"},
         {"axes", {{{"parameter", "sin2_theta_W"}, {"min", 0.1}, {"max", 0.4}, {"points", 3}}}}}}}};
}

// Writes `study` as study.json in `dir` and returns the error message ("" if none).
std::string study_error(const ScratchDir& dir, const Json& study) {
  const std::string path = dir.write("study.json", study.dump(2));
  try {
    load_study(path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(StudyReferences, ScenarioFileNamingItselfIsACycle) {
  ScratchDir dir;
  dir.write("loop.json", "\"loop.json\"");
  Json st = small_study_json();
  st["scenarios"] = {"loop.json"};
  const std::string loop = dir.file("loop.json");
  EXPECT_EQ(study_error(dir, st), loop + ": /: references itself (" + loop + " -> " + loop + ")");
}

TEST(StudyReferences, TwoScenarioFilesNamingEachOtherAreACycle) {
  ScratchDir dir;
  dir.write("a.json", "\"b.json\"");
  dir.write("b.json", "\"a.json\"");
  Json st = small_study_json();
  st["scenarios"] = {"ideal", "a.json"};
  const std::string a = dir.file("a.json"), b = dir.file("b.json");
  EXPECT_EQ(study_error(dir, st),
            b + ": /: references itself (" + a + " -> " + b + " -> " + a + ")");
}

TEST(StudyReferences, StudyNamingItselfAsADetectorIsACycle) {
  ScratchDir dir;
  Json st = small_study_json();
  st["detectors"] = {"study.json"};
  const std::string s = dir.file("study.json");
  EXPECT_EQ(study_error(dir, st), s + ": /detectors/0: references itself (" + s + " -> " + s + ")");
}

TEST(StudyReferences, TheSameFileTwiceIsNoCycle) {
  ScratchDir dir;
  Json st = small_study_json();
  st["detectors"] = {source_path("configs/detectors/csi.json"),
                     source_path("configs/detectors/nai.json")};
  st["scenarios"] = {source_path("configs/scenarios/sys15.json"),
                     source_path("configs/scenarios/ideal.json")};
  st["source"] = source_path("configs/sources/sns.json");
  EXPECT_EQ(study_error(dir, st), "");
  EXPECT_EQ(study_error(dir, st), "");  // the chain of open files is empty again
}

TEST(StudyReferences, MissingReferencedFilesAreReportedAtTheStudy) {
  ScratchDir dir;
  const std::string s = dir.file("study.json");
  Json st = small_study_json();
  st["detectors"] = {source_path("configs/detectors/csi.json"), "nope.json"};
  EXPECT_EQ(study_error(dir, st), s + ": /detectors/1: \"" + dir.file("nope.json") +
                                      "\" cannot be read (No such file or directory)");
  st = small_study_json();
  st["scenarios"] = {"gone.json"};
  EXPECT_EQ(study_error(dir, st), s + ": /scenarios/0: \"" + dir.file("gone.json") +
                                      "\" cannot be read (No such file or directory)");
  st = small_study_json();
  st["source"] = "sources/sns.json";
  EXPECT_EQ(study_error(dir, st), s + ": /source: \"" + dir.file("sources/sns.json") +
                                      "\" cannot be read (No such file or directory)");
}

TEST(StudyReferences, DirectoryAsDetectorIsNamed) {
  ScratchDir dir;
  ASSERT_EQ(::mkdir(dir.file("csi.json").c_str(), 0755), 0);
  Json st = small_study_json();
  st["detectors"] = {"csi.json"};
  EXPECT_EQ(study_error(dir, st), dir.file("study.json") + ": /detectors/0: \"" +
                                      dir.file("csi.json") +
                                      "\" is a directory, expected a JSON file");
}

TEST(StudyNames, ScanAndScenarioNamesMustBeUsableAsHdf5Groups) {
  ScratchDir dir;
  const std::string s = dir.file("study.json");
  const std::string expect =
      "expected a name usable as an HDF5 group (non-empty, printable, no '/', not starting with "
      "'.'), got ";
  Json st = small_study_json();
  st["scans"][0]["name"] = "w/1";
  EXPECT_EQ(study_error(dir, st), s + ": /scans/0/name: " + expect + "\"w/1\"");
  st = small_study_json();
  st["scenarios"] = {"ideal", {{"name", ".."}, {"sigma_alpha", 0.1}}};
  EXPECT_EQ(study_error(dir, st), s + ": /scenarios/1/name: " + expect + "\"..\"");
}

TEST(StudyLimits, AxisPointsAreBounded) {
  ScratchDir dir;
  Json st = small_study_json();
  st["scans"][0]["axes"][0]["points"] = 20000000;
  EXPECT_EQ(study_error(dir, st), dir.file("study.json") +
                                      ": /scans/0/axes/0/points: expected at most 10000000 grid "
                                      "points per axis, got 20000000");
  st["scans"][0]["axes"][0]["points"] = 1e300;  // no overflow on the way to an int
  EXPECT_EQ(study_error(dir, st), dir.file("study.json") +
                                      ": /scans/0/axes/0/points: expected at most 10000000 grid "
                                      "points per axis, got 1e+300");
}

TEST(StudyLimits, AnalysisBinWidthBoundsTheNumberOfRecoilBins) {
  ScratchDir dir;
  Json st = small_study_json();
  st["analysis"] = {{"binning", "recoil"}, {"bin_width_keV", 1e-9}};
  EXPECT_EQ(study_error(dir, st),
            dir.file("study.json") +
                ": /analysis/bin_width_keV: expected a bin width giving at most 100000 recoil "
                "bins, got 1e-09 keV: 4.21881e+10 bins from the threshold 5 keV to the end point "
                "47.1881 keV");
}

}  // namespace
}  // namespace cevns
