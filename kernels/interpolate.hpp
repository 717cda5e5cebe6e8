// Linear interpolation in a table, held constant beyond its ends: acceptances and efficiencies
// tabulated in recoil or observed energy.
#pragma once

#include "kernels/hd.hpp"

namespace cevns {

// x strictly increasing, n ≥ 1.
CEVNS_HD inline double interpolate_clamped(const double* x, const double* y, int n, double at) {
  if (at <= x[0]) return y[0];
  if (at >= x[n - 1]) return y[n - 1];
  int lo = 0, hi = n - 1;
  while (hi - lo > 1) {
    const int mid = (lo + hi) / 2;
    if (x[mid] <= at) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  const double f = (at - x[lo]) / (x[hi] - x[lo]);
  return y[lo] + f * (y[hi] - y[lo]);
}

}  // namespace cevns
