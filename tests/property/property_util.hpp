// Shared by the property tests: how many random cases ran (printed by main.cpp, so a run reports
// what it actually checked, not only that nothing failed).
#pragma once

#include <rapidcheck.h>

#include <atomic>
#include <cmath>

namespace cevns::property {

inline std::atomic<long> cases_run{0};

// Counts one case of a property; call once at the start of each property body.
inline void count_case() { cases_run.fetch_add(1, std::memory_order_relaxed); }

// A uniform double in [lo, hi] (rapidcheck's integers scaled: 2^31 steps are plenty here).
inline double uniform(double lo, double hi) {
  const int k = *rc::gen::inRange(0, 1 << 30);
  return lo + (hi - lo) * (k / double(1 << 30));
}

// log-uniform in [lo, hi], lo > 0: covers every decade of a range equally.
inline double log_uniform(double lo, double hi) {
  return std::exp(uniform(std::log(lo), std::log(hi)));
}

}  // namespace cevns::property
