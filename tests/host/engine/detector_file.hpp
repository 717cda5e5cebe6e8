// Detector configs and studies given as JSON, loaded as the program loads them: for the tests of
// detector options (exposures, sources) and of their error messages.
#pragma once

#include <string>

#include "host/config/config.hpp"
#include "host/config/study.hpp"
#include "host/core/error.hpp"
#include "tests/test_util.hpp"

namespace cevns::testing {

// `j` written to det.json in `dir`, then loaded.
inline DetectorConfig load_detector_json(const ScratchDir& dir, const Json& j) {
  return load_detector(dir.write("det.json", j.dump()));
}

// The message of the InputError that loading `j` raises, or "no error".
inline std::string detector_load_error(const ScratchDir& dir, const Json& j) {
  try {
    load_detector_json(dir, j);
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

// The message of the InputError that parsing the study `j` (as file `file`) raises, or "no error".
inline std::string study_error(const Json& j, const std::string& file) {
  try {
    parse_study(j, file);
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace cevns::testing
