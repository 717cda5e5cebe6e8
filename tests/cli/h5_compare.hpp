// Two output files compared dataset by dataset, for the tests whose runs must agree bit for bit
// (shards + merge against one run, a streamed run against the grids held whole, --resume).
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "host/io/h5io.hpp"

namespace cevns::testing {

// Every dataset of `a` and `b` bit for bit (NaN included) and the same tree; the analysis' group
// attributes (χ²_min, threshold, sensitivity) bit for bit and the best fits; the files' study hash,
// resolved config and completion flag. Returns the number of datasets compared.
inline std::size_t expect_same_datasets(const std::string& path_a, const std::string& path_b) {
  h5::File a = h5::File::open_read(path_a), b = h5::File::open_read(path_b);
  std::size_t compared = 0;
  std::function<void(h5::Group, h5::Group)> compare = [&](h5::Group ga, h5::Group gb) {
    EXPECT_EQ(ga.children(), gb.children()) << ga.path();
    for (const char* attr : {"chi2_min", "delta_chi2_threshold", "sensitivity_percent"}) {
      if (!ga.has_attr(attr)) continue;
      EXPECT_TRUE(gb.has_attr(attr)) << ga.path() << " @" << attr;
      if (!gb.has_attr(attr)) continue;
      // Under Feldman-Cousins the threshold names the dataset of critical values.
      if (std::string(attr) == "delta_chi2_threshold" && ga.has("critical_delta_chi2")) {
        EXPECT_EQ(ga.attr_string(attr), gb.attr_string(attr)) << ga.path();
        continue;
      }
      const double x = ga.attr_double(attr), y = gb.attr_double(attr);
      EXPECT_EQ(std::memcmp(&x, &y, sizeof x), 0) << ga.path() << " @" << attr;
    }
    if (ga.has_attr("best_fit")) {
      EXPECT_EQ(ga.attr_doubles("best_fit"), gb.attr_doubles("best_fit")) << ga.path();
    }
    for (const auto& name : ga.children()) {
      if (!gb.has(name)) continue;
      if (ga.is_group(name)) {
        compare(ga.group(name), gb.group(name));
        continue;
      }
      std::vector<std::size_t> sa, sb;
      const auto va = ga.read(name, &sa), vb = gb.read(name, &sb);
      EXPECT_EQ(sa, sb) << ga.path() << "/" << name;
      ASSERT_EQ(va.size(), vb.size()) << ga.path() << "/" << name;
      if (!va.empty()) {  // memcmp of an empty vector's null data() is undefined
        EXPECT_EQ(std::memcmp(va.data(), vb.data(), va.size() * sizeof(double)), 0)
            << ga.path() << "/" << name;
      }
      ++compared;
    }
  };
  compare(a.root(), b.root());
  for (const char* attr : {"study_hash", "config_json"}) {
    EXPECT_EQ(a.root().has_attr(attr), b.root().has_attr(attr)) << "@" << attr;
    if (a.root().has_attr(attr) && b.root().has_attr(attr)) {
      EXPECT_EQ(a.root().attr_string(attr), b.root().attr_string(attr)) << "@" << attr;
    }
  }
  EXPECT_EQ(a.root().has_attr("complete"), b.root().has_attr("complete"));
  if (a.root().has_attr("complete") && b.root().has_attr("complete")) {
    EXPECT_EQ(a.root().attr_int("complete"), b.root().attr_int("complete"));
  }
  return compared;
}

}  // namespace cevns::testing
