// Golden-section search, the tests' reference minimiser: it uses nothing but function values, so
// it shares no algebra with the closed forms it checks (the χ² pulls, the combinations' shared
// normalisation). Each step shrinks the bracket by 0.618: 120 steps by ≈ 1e-25, 140 by ≈ 1e-29.
#pragma once

#include <cmath>

namespace cevns::testing {

// The minimiser of a unimodal f on [a, b].
template <class F>
long double golden_section_argmin(F f, long double a, long double b, int steps = 140) {
  const long double ratio = (std::sqrt(5.0L) - 1.0L) / 2.0L;
  long double c = b - ratio * (b - a), d = a + ratio * (b - a);
  long double fc = f(c), fd = f(d);
  for (int i = 0; i < steps; ++i) {
    if (fc < fd) {
      b = d, d = c, fd = fc;
      c = b - ratio * (b - a);
      fc = f(c);
    } else {
      a = c, c = d, fc = fd;
      d = a + ratio * (b - a);
      fd = f(d);
    }
  }
  return 0.5L * (a + b);
}

}  // namespace cevns::testing
