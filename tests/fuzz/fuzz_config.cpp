// libFuzzer target: arbitrary bytes → JSON → every config parser. Bad input of any kind must end
// in InputError (README: one line naming file, JSON path and expectation, exit status 2); any
// other exception escapes and aborts, and the sanitizers turn memory errors and undefined
// behaviour into crashes, so libFuzzer reports all of them with the input that caused them.
//
// The file names place each parser in the shipped configs' folders, so that the relative file
// references of the seed corpus (configs/**/*.json) resolve and the fuzzer reaches the parsers
// behind them: study → detector files → source file.
#include <cstddef>
#include <cstdint>
#include <string>

#include "host/config/config.hpp"
#include "host/config/study.hpp"
#include "host/core/error.hpp"

namespace {

const std::string kConfigs = std::string(CEVNS_SOURCE_DIR) + "/configs";

template <class Parse>
void expect_input_error_or_success(Parse parse) {
  try {
    parse();
  } catch (const cevns::InputError&) {
    // The documented outcome for bad input.
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using cevns::Json;
  // Bytes that are not JSON never reach the parsers (load_json_file reports them itself).
  const Json doc = Json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return 0;

  expect_input_error_or_success([&] { cevns::parse_study(doc, kConfigs + "/studies/fuzz.json"); });
  expect_input_error_or_success([&] {
    cevns::parse_detector(doc, kConfigs + "/detectors/fuzz.json", "", kConfigs + "/detectors");
  });
  expect_input_error_or_success(
      [&] { cevns::parse_source(doc, kConfigs + "/sources/fuzz.json", ""); });
  expect_input_error_or_success([&] { cevns::parse_axis(doc, "fuzz.json", "/axis"); });
  expect_input_error_or_success(
      [&] { cevns::parse_quadrature(cevns::JsonObject(doc, "fuzz.json", "/quadrature")); });
  // A data-release config carries its detector at /detector (read as the fit reads it).
  if (doc.is_object() && doc.contains("detector"))
    expect_input_error_or_success([&] {
      cevns::parse_detector(doc["detector"], kConfigs + "/data/fuzz.json", "/detector",
                            kConfigs + "/data");
    });
  return 0;
}
