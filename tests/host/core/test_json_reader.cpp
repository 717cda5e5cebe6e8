#include <gtest/gtest.h>

#include "host/core/json_reader.hpp"
#include "tests/test_util.hpp"

namespace cevns {
namespace {

using testing::ScratchDir;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(ClosestKey, NamesANearMissWithinAThirdOfTheLength) {
  const std::vector<std::string> keys = {"mass_kg", "baseline_m", "threshold_keV", "Z", "N"};
  EXPECT_EQ(closest_key("mas_kg", keys), "mass_kg");              // deletion
  EXPECT_EQ(closest_key("mass_gk", keys), "mass_kg");             // swap of neighbours
  EXPECT_EQ(closest_key("treshold_kev", keys), "threshold_keV");  // two edits in twelve
  EXPECT_EQ(closest_key("baseline_km", keys), "baseline_m");
  EXPECT_EQ(closest_key("mass", keys), "");  // three edits in four: not a slip
  EXPECT_EQ(closest_key("A", keys), "");     // one-letter keys are names
  EXPECT_EQ(closest_key("colour", keys), "");
}

TEST(Hdf5Names, RejectEmptySlashLeadingDotAndUnprintable) {
  EXPECT_TRUE(is_valid_hdf5_name("CsI"));
  EXPECT_TRUE(is_valid_hdf5_name("sys 15%"));
  EXPECT_TRUE(is_valid_hdf5_name("a.b"));
  EXPECT_FALSE(is_valid_hdf5_name(""));
  EXPECT_FALSE(is_valid_hdf5_name("a/b"));
  EXPECT_FALSE(is_valid_hdf5_name("."));
  EXPECT_FALSE(is_valid_hdf5_name(".hidden"));
  EXPECT_FALSE(is_valid_hdf5_name("tab\there"));
  EXPECT_FALSE(is_valid_hdf5_name("caf\xc3\xa9"));
}

TEST(JsonObject, IntegerInNamesItsRange) {
  const Json j = {{"n", 7}, {"half", 2.5}, {"big", 1e12}};
  JsonObject o(j, "f.json", "");
  EXPECT_EQ(o.integer_in("n", 1, 10), 7);
  EXPECT_EQ(error_of([&] { o.integer_in("n", 1, 5); }),
            "f.json: /n: expected an integer from 1 to 5, got 7");
  EXPECT_EQ(error_of([&] { o.integer_in("half", 1, 5); }),
            "f.json: /half: expected an integer from 1 to 5, got 2.5");
  EXPECT_EQ(error_of([&] { o.integer_in("big", 1, 5); }),
            "f.json: /big: expected an integer from 1 to 5, got 1000000000000.0");
  EXPECT_EQ(o.integer_in("absent", 1, 5, 3), 3);
}

TEST(JsonObject, MissingKeyNamesOnlyANearMissAmongTheUnreadKeys) {
  const Json j = {{"points", 3}, {"mn", 0.1}};
  JsonObject o(j, "f.json", "/axes/0");
  EXPECT_EQ(error_of([&] { o.finite("min"); }),
            "f.json: /axes/0/min: missing required key (expected a number); found unknown key "
            "\"mn\": did you mean \"min\"?");
  EXPECT_EQ(error_of([&] { o.finite("max"); }),
            "f.json: /axes/0/max: missing required key (expected a number)");
}

TEST(LoadJsonFile, DirectoryEmptyAndMissingFilesAreNamed) {
  ScratchDir dir;
  EXPECT_EQ(error_of([&] { load_json_file(dir.path()); }),
            dir.path() + ": is a directory, expected a JSON file");
  const std::string empty = dir.write("empty.json", "");
  EXPECT_EQ(error_of([&] { load_json_file(empty); }),
            empty + ": is empty, expected a JSON document");
  EXPECT_EQ(error_of([&] { load_json_file(dir.file("none.json")); }),
            dir.file("none.json") + ": cannot be read (No such file or directory)");
}

TEST(JsonFile, AReferenceIsReportedAtTheReferringKey) {
  ScratchDir dir;
  EXPECT_EQ(error_of([&] { JsonFile f(dir.file("none.json"), "study.json", "/detectors/2"); }),
            "study.json: /detectors/2: \"" + dir.file("none.json") +
                "\" cannot be read (No such file or directory)");
  EXPECT_EQ(error_of([&] { JsonFile f(dir.path(), "study.json", "/source"); }),
            "study.json: /source: \"" + dir.path() + "\" is a directory, expected a JSON file");
}

TEST(JsonFile, ANestedOpenOfTheSameFileIsACycleAndTheChainUnwinds) {
  ScratchDir dir;
  const std::string a = dir.write("a.json", "{}"), b = dir.write("b.json", "{}");
  {
    JsonFile outer(a);
    JsonFile inner(b, a, "/x");
    // Another spelling of the same file is the same file.
    EXPECT_EQ(
        error_of([&] { JsonFile again(dir.path() + "/./a.json", b, "/y"); }),
        b + ": /y: references itself (" + a + " -> " + b + " -> " + dir.path() + "/./a.json)");
  }
  // Closed files leave the chain, also when an error unwound through them.
  EXPECT_EQ(
      error_of([&] {
        JsonFile outer(a);
        JsonFile bad(dir.file("none.json"), a, "/z");
      }),
      a + ": /z: \"" + dir.file("none.json") + "\" cannot be read (No such file or directory)");
  EXPECT_EQ(error_of([&] {
              JsonFile first(a);
              JsonFile second(b, a, "/x");
            }),
            "");
}

}  // namespace
}  // namespace cevns

namespace cevns {
namespace {

TEST(InMemoryDocument, IsReadUnderItsNameAndNamedInErrorsWhileItLives) {
  {
    const InMemoryDocument doc("<dict>", R"({"a": 1})");
    EXPECT_EQ(load_json_file("<dict>")["a"], 1);
    const JsonFile f("<dict>");
    EXPECT_EQ(f.json()["a"], 1);
    EXPECT_EQ(f.path(), "<dict>");
  }
  // gone with the object: now a file that does not exist
  EXPECT_NE(error_of([] { load_json_file("<dict>"); }).find("<dict>: cannot be read"),
            std::string::npos);
  const InMemoryDocument broken("<dict 2>", R"({"a": )");
  EXPECT_EQ(
      error_of([] { load_json_file("<dict 2>"); }).rfind("<dict 2>: malformed JSON at line 1", 0),
      0u);
}

}  // namespace
}  // namespace cevns
