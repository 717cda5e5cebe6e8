// Shared by the property tests: how many random cases ran (printed by main.cpp, so a run reports
// what it actually checked, not only that nothing failed).
#pragma once

#include <atomic>

namespace cevns::property {

inline std::atomic<long> cases_run{0};

// Counts one case of a property; call once at the start of each property body.
inline void count_case() { cases_run.fetch_add(1, std::memory_order_relaxed); }

}  // namespace cevns::property
