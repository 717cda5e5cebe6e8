// The config parsers' contract under bad input (README, "Configs"; host/core/error.hpp): whatever
// is wrong with a document, parsing either succeeds or throws InputError naming the file and a
// JSON pointer into the document (the offending value, or for a missing key its parent object).
// Never another exception type, never a crash (the sanitizer build turns undefined behaviour into
// failures). Every shipped config is the starting point; its keys are deleted, retyped, set to
// extreme numbers, NaN-like strings and empty containers, and unknown keys are added.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <limits>
#include <string>
#include <typeinfo>
#include <vector>

#include "host/config/config.hpp"
#include "host/config/study.hpp"
#include "host/core/error.hpp"
#include "tests/property/property_util.hpp"

namespace cevns {
namespace {

namespace fs = std::filesystem;
using Pointer = Json::json_pointer;

// One shipped document and the parser that reads it.
struct ConfigCase {
  std::string file;  // the file errors must name
  Json doc;          // as shipped
  Pointer root;      // the part the parser reads; mutations stay inside it
  std::function<void(const Json&)> parse;
};

std::string source_dir() { return CEVNS_SOURCE_DIR; }

std::vector<std::string> json_files(const std::string& folder) {
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(source_dir() + "/configs/" + folder))
    if (entry.path().extension() == ".json") files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

// Every shipped config: detectors, sources, scenarios, studies and the detector blocks of the
// data-release configs (the fit reads those with parse_detector at /detector).
const std::vector<ConfigCase>& shipped_cases() {
  static const std::vector<ConfigCase> cases = [] {
    std::vector<ConfigCase> out;
    for (const auto& f : json_files("detectors"))
      out.push_back({f, load_json_file(f), Pointer(),
                     [f](const Json& j) { parse_detector(j, f, "", directory_of(f)); }});
    for (const auto& f : json_files("sources"))
      out.push_back(
          {f, load_json_file(f), Pointer(), [f](const Json& j) { parse_source(j, f, ""); }});
    // Scenario objects are read inside studies: the shipped scenario inline in a minimal study.
    for (const auto& f : json_files("scenarios")) {
      Json study = {
          {"name", "scenario_check"},
          {"detectors", {source_dir() + "/configs/detectors/ar.json"}},
          {"scenarios", {load_json_file(f)}},
          {"scans",
           {{{"name", "w"},
             {"axes",
              {{{"parameter", "sin2_theta_W"}, {"min", 0.2}, {"max", 0.3}, {"points", 2}}}}}}}};
      out.push_back({f, study, Pointer("/scenarios/0"), [f](const Json& j) { parse_study(j, f); }});
    }
    for (const auto& f : json_files("studies")) {
      Json doc = load_json_file(f);
      // A binned detector's response reads release files, which are data, not documents under
      // this contract: the study is mutated with its response's quenching and acceptance inline.
      if (doc.contains("responses"))
        for (auto& item : doc["responses"].items()) {
          item.value().erase("data_dir");
          Json& r = item.value()["response"];
          r["quenching"] = {{"model", "constant"}, {"factor", 0.08}};
          if (r.contains("acceptance"))
            r["acceptance"] = {{"model", "csi2021_sigmoid"},
                               {"coefficients", {1.3, 0.26, 10.0, -0.3}}};
        }
      out.push_back({f, doc, Pointer(), [f](const Json& j) { parse_study(j, f); }});
    }
    for (const auto& f : json_files("data"))
      out.push_back({f, load_json_file(f), Pointer("/detector"), [f](const Json& j) {
                       parse_detector(j.at(Pointer("/detector")), f, "/detector", directory_of(f));
                     }});
    return out;
  }();
  return cases;
}

// Every value location at or below `at`: the root, each object member and each array element.
void collect_locations(const Json& j, const Pointer& at, std::vector<Pointer>* out) {
  out->push_back(at);
  if (j.is_object()) {
    for (const auto& item : j.items()) collect_locations(item.value(), at / item.key(), out);
  } else if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) collect_locations(j[i], at / i, out);
  }
}

std::vector<Pointer> locations(const ConfigCase& c) {
  std::vector<Pointer> out;
  collect_locations(c.doc.at(c.root), c.root, &out);
  return out;
}

// Removes the value at `p` (a member or an array element). The root cannot be removed.
void remove_at(Json& doc, const Pointer& p) {
  Json& parent = doc.at(p.parent_pointer());
  if (parent.is_object()) {
    parent.erase(p.back());
  } else {
    parent.erase(static_cast<std::size_t>(std::stoul(p.back())));
  }
}

bool contains(const Json& doc, const Pointer& p) {
  try {
    return doc.contains(p);
  } catch (const Json::exception&) {
    return false;  // e.g. a member name used as an array index
  }
}

// Is `path` a JSON pointer to a value of `doc` or to a missing member of one of its objects?
// (The parsers name a whole document that is not an object "/".)
bool locates(const Json& doc, const std::string& path) {
  if (path.empty()) return true;  // the whole document
  try {
    const Pointer p(path);
    return contains(doc, p) || contains(doc, p.parent_pointer());
  } catch (const Json::exception&) {
    return false;  // not a well-formed JSON pointer
  }
}

// Every string value of a document: candidate file references.
void collect_strings(const Json& j, std::vector<std::string>* out) {
  if (j.is_string()) out->push_back(j.get<std::string>());
  if (j.is_structured())
    for (const auto& item : j.items()) collect_strings(item.value(), out);
}

// What was wrong with an InputError, or "" when it names file and location as promised. An error
// in another file is fine only for a file the document refers to (a detector or source file that
// cannot be read, or is not valid); the pointer then refers to that file.
std::string error_problem(const ConfigCase& c, const Json& mutated, const InputError& e) {
  const std::string what = e.what();
  if (e.file().empty()) return "names no file: " + what;
  if (what.rfind(e.file(), 0) != 0) return "message does not start with the file: " + what;
  if (!e.json_path().empty() && what.find(e.json_path()) == std::string::npos)
    return "message does not contain the JSON path: " + what;
  if (e.file() == c.file)
    return locates(mutated, e.json_path())
               ? ""
               : "JSON path " + e.json_path() + " is not in the mutated document: " + what;
  std::vector<std::string> strings;
  collect_strings(mutated, &strings);
  const std::string dir = directory_of(c.file);
  for (const auto& s : strings) {
    if (resolve_relative(dir, s) != e.file()) continue;
    if (e.json_path().empty()) return "";
    try {
      return locates(load_json_file(e.file()), e.json_path())
                 ? ""
                 : "JSON path " + e.json_path() + " is not in " + e.file() + ": " + what;
    } catch (const InputError&) {
      return "a JSON path into " + e.file() + ", which cannot be read: " + what;
    }
  }
  return "names " + e.file() + ", which the document does not refer to: " + what;
}

// "" when parsing `mutated` keeps the contract, else what broke it. `rejected` (optional) tells
// whether the parser threw InputError.
std::string contract_violation(const ConfigCase& c, const Json& mutated, bool* rejected = nullptr) {
  if (rejected) *rejected = false;
  try {
    c.parse(mutated);
    return "";
  } catch (const InputError& e) {
    if (rejected) *rejected = true;
    return error_problem(c, mutated, e);
  } catch (const std::exception& e) {
    return std::string("threw ") + typeid(e).name() + " (not InputError): " + e.what();
  } catch (...) {
    return "threw something that is not a std::exception";
  }
}

std::string describe(const ConfigCase& c, const std::string& mutation, const Pointer& at) {
  return c.file + " with " + at.to_string() + " " + mutation;
}

// Replacements of every type and of the ranges parsers must check.
const std::vector<std::pair<std::string, Json>>& fixed_replacements() {
  static const std::vector<std::pair<std::string, Json>> values = {
      {"null", nullptr},
      {"true", true},
      {"zero", 0},
      {"negative zero", -0.0},
      {"minus one", -1},
      {"one half", 0.5},
      {"largest double", std::numeric_limits<double>::max()},
      {"lowest double", std::numeric_limits<double>::lowest()},
      {"smallest subnormal", std::numeric_limits<double>::denorm_min()},
      {"2^31", 2147483648.0},
      {"INT64_MIN", std::numeric_limits<std::int64_t>::min()},
      {"UINT64_MAX", std::numeric_limits<std::uint64_t>::max()},
      {"NaN number", std::numeric_limits<double>::quiet_NaN()},
      {"infinite number", std::numeric_limits<double>::infinity()},
      {"\"NaN\"", "NaN"},
      {"\"-Infinity\"", "-Infinity"},
      {"\"1e999\"", "1e999"},
      {"empty string", ""},
      {"empty array", Json::array()},
      {"empty object", Json::object()},
      {"array of one number", Json::array({1})},
      {"object with an unknown key", Json{{"unknown_key", 1}}},
  };
  return values;
}

// Exhaustive: every location of every shipped config, each way. Deterministic, so that every key
// is covered in every run; the random property below combines mutations and draws the values.
TEST(ConfigMutations, EveryKeyDeletedRetypedOrOutOfRangeGivesInputErrorAtAPathOfTheDocument) {
  long checked = 0;
  for (const ConfigCase& c : shipped_cases()) {
    ASSERT_EQ(contract_violation(c, c.doc), "") << c.file << " as shipped";
    for (const Pointer& at : locations(c)) {
      if (at != c.root) {
        Json m = c.doc;
        remove_at(m, at);
        EXPECT_EQ(contract_violation(c, m), "") << describe(c, "deleted", at);
        ++checked;
      }
      for (const auto& [name, value] : fixed_replacements()) {
        Json m = c.doc;
        m.at(at) = value;
        EXPECT_EQ(contract_violation(c, m), "") << describe(c, "set to " + name, at);
        ++checked;
      }
      if (c.doc.at(at).is_object()) {
        Json m = c.doc;
        m.at(at)["unknown_key"] = 1;
        EXPECT_EQ(contract_violation(c, m), "") << describe(c, "given an unknown key", at);
        ++checked;
      }
    }
  }
  // 5 detectors, 1 source, 4 scenarios, 5 studies, 3 data detector blocks: hundreds of keys.
  EXPECT_GT(checked, 5000);
  std::printf("mutated documents parsed: %ld\n", checked);
}

// A random string as a config file can hold one: valid UTF-8 (JSON text is Unicode), mostly
// ASCII, sometimes any code point. Member names leave out '/' and '~', which a JSON pointer
// must escape (see UnknownKeyWithPointerCharactersIsNamedByAnEscapedPointer below).
std::string random_string(bool for_member_name = false) {
  auto code_points = *rc::gen::container<std::vector<std::uint32_t>>(rc::gen::oneOf(
      rc::gen::inRange<std::uint32_t>(0x20, 0x7f), rc::gen::element<std::uint32_t>('/', '~', '.'),
      rc::gen::inRange<std::uint32_t>(0x80, 0xd800),
      rc::gen::inRange<std::uint32_t>(0xe000, 0x110000)));
  std::string s;
  for (std::uint32_t c : code_points) {
    if (for_member_name && (c == '/' || c == '~')) c = '_';
    if (c < 0x80) {
      s += static_cast<char>(c);
    } else if (c < 0x800) {
      s += static_cast<char>(0xc0 | (c >> 6));
      s += static_cast<char>(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
      s += static_cast<char>(0xe0 | (c >> 12));
      s += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
      s += static_cast<char>(0x80 | (c & 0x3f));
    } else {
      s += static_cast<char>(0xf0 | (c >> 18));
      s += static_cast<char>(0x80 | ((c >> 12) & 0x3f));
      s += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
      s += static_cast<char>(0x80 | (c & 0x3f));
    }
  }
  return s;
}

// A random JSON value of any type (nested at most two levels).
Json random_value(int depth = 0) {
  const int kind = *rc::gen::inRange(0, depth < 2 ? 8 : 6);
  switch (kind) {
    case 0:
      return nullptr;
    case 1:
      return *rc::gen::arbitrary<bool>();
    case 2:
      return *rc::gen::arbitrary<std::int64_t>();
    case 3:
      return *rc::gen::arbitrary<double>();
    case 4:
      return *rc::gen::element<double>(0.0, -0.0, 1e308, -1e308, 5e-324, 2147483647.0, 2147483648.0,
                                       4294967296.0, 1e19, -1.0, 0.999999999,
                                       std::numeric_limits<double>::quiet_NaN(),
                                       std::numeric_limits<double>::infinity());
    case 5:
      if (*rc::gen::arbitrary<bool>()) return random_string();
      return *rc::gen::element<std::string>("NaN", "nan", "inf", "-Infinity", "1e999", "", " ",
                                            "0x1p3", "null", "ideal", "helm", "log", "nue");
    case 6: {
      Json a = Json::array();
      const int n = *rc::gen::inRange(0, 3);
      for (int i = 0; i < n; ++i) a.push_back(random_value(depth + 1));
      return a;
    }
    default: {
      Json o = Json::object();
      const int n = *rc::gen::inRange(0, 3);
      for (int i = 0; i < n; ++i) o[random_string(true)] = random_value(depth + 1);
      return o;
    }
  }
}

// The type of a JSON value, as a small number (numbers of any kind are one type).
int type_class(const Json& j) {
  if (j.is_number()) return 0;
  return static_cast<int>(j.type()) + 1;
}

// Random: one to three mutations at random locations of a random shipped config, with random
// values of another type, random unknown keys (any characters) and extreme numbers.
RC_GTEST_PROP(ConfigMutations, RandomlyMutatedConfigsParseOrGiveInputErrorAtAPathOfTheDocument,
              ()) {
  property::count_case();
  const auto& cases = shipped_cases();
  const ConfigCase& c = cases[*rc::gen::inRange<std::size_t>(0, cases.size())];
  Json m = c.doc;
  std::string log;
  const int n_mutations = *rc::gen::inRange(1, 4);
  for (int k = 0; k < n_mutations; ++k) {
    std::vector<Pointer> where;
    collect_locations(m.at(c.root), c.root, &where);
    const Pointer at = *rc::gen::elementOf(where);
    const int kind = *rc::gen::inRange(0, 4);
    if (kind == 0 && at != c.root) {
      remove_at(m, at);
      log += at.to_string() + " deleted; ";
    } else if (kind == 1) {
      Json v = random_value();
      while (type_class(v) == type_class(m.at(at))) v = random_value();
      log += at.to_string() + " set to " + v.dump() + "; ";
      m.at(at) = std::move(v);
    } else if (kind == 2 && m.at(at).is_object()) {
      const std::string key = random_string(true);
      Json v = random_value();
      log += at.to_string() + " given key " + Json(key).dump() + ": " + v.dump() + "; ";
      m.at(at)[key] = std::move(v);
    } else {
      Json v = random_value();
      log += at.to_string() + " set to " + v.dump() + "; ";
      m.at(at) = std::move(v);
    }
  }
  RC_LOG() << c.file << ": " << log << "\n";
  bool rejected = false;
  const std::string problem = contract_violation(c, m, &rejected);
  if (!problem.empty()) RC_FAIL(problem);
  RC_TAG(rejected ? "rejected with InputError" : "accepted");
}

// RFC 6901: in a JSON pointer a member name's '~' is written "~0" and its '/' "~1", so that the
// pointer names that member and no other. An unknown key "a/b" must be reported at "/a~1b".
TEST(ConfigMutations, UnknownKeyWithPointerCharactersIsNamedByAnEscapedPointer) {
  const std::string file = source_dir() + "/configs/sources/sns.json";
  for (const std::string key : {"a/b", "a~b", "/", "~1"}) {
    Json doc = load_json_file(file);
    doc[key] = 1;
    try {
      parse_source(doc, file, "");
      ADD_FAILURE() << "unknown key " << key << " accepted";
    } catch (const InputError& e) {
      EXPECT_EQ(e.json_path(), (Pointer("") / key).to_string()) << e.what();
    }
  }
}

// Huge Z and N are refused at Z (no nucleus has Z above 120) before any arithmetic on them could
// overflow (the sanitizer build reports signed overflow).
TEST(ConfigMutations, HugeZAndNAreAnInputErrorWithoutIntegerOverflow) {
  const std::string file = source_dir() + "/configs/detectors/ar.json";
  Json doc = load_json_file(file);
  doc["isotopes"][0]["Z"] = 1500000000;
  doc["isotopes"][0]["N"] = 1500000000;
  try {
    parse_detector(doc, file, "", directory_of(file));
    ADD_FAILURE() << "an isotope with Z = N = 1.5e9 and atomic mass 40 u was accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.json_path(), "/isotopes/0/Z") << e.what();
  }
}

}  // namespace
}  // namespace cevns
