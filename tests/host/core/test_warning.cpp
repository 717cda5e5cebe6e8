#include <gtest/gtest.h>

#include <vector>

#include "host/core/warning.hpp"

namespace cevns {
namespace {

TEST(Warning, IsOneLineNamingFileAndPathAndGoesToTheSink) {
  std::vector<std::string> lines;
  const WarningSink previous =
      set_warning_sink([&](const std::string& line) { lines.push_back(line); });
  warn("det.json", "/baseline_m", "0.02 m is less than 1 m");
  warn("--neutron-radius", "", "20 fm is large");
  set_warning_sink(previous);
  warn("after.json", "/x", "goes to stderr, not to the captured lines");
  EXPECT_EQ(lines, (std::vector<std::string>{
                       "cevns: warning: det.json: /baseline_m: 0.02 m is less than 1 m",
                       "cevns: warning: --neutron-radius: 20 fm is large"}));
}

}  // namespace
}  // namespace cevns
