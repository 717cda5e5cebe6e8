// The property suite's entry point: Google Test, then the number of cases that ran. The number
// of random cases per property comes from RC_PARAMS (tests/CMakeLists.txt sets max_success).
#include <gtest/gtest.h>

#include <cstdio>

#include "tests/property/property_util.hpp"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  const int status = RUN_ALL_TESTS();
  std::printf("property cases run: %ld\n", cevns::property::cases_run.load());
  return status;
}
